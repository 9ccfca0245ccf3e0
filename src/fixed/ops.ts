/**
 * Full-precision arithmetic on raw mantissas with the C++ result types of `ap_fixed`:
 * `+ − * /`, negation, shifts. Result types are AP_TRN/AP_WRAP/0 like `ap_fixed_base`'s `RType`s.
 */
import { ValueError } from '../errors.js';
import { wrapBig } from './quantize-big.js';
import { fixedType, frac, type FixedType } from './types.js';

const b2n = (b: boolean) => (b ? 1 : 0);

/** Result type of `a + b`. @example addType(parseFixedType('ap_fixed<8,3>'), parseFixedType('ap_ufixed<6,2>')) // ap_fixed<10,4> */
export function addType(a: FixedType, b: FixedType): FixedType {
  const I = Math.max(a.I + b2n(b.signed && !a.signed), b.I + b2n(a.signed && !b.signed)) + 1;
  const F = Math.max(frac(a), frac(b));
  return fixedType(a.signed || b.signed, I + F, I);
}

/** Result type of `a − b` (always signed). @example subType(parseFixedType('ap_ufixed<8,3>'), parseFixedType('ap_ufixed<8,3>')) // ap_fixed<9,4> */
export function subType(a: FixedType, b: FixedType): FixedType {
  const I = Math.max(a.I + b2n(b.signed && !a.signed), b.I + b2n(a.signed && !b.signed)) + 1;
  const F = Math.max(frac(a), frac(b));
  return fixedType(true, I + F, I);
}

/** Result type of `a * b`. @example mulType(parseFixedType('ap_fixed<16,6>'), parseFixedType('ap_fixed<16,6>')) // ap_fixed<32,12> */
export function mulType(a: FixedType, b: FixedType): FixedType {
  return fixedType(a.signed || b.signed, a.W + b.W, a.I + b.I);
}

/** Result type of `a / b`. @example divType(parseFixedType('ap_fixed<8,3>'), parseFixedType('ap_fixed<8,3>')) // ap_fixed<14,9> */
export function divType(a: FixedType, b: FixedType): FixedType {
  const Sb = b2n(b.signed);
  const Fb = frac(b);
  return fixedType(a.signed || b.signed, Sb + a.W + Math.max(Fb, 0), Sb + a.I + Fb);
}

/** Result type of `-a`. @example negType(parseFixedType('ap_ufixed<8,3>')) // ap_fixed<9,4> */
export function negType(a: FixedType): FixedType {
  return fixedType(true, a.W + 1, a.I + 1);
}

/** Exact raw of `a + b` in {@link addType}. @example addRaw(3n, t1, 5n, t2) */
export function addRaw(ra: bigint, a: FixedType, rb: bigint, b: FixedType): bigint {
  const rt = addType(a, b);
  const F = frac(rt);
  return wrapBig((ra << BigInt(F - frac(a))) + (rb << BigInt(F - frac(b))), rt.W, rt.signed);
}

/** Exact raw of `a − b` in {@link subType}. @example subRaw(3n, t1, 5n, t2) */
export function subRaw(ra: bigint, a: FixedType, rb: bigint, b: FixedType): bigint {
  const rt = subType(a, b);
  const F = frac(rt);
  return wrapBig((ra << BigInt(F - frac(a))) - (rb << BigInt(F - frac(b))), rt.W, rt.signed);
}

/** Exact raw of `a * b` in {@link mulType}. @example mulRaw(3n, t1, 5n, t2) // 15n */
export function mulRaw(ra: bigint, a: FixedType, rb: bigint, b: FixedType): bigint {
  const rt = mulType(a, b);
  return wrapBig(ra * rb, rt.W, rt.signed);
}

/**
 * Raw of `a / b` in {@link divType}: `(ra · 2^max(Fb,0)) / rb` truncated toward zero, wrapped to W.
 * Division by zero is undefined in C++; here it throws a ValueError.
 *
 * @example divRaw(1n, parseFixedType('ap_fixed<8,3>'), 3n, parseFixedType('ap_fixed<8,3>'))
 */
export function divRaw(ra: bigint, a: FixedType, rb: bigint, b: FixedType): bigint {
  if (rb === 0n) throw new ValueError('b', 'division by zero');
  const rt = divType(a, b);
  const num = ra << BigInt(Math.max(frac(b), 0));
  return wrapBig(num / rb, rt.W, rt.signed);
}

/** Raw of `-a` in {@link negType}. @example negRaw(5n) // -5n */
export function negRaw(ra: bigint): bigint {
  return -ra;
}

/** Raw of `a << k` (same type; top bits dropped whatever the overflow mode). Negative k shifts right. @example shlRaw(96n, parseFixedType('ap_fixed<8,3>'), 1) // -64n */
export function shlRaw(ra: bigint, a: FixedType, k: number): bigint {
  if (k < 0) return shrRaw(ra, a, -k);
  return wrapBig(ra << BigInt(k), a.W, a.signed);
}

/** Raw of `a >> k` (same type; arithmetic shift = floor, no rounding). Negative k shifts left. @example shrRaw(-3n, parseFixedType('ap_fixed<8,3>'), 1) // -2n */
export function shrRaw(ra: bigint, a: FixedType, k: number): bigint {
  if (k < 0) return shlRaw(ra, a, -k);
  return wrapBig(ra >> BigInt(k), a.W, a.signed);
}
