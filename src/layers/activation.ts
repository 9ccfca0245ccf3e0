/**
 * Element-wise activations (Keras `Activation`, `ReLU`, `LeakyReLU`, and the `activation` of
 * Dense/Conv layers; hls4ml `Activation` and `ParametrizedActivation`; `nnet::linear`, `relu`,
 * `leaky_relu`, `sigmoid`, `tanh`). Also the one rule of which activations hls4ml's parsers split
 * into their own layers ({@link splitActivation}).
 *
 * hls4ml sources: converters/keras/core.py (parse_activation_layer; ReLU, LeakyReLU),
 * converters/keras_v2_to_hls.py (activation split: `<layer>_<activation>`, always, even 'linear'),
 * converters/keras_v3/ (split only non-linear activations), model/layers.py (Activation,
 * ParametrizedActivation: param_t), backends/fpga/fpga_backend.py (table_t, table_size),
 * backends/vivado/passes/core_templates.py (activ_config), model/optimizer/passes/linear.py,
 * nnet_utils/nnet_activation*.h.
 */
import { UnsupportedError } from '../errors.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { ModelLayer } from '../graph/model.js';
import { sameShape } from '../import/keras-config.js';
import { activationTableIndex, leakyRelu, leakyReluAlphaRaw, linear, relu, sigmoid, tanh, type ActivationConfig } from '../kernels/activations.js';
import { binaryTanh, ternaryTanh } from '../kernels/activations-ext.js';
import { ACTIVATION_EXT_HEADER } from '../emit/cpp/activation-ext.js';
import { noteLutInput } from '../kernels/common.js';
import { prepareFastActivation } from '../kernels/fast/elementwise.js';
import { sigmoidTable, tanhTable } from '../kernels/tables.js';
import { frac, parseFixedType, type FixedType } from '../fixed/types.js';
import { Struct, tArg, warnInputType, type WeightArray } from '../emit/layers.js';
import { ACTIVATION_HEADER } from '../emit/cpp/elementwise.js';
import { checkInputLengths, checkLayout, checkTable, int, need, obj, rawList, runAll, sameRaw, types as caseTypes, x1, type Case } from '../conformance/kernel-case.js';
import { LayerCheck, lowered, reuseFactorOf, typed } from './common.js';
import type { ActivationSplit, FirmwareClassSpec, HlsClassSpec, HlsDraft, LayerModule, ModelClassSpec } from './spec.js';

/** The activations the Activation firmware class computes. */
export const ACTIVATIONS = ['linear', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'binary_tanh', 'ternary_tanh'] as const;
/** One of {@link ACTIVATIONS}. */
export type ActivationName = (typeof ACTIVATIONS)[number];

/** `activ_config` fields of a firmware activation. */
export interface ActivationFirmwareConfig {
  activation: ActivationName;
  n_in: number;
  table_size: number;
  reuse_factor: number;
  /** leaky_relu: the float literal hls4ml writes into the call, and/or its raw value in param_t. */
  alpha_literal?: number;
  alpha_raw?: number;
}

/** A firmware activation layer (`types.table` for the LUT ones, `types.param` for leaky_relu). */
export interface ActivationLayer extends FirmwareLayerBase<'Activation', ActivationFirmwareConfig, 'table' | 'param', never> {}

const DEFAULT_TABLE = 'fixed<18,8>';

// ---------------------------------------------------------------------------------------------
// The activation-split rule
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
export function splitLayer(l: ModelLayer, source: string, spec: ModelClassSpec): ActivationSplit | undefined {
  if (spec.activationSplit) return spec.activationSplit(l, source);
  const s = splitActivation(l, source, !!spec.splitsActivation);
  if (!s) return undefined;
  return { name: s.name, draft: activationDraft(s.name, s.activation), hlsClass: activationClass(s.activation), typeKey: s.activation === 'softmax' ? 'Softmax' : 'Activation' };
}

/** The hls4ml class an activation name becomes. */
export function activationClass(act: string): string {
  const a = act.toLowerCase();
  if (a === 'softmax') return 'Softmax';
  if (a === 'leaky_relu') return 'ParametrizedActivation';
  return 'Activation';
}

