/**
 * Dense / Conv on wide types (raws up to 64 bits, products up to 128): the layers the int32 and
 * float64 engines cannot run exactly, computed with integer arithmetic in WebAssembly — no BigInt
 * at run time. Three product paths, chosen from the types and the actual weights:
 *
 * * **small** — input and weight raws fit 32 bits: every product is exact in 64 bits
 *   (`i64x2.extmul_*_i32x4_s`, two outputs per lane pair, SIMD);
 * * **narrow** — the weights, with their common trailing zeros taken out (`w = w'·2^tz`), fit
 *   32 bits (weights quantized from float32 always do): the input is split into 32-bit halves
 *   (`x·w' = xh·w'·2^32 + xl·w'`), two exact 64-bit products (SIMD `extmul`, two outputs per
 *   lane pair), and the product conversion `floor((x·w + half) / 2^s)` is taken from them with
 *   nested floors;
 * * **general** — full signed 64 × 64 → 128-bit products (wide.ts) and a 64-bit window of the
 *   rounded 128-bit value (scalar i64).
 *
 * The sums are kept modulo 2^64, which is exact for the two run modes used (as in analysis.ts):
 * **modular** (AP_WRAP accumulator: conversions are reductions mod 2^W_accum ≤ 2^64) and **proven**
 * (the input range of the call proves, with a safety margin for the float64 bound arithmetic,
 * that no product or partial sum leaves accum_t's range). A report on a call that is not proven
 * goes to the reference kernel. The conversion to result_t (every Q mode; WRAP / SAT / SAT_SYM /
 * SAT_ZERO) and the report's counts and max |acc| are done in WebAssembly too.
 *
 * Results of more than 53 bits come back as a BigInt64Array (an ArrayLike<bigint>, like the
 * reference's bigint[]); inputs may be numbers, bigints or a BigInt64Array.
 */
import { CastEvent, requantizeBigEvent } from '../../fixed/quantize-big.js';
import { frac, type FixedType } from '../../fixed/types.js';
import { allocOut, type KernelOptions, type RawInput, type RawOutput } from '../common.js';
import type { DenseTypes } from '../dense.js';
import { OutputBuffer, type FastOptions } from './common.js';
import type { MacGeometry } from './simd.js';
import { emitPixelLoop, emitRunLoop, tapRuns } from './mac-layout.js';
import { emitAdd128, emitMaxMagnitude, emitMinMaxI64, emitMul128, emitRequant128, emitInputI64, emitStoreResult, Fn, requant128Ok } from './wide.js';
import { I32, I64, I64OP, SIMD, V128, align16, instantiateKernel, wasmSimdAvailable } from './wasm.js';

/** A reference kernel the wide one falls back to (same `run` contract). */
interface RefKernel {
  run(x: RawInput, opts?: KernelOptions): RawOutput;
}

/** Which product computation a layer uses (see the module comment). */
export type WidePath = 'small' | 'narrow' | 'general';

/** Result of {@link analyzeWideMac}. */
export interface WideMacAnalysis {
  nIn: number;
  nOut: number;
  /** s = F_x + F_w − F_accum. */
  shift: number;
  /** 2^(s−1) for AP_RND with s > 0, else 0. */
  half: bigint;
  accum: FixedType;
  modular: boolean;
  path: WidePath;
  /** Common trailing zero bits of the weights (narrow path). */
  tz: number;
  /** Weights, Keras layout `i·nOut + j` (weight_ternary mapped to −1/0/+1). */
  w: BigInt64Array;
  /** `(accum)bias[j]` and the overflow events of those conversions (per output vector). */
  biasAcc: BigInt64Array;
  biasWrapped: number;
  biasSaturated: number;
  /** Per output, as doubles (bounds only): Σ positive weights, Σ |negative weights|, non-zeros, |bias|. */
  posW: Float64Array;
  negW: Float64Array;
  nnz: Float64Array;
  biasAbs: Float64Array;
  wMax: number;
  wMin: number;
}

const fits = (t: FixedType, bits: number) => (t.signed ? t.W <= bits : t.W <= bits - 1);
const big = (v: number | bigint) => (typeof v === 'bigint' ? v : BigInt(v));

/**
 * Can the wide engine compute this Dense / Conv core exactly, and how.
 *
 * @example const a = analyzeWideMac({ nIn, nOut, types, weights, bias });
 */
