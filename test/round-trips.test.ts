/**
 * DynamoDB requests per API call, counted on the client the service uses: a typical log is ONE
 * request when the body carries what the server would look up (its own offset or zone, and
 * calories); the statistics read is one Query whatever the history; a retry is one request, and
 * a write that lost a race gets what it lost to with the failure, so its redo reads nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addCounters } from '../src/domain/stats.ts';
import { readStats, statsUpdate } from '../src/store/counters.ts';
import { ConditionsFailed, transact } from '../src/store/transact.ts';
import { getStoredWorkout, replaceWorkout, toStoredWorkout } from '../src/store/workouts.ts';
import { startTestService, workout } from './helpers.ts';

test('requests per call: a self-contained log is one transaction; stats one Query', async () => {
  const seen: string[] = [];
  const t = await startTestService({ onRequest: (op) => seen.push(op) });
  const count = async (call: () => Promise<{ status: number }>, status: number) => {
    seen.length = 0;
    assert.equal((await call()).status, status);
    return [...seen];
  };

  // Own offset and calories: nothing to look up.
  const own = workout({ workoutId: 'own', caloriesBurned: 420.5 });
  assert.deepEqual(await count(() => t.call('POST', '/workouts', { body: own }), 201), [
    'TransactWriteItems',
  ]);
  // Own zone with a Z time, and calories: still one.
  const zoned = workout({
    workoutId: 'zoned',
    startedAt: '2026-11-20T06:30:00Z',
    timezone: 'Asia/Tokyo',
    caloriesBurned: 300,
  });
  assert.deepEqual(await count(() => t.call('POST', '/workouts', { body: zoned }), 201), [
    'TransactWriteItems',
  ]);
  // A Z time without a zone, or no calories: the profile is read first.
  const bare = workout({ workoutId: 'bare', startedAt: '2026-11-20T06:30:00Z' });
  assert.deepEqual(await count(() => t.call('POST', '/workouts', { body: bare }), 201), [
    'GetItem',
    'TransactWriteItems',
  ]);
  // A retry: the transaction's condition fails and carries the stored workout, which is returned.
  assert.deepEqual(await count(() => t.call('POST', '/workouts', { body: own }), 200), [
    'TransactWriteItems',
  ]);
  // A batch, then the same batch resent: one transaction each; the refused one carries the
  // stored workouts, so every item is answered 200 without a read.
  const items = [1, 2, 3].map((i) => workout({ workoutId: `b${i}`, caloriesBurned: 300 }));
  assert.deepEqual(await count(() => t.call('POST', '/workouts/batch', { body: { workouts: items } }), 200), [
    'TransactWriteItems',
  ]);
  seen.length = 0;
  const resent = await t.call<{ results: { status: number }[] }>('POST', '/workouts/batch', {
    body: { workouts: items },
  });
  assert.deepEqual(
    resent.body.results.map((r) => r.status),
    [200, 200, 200],
  );
  assert.deepEqual(seen, ['TransactWriteItems']);
  assert.deepEqual(await count(() => t.call('GET', '/stats/me'), 200), ['Query']);
  // A profile created, then the same body again: the replay is one refused transaction too.
  const profile = { displayName: 'Ana', timezone: 'Europe/Lisbon' };
  assert.deepEqual(await count(() => t.call('POST', '/users', { body: profile }), 201), [
    'TransactWriteItems',
  ]);
  assert.deepEqual(await count(() => t.call('POST', '/users', { body: profile }), 200), [
    'TransactWriteItems',
  ]);
});

test('a lost race comes back with the items it lost to: the redo reads nothing first', async () => {
  const t = await startTestService();
  const table = { db: t.db, name: t.tableName };
  const created = await t.call<{ localDate: string }>('POST', '/workouts', {
    as: 'racer',
    body: workout({ workoutId: 'r1' }),
  });
  assert.equal(created.status, 201);
  const stored = (await getStoredWorkout(table, 'racer', 'r1'))!;
  const stats = await readStats(table, 'racer');

  // A write conditioned on a version that is gone, and a change stamp older than the last.
  const lost = await transact(table, [
    replaceWorkout(table, { ...stored, version: 8 }, 7),
    statsUpdate(table, 'racer', addCounters(), '2000-01-01T00:00:00.000Z'),
  ]).then(
    () => assert.fail('the transaction should have been cancelled'),
    (err: unknown) => err,
  );
  assert.ok(lost instanceof ConditionsFailed);
  assert.deepEqual([...lost.failed].sort(), ['stats', 'workout']);
  assert.deepEqual(toStoredWorkout(lost.items.get('workout')!), stored);
  assert.equal(lost.items.get('stats')!.lastChange, stats.lastChange);
  // The failed transaction wrote nothing.
  assert.deepEqual(await getStoredWorkout(table, 'racer', 'r1'), stored);
});
