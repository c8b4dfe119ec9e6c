/**
 * A workout as stored and returned, and the pure steps that make one: from a create request,
 * by applying a patch, and the fingerprint that tells a retry from a conflicting reuse of an id.
 */
import { createHash, randomUUID } from 'node:crypto';
import { estimateCalories } from './calories.ts';
import type { AppConfig, Intensity } from './config.ts';
import type { CreateWorkoutInput, PatchWorkoutInput } from './schemas.ts';
import { parseDateTime } from './time.ts';

export interface Workout {
  userId: string;
  workoutId: string;
  workoutType: string;
  startedAt: string;
  durationMinutes: number;
  caloriesBurned: number;
  caloriesEstimated: boolean;
  distanceKm?: number;
  intensity: Intensity;
  avgHeartRate?: number;
  notes?: string;
  createdAt: string;
  updatedAt: string;
}

/** Fields a client sends; all of them take part in the retry fingerprint. */
const CONTENT_FIELDS = [
  'workoutType',
  'startedAt',
  'durationMinutes',
  'caloriesBurned',
  'distanceKm',
  'intensity',
  'avgHeartRate',
  'notes',
] as const;

/**
 * Fingerprint of a create request's content: equal for a retry of the same request (the same
 * instant written with another offset counts as the same), different for any other content.
 */
export function contentFingerprint(input: CreateWorkoutInput): string {
  const canonical = CONTENT_FIELDS.map((f) =>
    f === 'startedAt' ? parseDateTime(input.startedAt) : (input[f] ?? null),
  );
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
}

export function newWorkoutId(): string {
  return randomUUID();
}

export function createWorkout(
  input: CreateWorkoutInput,
  ctx: { userId: string; workoutId: string; weightKg: number | undefined; config: AppConfig; now: string },
): Workout {
  const met = ctx.config.workoutTypes[input.workoutType]!;
  const estimated = input.caloriesBurned === undefined;
  return dropUndefined({
    userId: ctx.userId,
    workoutId: ctx.workoutId,
    workoutType: input.workoutType,
    startedAt: input.startedAt,
    durationMinutes: input.durationMinutes,
    caloriesBurned: estimated
      ? estimateCalories(met, input.intensity, ctx.weightKg, input.durationMinutes)
      : input.caloriesBurned!,
    caloriesEstimated: estimated,
    distanceKm: input.distanceKm,
    intensity: input.intensity,
    avgHeartRate: input.avgHeartRate,
    notes: input.notes,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  });
}

/**
 * Applies a partial update. `null` clears an optional field; clearing `caloriesBurned` (or
 * changing what an estimate depends on while it is an estimate) re-estimates it.
 */
export function patchWorkout(
  w: Workout,
  patch: PatchWorkoutInput,
  ctx: { weightKg: number | undefined; config: AppConfig; now: string },
): Workout {
  const next: Workout = { ...w, updatedAt: ctx.now };
  if (patch.workoutType !== undefined) next.workoutType = patch.workoutType;
  if (patch.startedAt !== undefined) next.startedAt = patch.startedAt;
  if (patch.durationMinutes !== undefined) next.durationMinutes = patch.durationMinutes;
  if (patch.intensity !== undefined) next.intensity = patch.intensity;
  for (const f of ['distanceKm', 'avgHeartRate', 'notes'] as const) {
    const value = patch[f];
    if (value === null) delete next[f];
    else if (value !== undefined) (next as unknown as Record<string, unknown>)[f] = value;
  }
  if (typeof patch.caloriesBurned === 'number') {
    next.caloriesBurned = patch.caloriesBurned;
    next.caloriesEstimated = false;
  } else if (patch.caloriesBurned === null || (w.caloriesEstimated && changesEstimate(patch))) {
    const met = ctx.config.workoutTypes[next.workoutType];
    // A type removed from configuration keeps its last estimate rather than failing the update.
    if (met) {
      next.caloriesBurned = estimateCalories(met, next.intensity, ctx.weightKg, next.durationMinutes);
      next.caloriesEstimated = true;
    }
  }
  return next;
}

/** An estimate depends on type, duration and intensity (and weight, read when it is made). */
function changesEstimate(patch: PatchWorkoutInput): boolean {
  return (
    patch.workoutType !== undefined || patch.durationMinutes !== undefined || patch.intensity !== undefined
  );
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
