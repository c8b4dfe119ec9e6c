/**
 * Workouts in DynamoDB. Every change to a workout and to the statistics it moves is one
 * TransactWriteItems: the workout (conditioned on its version, or on not existing), the user's
 * STATS item and the day bucket(s), with `ADD` deltas. So a retry, a race or a crash can never
 * count a workout twice or lose one.
 *
 * Day buckets are keyed by the local date in the user's time zone. The STATS item records that
 * zone (`tz`), and every write is conditioned on it: a write that read an old zone fails and is
 * redone, so buckets always use the zone the STATS item names (see rebucket()).
 */
import type { AppConfig } from '../domain/config.ts';
import type { CreateWorkoutInput, PatchWorkoutInput } from '../domain/schemas.ts';
import { addCounters, contribution, isZero, type Counters } from '../domain/stats.ts';
import { localDate, parseDateTime } from '../domain/time.ts';
import {
  contentFingerprint,
  createWorkout,
  newWorkoutId,
  patchWorkout,
  type Workout,
} from '../domain/workout.ts';
import { counterAdds, toWorkout, updateExpression } from './codec.ts';
import type { Item } from './dynamodb.ts';
import { cancellationCodes, StoreUnavailableError, withConflictRetry } from './errors.ts';
import {
  daySk,
  INDEX_BY_STARTED_AT,
  INDEX_BY_TYPE,
  pk,
  STARTED_MAX,
  STARTED_MIN,
  startedKey,
  STATS_LSI1,
  STATS_SK,
  typeStartedKey,
  workoutSk,
} from './keys.ts';
import type { StoreContext } from './context.ts';
import { readUserContext } from './profiles.ts';
import { queryAll, queryPages } from './query.ts';

/** How often a write is redone after losing a race (a concurrent change of the same workout or zone). */
const MAX_REDOS = 8;

export type CreateOutcome =
  | { status: 'created'; workout: Workout }
  | { status: 'replayed'; workout: Workout }
  | { status: 'conflict'; workout: Workout };

export interface StoredWorkout {
  workout: Workout;
  version: number;
  bucketDate: string;
  fingerprint: string;
}

/** A workout's item. Exported, with the two updates below, for bench/load.ts's raw baseline. */
export function workoutItem(
  w: Workout,
  meta: { version: number; bucketDate: string; fingerprint: string },
): Item {
  const started = parseDateTime(w.startedAt)!;
  return {
    pk: pk(w.userId),
    sk: workoutSk(w.workoutId),
    lsi1: startedKey(started, w.workoutId),
    lsi2: typeStartedKey(w.workoutType, started, w.workoutId),
    ...w,
    ...meta,
  };
}

function stored(item: Item): StoredWorkout {
  return {
    workout: toWorkout(item),
    version: Number(item.version),
    bucketDate: String(item.bucketDate),
    fingerprint: String(item.fingerprint),
  };
}

/**
 * The STATS update of a transaction: applies `delta` and insists that the buckets' zone is still
 * the one this write computed its bucket with.
 */
export function statsUpdate(ctx: StoreContext, userId: string, tz: string, delta: Counters): Item {
  const adds = counterAdds(delta);
  return {
    Update: {
      TableName: ctx.tableName,
      Key: { pk: pk(userId), sk: STATS_SK },
      UpdateExpression: updateExpression(['#tz = :tz', 'lsi1 = :statsLsi', 'userId = :uid'], adds.add),
      ConditionExpression: 'attribute_not_exists(#tz) OR #tz = :tz',
      ExpressionAttributeNames: { '#tz': 'tz', ...adds.names },
      ExpressionAttributeValues: { ':tz': tz, ':statsLsi': STATS_LSI1, ':uid': userId, ...adds.values },
    },
  };
}

export function bucketUpdate(ctx: StoreContext, userId: string, date: string, delta: Counters): Item[] {
  if (isZero(delta)) return [];
  const adds = counterAdds(delta);
  return [
    {
      Update: {
        TableName: ctx.tableName,
        Key: { pk: pk(userId), sk: daySk(date) },
        UpdateExpression: updateExpression([], adds.add),
        ExpressionAttributeNames: adds.names,
        ExpressionAttributeValues: adds.values,
      },
    },
  ];
}

