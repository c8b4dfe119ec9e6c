/** POST|GET /workouts, GET|PATCH|DELETE /workouts/{workoutId}. */
import type { Hono } from 'hono';
import { userQuerySchema, WORKOUT_ID, workoutSchemas } from '../../domain/schemas.ts';
import { readUserContext } from '../../store/profiles.ts';
import {
  deleteWorkout,
  getWorkout,
  InvalidCursorError,
  listWorkouts,
  putWorkout,
  updateWorkout,
} from '../../store/workouts.ts';
import { targetUser, userNamedIn } from '../auth.ts';
import { readJsonObject } from '../body.ts';
import {
  boundToMs,
  checkOrder,
  notFound,
  parseWith,
  pathParam,
  queryObject,
  type AppContext,
  type AppDeps,
  type AppEnv,
} from '../context.ts';
import { ApiError, invalid } from '../problem.ts';

const workoutParam = (c: AppContext) =>
  pathParam(c, 'workoutId', WORKOUT_ID, 'must be 1-64 letters, digits, "-" or "_"');

/** `/workouts/{id}`, with `?userId=` when it is not the caller's own. */
function location(c: AppContext, userId: string, workoutId: string): string {
  const own = c.get('identity').userId === userId;
  return `/workouts/${workoutId}${own ? '' : `?userId=${encodeURIComponent(userId)}`}`;
}

export function workoutRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post('/workouts', async (c) => {
    const body = await readJsonObject(c);
    const userId = targetUser(c, userNamedIn(body));
    const config = await deps.config();
    const input = parseWith(deps, workoutSchemas(config).create, body);
    const outcome = await putWorkout(deps.store, userId, input, config);
    if (outcome.status === 'conflict') {
      throw new ApiError(409, `workout ${outcome.workout.workoutId} exists with different content`);
    }
    c.header('Location', location(c, userId, outcome.workout.workoutId));
    if (outcome.status === 'replayed') {
      deps.metrics.duplicateReplayed();
      return c.json(outcome.workout, 200);
    }
    return c.json(outcome.workout, 201);
  });

  app.get('/workouts', async (c) => {
    const config = await deps.config();
    const q = parseWith(deps, workoutSchemas(config).listQuery, queryObject(c));
    const userId = targetUser(c, q.userId);
    // A date (not a date-time) bound means local midnight, which needs the user's zone.
    const needsZone = [q.from, q.to].some((b) => b !== undefined && b.length === 10);
    const tz = needsZone ? (await readUserContext(deps.store, userId)).timezone : 'UTC';
    const fromMs = boundToMs(q.from, tz);
    const toMs = boundToMs(q.to, tz);
    checkOrder(fromMs, toMs);
    try {
      const page = await listWorkouts(deps.store, userId, {
        workoutType: q.workoutType,
        fromMs,
        toMs,
        limit: q.limit,
        cursor: q.cursor,
      });
      return c.json(page);
    } catch (err) {
      if (err instanceof InvalidCursorError) throw invalid([{ path: 'cursor', message: err.message }]);
      throw err;
    }
  });

  app.get('/workouts/:workoutId', async (c) => {
    const workoutId = workoutParam(c);
    const userId = targetUser(c, parseWith(deps, userQuerySchema, queryObject(c)).userId);
    const w = await getWorkout(deps.store, userId, workoutId);
    if (!w) throw notFound(`workout ${workoutId}`);
    return c.json(w);
  });

  app.patch('/workouts/:workoutId', async (c) => {
    const workoutId = workoutParam(c);
    const userId = targetUser(c, parseWith(deps, userQuerySchema, queryObject(c)).userId);
    const config = await deps.config();
    const body = await readJsonObject(c);
    for (const fixed of ['workoutId', 'userId'] as const) {
      if (fixed in body) throw invalid([{ path: fixed, message: 'cannot be changed' }]);
    }
    const patch = parseWith(deps, workoutSchemas(config).patch, body);
    const w = await updateWorkout(deps.store, userId, workoutId, patch, config);
    if (!w) throw notFound(`workout ${workoutId}`);
    return c.json(w);
  });

  app.delete('/workouts/:workoutId', async (c) => {
    const workoutId = workoutParam(c);
    const userId = targetUser(c, parseWith(deps, userQuerySchema, queryObject(c)).userId);
    if (!(await deleteWorkout(deps.store, userId, workoutId))) throw notFound(`workout ${workoutId}`);
    return c.body(null, 204);
  });
}
