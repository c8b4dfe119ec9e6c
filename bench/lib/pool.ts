/**
 * A bounded worker pool for load: `concurrency` workers each run operations back to back until
 * the count or the time budget runs out (whichever comes first), recording each latency.
 */
import { Agent, request } from 'node:http';

export interface PoolResult {
  ops: number;
  errors: number;
  elapsedMs: number;
  /** Successful operations per second. */
  throughput: number;
  latenciesMs: number[];
  firstError?: string;
}

export async function runPool(opts: {
  concurrency: number;
  /** Hard time budget for the phase. */
  durationMs: number;
  /** Upper bound on operations started (default: unbounded within the time budget). */
  maxOps?: number;
  /** One operation; `i` counts operations across workers. Throwing counts as an error. */
  op: (i: number) => Promise<void>;
}): Promise<PoolResult> {
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const deadline = t0 + opts.durationMs;
  const maxOps = opts.maxOps ?? Number.MAX_SAFE_INTEGER;
  const worker = async () => {
    while (started < maxOps && performance.now() < deadline) {
      const i = started++;
      const s = performance.now();
      try {
        await opts.op(i);
        latencies.push(performance.now() - s);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const elapsedMs = performance.now() - t0;
  return {
    ops: latencies.length,
    errors,
    elapsedMs,
    throughput: (latencies.length / elapsedMs) * 1000,
    latenciesMs: latencies,
    ...(firstError ? { firstError } : {}),
  };
}

export interface HttpResult {
  status: number;
  body: string;
}

/**
 * A keep-alive HTTP/1.1 client on node:http (lighter than fetch, so the load generator takes
 * less of the two cores from the service it measures).
 */
export function httpClient(baseUrl: string, maxSockets = 64) {
  const url = new URL(baseUrl);
  // Idle sockets close after 4 s, before the server's 5 s keep-alive timeout: otherwise a request
  // can go out on a socket the server is closing at that moment ("socket hang up").
  const agent = new Agent({ keepAlive: true, maxSockets, timeout: 4000 });
  return {
    request(
      method: string,
      path: string,
      headers: Record<string, string> = {},
      body?: string,
    ): Promise<HttpResult> {
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            method,
            path,
            agent,
            headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            );
            res.on('error', reject);
          },
        );
        req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** Throws unless the status is the expected one (so a failed request counts as an error). */
export function expectStatus(r: HttpResult, ...ok: number[]): HttpResult {
  if (!ok.includes(r.status)) throw new Error(`HTTP ${r.status}: ${r.body.slice(0, 200)}`);
  return r;
}
