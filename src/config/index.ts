/**
 * Where configuration comes from, cached. Locally: environment variables or defaults. On AWS:
 * SSM Parameter Store (src/config/ssm.ts) behind the same cache, so a changed parameter takes
 * effect within the cache's lifetime without a deploy.
 */
import { DEFAULT_CONFIG, parseMaxDuration, parseWorkoutTypes, type AppConfig } from '../domain/config.ts';

export type ConfigSource = () => Promise<AppConfig>;
export type ConfigLoader = () => Promise<AppConfig>;

/** `MAX_DURATION_MINUTES` and `WORKOUT_TYPES` (JSON MET table or list of names), else defaults. */
export function envConfigSource(env: NodeJS.ProcessEnv = process.env): ConfigSource {
  return async () => ({
    maxDurationMinutes: env.MAX_DURATION_MINUTES
      ? parseMaxDuration(env.MAX_DURATION_MINUTES)
      : DEFAULT_CONFIG.maxDurationMinutes,
    workoutTypes: env.WORKOUT_TYPES ? parseWorkoutTypes(env.WORKOUT_TYPES) : DEFAULT_CONFIG.workoutTypes,
  });
}

/**
 * Caches a source for `ttlMs`. Concurrent callers share one load; when a refresh fails the last
 * good value is kept (and the failure retried on a later call, and reported to `onError`), so a
 * parameter store outage never fails requests that a cached value can serve.
 */
export function cachedConfig(
  source: ConfigSource,
  ttlMs: number,
  now: () => number = Date.now,
  onError: (err: unknown) => void = () => {},
): ConfigLoader {
  let value: AppConfig | undefined;
  let loadedAt = -Infinity;
  let pending: Promise<AppConfig> | undefined;
  return async () => {
    if (value && now() - loadedAt < ttlMs) return value;
    pending ??= source()
      .then((v) => {
        value = v;
        loadedAt = now();
        return v;
      })
      .catch((err: unknown) => {
        onError(err);
        if (value) return value;
        throw err;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
