/**
 * `npm run deploy -- --stage <name> --s3-bucket <bucket>`: builds the function (dist/api.zip),
 * packages template.yaml with `aws cloudformation package` (which uploads the zip to the bucket),
 * deploys it with `aws cloudformation deploy` as the stack `workout-app-<stage>`, and prints the
 * stack's outputs. Needs the AWS CLI and credentials; docs/deploy.md walks through it.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { TEMPLATE_PATH } from '../src/store/table.ts';
import { buildLambda } from './build.ts';

export interface DeployOptions {
  stage: string;
  bucket: string;
  stackName: string;
  region?: string;
  profile?: string;
  alarmEmail?: string;
  /** The account-level API Gateway CloudWatch role: create it, leave it, or decide (see below). */
  apiGatewayAccountRole: 'auto' | 'create' | 'skip';
  /** Further template parameters, `Key=Value`. */
  parameters: string[];
  build: boolean;
  dryRun: boolean;
}

export class DeployError extends Error {
  override name = 'DeployError';
}

const STAGE = /^[a-z0-9-]{1,20}$/; // template.yaml's EnvironmentSuffix AllowedPattern
const PARAMETER = /^[A-Za-z0-9]+=.*$/;

function program(): Command {
  return new Command()
    .name('deploy')
    .description(
      'Build, package and deploy template.yaml to AWS with CloudFormation, then print the outputs.',
    )
    .requiredOption(
      '--stage <name>',
      'environment suffix: 1-20 lowercase letters, digits or "-" (names every resource)',
      (v: string) => {
        if (!STAGE.test(v)) throw new InvalidArgumentError('must be 1-20 lowercase letters, digits or "-"');
        return v;
      },
    )
    .option(
      '--s3-bucket <bucket>',
      'S3 bucket that `aws cloudformation package` uploads the code to (env: DEPLOY_BUCKET)',
    )
    .option('--stack-name <name>', 'CloudFormation stack name (default: workout-app-<stage>)')
    .option('--region <region>', 'AWS region (default: the CLI configuration, AWS_REGION)')
    .option('--profile <profile>', 'AWS CLI profile (default: the CLI configuration, AWS_PROFILE)')
    .option('--alarm-email <address>', 'e-mail subscribed to the alarm topic', (v: string) => {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) throw new InvalidArgumentError('not an e-mail address');
      return v;
    })
    .addOption(
      new Option(
        '--api-gateway-account-role <mode>',
        'create the account-level API Gateway CloudWatch role; auto: only for a new stack in an account that has none',
      )
        .choices(['auto', 'create', 'skip'])
        .default('auto'),
    )
    .option(
      '--parameter <Key=Value>',
      'another template parameter (repeatable), e.g. BillingMode=PROVISIONED',
      (v: string, all: string[]) => {
        if (!PARAMETER.test(v)) throw new InvalidArgumentError('must be Key=Value');
        return [...all, v];
      },
      [] as string[],
    )
    .option('--no-build', 'deploy the dist/api.zip that is there (skip npm run build)')
    .option('--dry-run', 'print the AWS CLI commands instead of running them', false)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
}

/** Parses `npm run deploy -- ...` arguments; throws DeployError with the reason when they are wrong. */
export function parseDeployArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): DeployOptions {
  const cmd = program();
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    // --help has been printed: let the caller exit 0.
    if (err instanceof CommanderError && err.exitCode !== 0) {
      throw new DeployError(err.message.replace(/^error: /, ''));
    }
    throw err;
  }
  const o = cmd.opts<{
    stage: string;
    s3Bucket?: string;
    stackName?: string;
    region?: string;
    profile?: string;
    alarmEmail?: string;
    apiGatewayAccountRole: DeployOptions['apiGatewayAccountRole'];
    parameter: string[];
    build: boolean;
    dryRun: boolean;
  }>();
  const bucket = o.s3Bucket ?? env.DEPLOY_BUCKET;
  if (!bucket)
    throw new DeployError('an S3 bucket for the code is required: --s3-bucket <bucket> or DEPLOY_BUCKET');
  const reserved = o.parameter.find((p) =>
    /^(EnvironmentSuffix|AlarmEmail|CreateApiGatewayAccountRole)=/.test(p),
  );
  if (reserved) throw new DeployError(`set ${reserved.split('=')[0]} with its own option, not --parameter`);
  return {
    stage: o.stage,
    bucket,
    stackName: o.stackName ?? `workout-app-${o.stage}`,
    region: o.region,
    profile: o.profile,
    alarmEmail: o.alarmEmail,
    apiGatewayAccountRole: o.apiGatewayAccountRole,
    parameters: o.parameter,
    build: o.build,
    dryRun: o.dryRun,
  };
}

/**
 * The template CloudFormation gets: the code path made absolute (the packaged copy lives in
 * dist/), and the API Gateway Deployment's logical id suffixed with a hash of the template, so
 * that every change to the API gets a new deployment (CloudFormation never updates an unchanged
 * AWS::ApiGateway::Deployment, and the stage would keep serving the old API).
 */
export function deploymentTemplate(text: string, zipPath: string): string {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 10);
  if (!/^ {6}Code: dist\/api\.zip$/m.test(text))
    throw new DeployError('template.yaml: Code: dist/api.zip not found');
  return text
    .replace(/^( {6})Code: dist\/api\.zip$/m, `$1Code: ${JSON.stringify(zipPath)}`)
    .replace(/\bApiDeployment\b/g, `ApiDeployment${hash}`);
}

/** `--region`/`--profile` for every AWS CLI call. */
function common(o: DeployOptions): string[] {
  return [...(o.region ? ['--region', o.region] : []), ...(o.profile ? ['--profile', o.profile] : [])];
}

