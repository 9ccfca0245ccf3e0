/**
 * Conv1D / Conv2D kernels (channels-last), `nnet::conv_1d_cl` / `nnet::conv_2d_cl`:
 * io_parallel (im2col with the padding inside, then the dense core per output pixel) and
 * io_stream with the Encoded (instruction-table driven FIFOs) or LineBuffer (shift registers)
 * implementations. The arithmetic of one output pixel is always the dense kernel's
 * (see dense.ts); the implementations differ only in which input pixels form each window and in
 * which order the windows come out, and both are reproduced by simulating hls4ml's own index
 * logic (scale_index tables, FIFO reads, line-buffer counters), quirks included.
 */
import { ConfigError, ShapeError, UnsupportedError } from '../errors.js';
import {
  BIG,
  NUM,
  allocOut,
  intField,
  layerName,
  optIntField,
  readRaw,
  type KernelOptions,
  type RawInput,
  type RawOutput,
} from './common.js';
import { computeConv1dInstructions, computeConv2dInstructions, scaleIndex, type ScaleIndexKind } from './conv-instructions.js';
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

/** Resolved geometry (2D; 1D is height 1). */
interface Geom {
  is1d: boolean;
  H: number;
  W: number;
  C: number;
  F: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  pt: number;
  pb: number;
  pl: number;
  pr: number;
  dh: number;
  dw: number;
  outH: number;
  outW: number;
}

/** Which input pixel (h*W+w of the unpadded input, or −1 = zero) feeds each kernel position of each output pixel. */
export interface ConvWindows {
  /** Output pixels in output order. */
  nOut: number;
  /** filt_height·filt_width. */
  kSize: number;
  /** `nOut × kSize` pixel indices (−1 = zero padding / empty FIFO). */
  taps: Int32Array;
}

function normIo(layer: string, v: unknown): 'io_parallel' | 'io_stream' {
  if (v === undefined || v === 'io_parallel') return 'io_parallel';
  if (v === 'io_stream') return 'io_stream';
  throw new ConfigError(`${layer}.io_type`, `must be 'io_parallel' or 'io_stream', got ${JSON.stringify(v)}`);
}

function normImpl(layer: string, v: unknown): 'linebuffer' | 'encoded' {
  if (v === undefined) return 'linebuffer';
  const s = String(v).toLowerCase();
  if (s === 'linebuffer' || s === 'encoded') return s;
  throw new UnsupportedError(`${layer}.implementation`, `unknown conv implementation ${JSON.stringify(v)} (LineBuffer, Encoded)`);
}

function outSize(inSize: number, p0: number, p1: number, k: number, s: number, d: number): number {
  return Math.floor((inSize + p0 + p1 - (d * (k - 1) + 1)) / s) + 1;
}

function geom2d(layer: string, c: Conv2DConfig): Geom {
  const g: Geom = {
    is1d: false,
    H: intField(layer, 'in_height', c.in_height),
    W: intField(layer, 'in_width', c.in_width),
    C: intField(layer, 'n_chan', c.n_chan),
    F: intField(layer, 'n_filt', c.n_filt),
    fh: intField(layer, 'filt_height', c.filt_height),
    fw: intField(layer, 'filt_width', c.filt_width),
    sh: optIntField(layer, 'stride_height', c.stride_height, 1, 1),
    sw: optIntField(layer, 'stride_width', c.stride_width, 1, 1),
    pt: optIntField(layer, 'pad_top', c.pad_top, 0),
    pb: optIntField(layer, 'pad_bottom', c.pad_bottom, 0),
    pl: optIntField(layer, 'pad_left', c.pad_left, 0),
    pr: optIntField(layer, 'pad_right', c.pad_right, 0),
    dh: optIntField(layer, 'dilation_height', c.dilation_height, 1, 1),
    dw: optIntField(layer, 'dilation_width', c.dilation_width, 1, 1),
    outH: 0,
    outW: 0,
  };
  finishGeom(layer, g, c.out_height, c.out_width);
  return g;
}

