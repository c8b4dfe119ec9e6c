/**
 * Shared by the test/cli*.test.ts files (each calls `await cliHarness()` once, at the top): runs
 * `workout-log` as a separate process against the real local service, and checks statistics
 * against a recount.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from './helpers.ts';
import { recountUser, type StatsAnswer } from './support/exactness.ts';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Summary {
  imported: number;
  present: number;
  rejected: number;
  skipped: number;
  rows: number;
  skippedByType: Record<string, number>;
  batches: number;
  resumedBatches: number;
  reportFile?: string;
  interrupted: boolean;
}

/** `workout-log <args>` as a child process; the promise has the child for signals. */
export function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<Run> & { child: ReturnType<typeof spawn> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/workout-log.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return Object.assign(done, { child });
}

/** The `--json` summary (the last line of stdout). */
export const summaryOf = (run: Run): Summary =>
  JSON.parse(run.stdout.trim().split('\n').at(-1) || '{}') as Summary;

export async function cliHarness() {
  const t: TestService = await startTestService();
  const work = mkdtempSync(join(tmpdir(), 'workout-cli-'));
  return {
    t,
    work,
    /** Imports `file` with a token of `user` (`--json` summary); `api` to go through a proxy. */
    async importAs(user: string, file: string, extra: string[] = [], api?: string) {
      const token = await t.token(user);
      const run = await cli([
        'import',
        file,
        '--api',
        api ?? t.url,
        '--token',
        token,
        '--state-dir',
        join(work, 'state'),
        '--json',
        ...extra,
      ]);
      return { run, summary: summaryOf(run) };
    },
    /** GET /stats equals a recount of the stored workouts (STATS item and day buckets too), and counts `workouts`. */
    async assertExact(user: string, workouts: number) {
      const stats = await t.call<StatsAnswer>('GET', `/stats/${user}`, { as: user });
      assert.equal(stats.status, 200);
      const recount = await recountUser(t.db, t.tableName, user, stats.body);
      assert.deepEqual(recount.problems, [], `statistics of ${user} equal a recount`);
      assert.equal(stats.body.totalWorkouts, workouts);
    },
    /** An NDJSON file of `n` workouts (ids `${prefix}-i`), one a line, as the API takes them. */
    ndjsonFile(name: string, n: number, prefix: string): string {
      const path = join(work, name);
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        lines.push(
          JSON.stringify({
            workoutId: `${prefix}-${i}`,
            workoutType: ['running', 'cycling', 'yoga', 'walking'][i % 4],
            startedAt: new Date(Date.UTC(2025, 0, 1) + i * 7 * 3_600_000).toISOString().replace('.000Z', 'Z'),
            durationSeconds: 600 + (i % 50) * 37,
            distanceKm: i % 4 === 2 ? undefined : Math.round((1 + (i % 13) * 0.731) * 1000) / 1000,
            caloriesBurned: i % 3 === 0 ? undefined : 100 + (i % 17) * 12.25,
            intensity: ['low', 'moderate', 'high'][i % 3],
          }),
        );
      }
      writeFileSync(path, lines.join('\n') + '\n');
      return path;
    },
    /** A copy of a fixture in the work directory (reports are written next to the file). */
    copy(fixture: string): string {
      const path = join(work, fixture);
      writeFileSync(path, readFileSync(`test/fixtures/${fixture}`));
      return path;
    },
  };
}
