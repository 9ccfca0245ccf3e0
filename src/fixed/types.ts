/**
 * The fixed-point type: `ap_fixed<W,I,Q,O,N>` / `ap_ufixed<…>` as a plain frozen value,
 * its parser for every spelling users write (C++ and hls4ml short forms) and its printer.
 * A value of type T is `raw · 2^(I−W)` with `raw` an integer mantissa of W bits.
 */
import { describeValue, FixedTypeError } from '../errors.js';

/** The seven quantization (rounding) modes of `ap_fixed`. */
export const QUANT_MODES = [
  'AP_RND',
  'AP_RND_ZERO',
  'AP_RND_MIN_INF',
  'AP_RND_INF',
  'AP_RND_CONV',
  'AP_TRN',
  'AP_TRN_ZERO',
] as const;
/** A quantization mode name. */
export type QuantMode = (typeof QUANT_MODES)[number];

/** The five overflow modes of `ap_fixed`. */
export const OVERFLOW_MODES = ['AP_SAT', 'AP_SAT_ZERO', 'AP_SAT_SYM', 'AP_WRAP', 'AP_WRAP_SM'] as const;
/** An overflow mode name. */
export type OverflowMode = (typeof OVERFLOW_MODES)[number];

/** An `ap_fixed` / `ap_ufixed` type. `F = W − I` fractional bits; LSB = 2^−F. */
export interface FixedType {
  readonly signed: boolean;
  /** Total width in bits, ≥ 1. */
  readonly W: number;
  /** Integer bits (may be negative or larger than W). */
  readonly I: number;
  readonly Q: QuantMode;
  readonly O: OverflowMode;
  /** Saturation bits for the wrap modes (0 ≤ N ≤ W). */
  readonly N: number;
}

/** Largest width hlsemu accepts (the HLS headers allow up to 1024 by default; we allow more). */
export const MAX_WIDTH = 4096;

