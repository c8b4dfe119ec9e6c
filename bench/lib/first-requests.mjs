/* global process, performance */
/**
 * The cold-start probe of `npm run bench:coldstart`: a fresh `node` process (plain JavaScript, so
 * that no TypeScript loader takes part in what is measured) imports the Lambda handler given as a
 * file URL in argv[2], then calls it with API Gateway REST events; prints one `RESULT` line with
 * the times, statuses and the import's CPU time. DynamoDB Local and the table come from the
 * environment (TABLE_NAME, DYNAMODB_ENDPOINT).
 */
const cpu0 = process.cpuUsage();
const t = [performance.now()];
const { handler } = await import(process.argv[2]);
t.push(performance.now());
const c = process.cpuUsage(cpu0);
const importCpu = (c.user + c.system) / 1000;

/** An API Gateway REST (v1) proxy event, authorized by a Cognito user pool as in production. */
const event = (method, resource, path, body) => ({
  resource,
  path,
  httpMethod: method,
  headers: { 'Content-Type': 'application/json', Host: 'x.execute-api.eu-west-1.amazonaws.com' },
  multiValueHeaders: {},
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: null,
  stageVariables: null,
  isBase64Encoded: false,
  body: body === undefined ? null : JSON.stringify(body),
  requestContext: {
    requestId: 'r' + Math.random(),
    httpMethod: method,
    path,
    resourcePath: resource,
    stage: 'prod',
    identity: { sourceIp: '127.0.0.1' },
    authorizer: { claims: { sub: 'cold', token_use: 'id' } },
  },
});
const context = { awsRequestId: 'x', getRemainingTimeInMillis: () => 30000 };
const calls = [
  event('GET', '/health', '/health'),
  event('POST', '/workouts', '/workouts', {
    workoutType: 'running',
    startedAt: '2026-11-01T07:00:00Z',
    durationMinutes: 30,
  }),
  event('GET', '/stats/{userId}', '/stats/cold'),
  event('GET', '/health', '/health'),
];
const statuses = [];
for (const e of calls) {
  const r = await handler(e, context);
  statuses.push(r.statusCode);
  t.push(performance.now());
}
process.stdout.write('\nRESULT ' + JSON.stringify({ t, statuses, importCpu }) + '\n');
