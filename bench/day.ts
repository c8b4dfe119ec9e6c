/**
 * `npm run bench:day [-- --days 100 --budget 150 --users 1000 --concurrency 16]`: replays a day of
 * traffic (3,000 workouts, the reference design's daily volume, with a read mix) against the local
 * service as fast as it will go, then up to `--days` more such days within `--budget` seconds, and
 * checks after each part that every user's statistics equal a recount from the stored workouts.
 *
 * Per workout logged, a session (one client) does, in order:
 *   POST /workouts (its own workoutId); 5%: the same POST again (a retry after a lost answer);
 *   GET /stats/{userId}; 50%: GET /workouts; 30%: GET timeseries (week); 20%: GET /stats?from&to
 *   (last 30 days); 3%: PATCH the workout; 1%: DELETE it.
 * That is about 3.1 requests per workout, two thirds of them reads.
 *
 * `--budget 0` removes the time limit (the full 100 days take far longer than 5 minutes here;
 * the output says how long, from the measured rate).
 */
import { parseArgs } from 'node:util';
import { recountUser, type StatsAnswer } from '../support/exactness.ts';
import { startBench } from './lib/setup.ts';
import { expectStatus } from './lib/pool.ts';
import { fixed, heading, machine, ms, saveResults, summarize, table } from './lib/report.ts';

const { values: args } = parseArgs({
  options: {
    days: { type: 'string', default: '100' },
    budget: { type: 'string', default: '150' },
    users: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    'per-day': { type: 'string', default: '3000' },
  },
});
const DAYS = Number(args.days);
const BUDGET_MS = Number(args.budget) * 1000 || Infinity;
const USERS = Number(args.users);
const CONCURRENCY = Number(args.concurrency);
const PER_DAY = Number(args['per-day']);

console.log(`# A day of traffic, and then many\n\nMachine: ${machine()}`);
console.log(
  `${PER_DAY.toLocaleString('en')} workouts a day from ${USERS} users, ${CONCURRENCY} sessions at once; then up to ${DAYS} days more` +
    (Number.isFinite(BUDGET_MS) ? ` within ${BUDGET_MS / 1000} s.` : ' (no time limit).'),
);

const tableName = 'day';
const bench = await startBench({
  tableName,
  service: 'process',
  userPrefix: 'day',
  users: USERS,
  maxSockets: CONCURRENCY * 2,
});
const { db, users, tokens, http } = bench;

// Seeded randomness: every run replays the same mix (only the interleaving of sessions varies).
let rnd = 42;
const random = () => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const TYPES = ['running', 'cycling', 'swimming', 'weightlifting', 'yoga', 'crossfit', 'hiking', 'walking'];
const DAY_MS = 86_400_000;
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
const THIRTY_DAYS_AGO = new Date(today - 30 * DAY_MS).toISOString().slice(0, 10);

type Route =
  | 'POST /workouts'
  | 'POST /workouts (retry)'
  | 'GET /stats'
  | 'GET /workouts'
  | 'GET timeseries'
  | 'GET /stats?from&to'
  | 'PATCH /workouts/{id}'
  | 'DELETE /workouts/{id}';
let latencies = new Map<Route, number[]>();
let requests = 0;

async function timed(route: Route, f: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  await f();
  const list = latencies.get(route) ?? [];
  list.push(performance.now() - t0);
  latencies.set(route, list);
  requests++;
}

