/**
 * Strava's bulk export `activities.csv` (the file in the zip from Settings > My Account >
 * Download or Delete Your Account). Its header repeats names: the first `Elapsed Time` is whole
 * seconds and the second the same with decimals; the first `Distance` is in the athlete's display
 * unit (km, or metres for swims in some exports) and the second is metres; `Max Heart Rate` and
 * `Relative Effort` appear twice too. So cells are read by position: the n-th column of a name.
 * Dates ("Mar 5, 2024, 7:15:42 AM") are UTC. Older exports have fewer columns; the ones read here
 * are looked up in whatever header the file has.
 */
import type { CsvRecord } from './csv.ts';
import { ImportFormatError, type ParseResult, type WorkoutInput } from './types.ts';
import { noteText, parseNumber, parseStravaDate, round } from './values.ts';

/** The header of a Strava export: the positions of each name, in order. */
export function stravaColumns(header: string[]) {
  const positions = new Map<string, number[]>();
  header.forEach((name, i) => {
    const key = name.trim();
    positions.set(key, [...(positions.get(key) ?? []), i]);
  });
  const at = (name: string, nth = 0) => positions.get(name)?.[nth];
  const required = ['Activity ID', 'Activity Date', 'Activity Type', 'Elapsed Time'];
  const missing = required.filter((n) => at(n) === undefined);
  if (missing.length) {
    throw new ImportFormatError(
      `not a Strava activities.csv: no ${missing.map((n) => `"${n}"`).join(', ')} column`,
    );
  }
  return {
    width: header.length,
    id: at('Activity ID') as number,
    date: at('Activity Date') as number,
    name: at('Activity Name'),
    type: at('Activity Type') as number,
    description: at('Activity Description'),
    elapsedSeconds: at('Elapsed Time', 0) as number,
    elapsedPrecise: at('Elapsed Time', 1),
    distanceDisplay: at('Distance', 0),
    distanceMetres: at('Distance', 1),
    avgHeartRate: at('Average Heart Rate'),
    calories: at('Calories'),
  };
}
export type StravaColumns = ReturnType<typeof stravaColumns>;

/** One activity row as a workout (or why not). `resolveType` maps Strava's type name. */
export function stravaWorkout(
  cols: StravaColumns,
  record: CsvRecord,
  resolveType: (name: string) => string | null,
): ParseResult {
  const { row, line, fields } = record;
  const fail = (error: string): ParseResult => ({ row, line, error });
  if (record.problem) return fail(record.problem);
  if (fields.length !== cols.width) return fail(`has ${fields.length} cells, the header has ${cols.width}`);
  const cell = (i: number | undefined) => (i === undefined ? '' : (fields[i] ?? '').trim());

  const id = cell(cols.id);
  if (!/^\d{1,40}$/.test(id)) return fail(`Activity ID "${id}" is not a number`);
  const stravaType = cell(cols.type);
  const workoutType = resolveType(stravaType);
  if (!workoutType) {
    return {
      row,
      line,
      error: `activity type "${stravaType}" has no mapping (use --map)`,
      skippedType: stravaType,
    };
  }
  const startedAt = parseStravaDate(cell(cols.date));
  if (!startedAt)
    return fail(`Activity Date "${cell(cols.date)}" is not a date like "Mar 5, 2024, 7:15:42 AM"`);

  const seconds = parseNumber(cell(cols.elapsedSeconds)) ?? parseNumber(cell(cols.elapsedPrecise));
  if (seconds === null) return fail('no Elapsed Time');
  const durationSeconds = Math.round(seconds);
  if (durationSeconds <= 0) return fail(`Elapsed Time ${cell(cols.elapsedSeconds)} is not positive`);

  const workout: WorkoutInput = { workoutId: `strava-${id}`, workoutType, startedAt, durationSeconds };

  const metres = parseNumber(cell(cols.distanceMetres));
  const km = metres !== null ? metres / 1000 : parseNumber(cell(cols.distanceDisplay));
  if (km !== null && km > 0) workout.distanceKm = round(km, 3);

  const calories = parseNumber(cell(cols.calories));
  if (calories !== null && calories > 0) workout.caloriesBurned = round(calories, 2);

  const hr = parseNumber(cell(cols.avgHeartRate));
  if (hr !== null && Math.round(hr) >= 25 && Math.round(hr) <= 250) workout.avgHeartRate = Math.round(hr);

  const notes = [cell(cols.name), cell(cols.description)].filter(Boolean).join('\n\n');
  if (notes) workout.notes = noteText(notes);
  return { row, line, workout };
}
