/**
 * What the import parsers produce. Browser-safe: nothing here (or anywhere in src/import) imports
 * a `node:` module, so the web console can bundle the same parsers the CLI uses.
 */

/** A workout as `POST /workouts` and `POST /workouts/batch` take it (the server validates it). */
export interface WorkoutInput {
  workoutId?: string;
  userId?: string;
  workoutType: string;
  startedAt: string;
  timezone?: string;
  durationMinutes?: number;
  durationSeconds?: number;
  caloriesBurned?: number;
  distanceKm?: number;
  intensity?: string;
  avgHeartRate?: number;
  notes?: string;
  [field: string]: unknown;
}

/**
 * One record of the input file. `row` is the 1-based line number where the record starts (what an
 * editor shows; a CSV record with a quoted line break spans several lines). `line` is the record's
 * original text, without its final line break.
 */
export type ParseResult =
  | { row: number; line: string; workout: WorkoutInput }
  | {
      row: number;
      line: string;
      /** Why the record was not turned into a workout. */
      error: string;
      /** Set when the record was skipped because its activity type has no mapping (not a rejection). */
      skippedType?: string;
    };

export type ImportFormat = 'strava' | 'ndjson' | 'csv';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['strava', 'ndjson', 'csv'];

/** The fields a generic CSV column can be mapped to (`--columns field=Header,...`). */
export const WORKOUT_FIELDS = [
  'workoutId',
  'userId',
  'workoutType',
  'startedAt',
  'timezone',
  'durationMinutes',
  'durationSeconds',
  'caloriesBurned',
  'distanceKm',
  'intensity',
  'avgHeartRate',
  'notes',
] as const;
export type WorkoutField = (typeof WORKOUT_FIELDS)[number];

export interface ParseOptions {
  /** The file's format; detected from the content when absent. */
  format?: ImportFormat;
  /** Generic CSV: which header names which field. Unnamed fields match a header of the same name. */
  columns?: Partial<Record<WorkoutField, string>>;
  /** Extra or overriding activity-type mappings, e.g. `{ Rowing: 'rowing' }` (names compared loosely). */
  map?: Record<string, string>;
  /** The service's workout types (GET /workout-types); defaults to the eight default types. */
  types?: readonly string[];
}

/** The file cannot be read as the format at all (a missing required column, say): nothing is imported. */
export class ImportFormatError extends Error {
  override name = 'ImportFormatError';
}
