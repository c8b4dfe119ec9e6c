/**
 * Statistics arithmetic. A workout contributes a `Contribution` (its totals, overall and under
 * its type) to the user's running totals and to the bucket of its local date; creates add it,
 * deletes subtract it, updates add the difference. The store applies these with DynamoDB `ADD`
 * inside the same transaction as the workout, so they are exact.
 */
import { exactSum, roundTo } from './numbers.ts';
import { addDays, monthStart, weekStart } from './time.ts';
import type { Workout } from './workout.ts';

export interface Totals {
  count: number;
  durationMinutes: number;
  caloriesBurned: number;
  distanceKm: number;
}

/** Totals overall and per workout type: the shape of the STATS item and of each day bucket. */
export interface Counters {
  total: Totals;
  byType: Record<string, Totals>;
}

export const ZERO: Totals = Object.freeze({ count: 0, durationMinutes: 0, caloriesBurned: 0, distanceKm: 0 });

export function contribution(w: Workout, sign: 1 | -1 = 1): Counters {
  const t: Totals = {
    count: sign,
    durationMinutes: sign * w.durationMinutes,
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
    durationMinutes: exactSum(parts.map((p) => p.durationMinutes)),
    caloriesBurned: exactSum(parts.map((p) => p.caloriesBurned)),
    distanceKm: exactSum(parts.map((p) => p.distanceKm)),
  };
}

export function isZero(c: Counters): boolean {
  const zero = (t: Totals) =>
    t.count === 0 && t.durationMinutes === 0 && t.caloriesBurned === 0 && t.distanceKm === 0;
  return zero(c.total) && Object.values(c.byType).every(zero);
}

export interface StatsBody {
  userId: string;
  totalWorkouts: number;
  totalDurationMinutes: number;
  totalCaloriesBurned: number;
  totalDistanceKm: number;
  averageDurationMinutes: number;
  averageCaloriesBurned: number;
  workoutTypeBreakdown: Record<string, Omit<Totals, 'count'> & { count: number }>;
  recentWorkouts: Workout[];
}

/** The `GET /stats/{userId}` body; averages are rounded to 0.01, types with no workouts left out. */
export function statsBody(userId: string, c: Counters, recentWorkouts: Workout[]): StatsBody {
  const n = c.total.count;
  const workoutTypeBreakdown: StatsBody['workoutTypeBreakdown'] = {};
  for (const [type, t] of Object.entries(c.byType).sort(([a], [b]) => a.localeCompare(b))) {
    if (t.count > 0) workoutTypeBreakdown[type] = { ...t };
  }
  return {
    userId,
    totalWorkouts: n,
    totalDurationMinutes: c.total.durationMinutes,
    totalCaloriesBurned: c.total.caloriesBurned,
    totalDistanceKm: c.total.distanceKm,
    averageDurationMinutes: n > 0 ? roundTo(c.total.durationMinutes / n, 2) : 0,
    averageCaloriesBurned: n > 0 ? roundTo(c.total.caloriesBurned / n, 2) : 0,
    workoutTypeBreakdown,
    recentWorkouts,
  };
}

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** The first local date of the period that holds `date`. */
export function periodStart(date: string, g: Granularity): string {
  return g === 'day' ? date : g === 'week' ? weekStart(date) : monthStart(date);
}

/** The first local date after the period that starts at `start`. */
export function periodEnd(start: string, g: Granularity): string {
  if (g === 'day') return addDays(start, 1);
  if (g === 'week') return addDays(start, 7);
  const y = Number(start.slice(0, 4));
  const m = Number(start.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

export interface Bucket extends Totals {
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
    .map(([start, parts]) => ({
      start,
      ...addCounters(...parts.map((t) => ({ total: t, byType: {} }))).total,
    }))
    .filter((b) => b.count > 0);
}
