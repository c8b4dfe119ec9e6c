/**
 * `npm run build`: bundles the Lambda handler with esbuild into dist/api/index.mjs (ESM, exports
 * `handler`) and zips it to dist/api.zip, the artifact template.yaml deploys.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

const outfile = 'dist/api/index.mjs';

export async function buildLambda(): Promise<{ bundleBytes: number; zipBytes: number }> {
  rmSync('dist', { recursive: true, force: true });
  mkdirSync('dist/api', { recursive: true });
  await build({
    entryPoints: { index: 'src/runtime/lambda.ts' },
    outdir: 'dist/api',
    outExtension: { '.js': '.mjs' },
    // Code needed only later (SSM client at first event, OpenAPI generator on its route) goes to
    // chunks loaded on demand, keeping the import that every cold start pays small.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    minify: true,
    sourcemap: false,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    legalComments: 'none',
    // aws-lite is CommonJS and requires Node built-ins; ESM output needs a require of its own.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'warning',
  });
  const files = Object.fromEntries(
    readdirSync('dist/api', { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const path = relative('dist/api', join(e.parentPath, e.name));
        return [path, readFileSync(join('dist/api', path))] as const;
      }),
  );
  const zip = zipSync(files, { level: 9, mtime: new Date('2026-01-01') });
  writeFileSync('dist/api.zip', zip);
  return { bundleBytes: statSync(outfile).size, zipBytes: zip.byteLength };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { bundleBytes, zipBytes } = await buildLambda();
  console.log(
    `${outfile}: ${(bundleBytes / 1024).toFixed(1)} KiB; dist/api.zip: ${(zipBytes / 1024).toFixed(1)} KiB`,
  );
}