export function analyzeWideMac(L: { nIn: number; nOut: number; types: DenseTypes; weights: ArrayLike<number | bigint>; bias: ArrayLike<number | bigint>; product?: string }): WideMacAnalysis | { reason: string } {
  const { nIn, nOut, types: t } = L;
  if (!wasmSimdAvailable()) return { reason: 'no WebAssembly SIMD' };
  for (const k of ['input', 'weight', 'bias', 'accum'] as const) if (!fits(t[k], 64)) return { reason: `${k} type wider than 64 bits` };
  const ternary = L.product === 'weight_ternary';
  if (L.product !== undefined && L.product !== 'mult' && !ternary) return { reason: `product ${L.product}` };
  const shift = frac(t.input) + (ternary ? 0 : frac(t.weight)) - frac(t.accum);
  if (shift > 0 && t.accum.Q !== 'AP_TRN' && t.accum.Q !== 'AP_RND') return { reason: `product rounding ${t.accum.Q}` };
  if (shift >= 126 || shift <= -64) return { reason: `product shift ${shift}` };
  if (!requant128Ok({ fromFrac: frac(t.accum), to: t.result }, t.accum.W)) return { reason: 'result conversion' };
  const half = shift > 0 && t.accum.Q === 'AP_RND' ? 1n << BigInt(shift - 1) : 0n;
  const w = new BigInt64Array(nIn * nOut);
  const posW = new Float64Array(nOut);
  const negW = new Float64Array(nOut);
  const nnz = new Float64Array(nOut);
  let wMax = 0;
  let wMin = 0;
  let tz = 64;
  let wBits = 0;
  for (let i = 0; i < nIn * nOut; i++) {
    let v = big(L.weights[i]!);
    if (ternary) v = v === 0n ? 0n : v === -1n ? -1n : 1n;
    w[i] = v;
    const j = i % nOut;
    const d = Number(v);
    if (d > 0) posW[j]! += d;
    else if (d < 0) negW[j]! -= d;
    if (v !== 0n) {
      nnz[j]!++;
      let z = 0;
      while (((v >> BigInt(z)) & 1n) === 0n) z++;
      tz = Math.min(tz, z);
    }
    if (d > wMax) wMax = d;
    if (d < wMin) wMin = d;
  }
  if (tz === 64) tz = 0;
  for (let i = 0; i < w.length; i++) {
    const m = w[i]! >> BigInt(tz);
    const b = (m < 0n ? -m - 1n : m).toString(2).length + 1;
    if (b > wBits) wBits = b;
  }
  const biasAcc = new BigInt64Array(nOut);
  const biasAbs = new Float64Array(nOut);
  let biasWrapped = 0;
  let biasSaturated = 0;
  for (let j = 0; j < nOut; j++) {
    const [v, ev] = requantizeBigEvent(big(L.bias[j]!), frac(t.bias), t.accum);
    biasAcc[j] = BigInt.asIntN(64, v);
    biasAbs[j] = Math.abs(Number(v));
    if (ev === CastEvent.Wrapped) biasWrapped++;
    else if (ev === CastEvent.Saturated) biasSaturated++;
  }
  const path: WidePath = fits(t.input, 32) && (ternary || fits(t.weight, 32)) ? 'small' : wBits <= 32 ? 'narrow' : 'general';
  return {
    nIn,
    nOut,
    shift,
    half,
    accum: t.accum,
    modular: t.accum.O === 'AP_WRAP' && t.accum.N === 0,
    path,
    tz: path === 'narrow' ? tz : 0,
    w,
    biasAcc,
    biasWrapped,
    biasSaturated,
    posW,
    negW,
    nnz,
    biasAbs,
    wMax,
    wMin,
  };
}

/** Relative safety margin of the float64 bound arithmetic (each sum rounds at most nIn times). */
const MARGIN = 2 ** -30;

/**
 * True when, for inputs in `[xmin, xmax]` (doubles that may have been rounded to nearest), no
 * product conversion and no partial sum can leave accum_t's range in any order — checked with a
 * margin that covers the rounding of every double involved.
 *
 * @example provablyNoOverflowWide(a, 0, 2 ** 40)
 */
