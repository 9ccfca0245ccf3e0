/**
 * Builds QKeras models in tests: Keras 2 topologies with QKeras layer configs as QKeras 0.9
 * serialises them (quantizers as `{class_name, config}` dicts), with weights made here, as an
 * in-memory ModelGraph or as files (`<name>.json` + `<name>_weights.h5`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelGraph } from '../../src/graph/model.js';
import { assembleModelGraph, parseKerasTopology } from '../../src/import/topology.js';
import { writeKerasH5 } from './helpers.js';

type Json = Record<string, unknown>;

/** A QKeras quantizer dict. @example q('quantized_bits', { bits: 6, integer: 0, alpha: 1 }) */
export function q(cls: string, config: Json = {}): Json {
  return { class_name: cls, config };
}

/** `quantized_bits(bits, integer, …)` with QKeras 0.9's defaults filled in. */
export function qbits(bits: number, integer: number, extra: Json = {}): Json {
  return q('quantized_bits', { bits, integer, symmetric: 0, alpha: 1, keep_negative: true, use_stochastic_rounding: false, qnoise_factor: 1.0, ...extra });
}

/** `quantized_relu(bits, integer)`. */
export function qrelu(bits: number, integer = 0, extra: Json = {}): Json {
  return q('quantized_relu', { bits, integer, use_sigmoid: 0, negative_slope: 0.0, use_stochastic_rounding: false, relu_upper_bound: null, qnoise_factor: 1.0, ...extra });
}

/** One layer of a built model: Keras class, name, config and weights (Keras order and shapes). */
export interface BuiltLayer {
  cls: string;
  name: string;
  config: Json;
  weights?: { name: string; shape: number[]; data: Float32Array }[];
}

/** A deterministic generator in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** Float32 weights of a shape, uniform in [−amp, amp) (or on a grid of `step` when given). */
export function randomWeights(r: () => number, shape: number[], amp: number, step?: number): Float32Array {
  const n = shape.reduce((p, d) => p * d, 1);
  return Float32Array.from({ length: n }, () => {
    const v = (2 * r() - 1) * amp;
    return step ? Math.round(v / step) * step : v;
  });
}

/** A QDense layer (kernel [nIn, units], bias [units]). */
export function qdense(name: string, nIn: number, units: number, kernel: Json | null, bias: Json | null, r: () => number, opts: { activation?: unknown; amp?: number; useBias?: boolean; kernelData?: Float32Array; biasData?: Float32Array } = {}): BuiltLayer {
  const useBias = opts.useBias ?? true;
  const weights = [{ name: 'kernel', shape: [nIn, units], data: opts.kernelData ?? randomWeights(r, [nIn, units], opts.amp ?? 0.5) }];
  if (useBias) weights.push({ name: 'bias', shape: [units], data: opts.biasData ?? randomWeights(r, [units], opts.amp ?? 0.5) });
  return { cls: 'QDense', name, config: { name, units, activation: opts.activation ?? 'linear', use_bias: useBias, kernel_quantizer: kernel, bias_quantizer: bias }, weights };
}

/** A QConv2D layer ('valid' or 'same'), kernel [kh, kw, C, F]. */
export function qconv2d(name: string, C: number, F: number, k: number, kernel: Json | null, bias: Json | null, r: () => number, opts: { activation?: unknown; padding?: string; strides?: number; amp?: number } = {}): BuiltLayer {
  return {
    cls: 'QConv2D',
    name,
    config: { name, filters: F, kernel_size: [k, k], strides: [opts.strides ?? 1, opts.strides ?? 1], padding: opts.padding ?? 'valid', activation: opts.activation ?? 'linear', use_bias: true, kernel_quantizer: kernel, bias_quantizer: bias },
    weights: [
      { name: 'kernel', shape: [k, k, C, F], data: randomWeights(r, [k, k, C, F], opts.amp ?? 0.5) },
      { name: 'bias', shape: [F], data: randomWeights(r, [F], opts.amp ?? 0.25) },
    ],
  };
}

/**
 * A QConv2DBatchnorm layer as QKeras 0.9 serialises it (the QConv2D config, the BatchNormalization
 * sub-layer's config, `ema_freeze_delay`, `folding_mode`), with weights named as tf.keras 2 saves
 * them: `kernel`, `bias`, the int64 `iteration` counter (stored here as a float, never read) and the
 * sub-layer's `batch_normalization/{gamma,beta,moving_mean,moving_variance}`.
 */
export function qconv2dbn(
  name: string,
  C: number,
  F: number,
  k: number,
  kernel: Json | null,
  bias: Json | null,
  r: () => number,
  opts: { activation?: unknown; padding?: string; useBias?: boolean; extra?: Json } = {},
): BuiltLayer {
  const useBias = opts.useBias ?? true;
  const pos = (n: number) => Float32Array.from({ length: n }, () => 0.5 + r());
  const weights = [{ name: 'kernel', shape: [k, k, C, F], data: randomWeights(r, [k, k, C, F], 0.5) }];
  if (useBias) weights.push({ name: 'bias', shape: [F], data: randomWeights(r, [F], 0.25) });
  weights.push(
    { name: 'iteration', shape: [], data: Float32Array.of(-1) },
    { name: 'batch_normalization/gamma', shape: [F], data: pos(F) },
    { name: 'batch_normalization/beta', shape: [F], data: randomWeights(r, [F], 0.5) },
    { name: 'batch_normalization/moving_mean', shape: [F], data: randomWeights(r, [F], 0.5) },
    { name: 'batch_normalization/moving_variance', shape: [F], data: pos(F) },
  );
  return {
    cls: 'QConv2DBatchnorm',
    name,
    config: {
      name,
      filters: F,
      kernel_size: [k, k],
      strides: [1, 1],
      padding: opts.padding ?? 'valid',
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: opts.activation ?? 'linear',
      use_bias: useBias,
      kernel_quantizer: kernel,
      bias_quantizer: bias,
      axis: -1,
      momentum: 0.99,
      epsilon: 0.001,
      center: true,
      scale: true,
      ema_freeze_delay: null,
      folding_mode: 'ema_stats_folding',
      ...opts.extra,
    },
    weights,
  };
}

