/**
 * The change log: one entry per write, `C#<stamp>` → the ids of the workouts it changed, kept
 * for the retention period (DynamoDB TTL on `expiresAt`). The entry is written in the write's
 * own transaction, so the log holds exactly the committed changes.
 */
import { expiresAt } from '../domain/changes.ts';
import type { Item, Table } from './dynamodb.ts';
import { changeRange, changeSk, pk, stampOfChangeSk } from './keys.ts';
import type { Action } from './transact.ts';

export function changeEntry(table: Table, userId: string, stamp: string, workoutIds: string[]): Action {
  return {
    name: 'change',
    action: {
      Put: {
        TableName: table.name,
        Item: { pk: pk(userId), sk: changeSk(stamp), ids: workoutIds, expiresAt: expiresAt(stamp) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

export interface ChangeEntry {
  stamp: string;
  workoutIds: string[];
}

/**
 * Entries after `afterStamp` up to `upTo`, oldest first, until they name at least `minIds` ids;
 * `more` says whether entries remain in that span.
 */
export async function readChangeEntries(
  table: Table,
  userId: string,
  afterStamp: string | undefined,
  upTo: string,
  minIds: number,
): Promise<{ entries: ChangeEntry[]; more: boolean }> {
  const range = changeRange(afterStamp, upTo);
  const entries: ChangeEntry[] = [];
  let ids = 0;
  let start: Item | undefined;
  do {
    const out: { Items?: Item[]; LastEvaluatedKey?: Item } = await table.db.call('Query', {
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':pk': pk(userId), ':lo': range.lo, ':hi': range.hi },
      ConsistentRead: true,
      Limit: Math.min(100, minIds + 1),
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for (const item of out.Items ?? []) {
      if (ids >= minIds) return { entries, more: true };
      const workoutIds = (item.ids as string[] | undefined) ?? [];
      entries.push({ stamp: stampOfChangeSk(String(item.sk)), workoutIds });
      ids += workoutIds.length;
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return { entries, more: false };
}
