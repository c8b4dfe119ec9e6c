/**
 * The monthly cost table of docs/operations.md (`npm run bench:capacity -- --cost`): measured
 * units per API call (bench/capacity.ts) times an assumed request mix, priced with the list
 * prices below. Moved here from scripts/measure-capacity.ts, which bench/capacity.ts replaces.
 */

/**
 * List prices assumed, us-east-1, as AWS published them in 2025 (DynamoDB on demand after the
 * price reduction of 1 November 2024). Not re-checked when this was written: verify on the
 * pricing pages before budgeting.
 */
const PRICES = {
  dynamoReadPerMillion: 0.125, // on-demand read request units
  dynamoWritePerMillion: 0.625, // on-demand write request units
  rcuHour: 0.00013, // provisioned read capacity unit-hour
  wcuHour: 0.00065, // provisioned write capacity unit-hour
  storageGbMonth: 0.25,
  pitrGbMonth: 0.2,
  lambdaGbSecond: 0.0000133334, // arm64
  lambdaPerMillion: 0.2,
  restApiPerMillion: 3.5, // first 333 million a month
  logsIngestGb: 0.5,
  xrayPerMillionTraces: 5.0, // after 100,000 free a month
  customMetric: 0.3,
  alarmMetric: 0.1,
  dashboard: 3.0,
};

/** How the API is used, per workout logged (an assumption; scale it to what you observe). */
export const MIX: Record<string, number> = {
  'POST /workouts (Z time, no timezone, no calories)': 1,
  'POST /workouts (replay, same body)': 0.02,
  'GET /stats/{userId}': 1,
  'GET /workouts (a page of 20)': 1,
  'GET timeseries granularity=week (12 weeks)': 0.2,
  'GET /workouts/{id}': 0.05,
  'PATCH /workouts/{id} (duration)': 0.05,
  'DELETE /workouts/{id}': 0.02,
  'GET /users/{id}': 0.05,
  'GET /workout-types': 0.1,
};
/** A health check every minute, whatever the traffic. */
const HEALTH_PER_DAY = 1440;
/** Share of each hour's requests in a day (a morning and an evening peak, ~2x the mean). */
const HOURLY = [
  0.2, 0.15, 0.1, 0.1, 0.15, 0.4, 1.0, 1.6, 1.5, 1.1, 0.9, 1.0, 1.2, 1.0, 0.9, 0.9, 1.1, 1.6, 2.0, 2.0, 1.6,
  1.1, 0.6, 0.35,
];
/** Estimates, not measured here: Lambda time billed per request, log bytes per request. */
const LAMBDA_MS = 40;
const LAMBDA_GB = 0.5;
const LOG_BYTES_PER_REQUEST = 1300;
const DAYS = 30.42;
/**
 * Monitoring the template creates (docs/operations.md): custom metrics, alarm metrics, and the API
 * methods whose per-method metrics `DetailedApiMetrics=true` publishes (5 each, CORS preflights
 * included). Keep in step with template.yaml.
 */
const MONITORING = { customMetrics: 20, alarmMetrics: 14, apiMethods: 31 };

export type Row = { name: string; read: number; write: number };

