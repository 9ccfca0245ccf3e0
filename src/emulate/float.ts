/**
 * Float reference: evaluates a ModelGraph in float64 with Keras inference semantics (Dense,
 * Conv1D/2D valid/same with strides, Max/Average pooling incl. global, BatchNormalization with the
 * moving statistics, Activation/ReLU/LeakyReLU/Softmax, Flatten/Reshape, ZeroPadding, Dropout as
 * identity, Add, Concatenate). It is the baseline the PTQ scans compare the firmware against, and
 * the source of the activation distributions `hlsemu profile` plots.
 *
 * Tensors are named as hls4ml names them after splitting activations: a Dense/Conv with a
 * non-linear `activation` yields `<name>` (pre-activation) and `<name>_<activation>` (its output).
 */
import { ShapeError, UnsupportedError, ValueError } from '../errors.js';
import type { ModelGraph, ModelLayer } from '../graph/model.js';
import { toBatch, type InputLike } from './inputs.js';

/** One evaluated tensor: `n` samples of `shape`, row-major. */
export interface FloatTensorBatch {
  shape: number[];
  values: Float64Array;
}

/** Options of {@link evaluateFloat}. */
export interface FloatEvalOptions {
  /** Keep every tensor's values in the result (`layers`); memory grows with n × all tensor sizes. */
  layerOutputs?: boolean;
  /**
   * Called once per chunk for every tensor (model inputs, each layer's output, pre-activations of
   * split activations), in topological order — to accumulate statistics without keeping tensors.
   */
  onTensor?: (name: string, values: Float64Array, shape: number[], n: number) => void;
  /** Samples evaluated at a time (bounds memory; default 256). */
  batchSize?: number;
}

/** What {@link evaluateFloat} returns. */
export interface FloatResult {
  /** Number of samples. */
  n: number;
  /** Per-sample shape of the (first) model output. */
  shape: number[];
  /** The (first) model output, [n, ...shape]. */
  values: Float64Array;
  /** Every model output by layer name (for multi-output models). */
  outputs: Record<string, FloatTensorBatch>;
  /** Every tensor, when `layerOutputs` was asked for. */
  layers?: Record<string, FloatTensorBatch>;
}

const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

type Act = (x: Float64Array, channels: number) => Float64Array;

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

function map(f: (v: number) => number): Act {
  return (x) => {
    const y = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = f(x[i]!);
    return y;
  };
}

/** Softmax over the last axis (`channels` values per row), max-subtracted. */
function softmaxLast(x: Float64Array, channels: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let o = 0; o < x.length; o += channels) {
    let m = -Infinity;
    for (let i = 0; i < channels; i++) m = Math.max(m, x[o + i]!);
    let s = 0;
    for (let i = 0; i < channels; i++) {
      const e = Math.exp(x[o + i]! - m);
      y[o + i] = e;
      s += e;
    }
    for (let i = 0; i < channels; i++) y[o + i]! /= s;
  }
  return y;
}

/** The element-wise function of an activation name (Keras semantics; `keras3` changes hard_sigmoid). */
function activationFn(name: string, where: string, keras3: boolean, alpha?: number): Act {
  switch (name) {
    case 'linear':
      return (x) => x;
    case 'relu':
      return map((v) => (v > 0 ? v : 0));
    case 'sigmoid':
      return map((v) => 1 / (1 + Math.exp(-v)));
    case 'tanh':
      return map(Math.tanh);
    case 'softmax':
      return softmaxLast;
    case 'hard_sigmoid':
      return keras3 ? map((v) => Math.min(1, Math.max(0, v / 6 + 0.5))) : map((v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)));
    case 'softplus':
      return map((v) => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v))));
    case 'softsign':
      return map((v) => v / (1 + Math.abs(v)));
    case 'elu':
      return map((v) => (v > 0 ? v : Math.expm1(v)));
    case 'selu':
      return map((v) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)));
    case 'leaky_relu': {
      const a = alpha ?? 0.2;
      return map((v) => (v >= 0 ? v : a * v));
    }
    default:
      throw new UnsupportedError(`${where}.activation`, `activation '${name}' is not supported by the float reference`);
  }
}

/** Keras 'same' padding before the first element: ⌊max((out−1)·s + k − in, 0) / 2⌋. */
function padBefore(inLen: number, outLen: number, k: number, s: number, padding: unknown): number {
  if (padding !== 'same') return 0;
  return Math.floor(Math.max((outLen - 1) * s + k - inLen, 0) / 2);
}

