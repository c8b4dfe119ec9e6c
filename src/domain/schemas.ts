/**
 * Request schemas: the single source of truth for what the API accepts. The same objects validate
 * requests (src/http) and generate the OpenAPI document (src/http/openapi.ts). Schemas that
 * depend on configuration (workout types, maximum duration) are built per configuration.
 */
import * as v from 'valibot';
import { INTENSITIES, type AppConfig } from './config.ts';
import { decimalPlaces } from './numbers.ts';
import { GRANULARITIES } from './stats.ts';
import { canonicalTimeZone, parseDate, parseDateTime } from './time.ts';

export const USER_ID = /^[A-Za-z0-9._-]{1,128}$/;
export const WORKOUT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const FUTURE_SLACK_MS = 24 * 3_600_000;

const userId = v.pipe(
  v.string('must be a string'),
  v.regex(USER_ID, 'must be 1-128 letters, digits, "-", "_" or "."'),
  v.description('User id: 1-128 letters, digits, "-", "_" or ".".'),
);
const workoutId = v.pipe(
  v.string('must be a string'),
  v.regex(WORKOUT_ID, 'must be 1-64 letters, digits, "-" or "_"'),
);

/** A number in [min, max] with at most `digits` decimals (so sums are exact, see numbers.ts). */
function measure(min: number, max: number, digits: number, exclusiveMin = false) {
  return v.pipe(
    v.number('must be a number'),
    exclusiveMin ? v.gtValue(min, `must be greater than ${min}`) : v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
    v.check((n) => decimalPlaces(n) <= digits, `must have at most ${digits} decimal places`),
  );
}

const startedAt = v.pipe(
  v.string('must be a string'),
  v.check((s) => parseDateTime(s) !== null, 'must be an RFC 3339 date-time with Z or an offset'),
  v.check((s) => (parseDateTime(s) ?? 0) >= 0, 'must not be before 1970'),
  v.check(
    (s) => (parseDateTime(s) ?? 0) <= Date.now() + FUTURE_SLACK_MS,
    'must not be more than 24 hours ahead',
  ),
  v.description('RFC 3339 date-time with Z or an offset.'),
);

/** Text a person wrote: well-formed Unicode (a lone surrogate cannot be stored as UTF-8). */
const text = () =>
  v.pipe(
    v.string('must be a string'),
    v.check((s) => s.isWellFormed(), 'must be valid Unicode text'),
  );

const notes = v.pipe(text(), v.maxLength(1000, 'must be at most 1000 characters'));
const intensity = v.picklist(INTENSITIES, `must be one of: ${INTENSITIES.join(', ')}`);
const avgHeartRate = v.pipe(
  v.number('must be a number'),
  v.integer('must be an integer'),
  v.minValue(25, 'must be at least 25'),
  v.maxValue(250, 'must be at most 250'),
);

const displayName = v.pipe(
  text(),
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(100, 'must be at most 100 characters'),
);
const weightKg = measure(20, 400, 2);
const timezone = v.pipe(
  v.string('must be a string'),
  v.check((s) => canonicalTimeZone(s) !== null, 'must be an IANA time zone name, such as Europe/Lisbon'),
  v.transform((s) => canonicalTimeZone(s) as string),
);

export const createUserSchema = v.strictObject(
  {
    userId: v.optional(userId),
    displayName,
    weightKg: v.optional(weightKg),
    timezone: v.optional(timezone, 'UTC'),
  },
  'must be an object',
);
export type CreateUserInput = v.InferOutput<typeof createUserSchema>;

export const patchUserSchema = v.strictObject(
  {
    displayName: v.optional(displayName),
    weightKg: v.optional(v.nullable(weightKg)),
    timezone: v.optional(timezone),
  },
  'must be an object',
);
export type PatchUserInput = v.InferOutput<typeof patchUserSchema>;

/** A `from`/`to` bound: a date-time, or a date meaning local midnight in the user's zone. */
const BOUND_MIN = Date.UTC(1900, 0, 1);
const BOUND_MAX = Date.UTC(9998, 11, 31);
/** The bound as a UTC instant (a date as UTC midnight, close enough for a range check), or null. */
const boundUtcMs = (s: string) => parseDateTime(s) ?? (parseDate(s) ? Date.parse(`${s}T00:00:00Z`) : null);
/** Keeps keys and dates four-digit years: far past and far future are refused, not mis-sorted. */
const boundInRange = (s: string) => {
  const ms = boundUtcMs(s);
  return ms === null || (ms >= BOUND_MIN && ms <= BOUND_MAX); // null: the format check reports it
};
const bound = v.pipe(
  v.string('must be a string'),
  v.check((s) => boundUtcMs(s) !== null, 'must be an RFC 3339 date-time or a YYYY-MM-DD date'),
  v.check(boundInRange, 'must be between 1900 and 9998'),
);
const cursor = v.pipe(v.string('must be a string'), v.maxLength(512, 'is not a valid cursor'));
const limit = v.pipe(
  v.string(),
  v.regex(/^\d{1,3}$/, 'must be an integer from 1 to 100'),
  v.transform(Number),
  v.number(),
  v.minValue(1, 'must be an integer from 1 to 100'),
  v.maxValue(100, 'must be an integer from 1 to 100'),
);

