/**
 * A database client that meters every request the service makes: which operations, which were
 * refused, and the capacity each consumed, both as DynamoDB Local reports it and as DynamoDB
 * bills it.
 *
 * Why two figures: DynamoDB Local applies DynamoDB's rules to single-item requests (1 KB write
 * units and 4 KB read units rounded up per item, index entries counted), but not to
 * `TransactWriteItems`: there it reports about one item's units whatever the number of items
 * (checked: 1, 3 and 25 puts with an index key all report 2 + 2). DynamoDB bills a transaction as
 * the sum of its items, each rounded up, times two. So for every action of a transaction, the
 * meter copies the item as it is before the transaction into a shadow table of the same shape,
 * applies the action there as the equivalent single-item request (which DynamoDB Local does
 * count right, per table and per index), and doubles that. The shadow is written before the real
 * transaction and only counted when the real transaction commits.
 */
import type { Db, Item, Operation } from '../../src/store/dynamodb.ts';

const READS = new Set<string>(['GetItem', 'Query', 'BatchGetItem', 'Scan']);
const CAPACITY_OPS = new Set<string>([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'BatchGetItem',
  'TransactWriteItems',
  'BatchWriteItem',
]);

/** Write units of one action of a committed transaction, as DynamoDB bills them. */
export interface ActionUnits {
  /** What the action wrote: workout, STATS, day bucket, change entry, profile. */
  item: string;
  kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  /** Write units of the item itself (1 KB units of the larger of before and after, doubled). */
  table: number;
  /** Write units of its local index entries, doubled (0 when the item has no index key; a moved key is a delete and a put). */
  index: number;
}

export interface Tally {
  /** Every request, in order (refused ones too). */
  operations: string[];
  /** Requests DynamoDB refused (a failed condition, a cancelled transaction). */
  refused: number;
  /** Read units (reported and billed alike: DynamoDB Local counts reads right). */
  read: number;
  /** Write units as DynamoDB Local reported them. */
  writeReported: number;
  /** Write units as DynamoDB bills them (transactions recomputed per item, see above). */
  write: number;
  /** The actions of every committed transaction and what each cost. */
  actions: ActionUnits[];
}

export const emptyTally = (): Tally => ({
  operations: [],
  refused: 0,
  read: 0,
  writeReported: 0,
  write: 0,
  actions: [],
});

interface Consumed {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

function units(operation: string, consumed: unknown): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const c of [consumed ?? []].flat() as Consumed[]) {
    read += c.ReadCapacityUnits ?? (READS.has(operation) ? (c.CapacityUnits ?? 0) : 0);
    write += c.WriteCapacityUnits ?? (READS.has(operation) ? 0 : (c.CapacityUnits ?? 0));
  }
  return { read, write };
}

/** What kind of item a key names (the service's key design, src/store/keys.ts). */
function itemKind(sk: unknown): string {
  const s = String(sk);
  if (s.startsWith('W#')) return 'workout';
  if (s === 'STATS') return 'STATS';
  if (s.startsWith('D#')) return 'day bucket';
  if (s.startsWith('C#')) return 'change entry';
  if (s === 'PROFILE') return 'profile';
  return s;
}

/** The expression attribute names and values an expression uses (a shadow request has no condition). */
function usedBy(expression: string, names?: Record<string, string>, values?: Record<string, unknown>) {
  const pick = <T>(map: Record<string, T> | undefined) => {
    const out: Record<string, T> = {};
    for (const [k, v] of Object.entries(map ?? {}))
      if (new RegExp(`${k}(?![\\w])`).test(expression)) out[k] = v;
    return Object.keys(out).length ? out : undefined;
  };
  return { ExpressionAttributeNames: pick(names), ExpressionAttributeValues: pick(values) };
}

/**
 * Wraps `inner` (the service's client). `raw` is an unmetered client on the same database, used
 * for the shadow table `shadowTable` (created by the caller with the table's own definition).
 */
