// Float properties of the layer-zoo kinds: random small tfjs models (one layer of the kind, or a
// merge of two branches) saved to disk, imported, converted at wide precision and emulated. Each
// output equals tfjs's float32 output within a bound derived from the LSBs (exact kinds) or from the
// lookup table's resolution (table kinds). Kinds tfjs has no layer for (Subtract, UpSampling1D,
// Cropping1D, ZeroPadding1D) are compared with the float evaluator of their layer module, itself
// checked against tfjs through the other kinds.
// Tolerances and their derivation: docs/testing.md, "Property-test tolerances".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Emulator } from '../../src/emulate/predict.js';
import { evaluateFloat } from '../../src/emulate/float.js';
import { convertModel } from '../../src/graph/convert.js';
import { loadModel } from '../../src/import/index.js';
import type { ModelGraph } from '../../src/graph/model.js';
import { loadTf, randomizeWeights, rng, saveTfjsModel, tempDir, type Tf } from '../import/helpers.js';
import { sequential } from '../graph/helpers.js';
import type * as TF from '@tensorflow/tfjs';

const F = 16;
const LSB = 2 ** -F;
const WIDE = { Model: { Precision: 'fixed<32,16>', ReuseFactor: 1 } };

async function roundTrip(m: TF.LayersModel): Promise<ModelGraph> {
  const dir = tempDir('hlsemu-zoo-');
  await saveTfjsModel(m, dir);
  return loadModel(`${dir}/model.json`);
}

/** Inputs in [-range, range), one array per model input. */
function inputs(shapes: number[][], n: number, seed: number, range: number): Float32Array[] {
  const r = rng(seed);
  return shapes.map((s) => Float32Array.from({ length: n * s.reduce((p, d) => p * d, 1) }, () => r() * range));
}

/** tfjs prediction and emulation of the same inputs; returns both outputs (emulation needs one model input). */
async function both(tf: Tf, m: TF.LayersModel, model: ModelGraph, cfg: object, xs: Float32Array[], n: number): Promise<{ want: Float32Array; got: Float64Array; fw: ReturnType<typeof convertModel> }> {
  const shapes = m.inputs.map((t) => t.shape.slice(1) as number[]);
  const tin = xs.map((x, k) => tf.tensor(x, [n, ...shapes[k]!]));
  const want = (m.predict(tin.length === 1 ? tin[0]! : tin) as TF.Tensor).dataSync() as Float32Array;
  const fw = convertModel(model, cfg);
  const got = new Emulator(fw).predict({ data: xs[0]!, shape: [n, ...shapes[0]!] }).values;
  return { want, got, fw };
}

function within(got: ArrayLike<number>, want: ArrayLike<number>, bound: (i: number) => number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const b = bound(i) + 1e-6 * (1 + Math.abs(want[i]!));
    if (!(Math.abs(got[i]! - want[i]!) <= b)) throw new Error(`element ${i}: emulated ${got[i]}, tfjs ${want[i]}, bound ${b}`);
  }
}

const shape1 = fc.integer({ min: 1, max: 12 }).map((c) => [c]);
const shape3 = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 })).map((s) => [...s]);