/** One user's session around one workout: the write, maybe its retry, the reads that follow. */
async function session(day: number, n: number): Promise<void> {
  const u = Math.floor(random() * USERS);
  const auth = { authorization: `Bearer ${tokens[u]}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const id = `d${day}-${n}`;
  const body = JSON.stringify({
    workoutId: id,
    workoutType: TYPES[Math.floor(random() * TYPES.length)],
    // Day 0 is yesterday; the replayed days go back from there.
    startedAt: new Date(today - (day + 1) * DAY_MS + Math.floor(random() * DAY_MS)).toISOString(),
    durationMinutes: Math.round((10 + random() * 110) * 4) / 4,
    ...(random() < 0.6 ? { distanceKm: Math.round(random() * 30000) / 1000 } : {}),
    ...(random() < 0.3 ? { caloriesBurned: Math.round(random() * 90000) / 100 } : {}),
    intensity: ['low', 'moderate', 'high'][Math.floor(random() * 3)],
    ...(random() < 0.5 ? { avgHeartRate: 90 + Math.floor(random() * 90) } : {}),
    ...(random() < 0.4 ? { notes: 'felt strong today 💪' } : {}),
  });
  await timed('POST /workouts', async () =>
    expectStatus(await http.request('POST', '/workouts', json, body), 201),
  );
  if (random() < 0.05) {
    await timed('POST /workouts (retry)', async () =>
      expectStatus(await http.request('POST', '/workouts', json, body), 200),
    );
  }
  await timed('GET /stats', async () =>
    expectStatus(await http.request('GET', `/stats/${users[u]}`, auth), 200),
  );
  if (random() < 0.5) {
    await timed('GET /workouts', async () => expectStatus(await http.request('GET', '/workouts', auth), 200));
  }
  if (random() < 0.3) {
    await timed('GET timeseries', async () =>
      expectStatus(await http.request('GET', `/stats/${users[u]}/timeseries?granularity=week`, auth), 200),
    );
  }
  if (random() < 0.2) {
    await timed('GET /stats?from&to', async () =>
      expectStatus(await http.request('GET', `/stats/${users[u]}?from=${THIRTY_DAYS_AGO}`, auth), 200),
    );
  }
  const r = random();
  if (r < 0.03) {
    await timed('PATCH /workouts/{id}', async () =>
      expectStatus(
        await http.request('PATCH', `/workouts/${id}`, json, JSON.stringify({ durationMinutes: 33.5 })),
        200,
      ),
    );
  } else if (r < 0.04) {
    await timed('DELETE /workouts/{id}', async () =>
      expectStatus(await http.request('DELETE', `/workouts/${id}`, auth), 204),
    );
  }
}

interface Part {
  name: string;
  days: number;
  workouts: number;
  requests: number;
  seconds: number;
  routes: Record<string, { n: number; p50: number; p99: number }>;
  checkedUsers: number;
  storedWorkouts: number;
}

/** Replays whole days until `days` are done or the budget runs out (a started day is finished). */
async function replay(name: string, firstDay: number, days: number, budgetMs: number): Promise<Part> {
  latencies = new Map();
  requests = 0;
  const t0 = performance.now();
  let done = 0;
  for (let d = firstDay; d < firstDay + days; d++) {
    if (d > firstDay && performance.now() - t0 > budgetMs) break;
    let next = 0;
    const worker = async () => {
      while (next < PER_DAY) await session(d, next++);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    done++;
    // Progress on stderr, so the report on stdout stays clean for docs.
    const elapsed = (performance.now() - t0) / 1000;
    process.stderr.write(
      `  ${name}: day ${done}/${days}, ${(done * PER_DAY).toLocaleString('en')} workouts, ` +
        `${fixed((done * PER_DAY) / elapsed, 1)}/s, ${fixed(elapsed)} s\n`,
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const routes = Object.fromEntries(
    [...latencies].map(([route, l]) => {
      const s = summarize(l);
      return [route, { n: s.n, p50: s.p50, p99: s.p99 }];
    }),
  );
  return {
    name,
    days: done,
    workouts: done * PER_DAY,
    requests,
    seconds,
    routes,
    checkedUsers: 0,
    storedWorkouts: 0,
  };
}

/** Every user's GET /stats and stored STATS item and day buckets against a recount. */
async function verify(part: Part): Promise<void> {
  let stored = 0;
  let next = 0;
  const problems: string[] = [];
  const worker = async () => {
    while (next < USERS) {
      const u = next++;
      const res = await http.request('GET', `/stats/${users[u]}`, { authorization: `Bearer ${tokens[u]}` });
      const r = await recountUser(db, tableName, users[u]!, JSON.parse(res.body) as StatsAnswer);
      problems.push(...r.problems.map((p) => `${users[u]}: ${p}`));
      stored += r.workouts.length;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (problems.length)
    throw new Error(`statistics differ from a recount:\n${problems.slice(0, 20).join('\n')}`);
  part.checkedUsers = USERS;
  part.storedWorkouts = stored;
}

function report(part: Part): void {
  heading(part.name);
  console.log(
    `${part.days} day(s): ${part.workouts.toLocaleString('en')} workouts, ${part.requests.toLocaleString('en')} requests in ${fixed(part.seconds, 1)} s: ` +
      `**${fixed(part.workouts / part.seconds, 1)} workouts/s, ${fixed(part.requests / part.seconds)} requests/s**; ` +
      `one day of traffic in ${fixed(part.seconds / part.days, 1)} s (${fixed((86_400 * part.days) / part.seconds)}× real time).`,
  );
  console.log(
    '\n' +
      table(
        ['route', 'requests', 'p50 ms', 'p99 ms'],
        Object.entries(part.routes).map(([r, s]) => [r, s.n, ms(s.p50), ms(s.p99)]),
      ),
  );
  console.log(
    `\nStatistics of all ${part.checkedUsers} users (GET /stats, the STATS items and every day bucket) equal a recount of the ` +
      `${part.storedWorkouts.toLocaleString('en')} stored workouts: **yes**.`,
  );
}

const day = await replay(`One day: ${PER_DAY.toLocaleString('en')} workouts`, 0, 1, Infinity);
await verify(day);
report(day);

const many = await replay(
  `Then ${DAYS} days more (${(DAYS * PER_DAY).toLocaleString('en')} workouts)`,
  1,
  DAYS,
  BUDGET_MS,
);
await verify(many);
report(many);
if (many.days < DAYS) {
  const rate = many.workouts / many.seconds;
  console.log(
    `\n**Scaled down**: ${many.days} of the ${DAYS} days fit in the ${BUDGET_MS / 1000} s budget. At the measured ` +
      `${fixed(rate, 1)} workouts/s the full ${(DAYS * PER_DAY).toLocaleString('en')} would take about ` +
      `${fixed((DAYS * PER_DAY) / rate / 60)} minutes on this machine (\`npm run bench:day -- --budget 0\`).`,
  );
}

await saveResults('docs/results/day.json', {
  machine: machine(),
  users: USERS,
  concurrency: CONCURRENCY,
  parts: [day, many],
});
await bench.stop();
