/**
 * Statistics arithmetic. A workout contributes a `Contribution` (its totals, overall and under
 * its type) to the user's running totals and to the bucket of its local date; creates add it,
 * deletes subtract it, updates add the difference. The store applies these with DynamoDB `ADD`
 * inside the same transaction as the workout, so they are exact. Durations are summed in
 * seconds (exact); minutes are derived for the answer.
 */
import { exactSum, roundTo } from './numbers.ts';
import { periodStart, type Granularity } from './time.ts';
import type { Workout } from './workout.ts';

export interface Totals {
  count: number;
  durationSeconds: number;
  caloriesBurned: number;
  distanceKm: number;
}

/** Totals overall and per workout type: the shape of the STATS item and of each day bucket. */
export interface Counters {
  total: Totals;
  byType: Record<string, Totals>;
}

export const ZERO: Totals = Object.freeze({ count: 0, durationSeconds: 0, caloriesBurned: 0, distanceKm: 0 });

/** What one workout adds to the counters (`sign` -1: what removing it takes away). */
export function contribution(w: Workout, sign: 1 | -1 = 1): Counters {
  const t: Totals = {
    count: sign,
    durationSeconds: sign * w.durationSeconds,
    caloriesBurned: sign * w.caloriesBurned,
    distanceKm: sign * (w.distanceKm ?? 0),
  };
  return { total: t, byType: { [w.workoutType]: { ...t } } };
}

/** Exact sum of counters (decimals are bounded: see numbers.ts). */
export function addCounters(...parts: Counters[]): Counters {
  const types = new Set(parts.flatMap((p) => Object.keys(p.byType)));
  const byType: Record<string, Totals> = {};
  for (const type of types) byType[type] = addTotals(parts.map((p) => p.byType[type] ?? ZERO));
  return { total: addTotals(parts.map((p) => p.total)), byType };
}

function addTotals(parts: Totals[]): Totals {
  return {
    count: exactSum(
      parts.map((p) => p.count),
      0,
    ),
    durationSeconds: exactSum(parts.map((p) => p.durationSeconds)),
    caloriesBurned: exactSum(parts.map((p) => p.caloriesBurned)),
    distanceKm: exactSum(parts.map((p) => p.distanceKm)),
  };
}

/** The change that turns `before` into `after` (what an update adds). */
export function difference(after: Counters, before: Counters): Counters {
  const negative = (t: Totals): Totals => ({
    count: -t.count,
    durationSeconds: -t.durationSeconds,
    caloriesBurned: -t.caloriesBurned,
    distanceKm: -t.distanceKm,
  });
  return addCounters(after, {
    total: negative(before.total),
    byType: Object.fromEntries(Object.entries(before.byType).map(([k, t]) => [k, negative(t)])),
  });
}

export function isZero(c: Counters): boolean {
  const zero = (t: Totals) =>
    t.count === 0 && t.durationSeconds === 0 && t.caloriesBurned === 0 && t.distanceKm === 0;
  return zero(c.total) && Object.values(c.byType).every(zero);
}

/** Totals as answers show them: minutes (to 0.01) beside the exact seconds. */
export interface TotalsBody {
  count: number;
  durationMinutes: number;
  durationSeconds: number;
  caloriesBurned: number;
  distanceKm: number;
}

export function totalsBody(t: Totals): TotalsBody {
  return {
    count: t.count,
    durationMinutes: roundTo(t.durationSeconds / 60, 2),
    durationSeconds: t.durationSeconds,
    caloriesBurned: t.caloriesBurned,
    distanceKm: t.distanceKm,
  };
}

export interface StatsBody {
  userId: string;
  totalWorkouts: number;
  totalDurationMinutes: number;
  totalDurationSeconds: number;
  totalCaloriesBurned: number;
  totalDistanceKm: number;
  averageDurationMinutes: number;
  averageCaloriesBurned: number;
  workoutTypeBreakdown: Record<string, TotalsBody>;
  recentWorkouts: Workout[];
}

/** The `GET /stats/{userId}` body; averages are rounded to 0.01, types with no workouts left out. */
export function statsBody(userId: string, c: Counters, recentWorkouts: Workout[]): StatsBody {
  const n = c.total.count;
  const workoutTypeBreakdown: StatsBody['workoutTypeBreakdown'] = {};
  for (const [type, t] of Object.entries(c.byType).sort(([a], [b]) => a.localeCompare(b))) {
    if (t.count > 0) workoutTypeBreakdown[type] = totalsBody(t);
  }
  return {
    userId,
    totalWorkouts: n,
    totalDurationMinutes: roundTo(c.total.durationSeconds / 60, 2),
    totalDurationSeconds: c.total.durationSeconds,
    totalCaloriesBurned: c.total.caloriesBurned,
    totalDistanceKm: c.total.distanceKm,
    averageDurationMinutes: n > 0 ? roundTo(c.total.durationSeconds / 60 / n, 2) : 0,
    averageCaloriesBurned: n > 0 ? roundTo(c.total.caloriesBurned / n, 2) : 0,
    workoutTypeBreakdown,
    recentWorkouts,
  };
}

export interface Bucket extends TotalsBody {
  start: string;
}

/** Rolls day buckets up into periods, oldest first; periods with no workouts are left out. */
export function rollUp(days: { date: string; totals: Totals }[], g: Granularity): Bucket[] {
  const groups = new Map<string, Totals[]>();
  for (const d of days) {
    const start = periodStart(d.date, g);
    const list = groups.get(start) ?? [];
    list.push(d.totals);
    groups.set(start, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([start, parts]) => ({ start, ...totalsBody(addTotals(parts)) }))
    .filter((b) => b.count > 0);
}
