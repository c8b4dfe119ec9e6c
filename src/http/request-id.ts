import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** Echoed only when it cannot inject anything into logs or headers. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id: the caller's `X-Request-Id` when it is safe to echo, else a new
 * UUID (or API Gateway's request id on Lambda), and returns it on every response.
 */
export function requestId(
  fallback?: (c: Parameters<MiddlewareHandler>[0]) => string | undefined,
): MiddlewareHandler {
  return async function requestIdMiddleware(c, next) {
    const given = c.req.header('x-request-id');
    const id = given && SAFE_ID.test(given) ? given : (fallback?.(c) ?? randomUUID());
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
    c.header('X-Request-Id', id);
  };
}
