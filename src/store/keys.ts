/**
 * The key design (template.yaml documents it beside the table). Every item of a user shares
 * the partition `U#<userId>`, so erasure and statistics never leave the partition.
 */
import { utcKey } from '../domain/time.ts';

export const INDEX_BY_STARTED_AT = 'byStartedAt';
export const INDEX_BY_TYPE = 'byTypeStartedAt';

export const pk = (userId: string) => `U#${userId}`;
export const PROFILE_SK = 'PROFILE';
export const STATS_SK = 'STATS';
export const workoutSk = (workoutId: string) => `W#${workoutId}`;
export const daySk = (date: string) => `D#${date}`;

/** Sorts workouts by start instant; ties broken by id so keys are unique. */
export const startedKey = (epochMs: number, workoutId: string) => `W#${utcKey(epochMs)}#${workoutId}`;
export const typeStartedKey = (type: string, epochMs: number, workoutId: string) =>
  `${type}#${utcKey(epochMs)}#${workoutId}`;

/** Above every workout's startedKey: the STATS item heads a newest-first query (one request for stats). */
export const STATS_LSI1 = 'W#~';
/** Bounds of the workouts in the byStartedAt index. */
export const STARTED_MIN = 'W#0';
export const STARTED_MAX = 'W#9';
