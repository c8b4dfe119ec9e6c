/**
 * The web console on AWS: its hosting in template.yaml (private bucket read only by CloudFront
 * through origin access control, HTTPS only, security headers, the API on the same origin,
 * a PKCE app client) and the deploy step that publishes it (scripts/deploy-console.ts), with
 * the AWS CLI scripted. The local side (serving, the token route) is tested here too.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { consoleConfig, publishConsole, type StackOutput } from '../scripts/deploy-console.ts';
import { signingKey } from '../src/auth/local-jwt.ts';
import { isLoopback, withConsole } from '../src/runtime/console.ts';
import { loadTemplate } from '../src/store/table.ts';

type Json = Record<string, unknown>;
const resources = loadTemplate().Resources as Record<
  string,
  { Type: string; Condition?: string; Properties: Json }
>;
const props = (id: string) => resources[id]!.Properties;
const work = mkdtempSync(join(tmpdir(), 'console-deploy-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('template: a private bucket only the distribution reads, over TLS', () => {
  assert.equal(resources.ConsoleBucket!.Type, 'AWS::S3::Bucket');
  assert.deepEqual(props('ConsoleBucket').PublicAccessBlockConfiguration, {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  });
  const statements = (props('ConsoleBucketPolicy').PolicyDocument as { Statement: Json[] }).Statement;
  const read = statements.find((s) => s.Effect === 'Allow')!;
  assert.deepEqual(read.Principal, { Service: 'cloudfront.amazonaws.com' });
  assert.equal(read.Action, 's3:GetObject');
  assert.match(JSON.stringify(read.Condition), /AWS:SourceArn.*distribution\/\$\{ConsoleDistribution\}/);
  const deny = statements.find((s) => s.Effect === 'Deny')!;
  assert.deepEqual(deny.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
  const oac = props('ConsoleOriginAccessControl').OriginAccessControlConfig as Json;
  assert.equal(oac.SigningBehavior, 'always');
  assert.equal(oac.OriginAccessControlOriginType, 's3');
});

test('template: CloudFront serves the console over HTTPS with security headers, the API uncached', () => {
  const config = props('ConsoleDistribution').DistributionConfig as Json;
  const origins = config.Origins as Json[];
  const s3 = origins.find((o) => o.Id === 'console')!;
  assert.deepEqual(s3.OriginAccessControlId, { 'Fn::GetAtt': ['ConsoleOriginAccessControl', 'Id'] });
  const def = config.DefaultCacheBehavior as Json;
  assert.equal(def.TargetOriginId, 'console');
  assert.equal(def.ViewerProtocolPolicy, 'redirect-to-https');
  assert.deepEqual(def.ResponseHeadersPolicyId, { Ref: 'ConsoleSecurityHeaders' });
  const api = origins.find((o) => o.Id === 'api')!;
  assert.equal((api.CustomOriginConfig as Json).OriginProtocolPolicy, 'https-only');
  const behaviors = config.CacheBehaviors as Json[];
  const paths = behaviors.map((b) => b.PathPattern);
  for (const p of ['/health', '/workout-types', '/users*', '/workouts*', '/stats*', '/changes*', '/docs*'])
    assert.ok(paths.includes(p), p);
  for (const b of behaviors) {
    assert.equal(b.TargetOriginId, 'api');
    assert.equal(b.ViewerProtocolPolicy, 'https-only');
    assert.equal(b.CachePolicyId, '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', 'CachingDisabled');
  }
  const headers = (props('ConsoleSecurityHeaders').ResponseHeadersPolicyConfig as Json)
    .SecurityHeadersConfig as Json;
  for (const h of [
    'ContentSecurityPolicy',
    'ContentTypeOptions',
    'FrameOptions',
    'ReferrerPolicy',
    'StrictTransportSecurity',
  ])
    assert.ok(headers[h], h);
  assert.match(JSON.stringify(headers.ContentSecurityPolicy), /script-src 'self';/);
});

test('template: a PKCE app client (code grant, no secret) redirecting only to the console', () => {
  const client = props('ConsoleUserPoolClient');
  assert.equal(client.GenerateSecret, false);
  assert.deepEqual(client.AllowedOAuthFlows, ['code']);
  assert.equal(client.AllowedOAuthFlowsUserPoolClient, true);
  assert.deepEqual(client.CallbackURLs, [{ 'Fn::Sub': 'https://${ConsoleDistribution.DomainName}/' }]);
  assert.equal(resources.ConsoleUserPoolDomain!.Condition, 'CreateUserPool');
});

const OUTPUTS: StackOutput[] = [
  { OutputKey: 'ApiUrl', OutputValue: 'https://abc.execute-api.eu-west-1.amazonaws.com/dev' },
  { OutputKey: 'ConsoleUrl', OutputValue: 'https://d111.cloudfront.net/' },
  { OutputKey: 'ConsoleBucketName', OutputValue: 'stack-consolebucket-1' },
  { OutputKey: 'ConsoleDistributionId', OutputValue: 'E123' },
  { OutputKey: 'ConsoleUserPoolClientId', OutputValue: 'client123' },
  { OutputKey: 'ConsoleCognitoDomain', OutputValue: 'workout-dev-1.auth.eu-west-1.amazoncognito.com' },
];

test('deploy: config.json names the hosted UI when the stack made one, else token sign-in', () => {
  assert.deepEqual(consoleConfig(OUTPUTS), {
    mode: 'cognito',
    apiUrl: '',
    cognito: {
      domain: 'workout-dev-1.auth.eu-west-1.amazoncognito.com',
      clientId: 'client123',
      scopes: ['openid', 'email', 'profile'],
    },
  });
  const noDomain = OUTPUTS.filter((o) => o.OutputKey !== 'ConsoleCognitoDomain');
  assert.deepEqual(consoleConfig(noDomain), { mode: 'token', apiUrl: '' });
});

test('deploy: builds, uploads hashed assets before index.html, and invalidates', async () => {
  const calls: string[][] = [];
  const outDir = join(work, 'console');
  const url = await publishConsole(OUTPUTS, ['--region', 'eu-west-1'], {
    run: (args) => void calls.push(args),
    log: () => {},
    outDir,
  });
  assert.equal(url, 'https://d111.cloudfront.net/');
  assert.deepEqual(
    calls.map((c) => c.slice(0, 2).join(' ')),
    ['s3 sync', 's3 cp', 's3 cp', 'cloudfront create-invalidation'],
  );
  assert.equal(calls[0]![3], 's3://stack-consolebucket-1/assets');
  assert.match(calls[0]!.join(' '), /immutable/);
  assert.equal(calls[2]![3], 's3://stack-consolebucket-1/index.html');
  assert.ok(calls.every((c) => c.includes('--region')));
  assert.equal(JSON.parse(readFileSync(join(outDir, 'config.json'), 'utf8')).mode, 'cognito');
  assert.ok(existsSync(join(outDir, 'index.html')));
});

test('deploy: a stack without a console uploads nothing', async () => {
  const calls: string[][] = [];
  const url = await publishConsole(OUTPUTS.slice(0, 1), [], {
    run: (a) => void calls.push(a),
    log: () => {},
  });
  assert.equal(url, undefined);
  assert.deepEqual(calls, []);
});

test('Lambda: the console and its token route are not part of the function', () => {
  const lambda = readFileSync(join(import.meta.dirname, '..', 'src', 'runtime', 'lambda.ts'), 'utf8');
  assert.doesNotMatch(lambda, /console\.ts|local-service|local-jwt/);
});

test('local: the token route exists only on loopback and refuses other hosts, origins and forms', async () => {
  assert.ok(isLoopback('127.0.0.1') && isLoopback('localhost') && isLoopback('::1'));
  assert.ok(!isLoopback('0.0.0.0') && !isLoopback('192.168.1.2'));
  const key = signingKey(work);
  const api = { fetch: () => new Response('api', { status: 401 }) };
  const post = (
    app: ReturnType<typeof withConsole>,
    headers: Record<string, string>,
    body = '{"userId":"ana"}',
  ) =>
    app.request('/local/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  const local = withConsole(api, { host: '127.0.0.1', signingKey: key, build: false, dir: work });
  const ok = await post(local, { host: 'localhost:3000', origin: 'http://localhost:3000' });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('cache-control'), 'no-store');
  assert.match(((await ok.json()) as { token: string }).token, /^ey/);
  assert.equal((await post(local, { host: 'evil.example:3000' })).status, 403, 'DNS rebinding');
  assert.equal((await post(local, { host: 'localhost:3000', origin: 'https://evil.example' })).status, 403);
  assert.equal((await post(local, { host: 'localhost:3000', 'content-type': 'text/plain' })).status, 415);
  assert.equal((await post(local, { host: 'localhost:3000' }, '{"userId":"me"}')).status, 400);

  // Static files: nothing outside the build directory, and a malformed escape is a 404, not a 500.
  for (const path of [
    '/assets/%zz',
    '/assets/..%2f..%2fpackage.json',
    '/assets/%252e%252e%252fpackage.json',
  ]) {
    assert.equal((await local.request(path)).status, 404, path);
  }

  // Bound to every interface: no token route (the request goes to the API, which wants a token).
  const open = withConsole(api, { host: '0.0.0.0', signingKey: key, build: false, dir: work });
  const res = await post(open, { host: 'localhost:3000' });
  assert.equal(res.status, 401);
  assert.equal(await res.text(), 'api');
  assert.deepEqual(await (await open.request('/config.json')).json(), { mode: 'token' });
});
