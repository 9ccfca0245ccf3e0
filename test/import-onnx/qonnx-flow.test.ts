/**
 * hls4ml's QONNX conversion end to end on generated models: random QONNX MLPs and CNNs are imported,
 * converted at a wide Model precision and emulated, and every quantized activation is compared code
 * by code with the float64 QONNX execution (src/import/onnx-eval.ts). Power-of-two scales must match
 * exactly; arbitrary (ApplyAlpha) scales within the bound the float32 scale 1/s quantized to the
 * Model precision allows. Plus the ApplyAlpha structure of a non-power-of-two Quant.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runOnnxModel } from '../../src/import/onnx-eval.js';
import { importOnnx } from '../../src/import/onnx.js';
import { GraphBuilder } from './builder.js';
import { compareFloat } from './compare.js';
import { checkZooModel, expectCodesNearBoundary } from './zoo-harness.js';

interface Layer {
  units: number;
  wBits: number;
  wExp: number;
  bias: boolean;
  relu: boolean;
  aBits: number;
  aExp: number;
  aSigned: boolean;
  narrow: boolean;
  floor: boolean;
}

function quant(g: GraphBuilder, x: string, name: string, s: number | number[], bits: number, signed: boolean, narrow: boolean, mode: string, z: number | number[] = 0): string {
  const sc = Array.isArray(s) ? g.init(`${name}_s`, [s.length], s) : g.scalar(`${name}_s`, s);
  const zp = Array.isArray(z) ? g.init(`${name}_z`, [z.length], z) : g.scalar(`${name}_z`, z);
  return g.node('Quant', [x, sc, zp, g.scalar(`${name}_b`, bits)], { signed: signed ? 1 : 0, narrow: narrow ? 1 : 0, rounding_mode: mode }, { name, domain: 'qonnx.custom_op.general' });
}

/** How a weight Quant with one scale per output column is written (see {@link mlp}). */
type PerColumnForm = 'matmul' | 'matmul1d' | 'transpose' | 'gemm';

/**
 * A QONNX MLP: Quant(input) → [Quant(W) MatMul (+ Quant(b)) (Relu) Quant]… with the given scale
 * function. With `perColumn`, layer i's weights get one scale per output column, written as form
 * `perColumn[i]`: 'matmul' W [n, units] with scale [1, units]; 'matmul1d' the same with scale
 * [units]; 'transpose' W [units, n] with scale [units, 1] then a Transpose (Brevitas' export);
 * 'gemm' Gemm(transB = 1) of W [units, n] with scale [units, 1].
 */
function mlp(seed: number, nIn: number, layers: Layer[], scale: (exp: number, k: number) => number, perColumn?: PerColumnForm[]): Uint8Array {
  const g = new GraphBuilder(seed);
  let x = quant(g, g.input('x', ['N', nIn]), 'Quant_in', scale(-3, 0), 8, true, false, 'ROUND');
  let n = nIn;
  layers.forEach((l, i) => {
    const form = perColumn?.[i % perColumn.length];
    if (form) {
      const s = Array.from({ length: l.units }, (_, j) => scale(l.wExp, 10 * i + 3 * j + 1));
      const rowMajor = form === 'transpose' || form === 'gemm';
      const w = g.init(`W${i}`, rowMajor ? [l.units, n] : [n, l.units]);
      const sc = g.init(`Quant_w${i}_s`, form === 'matmul1d' ? [l.units] : rowMajor ? [l.units, 1] : [1, l.units], s);
      const q = g.node('Quant', [w, sc, g.scalar(`Quant_w${i}_z`, 0), g.scalar(`Quant_w${i}_b`, l.wBits)], { signed: 1, narrow: l.narrow ? 1 : 0, rounding_mode: 'ROUND' }, { name: `Quant_w${i}`, domain: 'qonnx.custom_op.general' });
      if (form === 'gemm') x = g.node('Gemm', [x, q], { transB: 1 }, { name: `MatMul_${i}` });
      else x = g.node('MatMul', [x, form === 'transpose' ? g.node('Transpose', [q], { perm: [1, 0] }, { name: `Transpose_w${i}` }) : q], {}, { name: `MatMul_${i}` });
    } else {
      const W = quant(g, g.init(`W${i}`, [n, l.units]), `Quant_w${i}`, scale(l.wExp, 10 * i + 1), l.wBits, true, l.narrow, 'ROUND');
      x = g.node('MatMul', [x, W], {}, { name: `MatMul_${i}` });
    }
    if (l.bias) x = g.node('Add', [x, quant(g, g.init(`b${i}`, [l.units]), `Quant_b${i}`, 2 ** l.wExp, 8, true, false, 'ROUND')], {}, { name: `Add_${i}` });
    if (l.relu) x = g.node('Relu', [x], {}, { name: `Relu_${i}` });
    x = quant(g, x, `Quant_a${i}`, scale(l.aExp, 10 * i + 2), l.aBits, l.aSigned || !l.relu, l.narrow && (l.aSigned || !l.relu), l.floor ? 'FLOOR' : 'ROUND');
    n = l.units;
  });
  return g.bytes([x], 13, { 'qonnx.custom_op.general': 1 });
}

