/**
 * NDJSON: one JSON object a line, either a workout as the API takes it or a line of
 * `GET /users/{id}/export` (`{"profile": ...}`, skipped, and `{"workout": ...}`, whose stored
 * fields are turned back into what a client sends).
 */
import type { ParseResult, WorkoutInput } from './types.ts';
import { contentId } from './values.ts';

/** The lines of a text, with their 1-based numbers (CRLF or LF). */
export async function* textLines(
  chunks: AsyncIterable<string>,
): AsyncGenerator<{ row: number; line: string }> {
  let rest = '';
  let row = 0;
  let first = true;
  for await (let chunk of chunks) {
    if (first && chunk) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    rest += chunk;
    let start = 0;
    for (let nl = rest.indexOf('\n'); nl !== -1; nl = rest.indexOf('\n', start)) {
      row++;
      yield { row, line: rest.slice(start, nl).replace(/\r$/, '') };
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  if (rest) yield { row: row + 1, line: rest.replace(/\r$/, '') };
}

/** Fields the service computes: an exported workout carries them, a new one must not. */
const STORED_ONLY = ['localDate', 'createdAt', 'updatedAt', 'caloriesEstimated', 'userId'];

export async function ndjsonWorkout(
  row: number,
  line: string,
  mapType: (name: string) => string | undefined,
): Promise<ParseResult | null> {
  if (!line.trim()) return null;
  const fail = (error: string): ParseResult => ({ row, line, error });
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return fail('not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  const obj = value as Record<string, unknown>;
  if ('profile' in obj && Object.keys(obj).length === 1) return null; // an export's profile line
  let workout: WorkoutInput;
  if ('workout' in obj && Object.keys(obj).length === 1) {
    const stored = obj.workout;
    if (typeof stored !== 'object' || stored === null || Array.isArray(stored))
      return fail('"workout" is not an object');
    const w = { ...(stored as Record<string, unknown>) };
    if (w.caloriesEstimated === true) delete w.caloriesBurned; // estimated again, as it was
    for (const f of STORED_ONLY) delete w[f];
    // Answers carry both durations; the seconds are the precise one.
    if (typeof w.durationSeconds === 'number') delete w.durationMinutes;
    workout = w as WorkoutInput;
  } else {
    workout = obj as WorkoutInput;
  }
  if (typeof workout.workoutType === 'string') {
    const mapped = mapType(workout.workoutType);
    if (mapped) workout.workoutType = mapped;
  }
  if (workout.workoutId === undefined) workout.workoutId = await contentId('ndjson', workout);
  return { row, line, workout };
}
