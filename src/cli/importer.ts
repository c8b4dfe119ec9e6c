/**
 * `workout-log import`: streams a file through the parsers (src/import), sends the workouts in
 * batches to `POST /workouts/batch` with bounded concurrency, and resumes.
 *
 * Resuming: batches are numbered in file order (the same file with the same options gives the
 * same batches). A state file under `.workout-log/` records each batch once its answer is in, with
 * its counts and rejected rows. A re-run after Ctrl-C, a kill or a crash skips the recorded
 * batches and sends the rest; a batch that was in flight is sent again, which the service answers
 * 200 ("already present") for what it had stored, since workoutIds are stable. The state file is
 * removed when the import completes. Memory holds at most `concurrency` batches in flight plus the
 * record being parsed, whatever the file's size.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import Papa from 'papaparse';
import {
  detectFormat,
  ImportFormatError,
  parseWorkouts,
  type ImportFormat,
  type ParseOptions,
  type WorkoutField,
  type WorkoutInput,
} from '../import/index.ts';
import { ApiError, failure, getJson, send, type ApiOptions } from './http.ts';
import type { Counts, Progress } from './progress.ts';

export interface ImportOptions {
  file: string;
  api: string;
  token: string;
  user?: string;
  format?: ImportFormat;
  columns?: Partial<Record<WorkoutField, string>>;
  map?: Record<string, string>;
  batchSize: number;
  concurrency: number;
  /** Where state files live (default `.workout-log` in the working directory). */
  stateDir?: string;
  /** The report of rejected rows (default `<file>.rejected.csv`). */
  report?: string;
  /** Ignore a saved state and start over. */
  restart?: boolean;
  progress: Progress;
  /** Aborted on Ctrl-C: no new batch is sent, the ones in flight finish, the state is saved. */
  signal?: AbortSignal;
}

export interface Rejection {
  row: number;
  reason: string;
  line: string;
}

export interface ImportSummary extends Counts {
  /** Records read (workouts, rejected and skipped rows). */
  rows: number;
  skippedByType: Record<string, number>;
  batches: number;
  /** Batches a previous run had finished (not sent again). */
  resumedBatches: number;
  seconds: number;
  /** Set when rows were rejected. */
  reportFile?: string;
  /** True when stopped by the signal before the end: the state file is kept. */
  interrupted: boolean;
  stateFile: string;
}

interface BatchRecord {
  imported: number;
  present: number;
  rows: number;
  rejected: Rejection[];
}

interface State {
  version: 1;
  file: string;
  size: number;
  mtimeMs: number;
  /** Hash of what decides the batches and where they go (API, user, format, mapping, size). */
  key: string;
  done: Record<string, BatchRecord>;
}

/** Largest batch body sent (the service takes 1 MiB; JSON escapes can grow text). */
const MAX_BATCH_BYTES = 900 * 1024;

/** Counts the line breaks of a file quickly (for the progress total); bytes, not characters. */
export async function countLines(file: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    if (chunk.length) last = chunk[chunk.length - 1] as number;
  }
  return last === 10 ? lines : lines + 1;
}

/** The first 64 KiB of a file, as text (for format detection). */
async function readHead(file: string): Promise<string> {
  const handle = await open(file);
  try {
    const buffer = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

function stateKey(opts: ImportOptions): string {
  const decisive = {
    api: opts.api.replace(/\/+$/, ''),
    user: opts.user ?? null,
    format: opts.format ?? null,
    columns: opts.columns ?? null,
    map: opts.map ?? null,
    batchSize: opts.batchSize,
  };
  return createHash('sha256').update(JSON.stringify(decisive)).digest('hex').slice(0, 16);
}

export function stateFileOf(opts: Pick<ImportOptions, 'file' | 'stateDir'>): string {
  const abs = resolve(opts.file);
  const id = createHash('sha256').update(abs).digest('hex').slice(0, 12);
  return join(
    resolve(opts.stateDir ?? '.workout-log'),
    `import-${basename(abs).replace(/[^A-Za-z0-9._-]/g, '_')}-${id}.json`,
  );
}

async function loadState(path: string, fresh: State, log: (m: string) => void): Promise<State> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return fresh;
  }
  try {
    const saved = JSON.parse(text) as State;
    if (
      saved.version === 1 &&
      saved.key === fresh.key &&
      saved.size === fresh.size &&
      saved.mtimeMs === fresh.mtimeMs
    ) {
      return saved;
    }
    log(`note: ${path} is for another version of the file or other options; starting over`);
  } catch {
    log(`note: ${path} is unreadable; starting over`);
  }
  return fresh;
}

