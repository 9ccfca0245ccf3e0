/**
 * The number fast path: quantization of doubles and requantization of raw mantissas held in JS
 * numbers (exact below 2^53). Same semantics as the BigInt path (quantize-big.ts), which it calls for
 * the rare cases it cannot do exactly in float64 (wide targets, huge shifts, AP_WRAP with N > 0 /
 * AP_WRAP_SM overflows, NaN/Inf under the 'hls' policy).
 */
import { FixedTypeError, ValueError } from '../errors.js';
import { decodeDouble, type NonFinitePolicy } from './double.js';
import { CastEvent, overflowBig, requantizeBigEvent } from './quantize-big.js';
import type { FixedType } from './types.js';

/** Counters a cast updates when a value is out of the target range. */
export interface CastStats {
  /** Values that overflowed and wrapped (AP_WRAP, AP_WRAP_SM). */
  wrapped: number;
  /** Values that overflowed and were saturated / zeroed (AP_SAT*). */
  saturated: number;
}

/** A fresh zeroed {@link CastStats}. @example const s = newCastStats(); */
export function newCastStats(): CastStats {
  return { wrapped: 0, saturated: 0 };
}

/** Widest type the number path handles exactly. */
export const NUMBER_PATH_MAX_WIDTH = 53;

const TWO53 = 2 ** 53;

function record(stats: CastStats | undefined, ev: CastEvent): void {
  if (!stats || ev === CastEvent.None) return;
  if (ev === CastEvent.Wrapped) stats.wrapped++;
  else stats.saturated++;
}

function requireNumberPath(to: FixedType, fn: string): void {
  if (to.W > NUMBER_PATH_MAX_WIDTH) {
    throw new FixedTypeError('W', `${fn} works on number mantissas up to ${NUMBER_PATH_MAX_WIDTH} bits; W=${to.W} needs the BigInt path (requantizeBig / quantizeDoubleBig)`);
  }
}

/**
 * Overflow step on an exact integer-valued double `q` (any magnitude), pre-rounding floor `t`.
 * Target width must be ≤ 53.
 */
function overflowNum(q: number, t: number, to: FixedType, min: number, max: number, stats?: CastStats): number {
  if (q >= min && q <= max) {
    if (to.O === 'AP_SAT_SYM' && to.signed && q === min && to.W > 1) {
      return -max;
    }
    return q;
  }
  switch (to.O) {
    case 'AP_SAT':
      if (stats) stats.saturated++;
      return q > max ? max : min;
    case 'AP_SAT_ZERO':
      if (stats) stats.saturated++;
      return 0;
    case 'AP_SAT_SYM':
      if (stats) stats.saturated++;
      if (!to.signed) return q > max ? max : min;
      if (to.W === 1) return q < 0 ? -1 : 0;
      return q > max ? max : -max;
    case 'AP_WRAP':
    case 'AP_WRAP_SM': {
      if (to.O === 'AP_WRAP' && to.N === 0) {
        if (stats) stats.wrapped++;
        const mod = 2 ** to.W;
        let v = q - Math.floor(q / mod) * mod;
        if (to.signed && v > max) v -= mod;
        return v;
      }
      // Saturation bits / sign-magnitude need bit surgery: exact BigInt path.
      const [r, ev] = overflowBig(BigInt(q), BigInt(t), to);
      record(stats, ev);
      return Number(r);
    }
  }
}

/** Round the integer `x` divided by `p = 2^shift` (shift ≥ 1) with mode Q; returns rounded q and sets floorOut[0]. */
function roundDiv(x: number, p: number, Q: FixedType['Q'], floorOut: Float64Array): number {
  const t = Math.floor(x / p);
  floorOut[0] = t;
  if (Q === 'AP_TRN') return t;
  const rem = x - t * p;
  if (rem === 0) return t;
  const half = p / 2;
  switch (Q) {
    case 'AP_TRN_ZERO':
      return x < 0 ? t + 1 : t;
    case 'AP_RND':
      return rem >= half ? t + 1 : t;
    case 'AP_RND_ZERO':
      return rem > half || (rem === half && x < 0) ? t + 1 : t;
    case 'AP_RND_MIN_INF':
      return rem > half ? t + 1 : t;
    case 'AP_RND_INF':
      return rem > half || (rem === half && x >= 0) ? t + 1 : t;
    case 'AP_RND_CONV':
      return rem > half || (rem === half && t % 2 !== 0) ? t + 1 : t;
  }
}

