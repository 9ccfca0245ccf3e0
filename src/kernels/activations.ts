/**
 * Element-wise activations (`nnet_activation.h`, `nnet_activation_stream.h`): linear (a plain
 * cast), ReLU, LeakyReLU, and the table-based sigmoid and tanh. io_parallel and io_stream compute
 * the same values.
 *
 * Casts: linear `(result_t)x`; relu `x > 0 ? (result_t)x : 0`; leaky_relu
 * `x > 0 ? (result_t)x : (result_t)(alpha·x)` with alpha already in param_t and the product at full
 * precision; sigmoid/tanh `(result_t) table[clamp(int(x·N/R) + N/2)]` with R = 16 (sigmoid) or 8
 * (tanh), `int()` truncating toward zero.
 */
import { ConfigError } from '../errors.js';
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
  typedCaster,
  type Arith,
  type KernelOptions,
  type RawInput,
  type RawOutput,
} from './common.js';
import { quantizeDoubleRaw, sigmoidTable, tanhTable } from './tables.js';

/** Config of an element-wise activation (hls4ml `activ_config` names). */
export interface ActivationConfig {
  name?: string;
  n_in: number;
  io_type?: 'io_parallel' | 'io_stream' | string;
  /** sigmoid / tanh: number of table entries (default 1024). */
  table_size?: number;
  types: {
    input: FixedType;
    result: FixedType;
    /** sigmoid / tanh. */
    table?: FixedType;
    /** leaky_relu: the type alpha is converted to. */
    param?: FixedType;
  };
}

/** LeakyReLU config: alpha as a raw mantissa of `types.param`, or as the float literal hls4ml writes into the call. */
export interface LeakyReluConfig extends ActivationConfig {
  alpha_raw?: number | bigint;
  alpha?: number;
}

function io(layer: string, cfg: ActivationConfig): void {
  if (cfg.io_type !== undefined && cfg.io_type !== 'io_parallel' && cfg.io_type !== 'io_stream') {
    throw new ConfigError(`${layer}.io_type`, `must be 'io_parallel' or 'io_stream', got ${JSON.stringify(cfg.io_type)}`);
  }
}

function base(cfg: ActivationConfig, dflt: string): { layer: string; n: number; tin: FixedType; tres: FixedType } {
  const layer = layerName(cfg ?? {}, dflt);
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  io(layer, cfg);
  const tt = cfg.types as unknown as Record<string, FixedType>;
  return { layer, n: intField(layer, 'n_in', cfg.n_in), tin: typeField(layer, tt, 'input'), tres: typeField(layer, tt, 'result') };
}

function elementwise(
  cfg: ActivationConfig,
  dflt: string,
  x: RawInput,
  opts: KernelOptions,
  bits: (tin: FixedType, tres: FixedType) => number,
  body: <T extends number | bigint>(A: Arith<T>, xs: ArrayLike<T>, out: RawOutput, tin: FixedType, tres: FixedType) => void,
): RawOutput {
  const { layer, n, tin, tres } = base(cfg, dflt);
  const run = <T extends number | bigint>(A: Arith<T>): RawOutput => {
    const out = allocOut(layer, n, tres, opts.out);
    const xs = readRaw(A, layer, 'input', x, tin, n);
    body(A, xs, out, tin, tres);
    return out;
  };
  return choosePath(layer, bits(tin, tres), opts.path) ? run(BIG) : run(NUM);
}

/**
 * `nnet::linear`: `res = (result_t) x` (a cast; hls4ml keeps a linear activation when its types differ).
 *
 * @example linear({ n_in: 1, types: { input: parseFixedType('ap_fixed<16,6>'), result: parseFixedType('ap_fixed<8,3,AP_RND,AP_SAT>') } }, [1000]); // [31]
 */
export function linear(cfg: ActivationConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  return elementwise(cfg, 'linear', x, opts, (a, b) => Math.max(a.W + 1, b.W), (A, xs, out, tin, tres) => {
    const cast = typedCaster(A, tin, tres, opts.stats?.result);
    for (let i = 0; i < xs.length; i++) {
      if (opts.stats) notePreResult(opts.stats, xs[i]!, frac(tin));
      storeOut(out, i, cast(xs[i]!));
    }
  });
}

/**
 * `nnet::relu`: `x > 0 ? (result_t)x : 0`.
 *
 * @example relu({ n_in: 2, types: { input: t, result: t } }, [-5, 7]); // [0, 7]
 */
export function relu(cfg: ActivationConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  return elementwise(cfg, 'relu', x, opts, (a, b) => Math.max(a.W + 1, b.W), (A, xs, out, tin, tres) => {
    const cast = typedCaster(A, tin, tres, opts.stats?.result);
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      if (v > A.zero) {
        if (opts.stats) notePreResult(opts.stats, v, frac(tin));
        storeOut(out, i, cast(v));
      } else {
        if (opts.stats) notePreResult(opts.stats, 0, 0);
        storeOut(out, i, A.zero);
      }
    }
  });
}

/**
 * The raw alpha of a LeakyReLU: `alpha_raw` if given, else the float literal converted to param_t.
 *
 * @example leakyReluAlphaRaw({ alpha: 0.3, types: { param: parseFixedType('ap_fixed<16,6>') } }); // 307
 */
export function leakyReluAlphaRaw(cfg: Pick<LeakyReluConfig, 'alpha' | 'alpha_raw' | 'name'> & { types: { param?: FixedType } }): number | bigint {
  const layer = cfg.name ?? 'leaky_relu';
  const p = cfg.types?.param;
  if (!p) throw new ConfigError(`${layer}.types.param`, 'missing param type');
  if (cfg.alpha_raw !== undefined) return cfg.alpha_raw;
  if (typeof cfg.alpha !== 'number' || !Number.isFinite(cfg.alpha)) throw new ConfigError(`${layer}.alpha`, 'needs alpha_raw or a finite alpha');
  return quantizeDoubleRaw(cfg.alpha, p);
}

