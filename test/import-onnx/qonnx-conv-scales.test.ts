/**
 * hls4ml's ScaleDownConv (hls4ml/model/optimizer/passes/move_scales.py): ApplyAlpha rescales on a
 * Conv's data input and on its weights (non-power-of-two Quant scales, one per tensor or one per
 * filter) move below the Conv as one ApplyAlpha. Checked here: the layer structure and the scale
 * and bias hls4ml computes, the float function of the QONNX graph, the quantization codes against
 * the float64 QONNX execution on random CNNs, and the cases hls4ml cannot convert (refused).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/errors.js';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import type { ModelGraph } from '../../src/graph/model.js';
import { rnd, sequential } from '../graph/helpers.js';
import { importOnnx } from '../../src/import/onnx.js';
import { GraphBuilder } from './builder.js';
import { compareFloat } from './compare.js';
import { checkZooModel, expectCodesNearBoundary } from './zoo-harness.js';

const QDOMAIN = { 'qonnx.custom_op.general': 1 };

function quant(g: GraphBuilder, x: string, name: string, s: number | { dims: number[]; data: number[] }, bits: number, signed = true, z = 0): string {
  const sc = typeof s === 'number' ? g.scalar(`${name}_s`, s) : g.init(`${name}_s`, s.dims, s.data);
  return g.node('Quant', [x, sc, g.scalar(`${name}_z`, z), g.scalar(`${name}_b`, bits)], { signed: signed ? 1 : 0, narrow: 0, rounding_mode: 'ROUND' }, { name, domain: 'qonnx.custom_op.general' });
}

interface ConvCase {
  /** Input Quant scale (a power of two keeps the data side free of ApplyAlpha). */
  sIn: number;
  /** Weight Quant scale: one value, or one per filter. */
  sW: number | number[];
  bias?: number[];
  filters?: number;
  pads?: number[];
}

/** Quant(x [1, 2, 5, 5]) → Conv(Quant(W [F, 2, 3, 3])) (+ bias) → Relu → Quant(0.25, 6 bits). */
function convModel(c: ConvCase, seed = 5): { bytes: Uint8Array; conv: string } {
  const g = new GraphBuilder(seed);
  const F = c.filters ?? 3;
  const x = quant(g, g.input('x', ['N', 2, 5, 5]), 'Qin', c.sIn, 8);
  const sW = typeof c.sW === 'number' ? c.sW : { dims: [F, 1, 1, 1], data: c.sW };
  const W = quant(g, g.init('W', [F, 2, 3, 3]), 'Qw', sW, 4);
  const ins = [x, W];
  if (c.bias) ins.push(g.init('B', [F], c.bias));
  const y = g.node('Conv', ins, { kernel_shape: [3, 3], pads: c.pads ?? [1, 1, 1, 1] }, { name: 'conv' });
  const r = g.node('Relu', [y], {}, { name: 'relu' });
  const q = quant(g, r, 'Qout', 0.25, 6, false);
  return { bytes: g.bytes([q], 13, QDOMAIN), conv: 'conv' };
}

const names = (bytes: Uint8Array) => importOnnx(bytes).model.layers.map((l) => `${l.className}:${l.name}`);
const layer = (bytes: Uint8Array, name: string) => importOnnx(bytes).model.layers.find((l) => l.name === name)!;