/** Round a real `s` (finite double) to an integer with mode Q, using its exact fractional part. */
function roundReal(s: number, Q: FixedType['Q'], floorOut: Float64Array): number {
  const t = Math.floor(s);
  floorOut[0] = t;
  if (Q === 'AP_TRN') return t;
  const rem = s - t; // exact
  if (rem === 0) return t;
  switch (Q) {
    case 'AP_TRN_ZERO':
      return s < 0 ? t + 1 : t;
    case 'AP_RND':
      return rem >= 0.5 ? t + 1 : t;
    case 'AP_RND_ZERO':
      return rem > 0.5 || (rem === 0.5 && s < 0) ? t + 1 : t;
    case 'AP_RND_MIN_INF':
      return rem > 0.5 ? t + 1 : t;
    case 'AP_RND_INF':
      return rem > 0.5 || (rem === 0.5 && s >= 0) ? t + 1 : t;
    case 'AP_RND_CONV':
      return rem > 0.5 || (rem === 0.5 && t % 2 !== 0) ? t + 1 : t;
  }
}

const floorScratch = new Float64Array(1);

/** Per-mode rounding of a finite real to an integer (monomorphic closures for the array loop). */
const REAL_ROUNDERS: Record<FixedType['Q'], (s: number) => number> = {
  AP_TRN: (s) => Math.floor(s),
  AP_TRN_ZERO: (s) => (s < 0 ? Math.ceil(s) : Math.floor(s)),
  AP_RND: (s) => {
    const t = Math.floor(s);
    return s - t >= 0.5 ? t + 1 : t;
  },
  AP_RND_ZERO: (s) => {
    const t = Math.floor(s);
    const r = s - t;
    return r > 0.5 || (r === 0.5 && s < 0) ? t + 1 : t;
  },
  AP_RND_MIN_INF: (s) => {
    const t = Math.floor(s);
    return s - t > 0.5 ? t + 1 : t;
  },
  AP_RND_INF: (s) => {
    const t = Math.floor(s);
    const r = s - t;
    return r > 0.5 || (r === 0.5 && s >= 0) ? t + 1 : t;
  },
  AP_RND_CONV: (s) => {
    const t = Math.floor(s);
    const r = s - t;
    return r > 0.5 || (r === 0.5 && t % 2 !== 0) ? t + 1 : t;
  },
};

function requantizeCore(raw: number, fromFrac: number, to: FixedType, stats?: CastStats): number {
  const shift = fromFrac - (to.W - to.I);
  if (Math.abs(raw) > TWO53 || shift > 1000 || shift < -900) {
    const [r, ev] = requantizeBigEvent(BigInt(raw), fromFrac, to);
    record(stats, ev);
    return Number(r);
  }
  let q: number;
  let t: number;
  if (shift <= 0) {
    q = raw * 2 ** -shift;
    t = q;
  } else {
    q = roundDiv(raw, 2 ** shift, to.Q, floorScratch);
    t = floorScratch[0]!;
  }
  return overflowNum(q, t, to, to.signed ? -(2 ** (to.W - 1)) : 0, to.signed ? 2 ** (to.W - 1) - 1 : 2 ** to.W - 1, stats);
}

/**
 * Requantize the exact value `raw · 2^−fromFrac` (raw an integer number, |raw| ≤ 2^53) into `to`
 * (W ≤ 53). Optional `stats` count wraps/saturations.
 *
 * @example
 * // 0.75 (raw 3 with 2 fractional bits) into ap_fixed<4,3,AP_RND>: 1.0 → raw 2
 * requantize(3, 2, parseFixedType('ap_fixed<4,3,AP_RND>')); // 2
 */
export function requantize(raw: number, fromFrac: number, to: FixedType, stats?: CastStats): number {
  requireNumberPath(to, 'requantize');
  if (!Number.isInteger(raw)) throw new ValueError('raw', `raw mantissa must be an integer, got ${raw}`);
  return requantizeCore(raw, fromFrac, to, stats);
}

/**
 * Quantize a double into `to` (W ≤ 53) exactly as `TO v(x);` does in C++.
 * NaN/±Inf throw unless `policy` is `'hls'` (then they behave as ±2^1024 like the headers).
 *
 * @example
 * quantizeDouble(0.3, parseFixedType('ap_fixed<8,3>'));        // 9   (0.28125)
 * quantizeDouble(0.3, parseFixedType('ap_fixed<8,3,AP_RND>')); // 10  (0.3125)
 */
