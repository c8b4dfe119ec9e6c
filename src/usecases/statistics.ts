/**
 * GET /stats and GET /stats/{id}/timeseries. Their cost depends on the range asked for, never on
 * the history's length:
 * - all-time: ONE Query (the STATS item heads the start-time index, then the 10 newest);
 * - a range: the day buckets of the local dates wholly inside it, the workouts at its edges
 *   (a day or two of them), and the 10 newest in it;
 * - a series: the day buckets of its local dates, rolled up by day, ISO week or month.
 */
import { isOpen, rangePlan, inRange, type WorkoutRange } from '../domain/range.ts';
import {
  addCounters,
  contribution,
  rollUp,
  statsBody,
  type Bucket,
  type Counters,
  type StatsBody,
} from '../domain/stats.ts';
import type { Granularity } from '../domain/time.ts';
import { dayBuckets } from '../store/buckets.ts';
import { toCounters, toWorkout } from '../store/codec.ts';
import type { Item, Table } from '../store/dynamodb.ts';
import { queryStarted, statsAndNewest } from '../store/workouts.ts';
import { listWorkouts } from './read-workouts.ts';

const RECENT = 10;

export async function statistics(table: Table, userId: string, range: WorkoutRange): Promise<StatsBody> {
  if (isOpen(range)) {
    const { stats, newest } = await statsAndNewest(table, userId, RECENT);
    return statsBody(userId, toCounters(stats), newest.map(toWorkout));
  }
  const plan = rangePlan(range);
  const days = plan.days;
  const onPlannedDay = (date: string) =>
    days !== null &&
    (days.first === undefined || date >= days.first) &&
    (days.end === undefined || date < days.end);
  const [fromDays, edges, recent] = await Promise.all([
    days
      ? dayBuckets(table, userId, days.first, days.end).then((ds) =>
          addCounters(...ds.map((d) => d.counters)),
        )
      : addCounters(),
    Promise.all(
      plan.edges.map((edge) =>
        workoutsStarted(table, userId, edge.loMs, edge.hiMs).then((items) =>
          addCounters(
            ...items
              .map(toWorkout)
              .filter((w) => inRange(range, w) && !onPlannedDay(w.localDate))
              .map((w) => contribution(w)),
          ),
        ),
      ),
    ),
    listWorkouts(table, userId, { range, limit: RECENT }),
  ]);
  const counters: Counters = addCounters(fromDays, ...edges);
  return statsBody(userId, counters, recent.items);
}

/** Every workout that started in [loMs, hiMs) (an edge of a range: about a day of workouts). */
async function workoutsStarted(table: Table, userId: string, loMs?: number, hiMs?: number): Promise<Item[]> {
  const all: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await queryStarted(table, userId, {
      ...(loMs !== undefined ? { loMs } : {}),
      ...(hiMs !== undefined ? { hiMs } : {}),
      oldestFirst: true,
      limit: 500,
      ...(startKey ? { startKey } : {}),
    });
    all.push(...page.items);
    startKey = page.lastKey;
  } while (startKey);
  return all;
}

/** Buckets for charts over local dates [first, end). */
export async function timeseries(
  table: Table,
  userId: string,
  granularity: Granularity,
  first: string,
  end: string,
): Promise<Bucket[]> {
  const days = await dayBuckets(table, userId, first, end);
  return rollUp(
    days.map((d) => ({ date: d.date, totals: d.counters.total })),
    granularity,
  );
}
