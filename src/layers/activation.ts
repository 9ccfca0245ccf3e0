/**
 * Element-wise activations: Keras `Activation`, `ReLU`, `LeakyReLU`, `ThresholdedReLU`, `ELU`,
 * `PReLU` and the `activation` of Dense/Conv layers; hls4ml's `Activation`,
 * `ParametrizedActivation`, `HardActivation`, `PReLU` and `TernaryTanh` classes; the kernels of
 * `nnet_activation.h` (linear, relu, leaky_relu, sigmoid, tanh, elu, selu, softplus, softsign,
 * hard_sigmoid, hard_tanh, thresholded_relu, relu6, binary_tanh, ternary_tanh, prelu). Also the one
 * rule of which activations hls4ml's parsers split into their own layers ({@link splitActivation})
 * and the one float evaluator of activations ({@link floatActivation}).
 *
 * hls4ml sources: converters/keras/core.py (parse_activation_layer: Keras 2 class → hls4ml class,
 * activ_param; a ReLU layer becomes a plain relu), converters/keras_v3/core.py (ActivationHandler,
 * ReLUHandler: ReLU → ThresholdedReLU / LeakyReLU, EluHandler), converters/keras_v2_to_hls.py
 * (activation split: `<layer>_<activation>`, always, even 'linear'), converters/keras_v3/_base.py
 * (split only non-linear activations), converters/onnx/core.py (Elu / ThresholdedRelu alpha default
 * 0.01), model/layers.py (Activation, ParametrizedActivation: param_t, HardActivation: slope_t /
 * shift_t from slope_prec / shift_prec, PReLU: weight `param`, TernaryTanh),
 * model/optimizer/passes/infer_precision.py (_infer_par_act_precision, _get_precision_from_constant,
 * _infer_prelu_act_precision), backends/fpga/fpga_backend.py (table_t, table_size),
 * backends/vivado/passes/core_templates.py (activ_config, param_activ_config, hard_activ_config;
 * templates match the exact class, so TernaryTanh has none), model/optimizer/passes/linear.py,
 * nnet_utils/nnet_activation*.h.
 */
import { ConfigError, FormatError, ShapeError, UnsupportedError } from '../errors.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { HlsNode } from '../graph/hls-graph.js';
import type { ModelLayer } from '../graph/model.js';
import { sameShape } from '../import/keras-config.js';
import {
  binaryTanh,
  elu,
  eluAlpha,
  eluTable,
  hardActivationParams,
  hardSigmoid,
  hardTanh,
  leakyRelu,
  leakyReluAlphaRaw,
  linear,
  prelu,
  relu,
  relu1,
  relu6,
  selu,
  seluTable,
  sigmoid,
  sigmoidTable,
  softplus,
  softplusTable,
  softsign,
  softsignTable,
  tanh,
  tanhTable,
  ternaryTanh,
  thresholdedRelu,
  thresholdedReluTheta,
  type ActivationConfig,
  type KernelStats,
  type RawInput,
  type RawOutput,
} from '../kernels/index.js';
import { prepareFastActivation } from '../kernels/fast/elementwise.js';
import { fixedType, frac, parseFixedType, type FixedType } from '../fixed/types.js';
import { activationTableIndex, truncScaledIndex } from '../kernels/activations.js';
import { noteLutInput } from '../kernels/common.js';
import { Struct, tArg, warnInputType, type WeightArray } from '../emit/layers.js';
import { ACTIVATION_HEADER } from '../emit/cpp/elementwise.js';
import { ACTIVATION_EXT_HEADER } from '../emit/cpp/activation-ext.js';
import { checkInputLengths, checkLayout, checkTable, int, need, obj, rawList, runAll, sameRaw, types as caseTypes, x1, type Case } from '../conformance/kernel-case.js';
import { LayerCheck, lowered, rawWeights, reuseFactorOf, typed } from './common.js';
import type { ActivationSplit, BuildContext, FirmwareClassSpec, HlsClassSpec, HlsDraft, LayerModule, ModelClassSpec } from './spec.js';

/** The activations the Activation firmware class computes (`nnet::<name>`). */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'leaky_relu',
  'sigmoid',
  'tanh',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'hard_sigmoid',
  'hard_tanh',
  'thresholded_relu',
  'relu6',
  'relu1',
  'binary_tanh',
  'ternary_tanh',
] as const;
/** One of {@link ACTIVATIONS}. */
export type ActivationName = (typeof ACTIVATIONS)[number];

/** The activations with a parameter in `param_t` (hls4ml's ParametrizedActivation). */
const PARAM_ACTS: readonly ActivationName[] = ['leaky_relu', 'elu', 'thresholded_relu'];
/** The lookup-table activations (table_t, table_size). */
const TABLE_ACTS: readonly ActivationName[] = ['sigmoid', 'tanh', 'elu', 'selu', 'softplus', 'softsign'];
/** The activations with a static slope / shift (hls4ml's HardActivation). */
const HARD_ACTS: readonly ActivationName[] = ['hard_sigmoid', 'hard_tanh'];

/** `activ_config` / `param_activ_config` / `hard_activ_config` fields of a firmware activation. */
export interface ActivationFirmwareConfig {
  activation: ActivationName;
  n_in: number;
  table_size: number;
  reuse_factor: number;
  /** leaky_relu, elu: the float literal hls4ml writes into the call, and/or its raw value in param_t. */
  alpha_literal?: number;
  alpha_raw?: number;
  /** thresholded_relu: theta (literal and/or raw in param_t). */
  theta_literal?: number;
  theta_raw?: number;
  /** hard_sigmoid / hard_tanh: the static slope and shift (literals and/or raws in slope_t / shift_t). */
  slope_literal?: number;
  slope_raw?: number;
  shift_literal?: number;
  shift_raw?: number;
  /**
   * binary_tanh: the result type is hls4ml's Xnor type `ap_uint<1>`, which the kernel special-cases
   * (−1 → 0). Default: true for an unsigned 1-bit integer result type.
   */
  xnor_result?: boolean;
}

/** A firmware activation layer (`types.table` for the LUT ones, `types.param` for the parametrised ones, `slope`/`shift` for the hard ones). */
export interface ActivationLayer extends FirmwareLayerBase<'Activation', ActivationFirmwareConfig, 'table' | 'param' | 'slope' | 'shift', never> {}

/** `param_activ_config` fields of a firmware PReLU (one alpha per element in `weights.alpha`). */
export interface PReLUFirmwareConfig {
  n_in: number;
  reuse_factor: number;
}

/** A firmware PReLU layer. */
export interface PReLULayer extends FirmwareLayerBase<'PReLU', PReLUFirmwareConfig, 'param', 'alpha'> {}

