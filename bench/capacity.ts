/**
 * `npm run bench:capacity [-- --sizes 10,1000,10000] [-- --cost] [-- --json]`: DynamoDB requests
 * and capacity per API call, for users whose history holds 10, 1,000 and 10,000 workouts, over
 * HTTP through the local service, every request the service makes metered (bench/lib/meter.ts:
 * refused ones included, ReturnConsumedCapacity on, transactions billed per item as DynamoDB
 * bills them). Then the batch endpoint against single POSTs, and the calls that do not depend on
 * a history (profile, erasure). `--cost` also prints docs/operations.md's monthly cost table from
 * these units (bench/lib/cost.ts); `--json` prints every figure as JSON.
 *
 * Histories are seeded through the batch use case (the code behind POST /workouts/batch), without
 * HTTP and unmetered.
 */
import { parseArgs } from 'node:util';
import { envConfigSource } from '../src/config/index.ts';
import { encodeSince } from '../src/domain/changes.ts';
import { validateWorkout, type CreateWorkoutInput } from '../src/domain/schemas.ts';
import { createDb, type Item } from '../src/store/dynamodb.ts';
import { ensureTable } from '../src/store/table.ts';
import { logBatch } from '../src/usecases/log-batch.ts';
import { createProfile } from '../src/usecases/profiles.ts';
import { recountUser, type StatsAnswer } from '../support/exactness.ts';
import { costTable, itemSize, type Row } from './lib/cost.ts';
import { describeActions, describeOperations, meteredDb, type Tally } from './lib/meter.ts';
import { fixed, heading, machine, saveResults, table } from './lib/report.ts';
import { startBench } from './lib/setup.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,1000,10000' },
    cost: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const SIZES = args.sizes.split(',').map(Number);

console.log(`# DynamoDB requests and capacity per API call\n\nMachine: ${machine()}`);

const TABLE = 'capacity';
const SHADOW = 'capacity-shadow';
let meter: ReturnType<typeof meteredDb> | undefined;
const bench = await startBench({
  tableName: TABLE,
  service: 'in-process',
  serviceDb: async (endpoint) => {
    const raw = await createDb({ endpoint });
    await ensureTable(raw, SHADOW);
    meter = meteredDb(await createDb({ endpoint }), raw, SHADOW);
    return meter.db;
  },
});
const metered = meter!;
const { table: store } = bench;

