/**
 * `npm run bench:export [-- --workouts 100000]` (`node --expose-gc --import tsx bench/export.ts` adds
 * the live heap after each page): the memory of GET /users/{id}/export as a
 * history grows. Seeds one user's workouts through the batch use case (the same code as POST
 * /workouts/batch), then follows the export's `Link: rel="next"` pages over HTTP from the
 * service in this process, sampling heap and RSS every 20 ms. Flat memory means the peak does
 * not grow with the history: a page is at most 5 MB, whatever came before it.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG } from '../src/domain/config.ts';
import { logBatch } from '../src/usecases/log-batch.ts';
import { startBench } from './lib/setup.ts';

const { values } = parseArgs({ options: { workouts: { type: 'string', default: '100000' } } });
const total = Number(values.workouts);
const checkpoints = [Math.min(10_000, total), total].filter((n, i, a) => a.indexOf(n) === i);

const bench = await startBench({
  tableName: 'bench-export',
  service: 'in-process',
  users: 1,
  userPrefix: 'exporter',
});
const userId = bench.users[0]!;
const events = { workoutLogged: () => {}, duplicateReplayed: () => {} };
const MiB = 1024 * 1024;

let seeded = 0;
async function seedTo(n: number): Promise<void> {
  const started = Date.now();
  while (seeded < n) {
    const size = Math.min(100, n - seeded);
    const entries = Array.from({ length: size }, (_, k) => {
      const i = seeded + k;
      const day = new Date(Date.UTC(2020, 0, 1) + Math.floor(i / 20) * 86_400_000).toISOString().slice(0, 10);
      return {
        index: k,
        input: {
          workoutId: `x${i}`,
          workoutType: 'running',
          startedAt: `${day}T${String(6 + (i % 12)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00+01:00`,
          durationMinutes: 30 + (i % 50),
          caloriesBurned: 300,
          distanceKm: 5.5,
          intensity: 'moderate' as const,
          notes: 'a note long enough to look like a real one, about sixty chars',
        },
      };
    });
    await logBatch({ table: bench.table, events }, userId, entries, DEFAULT_CONFIG);
    seeded += size;
    if (seeded % 10_000 === 0)
      process.stderr.write(`seeded ${seeded} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
}

async function exportAll(): Promise<{
  pages: number;
  lines: number;
  bytes: number;
  peakHeapMiB: number;
  peakRssMiB: number;
  baseHeapMiB: number;
  liveMiB: number;
  seconds: number;
}> {
  global.gc?.();
  const base = process.memoryUsage();
  let peakHeap = base.heapUsed;
  let peakRss = base.rss;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 20);
  const auth = { authorization: `Bearer ${bench.tokens[0]}` };
  let path: string | null = `/users/${userId}/export`;
  let liveAfterPage = 0;
  let pages = 0;
  let lines = 0;
  let bytes = 0;
  const started = performance.now();
  while (path !== null && pages < 1000) {
    const res: Response = await fetch(bench.url + path, { headers: auth });
    if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
    const text = await res.text();
    pages++;
    bytes += Buffer.byteLength(text);
    lines += text.split('\n').filter(Boolean).length;
    path = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
    // With --expose-gc: what stays alive after a page (garbage is not memory the export needs).
    if (global.gc) {
      global.gc();
      liveAfterPage = Math.max(liveAfterPage, process.memoryUsage().heapUsed);
    }
  }
  clearInterval(sampler);
  return {
    pages,
    lines,
    bytes,
    baseHeapMiB: base.heapUsed / MiB,
    peakHeapMiB: peakHeap / MiB,
    peakRssMiB: peakRss / MiB,
    liveMiB: liveAfterPage / MiB,
    seconds: (performance.now() - started) / 1000,
  };
}

try {
  for (const n of checkpoints) {
    await seedTo(n);
    const r = await exportAll();
    if (r.lines !== n + 1) throw new Error(`exported ${r.lines - 1} workouts of ${n}`);
    console.log(
      `${n} workouts: ${r.pages} pages, ${(r.bytes / MiB).toFixed(1)} MiB in ${r.seconds.toFixed(1)} s; ` +
        `heap ${r.baseHeapMiB.toFixed(0)} → peak ${r.peakHeapMiB.toFixed(0)} MiB, peak RSS ${r.peakRssMiB.toFixed(0)} MiB` +
        (r.liveMiB ? `, live heap after a page at most ${r.liveMiB.toFixed(0)} MiB` : ''),
    );
  }
} finally {
  await bench.stop();
}
