/**
 * DepthwiseConv1D / DepthwiseConv2D and SeparableConv1D / SeparableConv2D (Keras classes of the same
 * names, Keras 2 and 3; ONNX Conv with group = channels; hls4ml `DepthwiseConv1D/2D`,
 * `nnet::depthwise_conv_{1,2}d_cl`). A SeparableConv is split as hls4ml's
 * SeparableToDepthwiseAndConv does: `<name>_depthwise` (a DepthwiseConv whose bias is zeros typed
 * `ap_uint<1>`) then `<name>_pointwise` (a 1×1 Conv, the Conv module's firmware class — hls4ml's
 * optimize_pointwise_conv makes it a PointwiseConv, whose kernels compute the same numbers).
 *
 * hls4ml sources: converters/keras/convolution.py (parse_conv1d_layer / parse_conv2d_layer),
 * converters/keras_v3/conv.py (ConvHandler), converters/onnx/convolution.py +
 * model/optimizer/passes/conv_to_depthwiseconvxd.py (ONNX), model/layers.py (DepthwiseConv1D/2D,
 * SeparableConv1D/2D, add_bias), model/optimizer/passes/seperable_to_dw_conv.py (the split and its
 * config copy), backends/vivado/passes/pointwise.py, backends/vivado/vivado_backend.py
 * (init_conv*, init_depconv*: strategy, reuse factor), backends/vivado/passes/resource_strategy.py,
 * model/optimizer/passes/infer_precision.py (_infer_depthconv_precision),
 * backends/vivado/passes/convolution_templates.py, nnet_utils/nnet_sepconv{1,2}d*.h.
 */
