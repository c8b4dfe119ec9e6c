/**
 * Request schemas: the single source of truth for what the API accepts. The same objects validate
 * requests (src/http) and generate the OpenAPI document (src/http/openapi.ts). Schemas that
 * depend on configuration (workout types, maximum duration) are built per configuration. Every
 * failed rule carries a stable field error `code` (see FIELD_CODES) beside its message.
 */
import * as v from 'valibot';
import { INTENSITIES, type AppConfig } from './config.ts';
import { decimalPlaces, roundTo } from './numbers.ts';
import { canonicalTimeZone, GRANULARITIES, parseDate, parseDateTime } from './time.ts';
import type { WorkoutInput, WorkoutPatch } from './workout.ts';
import type { ProfileInput, ProfilePatch } from './profile.ts';

/** Field error codes: stable, machine-readable; README and the OpenAPI document list them. */
export const FIELD_CODES = [
  'required',
  'unknown_field',
  'invalid_type',
  'invalid_format',
  'invalid_value',
  'too_small',
  'too_big',
  'not_integer',
  'too_many_decimals',
  'repeated',
  'read_only',
  'invalid_range',
  'invalid_cursor',
] as const;
export type FieldCode = (typeof FIELD_CODES)[number];

export interface FieldError {
  path: string;
  code: FieldCode;
  message: string;
}

/** Codes of custom checks, found by the check's function when it fails. */
const checkCodes = new Map<unknown, FieldCode>();
function check<T>(requirement: (input: T) => boolean, message: string, code: FieldCode) {
  checkCodes.set(requirement, code);
  return v.check(requirement, message);
}

const USER_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
/** Path-like ids a URL cannot carry (`.`, `..`) and the caller's alias `me`. */
const RESERVED_USER_IDS = new Set(['.', '..', 'me']);
export const USER_ID_MESSAGE = 'must be 1-128 letters, digits, "-", "_" or ".", and not ".", ".." or "me"';
export const isUserId = (s: string) => USER_ID_PATTERN.test(s) && !RESERVED_USER_IDS.has(s);
export const WORKOUT_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const WORKOUT_ID_MESSAGE = 'must be 1-64 letters, digits, "-" or "_"';
const FUTURE_SLACK_MS = 24 * 3_600_000;

export const userId = v.pipe(
  v.string('must be a string'),
  v.regex(USER_ID_PATTERN, USER_ID_MESSAGE),
  check((s: string) => !RESERVED_USER_IDS.has(s), USER_ID_MESSAGE, 'invalid_format'),
  v.description('User id: 1-128 letters, digits, "-", "_" or "."; not ".", ".." or "me".'),
);
const workoutId = v.pipe(v.string('must be a string'), v.regex(WORKOUT_ID, WORKOUT_ID_MESSAGE));

/** A number in [min, max] (or (min, max] when `above`) with at most `digits` decimals, so sums are exact. */
function decimal(opts: { min: number; max: number; digits: number; above?: boolean }) {
  return v.pipe(
    v.number('must be a number'),
    opts.above
      ? v.gtValue(opts.min, `must be greater than ${opts.min}`)
      : v.minValue(opts.min, `must be at least ${opts.min}`),
    v.maxValue(opts.max, `must be at most ${opts.max}`),
    check(
      (n: number) => decimalPlaces(n) <= opts.digits,
      `must have at most ${opts.digits} decimal places`,
      'too_many_decimals',
    ),
  );
}

