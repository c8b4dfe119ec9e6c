/**
 * template.yaml, checked without AWS:
 * - loaded with AWS's own resource model, aws-cdk-lib's cloudformation-include, and validated by
 *   aws-cdk-lib's built-in "CloudFormation Validate" plugin (resource provider schemas: unknown
 *   types and properties, wrong types, missing required properties) with the feature flag that
 *   makes its findings errors. CfnInclude alone does not reject an unknown property (it keeps it
 *   as a raw override) or type (it falls back to a generic CfnResource): the plugin does, which
 *   the negative test below proves;
 * - cdk-nag's AwsSolutions pack: every finding is suppressed in the template, on the resource,
 *   in Metadata `cdk_nag.rules_to_suppress` with a written reason, and every suppression there
 *   still matches a finding;
 * - the points the deployment depends on (runtime, authorizer, logs, alarms, IAM, scaling, SSM),
 *   and that the table DynamoDB Local creates from the template is the template's table.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stringify } from 'yaml';
import { createApp } from '../src/http/app.ts';
import type { AppDeps } from '../src/http/env.ts';
import { configFromParameters, DEFAULT_CONFIG } from '../src/domain/config.ts';
import { PARAMETER_NAMES } from '../src/config/ssm.ts';
import { createMetrics, metricsService, NAMESPACE } from '../src/observability/metrics.ts';
import { DEFAULT_RUNTIME, RUNTIME_PARAMETER_NAMES, runtimeSettings } from '../src/config/runtime.ts';
import { createDb } from '../src/store/dynamodb.ts';
import { handler, isContentTypeBinary } from '../src/runtime/lambda.ts';
import { lambdaContext, proxyEvent } from './apigw.ts';
import { INDEX_BY_STARTED_AT } from '../src/store/keys.ts';
import { ensureTable, loadTemplate, tableDefinition, TEMPLATE_PATH } from '../src/store/table.ts';
import { dynamoEndpoint } from './helpers.ts';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  Metadata?: { cdk_nag?: { rules_to_suppress?: Suppression[] } };
  Properties: Json;
}
interface Suppression {
  id: string;
  reason: string;
  applies_to?: string[];
}

const template = loadTemplate();
const resources = template.Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const props = (id: string): Json => resources[id]!.Properties;
/** The one resource of a type: [logical id, resource]. */
function only(type: string): [string, Resource] {
  const found = ofType(type);
  assert.equal(found.length, 1, `exactly one ${type}`);
  return found[0]!;
}

