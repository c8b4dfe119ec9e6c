/**
 * scripts/deploy.ts without AWS: its arguments, the commands it would run, the template it hands
 * to CloudFormation, and a clear failure when the AWS CLI is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  API_PARAMETERS,
  type AwsCli,
  type AwsResult,
  checkCapacity,
  deploy,
  deployCommands,
  type DeployDeps,
  DeployError,
  deploymentTemplate,
  ensureAccountRole,
  parameterOverrides,
  parseDeployArgs,
} from '../scripts/deploy.ts';
import { loadTemplate, TEMPLATE_PATH } from '../src/store/table.ts';

const work = mkdtempSync(join(tmpdir(), 'workout-deploy-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('arguments: a stage and a bucket, with defaults for the rest', () => {
  const o = parseDeployArgs(['--stage', 'dev', '--s3-bucket', 'artifacts-123'], {});
  assert.deepEqual(o, {
    stage: 'dev',
    bucket: 'artifacts-123',
    stackName: 'workout-app-dev',
    region: undefined,
    profile: undefined,
    alarmEmail: undefined,
    apiGatewayAccountRole: 'auto',
    parameters: [],
    build: true,
    dryRun: false,
  });
  assert.equal(parseDeployArgs(['--stage', 'prod'], { DEPLOY_BUCKET: 'from-env' }).bucket, 'from-env');
  const all = parseDeployArgs(
    [
      '--stage',
      'qa-2',
      '--s3-bucket',
      'b',
      '--region',
      'eu-west-1',
      '--alarm-email',
      'ops@example.com',
      '--parameter',
      'BillingMode=PROVISIONED',
      '--parameter',
      'DeletionProtection=false',
      '--api-gateway-account-role',
      'skip',
      '--no-build',
      '--dry-run',
    ],
    {},
  );
  assert.equal(all.region, 'eu-west-1');
  assert.deepEqual(all.parameters, ['BillingMode=PROVISIONED', 'DeletionProtection=false']);
  assert.equal(all.apiGatewayAccountRole, 'skip');
  assert.equal(all.build, false);
  assert.equal(all.dryRun, true);
});

test('arguments: mistakes are reported, not deployed', () => {
  const fails = (argv: string[], pattern: RegExp) =>
    assert.throws(
      () => parseDeployArgs(argv, {}),
      (e: Error) => e instanceof DeployError && pattern.test(e.message),
    );
  fails(['--s3-bucket', 'b'], /--stage/);
  fails(['--stage', 'Dev', '--s3-bucket', 'b'], /lowercase/);
  fails(['--stage', 'this-name-is-far-too-long', '--s3-bucket', 'b'], /1-20/);
  fails(['--stage', 'dev'], /S3 bucket/);
  fails(['--stage', 'dev', '--s3-bucket', 'b', '--parameter', 'nonsense'], /Key=Value/);
  fails(['--stage', 'dev', '--s3-bucket', 'b', '--parameter', 'EnvironmentSuffix=x'], /own option/);
  fails(['--stage', 'dev', '--s3-bucket', 'b', '--alarm-email', 'nobody'], /e-mail/);
  fails(['--stage', 'dev', '--s3-bucket', 'b', '--api-gateway-account-role', 'maybe'], /choices/i);
});

test('capacity: a minimum over the maximum is refused before anything is sent (D12)', () => {
  const args = (...p: string[]) => [
    '--stage',
    'dev',
    '--s3-bucket',
    'b',
    ...p.flatMap((x) => ['--parameter', x]),
  ];
  assert.throws(
    () => parseDeployArgs(args('ProvisionedMinCapacity=60', 'ProvisionedMaxCapacity=50'), {}),
    (e: Error) =>
      e instanceof DeployError &&
      /ProvisionedMinCapacity \(60\) is over ProvisionedMaxCapacity \(50\)/.test(e.message),
  );
  // One bound alone is checked against the template's default of the other (10 / 50) ...
  assert.throws(() => parseDeployArgs(args('ProvisionedMinCapacity=60'), {}), DeployError);
  assert.throws(() => parseDeployArgs(args('ProvisionedMaxCapacity=5'), {}), DeployError);
  assert.throws(() => parseDeployArgs(args('ProvisionedMaxCapacity=0'), {}), /at least 1/);
  parseDeployArgs(args('ProvisionedMinCapacity=50', 'ProvisionedMaxCapacity=50'), {});
  // ... and, for an existing stack, against the stack's current value (deploy() passes it).
  const given = new Map([['ProvisionedMinCapacity', '60']]);
  checkCapacity(given, new Map([['ProvisionedMaxCapacity', '2000']]));
  assert.throws(() => checkCapacity(given, new Map([['ProvisionedMaxCapacity', '50']])), DeployError);
});

test('commands: package to the bucket, deploy with IAM capabilities and the stage parameters', () => {
  const o = parseDeployArgs(
    ['--stage', 'dev', '--s3-bucket', 'b', '--profile', 'ops', '--alarm-email', 'ops@example.com'],
    {},
  );
  const files = { template: '/x/template.yaml', packaged: '/x/packaged.yaml' };
  const first = deployCommands(o, files, parameterOverrides(o, { createAccountRole: true }));
  assert.deepEqual(first.package.slice(0, 2), ['cloudformation', 'package']);
  assert.ok(first.package.join(' ').includes('--s3-bucket b'));
  assert.ok(first.package.join(' ').includes('--output-template-file /x/packaged.yaml'));
  const deploy = first.deploy.join(' ');
  assert.ok(
    deploy.startsWith('cloudformation deploy --template-file /x/packaged.yaml --stack-name workout-app-dev'),
  );
  assert.ok(deploy.includes('--capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM'));
  assert.ok(
    deploy.includes('EnvironmentSuffix=dev AlarmEmail=ops@example.com CreateApiGatewayAccountRole=true'),
  );
  assert.ok(deploy.includes('--s3-bucket b'), 'the packaged template is over 51,200 bytes');
  for (const cmd of [first.package, first.deploy]) assert.ok(cmd.join(' ').endsWith('--profile ops'));
  // An existing stack keeps its earlier choice: the parameter is left out.
  assert.ok(
    !deployCommands(o, files, parameterOverrides(o)).deploy.join(' ').includes('CreateApiGatewayAccountRole'),
  );
});

test('the template deployed: code from the built zip, a new API deployment whenever the template changes', () => {
  const text = readFileSync(TEMPLATE_PATH, 'utf8');
  const out = deploymentTemplate(text, '/abs/dist/api.zip');
  const file = join(work, 'deploy.yaml');
  writeFileSync(file, out);
  const t = loadTemplate(file);
  const resources = t.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  assert.equal(resources.ApiFunction!.Properties.Code, '/abs/dist/api.zip');
  const deployments = Object.keys(resources).filter(
    (id) => resources[id]!.Type === 'AWS::ApiGateway::Deployment',
  );
  assert.equal(deployments.length, 1);
  assert.match(deployments[0]!, /^ApiDeployment[0-9a-f]{10}$/);
  assert.deepEqual(resources.ApiStage!.Properties.DeploymentId, { Ref: deployments[0] });
  assert.ok(!/\bApiDeployment\b/.test(out));
  // Another template (any change) gets another logical id, hence a new deployment of the stage.
  const changed = deploymentTemplate(text.replace('Default: 50', 'Default: 60'), '/abs/dist/api.zip');
  assert.notEqual(/ApiDeployment[0-9a-f]{10}/.exec(changed)![0], deployments[0]);
});

test('a parameter that changes the API gets a new deployment too; others do not (D8)', () => {
  const text = readFileSync(TEMPLATE_PATH, 'utf8');
  const id = (parameters: string[]) =>
    /ApiDeployment[0-9a-f]{10}/.exec(deploymentTemplate(text, '/z.zip', parameters))![0];
  const base = id(['EnvironmentSuffix=dev']);
  const pool = 'ExistingUserPoolArn=arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC';
  assert.notEqual(id(['EnvironmentSuffix=dev', pool]), base, 'another user pool: the authorizer changes');
  assert.notEqual(id(['EnvironmentSuffix=dev', 'CorsOrigins=https://a.example.com']), base);
  assert.equal(id(['EnvironmentSuffix=dev', 'DeletionProtection=false', 'LogLevel=warn']), base);
  // API_PARAMETERS is every parameter an API Gateway resource that a deployment snapshots
  // depends on (directly or through a condition); the stage's own settings apply without one.
  const t = loadTemplate();
  const conditions = t.Conditions as Record<string, unknown>;
  const refs = (x: unknown, seen = new Set<string>()): Set<string> => {
    if (Array.isArray(x)) x.forEach((v) => refs(v, seen));
    else if (x && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if (k === 'Ref' && typeof v === 'string') seen.add(v);
        else if (k === 'Fn::Sub') {
          const str = Array.isArray(v) ? v[0] : v;
          for (const m of String(str).matchAll(/\$\{([\w:]+)\}/g)) seen.add(m[1]!);
          if (Array.isArray(v)) refs(v[1], seen);
        } else if (k === 'Fn::If') {
          refs(conditions[(v as string[])[0]!], seen);
          refs((v as unknown[]).slice(1), seen);
        } else refs(v, seen);
      }
    }
    return seen;
  };
  const parameters = new Set(Object.keys(t.Parameters as object));
  const snapshot = Object.values(t.Resources as Record<string, { Type: string; Properties: unknown }>)
    .filter((r) => /^AWS::ApiGateway::(?!Stage$|Account$)/.test(r.Type))
    .flatMap((r) => [...refs(r.Properties)])
    .filter((name) => parameters.has(name));
  assert.deepEqual([...new Set(snapshot)].sort(), [...API_PARAMETERS].sort());
});

/** A scripted AWS CLI: each call is answered by the first rule that matches its arguments. */
function fakeAws(rules: [RegExp, Partial<AwsResult> | (() => Partial<AwsResult>)][]) {
  const calls: string[] = [];
  const aws: AwsCli = (args) => {
    const line = args.join(' ');
    calls.push(line);
    const rule = rules.find(([re]) => re.test(line));
    const r = rule ? (typeof rule[1] === 'function' ? rule[1]() : rule[1]) : {};
    return { status: 0, stdout: '', stderr: '', ...r };
  };
  const slept: number[] = [];
  const deps: DeployDeps = { aws, sleep: async (ms) => void slept.push(ms), log: () => {} };
  return { calls, slept, deps };
}

