/**
 * Configuration from SSM Parameter Store: one GetParametersByPath under the stage's prefix per
 * cache period (src/config/index.ts caches it), so a changed parameter takes effect within
 * CONFIG_TTL_SECONDS, without a deploy. The function's IAM role may read only that prefix.
 * The same call, made once when a container starts, also gives the runtime settings
 * (src/config/runtime.ts); that first answer then serves as the first configuration too.
 */
import awsLite from '@aws-lite/client';
import ssmPlugin from '@aws-lite/ssm';
import { configFromParameters, type ConfigParameters } from '../domain/config.ts';
import type { ConfigSource } from './index.ts';

/** Names of the SSM parameters under `/workout-app/<EnvironmentSuffix>/` (template.yaml creates them). */
export const PARAMETER_NAMES = {
  maxDurationMinutes: 'max-duration-minutes',
  supportedTypes: 'supported-workout-types',
  metTable: 'met-table',
} as const satisfies Record<keyof ConfigParameters, string>;

interface Parameter {
  Name: string;
  Value: string;
}

/** Every parameter directly under the prefix, by its short name (`max-duration-minutes`). */
export type ParameterFetcher = () => Promise<Map<string, string>>;

export function ssmParameterFetcher(prefix: string): ParameterFetcher {
  const path = prefix.endsWith('/') ? prefix : `${prefix}/`;
  let client:
    Promise<{ SSM: { GetParametersByPath(p: object): Promise<{ Parameters?: Parameter[] }> } }> | undefined;
  return async () => {
    client ??= awsLite({ plugins: [ssmPlugin as never], retries: 2 }) as never;
    const out = await (
      await client
    ).SSM.GetParametersByPath({ Path: path, Recursive: false, paginate: true });
    return new Map((out.Parameters ?? []).map((p) => [p.Name.slice(path.length), p.Value]));
  };
}

/** The app configuration from the parameters; `first` (already fetched) answers the first call. */
export function ssmConfigSource(
  prefix: string,
  fetch: ParameterFetcher = ssmParameterFetcher(prefix),
  first?: Map<string, string>,
): ConfigSource {
  let primed = first;
  return async () => {
    const byName = primed ?? (await fetch());
    primed = undefined;
    return configFromParameters({
      maxDurationMinutes: byName.get(PARAMETER_NAMES.maxDurationMinutes),
      supportedTypes: byName.get(PARAMETER_NAMES.supportedTypes),
      metTable: byName.get(PARAMETER_NAMES.metTable),
    });
  };
}
