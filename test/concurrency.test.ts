/** Races: identical retries at once store one workout; distinct concurrent writes sum exactly. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recount, startTestService, workout } from './helpers.ts';

const t = await startTestService();

test('40 identical POSTs at once store one workout, counted once', async () => {
  const body = workout({ workoutId: 'same-everywhere' });
  const results = await Promise.all(
    Array.from({ length: 40 }, () => t.call('POST', '/workouts', { as: 'race1', body })),
  );
  const statuses = results.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
  assert.equal(statuses.filter((s) => s === 200).length, 39, JSON.stringify(statuses));
  assert.ok(results.every((r) => r.body.workoutId === 'same-everywhere'));
  const stats = await t.call('GET', '/stats/race1', { as: 'race1' });
  assert.equal(stats.body.totalWorkouts, 1);
  assert.equal(stats.body.totalDurationMinutes, 42);
  assert.equal((await t.partition('race1')).filter((i) => String(i.sk).startsWith('W#')).length, 1);
});

test('200 distinct POSTs at once: statistics equal the sum of what was sent', async () => {
  const u = 'race2';
  const sent = Array.from({ length: 200 }, (_, i) =>
    workout({
      workoutId: `d${i}`,
      workoutType: ['running', 'cycling', 'yoga', 'hiking'][i % 4],
      startedAt: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 3_600_000).toISOString(),
      durationMinutes: 10 + (i % 50) + 0.25,
      caloriesBurned: 100 + i / 100,
      distanceKm: (i % 9) * 1.111,
    }),
  );
  const results = await Promise.all(sent.map((body) => t.call('POST', '/workouts', { as: u, body })));
  assert.deepEqual(
    [...new Set(results.map((r) => r.status))],
    [201],
    JSON.stringify(
      results
        .filter((r) => r.status !== 201)
        .map((r) => [r.status, r.body.detail])
        .slice(0, 5),
    ),
  );

  const sum = (f: (w: Record<string, unknown>) => number) =>
    sent.reduce((s, w) => s + Math.round(f(w) * 1000), 0) / 1000;
  const stats = (await t.call('GET', `/stats/${u}`, { as: u })).body as Record<string, unknown> & {
    workoutTypeBreakdown: Record<string, { count: number; durationMinutes: number }>;
  };
  assert.equal(stats.totalWorkouts, 200);
  assert.equal(
    stats.totalDurationMinutes,
    sum((w) => w.durationMinutes as number),
  );
  assert.equal(
    stats.totalCaloriesBurned,
    sum((w) => w.caloriesBurned as number),
  );
  assert.equal(
    stats.totalDistanceKm,
    sum((w) => w.distanceKm as number),
  );
  for (const type of ['running', 'cycling', 'yoga', 'hiking']) {
    assert.equal(stats.workoutTypeBreakdown[type]!.count, 50);
  }
  const truth = await recount(t, u);
  assert.equal(stats.totalDurationMinutes, truth.totalDurationMinutes);
  // The day buckets add up to the totals too.
  const days = (
    await t.call('GET', `/stats/${u}/timeseries?granularity=day&from=2026-11-01&to=2026-11-10`, { as: u })
  ).body as { buckets: { count: number; durationMinutes: number }[] };
  assert.equal(
    days.buckets.reduce((s, b) => s + b.count, 0),
    200,
  );
  assert.equal(
    Math.round(days.buckets.reduce((s, b) => s + b.durationMinutes * 100, 0)) / 100,
    truth.totalDurationMinutes,
  );
});

test('concurrent updates and deletes of the same workouts stay exact', async () => {
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
  assert.ok(
    results.every((r) => [200, 204, 404].includes(r.status)),
    JSON.stringify(results.map((r) => r.status)),
  );
  const stats = (await t.call('GET', `/stats/${u}`, { as: u })).body;
  const truth = await recount(t, u);
  assert.equal(stats.totalWorkouts, truth.totalWorkouts);
  assert.equal(stats.totalWorkouts, 10);
  assert.equal(stats.totalDurationMinutes, truth.totalDurationMinutes);
  assert.equal(stats.totalCaloriesBurned, truth.totalCaloriesBurned);
});

test('a zone change racing with writes leaves every bucket exact', async () => {
  const u = 'race4';
  await t.call('POST', '/users', { as: u, body: { displayName: 'Z' } });
  const writes = Array.from({ length: 30 }, (_, i) =>
    t.call('POST', '/workouts', {
      as: u,
      body: workout({
        workoutId: `z${i}`,
        startedAt: new Date(Date.parse('2026-11-05T20:00:00Z') + i * 1_800_000).toISOString(),
      }),
    }),
  );
  const zone = t.call('PATCH', `/users/${u}`, { as: u, body: { timezone: 'Asia/Tokyo' } });
  const results = await Promise.all([...writes, zone]);
  assert.ok(
    results.every((r) => r.status === 201 || r.status === 200),
    JSON.stringify(results.map((r) => r.status)),
  );
  // Every workout sits in the bucket of its local date in Tokyo.
  const perDay = new Map<string, number>();
  for (let i = 0; i < 30; i++) {
    const date = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo' }).format(
      Date.parse('2026-11-05T20:00:00Z') + i * 1_800_000,
    );
    perDay.set(date, (perDay.get(date) ?? 0) + 1);
  }
  const days = (
    await t.call('GET', `/stats/${u}/timeseries?granularity=day&from=2026-11-01&to=2026-11-10`, { as: u })
  ).body as { buckets: { start: string; count: number }[] };
  assert.deepEqual(
    days.buckets.map((b) => [b.start, b.count]),
    [...perDay.entries()].sort(),
  );
});
