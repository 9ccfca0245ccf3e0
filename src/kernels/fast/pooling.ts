/**
 * Fast Max / Average pooling (1D / 2D, io_parallel and io_stream LineBuffer / Encoded): the
 * reference `PoolingKernel`'s window table and cast sequence, run as plain typed-array loops with
 * converters built once. The max of a window is order-independent; the Average sums keep the
 * reference's order (io_parallel: left to right, io_stream: hls4ml's balanced adder tree), so
 * values and overflow counts are identical.
 */
import { frac, sameType, type FixedType } from '../../fixed/types.js';
import { makeCaster } from '../../fixed/quantize.js';
import { reduceTree, type KernelOptions, type KernelStats, type RawInput, type RawOutput } from '../common.js';
import { preparePooling1d, preparePooling2d, type PoolingKernel, type Pooling1DConfig, type Pooling2DConfig } from '../pooling.js';
import { rawRange } from './analysis.js';
import { OutputBuffer, validRaw, wantsBig, type FastOptions, type FastPrepared, type RunKernel } from './common.js';
import { makeCaster as makeCounted, newCastStats } from '../../fixed/quantize.js';
import { MaxPoolEngine } from './simd-pool.js';
import { WideMaxPool } from './wide-elem.js';
import { loadWide, wideResult } from './common.js';
import { CastEvent, requantizeBigEvent } from '../../fixed/quantize-big.js';


type Cast = (raw: number) => number;

function typed(from: FixedType, to: FixedType, st?: KernelStats['accum']): Cast {
  return sameType(from, to) ? (r) => r : makeCaster(frac(from), to, st);
}

/**
 * Fast pooling with the same config as `preparePooling2d` / `preparePooling1d`.
 *
 * @example const k = prepareFastPooling(cfg, false).kernel ?? preparePooling2d(cfg);
 */
