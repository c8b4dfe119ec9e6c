/**
 * `workout-log import` with an admin token of a file naming many users, interleaved: the service
 * takes one user per batch, so the CLI gathers each user's workouts in file order. Every user's workouts stored once, statistics equal to a recount.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cli, cliHarness, summaryOf } from './cli-harness.ts';

const { t, work, assertExact } = await cliHarness();

describe('workout-log import, many users', () => {
  test('an interleaved multi-user NDJSON file with an admin token', async () => {
    const users = ['u-a', 'u-b', 'u-c', 'u-d', 'u-e', 'u-f', 'u-g'];
    const lines: string[] = [];
    for (let i = 0; i < 700; i++) {
      lines.push(
        JSON.stringify({
          userId: users[i % users.length],
          workoutId: `m-${i}`,
          workoutType: i % 2 ? 'running' : 'walking',
          startedAt: new Date(Date.UTC(2025, 5, 1) + i * 3_600_000).toISOString(),
          durationMinutes: 20 + (i % 40),
        }),
      );
    }
    const file = join(work, 'users.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');
    const admin = await t.token('coach', { admin: true });
    const run = await cli([
      'import',
      file,
      '--api',
      t.url,
      '--token',
      admin,
      '--state-dir',
      join(work, 'state'),
      '--batch-size',
      '30',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const s = summaryOf(run);
    assert.equal(s.imported + s.present, 700);
    assert.equal(s.rejected, 0);
    assert.equal(s.batches, users.length * 4); // 100 workouts a user, 30 a batch

    for (const u of users) await assertExact(u, 100);
  });
});
