/** POST /users, GET|PATCH|DELETE /users/{userId}. */
import type { Hono } from 'hono';
import { createUserSchema, patchUserSchema, USER_ID } from '../../domain/schemas.ts';
import { getProfile } from '../../store/profiles.ts';
import { createProfile, eraseUser, updateProfile } from '../../store/users.ts';
import { targetUser, userNamedIn } from '../auth.ts';
import { readJsonObject } from '../body.ts';
import { notFound, parseWith, pathParam, type AppDeps, type AppEnv } from '../context.ts';
import { ApiError } from '../problem.ts';

const userParam = (c: Parameters<typeof pathParam>[0]) =>
  pathParam(c, 'userId', USER_ID, 'must be 1-128 letters, digits, "-", "_" or "."');

export function userRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post('/users', async (c) => {
    const body = await readJsonObject(c);
    const userId = targetUser(c, userNamedIn(body));
    const input = parseWith(deps, createUserSchema, body);
    const profile = await createProfile(deps.store, userId, input);
    if (!profile) throw new ApiError(409, `user ${userId} exists already`);
    c.header('Location', `/users/${encodeURIComponent(userId)}`);
    return c.json(profile, 201);
  });

  app.get('/users/:userId', async (c) => {
    const userId = targetUser(c, userParam(c));
    const profile = await getProfile(deps.store, userId);
    if (!profile) throw notFound(`user ${userId}`);
    return c.json(profile);
  });

  app.patch('/users/:userId', async (c) => {
    const userId = targetUser(c, userParam(c));
    const patch = parseWith(deps, patchUserSchema, await readJsonObject(c));
    const profile = await updateProfile(deps.store, userId, patch);
    if (!profile) throw notFound(`user ${userId}`);
    return c.json(profile);
  });

  app.delete('/users/:userId', async (c) => {
    const userId = targetUser(c, userParam(c));
    const deleted = await eraseUser(deps.store, userId);
    if (deleted === 0) throw notFound(`user ${userId}`);
    deps.logger.info('user erased', { requestId: c.get('requestId'), items: deleted });
    return c.body(null, 204);
  });
}
