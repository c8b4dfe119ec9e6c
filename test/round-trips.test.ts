/**
 * DynamoDB requests per API call, counted on the client the service uses: a typical log is ONE
 * request when the body carries what the server would look up (its own offset or zone, and
 * calories); the statistics read is one Query whatever the history.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
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
  // A retry: the transaction's condition fails, the stored workout is read and returned.
  assert.deepEqual(await count(() => t.call('POST', '/workouts', { body: own }), 200), [
    'TransactWriteItems',
    'GetItem',
  ]);
  assert.deepEqual(await count(() => t.call('GET', '/stats/me'), 200), ['Query']);
});
