/**
 * PTQ scans on the bundled Fashion-MNIST CNN and images (small limits, so the file stays well
 * under a minute at ~100 emulated images/s): the homogeneous scan is near float at 16 bits and
 * collapses at 8; per-kind and per-layer series; the config builders; softmax table fitting; the
 * CSV / JSON / SVG outputs are well-formed; the `scan` command writes them; the progress bar.
 */
import { firmwareLayer } from '../../src/graph/firmware.js';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scanCommand } from '../../src/cli/scan.js';
import { ConfigError } from '../../src/errors.js';
import { parseHls4mlConfig, getPrecision as lookup, type Hls4mlConfig } from '../../src/graph/config.js';
import type { ModelGraph } from '../../src/graph/model.js';
import { convertModel } from '../../src/graph/convert.js';
import {
  baselineConfig,
  createProgressBar,
  evaluateConfig,
  homogeneousConfig,
  kindConfig,
  layerConfig,
  loadExample,
  parseWidths,
  scanHomogeneous,
  scanPerKind,
  scanPerLayer,
  scanToCsv,
  SCAN_CSV_COLUMNS,
  formatScanTable,
  writeScanOutputs,
  type LabelledData,
  type ScanProgress,
  type ScanResult,
} from '../../src/ptq/index.js';
import { tempDir } from './helpers.js';
import { checkXml } from './xml.js';

let model: ModelGraph;
let data: LabelledData;
let dir: string;
let homo: ScanResult;
const progress: ScanProgress[] = [];

beforeAll(async () => {
  ({ model, data } = await loadExample('fashion-mnist', { limit: 200 }));
  dir = tempDir();
  homo = await scanHomogeneous({ model, data, labels: data.labels!, widths: [16, 12, 8], onProgress: (p) => progress.push(p) });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Minimal CSV parser (quoted fields with "" escapes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.trimEnd().split('\n')) {
    const cells: string[] = [];
    let cur = '';
    let q = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (q) {
        if (c === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (c === '"') q = false;
        else cur += c;
      } else if (c === '"') q = true;
      else if (c === ',') {
        cells.push(cur);
        cur = '';
      } else cur += c;
    }
    cells.push(cur);
    rows.push(cells);
  }
  return rows;
}

describe('scanHomogeneous on the bundled Fashion-MNIST CNN (200 images)', () => {
  it('is near float at 16 bits and collapses at 8 bits', () => {
    expect(homo.n).toBe(200);
    expect(homo.float.accuracy).toBeCloseTo(0.875, 10); // 175/200 with the float64 reference
    const [p16, p12, p8] = homo.series[0]!.points;
    expect(homo.series[0]!.points.map((p) => p.type)).toEqual(['fixed<16,6>', 'fixed<12,6>', 'fixed<8,6>']);
    expect(p16!.accuracy!).toBeGreaterThan(homo.float.accuracy! - 0.03);
    expect(p16!.agreement!).toBeGreaterThan(0.9);
    expect(p8!.accuracy!).toBeLessThan(0.3);
    expect(p12!.accuracy!).toBeLessThan(p16!.accuracy!);
    for (const p of [p16!, p12!, p8!]) {
      expect(p.error).toBeUndefined();
      expect(p.seconds).toBeGreaterThan(0);
      expect(p.fractionalBits).toBe(p.width - 6);
    }
  });

  it('reports progress over the float pass and every point, ending at the total', () => {
    expect(progress[0]!.phase).toBe('float');
    const last = progress[progress.length - 1]!;
    expect(last.done).toBe(last.total);
    expect(last.total).toBe(200 * 4);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done);
  });

  it('formats a table with one line per point', () => {
    const t = formatScanTable(homo);
    expect(t).toMatch(/float accuracy 87\.50%/);
    expect(t.split('\n').filter((l) => l.startsWith('all tensors'))).toHaveLength(3);
  });

  it('writes well-formed CSV, JSON and SVG', async () => {
    const files = await writeScanOutputs(homo, dir);
    const rows = parseCsv(readFileSync(files.csv, 'utf8'));
    expect(rows[0]).toEqual([...SCAN_CSV_COLUMNS]);
    expect(rows).toHaveLength(4);
    const col = (name: string) => rows[0]!.indexOf(name);
    for (const r of rows.slice(1)) {
      expect(r).toHaveLength(SCAN_CSV_COLUMNS.length);
      expect(Number(r[col('accuracy')])).toBeGreaterThanOrEqual(0);
      expect(Number(r[col('float_accuracy')])).toBeCloseTo(0.875, 10);
      expect(Number(r[col('images')])).toBe(200);
    }
    expect(rows.map((r) => r[col('width')])).toEqual(['width', '16', '12', '8']);
    const json = JSON.parse(readFileSync(files.json, 'utf8')) as ScanResult;
    expect(json.series[0]!.points.map((p) => p.accuracy)).toEqual(homo.series[0]!.points.map((p) => p.accuracy));
    const svg = readFileSync(files.svg, 'utf8');
    const names = checkXml(svg);
    expect(names.filter((n) => n === 'polyline')).toHaveLength(1);
    expect(svg).toMatch(/class="x-label"[^>]*>bit width W of fixed&lt;W,6&gt;/);
    expect(svg).toMatch(/class="y-label"[^>]*>accuracy \(%\)</);
    expect(svg).toMatch(/class="legend-entry" data-series="all tensors"/);
    expect(svg).toMatch(/class="legend-entry" data-series="baseline"[\s\S]*float \(87\.50%\)/);
    expect(svg).toMatch(/<line class="baseline"[^>]*stroke-dasharray/);
    expect(svg).toMatch(/<text class="title"[^>]*>fmnist_cnn: accuracy vs bit width/);
    expect(svg).toMatch(/<g class="grid"/);
    expect(scanToCsv(homo)).toBe(readFileSync(files.csv, 'utf8'));
  });
});

