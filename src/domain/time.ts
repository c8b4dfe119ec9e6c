/**
 * Instants, calendar dates and time zones. Dates are `YYYY-MM-DD` strings in a named IANA zone;
 * instants are epoch milliseconds. Only Intl is used: Lambda's Node ships full ICU.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * Parses an RFC 3339 date-time that has `Z` or an offset; null when malformed or impossible
 * (2026-02-30, 25:00, offset +24:00).
 */
export function parseDateTime(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as string[];
  if (!isRealDate(Number(y), Number(mo), Number(d))) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const oh = Number(zone!.slice(1, 3));
    const om = Number(zone!.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offsetMin = (zone![0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = frac ? Math.floor(Number(frac) * 1000) : 0;
  const local = utcInstant(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms);
  return local - offsetMin * 60_000;
}

/** Parses `YYYY-MM-DD`; null when malformed or impossible. */
export function parseDate(text: string): string | null {
  const m = DATE.exec(text);
  if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) return null;
  return text;
}

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** Date.UTC, except that years 0-99 stay years 0-99 (Date.UTC reads them as 1900-1999). */
function utcInstant(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

/** Fixed-width UTC form, so that keys sort in time order: `2026-11-20T06:30:00.000Z`. */
export function utcKey(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The canonical name of an IANA time zone (`europe/lisbon` → `Europe/Lisbon`), or null when the
 * runtime does not know it. Offsets such as `+01:00` are not zone names and are refused.
 */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name) || name.length > 64) return null;
  const known = zoneNames.get(name);
  if (known !== undefined) return known;
  let canonical: string | null;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    canonical = null;
  }
  // Building a formatter costs ~0.2 ms; names repeat. Bounded: a client may send any string.
  if (zoneNames.size >= 1000) zoneNames.clear();
  zoneNames.set(name, canonical);
  return canonical;
}
const zoneNames = new Map<string, string | null>();

/** The calendar date of an instant in a time zone. */
export function localDate(epochMs: number, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD; years before 1000 cannot occur (startedAt ≥ 1970).
  return formatter(timeZone).format(epochMs);
}

/**
 * The first instant of a local date in a time zone (local midnight, or the first second after a
 * DST gap that swallowed midnight). Binary search over seconds: some historical offsets are not
 * whole minutes (Africa/Monrovia was UTC-0:44:30 until 1972).
 */
export function startOfLocalDay(date: string, timeZone: string): number {
  let lo = Date.parse(`${date}T00:00:00Z`) / 1000 - 18 * 3600; // no zone is ahead of UTC+14
  let hi = lo + 36 * 3600; // nor behind UTC-12
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDate(mid * 1000, timeZone) < date) lo = mid + 1;
    else hi = mid;
  }
  return lo * 1000;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Monday of the ISO week that holds the date. */
export function weekStart(date: string): string {
  const dow = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(date, -dow);
}

export function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

export function addMonths(date: string, months: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  return new Date(Date.UTC(y + Math.floor(m / 12), ((m % 12) + 12) % 12, 1)).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** The first local date of the period that holds `date`. */
export function periodStart(date: string, g: Granularity): string {
  return g === 'day' ? date : g === 'week' ? weekStart(date) : monthStart(date);
}

/** The first local date after the period that starts at `start`. */
export function periodEnd(start: string, g: Granularity): string {
  if (g === 'day') return addDays(start, 1);
  if (g === 'week') return addDays(start, 7);
  return addMonths(start, 1);
}

/** True when an RFC 3339 date-time is written in UTC (`Z`), so it carries no local offset. */
export function isUtcForm(dateTime: string): boolean {
  return /[Zz]$/.test(dateTime);
}