describe('ScaleDownConv: the rescales move below the Conv as one ApplyAlpha', () => {
  it('weights with one non-power-of-two scale and a bias: codes in the Conv (bias kept), then Qw_rescale with scale s and bias b·(1 − s) in float32', () => {
    const { bytes } = convModel({ sIn: 0.125, sW: 0.3, bias: [0.5, -0.25, 1] });
    // power-of-two activation Quants are typed linear activations (Qin_act, Qout_act)
    expect(names(bytes)).toEqual(['InputLayer:x', 'Activation:Qin_act', 'Conv2D:conv', 'ApplyAlpha:Qw_rescale', 'Activation:relu', 'Activation:Qout_act']);
    const conv = layer(bytes, 'conv');
    expect(conv.quantizers!.weight).toMatchObject({ W: 4, I: 4, signed: true });
    expect(conv.weights.kernel!.data.every((w) => Number.isInteger(w) && Math.abs(w) <= 8)).toBe(true);
    expect(Array.from(conv.weights.bias!.data)).toEqual([0.5, -0.25, 1].map(Math.fround));
    const aa = layer(bytes, 'Qw_rescale');
    const s = Math.fround(0.3);
    expect(new Set(aa.weights.scale!.data)).toEqual(new Set([s]));
    // output [5, 5, 3] channels-last: element i belongs to filter i % 3
    const b = [0.5, -0.25, 1].map((v) => Math.fround(v * Math.fround(1 - s)));
    expect(Array.from(aa.weights.bias!.data.slice(0, 6))).toEqual([...b, ...b]);
    expect(compareFloat(bytes, {}, 3, 2, 2).maxErr).toBeLessThan(1e-5);
  });

  it('weights with one scale per filter and no bias: Qw_rescale with the per-filter scales', () => {
    const { bytes } = convModel({ sIn: 0.125, sW: [0.3, 0.7, 0.45] });
    expect(names(bytes).slice(0, 4)).toEqual(['InputLayer:x', 'Activation:Qin_act', 'Conv2D:conv', 'ApplyAlpha:Qw_rescale']);
    const aa = layer(bytes, 'Qw_rescale');
    expect(Array.from(aa.weights.scale!.data.slice(0, 6))).toEqual([0.3, 0.7, 0.45, 0.3, 0.7, 0.45].map(Math.fround));
    expect(aa.weights.bias!.data.every((v) => v === 0)).toBe(true);
    expect(compareFloat(bytes, {}, 3, 2, 2).maxErr).toBeLessThan(1e-5);
  });

  it('per-filter weight scales with a non-zero bias: hls4ml 1.3 fails; hlsemu applies its one-scale algebra per filter, with a warning', () => {
    const { bytes } = convModel({ sIn: 0.125, sW: [0.3, 0.7, 0.45], bias: [0.5, -0.25, 1] });
    const imp = importOnnx(bytes);
    const conv = imp.model.layers.find((l) => l.name === 'conv')!;
    expect(conv.warnings!.join('\n')).toMatch(/conv: the weights' Quant 'Qw' has 3 per-filter scales, with a non-zero Conv bias; hls4ml 1\.3 fails on this model .*this firmware is hlsemu's/);
    expect(Array.from(conv.weights.bias!.data)).toEqual([0.5, -0.25, 1].map(Math.fround));
    const aa = layer(bytes, 'Qw_rescale');
    const s = [0.3, 0.7, 0.45].map(Math.fround);
    expect(Array.from(aa.weights.bias!.data.slice(0, 3))).toEqual([0.5, -0.25, 1].map((b, f) => Math.fround(Math.fround(b) * Math.fround(1 - s[f]!))));
    expect(compareFloat(bytes, {}, 3, 2, 2).maxErr).toBeLessThan(1e-5);
  });

  it('a data-side rescale with per-filter weight scales: hls4ml 1.3 fails; hlsemu moves the product of the scales, with a warning', () => {
    const { bytes } = convModel({ sIn: 0.037, sW: [0.3, 0.7, 0.45] });
    const imp = importOnnx(bytes);
    expect(imp.model.layers.find((l) => l.name === 'conv')!.warnings!.join('\n')).toMatch(/3 per-filter scales, with a data-side rescale \('Qin_rescale'\); hls4ml 1\.3 fails/);
    expect(names(bytes)).not.toContain('ApplyAlpha:Qin_rescale');
    const sIn = Math.fround(0.037);
    expect(Array.from(layer(bytes, 'Qw_rescale').weights.scale!.data.slice(0, 3))).toEqual([0.3, 0.7, 0.45].map((v) => Math.fround(sIn * Math.fround(v))));
    expect(compareFloat(bytes, {}, 3, 2, 2).maxErr).toBeLessThan(1e-5);
  });

  it('a data-side rescale (non-power-of-two input Quant) with one weight scale: one ApplyAlpha named after the weight rescale, scale float32(s_in·s_w)', () => {
    const { bytes } = convModel({ sIn: 0.037, sW: 0.3, bias: [0.5, -0.25, 1] });
    // the data rescale Qin_rescale is gone: merged into the moved weight rescale
    expect(names(bytes)).toEqual(['InputLayer:x', 'ApplyAlpha:Qin_scale', 'Activation:Qin_act', 'Conv2D:conv', 'ApplyAlpha:Qw_rescale', 'Activation:relu', 'Activation:Qout_act']);
    const aa = layer(bytes, 'Qw_rescale');
    const s = Math.fround(Math.fround(0.037) * Math.fround(0.3));
    expect(new Set(aa.weights.scale!.data)).toEqual(new Set([s]));
    expect(aa.weights.bias!.data[1]).toBe(Math.fround(Math.fround(-0.25) * Math.fround(1 - s)));
    expect(compareFloat(bytes, {}, 3, 2, 2).maxErr).toBeLessThan(1e-5);
  });

  it('a data-side rescale alone (power-of-two weights): the ApplyAlpha keeps its name, below the Conv', () => {
    const { bytes } = convModel({ sIn: 0.037, sW: 0.25, bias: [0.5, -0.25, 1] });
    const n = names(bytes);
    expect(n.indexOf('ApplyAlpha:Qin_rescale')).toBe(n.indexOf('Conv2D:conv') + 1);
    expect(layer(bytes, 'conv').quantizers!.weight).toMatchObject({ W: 4, I: 2 });
    expect(compareFloat(bytes, {}, 3, 2, 2).maxErr).toBeLessThan(1e-5);
  });

  it("a Mul by a constant (MergeToApplyAlpha's bn_<Mul>, bias precision uint<1>) moves too, keeping its attributes: its bias b·(1 − s) takes that type, as in hls4ml (warned)", () => {
    const g = new GraphBuilder(5);
    const x = quant(g, g.input('x', ['N', 2, 5, 5]), 'Qin', 0.125, 8);
    const m = g.node('Mul', [x, g.scalar('k', 0.3)], {}, { name: 'mul' });
    const y = g.node('Conv', [m, quant(g, g.init('W', [3, 2, 3, 3]), 'Qw', 0.25, 4), g.init('B', [3], [0.5, -0.25, 1])], { kernel_shape: [3, 3] }, { name: 'conv' });
    const bytes = g.bytes([y], 13, QDOMAIN);
    const imp = importOnnx(bytes);
    const n = imp.model.layers.map((l) => `${l.className}:${l.name}`);
    expect(n.slice(-2)).toEqual(['Conv2D:conv', 'ApplyAlpha:bn_mul']);
    const aa = imp.model.layers.at(-1)!;
    expect(aa.attrs.biasPrecision).toMatchObject({ W: 1, I: 1, signed: false });
    expect(aa.weights.bias!.data[1]).toBe(Math.fround(Math.fround(-0.25) * Math.fround(1 - Math.fround(0.3))));
    expect(imp.model.layers.find((l) => l.name === 'conv')!.warnings!.join('\n')).toMatch(/'bn_mul' moved below this Conv keeps the bias precision ap_ufixed<1,1> of 'bn_mul'/);
    expect(compareFloat(bytes, {}, 3, 2, 2).maxErr).toBeLessThan(1e-5);
  });

  it('random QONNX CNNs with arbitrary scales: every quantized activation code equals QONNX except within the 1/s bound of a rounding boundary', () => {
    let total = 0;
    let equal = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (seed, perFilter, withBias, alphaIn) => {
          const r0 = (k: number) => 2 ** -2 * (1 + ((seed * 7 + k * 13) % 97) / 101);
          const c: ConvCase = {
            sIn: alphaIn ? r0(0) / 4 : 0.0625,
            sW: perFilter ? [r0(1), r0(2), r0(3)] : r0(4),
            ...(withBias ? { bias: [0.5, -0.75, 0.25] } : {}),
            pads: seed % 2 ? [1, 1, 1, 1] : [0, 0, 0, 0],
          };
          const { bytes } = convModel(c, seed);
          const r = checkZooModel(bytes, 'fixed<40,20>', 6, -4, 4, seed, 10);
          const t = expectCodesNearBoundary(r.checks);
          total += t.total;
          equal += t.equal;
          expect(r.fw.layers.some((l) => l.cls === 'ApplyAlpha')).toBe(true);
        },
      ),
      { numRuns: 12, seed: 9 },
    );
    expect(total).toBeGreaterThan(1000);
    expect(equal / total).toBeGreaterThanOrEqual(0.995);
  });
});

