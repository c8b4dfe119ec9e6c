/**
 * Workout items: mapping, reads and the transaction actions that write them. What a request
 * does with them (create or replay, patch, delete) is in src/usecases.
 */
import { parseDateTime } from '../domain/time.ts';
import type { Workout } from '../domain/workout.ts';
import { toWorkout } from './codec.ts';
import type { Item, Table } from './dynamodb.ts';
import {
  INDEX_BY_STARTED_AT,
  pk,
  startedKey,
  startedRange,
  STATS_LSI1,
  STATS_SK,
  WORKOUT_SK_RANGE,
  workoutSk,
} from './keys.ts';
import { RETURN_ITEM_ON_FAILURE, type Action } from './transact.ts';

/** A workout with what the store keeps beside it. */
export interface StoredWorkout {
  workout: Workout;
  /** Starts at 1, +1 per change: writes are conditioned on it (optimistic concurrency). */
  version: number;
  /** The create request's fingerprint: tells a retry (200) from a reused id (409). */
  fingerprint: string;
}

function workoutItem(s: StoredWorkout): Item {
  const w = s.workout;
  return {
    pk: pk(w.userId),
    sk: workoutSk(w.workoutId),
    lsi1: startedKey(parseDateTime(w.startedAt)!, w.workoutId),
    ...w,
    version: s.version,
    fingerprint: s.fingerprint,
  };
}

export function toStoredWorkout(item: Item): StoredWorkout {
  return { workout: toWorkout(item), version: Number(item.version), fingerprint: String(item.fingerprint) };
}

/** Puts a new workout; its condition fails when the id is taken. Named `name` (default `workout`). */
export function putNewWorkout(table: Table, s: StoredWorkout, name = 'workout'): Action {
  return {
    name,
    action: {
      // A taken id comes back with the stored workout: a replay is one request.
      Put: {
        TableName: table.name,
        Item: workoutItem(s),
        ConditionExpression: 'attribute_not_exists(pk)',
        ...RETURN_ITEM_ON_FAILURE,
      },
    },
  };
}

/** Replaces a workout whose version is still `previousVersion`. */
export function replaceWorkout(table: Table, s: StoredWorkout, previousVersion: number): Action {
  return {
    name: 'workout',
    action: {
      Put: {
        TableName: table.name,
        Item: workoutItem(s),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': previousVersion },
        ...RETURN_ITEM_ON_FAILURE, // the newer version, for the redo
      },
    },
  };
}

/** Deletes a workout whose version is still `version`. */
export function deleteWorkoutItem(table: Table, userId: string, workoutId: string, version: number): Action {
  return {
    name: 'workout',
    action: {
      Delete: {
        TableName: table.name,
        Key: { pk: pk(userId), sk: workoutSk(workoutId) },
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': version },
        ...RETURN_ITEM_ON_FAILURE, // the newer version, for the redo
      },
    },
  };
}

export async function getStoredWorkout(
  table: Table,
  userId: string,
  workoutId: string,
): Promise<StoredWorkout | null> {
  const out = await table.db.call<{ Item?: Item }>('GetItem', {
    TableName: table.name,
    Key: { pk: pk(userId), sk: workoutSk(workoutId) },
    ConsistentRead: true,
  });
  return out.Item ? toStoredWorkout(out.Item) : null;
}

/** The stored workouts with these ids (absent ones left out), in one or a few BatchGetItem calls. */
export async function getStoredWorkouts(
  table: Table,
  userId: string,
  workoutIds: string[],
): Promise<Map<string, StoredWorkout>> {
  const found = new Map<string, StoredWorkout>();
  let keys: Item[] = [...new Set(workoutIds)].map((id) => ({ pk: pk(userId), sk: workoutSk(id) }));
  for (let attempt = 0; keys.length > 0; attempt++) {
    const chunk = keys.slice(0, 100);
    keys = keys.slice(100);
    const out: { Responses?: Record<string, Item[]>; UnprocessedKeys?: Record<string, { Keys?: Item[] }> } =
      await table.db.call('BatchGetItem', {
        RequestItems: { [table.name]: { Keys: chunk, ConsistentRead: true } },
      });
    for (const item of out.Responses?.[table.name] ?? []) {
      const s = toStoredWorkout(item);
      found.set(s.workout.workoutId, s);
    }
    const unprocessed = out.UnprocessedKeys?.[table.name]?.Keys ?? [];
    if (unprocessed.length) {
      if (attempt > 8) throw new Error('BatchGetItem keeps leaving keys unprocessed');
      keys.push(...unprocessed);
      await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
    }
  }
  return found;
}

