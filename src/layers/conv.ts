/**
 * Conv1D / Conv2D (Keras `Conv1D`/`Conv2D`, hls4ml `Conv1D`/`Conv2D`, `nnet::conv_1d_cl` /
 * `nnet::conv_2d_cl`): io_parallel im2col, io_stream LineBuffer or Encoded; the per-pixel
 * arithmetic is the dense core's.
 *
 * hls4ml sources: converters/keras/convolution.py (parse_conv1d_layer / parse_conv2d_layer,
 * compute_padding_*), model/layers.py (Conv1D, Conv2D), backends/vivado/vivado_backend.py
 * (init_conv1d/init_conv2d: Resource transpose, reuse-factor validation, ParallelizationFactor,
 * ConvImplementation), backends/vivado/passes/convolution_templates.py (conv1d/conv2d_config),
 * backends/fpga/passes/codegen.py (im2col fill_buffer), vivado/passes/conv_stream.py +
 * fpga/passes/inplace_stream_* (Encoded instructions), model/optimizer/passes/infer_precision.py
 * (_infer_conv_precision), backends/vivado/passes/… zero-padding insertion for 'same' in io_stream.
 */
import { ShapeError, UnsupportedError, describeValue } from '../errors.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { HlsNode } from '../graph/hls-graph.js';
import type { LayerAttrs, ModelLayer } from '../graph/model.js';
import { last, positiveOut, requireRank, type LayerConfigReader, type WeightSpec } from '../import/keras-config.js';
import type { RawInput } from '../kernels/common.js';
import { computeConv1dInstructions, computeConv2dInstructions } from '../kernels/conv-instructions.js';
import { prepareConv1d, prepareConv2d, type Conv1DConfig, type Conv2DConfig, type ConvKernel } from '../kernels/conv.js';
import { prepareFastConv1d, prepareFastConv2d } from '../kernels/fast/conv.js';
import { samePads, windowGeometry } from '../kernels/geometry.js';
import { validReuseFactor } from '../kernels/reuse-factor.js';
import { Struct, denseStruct, warnInputType } from '../emit/layers.js';
import { CONV_HEADER } from '../emit/cpp/conv.js';
import { PADDING_HEADER } from '../emit/cpp/structural.js';
import { need, num, obj, rawList, runAll, sameList, types as caseTypes, x1, type Case } from '../conformance/kernel-case.js';
import { StreamPadding, checkStreamFields, encodedTableMembers, floatWindow, hwc, kerasSpatialOut, macTypedefs, nodeWindow, windowText, type WindowFirmwareConfig } from './conv-window.js';
import { LayerCheck, countZeros, lowered, permuted, rawWeights, reuseFactorOf, strategyOf, transposeOrder, typed } from './common.js';
import { MAC_TYPES, floatWeights, inferMac, macProfileWeights, macWeights, packedExponents, productConstant, productKind, productWarnings, productWeights } from './dense.js';
import { PRODUCT_KINDS } from '../kernels/dense.js';
import { kindOf } from '../graph/hls-graph.js';
import type { FirmwareClassSpec, HlsClassSpec, LayerModule, ModelClassSpec } from './spec.js';

/** `conv{1,2}d_config` fields of a firmware convolution (1D layers use the width fields only). */
export interface ConvFirmwareConfig extends WindowFirmwareConfig {
  n_filt: number;
  dilation?: number;
  dilation_height?: number;
  dilation_width?: number;
  /** io_stream only. */
  conv_in_height?: number;
  conv_in_width?: number;
  /** Encoded only: hls4ml's scale-index kinds. */
  scale_index_height?: string;
  scale_index_width?: string;
  scale_index?: string;
  /** io_parallel only. */
  n_pixels?: number;
}

type ConvTypes = 'weight' | 'bias' | 'accum';
/**
 * A firmware Conv2D. `weights.weight`: latency Keras `(kh,kw,C,F)` order; resource `(F,kh,kw,C)`.
 * Power-of-two weights (product `weight_exponential`): exponents in `weight`, sign bits in `weight_sign`.
 */
