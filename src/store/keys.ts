/**
 * The key design (template.yaml documents it beside the table): every key literal lives here.
 * Every item of a user shares the partition `U#<userId>`, so erasure and statistics never leave
 * the partition.
 *
 *   sk   PROFILE | STATS | W#<workoutId> | D#<local date> | C#<change stamp>
 *   lsi1 W#<startedAt UTC>#<workoutId> on workouts; W#~ on STATS, which so heads a newest-first
 *        query of the workouts (GET /stats in one request)
 */
import { addDays, utcKey } from '../domain/time.ts';

export const INDEX_BY_STARTED_AT = 'byStartedAt';

export const pk = (userId: string) => `U#${userId}`;
export const PROFILE_SK = 'PROFILE';
export const STATS_SK = 'STATS';
export const workoutSk = (workoutId: string) => `W#${workoutId}`;
export const daySk = (date: string) => `D#${date}`;
export const changeSk = (stamp: string) => `C#${stamp}`;
export const stampOfChangeSk = (sk: string) => sk.slice(2);
export const dateOfDaySk = (sk: string) => sk.slice(2);
export const isWorkoutSk = (sk: string) => sk.startsWith('W#');

/** Sorts workouts by start instant; ties broken by id so keys are unique. */
export const startedKey = (epochMs: number, workoutId: string) => `W#${utcKey(epochMs)}#${workoutId}`;
/** Above every workout's startedKey ('~' sorts after every digit). */
export const STATS_LSI1 = 'W#~';

/**
 * lsi1 bounds of the workouts that started in [loMs, hiMs) (either end open), for BETWEEN:
 * `W#<instant>` sorts just below every key of that instant, and `W#:` above every year's digits.
 */
export function startedRange(loMs?: number, hiMs?: number): { lo: string; hi: string } {
  return {
    lo: loMs === undefined ? 'W#' : `W#${utcKey(loMs)}`,
    hi: hiMs === undefined ? 'W#:' : `W#${utcKey(hiMs)}`,
  };
}

/** sk bounds of the day buckets with local dates in [first, end) (either end open). */
export function dayRange(first?: string, end?: string): { lo: string; hi: string } {
  return {
    lo: first === undefined ? 'D#' : daySk(first),
    hi: end === undefined ? 'D#:' : daySk(addDays(end, -1)),
  };
}

/** sk bounds of the change entries after `afterStamp` (exclusive) up to `upTo` (inclusive). */
export function changeRange(afterStamp: string | undefined, upTo: string): { lo: string; hi: string } {
  return { lo: afterStamp === undefined ? 'C#' : `${changeSk(afterStamp)}\u0000`, hi: changeSk(upTo) };
}

/** The sk bounds of all workouts of a user (the base table, by id). */
export const WORKOUT_SK_RANGE = { lo: 'W#', hi: 'W#\uffff' };
