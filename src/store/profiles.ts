/**
 * Profile items: reads and the transaction actions that write them. A profile change touches
 * nothing else: workouts keep the local day they were logged with.
 */
import type { Profile } from '../domain/profile.ts';
import { toProfile } from './codec.ts';
import type { Item, Table } from './dynamodb.ts';
import { pk, PROFILE_SK } from './keys.ts';
import { RETURN_ITEM_ON_FAILURE, type Action } from './transact.ts';

export interface StoredProfile {
  profile: Profile;
  version: number;
  /** The create request's fingerprint: the same body again is a replay. */
  fingerprint: string;
}

export async function getStoredProfile(table: Table, userId: string): Promise<StoredProfile | null> {
  const out = await table.db.call<{ Item?: Item }>('GetItem', {
    TableName: table.name,
    Key: { pk: pk(userId), sk: PROFILE_SK },
    ConsistentRead: true,
  });
  return out.Item ? toStoredProfile(out.Item) : null;
}

export function toStoredProfile(item: Item): StoredProfile {
  return {
    profile: toProfile(item),
    version: Number(item.version ?? 1),
    fingerprint: String(item.fingerprint ?? ''),
  };
}

const item = (s: StoredProfile): Item => ({
  pk: pk(s.profile.userId),
  sk: PROFILE_SK,
  ...s.profile,
  version: s.version,
  fingerprint: s.fingerprint,
});

export function putNewProfile(table: Table, s: StoredProfile): Action {
  return {
    name: 'profile',
    action: {
      // A taken id comes back with the stored profile: a replay is one request.
      Put: {
        TableName: table.name,
        Item: item(s),
        ConditionExpression: 'attribute_not_exists(pk)',
        ...RETURN_ITEM_ON_FAILURE,
      },
    },
  };
}

export function replaceProfile(table: Table, s: StoredProfile, previousVersion: number): Action {
  return {
    name: 'profile',
    action: {
      Put: {
        TableName: table.name,
        Item: item(s),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': previousVersion },
        ...RETURN_ITEM_ON_FAILURE, // the newer version, for the redo
      },
    },
  };
}

/** Deletes the profile whose version is still `version`. */
export function deleteProfileItem(table: Table, userId: string, version: number): Action {
  return {
    name: 'profile',
    action: {
      Delete: {
        TableName: table.name,
        Key: { pk: pk(userId), sk: PROFILE_SK },
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': version },
      },
    },
  };
}
