/**
 * The OpenAPI 3.1 document, generated from the schemas that validate requests (so the two
 * cannot drift). Rules that JSON Schema cannot say (RFC 3339 parsing, decimal places, zone
 * names) are kept in the schemas' messages and described here in words.
 */
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import type { AppConfig } from '../domain/config.ts';
import {
  createUserSchema,
  patchUserSchema,
  statsQuerySchema,
  timeseriesQuerySchema,
  userQuerySchema,
  workoutSchemas,
} from '../domain/schemas.ts';

type Json = Record<string, unknown>;

function schema(s: v.GenericSchema): Json {
  const out = toJsonSchema(s, { errorMode: 'ignore', target: 'openapi-3.0' } as never) as Json;
  delete out.$schema;
  return out;
}

/** Query parameters from an object schema's properties. */
function queryParams(s: v.GenericSchema): Json[] {
  const js = schema(s) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, p]) => ({
    name,
    in: 'query',
    required: js.required?.includes(name) ?? false,
    schema: p,
  }));
}

const problem = { $ref: '#/components/responses/Problem' };
const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [String(code), problem]));
const ok = (description: string, ref?: string) => ({
  description,
  ...(ref ? { content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } } : {}),
});
const body = (ref: string) => ({
  required: true,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

export function openApiDocument(config: AppConfig): Json {
  const w = workoutSchemas(config);
  const common = errors(400, 401, 403, 500, 503);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Workout log API',
      version: '1.0.0',
      description:
        'Logs workouts and keeps exact statistics. Errors are application/problem+json (RFC 9457). ' +
        'Measured numbers allow 2 decimals (distanceKm: 3), so sums are exact.',
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        CreateUser: schema(createUserSchema),
        PatchUser: schema(patchUserSchema),
        CreateWorkout: schema(w.create),
        PatchWorkout: schema(w.patch),
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
      responses: {
        Problem: {
          description: 'An error',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    },
    paths: {
      '/health': {
        get: { security: [], summary: 'Readiness', responses: { 200: ok('Ready'), 503: problem } },
      },
      '/openapi.json': {
        get: { security: [], summary: 'This document', responses: { 200: ok('OpenAPI 3.1') } },
      },
      '/workout-types': {
        get: {
          security: [],
          summary: 'Supported workout types and MET values',
          responses: { 200: ok('Types') },
        },
      },
      '/users': {
        post: {
          summary: "Create the caller's profile (an admin may name userId)",
          requestBody: body('CreateUser'),
          responses: { 201: ok('Created'), ...common, ...errors(409, 413, 415) },
        },
      },
      '/users/{userId}': {
        parameters: [pathParam('userId')],
        get: { summary: 'Read a profile', responses: { 200: ok('Profile'), ...common, ...errors(404) } },
        patch: {
          summary: 'Update a profile',
          requestBody: body('PatchUser'),
          responses: { 200: ok('Profile'), ...common, ...errors(404, 413, 415) },
        },
        delete: {
          summary: 'Erase the user: profile, workouts and statistics',
          responses: { 204: ok('Erased'), ...common, ...errors(404) },
        },
      },
      '/workouts': {
        post: {
          summary: 'Log a workout; the same workoutId and content again is a safe retry (200)',
          requestBody: body('CreateWorkout'),
          responses: { 201: ok('Logged'), 200: ok('Replayed'), ...common, ...errors(409, 413, 415) },
        },
        get: {
          summary: 'List workouts, newest first',
          parameters: queryParams(w.listQuery),
          responses: { 200: ok('A page: { items, nextCursor }'), ...common },
        },
      },
      '/workouts/{workoutId}': {
        parameters: [pathParam('workoutId'), ...queryParams(userQuerySchema)],
        get: { summary: 'Read a workout', responses: { 200: ok('Workout'), ...common, ...errors(404) } },
        patch: {
          summary: 'Update a workout; statistics follow',
          requestBody: body('PatchWorkout'),
          responses: { 200: ok('Workout'), ...common, ...errors(404, 413, 415) },
        },
        delete: { summary: 'Delete a workout', responses: { 204: ok('Deleted'), ...common, ...errors(404) } },
      },
      '/stats/{userId}': {
        parameters: [pathParam('userId'), ...queryParams(statsQuerySchema)],
        get: {
          summary: 'Totals, averages, per-type breakdown and the 10 newest',
          responses: { 200: ok('Stats'), ...common },
        },
      },
      '/stats/{userId}/timeseries': {
        parameters: [pathParam('userId'), ...queryParams(timeseriesQuerySchema)],
        get: {
          summary: "Buckets by day, ISO week or month in the user's zone",
          responses: { 200: ok('Series'), ...common },
        },
      },
    },
  };
}
