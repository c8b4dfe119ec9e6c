/**
 * Turning raw request input into validated values: the query string, path parameters and
 * validation with every invalid field named. Routes call these; schemas live in domain/.
 */
import type { Context } from 'hono';
import type * as v from 'valibot';
import { validate } from '../domain/schemas.ts';
import type { AppDeps } from './env.ts';
import { invalid } from './problem.ts';

/** Validates or throws a 400 that names every invalid field (and counts it as a metric). */
export function parseWith<S extends v.GenericSchema>(
  deps: AppDeps,
  schema: S,
  input: unknown,
): v.InferOutput<S> {
  return orInvalid(deps, validate(schema, input));
}

/** The value of a validation result, or a 400 naming every invalid field. */
export function orInvalid<T>(
  deps: AppDeps,
  r: { ok: true; value: T } | { ok: false; errors: import('../domain/schemas.ts').FieldError[] },
): T {
  if (r.ok) return r.value;
  deps.metrics.validationFailed();
  throw invalid(r.errors);
}

/** The query string as an object; a parameter given twice is an error, not a silent pick. */
export function queryObject(c: Context): Record<string, string> {
  const params = new URL(c.req.url).searchParams;
  // No prototype: a parameter named toString or __proto__ is just an unknown parameter.
  const out: Record<string, string> = Object.create(null);
  const repeated: string[] = [];
  for (const [k, v] of params) {
    if (Object.hasOwn(out, k)) repeated.push(k);
    out[k] = v;
  }
  if (repeated.length) {
    throw invalid(repeated.map((path) => ({ path, code: 'repeated', message: 'must be given once' })));
  }
  return out;
}

/** A path parameter checked against its rule (400 names it). */
export function pathParam(c: Context, name: string, valid: (s: string) => boolean, message: string): string {
  const value = c.req.param(name) ?? '';
  if (!valid(value)) throw invalid([{ path: name, code: 'invalid_format', message }]);
  return value;
}
