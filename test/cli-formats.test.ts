/**
 * `workout-log import` of NDJSON (export lines and API lines) and of a generic CSV with
 * --columns, against the real local service; importing the CSV again stores nothing new (ids
 * from the rows' content). Statistics equal a recount.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cliHarness } from './cli-harness.ts';

const { work, importAs, assertExact, copy } = await cliHarness();

describe('workout-log import: NDJSON and CSV', () => {
  test('NDJSON and a generic CSV with --columns', async () => {
    const nd = await importAs('nd-user', copy('workouts.ndjson'), ['--map', 'Rowing=running']);
    assert.equal(nd.run.code, 0, nd.run.stderr);
    assert.equal(nd.summary.imported + nd.summary.present, 4); // present: a batch retried after a 503
    const csv = await importAs('nd-user', copy('workouts.csv'), [
      '--columns',
      'workoutType=Type,startedAt=Date,durationMinutes=Minutes,distanceKm=Km',
      '--columns',
      'caloriesBurned=Kcal,avgHeartRate=HR,notes=Comment',
    ]);
    assert.equal(csv.run.code, 0, csv.run.stderr);
    assert.equal(csv.summary.imported + csv.summary.present, 4);
    await assertExact('nd-user', 8);
    const again = await importAs('nd-user', join(work, 'workouts.csv'), [
      '--columns',
      'workoutType=Type,startedAt=Date,durationMinutes=Minutes,distanceKm=Km,caloriesBurned=Kcal,avgHeartRate=HR,notes=Comment',
    ]);
    assert.equal(again.summary.present, 4, 'rows without ids get ids from their content: stored once');
    await assertExact('nd-user', 8);
  });
});
