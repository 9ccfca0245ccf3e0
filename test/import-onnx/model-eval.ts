/**
 * Test helper: a plain float64 evaluator of a ModelGraph (Keras semantics, channels-last), written
 * independently of the ONNX evaluator so that tests can check the importer's layout conversion.
 * `quantizers.result` is applied with hlsemu's ap_fixed quantizer (quantizeDouble), weights are used
 * as stored (the importer already put Quant-ized weights on their grid).
 */
import type { ModelGraph, ModelLayer } from '../../src/graph/model.js';
import { quantizeDouble } from '../../src/fixed/quantize.js';
import type { FixedType } from '../../src/fixed/types.js';

export interface T {
  shape: number[];
  data: Float64Array;
}

const size = (s: number[]) => s.reduce((p, d) => p * d, 1);

/** Value of `x` after casting to the fixed type `t`. */
export function castTo(x: number, t: FixedType): number {
  return quantizeDouble(x, t) * 2 ** (t.I - t.W);
}

function samePad(n: number, k: number, s: number): [number, number] {
  const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Views 1D channels-last [L, C] as 2D [1, L, C]. */
function lift(shape: number[], k: number[], s: number[]): { H: number; W: number; C: number; kh: number; kw: number; sh: number; sw: number } {
  if (shape.length === 2) return { H: 1, W: shape[0]!, C: shape[1]!, kh: 1, kw: k[0]!, sh: 1, sw: s[0]! };
  return { H: shape[0]!, W: shape[1]!, C: shape[2]!, kh: k[0]!, kw: k[1]!, sh: s[0]!, sw: s[1]! };
}

function conv(l: ModelLayer, x: T): T {
  const k = l.attrs.kernelSize!;
  const g = lift(x.shape, k, l.attrs.strides!);
  const F = l.attrs.filters!;
  const same = l.attrs.padding === 'same';
  const [pt] = same ? samePad(g.H, g.kh, g.sh) : [0];
  const [pl] = same ? samePad(g.W, g.kw, g.sw) : [0];
  const OH = same ? Math.ceil(g.H / g.sh) : Math.floor((g.H - g.kh) / g.sh) + 1;
  const OW = same ? Math.ceil(g.W / g.sw) : Math.floor((g.W - g.kw) / g.sw) + 1;
  const K = l.weights.kernel!.data;
  const B = l.weights.bias?.data;
  const out = new Float64Array(OH * OW * F);
  for (let oh = 0; oh < OH; oh++) {
    for (let ow = 0; ow < OW; ow++) {
      for (let f = 0; f < F; f++) {
        let s = B ? B[f]! : 0;
        for (let i = 0; i < g.kh; i++) {
          const ih = oh * g.sh - pt! + i;
          if (ih < 0 || ih >= g.H) continue;
          for (let j = 0; j < g.kw; j++) {
            const iw = ow * g.sw - pl! + j;
            if (iw < 0 || iw >= g.W) continue;
            for (let c = 0; c < g.C; c++) s += x.data[(ih * g.W + iw) * g.C + c]! * K[((i * g.kw + j) * g.C + c) * F + f]!;
          }
        }
        out[(oh * OW + ow) * F + f] = s;
      }
    }
  }
  return { shape: x.shape.length === 2 ? [OW, F] : [OH, OW, F], data: out };
}

function pool(l: ModelLayer, x: T, max: boolean): T {
  const g = lift(x.shape, l.attrs.poolSize!, l.attrs.strides!);
  const same = l.attrs.padding === 'same';
  const [pt] = same ? samePad(g.H, g.kh, g.sh) : [0];
  const [pl] = same ? samePad(g.W, g.kw, g.sw) : [0];
  const OH = same ? Math.ceil(g.H / g.sh) : Math.floor((g.H - g.kh) / g.sh) + 1;
  const OW = same ? Math.ceil(g.W / g.sw) : Math.floor((g.W - g.kw) / g.sw) + 1;
  const out = new Float64Array(OH * OW * g.C);
  for (let oh = 0; oh < OH; oh++) {
    for (let ow = 0; ow < OW; ow++) {
      for (let c = 0; c < g.C; c++) {
        let acc = max ? -Infinity : 0;
        let n = 0;
        for (let i = 0; i < g.kh; i++) {
          const ih = oh * g.sh - pt! + i;
          if (ih < 0 || ih >= g.H) continue;
          for (let j = 0; j < g.kw; j++) {
            const iw = ow * g.sw - pl! + j;
            if (iw < 0 || iw >= g.W) continue;
            const v = x.data[(ih * g.W + iw) * g.C + c]!;
            acc = max ? Math.max(acc, v) : acc + v;
            n++;
          }
        }
        out[(oh * OW + ow) * g.C + c] = max ? acc : acc / n;
      }
    }
  }
  return { shape: x.shape.length === 2 ? [OW, g.C] : [OH, OW, g.C], data: out };
}

const SELU_A = 1.6732632423543772848170429916717;
const SELU_S = 1.0507009873554804934193349852946;

function activation(name: string, x: T): T {
  const f: Record<string, (v: number) => number> = {
    linear: (v) => v,
    relu: (v) => Math.max(0, v),
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    tanh: Math.tanh,
    selu: (v) => (v > 0 ? SELU_S * v : SELU_S * SELU_A * (Math.exp(v) - 1)),
    elu: (v) => (v > 0 ? v : Math.exp(v) - 1),
    softsign: (v) => v / (1 + Math.abs(v)),
    softplus: (v) => Math.log(1 + Math.exp(v)),
    hard_sigmoid: (v) => Math.max(0, Math.min(1, 0.2 * v + 0.5)),
    binary_tanh: (v) => (v >= 0 ? 1 : -1),
  };
  if (name === 'softmax') return softmax(x);
  const fn = f[name];
  if (!fn) throw new Error(`model-eval: activation ${name}`);
  return { shape: x.shape, data: x.data.map(fn) };
}

function softmax(x: T): T {
  const C = x.shape[x.shape.length - 1]!;
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < x.data.length; o += C) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, x.data[o + c]!);
    let s = 0;
    for (let c = 0; c < C; c++) s += out[o + c] = Math.exp(x.data[o + c]! - m);
    for (let c = 0; c < C; c++) out[o + c]! /= s;
  }
  return { shape: x.shape, data: out };
}

