/**
 * The other element-wise activations of `nnet_activation.h` / `nnet_activation_stream.h`: ELU,
 * SELU, softplus, softsign (lookup tables), hard sigmoid / hard tanh, PReLU, thresholded ReLU,
 * ReLU6 / ReLU1, binary and ternary tanh, and HGQ's `unary_lut`.
 *
 * Cast sequences (x of input_t; every product or sum is exact unless a cast is written):
 * - elu: `x >= 0 ? (res)x : (res)(alpha·table[min(int(x·N/−8), N−1)])`, alpha in param_t.
 * - selu: `x >= 0 ? (res)(λ·x) : (res)table[clamp(int(x·N/−8))]`; λ = 1.0507… converted to
 *   `ap_ufixed<16,1>` (io_parallel) or to **input_t** (io_stream).
 * - softplus / softsign: `(res)table[clamp(int(x·N/16) + N/2)]`.
 * - hard_sigmoid: `s = clamp(slope·x + shift, 0, 1)`, `(res)s`; hard_tanh: `(res)(2·s − 1)`.
 * - prelu: `x > 0 ? (res)x : (res)(alpha[i]·x)`; thresholded_relu: `x > theta ? (res)x : 0`.
 * - relu6 / relu1: `x < 0 ? 0 : x > M ? (res)M : (res)x`.
 * - binary_tanh: `c = x >= 0 ? 1 : −1`; result `ap_uint<1>`: `c > 0 ? 1 : 0`, else `(res)c`.
 * - ternary_tanh: io_parallel `d = (input_t)(2·x)`, `d > 1 → 1, d > −1 → 0, else −1`;
 *   io_stream `x > 1 → 1, x <= −1 → −1, else 0`; then `(res)c`.
 * - unary_lut: `(res)table[bit pattern of x read unsigned]`.
 * `int()` truncates toward zero and keeps the low 32 bits, as the C++ conversion to `int`.
 */
import { ConfigError, ShapeError, ValueError } from '../errors.js';
import { compareRaw, fixedType, frac, type FixedType } from '../fixed/index.js';
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
  storeOut,
  typedCaster,
  typeField,
  type Arith,
  type KernelOptions,
  type RawInput,
  type RawOutput,
} from './common.js';
import { truncScaledIndex } from './activations.js';
import { SELU_LAMBDA, eluTable, quantizeDoubleRaw, seluTable, softplusTable, softsignTable } from './tables.js';

/** Config shared by these activations (hls4ml `activ_config` names). */
export interface ActivationExtConfig {
  name?: string;
  n_in: number;
  io_type?: 'io_parallel' | 'io_stream' | string;
  /** Table-based activations: number of entries (default 1024). */
  table_size?: number;
  types: {
    input: FixedType;
    result: FixedType;
    /** elu, selu, softplus, softsign, unary_lut. */
    table?: FixedType;
    /** elu alpha, prelu alpha, thresholded_relu theta. */
    param?: FixedType;
  };
}

/**
 * `nnet::elu`: alpha as a raw of `types.param` or as the float literal hls4ml writes into the call.
 * Without `types.param`, `alpha_raw` and `alpha`, the two-argument overload (alpha = `ap_uint<1>` 1).
 */
export interface EluConfig extends ActivationExtConfig {
  alpha_raw?: number | bigint;
  alpha?: number;
}

/** `nnet::hard_sigmoid` / `nnet::hard_tanh` (hls4ml `hard_activ_config`: static `slope`, `shift`). */
export interface HardActivationConfig {
  name?: string;
  n_in: number;
  io_type?: 'io_parallel' | 'io_stream' | string;
  /** Raw of `types.slope`, or the float literal (`slope`). */
  slope_raw?: number | bigint;
  slope?: number;
  shift_raw?: number | bigint;
  shift?: number;
  types: { input: FixedType; result: FixedType; slope: FixedType; shift: FixedType };
}

