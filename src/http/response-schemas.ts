/**
 * JSON Schemas (2020-12) of what the API answers: the other half of the OpenAPI document (the
 * request half is generated from src/domain/schemas.ts). Closed objects (no additional
 * properties), so the suite's response check (test/support/openapi-check.ts) fails on any field
 * the document does not describe. Stored values are described by type and sign, not by today's
 * configuration: a workout logged under an older type list or duration limit still reads back.
 */
import { FIELD_CODES } from '../domain/schemas.ts';

type Json = Record<string, unknown>;

/** Problem codes by status (RFC 9457 `code` extension): clients branch on these. */
export const PROBLEM_CODES_BY_STATUS = {
  400: ['malformed_body', 'invalid_fields'],
  401: ['unauthenticated'],
  403: ['forbidden'],
  404: ['route_not_found', 'user_not_found', 'workout_not_found'],
  409: ['user_exists', 'workout_conflict'],
  410: ['since_expired'],
  412: ['precondition_failed'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
  429: ['rate_limited'],
  500: ['internal_error'],
  503: ['database_unavailable'],
  /** On AWS only: API Gateway's own answer when the function takes longer than its 29 s limit. */
  504: ['internal_error'],
} as const;

export type ProblemStatus = keyof typeof PROBLEM_CODES_BY_STATUS;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const closed = (properties: Record<string, Json>, required: string[], description?: string): Json => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties,
  required,
  additionalProperties: false,
});

const dateTime = { type: 'string', format: 'date-time' };
const date = { type: 'string', format: 'date', description: 'A local date, YYYY-MM-DD.' };
const nonNegative = { type: 'number', minimum: 0 };
const count = { type: 'integer', minimum: 0 };
/** Whole seconds when a workout was sent in seconds; minutes × 60 (0.1 s steps) when sent in minutes. */
const seconds = {
  type: 'number',
  minimum: 0,
  description: 'Whole when sent as durationSeconds; durationMinutes × 60 (to 0.1 s) when sent in minutes.',
};

const totals = {
  count,
  durationMinutes: nonNegative,
  durationSeconds: seconds,
  caloriesBurned: nonNegative,
  distanceKm: nonNegative,
};

