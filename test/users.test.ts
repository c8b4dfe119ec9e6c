/** Users: create, read, update, erase; validation and access rules. Real HTTP, DynamoDB Local. */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { startTestService, workout, type Response, type TestService } from './helpers.ts';
import { rejectedFor } from './support/snapshot.ts';

let t: TestService;
before(async () => {
  t = await startTestService();
});

const rejected = (status: number, users: string[], send: () => Promise<Response>) =>
  rejectedFor(t, status, users, send);

describe('POST /users', () => {
  test('creates the caller profile with defaults, trimmed name and Location', async () => {
    const res = await t.call('POST', '/users', {
      as: 'u1',
      body: { displayName: '  Ana  ', weightKg: 61.5 },
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('location'), '/users/u1');
    assert.equal(res.body.userId, 'u1');
    assert.equal(res.body.displayName, 'Ana');
    assert.equal(res.body.weightKg, 61.5);
    assert.equal(res.body.timezone, 'UTC');
    assert.equal(res.body.createdAt, res.body.updatedAt);
    assert.ok(!Number.isNaN(Date.parse(String(res.body.createdAt))));
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
    const res = await rejected(409, ['u1'], () =>
      t.call('POST', '/users', { as: 'u1', body: { displayName: 'Someone else' } }),
    );
    assert.match(String(res.body.detail), /exists/);
  });

  test('every invalid field is named, nothing is written', async () => {
    const res = await rejected(400, ['u3'], () =>
      t.call('POST', '/users', {
        as: 'u3',
        body: { displayName: '   ', weightKg: 19.5, timezone: 'Mars/Olympus', height: 180 },
      }),
    );
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path).sort();
    assert.deepEqual(paths, ['displayName', 'height', 'timezone', 'weightKg']);
    assert.equal(res.body.detail, '4 fields are invalid');
  });

  for (const [name, body, path] of [
    ['missing name', {}, 'displayName'],
    ['name too long', { displayName: 'x'.repeat(101) }, 'displayName'],
    ['name not a string', { displayName: 5 }, 'displayName'],
    ['weight too high', { displayName: 'A', weightKg: 400.01 }, 'weightKg'],
    ['weight a string', { displayName: 'A', weightKg: '60' }, 'weightKg'],
    ['zone an offset', { displayName: 'A', timezone: '+01:00' }, 'timezone'],
    ['bad userId', { displayName: 'A', userId: 'no spaces allowed' }, 'userId'],
  ] as const) {
    test(`400 for ${name}`, async () => {
      const res = await rejected(400, ['u4'], () => t.call('POST', '/users', { as: 'u4', body }));
      assert.deepEqual(
        (res.body.errors as { path: string }[]).map((e) => e.path),
        [path],
      );
    });
  }

  test('a user may not create another user; an admin may', async () => {
    await rejected(403, ['u5', 'other-user'], () =>
      t.call('POST', '/users', { as: 'u5', body: { userId: 'other-user', displayName: 'X' } }),
    );
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
    await rejected(404, ['nobody'], () => t.call('GET', '/users/nobody', { as: 'nobody' }));
    await rejected(403, ['u1'], () => t.call('GET', '/users/u1', { as: 'u2' }));
    assert.equal((await t.call('GET', '/users/u1', { as: 'root', admin: true })).status, 200);
    await rejected(400, [], () => t.call('GET', `/users/${'x'.repeat(129)}`, { as: 'u1' }));
  });

  test('partial update; null removes the weight; updatedAt moves', async () => {
    const before = (await t.call('GET', '/users/u1', { as: 'u1' })).body;
    const res = await t.call('PATCH', '/users/u1', { as: 'u1', body: { displayName: 'Ana M.' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.displayName, 'Ana M.');
    assert.equal(res.body.weightKg, 61.5);
    assert.equal(res.body.createdAt, before.createdAt);
    assert.ok(String(res.body.updatedAt) >= String(before.updatedAt));
    const cleared = await t.call('PATCH', '/users/u1', { as: 'u1', body: { weightKg: null } });
    assert.equal(cleared.status, 200);
    assert.equal('weightKg' in cleared.body, false);
    assert.equal('weightKg' in (await t.call('GET', '/users/u1', { as: 'u1' })).body, false);
  });

  test('rejected updates write nothing', async () => {
    await rejected(400, ['u1'], () =>
      t.call('PATCH', '/users/u1', { as: 'u1', body: { timezone: 'Nowhere/Land' } }),
    );
    await rejected(400, ['u1'], () => t.call('PATCH', '/users/u1', { as: 'u1', body: { userId: 'u9' } }));
    await rejected(403, ['u1'], () =>
      t.call('PATCH', '/users/u1', { as: 'u2', body: { displayName: 'Hacked' } }),
    );
    await rejected(404, ['ghost'], () =>
      t.call('PATCH', '/users/ghost', { as: 'ghost', body: { displayName: 'G' } }),
    );
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
    await rejected(403, [as], () => t.call('DELETE', `/users/${as}`, { as: 'u1' }));

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
    // What a POST racing the erasure leaves: its STATS update (zone Lisbon), but no profile.
    await t.db.call('UpdateItem', {
      TableName: t.tableName,
      Key: { pk: `U#${as}`, sk: 'STATS' },
      UpdateExpression: 'SET tz = :tz, lsi1 = :l ADD n :one',
      ExpressionAttributeValues: { ':tz': 'Europe/Lisbon', ':l': 'W#~', ':one': 0 },
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
