/**
 * Scan outputs: the aligned text table printed on stdout, the CSV (one row per series × width),
 * the JSON (the whole {@link ScanResult}), and the SVG plot of accuracy vs bit width with the float
 * baseline dashed. {@link writeScanOutputs} writes them all (plus a PNG when a renderer is installed).
 */
import { join, resolve } from '../platform/path.js';
import { checkOutputDir, checkOutputFile, writeOutputs } from '../io/atomic.js';
import { renderPng } from './png.js';
import type { ScanResult } from './scan.js';
import { lineChartSvg } from './svg.js';

const pct = (x: number | undefined, digits = 2): string => (x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(digits)}%`);

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
  const head = `${r.model}: ${r.n} images, ${r.ioType}, ${typeDesc(r)}; float accuracy ${pct(r.float.accuracy)}`;
  const rows = [['series', 'W', 'type', 'accuracy', 'Δ float (pp)', 'agree w/ float', 'overflows', 's']];
  for (const s of r.series) {
    for (const p of s.points) {
      if (p.error) {
        rows.push([s.name, String(p.width), p.type, 'error', '', '', p.error.slice(0, 60), p.seconds.toFixed(1)]);
        continue;
      }
      const drop = p.accuracy !== undefined && r.float.accuracy !== undefined ? ((p.accuracy - r.float.accuracy) * 100).toFixed(2) : '-';
      rows.push([s.name, String(p.width), p.type, pct(p.accuracy), drop.startsWith('-') || drop === '-' ? drop : `+${drop}`, pct(p.agreement, 1), overflowCell(p.overflows, p.overflowTotal), p.seconds.toFixed(1)]);
    }
  }
  const speed = r.imagesPerSecond > 0 ? `, ${Math.round(r.imagesPerSecond)} images/s emulated` : '';
  const q = r.qat;
  const qatLine = q
    ? `\nQAT model at its ${q.config}: ${q.error ? `error: ${q.error}` : `accuracy ${pct(q.accuracy)}, agreement with float ${pct(q.agreement, 1)}, ${overflowCell(q.overflows, q.overflowTotal)} overflows`}`
    : '';
  return `${head}${qatLine}\n${alignTable(rows, [false, true, false, true, true, true, false, true])}\n${r.series.reduce((n, s) => n + s.points.length, 0)} points in ${r.totalSeconds.toFixed(1)} s${speed}`;
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
  return lineChartSvg({
    title: title ?? `${r.model}: ${labelled ? 'accuracy' : 'agreement with float'} vs bit width (PTQ)`,
    subtitle: `${r.n} images · ${r.ioType} · bit-exact hls4ml emulation (hlsemu)`,
    xLabel,
    yLabel: labelled ? 'accuracy (%)' : 'argmax agreement with float (%)',
    clamp: [0, 100],
    series: r.series.map((s) => ({
      name: s.name,
      points: s.points
        .filter((p) => !p.error)
        .map((p) => {
          const y = (labelled ? p.accuracy! : p.agreement!) * 100;
          return { x: p.width, y, label: `${s.name}, ${p.type}: ${y.toFixed(2)}%${p.overflowTotal ? `, ${p.overflowTotal} overflows` : ''}` };
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
