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
import { ShapeError, ValueError } from '../errors.js';
import { floatActivation, splitActivation } from '../layers/activation.js';
import { MODEL_CLASSES, modelClass } from '../layers/registry.js';
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

/** Evaluate one layer on a chunk (by its layer module); returns [pre-activation?, output]. */
function evalLayer(l: ModelLayer, xs: Float64Array[], n: number, keras3: boolean, source: string): { pre?: Float64Array; out: Float64Array } {
  const where = `${l.name} (${l.className})`;
  const spec = modelClass(l.className, where);
  const pre = spec.float(l, xs, { n, where, keras3 });
  const channels = l.outputShape[l.outputShape.length - 1]!;
  if (spec.activationSplit) {
    const q = spec.activationSplit(l, source);
    if (!q) return { out: pre };
    const out = q.float ? q.float(pre, channels) : floatActivation(String(q.draft.attrs.activation ?? 'linear'), where, keras3)(pre, channels);
    return q.draft.attrs.activation === 'linear' && !q.float ? { out } : { pre, out };
  }
  const split = splitActivation(l, source, !!spec.splitsActivation);
  if (!split || split.activation === 'linear') return { out: pre };
  return { pre, out: floatActivation(split.activation, where, keras3)(pre, channels) };
}

/**
 * The tensor name of a split activation (hls4ml's `<layer>_<activation>`), or undefined.
 *
 * @example splitActivationName(denseWithRelu) // 'dense1_relu'
 */
export function splitActivationName(l: ModelLayer, source = 'keras2'): string | undefined {
  const spec = MODEL_CLASSES[l.className];
  if (spec?.activationSplit) {
    const q = spec.activationSplit(l, source);
    return q && (q.float || q.draft.attrs.activation !== 'linear') ? q.name : undefined;
  }
  const split = splitActivation(l, source, !!spec?.splitsActivation);
  return split && split.activation !== 'linear' ? split.name : undefined;
}

/**
 * Evaluate a float model on a batch in float64 (Keras inference semantics). `inputs` is one batch
 * (anything the emulator accepts: `{ data, shape }` with or without the batch axis, nested arrays,
 * ndarray) or, for several model inputs, an array of batches in the order of the InputLayers or a
 * record of batches keyed by InputLayer name.
 *
 * @example
 * const model = await loadModel('models/fmnist/model.json');
 * const { images, shape } = await loadBundledFashionMnist(10);
 * const r = evaluateFloat(model, { data: images, shape });
 * r.shape; // [10] — softmax probabilities, r.values has 10 × 10 numbers
 * evaluateFloat(model, { data: images, shape }, { onTensor: (name, v) => stats.add(name, v) });
 */
export function evaluateFloat(model: ModelGraph, inputs: InputLike | InputLike[] | Record<string, InputLike>, opts: FloatEvalOptions = {}): FloatResult {
  const inLayers = model.layers.filter((l) => l.className === 'InputLayer');
  if (inLayers.length === 0) throw new ShapeError(model.name, 'model has no InputLayer');
  const names = inLayers.map((l) => l.name);
  const rec = inputs as Record<string, InputLike>;
  const keyed =
    !!inputs && typeof inputs === 'object' && !Array.isArray(inputs) && !ArrayBuffer.isView(inputs) && !('data' in inputs && 'shape' in inputs) && Object.getPrototypeOf(inputs) === Object.prototype;
  if (keyed && inLayers.length > 1) {
    const keys = Object.keys(rec);
    if (keys.length !== names.length || !names.every((n) => keys.includes(n))) throw new ShapeError('inputs', `expected one batch per model input (${names.join(', ')}), got ${keys.join(', ')}`);
  }
  const list = (keyed && (inLayers.length > 1 || Object.keys(rec).join() === names[0]) ? names.map((n) => rec[n]!) : inLayers.length > 1 ? inputs : [inputs]) as InputLike[];
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
      const r = evalLayer(l, xs, m, keras3, model.source);
      for (const i of l.inputs) {
        const u = (left.get(i) ?? 1) - 1;
        left.set(i, u);
        if (u <= 0) vals.delete(i);
      }
      vals.set(l.name, r.out);
      if (MODEL_CLASSES[l.className]?.removed) continue; // identity, removed by hls4ml: no tensor of its own
      const split = splitActivationName(l, model.source);
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
