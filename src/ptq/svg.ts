/**
 * Dependency-free SVG charts for the PTQ outputs: a line chart (accuracy vs bit width, one line per
 * series, a dashed baseline, legend, gridlines, labelled axes) and a horizontal box plot on a
 * log2 axis with a shaded band per row (value distributions vs the range a fixed type covers).
 * Text is escaped; elements carry classes / data attributes so tests and tools can find them.
 */

/** Escape text for SVG/XML content and attributes. @example esc('a<b & "c"') // 'a&lt;b &amp; &quot;c&quot;' */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Ten distinguishable colours (Tableau 10). */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

const num = (x: number): string => (Math.round(x * 100) / 100).toString();

/** Rough text width in px for the 12px sans-serif used here. */
function textWidth(s: string, px = 12): number {
  return s.length * px * 0.6;
}

/** "Nice" tick values covering [lo, hi] with about `count` ticks. @example niceTicks(0, 100, 5) // [0, 20, 40, 60, 80, 100] */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/** One line of a {@link lineChartSvg}. */
export interface LineSeries {
  name: string;
  /**
   * `err`: an error bar from `err[0]` to `err[1]` (y units, e.g. a binomial 68 % interval);
   * `overflows`: values that wrapped or saturated at this point (> 0 draws a marker).
   */
  points: { x: number; y: number; label?: string; err?: [number, number]; overflows?: number }[];
  /** Draw markers only, no line (a scatter). */
  scatter?: boolean;
  /** Larger, outlined markers (e.g. the chosen point). */
  highlight?: boolean;
}

/** Options of {@link lineChartSvg}. */
export interface LineChartOptions {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** A horizontal dashed reference line (e.g. the float accuracy). */
  baseline?: { y: number; label: string };
  /** More horizontal reference lines (e.g. an accuracy target), dash-dotted. */
  lines?: { y: number; label: string }[];
  /**
   * The chance level (e.g. 100/classes %), dotted. When it lies below the plotted range (which it
   * does not widen), a note at the bottom of the plot says where it is.
   */
  chance?: { y: number; label: string };
  /** A note under the legend (e.g. what the error bars are). */
  legendNote?: string;
  /** Y range; default: nice bounds around the data and the baseline. */
  yRange?: [number, number];
  /** Limits for the automatic Y range (e.g. [0, 100] for percentages). */
  clamp?: [number, number];
  /** Integer x ticks at every data x (default true when there are ≤ 20 of them). */
  integerX?: boolean;
  width?: number;
  height?: number;
}

/**
 * A line chart as an SVG document.
 *
 * @example
 * const svg = lineChartSvg({ title: 'Accuracy vs bit width', xLabel: 'W', yLabel: 'accuracy (%)',
 *   series: [{ name: 'all tensors', points: [{ x: 8, y: 85 }, { x: 16, y: 87.5 }] }], baseline: { y: 87.5, label: 'float' } });
 */
