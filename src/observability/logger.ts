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

export interface LoggerOptions {
  level?: string;
  /**
   * `json`: one object per line, what CloudWatch Logs reads. `pretty`:
   * `12:00:01.123 INFO  request method=GET status=200`, for a terminal. Default `LOG_FORMAT`, else json.
   */
  format?: string;
  service?: string;
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const threshold = LEVELS[(opts.level ?? process.env.LOG_LEVEL ?? 'info') as Level] ?? LEVELS.info;
  const pretty = (opts.format ?? process.env.LOG_FORMAT) === 'pretty';
  const write = opts.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const log = (level: Exclude<Level, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const timestamp = new Date().toISOString();
    if (pretty) {
      const rest = Object.entries(fields ?? {}).map(
        ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
      );
      write([timestamp.slice(11, 23), level.toUpperCase().padEnd(5), msg, ...rest].join(' '));
      return;
    }
    write(JSON.stringify({ timestamp, level, service: opts.service ?? 'workout-api', msg, ...fields }));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
