import type { Table } from '../store/dynamodb.ts';

/** Business events the use cases report (src/observability/metrics.ts writes them). */
export interface WorkoutEvents {
  workoutLogged(w: import('../domain/workout.ts').Workout): void;
  duplicateReplayed(): void;
}

/** What every use case works with. */
export interface UseCaseDeps {
  table: Table;
  events: WorkoutEvents;
}