export function quantizeDouble(x: number, to: FixedType, stats?: CastStats, policy: NonFinitePolicy = 'error'): number {
  requireNumberPath(to, 'quantizeDouble');
  return quantizeDoubleCore(x, to, stats, policy);
}

const MIN_NORMAL_SAFE = 2 ** -1000;
const MAX_SAFE_SCALED = 2 ** 1000;

function quantizeDoubleCore(x: number, to: FixedType, stats: CastStats | undefined, policy: NonFinitePolicy): number {
  if (x === 0) return 0;
  const F = to.W - to.I;
  const s = F > 1000 || F < -1000 ? NaN : x * 2 ** F;
  const as = Math.abs(s);
  const ax = Math.abs(x);
  if (!(as < MAX_SAFE_SCALED && as > MIN_NORMAL_SAFE && ax > 2.3e-308)) {
    // Non-finite, subnormal or extreme scaling: exact BigInt path.
    const d = decodeDouble(x, policy);
    const [r, ev] = requantizeBigEvent(d.mant, -d.exp, to);
    record(stats, ev);
    return Number(r);
  }
  const q = roundReal(s, to.Q, floorScratch);
  const t = floorScratch[0]!;
  return overflowNum(q, t, to, to.signed ? -(2 ** (to.W - 1)) : 0, to.signed ? 2 ** (to.W - 1) - 1 : 2 ** to.W - 1, stats);
}

/**
 * Quantize every element of `xs` into `to` (W ≤ 53); returns raw mantissas (Float64Array, exact integers).
 * Throws a ValueError naming the index for NaN/±Inf unless `policy` is 'hls'.
 *
 * @example
 * quantizeArray(new Float64Array([0.1, -0.2]), parseFixedType('ap_fixed<8,3>')); // Float64Array [3, -7]
 */
export function quantizeArray(
  xs: ArrayLike<number>,
  to: FixedType,
  out: Float64Array = new Float64Array(xs.length),
  stats?: CastStats,
  policy: NonFinitePolicy = 'error',
): Float64Array {
  requireNumberPath(to, 'quantizeArray');
  const n = xs.length;
  const F = to.W - to.I;
  const scale = 2 ** F;
  const min = to.signed ? -(2 ** (to.W - 1)) : 0;
  const max = to.signed ? 2 ** (to.W - 1) - 1 : 2 ** to.W - 1;
  const simple = F <= 1000 && F >= -1000;
  const Q = to.Q;
  // Specialised loops for the two most common mode pairs.
  if (simple && Q === 'AP_TRN' && to.O === 'AP_WRAP' && to.N === 0) {
    const mod = 2 ** to.W;
    for (let k = 0; k < n; k++) {
      const x = xs[k]!;
      const s = x * scale;
      const as = s < 0 ? -s : s;
      if (as < MAX_SAFE_SCALED && (as > MIN_NORMAL_SAFE || x === 0) && (x === 0 || x > 2.3e-308 || x < -2.3e-308)) {
        const q = Math.floor(s);
        if (q >= min && q <= max) out[k] = q;
        else {
          if (stats) stats.wrapped++;
          let v = q - Math.floor(q / mod) * mod;
          if (to.signed && v > max) v -= mod;
          out[k] = v;
        }
      } else {
        out[k] = slowOne(x, to, stats, policy, k);
      }
    }
    return out;
  }
  const round = REAL_ROUNDERS[Q];
  const symFix = to.O === 'AP_SAT_SYM' && to.signed && to.W > 1;
  for (let k = 0; k < n; k++) {
    const x = xs[k]!;
    if (x === 0) {
      out[k] = 0;
      continue;
    }
    const s = x * scale;
    const as = s < 0 ? -s : s;
    if (simple && as < MAX_SAFE_SCALED && as > MIN_NORMAL_SAFE && (x > 2.3e-308 || x < -2.3e-308)) {
      const q = round(s);
      if (q > min && q <= max) out[k] = q;
      else if (q === min && !symFix) out[k] = q;
      else out[k] = overflowNum(q, Math.floor(s), to, min, max, stats);
    } else {
      out[k] = slowOne(x, to, stats, policy, k);
    }
  }
  return out;
}

function slowOne(x: number, to: FixedType, stats: CastStats | undefined, policy: NonFinitePolicy, k: number): number {
  const d = decodeDouble(x, policy, `x[${k}]`);
  const [r, ev] = requantizeBigEvent(d.mant, -d.exp, to);
  record(stats, ev);
  return Number(r);
}

