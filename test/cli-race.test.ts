/**
 * `workout-log import` racing single writes of the same and other workouts: every workout stored
 * once, statistics equal to a recount.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { retryAfterMs } from '../src/cli/http.ts';
import { cli, cliHarness, summaryOf } from './cli-harness.ts';

const { t, work, assertExact, ndjsonFile } = await cliHarness();

/** 503s seen by the single writes (retried after Retry-After, as a client would). */
let unavailable = 0;

/** POST /workouts as the racer, retrying a 503 after its Retry-After; the final status. */
async function postRetrying(body: unknown): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const r = await t.call('POST', '/workouts', { as: 'racer', body });
    if (r.status !== 503 || attempt === 10) return r.status;
    unavailable++;
    await new Promise((resolve) =>
      setTimeout(resolve, (retryAfterMs(r.headers.get('retry-after')) ?? 1000) * Math.min(attempt, 3)),
    );
  }
}

describe('workout-log import, raced', () => {
  test('an import racing single writes of the same and other workouts', async () => {
    const n = 400;
    const file = ndjsonFile('race.ndjson', n, 'x');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const token = await t.token('racer');
    const importing = cli([
      'import',
      file,
      '--api',
      t.url,
      '--token',
      token,
      '--state-dir',
      join(work, 'state-race'),
      '--batch-size',
      '25',
      '--concurrency',
      '4',
      '--json',
    ]);
    // Meanwhile: the same workouts one by one (same content: 200 or 201), and new ones.
    const singles: Promise<number>[] = [];
    for (let i = 0; i < 60; i++) {
      const body =
        i % 2 === 0
          ? JSON.parse(lines[(i * 7) % n] as string)
          : { ...JSON.parse(lines[i] as string), workoutId: `single-${i}` };
      singles.push(postRetrying(body));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 15));
    }
    const statuses = await Promise.all(singles);
    assert.ok(
      statuses.every((s) => s === 200 || s === 201),
      statuses.join(','),
    );
    const run = await importing;
    assert.equal(run.code, 0, run.stderr);
    const s = summaryOf(run);
    assert.equal(s.imported + s.present, n);
    await assertExact('racer', n + 30);
    if (unavailable)
      console.log(`# the racing single writes were answered 503 ${unavailable} times (retried)`);
  });
});
