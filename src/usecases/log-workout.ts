/**
 * POST /workouts: log a workout once. The same workoutId with the same content is a replay (the
 * stored workout comes back, nothing is counted again); with other content it is a conflict.
 * When the request carries its own zone (or offset) and calories, logging is one DynamoDB
 * request: the transaction that puts the workout and moves its counters.
 */
import type { AppConfig } from '../domain/config.ts';
import { profileFacts } from '../domain/profile.ts';
import type { CreateWorkoutInput } from '../domain/schemas.ts';
import { contribution } from '../domain/stats.ts';
import {
  contentFingerprint,
  createWorkout,
  needsProfile,
  newWorkoutId,
  type ProfileFacts,
  type Workout,
} from '../domain/workout.ts';
import { changeEntry } from '../store/changes.ts';
import { bucketUpdates, statsUpdate } from '../store/counters.ts';
import type { Table } from '../store/dynamodb.ts';
import { getStoredProfile } from '../store/profiles.ts';
import { ConditionsFailed, transact } from '../store/transact.ts';
import { getStoredWorkout, putNewWorkout, toStoredWorkout } from '../store/workouts.ts';
import { changeStamps } from './change-stamp.ts';
import type { UseCaseDeps } from './deps.ts';
import { beforeRedo } from './retry.ts';

export type LogOutcome = { status: 'created' | 'replayed' | 'conflict'; workout: Workout };

export async function logWorkout(
  deps: UseCaseDeps,
  userId: string,
  input: CreateWorkoutInput,
  config: AppConfig,
): Promise<LogOutcome> {
  const workoutId = input.workoutId ?? newWorkoutId();
  const fingerprint = contentFingerprint(input);
  const profile = needsProfile(input) ? await readProfileFacts(deps.table, userId) : profileFacts(null);
  const stamps = changeStamps(deps.table, userId);
  for (let attempt = 1; ; attempt++) {
    let created: Workout | undefined;
    try {
      await transact(deps.table, () => {
        const stamp = stamps.next();
        const w = createWorkout(input, { userId, workoutId, profile, config, now: stamp });
        const c = contribution(w);
        created = w;
        return [
          putNewWorkout(deps.table, { workout: w, version: 1, fingerprint }),
          statsUpdate(deps.table, userId, c, stamp),
          ...bucketUpdates(deps.table, userId, new Map([[w.localDate, c]])),
          changeEntry(deps.table, userId, stamp, [workoutId]),
        ];
      });
      deps.events.workoutLogged(created!);
      return { status: 'created', workout: created! };
    } catch (err) {
      if (!(err instanceof ConditionsFailed)) throw err;
      if (err.failed.has('workout')) {
        // The failure carries the stored workout (read it only if it did not come back).
        const carried = err.items.get('workout');
        const existing = carried
          ? toStoredWorkout(carried)
          : await getStoredWorkout(deps.table, userId, workoutId);
        if (existing) return replayOrConflict(deps, existing.workout, existing.fingerprint === fingerprint);
        // Deleted in between: log it anew.
      } else if (!(await stamps.refreshAfter(err))) throw err;
      await beforeRedo(attempt);
    }
  }
}

export function replayOrConflict(deps: UseCaseDeps, stored: Workout, sameContent: boolean): LogOutcome {
  if (!sameContent) return { status: 'conflict', workout: stored };
  deps.events.duplicateReplayed();
  return { status: 'replayed', workout: stored };
}

export async function readProfileFacts(table: Table, userId: string): Promise<ProfileFacts> {
  return profileFacts((await getStoredProfile(table, userId))?.profile ?? null);
}
