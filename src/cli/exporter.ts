/**
 * `workout-log export`: reads `GET /users/{id}/export` page by page (following
 * `Link: <...>; rel="next"`), writing NDJSON as the service sends it, or a CSV of the workouts
 * (one header row, the columns of a workout answer) that `workout-log import --format csv` reads
 * back. Streams: memory holds one line at a time.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import Papa from 'papaparse';
import { failure, send, type ApiOptions } from './http.ts';

export const CSV_FIELDS = [
  'workoutId',
  'userId',
  'workoutType',
  'startedAt',
  'timezone',
  'localDate',
  'durationMinutes',
  'durationSeconds',
  'caloriesBurned',
  'caloriesEstimated',
  'distanceKm',
  'intensity',
  'avgHeartRate',
  'notes',
  'createdAt',
  'updatedAt',
] as const;

/** The `rel="next"` target of a Link header, or null. */
export function nextLink(header: string | null): string | null {
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(^|;)\s*rel\s*=\s*"?next"?\s*(;|$)/i.test(m[2] ?? '')) return m[1] ?? null;
  }
  return null;
}

/**
 * A link as a path under the API's base. A base with a path (an API Gateway stage, `/dev/`) is
 * kept when the service's link starts at the root without it.
 */
export function underBase(api: string, link: string): string {
  const base = new URL(api.endsWith('/') ? api : api + '/');
  if (/^https?:/i.test(link)) {
    const target = new URL(link);
    return target.pathname.slice(base.pathname.length) + target.search;
  }
  if (link.startsWith('/')) {
    const prefix = base.pathname; // e.g. "/" or "/dev/"
    const path = link.startsWith(prefix) ? link.slice(prefix.length) : link.slice(1);
    return path;
  }
  return link;
}

async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = '';
  const decoder = new TextDecoder();
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = rest.indexOf('\n'); nl !== -1; nl = rest.indexOf('\n', start)) {
      yield rest.slice(start, nl);
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

export interface ExportOptions {
  api: ApiOptions;
  user?: string;
  out?: string;
  format: 'ndjson' | 'csv';
}

export async function runExport(
  opts: ExportOptions,
): Promise<{ workouts: number; pages: number; profile: boolean }> {
  const out: NodeJS.WritableStream = opts.out ? createWriteStream(opts.out) : process.stdout;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let path: string | null = `users/${encodeURIComponent(opts.user ?? 'me')}/export`;
  let workouts = 0;
  let pages = 0;
  let profile = false;
  if (opts.format === 'csv') await write(CSV_FIELDS.join(',') + '\n');
  while (path) {
    const res = await send(opts.api, 'GET', path, undefined, { accept: 'application/x-ndjson' });
    if (!res.ok || !res.body) throw await failure(res, `GET /${path}`);
    pages++;
    for await (const line of lines(res.body)) {
      if (!line.trim()) continue;
      const item = JSON.parse(line) as { profile?: unknown; workout?: Record<string, unknown> };
      if (item.workout) workouts++;
      else if (item.profile) profile = true;
      if (opts.format === 'ndjson') await write(line + '\n');
      else if (item.workout) {
        const w = item.workout;
        await write(Papa.unparse([CSV_FIELDS.map((f) => (w[f] ?? '') as string)], { header: false }) + '\n');
      }
    }
    const next = nextLink(res.headers.get('link'));
    path = next ? underBase(opts.api.api, next) : null;
  }
  if (opts.out) {
    out.end();
    await once(out, 'finish');
  }
  return { workouts, pages, profile };
}
