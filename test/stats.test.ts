/** Statistics: exact totals, ranges, time series in the user's zone, and their constant cost. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StatsBody } from '../src/domain/stats.ts';
import { startTestService, workout } from './helpers.ts';
import { assertStatsExact } from './support/exactness.ts';

let requests: string[] = [];
const t = await startTestService({ onRequest: (op) => requests.push(op) });

type Stats = StatsBody;
interface Series {
  granularity: string;
  buckets: {
    start: string;
    count: number;
    durationMinutes: number;
    durationSeconds: number;
    caloriesBurned: number;
    distanceKm: number;
  }[];
}

const getStats = async (u: string, query = '') => {
  const res = await t.call<Stats>('GET', `/stats/${u}${query}`, { as: u });
  assert.equal(res.status, 200, res.text);
  return res.body;
};
const series = async (u: string, query: string) => {
  const res = await t.call<Series>('GET', `/stats/${u}/timeseries?${query}`, { as: u });
  assert.equal(res.status, 200, res.text);
  return res.body.buckets;
};
const log = async (u: string, body: Record<string, unknown>) => {
  const res = await t.call('POST', '/workouts', { as: u, body: workout(body) });
  assert.equal(res.status, 201, res.text);
  return res.body;
};

describe('GET /stats/{userId}', () => {
  test('a user with no workouts (and no profile) gets zeros', async () => {
    assert.deepEqual(await getStats('nobody'), {
      userId: 'nobody',
      totalWorkouts: 0,
      totalDurationMinutes: 0,
      totalDurationSeconds: 0,
      totalCaloriesBurned: 0,
      totalDistanceKm: 0,
      averageDurationMinutes: 0,
      averageCaloriesBurned: 0,
      workoutTypeBreakdown: {},
      recentWorkouts: [],
    });
  });

  test('totals, averages, breakdown and the 10 newest', async () => {
    const u = 's1';
    for (let i = 0; i < 12; i++) {
      await log(u, {
        workoutId: `s${i}`,
        workoutType: i % 4 === 0 ? 'cycling' : 'running',
        startedAt: new Date(Date.parse('2026-11-01T08:00:00Z') + i * 86_400_000).toISOString(),
        durationMinutes: 30 + i,
        caloriesBurned: 100.5 + i,
        distanceKm: i % 4 === 0 ? undefined : 5.125,
      });
    }
    const s = await getStats(u);
    assert.equal(s.totalWorkouts, 12);
    assert.equal(s.totalDurationMinutes, 12 * 30 + 66);
    assert.equal(s.totalDurationSeconds, (12 * 30 + 66) * 60);
    assert.equal(s.totalCaloriesBurned, 12 * 100.5 + 66);
    assert.equal(s.totalDistanceKm, 9 * 5.125);
    assert.equal(s.averageDurationMinutes, 35.5);
    assert.equal(s.averageCaloriesBurned, 106);
    assert.deepEqual(s.workoutTypeBreakdown, {
      cycling: {
        count: 3,
        durationMinutes: 102,
        durationSeconds: 102 * 60,
        caloriesBurned: 301.5 + 12,
        distanceKm: 0,
      },
      running: {
        count: 9,
        durationMinutes: 324,
        durationSeconds: 324 * 60,
        caloriesBurned: 1272 - 313.5,
        distanceKm: 46.125,
      },
    });
    assert.deepEqual(
      s.recentWorkouts.map((w) => w.workoutId),
      ['s11', 's10', 's9', 's8', 's7', 's6', 's5', 's4', 's3', 's2'],
    );
    await assertStatsExact(t, u);
  });

  test('averages are rounded to 0.01; decimal sums are exact, with seconds too', async () => {
    const u = 's2';
    for (const d of [10, 10, 11]) await log(u, { durationMinutes: d, distanceKm: 0.1, caloriesBurned: 0.01 });
    // A watch's 25:20 and 0:01: minutes would round them, seconds keep them.
    await log(u, {
      durationMinutes: undefined,
      durationSeconds: 1520,
      distanceKm: 0.1,
      caloriesBurned: 0.01,
    });
    await log(u, { durationMinutes: undefined, durationSeconds: 1, distanceKm: 0.1, caloriesBurned: 0.01 });
    const s = await getStats(u);
    assert.equal(s.totalDurationSeconds, 31 * 60 + 1521);
    assert.equal(s.totalDurationMinutes, 56.35); // 3381 s
    assert.equal(s.averageDurationMinutes, 11.27);
    assert.equal(s.totalDistanceKm, 0.5); // not 0.49999999999999994
    assert.equal(s.totalCaloriesBurned, 0.05);
    assert.equal(s.workoutTypeBreakdown.running!.durationSeconds, 3381);
    await assertStatsExact(t, u);
  });

  test('one database request, whatever the history length', async () => {
    requests = [];
    await getStats('s2');
    const small = requests.length;
    requests = [];
    await getStats('s1');
    assert.equal(small, 1);
    assert.equal(requests.length, 1);
  });

  test('403 for another user, 200 for an admin, 400 for bad bounds', async () => {
    assert.equal((await t.call('GET', '/stats/s1', { as: 's2' })).status, 403);
    assert.equal((await t.call('GET', '/stats/s1', { as: 'root', admin: true })).status, 200);
    for (const q of [
      'from=soon',
      'from=2026-11-05&to=2026-11-01',
      'granularity=day',
      'from=2026-11-01&from=2026-11-02',
      'to=0000-01-01',
      'from=2026-01-01&to=9999-12-31T23:00:00-05:00',
    ]) {
      const res = await t.call('GET', `/stats/s1?${q}`, { as: 's1' });
      assert.equal(res.status, 400, q);
    }
  });
});

describe('statistics over a range', () => {
  const u = 'range';
  const zone = 'America/New_York';
  const logged: { startedAt: string; durationMinutes: number; caloriesBurned: number; distanceKm: number }[] =
    [];

  test('seed: a profile in New York, workouts every 5 hours for 10 days', async () => {
    await t.call('POST', '/users', { as: u, body: { displayName: 'R', timezone: zone } });
    for (let i = 0; i < 48; i++) {
      const w = {
        startedAt: new Date(Date.parse('2026-11-01T02:00:00Z') + i * 5 * 3600_000).toISOString(),
        durationMinutes: 20 + (i % 7),
        caloriesBurned: 150.25 + i,
        distanceKm: 3.333,
      };
      logged.push(w);
      await log(u, w);
    }
  });

  const expected = (fromMs: number, toMs: number) => {
    const inRange = logged.filter((w) => Date.parse(w.startedAt) >= fromMs && Date.parse(w.startedAt) < toMs);
    const sum = (f: (w: (typeof logged)[0]) => number) =>
      inRange.reduce((s, w) => s + Math.round(f(w) * 1000), 0) / 1000;
    return {
      totalWorkouts: inRange.length,
      totalDurationMinutes: sum((w) => w.durationMinutes),
      totalCaloriesBurned: sum((w) => w.caloriesBurned),
      totalDistanceKm: sum((w) => w.distanceKm),
      newest: inRange
        .slice(-10)
        .reverse()
        .map((w) => w.startedAt),
    };
  };

  const cases: [string, string | undefined, string | undefined][] = [
    ['partial days at both edges', '2026-11-02T13:30:00Z', '2026-11-07T09:00:00Z'],
    ['within one day', '2026-11-03T06:00:00Z', '2026-11-03T20:00:00Z'],
    ['local-midnight bounds as dates', '2026-11-03', '2026-11-06'],
    ['across the DST change (Nov 1)', '2026-10-31', '2026-11-02T12:00:00-05:00'],
    ['only from', '2026-11-08T17:00:00+01:00', undefined],
    ['only to', undefined, '2026-11-04T00:00:00Z'],
    ['empty range', '2026-12-01', '2026-12-02'],
  ];
  for (const [name, from, to] of cases) {
    test(name, async () => {
      const q = new URLSearchParams();
      if (from) q.set('from', from);
      if (to) q.set('to', to);
      const s = await getStats(u, `?${q}`);
      const ms = (b: string | undefined, open: number) =>
        b === undefined ? open : b.length === 10 ? localMidnight(b, zone) : Date.parse(b);
      const e = expected(ms(from, 0), ms(to, Number.MAX_SAFE_INTEGER));
      assert.equal(s.totalWorkouts, e.totalWorkouts);
      assert.equal(s.totalDurationMinutes, e.totalDurationMinutes);
      assert.equal(s.totalCaloriesBurned, e.totalCaloriesBurned);
      assert.equal(s.totalDistanceKm, e.totalDistanceKm);
      assert.deepEqual(
        s.recentWorkouts.map((w) => w.startedAt),
        e.newest,
      );
    });
  }
});

/** Local midnight of a date in a zone, independently of the code under test (scan by minute). */
function localMidnight(date: string, zone: string): number {
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short' });
  let t = Date.parse(`${date}T00:00:00Z`) - 15 * 3600_000;
  while (f.format(t) < date) t += 60_000;
  return t;
}

