/**
 * QONNX Quant / BipolarQuant: the Quant → ap_fixed mapping (hls4ml's), checked against the QONNX
 * float semantics grid by grid, and QONNX graphs with weight, bias and activation quantizers.
 */
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/errors.js';
import { fixedType, type FixedType } from '../../src/fixed/types.js';
import { importOnnx } from '../../src/import/onnx.js';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { quantFixedType, quantMaxInt, quantMinInt, qonnxQuant } from '../../src/import/qonnx.js';
import { GraphBuilder } from './builder.js';
import { compareFloat, rng } from './compare.js';
import { castTo } from './model-eval.js';

/** All values a fixed type can hold (raw mantissas of W bits). */
function representable(t: FixedType): number[] {
  const lo = t.signed ? -(2 ** (t.W - 1)) : 0;
  const hi = t.signed ? 2 ** (t.W - 1) - 1 : 2 ** t.W - 1;
  const out: number[] = [];
  for (let r = lo; r <= hi; r++) out.push(r * 2 ** (t.I - t.W));
  return out;
}

describe('Quant → ap_fixed mapping', () => {
  const cases: { signed: boolean; narrow: boolean; b: number; k: number; mode: string }[] = [];
  for (const signed of [true, false]) {
    for (const narrow of signed ? [false, true] : [false]) {
      for (const b of [1, 2, 3, 4, 6, 8]) {
        if (narrow && b < 2) continue;
        for (const k of [-6, -3, -1, 0, 2]) for (const mode of ['ROUND', 'FLOOR']) cases.push({ signed, narrow, b, k, mode });
      }
    }
  }

  it('maps scale 2^k, bit_width b to <b, b+k>, ROUND → AP_RND_CONV, FLOOR → AP_TRN, narrow → AP_SAT_SYM', () => {
    const q = (signed: boolean, narrow: boolean, b: number, s: number, mode: string) =>
      quantFixedType({ scale: [s], zeroPoint: [0], bitWidth: b, signed, narrow, roundingMode: mode }, 'q');
    expect(q(true, false, 8, 2 ** -4, 'ROUND')).toEqual(fixedType(true, 8, 4, 'AP_RND_CONV', 'AP_SAT'));
    expect(q(true, true, 4, 2 ** -3, 'ROUND')).toEqual(fixedType(true, 4, 1, 'AP_RND_CONV', 'AP_SAT_SYM'));
    expect(q(false, false, 6, 0.25, 'FLOOR')).toEqual(fixedType(false, 6, 4, 'AP_TRN', 'AP_SAT'));
    expect(q(true, false, 3, 4, 'round')).toEqual(fixedType(true, 3, 5, 'AP_RND_CONV', 'AP_SAT'));
  });

  it(`every value the type produces is a Quant grid point, and the ranges match (${cases.length} settings)`, () => {
    for (const c of cases) {
      const s = 2 ** c.k;
      const t = quantFixedType({ scale: [s], zeroPoint: [0], bitWidth: c.b, signed: c.signed, narrow: c.narrow, roundingMode: c.mode }, 'q');
      const grid = new Set<number>();
      for (let j = quantMinInt(c.signed, c.narrow, c.b); j <= quantMaxInt(c.signed, c.narrow, c.b); j++) grid.add(j * s);
      const rep = representable(t);
      // every representable value is on the grid (the step is the scale) …
      for (const v of rep) expect(Number.isInteger(v / s)).toBe(true);
      // … and what the type produces by quantization is exactly the grid: AP_SAT_SYM never yields the
      // one extra negative code of a narrow range
      const produced = new Set(rep.map((v) => castTo(v, t)));
      expect([...produced].sort((p, q) => p - q)).toEqual([...grid].sort((p, q) => p - q));
      expect(Math.min(...produced)).toBe(quantMinInt(c.signed, c.narrow, c.b) * s);
      expect(Math.max(...produced)).toBe(quantMaxInt(c.signed, c.narrow, c.b) * s);
    }
  });

  it('casting to the type equals the QONNX float quantizer (ties, out of range, random)', () => {
    const rand = rng(3);
    for (const c of cases) {
      const s = 2 ** c.k;
      const t = quantFixedType({ scale: [s], zeroPoint: [0], bitWidth: c.b, signed: c.signed, narrow: c.narrow, roundingMode: c.mode }, 'q');
      const lo = quantMinInt(c.signed, c.narrow, c.b);
      const hi = quantMaxInt(c.signed, c.narrow, c.b);
      const xs: number[] = [];
      for (let j = lo - 3; j <= hi + 3; j++) xs.push(j * s, (j + 0.5) * s, (j + 0.25) * s, (j - 0.5) * s);
      for (let i = 0; i < 200; i++) xs.push((rand() * 2 - 1) * (hi - lo + 4) * s);
      for (const x of xs) expect(castTo(x, t)).toBe(qonnxQuant(x, s, 0, c.b, c.signed, c.narrow, c.mode));
    }
  });

  it('rejects settings without a fixed-point equivalent, saying why', () => {
    const base = { scale: [0.25], zeroPoint: [0], bitWidth: 4, signed: true, narrow: false, roundingMode: 'ROUND' };
    const bad: [Partial<typeof base>, RegExp][] = [
      [{ scale: [0.3] }, /not a power of two.*ApplyAlpha/],
      [{ scale: [-0.25] }, /not a power of two/],
      [{ zeroPoint: [1] }, /zero_point 1 is not 0/],
      [{ scale: [0.25, 0.5] }, /per-channel scales/],
      [{ narrow: true, signed: false }, /narrow range is only supported for signed/],
      [{ roundingMode: 'CEIL' }, /rounding_mode 'CEIL' is not supported \(hls4ml supports ROUND and FLOOR only\)/],
      [{ bitWidth: 3.5 }, /bit_width 3.5 is not a positive integer/],
    ];
    for (const [p, re] of bad) {
      expect(() => quantFixedType({ ...base, ...p }, "node[2] (Quant 'q')")).toThrow(UnsupportedError);
      expect(() => quantFixedType({ ...base, ...p }, "node[2] (Quant 'q')")).toThrow(re);
    }
    // equal per-channel scales are one scale (hls4ml's check)
    expect(quantFixedType({ ...base, scale: [0.25, 0.25, 0.25] }, 'q')).toEqual(fixedType(true, 4, 2, 'AP_RND_CONV', 'AP_SAT'));
  });
});

