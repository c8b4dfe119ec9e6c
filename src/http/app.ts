/**
 * The HTTP app that both runtimes serve: request ids, auth, routes, and one place where every
 * failure becomes problem+json. Routes live in ./routes, one file per resource.
 */
import { Hono } from 'hono';
import { classify, StoreUnavailableError } from '../store/errors.ts';
import { requireIdentity } from './auth.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, problemResponse } from './problem.ts';
import { requestId } from './request-id.ts';
import { metaRoutes } from './routes/meta.ts';
import { statsRoutes } from './routes/stats.ts';
import { userRoutes } from './routes/users.ts';
import { workoutRoutes } from './routes/workouts.ts';

const PUBLIC_PATHS = new Set(['/health', '/openapi.json', '/workout-types']);

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const auth = requireIdentity(deps.authenticate);

  app.use('*', requestId(deps.requestIdFallback));
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // Route pattern, not path: paths hold user ids. No bodies, no query strings.
    deps.logger.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });
  app.use('*', async (c, next) => (PUBLIC_PATHS.has(c.req.path) ? next() : auth(c, next)));

  metaRoutes(app, deps);
  userRoutes(app, deps);
  workoutRoutes(app, deps);
  statsRoutes(app, deps);

  app.notFound((c) => problemResponse(c, 404, `no route for ${c.req.method} ${c.req.path}`));

  app.onError((err, c) => {
    if (err instanceof ApiError) return problemResponse(c, err.status, err.detail, err.errors, err.headers);
    const failure = classify(err);
    if (failure instanceof StoreUnavailableError) {
      deps.logger.warn('database unavailable', { requestId: c.get('requestId'), error: describe(err) });
      return problemResponse(c, 503, 'the database is unavailable; retry later', undefined, {
        'Retry-After': String(failure.retryAfterSeconds),
      });
    }
    deps.logger.error('unhandled error', { requestId: c.get('requestId'), error: describe(err) });
    return problemResponse(c, 500, `an unexpected error occurred (request ${c.get('requestId')})`);
  });

  return app;
}

/** Name and message only: AWS errors can carry item contents in other fields. */
function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message.slice(0, 300)}` : String(err).slice(0, 300);
}
