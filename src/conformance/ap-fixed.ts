/**
 * Checks one `ap_fixed` reference case (the JSON Lines format of test/golden/ap_fixed) against hlsemu.
 * Returns null when the case passes, or a short description of the mismatch.
 */
import { describeValue, FormatError } from '../errors.js';
import {
  addRaw,
  addType,
  bitsToDouble,
  makeCaster,
  NUMBER_PATH_MAX_WIDTH,
  quantizeArray,
  quantizeDouble,
  requantize,
  compareRaw,
  decodeDoubleBits,
  divRaw,
  divType,
  doubleToBits,
  frac,
  mulRaw,
  mulType,
  negType,
  requantizeBig,
  rawToNumber,
  sameType,
  shlRaw,
  shrRaw,
  subRaw,
  subType,
  toFixedType,
  MAX_WIDTH,
  type FixedType,
} from '../fixed/index.js';

type Case = Record<string, unknown>;

/** Longest integer string accepted (raw values of the widest types, products included, fit easily). */
const MAX_DIGITS = 4000;

function big(v: unknown, field: string): bigint {
  if (typeof v === 'string' && v.length <= MAX_DIGITS + 1 && /^-?\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (v === undefined) throw new FormatError(field, 'missing');
  throw new FormatError(field, `expected an integer string, got ${describeValue(v, 60)}`);
}

/** The 64 bits of a double: `0x…` hex (as the reference files write them) or a decimal string. */
function bits64(v: unknown, field: string): bigint {
  const b = typeof v === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(v) ? BigInt(v) : big(v, field);
  if (b < 0n || b >= 1n << 64n) throw new FormatError(field, `expected the 64 bits of a double, got ${describeValue(v, 40)}`);
  return b;
}

function bool(c: Case, key: string): boolean | undefined {
  const v = c[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new FormatError(key, `expected true or false, got ${describeValue(v, 40)}`);
  return v;
}

function typeOf(c: Case, key: string): FixedType {
  return toFixedType(c[key], key);
}

function checkType(c: Case, key: string, got: FixedType): string | null {
  const want = typeOf(c, key);
  // Result types are always AP_TRN/AP_WRAP/0; compare every field anyway.
  return sameType(want, got) ? null : `result type: expected ${describeValue(c[key], 100)}, got W=${got.W} I=${got.I} S=${got.signed}`;
}

function expectRaw(c: Case, got: bigint): string | null {
  const want = big(c.raw, 'raw');
  return want === got ? null : `raw: expected ${want}, got ${got}`;
}

/** The case kinds (`op` values) this checker knows. */
export const AP_FIXED_OPS = ['from_double', 'convert', '+', '-', '*', '/', 'assign_*', 'assign_+', 'neg', 'to_double', '<<', '>>', 'cmp'];

/**
 * Check one case; returns null on success, else a message. Throws FormatError for malformed cases
 * and for unknown `op`s.
 *
 * @example
 * checkApFixedCase({ op: 'convert', from: {...}, to: {...}, x: '5', raw: '1' }); // null
 */
export function checkApFixedCase(c: Case): string | null {
  const op = c.op;
  switch (op) {
    case 'from_double': {
      const to = typeOf(c, 'to');
      const bits = bits64(c.xbits, 'xbits');
      const d = decodeDoubleBits(bits, 'hls');
      const bad = expectRaw(c, d.mant === 0n ? 0n : requantizeBig(d.mant, -d.exp, to));
      if (bad || to.W > NUMBER_PATH_MAX_WIDTH) return bad;
      // The number fast path must agree (scalar and vectorised).
      const x = bitsToDouble(bits);
      const scalar = BigInt(quantizeDouble(x, to, undefined, 'hls'));
      const vec = BigInt(quantizeArray([x], to, undefined, undefined, 'hls')[0]!);
      return expectRaw(c, scalar) ?? (expectRaw(c, vec) ? `quantizeArray: ${expectRaw(c, vec)}` : null);
    }
    case 'convert': {
      const from = typeOf(c, 'from');
      const to = typeOf(c, 'to');
      const x = big(c.x, 'x');
      const bad = expectRaw(c, requantizeBig(x, frac(from), to));
      if (bad || to.W > NUMBER_PATH_MAX_WIDTH || from.W > NUMBER_PATH_MAX_WIDTH) return bad;
      const viaNumber = BigInt(requantize(Number(x), frac(from), to));
      const viaCaster = BigInt(makeCaster(frac(from), to)(Number(x)));
      return expectRaw(c, viaNumber) ?? (expectRaw(c, viaCaster) ? `makeCaster: ${expectRaw(c, viaCaster)}` : null);
    }
    case '+':
    case '-':
    case '*':
    case '/': {
      const a = typeOf(c, 'a');
      const b = typeOf(c, 'b');
      const ra = big(c.ax, 'ax');
      const rb = big(c.bx, 'bx');
      const [rt, raw] =
        op === '+'
          ? [addType(a, b), addRaw(ra, a, rb, b)]
          : op === '-'
            ? [subType(a, b), subRaw(ra, a, rb, b)]
            : op === '*'
              ? [mulType(a, b), mulRaw(ra, a, rb, b)]
              : [divType(a, b), divRaw(ra, a, rb, b)];
      return checkType(c, 'rt', rt) ?? expectRaw(c, raw);
    }
    case 'assign_*':
    case 'assign_+': {
      const a = typeOf(c, 'a');
      const b = typeOf(c, 'b');
      const to = typeOf(c, 'to');
      const ra = big(c.ax, 'ax');
      const rb = big(c.bx, 'bx');
      const rt = op === 'assign_*' ? mulType(a, b) : addType(a, b);
      const exact = op === 'assign_*' ? mulRaw(ra, a, rb, b) : addRaw(ra, a, rb, b);
      const bad = expectRaw(c, requantizeBig(exact, frac(rt), to));
      if (bad || to.W > NUMBER_PATH_MAX_WIDTH || rt.W > NUMBER_PATH_MAX_WIDTH) return bad;
      return expectRaw(c, BigInt(requantize(Number(exact), frac(rt), to)));
    }
    case 'neg': {
      const a = typeOf(c, 'a');
      return checkType(c, 'rt', negType(a)) ?? expectRaw(c, -big(c.ax, 'ax'));
    }
    case 'to_double': {
      const a = typeOf(c, 'a');
      const d = rawToNumber(big(c.ax, 'ax'), frac(a));
      const got = doubleToBits(d);
      const want = bits64(c.dbits, 'dbits');
      return got === want ? null : `to_double: expected bits ${want.toString(16)}, got ${got.toString(16)} (${d})`;
    }
    case '<<':
    case '>>': {
      const a = typeOf(c, 'a');
      const k = c.k;
      if (typeof k !== 'number' || !Number.isInteger(k) || Math.abs(k) > MAX_WIDTH) throw new FormatError('k', `shift amount must be an integer in [-${MAX_WIDTH}, ${MAX_WIDTH}], got ${describeValue(k, 40)}`);
      const raw = op === '<<' ? shlRaw(big(c.ax, 'ax'), a, k) : shrRaw(big(c.ax, 'ax'), a, k);
      return checkType(c, 'rt', a) ?? expectRaw(c, raw);
    }
    case 'cmp': {
      const a = typeOf(c, 'a');
      const b = typeOf(c, 'b');
      const r = compareRaw(big(c.ax, 'ax'), a, big(c.bx, 'bx'), b);
      const ge = !r.lt;
      const want = { lt: bool(c, 'lt'), eq: bool(c, 'eq'), ge: bool(c, 'ge') };
      if (want.lt === undefined && want.eq === undefined && want.ge === undefined) throw new FormatError('lt', 'a cmp case needs at least one of lt, eq, ge');
      const bad: string[] = [];
      if (want.lt !== undefined && want.lt !== r.lt) bad.push(`lt expected ${want.lt}`);
      if (want.eq !== undefined && want.eq !== r.eq) bad.push(`eq expected ${want.eq}`);
      if (want.ge !== undefined && want.ge !== ge) bad.push(`ge expected ${want.ge}`);
      return bad.length ? bad.join(', ') : null;
    }
    default:
      throw new FormatError('op', `unknown case kind op=${describeValue(op, 40)} (known: ${AP_FIXED_OPS.join(', ')})`);
  }
}
