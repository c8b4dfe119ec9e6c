import { useState } from 'preact/hooks';
import { readClaims } from '../api.ts';
import { cognitoSignIn, localSignIn, type ConsoleConfig } from '../auth.ts';
import { getToken } from '../api.ts';
import { Alert, Status } from '../ui.tsx';

export function SignIn(props: {
  config: ConsoleConfig;
  notice: string | null;
  onToken: (token: string) => void;
}) {
  const [userId, setUserId] = useState('');
  const [admin, setAdmin] = useState(false);
  const [pasted, setPasted] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const { config } = props;

  const local = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await localSignIn(userId.trim(), admin);
      props.onToken(getToken()!);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const paste = (e: Event) => {
    e.preventDefault();
    const t = pasted.trim().replace(/^Bearer\s+/i, '');
    if (!readClaims(t)) return setError('That is not a token with a subject (a JWT with a "sub" claim).');
    props.onToken(t);
  };

  return (
    <section class="signin">
      <h1 tabIndex={-1}>Sign in</h1>
      {props.notice && <Status>{props.notice}</Status>}
      <Alert error={error} />
      {config.mode === 'cognito' && config.cognito && (
        <div class="card">
          <p>Sign in with your account.</p>
          <button type="button" onClick={() => void cognitoSignIn(config.cognito!)}>
            Sign in
          </button>
        </div>
      )}
      {config.mode === 'local' && (
        <form class="card" onSubmit={local}>
          <h2>Local sign-in</h2>
          <p class="muted">
            The local service mints a token for any user id (only on this machine, never on AWS).
          </p>
          <div class="field">
            <label for="signin-user">User id</label>
            <input
              id="signin-user"
              name="userId"
              required
              autoComplete="username"
              pattern="[A-Za-z0-9._\-]{1,128}"
              value={userId}
              onInput={(e) => setUserId(e.currentTarget.value)}
            />
          </div>
          <div class="check">
            <input
              id="signin-admin"
              type="checkbox"
              checked={admin}
              onChange={(e) => setAdmin(e.currentTarget.checked)}
            />
            <label for="signin-admin">Admin (may see other users)</label>
          </div>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      )}
      <form class="card" onSubmit={paste}>
        <h2>Paste a token</h2>
        <div class="field">
          <label for="signin-token">Bearer token</label>
          <textarea
            id="signin-token"
            rows={3}
            value={pasted}
            onInput={(e) => setPasted(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="secondary">
          Use this token
        </button>
      </form>
    </section>
  );
}