describe('per-kind and per-layer scans', () => {
  it('varies only the chosen tensor kind: results-only survives 10 bits, weights-only does not', async () => {
    const few = { ...data, n: 100, x: data.x.subarray(0, 100 * 784) };
    const r = await scanPerKind({ model, data: few, labels: data.labels!.slice(0, 100), widths: [10], kinds: ['weights', 'results'] });
    expect(r.series.map((s) => s.name)).toEqual(['weights only', 'results only']);
    const [w, res] = r.series.map((s) => s.points[0]!.accuracy!);
    expect(res!).toBeGreaterThan(0.6);
    expect(w!).toBeLessThan(0.4);
  });

  it('varies one layer by name (case-insensitive) and rejects unknown layers', async () => {
    const few = { ...data, n: 30, x: data.x.subarray(0, 30 * 784) };
    const r = await scanPerLayer({ model, data: few, labels: data.labels!.slice(0, 30), widths: [16], layers: ['Dense3'] });
    expect(r.series[0]!.layer).toBe('dense3');
    expect(r.series[0]!.points[0]!.agreement).toBeGreaterThan(0.9);
    await expect(scanPerLayer({ model, data: few, widths: [8], layers: ['nope'] })).rejects.toThrow(ConfigError);
  });
});

/** Width of a looked-up precision (never 'auto' in these configs). */
function getPrecision(cfg: Hls4mlConfig, layer: string, cls: string, v: string): { W: number } {
  const t = lookup(cfg, layer, cls, v);
  if (t === 'auto') throw new Error('auto');
  return t;
}

describe('scan configs', () => {
  it('parses width lists', () => {
    expect(parseWidths('16..12')).toEqual([16, 15, 14, 13, 12]);
    expect(parseWidths('2..8:3')).toEqual([2, 5, 8]);
    expect(parseWidths('16, 8,8,4')).toEqual([16, 8, 4]);
    expect(() => parseWidths('16..x')).toThrow(ConfigError);
    expect(() => parseWidths('0')).toThrow(ConfigError);
  });

  it('builds homogeneous, per-layer and per-kind configs that hls4ml lookup resolves as intended', () => {
    const base = parseHls4mlConfig({ Model: { Precision: 'fixed<16,6>', ReuseFactor: 2 }, LayerName: { dense3: { Precision: { result: 'fixed<20,8>' }, ReuseFactor: 4 } } });
    const h = homogeneousConfig('fixed<8,3>', base);
    expect(getPrecision(h, 'dense3', 'Dense', 'result').W).toBe(8);
    expect(h.LayerName!.dense3!.ReuseFactor).toBe(4);
    const l = layerConfig(baselineConfig(), 'conv1', 'fixed<6,2>');
    expect(getPrecision(l, 'conv1', 'Conv2D', 'weight').W).toBe(6);
    expect(getPrecision(l, 'conv2', 'Conv2D', 'weight').W).toBe(16);
    const k = kindConfig(base, 'results', 'fixed<9,4>');
    expect(getPrecision(k, 'dense3', 'Dense', 'result').W).toBe(9); // the LayerName entry is updated too
    expect(getPrecision(k, 'dense3', 'Dense', 'weight').W).toBe(16);
    expect(getPrecision(k, 'conv1', 'Conv2D', 'result').W).toBe(9);
    const w = kindConfig(baselineConfig(), 'weights', 'fixed<5,1>');
    for (const v of ['weight', 'bias', 'scale']) expect(getPrecision(w, 'bn1', 'BatchNormalization', v).W).toBe(5);
    expect(getPrecision(w, 'bn1', 'BatchNormalization', 'result').W).toBe(16);
    expect(() => parseHls4mlConfig(JSON.stringify(k))).not.toThrow();
  });

  it("sizes the stable softmax's tables like hls4ml's template (exp table capped by the W−1-bit index)", () => {
    const fw = convertModel(model, homogeneousConfig('fixed<8,6>'));
    const sm = firmwareLayer(fw, 'softmax', 'Softmax');
    expect(sm.config.table_size).toBe(256);
    expect(sm.config.inv_table_size).toBe(256);
    expect(sm.config.exp_table_size).toBe(128);
  });
});

