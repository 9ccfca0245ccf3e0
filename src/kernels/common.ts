/**
 * Shared plumbing of the layer kernels: raw-array types, per-layer overflow statistics, the
 * number / BigInt arithmetic back ends, input validation and output allocation.
 *
 * Every kernel works on raw mantissas (value = raw · 2^(I−W)). The number back end keeps every
 * intermediate below 2^53 so that float64 arithmetic is exact; a kernel switches to the BigInt back
 * end when a type involved is too wide for that (see each kernel's `numberPathOk`). Both back ends
 * implement the same cast sequence and must give identical raw outputs.
 */
import { ConfigError, ShapeError, UnsupportedError, ValueError } from '../errors.js';
import {
  CastEvent,
  frac,
  makeCaster,
  newCastStats,
  requantizeBigEvent,
  sameType,
  type CastStats,
  type FixedType,
} from '../fixed/index.js';

/** Raw mantissas given to a kernel: any array-like of integers (numbers or bigints). */
export type RawInput = ArrayLike<number> | ArrayLike<bigint>;

/**
 * Raw mantissas produced by a kernel: a `Float64Array` when the result type is at most 53 bits
 * wide (always the case for real hls4ml configurations), else an array of bigints.
 */
export type RawOutput = Float64Array | bigint[];

/** Which arithmetic back end a kernel uses. `'auto'` picks the number path whenever it is exact. */
export type ArithPath = 'auto' | 'number' | 'bigint';

/**
 * Overflow report of one kernel call (or of many calls accumulated into the same object).
 * `accum` counts the casts into `accum_t` (products, running sums, bias initialisation),
 * `result` the casts into `result_t`, `internal` every other typed cast (table-index types,
 * `inp_norm_t`, `inv_inp_t`, data → accum copies in streaming pooling, table contents …).
 */
export interface KernelStats {
  accum: CastStats;
  result: CastStats;
  internal: CastStats;
  /** Number of values cast to `result_t`. */
  resultCount: number;
  /** Largest |real value| that reached a cast to `result_t` (before that cast). */
  maxAbsPreResult: number;
  /**
   * Lookup-table use, by table name (e.g. `table`, `exp_table`): which entries the inputs reached
   * (1 = hit) and how many distinct index inputs were seen (capped); filled in report mode.
   */
  luts?: Record<string, LutUse>;
}

/** How a run used one lookup table. */
export interface LutUse {
  /** One byte per table entry: 1 when some input indexed it. */
  hits: Uint8Array;
  /** Distinct values the index was computed from (counted up to {@link LUT_DISTINCT_CAP}). */
  distinct: number;
  /** Up to LUT_DISTINCT_CAP distinct index inputs (real values), to count `distinct`. */
  seen: number[];
}

/** How many distinct index inputs a {@link LutUse} remembers. */
export const LUT_DISTINCT_CAP = 64;

/** Fresh zeroed {@link KernelStats}. @example const st = newKernelStats(); dense(cfg, x, w, b, { stats: st }); */
export function newKernelStats(): KernelStats {
  return { accum: newCastStats(), result: newCastStats(), internal: newCastStats(), resultCount: 0, maxAbsPreResult: 0 };
}

/**
 * Add the counters of `from` into `into` (e.g. to sum per-image reports into a per-layer one).
 *
 * @example mergeKernelStats(total, perImage);
 */
export function mergeKernelStats(into: KernelStats, from: KernelStats): KernelStats {
  for (const k of ['accum', 'result', 'internal'] as const) {
    into[k].wrapped += from[k].wrapped;
    into[k].saturated += from[k].saturated;
  }
  into.resultCount += from.resultCount;
  into.maxAbsPreResult = Math.max(into.maxAbsPreResult, from.maxAbsPreResult);
  for (const [name, u] of Object.entries(from.luts ?? {})) {
    into.luts ??= {};
    const t = (into.luts[name] ??= { hits: new Uint8Array(u.hits.length), distinct: 0, seen: [] });
    for (let i = 0; i < u.hits.length; i++) t.hits[i] = t.hits[i]! | u.hits[i]!;
    for (const v of u.seen) noteLutInput(t, v);
  }
  return into;
}

/** Record one index input of a table (for the distinct count). */
export function noteLutInput(u: LutUse, v: number): void {
  if (u.seen.length >= LUT_DISTINCT_CAP || u.seen.includes(v)) return;
  u.seen.push(v);
  u.distinct = u.seen.length;
}

/** Options every kernel accepts. */
export interface KernelOptions {
  /** Overflow counters to update (see {@link KernelStats}). */
  stats?: KernelStats;
  /** Force an arithmetic back end (default `'auto'`); `'number'` throws if it would not be exact. */
  path?: ArithPath;
  /** Output buffer to fill (must have the right length and be a Float64Array for ≤ 53-bit results). */
  out?: RawOutput;
}

