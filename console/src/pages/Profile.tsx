import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiProblem, exportAll, type Profile as ProfileT } from '../api.ts';
import { Alert, describedBy, errorsByPath, Field, Status } from '../ui.tsx';

interface Values {
  displayName: string;
  weightKg: string;
  timezone: string;
}

const valuesOf = (p: ProfileT | null): Values => ({
  displayName: p?.displayName ?? '',
  weightKg: p?.weightKg === undefined ? '' : String(p.weightKg),
  timezone: p?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC',
});

function zones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? [];
}

export function Profile(props: { me: string; onErased: () => void }) {
  const path = `/users/${encodeURIComponent(props.me)}`;
  const [profile, setProfile] = useState<ProfileT | null>(null);
  const [exists, setExists] = useState<boolean | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [values, setValues] = useState<Values>(valuesOf(null));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [confirmId, setConfirmId] = useState('');
  const [exporting, setExporting] = useState(false);
  const zoneList = useMemo(zones, []);

  useEffect(() => {
    api<ProfileT>('GET', path).then(
      (a) => {
        setProfile(a.body);
        setEtag(a.etag);
        setValues(valuesOf(a.body));
        setExists(true);
      },
      (e: unknown) => {
        if (e instanceof ApiProblem && e.status === 404) setExists(false);
        else setError(e);
      },
    );
  }, []);

  const set = (k: keyof Values) => (e: Event) =>
    setValues({ ...values, [k]: (e.currentTarget as HTMLInputElement).value });

  const save = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    setError(null);
    setStatus(null);
    const weight = values.weightKg.trim();
    const n = Number(weight.replace(',', '.'));
    const body: Record<string, unknown> = {
      displayName: values.displayName,
      timezone: values.timezone.trim(),
      weightKg: weight === '' ? (exists ? null : undefined) : Number.isFinite(n) ? n : weight,
    };
    if (body.weightKg === undefined) delete body.weightKg;
    try {
      const a = exists
        ? await api<ProfileT>('PATCH', path, { body, ifMatch: etag })
        : await api<ProfileT>('POST', '/users', { body });
      setProfile(a.body);
      setEtag(a.etag);
      setValues(valuesOf(a.body));
      setExists(true);
      setStatus('Profile saved.');
    } catch (err) {
      if (err instanceof ApiProblem && err.errors.length) setErrors(errorsByPath(err.errors));
      setError(
        err instanceof ApiProblem && err.status === 412
          ? 'The profile changed since this page loaded; reload the page and try again.'
          : err,
      );
    }
  };

  const download = async () => {
    setExporting(true);
    setError(null);
    try {
      const text = await exportAll(props.me);
      const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `workout-log-${props.me}.ndjson`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setStatus(`Exported ${Math.max(0, text.trim().split('\n').length - 1)} workouts.`);
    } catch (e) {
      setError(e);
    } finally {
      setExporting(false);
    }
  };

  const erase = async (e: Event) => {
    e.preventDefault();
    try {
      await api('DELETE', path);
      props.onErased();
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 404) props.onErased();
      else setError(err);
    }
  };

  return (
    <section>
      <h1 tabIndex={-1}>Profile</h1>
      <Alert error={error} />
      {status && <Status>{status}</Status>}
      {exists === false && (
        <p class="muted">
          You have no profile yet: workouts use UTC and a 70 kg estimate until you save one.
        </p>
      )}
      {exists !== null && (
        <form class="card" noValidate onSubmit={save}>
          <Field name="displayName" label="Name" error={errors.displayName}>
            <input
              {...describedBy('displayName', errors.displayName)}
              autoComplete="name"
              value={values.displayName}
              onInput={set('displayName')}
            />
          </Field>
          <Field name="weightKg" label="Weight (kg)" error={errors.weightKg}>
            <input
              {...describedBy('weightKg', errors.weightKg)}
              inputMode="decimal"
              value={values.weightKg}
              onInput={set('weightKg')}
            />
          </Field>
          <Field
            name="timezone"
            label="Time zone"
            error={errors.timezone}
            hint="An IANA zone, e.g. Europe/Lisbon"
          >
            <input
              {...describedBy('timezone', errors.timezone, true)}
              list="zones"
              autoComplete="off"
              value={values.timezone}
              onInput={set('timezone')}
            />
            <datalist id="zones">
              {zoneList.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </Field>
          <button type="submit">{exists ? 'Save profile' : 'Create profile'}</button>
          {profile && <p class="muted">User id: {profile.userId}</p>}
        </form>
      )}
      <section class="card" aria-labelledby="export-title">
        <h2 id="export-title">Export</h2>
        <p>Everything stored for you, as NDJSON: your profile, then every workout, oldest first.</p>
        <button type="button" class="secondary" disabled={exporting} onClick={() => void download()}>
          {exporting ? 'Exporting…' : 'Export my data'}
        </button>
      </section>
      <section class="card danger-zone" aria-labelledby="erase-title">
        <h2 id="erase-title">Erase my account</h2>
        <p>Deletes your profile, every workout and every statistic. This cannot be undone.</p>
        <form onSubmit={erase}>
          <div class="field">
            <label for="erase-confirm">Type your user id ({props.me}) to confirm</label>
            <input
              id="erase-confirm"
              autoComplete="off"
              value={confirmId}
              onInput={(e) => setConfirmId(e.currentTarget.value)}
            />
          </div>
          <button type="submit" class="danger" disabled={confirmId !== props.me}>
            Erase everything
          </button>
        </form>
      </section>
    </section>
  );
}
