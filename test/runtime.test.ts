/**
 * `npm start` as a user runs it: the embedded DynamoDB Local starts and stops with the service,
 * data survives a restart, a missing Java runtime is one clear line; and the token command.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { signingKey } from '../src/auth/local-jwt.ts';
import { freePort } from '../src/runtime/embedded-dynamodb.ts';

const LOCAL = ['--import', 'tsx', 'src/runtime/local.ts'];

function startService(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const { DYNAMODB_ENDPOINT: _ignored, ...base } = process.env; // use the embedded database
  const child = spawn(process.execPath, LOCAL, {
    env: { ...base, LOG_LEVEL: 'info', ...env },
    stdio: 'pipe',
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

async function waitHealthy(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('service did not become healthy in 60 s');
}

/** Java processes below `pid` (the service runs DynamoDB Local under a supervisor process). */
function javaChildren(pid: number): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' });
  const rows = ps.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((r) => r.length === 3)
    .map(([p, pp, comm]) => ({ pid: Number(p), ppid: Number(pp), comm: comm! }));
  const below = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows) {
      if (below.has(r.ppid) && !below.has(r.pid)) {
        below.add(r.pid);
        grew = true;
      }
    }
  }
  return rows.filter((r) => below.has(r.pid) && r.comm.includes('java')).map((r) => r.pid);
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  for (const until = Date.now() + withinMs; Date.now() < until;) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill(signal);
  return exited;
}

test('npm start: data survives a restart; SIGTERM and SIGINT leave no Java process', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  const port = await freePort();
  const env = { DATA_DIR: dataDir, PORT: String(port) };
  const token = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', 'ana'], {
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
  }).trim();
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  const first = startService(env);
  await waitHealthy(port, first.child);
  const java = javaChildren(first.child.pid!);
  assert.equal(java.length, 1, first.output());
  const created = await fetch(`http://127.0.0.1:${port}/workouts`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      workoutId: 'kept',
      workoutType: 'yoga',
      startedAt: '2026-11-20T07:00:00Z',
      durationMinutes: 30,
    }),
  });
  assert.equal(created.status, 201);
  assert.equal(await stop(first.child, 'SIGTERM'), 0);
  assert.equal(alive(java[0]!), false, 'DynamoDB Local outlived the service');

  const second = startService(env);
  await waitHealthy(port, second.child);
  const java2 = javaChildren(second.child.pid!);
  const read = await fetch(`http://127.0.0.1:${port}/workouts/kept`, { headers: auth });
  assert.equal(read.status, 200);
  assert.equal(((await read.json()) as { durationMinutes: number }).durationMinutes, 30);

  // A second service on the same data directory is refused, in one clear line.
  const clash = spawnSync(process.execPath, LOCAL, {
    env: { ...processEnvWithoutEndpoint(), DATA_DIR: dataDir, PORT: String(await freePort()) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(clash.status, 1, clash.stderr);
  assert.match(clash.stderr, /^error: .* is in use by another service \(process \d+\)/m);

  assert.equal(await stop(second.child, 'SIGINT'), 0);
  assert.equal(alive(java2[0]!), false, 'DynamoDB Local outlived the service');

  // Killed outright (no exit hook runs), the service still takes DynamoDB Local with it, and the
  // next start on the same directory works.
  const third = startService(env);
  await waitHealthy(port, third.child);
  const java3 = javaChildren(third.child.pid!);
  assert.equal(java3.length, 1, third.output());
  await stop(third.child, 'SIGKILL');
  assert.ok(await gone(java3[0]!, 10_000), 'DynamoDB Local outlived a SIGKILLed service');
  const fourth = startService(env);
  await waitHealthy(port, fourth.child);
  assert.equal(await stop(fourth.child, 'SIGTERM'), 0);
});

function processEnvWithoutEndpoint(): NodeJS.ProcessEnv {
  const { DYNAMODB_ENDPOINT: _ignored, ...base } = process.env;
  return base;
}

test('the token key: made with mode 0600; a short or world-readable key file is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'key-'));
  const key = signingKey(dir, {});
  assert.ok(key.length >= 32);
  assert.equal(statSync(join(dir, 'jwt.key')).mode & 0o777, 0o600);
  chmodSync(join(dir, 'jwt.key'), 0o644);
  assert.throws(() => signingKey(dir, {}), /can be read by other users: run chmod 600/);
  const short = mkdtempSync(join(tmpdir(), 'key-'));
  writeFileSync(join(short, 'jwt.key'), 'short', { mode: 0o600 });
  assert.throws(() => signingKey(short, {}), /must hold a key of at least 32 characters/);
  assert.throws(() => signingKey(short, { JWT_SECRET: 'x'.repeat(31) }), /JWT_SECRET must be at least 32/);
});

test('without Java, npm start says in one line how to install it', () => {
  const { DYNAMODB_ENDPOINT: _ignored, ...base } = process.env;
  const r = spawnSync(process.execPath, LOCAL, {
    env: {
      ...base,
      PATH: mkdtempSync(join(tmpdir(), 'no-java-')),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'd-')),
    },
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^error: .*Java.*apt-get install -y openjdk-17-jre-headless/);
});

test('the token command prints one token and nothing else; refuses bad ids', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'token-'));
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', 'ana', '--admin'], {
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  assert.match(out, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  const payload = JSON.parse(Buffer.from(out.split('.')[1]!, 'base64url').toString());
  assert.equal(payload.sub, 'ana');
  assert.deepEqual(payload['cognito:groups'], ['admin']);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', 'not valid!'], {
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  assert.notEqual(bad.status, 0);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /must be 1-128 letters/);
});
