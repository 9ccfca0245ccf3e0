/**
 * Bit-exact single-precision `expf` and `tanhf` as the C++ reference's math library computes them
 * (glibc on x86-64, the library hls4ml's table initialisers call through `std::exp(float)` and
 * `tanh(float)`). Neither is correctly rounded, so `Math.fround(Math.exp(x))` differs from them for
 * a few inputs — enough to change a table entry when the table type is wide.
 *
 * - `expf`: the table-driven algorithm (32-entry 2^(i/32) table, cubic polynomial, evaluated in
 *   double precision) with fused multiply-adds in the polynomial, as the FMA variant glibc selects
 *   on current x86-64 CPUs.
 * - `tanhf`: the classic single-precision algorithm from FDLIBM (via `expm1f`), evaluated entirely
 *   in float arithmetic. FDLIBM: Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *   Developed at SunPro, a Sun Microsystems, Inc. business. Permission to use, copy, modify, and
 *   distribute this software is freely granted, provided that this notice is preserved.
 *   (Float conversion by Ian Lance Taylor, Cygnus Support.)
 */

const f32 = Math.fround;
const fbuf = new Float32Array(1);
const ubuf = new Uint32Array(fbuf.buffer);
const dbuf = new Float64Array(1);
const qbuf = new BigUint64Array(dbuf.buffer);

function floatBits(x: number): number {
  fbuf[0] = x;
  return ubuf[0]!;
}
function floatFromBits(b: number): number {
  ubuf[0] = b >>> 0;
  return fbuf[0]!;
}
function doubleBits(x: number): bigint {
  dbuf[0] = x;
  return qbuf[0]!;
}
function doubleFromBits(b: bigint): number {
  qbuf[0] = BigInt.asUintN(64, b);
  return dbuf[0]!;
}

/** A double written as `0x1.<hex>p<exp>`. */
function hexDouble(mant: string, exp: number): number {
  const [i, f = ''] = mant.split('.');
  return (parseInt(i! + f, 16) / 2 ** (4 * f.length)) * 2 ** exp;
}

// --- exact fused multiply-add on doubles (BigInt arithmetic, round to nearest even) -------------

