/**
 * The hardware cost model (src/ptq/cost.ts) on the bundled Fashion-MNIST CNN: MACs from the layer
 * registry (BatchNormalization one per element, pooling none), BOPs = MACs × weight bits × input
 * bits, the LUT/DSP rule at its edges, weight memory bits, io_stream FIFOs and per-pixel multipliers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { convertModel } from '../../src/graph/convert.js';
import type { ModelGraph } from '../../src/graph/model.js';
import { compareObjective, firmwareCost, formatCount, loadExample, multiplierCost, objectiveOf } from '../../src/ptq/index.js';

let model: ModelGraph;
beforeAll(async () => {
  ({ model } = await loadExample('fashion-mnist', { limit: 1 }));
});

const cfg = (p: string, io: 'io_parallel' | 'io_stream' = 'io_parallel') => ({ Model: { Precision: p, ReuseFactor: 1, Strategy: 'Latency' }, IOType: io });

describe('multiplierCost', () => {
  it('puts multiplies with both operands <= 10 bits in LUTs, wider ones in 27x18 DSP48 slices', () => {
    expect(multiplierCost(10, 10)).toEqual({ target: 'lut', dsp: 0, lut: 100 });
    expect(multiplierCost(8, 6, { accBits: 20 })).toEqual({ target: 'lut', dsp: 0, lut: 68 });
    expect(multiplierCost(11, 4)).toEqual({ target: 'dsp', dsp: 1, lut: 0 });
    expect(multiplierCost(16, 16).dsp).toBe(1);
    expect(multiplierCost(27, 18).dsp).toBe(1);
    expect(multiplierCost(28, 18).dsp).toBe(2);
    expect(multiplierCost(32, 32).dsp).toBe(4);
    expect(multiplierCost(12, 12, { lutMaxBits: 12 }).target).toBe('lut');
  });
});

describe('firmwareCost', () => {
  it('counts BOPs = MACs × weight bits × input bits per layer, from the registry MACs', () => {
    const fw = convertModel(model, cfg('fixed<16,6>'));
    const c = firmwareCost(fw);
    const by = new Map(c.layers.map((l) => [l.layer, l]));
    // conv1: 3x3x1x16 kernel at 26x26 output pixels
    expect(by.get('conv1')!.macs).toBe(144 * 26 * 26);
    expect(by.get('conv1')!.bops).toBe(144 * 26 * 26 * 16 * 16);
    expect(by.get('conv2')!.macs).toBe(2304 * 11 * 11);
    expect(by.get('dense1')!.macs).toBe(24 * 42);
    // BatchNormalization: one product per element (input × scale)
    expect(by.get('bn1')!.macs).toBe(13 * 13 * 16);
    expect(by.get('bn1')!.bops).toBe(13 * 13 * 16 * 16 * 16);
    // no multiplies: pooling, activations, softmax, reshape
    for (const n of ['pool1', 'relu1', 'softmax', 'flatten']) expect(by.get(n)!.bops).toBe(0);
    expect(c.bops).toBe(c.layers.reduce((t, l) => t + l.bops, 0));
    expect(c.macs).toBe(144 * 676 + 2304 * 121 + 3456 * 9 + 24 * 42 + 42 * 64 + 64 * 10 + 2704 + 400 + 24 + 42 + 64);
    // io_parallel, reuse factor 1: every MAC a 16x16 multiplier, one DSP each
    expect(c.dsp).toBe(c.macs);
    expect(c.lut).toBe(0);
    expect(c.fifoBits).toBe(0);
    // weight memory: conv1 144 weights × 16 bits + 16 zero biases as ufixed<1,1>
    expect(by.get('conv1')!.weightMemoryBits).toBe(144 * 16 + 16 * 1);
  });

  it('scales with the operand widths and moves narrow multipliers to LUTs', () => {
    const wide = firmwareCost(convertModel(model, cfg('fixed<16,6>')));
    const narrow = firmwareCost(convertModel(model, cfg('fixed<8,3>')));
    expect(narrow.bops).toBe(wide.bops / 4);
    expect(narrow.dsp).toBe(0);
    expect(narrow.lut).toBeGreaterThan(0);
    const conv1 = narrow.layers.find((l) => l.layer === 'conv1')!;
    expect(conv1.target).toBe('lut');
    expect(conv1.lut).toBe(conv1.multipliers * (8 * 8 + 8));
    expect(compareObjective(objectiveOf(narrow, 'bops'), objectiveOf(wide, 'bops'))).toBeLessThan(0);
    expect(objectiveOf(wide, 'dsp')).toEqual([wide.dsp, wide.bops]);
    expect(objectiveOf(narrow, 'lut')[0]).toBe(narrow.lut);
  });

  it('io_stream: FIFOs of every stream (values × result width) and multipliers per output pixel', () => {
    const fw = convertModel(model, cfg('fixed<16,6>', 'io_stream'));
    const c = firmwareCost(fw);
    const expected = 28 * 28 * 1 * 16 + fw.layers.reduce((t, L) => t + L.shapeOut.reduce((a, b) => a * b, 1) * L.types.result.W, 0);
    expect(c.fifoBits).toBe(expected);
    const conv1 = c.layers.find((l) => l.layer === 'conv1')!;
    expect(conv1.multipliers).toBe(144);
    expect(conv1.bops).toBe(144 * 676 * 256);
    const dense1 = c.layers.find((l) => l.layer === 'dense1')!;
    expect(dense1.multipliers).toBe(24 * 42);
  });

  it('formats counts', () => {
    expect(formatCount(21_300_000)).toBe('21.30 M');
    expect(formatCount(31_104)).toBe('31.1 k');
    expect(formatCount(640)).toBe('640');
  });
});