/** A page of a Query: items and where to resume (DynamoDB's own key, as aws-lite returns it). */
export interface Page {
  items: Item[];
  lastKey: Item | undefined;
}

/**
 * Workouts that started in [loMs, hiMs) from the start-time index, newest first unless
 * `oldestFirst`, resuming after the index key `after` (lsi1 and sk).
 */
export async function queryStarted(
  table: Table,
  userId: string,
  opts: {
    loMs?: number;
    hiMs?: number;
    oldestFirst?: boolean;
    limit: number;
    after?: { lsi1: string; sk: string };
    /** DynamoDB's LastEvaluatedKey of the previous page (within one request). */
    startKey?: Item;
  },
): Promise<Page> {
  const { lo, hi } = startedRange(opts.loMs, opts.hiMs);
  const start =
    opts.startKey ??
    // aws-lite passes ExclusiveStartKey through as is: from a cursor it must be in DynamoDB's typed form.
    (opts.after
      ? { pk: { S: pk(userId) }, sk: { S: opts.after.sk }, lsi1: { S: opts.after.lsi1 } }
      : undefined);
  const out = await table.db.call<{ Items?: Item[]; LastEvaluatedKey?: Item }>('Query', {
    TableName: table.name,
    IndexName: INDEX_BY_STARTED_AT,
    KeyConditionExpression: 'pk = :pk AND lsi1 BETWEEN :lo AND :hi',
    ExpressionAttributeValues: { ':pk': pk(userId), ':lo': lo, ':hi': hi },
    ScanIndexForward: opts.oldestFirst ?? false,
    ConsistentRead: true,
    Limit: opts.limit,
    ...(start ? { ExclusiveStartKey: start } : {}),
  });
  return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
}

/** True when the key bounds of `startedRange(loMs, hiMs)` hold the index key `lsi1`. */
export function inStartedRange(lsi1: string, loMs?: number, hiMs?: number): boolean {
  const { lo, hi } = startedRange(loMs, hiMs);
  return lsi1 >= lo && lsi1 <= hi;
}

/**
 * One Query for all-time statistics: the STATS item sorts above every workout in the start-time
 * index, so a newest-first read of `recent + 1` items returns it and the `recent` newest workouts.
 */
export async function statsAndNewest(
  table: Table,
  userId: string,
  recent: number,
): Promise<{ stats?: Item; newest: Item[] }> {
  const out = await table.db.call<{ Items?: Item[] }>('Query', {
    TableName: table.name,
    IndexName: INDEX_BY_STARTED_AT,
    KeyConditionExpression: 'pk = :pk AND lsi1 BETWEEN :lo AND :hi',
    ExpressionAttributeValues: { ':pk': pk(userId), ':lo': startedRange().lo, ':hi': STATS_LSI1 },
    ScanIndexForward: false,
    ConsistentRead: true,
    Limit: recent + 1,
  });
  const items = out.Items ?? [];
  return {
    stats: items.find((i) => i.sk === STATS_SK),
    newest: items.filter((i) => i.sk !== STATS_SK).slice(0, recent),
  };
}

/** Every current workout in id order after `afterId` (base table), a page at a time. */
export async function workoutsById(
  table: Table,
  userId: string,
  afterId: string | undefined,
  limit: number,
): Promise<{ items: Item[]; more: boolean }> {
  const out = await table.db.call<{ Items?: Item[]; LastEvaluatedKey?: Item }>('Query', {
    TableName: table.name,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
    ExpressionAttributeValues: {
      ':pk': pk(userId),
      ':lo': afterId === undefined ? WORKOUT_SK_RANGE.lo : `${workoutSk(afterId)}\u0000`,
      ':hi': WORKOUT_SK_RANGE.hi,
    },
    ConsistentRead: true,
    Limit: limit,
  });
  return { items: out.Items ?? [], more: out.LastEvaluatedKey !== undefined };
}
