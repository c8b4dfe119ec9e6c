/**
 * The OpenAPI document: it describes exactly the app's routes, is JSON Schema 2020-12 throughout,
 * and the response check (test/support/openapi-check.ts) that test/helpers.ts runs on every
 * answer catches drift. GET /docs is public and lazily loaded.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { DEFAULT_CONFIG } from '../src/domain/config.ts';
import { FIELD_CODES } from '../src/domain/schemas.ts';
import { createApp } from '../src/http/app.ts';
import type { AppDeps } from '../src/http/env.ts';
import { openApiDocument } from '../src/http/openapi.ts';
import { PROBLEM_CODES } from '../src/http/problem.ts';
import { PROBLEM_CODES_BY_STATUS } from '../src/http/response-schemas.ts';
import { startTestService, workout, type TestService } from './helpers.ts';
import { OpenApiCheck } from './support/openapi-check.ts';

type Json = Record<string, unknown>;
const doc = openApiDocument(DEFAULT_CONFIG) as Json & { paths: Record<string, Record<string, Json>> };
const METHODS = ['get', 'post', 'patch', 'delete', 'put', 'head', 'options'];

function operations(): [string, Json][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => m in item).map((m) => [`${m.toUpperCase()} ${path}`, item[m]!] as [string, Json]),
  );
}

/** Every key anywhere in the document, with where it is. */
function* keys(node: unknown, at = '#'): Generator<[string, string]> {
  if (node === null || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    yield [k, at];
    yield* keys(v, `${at}/${k}`);
  }
}

test('the document describes exactly the routes the app serves', () => {
  const app = createApp({
    store: {},
    config: async () => DEFAULT_CONFIG,
    authenticate: async () => null,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    metrics: {},
  } as unknown as AppDeps);
  const served = app.routes
    .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
    .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
  assert.deepEqual(
    [...new Set(served)].sort(),
    operations()
      .map(([key]) => key)
      .sort(),
  );
  assert.deepEqual(Object.keys(doc.paths).sort(), [...new Set(served.map((r) => r.split(' ')[1]))].sort());
});

test('every operation has a unique operationId, tags, and a documented answer with its headers', () => {
  const ids = operations().map(([, op]) => op.operationId);
  assert.equal(new Set(ids).size, ids.length);
  for (const [key, op] of operations()) {
    assert.match(String(op.operationId), /^[a-z][A-Za-z]+$/, key);
    assert.ok(Array.isArray(op.tags) && op.tags.length > 0, `${key}: tags`);
    const responses = op.responses as Record<string, Json>;
    assert.ok(
      Object.keys(responses).some((s) => s.startsWith('2')),
      `${key}: a success answer`,
    );
    for (const [status, r] of Object.entries(responses)) {
      const headers = (r.headers ?? {}) as Json;
      if (!('$ref' in r)) assert.ok('X-Request-Id' in headers, `${key} ${status}: X-Request-Id`);
    }
    if (op.security === undefined) {
      assert.ok('401' in responses && '403' in responses, `${key}: 401 and 403 behind the token`);
    }
  }
});