function geom1d(layer: string, c: Conv1DConfig): Geom {
  const g: Geom = {
    is1d: true,
    H: 1,
    W: intField(layer, 'in_width', c.in_width),
    C: intField(layer, 'n_chan', c.n_chan),
    F: intField(layer, 'n_filt', c.n_filt),
    fh: 1,
    fw: intField(layer, 'filt_width', c.filt_width),
    sh: 1,
    sw: optIntField(layer, 'stride_width', c.stride_width, 1, 1),
    pt: 0,
    pb: 0,
    pl: optIntField(layer, 'pad_left', c.pad_left, 0),
    pr: optIntField(layer, 'pad_right', c.pad_right, 0),
    dh: 1,
    dw: optIntField(layer, 'dilation', c.dilation, 1, 1),
    outH: 0,
    outW: 0,
  };
  finishGeom(layer, g, 1, c.out_width);
  return g;
}

function finishGeom(layer: string, g: Geom, outH: number | undefined, outW: number | undefined): void {
  g.outH = outSize(g.H, g.pt, g.pb, g.fh, g.sh, g.dh);
  g.outW = outSize(g.W, g.pl, g.pr, g.fw, g.sw, g.dw);
  if (g.outH < 1 || g.outW < 1) {
    throw new ShapeError(`${layer}.filt_${g.outH < 1 ? 'height' : 'width'}`, `kernel does not fit the (padded) input: output would be ${g.outH}x${g.outW}`);
  }
  if (outH !== undefined && outH !== g.outH) throw new ShapeError(`${layer}.out_height`, `expected ${g.outH} from the geometry, got ${outH}`);
  if (outW !== undefined && outW !== g.outW) throw new ShapeError(`${layer}.out_width`, `expected ${g.outW} from the geometry, got ${outW}`);
}

/** io_parallel im2col windows (hls4ml's generated fill_buffer), padding = −1. */
function windowsParallel(g: Geom): ConvWindows {
  const kSize = g.fh * g.fw;
  const nOut = g.outH * g.outW;
  const taps = new Int32Array(nOut * kSize);
  let p = 0;
  for (let oh = 0; oh < g.outH; oh++) {
    for (let ow = 0; ow < g.outW; ow++) {
      for (let kh = 0; kh < g.fh; kh++) {
        const r = -g.pt + kh * g.dh + oh * g.sh;
        for (let kw = 0; kw < g.fw; kw++) {
          const col = -g.pl + kw * g.dw + ow * g.sw;
          taps[p++] = r >= 0 && r < g.H && col >= 0 && col < g.W ? r * g.W + col : -1;
        }
      }
    }
  }
  return { nOut, kSize, taps };
}

/** Map a padded-image coordinate to an unpadded pixel index or −1. */
function padTap(g: Geom, ph: number, pw: number): number {
  const h = ph - g.pt;
  const w = pw - g.pl;
  return h >= 0 && h < g.H && w >= 0 && w < g.W ? h * g.W + w : -1;
}

