/**
 * The CLI's HTTP client: bearer token, JSON, and retries. 429 and 503 wait for the `Retry-After`
 * they carry (seconds or an HTTP date); other 5xx answers and network errors back off
 * exponentially with jitter. Every request the CLI sends is safe to repeat (batches are
 * idempotent by workoutId, exports are reads).
 */

export interface ApiOptions {
  /** Base URL, e.g. http://localhost:3000 */
  api: string;
  token: string;
  /** Attempts per request, the first included (default 10). */
  attempts?: number;
  /** Longest single wait in ms, whatever Retry-After says (default 120 s). */
  maxWaitMs?: number;
  /** Told before each wait (for progress output). */
  onRetry?: (info: { status: number | null; waitMs: number; attempt: number; reason: string }) => void;
  signal?: AbortSignal;
}

/** A request that failed for good: the API's problem (code, detail) when it sent one. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number | null,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });

/** `Retry-After` in ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const backoff = (attempt: number) => Math.min(10_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2);

export function url(opts: Pick<ApiOptions, 'api'>, path: string): string {
  return new URL(path, opts.api.endsWith('/') ? opts.api : opts.api + '/').toString();
}

/** Sends a request, retrying what can be retried; resolves with the first final answer. */
export async function send(
  opts: ApiOptions,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const attempts = opts.attempts ?? 10;
  const maxWait = opts.maxWaitMs ?? 120_000;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    let res: Response | undefined;
    let reason: string;
    try {
      res = await fetch(url(opts, path), {
        method,
        headers: {
          authorization: `Bearer ${opts.token}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: payload,
        signal: opts.signal,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      reason = (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      if (attempt >= attempts) throw new ApiError(null, undefined, `${method} ${path}: ${reason}`);
      const waitMs = backoff(attempt);
      opts.onRetry?.({ status: null, waitMs, attempt, reason });
      await sleep(waitMs, opts.signal);
      continue;
    }
    const retryable =
      res.status === 429 ||
      res.status === 503 ||
      res.status === 500 ||
      res.status === 502 ||
      res.status === 504;
    if (!retryable || attempt >= attempts) return res;
    await res.body?.cancel();
    const told =
      res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after')) : null;
    const waitMs = Math.min(maxWait, told ?? backoff(attempt));
    opts.onRetry?.({ status: res.status, waitMs, attempt, reason: `HTTP ${res.status}` });
    await sleep(waitMs, opts.signal);
  }
}

/** A failed answer as an ApiError, with the problem's code and detail when the body is a problem. */
export async function failure(res: Response, what: string): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let code: string | undefined;
  let detail = text.slice(0, 300);
  try {
    const problem = JSON.parse(text) as { code?: string; detail?: string; title?: string };
    code = problem.code;
    detail = problem.detail ?? problem.title ?? detail;
  } catch {
    // not a problem document
  }
  return new ApiError(
    res.status,
    code,
    `${what}: HTTP ${res.status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}`,
  );
}

/** GET of a JSON document (retried), or an ApiError. */
export async function getJson<T>(opts: ApiOptions, path: string): Promise<T> {
  const res = await send(opts, 'GET', path);
  if (!res.ok) throw await failure(res, `GET ${path}`);
  return (await res.json()) as T;
}
