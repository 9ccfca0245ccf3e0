/**
 * DepthwiseConv1D / DepthwiseConv2D (`nnet::depthwise_conv_{1,2}d_cl`, depth_multiplier 1) and
 * SeparableConv1D / SeparableConv2D (depthwise, then a pointwise 1×1 convolution), channels-last.
 *
 * The windows are the convolution's own (geometry.ts: io_parallel im2col, io_stream LineBuffer or
 * Encoded, io_stream 'same' = zero padding first); only the per-window arithmetic differs: every
 * channel c has its own accumulator, fed by the window's values of that channel only.
 *
 * Cast sequence, per output pixel and channel c:
 *   `acc = (accum_t) bias[c]`;
 *   for each product of the strategy's order: `acc = (accum_t)(acc + (accum_t)(d[i] · w[i]))`, i = k·C + c;
 *   `res = (result_t) acc`.
 * The window vector d and the weights share the index i = k·n_chan + c (k = kh·filt_width + kw), which
 * is the Keras `depthwise_kernel` (kh, kw, C, 1) flattened. Latency visits k = 0 … K−1. The io_stream
 * Resource kernels (`DepthwiseDenseResource_rf_leq_nout`, `_rf_gt_nout_rem0`, `_rf_gt_nout`) walk
 * i = ir + im·RF in their own order ({@link depthwiseAccumulationOrder}); the order matters only when
 * accum_t overflows.
 *
 * A prepared {@link DepthwiseKernel} exposes its {@link DepthwisePlan} (window sequence + per-channel
 * product order + decoded weights) so that other implementations can run the same plan.
 */
import { ConfigError, UnsupportedError } from '../errors.js';
import { frac } from '../fixed/index.js';
import {
  allocOut,
  BIG,
  checkLength,
  choosePath,
  intField,
  ioTypeField,
  layerName,
  notePreResult,
  NUM,
  readRaw,
  storeOut,
  typedCaster,
  typeField,
  type Arith,
  type KernelOptions,
  type KernelStats,
  type RawInput,
  type RawOutput,
} from './common.js';
import type { Conv1DConfig, Conv2DConfig } from './conv.js';
import { convEncodedTable, layerWindows, windowGeometry, windowImplementation, type EncodedTable, type WindowGeometry, type Windows } from './geometry.js';
import { DenseKernel, checkPrepared, denseBits, type DenseTypes, type ProductKind } from './dense.js';

/** Which `nnet::DepthwiseDense*` class computes a window (the `dense_function` of the mult config). */
export type DepthwiseDenseFunction =
  | 'DepthwiseDenseLatency'
  | 'DepthwiseDenseResource_rf_leq_nout'
  | 'DepthwiseDenseResource_rf_gt_nout_rem0'
  | 'DepthwiseDenseResource_rf_gt_nout';

/** Fields a depthwise config adds to / relaxes from the convolution config. */
interface DepthwiseExtra {
  /** Must equal n_chan (depth_multiplier 1) when given. */
  n_filt?: number;
  /** Only 1 is supported (the kernels assert n_filt == n_chan). */
  depth_multiplier?: number;
  /** When given, checked against the class hls4ml's template picks from strategy / reuse_factor. */
  dense_function?: string;
}

/** Config of `nnet::depthwise_conv_2d_cl` (hls4ml `conv2d_config` field names; n_filt = n_chan). */
export interface DepthwiseConv2DConfig extends Omit<Conv2DConfig, 'n_filt'>, DepthwiseExtra {}

/** Config of `nnet::depthwise_conv_1d_cl` (hls4ml `conv1d_config` field names; n_filt = n_chan). */
export interface DepthwiseConv1DConfig extends Omit<Conv1DConfig, 'n_filt'>, DepthwiseExtra {}

/**
 * Everything a depthwise convolution needs besides the input: the geometry and window sequence
 * (shared with the convolutions, geometry.ts), and for each channel c the window-vector indices
 * `accIdx[accStart[c] … accStart[c+1]−1]` in the order their products are added into c's accumulator.
 */
export interface DepthwisePlan {
  geometry: WindowGeometry;
  io: 'io_parallel' | 'io_stream';
  /** io_stream only. */
  implementation?: 'linebuffer' | 'encoded';
  /** Output pixels in output order; taps index the unpadded input (−1 = zero). */
  windows: Windows;
  /** Encoded only: the instruction table used. */
  instructions?: EncodedTable;
  /** Taps per window (filt_height·filt_width). */
  kSize: number;
  nChan: number;
  denseFunction: DepthwiseDenseFunction;
  accStart: Int32Array;
  accIdx: Int32Array;
}

