/**
 * The change feed's rules: stamps that order a user's changes, and the `since` tokens clients
 * hold. Every write of a user stamps one change entry with a stamp strictly above the last one
 * (the STATS item keeps the last and the write's transaction checks it), so stamps follow
 * commit order and a reader that stops at the last committed stamp misses nothing.
 */

/** Deletions (and every change entry) are kept at least this long; an older token is 410. */
export const RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

/** A stamp: a fixed-width UTC instant with milliseconds, so stamps sort as text. */
export function nextStamp(nowMs: number, last: string | undefined): string {
  const lastMs = last === undefined ? -Infinity : Date.parse(last);
  return new Date(Math.max(nowMs, lastMs + 1)).toISOString();
}

/** When a change entry may be dropped (DynamoDB TTL, epoch seconds): a day past the retention. */
export function expiresAt(stamp: string): number {
  return Math.floor((Date.parse(stamp) + (RETENTION_DAYS + 1) * DAY_MS) / 1000);
}

/**
 * Where a client is in the feed. `snapshot`: a first sync, listing every current workout in id
 * order after `after`; it then goes on with the log after `horizon` (the last stamp when the
 * sync began), so a change made during the snapshot is served again. `log`: the entries after
 * `stamp`. A page always ends at a whole entry.
 */
export type SinceToken =
  | { phase: 'snapshot'; horizon: string | null; after: string | null }
  | { phase: 'log'; stamp: string | null };

export function encodeSince(t: SinceToken): string {
  const parts = t.phase === 'snapshot' ? ['s', t.horizon ?? '', t.after ?? ''] : ['l', t.stamp ?? ''];
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

export function decodeSince(text: string): SinceToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError('is not a valid since token');
  }
  const parts: string[] = Array.isArray(parsed) ? parsed : [];
  const ok = parts.length > 0 && parts.every((p) => typeof p === 'string' && p.length <= 200);
  if (ok && parts[0] === 's' && parts.length === 3)
    return { phase: 'snapshot', horizon: parts[1] || null, after: parts[2] || null };
  if (ok && parts[0] === 'l' && parts.length === 2) return { phase: 'log', stamp: parts[1] || null };
  throw new InvalidTokenError('is not a valid since token');
}

/** True when a log token is older than the entries kept: the client must resync (410). */
export function isExpired(t: SinceToken, nowMs: number): boolean {
  const stamp = t.phase === 'log' ? t.stamp : t.horizon;
  return stamp !== null && Date.parse(stamp) < nowMs - RETENTION_DAYS * DAY_MS;
}