/** Writes the state atomically (a temporary file renamed over it); one write at a time. */
function stateWriter(path: string) {
  let chain: Promise<void> = Promise.resolve();
  let dirReady = false;
  return (state: State): Promise<void> => {
    const text = JSON.stringify(state);
    chain = chain.then(async () => {
      if (!dirReady) await mkdir(dirname(path), { recursive: true });
      dirReady = true;
      await writeFile(path + '.tmp', text);
      await rename(path + '.tmp', path);
    });
    return chain;
  };
}

interface Pending {
  index: number;
  items: { row: number; line: string; workout: WorkoutInput }[];
}

interface BatchAnswer {
  results: {
    index: number;
    status: number;
    workout?: unknown;
    error?: { code?: string; detail?: string; errors?: { path: string; message: string }[] };
  }[];
}

function reasonOf(status: number, error: BatchAnswer['results'][number]['error']): string {
  const fields = (error?.errors ?? []).map((e) => `${e.path} ${e.message}`).join('; ');
  const code = error?.code ?? (status === 409 ? 'workout_conflict' : 'invalid_fields');
  return `${status} ${code}: ${fields || error?.detail || 'rejected'}`;
}

export async function runImport(opts: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const api: ApiOptions = {
    api: opts.api,
    token: opts.token,
    signal: undefined, // batches in flight finish after Ctrl-C; only waits between retries end early
    onRetry: ({ status, waitMs, reason }) =>
      opts.progress.log(
        `retrying after ${status === null ? reason : `HTTP ${status}`}: waiting ${(waitMs / 1000).toFixed(1)} s`,
      ),
  };
  const info: Stats = await stat(opts.file);
  const stateFile = stateFileOf(opts);
  const fresh: State = {
    version: 1,
    file: resolve(opts.file),
    size: info.size,
    mtimeMs: info.mtimeMs,
    key: stateKey(opts),
    done: {},
  };
  const state = opts.restart ? fresh : await loadState(stateFile, fresh, (m) => opts.progress.log(m));
  const saveState = stateWriter(stateFile);
  const resumedBatches = Object.keys(state.done).length;

  // The service's workout types: --map is checked against them, and the parsers map to them.
  const types = (await getJson<{ items: { workoutType: string }[] }>(api, 'workout-types')).items.map(
    (t) => t.workoutType,
  );
  const parseOpts: ParseOptions = { format: opts.format, columns: opts.columns, map: opts.map, types };

  const lines = await countLines(opts.file);
  // CSV files have a header line; NDJSON files have none.
  const format = opts.format ?? detectFormat(await readHead(opts.file));
  const total = Math.max(0, lines - (format === 'ndjson' ? 0 : 1));

  const counts: Counts = { imported: 0, present: 0, rejected: 0, skipped: 0 };
  const skippedByType: Record<string, number> = {};
  const rejections: Rejection[] = [];
  let rows = 0;
  let done = 0; // rows finished: acknowledged, rejected or skipped
  let batches = 0;
  let fatal: unknown;
  let completed = false; // every record read and every batch sent
  const progress = opts.progress;
  progress.start(total, 0);

  const finishBatch = (record: BatchRecord) => {
    counts.imported += record.imported;
    counts.present += record.present;
    counts.rejected += record.rejected.length;
    rejections.push(...record.rejected);
    done += record.rows;
    progress.update(done, counts);
  };

  const sendBatch = async (batch: Pending): Promise<void> => {
    const body = { workouts: batch.items.map((i) => i.workout) };
    const res = await send(api, 'POST', 'workouts/batch', body);
    if (res.status !== 200) throw await failure(res, `POST /workouts/batch (batch ${batch.index + 1})`);
    const answer = (await res.json()) as BatchAnswer;
    const record: BatchRecord = { imported: 0, present: 0, rows: batch.items.length, rejected: [] };
    for (const [i, item] of batch.items.entries()) {
      const result = answer.results.find((r) => r.index === i) ?? answer.results[i];
      if (result?.status === 201) record.imported++;
      else if (result?.status === 200) record.present++;
      else {
        const reason = result
          ? reasonOf(result.status, result.error)
          : 'no result for this item in the answer';
        record.rejected.push({ row: item.row, reason, line: item.line });
      }
    }
    state.done[batch.index] = record;
    await saveState(state);
    finishBatch(record);
  };

  // At most `concurrency` batches in flight; the reader waits for a free slot (backpressure).
  const inFlight = new Set<Promise<void>>();
  const launch = (batch: Pending) => {
    const p: Promise<void> = sendBatch(batch)
      .catch((err: unknown) => {
        fatal ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  // The service takes one user per batch: workouts are gathered per user (in file order), and a
  // user's batch is sent when full. When too many rows wait in unfinished batches (a file that
  // interleaves many users), the fullest is sent early, so memory stays bounded. All of this
  // depends on the file and the options only, so a re-run numbers the batches the same way.
  const pendingByUser = new Map<string, { items: Pending['items']; bytes: number }>();
  let waiting = 0;
  const maxWaiting = Math.max(10 * opts.batchSize, 1000);
  let nextIndex = 0;
  const flush = async (user: string) => {
    const pending = pendingByUser.get(user);
    if (!pending?.items.length) return;
    pendingByUser.delete(user);
    waiting -= pending.items.length;
    const batch: Pending = { index: nextIndex++, items: pending.items };
    batches++;
    const saved = state.done[batch.index];
    if (saved) {
      progress.resumed(saved.rows);
      finishBatch(saved);
      return;
    }
    while (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
    if (fatal || opts.signal?.aborted) return;
    launch(batch);
  };
  const add = async (item: Pending['items'][number]) => {
    const user = typeof item.workout.userId === 'string' ? item.workout.userId : '';
    const bytes = JSON.stringify(item.workout).length + 1;
    const pending = pendingByUser.get(user);
    if (pending && pending.bytes + bytes > MAX_BATCH_BYTES) await flush(user);
    const target = pendingByUser.get(user) ?? { items: [], bytes: 0 };
    pendingByUser.set(user, target);
    target.items.push(item);
    target.bytes += bytes;
    waiting++;
    if (target.items.length >= opts.batchSize) await flush(user);
    else if (waiting > maxWaiting) {
      let fullest = user;
      for (const [u, b] of pendingByUser)
        if (b.items.length > (pendingByUser.get(fullest)?.items.length ?? 0)) fullest = u;
      await flush(fullest);
    }
  };

  try {
    const chunks = createReadStream(opts.file, {
      encoding: 'utf8',
      highWaterMark: 64 * 1024,
    }) as AsyncIterable<string>;
    for await (const result of parseWorkouts(chunks, parseOpts)) {
      if (fatal || opts.signal?.aborted) break;
      rows++;
      if ('workout' in result) {
        const workout = opts.user ? { ...result.workout, userId: opts.user } : result.workout;
        await add({ row: result.row, line: result.line, workout });
      } else if (result.skippedType !== undefined) {
        counts.skipped++;
        skippedByType[result.skippedType] = (skippedByType[result.skippedType] ?? 0) + 1;
        done++;
      } else {
        counts.rejected++;
        rejections.push({ row: result.row, reason: result.error, line: result.line });
        done++;
      }
      progress.update(done, counts);
    }
    for (const user of [...pendingByUser.keys()]) if (!fatal && !opts.signal?.aborted) await flush(user);
    completed = !fatal && !opts.signal?.aborted;
  } catch (err) {
    fatal ??= err;
  }
  await Promise.all(inFlight);
  progress.stop(completed && !fatal ? done : undefined);
  if (fatal) throw fatal;

  const interrupted = !completed;
  let reportFile: string | undefined;
  if (!interrupted) {
    await rm(stateFile, { force: true });
    if (rejections.length) {
      reportFile = opts.report ?? `${opts.file}.rejected.csv`;
      rejections.sort((a, b) => a.row - b.row);
      await writeFile(
        reportFile,
        Papa.unparse({
          fields: ['row', 'reason', 'line'],
          data: rejections.map((r) => [r.row, r.reason, r.line]),
        }) + '\n',
      );
    }
  }
  return {
    ...counts,
    rows,
    skippedByType,
    batches,
    resumedBatches,
    seconds: (Date.now() - started) / 1000,
    reportFile,
    interrupted,
    stateFile,
  };
}

export { ApiError, ImportFormatError };
