/**
 * `npm run bench:load [-- --levels 1,4,16,64 --seconds 2.5 --rounds 3]`: the local service (its
 * own process, as `npm start` runs it) under concurrent POST /workouts and GET /stats/{userId},
 * measured in the same run as raw PutItem and GetItem sent straight to the same DynamoDB Local
 * instance with the same client library and the same concurrency. Phases are short and
 * interleaved (every round visits every level and operation in a new order), so drift in the
 * machine's load hits all of them alike. Writes docs/load.svg and docs/results/load.json.
 *
 * What each operation does:
 * - POST /workouts: token check, validation, GetItem (profile) + TransactWriteItems of 3 items
 *   (workout, STATS counters, day bucket), over HTTP.
 * - raw PutItem: one item of the same shape as a stored workout (with its two index keys).
 * - raw TransactWriteItems: the 3-item transaction POST /workouts makes, sent directly (conflicts
 *   on a busy STATS item retried as the service does): the database work under a POST.
 * - GET /stats/{userId}: token check, one consistent Query (STATS + the 10 newest workouts), over HTTP.
 * - raw GetItem: one consistent GetItem of a user's STATS item.
 * - raw Query: the Query GET /stats makes, sent directly: the database work under a GET /stats.
 * - GET /health (at the headline level only): HTTP and one GetItem, no token: the HTTP layer alone.
 *
 * The targets compare with raw PutItem and GetItem; the raw TransactWriteItems and Query show how
 * much of the gap is the database work the API needs, and how much is the service.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { contribution } from '../src/domain/stats.ts';
import type { Workout } from '../src/domain/workout.ts';
import { withConflictRetry } from '../src/store/errors.ts';
import { bucketUpdate, statsUpdate, workoutItem } from '../src/store/workouts.ts';
import { INDEX_BY_STARTED_AT, pk, STARTED_MIN, STATS_LSI1, STATS_SK } from '../src/store/keys.ts';
import { recountUser, type StatsAnswer } from '../test/support/exactness.ts';
import { startBenchService } from './lib/setup.ts';
import { expectStatus, runPool, type PoolResult } from './lib/pool.ts';
import { fixed, heading, machine, ms, saveResults, summarize, table } from './lib/report.ts';
import { chart } from './lib/svg.ts';

const { values: args } = parseArgs({
  options: {
    levels: { type: 'string', default: '1,4,16,64' },
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    users: { type: 'string', default: '50' },
  },
});
const LEVELS = args.levels.split(',').map(Number);
const PHASE_MS = Number(args.seconds) * 1000;
const ROUNDS = Number(args.rounds);
const USERS = Number(args.users);
const HEADLINE = LEVELS.includes(16) ? 16 : LEVELS[LEVELS.length - 1]!;

console.log(`# Load over HTTP against raw DynamoDB Local\n\nMachine: ${machine()}`);
console.log(
  `Levels (requests in flight): ${LEVELS.join(', ')}; ${ROUNDS} rounds of ${PHASE_MS / 1000} s phases per level and operation.`,
);

const tableName = 'load';
const { ddb, db, dataDir, service, users, tokens, http } = await startBenchService({
  tableName,
  userPrefix: 'load',
  users: USERS,
  maxSockets: 128,
});

const TYPES = ['running', 'cycling', 'swimming', 'yoga', 'hiking', 'walking'];
let seq = 0;
function workoutBody(i: number) {
  const id = `w${(seq++).toString(36)}-${i}`;
  return {
    workoutId: id,
    workoutType: TYPES[i % TYPES.length]!,
    startedAt: new Date(Date.now() - 3_600_000 - (i % 720) * 3_600_000).toISOString(),
    durationMinutes: 20 + (i % 90) + 0.5,
    distanceKm: 2.125 + (i % 20),
    intensity: 'high',
    avgHeartRate: 140 + (i % 30),
    notes: 'interval session, felt good',
  };
}

type Op =
  | 'POST /workouts'
  | 'raw PutItem'
  | 'raw TransactWriteItems'
  | 'GET /stats'
  | 'raw GetItem'
  | 'raw Query'
  | 'GET /health';
const OPS: Op[] = [
  'raw PutItem',
  'raw TransactWriteItems',
  'POST /workouts',
  'raw GetItem',
  'raw Query',
  'GET /stats',
];
const EXTRA: Op[] = ['GET /health'];

/** A stored workout's item, built by the store's own code. */
function sampleWorkout(userId: string, i: number) {
  const now = new Date().toISOString();
  const w: Workout = {
    userId,
    ...workoutBody(i),
    caloriesBurned: 512.5,
    caloriesEstimated: true,
    intensity: 'high',
    createdAt: now,
    updatedAt: now,
  };
  const bucketDate = w.startedAt.slice(0, 10);
  const item = workoutItem(w, { version: 1, bucketDate, fingerprint: 'abcdefghijklmnopqrstuv' });
  return { w, item, bucketDate };
}