export function provablyNoOverflowWide(a: WideMacAnalysis, xmin: number, xmax: number): boolean {
  const acc = a.accum;
  const lo = acc.signed ? -(2 ** (acc.W - 1)) : 0;
  const hi = acc.signed ? 2 ** (acc.W - 1) - 1 : 2 ** acc.W - 1;
  const sym = acc.O === 'AP_SAT_SYM' && acc.signed && acc.W > 1;
  const lim = (v: number) => v * (1 - MARGIN) - 2;
  const HI = lim(hi);
  const LO = -lim(-(sym ? lo + 1 : lo));
  const up = (v: number) => v * (1 + MARGIN) + 2;
  const X = up(Math.max(Math.abs(xmin), Math.abs(xmax)));
  const sc = 2 ** -a.shift;
  const pMax = up(Math.max(-a.wMin, a.wMax) * X * sc);
  if (pMax > HI || -pMax < LO) return false;
  const ap = up(Math.max(xmax, 0)) * sc;
  const an = up(Math.max(-xmin, 0)) * sc;
  for (let j = 0; j < a.nOut; j++) {
    const b = a.biasAbs[j]!;
    const u = up(b + a.posW[j]! * ap + a.negW[j]! * an + a.nnz[j]!);
    const d = up(b + a.posW[j]! * an + a.negW[j]! * ap + a.nnz[j]!);
    if (u > HI || -d < LO) return false;
  }
  return true;
}

interface Layout {
  /** i32 event count (0), i64 max |acc| (8), i64 input min (16) and max (24). */
  stats: number;
  bias: number;
  w: number;
  runs: number;
  runsPerPixel: number;
  /** Input: f64 staging (`stage`) and the i64 values (`x64`); the split / narrowed copies (`xa`, `xb`). */
  stage: number;
  x64: number;
  xa: number;
  xb: number;
  acc: number;
  res: number;
  end: number;
}

/** The compiled engine of one wide layer. */
interface WideParts {
  stage: Float64Array;
  x64: BigInt64Array;
  ld: (fromF64: number) => void;
  mod: () => void;
  fin: (stats: number) => number;
  statsI64: BigInt64Array;
  resF64?: Float64Array;
  resI64?: BigInt64Array;
}

/** Outputs per block of the SIMD paths: 16 (eight i64x2 accumulators) on the small path, 8 on the narrow one (more registers per lane pair). */
const lanesOf = (a: WideMacAnalysis) => (a.path === 'small' ? 16 : 8);

function buildWide(a: WideMacAnalysis, g: MacGeometry, types: DenseTypes): WideParts {
  const F = a.nOut;
  const kc = g.kSize * g.C;
  const SL = lanesOf(a);
  const Fp = Math.ceil(F / 16) * 16;
  const probe = tapRuns(g.taps, g.nPix, g.kSize, g.C, 0);
  const R = probe.perPixel;
  const nXp = Math.ceil(g.nX / 4) * 4 + 4;
  const lay: Layout = { stats: 0, bias: 64, w: 0, runs: 0, runsPerPixel: R, stage: 0, x64: 0, xa: 0, xb: 0, acc: 0, res: 0, end: 0 };
  lay.w = align16(lay.bias + Fp * 8);
  // small: w (i32); narrow: w' (i32) then K = w'·2^31 (i64); general: w (i64)
  const wBytes = a.path === 'general' ? kc * Fp * 8 : a.path === 'narrow' ? kc * Fp * 12 + 16 : kc * Fp * 4;
  lay.runs = align16(lay.w + wBytes);
  lay.stage = align16(lay.runs + probe.runs.length * 4);
  lay.x64 = align16(lay.stage + nXp * 8);
  lay.xa = align16(lay.x64 + nXp * 8);
  lay.xb = align16(lay.xa + nXp * 4);
  lay.acc = align16(lay.xb + nXp * 4);
  lay.res = align16(lay.acc + g.nPix * Fp * 8);
  const resWide = types.result.W > 53;
  lay.end = align16(lay.res + g.nPix * F * 8);
  // Runs hold byte offsets of the input value (relative: the paths scale them to their arrays).
  const { runs } = tapRuns(g.taps, g.nPix, g.kSize, g.C, 0);
  const funcs = [
    { name: 'ld', params: [I32], results: [], ...emitLoad(a, lay, nXp) },
    { name: 'mod', params: [], results: [], ...(a.path === 'general' ? emitScalar(a, g, Fp, lay) : emitSimd(a, g, Fp, lay)) },
    { name: 'fin', params: [I32], results: [I32], ...emitFinish(a, g, Fp, lay, types) },
  ].map((f) => ({ name: f.name, params: f.params, results: f.results, locals: f.fn.locals, body: f.fn.c }));
  const ex = instantiateKernel(lay.end, funcs as never);
  const mem = ex.mem.buffer;
  new BigInt64Array(mem, lay.bias, F).set(a.biasAcc);
  // Weights: small → i32 [block][kc][8 lanes]; narrow → i32 (w >> tz) [f][kc]; general → i64 [f][kc].
  if (a.path === 'small') {
    const w32 = new Int32Array(mem, lay.w, kc * Fp);
    for (let b = 0; b < Fp; b += SL) for (let r = 0; r < kc; r++) for (let l = 0; l < SL; l++) w32[b * kc + r * SL + l] = b + l < F ? Number(a.w[r * F + b + l]!) : 0;
  } else if (a.path === 'narrow') {
    const w32 = new Int32Array(mem, lay.w, kc * Fp);
    const k64 = new BigInt64Array(mem, narrowK(lay, kc, Fp), kc * Fp);
    const tz = BigInt(a.tz);
    for (let b = 0; b < Fp; b += SL) {
      for (let r = 0; r < kc; r++) {
        for (let l = 0; l < SL; l++) {
          const v = b + l < F ? a.w[r * F + b + l]! >> tz : 0n;
          w32[b * kc + r * SL + l] = Number(v);
          k64[b * kc + r * SL + l] = v << 31n;
        }
      }
    }
  } else {
    const w64 = new BigInt64Array(mem, lay.w, kc * Fp);
    for (let f = 0; f < F; f++) for (let r = 0; r < kc; r++) w64[f * kc + r] = a.w[r * F + f]!;
  }
  new Int32Array(mem, lay.runs, runs.length).set(runs);
  return {
    stage: new Float64Array(mem, lay.stage, g.nX),
    x64: new BigInt64Array(mem, lay.x64, g.nX),
    ld: ex.ld as (m: number) => void,
    mod: ex.mod as () => void,
    fin: ex.fin as (s: number) => number,
    statsI64: new BigInt64Array(mem, 0, 4),
    ...(resWide ? { resI64: new BigInt64Array(mem, lay.res, g.nPix * F) } : { resF64: new Float64Array(mem, lay.res, g.nPix * F) }),
  };
}