describe('ScaleDownConv then a BatchNormalization', () => {
  it("the moved per-position ApplyAlpha merges into the BatchNormalization (fuse_consecutive_batch_normalization), whose per-channel values hls4ml's C++ reads; codes equal QONNX", () => {
    for (const perFilter of [false, true]) {
      const g = new GraphBuilder(7);
      let x = quant(g, g.input('x', ['N', 2, 6, 6]), 'Qin', 0.037, 8);
      x = g.node('Conv', [x, quant(g, g.init('W', [3, 2, 3, 3]), 'Qw', perFilter ? { dims: [3, 1, 1, 1], data: [0.2, 0.3, 0.4] } : 0.3, 4)], { kernel_shape: [3, 3] }, { name: 'conv' });
      x = g.node('BatchNormalization', [x, g.init('gamma', [3], [0.9, 1.2, 0.7]), g.init('beta', [3], [0.1, -0.2, 0.3]), g.init('mean', [3], [0.05, 0.1, -0.1]), g.init('var', [3], [1.1, 0.8, 1.3])], {}, { name: 'bn' });
      x = quant(g, g.node('Relu', [x], {}, { name: 'relu' }), 'Qout', 0.17, 4, false);
      const bytes = g.bytes([x], 13, QDOMAIN);
      const r = checkZooModel(bytes, 'fixed<40,20>', 10, -4, 4, 3, 10);
      expect(r.fw.layers.map((l) => `${l.cls}:${l.name}`).slice(1, 4)).toEqual(['Conv2D:conv', 'BatchNormalization:bn', 'Activation:relu']);
      expect((r.fw.layers[2]!.weights as Record<string, Float64Array>).scale!.length).toBe(3);
      for (const c of r.checks) expect(`${c.tensor}: ${c.equal}/${c.total}`).toBe(`${c.tensor}: ${c.total}/${c.total}`);
    }
  });

  it('a per-position scale that differs between positions is refused where it would merge into a per-channel BatchNormalization', () => {
    const aa = (data: number[]) =>
      sequential('m', [2, 2, 2], [
        { name: 'aa', className: 'ApplyAlpha', outputShape: [2, 2, 2], attrs: { n_filt: -1 }, weights: { scale: { shape: [8], data: Float32Array.from(data) }, bias: { shape: [8], data: new Float64Array(8) } } },
        { name: 'bn', className: 'BatchNormalization', outputShape: [2, 2, 2], attrs: { epsilon: 0.001 }, weights: { gamma: rnd([2]), beta: rnd([2]), moving_mean: rnd([2]), moving_variance: { shape: [2], data: new Float32Array(2).fill(0.5) } } },
      ]);
    const convert = (m: ModelGraph) => convertModel(m, configFromModel(m, { granularity: 'name' }));
    // the same at every position (as ScaleDownConv places it): merged, 2 per-channel values
    const fw = convert(aa([0.5, 0.25, 0.5, 0.25, 0.5, 0.25, 0.5, 0.25]));
    expect(fw.layers.map((l) => l.name)).toEqual(['bn']);
    expect((fw.layers[0]!.weights as Record<string, Float64Array>).scale!.length).toBe(2);
    expect(() => convert(aa([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/aa\.scale: 8 values that differ between positions \(value 2: 3, position 0: 1\) cannot be merged into a node with 2 per-channel values/);
  });
});

describe('ScaleDownConv: what hls4ml cannot convert is refused, naming the node and the reason', () => {
  const refused = (c: ConvCase, re: RegExp) => {
    const { bytes } = convModel(c);
    expect(() => importOnnx(bytes)).toThrow(UnsupportedError);
    expect(() => importOnnx(bytes)).toThrow(re);
  };
  it('weight scales that vary within a filter', () => {
    const g = new GraphBuilder(3);
    const x = quant(g, g.input('x', ['N', 2, 4, 4]), 'Qin', 0.125, 8);
    const W = quant(g, g.init('W', [1, 2, 1, 1]), 'Qw', { dims: [1, 2, 1, 1], data: [0.3, 0.7] }, 4);
    const y = g.node('Conv', [x, W], { kernel_shape: [1, 1] }, { name: 'conv' });
    const bytes = g.bytes([y], 13, QDOMAIN);
    expect(() => importOnnx(bytes)).toThrow(/Quant 'Qw'.*scales that vary within filter 0 \(0\.69.*ScaleDownConv moves one scale, or one per filter/);
  });
  it('per-channel data scales before a Conv with as many filters as input channels (hls4ml would scale the filters by the input channels)', () => {
    const g = new GraphBuilder(3);
    const x = quant(g, g.input('x', ['N', 2, 4, 4]), 'Qin', { dims: [1, 2, 1, 1], data: [0.3, 0.7] }, 8);
    const W = quant(g, g.init('W', [2, 2, 1, 1]), 'Qw', 0.25, 4);
    const y = g.node('Conv', [x, W], { kernel_shape: [1, 1] }, { name: 'conv' });
    const bytes = g.bytes([y], 13, QDOMAIN);
    expect(() => importOnnx(bytes)).toThrow(/Conv 'conv'.*per-channel scales of 'Qin_rescale'.*2 input-channel scales to the 2 filters/);
  });
  it('per-channel data scales before a Conv with a different number of filters stay before it (hls4ml cannot broadcast them)', () => {
    const g = new GraphBuilder(3);
    const x = quant(g, g.input('x', ['N', 2, 4, 4]), 'Qin', { dims: [1, 2, 1, 1], data: [0.3, 0.7] }, 8);
    const W = quant(g, g.init('W', [3, 2, 1, 1]), 'Qw', 0.25, 4);
    const y = g.node('Conv', [x, W], { kernel_shape: [1, 1] }, { name: 'conv' });
    const bytes = g.bytes([y], 13, QDOMAIN);
    const n = names(bytes);
    expect(n.indexOf('ApplyAlpha:Qin_rescale')).toBe(n.indexOf('Conv2D:conv') - 1);
    expect(compareFloat(bytes, {}, 3, 2, 2).maxErr).toBeLessThan(1e-5);
  });
});
