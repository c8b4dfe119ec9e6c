/** GET /stats/{userId} and GET /stats/{userId}/timeseries (`me` for the caller). */
import type { Hono } from 'hono';
import { seriesRange, workoutRange } from '../../domain/range.ts';
import { statsQuerySchema, timeseriesQuerySchema } from '../../domain/schemas.ts';
import { statistics, timeseries } from '../../usecases/statistics.ts';
import { readProfileFacts } from '../../usecases/log-workout.ts';
import { pathUser } from '../auth.ts';
import type { AppDeps, AppEnv } from '../env.ts';
import { parseWith, queryObject } from '../input.ts';

export function statsRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/stats/:userId', async (c) => {
    const userId = pathUser(c);
    const q = parseWith(deps, statsQuerySchema, queryObject(c));
    return c.json(await statistics(deps.table, userId, workoutRange(q.from, q.to)));
  });

  app.get('/stats/:userId/timeseries', async (c) => {
    const userId = pathUser(c);
    const q = parseWith(deps, timeseriesQuerySchema, queryObject(c));
    // The profile's zone says what "today" is, and the day of a `Z` bound.
    const { timezone } = await readProfileFacts(deps.table, userId);
    const { first, end } = seriesRange(q.granularity, timezone, q.from, q.to);
    const buckets = await timeseries(deps.table, userId, q.granularity, first, end);
    return c.json({ userId, granularity: q.granularity, timezone, from: first, to: end, buckets });
  });
}
