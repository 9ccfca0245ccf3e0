/**
 * The float64 reference (`evaluateFloat`) against tfjs (float32, CPU backend): random small models
 * (fast-check: MLPs, 1D/2D CNNs with valid/same padding and strides, pooling incl. global,
 * BatchNormalization, ZeroPadding, every activation, Add/Concatenate branches) and the bundled
 * Fashion-MNIST CNN. The tolerance is a derived float32 rounding bound (see `magnitudeModel`),
 * not a fudge factor: typically a few 1e-7 relative to the magnitudes involved.
 * Tolerances and their derivation: docs/testing.md, "Property-test tolerances".
 */
import fc from 'fast-check';
import type * as TF from '@tensorflow/tfjs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { argmaxRows, evaluateFloat } from '../../src/emulate/float.js';
import { hlsemuPackageRoot, loadBundledFashionMnist } from '../../src/data/fashion-mnist.js';
import { loadLayersModelFromFile } from '../../src/data/tfjs-fs-handler.js';
import type { ModelGraph, ModelLayer } from '../../src/graph/model.js';
import { fromTfjsLayersModel, loadModel } from '../../src/import/index.js';
import { loadTf, rng, type Tf } from './helpers.js';

const U = 2 ** -24; // float32 unit roundoff

let tf: Tf;
beforeAll(async () => {
  tf = await loadTf();
});

/** Activations whose |f(x)| ≤ |x| and Lipschitz constant ≤ 1: magnitudes pass unchanged. */
const IDENTITY_LIKE = new Set(['linear', 'relu', 'tanh', 'softsign', 'elu']);
/** Others: |f(x)| ≤ a·|x| + c and Lipschitz ≤ a. */
const AFFINE_BOUND: Record<string, [number, number]> = { sigmoid: [0.25, 1], hard_sigmoid: [0.25, 1], softplus: [1, 1], selu: [2, 0] };

/**
 * The magnitude model used for the float32 bound. Each tensor t of the abs model is M_t ≥ |t|
 * elementwise, and tfjs's float32 error is E_t ≤ r·M_t, where r grows by (fan-in + c)·u per layer:
 * Dense/Conv keep |W|ᵀM + |b| (float32 dot products err by ≤ γ_{n+1}·Σ|w||x|, incoming errors are
 * amplified by |W|ᵀ), BN becomes |s|·M + |s·μ| + |β|, 1-Lipschitz activations with |f(x)| ≤ |x|
 * pass M, sigmoid-like ones map M to a·M + c, max pooling takes the max of M (the max of errors),
 * average pooling and Add sum. A final softmax is handled by the caller: its error is at most half
 * the largest input error, plus rounding on outputs ≤ 1.
 */