/**
 * The working-graph node of an activation (split from a layer or standalone).
 *
 * @throws {UnsupportedError} for activations the firmware cannot compute.
 */
export function activationDraft(where: string, act: string, alpha?: number): HlsDraft {
  const a = act.toLowerCase();
  if (a === 'softmax') return { cls: 'Softmax', attrs: { activation: 'softmax', axis: -1 } };
  if (a === 'leaky_relu') return { cls: 'ParametrizedActivation', attrs: { activation: 'leaky_relu', alpha: alpha ?? 0.2 } };
  if (!(ACTIVATIONS as readonly string[]).includes(a)) {
    throw new UnsupportedError(`${where}.activation`, `activation '${act}' is not supported (supported: ${[...ACTIVATIONS, 'softmax'].join(', ')})`);
  }
  return { cls: 'Activation', attrs: { activation: a } };
}

// ---------------------------------------------------------------------------------------------
// Float semantics
// ---------------------------------------------------------------------------------------------

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

function map(x: Float64Array, f: (v: number) => number): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]!);
  return y;
}

/** Softmax over the last axis (`channels` values per row), max-subtracted. */
export function floatSoftmax(x: Float64Array, channels: number): Float64Array {
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

/**
 * A Keras activation in float64 (`keras3` selects Keras 3's hard_sigmoid); `channels` is the last
 * axis (softmax).
 *
 * @example floatActivation('relu', 'd1', false)(x, 4);
 */
export function floatActivation(name: string, where: string, keras3: boolean, alpha?: number): (x: Float64Array, channels: number) => Float64Array {
  switch (name) {
    case 'linear':
      return (x) => x;
    case 'relu':
      return (x) => map(x, (v) => (v > 0 ? v : 0));
    case 'sigmoid':
      return (x) => map(x, (v) => 1 / (1 + Math.exp(-v)));
    case 'tanh':
      return (x) => map(x, Math.tanh);
    case 'softmax':
      return floatSoftmax;
    case 'hard_sigmoid':
      return keras3 ? (x) => map(x, (v) => Math.min(1, Math.max(0, v / 6 + 0.5))) : (x) => map(x, (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)));
    case 'softplus':
      return (x) => map(x, (v) => (v > 30 ? v : Math.log1p(Math.exp(v))));
    case 'softsign':
      return (x) => map(x, (v) => v / (1 + Math.abs(v)));
    case 'elu':
      return (x) => map(x, (v) => (v > 0 ? v : Math.expm1(v)));
    case 'selu':
      return (x) => map(x, (v) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)));
    case 'leaky_relu': {
      const a = alpha ?? 0.2;
      return (x) => map(x, (v) => (v >= 0 ? v : a * v));
    }
    default:
      throw new UnsupportedError(`${where}.activation`, `activation '${name}' is not supported by the float reference`);
  }
}

// ---------------------------------------------------------------------------------------------
// Model classes
// ---------------------------------------------------------------------------------------------

const activationModel: ModelClassSpec = {
  keras: { arity: 'one', attrs: (r) => ({ activation: r.activation() }), outputShape: sameShape },
  hlsClass: (l) => activationClass(l.attrs.activation ?? 'linear'),
  typeKey: (l) => (l.attrs.activation === 'softmax' ? 'Softmax' : 'Activation'),
  build: (l) => activationDraft(l.name, l.attrs.activation ?? 'linear'),
  float: (l, [x], ctx) => floatActivation(l.attrs.activation ?? 'linear', ctx.where, ctx.keras3)(x!, l.outputShape[l.outputShape.length - 1]!),
};

const reluModel: ModelClassSpec = {
  keras: {
    arity: 'one',
    attrs(r) {
      const maxValue = r.has('max_value') ? r.num('max_value') : null;
      return { maxValue, negativeSlope: r.num('negative_slope', 0), threshold: r.num('threshold', 0) };
    },
    outputShape: sameShape,
  },
  hlsClass: () => 'Activation',
  typeKey: () => 'ReLU',
  build(l, ctx) {
    if ((l.attrs.maxValue ?? null) !== null || (l.attrs.negativeSlope ?? 0) !== 0 || (l.attrs.threshold ?? 0) !== 0) {
      throw new UnsupportedError(ctx.where, 'ReLU with max_value, negative_slope or threshold is not supported');
    }
    return activationDraft(l.name, 'relu');
  },
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
  typeKey: () => 'LeakyReLU',
  build: (l) => activationDraft(l.name, 'leaky_relu', l.attrs.alpha ?? 0.3),
  float: (l, [x], ctx) => floatActivation('leaky_relu', ctx.where, ctx.keras3, l.attrs.alpha ?? 0.3)(x!, 1),
};

