/**
 * Cross-cutting HTTP behaviour: public routes, response headers, request ids, unknown routes,
 * the local server's start and a database outage. Pure HTTP checks drive the app in-process with
 * `app.request()` (as Hono's own tests do); what needs a server or a database uses one. Bearer
 * token cases are in hostile-tokens.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { localAuthenticator, signingKey, signToken } from '../src/auth/local-jwt.ts';
import { DEFAULT_CONFIG } from '../src/domain/config.ts';
import { createApp } from '../src/http/app.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { freePort } from '../src/runtime/embedded-dynamodb.ts';
import { startLocalService } from '../src/runtime/local-service.ts';
import { createDb, type Db } from '../src/store/dynamodb.ts';
import { dynamoEndpoint, startTestService } from './helpers.ts';

const silent = createLogger({ level: 'silent' });

/** The app in-process, on a database that must not be reached (these checks touch no data). */
const dataDir = mkdtempSync(join(tmpdir(), 'http-'));
const key = signingKey(dataDir);
const noDb: Db = {
  call: () => Promise.reject(new Error('this test must not reach the database')),
};
const app = createApp({
  table: { db: noDb, name: 'none' },
  config: async () => DEFAULT_CONFIG,
  authenticate: localAuthenticator(key),
  logger: silent,
  metrics: createMetrics(() => {}),
});
const bearer = async (userId: string) => ({ authorization: `Bearer ${await signToken(key, userId)}` });
const request = (path: string, init: RequestInit = {}) => app.request(`http://localhost${path}`, init);

describe('public routes', () => {
  test('workout types and the OpenAPI document need no token, and are not user data', async () => {
    const types = await request('/workout-types');
    assert.equal(types.status, 200);
    const body = (await types.json()) as { items: { workoutType: string; met: Record<string, number> }[] };
    assert.deepEqual(
      body.items.map((i) => i.workoutType),
      ['running', 'cycling', 'swimming', 'weightlifting', 'yoga', 'crossfit', 'hiking', 'walking'],
    );
    assert.deepEqual(body.items[0]!.met, { low: 6, moderate: 9.8, high: 11.5 });
    assert.equal(types.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(types.headers.get('cache-control'), null);

    const doc = await request('/openapi.json');
    assert.equal(doc.status, 200);
    const openapi = (await doc.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    assert.equal(openapi.openapi, '3.1.0');
    for (const p of ['/users', '/users/{userId}', '/workouts', '/workouts/{workoutId}', '/stats/{userId}']) {
      assert.ok(openapi.paths[p], p);
    }
    // Generated from the validating schemas: the configured maximum and the seconds field.
    const create = openapi.components.schemas.CreateWorkout!;
    assert.equal(create.properties.durationMinutes!.maximum, 1440);
    assert.ok(create.properties.durationSeconds, 'durationSeconds is described');
  });

  test('the database-backed health check answers ok on DynamoDB Local', async () => {
    const t = await startTestService();
    const health = await t.call('GET', '/health', { as: null });
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
    assert.equal(health.headers.get('x-content-type-options'), 'nosniff');
  });
});

describe('response headers', () => {
  test('nosniff on every answer; no-store on answers about user data, refusals included', async () => {
    const auth = await bearer('hdr');
    for (const [path, init, status] of [
      ['/nope', { headers: auth }, 404],
      ['/workouts', {}, 401],
      ['/workouts?limit=0', { headers: auth }, 400],
      ['/stats/someone-else', { headers: auth }, 403],
    ] as const) {
      const res = await request(path, init);
      assert.equal(res.status, status, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, path);
      // Answers about a user's data (its refusals too) are never cached; a 401 or 404 carries none.
      if (status === 400 || status === 403) assert.equal(res.headers.get('cache-control'), 'no-store', path);
    }
    const unauth = await request('/workouts');
    assert.match(unauth.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal(((await unauth.json()) as { code: string }).code, 'unauthenticated');
  });
});

describe('request ids', () => {
  // hono/request-id: echoed only when it matches [A-Za-z0-9_=-]{1,128}; anything else is replaced.
  const SAFE = /^[A-Za-z0-9_=-]{1,128}$/;
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  test('a safe X-Request-Id is echoed, on success and on error', async () => {
    for (const id of ['abc-123', 'client_42', 'b64==', 'x'.repeat(128)]) {
      const ok = await request('/workout-types', { headers: { 'x-request-id': id } });
      assert.equal(ok.headers.get('x-request-id'), id);
      const err = await request('/workouts/x', { headers: { 'x-request-id': id } });
      assert.equal(err.status, 401);
      assert.equal(err.headers.get('x-request-id'), id);
    }
  });
  test("anything else is replaced by a fresh id: '.' and ':' are no longer echoed", async () => {
    for (const id of ['abc-123.x', 'a:b', 'x'.repeat(129), '<script>', 'a b', '../etc', 'ünï']) {
      const res = await request('/workout-types', { headers: { 'x-request-id': id } });
      const got = res.headers.get('x-request-id') ?? '';
      assert.notEqual(got, id);
      assert.match(got, UUID, id);
      assert.match(got, SAFE);
    }
    // Without one, every answer still carries one, different each time.
    const a = (await request('/workout-types')).headers.get('x-request-id');
    const b = (await request('/workout-types')).headers.get('x-request-id');
    assert.match(a ?? '', UUID);
    assert.notEqual(a, b);
  });
});

describe('unknown routes and methods', () => {
  test('404 problem+json with code route_not_found', async () => {
    const auth = await bearer('rid');
    for (const [method, path] of [
      ['GET', '/nope'],
      ['PUT', '/workouts/x'],
      ['GET', '/stats'],
      ['POST', '/health'],
    ] as const) {
      const res = await request(path, { method, headers: auth });
      assert.equal(res.status, 404, `${method} ${path}`);
      const body = (await res.json()) as { title: string; code: string; status: number };
      assert.deepEqual(
        { title: body.title, code: body.code, status: body.status },
        { title: 'Not Found', code: 'route_not_found', status: 404 },
      );
    }
  });
});

describe('local server start', () => {
  test('a port in use is a clean error, not a crash', async () => {
    const t = await startTestService();
    await assert.rejects(
      startLocalService({
        port: t.service.port,
        endpoint: await dynamoEndpoint(),
        tableName: t.tableName,
        dataDir: mkdtempSync(join(tmpdir(), 'port-')),
        db: t.db,
        logger: silent,
      }),
      /EADDRINUSE/,
    );
  });
});

describe('database outage', () => {
  test('503 with Retry-After and code, no internals, when DynamoDB cannot be reached', async () => {
    const deadPort = await freePort(); // nothing listens there
    const endpoint = `http://127.0.0.1:${deadPort}`;
    const service = await startLocalService({
      port: 0,
      endpoint,
      tableName: 'unreachable',
      dataDir: mkdtempSync(join(tmpdir(), 'outage-')),
      createTable: false,
      db: await createDb({ endpoint, retries: 1 }),
      logger: silent,
    });
    try {
      const health = await fetch(`${service.url}/health`);
      assert.equal(health.status, 503);
      assert.equal(health.headers.get('retry-after'), '1');
      const body = (await health.json()) as Record<string, unknown>;
      assert.equal(body.title, 'Service Unavailable');
      assert.equal(body.code, 'database_unavailable');
      assert.doesNotMatch(JSON.stringify(body), /ECONNREFUSED|127\.0\.0\.1|aws-lite|stack/i);
      // Public routes that need no database still answer.
      assert.equal((await fetch(`${service.url}/workout-types`)).status, 200);
    } finally {
      await service.close();
    }
  });
});