function weightData(l: ModelLayer, key: string, expected: number): Float64Array | undefined {
  const t = l.weights[key];
  if (!t) return undefined;
  if (t.data.length !== expected) throw new ShapeError(`${l.name}.${key}`, `expected ${expected} values, got ${t.data.length}`);
  return t.data instanceof Float64Array ? t.data : Float64Array.from(t.data);
}

/** Conv2D (Conv1D as H = 1) over n samples: x [n, H, W, C] → [n, OH, OW, F]. */
function conv2d(x: Float64Array, n: number, inS: number[], outS: number[], k: Float64Array, b: Float64Array | undefined, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number): Float64Array {
  const [H, W, C] = inS as [number, number, number];
  const [OH, OW, F] = outS as [number, number, number];
  const y = new Float64Array(n * OH * OW * F);
  const inPer = H * W * C;
  const outPer = OH * OW * F;
  for (let s = 0; s < n; s++) {
    const xo = s * inPer;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const yo = s * outPer + (oh * OW + ow) * F;
        if (b) for (let f = 0; f < F; f++) y[yo + f] = b[f]!;
        for (let dh = 0; dh < kh; dh++) {
          const ih = oh * sh - pt + dh;
          if (ih < 0 || ih >= H) continue;
          for (let dw = 0; dw < kw; dw++) {
            const iw = ow * sw - pl + dw;
            if (iw < 0 || iw >= W) continue;
            const xb = xo + (ih * W + iw) * C;
            const kb = (dh * kw + dw) * C * F;
            for (let c = 0; c < C; c++) {
              const v = x[xb + c]!;
              if (v === 0) continue;
              const kc = kb + c * F;
              for (let f = 0; f < F; f++) y[yo + f]! += v * k[kc + f]!;
            }
          }
        }
      }
    }
  }
  return y;
}

/** Pooling (1D as H = 1) over n samples; average pooling divides by the in-bounds count (TF 'same'). */
function pool2d(x: Float64Array, n: number, inS: number[], outS: number[], ph: number, pw: number, sh: number, sw: number, pt: number, pl: number, max: boolean): Float64Array {
  const [H, W, C] = inS as [number, number, number];
  const [OH, OW] = outS as [number, number];
  const y = new Float64Array(n * OH * OW * C);
  const inPer = H * W * C;
  const acc = new Float64Array(C);
  for (let s = 0; s < n; s++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        acc.fill(max ? -Infinity : 0);
        let count = 0;
        for (let dh = 0; dh < ph; dh++) {
          const ih = oh * sh - pt + dh;
          if (ih < 0 || ih >= H) continue;
          for (let dw = 0; dw < pw; dw++) {
            const iw = ow * sw - pl + dw;
            if (iw < 0 || iw >= W) continue;
            count++;
            const xb = s * inPer + (ih * W + iw) * C;
            if (max) for (let c = 0; c < C; c++) acc[c] = Math.max(acc[c]!, x[xb + c]!);
            else for (let c = 0; c < C; c++) acc[c]! += x[xb + c]!;
          }
        }
        const yo = ((s * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) y[yo + c] = max ? acc[c]! : acc[c]! / count;
      }
    }
  }
  return y;
}