describe('layer zoo vs tfjs float (ap_fixed<32,16>)', () => {
  it('LUT activations within the table resolution: elu, selu, softplus, softsign, sigmoid, tanh (1024 entries, table ap_fixed<18,8>)', async () => {
    const tf = await loadTf();
    // bound = L·(range/N) + table LSB + input LSB·L + result LSB, L = the largest slope on the table range
    const cases: Array<[string, number, number, number]> = [
      // [activation, Lipschitz constant, index step, input range]
      ['elu', 1, 8 / 1024, 7.9],
      ['selu', 1.0507 * 1.6733, 8 / 1024, 7.9],
      ['softplus', 1, 16 / 1024, 7.9],
      ['softsign', 1, 16 / 1024, 7.9],
      ['sigmoid', 0.25, 16 / 1024, 7.9],
      ['tanh', 1, 8 / 1024, 3.9],
    ];
    let seed = 11;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...cases), shape3, async ([act, L, step, range], s) => {
        const m = tf.sequential({ layers: [tf.layers.activation({ activation: act as 'elu', inputShape: s, name: 'act' })] });
        const model = await roundTrip(m);
        const n = 3;
        const xs = inputs([s], n, seed++, range);
        const { want, got, fw } = await both(tf, m, model, WIDE, xs, n);
        expect(fw.layers[0]!.cls).toBe('Activation');
        const selu = act === 'selu' ? 1.0507 * (2 ** -15) * range : 0; // λ in ap_ufixed<16,1>
        within(got, want, () => L * step + 2 ** -10 + L * LSB + LSB + selu);
      }),
      { numRuns: 12 },
    );
  });

  it('exact element-wise kinds within the LSB bound: relu6, leaky_relu, hard_sigmoid, ELU, LeakyReLU, ThresholdedReLU, PReLU and ReLU layers', async () => {
    const tf = await loadTf();
    type Make = (s: number[]) => { layer: TF.layers.Layer; bound: (x: number) => number };
    const makes: Record<string, Make> = {
      relu6: (s) => ({ layer: tf.layers.activation({ activation: 'relu6', inputShape: s }), bound: () => 2 * LSB }),
      // Keras 2's 0.2 slope in ap_ufixed<16,0> (13107/65536) and the 0.5 shift in ap_ufixed<2,0>
      hard_sigmoid: (s) => ({ layer: tf.layers.activation({ activation: 'hardSigmoid', inputShape: s }), bound: (x) => Math.abs(x) * (0.2 - 13107 / 65536) + 2 * LSB }),
      // tfjs supports alpha = 1 only; alpha is converted to the Model default precision
      elu_layer: (s) => ({ layer: tf.layers.elu({ alpha: 1, inputShape: s }), bound: () => 8 / 1024 + 2 ** -10 + 2 * LSB }),
      // param 'auto' is not asked for: alpha in the Model default ap_fixed<32,16>
      leaky: (s) => ({ layer: tf.layers.leakyReLU({ alpha: 0.3, inputShape: s }), bound: (x) => 2 * LSB + Math.abs(x) * LSB }),
      thresholded: (s) => ({ layer: tf.layers.thresholdedReLU({ theta: 0.4, inputShape: s }), bound: (x) => (Math.abs(x - 0.4) < 2 * LSB ? 0.41 : 2 * LSB) }),
      prelu: (s) => ({ layer: tf.layers.prelu({ inputShape: s, name: 'prelu' }), bound: (x) => 2 * LSB + Math.abs(x) * LSB }),
      relu_layer: (s) => ({ layer: tf.layers.reLU({ inputShape: s }), bound: () => 2 * LSB }),
    };
    let seed = 21;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(makes)), fc.oneof(shape1, shape3), async (kind, s) => {
        const { layer, bound } = makes[kind]!(s);
        const m = tf.sequential({ layers: [layer] });
        randomizeWeights(tf, m, seed);
        const model = await roundTrip(m);
        const n = 3;
        const xs = inputs([s], n, seed++, 9);
        const { want, got } = await both(tf, m, model, WIDE, xs, n);
        within(got, want, (i) => bound(xs[0]![i]!));
      }),
      { numRuns: 14 },
    );
  });

  it('merges of two branches within the LSB bound: add, multiply, average, maximum, minimum (equal shapes and hls4ml-exact broadcasts), concatenate on every axis, dot', async () => {
    const tf = await loadTf();
    const kinds = ['add', 'multiply', 'average', 'maximum', 'minimum', 'concatenate', 'dot'] as const;
    let seed = 31;
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), shape3, fc.integer({ min: 0, max: 3 }), fc.boolean(), async (kind, s, axisPick, broadcast) => {
        const inp = tf.input({ shape: kind === 'dot' ? [s[2]! * s[1]!] : s, name: 'x' });
        const a = tf.layers.activation({ activation: 'linear', name: 'a' }).apply(inp) as TF.SymbolicTensor;
        let b: TF.SymbolicTensor;
        // the second branch: a 1×1 convolution of the input (a Dense for 1-D inputs); for a broadcast,
        // averaged over the pixels to (1, 1, C) (squeeze-excite style; hls4ml's modulo broadcast is exact there)
        const C = inp.shape[inp.shape.length - 1] as number;
        const bc = broadcast && kind !== 'concatenate' && kind !== 'dot';
        b = (kind === 'dot' ? tf.layers.dense({ units: C, name: 'b' }) : tf.layers.conv2d({ filters: C, kernelSize: 1, name: 'b' })).apply(inp) as TF.SymbolicTensor;
        if (bc) {
          b = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(b) as TF.SymbolicTensor;
          b = tf.layers.reshape({ targetShape: [1, 1, C], name: 'rs' }).apply(b) as TF.SymbolicTensor;
        }
        let y: TF.SymbolicTensor;
        if (kind === 'concatenate') y = tf.layers.concatenate({ axis: [-1, 1, 2, 3][axisPick]!, name: 'm' }).apply([a, b]) as TF.SymbolicTensor;
        else if (kind === 'dot') y = tf.layers.dot({ axes: 1, name: 'm' }).apply([a, b]) as TF.SymbolicTensor;
        else y = (tf.layers[kind] as (c: object) => TF.layers.Layer)({ name: 'm' }).apply(axisPick % 2 ? [b, a] : [a, b]) as TF.SymbolicTensor;
        const m = tf.model({ inputs: inp, outputs: y });
        randomizeWeights(tf, m, seed);
        const model = await roundTrip(m);
        const n = 2;
        const xs = inputs([inp.shape.slice(1) as number[]], n, seed++, 4);
        const { want, got, fw } = await both(tf, m, model, WIDE, xs, n);
        ran++;
        expect(fw.layers.some((l) => l.cls === ({ concatenate: 'Concatenate', dot: 'Dot' } as Record<string, string>)[kind] || l.cls === 'Add')).toBe(true);
        // b = Dense of the input: fan-in k, |w| < 1: its error is < (k + 2)·LSB·(1 + |x|max); a product multiplies errors by the magnitudes
        const k = inp.shape[inp.shape.length - 1] as number;
        const eb = (k + 3) * LSB * 5;
        const mag = k * 5 + 1;
        const bound = kind === 'multiply' ? eb * (4 + mag) + LSB : kind === 'dot' ? k * (eb * (4 + mag) + LSB) + LSB : 2 * eb + 2 * LSB;
        within(got, want, () => bound);
      }),
      { numRuns: 16 },
    );
    expect(ran).toBe(16);
  });

  it('data movement is exact up to the input LSB: UpSampling2D, Cropping2D, Permute, ZeroPadding2D, Embedding', async () => {
    const tf = await loadTf();
    type Make = (s: number[]) => TF.layers.Layer | null;
    const makes: Record<string, Make> = {
      upsampling2d: (s) => tf.layers.upSampling2d({ size: [2, 3], inputShape: s }),
      cropping2d: (s) => (s[0]! > 2 && s[1]! > 1 ? tf.layers.cropping2D({ cropping: [[1, 1], [0, 1]], inputShape: s }) : null),
      // (a first dimension of 1 makes io_parallel drop the Permute: see the conversion tests)
      permute: (s) => (s[0]! > 1 ? tf.layers.permute({ dims: [3, 1, 2], inputShape: s }) : null),
      permute2: (s) => (s[0]! > 1 ? tf.layers.permute({ dims: [2, 1, 3], inputShape: s }) : null),
      zeropad2d: (s) => tf.layers.zeroPadding2d({ padding: [[1, 0], [2, 1]], inputShape: s }),
    };
    let seed = 41;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(makes)), shape3, async (kind, s) => {
        const layer = makes[kind]!(s);
        if (!layer) return;
        const m = tf.sequential({ layers: [layer] });
        const model = await roundTrip(m);
        const n = 2;
        const xs = inputs([s], n, seed++, 9);
        const { want, got } = await both(tf, m, model, WIDE, xs, n);
        within(got, want, () => LSB);
      }),
      { numRuns: 12 },
    );
    // Embedding: integer indices, the table quantized to ap_fixed<32,16>
    const m = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 11, outputDim: 4, inputLength: 6, inputShape: [6] })] });
    randomizeWeights(tf, m, 5);
    const model = await roundTrip(m);
    const x = Float32Array.from({ length: 12 }, (_, i) => (i * 7) % 11);
    const { want, got, fw } = await both(tf, m, model, WIDE, [x], 2);
    expect(fw.layers[0]!.cls).toBe('Embedding');
    within(got, want, () => LSB);
  });

  it('Softmax over an axis: Keras 3 softmax_multidim normalises the Keras axis; Keras 2 io_stream normalises each row', async () => {
    const tf = await loadTf();
    const m = tf.sequential({ layers: [tf.layers.softmax({ axis: -1, inputShape: [3, 5] })] });
    const model = await roundTrip(m);
    const n = 4;
    const xs = inputs([[3, 5]], n, 7, 3);
    // io_stream: one softmax per stream word (the last axis) = Keras. Tables narrowed to their ranges:
    // d = max − x at 1/32 (top 10 bits of ap_ufixed<15,5>), the sum at 1/64 (ap_ufixed<10,4>): ≤ 5 % relative error
    const sm = { Precision: { result: 'fixed<18,2>' }, exp_table_t: 'ufixed<18,1>', inv_table_t: 'ufixed<18,1>', inv_inp_t: 'ufixed<10,4>' };
    const cfg = { ...WIDE, IOType: 'io_stream', LayerName: { [model.layers[1]!.name]: sm } };
    const input16 = { ...cfg, LayerName: { ...cfg.LayerName, [model.layers[0]!.name]: { Precision: 'fixed<16,6>' } } };
    const { want, got } = await both(tf, m, model, input16, xs, n);
    within(got, want, () => 0.06);
    // the same layer as Keras 3 over axis 1 (a middle axis of [3, 5]) in io_parallel
    const k3: ModelGraph = { ...model, source: 'keras3', layers: model.layers.map((l) => (l.className === 'Softmax' ? { ...l, attrs: { axis: 1 } } : l)) };
    const fw = convertModel(k3, { ...input16, IOType: 'io_parallel' });
    expect(fw.layers[0]!.config).toMatchObject({ n_outer: 1, n_inner: 5, n_slice: 3 });
    const got3 = new Emulator(fw).predict({ data: xs[0]!, shape: [n, 3, 5] }).values;
    // tfjs cannot softmax a middle axis: transpose it last, softmax, transpose back
    const t = tf.transpose(tf.tensor(xs[0]!, [n, 3, 5]), [0, 2, 1]);
    const want3 = tf.transpose(tf.softmax(t), [0, 2, 1]).dataSync();
    within(got3, want3, () => 0.06);
  });
});