// ---------------------------------------------------------------------------------------------
// hls4ml classes
// ---------------------------------------------------------------------------------------------

const ACTIVATION_SETTINGS = [
  { name: 'reuse_factor', default: 1, backend: true },
  { name: 'table_size', default: 1024, backend: true },
] as const;

function lowerActivation(param: boolean): HlsClassSpec['lower'] {
  return (n, ctx): ActivationLayer => {
    const act = String(n.attrs.activation) as ActivationName;
    const types: ActivationLayer['types'] = { input: ctx.inputTypes[0]!, result: typed(n, 'result'), table: typed(n, 'table') } as ActivationLayer['types'];
    const config: ActivationFirmwareConfig = { activation: act, n_in: n.shapeIn[0]!.reduce((p, d) => p * d, 1), table_size: Number(n.settings.table_size ?? 1024), reuse_factor: reuseFactorOf(n) };
    if (param) {
      types.param = typed(n, 'param');
      config.alpha_literal = n.attrs.alpha as number;
    }
    return { ...lowered(n, ctx, 'Activation', config), types, weights: {} };
  };
}

const activationHls: HlsClassSpec = {
  types: [{ name: 'result' }, { name: 'table', default: DEFAULT_TABLE, backend: true }],
  settings: ACTIVATION_SETTINGS,
  // hls4ml's merge_linear_activation counts Activation and its subclasses among its safe parents.
  linearMergeParent: true,
  activationLike: true,
  lower: lowerActivation(false),
};

const parametrizedHls: HlsClassSpec = {
  types: [{ name: 'result' }, { name: 'param' }, { name: 'table', default: DEFAULT_TABLE, backend: true }],
  settings: ACTIVATION_SETTINGS,
  linearMergeParent: true,
  activationLike: true,
  lower: lowerActivation(true),
};

// ---------------------------------------------------------------------------------------------
// Firmware class
// ---------------------------------------------------------------------------------------------

function kernelCfg(L: ActivationLayer): ActivationConfig & { alpha?: number; alpha_raw?: number } {
  return { ...L.config, name: L.name, types: L.types, alpha: L.config.alpha_literal };
}

