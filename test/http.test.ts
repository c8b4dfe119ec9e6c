/** Cross-cutting HTTP behaviour: tokens, public routes, request ids, unknown routes, outages. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { AUDIENCE, ISSUER } from '../src/auth/local-jwt.ts';
import { createLogger } from '../src/observability/logger.ts';
import { freePort } from '../src/runtime/embedded-dynamodb.ts';
import { startLocalService } from '../src/runtime/local-service.ts';
import { createDb } from '../src/store/dynamodb.ts';
import { dynamoEndpoint, startTestService, workout } from './helpers.ts';

const t = await startTestService();

const otherKey = new TextEncoder().encode('x'.repeat(40));
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const valid = await t.token('tok');
const [h, p, s] = valid.split('.') as [string, string, string];
const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
const wrongKeyToken = await new SignJWT({})
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject('tok')
  .setIssuer(ISSUER)
  .setAudience(AUDIENCE)
  .setExpirationTime('1h')
  .sign(otherKey);

describe('bearer tokens', () => {
  const cases: [string, string | undefined][] = [
    ['no header', undefined],
    ['not Bearer', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['malformed', 'Bearer not.a.jwt'],
    ['garbage', 'Bearer %%%'],
    ['alg none', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${p}.`],
    ['tampered payload', `Bearer ${h}.${b64({ ...payload, sub: 'someone-else' })}.${s}`],
    ['wrong key', `Bearer ${wrongKeyToken}`],
  ];
  for (const [name, header] of cases) {
    test(`401 with WWW-Authenticate: ${name}`, async () => {
      const res = await t.call('GET', '/workouts', {
        as: null,
        headers: header ? { authorization: header } : {},
      });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    });
  }

  test('401 for an expired token', async () => {
    const expired = await t.token('tok', { ttlSeconds: 1 });
    await new Promise((r) => setTimeout(r, 2100));
    const res = await t.call('GET', '/workouts', {
      as: null,
      headers: { authorization: `Bearer ${expired}` },
    });
    assert.equal(res.status, 401);
  });

  test('a rejected token writes nothing', async () => {
    const before = await t.partition('someone-else');
    const res = await t.call('POST', '/workouts', {
      as: null,
      body: workout(),
      headers: { authorization: `Bearer ${h}.${b64({ ...payload, sub: 'someone-else' })}.${s}` },
    });
    assert.equal(res.status, 401);
    assert.deepEqual(await t.partition('someone-else'), before);
  });
});

describe('public routes', () => {
  test('health, workout types and the OpenAPI document need no token', async () => {
    const health = await t.call('GET', '/health', { as: null });
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });

    const types = await t.call<{ items: { workoutType: string; met: Record<string, number> }[] }>(
      'GET',
      '/workout-types',
      { as: null },
    );
    assert.deepEqual(
      types.body.items.map((i) => i.workoutType),
      ['running', 'cycling', 'swimming', 'weightlifting', 'yoga', 'crossfit', 'hiking', 'walking'],
    );
    assert.deepEqual(types.body.items[0]!.met, { low: 6, moderate: 9.8, high: 11.5 });

    const doc = await t.call('GET', '/openapi.json', { as: null });
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.1.0');
    const paths = doc.body.paths as unknown as Record<string, Record<string, unknown>>;
    for (const p of [
      '/users',
      '/users/{userId}',
      '/workouts',
      '/workouts/{workoutId}',
      '/stats/{userId}',
      '/stats/{userId}/timeseries',
    ]) {
      assert.ok(paths[p], p);
    }
    // Generated from the validating schemas: the same rules, the configured types.
    const schemas = (
      doc.body.components as {
        schemas: Record<
          string,
          {
            properties: Record<string, Record<string, unknown>>;
            required: string[];
            additionalProperties: unknown;
          }
        >;
      }
    ).schemas;
    const create = schemas.CreateWorkout!;
    assert.deepEqual(create.required.sort(), ['durationMinutes', 'startedAt', 'workoutType']);
    assert.equal(create.additionalProperties, false);
    assert.deepEqual(
      create.properties.workoutType!.enum,
      types.body.items.map((i) => i.workoutType),
    );
    assert.equal(create.properties.durationMinutes!.maximum, 240);
    assert.equal(create.properties.avgHeartRate!.minimum, 25);
  });
});

describe('request ids and unknown routes', () => {
  test('a safe X-Request-Id is echoed; an unsafe one is replaced', async () => {
    const mine = await t.call('GET', '/health', { as: null, headers: { 'x-request-id': 'abc-123.x' } });
    assert.equal(mine.headers.get('x-request-id'), 'abc-123.x');
    const hostile = await t.call('GET', '/health', {
      as: null,
      headers: { 'x-request-id': '<script>' + 'a'.repeat(300) },
    });
    assert.match(hostile.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const error = await t.call('GET', '/workouts/x', { as: 'rid', headers: { 'x-request-id': 'err-1' } });
    assert.equal(error.status, 404);
    assert.equal(error.headers.get('x-request-id'), 'err-1');
  });

  test('unknown routes and methods are 404 problem+json', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['PUT', '/workouts/x'],
      ['GET', '/stats'],
      ['POST', '/health'],
    ] as const) {
      const res = await t.call(method, path, { as: 'rid' });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.title, 'Not Found');
    }
  });
});

describe('local server start', () => {
  test('a port in use is a clean error, not a crash', async () => {
    await assert.rejects(
      startLocalService({
        port: t.service.port,
        endpoint: await dynamoEndpoint(),
        tableName: t.tableName,
        dataDir: mkdtempSync(join(tmpdir(), 'port-')),
        db: t.db,
        logger: createLogger({ level: 'silent' }),
      }),
      /EADDRINUSE/,
    );
  });
});

describe('database outage', () => {
  test('503 with Retry-After, no internals, when DynamoDB cannot be reached', async () => {
    const deadPort = await freePort(); // nothing listens there
    const endpoint = `http://127.0.0.1:${deadPort}`;
    const service = await startLocalService({
      port: 0,
      endpoint,
      tableName: 'unreachable',
      dataDir: mkdtempSync(join(tmpdir(), 'outage-')),
      createTable: false,
      db: await createDb({ endpoint, retries: 1 }),
      logger: createLogger({ level: 'silent' }),
    });
    try {
      const health = await fetch(`${service.url}/health`);
      assert.equal(health.status, 503);
      assert.equal(health.headers.get('retry-after'), '1');
      const body = (await health.json()) as Record<string, unknown>;
      assert.equal(body.title, 'Service Unavailable');
      assert.doesNotMatch(JSON.stringify(body), /ECONNREFUSED|127\.0\.0\.1|aws-lite|stack/i);
      // Public routes that need no database still answer.
      assert.equal((await fetch(`${service.url}/workout-types`)).status, 200);
    } finally {
      await service.close();
    }
  });
});