import { ConfigError, ShapeError, UnsupportedError } from '../errors.js';
import { fixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { HlsNode } from '../graph/hls-graph.js';
import type { LayerAttrs, ModelLayer } from '../graph/model.js';
import { last, positiveOut, requireRank, type LayerConfigReader, type WeightSpec } from '../import/keras-config.js';
import { computeConv1dInstructions, computeConv2dInstructions } from '../kernels/conv-instructions.js';
import { depthwiseDenseFunction, prepareDepthwiseConv1d, prepareDepthwiseConv2d, type DepthwiseConv1DConfig, type DepthwiseConv2DConfig, type DepthwiseKernel } from '../kernels/depthwise.js';
import { prepareFastDepthwiseConv1d, prepareFastDepthwiseConv2d } from '../kernels/fast/depthwise.js';
import { validReuseFactor } from '../kernels/reuse-factor.js';
import { Struct, warnInputType, type LayerCode } from '../emit/layers.js';
import { DEPTHWISE_HEADER } from '../emit/cpp/depthwise.js';
import { PADDING_HEADER } from '../emit/cpp/structural.js';
import { SEQ_KERNEL_CHECKERS } from '../conformance/kernels-seq.js';
import { LayerCheck, countZeros, lowered, permuted, rawWeights, reuseFactorOf, typed } from './common.js';
import { CONV_CLASS } from './conv.js';
import { StreamPadding, checkStreamFields, encodedTableMembers, floatWindow, hwc, kerasSpatialOut, macTypedefs, nodeWindow, windowText, type WindowFirmwareConfig } from './conv-window.js';
import { floatWeights, inferMac } from './dense.js';
import type { EmitArgs, FirmwareClassSpec, HlsClassSpec, HlsDraft, LayerModule, ModelClassSpec } from './spec.js';

/**
 * `conv{1,2}d_config` fields of a firmware depthwise convolution (n_filt = n_chan; 1D layers use the
 * width fields). `strategy` 'resource' is io_stream only; `n_partitions` is informational.
 */
export interface DepthwiseFirmwareConfig extends WindowFirmwareConfig {
  /** The `nnet::DepthwiseDense*` class of the mult config (checked against strategy / reuse factor). */
  dense_function?: string;
}

type DwTypes = 'weight' | 'bias' | 'accum';
/** A firmware DepthwiseConv2D. `weights.weight`: `(kh·filt_width + kw)·n_chan + c` (the Keras depthwise kernel flattened). */
export interface DepthwiseConv2DLayer extends FirmwareLayerBase<'DepthwiseConv2D', DepthwiseFirmwareConfig, DwTypes, 'weight' | 'bias'> {}
/** A firmware DepthwiseConv1D (`weights.weight`: `kw·n_chan + c`). */
export interface DepthwiseConv1DLayer extends FirmwareLayerBase<'DepthwiseConv1D', DepthwiseFirmwareConfig, DwTypes, 'weight' | 'bias'> {}
type DepthwiseLayer = DepthwiseConv1DLayer | DepthwiseConv2DLayer;

type DwCls = 'DepthwiseConv1D' | 'DepthwiseConv2D';
type SepCls = 'SeparableConv1D' | 'SeparableConv2D';

const U1 = fixedType(false, 1, 1);
const ones = (n: number): number[] => new Array<number>(n).fill(1);
const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** Conversion warnings a draft carries to its lowering (build has no warning channel of its own). */
function draftWarnings(n: HlsNode): string[] {
  const w = n.attrs.conversionWarnings;
  return Array.isArray(w) ? (w as string[]) : [];
}

// ---------------------------------------------------------------------------------------------
// Model classes
// ---------------------------------------------------------------------------------------------

function kerasDepthwise(rank: 1 | 2, separable: boolean): NonNullable<ModelClassSpec['keras']> {
  const cls = `${separable ? 'Separable' : 'Depthwise'}Conv${rank}D`;
  return {
    arity: 'one',
    aliases: separable ? [`SeparableConvolution${rank}D`] : [],
    attrs(r: LayerConfigReader): LayerAttrs {
      r.channelsLast();
      r.noDilation(rank);
      const a: LayerAttrs = {
        kernelSize: r.tuple('kernel_size', rank),
        strides: r.tuple('strides', rank, ones(rank)),
        padding: r.padding(),
        depthMultiplier: r.int('depth_multiplier', 1),
        activation: r.activation(),
        useBias: r.bool('use_bias', true),
      };
      if (separable) a.filters = r.int('filters');
      return a;
    },
    outputShape([x = []], a, r) {
      requireRank(r, x, rank + 1, cls);
      return positiveOut(r, [...kerasSpatialOut(x, a, rank), separable ? a.filters! : last(x) * (a.depthMultiplier as number)], x);
    },
    weights(a, [x = []]) {
      const C = last(x);
      const dm = a.depthMultiplier as number;
      // Keras 3 names the depthwise kernel of a DepthwiseConv `kernel`.
      const w: WeightSpec[] = [{ name: 'depthwise_kernel', shape: [...a.kernelSize!, C, dm], ...(separable ? {} : { aliases: ['kernel'] }) }];
      if (separable) w.push({ name: 'pointwise_kernel', shape: [...ones(rank), C * dm, a.filters!] });
      if (a.useBias) w.push({ name: 'bias', shape: [separable ? a.filters! : C * dm] });
      return w;
    },
  };
}

/** Float depthwise convolution over n samples (1D as H = 1): x [n, H, W, C] → [n, OH, OW, C·dm]. */
function floatDepthwise(l: ModelLayer, x: Float64Array, n: number, twoD: boolean, withBias: boolean): Float64Array {
  const { H, W, C, OH, OW, kh, kw, sh, sw, pt, pl } = floatWindow(l, twoD);
  const dm = (l.attrs.depthMultiplier as number | undefined) ?? 1;
  const D = C * dm;
  const k = floatWeights(l, 'depthwise_kernel', kh * kw * D);
  if (!k) throw new ShapeError(`${l.name}.depthwise_kernel`, 'missing depthwise kernel');
  const b = withBias && l.attrs.useBias !== false ? floatWeights(l, 'bias', D) : undefined;
  const y = new Float64Array(n * OH * OW * D);
  const inPer = H * W * C;
  const outPer = OH * OW * D;
  for (let s = 0; s < n; s++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const yo = s * outPer + (oh * OW + ow) * D;
        if (b) for (let d = 0; d < D; d++) y[yo + d] = b[d]!;
        for (let dh = 0; dh < kh; dh++) {
          const ih = oh * sh - pt + dh;
          if (ih < 0 || ih >= H) continue;
          for (let dw = 0; dw < kw; dw++) {
            const iw = ow * sw - pl + dw;
            if (iw < 0 || iw >= W) continue;
            const xb = s * inPer + (ih * W + iw) * C;
            const kb = (dh * kw + dw) * D;
            for (let d = 0; d < D; d++) y[yo + d]! += x[xb + Math.floor(d / dm)]! * k[kb + d]!;
          }
        }
      }
    }
  }
  return y;
}

