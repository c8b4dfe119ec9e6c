/**
 * The deployable artifact, not the source: builds dist/api.zip the way `npm run build` does (into a
 * temporary directory), unzips it somewhere with no node_modules, imports the unzipped
 * index.mjs and drives its `handler` with API Gateway REST (v1 proxy) events as the Cognito
 * authorizer delivers them, against DynamoDB Local. (This replaces lambda.test.ts, which drove
 * the same handler from source: the artifact is what runs on AWS.)
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { unzipSync } from 'fflate';
import { buildLambda } from '../scripts/build.ts';
import { createDb } from '../src/store/dynamodb.ts';
import { lambdaContext, proxyEvent } from './apigw.ts';
import { dynamoEndpoint, freshTable, workout } from './helpers.ts';

interface ProxyResult {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded?: boolean;
}
type Handler = (event: unknown, context: unknown) => Promise<ProxyResult>;

const work = mkdtempSync(join(tmpdir(), 'workout-artifact-'));
after(() => rmSync(work, { recursive: true, force: true }));

let handler: Handler;
let files: string[];
let metafile: Metafile;
/** Everything the function wrote to stdout (its JSON logs and EMF metric lines) during a call. */
let stdout: string[] = [];

before(async () => {
  ({ metafile } = await buildLambda(join(work, 'build')));
  const entries = unzipSync(readFileSync(join(work, 'build', 'api.zip')));
  files = Object.keys(entries).sort();
  // Unzipped far from the repository: an import the bundle failed to include cannot resolve.
  const root = join(work, 'task');
  for (const [name, bytes] of Object.entries(entries)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), bytes);
  }
  const db = await createDb({ endpoint: await dynamoEndpoint() });
  // The Lambda's environment as template.yaml sets it, except that configuration comes from the
  // defaults (CONFIG_SOURCE unset: no SSM here) and DynamoDB is the local one.
  process.env.TABLE_NAME = await freshTable(db);
  process.env.DYNAMODB_ENDPOINT = await dynamoEndpoint();
  process.env.LOG_LEVEL = 'info';
  // DynamoDB Local on a machine shared with other test files can take seconds per request; AWS's 3 s would read that as an outage.
  process.env.DYNAMODB_TIMEOUT_MS = '15000';
  delete process.env.CONFIG_SOURCE;
  ({ handler } = (await import(pathToFileURL(join(root, 'index.mjs')).href)) as { handler: Handler });
});

const context = { ...lambdaContext, awsRequestId: randomUUID() };

/** An API Gateway REST API proxy event (test/apigw.ts), in this file's argument order. */
function apiEvent(
  httpMethod: string,
  resource: string,
  path: string,
  o: {
    sub?: string;
    admin?: boolean;
    /** The cognito:groups claim as API Gateway REST delivers it (a string); default from `admin`. */
    groups?: string[];
    body?: unknown;
    query?: Record<string, string>;
    pathParameters?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
) {
  const event = proxyEvent({
    method: httpMethod,
    resource,
    path,
    sub: o.sub,
    groups: o.groups ?? (o.sub ? [o.admin ? 'admin' : 'users'] : undefined),
    body: o.body,
    query: o.query,
    headers: o.headers,
  });
  assert.deepEqual(
    event.pathParameters,
    o.pathParameters ?? null,
    'path parameters as the gateway derives them',
  );
  return event;
}

async function call(event: ReturnType<typeof apiEvent>) {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  // The function's lines are JSON objects; anything else (the test runner's own report) passes on.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = String(chunk);
    if (!text.startsWith('{')) return write(chunk, ...rest);
    lines.push(...text.split('\n').filter(Boolean));
    return true;
  }) as typeof process.stdout.write;
  let res: ProxyResult;
  try {
    res = await handler(event, context);
  } finally {
    process.stdout.write = write;
  }
  stdout = lines;
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers ?? {})) headers.set(k, v);
  for (const [k, vs] of Object.entries(res.multiValueHeaders ?? {})) for (const v of vs) headers.append(k, v);
  assert.equal(res.isBase64Encoded ?? false, false);
  return { status: res.statusCode, headers, body: res.body ? JSON.parse(res.body) : undefined, raw: res };
}

