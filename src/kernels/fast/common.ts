/**
 * Shared pieces of the fast kernels: the kernel contract (the reference kernels' `run`), the
 * cheap input validation that lets a fast kernel hand invalid inputs to the reference (so errors
 * are identical), and the prepared-or-reason result type.
 */
import type { KernelOptions, KernelStats, RawInput, RawOutput } from '../common.js';

/** What every fast (and reference) prepared kernel offers. */
export interface RunKernel {
  run(x: RawInput, opts?: KernelOptions): RawOutput;
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
