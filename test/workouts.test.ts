/** Workouts: create (with safe retries), read, list, update, delete; every rule of the contract. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_WORKOUT_TYPES } from '../src/domain/config.ts';
import { startTestService, workout, type Response } from './helpers.ts';
import { assertStatsExact } from './support/exactness.ts';
import { rejected as rejectedIn } from './support/snapshot.ts';

const t = await startTestService();

/** A request that must be rejected with `status` (problem+json) and write nothing anywhere. */
const rejected = (status: number, method: string, path: string, opts: Parameters<typeof t.call>[2]) =>
  rejectedIn(t, status, method, path, opts);

const stats = async (userId: string) =>
  (
    await t.call<Record<string, number> & { workoutTypeBreakdown: Record<string, Record<string, number>> }>(
      'GET',
      `/stats/${userId}`,
      { as: userId },
    )
  ).body;

describe('POST /workouts', () => {
  test('stores every field and answers 201 with Location', async () => {
    const res = await t.call('POST', '/workouts', { as: 'w1', body: workout({ workoutId: 'a1b2c3' }) });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('location'), '/workouts/a1b2c3');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('etag') ?? '', /^"[^"]+"$/);
    const w = res.body;
    assert.match(String(w.createdAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    assert.deepEqual(w, {
      userId: 'w1',
      workoutId: 'a1b2c3',
      workoutType: 'running',
      startedAt: '2026-11-20T07:30:00+01:00',
      localDate: '2026-11-20', // the date written with its own offset
      durationMinutes: 42,
      durationSeconds: 2520,
      // No profile: 70 kg. running/high = 11.5 MET × 70 kg × 0.7 h.
      caloriesBurned: 563.5,
      caloriesEstimated: true,
      distanceKm: 8.2,
      intensity: 'high',
      avgHeartRate: 151,
      notes: 'tempo run',
      createdAt: w.createdAt,
      updatedAt: w.createdAt,
    });
    const back = await t.call('GET', '/workouts/a1b2c3', { as: 'w1' });
    assert.deepEqual(back.body, w);
    assert.equal(back.headers.get('etag'), res.headers.get('etag'));
    assert.equal(back.headers.get('cache-control'), 'no-store');
  });

  test('durationSeconds is the precise alternative; answers carry both', async () => {
    const res = await t.call('POST', '/workouts', {
      as: 'w1',
      body: workout({ workoutId: 'secs', durationMinutes: undefined, durationSeconds: 1520 }),
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.durationSeconds, 1520);
    assert.equal(res.body.durationMinutes, 25.33);
    // Both, when they agree, are fine; a retry in minutes of the same seconds is the same content.
    const both = await t.call('POST', '/workouts', {
      as: 'w1',
      body: workout({ workoutId: 'both', durationMinutes: 25.5, durationSeconds: 1530 }),
    });
    assert.equal(both.status, 201, both.text);
    const again = await t.call('POST', '/workouts', {
      as: 'w1',
      body: workout({ workoutId: 'both', durationMinutes: undefined, durationSeconds: 1530 }),
    });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body, both.body);
    const disagree = await rejected(400, 'POST', '/workouts', {
      as: 'w1',
      body: workout({ workoutId: 'bad', durationMinutes: 25, durationSeconds: 1520 }),
    });
    assert.equal(disagree.body.code, 'invalid_fields');
  });

  test('localDate: its own timezone, else its offset, else (Z) the profile zone; UTC without a profile', async () => {
    const day = async (as: string, body: Record<string, unknown>) => {
      const res = await t.call('POST', '/workouts', { as, body: workout(body) });
      assert.equal(res.status, 201, res.text);
      return res.body.localDate;
    };
    // 23:30 UTC on the 20th.
    assert.equal(await day('ld1', { startedAt: '2026-11-20T23:30:00Z' }), '2026-11-20');
    await t.call('POST', '/users', { as: 'ld2', body: { displayName: 'T', timezone: 'Asia/Tokyo' } });
    assert.equal(await day('ld2', { startedAt: '2026-11-20T23:30:00Z' }), '2026-11-21');
    assert.equal(await day('ld2', { startedAt: '2026-11-20T15:30:00-08:00' }), '2026-11-20');
    assert.equal(
      await day('ld2', { startedAt: '2026-11-20T23:30:00Z', timezone: 'America/New_York' }),
      '2026-11-20',
    );
    const withZone = await t.call('POST', '/workouts', {
      as: 'ld2',
      body: workout({ workoutId: 'tz', startedAt: '2026-11-20T23:30:00Z', timezone: 'america/new_york' }),
    });
    assert.equal(withZone.body.timezone, 'America/New_York');
    await rejected(400, 'POST', '/workouts', { as: 'ld2', body: workout({ timezone: 'Mars/Olympus' }) });
  });

  test('generates an id when absent; intensity defaults to moderate', async () => {
    const res = await t.call('POST', '/workouts', {
      as: 'w2',
      body: { workoutType: 'yoga', startedAt: '2026-11-19T18:00:00Z', durationMinutes: 60 },
    });
    assert.equal(res.status, 201);
    assert.match(String(res.body.workoutId), /^[A-Za-z0-9_-]{1,64}$/);
    assert.equal(res.headers.get('location'), `/workouts/${res.body.workoutId}`);
    assert.equal(res.body.intensity, 'moderate');
    assert.equal(res.body.caloriesBurned, 175); // 2.5 × 70 × 1
  });

  test("the estimate uses the profile's weight; a given value is kept", async () => {
    await t.call('POST', '/users', { as: 'w3', body: { displayName: 'W', weightKg: 61.5 } });
    const est = await t.call('POST', '/workouts', { as: 'w3', body: workout() });
    assert.equal(est.body.caloriesBurned, 495.08);
    const given = await t.call('POST', '/workouts', { as: 'w3', body: workout({ caloriesBurned: 510.25 }) });
    assert.equal(given.body.caloriesBurned, 510.25);
    assert.equal(given.body.caloriesEstimated, false);
  });

  test('a retry with the same content answers 200 and is counted once', async () => {
    const body = workout({ workoutId: 'retry-1' });
    const first = await t.call('POST', '/workouts', { as: 'w4', body });
    const again = await t.call('POST', '/workouts', { as: 'w4', body });
    assert.equal(first.status, 201);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, first.body);
    // The same instant written with another offset is the same content.
    const sameInstant = await t.call('POST', '/workouts', {
      as: 'w4',
      body: { ...body, startedAt: '2026-11-20T06:30:00Z' },
    });
    assert.equal(sameInstant.status, 200);
    assert.equal((await stats('w4')).totalWorkouts, 1);
  });

  test('the same id with other content is a 409 and changes nothing', async () => {
    await t.call('POST', '/workouts', { as: 'w4', body: workout({ workoutId: 'conflict-1' }) });
    const res = await rejected(409, 'POST', '/workouts', {
      as: 'w4',
      body: workout({ workoutId: 'conflict-1', durationMinutes: 43 }),
    });
    assert.match(String(res.body.detail), /conflict-1/);
    assert.equal(res.body.code, 'workout_conflict');
    assert.equal((await stats('w4')).totalWorkouts, 2);
  });

  test('the same workoutId for two users is two workouts', async () => {
    assert.equal(
      (await t.call('POST', '/workouts', { as: 'w5', body: workout({ workoutId: 'shared' }) })).status,
      201,
    );
    assert.equal(
      (await t.call('POST', '/workouts', { as: 'w6', body: workout({ workoutId: 'shared' }) })).status,
      201,
    );
  });

  /** The field error code each message pattern means (the contract's list). */
  const codes: Record<string, string> = {
    color: 'unknown_field',
    '/must be one of: running, cycling/': 'invalid_value',
    '/must be one of/': 'invalid_value',
    '/RFC 3339/': 'invalid_format',
    '/before 1970/': 'too_small',
    '/24 hours/': 'too_big',
    '/greater than 0/': 'too_small',
    '/at least 1/': 'too_small',
    '/at least 0/': 'too_small',
    '/at least 25/': 'too_small',
    '/at most 1440/': 'too_big',
    '/at most 86400/': 'too_big',
    '/at most 20000/': 'too_big',
    '/at most 1000/': 'too_big',
    '/at most 250/': 'too_big',
    '/1000 characters/': 'too_big',
    '/must be a number/': 'invalid_type',
    '/decimal places/': 'too_many_decimals',
    '/low, moderate, high/': 'invalid_value',
    '/integer/': 'not_integer',
    '/string/': 'invalid_type',
    '/letters, digits/': 'invalid_format',
    '/not a known field/': 'unknown_field',
  };
  const future = new Date(Date.now() + 25 * 3600_000).toISOString();
  const soon = new Date(Date.now() + 23 * 3600_000).toISOString();
  for (const [field, value, message] of [
    ['workoutType', 'dancing', /must be one of: running, cycling/],
    ['workoutType', 7, /must be one of/],
    ['startedAt', '2026-11-20 07:30', /RFC 3339/],
    ['startedAt', '2026-11-20T07:30:00', /RFC 3339/],
    ['startedAt', '2026-02-30T07:30:00Z', /RFC 3339/],
    ['startedAt', '1969-12-31T23:59:59Z', /before 1970/],
    ['startedAt', '0070-06-01T00:00:00Z', /before 1970/],
    ['startedAt', future, /24 hours/],
    ['durationMinutes', 0, /greater than 0/],
    ['durationMinutes', -5, /greater than 0/],
    ['durationMinutes', 1440.01, /at most 1440/],
    ['durationSeconds', 0, /at least 1/],
    ['durationSeconds', 1520.5, /integer/],
    ['durationSeconds', '1520', /must be a number/],
    ['durationSeconds', 86_401, /at most 86400/],
    ['durationMinutes', '42', /must be a number/],
    ['durationMinutes', 10.123, /decimal places/],
    ['caloriesBurned', -1, /at least 0/],
    ['caloriesBurned', 20000.5, /at most 20000/],
    ['distanceKm', 1000.5, /at most 1000/],
    ['distanceKm', 5.0001, /decimal places/],
    ['intensity', 'extreme', /low, moderate, high/],
    ['avgHeartRate', 24, /at least 25/],
    ['avgHeartRate', 251, /at most 250/],
    ['avgHeartRate', 150.5, /integer/],
    ['notes', 'x'.repeat(1001), /1000 characters/],
    ['notes', null, /string/],
    ['workoutId', 'has space', /letters, digits/],
    ['workoutId', 'x'.repeat(65), /letters, digits/],
    ['workoutId', '', /letters, digits/],
    ['color', 'red', /not a known field/],
  ] as const) {
    test(`400: ${field} = ${JSON.stringify(value).slice(0, 30)}`, async () => {
      // A duration in seconds is sent instead of minutes.
      const minutes = field === 'durationSeconds' ? { durationMinutes: undefined } : {};
      const res = await rejected(400, 'POST', '/workouts', {
        as: 'w7',
        body: workout({ ...minutes, [field]: value }),
      });
      assert.equal(res.body.code, 'invalid_fields');
      const errors = res.body.errors as { path: string; code: string; message: string }[];
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]!.path, field);
      assert.match(errors[0]!.message, message);
      assert.equal(
        errors[0]!.code,
        codes[field === 'color' ? 'color' : String(message)],
        JSON.stringify(errors),
      );
    });
  }

  test('missing required fields are each named', async () => {
    const res = await rejected(400, 'POST', '/workouts', { as: 'w7', body: {} });
    assert.equal(res.body.code, 'invalid_fields');
    assert.deepEqual(
      (res.body.errors as { path: string; code: string; message: string }[])
        .map((e) => `${e.path} ${e.code}: ${e.message}`)
        .sort(),
      [
        'durationMinutes required: is required (or send durationSeconds)',
        'startedAt required: is required',
        'workoutType required: is required',
      ],
    );
  });

  test('edges that are valid: 24 h ahead, the maximum duration, zeros where allowed', async () => {
    const res = await t.call('POST', '/workouts', {
      as: 'w8',
      body: workout({
        startedAt: soon,
        durationMinutes: 1440,
        caloriesBurned: 0,
        distanceKm: 0,
        avgHeartRate: 25,
      }),
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.durationSeconds, 86_400);
    assert.equal(
      (await t.call('POST', '/workouts', { as: 'w8', body: workout({ startedAt: '1970-01-01T00:00:00Z' }) }))
        .status,
      201,
    );
    const secs = await t.call('POST', '/workouts', {
      as: 'w8',
      body: workout({ durationMinutes: undefined, durationSeconds: 86_400 }),
    });
    assert.equal(secs.status, 201, secs.text);
  });

  test('body errors: JSON syntax, non-objects, empty, content type, size', async () => {
    for (const raw of ['{"workoutType":', '[1,2]', 'null', '"text"', '42', '']) {
      const res = await rejected(400, 'POST', '/workouts', { as: 'w9', raw });
      assert.ok(res.body.detail, raw);
      assert.equal(res.body.code, 'malformed_body', raw);
    }
    await rejected(415, 'POST', '/workouts', {
      as: 'w9',
      raw: JSON.stringify(workout()),
      headers: { 'content-type': 'text/plain' },
    });
    await rejected(415, 'POST', '/workouts', {
      as: 'w9',
      raw: 'workoutType=running',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const ok = await t.call('POST', '/workouts', {
      as: 'w9',
      raw: JSON.stringify(workout()),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(ok.status, 201);
    const big = JSON.stringify(workout({ notes: 'x'.repeat(70 * 1024) }));
    const res = await rejected(413, 'POST', '/workouts', { as: 'w9', raw: big });
    assert.match(String(res.body.detail), /64 KiB/);
    assert.equal(res.body.code, 'payload_too_large');
  });

  test('naming another user is a 403 for a user, allowed for an admin', async () => {
    await rejected(403, 'POST', '/workouts', { as: 'w10', body: workout({ userId: 'victim' }) });
    const res = await t.call('POST', '/workouts', {
      as: 'coach',
      admin: true,
      body: workout({ userId: 'victim', workoutId: 'v1' }),
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.userId, 'victim');
    assert.equal(res.headers.get('location'), '/workouts/v1?userId=victim');
    assert.equal(
      (await t.call('POST', '/workouts', { as: 'w10', body: workout({ userId: 'w10' }) })).status,
      201,
    );
  });
});

describe('configuration limits', () => {
  test('maximum duration and types come from configuration', async () => {
    const custom = await startTestService({
      config: async () => ({
        maxDurationMinutes: 60,
        workoutTypes: { rowing: DEFAULT_WORKOUT_TYPES.running! },
      }),
    });
    const over = await custom.call('POST', '/workouts', {
      as: 'c1',
      body: workout({ workoutType: 'rowing', durationMinutes: 61 }),
    });
    assert.equal(over.status, 400);
    assert.match(JSON.stringify(over.body.errors), /at most 60/);
    const types = await custom.call<{ items: { workoutType: string }[] }>('GET', '/workout-types', {
      as: null,
    });
    assert.deepEqual(
      types.body.items.map((i) => i.workoutType),
      ['rowing'],
    );
    assert.equal(
      (
        await custom.call('POST', '/workouts', {
          as: 'c1',
          body: workout({ workoutType: 'rowing', durationMinutes: 60 }),
        })
      ).status,
      201,
    );
  });
});

describe('GET, PATCH, DELETE /workouts/{workoutId}', () => {
  test('read: 404 when absent, 400 for a malformed id, 403 for another user, admin may', async () => {
    assert.equal((await rejected(404, 'GET', '/workouts/nope', { as: 'r1' })).body.code, 'workout_not_found');
    await rejected(400, 'GET', '/workouts/bad%20id', { as: 'r1' });
    await t.call('POST', '/workouts', { as: 'r1', body: workout({ workoutId: 'mine' }) });
    await rejected(403, 'GET', '/workouts/mine?userId=r1', { as: 'r2' });
    assert.equal((await t.call('GET', '/workouts/mine?userId=r1', { as: 'r1' })).status, 200);
    assert.equal((await t.call('GET', '/workouts/mine?userId=r1', { as: 'a', admin: true })).status, 200);
    await rejected(400, 'GET', '/workouts/mine?user=r1', { as: 'r1' });
  });

  test('update: fields change, statistics follow, calories re-estimated when cleared', async () => {
    const u = 'p1';
    await t.call('POST', '/workouts', { as: u, body: workout({ workoutId: 'x', caloriesBurned: 500 }) });
    await t.call('POST', '/workouts', {
      as: u,
      body: workout({ workoutId: 'y', workoutType: 'cycling', durationMinutes: 30 }),
    });
    const res = await t.call('PATCH', '/workouts/x', {
      as: u,
      body: { durationMinutes: 60, workoutType: 'swimming', notes: null },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.durationMinutes, 60);
    assert.equal(res.body.workoutType, 'swimming');
    assert.equal('notes' in res.body, false);
    assert.equal(res.body.caloriesBurned, 500);
    assert.equal(res.body.workoutId, 'x');
    let s = await stats(u);
    assert.equal(s.totalWorkouts, 2);
    assert.equal(s.totalDurationMinutes, 90);
    assert.deepEqual(Object.keys(s.workoutTypeBreakdown).sort(), ['cycling', 'swimming']);
    assert.equal(s.workoutTypeBreakdown.swimming!.durationMinutes, 60);

    const re = await t.call('PATCH', '/workouts/x', {
      as: u,
      body: { caloriesBurned: null, intensity: 'low' },
    });
    assert.equal(re.body.caloriesEstimated, true);
    assert.equal(re.body.caloriesBurned, 420); // swimming low 6 × 70 kg × 1 h
    s = await stats(u);
    assert.equal(
      s.totalCaloriesBurned,
      420 + Number((await t.call('GET', '/workouts/y', { as: u })).body.caloriesBurned),
    );
    // The retry fingerprint is the original create: replaying it still answers 200.
    const replay = await t.call('POST', '/workouts', {
      as: u,
      body: workout({ workoutId: 'x', caloriesBurned: 500 }),
    });
    assert.equal(replay.status, 200);
    assert.equal(replay.body.workoutType, 'swimming');
    assert.equal((await stats(u)).totalWorkouts, 2);
    await assertStatsExact(t, u);
  });

  test('update rejections write nothing', async () => {
    await rejected(400, 'PATCH', '/workouts/x', { as: 'p1', body: { workoutId: 'z' } });
    await rejected(400, 'PATCH', '/workouts/x', { as: 'p1', body: { userId: 'p2' } });
    await rejected(400, 'PATCH', '/workouts/x', { as: 'p1', body: { durationMinutes: 0, intensity: 'x' } });
    await rejected(400, 'PATCH', '/workouts/x', { as: 'p1', body: { workoutType: null } });
    await rejected(404, 'PATCH', '/workouts/none', { as: 'p1', body: { durationMinutes: 5 } });
    await rejected(403, 'PATCH', '/workouts/x?userId=p1', { as: 'p2', body: { durationMinutes: 5 } });
    await rejected(415, 'PATCH', '/workouts/x', {
      as: 'p1',
      raw: '{}',
      headers: { 'content-type': 'text/xml' },
    });
  });

  test('delete: 204, statistics follow, then 404', async () => {
    await rejected(403, 'DELETE', '/workouts/x?userId=p1', { as: 'p2' });
    const del = await t.call('DELETE', '/workouts/x', { as: 'p1' });
    assert.equal(del.status, 204);
    const s = await stats('p1');
    assert.equal(s.totalWorkouts, 1);
    assert.deepEqual(Object.keys(s.workoutTypeBreakdown), ['cycling']);
    assert.equal((await t.call('DELETE', '/workouts/x', { as: 'p1' })).status, 404);
    assert.equal((await t.call('GET', '/workouts/x', { as: 'p1' })).status, 404);
    // Logging the same id again after a delete is a new workout.
    assert.equal(
      (await t.call('POST', '/workouts', { as: 'p1', body: workout({ workoutId: 'x' }) })).status,
      201,
    );
  });
});

describe('GET /workouts', () => {
  const u = 'lister';
  const types = ['running', 'cycling', 'yoga'];
  const started = (i: number) =>
    new Date(Date.parse('2026-06-01T00:00:00Z') + i * 7 * 3600_000).toISOString();

  test('seed 57 workouts (some sharing a start time)', async () => {
    for (let i = 0; i < 57; i++) {
      const res = await t.call('POST', '/workouts', {
        as: u,
        body: workout({ workoutId: `l${i}`, workoutType: types[i % 3], startedAt: started(i < 50 ? i : 49) }),
      });
      assert.equal(res.status, 201);
    }
  });

  async function all(query: string) {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const res: Response = await t.call('GET', `/workouts?${query}${cursor ? `&cursor=${cursor}` : ''}`, {
        as: u,
      });
      assert.equal(res.status, 200, res.text);
      const items = res.body.items as { workoutId: string; startedAt: string }[];
      seen.push(...items.map((w) => `${w.startedAt}|${w.workoutId}`));
      cursor = res.body.nextCursor as string | null;
      if (!cursor) return seen;
    }
    throw new Error('paging did not end');
  }

  test('paging visits every workout exactly once, newest first', async () => {
    const seen = await all('limit=10');
    assert.equal(seen.length, 57);
    assert.equal(new Set(seen).size, 57);
    const times = seen.map((s) => s.split('|')[0]!);
    assert.deepEqual(times, [...times].sort().reverse());
    const first = await t.call('GET', '/workouts', { as: u });
    assert.equal((first.body.items as unknown[]).length, 20);
    const exact = await all('limit=57');
    assert.equal(exact.length, 57);
  });

  test('filter by type, with paging', async () => {
    const seen = await all('workoutType=cycling&limit=4');
    assert.equal(seen.length, 19);
    for (const s of seen) assert.equal(Number(s.split('|')[1]!.slice(1)) % 3, 1);
  });

  test('from is inclusive, to exclusive', async () => {
    const seen = await all(`from=${started(10)}&to=${started(20)}&limit=100`);
    assert.equal(seen.length, 10);
    assert.ok(seen.every((s) => s >= started(10) && s < started(20)));
    const dates = await all('from=2026-06-02&to=2026-06-03');
    assert.ok(dates.length > 0 && dates.every((s) => s.startsWith('2026-06-02')));
  });

  test('bad parameters are 400s naming the parameter', async () => {
    for (const [query, path] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['workoutType=dancing', 'workoutType'],
      ['from=yesterday', 'from'],
      ['from=2026-06-03&to=2026-06-02', 'to'],
      ['to=9999-12-31T23:00:00-05:00', 'to'],
      ['from=9999-12-31T23:00:00-05:00', 'from'],
      ['to=0000-01-01', 'to'],
      ['from=0999-01-01', 'from'],
      ['cursor=not-a-cursor', 'cursor'],
      ['limit=5&limit=6', 'limit'],
      ['sort=asc', 'sort'],
    ]) {
      const res = await t.call('GET', `/workouts?${query}`, { as: u });
      assert.equal(res.status, 400, query);
      assert.equal((res.body.errors as { path: string }[])[0]!.path, path, query);
    }
    // A cursor from a page of another time window does not belong to this query.
    const page = await t.call('GET', `/workouts?limit=2&to=${started(20)}`, { as: u });
    const foreign = await t.call(
      'GET',
      `/workouts?limit=2&from=${started(30)}&cursor=${page.body.nextCursor}`,
      {
        as: u,
      },
    );
    assert.equal(foreign.status, 400, foreign.text);
    assert.deepEqual(foreign.body.errors, [
      { path: 'cursor', code: 'invalid_cursor', message: 'does not belong to this query' },
    ]);
    assert.equal(foreign.body.detail, 'cursor does not belong to this query');
  });

  test("another user's list is a 403; an admin may list it; a user with none gets an empty page", async () => {
    assert.equal((await t.call('GET', `/workouts?userId=${u}`, { as: 'snoop' })).status, 403);
    const admin = await t.call('GET', `/workouts?userId=${u}&limit=1`, { as: 'root', admin: true });
    assert.equal((admin.body.items as unknown[]).length, 1);
    assert.deepEqual((await t.call('GET', '/workouts', { as: 'empty' })).body, {
      items: [],
      nextCursor: null,
    });
  });
});

describe('text fields', () => {
  test('a lone surrogate is refused (it cannot be stored as UTF-8); other Unicode is kept', async () => {
    const res = await t.call('POST', '/workouts', {
      as: 'txt',
      raw: '{"workoutType":"yoga","startedAt":"2026-11-20T07:00:00Z","durationMinutes":5,"notes":"bad \\ud800 text"}',
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors, [
      { path: 'notes', code: 'invalid_format', message: 'must be valid Unicode text' },
    ]);
    assert.deepEqual(await t.partition('txt'), []);
    const ok = await t.call('POST', '/workouts', {
      as: 'txt',
      body: workout({ notes: 'ok 🏃‍♀️ 日本語 \n tab\t' }),
    });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.notes, 'ok 🏃‍♀️ 日本語 \n tab\t');
  });
});
