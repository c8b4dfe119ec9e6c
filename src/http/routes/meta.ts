/** GET /health, GET /openapi.json, GET /workout-types: public, no token needed. */
import type { Hono } from 'hono';
import { pk } from '../../store/keys.ts';
import type { AppDeps, AppEnv } from '../context.ts';

export function metaRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  // Ready when the table answers a read (an absent key: half a read unit, no data touched).
  app.get('/health', async (c) => {
    await deps.store.db.call('GetItem', {
      TableName: deps.store.tableName,
      Key: { pk: pk('-health-'), sk: '-' },
    });
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
