/**
 * `npm run build:console`: bundles the web console (console/src) with esbuild into dist/console:
 * index.html, assets/*-[hash].js|css (code split: the import page's parsers load on demand).
 * `npm start` calls ensureConsoleBuilt(), which rebuilds only when a source is newer than the
 * build. Prints the first load's compressed size, which must stay under 150 KB.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CONSOLE_DIR = join(ROOT, 'dist', 'console');
/** What the console bundles: its own sources and the shared import parsers. */
const SOURCES = [join(ROOT, 'console'), join(ROOT, 'src', 'import'), join(ROOT, 'package-lock.json')];
export const FIRST_LOAD_BUDGET = 150 * 1024;

export interface ConsoleBuild {
  outDir: string;
  /** Gzipped bytes of the JS the first page load runs (entry and its static imports). */
  firstLoadJsGzip: number;
  firstLoadCssGzip: number;
  /** Every output file: path relative to outDir, raw and gzipped bytes. */
  files: { path: string; bytes: number; gzip: number }[];
}

export async function buildConsole(outDir = CONSOLE_DIR): Promise<ConsoleBuild> {
  const { build } = await import('esbuild');
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const result = await build({
    entryPoints: { main: join(ROOT, 'console/src/main.tsx') },
    outdir: join(tmp, 'assets'),
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    sourcemap: false,
    target: ['chrome109', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    tsconfig: join(ROOT, 'console/tsconfig.json'),
  });
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((o) => outputs[o]!.entryPoint && o.endsWith('.js'))!;
  // The first load: the entry and what it imports statically, transitively.
  const firstLoad = new Set<string>();
  const visit = (o: string) => {
    if (firstLoad.has(o)) return;
    firstLoad.add(o);
    for (const i of outputs[o]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  const css = outputs[entry]!.cssBundle;
  const assetUrl = (o: string) => relative(tmp, resolve(ROOT, o)).split('\\').join('/');
  writeFileSync(
    join(tmp, 'index.html'),
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Workout log</title>
<link rel="icon" href="data:,">
${css ? `<link rel="stylesheet" href="${assetUrl(css)}">\n` : ''}<script type="module" src="${assetUrl(entry)}"></script>
</head>
<body>
<div id="app"><noscript>The workout log console needs JavaScript.</noscript></div>
</body>
</html>
`,
  );
  const files = listFiles(tmp).map((path) => {
    const data = readFileSync(join(tmp, path));
    return { path, bytes: data.length, gzip: gzipSync(data, { level: 9 }).length };
  });
  const gz = (o: string) => files.find((f) => f.path === assetUrl(o))?.gzip ?? 0;
  const summary: ConsoleBuild = {
    outDir,
    firstLoadJsGzip: [...firstLoad].reduce((s, o) => s + gz(o), 0),
    firstLoadCssGzip: css ? gz(css) : 0,
    files,
  };
  writeFileSync(join(tmp, 'build.json'), JSON.stringify(summary, null, 2) + '\n');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  // A rename, so a server reading dist/console never sees half a build.
  try {
    renameSync(tmp, outDir);
  } catch (err) {
    // Another process built the same sources into place meanwhile: theirs is as good as ours.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(outDir, 'build.json'))) throw err;
  }
  return summary;
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? listFiles(join(dir, d.name), base)
      : [relative(base, join(dir, d.name)).split('\\').join('/')],
  );
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newestMtime(join(path, name))), st.mtimeMs);
}

/** True when dist/console is missing or older than a source. */
export function consoleIsStale(outDir = CONSOLE_DIR): boolean {
  const built = join(outDir, 'build.json');
  if (!existsSync(built)) return true;
  const stamp = statSync(built).mtimeMs;
  return SOURCES.some((s) => newestMtime(s) > stamp);
}

let building: Promise<unknown> | undefined;
/** Builds when stale; concurrent callers share one build. */
export async function ensureConsoleBuilt(outDir = CONSOLE_DIR): Promise<void> {
  if (!consoleIsStale(outDir)) return;
  building ??= buildConsole(outDir).finally(() => (building = undefined));
  await building;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const b = await buildConsole();
  for (const f of b.files) console.log(`${f.path.padEnd(40)} ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzip)}`);
  console.log(
    `first load: ${kb(b.firstLoadJsGzip)} JS + ${kb(b.firstLoadCssGzip)} CSS gzipped (budget ${kb(FIRST_LOAD_BUDGET)} JS)`,
  );
  if (b.firstLoadJsGzip > FIRST_LOAD_BUDGET) {
    console.error('error: the first load is over budget');
    process.exit(1);
  }
}
