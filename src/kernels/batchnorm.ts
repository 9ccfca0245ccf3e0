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
  product?: 'mult' | string;
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
  if (cfg.product !== undefined && cfg.product !== 'mult') throw new ConfigError(`${layer}.product`, `only 'mult' is supported, got ${JSON.stringify(cfg.product)}`);
  const tt = cfg.types as unknown as Record<string, FixedType>;
  const t: BatchNormTypes = { input: typeField(layer, tt, 'input'), scale: typeField(layer, tt, 'scale'), bias: typeField(layer, tt, 'bias'), result: typeField(layer, tt, 'result') };
  const stream = cfg.io_type === 'io_stream';
  if (cfg.io_type !== undefined && cfg.io_type !== 'io_parallel' && !stream) throw new ConfigError(`${layer}.io_type`, `must be 'io_parallel' or 'io_stream', got ${JSON.stringify(cfg.io_type)}`);
  const pack = stream ? (cfg.stream_pack_size === undefined ? (nFilt === -1 ? nIn : nFilt) : intField(layer, 'stream_pack_size', cfg.stream_pack_size)) : nIn;
  const fp = frac(t.input) + frac(t.scale);
  const fb = frac(t.bias);
  const F = Math.max(fp, fb);
  const bits = Math.max(t.input.W + t.scale.W + (F - fp), t.bias.W + (F - fb)) + 2;
  const run = <T extends number | bigint>(A: Arith<T>): RawOutput => {
    const out = allocOut(layer, nIn, t.result, opts.out);
    const xs = readRaw(A, layer, 'input', x, t.input, nIn);
    const s = readRaw(A, layer, 'scale', scale, t.scale, nSB);
    const b = readRaw(A, layer, 'bias', bias, t.bias, nSB);
    const cast = A.caster(F, t.result, opts.stats?.result);
    for (let i = 0; i < nIn; i++) {
      const k = nFilt === -1 ? i : stream ? (i % pack) % nFilt : i % nFilt;
      const v = A.add(A.shl(A.mul(xs[i]!, s[k]!), F - fp), A.shl(b[k]!, F - fb));
      if (opts.stats) notePreResult(opts.stats, v, F);
      storeOut(out, i, cast(v));
    }
    return out;
  };
  return choosePath(layer, bits, opts.path) ? run(BIG) : run(NUM);
}
