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