/** io_stream LineBuffer windows, simulating `compute_output_buffer_2d` / `_1d` counters. */
function windowsLineBuffer(g: Geom): ConvWindows {
  const PH = g.H + g.pt + g.pb;
  const PW = g.W + g.pl + g.pr;
  const kSize = g.fh * g.fw;
  const list: number[] = [];
  const lx = g.fw - 1;
  const ly = g.fh - 1;
  if (g.fh > 1) {
    let pX = 0;
    let pY = 0;
    let sX = 0;
    let sY = 0;
    for (let ih = 0; ih < PH; ih++) {
      for (let iw = 0; iw < PW; iw++) {
        if (sX - lx === 0 && sY - ly === 0 && pY > ly - 1 && pX > lx - 1) {
          for (let kh = 0; kh < g.fh; kh++) {
            for (let kw = 0; kw < g.fw; kw++) list.push(padTap(g, pY - ly + kh, pX - lx + kw));
          }
        }
        if (pX + 1 === PW) {
          pX = 0;
          sX = 0;
          if (pY + 1 === PH) {
            pY = 0;
            sY = 0;
          } else {
            pY = pY + 1;
            sY = sY - ly === 0 ? sY - g.sh + 1 : sY + 1;
          }
        } else {
          pX = pX + 1;
          sX = sX - lx === 0 ? sX - g.sw + 1 : sX + 1;
        }
      }
    }
  } else {
    // filt_height == 1 (and Conv1D): the 1D buffer, whose counters know nothing of rows/stride_height.
    let pX = 0;
    let sX = 0;
    for (let ih = 0; ih < PH; ih++) {
      for (let iw = 0; iw < PW; iw++) {
        if (sX - lx === 0 && pX > lx - 1) {
          for (let kw = 0; kw < g.fw; kw++) list.push(padTap(g, ih, pX - lx + kw));
        }
        if (pX + 1 === PW) {
          pX = 0;
          sX = 0;
        } else {
          pX = pX + 1;
          sX = sX - lx === 0 ? sX - g.sw + 1 : sX + 1;
        }
      }
    }
  }
  return { nOut: list.length / kSize, kSize, taps: Int32Array.from(list) };
}

interface EncodedTable {
  minH: number;
  minW: number;
  pixels: readonly number[];
  kindH: ScaleIndexKind;
  kindW: ScaleIndexKind;
}