export const responseSchemas: Record<string, Json> = {
  OpenApiDocument: {
    type: 'object',
    description: 'An OpenAPI 3.1 document (this one).',
    properties: { openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } },
    required: ['openapi', 'info', 'paths'],
  },
  Html: { type: 'string', description: 'An HTML page.' },
  Health: closed({ status: { const: 'ok' } }, ['status']),
  WorkoutTypes: closed(
    {
      items: {
        type: 'array',
        items: closed(
          {
            workoutType: { type: 'string' },
            met: closed({ low: nonNegative, moderate: nonNegative, high: nonNegative }, [
              'low',
              'moderate',
              'high',
            ]),
          },
          ['workoutType', 'met'],
        ),
      },
    },
    ['items'],
  ),
  Profile: closed(
    {
      userId: { type: 'string' },
      displayName: { type: 'string' },
      weightKg: nonNegative,
      timezone: { type: 'string', description: 'IANA time zone name.' },
      createdAt: dateTime,
      updatedAt: dateTime,
    },
    ['userId', 'displayName', 'timezone', 'createdAt', 'updatedAt'],
  ),
  Workout: closed(
    {
      userId: { type: 'string' },
      workoutId: { type: 'string' },
      workoutType: { type: 'string' },
      startedAt: dateTime,
      timezone: { type: 'string', description: 'IANA zone where the workout happened, when given.' },
      localDate: {
        ...date,
        description:
          'The local day of the workout, fixed when it was logged (day/week/month buckets use it).',
      },
      durationMinutes: { type: 'number', exclusiveMinimum: 0 },
      durationSeconds: { type: 'number', exclusiveMinimum: 0, description: seconds.description },
      caloriesBurned: nonNegative,
      caloriesEstimated: { type: 'boolean', description: 'True when caloriesBurned is the MET estimate.' },
      distanceKm: nonNegative,
      intensity: { enum: ['low', 'moderate', 'high'] },
      avgHeartRate: { type: 'integer' },
      notes: { type: 'string' },
      createdAt: dateTime,
      updatedAt: dateTime,
    },
    [
      'userId',
      'workoutId',
      'workoutType',
      'startedAt',
      'localDate',
      'durationMinutes',
      'durationSeconds',
      'caloriesBurned',
      'caloriesEstimated',
      'intensity',
      'createdAt',
      'updatedAt',
    ],
  ),
  WorkoutPage: closed(
    {
      items: { type: 'array', items: ref('Workout') },
      nextCursor: {
        type: ['string', 'null'],
        description: 'Pass as `cursor` for the next page; null on the last page.',
      },
    },
    ['items', 'nextCursor'],
  ),
  TypeTotals: closed(totals, Object.keys(totals)),
  Stats: closed(
    {
      userId: { type: 'string' },
      totalWorkouts: count,
      totalDurationMinutes: nonNegative,
      totalDurationSeconds: seconds,
      totalCaloriesBurned: nonNegative,
      totalDistanceKm: nonNegative,
      averageDurationMinutes: nonNegative,
      averageCaloriesBurned: nonNegative,
      workoutTypeBreakdown: {
        type: 'object',
        description: 'Totals per workout type (types with no workouts are left out).',
        additionalProperties: ref('TypeTotals'),
      },
      recentWorkouts: { type: 'array', maxItems: 10, items: ref('Workout'), description: 'The 10 newest.' },
    },
    [
      'userId',
      'totalWorkouts',
      'totalDurationMinutes',
      'totalDurationSeconds',
      'totalCaloriesBurned',
      'totalDistanceKm',
      'averageDurationMinutes',
      'averageCaloriesBurned',
      'workoutTypeBreakdown',
      'recentWorkouts',
    ],
  ),
  Bucket: closed(
    {
      start: { ...date, description: 'First local date of the day, ISO week (Monday) or month.' },
      ...totals,
    },
    ['start', ...Object.keys(totals)],
  ),
  Timeseries: closed(
    {
      userId: { type: 'string' },
      granularity: { enum: ['day', 'week', 'month'] },
      timezone: { type: 'string', description: "The user's zone the bounds were read in." },
      from: { ...date, description: 'First local date covered (inclusive).' },
      to: { ...date, description: 'Local date the series ends before (exclusive).' },
      buckets: {
        type: 'array',
        items: ref('Bucket'),
        description: 'Oldest first; empty buckets are left out.',
      },
    },
    ['userId', 'granularity', 'timezone', 'from', 'to', 'buckets'],
  ),
  BatchItemError: closed(
    {
      code: { enum: [...PROBLEM_CODES_BY_STATUS[400], ...PROBLEM_CODES_BY_STATUS[409]] },
      detail: { type: 'string' },
      errors: { type: 'array', items: ref('FieldError'), description: 'Every invalid field (a 400).' },
    },
    ['code', 'detail'],
    "Why one workout of a batch was not stored (the item's status says 400 or 409).",
  ),
  BatchResult: {
    oneOf: [
      closed(
        {
          index: count,
          status: { enum: [200, 201], description: '201 logged; 200 a replay of a stored workout.' },
          workout: ref('Workout'),
        },
        ['index', 'status', 'workout'],
      ),
      closed(
        {
          index: count,
          status: {
            enum: [400, 409],
            description: '400 invalid; 409 the workoutId exists with other content.',
          },
          error: ref('BatchItemError'),
        },
        ['index', 'status', 'error'],
      ),
    ],
  },
  BatchResults: closed(
    {
      results: {
        type: 'array',
        items: ref('BatchResult'),
        description: 'One per workout sent, in request order.',
      },
    },
    ['results'],
  ),
  Tombstone: closed(
    { workoutId: { type: 'string' }, deleted: { const: true }, deletedAt: dateTime },
    ['workoutId', 'deleted', 'deletedAt'],
    'A deleted workout.',
  ),
  Changes: closed(
    {
      items: {
        type: 'array',
        items: { oneOf: [ref('Workout'), ref('Tombstone')] },
        description: 'In the order the changes happened: the current workout, or a tombstone.',
      },
      nextSince: { type: 'string', description: 'Pass as `since` to continue.' },
      hasMore: { type: 'boolean', description: 'False once the client is up to date.' },
    },
    ['items', 'nextSince', 'hasMore'],
  ),
  ExportLine: {
    description:
      'One line of an export: the first line of the first page is the profile (null when none), ' +
      'every other line a workout, oldest first.',
    oneOf: [
      closed({ profile: { oneOf: [ref('Profile'), { type: 'null' }] } }, ['profile']),
      closed({ workout: ref('Workout') }, ['workout']),
    ],
  },
  FieldError: closed(
    {
      path: { type: 'string', description: 'Dotted path of the field ("" for the body itself).' },
      code: { enum: [...FIELD_CODES] },
      message: { type: 'string' },
    },
    ['path', 'code', 'message'],
  ),
  Problem: closed(
    {
      type: { const: 'about:blank' },
      title: { type: 'string' },
      status: { type: 'integer', enum: Object.keys(PROBLEM_CODES_BY_STATUS).map(Number) },
      code: { enum: [...new Set(Object.values(PROBLEM_CODES_BY_STATUS).flat())] },
      detail: { type: 'string' },
      errors: { type: 'array', items: ref('FieldError'), description: 'Every invalid field (400 only).' },
      requestId: {
        type: 'string',
        description: 'Present on errors that API Gateway answers itself (throttling, a rejected token).',
      },
    },
    ['type', 'title', 'status', 'code', 'detail'],
    'RFC 9457 problem details; `code` is stable and machine-readable.',
  ),
};
