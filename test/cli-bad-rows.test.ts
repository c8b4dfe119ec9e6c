/**
 * `workout-log import` of a Strava file with bad rows: the good rows are stored; the rest (parser
 * errors, 400 and 409 from the service) are reported with row, reason and original line; exit 1.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { cliHarness } from './cli-harness.ts';

const { importAs, assertExact, copy } = await cliHarness();

describe('workout-log import: bad rows', () => {
  test('bad rows: the good ones are stored, the rest reported with row, reason and line; exit 1', async () => {
    const file = copy('strava-bad-rows.csv');
    // One batch at a time: rows 2 and 11 share an id, and the first one sent must win.
    const { run, summary } = await importAs('bad-user', file, ['--batch-size', '3', '--concurrency', '1']);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(summary.imported + summary.present, 3); // present: a batch retried after a 503
    assert.equal(summary.rejected, 6);
    assert.deepEqual(summary.skippedByType, { Kayaking: 1 });
    assert.equal(summary.reportFile, `${file}.rejected.csv`);
    const report = readFileSync(`${file}.rejected.csv`, 'utf8');
    const rows = report
      .trim()
      .split(/\r?\n(?=\d+,)/)
      .slice(1)
      .map((l) => l.split(',', 1)[0]);
    assert.deepEqual(rows, ['3', '4', '5', '6', '9', '11']);
    assert.match(report, /^row,reason,line\r?\n/);
    assert.match(report, /6,400 invalid_fields: durationSeconds must be at most 86400,"12000000005,/);
    assert.match(
      report,
      /11,409 workout_conflict: [^\n]*,"12000000001,""Mar 10, 2024, 7:00:00 AM"",""Good run, edited later""/,
    );
    assert.match(run.stdout + run.stderr, /rejected/);
    await assertExact('bad-user', 3);
  });
});
