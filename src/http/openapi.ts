/**
 * The OpenAPI 3.1 document (JSON Schema 2020-12). Request bodies and query parameters are
 * generated from the schemas that validate requests (src/domain/schemas.ts), so the two cannot
 * drift; responses are described in ./response-schemas.ts, and the suite checks every response it
 * receives against this document (test/support/openapi-check.ts). A rule JSON Schema cannot
 * state (zone names, "not in the future") is written into the field's description from the
 * schema's own message.
 */
import { toJsonSchema, type ConversionConfig } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import type { AppConfig } from '../domain/config.ts';
import {
  batchSchema,
  changesQuerySchema,
  createUserSchema,
  exportQuerySchema,
  patchUserSchema,
  statsQuerySchema,
  timeseriesQuerySchema,
  userId,
  userQuerySchema,
  WORKOUT_ID,
  workoutSchemas,
} from '../domain/schemas.ts';
import { PROBLEM_CODES_BY_STATUS, responseSchemas, type ProblemStatus } from './response-schemas.ts';

type Json = Record<string, unknown>;

/** Checks whose message names a JSON Schema rule; any other check's message becomes description. */
const CHECK_RULES: [RegExp, (m: RegExpExecArray) => Json][] = [
  [
    /RFC 3339 date-time or a YYYY-MM-DD date/,
    () => ({
      anyOf: [
        { type: 'string', format: 'date-time' },
        { type: 'string', format: 'date' },
      ],
    }),
  ],
  [/RFC 3339 date-time/, () => ({ format: 'date-time' })],
  [/at most (\d+) decimal places/, (m) => ({ multipleOf: 10 ** -Number(m[1]) })],
  [/not "\.", "\.\." or "me"/, () => ({ not: { enum: ['.', '..', 'me'] } })],
];
const RULES_KEY = 'x-rules';

function convert(s: v.GenericSchema, typeMode: 'input' | 'output' = 'input'): Json {
  const config: ConversionConfig = {
    target: 'draft-2020-12',
    typeMode,
    errorMode: 'ignore',
    overrideAction({ valibotAction, jsonSchema }) {
      const message = (valibotAction as { message?: unknown }).message;
      const rules = (jsonSchema as Json)[RULES_KEY];
      const withRule = (rule: string, extra: Json = {}) => ({
        ...jsonSchema,
        ...extra,
        [RULES_KEY]: [...(Array.isArray(rules) ? rules : []), rule],
      });
      if (valibotAction.type === 'trim') {
        return withRule('its length is counted after trimming spaces', { pattern: '\\S' });
      }
      if (valibotAction.type !== 'check' || typeof message !== 'string') return undefined;
      for (const [pattern, rule] of CHECK_RULES) {
        const m = pattern.exec(message);
        if (m) return { ...jsonSchema, ...rule(m) };
      }
      return withRule(message);
    },
  };
  const out = toJsonSchema(s, config) as Json;
  delete out.$schema;
  return describeRules(out) as Json;
}

/** Turns collected check messages into `description` ("Must be valid Unicode text."), unless one is written. */
function describeRules(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(describeRules);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, val] of Object.entries(node)) if (k !== RULES_KEY) out[k] = describeRules(val);
  const rules = (node as Json)[RULES_KEY];
  if (Array.isArray(rules)) {
    const words = rules.map((r) => `${String(r).charAt(0).toUpperCase()}${String(r).slice(1)}.`).join(' ');
    out.description ??= words; // a description the schema's author wrote already states its rules
  }
  return out;
}

/** Query parameters from an object schema: as sent (strings), numbers typed as the integers they are. */
function queryParams(s: v.GenericSchema, descriptions: Record<string, string> = {}): Json[] {
  const input = convert(s, 'input') as { properties?: Record<string, Json>; required?: string[] };
  const output = convert(s, 'output') as { properties?: Record<string, Json> };
  return Object.entries(input.properties ?? {}).map(([name, p]) => {
    const out = output.properties?.[name];
    const schema =
      p.type === 'string' && out?.type === 'number'
        ? {
            type: 'integer',
            ...(out.minimum !== undefined ? { minimum: out.minimum } : {}),
            ...(out.maximum !== undefined ? { maximum: out.maximum } : {}),
            ...(p.default !== undefined ? { default: Number(p.default) } : {}),
          }
        : p;
    const description = descriptions[name];
    return {
      name,
      in: 'query',
      required: input.required?.includes(name) ?? false,
      ...(description ? { description } : {}),
      schema,
    };
  });
}