test('JSON Schema 2020-12 only: no OpenAPI 3.0 keywords, and the rules the server enforces are there', () => {
  assert.equal(doc.openapi, '3.1.0');
  for (const [k, at] of keys(doc)) assert.ok(k !== 'nullable' && k !== 'x-rules', `${k} at ${at}`);
  const s = (doc.components as { schemas: Record<string, { properties: Record<string, Json> }> }).schemas;
  const create = s.CreateWorkout!.properties;
  assert.equal(create.startedAt!.format, 'date-time');
  assert.equal(create.durationMinutes!.exclusiveMinimum, 0);
  assert.equal(create.durationMinutes!.maximum, DEFAULT_CONFIG.maxDurationMinutes);
  assert.equal(create.durationMinutes!.multipleOf, 0.01);
  assert.equal(create.distanceKm!.multipleOf, 0.001);
  assert.equal(create.avgHeartRate!.type, 'integer');
  assert.deepEqual(create.workoutType!.enum, Object.keys(DEFAULT_CONFIG.workoutTypes));
  // Without durationMinutes, durationSeconds is required.
  assert.deepEqual((s.CreateWorkout as Json).if, { properties: { durationMinutes: false } });
  assert.deepEqual((s.CreateWorkout as Json).then, {
    properties: { durationSeconds: true },
    required: ['durationSeconds'],
  });
  assert.deepEqual(s.PatchWorkout!.properties.distanceKm!.anyOf, [
    { type: 'number', minimum: 0, maximum: 1000, multipleOf: 0.001 },
    { type: 'null' },
  ]);
  assert.deepEqual(create.userId!.not, { enum: ['.', '..', 'me'] });
  const problem = s.Problem!.properties;
  assert.deepEqual(problem.code!.enum, [...new Set(Object.values(PROBLEM_CODES_BY_STATUS).flat())]);
  // The server's own list of codes, every one documented under its status.
  assert.deepEqual([...(problem.code!.enum as string[])].sort(), [...PROBLEM_CODES].sort());
  assert.deepEqual((s.FieldError!.properties.code as Json).enum, [...FIELD_CODES]);
  // Every schema of the document is valid JSON Schema 2020-12 (the response check in each test
  // process skips this).
  const meta = new Ajv2020({ strict: false });
  addFormats.default(meta);
  for (const [name, schema] of Object.entries(s)) {
    assert.ok(meta.validateSchema(schema), `${name}: ${meta.errorsText(meta.errors)}`);
  }
});

test('the response check finds an undocumented status, field or header, and a missing one', () => {
  const check = new OpenApiCheck(doc);
  const headers = (extra: Record<string, string> = {}) =>
    new Headers({
      'content-type': 'application/json',
      'x-request-id': 'r1',
      'x-content-type-options': 'nosniff',
      ...extra,
    });
  const ok = { method: 'GET', path: '/health', status: 200, headers: headers(), text: '{"status":"ok"}' };
  assert.deepEqual(check.check(ok), []);
  assert.match(check.check({ ...ok, status: 418 }).join(), /status 418 is not documented/);
  assert.match(check.check({ ...ok, text: '{"status":"ok","extra":1}' }).join(), /additional properties/);
  assert.match(check.check({ ...ok, headers: headers({ etag: '"x"' }) }).join(), /etag.*not documented/);
  assert.match(
    check.check({ ...ok, headers: new Headers({ 'content-type': 'application/json' }) }).join(),
    /X-Request-Id is required/,
  );
  assert.match(check.check({ ...ok, method: 'PUT' }).join(), /no operation is documented/);
});

let t: TestService;
before(async () => {
  process.env.CORS_ORIGINS = 'https://app.example';
  t = await startTestService();
});

test('GET /openapi.json serves the document, without a token', async () => {
  const res = await t.call('GET', '/openapi.json', { as: null });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, JSON.parse(JSON.stringify(doc)));
});

test('GET /docs: the interactive reference, public, reading openapi.json next to it', async () => {
  const res = await t.call('GET', '/docs', { as: null });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(res.text, /<script/);
  assert.match(res.text, /openapi\.json/);
});

