/**
 * `npm run bench:import [-- --count 100000 --users 1000 --batch-size 100 --concurrency 4
 * --singles 100000 --sample 2000 --save]`
 *
 * Imports `count` workouts for `users` users (an NDJSON file, one user's workouts together, as an
 * admin export would be) through the `workout-log` CLI, a separate process, into the local
 * service running as its own process on DynamoDB Local: time, workouts per second, the CLI's
 * peak memory (VmHWM), and whether every user's statistics equal a recount afterwards. Then the
 * same workouts, for other users, through single `POST /workouts` (16 in flight), for comparison.
 * Then write units per workout, billed as DynamoDB bills them (bench/lib/meter.ts), on a sample
 * of `sample` workouts through the CLI and through single POSTs, with the service in this process
 * on a metered database client (timings of that phase are not comparable, so none are shown).
 *
 * Last, the parsers alone on a generated `parse-mb` MB Strava activities.csv (default 100), in a
 * process that loads nothing else: time and peak memory (the file is streamed, never loaded).
 *
 * A quick run: `npm run bench:import -- --count 5000 --users 50 --singles 2000 --sample 500`.
 * `--count 0`, `--sample 0` or `--parse-mb 0` skip a phase.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '../src/store/dynamodb.ts';
import { ensureTable } from '../src/store/table.ts';
import { recountUser } from '../support/exactness.ts';
import { meteredDb } from './lib/meter.ts';
import { expectStatus, runPool } from './lib/pool.ts';
import { fixed, heading, machine, saveResults, table } from './lib/report.ts';
import { startBench, type Bench } from './lib/setup.ts';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    users: { type: 'string', default: '1000' },
    'batch-size': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '4' },
    singles: { type: 'string' },
    sample: { type: 'string', default: '2000' },
    save: { type: 'boolean', default: false },
    'parse-mb': { type: 'string', default: '100' },
  },
});

const COUNT = Number(args.count);
const USERS = Number(args.users);
const SINGLES = Number(args.singles ?? args.count);
const SAMPLE = Number(args.sample);
const TYPES = ['running', 'cycling', 'swimming', 'weightlifting', 'yoga', 'crossfit', 'hiking', 'walking'];

console.log(`# Import through workout-log\n\nMachine: ${machine()}`);
const work = mkdtempSync(join(tmpdir(), 'bench-import-'));

/** Workout `i` of the run (deterministic), for `user`. */
function workout(i: number, user: string) {
  const start = Date.UTC(2024, 0, 1) + (i % 700) * 86_400_000 + (i % 13) * 3_600_000;
  return {
    userId: user,
    workoutId: `w-${i}`,
    workoutType: TYPES[i % TYPES.length],
    startedAt: new Date(start).toISOString().replace('.000Z', 'Z'),
    durationSeconds: 900 + (i % 97) * 41,
    ...(i % 3 ? { distanceKm: Math.round((2 + (i % 29) * 0.613) * 1000) / 1000 } : {}),
    ...(i % 4 ? { caloriesBurned: 150 + (i % 31) * 9.5 } : {}),
    ...(i % 5 ? { avgHeartRate: 110 + (i % 60) } : {}),
    intensity: ['low', 'moderate', 'high'][i % 3],
    notes: `bench workout ${i}`,
  };
}

/** The NDJSON file: `count` workouts, `count / users` for each user in turn. */
async function writeFile(path: string, count: number, users: string[]): Promise<number> {
  const out = createWriteStream(path);
  const per = Math.ceil(count / users.length);
  for (let i = 0; i < count; i++) {
    if (!out.write(JSON.stringify(workout(i, users[Math.floor(i / per)]!)) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return per;
}

/** Runs the CLI; samples its peak resident memory (VmHWM) from /proc while it runs. */
async function runCli(bench: Bench, file: string, extra: string[] = []) {
  const admin = await bench.token('bench-admin', true);
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/workout-log.ts',
      'import',
      file,
      '--api',
      bench.url,
      '--token',
      admin,
      '--state-dir',
      join(work, 'state'),
      '--json',
      '--progress',
      'lines',
      '--progress-every',
      '30',
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let peakKb = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // exited
    }
  };
  const timer = setInterval(sample, 100);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    sample();
  });
  const [code] = (await once(child, 'close')) as [number];
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`workout-log exited ${code}: ${stdout}`);
  return {
    seconds,
    peakMiB: peakKb / 1024,
    summary: JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>,
  };
}

