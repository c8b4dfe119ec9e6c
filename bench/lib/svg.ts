/**
 * Line charts as plain SVG text: no browser, no canvas, no dependency. Enough for benchmark
 * figures: panels side by side, each with axes, ticks, a grid and a legend.
 */

export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  points: [number, number][];
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Categorical x: points are placed at equal steps in this order (e.g. concurrency 1, 4, 16, 64). */
  xTicks: number[];
  logY?: boolean;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 0.001; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min / 1.0001 && v <= max * 1.0001) ticks.push(v);
    }
  }
  return ticks.length >= 2 ? ticks : [min, max];
}

const label = (v: number) => (v >= 1000 ? `${v / 1000}k` : String(v));

function panel(p: Panel, x0: number, y0: number, w: number, h: number): string {
  const m = { left: 62, right: 16, top: 30, bottom: 46 };
  const pw = w - m.left - m.right;
  const ph = h - m.top - m.bottom;
  const ys = p.series.flatMap((s) => s.points.map((pt) => pt[1])).filter((v) => Number.isFinite(v) && v > 0);
  const yMax = Math.max(...ys, 1);
  const yMin = Math.min(...ys, yMax);
  const yTicks = p.logY ? logTicks(10 ** Math.floor(Math.log10(yMin)), yMax) : niceTicks(yMax);
  const top = yTicks[yTicks.length - 1]!;
  const bottom = p.logY ? yTicks[0]! : 0;
  const sy = (v: number) =>
    p.logY
      ? m.top + ph - ((Math.log10(v) - Math.log10(bottom)) / (Math.log10(top) - Math.log10(bottom))) * ph
      : m.top + ph - ((v - bottom) / (top - bottom)) * ph;
  const sx = (x: number) => {
    const i = p.xTicks.indexOf(x);
    return m.left + (p.xTicks.length === 1 ? pw / 2 : (i / (p.xTicks.length - 1)) * pw);
  };
  const out: string[] = [`<g transform="translate(${x0},${y0})">`];
  out.push(
    `<text x="${m.left + pw / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`,
  );
  for (const t of yTicks) {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(
      `<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${label(t)}</text>`,
    );
  }
  for (const x of p.xTicks) {
    const xx = sx(x).toFixed(1);
    out.push(`<line x1="${xx}" x2="${xx}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${xx}" y="${m.top + ph + 16}" text-anchor="middle">${x}</text>`);
  }
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
    `<text x="${m.left + pw / 2}" y="${h - 8}" text-anchor="middle">${esc(p.xLabel)}</text>`,
    `<text transform="translate(14,${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`,
  );
  for (const s of p.series) {
    const pts = s.points.filter((pt) => Number.isFinite(pt[1]) && (!p.logY || pt[1] > 0));
    const d = pts.map((pt, i) => `${i ? 'L' : 'M'}${sx(pt[0]).toFixed(1)},${sy(pt[1]).toFixed(1)}`).join(' ');
    out.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    for (const pt of pts) {
      out.push(`<circle cx="${sx(pt[0]).toFixed(1)}" cy="${sy(pt[1]).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
  }
  out.push('</g>');
  return out.join('\n');
}

/** Panels side by side, one legend below (series are matched by name across panels). */
export function chart(opts: {
  title: string;
  subtitle?: string;
  panels: Panel[];
  panelWidth?: number;
}): string {
  const pw = opts.panelWidth ?? 460;
  const ph = 340;
  const head = opts.subtitle ? 52 : 36;
  const legendItems = new Map<string, Series>();
  for (const p of opts.panels)
    for (const s of p.series) if (!legendItems.has(s.name)) legendItems.set(s.name, s);
  const perRow = 3;
  const legendRows = Math.ceil(legendItems.size / perRow);
  const width = pw * opts.panels.length;
  const height = head + ph + 12 + legendRows * 20 + 8;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`,
  ];
  if (opts.subtitle) {
    out.push(`<text x="${width / 2}" y="40" text-anchor="middle" fill="#555">${esc(opts.subtitle)}</text>`);
  }
  opts.panels.forEach((p, i) => out.push(panel(p, i * pw, head, pw, ph)));
  [...legendItems.values()].forEach((s, i) => {
    const x = 70 + (i % perRow) * ((width - 100) / perRow);
    const y = head + ph + 16 + Math.floor(i / perRow) * 20;
    out.push(
      `<line x1="${x}" x2="${x + 28}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${x + 34}" y="${y}" dominant-baseline="middle">${esc(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
