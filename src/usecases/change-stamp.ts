/**
 * Change stamps for one request's writes. The first attempt stamps with the clock and reads
 * nothing; when the STATS item says a concurrent write took that stamp or a later one (its
 * condition failed, and the failure carries the item), the next attempt goes past the last stamp.
 */
import { nextStamp } from '../domain/changes.ts';
import { readStats } from '../store/counters.ts';
import type { Table } from '../store/dynamodb.ts';
import type { ConditionsFailed } from '../store/transact.ts';

export function changeStamps(table: Table, userId: string) {
  let last: string | undefined;
  return {
    next: () => nextStamp(Date.now(), last),
    /** True when the failure was about the stamp (and the last one is now known). */
    async refreshAfter(err: ConditionsFailed): Promise<boolean> {
      if (!err.failed.has('stats') && !err.failed.has('change')) return false;
      const carried = err.items.get('stats')?.lastChange;
      last =
        typeof carried === 'string' ? carried : ((await readStats(table, userId)).lastChange ?? undefined);
      return true;
    },
  };
}