const NO_STACK = {
  status: 254,
  stderr: 'An error occurred (ValidationError): Stack with id workout-app-dev does not exist',
};
const OUTPUTS = { stdout: JSON.stringify([{ OutputKey: 'ApiUrl', OutputValue: 'https://x/dev' }]) };
const options = (...extra: string[]) =>
  parseDeployArgs(['--stage', 'dev', '--s3-bucket', 'b', '--no-build', ...extra], {});

test('the account logging role is created and set before the stack, waiting out IAM propagation (D4)', async () => {
  let refusals = 2;
  const { calls, slept, deps } = fakeAws([
    [/^apigateway get-account/, { stdout: 'None\n' }],
    [
      /^iam get-role/,
      { status: 254, stderr: 'An error occurred (NoSuchEntity) when calling the GetRole operation' },
    ],
    [/^iam create-role/, { stdout: 'arn:aws:iam::123456789012:role/apigateway-cloudwatch-logs\n' }],
    [
      /^apigateway update-account/,
      () =>
        refusals-- > 0
          ? {
              status: 254,
              stderr:
                'BadRequestException: The role ARN does not have required permissions set to API Gateway',
            }
          : {},
    ],
  ]);
  const arn = await ensureAccountRole(options(), deps, 8, 10_000);
  assert.equal(arn, 'arn:aws:iam::123456789012:role/apigateway-cloudwatch-logs');
  assert.deepEqual(
    calls.map((c) => c.split(' ').slice(0, 2).join(' ')),
    [
      'apigateway get-account',
      'iam get-role',
      'iam create-role',
      'iam attach-role-policy',
      'iam wait',
      'apigateway update-account',
      'apigateway update-account',
      'apigateway update-account',
    ],
  );
  assert.match(
    calls[3]!,
    /--policy-arn arn:aws:iam::aws:policy\/service-role\/AmazonAPIGatewayPushToCloudWatchLogs/,
  );
  assert.match(
    calls[5]!,
    /op=replace,path=\/cloudwatchRoleArn,value=arn:aws:iam::123456789012:role\/apigateway-cloudwatch-logs/,
  );
  assert.deepEqual(slept, [10_000, 10_000]);

  // An account that has a role already: nothing is created.
  const existing = fakeAws([[/^apigateway get-account/, { stdout: 'arn:aws:iam::1:role/theirs\n' }]]);
  assert.equal(await ensureAccountRole(options(), existing.deps), 'arn:aws:iam::1:role/theirs');
  assert.equal(existing.calls.length, 1);
  // Another error is not retried; endless refusals end.
  const denied = fakeAws([
    [/^apigateway get-account/, { stdout: 'None' }],
    [/^apigateway update-account/, { status: 254, stderr: 'AccessDeniedException: not allowed' }],
  ]);
  await assert.rejects(ensureAccountRole(options(), denied.deps), /AccessDenied/);
  const stuck = fakeAws([
    [/^apigateway get-account/, { stdout: 'None' }],
    [
      /^apigateway update-account/,
      { status: 254, stderr: 'The role ARN does not have required permissions' },
    ],
  ]);
  await assert.rejects(ensureAccountRole(options(), stuck.deps, 3, 1), /after 3 attempts/);
});