/** Day bucket updates that move a contribution from one bucket (and value) to another. */
function moveBuckets(
  ctx: StoreContext,
  userId: string,
  from: { date: string; counters: Counters },
  to: { date: string; counters: Counters },
): Item[] {
  if (from.date === to.date) {
    return bucketUpdate(ctx, userId, to.date, addCounters(to.counters, negate(from.counters)));
  }
  return [
    ...bucketUpdate(ctx, userId, from.date, negate(from.counters)),
    ...bucketUpdate(ctx, userId, to.date, to.counters),
  ];
}

function negate(c: Counters): Counters {
  const neg = (t: Counters['total']) => ({
    count: -t.count,
    durationMinutes: -t.durationMinutes,
    caloriesBurned: -t.caloriesBurned,
    distanceKm: -t.distanceKm,
  });
  return {
    total: neg(c.total),
    byType: Object.fromEntries(Object.entries(c.byType).map(([k, t]) => [k, neg(t)])),
  };
}

export async function getStoredWorkout(
  ctx: StoreContext,
  userId: string,
  workoutId: string,
): Promise<StoredWorkout | null> {
  const out = await ctx.db.call<{ Item?: Item }>('GetItem', {
    TableName: ctx.tableName,
    Key: { pk: pk(userId), sk: workoutSk(workoutId) },
    ConsistentRead: true,
  });
  return out.Item ? stored(out.Item) : null;
}

export async function getWorkout(
  ctx: StoreContext,
  userId: string,
  workoutId: string,
): Promise<Workout | null> {
  return (await getStoredWorkout(ctx, userId, workoutId))?.workout ?? null;
}

/**
 * Logs a workout once. The same workoutId with the same content is a replay (the stored workout
 * comes back, nothing is counted again); with other content it is a conflict.
 */