/** A QActivation layer. */
export function qact(name: string, activation: unknown): BuiltLayer {
  return { cls: 'QActivation', name, config: { name, activation } };
}

/** A plain Keras layer. */
export function plain(cls: string, name: string, config: Json = {}, weights?: BuiltLayer['weights']): BuiltLayer {
  return { cls, name, config: { name, ...config }, ...(weights ? { weights } : {}) };
}

/** A BatchNormalization (or QBatchNormalization) layer over C channels. */
export function bn(name: string, C: number, r: () => number, cls = 'BatchNormalization', extra: Json = {}): BuiltLayer {
  const pos = (n: number) => Float32Array.from({ length: n }, () => 0.5 + r());
  return {
    cls,
    name,
    config: { name, axis: -1, epsilon: 0.001, center: true, scale: true, ...extra },
    weights: [
      { name: 'gamma', shape: [C], data: pos(C) },
      { name: 'beta', shape: [C], data: randomWeights(r, [C], 0.5) },
      { name: 'moving_mean', shape: [C], data: randomWeights(r, [C], 0.5) },
      { name: 'moving_variance', shape: [C], data: pos(C) },
    ],
  };
}

/** The Keras 2 Sequential topology (explicit InputLayer) of the layers. */
export function topology(name: string, inputShape: number[], layers: BuiltLayer[], kerasVersion = '2.4.0'): Json {
  return {
    class_name: 'Sequential',
    config: {
      name,
      layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, ...inputShape], dtype: 'float32', name: `${name}_input` } }, ...layers.map((l) => ({ class_name: l.cls, config: l.config }))],
    },
    keras_version: kerasVersion,
    backend: 'tensorflow',
  };
}

/**
 * The ModelGraph of a built QKeras model (the same path as the file importers, without files).
 *
 * @example const m = qkerasGraph('m', [8], [qdense('fc1', 8, 4, qbits(6, 0), qbits(6, 0), r)]);
 */
export function qkerasGraph(name: string, inputShape: number[], layers: BuiltLayer[], source = 'keras2'): ModelGraph {
  const parsed = parseKerasTopology(topology(name, inputShape, layers), name);
  const byName = new Map(layers.map((l) => [l.name, l]));
  return assembleModelGraph(
    parsed,
    source,
    (l) => (byName.get(l.name)?.weights ?? []).map((w) => ({ name: `${l.name}/${w.name}:0`, shape: w.shape, data: w.data })),
    (l) => `built:${l.name}`,
    name,
  );
}

/** Writes `<dir>/<name>.json` + `<name>_weights.h5` (Keras 2 save_weights layout); returns the JSON path. */
export async function writeQKeras(dir: string, name: string, inputShape: number[], layers: BuiltLayer[]): Promise<string> {
  const json = join(dir, `${name}.json`);
  writeFileSync(json, JSON.stringify(topology(name, inputShape, layers)));
  await writeKerasH5(
    join(dir, `${name}_weights.h5`),
    [{ layer: `${name}_input`, weights: [] }, ...layers.map((l) => ({ layer: l.name, weights: (l.weights ?? []).map((w) => ({ name: `${l.name}/${w.name}:0`, shape: w.shape, data: w.data })) }))],
  );
  return json;
}

/**
 * A QSimpleRNN / QLSTM / QGRU layer over [T, nIn] (kernel [nIn, m·units], recurrent kernel
 * [units, m·units], bias [m·units], GRU [2, 3·units]); quantizers by QKeras key (`kernel`,
 * `recurrent`, `bias`, `state`), activations as QKeras serialises them.
 */
export function qrnn(
  cls: 'QSimpleRNN' | 'QLSTM' | 'QGRU',
  name: string,
  nIn: number,
  units: number,
  quantizers: { kernel?: Json | null; recurrent?: Json | null; bias?: Json | null; state?: Json | null },
  r: () => number,
  opts: { activation?: unknown; recurrentActivation?: unknown; returnSequences?: boolean; amp?: number } = {},
): BuiltLayer {
  const m = cls === 'QLSTM' ? 4 : cls === 'QGRU' ? 3 : 1;
  const amp = opts.amp ?? 0.6;
  const config: Json = {
    name,
    units,
    activation: opts.activation ?? 'tanh',
    use_bias: true,
    return_sequences: opts.returnSequences ?? false,
    return_state: false,
    go_backwards: false,
    stateful: false,
    unroll: false,
    kernel_quantizer: quantizers.kernel ?? null,
    recurrent_quantizer: quantizers.recurrent ?? null,
    bias_quantizer: quantizers.bias ?? null,
    state_quantizer: quantizers.state ?? null,
  };
  if (cls !== 'QSimpleRNN') config.recurrent_activation = opts.recurrentActivation ?? 'sigmoid';
  if (cls === 'QGRU') config.reset_after = true;
  const biasShape = cls === 'QGRU' ? [2, m * units] : [m * units];
  return {
    cls,
    name,
    config,
    weights: [
      { name: 'kernel', shape: [nIn, m * units], data: randomWeights(r, [nIn, m * units], amp) },
      { name: 'recurrent_kernel', shape: [units, m * units], data: randomWeights(r, [units, m * units], amp) },
      { name: 'bias', shape: biasShape, data: randomWeights(r, biasShape, amp / 2) },
    ],
  };
}