/** `nnet::thresholded_relu`: theta as a raw of `types.param` or the float literal. */
export interface ThresholdedReluConfig extends ActivationExtConfig {
  theta_raw?: number | bigint;
  theta?: number;
}

/** `nnet::relu_max<…, MAX_INT>` (relu6: 6, relu1: 1). */
export interface ReluMaxConfig extends ActivationExtConfig {
  max_int: number;
}

/** `nnet::binary_tanh`. */
export interface BinaryTanhConfig extends ActivationExtConfig {
  /**
   * Whether result_t is exactly `ap_uint<1>` (hls4ml's Xnor type), which the kernel special-cases
   * (−1 → 0). Default: true for an unsigned 1-bit integer result type (`ap_uint<1>`,
   * `ap_ufixed<1,1>` — pass false for the latter, which wraps −1 to 1).
   */
  xnor_result?: boolean;
}

/** `nnet::unary_lut` (`table_size` entries of `types.table`, indexed by the input bit pattern). */
export interface UnaryLutConfig extends ActivationExtConfig {
  table_size: number;
}

type Body = <T extends number | bigint>(A: Arith<T>, xs: ArrayLike<T>, out: RawOutput, tin: FixedType, tres: FixedType) => void;

function prep(cfg: ActivationExtConfig | HardActivationConfig, dflt: string): { layer: string; n: number; tin: FixedType; tres: FixedType; stream: boolean } {
  const layer = layerName(cfg ?? {}, dflt);
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  ioTypeField(layer, cfg.io_type);
  const tt = cfg.types as unknown as Record<string, FixedType>;
  return {
    layer,
    n: intField(layer, 'n_in', cfg.n_in),
    tin: typeField(layer, tt, 'input'),
    tres: typeField(layer, tt, 'result'),
    stream: cfg.io_type === 'io_stream',
  };
}

function run(layer: string, n: number, tin: FixedType, tres: FixedType, x: RawInput, opts: KernelOptions, bits: number, body: Body): RawOutput {
  const go = <T extends number | bigint>(A: Arith<T>): RawOutput => {
    const xs = readRaw(A, layer, 'input', x, tin, n); // checks the length before anything is allocated from n
    const out = allocOut(layer, n, tres, opts.out);
    body(A, xs, out, tin, tres);
    return out;
  };
  return choosePath(layer, bits, opts.path) ? go(BIG) : go(NUM);
}

/** The 32-bit signed C++ `int` type (what integer literals compare and convert as). */
const INT32 = fixedType(true, 32, 32);

/**
 * Sign of `x − k` for a raw x of type t and an integer k, as the C++ `x OP k` evaluates it (with
 * the headers' mixed-signedness rule when t is unsigned and k negative).
 */
function cmpInt(x: number | bigint, t: FixedType, k: number): number {
  if (!t.signed && k < 0) {
    const r = compareRaw(BigInt(x), t, BigInt(k), INT32);
    return r.lt ? -1 : r.gt ? 1 : 0;
  }
  const F = frac(t);
  if (typeof x === 'number' && F >= 0 && Math.abs(k) * 2 ** F < 2 ** 53) {
    const kk = k * 2 ** F;
    return x < kk ? -1 : x > kk ? 1 : 0;
  }
  const xb = F >= 0 ? BigInt(x) : BigInt(x) << BigInt(-F);
  const kb = F >= 0 ? BigInt(k) << BigInt(F) : BigInt(k);
  return xb < kb ? -1 : xb > kb ? 1 : 0;
}

/** `a > b` for raws of two fixed-point types, as the headers compare them. */
function gtFixed(a: number | bigint, ta: FixedType, b: number | bigint, tb: FixedType): boolean {
  if (ta.signed === tb.signed && typeof a === 'number' && typeof b === 'number') {
    const fa = frac(ta);
    const fb = frac(tb);
    const F = Math.max(fa, fb);
    const sa = a * 2 ** (F - fa);
    const sb = b * 2 ** (F - fb);
    if (Math.abs(sa) < 2 ** 53 && Math.abs(sb) < 2 ** 53) return sa > sb;
  }
  return compareRaw(BigInt(a), ta, BigInt(b), tb).gt;
}

