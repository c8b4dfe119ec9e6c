/**
 * API Gateway REST API (v1, proxy integration) events as the gateway sends them after its Cognito
 * authorizer has verified the token: claims under requestContext.authorizer.claims, where
 * `cognito:groups` arrives as a string.
 */
import { randomUUID } from 'node:crypto';

export interface ProxyEventOptions {
  /** The route as declared in API Gateway, e.g. /workouts/{workoutId}. */
  resource: string;
  path: string;
  method: string;
  sub?: string;
  groups?: string[];
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export function proxyEvent(o: ProxyEventOptions) {
  const headers: Record<string, string> = {
    Host: 'abc123.execute-api.eu-west-1.amazonaws.com',
    'User-Agent': 'test',
    'X-Forwarded-Proto': 'https',
    ...(o.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    // The gateway forwards the token it verified; the app reads the claims, not this header.
    ...(o.sub ? { Authorization: 'Bearer eyJraWQiOi.example.token' } : {}),
    ...o.headers,
  };
  const pathParameters: Record<string, string> = {};
  const names = [...o.resource.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const values = o.path.split('/');
  o.resource.split('/').forEach((part, i) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name && names.includes(name)) pathParameters[name] = decodeURIComponent(values[i] ?? '');
  });
  const requestId = randomUUID();
  return {
    resource: o.resource,
    path: o.path,
    httpMethod: o.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: o.query ?? null,
    multiValueQueryStringParameters: o.query
      ? Object.fromEntries(Object.entries(o.query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    requestContext: {
      resourceId: 'abc',
      resourcePath: o.resource,
      httpMethod: o.method,
      extendedRequestId: requestId,
      requestTime: new Date().toUTCString(),
      path: `/prod${o.path}`,
      accountId: '123456789012',
      protocol: 'HTTP/1.1',
      stage: 'prod',
      domainPrefix: 'abc123',
      requestTimeEpoch: Date.now(),
      requestId,
      identity: { sourceIp: '203.0.113.7', userAgent: 'test' },
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      apiId: 'abc123',
      ...(o.sub
        ? {
            authorizer: {
              claims: {
                sub: o.sub,
                'cognito:username': o.sub,
                ...(o.groups ? { 'cognito:groups': o.groups.join(',') } : {}),
                token_use: 'id',
                iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
                exp: String(Math.floor(Date.now() / 1000) + 3600),
              },
            },
          }
        : {}),
    },
    body: o.body === undefined ? null : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
    isBase64Encoded: false,
  };
}

export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'workout-api-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:workout-api-test',
  memoryLimitInMB: '512',
  awsRequestId: 'req',
  logGroupName: '/aws/lambda/workout-api-test',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 10_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};
