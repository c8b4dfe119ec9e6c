/**
 * What a browser app and a syncing client rely on: CORS for the configured origins only,
 * ETags with 304 and race-safe 412, the change feed leaving an exact mirror while writers race,
 * 410 for an expired token, and export pages that follow `Link: rel="next"`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeSince } from '../src/domain/changes.ts';
import { exportPage } from '../src/usecases/sync.ts';
import { startTestService, workout, type TestService } from './helpers.ts';

const ORIGIN = 'https://app.example.com';
process.env.CORS_ORIGINS = `${ORIGIN}, https://other-allowed.example.com`;

test('CORS: an allowed origin gets a 204 preflight without a token; another origin gets no CORS headers', async () => {
  const t = await startTestService();
  const preflight = (origin: string) =>
    fetch(`${t.url}/workouts`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, if-match',
      },
    });
  const ok = await preflight(ORIGIN);
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(ok.headers.get('access-control-allow-methods') ?? '', /PATCH/);
  assert.match((ok.headers.get('access-control-allow-headers') ?? '').toLowerCase(), /if-match/);
  const other = await preflight('https://evil.example.com');
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  assert.equal(other.headers.get('access-control-allow-methods'), null);
  // An actual request from the allowed origin exposes the headers a client reads.
  const res = await t.call('POST', '/workouts', { body: workout(), headers: { origin: ORIGIN } });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(res.headers.get('access-control-expose-headers') ?? '', /ETag/);
});

test('ETags: 304 on a matching If-None-Match; a stale If-Match is 412 and writes nothing (workouts, profile erasure); racing If-Match: one wins', async () => {
  const t = await startTestService();
  const created = await t.call('POST', '/workouts', { body: workout({ workoutId: 'e1' }) });
  const etag = created.headers.get('etag')!;
  assert.match(etag, /^"[\w-]+"$/);
  const fresh = await t.call('GET', '/workouts/e1', { headers: { 'if-none-match': etag } });
  assert.equal(fresh.status, 304);
  assert.equal(fresh.text, '');
  const profile = await t.call('POST', '/users', { body: { displayName: 'Ana' } });
  assert.equal(
    (await t.call('GET', '/users/me', { headers: { 'if-none-match': profile.headers.get('etag')! } })).status,
    304,
  );

  const before = await t.partition('ana');
  const stale = await t.call('PATCH', '/workouts/e1', {
    body: { notes: 'x' },
    headers: { 'if-match': '"stale"' },
  });
  assert.equal(stale.status, 412);
  assert.equal((stale.body as { code: string }).code, 'precondition_failed');
  assert.deepEqual(await t.partition('ana'), before);

  const racers = await Promise.all(
    ['a', 'b', 'c', 'd'].map((n) =>
      t.call('PATCH', '/workouts/e1', { body: { notes: n }, headers: { 'if-match': etag } }),
    ),
  );
  assert.deepEqual(racers.map((r) => r.status).sort(), [200, 412, 412, 412]);
  const stored = await t.call<{ notes: string }>('GET', '/workouts/e1');
  const winner = racers.find((r) => r.status === 200)!;
  assert.equal(stored.body.notes, (winner.body as { notes: string }).notes);
  assert.equal(stored.headers.get('etag'), winner.headers.get('etag'));
  assert.equal((await t.call('DELETE', '/workouts/e1', { headers: { 'if-match': etag } })).status, 412);
  // Erasure with If-Match: a stale profile tag erases nothing; the current one erases.
  await t.call('PATCH', '/users/me', { body: { displayName: 'Ana B.' } });
  const stalePartition = await t.partition('ana');
  assert.equal(
    (await t.call('DELETE', '/users/me', { headers: { 'if-match': profile.headers.get('etag')! } })).status,
    412,
  );
  assert.deepEqual(await t.partition('ana'), stalePartition);
  assert.equal(
    (await t.call('DELETE', '/workouts/e1', { headers: { 'if-match': stored.headers.get('etag')! } })).status,
    204,
  );
});

type Change = { workoutId: string; deleted?: true; durationMinutes?: number; notes?: string };

/** Follows the feed until hasMore is false, applying each change to the mirror. */
async function sync(t: TestService, mirror: Map<string, Change>, since: string | undefined): Promise<string> {
  for (let page = 0; page < 1000; page++) {
    const q = since === undefined ? '?limit=7' : `?limit=7&since=${since}`;
    const res = await t.call<{ items: Change[]; nextSince: string; hasMore: boolean }>(
      'GET',
      `/changes${q}`,
      { as: 'sam' },
    );
    assert.equal(res.status, 200, res.text);
    for (const c of res.body.items) {
      if (c.deleted) mirror.delete(c.workoutId);
      else mirror.set(c.workoutId, c);
    }
    since = res.body.nextSince;
    if (!res.body.hasMore) return since;
  }
  throw new Error('the feed did not end');
}