export type Conv2DLayer = FirmwareLayerBase<'Conv2D', ConvFirmwareConfig, ConvTypes, 'weight' | 'bias'> & { weights: { weight_sign?: Float64Array } };
/** A firmware Conv1D (see {@link Conv2DLayer}). */
export type Conv1DLayer = FirmwareLayerBase<'Conv1D', ConvFirmwareConfig, ConvTypes, 'weight' | 'bias'> & { weights: { weight_sign?: Float64Array } };
type ConvLayer = Conv1DLayer | Conv2DLayer;

// ---------------------------------------------------------------------------------------------
// Model classes
// ---------------------------------------------------------------------------------------------

function kerasConv(rank: 1 | 2): NonNullable<ModelClassSpec['keras']> {
  return {
    arity: 'one',
    aliases: rank === 1 ? ['Convolution1D'] : ['Convolution2D'],
    attrs(r: LayerConfigReader): LayerAttrs {
      r.channelsLast();
      r.noDilation(rank);
      r.noGroups();
      return {
        filters: r.int('filters'),
        kernelSize: r.tuple('kernel_size', rank),
        strides: r.tuple('strides', rank, new Array<number>(rank).fill(1)),
        padding: r.padding(),
        activation: r.activation(),
        useBias: r.bool('use_bias', true),
      };
    },
    outputShape([x = []], a, r) {
      requireRank(r, x, rank + 1, rank === 1 ? 'Conv1D' : 'Conv2D');
      return positiveOut(r, [...kerasSpatialOut(x, a, rank), a.filters!], x);
    },
    weights(a, [x = []]) {
      const w: WeightSpec[] = [{ name: 'kernel', shape: [...a.kernelSize!, last(x), a.filters!] }];
      if (a.useBias) w.push({ name: 'bias', shape: [a.filters!] });
      return w;
    },
  };
}

/** Float convolution over n samples (1D as H = 1): x [n, H, W, C] → [n, OH, OW, F]. */
function floatConv(l: ModelLayer, x: Float64Array, n: number, twoD: boolean): Float64Array {
  const { H, W, C, OH, OW, kh, kw, sh, sw, pt, pl } = floatWindow(l, twoD);
  const F = last(l.outputShape);
  const k = floatWeights(l, 'kernel', kh * kw * C * F);
  if (!k) throw new ShapeError(`${l.name}.kernel`, 'missing kernel weights');
  const b = l.attrs.useBias === false ? undefined : floatWeights(l, 'bias', F);
  const y = new Float64Array(n * OH * OW * F);
  const inPer = H * W * C;
  const outPer = OH * OW * F;
  for (let s = 0; s < n; s++) {
    const xo = s * inPer;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const yo = s * outPer + (oh * OW + ow) * F;
        if (b) for (let f = 0; f < F; f++) y[yo + f] = b[f]!;
        for (let dh = 0; dh < kh; dh++) {
          const ih = oh * sh - pt + dh;
          if (ih < 0 || ih >= H) continue;
          for (let dw = 0; dw < kw; dw++) {
            const iw = ow * sw - pl + dw;
            if (iw < 0 || iw >= W) continue;
            const xb = xo + (ih * W + iw) * C;
            const kb = (dh * kw + dw) * C * F;
            for (let c = 0; c < C; c++) {
              const v = x[xb + c]!;
              if (v === 0) continue;
              const kc = kb + c * F;
              for (let f = 0; f < F; f++) y[yo + f]! += v * k[kc + f]!;
            }
          }
        }
      }
    }
  }
  return y;
}

