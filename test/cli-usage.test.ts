/**
 * `workout-log` usage: --help with examples on every command, the package.json bin shim, and
 * exit code 2 with a message when it cannot run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cli } from './cli-harness.ts';

describe('workout-log usage', () => {
  test('--help on every command, with examples; the bin shim runs without a build', async () => {
    for (const args of [['--help'], ['import', '--help'], ['export', '--help'], ['token', '--help']]) {
      const run = await cli(args);
      assert.equal(run.code, 0, args.join(' '));
      assert.match(run.stdout, /Examples:\n {2}\$ /, args.join(' '));
    }
    const bin = spawn(process.execPath, ['src/cli/workout-log-bin.js', 'import', '--help'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    bin.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(bin, 'close')) as [number];
    assert.equal(code, 0);
    assert.match(out, /--batch-size <n>/);
  });

  test('missing --api or --token, an unknown file: exit 2 with a message', async () => {
    const noApi = await cli(['import', 'x.csv'], { WORKOUT_API_URL: '', WORKOUT_API_TOKEN: '' });
    assert.equal(noApi.code, 2);
    assert.match(noApi.stderr, /--api is required/);
    const missing = await cli([
      'import',
      join(tmpdir(), 'workout-log-no-such-file.csv'),
      '--api',
      'http://127.0.0.1:9',
      '--token',
      'x',
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /ENOENT|no such file/);
  });
});