const layerArb = fc.record({
  units: fc.integer({ min: 1, max: 6 }),
  wBits: fc.integer({ min: 2, max: 6 }),
  wExp: fc.integer({ min: -4, max: 0 }),
  bias: fc.boolean(),
  relu: fc.boolean(),
  aBits: fc.integer({ min: 2, max: 8 }),
  aExp: fc.integer({ min: -4, max: 1 }),
  aSigned: fc.boolean(),
  narrow: fc.boolean(),
  floor: fc.boolean(),
});


describe('random QONNX MLPs vs the float64 QONNX execution', () => {
  it('power-of-two scales: every quantized activation code equals QONNX exactly at fixed<40,20>', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 8 }), fc.array(layerArb, { minLength: 1, maxLength: 3 }), (seed, nIn, layers) => {
        const bytes = mlp(seed, nIn, layers, (e) => 2 ** e);
        const r = checkZooModel(bytes, 'fixed<40,20>', 12, -6, 6, seed, 10);
        expect(r.checks.length).toBe(layers.length + 1);
        for (const c of r.checks) expect(`${c.tensor}: ${c.equal}/${c.total}`).toBe(`${c.tensor}: ${c.total}/${c.total}`);
        // power-of-two Quants never take the ApplyAlpha route
        expect(r.fw.layers.some((l) => l.cls === 'ApplyAlpha')).toBe(false);
      }),
      { numRuns: 40, seed: 15 },
    );
  });

  it('arbitrary scales (ApplyAlpha route): codes equal QONNX except within the 1/s quantization bound of a rounding boundary', () => {
    // The firmware computes codes as round(x·fix(1/s)) with fix(1/s) = 1/s rounded down to the
    // Model precision's 2^-F grid: |x·fix(1/s) − x/s| ≤ |x|·2^-F. A code can differ from QONNX's
    // round(x/s) only when x/s lies that close to a rounding boundary (a half-integer for ROUND).
    let total = 0;
    let equal = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 6 }), fc.array(layerArb, { minLength: 1, maxLength: 2 }), (seed, nIn, layers) => {
        const bytes = mlp(seed, nIn, layers, (e, k) => 2 ** e * (1 + ((seed * 7 + k * 13) % 97) / 101));
        const r = checkZooModel(bytes, 'fixed<40,20>', 10, -4, 4, seed, 10);
        const t = expectCodesNearBoundary(r.checks);
        total += t.total;
        equal += t.equal;
        expect(r.fw.layers.some((l) => l.cls === 'ApplyAlpha')).toBe(true);
      }),
      { numRuns: 25, seed: 4 },
    );
    expect(total).toBeGreaterThan(500);
    // the bound is 2^-20·|x| ≤ 1e-4 codes here: mismatches must be rare
    expect(equal / total).toBeGreaterThanOrEqual(0.995);
  });
});