const work = mkdtempSync(join(tmpdir(), 'workout-template-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** What `aws cloudformation package` sends to CloudFormation: the local code path becomes S3. */
function packagedTemplateText(text = readFileSync(TEMPLATE_PATH, 'utf8')): string {
  assert.match(text, /^ {6}Code: dist\/api\.zip$/m);
  return text.replace(/^( {6})Code: dist\/api\.zip$/m, '$1Code: { S3Bucket: deploy-bucket, S3Key: api.zip }');
}

interface Violation {
  ruleName: string;
  severity: string;
  description: string;
  violatingConstructs: { constructPath: string }[];
}
interface Synthesis {
  include: CfnInclude;
  error?: Error;
  reports: { pluginName: string; violations: Violation[] }[];
}

/** Includes a template in a stack and synthesizes it, with the given validation plugins. */
function synthesize(templateText: string, name: string, nag = false): Synthesis {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, templateText);
  const outdir = join(work, `${name}.out`);
  const app = new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  const include = new CfnInclude(new Stack(app, 'WorkoutApp'), 'Template', { templateFile: file });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let error: Error | undefined;
  // Synthesis prints its validation report; the test reads the JSON copy instead.
  const print = { log: console.log, error: console.error, warn: console.warn };
  console.log = console.error = console.warn = () => {};
  try {
    app.synth();
  } catch (err) {
    error = err as Error;
  } finally {
    Object.assign(console, print);
  }
  let reports: Synthesis['reports'] = [];
  try {
    reports = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')).pluginReports;
  } catch {
    // no report: nothing was found
  }
  return { include, error, reports };
}

let main: Synthesis | undefined;
/** The real template, packaged, through CloudFormation validation and cdk-nag (one synthesis). */
const mainSynthesis = () => (main ??= synthesize(packagedTemplateText(), 'main', true));
const violations = (s: Synthesis, plugin: string) =>
  s.reports.filter((r) => r.pluginName === plugin).flatMap((r) => r.violations);
const describe = (vs: Violation[]) =>
  vs.map(
    (v) =>
      `${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath)}: ${v.description}`,
  );

test('the template loads with the AWS resource model and passes CloudFormation validation', () => {
  const s = mainSynthesis();
  // Every resource maps to its typed L1 class (an unknown type would be a bare CfnResource).
  for (const id of Object.keys(resources)) {
    const l1 = s.include.getResource(id);
    assert.notEqual(l1.constructor, CfnResource, `${id}: ${resources[id]!.Type} is not a known type`);
    assert.equal(l1.cfnResourceType, resources[id]!.Type);
  }
  const found = violations(s, 'CloudFormation Validate');
  assert.deepEqual(describe(found), [], 'CloudFormation validation findings (errors and warnings)');
});

test('an unknown resource type or property is rejected', () => {
  const tables = parseYaml(packagedTemplateText());
  (tables.Resources as Record<string, Resource>).WorkoutTable!.Properties.BillingModee = 'PAY_PER_REQUEST';
  const unknownProperty = synthesize(stringify(tables), 'unknown-property');
  assert.ok(unknownProperty.error, 'synthesis must fail');
  assert.ok(
    violations(unknownProperty, 'CloudFormation Validate').some(
      (v) => v.severity === 'error' && /BillingModee/.test(v.description),
    ),
    describe(violations(unknownProperty, 'CloudFormation Validate')).join('\n'),
  );

  const types = parseYaml(packagedTemplateText());
  (types.Resources as Record<string, Resource>).ApiFunction!.Type = 'AWS::Lambda::Functon';
  const unknownType = synthesize(stringify(types), 'unknown-type');
  assert.ok(unknownType.error, 'synthesis must fail');
  assert.equal(unknownType.include.getResource('ApiFunction').constructor, CfnResource);
  assert.ok(
    violations(unknownType, 'CloudFormation Validate').some(
      (v) => v.severity === 'error' && /Unknown resource type 'AWS::Lambda::Functon'/.test(v.description),
    ),
  );
});

/** The template as plain data, intrinsic functions in their long form (`{ Ref: X }`). */
function parseYaml(text: string): Json {
  const file = join(work, 'parse.yaml');
  writeFileSync(file, text);
  return loadTemplate(file);
}

test('cdk-nag AwsSolutions: every finding is suppressed with a reason in the template, and only those', () => {
  // cdk-nag 3 takes acknowledgements from Validations.of(construct).acknowledge() and reports
  // everything else; it no longer reads the template's `cdk_nag` metadata (it writes that same
  // block only as an audit trail). So the findings are compared with the template's own list:
  // both ways, so that a suppression that no longer matches anything fails too.
  const s = mainSynthesis();
  const found = violations(s, 'AwsSolutions');
  assert.ok(found.length > 0, 'cdk-nag reported nothing: did the pack run?');
  const findings = new Set(
    found.flatMap((v) =>
      v.violatingConstructs.map((c) => `${c.constructPath.split('/').pop()} ${v.ruleName}`),
    ),
  );
  const suppressed = new Set<string>();
  for (const [id, r] of Object.entries(resources)) {
    for (const rule of r.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
      assert.match(rule.id, /^AwsSolutions-[A-Z]+\d+$/);
      assert.ok(rule.reason.trim().length >= 60, `${id} ${rule.id}: write a real reason`);
      for (const finding of rule.applies_to ?? [undefined]) {
        suppressed.add(`${id} ${rule.id}${finding ? `[${finding}]` : ''}`);
      }
    }
  }
  const unsuppressed = [...findings].filter((f) => !suppressed.has(f));
  const unused = [...suppressed].filter((f) => !findings.has(f));
  assert.deepEqual(unsuppressed, [], `unsuppressed findings:\n${describe(found).join('\n')}`);
  assert.deepEqual(unused, [], 'suppressions that match no finding');
});

test('Lambda: Node.js 22 or newer on arm64, packaged code, X-Ray, its own log group, the stage config', () => {
  const [, fn] = only('AWS::Lambda::Function');
  const p = fn.Properties;
  const version = /^nodejs(\d+)\.x$/.exec(String(p.Runtime));
  assert.ok(version && Number(version[1]) >= 22, `runtime ${p.Runtime}`);
  assert.deepEqual(p.Architectures, ['arm64']);
  assert.equal(p.Handler, 'index.handler');
  assert.equal(p.Code, 'dist/api.zip', 'code from the build, uploaded by `aws cloudformation package`');
  assert.deepEqual(p.TracingConfig, { Mode: 'Active' });
  assert.ok(Number(p.MemorySize) >= 128 && Number(p.Timeout) <= 29, 'an explained memory size and timeout');
  const logGroup = (p.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
  assert.equal(resources[logGroup]!.Type, 'AWS::Logs::LogGroup');
  assert.deepEqual(props(logGroup).RetentionInDays, { Ref: 'LogRetentionDays' });
  const env = (p.Environment as { Variables: Json }).Variables;
  assert.deepEqual(env.TABLE_NAME, { Ref: 'WorkoutTable' });
  assert.equal(env.CONFIG_SOURCE, 'ssm');
  assert.deepEqual(env.CONFIG_PREFIX, { 'Fn::Sub': '/workout-app/${EnvironmentSuffix}/' });
  assert.equal(env.DYNAMODB_ENDPOINT, undefined);
});

/** Every method of the REST API as `METHOD /path/{param}`, with its authorization. */
function apiMethods(): Map<string, Json> {
  const pathOf = (ref: unknown): string => {
    if (ref && typeof ref === 'object' && 'Fn::GetAtt' in ref) return '';
    const id = (ref as { Ref: string }).Ref;
    const r = props(id) as Json;
    return `${pathOf(r.ParentId)}/${r.PathPart}`;
  };
  const methods = new Map<string, Json>();
  for (const [, m] of ofType('AWS::ApiGateway::Method')) {
    const p = m.Properties as Json;
    methods.set(`${p.HttpMethod} ${pathOf(p.ResourceId)}`, p);
  }
  return methods;
}

test("API: the app's routes exactly, Cognito on every route the app requires a token for", async () => {
  // The app itself says which routes exist and which answer 401 without credentials.
  const app = createApp({
    store: {},
    config: async () => DEFAULT_CONFIG,
    authenticate: async () => null,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    metrics: {},
  } as unknown as AppDeps);
  const routes = app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({
      key: `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`,
      method: r.method,
      path: r.path,
    }));
  const methods = apiMethods();
  const preflights = [...methods.keys()].filter((k) => k.startsWith('OPTIONS '));
  assert.deepEqual(
    [...methods.keys()].filter((k) => !k.startsWith('OPTIONS ')).sort(),
    routes.map((r) => r.key).sort(),
  );
  // A CORS preflight on every path that has a method: no authorizer (browsers send none), passed
  // to the function, which answers it (its CORS handling: test/smoke.test.ts, the CORS check).
  const paths = new Set(routes.map((r) => r.key.split(' ')[1]));
  assert.deepEqual(preflights.map((k) => k.split(' ')[1]).sort(), [...paths].sort());
  for (const key of preflights) {
    const m = methods.get(key)!;
    assert.equal(m.AuthorizationType, 'NONE', key);
    assert.equal(m.AuthorizerId, undefined, key);
    assert.equal((m.Integration as Json).Type, 'AWS_PROXY', key);
  }

  const authorizers = ofType('AWS::ApiGateway::Authorizer');
  assert.equal(authorizers.length, 1);
  const [authorizerId, authorizer] = authorizers[0]!;
  assert.equal(authorizer.Properties.Type, 'COGNITO_USER_POOLS');
  assert.equal(authorizer.Properties.IdentitySource, 'method.request.header.Authorization');

  for (const route of routes) {
    const res = await app.request(route.path.replace(/:\w+/g, 'ana'), { method: route.method });
    const needsToken = res.status === 401;
    const m = methods.get(route.key)!;
    if (needsToken) {
      assert.equal(m.AuthorizationType, 'COGNITO_USER_POOLS', route.key);
      assert.deepEqual(m.AuthorizerId, { Ref: authorizerId }, route.key);
    } else {
      assert.equal(m.AuthorizationType, 'NONE', route.key);
      assert.match(route.key, /^GET \/(health|openapi\.json|docs|workout-types)$/);
    }
    // Path parameters are declared required, under the names the code reads.
    for (const [, name] of route.key.matchAll(/\{(\w+)\}/g)) {
      assert.equal((m.RequestParameters as Json)?.[`method.request.path.${name}`], true, route.key);
    }
    assert.ok(m.RequestValidatorId, `${route.key}: request validation`);
    assert.equal((m.Integration as Json).Type, 'AWS_PROXY');
    if (route.method === 'POST' || route.method === 'PATCH') {
      assert.ok((m.RequestModels as Json)?.['application/json'], `${route.key}: body model`);
    }
  }
});

test('the API deployment waits for every method, CORS preflight and gateway response (D1)', () => {
  // A deployment snapshots the API when it is created: a method or gateway response created
  // after it is not served (AWS's default {"message":"Unauthorized"} instead of problem+json)
  // until the next deployment.
  const [, deployment] = only('AWS::ApiGateway::Deployment');
  const ids = [...ofType('AWS::ApiGateway::Method'), ...ofType('AWS::ApiGateway::GatewayResponse')].map(
    ([id]) => id,
  );
  assert.ok(ids.some((id) => /Options/.test(id)) && ids.some((id) => /Response$/.test(id)));
  assert.deepEqual([...(deployment.DependsOn as string[])].sort(), ids.sort());
});

test('no binary media types: the function answers every content type as text', async () => {
  // API Gateway returns a base64 body as it is unless its type is a binary media type; the
  // export (application/x-ndjson) would reach clients as base64, and grow past 6 MB.
  assert.equal(props('RestApi').BinaryMediaTypes, undefined);
  for (const type of [
    'application/json',
    'application/problem+json',
    'application/x-ndjson',
    'text/html; charset=utf-8',
    'text/plain',
  ]) {
    assert.equal(isContentTypeBinary(type), false, type);
  }
  assert.equal(isContentTypeBinary('image/png'), true);
  // The function itself, on an API Gateway event for the export: text, not base64.
  const endpoint = await dynamoEndpoint();
  const name = `binary-${Date.now().toString(36)}`;
  await ensureTable(await createDb({ endpoint }), name);
  Object.assign(process.env, { DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: name, LOG_LEVEL: 'silent' });
  const event = proxyEvent({
    resource: '/users/{userId}/export',
    path: '/users/ana/export',
    method: 'GET',
    sub: 'ana',
  });
  const res = (await handler(event as never, lambdaContext as never)) as unknown as {
    statusCode: number;
    isBase64Encoded?: boolean;
    body: string;
  };
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.isBase64Encoded, false);
  assert.deepEqual(JSON.parse(res.body.split('\n')[0]!), { profile: null });
});

