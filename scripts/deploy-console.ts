/**
 * The web console's part of `npm run deploy`: after the stack is deployed, build the console,
 * write its config.json from the stack's outputs (same-origin API through CloudFront; Cognito's
 * hosted UI when the stack created the pool's domain), upload it to the console bucket and
 * invalidate the files that are not content-hashed. Assets (hashed names) are cached for a year;
 * index.html and config.json are `no-cache`, so a new deploy shows at the next load.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildConsole } from './build-console.ts';

export interface StackOutput {
  OutputKey: string;
  OutputValue: string;
}

/** What the console reads at start (console/src/auth.ts, ConsoleConfig). */
export function consoleConfig(outputs: StackOutput[]): Record<string, unknown> {
  const get = (key: string) => outputs.find((o) => o.OutputKey === key)?.OutputValue;
  const domain = get('ConsoleCognitoDomain');
  const clientId = get('ConsoleUserPoolClientId');
  // The API is served under the console's own origin (template.yaml, ConsoleDistribution).
  return domain && clientId
    ? { mode: 'cognito', apiUrl: '', cognito: { domain, clientId, scopes: ['openid', 'email', 'profile'] } }
    : { mode: 'token', apiUrl: '' };
}

/** The AWS CLI calls that publish a built console directory. */
export function publishCommands(
  dir: string,
  bucket: string,
  distributionId: string,
  common: string[],
): string[][] {
  const s3 = `s3://${bucket}`;
  return [
    // Hashed files first: an index.html is never served before the files it names.
    [
      's3',
      'sync',
      join(dir, 'assets'),
      `${s3}/assets`,
      '--cache-control',
      'public, max-age=31536000, immutable',
      ...common,
    ],
    ['s3', 'cp', join(dir, 'config.json'), `${s3}/config.json`, '--cache-control', 'no-cache', ...common],
    ['s3', 'cp', join(dir, 'index.html'), `${s3}/index.html`, '--cache-control', 'no-cache', ...common],
    [
      'cloudfront',
      'create-invalidation',
      '--distribution-id',
      distributionId,
      '--paths',
      '/',
      '/index.html',
      '/config.json',
      ...common,
    ],
  ];
}

export interface PublishDeps {
  /** Runs `aws <args>` with its output shown; throws when it fails. */
  run: (args: string[]) => void;
  log: (line: string) => void;
  /** Where to build (default dist/console). */
  outDir?: string;
}

/** Builds and uploads the console when the stack has one; returns its URL. */
export async function publishConsole(
  outputs: StackOutput[],
  common: string[],
  deps: PublishDeps,
): Promise<string | undefined> {
  const get = (key: string) => outputs.find((o) => o.OutputKey === key)?.OutputValue;
  const bucket = get('ConsoleBucketName');
  const distributionId = get('ConsoleDistributionId');
  if (!bucket || !distributionId) {
    deps.log('the stack has no web console (no ConsoleBucketName output): skipping its upload');
    return undefined;
  }
  const built = await buildConsole(resolve(deps.outDir ?? join('dist', 'console')));
  deps.log(`built the console (${(built.firstLoadJsGzip / 1024).toFixed(1)} KB of gzipped JS on first load)`);
  writeFileSync(join(built.outDir, 'config.json'), JSON.stringify(consoleConfig(outputs), null, 2) + '\n');
  for (const args of publishCommands(built.outDir, bucket, distributionId, common)) deps.run(args);
  return get('ConsoleUrl');
}
