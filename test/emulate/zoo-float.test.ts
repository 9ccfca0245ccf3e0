// Float evaluators and wide-type emulation of the depthwise / separable, LSTM / GRU / SimpleRNN,
// LayerNormalization and EinsumDense kinds against tfjs: random small tfjs models saved to disk and
// imported (tfjs = Keras 2 semantics), evaluated in float64 (within float32 rounding of tfjs) and
// converted at wide fixed-point types and emulated (within an error bound derived from the LSBs,
// and for the table-based layers from the table's resolution).
// Tolerances and their derivation: docs/testing.md, "Property-test tolerances".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateFloat } from '../../src/emulate/float.js';
import { Emulator } from '../../src/emulate/predict.js';
import { convertModel } from '../../src/graph/convert.js';
import type { ModelGraph, ModelLayer } from '../../src/graph/model.js';
import { loadModel } from '../../src/import/index.js';
import { loadTf, randomizeWeights, rng, saveTfjsModel, tempDir, type Tf } from '../import/helpers.js';
import type * as TF from '@tensorflow/tfjs';

const RUNS = Number(process.env.HLSEMU_PROPERTY_RUNS ?? 10);
// rng(seed)() is uniform in [-1, 1).
const F32 = (want: number) => 2e-6 * (1 + Math.abs(want));

async function roundTrip(tf: Tf, m: TF.LayersModel): Promise<ModelGraph> {
  const dir = tempDir('hlsemu-zoo-');
  await saveTfjsModel(m, dir);
  return loadModel(`${dir}/model.json`);
}

/** Scale every weight of a layer by s (keeps pre-activations inside the activation tables' range). */
function scaleWeights(tf: Tf, l: TF.layers.Layer, s: number): void {
  l.setWeights(l.getWeights().map((w) => tf.mul(w, s)));
}

function predict(tf: Tf, m: TF.LayersModel, x: Float32Array, shape: number[]): Float32Array {
  return (m.predict(tf.tensor(x, shape)) as TF.Tensor).dataSync() as Float32Array;
}

const sumAbsCols = (w: ArrayLike<number>, nOut: number): number => {
  const col = new Float64Array(nOut);
  for (let i = 0; i < w.length; i++) col[i % nOut]! += Math.abs(w[i]!);
  return Math.max(...col);
};
const maxAbs = (w: ArrayLike<number>): number => Math.max(0, ...Array.from(w, Math.abs));

// ---------------------------------------------------------------------------------------------
// Depthwise / separable
// ---------------------------------------------------------------------------------------------

interface ConvArch {
  sep: boolean;
  size: number;
  ch: number;
  k: number;
  s: number;
  same: boolean;
  filters: number;
  relu: boolean;
}
const convArch: fc.Arbitrary<ConvArch> = fc.record({
  sep: fc.boolean(),
  size: fc.integer({ min: 4, max: 7 }),
  ch: fc.integer({ min: 1, max: 3 }),
  k: fc.integer({ min: 1, max: 3 }),
  s: fc.integer({ min: 1, max: 2 }),
  same: fc.boolean(),
  filters: fc.integer({ min: 1, max: 4 }),
  relu: fc.boolean(),
});

function convModel(tf: Tf, a: ConvArch, oneD: boolean): TF.LayersModel {
  const common = {
    inputShape: oneD ? [1, a.size, a.ch] : [a.size, a.size, a.ch],
    kernelSize: (oneD ? [1, a.k] : a.k) as number | [number, number],
    strides: (oneD ? [1, a.s] : a.s) as number | [number, number],
    padding: a.same ? ('same' as const) : ('valid' as const),
    activation: a.relu ? ('relu' as const) : ('linear' as const),
    name: 'c',
  };
  const l = a.sep ? tf.layers.separableConv2d({ ...common, filters: a.filters }) : tf.layers.depthwiseConv2d({ ...common, depthMultiplier: 1 });
  return tf.sequential({ layers: [l] });
}

