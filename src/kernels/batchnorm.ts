/**
 * BatchNormalization, `nnet::normalize` (`nnet_batchnorm.h`, `nnet_batchnorm_stream.h`):
 * `res[i] = (result_t)(x[i]·scale[k] + bias[k])`, product and sum at full precision (no accum_t),
 * one cast. k = i (n_filt = −1) or i % n_filt (io_stream: the position inside the stream word
 * modulo n_filt).
 */
import { ConfigError, ShapeError } from '../errors.js';
import { frac, type FixedType } from '../fixed/index.js';
import {
  BIG,
  NUM,
  allocOut,
  choosePath,
  intField,
  layerName,
  notePreResult,
  readRaw,
  storeOut,
  typeField,
  type Arith,
  type KernelOptions,
  type RawInput,
  type RawOutput,
} from './common.js';
import { expProduct, expProductBig, expProductWidth } from './dense.js';

/** Types of a BatchNormalization layer. */
export interface BatchNormTypes {
  input: FixedType;
  scale: FixedType;
  bias: FixedType;
  result: FixedType;
}

/** Config of `nnet::normalize` (hls4ml `batchnorm_config` names). */
export interface BatchNormConfig {
  name?: string;
  n_in: number;
  /** −1 (default): one scale/bias per element; else per channel (index % n_filt). */
  n_filt?: number;
  /** Length of scale/bias; checked when given. */
  n_scale_bias?: number;
  io_type?: 'io_parallel' | 'io_stream' | string;
  /** io_stream: elements per stream word (default n_filt, or n_in when n_filt = −1). */
  stream_pack_size?: number;
  /**
   * `mult` (default) or `weight_exponential` (power-of-two scales, hls4ml's ApplyAlpha of an
   * 'auto_po2' quantizer): `scale` then holds the exponents (raw of `types.scale` = `ap_int<We>`)
   * and `scale_sign` their sign bits; the product is `nnet::product::weight_exponential`.
   */
  product?: 'mult' | 'weight_exponential' | string;
  /** weight_exponential only: the sign bit of each scale (1 = positive, 0 = negative). */
  scale_sign?: ArrayLike<number>;
  types: BatchNormTypes;
}

/**
 * `nnet::normalize` on one input (raw mantissas).
 *
 * @example
 * const t = parseFixedType('ap_fixed<16,6>');
 * batchnorm({ n_in: 2, types: { input: t, scale: t, bias: t, result: t } }, [1024, 2048], [512, 512], [0, 1024]);
 * // 1.0*0.5+0 → 512, 2.0*0.5+1 → 2048
 */
export function batchnorm(cfg: BatchNormConfig, x: RawInput, scale: RawInput, bias: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'batchnorm');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  const nIn = intField(layer, 'n_in', cfg.n_in);
  const nFilt = cfg.n_filt === undefined || cfg.n_filt === -1 ? -1 : intField(layer, 'n_filt', cfg.n_filt);
  const nSB = nFilt === -1 ? nIn : nFilt;
  if (cfg.n_scale_bias !== undefined && cfg.n_scale_bias !== nSB) {
    throw new ShapeError(`${layer}.n_scale_bias`, `expected ${nSB} (${nFilt === -1 ? 'n_in' : 'n_filt'}), got ${cfg.n_scale_bias}`);
  }
  const product = cfg.product ?? 'mult';
  if (product !== 'mult' && product !== 'weight_exponential') throw new ConfigError(`${layer}.product`, `'mult' or 'weight_exponential', got ${JSON.stringify(cfg.product)}`);
  const expo = product === 'weight_exponential';
  const tt = cfg.types as unknown as Record<string, FixedType>;
  const t: BatchNormTypes = { input: typeField(layer, tt, 'input'), scale: typeField(layer, tt, 'scale'), bias: typeField(layer, tt, 'bias'), result: typeField(layer, tt, 'result') };
  const stream = cfg.io_type === 'io_stream';
  if (cfg.io_type !== undefined && cfg.io_type !== 'io_parallel' && !stream) throw new ConfigError(`${layer}.io_type`, `must be 'io_parallel' or 'io_stream', got ${JSON.stringify(cfg.io_type)}`);
  const pack = stream ? (cfg.stream_pack_size === undefined ? (nFilt === -1 ? nIn : nFilt) : intField(layer, 'stream_pack_size', cfg.stream_pack_size)) : nIn;
  let signs: ArrayLike<number> | undefined;
  if (expo) {
    if (frac(t.scale) !== 0 || !t.scale.signed) throw new ConfigError(`${layer}.types.scale`, 'weight_exponential needs the exponent type ap_int<W> as the scale type');
    signs = cfg.scale_sign;
    if (!signs || signs.length !== nSB) throw new ShapeError(`${layer}.scale_sign`, `weight_exponential needs ${nSB} sign bits, got ${signs?.length ?? 0}`);
  }
  const Wr = expProductWidth(t.scale, t.input);
  const fp = expo ? Wr / 2 : frac(t.input) + frac(t.scale);
  const fb = frac(t.bias);
  const F = Math.max(fp, fb);
  // The cast to result_t reads and writes result-width mantissas too: a result wider than the sum needs the BigInt path.
  const bits = Math.max(Math.max((expo ? Wr : t.input.W + t.scale.W) + (F - fp), t.bias.W + (F - fb)) + 2, t.result.W);
  const run = <T extends number | bigint>(A: Arith<T>): RawOutput => {
    const out = allocOut(layer, nIn, t.result, opts.out);
    const xs = readRaw(A, layer, 'input', x, t.input, nIn);
    const s = readRaw(A, layer, 'scale', scale, t.scale, nSB);
    const b = readRaw(A, layer, 'bias', bias, t.bias, nSB);
    const cast = A.caster(F, t.result, opts.stats?.result);
    const fx = frac(t.input);
    const prod = expo
      ? A.big
        ? (xv: T, k: number) => expProductBig(xv as bigint, Number(s[k]!), signs![k]!, fx, Wr) as T
        : (xv: T, k: number) => expProduct(xv as number, s[k] as number, signs![k]!, fx, Wr) as T
      : (xv: T, k: number) => A.mul(xv, s[k]!);
    for (let i = 0; i < nIn; i++) {
      const k = nFilt === -1 ? i : stream ? (i % pack) % nFilt : i % nFilt;
      const v = A.add(A.shl(prod(xs[i]!, k), F - fp), A.shl(b[k]!, F - fb));
      if (opts.stats) notePreResult(opts.stats, v, F);
      storeOut(out, i, cast(v));
    }
    return out;
  };
  return choosePath(layer, bits, opts.path) ? run(BIG) : run(NUM);
}

