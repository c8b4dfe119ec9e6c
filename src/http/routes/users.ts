/** POST /users, GET|PATCH|DELETE /users/{userId}, GET /users/{userId}/export. */
import type { Hono } from 'hono';
import { createUserSchema, exportQuerySchema, patchUserSchema } from '../../domain/schemas.ts';
import { createProfile, eraseUser, readProfile, updateProfile } from '../../usecases/profiles.ts';
import { exportPage } from '../../usecases/sync.ts';
import { pathUser, targetUser } from '../auth.ts';
import { readJsonObject } from '../body.ts';
import type { AppDeps, AppEnv } from '../env.ts';
import { ifMatch, jsonWithEtag } from '../etag.ts';
import { parseWith, queryObject } from '../input.ts';

export function userRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post('/users', async (c) => {
    const body = await readJsonObject(c);
    const userId = targetUser(c, body.userId);
    const input = parseWith(deps, createUserSchema, body);
    const { status, profile } = await createProfile(deps.table, userId, input);
    c.header('Location', `/users/${encodeURIComponent(userId)}`);
    return jsonWithEtag(c, profile, status === 'created' ? 201 : 200);
  });

  app.get('/users/:userId', async (c) => {
    const userId = pathUser(c);
    return jsonWithEtag(c, await readProfile(deps.table, userId));
  });

  app.patch('/users/:userId', async (c) => {
    const userId = pathUser(c);
    const patch = parseWith(deps, patchUserSchema, await readJsonObject(c));
    return jsonWithEtag(c, await updateProfile(deps.table, userId, patch, ifMatch(c)));
  });

  app.delete('/users/:userId', async (c) => {
    const userId = pathUser(c);
    const deleted = await eraseUser(deps.table, userId, ifMatch(c));
    deps.logger.info('user erased', { requestId: c.get('requestId'), items: deleted });
    return c.body(null, 204);
  });

  app.get('/users/:userId/export', async (c) => {
    const userId = pathUser(c);
    const q = parseWith(deps, exportQuerySchema, queryObject(c));
    const page = await exportPage(deps.table, userId, q.cursor);
    if (page.nextCursor !== null) {
      const next = `/users/${encodeURIComponent(userId)}/export?cursor=${page.nextCursor}`;
      c.header('Link', `<${next}>; rel="next"`);
    }
    c.header('Content-Type', 'application/x-ndjson');
    return c.body(page.lines.join('\n') + '\n');
  });
}
