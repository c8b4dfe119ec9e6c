/**
 * Faults: the database killed in the middle of a write load, the service killed in the middle of
 * a write load, and a throttling database. In every case a client that retries with its own
 * workoutId must end with each workout stored once and statistics equal to a recount.
 *
 * Each test starts what it breaks: its own persistent DynamoDB Local, its own service process, or
 * a throttling proxy; the suite's shared DynamoDB Local is only used where nothing is killed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { signingKey, signToken } from '../src/auth/local-jwt.ts';
import { createLogger } from '../src/observability/logger.ts';
import { SHORT_RUN_JVM_OPTIONS, startEmbeddedDynamoDb } from '../src/runtime/embedded-dynamodb.ts';
import { startLocalService } from '../src/runtime/local-service.ts';
import { createDb, type Db } from '../src/store/dynamodb.ts';
import { ensureTable } from '../src/store/table.ts';
import { dynamoEndpoint } from './helpers.ts';
import { recountUser, type StatsAnswer } from './support/exactness.ts';
import { writeWithRetries, type WriteJob } from './support/retrying-client.ts';
import { spawnService } from './support/service-process.ts';
import { startThrottlingProxy } from './support/throttling-proxy.ts';

const silent = createLogger({ level: 'silent' });
const TYPES = ['running', 'cycling', 'swimming', 'yoga', 'hiking'];

/** DynamoDB Local's Java process: the one child of the supervisor process embedded-dynamodb.ts forks. */
function javaPid(supervisorPid: number): number {
  const children = execFileSync('pgrep', ['-P', String(supervisorPid)])
    .toString()
    .trim()
    .split('\n');
  assert.equal(children.length, 1, `children of the supervisor: ${children.join(', ')}`);
  return Number(children[0]);
}

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Workouts with varied types, days and decimal values, spread over `users`. */
async function jobs(key: Uint8Array, users: string[], count: number, tag: string): Promise<WriteJob[]> {
  const tokens = await Promise.all(users.map((u) => signToken(key, u)));
  return Array.from({ length: count }, (_, i) => ({
    token: tokens[i % users.length]!,
    body: {
      workoutId: `${tag}-${i}`,
      workoutType: TYPES[i % TYPES.length],
      startedAt: new Date(Date.UTC(2026, 9, 1 + (i % 40), 6 + (i % 12), (i * 7) % 60)).toISOString(),
      durationMinutes: 10 + (i % 50) + 0.25,
      ...(i % 3 === 0 ? { distanceKm: 1.125 + (i % 17) } : {}),
      ...(i % 4 === 0 ? { caloriesBurned: 100.55 + i } : {}),
      intensity: ['low', 'moderate', 'high'][i % 3],
    },
  }));
}

/** Every job stored once, and STATS, day buckets and GET /stats equal to a recount, for each user. */
async function assertExact(
  url: string,
  key: Uint8Array,
  db: Db,
  table: string,
  users: string[],
  all: WriteJob[],
) {
  for (const [u, userId] of users.entries()) {
    const res = await fetch(`${url}/stats/${userId}`, {
      headers: { authorization: `Bearer ${await signToken(key, userId)}` },
    });
    assert.equal(res.status, 200);
    const r = await recountUser(db, table, userId, (await res.json()) as StatsAnswer);
    assert.deepEqual(r.problems, [], `statistics of ${userId} differ from a recount`);
    const expected = all.filter((_, i) => i % users.length === u).map((j) => j.body.workoutId as string);
    assert.deepEqual(r.workouts.map((w) => w.workoutId as string).sort(), expected.sort());
  }
}

/**
 * DynamoDB Local (not DynamoDB) acknowledges a TransactWriteItems a moment before it is on disk:
 * measured here, a kill -9 within ~2 ms of an acknowledgement can lose that one transaction, as
 * a whole (workout and counters together, so statistics stay exact). Real DynamoDB acknowledges
 * only durable writes. So this test checks that anything lost was acknowledged just before the
 * kill, and that the clients' final replay of every workout stores each one exactly once.
 */
const EMULATOR_DURABILITY_WINDOW_MS = 1000;