const run: Record<Op, (i: number) => Promise<void>> = {
  'POST /workouts': async (i) => {
    const u = i % USERS;
    expectStatus(
      await http.request(
        'POST',
        '/workouts',
        { authorization: `Bearer ${tokens[u]}`, 'content-type': 'application/json' },
        JSON.stringify(workoutBody(i)),
      ),
      201,
    );
  },
  'raw PutItem': async (i) => {
    await db.call('PutItem', { TableName: tableName, Item: sampleWorkout(`raw-${i % USERS}`, i).item });
  },
  // The three items of POST /workouts, with the store's own builders, without the service around them.
  'raw TransactWriteItems': async (i) => {
    const userId = `rawtx-${i % USERS}`;
    const { w, item, bucketDate } = sampleWorkout(userId, i);
    const store = { db, tableName };
    const delta = contribution(w);
    await withConflictRetry(() =>
      db.call('TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
          statsUpdate(store, userId, 'UTC', delta),
          ...bucketUpdate(store, userId, bucketDate, delta),
        ],
      }),
    );
  },
  'GET /stats': async (i) => {
    const u = i % USERS;
    expectStatus(
      await http.request('GET', `/stats/${users[u]}`, { authorization: `Bearer ${tokens[u]}` }),
      200,
    );
  },
  'raw GetItem': async (i) => {
    const out = await db.call<{ Item?: unknown }>('GetItem', {
      TableName: tableName,
      Key: { pk: pk(users[i % USERS]!), sk: STATS_SK },
      ConsistentRead: true,
    });
    if (!out.Item) throw new Error('no STATS item');
  },
  'raw Query': async (i) => {
    const out = await db.call<{ Items?: unknown[] }>('Query', {
      TableName: tableName,
      IndexName: INDEX_BY_STARTED_AT,
      KeyConditionExpression: 'pk = :pk AND lsi1 BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':pk': pk(users[i % USERS]!), ':lo': STARTED_MIN, ':hi': STATS_LSI1 },
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: 11,
    });
    if ((out.Items ?? []).length !== 11) throw new Error('expected STATS and 10 workouts');
  },
  'GET /health': async () => {
    expectStatus(await http.request('GET', '/health'), 200);
  },
};

// Warm-up: JIT of both processes and of DynamoDB Local. First every user gets the 10 workouts
// that GET /stats reads back, through the service.
heading('Warm-up');
await runPool({ concurrency: 8, durationMs: 120_000, maxOps: USERS * 10, op: run['POST /workouts'] });
for (const op of [...OPS, ...EXTRA]) {
  const r = await runPool({ concurrency: 16, durationMs: 3000, op: run[op] });
  console.log(
    `${op}: ${fixed(r.throughput)}/s, ${r.errors} errors${r.firstError ? ` (${r.firstError})` : ''}`,
  );
}

const results = new Map<string, PoolResult[]>();
const keyOf = (op: Op, level: number) => `${op}@${level}`;
heading('Measuring');
for (let round = 1; round <= ROUNDS; round++) {
  const phases = [
    ...LEVELS.flatMap((level) => OPS.map((op) => [op, level] as const)),
    ...EXTRA.map((op) => [op, HEADLINE] as const),
  ].sort(() => Math.random() - 0.5);
  for (const [op, level] of phases) {
    const r = await runPool({ concurrency: level, durationMs: PHASE_MS, op: run[op] });
    if (r.errors) console.log(`  ${op} at ${level}: ${r.errors} errors (${r.firstError})`);
    const k = keyOf(op, level);
    results.set(k, [...(results.get(k) ?? []), r]);
  }
  console.log(`round ${round}/${ROUNDS} done`);
}

interface Figures {
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
  ops: number;
}
/** Each operation's figures, summarized once (the tables, ratios, chart and JSON all read them). */
const summarized = new Map<string, Figures>();
const figures = (op: Op, level: number): Figures => {
  const key = keyOf(op, level);
  const known = summarized.get(key);
  if (known) return known;
  const rs = results.get(key)!;
  const lat = summarize(rs.flatMap((r) => r.latenciesMs));
  const f = {
    throughput: summarize(rs.map((r) => r.throughput)).p50,
    p50: lat.p50,
    p99: lat.p99,
    errors: rs.reduce((s, r) => s + r.errors, 0),
    ops: lat.n,
  };
  summarized.set(key, f);
  return f;
};

heading('Throughput (median of rounds) and latency (all requests of all rounds)');
const rows: (string | number)[][] = [];
for (const level of LEVELS) {
  for (const op of level === HEADLINE ? [...OPS, ...EXTRA] : OPS) {
    const f = figures(op, level);
    rows.push([`${op}`, level, fixed(f.throughput), ms(f.p50), ms(f.p99), f.ops, f.errors]);
  }
}
console.log(table(['operation', 'in flight', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'errors'], rows));

