/**
 * Profile writes and erasure. A change of zone is written together with the STATS item's `tz` (the
 * zone of the day buckets), then the user's history is re-bucketed (workouts.ts: rebucket).
 */
import type { CreateUserInput, PatchUserInput } from '../domain/schemas.ts';
import { toProfile, type Profile } from './codec.ts';
import type { Item } from './dynamodb.ts';
import {
  cancellationCodes,
  isConditionalFailure,
  StoreUnavailableError,
  withConflictRetry,
} from './errors.ts';
import { pk, PROFILE_SK, STATS_LSI1, STATS_SK } from './keys.ts';
import type { StoreContext } from './context.ts';
import { bucketState, getProfileItem } from './profiles.ts';
import { queryAll } from './query.ts';
import { rebucket } from './workouts.ts';

/** Sets the buckets' zone; a change of zone is also marked pending until its move completes. */
function setZone(ctx: StoreContext, userId: string, timezone: string, changed: boolean): Item {
  return {
    Update: {
      TableName: ctx.tableName,
      Key: { pk: pk(userId), sk: STATS_SK },
      UpdateExpression: `SET tz = :tz, lsi1 = :statsLsi, userId = :uid${changed ? ', pendingTz = :tz' : ''}`,
      ExpressionAttributeValues: { ':tz': timezone, ':statsLsi': STATS_LSI1, ':uid': userId },
    },
  };
}

/** Marks the move to `timezone` done (unless another zone change started since). */
async function clearPendingZone(ctx: StoreContext, userId: string, timezone: string): Promise<void> {
  try {
    await ctx.db.call('UpdateItem', {
      TableName: ctx.tableName,
      Key: { pk: pk(userId), sk: STATS_SK },
      UpdateExpression: 'REMOVE pendingTz',
      ConditionExpression: 'pendingTz = :tz',
      ExpressionAttributeValues: { ':tz': timezone },
    });
  } catch (err) {
    if (!isConditionalFailure(err)) throw err;
  }
}

/** Writes a profile item and the buckets' zone together, then re-buckets history if the zone moved. */
async function writeProfile(
  ctx: StoreContext,
  profile: Profile,
  version: number,
  condition: { expression: string; values?: Record<string, unknown> },
): Promise<void> {
  const previous = await bucketState(ctx, profile.userId);
  const changed = previous.zone !== profile.timezone;
  await withConflictRetry(() =>
    ctx.db.call('TransactWriteItems', {
      TransactItems: [
        {
          Put: {
            TableName: ctx.tableName,
            Item: { pk: pk(profile.userId), sk: PROFILE_SK, ...profile, version },
            ConditionExpression: condition.expression,
            ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
          },
        },
        setZone(ctx, profile.userId, profile.timezone, changed),
      ],
    }),
  );
  // A move cut short earlier (a request that died mid-way) is finished by the next profile write.
  if (changed || previous.pendingZone === profile.timezone) {
    await rebucket(ctx, profile.userId, profile.timezone);
    await clearPendingZone(ctx, profile.userId, profile.timezone);
  }
}

/** Creates a profile; null when one exists already. */
export async function createProfile(
  ctx: StoreContext,
  userId: string,
  input: CreateUserInput,
): Promise<Profile | null> {
  const now = new Date().toISOString();
  const profile: Profile = {
    userId,
    displayName: input.displayName,
    ...(input.weightKg !== undefined ? { weightKg: input.weightKg } : {}),
    timezone: input.timezone,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await writeProfile(ctx, profile, 1, { expression: 'attribute_not_exists(pk)' });
    return profile;
  } catch (err) {
    if (cancellationCodes(err)?.[0] === 'ConditionalCheckFailed') return null;
    throw err;
  }
}

/** Partial update (`weightKg: null` removes the weight); null when there is no profile. */
export async function updateProfile(
  ctx: StoreContext,
  userId: string,
  patch: PatchUserInput,
): Promise<Profile | null> {
  for (let redo = 0; redo < 8; redo++) {
    const item = await getProfileItem(ctx, userId);
    if (!item) return null;
    const next: Profile = { ...toProfile(item), updatedAt: new Date().toISOString() };
    if (patch.displayName !== undefined) next.displayName = patch.displayName;
    if (patch.timezone !== undefined) next.timezone = patch.timezone;
    if (patch.weightKg === null) delete next.weightKg;
    else if (patch.weightKg !== undefined) next.weightKg = patch.weightKg;
    const version = Number(item.version ?? 1);
    try {
      await writeProfile(ctx, next, version + 1, { expression: 'version = :v', values: { ':v': version } });
      return next;
    } catch (err) {
      if (cancellationCodes(err)?.[0] !== 'ConditionalCheckFailed') throw err;
      // A concurrent update won: apply this patch on top of it.
    }
  }
  throw new StoreUnavailableError('the profile keeps changing; try again', 1);
}

/**
 * Right to erasure: deletes every item in the user's partition (profile, workouts, statistics,
 * buckets). Repeats until the partition reads empty, so a write racing the erasure is erased too.
 * Returns how many items were deleted.
 */
const ERASE_PARALLEL = 4;

export async function eraseUser(ctx: StoreContext, userId: string): Promise<number> {
  let deleted = 0;
  for (let round = 0; round < 20; round++) {
    const keys = await queryAll(ctx.db, {
      TableName: ctx.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk(userId) },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    });
    if (keys.length === 0) return deleted;
    const batches: Item[][] = [];
    for (let i = 0; i < keys.length; i += 25) batches.push(keys.slice(i, i + 25));
    // A few batches at a time: a long history is erased well inside API Gateway's 29 s.
    for (let i = 0; i < batches.length; i += ERASE_PARALLEL) {
      await Promise.all(batches.slice(i, i + ERASE_PARALLEL).map((b) => batchDelete(ctx, b)));
    }
    deleted += keys.length;
  }
  throw new StoreUnavailableError('the user is being written to while erased; try again', 1);
}

async function batchDelete(ctx: StoreContext, keys: Item[]): Promise<void> {
  let requests: Item[] = keys.map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt > 8) throw new StoreUnavailableError('the database is throttling deletes', 2);
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 50 * 2 ** attempt));
    const out: { UnprocessedItems?: Record<string, Item[]> } = await ctx.db.call('BatchWriteItem', {
      RequestItems: { [ctx.tableName]: requests },
    });
    requests = out.UnprocessedItems?.[ctx.tableName] ?? [];
  }
}