const DEFAULT_TABLE = 'fixed<18,8>';
/** HardActivation's default slope_t / shift_t (model/layers.py HardActivation.initialize). */
const SLOPE_T = 'ufixed<16,0>';
const SHIFT_T = 'ufixed<2,0>';

// ---------------------------------------------------------------------------------------------
// The activation-split rule and the hls4ml class of an activation
// ---------------------------------------------------------------------------------------------

/**
 * The layer hls4ml's parser makes of a layer's Keras `activation`, or undefined when it makes none:
 * the Keras 2 front end splits every activation of a Dense/Conv (even 'linear', later removed by
 * the linear-activation passes), the Keras 3 front end only non-linear ones. The split layer is
 * named `<layer>_<activation>`.
 *
 * @example splitActivation(dense, 'keras2'); // { name: 'dense1_linear', activation: 'linear' }
 */
export function splitActivation(l: ModelLayer, source: string, splits: boolean): { name: string; activation: string } | undefined {
  const act = l.attrs.activation;
  if (!splits || !act) return undefined;
  if (source === 'keras3' && act === 'linear') return undefined;
  return { name: `${l.name}_${act}`, activation: act };
}

/**
 * The layer hls4ml's parser splits off a model layer's activation, if any: the module's own rule
 * (`activationSplit`, QKeras layers) or the plain rule of {@link splitActivation}.
 *
 * @example splitLayer(dense, 'keras2', modelClass('Dense', 'x'))?.name; // 'dense1_linear'
 */
export function splitLayer(l: ModelLayer, source: string, spec: ModelClassSpec, ctx?: Pick<BuildContext, 'source' | 'warn'>): ActivationSplit | undefined {
  if (spec.activationSplit) return spec.activationSplit(l, source);
  const s = splitActivation(l, source, !!spec.splitsActivation);
  if (!s) return undefined;
  return { name: s.name, draft: activationDraft(s.name, s.activation, ctx), hlsClass: activationClass(s.activation), typeKey: activationTypeKey(s.activation) };
}

/**
 * The hls4ml class an activation name becomes (Keras 2 parse_activation_layer, Keras 3
 * ActivationHandler): softmax → Softmax, leaky_relu / elu → ParametrizedActivation, hard_sigmoid →
 * HardActivation, ternary_tanh → TernaryTanh, everything else Activation.
 */
export function activationClass(act: string): string {
  const a = act.toLowerCase();
  if (a === 'softmax') return 'Softmax';
  if (a === 'leaky_relu' || a === 'elu') return 'ParametrizedActivation';
  if (a === 'hard_sigmoid') return 'HardActivation';
  if (a === 'ternary_tanh') return 'TernaryTanh';
  return 'Activation';
}

/** The parser class `config_from_keras_model` keys a split / `Activation(act)` layer by under LayerType. */
export function activationTypeKey(act: string): string {
  const a = act.toLowerCase();
  return { softmax: 'Softmax', leaky_relu: 'LeakyReLU', elu: 'ELU', hard_sigmoid: 'HardActivation', ternary_tanh: 'TernaryTanh' }[a] ?? 'Activation';
}

/** hls4ml's HardActivation node: `clip(slope·x + shift, 0, 1)` (hard_tanh: `2·that − 1`) with slope and shift in their own types. */
export function hardActivationDraft(act: 'hard_sigmoid' | 'hard_tanh', slope = 0.2, shift = 0.5, slopeT: string | FixedType = SLOPE_T, shiftT: string | FixedType = SHIFT_T): HlsDraft {
  const t = (v: string | FixedType) => (typeof v === 'string' ? parseFixedType(v) : v);
  return { cls: 'HardActivation', attrs: { activation: act, slope, shift }, types: { slope: t(slopeT), shift: t(shiftT) } };
}

/**
 * The working-graph node of an activation (split from a layer, an `Activation` layer, or an
 * activation a quantizer maps to): hls4ml's class and attributes.
 *
 * @throws {UnsupportedError} for activations hls4ml's firmware cannot compute.
 */
