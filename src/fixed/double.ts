/**
 * Decoding IEEE-754 doubles into exact `mantissa · 2^exp` pairs, the way the HLS headers do it,
 * including their treatment of NaN, ±Inf and subnormals, and the non-finite input policy.
 */
import { ValueError } from '../errors.js';

/** What to do with NaN / ±Inf inputs: throw (`'error'`, the default) or mimic the HLS headers (`'hls'`). */
export type NonFinitePolicy = 'error' | 'hls';

/** A double as an exact dyadic rational: value = mant · 2^exp. */
export interface Dyadic {
  mant: bigint;
  exp: number;
}

const buf = new DataView(new ArrayBuffer(8));

/** The 64 IEEE bits of a double. @example doubleToBits(1) // 0x3ff0000000000000n */
export function doubleToBits(x: number): bigint {
  buf.setFloat64(0, x);
  return buf.getBigUint64(0);
}

/** The double with the given 64 IEEE bits. @example bitsToDouble(0x3ff0000000000000n) // 1 */
export function bitsToDouble(bits: bigint): number {
  buf.setBigUint64(0, BigInt.asUintN(64, bits));
  return buf.getFloat64(0);
}

/**
 * Decode IEEE bits as the HLS `ap_fixed` constructor does: normal numbers exactly; ±0 → 0;
 * subnormals with an implicit leading 1 and exponent −1023; NaN as ±1.mant·2^1024; ±Inf as ±2^1024.
 * With policy `'error'`, NaN/±Inf throw a {@link ValueError} naming `field`.
 *
 * @example
 * decodeDoubleBits(doubleToBits(-0.75)); // { mant: -6755399441055744n, exp: -53 }
 */
export function decodeDoubleBits(bits: bigint, policy: NonFinitePolicy = 'error', field = 'x'): Dyadic {
  const neg = bits >> 63n === 1n;
  const e = Number((bits >> 52n) & 0x7ffn);
  const m = bits & 0xfffffffffffffn;
  let mant: bigint;
  let exp: number;
  if (e === 0 && m === 0n) return { mant: 0n, exp: 0 };
  if (e === 0x7ff) {
    if (policy === 'error') {
      throw new ValueError(field, `${m === 0n ? (neg ? '-Infinity' : 'Infinity') : 'NaN'} is not a valid input (nonFinite policy 'error'; use 'hls' to mimic the HLS headers)`);
    }
    mant = m === 0n ? 1n : (1n << 52n) | m;
    exp = m === 0n ? 1024 : 1024 - 52;
  } else if (e === 0) {
    mant = (1n << 52n) | m;
    exp = -1023 - 52;
  } else {
    mant = (1n << 52n) | m;
    exp = e - 1075;
  }
  return { mant: neg ? -mant : mant, exp };
}

/** Decode a JS number (see {@link decodeDoubleBits}). @example decodeDouble(0.5) // { mant: 4503599627370496n, exp: -53 } */
export function decodeDouble(x: number, policy: NonFinitePolicy = 'error', field = 'x'): Dyadic {
  return decodeDoubleBits(doubleToBits(x), policy, field);
}
