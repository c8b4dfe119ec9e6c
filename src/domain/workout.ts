/**
 * A workout as stored and returned, and the pure steps that make one: from a create request,
 * by applying a patch, its local day, and the fingerprint that tells a retry from a conflicting
 * reuse of an id. The request schemas (schemas.ts) produce these input shapes.
 */
import { createHash, randomUUID } from 'node:crypto';
import { estimateCalories } from './calories.ts';
import type { AppConfig, Intensity } from './config.ts';
import { roundTo } from './numbers.ts';
import { isUtcForm, localDate, parseDateTime } from './time.ts';

export interface Workout {
  userId: string;
  workoutId: string;
  workoutType: string;
  startedAt: string;
  /** The IANA zone the workout happened in, when the client said. */
  timezone?: string;
  /** The local day, fixed when logged (see localDateOf). */
  localDate: string;
  durationMinutes: number;
  /** Whole seconds: those sent, or the minutes sent × 60 rounded to the second. Counters sum these. */
  durationSeconds: number;
  caloriesBurned: number;
  caloriesEstimated: boolean;
  distanceKm?: number;
  intensity: Intensity;
  avgHeartRate?: number;
  notes?: string;
  createdAt: string;
  updatedAt: string;
}

/** What a client sends to log a workout (validated). A duration comes in minutes or seconds. */
export interface WorkoutInput {
  workoutId?: string;
  workoutType: string;
  startedAt: string;
  timezone?: string;
  durationMinutes?: number;
  durationSeconds?: number;
  caloriesBurned?: number;
  distanceKm?: number;
  intensity: Intensity;
  avgHeartRate?: number;
  notes?: string;
}

/** A partial update (validated); `null` clears an optional field (calories: re-estimate). */
export interface WorkoutPatch {
  workoutType?: string;
  startedAt?: string;
  timezone?: string | null;
  durationMinutes?: number;
  durationSeconds?: number;
  caloriesBurned?: number | null;
  distanceKm?: number | null;
  intensity?: Intensity;
  avgHeartRate?: number | null;
  notes?: string | null;
}

/** What the user's profile contributes to a workout: the zone of `Z` times and the weight. */
export interface ProfileFacts {
  timezone: string;
  weightKg: number | undefined;
}

/**
 * The local day of a workout: in its own `timezone` when given; else the date written in
 * `startedAt` when it has an offset (07:30+01:00 happened on that date there); else, for a `Z`
 * time, in the profile's zone.
 */
export function localDateOf(startedAt: string, timezone: string | undefined, profileZone: string): string {
  if (timezone !== undefined) return localDate(parseDateTime(startedAt)!, timezone);
  if (!isUtcForm(startedAt)) return startedAt.slice(0, 10);
  return localDate(parseDateTime(startedAt)!, profileZone);
}

/** True when logging this input needs the profile: a `Z` time without a zone, or no calories. */
export function needsProfile(
  input: Pick<WorkoutInput, 'startedAt' | 'timezone' | 'caloriesBurned'>,
): boolean {
  return (input.timezone === undefined && isUtcForm(input.startedAt)) || input.caloriesBurned === undefined;
}

/**
 * Seconds and minutes of a duration given either way (the schema guarantees one is there).
 * Seconds are whole: minutes sent with two decimals (0.01 min is 0.6 s) are rounded to the
 * second, while `durationMinutes` keeps the value sent. Counters sum the seconds, exactly.
 */
export function duration(input: { durationMinutes?: number; durationSeconds?: number }): {
  durationMinutes: number;
  durationSeconds: number;
} {
  if (input.durationSeconds !== undefined) {
    return {
      durationSeconds: input.durationSeconds,
      durationMinutes: roundTo(input.durationSeconds / 60, 2),
    };
  }
  const minutes = input.durationMinutes!;
  return { durationMinutes: minutes, durationSeconds: Math.max(1, Math.round(minutes * 60)) };
}

/** Fields a client sends; all of them take part in the retry fingerprint. */
const CONTENT_FIELDS = [
  'workoutType',
  'startedAt',
  'timezone',
  'durationSeconds',
  'caloriesBurned',
  'distanceKm',
  'intensity',
  'avgHeartRate',
  'notes',
] as const;

/**
 * Fingerprint of a create request's content: equal for a retry of the same request (the same
 * instant written with another offset, or the same duration in minutes or seconds, counts as the
 * same), different for any other content.
 */
