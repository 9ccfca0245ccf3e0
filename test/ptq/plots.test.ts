/**
 * The honesty of the PTQ plots and tables: binomial 68 % error bars on every accuracy point, a
 * chance line (1/classes), the baseline type stated in per-layer / per-kind titles, overflowing
 * points marked, legends beside (not over) the plot area, ± in the tables; and the search's
 * accuracy-vs-cost (Pareto) plot. The SVGs are parsed (test/ptq/xml.ts) and their elements checked.
 */
import { describe, expect, it } from 'vitest';
import { binomialError, binomialInterval, formatScanTable, scanToSvg, searchToSvg, formatSearchTable, type ScanResult, type SearchResult } from '../../src/ptq/index.js';
import { checkXml } from './xml.js';

function point(width: number, accuracy: number, overflowTotal = 0): ScanResult["series"][number]["points"][number] {
  return { width, integerBits: 6, fractionalBits: width - 6, type: `fixed<${width},6>`, accuracy, agreement: accuracy, overflows: (overflowTotal ? { conv1: overflowTotal } : {}) as Record<string, number>, overflowDetail: {}, overflowTotal, inputOverflows: 0, seconds: 0.1 };
}

const perLayer: ScanResult = {
  model: 'm',
  n: 1000,
  classes: 10,
  baseline: 'fixed<16,6>',
  ioType: 'io_parallel',
  widths: [16, 10, 6],
  integerBits: 6,
  float: { accuracy: 0.875, seconds: 1 },
  series: [
    { name: 'layer conv1', kind: 'layer', layer: 'conv1', points: [point(16, 0.876), point(10, 0.8), point(6, 0.1, 37)] },
    { name: 'layer dense1', kind: 'layer', layer: 'dense1', points: [point(16, 0.875), point(10, 0.86), point(6, 0.5)] },
  ],
  totalSeconds: 3,
  imagesPerSecond: 1000,
};

