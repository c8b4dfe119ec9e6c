/**
 * `workout-log import` end to end: the CLI as a separate process against the real local service
 * over HTTP on DynamoDB Local (test/cli-harness.ts). A Strava export imported, then imported
 * again with nothing counted twice, statistics equal to a recount each time; --map. The other
 * test/cli-*.test.ts files have the other formats, bad rows, export, kills, Ctrl-C, races,
 * retries and usage (a few CLI runs each, so every file stays well inside the runner's time limit).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cliHarness } from './cli-harness.ts';

const { t, work, importAs, assertExact, copy } = await cliHarness();

describe('workout-log import, end to end', () => {
  test('a Strava export: imported, then imported again with nothing counted twice', async () => {
    const file = copy('strava-activities.csv');
    const first = await importAs('strava-user', file);
    assert.equal(first.run.code, 0, first.run.stderr);
    assert.deepEqual(
      {
        // "present" only when a batch was answered 503 after it was stored, then sent again
        stored: first.summary.imported + first.summary.present,
        rejected: first.summary.rejected,
        skipped: first.summary.skippedByType,
      },
      { stored: 10, rejected: 0, skipped: { Rowing: 1, Workout: 1 } },
    );
    await assertExact('strava-user', 10);
    const stored = await t.call<{
      durationSeconds: number;
      distanceKm: number;
      startedAt: string;
      avgHeartRate: number;
    }>('GET', '/workouts/strava-10912345678', { as: 'strava-user' });
    assert.equal(stored.status, 200);
    assert.equal(stored.body.durationSeconds, 2712);
    assert.equal(stored.body.distanceKm, 8.043);
    assert.equal(stored.body.avgHeartRate, 151);
    assert.equal(Date.parse(stored.body.startedAt), Date.parse('2024-03-05T07:15:42Z'));

    const again = await importAs('strava-user', file);
    assert.equal(again.run.code, 0, again.run.stderr);
    assert.equal(again.summary.imported, 0);
    assert.equal(again.summary.present, 10);
    await assertExact('strava-user', 10);
    assert.equal(readdirSync(join(work, 'state')).length, 0, 'a finished import leaves no state behind');
  });

  test('--map brings in a skipped type when the service has it', async () => {
    const file = copy('strava-activities.csv');
    const { run, summary } = await importAs('mapper', file, [
      '--map',
      'Workout=crossfit',
      '--map',
      'Rowing=rowing',
    ]);
    assert.equal(run.code, 2); // the service has no "rowing"
    assert.match(run.stderr, /--map Rowing=rowing: the service has no workout type "rowing"/);
    void summary;
    const ok = await importAs('mapper', file, ['--map', 'Workout=crossfit']);
    assert.equal(ok.run.code, 0, ok.run.stderr);
    assert.equal(ok.summary.imported + ok.summary.present, 11);
    assert.deepEqual(ok.summary.skippedByType, { Rowing: 1 });
    await assertExact('mapper', 11);
  });
});
