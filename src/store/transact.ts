/**
 * The one way this service writes: a DynamoDB transaction of named actions. A cancelled
 * transaction whose conditions failed comes back as a `ConditionsFailed` that names the actions
 * whose condition failed, so callers read `failed.has('workout')`, not a position in a list.
 */
import type { Item, Table } from './dynamodb.ts';
import { cancellationReasons, withConflictRetry } from './errors.ts';

/** One action of a transaction (`{ Put }`, `{ Update }`, `{ Delete }` or `{ ConditionCheck }`), named. */
export interface Action {
  name: string;
  action: Item;
}

export class ConditionsFailed extends Error {
  override name = 'ConditionsFailed';
  constructor(
    readonly failed: Set<string>,
    /**
     * The items of failed actions as they were when the condition failed (actions that asked for
     * them with `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`, and whose item exists): what a
     * caller would otherwise read again before its redo.
     */
    readonly items: Map<string, Item> = new Map(),
  ) {
    super(`conditions failed: ${[...failed].join(', ')}`);
  }
}

/** Asks DynamoDB to return the item with a failed condition (no extra cost; saves a read). */
export const RETURN_ITEM_ON_FAILURE = { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } as const;

/** DynamoDB's limit on actions in one transaction. */
export const MAX_ACTIONS = 100;

/**
 * Runs the actions as one transaction, retrying conflicts with concurrent transactions. Given a
 * function, it builds the actions afresh for every attempt (a change stamp taken before a
 * conflict's backoff would be older than the winner's by the time it is sent).
 * @throws ConditionsFailed when a condition failed (nothing was written)
 */
export async function transact(table: Table, build: Action[] | (() => Action[])): Promise<void> {
  let actions: Action[] = [];
  try {
    await withConflictRetry(() => {
      actions = typeof build === 'function' ? build() : build;
      if (actions.length > MAX_ACTIONS) throw new Error(`a transaction holds at most ${MAX_ACTIONS} actions`);
      return table.db.call('TransactWriteItems', { TransactItems: actions.map((a) => a.action) });
    });
  } catch (err) {
    const reasons = cancellationReasons(err);
    if (!reasons?.some((r) => r.code === 'ConditionalCheckFailed')) throw err;
    const failed = new ConditionsFailed(new Set());
    actions.forEach((a, i) => {
      if (reasons[i]?.code !== 'ConditionalCheckFailed') return;
      failed.failed.add(a.name);
      if (reasons[i].item) failed.items.set(a.name, reasons[i].item);
    });
    throw failed;
  }
}