test('API stage: tracing, throttling, JSON access logs without bodies, no data trace', () => {
  const p = only('AWS::ApiGateway::Stage')[1].Properties;
  assert.equal(p.TracingEnabled, true);
  const settings = p.MethodSettings as Json[];
  assert.ok(settings.length > 0);
  for (const s of settings) {
    assert.equal(s.DataTraceEnabled, false);
    assert.ok(s.ThrottlingRateLimit && s.ThrottlingBurstLimit);
    assert.notEqual(s.LoggingLevel, 'INFO', 'INFO execution logs would include more of each request');
  }
  const log = p.AccessLogSetting as { Format: string; DestinationArn: Json };
  const format = JSON.parse(log.Format.replace(/\$context\.error\.messageString/g, '"x"')) as Json;
  assert.ok(format.requestId && format.status && format.resourcePath);
  assert.doesNotMatch(log.Format, /\$input|body|\$context\.path|requestOverride|responseOverride/i);
  assert.doesNotMatch(JSON.stringify(template), /DataTraceEnabled":true/);
  // D6: the log group's ARN as API Gateway stores it, without GetAtt's trailing `:*` (which drift
  // detection reports on every run).
  assert.equal(log.DestinationArn['Fn::GetAtt'], undefined, 'GetAtt LogGroup.Arn ends in :*');
  const arn = String(log.DestinationArn['Fn::Sub']);
  assert.equal(
    arn,
    'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${ApiAccessLogGroup}',
  );
  assert.equal(resources.ApiAccessLogGroup!.Type, 'AWS::Logs::LogGroup');
  // D7: the billed per-method metrics are a parameter (the cost table counts them).
  for (const s of settings) {
    assert.deepEqual(s.MetricsEnabled, { 'Fn::If': ['DetailedMetricsOn', true, false] });
  }
  assert.deepEqual((template.Conditions as Json).DetailedMetricsOn, {
    'Fn::Equals': [{ Ref: 'DetailedApiMetrics' }, 'true'],
  });
});

test('the cost table counts the per-method API metrics of this template (D7)', () => {
  const methods = ofType('AWS::ApiGateway::Method').length;
  const ops = readFileSync(join(import.meta.dirname, '..', 'docs', 'operations.md'), 'utf8');
  const row = ops.split('\n').find((l) => l.startsWith('|') && /per-method API metrics/.test(l));
  assert.ok(row, 'docs/operations.md: a cost row for the per-method API metrics');
  assert.match(row, new RegExp(`\\b${methods} methods × 5 = ${methods * 5}\\b`));
  assert.match(row, new RegExp(`\\$${Math.round(methods * 5 * 0.3)}\\b`));
});

/** The `service` dimension of a stage's business metrics, as template.yaml writes it. */
const STAGE_SERVICE = 'workout-api-${EnvironmentSuffix}';

/** The problem codes of the contract (COORDINATION.md, "Problem codes"). */
const PROBLEM_CODES = [
  'malformed_body',
  'invalid_fields',
  'unauthenticated',
  'forbidden',
  'route_not_found',
  'user_not_found',
  'workout_not_found',
  'user_exists',
  'workout_conflict',
  'since_expired',
  'precondition_failed',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'database_unavailable',
  'internal_error',
];

test('gateway responses are problem+json for the errors API Gateway answers itself', () => {
  const responses = new Map(
    ofType('AWS::ApiGateway::GatewayResponse').map(([, r]) => [r.Properties.ResponseType, r]),
  );
  for (const type of [
    'DEFAULT_4XX',
    'DEFAULT_5XX',
    'UNAUTHORIZED',
    'ACCESS_DENIED',
    'BAD_REQUEST_BODY',
    'THROTTLED',
  ]) {
    assert.ok(responses.has(type), type);
  }
  assert.equal(responses.get('MISSING_AUTHENTICATION_TOKEN')?.Properties.StatusCode, '404');
  for (const [type, r] of responses) {
    const p = r.Properties as Json;
    assert.equal(
      (p.ResponseParameters as Json)['gatewayresponse.header.Content-Type'],
      "'application/problem+json'",
    );
    const body = JSON.parse(
      String((p.ResponseTemplates as Json)['application/json'])
        .replace(/\$context\.error\.messageString/g, '"message"')
        .replace(/\$context\.\w+/g, 'x'),
    ) as Json;
    assert.equal(body.type, 'about:blank', String(type));
    assert.ok(body.title && body.detail, String(type));
    if (p.StatusCode) assert.equal(String(body.status), p.StatusCode, String(type));
    // The same machine-readable codes as the function's problems (COORDINATION.md / API.md).
    assert.ok(PROBLEM_CODES.includes(String(body.code)), `${type}: code ${body.code}`);
    if (body.errors) assert.equal(body.code, 'invalid_fields', String(type));
    const headers = p.ResponseParameters as Json;
    assert.equal(headers['gatewayresponse.header.X-Content-Type-Options'], "'nosniff'", String(type));
    // CORS: readable by a browser client only when the stack allows origins at all.
    for (const h of ['Access-Control-Allow-Origin', 'Access-Control-Expose-Headers']) {
      const v = headers[`gatewayresponse.header.${h}`] as { 'Fn::If': unknown[] };
      assert.deepEqual(v?.['Fn::If']?.[0], 'HasCorsOrigins', `${type} ${h}`);
      assert.deepEqual(v['Fn::If'][2], { Ref: 'AWS::NoValue' }, `${type} ${h}`);
    }
  }
  const code = (type: string) =>
    JSON.parse(
      String((responses.get(type)!.Properties.ResponseTemplates as Json)['application/json'])
        .replace(/\$context\.error\.messageString/g, '"m"')
        .replace(/\$context\.\w+/g, 'x'),
    ).code;
  assert.equal(code('UNAUTHORIZED'), 'unauthenticated');
  assert.equal(code('ACCESS_DENIED'), 'forbidden');
  assert.equal(code('MISSING_AUTHENTICATION_TOKEN'), 'route_not_found');
  assert.equal(code('BAD_REQUEST_BODY'), 'malformed_body');
  assert.equal(code('THROTTLED'), 'rate_limited');
  assert.equal(code('REQUEST_TOO_LARGE'), 'payload_too_large');
  assert.equal(code('UNSUPPORTED_MEDIA_TYPE'), 'unsupported_media_type');
  assert.deepEqual((template.Conditions as Json).HasCorsOrigins, {
    'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CorsOrigins' }, ''] }],
  });
  // D9: an overridden status code is counted as a 4XXError, so the timeout (504) and the
  // default 5XX keep API Gateway's own status, and the api-5xx-rate alarm sees them.
  for (const type of ['INTEGRATION_TIMEOUT', 'DEFAULT_5XX']) {
    assert.ok(responses.has(type), type);
    assert.equal(responses.get(type)!.Properties.StatusCode, undefined, `${type} keeps its 5XX status`);
  }
  for (const type of ['THROTTLED', 'QUOTA_EXCEEDED']) {
    assert.equal(
      (responses.get(type)!.Properties.ResponseParameters as Json)['gatewayresponse.header.Retry-After'] !==
        undefined,
      true,
      `${type}: Retry-After`,
    );
  }
  assert.match(
    String(
      (responses.get('UNAUTHORIZED')!.Properties.ResponseParameters as Json)[
        'gatewayresponse.header.WWW-Authenticate'
      ],
    ),
    /^'Bearer/,
  );
});