/**
 * `ld(fromF64)`: the input into the i64 array (from the f64 staging area when `fromF64`), its
 * min / max, and the copies the path reads: small → int32 values (`xa`); narrow → the halves
 * `xl − 2^31` (`xa`, with xl = x mod 2^32) and `xh = x >> 32` (`xb`), both signed 32-bit.
 */
function emitLoad(a: WideMacAnalysis, lay: Layout, nXp: number): { fn: Fn } {
  const f = new Fn(1);
  const c = f.c;
  const I = f.local(I32);
  const V = f.local(I64);
  const MN = f.local(I64);
  const MX = f.local(I64);
  c.loop();
  emitInputI64(c, I, lay.stage, lay.x64, V);
  emitMinMaxI64(c, V, MN, MX);
  if (a.path === 'small') {
    c.get(I).i32Const(4).i32Mul().get(V).op(I64OP.wrapToI32).i32Store(lay.xa);
  } else if (a.path === 'narrow') {
    // x = xh·2^32 + xl: xa = xl − 2^31 (signed 32-bit), xb = xh = x >> 32
    c.get(I).i32Const(4).i32Mul().get(V).op(I64OP.wrapToI32).i32Const(-0x80000000).op(0x73).i32Store(lay.xa); // i32.xor
    c.get(I).i32Const(4).i32Mul().get(V).i64Const(32).op(I64OP.shrS).op(I64OP.wrapToI32).i32Store(lay.xb);
  }
  c.get(I).i32Const(1).i32Add().tee(I).i32Const(nXp).op(0x48).brIf(0); // i32.lt_s
  c.end();
  c.i32Const(0).get(MN).i64Store(16);
  c.i32Const(0).get(MX).i64Store(24);
  return { fn: f };
}

/** Byte offset of the narrow path's K = w'·2^31 table (after the w' table). */
function narrowK(lay: Layout, kc: number, Fp: number): number {
  return align16(lay.w + kc * Fp * 4);
}

/** The first locals of the MAC paths: the pixel counter and the run-table pointers of {@link emitPixelLoop} / {@link emitRunLoop}. */
function loopLocals(f: Fn): { O: number; TP: number; TK: number; K: number } {
  return { O: f.local(I32), TP: f.local(I32), TK: f.local(I32), K: f.local(I32) };
}

/**
 * The SIMD paths, i64x2 lanes, eight outputs per block (four accumulators), sums modulo 2^64:
 *
 * * small: `p = x·w` exact in 64 bits (`extmul` of 32-bit raws), `q = (p + half) >> s`;
 * * narrow: `x·w' = xh·w'·2^32 + xl·w'` with `xl·w' = (xl − 2^31)·w' + K` (K = w'·2^31 from a
 *   table: both extmul operands signed), then `q = floor((x·w' + half') / 2^s')` by nested floors
 *   (s' = s − tz).
 *
 * Shifts are logical where only the bits below 64 matter for the W_accum-bit sum, else arithmetic.
 */