export function activationDraft(where: string, act: string, ctx?: Pick<BuildContext, 'source' | 'warn'>, param?: number): HlsDraft {
  const a = act.toLowerCase();
  const k3 = ctx?.source === 'keras3';
  switch (a) {
    case 'softmax':
      return { cls: 'Softmax', attrs: { activation: 'softmax', axis: -1 } };
    case 'leaky_relu':
      // Activation('leaky_relu') / activation='leaky_relu': the function's default 0.2 (not the layer's 0.3)
      return { cls: 'ParametrizedActivation', attrs: { activation: 'leaky_relu', param: param ?? 0.2 } };
    case 'elu':
      return { cls: 'ParametrizedActivation', attrs: { activation: 'elu', param: param ?? 1.0 } };
    case 'hard_sigmoid':
      if (k3) ctx?.warn(`${where}: Keras 3's hard_sigmoid is x/6 + 0.5, but hls4ml's Keras 3 front end uses the Keras 2 slope 0.2 (emulated as hls4ml does)`);
      return hardActivationDraft('hard_sigmoid');
    case 'hard_tanh':
      throw new UnsupportedError(`${where}.activation`, "activation 'hard_tanh' becomes an hls4ml Activation without slope/shift, whose C++ does not compile (hls4ml computes hard_tanh only for QKeras quantized_tanh)");
    case 'ternary_tanh':
      return { cls: 'TernaryTanh', attrs: { activation: 'ternary_tanh', threshold: param ?? 0.5 } };
    case 'thresholded_relu':
      return { cls: 'ParametrizedActivation', attrs: { activation: 'thresholded_relu', param: param ?? 1.0 } };
    case 'linear':
    case 'relu':
    case 'sigmoid':
    case 'tanh':
    case 'selu':
    case 'softplus':
    case 'softsign':
    case 'relu6':
    case 'binary_tanh':
      return { cls: 'Activation', attrs: { activation: a } };
    default:
      throw new UnsupportedError(`${where}.activation`, `activation '${act}' is not supported (supported: ${[...ACTIVATIONS.filter((x) => x !== 'relu1' && x !== 'hard_tanh'), 'softmax'].join(', ')})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Float semantics (the one float evaluator of activations)
// ---------------------------------------------------------------------------------------------

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

function map(x: Float64Array, f: (v: number) => number): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]!);
  return y;
}

/**
 * Softmax over one axis of a row-major tensor: `outer` groups of `n` values `inner` apart
 * (last axis: inner = 1), max-subtracted.
 */
export function floatSoftmax(x: Float64Array, n: number, inner = 1): Float64Array {
  const y = new Float64Array(x.length);
  const block = n * inner;
  for (let o = 0; o < x.length; o += block) {
    for (let k = 0; k < inner; k++) {
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, x[o + i * inner + k]!);
      let s = 0;
      for (let i = 0; i < n; i++) {
        const e = Math.exp(x[o + i * inner + k]! - m);
        y[o + i * inner + k] = e;
        s += e;
      }
      for (let i = 0; i < n; i++) y[o + i * inner + k]! /= s;
    }
  }
  return y;
}

/**
 * A Keras activation in float64 (`keras3` selects Keras 3's hard_sigmoid); `channels` is the last
 * axis (softmax); `param` is the parameter of leaky_relu (negative slope, default 0.2), elu (alpha,
 * default 1), thresholded_relu (theta, default 1) and ternary_tanh (threshold, default 0.5).
 *
 * @example floatActivation('relu', 'd1', false)(x, 4);
 */
export function floatActivation(name: string, where: string, keras3: boolean, param?: number): (x: Float64Array, channels: number) => Float64Array {
  switch (name) {
    case 'linear':
      return (x) => x;
    case 'relu':
      return (x) => map(x, (v) => (v > 0 ? v : 0));
    case 'relu6':
      return (x) => map(x, (v) => Math.min(Math.max(v, 0), 6));
    case 'sigmoid':
      return (x) => map(x, (v) => 1 / (1 + Math.exp(-v)));
    case 'tanh':
      return (x) => map(x, Math.tanh);
    case 'softmax':
      return (x, c) => floatSoftmax(x, c);
    case 'hard_sigmoid':
      return keras3 ? (x) => map(x, (v) => Math.min(1, Math.max(0, v / 6 + 0.5))) : (x) => map(x, (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)));
    case 'hard_tanh':
      return (x) => map(x, (v) => Math.min(1, Math.max(-1, v)));
    case 'softplus':
      return (x) => map(x, (v) => (v > 30 ? v : Math.log1p(Math.exp(v))));
    case 'softsign':
      return (x) => map(x, (v) => v / (1 + Math.abs(v)));
    case 'elu': {
      const a = param ?? 1;
      return (x) => map(x, (v) => (v > 0 ? v : a * Math.expm1(v)));
    }
    case 'selu':
      return (x) => map(x, (v) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)));
    case 'leaky_relu': {
      const a = param ?? 0.2;
      return (x) => map(x, (v) => (v >= 0 ? v : a * v));
    }
    case 'thresholded_relu': {
      const t = param ?? 1;
      return (x) => map(x, (v) => (v > t ? v : 0));
    }
    case 'binary_tanh':
      return (x) => map(x, (v) => (v >= 0 ? 1 : -1));
    case 'ternary_tanh': {
      const t = param ?? 0.5;
      return (x) => map(x, (v) => (v > t ? 1 : v <= -t ? -1 : 0));
    }
    default:
      throw new UnsupportedError(`${where}.activation`, `activation '${name}' is not supported by the float reference`);
  }
}

// ---------------------------------------------------------------------------------------------
// Model classes
// ---------------------------------------------------------------------------------------------

const isK3 = (source: string | undefined): boolean => source === 'keras3';

const activationModel: ModelClassSpec = {
  keras: { arity: 'one', attrs: (r) => ({ activation: r.activation() }), outputShape: sameShape },
  hlsClass: (l) => activationClass(l.attrs.activation ?? 'linear'),
  typeKey: (l) => activationTypeKey(l.attrs.activation ?? 'linear'),
  build: (l, ctx) => activationDraft(l.name, l.attrs.activation ?? 'linear', ctx),
  float: (l, [x], ctx) => floatActivation(l.attrs.activation ?? 'linear', ctx.where, ctx.keras3)(x!, l.outputShape[l.outputShape.length - 1]!),
};

/** The hls4ml node of a Keras ReLU layer (Keras 2: always a plain relu; Keras 3: ReLUHandler). */
function reluDraft(l: ModelLayer, ctx: Pick<BuildContext, 'where' | 'source' | 'warn'>): HlsDraft {
  const maxV = l.attrs.maxValue ?? null;
  const slope = l.attrs.negativeSlope ?? 0;
  const th = l.attrs.threshold ?? 0;
  if (!isK3(ctx.source)) {
    if ((maxV !== null && maxV !== Infinity) || slope !== 0 || th !== 0) {
      ctx.warn(
        `${l.name}: hls4ml's Keras 2 front end turns every ReLU layer into a plain relu, ignoring max_value=${String(maxV)}, negative_slope=${slope}, threshold=${th} (emulated as hls4ml does; the firmware differs from Keras)`,
      );
    }
    return { cls: 'Activation', attrs: { activation: 'relu' } };
  }
  if (maxV !== null && maxV !== Infinity) throw new UnsupportedError(`${ctx.where}.config.max_value`, 'hls4ml supports a Keras 3 ReLU with max_value=None or inf only');
  if (th !== 0 && slope !== 0) throw new UnsupportedError(ctx.where, `hls4ml needs a Keras 3 ReLU with threshold=0 or negative_slope=0 (got ${th} and ${slope})`);
  if (slope !== 0) return { cls: 'ParametrizedActivation', attrs: { activation: 'leakyrelu', param: slope } };
  return { cls: 'ParametrizedActivation', attrs: { activation: 'thresholdedrelu', param: th } };
}

const reluModel: ModelClassSpec = {
  keras: {
    arity: 'one',
    attrs(r) {
      const maxValue = r.has('max_value') ? r.num('max_value') : null;
      return { maxValue, negativeSlope: r.num('negative_slope', 0), threshold: r.num('threshold', 0) };
    },
    outputShape: sameShape,
  },
  hlsClass: (l, source) => (isK3(source) ? 'ParametrizedActivation' : 'Activation'),
  typeKey: (l, source) => (isK3(source) ? ((l.attrs.negativeSlope ?? 0) !== 0 ? 'LeakyReLU' : 'ThresholdedReLU') : 'Activation'),
  build: reluDraft,
  float(l, [x]) {
    const maxV = l.attrs.maxValue ?? null;
    const slope = l.attrs.negativeSlope ?? 0;
    const th = l.attrs.threshold ?? 0;
    return map(x!, (v) => {
      if (maxV !== null && v >= maxV) return maxV;
      if (v >= th) return v;
      return slope * (v - th);
    });
  },
};