function magnitudeModel(m: ModelGraph): { abs: ModelGraph; r: number; softmaxOut: boolean } {
  let r = 0;
  let softmaxOut = false;
  const layers: ModelLayer[] = [];
  const rename = new Map<string, string>();
  const absT = (t: { shape: number[]; data: Float32Array | Float64Array }) => ({ shape: [...t.shape], data: Float64Array.from(t.data, Math.abs) });
  const affine = (name: string, of: ModelLayer, a: number, c: number): ModelLayer => {
    const n = of.outputShape[of.outputShape.length - 1]!;
    const v = (x: number) => ({ shape: [n], data: new Float64Array(n).fill(x) });
    return { name, className: 'BatchNormalization', inputs: [of.name], inputShapes: [of.outputShape], outputShape: of.outputShape, attrs: { epsilon: 0, center: true, scale: true }, weights: { gamma: v(a), beta: v(c), moving_mean: v(0), moving_variance: v(1) } };
  };
  /** Map an activation: returns an extra affine layer when needed. */
  const act = (l: ModelLayer, name: string): ModelLayer | undefined => {
    if (IDENTITY_LIKE.has(name)) {
      r += 4 * U;
      return undefined;
    }
    if (name === 'softmax') {
      if (!m.outputs.includes(l.name)) throw new Error('softmax only as the model output in these tests');
      softmaxOut = true;
      return undefined;
    }
    const ac = AFFINE_BOUND[name];
    if (!ac) throw new Error(`no bound for activation ${name}`);
    r += 8 * U;
    return affine(`${l.name}__m`, l, ac[0], ac[1]);
  };
  for (const src of m.layers) {
    const l: ModelLayer = { ...src, inputs: src.inputs.map((i) => rename.get(i) ?? i), attrs: { ...src.attrs }, weights: { ...src.weights } };
    let extra: ModelLayer | undefined;
    switch (l.className) {
      case 'Dense':
      case 'Conv1D':
      case 'Conv2D': {
        const k = l.weights.kernel!;
        const units = k.shape[k.shape.length - 1]!;
        l.weights.kernel = absT(k);
        if (l.weights.bias) l.weights.bias = absT(l.weights.bias);
        r += (k.data.length / units + 4) * U;
        extra = act(l, l.attrs.activation ?? 'linear');
        l.attrs.activation = 'linear';
        break;
      }
      case 'BatchNormalization': {
        const C = l.outputShape[l.outputShape.length - 1]!;
        const g = (key: string, d: number) => l.weights[key]?.data ?? new Float64Array(C).fill(d);
        const [gamma, beta, mean, vr] = [g('gamma', 1), g('beta', 0), g('moving_mean', 0), g('moving_variance', 1)];
        const eps = l.attrs.epsilon ?? 1e-3;
        const s = Float64Array.from({ length: C }, (_, c) => Math.abs((l.attrs.scale === false ? 1 : gamma[c]!) / Math.sqrt(vr[c]! + eps)));
        const b = Float64Array.from({ length: C }, (_, c) => s[c]! * Math.abs(mean[c]!) + (l.attrs.center === false ? 0 : Math.abs(beta[c]!)));
        l.attrs = { epsilon: 0, center: true, scale: true };
        l.weights = { gamma: { shape: [C], data: s }, beta: { shape: [C], data: b }, moving_mean: { shape: [C], data: new Float64Array(C) }, moving_variance: { shape: [C], data: new Float64Array(C).fill(1) } };
        r += 8 * U;
        break;
      }
      case 'Activation':
      case 'ReLU':
      case 'LeakyReLU':
      case 'Softmax': {
        const name = l.className === 'Activation' ? (l.attrs.activation ?? 'linear') : l.className === 'Softmax' ? 'softmax' : 'relu';
        const e = act(l, name);
        l.className = 'Activation';
        l.attrs = { activation: 'linear' };
        if (e) {
          // replace the activation by the affine bound itself
          layers.push({ ...e, name: l.name, inputs: l.inputs });
          continue;
        }
        break;
      }
      case 'AveragePooling1D':
      case 'AveragePooling2D':
        r += ((l.attrs.poolSize ?? [2]).reduce((p, d) => p * d, 1) + 2) * U;
        break;
      case 'GlobalAveragePooling1D':
      case 'GlobalAveragePooling2D': {
        const s = l.inputShapes[0]!;
        r += (s.slice(0, -1).reduce((p, d) => p * d, 1) + 2) * U;
        break;
      }
      case 'Add':
        r += (l.inputs.length + 2) * U;
        break;
      default:
        break;
    }
    layers.push(l);
    if (extra) {
      layers.push(extra);
      rename.set(l.name, extra.name);
    }
  }
  return { abs: { ...m, layers, outputs: m.outputs.map((o) => rename.get(o) ?? o) }, r, softmaxOut };
}

/** Compare evaluateFloat with tfjs on x; returns the largest error / tolerance ratio. */
function compare(model: TF.LayersModel, x: Float32Array, shape: number[]): { worst: number; r: number } {
  const graph = fromTfjsLayersModel(model);
  const ours = evaluateFloat(graph, { data: x, shape });
  const theirs = tf.tidy(() => (model.predict(tf.tensor(x, shape)) as TF.Tensor).dataSync());
  const { abs, r, softmaxOut } = magnitudeModel(graph);
  const M = evaluateFloat(abs, { data: Float64Array.from(x, Math.abs), shape }).values;
  expect(ours.values.length).toBe(theirs.length);
  expect(r).toBeLessThan(1e-3); // the bound is tight enough to catch any semantic error
  const per = ours.values.length / ours.n;
  let worst = 0;
  for (let s = 0; s < ours.n; s++) {
    let rowMax = 0;
    for (let i = 0; i < per; i++) rowMax = Math.max(rowMax, M[s * per + i]!);
    for (let i = 0; i < per; i++) {
      const k = s * per + i;
      const tol = softmaxOut ? 2 * r * rowMax + 16 * U : 2 * (r + 2 * U) * M[k]! + 1e-30;
      const err = Math.abs(ours.values[k]! - theirs[k]!);
      if (!(err <= tol)) throw new Error(`output ${k}: ours ${ours.values[k]} vs tfjs ${theirs[k]} (|Δ| ${err} > bound ${tol})`);
      worst = Math.max(worst, err / tol);
    }
  }
  return { worst, r };
}