/** A table index whose C++ `int` wrapped negative (the kernel would read out of bounds). */
function badIndex(layer: string, i: number, idx: number): never {
  throw new ValueError(`${layer}.input[${i}]`, `table index ${idx} is negative (|x·N/8| overflows the C++ int): the kernel would read out of bounds`);
}

/** A raw of `t` given directly, or the float literal converted like `t v = literal;`. */
function paramRaw(layer: string, field: string, raw: number | bigint | undefined, literal: number | undefined, t: FixedType): number | bigint {
  if (raw !== undefined) {
    if (typeof raw === 'number' && !Number.isInteger(raw)) throw new ConfigError(`${layer}.${field}_raw`, `must be an integer raw mantissa, got ${raw}`);
    const b = BigInt(raw);
    const lo = t.signed ? -(1n << BigInt(t.W - 1)) : 0n;
    const hi = t.signed ? (1n << BigInt(t.W - 1)) - 1n : (1n << BigInt(t.W)) - 1n;
    if (b < lo || b > hi) throw new ConfigError(`${layer}.${field}_raw`, `raw ${String(raw)} is outside the range of its type (W=${t.W}, ${t.signed ? 'signed' : 'unsigned'})`);
    return raw;
  }
  if (typeof literal !== 'number' || !Number.isFinite(literal)) throw new ConfigError(`${layer}.${field}`, `needs ${field}_raw or a finite ${field}`);
  return quantizeDoubleRaw(literal, t);
}

/** Build a LUT of an ELU-family / ±8-range activation for this config. */
function lut(layer: string, cfg: ActivationExtConfig, build: typeof eluTable): { table: RawOutput; tt: FixedType; N: number } {
  const tt = typeField(layer, cfg.types as never, 'table');
  const table = build({ name: layer, table_size: cfg.table_size, types: { table: tt } });
  return { table, tt, N: table.length };
}

// ---------------------------------------------------------------------------------------------
// Table-based
// ---------------------------------------------------------------------------------------------

/**
 * The raw alpha of an ELU: `alpha_raw`, else the literal converted to param_t; without a param type
 * the two-argument overload's `ap_uint<1>` 1.
 *
 * @example eluAlpha({ alpha: 0.5, types: { param: parseFixedType('ap_fixed<10,2>') } }); // { raw: 128, type: ap_fixed<10,2> }
 */
export function eluAlpha(cfg: Pick<EluConfig, 'alpha' | 'alpha_raw' | 'name'> & { types: { param?: FixedType } }): { raw: number | bigint; type: FixedType } {
  const layer = cfg.name ?? 'elu';
  const p = cfg.types?.param;
  if (!p) {
    if (cfg.alpha_raw !== undefined || cfg.alpha !== undefined) throw new ConfigError(`${layer}.types.param`, 'alpha is given but its type is missing');
    return { raw: 1, type: fixedType(false, 1, 1) };
  }
  return { raw: paramRaw(layer, 'alpha', cfg.alpha_raw, cfg.alpha, p), type: p };
}

/**
 * `nnet::elu` (io_parallel and io_stream compute the same).
 *
 * @example elu({ n_in: 1, alpha: 1, table_size: 1024, types: { input: t, result: t, table: t18_8, param: t16_6 } }, [-1024]);
 */
