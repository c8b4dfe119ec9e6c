/**
 * `npm run smoke -- --api <url> [--token <ID token>] [--admin-token <ID token>] [--origin <origin>]`:
 * checks a running deployment (or the local service) in well under a minute, one line per check,
 * and for every failure what to do about it. Exit code 1 when any check fails.
 *
 * Without a token only the public and the unauthenticated checks run; the others are reported as
 * skipped. The user's checks log one workout (id `smoke-…`), read it, count it in the statistics
 * and delete it again, so a deployment is left as it was. test/smoke.test.ts runs the same checks
 * against the local service.
 */
import { randomUUID } from 'node:crypto';
import { Command, CommanderError, InvalidArgumentError } from 'commander';

export interface SmokeOptions {
  /** Base URL: the stack's ApiUrl output (with the stage), or http://localhost:3000. */
  api: string;
  /** An ID token of an ordinary (non-admin) user. */
  token?: string;
  /** An ID token of a member of the `admin` group. */
  adminToken?: string;
  /** An origin listed in CORS_ORIGINS (the CorsOrigins parameter): checks the preflight. */
  origin?: string;
  /** Per-request deadline. */
  timeoutMs: number;
  /** No check starts after this long (so a run ends within about a minute). */
  deadlineMs: number;
}

export type Outcome = 'pass' | 'fail' | 'skip';
export interface CheckResult {
  name: string;
  outcome: Outcome;
  /** What was seen (pass), what went wrong (fail) or why it did not run (skip). */
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

class CheckFailed extends Error {}
/** No answer at all (refused, reset, timed out). */
class NoAnswer extends CheckFailed {}
/** Fails the current check with what was seen. */
function expect(ok: unknown, seen: string): asserts ok {
  if (!ok) throw new CheckFailed(seen);
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
  ms: number;
}

/** The `sub` of a JWT (not verified: only to name the caller's own data). */
export function tokenSubject(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: unknown;
    };
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

const brief = (r: Reply) =>
  `${r.status} ${r.headers.get('content-type') ?? '(no content-type)'} ${r.text.replace(/\s+/g, ' ').slice(0, 160)}`;

/** A problem+json answer with this status and code. */
function expectProblem(r: Reply, status: number, code: string): void {
  expect(r.status === status, `expected ${status}, got ${brief(r)}`);
  expect(
    /^application\/problem\+json/.test(r.headers.get('content-type') ?? ''),
    `expected application/problem+json, got ${brief(r)}`,
  );
  expect(r.json?.code === code, `expected code "${code}", got ${brief(r)}`);
}

export async function runSmoke(
  o: SmokeOptions,
  report: (r: CheckResult) => void = () => {},
): Promise<CheckResult[]> {
  const base = o.api.replace(/\/+$/, '');
  const results: CheckResult[] = [];
  const call = async (
    method: string,
    path: string,
    init: { token?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers,
        body: init.body,
        signal: AbortSignal.timeout(o.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      throw new NoAnswer(`${method} ${path}: no answer (${e.cause?.code ?? e.name}: ${e.message})`);
    }
    const text = await res.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      // not JSON
    }
    return {
      status: res.status,
      headers: res.headers,
      text,
      json,
      ms: Math.round(performance.now() - started),
    };
  };
  // The whole run stays under a minute even against an API that does not answer: after two
  // checks without any answer, or past the overall deadline, the rest are skipped.
  const deadline = performance.now() + o.deadlineMs;
  let silent = 0;
  const check = async (name: string, fix: string, fn: () => Promise<string>, skip?: string) => {
    let result: CheckResult;
    if (silent >= 2) skip = 'the API did not answer the checks above';
    else if (!skip && performance.now() > deadline)
      skip = `past the overall deadline (${o.deadlineMs / 1000} s)`;
    if (skip) result = { name, outcome: 'skip', detail: skip };
    else {
      try {
        result = { name, outcome: 'pass', detail: await fn() };
      } catch (err) {
        if (err instanceof NoAnswer) silent++;
        const detail = err instanceof CheckFailed ? err.message : `unexpected error: ${String(err)}`;
        result = { name, outcome: 'fail', detail, fix };
      }
    }
    results.push(result);
    report(result);
    return result.outcome === 'pass';
  };

  // ── Public and unauthenticated ──
  await check(
    'health',
    'The function does not start or cannot reach DynamoDB. Look at the function log ' +
      '(aws logs tail /aws/lambda/workout-api-<stage> --since 10m) and the lambda-errors runbook in docs/operations.md.',
    async () => {
      const r = await call('GET', '/health');
      expect(r.status === 200 && r.json?.status === 'ok', `expected 200 {"status":"ok"}, got ${brief(r)}`);
      return `GET /health 200 in ${r.ms} ms`;
    },
  );
  await check(
    'X-Request-Id',
    'Every response must carry X-Request-Id, and a safe one sent by the client must come back. ' +
      'If it is missing, the function is not the one built from this repository: deploy again.',
    async () => {
      const mine = `smoke-${randomUUID()}`;
      const r = await call('GET', '/health', { headers: { 'x-request-id': mine } });
      expect(r.headers.get('x-request-id') === mine, `sent ${mine}, got "${r.headers.get('x-request-id')}"`);
      const fresh = await call('GET', '/health');
      expect(fresh.headers.get('x-request-id'), 'no X-Request-Id on a request that sent none');
      return `echoed, and ${fresh.headers.get('x-request-id')} generated`;
    },
  );
  await check(
    '401 without a token',
    'A body like {"message":"Unauthorized"} means the stage serves a deployment taken before the ' +
      'gateway responses existed: aws apigateway create-deployment --rest-api-id <id> --stage-name <stage>, ' +
      'then run this again (docs/deploy.md, "When a deploy fails").',
    async () => {
      const r = await call('GET', '/workouts');
      expectProblem(r, 401, 'unauthenticated');
      const challenge = r.headers.get('www-authenticate') ?? '';
      expect(/^Bearer\b/.test(challenge), `expected WWW-Authenticate: Bearer ..., got "${challenge}"`);
      return `401 problem+json, WWW-Authenticate: ${challenge}`;
    },
  );
  const corsFix =
    'List the origin in CorsOrigins (npm run deploy -- --parameter CorsOrigins=<origins>) and deploy; ' +
    'a 401 or 403 on the preflight means the OPTIONS method has an authorizer (template.yaml, *OptionsMethod).';
  await check(
    'CORS preflight',
    corsFix,
    async () => {
      const origin = o.origin!;
      const r = await call('OPTIONS', '/workouts', {
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(r.status === 204 || r.status === 200, `expected 204, got ${brief(r)}`);
      const allowed = r.headers.get('access-control-allow-origin');
      expect(
        allowed === origin || allowed === '*',
        `Access-Control-Allow-Origin is "${allowed}", not ${origin}`,
      );
      const methods = r.headers.get('access-control-allow-methods') ?? '';
      expect(/\bPOST\b/i.test(methods), `Access-Control-Allow-Methods is "${methods}", without POST`);
      const headers = (r.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      expect(
        headers.includes('authorization') && headers.includes('content-type'),
        `Access-Control-Allow-Headers is "${headers}", without authorization and content-type`,
      );
      return `${r.status} for ${origin}, methods ${methods}`;
    },
    o.origin ? undefined : 'give --origin <an origin listed in CorsOrigins> to check the preflight',
  );
  await check(
    'CORS: other origins get no access',
    'The function answered CORS headers for an origin that is not listed: check CorsOrigins for "*" or a typo.',
    async () => {
      const stranger = 'https://smoke-check.invalid';
      const r = await call('OPTIONS', '/workouts', {
        headers: { origin: stranger, 'access-control-request-method': 'POST' },
      });
      const allowed = r.headers.get('access-control-allow-origin');
      expect(allowed !== stranger && allowed !== '*', `${stranger} was allowed (${allowed})`);
      return `${r.status}, no Access-Control-Allow-Origin for ${stranger}`;
    },
    o.origin ? undefined : 'runs with --origin',
  );

  // ── As a user ──
  const noToken = o.token
    ? undefined
    : 'give --token <ID token of a non-admin user> (docs/deploy.md, "Get a token")';
  const me = (o.token && tokenSubject(o.token)) || 'me';
  const workoutId = `smoke-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  const body = JSON.stringify({
    workoutId,
    workoutType: 'running',
    startedAt: new Date(Date.now() - 3_600_000).toISOString(),
    durationMinutes: 30,
    distanceKm: 5,
    intensity: 'moderate',
    notes: 'smoke check (deleted again at once)',
  });
  const json = { 'content-type': 'application/json' };
  let before: number | undefined;
  let logged = false;
  let owner: string | undefined;

  await check(
    '415 for a text body',
    'The function must refuse a body that is not JSON before anything else. A 400 here from the ' +
      'gateway means the request validator ran on a text body (template.yaml, RequestValidator).',
    async () => {
      const r = await call('POST', '/workouts', {
        token: o.token,
        headers: { 'content-type': 'text/plain' },
        body: 'workout: running',
      });
      expectProblem(r, 415, 'unsupported_media_type');
      return '415 problem+json unsupported_media_type';
    },
    noToken,
  );
  const tokenFix =
    'A 401 means the token is refused: use the ID token (not the access token) of a user of the ' +
    "stack's user pool, less than 60 minutes old.";
  await check(
    'statistics readable',
    tokenFix,
    async () => {
      const r = await call('GET', `/stats/${encodeURIComponent(me)}`, { token: o.token });
      expect(r.status === 200, `GET /stats/${me}: ${brief(r)}`);
      before = Number(r.json?.totalWorkouts);
      expect(Number.isInteger(before), `totalWorkouts is ${String(r.json?.totalWorkouts)}`);
      return `GET /stats/${me} 200 (${before} workouts) in ${r.ms} ms`;
    },
    noToken,
  );
  await check(
    'workout logged',
    `${tokenFix} A 503 means DynamoDB is unreachable or throttling (docs/operations.md, dynamodb-throttles); ` +
      'a 500 is in the function log with the request id.',
    async () => {
      const r = await call('POST', '/workouts', { token: o.token, headers: json, body });
      expect(r.status === 201, `expected 201, got ${brief(r)}`);
      expect(r.json?.workoutId === workoutId, `the answer names workout ${String(r.json?.workoutId)}`);
      const location = r.headers.get('location') ?? '';
      expect(location.endsWith(`/workouts/${workoutId}`), `Location is "${location}"`);
      logged = true;
      owner = String(r.json?.userId);
      return `201 ${workoutId} for user ${owner} in ${r.ms} ms`;
    },
    noToken,
  );
  const afterLog = noToken ?? (logged ? undefined : 'the workout was not logged');
  await check(
    'retry answers 200',
    'A retried POST with the same workoutId must replay the stored workout (200), not store it twice: ' +
      'the function is not the one built from this repository, or the table lost its keys.',
    async () => {
      const r = await call('POST', '/workouts', { token: o.token, headers: json, body });
      expect(
        r.status === 200 && r.json?.workoutId === workoutId,
        `expected 200 with the same workout, got ${brief(r)}`,
      );
      return '200, the same workout';
    },
    afterLog,
  );
  await check(
    'workout read',
    'The workout just logged cannot be read back: look the request id up in the function log.',
    async () => {
      const r = await call('GET', `/workouts/${workoutId}`, { token: o.token });
      expect(r.status === 200 && r.json?.workoutId === workoutId, `expected 200, got ${brief(r)}`);
      return `GET /workouts/${workoutId} 200`;
    },
    afterLog,
  );
  await check(
    'counted in statistics',
    'The statistics did not count the workout exactly once: compare GET /stats with GET /workouts and ' +
      'report it (statistics are kept in the same transaction as the workout; docs/data-model.md).',
    async () => {
      const r = await call('GET', `/stats/${encodeURIComponent(me)}`, { token: o.token });
      expect(r.status === 200, `GET /stats/${me}: ${brief(r)}`);
      expect(
        Number(r.json?.totalWorkouts) === (before ?? 0) + 1,
        `totalWorkouts went from ${before} to ${String(r.json?.totalWorkouts)}, not +1`,
      );
      return `totalWorkouts ${before} → ${String(r.json?.totalWorkouts)}`;
    },
    afterLog ?? (before === undefined ? 'the statistics could not be read' : undefined),
  );
  const other = me === 'smoke-other-user' ? 'smoke-other-user-2' : 'smoke-other-user';
  await check(
    "403 on another user's statistics",
    "Use a non-admin user's token for --token. If it is one, the function does not check ownership: deploy again.",
    async () => {
      const r = await call('GET', `/stats/${other}`, { token: o.token });
      expectProblem(r, 403, 'forbidden');
      return `GET /stats/${other} 403 problem+json forbidden`;
    },
    noToken,
  );
  await check(
    'admin reads another user',
    'The token is not in the admin group: aws cognito-idp admin-add-user-to-group --group-name admin, then sign in again (groups are in the token).',
    async () => {
      const r = await call('GET', `/stats/${encodeURIComponent(owner ?? me)}`, { token: o.adminToken });
      expect(r.status === 200, `expected 200, got ${brief(r)}`);
      expect(owner === undefined || r.json?.userId === owner, `the answer is for ${String(r.json?.userId)}`);
      const w = await call('GET', `/workouts/${workoutId}?userId=${encodeURIComponent(owner ?? me)}`, {
        token: o.adminToken,
      });
      expect(w.status === 200, `GET /workouts/${workoutId}?userId=…: ${brief(w)}`);
      return `GET /stats/${owner ?? me} 200 and the user's workout 200 as admin`;
    },
    o.adminToken
      ? logged
        ? undefined
        : 'the workout was not logged'
      : 'give --admin-token <ID token of an admin>',
  );
  await check(
    'workout deleted',
    `The smoke workout ${workoutId} may be left behind: delete it with curl -X DELETE $API/workouts/${workoutId} -H "Authorization: Bearer $TOKEN".`,
    async () => {
      const r = await call('DELETE', `/workouts/${workoutId}`, { token: o.token });
      expect(r.status === 204, `expected 204, got ${brief(r)}`);
      logged = false;
      const gone = await call('GET', `/workouts/${workoutId}`, { token: o.token });
      expectProblem(gone, 404, 'workout_not_found');
      const s = await call('GET', `/stats/${encodeURIComponent(me)}`, { token: o.token });
      expect(
        Number(s.json?.totalWorkouts) === before,
        `totalWorkouts is ${String(s.json?.totalWorkouts)} after the delete, not ${before}`,
      );
      return '204, then 404, statistics back to ' + before;
    },
    afterLog,
  );
  return results;
}

const LABEL: Record<Outcome, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

/** One line per check; a failure gets a second line with what to do. */
export function formatResult(r: CheckResult, width = 34): string {
  const line = `${LABEL[r.outcome]}  ${r.name.padEnd(width)} ${r.detail}`;
  return r.fix ? `${line}\n      what to do: ${r.fix}` : line;
}

function program(): Command {
  const url = (v: string) => {
    if (!/^https?:\/\/\S+$/.test(v)) throw new InvalidArgumentError('must be an http(s) URL');
    return v;
  };
  return new Command()
    .name('smoke')
    .description('Check a deployed (or local) workout API in under a minute; exit code 1 if any check fails.')
    .requiredOption(
      '--api <url>',
      "the API's base URL: the stack output ApiUrl, or http://localhost:3000",
      url,
    )
    .option('--token <id token>', "an ordinary user's ID token: logs, reads, counts and deletes one workout")
    .option('--admin-token <id token>', "an admin's ID token: reads that user's data")
    .option('--origin <origin>', 'an origin listed in CorsOrigins: checks the CORS preflight', url)
    .option(
      '--timeout-ms <ms>',
      'deadline of each request',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 100)
          throw new InvalidArgumentError('a whole number of ms, at least 100');
        return n;
      },
      8_000,
    )
    .exitOverride();
}

export function parseSmokeArgs(argv: string[]): SmokeOptions {
  const o = program().parse(argv, { from: 'user' }).opts<SmokeOptions>();
  return {
    api: o.api,
    token: o.token,
    adminToken: o.adminToken,
    origin: o.origin,
    timeoutMs: o.timeoutMs,
    deadlineMs: 45_000,
  };
}

/** `npm run smoke -- <args>`: a line per check and a summary through `print`; the exit code. */
export async function smokeMain(
  argv: string[],
  print: (line: string) => void = console.log,
): Promise<number> {
  let options: SmokeOptions;
  try {
    options = parseSmokeArgs(argv);
  } catch (err) {
    return err instanceof CommanderError ? err.exitCode : 2;
  }
  const started = performance.now();
  print(`Smoke check of ${options.api}`);
  const results = await runSmoke(options, (r) => print(formatResult(r)));
  const count = (x: Outcome) => results.filter((r) => r.outcome === x).length;
  print(
    `\n${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return count('fail') > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(await smokeMain(process.argv.slice(2)));
}