const firmware: FirmwareClassSpec<ActivationLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, ['activation', 'n_in', 'table_size', 'alpha_literal', 'alpha_raw', 'alpha']);
    const raw = String(c.cfg.activation ?? (L as unknown as { activation?: string }).activation ?? '').toLowerCase();
    const act = (raw === 'leakyrelu' ? 'leaky_relu' : raw) as ActivationName;
    if (!(ACTIVATIONS as readonly string[]).includes(act)) {
      throw new UnsupportedError(`${path}.config.activation`, `activation '${raw}' is not supported (${ACTIVATIONS.join(', ')}${raw === 'softmax' ? '; softmax layers have the class Softmax' : ''})`);
    }
    c.out(L.shapeIn);
    const config: ActivationFirmwareConfig = { activation: act, n_in: c.equal('n_in', c.size(L.shapeIn)), table_size: c.int('table_size', 1, 1024), reuse_factor: c.int('reuse_factor', 1, 1) };
    const types = { input: c.type('input'), result: c.type('result'), table: c.optType('table') ?? parseFixedType(DEFAULT_TABLE) } as ActivationLayer['types'];
    if (act === 'leaky_relu') {
      types.param = c.type('param');
      const lit = c.cfg.alpha_literal ?? c.cfg.alpha;
      if (lit !== undefined) config.alpha_literal = c.num(c.cfg.alpha_literal !== undefined ? 'alpha_literal' : 'alpha');
      if (c.cfg.alpha_raw !== undefined) config.alpha_raw = c.int('alpha_raw', Number.MIN_SAFE_INTEGER);
      leakyReluAlphaRaw({ name: path, alpha: config.alpha_literal, alpha_raw: config.alpha_raw, types });
    }
    return { ...L, cls: 'Activation', config: { ...config, io_type: c.io }, types, weights: {} };
  },
  reference(L) {
    const cfg = kernelCfg(L);
    const fn = { linear, relu, sigmoid, tanh, leaky_relu: leakyRelu, binary_tanh: binaryTanh, ternary_tanh: ternaryTanh }[L.config.activation];
    return (xs, s) => fn(cfg, xs[0]!, s ? { stats: s } : {});
  },
  fast(L, fo) {
    const act = L.config.activation;
    if (act === 'leaky_relu' || act === 'binary_tanh' || act === 'ternary_tanh') return { kernel: null, reason: `activation ${act}` };
    return prepareFastActivation(act, kernelCfg(L), fo);
  },
  luts(L) {
    const act = L.config.activation;
    if (act !== 'sigmoid' && act !== 'tanh') return [];
    const N = L.config.table_size;
    const R = act === 'sigmoid' ? 16 : 8;
    const fx = frac(L.types.input);
    return [
      {
        table: 'table',
        size: N,
        step: R / N,
        observe([x], use) {
          for (let i = 0; i < x!.length; i++) {
            const v = x![i]!;
            use.hits[activationTableIndex(v, fx, N, R)] = 1;
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
    let extra = '';
    if (act === 'leaky_relu') {
      const tp = L.types.param;
      const alphaRaw = leakyReluAlphaRaw({ name: L.name, alpha: L.config.alpha_literal, alpha_raw: L.config.alpha_raw, types: { param: tp } });
      typedefs.push([`${c}_param_t`, tp]);
      s.t('param_t', `${c}_param_t`);
      arrays.push({ name: `${c}_alpha`, elemType: `${c}_param_t`, type: tp, values: [alphaRaw] as ArrayLike<number>, scalar: true, description: `${L.name} alpha (param_t)` });
      extra = `, ${c}_alpha`;
    } else if (act === 'sigmoid' || act === 'tanh') {
      const tt = L.types.table;
      const size = L.config.table_size;
      const table = (act === 'sigmoid' ? sigmoidTable : tanhTable)({ name: L.name, table_size: size, types: { table: tt } });
      typedefs.push([`${c}_table_t`, tt]);
      s.u('table_size', size).t('table_t', `${c}_table_t`);
      arrays.push({ name: `${c}_table`, elemType: `${c}_table_t`, type: tt, values: table, description: `${L.name} ${act} table, entry i = ${act}(${act === 'sigmoid' ? 16 : 8}·(i − ${size / 2})/${size}) evaluated in float` });
      extra = `, ${c}_table`;
    }
    return {
      layer: L,
      cname: c,
      typedefs,
      structs: [s.text()],
      arrays,
      headers: act === 'binary_tanh' || act === 'ternary_tanh' ? [ACTIVATION_EXT_HEADER] : [ACTIVATION_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::${act}<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}${extra});`],
      summary: `Activation ${act}`,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Kernel reference vectors (`kernel: linear | relu | leaky_relu | sigmoid | tanh`)
// ---------------------------------------------------------------------------------------------

function checkActivationCase(c: Case, kind: Exclude<ActivationName, 'binary_tanh' | 'ternary_tanh'>): string | null {
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

/** The element-wise activation kind. */
export const activationModule = {
  kind: 'Activation',
  model: { Activation: activationModel, ReLU: reluModel, LeakyReLU: leakyModel },
  hls: { Activation: activationHls, ParametrizedActivation: parametrizedHls },
  firmware: { Activation: firmware },
  kernels: {
    linear: (c: Case) => checkActivationCase(c, 'linear'),
    relu: (c: Case) => checkActivationCase(c, 'relu'),
    leaky_relu: (c: Case) => checkActivationCase(c, 'leaky_relu'),
    sigmoid: (c: Case) => checkActivationCase(c, 'sigmoid'),
    tanh: (c: Case) => checkActivationCase(c, 'tanh'),
  },
} satisfies LayerModule;