// Seeding -------------------------------------------------------------------------------------------
const config = await envConfigSource({})();
const TYPES = ['running', 'cycling', 'swimming', 'weightlifting', 'yoga'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.now();
const midnight = Date.UTC(
  new Date(now).getUTCFullYear(),
  new Date(now).getUTCMonth(),
  new Date(now).getUTCDate(),
);
const ZONE = 'Europe/Lisbon';
const valid = (body: Record<string, unknown>): CreateWorkoutInput => {
  const r = validateWorkout(config, body);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
};
const noEvents = { workoutLogged() {}, duplicateReplayed() {} };

/**
 * History of `n` workouts on the last min(n, 1000) days before today, one type per day. The 1,000
 * and 10,000 histories share one calendar (the same days, the same type each day) and differ
 * only in workouts per day (1 against 10).
 */
const CALENDAR_DAYS = 1000;
function historyWorkout(n: number, i: number): CreateWorkoutInput {
  const days = Math.min(n, CALENDAR_DAYS);
  const day = i % days;
  const nth = Math.floor(i / days);
  return valid({
    workoutId: `h${i}`,
    workoutType: TYPES[day % TYPES.length],
    startedAt: new Date(midnight - (day + 1) * DAY + 6 * HOUR + nth * 70 * 60_000).toISOString(),
    timezone: 'UTC',
    durationSeconds: 1230 + (i % 3600),
    caloriesBurned: 180 + (i % 400),
    ...(i % 2 ? { distanceKm: 3.25 + (i % 9) } : {}),
    notes: `session ${i} of ${n}`,
  });
}

heading('Seeding');
{
  const t0 = performance.now();
  for (const n of SIZES) {
    const userId = `cap-${n}`;
    await createProfile(store, userId, { displayName: `History ${n}`, weightKg: 70, timezone: ZONE });
    for (let i = 0; i < n; i += 100) {
      const entries = Array.from({ length: Math.min(100, n - i) }, (_, k) => ({
        index: k,
        input: historyWorkout(n, i + k),
      }));
      const out = await logBatch({ table: store, events: noEvents }, userId, entries, config);
      if (out.some((o) => o.status !== 'created')) throw new Error(`seeding ${userId}: not all created`);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const total = SIZES.reduce((a, b) => a + b, 0);
  console.log(
    `${total.toLocaleString('en')} workouts (${SIZES.join(' + ')}) through the batch use case in ${fixed(secs, 1)} s`,
  );
}

// Measuring -----------------------------------------------------------------------------------------
interface Answer {
  status: number;
  body: string;
  headers: Headers;
}
async function call(userId: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(bench.url + path, {
    method,
    headers: {
      authorization: `Bearer ${await bench.token(userId)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();
/** A local date-time with an offset, as a client that knows its zone sends it. */
const withOffset = (ms: number, offsetHours: number) =>
  new Date(ms + offsetHours * HOUR).toISOString().slice(0, 19) + `+0${offsetHours}:00`;

interface Case {
  name: string;
  run: (userId: string) => Promise<Answer>;
  expect: number;
  /** Requests the call must make, when the call has a target (checked, a miss is reported). */
  target?: string;
}

/** A workout body that carries its own zone and calories: logging it needs no read. */
const own = (id: string) => ({
  workoutId: id,
  workoutType: 'running',
  startedAt: iso(now - 2 * HOUR),
  timezone: ZONE,
  durationMinutes: 42.5,
  caloriesBurned: 480,
  distanceKm: 8.2,
  intensity: 'moderate',
  avgHeartRate: 150,
  notes: 'tempo run',
});
/** 25 new workouts over the last week, own zone and calories (the batch target). */
const batchOf = (prefix: string, n: number, extra: (i: number) => Record<string, unknown> = () => ({})) => ({
  workouts: Array.from({ length: n }, (_, i) => ({
    workoutId: `${prefix}-${i}`,
    workoutType: TYPES[i % TYPES.length],
    startedAt: iso(midnight - 7 * DAY + Math.floor((i * 7 * DAY) / n) + 7 * HOUR),
    timezone: ZONE,
    durationSeconds: 1800 + 60 * i,
    caloriesBurned: 300 + i,
    ...(i % 2 ? { distanceKm: 5 + i / 10 } : {}),
    intensity: 'moderate',
    notes: 'imported from another app',
    ...extra(i),
  })),
});
let sinceAtStart = '';

const CASES: Case[] = [
  { name: 'GET /health', run: (u) => call(u, 'GET', '/health'), expect: 200 },
  { name: 'GET /users/{id}', run: (u) => call(u, 'GET', `/users/${u}`), expect: 200 },
  {
    name: 'POST /workouts (own timezone and calories)',
    run: (u) => call(u, 'POST', '/workouts', own('bench-own')),
    expect: 201,
    target: 'TransactWriteItems',
  },
  {
    name: 'POST /workouts (own offset and calories)',
    run: (u) =>
      call(u, 'POST', '/workouts', {
        ...own('bench-offset'),
        timezone: undefined,
        startedAt: withOffset(now - 3 * HOUR, 1),
      }),
    expect: 201,
    target: 'TransactWriteItems',
  },
  {
    name: 'POST /workouts (Z time, no timezone, with calories)',
    run: (u) => call(u, 'POST', '/workouts', { ...own('bench-z'), timezone: undefined }),
    expect: 201,
  },
  {
    name: 'POST /workouts (Z time, no timezone, no calories)',
    run: (u) =>
      call(u, 'POST', '/workouts', { ...own('bench-new'), timezone: undefined, caloriesBurned: undefined }),
    expect: 201,
  },
  {
    name: 'POST /workouts (replay, same body)',
    run: (u) => call(u, 'POST', '/workouts', own('bench-own')),
    expect: 200,
  },
  {
    name: 'POST /workouts (same id, other content: 409)',
    run: (u) => call(u, 'POST', '/workouts', { ...own('bench-own'), durationMinutes: 50 }),
    expect: 409,
  },
  {
    name: 'POST /workouts (1,000-character notes)',
    run: (u) => call(u, 'POST', '/workouts', { ...own('bench-notes'), notes: 'x'.repeat(1000) }),
    expect: 201,
  },
  {
    name: 'PATCH /workouts/{id} (duration)',
    run: (u) => call(u, 'PATCH', '/workouts/bench-new', { durationMinutes: 45 }),
    expect: 200,
  },
  {
    name: 'PATCH /workouts/{id} (startedAt: another day)',
    run: (u) => call(u, 'PATCH', '/workouts/bench-new', { startedAt: iso(now - 3 * DAY) }),
    expect: 200,
  },
  { name: 'DELETE /workouts/{id}', run: (u) => call(u, 'DELETE', '/workouts/bench-new'), expect: 204 },
  { name: 'GET /workouts/{id}', run: (u) => call(u, 'GET', '/workouts/h1'), expect: 200 },
  { name: 'GET /workouts (a page of 20)', run: (u) => call(u, 'GET', '/workouts'), expect: 200 },
  { name: 'GET /workouts?limit=100', run: (u) => call(u, 'GET', '/workouts?limit=100'), expect: 200 },
  {
    name: 'GET /workouts?workoutType=cycling (20)',
    run: (u) => call(u, 'GET', '/workouts?workoutType=cycling'),
    expect: 200,
  },
  { name: 'GET /stats/{userId}', run: (u) => call(u, 'GET', `/stats/${u}`), expect: 200, target: 'Query' },
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
      call(u, 'GET', `/stats/${u}?from=${iso(now - 30 * DAY - 5 * HOUR)}&to=${iso(now - 7 * HOUR)}`),
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
  {
    name: 'GET /changes (first sync: a page of 100 workouts)',
    run: (u) => call(u, 'GET', '/changes'),
    expect: 200,
  },
  {
    name: 'GET /changes?since (the 8 changes above)',
    run: (u) => call(u, 'GET', `/changes?since=${sinceAtStart}`),
    expect: 200,
  },
  {
    name: 'GET /users/{id}/export (first page)',
    run: (u) => call(u, 'GET', `/users/${u}/export`),
    expect: 200,
  },
  {
    name: 'GET /users/{id}/export (second page, when there is one)',
    run: async (u) => {
      const first = await call(u, 'GET', `/users/${u}/export`);
      const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
      if (!next) return first; // one page holds the whole history: its figures are the first page's
      metered.take();
      return call(u, 'GET', next);
    },
    expect: 200,
  },
  {
    name: 'POST /workouts/batch (25 new, one week, own zone and calories)',
    run: (u) => call(u, 'POST', '/workouts/batch', batchOf('b25', 25)),
    expect: 200,
  },
  {
    name: 'POST /workouts/batch (the same 25 resent)',
    run: (u) => call(u, 'POST', '/workouts/batch', batchOf('b25', 25)),
    expect: 200,
  },
  {
    name: 'POST /workouts/batch (25 new, Z times, no zone, no calories)',
    run: (u) =>
      call(
        u,
        'POST',
        '/workouts/batch',
        batchOf('bz', 25, () => ({ timezone: undefined, caloriesBurned: undefined })),
      ),
    expect: 200,
  },
  {
    name: 'POST /workouts/batch (100 new, one month, own zone and calories)',
    run: (u) =>
      call(
        u,
        'POST',
        '/workouts/batch',
        batchOf('b100', 100, (i) => ({
          startedAt: iso(midnight - 30 * DAY + Math.floor((i * 30 * DAY) / 100)),
        })),
      ),
    expect: 200,
  },
  { name: 'GET /workout-types', run: (u) => call(u, 'GET', '/workout-types'), expect: 200 },
];
/** Workouts each batch case logs (for units per workout). */
const BATCH_SIZE: Record<string, number> = Object.fromEntries(
  CASES.filter((c) => c.name.startsWith('POST /workouts/batch')).map((c) => [
    c.name,
    Number(/\((?:the same )?(\d+)/.exec(c.name)![1]),
  ]),
);

interface Cell {
  requests: number;
  operations: string;
  refused: number;
  read: number;
  write: number;
  writeReported: number;
  actions: string;
  batchStatuses?: string;
  /** Set when the call did not answer as expected (the figures are then of the failed call). */
  failure?: string;
}
const cellOf = (t: Tally): Cell => ({
  requests: t.operations.length,
  operations: describeOperations(t.operations),
  refused: t.refused,
  read: t.read,
  write: t.write,
  writeReported: t.writeReported,
  actions: describeActions(t.actions),
});

const results: Record<string, Record<number, Cell>> = {};
/** Calls that did not answer as expected: reported at the end (exit code 1), the run goes on. */
const failures: string[] = [];
for (const n of SIZES) {
  const userId = `cap-${n}`;
  metered.take();
  sinceAtStart = encodeSince({ phase: 'log', stamp: new Date(Date.now() - 1).toISOString() });
  await new Promise((r) => setTimeout(r, 5));
  for (const c of CASES) {
    metered.take();
    const answer = await c.run(userId);
    const t = metered.take();
    const cell = cellOf(t);
    if (answer.status !== c.expect) {
      cell.failure = `HTTP ${answer.status}, expected ${c.expect}: ${answer.body.slice(0, 300)}`;
      failures.push(`${c.name} (${userId}): ${cell.failure}`);
    }
    if (c.name.startsWith('POST /workouts/batch') && answer.status === 200) {
      const counts = new Map<number, number>();
      for (const r of (JSON.parse(answer.body) as { results: { status: number }[] }).results)
        counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
      cell.batchStatuses = [...counts].map(([s, k]) => `${k}×${s}`).join(', ');
    }
    results[c.name] ??= {};
    results[c.name]![n] = cell;
  }
}

// Calls that do not depend on a history: a profile's life, erasure.
heading('Seeding the one-off user');
const ONE_OFF: { name: string; run: () => Promise<Answer>; expect: number }[] = [
  {
    name: 'POST /users',
    run: () => call('ana', 'POST', '/users', { displayName: 'Ana', weightKg: 61.5, timezone: ZONE }),
    expect: 201,
  },
  {
    name: 'POST /users (replay, same body)',
    run: () => call('ana', 'POST', '/users', { displayName: 'Ana', weightKg: 61.5, timezone: ZONE }),
    expect: 200,
  },
  { name: 'PATCH /users/{id}', run: () => call('ana', 'PATCH', '/users/ana', { weightKg: 62 }), expect: 200 },
  { name: 'DELETE /users/{id} (60 workouts)', run: () => call('ana', 'DELETE', '/users/ana'), expect: 204 },
];
const oneOff: Record<string, Cell> = {};
let itemBytes = { workout: 0, stats: 0, profile: 0, bucket: 0, change: 0 };
for (const c of ONE_OFF) {
  if (c.name.startsWith('DELETE')) {
    // 60 workouts on 60 days first, through the API (unmetered), then the item sizes.
    const r = await call('ana', 'POST', '/workouts/batch', {
      workouts: Array.from({ length: 60 }, (_, i) => ({
        ...own(`w-${i}`),
        startedAt: iso(now - (i + 1) * DAY),
        workoutType: i % 3 === 0 ? 'cycling' : 'running',
      })),
    });
    if (r.status !== 200) throw new Error(`seeding ana: ${r.status}`);
    const stored = async (sk: string) =>
      itemSize(
        (
          await bench.db.call<{ Item?: Item }>('GetItem', {
            TableName: TABLE,
            Key: { pk: 'U#ana', sk },
            ConsistentRead: true,
          })
        ).Item ?? {},
      );
    const items = await bench.db.call<{ Items?: Item[] }>('Query', {
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'U#ana' },
    });
    const firstOf = (prefix: string) => String(items.Items?.find((i) => String(i.sk).startsWith(prefix))?.sk);
    itemBytes = {
      workout: await stored('W#w-0'),
      stats: await stored('STATS'),
      profile: await stored('PROFILE'),
      bucket: await stored(firstOf('D#')),
      change: await stored(firstOf('C#')),
    };
  }
  metered.take();
  const answer = await c.run();
  const t = metered.take();
  oneOff[c.name] = cellOf(t);
  if (answer.status !== c.expect) {
    oneOff[c.name]!.failure = `HTTP ${answer.status}, expected ${c.expect}: ${answer.body.slice(0, 300)}`;
    failures.push(`${c.name}: ${oneOff[c.name]!.failure}`);
  }
}

// Statistics stayed exact through all of it.
for (const n of SIZES) {
  const userId = `cap-${n}`;
  const answer = await call(userId, 'GET', `/stats/${userId}`);
  const r = await recountUser(bench.db, TABLE, userId, JSON.parse(answer.body) as StatsAnswer);
  if (r.problems.length) throw new Error(`${userId}: ${r.problems.join('; ')}`);
}

// Report ----------------------------------------------------------------------------------------------
const cellText = (c: Cell) =>
  `${c.failure ? `**${c.failure.slice(0, 8)}** ` : ''}${c.requests}${c.refused ? ` (${c.refused} refused)` : ''} · ${fixed(c.read, 1)} R · ${fixed(c.write, 1)} W`;
const row = (c: Case) => SIZES.map((n) => results[c.name]![n]!);
const sameRequests = (c: Case) => row(c).every((x) => x.operations === row(c)[0]!.operations);
const sameCapacity = (c: Case, sizes = SIZES) => {
  const cells = sizes.map((n) => results[c.name]![n]!);
  return cells.every((x) => x.read === cells[0]!.read && x.write === cells[0]!.write);
};

heading(
  'Requests and capacity per call (history: ' +
    SIZES.map((n) => n.toLocaleString('en')).join(' / ') +
    ' workouts)',
);
console.log(
  table(
    ['API call', ...SIZES.map((n) => `${n.toLocaleString('en')} workouts`), 'requests made'],
    CASES.map((c) => [
      c.name,
      ...row(c).map(cellText),
      sameRequests(c)
        ? row(c)[0]!.operations
        : row(c)
            .map((x) => x.operations)
            .join(' / '),
    ]),
  ),
);
console.log(
  '\nCells: DynamoDB requests · read units · write units. Write units of transactions as DynamoDB bills them ' +
    '(each item rounded up to 1 KB, index entries included, times 2; bench/lib/meter.ts); "refused": requests ' +
    'answered with a failed condition (DynamoDB Local reports no capacity for them).',
);

heading('Where the write units go (committed transactions, per item: table + index entry)');
const ref = SIZES.includes(1000) ? 1000 : SIZES[SIZES.length - 1]!;
console.log(
  table(
    ['API call', `write units (${ref.toLocaleString('en')} history)`, 'DynamoDB Local reported', 'per item'],
    CASES.filter((c) => results[c.name]![ref]!.write > 0).map((c) => {
      const x = results[c.name]![ref]!;
      return [c.name, fixed(x.write, 1), fixed(x.writeReported, 1), x.actions];
    }),
  ),
);

heading('Targets');
const single = results['POST /workouts (own timezone and calories)']![ref]!;
const verdicts: string[] = [];
for (const c of CASES.filter((c) => c.target)) {
  const cells = row(c);
  const ok = cells.every((x) => x.operations === c.target);
  verdicts.push(
    `- ${c.name}: ${cells.map((x) => x.operations).join(' / ')} (target: ${c.target} alone): **${ok ? 'met' : 'missed'}**.`,
  );
}
for (const [name, n] of Object.entries(BATCH_SIZE)) {
  const x = results[name]![ref]!;
  const per = x.write / n;
  const resent = name.includes('resent');
  verdicts.push(
    `- ${name}: ${fixed(x.write, 1)} W in ${x.operations} for ${x.batchStatuses}: ` +
      (resent
        ? `target 0 W: **${x.write === 0 ? 'met' : 'missed'}** (${x.refused} refused request(s), ${fixed(x.read, 1)} R)`
        : `**${fixed(per, 2)} W per workout** against ${fixed(single.write, 1)} for a single POST` +
          (name.includes('25 new, one week') ? ` (target ≤ 6: **${per <= 6 ? 'met' : 'missed'}**)` : '')) +
      '.',
  );
}
const statsCases = CASES.filter(
  (c) => c.name.startsWith('GET /stats') || c.name.startsWith('GET timeseries'),
);
const allTime = CASES.find((c) => c.name === 'GET /stats/{userId}')!;
const dense = SIZES.filter((n) => n >= 1000);
verdicts.push(
  `- All-time statistics: the same requests and capacity for every history: ${sameRequests(allTime) && sameCapacity(allTime) ? '**yes**' : '**no**'}.`,
  `- Ranges and time series: the same requests for every history: ${statsCases.every(sameRequests) ? '**yes**' : '**no**'}; ` +
    `the same capacity for ${dense.map((n) => n.toLocaleString('en')).join(' and ')} workouts: ${dense.length > 1 && statsCases.every((c) => sameCapacity(c, dense)) ? '**yes**' : '**no**'}.`,
  '- Statistics of every history user equal a recount from the stored workouts after the run: **yes**.',
);
console.log(verdicts.join('\n'));

heading('Calls that do not depend on a history');
console.log(
  table(
    ['API call', 'requests · read · write', 'requests made', 'per item'],
    Object.entries(oneOff).map(([name, x]) => [name, cellText(x), x.operations, x.actions]),
  ),
);
console.log(`\nStored item bytes (DynamoDB's size rules, estimated): ${JSON.stringify(itemBytes)}`);

const costRows: Row[] = [
  ...CASES.map((c) => ({
    name: c.name,
    read: results[c.name]![ref]!.read,
    write: results[c.name]![ref]!.write,
  })),
  ...Object.entries(oneOff).map(([name, x]) => ({ name, read: x.read, write: x.write })),
];
if (args.cost) {
  heading(`Monthly cost (units of the ${ref.toLocaleString('en')}-workout history; bench/lib/cost.ts)`);
  console.log(costTable(costRows, itemBytes));
}
const data = { machine: machine(), sizes: SIZES, results, oneOff, itemBytes };
if (args.json) console.log(JSON.stringify(data, null, 2));
await saveResults('docs/results/capacity.json', data);
await bench.stop();
if (failures.length) {
  console.error(`\n${failures.length} call(s) did not answer as expected:\n${failures.join('\n')}`);
  process.exitCode = 1;
}
