/**
 * `workout-log import` answered 429 and 503 with Retry-After by a proxy in front of the real
 * service: it waits as told and every workout lands once.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { retryAfterMs } from '../src/cli/http.ts';
import { cliHarness } from './cli-harness.ts';

const { t, importAs, assertExact, ndjsonFile } = await cliHarness();

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
    assert.equal(summary.imported + summary.present, 150);
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
