/**
 * GET /docs: an interactive reference for GET /openapi.json (Scalar's Hono integration; the page
 * loads Scalar's script from its CDN). Public, like the document it shows. The package is
 * imported on the first request, so it is a lazy chunk of the Lambda bundle that no other
 * route's cold start loads.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

export function docsRoutes(app: Hono<AppEnv>): void {
  app.get('/docs', async (c, next) => {
    const { Scalar } = await import('@scalar/hono-api-reference');
    // Relative: /docs next to /openapi.json locally, /<stage>/docs next to /<stage>/openapi.json on AWS.
    const page = await Scalar<AppEnv>({ url: 'openapi.json', pageTitle: 'Workout log API' })(c, next);
    return page ?? c.notFound();
  });
}
