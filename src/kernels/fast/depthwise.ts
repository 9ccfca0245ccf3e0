/**
 * Fast DepthwiseConv1D / DepthwiseConv2D: drop-in replacements for the reference
 * `prepareDepthwiseConv1d` / `prepareDepthwiseConv2d` kernels (same config and weight layout;
 * identical raw outputs and overflow reports). The reference kernel's public plan supplies the
 * window sequence (every io_stream LineBuffer / Encoded quirk included) and the per-channel product
 * order of the strategy; only the arithmetic is new. Per channel c of an output pixel, with the
 * products converted to accum_t as `q = floor((x·w + half) / 2^s)` (s = F_x + F_w − F_accum):
 *
 * 1. **modular** (no overflow report, AP_WRAP accum): the exact sum `(accum)b + Σ q`, wrapped once —
 *    every conversion of the reference is a reduction modulo 2^W_accum, so the order is irrelevant;
 * 2. **proven** (the call's input range shows that no product and no partial sum can leave accum_t,
 *    in any order — `provablyNoOverflow`): the exact sum, no accum overflow but the bias ones;
 * 3. **sequential**: the reference's conversions replayed in the plan's order, step by step.
 *
 * Invalid inputs, the BigInt path and layers the analysis rejects go to the reference kernel.
 */
import { frac, sameType } from '../../fixed/types.js';
import { makeCaster } from '../../fixed/quantize.js';
import { notePreResult, type KernelOptions, type RawInput, type RawOutput } from '../common.js';
import { prepareDepthwiseConv1d, prepareDepthwiseConv2d, type DepthwiseConv1DConfig, type DepthwiseConv2DConfig, type DepthwiseKernel } from '../depthwise.js';
import { analyzeMac, provablyNoOverflow, rawRange, type MacAnalysis } from './analysis.js';
import { OutputBuffer, validRaw, type FastOptions, type FastPrepared, type RunKernel } from './common.js';

/** Which mode a call used (for tests and benchmarks). */
export type DepthwiseMode = 'modular' | 'proven' | 'sequential' | 'reference';

const EXACT = 2 ** 53;

/**
 * A depthwise convolution on plain numbers with the reference kernel's plan.
 *
 * @example const k = prepareFastDepthwiseConv2d(cfg, w, b).kernel; k?.run(x);
 */
export class FastDepthwiseKernel implements RunKernel {
  readonly name: string;
  /** Mode of the most recent call. */
  lastMode: DepthwiseMode = 'modular';
  /** Calls per mode since construction. */
  readonly modeCounts: Record<DepthwiseMode, number> = { modular: 0, proven: 0, sequential: 0, reference: 0 };
  private readonly ref: DepthwiseKernel;
  /** The exactness analysis; null: the sequential mode only. */
  private readonly a: MacAnalysis | null;
  /** Weights with weight_ternary mapped to −1 / 0 / +1. */
  private readonly w: Float64Array;
  private readonly nX: number;
  private readonly nOut: number;
  private readonly nPix: number;
  private readonly xLo: number;
  private readonly xHi: number;
  /** The exact sums stay below 2^53 for every input of the type (modular and proven modes usable). */
  private readonly exactSums: boolean;
  private readonly out: OutputBuffer;
  /** Per-channel sums of one output pixel. */
  private readonly acc: Float64Array;
  private readonly prodScale: number;
  private readonly invShift: number;

  /** @internal use {@link prepareFastDepthwiseConv2d} / {@link prepareFastDepthwiseConv1d}. */
  constructor(ref: DepthwiseKernel, a: MacAnalysis | null, options: FastOptions) {
    this.ref = ref;
    this.a = a;
    this.name = ref.name;
    const g = ref.plan.geometry;
    this.nX = g.H * g.W * g.C;
    this.nPix = g.outH * g.outW;
    this.nOut = this.nPix * g.C;
    [this.xLo, this.xHi] = rawRange(ref.types.input);
    const ternary = ref.product === 'weight_ternary';
    this.w = Float64Array.from(ref.weights as ArrayLike<number>, (v) => (ternary ? (v === 0 ? 0 : v === -1 ? -1 : 1) : v));
    const maxAbsX = Math.max(-this.xLo, this.xHi);
    let sumMax = Infinity;
    if (a) {
      sumMax = 0;
      for (let c = 0; c < a.nOut; c++) sumMax = Math.max(sumMax, Math.abs(a.biasAcc[c]!) + (a.posW[c]! + a.negW[c]!) * maxAbsX * 2 ** -a.shift + a.nnz[c]!);
    }
    this.exactSums = sumMax < EXACT;
    this.prodScale = a && a.shift < 0 ? 2 ** -a.shift : 1;
    this.invShift = a && a.shift > 0 ? 2 ** -a.shift : 1;
    this.out = new OutputBuffer(ref.name, this.nOut, ref.types.result, options.reuseOutput === true);
    this.acc = new Float64Array(g.C);
  }