/** Float separable convolution: depthwise (no bias), then the 1×1 pointwise kernel and the bias. */
function floatSeparable(l: ModelLayer, x: Float64Array, n: number, twoD: boolean): Float64Array {
  const mid = floatDepthwise(l, x, n, twoD, false);
  const D = last(l.inputShapes[0]!) * ((l.attrs.depthMultiplier as number | undefined) ?? 1);
  const F = last(l.outputShape);
  const pk = floatWeights(l, 'pointwise_kernel', D * F);
  if (!pk) throw new ShapeError(`${l.name}.pointwise_kernel`, 'missing pointwise kernel');
  const b = l.attrs.useBias === false ? undefined : floatWeights(l, 'bias', F);
  const pix = mid.length / D;
  const y = new Float64Array(pix * F);
  for (let p = 0; p < pix; p++) {
    const yo = p * F;
    if (b) for (let f = 0; f < F; f++) y[yo + f] = b[f]!;
    for (let d = 0; d < D; d++) {
      const v = mid[p * D + d]!;
      if (v === 0) continue;
      for (let f = 0; f < F; f++) y[yo + f]! += v * pk[d * F + f]!;
    }
  }
  return y;
}

function noDepthMultiplier(l: ModelLayer, where: string): void {
  const dm = (l.attrs.depthMultiplier as number | undefined) ?? 1;
  if (dm !== 1) {
    throw new UnsupportedError(`${where}.depth_multiplier`, `depth_multiplier ${dm} is not supported: hls4ml's depthwise kernels assert n_filt == n_chan (nnet_sepconv2d_latency.h, nnet_sepconv2d_stream.h)`);
  }
}

function depthwiseModel(cls: DwCls): ModelClassSpec {
  const twoD = cls === 'DepthwiseConv2D';
  const rank = twoD ? 2 : 1;
  return {
    keras: kerasDepthwise(rank, false),
    hlsClass: () => cls,
    typeKey: () => cls,
    splitsActivation: true,
    build(l, ctx): HlsDraft {
      noDepthMultiplier(l, ctx.where);
      const k = l.weights.depthwise_kernel;
      if (!k) throw new ShapeError(`${ctx.where}.depthwise_kernel`, 'missing depthwise kernel');
      const ks = l.attrs.kernelSize!;
      const C = last(l.inputShapes[0]!);
      const onnx = ctx.source === 'onnx' || ctx.source === 'qonnx';
      // The weight as hls4ml holds it: Keras (k…, C, 1); ONNX conv_to_depthwise_conv_x_d (1, k…, C).
      const shape = onnx ? [1, ...ks, C] : [...ks, C, 1];
      const attrs: Record<string, unknown> = { kernelSize: [...ks], strides: [...(l.attrs.strides ?? ones(rank))], padding: l.attrs.padding, useBias: l.attrs.useBias !== false };
      const weights: HlsDraft['weights'] = { weight: { data: k.data, shape } };
      const b = l.weights.bias;
      if (b && l.attrs.useBias !== false) return { cls, attrs, weights: { ...weights, bias: { data: b.data, shape: [C] } } };
      // add_bias: a missing Keras bias is zeros typed ap_uint<1>; ONNX's conversion writes zeros as bias data, typed by the config.
      weights.bias = { data: new Float64Array(C), shape: [C] };
      if (onnx) return { cls, attrs, weights };
      return { cls, attrs: { ...attrs, noBias: true }, weights, types: { bias: U1 } };
    },
    float: (l, [x], ctx) => floatDepthwise(l, x!, ctx.n, twoD, true),
    profileWeights(l) {
      const out = [{ tensor: 'weight', values: Float64Array.from(l.weights.depthwise_kernel?.data ?? []) }];
      if (l.weights.bias && l.attrs.useBias !== false) out.push({ tensor: 'bias', values: Float64Array.from(l.weights.bias.data) });
      return out;
    },
    accumRange: () => ({ of: 'products' }),
  };
}

/** The Precision keys SeparableToDepthwiseAndConv renames (or drops) for each half, in its order. */
const DW_PRECISION = { depthwise: 'weight', depthwise_accum: 'accum', depthwise_result: 'result', pointwise: null, pointwise_accum: null };
const PW_PRECISION = { pointwise: 'weight', pointwise_accum: 'accum', pointwise_result: 'result', depthwise: null, depthwise_accum: null };