function modelClass(cls: 'Conv1D' | 'Conv2D'): ModelClassSpec {
  const twoD = cls === 'Conv2D';
  return {
    keras: kerasConv(twoD ? 2 : 1),
    hlsClass: () => cls,
    typeKey: () => cls,
    splitsActivation: true,
    equalize: 'producer',
    build: (l, ctx) => ({ cls, ...macWeights(l, ctx.where) }),
    float: (l, [x], ctx) => floatConv(l, x!, ctx.n, twoD),
    profileWeights: macProfileWeights,
    accumRange: () => ({ of: 'products' }),
  };
}

// ---------------------------------------------------------------------------------------------
// hls4ml classes
// ---------------------------------------------------------------------------------------------

/** The settings of hls4ml's convolution classes (Conv1D/2D and the depthwise ones derived from them). */
const CONV_SETTINGS = [
  { name: 'reuse_factor', default: 1, backend: true },
  { name: 'parallelization_factor', default: 1, backend: true },
  { name: 'conv_implementation', default: 'LineBuffer', backend: true },
] as const;

/**
 * What hls4ml's convolution classes share: the depthwise ones are Conv1D/Conv2D subclasses, so BN
 * fusion, the linear-activation merge and the io_stream 'same' padding treat them as one.
 */
export const CONV_CLASS = {
  types: MAC_TYPES,
  settings: CONV_SETTINGS,
  bnFusionParent: true,
  linearMergeParent: true,
  streamSamePadding: true,
} satisfies Partial<HlsClassSpec>;

function hlsClass(cls: 'Conv1D' | 'Conv2D'): HlsClassSpec {
  const twoD = cls === 'Conv2D';
  return {
    ...CONV_CLASS,
    infer(n, [x], ctx) {
      const ks = n.attrs.kernelSize as number[];
      inferMac(n, x!, last(n.shapeIn[0]!) * ks.reduce((a, k) => a * k, 1), ctx);
    },
    lower(n, ctx): ConvLayer {
      const weight = typed(n, 'weight');
      const bias = typed(n, 'bias');
      const { H, W, C, OH, OW, F, kh, kw, sh, sw, pt, pb, pl, pr, kerasPadding } = nodeWindow(n, twoD);
      const product = productKind(n.name, ctx.inputKinds?.[0] ?? 'fixed', kindOf(n, 'weight'), weight);
      const pw = productWeights(n, 'weight', weight, product);
      let w: { raw: Float64Array; text: string[] } = pw;
      let sign = pw.sign;
      const b = rawWeights(n, 'bias', bias);
      productWarnings(n, product, ctx.inputKinds?.[0] ?? 'fixed', b.raw, ctx.warn);
      const nZeros = product === 'mult' || product === 'weight_ternary' ? countZeros(w.raw) : 0;
      const strategy = strategyOf(n);
      const rfRequested = reuseFactorOf(n);
      // hls4ml validates a conv's reuse factor like a dense one of n_chan·filt_h·filt_w → n_filt.
      const nIn = kh * kw * C;
      let rf = rfRequested;
      if (strategy === 'resource') {
        rf = validReuseFactor(nIn, F, rfRequested);
        if (rf !== rfRequested) ctx.change(`${n.name}: ReuseFactor ${rfRequested} is not valid for ${nIn}x${F}; using ${rf}`);
        const order = transposeOrder(nIn, F);
        w = permuted(w, order);
        if (sign) sign = Float64Array.from(order, (k) => sign![k]!);
      }
      const impl = String(n.settings.conv_implementation ?? 'LineBuffer').toLowerCase() === 'encoded' ? 'Encoded' : 'LineBuffer';
      const c: ConvFirmwareConfig = twoD
        ? { in_height: H, in_width: W, n_chan: C, filt_height: kh, filt_width: kw, n_filt: F, stride_height: sh, stride_width: sw, out_height: OH, out_width: OW, strategy, reuse_factor: rf, reuse_factor_requested: rfRequested, n_zeros: nZeros, product, keras_padding: kerasPadding, pad_top: pt, pad_bottom: pb, pad_left: pl, pad_right: pr }
        : { in_width: W, n_chan: C, filt_width: kw, n_filt: F, stride_width: sw, dilation: 1, out_width: OW, strategy, reuse_factor: rf, reuse_factor_requested: rfRequested, n_zeros: nZeros, product, keras_padding: kerasPadding, pad_left: pl, pad_right: pr };
      if (ctx.io === 'io_stream') {
        c.implementation = impl;
        if (twoD) c.conv_in_height = H;
        c.conv_in_width = W;
        if (impl === 'Encoded') Object.assign(c, twoD ? computeConv2dInstructions(H, W, C, [kh, kw], [sh, sw]) : computeConv1dInstructions(W, C, kw, sw));
      } else Object.assign(c, { n_partitions: OH * OW, n_pixels: 1 });
      return {
        ...lowered(n, ctx, cls, c),
        types: { input: ctx.inputTypes[0]!, result: typed(n, 'result'), weight, bias, accum: typed(n, 'accum') },
        weights: sign ? { weight: w.raw, bias: b.raw, weight_sign: sign } : { weight: w.raw, bias: b.raw },
        text: { weight: w.text, bias: b.text },
      } as ConvLayer;
    },
  };
}

