/**
 * A node:test reporter that prints, at the end of a run, how long each test file took (from its
 * first to its last event, wall clock, with the run's concurrency) and what its tests add up to.
 * scripts/test.ts adds it beside the usual TAP output: `FILE_TIMES=0` leaves it out.
 */
export default async function* fileTimes(source) {
  const files = new Map();
  for await (const event of source) {
    const file = event.data?.file;
    if (!file) continue;
    const now = performance.now();
    const f = files.get(file) ?? { first: now, last: now, tests: 0, ms: 0 };
    f.last = now;
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0) {
      f.tests += 1;
      f.ms += event.data.details?.duration_ms ?? 0;
    }
    files.set(file, f);
  }
  const rows = [...files.entries()].sort((a, b) => b[1].last - b[1].first - (a[1].last - a[1].first));
  yield '\nper file (wall span from first to last event; sum of top-level test durations):\n';
  for (const [file, f] of rows) {
    const name = file.replace(/^.*\/test\//, 'test/');
    yield `${((f.last - f.first) / 1000).toFixed(1).padStart(7)} s ${(f.ms / 1000).toFixed(1).padStart(7)} s  ${name}\n`;
  }
}
