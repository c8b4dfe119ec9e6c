/**
 * POST /workouts/batch: many workouts of one user, each logged once as by POST /workouts, for
 * fewer write units: a transaction puts up to ~90 workouts and moves STATS, each touched day
 * bucket and the change log ONCE for all of them. A workout whose id is taken is settled as a
 * replay or a conflict and the rest of its transaction is redone without it; the batch as a
 * whole is not atomic, so a resent batch counts nothing twice.
 */
import type { AppConfig } from '../domain/config.ts';
import { profileFacts } from '../domain/profile.ts';
import type { CreateWorkoutInput } from '../domain/schemas.ts';
import { addCounters, contribution, type Counters } from '../domain/stats.ts';
import {
  contentFingerprint,
  createWorkout,
  localDateOf,
  needsProfile,
  newWorkoutId,
  type Workout,
} from '../domain/workout.ts';
import { changeEntry } from '../store/changes.ts';
import { bucketUpdates, statsUpdate } from '../store/counters.ts';
import { ConditionsFailed, MAX_ACTIONS, transact } from '../store/transact.ts';
import { getStoredWorkouts, putNewWorkout, toStoredWorkout, type StoredWorkout } from '../store/workouts.ts';
import { changeStamps } from './change-stamp.ts';
import type { UseCaseDeps } from './deps.ts';
import { readProfileFacts, replayOrConflict, type LogOutcome } from './log-workout.ts';
import { beforeRedo } from './retry.ts';

export interface BatchEntry {
  index: number;
  input: CreateWorkoutInput;
}

export type BatchOutcome = LogOutcome & { index: number };

interface Pending {
  index: number;
  input: CreateWorkoutInput;
  workoutId: string;
  fingerprint: string;
}

export async function logBatch(
  deps: UseCaseDeps,
  userId: string,
  entries: BatchEntry[],
  config: AppConfig,
): Promise<BatchOutcome[]> {
  const profile = entries.some((e) => needsProfile(e.input))
    ? await readProfileFacts(deps.table, userId)
    : profileFacts(null);
  const all: Pending[] = entries.map((e) => ({
    ...e,
    workoutId: e.input.workoutId ?? newWorkoutId(),
    fingerprint: contentFingerprint(e.input),
  }));
  // The first of several items with one id is logged; the others are settled against it afterwards.
  const seen = new Set<string>();
  const repeats: Pending[] = [];
  let pending: Pending[] = [];
  for (const p of all) {
    if (seen.has(p.workoutId)) {
      repeats.push(p);
    } else {
      pending.push(p);
      seen.add(p.workoutId);
    }
  }
  const outcomes: BatchOutcome[] = [];
  const stamps = changeStamps(deps.table, userId);
  for (let attempt = 1; pending.length > 0;) {
    const [chunk, rest] = fitTransaction(pending, profile.timezone);
    let made: { p: Pending; w: Workout }[] = [];
    try {
      await transact(deps.table, () => {
        const stamp = stamps.next();
        made = chunk.map((p) => ({
          p,
          w: createWorkout(p.input, { userId, workoutId: p.workoutId, profile, config, now: stamp }),
        }));
        const byDay = new Map<string, Counters>();
        for (const { w } of made) {
          byDay.set(w.localDate, addCounters(byDay.get(w.localDate) ?? addCounters(), contribution(w)));
        }
        return [
          ...made.map(({ p, w }) =>
            putNewWorkout(
              deps.table,
              { workout: w, version: 1, fingerprint: p.fingerprint },
              `workout:${p.index}`,
            ),
          ),
          statsUpdate(deps.table, userId, addCounters(...made.map(({ w }) => contribution(w))), stamp),
          ...bucketUpdates(deps.table, userId, byDay),
          changeEntry(
            deps.table,
            userId,
            stamp,
            made.map(({ w }) => w.workoutId),
          ),
        ];
      });
      for (const { p, w } of made) {
        deps.events.workoutLogged(w);
        outcomes.push({ index: p.index, status: 'created', workout: w });
      }
      pending = rest;
    } catch (err) {
      if (!(err instanceof ConditionsFailed)) throw err;
      const taken = chunk.filter((p) => err.failed.has(`workout:${p.index}`));
      if (taken.length === 0 && !(await stamps.refreshAfter(err))) throw err;
      // The failed puts carry the stored workouts: a resent batch reads nothing back.
      const carried = new Map<string, StoredWorkout>();
      for (const p of taken) {
        const item = err.items.get(`workout:${p.index}`);
        if (item) carried.set(p.workoutId, toStoredWorkout(item));
      }
      const settled = await settle(deps, userId, taken, carried);
      outcomes.push(...settled);
      const done = new Set(settled.map((o) => o.index));
      pending = [...chunk.filter((p) => !done.has(p.index)), ...rest];
      if (settled.length === 0) await beforeRedo(attempt++);
    }
  }
  outcomes.push(...(await settle(deps, userId, repeats)));
  return outcomes.sort((a, b) => a.index - b.index);
}

/**
 * Replays and conflicts of items whose id is stored; ids stored no more are left to log again.
 * `known` holds stored workouts already at hand; only the others are read.
 */
async function settle(
  deps: UseCaseDeps,
  userId: string,
  items: Pending[],
  known = new Map<string, StoredWorkout>(),
): Promise<BatchOutcome[]> {
  if (items.length === 0) return [];
  const unknown = items.filter((p) => !known.has(p.workoutId)).map((p) => p.workoutId);
  const stored = unknown.length
    ? new Map([...known, ...(await getStoredWorkouts(deps.table, userId, unknown))])
    : known;
  const out: BatchOutcome[] = [];
  for (const p of items) {
    const s = stored.get(p.workoutId);
    if (s)
      out.push({ index: p.index, ...replayOrConflict(deps, s.workout, s.fingerprint === p.fingerprint) });
  }
  return out;
}

/** The longest prefix whose puts, day buckets, STATS and change entry fit one transaction. */
function fitTransaction(pending: Pending[], profileZone: string): [Pending[], Pending[]] {
  const days = new Set<string>();
  let n = 0;
  for (const p of pending) {
    const day = localDateOf(p.input.startedAt, p.input.timezone, profileZone);
    const extraDay = days.has(day) ? 0 : 1;
    if (n + 1 + days.size + extraDay + 2 > MAX_ACTIONS) break;
    days.add(day);
    n++;
  }
  return [pending.slice(0, n), pending.slice(n)];
}