export function elu(cfg: EluConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const { layer, n, tin, tres } = prep(cfg, 'elu');
  const alpha = eluAlpha({ ...cfg, name: layer });
  const { table, tt, N } = lut(layer, cfg, eluTable);
  const bits = Math.max(tin.W + 1, tres.W, alpha.type.W + tt.W + 1);
  return run(layer, n, tin, tres, x, opts, bits, (A, xs, out) => {
    const st = opts.stats;
    const fx = frac(tin);
    const fp = frac(alpha.type) + frac(tt);
    const a = A.of(alpha.raw);
    const castX = typedCaster(A, tin, tres, st?.result);
    const castP = A.caster(fp, tres, st?.result);
    for (let i = 0; i < n; i++) {
      const v = xs[i]!;
      if (v >= A.zero) {
        if (st) notePreResult(st, v, fx);
        storeOut(out, i, castX(v));
        continue;
      }
      let idx = truncScaledIndex(A.sub(A.zero, v), fx, N, 8);
      if (idx < 0) badIndex(layer, i, idx);
      if (idx > N - 1) idx = N - 1;
      const m = A.mul(a, A.of(table[idx]!));
      if (st) notePreResult(st, m, fp);
      storeOut(out, i, castP(m));
    }
  });
}

/**
 * SELU's λ as the kernel converts it: io_parallel `ap_ufixed<16,1>`, io_stream the input type
 * (which wraps or saturates when the input type has fewer than 2 integer bits).
 *
 * @example seluLambda('io_parallel', t).raw; // 34429
 */
export function seluLambda(ioType: string | undefined, input: FixedType): { raw: number | bigint; type: FixedType; overflow: 'wrapped' | 'saturated' | null } {
  const type = ioType === 'io_stream' ? input : fixedType(false, 16, 1);
  const st = { wrapped: 0, saturated: 0 };
  const raw = quantizeDoubleRaw(SELU_LAMBDA, type, st);
  return { raw, type, overflow: st.wrapped ? 'wrapped' : st.saturated ? 'saturated' : null };
}

/**
 * `nnet::selu`. The λ conversion into input_t (io_stream) is counted in `stats.internal` once per
 * positive element when it overflows.
 *
 * @example selu({ n_in: 1, table_size: 1024, types: { input: t, result: t, table: t18_8 } }, [1024]);
 */
export function selu(cfg: ActivationExtConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const { layer, n, tin, tres, stream } = prep(cfg, 'selu');
  const lam = seluLambda(cfg.io_type, tin);
  const { table, tt, N } = lut(layer, cfg, seluTable);
  const bits = Math.max(tin.W + lam.type.W + 1, tres.W, tt.W + 1);
  return run(layer, n, tin, tres, x, opts, bits, (A, xs, out) => {
    const st = opts.stats;
    const fx = frac(tin);
    const fp = fx + frac(lam.type);
    const l = A.of(lam.raw);
    const castP = A.caster(fp, tres, st?.result);
    const castT = typedCaster(A, tt, tres, st?.result);
    for (let i = 0; i < n; i++) {
      const v = xs[i]!;
      if (v >= A.zero) {
        if (st && lam.overflow) st.internal[lam.overflow]++;
        const m = A.mul(l, v);
        if (st) notePreResult(st, m, fp);
        storeOut(out, i, castP(m));
        continue;
      }
      let idx = truncScaledIndex(A.sub(A.zero, v), fx, N, 8);
      if (idx < 0) {
        if (stream) badIndex(layer, i, idx); // the stream kernel has no lower clamp
        idx = 0;
      }
      if (idx > N - 1) idx = N - 1;
      const e = A.of(table[idx]!);
      if (st) notePreResult(st, e, frac(tt));
      storeOut(out, i, castT(e));
    }
  });
}

