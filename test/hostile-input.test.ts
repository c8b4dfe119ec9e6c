/**
 * Hostile input, case by case: oversized and slow bodies, deep nesting, huge numbers, prototype
 * keys, control characters and long unicode, hostile request ids. Never a 500; a rejection is a
 * 4xx problem+json and writes nothing; what is accepted round-trips unchanged.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startTestService, workout, type Response, type TestService } from './helpers.ts';
import { recountUser, type StatsAnswer } from './support/exactness.ts';
import { rawConnection } from './support/raw-http.ts';
import { rejected as rejectedIn, tableSnapshot } from './support/snapshot.ts';

const t = await startTestService();
const snapshot = () => tableSnapshot(t);

/** Sends a request that must be rejected with `status` and must leave the table as it was. */
const rejected = (
  status: number | RegExp,
  method: string,
  path: string,
  opts: Parameters<TestService['call']>[2] = {},
) => rejectedIn(t, status, method, path, opts);

/** Sends one request as written and returns the status (0 when the server just closed). */
async function raw(
  requestLine: string,
  headers = '',
): Promise<{ status: number; body: string; head: string }> {
  const conn = await rawConnection(t.url);
  conn.send(`${requestLine}\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`);
  const res = await conn.response(10_000);
  conn.socket.destroy();
  assert.ok(res, `${requestLine}: an answer`);
  return res;
}

// Data that a rejected request could damage.
await t.call('POST', '/users', {
  as: 'ana',
  body: { displayName: 'Ana', weightKg: 61.5, timezone: 'Europe/Lisbon' },
});
await t.call('POST', '/workouts', { as: 'ana', body: workout({ workoutId: 'ana-1' }) });

const BODY_ROUTES: [string, string][] = [
  ['POST', '/users'],
  ['PATCH', '/users/ana'],
  ['POST', '/workouts'],
  ['PATCH', '/workouts/ana-1'],
];

describe('oversized bodies', () => {
  test('over 64 KiB is a 413 on every route with a body; nothing is read into the store', async () => {
    const big = JSON.stringify(workout({ notes: 'x'.repeat(64 * 1024) }));
    for (const [method, path] of BODY_ROUTES) await rejected(413, method, path, { raw: big });
  });

  test('exactly 64 KiB is not a 413 (it is read, then refused for its content)', async () => {
    const base = JSON.stringify(workout({ notes: '' }));
    const exact = base.replace('"notes":""', `"notes":"${'x'.repeat(64 * 1024 - base.length)}"`);
    assert.equal(Buffer.byteLength(exact), 64 * 1024);
    await rejected(400, 'POST', '/workouts', { raw: exact });
  });

  test('a streamed body with no Content-Length is cut off past 64 KiB: 413', async () => {
    const before = await snapshot();
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        // An endless body: the server must stop reading it, not buffer it.
        if (sent > 8 * 1024 * 1024) return controller.close();
        sent += 16 * 1024;
        controller.enqueue(new TextEncoder().encode(' '.repeat(16 * 1024)));
      },
    });
    const res = await fetch(`${t.url}/workouts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await t.token('ana')}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit).catch((err: unknown) => err as Error);
    // Either the 413 arrives, or the server closed the connection while we were still sending.
    if (res instanceof Response) assert.equal(res.status, 413);
    assert.ok(sent < 8 * 1024 * 1024, `the server stopped reading early (${sent} bytes sent)`);
    assert.equal(await snapshot(), before);
  });

  test('a declared Content-Length over the limit is refused before the body is sent', async () => {
    const conn = await rawConnection(t.url);
    conn.send(
      `POST /workouts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${await t.token('ana')}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{',
    );
    const res = await conn.response(10_000);
    conn.socket.destroy();
    assert.equal(res?.status, 413, res?.head);
  });
});

describe('slow bodies', () => {
  test('a body dripped over 1 s is read and stored normally', async () => {
    const body = JSON.stringify(workout({ workoutId: 'slow-ok' }));
    const conn = await rawConnection(t.url);
    conn.send(
      `POST /workouts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${await t.token('drip')}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    const pieces = 10;
    for (let i = 0; i < pieces; i++) {
      conn.send(body.slice((i * body.length) / pieces, ((i + 1) * body.length) / pieces));
      await new Promise((r) => setTimeout(r, 100));
    }
    const res = await conn.response(10_000);
    assert.equal(res?.status, 201, res?.head);
  });

  test('a body that never finishes does not stall other requests, and writes nothing when abandoned', async () => {
    const before = await snapshot();
    const conn = await rawConnection(t.url);
    conn.send(
      `POST /workouts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${await t.token('ana')}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{"workoutType":',
    );
    // While it hangs, the server keeps answering others.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 200));
      conn.send(' ');
      const health = await t.call('GET', '/health');
      assert.equal(health.status, 200);
    }
    // Not answered yet: the server is still waiting for the body (the local service's 30 s
    // requestTimeout is what finally ends such a request; see docs/benchmarks.md).
    assert.equal(await conn.response(300), null);
    conn.socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await t.call('GET', '/health')).status, 200);
    assert.equal(await snapshot(), before);
  });
});

