/**
 * Max / Average pooling, 1D and 2D, local and global, io_parallel and io_stream
 * (`nnet_pooling.h`, `nnet_pooling_stream.h`). Channels-last.
 *
 * io_parallel: Max takes the maximum in the input type (padding = the input type's most-negative
 * bit pattern, i.e. only the MSB set), converts it to accum_t, then to result_t. Average sums the
 * inputs into accum_t one by one (`acc = (accum_t)(acc + x)`), divides the mantissa by the number
 * of non-padding pixels (or the pool area with `count_pad`) truncating toward zero, then converts
 * to result_t.
 * io_stream (Encoded / LineBuffer): every input is first converted to accum_t, then reduced with
 * hls4ml's balanced tree (`nnet::reduce`, max or sum in accum_t), the sum divided by the pool area,
 * and converted to result_t. Global pooling streams accumulate pixel by pixel in accum_t.
 */
import { ConfigError, ShapeError, UnsupportedError } from '../errors.js';
import { frac, type FixedType } from '../fixed/index.js';
import {
  allocOut,
  BIG,
  choosePath,
  intField,
  ioTypeField,
  layerName,
  notePreResult,
  NUM,
  readRaw,
  reduceTree,
  storeOut,
  typedCaster,
  typeField,
  type Arith,
  type KernelOptions,
  type RawInput,
  type RawOutput,
} from './common.js';
import { poolTable } from './conv-instructions.js';
import { layerWindows, parallelWindows, windowGeometry, windowImplementation, type WindowFields, type WindowGeometry, type Windows } from './geometry.js';

/** `nnet::Pool_Op`. */
export type PoolOp = 'Max' | 'Average';

/** The types of a pooling layer. */
export interface PoolingTypes {
  input: FixedType;
  accum: FixedType;
  result: FixedType;
}

interface PoolCommon {
  name?: string;
  n_filt: number;
  pool_op: PoolOp | string;
  /** `'io_parallel'` (default) or `'io_stream'`. */
  io_type?: 'io_parallel' | 'io_stream' | string;
  /** io_stream: `'LineBuffer'` (default) or `'Encoded'`. */
  implementation?: string;
  types: PoolingTypes;
}

/** Config of `nnet::pooling2d_cl` (hls4ml `pooling2d_config` names). */
export interface Pooling2DConfig extends PoolCommon {
  in_height: number;
  in_width: number;
  pool_height: number;
  pool_width: number;
  /** Default: the pool size. */
  stride_height?: number;
  stride_width?: number;
  pad_top?: number;
  pad_bottom?: number;
  pad_left?: number;
  pad_right?: number;
  /** Average: divide by the pool area instead of the number of non-padding pixels. */
  count_pad?: boolean;
  out_height?: number;
  out_width?: number;
}

/** Config of `nnet::pooling1d_cl` (hls4ml `pooling1d_config` names: `n_in` = input width). */
export interface Pooling1DConfig extends PoolCommon {
  n_in: number;
  pool_width: number;
  stride_width?: number;
  pad_left?: number;
  pad_right?: number;
  count_pad?: boolean;
  n_out?: number;
}

/** Config of `nnet::global_pooling2d_cl`. */
export interface GlobalPooling2DConfig extends Omit<PoolCommon, 'implementation'> {
  in_height: number;
  in_width: number;
}

/** Config of `nnet::global_pooling1d_cl` (`n_in` = input width). */
export interface GlobalPooling1DConfig extends Omit<PoolCommon, 'implementation'> {
  n_in: number;
}

function normOp(layer: string, v: unknown): PoolOp {
  if (v === 'Max' || v === 'Average') return v;
  const s = String(v).toLowerCase();
  if (s === 'max') return 'Max';
  if (s === 'average' || s === 'avg') return 'Average';
  throw new UnsupportedError(`${layer}.pool_op`, `unknown pool_op ${JSON.stringify(v)} (Max, Average)`);
}



function types3(layer: string, t: PoolingTypes | undefined): PoolingTypes {
  const tt = t as unknown as Record<string, FixedType>;
  return { input: typeField(layer, tt, 'input'), accum: typeField(layer, tt, 'accum'), result: typeField(layer, tt, 'result') };
}

function addBits(a: FixedType, b: FixedType): number {
  const F = Math.max(frac(a), frac(b));
  return Math.max(a.W + F - frac(a), b.W + F - frac(b)) + 2;
}

/**
 * Pooling prepared for repeated use.
 *
 * @example const k = preparePooling2d(cfg); k.run(image);
 */