/** Config of `nnet::normalize_binary_tanh` / `nnet::normalize_ternary_tanh` (BatchNormalizationQuantizedTanh). */
export interface BatchNormQuantizedTanhConfig {
  name?: string;
  n_in: number;
  /** −1: one threshold per element; else per channel (index % n_filt). */
  n_filt?: number;
  io_type?: 'io_parallel' | 'io_stream' | string;
  /** io_stream: elements per stream word (default n_filt, or n_in). */
  stream_pack_size?: number;
  /** 2 = binary (thresholds `threshold`), 3 = ternary (`threshold_hi`, `threshold_lo`). */
  quantize: 2 | 3;
  /** The thresholds are raw mantissas of the input type. */
  types: { input: FixedType; result: FixedType };
}

/**
 * BatchNormalization merged with a binary / ternary tanh: binary `x ≥ t ? 1 : 0` (an Xnor
 * `ap_uint<1>`), ternary `x > hi ? 1 : x ≤ lo ? −1 : 0` (`ap_int<2>`), thresholds in the input type.
 *
 * @example normalizeQuantizedTanh({ n_in: 2, quantize: 2, types }, [-3, 5], [[0, 0]]); // [0, 1]
 */
export function normalizeQuantizedTanh(cfg: BatchNormQuantizedTanhConfig, x: RawInput, thresholds: RawInput[], opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'batchnorm_quantized_tanh');
  const nIn = intField(layer, 'n_in', cfg.n_in);
  const nFilt = cfg.n_filt === undefined || cfg.n_filt === -1 ? -1 : intField(layer, 'n_filt', cfg.n_filt);
  const nSB = nFilt === -1 ? nIn : nFilt;
  const tin = typeField(layer, cfg.types as never, 'input');
  const tres = typeField(layer, cfg.types as never, 'result');
  if (cfg.quantize !== 2 && cfg.quantize !== 3) throw new ConfigError(`${layer}.quantize`, `must be 2 (binary) or 3 (ternary), got ${JSON.stringify(cfg.quantize)}`);
  if (thresholds.length !== cfg.quantize - 1) throw new ShapeError(`${layer}.thresholds`, `expected ${cfg.quantize - 1} threshold arrays, got ${thresholds.length}`);
  const stream = cfg.io_type === 'io_stream';
  const pack = stream ? (cfg.stream_pack_size === undefined ? (nFilt === -1 ? nIn : nFilt) : intField(layer, 'stream_pack_size', cfg.stream_pack_size)) : nIn;
  const run = <T extends number | bigint>(A: Arith<T>): RawOutput => {
    const out = allocOut(layer, nIn, tres, opts.out);
    const xs = readRaw(A, layer, 'input', x, tin, nIn);
    const th = thresholds.map((t, k) => readRaw(A, layer, `threshold${k}`, t, tin, nSB));
    for (let i = 0; i < nIn; i++) {
      const k = nFilt === -1 ? i : stream ? (i % pack) % nFilt : i % nFilt;
      const v = xs[i]!;
      const r = cfg.quantize === 2 ? (v >= th[0]![k]! ? 1 : 0) : v > th[0]![k]! ? 1 : v <= th[1]![k]! ? -1 : 0;
      if (opts.stats) notePreResult(opts.stats, r, 0);
      storeOut(out, i, A.of(r));
    }
    return out;
  };
  return choosePath(layer, tin.W + 2, opts.path) ? run(BIG) : run(NUM);
}
