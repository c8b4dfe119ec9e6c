/**
 * A user's profile, and the pure steps that make and change one. Its zone is the default local
 * zone of workouts sent with a `Z` time; changing it never moves workouts already logged.
 */
import { createHash } from 'node:crypto';
import type { ProfileFacts } from './workout.ts';

export interface Profile {
  userId: string;
  displayName: string;
  weightKg?: number;
  timezone: string;
  createdAt: string;
  updatedAt: string;
}

export interface ProfileInput {
  displayName: string;
  weightKg?: number;
  timezone: string;
}

export interface ProfilePatch {
  displayName?: string;
  weightKg?: number | null;
  timezone?: string;
}

export function newProfile(userId: string, input: ProfileInput, now: string): Profile {
  return {
    userId,
    displayName: input.displayName,
    ...(input.weightKg !== undefined ? { weightKg: input.weightKg } : {}),
    timezone: input.timezone,
    createdAt: now,
    updatedAt: now,
  };
}

/** Fingerprint of a create request: the same body again is a replay (200), another a conflict. */
export function profileFingerprint(input: ProfileInput): string {
  const canonical = [input.displayName, input.weightKg ?? null, input.timezone];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
}

/** Partial update; `weightKg: null` removes the weight. */
export function patchProfile(p: Profile, patch: ProfilePatch, now: string): Profile {
  const next: Profile = { ...p, updatedAt: now };
  if (patch.displayName !== undefined) next.displayName = patch.displayName;
  if (patch.timezone !== undefined) next.timezone = patch.timezone;
  if (patch.weightKg === null) delete next.weightKg;
  else if (patch.weightKg !== undefined) next.weightKg = patch.weightKg;
  return next;
}

export function profileFacts(p: Profile | null): ProfileFacts {
  return { timezone: p?.timezone ?? 'UTC', weightKg: p?.weightKg };
}
