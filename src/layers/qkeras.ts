/**
 * QKeras layers as hls4ml 1.3's Keras 2 front end converts them (docs/qkeras.md):
 *
 * - `QDense`, `QConv1D`, `QConv2D`: the float Dense/Conv rule plus the kernel and bias quantizers.
 *   hls4ml creates the weights with their quantizer: the quantizer's type replaces the configured
 *   precision and the stored data is the QKeras quantizer's output (QKeras 0.9 in float32), which is
 *   then printed and read back as for any weight. Power-of-two kernels (`quantized_po2`) become
 *   exponent weights with the `weight_exponential` product, binary kernels Xnor weights, ternary
 *   ones `int<2>` weights. An `alpha` other than 1 is factored out by the qkeras_factorize_alpha pass.
 *   A quantizer given as the layer's `activation` splits off as a QActivation `<layer>_<class>`.
 * - `QActivation`: quantized_bits → a linear cast, quantized_relu → relu (leaky_relu with a
 *   negative slope), quantized_tanh/sigmoid → HardActivation (tanh/sigmoid tables with the real
 *   function), binary → binary_tanh, ternary → TernaryTanh; the result type comes from the
 *   quantizer only through a config made at 'name'/'type' granularity.
 * - `QBatchNormalization`: a plain BatchNormalization (hls4ml ignores its quantizers).
 * - `QSimpleRNN`, `QLSTM`, `QGRU`: the plain recurrent layer; the kernel/recurrent/bias/state
 *   quantizers only name the weight/recurrent_weight/bias/accum types config_from_keras_model
 *   writes (the weights stay float), the activation quantizers choose the function and the result
 *   type; hard activations are refused as hls4ml asserts (docs/qkeras.md §12).
 *
 * The float evaluators are QKeras' inference semantics (quantized weights, quantized activations),
 * the reference the PTQ tools and the property tests compare against.
 *
 * hls4ml sources: converters/keras/qkeras.py (parse_qrnn_layer too), model/quantizers.py, model/layers.py
 * (add_weights_variable; LSTM/GRU.initialize), utils/config.py (_get_precision_from_quantizer, config_from_keras_model),
 * converters/keras_v2_to_hls.py (activation split of Q layers).
 */
import { FormatError, UnsupportedError } from '../errors.js';
import type { LayerAttrs, LayerQuantizers, ModelLayer, WeightQuantizer } from '../graph/model.js';
import { LayerConfigReader, normaliseActivation, sameShape } from '../import/keras-config.js';
import {
  QKERAS_QUANTIZER_CLASSES,
  activationResultPrecision,
  evalQKeras,
  hls4mlPrecisionString,
  hls4mlWeightQuantizer,
  parseQKerasQuantizer,
  precisionStorage,
  qactivationLayer,
  qkerasBinary,
  qkerasQuantizedBits,
  qkerasQuantizedRelu,
  qkerasTernary,
  weightQuantizerOf,
  type Hls4mlPrecision,
  type QKerasQuantizer,
  type QuantizerVar,
} from '../import/qkeras/quantizers.js';
import { activationDraft, floatActivation, splitActivation } from './activation.js';
import { batchnormModule, bnParams } from './batchnorm.js';
import { convModule } from './conv.js';
import { denseModule } from './dense.js';
import { depthwiseModule } from './depthwise.js';
import { floatRnn, recurrentModule } from './recurrent.js';
import { hardActivationDraft } from './activation.js';
import type { ActivationSplit, HlsDraft, KerasRule, LayerModule, ModelClassSpec } from './spec.js';

// ---------------------------------------------------------------------------------------------
// Quantizers of a layer config
// ---------------------------------------------------------------------------------------------

/** QKeras weight quantizers whose values hlsemu reproduces bit for bit (QKeras 0.9, float32). */
const EVALUABLE_WEIGHT_QUANTIZERS = new Set(['quantized_bits', 'quantized_po2', 'binary', 'stochastic_binary', 'ternary', 'stochastic_ternary', 'quantized_relu']);

const STOCHASTIC = (q: QKerasQuantizer): boolean => q.cls === 'bernoulli' || (('useStochasticRounding' in q) && q.useStochasticRounding === true && q.cls === 'binary');

/** A `<var>_quantizer` of a layer config as the working graph's weight quantizer (undefined when absent / null). */
function weightQuantizer(r: LayerConfigReader, v: QuantizerVar, warnings: string[], layerClass: string): WeightQuantizer | undefined {
  const key = `${v}_quantizer`;
  const raw = r.config[key];
  if (raw === undefined || raw === null) return undefined;
  const ctx = { layer: r.name, field: key };
  const q = parseQKerasQuantizer(raw, ctx);
  if (q.cls === 'function' || q.cls === 'keras_activation') throw new UnsupportedError(r.field(key), `'${q.name}' is not a weight quantizer class (hls4ml indexes quantizer_config['class_name'] of a serialised quantizer)`);
  if (STOCHASTIC(q)) {
    throw new UnsupportedError(r.field(key), `${q.cls}${q.cls === 'binary' ? '(use_stochastic_rounding=True)' : ''}: its values are random (or, for binary with stochastic rounding, QKeras 0.9 cannot evaluate it outside training), so no firmware can reproduce them`);
  }
  if (!EVALUABLE_WEIGHT_QUANTIZERS.has(q.cls)) {
    throw new UnsupportedError(
      r.field(key),
      `${q.cls} as a weight quantizer: hls4ml prints "Unsupported quantizer: ${q.cls}" and types the weights fixed<16,6>, but the QKeras values come from TensorFlow's float32 transcendental functions, which hlsemu cannot reproduce bit for bit`,
    );
  }
  const info = hls4mlWeightQuantizer(q, v, { ...ctx, layerClass, given: raw });
  warnings.push(...info.warnings);
  return weightQuantizerOf(info);
}

