/**
 * `from` / `to` ranges. A bound is a date-time (an instant, compared with `startedAt`) or a
 * `YYYY-MM-DD` date (compared with the workout's `localDate`); `from` is inclusive, `to`
 * exclusive. Since a local date can be up to a day away from the UTC date of its instant
 * (offsets reach ±23:59), every rule here widens instant windows by one day and filters exactly.
 */
import {
  addDays,
  addMonths,
  daysBetween,
  isUtcForm,
  localDate,
  parseDate,
  parseDateTime,
  periodEnd,
  periodStart,
  type Granularity,
} from './time.ts';

const DAY_MS = 86_400_000;
/** Farther than any offset a local date can be from its instant's UTC date. */
const OFFSET_SLACK_MS = DAY_MS;

/** A range rule broken by otherwise valid parameters (the API's 400 `invalid_range`). */
export class RangeRuleError extends Error {
  override name = 'RangeRuleError';
  constructor(
    readonly path: 'from' | 'to',
    message: string,
  ) {
    super(message);
  }
}

export interface WorkoutRange {
  fromMs?: number;
  toMs?: number;
  fromDate?: string;
  toDate?: string;
}

const utcMidnight = (date: string) => Date.parse(`${date}T00:00:00Z`);
const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Parses validated bounds; `to` must come after `from`. */
export function workoutRange(from: string | undefined, to: string | undefined): WorkoutRange {
  const r: WorkoutRange = {};
  if (from !== undefined) {
    if (parseDate(from)) r.fromDate = from;
    else r.fromMs = parseDateTime(from)!;
  }
  if (to !== undefined) {
    if (parseDate(to)) r.toDate = to;
    else r.toMs = parseDateTime(to)!;
  }
  const lo = r.fromMs ?? (r.fromDate !== undefined ? utcMidnight(r.fromDate) : undefined);
  const hi = r.toMs ?? (r.toDate !== undefined ? utcMidnight(r.toDate) : undefined);
  if (lo !== undefined && hi !== undefined && lo >= hi) throw new RangeRuleError('to', 'must be after from');
  return r;
}

export const isOpen = (r: WorkoutRange) =>
  r.fromMs === undefined && r.toMs === undefined && r.fromDate === undefined && r.toDate === undefined;

/** True when a workout is inside the range. */
export function inRange(r: WorkoutRange, w: { startedAt: string; localDate: string }): boolean {
  const ms = parseDateTime(w.startedAt)!;
  return (
    (r.fromMs === undefined || ms >= r.fromMs) &&
    (r.toMs === undefined || ms < r.toMs) &&
    (r.fromDate === undefined || w.localDate >= r.fromDate) &&
    (r.toDate === undefined || w.localDate < r.toDate)
  );
}

/** The window of start instants [loMs, hiMs) that holds every workout of the range. */
export function startedWindow(r: WorkoutRange): { loMs?: number; hiMs?: number } {
  const lows = [r.fromMs, r.fromDate && utcMidnight(r.fromDate) - OFFSET_SLACK_MS].filter(isNumber);
  const highs = [r.toMs, r.toDate && utcMidnight(r.toDate) + OFFSET_SLACK_MS].filter(isNumber);
  return {
    ...(lows.length ? { loMs: Math.max(...lows) } : {}),
    ...(highs.length ? { hiMs: Math.min(...highs) } : {}),
  };
}

const isNumber = (v: unknown): v is number => typeof v === 'number';

/**
 * How to sum a range exactly at a cost bounded by its length: the day buckets of the local dates
 * [first, end) whose every workout is inside the range (an open end is undefined), plus the
 * workouts started inside `edges` that are in the range but not on those days.
 */
export interface RangePlan {
  days: { first?: string; end?: string } | null;
  edges: { loMs?: number; hiMs?: number }[];
}

