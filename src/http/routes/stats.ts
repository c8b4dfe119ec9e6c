/** GET /stats/{userId} and GET /stats/{userId}/timeseries. */
import type { Hono } from 'hono';
import { statsQuerySchema, timeseriesQuerySchema, USER_ID } from '../../domain/schemas.ts';
import { periodEnd, periodStart, type Granularity } from '../../domain/stats.ts';
import { addDays, addMonths, daysBetween, localDate, parseDate, parseDateTime } from '../../domain/time.ts';
import { allTimeStats, rangeStats, timeseries } from '../../store/stats.ts';
import { bucketZone } from '../../store/profiles.ts';
import { targetUser } from '../auth.ts';
import {
  boundToMs,
  checkOrder,
  parseWith,
  pathParam,
  queryObject,
  type AppDeps,
  type AppEnv,
} from '../context.ts';
import { invalid } from '../problem.ts';

/** Longest range per granularity, so one call reads a bounded number of day buckets. */
export const MAX_RANGE_DAYS: Record<Granularity, number> = { day: 366, week: 7 * 157, month: 1096 };

/** How far back a series goes when `from` is not given. */
function defaultFirst(last: string, g: Granularity): string {
  if (g === 'day') return addDays(last, -29);
  if (g === 'week') return addDays(periodStart(last, 'week'), -7 * 11);
  return addMonths(periodStart(last, 'month'), -11);
}

/**
 * Local dates [first, end) of a series: the whole periods that [from, to) touches. A date-time
 * bound is taken at its local date in the user's zone; `to` is exclusive.
 */
export function seriesRange(
  g: Granularity,
  tz: string,
  from: string | undefined,
  to: string | undefined,
  now = Date.now(),
): { first: string; end: string } {
  const lastDay =
    to === undefined
      ? localDate(now, tz)
      : parseDate(to)
        ? addDays(to, -1)
        : localDate(parseDateTime(to)! - 1, tz);
  const firstDay =
    from === undefined ? defaultFirst(lastDay, g) : (parseDate(from) ?? localDate(parseDateTime(from)!, tz));
  if (firstDay > lastDay) throw invalid([{ path: 'to', message: 'must be after from' }]);
  const first = periodStart(firstDay, g);
  const end = periodEnd(periodStart(lastDay, g), g);
  if (daysBetween(first, end) > MAX_RANGE_DAYS[g]) {
    throw invalid([
      { path: 'from', message: `the range may span at most ${MAX_RANGE_DAYS[g]} days for ${g}s` },
    ]);
  }
  return { first, end };
}

export function statsRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const userParam = (c: Parameters<typeof pathParam>[0]) =>
    pathParam(c, 'userId', USER_ID, 'must be 1-128 letters, digits, "-", "_" or "."');

  app.get('/stats/:userId', async (c) => {
    const userId = targetUser(c, userParam(c));
    const q = parseWith(deps, statsQuerySchema, queryObject(c));
    if (q.from === undefined && q.to === undefined) return c.json(await allTimeStats(deps.store, userId));
    const tz = (await bucketZone(deps.store, userId)) ?? 'UTC';
    const fromMs = boundToMs(q.from, tz);
    const toMs = boundToMs(q.to, tz);
    checkOrder(fromMs, toMs);
    return c.json(await rangeStats(deps.store, userId, tz, fromMs, toMs));
  });

  app.get('/stats/:userId/timeseries', async (c) => {
    const userId = targetUser(c, userParam(c));
    const q = parseWith(deps, timeseriesQuerySchema, queryObject(c));
    const tz = (await bucketZone(deps.store, userId)) ?? 'UTC';
    const { first, end } = seriesRange(q.granularity, tz, q.from, q.to);
    const buckets = await timeseries(deps.store, userId, q.granularity, first, end);
    return c.json({ userId, granularity: q.granularity, timezone: tz, from: first, to: end, buckets });
  });
}
