/**
 * Signing in. The console reads /config.json first:
 * - locally (`npm start`) it is `{ "mode": "local" }`: a user id is exchanged for a token at
 *   `POST /local/token`, a route only the local runtime has, and only when it binds to loopback;
 * - on AWS the deploy writes `{ "mode": "cognito", "apiUrl", "cognito": { "domain", "clientId" } }`:
 *   the Cognito hosted UI signs the user in (authorization code with PKCE, no client secret).
 * A pasted token works in both.
 */
import { api, setToken } from './api.ts';

export interface ConsoleConfig {
  mode: 'local' | 'cognito' | 'token';
  apiUrl?: string;
  cognito?: { domain: string; clientId: string; scopes?: string[] };
}

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (!res.ok) return { mode: 'token' };
    return (await res.json()) as ConsoleConfig;
  } catch {
    return { mode: 'token' };
  }
}

export async function localSignIn(userId: string, admin: boolean): Promise<void> {
  const a = await api<{ token: string }>('POST', '/local/token', { body: { userId, admin }, token: null });
  setToken(a.body.token);
}

const PKCE_KEY = 'workout-console.pkce';
const redirectUri = () => location.origin + location.pathname;

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function cognitoBase(domain: string): string {
  return domain.startsWith('https://') ? domain.replace(/\/+$/, '') : `https://${domain}`;
}

/** Sends the browser to the hosted UI with a fresh PKCE verifier and state. */
export async function cognitoSignIn(cfg: NonNullable<ConsoleConfig['cognito']>): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.clientId,
    redirect_uri: redirectUri(),
    scope: (cfg.scopes ?? ['openid', 'email']).join(' '),
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state,
  });
  location.assign(`${cognitoBase(cfg.domain)}/oauth2/authorize?${q}`);
}

/**
 * Back from the hosted UI with `?code=&state=`: checks the state, trades the code and the
 * verifier for tokens, keeps the ID token (it carries `cognito:groups`, which the API's Cognito
 * authorizer passes on), and removes the code from the address bar.
 */
export async function completeCognitoSignIn(cfg: ConsoleConfig): Promise<string | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code || !cfg.cognito) return null;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', location.pathname + location.hash);
  if (!saved || saved.state !== params.get('state')) return 'The sign-in answer did not match; try again.';
  const res = await fetch(`${cognitoBase(cfg.cognito.domain)}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: cfg.cognito.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier,
    }),
  });
  if (!res.ok) return `Cognito refused the sign-in (HTTP ${res.status}).`;
  const tokens = (await res.json()) as { id_token?: string };
  if (!tokens.id_token) return 'Cognito answered without an ID token.';
  setToken(tokens.id_token);
  return null;
}

export function cognitoSignOutUrl(cfg: ConsoleConfig): string | null {
  if (!cfg.cognito) return null;
  const q = new URLSearchParams({ client_id: cfg.cognito.clientId, logout_uri: redirectUri() });
  return `${cognitoBase(cfg.cognito.domain)}/logout?${q}`;
}
