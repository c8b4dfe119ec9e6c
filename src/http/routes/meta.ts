/** GET /health, GET /openapi.json, GET /workout-types: public, no token needed. */
import type { Hono } from 'hono';
import { probeTable } from '../../store/health.ts';
import type { AppDeps, AppEnv } from '../env.ts';

export function metaRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/health', async (c) => {
    await probeTable(deps.table);
    return c.json({ status: 'ok' });
  });

  // Loaded on first use: the generator is not needed to serve the API itself.
  app.get('/openapi.json', async (c) => {
    const { openApiDocument } = await import('../openapi.ts');
    return c.json(openApiDocument(await deps.config()));
  });

  app.get('/workout-types', async (c) => {
    const { workoutTypes } = await deps.config();
    return c.json({
      items: Object.entries(workoutTypes).map(([workoutType, met]) => ({ workoutType, met })),
    });
  });
}