export async function putWorkout(
  ctx: StoreContext,
  userId: string,
  input: CreateWorkoutInput,
  config: AppConfig,
): Promise<CreateOutcome> {
  const workoutId = input.workoutId ?? newWorkoutId();
  const fingerprint = contentFingerprint(input);
  for (let redo = 0; ; redo++) {
    const user = await readUserContext(ctx, userId);
    const now = new Date().toISOString();
    const w = createWorkout(input, { userId, workoutId, weightKg: user.weightKg, config, now });
    const bucketDate = localDate(parseDateTime(w.startedAt)!, user.timezone);
    const c = contribution(w);
    try {
      await withConflictRetry(() =>
        ctx.db.call('TransactWriteItems', {
          TransactItems: [
            {
              Put: {
                TableName: ctx.tableName,
                Item: workoutItem(w, { version: 1, bucketDate, fingerprint }),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            statsUpdate(ctx, userId, user.timezone, c),
            ...bucketUpdate(ctx, userId, bucketDate, c),
          ],
        }),
      );
      ctx.metrics?.workoutLogged(w);
      return { status: 'created', workout: w };
    } catch (err) {
      const codes = cancellationCodes(err);
      if (codes?.[0] === 'ConditionalCheckFailed') {
        const existing = await getStoredWorkout(ctx, userId, workoutId);
        if (!existing) continue; // deleted in between: log it anew
        return existing.fingerprint === fingerprint
          ? { status: 'replayed', workout: existing.workout }
          : { status: 'conflict', workout: existing.workout };
      }
      // The time zone changed under us: read it again and recompute the bucket.
      if (codes?.[1] === 'ConditionalCheckFailed') {
        if (redo < MAX_REDOS) continue;
        throw new StoreUnavailableError('the time zone keeps changing; try again', 1);
      }
      throw err;
    }
  }
}

/** Applies a partial update; null when there is no such workout. Statistics follow the change. */
export async function updateWorkout(
  ctx: StoreContext,
  userId: string,
  workoutId: string,
  patch: PatchWorkoutInput,
  config: AppConfig,
): Promise<Workout | null> {
  for (let redo = 0; ; redo++) {
    const [old, user] = await Promise.all([
      getStoredWorkout(ctx, userId, workoutId),
      readUserContext(ctx, userId),
    ]);
    if (!old) return null;
    const next = patchWorkout(old.workout, patch, {
      weightKg: user.weightKg,
      config,
      now: new Date().toISOString(),
    });
    const bucketDate = localDate(parseDateTime(next.startedAt)!, user.timezone);
    const before = contribution(old.workout);
    const after = contribution(next);
    try {
      await withConflictRetry(() =>
        ctx.db.call('TransactWriteItems', {
          TransactItems: [
            {
              Put: {
                TableName: ctx.tableName,
                Item: workoutItem(next, {
                  version: old.version + 1,
                  bucketDate,
                  fingerprint: old.fingerprint,
                }),
                ConditionExpression: 'version = :v',
                ExpressionAttributeValues: { ':v': old.version },
              },
            },
            statsUpdate(ctx, userId, user.timezone, addCounters(after, negate(before))),
            ...moveBuckets(
              ctx,
              userId,
              { date: old.bucketDate, counters: before },
              { date: bucketDate, counters: after },
            ),
          ],
        }),
      );
      return next;
    } catch (err) {
      redoOrThrow(err, redo);
    }
  }
}

/** Deletes a workout and takes it out of the statistics; false when there was none. */
export async function deleteWorkout(ctx: StoreContext, userId: string, workoutId: string): Promise<boolean> {
  for (let redo = 0; ; redo++) {
    const old = await getStoredWorkout(ctx, userId, workoutId);
    if (!old) return false;
    const c = negate(contribution(old.workout));
    // The zone condition on STATS is not needed here: the bucket is the one stored on the workout.
    const adds = counterAdds(c);
    try {
      await withConflictRetry(() =>
        ctx.db.call('TransactWriteItems', {
          TransactItems: [
            {
              Delete: {
                TableName: ctx.tableName,
                Key: { pk: pk(userId), sk: workoutSk(workoutId) },
                ConditionExpression: 'version = :v',
                ExpressionAttributeValues: { ':v': old.version },
              },
            },
            {
              Update: {
                TableName: ctx.tableName,
                Key: { pk: pk(userId), sk: STATS_SK },
                UpdateExpression: updateExpression([], adds.add),
                ExpressionAttributeNames: adds.names,
                ExpressionAttributeValues: adds.values,
              },
            },
            ...bucketUpdate(ctx, userId, old.bucketDate, c),
          ],
        }),
      );
      return true;
    } catch (err) {
      redoOrThrow(err, redo);
    }
  }
}

/** A transaction lost a race on a condition (workout version or zone): redo it from a fresh read. */
function retryableRace(err: unknown): boolean {
  return cancellationCodes(err)?.includes('ConditionalCheckFailed') ?? false;
}

/** Returns when a lost race should be redone; past MAX_REDOS the caller is told to retry later (503). */
function redoOrThrow(err: unknown, redo: number): void {
  if (!retryableRace(err)) throw err;
  if (redo >= MAX_REDOS) throw new StoreUnavailableError('the workout keeps changing; try again', 1);
}

export interface ListOptions {
  workoutType?: string;
  fromMs?: number;
  toMs?: number;
  limit: number;
  cursor?: string;
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** Newest first; `from` inclusive, `to` exclusive; the cursor resumes after the last item returned. */
export async function listWorkouts(
  ctx: StoreContext,
  userId: string,
  opts: ListOptions,
): Promise<{ items: Workout[]; nextCursor: string | null }> {
  const byType = opts.workoutType !== undefined;
  const indexAttr = byType ? 'lsi2' : 'lsi1';
  const prefix = byType ? `${opts.workoutType}#` : 'W#';
  // "to" is exclusive: keys of workouts starting exactly then are `<prefix><to>#id`, above this bound.
  const lo =
    prefix + (opts.fromMs !== undefined ? new Date(opts.fromMs).toISOString() : STARTED_MIN.slice(2));
  const hi = prefix + (opts.toMs !== undefined ? new Date(opts.toMs).toISOString() : STARTED_MAX.slice(2));
  let exclusiveStartKey: Item | undefined;
  if (opts.cursor !== undefined) {
    const [lsi, sk] = decodeCursor(opts.cursor);
    if (!sk.startsWith('W#') || lsi < lo || lsi > hi)
      throw new InvalidCursorError('cursor does not belong to this query');
    // aws-lite passes ExclusiveStartKey through as is: it must be in DynamoDB's typed form.
    exclusiveStartKey = { pk: { S: pk(userId) }, sk: { S: sk }, [indexAttr]: { S: lsi } };
  }
  const out = await ctx.db.call<{ Items?: Item[] }>('Query', {
    TableName: ctx.tableName,
    IndexName: byType ? INDEX_BY_TYPE : INDEX_BY_STARTED_AT,
    KeyConditionExpression: 'pk = :pk AND #k BETWEEN :lo AND :hi',
    ExpressionAttributeNames: { '#k': indexAttr },
    ExpressionAttributeValues: { ':pk': pk(userId), ':lo': lo, ':hi': hi },
    ScanIndexForward: false,
    ConsistentRead: true,
    Limit: opts.limit + 1, // one more tells whether there is a next page
    ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
  });
  const items = out.Items ?? [];
  const page = items.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toWorkout),
    nextCursor:
      items.length > opts.limit && last ? encodeCursor(String(last[indexAttr]), String(last.sk)) : null,
  };
}

function encodeCursor(lsi: string, sk: string): string {
  return Buffer.from(JSON.stringify([lsi, sk])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && v.every((s) => typeof s === 'string' && s.length <= 200)) {
      return v as [string, string];
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError('is not a valid cursor');
}

/** Every workout that started in [fromMs, toMs), oldest first (for statistics over partial days). */
export async function workoutsBetween(
  ctx: StoreContext,
  userId: string,
  fromMs: number,
  toMs: number,
): Promise<Workout[]> {
  const items = await queryAll(ctx.db, {
    TableName: ctx.tableName,
    IndexName: INDEX_BY_STARTED_AT,
    KeyConditionExpression: 'pk = :pk AND lsi1 BETWEEN :lo AND :hi',
    ExpressionAttributeValues: {
      ':pk': pk(userId),
      ':lo': `W#${new Date(fromMs).toISOString()}`,
      ':hi': `W#${new Date(toMs).toISOString()}`,
    },
    ConsistentRead: true,
  });
  return items.map(toWorkout);
}

/**
 * Moves every workout whose bucket is not its local date in `timezone` into the right bucket,
 * one transaction per workout (so concurrent writes stay exact). Idempotent: a second run finds
 * nothing to move. Runs after the zone on the STATS item changed, and stops if it changes again
 * (each move checks the zone, so an older move never undoes a newer one).
 */
export async function rebucket(
  ctx: StoreContext,
  userId: string,
  timezone: string,
  onProgress?: (moved: number) => void,
): Promise<number> {
  let moved = 0;
  const pages = queryPages(ctx.db, {
    TableName: ctx.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :w)',
    ExpressionAttributeValues: { ':pk': pk(userId), ':w': 'W#' },
    ConsistentRead: true,
  });
  for await (const page of pages) {
    for (const item of page) {
      let w: StoredWorkout | null = stored(item);
      for (let redo = 0; w && redo <= MAX_REDOS; redo++) {
        const target = localDate(parseDateTime(w.workout.startedAt)!, timezone);
        if (target === w.bucketDate) break;
        const c = contribution(w.workout);
        try {
          await withConflictRetry(() =>
            ctx.db.call('TransactWriteItems', {
              TransactItems: [
                // Only while the buckets are still in this zone: a newer zone change has its own move.
                {
                  ConditionCheck: {
                    TableName: ctx.tableName,
                    Key: { pk: pk(userId), sk: STATS_SK },
                    ConditionExpression: 'tz = :tz',
                    ExpressionAttributeValues: { ':tz': timezone },
                  },
                },
                {
                  Update: {
                    TableName: ctx.tableName,
                    Key: { pk: pk(userId), sk: workoutSk(w!.workout.workoutId) },
                    UpdateExpression: 'SET bucketDate = :b, version = :next',
                    ConditionExpression: 'version = :v',
                    ExpressionAttributeValues: { ':b': target, ':v': w!.version, ':next': w!.version + 1 },
                  },
                },
                ...moveBuckets(
                  ctx,
                  userId,
                  { date: w!.bucketDate, counters: c },
                  { date: target, counters: c },
                ),
              ],
            }),
          );
          moved++;
          onProgress?.(moved);
          break;
        } catch (err) {
          const codes = cancellationCodes(err);
          if (codes?.[0] === 'ConditionalCheckFailed') return moved; // the zone changed again
          if (!retryableRace(err)) throw err;
          w = await getStoredWorkout(ctx, userId, w.workout.workoutId); // changed meanwhile: look again
        }
      }
    }
  }
  return moved;
}
