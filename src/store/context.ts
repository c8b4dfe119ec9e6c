import type { Workout } from '../domain/workout.ts';
import type { Db } from './dynamodb.ts';

/** What every store function needs: the client, the table, and where to count business events. */
export interface StoreContext {
  db: Db;
  tableName: string;
  metrics?: StoreMetrics;
}

/** Business events the store reports as they happen (see src/observability/metrics.ts). */
export interface StoreMetrics {
  workoutLogged(w: Workout): void;
}
