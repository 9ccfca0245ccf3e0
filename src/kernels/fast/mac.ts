/**
 * The run-time half of the fast Dense / Conv kernels: load the input into the integer engine
 * (validating it like the reference), pick the exact run mode for this call, convert the
 * accumulators to result_t, and keep the overflow report identical to the reference kernel's.
 *
 * Mode per call (analysis.ts explains why each is exact):
 * 1. no report and an AP_WRAP accumulator → modular run, wrap once;
 * 2. the actual input range proves that no accum conversion can overflow → modular run, accum
 *    counts = those of the bias conversions only;
 * 3. the sequential kernel applies → in-order run with per-step conversions and counts;
 * 4. otherwise → the reference kernel.
 */
import { frac, sameType, type FixedType } from '../../fixed/types.js';
import { makeCaster } from '../../fixed/quantize.js';
import { allocOut, type KernelOptions, type KernelStats, type RawInput, type RawOutput } from '../common.js';
import { denseAccumulationOrder, type DenseTypes } from '../dense.js';
import { productsInRange, provablyNoOverflow, rawRange, type MacAnalysis } from './analysis.js';
import { MacEngine, type MacGeometry } from './simd.js';
import { OutputBuffer, type FastOptions } from './common.js';

/** A reference kernel the fast one falls back to (same `run` contract). */
export interface RefKernel {
  run(x: RawInput, opts?: KernelOptions): RawOutput;
}

/** Which mode the last call used (for tests and benchmarks). */
export type MacMode = 'modular' | 'proven' | 'sequential' | 'reference';

/**
 * True when the strategy's accumulation order visits i = 0 … n_in−1 for every output (always for
 * Latency; for Resource only for some reuse factors).
 *
 * @example isLatencyOrder({ n_in: 4, n_out: 2, strategy: 'resource', reuse_factor: 1 }); // true
 */
export function isLatencyOrder(cfg: Parameters<typeof denseAccumulationOrder>[0]): boolean {
  const s = cfg.strategy === undefined ? 'latency' : String(cfg.strategy).toLowerCase();
  if (s === 'latency') return true;
  const order = denseAccumulationOrder(cfg);
  const next = new Int32Array(cfg.n_out);
  for (let k = 0; k < order.length; k += 3) {
    const i = order[k]!;
    const o = order[k + 2]!;
    if (next[o] !== i) return false;
    next[o]!++;
  }
  return true;
}

/**
 * The input order every output visits, when the strategy's accumulation order is the same
 * permutation of i = 0 … n_in−1 for all outputs (Resource with RF dividing n_in, for instance);
 * null when the outputs differ.
 *
 * @example commonOrder({ n_in: 4, n_out: 2, strategy: 'resource', reuse_factor: 2 }); // Int32Array [0, 2, 1, 3]
 */
export function commonOrder(cfg: Parameters<typeof denseAccumulationOrder>[0]): Int32Array | null {
  const order = denseAccumulationOrder(cfg);
  const nIn = cfg.n_in;
  const seqs = Array.from({ length: cfg.n_out }, () => [] as number[]);
  for (let k = 0; k < order.length; k += 3) seqs[order[k + 2]!]!.push(order[k]!);
  const first = seqs[0]!;
  if (first.length !== nIn || new Set(first).size !== nIn) return null;
  for (const s of seqs) if (s.length !== nIn || s.some((v, i) => v !== first[i])) return null;
  return Int32Array.from(first);
}

/**
 * Fast integer kernel with exactly the reference's results and overflow counts.
 *
 * @example
 * const k = new FastMacKernel('dense1', analysis, geom, types, refKernel);
 * const y = k.run(x, { stats });
 */
export class FastMacKernel {
  readonly name: string;
  readonly engine: MacEngine;
  /** Mode of the most recent call. */
  lastMode: MacMode = 'modular';
  /** Calls per mode since construction (for tests and benchmarks). */
  readonly modeCounts: Record<MacMode, number> = { modular: 0, proven: 0, sequential: 0, reference: 0 };
  /** Sequential calls with product checks, and without (their products provably in range). */
  readonly productChecks = { checked: 0, skipped: 0 };
  private readonly a: MacAnalysis;
  private readonly types: DenseTypes;
  private readonly ref: RefKernel;
  private readonly nOutVals: number;
  private readonly xLo: number;
  private readonly xHi: number;
  private readonly fa: number;
  private readonly resCopy: boolean;
  /** Fast result conversion without counters (AP_TRN/AP_WRAP result or copies), else null. */
  private readonly resPlain: ((acc: number) => number) | null;

  private readonly reuse: boolean;
  /** Which counter a result overflow increments. */
  private readonly resultEvent: 'wrapped' | 'saturated';
  private readonly outBuf: OutputBuffer;

  /** Dense only: the kernel reads x[perm[r]] as its r-th input (a common accumulation order). */
  private readonly perm?: Int32Array;
  private readonly gathered?: Float64Array;

