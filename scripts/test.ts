/**
 * `npm test`: starts one in-memory DynamoDB Local for the whole suite, then runs every
 * test/*.test.ts with Node's test runner against it (each file uses tables of its own).
 * `npm test -- test/stats.test.ts` runs a subset.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { startEmbeddedDynamoDb } from '../src/runtime/embedded-dynamodb.ts';

const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync('test')
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => `test/${f}`);

const ddb = await startEmbeddedDynamoDb();
const code = await new Promise<number>((resolve) => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files],
    {
      stdio: 'inherit',
      env: { ...process.env, DYNAMODB_ENDPOINT: ddb.endpoint, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
    },
  );
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});
await ddb.stop();
process.exit(code);
