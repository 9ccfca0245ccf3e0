/**
 * BatchNormalization (Keras `BatchNormalization`, hls4ml `BatchNormalization`, `nnet::normalize`):
 * y = x·scale + bias per channel, with scale = γ/√(σ²+ε) and bias = β − scale·μ computed in float32
 * as hls4ml's parser does.
 *
 * hls4ml sources: converters/keras/core.py (parse_batchnorm_layer), model/layers.py
 * (BatchNormalization.initialize), model/optimizer/passes/bn_fuse.py (fusion into Dense/Conv),
 * batchnorm_opt.py (remove no-op BN), infer_precision.py (_infer_bn_precision),
 * backends/vivado/passes/core_templates.py (batchnorm_config), nnet_utils/nnet_batchnorm*.h.
 */
import { ConfigError, ShapeError, UnsupportedError, describeValue } from '../errors.js';
import { fixedType, frac, type FixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { ModelLayer } from '../graph/model.js';
import { last, normaliseAxis, type LayerConfigReader, type WeightSpec } from '../import/keras-config.js';
import { batchnorm, type BatchNormConfig } from '../kernels/batchnorm.js';
import type { RawInput } from '../kernels/common.js';
import { prepareFastBatchnorm } from '../kernels/fast/elementwise.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { BATCHNORM_HEADER } from '../emit/cpp/elementwise.js';
import { need, obj, rawList, runAll, types as caseTypes, x1, type Case } from '../conformance/kernel-case.js';
import { LayerCheck, lowered, rawWeights, reuseFactorOf, typed } from './common.js';
import { packedExponents, productConstant, productKind, productWeights } from './dense.js';
import { kindOf, setType, type HlsNode } from '../graph/hls-graph.js';
import type { FirmwareClassSpec, HlsClassSpec, InferContext, LayerModule, ModelClassSpec } from './spec.js';

/**
 * `batchnorm_config` fields. `n_filt` = −1: one scale per element; else index % n_filt. `product`
 * `weight_exponential` for power-of-two scales (the exponents are in `weights.scale`, raw of
 * `types.scale` = `ap_int<We>`, their sign bits in `weights.scale_sign`).
 */
export interface BatchNormFirmwareConfig {
  n_in: number;
  n_filt: number;
  n_scale_bias: number;
  reuse_factor: number;
  product: 'mult' | 'weight_exponential';
}

/** A firmware BatchNormalization layer (and the layers computed by `nnet::normalize`, such as ApplyAlpha). */
export type BnFamilyLayer<C extends string> = FirmwareLayerBase<C, BatchNormFirmwareConfig, 'scale' | 'bias', 'scale' | 'bias'> & { weights: { scale_sign?: Float64Array } };
/** A firmware BatchNormalization layer. */
export type BatchNormLayer = BnFamilyLayer<'BatchNormalization'>;

const f32 = Math.fround;

/**
 * A BatchNormalization's parameters as hls4ml reads them (float32, one per channel of `n`): γ = 1
 * without `scale`, β = 0 without `center`, ε as float32 (NumPy adds a Python float to a float32
 * array in float32).
 */
export function bnParams(l: ModelLayer, n = last(l.outputShape)): { gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array; eps: number } {
  const get = (k: string, fill: number): Float32Array => {
    const t = l.weights[k];
    if (!t) return new Float32Array(n).fill(fill);
    if (t.data.length !== n) throw new ConfigError(`${l.name}.${k}`, `expected ${n} values, got ${t.data.length}`);
    return Float32Array.from(t.data);
  };
  return {
    gamma: l.attrs.scale === false ? new Float32Array(n).fill(1) : get('gamma', 1),
    beta: l.attrs.center === false ? new Float32Array(n) : get('beta', 0),
    mean: get('moving_mean', 0),
    variance: get('moving_variance', 1),
    eps: f32(l.attrs.epsilon ?? 1e-3),
  };
}

/**
 * hls4ml's float32 folding of the moving statistics: scale = γ/√(σ²+ε), bias = β − scale·μ.
 *
 * @example bnScaleBias(layer).scale; // Float32Array, one per channel
 */
export function bnScaleBias(l: ModelLayer): { scale: Float32Array; bias: Float32Array } {
  const { gamma, beta, mean, variance, eps } = bnParams(l);
  const n = gamma.length;
  const scale = new Float32Array(n);
  const bias = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    scale[i] = f32(gamma[i]! / f32(Math.sqrt(f32(variance[i]! + eps))));
    bias[i] = f32(beta[i]! - f32(scale[i]! * mean[i]!));
  }
  return { scale, bias };
}

