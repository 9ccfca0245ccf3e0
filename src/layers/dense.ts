/**
 * Dense (Keras `Dense`, hls4ml `Dense`, `nnet::dense`): y = x·W + b on a rank-1 input.
 *
 * hls4ml sources: converters/keras/core.py (parse_dense_layer), model/layers.py (Dense),
 * backends/fpga/fpga_backend.py (accum, reuse_factor), model/optimizer/passes/infer_precision.py
 * (_infer_dense_precision), backends/vivado/passes/core_templates.py (dense_config),
 * backends/vivado/vivado_backend.py + passes/resource_strategy.py (Resource: weights transposed to
 * `j·n_in + i`, reuse factor validated), templates/vivado/nnet_utils/nnet_dense*.h.
 */
import { ShapeError, UnsupportedError } from '../errors.js';
import { fixedType, frac, type FixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { HlsNode } from '../graph/hls-graph.js';
import type { ModelLayer } from '../graph/model.js';
import { last, type LayerConfigReader, type WeightSpec } from '../import/keras-config.js';
import { DenseKernel, PRODUCT_KINDS, denseAccumulationOrder, type DenseConfig, type ProductKind } from '../kernels/dense.js';
import { quantizeDouble } from '../fixed/quantize.js';
import { kindOf, setType } from '../graph/hls-graph.js';
import { quantizerType, type PrecisionKind } from '../graph/model.js';
import { po2Encode } from '../import/qkeras/quantizers.js';
import { prepareFastDense } from '../kernels/fast/dense.js';
import { validReuseFactor } from '../kernels/reuse-factor.js';
import { denseStruct, tArg, warnInputType } from '../emit/layers.js';
import { DENSE_HEADER } from '../emit/cpp/dense.js';
import { need, num, obj, rawList, runAll, types as caseTypes, x1, type Case } from '../conformance/kernel-case.js';
import type { RawInput } from '../kernels/common.js';
import { LayerCheck, countZeros, lowered, permuted, rawWeights, reuseFactorOf, strategyOf, transposeOrder, typed } from './common.js';
import type { FirmwareClassSpec, HlsClassSpec, HlsDraft, InferContext, LayerModule, ModelClassSpec } from './spec.js';

/**
 * A firmware Dense layer. `weights.weight` is the C array: latency `i·n_out + j`, resource
 * `j·n_in + i`. With product `weight_exponential` (power-of-two weights) `weights.weight` holds the
 * exponents (raw of `types.weight` = `ap_int<We>`) and `weights.weight_sign` the sign bits
 * (1 = +, 0 = −), in the same order.
 */
export type DenseLayer = FirmwareLayerBase<'Dense', DenseFirmwareConfig, 'weight' | 'bias' | 'accum', 'weight' | 'bias'> & { weights: { weight_sign?: Float64Array } };

/** The `dense_config` fields of a firmware Dense layer. */
export interface DenseFirmwareConfig {
  n_in: number;
  n_out: number;
  strategy: 'latency' | 'resource';
  /** The effective reuse factor (hls4ml replaces an invalid Resource one by the closest valid). */
  reuse_factor: number;
  reuse_factor_requested?: number;
  n_zeros: number;
  product: ProductKind;
  /** The C++ kernel class hls4ml picks (informational). */
  kernel?: string;
}

const f32 = Math.fround;

// ---------------------------------------------------------------------------------------------
// Shared with the convolutions: 'auto' inference of a multiply-accumulate layer and bias handling
// ---------------------------------------------------------------------------------------------

function clip(W: number, I: number, s: boolean, maxP: FixedType | undefined): FixedType {
  return fixedType(s, maxP ? Math.min(W, maxP.W) : W, maxP ? Math.min(I, maxP.I) : I);
}

/**
 * hls4ml's `_infer_dense_precision` / `_infer_conv_precision`: accum and result hold every
 * product bit plus log2(nOps) carry bits and the bias, clipped to `Model.Precision.maximum`.
 *
 * @example inferMac(node, inputType, 16, ctx); // node.types.accum / result set where 'auto'
 */
export function inferMac(n: HlsNode, x: FixedType, nOps: number, ctx: InferContext): void {
  for (const k of ['weight', 'bias'] as const) {
    if (n.types[k] !== 'auto') continue;
    // a quantized weight's type is its quantizer's (hls4ml's _infer_common_precision)
    const q = n.quantizers?.[k];
    if (q) {
      const { type, kind } = quantizerType(q);
      setType(n, k, type, kind);
    } else setType(n, k, ctx.modelDefault);
  }
  // Xnor / exponent types (input, weight or bias) are not inferred from: accum and result take the default.
  if (![ctx.inputKinds?.[0] ?? 'fixed', kindOf(n, 'weight'), kindOf(n, 'bias')].every((k) => k === 'fixed' || k === 'integer')) return;
  const w = n.types.weight as FixedType;
  const b = n.types.bias as FixedType;
  const e = Math.ceil(Math.log2(nOps));
  let W = w.W + x.W + e;
  let I = w.I + x.I + e;
  let s = w.signed || x.signed;
  const F = W - I;
  I = Math.max(I + (b.signed && !s ? 1 : 0), b.I + (s && !b.signed ? 1 : 0)) + 1;
  W = I + Math.max(F, frac(b));
  s = s || b.signed;
  const t = clip(W, I, s, ctx.maxPrecision);
  if (n.types.accum === 'auto') n.types.accum = t;
  if (n.types.result === 'auto') n.types.result = t;
}

/** The float weights of a Dense/Conv node (a missing bias becomes zeros typed `ap_uint<1>`, as hls4ml's add_bias does). */
export function macWeights(l: ModelLayer, where: string): Pick<HlsDraft, 'weights' | 'types' | 'attrs'> {
  const k = l.weights.kernel;
  if (!k) throw new ShapeError(`${where}.kernel`, 'missing kernel weights');
  const nOut = last(l.outputShape);
  if (l.weights.bias && l.attrs.useBias !== false) {
    return { attrs: { ...l.attrs }, weights: { weight: { data: k.data, shape: k.shape }, bias: { data: l.weights.bias.data, shape: l.weights.bias.shape } } };
  }
  return {
    attrs: { ...l.attrs, noBias: true },
    weights: { weight: { data: k.data, shape: k.shape }, bias: { data: new Float64Array(nOut), shape: [nOut] } },
    types: { bias: fixedType(false, 1, 1) },
  };
}

/**
 * hls4ml's `product_type(input, weight)` (backends/fpga/fpga_backend.py): the product a Dense/Conv
 * (or BatchNormalization, with its scale as the weight) uses, from the precision classes.
 *
 * @throws {UnsupportedError} for an exponent-typed input (hls4ml asserts).
 */
export function productKind(where: string, input: PrecisionKind, weightKind: PrecisionKind, weight: FixedType): ProductKind {
  if (input === 'exponent') throw new UnsupportedError(where, 'power-of-two (exponent) data is not supported by hls4ml (only exponent weights)');
  if (weightKind === 'exponent') return 'weight_exponential';
  if (weightKind === 'xnor' && input === 'xnor') return 'both_binary';
  if (weightKind === 'xnor') return 'weight_binary';
  if (input === 'xnor') return 'data_binary';
  if (weightKind === 'integer' && weight.W === 2 && weight.signed) return 'weight_ternary';
  return 'mult';
}

/**
 * A node's weight array as the firmware holds it for `product`: raw mantissas printed and read back
 * as hls4ml does, or — for power-of-two weights — the exponents and sign bits hls4ml prints as
 * `{sign, exponent}` (sign 0 for negative values, exponent = trunc(log2|v|), read into the exponent type).
 */
export function productWeights(n: HlsNode, key: string, t: FixedType, product: ProductKind | 'mult'): { raw: Float64Array; text: string[]; sign?: Float64Array } {
  if (product !== 'weight_exponential') return rawWeights(n, key, t);
  const w = n.weights[key];
  if (!w) throw new ShapeError(`${n.name}.${key}`, 'missing weights');
  const enc = po2Encode(w.data, `${n.name}.${key}`);
  const raw = Float64Array.from(enc.exponent, (e) => quantizeDouble(e, t));
  const sign = Float64Array.from(enc.sign);
  return { raw, sign, text: Array.from(enc.exponent, (e, i) => `{${enc.sign[i] === 1 ? '1.0' : '0.0'}, ${e}}`) };
}

/**
 * Warnings for products where hls4ml's arithmetic departs from the source model: Xnor data is
 * read as 0/1 by the power-of-two product (0 should stand for −1), and the Xnor × Xnor result
 * `2·acc − n_in` doubles the bias (and drops its fraction).
 */
export function productWarnings(n: HlsNode, product: ProductKind, inputKind: PrecisionKind, bias: Float64Array, warn: (t: string) => void): void {
  if (product === 'weight_exponential' && inputKind === 'xnor') {
    warn(`${n.name}: power-of-two weights on Xnor data: hls4ml's weight_exponential product shifts the stored bit, so an input 0 counts as 0 instead of −1`);
  }
  if (product === 'both_binary' && bias.some((b) => b !== 0)) {
    warn(`${n.name}: binary weights on Xnor data with a bias: hls4ml's result 2·acc − n_in (in ap_int) doubles the bias and truncates its fraction`);
  }
}

/** The C++ `product_kind` constant of a product (hlsemu_product.h). */
export function productConstant(p: ProductKind): string {
  return `hlsemu::product_${p}`;
}

/** The packed raw array of power-of-two weights the C++ kernels read (2·exponent + sign) and its storage type. */
export function packedExponents(exps: Float64Array, signs: Float64Array, t: FixedType): { values: Float64Array; type: FixedType } {
  return { values: Float64Array.from(exps, (e, i) => 2 * e + signs[i]!), type: fixedType(true, t.W + 1, t.W + 1) };
}

/** Profile tensors of a Dense/Conv layer: the kernel and (when used) the bias. */
export function macProfileWeights(l: ModelLayer): { tensor: string; values: Float64Array }[] {
  const out: { tensor: string; values: Float64Array }[] = [];
  if (l.weights.kernel) out.push({ tensor: 'weight', values: Float64Array.from(l.weights.kernel.data) });
  if (l.weights.bias && l.attrs.useBias !== false) out.push({ tensor: 'bias', values: Float64Array.from(l.weights.bias.data) });
  return out;
}

/** Float weights of a layer as float64, checked for size. */
export function floatWeights(l: ModelLayer, key: string, expected: number): Float64Array | undefined {
  const t = l.weights[key];
  if (!t) return undefined;
  if (t.data.length !== expected) throw new ShapeError(`${l.name}.${key}`, `expected ${expected} values, got ${t.data.length}`);
  return t.data instanceof Float64Array ? t.data : Float64Array.from(t.data);
}

/** The precision variables of Dense and the convolutions (hls4ml's declaration order). */
export const MAC_TYPES = [{ name: 'result' }, { name: 'weight' }, { name: 'bias' }, { name: 'accum', backend: true }] as const;

// ---------------------------------------------------------------------------------------------
// Model class
// ---------------------------------------------------------------------------------------------

const keras: NonNullable<ModelClassSpec['keras']> = {
  arity: 'one',
  attrs: (r: LayerConfigReader) => ({ units: r.int('units'), activation: r.activation(), useBias: r.bool('use_bias', true) }),
  outputShape([x = []], a, r) {
    if (x.length < 1) throw new ShapeError(r.where, 'Dense needs an input of rank >= 1');
    return [...x.slice(0, -1), a.units!];
  },
  weights(a, [x = []]) {
    const w: WeightSpec[] = [{ name: 'kernel', shape: [last(x), a.units!] }];
    if (a.useBias) w.push({ name: 'bias', shape: [a.units!] });
    return w;
  },
};

const model: ModelClassSpec = {
  keras,
  hlsClass: () => 'Dense',
  typeKey: () => 'Dense',
  splitsActivation: true,
  equalize: 'producer',
  build(l, ctx) {
    if (l.inputShapes[0]!.length !== 1) throw new UnsupportedError(ctx.where, `Dense on a ${l.inputShapes[0]!.length}-D input is not supported (flatten first)`);
    return { cls: 'Dense', ...macWeights(l, ctx.where) };
  },
  float(l, [x], ctx) {
    const inS = l.inputShapes[0] ?? [];
    const nIn = last(inS);
    const units = l.attrs.units ?? last(l.outputShape);
    const k = floatWeights(l, 'kernel', nIn * units);
    if (!k) throw new ShapeError(`${l.name}.kernel`, 'missing kernel weights');
    const b = l.attrs.useBias === false ? undefined : floatWeights(l, 'bias', units);
    const rows = (ctx.n * inS.reduce((p, d) => p * d, 1)) / nIn;
    const y = new Float64Array(rows * units);
    for (let r = 0; r < rows; r++) {
      const yo = r * units;
      if (b) for (let j = 0; j < units; j++) y[yo + j] = b[j]!;
      for (let i = 0; i < nIn; i++) {
        const v = x![r * nIn + i]!;
        if (v === 0) continue;
        const ko = i * units;
        for (let j = 0; j < units; j++) y[yo + j]! += v * k[ko + j]!;
      }
    }
    return y;
  },
  profileWeights: macProfileWeights,
  accumRange: () => ({ of: 'products' }),
};

// ---------------------------------------------------------------------------------------------
// hls4ml class
// ---------------------------------------------------------------------------------------------

const hls: HlsClassSpec = {
  types: MAC_TYPES,
  settings: [{ name: 'reuse_factor', default: 1, backend: true }],
  bnFusionParent: true,
  linearMergeParent: true,
  infer(n, [x], ctx) {
    inferMac(n, x!, n.shapeIn[0]![0]!, ctx);
  },
  lower(n, ctx): DenseLayer {
    const weight = typed(n, 'weight');
    const bias = typed(n, 'bias');
    const nIn = n.shapeIn[0]![0]!;
    const nOut = n.shapeOut[0]!;
    const product = productKind(n.name, ctx.inputKinds?.[0] ?? 'fixed', kindOf(n, 'weight'), weight);
    const pw = productWeights(n, 'weight', weight, product);
    let w: { raw: Float64Array; text: string[] } = pw;
    let sign = pw.sign;
    const b = rawWeights(n, 'bias', bias);
    productWarnings(n, product, ctx.inputKinds?.[0] ?? 'fixed', b.raw, ctx.warn);
    const strategy = strategyOf(n);
    const rfRequested = reuseFactorOf(n);
    const rf = strategy === 'resource' ? validReuseFactor(nIn, nOut, rfRequested) : rfRequested;
    if (rf !== rfRequested) ctx.change(`${n.name}: ReuseFactor ${rfRequested} is not valid for ${nIn}x${nOut}; using ${rf}`);
    const nZeros = product === 'mult' || product === 'weight_ternary' ? countZeros(w.raw) : 0;
    if (strategy === 'resource') {
      const order = transposeOrder(nIn, nOut);
      w = permuted(w, order);
      if (sign) sign = Float64Array.from(order, (k) => sign![k]!);
    }
    const kernel = strategy === 'resource' ? (rf <= nIn ? 'nnet::DenseResource_rf_leq_nin' : rf % nIn === 0 ? 'nnet::DenseResource_rf_gt_nin_rem0' : 'nnet::DenseResource_rf_gt_nin') : 'nnet::DenseLatency';
    return {
      ...lowered(n, ctx, 'Dense', { n_in: nIn, n_out: nOut, strategy, reuse_factor: rf, reuse_factor_requested: rfRequested, n_zeros: nZeros, product, kernel }),
      types: { input: ctx.inputTypes[0]!, result: typed(n, 'result'), weight, bias, accum: typed(n, 'accum') },
      weights: sign ? { weight: w.raw, bias: b.raw, weight_sign: sign } : { weight: w.raw, bias: b.raw },
      text: { weight: w.text, bias: b.text },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Firmware class
// ---------------------------------------------------------------------------------------------

function kernelConfig(L: DenseLayer): DenseConfig {
  const c = L.config;
  const k: DenseConfig = { name: L.name, n_in: c.n_in, n_out: c.n_out, strategy: c.strategy, reuse_factor: c.reuse_factor, product: c.product, types: L.types };
  if (L.weights.weight_sign) k.weight_sign = L.weights.weight_sign;
  return k;
}

/** The Resource-strategy order the C++ loop uses must be the emulator's (hls4ml's) order. */
function checkResourceOrder(L: DenseLayer): void {
  const { n_in: nIn, n_out: nOut, reuse_factor: rf } = L.config;
  const order = denseAccumulationOrder({ name: L.name, n_in: nIn, n_out: nOut, strategy: 'resource', reuse_factor: rf });
  const N = nIn * nOut;
  const per = Math.ceil(N / rf);
  let p = 0;
  for (let ir = 0; ir < rf; ir++) {
    for (let im = 0; im < per; im++) {
      const k = ir + im * rf;
      if (k >= N) continue;
      if (order[p] !== k % nIn || order[p + 1] !== k || order[p + 2] !== Math.floor(k / nIn)) {
        throw new UnsupportedError(`${L.name}.config.reuse_factor`, `reuse_factor ${rf} with n_in=${nIn}, n_out=${nOut} accumulates in an order the emitted Resource kernel does not reproduce; use a valid reuse factor`);
      }
      p += 3;
    }
  }
}

const firmware: FirmwareClassSpec<DenseLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, ['n_in', 'n_out', 'strategy', 'reuse_factor_requested', 'n_zeros', 'product', 'kernel', 'weight_layout', 'activation', 'n_nonzeros', 'multiplier_limit']);
    const [nIn] = c.rank(1) as [number];
    c.out([c.L.shapeOut[0]!]);
    const nOut = L.shapeOut[0]!;
    const config: DenseFirmwareConfig = {
      n_in: c.equal('n_in', nIn),
      n_out: c.equal('n_out', nOut),
      strategy: c.choice('strategy', ['latency', 'resource'] as const, 'latency'),
      reuse_factor: c.int('reuse_factor', 1, 1),
      n_zeros: c.int('n_zeros', 0, 0),
      product: c.choice('product', PRODUCT_KINDS, 'mult'),
    };
    const rq = c.int('reuse_factor_requested', 1, config.reuse_factor);
    if (rq !== config.reuse_factor) config.reuse_factor_requested = rq;
    if (typeof c.cfg.kernel === 'string') config.kernel = c.cfg.kernel;
    const weight = c.weight('weight', nIn * nOut);
    const bias = c.weight('bias', nOut);
    const weights: DenseLayer['weights'] = { weight, bias };
    if (config.product === 'weight_exponential') weights.weight_sign = c.weight('weight_sign', nIn * nOut);
    return {
      ...L,
      cls: 'Dense',
      config: { ...config, io_type: c.io },
      types: { input: c.type('input'), result: c.type('result'), weight: c.type('weight'), bias: c.type('bias'), accum: c.type('accum') },
      weights,
    };
  },
  reference(L) {
    const k = new DenseKernel(kernelConfig(L), L.weights.weight, L.weights.bias);
    return (xs, s) => k.run(xs[0]!, s ? { stats: s } : {});
  },
  fast: (L, fo) => prepareFastDense(kernelConfig(L), L.weights.weight, L.weights.bias, fo),
  emit(L, { ctx, cname: c, ins }) {
    const inT = ins[0]!;
    const { n_in: nIn, n_out: nOut, strategy, reuse_factor: rf } = L.config;
    const product = L.config.product;
    if (nIn !== inT.size) throw new ShapeError(`${L.name}.config.n_in`, `is ${nIn} but the input has ${inT.size} elements`);
    warnInputType(ctx, L, 'input', inT);
    if (strategy === 'resource') checkResourceOrder(L);
    const { weight: tw, bias: tb, accum: ta } = L.types;
    const s = denseStruct(`config_${c}`, `${L.name}: Dense ${nIn} -> ${nOut}, ${strategy}, reuse factor ${rf}${product === 'mult' ? '' : `, product ${product}`}`, c, nIn, nOut, strategy, rf, product === 'mult' || product === 'weight_ternary' ? countZeros(L.weights.weight) : 0);
    if (product !== 'mult') s.u('product_kind', productConstant(product));
    const packed = product === 'weight_exponential' ? packedExponents(L.weights.weight, L.weights.weight_sign!, tw) : undefined;
    return {
      layer: L,
      cname: c,
      typedefs: [
        [`${c}_weight_t`, tw],
        [`${c}_bias_t`, tb],
        [`${c}_accum_t`, ta],
      ],
      structs: [s.text()],
      arrays: [
        { name: `${c}_w`, elemType: `${c}_weight_t`, type: packed?.type ?? tw, values: packed?.values ?? L.weights.weight, description: `${strategy === 'resource' ? `${L.name} weights, w[j * ${nIn} + i] (transposed for the Resource strategy)` : `${L.name} weights, w[i * ${nOut} + j]`}${packed ? ' as 2 * exponent + sign' : ''}` },
        { name: `${c}_b`, elemType: `${c}_bias_t`, type: tb, values: L.weights.bias, description: `${L.name} biases` },
      ],
      headers: [DENSE_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::dense<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}, ${c}_w, ${c}_b);`],
      summary: `Dense ${nIn} -> ${nOut} (${strategy}, RF ${rf})`,
    };
  },
  macs: (L) => L.config.n_in * L.config.n_out,
};

// ---------------------------------------------------------------------------------------------
// Kernel reference vectors (`kernel: dense`)
// ---------------------------------------------------------------------------------------------

function checkDenseCase(c: Case): string | null {
  const cfg = obj(c, 'config');
  const t = caseTypes(c);
  need(t, 'input', 'weight', 'bias', 'accum', 'result');
  const k = new DenseKernel(
    { name: 'dense', n_in: num(cfg, 'n_in'), n_out: num(cfg, 'n_out'), strategy: cfg.strategy as string, reuse_factor: cfg.reuse_factor as number, product: cfg.product as string, types: t as never },
    rawList(c.weights, 'weights') as RawInput,
    rawList(c.bias, 'bias') as RawInput,
  );
  return runAll(c, 'dense', (x, i) => k.run(x1(x, i)));
}

/** The Dense layer kind. */
export const denseModule = {
  kind: 'Dense',
  model: { Dense: model },
  hls: { Dense: hls },
  firmware: { Dense: firmware },
  kernels: { dense: checkDenseCase },
} satisfies LayerModule;
