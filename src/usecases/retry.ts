/**
 * How a use case redoes a write that lost a race (another request changed the same workout, or
 * took the change stamp it wanted): re-read and recompute, with a jittered backoff, for a bounded
 * number of attempts. Contention between requests of one user is never a 503 unless it lasts.
 */
import { backoff, StoreUnavailableError } from '../store/errors.ts';

export const MAX_REDOS = 30;

/** Waits before redo `attempt`; past MAX_REDOS the client is told to retry later. */
export async function beforeRedo(attempt: number): Promise<void> {
  if (attempt >= MAX_REDOS)
    throw new StoreUnavailableError('the data keeps changing under this request; try again', 1);
  await backoff(attempt);
}
