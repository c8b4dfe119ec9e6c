/**
 * PATCH and DELETE /workouts/{id}: change or remove a workout, its statistics following in the
 * same transaction. The write is conditioned on the version read, so a concurrent change makes
 * it redo from a fresh read; with `If-Match`, a tag that is not the current one is a 412 (checked
 * against the version the write is conditioned on, so it is race-safe).
 */
import type { AppConfig } from '../domain/config.ts';
import { etagOf, tagListMatches } from '../domain/etag.ts';
import type { PatchWorkoutInput } from '../domain/schemas.ts';
import { addCounters, contribution, difference, type Counters } from '../domain/stats.ts';
import { patchNeedsProfile, patchWorkout as applyPatch, type Workout } from '../domain/workout.ts';
import { profileFacts } from '../domain/profile.ts';
import { changeEntry } from '../store/changes.ts';
import { bucketUpdates, statsUpdate } from '../store/counters.ts';
import { ConditionsFailed, transact, type Action } from '../store/transact.ts';
import {
  deleteWorkoutItem,
  getStoredWorkout,
  replaceWorkout,
  toStoredWorkout,
  type StoredWorkout,
} from '../store/workouts.ts';
import { changeStamps } from './change-stamp.ts';
import type { UseCaseDeps } from './deps.ts';
import { NotFoundError, PreconditionFailedError } from './errors.ts';
import { readProfileFacts } from './log-workout.ts';
import { beforeRedo } from './retry.ts';

export async function patchWorkout(
  deps: UseCaseDeps,
  userId: string,
  workoutId: string,
  patch: PatchWorkoutInput,
  config: AppConfig,
  ifMatch?: string,
): Promise<Workout> {
  let next: Workout | undefined;
  await changeWorkout(deps, userId, workoutId, ifMatch, async (old) => {
    const profile = patchNeedsProfile(old.workout, patch)
      ? await readProfileFacts(deps.table, userId)
      : profileFacts(null);
    return (stamp) => {
      next = applyPatch(old.workout, patch, { profile, config, now: stamp });
      const before = contribution(old.workout);
      const after = contribution(next);
      const byDay = new Map<string, Counters>([[old.workout.localDate, contribution(old.workout, -1)]]);
      byDay.set(next.localDate, addCounters(byDay.get(next.localDate) ?? addCounters(), after));
      return [
        replaceWorkout(deps.table, { ...old, workout: next, version: old.version + 1 }, old.version),
        statsUpdate(deps.table, userId, difference(after, before), stamp),
        ...bucketUpdates(deps.table, userId, byDay),
      ];
    };
  });
  return next!;
}

export async function deleteWorkout(
  deps: UseCaseDeps,
  userId: string,
  workoutId: string,
  ifMatch?: string,
): Promise<void> {
  await changeWorkout(deps, userId, workoutId, ifMatch, async (old) => (stamp) => {
    const minus = contribution(old.workout, -1);
    return [
      deleteWorkoutItem(deps.table, userId, workoutId, old.version),
      statsUpdate(deps.table, userId, minus, stamp),
      ...bucketUpdates(deps.table, userId, new Map([[old.workout.localDate, minus]])),
    ];
  });
}

/**
 * Reads, checks If-Match, writes the actions `prepare` gives (built afresh, with a new stamp, on
 * each attempt) plus the change entry; redoes lost races from a fresh read.
 */
async function changeWorkout(
  deps: UseCaseDeps,
  userId: string,
  workoutId: string,
  ifMatch: string | undefined,
  prepare: (old: StoredWorkout) => Promise<(stamp: string) => Action[]>,
): Promise<void> {
  const stamps = changeStamps(deps.table, userId);
  // The version a lost race came back with (the failed condition carries it): no read for the redo.
  let newer: StoredWorkout | undefined;
  for (let attempt = 1; ; attempt++) {
    const old = newer ?? (await getStoredWorkout(deps.table, userId, workoutId));
    newer = undefined;
    if (!old) throw new NotFoundError('workout', workoutId);
    if (ifMatch !== undefined && !tagListMatches(ifMatch, etagOf(old.workout)))
      throw new PreconditionFailedError();
    const build = await prepare(old);
    try {
      await transact(deps.table, () => {
        const stamp = stamps.next();
        return [...build(stamp), changeEntry(deps.table, userId, stamp, [workoutId])];
      });
      return;
    } catch (err) {
      if (!(err instanceof ConditionsFailed)) throw err;
      // The workout changed meanwhile (redo from its newer version; a read when it was deleted),
      // or the stamp was taken.
      const lostWorkout = err.failed.has('workout');
      const carried = err.items.get('workout');
      if (carried) newer = toStoredWorkout(carried);
      if (!(await stamps.refreshAfter(err)) && !lostWorkout) throw err;
      await beforeRedo(attempt);
    }
  }
}
