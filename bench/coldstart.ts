/**
 * `npm run bench:coldstart [-- --runs 30] [-- --compare-clients]`: what a Lambda cold start costs
 * in this service's own code, on this machine.
 *
 * 1. Builds the artifact (`npm run build`) and prints its size: the handler, its chunks, the part
 *    loaded at import (the static import graph) and the zip.
 * 2. Import time: `node -e 0` against `node -e "await import(dist/api/index.mjs)"`, whole processes,
 *    interleaved run by run so that machine noise hits both alike; median and p90.
 * 3. The first requests after import: the handler called with API Gateway REST events (GET /health,
 *    POST /workouts, GET /stats) against DynamoDB Local, in fresh processes.
 * 4. With --compare-clients: the same import measurement for minimal bundles of Hono, of the
 *    DynamoDB client this service uses (aws-lite) and of AWS SDK v3's @aws-sdk/client-dynamodb,
 *    which is installed for this into .tmp/client-compare (never into the project).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { buildLambda, BUNDLE_OPTIONS } from '../scripts/build.ts';
import { fixed, heading, kib, machine, ms, saveResults, summarize, table } from './lib/report.ts';
import { startBench } from './lib/setup.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    'compare-clients': { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(20, Number(args.runs));
const SCRATCH = resolve('.tmp/coldstart');
mkdirSync(SCRATCH, { recursive: true });

console.log(`# Cold start\n\nMachine: ${machine()}\nRuns per variant: ${RUNS}`);

// 1. Build and sizes ------------------------------------------------------------------------------
heading('Artifact size (`npm run build`)');
const built = await buildLambda('dist');
const entry = resolve('dist/api/index.mjs');

/** Files a module imports statically (`from"./x.mjs"`), recursively: what loads at import time. */
function staticGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const m of code.matchAll(
    /(?:^|[;}\s])(?:import|export)\s*[^'"();]*?from\s*["'](\.{1,2}\/[^"']+)["']/g,
  )) {
    staticGraph(resolve(dirname(file), m[1]!), seen);
  }
  return seen;
}
const atImport = staticGraph(entry);
const files = readdirSync('dist/api', { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath, e.name));
const sizeRows = files
  .map((f) => [f, statSync(f).size, atImport.has(resolve(f)) ? 'at import' : 'on demand'] as const)
  .sort((a, b) => b[1] - a[1]);
const importBytes = sizeRows.filter((r) => r[2] === 'at import').reduce((s, r) => s + r[1], 0);
console.log(
  table(
    ['file', 'size', 'loaded'],
    [
      ...sizeRows.map(([f, size, when]) => [f, kib(size), when]),
      ['**loaded at import (total)**', `**${kib(importBytes)}**`, ''],
      ['dist/api.zip (deployed)', kib(built.zipBytes), ''],
    ],
  ),
);

