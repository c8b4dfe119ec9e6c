/**
 * `npm run deploy -- --stage <name> --s3-bucket <bucket>`: builds the function (dist/api.zip),
 * packages template.yaml with `aws cloudformation package` (which uploads the zip to the bucket),
 * deploys it with `aws cloudformation deploy` as the stack `workout-app-<stage>`, and prints the
 * stack's outputs. Needs the AWS CLI and credentials; docs/deploy.md walks through it.
 *
 * Around CloudFormation it settles what a template cannot:
 * - the account's API Gateway logging role is created (or found) and set before the stack, with
 *   a wait for IAM to propagate (a role created in the same stack races API Gateway's check);
 * - a new stack is created with deletion protection off, so that a failed first create rolls back
 *   completely (RetainExceptOnCreate), and protection is turned on once the create succeeded;
 *   a stack left in ROLLBACK_COMPLETE by an earlier failed create is deleted first;
 * - ProvisionedMinCapacity > ProvisionedMaxCapacity is refused before anything is sent
 *   (CloudFormation Rules cannot compare numbers);
 * - the stage's throttling values are read back from SSM (api-throttle-*) unless given.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { TEMPLATE_PATH } from '../src/store/table.ts';
import { buildLambda } from './build.ts';
import { publishConsole } from './deploy-console.ts';

export interface DeployOptions {
  stage: string;
  bucket: string;
  stackName: string;
  region?: string;
  profile?: string;
  alarmEmail?: string;
  /**
   * The account-level API Gateway CloudWatch role. auto: the script creates and sets one when the
   * account has none; stack: the template creates it (CreateApiGatewayAccountRole=true); skip:
   * managed elsewhere.
   */
  apiGatewayAccountRole: 'auto' | 'stack' | 'skip';
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
        'the account-level API Gateway CloudWatch role. auto: created and set by this script, before the stack, when the account has none; stack: created by the template; skip: managed elsewhere',
      )
        .choices(['auto', 'stack', 'skip'])
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
  checkCapacity(parameterMap(o.parameter));
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

/** `Key=Value` strings as a map (the last one wins, as with the CLI). */
export function parameterMap(parameters: string[]): Map<string, string> {
  return new Map(
    parameters.map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i), p.slice(i + 1)] as [string, string];
    }),
  );
}

/** template.yaml's defaults of the two capacity bounds. */
const CAPACITY_DEFAULTS = { ProvisionedMinCapacity: '10', ProvisionedMaxCapacity: '50' };

/**
 * Refuses ProvisionedMinCapacity > ProvisionedMaxCapacity (RegisterScalableTarget would fail in
 * the middle of the deploy). A bound not given is the stack's current one, else the template's
 * default. CloudFormation Rules cannot compare numbers, so this check lives here.
 */
export function checkCapacity(given: Map<string, string>, current: Map<string, string> = new Map()): void {
  const value = (key: keyof typeof CAPACITY_DEFAULTS) =>
    given.get(key) ?? current.get(key) ?? CAPACITY_DEFAULTS[key];
  const min = value('ProvisionedMinCapacity');
  const max = value('ProvisionedMaxCapacity');
  for (const [key, v] of [
    ['ProvisionedMinCapacity', min],
    ['ProvisionedMaxCapacity', max],
  ] as const) {
    if (!/^[1-9]\d*$/.test(v)) throw new DeployError(`${key}=${v}: must be a whole number of at least 1`);
  }
  if (Number(min) > Number(max)) {
    throw new DeployError(
      `ProvisionedMinCapacity (${min}) is over ProvisionedMaxCapacity (${max}); auto-scaling would refuse it mid-deploy`,
    );
  }
}

/**
 * The parameters that change what an API deployment snapshots (the authorizer's user pool, the
 * gateway responses' CORS headers, the stage): test/deploy.test.ts derives this list from the
 * template, so a new one cannot be forgotten.
 */
export const API_PARAMETERS = ['EnvironmentSuffix', 'ExistingUserPoolArn', 'CorsOrigins'];

/**
 * The template CloudFormation gets: the code path made absolute (the packaged copy lives in
 * dist/), and the API Gateway Deployment's logical id suffixed with a hash of the template and of
 * the API_PARAMETERS given, so that every change to the API gets a new deployment
 * (CloudFormation never updates an unchanged AWS::ApiGateway::Deployment, and the stage would
 * keep serving the old API; a parameter such as ExistingUserPoolArn changes the authorizer
 * without changing the text). Other parameters (deletion protection, alarms, logging) leave the
 * deployment alone.
 */
