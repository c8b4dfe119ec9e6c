/**
 * What a DynamoDB failure means for the caller: the database unreachable or overloaded (the
 * API's 503), a failed condition (the domain decides), or a bug (500).
 */
import { fromAttributeValues, type AttributeValue } from './attribute-values.ts';
import { DbTimeoutError, type Item } from './dynamodb.ts';

/** The database cannot serve now; the client should retry later. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}

interface AwsError {
  name?: string;
  code?: string;
  statusCode?: number;
  CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[];
}

const OVERLOAD = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionInProgressException',
  'LimitExceededException',
]);

/** Cancellation reasons that mean an item's partition was throttled. */
const THROTTLED_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);

const TRANSPORT = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|socket hang up/;

/** True when the error says the database is unreachable, overloaded or failing on its side. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof DbTimeoutError || err instanceof StoreUnavailableError) return true;
  const e = err as AwsError;
  if (!e || typeof e !== 'object') return false;
  if (e.code && OVERLOAD.has(e.code)) return true;
  // A transaction cancelled because an item's partition was throttled is an overload too.
  if (cancellationCodes(err)?.some((c) => THROTTLED_REASONS.has(c))) return true;
  if (e.statusCode === undefined) {
    // No HTTP answer at all: aws-lite reports a failed connection as a plain Error carrying the
    // target host, with the socket error only in its message.
    const message = (err as Error).message ?? '';
    return TRANSPORT.test(e.code ?? '') || 'host' in e || TRANSPORT.test(message);
  }
  return e.statusCode >= 500 || e.statusCode === 429;
}

/** The error as a cancelled transaction, or null when it is something else. */
function cancelledTransaction(err: unknown): AwsError | null {
  const e = err as AwsError;
  return e?.name === 'TransactionCanceledException' || e?.code === 'TransactionCanceledException' ? e : null;
}

/**
 * The per-item codes of a cancelled transaction (`None`, `ConditionalCheckFailed`, ...): what
 * retries and error classification look at, without converting any item.
 */
export function cancellationCodes(err: unknown): string[] | null {
  const e = cancelledTransaction(err);
  return e ? (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None') : null;
}

/**
 * Per action of a cancelled transaction: its code, and the item as it was when its condition
 * failed, for actions sent with `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'` whose item exists.
 */
export function cancellationReasons(err: unknown): { code: string; item?: Item }[] | null {
  const e = cancelledTransaction(err);
  return e
    ? (e.CancellationReasons ?? []).map((r) => ({
        code: r.Code ?? 'None',
        ...(r.Item ? { item: fromAttributeValues(r.Item) } : {}),
      }))
    : null;
}

export function isConditionalFailure(err: unknown): boolean {
  const e = err as AwsError;
  return e?.name === 'ConditionalCheckFailedException' || e?.code === 'ConditionalCheckFailedException';
}

/**
 * Runs `attempt` again while DynamoDB cancels it for a conflicting concurrent transaction on the
 * same items (the statistics item of a busy user), or for a throttled partition, with jittered
 * exponential backoff. Neither is retried by the client library for a transaction; contention
 * is not an outage, so it is retried for as long as the request's deadline allows.
 */
export async function withConflictRetry<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const codes = cancellationCodes(err);
      if (!(codes?.some((c) => RETRIED_REASONS.has(c)) ?? false)) throw err;
      if (i >= MAX_CONFLICT_RETRIES)
        throw new StoreUnavailableError('too many concurrent changes to the same user', 1);
      await backoff(i);
    }
  }
}

/** Cancellations a later attempt can get past: a concurrent transaction, or a throttled partition. */
const RETRIED_REASONS = new Set(['TransactionConflict', ...THROTTLED_REASONS]);

/** Attempts past which contention counts as an outage (by then over 10 s of waiting). */
const MAX_CONFLICT_RETRIES = 40;

/** Waits a jittered, growing delay (at most 300 ms) before attempt `i + 1`. */
export function backoff(i: number): Promise<void> {
  const delay = Math.random() * Math.min(300, 5 * 2 ** i);
  return new Promise((r) => setTimeout(r, delay));
}

/** Turns infrastructure failures into StoreUnavailableError; anything else passes through. */
export function classify(err: unknown): unknown {
  if (err instanceof StoreUnavailableError) return err;
  if (isUnavailable(err)) return new StoreUnavailableError('the database is unreachable or throttling', 1);
  return err;
}