// 2. Import time, whole processes, interleaved ------------------------------------------------------
/** Wall time of one `node` process, in milliseconds. */
function timeProcess(argv: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${argv.join(' ')} failed: ${r.stderr.toString().slice(0, 500)}`);
  return elapsed;
}

const importOf = (file: string) => [
  '--input-type=module',
  '-e',
  `await import(${JSON.stringify(pathToFileURL(file).href)})`,
];

interface Variant {
  name: string;
  argv: string[];
  bytes?: number;
}

function measureInterleaved(variants: Variant[], runs: number): Map<string, number[]> {
  const times = new Map(variants.map((v) => [v.name, [] as number[]]));
  for (const v of variants) timeProcess(v.argv); // warm the file cache once
  for (let i = 0; i < runs; i++) {
    // A different order every run: no variant always follows a cold one.
    const order = [...variants].sort(() => Math.random() - 0.5);
    for (const v of order) times.get(v.name)!.push(timeProcess(v.argv));
  }
  return times;
}

function importTable(variants: Variant[], times: Map<string, number[]>, baseline: string): string {
  const base = summarize(times.get(baseline)!);
  return table(
    ['process', 'size', 'median ms', 'p90 ms', 'median over `node -e 0`'],
    variants.map((v) => {
      const s = summarize(times.get(v.name)!);
      return [
        v.name,
        v.bytes === undefined ? '' : kib(v.bytes),
        ms(s.p50),
        ms(s.p90),
        v.name === baseline ? '—' : `+${ms(s.p50 - base.p50)}`,
      ];
    }),
  );
}

heading(`Import time (${RUNS} interleaved runs of each, whole process wall time)`);
const BARE = '`node -e 0`';
const variants: Variant[] = [
  { name: BARE, argv: ['-e', '0'] },
  { name: '`node --input-type=module -e 0`', argv: ['--input-type=module', '-e', '0'] },
  { name: '`import(dist/api/index.mjs)`', argv: importOf(entry), bytes: importBytes },
];
const times = measureInterleaved(variants, RUNS);
console.log(importTable(variants, times, BARE));
const importCost = summarize(times.get(variants[2]!.name)!).p50 - summarize(times.get(BARE)!).p50;
console.log(
  `\nImport of the handler over bare Node: **${ms(importCost)} ms** (target < 40 ms: ${importCost < 40 ? 'met' : 'missed'}).`,
);

// 3. First requests after import ---------------------------------------------------------------------
heading('First requests after import (fresh process each run, DynamoDB Local on loopback)');
const tableName = 'coldstart';
const bench = await startBench({ tableName, service: 'none' });
const ddb = bench.ddb;

// Plain JavaScript (bench/lib/first-requests.mjs), so that no TypeScript loader takes part in what
// is measured.
const probe = fileURLToPath(new URL('./lib/first-requests.mjs', import.meta.url));
const probeArgs = [probe, pathToFileURL(entry).href];
const env = {
  ...process.env,
  TABLE_NAME: tableName,
  DYNAMODB_ENDPOINT: ddb.endpoint,
  AWS_REGION: 'eu-west-1',
  LOG_LEVEL: 'warn',
};
const phases = {
  boot: [] as number[],
  importMs: [] as number[],
  importCpu: [] as number[],
  health: [] as number[],
  post: [] as number[],
};
const extra = { stats: [] as number[], warmHealth: [] as number[] };
const firstRuns = Math.max(10, Math.round(RUNS / 2));
for (let i = 0; i < firstRuns; i++) {
  const out = execFileSync(process.execPath, probeArgs, { env, encoding: 'utf8' });
  // The handler logs to stdout (as on Lambda); the probe's own line is marked.
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no result from the probe:\n${out.slice(-1000)}`);
  const { t, statuses, importCpu } = JSON.parse(line.slice(7)) as {
    t: number[];
    statuses: number[];
    importCpu: number;
  };
  if (statuses.join() !== '200,201,200,200') throw new Error(`unexpected statuses ${statuses.join()}`);
  phases.boot.push(t[0]!);
  phases.importMs.push(t[1]! - t[0]!);
  phases.importCpu.push(importCpu);
  phases.health.push(t[2]! - t[1]!);
  phases.post.push(t[3]! - t[2]!);
  extra.stats.push(t[4]! - t[3]!);
  extra.warmHealth.push(t[5]! - t[4]!);
}
await bench.stop();
const row = (name: string, v: number[]) => {
  const s = summarize(v);
  return [name, ms(s.p50), ms(s.p90)];
};
console.log(
  table(
    ['phase (inside the process)', 'median ms', 'p90 ms'],
    [
      row('Node start until user code runs', phases.boot),
      row('`await import(index.mjs)`, wall time', phases.importMs),
      row('`await import(index.mjs)`, CPU time (user + system)', phases.importCpu),
      row('1st event: GET /health (init: client, config; 1 GetItem)', phases.health),
      row('2nd event: POST /workouts (first write; GetItem + TransactWriteItems)', phases.post),
      row('3rd event: GET /stats/{userId} (1 Query)', extra.stats),
      row('4th event: GET /health again (warm)', extra.warmHealth),
    ],
  ),
);
const firstRequest = summarize(phases.health).p50;