  constructor(name: string, a: MacAnalysis, g: MacGeometry, types: DenseTypes, ref: RefKernel, options: FastOptions & { perm?: Int32Array } = {}) {
    this.perm = options.perm;
    if (this.perm) this.gathered = new Float64Array(this.perm.length);
    this.name = name;
    this.a = a;
    this.types = types;
    this.ref = ref;
    this.fa = frac(types.accum);
    this.resCopy = sameType(types.accum, types.result);
    this.engine = new MacEngine(a, g, options.backend, { accum: types.accum, result: types.result });
    this.reuse = options.reuseOutput === true;
    this.resultEvent = types.result.O === 'AP_WRAP' || types.result.O === 'AP_WRAP_SM' ? 'wrapped' : 'saturated';
    this.nOutVals = g.nPix * a.nOut;
    this.outBuf = new OutputBuffer(name, this.nOutVals, types.result, this.reuse);
    [this.xLo, this.xHi] = rawRange(types.input);
    this.resPlain = this.resCopy ? null : plainCaster(this.fa, types.result);
  }

  /**
   * Run on one input (same contract as the reference kernel's `run`).
   *
   * @example const y = k.run(x); // Float64Array
   */
  run(x: RawInput, opts: KernelOptions = {}): RawOutput {
    if (opts.path === 'bigint' || !loadInput(this.gathered ?? this.engine.x, x, this.xLo, this.xHi)) return this.reference(x, opts);
    if (this.perm) this.gather(this.gathered!);
    return this.compute(x, opts);
  }

  /**
   * {@link run} without input validation: `x` must hold valid raws of the input type.
   *
   * @example const y = k.runTrusted(previousLayerOutput);
   */
  runTrusted(x: Float64Array, opts: KernelOptions = {}): RawOutput {
    if (opts.path === 'bigint' || x.length !== this.engine.x.length) return this.reference(x, opts);
    if (this.perm) this.gather(x);
    else if (this.engine.x instanceof Float64Array) this.engine.x.set(x);
    else if (this.engine.stage) {
      this.engine.stage.set(x);
      this.staged = this.engine.loadStaged();
    } else copyToInt32(this.engine.x, x);
    return this.compute(x, opts);
  }

  /** Input range from the WebAssembly load of this call (null: compute it in JS). */
  private staged: [number, number] | null = null;

  private gather(x: ArrayLike<number>): void {
    const p = this.perm!;
    const dst = this.engine.x;
    for (let r = 0; r < p.length; r++) dst[r] = x[p[r]!]!;
  }

  private reference(x: RawInput, opts: KernelOptions): RawOutput {
    this.lastMode = 'reference';
    this.modeCounts.reference++;
    return this.ref.run(x, opts);
  }

  private compute(x: RawInput, opts: KernelOptions): RawOutput {
    const st = opts.stats;
    const a = this.a;
    let mode: MacMode;
    let productsSafe = false;
    if (!st && a.modular) mode = 'modular';
    else {
      const [mn, mx] = this.staged ?? range(this.engine.x);
      if (provablyNoOverflow(a, mn, mx)) mode = 'proven';
      else if (this.engine.hasSequential) {
        mode = 'sequential';
        productsSafe = productsInRange(a, mn, mx);
      } else mode = 'reference';
    }
    this.staged = null;
    if (mode === 'reference') return this.reference(x, opts);
    this.lastMode = mode;
    this.modeCounts[mode]++;
    let events = 0;
    if (mode === 'sequential') {
      events = this.engine.runSequential(productsSafe);
      this.productChecks[productsSafe ? 'skipped' : 'checked']++;
    }
    else this.engine.runModular();
    // Finish pass in WebAssembly (wrap, convert, and — with a report — count and max |acc|).
    const fs = st ? this.engine.runFinishStats() : this.engine.runFinish() ? { events: 0, maxAbs: 0 } : null;
    if (fs) {
      if (st) {
        const nPix = this.engine.geom.nPix;
        if (a.accum.event === 'wrapped') st.accum.wrapped += events;
        else st.accum.saturated += events;
        st.accum.wrapped += nPix * a.biasWrapped;
        st.accum.saturated += nPix * a.biasSaturated;
        if (this.resultEvent === 'wrapped') st.result.wrapped += fs.events;
        else st.result.saturated += fs.events;
        st.resultCount += this.nOutVals;
        const m = fs.maxAbs * 2 ** -this.fa;
        if (m > st.maxAbsPreResult) st.maxAbsPreResult = m;
      }
      const res = this.engine.results!;
      if (opts.out) {
        const out = allocOut(this.name, this.nOutVals, this.types.result, opts.out) as Float64Array;
        out.set(res);
        return out;
      }
      return this.reuse ? res : res.slice();
    }
    const out = this.outBuf.get(opts);
    if (st) {
      const nPix = this.engine.geom.nPix;
      if (a.accum.event === 'wrapped') st.accum.wrapped += events;
      else st.accum.saturated += events;
      st.accum.wrapped += nPix * a.biasWrapped;
      st.accum.saturated += nPix * a.biasSaturated;
      this.finishStats(out, st);
    } else this.finish(out);
    return out;
  }

