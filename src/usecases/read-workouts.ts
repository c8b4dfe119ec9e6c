/**
 * GET /workouts and GET /workouts/{id}: the user's workouts, newest `startedAt` first. Date
 * bounds and the type filter are applied to the start-time index's pages (no second index: it
 * would cost every write two more units); a page reads at most a few index pages, and may come
 * back short with a cursor when few workouts match.
 */
import { inRange, startedWindow, type WorkoutRange } from '../domain/range.ts';
import type { Workout } from '../domain/workout.ts';
import { toWorkout } from '../store/codec.ts';
import type { Item, Table } from '../store/dynamodb.ts';
import { getStoredWorkout, inStartedRange, queryStarted } from '../store/workouts.ts';
import { InvalidCursorError, NotFoundError } from './errors.ts';

export async function readWorkout(table: Table, userId: string, workoutId: string): Promise<Workout> {
  const stored = await getStoredWorkout(table, userId, workoutId);
  if (!stored) throw new NotFoundError('workout', workoutId);
  return stored.workout;
}

export interface ListQuery {
  range: WorkoutRange;
  workoutType?: string;
  limit: number;
  cursor?: string;
}

/** Index pages one list request reads at most when a filter skips workouts. */
const MAX_PAGES = 5;
/**
 * Index items per page with a type filter (a page is at most 1 MB anyway). Date bounds filter
 * only the day of slack at each end of the window, so pages of `limit + 1` do for them.
 */
const TYPE_FILTERED_PAGE = 200;

export async function listWorkouts(
  table: Table,
  userId: string,
  q: ListQuery,
): Promise<{ items: Workout[]; nextCursor: string | null }> {
  const window = startedWindow(q.range);
  let after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  if (after && !inStartedRange(after.lsi1, window.loMs, window.hiMs)) {
    throw new InvalidCursorError('does not belong to this query');
  }
  const matches = (i: Item) =>
    (q.workoutType === undefined || i.workoutType === q.workoutType) &&
    inRange(q.range, { startedAt: String(i.startedAt), localDate: String(i.localDate) });
  const found: Item[] = [];
  let last: Item | undefined;
  let startKey: Item | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const p = await queryStarted(table, userId, {
      ...window,
      limit: q.workoutType !== undefined ? TYPE_FILTERED_PAGE : q.limit + 1,
      ...(startKey ? { startKey } : after ? { after } : {}),
    });
    for (const item of p.items) {
      last = item;
      if (!matches(item)) continue;
      found.push(item);
      if (found.length > q.limit) {
        const end = found[q.limit - 1]!;
        return { items: found.slice(0, q.limit).map(toWorkout), nextCursor: encodeCursor(end) };
      }
    }
    if (!p.lastKey) return { items: found.map(toWorkout), nextCursor: null };
    startKey = p.lastKey;
    after = undefined;
  }
  // Read enough for one request: resume after the last workout looked at.
  return { items: found.map(toWorkout), nextCursor: last ? encodeCursor(last) : null };
}

function encodeCursor(item: Item): string {
  return Buffer.from(JSON.stringify([String(item.lsi1), String(item.sk)])).toString('base64url');
}

function decodeCursor(cursor: string): { lsi1: string; sk: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && v.every((s) => typeof s === 'string' && s.length <= 200)) {
      const [lsi1, sk] = v as [string, string];
      if (sk.startsWith('W#')) return { lsi1, sk };
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError('is not a valid cursor');
}
