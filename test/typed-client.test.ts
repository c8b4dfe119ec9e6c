/**
 * examples/typed-client: it compiles under `tsc --strict`, without a cast, against the types
 * openapi-typescript makes of the document as it is now, and its flow runs against the local
 * service with every answer checked against the document.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { generate } from '../examples/typed-client/generate.ts';
import { runFlow } from '../examples/typed-client/flow.ts';
import { startTestService } from './helpers.ts';
import { openApiCheck } from './support/openapi-check.ts';

const EXAMPLE = 'examples/typed-client';

test('the example compiles under tsc --strict against types generated from the document now', async (t) => {
  // A copy inside the repository (so node_modules resolve), with schema.d.ts generated afresh.
  mkdirSync('.tmp', { recursive: true });
  const dir = mkdtempSync('.tmp/typed-client-');
  for (const file of ['flow.ts', 'main.ts', 'tsconfig.json'])
    copyFileSync(`${EXAMPLE}/${file}`, `${dir}/${file}`);
  const { types } = await generate();
  writeFileSync(`${dir}/schema.d.ts`, types);
  if (readFileSync(`${EXAMPLE}/schema.d.ts`, 'utf8') !== types) {
    t.diagnostic('examples/typed-client/schema.d.ts is out of date: run `npm run client:generate`');
  }
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', `${dir}/tsconfig.json`]);
  } catch (err) {
    assert.fail(`tsc --strict failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the example has no cast, any or non-null assertion', () => {
  for (const file of ['flow.ts', 'main.ts']) {
    const code = readFileSync(`${EXAMPLE}/${file}`, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(code, /\bas\s/, `${file}: a type assertion`);
    assert.doesNotMatch(code, /[\w)\]]!(?!=)/, `${file}: a non-null assertion`);
    assert.doesNotMatch(code, /\bany\b|<[A-Z]\w*>\s*\w/, `${file}: any, or an angle-bracket assertion`);
  }
});

test('the flow runs against the local service, every answer as the document says', async () => {
  const t = await startTestService();
  const checked = async (request: Request): Promise<Response> => {
    const res = await fetch(request);
    const url = new URL(request.url);
    openApiCheck().assert({
      method: request.method,
      path: url.pathname + url.search,
      status: res.status,
      headers: res.headers,
      text: await res.clone().text(),
    });
    return res;
  };
  const summary = await runFlow({ baseUrl: t.url, token: await t.token('ana'), fetch: checked });
  assert.deepEqual(summary, {
    displayName: 'Ana',
    logged: 20,
    pages: 3,
    listed: 20,
    totalWorkouts: 20,
    totalDurationMinutes: summary.totalDurationMinutes,
    weeklyWorkouts: 20,
    patchedNotes: 'felt strong',
    staleEditCode: 'precondition_failed',
    notModified: true,
    mirrored: 19,
    exportedWorkouts: 19,
    exportPages: summary.exportPages,
    workoutsAfterErasure: 0,
    profileAfterErasure: 'user_not_found',
  });
  assert.ok(summary.totalDurationMinutes > 0 && summary.exportPages >= 1);
});
