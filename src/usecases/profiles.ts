/**
 * POST /users, GET|PATCH /users/{id}, DELETE /users/{id}: the profile, and erasure of everything
 * a user has. The same create body again is a replay (200); another body for an existing
 * profile is a conflict. A profile change touches no workout.
 */
import { etagOf, tagListMatches } from '../domain/etag.ts';
import {
  newProfile,
  patchProfile,
  profileFingerprint,
  type Profile,
  type ProfileInput,
  type ProfilePatch,
} from '../domain/profile.ts';
import type { Table } from '../store/dynamodb.ts';
import { erasePartition } from '../store/erase.ts';
import {
  deleteProfileItem,
  getStoredProfile,
  putNewProfile,
  replaceProfile,
  toStoredProfile,
  type StoredProfile,
} from '../store/profiles.ts';
import { ConditionsFailed, transact } from '../store/transact.ts';
import { ConflictError, NotFoundError, PreconditionFailedError } from './errors.ts';
import { beforeRedo } from './retry.ts';

export async function createProfile(
  table: Table,
  userId: string,
  input: ProfileInput,
): Promise<{ status: 'created' | 'replayed'; profile: Profile }> {
  const fingerprint = profileFingerprint(input);
  const profile = newProfile(userId, input, new Date().toISOString());
  try {
    await transact(table, [putNewProfile(table, { profile, version: 1, fingerprint })]);
    return { status: 'created', profile };
  } catch (err) {
    if (!(err instanceof ConditionsFailed)) throw err;
    // The failure carries the stored profile (read it only if it did not come back).
    const carried = err.items.get('profile');
    const existing = carried ? toStoredProfile(carried) : await getStoredProfile(table, userId);
    if (existing?.fingerprint === fingerprint) return { status: 'replayed', profile: existing.profile };
    throw new ConflictError('user_exists', `user ${userId} exists already`);
  }
}

export async function readProfile(table: Table, userId: string): Promise<Profile> {
  const stored = await getStoredProfile(table, userId);
  if (!stored) throw new NotFoundError('user', userId);
  return stored.profile;
}

/** Partial update; a concurrent update makes it apply on top of the newer one (or 412 with If-Match). */
export async function updateProfile(
  table: Table,
  userId: string,
  patch: ProfilePatch,
  ifMatch?: string,
): Promise<Profile> {
  // The version a lost race came back with (the failed condition carries it): no read for the redo.
  let newer: StoredProfile | undefined;
  for (let attempt = 1; ; attempt++) {
    const old = newer ?? (await getStoredProfile(table, userId));
    newer = undefined;
    if (!old) throw new NotFoundError('user', userId);
    if (ifMatch !== undefined && !tagListMatches(ifMatch, etagOf(old.profile)))
      throw new PreconditionFailedError();
    const profile = patchProfile(old.profile, patch, new Date().toISOString());
    try {
      await transact(table, [
        replaceProfile(table, { ...old, profile, version: old.version + 1 }, old.version),
      ]);
      return profile;
    } catch (err) {
      if (!(err instanceof ConditionsFailed)) throw err;
      const carried = err.items.get('profile');
      if (carried) newer = toStoredProfile(carried);
      await beforeRedo(attempt);
    }
  }
}

/**
 * Right to erasure: profile, workouts, statistics and change log. Not found when nothing was
 * stored. With If-Match, the profile is deleted first, conditioned on the version whose tag was
 * checked: a profile changed in between is a 412 and nothing is erased.
 */
export async function eraseUser(table: Table, userId: string, ifMatch?: string): Promise<number> {
  let deleted = 0;
  if (ifMatch !== undefined) {
    const stored = await getStoredProfile(table, userId);
    if (!stored || !tagListMatches(ifMatch, etagOf(stored.profile))) throw new PreconditionFailedError();
    try {
      await transact(table, [deleteProfileItem(table, userId, stored.version)]);
    } catch (err) {
      if (err instanceof ConditionsFailed) throw new PreconditionFailedError();
      throw err;
    }
    deleted = 1;
  }
  deleted += await erasePartition(table, userId);
  if (deleted === 0) throw new NotFoundError('user', userId);
  return deleted;
}