/** Keras' float64 inference form: y = (x − μ)·γ/√(σ²+ε) + β (the float reference and the profile). */
function kerasMoments(l: ModelLayer): { mean: Float64Array; mul: Float64Array; add: Float64Array } {
  const C = last(l.outputShape);
  const get = (k: string, d: number): ArrayLike<number> => {
    const t = l.weights[k];
    if (t && t.data.length !== C) throw new ShapeError(`${l.name}.${k}`, `expected ${C} values, got ${t.data.length}`);
    return t?.data ?? new Float64Array(C).fill(d);
  };
  const gamma = l.attrs.scale === false ? new Float64Array(C).fill(1) : get('gamma', 1);
  const beta = l.attrs.center === false ? new Float64Array(C) : get('beta', 0);
  const mean = Float64Array.from(get('moving_mean', 0));
  const variance = get('moving_variance', 1);
  const eps = l.attrs.epsilon ?? 1e-3;
  const mul = Float64Array.from({ length: C }, (_, c) => gamma[c]! / Math.sqrt(variance[c]! + eps));
  return { mean, mul, add: Float64Array.from(beta) };
}

function bnAxis(r: LayerConfigReader, rank: number): void {
  let axis = r.config['axis'];
  if (axis === undefined || axis === null) return;
  if (Array.isArray(axis)) {
    if (axis.length !== 1) throw new UnsupportedError(r.field('axis'), `normalisation over several axes ${describeValue(axis)} is not supported`);
    axis = axis[0];
  }
  if (typeof axis !== 'number') throw new ConfigError(r.field('axis'), `expected an integer, got ${describeValue(axis)}`);
  if (normaliseAxis(axis, rank, r.field('axis')) !== -1) {
    throw new UnsupportedError(r.field('axis'), `BatchNormalization over axis ${axis} is not supported (last axis only)`);
  }
}

const model: ModelClassSpec = {
  keras: {
    arity: 'one',
    aliases: ['BatchNormalizationV1', 'BatchNormalizationV2', 'SyncBatchNormalization'],
    attrs(r) {
      if (r.bool('renorm', false)) throw new UnsupportedError(r.field('renorm'), 'batch renormalisation is not supported');
      return { epsilon: r.num('epsilon', 1e-3), center: r.bool('center', true), scale: r.bool('scale', true) };
    },
    outputShape([x = []], _a, r) {
      bnAxis(r, x.length);
      return [...x];
    },
    weights(a, [x = []]) {
      const c = [last(x)];
      const w: WeightSpec[] = [];
      if (a.scale) w.push({ name: 'gamma', shape: c });
      if (a.center) w.push({ name: 'beta', shape: c });
      w.push({ name: 'moving_mean', shape: c }, { name: 'moving_variance', shape: c });
      return w;
    },
  },
  hlsClass: () => 'BatchNormalization',
  typeKey: () => 'BatchNormalization',
  equalize: 'absorber',
  build(l) {
    const { scale, bias } = bnScaleBias(l);
    return { cls: 'BatchNormalization', attrs: { ...l.attrs }, weights: { scale: { data: scale, shape: [scale.length] }, bias: { data: bias, shape: [bias.length] } } };
  },
  float(l, [x]) {
    const { mean, mul, add } = kerasMoments(l);
    const C = mul.length;
    const y = new Float64Array(x!.length);
    for (let i = 0; i < y.length; i++) y[i] = (x![i]! - mean[i % C]!) * mul[i % C]! + add[i % C]!;
    return y;
  },
  profileWeights(l) {
    const { mean, mul, add } = kerasMoments(l);
    return [
      { tensor: 'scale', values: mul },
      { tensor: 'bias', values: Float64Array.from(add, (b, c) => b - mul[c]! * mean[c]!) },
    ];
  },
};

/**
 * hls4ml's `_infer_bn_precision`: scale and bias 'auto' → Model default; result holds every bit of
 * `x·scale + bias` when input, scale and bias are fixed/integer, else the Model default.
 */
