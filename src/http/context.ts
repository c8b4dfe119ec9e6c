/**
 * The Hono environment shared by the app and its routes, and the helpers every route uses to
 * turn raw input into validated values.
 */
import type { Context } from 'hono';
import type * as v from 'valibot';
import type { AppConfig } from '../domain/config.ts';
import { validate } from '../domain/schemas.ts';
import { parseDate, parseDateTime, startOfLocalDay } from '../domain/time.ts';
import type { ConfigLoader } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { StoreContext } from '../store/context.ts';
import type { Authenticator, Identity } from './auth.ts';
import { ApiError, invalid } from './problem.ts';

export interface AppDeps {
  store: StoreContext;
  config: ConfigLoader;
  authenticate: Authenticator;
  logger: Logger;
  metrics: Metrics;
  /** A request id to use when the caller sent none (API Gateway's, on Lambda). */
  requestIdFallback?: (c: Context) => string | undefined;
}

export interface AppEnv {
  Variables: { identity: Identity; requestId: string; config: AppConfig };
  Bindings: {
    event?: { requestContext?: { requestId?: string; authorizer?: { claims?: Record<string, unknown> } } };
  };
}

export type AppContext = Context<AppEnv>;

/** Validates or throws a 400 that names every invalid field (and counts it as a metric). */
export function parseWith<S extends v.GenericSchema>(
  deps: AppDeps,
  schema: S,
  input: unknown,
): v.InferOutput<S> {
  const r = validate(schema, input);
  if (r.ok) return r.value;
  deps.metrics.validationFailed();
  throw invalid(r.errors);
}

/** The query string as an object; a parameter given twice is an error, not a silent pick. */
export function queryObject(c: Context): Record<string, string> {
  const params = new URL(c.req.url).searchParams;
  // No prototype: a parameter named toString or __proto__ is just an unknown parameter.
  const out: Record<string, string> = Object.create(null);
  const repeated: string[] = [];
  for (const [k, v] of params) {
    if (Object.hasOwn(out, k)) repeated.push(k);
    out[k] = v;
  }
  if (repeated.length) throw invalid(repeated.map((path) => ({ path, message: 'must be given once' })));
  return out;
}

/** A path parameter checked against its pattern (400 names it). */
export function pathParam(c: Context, name: string, pattern: RegExp, message: string): string {
  const value = c.req.param(name) ?? '';
  if (!pattern.test(value)) throw invalid([{ path: name, message }]);
  return value;
}

/** A `from`/`to` bound as an instant: a date-time as given, a date at local midnight in `timezone`. */
export function boundToMs(value: string | undefined, timezone: string): number | undefined {
  if (value === undefined) return undefined;
  return parseDateTime(value) ?? startOfLocalDay(parseDate(value)!, timezone);
}

export function checkOrder(fromMs: number | undefined, toMs: number | undefined): void {
  if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) {
    throw invalid([{ path: 'to', message: 'must be after from' }]);
  }
}

export function notFound(what: string): ApiError {
  return new ApiError(404, `${what} not found`);
}