describe('time series', () => {
  test("days, ISO weeks and months are taken in the user's zone; empty buckets left out", async () => {
    const u = 'ts1';
    await t.call('POST', '/users', { as: u, body: { displayName: 'T', timezone: 'America/New_York' } });
    // 03:00 UTC on Monday 16 Nov is 22:00 on Sunday 15 Nov in New York: last week, not this one.
    await log(u, { startedAt: '2026-11-16T03:00:00Z', durationMinutes: 30, distanceKm: 5 });
    await log(u, { startedAt: '2026-11-16T15:00:00Z', durationMinutes: 45, distanceKm: 7.5 });
    await log(u, { startedAt: '2026-10-31T12:00:00Z', durationMinutes: 10, distanceKm: 1 });
    const days = await series(u, 'granularity=day&from=2026-10-01&to=2026-12-01');
    assert.deepEqual(
      days.map((b) => [b.start, b.count, b.durationMinutes, b.distanceKm]),
      [
        ['2026-10-31', 1, 10, 1],
        ['2026-11-15', 1, 30, 5],
        ['2026-11-16', 1, 45, 7.5],
      ],
    );
    const weeks = await series(u, 'granularity=week&from=2026-10-01&to=2026-12-01');
    assert.deepEqual(
      weeks.map((b) => [b.start, b.count]),
      [
        ['2026-10-26', 1],
        ['2026-11-09', 1],
        ['2026-11-16', 1],
      ],
    );
    const months = await series(u, 'granularity=month&from=2026-10-01&to=2026-12-01');
    assert.deepEqual(
      months.map((b) => [b.start, b.count, b.durationMinutes, b.distanceKm]),
      [
        ['2026-10-01', 1, 10, 1],
        ['2026-11-01', 2, 75, 12.5],
      ],
    );
  });

  test('updates and deletes move buckets; a bucket that empties disappears', async () => {
    const u = 'ts2';
    const w = await log(u, { workoutId: 'move', startedAt: '2026-11-10T10:00:00Z' });
    await log(u, { startedAt: '2026-11-11T10:00:00Z' });
    await t.call('PATCH', '/workouts/move', {
      as: u,
      body: { startedAt: '2026-11-12T10:00:00Z', durationMinutes: 50 },
    });
    let days = await series(u, 'granularity=day&from=2026-11-01&to=2026-11-30');
    assert.deepEqual(
      days.map((b) => [b.start, b.durationMinutes]),
      [
        ['2026-11-11', 42],
        ['2026-11-12', 50],
      ],
    );
    await t.call('DELETE', `/workouts/${w.workoutId}`, { as: u });
    days = await series(u, 'granularity=day&from=2026-11-01&to=2026-11-30');
    assert.deepEqual(
      days.map((b) => b.start),
      ['2026-11-11'],
    );
  });

  test('a zone change never moves a logged workout; later Z times use the new zone', async () => {
    const u = 'ts3';
    // Logged before any profile: a Z time is taken in UTC; an offset is its own day wherever the user lives.
    const a = await log(u, { startedAt: '2026-11-10T23:30:00Z', durationMinutes: 20 });
    const b = await log(u, { startedAt: '2026-11-11T12:00:00Z', durationMinutes: 30 });
    const c = await log(u, { startedAt: '2026-11-11T23:00:00-08:00', durationMinutes: 10 });
    assert.deepEqual([a.localDate, b.localDate, c.localDate], ['2026-11-10', '2026-11-11', '2026-11-11']);
    const before = await series(u, 'granularity=day&from=2026-11-01&to=2026-11-30');
    const partitionBefore = (await t.partition(u)).filter((i) => !String(i.sk).startsWith('C#'));
    assert.deepEqual(
      before.map((x) => [x.start, x.count, x.durationSeconds]),
      [
        ['2026-11-10', 1, 1200],
        ['2026-11-11', 2, 2400],
      ],
    );
    // Creating the profile in Tokyo, then moving to Los Angeles: nothing already logged moves.
    assert.equal(
      (await t.call('POST', '/users', { as: u, body: { displayName: 'Z', timezone: 'Asia/Tokyo' } })).status,
      201,
    );
    assert.deepEqual(await series(u, 'granularity=day&from=2026-11-01&to=2026-11-30'), before);
    assert.equal(
      (await t.call('PATCH', `/users/${u}`, { as: u, body: { timezone: 'America/Los_Angeles' } })).status,
      200,
    );
    assert.deepEqual(await series(u, 'granularity=day&from=2026-11-01&to=2026-11-30'), before);
    // Not a single workout, bucket or counter item changed (only the profile was written).
    assert.deepEqual(
      (await t.partition(u)).filter((i) => !String(i.sk).startsWith('C#') && i.sk !== 'PROFILE'),
      partitionBefore,
    );
    for (const w of [a, b, c]) {
      assert.equal((await t.call('GET', `/workouts/${w.workoutId}`, { as: u })).body.localDate, w.localDate);
    }
    // A new Z time uses the new zone: 07:00 UTC on the 12th is 23:00 on the 11th in Los Angeles.
    assert.equal((await log(u, { startedAt: '2026-11-12T07:00:00Z' })).localDate, '2026-11-11');
    // Its own timezone beats the profile's: 07:00 UTC is 16:00 on the 12th in Tokyo.
    assert.equal(
      (await log(u, { startedAt: '2026-11-12T07:00:00Z', timezone: 'Asia/Tokyo' })).localDate,
      '2026-11-12',
    );
    // A date bound selects by localDate: the 11th holds three workouts now.
    const s = await getStats(u, '?from=2026-11-11&to=2026-11-12');
    assert.equal(s.totalWorkouts, 3);
    assert.equal(s.totalDurationSeconds, 30 * 60 + 10 * 60 + 42 * 60);
    await assertStatsExact(t, u);
  });

  test('defaults and errors', async () => {
    const res = await t.call<Series & { from: string; to: string }>('GET', '/stats/ts1/timeseries', {
      as: 'ts1',
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.granularity, 'day');
    for (const q of [
      'granularity=year',
      'from=2020-01-01&to=2026-01-01',
      'to=2026-01-01&from=2026-02-01',
      'x=1',
      'to=9999-12-31T23:00:00-05:00',
      'from=0999-01-01&to=0999-02-01',
    ]) {
      assert.equal((await t.call('GET', `/stats/ts1/timeseries?${q}`, { as: 'ts1' })).status, 400, q);
    }
    assert.equal((await t.call('GET', '/stats/ts1/timeseries', { as: 'ts2' })).status, 403);
  });
});
