/**
 * RFC 9457 problem+json: the one shape of every error this API returns, with a stable `code`
 * that clients branch on (listed in README and the OpenAPI document).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { FieldError } from '../domain/schemas.ts';

export const PROBLEM_CODES = [
  'malformed_body',
  'invalid_fields',
  'unauthenticated',
  'forbidden',
  'route_not_found',
  'user_not_found',
  'workout_not_found',
  'user_exists',
  'workout_conflict',
  'since_expired',
  'precondition_failed',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'database_unavailable',
  'internal_error',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface Problem {
  type: 'about:blank';
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  errors?: FieldError[];
}

/** Thrown by handlers and middleware; app.onError turns it into a problem response. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ProblemCode,
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
  return new ApiError(400, 'invalid_fields', describeFields(errors), errors);
}

/** `durationMinutes must be greater than 0`, or `3 fields are invalid`. */
export function describeFields(errors: FieldError[]): string {
  const n = errors.length;
  return n === 1 ? `${errors[0]!.path || 'body'} ${errors[0]!.message}` : `${n} fields are invalid`;
}

export function problem(status: number, code: ProblemCode, detail: string, errors?: FieldError[]): Problem {
  return {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(errors ? { errors } : {}),
  };
}

export function problemResponse(c: Context, e: ApiError): Response {
  for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
  c.header('Content-Type', 'application/problem+json');
  return c.body(JSON.stringify(problem(e.status, e.code, e.detail, e.errors)), e.status);
}