function separableModel(cls: SepCls): ModelClassSpec {
  const twoD = cls === 'SeparableConv2D';
  const rank = twoD ? 2 : 1;
  const dwCls: DwCls = twoD ? 'DepthwiseConv2D' : 'DepthwiseConv1D';
  const convCls = twoD ? 'Conv2D' : 'Conv1D';
  return {
    keras: kerasDepthwise(rank, true),
    hlsClass: () => cls,
    typeKey: () => cls,
    splitsActivation: true,
    build(l, ctx): HlsDraft[] {
      noDepthMultiplier(l, ctx.where);
      const dk = l.weights.depthwise_kernel;
      const pk = l.weights.pointwise_kernel;
      if (!dk) throw new ShapeError(`${ctx.where}.depthwise_kernel`, 'missing depthwise kernel');
      if (!pk) throw new ShapeError(`${ctx.where}.pointwise_kernel`, 'missing pointwise kernel');
      const ks = l.attrs.kernelSize!;
      const C = last(l.inputShapes[0]!);
      const F = last(l.outputShape);
      const mid = [...l.outputShape.slice(0, -1), C];
      const warnings: string[] = [];
      if (ctx.source === 'keras3') {
        warnings.push(`${l.name}: hls4ml 1.3's Keras 3 converter fails on a SeparableConv (converters/keras_v3/conv.py reads layer.kernel, which a Keras 3 SeparableConv does not have); this is the firmware its Keras 2 converter builds`);
      }
      const dw: HlsDraft = {
        cls: dwCls,
        name: `${l.name}_depthwise`,
        shapeOut: mid,
        attrs: { kernelSize: [...ks], strides: [...(l.attrs.strides ?? ones(rank))], padding: l.attrs.padding, useBias: false, noBias: true, conversionWarnings: warnings },
        weights: { weight: { data: dk.data, shape: [...ks, C, 1] }, bias: { data: new Float64Array(C), shape: [C] } },
        types: { bias: U1 },
        configFrom: { cls, precision: DW_PRECISION },
      };
      const b = l.weights.bias;
      const hasBias = !!b && l.attrs.useBias !== false;
      const pw: HlsDraft = {
        cls: convCls,
        name: `${l.name}_pointwise`,
        attrs: { filters: F, kernelSize: ones(rank), strides: ones(rank), padding: 'valid', useBias: hasBias, ...(hasBias ? {} : { noBias: true }) },
        weights: { weight: { data: pk.data, shape: [...ones(rank), C, F] }, bias: hasBias ? { data: b.data, shape: [F] } : { data: new Float64Array(F), shape: [F] } },
        ...(hasBias ? {} : { types: { bias: U1 } }),
        configFrom: { cls, precision: PW_PRECISION },
      };
      return [dw, pw];
    },
    float: (l, [x], ctx) => floatSeparable(l, x!, ctx.n, twoD),
    profileWeights(l) {
      const out = [
        { tensor: 'depthwise', values: Float64Array.from(l.weights.depthwise_kernel?.data ?? []) },
        { tensor: 'pointwise', values: Float64Array.from(l.weights.pointwise_kernel?.data ?? []) },
      ];
      if (l.weights.bias && l.attrs.useBias !== false) out.push({ tensor: 'bias', values: Float64Array.from(l.weights.bias.data) });
      return out;
    },
    accumRange: () => ({ of: 'products' }),
  };
}

// ---------------------------------------------------------------------------------------------
// hls4ml classes
// ---------------------------------------------------------------------------------------------

/** numpy's `x.transpose(axes)` of a row-major tensor as a gather order (`out[k] = in[order[k]]`). */
function transposeGather(shape: readonly number[], axes: readonly number[]): Int32Array {
  const r = shape.length;
  const stride = new Array<number>(r).fill(1);
  for (let d = r - 2; d >= 0; d--) stride[d] = stride[d + 1]! * shape[d + 1]!;
  const oshape = axes.map((a) => shape[a]!);
  const n = prod(shape);
  const order = new Int32Array(n);
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < n; k++) {
    let src = 0;
    for (let d = 0; d < r; d++) src += idx[d]! * stride[axes[d]!]!;
    order[k] = src;
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d]! < oshape[d]!) break;
      idx[d] = 0;
    }
  }
  return order;
}

