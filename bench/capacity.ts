/**
 * `npm run bench:capacity [-- --sizes 10,1000,10000]`: DynamoDB requests and consumed capacity per
 * API call, for users whose history holds 10, 1,000 and 10,000 workouts. Every request the service
 * makes goes through one counting client (failed ones included), with ReturnConsumedCapacity on.
 * Histories are seeded through the store's own putWorkout (the same transaction as POST
 * /workouts, without HTTP), with bounded concurrency.
 *
 * Capacity is as DynamoDB Local reports it (see docs/benchmarks.md for where it differs from
 * DynamoDB's bill).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { signingKey, signToken } from '../src/auth/local-jwt.ts';
import { envConfigSource } from '../src/config/index.ts';
import { validate, workoutSchemas } from '../src/domain/schemas.ts';
import { createLogger } from '../src/observability/logger.ts';
import { startEmbeddedDynamoDb } from '../src/runtime/embedded-dynamodb.ts';
import { startLocalService } from '../src/runtime/local-service.ts';
import { createDb, type Db, type Operation } from '../src/store/dynamodb.ts';
import { ensureTable } from '../src/store/table.ts';
import { putWorkout } from '../src/store/workouts.ts';
import { recountUser, type StatsAnswer } from '../test/support/exactness.ts';
import { runPool } from './lib/pool.ts';
import { fixed, heading, machine, saveResults, table } from './lib/report.ts';

const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: '10,1000,10000' } } });
const SIZES = args.sizes.split(',').map(Number);

console.log(`# DynamoDB requests and capacity per API call\n\nMachine: ${machine()}`);

interface Tally {
  requests: string[];
  failed: number;
  rcu: number;
  wcu: number;
}
let tally: Tally = { requests: [], failed: 0, rcu: 0, wcu: 0 };
const READS = new Set(['GetItem', 'Query']);

function addCapacity(operation: string, consumed: unknown): void {
  for (const c of [consumed ?? []].flat() as { CapacityUnits?: number }[]) {
    if (READS.has(operation)) tally.rcu += c.CapacityUnits ?? 0;
    else tally.wcu += c.CapacityUnits ?? 0;
  }
}

const ddb = await startEmbeddedDynamoDb();
const inner = await createDb({
  endpoint: ddb.endpoint,
  returnConsumedCapacity: true,
  onRequest: addCapacity,
});
/** Counts every request, including those DynamoDB refuses (a failed condition still costs a request). */
const counting: Db = {
  async call<T>(operation: Operation, params: Record<string, unknown>): Promise<T> {
    tally.requests.push(operation);
    try {
      return await inner.call<T>(operation, params);
    } catch (err) {
      tally.failed++;
      throw err;
    }
  },
};
const tableName = 'capacity';
const seedDb = await createDb({ endpoint: ddb.endpoint });
await ensureTable(seedDb, tableName);
const dataDir = mkdtempSync(join(tmpdir(), 'bench-capacity-'));
const service = await startLocalService({
  port: 0,
  endpoint: ddb.endpoint,
  tableName,
  dataDir,
  db: counting,
  logger: createLogger({ level: 'silent' }),
});
const key = signingKey(dataDir);

// Seeding ----------------------------------------------------------------------------------------
const config = await envConfigSource({})();
const create = workoutSchemas(config).create;
const TYPES = ['running', 'cycling', 'swimming', 'weightlifting', 'yoga'];
const DAY = 86_400_000;
const now = Date.now();

/**
 * History of `n` workouts on the last min(n, 1000) days before today, one type per day. The
 * 1,000 and 10,000 histories thus share one calendar (the same days, the same type each day) and
 * differ only in workouts per day (1 against 10): what changes between them is the number of
 * workouts alone.
 */
