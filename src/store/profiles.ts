/**
 * Profile reads: the profile itself, and what writes need from it (zone and weight). Without a
 * profile a user's zone is UTC and the calorie estimate uses 70 kg.
 */
import { toProfile, type Profile } from './codec.ts';
import type { Item } from './dynamodb.ts';
import type { StoreContext } from './context.ts';
import { pk, PROFILE_SK, STATS_SK } from './keys.ts';

export interface UserContext {
  timezone: string;
  weightKg: number | undefined;
}

export async function getProfileItem(ctx: StoreContext, userId: string): Promise<Item | null> {
  const out = await ctx.db.call<{ Item?: Item }>('GetItem', {
    TableName: ctx.tableName,
    Key: { pk: pk(userId), sk: PROFILE_SK },
    ConsistentRead: true,
  });
  return out.Item ?? null;
}

export async function getProfile(ctx: StoreContext, userId: string): Promise<Profile | null> {
  const item = await getProfileItem(ctx, userId);
  return item ? toProfile(item) : null;
}

/**
 * The zone and weight that workouts are bucketed and estimated with, in one request: PROFILE and
 * STATS are the only sort keys between 'PROFILE' and 'STATS' ('D#...' sorts before, 'W#...' after).
 * The zone is the STATS item's, which every write's condition checks; it equals the profile's
 * except when a write raced an erasure and left STATS without a profile.
 */
export async function readUserContext(ctx: StoreContext, userId: string): Promise<UserContext> {
  const out = await ctx.db.call<{ Items?: Item[] }>('Query', {
    TableName: ctx.tableName,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :profile AND :stats',
    ExpressionAttributeValues: { ':pk': pk(userId), ':profile': PROFILE_SK, ':stats': STATS_SK },
    ConsistentRead: true,
  });
  const profile = out.Items?.find((i) => i.sk === PROFILE_SK);
  const stats = out.Items?.find((i) => i.sk === STATS_SK);
  return {
    timezone: (stats?.tz as string | undefined) ?? (profile?.timezone as string | undefined) ?? 'UTC',
    weightKg: profile?.weightKg as number | undefined,
  };
}

/** The zone the user's day buckets are in now (the STATS item's), or null before any write. */
export async function bucketZone(ctx: StoreContext, userId: string): Promise<string | null> {
  return (await bucketState(ctx, userId)).zone;
}

/**
 * The buckets' zone, and the zone a move of the buckets was started for and has not finished
 * (set with a zone change, removed when rebucket() completes).
 */
export async function bucketState(
  ctx: StoreContext,
  userId: string,
): Promise<{ zone: string | null; pendingZone: string | null }> {
  const out = await ctx.db.call<{ Item?: Item }>('GetItem', {
    TableName: ctx.tableName,
    Key: { pk: pk(userId), sk: STATS_SK },
    ConsistentRead: true,
    ProjectionExpression: 'tz, pendingTz',
  });
  return {
    zone: (out.Item?.tz as string | undefined) ?? null,
    pendingZone: (out.Item?.pendingTz as string | undefined) ?? null,
  };
}