/**
 * hls4ml's Conv2DBatchnorm (the class of QKeras' QConv2DBatchnorm, src/layers/qkeras.ts): a Conv2D
 * subclass holding the folded weights. `LayerType` precisions are looked up under its own class
 * name; everything else — passes that match Conv2D by isinstance or by 'Conv2D' in the class name,
 * 'auto' inference, the Conv2D templates — treats it as a Conv2D, so it lowers to a firmware Conv2D.
 *
 * With `Strategy: Resource`, `Conv2DBatchnorm.initialize` (model/layers.py) stores the folded
 * kernel already transposed to (F, kh, kw, C) on the Vivado, VivadoAccelerator and Catapult
 * backends, and ApplyResourceStrategy (backends/vivado/passes/resource_strategy.py) transposes it
 * once more with the same axes: the printed array is (C, F, kh, kw), which the resource kernel
 * reads as (F, kh, kw, C). That firmware computes with scrambled weights, so it is refused.
 */
function conv2dBatchnormClass(): HlsClassSpec {
  const base = hlsClass('Conv2D');
  return {
    ...base,
    lower(n, ctx) {
      if (String(n.settings.strategy ?? 'latency').toLowerCase() === 'resource') {
        throw new UnsupportedError(
          `${n.name}.Strategy`,
          "Conv2DBatchnorm with the Resource strategy: hls4ml 1.3 transposes the folded kernel in Conv2DBatchnorm.initialize and again in ApplyResourceStrategy, so the Vivado firmware reads its weights in the wrong order (use Latency, or Resource_Unrolled with ReuseFactor 1)",
        );
      }
      return base.lower(n, ctx);
    },
  };
}

/** io_stream 'same' convolutions: hls4ml inserts a zero-padding layer and the convolution runs 'valid'. */
export function insertStreamPadding(n: HlsNode): { pads: number[]; padded: number[] } | null {
  if (n.attrs.padding !== 'same') return null;
  const twoD = n.shapeIn[0]!.length === 3;
  const [H, W, C] = hwc(n.shapeIn[0]!);
  const ks = n.attrs.kernelSize as number[];
  const st = n.attrs.strides as number[];
  const [t, b] = twoD ? samePads(H, ks[0]!, st[0]!) : [0, 0];
  const [l, r] = samePads(W, ks[twoD ? 1 : 0]!, st[twoD ? 1 : 0]!);
  n.attrs.padding = 'valid';
  n.attrs.samePadded = true;
  if (t + b + l + r === 0) return null;
  return twoD ? { pads: [t, b, l, r], padded: [H + t + b, W + l + r, C] } : { pads: [l, r], padded: [W + l + r, C] };
}

