/**
 * Property-based fuzzing (fast-check) of bodies, query strings, path parameters and headers on
 * every route, as a user and as an admin. The properties: never a 5xx; every rejection is a 4xx
 * application/problem+json whose body names its status; a rejected request, and any GET, writes
 * nothing anywhere in the table; whatever was accepted leaves statistics equal to a recount.
 *
 * FUZZ_RUNS sets the runs per property (default 8 for the everyday `npm test`; `npm run test:all`
 * runs 100); a failure prints fast-check's seed and path, and FUZZ_SEED replays it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Item } from '../src/store/dynamodb.ts';
import { startTestService, workout, type Response } from './helpers.ts';
import { assertStatsExact } from './support/exactness.ts';
import { assertProblem, tableSnapshot } from './support/snapshot.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const SEED = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
const t = await startTestService();
/** What hono/request-id echoes; anything else is replaced by a fresh id. */
const SAFE_ID = /^[A-Za-z0-9_=-]{1,128}$/;

// What the fuzzer must not be able to damage by accident. Ids it may hit on purpose are excluded
// from the generated path parameters below, so a 2xx there is always a legitimate request.
assert.equal(
  (await t.call('POST', '/users', { as: 'fz', body: { displayName: 'Fz', timezone: 'Europe/Lisbon' } }))
    .status,
  201,
);
assert.equal(
  (await t.call('POST', '/workouts', { as: 'fz', body: workout({ workoutId: 'fz-1' }) })).status,
  201,
);
assert.equal((await t.call('POST', '/users', { as: 'victim', body: { displayName: 'V' } })).status, 201);
assert.equal(
  (await t.call('POST', '/workouts', { as: 'victim', body: workout({ workoutId: 'v-1' }) })).status,
  201,
);
const PROTECTED = new Set(['fz', 'fz-1', 'victim', 'v-1']);

const tricky = fc.constantFrom(
  '',
  ' ',
  '.',
  '..',
  'me',
  '%',
  '%00',
  '%ZZ',
  '%2F',
  '%2e%2e',
  '\u0000',
  '\n',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  '1e400',
  '-1e400',
  '-0',
  'NaN',
  'Infinity',
  '0x10',
  '1_000',
  '9999-12-31',
  '0000-01-01',
  '0000-02-29',
  '2026-02-30',
  '2026-13-01',
  '2026-11-20T25:00:00Z',
  '2026-11-20T07:30:00+24:00',
  '9999-12-31T23:59:59-23:59',
  '0000-01-01T00:00:00+23:59',
  '1970-01-01T00:00:00Z',
  '2026-11-20T07:30:00.999999999Z',
  '2026-11-20t07:30:00z',
  '2026-11-20 07:30:00Z',
  '+275760-09-13T00:00:00Z',
  "' OR '1'='1",
  '<script>',
  '${jndi:ldap://x}',
  '../../etc/passwd',
  'a'.repeat(129),
  'é'.repeat(300),
  '\ud800',
  '😀'.repeat(40),
  'running',
  'Running',
  'day',
  'week',
  'month',
  'year',
  'fz',
  'victim',
  '100',
  '101',
  '0',
  'W#',
  'U#fz',
  'STATS',
  'D#2026-11-20',
  'W#~',
);
const text = fc.oneof(
  { weight: 3, arbitrary: tricky },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: cursorLike() },
);
/** base64url JSON arrays shaped like the list cursor, with hostile contents. */
function cursorLike(): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 60 })),
      fc.oneof(tricky, fc.string({ maxLength: 60 })),
    )
    .map(([a, b]) =>
      Buffer.from(JSON.stringify(Math.random() < 0.5 ? [a, b] : [`W#${a}`, `W#${b}`])).toString('base64url'),
    );
}
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: text },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      null,
      true,
      false,
      0,
      -0,
      1e308,
      -1e308,
      5e-324,
      2 ** 53 + 1,
      1440,
      1440.001,
      86_400,
      86_401,
      20000.01,
    ),
  },
);

const WORKOUT_FIELDS = [
  'workoutId',
  'userId',
  'workoutType',
  'startedAt',
  'timezone',
  'durationMinutes',
  'durationSeconds',
  'caloriesBurned',
  'distanceKm',
  'intensity',
  'avgHeartRate',
  'notes',
];
const USER_FIELDS = ['userId', 'displayName', 'weightKg', 'timezone'];

/** A valid body with 1-3 fields replaced, removed or added. */
function mutated(base: () => Record<string, unknown>, fields: string[]): fc.Arbitrary<string> {
  const mutation = fc.tuple(
    fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 12 })),
    fc.option(value, { freq: 5 }),
  );
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => {
    const body = base();
    for (const [k, v] of ms) {
      if (v === null) delete body[k];
      else body[k] = v;
    }
    return JSON.stringify(body);
  });
}
const anyBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '',
    '{',
    '{"a":1,}',
    "{'a':1}",
    '{"a":1}{"b":2}',
    '\ufeff{}',
    'null',
    '[]',
    '{}',
    '{"__proto__":{}}',
  ),
);

