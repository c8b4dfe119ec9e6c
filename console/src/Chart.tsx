/** A bar chart of time-series buckets (uPlot on a canvas) with its data as a table beside it. */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import type { Bucket } from './api.ts';
import { num, Scroll } from './ui.tsx';

export type Metric = 'count' | 'durationMinutes' | 'caloriesBurned' | 'distanceKm';
export const METRICS: [Metric, string][] = [
  ['count', 'Workouts'],
  ['durationMinutes', 'Minutes'],
  ['caloriesBurned', 'Calories'],
  ['distanceKm', 'Distance (km)'],
];
const STEP = { day: 86_400, week: 7 * 86_400, month: 30.4 * 86_400 };

/** A bucket's `YYYY-MM-DD` start as local midnight, in seconds (uPlot's time unit). */
function seconds(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y!, m! - 1, d!).getTime() / 1000;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function SeriesChart(props: {
  buckets: Bucket[];
  metric: Metric;
  granularity: 'day' | 'week' | 'month';
  label: string;
  /** The series' span (`YYYY-MM-DD`, `to` exclusive), so the axis shows the whole range. */
  from?: string;
  to?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const { buckets, metric, granularity } = props;
  // The colours come from CSS variables: redraw when the system switches light/dark.
  const [scheme, setScheme] = useState(0);
  useEffect(() => {
    const media = matchMedia('(prefers-color-scheme: dark)');
    const redraw = () => setScheme((n) => n + 1);
    media.addEventListener('change', redraw);
    return () => media.removeEventListener('change', redraw);
  }, []);

  useEffect(() => {
    const el = box.current;
    if (!el || buckets.length === 0) return;
    const step = STEP[granularity];
    const xs = buckets.map((b) => seconds(b.start));
    const ys = buckets.map((b) => b[metric] ?? 0);
    const lo = Math.min(props.from ? seconds(props.from) : Infinity, xs[0]!) - step / 2;
    const hi = Math.max(props.to ? seconds(props.to) - step : -Infinity, xs[xs.length - 1]!) + step / 2;
    const text = cssVar('--fg', '#222');
    const grid = cssVar('--line', '#ddd');
    const accent = cssVar('--accent', '#2563eb');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const u = new uPlot(
      {
        width: Math.max(el.clientWidth, 200),
        height: 240,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: true, range: () => [lo, hi] },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        axes: [axis, { ...axis, size: 56 }],
        series: [
          {},
          {
            label: props.label,
            stroke: accent,
            fill: accent + 'cc',
            width: 1,
            points: { show: false },
            paths: uPlot.paths.bars!({ size: [0.7, 48], align: 0 }),
          },
        ],
      },
      [xs, ys],
      el,
    );
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(el.clientWidth, 200), height: 240 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
    };
  }, [buckets, metric, granularity, props.from, props.to, scheme]);

  const label = METRICS.find(([m]) => m === metric)?.[1] ?? metric;
  if (buckets.length === 0) return <p class="empty">No workouts in this range.</p>;
  const total = buckets.reduce((s, b) => s + (b[metric] ?? 0), 0);
  return (
    <figure class="chart">
      <div
        ref={box}
        class="chart-canvas"
        role="img"
        aria-label={`Bar chart: ${label.toLowerCase()} by ${granularity}, ${buckets.length} ${granularity}s with workouts, ${num(total)} in all. The table below lists every value.`}
      />
      <details class="chart-data">
        <summary>Chart data as a table</summary>
        <Scroll label="Chart data">
          <table data-testid="chart-table">
            <caption class="sr-only">
              {label} by {granularity}
            </caption>
            <thead>
              <tr>
                <th scope="col">
                  {granularity === 'day' ? 'Day' : granularity === 'week' ? 'Week of' : 'Month'}
                </th>
                {METRICS.map(([m, l]) => (
                  <th scope="col" key={m} class="num">
                    {l}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {buckets.map((b) => (
                <tr key={b.start}>
                  <th scope="row">{granularity === 'month' ? b.start.slice(0, 7) : b.start}</th>
                  {METRICS.map(([m]) => (
                    <td key={m} class="num">
                      {num(b[m])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      </details>
    </figure>
  );
}
