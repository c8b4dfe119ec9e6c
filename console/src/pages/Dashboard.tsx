import { useEffect, useState } from 'preact/hooks';
import { api, query, type Series, type Stats } from '../api.ts';
import { METRICS, SeriesChart, type Metric } from '../Chart.tsx';
import { Alert, capitalize, daysAgo, isoDate, nextDay, num, Scroll, when } from '../ui.tsx';

type Granularity = 'day' | 'week' | 'month';
const PRESETS: { id: string; label: string; from: () => string | undefined; granularity?: Granularity }[] = [
  { id: '30d', label: 'Last 30 days', from: () => daysAgo(29), granularity: 'day' },
  { id: '12w', label: 'Last 12 weeks', from: () => daysAgo(7 * 12 - 1), granularity: 'week' },
  { id: '12m', label: 'Last 12 months', from: () => daysAgo(365), granularity: 'month' },
  { id: 'all', label: 'All time', from: () => undefined },
  { id: 'custom', label: 'Custom range', from: () => undefined },
];

/** The last day of a range whose `to` is exclusive. */
function lastDay(to: string): string {
  const [y, m, d] = to.split('-').map(Number);
  return isoDate(new Date(y!, m! - 1, d! - 1));
}

export function Dashboard(props: { userId: string; title: string; own?: boolean }) {
  const [preset, setPreset] = useState('30d');
  const [from, setFrom] = useState(daysAgo(29));
  const [to, setTo] = useState('');
  const [granularity, setGranularity] = useState<Granularity>('day');
  const [metric, setMetric] = useState<Metric>('durationMinutes');
  const [stats, setStats] = useState<Stats | null>(null);
  const [series, setSeries] = useState<Series | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const id = encodeURIComponent(props.userId);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    const range = { from: from || undefined, to: to ? nextDay(to) : undefined };
    Promise.all([
      api<Stats>('GET', `/stats/${id}${query(range)}`),
      api<Series>('GET', `/stats/${id}/timeseries${query({ granularity, ...range })}`),
    ])
      .then(([s, t]) => {
        if (!live) return;
        setStats(s.body);
        setSeries(t.body);
      })
      .catch((e: unknown) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [id, from, to, granularity]);

  const choosePreset = (value: string) => {
    setPreset(value);
    const p = PRESETS.find((x) => x.id === value);
    if (!p || value === 'custom') return;
    setFrom(p.from() ?? '');
    setTo('');
    if (p.granularity) setGranularity(p.granularity);
  };
  const metricLabel = METRICS.find(([m]) => m === metric)?.[1] ?? '';

  return (
    <section aria-busy={loading}>
      <h1 tabIndex={-1}>{props.title}</h1>
      <form class="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Period">
        <div class="field">
          <label for="dash-range">Range</label>
          <select id="dash-range" value={preset} onChange={(e) => choosePreset(e.currentTarget.value)}>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        {preset === 'custom' && (
          <>
            <div class="field">
              <label for="dash-from">From</label>
              <input
                id="dash-from"
                type="date"
                value={from}
                onChange={(e) => setFrom(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="dash-to">To (inclusive)</label>
              <input id="dash-to" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
            </div>
          </>
        )}
      </form>
      <Alert error={error} />
      {stats && (
        <dl class="totals" data-testid="totals">
          <div>
            <dt>Workouts</dt>
            <dd>{num(stats.totalWorkouts)}</dd>
          </div>
          <div>
            <dt>Minutes</dt>
            <dd>{num(stats.totalDurationMinutes)}</dd>
          </div>
          <div>
            <dt>Calories</dt>
            <dd>{num(stats.totalCaloriesBurned)}</dd>
          </div>
          <div>
            <dt>Distance (km)</dt>
            <dd>{num(stats.totalDistanceKm)}</dd>
          </div>
          <div>
            <dt>Average minutes</dt>
            <dd>{num(stats.averageDurationMinutes)}</dd>
          </div>
          <div>
            <dt>Average calories</dt>
            <dd>{num(stats.averageCaloriesBurned)}</dd>
          </div>
        </dl>
      )}

      <section class="card" aria-labelledby="chart-title">
        <h2 id="chart-title">
          {metricLabel} by {granularity}
        </h2>
        <div class="toolbar">
          <div class="field">
            <label for="dash-metric">Metric</label>
            <select
              id="dash-metric"
              value={metric}
              onChange={(e) => setMetric(e.currentTarget.value as Metric)}
            >
              {METRICS.map(([m, l]) => (
                <option key={m} value={m}>
                  {l}
                </option>
              ))}
            </select>
          </div>
          <fieldset class="segmented">
            <legend>Group by</legend>
            {(['day', 'week', 'month'] as const).map((g) => (
              <label key={g}>
                <input
                  type="radio"
                  name="granularity"
                  value={g}
                  checked={granularity === g}
                  onChange={() => setGranularity(g)}
                />
                {capitalize(g)}
              </label>
            ))}
          </fieldset>
        </div>
        {series && (
          <>
            <p class="muted">
              {series.from && series.to ? `${series.from} to ${lastDay(series.to)}` : ''}
              {series.timezone ? ` (${series.timezone})` : ''}
            </p>
            <SeriesChart
              buckets={series.buckets}
              metric={metric}
              granularity={series.granularity}
              label={metricLabel}
              from={series.from}
              to={series.to}
            />
          </>
        )}
      </section>

      {stats && (
        <div class="columns">
          <section class="card" aria-labelledby="types-title">
            <h2 id="types-title">By type</h2>
            {Object.keys(stats.workoutTypeBreakdown).length === 0 ? (
              <p class="empty">No workouts yet.</p>
            ) : (
              <Scroll label="Workouts by type">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Type</th>
                      <th scope="col" class="num">
                        Workouts
                      </th>
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
                    {Object.entries(stats.workoutTypeBreakdown)
                      .sort((a, b) => b[1].count - a[1].count)
                      .map(([type, t]) => (
                        <tr key={type}>
                          <th scope="row">{capitalize(type)}</th>
                          <td class="num">{num(t.count)}</td>
                          <td class="num">{num(t.durationMinutes)}</td>
                          <td class="num">{num(t.caloriesBurned)}</td>
                          <td class="num">{num(t.distanceKm)}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </Scroll>
            )}
          </section>
          <section class="card" aria-labelledby="recent-title">
            <h2 id="recent-title">Newest workouts</h2>
            {stats.recentWorkouts.length === 0 ? (
              <p class="empty">No workouts yet.</p>
            ) : (
              <ol class="recent">
                {stats.recentWorkouts.slice(0, 10).map((w) => (
                  <li key={w.workoutId}>
                    {props.own ? (
                      <a href={`#/workouts/${encodeURIComponent(w.workoutId)}`}>
                        {capitalize(w.workoutType)}
                      </a>
                    ) : (
                      <strong>{capitalize(w.workoutType)}</strong>
                    )}{' '}
                    <span class="muted">
                      {when(w.startedAt)} · {num(w.durationMinutes)} min
                      {w.distanceKm !== undefined ? ` · ${num(w.distanceKm)} km` : ''}
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
      )}
    </section>
  );
}
