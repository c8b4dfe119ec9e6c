/**
 * Business metrics as CloudWatch Embedded Metric Format: a JSON log line that CloudWatch turns
 * into metrics, with no API call and no added latency (the reference design called
 * PutMetricData on every request). Namespace and metric names are what the dashboard shows.
 */
import type { Workout } from '../domain/workout.ts';

export const NAMESPACE = 'WorkoutApp';

export interface Metrics {
  workoutLogged(w: Workout): void;
  duplicateReplayed(): void;
  validationFailed(): void;
}

/** The `service` dimension when METRICS_SERVICE is not set (local runs, tests). */
export const DEFAULT_SERVICE = 'workout-api';

/**
 * The `service` dimension of every metric: `METRICS_SERVICE`, which template.yaml sets to
 * `workout-api-<stage>`, so that each stage in an account writes series of its own and one
 * stage's traffic cannot keep another's no-workouts alarm green.
 */
export function metricsService(env: NodeJS.ProcessEnv = process.env): string {
  return env.METRICS_SERVICE?.trim() || DEFAULT_SERVICE;
}

export function createMetrics(write: (line: string) => void, service = metricsService()): Metrics {
  /** Published under `service` alone, and also under `service` + the given dimensions. */
  const emit = (dimensions: Record<string, string>, values: Record<string, [number, string]>) => {
    const names = Object.keys(dimensions);
    write(
      JSON.stringify({
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            {
              Namespace: NAMESPACE,
              Dimensions: names.length ? [['service'], ['service', ...names]] : [['service']],
              Metrics: Object.entries(values).map(([Name, [, Unit]]) => ({ Name, Unit })),
            },
          ],
        },
        service,
        ...dimensions,
        ...Object.fromEntries(Object.entries(values).map(([k, [v]]) => [k, v])),
      }),
    );
  };
  return {
    workoutLogged: (w: Workout) =>
      emit(
        { workoutType: w.workoutType },
        { WorkoutsLogged: [1, 'Count'], CaloriesBurned: [w.caloriesBurned, 'None'] },
      ),
    duplicateReplayed: () => emit({}, { DuplicatesReplayed: [1, 'Count'] }),
    validationFailed: () => emit({}, { ValidationFailures: [1, 'Count'] }),
  };
}
