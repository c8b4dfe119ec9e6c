/**
 * The ground truth for statistics: a recount from the stored workout items themselves, compared
 * with the STATS item, every day bucket, and (when given) a `GET /stats` answer. Written without
 * the store's own arithmetic, so a bug there cannot hide itself.
 */
import type { Db, Item } from '../src/store/dynamodb.ts';
import { pk } from '../src/store/keys.ts';
import { queryAll } from '../src/store/query.ts';

/** Totals as integers of thousandths: exact to compare. Durations in seconds, as the store sums them. */
interface Sums {
  count: number;
  sec: number;
  cal: number;
  dist: number;
}

const milli = (v: unknown) => Math.round(Number(v ?? 0) * 1000);
const zero = (): Sums => ({ count: 0, sec: 0, cal: 0, dist: 0 });
const show = (s: Sums) =>
  `count ${s.count}, seconds ${s.sec / 1000}, calories ${s.cal / 1000}, distance ${s.dist / 1000}`;
const same = (a: Sums, b: Sums) =>
  a.count === b.count && a.sec === b.sec && a.cal === b.cal && a.dist === b.dist;

export async function partitionItems(db: Db, tableName: string, userId: string): Promise<Item[]> {
  return queryAll(db, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk(userId) },
    ConsistentRead: true,
  });
}

/** Counters as the store writes them: `n`, `sec`, `cal`, `dist`, and `n#<type>` ... per type. */
function readCounters(item: Item | undefined, suffix = ''): Sums {
  return {
    count: Number(item?.[`n${suffix}`] ?? 0),
    sec: milli(item?.[`sec${suffix}`]),
    cal: milli(item?.[`cal${suffix}`]),
    dist: milli(item?.[`dist${suffix}`]),
  };
}

function add(s: Sums, w: Item): void {
  s.count += 1;
  s.sec += milli(w.durationSeconds);
  s.cal += milli(w.caloriesBurned);
  s.dist += milli(w.distanceKm);
}

export interface StatsAnswer {
  totalWorkouts: number;
  totalDurationSeconds: number;
  totalCaloriesBurned: number;
  totalDistanceKm: number;
  workoutTypeBreakdown: Record<
    string,
    { count: number; durationSeconds: number; caloriesBurned: number; distanceKm: number }
  >;
}

export interface Recount {
  workouts: Item[];
  total: Sums;
  /** Every difference between the recount and what the service keeps or answered; empty when exact. */
  problems: string[];
}

/**
 * Recounts a user's workouts and lists every way the STATS item, the day buckets or the given
 * statistics answer differ from it.
 */
export async function recountUser(
  db: Db,
  tableName: string,
  userId: string,
  answer?: StatsAnswer,
): Promise<Recount> {
  const items = await partitionItems(db, tableName, userId);
  const workouts = items.filter((i) => String(i.sk).startsWith('W#'));
  const statsItem = items.find((i) => i.sk === 'STATS');
  const problems: string[] = [];

  const total = zero();
  const byType = new Map<string, Sums>();
  const byDay = new Map<string, Sums>();
  const ids = new Set<string>();
  for (const w of workouts) {
    add(total, w);
    const type = String(w.workoutType);
    if (!byType.has(type)) byType.set(type, zero());
    add(byType.get(type)!, w);
    const day = String(w.localDate);
    if (!byDay.has(day)) byDay.set(day, zero());
    add(byDay.get(day)!, w);
    if (ids.has(String(w.workoutId))) problems.push(`workout ${String(w.workoutId)} stored twice`);
    ids.add(String(w.workoutId));
  }

  const kept = readCounters(statsItem);
  if (!same(kept, total)) problems.push(`STATS item: ${show(kept)}; recount: ${show(total)}`);
  const keptTypes = new Set(
    Object.keys(statsItem ?? {})
      .filter((k) => k.startsWith('n#'))
      .map((k) => k.slice(2)),
  );
  for (const type of new Set([...keptTypes, ...byType.keys()])) {
    const k = readCounters(statsItem, `#${type}`);
    const r = byType.get(type) ?? zero();
    if (!same(k, r)) problems.push(`STATS item, ${type}: ${show(k)}; recount: ${show(r)}`);
  }

  const buckets = items.filter((i) => String(i.sk).startsWith('D#'));
  const bucketDays = new Set(buckets.map((b) => String(b.sk).slice(2)));
  for (const day of new Set([...bucketDays, ...byDay.keys()])) {
    const b = readCounters(buckets.find((i) => i.sk === `D#${day}`));
    const r = byDay.get(day) ?? zero();
    if (!same(b, r)) problems.push(`day bucket ${day}: ${show(b)}; recount: ${show(r)}`);
  }

  if (answer) {
    const a: Sums = {
      count: answer.totalWorkouts,
      sec: milli(answer.totalDurationSeconds),
      cal: milli(answer.totalCaloriesBurned),
      dist: milli(answer.totalDistanceKm),
    };
    if (!same(a, total)) problems.push(`GET /stats: ${show(a)}; recount: ${show(total)}`);
    for (const type of new Set([...Object.keys(answer.workoutTypeBreakdown ?? {}), ...byType.keys()])) {
      const t = answer.workoutTypeBreakdown?.[type];
      const got: Sums = t
        ? {
            count: t.count,
            sec: milli(t.durationSeconds),
            cal: milli(t.caloriesBurned),
            dist: milli(t.distanceKm),
          }
        : zero();
      const r = byType.get(type) ?? zero();
      if (!same(got, r)) problems.push(`GET /stats, ${type}: ${show(got)}; recount: ${show(r)}`);
    }
  }
  return { workouts, total, problems };
}