describe('per-output-channel weight scales (moved below the MatMul as exact algebra; hls4ml 1.3 fails on them)', () => {
  it('random per-output-column scales in every export form: codes equal QONNX except within the 1/s bound of a rounding boundary, and each such MatMul is warned', () => {
    let total = 0;
    let equal = 0;
    const forms = fc.constantFrom<PerColumnForm>('matmul', 'matmul1d', 'transpose', 'gemm');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(layerArb.map((l) => ({ ...l, units: Math.max(2, l.units) })), { minLength: 1, maxLength: 3 }),
        fc.array(forms, { minLength: 1, maxLength: 3 }),
        (seed, nIn, layers, perColumn) => {
          const bytes = mlp(seed, nIn, layers, (e, k) => 2 ** e * (1 + ((seed * 7 + k * 13) % 97) / 101), perColumn);
          const r = checkZooModel(bytes, 'fixed<40,20>', 10, -4, 4, seed, 10);
          expect(r.checks.length).toBe(layers.length + 1);
          const t = expectCodesNearBoundary(r.checks);
          total += t.total;
          equal += t.equal;
          layers.forEach((l, i) => {
            // integer codes in the Dense, one rescale scale per output column after it
            const dense = r.imp.model.layers.find((m) => m.name === `MatMul_${i}`)!;
            expect(dense.weights.kernel!.data.every((w) => Number.isInteger(w))).toBe(true);
            const rs = r.imp.model.layers.find((m) => m.name === `Quant_w${i}_rescale`)!;
            const want = Array.from({ length: l.units }, (_, j) => Math.fround(2 ** l.wExp * (1 + ((seed * 7 + (10 * i + 3 * j + 1) * 13) % 97) / 101)));
            expect(Array.from(rs.weights.scale!.data)).toEqual(want);
            expect(r.warnings.filter((w) => w.startsWith(`MatMul_${i}: the weights' Quant 'Quant_w${i}' has ${l.units} per-output-channel scales; hls4ml 1.3 fails`)).length).toBe(1);
          });
        },
      ),
      { numRuns: 25, seed: 6 },
    );
    expect(total).toBeGreaterThan(500);
    expect(equal / total).toBeGreaterThanOrEqual(0.995);
  });

  it('the moved scales give the float function of the QONNX graph, in every export form', () => {
    for (const form of ['matmul', 'matmul1d', 'transpose', 'gemm'] as const) {
      // a power-of-two input Quant (exact in the model): the product's output is compared unquantized
      const g = new GraphBuilder(11);
      const x = quant(g, g.input('x', ['N', 4]), 'Quant_in', 2 ** -4, 8, true, false, 'ROUND');
      const s = [0.3, 0.45, 0.21, 0.7, 0.33];
      const rowMajor = form === 'transpose' || form === 'gemm';
      const q = g.node('Quant', [g.init('W', rowMajor ? [5, 4] : [4, 5]), g.init('Ws', form === 'matmul1d' ? [5] : rowMajor ? [5, 1] : [1, 5], s), g.scalar('Wz', 0), g.scalar('Wb', 4)], { signed: 1, narrow: 1, rounding_mode: 'ROUND' }, { name: 'Qw', domain: 'qonnx.custom_op.general' });
      const y =
        form === 'gemm'
          ? g.node('Gemm', [x, q, g.init('C', [5])], { transB: 1 }, { name: 'mm' })
          : g.node('MatMul', [x, form === 'transpose' ? g.node('Transpose', [q], { perm: [1, 0] }) : q], {}, { name: 'mm' });
      const r = compareFloat(g.bytes([y], 13, { 'qonnx.custom_op.general': 1 }), {}, 4, 5, 2);
      expect(r.maxErr).toBeLessThan(1e-6);
      expect(Array.from(r.imp.model.layers.find((l) => l.name === 'Qw_rescale')!.weights.scale!.data)).toEqual(s.map(Math.fround));
      expect(r.imp.model.layers.find((l) => l.name === 'mm')!.warnings).toHaveLength(1);
    }
  });
});

