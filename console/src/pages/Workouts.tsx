import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiProblem, query, type Workout } from '../api.ts';
import { navigate } from '../nav.ts';
import { setFlash, takeFlash, workoutTypes } from '../types.ts';
import {
  Alert,
  capitalize,
  describedBy,
  errorsByPath,
  Field,
  localInputToRfc3339,
  nextDay,
  nowLocalInput,
  num,
  rfc3339ToLocalInput,
  Scroll,
  Status,
  when,
} from '../ui.tsx';

const PAGE = 20;

function useTypes(): string[] {
  const [list, setList] = useState<string[]>([]);
  useEffect(() => {
    workoutTypes().then(setList, () => setList([]));
  }, []);
  return list;
}

export function WorkoutList() {
  const types = useTypes();
  const [type, setType] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]); // the cursor of each page seen
  const [items, setItems] = useState<Workout[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice] = useState(takeFlash);
  const cursor = cursors[cursors.length - 1] ?? null;

  useEffect(() => {
    let live = true;
    setError(null);
    api<{ items: Workout[]; nextCursor: string | null }>(
      'GET',
      `/workouts${query({ workoutType: type, from, to: to ? nextDay(to) : '', limit: PAGE, cursor })}`,
    )
      .then((a) => {
        if (!live) return;
        setItems(a.body.items);
        setNext(a.body.nextCursor);
      })
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [type, from, to, cursor]);

  const filter = (set: (v: string) => void) => (e: Event) => {
    set((e.currentTarget as HTMLInputElement).value);
    setCursors([null]);
  };

  return (
    <section>
      <div class="title-row">
        <h1 tabIndex={-1}>Workouts</h1>
        <a class="button" href="#/workouts/new">
          Log a workout
        </a>
      </div>
      {notice && <Status>{notice}</Status>}
      <form class="toolbar" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="list-type">Type</label>
          <select id="list-type" value={type} onChange={filter(setType)}>
            <option value="">All types</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {capitalize(t)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="list-from">From</label>
          <input id="list-from" type="date" value={from} onChange={filter(setFrom)} />
        </div>
        <div class="field">
          <label for="list-to">To (inclusive)</label>
          <input id="list-to" type="date" value={to} onChange={filter(setTo)} />
        </div>
      </form>
      <Alert error={error} />
      {items && items.length === 0 && <p class="empty">No workouts match.</p>}
      {items && items.length > 0 && (
        <Scroll label="Workouts">
          <table class="list" data-testid="workout-list">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Type</th>
                <th scope="col" class="num">
                  Minutes
                </th>
                <th scope="col" class="num">
                  Calories
                </th>
                <th scope="col" class="num">
                  km
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr key={w.workoutId} data-workout-id={w.workoutId}>
                  <td>
                    <a href={`#/workouts/${encodeURIComponent(w.workoutId)}`}>{when(w.startedAt)}</a>
                  </td>
                  <td>{capitalize(w.workoutType)}</td>
                  <td class="num">{num(w.durationMinutes)}</td>
                  <td class="num">{num(w.caloriesBurned)}</td>
                  <td class="num">{num(w.distanceKm)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      <nav class="pager" aria-label="Pages">
        <button
          type="button"
          class="secondary"
          disabled={cursors.length <= 1}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          class="secondary"
          disabled={!next}
          onClick={() => setCursors([...cursors, next])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}

/** The form's text values, by API field. */
interface Values {
  workoutType: string;
  startedAt: string; // datetime-local
  durationMinutes: string;
  caloriesBurned: string;
  distanceKm: string;
  intensity: string;
  avgHeartRate: string;
  notes: string;
}

function valuesOf(w?: Workout): Values {
  const s = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    workoutType: w?.workoutType ?? 'running',
    startedAt: w ? rfc3339ToLocalInput(w.startedAt) : nowLocalInput(),
    durationMinutes: s(w?.durationMinutes),
    caloriesBurned: w && !w.caloriesEstimated ? s(w.caloriesBurned) : '',
    distanceKm: s(w?.distanceKm),
    intensity: w?.intensity ?? 'moderate',
    avgHeartRate: s(w?.avgHeartRate),
    notes: w?.notes ?? '',
  };
}

const LABELS: Record<string, string> = {
  workoutType: 'Workout type',
  startedAt: 'Started at',
  durationMinutes: 'Duration (minutes)',
  caloriesBurned: 'Calories',
  distanceKm: 'Distance (km)',
  intensity: 'Intensity',
  avgHeartRate: 'Average heart rate (bpm)',
  notes: 'Notes',
};

const NUMERIC = new Set(['durationMinutes', 'caloriesBurned', 'distanceKm', 'avgHeartRate']);

/** A typed value: numbers as numbers; anything else as typed, for the server to judge. */
function toApi(field: keyof Values, value: string): unknown {
  const v = value.trim();
  if (field === 'startedAt') return localInputToRfc3339(v);
  if (NUMERIC.has(field)) {
    const n = Number(v.replace(',', '.'));
    return v !== '' && Number.isFinite(n) ? n : v;
  }
  return field === 'notes' ? value : v;
}

/** The body of a POST (every filled field) or of a PATCH (changed fields; a cleared one is null). */
function bodyOf(values: Values, before?: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of Object.keys(values) as (keyof Values)[]) {
    const value = values[key];
    if (before) {
      if (value === before[key]) continue;
      body[key] = value.trim() === '' ? null : toApi(key, value);
    } else if (value.trim() !== '') body[key] = toApi(key, value);
  }
  return body;
}

function WorkoutForm(props: {
  initial?: Workout;
  submitLabel: string;
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  children?: preact.ComponentChildren;
}) {
  const types = useTypes();
  const before = useRef(valuesOf(props.initial));
  const [values, setValues] = useState<Values>(before.current);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    before.current = valuesOf(props.initial);
    setValues(before.current);
  }, [props.initial]);

  const set = (key: keyof Values) => (e: Event) =>
    setValues({ ...values, [key]: (e.currentTarget as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setProblem(null);
    try {
      await props.onSubmit(bodyOf(values, props.initial ? before.current : undefined));
    } catch (err) {
      if (err instanceof ApiProblem && err.errors.length > 0) {
        const byPath = errorsByPath(err.errors);
        if (byPath.durationSeconds && !byPath.durationMinutes)
          byPath.durationMinutes = byPath.durationSeconds;
        setErrors(byPath);
        const named = Object.keys(byPath).filter((k) => k in LABELS);
        const others = err.errors.filter((x) => !(x.path in LABELS) && x.path !== 'durationSeconds');
        const parts = [
          named.length ? `check ${named.map((k) => LABELS[k]).join(', ')}` : '',
          ...others.map((x) => `${x.path} ${x.message}`),
        ].filter(Boolean);
        setProblem(`The workout was not saved: ${parts.join('; ')}.`);
        setTimeout(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      } else setProblem(err);
    } finally {
      setBusy(false);
    }
  };

  const err = (k: string) => errors[k];
  return (
    <form ref={form} class="card workout-form" noValidate onSubmit={submit}>
      <Alert error={problem} />
      <div class="grid">
        <Field name="workoutType" label="Workout type" error={err('workoutType')}>
          <select
            {...describedBy('workoutType', err('workoutType'))}
            value={values.workoutType}
            onChange={set('workoutType')}
          >
            {(types.length ? types : [values.workoutType]).map((t) => (
              <option key={t} value={t}>
                {capitalize(t)}
              </option>
            ))}
          </select>
        </Field>
        <Field name="startedAt" label="Started at" error={err('startedAt')}>
          <input
            type="datetime-local"
            {...describedBy('startedAt', err('startedAt'))}
            value={values.startedAt}
            onInput={set('startedAt')}
          />
        </Field>
        <Field name="durationMinutes" label="Duration (minutes)" error={err('durationMinutes')}>
          <input
            inputMode="decimal"
            {...describedBy('durationMinutes', err('durationMinutes'))}
            value={values.durationMinutes}
            onInput={set('durationMinutes')}
          />
        </Field>
        <Field
          name="caloriesBurned"
          label="Calories"
          error={err('caloriesBurned')}
          hint="Leave empty to estimate"
        >
          <input
            inputMode="decimal"
            {...describedBy('caloriesBurned', err('caloriesBurned'), true)}
            value={values.caloriesBurned}
            onInput={set('caloriesBurned')}
          />
        </Field>
        <Field name="distanceKm" label="Distance (km)" error={err('distanceKm')}>
          <input
            inputMode="decimal"
            {...describedBy('distanceKm', err('distanceKm'))}
            value={values.distanceKm}
            onInput={set('distanceKm')}
          />
        </Field>
        <Field name="intensity" label="Intensity" error={err('intensity')}>
          <select
            {...describedBy('intensity', err('intensity'))}
            value={values.intensity}
            onChange={set('intensity')}
          >
            <option value="low">Low</option>
            <option value="moderate">Moderate</option>
            <option value="high">High</option>
          </select>
        </Field>
        <Field name="avgHeartRate" label="Average heart rate (bpm)" error={err('avgHeartRate')}>
          <input
            inputMode="numeric"
            {...describedBy('avgHeartRate', err('avgHeartRate'))}
            value={values.avgHeartRate}
            onInput={set('avgHeartRate')}
          />
        </Field>
        <Field name="notes" label="Notes" error={err('notes')}>
          <textarea
            rows={2}
            {...describedBy('notes', err('notes'))}
            value={values.notes}
            onInput={set('notes')}
          />
        </Field>
      </div>
      <div class="actions">
        <button type="submit" disabled={busy}>
          {props.submitLabel}
        </button>
        {props.children}
      </div>
    </form>
  );
}

export function WorkoutNew() {
  return (
    <section>
      <h1 tabIndex={-1}>Log a workout</h1>
      <WorkoutForm
        submitLabel="Save workout"
        onSubmit={async (body) => {
          const a = await api<Workout>('POST', '/workouts', { body });
          setFlash(`Workout logged (${capitalize(a.body.workoutType)}, ${num(a.body.durationMinutes)} min).`);
          navigate('/workouts');
        }}
      >
        <a href="#/workouts" class="button secondary">
          Cancel
        </a>
      </WorkoutForm>
    </section>
  );
}

export function WorkoutDetail(props: { workoutId: string }) {
  const [workout, setWorkout] = useState<Workout | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const path = `/workouts/${encodeURIComponent(props.workoutId)}`;

  const load = () =>
    api<Workout>('GET', path).then(
      (a) => {
        setWorkout(a.body);
        setEtag(a.etag);
        setError(null);
      },
      (e: unknown) => setError(e),
    );
  useEffect(() => {
    void load();
  }, [props.workoutId]);

  const stale = (e: unknown) =>
    e instanceof ApiProblem && e.status === 412
      ? new ApiProblem(412, e.code, 'This workout changed since you opened it. Reload it, then try again.')
      : e;

  const remove = async () => {
    try {
      await api('DELETE', path, { ifMatch: etag });
      setFlash('Workout deleted.');
      navigate('/workouts');
    } catch (e) {
      setConfirming(false);
      setError(stale(e));
    }
  };

  return (
    <section>
      <p>
        <a href="#/workouts">← All workouts</a>
      </p>
      <h1 tabIndex={-1}>
        {workout ? `${capitalize(workout.workoutType)}, ${when(workout.startedAt)}` : 'Workout'}
      </h1>
      <Alert error={error} />
      {error instanceof ApiProblem && error.status === 412 && (
        <button type="button" class="secondary" onClick={() => void load()}>
          Reload
        </button>
      )}
      {saved && <Status>{saved}</Status>}
      {workout && (
        <>
          <dl class="facts">
            <div>
              <dt>Local day</dt>
              <dd>{workout.localDate}</dd>
            </div>
            <div>
              <dt>Calories</dt>
              <dd>
                {num(workout.caloriesBurned)}
                {workout.caloriesEstimated ? ' (estimated)' : ''}
              </dd>
            </div>
            <div>
              <dt>Workout id</dt>
              <dd>
                <code>{workout.workoutId}</code>
              </dd>
            </div>
            <div>
              <dt>Updated</dt>
              <dd>{when(workout.updatedAt)}</dd>
            </div>
          </dl>
          <h2>Edit</h2>
          <WorkoutForm
            initial={workout}
            submitLabel="Save changes"
            onSubmit={async (body) => {
              setSaved(null);
              if (Object.keys(body).length === 0) return setSaved('Nothing changed.');
              try {
                const a = await api<Workout>('PATCH', path, { body, ifMatch: etag });
                setWorkout(a.body);
                setEtag(a.etag);
                setSaved('Changes saved.');
              } catch (e) {
                throw stale(e);
              }
            }}
          >
            {!confirming ? (
              <button type="button" class="danger" onClick={() => setConfirming(true)}>
                Delete
              </button>
            ) : (
              <span class="confirm" role="group" aria-label="Confirm deletion">
                <span>Delete this workout?</span>
                <button ref={confirmButton} type="button" class="danger" onClick={() => void remove()}>
                  Yes, delete it
                </button>
                <button type="button" class="secondary" onClick={() => setConfirming(false)}>
                  Keep it
                </button>
              </span>
            )}
          </WorkoutForm>
        </>
      )}
    </section>
  );
}