test('the answers of a whole flow pass the response check (POST, replay, ETag, 304, 412, batch, changes, export)', async () => {
  const created = await t.call('POST', '/workouts', { body: workout({ workoutId: 'oa-1' }) });
  assert.equal(created.status, 201);
  assert.equal((await t.call('POST', '/workouts', { body: workout({ workoutId: 'oa-1' }) })).status, 200);
  const etag = created.headers.get('etag') ?? '';
  const cached = await t.call('GET', '/workouts/oa-1', { headers: { 'if-none-match': etag } });
  assert.equal(cached.status, 304);
  const stale = await t.call('PATCH', '/workouts/oa-1', {
    body: { notes: 'x' },
    headers: { 'if-match': '"stale"' },
  });
  assert.equal(stale.status, 412);
  const batch = await t.call('POST', '/workouts/batch', {
    body: { workouts: [workout({ workoutId: 'oa-2' }), workout({ durationMinutes: -1 })] },
  });
  assert.equal(batch.status, 200);
  assert.equal((await t.call('GET', '/changes')).status, 200);
  assert.equal((await t.call('GET', '/users/me/export')).status, 200);
  assert.equal((await t.call('GET', '/stats/me/timeseries?granularity=week')).status, 200);
  assert.equal((await t.call('GET', '/workouts?limit=0')).status, 400);
  assert.equal((await t.call('GET', '/users/me')).status, 404);
  assert.equal((await t.call('GET', '/workouts', { as: null })).status, 401);
  assert.equal((await t.call('GET', '/nowhere')).status, 404);
});

test('error answers, preflights and HEAD pass the response check, with the documented codes', async () => {
  const code = async (method: string, path: string, opts: Parameters<TestService['call']>[2] = {}) => {
    const res = await t.call(method, path, { as: 'eve', ...opts });
    return `${res.status} ${String(res.body?.code ?? '')}`.trim();
  };
  assert.equal(await code('POST', '/workouts', { raw: '{"not json' }), '400 malformed_body');
  assert.equal(await code('POST', '/workouts', { body: {} }), '400 invalid_fields');
  assert.equal(
    await code('POST', '/workouts', { raw: 'x', headers: { 'content-type': 'text/plain' } }),
    '415 unsupported_media_type',
  );
  assert.equal(
    await code('POST', '/workouts', { body: workout({ notes: 'x'.repeat(70_000) }) }),
    '413 payload_too_large',
  );
  assert.equal(await code('GET', '/workouts?userId=ana'), '403 forbidden');
  assert.equal(await code('GET', '/workouts', { as: null }), '401 unauthenticated');
  assert.equal(await code('GET', '/workouts/nope'), '404 workout_not_found');
  assert.equal(await code('GET', '/users/me'), '404 user_not_found');
  assert.equal(await code('GET', '/no/such/route'), '404 route_not_found');
  assert.equal(await code('POST', '/users', { body: { displayName: 'Eve' } }), '201');
  assert.equal(await code('POST', '/users', { body: { displayName: 'Eve' } }), '200');
  assert.equal(await code('POST', '/users', { body: { displayName: 'Other' } }), '409 user_exists');
  assert.equal(await code('POST', '/workouts', { body: workout({ workoutId: 'e1' }) }), '201');
  assert.equal(
    await code('POST', '/workouts', { body: workout({ workoutId: 'e1', notes: 'other' }) }),
    '409 workout_conflict',
  );
  assert.equal(await code('GET', '/changes?since=garbage'), '400 invalid_fields');
  const profile = await t.call('GET', '/users/me', { as: 'eve' });
  const etag = profile.headers.get('etag') ?? '';
  assert.equal(await code('GET', '/users/me', { headers: { 'if-none-match': etag } }), '304');
  assert.equal(
    await code('PATCH', '/users/me', { body: { weightKg: 60 }, headers: { 'if-match': '"old"' } }),
    '412 precondition_failed',
  );
  assert.equal(
    await code('PATCH', '/users/me', { body: { weightKg: 60 }, headers: { 'if-match': etag } }),
    '200',
  );
  assert.equal(await code('HEAD', '/health', { as: null }), '200');
  const preflight = {
    'access-control-request-method': 'PATCH',
    'access-control-request-headers': 'if-match',
  };
  assert.equal(
    await code('OPTIONS', '/workouts/e1', {
      as: null,
      headers: { origin: 'https://app.example', ...preflight },
    }),
    '204',
  );
  assert.equal(await code('GET', '/workouts/e1', { headers: { origin: 'https://app.example' } }), '200');
  const elsewhere = { as: null, headers: { origin: 'https://evil.example', ...preflight } };
  assert.match(await code('OPTIONS', '/workouts/e1', elsewhere), /^(401|404) /);
  const stale = { headers: { 'if-match': '"old"' } };
  assert.equal(await code('DELETE', '/workouts/e1', stale), '412 precondition_failed');
  assert.equal(await code('DELETE', '/users/me'), '204');
});