export function lineChartSvg(o: LineChartOptions): string {
  const W = o.width ?? 820;
  const anyOverflow = o.series.some((s) => s.points.some((p) => (p.overflows ?? 0) > 0));
  const legendItems = [...o.series.map((s) => s.name), ...(o.baseline ? [o.baseline.label] : []), ...(o.lines ?? []).map((l) => l.label), ...(o.chance ? [o.chance.label] : []), ...(anyOverflow ? ['overflowing values'] : [])];
  const H = o.height ?? Math.max(480, 110 + legendItems.length * 18);
  const legendW = Math.min(260, Math.max(120, ...legendItems.map((s) => textWidth(s) + 40)));
  const m = { l: 64, r: legendW + 24, t: o.subtitle ? 58 : 44, b: 52 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const xs = o.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = o.series.flatMap((s) => s.points.flatMap((p) => [p.y, ...(p.err ?? [])])).filter(Number.isFinite);
  if (o.baseline) ys.push(o.baseline.y);
  for (const l of o.lines ?? []) ys.push(l.y);
  let x0 = xs.length ? Math.min(...xs) : 0;
  let x1 = xs.length ? Math.max(...xs) : 1;
  if (x0 === x1) {
    x0 -= 1;
    x1 += 1;
  }
  let [y0, y1] = o.yRange ?? [ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1];
  if (!o.yRange) {
    const pad = Math.max((y1 - y0) * 0.06, 0.5);
    let lo = y0 - pad;
    let hi = y1 + pad;
    if (o.clamp) {
      lo = Math.max(lo, o.clamp[0]);
      hi = Math.min(hi, o.clamp[1]);
    }
    const t = niceTicks(lo, hi, 6);
    const step = t.length > 1 ? t[1]! - t[0]! : 1;
    y0 = Math.floor(lo / step + 1e-9) * step;
    y1 = Math.ceil(hi / step - 1e-9) * step;
    if (o.clamp) {
      y0 = Math.max(y0, o.clamp[0]);
      y1 = Math.min(y1, o.clamp[1]);
    }
  }
  if (y0 === y1) {
    y0 -= 1;
    y1 += 1;
  }
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.t + ph - ((y - y0) / (y1 - y0)) * ph;
  const uniqX = [...new Set(xs)].sort((a, b) => a - b);
  const xTicks = (o.integerX ?? uniqX.length <= 20) ? uniqX : niceTicks(x0, x1, 10);
  const yTicks = niceTicks(y0, y1, 6).filter((v) => v >= y0 - 1e-9 && v <= y1 + 1e-9);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<title>${esc(o.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text class="title" x="${num(m.l + pw / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(o.title)}</text>`);
  if (o.subtitle) out.push(`<text class="subtitle" x="${num(m.l + pw / 2)}" y="40" text-anchor="middle" fill="#555">${esc(o.subtitle)}</text>`);
  // grid + ticks
  out.push('<g class="grid" stroke="#e3e3e3" stroke-width="1">');
  for (const v of yTicks) out.push(`<line x1="${m.l}" y1="${num(sy(v))}" x2="${m.l + pw}" y2="${num(sy(v))}"/>`);
  for (const v of xTicks) out.push(`<line x1="${num(sx(v))}" y1="${m.t}" x2="${num(sx(v))}" y2="${m.t + ph}"/>`);
  out.push('</g>');
  out.push(`<rect class="plot-area" x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push('<g class="x-axis" text-anchor="middle">');
  for (const v of xTicks) out.push(`<text x="${num(sx(v))}" y="${m.t + ph + 16}">${esc(String(v))}</text>`);
  out.push('</g><g class="y-axis" text-anchor="end">');
  for (const v of yTicks) out.push(`<text x="${m.l - 6}" y="${num(sy(v) + 4)}">${esc(String(Math.round(v * 1000) / 1000))}</text>`);
  out.push('</g>');
  out.push(`<text class="x-label" x="${num(m.l + pw / 2)}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text class="y-label" x="16" y="${num(m.t + ph / 2)}" text-anchor="middle" transform="rotate(-90 16 ${num(m.t + ph / 2)})">${esc(o.yLabel)}</text>`);
  // baseline
  if (o.baseline && o.baseline.y >= y0 && o.baseline.y <= y1) {
    out.push(`<line class="baseline" x1="${m.l}" y1="${num(sy(o.baseline.y))}" x2="${m.l + pw}" y2="${num(sy(o.baseline.y))}" stroke="#000" stroke-width="1.5" stroke-dasharray="7 5"><title>${esc(o.baseline.label)}</title></line>`);
  }
  for (const l of o.lines ?? []) {
    if (l.y >= y0 && l.y <= y1) out.push(`<line class="reference" x1="${m.l}" y1="${num(sy(l.y))}" x2="${m.l + pw}" y2="${num(sy(l.y))}" stroke="#d62728" stroke-width="1.2" stroke-dasharray="9 3 2 3"><title>${esc(l.label)}</title></line>`);
  }
  if (o.chance) {
    if (o.chance.y >= y0 && o.chance.y <= y1) {
      out.push(`<line class="chance" data-y="${num(o.chance.y)}" x1="${m.l}" y1="${num(sy(o.chance.y))}" x2="${m.l + pw}" y2="${num(sy(o.chance.y))}" stroke="#7f7f7f" stroke-width="1.2" stroke-dasharray="2 3"><title>${esc(o.chance.label)}</title></line>`);
    } else {
      out.push(`<text class="chance" data-y="${num(o.chance.y)}" x="${m.l + 6}" y="${m.t + ph - 6}" fill="#7f7f7f" font-size="11">${esc(`${o.chance.label}: ${o.chance.y < y0 ? 'below' : 'above'} the plotted range`)}</text>`);
    }
  }
  // series
  o.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const dash = DASHES[Math.floor(i / PALETTE.length) % DASHES.length]!;
    const pts = s.points.filter((p) => Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
    out.push(`<g class="series" data-series="${esc(s.name)}">`);
    if (pts.length > 1 && !s.scatter) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${pts.map((p) => `${num(sx(p.x))},${num(sy(p.y))}`).join(' ')}"/>`);
    }
    for (const p of pts) {
      if (p.err && Number.isFinite(p.err[0]) && Number.isFinite(p.err[1])) {
        const x = num(sx(p.x));
        const a = num(sy(Math.max(y0, Math.min(y1, p.err[0]))));
        const b = num(sy(Math.max(y0, Math.min(y1, p.err[1]))));
        out.push(`<path class="error-bar" data-lo="${num(p.err[0])}" data-hi="${num(p.err[1])}" d="M${x} ${a}V${b}M${num(sx(p.x) - 3)} ${a}h6M${num(sx(p.x) - 3)} ${b}h6" stroke="${color}" stroke-width="1.2" fill="none"/>`);
      }
      const r = s.highlight ? 6 : 3.5;
      out.push(`<circle cx="${num(sx(p.x))}" cy="${num(sy(p.y))}" r="${r}" fill="${color}"${s.highlight ? ' stroke="#000" stroke-width="1.5"' : ''}><title>${esc(p.label ?? `${s.name}: ${p.x} → ${p.y}`)}</title></circle>`);
      if ((p.overflows ?? 0) > 0) {
        const cx = sx(p.x);
        const cy = sy(p.y);
        out.push(`<path class="overflow-marker" data-overflows="${p.overflows}" d="M${num(cx - 6)} ${num(cy - 6)}L${num(cx + 6)} ${num(cy + 6)}M${num(cx - 6)} ${num(cy + 6)}L${num(cx + 6)} ${num(cy - 6)}" stroke="#d62728" stroke-width="2"><title>${esc(`${p.overflows} overflowing values`)}</title></path>`);
      }
    }
    out.push('</g>');
  });
  // legend
  const lx = m.l + pw + 16;
  let ly = m.t + 8;
  out.push(`<g class="legend">`);
  o.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const dash = DASHES[Math.floor(i / PALETTE.length) % DASHES.length]!;
    out.push(`<g class="legend-entry" data-series="${esc(s.name)}"><line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/><circle cx="${lx + 12}" cy="${ly}" r="3.5" fill="${color}"/><text x="${lx + 30}" y="${ly + 4}">${esc(s.name)}</text></g>`);
    ly += 18;
  });
  if (o.baseline) {
    out.push(`<g class="legend-entry" data-series="baseline"><line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="#000" stroke-width="1.5" stroke-dasharray="7 5"/><text x="${lx + 30}" y="${ly + 4}">${esc(o.baseline.label)}</text></g>`);
    ly += 18;
  }
  for (const l of o.lines ?? []) {
    out.push(`<g class="legend-entry" data-series="reference"><line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="#d62728" stroke-width="1.2" stroke-dasharray="9 3 2 3"/><text x="${lx + 30}" y="${ly + 4}">${esc(l.label)}</text></g>`);
    ly += 18;
  }
  if (o.chance) {
    out.push(`<g class="legend-entry" data-series="chance"><line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="#7f7f7f" stroke-width="1.2" stroke-dasharray="2 3"/><text x="${lx + 30}" y="${ly + 4}">${esc(o.chance.label)}</text></g>`);
    ly += 18;
  }
  if (anyOverflow) {
    out.push(`<g class="legend-entry" data-series="overflow"><path d="M${lx + 6} ${ly - 6}L${lx + 18} ${ly + 6}M${lx + 6} ${ly + 6}L${lx + 18} ${ly - 6}" stroke="#d62728" stroke-width="2"/><text x="${lx + 30}" y="${ly + 4}">overflowing values</text></g>`);
    ly += 18;
  }
  if (o.legendNote) {
    const words = o.legendNote.split(' ');
    let line = '';
    const maxChars = Math.max(12, Math.floor((legendW - 4) / 6.6));
    for (const w of words) {
      if ((line + ' ' + w).trim().length > maxChars && line) {
        out.push(`<text class="legend-note" x="${lx}" y="${ly + 4}" font-size="11" fill="#555">${esc(line)}</text>`);
        ly += 14;
        line = w;
      } else line = (line + ' ' + w).trim();
    }
    if (line) out.push(`<text class="legend-note" x="${lx}" y="${ly + 4}" font-size="11" fill="#555">${esc(line)}</text>`);
  }
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** One row of a {@link boxPlotSvg}. */
export interface BoxRow {
  label: string;
  /** Data attribute for tools (e.g. the layer name). */
  key?: string;
  /** min/q1/median/q3/max on the plotted (log2) axis; absent when there is nothing to plot. */
  box?: { min: number; q1: number; median: number; q3: number; max: number };
  /** The shaded range behind the box, on the same axis. */
  band?: { lo: number; hi: number; label: string };
  /** Text after the label (e.g. '62% zeros'). */
  note?: string;
}

/** Options of {@link boxPlotSvg}. */
export interface BoxPlotOptions {
  title: string;
  subtitle?: string;
  xLabel: string;
  rows: BoxRow[];
  /** Legend text for the band. */
  bandLegend?: string;
  width?: number;
}

/**
 * Horizontal box plots, one row each, over a shared axis in log2 units (ticks are labelled 2^k),
 * with an optional shaded band per row drawn behind the box.
 *
 * @example
 * boxPlotSvg({ title: 'Weights', xLabel: '|x|', rows: [{ label: 'conv1 weight', box: { min: -9, q1: -4, median: -3, q3: -2, max: 0 }, band: { lo: -10, hi: 5, label: 'fixed<16,6>' } }] });
 */
export function boxPlotSvg(o: BoxPlotOptions): string {
  const rowH = 24;
  const labelW = Math.max(80, ...o.rows.map((r) => textWidth(r.label) + 12));
  const noteW = Math.max(0, ...o.rows.map((r) => (r.note ? textWidth(r.note, 11) + 12 : 0)));
  const W = o.width ?? Math.max(760, labelW + noteW + 560);
  const m = { l: labelW + 10, r: noteW + 20, t: o.subtitle ? 60 : 46, b: 78 };
  const pw = W - m.l - m.r;
  const ph = rowH * Math.max(1, o.rows.length);
  const H = m.t + ph + m.b;
  const vals: number[] = [];
  for (const r of o.rows) {
    if (r.box) vals.push(r.box.min, r.box.max);
    if (r.band) vals.push(r.band.lo, r.band.hi);
  }
  const finite = vals.filter(Number.isFinite);
  let x0 = finite.length ? Math.floor(Math.min(...finite)) - 1 : -8;
  let x1 = finite.length ? Math.ceil(Math.max(...finite)) + 1 : 8;
  if (x1 - x0 < 4) {
    x0 -= 2;
    x1 += 2;
  }
  const sx = (x: number) => m.l + ((Math.min(Math.max(x, x0), x1) - x0) / (x1 - x0)) * pw;
  const step = Math.max(1, Math.ceil((x1 - x0) / 16));
  const ticks: number[] = [];
  for (let k = Math.ceil(x0 / step) * step; k <= x1; k += step) ticks.push(k);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<title>${esc(o.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text class="title" x="${num(W / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(o.title)}</text>`);
  if (o.subtitle) out.push(`<text class="subtitle" x="${num(W / 2)}" y="40" text-anchor="middle" fill="#555">${esc(o.subtitle)}</text>`);
  out.push('<g class="grid" stroke="#e3e3e3" stroke-width="1">');
  for (const k of ticks) out.push(`<line x1="${num(sx(k))}" y1="${m.t}" x2="${num(sx(k))}" y2="${m.t + ph}"/>`);
  out.push('</g>');
  o.rows.forEach((r, i) => {
    const yc = m.t + i * rowH + rowH / 2;
    const key = r.key ?? r.label;
    out.push(`<text class="row-label" x="${m.l - 8}" y="${num(yc + 4)}" text-anchor="end">${esc(r.label)}</text>`);
    if (r.band) {
      out.push(`<rect class="band" data-row="${esc(key)}" x="${num(sx(r.band.lo))}" y="${num(yc - rowH / 2 + 1)}" width="${num(Math.max(0, sx(r.band.hi) - sx(r.band.lo)))}" height="${rowH - 2}" fill="#9ecae1" fill-opacity="0.45"><title>${esc(r.band.label)}</title></rect>`);
    }
    if (r.box) {
      const b = r.box;
      const bh = rowH * 0.55;
      out.push(`<g class="box" data-row="${esc(key)}" stroke="#333" stroke-width="1.2">`);
      out.push(`<title>${esc(`${r.label}: |x| min 2^${b.min.toFixed(2)}, q1 2^${b.q1.toFixed(2)}, median 2^${b.median.toFixed(2)}, q3 2^${b.q3.toFixed(2)}, max 2^${b.max.toFixed(2)}`)}</title>`);
      out.push(`<line x1="${num(sx(b.min))}" y1="${num(yc)}" x2="${num(sx(b.q1))}" y2="${num(yc)}"/><line x1="${num(sx(b.q3))}" y1="${num(yc)}" x2="${num(sx(b.max))}" y2="${num(yc)}"/>`);
      out.push(`<line x1="${num(sx(b.min))}" y1="${num(yc - bh / 3)}" x2="${num(sx(b.min))}" y2="${num(yc + bh / 3)}"/><line x1="${num(sx(b.max))}" y1="${num(yc - bh / 3)}" x2="${num(sx(b.max))}" y2="${num(yc + bh / 3)}"/>`);
      out.push(`<rect x="${num(sx(b.q1))}" y="${num(yc - bh / 2)}" width="${num(Math.max(1, sx(b.q3) - sx(b.q1)))}" height="${num(bh)}" fill="#fdae6b"/>`);
      out.push(`<line x1="${num(sx(b.median))}" y1="${num(yc - bh / 2)}" x2="${num(sx(b.median))}" y2="${num(yc + bh / 2)}" stroke="#000" stroke-width="2"/>`);
      out.push('</g>');
    }
    if (r.note) out.push(`<text class="row-note" x="${m.l + pw + 8}" y="${num(yc + 4)}" font-size="11" fill="#555">${esc(r.note)}</text>`);
  });
  out.push(`<rect class="plot-area" x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push('<g class="x-axis" text-anchor="middle">');
  for (const k of ticks) out.push(`<text x="${num(sx(k))}" y="${m.t + ph + 16}">2<tspan dy="-5" font-size="9">${k}</tspan></text>`);
  out.push('</g>');
  out.push(`<text class="x-label" x="${num(m.l + pw / 2)}" y="${m.t + ph + 38}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  const ly = m.t + ph + 58;
  out.push(`<g class="legend" font-size="11">`);
  out.push(`<g class="legend-entry"><rect x="${m.l}" y="${ly - 8}" width="18" height="10" fill="#fdae6b" stroke="#333"/><text x="${m.l + 24}" y="${ly + 1}">box: quartiles of |x| ≠ 0, line: median, whiskers: min / max</text></g>`);
  if (o.bandLegend) out.push(`<g class="legend-entry"><rect x="${m.l}" y="${ly + 8}" width="18" height="10" fill="#9ecae1" fill-opacity="0.45"/><text x="${m.l + 24}" y="${ly + 17}">${esc(o.bandLegend)}</text></g>`);
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}
