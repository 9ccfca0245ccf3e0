/**
 * Compile-time (and cheap run-time) exactness analysis of a multiply-accumulate layer (Dense, or
 * the per-pixel core of a convolution), deciding which fast integer computation reproduces the
 * reference kernel (`src/kernels/dense.ts`) bit for bit.
 *
 * The reference computes, per output j and in the strategy's order,
 * `acc = (accum)bias[j]; acc = (accum)(acc + (accum)(x[i]·w[i][j]))`; `res = (result)acc`.
 * With s = F_x + F_w − F_accum:
 *
 * * the product conversion is `floor(p / 2^s)` (AP_TRN) or `floor((p + 2^(s−1)) / 2^s)` (AP_RND)
 *   for s > 0 and exact for s ≤ 0 — both computable in int32 when the raws fit;
 * * with an AP_WRAP (N = 0) accumulator every conversion is a reduction modulo 2^W_accum, so
 *   wrapping once at the end of the sum gives the same value in any order (**modular** kernel);
 * * when no partial sum and no product can leave accum_t's range — decided per call from the
 *   actual input range `[xmin, xmax]` and the layer's weights ({@link provablyNoOverflow}) — no
 *   conversion in the sum changes anything, so the modular kernel is exact for every overflow
 *   mode and the accum overflow counts are provably zero;
 * * otherwise (counts requested, or a saturating accumulator that may overflow) the **sequential**
 *   kernel replays the conversions in the latency order (i = 0 … n_in−1 for each output), which
 *   needs exact products and a supported overflow mode.
 *
 * Two number representations: **int32** lanes (i32x4; everything up to ~16-bit types) when every
 * value the kernel needs fits (the modular one needs W_accum + s ≤ 32), else **f64** lanes (f64x2)
 * when products and sums stay below 2^53 (types up to ~26 bits, wide "auto" accumulators).
 */
import { frac, sameType, type FixedType } from '../../fixed/types.js';
import { makeCaster, newCastStats } from '../../fixed/quantize.js';
import type { DenseTypes } from '../dense.js';

/** How a conversion into accum_t treats an out-of-range value (the sequential kernel's cases). */
export type OverflowKind = 'wrap' | 'sat' | 'satzero' | 'satsym';

/** The integer model of an accumulator type. */
export interface AccumModel {
  W: number;
  signed: boolean;
  /** Type range (raw). */
  min: number;
  max: number;
  /** Smallest value a conversion leaves unchanged (min, or min+1 for a signed AP_SAT_SYM). */
  lo: number;
  /** Overflow behaviour supported by the sequential kernel, or null. */
  kind: OverflowKind | null;
  /** AP_WRAP with N = 0: conversions are reductions modulo 2^W. */
  modular: boolean;
  /** Which counter an overflow increments. */
  event: 'wrapped' | 'saturated';
}

/**
 * Integer model of an accumulator type.
 *
 * @example accumModel(parseFixedType('ap_fixed<16,6>')).modular; // true
 */
export function accumModel(t: FixedType): AccumModel {
  const min = t.signed ? -(2 ** (t.W - 1)) : 0;
  const max = t.signed ? 2 ** (t.W - 1) - 1 : 2 ** t.W - 1;
  const symFix = t.O === 'AP_SAT_SYM' && t.signed && t.W > 1;
  let kind: OverflowKind | null = null;
  if (t.O === 'AP_WRAP' && t.N === 0) kind = 'wrap';
  else if (t.O === 'AP_SAT') kind = 'sat';
  else if (t.O === 'AP_SAT_ZERO') kind = 'satzero';
  else if (t.O === 'AP_SAT_SYM') kind = t.signed ? (t.W > 1 ? 'satsym' : null) : 'sat';
  return {
    W: t.W,
    signed: t.signed,
    min,
    max,
    lo: symFix ? min + 1 : min,
    kind,
    modular: t.O === 'AP_WRAP' && t.N === 0,
    event: t.O === 'AP_WRAP' || t.O === 'AP_WRAP_SM' ? 'wrapped' : 'saturated',
  };
}

/**
 * Raw range `[min, max]` of a type (numbers; exact for W ≤ 53).
 *
 * @example rawRange(parseFixedType('ap_ufixed<8,3>')); // [0, 255]
 */
export function rawRange(t: FixedType): [number, number] {
  return t.signed ? [-(2 ** (t.W - 1)), 2 ** (t.W - 1) - 1] : [0, 2 ** t.W - 1];
}

