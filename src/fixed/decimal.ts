/**
 * Exact decimal text for fixed-point values (via big.js) and exact quantization of decimal text
 * and of rationals — the path by which hls4ml's printed weight literals become firmware values.
 */
import Big from 'big.js';
import { FixedTypeError, ValueError } from '../errors.js';
import { CastEvent, overflowBig } from './quantize-big.js';
import { decodeDouble } from './double.js';
import type { FixedType } from './types.js';

/**
 * Exact decimal text of `raw · 2^−F` (every digit; no exponent notation).
 *
 * @example
 * rawToDecimal(1n, 40); // '0.0000000000009094947017729282379150390625'
 * rawToDecimal(-3n, 1); // '-1.5'
 */
export function rawToDecimal(raw: bigint, F: number): string {
  if (F <= 0) return (raw << BigInt(-F)).toString();
  // raw / 2^F = raw·5^F / 10^F, exact in big.js via exponent notation.
  const n = raw * 5n ** BigInt(F);
  return new Big(`${n.toString()}e-${F}`).toFixed();
}

/** Exact Big value of a finite double. @example doubleToBig(0.1).toFixed() // '0.1000000000000000055511151231257827021181583404541015625' */
export function doubleToBig(x: number): Big {
  if (!Number.isFinite(x)) throw new ValueError('x', `${x} has no decimal expansion`);
  if (x === 0) return new Big(0);
  const { mant, exp } = decodeDouble(x);
  if (exp >= 0) return new Big((mant << BigInt(exp)).toString());
  return new Big(`${(mant * 5n ** BigInt(-exp)).toString()}e${exp}`);
}

/**
 * Print a double the way hls4ml writes a weight (Python `'%.{d}f'`): the exact binary value
 * rounded to `decimals` places, ties to even, with `-0` kept for small negatives.
 *
 * @example
 * printDecimal(0.03125, 4);  // '0.0312'
 * printDecimal(-0.00004, 4); // '-0.0000'
 * printDecimal(2.5, 0);      // '2'
 */
export function printDecimal(x: number, decimals: number): string {
  const b = doubleToBig(x).round(decimals, Big.roundHalfEven);
  let s = b.toFixed(decimals);
  if ((x < 0 || Object.is(x, -0)) && !s.startsWith('-')) s = '-' + s;
  return s;
}

/** Split decimal text (`-12.5e-3`, `.5`, `3`) into an exact rational `num/den`. */
export function parseDecimalRational(text: string, field = 'value'): { num: bigint; den: bigint } {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
    throw new ValueError(field, `not a decimal number: '${text}'`);
  }
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  let e = (m[4] ? Number(m[4]) : 0) - fracPart.length;
  let num = BigInt((intPart + fracPart).replace(/^0+(?=\d)/, '') || '0');
  if (m[1] === '-') num = -num;
  let den = 1n;
  if (e >= 0) num *= 10n ** BigInt(e);
  else den = 10n ** BigInt(-e);
  e = 0;
  return { num, den };
}

/**
 * Quantize the exact rational `num/den` (den > 0) into `to` with its Q and O modes. Returns [raw, event].
 *
 * @example
 * quantizeRational(1n, 3n, parseFixedType('ap_fixed<8,1,AP_RND>'))[0]; // 43n  (0.3359375)
 */
export function quantizeRational(num: bigint, den: bigint, to: FixedType): [bigint, CastEvent] {
  if (den <= 0n) throw new ValueError('den', 'denominator must be positive');
  const F = to.W - to.I;
  let n = num;
  let d = den;
  if (F >= 0) n <<= BigInt(F);
  else d <<= BigInt(-F);
  // floor division
  let t = n / d;
  let rem = n - t * d;
  if (rem < 0n) {
    t -= 1n;
    rem += d;
  }
  let q = t;
  if (rem !== 0n && to.Q !== 'AP_TRN') {
    const twice = rem * 2n;
    const neg = n < 0n;
    let up = false;
    switch (to.Q) {
      case 'AP_TRN_ZERO':
        up = neg;
        break;
      case 'AP_RND':
        up = twice >= d;
        break;
      case 'AP_RND_ZERO':
        up = twice > d || (twice === d && neg);
        break;
      case 'AP_RND_MIN_INF':
        up = twice > d;
        break;
      case 'AP_RND_INF':
        up = twice > d || (twice === d && !neg);
        break;
      case 'AP_RND_CONV':
        up = twice > d || (twice === d && (t & 1n) === 1n);
        break;
    }
    if (up) q = t + 1n;
  }
  return overflowBig(q, t, to);
}

/**
 * Quantize exact decimal text into `to` (e.g. a weight literal as hls4ml prints it).
 *
 * @example
 * quantizeDecimal('-0.0938', parseFixedType('ap_fixed<8,4,AP_RND>')); // -2n (−0.125)
 */
export function quantizeDecimal(text: string, to: FixedType, field = 'value'): bigint {
  if (typeof text !== 'string') throw new FixedTypeError(field, 'expected decimal text');
  const { num, den } = parseDecimalRational(text, field);
  return quantizeRational(num, den, to)[0];
}
