/**
 * What a fitness app does with the API, through a client generated from its OpenAPI document
 * (openapi-typescript types + openapi-fetch): a profile, 20 workouts, paging, statistics, a
 * weekly series, a guarded edit (If-Match), a deletion, a mirror kept in sync with /changes, an
 * export, and erasure. Every body and parameter is typed by schema.d.ts; there is not one cast.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

type Workout = components['schemas']['Workout'];
type NewWorkout = components['schemas']['CreateWorkout'];
type ExportLine = components['schemas']['ExportLine'];

export interface FlowOptions {
  baseUrl: string;
  token: string;
  /** The fetch to use (a test passes one that checks every answer). */
  fetch?: (request: Request) => Promise<Response>;
  log?: (line: string) => void;
}

export interface FlowSummary {
  displayName: string;
  logged: number;
  pages: number;
  listed: number;
  totalWorkouts: number;
  totalDurationMinutes: number;
  weeklyWorkouts: number;
  patchedNotes: string | undefined;
  staleEditCode: string | undefined;
  notModified: boolean;
  mirrored: number;
  exportedWorkouts: number;
  exportPages: number;
  workoutsAfterErasure: number;
  profileAfterErasure: string | undefined;
}

const DAY_MS = 86_400_000;
const TYPES: NewWorkout['workoutType'][] = ['running', 'cycling', 'swimming', 'yoga', 'walking'];

/** The data of a successful answer, or an error naming the status and the problem. */
function data<T>(r: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (r.data === undefined) {
    throw new Error(`${what}: HTTP ${r.response.status} ${JSON.stringify(r.error)}`);
  }
  return r.data;
}

/** The `cursor` of a `Link: <...?cursor=...>; rel="next"` header, if there is a next page. */
function nextCursor(link: string | null): string | undefined {
  const target = link ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined;
  return target ? (new URL(target, 'http://api.invalid').searchParams.get('cursor') ?? undefined) : undefined;
}

/** Twenty workouts over the last five weeks, as a phone would have recorded them. */
function recorded(now: number): NewWorkout[] {
  return Array.from({ length: 20 }, (_, i) => {
    const workoutType = TYPES[i % TYPES.length] ?? 'running';
    const moving = workoutType !== 'yoga';
    return {
      workoutId: `phone-${now}-${i}`,
      workoutType,
      startedAt: new Date(now - (i * 40 + 3) * 3_600_000).toISOString(),
      timezone: 'Europe/Lisbon',
      ...(i % 2 === 0 ? { durationMinutes: 30 + i } : { durationSeconds: 1520 + 60 * i }),
      intensity: i % 3 === 0 ? 'high' : 'moderate',
      ...(moving ? { distanceKm: 3 + i / 4 } : {}),
      ...(i % 4 === 0 ? { avgHeartRate: 140 + i } : {}),
      notes: `session ${i + 1}`,
    };
  });
}

