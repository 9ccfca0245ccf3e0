/**
 * Cropping1D / Cropping2D, `nnet::cropping1d_cl`, `nnet::cropping2d_cl` (io_parallel and
 * io_stream compute the same) and `nnet::cropping2d_cf` (channels-first, io_parallel): the window
 * starting at (crop_top, crop_left), each element `(result_t) x`.
 */
import { ConfigError, ShapeError } from '../errors.js';
import { frac, type FixedType } from '../fixed/index.js';
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

/** Config of `nnet::cropping1d_cl` (hls4ml `cropping1d_config` names). */
export interface Cropping1DConfig {
  name?: string;
  n_chan: number;
  in_width: number;
  crop_left?: number;
  crop_right?: number;
  /** Checked when given (= in_width − crop_left − crop_right). */
  out_width?: number;
  io_type?: string;
  types: { input: FixedType; result: FixedType };
}

/** Config of `nnet::cropping2d_cl` / `_cf` (hls4ml `cropping2d_config` names). */
export interface Cropping2DConfig {
  name?: string;
  n_chan: number;
  in_height: number;
  in_width: number;
  crop_top?: number;
  crop_bottom?: number;
  crop_left?: number;
  crop_right?: number;
  /** Checked when given. */
  out_height?: number;
  out_width?: number;
  io_type?: string;
  /** `'channels_last'` (default) or `'channels_first'` (`cropping2d_cf`, io_parallel, (C, H, W) layout). */
  data_format?: 'channels_last' | 'channels_first' | string;
  types: { input: FixedType; result: FixedType };
}

function outSize(layer: string, field: string, inSize: number, a: number, b: number, given: number | undefined): number {
  const n = inSize - a - b;
  if (n < 0) throw new ShapeError(`${layer}.${field}`, `crops ${a} + ${b} exceed the input size ${inSize}`);
  if (given !== undefined && given !== n) throw new ShapeError(`${layer}.${field}`, `expected ${n} (input ${inSize} − crops ${a} + ${b}), got ${JSON.stringify(given)}`);
  return n;
}

function crop<T extends number | bigint>(
  A: Arith<T>,
  layer: string,
  g: { H: number; W: number; C: number; top: number; left: number; OH: number; OW: number; cf: boolean },
  t: { input: FixedType; result: FixedType },
  x: RawInput,
  opts: KernelOptions,
): RawOutput {
  const { H, W, C, top, left, OH, OW, cf } = g;
  const xs = readRaw(A, layer, 'input', x, t.input, H * W * C);
  const out = allocOut(layer, OH * OW * C, t.result, opts.out);
  const cast = typedCaster(A, t.input, t.result, opts.stats?.result);
  let p = 0;
  const put = (k: number): void => {
    const v = xs[k]!;
    if (opts.stats) notePreResult(opts.stats, v, frac(t.input));
    storeOut(out, p++, cast(v));
  };
  if (cf) {
    for (let c = 0; c < C; c++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) put((c * H + i + top) * W + j + left);
  } else {
    for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) for (let c = 0; c < C; c++) put(((i + top) * W + j + left) * C + c);
  }
  return out;
}

function ioCheck(layer: string, io: string | undefined): void {
  ioTypeField(layer, io);
}

/**
 * `nnet::cropping1d_cl`.
 *
 * @example cropping1d({ n_chan: 1, in_width: 4, crop_left: 1, crop_right: 2, types: { input: t, result: t } }, [1, 2, 3, 4]); // [2]
 */
export function cropping1d(cfg: Cropping1DConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'cropping1d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  ioCheck(layer, cfg.io_type);
  const W = intField(layer, 'in_width', cfg.in_width);
  const C = intField(layer, 'n_chan', cfg.n_chan);
  const left = optIntField(layer, 'crop_left', cfg.crop_left, 0);
  const right = optIntField(layer, 'crop_right', cfg.crop_right, 0);
  const OW = outSize(layer, 'out_width', W, left, right, cfg.out_width);
  const t = inputResultTypes(layer, cfg.types);
  const g = { H: 1, W, C, top: 0, left, OH: 1, OW, cf: false };
  return choosePath(layer, Math.max(t.input.W + 1, t.result.W), opts.path) ? crop(BIG, layer, g, t, x, opts) : crop(NUM, layer, g, t, x, opts);
}

/**
 * `nnet::cropping2d_cl` / `nnet::cropping2d_cf`.
 *
 * @example cropping2d({ n_chan: 1, in_height: 2, in_width: 2, crop_top: 1, crop_left: 1, types: { input: t, result: t } }, [1, 2, 3, 4]); // [4]
 */
export function cropping2d(cfg: Cropping2DConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'cropping2d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  ioCheck(layer, cfg.io_type);
  const H = intField(layer, 'in_height', cfg.in_height);
  const W = intField(layer, 'in_width', cfg.in_width);
  const C = intField(layer, 'n_chan', cfg.n_chan);
  const top = optIntField(layer, 'crop_top', cfg.crop_top, 0);
  const bottom = optIntField(layer, 'crop_bottom', cfg.crop_bottom, 0);
  const left = optIntField(layer, 'crop_left', cfg.crop_left, 0);
  const right = optIntField(layer, 'crop_right', cfg.crop_right, 0);
  const OH = outSize(layer, 'out_height', H, top, bottom, cfg.out_height);
  const OW = outSize(layer, 'out_width', W, left, right, cfg.out_width);
  const cf = channelsFirstField(layer, cfg, 'cropping');
  const t = inputResultTypes(layer, cfg.types);
  const g = { H, W, C, top, left, OH, OW, cf };
  return choosePath(layer, Math.max(t.input.W + 1, t.result.W), opts.path) ? crop(BIG, layer, g, t, x, opts) : crop(NUM, layer, g, t, x, opts);
}