describe('deep nesting', () => {
  const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  for (const [name, value] of [
    ['arrays 10,000 deep in a field', `{"workoutType":"running","notes":${deepArray(10_000)}}`],
    ['objects 5,000 deep in a field', `{"workoutType":"running","notes":${deepObject(5_000)}}`],
    ['arrays 30,000 deep as the body', deepArray(30_000)],
    ['objects 10,000 deep as the body', deepObject(10_000)],
  ] as const) {
    test(`${name}: 400 (or 413 when over 64 KiB), never 500`, async () => {
      for (const [method, path] of BODY_ROUTES) {
        const expected = Buffer.byteLength(value) > 64 * 1024 ? 413 : 400;
        await rejected(expected, method, path, { raw: value });
      }
    });
  }
});

describe('huge and odd numbers', () => {
  const cases: [string, Record<string, unknown> | string][] = [
    [
      'durationMinutes 1e400 (Infinity once parsed)',
      '{"workoutType":"running","startedAt":"2026-11-20T07:30:00Z","durationMinutes":1e400}',
    ],
    [
      'durationMinutes -1e400',
      '{"workoutType":"running","startedAt":"2026-11-20T07:30:00Z","durationMinutes":-1e400}',
    ],
    [
      'durationMinutes 1e-400 (0 once parsed)',
      '{"workoutType":"running","startedAt":"2026-11-20T07:30:00Z","durationMinutes":1e-400}',
    ],
    [
      'caloriesBurned 1e400',
      '{"workoutType":"running","startedAt":"2026-11-20T07:30:00Z","durationMinutes":30,"caloriesBurned":1e400}',
    ],
    [
      'avgHeartRate of 400 digits',
      `{"workoutType":"running","startedAt":"2026-11-20T07:30:00Z","durationMinutes":30,"avgHeartRate":${'9'.repeat(400)}}`,
    ],
    ['distanceKm 5e-324', workout({ distanceKm: 5e-324 })],
    ['distanceKm 1.0000000000000002', workout({ distanceKm: 1.0000000000000002 })],
    ['durationMinutes MAX_SAFE_INTEGER + 2', workout({ durationMinutes: Number.MAX_SAFE_INTEGER + 2 })],
    ['avgHeartRate 120.5', workout({ avgHeartRate: 120.5 })],
    ['a number as a string', workout({ durationMinutes: '30' })],
  ];
  for (const [name, body] of cases) {
    test(`${name}: 400 naming the field`, async () => {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      const res = await rejected(400, 'POST', '/workouts', { raw });
      assert.ok(((res.body as { errors?: unknown[] }).errors ?? []).length > 0, res.text);
    });
  }

  test('weightKg 1e400 on a profile and in a patch: 400', async () => {
    await rejected(400, 'POST', '/users', { as: 'nobody', raw: '{"displayName":"N","weightKg":1e400}' });
    await rejected(400, 'PATCH', '/users/ana', { raw: '{"weightKg":-1e400}' });
    await rejected(400, 'PATCH', '/workouts/ana-1', { raw: '{"durationMinutes":1e400}' });
  });

  test('limit=1e2, limit=-1, limit=0x10 and a 400-digit limit are 400s', async () => {
    for (const limit of ['1e2', '-1', '0x10', '9'.repeat(400), '', '1.5', ' 5']) {
      await rejected(400, 'GET', `/workouts?limit=${encodeURIComponent(limit)}`);
    }
  });
});

