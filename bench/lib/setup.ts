/**
 * What the HTTP benchmarks start with: a fresh DynamoDB Local with the table, the service as its
 * own process on it (as `npm start` runs it), users with tokens, and an HTTP client.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signingKey, signToken } from '../../src/auth/local-jwt.ts';
import { startEmbeddedDynamoDb } from '../../src/runtime/embedded-dynamodb.ts';
import { createDb } from '../../src/store/dynamodb.ts';
import { ensureTable } from '../../src/store/table.ts';
import { spawnService } from '../../test/support/service-process.ts';
import { httpClient } from './pool.ts';

export async function startBenchService(opts: {
  tableName: string;
  userPrefix: string;
  users: number;
  maxSockets: number;
}) {
  const ddb = await startEmbeddedDynamoDb();
  const db = await createDb({ endpoint: ddb.endpoint });
  await ensureTable(db, opts.tableName);
  const dataDir = mkdtempSync(join(tmpdir(), `bench-${opts.tableName}-`));
  const service = await spawnService({
    endpoint: ddb.endpoint,
    tableName: opts.tableName,
    dataDir,
    env: { LOG_LEVEL: 'warn' },
  });
  const key = signingKey(dataDir);
  const users = Array.from({ length: opts.users }, (_, i) => `${opts.userPrefix}-${i}`);
  const tokens = await Promise.all(users.map((u) => signToken(key, u)));
  const http = httpClient(service.url, opts.maxSockets);
  return { ddb, db, dataDir, service, users, tokens, http };
}