/** The same layer as a 1D Keras layer (the tfjs 2D layer with height 1, kernel height squeezed). */
function as1d(m2: ModelGraph, a: ConvArch): ModelGraph {
  const [inp, l] = m2.layers as [ModelLayer, ModelLayer];
  const sq = (t: { shape: number[]; data: Float32Array | Float64Array }) => ({ shape: t.shape.slice(1), data: t.data });
  const w: ModelLayer['weights'] = { depthwise_kernel: sq(l.weights.depthwise_kernel!) };
  if (l.weights.pointwise_kernel) w.pointwise_kernel = sq(l.weights.pointwise_kernel);
  if (l.weights.bias) w.bias = l.weights.bias;
  return {
    ...m2,
    layers: [
      { ...inp, outputShape: [a.size, a.ch] },
      { ...l, className: a.sep ? 'SeparableConv1D' : 'DepthwiseConv1D', inputShapes: [[a.size, a.ch]], outputShape: l.outputShape.slice(1), attrs: { ...l.attrs, kernelSize: [a.k], strides: [a.s] }, weights: w },
    ],
  };
}

/**
 * Emulator error bound at F fractional bits (AP_TRN everywhere): inputs and weights are off by
 * < 2^-F each (plus half a printed decimal, 0.5·10^-F); a stage of fan-in n adds n product casts
 * and the bias and result casts; the error coming in is amplified by the stage's gain (Σ|w|).
 */
function convBound(l: ModelLayer, F: number, xMax: number): number {
  const lsb = 2 ** -F;
  const wq = lsb + 0.5 * 10 ** -F;
  const dk = l.weights.depthwise_kernel!.data;
  const C = l.inputShapes[0]![l.inputShapes[0]!.length - 1]!;
  const K = dk.length / C;
  const g1 = sumAbsCols(dk, C);
  let err = g1 * lsb + K * wq * (xMax + lsb) + (K + 2) * lsb;
  let mag = g1 * xMax + 1;
  const pk = l.weights.pointwise_kernel?.data;
  if (pk) {
    const Fo = pk.length / C;
    const g2 = sumAbsCols(pk, Fo);
    err = g2 * err + C * wq * (mag + err) + (C + 3) * lsb;
    mag = g2 * mag + 1;
  }
  return err;
}