test('admin, ranges, filters and a whole-batch 403 pass the response check', async () => {
  const as = { as: 'zoe' };
  const admin = { as: 'coach', admin: true };
  assert.equal(
    (await t.call('POST', '/users', { ...as, body: { displayName: 'Zoe', weightKg: 58.25 } })).status,
    201,
  );
  assert.equal(
    (await t.call('POST', '/workouts', { ...admin, body: workout({ userId: 'zoe', workoutId: 'z1' }) }))
      .status,
    201,
  );
  assert.equal(
    (
      await t.call('POST', '/workouts', {
        ...as,
        body: workout({
          workoutId: 'z2',
          durationSeconds: 1520,
          durationMinutes: undefined,
          distanceKm: undefined,
        }),
      })
    ).status,
    201,
  );
  assert.equal((await t.call('GET', '/workouts/z1?userId=zoe', admin)).status, 200);
  assert.equal(
    (
      await t.call(
        'GET',
        '/workouts?userId=zoe&workoutType=running&from=2026-11-01&to=2026-12-01T00:00:00Z&limit=1',
        admin,
      )
    ).status,
    200,
  );
  assert.equal((await t.call('GET', '/stats/zoe?from=2026-11-01&to=2026-12-01', admin)).status, 200);
  assert.equal(
    (await t.call('GET', '/stats/me/timeseries?granularity=month&from=2026-01-01', as)).status,
    200,
  );
  assert.equal((await t.call('GET', '/stats/me/timeseries?from=2026-12-01&to=2026-11-01', as)).status, 400);
  assert.equal((await t.call('GET', '/changes?userId=zoe&limit=1', admin)).status, 200);
  assert.equal((await t.call('GET', '/users/zoe/export', admin)).status, 200);
  assert.equal(
    (await t.call('PATCH', '/users/me', { ...as, body: { timezone: 'Europe/Lisbon', weightKg: null } }))
      .status,
    200,
  );
  assert.equal(
    (await t.call('PATCH', '/workouts/z2', { ...as, body: { distanceKm: null, caloriesBurned: null } }))
      .status,
    200,
  );
  assert.equal((await t.call('PATCH', '/workouts/z2', { ...as, body: { workoutId: 'x' } })).status, 400);
  const other = { workouts: [workout({ userId: 'ana' })] };
  assert.equal((await t.call('POST', '/workouts/batch', { ...as, body: other })).status, 403);
  assert.equal((await t.call('POST', '/workouts/batch', { ...as, body: { workouts: [] } })).status, 400);
  assert.equal((await t.call('DELETE', '/workouts/z1', as)).status, 204);
  assert.equal((await t.call('DELETE', '/workouts/z1', as)).status, 404);
  assert.equal((await t.call('DELETE', '/users/zoe', admin)).status, 204);
  assert.equal((await t.call('DELETE', '/users/zoe', admin)).status, 404);
});

test("the document's request examples are accepted by the server", async () => {
  const example = (path: string, method: string) => {
    const op = doc.paths[path]![method] as {
      requestBody: { content: { 'application/json': { example: Json } } };
    };
    return op.requestBody.content['application/json'].example;
  };
  const as = { as: 'ex' };
  const status = async (method: string, path: string, template = path) =>
    (await t.call(method, path, { ...as, body: example(template, method.toLowerCase()) })).status;
  assert.equal(await status('POST', '/users'), 201);
  assert.equal(await status('PATCH', '/users/me', '/users/{userId}'), 200);
  assert.equal(await status('POST', '/workouts'), 201);
  assert.equal(await status('PATCH', '/workouts/a1b2c3', '/workouts/{workoutId}'), 200);
  const batch = await t.call<{ results: { status: number }[] }>('POST', '/workouts/batch', {
    ...as,
    body: example('/workouts/batch', 'post'),
  });
  // a1b2c3 again: a replay of the first POST (200, even after the patch); then a new one.
  assert.deepEqual(
    batch.body.results.map((r) => r.status),
    [200, 201],
  );
});

