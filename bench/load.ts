/**
 * `npm run bench:load [-- --levels 1,4,16,64 --seconds 2 --rounds 3]`: the local service (its own
 * process, as `npm start` runs it) under concurrent POST /workouts and GET /stats/{userId},
 * measured in the same run as raw requests sent straight to the same DynamoDB Local instance with
 * the same client library and the same concurrency. Phases are short and interleaved (every round
 * visits every level and operation in a new order), so drift in the machine's load hits all of
 * them alike. Writes docs/load.svg and docs/results/load.json.
 *
 * `npm run bench:load -- --round-trip [--pairs 400]`: only the one-round-trip comparison (issue 8
 * §4): POST /workouts with its own UTC offset and calories against the raw TransactWriteItems it
 * sends, one request in flight, alternating, a bounded number of each; p50 ratio, target ≤ 1.3.
 * Writes docs/results/round-trip.json. The full run does the same comparison first.
 *
 * What each operation does:
 * - POST /workouts: token check, validation, then one TransactWriteItems of 4 actions (the
 *   workout, STATS counters, the day bucket, the change entry), over HTTP. The body carries its
 *   own UTC offset and `caloriesBurned`, so the service reads nothing first.
 * - raw TransactWriteItems: the same 4 actions, built with the store's own builders
 *   (putNewWorkout, statsUpdate, bucketUpdates, changeEntry) and sent through transact(), which
 *   retries conflicts as the service does: the database work under a POST.
 * - raw PutItem: one item shaped like a stored workout (with its index key).
 * - GET /stats/{userId}: token check, one consistent Query (STATS + the 10 newest workouts), over HTTP.
 * - raw GetItem: one consistent GetItem of a user's STATS item.
 * - raw Query: the Query GET /stats makes, sent directly: the database work under a GET /stats.
 * - GET /health (at the headline level only): HTTP and one GetItem, no token: the HTTP layer alone.
 *
 * The throughput targets compare with raw PutItem and GetItem; the raw TransactWriteItems and Query
 * show how much of the gap is the database work the API needs, and how much is the service.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { envConfigSource } from '../src/config/index.ts';
import { nextStamp } from '../src/domain/changes.ts';
import { profileFacts } from '../src/domain/profile.ts';
import { validateWorkout } from '../src/domain/schemas.ts';
import { contribution } from '../src/domain/stats.ts';
import { contentFingerprint, createWorkout } from '../src/domain/workout.ts';
import { changeEntry } from '../src/store/changes.ts';
import { bucketUpdates, statsUpdate } from '../src/store/counters.ts';
import { INDEX_BY_STARTED_AT, pk, startedRange, STATS_LSI1, STATS_SK } from '../src/store/keys.ts';
import { ConditionsFailed, transact } from '../src/store/transact.ts';
import { putNewWorkout } from '../src/store/workouts.ts';
import { recountUser, type StatsAnswer } from '../support/exactness.ts';
import { expectStatus, runPool, type PoolResult } from './lib/pool.ts';
import { fixed, heading, machine, ms, saveResults, summarize, table } from './lib/report.ts';
import { startBench } from './lib/setup.ts';
import { chart } from './lib/svg.ts';

const { values: args } = parseArgs({
  options: {
    levels: { type: 'string', default: '1,4,16,64' },
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    users: { type: 'string', default: '50' },
    'round-trip': { type: 'boolean', default: false },
    pairs: { type: 'string', default: '400' },
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
const bench = await startBench({
  tableName,
  service: 'process',
  userPrefix: 'load',
  users: USERS,
  maxSockets: 128,
});
const { db, table: store, users, tokens, http } = bench;
const config = await envConfigSource({})();

const TYPES = ['running', 'cycling', 'swimming', 'yoga', 'hiking', 'walking'];
let seq = 0;
/**
 * A POST /workouts body with its own UTC offset (a local time with `+01:00`) and calories: the
 * service logs it in one request. `zone`: with a `timezone` name instead of the offset.
 */