export function prepareFastPooling(cfg: Pooling2DConfig | Pooling1DConfig, oneD: boolean, options: FastOptions = {}): FastPrepared<RunKernel> {
  const ref: PoolingKernel = oneD ? preparePooling1d(cfg as Pooling1DConfig) : preparePooling2d(cfg as Pooling2DConfig);
  if (ref.isBig()) return prepareWideMaxPool(ref, cfg, oneD, options);
  const win = ref.windows;
  const C = ref.nFilt;
  const nPix = ref.outHeight * ref.outWidth;
  const nIn = (oneD ? (cfg as Pooling1DConfig).n_in : (cfg as Pooling2DConfig).in_height * (cfg as Pooling2DConfig).in_width) * C;
  const { kSize, taps, counts } = win;
  if (win.nOut < nPix || taps.length < nPix * kSize) return { kernel: null, reason: 'short window table' };
  if (!ref.stream && ref.op === 'Average') for (let o = 0; o < nPix; o++) if (counts[o] === 0) return { kernel: null, reason: 'empty window' };
  const t = cfg.types;
  const fx = frac(t.input);
  const fa = frac(t.accum);
  const Fs = Math.max(fa, fx);
  const shA = 2 ** (Fs - fa);
  const shX = 2 ** (Fs - fx);
  const padMax = t.input.signed ? -(2 ** (t.input.W - 1)) : 2 ** (t.input.W - 1);
  const [lo, hi] = rawRange(t.input);
  const faScale = 2 ** -fa;
  const stream = ref.stream;
  const isMax = ref.op === 'Max';
  const plainMax = isMax && sameType(t.input, t.accum) && sameType(t.accum, t.result);
  const scratch = new Float64Array(kSize);

  const runGeneric = (xs: ArrayLike<number>, out: Float64Array, st: KernelStats | undefined): void => {
    const toAcc = typed(t.input, t.accum, st?.accum);
    const sumAcc = makeCaster(Fs, t.accum, st?.accum);
    const accAcc = makeCaster(fa, t.accum, st?.accum);
    const toRes = typed(t.accum, t.result, st?.result);
    const add = (a: number, b: number) => accAcc(a + b);
    let m = 0;
    for (let o = 0; o < nPix; o++) {
      const base = o * kSize;
      for (let c = 0; c < C; c++) {
        let acc: number;
        if (!stream) {
          if (isMax) {
            let y = -Infinity;
            for (let k = 0; k < kSize; k++) {
              const tp = taps[base + k]!;
              const v = tp < 0 ? padMax : xs[tp * C + c]!;
              if (v > y) y = v;
            }
            acc = toAcc(y);
          } else {
            let y = 0;
            for (let k = 0; k < kSize; k++) {
              const tp = taps[base + k]!;
              if (tp < 0) continue;
              y = sumAcc(y * shA + xs[tp * C + c]! * shX);
            }
            acc = accAcc(Math.trunc(y / counts[o]!) + 0);
          }
        } else {
          for (let k = 0; k < kSize; k++) {
            const tp = taps[base + k]!;
            scratch[k] = tp < 0 ? 0 : toAcc(xs[tp * C + c]!);
          }
          if (isMax) {
            let y = scratch[0]!;
            for (let k = 1; k < kSize; k++) if (scratch[k]! > y) y = scratch[k]!;
            acc = y;
          } else acc = accAcc(Math.trunc(reduceTree(scratch, 0, kSize, add) / kSize) + 0);
        }
        const a = acc < 0 ? -acc : acc;
        if (a > m) m = a;
        out[o * C + c] = toRes(acc) + 0;
      }
    }
    if (st) {
      st.resultCount += nPix * C;
      if (m * faScale > st.maxAbsPreResult) st.maxAbsPreResult = m * faScale;
    }
  };

  const pad = stream ? 0 : padMax;
  // Without a report, Max pooling commutes with the input → accum → result conversions when they
  // are monotone on the input range (no wrap-around): max over the raw inputs, then convert once.
  const outBuf = new OutputBuffer(ref.name, nPix * C, t.result, options.reuseOutput === true);
  const monotone = isMax && monotoneChain(t.input, t.accum, t.result);
  const casts = {
    toAcc: sameType(t.input, t.accum) ? null : { fromFrac: fx, fromType: t.input, to: t.accum },
    toRes: sameType(t.accum, t.result) ? null : { fromFrac: fa, fromType: t.accum, to: t.result },
  };
  const simd = monotone ? MaxPoolEngine.create(taps, nPix, kSize, C, nIn, pad, casts) : null;
  const post = plainMax ? null : composeCasts(t.input, t.accum, t.result);
  /** Max pooling without a report; `out` null = return the engine's own buffer. */
  const runMax = (xs: ArrayLike<number>, out: Float64Array | null): Float64Array => {
    if (simd) {
      if (xs instanceof Float64Array) simd.x.set(xs);
      else for (let i = 0; i < nIn; i++) simd.x[i] = xs[i]!;
      simd.run();
      if (!out) return simd.out;
      out.set(simd.out);
      return out;
    }
    out ??= outBuf.get({});
    maxPool(xs as Float64Array, out, taps, nPix, kSize, C, pad);
    if (post) for (let i = 0; i < out.length; i++) out[i] = post(out[i]!);
    return out;
  };
  // With a report: if input → accum never overflows, the max of the raw inputs converted once per
  // output gives the same values and counts (result conversions counted per output, as the reference).
  const accSilent = monotone && silentCast(t.input, t.accum);
  const resEvent = t.result.O === 'AP_WRAP' || t.result.O === 'AP_WRAP_SM' ? 'wrapped' : 'saturated';
  const runMaxStats = (xs: Float64Array, opts: KernelOptions, st: KernelStats): Float64Array => {
    simd!.x.set(xs);
    const r = simd!.runStats();
    st.result[resEvent] += r.events;
    st.resultCount += nPix * C;
    if (r.maxAbs * faScale > st.maxAbsPreResult) st.maxAbsPreResult = r.maxAbs * faScale;
    if (options.reuseOutput && !opts.out) return simd!.out;
    const out = outBuf.get(opts);
    out.set(simd!.out);
    return out;
  };
  const core = (xs: ArrayLike<number>, opts: KernelOptions): RawOutput => {
    if (monotone && !opts.stats) return runMax(xs, simd && options.reuseOutput && !opts.out ? null : outBuf.get(opts));
    if (opts.stats && accSilent && simd && xs instanceof Float64Array) return runMaxStats(xs, opts, opts.stats);
    const out = outBuf.get(opts);
    runGeneric(xs, out, opts.stats);
    return out;
  };
  return {
    kernel: {
      run(x: RawInput, opts: KernelOptions = {}): RawOutput {
        const xs = wantsBig(opts) ? null : validRaw(x, nIn, lo, hi);
        return xs ? core(xs, opts) : ref.run(x, opts);
      },
      runTrusted(x: Float64Array, opts: KernelOptions = {}): RawOutput {
        return wantsBig(opts) || x.length !== nIn ? ref.run(x, opts) : core(x, opts);
      },
    },
  };
}