test('alarms: each required one exists on the right metric and notifies the SNS topic', () => {
  const [topicId] = only('AWS::SNS::Topic');
  const alarms = ofType('AWS::CloudWatch::Alarm').map(([id, a]) => ({ id, p: a.Properties as Json }));
  const metricsOf = (p: Json) =>
    p.Metrics
      ? (p.Metrics as { MetricStat?: { Metric: Json } }[]).flatMap((m) =>
          m.MetricStat ? [m.MetricStat.Metric] : [],
        )
      : [{ Namespace: p.Namespace, MetricName: p.MetricName, Dimensions: p.Dimensions }];
  const find = (namespace: string, metric: string, check: (p: Json) => boolean = () => true) => {
    const hit = alarms.find(
      (a) => metricsOf(a.p).some((m) => m.Namespace === namespace && m.MetricName === metric) && check(a.p),
    );
    assert.ok(hit, `an alarm on ${namespace} ${metric}`);
    assert.deepEqual(hit.p.AlarmActions, [{ Ref: topicId }], `${hit.id} notifies the topic`);
    return hit;
  };
  find('AWS/Lambda', 'Errors');
  find('AWS/Lambda', 'Throttles');
  find('AWS/Lambda', 'Duration', (p) => p.ExtendedStatistic === 'p99');
  const rate = find('AWS/ApiGateway', '5XXError');
  assert.ok(
    metricsOf(rate.p).some((m) => m.MetricName === 'Count'),
    '5XX as a rate of requests',
  );
  find('AWS/ApiGateway', 'Latency', (p) => p.ExtendedStatistic === 'p99');
  // DynamoDB throttling on this table, per operation the code makes; not the account-wide UserErrors.
  const throttles = find('AWS/DynamoDB', 'ThrottledRequests');
  const operations = metricsOf(throttles.p).map((m) => {
    const dims = m.Dimensions as { Name: string; Value: unknown }[];
    assert.deepEqual(dims.find((d) => d.Name === 'TableName')?.Value, { Ref: 'WorkoutTable' });
    return dims.find((d) => d.Name === 'Operation')?.Value;
  });
  assert.deepEqual(operations.filter((o) => o !== undefined).sort(), [
    'BatchWriteItem',
    'GetItem',
    'Query',
    'TransactWriteItems',
    'UpdateItem',
  ]);
  // D5: ThrottledRequests counts a batch only when all of it was throttled; the table's throttle
  // events count partial throttling too. Both are in the alarm's expression.
  const byName = new Map(
    (throttles.p.Metrics as { Id: string; MetricStat?: { Metric: Json } }[]).map((m) => [m.Id, m]),
  );
  const expression = String(
    (throttles.p.Metrics as { Expression?: string; ReturnData?: boolean }[]).find((m) => m.ReturnData)
      ?.Expression,
  );
  for (const metric of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
    const entry = [...byName.values()].find((m) => m.MetricStat?.Metric.MetricName === metric);
    assert.ok(entry, `${metric} in ${throttles.id}`);
    assert.deepEqual(entry.MetricStat!.Metric.Dimensions, [
      { Name: 'TableName', Value: { Ref: 'WorkoutTable' } },
    ]);
    assert.match(expression, new RegExp(`\\b${entry.Id}\\b`), `${metric} counted by the expression`);
  }
  for (const id of byName.keys()) {
    if (byName.get(id)!.MetricStat) assert.match(expression, new RegExp(`\\b${id}\\b`), id);
  }
  assert.doesNotMatch(JSON.stringify(alarms), /UserErrors/);
  // The business alarm: no WorkoutsLogged (dimension service) for NoWorkoutsAlarmHours hours.
  const none = find(NAMESPACE, 'WorkoutsLogged');
  // D2: the stage's own series: the function's METRICS_SERVICE, which metrics.ts writes as the
  // `service` dimension.
  assert.deepEqual(none.p.Dimensions, [{ Name: 'service', Value: { 'Fn::Sub': STAGE_SERVICE } }]);
  assert.deepEqual(none.p.EvaluationPeriods, { Ref: 'NoWorkoutsAlarmHours' });
  assert.equal(none.p.Period, 3600);
  assert.equal(none.p.TreatMissingData, 'breaching');
  assert.equal(none.p.ComparisonOperator, 'LessThanThreshold');
  // The optional e-mail subscription.
  const [, sub] = only('AWS::SNS::Subscription');
  assert.equal(sub.Condition, 'HasAlarmEmail');
  assert.deepEqual(sub.Properties.Endpoint, { Ref: 'AlarmEmail' });
});

