/**
 * ZeroPadding1D / 2D, `nnet::zeropad{1,2}d_cl` (channels-last; io_parallel and io_stream compute
 * the same) and `nnet::zeropad{1,2}d_cf` (channels-first, io_parallel only): padded positions are
 * 0, the others `(result_t) x`. The `_cf` kernels write a `data_T` array, so their result type must
 * be the input type.
 */
import { ConfigError, ShapeError } from '../errors.js';
import { frac, sameType, type FixedType } from '../fixed/index.js';
import {
  allocOut,
  BIG,
  channelsFirstField,
  choosePath,
  inputResultTypes,
  intField,
  ioTypeField,
  layerName,
  notePreResult,
  NUM,
  optIntField,
  readRaw,
  storeOut,
  typedCaster,
  type Arith,
  type KernelOptions,
  type RawInput,
  type RawOutput,
} from './common.js';

/** Config of `nnet::zeropad2d_cl` (hls4ml `padding2d_config` names). */
export interface ZeroPad2DConfig {
  name?: string;
  n_chan: number;
  in_height: number;
  in_width: number;
  pad_top?: number;
  pad_bottom?: number;
  pad_left?: number;
  pad_right?: number;
  /** Checked when given. */
  out_height?: number;
  out_width?: number;
  io_type?: string;
  /** `'channels_last'` (default; `zeropad2d_cl`) or `'channels_first'` (`zeropad2d_cf`, io_parallel, (C, H, W) layout). */
  data_format?: 'channels_last' | 'channels_first' | string;
  types: { input: FixedType; result: FixedType };
}

/** Config of `nnet::zeropad1d_cl` / `nnet::zeropad1d_cf`. */
export interface ZeroPad1DConfig {
  name?: string;
  n_chan: number;
  in_width: number;
  pad_left?: number;
  pad_right?: number;
  out_width?: number;
  io_type?: string;
  /** `'channels_last'` (default; `zeropad1d_cl`) or `'channels_first'` (`zeropad1d_cf`, io_parallel, (C, W) layout). */
  data_format?: 'channels_last' | 'channels_first' | string;
  types: { input: FixedType; result: FixedType };
}

function pad<T extends number | bigint>(
  A: Arith<T>,
  layer: string,
  H: number,
  W: number,
  C: number,
  pt: number,
  pl: number,
  OH: number,
  OW: number,
  t: { input: FixedType; result: FixedType },
  x: RawInput,
  opts: KernelOptions,
  cf: boolean,
): RawOutput {
  const xs = readRaw(A, layer, 'input', x, t.input, H * W * C);
  const out = allocOut(layer, OH * OW * C, t.result, opts.out);
  const cast = typedCaster(A, t.input, t.result, opts.stats?.result);
  for (let k = 0; k < out.length; k++) storeOut(out, k, A.zero);
  for (let h = 0; h < H; h++) {
    for (let w = 0; w < W; w++) {
      for (let c = 0; c < C; c++) {
        const v = xs[cf ? (c * H + h) * W + w : (h * W + w) * C + c]!;
        if (opts.stats) notePreResult(opts.stats, v, frac(t.input));
        storeOut(out, cf ? (c * OH + h + pt) * OW + (w + pl) : ((h + pt) * OW + (w + pl)) * C + c, cast(v));
      }
    }
  }
  return out;
}

/** Whether the layer is channels-first, validating `data_format` against io_type and the types. */
function channelsFirst(layer: string, cfg: { data_format?: string; io_type?: string }, t: { input: FixedType; result: FixedType }): boolean {
  const cf = channelsFirstField(layer, cfg, 'zero padding');
  ioTypeField(layer, cfg.io_type);
  if (cf && !sameType(t.input, t.result)) throw new ConfigError(`${layer}.types.result`, 'the channels-first kernel writes a data_T array: the result type must equal the input type');
  return cf;
}

/**
 * `nnet::zeropad2d_cl`.
 *
 * @example zeropad2d({ n_chan: 1, in_height: 1, in_width: 1, pad_top: 1, types: { input: t, result: t } }, [5]); // [0, 5]
 */
export function zeropad2d(cfg: ZeroPad2DConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'zeropad2d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  const H = intField(layer, 'in_height', cfg.in_height);
  const W = intField(layer, 'in_width', cfg.in_width);
  const C = intField(layer, 'n_chan', cfg.n_chan);
  const pt = optIntField(layer, 'pad_top', cfg.pad_top, 0);
  const pb = optIntField(layer, 'pad_bottom', cfg.pad_bottom, 0);
  const pl = optIntField(layer, 'pad_left', cfg.pad_left, 0);
  const pr = optIntField(layer, 'pad_right', cfg.pad_right, 0);
  const OH = H + pt + pb;
  const OW = W + pl + pr;
  if (cfg.out_height !== undefined && cfg.out_height !== OH) throw new ShapeError(`${layer}.out_height`, `expected ${OH}, got ${cfg.out_height}`);
  if (cfg.out_width !== undefined && cfg.out_width !== OW) throw new ShapeError(`${layer}.out_width`, `expected ${OW}, got ${cfg.out_width}`);
  const t = inputResultTypes(layer, cfg.types);
  const cf = channelsFirst(layer, cfg, t);
  const bits = Math.max(t.input.W + 1, t.result.W);
  return choosePath(layer, bits, opts.path) ? pad(BIG, layer, H, W, C, pt, pl, OH, OW, t, x, opts, cf) : pad(NUM, layer, H, W, C, pt, pl, OH, OW, t, x, opts, cf);
}

/**
 * `nnet::zeropad1d_cl`.
 *
 * @example zeropad1d({ n_chan: 1, in_width: 2, pad_left: 1, pad_right: 1, types: { input: t, result: t } }, [3, 4]); // [0, 3, 4, 0]
 */
export function zeropad1d(cfg: ZeroPad1DConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'zeropad1d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  const W = intField(layer, 'in_width', cfg.in_width);
  const C = intField(layer, 'n_chan', cfg.n_chan);
  const pl = optIntField(layer, 'pad_left', cfg.pad_left, 0);
  const pr = optIntField(layer, 'pad_right', cfg.pad_right, 0);
  const OW = W + pl + pr;
  if (cfg.out_width !== undefined && cfg.out_width !== OW) throw new ShapeError(`${layer}.out_width`, `expected ${OW}, got ${cfg.out_width}`);
  const t = inputResultTypes(layer, cfg.types);
  const cf = channelsFirst(layer, cfg, t);
  const bits = Math.max(t.input.W + 1, t.result.W);
  return choosePath(layer, bits, opts.path) ? pad(BIG, layer, 1, W, C, 0, pl, 1, OW, t, x, opts, cf) : pad(NUM, layer, 1, W, C, 0, pl, 1, OW, t, x, opts, cf);
}