const BODY_ROUTES = [
  {
    method: 'POST',
    path: '/workouts',
    body: fc.oneof(
      mutated(() => workout(), WORKOUT_FIELDS),
      anyBody,
    ),
  },
  {
    method: 'PATCH',
    path: '/workouts/fz-1',
    body: fc.oneof(
      mutated(() => ({ notes: 'n' }), WORKOUT_FIELDS),
      anyBody,
    ),
  },
  {
    method: 'POST',
    path: '/users',
    body: fc.oneof(
      mutated(() => ({ displayName: 'D' }), USER_FIELDS),
      anyBody,
    ),
  },
  {
    method: 'PATCH',
    path: '/users/fz',
    body: fc.oneof(
      mutated(() => ({ displayName: 'D' }), USER_FIELDS),
      anyBody,
    ),
  },
];

/**
 * Sends one request and checks the properties. A write may only follow a 2xx non-GET; then the
 * snapshot moves on.
 */
let state = await tableSnapshot(t);
/** Answers per status, per property: printed, to show the fuzzing reached past validation. */
let seen: Record<number, number> = {};
const report = (tc: { diagnostic(m: string): void }) => {
  tc.diagnostic(`statuses: ${JSON.stringify(seen)}`);
  seen = {};
};
async function check(
  method: string,
  path: string,
  opts: Parameters<typeof t.call>[2],
  what: string,
): Promise<Response> {
  let res: Response;
  try {
    res = await t.call(method, path, opts);
  } catch (err) {
    throw new Error(`${what}: no answer (${String(err)})`, { cause: err });
  }
  seen[res.status] = (seen[res.status] ?? 0) + 1;
  assert.ok(res.status < 500, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
  assert.match(res.headers.get('x-request-id') ?? '', SAFE_ID, what);
  const after = await tableSnapshot(t);
  if (res.status >= 400) {
    assertProblem(res, /^4\d\d$/, what);
    assert.equal(after, state, `${what}: a rejected request (${res.status}) changed the table`);
  } else if (method === 'GET') {
    assert.equal(after, state, `${what}: a GET changed the table`);
  }
  state = after;
  return res;
}

const caller = fc.constantFrom({ as: 'fz', admin: false }, { as: 'fz', admin: true });
const describeReq = (method: string, path: string, raw?: string) =>
  `${method} ${path}${raw === undefined ? '' : ' ' + JSON.stringify(raw.slice(0, 200))}`;

test('bodies: mutated and arbitrary JSON on every route with a body', async (tc) => {
  for (const route of BODY_ROUTES) {
    await fc.assert(
      fc.asyncProperty(route.body, caller, async (raw, who) => {
        await check(route.method, route.path, { ...who, raw }, describeReq(route.method, route.path, raw));
      }),
      { numRuns: RUNS, ...SEED },
    );
  }
  report(tc);
});

const QUERY_KEYS = ['userId', 'workoutType', 'from', 'to', 'limit', 'cursor', 'granularity'];
const query = fc.oneof(
  fc
    .dictionary(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 8 })), text, { maxKeys: 4 })
    .map((d) => {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(d)) p.append(k, v);
      return p.toString();
    }),
  // Raw, not encoded: stray %, repeated keys, empty names, & and = in odd places.
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          ...QUERY_KEYS.map((k) => `${k}=`),
          '&',
          '=',
          '%',
          '%zz',
          '+',
          'limit=5&limit=6',
          '&&=&',
        ),
        fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
      ),
      { maxLength: 6 },
    )
    .map((parts) => parts.join('').replace(/[#\s]/g, '')),
);

test('query strings on every route that reads one', async (tc) => {
  const routes: [string, string][] = [
    ['GET', '/workouts'],
    ['GET', '/workouts/fz-1'],
    ['GET', '/stats/fz'],
    ['GET', '/stats/fz/timeseries'],
    ['GET', '/users/fz'],
    ['DELETE', '/workouts/not-there'],
    ['PATCH', '/workouts/not-there'],
    ['GET', '/health'],
    ['GET', '/workout-types'],
  ];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...routes), query, caller, async ([method, path], q, who) => {
      const body = method === 'PATCH' ? { notes: 'x' } : undefined;
      await check(method, `${path}?${q}`, { ...who, body }, describeReq(method, `${path}?${q}`));
    }),
    { numRuns: RUNS * 3, ...SEED },
  );
  report(tc);
});

