/**
 * Conv1D / Conv2D kernels (channels-last), `nnet::conv_1d_cl` / `nnet::conv_2d_cl`:
 * io_parallel (im2col with the padding inside, then the dense core per output pixel) and
 * io_stream with the Encoded (instruction-table driven FIFOs) or LineBuffer (shift registers)
 * implementations. The arithmetic of one output pixel is always the dense kernel's
 * (see dense.ts); the implementations differ only in which input pixels form each window and in
 * which order the windows come out, and both are reproduced by simulating hls4ml's own index
 * logic (scale_index tables, FIFO reads, line-buffer counters), quirks included.
 */
import { ConfigError, UnsupportedError } from '../errors.js';
import {
  allocOut,
  BIG,
  intField,
  ioTypeField,
  layerName,
  NUM,
  readRaw,
  type KernelOptions,
  type RawInput,
  type RawOutput,
} from './common.js';
import { convEncodedTable, layerWindows, windowGeometry, windowImplementation, type EncodedTable, type WindowGeometry, type Windows } from './geometry.js';
import { DenseKernel, checkPrepared, type DenseConfig, type DenseTypes, type ProductKind } from './dense.js';

/** io_stream convolution implementation (`nnet::conv_implementation`). */
export type ConvImplementation = 'LineBuffer' | 'Encoded';

/** Fields shared by the 1D and 2D configs. */
interface ConvCommon {
  /** Layer name for error messages. */
  name?: string;
  n_chan: number;
  n_filt: number;
  /** `'io_parallel'` (default) or `'io_stream'`. */
  io_type?: 'io_parallel' | 'io_stream' | string;
  /** io_stream only: `'LineBuffer'` (default) or `'Encoded'` (case-insensitive). */
  implementation?: ConvImplementation | string;
  /** `'latency'` (default) or `'resource'`. Weights are then in the transposed `(F, kh, kw, C)` order. */
  strategy?: 'latency' | 'resource' | string;
  reuse_factor?: number;
  product?: ProductKind | string;
  /** weight_exponential only: the sign bit of each weight, in the weights' order. */
  weight_sign?: ArrayLike<number>;
  types: DenseTypes;
}

/**
 * Config of `nnet::conv_2d_cl` (hls4ml `conv2d_config` field names). For io_stream, non-zero pads
 * mean "Keras 'same'": the input is first zero-padded (hls4ml's inserted `zeropad2d_cl`, output type
 * = conv input type, so values are unchanged) and the convolution runs 'valid' on the padded image.
 */
export interface Conv2DConfig extends ConvCommon {
  in_height: number;
  in_width: number;
  filt_height: number;
  filt_width: number;
  stride_height?: number;
  stride_width?: number;
  pad_top?: number;
  pad_bottom?: number;
  pad_left?: number;
  pad_right?: number;
  /** io_parallel only. */
  dilation_height?: number;
  dilation_width?: number;
  /** Checked against the geometry when given. */
  out_height?: number;
  out_width?: number;
  /** Encoded only: the instruction table in the config struct (computed with {@link computeConv2dInstructions} when absent). */
  min_height?: number;
  min_width?: number;
  pixels?: readonly number[];
}

/** Config of `nnet::conv_1d_cl` (hls4ml `conv1d_config` field names); see {@link Conv2DConfig}. */
export interface Conv1DConfig extends ConvCommon {
  in_width: number;
  filt_width: number;
  stride_width?: number;
  pad_left?: number;
  pad_right?: number;
  /** io_parallel only. */
  dilation?: number;
  out_width?: number;
  /** Encoded only. */
  min_width?: number;
  pixels?: readonly number[];
}

/** Which input pixel feeds each kernel position of each output pixel (see geometry.ts). */
export type ConvWindows = Windows;



function pickTypes(layer: string, t: DenseTypes | undefined): DenseTypes {
  if (!t || typeof t !== 'object') throw new ConfigError(`${layer}.types`, 'missing types (input, weight, bias, accum, result)');
  return t;
}

