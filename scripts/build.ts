/**
 * `npm run build`: bundles the Lambda handler with esbuild into dist/api/index.mjs (ESM, exports
 * `handler`) and zips it to dist/api.zip, the artifact template.yaml deploys.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { zipSync } from 'fflate';

/** How every bundle is made: the Lambda's, and those bench/coldstart.ts compares it with. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20', // the oldest Node the code runs on (local); Lambda's nodejs22.x runs it too
  format: 'esm',
  legalComments: 'none',
  // aws-lite is CommonJS and requires Node built-ins; ESM output needs a require of its own.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
} satisfies BuildOptions;

/**
 * Builds into `outDir` (default `dist`): `<outDir>/api/` and `<outDir>/api.zip`. Tests pass a
 * temporary directory, so they never race a concurrent `npm run build` over dist/.
 */
export async function buildLambda(
  outDir = 'dist',
): Promise<{ bundleBytes: number; zipBytes: number; metafile: Metafile }> {
  const apiDir = join(outDir, 'api');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(apiDir, { recursive: true });
  const { metafile } = await build({
    entryPoints: { index: 'src/runtime/lambda.ts' },
    outdir: apiDir,
    outExtension: { '.js': '.mjs' },
    // Code needed only later (SSM client at first event, OpenAPI generator on its route) goes to
    // chunks loaded on demand, keeping the import that every cold start pays small.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    ...BUNDLE_OPTIONS,
    sourcemap: false,
    logLevel: 'warning',
    metafile: true, // what each output holds and imports (test/artifact.test.ts reads it)
  });
  const files = Object.fromEntries(
    readdirSync(apiDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const path = relative(apiDir, join(e.parentPath, e.name));
        return [path, readFileSync(join(apiDir, path))] as const;
      }),
  );
  const zip = zipSync(files, { level: 9, mtime: new Date('2026-01-01') });
  writeFileSync(join(outDir, 'api.zip'), zip);
  return { bundleBytes: statSync(join(apiDir, 'index.mjs')).size, zipBytes: zip.byteLength, metafile };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { bundleBytes, zipBytes } = await buildLambda();
  console.log(
    `dist/api/index.mjs: ${(bundleBytes / 1024).toFixed(1)} KiB; dist/api.zip: ${(zipBytes / 1024).toFixed(1)} KiB`,
  );
}