test('DynamoDB Local killed during a write load: 503 with Retry-After, never 500; retries end exact', async (t) => {
  const dataDir = tempDir(t, 'faults-ddb-');
  let ddb = await startEmbeddedDynamoDb({
    dataDir: join(dataDir, 'dynamodb'),
    jvmOptions: SHORT_RUN_JVM_OPTIONS,
  });
  const port = Number(new URL(ddb.endpoint).port);
  t.after(() => ddb.stop());
  const tableName = 'faults';
  const service = await startLocalService({
    port: 0,
    endpoint: ddb.endpoint,
    tableName,
    dataDir,
    logger: silent,
  });
  t.after(() => service.close());
  const key = signingKey(dataDir);
  const users = ['f1', 'f2', 'f3', 'f4'];
  const work = await jobs(key, users, 160, 'ddb');

  let killedAt = 0;
  let diedAt = 0;
  let restarted: Promise<void> | undefined;
  const report = await writeWithRetries({
    url: service.url,
    jobs: work,
    concurrency: 8,
    budgetMs: 90_000,
    onAcknowledged: (n) => {
      if (n !== 40) return;
      // Kill -9 with requests in flight, then bring it back on the same data and port.
      restarted = (async () => {
        // Java itself (the supervisor embedded-dynamodb.ts forks would stop it gracefully);
        // the moment of the kill is taken after finding it (pgrep can take a while under load).
        const java = javaPid(ddb.process.pid!);
        killedAt = performance.now();
        process.kill(java, 'SIGKILL');
        await once(ddb.process, 'exit'); // the supervisor follows its Java
        diedAt = performance.now();
        await ddb.stop();
        ddb = await startEmbeddedDynamoDb({
          dataDir: join(dataDir, 'dynamodb'),
          port,
          jvmOptions: SHORT_RUN_JVM_OPTIONS,
        });
      })();
    },
  });
  await restarted;
  const s = report.statuses;
  t.diagnostic(`answers seen: ${JSON.stringify(s)}, in ${report.elapsedMs} ms`);
  assert.equal(s[500] ?? 0, 0, `no 500s: ${report.unexpected.join(' | ')}`);
  assert.deepEqual(report.unexpected, []);
  assert.ok((s[503] ?? 0) > 0, `the outage was seen as 503s: ${JSON.stringify(s)}`);
  assert.equal(report.missing503RetryAfter, 0, 'every 503 carries Retry-After');
  assert.equal(report.acknowledged, work.length);

  // Statistics equal a recount, and nothing is stored twice, even right after the crash.
  const db = await createDb({ endpoint: ddb.endpoint });
  const stored = new Set<string>();
  for (const userId of users) {
    const r = await recountUser(db, tableName, userId);
    assert.deepEqual(r.problems, [], `statistics of ${userId} differ from a recount`);
    for (const w of r.workouts) stored.add(String(w.workoutId));
  }
  const lost = work.map((j) => String(j.body.workoutId)).filter((id) => !stored.has(id));
  const ages = lost.map((id) => killedAt - report.ackedAt.get(id)!);
  t.diagnostic(
    `lost by the emulator: ${lost.map((id, i) => `${id} (acknowledged ${ages[i]!.toFixed(1)} ms before the kill)`).join(', ') || 'none'}`,
  );
  // The signal is sent at killedAt and Java is gone by diedAt: a write acknowledged in between
  // was answered by a database that was already dying, so it may be lost too; none after diedAt.
  for (const [i, age] of ages.entries()) {
    assert.ok(
      report.ackedAt.get(lost[i]!)! <= diedAt && age < EMULATOR_DURABILITY_WINDOW_MS,
      `${lost[i]} acknowledged ${age} ms before the kill (Java gone ${(diedAt - killedAt).toFixed(1)} ms after it)`,
    );
  }

  // The clients replay every workout once more: the lost ones are stored, the rest answer 200.
  const replay = await writeWithRetries({ url: service.url, jobs: work, concurrency: 8, budgetMs: 30_000 });
  assert.deepEqual(
    replay.statuses,
    lost.length ? { 200: work.length - lost.length, 201: lost.length } : { 200: work.length },
  );
  await assertExact(service.url, key, db, tableName, users, work);
});

test('the service killed (-9) during a write load and restarted on the same data: retries end exact', async (t) => {
  const endpoint = await dynamoEndpoint();
  const dataDir = tempDir(t, 'faults-svc-');
  const key = signingKey(dataDir); // the restarted service signs and checks with the same key
  const tableName = `faults-svc-${Date.now().toString(36)}`;
  let service = await spawnService({ endpoint, tableName, dataDir });
  t.after(() => service.kill());
  const users = ['s1', 's2', 's3'];
  const work = await jobs(key, users, 240, 'svc');

  let restarted: Promise<void> | undefined;
  const report = await writeWithRetries({
    url: service.url,
    jobs: work,
    concurrency: 8,
    budgetMs: 90_000,
    onAcknowledged: (n) => {
      if (n !== 60) return;
      restarted = (async () => {
        const port = service.port;
        await service.kill();
        service = await spawnService({ endpoint, tableName, dataDir, port });
      })();
    },
  });
  await restarted;
  assert.equal(report.statuses[500] ?? 0, 0, `no 500s: ${report.unexpected.join(' | ')}`);
  assert.deepEqual(report.unexpected, []);
  assert.ok(report.networkErrors > 0, 'the crash was seen by clients');
  assert.equal(report.acknowledged, work.length);

  const db = await createDb({ endpoint });
  await assertExact(service.url, key, db, tableName, users, work);
});

