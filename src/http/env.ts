/** The Hono environment shared by the app and its routes, and what the app is built from. */
import type { Context } from 'hono';
import type { ApiGatewayRequestContext } from 'hono/aws-lambda';
import type { AppConfig } from '../domain/config.ts';
import type { ConfigLoader } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Table } from '../store/dynamodb.ts';
import type { Authenticator, Identity } from './auth.ts';

export interface AppDeps {
  table: Table;
  config: ConfigLoader;
  authenticate: Authenticator;
  logger: Logger;
  metrics: Metrics;
  /** A request id to use when the caller sent none (API Gateway's, on Lambda). */
  requestIdFallback?: (c: Context) => string | undefined;
  /** Origins allowed to call from a browser (CORS); empty: none. */
  corsOrigins?: string[];
  /** The whole request's time budget: every database call of the request stops at it. */
  requestBudgetMs?: number;
}

export interface AppEnv {
  Variables: { identity: Identity; requestId: string; config: AppConfig };
  /** On Lambda, hono/aws-lambda passes the API Gateway event: its request id and authorizer claims. */
  Bindings: { event?: { requestContext?: Partial<ApiGatewayRequestContext> } };
}

export type AppContext = Context<AppEnv>;