const emf = (name: string) =>
  stdout
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => JSON.stringify(l._aws ?? {}).includes(`"Name":"${name}"`));

test('the zip holds the bundle and its lazily loaded chunks, nothing else', () => {
  assert.ok(files.includes('index.mjs'), files.join(', '));
  for (const f of files) assert.match(f, /^(index\.mjs|chunks\/[\w-]+\.mjs)$/);
  assert.ok(existsSync(join(work, 'task', 'index.mjs')));
});

test("GET /docs adds nothing to the bundle's entry: the reference is a chunk loaded on demand", () => {
  const outputs = metafile.outputs;
  const entry = Object.entries(outputs).find(([, o]) => o.entryPoint === 'src/runtime/lambda.ts')!;
  const statically = new Set<string>([entry[0]]);
  // Outputs the entry loads at start: its static imports, transitively (not dynamic ones).
  for (const file of statically) {
    for (const i of outputs[file]?.imports ?? []) {
      if (i.kind === 'import-statement' && !i.external) statically.add(i.path);
    }
  }
  const loaded = [...statically].flatMap((f) => Object.keys(outputs[f]?.inputs ?? {}));
  assert.ok(
    loaded.some((i) => i.includes('src/http/routes/docs.ts')),
    'the route itself is there',
  );
  assert.deepEqual(
    loaded.filter((i) => /@scalar|src\/http\/openapi\.ts/.test(i)),
    [],
  );
});

test('public GET /health answers without claims', async () => {
  const res = await call(apiEvent('GET', '/health', '/health'));
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { status: 'ok' });
});

test('a workout created, replayed, then counted once in the statistics', async () => {
  const body = workout({ workoutId: 'artifact-1' });
  const created = await call(apiEvent('POST', '/workouts', '/workouts', { sub: 'ana', body }));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.headers.get('location'), '/workouts/artifact-1');
  assert.match(created.headers.get('content-type') ?? '', /^application\/json/);
  assert.ok(created.headers.get('x-request-id'));
  assert.equal(created.headers.get('cache-control'), 'no-store');
  assert.equal(created.headers.get('x-content-type-options'), 'nosniff');
  assert.deepEqual(created.body, {
    ...workout({ workoutId: 'artifact-1' }),
    userId: 'ana',
    localDate: '2026-11-20',
    durationSeconds: 2520,
    caloriesBurned: 563.5,
    caloriesEstimated: true,
    createdAt: created.body.createdAt,
    updatedAt: created.body.createdAt,
  });

  // The business metrics, as CloudWatch Embedded Metric Format lines on stdout.
  const [logged] = emf('WorkoutsLogged');
  assert.ok(logged, stdout.join('\n'));
  const meta = (logged._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] })
    .CloudWatchMetrics[0]!;
  assert.equal(meta.Namespace, 'WorkoutApp');
  assert.deepEqual(meta.Dimensions, [['service'], ['service', 'workoutType']]);
  assert.equal(logged.service, 'workout-api');
  assert.equal(logged.workoutType, 'running');
  assert.equal(logged.WorkoutsLogged, 1);
  // Logs and metrics never carry the body (health data) or the caller's token.
  for (const line of stdout) {
    assert.doesNotMatch(line, /tempo run|eyJraWQi|"avgHeartRate"/, line);
  }
  const request = stdout.map((l) => JSON.parse(l)).find((l) => l.msg === 'request');
  assert.equal(request?.route, '/workouts');
  assert.equal(request?.status, 201);

  const replay = await call(apiEvent('POST', '/workouts', '/workouts', { sub: 'ana', body }));
  assert.equal(replay.status, 200);
  assert.deepEqual(replay.body, created.body);
  assert.equal(emf('WorkoutsLogged').length, 0);
  assert.equal(emf('DuplicatesReplayed').length, 1);

  const stats = await call(
    apiEvent('GET', '/stats/{userId}', '/stats/ana', { sub: 'ana', pathParameters: { userId: 'ana' } }),
  );
  assert.equal(stats.status, 200);
  assert.equal(stats.body.totalWorkouts, 1);
  assert.equal(stats.body.totalDurationMinutes, 42);
  assert.equal(stats.body.totalDurationSeconds, 2520);
  assert.equal(stats.body.recentWorkouts[0].workoutId, 'artifact-1');

  const me = await call(
    apiEvent('GET', '/stats/{userId}', '/stats/me', { sub: 'ana', pathParameters: { userId: 'me' } }),
  );
  assert.deepEqual(me.body, stats.body);

  const list = await call(
    apiEvent('GET', '/workouts', '/workouts', { sub: 'ana', query: { limit: '5', workoutType: 'running' } }),
  );
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.body.items.map((w: { workoutId: string }) => w.workoutId),
    ['artifact-1'],
  );
});