export function deploymentTemplate(text: string, zipPath: string, parameters: string[] = []): string {
  const given = parameterMap(parameters);
  const api = API_PARAMETERS.filter((k) => given.has(k)).map((k) => `${k}=${given.get(k)}`);
  const hash = createHash('sha256')
    .update(text)
    .update(api.length ? `\n${api.join('\n')}` : '')
    .digest('hex')
    .slice(0, 10);
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

/** What the stack parameters are set to, besides the template's own defaults. */
export function parameterOverrides(
  o: DeployOptions,
  extra: { createAccountRole?: boolean; deletionProtection?: boolean; fromSsm?: string[] } = {},
): string[] {
  return [
    `EnvironmentSuffix=${o.stage}`,
    ...(o.alarmEmail ? [`AlarmEmail=${o.alarmEmail}`] : []),
    // Left out, an existing stack keeps the value it has: deploy reuses previous parameters.
    ...(extra.createAccountRole === undefined
      ? []
      : [`CreateApiGatewayAccountRole=${extra.createAccountRole}`]),
    ...(extra.deletionProtection === undefined ? [] : [`DeletionProtection=${extra.deletionProtection}`]),
    ...(extra.fromSsm ?? []),
    ...o.parameters,
  ];
}

/** The two CloudFormation commands, as argument lists for `aws`. */
export function deployCommands(
  o: DeployOptions,
  files: { template: string; packaged: string },
  overrides: string[],
): { package: string[]; deploy: string[] } {
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

export interface AwsResult {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}
/** Runs `aws <args>`: captured, or with its output shown (`show`) for the long commands. */
export type AwsCli = (args: string[], show?: boolean) => AwsResult;

const awsCli: AwsCli = (args, show = false) => {
  const r = spawnSync('aws', args, {
    encoding: 'utf8',
    stdio: show ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
};

export interface DeployDeps {
  aws: AwsCli;
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
}

const realDeps: DeployDeps = {
  aws: awsCli,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  log: (line) => console.error(line),
};

/** Fails clearly when the AWS CLI is not installed or has no credentials. */
function checkAwsCli(o: DeployOptions, aws: AwsCli): void {
  const version = aws(['--version']);
  if (version.error || version.status !== 0) {
    throw new DeployError(
      'the AWS CLI (`aws`) was not found on PATH. Install it ' +
        '(https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), ' +
        'configure credentials (aws configure, or AWS_PROFILE), and run again.',
    );
  }
  const identity = aws([
    'sts',
    'get-caller-identity',
    '--output',
    'text',
    '--query',
    'Account',
    ...common(o),
  ]);
  if (identity.status !== 0) {
    throw new DeployError(`the AWS CLI has no usable credentials: ${identity.stderr.trim()}`);
  }
}

interface StackState {
  status: string;
  parameters: Map<string, string>;
}

/** The stack's status and parameters, or undefined when there is no such stack. */
function describeStack(o: DeployOptions, aws: AwsCli): StackState | undefined {
  const r = aws([
    'cloudformation',
    'describe-stacks',
    '--stack-name',
    o.stackName,
    '--query',
    'Stacks[0].{status:StackStatus,parameters:Parameters}',
    '--output',
    'json',
    ...common(o),
  ]);
  if (r.status !== 0) {
    if (/does not exist/.test(r.stderr)) return undefined;
    throw new DeployError(r.stderr.trim());
  }
  const out = JSON.parse(r.stdout) as {
    status: string;
    parameters?: { ParameterKey: string; ParameterValue: string }[] | null;
  };
  return {
    status: out.status,
    parameters: new Map((out.parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue])),
  };
}

/** The role this script creates when the account has none (IAM names are account-wide). */
export const ACCOUNT_ROLE_NAME = 'apigateway-cloudwatch-logs';
const PUSH_POLICY = 'iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});

/**
 * Makes sure the account (in this region) has an API Gateway logging role, before the stack
 * needs it: when none is set, creates (or reuses) the role ACCOUNT_ROLE_NAME, waits until IAM
 * has it, and sets it, retrying while API Gateway does not see the new role's trust yet (the
 * race that fails `AWS::ApiGateway::Account` when the role is created in the same stack).
 * Returns the role's ARN.
 */
export async function ensureAccountRole(
  o: DeployOptions,
  deps: DeployDeps,
  attempts = 8,
  delayMs = 10_000,
): Promise<string> {
  const { aws, log } = deps;
  const account = aws([
    'apigateway',
    'get-account',
    '--query',
    'cloudwatchRoleArn',
    '--output',
    'text',
    ...common(o),
  ]);
  if (account.status !== 0) throw new DeployError(account.stderr.trim());
  const current = account.stdout.trim();
  if (current !== '' && current !== 'None') return current;

  log(`API Gateway has no logging role in this account and region: setting ${ACCOUNT_ROLE_NAME}`);
  const getRole = [
    'iam',
    'get-role',
    '--role-name',
    ACCOUNT_ROLE_NAME,
    '--query',
    'Role.Arn',
    '--output',
    'text',
  ];
  let role = aws([...getRole, ...common(o)]);
  if (role.status !== 0) {
    if (!/NoSuchEntity/.test(role.stderr)) throw new DeployError(role.stderr.trim());
    role = aws([
      'iam',
      'create-role',
      '--role-name',
      ACCOUNT_ROLE_NAME,
      '--description',
      'Lets API Gateway write execution and access logs (account-level setting, every REST API in the account)',
      '--assume-role-policy-document',
      TRUST,
      '--query',
      'Role.Arn',
      '--output',
      'text',
      ...common(o),
    ]);
    if (role.status !== 0) throw new DeployError(role.stderr.trim());
  }
  const arn = role.stdout.trim();
  const partition = arn.split(':')[1] ?? 'aws';
  const attach = aws([
    'iam',
    'attach-role-policy',
    '--role-name',
    ACCOUNT_ROLE_NAME,
    '--policy-arn',
    `arn:${partition}:${PUSH_POLICY}`,
    ...common(o),
  ]);
  if (attach.status !== 0) throw new DeployError(attach.stderr.trim());
  const wait = aws(['iam', 'wait', 'role-exists', '--role-name', ACCOUNT_ROLE_NAME, ...common(o)]);
  if (wait.status !== 0) throw new DeployError(wait.stderr.trim());
  for (let attempt = 1; ; attempt++) {
    const set = aws([
      'apigateway',
      'update-account',
      '--patch-operations',
      `op=replace,path=/cloudwatchRoleArn,value=${arn}`,
      ...common(o),
    ]);
    if (set.status === 0) break;
    // A role a few seconds old is not yet visible to API Gateway: "The role ARN does not have
    // required permissions set to API Gateway". Anything else is a real error.
    if (!/required permissions|does not have|not authorized to perform: sts:AssumeRole/i.test(set.stderr))
      throw new DeployError(set.stderr.trim());
    if (attempt >= attempts)
      throw new DeployError(
        `API Gateway still refuses the new role after ${attempts} attempts: ${set.stderr.trim()}`,
      );
    log(`  IAM is still propagating the role; retrying in ${delayMs / 1000} s (${attempt}/${attempts})`);
    await deps.sleep(delayMs);
  }
  log(`  set ${arn} as the account's API Gateway logging role`);
  return arn;
}

/**
 * The stage's throttling as last put in SSM (`/workout-app/<stage>/api-throttle-*`), as
 * parameters, for those not given on the command line. Missing parameters (a first deploy) or
 * values that are not whole numbers of at least 1 are left out.
 */
export function throttlingFromSsm(o: DeployOptions, aws: AwsCli): string[] {
  const given = parameterMap(o.parameters);
  const names = {
    ApiThrottleRateLimit: `/workout-app/${o.stage}/api-throttle-rate-limit`,
    ApiThrottleBurstLimit: `/workout-app/${o.stage}/api-throttle-burst-limit`,
  };
  const wanted = Object.entries(names).filter(([key]) => !given.has(key));
  if (wanted.length === 0) return [];
  const r = aws([
    'ssm',
    'get-parameters',
    '--names',
    ...wanted.map(([, name]) => name),
    '--query',
    'Parameters[].[Name,Value]',
    '--output',
    'text',
    ...common(o),
  ]);
  if (r.status !== 0) throw new DeployError(r.stderr.trim());
  const values = new Map(
    r.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length === 2) as [string, string][],
  );
  return wanted.flatMap(([key, name]) => {
    const v = values.get(name);
    return v !== undefined && /^[1-9]\d*$/.test(v) ? [`${key}=${v}`] : [];
  });
}

function run(args: string[], deps: DeployDeps): void {
  deps.log(`$ aws ${args.join(' ')}`);
  const r = deps.aws(args, true);
  if (r.error || r.status !== 0) throw new DeployError(`aws ${args.slice(0, 2).join(' ')} failed`);
}

function writeTemplate(file: string, overrides: string[]): void {
  writeFileSync(
    file,
    deploymentTemplate(readFileSync(TEMPLATE_PATH, 'utf8'), resolve('dist', 'api.zip'), overrides),
  );
}

export async function deploy(o: DeployOptions, deps: DeployDeps = realDeps): Promise<void> {
  const { aws, log } = deps;
  if (!o.dryRun) checkAwsCli(o, aws);
  if (o.build) {
    const { zipBytes } = await buildLambda();
    log(`built dist/api.zip (${(zipBytes / 1024).toFixed(1)} KiB)`);
  }
  const dir = resolve('dist', 'deploy');
  mkdirSync(dir, { recursive: true });
  const files = { template: join(dir, 'template.yaml'), packaged: join(dir, 'packaged.yaml') };
  const given = parameterMap(o.parameters);
  if (o.dryRun) {
    const overrides = parameterOverrides(o, {
      createAccountRole: o.apiGatewayAccountRole === 'stack' ? true : undefined,
    });
    writeTemplate(files.template, overrides);
    const cmds = deployCommands(o, files, overrides);
    console.log(`aws ${cmds.package.join(' ')}`);
    console.log(`aws ${cmds.deploy.join(' ')}`);
    return;
  }

  let stack = describeStack(o, aws);
  if (stack?.status === 'ROLLBACK_COMPLETE') {
    // A first create that failed: nothing in it can be updated, and with RetainExceptOnCreate
    // nothing of it was kept, so it is deleted and created again.
    log(`stack ${o.stackName} is ROLLBACK_COMPLETE (its first create failed): deleting it first`);
    run(['cloudformation', 'delete-stack', '--stack-name', o.stackName, ...common(o)], deps);
    run(['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', o.stackName, ...common(o)], deps);
    stack = undefined;
  }
  checkCapacity(given, stack?.parameters);

  if (o.apiGatewayAccountRole === 'auto') await ensureAccountRole(o, deps);
  // A new stack: the template creates no account role unless asked to (the script did it above).
  const createAccountRole = stack ? undefined : o.apiGatewayAccountRole === 'stack';
  // A new stack is created without deletion protection, so that a failed create rolls back
  // completely; protection goes on once it exists (unless DeletionProtection was given).
  const twoPhase = !stack && !given.has('DeletionProtection');
  const fromSsm = stack ? throttlingFromSsm(o, aws) : [];
  const overrides = parameterOverrides(o, {
    createAccountRole,
    deletionProtection: twoPhase ? false : undefined,
    fromSsm,
  });
  writeTemplate(files.template, overrides);
  const cmds = deployCommands(o, files, overrides);
  run(cmds.package, deps);
  run(cmds.deploy, deps);
  if (twoPhase) {
    log('created; turning deletion protection on for the table and the user pool');
    run(deployCommands(o, files, [...overrides, 'DeletionProtection=true']).deploy, deps);
  }
  const out = aws([
    'cloudformation',
    'describe-stacks',
    '--stack-name',
    o.stackName,
    '--query',
    'Stacks[0].Outputs',
    '--output',
    'json',
    ...common(o),
  ]);
  if (out.status !== 0) throw new DeployError(out.stderr.trim());
  const outputs = JSON.parse(out.stdout) as { OutputKey: string; OutputValue: string }[];
  const width = Math.max(...outputs.map((x) => x.OutputKey.length));
  console.log(`\nStack ${o.stackName} deployed:`);
  for (const x of outputs.sort((a, b) => a.OutputKey.localeCompare(b.OutputKey))) {
    console.log(`  ${x.OutputKey.padEnd(width)}  ${x.OutputValue}`);
  }
  // The web console: built, uploaded to its bucket, CloudFront invalidated (scripts/deploy-console.ts).
  const consoleUrl = await publishConsole(outputs, common(o), { run: (args) => run(args, deps), log });
  if (consoleUrl) console.log(`\nConsole: ${consoleUrl}`);
  const api = outputs.find((x) => x.OutputKey === 'ApiUrl')?.OutputValue;
  if (api) console.log(`\nCheck it: npm run smoke -- --api ${api} --token <ID token>   (docs/deploy.md)`);
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