describe('prototype keys', () => {
  const probes = [
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"prototype":{"polluted":true}}',
    '{"toString":"x"}',
    '{"hasOwnProperty":"x"}',
  ];
  test('as an extra field of a valid body: 400 unknown field, nothing written, nothing polluted', async () => {
    for (const probe of probes) {
      const extra = probe.slice(1, -1);
      const bodies: [string, string, string][] = [
        [
          'POST',
          '/workouts',
          JSON.stringify(workout({ workoutId: 'proto-1' })).slice(0, -1) + ',' + extra + '}',
        ],
        ['POST', '/users', `{"displayName":"P",${extra}}`],
        ['PATCH', '/users/ana', `{"displayName":"P",${extra}}`],
        ['PATCH', '/workouts/ana-1', `{"notes":"p",${extra}}`],
      ];
      for (const [method, path, raw] of bodies) {
        const res = await rejected(400, method, path, { as: 'ana', raw });
        const paths = ((res.body as { errors?: { path: string }[] }).errors ?? []).map((e) => e.path);
        assert.ok(paths.length > 0, `${method} ${path} ${raw}: ${res.text}`);
      }
    }
    const plain: Record<string, unknown> = {};
    assert.equal(plain.admin, undefined);
    assert.equal(plain.polluted, undefined);
  });

  test('as the whole body or nested in a field: 400', async () => {
    for (const probe of probes) {
      await rejected(400, 'POST', '/workouts', { raw: probe });
      await rejected(400, 'POST', '/workouts', { raw: `{"workoutType":"running","notes":${probe}}` });
    }
  });

  test('a query parameter named like an Object.prototype member, given once, is named as unknown', async () => {
    for (const name of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
      const res = await rejected(400, 'GET', `/workouts?${name}=1`);
      const errors = (res.body as { errors?: { path: string; message: string }[] }).errors ?? [];
      assert.deepEqual(
        errors.map((e) => e.path),
        [name],
      );
      assert.notEqual(errors[0]?.message, 'must be given once', `${name}: ${res.text}`);
    }
  });

  test('as query parameters: 400', async () => {
    for (const q of [
      '__proto__=x',
      '__proto__[admin]=1',
      'constructor=x',
      'toString=1',
      'hasOwnProperty=1',
    ]) {
      for (const path of ['/workouts', '/stats/ana', '/stats/ana/timeseries', '/workouts/ana-1']) {
        await rejected(400, 'GET', `${path}?${q}`);
      }
    }
  });

  test('as user ids (valid ones): the API works for them like for anyone', async () => {
    for (const userId of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype']) {
      const created = await t.call('POST', '/workouts', { as: userId, body: workout({ workoutId: 'p1' }) });
      assert.equal(created.status, 201, `${userId}: ${created.text}`);
      const stats = await t.call<StatsAnswer>('GET', `/stats/${userId}`, { as: userId });
      assert.equal(stats.status, 200, stats.text);
      assert.equal(stats.body.totalWorkouts, 1);
      const r = await recountUser(t.db, t.tableName, userId, stats.body);
      assert.deepEqual(r.problems, []);
      const series = await t.call('GET', `/stats/${userId}/timeseries?granularity=week&from=2026-11-01`, {
        as: userId,
      });
      assert.equal(series.status, 200, series.text);
      assert.equal((await t.call('DELETE', `/users/${userId}`, { as: userId })).status, 204);
      assert.deepEqual(await t.partition(userId), []);
    }
  });
});

