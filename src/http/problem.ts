/**
 * RFC 9457 problem+json: the one shape of every error this API returns.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { FieldError } from '../domain/schemas.ts';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Thrown by handlers and middleware; app.onError turns it into a problem response. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

/** A 400 naming every invalid field. */
export function invalid(errors: FieldError[]): ApiError {
  const n = errors.length;
  return new ApiError(
    400,
    n === 1 ? `${errors[0]!.path || 'body'} ${errors[0]!.message}` : `${n} fields are invalid`,
    errors,
  );
}

export function problemResponse(
  c: Context,
  status: ContentfulStatusCode,
  detail: string,
  errors?: FieldError[],
  headers: Record<string, string> = {},
): Response {
  const body = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(errors ? { errors } : {}),
  };
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  c.header('Content-Type', 'application/problem+json');
  return c.body(JSON.stringify(body), status);
}
