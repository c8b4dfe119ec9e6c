/**
 * `workout-log import` stopped with Ctrl-C (SIGINT): it waits for the batches in flight, saves
 * the state and exits 130; the next run finishes the job. Statistics equal a recount.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cli, cliHarness, summaryOf } from './cli-harness.ts';

const { t, work, assertExact, ndjsonFile } = await cliHarness();

describe('workout-log import, interrupted', () => {
  test('Ctrl-C: stops after the batches in flight, saves the state; the next run finishes', async () => {
    const n = 400;
    const file = ndjsonFile('interrupt.ndjson', n, 'i');
    const stateDir = join(work, 'state-interrupt');
    const token = await t.token('interrupted');
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
      '20',
      '--concurrency',
      '2',
      '--json',
    ];
    const first = cli(args);
    while (!existsSync(stateDir) || readdirSync(stateDir).length === 0)
      await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGINT');
    const stopped = await first;
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.equal(summaryOf(stopped).interrupted, true);
    const second = await cli(args);
    assert.equal(second.code, 0, second.stderr);
    const s = summaryOf(second);
    assert.ok(s.resumedBatches > 0);
    await assertExact('interrupted', n);
  });
});