/**
 * A convolution with weights decoded and its window table precomputed (reusable for many inputs).
  *
  * @example const k = prepareConv2d(cfg, weights, bias); k.run(image);
 */
export class ConvKernel {
  readonly name: string;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly nFilt: number;
  /** The window table this implementation produces (for inspection and tests). */
  readonly windows: ConvWindows;
  /** Encoded only: the instruction table used. */
  readonly instructions?: EncodedTable;
  private readonly g: WindowGeometry;
  private readonly F: number;
  private readonly dk: DenseKernel;

  /** @internal use {@link prepareConv2d} / {@link prepareConv1d}. */
  constructor(layer: string, g: WindowGeometry, cfg: Conv2DConfig | Conv1DConfig, weights: RawInput, bias: RawInput, path?: KernelOptions['path']) {
    this.name = layer;
    this.g = g;
    this.outHeight = g.outH;
    this.outWidth = g.outW;
    this.F = intField(layer, 'n_filt', cfg.n_filt);
    this.nFilt = this.F;
    const io = ioTypeField(layer, cfg.io_type);
    const nIn = g.kh * g.kw * g.C;
    const strategy = cfg.strategy === undefined ? 'latency' : String(cfg.strategy).toLowerCase();
    const rf = cfg.reuse_factor ?? 1;
    if (io === 'io_parallel' && strategy === 'resource' && rf > nIn) {
      throw new ConfigError(`${layer}.reuse_factor`, `io_parallel conv with the Resource strategy needs reuse_factor ≤ filt_height·filt_width·n_chan = ${nIn} (the C++ asserts), got ${rf}`);
    }
    if (io === 'io_stream' && (g.dh !== 1 || g.dw !== 1)) throw new UnsupportedError(`${layer}.dilation`, 'io_stream convolutions do not support dilation');
    const impl = io === 'io_stream' ? windowImplementation(layer, cfg.implementation, 'conv') : 'linebuffer';
    if (impl === 'encoded') this.instructions = convEncodedTable(layer, g, cfg as Conv2DConfig);
    this.windows = layerWindows(layer, g, io, impl, { buffer2d: g.kh > 1, encoded: this.instructions });
    const dcfg: DenseConfig = {
      name: layer,
      n_in: nIn,
      n_out: this.F,
      strategy: cfg.strategy,
      reuse_factor: cfg.reuse_factor,
      product: cfg.product,
      types: pickTypes(layer, cfg.types),
    };
    if (cfg.weight_sign) dcfg.weight_sign = cfg.weight_sign;
    if ((cfg.product === 'data_binary' || cfg.product === 'both_binary') && this.windows.taps.some((t: number) => t < 0)) {
      throw new UnsupportedError(`${layer}.product`, `${cfg.product} with zero padding: a padded 0 of an Xnor input stands for -1 in hls4ml's products; not supported`);
    }
    this.dk = new DenseKernel(dcfg, weights, bias, path);
  }

  /** True when the BigInt back end is used. */
  get big(): boolean {
    return this.dk.big;
  }