const leakyModel: ModelClassSpec = {
  keras: { arity: 'one', attrs: (r) => ({ alpha: r.has('alpha') ? r.num('alpha') : r.num('negative_slope', 0.3) }), outputShape: sameShape },
  hlsClass: () => 'ParametrizedActivation',
  typeKey: (l, source) => (isK3(source) && (l.attrs.alpha ?? 0.3) === 0 ? 'ThresholdedReLU' : 'LeakyReLU'),
  build(l, ctx) {
    const a = l.attrs.alpha ?? 0.3;
    // Keras 3's ReLUHandler: a LeakyReLU with negative_slope 0 becomes ThresholdedReLU(0).
    if (isK3(ctx.source)) return { cls: 'ParametrizedActivation', attrs: { activation: a === 0 ? 'thresholdedrelu' : 'leakyrelu', param: a } };
    return { cls: 'ParametrizedActivation', attrs: { activation: 'LeakyReLU', param: a } };
  },
  float: (l, [x], ctx) => floatActivation('leaky_relu', ctx.where, ctx.keras3, l.attrs.alpha ?? 0.3)(x!, 1),
};

/**
 * ThresholdedReLU (Keras 2 / tfjs `theta`; ONNX ThresholdedRelu `alpha`). `hlsTheta` is the value
 * hls4ml uses when it differs from the model's (ONNX: 0.01 when the attribute is absent).
 */
const thresholdedModel: ModelClassSpec = {
  keras: { arity: 'one', attrs: (r) => ({ theta: r.num('theta', 1.0) }), outputShape: sameShape },
  hlsClass: () => 'ParametrizedActivation',
  typeKey: () => 'ThresholdedReLU',
  build(l, ctx) {
    const theta = paramFor(l, 'theta', 1.0, ctx);
    return { cls: 'ParametrizedActivation', attrs: { activation: 'ThresholdedReLU', param: theta } };
  },
  float: (l, [x], ctx) => floatActivation('thresholded_relu', ctx.where, ctx.keras3, (l.attrs.theta as number | undefined) ?? 1)(x!, 1),
};

/** The parameter hls4ml uses: the model's, unless the importer recorded a different one hls4ml takes (`hls<Name>`; warned). */
function paramFor(l: ModelLayer, key: string, dflt: number, ctx: Pick<BuildContext, 'warn'>): number {
  const v = (l.attrs[key] as number | undefined) ?? dflt;
  const hlsKey = `hls${key.charAt(0).toUpperCase()}${key.slice(1)}`;
  const h = l.attrs[hlsKey] as number | undefined;
  if (h !== undefined && h !== v) {
    ctx.warn(`${l.name}: hls4ml uses ${key} = ${h} (its ONNX front end's default when the attribute is absent), the model ${v} (emulated as hls4ml does)`);
    return h;
  }
  return v;
}

const eluModel: ModelClassSpec = {
  keras: { arity: 'one', attrs: (r) => ({ alpha: r.num('alpha', 1.0) }), outputShape: sameShape },
  hlsClass: () => 'ParametrizedActivation',
  typeKey: () => 'ELU',
  build: (l, ctx) => ({ cls: 'ParametrizedActivation', attrs: { activation: 'ELU', param: paramFor(l, 'alpha', 1.0, ctx) } }),
  float: (l, [x], ctx) => floatActivation('elu', ctx.where, ctx.keras3, l.attrs.alpha ?? 1)(x!, 1),
};

/** The Keras PReLU alpha shape: the input shape with the shared axes (Keras axes, batch = 0) set to 1. */
function preluAlphaShape(inShape: readonly number[], shared: readonly number[] | null | undefined): number[] {
  const s = [...inShape];
  for (const a of shared ?? []) s[a - 1] = 1;
  return s;
}

const preluModel: ModelClassSpec = {
  keras: {
    arity: 'one',
    attrs(r) {
      const v = r.config['shared_axes'];
      if (v === undefined || v === null) return { sharedAxes: null };
      const axes = typeof v === 'number' ? [v] : v;
      if (!Array.isArray(axes) || !axes.every((a) => typeof a === 'number' && Number.isInteger(a) && a >= 1)) {
        throw new ShapeError(r.field('shared_axes'), `expected a list of axes ≥ 1, got ${JSON.stringify(v)}`);
      }
      return { sharedAxes: axes as number[] };
    },
    outputShape([x = []], a, r) {
      for (const ax of (a.sharedAxes as number[] | null) ?? []) if (ax > x.length) throw new ShapeError(r.field('shared_axes'), `axis ${ax} is out of range for an input of rank ${x.length} (plus batch)`);
      return [...x];
    },
    weights: (a, [x = []]) => [{ name: 'alpha', shape: preluAlphaShape(x, a.sharedAxes as number[] | null) }],
  },
  hlsClass: () => 'PReLU',
  typeKey: () => 'PReLU',
  build(l, ctx) {
    const shared = l.attrs.sharedAxes as number[] | null | undefined;
    if (shared && shared.length) {
      if (isK3(ctx.source)) {
        throw new UnsupportedError(
          `${ctx.where}.config.shared_axes`,
          "hls4ml's Keras 3 front end keeps the short alpha array of a PReLU with shared_axes while its kernel reads one alpha per element (out of bounds)",
        );
      }
      throw new UnsupportedError(`${ctx.where}.config.shared_axes`, 'PReLU with shared_axes other than None is not supported in hls4ml');
    }
    const alpha = l.weights.alpha;
    if (!alpha) throw new ConfigError(`${ctx.where}.alpha`, 'missing PReLU alpha');
    return { cls: 'PReLU', attrs: { activation: 'prelu' }, weights: { param: { data: alpha.data, shape: alpha.shape } } };
  },
  float(l, [x], ctx) {
    const inS = l.inputShapes[0]!;
    const aS = preluAlphaShape(inS, l.attrs.sharedAxes as number[] | null);
    const alpha = l.weights.alpha!.data;
    const per = inS.reduce((p, d) => p * d, 1);
    // index of the alpha an input element (row-major, per sample) uses
    const idx = new Int32Array(per);
    const strides = aS.map((_, d) => aS.slice(d + 1).reduce((p, q) => p * q, 1));
    for (let i = 0; i < per; i++) {
      let rest = i;
      let k = 0;
      for (let d = inS.length - 1; d >= 0; d--) {
        const c = rest % inS[d]!;
        rest = Math.floor(rest / inS[d]!);
        if (aS[d] !== 1) k += c * strides[d]!;
      }
      idx[i] = k;
    }
    const y = new Float64Array(ctx.n * per);
    for (let i = 0; i < y.length; i++) {
      const v = x![i]!;
      y[i] = v >= 0 ? v : alpha[idx[i % per]!]! * v;
    }
    return y;
  },
};

// ---------------------------------------------------------------------------------------------
// hls4ml classes
// ---------------------------------------------------------------------------------------------

const ACTIVATION_SETTINGS = [
  { name: 'reuse_factor', default: 1, backend: true },
  { name: 'table_size', default: 1024, backend: true },
] as const;