/** `(res)table[clamp(int(x·N/16) + N/2, 0, N−1)]` over a ±8-range table. */
function range8(cfg: ActivationExtConfig, dflt: string, x: RawInput, opts: KernelOptions, build: typeof eluTable): RawOutput {
  const { layer, n, tin, tres } = prep(cfg, dflt);
  const { table, tt, N } = lut(layer, cfg, build);
  const half = Math.floor((8 * N) / 16);
  return run(layer, n, tin, tres, x, opts, Math.max(tt.W + 1, tres.W, tin.W + 1), (A, xs, out) => {
    const st = opts.stats;
    const fx = frac(tin);
    const cast = typedCaster(A, tt, tres, st?.result);
    for (let i = 0; i < n; i++) {
      let idx = (truncScaledIndex(xs[i]!, fx, N, 16) + half) | 0;
      if (idx < 0) idx = 0;
      if (idx > N - 1) idx = N - 1;
      const e = A.of(table[idx]!);
      if (st) notePreResult(st, e, frac(tt));
      storeOut(out, i, cast(e));
    }
  });
}

/**
 * `nnet::softplus`: table lookup at `clamp(int(x·N/16) + N/2)`, then `(result_t)`.
 *
 * @example softplus({ n_in: 1, table_size: 1024, types: { input: t, result: t, table: t18_8 } }, [0]);
 */
export function softplus(cfg: ActivationExtConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  return range8(cfg, 'softplus', x, opts, softplusTable);
}

/**
 * `nnet::softsign`: table lookup at `clamp(int(x·N/16) + N/2)`, then `(result_t)`.
 *
 * @example softsign({ n_in: 1, table_size: 1024, types: { input: t, result: t, table: t18_8 } }, [0]); // [0]
 */
export function softsign(cfg: ActivationExtConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  return range8(cfg, 'softsign', x, opts, softsignTable);
}

// ---------------------------------------------------------------------------------------------
// Hard sigmoid / tanh
// ---------------------------------------------------------------------------------------------

/**
 * Raw slope and shift of a hard activation (`*_raw`, else the literals converted to their types).
 *
 * @example hardActivationParams({ slope: 0.2, shift: 0.5, types: { slope: parseFixedType('ap_ufixed<16,0>'), shift: parseFixedType('ap_ufixed<2,0>') } }); // { slope: 13107, shift: 2 }
 */
export function hardActivationParams(cfg: Pick<HardActivationConfig, 'name' | 'slope' | 'slope_raw' | 'shift' | 'shift_raw'> & { types: { slope?: FixedType; shift?: FixedType } }): {
  slope: number | bigint;
  shift: number | bigint;
} {
  const layer = cfg.name ?? 'hard_activation';
  const ts = typeField(layer, cfg.types as never, 'slope');
  const th = typeField(layer, cfg.types as never, 'shift');
  return { slope: paramRaw(layer, 'slope', cfg.slope_raw, cfg.slope, ts), shift: paramRaw(layer, 'shift', cfg.shift_raw, cfg.shift, th) };
}

function hard(cfg: HardActivationConfig, dflt: string, x: RawInput, opts: KernelOptions, tanhForm: boolean): RawOutput {
  const { layer, n, tin, tres } = prep(cfg, dflt);
  const p = hardActivationParams({ ...cfg, name: layer });
  const ts = cfg.types.slope;
  const th = cfg.types.shift;
  const fm = frac(ts) + frac(tin);
  const fh = frac(th);
  const F = Math.max(fm, fh, 0);
  const bits = Math.max(ts.W + tin.W + (F - fm), th.W + (F - fh)) + 4;
  return run(layer, n, tin, tres, x, opts, Math.max(bits, tres.W), (A, xs, out) => {
    const st = opts.stats;
    const slope = A.of(p.slope);
    const shift = A.shl(A.of(p.shift), F - fh);
    const one = A.shl(A.of(1), F);
    const cast = A.caster(F, tres, st?.result);
    for (let i = 0; i < n; i++) {
      let s = A.add(A.shl(A.mul(slope, xs[i]!), F - fm), shift);
      if (s > one) s = one;
      else if (s < A.zero) s = A.zero;
      const v = tanhForm ? A.sub(A.add(s, s), one) : s;
      if (st) notePreResult(st, v, F);
      storeOut(out, i, cast(v));
    }
  });
}