function workoutBody(i: number, zone = false) {
  const id = `w${(seq++).toString(36)}-${i}`;
  const startMs = Date.now() - 3_600_000 - (i % 720) * 3_600_000;
  return {
    workoutId: id,
    workoutType: TYPES[i % TYPES.length]!,
    ...(zone
      ? { startedAt: new Date(startMs).toISOString(), timezone: 'Europe/Lisbon' }
      : { startedAt: new Date(startMs + 3_600_000).toISOString().slice(0, 19) + '+01:00' }),
    durationMinutes: 20 + (i % 90) + 0.5,
    caloriesBurned: 250 + (i % 400),
    distanceKm: 2.125 + (i % 20),
    intensity: 'high',
    avgHeartRate: 140 + (i % 30),
    notes: 'interval session, felt good',
  };
}

/** POST /workouts of `workoutBody(i, zone)` as user `u`, expecting 201. */
async function postWorkout(i: number, zone = false) {
  const u = i % USERS;
  expectStatus(
    await http.request(
      'POST',
      '/workouts',
      { authorization: `Bearer ${tokens[u]}`, 'content-type': 'application/json' },
      JSON.stringify(workoutBody(i, zone)),
    ),
    201,
  );
}

/** The last change stamp used per user by the raw transactions (the service reads it from STATS). */
const lastStamp = new Map<string, string>();

