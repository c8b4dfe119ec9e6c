/** Day bucket reads: counters per local date, for ranges and time series. */
import type { Counters } from '../domain/stats.ts';
import { toCounters } from './codec.ts';
import type { Table } from './dynamodb.ts';
import { dateOfDaySk, dayRange, pk } from './keys.ts';
import { queryAll } from './query.ts';

/** Day buckets with local dates in [first, end) (either end open), oldest first. */
export async function dayBuckets(
  table: Table,
  userId: string,
  first: string | undefined,
  end: string | undefined,
): Promise<{ date: string; counters: Counters }[]> {
  const { lo, hi } = dayRange(first, end);
  const items = await queryAll(table.db, {
    TableName: table.name,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
    ExpressionAttributeValues: { ':pk': pk(userId), ':lo': lo, ':hi': hi },
    ConsistentRead: true,
  });
  return items.map((item) => ({ date: dateOfDaySk(String(item.sk)), counters: toCounters(item) }));
}