function emitSimd(a: WideMacAnalysis, g: MacGeometry, Fp: number, lay: Layout): { fn: Fn } {
  const f = new Fn(0);
  const c = f.c;
  const kc = g.kSize * g.C;
  const { O, TP, TK, K } = loopLocals(f);
  const XP = f.local(I32);
  const CC = f.local(I32);
  const WP = f.local(I32);
  const KP = f.local(I32);
  const OP = f.local(I32);
  const BL = f.local(I32);
  const XV = f.local(V128);
  const XH = f.local(V128);
  const W4 = f.local(V128);
  const HALF = f.local(V128);
  const T1 = f.local(V128);
  const SL = lanesOf(a);
  const NV = SL / 4; // i32x4 weight vectors per row of a block
  const ACC = Array.from({ length: 2 * NV }, () => f.local(V128));
  const narrow = a.path === 'narrow';
  const s = narrow ? a.shift - a.tz : a.shift;
  const Wa = a.accum.W;
  const R = lay.runsPerPixel;
  const kOff = narrowK(lay, kc, Fp);
  // Constant added before the final shift (the rounding half, placed where the formula needs it).
  let halfC = 0n;
  if (a.half !== 0n && s > 0) halfC = narrow ? (s < 32 ? 1n << BigInt(s - 1) : s === 32 ? 1n << 31n : 1n << BigInt(s - 33)) : a.half;
  if (halfC !== 0n && halfC < 1n << 62n) c.i64Const(halfC).simd(SIMD.i64x2Splat).set(HALF);
  const shr = (k: number, logicalOk: boolean) => c.i32Const(Math.min(63, k)).simd(logicalOk && k < 64 ? SIMD.i64x2ShrU : SIMD.i64x2ShrS);
  const ONE = f.local(V128);
  const TMP = f.local(V128);
  c.i64Const(1).simd(SIMD.i64x2Splat).set(ONE);
  /** floor((v + 2^(k−1)) / 2^k) without the addition (which could overflow): (v >> k) + bit k−1 of v. */
  const roundShr = (k: number) => {
    c.tee(TMP).i32Const(Math.min(63, k)).simd(SIMD.i64x2ShrS);
    c.get(TMP).i32Const(Math.min(63, k - 1)).simd(SIMD.i64x2ShrS).get(ONE).simd(SIMD.and).simd(SIMD.i64x2Add);
  };
  /** The product conversion on the stack: [T0 (narrow: xl·w'; small: p)] → q; narrow reads T1. */
  const conv = () => {
    if (!narrow) {
      if (halfC !== 0n && s > 62) return roundShr(s);
      if (halfC !== 0n) c.get(HALF).simd(SIMD.i64x2Add);
      if (s > 0) shr(s, s + Wa <= 64);
      else if (s < 0) c.i32Const(Math.min(-s, 63)).simd(SIMD.i64x2Shl);
      if (s <= -64) c.i64Const(0).simd(SIMD.i64x2Splat).simd(SIMD.and);
      return;
    }
    if (s <= 0) {
      // ((T1 << 32) + T0) << −s
      c.get(T1).i32Const(32).simd(SIMD.i64x2Shl).simd(SIMD.i64x2Add);
      if (s < 0) c.i32Const(Math.min(-s, 63)).simd(SIMD.i64x2Shl);
      if (s <= -64) c.i64Const(0).simd(SIMD.i64x2Splat).simd(SIMD.and);
    } else if (s < 32) {
      // (T1 << (32 − s)) + ((T0 + half') >> s)
      if (halfC !== 0n) c.get(HALF).simd(SIMD.i64x2Add);
      shr(s, s + Wa <= 64);
      c.get(T1).i32Const(32 - s).simd(SIMD.i64x2Shl).simd(SIMD.i64x2Add);
    } else if (s === 32) {
      if (halfC !== 0n) c.get(HALF).simd(SIMD.i64x2Add);
      shr(32, 32 + Wa <= 64);
      c.get(T1).simd(SIMD.i64x2Add);
    } else {
      // (T1 + (T0 >> 32) + half') >> (s − 32)
      c.i32Const(32).simd(SIMD.i64x2ShrS).get(T1).simd(SIMD.i64x2Add);
      if (halfC !== 0n && s > 94) roundShr(s - 32);
      else {
        if (halfC !== 0n) c.get(HALF).simd(SIMD.i64x2Add);
        shr(s - 32, s - 32 + Wa <= 64);
      }
    }
  };
  emitPixelLoop(c, { O, TP, OP }, { at: lay.runs, step: R * 12 }, { at: lay.acc, step: Fp * 8 }, g.nPix, () => {
    c.i32Const(0).set(BL);
    c.loop(); // blocks of 8 outputs
    for (let v = 0; v < 2 * NV; v++) c.get(BL).i32Const(8 * SL).i32Mul().v128Load(lay.bias + 16 * v).set(ACC[v]!);
    emitRunLoop(
      c,
      { TP, TK, K, CC },
      R,
      () => {
        c.get(TK).i32Load(0).set(XP); // byte offset of an int32 value in xa / xb
        c.get(TK).i32Load(4).get(BL).i32Const(kc).i32Mul().i32Add().set(WP); // weight row index
        if (narrow) c.get(WP).i32Const(8 * SL).i32Mul().i32Const(kOff).i32Add().set(KP);
        c.get(WP).i32Const(4 * SL).i32Mul().i32Const(lay.w).i32Add().set(WP);
      },
      () => {
        c.get(XP).load32Splat(lay.xa).set(XV);
        if (narrow) c.get(XP).load32Splat(lay.xb).set(XH);
        for (let h = 0; h < NV; h++) {
          c.get(WP).v128Load(16 * h).set(W4);
          for (let j = 0; j < 2; j++) {
            const A = ACC[2 * h + j]!;
            const ext = j === 0 ? SIMD.i64x2ExtmulLowI32x4S : SIMD.i64x2ExtmulHighI32x4S;
            c.get(A);
            if (narrow) {
              c.get(XH).get(W4).simd(ext).set(T1);
              c.get(XV).get(W4).simd(ext).get(KP).v128Load(32 * h + 16 * j).simd(SIMD.i64x2Add);
            } else c.get(XV).get(W4).simd(ext);
            conv();
            c.simd(SIMD.i64x2Add).set(A);
          }
        }
        c.addTo(WP, 4 * SL);
        if (narrow) c.addTo(KP, 8 * SL);
        c.addTo(XP, 4);
      },
    );
    for (let v = 0; v < 2 * NV; v++) c.get(OP).get(BL).i32Const(8 * SL).i32Mul().i32Add().get(ACC[v]!).v128Store(16 * v);
    c.nextUntil(BL, Fp / SL);
    c.end(); // blocks
  });
  return { fn: f };
}

