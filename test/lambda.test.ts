/** The Lambda entry point (from source) on API Gateway REST events, against DynamoDB Local. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDb } from '../src/store/dynamodb.ts';
import { lambdaContext, proxyEvent, type ProxyEventOptions } from './apigw.ts';
import { dynamoEndpoint, freshTable, workout } from './helpers.ts';

const endpoint = await dynamoEndpoint();
process.env.DYNAMODB_ENDPOINT = endpoint;
process.env.TABLE_NAME = await freshTable(await createDb({ endpoint }));
process.env.LOG_LEVEL = 'silent';
const { handler } = await import('../src/runtime/lambda.ts');

interface Result {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
}

async function invoke(o: ProxyEventOptions) {
  const res = (await handler(proxyEvent(o) as never, lambdaContext as never)) as unknown as Result;
  const header = (name: string) => res.headers?.[name] ?? res.multiValueHeaders?.[name]?.[0] ?? undefined;
  return { status: res.statusCode, header, json: res.body ? JSON.parse(res.body) : undefined };
}

test('logs a workout, replays it, and reads statistics with the authorizer claims', async () => {
  const body = workout({ workoutId: 'lambda-1' });
  const created = await invoke({
    resource: '/workouts',
    path: '/workouts',
    method: 'POST',
    sub: 'ana',
    body,
  });
  assert.equal(created.status, 201);
  assert.equal(created.json.userId, 'ana');
  assert.equal(created.header('location'), '/workouts/lambda-1');
  assert.ok(created.header('x-request-id'));

  const replay = await invoke({ resource: '/workouts', path: '/workouts', method: 'POST', sub: 'ana', body });
  assert.equal(replay.status, 200);

  const stats = await invoke({ resource: '/stats/{userId}', path: '/stats/ana', method: 'GET', sub: 'ana' });
  assert.equal(stats.status, 200);
  assert.equal(stats.json.totalWorkouts, 1);

  const list = await invoke({
    resource: '/workouts',
    path: '/workouts',
    method: 'GET',
    sub: 'ana',
    query: { limit: '5', workoutType: 'running' },
  });
  assert.equal(list.json.items.length, 1);
});

test('no claims is a 401; another user is a 403; admin group claims may', async () => {
  const anon = await invoke({ resource: '/stats/{userId}', path: '/stats/ana', method: 'GET' });
  assert.equal(anon.status, 401);
  assert.match(anon.header('www-authenticate') ?? '', /Bearer/);
  const other = await invoke({ resource: '/stats/{userId}', path: '/stats/ana', method: 'GET', sub: 'bob' });
  assert.equal(other.status, 403);
  const admin = await invoke({
    resource: '/stats/{userId}',
    path: '/stats/ana',
    method: 'GET',
    sub: 'carol',
    groups: ['staff', 'admin'],
  });
  assert.equal(admin.status, 200);
});

test('validation errors and public routes', async () => {
  const bad = await invoke({
    resource: '/workouts',
    path: '/workouts',
    method: 'POST',
    sub: 'ana',
    body: { workoutType: 'running', durationMinutes: 0 },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.header('content-type'), 'application/problem+json');
  assert.equal(bad.json.errors.length, 2);
  const health = await invoke({ resource: '/health', path: '/health', method: 'GET' });
  assert.equal(health.status, 200);
  const rid = await invoke({
    resource: '/health',
    path: '/health',
    method: 'GET',
    headers: { 'X-Request-Id': 'gw-42' },
  });
  assert.equal(rid.header('x-request-id'), 'gw-42');
});
