/**
 * The post-deploy smoke check (scripts/smoke.ts), run here against the local service over real
 * HTTP: the same checks a first deployer runs against API Gateway. It must pass on a correct
 * service, clean up after itself, and fail (exit code 1, with what to do) on a deployment that
 * answers like an API Gateway stage without this template's gateway responses.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { parseSmokeArgs, runSmoke, smokeMain, tokenSubject } from '../scripts/smoke.ts';
import { startTestService, type TestService } from './helpers.ts';

const ORIGIN = 'https://app.example.com';
const CHECKS = [
  'health',
  'X-Request-Id',
  '401 without a token',
  'CORS preflight',
  'CORS: other origins get no access',
  '415 for a text body',
  'statistics readable',
  'workout logged',
  'retry answers 200',
  'workout read',
  'counted in statistics',
  "403 on another user's statistics",
  'admin reads another user',
  'workout deleted',
];

let t: TestService;
before(async () => {
  // The local service reads CORS_ORIGINS when it starts (as the function does on AWS).
  process.env.CORS_ORIGINS = ORIGIN;
  t = await startTestService();
});

/** Runs the smoke script as its own process, as `npm run smoke` does (output and exit code). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/smoke.ts', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, ms: performance.now() - started }));
  });
}

test('npm run smoke against the local service: every check passes, a line each, exit code 0, and the smoke workout is gone afterwards', async () => {
  const user = 'smoke-ana';
  const printed: string[] = [];
  const started = performance.now();
  const code = await smokeMain(
    [
      '--api',
      t.url,
      '--token',
      await t.token(user),
      '--admin-token',
      await t.token('smoke-coach', { admin: true }),
      '--origin',
      ORIGIN,
      '--timeout-ms',
      '10000',
    ],
    (line) => printed.push(line),
  );
  const ms = performance.now() - started;
  const output = printed.join('\n');
  assert.equal(code, 0, output);
  const lines = output.split('\n').filter((l) => /^(PASS|FAIL|SKIP) /.test(l));
  assert.deepEqual(
    lines.map((l) => l.slice(0, 6) + l.slice(6, 40).trimEnd()),
    CHECKS.map((name) => `PASS  ${name}`),
    output,
  );
  assert.match(output, new RegExp(`${CHECKS.length} passed, 0 failed, 0 skipped in \\d+\\.\\d s`));
  assert.ok(ms < 60_000, `took ${ms} ms`);
  // Deleted again: no workout of the smoke user remains in the table.
  const left = (await t.partition(user)).filter((i) => String(i.sk).startsWith('W#'));
  assert.deepEqual(left, []);
});

test('without tokens or an origin, the checks that need them are skipped, not failed', async () => {
  const results = await runSmoke({ api: t.url, timeoutMs: 10_000, deadlineMs: 45_000 });
  assert.deepEqual(
    results.filter((r) => r.outcome === 'pass').map((r) => r.name),
    ['health', 'X-Request-Id', '401 without a token'],
  );
  assert.ok(results.every((r) => r.outcome !== 'fail'));
  assert.match(results.find((r) => r.name === 'workout logged')!.detail, /--token/);
});

/**
 * A stage answering like API Gateway does when the deployment was taken before the gateway
 * responses (D1): `{"message":"Unauthorized"}` without WWW-Authenticate; no request ids.
 */
function unconfiguredGateway(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Unauthorized"}');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('a stage without the gateway responses fails, with what to do, and exit code 1', async () => {
  const server = await unconfiguredGateway();
  after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const results = await runSmoke({ api: url, token: 'x.e30.y', timeoutMs: 5000, deadlineMs: 45_000 });
  const byName = new Map(results.map((r) => [r.name, r]));
  assert.equal(byName.get('health')!.outcome, 'pass');
  const unauthorized = byName.get('401 without a token')!;
  assert.equal(unauthorized.outcome, 'fail');
  assert.match(
    unauthorized.detail,
    /expected application\/problem\+json, got 401 application\/json \{"message":"Unauthorized"\}/,
  );
  assert.match(unauthorized.fix!, /create-deployment/);
  assert.equal(byName.get('X-Request-Id')!.outcome, 'fail');
  assert.equal(byName.get('workout logged')!.outcome, 'fail');
  assert.equal(byName.get('retry answers 200')!.outcome, 'skip', 'nothing to retry when nothing was logged');

  // The script itself, as a process: its exit code is what a deploy pipeline reads.
  const r = await cli(['--api', url]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^FAIL {2}401 without a token .*\n {6}what to do: .*create-deployment/m);
});

test('an API that does not answer: two failures, the rest skipped, well within a minute', async () => {
  // A port that accepts connections and never answers.
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const started = performance.now();
  const results = await runSmoke({ api: url, token: 'x.e30.y', timeoutMs: 300, deadlineMs: 45_000 });
  assert.ok(performance.now() - started < 5000);
  assert.deepEqual(
    results.filter((r) => r.outcome === 'fail').map((r) => r.name),
    ['health', 'X-Request-Id'],
  );
  assert.ok(results.slice(2).every((r) => r.outcome === 'skip' && /did not answer/.test(r.detail)));
});

test('arguments and token subjects', () => {
  assert.throws(() => parseSmokeArgs(['--api', 'localhost:3000']), /http\(s\) URL/);
  assert.deepEqual(parseSmokeArgs(['--api', 'http://localhost:3000']), {
    api: 'http://localhost:3000',
    token: undefined,
    adminToken: undefined,
    origin: undefined,
    timeoutMs: 8_000,
    deadlineMs: 45_000,
  });
  const payload = Buffer.from(JSON.stringify({ sub: 'b0c1-42' })).toString('base64url');
  assert.equal(tokenSubject(`h.${payload}.s`), 'b0c1-42');
  assert.equal(tokenSubject('not a token'), undefined);
});
