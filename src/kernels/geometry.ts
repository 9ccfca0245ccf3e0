/**
 * The one geometry module of the sliding-window layers (convolutions, depthwise convolutions,
 * pooling): Keras output sizes and 'same' pads, the validated window geometry of a layer, and the
 * window sequences each hls4ml implementation produces —
 *
 * - io_parallel im2col (hls4ml's generated `fill_buffer`), padding taps = −1;
 * - io_stream LineBuffer (the `compute_output_buffer_1d` / `_2d` shift-register counters);
 * - io_stream Encoded convolution (per-kernel-position FIFOs fed by the instruction bit masks of
 *   `compute_conv{1,2}d_instructions`) and Encoded pooling (`pool_table` = i % pool);
 *
 * plus the FIFO depth an Encoded instruction stream needs. The reference kernels, the fast kernels,
 * the C++ emitter, the importers and the float evaluator all read these; none restates them.
 */
import { ShapeError, UnsupportedError } from '../errors.js';
import { intField, optIntField } from './common.js';
import { computeConv1dInstructions, computeConv2dInstructions, poolTable, scaleIndex, type ScaleIndexKind } from './conv-instructions.js';

/**
 * A window kernel's `implementation` (hls4ml's ConvImplementation; absent: LineBuffer), for `what`
 * ('conv', 'pooling') in the error.
 *
 * @example windowImplementation('conv1', 'Encoded', 'conv'); // 'encoded'
 */
export function windowImplementation(layer: string, v: unknown, what: string): 'linebuffer' | 'encoded' {
  if (v === undefined) return 'linebuffer';
  const s = String(v).toLowerCase();
  if (s === 'linebuffer' || s === 'encoded') return s;
  throw new UnsupportedError(`${layer}.implementation`, `unknown ${what} implementation ${JSON.stringify(v)} (LineBuffer, Encoded)`);
}


/** Keras 'valid' / 'same' padding. */
export type KerasPadding = 'valid' | 'same';

/**
 * Keras' output length of a convolution or pooling window along one axis (dilation 1):
 * 'valid' → ⌈(n − k + 1) / s⌉, 'same' → ⌈n / s⌉.
 *
 * @example
 * kerasOutputLength(25, 3, 3, 'same'); // 9
 * kerasOutputLength(8, 3, 1, 'valid'); // 6
 */
export function kerasOutputLength(n: number, k: number, s: number, padding: KerasPadding): number {
  const len = padding === 'same' ? n : n - k + 1;
  return Math.floor((len + s - 1) / s);
}

/**
 * Keras' 'same' padding along one axis, split as Keras and hls4ml split it (the smaller half before):
 * total = max((⌈n/s⌉ − 1)·s + k − n, 0).
 *
 * @example samePads(28, 3, 1); // [1, 1]
 * @example samePads(25, 3, 3); // [1, 1]
 */