/** Evaluate one layer on a chunk; returns [pre-activation?, output]. */
function evalLayer(l: ModelLayer, xs: Float64Array[], n: number, keras3: boolean): { pre?: Float64Array; out: Float64Array } {
  const where = `${l.name} (${l.className})`;
  const a = l.attrs;
  const inS = l.inputShapes[0] ?? [];
  const outS = l.outputShape;
  const x = xs[0]!;
  const withAct = (pre: Float64Array): { pre?: Float64Array; out: Float64Array } => {
    const act = a.activation ?? 'linear';
    if (act === 'linear') return { out: pre };
    return { pre, out: activationFn(act, where, keras3)(pre, outS[outS.length - 1]!) };
  };
  switch (l.className) {
    case 'Dense': {
      const nIn = inS[inS.length - 1]!;
      const units = a.units ?? outS[outS.length - 1]!;
      const k = weightData(l, 'kernel', nIn * units);
      if (!k) throw new ShapeError(`${l.name}.kernel`, 'missing kernel weights');
      const b = a.useBias === false ? undefined : weightData(l, 'bias', units);
      const rows = (n * size(inS)) / nIn;
      const y = new Float64Array(rows * units);
      for (let r = 0; r < rows; r++) {
        const yo = r * units;
        if (b) for (let j = 0; j < units; j++) y[yo + j] = b[j]!;
        for (let i = 0; i < nIn; i++) {
          const v = x[r * nIn + i]!;
          if (v === 0) continue;
          const ko = i * units;
          for (let j = 0; j < units; j++) y[yo + j]! += v * k[ko + j]!;
        }
      }
      return withAct(y);
    }
    case 'Conv1D':
    case 'Conv2D': {
      const two = l.className === 'Conv2D';
      const ks = a.kernelSize ?? [];
      const st = a.strides ?? ks.map(() => 1);
      const kh = two ? ks[0]! : 1;
      const kw = two ? ks[1]! : ks[0]!;
      const sh = two ? st[0]! : 1;
      const sw = two ? st[1]! : st[0]!;
      const in3 = two ? inS : [1, inS[0]!, inS[1]!];
      const out3 = two ? outS : [1, outS[0]!, outS[1]!];
      const C = in3[2]!;
      const F = out3[2]!;
      const k = weightData(l, 'kernel', kh * kw * C * F);
      if (!k) throw new ShapeError(`${l.name}.kernel`, 'missing kernel weights');
      const b = a.useBias === false ? undefined : weightData(l, 'bias', F);
      const pt = two ? padBefore(in3[0]!, out3[0]!, kh, sh, a.padding) : 0;
      const pl = padBefore(in3[1]!, out3[1]!, kw, sw, a.padding);
      return withAct(conv2d(x, n, in3, out3, k, b, kh, kw, sh, sw, pt, pl));
    }
    case 'MaxPooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling1D':
    case 'AveragePooling2D': {
      const two = l.className.endsWith('2D');
      const ps = a.poolSize ?? (two ? [2, 2] : [2]);
      const st = a.strides ?? ps;
      const [ph, pw] = two ? [ps[0]!, ps[1]!] : [1, ps[0]!];
      const [sh, sw] = two ? [st[0]!, st[1]!] : [1, st[0]!];
      const in3 = two ? inS : [1, inS[0]!, inS[1]!];
      const out3 = two ? outS : [1, outS[0]!, outS[1]!];
      const pt = two ? padBefore(in3[0]!, out3[0]!, ph, sh, a.padding) : 0;
      const pl = padBefore(in3[1]!, out3[1]!, pw, sw, a.padding);
      return { out: pool2d(x, n, in3, out3, ph, pw, sh, sw, pt, pl, l.className.startsWith('Max')) };
    }
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPooling2D':
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D': {
      const C = inS[inS.length - 1]!;
      const pix = size(inS) / C;
      const max = l.className.includes('Max');
      const y = new Float64Array(n * C);
      for (let s = 0; s < n; s++) {
        for (let c = 0; c < C; c++) {
          let acc = max ? -Infinity : 0;
          for (let p = 0; p < pix; p++) {
            const v = x[(s * pix + p) * C + c]!;
            acc = max ? Math.max(acc, v) : acc + v;
          }
          y[s * C + c] = max ? acc : acc / pix;
        }
      }
      return { out: y };
    }
    case 'BatchNormalization': {
      const C = inS[inS.length - 1]!;
      const gamma = a.scale === false ? undefined : weightData(l, 'gamma', C);
      const beta = a.center === false ? undefined : weightData(l, 'beta', C);
      const mean = weightData(l, 'moving_mean', C);
      const variance = weightData(l, 'moving_variance', C);
      const eps = a.epsilon ?? 1e-3;
      const mul = new Float64Array(C);
      const add = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        mul[c] = (gamma ? gamma[c]! : 1) / Math.sqrt((variance ? variance[c]! : 1) + eps);
        add[c] = beta ? beta[c]! : 0;
      }
      const y = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const c = i % C;
        y[i] = (x[i]! - (mean ? mean[c]! : 0)) * mul[c]! + add[c]!;
      }
      return { out: y };
    }
    case 'Activation':
      return { out: activationFn(a.activation ?? 'linear', where, keras3)(x, outS[outS.length - 1]!) };
    case 'ReLU': {
      const maxV = a.maxValue ?? null;
      const slope = a.negativeSlope ?? 0;
      const th = a.threshold ?? 0;
      return {
        out: map((v) => {
          if (maxV !== null && v >= maxV) return maxV;
          if (v >= th) return v;
          return slope * (v - th);
        })(x, 1),
      };
    }
    case 'LeakyReLU':
      return { out: activationFn('leaky_relu', where, keras3, a.alpha ?? 0.3)(x, 1) };
    case 'Softmax': {
      const ax = a.axis ?? -1;
      if (ax !== -1 && ax !== inS.length) throw new UnsupportedError(`${where}.axis`, `softmax over axis ${ax} is not supported (last axis only)`);
      return { out: softmaxLast(x, inS[inS.length - 1]!) };
    }
    case 'Flatten':
    case 'Reshape':
    case 'Dropout':
      return { out: x };
    case 'ZeroPadding1D':
    case 'ZeroPadding2D': {
      const two = l.className === 'ZeroPadding2D';
      const p = a.padding as number[] | number[][];
      const [top, left] = two ? [(p as number[][])[0]![0]!, (p as number[][])[1]![0]!] : [0, (p as number[])[0]!];
      const in3 = two ? inS : [1, inS[0]!, inS[1]!];
      const out3 = two ? outS : [1, outS[0]!, outS[1]!];
      const [H, W, C] = in3 as [number, number, number];
      const [OH, OW] = out3 as [number, number];
      const y = new Float64Array(n * OH * OW * C);
      for (let s = 0; s < n; s++) {
        for (let h = 0; h < H; h++) {
          const src = (s * H + h) * W * C;
          const dst = ((s * OH + h + top) * OW + left) * C;
          y.set(x.subarray(src, src + W * C), dst);
        }
      }
      return { out: y };
    }
    case 'Add': {
      const y = Float64Array.from(x);
      for (const other of xs.slice(1)) for (let i = 0; i < y.length; i++) y[i]! += other[i]!;
      return { out: y };
    }
    case 'Concatenate': {
      const rank = outS.length;
      const ax = a.axis ?? -1;
      const axis = ax < 0 ? rank + ax : ax - 1; // Keras axes count the batch axis
      if (axis < 0 || axis >= rank) throw new UnsupportedError(`${where}.axis`, `axis ${ax} is out of range`);
      const outer = n * size(outS.slice(0, axis));
      const inner = l.inputShapes.map((s) => size(s.slice(axis)));
      const total = inner.reduce((p, d) => p + d, 0);
      const y = new Float64Array(outer * total);
      for (let o = 0; o < outer; o++) {
        let off = o * total;
        xs.forEach((xi, j) => {
          y.set(xi.subarray(o * inner[j]!, (o + 1) * inner[j]!), off);
          off += inner[j]!;
        });
      }
      return { out: y };
    }
    case 'InputLayer':
      return { out: x };
    default:
      throw new UnsupportedError(where, `layer class ${String(l.className)} is not supported by the float reference`);
  }
}