function checkInt(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new FixedTypeError(field, `must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/**
 * Build (and validate) a fixed-point type.
 *
 * @example
 * const t = fixedType(true, 16, 6);                          // ap_fixed<16,6>
 * const u = fixedType(false, 8, 0, 'AP_RND', 'AP_SAT');     // ap_ufixed<8,0,AP_RND,AP_SAT>
 */
export function fixedType(
  signed: boolean,
  W: number,
  I: number,
  Q: QuantMode = 'AP_TRN',
  O: OverflowMode = 'AP_WRAP',
  N = 0,
): FixedType {
  checkInt(W, 'W', 1, MAX_WIDTH);
  checkInt(I, 'I', -MAX_WIDTH * 4, MAX_WIDTH * 4);
  if (!(QUANT_MODES as readonly string[]).includes(Q)) {
    throw new FixedTypeError('Q', `unknown quantization mode '${String(Q)}' (one of ${QUANT_MODES.join(', ')})`);
  }
  if (!(OVERFLOW_MODES as readonly string[]).includes(O)) {
    throw new FixedTypeError('O', `unknown overflow mode '${String(O)}' (one of ${OVERFLOW_MODES.join(', ')})`);
  }
  checkInt(N, 'N', 0, W);
  if (!signed && O === 'AP_WRAP_SM') {
    throw new FixedTypeError('O', 'AP_WRAP_SM is not defined for unsigned types (the HLS headers abort on it)');
  }
  return Object.freeze({ signed: !!signed, W, I, Q, O, N });
}

/** Number of fractional bits F = W − I. @example frac(fixedType(true,16,6)) // 10 */
export function frac(t: FixedType): number {
  return t.W - t.I;
}

/** True when both types are the same in every field. @example sameType(a, b) */
export function sameType(a: FixedType, b: FixedType): boolean {
  return a.signed === b.signed && a.W === b.W && a.I === b.I && a.Q === b.Q && a.O === b.O && a.N === b.N;
}

const SHORT_Q: Record<string, QuantMode> = {
  RND: 'AP_RND',
  RND_ZERO: 'AP_RND_ZERO',
  RND_MIN_INF: 'AP_RND_MIN_INF',
  RND_INF: 'AP_RND_INF',
  RND_CONV: 'AP_RND_CONV',
  TRN: 'AP_TRN',
  TRN_ZERO: 'AP_TRN_ZERO',
};
const SHORT_O: Record<string, OverflowMode> = {
  SAT: 'AP_SAT',
  SAT_ZERO: 'AP_SAT_ZERO',
  SAT_SYM: 'AP_SAT_SYM',
  WRAP: 'AP_WRAP',
  WRAP_SM: 'AP_WRAP_SM',
};

function parseMode<T extends string>(tok: string, table: Record<string, T>, field: string, text: string): T {
  const key = tok.toUpperCase().replace(/^AP_/, '');
  const m = table[key];
  if (!m) throw new FixedTypeError(field, `unknown mode '${tok}' in '${text}'`);
  return m;
}

function parseIntTok(tok: string | undefined, field: string, text: string): number {
  if (tok === undefined || !/^[+-]?\d+$/.test(tok)) {
    throw new FixedTypeError(field, `expected an integer, got '${tok ?? ''}' in '${text}'`);
  }
  return Number(tok);
}

/**
 * Parse a type as users write it: `ap_fixed<16,6>`, `ap_ufixed<8,0,AP_RND,AP_SAT>`,
 * `ap_fixed<8,3,AP_RND_CONV,AP_WRAP_SM,1>`, `ap_int<8>`, `ap_uint<4>`, hls4ml's `fixed<16,6,RND,SAT>`,
 * `ufixed<…>`, `int<8>`, `uint<4>`, and `ap_fixed_base<W,I,S,Q,O,N>`.
 *
 * @example
 * parseFixedType('fixed<16,6,RND,SAT>'); // { signed: true, W: 16, I: 6, Q: 'AP_RND', O: 'AP_SAT', N: 0 }
 */
export function parseFixedType(text: string): FixedType {
  if (typeof text !== 'string') throw new FixedTypeError('type', `expected a type string, got ${typeof text}`);
  if (text.length > 200) throw new FixedTypeError('type', `cannot parse fixed-point type '${text.slice(0, 60)}…' (${text.length} characters)`);
  // Whitespace may surround the name and each parameter, never split one: 'fixed<1 6,6>' is an error, not W=16.
  const m = /^\s*([A-Za-z_]+)\s*<(.*)>\s*$/s.exec(text);
  if (!m) throw new FixedTypeError('type', `cannot parse fixed-point type '${text}'`);
  const name = m[1]!.toLowerCase();
  const args = m[2]!.trim().length ? m[2]!.split(',').map((a) => a.trim()) : [];
  const spaced = args.find((a) => /\s/.test(a));
  if (spaced !== undefined) throw new FixedTypeError('type', `whitespace inside the parameter '${spaced}' of '${text}'`);
  const badArity = (n: string) => new FixedTypeError('type', `wrong number of parameters for ${n} in '${text}'`);
  switch (name) {
    case 'ap_int':
    case 'int':
    case 'ap_uint':
    case 'uint': {
      if (args.length !== 1) throw badArity(name);
      const W = parseIntTok(args[0], 'W', text);
      return fixedType(!name.includes('uint'), W, W);
    }
    case 'ap_fixed':
    case 'fixed':
    case 'ap_ufixed':
    case 'ufixed': {
      if (args.length < 2 || args.length > 5) throw badArity(name);
      const W = parseIntTok(args[0], 'W', text);
      const I = parseIntTok(args[1], 'I', text);
      const Q = args[2] !== undefined ? parseMode(args[2], SHORT_Q, 'Q', text) : 'AP_TRN';
      const O = args[3] !== undefined ? parseMode(args[3], SHORT_O, 'O', text) : 'AP_WRAP';
      const N = args[4] !== undefined ? parseIntTok(args[4], 'N', text) : 0;
      return fixedType(!name.includes('ufixed'), W, I, Q, O, N);
    }
    case 'ap_fixed_base': {
      if (args.length !== 6) throw badArity(name);
      const W = parseIntTok(args[0], 'W', text);
      const I = parseIntTok(args[1], 'I', text);
      const S = args[2]!.toLowerCase();
      if (S !== 'true' && S !== 'false' && S !== '1' && S !== '0') {
        throw new FixedTypeError('signed', `expected true/false, got '${args[2]}' in '${text}'`);
      }
      return fixedType(
        S === 'true' || S === '1',
        W,
        I,
        parseMode(args[3]!, SHORT_Q, 'Q', text),
        parseMode(args[4]!, SHORT_O, 'O', text),
        parseIntTok(args[5], 'N', text),
      );
    }
    default:
      throw new FixedTypeError('type', `unknown type name '${m[1]}' in '${text}'`);
  }
}

/**
 * Print a type in C++ form; defaults (AP_TRN, AP_WRAP, 0) are omitted unless `full` is set.
 *
 * @example
 * formatFixedType(fixedType(true, 16, 6));                 // 'ap_fixed<16,6>'
 * formatFixedType(fixedType(false, 8, 0, 'AP_RND', 'AP_SAT')); // 'ap_ufixed<8,0,AP_RND,AP_SAT>'
 */
export function formatFixedType(t: FixedType, full = false): string {
  const base = t.signed ? 'ap_fixed' : 'ap_ufixed';
  const parts: (string | number)[] = [t.W, t.I];
  if (full || t.N !== 0) parts.push(t.Q, t.O, t.N);
  else if (t.O !== 'AP_WRAP') parts.push(t.Q, t.O);
  else if (t.Q !== 'AP_TRN') parts.push(t.Q);
  return `${base}<${parts.join(',')}>`;
}

/**
 * Print a type in hls4ml's short form (`fixed<16,6,RND,SAT>`), as used in hls4ml configs.
 *
 * @example
 * formatHls4mlType(fixedType(true, 16, 6, 'AP_RND', 'AP_SAT')); // 'fixed<16,6,RND,SAT>'
 */
export function formatHls4mlType(t: FixedType): string {
  const full = formatFixedType(t);
  return full.replace(/^ap_/, '').replace(/([<,])AP_/g, '$1');
}

/** Smallest raw mantissa of the type (as a number; exact for W ≤ 53). @example minRaw(fixedType(true,8,3)) // -128 */
export function minRaw(t: FixedType): number {
  return t.signed ? -Math.pow(2, t.W - 1) : 0;
}

/** Largest raw mantissa of the type (as a number; exact for W ≤ 53). @example maxRaw(fixedType(true,8,3)) // 127 */
export function maxRaw(t: FixedType): number {
  return t.signed ? Math.pow(2, t.W - 1) - 1 : Math.pow(2, t.W) - 1;
}

/** Smallest representable value. @example minValue(fixedType(true,8,3)) // -4 */
export function minValue(t: FixedType): number {
  return minRaw(t) * Math.pow(2, -frac(t));
}

/** Largest representable value. @example maxValue(fixedType(true,8,3)) // 3.96875 */
export function maxValue(t: FixedType): number {
  return maxRaw(t) * Math.pow(2, -frac(t));
}

/** Value of one LSB, 2^−F. @example lsb(fixedType(true,16,6)) // 0.0009765625 */
export function lsb(t: FixedType): number {
  return Math.pow(2, -frac(t));
}

/**
 * Coerce a type given as text or as a TYPE object (`{s,w,i,q,o,n}` as in the reference vectors).
 *
 * @example
 * toFixedType('ap_fixed<8,3>');
 * toFixedType({ s: true, w: 8, i: 3, q: 'AP_TRN', o: 'AP_WRAP', n: 0 });
 */
export function toFixedType(v: unknown, field = 'type'): FixedType {
  if (typeof v === 'string') return parseFixedType(v);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('W' in o) {
      return fixedType(!!o.signed, o.W as number, o.I as number, o.Q as QuantMode, o.O as OverflowMode, (o.N as number) ?? 0);
    }
    if ('w' in o) {
      return fixedType(
        !!o.s,
        o.w as number,
        o.i as number,
        ((o.q as QuantMode) ?? 'AP_TRN') as QuantMode,
        ((o.o as OverflowMode) ?? 'AP_WRAP') as OverflowMode,
        (o.n as number) ?? 0,
      );
    }
  }
  throw new FixedTypeError(field, `expected a type string or {s,w,i,q,o,n} object, got ${describeValue(v, 60)}`);
}
