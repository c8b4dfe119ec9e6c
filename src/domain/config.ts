/**
 * The service's runtime configuration: what may be logged and how calories are estimated.
 * Pure shape, defaults and validation; where values come from lives in src/config/.
 */

export const INTENSITIES = ['low', 'moderate', 'high'] as const;
export type Intensity = (typeof INTENSITIES)[number];

/** Metabolic equivalents of one workout type, per intensity. */
export type MetValues = Record<Intensity, number>;

export interface AppConfig {
  /** Upper bound of `durationMinutes` (default 1440, a day; the reference design had 240). */
  maxDurationMinutes: number;
  /** Supported workout types and their MET values, in display order. */
  workoutTypes: Record<string, MetValues>;
}

/** MET values after the Compendium of Physical Activities (rounded). */
export const DEFAULT_WORKOUT_TYPES: Record<string, MetValues> = {
  running: { low: 6, moderate: 9.8, high: 11.5 },
  cycling: { low: 4, moderate: 8, high: 10 },
  swimming: { low: 6, moderate: 8.3, high: 10 },
  weightlifting: { low: 3.5, moderate: 5, high: 6 },
  yoga: { low: 2, moderate: 2.5, high: 4 },
  crossfit: { low: 5, moderate: 8, high: 11 },
  hiking: { low: 5.3, moderate: 6, high: 7.8 },
  walking: { low: 2.8, moderate: 3.5, high: 5 },
};

export const DEFAULT_CONFIG: AppConfig = {
  maxDurationMinutes: 1440,
  workoutTypes: DEFAULT_WORKOUT_TYPES,
};

/** Weight used by the calorie estimate when the user has none on record. */
export const DEFAULT_WEIGHT_KG = 70;

const TYPE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Checks a maximum duration given as text (environment or SSM). */
export function parseMaxDuration(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 24 * 60) {
    throw new ConfigError(`maximum duration must be a number of minutes in (0, 1440], got "${text}"`);
  }
  return value;
}

/**
 * Checks a MET table given as JSON: `{ "running": { "low": 6, "moderate": 9.8, "high": 11.5 } }`.
 * A JSON array of names (the reference design's "supported types" parameter) is accepted too:
 * names found in the defaults keep their MET values; unknown names are an error, since they
 * would have no calorie estimate.
 */
export function parseWorkoutTypes(text: string): Record<string, MetValues> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError('workout types must be JSON');
  }
  if (Array.isArray(raw)) {
    const table: Record<string, MetValues> = {};
    for (const name of raw) {
      const met = typeof name === 'string' ? DEFAULT_WORKOUT_TYPES[name] : undefined;
      if (!met) throw new ConfigError(`workout type ${JSON.stringify(name)} has no default MET values`);
      table[name as string] = met;
    }
    return checkTable(table);
  }
  if (raw === null || typeof raw !== 'object') throw new ConfigError('workout types must be a JSON object');
  return checkTable(raw as Record<string, unknown>);
}

function checkTable(table: Record<string, unknown>): Record<string, MetValues> {
  const names = Object.keys(table);
  if (names.length === 0 || names.length > 50) throw new ConfigError('there must be 1 to 50 workout types');
  const out: Record<string, MetValues> = {};
  for (const name of names) {
    if (!TYPE_NAME.test(name))
      throw new ConfigError(`workout type name "${name}" is not a lowercase identifier`);
    const met = table[name] as Record<string, unknown> | null;
    if (met === null || typeof met !== 'object')
      throw new ConfigError(`MET values of "${name}" must be an object`);
    const values = {} as MetValues;
    for (const intensity of INTENSITIES) {
      const v = met[intensity];
      if (typeof v !== 'number' || !(v > 0 && v <= 30)) {
        throw new ConfigError(`MET "${name}.${intensity}" must be a number in (0, 30]`);
      }
      values[intensity] = v;
    }
    out[name] = values;
  }
  return out;
}

/** The configuration's parameter values as text (where they are stored: src/config/ssm.ts). */
export type ConfigParameters = Partial<Record<'maxDurationMinutes' | 'supportedTypes' | 'metTable', string>>;

/**
 * Configuration from parameter values: the supported types are a comma-separated list, each of
 * which must have MET values in the MET table (JSON) or in the defaults. A missing parameter
 * keeps its default.
 */
export function configFromParameters(values: ConfigParameters): AppConfig {
  const maxDurationMinutes = values.maxDurationMinutes
    ? parseMaxDuration(values.maxDurationMinutes)
    : DEFAULT_CONFIG.maxDurationMinutes;
  const metTable = values.metTable ? parseWorkoutTypes(values.metTable) : DEFAULT_WORKOUT_TYPES;
  if (!values.supportedTypes) return { maxDurationMinutes, workoutTypes: metTable };
  const workoutTypes: Record<string, MetValues> = {};
  for (const name of values.supportedTypes
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const met = metTable[name] ?? DEFAULT_WORKOUT_TYPES[name];
    if (!met) throw new ConfigError(`supported type "${name}" has no MET values in the MET table`);
    workoutTypes[name] = met;
  }
  return { maxDurationMinutes, workoutTypes: checkTable(workoutTypes) };
}