function normStrategy(layer: string, s: unknown): 'latency' | 'resource' {
  if (s === undefined) return 'latency';
  const v = String(s).toLowerCase();
  if (v === 'latency' || v === 'resource') return v;
  throw new UnsupportedError(`${layer}.strategy`, `strategy '${String(s)}' is not supported for depthwise convolutions (latency, resource)`);
}

/**
 * The `nnet::DepthwiseDense*` class hls4ml's conv template writes into the mult config:
 * latency → `DepthwiseDenseLatency`; resource → `_rf_leq_nout` if RF ≤ n_chan, else `_rf_gt_nout_rem0`
 * if RF % n_chan == 0, else `_rf_gt_nout`.
 *
 * @example depthwiseDenseFunction('resource', 4, 3); // 'DepthwiseDenseResource_rf_gt_nout'
 */
export function depthwiseDenseFunction(strategy: string | undefined, reuseFactor: number, nChan: number): DepthwiseDenseFunction {
  if (normStrategy('depthwise', strategy) === 'latency') return 'DepthwiseDenseLatency';
  if (reuseFactor <= nChan) return 'DepthwiseDenseResource_rf_leq_nout';
  return reuseFactor % nChan === 0 ? 'DepthwiseDenseResource_rf_gt_nout_rem0' : 'DepthwiseDenseResource_rf_gt_nout';
}

/**
 * Order of the products of one window, as pairs (window index i, accumulator) in the exact
 * sequence the C++ class executes, regrouped per accumulator (CSR). Throws where the C++ asserts
 * or would read past the window (`in_index ≥ n_in`, undefined behaviour).
 *
 * @example depthwiseAccumulationOrder({ n_chan: 3, kernel_size: 4, strategy: 'resource', reuse_factor: 4 });
 */
export function depthwiseAccumulationOrder(cfg: {
  name?: string;
  n_chan: number;
  kernel_size: number;
  strategy?: string;
  reuse_factor?: number;
}): { denseFunction: DepthwiseDenseFunction; accStart: Int32Array; accIdx: Int32Array } {
  const layer = layerName(cfg, 'depthwise');
  const C = intField(layer, 'n_chan', cfg.n_chan);
  const K = intField(layer, 'kernel_size', cfg.kernel_size);
  const nin = K * C;
  const rf = intField(layer, 'reuse_factor', cfg.reuse_factor ?? 1);
  const fn = depthwiseDenseFunction(normStrategy(layer, cfg.strategy), rf, C);
  const ins: number[] = [];
  const outs: number[] = [];
  const push = (i: number, o: number) => {
    if (i < 0 || i >= nin || o < 0 || o >= C) {
      throw new ConfigError(`${layer}.reuse_factor`, `reuse_factor=${rf} makes nnet::${fn} read window element ${i} of ${nin} (accumulator ${o}): out of bounds in the C++; use a reuse factor that divides n_in = ${nin}`);
    }
    ins.push(i);
    outs.push(o);
  };
  const ceilDiv = (a: number, b: number) => Math.ceil(a / b);
  if (fn === 'DepthwiseDenseLatency') {
    for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) push(k * C + c, c);
  } else if (fn === 'DepthwiseDenseResource_rf_leq_nout') {
    const block = ceilDiv(nin, rf);
    for (let ir = 0; ir < rf; ir++) {
      let i = ir;
      let o = ir;
      for (let im = 0; im < block; im++) {
        push(i, o);
        i += rf;
        o += rf;
        if (o >= C) o -= C;
      }
    }
  } else {
    const ru = Math.min(rf, nin);
    const block = ceilDiv(nin, ru);
    if (fn === 'DepthwiseDenseResource_rf_gt_nout_rem0') {
      if (!(ru >= C && ru % C === 0)) throw new ConfigError(`${layer}.reuse_factor`, `reuse_factor=${rf}: nnet::${fn} asserts min(RF, n_in) ≥ n_chan and min(RF, n_in) % n_chan == 0`);
      for (let ir = 0; ir < ru; ir++) {
        let i = ir;
        const o = ir % C;
        for (let im = 0; im < block; im++) {
          push(i, o);
          i += ru;
        }
      }
    } else {
      if (!(ru > C)) throw new ConfigError(`${layer}.reuse_factor`, `reuse_factor=${rf}: nnet::${fn} asserts min(RF, n_in) > n_chan`);
      // The step of the accumulator index is the configured RF modulo n_chan (not min(RF, n_in)).
      const rem = rf % C;
      for (let ir = 0; ir < ru; ir++) {
        let i = ir;
        let o = ir % C;
        for (let im = 0; im < block; im++) {
          push(i, o);
          i += ru;
          o += rem;
          if (o >= C) o -= C;
        }
      }
    }
  }
  const accStart = new Int32Array(C + 1);
  for (const o of outs) accStart[o + 1]!++;
  for (let c = 0; c < C; c++) accStart[c + 1]! += accStart[c]!;
  const fill = accStart.slice(0, C);
  const accIdx = new Int32Array(ins.length);
  for (let p = 0; p < ins.length; p++) accIdx[fill[outs[p]!]!++] = ins[p]!;
  return { denseFunction: fn, accStart, accIdx };
}



