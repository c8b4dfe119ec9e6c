/**
 * The HTTP app that both runtimes serve: request ids, response headers, CORS, the request's
 * deadline, auth, routes, and one place where every failure becomes problem+json. Routes live
 * in ./routes, one file per resource; what they do is in src/usecases.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { RangeRuleError } from '../domain/range.ts';
import { withDeadline } from '../store/deadline.ts';
import { classify, StoreUnavailableError } from '../store/errors.ts';
import {
  ConflictError,
  InvalidCursorError,
  NotFoundError,
  PreconditionFailedError,
  SinceExpiredError,
} from '../usecases/errors.ts';
import { requireIdentity } from './auth.ts';
import type { AppDeps, AppEnv } from './env.ts';
import { ApiError, invalid, problemResponse } from './problem.ts';
import { changeRoutes } from './routes/changes.ts';
import { docsRoutes } from './routes/docs.ts';
import { metaRoutes } from './routes/meta.ts';
import { statsRoutes } from './routes/stats.ts';
import { userRoutes } from './routes/users.ts';
import { workoutRoutes } from './routes/workouts.ts';

/** Routes that need no token. */
const PUBLIC_PATHS = new Set(['/health', '/openapi.json', '/docs', '/workout-types']);

/** Headers a browser script may read, and may send, across origins. */
const EXPOSED_HEADERS = ['X-Request-Id', 'Location', 'ETag', 'Retry-After', 'Link'];
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'X-Request-Id'];

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const auth = requireIdentity(deps.authenticate);

  app.use(
    '*',
    requestId({
      headerName: 'X-Request-Id',
      limitLength: 128,
      generator: (c) => deps.requestIdFallback?.(c) ?? crypto.randomUUID(),
    }),
  );
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    // Route pattern, not path: paths hold user ids. No bodies, no query strings.
    deps.logger.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });
  app.use('*', corsFor(deps.corsOrigins ?? []));
  app.use('*', (c, next) =>
    deps.requestBudgetMs === undefined ? next() : withDeadline(deps.requestBudgetMs, () => next()),
  );
  app.use('*', async (c, next) => (PUBLIC_PATHS.has(c.req.path) ? next() : auth(c, next)));
  // Everything behind a token is one user's data: never stored by a cache.
  app.use('*', async (c, next) => {
    await next();
    if (!PUBLIC_PATHS.has(c.req.path)) c.header('Cache-Control', 'no-store');
  });

  metaRoutes(app, deps);
  userRoutes(app, deps);
  workoutRoutes(app, deps);
  statsRoutes(app, deps);
  changeRoutes(app, deps);
  docsRoutes(app);

  app.notFound((c) =>
    problemResponse(c, new ApiError(404, 'route_not_found', `no route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((err, c) => problemResponse(c, toApiError(err, deps, c.get('requestId'))));
  return app;
}

/** `CORS_ORIGINS`: a comma-separated list of origins (`https://app.example.com`); empty: none. */
export function corsOrigins(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter(Boolean);
}

/** CORS for the configured origins only: a request from any other origin gets no CORS headers. */
function corsFor(origins: string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  const handler = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowHeaders: ALLOWED_HEADERS,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  return async function corsMiddleware(c, next) {
    const origin = c.req.header('origin');
    return origin !== undefined && allowed.has(origin) ? handler(c, next) : next();
  };
}

/** What a failure means for the client. */
function toApiError(err: unknown, deps: AppDeps, requestId: string): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof NotFoundError) {
    return new ApiError(404, err.kind === 'user' ? 'user_not_found' : 'workout_not_found', err.message);
  }
  if (err instanceof ConflictError) return new ApiError(409, err.code, err.message);
  if (err instanceof PreconditionFailedError) {
    return new ApiError(
      412,
      'precondition_failed',
      'If-Match does not name the current version; nothing was written',
    );
  }
  if (err instanceof SinceExpiredError) return new ApiError(410, 'since_expired', err.message);
  if (err instanceof RangeRuleError)
    return invalid([{ path: err.path, code: 'invalid_range', message: err.message }]);
  if (err instanceof InvalidCursorError) {
    return invalid([{ path: err.param, code: 'invalid_cursor', message: err.message }]);
  }
  const failure = classify(err);
  if (failure instanceof StoreUnavailableError) {
    deps.logger.warn('database unavailable', { requestId, error: describe(err) });
    return new ApiError(503, 'database_unavailable', 'the database is unavailable; retry later', undefined, {
      'Retry-After': String(failure.retryAfterSeconds),
    });
  }
  deps.logger.error('unhandled error', { requestId, error: describe(err) });
  return new ApiError(500, 'internal_error', `an unexpected error occurred (request ${requestId})`);
}

/** Name and message only: AWS errors can carry item contents in other fields. */
function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message.slice(0, 300)}` : String(err).slice(0, 300);
}