test('changes: a client mirroring while writers create, patch, delete and batch ends equal to the server', async () => {
  const t = await startTestService();
  const as = { as: 'sam' };
  // Some history before the first sync.
  for (let i = 0; i < 12; i++)
    await t.call('POST', '/workouts', { ...as, body: workout({ workoutId: `h${i}` }) });
  const mirror = new Map<string, Change>();
  let since = await sync(t, mirror, undefined);

  let writing = true;
  const writer = async (w: number) => {
    for (let i = 0; i < 15; i++) {
      const id = `w${w}-${i}`;
      await t.call('POST', '/workouts', { ...as, body: workout({ workoutId: id, durationMinutes: 10 + i }) });
      if (i % 3 === 0) await t.call('PATCH', `/workouts/${id}`, { ...as, body: { notes: `edited ${i}` } });
      if (i % 4 === 0) await t.call('DELETE', `/workouts/h${(w * 4 + i) % 12}`, as);
      if (i % 5 === 0) {
        await t.call('POST', '/workouts/batch', {
          ...as,
          body: { workouts: [0, 1, 2].map((k) => workout({ workoutId: `b${w}-${i}-${k}` })) },
        });
      }
    }
  };
  const syncer = async () => {
    while (writing) since = await sync(t, mirror, since);
  };
  const syncing = syncer();
  await Promise.all([0, 1, 2].map(writer));
  writing = false;
  await syncing;
  since = await sync(t, mirror, since);

  const server = new Map<string, Change>();
  let cursor: string | null = null;
  do {
    const page: { body: { items: Change[]; nextCursor: string | null } } = await t.call(
      'GET',
      `/workouts?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      as,
    );
    for (const w of page.body.items) server.set(w.workoutId, w);
    cursor = page.body.nextCursor;
  } while (cursor);
  assert.ok(server.size > 40);
  assert.deepEqual(new Map([...mirror].sort()), new Map([...server].sort()));

  // Nothing new: an empty page, the same token.
  const idle = await t.call<{ items: unknown[]; nextSince: string; hasMore: boolean }>(
    'GET',
    `/changes?since=${since}`,
    as,
  );
  assert.deepEqual([idle.body.items, idle.body.hasMore, idle.body.nextSince], [[], false, since]);
});

test('changes: a token older than the 30 days kept is 410; a malformed one is 400', async () => {
  const t = await startTestService();
  const old = encodeSince({ phase: 'log', stamp: new Date(Date.now() - 31 * 86_400_000).toISOString() });
  const gone = await t.call('GET', `/changes?since=${old}`);
  assert.equal(gone.status, 410);
  assert.equal((gone.body as { code: string }).code, 'since_expired');
  const bad = await t.call('GET', '/changes?since=not-a-token');
  assert.equal(bad.status, 400);
  assert.deepEqual((bad.body as { errors: unknown[] }).errors, [
    { path: 'since', code: 'invalid_cursor', message: 'is not a valid since token' },
  ]);
});

test('export: the profile line, then every workout oldest first, in pages that name the next', async () => {
  const t = await startTestService();
  await t.call('POST', '/users', { body: { displayName: 'Ana', timezone: 'Europe/Lisbon' } });
  const ids = Array.from({ length: 30 }, (_, i) => `x${String(i).padStart(2, '0')}`);
  const r = await t.call<{ results: { status: number }[] }>('POST', '/workouts/batch', {
    body: {
      workouts: ids.map((id, i) =>
        workout({ workoutId: id, startedAt: `2026-11-${String(i + 1).padStart(2, '0')}T07:00:00Z` }),
      ),
    },
  });
  assert.deepEqual(new Set(r.body.results.map((x) => x.status)), new Set([201]));

  const first = await t.call('GET', '/users/me/export');
  assert.equal(first.status, 200);
  assert.match(first.headers.get('content-type') ?? '', /^application\/x-ndjson/);
  assert.equal(first.headers.get('link'), null);
  const lines = first.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines[0].profile.displayName, 'Ana');
  assert.deepEqual(
    lines.slice(1).map((l) => l.workout.workoutId),
    ids,
  );

  // Small pages (the use case's page size, the same code as the 5 MB pages): every workout once.
  const table = { db: t.db, name: t.tableName };
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const p = await exportPage(table, 'ana', cursor, 16_384 + 2000);
    for (const line of p.lines.map((l) => JSON.parse(l))) if (line.workout) seen.push(line.workout.workoutId);
    if (p.nextCursor === null) break;
    cursor = p.nextCursor;
  }
  assert.deepEqual(seen, ids);
});