/** Result of {@link analyzeMac}. */
export interface MacAnalysis {
  /** False when no fast kernel applies (see `reason`); the reference kernel must be used. */
  ok: boolean;
  reason?: string;
  nIn: number;
  nOut: number;
  /** s = F_x + F_w − F_accum (product → accum conversion shift). */
  shift: number;
  /** Rounding addend before the shift (2^(s−1) for AP_RND, else 0). */
  half: number;
  accum: AccumModel;
  /** Lane representation of the engine: int32 (i32x4) or float64 (f64x2). */
  lanes: 'i32' | 'f64';
  /** Deferred wrapping is exact for the values (AP_WRAP, N = 0, and — f64 — sums below 2^53). */
  modular: boolean;
  /** The in-order sequential kernel is exact (and counts overflows exactly). */
  seq: boolean;
  /** Weights, Keras layout `i·n_out + j` (weight_ternary already mapped to −1/0/+1). */
  w: Float64Array;
  /** `(accum)bias[j]`. */
  biasAcc: Float64Array;
  /** Overflow events of the bias conversions of one output vector (counted once per pixel). */
  biasWrapped: number;
  biasSaturated: number;
  /** Per output: sum of the positive weights, sum of |negative weights|, number of non-zero weights. */
  posW: Float64Array;
  negW: Float64Array;
  nnz: Float64Array;
  wMax: number;
  wMin: number;
}

/** Inputs of {@link analyzeMac}. */
export interface MacLayer {
  nIn: number;
  nOut: number;
  types: DenseTypes;
  /** Raw weights, Keras layout `i·n_out + j`. */
  weights: ArrayLike<number>;
  bias: ArrayLike<number>;
  product?: string;
  /** The accumulation order is the latency one (i = 0 … n_in−1 per output); else only modular/proven runs apply. */
  latencyOrder: boolean;
}

const INT32_MAX = 2 ** 31 - 1;
const F64_EXACT = 2 ** 53;

function fail(nIn: number, nOut: number, reason: string): MacAnalysis {
  return { ok: false, reason, nIn, nOut } as MacAnalysis;
}

/**
 * Analyse a Dense / Conv MAC core: can the int32 kernels compute it exactly, and how.
 *
 * @example
 * const a = analyzeMac({ nIn: 27, nOut: 16, types, weights, bias, latencyOrder: true });
 * if (a.ok && a.modular) { ... }
 */