function normProduct(layer: string, p: unknown): ProductKind {
  if (p === undefined || p === 'mult') return 'mult';
  if (p === 'weight_ternary') return 'weight_ternary';
  throw new UnsupportedError(`${layer}.product`, `product '${String(p)}' is not supported (mult, weight_ternary)`);
}

function checkDepth(layer: string, cfg: DepthwiseExtra & { n_chan: number }): void {
  if (cfg.depth_multiplier !== undefined && cfg.depth_multiplier !== 1) {
    throw new UnsupportedError(`${layer}.depth_multiplier`, `only depth_multiplier 1 is supported (hls4ml's kernels assert n_filt == n_chan), got ${String(cfg.depth_multiplier)}`);
  }
  if (cfg.n_filt !== undefined && cfg.n_filt !== cfg.n_chan) {
    throw new UnsupportedError(`${layer}.n_filt`, `a depthwise convolution has n_filt == n_chan (depth_multiplier 1), got n_filt=${String(cfg.n_filt)}, n_chan=${String(cfg.n_chan)}`);
  }
}

/**
 * A depthwise convolution with weights decoded and its plan built; `run` convolves many inputs.
 *
 * @example const k = prepareDepthwiseConv2d(cfg, weights, bias); const y = k.run(x);
 */
export class DepthwiseKernel {
  readonly name: string;
  readonly plan: DepthwisePlan;
  readonly types: DenseTypes;
  readonly product: ProductKind;
  readonly big: boolean;
  /** Decoded weights (window-vector order, K·C) and biases (C), raw in their types. */
  readonly weights: ArrayLike<number> | ArrayLike<bigint>;
  readonly bias: ArrayLike<number> | ArrayLike<bigint>;

  /** @internal use {@link prepareDepthwiseConv2d} / {@link prepareDepthwiseConv1d}. */
  constructor(layer: string, g: WindowGeometry, cfg: DepthwiseConv2DConfig | DepthwiseConv1DConfig, weights: RawInput, bias: RawInput, path?: KernelOptions['path']) {
    this.name = layer;
    const t = cfg.types as unknown as Record<string, never>;
    if (!t || typeof t !== 'object') throw new ConfigError(`${layer}.types`, 'missing types (input, weight, bias, accum, result)');
    this.types = {
      input: typeField(layer, t, 'input'),
      weight: typeField(layer, t, 'weight'),
      bias: typeField(layer, t, 'bias'),
      accum: typeField(layer, t, 'accum'),
      result: typeField(layer, t, 'result'),
    };
    this.product = normProduct(layer, cfg.product);
    if (this.product === 'weight_ternary' && frac(this.types.weight) !== 0) {
      throw new UnsupportedError(`${layer}.product`, `weight_ternary needs an integer weight type, got W=${this.types.weight.W} I=${this.types.weight.I}`);
    }
    const strategy = normStrategy(layer, cfg.strategy);
    const io = ioTypeField(layer, cfg.io_type);
    if (strategy === 'resource' && io === 'io_parallel') {
      throw new UnsupportedError(`${layer}.strategy`, 'hls4ml has no io_parallel Resource depthwise convolution (the C++ asserts "Resource strategy for DepthwiseConv is not supported")');
    }
    if (g.dh !== 1 || g.dw !== 1) throw new UnsupportedError(`${layer}.dilation`, 'depthwise convolutions have no dilation in hls4ml');
    const implementation = io === 'io_stream' ? windowImplementation(layer, cfg.implementation, 'conv') : undefined;
    const instructions = implementation === 'encoded' ? convEncodedTable(layer, g, cfg) : undefined;
    const windows = layerWindows(layer, g, io, implementation ?? 'linebuffer', { buffer2d: g.kh > 1, encoded: instructions });
    const kSize = g.kh * g.kw;
    const C = g.C;
    const order = depthwiseAccumulationOrder({ name: layer, n_chan: C, kernel_size: kSize, strategy, reuse_factor: cfg.reuse_factor });
    if (cfg.dense_function !== undefined && String(cfg.dense_function).replace(/^nnet::/, '') !== order.denseFunction) {
      throw new ConfigError(`${layer}.dense_function`, `hls4ml picks nnet::${order.denseFunction} for strategy ${strategy}, reuse_factor ${cfg.reuse_factor ?? 1}, n_chan ${C}; got ${String(cfg.dense_function)}`);
    }
    this.plan = { geometry: g, io, implementation, windows, instructions, kSize, nChan: C, denseFunction: order.denseFunction, accStart: order.accStart, accIdx: order.accIdx };
    this.big = choosePath(layer, denseBits(this.types, this.product), path);
    checkLength(layer, 'weights', weights, kSize * C);
    checkLength(layer, 'bias', bias, C);
    if (this.big) {
      this.weights = readRaw(BIG, layer, 'weights', weights, this.types.weight, kSize * C);
      this.bias = readRaw(BIG, layer, 'bias', bias, this.types.bias, C);
    } else {
      this.weights = readRaw(NUM, layer, 'weights', weights, this.types.weight, kSize * C);
      this.bias = readRaw(NUM, layer, 'bias', bias, this.types.bias, C);
    }
  }