export class PoolingKernel {
  readonly name: string;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly nFilt: number;
  readonly op: PoolOp;
  readonly stream: boolean;
  /** Encoded only: `pool_table_height` / `pool_table_width` (`i % pool`). */
  readonly tables?: { pool_table_height?: number[]; pool_table_width: number[] };
  private readonly g: WindowGeometry;
  private readonly types: PoolingTypes;
  /** The window table this implementation produces (counts: the divisor of io_parallel Average). */
  readonly windows: Windows;
  private readonly bits: number;

  /** @internal use {@link preparePooling2d} / {@link preparePooling1d}. */
  constructor(layer: string, g: WindowGeometry, countPad: boolean, op: PoolOp, io: 'io_parallel' | 'io_stream', impl: unknown, types: PoolingTypes) {
    this.name = layer;
    this.g = g;
    this.op = op;
    this.types = types;
    this.nFilt = g.C;
    this.outHeight = g.outH;
    this.outWidth = g.outW;
    this.stream = io === 'io_stream';
    if (!this.stream) {
      const w = parallelWindows(g);
      this.windows = countPad ? { ...w, counts: w.counts.fill(w.kSize) } : w;
    } else {
      if (g.pt || g.pb || g.pl || g.pr) throw new UnsupportedError(`${layer}.${g.pt ? 'pad_top' : g.pb ? 'pad_bottom' : g.pl ? 'pad_left' : 'pad_right'}`, 'io_stream pooling does not support padding (the C++ asserts)');
      const im = windowImplementation(layer, impl, 'pooling');
      if (im === 'encoded' || !g.oneD) {
        if (g.kh !== g.sh || g.kw !== g.sw) throw new UnsupportedError(`${layer}.${g.kh !== g.sh ? 'stride_height' : 'stride_width'}`, `io_stream ${im === 'encoded' ? 'Encoded' : '2D'} pooling needs stride == pool size (the C++ asserts), got pool ${g.kh}x${g.kw} stride ${g.sh}x${g.sw}`);
      }
      if (im === 'encoded') {
        this.tables = g.oneD ? { pool_table_width: poolTable(g.W, g.kw) } : { pool_table_height: poolTable(g.H, g.kh), pool_table_width: poolTable(g.W, g.kw) };
      }
      this.windows = layerWindows(layer, g, 'io_stream', im, { buffer2d: !g.oneD, encoded: 'pool' });
    }
    this.bits = Math.max(addBits(types.accum, types.input), types.accum.W + 2, types.input.W + 1, types.result.W);
  }

  /** True when the BigInt back end will be used for `path`. */
  isBig(path?: KernelOptions['path']): boolean {
    return choosePath(this.name, this.bits, path);
  }

  /**
   * Pool one channels-last image.
   *
   * @example const y = preparePooling2d(cfg).run(x);
   */
  run(x: RawInput, opts: KernelOptions = {}): RawOutput {
    const big = this.isBig(opts.path);
    return big ? this.exec(BIG, x, opts) : this.exec(NUM, x, opts);
  }

  private exec<T extends number | bigint>(A: Arith<T>, x: RawInput, opts: KernelOptions): RawOutput {
    const g = this.g;
    const t = this.types;
    const C = g.C;
    const nPix = g.outH * g.outW;
    const out = allocOut(this.name, nPix * C, t.result, opts.out);
    const xs = readRaw(A, this.name, 'input', x, t.input, g.H * g.W * C);
    const st = opts.stats;
    const fx = frac(t.input);
    const fa = frac(t.accum);
    const toAcc = typedCaster(A, t.input, t.accum, st?.accum);
    const sumAcc = A.caster(Math.max(fa, fx), t.accum, st?.accum);
    const accAcc = A.caster(fa, t.accum, st?.accum);
    const toRes = typedCaster(A, t.accum, t.result, st?.result);
    const { kSize, taps, counts } = this.windows;
    const padMax = A.of(t.input.signed ? -(2n ** BigInt(t.input.W - 1)) : 2n ** BigInt(t.input.W - 1));
    const win: T[] = new Array<T>(kSize);
    const shA = Math.max(fa, fx) - fa;
    const shX = Math.max(fa, fx) - fx;
    for (let o = 0; o < nPix; o++) {
      const base = o * kSize;
      for (let c = 0; c < C; c++) {
        let acc: T;
        if (!this.stream) {
          if (this.op === 'Max') {
            let y: T | undefined;
            for (let k = 0; k < kSize; k++) {
              const tp = taps[base + k]!;
              const v = tp < 0 ? padMax : xs[tp * C + c]!;
              if (y === undefined || v > y) y = v;
            }
            acc = toAcc(y!);
          } else {
            let y = A.zero;
            for (let k = 0; k < kSize; k++) {
              const tp = taps[base + k]!;
              if (tp < 0) continue; // pad value 0: y + 0 == y
              y = sumAcc(A.add(A.shl(y, shA), A.shl(xs[tp * C + c]!, shX)));
            }
            const n = counts[o]!;
            if (n === 0) throw new ShapeError(`${this.name}.pad_left`, `output pixel ${o} covers no input pixel (division by zero in the C++)`);
            acc = accAcc(A.divTrunc(y, n)); // y /= n: the quotient is converted back to accum_t
          }
        } else {
          for (let k = 0; k < kSize; k++) {
            const tp = taps[base + k]!;
            win[k] = tp < 0 ? A.zero : toAcc(xs[tp * C + c]!);
          }
          if (this.op === 'Max') acc = reduceTree(win, 0, kSize, (a, b) => (a >= b ? a : b));
          else acc = accAcc(A.divTrunc(reduceTree(win, 0, kSize, (a, b) => accAcc(A.add(a, b))), kSize));
        }
        if (st) notePreResult(st, acc, fa);
        storeOut(out, o * C + c, toRes(acc));
      }
    }
    return out;
  }
}

