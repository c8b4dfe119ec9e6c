/**
 * `workout-log export` (NDJSON and CSV, following Link pages) and the import of both back as
 * another user, with the same statistics.
 */
import assert from 'node:assert/strict';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Papa from 'papaparse';
import { nextLink, underBase } from '../src/cli/exporter.ts';
import { parseWorkouts } from '../src/import/index.ts';
import { cli, cliHarness, summaryOf } from './cli-harness.ts';

const { t, work, assertExact } = await cliHarness();

describe('workout-log export', () => {
  test('NDJSON and CSV; both import back as another user with the same statistics', async () => {
    // Seeded through the API (the parsers in this process, one batch): the CLI runs are the export's.
    const seed: unknown[] = [];
    for await (const r of parseWorkouts(createReadStream('test/fixtures/strava-activities.csv', 'utf8'))) {
      if ('workout' in r) seed.push(r.workout);
    }
    const seeded = await t.call<{ results: { status: number }[] }>('POST', '/workouts/batch', {
      as: 'exporter',
      body: { workouts: seed },
    });
    assert.deepEqual(
      seeded.body.results.map((r) => r.status),
      seed.map(() => 201),
    );
    const token = await t.token('exporter');
    const nd = await cli([
      'export',
      '--api',
      t.url,
      '--token',
      token,
      '--out',
      join(work, 'exporter.ndjson'),
    ]);
    assert.equal(nd.code, 0, nd.stderr);
    assert.match(nd.stderr, /exported 10 workouts in 1 page/);
    const csv = await cli(['export', '--format', 'csv'], {
      WORKOUT_API_URL: t.url,
      WORKOUT_API_TOKEN: token,
    });
    assert.equal(csv.code, 0, csv.stderr);
    const parsed = Papa.parse<string[]>(csv.stdout.trim()).data; // notes may hold line breaks
    assert.equal(parsed.length, 11);
    assert.deepEqual(parsed[0]?.slice(0, 4), ['workoutId', 'userId', 'workoutType', 'startedAt']);
    writeFileSync(join(work, 'exporter.csv'), csv.stdout);

    const admin = await t.token('coach', { admin: true });
    for (const [copyUser, f] of [
      ['exporter-nd', 'exporter.ndjson'],
      ['exporter-csv', 'exporter.csv'],
    ] as const) {
      const run = await cli([
        'import',
        join(work, f),
        '--api',
        t.url,
        '--token',
        admin,
        '--user',
        copyUser,
        '--state-dir',
        join(work, 'state'),
        '--json',
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(summaryOf(run).imported + summaryOf(run).present, 10);
      await assertExact(copyUser, 10);
      const a = await t.call<Record<string, number>>('GET', '/stats/exporter', { as: 'exporter' });
      const b = await t.call<Record<string, number>>('GET', `/stats/${copyUser}`, { as: copyUser });
      for (const k of [
        'totalWorkouts',
        'totalDurationMinutes',
        'totalCaloriesBurned',
        'totalDistanceKm',
      ] as const) {
        assert.equal(b.body[k], a.body[k], `${copyUser} ${k}`);
      }
    }
  });

  test('Link headers: rel="next" found, kept under an API base with a path', () => {
    assert.equal(nextLink('</users/ana/export?cursor=abc>; rel="next"'), '/users/ana/export?cursor=abc');
    assert.equal(nextLink('</a>; rel="prev", </b>; rel=next'), '/b');
    assert.equal(nextLink(null), null);
    assert.equal(underBase('http://h/dev', '/users/ana/export?cursor=x'), 'users/ana/export?cursor=x');
    assert.equal(underBase('http://h/dev/', '/dev/users/ana/export?cursor=x'), 'users/ana/export?cursor=x');
    assert.equal(underBase('http://h', 'http://h/users/a/export?cursor=y'), 'users/a/export?cursor=y');
  });
});
