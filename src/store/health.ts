/** Readiness: the table answers a read. */
import type { Table } from './dynamodb.ts';
import { pk } from './keys.ts';

/** A health probe does not wait long: a database that cannot answer in this time is not ready. */
const PROBE_TIMEOUT_MS = 3000;

/** Reads an absent key (half a read unit, no data touched); throws when the table does not answer. */
export async function probeTable(table: Table): Promise<void> {
  await table.db.call(
    'GetItem',
    { TableName: table.name, Key: { pk: pk('-health-'), sk: '-' } },
    { timeoutMs: PROBE_TIMEOUT_MS },
  );
}
