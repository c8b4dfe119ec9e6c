/**
 * Who is calling, and what they may touch. The app does not know how a token is checked: the
 * local server verifies the JWT itself (src/auth/local-jwt.ts); on Lambda, API Gateway's Cognito
 * authorizer has verified it and the claims arrive in the event (src/runtime/lambda.ts).
 * Authorization is decided before the rest of a request is validated or anything is read.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { isUserId, USER_ID_MESSAGE } from '../domain/schemas.ts';
import type { AppContext } from './env.ts';
import { ApiError, invalid } from './problem.ts';

export interface Identity {
  userId: string;
  admin: boolean;
}

/** Returns the caller, or null when the request carries no acceptable credentials. */
export type Authenticator = (c: Context) => Promise<Identity | null>;

/** The group that may act for any user. */
const ADMIN_GROUP = 'admin';

/**
 * The groups of a `cognito:groups` claim, as exact names: a JSON array (a JWT), a JSON array
 * in a string, API Gateway REST's comma-separated string, or HTTP API's `[a b]`.
 */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === 'string');
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return groupsOf(parsed);
    } catch {
      // `[a b]`: space-separated inside brackets
    }
    return text.slice(1, -1).split(/\s+/).filter(Boolean);
  }
  return text
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
}

/** Reads identity from verified claims: `sub` and `cognito:groups`. */
export function identityFromClaims(claims: unknown): Identity | null {
  if (claims === null || typeof claims !== 'object') return null;
  const c = claims as Record<string, unknown>;
  const sub = c.sub;
  if (typeof sub !== 'string' || !isUserId(sub)) return null;
  return { userId: sub, admin: groupsOf(c['cognito:groups']).includes(ADMIN_GROUP) };
}

export function requireIdentity(authenticate: Authenticator): MiddlewareHandler {
  return async function authMiddleware(c, next) {
    const identity = await authenticate(c);
    if (!identity) {
      throw new ApiError(401, 'unauthenticated', 'a valid bearer token is required', undefined, {
        'WWW-Authenticate': 'Bearer realm="workout-api"',
      });
    }
    c.set('identity', identity);
    await next();
  };
}

/**
 * The user a request acts on: the caller's own id unless another well-formed id is named, which
 * only an admin may do (403 otherwise, before anything else is looked at). A malformed id is
 * left to validation (400).
 */
export function targetUser(c: AppContext, named: unknown): string {
  const me = c.get('identity');
  if (typeof named !== 'string' || named === me.userId || !isUserId(named)) return me.userId;
  if (!me.admin) throw new ApiError(403, 'forbidden', 'you may only access your own data');
  return named;
}

/** The `{userId}` path parameter: `me` is the caller; another user needs an admin. */
export function pathUser(c: AppContext): string {
  const raw = c.req.param('userId') ?? '';
  if (raw === 'me') return c.get('identity').userId;
  if (!isUserId(raw)) throw invalid([{ path: 'userId', code: 'invalid_format', message: USER_ID_MESSAGE }]);
  return targetUser(c, raw);
}

export function bearerToken(c: Context): string | null {
  const h = c.req.header('authorization');
  const m = h ? /^Bearer ([A-Za-z0-9_.~+/=-]+)$/i.exec(h.trim()) : null;
  return m ? m[1]! : null;
}