/**
 * The general path (scalar): for each pixel and output, the runs of the pixel, one product
 * conversion per value (see the module comment), sums modulo 2^64.
 */
function emitScalar(a: WideMacAnalysis, g: MacGeometry, Fp: number, lay: Layout): { fn: Fn } {
  const f = new Fn(0);
  const c = f.c;
  const kc = g.kSize * g.C;
  const { O, TP, TK, K } = loopLocals(f);
  const XI = f.local(I32);
  const CC = f.local(I32);
  const WP = f.local(I32);
  const OP = f.local(I32);
  const FO = f.local(I32);
  const ACC = f.local(I64);
  const Q = f.local(I64);
  const R = lay.runsPerPixel;
  const s = a.shift;
  const wsz = 8;
  // One product's conversion into Q (mod 2^64), from the value index XI and the weight at WP:
  // the full 128-bit product, the rounding half added, the 64-bit window at s.
  const X = f.local(I64);
  const W = f.local(I64);
  const HH = f.local(I64);
  const HL = f.local(I64);
  const { hi, lo } = { hi: f.local(I64), lo: f.local(I64) };
  const emitQ = () => {
    c.get(XI).i32Const(8).i32Mul().i64Load(lay.x64).set(X);
    c.get(WP).i64Load(lay.w).set(W);
    emitMul128(f, X, W, { hi, lo });
    if (s <= 0) {
      c.get(lo);
      if (-s < 64) c.i64Const(-s).op(I64OP.shl);
      else c.i64Const(0).op(I64OP.mul);
    } else {
      if (a.half !== 0n) {
        c.i64Const(BigInt.asIntN(64, a.half >> 64n)).set(HH);
        c.i64Const(BigInt.asIntN(64, a.half)).set(HL);
        emitAdd128(f, hi, lo, HH, HL);
      }
      if (s < 64) c.get(lo).i64Const(s).op(I64OP.shrU).get(hi).i64Const(64 - s).op(I64OP.shl).op(I64OP.or);
      else if (s === 64) c.get(hi);
      else c.get(hi).i64Const(Math.min(63, s - 64)).op(I64OP.shrS);
    }
    c.set(Q);
  };
  emitPixelLoop(c, { O, TP, OP }, { at: lay.runs, step: R * 12 }, { at: lay.acc, step: Fp * 8 }, g.nPix, () => {
    c.i32Const(0).set(FO);
    c.loop(); // outputs
    c.get(FO).i32Const(8).i32Mul().i64Load(lay.bias).set(ACC);
    emitRunLoop(
      c,
      { TP, TK, K, CC },
      R,
      () => {
        c.get(TK).i32Load(0).i32Const(4).op(0x6d).set(XI); // byte offset / 4 = value index
        c.get(TK).i32Load(4).get(FO).i32Const(kc).i32Mul().i32Add().i32Const(wsz).i32Mul().set(WP);
      },
      () => {
        emitQ();
        c.get(ACC).get(Q).op(I64OP.add).set(ACC);
        c.addTo(WP, wsz);
        c.addTo(XI, 1);
      },
    );
    c.get(OP).get(FO).i32Const(8).i32Mul().i32Add().get(ACC).i64Store(0);
    c.nextUntil(FO, a.nOut);
    c.end(); // outputs
  });
  return { fn: f };
}