describe('ApplyAlpha route of a non-power-of-two Quant (quant_opt.py)', () => {
  it('activation Quant → <Q>_scale (1/s, z) → <Q>_act (fixed<b,b>) → <Q>_rescale (s, −z·s); the weight rescale and the data rescale move below the MatMul', () => {
    const g = new GraphBuilder(3);
    const x = quant(g, g.input('x', ['N', 4]), 'Qin', 0.3, 4, true, false, 'ROUND', 0);
    const W = quant(g, g.init('W', [4, 3]), 'Qw', 0.7, 3, true, true, 'ROUND');
    const y = g.node('MatMul', [x, W], {}, { name: 'mm' });
    const q2 = quant(g, y, 'Qz', 0.25, 4, false, false, 'ROUND', 3);
    const bytes = g.bytes([q2], 13, { 'qonnx.custom_op.general': 1 });
    const imp = importOnnx(bytes);
    expect(imp.model.layers.map((l) => `${l.className}:${l.name}`)).toEqual([
      'InputLayer:x', 'ApplyAlpha:Qin_scale', 'Activation:Qin_act', 'Dense:mm', 'ApplyAlpha:Qin_rescale', 'ApplyAlpha:Qw_rescale',
      // a non-zero zero-point: the rescale keeps its bias and stays
      'ApplyAlpha:Qz_scale', 'Activation:Qz_act', 'ApplyAlpha:Qz_rescale',
    ]);
    const L = Object.fromEntries(imp.model.layers.map((l) => [l.name, l]));
    expect(Array.from(L.Qin_scale!.weights.scale!.data)).toEqual([1, 2, 3, 4].map(() => Math.fround(1 / Math.fround(0.3))));
    expect(L.Qin_act!.quantizers!.result).toMatchObject({ W: 4, I: 4, signed: true, Q: 'AP_RND_CONV', O: 'AP_SAT' });
    expect(L.mm!.quantizers!.weight).toMatchObject({ W: 3, I: 3, signed: true, O: 'AP_SAT_SYM' });
    expect(L.mm!.weights.kernel!.data.every((w) => Number.isInteger(w) && Math.abs(w) <= 3)).toBe(true);
    expect(Array.from(L.Qw_rescale!.weights.scale!.data)).toEqual([1, 2, 3].map(() => Math.fround(0.7)));
    expect(Array.from(L.Qz_scale!.weights.bias!.data)).toEqual([3, 3, 3]);
    expect(Array.from(L.Qz_rescale!.weights.bias!.data)).toEqual([3, 3, 3].map(() => Math.fround(-0.75)));
    // the Quant outputs: their codes' layers; the moved rescale no longer stands for Qin's output
    expect(imp.alphaQuants.map((t) => [t.onnxName, t.layer])).toEqual([[x, 'Qin_act'], [q2, 'Qz_act']]);
    expect(imp.tensors.find((t) => t.onnxName === x)).toBeUndefined();
    expect(imp.tensors.find((t) => t.layer === 'Qw_rescale')!.onnxName).toBe(y);
    // same float function as QONNX up to the float32 1/s
    expect(compareFloat(bytes, {}, 4, 5, 2).maxErr).toBeLessThan(1e-5);
  });

  it("constant Pow / Sqrt / Reciprocal / Abs fold (qonnx cleanup's FoldConstants; Brevitas' TensorNorm divides by Pow(var, 0.5))", () => {
    const g = new GraphBuilder(8);
    const x = g.input('x', ['N', 4]);
    const v = g.init('var', [1], [2.25]);
    const d = g.node('Div', [x, g.node('Pow', [v, g.scalar('half', 0.5)])], {}, { name: 'Div_0' });
    const m = g.node('Mul', [d, g.node('Reciprocal', [g.node('Sqrt', [g.node('Abs', [g.init('nv', [1], [-16])])])])], {}, { name: 'Mul_0' });
    const r = compareFloat(g.bytes([m]), {}, 3, 2);
    expect(r.maxErr).toBeLessThan(1e-15);
    const bn = r.imp.model.layers.find((l) => l.name === 'Div_0')!;
    expect(bn.weights.gamma!.data[0]).toBeCloseTo(1 / 1.5 / 4, 15);
  });

  it('the float64 QONNX Quant: clamp, then round half to even, zero-point, scale', () => {
    const run = (x: number[], s: number, z: number, b: number, signed = 1, narrow = 0, mode = 'ROUND') => {
      const g = new GraphBuilder(1);
      const y = quant(g, g.input('x', ['N', x.length]), 'q', s, b, signed === 1, narrow === 1, mode, z);
      return Array.from(runOnnxModel(g.bytes([y]), { x: { shape: [1, x.length], data: Float64Array.from(x) } }).get(y)!.data, (v) => v + 0);
    };
    expect(run([0.5, 1.5, 2.5, -0.5, -2.5], 1, 0, 4)).toEqual([0, 2, 2, 0, -2]);
    expect(run([100, -100], 0.5, 0, 4)).toEqual([3.5, -4]);
    expect(run([-100], 0.5, 0, 4, 1, 1)).toEqual([-3.5]);
    expect(run([0.26, 10], 0.25, 3, 4, 0)).toEqual([0.25, 3]);
    expect(run([1.7, -1.7], 1, 0, 4, 1, 0, 'FLOOR')).toEqual([1, -2]);
  });
});