describe('control characters and long unicode in strings', () => {
  const accepted = [
    ['C0 controls and escape sequences', '\u0000\u0001\u0007\b\t\n\r\u001b[31mred\u001b[0m\u007f'],
    ['bidi overrides and zero-width characters', '\u202eevil\u202c\u200b\u200d\ufeff'],
    ['1000 UTF-16 units of CJK (3 bytes each in UTF-8)', '漢'.repeat(1000)],
    ['500 astral emoji (1000 UTF-16 units)', '😀'.repeat(500)],
    ['emoji ZWJ sequences and combining marks', '👩‍👩‍👧‍👦'.repeat(50) + 'e\u0301'.repeat(100)],
    ['a JSON-looking and SQL-looking string', '"},{"admin":true}\'; DROP TABLE x; --'],
  ];
  for (const [name, notes] of accepted) {
    test(`notes with ${name}: stored and read back exactly`, async () => {
      const id = `uni-${accepted.findIndex((a) => a[0] === name)}`;
      const res = await t.call<{ notes: string }>('POST', '/workouts', {
        as: 'uni',
        body: workout({ workoutId: id, notes }),
      });
      assert.equal(res.status, 201, res.text);
      const back = await t.call<{ notes: string }>('GET', `/workouts/${id}`, { as: 'uni' });
      assert.equal(back.body.notes, notes);
      const page = await t.call<{ items: { notes: string }[] }>('GET', '/workouts?limit=100', { as: 'uni' });
      assert.equal(page.status, 200);
    });
  }

  test('over 1000 UTF-16 units (501 emoji, 1001 letters): 400', async () => {
    await rejected(400, 'POST', '/workouts', { body: workout({ notes: '😀'.repeat(501) }) });
    await rejected(400, 'POST', '/workouts', { body: workout({ notes: 'é'.repeat(1001) }) });
  });

  test('60 KiB of unicode in a field: 400; over 64 KiB of it: 413', async () => {
    await rejected(400, 'POST', '/workouts', { body: workout({ notes: '漢'.repeat(20_000) }) });
    await rejected(413, 'POST', '/workouts', { body: workout({ notes: '漢'.repeat(23_000) }) });
  });

  test('a display name of controls only, or of whitespace only: 400', async () => {
    await rejected(400, 'POST', '/users', { as: 'ctl', body: { displayName: ' \t\n\r ' } });
    await rejected(400, 'POST', '/users', { as: 'ctl', body: { displayName: '\u3000\u00a0' } });
  });

  test('invalid UTF-8 bytes in the body: never a 500, and what is stored reads back', async () => {
    const body = Buffer.concat([
      Buffer.from(JSON.stringify(workout({ workoutId: 'bytes-1' })).slice(0, -1) + ',"notes":"'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
      Buffer.from('"}'),
    ]);
    const res = await fetch(`${t.url}/workouts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await t.token('bytes')}`, 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    assert.ok(res.status === 201 || res.status === 400, `${res.status} ${text}`);
    if (res.status === 400) {
      assert.deepEqual(await t.partition('bytes'), []);
      return;
    }
    // Decoded with replacement characters: what was answered is what is stored and read back.
    const created = JSON.parse(text) as { notes: string };
    assert.ok(created.notes.isWellFormed());
    assert.match(created.notes, /\ufffd/);
    const back = await t.call<{ notes: string }>('GET', '/workouts/bytes-1', { as: 'bytes' });
    assert.equal(back.status, 200);
    assert.deepEqual(back.body, created);
  });

  test('lone surrogates in strings (valid JSON, not valid Unicode): exactly 400, nothing written', async () => {
    for (const [i, notes] of ['\ud800', 'a\udfffb', '\udbff\udbff'].entries()) {
      const res = await rejected(400, 'POST', '/workouts', {
        as: 'lone',
        raw: JSON.stringify(workout({ workoutId: `lone-${i}`, notes })),
      });
      assert.deepEqual((res.body as { errors: unknown }).errors, [
        { path: 'notes', code: 'invalid_format', message: 'must be valid Unicode text' },
      ]);
    }
    const name = await rejected(400, 'POST', '/users', { as: 'lone', body: { displayName: 'x\ud800' } });
    assert.deepEqual(
      (name.body as { errors: { path: string }[] }).errors.map((e) => e.path),
      ['displayName'],
    );
  });
});

describe('hostile X-Request-Id', () => {
  // hono/request-id echoes an id of [A-Za-z0-9_=-]{1,128}; anything else is replaced.
  const SAFE = /^[A-Za-z0-9_=-]{1,128}$/;
  test('a safe id is echoed', async () => {
    const res = await t.call('GET', '/health', { headers: { 'x-request-id': 'client-42_a=b' } });
    assert.equal(res.headers.get('x-request-id'), 'client-42_a=b');
  });

  for (const hostile of [
    '<script>alert(1)</script>',
    '{"level":"error","msg":"forged"}',
    'a b',
    '../../etc/passwd',
    'x'.repeat(129),
    'x'.repeat(8000),
    'ünïcödé',
    '"; rm -rf /',
    '%0d%0aSet-Cookie:%20a=b',
    'client-42.a:b_c', // once echoed: '.' and ':' are outside the safe set now
  ]) {
    test(`${JSON.stringify(hostile.slice(0, 40))} is replaced, not echoed, on success and on error`, async () => {
      for (const [method, path, as] of [
        ['GET', '/health', null],
        ['GET', '/stats/ana', 'ana'],
        ['GET', '/stats/ana', 'eve'],
        ['POST', '/workouts', 'ana'],
      ] as const) {
        const res = await t.call(method, path, {
          as,
          headers: { 'x-request-id': Buffer.from(hostile).toString('latin1') },
          ...(method === 'POST' ? { raw: '{}' } : {}),
        });
        assert.ok(res.status < 500, `${method} ${path}: ${res.status}`);
        const id = res.headers.get('x-request-id') ?? '';
        assert.notEqual(id, hostile);
        assert.match(id, SAFE);
      }
    });
  }

  test('control characters and line breaks in header values are refused by the HTTP parser, and the server lives on', async () => {
    for (const value of ['a\u0000b', 'a\rb', 'a\u001bb', 'a\nSet-Cookie: x=y']) {
      const res = await raw('GET /health HTTP/1.1', `X-Request-Id: ${value}\r\n`); // an answer, or 0 if closed
      assert.ok(res.status === 0 || res.status === 400 || res.status === 200, res.head);
      assert.doesNotMatch(res.head, /set-cookie/i);
    }
    assert.equal((await t.call('GET', '/health')).status, 200);
  });

  test('two X-Request-Id headers: not echoed joined', async () => {
    const res = await raw('GET /health HTTP/1.1', 'X-Request-Id: a\r\nX-Request-Id: b\r\n');
    assert.equal(res.status, 200);
    const id = /\r\nx-request-id: *([^\r]*)/i.exec(res.head)?.[1] ?? '';
    assert.match(id, SAFE);
  });
});

describe('request lines, paths and methods', () => {
  test('odd and unknown methods: never a 5xx, nothing written', async () => {
    const before = await snapshot();
    const auth = `Authorization: Bearer ${await t.token('ana')}\r\n`;
    for (const method of ['HEAD', 'OPTIONS', 'TRACE', 'PUT', 'PROPFIND', 'FOO', 'get', 'CONNECT']) {
      for (const path of ['/workouts', '/workouts/ana-1', '/users/ana', '/stats/ana', '/health', '/']) {
        const target = method === 'CONNECT' ? 'x:443' : path;
        const res = await raw(`${method} ${target} HTTP/1.1`, auth);
        assert.ok(res.status < 500, `${method} ${target}: ${res.head.split('\r\n')[0]}`);
      }
    }
    assert.equal(await snapshot(), before);
  });

  test("path tricks do not reach another user's data", async () => {
    const auth = `Authorization: Bearer ${await t.token('mallory')}\r\n`;
    const targets = [
      '/stats/ana',
      '/stats/%61na',
      '/stats/ana/',
      '//stats/ana',
      '/stats//ana',
      '/stats/./ana',
      '/stats/mallory/../ana',
      '/stats/mallory/..%2Fana',
      '/stats/mallory%2F..%2Fana',
      '/stats/ana;x=1',
      '/stats/ana%00',
      '/stats/ana%20',
      '/STATS/ana',
      '/stats/ANA',
      '/stats/ana?userId=mallory',
      '/workouts/ana-1?userId=ana&userId=mallory',
      '/workouts/ana-1?userId=mallory&userId=ana',
      '/workouts?userId=%61na',
      '/users/ana/../ana',
      'http://evil.example/stats/ana',
      '/stats/ana#frag',
    ];
    for (const target of targets) {
      const res = await raw(`GET ${target} HTTP/1.1`, auth);
      assert.ok(res.status < 500, `${target}: ${res.head.split('\r\n')[0]}`);
      assert.ok(
        res.status < 200 || res.status >= 300 || !/"ana"|ana-1/.test(res.body),
        `${target}: ${res.status} ${res.body.slice(0, 200)}`,
      );
    }
  });

  test('duplicate JSON keys: the last one counts, and naming another user that way is still a 403', async () => {
    const base = JSON.stringify(workout({ workoutId: 'dup-1' })).slice(1, -1);
    await rejected(403, 'POST', '/workouts', {
      as: 'mallory',
      raw: `{"userId":"mallory","userId":"ana",${base}}`,
    });
    await rejected(400, 'POST', '/workouts', { as: 'mallory', raw: `{${base},"durationMinutes":-1}` });
  });

  test('a URL or a header over 16 KiB is refused by the HTTP parser (431), never a 5xx', async () => {
    const longQuery = await raw(`GET /workouts?${'limit=1&'.repeat(3000)} HTTP/1.1`);
    assert.ok(
      longQuery.status === 431 ||
        longQuery.status === 414 ||
        longQuery.status === 400 ||
        longQuery.status === 0,
      longQuery.head,
    );
    const longHeader = await raw('GET /health HTTP/1.1', `X-Big: ${'x'.repeat(20_000)}\r\n`);
    assert.ok(longHeader.status === 431 || longHeader.status === 0, longHeader.head);
    assert.equal((await t.call('GET', '/health')).status, 200);
  });

  test('a thousand query parameters: a 400 naming the first, answered within a second or so', async () => {
    const q = Array.from({ length: 1000 }, (_, i) => `p${i}=${i}`).join('&');
    const started = performance.now();
    const res = await rejected(400, 'GET', `/workouts?${q}`);
    const ms = performance.now() - started; // includes two table snapshots
    assert.deepEqual((res.body as { errors?: unknown[] }).errors, [
      { path: 'p0', code: 'unknown_field', message: 'is not a known field' },
    ]);
    // Generous on a shared, loaded machine: a parser that went quadratic would take far longer.
    assert.ok(ms < 5000, `answered in ${Math.round(ms)} ms`);
  });
});
