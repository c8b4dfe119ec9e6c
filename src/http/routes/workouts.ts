/** POST|GET /workouts, POST /workouts/batch, GET|PATCH|DELETE /workouts/{workoutId}. */
import type { Hono } from 'hono';
import { workoutRange } from '../../domain/range.ts';
import {
  batchSchema,
  type FieldError,
  userQuerySchema,
  validatePatch,
  validateWorkout,
  WORKOUT_ID,
  WORKOUT_ID_MESSAGE,
  workoutSchemas,
} from '../../domain/schemas.ts';
import { deleteWorkout, patchWorkout } from '../../usecases/change-workout.ts';
import { logBatch, type BatchEntry } from '../../usecases/log-batch.ts';
import { logWorkout } from '../../usecases/log-workout.ts';
import { listWorkouts, readWorkout } from '../../usecases/read-workouts.ts';
import { targetUser } from '../auth.ts';
import { BATCH_BODY_LIMIT, readJsonObject } from '../body.ts';
import type { AppContext, AppDeps, AppEnv } from '../env.ts';
import { ifMatch, jsonWithEtag } from '../etag.ts';
import { orInvalid, parseWith, pathParam, queryObject } from '../input.ts';
import { ApiError, describeFields, invalid } from '../problem.ts';

const workoutParam = (c: AppContext) =>
  pathParam(c, 'workoutId', (s) => WORKOUT_ID.test(s), WORKOUT_ID_MESSAGE);

/** `/workouts/{id}`, with `?userId=` when it is not the caller's own. */
function location(c: AppContext, userId: string, workoutId: string): string {
  const own = c.get('identity').userId === userId;
  return `/workouts/${workoutId}${own ? '' : `?userId=${encodeURIComponent(userId)}`}`;
}

/** The user named by `?userId=` (authorized first), with the rest of the query validated after. */
function queryUser(c: AppContext, deps: AppDeps): string {
  const query = queryObject(c);
  const userId = targetUser(c, query.userId);
  parseWith(deps, userQuerySchema, query);
  return userId;
}

export function workoutRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post('/workouts', async (c) => {
    const body = await readJsonObject(c);
    const userId = targetUser(c, body.userId);
    const config = await deps.config();
    const input = orInvalid(deps, validateWorkout(config, body));
    const outcome = await logWorkout(useCases(deps), userId, input, config);
    if (outcome.status === 'conflict') {
      throw new ApiError(
        409,
        'workout_conflict',
        `workout ${outcome.workout.workoutId} exists with different content`,
      );
    }
    c.header('Location', location(c, userId, outcome.workout.workoutId));
    return jsonWithEtag(c, outcome.workout, outcome.status === 'created' ? 201 : 200);
  });

  app.post('/workouts/batch', async (c) => {
    const body = await readJsonObject(c, BATCH_BODY_LIMIT);
    // A batch naming another user is refused whole (403), before anything is validated.
    const items: unknown[] = Array.isArray(body.workouts) ? body.workouts : [];
    const named = items.map((i) =>
      i !== null && typeof i === 'object' ? (i as { userId?: unknown }).userId : undefined,
    );
    const users = named.map((n) => targetUser(c, n));
    const userId = users.find((u) => u !== c.get('identity').userId) ?? c.get('identity').userId;
    const { workouts } = parseWith(deps, batchSchema, body);
    const config = await deps.config();
    const entries: BatchEntry[] = [];
    const results: Record<string, unknown>[] = [];
    workouts.forEach((raw, index) => {
      const r = validateWorkout(config, raw);
      const other = r.ok && r.value.userId !== undefined && r.value.userId !== userId;
      if (r.ok && !other) {
        entries.push({ index, input: r.value });
        return;
      }
      const errors: FieldError[] = r.ok
        ? [
            {
              path: 'userId',
              code: 'invalid_value',
              message: 'must be the same for every workout of a batch',
            },
          ]
        : r.errors;
      results.push({
        index,
        status: 400,
        error: { code: 'invalid_fields', detail: describeFields(errors), errors },
      });
    });
    if (entries.length < workouts.length) deps.metrics.validationFailed();
    for (const o of await logBatch(useCases(deps), userId, entries, config)) {
      results.push(
        o.status === 'conflict'
          ? {
              index: o.index,
              status: 409,
              error: {
                code: 'workout_conflict',
                detail: `workout ${o.workout.workoutId} exists with different content`,
              },
            }
          : { index: o.index, status: o.status === 'created' ? 201 : 200, workout: o.workout },
      );
    }
    results.sort((a, b) => (a.index as number) - (b.index as number));
    return c.json({ results });
  });

  app.get('/workouts', async (c) => {
    const query = queryObject(c);
    const userId = targetUser(c, query.userId);
    const config = await deps.config();
    const q = parseWith(deps, workoutSchemas(config).listQuery, query);
    const page = await listWorkouts(deps.table, userId, {
      range: workoutRange(q.from, q.to),
      workoutType: q.workoutType,
      limit: q.limit,
      cursor: q.cursor,
    });
    return c.json(page);
  });

  app.get('/workouts/:workoutId', async (c) => {
    const workoutId = workoutParam(c);
    const userId = queryUser(c, deps);
    return jsonWithEtag(c, await readWorkout(deps.table, userId, workoutId));
  });

  app.patch('/workouts/:workoutId', async (c) => {
    const workoutId = workoutParam(c);
    const userId = queryUser(c, deps);
    const config = await deps.config();
    const body = await readJsonObject(c);
    const fixed = (['workoutId', 'userId'] as const).filter((f) => f in body);
    if (fixed.length)
      throw invalid(fixed.map((path) => ({ path, code: 'read_only', message: 'cannot be changed' })));
    const patch = orInvalid(deps, validatePatch(config, body));
    return jsonWithEtag(c, await patchWorkout(useCases(deps), userId, workoutId, patch, config, ifMatch(c)));
  });

  app.delete('/workouts/:workoutId', async (c) => {
    const workoutId = workoutParam(c);
    const userId = queryUser(c, deps);
    await deleteWorkout(useCases(deps), userId, workoutId, ifMatch(c));
    return c.body(null, 204);
  });
}

function useCases(deps: AppDeps) {
  return { table: deps.table, events: deps.metrics };
}