  /** Accumulators → result_t without counters. */
  private finish(out: Float64Array): void {
    const acc = this.engine.out;
    const { F, Fp } = this.engine;
    const nPix = this.engine.geom.nPix;
    const W = this.a.accum.W;
    const sh = 32 - W;
    const signed = this.a.accum.signed;
    // First the accumulators wrapped to W_accum bits (identity when nothing overflowed) …
    let k = 0;
    if (this.engine.lanes === 'f64') {
      const wrap = wrapper(this.a);
      for (let o = 0; o < nPix; o++) for (let f = 0; f < F; f++) out[k++] = wrap(acc[o * Fp + f]!);
    } else {
      for (let o = 0; o < nPix; o++) {
        const b = o * Fp;
        if (signed) for (let f = 0; f < F; f++) out[k++] = (acc[b + f]! << sh) >> sh;
        else for (let f = 0; f < F; f++) out[k++] = (acc[b + f]! << sh) >>> sh;
      }
    }
    // … then converted to result_t in place.
    if (this.resCopy) return;
    const cast = this.resPlain ?? makeCaster(this.fa, this.types.result);
    for (let i = 0; i < out.length; i++) out[i] = cast(out[i]!) + 0;
  }

  /** Accumulators → result_t counting like the reference (notePreResult + counted conversion). */
  private finishStats(out: Float64Array, st: KernelStats): void {
    const acc = this.engine.out;
    const { F, Fp } = this.engine;
    const nPix = this.engine.geom.nPix;
    const W = this.a.accum.W;
    const sh = 32 - W;
    const signed = this.a.accum.signed;
    const cast = this.resCopy ? (r: number) => r : makeCaster(this.fa, this.types.result, st.result);
    const f64 = this.engine.lanes === 'f64';
    const wrap = wrapper(this.a);
    let maxAbs = 0;
    let k = 0;
    for (let o = 0; o < nPix; o++) {
      const b = o * Fp;
      for (let f = 0; f < F; f++) {
        const v = acc[b + f]!;
        const s = f64 ? wrap(v) : signed ? (v << sh) >> sh : (v << sh) >>> sh;
        const m = s < 0 ? -s : s;
        if (m > maxAbs) maxAbs = m;
        out[k++] = cast(s) + 0;
      }
    }
    st.resultCount += nPix * F;
    const a = maxAbs * 2 ** -this.fa;
    if (a > st.maxAbsPreResult) st.maxAbsPreResult = a;
  }
}

/** `dst.set(src)` for a Float64Array source: a plain loop is ~3x faster than the typed-array conversion. */
function copyToInt32(dst: Int32Array, src: Float64Array): void {
  const n = dst.length;
  for (let i = 0; i < n; i++) dst[i] = src[i]!;
}

/** Wrap an exact integer to W_accum bits (two's complement; the identity in range). */
function wrapper(a: MacAnalysis): (v: number) => number {
  const min = a.accum.min;
  const mod = 2 ** a.accum.W;
  return (v) => v - Math.floor((v - min) / mod) * mod + 0;
}

/**
 * Copy a raw input into the engine's int32 buffer, checking what the reference's `readRaw` checks
 * (integers within the type's range). Returns false when the input is not plain valid numbers —
 * the caller then lets the reference kernel handle (or reject) it.
 */
function loadInput(dst: Int32Array | Float64Array, x: RawInput, lo: number, hi: number): boolean {
  const n = dst.length;
  if (x.length !== n) return false;
  let ok = true;
  if (x instanceof Float64Array) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (!(v >= lo && v <= hi) || Math.floor(v) !== v) ok = false; // also rejects NaN
      dst[i] = v;
    }
    return ok;
  }
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (typeof v !== 'number' || !(v >= lo && v <= hi) || Math.floor(v) !== v) return false;
    dst[i] = v;
  }
  return true;
}

function range(x: Int32Array | Float64Array): [number, number] {
  let mn = 0;
  let mx = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < mn) mn = v;
    else if (v > mx) mx = v;
  }
  return [mn, mx];
}

/**
 * Result conversions that need no counters and are simple integer operations on int32 values:
 * AP_TRN with AP_WRAP (N = 0). Others return null (the general caster is used).
 */
function plainCaster(fromFrac: number, to: FixedType): ((acc: number) => number) | null {
  if (to.Q !== 'AP_TRN' || to.O !== 'AP_WRAP' || to.N !== 0 || to.W > 31) return null;
  const s = fromFrac - frac(to);
  if (s < 0 || s > 31) return null;
  const k = 32 - to.W;
  return to.signed ? (v) => ((v >> s) << k) >> k : (v) => ((v >> s) << k) >>> k;
}