/** Random float32 weights in [-1, 1) (variances positive), seeded. */
function randomize(model: TF.LayersModel, seed: number): void {
  const next = rng(seed);
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    layer.setWeights(
      layer.weights.map((w) => {
        const n = w.shape.reduce((p: number, d) => p * (d ?? 1), 1);
        const v = Float32Array.from({ length: n }, () => next());
        if (w.originalName.endsWith('moving_variance')) for (let i = 0; i < n; i++) v[i] = Math.abs(v[i]!) + 0.05;
        return tf.tensor(v, w.shape as number[]);
      }),
    );
  }
}

function inputs(shape: number[], seed: number): Float32Array {
  const next = rng(seed ^ 0x5bd1e995);
  return Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => 2 * next());
}

const ACTS = ['linear', 'relu', 'tanh', 'sigmoid', 'softsign', 'softplus', 'elu', 'selu', 'hardSigmoid'] as const;
const arbAct = fc.constantFrom(...ACTS);
const arbPad = fc.constantFrom('valid' as const, 'same' as const);

interface MlpSpec {
  nIn: number;
  layers: { units: number; act: (typeof ACTS)[number]; bias: boolean; bn: boolean; post: 'none' | 'relu' | 'relu_max' | 'leaky' | 'tanh' | 'dropout' }[];
  softmax: boolean;
  seed: number;
}
const arbMlp: fc.Arbitrary<MlpSpec> = fc.record({
  nIn: fc.integer({ min: 1, max: 7 }),
  layers: fc.array(
    fc.record({
      units: fc.integer({ min: 1, max: 7 }),
      act: arbAct,
      bias: fc.boolean(),
      bn: fc.boolean(),
      post: fc.constantFrom('none' as const, 'relu' as const, 'relu_max' as const, 'leaky' as const, 'tanh' as const, 'dropout' as const),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  softmax: fc.boolean(),
  seed: fc.integer(),
});

function buildMlp(s: MlpSpec): TF.LayersModel {
  const m = tf.sequential();
  s.layers.forEach((l, i) => {
    m.add(tf.layers.dense({ units: l.units, activation: l.act, useBias: l.bias, ...(i === 0 ? { inputShape: [s.nIn] } : {}) }));
    if (l.bn) m.add(tf.layers.batchNormalization({ epsilon: 1e-3 }));
    if (l.post === 'relu') m.add(tf.layers.reLU());
    if (l.post === 'relu_max') m.add(tf.layers.reLU({ maxValue: 0.5 }));
    if (l.post === 'leaky') m.add(tf.layers.leakyReLU({ alpha: 0.25 }));
    if (l.post === 'tanh') m.add(tf.layers.activation({ activation: 'tanh' }));
    if (l.post === 'dropout') m.add(tf.layers.dropout({ rate: 0.5 }));
  });
  if (s.softmax) m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

interface CnnSpec {
  rank: 1 | 2;
  h: number;
  w: number;
  c: number;
  filters: number;
  k: [number, number];
  s: [number, number];
  pad: 'valid' | 'same';
  act: (typeof ACTS)[number];
  bias: boolean;
  zp: [number, number, number, number] | null;
  pool: { max: boolean; p: [number, number]; s: [number, number]; pad: 'valid' | 'same' } | null;
  bn: boolean;
  head: 'dense' | 'gmax' | 'gavg' | 'softmax';
  seed: number;
}
const pair = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));
const arbCnn: fc.Arbitrary<CnnSpec> = fc.record({
  rank: fc.constantFrom(1 as const, 2 as const),
  h: fc.integer({ min: 1, max: 7 }),
  w: fc.integer({ min: 1, max: 9 }),
  c: fc.integer({ min: 1, max: 3 }),
  filters: fc.integer({ min: 1, max: 4 }),
  k: pair(1, 3),
  s: pair(1, 2),
  pad: arbPad,
  act: arbAct,
  bias: fc.boolean(),
  zp: fc.option(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }))),
  pool: fc.option(fc.record({ max: fc.boolean(), p: pair(1, 3), s: pair(1, 3), pad: arbPad })),
  bn: fc.boolean(),
  head: fc.constantFrom('dense' as const, 'gmax' as const, 'gavg' as const, 'softmax' as const),
  seed: fc.integer(),
});

/** Output length along one axis (Keras). */
const outLen = (n: number, k: number, s: number, pad: 'valid' | 'same') => Math.floor(((pad === 'same' ? n : n - k + 1) + s - 1) / s);