export const userQuerySchema = v.strictObject({ userId: v.optional(userId) }, 'must be an object');

export const statsQuerySchema = v.strictObject(
  { from: v.optional(bound), to: v.optional(bound) },
  'must be an object',
);

export const timeseriesQuerySchema = v.strictObject(
  {
    granularity: v.optional(v.picklist(GRANULARITIES, `must be one of: ${GRANULARITIES.join(', ')}`), 'day'),
    from: v.optional(bound),
    to: v.optional(bound),
  },
  'must be an object',
);

export interface WorkoutSchemas {
  create: ReturnType<typeof buildCreate>;
  patch: ReturnType<typeof buildPatch>;
  listQuery: ReturnType<typeof buildListQuery>;
}

function typeOf(config: AppConfig) {
  const types = Object.keys(config.workoutTypes);
  return v.picklist(types, `must be one of: ${types.join(', ')}`);
}

function buildCreate(config: AppConfig) {
  return v.strictObject(
    {
      workoutId: v.optional(workoutId),
      userId: v.optional(userId),
      workoutType: typeOf(config),
      startedAt,
      durationMinutes: measure(0, config.maxDurationMinutes, 2, true),
      caloriesBurned: v.optional(measure(0, 20000, 2)),
      distanceKm: v.optional(measure(0, 1000, 3)),
      intensity: v.optional(intensity, 'moderate'),
      avgHeartRate: v.optional(avgHeartRate),
      notes: v.optional(notes),
    },
    'must be an object',
  );
}

/** Any field but workoutId and userId; `null` clears an optional field (calories: re-estimate). */
function buildPatch(config: AppConfig) {
  return v.strictObject(
    {
      workoutType: v.optional(typeOf(config)),
      startedAt: v.optional(startedAt),
      durationMinutes: v.optional(measure(0, config.maxDurationMinutes, 2, true)),
      caloriesBurned: v.optional(v.nullable(measure(0, 20000, 2))),
      distanceKm: v.optional(v.nullable(measure(0, 1000, 3))),
      intensity: v.optional(intensity),
      avgHeartRate: v.optional(v.nullable(avgHeartRate)),
      notes: v.optional(v.nullable(notes)),
    },
    'must be an object',
  );
}

function buildListQuery(config: AppConfig) {
  return v.strictObject(
    {
      userId: v.optional(userId),
      workoutType: v.optional(typeOf(config)),
      from: v.optional(bound),
      to: v.optional(bound),
      limit: v.optional(limit, '20'),
      cursor: v.optional(cursor),
    },
    'must be an object',
  );
}

export type CreateWorkoutInput = v.InferOutput<ReturnType<typeof buildCreate>>;
export type PatchWorkoutInput = v.InferOutput<ReturnType<typeof buildPatch>>;

const cache = new WeakMap<AppConfig, WorkoutSchemas>();

/** Schemas for one configuration, built once per configuration object. */
export function workoutSchemas(config: AppConfig): WorkoutSchemas {
  let s = cache.get(config);
  if (!s) {
    s = { create: buildCreate(config), patch: buildPatch(config), listQuery: buildListQuery(config) };
    cache.set(config, s);
  }
  return s;
}

export interface FieldError {
  path: string;
  message: string;
}

/** Validation result in the API's shape: every invalid field named by its path. */
export function validate<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
): { ok: true; value: v.InferOutput<S> } | { ok: false; errors: FieldError[] } {
  const r = v.safeParse(schema, input);
  if (r.success) return { ok: true, value: r.output };
  const errors = r.issues.map((i) => ({
    path: i.path?.map((p) => String(p.key)).join('.') ?? '',
    message:
      i.type === 'strict_object' && i.expected === 'never'
        ? 'is not a known field'
        : i.received === 'undefined' && i.expected?.startsWith('"')
          ? 'is required'
          : i.message,
  }));
  return { ok: false, errors };
}