/** The batch envelope, each item a CreateWorkout (validated one by one: a bad item is its own 400). */
function batch(): Json {
  const envelope = convert(batchSchema) as { properties: { workouts: Json } };
  envelope.properties.workouts = {
    ...envelope.properties.workouts,
    items: schemaRef('CreateWorkout'),
    description: 'Each is checked and stored on its own; its result says how it went.',
  };
  return envelope;
}

/** The rule validateWorkout/validatePatch add beyond the fields: one duration (or both, agreeing). */
function withDurationRule(s: Json, required: boolean): Json {
  const rule =
    'Send durationMinutes or durationSeconds' +
    (required ? ' (one is required)' : '') +
    '; when both are sent, durationMinutes must equal durationSeconds / 60 rounded to 2 decimals.';
  return {
    ...s,
    description: rule,
    // if/then rather than anyOf of two `required`s: generated client types keep the object shape.
    ...(required
      ? {
          if: { properties: { durationMinutes: false } },
          then: { properties: { durationSeconds: true }, required: ['durationSeconds'] },
        }
      : {}),
  };
}

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const paramRef = (name: string) => ({ $ref: `#/components/parameters/${name}` });
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** Headers on every answer, then those of one answer. */
function headers(extra: Record<string, Json> = {}, userData = false): Json {
  return {
    'X-Request-Id': headerRef('X-Request-Id'),
    'X-Content-Type-Options': headerRef('X-Content-Type-Options'),
    'Cache-Control': headerRef(userData ? 'Cache-Control' : 'Cache-Control-Optional'),
    ...extra,
  };
}

interface Answer {
  description: string;
  schema?: string;
  mediaType?: string;
  headers?: Record<string, Json>;
  /** Carries user data: Cache-Control: no-store. */
  userData?: boolean;
}

function answer(a: Answer): Json {
  return {
    description: a.description,
    headers: headers(a.headers, a.userData),
    ...(a.schema
      ? { content: { [a.mediaType ?? 'application/json']: { schema: schemaRef(a.schema) } } }
      : {}),
  };
}

const PROBLEM_NAMES: Record<ProblemStatus, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Gone',
  412: 'PreconditionFailed',
  413: 'ContentTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

const PROBLEM_STATUSES = Object.keys(PROBLEM_NAMES).map(Number) as ProblemStatus[];

const PROBLEM_TEXT: Record<ProblemStatus, string> = {
  400: 'The body is not a JSON object (`malformed_body`), or fields or query parameters are invalid (`invalid_fields`, every one named in `errors`).',
  401: 'No valid bearer token (missing, malformed, expired, wrongly signed).',
  403: "The caller may not touch that user's data (only an admin may name another user); nothing was read or written.",
  404: 'No such route, user or workout.',
  409: 'The user exists already, or the workoutId exists with different content.',
  410: 'The `since` token is older than the deletions kept (30 days or more): resync from the start.',
  412: 'If-Match did not match the current ETag; nothing was written.',
  413: 'The body is over 64 KiB (1 MiB for a batch).',
  415: 'A body with a Content-Type that is not JSON.',
  429: 'Too many requests (API Gateway or the service); retry after Retry-After seconds.',
  500: 'An unexpected error; the detail names the request id, never internals.',
  503: 'The database is unreachable or throttling; retry after Retry-After seconds.',
  504: "On AWS only: API Gateway's answer when a request took longer than its 29 s limit; retry.",
};

function problemResponse(status: ProblemStatus): Json {
  const extra: Record<string, Json> =
    status === 401
      ? { 'WWW-Authenticate': headerRef('WWW-Authenticate') }
      : status === 429 || status === 503
        ? { 'Retry-After': headerRef('Retry-After') }
        : {};
  return {
    description: PROBLEM_TEXT[status],
    headers: headers(extra),
    content: {
      'application/problem+json': {
        schema: {
          allOf: [
            schemaRef('Problem'),
            {
              properties: { status: { const: status }, code: { enum: [...PROBLEM_CODES_BY_STATUS[status]] } },
            },
          ],
        },
      },
    },
  };
}

const problems = (...statuses: ProblemStatus[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { $ref: `#/components/responses/${PROBLEM_NAMES[s]}` }]),
  );