test("the alarm topic accepts only this stage's alarms (D13)", () => {
  const [, policy] = only('AWS::SNS::TopicPolicy');
  const statements = (policy.Properties.PolicyDocument as { Statement: Json[] }).Statement;
  const allow = statements.find(
    (st) => st.Effect === 'Allow' && (st.Principal as Json)?.Service === 'cloudwatch.amazonaws.com',
  );
  assert.ok(allow);
  const prefix = 'workout-api-${EnvironmentSuffix}-';
  assert.deepEqual(allow.Condition, {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: {
      'aws:SourceArn': {
        'Fn::Sub': `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${prefix}*`,
      },
    },
  });
  // ... and every alarm of the stack is named under that prefix, so none is locked out.
  for (const [id, alarm] of ofType('AWS::CloudWatch::Alarm')) {
    const name = (alarm.Properties.AlarmName as { 'Fn::Sub': string })['Fn::Sub'];
    assert.ok(name.startsWith(prefix), `${id}: ${name}`);
  }
});

test('business metrics: one series per stage, from METRICS_SERVICE (D2)', () => {
  const env = (props('ApiFunction').Environment as { Variables: Json }).Variables;
  assert.deepEqual(env.METRICS_SERVICE, { 'Fn::Sub': STAGE_SERVICE });
  // metrics.ts writes that variable as the `service` dimension of every metric.
  const lines: string[] = [];
  const metrics = createMetrics(
    (l) => lines.push(l),
    metricsService({ METRICS_SERVICE: 'workout-api-prod' }),
  );
  metrics.duplicateReplayed();
  const emf = JSON.parse(lines[0]!) as { service: string; _aws: { CloudWatchMetrics: Json[] } };
  assert.equal(emf.service, 'workout-api-prod');
  assert.deepEqual(emf._aws.CloudWatchMetrics[0]!.Dimensions, [['service']]);
  assert.equal(metricsService({}), 'workout-api');
  // The dashboard reads the stage's series only: every WorkoutApp metric and SEARCH names it.
  const [, dash] = only('AWS::CloudWatch::Dashboard');
  const body = (dash.Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
  const services = [...body.matchAll(/"service", "([^"]+)"|service=\\"([^"\\]+)\\"/g)].map(
    (m) => m[1] ?? m[2],
  );
  assert.ok(services.length >= 4, `service references on the dashboard: ${services.length}`);
  for (const s of services) assert.equal(s, STAGE_SERVICE);
});

test('dashboard: valid JSON showing API, Lambda, DynamoDB and the business metrics', () => {
  const [, dash] = only('AWS::CloudWatch::Dashboard');
  const body = (dash.Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
  const parsed = JSON.parse(body.replace(/\$\{[\w:.]+\}/g, 'x')) as { widgets: Json[] };
  assert.ok(parsed.widgets.length >= 8);
  for (const needle of [
    'AWS/ApiGateway',
    'AWS/Lambda',
    'AWS/DynamoDB',
    'WorkoutsLogged',
    'workoutType',
    'CaloriesBurned',
    'DuplicatesReplayed',
    'ValidationFailures',
  ]) {
    assert.ok(body.includes(needle), needle);
  }
  assert.ok(body.includes(`"${NAMESPACE}"`));
});

test('IAM: listed actions only, no Scan, every resource scoped', () => {
  const statements = ofType('AWS::IAM::Role').flatMap(([id, role]) =>
    ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Json[] } }[]).flatMap((p) =>
      p.PolicyDocument.Statement.map((s) => ({
        id,
        s: 'Fn::If' in s ? ((s['Fn::If'] as Json[])[1] as Json) : s,
      })),
    ),
  );
  assert.ok(statements.length >= 4);
  const actions = statements.flatMap(({ s }) => [s.Action].flat() as string[]);
  for (const a of actions) {
    assert.doesNotMatch(a, /\*/, `wildcard action ${a}`);
  }
  assert.ok(
    !actions.some((a) => /^dynamodb:(Scan|CreateTable|DeleteTable|DescribeTable|UpdateTable)$/.test(a)),
  );
  for (const { s } of statements) {
    const list = [s.Resource].flat();
    if (list.includes('*')) {
      // Only X-Ray, which has no resource-level permissions.
      assert.ok(
        [s.Action].flat().every((a) => String(a).startsWith('xray:')),
        JSON.stringify(s),
      );
    }
  }
  const dynamo = statements.filter(({ s }) =>
    [s.Action].flat().some((a) => String(a).startsWith('dynamodb:')),
  );
  const dynamoResources = JSON.stringify(dynamo.map(({ s }) => s.Resource));
  assert.ok(dynamoResources.includes('WorkoutTable'));
  assert.ok(dynamoResources.includes(`/index/${INDEX_BY_STARTED_AT}`));
  // GetParametersByPath is authorized on the path and on what is below it; nothing else in SSM.
  const ssm = statements.filter(({ s }) => [s.Action].flat().some((a) => String(a).startsWith('ssm:')));
  assert.deepEqual(
    ssm.flatMap(({ s }) => [s.Action].flat()),
    ['ssm:GetParametersByPath'],
  );
  const ssmResources = [ssm[0]!.s.Resource].flat().map((r) => (r as { 'Fn::Sub': string })['Fn::Sub']);
  assert.deepEqual(ssmResources, [
    'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/workout-app/${EnvironmentSuffix}',
    'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/workout-app/${EnvironmentSuffix}/*',
  ]);
});

