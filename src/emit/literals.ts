/**
 * Exact C++ literals for raw mantissas. Arrays (weights, biases, tables) are stored as their raw
 * integer bit patterns in the smallest C integer type that holds them, reinterpreted by the kernels
 * (`hlsemu::from_raw`): no decimal or floating-point conversion at all, and a fast compile. Scalars
 * are written as the exact decimal expansion of raw · 2^-F (a dyadic rational has a finite one):
 * up to 53 significant bits that is a double the compiler represents exactly, and ap_fixed's
 * conversion of an exactly representable double is exact; wider types use ap_fixed's string
 * constructor with the same exact decimal.
 */
import { ShapeError, UnsupportedError } from '../errors.js';
import { frac, formatFixedType, rawToDecimal, type FixedType } from '../fixed/index.js';

/** A raw array as the emitter receives it. */
export type RawArray = ArrayLike<number> | ArrayLike<bigint>;

function toBig(v: number | bigint, path: string): bigint {
  if (typeof v === 'bigint') return v;
  if (!Number.isInteger(v)) throw new ShapeError(path, `raw mantissa must be an integer, got ${v}`);
  return BigInt(v);
}

/** Whether `raw` fits the type's raw range (the emitter refuses silent wrapping of weights). */
function checkRange(raw: bigint, t: FixedType, path: string): void {
  const lo = t.signed ? -(1n << BigInt(t.W - 1)) : 0n;
  const hi = t.signed ? (1n << BigInt(t.W - 1)) - 1n : (1n << BigInt(t.W)) - 1n;
  if (raw < lo || raw > hi) {
    throw new ShapeError(path, `raw value ${raw} is outside ${formatFixedType(t)} (raw range ${lo}..${hi})`);
  }
}

/**
 * The exact C++ literal of one raw mantissa of type `t`.
 *
 * @example fixedLiteral(-3, parseFixedType('ap_fixed<8,6>'), 'w')  // '-0.75'
 */
export function fixedLiteral(raw: number | bigint, t: FixedType, path = 'value'): string {
  const r = toBig(raw, path);
  checkRange(r, t, path);
  const F = frac(t);
  const text = rawToDecimal(r, F);
  // Negative F: large integers; a double literal keeps them exact (at most 53 significant bits).
  if (t.W <= 53) return F < 0 && !text.includes('.') && r !== 0n ? `${text}.0` : text;
  return `${formatFixedType(t)}("${text}", 10)`;
}

/**
 * The C integer type that stores raw mantissas of `t` (W ≤ 64).
 *
 * @example rawStorageType(parseFixedType('ap_fixed<16,6>')); // 'short'
 * @example rawStorageType(parseFixedType('ap_ufixed<8,3>')); // 'unsigned char'
 */
export function rawStorageType(t: FixedType, path = 'type'): string {
  if (t.W > 64) throw new UnsupportedError(path, `${formatFixedType(t)} is wider than 64 bits; raw arrays of it cannot be emitted`);
  const base = t.W <= 8 ? 'char' : t.W <= 16 ? 'short' : t.W <= 32 ? 'int' : 'long long';
  return t.signed ? (base === 'char' ? 'signed char' : base) : `unsigned ${base}`;
}

function intLiteral(r: bigint, t: FixedType): string {
  if (t.W <= 32) return r.toString();
  if (t.signed) return r === -(1n << 63n) ? '(-9223372036854775807LL - 1)' : `${r}LL`;
  return `${r}ULL`;
}

/**
 * Raw mantissas of a whole array as the body of a C++ initializer list of
 * {@link rawStorageType}`(t)`, `perLine` per line. Every value is range-checked against `t`.
 *
 * @example formatRawInitializer([1, -2], parseFixedType('ap_fixed<8,4>'), 'b'); // '    1, -2'
 */
export function formatRawInitializer(values: RawArray, t: FixedType, path: string, perLine = 20): string {
  const out: string[] = [];
  let line: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const r = toBig(values[i]!, `${path}[${i}]`);
    checkRange(r, t, `${path}[${i}]`);
    line.push(intLiteral(r, t));
    if (line.length === perLine) {
      out.push(`    ${line.join(', ')}`);
      line = [];
    }
  }
  if (line.length) out.push(`    ${line.join(', ')}`);
  return out.join(',\n');
}