export function inferBatchNorm(n: HlsNode, [x]: FixedType[], ctx: InferContext): void {
  for (const k of ['scale', 'bias'] as const) if (n.types[k] === 'auto') setType(n, k, ctx.modelDefault);
  if (n.types.result !== 'auto') return;
  if (![ctx.inputKinds?.[0] ?? 'fixed', kindOf(n, 'scale'), kindOf(n, 'bias')].every((k) => k === 'fixed' || k === 'integer')) return;
  const sc = n.types.scale as FixedType;
  const b = n.types.bias as FixedType;
  const as = sc.signed || x!.signed;
  const aW = x!.W + sc.W;
  const aI = x!.I + sc.I;
  const s = as || b.signed;
  const I = Math.max(aI + (b.signed && !as ? 1 : 0), b.I + (as && !b.signed ? 1 : 0)) + 1;
  const W = I + Math.max(aW - aI, frac(b));
  const m = ctx.maxPrecision;
  n.types.result = fixedType(s, m ? Math.min(W, m.W) : W, m ? Math.min(I, m.I) : I);
}

/**
 * The hls4ml class of BatchNormalization or a subclass computed by `nnet::normalize`
 * (ApplyAlpha): types, 'auto' inference, pass roles and the lowering to firmware class `cls`.
 */
export function bnFamilyHls<C extends string>(cls: C): HlsClassSpec {
  return {
    types: [{ name: 'result' }, { name: 'scale' }, { name: 'bias' }],
    settings: [{ name: 'reuse_factor', default: 1, backend: true }],
    linearMergeParent: true,
    batchNormLike: true,
    infer: inferBatchNorm,
    lower(n, ctx): BnFamilyLayer<C> {
      const scale = typed(n, 'scale');
      const bias = typed(n, 'bias');
      const product = productKind(n.name, ctx.inputKinds?.[0] ?? 'fixed', kindOf(n, 'scale'), scale);
      if (product !== 'mult' && product !== 'weight_exponential') {
        throw new UnsupportedError(`${n.name}.scale`, `a ${n.cls} with ${product} products (binary scale or data) is not supported`);
      }
      const s = productWeights(n, 'scale', scale, product);
      const b = rawWeights(n, 'bias', bias);
      const shape = n.shapeIn[0]!;
      const nIn = shape.reduce((p, d) => p * d, 1);
      const nFilt = typeof n.attrs.n_filt === 'number' ? n.attrs.n_filt : shape.length > 1 ? last(shape) : -1;
      const nsb = nFilt === -1 ? nIn : nFilt;
      if (s.raw.length !== nsb || b.raw.length !== nsb) {
        throw new ShapeError(`${n.name}.scale`, `expected ${nsb} scale and bias values (${nFilt === -1 ? 'one per element' : 'one per channel'}), got ${s.raw.length} and ${b.raw.length}`);
      }
      return {
        ...lowered(n, ctx, cls, { n_in: nIn, n_filt: nFilt, n_scale_bias: nsb, reuse_factor: reuseFactorOf(n), product }),
        types: { input: ctx.inputTypes[0]!, result: typed(n, 'result'), scale, bias },
        weights: s.sign ? { scale: s.raw, bias: b.raw, scale_sign: s.sign } : { scale: s.raw, bias: b.raw },
        text: { scale: s.text, bias: b.text },
      };
    },
  };
}