function depthwiseHls(cls: DwCls): HlsClassSpec {
  const twoD = cls === 'DepthwiseConv2D';
  return {
    ...CONV_CLASS,
    infer(n, [x], ctx) {
      // _infer_depthconv_precision: n_ops = filt_height·filt_width.
      inferMac(n, x!, prod(n.attrs.kernelSize as number[]), ctx);
    },
    lower(n, ctx): DepthwiseLayer {
      for (const w of draftWarnings(n)) ctx.warn(w);
      // nnet_sepconv1d_latency.h and nnet_sepconv2d_latency.h share one include guard: an hls4ml
      // project with a 1D and a 2D depthwise layer does not compile (hlsemu's C++ has one header).
      const first2d = ctx.graph.nodes.find((m) => m.cls === 'DepthwiseConv2D');
      const any1d = ctx.graph.nodes.find((m) => m.cls === 'DepthwiseConv1D');
      if (first2d === n && any1d) {
        ctx.warn(`${n.name}: hls4ml's project of this model does not compile: its 1D and 2D separable-convolution latency headers (included for '${any1d.name}' and '${n.name}') share the include guard NNET_SEPARABLE_CONV2D_LATENCY_H_ (hlsemu's emitted project compiles)`);
      }
      const weight = typed(n, 'weight');
      const bias = typed(n, 'bias');
      const { H, W, C, OH, OW, kh, kw, sh, sw, pt, pb, pl, pr, kerasPadding } = nodeWindow(n, twoD);
      const K = kh * kw;
      // init_depconv*: 'resource' only for Strategy Resource, any other strategy runs Latency.
      const rawStrategy = String(n.settings.strategy ?? 'latency').toLowerCase();
      const strategy = rawStrategy === 'resource' ? 'resource' : 'latency';
      if (rawStrategy !== 'resource' && rawStrategy !== 'latency') ctx.warn(`${n.name}: hls4ml runs a depthwise convolution with Strategy '${String(n.settings.strategy)}' as Latency (init_depconv sets 'resource' only for Resource)`);
      if (strategy === 'resource' && ctx.io === 'io_parallel') {
        throw new UnsupportedError(`${n.name}.Strategy`, `hls4ml has no io_parallel Resource depthwise convolution (nnet_sepconv${twoD ? 2 : 1}d.h asserts "Resource strategy for DepthwiseConv is not supported"); use Latency or io_stream`);
      }
      const rfRequested = reuseFactorOf(n);
      let rf = rfRequested;
      if (strategy === 'resource') {
        // init_conv*/init_depconv*: validated like a dense of n_chan·filt_h·filt_w → n_filt.
        rf = validReuseFactor(K * C, C, rfRequested);
        if (rf !== rfRequested) ctx.change(`${n.name}: ReuseFactor ${rfRequested} is not valid for ${K * C}x${C}; using ${rf}`);
      }
      // The C array: hls4ml's weight tensor (Resource: transposed (F, k…, C) by apply_resource_strategy),
      // of which the kernel reads the first K·C values.
      const hw = n.weights.weight!;
      let w = rawWeights(n, 'weight', weight);
      const nZeros = countZeros(w.raw);
      if (strategy === 'resource') w = permuted(w, transposeGather(hw.shape, twoD ? [3, 0, 1, 2] : [2, 0, 1]));
      if (w.raw.length < K * C) throw new ShapeError(`${n.name}.weight`, `expected ${K * C} values, got ${w.raw.length}`);
      if (w.raw.length > K * C) {
        ctx.warn(
          `${n.name}: hls4ml's BatchNormalization fusion multiplies the depthwise kernel (${hw.shape.slice(0, -1).join(', ')}, 1) by ${C} scales with numpy broadcasting, giving ${w.raw.length} weights of shape (${hw.shape.join(', ')}); the kernel reads the first ${K * C} of them, so the fused layer does not compute BN(depthwise(x)) (reproduced)`,
        );
        w = { raw: w.raw.slice(0, K * C), text: w.text.slice(0, K * C) };
      } else if (strategy === 'resource' && hw.shape[0] === 1 && C > 1 && K > 1) {
        ctx.warn(`${n.name}: hls4ml's Resource weight transpose turns the ONNX depthwise weight (1, k…, C) into (C, 1, k…), so the kernel reads weight c·${K} + k where it expects k·${C} + c (reproduced)`);
      }
      const b = rawWeights(n, 'bias', bias);
      const c: DepthwiseFirmwareConfig = twoD
        ? { in_height: H, in_width: W, n_chan: C, filt_height: kh, filt_width: kw, stride_height: sh, stride_width: sw, out_height: OH, out_width: OW, pad_top: pt, pad_bottom: pb, pad_left: pl, pad_right: pr, strategy, reuse_factor: rf, n_zeros: nZeros, product: 'mult' }
        : { in_width: W, n_chan: C, filt_width: kw, stride_width: sw, out_width: OW, pad_left: pl, pad_right: pr, strategy, reuse_factor: rf, n_zeros: nZeros, product: 'mult' };
      if (rf !== rfRequested) c.reuse_factor_requested = rfRequested;
      c.dense_function = `nnet::${depthwiseDenseFunction(strategy, rf, C)}`;
      c.keras_padding = kerasPadding;
      if (ctx.io === 'io_stream') {
        const impl = String(n.settings.conv_implementation ?? 'LineBuffer').toLowerCase() === 'encoded' ? 'Encoded' : 'LineBuffer';
        c.implementation = impl;
        if (impl === 'LineBuffer' && twoD && kh === 1 && sh > 1) {
          ctx.warn(
            `${n.name}: hls4ml's line buffer for a filter of height 1 is the 1D one (depthwise_conv_2d_buffer_cl calls compute_depthwise_output_buffer_1d), which ignores stride_height ${sh}: the firmware emits a window for every input row and the next layer reads the first ${OH * OW} (reproduced)`,
          );
        }
        if (impl === 'Encoded') {
          try {
            if (twoD) {
              const ins = computeConv2dInstructions(H + pt + pb, W + pl + pr, C, [kh, kw], [sh, sw]);
              Object.assign(c, { min_height: ins.min_height, min_width: ins.min_width, pixels: ins.pixels });
            } else {
              const ins = computeConv1dInstructions(W + pl + pr, C, kw, sw);
              Object.assign(c, { min_width: ins.min_width, pixels: ins.pixels });
            }
          } catch (e) {
            if (e instanceof UnsupportedError || e instanceof ShapeError) throw new UnsupportedError(`${n.name}.ConvImplementation`, `Encoded: ${e.message}`);
            throw e;
          }
        }
      } else c.n_partitions = OH * OW;
      const L = {
        ...lowered(n, ctx, cls, c),
        types: { input: ctx.inputTypes[0]!, result: typed(n, 'result'), weight, bias, accum: typed(n, 'accum') },
        weights: { weight: w.raw, bias: b.raw },
        text: { weight: w.text, bias: b.text },
      } as DepthwiseLayer;
      prepare(L); // what the kernel rejects (reuse factors its product order cannot use) fails here, naming the layer
      return L;
    },
  };
}

