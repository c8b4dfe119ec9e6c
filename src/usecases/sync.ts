/**
 * GET /changes and GET /users/{id}/export: what a client needs to mirror a user's workouts.
 *
 * Changes: a first sync lists every current workout (by id), then follows the change log from
 * the stamp that was last when it began; later syncs follow the log. A page of the log never
 * goes past the last stamp recorded on STATS when the page began: every change up to that
 * stamp has committed (stamps follow commit order), so nothing a page skips can appear later.
 */
import {
  decodeSince,
  encodeSince,
  InvalidTokenError,
  isExpired,
  type SinceToken,
} from '../domain/changes.ts';
import type { Profile } from '../domain/profile.ts';
import type { Workout } from '../domain/workout.ts';
import { readChangeEntries } from '../store/changes.ts';
import { toWorkout } from '../store/codec.ts';
import { readStats } from '../store/counters.ts';
import type { Item, Table } from '../store/dynamodb.ts';
import { getStoredProfile } from '../store/profiles.ts';
import { getStoredWorkouts, queryStarted, workoutsById } from '../store/workouts.ts';
import { InvalidCursorError, SinceExpiredError } from './errors.ts';

export type Change = Workout | { workoutId: string; deleted: true; deletedAt: string };

export async function changesSince(
  table: Table,
  userId: string,
  since: string | undefined,
  limit: number,
): Promise<{ items: Change[]; nextSince: string; hasMore: boolean }> {
  let token: SinceToken;
  try {
    token = since === undefined ? { phase: 'snapshot', horizon: null, after: null } : decodeSince(since);
  } catch (err) {
    if (err instanceof InvalidTokenError) throw new InvalidCursorError(err.message, 'since');
    throw err;
  }
  if (isExpired(token, Date.now()))
    throw new SinceExpiredError('the since token is older than the changes kept; sync from the start');
  if (token.phase === 'snapshot') {
    // The horizon is read before the first snapshot page: a change after it is in the log.
    const horizon = since === undefined ? (await readStats(table, userId)).lastChange : token.horizon;
    const page = await workoutsById(table, userId, token.after ?? undefined, limit);
    const items = page.items.map(toWorkout);
    if (page.more) {
      const after = items.at(-1)?.workoutId ?? token.after;
      return { items, nextSince: encodeSince({ phase: 'snapshot', horizon, after }), hasMore: true };
    }
    const last = (await readStats(table, userId)).lastChange;
    return { items, nextSince: encodeSince({ phase: 'log', stamp: horizon }), hasMore: last !== horizon };
  }
  const upTo = (await readStats(table, userId)).lastChange;
  if (upTo === null || (token.stamp !== null && upTo <= token.stamp)) {
    return { items: [], nextSince: encodeSince(token), hasMore: false };
  }
  const { entries, more } = await readChangeEntries(table, userId, token.stamp ?? undefined, upTo, limit);
  // Each workout once, at its latest change in this page.
  const latest = new Map<string, string>();
  for (const e of entries) {
    for (const id of e.workoutIds) {
      latest.delete(id);
      latest.set(id, e.stamp);
    }
  }
  const stored = await getStoredWorkouts(table, userId, [...latest.keys()]);
  const items: Change[] = [...latest].map(
    ([workoutId, stamp]) => stored.get(workoutId)?.workout ?? { workoutId, deleted: true, deletedAt: stamp },
  );
  const stamp = entries.at(-1)?.stamp ?? upTo;
  return { items, nextSince: encodeSince({ phase: 'log', stamp }), hasMore: more };
}

/** An export page holds at most this many bytes of NDJSON (the contract says 5 MB). */
export const EXPORT_PAGE_BYTES = 5_000_000;
/** Room left for one more line: a workout's line is far below this. */
const LINE_ROOM = 16_384;

/**
 * One page of the export: the profile line first (on the first page), then workouts oldest
 * first. Memory is one page, whatever the history.
 */
export async function exportPage(
  table: Table,
  userId: string,
  cursor: string | undefined,
  pageBytes = EXPORT_PAGE_BYTES,
): Promise<{ lines: string[]; nextCursor: string | null }> {
  const lines: string[] = [];
  let bytes = 0;
  const push = (line: string) => {
    lines.push(line);
    bytes += Buffer.byteLength(line) + 1;
  };
  let after = cursor === undefined ? undefined : decodeExportCursor(cursor);
  if (cursor === undefined) {
    const profile: Profile | null = (await getStoredProfile(table, userId))?.profile ?? null;
    push(JSON.stringify({ profile }));
  }
  let startKey: Item | undefined;
  for (;;) {
    const page = await queryStarted(table, userId, {
      oldestFirst: true,
      limit: 500,
      ...(startKey ? { startKey } : after ? { after } : {}),
    });
    for (const item of page.items) {
      if (bytes + LINE_ROOM > pageBytes) {
        return { lines, nextCursor: encodeExportCursor(after!) };
      }
      push(JSON.stringify({ workout: toWorkout(item) }));
      after = { lsi1: String(item.lsi1), sk: String(item.sk) };
    }
    if (!page.lastKey) return { lines, nextCursor: null };
    startKey = page.lastKey;
  }
}

function encodeExportCursor(k: { lsi1: string; sk: string }): string {
  return Buffer.from(JSON.stringify([k.lsi1, k.sk])).toString('base64url');
}

function decodeExportCursor(cursor: string): { lsi1: string; sk: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && v.every((s) => typeof s === 'string' && s.length <= 200)) {
      const [lsi1, sk] = v as [string, string];
      if (lsi1.startsWith('W#') && sk.startsWith('W#')) return { lsi1, sk };
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError('is not a valid cursor');
}
