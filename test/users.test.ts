/** Users: create, read, update, erase; validation and access rules. Real HTTP, DynamoDB Local. */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { startTestService, workout, type TestService } from './helpers.ts';
import { rejected as rejectedIn } from './support/snapshot.ts';

let t: TestService;
before(async () => {
  t = await startTestService();
});

/** A request that must be rejected with `status` (problem+json) and write nothing anywhere. */
const rejected = (status: number, method: string, path: string, opts: Parameters<TestService['call']>[2]) =>
  rejectedIn(t, status, method, path, opts);

describe('POST /users', () => {
  test('creates the caller profile with defaults, trimmed name and Location', async () => {
    const res = await t.call('POST', '/users', {
      as: 'u1',
      body: { displayName: '  Ana  ', weightKg: 61.5 },
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('location'), '/users/u1');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(!Number.isNaN(Date.parse(String(res.body.createdAt))));
    assert.deepEqual(res.body, {
      userId: 'u1',
      displayName: 'Ana',
      weightKg: 61.5,
      timezone: 'UTC',
      createdAt: res.body.createdAt,
      updatedAt: res.body.createdAt,
    });
  });

  test('the same body again is a replay: 200 with the stored profile, nothing written', async () => {
    const body = { displayName: 'Rita', weightKg: 58, timezone: 'Europe/Lisbon' };
    const first = await t.call('POST', '/users', { as: 'replay', body });
    assert.equal(first.status, 201);
    const before = await t.partition('replay');
    const again = await t.call('POST', '/users', { as: 'replay', body });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body, first.body);
    assert.deepEqual(await t.partition('replay'), before);
    // The same profile written another way (a zone's other spelling) is the same body.
    const spelled = await t.call('POST', '/users', {
      as: 'replay',
      body: { ...body, timezone: 'europe/lisbon' },
    });
    assert.equal(spelled.status, 200, spelled.text);
  });

  test('canonicalises the time zone name', async () => {
    const res = await t.call('POST', '/users', {
      as: 'u2',
      body: { displayName: 'B', timezone: 'europe/lisbon' },
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.timezone, 'Europe/Lisbon');
  });

  test('409 when the profile exists, and the profile is unchanged', async () => {
    const res = await rejected(409, 'POST', '/users', { as: 'u1', body: { displayName: 'Someone else' } });
    assert.match(String(res.body.detail), /exists/);
    assert.equal(res.body.code, 'user_exists');
    // Same name, another weight: not a replay either.
    await rejected(409, 'POST', '/users', { as: 'u1', body: { displayName: 'Ana', weightKg: 61 } });
  });

  test('every invalid field is named, nothing is written', async () => {
    const res = await rejected(400, 'POST', '/users', {
      as: 'u3',
      body: { displayName: '   ', weightKg: 19.5, timezone: 'Mars/Olympus', height: 180 },
    });
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path).sort();
    assert.deepEqual(paths, ['displayName', 'height', 'timezone', 'weightKg']);
    assert.equal(res.body.detail, '4 fields are invalid');
    assert.equal(res.body.code, 'invalid_fields');
    assert.deepEqual(
      Object.fromEntries((res.body.errors as { path: string; code: string }[]).map((e) => [e.path, e.code])),
      { displayName: 'too_small', weightKg: 'too_small', timezone: 'invalid_value', height: 'unknown_field' },
    );
  });

  for (const [name, body, path] of [
    ['missing name', {}, 'displayName'],
    ['name too long', { displayName: 'x'.repeat(101) }, 'displayName'],
    ['name not a string', { displayName: 5 }, 'displayName'],
    ['weight too high', { displayName: 'A', weightKg: 400.01 }, 'weightKg'],
    ['weight a string', { displayName: 'A', weightKg: '60' }, 'weightKg'],
    ['zone an offset', { displayName: 'A', timezone: '+01:00' }, 'timezone'],
    ['bad userId', { displayName: 'A', userId: 'no spaces allowed' }, 'userId'],
    ['userId "."', { displayName: 'A', userId: '.' }, 'userId'],
    ['userId ".."', { displayName: 'A', userId: '..' }, 'userId'],
    ['userId "me"', { displayName: 'A', userId: 'me' }, 'userId'],
  ] as const) {
    test(`400 for ${name}`, async () => {
      const res = await rejected(400, 'POST', '/users', { as: 'u4', body });
      assert.deepEqual(
        (res.body.errors as { path: string }[]).map((e) => e.path),
        [path],
      );
    });
  }

  test('a user may not create another user; an admin may', async () => {
    await rejected(403, 'POST', '/users', { as: 'u5', body: { userId: 'other-user', displayName: 'X' } });
    const res = await t.call('POST', '/users', {
      as: 'boss',
      admin: true,
      body: { userId: 'other-user', displayName: 'X' },
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.userId, 'other-user');
    assert.equal(res.headers.get('location'), '/users/other-user');
  });
});

describe('GET and PATCH /users/{userId}', () => {
  test('reads own profile; 404 without one; 403 for another user; admin reads anyone', async () => {
    assert.equal((await t.call('GET', '/users/u1', { as: 'u1' })).body.displayName, 'Ana');
    await rejected(404, 'GET', '/users/nobody', { as: 'nobody' });
    await rejected(403, 'GET', '/users/u1', { as: 'u2' });
    assert.equal((await t.call('GET', '/users/u1', { as: 'root', admin: true })).status, 200);
    await rejected(400, 'GET', `/users/${'x'.repeat(129)}`, { as: 'u1' });
  });

  test('partial update; null removes the weight; updatedAt moves', async () => {
    const before = (await t.call('GET', '/users/u1', { as: 'u1' })).body;
    const res = await t.call('PATCH', '/users/u1', { as: 'u1', body: { displayName: 'Ana M.' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.displayName, 'Ana M.');
    assert.equal(res.body.weightKg, 61.5);
    assert.equal(res.body.createdAt, before.createdAt);
    // It moves forward (a PATCH comes at least a round trip after the GET that read it).
    assert.ok(
      Date.parse(String(res.body.updatedAt)) > Date.parse(String(before.updatedAt)),
      String(res.body.updatedAt),
    );
    assert.deepEqual((await t.call('GET', '/users/u1', { as: 'u1' })).body, res.body);
    const cleared = await t.call('PATCH', '/users/u1', { as: 'u1', body: { weightKg: null } });
    assert.equal(cleared.status, 200);
    assert.equal('weightKg' in cleared.body, false);
    assert.equal('weightKg' in (await t.call('GET', '/users/u1', { as: 'u1' })).body, false);
  });

  test('rejected updates write nothing', async () => {
    await rejected(400, 'PATCH', '/users/u1', { as: 'u1', body: { timezone: 'Nowhere/Land' } });
    await rejected(400, 'PATCH', '/users/u1', { as: 'u1', body: { userId: 'u9' } });
    await rejected(403, 'PATCH', '/users/u1', { as: 'u2', body: { displayName: 'Hacked' } });
    await rejected(404, 'PATCH', '/users/ghost', { as: 'ghost', body: { displayName: 'G' } });
  });
});

describe('me stands for the caller', () => {
  test('/users/me, /stats/me, /stats/me/timeseries and DELETE /users/me act on the caller', async () => {
    const as = 'self';
    const created = await t.call('POST', '/users', { as, body: { displayName: 'Self' } });
    assert.equal(created.status, 201);
    assert.deepEqual((await t.call('GET', '/users/me', { as })).body, created.body);
    const patched = await t.call('PATCH', '/users/me', { as, body: { displayName: 'Me' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.userId, as);
    await t.call('POST', '/workouts', { as, body: workout({ startedAt: '2026-11-20T07:30:00Z' }) });
    const stats = await t.call('GET', '/stats/me', { as });
    assert.equal(stats.body.userId, as);
    assert.equal(stats.body.totalWorkouts, 1);
    const series = await t.call('GET', '/stats/me/timeseries?from=2026-11-20&to=2026-11-21', { as });
    assert.equal(series.status, 200, series.text);
    assert.equal(series.body.userId, as);
    // "me" is the caller, even for an admin: never a user named "me".
    const admin = await t.call('GET', '/users/me', { as: 'root', admin: true });
    assert.equal(admin.status, 404);
    assert.equal(admin.body.code, 'user_not_found');
    assert.equal((await t.call('DELETE', '/users/me', { as })).status, 204);
    assert.deepEqual(await t.partition(as), []);
  });
});

describe('DELETE /users/{userId} (erasure)', () => {
  test('removes the profile, every workout and every statistic', async () => {
    const as = 'erase-me';
    assert.equal(
      (await t.call('POST', '/users', { as, body: { displayName: 'E', timezone: 'Asia/Tokyo' } })).status,
      201,
    );
    for (let i = 0; i < 30; i++) {
      const day = String(1 + (i % 28)).padStart(2, '0');
      const res = await t.call('POST', '/workouts', {
        as,
        body: workout({ startedAt: `2026-10-${day}T10:00:00Z` }),
      });
      assert.equal(res.status, 201);
    }
    assert.ok((await t.partition(as)).length > 30);
    await rejected(403, 'DELETE', `/users/${as}`, { as: 'u1' });

    const res = await t.call('DELETE', `/users/${as}`, { as });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.deepEqual(await t.partition(as), []);
    assert.equal((await t.call('GET', `/users/${as}`, { as })).status, 404);
    const stats = await t.call('GET', `/stats/${as}`, { as });
    assert.equal(stats.body.totalWorkouts, 0);
    assert.deepEqual((await t.call('GET', '/workouts', { as })).body.items, []);
    assert.equal((await t.call('DELETE', `/users/${as}`, { as })).status, 404);
  });

  test('a write that landed after an erasure (STATS without a profile) does not lock the user out', async () => {
    const as = 'raced';
    await t.call('POST', '/users', { as, body: { displayName: 'R', timezone: 'Europe/Lisbon' } });
    assert.equal((await t.call('DELETE', `/users/${as}`, { as })).status, 204);
    // What a POST racing the erasure leaves: its STATS update, but no profile.
    await t.db.call('UpdateItem', {
      TableName: t.tableName,
      Key: { pk: `U#${as}`, sk: 'STATS' },
      UpdateExpression: 'SET lsi1 = :l ADD n :one',
      ExpressionAttributeValues: { ':l': 'W#~', ':one': 0 },
    });
    const res = await t.call('POST', '/workouts', { as, body: workout() });
    assert.equal(res.status, 201, res.text);
    const patched = await t.call('PATCH', `/workouts/${res.body.workoutId}`, {
      as,
      body: { durationMinutes: 50 },
    });
    assert.equal(patched.status, 200);
  });

  test('erases a user who logged workouts without a profile; an admin may erase anyone', async () => {
    assert.equal((await t.call('POST', '/workouts', { as: 'no-profile', body: workout() })).status, 201);
    assert.equal((await t.call('DELETE', '/users/no-profile', { as: 'root', admin: true })).status, 204);
    assert.deepEqual(await t.partition('no-profile'), []);
  });
});
