/**
 * The float64-lane variant of the MAC engine (simd.ts) for layers whose values do not fit int32
 * but stay exact in float64 (products and sums below 2^53: types up to ~26 bits, wide "auto"
 * accumulators). Same loops with f64x2 lanes, 8 output channels per block:
 *
 * * product conversion `floor((x·w + half) · 2^−s)` (`f64x2.floor` — exact on these integers);
 * * modular: plain exact sums (wrapped to W_accum once by the finish pass or the caller);
 * * sequential: per-step overflow check, count (i64 lane counters) and conversion, with the wrap
 *   computed as `v − floor((v − min) / 2^W) · 2^W` (the identity in range).
 */
import type { MacAnalysis } from './analysis.js';
import type { MacGeometry } from './simd.js';
import { emitRequantF64, elemRequantOk } from './simd-elem.js';
import { Code, F64X2, I32, SIMD, align16, instantiateKernel, type ValType, type WasmFunc } from './wasm.js';
import type { FixedType } from '../../fixed/types.js';
import { L_CC, L_CLO, L_CNT, L_HALF, L_HI, L_K, L_LO, L_O, L_OP, L_OV, L_Q, L_T, L_TK, L_TP, L_WP, L_XP, L_XV, blocksOf, emitCountCast, emitPixelLoop, emitStoreMaxMin, macLocals, packBlocks, type MacLayout } from './mac-layout.js';

// Local indices after the common ones (mac-layout.ts).
const L_SCALE = L_CLO + 1;
const L_MOD = L_CLO + 2;
const L_INVMOD = L_CLO + 3;
const L_NEGMIN = L_CLO + 4;
const L_ACC = L_CLO + 5;
const LOCALS: ValType[] = macLocals(16);

/** Output lanes per block: four f64x2 accumulators. */
const blocks = (Fp: number, kc: number) => blocksOf(Fp, kc, 8, 8);

/** `v = wrap(v)` to W_accum bits (the identity in range). */
function emitWrap(c: Code, local: number): void {
  c.get(local).get(local).get(L_NEGMIN).simd(SIMD.f64x2Add).get(L_INVMOD).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Floor).get(L_MOD).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Sub).set(local);
}

/** OV = (v > HI) | (v < LO); CNT −= OV (i64 lanes); v = cast(v). */
function emitCheck(c: Code, a: MacAnalysis, local: number): void {
  emitCountCast(c, a.accum.kind, local, F64X2, (l) => emitWrap(c, l));
}

function emitPrologue(c: Code, a: MacAnalysis): void {
  const min = a.accum.min;
  c.splatF64(a.half).set(L_HALF);
  c.splatF64(2 ** -a.shift).set(L_SCALE);
  c.splatF64(min).set(L_LO);
  c.splatF64(a.accum.max).set(L_HI);
  c.splatF64(a.accum.lo).set(L_CLO);
  c.splatF64(2 ** a.accum.W).set(L_MOD);
  c.splatF64(2 ** -a.accum.W).set(L_INVMOD);
  c.splatF64(-min).set(L_NEGMIN);
}

function emitKernel(a: MacAnalysis, g: MacGeometry, Fp: number, lay: MacLayout, sequential: boolean): Code {
  const c = new Code();
  const kc = g.kSize * g.C;
  emitPrologue(c, a);
  emitPixelLoop(c, { O: L_O, TP: L_TP, OP: L_OP }, { at: lay.taps, step: g.kSize * 4 }, { at: lay.out, step: Fp * 8 }, g.nPix, () => {
    for (const b of blocks(Fp, kc)) {
      const V = b.lanes / 2;
      for (let v = 0; v < V; v++) c.i32Const(0).v128Load(lay.bias + (b.lane0 + 2 * v) * 8).set(L_ACC + v);
      c.i32Const(lay.w + b.wOff).set(L_WP);
      c.get(L_TP).set(L_TK);
      c.i32Const(0).set(L_K);
      c.loop(); // taps
      c.get(L_TK).i32Load().tee(L_T).i32Const(0).op(0x4e); // i32.ge_s
      c.if();
      c.get(L_T).i32Const(g.C * 8).i32Mul().i32Const(lay.x).i32Add().set(L_XP);
      c.i32Const(g.C).set(L_CC);
      c.loop(); // channels
      c.get(L_XP).load64Splat().set(L_XV);
      for (let v = 0; v < V; v++) {
        if (!sequential) c.get(L_ACC + v);
        c.get(L_XV).get(L_WP).v128Load(16 * v).simd(SIMD.f64x2Mul);
        if (a.shift > 0) {
          if (a.half !== 0) c.get(L_HALF).simd(SIMD.f64x2Add);
          c.get(L_SCALE).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Floor);
        } else if (a.shift < 0) c.get(L_SCALE).simd(SIMD.f64x2Mul);
        if (!sequential) c.simd(SIMD.f64x2Add).set(L_ACC + v);
        else {
          c.set(L_Q);
          emitCheck(c, a, L_Q);
          c.get(L_ACC + v).get(L_Q).simd(SIMD.f64x2Add).set(L_ACC + v);
          emitCheck(c, a, L_ACC + v);
        }
      }
      c.addTo(L_WP, 16 * V);
      c.addTo(L_XP, 8);
      c.countDown(L_CC);
      c.end(); // channels
      c.else();
      c.addTo(L_WP, g.C * 16 * V);
      c.end(); // if
      c.addTo(L_TK, 4);
      c.nextUntil(L_K, g.kSize);
      c.end(); // taps
      for (let v = 0; v < V; v++) c.get(L_OP).get(L_ACC + v).v128Store((b.lane0 + 2 * v) * 8);
    }
  });
  // Lane counters are i64 (−1 per overflow subtracted): sum them, as i32.
  if (sequential) c.sumI64x2(L_CNT);
  else c.i32Const(0);
  return c;
}