interface ConvLayer {
  filters: number;
  k: number;
  pad: boolean;
  wBits: number;
  wExp: number;
  bias: boolean;
  bn: boolean;
  relu: boolean;
  aBits: number;
  aExp: number;
  aSigned: boolean;
  pool: boolean;
}

/**
 * A QONNX CNN in Brevitas' layout (NCHW): Quant(input) → [Conv(Quant(W)) (+ Quant(b)) (BatchNormalization)
 * (Relu) Quant (MaxPool 2×2)]… → Flatten → MatMul(Quant(W)) → Quant, with power-of-two scales.
 */
function cnn(seed: number, c0: number, h0: number, layers: ConvLayer[], scale: (exp: number, k: number) => number = (e) => 2 ** e): Uint8Array {
  const g = new GraphBuilder(seed);
  let x = quant(g, g.input('x', ['N', c0, h0, h0]), 'Quant_in', scale(-3, 0), 8, true, false, 'ROUND');
  let c = c0;
  let h = h0;
  layers.forEach((l, i) => {
    const k = Math.min(l.k, h);
    const W = quant(g, g.init(`W${i}`, [l.filters, c, k, k]), `Quant_w${i}`, scale(l.wExp, 10 * i + 1), l.wBits, true, false, 'ROUND');
    const ins = [x, W];
    // a bias Quant keeps a power-of-two scale (hls4ml has no ApplyAlpha route for a Conv bias);
    // its values lie on the grid: hls4ml's ScaleDownConv reads the bias before its Quant
    const bGrid = Array.from({ length: l.filters }, (_, j) => 2 ** l.wExp * (((seed * 5 + 11 * j + 3 * i) % 61) - 30));
    if (l.bias) ins.push(quant(g, g.init(`b${i}`, [l.filters], bGrid), `Quant_b${i}`, 2 ** l.wExp, 8, true, false, 'ROUND'));
    const p = l.pad ? Math.floor(k / 2) : 0;
    x = g.node('Conv', ins, { kernel_shape: [k, k], pads: [p, p, p, p] }, { name: `Conv_${i}` });
    h = h + 2 * p - k + 1;
    c = l.filters;
    if (l.bn) {
      const v = (n: number, a: number, b: number) => Array.from({ length: n }, (_, j) => a + (b * ((seed + 5 * j + i) % 7)) / 7);
      x = g.node('BatchNormalization', [x, g.init(`g${i}`, [c], v(c, 0.5, 1)), g.init(`be${i}`, [c], v(c, -0.3, 0.6)), g.init(`m${i}`, [c], v(c, -0.2, 0.4)), g.init(`var${i}`, [c], v(c, 0.5, 1))], {}, { name: `BatchNormalization_${i}` });
    }
    if (l.relu) x = g.node('Relu', [x], {}, { name: `Relu_${i}` });
    x = quant(g, x, `Quant_a${i}`, scale(l.aExp, 10 * i + 2), l.aBits, l.aSigned || !l.relu, false, 'ROUND');
    if (l.pool && h >= 2) {
      x = g.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, { name: `MaxPool_${i}` });
      h = Math.floor(h / 2);
    }
  });
  x = g.node('Flatten', [x], { axis: 1 }, { name: 'Flatten' });
  const n = c * h * h;
  x = g.node('MatMul', [x, quant(g, g.init('Wd', [n, 3]), 'Quant_wd', scale(-2, 98), 4, true, false, 'ROUND')], {}, { name: 'MatMul_d' });
  x = quant(g, x, 'Quant_out', scale(-2, 99), 8, true, false, 'ROUND');
  return g.bytes([x], 13, { 'qonnx.custom_op.general': 1 });
}

