/**
 * The console: a hash-routed single-page app (no server routes needed, locally or on S3).
 * Pages: sign in, dashboard, workouts (list, log, open/edit/delete), import, profile, admin.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { apiUrl, configureApi, getToken, readClaims, setToken, type Claims } from './api.ts';
import { cognitoSignOutUrl, completeCognitoSignIn, loadConfig, type ConsoleConfig } from './auth.ts';
import { Admin } from './pages/Admin.tsx';
import { Dashboard } from './pages/Dashboard.tsx';
import { ImportPage } from './pages/Import.tsx';
import { Profile } from './pages/Profile.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { WorkoutDetail, WorkoutList, WorkoutNew } from './pages/Workouts.tsx';
import { currentRoute, navigate } from './nav.ts';

const NAV: [string, string][] = [
  ['dashboard', 'Dashboard'],
  ['workouts', 'Workouts'],
  ['import', 'Import'],
  ['profile', 'Profile'],
];

function App(props: { config: ConsoleConfig; initialError: string | null }) {
  const [route, setRoute] = useState(currentRoute);
  const [claims, setClaims] = useState<Claims | null>(() => {
    const t = getToken();
    return t ? readClaims(t) : null;
  });
  const [notice, setNotice] = useState<string | null>(props.initialError);
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    addEventListener('hashchange', onHash);
    configureApi(props.config.apiUrl ?? '', () => {
      setToken(null);
      setClaims(null);
      setNotice('Your session has ended: sign in again.');
    });
    return () => removeEventListener('hashchange', onHash);
  }, []);

  // Keyboard and screen-reader users land on the new page's heading.
  useEffect(() => {
    main.current?.querySelector('h1')?.focus();
  }, [route.join('/'), claims?.sub]);

  const signedIn = (token: string) => {
    setToken(token);
    setClaims(readClaims(token));
    setNotice(null);
    if (!route[0]) navigate('/dashboard');
  };
  const signOut = () => {
    setToken(null);
    setClaims(null);
    history.replaceState(null, '', location.pathname);
    setRoute([]);
    const url = cognitoSignOutUrl(props.config);
    if (url) location.assign(url);
  };

  const page = route[0] ?? 'dashboard';
  let content;
  if (!claims) content = <SignIn config={props.config} notice={notice} onToken={signedIn} />;
  else if (page === 'workouts' && route[1] === 'new') content = <WorkoutNew />;
  else if (page === 'workouts' && route[1]) content = <WorkoutDetail workoutId={route[1]} />;
  else if (page === 'workouts') content = <WorkoutList />;
  else if (page === 'import') content = <ImportPage />;
  else if (page === 'profile') content = <Profile me={claims.sub} onErased={signOut} />;
  else if (page === 'admin') content = <Admin isAdmin={claims.admin} userId={route[1]} />;
  else content = <Dashboard userId={claims.sub} title="Dashboard" own />;

  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => (e.preventDefault(), main.current?.querySelector('h1')?.focus())}
      >
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Workout log</span>
        {claims && (
          <nav aria-label="Main">
            <ul>
              {NAV.map(([path, label]) => (
                <li key={path}>
                  <a href={`#/${path}`} aria-current={page === path ? 'page' : undefined}>
                    {label}
                  </a>
                </li>
              ))}
              {claims.admin && (
                <li>
                  <a href="#/admin" aria-current={page === 'admin' ? 'page' : undefined}>
                    Admin
                  </a>
                </li>
              )}
              <li>
                <a href={apiUrl('/docs')}>API docs</a>
              </li>
            </ul>
          </nav>
        )}
        {claims && (
          <div class="who">
            <span>
              Signed in as <strong data-testid="who">{claims.sub}</strong>
              {claims.admin ? ' (admin)' : ''}
            </span>
            <button type="button" class="link" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" ref={main}>
        {content}
      </main>
    </>
  );
}

async function start(): Promise<void> {
  const config = await loadConfig();
  let error: string | null = null;
  if (config.mode === 'cognito') error = await completeCognitoSignIn(config);
  render(<App config={config} initialError={error} />, document.getElementById('app')!);
}

void start();