/** The firmware class of a BatchNormalization-family layer (`nnet::normalize`). */
export function bnFamilyFirmware<C extends string>(cls: C): FirmwareClassSpec<BnFamilyLayer<C>> {
  const kernelCfg = (L: BnFamilyLayer<C>): BatchNormConfig => {
    const k: BatchNormConfig = { ...L.config, name: L.name, types: L.types };
    if (L.weights.scale_sign) k.scale_sign = L.weights.scale_sign;
    return k;
  };
  return {
    /** One product (input × scale) and one addition (+ bias) per element. */
    macs: (L) => L.config.n_in,
    check(L, path) {
      const c = new LayerCheck(L, path, ['n_in', 'n_filt', 'n_scale_bias', 'product', 'stream_pack_size']);
      const n = c.size(L.shapeIn);
      c.out(L.shapeIn);
      const nFilt = c.int('n_filt', -1, L.shapeIn.length > 1 ? last(L.shapeIn) : -1);
      if (nFilt === 0) throw new ShapeError(`${path}.config.n_filt`, 'must be -1 or a positive integer, got 0');
      const nsb = c.int('n_scale_bias', 1, nFilt === -1 ? n : nFilt);
      if (nsb < (nFilt === -1 ? n : nFilt)) throw new ShapeError(`${path}.config.n_scale_bias`, `needs at least ${nFilt === -1 ? n : nFilt} values, got ${nsb}`);
      const config: BatchNormFirmwareConfig = { n_in: c.equal('n_in', n), n_filt: nFilt, n_scale_bias: nsb, reuse_factor: c.int('reuse_factor', 1, 1), product: c.choice('product', ['mult', 'weight_exponential'] as const, 'mult') };
      const weights: BnFamilyLayer<C>['weights'] = { scale: c.weight('scale', nsb), bias: c.weight('bias', nsb) };
      if (config.product === 'weight_exponential') weights.scale_sign = c.weight('scale_sign', nsb);
      return {
        ...L,
        cls,
        config: { ...config, io_type: c.io },
        types: { input: c.type('input'), result: c.type('result'), scale: c.type('scale'), bias: c.type('bias') },
        weights,
      } as BnFamilyLayer<C>;
    },
    reference(L) {
      const cfg = kernelCfg(L);
      return (xs, s) => batchnorm(cfg, xs[0]!, L.weights.scale, L.weights.bias, s ? { stats: s } : {});
    },
    fast: (L, fo) => prepareFastBatchnorm(kernelCfg(L), L.weights.scale, L.weights.bias, fo),
    emit(L, { ctx, cname: c, ins }) {
      const inT = ins[0]!;
      warnInputType(ctx, L, 'input', inT);
      const { n_in: n, n_filt: nFilt, product } = L.config;
      if (ctx.io === 'io_stream' && nFilt !== -1 && inT.wordSize % nFilt !== 0) {
        throw new UnsupportedError(`${L.name}.config.n_filt`, `io_stream words of ${inT.wordSize} values are not a multiple of n_filt=${nFilt}`);
      }
      const { scale: ts, bias: tb } = L.types;
      const s = new Struct(`config_${c}`, `${L.name}: ${cls} over ${n} values, ${nFilt === -1 ? 'per element' : `per channel (${nFilt})`}${product === 'mult' ? '' : ', power-of-two scales'}`)
        .u('n_in', n)
        .i('n_filt', nFilt)
        .u('n_scale_bias', L.weights.scale.length)
        .u('reuse_factor', L.config.reuse_factor)
        .t('scale_t', `${c}_scale_t`)
        .t('weight_t', `${c}_scale_t`)
        .t('bias_t', `${c}_bias_t`);
      if (product !== 'mult') s.u('product_kind', productConstant(product));
      const packed = product === 'weight_exponential' ? packedExponents(L.weights.scale, L.weights.scale_sign!, ts) : undefined;
      return {
        layer: L,
        cname: c,
        typedefs: [
          [`${c}_scale_t`, ts],
          [`${c}_bias_t`, tb],
        ],
        structs: [s.text()],
        arrays: [
          { name: `${c}_s`, elemType: `${c}_scale_t`, type: packed?.type ?? ts, values: packed?.values ?? L.weights.scale, description: `${L.name} scale${packed ? ' as 2 * exponent + sign' : ''}` },
          { name: `${c}_b`, elemType: `${c}_bias_t`, type: tb, values: L.weights.bias, description: `${L.name} bias` },
        ],
        headers: [BATCHNORM_HEADER],
        call: (is, iv, out, ov) => [`hlsemu::batchnorm<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}, ${c}_s, ${c}_b);`],
        summary: `${cls} (${nFilt === -1 ? 'per element' : `${nFilt} channels`}${packed ? ', power-of-two scales' : ''})`,
      };
    },
  };
}

function checkBatchnormCase(c: Case): string | null {
  const cfg = obj(c, 'config');
  const t = caseTypes(c);
  need(t, 'input', 'scale', 'bias', 'result');
  const s = rawList(c.scale, 'scale') as RawInput;
  const b = rawList(c.bias, 'bias') as RawInput;
  const kcfg = { ...cfg, name: 'batchnorm', types: t } as never;
  return runAll(c, 'batchnorm', (x, i) => batchnorm(kcfg, x1(x, i), s, b));
}

/** The BatchNormalization layer kind. */
export const batchnormModule = {
  kind: 'BatchNormalization',
  model: { BatchNormalization: model },
  hls: { BatchNormalization: bnFamilyHls('BatchNormalization') },
  firmware: { BatchNormalization: bnFamilyFirmware('BatchNormalization') },
  kernels: { batchnorm: checkBatchnormCase },
} satisfies LayerModule;