export function meteredDb(inner: Db, raw: Db, shadowTable: string) {
  let tally = emptyTally();

  /** Applies one transaction action to the shadow as a single-item request; returns its units. */
  async function shadowUnits(action: Item): Promise<ActionUnits> {
    const [kind, body] = Object.entries(action)[0] as [ActionUnits['kind'], Record<string, unknown>];
    const real = String(body.TableName);
    const key = (body.Key ?? { pk: (body.Item as Item).pk, sk: (body.Item as Item).sk }) as Item;
    const item = itemKind(key.sk);
    if (kind === 'ConditionCheck') return { item, kind, table: 0, index: 0 };
    // The shadow starts from the item as it is now in the real table.
    const before = await raw.call<{ Item?: Item }>('GetItem', {
      TableName: real,
      Key: key,
      ConsistentRead: true,
    });
    if (before.Item) await raw.call('PutItem', { TableName: shadowTable, Item: before.Item });
    else await raw.call('DeleteItem', { TableName: shadowTable, Key: key });
    let out: { ConsumedCapacity?: Consumed };
    if (kind === 'Put') {
      out = await raw.call('PutItem', {
        TableName: shadowTable,
        Item: body.Item,
        ReturnConsumedCapacity: 'INDEXES',
      });
    } else if (kind === 'Update') {
      const expression = String(body.UpdateExpression);
      out = await raw.call('UpdateItem', {
        TableName: shadowTable,
        Key: key,
        UpdateExpression: expression,
        ...usedBy(
          expression,
          body.ExpressionAttributeNames as Record<string, string>,
          body.ExpressionAttributeValues as Record<string, unknown>,
        ),
        ReturnConsumedCapacity: 'INDEXES',
      });
    } else {
      out = await raw.call('DeleteItem', {
        TableName: shadowTable,
        Key: key,
        ReturnConsumedCapacity: 'INDEXES',
      });
    }
    const c = out.ConsumedCapacity ?? {};
    const index = Object.values(c.LocalSecondaryIndexes ?? {}).reduce(
      (s, x) => s + (x.CapacityUnits ?? 0),
      0,
    );
    // Transactional writes cost twice the single-item write.
    return { item, kind, table: 2 * (c.Table?.CapacityUnits ?? c.CapacityUnits ?? 0), index: 2 * index };
  }

  const db: Db = {
    async call<T>(operation: Operation, params: Record<string, unknown>, opts?: { timeoutMs?: number }) {
      tally.operations.push(operation);
      const shadow =
        operation === 'TransactWriteItems'
          ? await Promise.all((params.TransactItems as Item[]).map(shadowUnits))
          : [];
      const request = CAPACITY_OPS.has(operation) ? { ...params, ReturnConsumedCapacity: 'INDEXES' } : params;
      let out: T;
      try {
        out = await inner.call<T>(operation, request, opts);
      } catch (err) {
        tally.refused++;
        throw err;
      }
      const u = units(operation, (out as { ConsumedCapacity?: unknown } | undefined)?.ConsumedCapacity);
      tally.read += u.read;
      tally.writeReported += u.write;
      if (operation === 'TransactWriteItems') {
        tally.actions.push(...shadow);
        tally.write += shadow.reduce((s, a) => s + a.table + a.index, 0);
      } else {
        tally.write += u.write;
      }
      return out;
    },
  };
  return {
    db,
    /** The tally since the last `take()` (and a fresh one from now on). */
    take(): Tally {
      const t = tally;
      tally = emptyTally();
      return t;
    },
  };
}

/** `GetItem + 2×Query`-style summary of a tally's operations. */
export function describeOperations(operations: string[]): string {
  const counts = new Map<string, number>();
  for (const op of operations) counts.set(op, (counts.get(op) ?? 0) + 1);
  return [...counts].map(([op, k]) => (k > 1 ? `${k}×${op}` : op)).join(' + ') || '(none)';
}

/** Per-item summary of the actions of committed transactions: `workout ×25: 50 + 50 (index)`. */
export function describeActions(actions: ActionUnits[]): string {
  const byItem = new Map<string, { n: number; table: number; index: number }>();
  for (const a of actions) {
    const key = `${a.kind} ${a.item}`;
    const s = byItem.get(key) ?? { n: 0, table: 0, index: 0 };
    s.n++;
    s.table += a.table;
    s.index += a.index;
    byItem.set(key, s);
  }
  return [...byItem]
    .map(([k, s]) => `${k}${s.n > 1 ? ` ×${s.n}` : ''}: ${s.table}${s.index ? ` + ${s.index} index` : ''}`)
    .join('; ');
}
