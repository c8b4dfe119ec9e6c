/**
 * `npm start` as a user runs it: the embedded DynamoDB Local starts and stops with the service,
 * data survives a restart, a missing Java runtime is one clear line; and the token command.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
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

function javaChildren(pid: number): number[] {
  const ps = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .filter((l) => l.includes('java'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
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
  assert.equal(await stop(second.child, 'SIGINT'), 0);
  assert.equal(alive(java2[0]!), false, 'DynamoDB Local outlived the service');
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
