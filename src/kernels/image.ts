/**
 * Nearest-neighbour resizing, `nnet::resize_nearest` (`nnet_image.h`, `nnet_image_stream.h`;
 * Keras UpSampling1D/2D, ONNX Resize 'nearest'). A pure copy: the output type is the input type.
 *
 * io_parallel: output pixel (i, j) reads input row `(i·((H << 16)/OH + 1)) >> 16` and column
 * `(j·((W << 16)/OW + 1)) >> 16` (32-bit integer arithmetic, any ratio); io_stream: integer ratios
 * only, row `i / (OH/H)`, column `j / (OW/W)`.
 */
import { ConfigError, UnsupportedError } from '../errors.js';
import { frac, sameType, type FixedType } from '../fixed/index.js';
import { BIG, NUM, allocOut, choosePath, intField, layerName, notePreResult, readRaw, storeOut, typeField, type Arith, type KernelOptions, type RawInput, type RawOutput } from './common.js';

/** Config of `nnet::resize_nearest` (hls4ml `resize_config` names; UpSampling1D: height = new_height = 1). */
export interface ResizeConfig {
  name?: string;
  height: number;
  width: number;
  n_chan: number;
  new_height: number;
  new_width: number;
  /** Only `'nearest'` has a kernel (default). */
  algorithm?: 'nearest' | string;
  io_type?: 'io_parallel' | 'io_stream' | string;
  /** `result`, when given, must equal `input` (the kernel writes a `data_T` array). */
  types: { input: FixedType; result?: FixedType };
}

/**
 * The input row (or column) that output row `i` reads: io_parallel's 16-bit fixed-point ratio, or
 * io_stream's integer division.
 *
 * @example resizeSourceIndex(3, 5, 4, 'io_parallel'); // 2
 */
export function resizeSourceIndex(inSize: number, outSize: number, i: number, ioType?: string): number {
  if (ioType === 'io_stream') return Math.floor(i / (outSize / inSize));
  const ratio = (Math.floor(((inSize << 16) >>> 0) / outSize) + 1) | 0;
  return Math.imul(i, ratio) >> 16;
}

/**
 * `nnet::resize_nearest` (channels-last).
 *
 * @example resizeNearest({ height: 1, width: 2, n_chan: 1, new_height: 1, new_width: 4, types: { input: t } }, [1, 2]); // [1, 1, 2, 2]
 */
export function resizeNearest(cfg: ResizeConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'resize');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  const H = intField(layer, 'height', cfg.height);
  const W = intField(layer, 'width', cfg.width);
  const C = intField(layer, 'n_chan', cfg.n_chan);
  const OH = intField(layer, 'new_height', cfg.new_height);
  const OW = intField(layer, 'new_width', cfg.new_width);
  if (cfg.algorithm !== undefined && cfg.algorithm !== 'nearest') throw new UnsupportedError(`${layer}.algorithm`, `hls4ml's Vivado backend implements 'nearest' only, got ${JSON.stringify(cfg.algorithm)}`);
  if (cfg.io_type !== undefined && cfg.io_type !== 'io_parallel' && cfg.io_type !== 'io_stream') {
    throw new ConfigError(`${layer}.io_type`, `must be 'io_parallel' or 'io_stream', got ${JSON.stringify(cfg.io_type)}`);
  }
  if (H >= 2 ** 15 || W >= 2 ** 15) throw new UnsupportedError(`${layer}.height`, 'sizes ≥ 2^15 overflow the kernel’s 16-bit fixed-point ratio');
  if (cfg.io_type === 'io_stream' && (OH % H !== 0 || OW % W !== 0)) {
    throw new UnsupportedError(`${layer}.new_height`, `io_stream resizing needs integer ratios (new_height % height == 0, new_width % width == 0), got ${H}x${W} → ${OH}x${OW}`);
  }
  const tin = typeField(layer, cfg.types as never, 'input');
  const tres = cfg.types.result;
  if (tres !== undefined && !sameType(typeField(layer, cfg.types as never, 'result'), tin)) {
    throw new ConfigError(`${layer}.types.result`, 'nnet::resize_nearest copies data_T values: the result type must equal the input type');
  }
  const rows = Array.from({ length: OH }, (_, i) => resizeSourceIndex(H, OH, i, cfg.io_type));
  const cols = Array.from({ length: OW }, (_, j) => resizeSourceIndex(W, OW, j, cfg.io_type));
  if (rows.some((r) => r < 0 || r >= H) || cols.some((c) => c < 0 || c >= W)) {
    throw new UnsupportedError(`${layer}.new_height`, `${H}x${W} → ${OH}x${OW}: the kernel's 16-bit ratio would read outside the input image`);
  }
  const go = <T extends number | bigint>(A: Arith<T>): RawOutput => {
    const xs = readRaw(A, layer, 'input', x, tin, H * W * C);
    const out = allocOut(layer, OH * OW * C, tin, opts.out);
    let p = 0;
    for (let i = 0; i < OH; i++) {
      for (let j = 0; j < OW; j++) {
        const base = (rows[i]! * W + cols[j]!) * C;
        for (let c = 0; c < C; c++) {
          const v = xs[base + c]!;
          if (opts.stats) notePreResult(opts.stats, v, frac(tin));
          storeOut(out, p++, v);
        }
      }
    }
    return out;
  };
  return choosePath(layer, tin.W + 1, opts.path) ? go(BIG) : go(NUM);
}

