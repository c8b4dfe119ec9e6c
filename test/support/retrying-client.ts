/**
 * A well-behaved client under faults: it logs workouts with ids it generated itself and, on a 503
 * or a broken connection, sends the same request again after a short jittered pause, until every
 * workout is acknowledged or the time budget runs out. It records every answer it saw.
 */

export interface WriteJob {
  token: string;
  body: Record<string, unknown>;
}

export interface WriteLoadReport {
  acknowledged: number;
  /** When (performance.now()) each workoutId was first acknowledged. */
  ackedAt: Map<string, number>;
  /** How many answers of each HTTP status the clients saw (retries included). */
  statuses: Record<number, number>;
  /** Requests that got no HTTP answer (connection refused or reset). */
  networkErrors: number;
  /** 503 answers without a Retry-After header. */
  missing503RetryAfter: number;
  /** Answers that are neither success, 503 nor a network error, with their bodies. */
  unexpected: string[];
  elapsedMs: number;
}

export async function writeWithRetries(opts: {
  url: string;
  jobs: WriteJob[];
  concurrency: number;
  /** Stop retrying after this long (the test then fails on the missing workouts). */
  budgetMs: number;
  onAcknowledged?: (count: number) => void;
}): Promise<WriteLoadReport> {
  const report: WriteLoadReport = {
    acknowledged: 0,
    ackedAt: new Map(),
    statuses: {},
    networkErrors: 0,
    missing503RetryAfter: 0,
    unexpected: [],
    elapsedMs: 0,
  };
  const t0 = Date.now();
  let next = 0;
  const pause = () => new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
  const worker = async () => {
    while (next < opts.jobs.length) {
      const job = opts.jobs[next++]!;
      for (let attempt = 0; Date.now() - t0 < opts.budgetMs; attempt++) {
        let res: Response;
        try {
          res = await fetch(`${opts.url}/workouts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
            body: JSON.stringify(job.body),
            signal: AbortSignal.timeout(15_000),
          });
        } catch {
          report.networkErrors++;
          await pause();
          continue;
        }
        const text = await res.text();
        report.statuses[res.status] = (report.statuses[res.status] ?? 0) + 1;
        if (res.status === 201 || res.status === 200) {
          report.acknowledged++;
          report.ackedAt.set(String(job.body.workoutId), performance.now());
          opts.onAcknowledged?.(report.acknowledged);
          break;
        }
        if (res.status === 503) {
          if (!res.headers.get('retry-after')) report.missing503RetryAfter++;
          await pause();
          continue;
        }
        report.unexpected.push(`${res.status} ${text.slice(0, 300)}`);
        if (res.status !== 500) break; // a 4xx will not change on retry
        await pause();
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  report.elapsedMs = Date.now() - t0;
  return report;
}
