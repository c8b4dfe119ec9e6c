/** Erasing a user's partition: every item, whatever its kind. */
import type { Item, Table } from './dynamodb.ts';
import { StoreUnavailableError } from './errors.ts';
import { pk } from './keys.ts';
import { queryAll } from './query.ts';

/** Batches deleted at once: a long history is erased well inside API Gateway's 29 s. */
const ERASE_PARALLEL = 4;

/**
 * Deletes every item in the user's partition. Repeats until the partition reads empty, so a
 * write racing the erasure is erased too. Returns how many items were deleted.
 */
export async function erasePartition(table: Table, userId: string): Promise<number> {
  let deleted = 0;
  for (let round = 0; round < 20; round++) {
    const keys = await queryAll(table.db, {
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk(userId) },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    });
    if (keys.length === 0) return deleted;
    const batches: Item[][] = [];
    for (let i = 0; i < keys.length; i += 25) batches.push(keys.slice(i, i + 25));
    for (let i = 0; i < batches.length; i += ERASE_PARALLEL) {
      await Promise.all(batches.slice(i, i + ERASE_PARALLEL).map((b) => batchDelete(table, b)));
    }
    deleted += keys.length;
  }
  throw new StoreUnavailableError('the user is being written to while erased; try again', 1);
}

async function batchDelete(table: Table, keys: Item[]): Promise<void> {
  let requests: Item[] = keys.map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt > 8) throw new StoreUnavailableError('the database is throttling deletes', 2);
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 50 * 2 ** attempt));
    const out: { UnprocessedItems?: Record<string, Item[]> } = await table.db.call('BatchWriteItem', {
      RequestItems: { [table.name]: requests },
    });
    requests = out.UnprocessedItems?.[table.name] ?? [];
  }
}
