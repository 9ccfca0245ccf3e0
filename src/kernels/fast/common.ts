/**
 * Shared pieces of the fast kernels: the kernel contract (the reference kernels' `run`), the
 * cheap input validation that lets a fast kernel hand invalid inputs to the reference (so errors
 * are identical), and the prepared-or-reason result type.
 */
import { allocOut, type KernelOptions, type KernelStats, type RawInput, type RawOutput } from '../common.js';
import type { FixedType } from '../../fixed/types.js';

/** Options of the `prepareFast*` functions. */
export interface FastOptions {
  /** MAC engine of Dense / Conv: 'wasm' (default when WebAssembly SIMD is available) or 'js'. */
  backend?: 'wasm' | 'js';
  /**
   * Return a buffer owned by the kernel (overwritten by its next call) instead of a fresh array
   * when the caller passes no `opts.out`. Saves an allocation per call; `compileGraph` uses it.
   */
  reuseOutput?: boolean;
}

/** What every fast (and reference) prepared kernel offers. */
export interface RunKernel {
  run(x: RawInput, opts?: KernelOptions): RawOutput;
  /**
   * Same as `run` without the input validation: `x` must be a Float64Array of valid raws of the
   * kernel's input type (e.g. the output of a kernel whose result type is that type).
   */
  runTrusted?(x: Float64Array, opts?: KernelOptions): RawOutput;
}

/** A prepared fast kernel, or why there is none (the caller then uses the reference kernel). */
export type FastPrepared<K> = { kernel: K; reason?: undefined } | { kernel: null; reason: string };

/**
 * `x` as plain numbers when it holds exactly `n` integers within `[lo, hi]` (what the reference's
 * `readRaw` accepts on its number path), else null.
 *
 * @example const xs = validRaw(x, 16, -32768, 32767); if (!xs) return ref.run(x, opts);
 */
export function validRaw(x: RawInput, n: number, lo: number, hi: number): ArrayLike<number> | null {
  if (!x || x.length !== n) return null;
  if (x instanceof Float64Array) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (!(v >= lo && v <= hi) || Math.floor(v) !== v) return null;
    }
    return x;
  }
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (typeof v !== 'number' || !(v >= lo && v <= hi) || Math.floor(v) !== v) return null;
  }
  return x as ArrayLike<number>;
}

/**
 * Record a batch of pre-result values into stats the way `notePreResult` does one by one.
 *
 * @example noteMany(stats, 100, 3.5);
 */
export function noteMany(st: KernelStats, count: number, maxAbsValue: number): void {
  st.resultCount += count;
  if (maxAbsValue > st.maxAbsPreResult) st.maxAbsPreResult = maxAbsValue;
}

/**
 * The number path of the reference is usable only for `opts.path` 'auto' / 'number'.
 *
 * @example if (wantsBig(opts)) return ref.run(x, opts);
 */
export function wantsBig(opts: KernelOptions | undefined): boolean {
  return opts?.path === 'bigint';
}

/**
 * Where a kernel writes its output: the caller's `opts.out` (validated like the reference), the
 * kernel's own reused buffer (`reuseOutput`), or a fresh array.
 *
 * @example const out = new OutputBuffer('relu1', 64, types.result, true).get(opts);
 */
export class OutputBuffer {
  private buf?: Float64Array;
  constructor(
    private readonly name: string,
    private readonly n: number,
    private readonly type: FixedType,
    private readonly reuse: boolean,
  ) {}

  get(opts: KernelOptions): Float64Array {
    if (opts.out || !this.reuse) return allocOut(this.name, this.n, this.type, opts.out) as Float64Array;
    return (this.buf ??= new Float64Array(this.n));
  }
}

/** The input / output side of the wide engines (wide-elem.ts). */
interface WideIO {
  stage: Float64Array;
  x64: BigInt64Array;
  outF64?: Float64Array;
  outI64?: BigInt64Array;
  /** Min and max of x64. */
  range(): [bigint, bigint];
}

/**
 * Put `x` into a wide engine: doubles (types of ≤ 53 bits) into its staging area, anything else
 * (bigints, a BigInt64Array, numbers) into its 64-bit array. With `check`, the values are
 * validated as the reference's readRaw does; false = let the reference kernel handle the input.
 *
 * @example if (!loadWide(engine, x, types.input, true)) return ref.run(x, opts);
 */
export function loadWide(e: WideIO, x: RawInput, t: FixedType, check: boolean): boolean {
  const n = e.x64.length;
  if (!x || x.length !== n) return false;
  if (x instanceof Float64Array && t.W <= 53) {
    if (check && !validRaw(x, n, t.signed ? -(2 ** (t.W - 1)) : 0, t.signed ? 2 ** (t.W - 1) - 1 : 2 ** t.W - 1)) return false;
    e.stage.set(x);
    return true;
  }
  const lo = t.signed ? -(1n << BigInt(t.W - 1)) : 0n;
  const hi = t.signed ? (1n << BigInt(t.W - 1)) - 1n : (1n << BigInt(t.W)) - 1n;
  if (x instanceof BigInt64Array) {
    // (a wide kernel's output) copied as is; its range checked in WebAssembly
    e.x64.set(x);
    if (!check || (t.signed && t.W === 64)) return true;
    const [mn, mx] = e.range();
    return mn >= lo && mx <= hi;
  }
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    let b: bigint;
    if (typeof v === 'bigint') b = v;
    else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
    else return false;
    if (check && (b < lo || b > hi)) return false;
    e.x64[i] = b;
  }
  return true;
}

/**
 * A wide engine's output as the kernel result: its own buffer (`reuse`), a copy in the caller's
 * `opts.out`, or a fresh copy (a BigInt64Array — an ArrayLike<bigint> — above 53 bits).
 */
export function wideResult(e: WideIO, outBuf: OutputBuffer, opts: KernelOptions, reuse: boolean, name: string, type: FixedType): RawOutput {
  if (e.outF64) {
    if (reuse && !opts.out) return e.outF64;
    const out = outBuf.get(opts);
    out.set(e.outF64);
    return out;
  }
  const r = e.outI64!;
  if (opts.out) {
    const out = allocOut(name, r.length, type, opts.out) as bigint[];
    for (let i = 0; i < r.length; i++) out[i] = r[i]!;
    return out;
  }
  return (reuse ? r : r.slice()) as unknown as RawOutput;
}