export function analyzeMac(L: MacLayer): MacAnalysis {
  const { nIn, nOut, types: t } = L;
  for (const k of ['input', 'weight', 'bias', 'accum', 'result'] as const) {
    if (t[k].W > 53) return fail(nIn, nOut, `${k} type wider than 53 bits`);
  }
  const ternary = L.product === 'weight_ternary';
  if (L.product !== undefined && L.product !== 'mult' && !ternary) return fail(nIn, nOut, `product ${L.product}`);
  const shift = frac(t.input) + (ternary ? 0 : frac(t.weight)) - frac(t.accum);
  const acc = accumModel(t.accum);
  if (shift > 0 && t.accum.Q !== 'AP_TRN' && t.accum.Q !== 'AP_RND') return fail(nIn, nOut, `product rounding ${t.accum.Q}`);
  if (shift < -52 || shift > 200) return fail(nIn, nOut, `product shift ${shift}`);
  const half = shift > 0 && t.accum.Q === 'AP_RND' ? 2 ** (shift - 1) : 0;

  const w = new Float64Array(nIn * nOut);
  const posW = new Float64Array(nOut);
  const negW = new Float64Array(nOut);
  const nnz = new Float64Array(nOut);
  let wMax = 0;
  let wMin = 0;
  for (let i = 0; i < nIn; i++) {
    for (let j = 0; j < nOut; j++) {
      let v = L.weights[i * nOut + j]!;
      if (ternary) v = v === 0 ? 0 : v === -1 ? -1 : 1;
      w[i * nOut + j] = v;
      if (v > 0) posW[j]! += v;
      else if (v < 0) negW[j]! -= v;
      if (v !== 0) nnz[j]!++;
      if (v > wMax) wMax = v;
      if (v < wMin) wMin = v;
    }
  }

  const st = newCastStats();
  const biasAcc = new Float64Array(nOut);
  const castB = sameType(t.bias, t.accum) ? (r: number) => r : makeCaster(frac(t.bias), t.accum, st);
  for (let j = 0; j < nOut; j++) biasAcc[j] = castB(L.bias[j]!);
  let maxAbsBias = 0;
  for (let j = 0; j < nOut; j++) maxAbsBias = Math.max(maxAbsBias, Math.abs(biasAcc[j]!));

  const [xmin, xmax] = rawRange(t.input);
  const maxAbsX = Math.max(-xmin, xmax);
  const maxAbsW = Math.max(-wMin, wMax);
  // |x·w| + half, scaled when s < 0: the largest product the kernel forms before the conversion.
  const prodMax = maxAbsX * maxAbsW * 2 ** Math.max(-shift, 0) + half;
  // The largest |exact sum| of one output (bias plus converted products).
  let sumMax = 0;
  for (let j = 0; j < nOut; j++) sumMax = Math.max(sumMax, Math.abs(biasAcc[j]!) + (posW[j]! + negW[j]!) * maxAbsX * 2 ** -shift + nnz[j]!);
  // The sequential kernel also needs a supported overflow mode, the latency order, and no AP_SAT_SYM
  // bias copy sitting on −2^(W−1) (the reference treats that value path-dependently).
  let seqOrder = L.latencyOrder && acc.kind !== null;
  if (seqOrder && acc.kind === 'satsym') for (let j = 0; j < nOut; j++) if (biasAcc[j]! < acc.lo) seqOrder = false;

  // int32 lanes: raws fit int32; the modular sum keeps bits s … s+W_accum−1 within 32 bits.
  const i32Raws = [t.input, t.weight, t.bias, t.accum, t.result].every((x) => x.W <= 31 || (x.W === 32 && x.signed));
  const i32 = i32Raws && t.accum.W + Math.max(shift, 0) <= 32 && shift >= -30 && maxAbsBias <= INT32_MAX;
  let lanes: 'i32' | 'f64';
  let modular: boolean;
  let seq: boolean;
  if (i32) {
    lanes = 'i32';
    modular = acc.modular;
    seq = seqOrder && t.accum.W <= 30 && prodMax <= INT32_MAX;
  } else {
    // f64 lanes: every product and partial sum an exact integer below 2^53.
    if (prodMax >= F64_EXACT) return fail(nIn, nOut, 'products exceed 2^53');
    lanes = 'f64';
    modular = acc.modular && sumMax < F64_EXACT;
    seq = seqOrder && t.accum.W <= 51;
  }

  return {
    ok: true,
    nIn,
    nOut,
    shift,
    half,
    accum: acc,
    lanes,
    modular,
    seq,
    w,
    biasAcc,
    biasWrapped: st.wrapped,
    biasSaturated: st.saturated,
    posW,
    negW,
    nnz,
    wMax,
    wMin,
  };
}

/**
 * True when, for inputs in `[xmin, xmax]`, no product conversion into accum_t can leave its
 * unchanged range `[lo, max]` (the rounded product is within 1 of the exact scaled one).
 *
 * @example productsInRange(a, 0, 1023); // the sequential kernel may skip the product checks
 */
export function productsInRange(a: MacAnalysis, xmin: number, xmax: number): boolean {
  const sc = 2 ** -a.shift;
  const c1 = a.wMax * xmax;
  const c2 = a.wMax * xmin;
  const c3 = a.wMin * xmax;
  const c4 = a.wMin * xmin;
  const pHi = Math.max(c1, c2, c3, c4) * sc + 1;
  const pLo = Math.min(c1, c2, c3, c4) * sc - 1;
  return pHi <= a.accum.max && pLo >= a.accum.lo;
}

/**
 * True when, for inputs in `[xmin, xmax]`, no product conversion and no partial sum of any output
 * can leave accum_t's unchanged range `[lo, max]` — in any accumulation order. Then the sum is an
 * exact integer sum, the accum overflow count is zero, and only the final conversion remains.
 * Each rounded product is within 1 of the exact scaled product, which the bound absorbs.
 *
 * @example provablyNoOverflow(a, 0, 1023); // e.g. true for a ReLU output and small weights
 */
export function provablyNoOverflow(a: MacAnalysis, xmin: number, xmax: number): boolean {
  if (!productsInRange(a, xmin, xmax)) return false;
  const lo = a.accum.lo;
  const hi = a.accum.max;
  const sc = 2 ** -a.shift;
  const ap = Math.max(xmax, 0) * sc;
  const an = Math.max(-xmin, 0) * sc;
  const { posW, negW, nnz, biasAcc } = a;
  for (let j = 0; j < a.nOut; j++) {
    const b = biasAcc[j]!;
    const up = posW[j]! * ap + negW[j]! * an + nnz[j]!;
    const down = posW[j]! * an + negW[j]! * ap + nnz[j]!;
    if (b + up > hi || b - down < lo) return false;
  }
  return true;
}
