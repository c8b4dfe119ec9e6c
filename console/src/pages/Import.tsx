/**
 * Import a file (Strava activities.csv, NDJSON, CSV) through POST /workouts/batch, with the same
 * parsers as the command-line importer (src/import, loaded on demand: they are not part of the
 * first load). The file is parsed first, then sent in batches of up to 100 workouts (and well
 * under the 1 MiB limit), with a progress bar. Sending the same file again counts nothing twice
 * when its workouts carry ids (Strava's do).
 */
import { useState } from 'preact/hooks';
import { api, type BatchResult } from '../api.ts';
import { workoutTypes } from '../types.ts';
import { Alert, num, Scroll, Status } from '../ui.tsx';

type Format = '' | 'strava' | 'ndjson' | 'csv';
const MAX_ITEMS = 100;
const MAX_BYTES = 900 * 1024;

interface Rejected {
  row: number;
  message: string;
}
interface Summary {
  created: number;
  replayed: number;
  conflicts: number;
  rejected: Rejected[];
  skipped: number;
}

/** A File as an async iterable of text chunks (what the parsers take). */
async function* chunksOf(file: File): AsyncGenerator<string> {
  const reader = file.stream().pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

export function ImportPage() {
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<Format>('');
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [phase, setPhase] = useState<string | null>(null);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = async (e: Event) => {
    e.preventDefault();
    if (!file) return setError('Choose a file first.');
    setBusy(true);
    setError(null);
    setSummary(null);
    setProgress(null);
    try {
      setPhase('Reading the file…');
      const [{ parseWorkouts }, types] = await Promise.all([
        import('../../../src/import/index.ts'),
        workoutTypes().catch(() => undefined),
      ]);
      const s: Summary = { created: 0, replayed: 0, conflicts: 0, rejected: [], skipped: 0 };
      const workouts: { row: number; workout: Record<string, unknown> }[] = [];
      for await (const r of parseWorkouts(chunksOf(file), { format: format || undefined, types })) {
        if ('workout' in r) workouts.push({ row: r.row, workout: r.workout });
        else if (r.skippedType) s.skipped++;
        else s.rejected.push({ row: r.row, message: r.error });
      }
      setProgress({ done: 0, total: workouts.length });
      setPhase(`Importing ${workouts.length} workouts…`);
      let i = 0;
      while (i < workouts.length) {
        const batch: typeof workouts = [];
        let bytes = 20;
        while (i < workouts.length && batch.length < MAX_ITEMS) {
          const size = JSON.stringify(workouts[i]!.workout).length + 1;
          if (batch.length > 0 && bytes + size > MAX_BYTES) break;
          bytes += size;
          batch.push(workouts[i++]!);
        }
        const a = await api<{ results: BatchResult[] }>('POST', '/workouts/batch', {
          body: { workouts: batch.map((b) => b.workout) },
        });
        for (const r of a.body.results) {
          const row = batch[r.index]?.row ?? 0;
          if (r.status === 201) s.created++;
          else if (r.status === 200) s.replayed++;
          else if (r.status === 409) s.conflicts++;
          else if ('error' in r) {
            const fields = r.error.errors?.map((f) => `${f.path} ${f.message}`).join('; ');
            s.rejected.push({ row, message: fields || r.error.detail });
          }
        }
        setProgress({ done: i, total: workouts.length });
      }
      s.rejected.sort((a, b) => a.row - b.row);
      setSummary(s);
      setPhase(null);
    } catch (err) {
      setError(err);
      setPhase(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1 tabIndex={-1}>Import</h1>
      <p>
        A Strava <code>activities.csv</code> (from Strava's bulk export), an NDJSON file (one workout a line,
        or a file this console exported) or a CSV with a header row naming the API's fields.
      </p>
      <form class="card" onSubmit={run}>
        <div class="field">
          <label for="import-file">File</label>
          <input
            id="import-file"
            type="file"
            accept=".csv,.ndjson,.jsonl,.json,text/csv,application/x-ndjson"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </div>
        <div class="field">
          <label for="import-format">Format</label>
          <select
            id="import-format"
            value={format}
            onChange={(e) => setFormat(e.currentTarget.value as Format)}
          >
            <option value="">Detect from the file</option>
            <option value="strava">Strava activities.csv</option>
            <option value="ndjson">NDJSON</option>
            <option value="csv">CSV</option>
          </select>
        </div>
        <button type="submit" disabled={busy || !file}>
          Import
        </button>
      </form>
      <Alert error={error} />
      {phase && <p aria-live="polite">{phase}</p>}
      {progress && (
        <div class="field">
          <label for="import-progress">Import progress</label>
          <progress id="import-progress" max={Math.max(progress.total, 1)} value={progress.done}>
            {progress.done} of {progress.total}
          </progress>
          <span class="muted" data-testid="import-count">
            {progress.done} of {progress.total} workouts sent
          </span>
        </div>
      )}
      {summary && (
        <>
          <Status>
            Import finished: {num(summary.created)} new, {num(summary.replayed)} already there,{' '}
            {num(summary.conflicts)} conflicting, {num(summary.rejected.length)} rejected,{' '}
            {num(summary.skipped)} skipped (type not supported).
          </Status>
          {summary.rejected.length > 0 && (
            <section class="card" aria-labelledby="rejected-title">
              <h2 id="rejected-title">Rejected rows</h2>
              <Scroll label="Rejected rows">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Line</th>
                      <th scope="col">Why</th>
                    </tr>
                  </thead>
                  <tbody>
                    {summary.rejected.slice(0, 50).map((r) => (
                      <tr key={`${r.row}-${r.message}`}>
                        <td class="num">{r.row}</td>
                        <td class="wrap">{r.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
              {summary.rejected.length > 50 && <p class="muted">…and {summary.rejected.length - 50} more.</p>}
            </section>
          )}
        </>
      )}
    </section>
  );
}