export async function runFlow(opts: FlowOptions): Promise<FlowSummary> {
  const log = opts.log ?? (() => {});
  const api = createClient<paths>({
    baseUrl: opts.baseUrl,
    headers: { Authorization: `Bearer ${opts.token}` },
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const me = { path: { userId: 'me' } };

  // 1. A profile (sending it again is a replay: 200 with the same profile).
  const profile = data(
    await api.POST('/users', { body: { displayName: 'Ana', weightKg: 61.5, timezone: 'Europe/Lisbon' } }),
    'create profile',
  );
  log(`profile ${profile.userId} (${profile.timezone})`);

  // 2. Twenty workouts: fifteen one by one, five in a batch. Client ids make retries safe.
  const now = Date.now();
  const workouts = recorded(now);
  let logged = 0;
  for (const w of workouts.slice(0, 15)) {
    data(await api.POST('/workouts', { body: w }), `log ${w.workoutId}`);
    logged++;
  }
  const batch = data(await api.POST('/workouts/batch', { body: { workouts: workouts.slice(15) } }), 'batch');
  for (const r of batch.results) {
    if (r.status === 400 || r.status === 409) throw new Error(`batch item ${r.index}: ${r.error.detail}`);
    logged++;
  }
  log(`logged ${logged}`);

  // 3. Paging: every workout exactly once, newest first.
  const listed: Workout[] = [];
  let pages = 0;
  let cursor: string | undefined;
  do {
    const page = data(
      await api.GET('/workouts', { params: { query: { limit: 7, ...(cursor ? { cursor } : {}) } } }),
      'list',
    );
    listed.push(...page.items);
    pages++;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  log(`listed ${listed.length} in ${pages} pages`);

  // 4. Statistics and a weekly series for a chart.
  const stats = data(await api.GET('/stats/{userId}', { params: me }), 'stats');
  const from = new Date(now - 42 * DAY_MS).toISOString().slice(0, 10);
  const series = data(
    await api.GET('/stats/{userId}/timeseries', {
      params: { ...me, query: { granularity: 'week', from } },
    }),
    'weekly series',
  );
  const weeklyWorkouts = series.buckets.reduce((n, b) => n + b.count, 0);
  log(`${stats.totalWorkouts} workouts, ${stats.totalDurationMinutes} min; ${series.buckets.length} weeks`);

  // 5. A mirror of the server, as an offline-first app keeps one.
  const mirror = new Map<string, Workout>();
  let since: string | undefined;
  const sync = async () => {
    for (;;) {
      const changes = data(
        await api.GET('/changes', { params: { query: since ? { since } : {} } }),
        'changes',
      );
      for (const item of changes.items) {
        if ('deleted' in item) mirror.delete(item.workoutId);
        else mirror.set(item.workoutId, item);
      }
      since = changes.nextSince;
      if (!changes.hasMore) return;
    }
  };
  await sync();

  // 6. An edit guarded by the version the user saw: a stale one is refused with 412.
  const target = listed[0];
  if (!target) throw new Error('no workout listed');
  const path = { path: { workoutId: target.workoutId } };
  const read = await api.GET('/workouts/{workoutId}', { params: path });
  data(read, 'read workout');
  const seen = read.response.headers.get('ETag') ?? '';
  const patched = await api.PATCH('/workouts/{workoutId}', {
    params: { ...path, header: { 'If-Match': seen } },
    body: { notes: 'felt strong', intensity: 'high' },
  });
  const patchedNotes = data(patched, 'patch').notes;
  const current = patched.response.headers.get('ETag') ?? '';
  const stale = await api.PATCH('/workouts/{workoutId}', {
    params: { ...path, header: { 'If-Match': seen } },
    body: { notes: 'from another phone' },
  });
  const staleEditCode = stale.error?.code;
  const cached = await api.GET('/workouts/{workoutId}', {
    params: { ...path, header: { 'If-None-Match': current } },
  });
  const notModified = cached.response.status === 304;

  // 7. A deletion, then the mirror catches up with the edit and the deletion.
  const removed = listed[listed.length - 1];
  if (!removed) throw new Error('no workout listed');
  const deleted = await api.DELETE('/workouts/{workoutId}', {
    params: { path: { workoutId: removed.workoutId } },
  });
  if (deleted.response.status !== 204) throw new Error(`delete: HTTP ${deleted.response.status}`);
  await sync();
  log(`mirror holds ${mirror.size}; the edit reads "${mirror.get(target.workoutId)?.notes}"`);

  // 8. Export: NDJSON pages, following Link rel="next".
  let exportedWorkouts = 0;
  let exportPages = 0;
  let exportCursor: string | undefined;
  do {
    const page = await api.GET('/users/{userId}/export', {
      params: { ...me, query: exportCursor ? { cursor: exportCursor } : {} },
      parseAs: 'text',
    });
    const text = data(page, 'export');
    for (const raw of text.split('\n').filter((l) => l !== '')) {
      const line: ExportLine = JSON.parse(raw);
      if ('workout' in line) exportedWorkouts++;
    }
    exportPages++;
    exportCursor = nextCursor(page.response.headers.get('Link'));
  } while (exportCursor);
  log(`exported ${exportedWorkouts} workouts in ${exportPages} pages`);

  // 9. Erasure: the profile, every workout, every statistic.
  const erased = await api.DELETE('/users/{userId}', { params: me });
  if (erased.response.status !== 204) throw new Error(`erase: HTTP ${erased.response.status}`);
  const gone = await api.GET('/users/{userId}', { params: me });
  const after = data(await api.GET('/stats/{userId}', { params: me }), 'stats after erasure');
  log(`erased: profile ${gone.error?.code}, ${after.totalWorkouts} workouts`);

  return {
    displayName: profile.displayName,
    logged,
    pages,
    listed: listed.length,
    totalWorkouts: stats.totalWorkouts,
    totalDurationMinutes: stats.totalDurationMinutes,
    weeklyWorkouts,
    patchedNotes,
    staleEditCode,
    notModified,
    mirrored: mirror.size,
    exportedWorkouts,
    exportPages,
    workoutsAfterErasure: after.totalWorkouts,
    profileAfterErasure: gone.error?.code,
  };
}
