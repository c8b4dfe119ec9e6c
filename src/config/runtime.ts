/**
 * Settings the function reads once, when a container starts: the DynamoDB client's per-request
 * timeout and retries. On AWS they come from SSM Parameter Store (template.yaml creates them under
 * `/workout-app/<stage>/`), with the environment (DYNAMODB_TIMEOUT_MS, DYNAMODB_RETRIES) as the
 * fallback when a parameter is missing, invalid or unreadable; a bad value never stops a start.
 *
 * The stage's throttling values live beside them (`api-throttle-rate-limit`,
 * `api-throttle-burst-limit`); API Gateway applies those, and `npm run deploy` reads them back
 * (scripts/deploy.ts), so the function ignores them.
 */

/** Names under `/workout-app/<EnvironmentSuffix>/`, beside the ones of src/domain/config.ts. */
export const RUNTIME_PARAMETER_NAMES = {
  dynamoDbTimeoutMs: 'dynamodb-timeout-ms',
  dynamoDbRetries: 'dynamodb-retries',
  apiThrottleRateLimit: 'api-throttle-rate-limit',
  apiThrottleBurstLimit: 'api-throttle-burst-limit',
} as const;

export interface RuntimeSettings {
  /** Deadline of one DynamoDB request, ms (100-20000). */
  dynamoDbTimeoutMs: number;
  /** Retries of a throttled or failed DynamoDB request (0-10). */
  dynamoDbRetries: number;
}

export const DEFAULT_RUNTIME: RuntimeSettings = { dynamoDbTimeoutMs: 3000, dynamoDbRetries: 4 };

const BOUNDS: Record<keyof RuntimeSettings, [number, number]> = {
  dynamoDbTimeoutMs: [100, 20_000],
  dynamoDbRetries: [0, 10],
};
const ENV: Record<keyof RuntimeSettings, string> = {
  dynamoDbTimeoutMs: 'DYNAMODB_TIMEOUT_MS',
  dynamoDbRetries: 'DYNAMODB_RETRIES',
};

function parse(text: string | undefined, [min, max]: [number, number]): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/**
 * The settings from SSM parameter values (by short name), else the environment, else the
 * defaults; `problems` names every value that was present but refused.
 */
export function runtimeSettings(
  parameters: ReadonlyMap<string, string> | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { settings: RuntimeSettings; problems: string[] } {
  const problems: string[] = [];
  const settings = { ...DEFAULT_RUNTIME };
  for (const key of Object.keys(BOUNDS) as (keyof RuntimeSettings)[]) {
    const candidates: [string, string | undefined][] = [
      [`SSM ${RUNTIME_PARAMETER_NAMES[key]}`, parameters?.get(RUNTIME_PARAMETER_NAMES[key])],
      [ENV[key], env[ENV[key]]],
    ];
    for (const [where, text] of candidates) {
      if (text === undefined || text === '') continue;
      const value = parse(text, BOUNDS[key]);
      if (value === undefined) {
        problems.push(`${where}: "${text}" is not an integer in [${BOUNDS[key].join(', ')}]`);
        continue;
      }
      settings[key] = value;
      break;
    }
  }
  return { settings, problems };
}
