/**
 * A fake network peer in front of DynamoDB Local, which never throttles: it answers the requests
 * that `decide` picks with the error DynamoDB itself sends when throttling (HTTP 400, an
 * `application/x-amz-json-1.0` body with `__type` ProvisionedThroughputExceededException, or a
 * TransactionCanceledException whose reasons say ThrottlingError), and forwards every other
 * request unchanged. The service's real client talks to it over HTTP, so what is tested is the
 * client's and the service's real retry path, not a mock.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyAction = 'forward' | 'throttle' | 'throttle-transaction';

export interface ProxiedRequest {
  operation: string;
  action: ProxyAction;
  atMs: number;
}

export interface ThrottlingProxy {
  endpoint: string;
  /** Every request seen, in order. */
  log: ProxiedRequest[];
  /** Changes the policy for the requests that follow. */
  setPolicy(decide: (operation: string, seen: number) => ProxyAction): void;
  close(): Promise<void>;
}

const THROTTLED = {
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message:
    'The level of configured provisioned throughput for the table was exceeded. ' +
    'Consider increasing your provisioning level with the UpdateTable API.',
};

function transactionThrottled(items: number) {
  const reasons = Array.from({ length: Math.max(1, items) }, (_, i) =>
    i === 0
      ? {
          Code: 'ThrottlingError',
          Message: 'Throughput exceeds the current capacity of your table or index.',
        }
      : { Code: 'None' },
  );
  return {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons
      .map((r) => r.Code)
      .join(', ')}]`,
    CancellationReasons: reasons,
  };
}

export async function startThrottlingProxy(target: string): Promise<ThrottlingProxy> {
  const upstream = new URL(target);
  const log: ProxiedRequest[] = [];
  const t0 = performance.now();
  let decide: (operation: string, seen: number) => ProxyAction = () => 'forward';
  const perOperation = new Map<string, number>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
      const seen = perOperation.get(operation) ?? 0;
      perOperation.set(operation, seen + 1);
      const action = decide(operation, seen);
      log.push({ operation, action, atMs: performance.now() - t0 });
      if (action !== 'forward') {
        let items = 1;
        try {
          items = (JSON.parse(body.toString()) as { TransactItems?: unknown[] }).TransactItems?.length ?? 1;
        } catch {
          // not JSON: one reason is enough
        }
        const payload = JSON.stringify(action === 'throttle' ? THROTTLED : transactionThrottled(items));
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': `proxy-${log.length}`,
          'content-length': Buffer.byteLength(payload),
        });
        res.end(payload);
        return;
      }
      const up = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers as IncomingHttpHeaders,
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    log,
    setPolicy(d) {
      decide = d;
      perOperation.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
