import { DEFAULT_WEIGHT_KG, type Intensity, type MetValues } from './config.ts';
import { roundTo } from './numbers.ts';

/**
 * Calorie estimate: MET(workoutType, intensity) × weightKg × hours, rounded to 0.01 kcal so
 * that sums of estimates stay exact decimals.
 *
 * @example estimateCalories({ low: 6, moderate: 9.8, high: 11.5 }, 'high', 61.5, 42) // 495.08
 */
export function estimateCalories(
  met: MetValues,
  intensity: Intensity,
  weightKg: number | undefined,
  durationMinutes: number,
): number {
  return roundTo(met[intensity] * (weightKg ?? DEFAULT_WEIGHT_KG) * (durationMinutes / 60), 2);
}