/**
 * hls4ml's `_get_precision_from_constant` (minimal_kif, max_width 8): 0 → `ap_ufixed<1,1>`;
 * otherwise f = the smallest f in (−32, 32] with v·2^f integral (32 if none),
 * i = ⌈log2(max(v + 2^−f, −v))⌉, k = (v < 0): `fixed<min(k+i+f, k+8), k+i>`, signed iff k.
 *
 * @example precisionFromConstant(0.3); // ap_ufixed<8,-1>
 */
export function precisionFromConstant(v: number): FixedType {
  if (v === 0) return fixedType(false, 1, 1);
  let lo = -32;
  let hi = 32;
  while (lo < hi - 1) {
    const mid = Math.floor((lo + hi) / 2);
    const scaled = v * 2 ** mid;
    if (!(Number.isInteger(scaled) && Math.abs(scaled) < 2 ** 63)) lo = mid;
    else hi = mid;
  }
  const f = hi;
  const k = v < 0 ? 1 : 0;
  const i = Math.ceil(Math.log2(Math.max(v + 2 ** -f, -v)));
  return fixedType(k === 1, Math.min(k + i + f, k + 8), k + i);
}

/** The nnet function of a ParametrizedActivation's `activation` attribute (`_get_act_function_name`). */
function paramFunction(act: string): ActivationName {
  const a = act.toLowerCase();
  if (a === 'leakyrelu' || a === 'leaky_relu') return 'leaky_relu';
  if (a === 'thresholdedrelu' || a === 'thresholded_relu') return 'thresholded_relu';
  if (a === 'elu') return 'elu';
  throw new UnsupportedError('activation', `no ParametrizedActivation kernel for '${act}'`);
}

function baseConfig(n: HlsNode, act: ActivationName): ActivationFirmwareConfig {
  return { activation: act, n_in: n.shapeIn[0]!.reduce((p, d) => p * d, 1), table_size: Number(n.settings.table_size ?? 1024), reuse_factor: reuseFactorOf(n) };
}

function resultType(n: HlsNode): FixedType {
  return typed(n, 'result');
}

const activationHls: HlsClassSpec = {
  types: [{ name: 'result' }, { name: 'table', default: DEFAULT_TABLE, backend: true }],
  settings: ACTIVATION_SETTINGS,
  // hls4ml's merge_linear_activation and bn_quant passes count Activation and its subclasses.
  linearMergeParent: true,
  activationLike: true,
  lower(n, ctx): ActivationLayer {
    const raw = String(n.attrs.activation).toLowerCase();
    const act = raw as ActivationName;
    if (!(ACTIVATIONS as readonly string[]).includes(act) || PARAM_ACTS.includes(act) || HARD_ACTS.includes(act) || act === 'ternary_tanh') {
      throw new UnsupportedError(`${n.name}.activation`, `hls4ml's Activation class has no kernel for '${raw}'`);
    }
    if ((act === 'relu6' || act === 'relu1') && ctx.io === 'io_stream') throw new UnsupportedError(`${n.name}.activation`, `hls4ml has no io_stream ${act} kernel (nnet_activation_stream.h)`);
    const types = { input: ctx.inputTypes[0]!, result: resultType(n), table: typed(n, 'table') } as ActivationLayer['types'];
    const config = baseConfig(n, act);
    if (act === 'binary_tanh' && n.attrs.xnor !== undefined) config.xnor_result = n.attrs.xnor === true;
    return { ...lowered(n, ctx, 'Activation', config), types, weights: {} };
  },
};

const parametrizedHls: HlsClassSpec = {
  types: [{ name: 'result' }, { name: 'param' }, { name: 'table', default: DEFAULT_TABLE, backend: true }],
  settings: ACTIVATION_SETTINGS,
  // hls4ml's merge_linear_activation and bn_quant passes count Activation and its subclasses.
  linearMergeParent: true,
  activationLike: true,
  infer(n, [x]) {
    if (n.types.param !== 'auto') return;
    n.types.param = String(n.attrs.activation).toLowerCase() === 'thresholdedrelu' ? x! : precisionFromConstant(Number(n.attrs.param));
  },
  lower(n, ctx): ActivationLayer {
    const act = paramFunction(String(n.attrs.activation));
    const types = { input: ctx.inputTypes[0]!, result: resultType(n), table: typed(n, 'table'), param: typed(n, 'param') } as ActivationLayer['types'];
    const config = baseConfig(n, act);
    const p = Number(n.attrs.param);
    if (act === 'thresholded_relu') config.theta_literal = p;
    else config.alpha_literal = p;
    return { ...lowered(n, ctx, 'Activation', config), types, weights: {} };
  },
};

const hardHls: HlsClassSpec = {
  types: [{ name: 'result' }, { name: 'slope' }, { name: 'shift' }, { name: 'table', default: DEFAULT_TABLE, backend: true }],
  settings: ACTIVATION_SETTINGS,
  // hls4ml's merge_linear_activation and bn_quant passes count Activation and its subclasses.
  linearMergeParent: true,
  activationLike: true,
  lower(n, ctx): ActivationLayer {
    const act = String(n.attrs.activation).toLowerCase() as ActivationName;
    if (!HARD_ACTS.includes(act)) throw new UnsupportedError(`${n.name}.activation`, `HardActivation computes hard_sigmoid or hard_tanh, not '${act}'`);
    const types = { input: ctx.inputTypes[0]!, result: resultType(n), table: typed(n, 'table'), slope: typed(n, 'slope'), shift: typed(n, 'shift') } as ActivationLayer['types'];
    const config = { ...baseConfig(n, act), slope_literal: Number(n.attrs.slope ?? 0.2), shift_literal: Number(n.attrs.shift ?? 0.5) };
    return { ...lowered(n, ctx, 'Activation', config), types, weights: {} };
  },
};

