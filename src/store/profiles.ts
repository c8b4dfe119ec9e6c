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

/** The zone and weight that workouts are bucketed and estimated with. */
export async function readUserContext(ctx: StoreContext, userId: string): Promise<UserContext> {
  const p = await getProfile(ctx, userId);
  return { timezone: p?.timezone ?? 'UTC', weightKg: p?.weightKg };
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