test('no claims in the request context: 401 problem+json with WWW-Authenticate', async () => {
  const res = await call(
    apiEvent('GET', '/workouts/{workoutId}', '/workouts/artifact-1', {
      pathParameters: { workoutId: 'artifact-1' },
    }),
  );
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
  assert.equal(res.body.status, 401);
});

test("another user's data: 403 for a user, 200 for the admin group", async () => {
  const denied = await call(
    apiEvent('GET', '/stats/{userId}', '/stats/bob', { sub: 'ana', pathParameters: { userId: 'bob' } }),
  );
  assert.equal(denied.status, 403);
  assert.equal(denied.headers.get('content-type'), 'application/problem+json');
  assert.equal(denied.body.title, 'Forbidden');

  const admin = await call(
    apiEvent('GET', '/stats/{userId}', '/stats/ana', {
      sub: 'ops-1',
      admin: true,
      pathParameters: { userId: 'ana' },
    }),
  );
  assert.equal(admin.status, 200);
  assert.equal(admin.body.totalWorkouts, 1);

  // cognito:groups as API Gateway REST sends it: a comma-separated string; exact names only.
  for (const [groups, status] of [
    [['staff', 'admin'], 200],
    [['admins'], 403],
    [['Admin'], 403],
    [['[admin'], 403],
  ] as const) {
    const res = await call(
      apiEvent('GET', '/stats/{userId}', '/stats/ana', {
        sub: 'carol',
        groups: [...groups],
        pathParameters: { userId: 'ana' },
      }),
    );
    assert.equal(res.status, status, groups.join(','));
  }
});

test('X-Request-Id: a safe one is echoed through the adapter; otherwise the gateway request id', async () => {
  const mine = await call(apiEvent('GET', '/health', '/health', { headers: { 'X-Request-Id': 'gw-42' } }));
  assert.equal(mine.headers.get('x-request-id'), 'gw-42');
  const event = apiEvent('GET', '/health', '/health', { headers: { 'X-Request-Id': 'not.safe' } });
  const fallback = await call(event);
  assert.equal(fallback.headers.get('x-request-id'), event.requestContext.requestId);
});

test('an invalid workout: 400 problem+json naming each field, and nothing written', async () => {
  const res = await call(
    apiEvent('POST', '/workouts', '/workouts', {
      sub: 'carla',
      body: workout({ workoutId: 'bad-1', durationMinutes: 0, workoutType: 'skydiving' }),
    }),
  );
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const paths = (res.body.errors as { path: string }[]).map((e) => e.path).sort();
  assert.deepEqual(paths, ['durationMinutes', 'workoutType']);
  assert.equal(res.body.code, 'invalid_fields');
  assert.equal(emf('ValidationFailures').length, 1);

  const after = await call(
    apiEvent('GET', '/stats/{userId}', '/stats/carla', { sub: 'carla', pathParameters: { userId: 'carla' } }),
  );
  assert.equal(after.body.totalWorkouts, 0);
});
