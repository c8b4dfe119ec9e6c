/**
 * `workout-log import` killed mid-way (SIGKILL) and run again: the second run finishes from the
 * saved state; every workout is stored once and the statistics equal a recount.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cli, cliHarness, summaryOf } from './cli-harness.ts';
import type { StatsAnswer } from './support/exactness.ts';

const { t, work, assertExact, ndjsonFile } = await cliHarness();

describe('workout-log import, resumed', () => {
  test('killed mid-way, then run again: finishes the job, nothing counted twice', async () => {
    const n = 500;
    const file = ndjsonFile('resume.ndjson', n, 'r');
    const stateDir = join(work, 'state-resume');
    const token = await t.token('resumer');
    const args = [
      'import',
      file,
      '--api',
      t.url,
      '--token',
      token,
      '--state-dir',
      stateDir,
      '--batch-size',
      '10',
      '--concurrency',
      '1',
      '--json',
    ];
    const first = cli(args);
    // Wait until some batches are recorded, then kill it without warning.
    const deadline = Date.now() + 60_000;
    let recorded = 0;
    while (Date.now() < deadline) {
      const files = existsSync(stateDir) ? readdirSync(stateDir).filter((f) => f.endsWith('.json')) : [];
      if (files[0]) {
        try {
          recorded = Object.keys(
            (JSON.parse(readFileSync(join(stateDir, files[0]), 'utf8')) as { done: object }).done,
          ).length;
        } catch {
          // being renamed
        }
      }
      if (recorded >= 5) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    const killed = await first;
    assert.equal(killed.code, null, 'killed before it finished');
    assert.ok(recorded >= 5 && recorded < n / 10, `killed after ${recorded} batches`);
    const stats = await t.call<StatsAnswer>('GET', '/stats/resumer', { as: 'resumer' });
    assert.ok(stats.body.totalWorkouts < n, 'part of the file was stored');

    const second = await cli(args);
    assert.equal(second.code, 0, second.stderr);
    const summary = summaryOf(second);
    assert.ok(summary.resumedBatches >= recorded, `${summary.resumedBatches} batches resumed`);
    assert.equal(summary.batches, n / 10);
    await assertExact('resumer', n);
    assert.equal(readdirSync(stateDir).length, 0);
  });
});
