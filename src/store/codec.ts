/**
 * Items ↔ domain objects, and the `ADD` clauses that apply statistics counters.
 * Counter attributes: `n`, `sec`, `cal`, `dist` overall, and `n#<type>` ... per workout type.
 */
import type { Profile } from '../domain/profile.ts';
import type { Counters, Totals } from '../domain/stats.ts';
import type { Workout } from '../domain/workout.ts';
import type { Item } from './dynamodb.ts';

const WORKOUT_FIELDS = [
  'userId',
  'workoutId',
  'workoutType',
  'startedAt',
  'timezone',
  'localDate',
  'durationMinutes',
  'durationSeconds',
  'caloriesBurned',
  'caloriesEstimated',
  'distanceKm',
  'intensity',
  'avgHeartRate',
  'notes',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof Workout)[];
const PROFILE_FIELDS = [
  'userId',
  'displayName',
  'weightKg',
  'timezone',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof Profile)[];

/** The listed fields of an item, in the listed order (so a representation's bytes are stable). */
function pick<T>(item: Item, fields: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (item[f] !== undefined) out[f] = item[f];
  return out as T;
}

export const toWorkout = (item: Item): Workout => pick<Workout>(item, WORKOUT_FIELDS);
export const toProfile = (item: Item): Profile => pick<Profile>(item, PROFILE_FIELDS);

const ATTRS: Record<keyof Totals, string> = {
  count: 'n',
  durationSeconds: 'sec',
  caloriesBurned: 'cal',
  distanceKm: 'dist',
};

export function toCounters(item: Item | undefined): Counters {
  const read = (suffix: string): Totals => ({
    count: Number(item?.[`n${suffix}`] ?? 0),
    durationSeconds: Number(item?.[`sec${suffix}`] ?? 0),
    caloriesBurned: Number(item?.[`cal${suffix}`] ?? 0),
    distanceKm: Number(item?.[`dist${suffix}`] ?? 0),
  });
  const byType: Record<string, Totals> = {};
  for (const key of Object.keys(item ?? {})) {
    if (key.startsWith('n#')) byType[key.slice(2)] = read(key.slice(1));
  }
  return { total: read(''), byType };
}

export interface UpdateParts {
  /** `ADD` clauses such as `#a0 :a0`. */
  add: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** `ADD` clauses for counters; zero changes are left out. */
export function counterAdds(c: Counters): UpdateParts {
  const parts: UpdateParts = { add: [], names: {}, values: {} };
  const push = (suffix: string, t: Totals) => {
    for (const [field, attr] of Object.entries(ATTRS) as [keyof Totals, string][]) {
      if (t[field] === 0) continue;
      const i = parts.add.length;
      parts.add.push(`#a${i} :a${i}`);
      parts.names[`#a${i}`] = attr + suffix;
      parts.values[`:a${i}`] = t[field];
    }
  };
  push('', c.total);
  for (const [type, t] of Object.entries(c.byType)) push(`#${type}`, t);
  return parts;
}

/** Joins SET and ADD parts into one UpdateExpression. */
export function updateExpression(set: string[], add: string[]): string {
  return [set.length ? `SET ${set.join(', ')}` : '', add.length ? `ADD ${add.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
}
