/**
 * Races: identical retries at once store one workout; distinct concurrent writes sum exactly;
 * contention on one user's items is retried inside the service (never a 503); a zone change
 * racing with writes moves nothing already logged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestService, workout } from './helpers.ts';
import { assertStatsExact } from './support/exactness.ts';

const t = await startTestService();

const statuses = (results: { status: number }[]) => {
  const counts: Record<number, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
};

/** Concurrent POSTs for one user: 24 in `npm test`, 200 in `npm run test:all` (and in CI). */
const RACE_WRITES = Number(process.env.RACE_WRITES ?? 24);

test(`${RACE_WRITES} identical POSTs at once store one workout, counted once`, async () => {
  const body = workout({ workoutId: 'same-everywhere' });
  const results = await Promise.all(
    Array.from({ length: RACE_WRITES }, () => t.call('POST', '/workouts', { as: 'race1', body })),
  );
  assert.deepEqual(statuses(results), { 200: RACE_WRITES - 1, 201: 1 });
  const created = results.find((r) => r.status === 201)!.body;
  for (const r of results) assert.deepEqual(r.body, created);
  const r = await assertStatsExact(t, 'race1');
  assert.equal(r.workouts.length, 1);
  assert.equal(r.total.sec, 42 * 60 * 1000);
});

test(`${RACE_WRITES} distinct POSTs at once: statistics equal the sum of what was sent`, async () => {
  const u = 'race2';
  const sent = Array.from({ length: RACE_WRITES }, (_, i) =>
    workout({
      workoutId: `d${i}`,
      workoutType: ['running', 'cycling', 'yoga', 'hiking'][i % 4],
      startedAt: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 3_600_000).toISOString(),
      // Minutes or exact seconds (a watch's 25:20): the sums stay exact either way.
      ...(i % 2 === 0
        ? { durationMinutes: 10 + (i % 50) + 0.25 }
        : { durationMinutes: undefined, durationSeconds: 1520 + i }),
      caloriesBurned: 100 + i / 100,
      distanceKm: (i % 9) * 1.111,
    }),
  );
  const results = await Promise.all(sent.map((body) => t.call('POST', '/workouts', { as: u, body })));
  assert.deepEqual(
    statuses(results),
    { 201: RACE_WRITES },
    JSON.stringify(
      results
        .filter((r) => r.status !== 201)
        .map((r) => r.text.slice(0, 200))
        .slice(0, 5),
    ),
  );

  const seconds = sent.reduce(
    (s, w) =>
      s + (w.durationSeconds !== undefined ? Number(w.durationSeconds) : Number(w.durationMinutes) * 60),
    0,
  );
  const thousandths = (f: (w: Record<string, unknown>) => number) =>
    sent.reduce((s, w) => s + Math.round(f(w) * 1000), 0) / 1000;
  const stats = (await t.call('GET', `/stats/${u}`, { as: u })).body as Record<string, unknown> & {
    workoutTypeBreakdown: Record<string, { count: number; durationSeconds: number }>;
  };
  assert.equal(stats.totalWorkouts, RACE_WRITES);
  assert.equal(stats.totalDurationSeconds, seconds);
  assert.equal(stats.totalDurationMinutes, Math.round((seconds / 60) * 100) / 100);
  assert.equal(
    stats.totalCaloriesBurned,
    thousandths((w) => w.caloriesBurned as number),
  );
  assert.equal(
    stats.totalDistanceKm,
    thousandths((w) => w.distanceKm as number),
  );
  for (const type of ['running', 'cycling', 'yoga', 'hiking']) {
    assert.equal(stats.workoutTypeBreakdown[type]!.count, RACE_WRITES / 4);
  }
  await assertStatsExact(t, u);
  // The day buckets add up to the totals too.
  const days = (
    await t.call('GET', `/stats/${u}/timeseries?granularity=day&from=2026-11-01&to=2026-11-10`, { as: u })
  ).body as { buckets: { count: number; durationSeconds: number }[] };
  assert.equal(
    days.buckets.reduce((s, b) => s + b.count, 0),
    RACE_WRITES,
  );
  assert.equal(
    days.buckets.reduce((s, b) => s + b.durationSeconds, 0),
    seconds,
  );
});

