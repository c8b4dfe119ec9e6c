/**
 * A node:test reporter that prints, at the end of a run, what each test file's top-level tests add
 * up to (module setup, such as starting a service, is not in it), slowest first. scripts/test.ts
 * adds it beside the usual TAP output: `FILE_TIMES=0` leaves it out.
 */
export default async function* fileTimes(source) {
  const files = new Map();
  for await (const event of source) {
    const file = event.data?.file;
    if (!file) continue;
    const f = files.get(file) ?? { tests: 0, ms: 0 };
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0) {
      f.tests += 1;
      f.ms += event.data.details?.duration_ms ?? 0;
    }
    files.set(file, f);
  }
  const rows = [...files.entries()].sort((a, b) => b[1].ms - a[1].ms);
  yield '\ntime in tests, per file:\n';
  for (const [file, f] of rows) {
    const name = file.replace(/^.*\/test\//, 'test/');
    yield `${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.tests} tests  ${name}\n`;
  }
}
