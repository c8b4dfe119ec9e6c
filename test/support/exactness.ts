/**
 * Exact statistics, for the tests: the recount itself lives in support/exactness.ts (shared with
 * the benchmarks); this adds what a test asserts on top of it (GET /stats, per-type day buckets,
 * the partition's item kinds, STATS lastChange).
 */
import type { Item } from '../../src/store/dynamodb.ts';
import { partitionItems, recountUser, type Recount, type StatsAnswer } from '../../support/exactness.ts';
import type { TestService } from '../helpers.ts';

export * from '../../support/exactness.ts';

const milli = (v: unknown) => Math.round(Number(v ?? 0) * 1000);
const KINDS = /^(PROFILE|STATS|W#.+|D#\d{4}-\d{2}-\d{2}|C#.+)$/;

/** What recountUser does not look at: per-type counters of each day bucket, item kinds, lastChange. */
function partitionProblems(items: Item[]): string[] {
  const problems: string[] = [];
  const workouts = items.filter((i) => String(i.sk).startsWith('W#'));
  const stats = items.find((i) => i.sk === 'STATS');
  for (const i of items) if (!KINDS.test(String(i.sk))) problems.push(`unexpected item ${String(i.sk)}`);
  if (workouts.length > 0 && typeof stats?.lastChange !== 'string') problems.push('STATS has no lastChange');
  for (const c of items.filter((i) => String(i.sk).startsWith('C#'))) {
    if (String(c.sk).slice(2) > String(stats?.lastChange))
      problems.push(`change entry ${String(c.sk)} is after STATS lastChange ${String(stats?.lastChange)}`);
  }
  // Per day and type: count, seconds, calories, distance.
  const want = new Map<string, number[]>();
  for (const w of workouts) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(String(w.localDate)))
      problems.push(`workout ${String(w.workoutId)}: localDate ${String(w.localDate)}`);
    const k = `${String(w.localDate)}#${String(w.workoutType)}`;
    const s = want.get(k) ?? [0, 0, 0, 0];
    want.set(k, [
      s[0]! + 1,
      s[1]! + milli(w.durationSeconds),
      s[2]! + milli(w.caloriesBurned),
      s[3]! + milli(w.distanceKm),
    ]);
  }
  const kept = new Map<string, number[]>();
  for (const b of items.filter((i) => String(i.sk).startsWith('D#'))) {
    for (const key of Object.keys(b).filter((a) => a.startsWith('n#'))) {
      const type = key.slice(2);
      const got = [
        Number(b[`n#${type}`] ?? 0),
        milli(b[`sec#${type}`]),
        milli(b[`cal#${type}`]),
        milli(b[`dist#${type}`]),
      ];
      if (got.some((v) => v !== 0)) kept.set(`${String(b.sk).slice(2)}#${type}`, got);
    }
  }
  for (const k of new Set([...want.keys(), ...kept.keys()])) {
    const a = JSON.stringify(kept.get(k) ?? [0, 0, 0, 0]);
    const b = JSON.stringify(want.get(k) ?? [0, 0, 0, 0]);
    if (a !== b) problems.push(`day bucket ${k} (count, ms, cal, dist ×1000): ${a}; recount: ${b}`);
  }
  return problems;
}

/**
 * Asserts that a user's statistics are exact: `GET /stats/{userId}` (read as an admin), the STATS
 * item and every day bucket (overall and per type) equal a recount of the stored workouts.
 */
export async function assertStatsExact(
  t: Pick<TestService, 'db' | 'tableName' | 'call'>,
  userId: string,
): Promise<Recount> {
  const res = await t.call<StatsAnswer & { totalDurationMinutes: number }>('GET', `/stats/${userId}`, {
    as: 'exactness-check',
    admin: true,
  });
  if (res.status !== 200) throw new Error(`GET /stats/${userId}: ${res.status} ${res.text}`);
  const r = await recountUser(t.db, t.tableName, userId, res.body);
  const problems = [...r.problems, ...partitionProblems(await partitionItems(t.db, t.tableName, userId))];
  // Minutes are the exact seconds shown to 0.01.
  if (Math.abs(res.body.totalDurationMinutes - res.body.totalDurationSeconds / 60) > 0.005 + 1e-9)
    problems.push(`GET /stats: ${res.body.totalDurationMinutes} min for ${res.body.totalDurationSeconds} s`);
  if (problems.length)
    throw new Error(`statistics of ${userId} differ from a recount:\n${problems.slice(0, 20).join('\n')}`);
  return r;
}
