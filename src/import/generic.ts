/**
 * A generic CSV: a header row, then one workout a row. `--columns field=Header,...` names the
 * column of each field; a field not named there is read from a column of its own name (case
 * ignored), so the CSV that `workout-log export --format csv` writes imports as it is.
 */
import type { CsvRecord } from './csv.ts';
import {
  ImportFormatError,
  WORKOUT_FIELDS,
  type ParseResult,
  type WorkoutField,
  type WorkoutInput,
} from './types.ts';
import { RFC3339, contentId, noteText, parseClock, parseNumber, parseStravaDate } from './values.ts';

export function genericColumns(header: string[], columns: Partial<Record<WorkoutField, string>> = {}) {
  const byName = new Map<string, number>();
  header.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (!byName.has(key)) byName.set(key, i);
  });
  const positions: Partial<Record<WorkoutField, number>> = {};
  for (const field of WORKOUT_FIELDS) {
    const named = columns[field];
    const i = byName.get((named ?? field).trim().toLowerCase());
    if (named !== undefined && i === undefined) {
      throw new ImportFormatError(`--columns ${field}=${named}: the header has no column "${named}"`);
    }
    if (i !== undefined) positions[field] = i;
  }
  const missing = (['workoutType', 'startedAt'] as const).filter((f) => positions[f] === undefined);
  if (positions.durationMinutes === undefined && positions.durationSeconds === undefined) {
    missing.push('durationMinutes or durationSeconds' as never);
  }
  if (missing.length) {
    throw new ImportFormatError(
      `no column for ${missing.join(', ')}: name them with --columns (e.g. --columns workoutType=Type,startedAt=Date,durationMinutes=Minutes)`,
    );
  }
  return { width: header.length, positions };
}
export type GenericColumns = ReturnType<typeof genericColumns>;

const NUMERIC = ['caloriesBurned', 'distanceKm', 'avgHeartRate', 'durationMinutes'] as const;
const TEXT = ['workoutId', 'userId', 'timezone', 'intensity'] as const;

export async function genericWorkout(
  cols: GenericColumns,
  record: CsvRecord,
  resolveType: (name: string) => string | null,
): Promise<ParseResult> {
  const { row, line, fields } = record;
  const fail = (error: string): ParseResult => ({ row, line, error });
  if (record.problem) return fail(record.problem);
  if (fields.length !== cols.width) return fail(`has ${fields.length} cells, the header has ${cols.width}`);
  const cell = (f: WorkoutField) => {
    const i = cols.positions[f];
    return i === undefined ? '' : (fields[i] ?? '').trim();
  };

  const sourceType = cell('workoutType');
  if (!sourceType) return fail('workoutType is empty');
  const workoutType = resolveType(sourceType);
  if (!workoutType) {
    return {
      row,
      line,
      error: `workout type "${sourceType}" has no mapping (use --map)`,
      skippedType: sourceType,
    };
  }
  const when = cell('startedAt');
  // RFC 3339, or a Strava-style "Mar 5, 2024, 7:15:42 AM" (UTC by Strava's convention); a bare
  // "2024-03-05 07:15" names no zone and is refused rather than guessed.
  const startedAt = RFC3339.test(when) ? when : /^[A-Za-z]/.test(when) ? parseStravaDate(when) : null;
  if (!startedAt) return fail(`startedAt "${when}" is not an RFC 3339 date-time with Z or an offset`);
  const workout: WorkoutInput = { workoutType, startedAt };

  for (const f of TEXT) if (cell(f)) workout[f] = cell(f);
  for (const f of NUMERIC) {
    const text = cell(f);
    if (!text) continue;
    const n = parseNumber(text);
    if (n === null) return fail(`${f} "${text}" is not a number`);
    workout[f] = n;
  }
  const secondsText = cell('durationSeconds');
  if (secondsText) {
    const s = parseClock(secondsText);
    if (s === null) return fail(`durationSeconds "${secondsText}" is not a number of seconds or h:mm:ss`);
    workout.durationSeconds = s;
    delete workout.durationMinutes; // the precise one wins (an export's CSV has both)
  }
  if (workout.durationMinutes === undefined && workout.durationSeconds === undefined) {
    return fail('no duration');
  }
  if (cell('notes')) workout.notes = noteText(cell('notes'));
  workout.workoutId ??= await contentId('csv', workout);
  return { row, line, workout };
}