/**
 * The tensor name of a split activation (hls4ml's `<layer>_<activation>`), or undefined.
 *
 * @example splitActivationName(denseWithRelu) // 'dense1_relu'
 */
export function splitActivationName(l: ModelLayer): string | undefined {
  const act = l.attrs.activation;
  if ((l.className === 'Dense' || l.className === 'Conv1D' || l.className === 'Conv2D') && act && act !== 'linear') return `${l.name}_${act}`;
  return undefined;
}

/**
 * Evaluate a float model on a batch in float64 (Keras inference semantics). `inputs` is one batch
 * (anything the emulator accepts: `{ data, shape }` with or without the batch axis, nested arrays,
 * ndarray) or, for several model inputs, an array of batches in the order of the InputLayers.
 *
 * @example
 * const model = await loadModel('models/fmnist/model.json');
 * const { images, shape } = await loadBundledFashionMnist(10);
 * const r = evaluateFloat(model, { data: images, shape });
 * r.shape; // [10] — softmax probabilities, r.values has 10 × 10 numbers
 * evaluateFloat(model, { data: images, shape }, { onTensor: (name, v) => stats.add(name, v) });
 */
export function evaluateFloat(model: ModelGraph, inputs: InputLike | InputLike[], opts: FloatEvalOptions = {}): FloatResult {
  const inLayers = model.layers.filter((l) => l.className === 'InputLayer');
  if (inLayers.length === 0) throw new ShapeError(model.name, 'model has no InputLayer');
  const list = (inLayers.length > 1 ? inputs : [inputs]) as InputLike[];
  if (!Array.isArray(list) || list.length !== inLayers.length) throw new ShapeError('inputs', `model has ${inLayers.length} inputs, got ${Array.isArray(list) ? list.length : 1} batches`);
  const batches = inLayers.map((l, i) => toBatch(list[i]!, l.outputShape, inLayers.length > 1 ? `inputs[${i}]` : 'inputs'));
  const n = batches[0]!.n;
  for (const b of batches) if (b.n !== n) throw new ShapeError('inputs', `all inputs must have the same number of samples (${n} vs ${b.n})`);
  for (const b of batches) {
    for (let i = 0; i < b.data.length; i++) if (!Number.isFinite(b.data[i]!)) throw new ValueError(`inputs[${Math.floor(i / size(b.sampleShape))}]`, `non-finite input ${b.data[i]}`);
  }
  const keras3 = model.source === 'keras3';
  const chunk = Math.max(1, Math.floor(opts.batchSize ?? 256));
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  // How many consumers each layer's output still has (to release chunk tensors early).
  const uses = new Map<string, number>();
  for (const l of model.layers) for (const i of l.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const o of model.outputs) {
    if (!byName.has(o)) throw new ShapeError('outputs', `output layer '${o}' is not in the model`);
    uses.set(o, (uses.get(o) ?? 0) + 1);
  }
  const outputs: Record<string, FloatTensorBatch> = {};
  for (const o of model.outputs) outputs[o] = { shape: [...byName.get(o)!.outputShape], values: new Float64Array(n * size(byName.get(o)!.outputShape)) };
  const layers: Record<string, FloatTensorBatch> | undefined = opts.layerOutputs ? {} : undefined;
  const keep = (name: string, shape: number[], v: Float64Array, s0: number, m: number) => {
    opts.onTensor?.(name, v, shape, m);
    if (!layers) return;
    layers[name] ??= { shape: [...shape], values: new Float64Array(n * size(shape)) };
    layers[name].values.set(v, s0 * size(shape));
  };
  for (let s0 = 0; s0 < n; s0 += chunk) {
    const m = Math.min(chunk, n - s0);
    const vals = new Map<string, Float64Array>();
    const left = new Map(uses);
    inLayers.forEach((l, i) => {
      const per = size(l.outputShape);
      const v = batches[i]!.data.subarray(s0 * per, (s0 + m) * per);
      vals.set(l.name, v);
      keep(l.name, l.outputShape, v, s0, m);
    });
    for (const l of model.layers) {
      if (l.className === 'InputLayer') continue;
      const xs = l.inputs.map((i) => {
        const v = vals.get(i);
        if (!v) throw new ShapeError(`${l.name}.inputs`, `input '${i}' is not computed before this layer`);
        return v;
      });
      const r = evalLayer(l, xs, m, keras3);
      for (const i of l.inputs) {
        const u = (left.get(i) ?? 1) - 1;
        left.set(i, u);
        if (u <= 0) vals.delete(i);
      }
      vals.set(l.name, r.out);
      if (l.className === 'Dropout') continue; // identity, removed by hls4ml: no tensor of its own
      const split = splitActivationName(l);
      if (split && r.pre) {
        keep(l.name, l.outputShape, r.pre, s0, m);
        keep(split, l.outputShape, r.out, s0, m);
      } else keep(l.name, l.outputShape, r.out, s0, m);
    }
    for (const o of model.outputs) outputs[o]!.values.set(vals.get(o)!, s0 * size(outputs[o]!.shape));
  }
  const first = outputs[model.outputs[0]!]!;
  const res: FloatResult = { n, shape: [...first.shape], values: first.values, outputs };
  if (layers) res.layers = layers;
  return res;
}

/**
 * Index of the largest value of each row (first one on ties, as numpy's argmax).
 *
 * @example argmaxRows(new Float64Array([0.1, 0.7, 0.2, 0.5, 0.5, 0]), 3); // Int32Array [1, 0]
 */
export function argmaxRows(values: ArrayLike<number>, perRow: number): Int32Array {
  const n = Math.floor(values.length / perRow);
  const out = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    let best = 0;
    let bv = values[s * perRow]!;
    for (let i = 1; i < perRow; i++) {
      const v = values[s * perRow + i]!;
      if (v > bv) {
        bv = v;
        best = i;
      }
    }
    out[s] = best;
  }
  return out;
}
