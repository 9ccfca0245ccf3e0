/**
 * Range equalization before quantization: a Dense/Conv whose output reaches a BatchNormalization
 * only through max/average pooling can be scaled by any c > 0 without changing the float function
 * (BN renormalises: mean·c, variance·c², epsilon·c²). Choosing c as a power of two that puts the
 * pre-BN activations near a target fraction of the fixed-point range makes products and sums use
 * the type's bits instead of sitting in its lowest LSBs — the float32 function stays bit-identical
 * (power-of-two scaling is exact), the firmware's relative truncation error shrinks.
 */
import { evaluateFloat } from '../emulate/float.js';
import { MODEL_CLASSES } from '../layers/registry.js';
import type { InputLike } from '../emulate/inputs.js';
import type { ModelGraph, ModelLayer } from '../graph/model.js';

/** One rescaled producer → BatchNormalization pair. */
export interface EqualizedPair {
  producer: string;
  batchnorm: string;
  /** Power-of-two factor applied. */
  scale: number;
  /** max |pre-BN activation| on the calibration data, before and after. */
  maxBefore: number;
  maxAfter: number;
}

/** Options of {@link equalizeRanges}. */
export interface EqualizeOptions {
  /** Largest representable |value| of the activation type (default 32, i.e. fixed<16,6>). */
  typeMax?: number;
  /** Target max |pre-BN activation| as a fraction of typeMax (default 0.5). */
  target?: number;
  /** Largest |weight| allowed after scaling, as a fraction of typeMax (default 0.5). */
  weightTarget?: number;
}

const role = (l: ModelLayer) => MODEL_CLASSES[l.className]?.equalize;

/** Producer → (pooling)* → BN chains where every link has a single consumer. */
function findPairs(model: ModelGraph): [ModelLayer, ModelLayer][] {
  const consumers = (name: string) => model.layers.filter((l) => l.inputs.includes(name));
  const pairs: [ModelLayer, ModelLayer][] = [];
  for (const p of model.layers) {
    if (role(p) !== 'producer') continue;
    if (p.attrs.activation && p.attrs.activation !== 'linear') continue;
    let cur = p;
    for (;;) {
      const next = consumers(cur.name);
      if (next.length !== 1 || model.outputs.includes(cur.name)) break;
      const c = next[0]!;
      if (role(c) === 'absorber') {
        pairs.push([p, c]);
        break;
      }
      if (role(c) !== 'passThrough') break;
      cur = c;
    }
  }
  return pairs;
}

function scaled(data: Float32Array | Float64Array, c: number): Float32Array | Float64Array {
  const out = data instanceof Float32Array ? new Float32Array(data.length) : new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * c;
  return out;
}

/**
 * Return a copy of the model with every Dense/Conv → (pooling) → BatchNormalization chain rescaled
 * by a power of two so its pre-BN activations (measured on `calibration`) peak near
 * `target·typeMax`. The float function is unchanged.
 *
 * @example
 * const { model: eq, pairs } = equalizeRanges(model, { data: images, shape: [1000, 28, 28, 1] });
 */
export function equalizeRanges(model: ModelGraph, calibration: InputLike, opts: EqualizeOptions = {}): { model: ModelGraph; pairs: EqualizedPair[] } {
  const typeMax = opts.typeMax ?? 32;
  const target = (opts.target ?? 0.5) * typeMax;
  const wTarget = (opts.weightTarget ?? 0.5) * typeMax;
  const pairs = findPairs(model);
  const maxAbs = new Map<string, number>();
  evaluateFloat(model, calibration, {
    onTensor: (name, values) => {
      if (!pairs.some(([p]) => p.name === name)) return;
      let m = maxAbs.get(name) ?? 0;
      for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
      maxAbs.set(name, m);
    },
  });
  const out: ModelGraph = { ...model, layers: model.layers.map((l) => ({ ...l, attrs: { ...l.attrs }, weights: { ...l.weights } })) };
  const byName = new Map(out.layers.map((l) => [l.name, l]));
  const result: EqualizedPair[] = [];
  for (const [p, b] of pairs) {
    const m = maxAbs.get(p.name) ?? 0;
    if (!(m > 0)) continue;
    const k = p.weights.kernel!.data;
    let wMax = 0;
    for (let i = 0; i < k.length; i++) wMax = Math.max(wMax, Math.abs(k[i]!));
    let e = Math.floor(Math.log2(target / m));
    if (wMax > 0) e = Math.min(e, Math.floor(Math.log2(wTarget / wMax)));
    e = Math.max(-10, Math.min(10, e));
    if (e === 0) continue;
    const c = 2 ** e;
    const P = byName.get(p.name)!;
    const B = byName.get(b.name)!;
    P.weights.kernel = { shape: p.weights.kernel!.shape, data: scaled(p.weights.kernel!.data, c) };
    if (P.weights.bias) P.weights.bias = { shape: p.weights.bias!.shape, data: scaled(p.weights.bias!.data, c) };
    B.weights.moving_mean = { shape: b.weights.moving_mean!.shape, data: scaled(b.weights.moving_mean!.data, c) };
    B.weights.moving_variance = { shape: b.weights.moving_variance!.shape, data: scaled(b.weights.moving_variance!.data, c * c) };
    B.attrs.epsilon = (b.attrs.epsilon ?? 1e-3) * c * c;
    result.push({ producer: p.name, batchnorm: b.name, scale: c, maxBefore: m, maxAfter: m * c });
  }
  return { model: out, pairs: result };
}