/**
 * `nnet::hard_sigmoid`: `(res) clamp(slope·x + shift, 0, 1)` (exact).
 *
 * @example hardSigmoid({ n_in: 1, slope: 0.2, shift: 0.5, types: { input: t, result: t, slope: u16_0, shift: u2_0 } }, [0]); // 0.5
 */
export function hardSigmoid(cfg: HardActivationConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  return hard(cfg, 'hard_sigmoid', x, opts, false);
}

/**
 * `nnet::hard_tanh`: `(res)(2·clamp(slope·x + shift, 0, 1) − 1)` (exact).
 *
 * @example hardTanh({ n_in: 1, slope: 0.5, shift: 0.5, types: { input: t, result: t, slope: u2_0, shift: u2_0 } }, [0]); // 0
 */
export function hardTanh(cfg: HardActivationConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  return hard(cfg, 'hard_tanh', x, opts, true);
}

// ---------------------------------------------------------------------------------------------
// ReLU variants
// ---------------------------------------------------------------------------------------------

/**
 * `nnet::prelu`: `x > 0 ? (res)x : (res)(alpha[i]·x)`, one alpha (raw, param_t) per element.
 *
 * @example prelu({ n_in: 2, types: { input: t, result: t, param: t } }, [-1024, 1024], [512, 512]); // [-512, 1024]
 */
export function prelu(cfg: ActivationExtConfig, x: RawInput, alpha: RawInput, opts: KernelOptions = {}): RawOutput {
  const { layer, n, tin, tres } = prep(cfg, 'prelu');
  const tp = typeField(layer, cfg.types as never, 'param');
  return run(layer, n, tin, tres, x, opts, Math.max(tin.W + tp.W + 1, tres.W), (A, xs, out) => {
    const st = opts.stats;
    const al = readRaw(A, layer, 'alpha', alpha, tp, n);
    const fx = frac(tin);
    const castX = typedCaster(A, tin, tres, st?.result);
    const castP = A.caster(fx + frac(tp), tres, st?.result);
    for (let i = 0; i < n; i++) {
      const v = xs[i]!;
      if (v > A.zero) {
        if (st) notePreResult(st, v, fx);
        storeOut(out, i, castX(v));
      } else {
        const m = A.mul(al[i]!, v);
        if (st) notePreResult(st, m, fx + frac(tp));
        storeOut(out, i, castP(m));
      }
    }
  });
}

/**
 * The raw theta of a ThresholdedReLU (`theta_raw`, else the literal converted to param_t).
 *
 * @example thresholdedReluTheta({ theta: 1.5, types: { param: parseFixedType('ap_fixed<8,2,AP_RND_CONV>') } }); // 96
 */
export function thresholdedReluTheta(cfg: Pick<ThresholdedReluConfig, 'name' | 'theta' | 'theta_raw'> & { types: { param?: FixedType } }): number | bigint {
  const layer = cfg.name ?? 'thresholded_relu';
  return paramRaw(layer, 'theta', cfg.theta_raw, cfg.theta, typeField(layer, cfg.types as never, 'param'));
}

/**
 * `nnet::thresholded_relu`: `x > theta ? (res)x : 0` (the headers' mixed-type comparison).
 *
 * @example thresholdedRelu({ n_in: 2, theta: 1, types: { input: t, result: t, param: t } }, [1024, 1025]); // [0, 1025]
 */
export function thresholdedRelu(cfg: ThresholdedReluConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const { layer, n, tin, tres } = prep(cfg, 'thresholded_relu');
  const tp = typeField(layer, cfg.types as never, 'param');
  const theta = thresholdedReluTheta({ ...cfg, name: layer });
  return run(layer, n, tin, tres, x, opts, Math.max(tin.W + 1, tres.W), (A, xs, out) => {
    const st = opts.stats;
    const cast = typedCaster(A, tin, tres, st?.result);
    for (let i = 0; i < n; i++) {
      const v = xs[i]!;
      if (gtFixed(v, tin, theta, tp)) {
        if (st) notePreResult(st, v, frac(tin));
        storeOut(out, i, cast(v));
      } else {
        if (st) notePreResult(st, 0, 0);
        storeOut(out, i, A.zero);
      }
    }
  });
}

