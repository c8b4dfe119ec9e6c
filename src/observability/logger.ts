/**
 * Structured logs: one JSON object per line with a level, a message and the request id. Never
 * bodies, tokens or profile data: workouts are health data. `LOG_LEVEL` sets the threshold.
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;
export type Level = keyof typeof LEVELS;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  opts: { level?: string; service?: string; write?: (line: string) => void } = {},
): Logger {
  const threshold = LEVELS[(opts.level ?? process.env.LOG_LEVEL ?? 'info') as Level] ?? LEVELS.info;
  const write = opts.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const log = (level: Exclude<Level, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    write(
      JSON.stringify({
        timestamp: new Date().toISOString(),
        level,
        service: opts.service ?? 'workout-api',
        msg,
        ...fields,
      }),
    );
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
