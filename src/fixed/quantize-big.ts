/**
 * The exact (BigInt) quantizer: requantize a mantissa `raw · 2^−fromFrac` into a FixedType with
 * the HLS rounding then overflow rules. This is the reference semantics; the number fast path in
 * quantize.ts must agree with it wherever both apply.
 */
import type { FixedType } from './types.js';

/** What happened during one conversion (for overflow reports). */
export const CastEvent = {
  None: 0,
  /** Out of range and wrapped (AP_WRAP / AP_WRAP_SM). */
  Wrapped: 1,
  /** Out of range and clamped / zeroed (AP_SAT, AP_SAT_ZERO, AP_SAT_SYM). */
  Saturated: 2,
} as const;
/** One of the {@link CastEvent} values. */
export type CastEvent = (typeof CastEvent)[keyof typeof CastEvent];

/** Round `x · 2^−shift` (shift > 0) to an integer with mode `Q`; returns [rounded, floor]. */
export function roundShiftBig(x: bigint, shift: number, Q: FixedType['Q']): [bigint, bigint] {
  const s = BigInt(shift);
  const t = x >> s; // floor
  if (Q === 'AP_TRN') return [t, t];
  const rem = x - (t << s);
  if (rem === 0n) return [t, t];
  const half = 1n << (s - 1n);
  let up: boolean;
  switch (Q) {
    case 'AP_TRN_ZERO':
      up = x < 0n;
      break;
    case 'AP_RND':
      up = rem >= half;
      break;
    case 'AP_RND_ZERO':
      up = rem > half || (rem === half && x < 0n);
      break;
    case 'AP_RND_MIN_INF':
      up = rem > half;
      break;
    case 'AP_RND_INF':
      up = rem > half || (rem === half && x >= 0n);
      break;
    case 'AP_RND_CONV':
      up = rem > half || (rem === half && (t & 1n) === 1n);
      break;
    default:
      up = false;
  }
  return [up ? t + 1n : t, t];
}

/** Interpret the low W bits of `v` as a W-bit two's-complement (signed) or plain (unsigned) number. */
export function wrapBig(v: bigint, W: number, signed: boolean): bigint {
  return signed ? BigInt.asIntN(W, v) : BigInt.asUintN(W, v);
}

/**
 * Apply the overflow mode of `to` to the already-rounded integer `q`.
 * `t` is the pre-rounding floor (needed only by AP_WRAP_SM with N = 0).
 * Returns [raw, event].
 */
export function overflowBig(q: bigint, t: bigint, to: FixedType): [bigint, CastEvent] {
  const { W, signed, O } = to;
  const min = signed ? -(1n << BigInt(W - 1)) : 0n;
  const max = signed ? (1n << BigInt(W - 1)) - 1n : (1n << BigInt(W)) - 1n;
  const inRange = q >= min && q <= max;
  switch (O) {
    case 'AP_SAT':
      if (inRange) return [q, CastEvent.None];
      return [q > max ? max : min, CastEvent.Saturated];
    case 'AP_SAT_ZERO':
      return inRange ? [q, CastEvent.None] : [0n, CastEvent.Saturated];
    case 'AP_SAT_SYM': {
      if (!signed) {
        if (inRange) return [q, CastEvent.None];
        return [q > max ? max : min, CastEvent.Saturated];
      }
      if (W === 1) {
        // Observed header behaviour: every negative input gives -1, the rest 0.
        if (q < 0n) return [-1n, q < -1n ? CastEvent.Saturated : CastEvent.None];
        return [0n, q > 0n ? CastEvent.Saturated : CastEvent.None];
      }
      if (q > max) return [max, CastEvent.Saturated];
      if (q <= min) return [-max, q < min ? CastEvent.Saturated : CastEvent.None];
      return [q, CastEvent.None];
    }
    case 'AP_WRAP': {
      if (inRange) return [q, CastEvent.None];
      if (to.N === 0) return [wrapBig(q, W, signed), CastEvent.Wrapped];
      return [wrapSatBitsBig(q, to), CastEvent.Wrapped];
    }
    case 'AP_WRAP_SM':
      if (inRange) return [q, CastEvent.None];
      return [wrapSmBig(q, t, to), CastEvent.Wrapped];
  }
}

function bit(v: bigint, k: number): number {
  return Number((v >> BigInt(k)) & 1n);
}
function setBit(v: bigint, k: number, b: number | boolean): bigint {
  const m = 1n << BigInt(k);
  return b ? v | m : v & ~m;
}

/** AP_WRAP with N > 0 saturation bits, for an out-of-range q. */
function wrapSatBitsBig(q: bigint, to: FixedType): bigint {
  const { W, N, signed } = to;
  let V = BigInt.asUintN(W, q);
  if (signed) {
    const neg = q < 0n;
    V = setBit(V, W - 1, neg);
    for (let k = W - N; k <= W - 2; k++) V = setBit(V, k, !neg);
  } else {
    for (let k = W - N; k <= W - 1; k++) V = setBit(V, k, 1);
  }
  return wrapBig(V, W, signed);
}

/** AP_WRAP_SM (sign-magnitude wrap), signed only, for an out-of-range q. */
function wrapSmBig(q: bigint, t: bigint, to: FixedType): bigint {
  const { W, N } = to;
  const mask = (1n << BigInt(W)) - 1n;
  let V = BigInt.asUintN(W, q);
  const Ro = bit(V, W - 1);
  const sign = q < 0n ? 1 : 0;
  if (N === 0) {
    const lD = bit(BigInt.asUintN(W + 1, t), W);
    if (lD !== Ro) {
      V = V ^ mask;
      V = setBit(V, W - 1, lD);
    }
  } else if (N === 1) {
    if (sign !== Ro) V = V ^ mask;
    V = setBit(V, W - 1, sign);
  } else {
    if (bit(V, W - N) === sign) V = V ^ mask;
    for (let k = W - N; k <= W - 2; k++) V = setBit(V, k, !sign);
    V = setBit(V, W - 1, sign);
  }
  return BigInt.asIntN(W, V);
}

/**
 * Requantize the exact value `raw · 2^−fromFrac` into `to` (rounding with `to.Q`, then overflow with `to.O`).
 *
 * @example
 * // 0.75 (raw 3, 2 fractional bits) into ap_fixed<4,3,AP_RND>  → 1.0 (raw 2)
 * requantizeBig(3n, 2, fixedType(true, 4, 3, 'AP_RND')); // 2n
 */
export function requantizeBig(raw: bigint, fromFrac: number, to: FixedType): bigint {
  return requantizeBigEvent(raw, fromFrac, to)[0];
}

/** As {@link requantizeBig} but also reports whether the value wrapped or saturated. @example requantizeBigEvent(300n, 0, fixedType(true,8,8))[1] // CastEvent.Wrapped */
export function requantizeBigEvent(raw: bigint, fromFrac: number, to: FixedType): [bigint, CastEvent] {
  const shift = fromFrac - (to.W - to.I);
  let q: bigint;
  let t: bigint;
  if (shift <= 0) {
    q = raw << BigInt(-shift);
    t = q;
  } else {
    [q, t] = roundShiftBig(raw, shift, to.Q);
  }
  return overflowBig(q, t, to);
}
