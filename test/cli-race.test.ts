/**
 * `workout-log import` racing single writes of the same and other workouts, and answered 429/503
 * with Retry-After by a proxy in front of the service: every workout stored once, statistics
 * equal to a recount.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { retryAfterMs } from '../src/cli/http.ts';
import { cli, cliHarness, summaryOf } from './cli-harness.ts';
import type { TestService } from './helpers.ts';

let h: Awaited<ReturnType<typeof cliHarness>>;
let t: TestService;
let work: string;
before(async () => {
  h = await cliHarness();
  ({ t, work } = h);
});
const importAs: typeof h.importAs = (...args) => h.importAs(...args);
const assertExact: typeof h.assertExact = (...args) => h.assertExact(...args);
const ndjsonFile: typeof h.ndjsonFile = (...args) => h.ndjsonFile(...args);

/** 503s seen by the single writes (retried after Retry-After, as a client would). */
let unavailable = 0;

/** POST /workouts as the racer, retrying a 503 after its Retry-After; the final status. */
async function postRetrying(body: unknown): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const r = await t.call('POST', '/workouts', { as: 'racer', body });
    if (r.status !== 503 || attempt === 10) return r.status;
    unavailable++;
    await new Promise((resolve) =>
      setTimeout(resolve, (retryAfterMs(r.headers.get('retry-after')) ?? 1000) * Math.min(attempt, 3)),
    );
  }
}

describe('workout-log import, raced', () => {
  test('an import racing single writes of the same and other workouts', async () => {
    const n = 400;
    const file = ndjsonFile('race.ndjson', n, 'x');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const token = await t.token('racer');
    const importing = cli([
      'import',
      file,
      '--api',
      t.url,
      '--token',
      token,
      '--state-dir',
      join(work, 'state-race'),
      '--batch-size',
      '25',
      '--concurrency',
      '4',
      '--json',
    ]);
    // Meanwhile: the same workouts one by one (same content: 200 or 201), and new ones.
    const singles: Promise<number>[] = [];
    for (let i = 0; i < 60; i++) {
      const body =
        i % 2 === 0
          ? JSON.parse(lines[(i * 7) % n] as string)
          : { ...JSON.parse(lines[i] as string), workoutId: `single-${i}` };
      singles.push(postRetrying(body));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 15));
    }
    const statuses = await Promise.all(singles);
    assert.ok(
      statuses.every((s) => s === 200 || s === 201),
      statuses.join(','),
    );
    const run = await importing;
    assert.equal(run.code, 0, run.stderr);
    const s = summaryOf(run);
    assert.equal(s.imported + s.present, n);
    await assertExact('racer', n + 30);
    if (unavailable)
      console.log(`# the racing single writes were answered 503 ${unavailable} times (retried)`);
  });
});

/** A proxy in front of the service that answers the first batches with 429 and 503 (Retry-After: 1). */
async function flakyProxy(target: string, failures: number[]) {
  let batch = 0;
  const seen: number[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url === '/workouts/batch') {
      const status = failures[batch++];
      if (status) {
        seen.push(status);
        req.resume();
        res.writeHead(status, { 'content-type': 'application/problem+json', 'retry-after': '1' });
        res.end(
          JSON.stringify({
            type: 'about:blank',
            title: 'busy',
            status,
            code: status === 429 ? 'rate_limited' : 'database_unavailable',
          }),
        );
        return;
      }
    }
    const url = new URL(req.url ?? '/', target);
    const upstream = request(
      url,
      { method: req.method, headers: { ...req.headers, host: url.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => server.close(),
  };
}

describe('retries', () => {
  test('429 and 503 are retried after their Retry-After; every workout lands once', async () => {
    const proxy = await flakyProxy(t.url, [429, 503, 429]);
    const file = ndjsonFile('flaky.ndjson', 150, 'f');
    const started = Date.now();
    const { run, summary } = await importAs(
      'flaky',
      file,
      ['--batch-size', '50', '--concurrency', '1'],
      proxy.url,
    );
    proxy.close();
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(proxy.seen, [429, 503, 429]);
    assert.ok(Date.now() - started >= 3000, 'waited the Retry-After seconds');
    assert.equal((run.stderr.match(/retrying after HTTP (429|503): waiting 1\.0 s/g) ?? []).length, 3);
    assert.equal(summary.imported, 150);
    await assertExact('flaky', 150);
  });

  test('Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('3'), 3000);
    assert.equal(
      retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1)),
      10_000,
    );
    assert.equal(retryAfterMs(null), null);
    assert.equal(retryAfterMs('soon'), null);
  });
});