export function costTable(measured: Row[], bytes: { workout: number }): string {
  const units = new Map(measured.map((r) => [r.name, r]));
  const health = units.get('GET /health')!;
  const lines: string[] = [];
  const money = (n: number) => (n < 10 ? `$${n.toFixed(2)}` : `$${Math.round(n).toLocaleString('en-US')}`);
  const perWorkout = { read: 0, write: 0, requests: 0 };
  for (const [name, share] of Object.entries(MIX)) {
    const u = units.get(name);
    if (!u) throw new Error(`no measurement for ${name}`);
    perWorkout.read += share * u.read;
    perWorkout.write += share * u.write;
    perWorkout.requests += share;
  }
  const mean = HOURLY.reduce((a, b) => a + b, 0) / 24;
  lines.push(
    `Per workout logged (mix of ${perWorkout.requests.toFixed(2)} API requests): ` +
      `${perWorkout.read.toFixed(2)} read units, ${perWorkout.write.toFixed(2)} write units.\n`,
  );
  lines.push('| per month | 3,000 workouts/day | 3,000,000 workouts/day |');
  lines.push('| --- | ---: | ---: |');
  const columns = [3_000, 3_000_000].map((perDay) => {
    const requests = (perDay * perWorkout.requests + HEALTH_PER_DAY) * DAYS;
    const reads = (perDay * perWorkout.read + HEALTH_PER_DAY * health.read) * DAYS;
    const writes = perDay * perWorkout.write * DAYS;
    const onDemand =
      (reads / 1e6) * PRICES.dynamoReadPerMillion + (writes / 1e6) * PRICES.dynamoWritePerMillion;
    // Provisioned: each hour, auto-scaling holds ~1.15x the hour's load / 70% target, never below 10.
    let provisioned = 0;
    let peakRead = 0;
    let peakWrite = 0;
    for (const share of HOURLY) {
      const r = (reads / DAYS / 86_400) * (share / mean);
      const w = (writes / DAYS / 86_400) * (share / mean);
      const pr = Math.max(10, Math.ceil((1.15 * r) / 0.7));
      const pw = Math.max(10, Math.ceil((1.15 * w) / 0.7));
      peakRead = Math.max(peakRead, pr);
      peakWrite = Math.max(peakWrite, pw);
      provisioned += (pr * PRICES.rcuHour + pw * PRICES.wcuHour) * DAYS;
    }
    // Storage after a year: each workout is stored twice (the table and its one local index,
    // all attributes projected), plus 100 bytes of index overhead for the index copy.
    const gbAfterYear = (perDay * 365 * (2 * bytes.workout + 100)) / 1e9;
    const storage = gbAfterYear * (PRICES.storageGbMonth + PRICES.pitrGbMonth);
    const lambda =
      (requests / 1e6) * PRICES.lambdaPerMillion +
      requests * (LAMBDA_MS / 1000) * LAMBDA_GB * PRICES.lambdaGbSecond;
    const api = (requests / 1e6) * PRICES.restApiPerMillion;
    const logs = ((requests * LOG_BYTES_PER_REQUEST) / 1e9) * PRICES.logsIngestGb;
    const rps = requests / DAYS / 86_400;
    const traces = Math.min(requests, (1 + 0.05 * Math.max(0, rps - 1)) * 86_400 * DAYS);
    const xray = (Math.max(0, traces - 100_000) / 1e6) * PRICES.xrayPerMillionTraces;
    const fixed =
      MONITORING.customMetrics * PRICES.customMetric +
      MONITORING.alarmMetrics * PRICES.alarmMetric +
      PRICES.dashboard;
    const methodMetrics = MONITORING.apiMethods * 5 * PRICES.customMetric;
    return {
      requests,
      reads,
      writes,
      onDemand,
      provisioned,
      peakRead,
      peakWrite,
      gbAfterYear,
      storage,
      lambda,
      api,
      logs,
      xray,
      fixed,
      methodMetrics,
    };
  });
  const row = (label: string, f: (c: (typeof columns)[number]) => string) =>
    lines.push(`| ${label} | ${columns.map(f).join(' | ')} |`);
  row('API requests', (c) => `${(c.requests / 1e6).toFixed(c.requests < 1e7 ? 2 : 0)} M`);
  row(
    'DynamoDB read units / write units',
    (c) => `${(c.reads / 1e6).toFixed(2)} M / ${(c.writes / 1e6).toFixed(2)} M`,
  );
  row('**DynamoDB on demand** (requests)', (c) => `**${money(c.onDemand)}**`);
  row(
    '**DynamoDB provisioned**, auto-scaled at 70% (peak units read / write)',
    (c) => `**${money(c.provisioned)}** (${c.peakRead} / ${c.peakWrite})`,
  );
  row(
    'DynamoDB storage + PITR, after one year',
    (c) => `${money(c.storage)} (${c.gbAfterYear.toFixed(1)} GB)`,
  );
  row(`Lambda (512 MB arm64, ~${LAMBDA_MS} ms a request)`, (c) => money(c.lambda));
  row('API Gateway REST', (c) => money(c.api));
  row(`CloudWatch Logs ingestion (~${LOG_BYTES_PER_REQUEST} bytes a request)`, (c) => money(c.logs));
  row('X-Ray (1 request/s + 5% sampled)', (c) => money(c.xray));
  row(
    `Custom metrics (${MONITORING.customMetrics}), alarms (${MONITORING.alarmMetrics} metrics), dashboard`,
    (c) => money(c.fixed),
  );
  row(
    `per-method API metrics (\`DetailedApiMetrics\`): ${MONITORING.apiMethods} methods × 5 = ${MONITORING.apiMethods * 5}, at most`,
    (c) => money(c.methodMetrics),
  );
  row('**Total with on demand / with provisioned**', (c) => {
    const rest = c.storage + c.lambda + c.api + c.logs + c.xray + c.fixed + c.methodMetrics;
    return `**${money(rest + c.onDemand)} / ${money(rest + c.provisioned)}**`;
  });
  return lines.join('\n');
}

/**
 * Stored size of an item by DynamoDB's rules: attribute name bytes plus value bytes (strings:
 * UTF-8 length; numbers: about 1 byte per 2 significant digits, plus 1; booleans: 1).
 */
export function itemSize(item: Record<string, unknown>): number {
  const value = (v: unknown): number => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (typeof v === 'number') return Math.ceil(String(Math.abs(v)).replace(/[.-]|^0+/g, '').length / 2) + 1;
    if (typeof v === 'boolean' || v === null) return 1;
    if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + 1 + value(x), 0);
    if (typeof v === 'object') return 3 + itemSize(v as Record<string, unknown>) + Object.keys(v).length;
    return 0;
  };
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + value(v), 0);
}