describe('DepthwiseConv / SeparableConv vs tfjs', () => {
  for (const oneD of [false, true]) {
    it(`${oneD ? '1D (a tfjs 2D layer of height 1)' : '2D'}: float64 = tfjs; at ap_fixed<32,16> the emulator (io_parallel and io_stream) is within the LSB bound`, async () => {
      const tf = await loadTf();
      let seed = oneD ? 100 : 1;
      await fc.assert(
        fc.asyncProperty(convArch, async (a) => {
          const m = convModel(tf, a, oneD);
          randomizeWeights(tf, m, seed++);
          const m2 = await roundTrip(tf, m);
          const model = oneD ? as1d(m2, a) : m2;
          const shape = model.layers[0]!.outputShape;
          const per = shape.reduce((p, d) => p * d, 1);
          const r = rng(seed++);
          const n = 3;
          const x = Float32Array.from({ length: n * per }, () => r() * 2);
          const want = predict(tf, m, x, oneD ? [n, 1, a.size, a.ch] : [n, ...shape]);
          const f = evaluateFloat(model, { data: x, shape: [n, ...shape] }).values;
          for (let i = 0; i < want.length; i++) expect(Math.abs(f[i]! - want[i]!)).toBeLessThanOrEqual(F32(want[i]!));
          const b = convBound(model.layers[1]!, 16, 2);
          for (const io of ['io_parallel', 'io_stream'] as const) {
            const fw = convertModel(model, { Model: { Precision: 'fixed<32,16>' }, IOType: io });
            if (io === 'io_stream' && !oneD && a.k === 1 && a.s > 1) {
              // hls4ml's 1D line buffer for filt_height 1 ignores stride_height (reproduced, warned)
              expect(fw.warnings?.some((w) => /ignores stride_height/.test(w))).toBe(true);
              continue;
            }
            const y = new Emulator(fw).predict({ data: x, shape: [n, ...shape] }).values;
            for (let i = 0; i < want.length; i++) expect(Math.abs(y[i]! - want[i]!)).toBeLessThanOrEqual(b + F32(want[i]!));
          }
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('depth_multiplier 2: the float evaluator equals tfjs (Keras channel order c·dm + m)', async () => {
    const tf = await loadTf();
    const m = tf.sequential({ layers: [tf.layers.depthwiseConv2d({ inputShape: [5, 5, 3], kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'c' })] });
    randomizeWeights(tf, m, 77);
    const model = await roundTrip(tf, m);
    const x = Float32Array.from({ length: 75 * 2 }, (_, i) => Math.sin(i));
    const want = predict(tf, m, x, [2, 5, 5, 3]);
    const f = evaluateFloat(model, { data: x, shape: [2, 5, 5, 3] }).values;
    for (let i = 0; i < want.length; i++) expect(Math.abs(f[i]! - want[i]!)).toBeLessThanOrEqual(F32(want[i]!));
  });
});

// ---------------------------------------------------------------------------------------------
// Recurrent
// ---------------------------------------------------------------------------------------------

interface RnnArch {
  T: number;
  nIn: number;
  units: number;
  seq: boolean;
  act: 'tanh' | 'relu' | 'sigmoid';
  ract: 'sigmoid' | 'tanh' | 'relu';
}
const rnnArch: fc.Arbitrary<RnnArch> = fc.record({
  T: fc.integer({ min: 1, max: 3 }),
  nIn: fc.integer({ min: 1, max: 3 }),
  units: fc.integer({ min: 1, max: 3 }),
  seq: fc.boolean(),
  act: fc.constantFrom('tanh' as const, 'relu' as const, 'sigmoid' as const),
  ract: fc.constantFrom('sigmoid' as const, 'tanh' as const, 'relu' as const),
});

function rnnModel(tf: Tf, cls: 'lstm' | 'gru' | 'simpleRNN', a: RnnArch): TF.LayersModel {
  const args = { inputShape: [a.T, a.nIn], units: a.units, returnSequences: a.seq, activation: a.act, name: 'rnn' };
  const l = cls === 'simpleRNN' ? tf.layers.simpleRNN(args) : tf.layers[cls]({ ...args, recurrentActivation: a.ract });
  return tf.sequential({ layers: [l] });
}

describe('LSTM / GRU / SimpleRNN vs tfjs', () => {
  for (const cls of ['lstm', 'gru', 'simpleRNN'] as const) {
    it(`${cls}: the float evaluator equals tfjs (return_sequences both ways, every activation pair)`, async () => {
      const tf = await loadTf();
      let seed = cls.length * 31;
      await fc.assert(
        fc.asyncProperty(rnnArch, async (a) => {
          const m = rnnModel(tf, cls, a);
          randomizeWeights(tf, m, seed++);
          const model = await roundTrip(tf, m);
          if (cls === 'gru') expect(model.layers[1]!.attrs.resetAfter).toBe(false); // tfjs has only reset_after=False
          const r = rng(seed++);
          const n = 3;
          const x = Float32Array.from({ length: n * a.T * a.nIn }, () => r() * 2);
          const want = predict(tf, m, x, [n, a.T, a.nIn]);
          const f = evaluateFloat(model, { data: x, shape: [n, a.T, a.nIn] }).values;
          expect(f.length).toBe(want.length);
          for (let i = 0; i < want.length; i++) expect(Math.abs(f[i]! - want[i]!)).toBeLessThanOrEqual(5e-6 * (1 + Math.abs(want[i]!)));
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('GRU reset_after=True (Keras 2/3 default, not in tfjs): the float evaluator applies the reset gate to the recurrent product incl. its bias', () => {
    const u = 1;
    const model: ModelGraph = {
      name: 'g',
      source: 'keras2',
      outputs: ['g'],
      layers: [
        { name: 'in', className: 'InputLayer', inputs: [], inputShapes: [], outputShape: [2, 1], attrs: {}, weights: {} },
        {
          name: 'g',
          className: 'GRU',
          inputs: ['in'],
          inputShapes: [[2, 1]],
          outputShape: [u],
          attrs: { units: 1, activation: 'tanh', recurrentActivation: 'sigmoid', useBias: true, resetAfter: true },
          weights: { kernel: { shape: [1, 3], data: Float64Array.of(0.3, -0.4, 0.5) }, recurrent_kernel: { shape: [1, 3], data: Float64Array.of(0.2, 0.6, -0.7) }, bias: { shape: [2, 3], data: Float64Array.of(0.1, 0.2, 0.3, -0.1, 0.05, 0.4) } },
        },
      ],
    };
    const sg = (v: number) => 1 / (1 + Math.exp(-v));
    let h = 0;
    for (const x of [0.8, -1.2]) {
      const z = sg(x * 0.3 + 0.1 + h * 0.2 - 0.1);
      const r = sg(x * -0.4 + 0.2 + h * 0.6 + 0.05);
      const hh = Math.tanh(x * 0.5 + 0.3 + r * (h * -0.7 + 0.4));
      h = z * h + (1 - z) * hh;
    }
    expect(evaluateFloat(model, { data: Float64Array.of(0.8, -1.2), shape: [1, 2, 1] }).values[0]).toBeCloseTo(h, 14);
  });

  it('LSTM at wide types: the emulator (io_parallel and io_stream, Latency and Resource) is within the derived table-resolution bound of tfjs', async () => {
    const tf = await loadTf();
    const N = 2 ** 18;
    const F = 20;
    let seed = 5;
    await fc.assert(
      fc.asyncProperty(rnnArch, fc.boolean(), fc.boolean(), async (a, stream, resource) => {
        const m = rnnModel(tf, 'lstm', { ...a, act: 'tanh', ract: 'sigmoid' });
        randomizeWeights(tf, m, seed++);
        // |pre-activations| ≤ 0.25·(n_in + units + 1) < 4 and |state| < T ≤ 3: inside the tanh table's [-4, 4)
        scaleWeights(tf, m.layers[0]!, 0.25);
        const model = await roundTrip(tf, m);
        const r = rng(seed++);
        const n = 3;
        const x = Float32Array.from({ length: n * a.T * a.nIn }, () => r());
        const want = predict(tf, m, x, [n, a.T, a.nIn]);
        const fw = convertModel(model, { Model: { Precision: `fixed<${F + 12},12>`, Strategy: resource ? 'Resource' : 'Latency' }, IOType: stream ? 'io_stream' : 'io_parallel', LayerName: { rnn: { table_t: 'fixed<32,4>', TableSize: N } } });
        const y = new Emulator(fw).predict({ data: x, shape: [n, a.T, a.nIn] }).values;
        // Per step: the tables are within 8/N (tanh) and 4/N (sigmoid) of the function, plus the
        // table type's 2^-28 and float32 evaluation; the quantized weights, products and casts add
        // q per gate; the state and output errors grow by at most A = 1 + 3·G per step (G: the
        // recurrent kernel's gain). Sum over T steps.
        const lsb = 2 ** -F;
        const U = model.layers[1]!.weights.recurrent_kernel!.data;
        const G = sumAbsCols(U, 4 * a.units);
        const q = (a.nIn + a.units + 4) * (lsb + 0.5 * 10 ** -F) * 4;
        const delta = 8 / N + 2 ** -28 + 2e-7;
        const B = 6 * delta + 6 * q;
        const A = 1 + 3 * Math.max(G, 0.5);
        const bound = (B * (A ** a.T - 1)) / (A - 1);
        for (let i = 0; i < want.length; i++) expect(Math.abs(y[i]! - want[i]!)).toBeLessThanOrEqual(bound + 2e-6);
      }),
      { numRuns: RUNS },
    );
  });

  it('GRU (reset_after=True) at wide types: the emulator is within the derived table-resolution bound of the float evaluator', async () => {
    const N = 2 ** 18;
    const F = 20;
    await fc.assert(
      fc.asyncProperty(rnnArch, fc.integer(), fc.boolean(), async (a, seed, stream) => {
        const r = rng(seed);
        const w = (k: number) => Float32Array.from({ length: k }, () => r() * 0.25);
        const M = 3 * a.units;
        const model: ModelGraph = {
          name: 'g',
          source: 'keras2',
          outputs: ['rnn'],
          layers: [
            { name: 'in', className: 'InputLayer', inputs: [], inputShapes: [], outputShape: [a.T, a.nIn], attrs: {}, weights: {} },
            {
              name: 'rnn',
              className: 'GRU',
              inputs: ['in'],
              inputShapes: [[a.T, a.nIn]],
              outputShape: a.seq ? [a.T, a.units] : [a.units],
              attrs: { units: a.units, activation: 'tanh', recurrentActivation: 'sigmoid', useBias: true, returnSequences: a.seq, resetAfter: true },
              weights: { kernel: { shape: [a.nIn, M], data: w(a.nIn * M) }, recurrent_kernel: { shape: [a.units, M], data: w(a.units * M) }, bias: { shape: [2, M], data: w(2 * M) } },
            },
          ],
        };
        const n = 3;
        const x = Float32Array.from({ length: n * a.T * a.nIn }, () => r());
        const want = evaluateFloat(model, { data: x, shape: [n, a.T, a.nIn] }).values;
        const fw = convertModel(model, { Model: { Precision: `fixed<${F + 12},12>` }, IOType: stream ? 'io_stream' : 'io_parallel', LayerName: { rnn: { table_t: 'fixed<32,4>', TableSize: N } } });
        const y = new Emulator(fw).predict({ data: x, shape: [n, a.T, a.nIn] }).values;
        const lsb = 2 ** -F;
        const G = sumAbsCols(model.layers[1]!.weights.recurrent_kernel!.data, M) + maxAbs(model.layers[1]!.weights.bias!.data);
        const q = (a.nIn + a.units + 4) * (lsb + 0.5 * 10 ** -F) * 4;
        const delta = 8 / N + 2 ** -28 + 2e-7;
        const B = 6 * delta + 6 * q;
        const A = 1 + 3 * Math.max(G, 0.5);
        const bound = (B * (A ** a.T - 1)) / (A - 1);
        for (let i = 0; i < want.length; i++) expect(Math.abs(y[i]! - want[i]!)).toBeLessThanOrEqual(bound);
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// LayerNormalization
// ---------------------------------------------------------------------------------------------

describe('LayerNormalization vs tfjs', () => {
  it('float64 = tfjs; the emulator at wide types is within the bound of its 1/sqrt table (step 2^-p/N) and its LSBs', async () => {
    const tf = await loadTf();
    const N = 2 ** 16;
    const F = 20;
    let seed = 9;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 8 }), async (T, D) => {
        const m = tf.sequential({ layers: [tf.layers.layerNormalization({ inputShape: [T, D], epsilon: 1e-3, name: 'ln' })] });
        randomizeWeights(tf, m, seed++);
        const model = await roundTrip(tf, m);
        expect(model.layers[1]!.attrs.axes).toEqual([2]);
        const r = rng(seed++);
        const n = 4;
        const x = Float32Array.from({ length: n * T * D }, () => r() * 0.9);
        const want = predict(tf, m, x, [n, T, D]);
        const f = evaluateFloat(model, { data: x, shape: [n, T, D] }).values;
        for (let i = 0; i < want.length; i++) expect(Math.abs(f[i]! - want[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i]!)));
        const fw = convertModel(model, { Model: { Precision: `fixed<${F + 12},12>` }, LayerName: { ln: { table_t: 'ufixed<32,8>', TableSize: N } } });
        const y = new Emulator(fw).predict({ data: x, shape: [n, T, D] }).values;
        const g = model.layers[1]!.weights.gamma!.data;
        const inv = (v: number) => 1 / Math.sqrt(Math.max(v, 0) + 1e-3);
        const lsb = 2 ** -F;
        const step = 1 / N;
        for (let row = 0; row < n * T; row++) {
          const xs = Array.from(x.subarray(row * D, row * D + D));
          const mean = xs.reduce((p, v) => p + v, 0) / D;
          const v = xs.reduce((p, q) => p + (q - mean) ** 2, 0) / D;
          // mean and variance in accum_t: off by a few LSBs; the table entry is 1/sqrt at the grid point below
          const ev = (4 + 2 * D) * lsb;
          const tableErr = inv(v - step - ev) - inv(v + ev) + 2 ** -24;
          for (let i = 0; i < D; i++) {
            const k = row * D + i;
            const d = Math.abs(xs[i]! - mean) + (D + 2) * lsb;
            const b = Math.abs(g[i]!) * (d * tableErr + (D + 2) * lsb * inv(v + ev)) + 4 * lsb + 2e-6;
            expect(Math.abs(y[k]! - want[k]!), `row ${row} element ${i}`).toBeLessThanOrEqual(b + 1e-5 * (1 + Math.abs(want[k]!)));
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// EinsumDense
// ---------------------------------------------------------------------------------------------

describe('EinsumDense vs tf.einsum', () => {
  const forms: Array<{ eq: string; tfEq: string; inShape: number[]; kernel: number[]; partial: (number | null)[]; out: number[]; biasAxes: string | null; bias?: number[] }> = [
    { eq: 'ab,bc->ac', tfEq: 'ab,bc->ac', inShape: [5], kernel: [5, 3], partial: [3], out: [3], biasAxes: 'c', bias: [3] },
    { eq: 'abc,cd->abd', tfEq: 'abc,cd->abd', inShape: [4, 6], kernel: [6, 5], partial: [null, 5], out: [4, 5], biasAxes: 'd', bias: [5] },
    { eq: 'abc,cd->adb', tfEq: 'abc,cd->adb', inShape: [4, 6], kernel: [6, 5], partial: [5, 4], out: [5, 4], biasAxes: null },
    { eq: 'abc,bcd->ad', tfEq: 'abc,bcd->ad', inShape: [3, 4], kernel: [3, 4, 2], partial: [2], out: [2], biasAxes: 'd', bias: [2] },
  ];
  for (const fm of forms) {
    it(`${fm.eq}: float64 = tf.einsum (+ bias); the emulator at ap_fixed<40,12> within the LSB bound`, async () => {
      const tf = await loadTf();
      const r = rng(fm.eq.length);
      const kernel = Float32Array.from({ length: fm.kernel.reduce((p, q) => p * q, 1) }, () => r() * 0.5);
      const bias = fm.bias ? Float32Array.from({ length: fm.bias.reduce((p, q) => p * q, 1) }, () => r() * 0.5) : undefined;
      const model: ModelGraph = {
        name: 'e',
        source: 'keras3',
        outputs: ['e'],
        layers: [
          { name: 'in', className: 'InputLayer', inputs: [], inputShapes: [], outputShape: fm.inShape, attrs: {}, weights: {} },
          { name: 'e', className: 'EinsumDense', inputs: ['in'], inputShapes: [fm.inShape], outputShape: fm.out, attrs: { equation: fm.eq, partialOutput: fm.partial, biasAxes: fm.biasAxes, activation: 'linear' }, weights: { kernel: { shape: fm.kernel, data: kernel }, ...(bias ? { bias: { shape: fm.bias!, data: bias } } : {}) } },
        ],
      };
      const n = 3;
      const per = fm.inShape.reduce((p, q) => p * q, 1);
      const x = Float32Array.from({ length: n * per }, () => r());
      let yt = tf.einsum(fm.tfEq, tf.tensor(x, [n, ...fm.inShape]), tf.tensor(kernel, fm.kernel));
      if (bias) yt = tf.add(yt, tf.tensor(bias, fm.bias!));
      const want = yt.dataSync();
      const f = evaluateFloat(model, { data: x, shape: [n, ...fm.inShape] }).values;
      for (let i = 0; i < want.length; i++) expect(Math.abs(f[i]! - want[i]!)).toBeLessThanOrEqual(F32(want[i]!));
      const fw = convertModel(model, { Model: { Precision: 'fixed<40,12>' } });
      const y = new Emulator(fw).predict({ data: x, shape: [n, ...fm.inShape] }).values;
      const lsb = 2 ** -28;
      const nC = per; // at most every input value meets a kernel value once per output
      for (let i = 0; i < want.length; i++) expect(Math.abs(y[i]! - want[i]!)).toBeLessThanOrEqual((3 * nC + 3) * lsb + F32(want[i]!));
    });
  }
});
