/**
 * A request's deadline, carried through its asynchronous work: every DynamoDB call of a request
 * stops when the request's time is up, whatever the call's own timeout, so a stuck database
 * turns into a 503 within the budget instead of holding the client.
 *
 * @example await withDeadline(25_000, () => handle(request));
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const deadlines = new AsyncLocalStorage<number>();

export function withDeadline<T>(budgetMs: number, work: () => Promise<T>): Promise<T> {
  return deadlines.run(Date.now() + budgetMs, work);
}

/** Milliseconds left for the current request (Infinity outside one). */
export function remainingMs(): number {
  const at = deadlines.getStore();
  return at === undefined ? Infinity : at - Date.now();
}