export function samePads(inSize: number, k: number, s: number): [number, number] {
  const total = inSize % s === 0 ? Math.max(k - s, 0) : Math.max(k - (inSize % s), 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Output length of a window of size k, stride s, dilation d over a padded axis. */
export function windowOutputLength(inSize: number, padBefore: number, padAfter: number, k: number, s: number, d = 1): number {
  return Math.floor((inSize + padBefore + padAfter - (d * (k - 1) + 1)) / s) + 1;
}

/**
 * The validated geometry of one sliding-window layer (1D layers are height 1): input H×W×C, window
 * kh×kw, strides, pads (of the unpadded input), dilation, output outH×outW.
 */
export interface WindowGeometry {
  /** A 1D layer (H = kh = sh = 1, no top/bottom pads). */
  oneD: boolean;
  H: number;
  W: number;
  C: number;
  kh: number;
  kw: number;
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

/** Geometry fields as hls4ml's conv/pooling config structs name them (2D; 1D uses the width ones). */
export interface WindowFields {
  in_height?: number;
  in_width: number;
  n_chan: number;
  filt_height?: number;
  filt_width: number;
  stride_height?: number;
  stride_width?: number;
  pad_top?: number;
  pad_bottom?: number;
  pad_left?: number;
  pad_right?: number;
  dilation_height?: number;
  dilation_width?: number;
  out_height?: number;
  out_width?: number;
}

/**
 * Build and validate a window geometry from config-struct fields: every size a positive integer,
 * the window fitting the padded input, and `out_height`/`out_width` (when given) equal to the sizes
 * the geometry implies. Errors name `<layer>.<field>`. `defaultStride` is 1 for convolutions and
 * the window size for pooling.
 *
 * @example
 * const g = windowGeometry('c1', { in_height: 6, in_width: 6, n_chan: 2, filt_height: 3, filt_width: 3 }, false);
 * g.outH; // 4
 */
export function windowGeometry(layer: string, f: WindowFields, oneD: boolean, defaultStride: 'one' | 'window' = 'one'): WindowGeometry {
  const kw = intField(layer, 'filt_width', f.filt_width);
  const kh = oneD ? 1 : intField(layer, 'filt_height', f.filt_height);
  const g: WindowGeometry = {
    oneD,
    H: oneD ? 1 : intField(layer, 'in_height', f.in_height),
    W: intField(layer, 'in_width', f.in_width),
    C: intField(layer, 'n_chan', f.n_chan),
    kh,
    kw,
    sh: oneD ? 1 : optIntField(layer, 'stride_height', f.stride_height, defaultStride === 'one' ? 1 : kh, 1),
    sw: optIntField(layer, 'stride_width', f.stride_width, defaultStride === 'one' ? 1 : kw, 1),
    pt: oneD ? 0 : optIntField(layer, 'pad_top', f.pad_top, 0),
    pb: oneD ? 0 : optIntField(layer, 'pad_bottom', f.pad_bottom, 0),
    pl: optIntField(layer, 'pad_left', f.pad_left, 0),
    pr: optIntField(layer, 'pad_right', f.pad_right, 0),
    dh: oneD ? 1 : optIntField(layer, 'dilation_height', f.dilation_height, 1, 1),
    dw: optIntField(layer, 'dilation_width', f.dilation_width, 1, 1),
    outH: 0,
    outW: 0,
  };
  g.outH = windowOutputLength(g.H, g.pt, g.pb, g.kh, g.sh, g.dh);
  g.outW = windowOutputLength(g.W, g.pl, g.pr, g.kw, g.sw, g.dw);
  if (g.outH < 1 || g.outW < 1) {
    throw new ShapeError(`${layer}.filt_${g.outH < 1 ? 'height' : 'width'}`, `the window does not fit the (padded) input: output would be ${g.outH}x${g.outW}`);
  }
  if (!oneD && f.out_height !== undefined && f.out_height !== g.outH) throw new ShapeError(`${layer}.out_height`, `expected ${g.outH} from the geometry, got ${f.out_height}`);
  if (f.out_width !== undefined && f.out_width !== g.outW) throw new ShapeError(`${layer}.out_width`, `expected ${g.outW} from the geometry, got ${f.out_width}`);
  return g;
}

/** Which input pixel (h·W + w of the unpadded input, or −1 = zero) feeds each window position of each output pixel. */
export interface Windows {
  /** Output pixels, in output order. */
  nOut: number;
  /** Window positions per output pixel (kh·kw). */
  kSize: number;
  /** `nOut × kSize` pixel indices (−1 = padding / empty FIFO). */
  taps: Int32Array;
  /** Per output pixel, the number of non-padding taps (io_parallel average pooling divides by it). */
  counts: Int32Array;
  /** Encoded only: the first instruction index the C++ reads past the end of `pixels` (undefined behaviour there). */
  pastEnd?: number;
}

/** A growable Int32 list (window tables can be large: no boxed-number arrays). */
class IntList {
  private buf: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.buf = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  /** The values, trimmed. */
  take(): Int32Array {
    return this.buf.length === this.length ? this.buf : this.buf.slice(0, this.length);
  }
}

function fullCounts(nOut: number, kSize: number): Int32Array {
  return new Int32Array(nOut).fill(kSize);
}

/**
 * io_parallel windows in output order, taps in row-major window order (hls4ml's im2col
 * `fill_buffer` for convolutions; the same walk for pooling).
 *
 * @example parallelWindows(g).taps; // Int32Array of outH·outW·kh·kw pixel indices
 */
export function parallelWindows(g: WindowGeometry): Windows {
  const kSize = g.kh * g.kw;
  const nOut = g.outH * g.outW;
  const taps = new Int32Array(nOut * kSize);
  const counts = new Int32Array(nOut);
  let p = 0;
  for (let oh = 0; oh < g.outH; oh++) {
    for (let ow = 0; ow < g.outW; ow++) {
      let inside = 0;
      for (let kh = 0; kh < g.kh; kh++) {
        const r = -g.pt + kh * g.dh + oh * g.sh;
        for (let kw = 0; kw < g.kw; kw++) {
          const col = -g.pl + kw * g.dw + ow * g.sw;
          if (r >= 0 && r < g.H && col >= 0 && col < g.W) {
            taps[p++] = r * g.W + col;
            inside++;
          } else taps[p++] = -1;
        }
      }
      counts[oh * g.outW + ow] = inside;
    }
  }
  return { nOut, kSize, taps, counts };
}

/** Map a padded-image coordinate to an unpadded pixel index or −1. */
function padTap(g: WindowGeometry, ph: number, pw: number): number {
  const h = ph - g.pt;
  const w = pw - g.pl;
  return h >= 0 && h < g.H && w >= 0 && w < g.W ? h * g.W + w : -1;
}

/**
 * io_stream LineBuffer windows, simulating the shift-register counters of hls4ml's
 * `compute_output_buffer_2d` (`buffer2d`) or `compute_output_buffer_1d` over the (padded) image,
 * in the order the outputs leave the layer. Convolutions use the 2D buffer when filt_height > 1;
 * 2D pooling always uses it.
 *
 * @example lineBufferWindows(g, g.kh > 1).nOut; // outH·outW for a valid geometry
 */
export function lineBufferWindows(g: WindowGeometry, buffer2d: boolean): Windows {
  const PH = g.H + g.pt + g.pb;
  const PW = g.W + g.pl + g.pr;
  const kSize = g.kh * g.kw;
  const list = new IntList(g.outH * g.outW * kSize);
  const lx = g.kw - 1;
  const ly = g.kh - 1;
  if (buffer2d) {
    let pX = 0;
    let pY = 0;
    let sX = 0;
    let sY = 0;
    for (let ih = 0; ih < PH; ih++) {
      for (let iw = 0; iw < PW; iw++) {
        if (sX - lx === 0 && sY - ly === 0 && pY > ly - 1 && pX > lx - 1) {
          for (let kh = 0; kh < g.kh; kh++) {
            for (let kw = 0; kw < g.kw; kw++) list.push(padTap(g, pY - ly + kh, pX - lx + kw));
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
    // The 1D buffer: its counters know nothing of rows or stride_height.
    let pX = 0;
    let sX = 0;
    for (let ih = 0; ih < PH; ih++) {
      for (let iw = 0; iw < PW; iw++) {
        if (sX - lx === 0 && pX > lx - 1) {
          for (let kw = 0; kw < g.kw; kw++) list.push(padTap(g, ih, pX - lx + kw));
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
  const nOut = list.length / kSize;
  return { nOut, kSize, taps: list.take(), counts: fullCounts(nOut, kSize) };
}

/** The instruction table of an Encoded convolution (hls4ml's `compute_conv{1,2}d_instructions`). */
export interface EncodedTable {
  minH: number;
  minW: number;
  pixels: readonly number[];
  kindH: ScaleIndexKind;
  kindW: ScaleIndexKind;
}

/**
 * io_stream Encoded convolution windows: every (padded) input pixel is pushed into the FIFOs of the
 * kernel positions its instruction mask names; the mask's last bit completes an output pixel,
 * which pops one value from every FIFO.
 *
 * @example encodedConvWindows(g, table).nOut;
 */
export function encodedConvWindows(g: WindowGeometry, t: EncodedTable): Windows {
  const PH = g.H + g.pt + g.pb;
  const PW = g.W + g.pl + g.pr;
  const kSize = g.kh * g.kw;
  const fifos: number[][] = [];
  const heads = new Int32Array(kSize);
  for (let f = 0; f < kSize; f++) fifos.push([]);
  const list = new IntList(g.outH * g.outW * kSize);
  const last = 2 ** (kSize - 1);
  let pastEnd = -1;
  for (let ih = 0; ih < PH; ih++) {
    const shIdx = g.oneD ? 0 : scaleIndex(t.kindH, g.kh, g.sh, PH, ih);
    for (let iw = 0; iw < PW; iw++) {
      const swIdx = scaleIndex(t.kindW, g.kw, g.sw, PW, iw);
      // The C++ indexes the flat array `pixels[sh_idx * min_width + sw_idx]`; a column index equal to
      // min_width therefore reads the first mask of the next row. Past the end it reads unrelated
      // memory (undefined behaviour), which we take as an empty mask.
      const ti = shIdx * t.minW + swIdx;
      const mask = ti < t.pixels.length ? t.pixels[ti]! : 0;
      if (ti >= t.pixels.length && pastEnd < 0) pastEnd = ti;
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
  const nOut = list.length / kSize;
  const w: Windows = { nOut, kSize, taps: list.take(), counts: fullCounts(nOut, kSize) };
  if (pastEnd >= 0) w.pastEnd = pastEnd;
  return w;
}

/**
 * io_stream Encoded pooling windows: pixel (h, w) goes to FIFO `pool_table_height[h]·pw +
 * pool_table_width[w]` (only inside the last whole window row/column); the last FIFO completes a
 * window.
 *
 * @example encodedPoolWindows(g).nOut;
 */
export function encodedPoolWindows(g: WindowGeometry): Windows {
  const kSize = g.kh * g.kw;
  const nH = g.oneD ? 1 : Math.floor((g.H - g.kh) / g.sh) * g.sh + g.kh;
  const nW = Math.floor((g.W - g.kw) / g.sw) * g.sw + g.kw;
  const tH = poolTable(g.H, g.kh);
  const tW = poolTable(g.W, g.kw);
  const fifos: number[][] = [];
  const heads = new Int32Array(kSize);
  for (let f = 0; f < kSize; f++) fifos.push([]);
  const list = new IntList(g.outH * g.outW * kSize);
  for (let h = 0; h < g.H; h++) {
    for (let w = 0; w < g.W; w++) {
      let mask = 0;
      if (h < nH && w < nW) mask = (g.oneD ? 0 : tH[h]! * g.kw) + tW[w]! + 1;
      if (mask > 0) fifos[mask - 1]!.push(h * g.W + w);
      if (mask === kSize) {
        for (let f = 0; f < kSize; f++) list.push(heads[f]! < fifos[f]!.length ? fifos[f]![heads[f]!++]! : -1);
      }
    }
  }
  const nOut = list.length / kSize;
  return { nOut, kSize, taps: list.take(), counts: fullCounts(nOut, kSize) };
}

/**
 * The deepest any kernel-position FIFO of an Encoded convolution gets while the (padded) image
 * streams through (the depth the emitted FIFOs need).
 *
 * @example encodedFifoDepth(g, table); // e.g. 6 for a 3×3 kernel on an 8-wide image
 */
export function encodedFifoDepth(g: WindowGeometry, t: EncodedTable): number {
  const PH = g.H + g.pt + g.pb;
  const PW = g.W + g.pl + g.pr;
  const kSize = g.kh * g.kw;
  const fill = new Array<number>(kSize).fill(0);
  const last = 2 ** (kSize - 1);
  let max = 1;
  for (let ih = 0; ih < PH; ih++) {
    const shIdx = g.oneD ? 0 : scaleIndex(t.kindH, g.kh, g.sh, PH, ih);
    for (let iw = 0; iw < PW; iw++) {
      const ti = shIdx * t.minW + scaleIndex(t.kindW, g.kw, g.sw, PW, iw);
      const mask = ti < t.pixels.length ? t.pixels[ti]! : 0;
      let m = mask;
      for (let f = 0; f < kSize && m > 0; f++) {
        if (m % 2 === 1) {
          fill[f]!++;
          if (fill[f]! > max) max = fill[f]!;
        }
        m = Math.floor(m / 2);
      }
      if (Math.floor(mask / last) % 2 === 1) for (let f = 0; f < kSize; f++) if (fill[f]! > 0) fill[f]!--;
    }
  }
  return max;
}

/**
 * The windows of a layer for its io type and implementation.
 *
 * @throws {UnsupportedError} when an io_stream implementation cannot produce every output pixel.
 * @example layerWindows('c1', g, 'io_stream', 'linebuffer', { buffer2d: g.kh > 1 });
 */
export function layerWindows(
  layer: string,
  g: WindowGeometry,
  io: 'io_parallel' | 'io_stream',
  impl: 'linebuffer' | 'encoded',
  o: { buffer2d: boolean; encoded?: EncodedTable | 'pool' },
): Windows {
  let w: Windows;
  if (io === 'io_parallel') w = parallelWindows(g);
  else if (impl === 'linebuffer') w = lineBufferWindows(g, o.buffer2d);
  else if (o.encoded === 'pool') w = encodedPoolWindows(g);
  else if (o.encoded) w = encodedConvWindows(g, o.encoded);
  else throw new UnsupportedError(`${layer}.implementation`, 'Encoded windows need an instruction table');
  if (io === 'io_stream' && w.nOut < g.outH * g.outW) {
    const why = w.pastEnd !== undefined && o.encoded && o.encoded !== 'pool'
      ? `: hls4ml's scale index reads pixels[${w.pastEnd}] past the ${o.encoded.pixels.length}-entry instruction table (undefined behaviour in the C++, whose answer then depends on memory layout); use the LineBuffer implementation`
      : ' (the next layer would read an empty stream)';
    throw new UnsupportedError(`${layer}.implementation`, `the stream kernel emits only ${w.nOut} of ${g.outH * g.outW} output pixels${why}`);
  }
  return w;
}

/** Instruction-table fields of an Encoded convolution config (computed when absent). */
export interface EncodedFields {
  min_height?: number;
  min_width?: number;
  pixels?: readonly number[];
}

/**
 * The Encoded instruction table of a convolution over the padded input: the config's
 * `min_height`/`min_width`/`pixels` when given (checked for size), else hls4ml's
 * `compute_conv{1,2}d_instructions`; the scale-index kind of each axis follows from min vs padded size.
 *
 * @throws {UnsupportedError} a non-square 2D kernel (the C++ asserts); {@link ShapeError} a wrong-sized pixel table.
 * @example convEncodedTable('c1', g, {}).pixels.length; // min_height·min_width
 */
export function convEncodedTable(layer: string, g: WindowGeometry, f: EncodedFields): EncodedTable {
  const PH = g.H + g.pt + g.pb;
  const PW = g.W + g.pl + g.pr;
  let t: EncodedTable;
  if (g.oneD) {
    const ins = f.pixels === undefined ? computeConv1dInstructions(PW, g.C, g.kw, g.sw) : undefined;
    const minW = f.min_width ?? ins?.min_width ?? PW;
    t = { minH: 1, minW, pixels: f.pixels ?? ins!.pixels, kindH: 'scale_index_unscaled', kindW: PW === minW ? 'scale_index_unscaled' : 'scale_index_regular' };
  } else {
    if (g.kh !== g.kw) throw new UnsupportedError(`${layer}.filt_width`, `Encoded conv2d needs a square kernel (the C++ asserts), got ${g.kh}x${g.kw}`);
    const ins = f.pixels === undefined ? computeConv2dInstructions(PH, PW, g.C, g.kh, g.sh) : undefined;
    const minH = f.min_height ?? ins?.min_height ?? PH;
    const minW = f.min_width ?? ins?.min_width ?? PW;
    t = {
      minH,
      minW,
      pixels: f.pixels ?? ins!.pixels,
      kindH: PH === minH ? 'scale_index_unscaled' : 'scale_index_regular',
      kindW: PW === minW ? 'scale_index_unscaled' : 'scale_index_regular',
    };
  }
  if (t.pixels.length !== t.minH * t.minW) {
    throw new ShapeError(`${layer}.pixels`, `expected min_height·min_width = ${t.minH * t.minW} masks, got ${t.pixels.length}`);
  }
  return t;
}

/**
 * The deepest any window-position FIFO of an Encoded pooling layer gets (the depth the emitted
 * FIFOs need): pixel (h, w) inside the last whole window enters FIFO `pool_table_height[h]·pw +
 * pool_table_width[w]`; the last position completes a window and pops every FIFO.
 *
 * @example encodedPoolFifoDepth(g); // 1 when stride == pool
 */
export function encodedPoolFifoDepth(g: WindowGeometry): number {
  const kSize = g.kh * g.kw;
  const nH = g.oneD ? 1 : Math.floor((g.H - g.kh) / g.sh) * g.sh + g.kh;
  const nW = Math.floor((g.W - g.kw) / g.sw) * g.sw + g.kw;
  const tH = poolTable(g.H, g.kh);
  const tW = poolTable(g.W, g.kw);
  const fill = new Array<number>(kSize).fill(0);
  let max = 1;
  for (let h = 0; h < g.H; h++) {
    for (let w = 0; w < g.W; w++) {
      if (h >= nH || w >= nW) continue;
      const k = (g.oneD ? 0 : tH[h]! * g.kw) + tW[w]!;
      fill[k]!++;
      if (fill[k]! > max) max = fill[k]!;
      if (k === kSize - 1) for (let f = 0; f < kSize; f++) if (fill[f]! > 0) fill[f]!--;
    }
  }
  return max;
}