function buildCnn(s: CnnSpec): { model: TF.LayersModel; shape: number[] } {
  const two = s.rank === 2;
  let h = two ? s.h : 1;
  let w = s.w;
  const k: [number, number] = [Math.min(s.k[0], h), Math.min(s.k[1], w)];
  const shape = two ? [h, w, s.c] : [w, s.c];
  const m = tf.sequential();
  if (two) m.add(tf.layers.conv2d({ inputShape: shape, filters: s.filters, kernelSize: k, strides: s.s, padding: s.pad, activation: s.act, useBias: s.bias }));
  else m.add(tf.layers.conv1d({ inputShape: shape, filters: s.filters, kernelSize: k[1], strides: s.s[1], padding: s.pad, activation: s.act, useBias: s.bias }));
  h = two ? outLen(h, k[0], s.s[0], s.pad) : 1;
  w = outLen(w, k[1], s.s[1], s.pad);
  if (s.zp && two) {
    // (tfjs has no ZeroPadding1D: that one is checked by hand below)
    const [t, b, l, r] = s.zp;
    m.add(tf.layers.zeroPadding2d({ padding: [[t, b], [l, r]] }));
    h += t + b;
    w += l + r;
  }
  if (s.pool) {
    const p: [number, number] = [Math.min(s.pool.p[0], h), Math.min(s.pool.p[1], w)];
    if (two) {
      const cfg = { poolSize: p, strides: s.pool.s, padding: s.pool.pad };
      m.add(s.pool.max ? tf.layers.maxPooling2d(cfg) : tf.layers.averagePooling2d(cfg));
    } else {
      const cfg = { poolSize: p[1], strides: s.pool.s[1], padding: s.pool.pad };
      m.add(s.pool.max ? tf.layers.maxPooling1d(cfg) : tf.layers.averagePooling1d(cfg));
    }
  }
  if (s.bn) m.add(tf.layers.batchNormalization({ epsilon: 0.01 }));
  if (s.head === 'gmax') m.add(two ? tf.layers.globalMaxPooling2d({}) : tf.layers.globalMaxPooling1d({}));
  else if (s.head === 'gavg') m.add(two ? tf.layers.globalAveragePooling2d({}) : tf.layers.globalAveragePooling1d({}));
  else {
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 3, activation: s.head === 'softmax' ? 'softmax' : 'linear' }));
  }
  return { model: m, shape };
}

interface BranchSpec {
  nIn: number;
  units: number;
  merge: 'add' | 'concat';
  acts: [(typeof ACTS)[number], (typeof ACTS)[number]];
  reshape: boolean;
  seed: number;
}
const arbBranch: fc.Arbitrary<BranchSpec> = fc.record({
  nIn: fc.integer({ min: 1, max: 6 }),
  units: fc.integer({ min: 1, max: 6 }),
  merge: fc.constantFrom('add' as const, 'concat' as const),
  acts: fc.tuple(arbAct, arbAct),
  reshape: fc.boolean(),
  seed: fc.integer(),
});

function buildBranch(s: BranchSpec): TF.LayersModel {
  const x = tf.input({ shape: [s.nIn] });
  const a = tf.layers.dense({ units: s.units, activation: s.acts[0] }).apply(x) as TF.SymbolicTensor;
  const b = tf.layers.dense({ units: s.units, activation: s.acts[1] }).apply(x) as TF.SymbolicTensor;
  let y = (s.merge === 'add' ? tf.layers.add().apply([a, b]) : tf.layers.concatenate().apply([a, b])) as TF.SymbolicTensor;
  if (s.reshape) {
    const n = (s.merge === 'add' ? 1 : 2) * s.units;
    y = tf.layers.reshape({ targetShape: [n, 1] }).apply(y) as TF.SymbolicTensor;
    y = tf.layers.flatten().apply(y) as TF.SymbolicTensor;
  }
  y = tf.layers.dense({ units: 2 }).apply(y) as TF.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}

const BATCH = 3;

