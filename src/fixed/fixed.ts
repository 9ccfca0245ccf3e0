/**
 * `Fixed`: an immutable fixed-point value (BigInt mantissa + FixedType) with the C++ operators.
 * This is the convenient, exact, any-width API; kernels use the number fast path instead.
 */
import { ValueError } from '../errors.js';
import { compareRaw } from './compare.js';
import { quantizeDecimal, rawToDecimal } from './decimal.js';
import { decodeDouble, type NonFinitePolicy } from './double.js';
import { addRaw, addType, divRaw, divType, mulRaw, mulType, negType, shlRaw, shrRaw, subRaw, subType } from './ops.js';
import { requantizeBig } from './quantize-big.js';
import { formatFixedType, frac, parseFixedType, type FixedType } from './types.js';

function asType(t: FixedType | string): FixedType {
  return typeof t === 'string' ? parseFixedType(t) : t;
}

/** An exact fixed-point value: `raw · 2^(I−W)` of `type`. */
export class Fixed {
  readonly type: FixedType;
  readonly raw: bigint;

  private constructor(type: FixedType, raw: bigint) {
    this.type = type;
    this.raw = raw;
  }

  /**
   * A value from its raw mantissa (number, bigint or decimal string); must be in range.
   *
   * @example Fixed.fromRaw(-3, 'ap_fixed<8,3>').toString(); // '-0.09375'
   */
  static fromRaw(raw: bigint | number | string, type: FixedType | string): Fixed {
    const t = asType(type);
    let r: bigint;
    if (typeof raw === 'number') {
      if (!Number.isInteger(raw)) throw new ValueError('raw', `raw mantissa must be an integer, got ${raw}`);
      r = BigInt(raw);
    } else if (typeof raw === 'string') {
      if (!/^[+-]?\d+$/.test(raw.trim())) throw new ValueError('raw', `raw mantissa must be an integer, got '${raw}'`);
      r = BigInt(raw.trim());
    } else r = raw;
    const lo = t.signed ? -(1n << BigInt(t.W - 1)) : 0n;
    const hi = t.signed ? (1n << BigInt(t.W - 1)) - 1n : (1n << BigInt(t.W)) - 1n;
    if (r < lo || r > hi) throw new ValueError('raw', `raw ${r} is out of range [${lo}, ${hi}] of ${formatFixedType(t)}`);
    return new Fixed(t, r);
  }

  /**
   * Quantize a double into `type` like `TYPE v(x)` (any width). NaN/±Inf throw unless policy 'hls'.
   *
   * @example Fixed.fromNumber(0.3, 'ap_fixed<8,3,AP_RND>').toString(); // '0.3125'
   */
  static fromNumber(x: number, type: FixedType | string, policy: NonFinitePolicy = 'error'): Fixed {
    const t = asType(type);
    if (x === 0) return new Fixed(t, 0n);
    const d = decodeDouble(x, policy);
    return new Fixed(t, requantizeBig(d.mant, -d.exp, t));
  }

  /**
   * Quantize exact decimal text into `type` (no double rounding on the way).
   *
   * @example Fixed.fromDecimal('0.1', 'ap_fixed<40,2,AP_RND>').toString();
   */
  static fromDecimal(text: string, type: FixedType | string): Fixed {
    const t = asType(type);
    return new Fixed(t, quantizeDecimal(text, t));
  }

  /** Convert to another type (`TO b = a;`). @example Fixed.fromNumber(1.5,'ap_fixed<8,3>').cast('ap_fixed<4,4,AP_RND_CONV>') */
  cast(to: FixedType | string): Fixed {
    const t = asType(to);
    return new Fixed(t, requantizeBig(this.raw, frac(this.type), t));
  }

  /** `this + b` at full precision. @example a.add(b).toString() */
  add(b: Fixed): Fixed {
    return new Fixed(addType(this.type, b.type), addRaw(this.raw, this.type, b.raw, b.type));
  }

  /** `this − b` at full precision. @example a.sub(b) */
  sub(b: Fixed): Fixed {
    return new Fixed(subType(this.type, b.type), subRaw(this.raw, this.type, b.raw, b.type));
  }

  /** `this * b` at full precision. @example a.mul(b) */
  mul(b: Fixed): Fixed {
    return new Fixed(mulType(this.type, b.type), mulRaw(this.raw, this.type, b.raw, b.type));
  }

  /** `this / b` with the C++ result type (truncating). @example a.div(b) */
  div(b: Fixed): Fixed {
    return new Fixed(divType(this.type, b.type), divRaw(this.raw, this.type, b.raw, b.type));
  }

  /** `-this` (one bit wider, signed). @example a.neg() */
  neg(): Fixed {
    return new Fixed(negType(this.type), -this.raw);
  }

  /** `this << k` (same type, top bits dropped). @example a.shl(2) */
  shl(k: number): Fixed {
    return new Fixed(this.type, shlRaw(this.raw, this.type, k));
  }

  /** `this >> k` (same type, floor). @example a.shr(2) */
  shr(k: number): Fixed {
    return new Fixed(this.type, shrRaw(this.raw, this.type, k));
  }

  /** `this < b` as the headers evaluate it. @example a.lt(b) */
  lt(b: Fixed): boolean {
    return compareRaw(this.raw, this.type, b.raw, b.type).lt;
  }

  /** `this == b` as the headers evaluate it. @example a.eq(b) */
  eq(b: Fixed): boolean {
    return compareRaw(this.raw, this.type, b.raw, b.type).eq;
  }

  /** `this > b`. @example a.gt(b) */
  gt(b: Fixed): boolean {
    return compareRaw(this.raw, this.type, b.raw, b.type).gt;
  }

  /** `this <= b`. @example a.le(b) */
  le(b: Fixed): boolean {
    return !this.gt(b);
  }

  /** `this >= b`. @example a.ge(b) */
  ge(b: Fixed): boolean {
    return !this.lt(b);
  }

  /** Nearest double (round-to-nearest-even, like `to_double()`). @example Fixed.fromRaw(3,'ap_fixed<8,3>').toNumber() // 0.09375 */
  toNumber(): number {
    return rawToNumber(this.raw, frac(this.type));
  }

  /** Exact decimal text. @example Fixed.fromRaw(1,'ap_fixed<40,2>').toString() */
  toString(): string {
    return rawToDecimal(this.raw, frac(this.type));
  }
}

/**
 * Correctly rounded double of `raw · 2^−F` (any width).
 *
 * @example rawToNumber(3n, 5); // 0.09375
 */
export function rawToNumber(raw: bigint, F: number): number {
  if (raw === 0n) return 0;
  const neg = raw < 0n;
  let m = neg ? -raw : raw;
  let e = -F;
  const L = m.toString(2).length;
  // Keep 64 significant bits plus a sticky bit so Number() rounds once, correctly.
  if (L > 64) {
    const drop = BigInt(L - 64);
    const sticky = (m & ((1n << drop) - 1n)) !== 0n ? 1n : 0n;
    m = (m >> drop) | sticky;
    e += L - 64;
  }
  // Number(m) rounds to 53 bits (ties-to-even); with ≤ 64 bits plus sticky this is exact rounding.
  let v = Number(m);
  // Scale by 2^e in safe steps (exact unless the result is subnormal/overflowing).
  while (e > 1000) {
    v *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    v *= 2 ** -1000;
    e += 1000;
  }
  v *= 2 ** e;
  return neg ? -v : v;
}