/** io_stream Encoded windows: per-kernel-position FIFOs fed by the instruction bit masks. */
function windowsEncoded(layer: string, g: Geom, t: EncodedTable): ConvWindows {
  const PH = g.H + g.pt + g.pb;
  const PW = g.W + g.pl + g.pr;
  const kSize = g.fh * g.fw;
  const fifos: number[][] = [];
  const heads = new Int32Array(kSize);
  for (let f = 0; f < kSize; f++) fifos.push([]);
  const list: number[] = [];
  const last = 2 ** (kSize - 1);
  for (let ih = 0; ih < PH; ih++) {
    const shIdx = g.is1d ? 0 : scaleIndex(t.kindH, g.fh, g.sh, PH, ih);
    for (let iw = 0; iw < PW; iw++) {
      const swIdx = scaleIndex(t.kindW, g.fw, g.sw, PW, iw);
      // The C++ indexes the flat array `pixels[sh_idx * min_width + sw_idx]`; a column index equal to
      // min_width therefore reads the first mask of the next row. Past the end it reads unrelated
      // memory (undefined behaviour), which we take as an empty mask.
      const ti = shIdx * t.minW + swIdx;
      const mask = ti < t.pixels.length ? t.pixels[ti]! : 0;
      const tap = padTap(g, ih, iw);
      let m = mask;
      for (let f = 0; f < kSize && m > 0; f++) {
        if (m % 2 === 1) fifos[f]!.push(tap);
        m = Math.floor(m / 2);
      }
      if (Math.floor(mask / last) % 2 === 1) {
        for (let f = 0; f < kSize; f++) {
          const q = fifos[f]!;
          // Reading an empty hls::stream yields a default-constructed value; we use zero.
          list.push(heads[f]! < q.length ? q[heads[f]!++]! : -1);
        }
      }
    }
  }
  return { nOut: list.length / kSize, kSize, taps: Int32Array.from(list) };
}

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
  private readonly g: Geom;
  private readonly dk: DenseKernel;

  /** @internal use {@link prepareConv2d} / {@link prepareConv1d}. */
  constructor(layer: string, g: Geom, cfg: Conv2DConfig | Conv1DConfig, weights: RawInput, bias: RawInput, path?: KernelOptions['path']) {
    this.name = layer;
    this.g = g;
    this.outHeight = g.outH;
    this.outWidth = g.outW;
    this.nFilt = g.F;
    const io = normIo(layer, cfg.io_type);
    const nIn = g.fh * g.fw * g.C;
    const strategy = cfg.strategy === undefined ? 'latency' : String(cfg.strategy).toLowerCase();
    const rf = cfg.reuse_factor ?? 1;
    if (io === 'io_parallel') {
      if (strategy === 'resource' && rf > nIn) {
        throw new ConfigError(`${layer}.reuse_factor`, `io_parallel conv with the Resource strategy needs reuse_factor ≤ filt_height·filt_width·n_chan = ${nIn} (the C++ asserts), got ${rf}`);
      }
      this.windows = windowsParallel(g);
    } else {
      if (g.dh !== 1 || g.dw !== 1) throw new UnsupportedError(`${layer}.dilation`, 'io_stream convolutions do not support dilation');
      const impl = normImpl(layer, cfg.implementation);
      if (impl === 'linebuffer') this.windows = windowsLineBuffer(g);
      else {
        const PH = g.H + g.pt + g.pb;
        const PW = g.W + g.pl + g.pr;
        let t: EncodedTable;
        if (g.is1d) {
          const c1 = cfg as Conv1DConfig;
          const ins = c1.pixels === undefined ? computeConv1dInstructions(PW, g.C, g.fw, g.sw) : undefined;
          const minW = c1.min_width ?? ins?.min_width ?? PW;
          t = { minH: 1, minW, pixels: c1.pixels ?? ins!.pixels, kindH: 'scale_index_unscaled', kindW: PW === minW ? 'scale_index_unscaled' : 'scale_index_regular' };
        } else {
          const c2 = cfg as Conv2DConfig;
          if (g.fh !== g.fw) throw new UnsupportedError(`${layer}.filt_width`, `Encoded conv2d needs a square kernel (the C++ asserts), got ${g.fh}x${g.fw}`);
          const ins = c2.pixels === undefined ? computeConv2dInstructions(PH, PW, g.C, g.fh, g.sh) : undefined;
          const minH = c2.min_height ?? ins?.min_height ?? PH;
          const minW = c2.min_width ?? ins?.min_width ?? PW;
          t = {
            minH,
            minW,
            pixels: c2.pixels ?? ins!.pixels,
            kindH: PH === minH ? 'scale_index_unscaled' : 'scale_index_regular',
            kindW: PW === minW ? 'scale_index_unscaled' : 'scale_index_regular',
          };
        }
        if (t.pixels.length !== t.minH * t.minW) {
          throw new ShapeError(`${layer}.pixels`, `expected min_height·min_width = ${t.minH * t.minW} masks, got ${t.pixels.length}`);
        }
        this.instructions = t;
        this.windows = windowsEncoded(layer, g, t);
      }
      if (this.windows.nOut < g.outH * g.outW) {
        throw new UnsupportedError(`${layer}.implementation`, `the stream kernel emits only ${this.windows.nOut} of ${g.outH * g.outW} output pixels (the next layer would read an empty stream)`);
      }
    }
    const dcfg: DenseConfig = {
      name: layer,
      n_in: nIn,
      n_out: g.F,
      strategy: cfg.strategy,
      reuse_factor: cfg.reuse_factor,
      product: cfg.product,
      types: pickTypes(layer, cfg.types),
    };
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
    const nOutPix = g.outH * g.outW;
    const out = allocOut(this.name, nOutPix * g.F, this.dk.types.result, opts.out);
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
        this.dk.rowBig(col, 0, out, o * g.F, cs, opts.stats);
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
        this.dk.rowNum(col, 0, out, o * g.F, cs, opts.stats);
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
  return new ConvKernel(layer, geom2d(layer, cfg), cfg, weights, bias, path);
}

/**
 * Prepare a Conv1D for repeated use (see {@link prepareConv2d}).
 *
 * @example const k = prepareConv1d(cfg, weights, bias); const y = k.run(x);
 */
export function prepareConv1d(cfg: Conv1DConfig, weights: RawInput, bias: RawInput, path?: KernelOptions['path']): ConvKernel {
  const layer = layerName(cfg ?? {}, 'conv1d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  return new ConvKernel(layer, geom1d(layer, cfg), cfg, weights, bias, path);
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