  get outHeight(): number {
    return this.plan.geometry.outH;
  }

  get outWidth(): number {
    return this.plan.geometry.outW;
  }

  /**
   * Convolve one channels-last image (`in_height·in_width·n_chan` raws) into
   * `out_height·out_width·n_chan` raws.
   *
   * @example const y = prepareDepthwiseConv2d(cfg, w, b).run(x);
   */
  run(x: RawInput, opts: KernelOptions = {}): RawOutput {
    checkPrepared(this.name, this.big, opts.path);
    return this.big ? this.runWith(BIG, x, opts) : this.runWith(NUM, x, opts);
  }

  private runWith<T extends number | bigint>(A: Arith<T>, x: RawInput, opts: KernelOptions): RawOutput {
    const { geometry: g, windows, kSize, nChan: C, accStart, accIdx } = this.plan;
    const { taps } = windows;
    const nPix = g.outH * g.outW;
    const t = this.types;
    const out = allocOut(this.name, nPix * C, t.result, opts.out);
    const xs = readRaw(A, this.name, 'input', x, t.input, g.H * g.W * C);
    const w = this.weights as ArrayLike<T>;
    const b = this.bias as ArrayLike<T>;
    const st: KernelStats | undefined = opts.stats;
    const ternary = this.product === 'weight_ternary';
    const castP = A.caster(ternary ? frac(t.input) : frac(t.input) + frac(t.weight), t.accum, st?.accum);
    const castB = typedCaster(A, t.bias, t.accum, st?.accum);
    const castA = A.caster(frac(t.accum), t.accum, st?.accum);
    const castR = typedCaster(A, t.accum, t.result, st?.result);
    const fa = frac(t.accum);
    const d: T[] = new Array<T>(kSize * C).fill(A.zero);
    for (let o = 0; o < nPix; o++) {
      for (let k = 0; k < kSize; k++) {
        const tap = taps[o * kSize + k]!;
        for (let c = 0; c < C; c++) d[k * C + c] = tap < 0 ? A.zero : xs[tap * C + c]!;
      }
      for (let c = 0; c < C; c++) {
        let acc = castB(b[c]!);
        for (let p = accStart[c]!; p < accStart[c + 1]!; p++) {
          const i = accIdx[p]!;
          const wi = w[i]!;
          const di = d[i]!;
          const prod = ternary ? (wi === A.zero ? A.zero : wi === A.of(-1) ? A.sub(A.zero, di) : di) : A.mul(di, wi);
          acc = castA(A.add(acc, castP(prod)));
        }
        if (st) notePreResult(st, acc, fa);
        storeOut(out, o * C + c, castR(acc));
      }
    }
    return out;
  }
}

/**
 * Prepare a DepthwiseConv2D (window plan, product order, decoded weights) for repeated use.
 *
 * @param weights Keras `depthwise_kernel` (kh, kw, C, 1) flattened: `(kh*filt_width + kw)*n_chan + c`
 * @example const k = prepareDepthwiseConv2d(cfg, weights, bias); const y = k.run(x);
 */
