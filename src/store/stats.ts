/**
 * Statistics reads. Their cost depends on the range asked for, never on the history's length:
 * - all-time: ONE Query of the byStartedAt index, newest first, Limit 11. The STATS item sorts
 *   above every workout there, so it comes first, followed by the 10 newest workouts.
 * - a range: the day buckets of the whole local days inside it, plus the workouts of the partial
 *   days at its edges, plus the 10 newest workouts in it.
 * - a time series: the day buckets of the range, rolled up by day, ISO week or month.
 */
import {
  addCounters,
  contribution,
  rollUp,
  statsBody,
  type Bucket,
  type Counters,
  type Granularity,
  type StatsBody,
} from '../domain/stats.ts';
import { addDays, localDate, startOfLocalDay } from '../domain/time.ts';
import { toCounters, toWorkout } from './codec.ts';
import type { Item } from './dynamodb.ts';
import type { StoreContext } from './context.ts';
import { daySk, INDEX_BY_STARTED_AT, pk, STARTED_MAX, STARTED_MIN, STATS_LSI1, STATS_SK } from './keys.ts';
import { queryAll } from './query.ts';
import { workoutsBetween } from './workouts.ts';

const RECENT = 10;

export async function allTimeStats(ctx: StoreContext, userId: string): Promise<StatsBody> {
  const out = await ctx.db.call<{ Items?: Item[] }>('Query', {
    TableName: ctx.tableName,
    IndexName: INDEX_BY_STARTED_AT,
    KeyConditionExpression: 'pk = :pk AND lsi1 BETWEEN :lo AND :hi',
    ExpressionAttributeValues: { ':pk': pk(userId), ':lo': STARTED_MIN, ':hi': STATS_LSI1 },
    ScanIndexForward: false,
    ConsistentRead: true,
    Limit: RECENT + 1,
  });
  const items = out.Items ?? [];
  const stats = items.find((i) => i.sk === STATS_SK);
  const recent = items.filter((i) => i.sk !== STATS_SK).slice(0, RECENT);
  return statsBody(userId, toCounters(stats), recent.map(toWorkout));
}

/** Statistics of the workouts that started in [fromMs, toMs); either bound may be open. */
export async function rangeStats(
  ctx: StoreContext,
  userId: string,
  timezone: string,
  fromMs: number | undefined,
  toMs: number | undefined,
): Promise<StatsBody> {
  // Whole local days inside the range: [firstDay, endDay).
  const firstDay = fromMs === undefined ? undefined : firstWholeDay(fromMs, timezone);
  const endDay = toMs === undefined ? undefined : localDate(toMs, timezone);
  const wholeDays = firstDay === undefined || endDay === undefined || firstDay < endDay;

  const parts: Promise<Counters>[] = [];
  if (wholeDays) {
    parts.push(
      dayBuckets(ctx, userId, firstDay, endDay === undefined ? undefined : addDays(endDay, -1)).then((days) =>
        addCounters(...days.map((d) => d.counters)),
      ),
    );
    if (fromMs !== undefined)
      parts.push(sumWorkouts(ctx, userId, fromMs, startOfLocalDay(firstDay!, timezone)));
    if (toMs !== undefined) parts.push(sumWorkouts(ctx, userId, startOfLocalDay(endDay!, timezone), toMs));
  } else {
    parts.push(sumWorkouts(ctx, userId, fromMs!, toMs!));
  }
  const [counters, recent] = await Promise.all([
    Promise.all(parts).then((c) => addCounters(...c)),
    newest(ctx, userId, fromMs, toMs),
  ]);
  return statsBody(userId, counters, recent);
}

/** The first local date that starts at or after the instant. */
function firstWholeDay(ms: number, timezone: string): string {
  const d = localDate(ms, timezone);
  return startOfLocalDay(d, timezone) === ms ? d : addDays(d, 1);
}

async function sumWorkouts(
  ctx: StoreContext,
  userId: string,
  fromMs: number,
  toMs: number,
): Promise<Counters> {
  if (fromMs >= toMs) return addCounters();
  const ws = await workoutsBetween(ctx, userId, fromMs, toMs);
  return addCounters(...ws.map((w) => contribution(w)));
}

async function newest(ctx: StoreContext, userId: string, fromMs?: number, toMs?: number) {
  const out = await ctx.db.call<{ Items?: Item[] }>('Query', {
    TableName: ctx.tableName,
    IndexName: INDEX_BY_STARTED_AT,
    KeyConditionExpression: 'pk = :pk AND lsi1 BETWEEN :lo AND :hi',
    ExpressionAttributeValues: {
      ':pk': pk(userId),
      ':lo': fromMs === undefined ? STARTED_MIN : `W#${new Date(fromMs).toISOString()}`,
      ':hi': toMs === undefined ? STARTED_MAX : `W#${new Date(toMs).toISOString()}`,
    },
    ScanIndexForward: false,
    ConsistentRead: true,
    Limit: RECENT,
  });
  return (out.Items ?? []).map(toWorkout);
}

/** Day buckets with local dates in [first, last] (inclusive; open ends allowed), oldest first. */
export async function dayBuckets(
  ctx: StoreContext,
  userId: string,
  first: string | undefined,
  last: string | undefined,
): Promise<{ date: string; counters: Counters }[]> {
  const items = await queryAll(ctx.db, {
    TableName: ctx.tableName,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
    ExpressionAttributeValues: {
      ':pk': pk(userId),
      ':lo': first === undefined ? 'D#' : daySk(first),
      ':hi': last === undefined ? 'D#9' : daySk(last),
    },
    ConsistentRead: true,
  });
  return items.map((item) => ({ date: String(item.sk).slice(2), counters: toCounters(item) }));
}

/** Buckets for charts over local dates [first, end). */
export async function timeseries(
  ctx: StoreContext,
  userId: string,
  granularity: Granularity,
  first: string,
  end: string,
): Promise<Bucket[]> {
  const days = await dayBuckets(ctx, userId, first, addDays(end, -1));
  return rollUp(
    days.map((d) => ({ date: d.date, totals: d.counters.total })),
    granularity,
  );
}
