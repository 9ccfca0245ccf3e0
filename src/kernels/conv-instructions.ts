/**
 * The data-independent tables of hls4ml's io_stream "Encoded" convolution and pooling:
 * the per-pixel kernel-position bit masks written into the config struct as `pixels[]`
 * (what `compute_conv1d_instructions` / `compute_conv2d_instructions` produce), the
 * `scale_index_*` mappings from an image coordinate to a row/column of that table, and the
 * pooling tables `pool_table[i] = i % pool`.
 */
import { ShapeError, UnsupportedError } from '../errors.js';

/** Which scale-index mapping the config struct selects. */
export type ScaleIndexKind = 'scale_index_regular' | 'scale_index_unscaled';

/** What hls4ml writes into a Conv1D io_stream Encoded config struct. */
export interface Conv1dInstructions {
  /** Length of `pixels`. */
  min_width: number;
  /** Bit k of `pixels[i]` set = the pixel with scaled index i is at kernel position k of some output. */
  pixels: number[];
  /** `scale_index_unscaled` iff the (padded) input width equals `min_width`. */
  scale_index: ScaleIndexKind;
}

/** What hls4ml writes into a Conv2D io_stream Encoded config struct. */
export interface Conv2dInstructions {
  min_height: number;
  min_width: number;
  /** `min_height × min_width` masks, row-major; bit `kh*filt_width+kw` = kernel position. */
  pixels: number[];
  scale_index_height: ScaleIndexKind;
  scale_index_width: ScaleIndexKind;
}

function posInt(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ShapeError(field, `must be an integer ≥ 1, got ${JSON.stringify(v)}`);
  return v;
}

/** min size along one axis before the "+1 for unused pixels" adjustment. */
function minSize(k: number, s: number, inSize: number): number {
  let m = k >= s ? (Math.ceil(k / s) - 1) * s + k : (Math.ceil(s / k) - 1) * s + k;
  if (m > inSize) m = inSize;
  return m;
}

function bitsToInt(bits: Uint8Array): number {
  let v = 0;
  for (let k = bits.length - 1; k >= 0; k--) v = v * 2 + bits[k]!;
  return v;
}

/**
 * The Conv1D Encoded instruction table (`min_width`, `pixels[]`) exactly as hls4ml's
 * `compute_conv1d_instructions(in_W, in_C, kernel_size, stride, pad=0)` builds it. `inW` is the
 * width of the conv's input stream (after any inserted zero padding).
 *
 * @example computeConv1dInstructions(16, 3, 3, 1); // { min_width: 5, pixels: [1, 3, 7, 6, 4], scale_index: 'scale_index_regular' }
 */
export function computeConv1dInstructions(inW: number, inC: number, kernelSize: number, stride: number, pad = 0): Conv1dInstructions {
  posInt('in_width', inW);
  posInt('n_chan', inC);
  posInt('filt_width', kernelSize);
  posInt('stride_width', stride);
  if (pad !== 0) throw new UnsupportedError('pad', 'the Encoded instruction generator only supports pad = 0 (hls4ml inserts a ZeroPadding layer instead)');
  if (kernelSize > inW) throw new ShapeError('filt_width', `kernel width ${kernelSize} exceeds input width ${inW}`);
  if (kernelSize > 52) throw new UnsupportedError('filt_width', `kernel width ${kernelSize} > 52 does not fit the number masks`);
  let minW = minSize(kernelSize, stride, inW);
  const minOW = Math.floor((minW - kernelSize) / stride) + 1;
  const outW = Math.floor((inW - kernelSize) / stride) + 1;
  const scaledW = (outW - 1) * stride + kernelSize;
  if (scaledW < inW) minW += 1;
  const win: Uint8Array[] = [];
  for (let i = 0; i < minW; i++) win.push(new Uint8Array(kernelSize));
  for (let ow = 0; ow < minOW; ow++) {
    for (let fw = 0; fw < kernelSize; fw++) win[ow * stride + fw - pad]![fw] = 1;
  }
  return {
    min_width: minW,
    pixels: win.map(bitsToInt),
    scale_index: inW === minW ? 'scale_index_unscaled' : 'scale_index_regular',
  };
}

/**
 * The Conv2D Encoded instruction table exactly as hls4ml's
 * `compute_conv2d_instructions(in_H, in_W, in_C, kernel_size, stride, pad=0)` builds it (square
 * kernels and strides only, as hls4ml asserts — and hls4ml passes `filt_height`/`stride_height`).
 *
 * @example
 * computeConv2dInstructions(8, 8, 3, 3, 1).pixels.slice(0, 5); // [1, 3, 7, 6, 4]
 */
