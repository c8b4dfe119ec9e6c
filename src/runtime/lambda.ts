/**
 * The Lambda entry point: API Gateway REST API (proxy) events into the same HTTP app. The Cognito
 * authorizer has verified the token; the caller's claims come from the event's request context.
 * Built with esbuild to dist/api/index.mjs (scripts/build.ts); dependencies load once per
 * container, on the first event.
 */
import type { Context as LambdaContext } from 'aws-lambda';
import type { Context } from 'hono';
import { handle } from 'hono/aws-lambda';
import { cachedConfig, envConfigSource } from '../config/index.ts';
import { createApp } from '../http/app.ts';
import { identityFromClaims } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { createDb } from '../store/dynamodb.ts';

type Handler = ReturnType<typeof handle>;

async function init(env = process.env): Promise<Handler> {
  if (!env.TABLE_NAME) throw new Error('TABLE_NAME is not set');
  const logger = createLogger();
  const metrics = createMetrics((line) => process.stdout.write(line + '\n'));
  const source =
    env.CONFIG_SOURCE === 'ssm'
      ? (await import('../config/ssm.ts')).ssmConfigSource(env.CONFIG_PREFIX ?? '/workout-app/dev/')
      : envConfigSource(env);
  const db = await createDb({
    endpoint: env.DYNAMODB_ENDPOINT,
    timeoutMs: Number(env.DYNAMODB_TIMEOUT_MS ?? 3000),
  });
  const app = createApp({
    store: { db, tableName: env.TABLE_NAME, metrics },
    config: cachedConfig(source, Number(env.CONFIG_TTL_SECONDS ?? 300) * 1000, Date.now, (err) =>
      logger.warn('configuration refresh failed; keeping the last good one', { error: String(err) }),
    ),
    authenticate: async (c: Context<AppEnv>) =>
      identityFromClaims(c.env?.event?.requestContext?.authorizer?.claims),
    logger,
    metrics,
    requestIdFallback: (c: Context<AppEnv>) => c.env?.event?.requestContext?.requestId,
  });
  return handle(app);
}

let ready: Promise<Handler> | undefined;

/** Starts building the app; a failed start is forgotten, so the next event tries again. */
function start(): Promise<Handler> {
  const pending = init();
  pending.catch(() => {
    if (ready === pending) ready = undefined;
  });
  return pending;
}

// Begin connecting while Lambda initialises the container, before the first event arrives.
if (process.env.TABLE_NAME) ready = start();

export async function handler(event: Parameters<Handler>[0], context: LambdaContext) {
  ready ??= start();
  return (await ready)(event, context);
}