/** Percent-encodes every UTF-8 byte (encodeURIComponent throws on lone surrogates). */
const bytesEncoded = (s: string) =>
  [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const encode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return bytesEncoded(s); // lone surrogates
  }
};
const segment = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .oneof(text, fc.stringMatching(/^[A-Za-z0-9._-]{1,130}$/))
      // '.' and '..' (however escaped) are resolved by the URL parser before the request is sent:
      // another route, not a path parameter (core-defects.test.ts sends them by hand).
      .filter((s) => !PROTECTED.has(s) && s !== '' && s !== '.' && s !== '..')
      .chain((s) =>
        fc.constantFrom(
          encode(s),
          bytesEncoded(s),
          // Raw where the URL parser lets it through unchanged (no '/', '?', '#', '%' or spaces).
          /^[\x21-\x7e]*$/.test(s) && !/[/?#%\\]/.test(s) && s !== '.' && s !== '..' ? s : encode(s),
        ),
      ),
  },
  // Escapes that do not decode: invalid UTF-8, stray and truncated percents, an encoded NUL.
  {
    weight: 1,
    arbitrary: fc.constantFrom('%FF', '%C3%28', '%ED%A0%80', '%', '%zz', '%E0%A4%A', '%00', 'a%2Fb', '%252e'),
  },
);

test('path parameters on every route that has one', async (tc) => {
  const templates: [string, (x: string) => string, unknown?][] = [
    ['GET', (x) => `/users/${x}`],
    ['PATCH', (x) => `/users/${x}`, { displayName: 'P' }],
    ['DELETE', (x) => `/users/${x}`],
    ['GET', (x) => `/workouts/${x}`],
    ['PATCH', (x) => `/workouts/${x}`, { notes: 'p' }],
    ['DELETE', (x) => `/workouts/${x}`],
    ['GET', (x) => `/stats/${x}`],
    ['GET', (x) => `/stats/${x}/timeseries`],
  ];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...templates), segment, caller, async ([method, path, body], x, who) => {
      await check(method, path(x), { ...who, body }, describeReq(method, path(x)));
    }),
    { numRuns: RUNS * 3, ...SEED },
  );
  report(tc);
});

/** Header values fetch can send: printable ASCII, tab and Latin-1 (no CR, LF or NUL). */
const headerValue = fc
  .oneof(
    fc.string({
      unit: fc.constantFrom(
        ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
        '\t',
        'é',
        'ÿ',
      ),
      maxLength: 300,
    }),
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-16',
      'application/problem+json',
      'application/jsonx',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      '*/*',
      'gzip',
      'identity',
      'chunked',
      'close',
      '0',
      '-1',
      '99999999999',
    ),
  )
  .map((v) => v.trim());
const HEADER_NAMES = [
  'content-type',
  'accept',
  'x-request-id',
  'accept-encoding',
  'content-encoding',
  'content-language',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-http-method-override',
  'origin',
  'cookie',
  'range',
  'if-none-match',
  'expect',
  'x-amz-target',
  'x-api-key',
];

test('headers on every route', async (tc) => {
  const token = await t.token('fz');
  const routes: [string, string, unknown?][] = [
    ['POST', '/workouts', workout()],
    ['PATCH', '/workouts/fz-1', { notes: 'h' }],
    ['POST', '/users', { displayName: 'H' }],
    ['PATCH', '/users/fz', { displayName: 'H' }],
    ['GET', '/workouts'],
    ['GET', '/stats/fz'],
    ['GET', '/stats/fz/timeseries'],
    ['GET', '/health'],
    ['GET', '/openapi.json'],
  ];
  const authorization = fc.oneof(
    fc.constant(`Bearer ${token}`),
    headerValue.map((v) => `Bearer ${v}`),
    headerValue.map((v) => `Bearer ${token}${v}`),
    headerValue,
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...routes),
      fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerValue, { maxKeys: 4 }),
      authorization,
      async ([method, path, body], headers, auth) => {
        // `expect: 100-continue` and a few others are refused by fetch itself; not the server's business.
        const h: Record<string, string> = { ...headers, authorization: auth };
        if (h.expect !== undefined) delete h.expect;
        if (body !== undefined && h['content-type'] === undefined) h['content-type'] = 'application/json';
        const what = `${method} ${path} ${JSON.stringify(h).slice(0, 400)}`;
        const res = await check(
          method,
          path,
          { as: null, headers: h, ...(body === undefined ? {} : { body }) },
          what,
        );
        const sent = h['x-request-id'];
        if (sent !== undefined && !SAFE_ID.test(sent)) assert.notEqual(res.headers.get('x-request-id'), sent);
      },
    ),
    { numRuns: RUNS * 3, ...SEED },
  );
  report(tc);
});

test("after all of it, every user's statistics equal a recount", async () => {
  const users = new Set((JSON.parse(await tableSnapshot(t)) as Item[]).map((i) => String(i.pk).slice(2)));
  assert.ok(users.has('fz') && users.has('victim'));
  for (const userId of users) await assertStatsExact(t, userId);
});