export function rangePlan(r: WorkoutRange): RangePlan {
  // Dates only: the buckets of those local dates are the whole answer.
  if (r.fromMs === undefined && r.toMs === undefined) {
    return {
      days: { ...(r.fromDate ? { first: r.fromDate } : {}), ...(r.toDate ? { end: r.toDate } : {}) },
      edges: [],
    };
  }
  const window = startedWindow(r);
  // Days all of whose workouts start inside [fromMs, toMs): a day's starts lie within a day of its UTC midnights.
  const firsts = [r.fromDate, r.fromMs !== undefined ? ceilDate(r.fromMs + OFFSET_SLACK_MS) : undefined];
  const ends = [r.toDate, r.toMs !== undefined ? utcDate(r.toMs - OFFSET_SLACK_MS) : undefined];
  const first = maxDate(firsts);
  const end = minDate(ends);
  if (first !== undefined && end !== undefined && first >= end) return { days: null, edges: [window] };
  const edges: { loMs?: number; hiMs?: number }[] = [];
  if (first !== undefined) {
    const hiMs = Math.min(utcMidnight(first) + OFFSET_SLACK_MS, window.hiMs ?? Infinity);
    edges.push({ ...(window.loMs !== undefined ? { loMs: window.loMs } : {}), hiMs });
  }
  if (end !== undefined) {
    const loMs = Math.max(utcMidnight(end) - OFFSET_SLACK_MS, window.loMs ?? -Infinity);
    edges.push({ loMs, ...(window.hiMs !== undefined ? { hiMs: window.hiMs } : {}) });
  }
  return { days: { ...(first ? { first } : {}), ...(end ? { end } : {}) }, edges };
}

/** The first UTC date whose midnight is at or after the instant. */
function ceilDate(ms: number): string {
  const d = utcDate(ms);
  return utcMidnight(d) === ms ? d : addDays(d, 1);
}

const maxDate = (ds: (string | undefined)[]) =>
  ds
    .filter((d): d is string => d !== undefined)
    .reduce<string | undefined>((a, b) => (a && a > b ? a : b), undefined);
const minDate = (ds: (string | undefined)[]) =>
  ds
    .filter((d): d is string => d !== undefined)
    .reduce<string | undefined>((a, b) => (a && a < b ? a : b), undefined);

/** Longest range per granularity, so one series reads a bounded number of day buckets. */
export const MAX_RANGE_DAYS: Record<Granularity, number> = { day: 366, week: 7 * 157, month: 1096 };

/** How far back a series goes when `from` is not given. */
function defaultFirst(last: string, g: Granularity): string {
  if (g === 'day') return addDays(last, -29);
  if (g === 'week') return addDays(periodStart(last, 'week'), -7 * 11);
  return addMonths(periodStart(last, 'month'), -11);
}

/** The local date of a date-time bound: its own offset's date, or (for `Z`) the date in `zone`. */
function boundDate(text: string, zone: string, offsetMs = 0): string {
  const ms = parseDateTime(text)! + offsetMs;
  if (isUtcForm(text)) return localDate(ms, zone);
  const shifted = text.slice(19).replace(/^\.\d+/, ''); // the offset, e.g. +01:00
  const sign = shifted[0] === '-' ? -1 : 1;
  const offset = sign * (Number(shifted.slice(1, 3)) * 60 + Number(shifted.slice(4, 6))) * 60_000;
  return utcDate(ms + offset);
}

/**
 * Local dates [first, end) of a series: the whole periods that [from, to) touches. A date-time
 * bound counts on its local date (its own offset; `Z` in `zone`); `to` is exclusive.
 */
export function seriesRange(
  g: Granularity,
  zone: string,
  from: string | undefined,
  to: string | undefined,
  now = Date.now(),
): { first: string; end: string } {
  const lastDay =
    to === undefined ? localDate(now, zone) : parseDate(to) ? addDays(to, -1) : boundDate(to, zone, -1);
  const firstDay = from === undefined ? defaultFirst(lastDay, g) : (parseDate(from) ?? boundDate(from, zone));
  if (firstDay > lastDay) throw new RangeRuleError('to', 'must be after from');
  const first = periodStart(firstDay, g);
  const end = periodEnd(periodStart(lastDay, g), g);
  if (daysBetween(first, end) > MAX_RANGE_DAYS[g]) {
    throw new RangeRuleError('from', `the range may span at most ${MAX_RANGE_DAYS[g]} days for ${g}s`);
  }
  return { first, end };
}