/** The two CloudFormation commands, as argument lists for `aws`. */
export function deployCommands(
  o: DeployOptions,
  files: { template: string; packaged: string },
  createAccountRole: boolean | undefined,
): { package: string[]; deploy: string[] } {
  const overrides = [
    `EnvironmentSuffix=${o.stage}`,
    ...(o.alarmEmail ? [`AlarmEmail=${o.alarmEmail}`] : []),
    // Left out, an existing stack keeps the value it has: deploy reuses previous parameters.
    ...(createAccountRole === undefined ? [] : [`CreateApiGatewayAccountRole=${createAccountRole}`]),
    ...o.parameters,
  ];
  return {
    package: [
      'cloudformation',
      'package',
      '--template-file',
      files.template,
      '--s3-bucket',
      o.bucket,
      '--s3-prefix',
      `workout-app/${o.stage}`,
      '--output-template-file',
      files.packaged,
      ...common(o),
    ],
    deploy: [
      'cloudformation',
      'deploy',
      '--template-file',
      files.packaged,
      '--stack-name',
      o.stackName,
      '--capabilities',
      'CAPABILITY_IAM',
      'CAPABILITY_NAMED_IAM',
      // Templates over 51,200 bytes (this one, once packaged) must reach CloudFormation through S3.
      '--s3-bucket',
      o.bucket,
      '--s3-prefix',
      `workout-app/${o.stage}`,
      '--parameter-overrides',
      ...overrides,
      '--tags',
      'app=workout-log',
      `environment=${o.stage}`,
      '--no-fail-on-empty-changeset',
      ...common(o),
    ],
  };
}

function aws(args: string[], capture = false): SpawnSyncReturns<string> {
  return spawnSync('aws', args, {
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
}

/** Fails clearly when the AWS CLI is not installed or has no credentials. */
function checkAwsCli(o: DeployOptions): void {
  const version = aws(['--version'], true);
  if (version.error || version.status !== 0) {
    throw new DeployError(
      'the AWS CLI (`aws`) was not found on PATH. Install it ' +
        '(https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), ' +
        'configure credentials (aws configure, or AWS_PROFILE), and run again.',
    );
  }
  const identity = aws(
    ['sts', 'get-caller-identity', '--output', 'text', '--query', 'Account', ...common(o)],
    true,
  );
  if (identity.status !== 0) {
    throw new DeployError(`the AWS CLI has no usable credentials: ${identity.stderr.trim()}`);
  }
}

/**
 * `auto`: a new stack creates the API Gateway logging role when the account has none yet; an
 * existing stack keeps its earlier choice (undefined: the parameter is left out).
 */
function decideAccountRole(o: DeployOptions): boolean | undefined {
  if (o.apiGatewayAccountRole !== 'auto') return o.apiGatewayAccountRole === 'create';
  const stack = aws(['cloudformation', 'describe-stacks', '--stack-name', o.stackName, ...common(o)], true);
  if (stack.status === 0) return undefined;
  if (!/does not exist/.test(stack.stderr)) throw new DeployError(stack.stderr.trim());
  const account = aws(
    ['apigateway', 'get-account', '--query', 'cloudwatchRoleArn', '--output', 'text', ...common(o)],
    true,
  );
  if (account.status !== 0) throw new DeployError(account.stderr.trim());
  const role = account.stdout.trim();
  return role === '' || role === 'None';
}

function run(args: string[]): void {
  console.error(`$ aws ${args.join(' ')}`);
  const r = aws(args);
  if (r.error || r.status !== 0) throw new DeployError(`aws ${args.slice(0, 2).join(' ')} failed`);
}

export async function deploy(o: DeployOptions): Promise<void> {
  if (!o.dryRun) checkAwsCli(o);
  if (o.build) {
    const { zipBytes } = await buildLambda();
    console.error(`built dist/api.zip (${(zipBytes / 1024).toFixed(1)} KiB)`);
  }
  const dir = resolve('dist', 'deploy');
  mkdirSync(dir, { recursive: true });
  const files = { template: join(dir, 'template.yaml'), packaged: join(dir, 'packaged.yaml') };
  writeFileSync(
    files.template,
    deploymentTemplate(readFileSync(TEMPLATE_PATH, 'utf8'), resolve('dist', 'api.zip')),
  );
  if (o.dryRun) {
    const cmds = deployCommands(
      o,
      files,
      o.apiGatewayAccountRole === 'auto' ? undefined : o.apiGatewayAccountRole === 'create',
    );
    console.log(`aws ${cmds.package.join(' ')}`);
    console.log(`aws ${cmds.deploy.join(' ')}`);
    return;
  }
  const cmds = deployCommands(o, files, decideAccountRole(o));
  run(cmds.package);
  run(cmds.deploy);
  const out = aws(
    [
      'cloudformation',
      'describe-stacks',
      '--stack-name',
      o.stackName,
      '--query',
      'Stacks[0].Outputs',
      '--output',
      'json',
      ...common(o),
    ],
    true,
  );
  if (out.status !== 0) throw new DeployError(out.stderr.trim());
  const outputs = JSON.parse(out.stdout) as { OutputKey: string; OutputValue: string }[];
  const width = Math.max(...outputs.map((x) => x.OutputKey.length));
  console.log(`\nStack ${o.stackName} deployed:`);
  for (const x of outputs.sort((a, b) => a.OutputKey.localeCompare(b.OutputKey))) {
    console.log(`  ${x.OutputKey.padEnd(width)}  ${x.OutputValue}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await deploy(parseDeployArgs(process.argv.slice(2)));
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    if (!(err instanceof DeployError)) throw err;
    console.error(`deploy: ${err.message}`);
    process.exit(1);
  }
}