function integer(min: number, max: number) {
  return v.pipe(
    v.number('must be a number'),
    v.integer('must be an integer'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}

const startedAt = v.pipe(
  v.string('must be a string'),
  check(
    (s: string) => parseDateTime(s) !== null,
    'must be an RFC 3339 date-time with Z or an offset',
    'invalid_format',
  ),
  check((s: string) => (parseDateTime(s) ?? 0) >= 0, 'must not be before 1970', 'too_small'),
  check(
    (s: string) => (parseDateTime(s) ?? 0) <= Date.now() + FUTURE_SLACK_MS,
    'must not be more than 24 hours ahead',
    'too_big',
  ),
  v.description('RFC 3339 date-time with Z or an offset; not before 1970, at most 24 h ahead.'),
);

/** Text a person wrote: well-formed Unicode (a lone surrogate cannot be stored as UTF-8). */
const text = () =>
  v.pipe(
    v.string('must be a string'),
    check((s: string) => s.isWellFormed(), 'must be valid Unicode text', 'invalid_format'),
  );

const notes = v.pipe(text(), v.maxLength(1000, 'must be at most 1000 characters'));
const intensity = v.picklist(INTENSITIES, `must be one of: ${INTENSITIES.join(', ')}`);
const avgHeartRate = integer(25, 250);

const displayName = v.pipe(
  text(),
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(100, 'must be at most 100 characters'),
);
const weightKg = decimal({ min: 20, max: 400, digits: 2 });
const timezone = v.pipe(
  v.string('must be a string'),
  check(
    (s: string) => canonicalTimeZone(s) !== null,
    'must be an IANA time zone name, such as Europe/Lisbon',
    'invalid_value',
  ),
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

/** A `from`/`to` bound: a date-time (an instant), or a date (a workout's local date). */
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
  check(
    (s: string) => boundUtcMs(s) !== null,
    'must be an RFC 3339 date-time or a YYYY-MM-DD date',
    'invalid_format',
  ),
  check(boundInRange, 'must be between 1900 and 9998', 'invalid_range'),
);
const cursor = v.pipe(v.string('must be a string'), v.maxLength(1024, 'is not a valid cursor'));
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

export const changesQuerySchema = v.strictObject(
  { userId: v.optional(userId), since: v.optional(cursor), limit: v.optional(limit, '100') },
  'must be an object',
);

export const exportQuerySchema = v.strictObject({ cursor: v.optional(cursor) }, 'must be an object');

/** The batch envelope; each item is then validated as a single POST's body. */
export const batchSchema = v.strictObject(
  {
    workouts: v.pipe(
      v.array(v.unknown(), 'must be an array'),
      v.minLength(1, 'must hold at least 1 workout'),
      v.maxLength(100, 'must hold at most 100 workouts'),
    ),
  },
  'must be an object',
);

function typeOf(config: AppConfig) {
  const types = Object.keys(config.workoutTypes);
  return v.picklist(types, `must be one of: ${types.join(', ')}`);
}

function durations(config: AppConfig) {
  return {
    durationMinutes: decimal({ min: 0, max: config.maxDurationMinutes, digits: 2, above: true }),
    durationSeconds: integer(1, config.maxDurationMinutes * 60),
  };
}

function buildCreate(config: AppConfig) {
  const d = durations(config);
  return v.strictObject(
    {
      workoutId: v.optional(workoutId),
      userId: v.optional(userId),
      workoutType: typeOf(config),
      startedAt,
      timezone: v.optional(timezone),
      durationMinutes: v.optional(d.durationMinutes),
      durationSeconds: v.optional(d.durationSeconds),
      caloriesBurned: v.optional(decimal({ min: 0, max: 20000, digits: 2 })),
      distanceKm: v.optional(decimal({ min: 0, max: 1000, digits: 3 })),
      intensity: v.optional(intensity, 'moderate'),
      avgHeartRate: v.optional(avgHeartRate),
      notes: v.optional(notes),
    },
    'must be an object',
  );
}

/** Any field but workoutId and userId; `null` clears an optional field (calories: re-estimate). */
function buildPatch(config: AppConfig) {
  const d = durations(config);
  return v.strictObject(
    {
      workoutType: v.optional(typeOf(config)),
      startedAt: v.optional(startedAt),
      timezone: v.optional(v.nullable(timezone)),
      durationMinutes: v.optional(d.durationMinutes),
      durationSeconds: v.optional(d.durationSeconds),
      caloriesBurned: v.optional(v.nullable(decimal({ min: 0, max: 20000, digits: 2 }))),
      distanceKm: v.optional(v.nullable(decimal({ min: 0, max: 1000, digits: 3 }))),
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

export interface WorkoutSchemas {
  create: ReturnType<typeof buildCreate>;
  patch: ReturnType<typeof buildPatch>;
  listQuery: ReturnType<typeof buildListQuery>;
}

// The schemas' outputs are the domain's input shapes: a drift fails to compile here.
type Conforms<A extends B, B> = A;
export type CreateWorkoutInput = Conforms<
  v.InferOutput<WorkoutSchemas['create']>,
  WorkoutInput & { userId?: string }
>;
export type PatchWorkoutInput = Conforms<v.InferOutput<WorkoutSchemas['patch']>, WorkoutPatch>;
export type CreateUserOutput = Conforms<CreateUserInput, ProfileInput & { userId?: string }>;
export type PatchUserInput = Conforms<v.InferOutput<typeof patchUserSchema>, ProfilePatch>;

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

/**
 * The duration rule JSON Schema cannot state per field: a workout has durationMinutes or
 * durationSeconds (a create needs one), and when both are sent they must agree.
 */
function durationErrors(input: Record<string, unknown>, required: boolean): FieldError[] {
  const minutes = input.durationMinutes;
  const seconds = input.durationSeconds;
  if (minutes === undefined && seconds === undefined) {
    return required
      ? [{ path: 'durationMinutes', code: 'required', message: 'is required (or send durationSeconds)' }]
      : [];
  }
  if (typeof minutes === 'number' && typeof seconds === 'number' && roundTo(seconds / 60, 2) !== minutes) {
    return [{ path: 'durationMinutes', code: 'invalid_value', message: 'must equal durationSeconds / 60' }];
  }
  return [];
}

type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Validation result in the API's shape: every invalid field named by its path, with a code. */
export function validate<S extends v.GenericSchema>(schema: S, input: unknown): Result<v.InferOutput<S>> {
  const r = v.safeParse(schema, input);
  if (r.success) return { ok: true, value: r.output };
  return { ok: false, errors: r.issues.map(fieldError) };
}

/** Validates a workout to log (a POST body or one batch item). */
export function validateWorkout(config: AppConfig, input: unknown): Result<CreateWorkoutInput> {
  const r = validate(workoutSchemas(config).create, input);
  const extra = isObject(input) ? durationErrors(input, true) : [];
  if (r.ok && extra.length === 0) return r;
  return { ok: false, errors: [...(r.ok ? [] : r.errors), ...extra] };
}

/** Validates a workout patch. */
export function validatePatch(config: AppConfig, input: unknown): Result<PatchWorkoutInput> {
  const r = validate(workoutSchemas(config).patch, input);
  const extra = isObject(input) ? durationErrors(input, false) : [];
  if (r.ok && extra.length === 0) return r;
  return { ok: false, errors: [...(r.ok ? [] : r.errors), ...extra] };
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x);

const ISSUE_CODES: Record<string, FieldCode> = {
  min_value: 'too_small',
  gt_value: 'too_small',
  min_length: 'too_small',
  max_value: 'too_big',
  max_length: 'too_big',
  integer: 'not_integer',
  picklist: 'invalid_value',
  regex: 'invalid_format',
};

function fieldError(i: v.BaseIssue<unknown>): FieldError {
  const path = i.path?.map((p) => String(p.key)).join('.') ?? '';
  if (i.type === 'strict_object' && i.expected === 'never')
    return { path, code: 'unknown_field', message: 'is not a known field' };
  // JSON has no undefined: a value received as undefined was not sent.
  if (i.received === 'undefined') return { path, code: 'required', message: 'is required' };
  const code =
    i.type === 'check'
      ? (checkCodes.get(i.requirement) ?? 'invalid_value')
      : (ISSUE_CODES[i.type] ?? (i.kind === 'schema' ? 'invalid_type' : 'invalid_value'));
  return { path, code, message: i.message };
}