/**
 * `fin(stats)`: each accumulator wrapped to W_accum, converted to result_t and stored (f64 or i64);
 * with `stats`, the result overflows are counted (returned) and max |acc| stored at 8.
 */
function emitFinish(a: WideMacAnalysis, g: MacGeometry, Fp: number, lay: Layout, types: DenseTypes): { fn: Fn } {
  const f = new Fn(1);
  const c = f.c;
  const F = a.nOut;
  const O = f.local(I32);
  const FO = f.local(I32);
  const RP = f.local(I32);
  const V = f.local(I64);
  const HI = f.local(I64);
  const T = f.local(I64);
  const EV = f.local(I32);
  const CNT = f.local(I32);
  const MAG = f.local(I64);
  const MX = f.local(I64);
  const acc = a.accum;
  const resWide = types.result.W > 53;
  c.i32Const(lay.res).set(RP);
  c.loop(); // pixels
  c.i32Const(0).set(FO);
  c.loop(); // outputs
  c.get(O).i32Const(Fp * 8).i32Mul().get(FO).i32Const(8).i32Mul().i32Add().i64Load(lay.acc);
  if (acc.W < 64) c.i64Const(64 - acc.W).op(I64OP.shl).i64Const(64 - acc.W).op(acc.signed ? I64OP.shrS : I64OP.shrU);
  c.set(V);
  c.get(V).i64Const(63).op(I64OP.shrS).set(HI);
  c.get(0).if();
  emitMaxMagnitude(c, V, HI, MAG, MX);
  c.end();
  emitRequant128(f, { fromFrac: frac(acc), to: types.result }, HI, V, T, EV);
  c.get(CNT).get(EV).i32Add().set(CNT);
  c.get(RP).get(T);
  emitStoreResult(c, resWide, 0);
  c.addTo(RP, 8);
  c.nextUntil(FO, F);
  c.end(); // outputs
  c.nextUntil(O, g.nPix);
  c.end(); // pixels
  c.i32Const(0).get(MX).i64Store(8);
  c.get(CNT);
  return { fn: f };
}

/**
 * A Dense / Conv kernel on the wide engine, with exactly the reference's results and report.
 *
 * @example const k = new WideMacKernel('dense1', analysis, geom, types, refKernel);
 */
export class WideMacKernel {
  readonly name: string;
  /** Calls per run mode since construction (for tests and benchmarks). */
  readonly modeCounts = { modular: 0, proven: 0, reference: 0 };
  readonly path: WidePath;
  private readonly a: WideMacAnalysis;
  private readonly e: WideParts;
  private readonly types: DenseTypes;
  private readonly ref: RefKernel;
  private readonly nX: number;
  private readonly nOutVals: number;
  private readonly nPix: number;
  private readonly reuse: boolean;
  private readonly outBuf: OutputBuffer;
  private readonly xLo: bigint;
  private readonly xHi: bigint;
  private readonly perm?: Int32Array;
  private readonly resultEvent: 'wrapped' | 'saturated';