export function computeConv2dInstructions(
  inH: number,
  inW: number,
  inC: number,
  kernelSize: number | readonly [number, number],
  stride: number | readonly [number, number],
  pad = 0,
): Conv2dInstructions {
  posInt('in_height', inH);
  posInt('in_width', inW);
  posInt('n_chan', inC);
  const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
  const [sh, sw] = typeof stride === 'number' ? [stride, stride] : stride;
  posInt('filt_height', kh);
  posInt('filt_width', kw);
  posInt('stride_height', sh);
  posInt('stride_width', sw);
  if (kh !== kw) throw new UnsupportedError('filt_width', `Encoded convolution needs a square kernel (hls4ml asserts), got ${kh}x${kw}`);
  if (sh !== sw) throw new UnsupportedError('stride_width', `Encoded convolution needs equal strides (hls4ml asserts), got ${sh}x${sw}`);
  if (pad !== 0) throw new UnsupportedError('pad', 'the Encoded instruction generator only supports pad = 0 (hls4ml inserts a ZeroPadding layer instead)');
  if (kh > inH || kw > inW) throw new ShapeError('filt_height', `kernel ${kh}x${kw} exceeds input ${inH}x${inW}`);
  if (kh * kw > 52) throw new UnsupportedError('filt_height', `kernel ${kh}x${kw} has more than 52 positions (masks would not fit a number)`);
  let minH = minSize(kh, sh, inH);
  let minW = minSize(kw, sw, inW);
  const minOH = Math.floor((minH - kh) / sh) + 1;
  const minOW = Math.floor((minW - kw) / sw) + 1;
  const outH = Math.floor((inH - kh) / sh) + 1;
  const outW = Math.floor((inW - kw) / sw) + 1;
  const scaledH = (outH - 1) * sh + kh;
  const scaledW = (outW - 1) * sw + kw;
  if (scaledH < inH) minH += 1;
  if (scaledW < inW) minW += 1;
  const win: Uint8Array[] = [];
  for (let i = 0; i < minH * minW; i++) win.push(new Uint8Array(kh * kw));
  for (let oh = 0; oh < minOH; oh++) {
    for (let ow = 0; ow < minOW; ow++) {
      for (let fh = 0; fh < kh; fh++) {
        for (let fw = 0; fw < kw; fw++) {
          const idx = (oh * sh + fh - pad) * minW + (ow * sw + fw - pad);
          win[idx]![fh * kw + fw] = 1;
        }
      }
    }
  }
  return {
    min_height: minH,
    min_width: minW,
    pixels: win.map(bitsToInt),
    scale_index_height: inH === minH ? 'scale_index_unscaled' : 'scale_index_regular',
    scale_index_width: inW === minW ? 'scale_index_unscaled' : 'scale_index_regular',
  };
}

/**
 * `nnet::scale_index_regular<K,S,W>::scale_index(idx)` / `scale_index_unscaled`: the row (or
 * column) of the instruction table that image coordinate `idx` uses.
 *
 * @example scaleIndex('scale_index_regular', 3, 1, 8, 6); // 3
 */
export function scaleIndex(kind: ScaleIndexKind, K: number, S: number, W: number, idx: number): number {
  if (kind === 'scale_index_unscaled') return idx;
  if (K >= S) {
    if (idx < K - S) return idx;
    const nW = Math.floor((W - K) / S) * S + K;
    const sW = (Math.ceil(K / S) - 1) * S + K;
    if (idx >= nW) return sW;
    const r = nW - idx;
    if (r <= K - S) return sW - r;
    return K - S + ((idx - (K - S)) % S);
  }
  if (idx < S - K) return idx;
  const nW = Math.floor((W - K) / S) * S + K;
  const sW = (Math.ceil(S / K) - 1) * S + K;
  if (idx >= nW) return sW;
  const r = nW - idx;
  if (r <= S - K) return sW - r;
  return S - K + ((idx - (S - K)) % S);
}

/**
 * hls4ml's `init_pool_table<size, pool>`: `table[i] = i % pool` (Encoded pooling).
 *
 * @example poolTable(6, 2); // [0, 1, 0, 1, 0, 1]
 */
export function poolTable(size: number, pool: number): number[] {
  posInt('size', size);
  posInt('pool', pool);
  const t: number[] = [];
  for (let i = 0; i < size; i++) t.push(i % pool);
  return t;
}