/**
 * Largest integer width the number back end represents exactly.
 *
 * @example const numberPathOk = bits <= EXACT_BITS;
 */
export const EXACT_BITS = 53;

// ---------------------------------------------------------------------------------------------
// Arithmetic back ends
// ---------------------------------------------------------------------------------------------

/** A converter raw → raw between two fixed-point formats. */
export type Cast<T> = (raw: T) => T;

/** Exact integer arithmetic on raw mantissas, as plain numbers (< 2^53) or bigints. */
export interface Arith<T extends number | bigint> {
  readonly big: boolean;
  readonly zero: T;
  /** Convert an input element to T (it must be an integer). */
  of(v: number | bigint): T;
  mul(a: T, b: T): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  /** a · 2^k for k ≥ 0. */
  shl(a: T, k: number): T;
  /** a / n truncated toward zero (n a positive integer) — what `ap_fixed / int` does to the mantissa. */
  divTrunc(a: T, n: number): T;
  /** Conversion `fromFrac` fractional bits → `to` (rounding then overflow), counting events into `stats`. */
  caster(fromFrac: number, to: FixedType, stats?: CastStats): Cast<T>;
  toNumber(a: T): number;
}

/**
 * The number back end (all intermediates must stay below 2^53 in magnitude).
 *
 * @example NUM.caster(4, parseFixedType('ap_fixed<8,4>'))(33); // 33
 */
export const NUM: Arith<number> = {
  big: false,
  zero: 0,
  of(v) {
    return typeof v === 'bigint' ? Number(v) : v;
  },
  mul: (a, b) => a * b,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  shl: (a, k) => a * 2 ** k,
  divTrunc: (a, n) => Math.trunc(a / n) + 0, // + 0 turns −0 into 0
  caster: (fromFrac, to, stats) => makeCaster(fromFrac, to, stats),
  toNumber: (a) => a,
};

function recordEvent(stats: CastStats | undefined, ev: CastEvent): void {
  if (!stats || ev === CastEvent.None) return;
  if (ev === CastEvent.Wrapped) stats.wrapped++;
  else stats.saturated++;
}

/**
 * The BigInt back end (any width).
 *
 * @example BIG.mul(3n, 4n); // 12n
 */
export const BIG: Arith<bigint> = {
  big: true,
  zero: 0n,
  of(v) {
    return typeof v === 'bigint' ? v : BigInt(v);
  },
  mul: (a, b) => a * b,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  shl: (a, k) => a << BigInt(k),
  divTrunc: (a, n) => a / BigInt(n),
  caster: (fromFrac, to, stats) => (raw) => {
    const [r, ev] = requantizeBigEvent(raw, fromFrac, to);
    recordEvent(stats, ev);
    return r;
  },
  toNumber: (a) => Number(a),
};

/**
 * The conversion of a value *of type `from`* (a variable, not an expression) into `to`. When the
 * two types are identical C++ uses the plain copy constructor, so the raw is kept as is — which
 * differs from a real conversion only for AP_SAT_SYM, where a conversion maps the most negative
 * mantissa to −max but a copy keeps it.
  *
  * @example typedCaster(NUM, t, t)(-128); // −128 kept even for AP_SAT_SYM (a copy)
 */
export function typedCaster<T extends number | bigint>(A: Arith<T>, from: FixedType, to: FixedType, stats?: CastStats): Cast<T> {
  if (sameType(from, to)) return (r) => r;
  return A.caster(frac(from), to, stats);
}

/**
 * Choose the back end: BigInt when forced or when `bits` (the widest intermediate, in bits,
 * including the sign) exceeds 53.
  *
  * @example const big = choosePath('dense1', 60, 'auto'); // true
 */
export function choosePath(layer: string, bits: number, path: ArithPath | undefined): boolean {
  const p = path ?? 'auto';
  if (p !== 'auto' && p !== 'number' && p !== 'bigint') {
    throw new ConfigError(`${layer}.path`, `unknown arithmetic path '${String(p)}' (auto, number, bigint)`);
  }
  if (p === 'bigint') return true;
  if (bits <= EXACT_BITS) return false;
  if (p === 'number') {
    throw new UnsupportedError(`${layer}.path`, `the number path is not exact here (intermediates need ${bits} bits > ${EXACT_BITS}); use path 'auto' or 'bigint'`);
  }
  return true;
}

/**
 * Bits of a raw mantissa magnitude of type t, with sign (an upper bound usable for exactness checks).
 *
 * @example rawBits(parseFixedType('ap_ufixed<8,4>')); // 9
 */
export function rawBits(t: FixedType): number {
  return t.signed ? t.W : t.W + 1;
}

