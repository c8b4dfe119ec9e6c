import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestService, workout } from './helpers.ts';

test('a workout logged over HTTP shows in the statistics', async () => {
  const t = await startTestService();
  const created = await t.call('POST', '/workouts', { body: workout({ workoutId: 'smoke-1' }) });
  assert.equal(created.status, 201);
  const stats = await t.call<{ totalWorkouts: number }>('GET', '/stats/ana');
  assert.equal(stats.status, 200);
  assert.equal(stats.body.totalWorkouts, 1);
});