/**
 * Finish pass: wrap to W_accum (modular runs), convert to result_t, store `nPix × F` doubles. With
 * `stats`: lane max / min of the accumulators stored at `lay.stats`, result overflows returned.
 */
function emitFinish(a: MacAnalysis, g: MacGeometry, Fp: number, lay: MacLayout, accum: FixedType, result: FixedType, fa: number, stats = false): Code {
  const c = new Code();
  emitPrologue(c, a);
  const V = L_XV;
  const T = L_Q;
  const R = L_OV;
  const M = L_LO; // free here (the prologue's bounds are not used by the finish)
  const CNT = L_CNT;
  const MX = L_ACC;
  const MN = L_ACC + 1;
  const F = a.nOut;
  // per pixel: the accumulators (L_OP) → the results (L_XP)
  emitPixelLoop(c, { O: L_O, TP: L_OP, OP: L_XP }, { at: lay.out, step: Fp * 8 }, { at: lay.f64, step: F * 8 }, g.nPix, () => {
    for (let grp = 0; grp < Fp / 2; grp++) {
      c.get(L_OP).v128Load(16 * grp).set(V);
      emitWrap(c, V);
      if (stats) {
        c.get(MX).get(V).simd(SIMD.f64x2Pmax).set(MX);
        c.get(MN).get(V).simd(SIMD.f64x2Pmin).set(MN);
      }
      emitRequantF64(c, { fromFrac: fa, fromType: accum, to: result }, V, T, R, M, stats ? CNT : undefined);
      c.get(L_XP).get(T).v128Store(16 * grp);
    }
  });
  if (stats) {
    emitStoreMaxMin(c, lay.stats, MX, MN);
    c.sumI64x2(CNT);
  } else c.i32Const(0);
  return c;
}

/** The f64 engine's buffers and entry points. */
export interface F64Parts {
  x: Float64Array;
  out: Float64Array;
  mod: () => number;
  seq?: () => number;
  fin?: () => number;
  fins?: () => number;
  results?: Float64Array;
  stats: { mx: Float64Array; mn: Float64Array };
}

/**
 * Compile the f64-lane engine of a layer (Fp = output channels rounded up to a multiple of 2).
 *
 * @example const e = buildWasmF64(a, geom, 16, { accum, result, fa: 24 });
 */
export function buildWasmF64(a: MacAnalysis, g: MacGeometry, Fp: number, finish?: { accum: FixedType; result: FixedType; fa: number }): F64Parts {
  const kc = g.kSize * g.C;
  const withFin = finish !== undefined && elemRequantOk(finish.result);
  const lay: MacLayout = { stats: 0, bias: 32, w: 0, taps: 0, x: 0, out: 0, f64: 0, end: 0 };
  lay.w = align16(lay.bias + Fp * 8);
  lay.taps = align16(lay.w + kc * Fp * 8);
  lay.x = align16(lay.taps + g.nPix * g.kSize * 4);
  lay.out = align16(lay.x + g.nX * 8);
  lay.f64 = align16(lay.out + g.nPix * Fp * 8);
  lay.end = align16(lay.f64 + (withFin ? (g.nPix * a.nOut + 2) * 8 : 0));
  const funcs: WasmFunc[] = [{ name: 'mod', params: [], results: [I32], locals: LOCALS, body: emitKernel(a, g, Fp, lay, false) }];
  if (a.seq) funcs.push({ name: 'seq', params: [], results: [I32], locals: LOCALS, body: emitKernel(a, g, Fp, lay, true) });
  if (withFin) {
    funcs.push({ name: 'fin', params: [], results: [I32], locals: LOCALS, body: emitFinish(a, g, Fp, lay, finish.accum, finish.result, finish.fa) });
    funcs.push({ name: 'fins', params: [], results: [I32], locals: LOCALS, body: emitFinish(a, g, Fp, lay, finish.accum, finish.result, finish.fa, true) });
  }
  const ex = instantiateKernel(lay.end, funcs);
  const mem = ex.mem.buffer;
  new Float64Array(mem).set(a.biasAcc, lay.bias / 8);
  packBlocks(new Float64Array(mem, lay.w, kc * Fp), blocks(Fp, kc), kc, a.nOut, a.w);
  new Int32Array(mem, lay.taps, g.nPix * g.kSize).set(g.taps.subarray(0, g.nPix * g.kSize));
  return {
    x: new Float64Array(mem, lay.x, g.nX),
    out: new Float64Array(mem, lay.out, g.nPix * Fp),
    mod: ex.mod as () => number,
    seq: ex.seq as (() => number) | undefined,
    fin: ex.fin as (() => number) | undefined,
    fins: ex.fins as (() => number) | undefined,
    results: withFin ? new Float64Array(mem, lay.f64, g.nPix * a.nOut) : undefined,
    stats: { mx: new Float64Array(mem, lay.stats, 2), mn: new Float64Array(mem, lay.stats + 16, 2) },
  };
}
