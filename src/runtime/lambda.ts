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
import { runtimeSettings } from '../config/runtime.ts';
import { corsOrigins, createApp } from '../http/app.ts';
import { identityFromClaims } from '../http/auth.ts';
import type { AppEnv } from '../http/env.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics, metricsService } from '../observability/metrics.ts';
import { createDb } from '../store/dynamodb.ts';

type Handler = ReturnType<typeof handle>;

async function init(env = process.env): Promise<Handler> {
  if (!env.TABLE_NAME) throw new Error('TABLE_NAME is not set');
  const logger = createLogger();
  // `service` = METRICS_SERVICE (workout-api-<stage> on AWS): one metric series per stage.
  const metrics = createMetrics((line) => process.stdout.write(line + '\n'), metricsService(env));
  // On AWS, one GetParametersByPath at start gives both the DynamoDB timeout and retries (read
  // once per container) and the first configuration; an SSM failure falls back to the environment.
  let source = envConfigSource(env);
  let parameters: Map<string, string> | undefined;
  if (env.CONFIG_SOURCE === 'ssm') {
    const ssm = await import('../config/ssm.ts');
    const prefix = env.CONFIG_PREFIX ?? '/workout-app/dev/';
    const fetch = ssm.ssmParameterFetcher(prefix);
    parameters = await fetch().catch((err: unknown) => {
      logger.warn('SSM parameters unreadable at start; DynamoDB settings from the environment', {
        error: String(err),
      });
      return undefined;
    });
    source = ssm.ssmConfigSource(prefix, fetch, parameters);
  }
  const runtime = runtimeSettings(parameters, env);
  for (const problem of runtime.problems)
    logger.warn('runtime setting refused; using the fallback', { problem });
  logger.info('runtime settings', { ...runtime.settings, from: parameters ? 'ssm' : 'environment' });
  const db = await createDb({
    endpoint: env.DYNAMODB_ENDPOINT,
    timeoutMs: runtime.settings.dynamoDbTimeoutMs,
    retries: runtime.settings.dynamoDbRetries,
  });
  const app = createApp({
    table: { db, name: env.TABLE_NAME },
    config: cachedConfig(source, Number(env.CONFIG_TTL_SECONDS ?? 300) * 1000, Date.now, (err) =>
      logger.warn('configuration refresh failed; keeping the last good one', { error: String(err) }),
    ),
    authenticate: async (c: Context<AppEnv>) =>
      identityFromClaims(c.env?.event?.requestContext?.authorizer?.claims),
    logger,
    metrics,
    requestIdFallback: (c: Context<AppEnv>) => c.env?.event?.requestContext?.requestId,
    corsOrigins: corsOrigins(env.CORS_ORIGINS),
    // API Gateway gives up at 29 s: answer before it does.
    requestBudgetMs: 25_000,
  });
  return handle(app, { isContentTypeBinary });
}

/**
 * Which answers go back base64-encoded. None of this API's: the REST API declares no binary media
 * types, so API Gateway would hand a base64 body to the client as it is. Hono's default counts
 * `application/x-ndjson` (the export) as binary, which would also grow a 5 MB export page past
 * Lambda's 6 MB response limit. Only compressed bodies stay base64 (Hono checks that apart).
 */
export function isContentTypeBinary(contentType: string): boolean {
  return !/^(text\/|application\/([\w.+-]*\+)?(json|x-ndjson|xml|javascript)\b)/i.test(contentType);
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