// ---------------------------------------------------------------------------------------------
// Firmware classes
// ---------------------------------------------------------------------------------------------

const CONFIG_KEYS = [
  'in_height', 'in_width', 'n_chan', 'filt_height', 'filt_width', 'n_filt', 'stride_height', 'stride_width', 'out_height', 'out_width',
  'pad_top', 'pad_bottom', 'pad_left', 'pad_right', 'dilation', 'dilation_height', 'dilation_width', 'strategy', 'reuse_factor_requested',
  'n_zeros', 'product', 'keras_padding', 'implementation', 'conv_in_height', 'conv_in_width', 'min_height', 'min_width', 'pixels',
  'scale_index_height', 'scale_index_width', 'scale_index', 'n_partitions', 'n_pixels', 'weight_layout', 'im2col_pad_in_config', 'fill_buffer',
  'activation', 'parallelization_factor',
];

function kernelConfig(L: ConvLayer): Conv2DConfig & Conv1DConfig {
  const k = { ...L.config, name: L.name, types: L.types } as Conv2DConfig & Conv1DConfig;
  if (L.weights.weight_sign) k.weight_sign = L.weights.weight_sign;
  return k;
}

function prepare(L: ConvLayer): ConvKernel {
  return L.cls === 'Conv2D' ? prepareConv2d(kernelConfig(L), L.weights.weight, L.weights.bias) : prepareConv1d(kernelConfig(L), L.weights.weight, L.weights.bias);
}

function checkConv<L extends ConvLayer>(cls: L['cls']): FirmwareClassSpec<L>['check'] {
  const twoD = cls === 'Conv2D';
  return (L, path) => {
    const c = new LayerCheck(L, path, CONFIG_KEYS);
    const [H, W, C] = hwc(c.rank(twoD ? 3 : 2));
    const F = last(L.shapeOut);
    const cfg: ConvFirmwareConfig = {
      in_width: c.equal('in_width', W),
      n_chan: c.equal('n_chan', C),
      filt_width: c.int('filt_width', 1),
      n_filt: c.equal('n_filt', F),
      stride_width: c.int('stride_width', 1, 1),
      pad_left: c.int('pad_left', 0, 0),
      pad_right: c.int('pad_right', 0, 0),
      out_width: 0,
      strategy: c.choice('strategy', ['latency', 'resource'] as const, 'latency'),
      reuse_factor: c.int('reuse_factor', 1, 1),
      n_zeros: c.int('n_zeros', 0, 0),
      product: c.choice('product', PRODUCT_KINDS, 'mult'),
    };
    if (twoD) {
      Object.assign(cfg, {
        in_height: c.equal('in_height', H), filt_height: c.int('filt_height', 1), stride_height: c.int('stride_height', 1, 1),
        pad_top: c.int('pad_top', 0, 0), pad_bottom: c.int('pad_bottom', 0, 0),
        dilation_height: c.int('dilation_height', 1, 1), dilation_width: c.int('dilation_width', 1, 1),
      });
    } else cfg.dilation = c.int('dilation', 1, 1);
    if (c.cfg.keras_padding !== undefined) cfg.keras_padding = c.choice('keras_padding', ['valid', 'same'] as const);
    const rq = c.int('reuse_factor_requested', 1, cfg.reuse_factor);
    if (rq !== cfg.reuse_factor) cfg.reuse_factor_requested = rq;
    checkStreamFields(c, cfg, twoD);
    const g = windowGeometry(path + '.config', { ...cfg, out_width: undefined, out_height: undefined, dilation_width: cfg.dilation ?? cfg.dilation_width, n_chan: C }, !twoD);
    c.out(twoD ? [g.outH, g.outW, F] : [g.outW, F]);
    if (twoD) cfg.out_height = c.equal('out_height', g.outH);
    cfg.out_width = c.equal('out_width', g.outW);
    const nIn = g.kh * g.kw * C;
    const layer = {
      ...L,
      cls,
      config: { ...cfg, io_type: c.io },
      types: { input: c.type('input'), result: c.type('result'), weight: c.type('weight'), bias: c.type('bias'), accum: c.type('accum') },
      weights: cfg.product === 'weight_exponential' ? { weight: c.weight('weight', nIn * F), bias: c.weight('bias', F), weight_sign: c.weight('weight_sign', nIn * F) } : { weight: c.weight('weight', nIn * F), bias: c.weight('bias', F) },
    } as unknown as L;
    prepare(layer); // geometry, io constraints and the Encoded table, exactly as the kernel will see them
    return layer;
  };
}