/**
 * True when the input → accum → result conversions are monotone on the input type's range: no
 * overflow, or only clamping ones (AP_SAT / AP_SAT_SYM). Then the max of converted values is the
 * converted max.
 */
function monotoneChain(tin: FixedType, tacc: FixedType, tres: FixedType): boolean {
  if (tin.W > 53) return false;
  const sa = newCastStats();
  const sr = newCastStats();
  const toAcc = sameType(tin, tacc) ? (r: number) => r : makeCounted(frac(tin), tacc, sa);
  const toRes = sameType(tacc, tres) ? (r: number) => r : makeCounted(frac(tacc), tres, sr);
  const [lo, hi] = rawRange(tin);
  for (const v of [lo, hi, 0]) toRes(toAcc(v));
  const clamps = (t: FixedType) => t.O === 'AP_SAT' || t.O === 'AP_SAT_SYM';
  const ok = (st: { wrapped: number; saturated: number }, t: FixedType) => st.wrapped === 0 && (st.saturated === 0 || clamps(t));
  return ok(sa, tacc) && ok(sr, tres);
}

/** True when input → accum never overflows on the input type's range (no event can be counted). */
function silentCast(tin: FixedType, tacc: FixedType): boolean {
  if (sameType(tin, tacc)) return true;
  const st = newCastStats();
  const c = makeCounted(frac(tin), tacc, st);
  const [lo, hi] = rawRange(tin);
  c(lo);
  c(hi);
  return st.wrapped + st.saturated === 0;
}

/** `toRes(toAcc(raw))` without counters, or null when both are copies. */
function composeCasts(tin: FixedType, tacc: FixedType, tres: FixedType): ((raw: number) => number) | null {
  const a = sameType(tin, tacc) ? null : makeCaster(frac(tin), tacc);
  const r = sameType(tacc, tres) ? null : makeCaster(frac(tacc), tres);
  if (!a && !r) return null;
  if (!r) return (x) => a!(x) + 0;
  if (!a) return (x) => r(x) + 0;
  return (x) => r(a(x)) + 0;
}

/**
 * Max over each window (no conversions: input, accum and result types are identical). Branch-free
 * `Math.max` (a data-dependent `if (v > y)` mispredicts about half the time on real activations).
 */
function maxPool(xs: Float64Array, out: Float64Array, taps: Int32Array, nPix: number, kSize: number, C: number, pad: number): void {
  for (let o = 0; o < nPix; o++) {
    const base = o * kSize;
    const ob = o * C;
    for (let c = 0; c < C; c++) out[ob + c] = -Infinity;
    for (let k = 0; k < kSize; k++) {
      const tp = taps[base + k]!;
      if (tp < 0) {
        for (let c = 0; c < C; c++) out[ob + c] = Math.max(out[ob + c]!, pad);
      } else {
        const xb = tp * C;
        for (let c = 0; c < C; c++) out[ob + c] = Math.max(out[ob + c]!, xs[xb + c]!);
      }
    }
    for (let c = 0; c < C; c++) out[ob + c]! += 0;
  }
}