/** Can happen on any route: throttling (gateway or service), a bug, the database. */
const ALWAYS = [429, 500, 503, 504] as const;
/** A route behind the token, acting on a user. */
const AUTHED = [401, 403, ...ALWAYS] as const;
/** A route reading a JSON body. */
const WITH_BODY = [400, 413, 415] as const;

interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  public?: boolean;
  parameters?: Json[];
  body?: { schema: string; description?: string; example: Json };
  answers: Record<number, Answer>;
  problems: readonly ProblemStatus[];
}

function operation(o: Operation): Json {
  return {
    operationId: o.operationId,
    tags: o.tags,
    summary: o.summary,
    description: o.description,
    ...(o.public ? { security: [] } : {}),
    parameters: [...(o.parameters ?? []), paramRef('X-Request-Id')],
    ...(o.body
      ? {
          requestBody: {
            required: true,
            ...(o.body.description ? { description: o.body.description } : {}),
            content: { 'application/json': { schema: schemaRef(o.body.schema), example: o.body.example } },
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(Object.entries(o.answers).map(([status, a]) => [status, answer(a)])),
      ...problems(...[...new Set(o.problems)].sort()),
    },
  };
}

const etag = { ETag: headerRef('ETag') };

/** `from`/`to`: the rules between the two parameters. */
const RANGE = {
  from: 'Inclusive. A date-time, or a YYYY-MM-DD local date.',
  to: 'Exclusive, and after `from`. A date-time, or a YYYY-MM-DD local date.',
};

/** The contract's example workout. */
const EXAMPLE_WORKOUT = {
  workoutId: 'a1b2c3',
  workoutType: 'running',
  startedAt: '2026-11-20T07:30:00+01:00',
  durationMinutes: 42,
  distanceKm: 8.2,
  intensity: 'high',
  avgHeartRate: 151,
  notes: 'tempo run',
};
const notModified: Answer = {
  description: 'Not modified: If-None-Match matched the current ETag.',
  headers: { ETag: headerRef('ETag-Optional') },
};

/** The document for one configuration (workout types and the duration limit are part of it). */
export function openApiDocument(config: AppConfig): Json {
  const w = workoutSchemas(config);
  const workoutQuery = queryParams(userQuerySchema);
  const userPath = paramRef('userId');
  const workoutPath = paramRef('workoutId');

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Workout log API',
      version: '1.0.0',
      description: [
        'Logs workouts and keeps exact statistics, per user.',
        '',
        '- **Auth**: `Authorization: Bearer <JWT>` on every operation but the public ones (health, this document, ' +
          "`/docs`, workout types). The caller is the token's `sub`; an admin (`cognito:groups` names `admin`) may " +
          'act for another user. `me` stands for the caller wherever a path takes a user id.',
        '- **Errors** are `application/problem+json` (RFC 9457) with a stable `code`; a 400 names every invalid ' +
          'field in `errors[]`, each with its own `code`. A rejected request writes nothing.',
        '- **Numbers**: measured values allow 2 decimals (`distanceKm`: 3), so sums are exact.',
        '- **Caching and concurrency**: profiles and workouts carry a strong `ETag`; `If-None-Match` gives 304, ' +
          'a stale `If-Match` on PATCH or DELETE gives 412. User data is `Cache-Control: no-store`.',
        '- **CORS**: origins listed in `CORS_ORIGINS` (a stack parameter on AWS) get preflights answered 204 ' +
          'without a token; `X-Request-Id`, `Location`, `ETag`, `Retry-After` and `Link` are exposed.',
      ].join('\n'),
    },
    servers: [
      { url: 'http://localhost:3000', description: 'Local: `npm start` (port from PORT, default 3000)' },
      {
        url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}',
        description: "AWS: API Gateway, the stack's ApiUrl output",
        variables: {
          restApiId: { default: 'abcdef1234', description: 'The REST API id' },
          region: { default: 'eu-west-1' },
          stage: { default: 'dev', description: 'The EnvironmentSuffix the stack was deployed with' },
        },
      },
    ],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'meta', description: 'Health, reference data and this document (no token needed)' },
      { name: 'users', description: 'Profiles, export and erasure' },
      { name: 'workouts', description: 'Logging, reading, changing and deleting workouts' },
      { name: 'sync', description: 'What changed since a point, for clients that keep a copy' },
      { name: 'stats', description: 'Exact totals and time series' },
    ],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'Locally: an HS256 token from `npm run --silent token -- <userId> [--admin]`. ' +
            "On AWS: a Cognito user pool ID token (the stack's user pool), checked by API Gateway.",
        },
      },
      parameters: {
        userId: {
          name: 'userId',
          in: 'path',
          required: true,
          description: 'A user id, or `me` for the caller.',
          schema: { anyOf: [{ const: 'me' }, convert(userId)] },
        },
        workoutId: {
          name: 'workoutId',
          in: 'path',
          required: true,
          schema: { type: 'string', pattern: WORKOUT_ID.source },
        },
        'If-None-Match': {
          name: 'If-None-Match',
          in: 'header',
          required: false,
          description: 'An ETag from an earlier answer: 304 when it still matches.',
          schema: { type: 'string' },
        },
        'If-Match': {
          name: 'If-Match',
          in: 'header',
          required: false,
          description: 'Write only if the resource still has this ETag (412 otherwise).',
          schema: { type: 'string' },
        },
        'X-Request-Id': {
          name: 'X-Request-Id',
          in: 'header',
          required: false,
          description: 'Echoed back when 1-128 characters of A-Z a-z 0-9 _ - = (else a new id is made).',
          schema: { type: 'string' },
        },
      },
      headers: {
        'X-Request-Id': {
          description:
            "The request's id (the caller's own when safe to echo); quote it when reporting a problem.",
          required: true,
          schema: { type: 'string', minLength: 1 },
        },
        'X-Content-Type-Options': { required: true, schema: { const: 'nosniff' } },
        'Cache-Control': {
          description: 'User data is never cached.',
          required: true,
          schema: { const: 'no-store' },
        },
        'Cache-Control-Optional': { required: false, schema: { const: 'no-store' } },
        ETag: {
          description: 'Strong entity tag of this version (for If-None-Match and If-Match).',
          required: true,
          schema: { type: 'string', pattern: '^"[^"]+"$' },
        },
        'ETag-Optional': { required: false, schema: { type: 'string', pattern: '^"[^"]+"$' } },
        Location: { description: 'The new resource.', required: true, schema: { type: 'string' } },
        'Location-Optional': {
          description: 'The stored resource.',
          required: false,
          schema: { type: 'string' },
        },
        'Retry-After': {
          description: 'Seconds to wait.',
          required: true,
          schema: { type: 'string', pattern: '^\\d+$' },
        },
        'WWW-Authenticate': { required: true, schema: { type: 'string', pattern: '^Bearer' } },
        Link: {
          description: 'The next page, as `<...?cursor=...>; rel="next"`, when more remains.',
          required: false,
          schema: { type: 'string', pattern: '^<[^>]+>; rel="next"$' },
        },
      },
      schemas: {
        CreateUser: convert(createUserSchema),
        PatchUser: convert(patchUserSchema),
        CreateWorkout: withDurationRule(convert(w.create), true),
        PatchWorkout: withDurationRule(convert(w.patch), false),
        WorkoutBatch: batch(),
        ...responseSchemas,
      },
      responses: Object.fromEntries(PROBLEM_STATUSES.map((s) => [PROBLEM_NAMES[s], problemResponse(s)])),
    },
    paths: {
      '/health': {
        get: operation({
          operationId: 'getHealth',
          tags: ['meta'],
          summary: 'Readiness: 200 once the service can reach its table',
          description: 'For load balancers and deploy checks; 503 while the database is unreachable.',
          public: true,
          answers: { 200: { description: 'Ready', schema: 'Health' } },
          problems: ALWAYS,
        }),
      },
      '/openapi.json': {
        get: operation({
          operationId: 'getOpenApiDocument',
          tags: ['meta'],
          summary: 'This document',
          description: 'Generated from the schemas that validate requests, for the configuration in force.',
          public: true,
          answers: { 200: { description: 'OpenAPI 3.1', schema: 'OpenApiDocument' } },
          problems: ALWAYS,
        }),
      },
      '/docs': {
        get: operation({
          operationId: 'getApiReference',
          tags: ['meta'],
          summary: 'An interactive reference for this document (HTML)',
          description: 'Scalar API Reference, reading /openapi.json.',
          public: true,
          answers: { 200: { description: 'HTML page', schema: 'Html', mediaType: 'text/html' } },
          problems: [429, 500, 504],
        }),
      },
      '/workout-types': {
        get: operation({
          operationId: 'listWorkoutTypes',
          tags: ['meta'],
          summary: 'Supported workout types and their MET values (low, moderate, high)',
          description:
            'From configuration; the calorie estimate is MET × weightKg (70 without a profile) × hours.',
          public: true,
          answers: { 200: { description: 'Types', schema: 'WorkoutTypes' } },
          problems: ALWAYS,
        }),
      },
      '/users': {
        post: operation({
          operationId: 'createUser',
          tags: ['users'],
          summary: "Create the caller's profile (an admin may name another userId)",
          description:
            'The same body again is a replay (200); a different body for an existing profile is 409.',
          body: {
            schema: 'CreateUser',
            example: { displayName: 'Ana', weightKg: 61.5, timezone: 'Europe/Lisbon' },
          },
          answers: {
            201: {
              description: 'Created',
              schema: 'Profile',
              userData: true,
              headers: { Location: headerRef('Location'), ...etag },
            },
            200: {
              description: 'A replay: the profile as stored',
              schema: 'Profile',
              userData: true,
              headers: { Location: headerRef('Location-Optional'), ...etag },
            },
          },
          problems: [...AUTHED, ...WITH_BODY, 409],
        }),
      },
      '/users/{userId}': {
        parameters: [userPath],
        get: operation({
          operationId: 'getUser',
          tags: ['users'],
          summary: 'Read a profile',
          description: '404 when the user has no profile (a user needs none to log workouts).',
          parameters: [paramRef('If-None-Match')],
          answers: {
            200: { description: 'The profile', schema: 'Profile', userData: true, headers: etag },
            304: notModified,
          },
          problems: [...AUTHED, 400, 404],
        }),
        patch: operation({
          operationId: 'updateUser',
          tags: ['users'],
          summary: 'Change displayName, weightKg (null clears it) or timezone',
          description: 'Changing the zone never moves workouts already logged.',
          parameters: [paramRef('If-Match')],
          body: { schema: 'PatchUser', example: { weightKg: 60.8 } },
          answers: { 200: { description: 'The profile', schema: 'Profile', userData: true, headers: etag } },
          problems: [...AUTHED, ...WITH_BODY, 404, 412],
        }),
        delete: operation({
          operationId: 'deleteUser',
          tags: ['users'],
          summary: 'Erase the user: profile, every workout and every statistic',
          description:
            "404 only when nothing at all is stored for the user. With If-Match, the profile's current ETag must match (412 otherwise, nothing erased).",
          parameters: [paramRef('If-Match')],
          answers: { 204: { description: 'Erased' } },
          problems: [...AUTHED, 400, 404, 412],
        }),
      },
      '/users/{userId}/export': {
        parameters: [userPath],
        get: operation({
          operationId: 'exportUser',
          tags: ['users'],
          summary: 'Everything stored for the user, as NDJSON',
          description:
            'One JSON object per line (see ExportLine): `{"profile": ...}` first, then `{"workout": ...}` lines, ' +
            'oldest first. A page is at most 5 MB; a `Link` header with rel="next" names the next page.',
          parameters: queryParams(exportQuerySchema, { cursor: "From the previous page's Link header." }),
          answers: {
            200: {
              description: 'A page of the export',
              schema: 'ExportLine',
              mediaType: 'application/x-ndjson',
              userData: true,
              headers: { Link: headerRef('Link') },
            },
          },
          problems: [...AUTHED, 400],
        }),
      },
      '/workouts': {
        post: operation({
          operationId: 'logWorkout',
          tags: ['workouts'],
          summary: 'Log a workout',
          description:
            'Send `durationMinutes` or `durationSeconds`. The same workoutId with the same content again is a ' +
            'safe retry (200, counted once); with different content, 409.',
          body: { schema: 'CreateWorkout', example: EXAMPLE_WORKOUT },
          answers: {
            201: {
              description: 'Logged',
              schema: 'Workout',
              userData: true,
              headers: { Location: headerRef('Location'), ...etag },
            },
            200: {
              description: 'A replay: the workout as stored',
              schema: 'Workout',
              userData: true,
              headers: { Location: headerRef('Location-Optional'), ...etag },
            },
          },
          problems: [...AUTHED, ...WITH_BODY, 409],
        }),
        get: operation({
          operationId: 'listWorkouts',
          tags: ['workouts'],
          summary: 'List workouts, newest startedAt first',
          description:
            '`from` is inclusive, `to` exclusive and must be after `from`; a date means local midnight in the ' +
            "user's zone. Following nextCursor visits every workout exactly once.",
          parameters: queryParams(w.listQuery, {
            ...RANGE,
            userId: 'Another user (admins only).',
            cursor: 'nextCursor of the previous page.',
          }),
          answers: { 200: { description: 'A page', schema: 'WorkoutPage', userData: true } },
          problems: [...AUTHED, 400],
        }),
      },
      '/workouts/batch': {
        post: operation({
          operationId: 'logWorkouts',
          tags: ['workouts'],
          summary: 'Log up to 100 workouts (at most 1 MiB), each as POST /workouts would',
          description:
            'Each workout is all-or-nothing with its statistics; the batch as a whole is not, so resend the same ' +
            'batch after a failure: nothing is counted twice. A batch naming another user (non-admin) is a 403.',
          body: {
            schema: 'WorkoutBatch',
            example: {
              workouts: [
                EXAMPLE_WORKOUT,
                {
                  workoutId: 'a1b2c4',
                  workoutType: 'yoga',
                  startedAt: '2026-11-21T18:00:00Z',
                  durationSeconds: 2700,
                },
              ],
            },
          },
          answers: {
            200: { description: 'One result per workout, in order', schema: 'BatchResults', userData: true },
          },
          problems: [...AUTHED, ...WITH_BODY],
        }),
      },
      '/workouts/{workoutId}': {
        parameters: [workoutPath, ...workoutQuery],
        get: operation({
          operationId: 'getWorkout',
          tags: ['workouts'],
          summary: 'Read a workout',
          description: "An admin reads another user's workout with `userId`.",
          parameters: [paramRef('If-None-Match')],
          answers: {
            200: { description: 'The workout', schema: 'Workout', userData: true, headers: etag },
            304: notModified,
          },
          problems: [...AUTHED, 400, 404],
        }),
        patch: operation({
          operationId: 'updateWorkout',
          tags: ['workouts'],
          summary: 'Change a workout; statistics follow',
          description: '`null` clears an optional field (`caloriesBurned: null` re-estimates the calories).',
          parameters: [paramRef('If-Match')],
          body: { schema: 'PatchWorkout', example: { notes: 'tempo run, windy', avgHeartRate: null } },
          answers: { 200: { description: 'The workout', schema: 'Workout', userData: true, headers: etag } },
          problems: [...AUTHED, ...WITH_BODY, 404, 412],
        }),
        delete: operation({
          operationId: 'deleteWorkout',
          tags: ['workouts'],
          summary: 'Delete a workout; statistics follow',
          description:
            'The deletion shows in GET /changes as a tombstone. After it, the same workoutId logs a new workout.',
          parameters: [paramRef('If-Match')],
          answers: { 204: { description: 'Deleted' } },
          problems: [...AUTHED, 400, 404, 412],
        }),
      },
      '/changes': {
        get: operation({
          operationId: 'listChanges',
          tags: ['sync'],
          summary: 'What changed after `since`, in order',
          description:
            'Without `since` it starts at the beginning. Following nextSince until hasMore is false leaves an ' +
            'exact mirror. Deletions are kept at least 30 days; an older token is 410 (resync).',
          parameters: queryParams(changesQuerySchema, {
            since: 'nextSince of the previous answer.',
            userId: 'Another user (admins only).',
          }),
          answers: { 200: { description: 'Changes', schema: 'Changes', userData: true } },
          problems: [...AUTHED, 400, 410],
        }),
      },
      '/stats/{userId}': {
        parameters: [userPath, ...queryParams(statsQuerySchema, RANGE)],
        get: operation({
          operationId: 'getStats',
          tags: ['stats'],
          summary: 'Totals, averages, per-type breakdown and the 10 newest workouts',
          description: 'Exact for any history. `from`/`to` as for listWorkouts.',
          answers: { 200: { description: 'Statistics', schema: 'Stats', userData: true } },
          problems: [...AUTHED, 400],
        }),
      },
      '/stats/{userId}/timeseries': {
        parameters: [
          userPath,
          ...queryParams(timeseriesQuerySchema, {
            ...RANGE,
            granularity: 'Days, ISO weeks (from Monday) or months of the local dates.',
          }),
        ],
        get: operation({
          operationId: 'getTimeseries',
          tags: ['stats'],
          summary: "Buckets by day, ISO week or month of the workouts' local dates",
          description:
            'Buckets cover the whole periods [from, to) touches; without `from` the last 30 days, 12 weeks or ' +
            '12 months; at most 366 days (day) or about 3 years (week, month) per call.',
          answers: { 200: { description: 'A series', schema: 'Timeseries', userData: true } },
          problems: [...AUTHED, 400],
        }),
      },
    },
  };
}