/** Attribute values of every element `<tag … class="cls" …>`. */
function elements(svg: string, cls: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of svg.matchAll(/<(\w+)((?:\s+[\w:-]+="[^"]*")*)\s*\/?>/g)) {
    const attrs = Object.fromEntries([...m[2]!.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
    if ((attrs.class ?? '').split(' ').includes(cls)) out.push({ tag: m[1]!, ...attrs });
  }
  return out;
}

describe('binomial errors', () => {
  it('σ = √(p(1−p)/n); the 68 % Wilson interval contains p and stays in [0, 1]', () => {
    expect(binomialError(0.875, 1000)).toBeCloseTo(0.010458, 5);
    const [lo, hi] = binomialInterval(0.875, 1000);
    expect(lo).toBeLessThan(0.875);
    expect(hi).toBeGreaterThan(0.875);
    expect(hi - lo).toBeCloseTo(2 * 0.010458, 3);
    expect(binomialInterval(1, 100)[1]).toBeCloseTo(1, 12);
    expect(binomialInterval(1, 100)[0]).toBeLessThan(1);
    expect(binomialInterval(0, 100)[0]).toBe(0);
  });
});

describe('scan plot', () => {
  const svg = scanToSvg(perLayer);
  it('is well-formed and states the baseline type of the tensors a per-layer series does not vary', () => {
    checkXml(svg);
    const title = /<text class="title"[^>]*>([^<]*)</.exec(svg)![1]!;
    expect(title).toMatch(/other tensors at the baseline fixed&lt;16,6&gt;/);
  });

  it('draws a 68 % binomial error bar around every point', () => {
    const bars = elements(svg, 'error-bar');
    expect(bars).toHaveLength(6);
    const [lo, hi] = binomialInterval(0.8, 1000);
    expect(bars.some((b) => Math.abs(Number(b['data-lo']) - lo * 100) < 0.01 && Math.abs(Number(b['data-hi']) - hi * 100) < 0.01)).toBe(true);
    for (const b of bars) expect(Number(b['data-lo'])).toBeLessThan(Number(b['data-hi']));
  });

  it('draws the chance line at 100/classes % with a legend entry, and marks overflowing points', () => {
    const chance = elements(svg, 'chance');
    expect(chance).toHaveLength(1);
    expect(chance[0]!.tag).toBe('line');
    expect(Number(chance[0]!['data-y'])).toBe(10);
    expect(svg).toMatch(/data-series="chance"[\s\S]*?chance \(10%\)/);
    const marks = elements(svg, 'overflow-marker');
    expect(marks).toHaveLength(1);
    expect(marks[0]!['data-overflows']).toBe('37');
    const note = elements(svg, 'legend-note').length;
    expect(note).toBeGreaterThan(0);
    expect([...svg.matchAll(/class="legend-note"[^>]*>([^<]*)</g)].map((m) => m[1]).join(' ')).toBe('error bars: binomial 68 % interval on 1000 images');
  });

  it('keeps the legend right of the plot area', () => {
    const area = elements(svg, 'plot-area')[0]!;
    const right = Number(area.x) + Number(area.width);
    const legendXs = [...svg.slice(svg.indexOf('<g class="legend">')).matchAll(/<(?:line|text|path)[^>]*\sx1?="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(legendXs.length).toBeGreaterThan(0);
    for (const x of legendXs) expect(x).toBeGreaterThan(right);
  });

  it('tables print the accuracy ± its binomial error', () => {
    const t = formatScanTable(perLayer);
    expect(t).toMatch(/80\.00% ± 1\.26/);
    expect(t).toMatch(/other tensors at the baseline fixed<16,6>/);
    expect(t).toMatch(/chance 10\.00%/);
  });

  it('a homogeneous scan has no baseline statement but keeps bars and chance line; a chance level outside the range is stated', () => {
    const homo = scanToSvg({ ...perLayer, series: [{ name: 'all tensors', kind: 'homogeneous', points: [point(16, 0.876), point(12, 0.87)] }] });
    expect(homo).not.toMatch(/other tensors at the baseline/);
    expect(elements(homo, 'error-bar')).toHaveLength(2);
    const ch = elements(homo, 'chance');
    expect(ch).toHaveLength(1);
    expect(ch[0]!.tag).toBe('text');
    expect(homo).toMatch(/chance \(10%\): below the plotted range/);
  });
});

describe('search (Pareto) plot', () => {
  const step = (kind: 'uniform' | 'move', label: string, bops: number, accuracy: number, extra = {}) => ({ kind, label, bops, dsp: 0, lut: 0, objective: bops, accuracy, overflowTotal: 0, pass: accuracy >= 0.87, ...extra });
  const r = {
    model: 'm',
    objective: 'bops',
    target_drop: 1,
    seed: 1,
    lutMaxBits: 10,
    split: { calibration: 500, heldout: 500 },
    float_accuracy: 0.88,
    float_accuracy_calibration: 0.88,
    float_accuracy_heldout: 0.88,
    threshold: 0.87,
    search_threshold: 0.8846,
    guard: 1,
    uniform: { F: 8, met: true, bops: 50e6, dsp: 0, lut: 0, weight_bits: 1, accuracy_calibration: 0.878, accuracy_heldout: 0.875, sigma_heldout: 0.0148, overflows_heldout: 0, config: { Model: {} } },
    suggested: {
      bops: 30e6, dsp: 0, lut: 0, weight_bits: 1, fifo_bits: 0, accuracy_calibration: 0.875, accuracy_heldout: 0.872, sigma_heldout: 0.015, overflows_heldout: 0,
      objective_reduction: 0.4, bops_reduction: 0.4, heldout_meets_target: true, fallback_to_uniform: false, config: { Model: {} }, layers: [],
      cost: { ioType: 'io_parallel', lutMaxBits: 10, layers: [], macs: 0, bops: 30e6, dsp: 0, lut: 0, weightBits: 1, fifoBits: 0 },
    },
    steps: [step('uniform', 'uniform F=10', 70e6, 0.88, { fractionalBits: 10 }), step('uniform', 'uniform F=8', 50e6, 0.878, { fractionalBits: 8 }), step('uniform', 'uniform F=7', 41e6, 0.85, { fractionalBits: 7 }), step('move', 'conv2.weight', 40e6, 0.877), step('move', 'relu1.result', 30e6, 0.875)],
    evaluations: 5,
    seconds: 1,
  } as unknown as SearchResult;

  it('plots accuracy vs cost with error bars, float, target and chance lines, and both chosen configs', () => {
    const svg = searchToSvg(r, 10);
    checkXml(svg);
    expect(elements(svg, 'error-bar').length).toBeGreaterThanOrEqual(6);
    expect(elements(svg, 'chance')).toHaveLength(1);
    expect(elements(svg, 'reference')).toHaveLength(1);
    expect(elements(svg, 'baseline')).toHaveLength(1);
    expect(svg).toMatch(/data-series="best uniform: F = 8"/);
    expect(svg).toMatch(/data-series="suggested \(held-out 87\.20%\)"/);
    expect(svg).toMatch(/data-series="non-dominated \(meets target\)"/);
    expect(svg).toMatch(/class="x-label"[^>]*>BOPs \(millions/);
  });

  it('its table prints the ± of every accuracy and the reduction', () => {
    const t = formatSearchTable(r);
    expect(t).toMatch(/uniform F=8 +50\.00 M/);
    expect(t).toMatch(/87\.50% ± 1\.48/);
    expect(t).toMatch(/40\.0% fewer BOPs/);
    expect(t).toMatch(/held-out meets the target/);
  });
});