/**
 * `nnet::relu_max<…, MAX_INT>`: `x < 0 ? 0 : x > M ? (res)M : (res)x` (M an int).
 *
 * @example reluMax({ n_in: 2, max_int: 6, types: { input: t, result: t } }, [-5, 7000]); // [0, 6144] for F = 10
 */
export function reluMax(cfg: ReluMaxConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const { layer, n, tin, tres } = prep(cfg, 'relu_max');
  const M = intField(layer, 'max_int', cfg.max_int, 0);
  if (M > 2 ** 31 - 1) throw new ConfigError(`${layer}.max_int`, `must fit a C++ int, got ${M}`);
  return run(layer, n, tin, tres, x, opts, Math.max(tin.W + 1, tres.W, 33), (A, xs, out) => {
    const st = opts.stats;
    const castX = typedCaster(A, tin, tres, st?.result);
    const castM = A.caster(0, tres, st?.result);
    for (let i = 0; i < n; i++) {
      const v = xs[i]!;
      if (cmpInt(v, tin, 0) < 0) {
        if (st) notePreResult(st, 0, 0);
        storeOut(out, i, A.zero);
      } else if (cmpInt(v, tin, M) > 0) {
        if (st) notePreResult(st, M, 0);
        storeOut(out, i, castM(A.of(M)));
      } else {
        if (st) notePreResult(st, v, frac(tin));
        storeOut(out, i, castX(v));
      }
    }
  });
}

/** `nnet::relu6` = relu_max with M = 6. @example relu6({ n_in: 1, types: { input: t, result: t } }, [-1]); // [0] */
export function relu6(cfg: ActivationExtConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  return reluMax({ name: 'relu6', ...cfg, max_int: 6 }, x, opts);
}

/** `nnet::relu1` = relu_max with M = 1. @example relu1({ n_in: 1, types: { input: t, result: t } }, [-1]); // [0] */
export function relu1(cfg: ActivationExtConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  return reluMax({ name: 'relu1', ...cfg, max_int: 1 }, x, opts);
}

// ---------------------------------------------------------------------------------------------
// Binary / ternary tanh
// ---------------------------------------------------------------------------------------------

/** True for `ap_uint<1>` (also `ap_ufixed<1,1>` with the default modes, which this type cannot tell apart). */
function looksLikeUint1(t: FixedType): boolean {
  return !t.signed && t.W === 1 && t.I === 1 && t.Q === 'AP_TRN' && t.O === 'AP_WRAP' && t.N === 0;
}

/**
 * `nnet::binary_tanh`: `c = x >= 0 ? 1 : −1` (ap_int<2>); an `ap_uint<1>` result gets `c > 0 ? 1 : 0`,
 * any other result type `(res)c`.
 *
 * @example binaryTanh({ n_in: 2, types: { input: t, result: parseFixedType('ap_uint<1>') } }, [-1, 0]); // [0, 1]
 */
export function binaryTanh(cfg: BinaryTanhConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const { layer, n, tin, tres } = prep(cfg, 'binary_tanh');
  if (cfg.xnor_result !== undefined && typeof cfg.xnor_result !== 'boolean') throw new ConfigError(`${layer}.xnor_result`, `must be a boolean, got ${JSON.stringify(cfg.xnor_result)}`);
  const xnor = cfg.xnor_result ?? looksLikeUint1(tres);
  if (xnor && !looksLikeUint1(tres)) throw new ConfigError(`${layer}.xnor_result`, 'the ap_uint<1> special case needs an unsigned 1-bit integer result type');
  return run(layer, n, tin, tres, x, opts, Math.max(tin.W + 1, tres.W, 3), (A, xs, out) => {
    const st = opts.stats;
    const cast = A.caster(0, tres, st?.result);
    for (let i = 0; i < n; i++) {
      const c = cmpInt(xs[i]!, tin, 0) >= 0 ? 1 : -1;
      if (st) notePreResult(st, c, 0);
      storeOut(out, i, xnor ? A.of(c > 0 ? 1 : 0) : cast(A.of(c)));
    }
  });
}