export function prepareDepthwiseConv2d(cfg: DepthwiseConv2DConfig, weights: RawInput, bias: RawInput, path?: KernelOptions['path']): DepthwiseKernel {
  const layer = layerName(cfg ?? {}, 'depthwise_conv2d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  checkDepth(layer, cfg);
  return new DepthwiseKernel(layer, windowGeometry(layer, cfg, false), cfg, weights, bias, path);
}

/**
 * Prepare a DepthwiseConv1D for repeated use (weights `kw*n_chan + c`).
 *
 * @example const k = prepareDepthwiseConv1d(cfg, weights, bias); const y = k.run(x);
 */
export function prepareDepthwiseConv1d(cfg: DepthwiseConv1DConfig, weights: RawInput, bias: RawInput, path?: KernelOptions['path']): DepthwiseKernel {
  const layer = layerName(cfg ?? {}, 'depthwise_conv1d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  checkDepth(layer, cfg);
  const c1 = cfg as DepthwiseConv1DConfig;
  return new DepthwiseKernel(layer, windowGeometry(layer, { ...c1, dilation_width: c1.dilation }, true), cfg, weights, bias, path);
}

/**
 * `nnet::depthwise_conv_2d_cl`: one channels-last image → `out_height·out_width·n_chan` raws.
 *
 * @example depthwiseConv2d({ in_height: 3, in_width: 3, n_chan: 1, filt_height: 3, filt_width: 3, types }, x, w, [0]);
 */
export function depthwiseConv2d(cfg: DepthwiseConv2DConfig, x: RawInput, weights: RawInput, bias: RawInput, opts: KernelOptions = {}): RawOutput {
  return prepareDepthwiseConv2d(cfg, weights, bias, opts.path).run(x, opts);
}

/**
 * `nnet::depthwise_conv_1d_cl`: one channels-last sequence → `out_width·n_chan` raws.
 *
 * @example depthwiseConv1d({ in_width: 4, n_chan: 1, filt_width: 2, types }, [1, 2, 3, 4], [1, 1], [0]);
 */
export function depthwiseConv1d(cfg: DepthwiseConv1DConfig, x: RawInput, weights: RawInput, bias: RawInput, opts: KernelOptions = {}): RawOutput {
  return prepareDepthwiseConv1d(cfg, weights, bias, opts.path).run(x, opts);
}

// ---------------------------------------------------------------------------------------------
// Separable = depthwise + pointwise
// ---------------------------------------------------------------------------------------------

/** Config of the pointwise (1×1, stride 1) half of a separable convolution (`pointwise_config`). */
export interface PointwiseConfig {
  name?: string;
  n_chan?: number;
  n_filt: number;
  strategy?: 'latency' | 'resource' | string;
  reuse_factor?: number;
  product?: ProductKind | string;
  /** `input` defaults to the depthwise result type (it must equal it when given). */
  types: Omit<DenseTypes, 'input'> & { input?: DenseTypes['input'] };
}

/**
 * Config of `nnet::separable_conv_{1,2}d_cl` (hls4ml's `depthwise_config` / `pointwise_config`).
 * hls4ml's SeparableToDepthwiseAndConv gives the depthwise half zero biases typed `ap_uint<1>`.
 */
export interface SeparableConvConfig<D> {
  name?: string;
  depthwise_config: D;
  pointwise_config: PointwiseConfig;
}

/**
 * A separable convolution: a prepared depthwise kernel and the pointwise dense core run per pixel.
 *
 * @example const k = prepareSeparableConv2d(cfg, dw, dwBias, pw, pwBias); const y = k.run(x);
 */
export class SeparableKernel {
  readonly name: string;
  readonly depthwise: DepthwiseKernel;
  readonly pointwise: DenseKernel;

  /** @internal */
  constructor(layer: string, depthwise: DepthwiseKernel, pcfg: PointwiseConfig, pw: RawInput, pwBias: RawInput, path?: KernelOptions['path']) {
    this.name = layer;
    this.depthwise = depthwise;
    if (!pcfg || typeof pcfg !== 'object') throw new ConfigError(`${layer}.pointwise_config`, 'missing config');
    const C = depthwise.plan.nChan;
    if (pcfg.n_chan !== undefined && pcfg.n_chan !== C) {
      throw new ConfigError(`${layer}.pointwise_config.n_chan`, `must equal the depthwise n_chan ${C}, got ${String(pcfg.n_chan)}`);
    }
    const pt = pcfg.types;
    if (!pt || typeof pt !== 'object') throw new ConfigError(`${layer}.pointwise_config.types`, 'missing types (weight, bias, accum, result)');
    const dwRes = depthwise.types.result;
    if (pt.input !== undefined && !(pt.input.W === dwRes.W && pt.input.I === dwRes.I && pt.input.signed === dwRes.signed)) {
      throw new ConfigError(`${layer}.pointwise_config.types.input`, 'the pointwise input type is the depthwise result type');
    }
    this.pointwise = new DenseKernel(
      { name: `${layer}.pointwise`, n_in: C, n_out: intField(`${layer}.pointwise_config`, 'n_filt', pcfg.n_filt), strategy: pcfg.strategy, reuse_factor: pcfg.reuse_factor, product: pcfg.product, types: { ...pt, input: dwRes } as DenseTypes },
      pw,
      pwBias,
      path,
    );
  }

  get outHeight(): number {
    return this.depthwise.outHeight;
  }

  get outWidth(): number {
    return this.depthwise.outWidth;
  }

  /**
   * One channels-last image → `out_height·out_width·n_filt` raws (depthwise stats and pointwise
   * stats go to the same object).
   *
   * @example const y = k.run(x);
   */
  run(x: RawInput, opts: KernelOptions = {}): RawOutput {
    const mid = this.depthwise.run(x, { stats: opts.stats, path: opts.path });
    const nPix = this.outHeight * this.outWidth;
    const F = this.pointwise.nOut;
    const C = this.pointwise.nIn;
    const out = allocOut(this.name, nPix * F, this.pointwise.types.result, opts.out);
    if (this.pointwise.big) {
      const m = readRaw(BIG, this.name, 'depthwise output', mid, this.pointwise.types.input, nPix * C);
      const cs = this.pointwise.casters(BIG, opts.stats);
      for (let p = 0; p < nPix; p++) this.pointwise.rowBig(m, p * C, out, p * F, cs, opts.stats);
    } else {
      const m = readRaw(NUM, this.name, 'depthwise output', mid, this.pointwise.types.input, nPix * C);
      const cs = this.pointwise.casters(NUM, opts.stats);
      for (let p = 0; p < nPix; p++) this.pointwise.rowNum(m, p * C, out, p * F, cs, opts.stats);
    }
    return out;
  }
}

/**
 * Prepare a SeparableConv2D.
 *
 * @param dwWeights Keras depthwise_kernel flattened `(kh*filt_width + kw)*n_chan + c`
 * @param pwWeights latency: Keras pointwise_kernel flattened `c*n_filt + f`; resource: `f*n_chan + c`
 * @example const k = prepareSeparableConv2d(cfg, dw, dwBias, pw, pwBias);
 */
export function prepareSeparableConv2d(cfg: SeparableConvConfig<DepthwiseConv2DConfig>, dwWeights: RawInput, dwBias: RawInput, pwWeights: RawInput, pwBias: RawInput, path?: KernelOptions['path']): SeparableKernel {
  const layer = layerName(cfg ?? {}, 'separable_conv2d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  if (!cfg.depthwise_config || typeof cfg.depthwise_config !== 'object') throw new ConfigError(`${layer}.depthwise_config`, 'missing config');
  const dw = prepareDepthwiseConv2d({ ...cfg.depthwise_config, name: cfg.depthwise_config.name ?? `${layer}.depthwise` }, dwWeights, dwBias, path);
  return new SeparableKernel(layer, dw, cfg.pointwise_config, pwWeights, pwBias, path);
}

/**
 * Prepare a SeparableConv1D (see {@link prepareSeparableConv2d}).
 *
 * @example const k = prepareSeparableConv1d(cfg, dw, dwBias, pw, pwBias);
 */
export function prepareSeparableConv1d(cfg: SeparableConvConfig<DepthwiseConv1DConfig>, dwWeights: RawInput, dwBias: RawInput, pwWeights: RawInput, pwBias: RawInput, path?: KernelOptions['path']): SeparableKernel {
  const layer = layerName(cfg ?? {}, 'separable_conv1d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  if (!cfg.depthwise_config || typeof cfg.depthwise_config !== 'object') throw new ConfigError(`${layer}.depthwise_config`, 'missing config');
  const dw = prepareDepthwiseConv1d({ ...cfg.depthwise_config, name: cfg.depthwise_config.name ?? `${layer}.depthwise` }, dwWeights, dwBias, path);
  return new SeparableKernel(layer, dw, cfg.pointwise_config, pwWeights, pwBias, path);
}