interface QuantSpec {
  scale: number | number[];
  bits: number;
  signed?: number;
  narrow?: number;
  mode?: string;
  scaleDims?: number[];
}

function quant(g: GraphBuilder, x: string, q: QuantSpec, name: string, bitsInt64 = false): string {
  const s = Array.isArray(q.scale) ? q.scale : [q.scale];
  const scale = g.init(`${name}_scale`, q.scaleDims ?? [], s);
  const zp = g.init(`${name}_zp`, [], [0]);
  const bw = bitsInt64 ? g.init(`${name}_bw`, [], [q.bits], 7) : g.init(`${name}_bw`, [], [q.bits]);
  return g.node('Quant', [x, scale, zp, bw], { signed: q.signed ?? 1, narrow: q.narrow ?? 0, rounding_mode: q.mode ?? 'ROUND' }, { name, domain: 'qonnx.custom_op.general' });
}

function onGrid(data: ArrayLike<number>, t: FixedType): boolean {
  const lsb = 2 ** (t.I - t.W);
  return Array.from(data).every((w) => Number.isInteger(w / lsb) && castTo(w, t) === w);
}

describe('QONNX graphs', () => {
  it('weight, bias and activation Quant nodes → quantizers; weights on the grid; same float function', () => {
    const g = new GraphBuilder(5);
    const x = quant(g, g.input('x', ['N', 8]), { scale: 2 ** -4, bits: 8 }, 'Quant_in');
    const W = quant(g, g.init('W', [8, 5]), { scale: 2 ** -3, bits: 4, narrow: 1 }, 'Quant_w', true);
    const m = g.node('MatMul', [x, W], {}, { name: 'fc1' });
    const b = quant(g, g.init('b', [5]), { scale: 2 ** -5, bits: 8, mode: 'FLOOR' }, 'Quant_b');
    const r = g.node('Relu', [g.node('Add', [m, b])], {}, { name: 'relu1' });
    const qr = quant(g, r, { scale: 0.25, bits: 6, signed: 0 }, 'Quant_r');
    const W2 = quant(g, g.init('W2', [3, 5]), { scale: [0.125, 0.125, 0.125], scaleDims: [3, 1], bits: 5 }, 'Quant_w2');
    const y = g.node('Gemm', [qr, W2], { transB: 1 }, { name: 'fc2' });
    const bytes = g.bytes([y], 13, { 'qonnx.custom_op.general': 1 });
    const r1 = compareFloat(bytes, {}, 4, 2, 4);
    expect(r1.maxErr).toBeLessThan(1e-12);
    const { model } = r1.imp;
    expect(model.source).toBe('qonnx');
    expect(model.layers.map((l) => `${l.className}:${l.name}`)).toEqual([
      'InputLayer:x', 'Activation:Quant_in_act', 'Dense:fc1', 'ApplyAlpha:bn_Add_4', 'Activation:relu1', 'Activation:Quant_r_act', 'Dense:fc2',
    ]);
    const [, qin, fc1, addB, , qact, fc2] = model.layers as [never, (typeof model.layers)[0], (typeof model.layers)[0], (typeof model.layers)[0], never, (typeof model.layers)[0], (typeof model.layers)[0]];
    expect(qin.attrs.activation).toBe('linear');
    expect(qin.quantizers).toEqual({ result: fixedType(true, 8, 4, 'AP_RND_CONV', 'AP_SAT') });
    expect(fc1.quantizers).toEqual({ weight: fixedType(true, 4, 1, 'AP_RND_CONV', 'AP_SAT_SYM') });
    // the bias Add is hls4ml's bn_<Add> (scale 1 uint<1>, bias quantized), fused into the Dense by the conversion
    expect(addB.quantizers).toEqual({ bias: fixedType(true, 8, 3, 'AP_TRN', 'AP_SAT') });
    expect(addB.attrs.scalePrecision).toEqual(fixedType(false, 1, 1));
    const fw = convertModel(model, configFromModel(model, { granularity: 'name' }));
    expect(fw.layers.map((l) => l.name)).toEqual(['Quant_in_act', 'fc1', 'relu1', 'fc2']);
    expect(fw.layers[1]!.types).toMatchObject({ bias: fixedType(true, 8, 3, 'AP_TRN', 'AP_SAT') });
    expect(qact.quantizers).toEqual({ result: fixedType(false, 6, 4, 'AP_RND_CONV', 'AP_SAT') });
    expect(fc2.quantizers).toEqual({ weight: fixedType(true, 5, 2, 'AP_RND_CONV', 'AP_SAT') });
    expect(fc2.attrs.useBias).toBe(true); // hls4ml's zero bias, typed by the configuration
    expect(fc2.weights.bias!.data.every((b) => b === 0)).toBe(true);
    expect(onGrid(fc1.weights.kernel!.data, fc1.quantizers!.weight!)).toBe(true);
    expect(onGrid(addB.weights.bias!.data, addB.quantizers!.bias!)).toBe(true);
    expect(onGrid(fc2.weights.kernel!.data, fc2.quantizers!.weight!)).toBe(true);
    // the weights really were quantized (not already on a 2^-3 grid before)
    const raw = g.inits.find((t) => t.name === 'W')!.data;
    expect(Array.from(raw).some((w) => !Number.isInteger(w * 8))).toBe(true);
  });

  it('Conv with per-channel (all equal) weight scales and an activation Quant on a 4-D input', () => {
    const g = new GraphBuilder(9);
    const x = quant(g, g.input('x', ['N', 2, 5, 5]), { scale: 2 ** -2, bits: 6 }, 'Quant_x');
    const W = quant(g, g.init('W', [3, 2, 3, 3]), { scale: [0.5, 0.5, 0.5], scaleDims: [3, 1, 1, 1], bits: 3, narrow: 1 }, 'Quant_W');
    const y = g.node('Conv', [x, W, g.init('B', [3])], { pads: [1, 1, 1, 1] }, { name: 'conv' });
    const r = compareFloat(g.bytes([y]), {}, 3, 4, 3);
    expect(r.maxErr).toBeLessThan(1e-12);
    const conv = r.imp.model.layers.find((l) => l.className === 'Conv2D')!;
    expect(conv.quantizers).toEqual({ weight: fixedType(true, 3, 2, 'AP_RND_CONV', 'AP_SAT_SYM') });
    expect(onGrid(conv.weights.kernel!.data, conv.quantizers!.weight!)).toBe(true);
    expect(r.imp.inputs[0]!.modelShape).toEqual([5, 5, 2]);
  });

  it("BipolarQuant: weights → hls4ml's BinaryQuantizer (Xnor, 0/1 for ±1); activations → binary_tanh Activation", () => {
    const g = new GraphBuilder(4);
    const W = g.node('BipolarQuant', [g.init('W', [6, 4]), g.scalar('one', 1)], {}, { name: 'bq_w' });
    const d = g.node('MatMul', [g.input('x', ['N', 6]), W], {}, { name: 'fc' });
    const y = g.node('BipolarQuant', [d, g.scalar('one2', 1)], {}, { name: 'bq_act' });
    const r = compareFloat(g.bytes([y]), {}, 3, 8);
    expect(r.maxErr).toBe(0);
    const [, fc, act] = r.imp.model.layers;
    const wq = fc!.quantizers!.weight!;
    expect([wq.kind, wq.hls4ml, wq.W, wq.I, wq.signed]).toEqual(['xnor', 'BinaryQuantizer', 1, 1, false]);
    expect(new Set(fc!.weights.kernel!.data)).toEqual(new Set([-1, 1]));
    expect(Array.from(wq.apply!(fc!.weights.kernel!.data, [6, 4], 'w'))).toEqual(Array.from(fc!.weights.kernel!.data, (w) => (w > 0 ? 1 : 0)));
    expect(act!.attrs.activation).toBe('binary_tanh');
    expect(r.imp.model.source).toBe('qonnx');
  });

  const badGraph = (mutate: (g: GraphBuilder, x: string) => string) => {
    const g = new GraphBuilder(2);
    const y = mutate(g, g.input('x', ['N', 4]));
    return g.bytes([y]);
  };

  it('bad Quant settings → UnsupportedError naming the Quant node and the reason', () => {
    const cases: [(g: GraphBuilder, x: string) => string, RegExp][] = [
      // per-channel weight scales that vary along the reduction axis (per input feature): no scale per output to move
      [
        (g, x) => g.node('MatMul', [x, quant(g, g.init('W', [4, 2]), { scale: [0.5, 0.25, 0.5, 0.5], scaleDims: [4, 1], bits: 4 }, 'QuantBad')]),
        /Quant 'QuantBad'.*per-channel scales \(4 values\) that vary along the reduction axis \(output 0: 0\.25 at input feature 1, 0\.5 at input feature 0\) on the weights of .*MatMul.*ScaleDownMatMul cannot move.*hlsemu refuses it/,
      ],
      // … also when a Transpose (Brevitas' export) makes a per-column scale per input feature
      [
        (g, x) => g.node('MatMul', [x, g.node('Transpose', [quant(g, g.init('W', [2, 4]), { scale: [0.5, 0.25, 0.5, 0.5], scaleDims: [1, 4], bits: 4 }, 'QuantBad')], { perm: [1, 0] })]),
        /Quant 'QuantBad'.*per-channel scales \(4 values\) that vary along the reduction axis/,
      ],
      // a per-output-channel zero-point
      [
        (g, x) => g.node('MatMul', [x, g.node('Quant', [g.init('W', [4, 2]), g.scalar('s', 0.3), g.init('z', [1, 2], [0, 1]), g.scalar('b', 4)], { signed: 1, narrow: 0, rounding_mode: 'ROUND' }, { name: 'QuantBad' })]),
        /Quant 'QuantBad'.*non-zero zero_point \(1\)/,
      ],
      // a non-power-of-two scale on a Gemm bias (hls4ml's bias ApplyAlpha route is modelled for Conv only)
      [
        (g, x) => g.node('Gemm', [x, g.init('W', [4, 2]), quant(g, g.init('C', [2]), { scale: 0.3, bits: 4 }, 'QuantBad')]),
        /Quant 'QuantBad'.*scale 0\.3.* is not a power of two.*activations, MatMul\/Gemm and Conv weights, and Conv biases, only/,
      ],
      [(g, x) => quant(g, x, { scale: 1, bits: 4, signed: 0, narrow: 1 }, 'QuantBad'), /Quant 'QuantBad'.*narrow/],
      [(g, x) => quant(g, x, { scale: 1, bits: 4, mode: 'CEIL' }, 'QuantBad'), /Quant 'QuantBad'.*rounding_mode 'CEIL'/],
      [
        (g, x) => g.node('MatMul', [x, g.node('Quant', [g.init('W', [4, 2]), g.scalar('s', 0.5), g.scalar('z', 2), g.scalar('b', 4)], { signed: 1, narrow: 0, rounding_mode: 'ROUND' }, { name: 'QuantBad' })]),
        /Quant 'QuantBad'.*non-zero zero_point \(2\)/,
      ],
      [
        (g, x) => g.node('Quant', [x, g.node('Relu', [x]), g.scalar('z', 0), g.scalar('b', 4)], { signed: 1 }, { name: 'QuantBad' }),
        /Quant 'QuantBad'.*scale \(input 1 .*\) must be a constant/,
      ],
      [(g, x) => g.node('BipolarQuant', [x, g.scalar('s', 2)], {}, { name: 'BQBad' }), /BipolarQuant 'BQBad'.*scale 2 is not 1/],
    ];
    for (const [mk, re] of cases) {
      const bytes = badGraph(mk);
      expect(() => importOnnx(bytes)).toThrow(UnsupportedError);
      expect(() => importOnnx(bytes)).toThrow(re);
    }
  });
});