// ---------------------------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------------------------

/**
 * A kernel config's `io_type` (absent: io_parallel).
 *
 * @example ioTypeField('conv1', cfg.io_type); // 'io_stream', or throws ConfigError('conv1.io_type')
 */
export function ioTypeField(layer: string, v: unknown): 'io_parallel' | 'io_stream' {
  if (v === undefined || v === 'io_parallel') return 'io_parallel';
  if (v === 'io_stream') return 'io_stream';
  throw new ConfigError(`${layer}.io_type`, `must be 'io_parallel' or 'io_stream', got ${JSON.stringify(v)}`);
}

/**
 * Require a positive (or ≥ min) integer config field.
 *
 * @example intField('conv1', 'n_filt', cfg.n_filt); // throws ConfigError('conv1.n_filt') when bad
 */
export function intField(layer: string, field: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ConfigError(`${layer}.${field}`, `must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Require an optional integer field (default when undefined).
 *
 * @example optIntField('conv1', 'stride_width', cfg.stride_width, 1, 1);
 */
export function optIntField(layer: string, field: string, v: unknown, dflt: number, min = 0): number {
  return v === undefined ? dflt : intField(layer, field, v, min);
}

/**
 * Require a FixedType-like object in `types[key]`.
 *
 * @example typeField('dense1', cfg.types, 'accum');
 */
export function typeField(layer: string, types: Record<string, FixedType | undefined> | undefined, key: string): FixedType {
  const t = types?.[key];
  if (!t || typeof t !== 'object' || typeof t.W !== 'number' || typeof t.I !== 'number') {
    throw new ConfigError(`${layer}.types.${key}`, `missing or invalid fixed-point type (expected a FixedType, got ${JSON.stringify(t)})`);
  }
  return t;
}

/**
 * The `input` and `result` types of a kernel config that has only these two.
 *
 * @example inputResultTypes('crop1', cfg.types); // { input, result }, or throws ConfigError('crop1.types.result')
 */
export function inputResultTypes(layer: string, types: unknown): { input: FixedType; result: FixedType } {
  const tt = types as Record<string, FixedType>;
  return { input: typeField(layer, tt, 'input'), result: typeField(layer, tt, 'result') };
}

/**
 * Whether a kernel config's `data_format` is 'channels_first' (absent: channels_last). hls4ml has
 * channels-first kernels for arrays only: with io_stream it is an UnsupportedError naming `what`.
 *
 * @example channelsFirstField('pad1', cfg, 'zero padding'); // false, or throws ConfigError('pad1.data_format')
 */
export function channelsFirstField(layer: string, cfg: { data_format?: string; io_type?: string }, what: string): boolean {
  const f = cfg.data_format ?? 'channels_last';
  if (f !== 'channels_last' && f !== 'channels_first') throw new ConfigError(`${layer}.data_format`, `must be 'channels_last' or 'channels_first', got ${JSON.stringify(cfg.data_format)}`);
  const cf = f === 'channels_first';
  if (cf && cfg.io_type === 'io_stream') throw new UnsupportedError(`${layer}.data_format`, `hls4ml has no channels-first io_stream ${what}`);
  return cf;
}

/**
 * Require `arr.length === n`.
 *
 * @example checkLength('dense1', 'bias', bias, 8); // ShapeError('dense1.bias') if not 8 long
 */
export function checkLength(layer: string, field: string, arr: { length: number } | undefined | null, n: number): void {
  if (!arr || typeof arr.length !== 'number') throw new ShapeError(`${layer}.${field}`, `expected an array of ${n} values, got ${arr === null ? 'null' : typeof arr}`);
  if (arr.length !== n) throw new ShapeError(`${layer}.${field}`, `expected ${n} values, got ${arr.length}`);
}

function rangeOf(t: FixedType): [number, number] {
  return t.signed ? [-(2 ** (t.W - 1)), 2 ** (t.W - 1) - 1] : [0, 2 ** t.W - 1];
}

/**
 * Read raw mantissas of type `t` into T values, checking they are integers within the type's range.
 * Throws ValueError naming `layer.field[index]`.
  *
  * @example const xs = readRaw(NUM, 'dense1', 'input', x, types.input, 16);
 */
export function readRaw<T extends number | bigint>(A: Arith<T>, layer: string, field: string, src: RawInput, t: FixedType, n: number): ArrayLike<T> {
  checkLength(layer, field, src, n);
  if (!A.big) {
    const out = new Float64Array(n);
    const [lo, hi] = t.W <= EXACT_BITS ? rangeOf(t) : [-Infinity, Infinity];
    for (let k = 0; k < n; k++) {
      const e = src[k]!;
      const v = typeof e === 'bigint' ? Number(e) : e;
      if (!(v >= lo && v <= hi) || !Number.isInteger(v)) badRaw(layer, field, k, e, t);
      if (typeof e === 'bigint' && BigInt(v) !== e) badRaw(layer, field, k, e, t);
      out[k] = v;
    }
    return out as unknown as ArrayLike<T>;
  }
  const lo = t.signed ? -(1n << BigInt(t.W - 1)) : 0n;
  const hi = t.signed ? (1n << BigInt(t.W - 1)) - 1n : (1n << BigInt(t.W)) - 1n;
  const out: bigint[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const e = src[k]!;
    if (typeof e === 'number' && !Number.isInteger(e)) badRaw(layer, field, k, e, t);
    const v = typeof e === 'bigint' ? e : BigInt(e);
    if (v < lo || v > hi) badRaw(layer, field, k, e, t);
    out[k] = v;
  }
  return out as unknown as ArrayLike<T>;
}

function badRaw(layer: string, field: string, k: number, e: unknown, t: FixedType): never {
  const [lo, hi] = t.signed ? [`-2^${t.W - 1}`, `2^${t.W - 1}-1`] : ['0', `2^${t.W}-1`];
  throw new ValueError(`${layer}.${field}[${k}]`, `raw mantissa ${String(e)} is not an integer in [${lo}, ${hi}] (W=${t.W}, ${t.signed ? 'signed' : 'unsigned'})`);
}

/**
 * Allocate (or validate the caller's) output buffer: Float64Array for results of at most 53 bits,
 * else bigint[].
  *
  * @example const out = allocOut('dense1', 8, types.result);
 */
export function allocOut(layer: string, n: number, res: FixedType, out?: RawOutput): RawOutput {
  const wantNumber = res.W <= EXACT_BITS;
  if (out) {
    checkLength(layer, 'out', out, n);
    if (wantNumber !== out instanceof Float64Array) {
      throw new ConfigError(`${layer}.out`, wantNumber ? 'must be a Float64Array (result type ≤ 53 bits)' : 'must be a bigint[] (result type > 53 bits)');
    }
    return out;
  }
  return wantNumber ? new Float64Array(n) : (new Array<bigint>(n).fill(0n) as bigint[]);
}

/**
 * Store a T value into an output buffer created by {@link allocOut}.
 *
 * @example storeOut(out, 0, 5);
 */
export function storeOut<T extends number | bigint>(out: RawOutput, k: number, v: T): void {
  if (out instanceof Float64Array) out[k] = Number(v) + 0; // never store −0
  else out[k] = typeof v === 'bigint' ? v : BigInt(v);
}

/**
 * Record a value presented to the result cast (raw with `frac` fractional bits) into stats.
 *
 * @example notePreResult(stats, acc, 10);
 */
export function notePreResult(stats: KernelStats | undefined, raw: number | bigint, frac: number): void {
  if (!stats) return;
  stats.resultCount++;
  const a = Math.abs(Number(raw)) * 2 ** -frac;
  if (a > stats.maxAbsPreResult) stats.maxAbsPreResult = a;
}

/**
 * ceil(log2(x)) as hls4ml's `nnet::ceillog2` (note: 1 for x ≤ 2).
 *
 * @example ceillog2(1024); // 10
 */
export function ceillog2(x: number): number {
  let r = 1;
  while (x > 2) {
    x = Math.floor((x + 1) / 2);
    r++;
  }
  return r;
}

/**
 * floor(log2(x)) as hls4ml's `nnet::floorlog2` (0 for x < 2).
 *
 * @example floorlog2(9); // 3
 */
export function floorlog2(x: number): number {
  let r = 0;
  while (x >= 2) {
    x = Math.floor(x / 2);
    r++;
  }
  return r;
}

/**
 * hls4ml's balanced adder/max tree `nnet::reduce<T, N, Op>`: the left half has the largest power
 * of two strictly below N elements. `op` must return a value already cast to T.
  *
  * @example reduceTree([1, 2, 3], 0, 3, (a, b) => a + b); // (1 + 2) + 3
 */
export function reduceTree<T>(x: ArrayLike<T>, start: number, n: number, op: (a: T, b: T) => T): T {
  if (n === 1) return x[start]!;
  if (n === 2) return op(x[start]!, x[start + 1]!);
  const l = 2 ** floorlog2(n - 1);
  const left = l > 0 ? l : 0;
  const right = n - left > 0 ? n - left : 0;
  return op(reduceTree(x, start, left, op), reduceTree(x, start + left, right, op));
}

/**
 * Layer name for error paths.
 *
 * @example layerName({ name: 'conv1' }, 'conv2d'); // 'conv1'
 */
export function layerName(cfg: { name?: string }, dflt: string): string {
  return cfg.name && typeof cfg.name === 'string' ? cfg.name : dflt;
}
