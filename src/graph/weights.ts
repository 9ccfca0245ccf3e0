/**
 * How hls4ml turns float weights into firmware values: each element is printed with max(0, F)
 * decimals (Python '%.{d}f', ties to even on the exact binary value), and the C++ side reads that
 * token as a double and converts it with the type's Q/O modes. The result can differ from
 * quantizing the float directly (see docs/passes.md).
 */
import { ValueError } from '../errors.js';
import { frac, type FixedType } from '../fixed/types.js';
import { printDecimal } from '../fixed/decimal.js';
import { quantizeDouble } from '../fixed/quantize.js';

/** Decimals hls4ml prints for a type: max(0, F). @example weightDecimals(parseFixedType('ap_fixed<8,4>')) // 4 */
export function weightDecimals(t: FixedType): number {
  return Math.max(0, frac(t));
}

/**
 * The decimal token hls4ml writes for one weight value.
 *
 * @example weightToken(0.03125, parseFixedType('ap_fixed<8,4>')); // '0.0312'
 */
export function weightToken(x: number, t: FixedType): string {
  const d = weightDecimals(t);
  if (!Number.isFinite(x)) throw new ValueError('weight', `weight value ${x} is not finite`);
  if (d <= 100 && Math.abs(x) < 1e21) {
    // toFixed is exact except on exact decimal ties, where it rounds away from zero;
    // a tie needs x·2^(d+1) to be an odd integer — hand those to the exact printer.
    const s = x * 2 ** (d + 1);
    if (!(Number.isInteger(s) && s % 2 !== 0)) return x.toFixed(d);
  }
  return printDecimal(x, d);
}

/**
 * Quantize float weights as the hls4ml firmware does (print, then read back into `t`).
 * Returns raw mantissas and the printed tokens.
 *
 * @example
 * weightsToRaw(new Float32Array([0.0624999]), parseFixedType('ap_fixed<8,4>')).raw; // Float64Array [1]
 */
export function weightsToRaw(data: ArrayLike<number>, t: FixedType, path = 'weights'): { raw: Float64Array; text: string[] } {
  if (t.W > 53) throw new ValueError(`${path}`, `weight types wider than 53 bits are not supported (got W=${t.W})`);
  const raw = new Float64Array(data.length);
  const text: string[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const tok = weightToken(data[i]!, t);
    text[i] = tok;
    raw[i] = quantizeDouble(Number(tok), t);
  }
  return { raw, text };
}