function decode(x: number): [bigint, number] {
  // x = m · 2^e exactly (x finite)
  if (x === 0) return [0n, 0];
  const b = doubleBits(x);
  const neg = b >> 63n === 1n;
  const ex = Number((b >> 52n) & 0x7ffn);
  let m = b & 0xfffffffffffffn;
  let e: number;
  if (ex === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = ex - 1075;
  }
  return [neg ? -m : m, e];
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

function roundToDouble(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const neg = m < 0n;
  let a = neg ? -m : m;
  const L = bitLength(a);
  if (L > 53) {
    const sh = BigInt(L - 53);
    const q = a >> sh;
    const rem = a - (q << sh);
    const half = 1n << (sh - 1n);
    let r = q;
    if (rem > half || (rem === half && (q & 1n) === 1n)) r = q + 1n;
    a = r;
    e += L - 53;
  }
  const v = Number(a) * 2 ** e;
  return neg ? -v : v;
}

/**
 * Correctly rounded a·b + c (doubles), as the FMA instruction computes it.
 *
 * @example fma(0.1, 10, -1); // 5.551115123125783e-17 (the unrounded product's residue)
 */
export function fma(a: number, b: number, c: number): number {
  const [ma, ea] = decode(a);
  const [mb, eb] = decode(b);
  const [mc, ec] = decode(c);
  const mp = ma * mb;
  const ep = ea + eb;
  if (mp === 0n) return c;
  if (mc === 0n) return roundToDouble(mp, ep);
  const e = Math.min(ep, ec);
  const sum = (mp << BigInt(ep - e)) + (mc << BigInt(ec - e));
  return roundToDouble(sum, e);
}

// --- expf ---------------------------------------------------------------------------------------

const EXP2F_N = 32;
const EXP2F_TAB: bigint[] = [
  0x3ff0000000000000n, 0x3fefd9b0d3158574n, 0x3fefb5586cf9890fn, 0x3fef9301d0125b51n,
  0x3fef72b83c7d517bn, 0x3fef54873168b9aan, 0x3fef387a6e756238n, 0x3fef1e9df51fdee1n,
  0x3fef06fe0a31b715n, 0x3feef1a7373aa9cbn, 0x3feedea64c123422n, 0x3feece086061892dn,
  0x3feebfdad5362a27n, 0x3feeb42b569d4f82n, 0x3feeab07dd485429n, 0x3feea47eb03a5585n,
  0x3feea09e667f3bcdn, 0x3fee9f75e8ec5f74n, 0x3feea11473eb0187n, 0x3feea589994cce13n,
  0x3feeace5422aa0dbn, 0x3feeb737b0cdc5e5n, 0x3feec49182a3f090n, 0x3feed503b23e255dn,
  0x3feee89f995ad3adn, 0x3feeff76f2fb5e47n, 0x3fef199bdd85529cn, 0x3fef3720dcef9069n,
  0x3fef5818dcfba487n, 0x3fef7c97337b9b5fn, 0x3fefa4afa2a490dan, 0x3fefd0765b6e4540n,
];
const SHIFT = hexDouble('1.8', 52);
const INV_LN2_N = hexDouble('1.71547652b82fe', 0) * EXP2F_N;
const C0 = hexDouble('1.c6af84b912394', -5) / EXP2F_N / EXP2F_N / EXP2F_N;
const C1 = hexDouble('1.ebfce50fac4f3', -3) / EXP2F_N / EXP2F_N;
const C2 = hexDouble('1.62e42ff0c52d6', -1) / EXP2F_N;
const TOP12_88 = floatBits(88) >>> 20;
const TOP12_INF = floatBits(Infinity) >>> 20;
const OFLOW = floatFromBits(0x42b17217); // 0x1.62e42ep6f
const UFLOW = -floatFromBits(0x42cff1b4); // -0x1.9fe368p6f

/**
 * Single-precision e^x exactly as the reference's `expf` (glibc, FMA variant).
 *
 * @example expf(1); // 2.7182817459106445
 */
export function expf(xIn: number, useFma = true): number {
  const x = f32(xIn);
  const abstop = (floatBits(x) >>> 20) & 0x7ff;
  if (abstop >= TOP12_88) {
    if (x === -Infinity) return 0;
    if (abstop >= TOP12_INF) return x + x;
    if (x > OFLOW) return Infinity;
    if (x < UFLOW) return 0;
  }
  const z = INV_LN2_N * x;
  let kd = z + SHIFT;
  const ki = doubleBits(kd);
  kd -= SHIFT;
  const r = z - kd;
  const t = BigInt.asUintN(64, EXP2F_TAB[Number(ki % BigInt(EXP2F_N))]! + (ki << 47n));
  const s = doubleFromBits(t);
  const r2 = r * r;
  let y: number;
  if (useFma) {
    const zz = fma(C0, r, C1);
    y = fma(C2, r, 1);
    y = fma(zz, r2, y);
  } else {
    const zz = C0 * r + C1;
    y = C2 * r + 1;
    y = zz * r2 + y;
  }
  return f32(y * s);
}

// --- expm1f / tanhf (FDLIBM, float arithmetic) ----------------------------------------------------

const O_THRESHOLD = floatFromBits(0x42b17180);
const LN2_HI = floatFromBits(0x3f317180);
const LN2_LO = floatFromBits(0x3717f7d1);
const INVLN2 = floatFromBits(0x3fb8aa3b);
const Q1 = floatFromBits(0xbd088889);
const Q2 = floatFromBits(0x3ad00d01);
const Q3 = floatFromBits(0xb8a670cd);
const Q4 = floatFromBits(0x36867e54);
const Q5 = floatFromBits(0xb457edbb);
const HUGE = f32(1.0e30);
const TINY = f32(1.0e-30);

/** y · 2^k by adding k to the exponent field (what SET_FLOAT_WORD(y, i + (k<<23)) does). */
function addExp(y: number, k: number): number {
  return floatFromBits((floatBits(y) + (k << 23)) | 0);
}

/** Single-precision e^x − 1 (FDLIBM `expm1f`, float arithmetic). @example expm1f(0) // 0 */
export function expm1f(xIn: number): number {
  let x = f32(xIn);
  let hx = floatBits(x);
  const xsb = hx & 0x80000000;
  hx = hx & 0x7fffffff;
  if (hx >= 0x4195b844) {
    if (hx >= 0x42b17218) {
      if (hx > 0x7f800000) return x + x;
      if (hx === 0x7f800000) return xsb === 0 ? x : -1.0;
      if (x > O_THRESHOLD) return Infinity;
    }
    if (xsb !== 0) return f32(TINY - 1);
  }
  let hi: number;
  let lo: number;
  let c = 0;
  let k: number;
  let t: number;
  if (hx > 0x3eb17218) {
    if (hx < 0x3f851592) {
      if (xsb === 0) {
        hi = f32(x - LN2_HI);
        lo = LN2_LO;
        k = 1;
      } else {
        hi = f32(x + LN2_HI);
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = Math.trunc(f32(f32(INVLN2 * x) + (xsb === 0 ? 0.5 : -0.5)));
      t = k;
      hi = f32(x - f32(t * LN2_HI));
      lo = f32(t * LN2_LO);
    }
    x = f32(hi - lo);
    c = f32(f32(hi - x) - lo);
  } else if (hx < 0x33000000) {
    t = f32(HUGE + x);
    return f32(x - f32(t - f32(HUGE + x)));
  } else k = 0;
  const hfx = f32(0.5 * x);
  const hxs = f32(x * hfx);
  const r1 = f32(1 + f32(hxs * f32(Q1 + f32(hxs * f32(Q2 + f32(hxs * f32(Q3 + f32(hxs * f32(Q4 + f32(hxs * Q5))))))))));
  t = f32(3.0 - f32(r1 * hfx));
  let e = f32(hxs * f32(f32(r1 - t) / f32(6.0 - f32(x * t))));
  if (k === 0) return f32(x - f32(f32(x * e) - hxs));
  e = f32(f32(x * f32(e - c)) - c);
  e = f32(e - hxs);
  if (k === -1) return f32(f32(0.5 * f32(x - e)) - 0.5);
  if (k === 1) {
    if (x < -0.25) return f32(-2.0 * f32(e - f32(x + 0.5)));
    return f32(1 + f32(2.0 * f32(x - e)));
  }
  let y: number;
  if (k <= -2 || k > 56) {
    y = f32(1 - f32(e - x));
    y = addExp(y, k);
    return f32(y - 1);
  }
  if (k < 23) {
    t = floatFromBits(0x3f800000 - (0x1000000 >> k));
    y = f32(t - f32(e - x));
    y = addExp(y, k);
  } else {
    t = floatFromBits((0x7f - k) << 23);
    y = f32(x - f32(e + t));
    y = f32(y + 1);
    y = addExp(y, k);
  }
  return y;
}

/**
 * Single-precision tanh exactly as the reference's `tanhf` (FDLIBM algorithm, float arithmetic).
 *
 * @example tanhf(0.5); // 0.46211716532707214
 */
export function tanhf(xIn: number): number {
  const x = f32(xIn);
  const jx = floatBits(x) | 0;
  const ix = jx & 0x7fffffff;
  if (ix >= 0x7f800000) return jx >= 0 ? f32(f32(1 / x) + 1) : f32(f32(1 / x) - 1);
  let z: number;
  if (ix < 0x41b00000) {
    if (ix === 0) return x;
    if (ix < 0x24000000) return f32(x * f32(1 + x));
    if (ix >= 0x3f800000) {
      const t = expm1f(f32(2 * Math.abs(x)));
      z = f32(1 - f32(2 / f32(t + 2)));
    } else {
      const t = expm1f(f32(-2 * Math.abs(x)));
      z = f32(-t / f32(t + 2));
    }
  } else z = f32(1 - TINY);
  return jx >= 0 ? z : -z;
}
