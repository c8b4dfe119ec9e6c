/**
 * Test harness: the real local service over real HTTP, on the suite's DynamoDB Local (started by
 * scripts/test.ts; a file run on its own starts one of its own), on a fresh table per service.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { signingKey, signToken } from '../src/auth/local-jwt.ts';
import { createLogger } from '../src/observability/logger.ts';
import {
  SHORT_RUN_JVM_OPTIONS,
  startEmbeddedDynamoDb,
  waitForDynamoDb,
} from '../src/runtime/embedded-dynamodb.ts';
import { startLocalService, type LocalService } from '../src/runtime/local-service.ts';
import { createDb, type Db, type Item } from '../src/store/dynamodb.ts';
import { ensureTable } from '../src/store/table.ts';
import type { ConfigLoader } from '../src/config/index.ts';
import { partitionItems } from './support/exactness.ts';
import { openApiCheck } from './support/openapi-check.ts';

let endpoint: Promise<string> | undefined;

// Cleanups run once, after every test of the file. Registered here, at import time, because an
// after() called inside a before() hook would run as soon as that hook ends.
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * The suite's DynamoDB Local endpoint, once it answers (scripts/test.ts starts the test
 * processes while Java is still starting), or one started for this file.
 */
export function dynamoEndpoint(): Promise<string> {
  const suite = process.env.DYNAMODB_ENDPOINT;
  endpoint ??= suite
    ? waitForDynamoDb(suite).then(() => suite)
    : startEmbeddedDynamoDb({ jvmOptions: SHORT_RUN_JVM_OPTIONS }).then((d) => {
        cleanups.push(() => d.stop());
        return d.endpoint;
      });
  return endpoint;
}

export async function freshTable(db: Db): Promise<string> {
  const name = `test-${randomUUID().slice(0, 8)}`;
  await ensureTable(db, name);
  return name;
}

export interface Response<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestService {
  url: string;
  db: Db;
  tableName: string;
  service: LocalService;
  token(userId: string, opts?: { admin?: boolean; ttlSeconds?: number }): Promise<string>;
  /** A request as `userId` (a token is made for them), or with no token when userId is null. */
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts?: {
      as?: string | null;
      admin?: boolean;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    },
  ): Promise<Response<T>>;
  /** Every item in a user's partition, sorted: to prove a rejected request wrote nothing. */
  partition(userId: string): Promise<Item[]>;
}

export async function startTestService(
  opts: { config?: ConfigLoader; onRequest?: (operation: string) => void } = {},
): Promise<TestService> {
  const db = await createDb({ endpoint: await dynamoEndpoint(), onRequest: opts.onRequest });
  const tableName = await freshTable(db);
  const dataDir = mkdtempSync(join(tmpdir(), 'workout-test-'));
  const service = await startLocalService({
    port: 0,
    endpoint: await dynamoEndpoint(),
    tableName,
    dataDir,
    db,
    logger: createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
    config: opts.config,
  });
  cleanups.push(() => service.close());
  const key = signingKey(dataDir);
  const tokens = new Map<string, string>();
  const token = async (userId: string, o: { admin?: boolean; ttlSeconds?: number } = {}) => {
    const cacheKey = `${userId}|${o.admin ?? false}|${o.ttlSeconds ?? ''}`;
    let t = tokens.get(cacheKey);
    if (!t) tokens.set(cacheKey, (t = await signToken(key, userId, o)));
    return t;
  };
  return {
    url: service.url,
    db,
    tableName,
    service,
    token,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      const as = o.as === undefined ? 'ana' : o.as;
      if (as !== null && !('authorization' in headers)) {
        headers.authorization = `Bearer ${await token(as, { admin: o.admin })}`;
      }
      let payload: string | undefined = o.raw;
      if (o.body !== undefined) payload = JSON.stringify(o.body);
      if (payload !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
      const res = await request(service.url + path, method, headers, payload);
      const text = res.text;
      // Every answer must be what the OpenAPI document says (status, headers, body): fails the test otherwise.
      openApiCheck().assert({ method, path, status: res.status, headers: res.headers, text });
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: tests read `text`
      }
      return { status: res.status, headers: res.headers, body: body as never, text };
    },
    async partition(userId) {
      const items = await partitionItems(db, tableName, userId);
      return items.sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    },
  };
}

const agent = new Agent({ keepAlive: true });

/**
 * One HTTP request over node:http with a keep-alive agent (undici's fetch costs several times the
 * CPU per request, and a test file sends hundreds): the answer's status, headers and text.
 */
function request(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, one);
        }
        resolve({ status: res.statusCode!, headers: h, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The server closed this idle keep-alive socket as the request went out on it: nothing was
      // read, so send it again on a new socket (Node's documented remedy for this race).
      if (req.reusedSocket && err.code === 'ECONNRESET') resolve(request(url, method, headers, body));
      else reject(err);
    });
    req.end(body);
  });
}

/** A valid workout body; override any field. */
export function workout(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    workoutType: 'running',
    startedAt: '2026-11-20T07:30:00+01:00',
    durationMinutes: 42,
    distanceKm: 8.2,
    intensity: 'high',
    avgHeartRate: 151,
    notes: 'tempo run',
    ...overrides,
  };
}
