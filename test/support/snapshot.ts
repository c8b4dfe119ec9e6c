/**
 * The whole table as one comparable string: taken before and after a request that must be
 * rejected, it proves the request wrote nothing anywhere (not just in the caller's partition).
 */
import type { Item } from '../../src/store/dynamodb.ts';
import type { Response, TestService } from '../helpers.ts';
import assert from 'node:assert/strict';
import { PROBLEM_CODES } from '../../src/http/problem.ts';

const key = (i: Item) => `${String(i.pk)}|${String(i.sk)}`;

export async function tableSnapshot(t: Pick<TestService, 'db' | 'tableName'>): Promise<string> {
  const items: Item[] = [];
  let start: Item | undefined;
  for (let page = 0; page < 1000; page++) {
    // Scan is not in the store's operation list (the service never scans); the client has it.
    const out: { Items?: Item[]; LastEvaluatedKey?: Item } = await t.db.call('Scan' as never, {
      TableName: t.tableName,
      ConsistentRead: true,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
    if (!start) break;
  }
  return JSON.stringify(items.sort((a, b) => key(a).localeCompare(key(b))));
}

/** A problem+json answer with the given status (or status pattern): its body names the same status and a code. */
export function assertProblem(res: Response, status: number | RegExp, what: string): void {
  if (typeof status === 'number') assert.equal(res.status, status, `${what}: ${res.text.slice(0, 300)}`);
  else assert.match(String(res.status), status, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
  const body = res.body as { status?: number; code?: string } | undefined;
  assert.equal(body?.status, res.status, what);
  assert.ok((PROBLEM_CODES as readonly string[]).includes(body?.code ?? ''), `${what}: code ${body?.code}`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
}

/**
 * Sends a request that must be rejected with `status` (problem+json) and proves it wrote nothing
 * anywhere in the table (a snapshot before and after). The one "rejected and wrote nothing" helper.
 */
export async function rejected(
  t: Pick<TestService, 'db' | 'tableName' | 'call'>,
  status: number | RegExp,
  method: string,
  path: string,
  opts: Parameters<TestService['call']>[2] = {},
): Promise<Response> {
  const before = await tableSnapshot(t);
  const res = await t.call(method, path, opts);
  assertProblem(res, status, `${method} ${path}`);
  assert.equal(await tableSnapshot(t), before, `${method} ${path} wrote nothing`);
  return res;
}
