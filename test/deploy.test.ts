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
import { deployCommands, DeployError, deploymentTemplate, parseDeployArgs } from '../scripts/deploy.ts';
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

test('commands: package to the bucket, deploy with IAM capabilities and the stage parameters', () => {
  const o = parseDeployArgs(
    ['--stage', 'dev', '--s3-bucket', 'b', '--profile', 'ops', '--alarm-email', 'ops@example.com'],
    {},
  );
  const files = { template: '/x/template.yaml', packaged: '/x/packaged.yaml' };
  const first = deployCommands(o, files, true);
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
  assert.ok(!deployCommands(o, files, undefined).deploy.join(' ').includes('CreateApiGatewayAccountRole'));
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