function poolFields(c: Pooling2DConfig): WindowFields {
  return {
    in_height: c.in_height, in_width: c.in_width, n_chan: c.n_filt, filt_height: c.pool_height, filt_width: c.pool_width,
    stride_height: c.stride_height, stride_width: c.stride_width, pad_top: c.pad_top, pad_bottom: c.pad_bottom,
    pad_left: c.pad_left, pad_right: c.pad_right, out_height: c.out_height, out_width: c.out_width,
  };
}

/**
 * Prepare a Pooling2D layer (window table) for repeated use.
 *
 * @example const k = preparePooling2d({ in_height: 4, in_width: 4, n_filt: 1, pool_height: 2, pool_width: 2, pool_op: 'Max', types }); k.run(x);
 */
export function preparePooling2d(cfg: Pooling2DConfig): PoolingKernel {
  const layer = layerName(cfg ?? {}, 'pooling2d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  const g = windowGeometry(layer, poolFields(cfg), false, 'window');
  return new PoolingKernel(layer, g, !!cfg.count_pad, normOp(layer, cfg.pool_op), ioTypeField(layer, cfg.io_type), cfg.implementation, types3(layer, cfg.types));
}

/**
 * Prepare a Pooling1D layer for repeated use.
 *
 * @example const k = preparePooling1d({ n_in: 8, n_filt: 2, pool_width: 2, pool_op: 'Average', types }); k.run(x);
 */
export function preparePooling1d(cfg: Pooling1DConfig): PoolingKernel {
  const layer = layerName(cfg ?? {}, 'pooling1d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  const g = windowGeometry(
    layer,
    { in_width: cfg.n_in, n_chan: cfg.n_filt, filt_width: cfg.pool_width, stride_width: cfg.stride_width, pad_left: cfg.pad_left, pad_right: cfg.pad_right },
    true,
    'window',
  );
  if (cfg.n_out !== undefined && cfg.n_out !== g.outW) throw new ShapeError(`${layer}.n_out`, `expected ${g.outW} from the geometry, got ${cfg.n_out}`);
  return new PoolingKernel(layer, g, !!cfg.count_pad, normOp(layer, cfg.pool_op), ioTypeField(layer, cfg.io_type), cfg.implementation, types3(layer, cfg.types));
}

/**
 * `nnet::pooling2d_cl` on one channels-last image.
 *
 * @example
 * const t = parseFixedType('ap_fixed<16,6>');
 * pooling2d({ in_height: 2, in_width: 2, n_filt: 1, pool_height: 2, pool_width: 2, pool_op: 'Max',
 *             types: { input: t, accum: t, result: t } }, [1, 5, -3, 2]); // Float64Array [5]
 */
export function pooling2d(cfg: Pooling2DConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  return preparePooling2d(cfg).run(x, opts);
}

/**
 * `nnet::pooling1d_cl` on one channels-last sequence.
 *
 * @example pooling1d({ n_in: 4, n_filt: 1, pool_width: 2, pool_op: 'Average', types }, [1, 3, 4, 8]); // [2, 6]
 */
export function pooling1d(cfg: Pooling1DConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  return preparePooling1d(cfg).run(x, opts);
}

/** Global pooling core over `P` pixels × `C` channels. */
function globalPool<T extends number | bigint>(A: Arith<T>, layer: string, P: number, C: number, op: PoolOp, stream: boolean, t: PoolingTypes, x: RawInput, opts: KernelOptions): RawOutput {
  const out = allocOut(layer, C, t.result, opts.out);
  const xs = readRaw(A, layer, 'input', x, t.input, P * C);
  const st = opts.stats;
  const fx = frac(t.input);
  const fa = frac(t.accum);
  const F = Math.max(fa, fx);
  const toAcc = typedCaster(A, t.input, t.accum, st?.accum);
  const sumAcc = A.caster(F, t.accum, st?.accum);
  const accAcc = A.caster(fa, t.accum, st?.accum);
  const toRes = typedCaster(A, t.accum, t.result, st?.result);
  const quotRes = A.caster(fa, t.result, st?.result);
  for (let c = 0; c < C; c++) {
    let acc: T;
    let direct = false;
    if (!stream) {
      if (op === 'Max') {
        let y = xs[c]!;
        for (let p = 1; p < P; p++) {
          const v = xs[p * C + c]!;
          if (v > y) y = v;
        }
        acc = toAcc(y);
      } else {
        let y = A.zero;
        for (let p = 0; p < P; p++) y = sumAcc(A.add(A.shl(y, F - fa), A.shl(xs[p * C + c]!, F - fx)));
        acc = accAcc(A.divTrunc(y, P));
      }
    } else if (op === 'Max') {
      // hls::numeric_limits<accum_t>::min(): most negative for signed, 0 for unsigned
      let y: T = t.accum.signed ? A.of(-(2n ** BigInt(t.accum.W - 1))) : A.zero;
      for (let p = 0; p < P; p++) {
        const v = toAcc(xs[p * C + c]!);
        y = y > v ? y : v;
      }
      acc = y;
    } else {
      let y = A.zero;
      for (let p = 0; p < P; p++) y = accAcc(A.add(y, toAcc(xs[p * C + c]!)));
      acc = A.divTrunc(y, P); // res = data_window / N: the quotient goes straight to result_t
      direct = true;
    }
    if (st) notePreResult(st, acc, fa);
    storeOut(out, c, direct ? quotRes(acc) : toRes(acc));
  }
  return out;
}

function globalCommon(layer: string, P: number, cfg: GlobalPooling1DConfig | GlobalPooling2DConfig, x: RawInput, opts: KernelOptions): RawOutput {
  const C = intField(layer, 'n_filt', cfg.n_filt);
  const op = normOp(layer, cfg.pool_op);
  const stream = ioTypeField(layer, cfg.io_type) === 'io_stream';
  const t = types3(layer, cfg.types);
  const bits = Math.max(addBits(t.accum, t.input), t.accum.W + 2, t.input.W + 1, t.result.W);
  return choosePath(layer, bits, opts.path) ? globalPool(BIG, layer, P, C, op, stream, t, x, opts) : globalPool(NUM, layer, P, C, op, stream, t, x, opts);
}

/**
 * `nnet::global_pooling2d_cl`: one value per channel.
 *
 * @example globalPooling2d({ in_height: 2, in_width: 2, n_filt: 1, pool_op: 'Average', types }, [1, 2, 3, 4]); // [2]
 */
export function globalPooling2d(cfg: GlobalPooling2DConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'global_pooling2d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  const P = intField(layer, 'in_height', cfg.in_height) * intField(layer, 'in_width', cfg.in_width);
  return globalCommon(layer, P, cfg, x, opts);
}

/**
 * `nnet::global_pooling1d_cl`: one value per channel.
 *
 * @example globalPooling1d({ n_in: 4, n_filt: 1, pool_op: 'Max', types }, [1, 7, 3, 4]); // [7]
 */
export function globalPooling1d(cfg: GlobalPooling1DConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'global_pooling1d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  return globalCommon(layer, intField(layer, 'n_in', cfg.n_in), cfg, x, opts);
}

/**
 * The Encoded pooling tables hls4ml builds (`init_pool_table`): `i % pool` per row / column.
 *
 * @example poolingTables({ in_height: 4, in_width: 4, pool_height: 2, pool_width: 2 }); // { pool_table_height: [0,1,0,1], pool_table_width: [0,1,0,1] }
 */
export function poolingTables(cfg: { in_height?: number; in_width?: number; n_in?: number; pool_height?: number; pool_width: number }): { pool_table_height?: number[]; pool_table_width: number[] } {
  if (cfg.n_in !== undefined) return { pool_table_width: poolTable(cfg.n_in, cfg.pool_width) };
  return { pool_table_height: poolTable(cfg.in_height ?? 1, cfg.pool_height ?? 1), pool_table_width: poolTable(cfg.in_width ?? 1, cfg.pool_width) };
}