/** Input → accum → result conversions of a max pool that cannot reorder values, checked with BigInt (wide types). */
function wideChain(tin: FixedType, tacc: FixedType, tres: FixedType): { monotone: boolean; accSilent: boolean } {
  const lo = tin.signed ? -(1n << BigInt(tin.W - 1)) : 0n;
  const hi = tin.signed ? (1n << BigInt(tin.W - 1)) - 1n : (1n << BigInt(tin.W)) - 1n;
  let accWrap = 0;
  let accSat = 0;
  let resWrap = 0;
  let resSat = 0;
  for (const v of [lo, hi, 0n]) {
    const [a, ea] = sameType(tin, tacc) ? [v, CastEvent.None] : requantizeBigEvent(v, frac(tin), tacc);
    if (ea === CastEvent.Wrapped) accWrap++;
    else if (ea === CastEvent.Saturated) accSat++;
    const [, er] = sameType(tacc, tres) ? [a, CastEvent.None] : requantizeBigEvent(a, frac(tacc), tres);
    if (er === CastEvent.Wrapped) resWrap++;
    else if (er === CastEvent.Saturated) resSat++;
  }
  const clamps = (t: FixedType) => t.O === 'AP_SAT' || t.O === 'AP_SAT_SYM';
  const monotone = accWrap === 0 && (accSat === 0 || clamps(tacc)) && resWrap === 0 && (resSat === 0 || clamps(tres));
  return { monotone, accSilent: accWrap + accSat === 0 };
}

/** Max pooling on raws wider than 53 bits (WideMaxPool), when its conversions commute with the max. */
function prepareWideMaxPool(ref: PoolingKernel, cfg: Pooling2DConfig | Pooling1DConfig, oneD: boolean, options: FastOptions): FastPrepared<RunKernel> {
  const win = ref.windows;
  if (ref.op !== 'Max' || !(win.taps instanceof Int32Array)) return { kernel: null, reason: 'BigInt path' };
  const t = cfg.types;
  const C = ref.nFilt;
  const nPix = ref.outHeight * ref.outWidth;
  const nIn = (oneD ? (cfg as Pooling1DConfig).n_in : (cfg as Pooling2DConfig).in_height * (cfg as Pooling2DConfig).in_width) * C;
  if (win.nOut < nPix || win.taps.length < nPix * win.kSize) return { kernel: null, reason: 'BigInt path (short window table)' };
  const { monotone, accSilent } = wideChain(t.input, t.accum, t.result);
  if (!monotone) return { kernel: null, reason: 'BigInt path (conversions reorder values)' };
  const pad = ref.stream ? 0n : t.input.signed ? -(1n << BigInt(t.input.W - 1)) : 1n << BigInt(t.input.W - 1);
  const e = WideMaxPool.create(win.taps, nPix, win.kSize, C, nIn, pad, t);
  if (!e) return { kernel: null, reason: 'BigInt path (wide conversions)' };
  const fa = frac(t.accum);
  const resEvent = t.result.O === 'AP_WRAP' || t.result.O === 'AP_WRAP_SM' ? 'wrapped' : 'saturated';
  const outBuf = new OutputBuffer(ref.name, nPix * C, t.result, options.reuseOutput === true);
  const core = (x: RawInput, opts: KernelOptions, check: boolean): RawOutput | null => {
    const st = opts.stats;
    if (st && !accSilent) return null;
    if (!loadWide(e, x, t.input, check)) return null;
    const r = e.run(x instanceof Float64Array && t.input.W <= 53, !!st);
    if (st) {
      st.result[resEvent] += r.events;
      st.resultCount += nPix * C;
      const m = Number(r.maxAbs) * 2 ** -fa;
      if (m > st.maxAbsPreResult) st.maxAbsPreResult = m;
    }
    return wideResult(e, outBuf, opts, options.reuseOutput === true, ref.name, t.result);
  };
  return {
    kernel: {
      run: (x: RawInput, opts: KernelOptions = {}) => (wantsBig(opts) ? null : core(x, opts, true)) ?? ref.run(x, opts),
      runTrusted: (x: Float64Array, opts: KernelOptions = {}) => (wantsBig(opts) ? null : core(x, opts, false)) ?? ref.run(x, opts),
    },
  };
}
