/**
 * The web console in the local runtime: its static files at `/` and `/assets/*` (public, no
 * token), `/config.json` (tells the console how to sign in), and `POST /local/token`, which mints
 * a local token for a user id. That route exists only here, never on Lambda, and only when the
 * server binds to loopback; it also refuses other Host names (DNS rebinding), cross-site
 * origins and non-JSON bodies (so a web page cannot post a form to it).
 *
 * withConsole() puts these routes in front of the API app; every other request goes to the API
 * unchanged. The files come from dist/console (scripts/build-console.ts), rebuilt on the first
 * request for `/` when a source is newer than the build.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { Hono, type Context } from 'hono';
import { signToken } from '../auth/local-jwt.ts';
import { requestId } from 'hono/request-id';
import { CONSOLE_DIR, ensureConsoleBuilt } from '../../scripts/build-console.ts';

/** The contract's user ids (API.md). */
const USER_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface ConsoleOptions {
  /** The address the server binds; the token route exists only for a loopback one. */
  host: string;
  /** The local token signing key. */
  signingKey: Uint8Array;
  /** Built files (default dist/console). */
  dir?: string;
  /** Rebuild a stale build on a request for `/` (default true). */
  build?: boolean;
}

interface FetchApp {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

/** A problem+json answer, as the API's errors are. */
function problem(c: Context, status: 400 | 403 | 415, code: string, detail: string) {
  const title = { 400: 'Bad Request', 403: 'Forbidden', 415: 'Unsupported Media Type' }[status];
  c.header('Content-Type', 'application/problem+json');
  return c.body(JSON.stringify({ type: 'about:blank', title, status, code, detail }), status);
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** The same headers CloudFront's response headers policy sets on AWS (template.yaml). */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The host name of a Host header (`localhost:3000` → `localhost`, `[::1]:3000` → `[::1]`). */
function hostName(header: string | undefined): string {
  if (!header) return '';
  return header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.replace(/:\d+$/, '');
}

export function withConsole(api: FetchApp, opts: ConsoleOptions): Hono {
  const dir = opts.dir ?? CONSOLE_DIR;
  const local = isLoopback(opts.host);
  const app = new Hono();
  const sec = requestId({ headerName: 'X-Request-Id', limitLength: 128 });

  const file = async (c: Context, path: string, cache: string) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
    try {
      const data = await readFile(path);
      c.header('Content-Type', TYPES[extname(path)] ?? 'application/octet-stream');
      c.header('Cache-Control', cache);
      return c.body(data);
    } catch {
      c.header('Cache-Control', 'no-store');
      return c.text('not found', 404);
    }
  };

  app.use('/', sec);
  app.use('/index.html', sec);
  app.use('/assets/*', sec);
  app.use('/config.json', sec);
  app.use('/local/token', sec);

  const index = async (c: Context) => {
    if (opts.build ?? true) {
      try {
        await ensureConsoleBuilt(dir);
      } catch (err) {
        c.header('Cache-Control', 'no-store');
        return c.text(
          `The console could not be built (${err instanceof Error ? err.message : String(err)}). ` +
            'Run `npm run build:console` to see why.',
          503,
        );
      }
    }
    return file(c, join(dir, 'index.html'), 'no-cache');
  };
  app.get('/', index);
  app.get('/index.html', index);

  app.get('/assets/*', (c) => {
    let rel: string;
    try {
      rel = normalize(decodeURIComponent(c.req.path.slice('/assets/'.length)));
    } catch {
      return c.text('not found', 404); // a malformed escape (%zz)
    }
    if (rel.startsWith('..') || rel.includes('\0') || rel.startsWith('/')) return c.text('not found', 404);
    // Names carry a content hash: cached for a year.
    return file(c, join(dir, 'assets', rel), 'public, max-age=31536000, immutable');
  });

  app.get('/config.json', (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.json({ mode: local ? 'local' : 'token' });
  });

  if (local) {
    app.post('/local/token', async (c) => {
      c.header('Cache-Control', 'no-store');
      c.header('X-Content-Type-Options', 'nosniff');
      const host = hostName(c.req.header('host'));
      const origin = c.req.header('origin');
      if (
        !isLoopback(host) ||
        (origin !== undefined && hostName(origin.replace(/^https?:\/\//, '')) !== host)
      ) {
        return problem(c, 403, 'forbidden', 'local tokens are only given to pages served from this machine');
      }
      if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
        return problem(c, 415, 'unsupported_media_type', 'send a JSON body');
      }
      let body: { userId?: unknown; admin?: unknown };
      try {
        body = (await c.req.json()) as typeof body;
      } catch {
        return problem(c, 400, 'malformed_body', 'the body is not JSON');
      }
      const userId = typeof body?.userId === 'string' ? body.userId : '';
      if (!USER_ID.test(userId) || userId === '.' || userId === '..' || userId === 'me') {
        return problem(
          c,
          400,
          'invalid_fields',
          'userId must be 1-128 letters, digits, "-", "_" or "." (not ".", ".." or "me")',
        );
      }
      const token = await signToken(opts.signingKey, userId, { admin: body.admin === true });
      return c.json({ token, userId, admin: body.admin === true });
    });
  }

  // Everything else is the API's, exactly as without the console.
  app.all('*', (c) => api.fetch(c.req.raw, c.env));
  return app;
}
