/**
 * The DynamoDB client: aws-lite (chosen by measured cold start, see docs/decisions.md) behind a
 * small typed surface. Every call passes through `call`, which adds the request timeout and
 * lets a benchmark observe each request and its consumed capacity.
 */
import { randomUUID } from 'node:crypto';
import awsLite from '@aws-lite/client';
import dynamodbPlugin from '@aws-lite/dynamodb';
import { remainingMs } from './deadline.ts';

export type Item = Record<string, unknown>;

/** What every storage function needs: the client and the table's name. */
export interface Table {
  db: Db;
  name: string;
}

export interface DbOptions {
  /** `http://host:port` of DynamoDB Local or another endpoint; absent on AWS. */
  endpoint?: string;
  region?: string;
  /** Per-request deadline (default 5 s on AWS, 15 s on a local endpoint); past it, the database counts as unreachable (503). */
  timeoutMs?: number;
  /** Retries of throttled or unreachable requests, with jittered exponential backoff. */
  retries?: number;
  /**
   * Requests in flight at once from this process; more wait their turn (the wait counts toward
   * the timeout). Many concurrent transactions on one user's statistics item only conflict with
   * each other, so a queue serves them faster than a crowd.
   */
  maxInFlight?: number;
  /** Called after every request, answered or failed (for benchmarks, metrics and request counts). */
  onRequest?: (operation: string, consumedCapacity: unknown, failed: boolean) => void;
}

export type Operation =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'Query'
  | 'BatchGetItem'
  | 'TransactWriteItems'
  | 'BatchWriteItem'
  | 'CreateTable'
  | 'DescribeTable';

export interface Db {
  /** `timeoutMs` shortens this call's deadline (a health probe answers fast); the request's deadline still applies. */
  call<T = Item>(
    operation: Operation,
    params: Record<string, unknown>,
    opts?: { timeoutMs?: number },
  ): Promise<T>;
}

export class DbTimeoutError extends Error {
  override name = 'DbTimeoutError';
}

export async function createDb(options: DbOptions = {}): Promise<Db> {
  const local = options.endpoint !== undefined;
  const aws = await awsLite({
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    plugins: [dynamodbPlugin as never],
    retries: options.retries ?? 4,
    keepAlive: true,
    ...(local
      ? {
          endpoint: options.endpoint,
          // DynamoDB Local accepts any credentials but wants some.
          accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
          secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
        }
      : {}),
  });
  const client = (
    aws as unknown as { DynamoDB: Record<Operation, (p: Record<string, unknown>) => Promise<Item>> }
  ).DynamoDB;
  // DynamoDB answers in milliseconds; an emulator on a busy laptop can take seconds.
  const timeoutMs = options.timeoutMs ?? (local ? 15_000 : 5000);
  const slots = semaphore(options.maxInFlight ?? 32);
  return {
    async call<T>(
      operation: Operation,
      params: Record<string, unknown>,
      opts: { timeoutMs?: number } = {},
    ): Promise<T> {
      // The deadline starts before the wait for a free slot: a frozen database cannot hold a request longer.
      const ms = Math.max(0, Math.min(opts.timeoutMs ?? timeoutMs, remainingMs()));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DbTimeoutError(`${operation} took over ${ms} ms`)), ms);
      });
      let release: (() => void) | undefined;
      const acquiring = slots();
      try {
        release = await Promise.race([acquiring, deadline]);
        const request: Record<string, unknown> = { ...params };
        // aws-lite resends the same request after a 5xx or a dropped connection: with a token,
        // DynamoDB answers a resent transaction that already committed with success, not a
        // failed condition (which would read as "not found" or "exists").
        if (operation === 'TransactWriteItems') request.ClientRequestToken ??= randomUUID();
        let out: Item | undefined;
        try {
          out = await Promise.race([client[operation](request), deadline]);
          return out as T;
        } finally {
          options.onRequest?.(operation, out?.ConsumedCapacity, out === undefined);
        }
      } finally {
        clearTimeout(timer);
        // Timed out while queued: give the slot back as soon as it is granted.
        if (release) release();
        else void acquiring.then((r) => r());
      }
    },
  };
}

/** A counting semaphore: `await acquire()` returns the release function. */
function semaphore(size: number): () => Promise<() => void> {
  let free = size;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return async () => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    return release;
  };
}