export function contentFingerprint(input: WorkoutInput): string {
  // The duration as sent (not rounded to whole seconds): 10.01 and 10.02 minutes are different content.
  const seconds = input.durationSeconds ?? roundTo(input.durationMinutes! * 60, 1);
  const canonical = CONTENT_FIELDS.map((f) =>
    f === 'startedAt'
      ? parseDateTime(input.startedAt)
      : f === 'durationSeconds'
        ? seconds
        : (input[f] ?? null),
  );
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
}

export function newWorkoutId(): string {
  return randomUUID();
}

export function createWorkout(
  input: WorkoutInput,
  at: { userId: string; workoutId: string; profile: ProfileFacts; config: AppConfig; now: string },
): Workout {
  const met = at.config.workoutTypes[input.workoutType]!;
  const estimated = input.caloriesBurned === undefined;
  const d = duration(input);
  return dropUndefined({
    userId: at.userId,
    workoutId: at.workoutId,
    workoutType: input.workoutType,
    startedAt: input.startedAt,
    timezone: input.timezone,
    localDate: localDateOf(input.startedAt, input.timezone, at.profile.timezone),
    durationMinutes: d.durationMinutes,
    durationSeconds: d.durationSeconds,
    caloriesBurned: estimated
      ? estimateCalories(met, input.intensity, at.profile.weightKg, d.durationMinutes)
      : input.caloriesBurned!,
    caloriesEstimated: estimated,
    distanceKm: input.distanceKm,
    intensity: input.intensity,
    avgHeartRate: input.avgHeartRate,
    notes: input.notes,
    createdAt: at.now,
    updatedAt: at.now,
  });
}

/**
 * Applies a partial update. `null` clears an optional field; clearing `caloriesBurned` (or
 * changing what an estimate depends on while it is an estimate) re-estimates it. A new
 * `startedAt` or `timezone` fixes the local day anew, by the same rule as a new workout.
 */
export function patchWorkout(
  w: Workout,
  patch: WorkoutPatch,
  at: { profile: ProfileFacts; config: AppConfig; now: string },
): Workout {
  const next: Workout = { ...w, updatedAt: at.now };
  if (patch.workoutType !== undefined) next.workoutType = patch.workoutType;
  if (patch.startedAt !== undefined) next.startedAt = patch.startedAt;
  if (patch.intensity !== undefined) next.intensity = patch.intensity;
  if (patch.durationMinutes !== undefined || patch.durationSeconds !== undefined) {
    Object.assign(next, duration(patch));
  }
  for (const f of ['timezone', 'distanceKm', 'avgHeartRate', 'notes'] as const) {
    const value = patch[f];
    if (value === null) delete next[f];
    else if (value !== undefined) (next as unknown as Record<string, unknown>)[f] = value;
  }
  if (patch.startedAt !== undefined || patch.timezone !== undefined) {
    next.localDate = localDateOf(next.startedAt, next.timezone, at.profile.timezone);
  }
  if (typeof patch.caloriesBurned === 'number') {
    next.caloriesBurned = patch.caloriesBurned;
    next.caloriesEstimated = false;
  } else if (patch.caloriesBurned === null || (w.caloriesEstimated && changesEstimate(patch))) {
    const met = at.config.workoutTypes[next.workoutType];
    // A type removed from configuration keeps its last estimate rather than failing the update.
    if (met) {
      next.caloriesBurned = estimateCalories(met, next.intensity, at.profile.weightKg, next.durationMinutes);
      next.caloriesEstimated = true;
    }
  }
  return next;
}

/** True when a patch needs the profile: a new local day from a `Z` time, or a new estimate. */
export function patchNeedsProfile(w: Workout, patch: WorkoutPatch): boolean {
  const redates = patch.startedAt !== undefined || patch.timezone !== undefined;
  const zoneless = (patch.timezone === undefined ? w.timezone : patch.timezone) == null;
  const reestimates = patch.caloriesBurned === null || (w.caloriesEstimated && changesEstimate(patch));
  return (redates && zoneless && isUtcForm(patch.startedAt ?? w.startedAt)) || reestimates;
}

/** An estimate depends on type, duration and intensity (and weight, read when it is made). */
function changesEstimate(patch: WorkoutPatch): boolean {
  return (
    patch.workoutType !== undefined ||
    patch.durationMinutes !== undefined ||
    patch.durationSeconds !== undefined ||
    patch.intensity !== undefined
  );
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