/**
 * Requantize an array of raw mantissas with `fromFrac` fractional bits into `to` (W ≤ 53).
 *
 * @example
 * requantizeArray(new Float64Array([5, -5]), 2, parseFixedType('ap_fixed<4,4,AP_RND_CONV>')); // [1, -1]
 */
export function requantizeArray(
  raws: ArrayLike<number>,
  fromFrac: number,
  to: FixedType,
  out: Float64Array = new Float64Array(raws.length),
  stats?: CastStats,
): Float64Array {
  requireNumberPath(to, 'requantizeArray');
  const cast = makeCaster(fromFrac, to, stats);
  for (let k = 0; k < raws.length; k++) {
    const r = raws[k]!;
    if (!Number.isInteger(r)) throw new ValueError(`raw[${k}]`, `raw mantissa must be an integer, got ${r}`);
    out[k] = cast(r);
  }
  return out;
}

/** A specialised conversion `raw (fromFrac fractional bits) → raw of to`, for kernels' inner loops. */
export type Caster = (raw: number) => number;

/**
 * Build a fast conversion function from mantissas with `fromFrac` fractional bits into `to`
 * (W ≤ 53, inputs |raw| ≤ 2^53). Out-of-range events are counted into `stats` if given.
 *
 * @example
 * const toAcc = makeCaster(20, parseFixedType('ap_fixed<16,6>'));
 * toAcc(3 << 10); // 3 (3·2^-10 in 2^-10 LSBs)
 */
export function makeCaster(fromFrac: number, to: FixedType, stats?: CastStats): Caster {
  requireNumberPath(to, 'makeCaster');
  const shift = fromFrac - (to.W - to.I);
  const min = to.signed ? -(2 ** (to.W - 1)) : 0;
  const max = to.signed ? 2 ** (to.W - 1) - 1 : 2 ** to.W - 1;
  if (shift > 1000 || shift < -900) return (raw) => requantizeCore(raw, fromFrac, to, stats);
  const wrapPlain = to.O === 'AP_WRAP' && to.N === 0;
  const symFix = to.O === 'AP_SAT_SYM' && to.signed && to.W > 1;
  const mod = 2 ** to.W;
  if (shift <= 0) {
    const mul = 2 ** -shift;
    if (wrapPlain) {
      return (raw) => {
        const q = raw * mul;
        if (q >= min && q <= max) return q;
        if (stats) stats.wrapped++;
        let v = q - Math.floor(q / mod) * mod;
        if (to.signed && v > max) v -= mod;
        return v;
      };
    }
    return (raw) => {
      const q = raw * mul;
      if (q > min && q <= max) return q;
      return overflowNum(q, q, to, min, max, stats);
    };
  }
  const p = 2 ** shift;
  const half = p / 2;
  if (to.Q === 'AP_TRN') {
    if (wrapPlain) {
      return (raw) => {
        const q = Math.floor(raw / p);
        if (q >= min && q <= max) return q;
        if (stats) stats.wrapped++;
        let v = q - Math.floor(q / mod) * mod;
        if (to.signed && v > max) v -= mod;
        return v;
      };
    }
    return (raw) => {
      const q = Math.floor(raw / p);
      if (q > min && q <= max) return q;
      return overflowNum(q, q, to, min, max, stats);
    };
  }
  const Q = to.Q;
  return (raw) => {
    const t = Math.floor(raw / p);
    const rem = raw - t * p;
    let q = t;
    if (rem !== 0) {
      switch (Q) {
        case 'AP_TRN_ZERO':
          if (raw < 0) q = t + 1;
          break;
        case 'AP_RND':
          if (rem >= half) q = t + 1;
          break;
        case 'AP_RND_ZERO':
          if (rem > half || (rem === half && raw < 0)) q = t + 1;
          break;
        case 'AP_RND_MIN_INF':
          if (rem > half) q = t + 1;
          break;
        case 'AP_RND_INF':
          if (rem > half || (rem === half && raw >= 0)) q = t + 1;
          break;
        case 'AP_RND_CONV':
          if (rem > half || (rem === half && t % 2 !== 0)) q = t + 1;
          break;
      }
    }
    if (q > min && q <= max) return q;
    if (q === min && !symFix) return q;
    return overflowNum(q, t, to, min, max, stats);
  };
}