  /**
   * Convolve one image (channels-last raw mantissas, `in_height·in_width·n_chan` values) into
   * `out_height·out_width·n_filt` raw results.
   *
   * @example const y = prepareConv2d(cfg, w, b).run(x);
   */
  run(x: RawInput, opts: KernelOptions = {}): RawOutput {
    checkPrepared(this.name, this.dk.big, opts.path);
    const g = this.g;
    const F = this.F;
    const nOutPix = g.outH * g.outW;
    const out = allocOut(this.name, nOutPix * F, this.dk.types.result, opts.out);
    const { kSize, taps } = this.windows;
    const C = g.C;
    const nIn = kSize * C;
    if (this.dk.big) {
      const xs = readRaw(BIG, this.name, 'input', x, this.dk.types.input, g.H * g.W * C);
      const cs = this.dk.casters(BIG, opts.stats);
      const col: bigint[] = new Array<bigint>(nIn).fill(0n);
      for (let o = 0; o < nOutPix; o++) {
        for (let k = 0; k < kSize; k++) {
          const t = taps[o * kSize + k]!;
          for (let c = 0; c < C; c++) col[k * C + c] = t < 0 ? 0n : xs[t * C + c]!;
        }
        this.dk.rowBig(col, 0, out, o * F, cs, opts.stats);
      }
    } else {
      const xs = readRaw(NUM, this.name, 'input', x, this.dk.types.input, g.H * g.W * C);
      const cs = this.dk.casters(NUM, opts.stats);
      const col = new Float64Array(nIn);
      for (let o = 0; o < nOutPix; o++) {
        const base = o * kSize;
        for (let k = 0; k < kSize; k++) {
          const t = taps[base + k]!;
          const kc = k * C;
          if (t < 0) for (let c = 0; c < C; c++) col[kc + c] = 0;
          else {
            const tc = t * C;
            for (let c = 0; c < C; c++) col[kc + c] = xs[tc + c]!;
          }
        }
        this.dk.rowNum(col, 0, out, o * F, cs, opts.stats);
      }
    }
    return out;
  }
}

/**
 * Prepare a Conv2D (decode weights, build the window table) for repeated use.
 *
 * @param weights latency: Keras order `((kh*filt_width+kw)*n_chan+c)*n_filt+f`; resource: hls4ml's
 *   transposed order `f*(kh·kw·C) + (kh*filt_width+kw)*n_chan+c`
 * @example
 * const k = prepareConv2d(cfg, weights, bias);
 * const y1 = k.run(img1), y2 = k.run(img2);
 */
export function prepareConv2d(cfg: Conv2DConfig, weights: RawInput, bias: RawInput, path?: KernelOptions['path']): ConvKernel {
  const layer = layerName(cfg ?? {}, 'conv2d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  return new ConvKernel(layer, windowGeometry(layer, cfg, false), cfg, weights, bias, path);
}

/**
 * Prepare a Conv1D for repeated use (see {@link prepareConv2d}).
 *
 * @example const k = prepareConv1d(cfg, weights, bias); const y = k.run(x);
 */
export function prepareConv1d(cfg: Conv1DConfig, weights: RawInput, bias: RawInput, path?: KernelOptions['path']): ConvKernel {
  const layer = layerName(cfg ?? {}, 'conv1d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  return new ConvKernel(layer, windowGeometry(layer, { ...cfg, dilation_width: cfg.dilation }, true), cfg, weights, bias, path);
}

/**
 * `nnet::conv_2d_cl`: one channels-last image → `out_height·out_width·n_filt` raw results.
 *
 * @example
 * const t = parseFixedType('ap_fixed<16,6>');
 * const types = { input: t, weight: t, bias: t, accum: t, result: t };
 * conv2d({ in_height: 3, in_width: 3, n_chan: 1, filt_height: 3, filt_width: 3, n_filt: 1, types },
 *        new Float64Array(9).fill(1024), new Float64Array(9).fill(1024), [0]); // Float64Array [9216] (= 9.0)
 */
export function conv2d(cfg: Conv2DConfig, x: RawInput, weights: RawInput, bias: RawInput, opts: KernelOptions = {}): RawOutput {
  return prepareConv2d(cfg, weights, bias, opts.path).run(x, opts);
}

/**
 * `nnet::conv_1d_cl`: one channels-last sequence → `out_width·n_filt` raw results.
 *
 * @example
 * conv1d({ in_width: 4, n_chan: 1, filt_width: 2, n_filt: 1, types }, [1, 2, 3, 4], [1, 1], [0]);
 */
export function conv1d(cfg: Conv1DConfig, x: RawInput, weights: RawInput, bias: RawInput, opts: KernelOptions = {}): RawOutput {
  return prepareConv1d(cfg, weights, bias, opts.path).run(x, opts);
}