/**
 * `nnet::ternary_tanh`. io_parallel: `d = (input_t)(2·x)` (can wrap or saturate; counted in
 * `stats.internal`), `d > 1 → 1, d > −1 → 0, else −1`. io_stream: `x > 1 → 1, x <= −1 → −1,
 * else 0`. Then `(res)c`.
 *
 * @example ternaryTanh({ n_in: 3, types: { input: parseFixedType('ap_fixed<8,3>'), result: parseFixedType('ap_int<2>') } }, [-20, 0, 20]); // [-1, 0, 1]
 */
export function ternaryTanh(cfg: ActivationExtConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const { layer, n, tin, tres, stream } = prep(cfg, 'ternary_tanh');
  return run(layer, n, tin, tres, x, opts, Math.max(tin.W + 2, tres.W, 3), (A, xs, out) => {
    const st = opts.stats;
    const cast = A.caster(0, tres, st?.result);
    const twice = A.caster(frac(tin), tin, st?.internal);
    for (let i = 0; i < n; i++) {
      const v = xs[i]!;
      let c: number;
      if (stream) {
        c = cmpInt(v, tin, 1) > 0 ? 1 : cmpInt(v, tin, -1) <= 0 ? -1 : 0;
      } else {
        const d = twice(A.add(v, v));
        c = cmpInt(d, tin, 1) > 0 ? 1 : cmpInt(d, tin, -1) > 0 ? 0 : -1;
      }
      if (st) notePreResult(st, c, 0);
      storeOut(out, i, cast(A.of(c)));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// unary_lut
// ---------------------------------------------------------------------------------------------

/**
 * `nnet::unary_lut` (HGQ): `(res)table[raw & (2^W − 1)]` — the input's bit pattern read unsigned
 * indexes a table of `table_size` raws in `types.table` (hls4ml makes it 2^W long).
 *
 * @example unaryLut({ n_in: 1, table_size: 4, types: { input: parseFixedType('ap_int<2>'), result: t, table: t } }, [-1], [0, 1, 2, 3]); // [3]
 */
export function unaryLut(cfg: UnaryLutConfig, x: RawInput, table: RawInput, opts: KernelOptions = {}): RawOutput {
  const { layer, n, tin, tres } = prep(cfg, 'unary_lut');
  const tt = typeField(layer, cfg.types as never, 'table');
  const N = intField(layer, 'table_size', cfg.table_size);
  if (!table || typeof (table as { length?: unknown }).length !== 'number') throw new ShapeError(`${layer}.table`, 'missing table array');
  if (table.length !== N) throw new ShapeError(`${layer}.table`, `expected table_size = ${N} values, got ${table.length}`);
  return run(layer, n, tin, tres, x, opts, Math.max(tt.W + 1, tres.W, tin.W + 1), (A, xs, out) => {
    const st = opts.stats;
    const tab = readRaw(A, layer, 'table', table, tt, N);
    const cast = typedCaster(A, tt, tres, st?.result);
    for (let i = 0; i < n; i++) {
      const v = xs[i]!;
      const idx = typeof v === 'number' ? (v < 0 ? v + 2 ** tin.W : v) : Number(BigInt.asUintN(tin.W, v));
      if (idx >= N) throw new ValueError(`${layer}.input[${i}]`, `bit pattern ${idx} is past the end of the ${N}-entry table (hls4ml's table has 2^W = 2^${tin.W} entries)`);
      const e = tab[idx]!;
      if (st) notePreResult(st, e, frac(tt));
      storeOut(out, i, cast(e));
    }
  });
}

