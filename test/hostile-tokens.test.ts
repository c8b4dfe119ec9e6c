/**
 * Tokens, on every route that needs one: tampered, expired, not yet valid, wrong issuer or
 * audience, `alg: none`, other algorithms and keys, missing claims. Each is a 401 with
 * WWW-Authenticate: Bearer and writes nothing. And a valid token of another user, on every route
 * that names a user, is a 403 that reads and writes nothing.
 */
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose/jwt/sign';
import { AUDIENCE, ISSUER } from '../src/auth/local-jwt.ts';
import { startTestService, workout } from './helpers.ts';
import { assertProblem, rejected, tableSnapshot } from './support/snapshot.ts';

// The local server signs with JWT_SECRET when it is set: knowing it lets this file forge tokens
// that differ from a valid one in exactly one respect. (Each test file runs in its own process.)
const secret = randomBytes(32).toString('base64url');
process.env.JWT_SECRET = secret;
const key = new TextEncoder().encode(secret);
const t = await startTestService();

const now = Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = { sub: 'mallory', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 3600 };

/** A compact JWT signed (or not) exactly as given, for shapes jose would refuse to produce. */
function handmade(
  header: object,
  payload: object,
  sign: 'hs256' | 'none' | 'hs256-as-rs256' = 'hs256',
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  if (sign === 'none') return `${input}.`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

async function signed(payload: Record<string, unknown>, alg = 'HS256', signingKey: Uint8Array = key) {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(signingKey);
}

const valid = await signed(claims);
const [vh, vp, vs] = valid.split('.') as [string, string, string];
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const BAD_TOKENS: [string, string | undefined][] = [
  ['no Authorization header', undefined],
  ['an empty bearer', 'Bearer '],
  ['a random string', 'Bearer abc.def.ghi'],
  ['Basic credentials', `Basic ${Buffer.from('mallory:pw').toString('base64')}`],
  ['the token without a scheme', valid],
  ['the token twice', `Bearer ${valid} Bearer ${valid}`],
  [
    'a tampered payload (admin added, signature kept)',
    `Bearer ${vh}.${b64({ ...claims, 'cognito:groups': ['admin'] })}.${vs}`,
  ],
  ['a tampered payload (sub changed)', `Bearer ${vh}.${b64({ ...claims, sub: 'ana' })}.${vs}`],
  ['a tampered signature', `Bearer ${vh}.${vp}.${vs.slice(0, -2)}${vs.endsWith('AA') ? 'BB' : 'AA'}`],
  ['no signature', `Bearer ${vh}.${vp}.`],
  ['alg none', `Bearer ${handmade({ alg: 'none', typ: 'JWT' }, claims, 'none')}`],
  ['alg NONE', `Bearer ${handmade({ alg: 'NONE' }, claims, 'none')}`],
  ['alg none with a signature', `Bearer ${handmade({ alg: 'none' }, claims)}`],
  ['an HMAC signature labelled RS256', `Bearer ${handmade({ alg: 'RS256' }, claims)}`],
  ['HS512 with the right key', `Bearer ${await signed(claims, 'HS512')}`],
  [
    'RS256 with some RSA key',
    `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(privateKey)}`,
  ],
  [
    'signed with another secret',
    `Bearer ${await signed(claims, 'HS256', new TextEncoder().encode('y'.repeat(43)))}`,
  ],
  ['expired', `Bearer ${await signed({ ...claims, iat: now - 7200, exp: now - 3600 })}`],
  ['expired a minute ago', `Bearer ${await signed({ ...claims, exp: now - 60 })}`],
  ['not yet valid (nbf in an hour)', `Bearer ${await signed({ ...claims, nbf: now + 3600 })}`],
  ['wrong issuer', `Bearer ${await signed({ ...claims, iss: 'https://evil.example' })}`],
  ['no issuer', `Bearer ${await signed({ sub: 'mallory', aud: AUDIENCE, exp: now + 3600 })}`],
  ['wrong audience', `Bearer ${await signed({ ...claims, aud: 'another-api' })}`],
  ['no audience', `Bearer ${await signed({ sub: 'mallory', iss: ISSUER, exp: now + 3600 })}`],
  ['no expiry', `Bearer ${await signed({ sub: 'mallory', iss: ISSUER, aud: AUDIENCE })}`],
  ['no subject', `Bearer ${await signed({ iss: ISSUER, aud: AUDIENCE, exp: now + 3600 })}`],
  ['a subject that is not a user id', `Bearer ${await signed({ ...claims, sub: '../ana' })}`],
  ['a numeric subject', `Bearer ${await signed({ ...claims, sub: 42 })}`],
  [
    'a critical header it does not know',
    `Bearer ${handmade({ alg: 'HS256', crit: ['x-evil'], 'x-evil': 1 }, claims)}`,
  ],
];

const ROUTES: [string, string, unknown?][] = [
  ['POST', '/users', { displayName: 'Mallory' }],
  ['GET', '/users/mallory'],
  ['PATCH', '/users/mallory', { displayName: 'M' }],
  ['DELETE', '/users/mallory'],
  ['POST', '/workouts', workout({ workoutId: 'm-new' })],
  ['GET', '/workouts'],
  ['GET', '/workouts/m-1'],
  ['PATCH', '/workouts/m-1', { notes: 'changed' }],
  ['DELETE', '/workouts/m-1'],
  ['GET', '/stats/mallory'],
  ['GET', '/stats/mallory/timeseries?granularity=week'],
];

// Mallory and Ana both have a profile and a workout.
for (const u of ['mallory', 'ana']) {
  assert.equal((await t.call('POST', '/users', { as: u, body: { displayName: u } })).status, 201);
  const w = await t.call('POST', '/workouts', {
    as: u,
    body: workout({ workoutId: u === 'ana' ? 'a-1' : 'm-1' }),
  });
  assert.equal(w.status, 201);
}

describe('bad tokens are 401 with WWW-Authenticate: Bearer on every route, and write nothing', () => {
  test('the valid token works (so the 401s below are about the token)', async () => {
    const res = await t.call('GET', '/users/mallory', {
      as: null,
      headers: { authorization: `Bearer ${valid}` },
    });
    assert.equal(res.status, 200, res.text);
  });

  for (const [name, header] of BAD_TOKENS) {
    test(name, async () => {
      const before = await tableSnapshot(t);
      for (const [method, path, body] of ROUTES) {
        const res = await t.call(method, path, {
          as: null,
          headers: header === undefined ? {} : { authorization: header },
          ...(body === undefined ? {} : { body }),
        });
        assertProblem(res, 401, `${method} ${path}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer\b/, `${method} ${path}`);
      }
      assert.equal(await tableSnapshot(t), before);
    });
  }
});

describe("another user's valid token: 403 on every route naming a user, nothing read or written", () => {
  const ROUTES_NAMING_ANA: [string, string, unknown?][] = [
    ['POST', '/users', { userId: 'ana', displayName: 'Not Ana' }],
    ['GET', '/users/ana'],
    ['PATCH', '/users/ana', { displayName: 'Not Ana' }],
    ['DELETE', '/users/ana'],
    ['POST', '/workouts', workout({ userId: 'ana', workoutId: 'forged' })],
    ['POST', '/workouts', workout({ userId: 'ana', workoutId: 'a-1' })],
    ['GET', '/workouts?userId=ana'],
    ['GET', '/workouts?userId=ana&limit=100&workoutType=running'],
    ['GET', '/workouts/a-1?userId=ana'],
    ['GET', '/workouts/does-not-exist?userId=ana'],
    ['PATCH', '/workouts/a-1?userId=ana', { notes: 'changed' }],
    ['DELETE', '/workouts/a-1?userId=ana'],
    ['DELETE', '/workouts/does-not-exist?userId=ana'],
    ['GET', '/stats/ana'],
    ['GET', '/stats/ana?from=2026-01-01&to=2026-12-31'],
    ['GET', '/stats/ana/timeseries?granularity=day'],
  ];
  for (const [method, path, body] of ROUTES_NAMING_ANA) {
    test(`${method} ${path}${body ? ' ' + JSON.stringify(body).slice(0, 50) : ''}`, async () => {
      const res = await rejected(t, 403, method, path, {
        as: 'mallory',
        ...(body === undefined ? {} : { body }),
      });
      // Nothing of Ana's leaks, not even whether the workout exists.
      assert.doesNotMatch(res.text, /a-1|Not Ana|"ana"/);
    });
  }

  test('the 403 does not depend on whether the named workout exists', async () => {
    const a = await t.call('GET', '/workouts/a-1?userId=ana', { as: 'mallory' });
    const b = await t.call('GET', '/workouts/nope?userId=ana', { as: 'mallory' });
    assert.equal(a.status, b.status);
    assert.equal((a.body as { detail: string }).detail, (b.body as { detail: string }).detail);
  });

  test('an admin token passes the same routes (so the 403s are about ownership)', async () => {
    const res = await t.call('GET', '/stats/ana', { as: 'mallory', admin: true });
    assert.equal(res.status, 200);
  });
});
