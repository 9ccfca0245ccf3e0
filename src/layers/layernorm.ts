/**
 * LayerNormalization (Keras `LayerNormalization` over the last axis of a (seq_len, dim) input; hls4ml
 * `LayerNormalization`, `nnet::layernormalize`, io_parallel only).
 *
 * hls4ml sources: converters/keras/core.py (parse_layernorm_layer; Keras 3 uses it through the v2
 * fallback), model/layers.py (LayerNormalization), backends/fpga/fpga_backend.py (accum, table_t,
 * table_size, table_range_power2; `_set_accum_t` runs first, so accum is the Model default unless
 * configured), model/optimizer/passes/infer_precision.py (_infer_bn_precision),
 * backends/vivado/passes/core_templates.py (layernorm_config), nnet_utils/nnet_layernorm.h.
 */
import { ShapeError, UnsupportedError, FormatError } from '../errors.js';
import { fixedType, frac, type FixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { LayerAttrs, ModelLayer } from '../graph/model.js';
import { last, sameShape, type LayerConfigReader } from '../import/keras-config.js';
import { layernormTable, prepareLayerNorm, type LayerNormConfig, type LayerNormKernel } from '../kernels/layernorm.js';
import { Struct, warnInputType, type LayerCode } from '../emit/layers.js';
import { LAYERNORM_HEADER } from '../emit/cpp/layernorm.js';
import { SEQ_KERNEL_CHECKERS } from '../conformance/kernels-seq.js';
import { LayerCheck, lowered, rawWeights, typed } from './common.js';
import { floatWeights } from './dense.js';
import type { EmitArgs, FirmwareClassSpec, HlsClassSpec, InferContext, LayerModule, ModelClassSpec } from './spec.js';

/** `layernorm_config` fields. */
export interface LayerNormFirmwareConfig {
  /** seq_len · dim. */
  n_in: number;
  seq_len: number;
  dim: number;
  /** Keras axis 2 (the last of a (batch, seq_len, dim) input). */
  axis: number;
  /** e: the 1/sqrt table starts at 10^−e (hls4ml: −round(log10 epsilon)). */
  epsilon_power_of_10: number;
  table_range_power2: number;
  table_size: number;
  reuse_factor: number;
  product: 'mult';
}

/** A firmware LayerNormalization (`weights.scale` = gamma, `weights.bias` = beta, dim values each). */
export interface LayerNormLayer extends FirmwareLayerBase<'LayerNormalization', LayerNormFirmwareConfig, 'accum' | 'scale' | 'bias' | 'table', 'scale' | 'bias'> {}

/** Python's `round` (half to even). */
function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// ---------------------------------------------------------------------------------------------
// Model class
// ---------------------------------------------------------------------------------------------

const keras: NonNullable<ModelClassSpec['keras']> = {
  arity: 'one',
  attrs(r: LayerConfigReader): LayerAttrs {
    const raw = r.config['axis'];
    const axes = raw === undefined || raw === null ? [-1] : Array.isArray(raw) ? raw : [raw];
    if (!axes.every((a) => typeof a === 'number' && Number.isInteger(a))) throw new FormatError(r.field('axis'), `expected an integer or a list of integers, got ${JSON.stringify(raw)}`);
    return {
      axes: axes as number[],
      epsilon: r.num('epsilon', 1e-3),
      center: r.bool('center', true),
      scale: r.bool('scale', true),
      rmsScaling: r.bool('rms_scaling', false),
    };
  },
  outputShape: sameShape,
  weights(a, [x = []]) {
    const d = [last(x)];
    const w = [];
    if (a.scale) w.push({ name: 'gamma', shape: d });
    if (a.center) w.push({ name: 'beta', shape: d });
    return w;
  },
};

/** Keras LayerNormalization over the last axis in float64 (rms_scaling as Keras 3 defines it). */
function floatLayerNorm(l: ModelLayer, x: Float64Array): Float64Array {
  const D = last(l.inputShapes[0]!);
  const g = l.attrs.scale === false ? undefined : floatWeights(l, 'gamma', D);
  const b = l.attrs.center === false ? undefined : floatWeights(l, 'beta', D);
  const eps = l.attrs.epsilon ?? 1e-3;
  const y = new Float64Array(x.length);
  for (let o = 0; o < x.length; o += D) {
    if (l.attrs.rmsScaling) {
      let s2 = 0;
      for (let i = 0; i < D; i++) s2 += x[o + i]! * x[o + i]!;
      const inv = 1 / Math.sqrt(s2 / D + eps);
      for (let i = 0; i < D; i++) y[o + i] = x[o + i]! * inv * (g ? g[i]! : 1);
      continue;
    }
    let m = 0;
    for (let i = 0; i < D; i++) m += x[o + i]!;
    m /= D;
    let v = 0;
    for (let i = 0; i < D; i++) v += (x[o + i]! - m) ** 2;
    v /= D;
    const inv = 1 / Math.sqrt(v + eps);
    for (let i = 0; i < D; i++) y[o + i] = (x[o + i]! - m) * inv * (g ? g[i]! : 1) + (b ? b[i]! : 0);
  }
  return y;
}

const model: ModelClassSpec = {
  keras,
  hlsClass: () => 'LayerNormalization',
  typeKey: () => 'LayerNormalization',
  build(l, ctx) {
    const x = l.inputShapes[0]!;
    if (x.length !== 2) throw new UnsupportedError(ctx.where, `input shape ${JSON.stringify(x)}: only a (seq_len, dim) input is supported (hls4ml: "input size is not currently supported by hls4ml; only three-dimensional input (including batch dimension) is supported")`);
    const axes = (l.attrs.axes as number[] | undefined) ?? [2];
    if (axes[0] !== 2) {
      throw new UnsupportedError(`${ctx.where}.axis`, `axis ${JSON.stringify(axes)}: hls4ml reads axis[0] and accepts only 2 ("assigning the axis is not currently supported by hls4ml; only axis 2 is supported"); Keras 3 stores the default as [-1]`);
    }
    if (l.attrs.center === false || l.attrs.scale === false) throw new UnsupportedError(ctx.where, "center=False / scale=False are not supported: hls4ml's parser needs both gamma and beta");
    const eps = l.attrs.epsilon ?? 1e-3;
    if (!(eps > 0)) throw new UnsupportedError(`${ctx.where}.epsilon`, `epsilon ${eps}: hls4ml: "epsilon must be positive"`);
    const e = -pyRound(Math.log10(eps));
    if (e <= 0) throw new UnsupportedError(`${ctx.where}.epsilon`, `epsilon ${eps}: hls4ml uses 10^-e with e = -round(log10(epsilon)) = ${e}, and "epsilon must be less than 1e-1"`);
    const warnings: string[] = [];
    if (Number(`1e-${e}`) !== eps) warnings.push(`${l.name}: hls4ml replaces epsilon ${eps} by 10^-${e} (its 1/sqrt table starts there)`);
    if (l.attrs.rmsScaling) warnings.push(`${l.name}: rms_scaling=True is ignored by hls4ml; the firmware subtracts the mean like a plain LayerNormalization (reproduced)`);
    const gamma = l.weights.gamma;
    const beta = l.weights.beta;
    if (!gamma || !beta) throw new ShapeError(`${ctx.where}.gamma`, 'missing gamma / beta weights');
    return {
      cls: 'LayerNormalization',
      attrs: { seqLen: x[0], dim: x[1], epsilonPower: e, conversionWarnings: warnings },
      weights: { scale: { data: gamma.data, shape: [x[1]!] }, bias: { data: beta.data, shape: [x[1]!] } },
    };
  },
  float: (l, [x]) => floatLayerNorm(l, x!),
  profileWeights: (l) => [
    { tensor: 'scale', values: Float64Array.from(l.weights.gamma?.data ?? []) },
    { tensor: 'bias', values: Float64Array.from(l.weights.beta?.data ?? []) },
  ],
};

// ---------------------------------------------------------------------------------------------
// hls4ml class
// ---------------------------------------------------------------------------------------------

/** _infer_bn_precision: scale and bias Model default; result holds x·scale + bias exactly. */
function inferBn(n: { types: Record<string, FixedType | 'auto'> }, x: FixedType, ctx: InferContext): void {
  for (const k of ['scale', 'bias'] as const) if (n.types[k] === 'auto') n.types[k] = ctx.modelDefault;
  if (n.types.result !== 'auto') return;
  const s = n.types.scale as FixedType;
  const b = n.types.bias as FixedType;
  const ss = s.signed || x.signed;
  const sw = x.W + s.W;
  const si = x.I + s.I;
  const I0 = Math.max(si + (b.signed && !ss ? 1 : 0), b.I + (ss && !b.signed ? 1 : 0)) + 1;
  const W0 = I0 + Math.max(sw - si, frac(b));
  const mx = ctx.maxPrecision;
  n.types.result = fixedType(ss || b.signed, mx ? Math.min(W0, mx.W) : W0, mx ? Math.min(I0, mx.I) : I0);
}

const hls: HlsClassSpec = {
  types: [
    { name: 'result' },
    { name: 'scale' },
    { name: 'bias' },
    { name: 'accum', default: 'ap_fixed<14,4,AP_RND_CONV,AP_SAT>', backend: true },
    { name: 'table', default: 'ap_ufixed<8,5,AP_RND_CONV,AP_SAT>', backend: true },
  ],
  settings: [
    { name: 'reuse_factor', default: 1, backend: true },
    { name: 'table_range_power2', default: 0, backend: true },
    { name: 'table_size', default: 4096, backend: true },
  ],
  infer(n, [x], ctx) {
    inferBn(n, x!, ctx);
  },
  lower(n, ctx): LayerNormLayer {
    const w = n.attrs.conversionWarnings;
    if (Array.isArray(w)) for (const t of w) ctx.warn(String(t));
    if (ctx.io !== 'io_parallel') throw new UnsupportedError(`${n.name}.IOType`, 'hls4ml has no io_stream LayerNormalization kernel (nnet_layernorm.h is io_parallel only): the generated project does not compile');
    const types = { input: ctx.inputTypes[0]!, result: typed(n, 'result'), accum: typed(n, 'accum'), scale: typed(n, 'scale'), bias: typed(n, 'bias'), table: typed(n, 'table') };
    const s = rawWeights(n, 'scale', types.scale);
    const b = rawWeights(n, 'bias', types.bias);
    const seq = n.attrs.seqLen as number;
    const dim = n.attrs.dim as number;
    const config: LayerNormFirmwareConfig = {
      n_in: seq * dim,
      seq_len: seq,
      dim,
      axis: 2,
      epsilon_power_of_10: n.attrs.epsilonPower as number,
      table_range_power2: Number(n.settings.table_range_power2 ?? 0),
      table_size: Number(n.settings.table_size ?? 4096),
      reuse_factor: Number(n.settings.reuse_factor ?? 1),
      product: 'mult',
    };
    const L: LayerNormLayer = { ...lowered(n, ctx, 'LayerNormalization', config), types, weights: { scale: s.raw, bias: b.raw }, text: { scale: s.text, bias: b.text } };
    prepare(L);
    return L;
  },
};

// ---------------------------------------------------------------------------------------------
// Firmware class
// ---------------------------------------------------------------------------------------------

function kernelConfig(L: LayerNormLayer): LayerNormConfig {
  const c = L.config;
  return { name: L.name, n_in: c.n_in, seq_len: c.seq_len, dim: c.dim, axis: c.axis, epsilon_power_of_10: c.epsilon_power_of_10, table_range_power2: c.table_range_power2, table_size: c.table_size, io_type: c.io_type, product: c.product, types: L.types };
}

function prepare(L: LayerNormLayer): LayerNormKernel {
  return prepareLayerNorm(kernelConfig(L), L.weights.scale, L.weights.bias);
}

const firmware: FirmwareClassSpec<LayerNormLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, ['n_in', 'seq_len', 'dim', 'axis', 'epsilon_power_of_10', 'table_range_power2', 'table_size', 'product']);
    const [seq, dim] = c.rank(2) as [number, number];
    c.out([seq, dim]);
    if (c.io !== 'io_parallel') throw new UnsupportedError(`${path}.config.io_type`, 'hls4ml has only an io_parallel LayerNormalization kernel');
    const axis = c.int('axis', 0, 2);
    if (axis !== 2 && axis !== -1) throw new UnsupportedError(`${path}.config.axis`, `only the last axis (2) is supported, got ${axis}`);
    const config: LayerNormFirmwareConfig = {
      n_in: c.equal('n_in', seq * dim),
      seq_len: c.equal('seq_len', seq),
      dim: c.equal('dim', dim),
      axis: 2,
      epsilon_power_of_10: c.int('epsilon_power_of_10', 1, 3),
      table_range_power2: c.int('table_range_power2', 0, 0),
      table_size: c.int('table_size', 1, 4096),
      reuse_factor: c.int('reuse_factor', 1, 1),
      product: c.choice('product', ['mult'] as const, 'mult'),
    };
    const layer: LayerNormLayer = {
      ...L,
      cls: 'LayerNormalization',
      config: { ...config, io_type: c.io },
      types: { input: c.type('input'), result: c.type('result'), accum: c.type('accum'), scale: c.type('scale'), bias: c.type('bias'), table: c.type('table') },
      weights: { scale: c.weight('scale', dim), bias: c.weight('bias', dim) },
    };
    prepare(layer);
    return layer;
  },
  reference(L) {
    const k = prepare(L);
    return (xs, s) => k.run(xs[0]!, s ? { stats: s } : {});
  },
  emit(L: LayerNormLayer, { ctx, cname: c, ins }: EmitArgs): LayerCode {
    warnInputType(ctx, L, 'input', ins[0]!);
    const cfg = L.config;
    const t = L.types;
    const s = new Struct(`config_${c}`, `${L.name}: LayerNormalization over ${cfg.seq_len} rows of ${cfg.dim}, 1/sqrt table of ${cfg.table_size} from 10^-${cfg.epsilon_power_of_10}`)
      .u('n_in', cfg.n_in).u('seq_len', cfg.seq_len).u('dim', cfg.dim).u('table_size', cfg.table_size).u('table_range_power2', cfg.table_range_power2)
      .t('accum_t', `${c}_accum_t`).t('scale_t', `${c}_scale_t`).t('bias_t', `${c}_bias_t`).t('table_t', `${c}_table_t`);
    return {
      layer: L,
      cname: c,
      typedefs: [
        [`${c}_accum_t`, t.accum],
        [`${c}_scale_t`, t.scale],
        [`${c}_bias_t`, t.bias],
        [`${c}_table_t`, t.table],
      ],
      structs: [s.text()],
      arrays: [
        { name: `${c}_s`, elemType: `${c}_scale_t`, type: t.scale, values: L.weights.scale, description: `${L.name} scale (gamma)` },
        { name: `${c}_b`, elemType: `${c}_bias_t`, type: t.bias, values: L.weights.bias, description: `${L.name} bias (beta)` },
        { name: `${c}_table`, elemType: `${c}_table_t`, type: t.table, values: layernormTable({ ...cfg, name: L.name, types: { table: t.table } }), description: `${L.name} 1/sqrt table` },
      ],
      headers: [LAYERNORM_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::layernorm<${is[0]!.elemType}, ${out.elemType}, config_${c}>(${iv[0]}, ${ov}, ${c}_s, ${c}_b, ${c}_table);`],
      summary: `LayerNormalization ${cfg.seq_len}x${cfg.dim}`,
    };
  },
  macs: (L) => 3 * L.config.n_in,
};

/** The LayerNormalization kind. */
export const layernormModule = {
  kind: 'LayerNormalization',
  model: { LayerNormalization: model },
  hls: { LayerNormalization: hls },
  firmware: { LayerNormalization: firmware },
  kernels: { layernorm: SEQ_KERNEL_CHECKERS.layernorm! },
} satisfies LayerModule;