  /**
   * Run on one input (same contract as the reference kernel's `run`).
   *
   * @example const y = k.run(x, { stats });
   */
  run(x: RawInput, opts: KernelOptions = {}): RawOutput {
    if (opts.path === 'bigint') return this.reference(x, opts);
    const xs = validRaw(x, this.nX, this.xLo, this.xHi);
    if (!xs) return this.reference(x, opts);
    return this.compute(xs, opts);
  }

  /**
   * {@link run} without input validation: `x` must hold valid raws of the input type.
   *
   * @example const y = k.runTrusted(previousLayerOutput);
   */
  runTrusted(x: Float64Array, opts: KernelOptions = {}): RawOutput {
    if (opts.path === 'bigint' || x.length !== this.nX) return this.reference(x, opts);
    return this.compute(x, opts);
  }

  private reference(x: RawInput, opts: KernelOptions): RawOutput {
    this.lastMode = 'reference';
    this.modeCounts.reference++;
    return this.ref.run(x, opts);
  }

  private compute(xs: ArrayLike<number>, opts: KernelOptions): RawOutput {
    const st = opts.stats;
    const a = this.a;
    let mode: DepthwiseMode = 'sequential';
    if (a && this.exactSums) {
      if (!st && a.accum.modular) mode = 'modular';
      else {
        let mn = 0;
        let mx = 0;
        for (let i = 0; i < this.nX; i++) {
          const v = xs[i]!;
          if (v < mn) mn = v;
          else if (v > mx) mx = v;
        }
        if (provablyNoOverflow(a, mn, mx)) mode = 'proven';
      }
    }
    this.lastMode = mode;
    this.modeCounts[mode]++;
    const out = this.out.get(opts);
    if (mode === 'sequential') this.sequential(xs, out, opts);
    else this.exact(a!, xs, out, opts, mode === 'modular');
    return out;
  }

  /** Exact integer sums per channel (modes 1 and 2), then accum wrap (mode 1) and the result conversion. */
  private exact(a: MacAnalysis, xs: ArrayLike<number>, out: Float64Array, opts: KernelOptions, wrap: boolean): void {
    const st = opts.stats;
    const { windows, kSize: K, nChan: C } = this.ref.plan;
    const taps = windows.taps;
    const w = a.w;
    const b = a.biasAcc;
    const shift = a.shift;
    const half = a.half;
    const ps = this.prodScale;
    const inv = this.invShift;
    const t = this.ref.types;
    const fa = frac(t.accum);
    const castR = sameType(t.accum, t.result) ? null : makeCaster(fa, t.result, st?.result);
    const min = a.accum.min;
    const mod = 2 ** a.accum.W;
    const acc = this.acc;
    for (let o = 0; o < this.nPix; o++) {
      const tb = o * K;
      const ob = o * C;
      acc.set(b);
      for (let k = 0; k < K; k++) {
        const tap = taps[tb + k]!;
        if (tap < 0) continue;
        const xb = tap * C;
        const wb = k * C;
        if (shift > 0) for (let c = 0; c < C; c++) acc[c]! += Math.floor((xs[xb + c]! * w[wb + c]! + half) * inv);
        else for (let c = 0; c < C; c++) acc[c]! += xs[xb + c]! * w[wb + c]! * ps;
      }
      for (let c = 0; c < C; c++) {
        let s = acc[c]!;
        if (wrap) s = s - Math.floor((s - min) / mod) * mod;
        if (st) notePreResult(st, s, fa);
        out[ob + c] = (castR ? castR(s) : s) + 0;
      }
    }
    if (st) {
      st.accum.wrapped += this.nPix * a.biasWrapped;
      st.accum.saturated += this.nPix * a.biasSaturated;
    }
  }

