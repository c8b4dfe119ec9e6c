import type { Db, Item } from './dynamodb.ts';

/** Every page of a Query, following LastEvaluatedKey (passed back as aws-lite returns it). */
export async function* queryPages(db: Db, params: Record<string, unknown>): AsyncGenerator<Item[]> {
  let start: Item | undefined;
  do {
    const out: { Items?: Item[]; LastEvaluatedKey?: Item } = await db.call('Query', {
      ...params,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    yield out.Items ?? [];
    start = out.LastEvaluatedKey;
  } while (start);
}

/** All items of a Query. */
export async function queryAll(db: Db, params: Record<string, unknown>): Promise<Item[]> {
  const all: Item[] = [];
  for await (const page of queryPages(db, params)) all.push(...page);
  return all;
}
