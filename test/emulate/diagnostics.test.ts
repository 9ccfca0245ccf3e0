// Precision diagnostics beyond overflows: lookup tables whose inputs collapse onto one entry.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { firmwareLayer } from '../../src/graph/firmware.js';
import { formatFixedType } from '../../src/fixed/types.js';
import { Emulator } from '../../src/emulate/predict.js';
import { formatReport } from '../../src/emulate/report.js';
import { loadModel } from '../../src/import/index.js';
import { loadBundledFashionMnist } from '../../src/data/fashion-mnist.js';
import { sequential } from '../graph/helpers.js';

describe('lookup-table diagnostics', () => {
  it("names the stable softmax that hls4ml's usual granularity='name' config collapses to chance", async () => {
    const model = await loadModel(join(__dirname, '..', '..', 'models', 'fmnist', 'model.json'));
    const fw = convertModel(model, configFromModel(model, { granularity: 'name' }));
    const sm = fw.layers.find((l) => l.cls === 'Softmax')!;
    const producer = fw.layers.find((l) => l.name === sm.inputs[0])!;
    // the 'auto' Dense result is very wide, so the exp table index (its top bits) is always 0
    expect(producer.types.result.I).toBeGreaterThan(12);
    // known before anything runs: the exp-table index is the top bits of that wide type
    expect(fw.warnings!.filter((w) => w.startsWith(`${sm.name}: exp_table index cannot resolve its input`))).toHaveLength(1);
    const { images, shape, labels } = await loadBundledFashionMnist(64);
    const r = new Emulator(fw).predict({ data: images, shape }, { report: true });
    const lut = r.report!.layers.find((l) => l.layer === sm.name)!.luts![0]!;
    expect(lut).toMatchObject({ table: 'exp_table', collapsed: true });
    expect(lut.used).toBe(1);
    expect(r.report!.warnings.some((w) => w.startsWith(`${sm.name}: exp_table lookup collapsed`))).toBe(true);
    expect(formatReport(r.report!)).toMatch(new RegExp(`warning: ${sm.name}: exp_table lookup collapsed`));
    // and the outputs are indeed uniform: every image gets the same class
    const classes = new Set<number>();
    for (let s = 0; s < 64; s++) {
      const row = Array.from(r.values.subarray(s * 10, s * 10 + 10));
      classes.add(row.indexOf(Math.max(...row)));
    }
    expect(classes.size).toBe(1);
    expect(labels.length).toBe(64);
  });

  it('stays quiet when the table resolves the inputs', async () => {
    const model = await loadModel(join(__dirname, '..', '..', 'models', 'fmnist', 'model.json'));
    const fw = convertModel(model, { Model: { Precision: 'fixed<16,6>' } });
    expect(formatFixedType(firmwareLayer(fw, fw.output, 'Softmax').types.input)).toBe('ap_fixed<16,6>');
    const { images, shape } = await loadBundledFashionMnist(32);
    const r = new Emulator(fw).predict({ data: images, shape }, { report: true });
    expect(r.report!.warnings).toEqual([]);
    expect(fw.warnings?.some((w) => w.includes('cannot resolve')) ?? false).toBe(false);
    const lut = r.report!.layers.find((l) => l.layer === fw.output)!.luts![0]!;
    expect(lut.used).toBeGreaterThan(10);
  });

  it('covers the other table activations: softsign / softplus over ±8, ELU / SELU over their negative inputs', () => {
    const x = Float64Array.from({ length: 64 }, (_, i) => -0.9 + (1.8 * i) / 63);
    for (const activation of ['softsign', 'softplus', 'elu', 'selu']) {
      const m = sequential('t', [64], [{ name: 'a', className: 'Activation', outputShape: [64], attrs: { activation }, weights: {} }]);
      // 8 entries over the table's range: one step covers 2 (±8 tables) or 1 (the negative half), more than the inputs span
      const coarse = convertModel(m, { Model: { Precision: 'fixed<24,8>' }, LayerName: { a: { TableSize: 8 } } });
      const r = new Emulator(coarse).predict({ data: x, shape: [1, 64] }, { report: true });
      const lut = r.report!.layers.find((l) => l.layer === 'a')!.luts![0]!;
      expect(lut, activation).toMatchObject({ table: 'table' });
      expect(lut.used, activation).toBeLessThanOrEqual(2);
      expect(r.report!.warnings.some((w) => w.startsWith('a: table lookup')), activation).toBe(true);
      const fine = convertModel(m, { Model: { Precision: 'fixed<24,8>' } });
      const r2 = new Emulator(fine).predict({ data: x, shape: [1, 64] }, { report: true });
      expect(r2.report!.layers.find((l) => l.layer === 'a')!.luts![0]!.used, activation).toBeGreaterThan(10);
    }
  });
});

describe('weights that quantize to zero', () => {
  it('a weight type too narrow for the small weights is named with the share it drops; enough fractional bits keep them', async () => {
    const { zeroedWeights } = await import('../../src/graph/diagnostics.js');
    const w = Float32Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 0 : (i % 2 ? 1 : -1) * (i < 20 ? 0.01 : 0.6)));
    const m = sequential('z', [8], [{ name: 'fc', className: 'Dense', outputShape: [5], attrs: { units: 5, activation: 'linear', useBias: true }, weights: { kernel: { data: w, shape: [8, 5] }, bias: { data: new Float32Array(5), shape: [5] } } }]);
    const narrow = convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerName: { fc: { Precision: { weight: 'fixed<6,1>' } } } });
    // 30 non-zero weights, 15 of them ±0.01 (below the LSB 2^-5): AP_TRN floors the 10 positive ones to 0
    // and the 5 negative ones to −2^-5 (the zero bias is not counted)
    expect(narrow.warnings?.filter((x) => x.includes('quantize to 0'))).toEqual([
      'fc.weight: 10 of 30 non-zero weights (33.3 %) quantize to 0 in ap_fixed<6,1> (the firmware drops them; more fractional bits keep them)',
    ]);
    const wide = convertModel(m, { Model: { Precision: 'fixed<16,6>' } });
    expect(wide.warnings?.some((x) => x.includes('quantize to 0')) ?? false).toBe(false);
    expect(zeroedWeights).toBeTypeOf('function');
  });
});
