/**
 * Who is calling, and what they may touch. The app does not know how a token is checked: the
 * local server verifies the JWT itself (src/auth/local-jwt.ts); on Lambda, API Gateway's Cognito
 * authorizer has verified it and the claims arrive in the event (src/runtime/lambda.ts).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { USER_ID } from '../domain/schemas.ts';
import { ApiError } from './problem.ts';

export interface Identity {
  userId: string;
  admin: boolean;
}

/** Returns the caller, or null when the request carries no acceptable credentials. */
export type Authenticator = (c: Context) => Promise<Identity | null>;

/** Reads identity from verified claims: `sub` and `cognito:groups` (array, or Cognito's string form). */
export function identityFromClaims(claims: Record<string, unknown> | undefined): Identity | null {
  const sub = claims?.sub;
  if (typeof sub !== 'string' || !USER_ID.test(sub)) return null;
  const raw = claims?.['cognito:groups'];
  const groups = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  return { userId: sub, admin: groups.includes('admin') };
}

const unauthorized = (detail: string) =>
  new ApiError(401, detail, undefined, { 'WWW-Authenticate': 'Bearer realm="workout-api"' });

export function requireIdentity(authenticate: Authenticator): MiddlewareHandler {
  return async function authMiddleware(c, next) {
    const identity = await authenticate(c);
    if (!identity) throw unauthorized('a valid bearer token is required');
    c.set('identity', identity);
    await next();
  };
}

/**
 * The user a request acts on: the caller's own id unless another is named, which only an admin
 * may do. Checked before anything is read or written.
 */
export function targetUser(c: Context, named?: string): string {
  const me = c.get('identity') as Identity;
  if (named === undefined || named === me.userId) return me.userId;
  if (!me.admin) throw new ApiError(403, 'you may only access your own data');
  return named;
}

/** The user a body names, if it names one well-formed id (a malformed one is a validation error). */
export function userNamedIn(body: Record<string, unknown>): string | undefined {
  return typeof body.userId === 'string' && USER_ID.test(body.userId) ? body.userId : undefined;
}

export function bearerToken(c: Context): string | null {
  const h = c.req.header('authorization');
  const m = h ? /^Bearer ([A-Za-z0-9_.~+/=-]+)$/i.exec(h.trim()) : null;
  return m ? m[1]! : null;
}