test('concurrent updates and deletes of the same workouts: no 503, and statistics stay exact', async () => {
  const u = 'race3';
  for (let i = 0; i < 20; i++) {
    await t.call('POST', '/workouts', { as: u, body: workout({ workoutId: `m${i}`, durationMinutes: 10 }) });
  }
  const ops = [];
  for (let i = 0; i < 20; i++) {
    ops.push(t.call('PATCH', `/workouts/m${i}`, { as: u, body: { durationMinutes: 20 + i } }));
    ops.push(t.call('PATCH', `/workouts/m${i}`, { as: u, body: { workoutType: 'yoga' } }));
    if (i % 2 === 0) ops.push(t.call('DELETE', `/workouts/m${i}`, { as: u }));
  }
  const results = await Promise.all(ops);
  // A PATCH that comes after its DELETE is a 404; nothing else but 200 and 204.
  assert.ok(
    results.every((r) => [200, 204, 404].includes(r.status)),
    JSON.stringify(statuses(results)),
  );
  assert.equal(results.filter((r) => r.status === 204).length, 10);
  const r = await assertStatsExact(t, u);
  assert.equal(r.workouts.length, 10);
});

test('24 PATCHes of one workout at once: all 200 (contention is retried inside), the last write wins whole', async () => {
  const u = 'race5';
  await t.call('POST', '/workouts', { as: u, body: workout({ workoutId: 'hot', durationMinutes: 10 }) });
  const results = await Promise.all(
    Array.from({ length: 24 }, (_, i) =>
      t.call('PATCH', '/workouts/hot', {
        as: u,
        body: { durationMinutes: 11 + i, notes: `n${i}`, workoutType: i % 2 ? 'yoga' : 'cycling' },
      }),
    ),
  );
  assert.deepEqual(statuses(results), { 200: 24 }, results.find((r) => r.status !== 200)?.text);
  const final = (await t.call('GET', '/workouts/hot', { as: u })).body;
  // The stored workout is one of the PATCHes, whole (its duration, notes and type belong together).
  const i = Number(String(final.notes).slice(1));
  assert.equal(final.durationMinutes, 11 + i);
  assert.equal(final.workoutType, i % 2 ? 'yoga' : 'cycling');
  const r = await assertStatsExact(t, u);
  assert.equal(r.total.sec, (11 + i) * 60 * 1000);
});

test('a zone change racing with writes moves nothing: each workout keeps the day it was logged with', async () => {
  const u = 'race4';
  await t.call('POST', '/users', { as: u, body: { displayName: 'Z' } }); // UTC
  const at = (i: number) => new Date(Date.parse('2026-11-05T20:00:00Z') + i * 1_800_000).toISOString();
  // Odd ones carry their offset (local day fixed whatever the profile says); even ones are Z times.
  const sent = Array.from({ length: 30 }, (_, i) =>
    workout({
      workoutId: `z${i}`,
      startedAt: i % 2 ? at(i).replace('Z', '+00:00').replace('.000', '') : at(i),
    }),
  );
  const writes = sent.map((body) => t.call('POST', '/workouts', { as: u, body }));
  const zone = t.call('PATCH', `/users/${u}`, { as: u, body: { timezone: 'Asia/Tokyo' } });
  const results = await Promise.all([...writes, zone]);
  assert.deepEqual(statuses(results), { 200: 1, 201: 30 });
  const tokyo = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo' });
  const logged = new Map(
    results.slice(0, 30).map((r) => [String(r.body.workoutId), String(r.body.localDate)]),
  );
  for (let i = 0; i < 30; i++) {
    const utcDay = at(i).slice(0, 10);
    const day = logged.get(`z${i}`)!;
    if (i % 2) assert.equal(day, utcDay, `z${i} has its own offset`);
    else assert.ok(day === utcDay || day === tokyo.format(Date.parse(at(i))), `z${i}: ${day}`);
  }
  // After the race nothing moves: the stored days are the ones answered, and buckets follow them.
  const stored = await t.call<{ items: { workoutId: string; localDate: string }[] }>(
    'GET',
    '/workouts?limit=100',
    {
      as: u,
    },
  );
  assert.deepEqual(new Map(stored.body.items.map((w) => [w.workoutId, w.localDate])), logged);
  await assertStatsExact(t, u);
  // Writes after the change use the new zone for Z times.
  const later = await t.call('POST', '/workouts', {
    as: u,
    body: workout({ workoutId: 'after', startedAt: '2026-11-06T20:00:00Z' }),
  });
  assert.equal(later.body.localDate, '2026-11-07');
});
