/**
 * The local service: the app on Node's HTTP server, on DynamoDB Local or any endpoint, with the
 * server verifying tokens itself. `npm start` (local.ts) and the tests both start it through here.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { localAuthenticator, signingKey } from '../auth/local-jwt.ts';
import { cachedConfig, envConfigSource, type ConfigLoader } from '../config/index.ts';
import { corsOrigins, createApp } from '../http/app.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { createDb, type Db } from '../store/dynamodb.ts';
import { ensureTable } from '../store/table.ts';
import { withConsole } from './console.ts';

export interface LocalServiceOptions {
  port: number;
  host?: string;
  /** DynamoDB endpoint; undefined means real AWS (credentials from the environment). */
  endpoint?: string;
  tableName: string;
  dataDir: string;
  /** Create the table from template.yaml when missing (not done against real AWS). */
  createTable?: boolean;
  logger?: Logger;
  config?: ConfigLoader;
  db?: Db;
  /** The whole request's time budget (default 30 s). */
  requestBudgetMs?: number;
}

export interface LocalService {
  url: string;
  port: number;
  db: Db;
  close(): Promise<void>;
}

export async function startLocalService(opts: LocalServiceOptions): Promise<LocalService> {
  const logger = opts.logger ?? createLogger();
  const db = opts.db ?? (await createDb({ endpoint: opts.endpoint }));
  if (opts.createTable ?? opts.endpoint !== undefined) {
    const created = await ensureTable(db, opts.tableName);
    if (created === 'created') logger.info('table created from template.yaml', { table: opts.tableName });
  }
  // Locally, metric lines are debug logs; on Lambda they go to stdout for CloudWatch to read.
  const metrics = createMetrics((line) => logger.debug('metric', { emf: JSON.parse(line) }));
  const key = signingKey(opts.dataDir);
  const app = createApp({
    table: { db, name: opts.tableName },
    config: opts.config ?? cachedConfig(envConfigSource(), 60_000),
    authenticate: localAuthenticator(key),
    logger,
    metrics,
    corsOrigins: corsOrigins(process.env.CORS_ORIGINS),
    requestBudgetMs: opts.requestBudgetMs ?? 30_000,
  });
  // The web console's files and local sign-in in front of the API (src/runtime/console.ts).
  const web = withConsole(app, { host: opts.host ?? '127.0.0.1', signingKey: key });
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: web.fetch, port: opts.port, hostname: opts.host ?? '127.0.0.1' }, () =>
      resolve(s),
    );
    s.once('error', reject); // EADDRINUSE and the like: a clean failure, not a crash
  });
  // A client that trickles its request cannot hold a connection for long.
  const http = server as unknown as { requestTimeout: number; headersTimeout: number };
  http.headersTimeout = 10_000;
  http.requestTimeout = 30_000;
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    db,
    // Requests in progress finish (up to 5 s); idle keep-alive connections close at once.
    close: () =>
      new Promise<void>((resolve) => {
        const http = server as unknown as {
          closeIdleConnections?: () => void;
          closeAllConnections?: () => void;
        };
        const force = setTimeout(() => http.closeAllConnections?.(), 5000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        http.closeIdleConnections?.();
      }),
  };
}