const convLayerArb = fc.record({
  filters: fc.integer({ min: 1, max: 4 }),
  k: fc.integer({ min: 1, max: 3 }),
  pad: fc.boolean(),
  wBits: fc.integer({ min: 2, max: 6 }),
  wExp: fc.integer({ min: -4, max: 0 }),
  bias: fc.boolean(),
  bn: fc.boolean(),
  relu: fc.boolean(),
  aBits: fc.integer({ min: 2, max: 8 }),
  aExp: fc.integer({ min: -4, max: 1 }),
  aSigned: fc.boolean(),
  pool: fc.boolean(),
});

describe('random QONNX CNNs vs the float64 QONNX execution', () => {
  it('power-of-two scales: every quantized activation code equals QONNX exactly at fixed<40,20>', () => {
    let total = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 3, max: 7 }), fc.array(convLayerArb, { minLength: 1, maxLength: 2 }), (seed, c0, h0, layers) => {
        const bytes = cnn(seed, c0, h0, layers);
        const r = checkZooModel(bytes, 'fixed<40,20>', 6, -4, 4, seed, 10);
        expect(r.checks.length).toBe(layers.length + 2);
        for (const c of r.checks) {
          expect(`${c.tensor}: ${c.equal}/${c.total}`).toBe(`${c.tensor}: ${c.total}/${c.total}`);
          total += c.total;
        }
        expect(r.fw.layers.some((l) => l.cls === 'ApplyAlpha')).toBe(false);
      }),
      { numRuns: 30, seed: 21 },
    );
    expect(total).toBeGreaterThan(2000);
  });

  it('arbitrary scales (ScaleDownConv, ApplyAlpha merges into BatchNormalization): codes equal QONNX except within the 1/s bound of a rounding boundary', () => {
    let total = 0;
    let equal = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 3, max: 7 }), fc.array(convLayerArb, { minLength: 1, maxLength: 2 }), (seed, c0, h0, layers) => {
        const bytes = cnn(seed, c0, h0, layers, (e, k) => 2 ** e * (1 + ((seed * 7 + k * 13) % 97) / 101));
        let r: ReturnType<typeof checkZooModel>;
        try {
          r = checkZooModel(bytes, 'fixed<40,20>', 6, -4, 4, seed, 10);
        } catch (e) {
          // a pooled (n_filt = C) input to a Conv whose moved rescale varies per filter, C ≠ F: refused
          expect((e as Error).message).toMatch(/gives the ApplyAlpha .* the attributes of the data producer .*Pooling2D.*a silent error in hls4ml/);
          refused++;
          return;
        }
        const t = expectCodesNearBoundary(r.checks);
        total += t.total;
        equal += t.equal;
        expect(r.fw.layers.some((l) => l.cls === 'ApplyAlpha')).toBe(true);
      }),
      { numRuns: 30, seed: 22 },
    );
    expect(refused).toBeLessThan(10);
    expect(total).toBeGreaterThan(2000);
    expect(equal / total).toBeGreaterThanOrEqual(0.995);
  });
});