test('a new stack: role first, created without deletion protection, then protected (D3, D4)', async () => {
  const { calls, deps } = fakeAws([
    [/^cloudformation describe-stacks .*StackStatus/, NO_STACK],
    [/^cloudformation describe-stacks .*Outputs/, OUTPUTS],
    [/^apigateway get-account/, { stdout: 'arn:aws:iam::1:role/x' }],
  ]);
  await deploy(options(), deps);
  const steps = calls.map((c) => c.split(' ').slice(0, 2).join(' '));
  assert.deepEqual(steps.slice(0, 4), [
    '--version',
    'sts get-caller-identity',
    'cloudformation describe-stacks',
    'apigateway get-account',
  ]);
  const deploys = calls.filter((c) => c.startsWith('cloudformation deploy'));
  assert.equal(deploys.length, 2);
  assert.match(deploys[0]!, /CreateApiGatewayAccountRole=false DeletionProtection=false/);
  assert.match(deploys[1]!, /DeletionProtection=false DeletionProtection=true/, 'the last value wins');
  assert.ok(steps.indexOf('apigateway get-account') < steps.indexOf('cloudformation package'));
  assert.ok(!calls.some((c) => c.startsWith('ssm ')), 'no SSM read for a stack that does not exist');

  // Asked for explicitly, deletion protection is set in one go.
  const explicit = fakeAws([
    [/^cloudformation describe-stacks .*StackStatus/, NO_STACK],
    [/^cloudformation describe-stacks .*Outputs/, OUTPUTS],
    [/^apigateway get-account/, { stdout: 'arn:aws:iam::1:role/x' }],
  ]);
  await deploy(options('--parameter', 'DeletionProtection=true'), explicit.deps);
  assert.equal(explicit.calls.filter((c) => c.startsWith('cloudformation deploy')).length, 1);
});