const preluHls: HlsClassSpec = {
  types: [{ name: 'result' }, { name: 'param' }, { name: 'table', default: DEFAULT_TABLE, backend: true }],
  settings: ACTIVATION_SETTINGS,
  // hls4ml's merge_linear_activation and bn_quant passes count Activation and its subclasses.
  linearMergeParent: true,
  activationLike: true,
  infer(n, [x]) {
    if (n.types.param === 'auto' && String(n.attrs.activation).toLowerCase() === 'prelu') n.types.param = x!;
  },
  lower(n, ctx): PReLULayer {
    const param = typed(n, 'param');
    const nIn = n.shapeIn[0]!.reduce((p, d) => p * d, 1);
    const w = rawWeights(n, 'param', param);
    if (w.raw.length !== nIn) throw new ShapeError(`${n.name}.param`, `PReLU has ${w.raw.length} alphas for ${nIn} inputs`);
    return {
      ...lowered(n, ctx, 'PReLU', { n_in: nIn, reuse_factor: reuseFactorOf(n) }),
      types: { input: ctx.inputTypes[0]!, result: resultType(n), param },
      weights: { alpha: w.raw },
      text: { alpha: w.text },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Firmware classes
// ---------------------------------------------------------------------------------------------

type KernelCfg = ActivationConfig & Record<string, unknown>;

function kernelCfg(L: ActivationLayer): KernelCfg {
  const c = L.config;
  const k: KernelCfg = { n_in: c.n_in, table_size: c.table_size, io_type: c.io_type, name: L.name, types: L.types };
  if (c.alpha_raw !== undefined) k.alpha_raw = c.alpha_raw;
  else if (c.alpha_literal !== undefined) k.alpha = c.alpha_literal;
  if (c.theta_raw !== undefined) k.theta_raw = c.theta_raw;
  else if (c.theta_literal !== undefined) k.theta = c.theta_literal;
  if (c.slope_raw !== undefined) k.slope_raw = c.slope_raw;
  else if (c.slope_literal !== undefined) k.slope = c.slope_literal;
  if (c.shift_raw !== undefined) k.shift_raw = c.shift_raw;
  else if (c.shift_literal !== undefined) k.shift = c.shift_literal;
  if (c.xnor_result !== undefined) k.xnor_result = c.xnor_result;
  return k;
}

/** The raw parameters of a layer, validated (the literal must convert to the raw when both are given). */
function params(L: ActivationLayer, path: string): { alpha?: number | bigint; theta?: number | bigint; slope?: number | bigint; shift?: number | bigint } {
  const c = L.config;
  const k = kernelCfg(L);
  const both = (field: string, lit: number | undefined, raw: number | undefined, fromLit: () => number | bigint): void => {
    if (lit !== undefined && raw !== undefined && !sameRaw(fromLit(), raw)) throw new ConfigError(`${path}.config.${field}_raw`, `is ${raw} but ${field}_literal ${lit} converts to ${String(fromLit())}`);
  };
  switch (c.activation) {
    case 'leaky_relu':
      both('alpha', c.alpha_literal, c.alpha_raw, () => leakyReluAlphaRaw({ alpha: c.alpha_literal, types: { param: L.types.param } }));
      return { alpha: leakyReluAlphaRaw({ name: path, alpha: k.alpha as number | undefined, alpha_raw: k.alpha_raw as number | undefined, types: { param: L.types.param } }) };
    case 'elu':
      both('alpha', c.alpha_literal, c.alpha_raw, () => eluAlpha({ alpha: c.alpha_literal, types: { param: L.types.param } }).raw);
      return { alpha: eluAlpha({ name: path, alpha: k.alpha as number | undefined, alpha_raw: k.alpha_raw as number | undefined, types: { param: L.types.param } }).raw };
    case 'thresholded_relu':
      both('theta', c.theta_literal, c.theta_raw, () => thresholdedReluTheta({ theta: c.theta_literal, types: { param: L.types.param } }));
      return { theta: thresholdedReluTheta({ name: path, theta: k.theta as number | undefined, theta_raw: k.theta_raw as number | undefined, types: { param: L.types.param } }) };
    case 'hard_sigmoid':
    case 'hard_tanh': {
      const t = { slope: L.types.slope, shift: L.types.shift };
      both('slope', c.slope_literal, c.slope_raw, () => hardActivationParams({ slope: c.slope_literal, shift: 0, types: t }).slope);
      both('shift', c.shift_literal, c.shift_raw, () => hardActivationParams({ slope: 0, shift: c.shift_literal, types: t }).shift);
      return hardActivationParams({ name: path, ...(k as object), types: t });
    }
    default:
      return {};
  }
}

/** True for an unsigned 1-bit integer type (`ap_uint<1>`, hls4ml's Xnor type). */
function isUint1(t: FixedType): boolean {
  return !t.signed && t.W === 1 && t.I === 1 && t.Q === 'AP_TRN' && t.O === 'AP_WRAP' && t.N === 0;
}

function referenceRun(L: ActivationLayer): (x: RawInput, s?: KernelStats) => RawOutput {
  const cfg = kernelCfg(L) as never;
  const o = (s?: KernelStats) => (s ? { stats: s } : {});
  switch (L.config.activation) {
    case 'linear':
      return (x, s) => linear(cfg, x, o(s));
    case 'relu':
      return (x, s) => relu(cfg, x, o(s));
    case 'sigmoid':
      return (x, s) => sigmoid(cfg, x, o(s));
    case 'tanh':
      return (x, s) => tanh(cfg, x, o(s));
    case 'leaky_relu':
      return (x, s) => leakyRelu(cfg, x, o(s));
    case 'elu':
      return (x, s) => elu(cfg, x, o(s));
    case 'selu':
      return (x, s) => selu(cfg, x, o(s));
    case 'softplus':
      return (x, s) => softplus(cfg, x, o(s));
    case 'softsign':
      return (x, s) => softsign(cfg, x, o(s));
    case 'hard_sigmoid':
      return (x, s) => hardSigmoid(cfg, x, o(s));
    case 'hard_tanh':
      return (x, s) => hardTanh(cfg, x, o(s));
    case 'thresholded_relu':
      return (x, s) => thresholdedRelu(cfg, x, o(s));
    case 'relu6':
      return (x, s) => relu6(cfg, x, o(s));
    case 'relu1':
      return (x, s) => relu1(cfg, x, o(s));
    case 'binary_tanh':
      return (x, s) => binaryTanh(cfg, x, o(s));
    case 'ternary_tanh':
      return (x, s) => ternaryTanh(cfg, x, o(s));
  }
}

const CHECK_FIELDS = [
  'activation', 'n_in', 'table_size', 'alpha_literal', 'alpha_raw', 'alpha', 'theta_literal', 'theta_raw', 'theta', 'slope_literal', 'slope_raw', 'slope',
  'shift_literal', 'shift_raw', 'shift', 'xnor_result',
];

/** Firmware spellings of activation names (hls4ml's attribute values, lower-cased). */
function firmwareActivation(raw: string): string {
  const a = raw.toLowerCase();
  return { leakyrelu: 'leaky_relu', thresholdedrelu: 'thresholded_relu' }[a] ?? a;
}

const firmware: FirmwareClassSpec<ActivationLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, CHECK_FIELDS);
    const raw = String(c.cfg.activation ?? (L as unknown as { activation?: string }).activation ?? '');
    const act = firmwareActivation(raw) as ActivationName;
    if (!(ACTIVATIONS as readonly string[]).includes(act)) {
      throw new UnsupportedError(`${path}.config.activation`, `activation '${raw}' is not supported (${ACTIVATIONS.join(', ')}${raw === 'softmax' ? '; softmax layers have the class Softmax' : ''})`);
    }
    c.out(L.shapeIn);
    const config: ActivationFirmwareConfig = { activation: act, n_in: c.equal('n_in', c.size(L.shapeIn)), table_size: c.int('table_size', 1, 1024), reuse_factor: c.int('reuse_factor', 1, 1) };
    const types = { input: c.type('input'), result: c.type('result'), table: c.optType('table') ?? parseFixedType(DEFAULT_TABLE) } as ActivationLayer['types'];
    const num = (k: string, alias?: string): number | undefined => (c.cfg[k] !== undefined ? c.num(k) : alias !== undefined && c.cfg[alias] !== undefined ? c.num(alias) : undefined);
    const rawInt = (k: string): number | undefined => (c.cfg[k] !== undefined ? c.int(k, Number.MIN_SAFE_INTEGER) : undefined);
    if (act === 'leaky_relu' || act === 'elu') {
      // elu without a param type: the two-argument overload (alpha = ap_uint<1> 1)
      const tp = act === 'elu' ? c.optType('param') : c.type('param');
      if (tp) types.param = tp;
      const lit = num('alpha_literal', 'alpha');
      if (lit !== undefined) config.alpha_literal = lit;
      const r = rawInt('alpha_raw');
      if (r !== undefined) config.alpha_raw = r;
      if (act === 'leaky_relu' && lit === undefined && r === undefined) throw new ConfigError(`${path}.config.alpha_literal`, 'leaky_relu needs alpha_literal or alpha_raw');
    } else if (act === 'thresholded_relu') {
      types.param = c.type('param');
      const lit = num('theta_literal', 'theta');
      if (lit !== undefined) config.theta_literal = lit;
      const r = rawInt('theta_raw');
      if (r !== undefined) config.theta_raw = r;
    } else if (act === 'hard_sigmoid' || act === 'hard_tanh') {
      types.slope = c.optType('slope') ?? parseFixedType(SLOPE_T);
      types.shift = c.optType('shift') ?? parseFixedType(SHIFT_T);
      config.slope_literal = num('slope_literal', 'slope') ?? 0.2;
      config.shift_literal = num('shift_literal', 'shift') ?? 0.5;
      const sr = rawInt('slope_raw');
      if (sr !== undefined) config.slope_raw = sr;
      const hr = rawInt('shift_raw');
      if (hr !== undefined) config.shift_raw = hr;
    } else if (act === 'binary_tanh') {
      if (c.cfg.xnor_result !== undefined) config.xnor_result = c.bool('xnor_result', true);
      if (config.xnor_result && !isUint1(types.result)) throw new ConfigError(`${path}.config.xnor_result`, 'the ap_uint<1> special case needs an unsigned 1-bit integer result type');
    }
    if ((act === 'relu6' || act === 'relu1') && c.io === 'io_stream') throw new UnsupportedError(`${path}.config.activation`, `hls4ml has no io_stream ${act} kernel`);
    const out: ActivationLayer = { ...L, cls: 'Activation', config: { ...config, io_type: c.io }, types, weights: {} };
    params(out, path);
    return out;
  },
  reference(L) {
    const run = referenceRun(L);
    return (xs, s) => run(xs[0]!, s);
  },
  fast(L, fo) {
    const act = L.config.activation;
    if (act !== 'linear' && act !== 'relu' && act !== 'sigmoid' && act !== 'tanh') return { kernel: null, reason: `activation ${act}` };
    return prepareFastActivation(act, kernelCfg(L) as ActivationConfig, fo);
  },
  luts(L) {
    const act = L.config.activation;
    const N = L.config.table_size;
    const fx = frac(L.types.input);
    // The table entry an input reads, or −1 when it reads none: the ±R/2-range tables (sigmoid,
    // softplus, softsign: R = 16; tanh: R = 8) at every input; ELU / SELU a table over [−8, 0) at
    // int(−x·N/8), clamped to N − 1, at the negative inputs only.
    const R = { sigmoid: 16, softplus: 16, softsign: 16, tanh: 8 }[act as string];
    let step: number;
    let entry: (v: number | bigint) => number;
    if (R !== undefined) {
      step = R / N;
      entry = (v) => activationTableIndex(v, fx, N, R);
    } else if (act === 'elu' || act === 'selu') {
      step = 8 / N;
      entry = (v) => (v >= 0 ? -1 : Math.min(Math.max(truncScaledIndex(-v, fx, N, 8), 0), N - 1));
    } else return [];
    return [
      {
        table: 'table',
        size: N,
        step,
        observe([x], use) {
          for (let i = 0; i < x!.length; i++) {
            const v = x![i]!;
            const k = entry(v);
            if (k < 0) continue;
            use.hits[k] = 1;
            noteLutInput(use, Number(v) * 2 ** -fx);
          }
        },
      },
    ];
  },
  emit(L, { ctx, cname: c, ins }) {
    const inT = ins[0]!;
    const act = L.config.activation;
    warnInputType(ctx, L, 'input', inT);
    const s = new Struct(`config_${c}`, `${L.name}: ${act} over ${inT.size} values`).u('n_in', inT.size).u('reuse_factor', L.config.reuse_factor);
    const typedefs: Array<[string, FixedType]> = [];
    const arrays: WeightArray[] = [];
    const p = params(L, L.name);
    let extra = '';
    const scalar = (name: string, tdef: string, t: FixedType, raw: number | bigint, what: string): void => {
      typedefs.push([tdef, t]);
      arrays.push({ name, elemType: tdef, type: t, values: [raw] as never, scalar: true, description: `${L.name} ${what}` });
      extra += `, ${name}`;
    };
    let header = ACTIVATION_EXT_HEADER;
    let fn: string = act;
    let tmpl = '';
    switch (act) {
      case 'leaky_relu':
      case 'elu':
      case 'thresholded_relu': {
        const tp = L.types.param ?? fixedType(false, 1, 1);
        s.t('param_t', `${c}_param_t`);
        scalar(`${c}_alpha`, `${c}_param_t`, tp, (act === 'thresholded_relu' ? p.theta : p.alpha)!, act === 'thresholded_relu' ? 'theta (param_t)' : 'alpha (param_t)');
        if (act === 'leaky_relu') header = ACTIVATION_HEADER;
        break;
      }
      case 'hard_sigmoid':
      case 'hard_tanh':
        s.t('slope_t', `${c}_weight_t`).t('shift_t', `${c}_bias_t`);
        scalar(`${c}_w`, `${c}_weight_t`, L.types.slope, p.slope!, 'slope (slope_t)');
        scalar(`${c}_b`, `${c}_bias_t`, L.types.shift, p.shift!, 'shift (shift_t)');
        break;
      case 'relu6':
      case 'relu1':
        fn = 'relu_max';
        tmpl = act === 'relu6' ? '6, ' : '1, ';
        break;
      case 'binary_tanh':
        fn = 'binary_tanh_as';
        tmpl = `${L.config.xnor_result ?? isUint1(L.types.result) ? 'true' : 'false'}, `;
        break;
      case 'linear':
      case 'relu':
      case 'sigmoid':
      case 'tanh':
        header = ACTIVATION_HEADER;
        break;
      default:
        break;
    }
    if (TABLE_ACTS.includes(act)) {
      const tt = L.types.table;
      const size = L.config.table_size;
      const build = { sigmoid: sigmoidTable, tanh: tanhTable, elu: eluTable, selu: seluTable, softplus: softplusTable, softsign: softsignTable }[act as 'sigmoid'];
      const table = build({ name: L.name, table_size: size, types: { table: tt } });
      typedefs.push([`${c}_table_t`, tt]);
      s.u('table_size', size).t('table_t', `${c}_table_t`);
      arrays.push({ name: `${c}_table`, elemType: `${c}_table_t`, type: tt, values: table, description: `${L.name} ${act} table (${size} entries, as hls4ml's init_${act}_table)` });
      extra += `, ${c}_table`;
    }
    return {
      layer: L,
      cname: c,
      typedefs,
      structs: [s.text()],
      arrays,
      headers: [header],
      call: (is, iv, out, ov) => [`hlsemu::${fn}<${tmpl}${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}${extra});`],
      summary: `Activation ${act}`,
    };
  },
};

