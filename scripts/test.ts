/**
 * The test runner: starts one in-memory DynamoDB Local for the whole run, then runs the test files
 * with Node's test runner against it (each file uses tables of its own).
 *
 *   npm test                          the everyday suite: every test/*.test.ts but the long tier
 *                                     (isLong below), with fuzzing and races at everyday strength
 *   npm run test:all                  everything: adds the long tier and runs fuzzing and races at
 *                                     full strength (FUZZ_RUNS=100, RACE_WRITES=200). CI runs this.
 *   npm test -- test/stats.test.ts    a subset (any tier); `--all` before the files: full strength
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { SHORT_RUN_JVM_OPTIONS, launchEmbeddedDynamoDb } from '../src/runtime/embedded-dynamodb.ts';

/**
 * Files that only `test:all` (and CI) runs, measured slow on 2 cores (`npm test` prints time per
 * file): killing and restarting databases and services (faults, runtime: its own Java twice), a
 * browser (console), CDK synthesis and cdk-nag (template), code generation (typed-client), and the
 * CLI's process-level scenarios, test/cli*.test.ts (each CLI run is a process of its own; the
 * parsers they share with the console are in import.test.ts, which is everyday).
 */
const LONG_FILES = new Set(['faults', 'runtime', 'console', 'template', 'typed-client']);
const isLong = (file: string) => {
  const name = file.replace(/^test\//, '').replace(/\.test\.ts$/, '');
  return LONG_FILES.has(name) || name === 'cli' || name.startsWith('cli-');
};

const args = process.argv.slice(2);
const all = args.includes('--all');
const named = args.filter((a) => a !== '--all');
const files = named.length
  ? named
  : readdirSync('test')
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => `test/${f}`)
      .filter((f) => all || !isLong(f));

/** Full strength for test:all; an explicit value in the environment wins either way. */
const strength: Record<string, string> = all ? { FUZZ_RUNS: '100', RACE_WRITES: '200' } : {};

const started = performance.now();
// Java starts while the test processes load; test/helpers.ts waits until it answers.
const ddb = await launchEmbeddedDynamoDb({ jvmOptions: SHORT_RUN_JVM_OPTIONS });
const code = await new Promise<number>((resolve) => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      // Three files at once on 2 cores keep both busy while a file waits (a deadline, a slow
      // body, Java starting): 30-41 s (median 34.5) against 35-42 s with two. The long tier keeps two: its
      // files kill and restart processes on timers of their own.
      `--test-concurrency=${all ? 2 : 3}`,
      `--test-timeout=${all ? 600_000 : 120_000}`,
      // TAP as always, and a table of time per file at the end (on stderr).
      ...(process.env.FILE_TIMES === '0'
        ? []
        : [
            '--test-reporter=tap',
            '--test-reporter-destination=stdout',
            '--test-reporter=./test/support/file-times.mjs',
            '--test-reporter-destination=stderr',
          ]),
      ...files,
    ],
    {
      stdio: 'inherit',
      env: {
        ...strength,
        ...process.env,
        DYNAMODB_ENDPOINT: ddb.endpoint,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      },
    },
  );
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  ddb.ready.catch((err: Error) => {
    process.stderr.write(`test: the suite's database did not start: ${err.message}\n`);
    child.kill('SIGTERM');
  });
});
await ddb.stop();
process.stderr.write(
  `${all ? 'test:all' : 'test'}: ${files.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
process.exit(code);