const CALENDAR_DAYS = 1000;
const midnight = Date.UTC(
  new Date(now).getUTCFullYear(),
  new Date(now).getUTCMonth(),
  new Date(now).getUTCDate(),
);
function historyWorkout(n: number, i: number) {
  const days = Math.min(n, CALENDAR_DAYS);
  const day = i % days;
  const nth = Math.floor(i / days);
  const r = validate(create, {
    workoutId: `h${i}`,
    workoutType: TYPES[day % TYPES.length],
    startedAt: new Date(midnight - (day + 1) * DAY + 6 * 3_600_000 + nth * 70 * 60_000).toISOString(),
    durationMinutes: 20 + (i % 60) + 0.5,
    ...(i % 2 ? { distanceKm: 3.25 + (i % 9) } : {}),
    notes: `session ${i} of ${n}`,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

heading('Seeding');
{
  // One pool over every user, interleaved, so that few writes race for the same STATS item.
  const jobs = SIZES.flatMap((n) => Array.from({ length: n }, (_, i) => [n, i] as const)).sort(
    (x, y) => x[1] - y[1],
  );
  const t0 = performance.now();
  const r = await runPool({
    concurrency: 12,
    durationMs: 600_000,
    maxOps: jobs.length,
    op: async (j) => {
      const [n, i] = jobs[j]!;
      await putWorkout({ db: seedDb, tableName }, `cap-${n}`, historyWorkout(n, i), config);
    },
  });
  if (r.errors) throw new Error(`seeding: ${r.errors} errors, first: ${r.firstError}`);
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `${jobs.length} workouts (${SIZES.join(' + ')}) through putWorkout in ${fixed(secs, 1)} s (${fixed(jobs.length / secs)}/s)`,
  );
}

// Measuring --------------------------------------------------------------------------------------
async function call(userId: string, method: string, path: string, body?: unknown): Promise<number> {
  const res = await fetch(service.url + path, {
    method,
    headers: {
      authorization: `Bearer ${await signToken(key, userId)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);
interface Case {
  name: string;
  run: (userId: string) => Promise<number>;
  expect: number;
}
const fresh = {
  workoutId: 'bench-new',
  workoutType: 'running',
  startedAt: new Date(now - 2 * 3_600_000).toISOString(),
  durationMinutes: 42.5,
  distanceKm: 8.2,
};
const CASES: Case[] = [
  { name: 'POST /workouts (new)', run: (u) => call(u, 'POST', '/workouts', fresh), expect: 201 },
  { name: 'POST /workouts (retry, same id)', run: (u) => call(u, 'POST', '/workouts', fresh), expect: 200 },
  {
    name: 'POST /workouts (same id, other content: 409)',
    run: (u) => call(u, 'POST', '/workouts', { ...fresh, durationMinutes: 50 }),
    expect: 409,
  },
  {
    name: 'PATCH /workouts/{id} (duration)',
    run: (u) => call(u, 'PATCH', '/workouts/bench-new', { durationMinutes: 45 }),
    expect: 200,
  },
  {
    name: 'PATCH /workouts/{id} (startedAt: another day)',
    run: (u) => call(u, 'PATCH', '/workouts/bench-new', { startedAt: new Date(now - 3 * DAY).toISOString() }),
    expect: 200,
  },
  { name: 'DELETE /workouts/{id}', run: (u) => call(u, 'DELETE', '/workouts/bench-new'), expect: 204 },
  { name: 'GET /stats/{userId}', run: (u) => call(u, 'GET', `/stats/${u}`), expect: 200 },
  {
    name: 'GET /stats/{userId}?from&to (30 whole days)',
    run: (u) => call(u, 'GET', `/stats/${u}?from=${dateOnly(now - 30 * DAY)}&to=${dateOnly(now)}`),
    expect: 200,
  },
  {
    name: 'GET /stats/{userId}?from&to (365 whole days)',
    run: (u) => call(u, 'GET', `/stats/${u}?from=${dateOnly(now - 365 * DAY)}&to=${dateOnly(now)}`),
    expect: 200,
  },
  {
    name: 'GET /stats/{userId}?from&to (30 days, date-times mid-day)',
    run: (u) =>
      call(
        u,
        'GET',
        `/stats/${u}?from=${new Date(now - 30 * DAY - 5 * 3_600_000).toISOString()}&to=${new Date(now - 7 * 3_600_000).toISOString()}`,
      ),
    expect: 200,
  },
  {
    name: 'GET timeseries granularity=day (30 days)',
    run: (u) => call(u, 'GET', `/stats/${u}/timeseries?granularity=day`),
    expect: 200,
  },
  {
    name: 'GET timeseries granularity=week (12 weeks)',
    run: (u) => call(u, 'GET', `/stats/${u}/timeseries?granularity=week`),
    expect: 200,
  },
  {
    name: 'GET timeseries granularity=month (12 months)',
    run: (u) => call(u, 'GET', `/stats/${u}/timeseries?granularity=month`),
    expect: 200,
  },
  {
    name: 'GET timeseries granularity=month (36 months, the longest)',
    run: (u) => call(u, 'GET', `/stats/${u}/timeseries?granularity=month&from=${dateOnly(now - 1000 * DAY)}`),
    expect: 200,
  },
  { name: 'GET /workouts (a page of 20)', run: (u) => call(u, 'GET', '/workouts'), expect: 200 },
  { name: 'GET /workouts?limit=100', run: (u) => call(u, 'GET', '/workouts?limit=100'), expect: 200 },
  { name: 'GET /workouts/{id}', run: (u) => call(u, 'GET', '/workouts/h1'), expect: 200 },
];

interface Cell {
  requests: number;
  operations: string;
  failed: number;
  rcu: number;
  wcu: number;
}
const results: Record<string, Record<number, Cell>> = {};
for (const n of SIZES) {
  const userId = `cap-${n}`;
  for (const c of CASES) {
    tally = { requests: [], failed: 0, rcu: 0, wcu: 0 };
    const status = await c.run(userId);
    if (status !== c.expect) throw new Error(`${c.name} for ${userId}: ${status}, expected ${c.expect}`);
    const counts = new Map<string, number>();
    for (const op of tally.requests) counts.set(op, (counts.get(op) ?? 0) + 1);
    results[c.name] ??= {};
    results[c.name]![n] = {
      requests: tally.requests.length,
      operations: [...counts].map(([op, k]) => (k > 1 ? `${k}×${op}` : op)).join(' + '),
      failed: tally.failed,
      rcu: tally.rcu,
      wcu: tally.wcu,
    };
  }
}

// Statistics stayed exact through all of it.
for (const n of SIZES) {
  const userId = `cap-${n}`;
  const res = await fetch(`${service.url}/stats/${userId}`, {
    headers: { authorization: `Bearer ${await signToken(key, userId)}` },
  });
  const r = await recountUser(seedDb, tableName, userId, (await res.json()) as StatsAnswer);
  if (r.problems.length) throw new Error(`${userId}: ${r.problems.join('; ')}`);
}

heading(
  'Requests and capacity per call (history: ' +
    SIZES.map((n) => n.toLocaleString('en')).join(' / ') +
    ' workouts)',
);
const cell = (c: Cell) =>
  `${c.requests}${c.failed ? ` (${c.failed} refused)` : ''} · ${fixed(c.rcu, 1)} R · ${fixed(c.wcu, 1)} W`;
const row = (c: Case) => SIZES.map((n) => results[c.name]![n]!);
const sameRequests = (c: Case) => row(c).every((x) => x.operations === row(c)[0]!.operations);
const sameCapacity = (c: Case, sizes = SIZES) => {
  const cells = sizes.map((n) => results[c.name]![n]!);
  return cells.every((x) => x.rcu === cells[0]!.rcu && x.wcu === cells[0]!.wcu);
};
console.log(
  table(
    [
      'API call',
      ...SIZES.map((n) => `${n.toLocaleString('en')} workouts`),
      'requests made',
      'same requests',
      'same capacity',
    ],
    CASES.map((c) => [
      c.name,
      ...row(c).map(cell),
      row(c)[0]!.operations,
      sameRequests(c) ? 'yes' : '**no**',
      sameCapacity(c) ? 'yes' : 'no',
    ]),
  ),
);
console.log(
  '\nCells: DynamoDB requests · read units · write units, as DynamoDB Local reports them (ReturnConsumedCapacity=TOTAL). ' +
    '"refused": requests DynamoDB answered with a failed condition (DynamoDB Local reports no capacity for them).',
);
const statsCases = CASES.filter(
  (c) => c.name.startsWith('GET /stats') || c.name.startsWith('GET timeseries'),
);
const allTime = CASES.find((c) => c.name === 'GET /stats/{userId}')!;
const dense = SIZES.filter((n) => n >= 1000);
console.log(
  [
    '',
    `- All-time statistics (GET /stats/{userId}): the same requests and capacity for every history: ${sameRequests(allTime) && sameCapacity(allTime) ? '**yes**' : '**no**'}.`,
    `- Statistics over a range and time series: the same requests for every history: ${statsCases.every(sameRequests) ? '**yes**' : '**no**'}; ` +
      `the same capacity for ${dense.map((n) => n.toLocaleString('en')).join(' and ')} workouts: ${dense.length > 1 && statsCases.every((c) => sameCapacity(c, dense)) ? '**yes**' : '**no**'}. ` +
      'Their read units follow the number of days with workouts inside the range (one bucket per day, at most 366 days, 157 weeks or 36 months per call), not the number of workouts.',
    '- Statistics of every user equal a recount from the stored workouts after the run: **yes**.',
  ].join('\n'),
);

await saveResults('docs/results/capacity.json', { machine: machine(), sizes: SIZES, results });
await service.close();
await ddb.stop();
rmSync(dataDir, { recursive: true, force: true });