/**
 * `nnet::leaky_relu`: `x > 0 ? (result_t)x : (result_t)(alpha·x)`.
 *
 * @example leakyRelu({ n_in: 1, alpha: 0.3, types: { input: t, result: t, param: t } }, [-1024]); // [-307]
 */
export function leakyRelu(cfg: LeakyReluConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'leaky_relu');
  const p = typeField(layer, cfg?.types as never, 'param');
  const alphaRaw = leakyReluAlphaRaw({ ...cfg, name: layer });
  return elementwise(cfg, 'leaky_relu', x, opts, (a, b) => Math.max(a.W + p.W, b.W, a.W + 1), (A, xs, out, tin, tres) => {
    const alpha = A.of(alphaRaw);
    const castX = typedCaster(A, tin, tres, opts.stats?.result);
    const castP = A.caster(frac(tin) + frac(p), tres, opts.stats?.result);
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      if (v > A.zero) {
        if (opts.stats) notePreResult(opts.stats, v, frac(tin));
        storeOut(out, i, castX(v));
      } else {
        const m = A.mul(alpha, v);
        if (opts.stats) notePreResult(opts.stats, m, frac(tin) + frac(p));
        storeOut(out, i, castP(m));
      }
    }
  });
}

/**
 * `int(x · mul / div)` as the C++ computes it for an ap_fixed x: exact product, truncation toward
 * zero, then the low 32 bits (ap_fixed → int).
  *
  * @example truncScaledIndex(-100, 10, 1024, 16); // int(−0.0977·1024/16) = −6
 */
export function truncScaledIndex(xRaw: number | bigint, fx: number, mul: number, div: number): number {
  const up = Math.max(0, -fx);
  const down = Math.max(0, fx);
  if (typeof xRaw === 'number') {
    const num = xRaw * mul * 2 ** up;
    if (Math.abs(num) < 2 ** 53) return Math.trunc(num / (div * 2 ** down)) | 0;
  }
  const num = BigInt(xRaw) * BigInt(mul) << BigInt(up);
  const q = num / (BigInt(div) << BigInt(down));
  return Number(BigInt.asIntN(32, q));
}

/**
 * Index of the ±R/2-range activation tables (sigmoid R = 16, tanh R = 8):
 * `index = int(x·N/R) + (R/2)·N/R` clamped to [0, N−1] (int arithmetic as in the C++), for a raw x
 * with `fx` fractional bits.
 *
 * @example activationTableIndex(0, 10, 1024, 16); // 512
 */
export function activationTableIndex(xRaw: number | bigint, fx: number, N: number, R: number): number {
  return tableIndex(xRaw, fx, N, R);
}

/** `index = int(x·N/R) + (R/2)·N/R` clamped to [0, N−1] (unsigned/int arithmetic as in the C++). */
function tableIndex(xRaw: number | bigint, fx: number, N: number, R: number): number {
  const half = Math.floor(((R / 2) * N) / R);
  let index = (truncScaledIndex(xRaw, fx, N, R) + half) | 0;
  if (index < 0) index = 0;
  if (index > N - 1) index = N - 1;
  return index;
}

function tableActivation(cfg: ActivationConfig, dflt: string, x: RawInput, opts: KernelOptions, R: number, build: typeof sigmoidTable): RawOutput {
  const layer = layerName(cfg ?? {}, dflt);
  const table = build({ name: layer, table_size: cfg?.table_size, types: { table: typeField(layer, cfg?.types as never, 'table') } });
  const tt = cfg.types.table!;
  const N = table.length;
  return elementwise(cfg, dflt, x, opts, (_a, b) => Math.max(tt.W + 1, b.W), (A, xs, out, tin, tres) => {
    const cast = typedCaster(A, tt, tres, opts.stats?.result);
    const fx = frac(tin);
    for (let i = 0; i < xs.length; i++) {
      const idx = tableIndex(xs[i]!, fx, N, R);
      const v = A.of(table[idx]!);
      if (opts.stats) notePreResult(opts.stats, v, frac(tt));
      storeOut(out, i, cast(v));
    }
  });
}

/**
 * `nnet::sigmoid`: table lookup at `clamp(int(x·N/16) + N/2)`, then `(result_t)`.
 *
 * @example sigmoid({ n_in: 1, table_size: 1024, types: { input: t, result: t, table: parseFixedType('ap_fixed<18,8>') } }, [0]); // [512]
 */
export function sigmoid(cfg: ActivationConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  return tableActivation(cfg, 'sigmoid', x, opts, 16, sigmoidTable);
}

/**
 * `nnet::tanh`: table lookup at `clamp(int(x·N/8) + N/2)`, then `(result_t)`.
 *
 * @example tanh({ n_in: 1, table_size: 1024, types: { input: t, result: t, table: parseFixedType('ap_fixed<18,8>') } }, [0]); // [0]
 */
export function tanh(cfg: ActivationConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  return tableActivation(cfg, 'tanh', x, opts, 8, tanhTable);
}

/** True for `ap_uint<1>` (how hls4ml's Xnor type is printed): binary_tanh writes 1/0 into it. */
export function isApUint1(t: FixedType): boolean {
  return !t.signed && t.W === 1 && t.I === 1 && t.Q === 'AP_TRN' && t.O === 'AP_WRAP' && t.N === 0;
}
