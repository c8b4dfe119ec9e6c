/** Pure logic: time zones, decimals, calories, configuration, series ranges. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { estimateCalories } from '../src/domain/calories.ts';
import {
  ConfigError,
  configFromParameters,
  DEFAULT_WORKOUT_TYPES,
  parseMaxDuration,
  parseWorkoutTypes,
} from '../src/domain/config.ts';
import { decimalPlaces, exactSum, roundTo } from '../src/domain/numbers.ts';
import { rollUp, statsBody } from '../src/domain/stats.ts';
import {
  contentFingerprint,
  duration,
  localDateOf,
  needsProfile,
  type WorkoutInput,
} from '../src/domain/workout.ts';
import { isUserId } from '../src/domain/schemas.ts';
import {
  canonicalTimeZone,
  localDate,
  parseDate,
  parseDateTime,
  startOfLocalDay,
  weekStart,
} from '../src/domain/time.ts';
import { cachedConfig } from '../src/config/index.ts';
import { seriesRange } from '../src/domain/range.ts';

describe('RFC 3339 date-times', () => {
  test('offsets are honoured', () => {
    assert.equal(parseDateTime('2026-11-20T07:30:00+01:00'), Date.parse('2026-11-20T06:30:00Z'));
    assert.equal(parseDateTime('2026-11-20T07:30:00.250Z'), Date.parse('2026-11-20T07:30:00.250Z'));
  });
  for (const bad of [
    '2026-02-30T00:00:00Z', // no such day
    '2026-11-20T24:00:00Z',
    '2026-11-20T07:30:00', // no zone
    '2026-11-20 07:30:00Z',
    '2026-11-20T07:30:00+24:00',
    '20261120T073000Z',
    'yesterday',
  ]) {
    test(`rejects ${bad}`, () => assert.equal(parseDateTime(bad), null));
  }
  test('years 0-99 are not read as 1900-1999', () => {
    assert.equal(parseDateTime('0070-06-01T00:00:00Z'), Date.parse('+000070-06-01T00:00:00Z'));
    assert.ok(parseDateTime('0070-06-01T00:00:00Z')! < 0);
    assert.equal(parseDate('0000-02-29'), '0000-02-29'); // year 0 is a leap year
    assert.equal(parseDate('1900-02-29'), null);
  });
  test('leap days', () => {
    assert.notEqual(parseDateTime('2024-02-29T12:00:00Z'), null);
    assert.equal(parseDateTime('2025-02-29T12:00:00Z'), null);
    assert.equal(parseDate('2025-02-29'), null);
  });
});

describe('time zones', () => {
  test('names are canonicalised; offsets and unknown names refused', () => {
    assert.equal(canonicalTimeZone('europe/lisbon'), 'Europe/Lisbon');
    assert.equal(canonicalTimeZone('UTC'), 'UTC');
    assert.equal(canonicalTimeZone('Mars/Olympus'), null);
    assert.equal(canonicalTimeZone('+01:00'), null);
    assert.equal(canonicalTimeZone(''), null);
  });
  test('local dates across the date line and half-hour zones', () => {
    const t = Date.parse('2026-11-20T23:30:00Z');
    assert.equal(localDate(t, 'UTC'), '2026-11-20');
    assert.equal(localDate(t, 'Asia/Kolkata'), '2026-11-21');
    assert.equal(localDate(t, 'Pacific/Kiritimati'), '2026-11-21');
    assert.equal(localDate(t, 'America/Los_Angeles'), '2026-11-20');
  });
  test('start of a local day, including a day whose midnight a DST change skipped', () => {
    assert.equal(startOfLocalDay('2026-11-20', 'Asia/Kathmandu'), Date.parse('2026-11-19T18:15:00Z'));
    assert.equal(startOfLocalDay('2026-03-29', 'Europe/Lisbon'), Date.parse('2026-03-29T00:00:00Z'));
    // Santiago springs forward at 00:00 on 2026-09-06: the day starts at 01:00 local (-03).
    assert.equal(startOfLocalDay('2026-09-06', 'America/Santiago'), Date.parse('2026-09-06T04:00:00Z'));
    // Monrovia was UTC-0:44:30 until 1972: offsets are not always whole minutes.
    assert.equal(startOfLocalDay('1971-05-01', 'Africa/Monrovia'), Date.parse('1971-05-01T00:44:30Z'));
  });
  test('ISO weeks start on Monday', () => {
    assert.equal(weekStart('2026-11-22'), '2026-11-16'); // a Sunday
    assert.equal(weekStart('2026-11-16'), '2026-11-16');
    assert.equal(weekStart('2027-01-01'), '2026-12-28');
  });
});

describe('exact decimals', () => {
  test('sums of bounded decimals are exact', () => {
    assert.equal(exactSum([0.1, 0.2]), 0.3);
    assert.equal(exactSum(Array(1000).fill(8.2)), 8200);
    assert.equal(exactSum([0.1, 0.2, -0.3]), 0);
    assert.equal(exactSum([1520, 0.6, 0.6], 1), 1521.2);
  });
  test('decimal places and rounding', () => {
    assert.equal(decimalPlaces(1.25), 2);
    assert.equal(decimalPlaces(3), 0);
    assert.equal(decimalPlaces(1e-7), 7);
    assert.equal(roundTo(1.005, 2), 1.01);
    assert.equal(roundTo(-2.5, 0), -3);
    assert.equal(roundTo(9.8 * 61.5 * 0.7, 2), 421.89);
    assert.equal(roundTo(1e-7, 2), 0);
  });
});

describe('calories', () => {
  test('MET × kg × hours, 70 kg without a weight, rounded to 0.01', () => {
    const running = DEFAULT_WORKOUT_TYPES.running!;
    assert.equal(estimateCalories(running, 'high', 61.5, 42), 495.08);
    assert.equal(estimateCalories(running, 'moderate', undefined, 60), 686);
    assert.equal(estimateCalories(DEFAULT_WORKOUT_TYPES.yoga!, 'low', 50, 30), 50);
  });
});

describe('configuration', () => {
  test('maximum duration', () => {
    assert.equal(parseMaxDuration('240'), 240);
    assert.equal(parseMaxDuration('1440'), 1440);
    for (const bad of ['0', '-5', 'abc', '1440.5', '1441', ''])
      assert.throws(() => parseMaxDuration(bad), ConfigError);
  });
  test('MET table as JSON, or a list of known names', () => {
    assert.deepEqual(parseWorkoutTypes('{"rowing":{"low":4.8,"moderate":7,"high":12}}'), {
      rowing: { low: 4.8, moderate: 7, high: 12 },
    });
    assert.deepEqual(Object.keys(parseWorkoutTypes('["running","yoga"]')), ['running', 'yoga']);
    assert.throws(() => parseWorkoutTypes('["rowing"]'), /no default MET/);
    assert.throws(() => parseWorkoutTypes('{"Rowing!":{"low":1,"moderate":2,"high":3}}'), /lowercase/);
    assert.throws(() => parseWorkoutTypes('{"rowing":{"low":1,"moderate":2}}'), /rowing.high/);
    assert.throws(() => parseWorkoutTypes('not json'), ConfigError);
  });
  test('SSM parameters: supported types pick from the MET table', () => {
    const c = configFromParameters({
      maxDurationMinutes: '180',
      supportedTypes: 'running, rowing',
      metTable: '{"rowing":{"low":4.8,"moderate":7,"high":12}}',
    });
    assert.equal(c.maxDurationMinutes, 180);
    assert.deepEqual(Object.keys(c.workoutTypes), ['running', 'rowing']);
    assert.deepEqual(c.workoutTypes.running, DEFAULT_WORKOUT_TYPES.running);
    assert.throws(() => configFromParameters({ supportedTypes: 'curling' }), /curling/);
  });
  test('the cache serves one load per period and keeps the last good value on failure', async () => {
    let now = 0;
    let loads = 0;
    let fail = false;
    const reported: unknown[] = [];
    const loader = cachedConfig(
      async () => {
        loads++;
        if (fail) throw new Error('parameter store down');
        return { maxDurationMinutes: loads, workoutTypes: DEFAULT_WORKOUT_TYPES };
      },
      1000,
      () => now,
      (err) => reported.push(err),
    );
    const [a, b] = await Promise.all([loader(), loader()]);
    assert.equal(loads, 1);
    assert.equal(a, b);
    now = 500;
    assert.equal((await loader()).maxDurationMinutes, 1);
    now = 1500;
    assert.equal((await loader()).maxDurationMinutes, 2);
    fail = true;
    now = 3000;
    assert.equal((await loader()).maxDurationMinutes, 2);
    assert.equal(loads, 3);
    assert.equal(reported.length, 1);
    assert.match(String(reported[0]), /parameter store down/);
  });
});

describe('time series ranges', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  test('whole periods that the range touches', () => {
    assert.deepEqual(seriesRange('week', 'UTC', '2026-11-18', '2026-12-01', now), {
      first: '2026-11-16',
      end: '2026-12-07',
    });
    assert.deepEqual(seriesRange('month', 'UTC', '2026-01-15', '2026-03-01', now), {
      first: '2026-01-01',
      end: '2026-03-01',
    });
  });
  test('date-time bounds are taken in the user zone; to is exclusive', () => {
    assert.deepEqual(seriesRange('day', 'Asia/Tokyo', '2026-11-20T15:00:00Z', '2026-11-21T15:00:00Z', now), {
      first: '2026-11-21',
      end: '2026-11-22',
    });
  });
  test('defaults end today and go back 30 days, 12 weeks or 12 months', () => {
    assert.deepEqual(seriesRange('day', 'UTC', undefined, undefined, now), {
      first: '2026-10-24',
      end: '2026-11-23',
    });
    assert.equal(seriesRange('week', 'UTC', undefined, undefined, now).first, '2026-08-31');
    assert.equal(seriesRange('month', 'UTC', undefined, undefined, now).first, '2025-12-01');
  });
  test('too long or reversed ranges are refused', () => {
    assert.throws(() => seriesRange('day', 'UTC', '2025-01-01', '2026-06-01', now), /at most 366/);
    assert.throws(() => seriesRange('day', 'UTC', '2026-06-01', '2026-05-01', now), /after from/);
  });
  test('roll-up leaves empty periods out', () => {
    const t = (count: number) => ({ count, durationSeconds: 610 * count, caloriesBurned: 0, distanceKm: 0 });
    assert.deepEqual(
      rollUp(
        [
          { date: '2026-11-16', totals: t(1) },
          { date: '2026-11-22', totals: t(2) },
          { date: '2026-11-23', totals: t(0) },
        ],
        'week',
      ),
      [
        {
          start: '2026-11-16',
          count: 3,
          durationMinutes: 30.5,
          durationSeconds: 1830,
          caloriesBurned: 0,
          distanceKm: 0,
        },
      ],
    );
  });
});

describe('the local day of a workout (fixed when it is logged)', () => {
  test('its own zone first, then the offset written in startedAt, then (for Z) the profile zone', () => {
    // 23:30 UTC on the 20th: the 21st in Tokyo, the 20th in Los Angeles.
    assert.equal(localDateOf('2026-11-20T23:30:00Z', 'Asia/Tokyo', 'America/Los_Angeles'), '2026-11-21');
    assert.equal(localDateOf('2026-11-20T23:30:00Z', undefined, 'Asia/Tokyo'), '2026-11-21');
    assert.equal(localDateOf('2026-11-20T23:30:00Z', undefined, 'UTC'), '2026-11-20');
    // An offset says where it happened: the profile zone does not matter.
    assert.equal(localDateOf('2026-11-20T23:30:00-08:00', undefined, 'Asia/Tokyo'), '2026-11-20');
    // A zone beats the offset: 01:00 on the 21st in UTC+14 is 01:00 on the 20th in Honolulu.
    assert.equal(localDateOf('2026-11-21T01:00:00+14:00', 'Pacific/Honolulu', 'UTC'), '2026-11-20');
    assert.equal(localDateOf('2026-11-21T01:00:00+14:00', undefined, 'UTC'), '2026-11-21');
  });
  test('the profile is needed only for a Z time without a zone, or without calories', () => {
    const base = { startedAt: '2026-11-20T07:30:00+01:00', caloriesBurned: 300 };
    assert.equal(needsProfile(base), false);
    assert.equal(needsProfile({ ...base, caloriesBurned: undefined }), true);
    assert.equal(needsProfile({ ...base, startedAt: '2026-11-20T06:30:00Z' }), true);
    assert.equal(
      needsProfile({ ...base, startedAt: '2026-11-20T06:30:00Z', timezone: 'Europe/Paris' }),
      false,
    );
  });
});

describe('durations in minutes or seconds', () => {
  test('seconds are exact; minutes follow to 0.01', () => {
    assert.deepEqual(duration({ durationSeconds: 1520 }), { durationSeconds: 1520, durationMinutes: 25.33 });
    assert.deepEqual(duration({ durationMinutes: 42 }), { durationSeconds: 2520, durationMinutes: 42 });
    assert.deepEqual(duration({ durationMinutes: 10.25 }), { durationSeconds: 615, durationMinutes: 10.25 });
  });
  test('a retry is recognised whichever way the same duration and instant are written', () => {
    const input: WorkoutInput = {
      workoutType: 'running',
      startedAt: '2026-11-20T07:30:00+01:00',
      durationMinutes: 42,
      intensity: 'high',
    };
    const same = contentFingerprint(input);
    assert.equal(contentFingerprint({ ...input, durationMinutes: undefined, durationSeconds: 2520 }), same);
    assert.equal(contentFingerprint({ ...input, startedAt: '2026-11-20T06:30:00Z' }), same);
    assert.notEqual(contentFingerprint({ ...input, durationMinutes: 43 }), same);
    assert.notEqual(contentFingerprint({ ...input, timezone: 'Europe/Paris' }), same);
  });
  test('statistics sum seconds: 0.01 minutes three times is 1.8 s, not a float residue', () => {
    const t = { count: 3, durationSeconds: 1.8, caloriesBurned: 0.3, distanceKm: 0 };
    const body = statsBody('u', { total: t, byType: { yoga: t } }, []);
    assert.equal(body.totalDurationSeconds, 1.8);
    assert.equal(body.totalDurationMinutes, 0.03);
    assert.equal(body.averageDurationMinutes, 0.01);
    assert.deepEqual(body.workoutTypeBreakdown.yoga, {
      count: 3,
      durationMinutes: 0.03,
      durationSeconds: 1.8,
      caloriesBurned: 0.3,
      distanceKm: 0,
    });
  });
});

describe('user ids', () => {
  test('".", ".." and "me" are refused; other dots are fine', () => {
    for (const bad of ['.', '..', 'me', '', 'a b', 'x'.repeat(129), 'a/b'])
      assert.equal(isUserId(bad), false, bad);
    for (const ok of ['...', '.a', 'a.', 'Me', 'me2', 'x'.repeat(128), '__proto__'])
      assert.equal(isUserId(ok), true, ok);
  });
});
