/**
 * `node --import tsx scripts/measure-capacity.ts [--json | --cost]`: the DynamoDB capacity each API
 * request consumes, measured on DynamoDB Local with ReturnConsumedCapacity, through the real local
 * service over HTTP, and the size of the items it stores. `--cost` prints docs/operations.md's
 * monthly cost table, computed from these measurements and the assumptions stated below.
 *
 * DynamoDB Local computes consumed capacity with the service's rules (item size rounded up to
 * 1 KB per write unit and 4 KB per read unit, half for eventually consistent reads, double for
 * transactions, index writes included); it does not throttle or bill.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signingKey, signToken } from '../src/auth/local-jwt.ts';
import { createLogger } from '../src/observability/logger.ts';
import { startEmbeddedDynamoDb } from '../src/runtime/embedded-dynamodb.ts';
import { startLocalService } from '../src/runtime/local-service.ts';
import { createDb } from '../src/store/dynamodb.ts';
import { ensureTable } from '../src/store/table.ts';

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const READS = new Set(['GetItem', 'Query']);
let current: { read: number; write: number; calls: string[] } = { read: 0, write: 0, calls: [] };

function record(operation: string, consumed: unknown): void {
  current.calls.push(operation);
  for (const c of [consumed ?? []].flat() as Capacity[]) {
    const read = c.ReadCapacityUnits ?? (READS.has(operation) ? (c.CapacityUnits ?? 0) : 0);
    const write = c.WriteCapacityUnits ?? (READS.has(operation) ? 0 : (c.CapacityUnits ?? 0));
    current.read += read;
    current.write += write;
  }
}

const ddb = await startEmbeddedDynamoDb();
const dataDir = mkdtempSync(join(tmpdir(), 'workout-capacity-'));
const db = await createDb({ endpoint: ddb.endpoint, returnConsumedCapacity: true, onRequest: record });
const tableName = 'capacity';
await ensureTable(db, tableName);
const service = await startLocalService({
  port: 0,
  endpoint: ddb.endpoint,
  tableName,
  dataDir,
  db,
  logger: createLogger({ level: 'silent' }),
});
const key = signingKey(dataDir);

async function measure(
  name: string,
  method: string,
  path: string,
  opts: { as?: string; body?: unknown; expect: number },
) {
  const token = await signToken(key, opts.as ?? 'ana', {});
  current = { read: 0, write: 0, calls: [] };
  const res = await fetch(service.url + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(opts.body ? { 'content-type': 'application/json' } : {}),
    },
    body: opts.body ? JSON.stringify(opts.body) : undefined,
  });
  await res.text();
  if (res.status !== opts.expect) throw new Error(`${name}: ${res.status}, expected ${opts.expect}`);
  return { name, request: `${method} ${path.replace(/\?.*/, '')}`, ...current, calls: [...current.calls] };
}

const workout = (i: number, notes = 'tempo run') => ({
  workoutId: `w-${i}`,
  workoutType: i % 3 === 0 ? 'cycling' : 'running',
  startedAt: new Date(Date.UTC(2026, 9, 1) + i * 86_400_000 * 0.7).toISOString(),
  durationMinutes: 30 + (i % 40),
  distanceKm: 5 + (i % 10),
  intensity: 'moderate',
  avgHeartRate: 140,
  notes,
});

const rows = [];
rows.push(await measure('health', 'GET', '/health', { expect: 200 }));
rows.push(
  await measure('create profile', 'POST', '/users', {
    body: { displayName: 'Ana', weightKg: 61.5, timezone: 'Europe/Lisbon' },
    expect: 201,
  }),
);
rows.push(await measure('read profile', 'GET', '/users/ana', { expect: 200 }));
rows.push(
  await measure('log a workout (first of the user)', 'POST', '/workouts', { body: workout(0), expect: 201 }),
);
rows.push(
  await measure('log a workout (same day as another)', 'POST', '/workouts', {
    body: { ...workout(1), startedAt: workout(0).startedAt.replace('T00', 'T09') },
    expect: 201,
  }),
);
// A history of 60 workouts, so that lists and ranges read realistic pages.
for (let i = 2; i < 60; i++) await measure('fill', 'POST', '/workouts', { body: workout(i), expect: 201 });
rows.push(await measure('log a workout (typical)', 'POST', '/workouts', { body: workout(60), expect: 201 }));
rows.push(
  await measure('log a workout with 1,000-character notes', 'POST', '/workouts', {
    body: workout(61, 'x'.repeat(1000)),
    expect: 201,
  }),
);
rows.push(
  await measure('retry of a logged workout (replay)', 'POST', '/workouts', {
    body: workout(60),
    expect: 200,
  }),
);
rows.push(await measure('read a workout', 'GET', '/workouts/w-60', { expect: 200 }));
rows.push(await measure('list workouts (20)', 'GET', '/workouts?limit=20', { expect: 200 }));
rows.push(
  await measure('list workouts of one type (20)', 'GET', '/workouts?limit=20&workoutType=cycling', {
    expect: 200,
  }),
);
rows.push(await measure('statistics, all time', 'GET', '/stats/ana', { expect: 200 }));
rows.push(
  await measure('statistics, a 30-day range', 'GET', '/stats/ana?from=2026-10-01&to=2026-10-31', {
    expect: 200,
  }),
);
rows.push(
  await measure('time series, 12 weeks', 'GET', '/stats/ana/timeseries?granularity=week', { expect: 200 }),
);
rows.push(
  await measure('update a workout (duration)', 'PATCH', '/workouts/w-59', {
    body: { durationMinutes: 50 },
    expect: 200,
  }),
);
rows.push(await measure('delete a workout', 'DELETE', '/workouts/w-58', { expect: 204 }));
rows.push(await measure('workout types (config only)', 'GET', '/workout-types', { expect: 200 }));

/**
 * Stored size of an item by DynamoDB's rules: attribute name bytes plus value bytes (strings:
 * UTF-8 length; numbers: about 1 byte per 2 significant digits, plus 1; booleans: 1).
 */
function itemSize(item: Record<string, unknown>): number {
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
const stored = async (sk: string) => {
  const out = await db.call<{ Item?: Record<string, unknown> }>('GetItem', {
    TableName: tableName,
    Key: { pk: 'U#ana', sk },
    ConsistentRead: true,
  });
  return itemSize(out.Item ?? {});
};
const sizes = {
  workout: await stored('W#w-60'),
  stats: await stored('STATS'),
  profile: await stored('PROFILE'),
};

rows.push(await measure('erase a user with 60 workouts', 'DELETE', '/users/ana', { expect: 204 }));

await service.close();
await ddb.stop();
rmSync(dataDir, { recursive: true, force: true });

/* ───────────────────────── cost model (docs/operations.md) ───────────────────────── */

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
const MIX: Record<string, number> = {
  'log a workout (typical)': 1,
  'retry of a logged workout (replay)': 0.02,
  'statistics, all time': 1,
  'list workouts (20)': 1,
  'time series, 12 weeks': 0.2,
  'read a workout': 0.05,
  'update a workout (duration)': 0.05,
  'delete a workout': 0.02,
  'read profile': 0.05,
  'workout types (config only)': 0.1,
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

type Row = { name: string; read: number; write: number };

function costTable(measured: Row[], bytes: { workout: number }): string {
  const units = new Map(measured.map((r) => [r.name, r]));
  const health = units.get('health')!;
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
    // Storage after a year: each workout is stored three times (table + two LSIs, ALL projected),
    // plus 100 bytes of index overhead per index copy.
    const gbAfterYear = (perDay * 365 * (3 * bytes.workout + 200)) / 1e9;
    const storage = gbAfterYear * (PRICES.storageGbMonth + PRICES.pitrGbMonth);
    const lambda =
      (requests / 1e6) * PRICES.lambdaPerMillion +
      requests * (LAMBDA_MS / 1000) * LAMBDA_GB * PRICES.lambdaGbSecond;
    const api = (requests / 1e6) * PRICES.restApiPerMillion;
    const logs = ((requests * LOG_BYTES_PER_REQUEST) / 1e9) * PRICES.logsIngestGb;
    const rps = requests / DAYS / 86_400;
    const traces = Math.min(requests, (1 + 0.05 * Math.max(0, rps - 1)) * 86_400 * DAYS);
    const xray = (Math.max(0, traces - 100_000) / 1e6) * PRICES.xrayPerMillionTraces;
    const fixed = 20 * PRICES.customMetric + 12 * PRICES.alarmMetric + PRICES.dashboard;
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
  row('Custom metrics, alarms, dashboard', (c) => money(c.fixed));
  row('**Total with on demand / with provisioned**', (c) => {
    const rest = c.storage + c.lambda + c.api + c.logs + c.xray + c.fixed;
    return `**${money(rest + c.onDemand)} / ${money(rest + c.provisioned)}**`;
  });
  return lines.join('\n');
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ requests: rows, itemBytes: sizes }, null, 2));
} else if (process.argv.includes('--cost')) {
  console.log(costTable(rows, sizes));
} else {
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(`${'request'.padEnd(w)}  read units  write units  DynamoDB calls`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(w)}  ${String(r.read).padStart(10)}  ${String(r.write).padStart(11)}  ${r.calls.join(', ')}`,
    );
  }
  console.log(`\nstored item bytes: ${JSON.stringify(sizes)}`);
}
