/**
 * The web console in a real browser: Debian's Chromium driven by playwright-core, against the
 * real local service on DynamoDB Local. One page walks through what a person does: sign in, log a
 * workout (first with a bad field), see it in the list and in the chart's data, edit and delete
 * it (with If-Match), import a file with progress, and an admin viewing another user. Every page
 * is checked with axe-core (no serious or critical finding, light and dark) and at 390×844 for
 * horizontal scrolling.
 *
 * Skipped, with a message, only when no Chromium is installed outside CI (.ci/run installs it).
 * CONSOLE_SCREENSHOTS=1 also saves each page at desktop and phone size to docs/console/.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page, Request } from 'playwright-core';
import { buildConsole, FIRST_LOAD_BUDGET } from '../scripts/build-console.ts';
import { parseWorkouts } from '../src/import/index.ts';
import { startTestService, workout, type TestService } from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI)
  throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs it`);
const skip = haveChromium
  ? false
  : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
const SHOTS = process.env.CONSOLE_SCREENSHOTS === '1' ? 'docs/console' : null;
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** A `datetime-local` value `days` ago at 07:30 (the browser runs in this process's zone). */
function localInput(daysAgo: number): string {
  const d = new Date();
  d.setDate(d.getDate() - daysAgo);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T07:30`;
}

describe('web console', { skip, timeout: 300_000 }, () => {
  let t: TestService;
  let browser: Browser;
  let page: Page;
  const requests: Request[] = [];

  before(async () => {
    const { chromium } = await import('playwright-core');
    const [service, b] = await Promise.all([
      startTestService(),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
    ]);
    t = service;
    browser = b;
    page = await browser.newPage({ viewport: DESKTOP });
    page.setDefaultTimeout(15_000); // generous: CI runs two test files at once on 2 cores
    page.on('request', (r) => requests.push(r));
    page.on('pageerror', (e) => assert.fail(`page error: ${e.message}`));
  });
  after(async () => {
    await browser?.close();
  });

  /** No serious or critical axe finding on the page as it is now. */
  async function axe(where: string) {
    // Evaluated over the DevTools protocol: the page's CSP (no inline scripts) stays in force.
    if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE); // once per document
    const violations = await page.evaluate(async () => {
      const r = await (
        globalThis as unknown as { axe: { run(): Promise<{ violations: Violation[] }> } }
      ).axe.run();
      type Violation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map(
          (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
        );
    });
    assert.deepEqual(violations, [], `axe on ${where}`);
  }

  /** The page has no horizontal scroll at phone width; optionally screenshots both sizes. */
  async function check(name: string) {
    await axe(name);
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}/${name}-desktop.png`, fullPage: true });
    }
    await page.setViewportSize(PHONE);
    await axe(`${name} (phone)`);
    const [scrollWidth, width] = await page.evaluate(() => {
      // Runs in the page (this file is type-checked without the DOM library).
      const w = globalThis as unknown as {
        innerWidth: number;
        document: { documentElement: { scrollWidth: number } };
      };
      return [w.document.documentElement.scrollWidth, w.innerWidth];
    });
    assert.ok(scrollWidth <= width, `${name}: ${scrollWidth}px wide in a ${width}px viewport`);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}-phone.png`, fullPage: true });
    await page.setViewportSize(DESKTOP);
  }

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();
  const lastRequest = (method: string, path: RegExp) =>
    [...requests].reverse().find((r) => r.method() === method && path.test(new URL(r.url()).pathname));

  test('the first load stays under the JS budget', async () => {
    const b = await buildConsole();
    assert.ok(b.firstLoadJsGzip <= FIRST_LOAD_BUDGET, `${b.firstLoadJsGzip} bytes of gzipped JS`);
  });

  test('signs in locally', async () => {
    await page.goto(t.url + '/');
    await heading('Sign in');
    await check('sign-in');
    // By keyboard: the page's heading has focus; Tab reaches the user id, Shift+Tab the skip link.
    assert.equal(await page.locator(':focus').textContent(), 'Sign in');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.locator(':focus').textContent(), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.locator(':focus').getAttribute('id'), 'signin-user');
    await page.keyboard.type('ana');
    await page.keyboard.press('Enter');
    await heading('Dashboard');
    assert.equal(await page.getByTestId('who').textContent(), 'ana');
  });

  test('a bad field shows the server message next to it; a good workout lands in the list', async () => {
    await page.getByRole('link', { name: 'Workouts' }).click();
    await heading('Workouts');
    await page.getByRole('link', { name: 'Log a workout' }).click();
    await heading('Log a workout');
    await page.getByLabel('Workout type').selectOption('running');
    await page.getByLabel('Started at').fill(localInput(2));
    await page.getByLabel('Duration (minutes)').fill('0');
    await page.getByLabel('Distance (km)').fill('8.2');
    await page.getByRole('button', { name: 'Save workout' }).click();
    const error = page.locator('#f-durationMinutes-error');
    await error.waitFor();
    assert.equal(await error.textContent(), 'must be greater than 0');
    assert.equal(await page.getByLabel('Duration (minutes)').getAttribute('aria-invalid'), 'true');
    assert.equal(
      await page.getByRole('alert').textContent(),
      'The workout was not saved: check Duration (minutes).',
    );
    await check('log-workout-error');

    await page.getByLabel('Duration (minutes)').fill('42');
    await page.getByLabel('Calories').fill('480');
    await page.getByRole('button', { name: 'Save workout' }).click();
    await heading('Workouts');
    const row = page.getByTestId('workout-list').locator('tbody tr');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.match((await row.first().textContent()) ?? '', /Running.*42.*480.*8\.2/);
    await check('workouts');
  });

  test('the dashboard shows it, in the totals and in the chart data', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await heading('Dashboard');
    const table = page.getByTestId('chart-table');
    await table.waitFor({ state: 'attached' });
    await page.getByText('Chart data as a table').click();
    assert.equal(await table.locator('tbody tr').count(), 1);
    const cells = await table.locator('tbody tr').first().locator('th, td').allTextContents();
    // The day, then workouts, minutes, calories, km.
    assert.deepEqual(cells, [localInput(2).slice(0, 10), '1', '42', '480', '8.2']);
    assert.match((await page.getByTestId('totals').textContent()) ?? '', /Workouts1Minutes42/);
    assert.equal(await page.locator('.chart-canvas canvas').count(), 1);
    // Another granularity (by keyboard: arrow keys move through the radio group) and metric.
    await page.getByRole('radio', { name: 'Day' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('radio', { name: 'Week' }).isChecked(), true);
    await page.getByLabel('Metric').selectOption('distanceKm');
    await page.getByRole('heading', { name: 'Distance (km) by week' }).waitFor();
    await check('dashboard');
  });

  test('edits and deletes it with If-Match', async () => {
    await page.getByRole('link', { name: 'Workouts' }).click();
    await page.getByTestId('workout-list').locator('tbody tr a').first().click();
    await heading(/^Running/);
    const get = lastRequest('GET', /^\/workouts\/[^/]+$/)!;
    const etag = (await get.response())?.headers().etag;
    assert.ok(etag, 'GET /workouts/{id} answers with an ETag');
    await check('workout');
    await page.getByLabel('Duration (minutes)').fill('50');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved.').waitFor();
    const patch = lastRequest('PATCH', /^\/workouts\//)!;
    assert.equal(patch.headers()['if-match'], etag);
    assert.deepEqual(JSON.parse(patch.postData() ?? '{}'), { durationMinutes: 50 });

    await page.getByRole('button', { name: 'Delete' }).click();
    // The confirmation takes the focus, so Enter confirms.
    assert.equal(await page.locator(':focus').textContent(), 'Yes, delete it');
    await page.keyboard.press('Enter');
    await heading('Workouts');
    await page.getByText('Workout deleted.').waitFor();
    const del = lastRequest('DELETE', /^\/workouts\//)!;
    assert.equal(del.headers()['if-match'], (await patch.response())?.headers().etag);
    await page.getByText('No workouts match.').waitFor();
    const list = await t.call<{ items: unknown[] }>('GET', '/workouts');
    assert.equal(list.body.items.length, 0);
  });

  test('profile: create, then the export and erase controls', async () => {
    await page.getByRole('link', { name: 'Profile' }).click();
    await heading('Profile');
    await page.getByLabel('Name').fill('Ana');
    await page.getByLabel('Weight (kg)').fill('61.5');
    await page.getByLabel('Time zone').fill('Europe/Lisbon');
    await page.getByRole('button', { name: 'Create profile' }).click();
    await page.getByText('Profile saved.').waitFor();
    const profile = await t.call<{ displayName: string; weightKg: number }>('GET', '/users/ana');
    assert.equal(profile.body.displayName, 'Ana');
    assert.equal(profile.body.weightKg, 61.5);
    assert.equal(await page.getByRole('button', { name: 'Erase everything' }).isDisabled(), true);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export my data' }).click(),
    ]);
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    assert.equal(JSON.parse(lines[0]!).profile.displayName, 'Ana');
    await check('profile');
  });

  test('imports a file through the batch endpoint, with progress', async () => {
    const day = (i: number) => new Date(Date.now() - (10 + (i % 20)) * 86_400_000).toISOString();
    const rows = Array.from(
      { length: 104 },
      (_, i) => `import-${i},cycling,${day(i)},${20 + (i % 40)},${i % 30}`,
    );
    rows.push(`import-bad,running,${day(0)},0,5`); // duration 0: the server rejects this one
    const csv = ['workoutId,workoutType,startedAt,durationMinutes,distanceKm', ...rows].join('\n') + '\n';
    await page.getByRole('link', { name: 'Import' }).click();
    await heading('Import');
    await page
      .getByLabel('File')
      .setInputFiles({ name: 'workouts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByLabel('Format').selectOption('csv');
    const before = requests.length;
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText(/^Import finished/).waitFor({ timeout: 60_000 });
    const status = (await page.getByText(/^Import finished/).textContent()) ?? '';
    assert.match(status, /104 new, 0 already there, 0 conflicting, 1 rejected/);
    const progress = page.getByLabel('Import progress');
    assert.equal(await progress.getAttribute('value'), '105');
    assert.equal(await progress.getAttribute('max'), '105');
    assert.equal(await page.getByTestId('import-count').textContent(), '105 of 105 workouts sent');
    const batches = requests
      .slice(before)
      .filter((r) => r.method() === 'POST' && r.url().endsWith('/workouts/batch'));
    assert.equal(batches.length, 2, 'two batches: 100 and 5');
    // The rejected row names its line and the server's message.
    assert.match(
      (await page.locator('table').last().textContent()) ?? '',
      /106.*durationMinutes must be greater than 0/,
    );
    await check('import');

    // A Strava export, format detected: the browser reads it as the command-line parser does.
    const strava = join(import.meta.dirname, 'fixtures', 'strava-activities.csv');
    const expected = { workouts: 0, errors: 0, skipped: 0 };
    async function* whole() {
      yield readFileSync(strava, 'utf8');
    }
    for await (const r of parseWorkouts(whole())) {
      if ('workout' in r) expected.workouts++;
      else if (r.skippedType) expected.skipped++;
      else expected.errors++;
    }
    await page.getByLabel('File').setInputFiles(strava);
    await page.getByLabel('Format').selectOption('');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    // (This summary differs from the previous one by its skipped count.)
    assert.ok(expected.skipped > 0);
    await page
      .getByText(new RegExp(`^Import finished: .* ${expected.skipped} skipped`))
      .waitFor({ timeout: 60_000 });
    const counts = ((await page.getByText(/^Import finished/).textContent()) ?? '')
      .match(/\d+/g)!
      .map(Number);
    const [created, replayed, conflicting, rejected, skipped] = counts as [
      number,
      number,
      number,
      number,
      number,
    ];
    assert.equal(skipped, expected.skipped);
    assert.equal(created + replayed + conflicting + rejected, expected.workouts + expected.errors);
    assert.ok(created > 0);
    const list = await t.call<{ items: unknown[] }>('GET', '/workouts?limit=100');
    assert.equal(list.body.items.length, 100);

    // With a history: the dashboard over 12 weeks and the list's paging (screenshots taken here).
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await heading('Dashboard');
    await page.getByLabel('Range', { exact: true }).selectOption('12w');
    await page.getByRole('heading', { name: 'Minutes by week' }).waitFor();
    await page.getByTestId('chart-table').waitFor({ state: 'attached' });
    assert.ok((await page.getByTestId('chart-table').locator('tbody tr').count()) >= 3);
    await check('dashboard');
    await page.getByRole('link', { name: 'Workouts' }).click();
    await page.getByLabel('Type').selectOption('cycling');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2').waitFor();
    assert.equal(await page.getByTestId('workout-list').locator('tbody tr').count(), 20);
    await check('workouts');
  });

  test('an admin views another user', async () => {
    for (const [i, minutes] of [30, 60].entries()) {
      const r = await t.call('POST', '/workouts', {
        as: 'ben',
        body: workout({
          startedAt: new Date(Date.now() - (i + 1) * 86_400_000).toISOString(),
          durationMinutes: minutes,
        }),
      });
      assert.equal(r.status, 201);
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in');
    await page.getByLabel('User id').fill('coach');
    await page.getByLabel('Admin').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Dashboard');
    await page.getByRole('link', { name: 'Admin' }).click();
    await heading('Admin');
    await page.getByLabel('User id').fill('ben');
    await page.getByRole('button', { name: 'Show dashboard' }).click();
    await heading('Dashboard of ben');
    await page.getByTestId('totals').waitFor();
    assert.match((await page.getByTestId('totals').textContent()) ?? '', /Workouts2Minutes90/);
    await check('admin');
  });

  test('dark mode has no serious accessibility finding either', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await axe('admin (dark)');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/admin-dark-desktop.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('a user erases their account after confirming', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('User id').fill('ana');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Dashboard');
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByLabel('Name').waitFor();
    await page.getByLabel(/Type your user id/).fill('ana');
    await page.getByRole('button', { name: 'Erase everything' }).click();
    await heading('Sign in');
    assert.equal((await t.call('GET', '/users/ana')).status, 404);
    assert.deepEqual((await t.call<{ items: unknown[] }>('GET', '/workouts')).body.items, []);
  });
  test('with Cognito configured, it signs in through the hosted UI (authorization code with PKCE)', async () => {
    // The AWS console's config.json, and a stand-in for Cognito's two endpoints. CloudFront's CSP
    // (template.yaml) allows the Cognito domain; the local server's does not, hence bypassCSP.
    const ctx = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
    const p = await ctx.newPage();
    await p.route('**/config.json', (r) =>
      r.fulfill({
        json: { mode: 'cognito', cognito: { domain: 'auth.example.test', clientId: 'console-client' } },
      }),
    );
    let authorize: URL | undefined;
    let exchange: URLSearchParams | undefined;
    await p.route('https://auth.example.test/**', async (r) => {
      const url = new URL(r.request().url());
      if (url.pathname === '/oauth2/authorize') {
        authorize = url;
        return r.fulfill({ contentType: 'text/html', body: '<title>Hosted UI</title><h1>Hosted UI</h1>' });
      }
      exchange = new URLSearchParams(r.request().postData() ?? '');
      return r.fulfill({
        json: {
          id_token: await t.token('cara'),
          access_token: 'unused',
          token_type: 'Bearer',
          expires_in: 3600,
        },
        headers: { 'access-control-allow-origin': t.url },
      });
    });
    await p.goto(t.url + '/');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(/auth\.example\.test/);
    assert.ok(authorize);
    const q = authorize.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), 'console-client');
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.equal(q.get('redirect_uri'), t.url + '/');
    // The hosted UI sends the browser back with a code and the state.
    await p.goto(`${t.url}/?code=the-code&state=${q.get('state')}`);
    await p.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    assert.equal(await p.getByTestId('who').textContent(), 'cara');
    assert.equal(p.url(), t.url + '/', 'the code is gone from the address bar');
    assert.ok(exchange);
    assert.equal(exchange.get('grant_type'), 'authorization_code');
    assert.equal(exchange.get('code'), 'the-code');
    assert.equal(exchange.get('client_id'), 'console-client');
    const verifier = exchange.get('code_verifier') ?? '';
    assert.equal(createHash('sha256').update(verifier).digest('base64url'), q.get('code_challenge'));
    await ctx.close();
  });
});