/** The transaction a POST /workouts of this body sends, built with the store's own builders. */
function postActions(userId: string, i: number) {
  const body = workoutBody(i);
  const r = validateWorkout(config, body);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const stamp = nextStamp(Date.now(), lastStamp.get(userId));
  lastStamp.set(userId, stamp);
  const w = createWorkout(r.value, {
    userId,
    workoutId: body.workoutId,
    profile: profileFacts(null),
    config,
    now: stamp,
  });
  const c = contribution(w);
  return [
    putNewWorkout(store, { workout: w, version: 1, fingerprint: contentFingerprint(r.value) }),
    statsUpdate(store, userId, c, stamp),
    ...bucketUpdates(store, userId, new Map([[w.localDate, c]])),
    changeEntry(store, userId, stamp, [w.workoutId]),
  ];
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

const run: Record<Op, (i: number) => Promise<void>> = {
  'POST /workouts': (i) => postWorkout(i),
  'raw PutItem': async (i) => {
    const [put] = postActions(`raw-${i % USERS}`, i);
    await db.call('PutItem', (put!.action as { Put: Record<string, unknown> }).Put);
  },
  // The actions of POST /workouts, with the store's own builders, without the service around them.
  'raw TransactWriteItems': async (i) => {
    const userId = `rawtx-${i % USERS}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await transact(store, postActions(userId, i));
        return;
      } catch (err) {
        // Two in flight for one user: the later stamp committed first. Stamp again, as the service does.
        if (!(err instanceof ConditionsFailed) || !err.failed.has('stats') || attempt > 5) throw err;
      }
    }
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
      ExpressionAttributeValues: {
        ':pk': pk(users[i % USERS]!),
        ':lo': startedRange().lo,
        ':hi': STATS_LSI1,
      },
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

// One round trip (issue 8 §4) ---------------------------------------------------------------------
/**
 * POST /workouts (own offset and calories) and the raw TransactWriteItems it sends, one request in
 * flight, in turns (the order rotates every turn so that none always goes first), `turns` of each
 * after `warm` discarded turns. Three probes without the database show where the difference goes:
 * GET /workout-types (HTTP alone: no token, no database), GET /workouts?limit=0 (HTTP and the
 * token check, then a 400) and a POST /workouts that validation rejects (HTTP, token check, body
 * parsing and validation).
 */
const PROBES = {
  'POST /workouts (own offset and calories)': (k: number) => postWorkout(k),
  'POST /workouts (own timezone name and calories)': (k: number) => postWorkout(k, true),
  'raw TransactWriteItems (the same 4 actions)': (k: number) => run['raw TransactWriteItems'](k),
  'POST /workouts rejected by validation (400, no database)': async (k: number) => {
    const u = k % USERS;
    const body = { ...workoutBody(k), durationMinutes: -1 };
    expectStatus(
      await http.request(
        'POST',
        '/workouts',
        { authorization: `Bearer ${tokens[u]}`, 'content-type': 'application/json' },
        JSON.stringify(body),
      ),
      400,
    );
  },
  'GET /workouts?limit=0 (400: token check, no database)': async (k: number) => {
    const u = k % USERS;
    expectStatus(
      await http.request('GET', '/workouts?limit=0', { authorization: `Bearer ${tokens[u]}` }),
      400,
    );
  },
  'GET /workout-types (HTTP only, no token, no database)': async () => {
    expectStatus(await http.request('GET', '/workout-types'), 200);
  },
};
type Probe = keyof typeof PROBES;
async function roundTrip(turns: number, warm: number) {
  const names = Object.keys(PROBES) as Probe[];
  const times = new Map<Probe, number[]>(names.map((n) => [n, []]));
  let errors = 0;
  for (let k = 0; k < warm + turns; k++) {
    const order = names.map((_, j) => names[(j + k) % names.length]!);
    for (const name of order) {
      const t0 = performance.now();
      try {
        await PROBES[name](k);
      } catch {
        errors++;
        continue;
      }
      if (k >= warm) times.get(name)!.push(performance.now() - t0);
    }
  }
  return { figures: new Map(names.map((n) => [n, summarize(times.get(n)!)])), errors };
}

const PAIRS = Number(args.pairs);
heading('One round trip: POST /workouts (own offset and calories) against its raw TransactWriteItems');
const loadBefore = loadavg();
const rt = await roundTrip(PAIRS, Math.min(100, PAIRS));
const loadAfter = loadavg();
const post = rt.figures.get('POST /workouts (own offset and calories)')!;
const postZone = rt.figures.get('POST /workouts (own timezone name and calories)')!;
const raw = rt.figures.get('raw TransactWriteItems (the same 4 actions)')!;
const rtRatio = post.p50 / raw.p50;
console.log(
  table(
    ['operation (1 in flight, in turns)', 'requests', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms'],
    [...rt.figures].map(([name, f]) => [name, f.n, ms(f.p50), ms(f.p90), ms(f.p99), ms(f.mean)]),
  ),
);
console.log(
  `\np50 POST ÷ p50 raw transaction: **${fixed(rtRatio, 2)}** (target ≤ 1.3: **${rtRatio <= 1.3 ? 'met' : 'missed'}**); ` +
    `the service adds ${ms(post.p50 - raw.p50)} ms at the median. With a time zone name instead of the offset: ` +
    `${fixed(postZone.p50 / raw.p50, 2)}. ${rt.errors} errors. ` +
    `Load average (1 min) ${fixed(loadBefore[0]!, 1)} before, ${fixed(loadAfter[0]!, 1)} after, on ${machine().split(' × ')[0]} cores.`,
);
await saveResults('docs/results/round-trip.json', {
  machine: machine(),
  turns: PAIRS,
  figures: Object.fromEntries(rt.figures),
  ratioP50: rtRatio,
  ratioP50WithZoneName: postZone.p50 / raw.p50,
  errors: rt.errors,
  loadAverage: { before: loadBefore, after: loadAfter },
});
if (args['round-trip']) {
  await bench.stop();
  process.exit(rt.errors ? 1 : 0);
}

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

// Exactness after the load: every user's statistics equal a recount, the raw transactions' users too.
let checked = 0;
for (const [u, userId] of users.entries()) {
  const res = await http.request('GET', `/stats/${userId}`, { authorization: `Bearer ${tokens[u]}` });
  const r = await recountUser(db, tableName, userId, JSON.parse(res.body) as StatsAnswer);
  if (r.problems.length) throw new Error(`${userId}: ${r.problems.join('; ')}`);
  checked += r.workouts.length;
}
for (let u = 0; u < USERS; u++) {
  const r = await recountUser(db, tableName, `rawtx-${u}`);
  if (r.problems.length) throw new Error(`rawtx-${u}: ${r.problems.join('; ')}`);
  checked += r.workouts.length;
}
console.log(
  `\nAfter the load, statistics of all ${USERS} users (and of the ${USERS} users of the raw transactions) equal a recount of their ${checked} workouts.`,
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

await bench.stop();