  constructor(name: string, a: WideMacAnalysis, g: MacGeometry, types: DenseTypes, ref: RefKernel, options: FastOptions & { perm?: Int32Array } = {}) {
    this.name = name;
    this.a = a;
    this.path = a.path;
    this.types = types;
    this.ref = ref;
    this.nX = g.nX;
    this.nPix = g.nPix;
    this.nOutVals = g.nPix * a.nOut;
    this.reuse = options.reuseOutput === true;
    this.outBuf = new OutputBuffer(name, this.nOutVals, types.result, this.reuse);
    this.perm = options.perm;
    const t = types.input;
    this.xLo = t.signed ? -(1n << BigInt(t.W - 1)) : 0n;
    this.xHi = t.signed ? (1n << BigInt(t.W - 1)) - 1n : (1n << BigInt(t.W)) - 1n;
    this.resultEvent = types.result.O === 'AP_WRAP' || types.result.O === 'AP_WRAP_SM' ? 'wrapped' : 'saturated';
    this.e = buildWide(a, g, types);
  }

  /** Same contract as the reference kernel's `run`. */
  run(x: RawInput, opts: KernelOptions = {}): RawOutput {
    if (opts.path === 'bigint' || !this.load(x, true)) return this.reference(x, opts);
    return this.compute(x, opts);
  }

  /** {@link run} without input validation (`x` holds valid raws of the input type). */
  runTrusted(x: Float64Array, opts: KernelOptions = {}): RawOutput {
    if (opts.path === 'bigint' || !this.load(x, false)) return this.reference(x, opts);
    return this.compute(x, opts);
  }

  /** Input → engine (validated like the reference's readRaw when `check`); false = let the reference decide. */
  private load(x: RawInput, check: boolean): boolean {
    const n = this.nX;
    if (!x || x.length !== n) return false;
    const p = this.perm;
    if (x instanceof Float64Array && this.types.input.W <= 53) {
      const st = this.e.stage;
      if (check) {
        const lo = Number(this.xLo);
        const hi = Number(this.xHi);
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          if (!(v >= lo && v <= hi) || Math.floor(v) !== v) return false;
        }
      }
      if (p) for (let r = 0; r < n; r++) st[r] = x[p[r]!]!;
      else st.set(x);
      this.e.ld(1);
      return true;
    }
    const x64 = this.e.x64;
    if (x instanceof BigInt64Array && !p) {
      // (a wide kernel's output) copied as is; its range checked from the loader's min / max
      x64.set(x);
      this.e.ld(0);
      if (!check || (this.types.input.signed && this.types.input.W === 64)) return true;
      const s = this.e.statsI64;
      return s[2]! >= this.xLo && s[3]! <= this.xHi;
    } else {
      for (let r = 0; r < n; r++) {
        const e = x[p ? p[r]! : r]!;
        let v: bigint;
        if (typeof e === 'bigint') v = e;
        else if (Number.isInteger(e)) v = BigInt(e);
        else return false;
        if (check && (v < this.xLo || v > this.xHi)) return false;
        x64[r] = v;
      }
    }
    this.e.ld(0);
    return true;
  }

  private reference(x: RawInput, opts: KernelOptions): RawOutput {
    this.modeCounts.reference++;
    return this.ref.run(x, opts);
  }

  private compute(x: RawInput, opts: KernelOptions): RawOutput {
    const st = opts.stats;
    const a = this.a;
    if (st || !a.modular) {
      const s = this.e.statsI64;
      if (!provablyNoOverflowWide(a, Number(s[2]!), Number(s[3]!))) return this.reference(x, opts);
      this.modeCounts.proven++;
    } else this.modeCounts.modular++;
    this.e.mod();
    const events = this.e.fin(st ? 1 : 0);
    if (st) {
      const nPix = this.nPix;
      st.accum.wrapped += nPix * a.biasWrapped;
      st.accum.saturated += nPix * a.biasSaturated;
      st.result[this.resultEvent] += events;
      st.resultCount += this.nOutVals;
      const m = Number(BigInt.asUintN(64, this.e.statsI64[1]!)) * 2 ** -frac(a.accum);
      if (m > st.maxAbsPreResult) st.maxAbsPreResult = m;
    }
    const res = (this.e.resF64 ?? this.e.resI64)!;
    if (opts.out) {
      const out = allocOut(this.name, this.nOutVals, this.types.result, opts.out);
      for (let i = 0; i < this.nOutVals; i++) (out as unknown as { [k: number]: number | bigint })[i] = res[i]!;
      return out;
    }
    if (this.reuse) return res as unknown as RawOutput;
    if (res instanceof Float64Array) {
      const out = this.outBuf.get(opts);
      out.set(res);
      return out;
    }
    return res.slice() as unknown as RawOutput;
  }
}