test('the document and the server agree on which workouts are valid (field by field, at the bounds)', async () => {
  const check = new OpenApiCheck(doc);
  const base = workout({ startedAt: '2026-11-20T07:30:00+01:00' });
  const { durationMinutes: _, ...bySeconds } = base;
  const cases: [string, Record<string, unknown>][] = [];
  const vary = (field: string, values: unknown[], from = base) => {
    for (const value of values)
      cases.push([`${field}=${JSON.stringify(value)}`, { ...from, [field]: value }]);
  };
  vary('durationMinutes', [0, 0.01, 1.5, 240, 240.01, 1.234, -1, '5', null]);
  vary('durationSeconds', [0, 1, 1520, 14_400, 14_401, 1.5, '60'], bySeconds);
  vary('distanceKm', [0, 8.205, 1000, 1000.001, 1.2345, -0.001]);
  vary('caloriesBurned', [0, 12.34, 20_000, 20_000.01, 12.345]);
  vary('avgHeartRate', [24, 25, 250, 251, 100.5]);
  vary('intensity', ['low', 'extreme', '']);
  vary('workoutType', ['yoga', 'dancing', 1]);
  vary('workoutId', ['', 'a'.repeat(64), 'b'.repeat(65), 'a b', 'ok_id-1']);
  vary('userId', ['fuzzer', 'me', '.', '..']);
  vary('notes', ['n'.repeat(1000), 'n'.repeat(1001), 7]);
  vary('startedAt', ['2026-11-20T07:30:00Z', '2026-11-20 07:30', '2026-11-20']);
  vary('unknownField', [1]);
  cases.push(['no duration', bySeconds]);
  const disagreements: string[] = [];
  for (const [i, [name, body]] of cases.entries()) {
    const sent = 'workoutId' in body ? body : { ...body, workoutId: `fz-${i}` };
    const documented = check.checkSchema('CreateWorkout', sent).length === 0;
    const res = await t.call('POST', '/workouts', { as: 'fuzzer', body: sent });
    const accepted = res.status === 201 || res.status === 200;
    if (accepted !== documented) disagreements.push(`${name}: document ${documented}, server ${res.status}`);
  }
  assert.deepEqual(disagreements, []);
});

test('the document and the server agree on which profiles are valid', async () => {
  const check = new OpenApiCheck(doc);
  const base = { displayName: 'Ana', weightKg: 61.5, timezone: 'Europe/Lisbon' };
  const cases: Record<string, unknown>[] = [
    base,
    { displayName: 'Ana' },
    { ...base, displayName: '' },
    { ...base, displayName: '   ' },
    { ...base, displayName: 'd'.repeat(100) },
    { ...base, displayName: 'd'.repeat(101) },
    { ...base, displayName: 5 },
    { ...base, weightKg: 19.99 },
    { ...base, weightKg: 20 },
    { ...base, weightKg: 400 },
    { ...base, weightKg: 400.01 },
    { ...base, weightKg: 61.555 },
    { ...base, weightKg: null },
    { ...base, userId: 'me' },
    { ...base, nickname: 'A' },
    { weightKg: 60 },
  ];
  const disagreements: string[] = [];
  for (const [i, body] of cases.entries()) {
    const documented = check.checkSchema('CreateUser', body).length === 0;
    const res = await t.call('POST', '/users', { as: `profile-${i}`, body });
    if ((res.status === 201) !== documented) {
      disagreements.push(
        `${JSON.stringify(body).slice(0, 80)}: document ${documented}, server ${res.status}`,
      );
    }
  }
  assert.deepEqual(disagreements, []);
});