function emitConv(L: ConvLayer, { ctx, cname: c, ins }: Parameters<FirmwareClassSpec<ConvLayer>['emit']>[1]): ReturnType<FirmwareClassSpec<ConvLayer>['emit']> {
  const inT = ins[0]!;
  const oneD = L.cls === 'Conv1D';
  const product = L.config.product;
  const kernel = prepare(L);
  const cfg = L.config;
  const g = windowGeometry(L.name, { ...cfg, dilation_width: cfg.dilation ?? cfg.dilation_width }, oneD);
  const F = cfg.n_filt;
  const { strategy, reuse_factor: rf } = cfg;
  const { weight: tw, bias: tb } = L.types;
  warnInputType(ctx, L, 'input', inT);
  const nIn = g.kh * g.kw * g.C;
  const stream = ctx.io === 'io_stream';
  const impl = stream ? (cfg.implementation ?? 'LineBuffer').toLowerCase() : 'linebuffer';
  const mult = denseStruct(`config_${c}_mult`, `${L.name}: dense core of the convolution (${nIn} window values -> ${F} filters)`, c, nIn, F, strategy, rf, product === 'mult' || product === 'weight_ternary' ? countZeros(L.weights.weight) : 0);
  if (product !== 'mult') mult.u('product_kind', productConstant(product));
  const packed = product === 'weight_exponential' ? packedExponents(L.weights.weight, L.weights.weight_sign!, tw) : undefined;
  const typedefs = macTypedefs(c, L.types);
  const arrays = [
    {
      name: `${c}_w`,
      elemType: `${c}_weight_t`,
      type: packed?.type ?? tw,
      values: packed?.values ?? L.weights.weight,
      description: (strategy === 'resource' ? `${L.name} weights, w[f * ${nIn} + k], k = (kh * ${g.kw} + kw) * ${g.C} + c` : `${L.name} weights (Keras order), w[k * ${F} + f], k = (kh * ${g.kw} + kw) * ${g.C} + c`) + (packed ? ' as 2 * exponent + sign' : ''),
    },
    { name: `${c}_b`, elemType: `${c}_bias_t`, type: tb, values: L.weights.bias, description: `${L.name} biases` },
  ];
  const geomText = windowText(g, oneD, F);

  if (!stream) {
    const s = new Struct(`config_${c}`, `${L.name}: ${L.cls} io_parallel ${geomText}`)
      .u('in_height', g.H).u('in_width', g.W).u('n_chan', g.C).u('n_filt', F).u('filt_height', g.kh).u('filt_width', g.kw)
      .u('stride_height', g.sh).u('stride_width', g.sw).u('pad_top', g.pt).u('pad_bottom', g.pb).u('pad_left', g.pl).u('pad_right', g.pr)
      .u('dilation_height', g.dh).u('dilation_width', g.dw).u('out_height', g.outH).u('out_width', g.outW).u('reuse_factor', rf)
      .t('mult_config', `config_${c}_mult`).t('accum_t', `${c}_accum_t`).t('weight_t', `${c}_weight_t`).t('bias_t', `${c}_bias_t`);
    return {
      layer: L,
      cname: c,
      typedefs,
      structs: [mult.text(), s.text()],
      arrays,
      headers: [CONV_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::conv<${is[0]!.elemType}, ${out.elemType}, config_${c}>(${iv[0]}, ${ov}, ${c}_w, ${c}_b);`],
      summary: `${L.cls} ${geomText} (io_parallel, ${strategy}, RF ${rf})`,
    };
  }

  // io_stream: pad first when the config has pads (hls4ml inserts a ZeroPadding layer), then a 'valid' convolution.
  const pad = new StreamPadding(c, g);
  const { PH, PW, padded } = pad;
  const structs: string[] = [mult.text()];
  if (padded) structs.push(pad.struct(L.name, 'the stream convolution'));
  const s = new Struct(`config_${c}`, `${L.name}: ${L.cls} io_stream ${impl === 'encoded' ? 'Encoded' : 'LineBuffer'} ${geomText}${padded ? ' (on the padded input)' : ''}`)
    .u('in_height', PH).u('in_width', PW).u('n_chan', g.C).u('n_filt', F).u('filt_height', g.kh).u('filt_width', g.kw)
    .u('stride_height', g.sh).u('stride_width', g.sw).u('out_height', g.outH).u('out_width', g.outW).u('reuse_factor', rf)
    .t('mult_config', `config_${c}_mult`).t('accum_t', `${c}_accum_t`).t('weight_t', `${c}_weight_t`).t('bias_t', `${c}_bias_t`);
  if (impl === 'encoded') {
    // The emulator's table: config.pixels when the graph has them, else computed like hls4ml.
    encodedTableMembers(s, g, kernel.instructions!, oneD);
  }
  structs.push(s.text());
  const fn = impl === 'encoded' ? 'conv_encoded' : 'conv_linebuffer';
  return {
    layer: L,
    cname: c,
    typedefs,
    structs,
    arrays,
    headers: padded ? [CONV_HEADER, PADDING_HEADER] : [CONV_HEADER],
    call: (is, iv, out, ov) => {
      if (!padded) return [`hlsemu::${fn}<${is[0]!.wordType}, ${out.wordType}, config_${c}>(${iv[0]}, ${ov}, ${c}_w, ${c}_b);`];
      return pad.call(fn, is[0]!, iv[0]!, out, ov);
    },
    summary: `${L.cls} ${geomText} (io_stream ${impl === 'encoded' ? 'Encoded' : 'LineBuffer'}, ${strategy}, RF ${rf})`,
  };
}

/**
 * Bytes of a sliding-window layer's window table (one Int32 per tap of every output pixel, built in
 * a list first) and its weights, from the shapes and config of an unchecked layer.
 */
export function windowTableBytes(L: FirmwareLayerBase): number {
  const c = L.config as Record<string, unknown>;
  const k = (Number(c.filt_height ?? c.pool_height ?? 1) || 1) * (Number(c.filt_width ?? c.pool_width ?? 1) || 1);
  const pixels = L.shapeOut.slice(0, -1).reduce((p, d) => p * d, 1);
  const weights = Object.values((L.weights ?? {}) as Record<string, ArrayLike<number>>).reduce((s, w) => s + 8 * (w?.length ?? 0), 0);
  return 12 * pixels * k + weights;
}

function firmwareClass<L extends ConvLayer>(cls: L['cls']): FirmwareClassSpec<L> {
  return {
    check: checkConv<L>(cls),
    reference(L) {
      const k = prepare(L);
      return (xs, s) => k.run(xs[0]!, s ? { stats: s } : {});
    },
    fast: (L, fo) => (L.cls === 'Conv2D' ? prepareFastConv2d(kernelConfig(L), L.weights.weight, L.weights.bias, fo) : prepareFastConv1d(kernelConfig(L), L.weights.weight, L.weights.bias, fo)),
    emit: (L, a) => emitConv(L, a),
    macs: (L) => L.weights.weight.length * (L.config.out_height ?? 1) * L.config.out_width,
    memoryBytes: windowTableBytes,
  };
}

// ---------------------------------------------------------------------------------------------
// Kernel reference vectors (`kernel: conv1d | conv2d`)
// ---------------------------------------------------------------------------------------------

function checkConvCase(c: Case, dims: 1 | 2): string | null {
  const cfg: Record<string, unknown> = { ...obj(c, 'config') };
  cfg.io_type = cfg.io_type === 'io_stream' ? 'io_stream' : 'io_parallel';
  const t = caseTypes(c);
  need(t, 'input', 'weight', 'bias', 'accum', 'result');
  const impl = String(c.impl ?? '').toLowerCase();
  if (impl.includes('encoded')) cfg.implementation = 'Encoded';
  else if (impl.includes('linebuffer')) cfg.implementation = 'LineBuffer';
  const enc = String(cfg.implementation ?? '').toLowerCase() === 'encoded' && cfg.io_type === 'io_stream';
  if (enc) {
    // The instruction table must be exactly what hls4ml generates for the (padded) conv input.
    const pad = (a: string, b: string) => ((cfg[a] as number) ?? 0) + ((cfg[b] as number) ?? 0);
    const want = (key: string, computed: number | string) => (cfg[key] !== undefined && cfg[key] !== computed ? `${key}: expected ${String(cfg[key])}, computed ${computed}` : null);
    if (dims === 2) {
      const ph = (cfg.conv_in_height as number) ?? num(cfg, 'in_height') + pad('pad_top', 'pad_bottom');
      const pw = (cfg.conv_in_width as number) ?? num(cfg, 'in_width') + pad('pad_left', 'pad_right');
      const ins = computeConv2dInstructions(ph, pw, num(cfg, 'n_chan'), num(cfg, 'filt_height'), num(cfg, 'stride_height'));
      if (cfg.pixels !== undefined && !sameList(ins.pixels, cfg.pixels)) return `pixels: expected ${describeValue(cfg.pixels)}, computed ${describeValue(ins.pixels)}`;
      const d = want('min_height', ins.min_height) ?? want('min_width', ins.min_width) ?? want('scale_index_height', ins.scale_index_height) ?? want('scale_index_width', ins.scale_index_width);
      if (d) return d;
    } else {
      const pw = (cfg.conv_in_width as number) ?? num(cfg, 'in_width') + pad('pad_left', 'pad_right');
      const ins = computeConv1dInstructions(pw, num(cfg, 'n_chan'), num(cfg, 'filt_width'), (cfg.stride_width as number) ?? 1);
      if (cfg.pixels !== undefined && !sameList(ins.pixels, cfg.pixels)) return `pixels: expected ${describeValue(cfg.pixels)}, computed ${describeValue(ins.pixels)}`;
      const d = want('min_width', ins.min_width) ?? want('scale_index', ins.scale_index);
      if (d) return d;
    }
  }
  const kcfg = { ...cfg, name: String(c.kernel), types: t } as never;
  const w = rawList(c.weights, 'weights') as RawInput;
  const b = rawList(c.bias, 'bias') as RawInput;
  const k = dims === 2 ? prepareConv2d(kcfg, w, b) : prepareConv1d(kcfg, w, b);
  return runAll(c, String(c.kernel), (x, i) => k.run(x1(x, i)));
}

/** The Conv1D / Conv2D layer kind. */
export const convModule = {
  kind: 'Conv1D / Conv2D',
  model: { Conv1D: modelClass('Conv1D'), Conv2D: modelClass('Conv2D') },
  hls: { Conv1D: hlsClass('Conv1D'), Conv2D: hlsClass('Conv2D'), Conv2DBatchnorm: conv2dBatchnormClass() },
  firmware: { Conv1D: firmwareClass<Conv1DLayer>('Conv1D'), Conv2D: firmwareClass<Conv2DLayer>('Conv2D') },
  kernels: { conv1d: (c: Case) => checkConvCase(c, 1), conv2d: (c: Case) => checkConvCase(c, 2) },
} satisfies LayerModule;