describe('layer zoo kinds tfjs has no layer for: emulation vs the float evaluator (ap_fixed<32,16>)', () => {
  const cases: Array<[string, ModelGraph]> = [
    ['Subtract', {
      name: 'sub', source: 'keras2', outputs: ['m'],
      layers: [
        { name: 'x', className: 'InputLayer', inputs: [], inputShapes: [], outputShape: [3, 4], attrs: {}, weights: {} },
        { name: 'r', className: 'Activation', inputs: ['x'], inputShapes: [[3, 4]], outputShape: [3, 4], attrs: { activation: 'relu' }, weights: {} },
        { name: 'm', className: 'Subtract', inputs: ['x', 'r'], inputShapes: [[3, 4], [3, 4]], outputShape: [3, 4], attrs: {}, weights: {} },
      ],
    }],
    ['UpSampling1D', sequential('up1', [5, 2], [{ name: 'u', className: 'UpSampling1D', outputShape: [15, 2], attrs: { size: 3 }, weights: {} }])],
    ['Cropping1D', sequential('cr1', [7, 3], [{ name: 'c', className: 'Cropping1D', outputShape: [4, 3], attrs: { cropping: [2, 1] }, weights: {} }])],
    ['ZeroPadding1D', sequential('zp1', [4, 3], [{ name: 'z', className: 'ZeroPadding1D', outputShape: [7, 3], attrs: { padding: [1, 2], dataFormat: 'channels_last' }, weights: {} }])],
    ['ZeroPadding1D channels_first', sequential('zp1cf', [3, 4], [{ name: 'z', className: 'ZeroPadding1D', outputShape: [3, 7], attrs: { padding: [1, 2], dataFormat: 'channels_first' }, weights: {} }])],
    ['Cropping2D channels_first', sequential('cr2cf', [2, 5, 4], [{ name: 'c', className: 'Cropping2D', outputShape: [2, 3, 1], attrs: { cropping: [[1, 1], [2, 1]], dataFormat: 'channels_first' }, weights: {} }])],
  ];
  for (const [label, model] of cases) {
    it(`${label}: exact up to the input LSB`, () => {
      const per = model.layers[0]!.outputShape.reduce((p, d) => p * d, 1);
      const r = rng(3);
      const x = Float64Array.from({ length: 3 * per }, () => r() * 7);
      const shape = [3, ...model.layers[0]!.outputShape];
      const want = evaluateFloat(model, { data: x, shape }).values;
      const got = new Emulator(convertModel(model, WIDE)).predict({ data: x, shape }).values;
      within(got, want, () => 2 * LSB);
    });
  }
});