  /** The reference's conversions in the plan's order (any accum type, overflow counted). */
  private sequential(xs: ArrayLike<number>, out: Float64Array, opts: KernelOptions): void {
    const st = opts.stats;
    const { windows, kSize: K, nChan: C, accStart, accIdx } = this.ref.plan;
    const taps = windows.taps;
    const t = this.ref.types;
    const w = this.w;
    const fa = frac(t.accum);
    const ternary = this.ref.product === 'weight_ternary';
    const castP = makeCaster(ternary ? frac(t.input) : frac(t.input) + frac(t.weight), t.accum, st?.accum);
    const castB = sameType(t.bias, t.accum) ? null : makeCaster(frac(t.bias), t.accum, st?.accum);
    const castA = makeCaster(fa, t.accum, st?.accum);
    const castR = sameType(t.accum, t.result) ? null : makeCaster(fa, t.result, st?.result);
    const bias = this.ref.bias as ArrayLike<number>;
    for (let o = 0; o < this.nPix; o++) {
      const tb = o * K;
      for (let c = 0; c < C; c++) {
        let acc = castB ? castB(bias[c]!) : bias[c]!;
        for (let p = accStart[c]!; p < accStart[c + 1]!; p++) {
          const i = accIdx[p]!;
          const tap = taps[tb + Math.floor(i / C)]!;
          const d = tap < 0 ? 0 : xs[tap * C + (i % C)]!;
          acc = castA(acc + castP(d * w[i]!));
        }
        if (st) notePreResult(st, acc, fa);
        out[o * C + c] = (castR ? castR(acc) : acc) + 0;
      }
    }
  }
}

function prepareFrom(ref: DepthwiseKernel, options: FastOptions): FastPrepared<FastDepthwiseKernel> {
  if (ref.big) return { kernel: null, reason: 'BigInt path' };
  const { kSize: K, nChan: C } = ref.plan;
  const w = ref.weights as ArrayLike<number | bigint>;
  const b = ref.bias as ArrayLike<number | bigint>;
  for (let i = 0; i < w.length; i++) if (typeof w[i] !== 'number') return { kernel: null, reason: 'bigint weights' };
  for (let i = 0; i < b.length; i++) if (typeof b[i] !== 'number') return { kernel: null, reason: 'bigint bias' };
  // Per channel a MAC of K taps: the weight array k·C + c is the analysis' i·n_out + j layout. When
  // the analysis rejects the layer (a product rounding other than AP_TRN / AP_RND, …) only the
  // sequential mode runs, which replays the reference's conversions and is exact on its number path.
  const a = analyzeMac({ nIn: K, nOut: C, types: ref.types, weights: w as ArrayLike<number>, bias: b as ArrayLike<number>, product: ref.product, latencyOrder: true });
  let exact = a.ok;
  if (exact) {
    const [xlo, xhi] = rawRange(ref.types.input);
    const prodMax = Math.max(-xlo, xhi) * Math.max(-a.wMin, a.wMax) * 2 ** Math.max(-a.shift, 0) + a.half;
    if (!(prodMax < EXACT)) exact = false;
  }
  return { kernel: new FastDepthwiseKernel(ref, exact ? a : null, options) };
}

/**
 * Prepare a fast DepthwiseConv2D (config and weights as for `prepareDepthwiseConv2d`, which it
 * throws for invalid configs).
 *
 * @example const k = prepareFastDepthwiseConv2d(cfg, w, b).kernel ?? prepareDepthwiseConv2d(cfg, w, b);
 */
export function prepareFastDepthwiseConv2d(cfg: DepthwiseConv2DConfig, weights: RawInput, bias: RawInput, options: FastOptions = {}): FastPrepared<FastDepthwiseKernel> {
  return prepareFrom(prepareDepthwiseConv2d(cfg, weights, bias), options);
}

/**
 * Prepare a fast DepthwiseConv1D (see {@link prepareFastDepthwiseConv2d}).
 *
 * @example const k = prepareFastDepthwiseConv1d(cfg, w, b).kernel ?? prepareDepthwiseConv1d(cfg, w, b);
 */
export function prepareFastDepthwiseConv1d(cfg: DepthwiseConv1DConfig, weights: RawInput, bias: RawInput, options: FastOptions = {}): FastPrepared<FastDepthwiseKernel> {
  return prepareFrom(prepareDepthwiseConv1d(cfg, weights, bias), options);
}

/**
 * Prepare from an already prepared reference kernel (its plan, weights and types).
 *
 * @example const f = fastDepthwiseFrom(prepareDepthwiseConv2d(cfg, w, b));
 */
export function fastDepthwiseFrom(ref: DepthwiseKernel, options: FastOptions = {}): FastPrepared<FastDepthwiseKernel> {
  return prepareFrom(ref, options);
}
