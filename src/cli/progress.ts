/**
 * Import progress: a cli-progress bar (done/total, rate, ETA) when stderr is a terminal; plain
 * periodic lines otherwise (logs, CI, pipes). Progress goes to stderr, the summary to stdout.
 */
import { MultiBar, type SingleBar } from 'cli-progress';

export interface Counts {
  imported: number;
  present: number;
  rejected: number;
  skipped: number;
}

export interface Progress {
  start(total: number, done: number): void;
  update(done: number, counts: Counts): void;
  /** Rows finished by an earlier run: counted as done, but not in the rate. */
  resumed(rows: number): void;
  /** A message above the bar (a retry, a note). */
  log(message: string): void;
  /** Ends the output; `finalTotal` when everything was read (the total was an estimate). */
  stop(finalTotal?: number): void;
}

const rateOf = (done: number, since: number, startedMs: number) => {
  const seconds = (Date.now() - startedMs) / 1000;
  return seconds > 0 ? Math.round((done - since) / seconds) : 0;
};

function eta(done: number, total: number, rate: number): string {
  if (rate <= 0 || done >= total) return done >= total ? '0s' : '?';
  const s = Math.ceil((total - done) / rate);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${s % 60}s`
      : `${s}s`;
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  // A MultiBar of one: its log() prints messages above the bar instead of through it.
  const bars = new MultiBar({
    format:
      'importing {bar} {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {etaText} | new {imported}, present {present}, rejected {rejected}, skipped {skipped}',
    stream,
    hideCursor: true,
    fps: 5,
  });
  let bar: SingleBar | undefined;
  let started = Date.now();
  let first = 0;
  let total = 0;
  return {
    start(t, done) {
      total = t;
      started = Date.now();
      first = done;
      bar = bars.create(t, done, { rate: 0, etaText: '?', imported: 0, present: 0, rejected: 0, skipped: 0 });
    },
    update(done, counts) {
      if (done > total) bar?.setTotal((total = done));
      const rate = rateOf(done, first, started);
      bar?.update(done, { ...counts, rate, etaText: eta(done, total, rate) });
    },
    resumed(rows) {
      first += rows;
    },
    log(message) {
      bars.log(message + '\n');
    },
    stop(finalTotal) {
      if (finalTotal !== undefined) {
        bar?.setTotal(finalTotal);
        bar?.update(finalTotal);
      }
      bars.stop();
    },
  };
}

/** A line every `everyMs` (and at the end) for output that is not a terminal. */
export function lineProgress(stream: NodeJS.WritableStream = process.stderr, everyMs = 5000): Progress {
  let started = Date.now();
  let first = 0;
  let total = 0;
  let last = { done: 0, counts: { imported: 0, present: 0, rejected: 0, skipped: 0 } };
  let timer: NodeJS.Timeout | undefined;
  const print = () => {
    const { done, counts } = last;
    const rate = rateOf(done, first, started);
    const pct = total ? Math.floor((done / Math.max(total, done)) * 100) : 100;
    stream.write(
      `progress: ${done}/${Math.max(total, done)} rows (${pct}%), ${rate} rows/s, ETA ${eta(done, Math.max(total, done), rate)}; ` +
        `new ${counts.imported}, present ${counts.present}, rejected ${counts.rejected}, skipped ${counts.skipped}\n`,
    );
  };
  return {
    start(t, done) {
      total = t;
      first = done;
      started = Date.now();
      last = { ...last, done };
      timer = setInterval(print, everyMs);
      timer.unref();
    },
    update(done, counts) {
      last = { done, counts: { ...counts } };
    },
    resumed(rows) {
      first += rows;
    },
    log(message) {
      stream.write(message + '\n');
    },
    stop(finalTotal) {
      clearInterval(timer);
      if (finalTotal !== undefined) total = finalTotal;
      print();
    },
  };
}