describe('evaluateFloat vs tfjs (float32 bound)', () => {
  it('random MLPs (Dense, BN, ReLU/LeakyReLU/Activation, Dropout, softmax)', () => {
    fc.assert(
      fc.property(arbMlp, (s) => {
        const model = buildMlp(s);
        randomize(model, s.seed);
        compare(model, inputs([BATCH, s.nIn], s.seed), [BATCH, s.nIn]);
        model.dispose();
      }),
      { numRuns: 60 },
    );
  });

  it('random 1D/2D CNNs (valid/same, strides, ZeroPadding, max/avg pooling, global pooling, BN)', () => {
    fc.assert(
      fc.property(arbCnn, (s) => {
        const { model, shape } = buildCnn(s);
        randomize(model, s.seed);
        compare(model, inputs([BATCH, ...shape], s.seed), [BATCH, ...shape]);
        model.dispose();
      }),
      { numRuns: 80 },
    );
  });

  it('random branching models (Add, Concatenate, Reshape)', () => {
    fc.assert(
      fc.property(arbBranch, (s) => {
        const model = buildBranch(s);
        randomize(model, s.seed);
        compare(model, inputs([BATCH, s.nIn], s.seed), [BATCH, s.nIn]);
        model.dispose();
      }),
      { numRuns: 40 },
    );
  });

  it('Concatenate along a non-last axis and a two-input model', () => {
    const a = tf.input({ shape: [3, 2] });
    const b = tf.input({ shape: [4, 2] });
    const c = tf.layers.concatenate({ axis: 1 }).apply([a, b]) as TF.SymbolicTensor;
    const y = tf.layers.flatten().apply(c) as TF.SymbolicTensor;
    const model = tf.model({ inputs: [a, b], outputs: y });
    const graph = fromTfjsLayersModel(model);
    const xa = inputs([2, 3, 2], 1);
    const xb = inputs([2, 4, 2], 2);
    const ours = evaluateFloat(graph, [{ data: xa, shape: [2, 3, 2] }, { data: xb, shape: [2, 4, 2] }]);
    const theirs = (model.predict([tf.tensor(xa, [2, 3, 2]), tf.tensor(xb, [2, 4, 2])]) as TF.Tensor).dataSync();
    expect(Array.from(ours.values)).toEqual(Array.from(theirs));
  });

  it('ZeroPadding1D pads the steps axis', () => {
    const graph: ModelGraph = {
      name: 'zp',
      source: 'tfjs',
      outputs: ['zp'],
      layers: [
        { name: 'x', className: 'InputLayer', inputs: [], inputShapes: [], outputShape: [2, 2], attrs: {}, weights: {} },
        { name: 'zp', className: 'ZeroPadding1D', inputs: ['x'], inputShapes: [[2, 2]], outputShape: [5, 2], attrs: { padding: [1, 2] }, weights: {} },
      ],
    };
    const r = evaluateFloat(graph, { data: [1, 2, 3, 4], shape: [1, 2, 2] });
    expect(Array.from(r.values)).toEqual([0, 0, 1, 2, 3, 4, 0, 0, 0, 0]);
  });

  it('layer outputs are named like hls4ml splits activations, and stream per chunk', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: 'relu', name: 'fc' }), tf.layers.dense({ units: 2, name: 'out' })] });
    randomize(model, 7);
    const graph = fromTfjsLayersModel(model);
    const seen: string[] = [];
    const r = evaluateFloat(graph, { data: inputs([5, 2], 3), shape: [5, 2] }, { layerOutputs: true, batchSize: 2, onTensor: (name, _v, _s, n) => seen.push(`${name}:${n}`) });
    expect(Object.keys(r.layers!)).toEqual([graph.layers[0]!.name, 'fc', 'fc_relu', 'out']);
    expect(r.layers!.fc_relu!.values.every((v) => v >= 0)).toBe(true);
    expect(r.layers!.fc!.values.some((v) => v < 0)).toBe(true);
    expect(seen.filter((q) => q.startsWith('out:')).map((q) => q.split(':')[1])).toEqual(['2', '2', '1']);
    expect(Array.from(r.layers!.out!.values)).toEqual(Array.from(r.values));
  });
});

describe('evaluateFloat on the bundled Fashion-MNIST CNN', () => {
  it('reproduces the float accuracy on the bundled 1,000 images (87.5%) and tfjs within the bound', async () => {
    const root = hlsemuPackageRoot();
    const graph = await loadModel(join(root, 'models/fmnist/model.json'));
    const d = await loadBundledFashionMnist();
    const r = evaluateFloat(graph, { data: d.images, shape: d.shape });
    const pred = argmaxRows(r.values, 10);
    let ok = 0;
    for (let i = 0; i < r.n; i++) if (pred[i] === d.labels[i]) ok++;
    expect(ok / r.n).toBe(0.875);

    const model = await loadLayersModelFromFile(join(root, 'models/fmnist/model.json'));
    const n = 50;
    const x = d.images.subarray(0, n * 784);
    const { worst, r: rel } = compare(model, x, [n, 28, 28, 1]);
    expect(worst).toBeLessThanOrEqual(1);
    expect(rel).toBeLessThan(1e-4);
    model.dispose();
  });
});