// 4. Client libraries compared --------------------------------------------------------------------
let clients: { name: string; bytes: number; p50: number; overBare: number }[] | undefined;
if (args['compare-clients']) {
  heading('DynamoDB client libraries compared (minimal bundles, same esbuild settings)');
  const dir = resolve('.tmp/client-compare');
  mkdirSync(join(dir, 'out'), { recursive: true });
  if (!existsSync(join(dir, 'node_modules/@aws-sdk/client-dynamodb'))) {
    console.log('installing @aws-sdk/client-dynamodb into .tmp/client-compare (not into the project) ...');
    writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', '@aws-sdk/client-dynamodb@3'], {
      cwd: dir,
      stdio: 'inherit',
    });
  }
  const sdkVersion = (
    JSON.parse(readFileSync(join(dir, 'node_modules/@aws-sdk/client-dynamodb/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const liteVersion = (
    JSON.parse(readFileSync('node_modules/@aws-lite/client/package.json', 'utf8')) as { version: string }
  ).version;
  // Each entry makes a client and sends nothing: the import and construction is what is measured.
  // Each library twice: imported only, and imported with a client made (what the first event pays).
  const entries: [string, string, string][] = [
    [
      'hono',
      'hono, an app with one route',
      `import { Hono } from 'hono'; const app = new Hono(); app.get('/', (c) => c.text('x')); export default app;`,
    ],
    [
      'aws-lite-import',
      `@aws-lite/client ${liteVersion} + dynamodb plugin, imported`,
      `import awsLite from '@aws-lite/client'; import dynamodb from '@aws-lite/dynamodb'; export { awsLite, dynamodb };`,
    ],
    [
      'aws-lite',
      `@aws-lite/client ${liteVersion} + dynamodb plugin, client made`,
      `import awsLite from '@aws-lite/client'; import dynamodb from '@aws-lite/dynamodb';
      export const aws = await awsLite({ region: 'eu-west-1', plugins: [dynamodb], accessKeyId: 'x', secretAccessKey: 'x' });`,
    ],
    [
      'aws-sdk-v3-import',
      `@aws-sdk/client-dynamodb ${sdkVersion}, imported`,
      `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb'; export { DynamoDBClient, GetItemCommand };`,
    ],
    [
      'aws-sdk-v3',
      `@aws-sdk/client-dynamodb ${sdkVersion}, client made`,
      `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
      export const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
      export const cmd = GetItemCommand;`,
    ],
  ];
  const bundles: Variant[] = [{ name: BARE, argv: ['-e', '0'] }];
  for (const [name, label, code] of entries) {
    const src = join(dir, `entry-${name}.mjs`);
    writeFileSync(src, code);
    const outfile = join(dir, 'out', `${name}.mjs`);
    await build({
      entryPoints: [src],
      outfile,
      ...BUNDLE_OPTIONS,
      nodePaths: [join(dir, 'node_modules'), resolve('node_modules')],
      logLevel: 'error',
    });
    bundles.push({ name: label, argv: importOf(outfile), bytes: statSync(outfile).size });
  }
  bundles.push({ name: 'this service (dist/api/index.mjs)', argv: importOf(entry), bytes: importBytes });
  const t2 = measureInterleaved(bundles, RUNS);
  console.log(importTable(bundles, t2, BARE));
  const bare = summarize(t2.get(BARE)!).p50;
  clients = bundles.map((b) => {
    const p50 = summarize(t2.get(b.name)!).p50;
    return { name: b.name, bytes: b.bytes ?? 0, p50, overBare: p50 - bare };
  });
}

await saveResults('docs/results/coldstart.json', {
  machine: machine(),
  runs: RUNS,
  bundle: { importBytes, zipBytes: built.zipBytes, files: sizeRows },
  importTime: Object.fromEntries(variants.map((v) => [v.name, summarize(times.get(v.name)!)])),
  importOverBareMs: importCost,
  firstRequests: Object.fromEntries(
    Object.entries({ ...phases, ...extra }).map(([k, v]) => [k, summarize(v)]),
  ),
  ...(clients ? { clients } : {}),
});
console.log(
  `\nSummary: import +${fixed(importCost, 1)} ms over bare Node; first request (GET /health, incl. init) ${fixed(firstRequest, 1)} ms. Figures saved to docs/results/coldstart.json.`,
);
