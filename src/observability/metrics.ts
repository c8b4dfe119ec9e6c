/**
 * Business metrics as CloudWatch Embedded Metric Format: a JSON log line that CloudWatch turns
 * into metrics, with no API call and no added latency (the reference design called
 * PutMetricData on every request). Namespace and metric names are what the dashboard shows.
 */
import type { Workout } from '../domain/workout.ts';
import type { StoreMetrics } from '../store/context.ts';

export const NAMESPACE = 'WorkoutApp';

export interface Metrics extends StoreMetrics {
  duplicateReplayed(): void;
  validationFailed(): void;
}

export function createMetrics(write: (line: string) => void, service = 'workout-api'): Metrics {
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
