/** Cell parsing shared by the import formats: numbers, durations, dates, activity types, ids. */

/** A number as spreadsheets and exports write it ("1,234.5" included); null when empty or not one. */
export function parseNumber(cell: string | undefined): number | null {
  const s = (cell ?? '').trim();
  if (!s) return null;
  const plain = /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s) ? s.replaceAll(',', '') : s;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(plain)) return null;
  const n = Number(plain);
  return Number.isFinite(n) ? n : null;
}

/** Rounds to `digits` decimals (the service takes at most 2 for calories, 3 for kilometres). */
export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Seconds from "1520", "25:20" or "1:02:03"; null when not a duration. */
export function parseClock(cell: string | undefined): number | null {
  const s = (cell ?? '').trim();
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$/.exec(s);
  if (m) {
    const [, h, min, sec] = m;
    return Number(h ?? 0) * 3600 + Number(min) * 60 + Number(sec);
  }
  return parseNumber(s);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number): string | null {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (date.getUTCDate() !== d || date.getUTCMonth() !== mo - 1) return null; // Feb 30 and the like
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}Z`;
}

/**
 * Strava's export date, in UTC: "Mar 5, 2024, 7:15:42 AM" (any spacing before AM/PM, including
 * the narrow no-break space newer formatters write, "Sept" too), or "2024-03-05 07:15:42".
 * Returns RFC 3339 with `Z`, or null.
 */
export function parseStravaDate(cell: string): string | null {
  const s = cell.trim().replace(/[\s\u00a0\u202f]+/g, ' ');
  let m = /^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp][Mm])?$/.exec(s);
  if (m) {
    const [, mon = '', d, y, h, mi, sec, ampm] = m;
    const month = MONTHS.indexOf(mon.slice(0, 3).toLowerCase()) + 1;
    if (!month) return null;
    let hour = Number(h);
    if (ampm) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (ampm.toLowerCase() === 'pm' ? 12 : 0);
    }
    return utc(Number(y), month, Number(d), hour, Number(mi), Number(sec ?? 0));
  }
  m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec] = m;
    return utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec ?? 0));
  }
  return null;
}

/** RFC 3339 with `Z` or an offset, as the service takes it (it checks the range itself). */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Type names compared loosely: "Weight Training", "WeightTraining" and "weight_training" match. */
export const typeKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The service's default workout types. */
export const DEFAULT_TYPES = [
  'running',
  'cycling',
  'swimming',
  'weightlifting',
  'yoga',
  'crossfit',
  'hiking',
  'walking',
] as const;

/**
 * Strava activity types (as the export's "Activity Type" column and the API's sport_type write
 * them) and the service's type each becomes. Anything else is skipped unless `--map` names it.
 */
export const STRAVA_TYPES: Record<string, string> = {
  Run: 'running',
  'Trail Run': 'running',
  'Virtual Run': 'running',
  Ride: 'cycling',
  'Virtual Ride': 'cycling',
  'Mountain Bike Ride': 'cycling',
  'Gravel Ride': 'cycling',
  'E-Bike Ride': 'cycling',
  'E-Mountain Bike Ride': 'cycling',
  Velomobile: 'cycling',
  Handcycle: 'cycling',
  Swim: 'swimming',
  'Weight Training': 'weightlifting',
  Yoga: 'yoga',
  Crossfit: 'crossfit',
  Hike: 'hiking',
  Walk: 'walking',
};

/** Resolves a source type name: the user's `--map` first, then a service type by name, then Strava's table. */
export function typeResolver(
  map: Record<string, string> = {},
  types: readonly string[] = DEFAULT_TYPES,
): (name: string) => string | null {
  const table = new Map<string, string>();
  for (const [from, to] of Object.entries(STRAVA_TYPES)) table.set(typeKey(from), to);
  for (const t of types) table.set(typeKey(t), t);
  for (const [from, to] of Object.entries(map)) table.set(typeKey(from), to);
  return (name) => table.get(typeKey(name)) ?? null;
}

/** Text made safe for the service's notes: well-formed Unicode, at most `max` UTF-16 units. */
export function noteText(text: string, max = 1000): string {
  const s = text.toWellFormed().trim();
  if (s.length <= max) return s;
  let out = '';
  for (const ch of s) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return out + '…';
}

/** A stable id from a workout's content (for files without ids): re-importing stores it once. */
export async function contentId(prefix: string, workout: Record<string, unknown>): Promise<string> {
  const keys = Object.keys(workout).sort();
  const canonical = JSON.stringify(keys.map((k) => [k, workout[k]]));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical));
  const bytes = new Uint8Array(digest).slice(0, 12);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `${prefix}-${btoa(bin).replaceAll('+', '-').replaceAll('/', '_')}`;
}
