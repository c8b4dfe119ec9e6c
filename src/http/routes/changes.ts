/** GET /changes: what changed for the caller (or `userId`, for an admin) after `since`. */
import type { Hono } from 'hono';
import { changesQuerySchema } from '../../domain/schemas.ts';
import { changesSince } from '../../usecases/sync.ts';
import { targetUser } from '../auth.ts';
import type { AppDeps, AppEnv } from '../env.ts';
import { parseWith, queryObject } from '../input.ts';

export function changeRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/changes', async (c) => {
    const query = queryObject(c);
    const userId = targetUser(c, query.userId);
    const q = parseWith(deps, changesQuerySchema, query);
    return c.json(await changesSince(deps.table, userId, q.since, q.limit));
  });
}