async function singles(bench: Bench, count: number, users: string[], concurrency = 16) {
  const admin = await bench.token('bench-admin', true);
  const per = Math.ceil(count / users.length);
  const r = await runPool({
    concurrency,
    durationMs: 3_600_000,
    maxOps: count,
    op: async (i) => {
      const body = JSON.stringify(workout(i, users[Math.floor(i / per)]!));
      expectStatus(
        await bench.http.request(
          'POST',
          '/workouts',
          { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body,
        ),
        201,
      );
    },
  });
  if (r.errors) throw new Error(`${r.errors} single POSTs failed: ${r.firstError}`);
  return { seconds: r.elapsedMs / 1000 };
}

async function exactUsers(bench: Bench, users: string[], expected: number): Promise<string> {
  let exact = 0;
  let stored = 0;
  for (const u of users) {
    const r = await recountUser(bench.db, bench.table.name, u);
    stored += r.workouts.length;
    if (!r.problems.length) exact++;
  }
  return `${exact}/${users.length} users exact, ${stored}/${expected} workouts stored`;
}

// Timed: the service as its own process, unmetered ----------------------------------------------
const rows: (string | number)[][] = [];
const results: Record<string, unknown> = {
  count: COUNT,
  users: USERS,
  batchSize: Number(args['batch-size']),
  concurrency: Number(args.concurrency),
};
if (COUNT > 0) {
  const bench = await startBench({ tableName: 'bench-import', service: 'process' });
  try {
    const users = Array.from({ length: USERS }, (_, i) => `cli-${i}`);
    const file = join(work, 'import.ndjson');
    await writeFile(file, COUNT, users);
    heading(`${COUNT.toLocaleString('en-US')} workouts for ${USERS} users through the CLI`);
    const cli = await runCli(bench, file, [
      '--batch-size',
      String(args['batch-size']),
      '--concurrency',
      String(args.concurrency),
    ]);
    const cliExact = await exactUsers(bench, users, COUNT);
    rows.push([
      'workout-log import (POST /workouts/batch)',
      COUNT,
      fixed(cli.seconds, 1),
      fixed(COUNT / cli.seconds),
      `${fixed(cli.peakMiB)} MiB`,
      cliExact,
    ]);
    results.cli = {
      seconds: cli.seconds,
      perSecond: COUNT / cli.seconds,
      peakMiB: cli.peakMiB,
      summary: cli.summary,
      exact: cliExact,
    };

    heading(`The same through single POST /workouts (${SINGLES.toLocaleString('en-US')}, 16 in flight)`);
    const singleUsers = Array.from(
      { length: Math.max(1, Math.round((USERS * SINGLES) / COUNT)) },
      (_, i) => `single-${i}`,
    );
    const one = await singles(bench, SINGLES, singleUsers);
    const singleExact = await exactUsers(bench, singleUsers, SINGLES);
    rows.push([
      'single POST /workouts',
      SINGLES,
      fixed(one.seconds, 1),
      fixed(SINGLES / one.seconds),
      '',
      singleExact,
    ]);
    results.singles = {
      count: SINGLES,
      seconds: one.seconds,
      perSecond: SINGLES / one.seconds,
      exact: singleExact,
    };
    console.log(table(['how', 'workouts', 'seconds', 'workouts/s', 'CLI peak memory', 'statistics'], rows));
  } finally {
    await bench.stop();
  }
}

// Write units: the service in this process, on a metered database client ---------------------
if (SAMPLE > 0) {
  let meter: ReturnType<typeof meteredDb> | undefined;
  const bench = await startBench({
    tableName: 'bench-import-units',
    service: 'in-process',
    serviceDb: async (endpoint) => {
      const raw = await createDb({ endpoint });
      await ensureTable(raw, 'bench-import-shadow');
      meter = meteredDb(await createDb({ endpoint }), raw, 'bench-import-shadow');
      return meter.db;
    },
  });
  try {
    const users = Array.from({ length: Math.max(1, Math.round(SAMPLE / 100)) }, (_, i) => `units-cli-${i}`);
    const file = join(work, 'units.ndjson');
    await writeFile(file, SAMPLE, users);
    heading(`Write units per workout (${SAMPLE} workouts, ${users.length} users; DynamoDB billing)`);
    meter!.take();
    await runCli(bench, file, [
      '--batch-size',
      String(args['batch-size']),
      '--concurrency',
      String(args.concurrency),
    ]);
    const viaCli = meter!.take();
    const singleUsers = users.map((u) => u.replace('units-cli', 'units-single'));
    await singles(bench, SAMPLE, singleUsers, 4);
    const viaSingles = meter!.take();
    const unitRows = [
      [
        'workout-log import',
        fixed(viaCli.write / SAMPLE, 2),
        fixed(viaCli.read / SAMPLE, 2),
        viaCli.operations.length,
        viaCli.refused,
      ],
      [
        'single POST /workouts',
        fixed(viaSingles.write / SAMPLE, 2),
        fixed(viaSingles.read / SAMPLE, 2),
        viaSingles.operations.length,
        viaSingles.refused,
      ],
    ];
    console.log(
      table(
        ['how', 'write units / workout', 'read units / workout', 'DynamoDB requests', 'refused'],
        unitRows,
      ),
    );
    results.units = {
      sample: SAMPLE,
      cli: {
        writePerWorkout: viaCli.write / SAMPLE,
        readPerWorkout: viaCli.read / SAMPLE,
        requests: viaCli.operations.length,
      },
      singles: {
        writePerWorkout: viaSingles.write / SAMPLE,
        readPerWorkout: viaSingles.read / SAMPLE,
        requests: viaSingles.operations.length,
      },
    };
  } finally {
    await bench.stop();
  }
}

const PARSE_ONLY = `
import { createReadStream } from 'node:fs';
import { parseWorkouts } from './src/import/index.ts';
const started = performance.now();
let workouts = 0;
for await (const r of parseWorkouts(createReadStream(process.argv[1], { encoding: 'utf8', highWaterMark: 65536 }))) {
  if ('workout' in r) workouts++;
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ workouts, seconds, peakMiB: process.resourceUsage().maxRSS / 1024 }));
`;

// The parsers alone on a large Strava export (a 100 MB file must not load whole) ------------------
const PARSE_MB = Number(args['parse-mb']);
if (PARSE_MB > 0) {
  const fixture = readFileSync('test/fixtures/strava-activities.csv', 'utf8').split('\n');
  const row = fixture[1]!.slice(fixture[1]!.indexOf(','));
  const file = join(work, 'activities.csv');
  const out = createWriteStream(file);
  out.write(fixture[0] + '\n');
  let bytes = 0;
  for (let i = 0; bytes < PARSE_MB * 2 ** 20; i++) {
    const line = `${30_000_000_000 + i}${row}\n`;
    bytes += line.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  heading(`The parsers alone: a ${PARSE_MB} MB Strava activities.csv`);
  // In a process of its own that loads only the parsers, so its peak memory is theirs.
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PARSE_ONLY, file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  await once(child, 'close');
  const parsed = JSON.parse(text) as { workouts: number; seconds: number; peakMiB: number };
  console.log(
    table(
      ['file', 'activities', 'seconds', 'activities/s', 'peak memory (RSS)'],
      [
        [
          `${PARSE_MB} MB`,
          parsed.workouts,
          fixed(parsed.seconds, 1),
          fixed(parsed.workouts / parsed.seconds),
          `${fixed(parsed.peakMiB)} MiB`,
        ],
      ],
    ),
  );
  results.parse = { megabytes: PARSE_MB, ...parsed };
}

rmSync(work, { recursive: true, force: true });
if (args.save) await saveResults('docs/results/import.json', { machine: machine(), ...results });