const preluFirmware: FirmwareClassSpec<PReLULayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, ['n_in', 'activation', 'table_size']);
    if (c.cfg.activation !== undefined && String(c.cfg.activation).toLowerCase() !== 'prelu') throw new FormatError(`${path}.config.activation`, `a PReLU layer computes prelu, got ${JSON.stringify(c.cfg.activation)}`);
    c.out(L.shapeIn);
    const n = c.equal('n_in', c.size(L.shapeIn));
    const alpha = c.weight('alpha', n);
    return { ...L, cls: 'PReLU', config: { n_in: n, reuse_factor: c.int('reuse_factor', 1, 1), io_type: c.io }, types: { input: c.type('input'), result: c.type('result'), param: c.type('param') }, weights: { alpha } };
  },
  reference(L) {
    const cfg = { n_in: L.config.n_in, io_type: L.config.io_type, name: L.name, types: L.types };
    return (xs, s) => prelu(cfg, xs[0]!, L.weights.alpha, s ? { stats: s } : {});
  },
  emit(L, { ctx, cname: c, ins }) {
    const inT = ins[0]!;
    warnInputType(ctx, L, 'input', inT);
    const s = new Struct(`config_${c}`, `${L.name}: prelu over ${inT.size} values`).u('n_in', inT.size).u('reuse_factor', L.config.reuse_factor).t('param_t', `${c}_param_t`);
    return {
      layer: L,
      cname: c,
      typedefs: [[`${c}_param_t`, L.types.param]],
      structs: [s.text()],
      arrays: [{ name: `${c}_alpha`, elemType: `${c}_param_t`, type: L.types.param, values: L.weights.alpha, description: `${L.name} alpha, one per element (param_t)` }],
      headers: [ACTIVATION_EXT_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::prelu<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}, ${c}_alpha);`],
      summary: 'PReLU',
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Kernel reference vectors (`kernel: linear | relu | leaky_relu | sigmoid | tanh`; the others are
// in src/conformance/kernels-ext.ts)
// ---------------------------------------------------------------------------------------------

function checkActivationCase(c: Case, kind: 'linear' | 'relu' | 'leaky_relu' | 'sigmoid' | 'tanh'): string | null {
  const cfg = obj(c, 'config');
  const t = caseTypes(c);
  need(t, 'input', 'result');
  checkLayout(c, cfg, int(cfg, 'n_in'));
  checkInputLengths(c, int(cfg, 'n_in'), 'config.n_in');
  const kcfg: Record<string, unknown> = { ...cfg, name: kind, types: t };
  switch (kind) {
    case 'linear':
      return runAll(c, kind, (x, i) => linear(kcfg as never, x1(x, i)));
    case 'relu':
      return runAll(c, kind, (x, i) => relu(kcfg as never, x1(x, i)));
    case 'leaky_relu': {
      need(t, 'param');
      if (c.alpha_raw !== undefined) kcfg.alpha_raw = rawList([c.alpha_raw], 'alpha_raw')[0];
      if (typeof cfg.alpha_literal === 'number') {
        kcfg.alpha = cfg.alpha_literal;
        const fromLiteral = leakyReluAlphaRaw({ alpha: cfg.alpha_literal, types: { param: t.param } });
        if (kcfg.alpha_raw !== undefined && !sameRaw(fromLiteral, kcfg.alpha_raw as number)) {
          return `alpha_raw: expected ${String(kcfg.alpha_raw)}, the literal ${cfg.alpha_literal} converts to ${String(fromLiteral)}`;
        }
      }
      return runAll(c, kind, (x, i) => leakyRelu(kcfg as never, x1(x, i)));
    }
    case 'sigmoid':
    case 'tanh': {
      need(t, 'table');
      const tab = (kind === 'sigmoid' ? sigmoidTable : tanhTable)({ table_size: cfg.table_size as number, types: { table: t.table! } });
      const d = checkTable(c, 'table', tab);
      if (d) return d;
      return runAll(c, kind, (x, i) => (kind === 'sigmoid' ? sigmoid : tanh)(kcfg as never, x1(x, i)));
    }
  }
}

/** The element-wise activation kinds. */
export const activationModule = {
  kind: 'Activation',
  model: { Activation: activationModel, ReLU: reluModel, LeakyReLU: leakyModel, ThresholdedReLU: thresholdedModel, ELU: eluModel, PReLU: preluModel },
  hls: { Activation: activationHls, ParametrizedActivation: parametrizedHls, HardActivation: hardHls, PReLU: preluHls },
  firmware: { Activation: firmware, PReLU: preluFirmware },
  kernels: {
    linear: (c: Case) => checkActivationCase(c, 'linear'),
    relu: (c: Case) => checkActivationCase(c, 'relu'),
    leaky_relu: (c: Case) => checkActivationCase(c, 'leaky_relu'),
    sigmoid: (c: Case) => checkActivationCase(c, 'sigmoid'),
    tanh: (c: Case) => checkActivationCase(c, 'tanh'),
  },
} satisfies LayerModule;