test('a stack whose first create failed is deleted and created again (D3)', async () => {
  const { calls, deps } = fakeAws([
    [
      /^cloudformation describe-stacks .*StackStatus/,
      { stdout: JSON.stringify({ status: 'ROLLBACK_COMPLETE', parameters: [] }) },
    ],
    [/^cloudformation describe-stacks .*Outputs/, OUTPUTS],
    [/^apigateway get-account/, { stdout: 'arn:aws:iam::1:role/x' }],
  ]);
  await deploy(options(), deps);
  const i = calls.findIndex((c) => c.startsWith('cloudformation delete-stack --stack-name workout-app-dev'));
  assert.ok(i > 0 && calls[i + 1]!.startsWith('cloudformation wait stack-delete-complete'));
  assert.ok(i < calls.findIndex((c) => c.startsWith('cloudformation deploy')));
  assert.equal(calls.filter((c) => c.startsWith('cloudformation deploy')).length, 2);
});

test('an existing stack: throttling read back from SSM unless given; capacity checked against it', async () => {
  const existing = {
    stdout: JSON.stringify({
      status: 'UPDATE_COMPLETE',
      parameters: [{ ParameterKey: 'ProvisionedMaxCapacity', ParameterValue: '40' }],
    }),
  };
  const { calls, deps } = fakeAws([
    [/^cloudformation describe-stacks .*StackStatus/, existing],
    [/^cloudformation describe-stacks .*Outputs/, OUTPUTS],
    [/^apigateway get-account/, { stdout: 'arn:aws:iam::1:role/x' }],
    [
      /^ssm get-parameters/,
      {
        stdout:
          '/workout-app/dev/api-throttle-rate-limit\t400\n/workout-app/dev/api-throttle-burst-limit\tlots\n',
      },
    ],
  ]);
  await deploy(options(), deps);
  const deploys = calls.filter((c) => c.startsWith('cloudformation deploy'));
  assert.equal(deploys.length, 1);
  assert.match(deploys[0]!, /ApiThrottleRateLimit=400/);
  assert.doesNotMatch(deploys[0]!, /ApiThrottleBurstLimit|DeletionProtection|CreateApiGatewayAccountRole/);
  // Given on the command line, the option wins and SSM is not asked for it.
  const given = fakeAws([
    [/^cloudformation describe-stacks .*StackStatus/, existing],
    [/^cloudformation describe-stacks .*Outputs/, OUTPUTS],
    [/^apigateway get-account/, { stdout: 'arn:aws:iam::1:role/x' }],
  ]);
  await deploy(
    options('--parameter', 'ApiThrottleRateLimit=70', '--parameter', 'ApiThrottleBurstLimit=140'),
    given.deps,
  );
  assert.ok(!given.calls.some((c) => c.startsWith('ssm ')));
  // The stack's maximum is 40: a minimum of 45 is refused before anything is deployed.
  const refused = fakeAws([[/^cloudformation describe-stacks .*StackStatus/, existing]]);
  await assert.rejects(
    deploy(options('--parameter', 'ProvisionedMinCapacity=45'), refused.deps),
    /over ProvisionedMaxCapacity \(40\)/,
  );
  assert.ok(!refused.calls.some((c) => c.startsWith('cloudformation deploy')));
});

test('without the AWS CLI on PATH it stops with a clear message, before building', () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/deploy.ts', '--stage', 'dev', '--s3-bucket', 'b'],
    { encoding: 'utf8', env: { ...process.env, PATH: work }, timeout: 30_000 },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /AWS CLI \(`aws`\) was not found on PATH/);
  assert.doesNotMatch(r.stderr, /built dist/);
});