/** What `config_from_keras_model` writes for a QBatchNormalization quantizer (its type string); hls4ml ignores them numerically. */
function ignoredQuantizerText(r: LayerConfigReader, v: QuantizerVar): string | undefined {
  const raw = r.config[`${v}_quantizer`];
  if (raw === undefined || raw === null) return undefined;
  try {
    const q = parseQKerasQuantizer(raw, { layer: r.name, field: `${v}_quantizer` });
    if (q.cls === 'function' || q.cls === 'keras_activation') return 'fixed<16,6,TRN,WRAP,0>';
    return hls4mlPrecisionString(hls4mlWeightQuantizer(q, v, { layer: r.name, field: `${v}_quantizer`, layerClass: 'QBatchNormalization' }).precision);
  } catch {
    // QKeras classes hls4ml wraps without knowing them: "Unsupported quantizer" → fixed<16,6>
    return 'fixed<16,6,TRN,WRAP,0>';
  }
}

/** The activation precision `config_from_keras_model` writes (`_get_precision_from_quantizer`). */
function activationPrecision(q: QKerasQuantizer, ctx: { layer: string; field: string }): NonNullable<LayerQuantizers['activation']> {
  const p: Hls4mlPrecision = activationResultPrecision(q, ctx);
  const { kind, type } = precisionStorage(p);
  return { kind, type, text: hls4mlPrecisionString(p) };
}