test('throttling is retried with backoff, and is a 503 with Retry-After only when retries run out', async (t) => {
  const endpoint = await dynamoEndpoint();
  const proxy = await startThrottlingProxy(endpoint);
  t.after(() => proxy.close());
  // The client exactly as the service makes it (default retries), pointed at the proxy.
  const db = await createDb({ endpoint: proxy.endpoint });
  const tableName = `faults-throttle-${Date.now().toString(36)}`;
  await ensureTable(db, tableName);
  const dataDir = tempDir(t, 'faults-throttle-');
  const service = await startLocalService({
    port: 0,
    endpoint: proxy.endpoint,
    tableName,
    dataDir,
    db,
    logger: silent,
  });
  t.after(() => service.close());
  const key = signingKey(dataDir);
  const auth = { authorization: `Bearer ${await signToken(key, 'th')}`, 'content-type': 'application/json' };
  const post = (id: string) =>
    fetch(`${service.url}/workouts`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        workoutId: id,
        workoutType: 'running',
        startedAt: '2026-11-01T07:00:00Z',
        durationMinutes: 30,
      }),
    });
  const direct = await createDb({ endpoint });
  const attempts = (from: number, op: string) => proxy.log.slice(from).filter((r) => r.operation === op);

  await t.test('two throttled attempts, then success: 201, counted once', async () => {
    proxy.setPolicy((op, seen) => (op === 'TransactWriteItems' && seen < 2 ? 'throttle' : 'forward'));
    const from = proxy.log.length;
    const res = await post('th-1');
    assert.equal(res.status, 201, await res.text());
    const tx = attempts(from, 'TransactWriteItems');
    assert.deepEqual(
      tx.map((r) => r.action),
      ['throttle', 'throttle', 'forward'],
    );
    t.diagnostic(
      `pauses before each retry: ${tx
        .slice(1)
        .map((r, i) => Math.round(r.atMs - tx[i]!.atMs) + ' ms')
        .join(', ')}`,
    );
  });

  await t.test('throttled beyond the retries: 503 with Retry-After, nothing written', async () => {
    proxy.setPolicy((op) => (op === 'TransactWriteItems' ? 'throttle' : 'forward'));
    const from = proxy.log.length;
    const res = await post('th-2');
    assert.equal(res.status, 503, await res.text());
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(
      attempts(from, 'TransactWriteItems').length,
      5,
      'one attempt and the 4 retries of the client',
    );
  });

  // A transaction cancelled for a throttled item is retried by the service (withConflictRetry):
  // the client library does not retry cancellations.
  const stored = ['th-1'];
  await t.test('a transaction cancelled for ThrottlingError is retried too', async () => {
    proxy.setPolicy((op, seen) =>
      op === 'TransactWriteItems' && seen < 3 ? 'throttle-transaction' : 'forward',
    );
    const res = await post('th-3');
    const text = await res.text();
    assert.equal(res.status, 201, text);
    stored.push('th-3');
  });

  await t.test('reads throttled beyond the retries: 503, never 500', async () => {
    proxy.setPolicy((op) => (op === 'Query' || op === 'GetItem' ? 'throttle' : 'forward'));
    for (const path of ['/stats/th', '/workouts', '/workouts/th-1', '/stats/th/timeseries', '/health']) {
      const res = await fetch(service.url + path, { headers: auth });
      assert.equal(res.status, 503, `${path}: ${await res.text()}`);
      assert.ok(res.headers.get('retry-after'));
    }
  });

  await t.test('after throttling stops, statistics equal a recount', async () => {
    proxy.setPolicy(() => 'forward');
    const res = await fetch(`${service.url}/stats/th`, { headers: auth });
    const r = await recountUser(direct, tableName, 'th', (await res.json()) as StatsAnswer);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.workouts.map((w) => w.workoutId).sort(), stored);
  });
});
