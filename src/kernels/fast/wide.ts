/**
 * Exact two-limb integer arithmetic in WebAssembly for the wide types (up to 64-bit raws and
 * 128-bit intermediates), as code emitters on i64 locals: a 64 × 64 → 128-bit signed product, and
 * the ap_fixed conversion of a 128-bit value into a type of at most 64 bits — every rounding mode,
 * AP_WRAP (N = 0) / AP_SAT / AP_SAT_SYM / AP_SAT_ZERO, with the overflow event — exactly as the
 * reference's BigInt path computes it. No BigInt at run time.
 */
import { frac, type FixedType } from '../../fixed/types.js';
import { Code, I32, I64, I64OP, type ValType } from './wasm.js';

/** A function body with locals handed out as needed (after `nParams` parameters). */
export class Fn {
  readonly c = new Code();
  readonly locals: ValType[] = [];
  constructor(private readonly nParams: number) {}
  /** A new local of type t. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.nParams + this.locals.length - 1;
  }
}

const MASK32 = 0xffffffffn;

/**
 * `(hi, lo) = a · b` as a signed 128-bit product of the i64 locals a and b.
 *
 * @example const { hi, lo } = emitMul128(f, x, w);
 */
export function emitMul128(f: Fn, a: number, b: number, out?: { hi: number; lo: number }): { hi: number; lo: number } {
  const c = f.c;
  const t = { a0: f.local(I64), a1: f.local(I64), b0: f.local(I64), b1: f.local(I64), p00: f.local(I64), p01: f.local(I64), p10: f.local(I64), mid: f.local(I64) };
  const hi = out?.hi ?? f.local(I64);
  const lo = out?.lo ?? f.local(I64);
  c.get(a).i64Const(MASK32).op(I64OP.and).set(t.a0);
  c.get(a).i64Const(32).op(I64OP.shrU).set(t.a1);
  c.get(b).i64Const(MASK32).op(I64OP.and).set(t.b0);
  c.get(b).i64Const(32).op(I64OP.shrU).set(t.b1);
  c.get(t.a0).get(t.b0).op(I64OP.mul).set(t.p00);
  c.get(t.a0).get(t.b1).op(I64OP.mul).set(t.p01);
  c.get(t.a1).get(t.b0).op(I64OP.mul).set(t.p10);
  // mid = (p00 >>> 32) + low32(p01) + low32(p10)   (< 3 · 2^32)
  c.get(t.p00).i64Const(32).op(I64OP.shrU).get(t.p01).i64Const(MASK32).op(I64OP.and).op(I64OP.add).get(t.p10).i64Const(MASK32).op(I64OP.and).op(I64OP.add).set(t.mid);
  c.get(t.p00).i64Const(MASK32).op(I64OP.and).get(t.mid).i64Const(32).op(I64OP.shl).op(I64OP.or).set(lo);
  // hi = a1·b1 + (p01 >>> 32) + (p10 >>> 32) + (mid >>> 32), then the signed corrections
  c.get(t.a1).get(t.b1).op(I64OP.mul);
  c.get(t.p01).i64Const(32).op(I64OP.shrU).op(I64OP.add);
  c.get(t.p10).i64Const(32).op(I64OP.shrU).op(I64OP.add);
  c.get(t.mid).i64Const(32).op(I64OP.shrU).op(I64OP.add);
  c.get(a).i64Const(63).op(I64OP.shrS).get(b).op(I64OP.and).op(I64OP.sub);
  c.get(b).i64Const(63).op(I64OP.shrS).get(a).op(I64OP.and).op(I64OP.sub);
  c.set(hi);
  return { hi, lo };
}

/** `(hi, lo) += (bhi, blo)` (128-bit, mod 2^128). */
export function emitAdd128(f: Fn, hi: number, lo: number, bhi: number, blo: number): void {
  const c = f.c;
  const old = f.local(I64);
  c.get(lo).set(old);
  c.get(lo).get(blo).op(I64OP.add).set(lo);
  c.get(hi).get(bhi).op(I64OP.add).get(lo).get(old).op(I64OP.ltU).op(I64OP.extendI32U).op(I64OP.add).set(hi);
}

/** What {@link emitRequant128} converts. */
export interface Requant128 {
  /** Fractional bits of the 128-bit input value. */
  fromFrac: number;
  to: FixedType;
}

/**
 * Whether {@link emitRequant128} supports the conversion: target ≤ 64 bits (unsigned ≤ 63), a
 * supported overflow mode, and a shift the 128-bit value can take (`bitsIn`: bits of the input).
 *
 * @example requant128Ok({ fromFrac: 40, to }, 100)
 */
export function requant128Ok(spec: Requant128, bitsIn: number): boolean {
  const to = spec.to;
  if (to.W > 64 || (!to.signed && to.W > 63)) return false;
  if (!((to.O === 'AP_WRAP' && to.N === 0) || to.O === 'AP_SAT' || to.O === 'AP_SAT_ZERO' || to.O === 'AP_SAT_SYM')) return false;
  const s = spec.fromFrac - frac(to);
  if (s >= 127) return false;
  if (s < 0 && bitsIn - s > 127) return false;
  return bitsIn <= 127;
}

/**
 * `t = (to) v` for a 128-bit value `v = (hi, lo)` with `fromFrac` fractional bits: the rounding by
 * `to.Q`, then the overflow handling by `to.O`. `ev` (an i32 local, if given) is set to 1 when the
 * value overflowed (the reference's wrapped / saturated event), else 0. `t` is an i64 local.
 */
export function emitRequant128(f: Fn, spec: Requant128, hi: number, lo: number, t: number, ev?: number): void {
  const c = f.c;
  const to = spec.to;
  const s = spec.fromFrac - frac(to);
  const th = f.local(I64);
  const tl = f.local(I64);
  if (s > 0) {
    // t = v >> s (floor), with the bit below the cut (bitH) and whether any lower bit is set.
    if (s < 64) {
      c.get(lo).i64Const(s).op(I64OP.shrU).get(hi).i64Const(64 - s).op(I64OP.shl).op(I64OP.or).set(tl);
      c.get(hi).i64Const(s).op(I64OP.shrS).set(th);
    } else if (s === 64) {
      c.get(hi).set(tl);
      c.get(hi).i64Const(63).op(I64OP.shrS).set(th);
    } else {
      c.get(hi).i64Const(s - 64).op(I64OP.shrS).set(tl);
      c.get(hi).i64Const(63).op(I64OP.shrS).set(th);
    }
    if (to.Q !== 'AP_TRN') {
      const bitH = f.local(I32);
      const lowNZ = f.local(I32);
      const neg = f.local(I32);
      if (s - 1 < 64) {
        c.get(lo).i64Const(s - 1).op(I64OP.shrU).i64Const(1).op(I64OP.and).op(I64OP.wrapToI32).set(bitH);
        if (s - 1 > 0) c.get(lo).i64Const((1n << BigInt(s - 1)) - 1n).op(I64OP.and).op(I64OP.eqz).op(0x45).set(lowNZ); // i32.eqz → not
        else c.i32Const(0).set(lowNZ);
      } else {
        const k = s - 65;
        c.get(hi).i64Const(k).op(I64OP.shrU).i64Const(1).op(I64OP.and).op(I64OP.wrapToI32).set(bitH);
        c.get(lo).op(I64OP.eqz).op(0x45); // lo ≠ 0
        if (k > 0) c.get(hi).i64Const((1n << BigInt(k)) - 1n).op(I64OP.and).op(I64OP.eqz).op(0x45).op(0x72); // i32.or
        c.set(lowNZ);
      }
      c.get(hi).i64Const(0).op(I64OP.ltS).set(neg);
      // inc (i32 0/1) by rounding mode
      switch (to.Q) {
        case 'AP_TRN_ZERO':
          c.get(neg).get(bitH).get(lowNZ).op(0x72).op(0x71); // neg & (bitH | lowNZ)
          break;
        case 'AP_RND':
          c.get(bitH);
          break;
        case 'AP_RND_ZERO':
          c.get(bitH).get(lowNZ).get(neg).op(0x72).op(0x71);
          break;
        case 'AP_RND_MIN_INF':
          c.get(bitH).get(lowNZ).op(0x71);
          break;
        case 'AP_RND_INF':
          c.get(bitH).get(lowNZ).get(neg).op(0x45).op(0x72).op(0x71);
          break;
        case 'AP_RND_CONV':
          c.get(bitH).get(lowNZ).get(tl).op(I64OP.wrapToI32).i32Const(1).op(0x71).op(0x72).op(0x71);
          break;
      }
      const inc = f.local(I64);
      c.op(I64OP.extendI32U).set(inc);
      c.get(tl).get(inc).op(I64OP.add).set(tl);
      // carry into th when tl wrapped to 0
      c.get(th).get(tl).op(I64OP.eqz).op(I64OP.extendI32U).get(inc).op(I64OP.and).op(I64OP.add).set(th);
    }
  } else if (s < 0) {
    const k = -s;
    if (k < 64) {
      c.get(hi).i64Const(k).op(I64OP.shl).get(lo).i64Const(64 - k).op(I64OP.shrU).op(I64OP.or).set(th);
      c.get(lo).i64Const(k).op(I64OP.shl).set(tl);
    } else {
      c.get(lo).i64Const(k - 64).op(I64OP.shl).set(th);
      c.i64Const(0).set(tl);
    }
  } else {
    c.get(hi).set(th);
    c.get(lo).set(tl);
  }
  // Range: the value fits i64 (th is tl's sign extension) and lies in [min, max].
  const min = to.signed ? -(1n << BigInt(to.W - 1)) : 0n;
  const max = to.signed ? (1n << BigInt(to.W - 1)) - 1n : (1n << BigInt(to.W)) - 1n;
  const over = f.local(I32);
  c.get(th).get(tl).i64Const(63).op(I64OP.shrS).op(I64OP.ne);
  if (!(to.signed && to.W === 64)) {
    c.get(tl).i64Const(min).op(I64OP.ltS).op(0x72);
    c.get(tl).i64Const(max).op(I64OP.gtS).op(0x72);
  }
  c.set(over);
  if (ev !== undefined) c.get(over).set(ev);
  const neg = () => c.get(th).i64Const(0).op(I64OP.ltS);
  switch (to.O) {
    case 'AP_WRAP':
      if (to.W < 64) c.get(tl).i64Const(64 - to.W).op(I64OP.shl).i64Const(64 - to.W).op(to.signed ? I64OP.shrS : I64OP.shrU).set(t);
      else c.get(tl).set(t);
      break;
    case 'AP_SAT':
    case 'AP_SAT_SYM': {
      const sym = to.O === 'AP_SAT_SYM' && to.signed && to.W > 1;
      const lo2 = sym ? min + 1n : min;
      // overflow ? (neg ? lo2 : max) : (sym && tl == min ? min + 1 : tl)
      c.i64Const(lo2).i64Const(max);
      neg();
      c.op(I64OP.select);
      // the in-range value (a symmetric type's minimum becomes min + 1, uncounted)
      if (sym) c.i64Const(min + 1n).get(tl).get(tl).i64Const(min).op(I64OP.eq).op(I64OP.select);
      else c.get(tl);
      c.get(over).op(I64OP.select); // over ? clamped : value
      c.set(t);
      break;
    }
    case 'AP_SAT_ZERO':
      c.i64Const(0).get(tl).get(over).op(I64OP.select).set(t);
      break;
    default:
      throw new Error(`unsupported overflow mode ${to.O}`);
  }
}

/**
 * Input staging: the double at byte `8·i` of `stage` (an integer, ≤ 53 bits) → the i64 at byte
 * `8·i` of `x64`, for the i32 local `i`.
 */
export function emitStageToI64(c: Code, i: number, stage: number, x64: number): void {
  c.get(i).i32Const(8).i32Mul().get(i).i32Const(8).i32Mul().f64Load(stage).op(I64OP.truncF64S).i64Store(x64);
}

/**
 * `v` = the input value `i` (i64 at byte `8·i` of `x64`), converted from the staged double first
 * when the function's parameter 0 (`fromF64`) is set.
 */
export function emitInputI64(c: Code, i: number, stage: number, x64: number, v: number): void {
  c.get(0).if();
  emitStageToI64(c, i, stage, x64);
  c.end();
  c.get(i).i32Const(8).i32Mul().i64Load(x64).set(v);
}

/** `mn = min(mn, v)`, `mx = max(mx, v)` on signed i64 locals. */
export function emitMinMaxI64(c: Code, v: number, mn: number, mx: number): void {
  c.get(v).get(mn).get(v).get(mn).op(I64OP.ltS).op(I64OP.select).set(mn);
  c.get(v).get(mx).get(v).get(mx).op(I64OP.gtS).op(I64OP.select).set(mx);
}

/** `mx = max(mx, |v|)` with |v| as an unsigned 64-bit magnitude (2^63 for −2^63); `sign` holds `v >> 63`, `mag` is scratch. */
export function emitMaxMagnitude(c: Code, v: number, sign: number, mag: number, mx: number): void {
  c.get(v).get(sign).op(I64OP.xor).get(sign).op(I64OP.sub).set(mag);
  c.get(mag).get(mx).get(mag).get(mx).op(I64OP.gtU).op(I64OP.select).set(mx);
}

/** Store the i64 result raw on the stack at `offset` (after the address): as is when `wide`, else as a double. */
export function emitStoreResult(c: Code, wide: boolean, offset: number): void {
  if (wide) c.i64Store(offset);
  else c.op(I64OP.f64ConvertI64S).f64Store(offset);
}