function layer(l: ModelLayer, xs: T[]): T {
  const x = xs[0]!;
  const C = x.shape[x.shape.length - 1]!;
  switch (l.className) {
    case 'Dense': {
      const K = l.weights.kernel!.data;
      const U = l.attrs.units!;
      const B = l.weights.bias?.data;
      const rows = x.data.length / C;
      const out = new Float64Array(rows * U);
      for (let r = 0; r < rows; r++) {
        for (let u = 0; u < U; u++) {
          let s = B ? B[u]! : 0;
          for (let c = 0; c < C; c++) s += x.data[r * C + c]! * K[c * U + u]!;
          out[r * U + u] = s;
        }
      }
      return { shape: [...x.shape.slice(0, -1), U], data: out };
    }
    case 'Conv1D':
    case 'Conv2D':
      return conv(l, x);
    case 'MaxPooling1D':
    case 'MaxPooling2D':
      return pool(l, x, true);
    case 'AveragePooling1D':
    case 'AveragePooling2D':
      return pool(l, x, false);
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPooling2D':
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D': {
      const max = l.className.includes('Max');
      const n = x.data.length / C;
      const out = new Float64Array(C).fill(max ? -Infinity : 0);
      for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) out[c] = max ? Math.max(out[c]!, x.data[i * C + c]!) : out[c]! + x.data[i * C + c]!;
      return { shape: [C], data: max ? out : out.map((v) => v / n) };
    }
    case 'BatchNormalization': {
      const w = l.weights;
      const eps = l.attrs.epsilon ?? 1e-3;
      return {
        shape: x.shape,
        data: x.data.map((v, i) => {
          const c = i % C;
          return (w.gamma!.data[c]! * (v - w.moving_mean!.data[c]!)) / Math.sqrt(w.moving_variance!.data[c]! + eps) + w.beta!.data[c]!;
        }),
      };
    }
    case 'Activation':
      return activation(l.attrs.activation ?? 'linear', x);
    case 'ReLU':
      return activation('relu', x);
    case 'LeakyReLU': {
      const a = l.attrs.alpha ?? 0.3;
      return { shape: x.shape, data: x.data.map((v) => (v >= 0 ? v : a * v)) };
    }
    case 'ELU': {
      const a = l.attrs.alpha ?? 1;
      return { shape: x.shape, data: x.data.map((v) => (v > 0 ? v : a * (Math.exp(v) - 1))) };
    }
    case 'ThresholdedReLU': {
      const t = (l.attrs.theta as number | undefined) ?? 1;
      return { shape: x.shape, data: x.data.map((v) => (v > t ? v : 0)) };
    }
    case 'Permute': {
      const dims = (l.attrs.dims as number[]).map((d) => d - 1);
      const shape = dims.map((d) => x.shape[d]!);
      const strides = x.shape.map((_, k) => size(x.shape.slice(k + 1)));
      const out = new Float64Array(x.data.length);
      for (let i = 0; i < out.length; i++) {
        let rest = i;
        let src = 0;
        for (let d = shape.length - 1; d >= 0; d--) {
          src += (rest % shape[d]!) * strides[dims[d]!]!;
          rest = Math.floor(rest / shape[d]!);
        }
        out[i] = x.data[src]!;
      }
      return { shape, data: out };
    }
    case 'Resize': {
      // nearest, half_pixel / round_prefer_floor (the ONNX defaults) or asymmetric / floor
      const [sh, sw] = l.attrs.scales as number[];
      const [H, W, C] = x.shape as [number, number, number];
      const [OH, OW] = [Math.floor(H * sh!), Math.floor(W * sw!)];
      const asym = l.attrs.coordinateTransformationMode === 'asymmetric';
      const pick = (i: number, s: number, n: number) => {
        const v = asym ? i / s : (i + 0.5) / s - 0.5;
        const r = asym && l.attrs.nearestMode === 'floor' ? Math.floor(v) : Math.floor(v) + (v - Math.floor(v) > 0.5 ? 1 : 0);
        return Math.min(Math.max(r, 0), n - 1);
      };
      const out = new Float64Array(OH * OW * C);
      for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) for (let c = 0; c < C; c++) out[(i * OW + j) * C + c] = x.data[(pick(i, sh!, H) * W + pick(j, sw!, W)) * C + c]!;
      return { shape: [OH, OW, C], data: out };
    }
    case 'Subtract':
      return { shape: x.shape, data: x.data.map((v, i) => v - xs[1]!.data[i]!) };
    case 'Multiply':
      return { shape: x.shape, data: x.data.map((v, i) => v * xs[1]!.data[i]!) };
    case 'Maximum':
      return { shape: x.shape, data: x.data.map((v, i) => Math.max(v, xs[1]!.data[i]!)) };
    case 'Minimum':
      return { shape: x.shape, data: x.data.map((v, i) => Math.min(v, xs[1]!.data[i]!)) };
    case 'Softmax':
      return softmax(x);
    case 'Flatten':
      return { shape: [x.data.length], data: x.data };
    case 'Reshape':
      return { shape: [...l.attrs.targetShape!], data: x.data };
    case 'Dropout':
      return x;
    case 'ZeroPadding1D':
    case 'ZeroPadding2D': {
      const p = l.className === 'ZeroPadding1D' ? [[0, 0], l.attrs.padding as number[]] : (l.attrs.padding as number[][]);
      const H = x.shape.length === 2 ? 1 : x.shape[0]!;
      const W = x.shape.length === 2 ? x.shape[0]! : x.shape[1]!;
      const OH = H + p[0]![0]! + p[0]![1]!;
      const OW = W + p[1]![0]! + p[1]![1]!;
      const out = new Float64Array(OH * OW * C);
      for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) out[((h + p[0]![0]!) * OW + w + p[1]![0]!) * C + c] = x.data[(h * W + w) * C + c]!;
      return { shape: x.shape.length === 2 ? [OW, C] : [OH, OW, C], data: out };
    }
    case 'Add':
      return { shape: x.shape, data: x.data.map((v, i) => xs.reduce((s, t, k) => (k === 0 ? s : s + t.data[i]!), v)) };
    case 'Concatenate': {
      const r = x.shape.length;
      const ax = (l.attrs.axis ?? -1) < 0 ? r + (l.attrs.axis ?? -1) : l.attrs.axis!;
      const outer = size(x.shape.slice(0, ax));
      const parts: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const t of xs) {
          const chunk = size(t.shape.slice(ax));
          parts.push(...t.data.subarray(o * chunk, (o + 1) * chunk));
        }
      }
      const shape = [...x.shape];
      shape[ax] = xs.reduce((s, t) => s + t.shape[ax]!, 0);
      return { shape, data: Float64Array.from(parts) };
    }
    case 'ApplyAlpha': {
      // x·scale + bias, per element (n_filt −1) or per channel
      const sc = l.weights.scale!.data;
      const b = l.weights.bias!.data;
      return { shape: x.shape, data: x.data.map((v, i) => v * sc[i % sc.length]! + b[i % b.length]!) };
    }
    default:
      throw new Error(`model-eval: layer class ${l.className}`);
  }
}

/** Evaluates the ModelGraph on model-order inputs (by InputLayer name); returns every layer's output. */
export function evalModel(m: ModelGraph, inputs: Record<string, Float64Array>): Map<string, T> {
  const env = new Map<string, T>();
  for (const l of m.layers) {
    let y: T;
    if (l.className === 'InputLayer') {
      const d = inputs[l.name];
      if (!d) throw new Error(`model-eval: no input for ${l.name}`);
      y = { shape: l.outputShape, data: d };
    } else {
      y = layer(
        l,
        l.inputs.map((n) => env.get(n)!),
      );
      // Keras layers with a fused activation (Dense/Conv from the Keras readers)
      if (l.className !== 'Activation' && l.attrs.activation && l.attrs.activation !== 'linear') y = activation(l.attrs.activation, y);
    }
    if (size(y.shape) !== size(l.outputShape)) throw new Error(`model-eval: ${l.name} produced [${y.shape}] for declared [${l.outputShape}]`);
    const q = l.quantizers?.result;
    if (q) y = { shape: y.shape, data: y.data.map((v) => castTo(v, q)) };
    env.set(l.name, y);
  }
  return env;
}
