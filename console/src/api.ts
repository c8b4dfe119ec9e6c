/**
 * The console's API client: one fetch wrapper that adds the bearer token, reads problem+json
 * answers into ApiProblem, and hands back the ETag for If-Match. The API may live on another
 * origin (on AWS: API Gateway; the console is on CloudFront), named by config.json's apiUrl.
 */

import type { components } from '../../examples/typed-client/schema.d.ts';

/**
 * The API's shapes, generated from its OpenAPI document (examples/typed-client): when the API
 * changes, the console's typecheck says where it must follow.
 */
type Schemas = components['schemas'];
export type FieldError = Schemas['FieldError'];
export type Workout = Schemas['Workout'];
export type Profile = Schemas['Profile'];
export type TypeTotals = Schemas['TypeTotals'];
export type Stats = Schemas['Stats'];
export type Bucket = Schemas['Bucket'];
export type Series = Schemas['Timeseries'];
export type BatchResult = Schemas['BatchResult'];

/** A non-2xx answer. `errors` names the fields the server rejected. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }
}

export interface Answer<T> {
  status: number;
  body: T;
  etag: string | null;
  headers: Headers;
}

const TOKEN_KEY = 'workout-console.token';
let apiBase = '';
let onUnauthenticated: () => void = () => undefined;

export function configureApi(base: string, unauthenticated: () => void): void {
  apiBase = base.replace(/\/+$/, '');
  onUnauthenticated = unauthenticated;
}

export const apiUrl = (path: string): string => apiBase + path;

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export interface Claims {
  sub: string;
  admin: boolean;
  exp?: number;
}

/** The token's claims, for display only (the API verifies the token; the console does not). */
export function readClaims(token: string): Claims | null {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const payload = JSON.parse(decodeURIComponent(escape(json))) as Record<string, unknown>;
    if (typeof payload.sub !== 'string') return null;
    const raw = payload['cognito:groups'];
    const groups = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
    return {
      sub: payload.sub,
      admin: groups.includes('admin'),
      exp: typeof payload.exp === 'number' ? payload.exp : undefined,
    };
  } catch {
    return null;
  }
}

export async function api<T = unknown>(
  method: string,
  path: string,
  opts: { body?: unknown; ifMatch?: string | null; token?: string | null } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? getToken() : opts.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.ifMatch) headers['if-match'] = opts.ifMatch;
  let res: Response;
  try {
    res = await fetch(apiUrl(path), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiProblem(0, 'network_error', 'The API could not be reached. Is the service running?');
  }
  const text = await res.text();
  let body: unknown = undefined;
  if (text && /^application\/(problem\+)?json/.test(res.headers.get('content-type') ?? '')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  } else if (text) body = text;
  if (!res.ok) {
    const p = (body ?? {}) as { code?: string; detail?: string; title?: string; errors?: FieldError[] };
    if (res.status === 401 && token) onUnauthenticated();
    throw new ApiProblem(
      res.status,
      p.code ?? 'http_' + res.status,
      p.detail ?? p.title ?? `HTTP ${res.status}`,
      Array.isArray(p.errors) ? p.errors : [],
    );
  }
  return { status: res.status, body: body as T, etag: res.headers.get('etag'), headers: res.headers };
}

/** A query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Every page of the user's export, as one NDJSON text (follows `Link: rel="next"`). */
export async function exportAll(userId: string): Promise<string> {
  let path: string | null = `/users/${encodeURIComponent(userId)}/export`;
  const parts: string[] = [];
  while (path) {
    const a: Answer<string> = await api<string>('GET', path);
    parts.push(typeof a.body === 'string' ? a.body : JSON.stringify(a.body) + '\n');
    const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(a.headers.get('link') ?? '');
    path = next?.[1] ?? null;
  }
  return parts.join('');
}
