/**
 * Scan outputs: the aligned text table printed on stdout, the CSV (one row per series × width),
 * the JSON (the whole {@link ScanResult}), and the SVG plot of accuracy vs bit width with the float
 * baseline dashed. {@link writeScanOutputs} writes them all (plus a PNG when a renderer is installed).
 */
import { join, resolve } from '../platform/path.js';
import { checkOutputDir, checkOutputFile, writeOutputs } from '../io/atomic.js';
import { renderPng } from './png.js';
import type { ScanResult } from './scan.js';
import type { SearchResult, SearchStep } from './search.js';
import { formatCount, objectiveOf } from './cost.js';
import { binomialError, binomialInterval } from './stats.js';
import { lineChartSvg, type LineSeries } from './svg.js';

const pct = (x: number | undefined, digits = 2): string => (x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(digits)}%`);

/**
 * An accuracy with its binomial standard error, in percent: `87.50% ± 1.05`.
 *
 * @example pctPm(0.875, 1000) // '87.50% ± 1.05'
 */
export function pctPm(x: number | undefined, n: number, digits = 2): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  return `${(x * 100).toFixed(digits)}% ± ${(binomialError(x, n) * 100).toFixed(digits)}`;
}

/** The statement of what a series varies and what stays at the baseline (plot titles and tables). */
export function seriesBaselineNote(r: ScanResult): string | undefined {
  const kinds = new Set(r.series.map((s) => s.kind));
  if (kinds.has('homogeneous') && kinds.size === 1) return undefined;
  if (kinds.has('unquantized') && kinds.size === 1) return `trained (QAT) types kept`;
  return `other tensors at the baseline ${r.baseline ?? 'fixed<16,6>'}`;
}

/** Align rows of cells into columns (first row = header, underlined). @example alignTable([['a','b'],['1','2']]) */
export function alignTable(rows: string[][], rightAlign: boolean[] = []): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (rightAlign[i] ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [line(rows[0]!), w.map((n) => '-'.repeat(n)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function typeDesc(r: ScanResult): string {
  const m = r.modes ? `,${r.modes}` : '';
  return r.fractionalBits !== undefined ? `fixed<W,W-${r.fractionalBits}${m}>` : `fixed<W,${r.integerBits ?? 6}${m}>`;
}

function overflowCell(o: Record<string, number>, total: number): string {
  const names = Object.keys(o);
  if (total === 0) return '0';
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  return `${total} (${names.length} layer${names.length === 1 ? '' : 's'}: ${shown})`;
}

/**
 * The scan as a text table: one line per point (accuracy, drop vs float in percentage points,
 * argmax agreement with float, overflowing values and where, seconds).
 *
 * @example console.log(formatScanTable(result));
 */
export function formatScanTable(r: ScanResult): string {
  const note = seriesBaselineNote(r);
  const head = `${r.model}: ${r.n} images, ${r.ioType}, ${typeDesc(r)}${note ? ` (${note})` : ''}; float accuracy ${pctPm(r.float.accuracy, r.n)}${r.classes ? `; chance ${pct(1 / r.classes)}` : ''}`;
  const rows = [['series', 'W', 'type', 'accuracy ± σ', 'Δ float (pp)', 'agree w/ float', 'overflows', 's']];
  for (const s of r.series) {
    for (const p of s.points) {
      if (p.error) {
        rows.push([s.name, String(p.width), p.type, 'error', '', '', p.error.slice(0, 60), p.seconds.toFixed(1)]);
        continue;
      }
      const drop = p.accuracy !== undefined && r.float.accuracy !== undefined ? ((p.accuracy - r.float.accuracy) * 100).toFixed(2) : '-';
      rows.push([s.name, String(p.width), p.type, pctPm(p.accuracy, r.n), drop.startsWith('-') || drop === '-' ? drop : `+${drop}`, pct(p.agreement, 1), overflowCell(p.overflows, p.overflowTotal), p.seconds.toFixed(1)]);
    }
  }
  const speed = r.imagesPerSecond > 0 ? `, ${Math.round(r.imagesPerSecond)} images/s emulated` : '';
  const q = r.qat;
  const qatLine = q
    ? `\nQAT model at its ${q.config}: ${q.error ? `error: ${q.error}` : `accuracy ${pct(q.accuracy)}, agreement with float ${pct(q.agreement, 1)}, ${overflowCell(q.overflows, q.overflowTotal)} overflows`}`
    : '';
  const sigmaNote = r.float.accuracy !== undefined ? `\n± σ: binomial standard error √(p(1−p)/n) on ${r.n} images; differences smaller than about 2σ are not significant` : '';
  return `${head}${qatLine}\n${alignTable(rows, [false, true, false, true, true, true, false, true])}\n${r.series.reduce((n, s) => n + s.points.length, 0)} points in ${r.totalSeconds.toFixed(1)} s${speed}${sigmaNote}`;
}

function csvCell(v: unknown): string {
  const s = v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v)) ? '' : String(v);
  return /[",\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV header of {@link scanToCsv}. */
export const SCAN_CSV_COLUMNS = [
  'series',
  'kind',
  'layer',
  'width',
  'integer_bits',
  'fractional_bits',
  'type',
  'accuracy',
  'float_accuracy',
  'accuracy_drop_pp',
  'agreement',
  'overflow_total',
  'input_overflows',
  'overflow_layers',
  'seconds',
  'images',
  'error',
] as const;

/**
 * One CSV row per series × width; `overflow_layers` is `layer:count;layer:count`, accuracy and
 * agreement are fractions in [0, 1].
 *
 * @example writeFileSync('scan.csv', scanToCsv(result));
 */
export function scanToCsv(r: ScanResult): string {
  const lines = [SCAN_CSV_COLUMNS.join(',')];
  for (const s of r.series) {
    for (const p of s.points) {
      const drop = p.accuracy !== undefined && r.float.accuracy !== undefined ? Math.round((r.float.accuracy - p.accuracy) * 1e6) / 1e4 : undefined;
      const row = [
        s.name,
        s.kind,
        s.layer ?? '',
        p.width,
        p.integerBits,
        p.fractionalBits,
        p.type,
        p.accuracy,
        r.float.accuracy,
        drop,
        p.agreement,
        p.error ? undefined : p.overflowTotal,
        p.error ? undefined : p.inputOverflows,
        Object.entries(p.overflows)
          .map(([k, v]) => `${k}:${v}`)
          .join(';'),
        p.seconds.toFixed(3),
        r.n,
        p.error ?? '',
      ];
      lines.push(row.map(csvCell).join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * The scan plot: accuracy (%) vs bit width, one line per series, the float accuracy dashed
 * (agreement with float instead when there are no labels).
 *
 * @example writeFileSync('scan.svg', scanToSvg(result));
 */
export function scanToSvg(r: ScanResult, title?: string): string {
  const labelled = r.float.accuracy !== undefined;
  const m = r.modes ? `,${r.modes}` : '';
  const xLabel = r.fractionalBits !== undefined ? `bit width W of fixed<W,W−${r.fractionalBits}${m}> (${r.fractionalBits} fractional bits)` : `bit width W of fixed<W,${r.integerBits ?? 6}${m}> (${r.integerBits ?? 6} integer bits incl. sign)`;
  const note = seriesBaselineNote(r);
  return lineChartSvg({
    title: title ?? `${r.model}: ${labelled ? 'accuracy' : 'agreement with float'} vs bit width (PTQ)${note ? `, ${note}` : ''}`,
    subtitle: `${r.n} images · ${r.ioType} · bit-exact hls4ml emulation (hlsemu)`,
    legendNote: `error bars: binomial 68 % interval on ${r.n} images`,
    ...(r.classes ? { chance: { y: 100 / r.classes, label: `chance (${(100 / r.classes).toFixed(0)}%)` } } : {}),
    xLabel,
    yLabel: labelled ? 'accuracy (%)' : 'argmax agreement with float (%)',
    clamp: [0, 100],
    series: r.series.map((s) => ({
      name: s.name,
      points: s.points
        .filter((p) => !p.error)
        .map((p) => {
          const v = labelled ? p.accuracy! : p.agreement!;
          const y = v * 100;
          const [lo, hi] = binomialInterval(v, r.n);
          return { x: p.width, y, err: [lo * 100, hi * 100] as [number, number], overflows: p.overflowTotal, label: `${s.name}, ${p.type}: ${y.toFixed(2)}% ± ${(binomialError(v, r.n) * 100).toFixed(2)}${p.overflowTotal ? `, ${p.overflowTotal} overflows` : ''}` };
        }),
    })),
    ...(labelled ? { baseline: { y: r.float.accuracy! * 100, label: `float (${(r.float.accuracy! * 100).toFixed(2)}%)` } } : { baseline: { y: 100, label: 'float (100%)' } }),
  });
}

/** Paths written by {@link writeScanOutputs}. */
export interface WrittenFiles {
  csv: string;
  json: string;
  svg: string;
  /** Only when a PNG renderer is installed and `png` was asked for. */
  png?: string;
}

/**
 * Check, before a long scan, that {@link writeScanOutputs} can write into `dir`: it is (or can be
 * created as) a directory and none of the output files is a directory.
 *
 * @throws {FileSystemError} naming the path.
 * @example checkScanOutputs('hlsemu-scan');
 */
export function checkScanOutputs(dir: string, opts: { name?: string; png?: boolean } = {}): void {
  checkOutputDir(dir);
  const base = join(resolve(dir), opts.name ?? 'scan');
  for (const ext of ['csv', 'json', 'svg', ...(opts.png ? ['png'] : [])]) checkOutputFile(`${base}.${ext}`);
}

/**
 * Write `<dir>/<name>.csv`, `.json`, `.svg` (and `.png` with `png: true` when `@resvg/resvg-js` is
 * installed). The directory is created. The files are written atomically as a set (staged next to
 * `dir`, then moved into place; see src/io/atomic.ts): on failure nothing is left behind and a
 * {@link FileSystemError} names the offending path.
 *
 * @example const files = await writeScanOutputs(result, 'hlsemu-scan'); console.log(files.svg);
 */
export async function writeScanOutputs(r: ScanResult, dir: string, opts: { name?: string; png?: boolean; title?: string } = {}): Promise<WrittenFiles> {
  const base = join(resolve(dir), opts.name ?? 'scan');
  const files: WrittenFiles = { csv: `${base}.csv`, json: `${base}.json`, svg: `${base}.svg` };
  const svg = scanToSvg(r, opts.title);
  const png = opts.png ? await renderPng(svg) : undefined;
  await writeOutputs((out) => {
    out.file(files.csv, scanToCsv(r));
    out.file(files.json, JSON.stringify(r, null, 2) + '\n');
    out.file(files.svg, svg);
    if (png) {
      files.png = `${base}.png`;
      out.file(files.png, png);
    }
  });
  return files;
}

const OBJECTIVE_UNITS: Record<SearchResult['objective'], { label: string; scale: number }> = {
  bops: { label: 'BOPs (millions; MACs × weight bits × input bits)', scale: 1e-6 },
  dsp: { label: 'DSP48 slices (estimate)', scale: 1 },
  lut: { label: 'LUTs for multipliers (estimate)', scale: 1 },
};

/**
 * The accuracy-vs-cost (Pareto) plot of a per-tensor search: every uniform-F point and every
 * accepted move on the calibration part with binomial 68 % error bars, the non-dominated front,
 * the chosen configs highlighted, float, the target and the chance level.
 *
 * @example writeFileSync('suggest-pareto.svg', searchToSvg(result));
 */
export function searchToSvg(r: SearchResult, classes?: number): string {
  const u = OBJECTIVE_UNITS[r.objective];
  const n = r.split.calibration;
  const pt = (s: SearchStep) => {
    const [lo, hi] = binomialInterval(s.accuracy, n);
    return { x: s.objective * u.scale, y: s.accuracy * 100, err: [lo * 100, hi * 100] as [number, number], overflows: s.overflowTotal, label: `${s.label}: ${(s.accuracy * 100).toFixed(2)}% ± ${(binomialError(s.accuracy, n) * 100).toFixed(2)}, ${formatCount(s.bops)} BOPs` };
  };
  const uni = r.steps.filter((s) => s.kind === 'uniform');
  const moves = r.steps.filter((s) => s.kind === 'move');
  // the non-dominated points (lower cost and higher accuracy) among those that meet the target
  const ok = r.steps.filter((s) => s.accuracy >= r.threshold - 1e-12).sort((a, b) => a.objective - b.objective || b.accuracy - a.accuracy);
  const front: SearchStep[] = [];
  for (const s of ok) if (!front.length || s.accuracy > front[front.length - 1]!.accuracy) front.push(s);
  const uPoint = uni.find((s) => s.fractionalBits === r.uniform.F);
  const sugg = { x: objectiveOf(r.suggested.cost, r.objective)[0] * u.scale, y: r.suggested.accuracy_calibration * 100 };
  const [slo, shi] = binomialInterval(r.suggested.accuracy_calibration, n);
  const series: LineSeries[] = [
    { name: 'uniform F (integer bits from the profile)', points: uni.map(pt) },
    { name: 'search: accepted moves', points: moves.map(pt) },
    { name: 'non-dominated (meets target)', points: front.map((s) => ({ x: s.objective * u.scale, y: s.accuracy * 100 })) },
  ];
  if (uPoint) series.push({ name: `best uniform: F = ${r.uniform.F}`, scatter: true, highlight: true, points: [pt(uPoint)] });
  series.push({ name: `suggested (held-out ${(r.suggested.accuracy_heldout * 100).toFixed(2)}%)`, scatter: true, highlight: true, points: [{ ...sugg, err: [slo * 100, shi * 100], label: `suggested: ${(r.suggested.accuracy_calibration * 100).toFixed(2)}% on calibration, ${(r.suggested.accuracy_heldout * 100).toFixed(2)}% ± ${(r.suggested.sigma_heldout * 100).toFixed(2)} held out` }] });
  return lineChartSvg({
    title: `${r.model}: accuracy vs ${r.objective.toUpperCase()} — per-tensor search vs uniform F`,
    subtitle: `calibration split, ${n} images (seed ${r.seed}) · target ≥ float − ${r.target_drop} pp · ${(r.suggested.bops_reduction * 100).toFixed(1)}% fewer BOPs than uniform`,
    xLabel: u.label,
    yLabel: 'accuracy on the calibration split (%)',
    integerX: false,
    clamp: [0, 100],
    series,
    baseline: { y: r.float_accuracy_calibration * 100, label: `float (${(r.float_accuracy_calibration * 100).toFixed(2)}%)` },
    lines: [{ y: r.threshold * 100, label: `target (${(r.threshold * 100).toFixed(2)}%)` }],
    ...(classes ? { chance: { y: 100 / classes, label: `chance (${(100 / classes).toFixed(0)}%)` } } : {}),
    legendNote: `error bars: binomial 68 % interval on ${n} images`,
  });
}

/**
 * A per-tensor search as text: float, the best uniform config and the suggestion (calibration and
 * held-out accuracy ± σ, costs), and the per-layer types with their cost.
 *
 * @example console.log(formatSearchTable(result));
 */
export function formatSearchTable(r: SearchResult): string {
  const nC = r.split.calibration;
  const nH = r.split.heldout;
  const lines: string[] = [];
  lines.push(`${r.model}: objective ${r.objective}; target: accuracy >= float - ${r.target_drop} pp; split ${nC} calibration / ${nH} held-out images (seed ${r.seed})`);
  lines.push(`search threshold ${pct(r.search_threshold)} on calibration (= target ${pct(r.threshold)} + ${r.guard} σ); ${r.evaluations} emulations in ${r.seconds.toFixed(1)} s`);
  const rows = [['config', 'BOPs', 'DSP', 'LUT', 'weight bits', 'accuracy (calibration)', 'accuracy (held-out)', 'Δ float held-out (pp)']];
  const d = (a: number) => ((a - r.float_accuracy_heldout) * 100).toFixed(2);
  rows.push(['float', '', '', '', '', pctPm(r.float_accuracy_calibration, nC), pctPm(r.float_accuracy_heldout, nH), '0']);
  rows.push([`uniform F=${r.uniform.F}`, formatCount(r.uniform.bops), formatCount(r.uniform.dsp), formatCount(r.uniform.lut), formatCount(r.uniform.weight_bits), pctPm(r.uniform.accuracy_calibration, nC), pctPm(r.uniform.accuracy_heldout, nH), d(r.uniform.accuracy_heldout)]);
  rows.push(['suggested', formatCount(r.suggested.bops), formatCount(r.suggested.dsp), formatCount(r.suggested.lut), formatCount(r.suggested.weight_bits), pctPm(r.suggested.accuracy_calibration, nC), pctPm(r.suggested.accuracy_heldout, nH), d(r.suggested.accuracy_heldout)]);
  lines.push(alignTable(rows, [false, true, true, true, true, true, true, true]));
  lines.push(
    `suggested vs uniform: ${(r.suggested.bops_reduction * 100).toFixed(1)}% fewer BOPs, ${(r.suggested.objective_reduction * 100).toFixed(1)}% lower ${r.objective}; held-out ${r.suggested.heldout_meets_target ? 'meets' : 'MISSES'} the target (${pct(r.float_accuracy_heldout - r.target_drop / 100)})${r.suggested.fallback_to_uniform ? '; no move beat the uniform config, which is the suggestion' : ''}`,
  );
  const vars = ['result', 'weight', 'bias', 'scale', 'accum'];
  const costs = new Map(r.suggested.cost.layers.map((l) => [l.layer, l]));
  const t = [['layer', 'class', ...vars, 'BOPs', 'mults → where']];
  for (const l of r.suggested.layers) {
    const c = costs.get(l.layer);
    t.push([l.layer, l.cls, ...vars.map((v) => l.types[v] ?? ''), c && c.bops ? formatCount(c.bops) : '', c && c.multipliers ? `${formatCount(c.multipliers)} → ${c.target}` : '']);
  }
  lines.push('', alignTable(t, [false, false, false, false, false, false, false, true, false]));
  lines.push(`± σ: binomial standard error √(p(1−p)/n); cost model: docs/ptq.md (LUT multipliers when both operands ≤ ${r.lutMaxBits} bits)`);
  return lines.join('\n');
}