describe('evaluateConfig with worker threads', () => {
  it('gives the same predictions and overflow counts as the in-thread emulator', async () => {
    const few = { ...data, n: 40, x: data.x.subarray(0, 40 * 784) };
    const cfg = homogeneousConfig('fixed<9,4>');
    const one = await evaluateConfig(model, cfg, few, { labels: data.labels!.slice(0, 40), workers: 1 });
    const two = await evaluateConfig(model, cfg, few, { labels: data.labels!.slice(0, 40), workers: 2, batchSize: 25 });
    expect(Array.from(two.predictions)).toEqual(Array.from(one.predictions));
    expect(two.overflows).toEqual(one.overflows);
    expect(two.accuracy).toBe(one.accuracy);
    expect(one.overflowTotal).toBeGreaterThan(0);
  });
});

describe('hlsemu scan (command)', () => {
  it('prints the table and writes CSV/JSON/SVG to --out', async () => {
    const out = join(dir, 'cli');
    const logs: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    try {
      const code = await scanCommand.run(['--example', 'fashion-mnist', '--limit', '40', '--widths', '16,6', '--kind', 'homogeneous,accum', '--out', out, '--quiet']);
      expect(code).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const text = logs.join('\n');
    expect(text).toMatch(/fmnist_cnn: 40 images/);
    expect(text).toMatch(/accum only +6 +fixed<6,6>/);
    // fixed<6,6> has no fractional bits: the weights quantize to 0, said per point as overflows are
    expect(text).toMatch(/^warning: all tensors fixed<6,6>: \w+\.weight: \d+ of \d+ non-zero weights \([\d.]+ %\) quantize to 0 in ap_fixed<6,6>/m);
    expect(text).not.toMatch(/^warning: all tensors fixed<16,6>/m);
    const saved = JSON.parse(readFileSync(join(out, 'scan.json'), 'utf8')) as { series: { name: string; points: { width: number; warnings?: string[] }[] }[] };
    expect(saved.series.find((x) => x.name === 'all tensors')!.points.find((p) => p.width === 6)!.warnings!.length).toBeGreaterThan(0);
    for (const f of ['scan.csv', 'scan.json', 'scan.svg']) {
      expect(existsSync(join(out, f))).toBe(true);
      expect(text).toContain(join(out, f));
    }
    checkXml(readFileSync(join(out, 'scan.svg'), 'utf8'));
    await expect(scanCommand.run(['--example', 'fashion-mnist', '--limit', '5', '--kind', 'bogus', '--quiet'])).rejects.toThrow(ConfigError);
  });
});

describe('progress bar', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { stream: { isTTY, columns: 100, write: (s: string) => chunks.push(s) }, chunks };
  };

  it('redraws in place on a TTY and prints logs above the bar', () => {
    const { stream, chunks } = sink(true);
    const bar = createProgressBar({ stream, label: 'scan', unit: 'img' });
    bar.update(0, 10, 'W=16');
    bar.log('point done');
    bar.update(10, 10, 'W=8');
    bar.done();
    const all = chunks.join('');
    expect(all).toMatch(/\r\x1b\[2Kscan \[-+\]/);
    expect(all).toContain('point done\n');
    expect(all).toMatch(/100% 10\/10 img/);
    expect(all.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('prints no bar when not a TTY, only the log lines', () => {
    const { stream, chunks } = sink(false);
    const bar = createProgressBar({ stream, label: 'scan' });
    for (let i = 0; i <= 100; i++) bar.update(i, 100);
    bar.log('point done');
    bar.done();
    expect(chunks).toEqual(['point done\n']);
  });
});