/** hls4ml's SeparableConv classes: their attributes (config_from_keras_model); build splits them, so they are never lowered. */
function separableHls(cls: SepCls): HlsClassSpec {
  return {
    types: [
      { name: 'result' },
      { name: 'depthwise' },
      { name: 'pointwise' },
      { name: 'bias' },
      { name: 'depthwise_accum', backend: true },
      { name: 'pointwise_accum', backend: true },
      { name: 'depthwise_result', backend: true },
    ],
    settings: [
      { name: 'depthwise_reuse_factor', default: 1, backend: true },
      { name: 'pointwise_reuse_factor', default: 1, backend: true },
      { name: 'conv_implementation', default: 'LineBuffer', backend: true },
    ],
    lower(n) {
      throw new ConfigError(n.name, `internal: a ${cls} node is split into depthwise and pointwise layers when the graph is built`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Firmware classes
// ---------------------------------------------------------------------------------------------

const CONFIG_KEYS = [
  'in_height', 'in_width', 'n_chan', 'n_filt', 'filt_height', 'filt_width', 'stride_height', 'stride_width', 'out_height', 'out_width',
  'pad_top', 'pad_bottom', 'pad_left', 'pad_right', 'strategy', 'reuse_factor_requested', 'n_zeros', 'product', 'dense_function',
  'keras_padding', 'implementation', 'min_height', 'min_width', 'pixels', 'n_partitions', 'depth_multiplier', 'dilation', 'dilation_height',
  'dilation_width', 'scale_index', 'scale_index_height', 'scale_index_width', 'conv_in_height', 'conv_in_width', 'parallelization_factor', 'activation',
];

function kernelConfig(L: DepthwiseLayer): DepthwiseConv2DConfig & DepthwiseConv1DConfig {
  const { keras_padding: _k, n_zeros: _z, n_partitions: _p, reuse_factor_requested: _r, ...c } = L.config;
  return { ...c, name: L.name, types: L.types } as unknown as DepthwiseConv2DConfig & DepthwiseConv1DConfig;
}

function prepare(L: DepthwiseLayer): DepthwiseKernel {
  return L.cls === 'DepthwiseConv2D' ? prepareDepthwiseConv2d(kernelConfig(L), L.weights.weight, L.weights.bias) : prepareDepthwiseConv1d(kernelConfig(L), L.weights.weight, L.weights.bias);
}

function checkDepthwise<L extends DepthwiseLayer>(cls: L['cls']): FirmwareClassSpec<L>['check'] {
  const twoD = cls === 'DepthwiseConv2D';
  return (L, path) => {
    const c = new LayerCheck(L, path, CONFIG_KEYS);
    const [H, W, C] = hwc(c.rank(twoD ? 3 : 2));
    if (last(L.shapeOut) !== C) throw new ShapeError(`${path}.shapeOut`, `a depthwise convolution keeps the ${C} channels, got ${JSON.stringify(L.shapeOut)}`);
    c.equal('n_filt', C);
    const dm = c.int('depth_multiplier', 1, 1);
    if (dm !== 1) throw new UnsupportedError(`${path}.config.depth_multiplier`, `only 1 is supported (hls4ml's kernels assert n_filt == n_chan), got ${dm}`);
    const cfg: DepthwiseFirmwareConfig = {
      in_width: c.equal('in_width', W),
      n_chan: c.equal('n_chan', C),
      filt_width: c.int('filt_width', 1),
      stride_width: c.int('stride_width', 1, 1),
      out_width: 0,
      pad_left: c.int('pad_left', 0, 0),
      pad_right: c.int('pad_right', 0, 0),
      strategy: c.choice('strategy', ['latency', 'resource'] as const, 'latency'),
      reuse_factor: c.int('reuse_factor', 1, 1),
      n_zeros: c.int('n_zeros', 0, 0),
      product: c.choice('product', ['mult', 'weight_ternary'] as const, 'mult'),
    };
    if (twoD) {
      Object.assign(cfg, { in_height: c.equal('in_height', H), filt_height: c.int('filt_height', 1), stride_height: c.int('stride_height', 1, 1), pad_top: c.int('pad_top', 0, 0), pad_bottom: c.int('pad_bottom', 0, 0) });
      if (c.int('dilation_height', 1, 1) !== 1 || c.int('dilation_width', 1, 1) !== 1) throw new UnsupportedError(`${path}.config.dilation_height`, 'depthwise convolutions have no dilation in hls4ml');
    } else if (c.int('dilation', 1, 1) !== 1) throw new UnsupportedError(`${path}.config.dilation`, 'depthwise convolutions have no dilation in hls4ml');
    if (c.cfg.keras_padding !== undefined) cfg.keras_padding = c.choice('keras_padding', ['valid', 'same'] as const);
    if (typeof c.cfg.dense_function === 'string') cfg.dense_function = c.cfg.dense_function;
    const rq = c.int('reuse_factor_requested', 1, cfg.reuse_factor);
    if (rq !== cfg.reuse_factor) cfg.reuse_factor_requested = rq;
    checkStreamFields(c, cfg, twoD);
    const kh = twoD ? cfg.filt_height! : 1;
    const sh = twoD ? cfg.stride_height! : 1;
    const outH = twoD ? Math.floor((H + cfg.pad_top! + cfg.pad_bottom! - kh) / sh) + 1 : 1;
    const outW = Math.floor((W + cfg.pad_left + cfg.pad_right - cfg.filt_width) / cfg.stride_width) + 1;
    if (outH < 1 || outW < 1) throw new ShapeError(`${path}.config.filt_width`, `the window does not fit the (padded) input: output would be ${outH}x${outW}`);
    c.out(twoD ? [outH, outW, C] : [outW, C]);
    if (twoD) cfg.out_height = c.equal('out_height', outH);
    cfg.out_width = c.equal('out_width', outW);
    const K = kh * cfg.filt_width;
    const layer = {
      ...L,
      cls,
      config: { ...cfg, io_type: c.io },
      types: { input: c.type('input'), result: c.type('result'), weight: c.type('weight'), bias: c.type('bias'), accum: c.type('accum') },
      weights: { weight: c.weight('weight', K * C), bias: c.weight('bias', C) },
    } as unknown as L;
    prepare(layer); // geometry, strategy / io constraints, product order and the Encoded table, as the kernel sees them
    return layer;
  };
}

function emitDepthwise(L: DepthwiseLayer, { ctx, cname: c, ins }: EmitArgs): LayerCode {
  const inT = ins[0]!;
  if (L.config.product !== 'mult') throw new UnsupportedError(`${L.name}.config.product`, `product '${L.config.product}' is not supported by the emitter (mult)`);
  const kernel = prepare(L);
  const { geometry: g, instructions } = kernel.plan;
  const oneD = L.cls === 'DepthwiseConv1D';
  const { strategy, reuse_factor: rf } = L.config;
  const { weight: tw, bias: tb } = L.types;
  warnInputType(ctx, L, 'input', inT);
  const C = g.C;
  const stream = ctx.io === 'io_stream';
  const typedefs = macTypedefs(c, L.types);
  const arrays = [
    { name: `${c}_w`, elemType: `${c}_weight_t`, type: tw, values: L.weights.weight, description: `${L.name} depthwise weights, w[k * ${C} + c], k = kh * ${g.kw} + kw` },
    { name: `${c}_b`, elemType: `${c}_bias_t`, type: tb, values: L.weights.bias, description: `${L.name} biases` },
  ];
  const geomText = windowText(g, oneD, C);
  const pad = new StreamPadding(c, g);
  const { PH, PW } = pad;
  const padded = stream && pad.padded;
  const impl = stream ? kernel.plan.implementation! : 'linebuffer';
  const s = new Struct(`config_${c}`, `${L.name}: ${L.cls} ${L.config.io_type}${stream ? ` ${impl === 'encoded' ? 'Encoded' : 'LineBuffer'}` : ''} ${geomText}${padded ? ' (on the padded input)' : ''}`)
    .u('in_height', stream ? PH : g.H).u('in_width', stream ? PW : g.W).u('n_chan', C).u('filt_height', g.kh).u('filt_width', g.kw)
    .u('stride_height', g.sh).u('stride_width', g.sw).u('pad_top', stream ? 0 : g.pt).u('pad_left', stream ? 0 : g.pl)
    .u('out_height', g.outH).u('out_width', g.outW).u('reuse_factor', rf)
    .u('strategy', strategy === 'resource' ? 'hlsemu::strategy_resource' : 'hlsemu::strategy_latency')
    .b('encoded', impl === 'encoded')
    .t('accum_t', `${c}_accum_t`).t('weight_t', `${c}_weight_t`).t('bias_t', `${c}_bias_t`);
  if (impl === 'encoded') encodedTableMembers(s, g, instructions!, oneD);
  const structs: string[] = [];
  if (padded) structs.push(pad.struct(L.name, 'the stream depthwise convolution'));
  structs.push(s.text());
  return {
    layer: L,
    cname: c,
    typedefs,
    structs,
    arrays,
    headers: padded ? [DEPTHWISE_HEADER, PADDING_HEADER] : [DEPTHWISE_HEADER],
    call: (is, iv, out, ov) => {
      if (!stream) return [`hlsemu::depthwise_conv<${is[0]!.elemType}, ${out.elemType}, config_${c}>(${iv[0]}, ${ov}, ${c}_w, ${c}_b);`];
      if (!padded) return [`hlsemu::depthwise_conv<${is[0]!.wordType}, ${out.wordType}, config_${c}>(${iv[0]}, ${ov}, ${c}_w, ${c}_b);`];
      return pad.call('depthwise_conv', is[0]!, iv[0]!, out, ov);
    },
    summary: `${L.cls} ${geomText} (${L.config.io_type}${stream ? ` ${impl === 'encoded' ? 'Encoded' : 'LineBuffer'}` : ''}, ${strategy}, RF ${rf})`,
  };
}

function depthwiseFirmware<L extends DepthwiseLayer>(cls: L['cls']): FirmwareClassSpec<L> {
  return {
    check: checkDepthwise<L>(cls),
    reference(L) {
      const k = prepare(L);
      return (xs, s) => k.run(xs[0]!, s ? { stats: s } : {});
    },
    fast: (L, fo) => (L.cls === 'DepthwiseConv2D' ? prepareFastDepthwiseConv2d(kernelConfig(L), L.weights.weight, L.weights.bias, fo) : prepareFastDepthwiseConv1d(kernelConfig(L), L.weights.weight, L.weights.bias, fo)),
    emit: (L, a) => emitDepthwise(L, a),
    macs: (L) => L.weights.weight.length * (L.config.out_height ?? 1) * L.config.out_width,
  };
}

/** The depthwise / separable convolution kind. */
export const depthwiseModule = {
  kind: 'DepthwiseConv / SeparableConv',
  model: {
    DepthwiseConv1D: depthwiseModel('DepthwiseConv1D'),
    DepthwiseConv2D: depthwiseModel('DepthwiseConv2D'),
    SeparableConv1D: separableModel('SeparableConv1D'),
    SeparableConv2D: separableModel('SeparableConv2D'),
  },
  hls: {
    DepthwiseConv1D: depthwiseHls('DepthwiseConv1D'),
    DepthwiseConv2D: depthwiseHls('DepthwiseConv2D'),
    SeparableConv1D: separableHls('SeparableConv1D'),
    SeparableConv2D: separableHls('SeparableConv2D'),
  },
  firmware: { DepthwiseConv1D: depthwiseFirmware<DepthwiseConv1DLayer>('DepthwiseConv1D'), DepthwiseConv2D: depthwiseFirmware<DepthwiseConv2DLayer>('DepthwiseConv2D') },
  kernels: {
    depthwise_conv1d: SEQ_KERNEL_CHECKERS.depthwise_conv1d!,
    depthwise_conv2d: SEQ_KERNEL_CHECKERS.depthwise_conv2d!,
    separable_conv1d: SEQ_KERNEL_CHECKERS.separable_conv1d!,
    separable_conv2d: SEQ_KERNEL_CHECKERS.separable_conv2d!,
  },
} satisfies LayerModule;
