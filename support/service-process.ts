/**
 * The local service as its own process (`node --import tsx src/runtime/local.ts`, what `npm start`
 * runs), for tests that kill it and for benchmarks that must not share an event loop with the
 * load generator. Killed with the test process, whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/runtime/embedded-dynamodb.ts';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface ServiceProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** The last few KiB the process wrote (for failure messages). */
  output(): string;
  /** SIGKILL: no shutdown hook runs, in-flight requests die with their sockets. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

export async function spawnService(opts: {
  endpoint: string;
  tableName: string;
  dataDir: string;
  port?: number;
  env?: Record<string, string>;
  /** Extra flags for node, e.g. `--cpu-prof` (refused in NODE_OPTIONS). */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}): Promise<ServiceProcess> {
  const port = opts.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), '--import', 'tsx', 'src/runtime/local.ts'],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        DATA_DIR: opts.dataDir,
        DYNAMODB_ENDPOINT: opts.endpoint,
        TABLE_NAME: opts.tableName,
        LOG_LEVEL: process.env.SERVICE_LOG_LEVEL ?? 'warn',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const alive = () => child.exitCode === null && child.signalCode === null;

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (!alive()) throw new Error(`the service exited before it was ready:\n${output.slice(-2000)}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service did not become ready:\n${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    port,
    child,
    output: () => output,
    async kill() {
      process.off('exit', killOnExit);
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      process.off('exit', killOnExit);
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