/** hls4ml result types that depart from the quantizer's own behaviour. */
function activationWarnings(q: QKerasQuantizer, layer: string): string[] {
  if (q.cls === 'quantized_relu' && q.integer >= q.bits) {
    return [`${layer}: quantized_relu(${q.bits}, ${q.integer}) gets the result type uint<${q.integer}> (TRN, WRAP) from hls4ml: values above its range wrap instead of saturating as in QKeras`];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Activation quantizers (QActivation and Q layers' quantizer activations)
// ---------------------------------------------------------------------------------------------

/**
 * A Q layer's `activation`: a QKeras quantizer (dict) or a Keras activation name. A QKeras string
 * such as `"quantized_relu(4)"` reaches hls4ml's plain Activation handler, which has no such kernel.
 */
function layerActivation(r: LayerConfigReader): { activation: string; quantizer?: QKerasQuantizer } {
  const v = r.config['activation'];
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as Record<string, unknown>)['class_name'] === 'string') {
    const cls = (v as Record<string, unknown>)['class_name'] as string;
    if (QKERAS_QUANTIZER_CLASSES.includes(cls)) {
      const q = parseQKerasQuantizer(v, { layer: r.name, field: 'activation' });
      return { activation: cls, quantizer: q };
    }
  }
  try {
    return { activation: normaliseActivation(v, r.field('activation')) };
  } catch (e) {
    if (typeof v === 'string' && /^\s*(quantized_|binary|ternary|stochastic_)/.test(v)) {
      throw new UnsupportedError(r.field('activation'), `hls4ml hands the string activation '${v}' of a ${r.kerasClass} to a plain Activation layer, which has no '${v}' kernel (serialise the quantizer as an object, or use a QActivation layer)`);
    }
    throw e;
  }
}

/** The working-graph node hls4ml makes of an activation quantizer, and its warnings. */
function qactivationDraft(q: QKerasQuantizer, ctx: { layer: string; field: string }): { draft: HlsDraft; hlsClass: string; warnings: string[] } {
  const m = qactivationLayer(q, ctx);
  const warnings = [...m.warnings];
  switch (m.className) {
    case 'Activation': {
      const draft = activationDraft(ctx.layer, m.activation);
      // a quantized_bits QActivation is a cast; merge_linear_activation may drop it (warned by the pass)
      if (m.activation === 'linear') draft.attrs.qkerasCast = true;
      return { draft, hlsClass: 'Activation', warnings };
    }
    case 'LeakyReLU':
      return { draft: activationDraft(ctx.layer, 'leaky_relu', undefined, m.activParam), hlsClass: 'ParametrizedActivation', warnings };
    case 'HardActivation':
      return { draft: hardActivationDraft(m.activation as 'hard_sigmoid' | 'hard_tanh', m.slope ?? 0.5, m.shift ?? 0.5, 'ufixed<2,0>', 'ufixed<2,0>'), hlsClass: 'HardActivation', warnings };
    case 'TernaryTanh':
      return { draft: { cls: 'TernaryTanh', attrs: { activation: 'ternary_tanh', threshold: m.threshold ?? 0.33 } }, hlsClass: 'TernaryTanh', warnings };
  }
}

const f32 = Math.fround;

/** QKeras' float semantics of an activation quantizer (the source model's inference), elementwise. */
function floatQuantizer(q: QKerasQuantizer, where: string): (x: Float64Array, channels: number) => Float64Array {
  const asF32 = (x: Float64Array) => ({ data: Float32Array.from(x), shape: [x.length] });
  switch (q.cls) {
    case 'quantized_bits':
      if (q.alpha !== null && q.alpha !== 1) throw new UnsupportedError(`${where}.activation`, `the float reference of a quantized_bits activation with alpha=${String(q.alpha)} is not supported`);
      return (x) => Float64Array.from(qkerasQuantizedBits(q, asF32(x), where).values);
    case 'quantized_relu':
      return (x) => Float64Array.from(qkerasQuantizedRelu(q, asF32(x), where).values);
    case 'binary':
    case 'stochastic_binary':
      return (x) => Float64Array.from(qkerasBinary(q, asF32(x), where).values);
    case 'ternary':
    case 'stochastic_ternary':
      return (x) => Float64Array.from(qkerasTernary(q, asF32(x), where).values);
    case 'quantized_tanh':
    case 'quantized_sigmoid': {
      // QKeras 0.9: the hard function (or the real one), rounded to `bits` bits
      const tanh = q.cls === 'quantized_tanh';
      const m = 2 ** (tanh ? q.bits - 1 : q.bits);
      const fn = q.useReal ? (tanh ? Math.tanh : (v: number) => 1 / (1 + Math.exp(-v))) : tanh ? (v: number) => Math.min(1, Math.max(0, 0.5 * v + 0.5)) * 2 - 1 : (v: number) => Math.min(1, Math.max(0, 0.5 * v + 0.5));
      const lo = tanh ? (q.symmetric ? -(m - 1) / m : -1) : 0;
      return (x) => Float64Array.from(x, (v) => Math.min((m - 1) / m, Math.max(lo, Math.round(fn(f32(v)) * m) / m)));
    }
    case 'function':
      if (q.name.includes('binary')) return (x) => Float64Array.from(x, (v) => (q.name === 'binary_sigmoid' ? (v >= 0 ? 1 : 0) : v >= 0 ? 1 : -1));
      if (q.name.includes('ternary')) return (x) => Float64Array.from(x, (v) => (v > 0.5 ? 1 : v < -0.5 ? -1 : 0));
      return floatActivation(q.name, where, false);
    default:
      throw new UnsupportedError(`${where}.activation`, `no float reference for the QKeras activation ${q.cls === 'keras_activation' ? q.name : q.cls}`);
  }
}

// ---------------------------------------------------------------------------------------------
// QDense / QConv1D / QConv2D
// ---------------------------------------------------------------------------------------------

/** A reader of the same config with the activation replaced (for the float rules' attrs). */
function withLinear(r: LayerConfigReader): LayerConfigReader {
  return new LayerConfigReader(r.index, r.kerasClass, r.name, { ...r.config, activation: 'linear' });
}

/** Which `<var>_quantizer` keys a Q layer reads, and where each lands in {@link LayerQuantizers}. */
type QuantizerSlots = ReadonlyArray<readonly [QuantizerVar, 'weight' | 'bias' | 'depthwise' | 'pointwise']>;
const MAC_SLOTS: QuantizerSlots = [
  ['kernel', 'weight'],
  ['bias', 'bias'],
];

function qMacKeras(base: KerasRule, slots: QuantizerSlots = MAC_SLOTS): KerasRule {
  return {
    arity: 'one',
    attrs(r) {
      const a = base.attrs(withLinear(r));
      const act = layerActivation(r);
      a.activation = act.activation;
      if (act.quantizer) a.activationQuantizer = act.quantizer;
      return a;
    },
    outputShape: (s, a, r) => base.outputShape(s, a, withLinear(r)),
    weights: base.weights,
    quantizers(r) {
      const warnings: string[] = [];
      const quantizers: LayerQuantizers = {};
      for (const [v, slot] of slots) {
        const q = weightQuantizer(r, v, warnings, r.kerasClass);
        if (q) quantizers[slot] = q;
      }
      return { quantizers, warnings };
    },
  };
}

/** The layer with its kernel and bias replaced by the QKeras-quantized values (QKeras inference). */
const quantizedCache = new WeakMap<ModelLayer, ModelLayer>();
const WEIGHT_SLOTS = [
  ['kernel', 'weight'],
  ['bias', 'bias'],
  ['depthwise_kernel', 'depthwise'],
  ['pointwise_kernel', 'pointwise'],
] as const;
function withQuantizedWeights(l: ModelLayer): ModelLayer {
  let q = quantizedCache.get(l);
  if (q) return q;
  const weights = { ...l.weights };
  for (const [k, v] of WEIGHT_SLOTS) {
    const wq = l.quantizers?.[v];
    const t = l.weights[k];
    if (!wq?.qkeras || !t) continue;
    const r = evalQKeras(wq.qkeras.quantizer, { data: Float32Array.from(t.data), shape: t.shape }, `${l.name}.${k}`);
    weights[k] = { shape: t.shape, data: Float64Array.from(r.values) };
  }
  q = { ...l, weights };
  quantizedCache.set(l, q);
  return q;
}

/** The split of a Q layer's activation: a QActivation for a quantizer, else hls4ml's plain rule. */
function qActivationSplit(l: ModelLayer, source: string): ActivationSplit | undefined {
  const q = l.attrs.activationQuantizer as QKerasQuantizer | undefined;
  if (!q) {
    const s = splitActivation(l, source, true);
    if (!s) return undefined;
    return { name: s.name, draft: activationDraft(s.name, s.activation), hlsClass: s.activation === 'softmax' ? 'Softmax' : 'Activation', typeKey: s.activation === 'softmax' ? 'Softmax' : 'Activation' };
  }
  const name = `${l.name}_${String(l.attrs.activation)}`;
  const ctx = { layer: name, field: 'activation' };
  const d = qactivationDraft(q, ctx);
  return { name, draft: d.draft, hlsClass: d.hlsClass, typeKey: 'QActivation', quantizers: { activation: activationPrecision(q, ctx) }, warnings: [...d.warnings, ...activationWarnings(q, name)], float: floatQuantizer(q, name) };
}

function noKeras3(l: ModelLayer, source: string, where: string): void {
  if (source === 'keras3') {
    throw new UnsupportedError(where, `${l.className} in a Keras 3 model: hls4ml 1.3's Keras 3 front end has no QKeras handler and QKeras 0.9 runs on tf.keras 2 only (save the model with tf.keras 2: JSON + weights .h5, a full .h5, or a .keras from TensorFlow 2.13/2.14)`);
  }
}

function qMacModel(base: ModelClassSpec, cls: string): ModelClassSpec {
  return {
    keras: qMacKeras(base.keras!),
    hlsClass: base.hlsClass,
    typeKey: () => cls,
    splitsActivation: true,
    activationSplit: qActivationSplit,
    build(l, ctx) {
      noKeras3(l, ctx.source, ctx.where);
      return base.build(l, ctx);
    },
    float: (l, xs, ctx) => base.float(withQuantizedWeights(l), xs, ctx),
    profileWeights: (l) => base.profileWeights?.(withQuantizedWeights(l)) ?? [],
    accumRange: base.accumRange,
  };
}

// ---------------------------------------------------------------------------------------------
// QDepthwiseConv2D, QSeparableConv1D/2D (on the depthwise / separable kinds)
// ---------------------------------------------------------------------------------------------

/**
 * hlsemu's depthwise kernels compute the plain product: a depthwise kernel quantizer of another
 * precision class (binary, ternary, power of two) is refused; an alpha is not factored out of a
 * depthwise kernel by hls4ml (QKerasFactorizeAlpha matches Dense/Conv only): the scaled values are
 * printed into `fixed<bits, integer+1>` (warned).
 */
function depthwiseQuantizer(l: ModelLayer, where: string, warnings: string[]): WeightQuantizer | undefined {
  const q = l.quantizers?.depthwise;
  if (!q) return undefined;
  if ((q.kind ?? 'fixed') !== 'fixed') {
    throw new UnsupportedError(`${where}.depthwise_quantizer`, `a depthwise kernel typed ${q.text ?? ''} (${q.kind} precision): hlsemu's depthwise convolutions compute the plain product only`);
  }
  const a = q.qkeras?.alpha;
  if (a !== undefined && a !== null && a !== 1) {
    warnings.push(`${l.name}.depthwise_quantizer: hls4ml does not factor alpha=${String(a)} out of a depthwise kernel: the scaled values are printed into ${q.text ?? 'the quantizer type'} and may be truncated or wrap`);
  }
  return q;
}

function qDepthwiseModel(base: ModelClassSpec, cls: string): ModelClassSpec {
  return {
    ...qMacModel(base, cls),
    keras: qMacKeras(base.keras!, [
      ['depthwise', 'depthwise'],
      ['bias', 'bias'],
    ]),
    build(l, ctx) {
      noKeras3(l, ctx.source, ctx.where);
      const warnings: string[] = [];
      const dq = depthwiseQuantizer(l, ctx.where, warnings);
      const d = base.build(l, ctx) as HlsDraft;
      // hls4ml's DepthwiseConv2D creates its weight from the depthwise data with depthwise_quantizer
      d.quantizers = { ...(dq ? { weight: dq } : {}), ...(l.quantizers?.bias ? { bias: l.quantizers.bias } : {}) };
      if (warnings.length) d.attrs = { ...d.attrs, conversionWarnings: [...((d.attrs.conversionWarnings as string[] | undefined) ?? []), ...warnings] };
      return d;
    },
  };
}

function qSeparableModel(base: ModelClassSpec, cls: string): ModelClassSpec {
  return {
    ...qMacModel(base, cls),
    keras: qMacKeras(base.keras!, [
      ['depthwise', 'depthwise'],
      ['pointwise', 'pointwise'],
      ['bias', 'bias'],
    ]),
    build(l, ctx) {
      noKeras3(l, ctx.source, ctx.where);
      const warnings: string[] = [];
      const dq = depthwiseQuantizer(l, ctx.where, warnings);
      const [dw, pw] = base.build(l, ctx) as HlsDraft[];
      // SeparableToDepthwiseAndConv: the depthwise half keeps depthwise_quantizer (no bias), the
      // pointwise Conv gets pointwise_quantizer as its weight quantizer and the bias quantizer.
      dw!.quantizers = dq ? { weight: dq } : {};
      if (warnings.length) dw!.attrs = { ...dw!.attrs, conversionWarnings: [...((dw!.attrs.conversionWarnings as string[] | undefined) ?? []), ...warnings] };
      pw!.quantizers = { ...(l.quantizers?.pointwise ? { weight: l.quantizers.pointwise } : {}), ...(l.quantizers?.bias && l.attrs.useBias !== false ? { bias: l.quantizers.bias } : {}) };
      return [dw!, pw!];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// QActivation, QBatchNormalization
// ---------------------------------------------------------------------------------------------

const qactivationModel: ModelClassSpec = {
  keras: {
    arity: 'one',
    attrs(r): LayerAttrs {
      const raw = r.config['activation'];
      if (raw === undefined || raw === null) throw new FormatError(r.field('activation'), 'a QActivation needs an activation quantizer');
      const q = parseQKerasQuantizer(raw, { layer: r.name, field: 'activation' });
      const m = qactivationLayer(q, { layer: r.name, field: 'activation' });
      return { activation: m.activation, activationQuantizer: q };
    },
    outputShape: sameShape,
    quantizers(r, a) {
      const q = a.activationQuantizer as QKerasQuantizer;
      const ctx = { layer: r.name, field: 'activation' };
      return { quantizers: { activation: activationPrecision(q, ctx) }, warnings: [...qactivationLayer(q, ctx).warnings, ...activationWarnings(q, r.name)] };
    },
  },
  hlsClass: (l) => (l.attrs.activationQuantizer ? qactivationDraft(l.attrs.activationQuantizer as QKerasQuantizer, { layer: l.name, field: 'activation' }).hlsClass : 'Activation'),
  typeKey: () => 'QActivation',
  build(l, ctx) {
    noKeras3(l, ctx.source, ctx.where);
    return qactivationDraft(l.attrs.activationQuantizer as QKerasQuantizer, { layer: l.name, field: 'activation' }).draft;
  },
  float: (l, [x], ctx) => floatQuantizer(l.attrs.activationQuantizer as QKerasQuantizer, ctx.where)(x!, l.outputShape[l.outputShape.length - 1]!),
};

const bnModel = batchnormModule.model.BatchNormalization;
const qbnModel: ModelClassSpec = {
  ...bnModel,
  keras: {
    ...bnModel.keras!,
    aliases: [],
    quantizers(r) {
      const precisions: Record<string, string> = {};
      for (const v of ['mean', 'variance', 'beta', 'gamma'] as const) {
        const t = ignoredQuantizerText(r, v);
        if (t) precisions[v] = t;
      }
      const warnings = Object.keys(precisions).length
        ? [`${r.name}: hls4ml ignores QBatchNormalization's quantizers (${Object.keys(precisions).join(', ')}): the firmware folds the float gamma/beta/mean/variance, while QKeras' inference uses their quantized values`]
        : [];
      return { quantizers: { precisions }, warnings };
    },
  },
  typeKey: () => 'QBatchNormalization',
  build(l, ctx) {
    noKeras3(l, ctx.source, ctx.where);
    return bnModel.build(l, ctx);
  },
};

// ---------------------------------------------------------------------------------------------
// QConv2DBatchnorm (hls4ml's Conv2DBatchnorm)
// ---------------------------------------------------------------------------------------------

const QCONV_BN_FOLDING_MODES = ['ema_stats_folding', 'batch_stats_folding'];

/**
 * The folded kernel and bias as hls4ml's `Conv2DBatchnorm._get_folded_weights` computes them (NumPy,
 * float32): inv = γ·(1/√(σ²+ε)) — the reciprocal rounded before the product —, kernel·inv per
 * output channel, inv·(bias − μ) + β with bias 0 when the layer has none. QKeras' inference
 * (`QConv2DBatchnorm.call`, training=False, either folding mode) folds the same moving statistics
 * with TensorFlow's rsqrt.
 */
export function foldConvBatchnorm(l: ModelLayer): { kernel: Float32Array; bias: Float32Array } {
  const F = l.outputShape[l.outputShape.length - 1]!;
  const { gamma, beta, mean, variance, eps } = bnParams(l, F);
  const k = l.weights.kernel;
  if (!k) throw new FormatError(`${l.name}.kernel`, 'missing kernel weights');
  const b = l.attrs.useBias === false ? undefined : l.weights.bias;
  const inv = Float32Array.from(variance, (v, f) => f32(f32(1 / f32(Math.sqrt(f32(v + eps)))) * gamma[f]!));
  const kernel = Float32Array.from(k.data, (w, i) => f32(inv[i % F]! * w));
  const bias = Float32Array.from(inv, (s, f) => f32(f32(s * f32((b ? b.data[f]! : 0) - mean[f]!)) + beta[f]!));
  return { kernel, bias };
}

/** The layer with its kernel and bias replaced by the folded ones (cached per layer). */
const foldedCache = new WeakMap<ModelLayer, ModelLayer>();
function withFoldedWeights(l: ModelLayer): ModelLayer {
  let out = foldedCache.get(l);
  if (out) return out;
  const { kernel, bias } = foldConvBatchnorm(l);
  const k = l.weights.kernel!;
  out = { ...l, attrs: { ...l.attrs, useBias: true }, weights: { kernel: { shape: k.shape, data: kernel }, bias: { shape: [bias.length], data: bias } } };
  foldedCache.set(l, out);
  return out;
}

const conv2dModel = convModule.model.Conv2D;
const qconv2dModel = qMacModel(conv2dModel, 'QConv2DBatchnorm');

/**
 * What hls4ml's Conv2DBatchnorm holds (model/layers.py, `initialize`): the weight variable is
 * created with the kernel quantizer and its data then replaced by `weight_quantizer(folded kernel)`
 * (no kernel quantizer: calling None fails); the bias variable's data becomes
 * `bias_quantizer(folded bias)` only when there is a bias quantizer — without one the firmware
 * keeps the unfolded conv bias (zeros of `ap_uint<1>` without `use_bias`).
 */
function foldedConvLayer(l: ModelLayer, where: string, warn: (t: string) => void): ModelLayer {
  if (!l.quantizers?.weight) {
    throw new UnsupportedError(`${where}.kernel_quantizer`, "hls4ml 1.3 fails on a QConv2DBatchnorm without a kernel quantizer: Conv2DBatchnorm.initialize calls the missing weight_quantizer on the folded kernel ('NoneType' object is not callable)");
  }
  const f = withFoldedWeights(l);
  const useBias = l.attrs.useBias !== false;
  if (l.quantizers.bias) {
    if (!useBias) {
      throw new UnsupportedError(`${where}.bias_quantizer`, 'a QConv2DBatchnorm with use_bias=False and a bias quantizer: hls4ml 1.3 types the missing bias ap_uint<1> and prints the quantized folded bias into it with {:.0f}');
    }
    return f;
  }
  warn(
    `${l.name}: hls4ml 1.3 applies the folded bias only through a bias quantizer: without one the firmware adds ${useBias ? 'the unfolded conv bias' : 'no bias'} instead of γ·(bias − μ)/√(σ²+ε) + β (QKeras adds the folded bias)`,
  );
  return { ...f, attrs: { ...l.attrs }, weights: { kernel: f.weights.kernel!, ...(useBias && l.weights.bias ? { bias: l.weights.bias } : {}) } };
}

function qconvBatchnormKeras(): KerasRule {
  const conv = qconv2dModel.keras!;
  const bn = bnModel.keras!;
  return {
    ...conv,
    aliases: [],
    attrs(r) {
      const mode = r.str('folding_mode', 'ema_stats_folding');
      if (!QCONV_BN_FOLDING_MODES.includes(mode)) throw new FormatError(r.field('folding_mode'), `expected ${QCONV_BN_FOLDING_MODES.join(' or ')} (QKeras asserts), got '${mode}'`);
      const delay = r.config['ema_freeze_delay'];
      if (delay !== undefined && delay !== null && (typeof delay !== 'number' || !Number.isInteger(delay))) throw new FormatError(r.field('ema_freeze_delay'), 'expected an integer or null');
      return { ...conv.attrs(r), ...bn.attrs(r) };
    },
    outputShape(s, a, r) {
      const y = conv.outputShape(s, a, r);
      bn.outputShape([y], a, r);
      return y;
    },
    weights(a, s) {
      return [...conv.weights!(a, s), ...bn.weights!(a, [[a.filters!]]), { name: 'iteration', shape: [], ignored: true }];
    },
  };
}

const qconv2dBatchnormModel: ModelClassSpec = {
  ...qconv2dModel,
  keras: qconvBatchnormKeras(),
  hlsClass: () => 'Conv2DBatchnorm',
  build(l, ctx) {
    const d = qconv2dModel.build(foldedConvLayer(l, ctx.where, ctx.warn), ctx) as HlsDraft;
    return { ...d, cls: 'Conv2DBatchnorm' };
  },
  float: (l, xs, ctx) => qconv2dModel.float(withFoldedWeights(l), xs, ctx),
  profileWeights: (l) => qconv2dModel.profileWeights?.(withFoldedWeights(l)) ?? [],
};

// ---------------------------------------------------------------------------------------------
// QSimpleRNN, QLSTM, QGRU (on the recurrent kind)
// ---------------------------------------------------------------------------------------------

/**
 * `<var>_quantizer` keys of a QKeras recurrent layer and the `Precision` entry each becomes
 * (converters/keras/qkeras.py parse_qrnn_layer: kernel → weight_quantizer, recurrent →
 * recurrent_weight_quantizer, bias → bias_quantizer, state → accum_quantizer; utils/config.py
 * config_from_keras_model writes `Precision[<name before _quantizer>] = str(hls_type)`).
 */
const RNN_SLOTS = [
  ['kernel', 'weight', 'kernel'],
  ['recurrent', 'recurrent_weight', 'recurrent_kernel'],
  ['bias', 'bias', 'bias'],
  ['state', 'accum', undefined],
] as const;

/** What a Q recurrent layer keeps of its quantizers: the QKeras quantizers (float reference) and hls4ml's type strings. */
interface RnnQuantizers {
  weights: Partial<Record<'kernel' | 'recurrent' | 'bias' | 'state', { quantizer: QKerasQuantizer; text: string }>>;
  activation?: QKerasQuantizer;
  recurrentActivation?: QKerasQuantizer;
}

/**
 * hls4ml's activation name for a Q recurrent layer's `activation` / `recurrent_activation`
 * (parse_qrnn_layer): a string is kept as it is; a quantizer goes through get_activation_quantizer
 * (the QActivation mapping), where a HardActivation (quantized_tanh / quantized_sigmoid without
 * use_real_*) fails hls4ml's assert.
 */
function rnnActivation(r: LayerConfigReader, key: 'activation' | 'recurrent_activation', fallback: string): { name: string; quantizer?: QKerasQuantizer } {
  const v = r.config[key];
  if (v === undefined) return { name: fallback };
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && QKERAS_QUANTIZER_CLASSES.includes(String((v as Record<string, unknown>)['class_name']))) {
    const ctx = { layer: r.name, field: key };
    const q = parseQKerasQuantizer(v, ctx);
    const m = qactivationLayer(q, ctx);
    if (m.className === 'HardActivation') {
      const real = q.cls === 'quantized_tanh' ? 'use_real_tanh' : 'use_real_sigmoid';
      throw new UnsupportedError(r.field(key), `${q.cls} without ${real}=True is a hard activation, which hls4ml refuses in a ${r.kerasClass}: "Hard activation not supported" (converters/keras/qkeras.py parse_qrnn_layer)`);
    }
    return { name: m.activation, quantizer: q };
  }
  if (typeof v === 'string' && /^\s*(quantized_|binary|ternary|stochastic_)/.test(v)) {
    throw new UnsupportedError(r.field(key), `hls4ml keeps the string '${v}' of a ${r.kerasClass} as the activation's name, and its recurrent kernels have no nnet::activation class of that name (serialise the quantizer as an object)`);
  }
  return { name: normaliseActivation(v, r.field(key)) };
}

function qRnnKeras(base: KerasRule, cls: 'SimpleRNN' | 'LSTM' | 'GRU'): KerasRule {
  return {
    arity: 'one',
    attrs(r) {
      const act = rnnActivation(r, 'activation', 'tanh');
      const ract = cls === 'SimpleRNN' ? undefined : rnnActivation(r, 'recurrent_activation', 'sigmoid');
      // the float rule reads the activations as Keras names: give it plain ones, then set hls4ml's
      const a = base.attrs(new LayerConfigReader(r.index, r.kerasClass, r.name, { ...r.config, activation: 'tanh', ...(ract ? { recurrent_activation: 'sigmoid' } : {}) }));
      a.activation = act.name;
      if (ract) a.recurrentActivation = ract.name;
      const q: RnnQuantizers = { weights: {} };
      for (const [v] of RNN_SLOTS) {
        // the same checks as every Q layer's weight quantizer (values QKeras computes reproducibly)
        const wq = weightQuantizer(r, v, [], r.kerasClass);
        if (wq?.qkeras) q.weights[v] = { quantizer: wq.qkeras.quantizer, text: wq.text ?? hls4mlPrecisionString(wq.qkeras.precision) };
      }
      if (act.quantizer) q.activation = act.quantizer;
      if (ract?.quantizer) q.recurrentActivation = ract.quantizer;
      a.rnnQuantizers = q;
      return a;
    },
    outputShape: (s, a, r) => base.outputShape(s, a, r),
    weights: base.weights,
    quantizers(r, a) {
      const q = a.rnnQuantizers as RnnQuantizers;
      const precisions: Record<string, string> = {};
      for (const [v, pname] of RNN_SLOTS) {
        const w = q.weights[v];
        if (w) precisions[pname] = w.text;
      }
      const out: LayerQuantizers = { precisions };
      if (q.activation) out.activation = activationPrecision(q.activation, { layer: r.name, field: 'activation' });
      return { quantizers: out, warnings: q.activation ? activationWarnings(q.activation, r.name) : [] };
    },
  };
}

/** The departures of hls4ml's firmware from QKeras' cell, one warning each (only for quantizers the layer has). */
function rnnDepartures(l: ModelLayer): string[] {
  const q = l.attrs.rnnQuantizers as RnnQuantizers;
  const w: string[] = [];
  const weightVars = (['kernel', 'recurrent', 'bias'] as const).filter((v) => q.weights[v]);
  if (weightVars.length) {
    w.push(
      `${l.name}: hls4ml does not apply the ${weightVars.map((v) => `${v}_quantizer`).join(', ')} of a ${l.className} (model/layers.py ${l.className.slice(1)}.initialize creates the weights without a quantizer): the firmware holds the float weights cast to the configured types — the quantizers' types only through a config made at 'name' granularity — so values are truncated, and values outside the quantizer's range wrap, where QKeras rounds and clips`,
    );
  }
  if (q.weights.state) w.push(`${l.name}: state_quantizer: QKeras quantizes the states h and c before every step; hls4ml only takes its type as the accumulator type (accum_t, through a 'name' config)`);
  if (q.activation) w.push(`${l.name}: activation quantizer ${q.activation.cls}: hls4ml computes the plain ${String(l.attrs.activation)} inside the cell (no quantization of its outputs) and takes the quantizer's type only as the layer's result type (through a 'name' config)`);
  if (q.recurrentActivation) w.push(`${l.name}: recurrent_activation quantizer ${q.recurrentActivation.cls}: hls4ml computes the plain ${String(l.attrs.recurrentActivation)} (its type is not used anywhere)`);
  return w;
}

function qRnnModel(base: ModelClassSpec, cls: 'SimpleRNN' | 'LSTM' | 'GRU'): ModelClassSpec {
  return {
    keras: qRnnKeras(base.keras!, cls),
    hlsClass: base.hlsClass,
    typeKey: () => `Q${cls}`,
    build(l, ctx) {
      noKeras3(l, ctx.source, ctx.where);
      const d = base.build(l, ctx) as HlsDraft;
      d.attrs = { ...d.attrs, conversionWarnings: [...((d.attrs.conversionWarnings as string[] | undefined) ?? []), ...rnnDepartures(l)] };
      return d;
    },
    // QKeras' cell: quantized weights, the quantizers as activations, the state quantizer on h and c
    float(l, [x], ctx) {
      const q = l.attrs.rnnQuantizers as RnnQuantizers;
      const weights = { ...l.weights };
      for (const [v, , key] of RNN_SLOTS) {
        const t = key ? l.weights[key] : undefined;
        const wq = q.weights[v];
        if (!t || !wq) continue;
        weights[key!] = { shape: t.shape, data: Float64Array.from(evalQKeras(wq.quantizer, { data: Float32Array.from(t.data), shape: t.shape }, `${l.name}.${key!}`).values) };
      }
      const state = q.weights.state;
      return floatRnn(cls, { ...l, weights }, x!, ctx.n, ctx.keras3, {
        ...(q.activation ? { activation: floatQuantizer(q.activation, l.name) } : {}),
        ...(q.recurrentActivation ? { recurrentActivation: floatQuantizer(q.recurrentActivation, l.name) } : {}),
        ...(state ? { state: floatQuantizer(state.quantizer, `${l.name}.state_quantizer`) } : {}),
      });
    },
    // hls4ml stores the float weights (not the quantizers' values)
    profileWeights: base.profileWeights,
    accumRange: base.accumRange,
  };
}

// ---------------------------------------------------------------------------------------------
// QKeras classes hls4ml has no handler for, and the ones that land with other layer kinds
// ---------------------------------------------------------------------------------------------

const NO_HANDLER = 'hls4ml rejects it: "ERROR: Unsupported layer type: {cls}" (hls4ml 1.3 has no handler for this QKeras class)';

/** The QKeras layer kind. */
export const qkerasModule = {
  kind: 'QKeras',
  model: {
    QDense: qMacModel(denseModule.model.Dense, 'QDense'),
    QConv1D: qMacModel(convModule.model.Conv1D, 'QConv1D'),
    QConv2D: qMacModel(convModule.model.Conv2D, 'QConv2D'),
    QConv2DBatchnorm: qconv2dBatchnormModel,
    QActivation: qactivationModel,
    QBatchNormalization: qbnModel,
    QDepthwiseConv2D: qDepthwiseModel(depthwiseModule.model.DepthwiseConv2D, 'QDepthwiseConv2D'),
    QSeparableConv1D: qSeparableModel(depthwiseModule.model.SeparableConv1D, 'QSeparableConv1D'),
    QSeparableConv2D: qSeparableModel(depthwiseModule.model.SeparableConv2D, 'QSeparableConv2D'),
    QSimpleRNN: qRnnModel(recurrentModule.model.SimpleRNN, 'SimpleRNN'),
    QLSTM: qRnnModel(recurrentModule.model.LSTM, 'LSTM'),
    QGRU: qRnnModel(recurrentModule.model.GRU, 'GRU'),
  },
  rejects: {
    QDenseBatchnorm: NO_HANDLER,
    QAveragePooling2D: NO_HANDLER,
    QGlobalAveragePooling2D: NO_HANDLER,
    QConv2DTranspose: NO_HANDLER,
    QAdaptiveActivation: NO_HANDLER,
  },
} satisfies LayerModule;
