/**
 * The statistics items a write moves: the user's STATS item (all-time counters and the last
 * change stamp) and the day buckets (counters per local date). Both change with `ADD` in the
 * same transaction as the workouts, so they are exact.
 */
import { isZero, type Counters } from '../domain/stats.ts';
import { counterAdds, toCounters, updateExpression } from './codec.ts';
import type { Item, Table } from './dynamodb.ts';
import { daySk, pk, STATS_LSI1, STATS_SK } from './keys.ts';
import { RETURN_ITEM_ON_FAILURE, type Action } from './transact.ts';

/**
 * Applies `delta` to STATS and records `stamp` as the last change. The condition that `stamp` is
 * above the last one makes the user's stamps follow commit order (see domain/changes.ts).
 */
export function statsUpdate(table: Table, userId: string, delta: Counters, stamp: string): Action {
  const adds = counterAdds(delta);
  return {
    name: 'stats',
    action: {
      Update: {
        TableName: table.name,
        Key: { pk: pk(userId), sk: STATS_SK },
        UpdateExpression: updateExpression(
          ['lsi1 = :statsLsi', 'userId = :uid', 'lastChange = :stamp'],
          adds.add,
        ),
        ConditionExpression: 'attribute_not_exists(lastChange) OR lastChange < :stamp',
        // A failed stamp comes back with the last one: the redo needs no read.
        ...RETURN_ITEM_ON_FAILURE,
        // A change that moves no counter (a new note) still moves the stamp; DynamoDB refuses empty names.
        ...(adds.add.length ? { ExpressionAttributeNames: adds.names } : {}),
        ExpressionAttributeValues: {
          ':statsLsi': STATS_LSI1,
          ':uid': userId,
          ':stamp': stamp,
          ...adds.values,
        },
      },
    },
  };
}

/** One update per day whose counters change (days with a zero delta are left out). */
export function bucketUpdates(table: Table, userId: string, deltas: Map<string, Counters>): Action[] {
  return [...deltas]
    .filter(([, delta]) => !isZero(delta))
    .map(([date, delta]) => {
      const adds = counterAdds(delta);
      return {
        name: `bucket:${date}`,
        action: {
          Update: {
            TableName: table.name,
            Key: { pk: pk(userId), sk: daySk(date) },
            UpdateExpression: updateExpression([], adds.add),
            ExpressionAttributeNames: adds.names,
            ExpressionAttributeValues: adds.values,
          },
        },
      };
    });
}

/** The all-time counters and the last change stamp (null before any write). */
export async function readStats(
  table: Table,
  userId: string,
): Promise<{ counters: Counters; lastChange: string | null }> {
  const out = await table.db.call<{ Item?: Item }>('GetItem', {
    TableName: table.name,
    Key: { pk: pk(userId), sk: STATS_SK },
    ConsistentRead: true,
  });
  return { counters: toCounters(out.Item), lastChange: (out.Item?.lastChange as string | undefined) ?? null };
}