heading('Ratios');
const thr = (op: Op, level: number) => figures(op, level).throughput;
const ratioRows = LEVELS.map((level) => ({
  level,
  writes: thr('POST /workouts', level) / thr('raw PutItem', level),
  reads: thr('GET /stats', level) / thr('raw GetItem', level),
  writesVsWork: thr('POST /workouts', level) / thr('raw TransactWriteItems', level),
  readsVsWork: thr('GET /stats', level) / thr('raw Query', level),
}));
console.log(
  table(
    [
      'in flight',
      'POST /workouts ÷ raw PutItem (target ≥ 0.5)',
      'GET /stats ÷ raw GetItem (target ≥ 0.85)',
      'POST /workouts ÷ raw TransactWriteItems',
      'GET /stats ÷ raw Query',
    ],
    ratioRows.map((x) => [
      x.level,
      `${fixed(x.writes, 2)} ${x.writes >= 0.5 ? 'met' : '**missed**'}`,
      `${fixed(x.reads, 2)} ${x.reads >= 0.85 ? 'met' : '**missed**'}`,
      fixed(x.writesVsWork, 2),
      fixed(x.readsVsWork, 2),
    ]),
  ),
);
const head = ratioRows.find((x) => x.level === HEADLINE)!;
console.log(
  `\nAt ${HEADLINE} in flight: writes ${fixed(head.writes, 2)} of raw PutItem (target 0.5: ${head.writes >= 0.5 ? 'met' : 'missed'}), ` +
    `reads ${fixed(head.reads, 2)} of raw GetItem (target 0.85: ${head.reads >= 0.85 ? 'met' : 'missed'}). ` +
    `Against the database work each request needs: writes ${fixed(head.writesVsWork, 2)} of the raw 3-item transaction, ` +
    `reads ${fixed(head.readsVsWork, 2)} of the raw Query. GET /health (HTTP and one GetItem) ${fixed(thr('GET /health', HEADLINE))}/s ` +
    `= ${fixed(thr('GET /health', HEADLINE) / thr('raw GetItem', HEADLINE), 2)} of raw GetItem.`,
);

// Exactness after the load: every user's statistics equal a recount.
let checked = 0;
for (const [u, userId] of users.entries()) {
  const res = await http.request('GET', `/stats/${userId}`, { authorization: `Bearer ${tokens[u]}` });
  const r = await recountUser(db, tableName, userId, JSON.parse(res.body) as StatsAnswer);
  if (r.problems.length) throw new Error(`${userId}: ${r.problems.join('; ')}`);
  checked += r.workouts.length;
}
console.log(
  `\nAfter the load, statistics of all ${USERS} users equal a recount of their ${checked} workouts.`,
);

const COLORS: Record<Op, string> = {
  'POST /workouts': '#d62728',
  'raw PutItem': '#ff9896',
  'raw TransactWriteItems': '#ff7f0e',
  'GET /stats': '#1f77b4',
  'raw GetItem': '#9ecae1',
  'raw Query': '#2ca02c',
  'GET /health': '#7f7f7f',
};
const series = (pick: (f: Figures) => number, suffix = '', dashed = false) =>
  OPS.map((op) => ({
    name: `${op}${suffix}`,
    color: COLORS[op],
    dashed,
    points: LEVELS.map((l) => [l, pick(figures(op, l))] as [number, number]),
  }));
const svg = chart({
  title: 'Local service over HTTP against raw DynamoDB Local, same instance, same run',
  subtitle: `${machine().split(', Node')[0]}; ${ROUNDS} × ${PHASE_MS / 1000} s per point; npm run bench:load`,
  panels: [
    {
      title: 'Throughput',
      xLabel: 'requests in flight',
      yLabel: 'requests per second',
      xTicks: LEVELS,
      series: series((f) => f.throughput),
    },
    {
      title: 'Latency: p50 (solid) and p99 (dashed)',
      xLabel: 'requests in flight',
      yLabel: 'milliseconds (log scale)',
      xTicks: LEVELS,
      logY: true,
      series: [...series((f) => f.p50), ...series((f) => f.p99, ' p99', true)],
    },
  ],
});
writeFileSync('docs/load.svg', svg);
await saveResults('docs/results/load.json', {
  machine: machine(),
  levels: LEVELS,
  phaseMs: PHASE_MS,
  rounds: ROUNDS,
  figures: Object.fromEntries(
    [...results.keys()].map((k) => {
      const [op, level] = k.split('@') as [Op, string];
      return [k, figures(op, Number(level))];
    }),
  ),
  ratios: ratioRows,
});
console.log('\nChart: docs/load.svg; figures: docs/results/load.json.');

http.close();
await service.stop();
await ddb.stop();
rmSync(dataDir, { recursive: true, force: true });
