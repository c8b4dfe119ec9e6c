/**
 * How every benchmark starts: a fresh in-memory DynamoDB Local with the table from template.yaml,
 * and (unless it measures something without the service) the local service on it, users with
 * tokens and a keep-alive HTTP client. `stop()` ends all of it.
 *
 * - `service: 'process'`: the service as its own process, as `npm start` runs it (load
 *   benchmarks: the load generator must not share the service's event loop).
 * - `service: 'in-process'`: the service in this process, with a database client of the
 *   benchmark's own (the capacity benchmark counts every request through it).
 * - `service: 'none'`: only the database (the cold-start benchmark calls the Lambda handler).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signingKey, signToken } from '../../src/auth/local-jwt.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../src/runtime/embedded-dynamodb.ts';
import { startLocalService } from '../../src/runtime/local-service.ts';
import { createDb, type Db, type DbOptions, type Table } from '../../src/store/dynamodb.ts';
import { ensureTable } from '../../src/store/table.ts';
import { spawnService } from '../../support/service-process.ts';
import { httpClient } from './pool.ts';

export interface Bench {
  ddb: EmbeddedDynamoDb;
  /** A plain client on the database (not the service's), for seeding, raw requests and recounts. */
  db: Db;
  table: Table;
  /** The service's base URL ('' with `service: 'none'`). */
  url: string;
  users: string[];
  tokens: string[];
  /** A token for any user (admin with `admin`). */
  token(userId: string, admin?: boolean): Promise<string>;
  http: ReturnType<typeof httpClient>;
  stop(): Promise<void>;
}

export async function startBench(opts: {
  tableName: string;
  service: 'process' | 'in-process' | 'none';
  /** Users `<userPrefix>-0` … with tokens (default none). */
  userPrefix?: string;
  users?: number;
  /** Sockets of the HTTP client (default 64). */
  maxSockets?: number;
  /** For `in-process`: the database client the service uses (default a plain one). */
  serviceDb?: (endpoint: string) => Promise<Db>;
  /** Options of the plain client `db`. */
  dbOptions?: DbOptions;
}): Promise<Bench> {
  const ddb = await startEmbeddedDynamoDb();
  const db = await createDb({ endpoint: ddb.endpoint, ...opts.dbOptions });
  await ensureTable(db, opts.tableName);
  const table = { db, name: opts.tableName };
  const dataDir = mkdtempSync(join(tmpdir(), `bench-${opts.tableName}-`));
  let url = '';
  let stopService = async () => {};
  if (opts.service === 'process') {
    const service = await spawnService({
      endpoint: ddb.endpoint,
      tableName: opts.tableName,
      dataDir,
      env: { LOG_LEVEL: 'warn' },
    });
    url = service.url;
    stopService = () => service.stop();
  } else if (opts.service === 'in-process') {
    const service = await startLocalService({
      port: 0,
      endpoint: ddb.endpoint,
      tableName: opts.tableName,
      dataDir,
      createTable: false,
      ...(opts.serviceDb ? { db: await opts.serviceDb(ddb.endpoint) } : {}),
      logger: createLogger({ level: (process.env.BENCH_SERVICE_LOG ?? 'silent') as 'silent' }),
    });
    url = service.url;
    stopService = () => service.close();
  }
  const key = signingKey(dataDir);
  const users = Array.from({ length: opts.users ?? 0 }, (_, i) => `${opts.userPrefix ?? 'user'}-${i}`);
  const tokens = await Promise.all(users.map((u) => signToken(key, u)));
  const http = httpClient(url || 'http://127.0.0.1:1', opts.maxSockets ?? 64);
  return {
    ddb,
    db,
    table,
    url,
    users,
    tokens,
    token: (userId, admin = false) => signToken(key, userId, admin ? { admin: true } : {}),
    http,
    async stop() {
      http.close();
      await stopService();
      await ddb.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