test('auto-scaling: 10-50 units at 70% for reads and writes, only in provisioned mode', () => {
  const targets = ofType('AWS::ApplicationAutoScaling::ScalableTarget');
  const policies = ofType('AWS::ApplicationAutoScaling::ScalingPolicy');
  assert.deepEqual(targets.map(([, t]) => t.Properties.ScalableDimension).sort(), [
    'dynamodb:table:ReadCapacityUnits',
    'dynamodb:table:WriteCapacityUnits',
  ]);
  for (const [id, r] of [...targets, ...policies]) assert.equal(r.Condition, 'IsProvisioned', id);
  const parameters = template.Parameters as Record<string, Json>;
  assert.equal(parameters.ProvisionedMinCapacity!.Default, 10);
  assert.equal(parameters.ProvisionedMaxCapacity!.Default, 50);
  for (const [, t] of targets) {
    assert.deepEqual(t.Properties.MinCapacity, { Ref: 'ProvisionedMinCapacity' });
    assert.deepEqual(t.Properties.MaxCapacity, { Ref: 'ProvisionedMaxCapacity' });
  }
  assert.equal(policies.length, 2);
  for (const [, p] of policies) {
    assert.equal((p.Properties.TargetTrackingScalingPolicyConfiguration as Json).TargetValue, 70);
  }
  const conditions = template.Conditions as Json;
  assert.deepEqual(conditions.IsProvisioned, { 'Fn::Equals': [{ Ref: 'BillingMode' }, 'PROVISIONED'] });
  assert.equal(parameters.BillingMode!.Default, 'PAY_PER_REQUEST');
  const table = props('WorkoutTable') as Json;
  assert.deepEqual(table.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
  assert.equal((table.SSESpecification as Json).SSEEnabled, true);
  assert.equal((table.SSESpecification as Json).SSEType, 'KMS');
});

test('SSM parameters: under /workout-app/<EnvironmentSuffix>/, with values the code accepts', () => {
  const params = ofType('AWS::SSM::Parameter').map(([, r]) => r.Properties as Json);
  const byName = new Map(
    params.map((p) => {
      const name = (p.Name as { 'Fn::Sub': string })['Fn::Sub'];
      assert.match(name, /^\/workout-app\/\$\{EnvironmentSuffix\}\/[a-z-]+$/);
      return [name.split('/').pop()!, String(p.Value)];
    }),
  );
  assert.deepEqual(
    [...byName.keys()].sort(),
    [...Object.values(PARAMETER_NAMES), ...Object.values(RUNTIME_PARAMETER_NAMES)].sort(),
  );
  // What the function reads back on AWS is the default configuration.
  const config = configFromParameters({
    maxDurationMinutes: byName.get(PARAMETER_NAMES.maxDurationMinutes),
    supportedTypes: byName.get(PARAMETER_NAMES.supportedTypes),
    metTable: byName.get(PARAMETER_NAMES.metTable),
  });
  assert.deepEqual(config, DEFAULT_CONFIG);
  // Seed 004: the DynamoDB timeout and retries are SSM parameters the function reads at start
  // (src/config/runtime.ts), with the environment as the fallback, both the defaults.
  const runtime = runtimeSettings(byName, {});
  assert.deepEqual(runtime, { settings: DEFAULT_RUNTIME, problems: [] });
  const env = (props('ApiFunction').Environment as { Variables: Record<string, string> }).Variables;
  assert.deepEqual(runtimeSettings(undefined, env), { settings: DEFAULT_RUNTIME, problems: [] });
  // ... and the stage's throttling is written there from the stack parameters (deploy reads it back).
  const value = (name: string) =>
    params.find((p) => (p.Name as { 'Fn::Sub': string })['Fn::Sub'].endsWith(`/${name}`))!.Value;
  assert.deepEqual(value(RUNTIME_PARAMETER_NAMES.apiThrottleRateLimit), { Ref: 'ApiThrottleRateLimit' });
  assert.deepEqual(value(RUNTIME_PARAMETER_NAMES.apiThrottleBurstLimit), { Ref: 'ApiThrottleBurstLimit' });
});

test('runtime settings: SSM first, then the environment, then defaults; bad values refused', () => {
  const ssm = new Map([
    ['dynamodb-timeout-ms', '1500'],
    ['dynamodb-retries', '2'],
  ]);
  assert.deepEqual(runtimeSettings(ssm, { DYNAMODB_TIMEOUT_MS: '9000' }).settings, {
    dynamoDbTimeoutMs: 1500,
    dynamoDbRetries: 2,
  });
  assert.deepEqual(runtimeSettings(new Map(), { DYNAMODB_TIMEOUT_MS: '9000' }).settings, {
    dynamoDbTimeoutMs: 9000,
    dynamoDbRetries: 4,
  });
  const bad = runtimeSettings(
    new Map([
      ['dynamodb-timeout-ms', '3 s'],
      ['dynamodb-retries', '99'],
    ]),
    { DYNAMODB_TIMEOUT_MS: '2500' },
  );
  assert.deepEqual(bad.settings, { dynamoDbTimeoutMs: 2500, dynamoDbRetries: 4 });
  assert.equal(bad.problems.length, 2);
  assert.match(bad.problems.join('\n'), /dynamodb-timeout-ms: "3 s"/);
});

test('stateful resources: kept on delete, but not after a failed first create (D3, D10)', () => {
  // Retain would keep a table with a fixed name (and deletion protection) after a rolled-back
  // first create, and every retry would fail with "already exists".
  for (const id of ['WorkoutTable', 'UserPool', 'AdminGroup']) {
    const r = resources[id] as Resource & { DeletionPolicy?: string; UpdateReplacePolicy?: string };
    assert.equal(r.DeletionPolicy, 'RetainExceptOnCreate', id);
    assert.equal(r.UpdateReplacePolicy, 'Retain', id);
  }
  // The admin group lives and dies with the pool: a retained pool reused later still has it.
  assert.equal(resources.AdminGroup!.Condition, resources.UserPool!.Condition);
});

test('seeds: the table has a change stream and TTL, every output is exported per stage', () => {
  const table = props('WorkoutTable');
  assert.deepEqual(table.StreamSpecification, { StreamViewType: 'NEW_AND_OLD_IMAGES' });
  assert.deepEqual(table.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
  const decisions = readFileSync(join(import.meta.dirname, '..', 'docs', 'decisions.md'), 'utf8');
  assert.match(decisions, /## DynamoDB Streams/, 'docs/decisions.md says why the stream is on');
  const outputs = template.Outputs as Record<string, { Value: unknown; Export?: { Name: Json } }>;
  assert.deepEqual(outputs.TableStreamArn!.Value, { 'Fn::GetAtt': ['WorkoutTable', 'StreamArn'] });
  for (const [key, o] of Object.entries(outputs)) {
    assert.deepEqual(o.Export?.Name, { 'Fn::Sub': `workout-app-\${EnvironmentSuffix}-${key}` }, key);
  }
});

test('CORS: the CorsOrigins parameter reaches the function as CORS_ORIGINS', () => {
  const parameters = template.Parameters as Record<string, Json>;
  assert.equal(parameters.CorsOrigins!.Default, '');
  const pattern = new RegExp(String(parameters.CorsOrigins!.AllowedPattern));
  for (const ok of ['', 'https://app.example.com', 'https://a.example.com,http://localhost:5173'])
    assert.match(ok, pattern, ok);
  for (const bad of ['*', 'https://a.example.com, https://b.example.com', 'app.example.com'])
    assert.doesNotMatch(bad, pattern, bad);
  const env = (props('ApiFunction').Environment as { Variables: Json }).Variables;
  assert.deepEqual(env.CORS_ORIGINS, { Ref: 'CorsOrigins' });
});

test('names carry EnvironmentSuffix; resources are tagged; the outputs are there', () => {
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    for (const key of [
      'TableName',
      'FunctionName',
      'RoleName',
      'UserPoolName',
      'TopicName',
      'AlarmName',
      'LogGroupName',
      'DashboardName',
      'Name',
    ]) {
      if (typeof p[key] === 'object' && p[key] !== null && 'Fn::Sub' in (p[key] as Json)) {
        assert.match(String((p[key] as Json)['Fn::Sub']), /\$\{EnvironmentSuffix\}/, `${id}.${key}`);
      }
    }
  }
  for (const id of ['WorkoutTable', 'ApiFunction', 'RestApi', 'ApiStage', 'AlarmTopic', 'ApiFunctionRole']) {
    assert.ok(JSON.stringify(props(id).Tags).includes('EnvironmentSuffix'), `${id} tags`);
  }
  const outputs = Object.keys(template.Outputs as Json);
  for (const o of ['ApiUrl', 'TableName', 'UserPoolId', 'UserPoolClientId', 'DashboardUrl']) {
    assert.ok(outputs.includes(o), o);
  }
});

test("the local table is the template's table", async () => {
  const table = props('WorkoutTable') as Json;
  const def = tableDefinition(); // read from the table's own lines of the template
  assert.deepEqual(def, tableDefinition(template));
  assert.deepEqual(def, {
    AttributeDefinitions: table.AttributeDefinitions,
    KeySchema: table.KeySchema,
    LocalSecondaryIndexes: table.LocalSecondaryIndexes,
  });
  // And DynamoDB Local, given that definition, describes the same keys and index keys.
  const db = await createDb({ endpoint: await dynamoEndpoint() });
  const name = `template-${Date.now().toString(36)}`;
  await ensureTable(db, name);
  const { Table } = await db.call<{ Table: Json }>('DescribeTable', { TableName: name });
  const sortAttrs = (a: unknown) =>
    [...(a as { AttributeName: string }[])].sort((x, y) => x.AttributeName.localeCompare(y.AttributeName));
  assert.deepEqual(sortAttrs(Table!.AttributeDefinitions), sortAttrs(table.AttributeDefinitions));
  assert.deepEqual(Table!.KeySchema, table.KeySchema);
  const indexes = (x: unknown) =>
    ((x ?? []) as { IndexName: string; KeySchema: unknown; Projection: { ProjectionType: string } }[])
      .map((i) => ({
        IndexName: i.IndexName,
        KeySchema: i.KeySchema,
        ProjectionType: i.Projection.ProjectionType,
      }))
      .sort((a, b) => a.IndexName.localeCompare(b.IndexName));
  assert.deepEqual(indexes(Table!.LocalSecondaryIndexes), indexes(table.LocalSecondaryIndexes));
  assert.equal(Table!.GlobalSecondaryIndexes, undefined);
});

test('the function reads its DynamoDB settings and first configuration from SSM, in one call at start', async () => {
  // A stand-in for SSM's JSON API: GetParametersByPath under the stage's prefix.
  const calls: Json[] = [];
  const ssm = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      calls.push({ target: req.headers['x-amz-target'], ...(JSON.parse(body) as Json) });
      const p = (name: string, Value: string) => ({
        Name: `/workout-app/test/${name}`,
        Value,
        Type: 'String',
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
        JSON.stringify({
          Parameters: [
            p(RUNTIME_PARAMETER_NAMES.dynamoDbTimeoutMs, '1234'),
            p(RUNTIME_PARAMETER_NAMES.dynamoDbRetries, '2'),
            p(PARAMETER_NAMES.supportedTypes, 'running,yoga'),
          ],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => ssm.listen(0, '127.0.0.1', resolve));
  after(() => ssm.close());
  const endpoint = await dynamoEndpoint();
  const name = `ssm-${Date.now().toString(36)}`;
  await ensureTable(await createDb({ endpoint }), name);
  const saved = { ...process.env };
  Object.assign(process.env, {
    TABLE_NAME: name,
    DYNAMODB_ENDPOINT: endpoint,
    CONFIG_SOURCE: 'ssm',
    CONFIG_PREFIX: '/workout-app/test/',
    LOG_LEVEL: 'info',
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(ssm.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'eu-west-1',
  });
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (
    lines.push(String(chunk)),
    true
  )) as typeof process.stdout.write;
  try {
    // A module instance of its own: a container that starts with these variables.
    const fresh = (await import(`../src/runtime/lambda.ts?ssm=${Date.now()}`)) as { handler: typeof handler };
    const event = proxyEvent({ resource: '/workout-types', path: '/workout-types', method: 'GET' });
    const res = (await fresh.handler(event as never, lambdaContext as never)) as unknown as {
      statusCode: number;
      body: string;
    };
    assert.equal(res.statusCode, 200, res.body);
    const types = (JSON.parse(res.body) as { items: { workoutType: string }[] }).items.map(
      (i) => i.workoutType,
    );
    assert.deepEqual(types, ['running', 'yoga'], 'the configuration from the same SSM answer');
  } finally {
    process.stdout.write = write;
    process.env = saved;
  }
  assert.equal(calls.length, 1, 'one SSM call serves the start and the first configuration');
  assert.equal(calls[0]!.target, 'AmazonSSM.GetParametersByPath');
  assert.equal(calls[0]!.Path, '/workout-app/test/');
  const settings = lines
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Json];
      } catch {
        return [];
      }
    })
    .find((l) => l.msg === 'runtime settings');
  assert.deepEqual(
    { timeout: settings?.dynamoDbTimeoutMs, retries: settings?.dynamoDbRetries, from: settings?.from },
    { timeout: 1234, retries: 2, from: 'ssm' },
  );
});
