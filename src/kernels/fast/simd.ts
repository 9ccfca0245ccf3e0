/**
 * The integer multiply-accumulate engine behind the fast Dense and Conv kernels: for every output
 * pixel o and output channel f,
 *
 *     acc[o][f] = biasAcc[f] + Σ_k Σ_c q(x[taps[o·kSize + k]·C + c] · w[(k·C + c)·F + f])
 *
 * with q the product → accum conversion (`(p + half) >> s`, or `p << −s`), taps < 0 skipped (zero
 * padding). Two run modes (see analysis.ts for when each is exact):
 *
 * * `runModular()` — plain int32 arithmetic modulo 2^32; the caller wraps the sums to W_accum bits.
 * * `runSequential()` — after every product and every addition the value is checked against
 *   accum_t's range, counted and converted (wrap / saturate / zero / symmetric saturate), exactly
 *   as the reference does in the latency order; returns the number of overflow events;
 *
 * plus a finish pass (wrap to W_accum, convert to result_t — every rounding mode, WRAP / SAT /
 * SAT_SYM / SAT_ZERO — and, for the overflow report, count result overflows and track max |acc|).
 *
 * The engine is a WebAssembly SIMD module generated for the layer (all sizes and addresses baked
 * in as constants, 16 output channels per block in four i32x4 accumulators, each output pixel's
 * taps grouped into runs of adjacent input pixels), with a plain JavaScript fallback of identical
 * results when SIMD is unavailable (or when asked, for tests). Layers whose values need more than
 * int32 use the f64-lane engine of simd-f64.ts through the same class.
 */
import { Code, I32, I32X4, SIMD, V128, align16, instantiateKernel, wasmSimdAvailable, type ValType, type WasmFunc } from './wasm.js';
import type { MacAnalysis } from './analysis.js';
import { frac, sameType, type FixedType } from '../../fixed/types.js';
import { buildWasmF64 } from './simd-f64.js';
import { emitRoundUpMask } from './simd-elem.js';
import {
  L_CC,
  L_CLO,
  L_CNT,
  L_HALF,
  L_HI,
  L_K,
  L_LO,
  L_O,
  L_OP,
  L_OV,
  L_Q,
  L_TK,
  L_TP,
  L_WP,
  L_XP,
  L_XV,
  blocksOf,
  emitPixelLoop,
  emitCountCast,
  emitRunLoop,
  emitStoreMaxMin,
  macLocals,
  packBlocks,
  tapRuns,
  type Block,
  type MacLayout,
} from './mac-layout.js';

/** Which pixels feed each output (see ConvWindows in conv.ts); a Dense layer is one pixel, one tap. */
export interface MacGeometry {
  /** Output pixels. */
  nPix: number;
  /** Taps (kernel positions) per output pixel. */
  kSize: number;
  /** Values per tap (input channels; n_in for Dense). */
  C: number;
  /** `nPix × kSize` input pixel indices (value offset = tap·C), −1 = zero. */
  taps: Int32Array;
  /** Length of the input vector. */
  nX: number;
}

/** Which implementation an engine uses. */
export type MacBackend = 'wasm' | 'js';

/**
 * The accum_t → result_t conversion done in the WebAssembly finish pass (no overflow counting):
 * `copy` (same type), or a shift by s = F_accum − F_result with the result's rounding mode and
 * then its overflow mode, all on int32 lanes.
 */
export interface RequantSpec {
  copy: boolean;
  s: number;
  Q: FixedType['Q'];
  kind: 'wrap' | 'sat' | 'satzero';
  W: number;
  signed: boolean;
  min: number;
  max: number;
  /** Lower clamp bound (min, or min+1 for a signed AP_SAT_SYM). */
  clampLo: number;
}

/**
 * Plan the finish-pass conversion of int32 accumulators (W_accum bits, F_accum fractional bits)
 * into `to`, or null when it needs the general converter (AP_WRAP with saturation bits,
 * AP_WRAP_SM, widths over 31 bits, shifts that would overflow int32).
 *
 * @example planRequant(10, 16, fixedType(true, 8, 3), false); // { s: 5, Q: 'AP_TRN', kind: 'wrap', … }
 */
export function planRequant(fa: number, accW: number, to: FixedType, copy: boolean): RequantSpec | null {
  const min = to.signed ? -(2 ** (to.W - 1)) : 0;
  const max = to.signed ? 2 ** (to.W - 1) - 1 : 2 ** to.W - 1;
  const base = { s: 0, Q: to.Q, W: to.W, signed: to.signed, min, max, clampLo: min };
  if (copy) return { ...base, copy: true, kind: 'wrap' };
  if (to.W > 31) return null;
  const s = fa - frac(to);
  if (s > 31 || (s < 0 && accW - s > 31)) return null;
  let kind: RequantSpec['kind'];
  let clampLo = min;
  if (to.O === 'AP_WRAP' && to.N === 0) kind = 'wrap';
  else if (to.O === 'AP_SAT') kind = 'sat';
  else if (to.O === 'AP_SAT_ZERO') kind = 'satzero';
  else if (to.O === 'AP_SAT_SYM') {
    kind = 'sat';
    if (to.signed && to.W > 1) clampLo = min + 1;
    else if (to.signed) return null;
  } else return null;
  return { ...base, copy: false, s, kind, clampLo };
}

/**
 * A prepared MAC engine for one layer.
 *
 * @example
 * const e = new MacEngine(analysis, { nPix: 1, kSize: 1, C: nIn, taps: Int32Array.of(0), nX: nIn });
 * e.x.set(input); e.runModular(); const acc = e.out[j];
 */
export class MacEngine {
  readonly backend: MacBackend;
  /** Output channels and their padded count (multiple of 4). */
  readonly F: number;
  readonly Fp: number;
  readonly geom: MacGeometry;
  /** Input buffer (write the raw input here before a run): int32 or float64 lanes (`lanes`). */
  readonly x: Int32Array | Float64Array;
  /** Output buffer, `nPix × Fp` accumulators (lanes ≥ F are padding). */
  readonly out: Int32Array | Float64Array;
  /** Lane representation (see analysis.ts). */
  readonly lanes: 'i32' | 'f64';
  /** With a finish pass: the results (`nPix × F` raws of result_t) it writes. */
  readonly results?: Float64Array;
  /** int32 WebAssembly engines: a double staging area for the input (see {@link loadStaged}). */
  readonly stage?: Float64Array;
  private readonly ld?: () => void;
  private readonly rangeSlot?: Int32Array;
  private readonly a: MacAnalysis;
  private readonly mod: () => number;
  private readonly seq?: () => number;
  /** The sequential kernel without product checks (for calls whose products cannot overflow). */
  private readonly seqs?: () => number;
  /** That kernel runs on 16-bit lanes (see {@link seq16Ok}). */
  readonly narrowSequential: boolean = false;
  private readonly fin?: () => number;
  private readonly fins?: () => number;
  private readonly statSlots?: { mx: Int32Array | Float64Array; mn: Int32Array | Float64Array };

  /**
   * @param backend 'wasm' (default when WebAssembly SIMD is available) or 'js' (int32 lanes only)
   * @param finish the accum → result conversion to compile into a finish pass (wasm only)
   * @throws Error when the requested back end cannot run this layer (f64 lanes need wasm)
   */
  constructor(a: MacAnalysis, g: MacGeometry, backend?: MacBackend, finish?: { accum: FixedType; result: FixedType }) {
    this.a = a;
    this.geom = g;
    this.F = a.nOut;
    this.lanes = a.lanes;
    this.backend = backend ?? (wasmSimdAvailable() ? 'wasm' : 'js');
    const fa = finish ? frac(finish.accum) : 0;
    if (a.lanes === 'f64') {
      if (this.backend !== 'wasm' || !wasmSimdAvailable()) throw new Error('f64-lane MAC engine needs WebAssembly SIMD');
      this.Fp = Math.ceil(a.nOut / 2) * 2;
      const m = buildWasmF64(a, g, this.Fp, finish ? { ...finish, fa } : undefined);
      this.x = m.x;
      this.out = m.out;
      this.mod = m.mod;
      this.seq = m.seq;
      this.fin = m.fin;
      this.fins = m.fins;
      this.statSlots = m.stats;
      this.results = m.results;
      return;
    }
    this.Fp = Math.ceil(a.nOut / 4) * 4;
    if (this.backend === 'wasm') {
      const spec = finish ? planRequant(fa, finish.accum.W, finish.result, sameType(finish.accum, finish.result)) : null;
      const m = buildWasm(a, g, this.Fp, spec ?? undefined);
      this.stage = m.stage;
      this.ld = m.ld;
      this.rangeSlot = m.range;
      this.x = m.x;
      this.out = m.out;
      this.mod = m.mod;
      this.seq = m.seq;
      this.seqs = m.seqs;
      this.narrowSequential = m.seq16;
      this.fin = m.fin;
      this.fins = m.fins;
      this.statSlots = m.stats;
      this.results = m.results;
    } else {
      const x = new Int32Array(g.nX);
      const out = new Int32Array(g.nPix * this.Fp);
      this.x = x;
      this.out = out;
      const w = packJs(a, g, this.Fp);
      this.mod = () => jsModular(a, g, this.Fp, w, x, out);
      if (a.seq) this.seq = () => jsSequential(a, g, this.Fp, w, x, out);
    }
  }

  /**
   * Convert the staged input ({@link stage}: valid int32-range integers) into {@link x} in
   * WebAssembly; returns the input's [min, max] (0 included).
   *
   * @example e.stage!.set(input); const [lo, hi] = e.loadStaged();
   */
  loadStaged(): [number, number] {
    this.ld!();
    const r = this.rangeSlot!;
    return [Math.min(r[4]!, r[5]!, r[6]!, r[7]!), Math.max(r[0]!, r[1]!, r[2]!, r[3]!)];
  }

  /** Modular run (int32 wrap-around sums). @example e.runModular(); */
  runModular(): void {
    this.mod();
  }

  /**
   * Sequential run with per-step conversions; returns the overflow events. `productsSafe`: no
   * product conversion can overflow in this call (then only the additions are checked).
   *
   * @example const ev = e.runSequential();
   */
  runSequential(productsSafe = false): number {
    if (!this.seq) throw new Error('sequential MAC kernel not available for this layer');
    return productsSafe && this.seqs ? this.seqs() : this.seq();
  }

  /** Whether {@link runSequential} is available. */
  get hasSequential(): boolean {
    return this.seq !== undefined;
  }

  /**
   * Finish pass: wrap the accumulators to W_accum bits, convert them to result_t and store them
   * as doubles in {@link results}. Returns false when the engine has no finish pass.
   *
   * @example if (e.runFinish()) out.set(e.results!);
   */
  runFinish(): boolean {
    if (!this.fin) return false;
    this.fin();
    return true;
  }

  /**
   * Finish pass that also reports, for the overflow statistics, the number of result overflows and
   * the largest |accumulator| (raw, after the wrap to W_accum). Null without a finish pass.
   *
   * @example const s = e.runFinishStats(); // { events: 0, maxAbs: 23456 }
   */
  runFinishStats(): { events: number; maxAbs: number } | null {
    if (!this.fins) return null;
    const events = this.fins();
    const { mx, mn } = this.statSlots!;
    let m = 0;
    for (let l = 0; l < mx.length; l++) m = Math.max(m, mx[l]!, -mn[l]!);
    return { events, maxAbs: m };
  }
}

// ---------------------------------------------------------------------------------------------
// WebAssembly SIMD back end
// ---------------------------------------------------------------------------------------------

/** Output lanes per block: four i32x4 accumulators. */
const BLOCK = 16;
const blocks = (Fp: number, kc: number): Block[] => blocksOf(Fp, kc, BLOCK, 4);

// Local indices after the common ones (mac-layout.ts).
const L_Q2 = L_CLO + 1;
const L_ACC = L_CLO + 2;
const LOCALS: ValType[] = macLocals(13);

interface Layout extends MacLayout {
  /** f64 staging area of the input (converted to int32 into `x` by `ld`), and the input range slot. */
  stage: number;
  range: number;
  /** Run entries per pixel (see {@link tapRuns}). */
  runsPerPixel: number;
}

/**
 * `t = requant(v)` on i32x4 locals (see {@link RequantSpec}); `r`, `u` are scratch locals. With
 * `cnt`, lanes that overflow the result type (after rounding) are counted there (−1 per event).
 */
function emitRequant(c: Code, q: RequantSpec, v: number, t: number, r: number, u: number, cnt?: number): void {
  if (q.copy) {
    c.get(v).set(t);
    return;
  }
  const s = q.s;
  if (s > 0) {
    c.get(v).i32Const(s).simd(SIMD.i32x4ShrS).set(t);
    if (q.Q !== 'AP_TRN') {
      const half = 2 ** (s - 1);
      c.get(v).splatConst(2 ** s - 1).simd(SIMD.and).set(r); // remainder in [0, 2^s)
      emitRoundUpMask(c, q.Q, v, r, half, I32X4, {
        geHalf: () => c.get(r).splatConst(half - 1).simd(SIMD.i32x4GtS),
        odd: () => c.get(t).splatConst(1).simd(SIMD.and).splatConst(1).simd(SIMD.i32x4Eq),
      });
      c.set(u);
      c.get(t).get(u).simd(SIMD.i32x4Sub).set(t); // u = −1 where rounding up
    }
  } else if (s < 0) c.get(v).i32Const(-s).simd(SIMD.i32x4Shl).set(t);
  else c.get(v).set(t);
  // u = −1 in the lanes outside the result's range
  const outside = () => c.get(t).splatConst(q.max).simd(SIMD.i32x4GtS).get(t).splatConst(q.min).simd(SIMD.i32x4LtS).simd(SIMD.or).set(u);
  if (cnt !== undefined) {
    outside();
    c.get(cnt).get(u).simd(SIMD.i32x4Sub).set(cnt);
  }
  switch (q.kind) {
    case 'wrap':
      if (q.W < 32) c.get(t).wrapI32x4(q.W, q.signed).set(t);
      break;
    case 'sat':
      c.get(t).splatConst(q.max).simd(SIMD.i32x4MinS).splatConst(q.clampLo).simd(SIMD.i32x4MaxS).set(t);
      break;
    case 'satzero':
      outside();
      c.get(t).get(u).simd(SIMD.andnot).set(t);
      break;
  }
}

/**
 * The finish pass: accumulators (wrapped to W_accum) → result_t raws as doubles, `nPix × F`.
 * With `stats`: also the lane-wise max / min of the accumulators (stored at `lay.stats`) and the
 * number of result overflows (returned).
 */
function emitFinish(a: MacAnalysis, g: MacGeometry, Fp: number, lay: Layout, q: RequantSpec, stats = false): Code {
  const c = new Code();
  const O = 0;
  const IP = 1;
  const FP = 2;
  const V = 3;
  const T = 4;
  const R = 5;
  const U = 6;
  const CNT = 7;
  const MX = 8;
  const MN = 9;
  const F = a.nOut;
  const Wa = a.accum.W;
  // per pixel: the accumulators (IP) → the results (FP)
  emitPixelLoop(c, { O, TP: IP, OP: FP }, { at: lay.out, step: Fp * 4 }, { at: lay.f64, step: F * 8 }, g.nPix, () => {
    for (let grp = 0; grp < Fp / 4; grp++) {
      c.get(IP).v128Load(16 * grp).set(V);
      if (Wa < 32) c.get(V).wrapI32x4(Wa, a.accum.signed).set(V);
      if (stats) {
        c.get(MX).get(V).simd(SIMD.i32x4MaxS).set(MX);
        c.get(MN).get(V).simd(SIMD.i32x4MinS).set(MN);
      }
      emitRequant(c, q, V, T, R, U, stats ? CNT : undefined);
      c.get(FP).get(T).simd(SIMD.f64x2ConvertLowI32x4S).v128Store(32 * grp);
      c.get(FP).get(T).get(T).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]).simd(SIMD.f64x2ConvertLowI32x4S).v128Store(32 * grp + 16);
    }
  });
  if (stats) {
    emitStoreMaxMin(c, lay.stats, MX, MN);
    c.sumI32x4(CNT);
  } else c.i32Const(0);
  return c;
}

/**
 * Emit: count an overflow of `v` (CNT −= −1 per lane that leaves accum_t's range) and convert it.
 * For wrap and (non-symmetric) saturation the converted value differs from `v` exactly when `v`
 * overflowed, so one comparison of the two counts the event; the other modes compare with the range.
 */
function emitCheck(c: Code, a: MacAnalysis, local: number): void {
  const k = a.accum.kind;
  if ((k === 'wrap' && a.accum.W < 32) || k === 'sat') {
    c.get(local);
    if (k === 'wrap') c.wrapI32x4(a.accum.W, a.accum.signed);
    else c.get(L_HI).simd(SIMD.i32x4MinS).get(L_CLO).simd(SIMD.i32x4MaxS);
    c.tee(L_OV).get(local).simd(SIMD.i32x4Ne).set(L_Q2);
    c.get(L_CNT).get(L_Q2).simd(SIMD.i32x4Sub).set(L_CNT);
    c.get(L_OV).set(local);
    return;
  }
  emitCountCast(c, k, local, I32X4, (l) => {
    if (a.accum.W < 32) c.get(l).wrapI32x4(a.accum.W, a.accum.signed).set(l);
  });
}

/**
 * True when the sequential kernel can keep the accumulators in 16-bit lanes (eight per vector):
 * a wrap or saturate accumulator whose values (and the sum of two) fit, and few enough steps per
 * pixel for 16-bit event counters. Used for calls whose products cannot overflow.
 */
export function seq16Ok(a: MacAnalysis, kc: number): boolean {
  const acc = a.accum;
  if (a.lanes !== 'i32' || !a.seq || kc > 16000) return false;
  if (acc.kind !== 'wrap' && acc.kind !== 'sat') return false;
  return acc.signed ? acc.W <= 16 : acc.W <= 14;
}

/**
 * The loops of the MAC kernels: per output pixel and block of 16 lanes (V i32x4 weight vectors per
 * row), `init(b, V)`, then per input value of the pixel's runs `value(V)` (L_XV holds the value
 * splatted, L_WP points at its weight row), then `store(b, V)`; `pixel()` ends each pixel.
 */
function emitMacLoops(g: MacGeometry, Fp: number, lay: Layout, c: Code, k: { init(b: Block, V: number): void; value(V: number): void; store(b: Block, V: number): void; pixel?(): void }): void {
  const tapsLocals = { TP: L_TP, TK: L_TK, K: L_K, CC: L_CC };
  emitPixelLoop(c, { O: L_O, TP: L_TP, OP: L_OP }, { at: lay.taps, step: lay.runsPerPixel * 12 }, { at: lay.out, step: Fp * 4 }, g.nPix, () => {
    for (const b of blocks(Fp, g.kSize * g.C)) {
      const V = b.lanes / 4;
      k.init(b, V);
      emitRunLoop(
        c,
        tapsLocals,
        lay.runsPerPixel,
        () => {
          c.get(L_TK).i32Load(0).set(L_XP);
          c.get(L_TK).i32Load(4).i32Const(16 * V).i32Mul().i32Const(lay.w + b.wOff).i32Add().set(L_WP);
        },
        () => {
          c.get(L_XP).load32Splat().set(L_XV);
          k.value(V);
          c.addTo(L_WP, 16 * V);
          c.addTo(L_XP, 4);
        },
      );
      k.store(b, V);
    }
    k.pixel?.();
  });
}

/** Push the converted product q(x · w) of weight vector v of the current row (int32 lanes). */
function emitProduct(c: Code, a: MacAnalysis, v: number): void {
  c.get(L_XV).get(L_WP).v128Load(16 * v).simd(SIMD.i32x4Mul);
  if (a.half !== 0) c.get(L_HALF).simd(SIMD.i32x4Add);
  if (a.shift > 0) c.i32Const(a.shift).simd(SIMD.i32x4ShrS);
  else if (a.shift < 0) c.i32Const(-a.shift).simd(SIMD.i32x4Shl);
}

/**
 * The sequential kernel on 16-bit lanes (see {@link seq16Ok}), for calls whose product
 * conversions provably stay in accum_t's range: products and their conversion in 32 bits, narrowed
 * (exactly) to 16, then per step one add, the conversion (a 16-bit wrap is the add itself; a
 * 16-bit saturation is `add_sat`), one comparison with the unconverted sum and one count. Counts are
 * 16-bit per pixel and summed into 32-bit lanes after each pixel.
 */
function emitKernelSeq16(a: MacAnalysis, g: MacGeometry, Fp: number, lay: Layout): Code {
  const c = new Code();
  const acc = a.accum;
  const full = acc.W === 16; // 16-bit signed: i16x8.add wraps, add_sat saturates, exactly as accum_t
  const CNT16 = L_OV;
  if (a.half !== 0) c.splatConst(a.half).set(L_HALF);
  c.splat16(acc.max).set(L_HI);
  c.splat16(acc.lo).set(L_CLO);
  emitMacLoops(g, Fp, lay, c, {
    init(b, V) {
      for (let j = 0; j < Math.ceil(V / 2); j++) {
        c.i32Const(0).v128Load(lay.bias + (b.lane0 + 8 * j) * 4);
        if (2 * j + 1 < V) c.i32Const(0).v128Load(lay.bias + (b.lane0 + 8 * j + 4) * 4);
        else c.splatConst(0);
        c.simd(SIMD.i16x8NarrowI32x4S).set(L_ACC + j);
      }
    },
    value(V) {
      for (let j = 0; j < Math.ceil(V / 2); j++) {
        emitProduct(c, a, 2 * j);
        if (2 * j + 1 < V) emitProduct(c, a, 2 * j + 1);
        else c.splatConst(0);
        c.simd(SIMD.i16x8NarrowI32x4S).set(L_Q); // exact: the products are in accum_t's range
        const A = L_ACC + j;
        if (full) {
          c.get(A).get(L_Q).simd(acc.kind === 'wrap' ? SIMD.i16x8Add : SIMD.i16x8AddSatS).set(L_Q2);
          c.get(A).get(L_Q).simd(acc.kind === 'wrap' ? SIMD.i16x8AddSatS : SIMD.i16x8Add).get(L_Q2).simd(SIMD.i16x8Ne);
        } else {
          c.get(A).get(L_Q).simd(SIMD.i16x8Add).set(L_Q); // exact: |acc|, |q| < 2^15 / 2
          c.get(L_Q);
          if (acc.kind === 'wrap') c.i32Const(16 - acc.W).simd(SIMD.i16x8Shl).i32Const(16 - acc.W).simd(acc.signed ? SIMD.i16x8ShrS : SIMD.i16x8ShrU);
          else c.get(L_HI).simd(SIMD.i16x8MinS).get(L_CLO).simd(SIMD.i16x8MaxS);
          c.tee(L_Q2).get(L_Q).simd(SIMD.i16x8Ne);
        }
        // CNT16 −= mask (−1 per event)
        c.set(L_Q).get(CNT16).get(L_Q).simd(SIMD.i16x8Sub).set(CNT16);
        c.get(L_Q2).set(A);
      }
    },
    store(b, V) {
      for (let v = 0; v < V; v++) {
        c.get(L_OP).get(L_ACC + (v >> 1)).simd(v % 2 === 0 ? SIMD.i32x4ExtendLowI16x8S : SIMD.i32x4ExtendHighI16x8S).v128Store((b.lane0 + 4 * v) * 4);
      }
    },
    pixel() {
      // Per pixel: the 16-bit counts into the 32-bit ones.
      c.get(L_CNT).get(CNT16).simd(SIMD.i32x4ExtaddPairwiseI16x8S).simd(SIMD.i32x4Add).set(L_CNT);
      c.splatConst(0).set(CNT16);
    },
  });
  c.sumI32x4(L_CNT);
  return c;
}

/**
 * `ld`: the staged input (doubles holding integers in int32 range) → int32 `x`, four values per
 * step, and the lane-wise max / min of the values (0 included) into the range slot.
 */
function emitLoad(lay: Layout, nXp: number): Code {
  const c = new Code();
  const I = 0;
  const V = 1;
  const MX = 2;
  const MN = 3;
  c.loop();
  c.get(I).get(I).i32Add().v128Load(lay.stage).simd(SIMD.i32x4TruncSatF64x2SZero);
  c.get(I).get(I).i32Add().v128Load(lay.stage + 16).simd(SIMD.i32x4TruncSatF64x2SZero);
  c.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]).set(V);
  c.get(I).get(V).v128Store(lay.x);
  c.get(MX).get(V).simd(SIMD.i32x4MaxS).set(MX);
  c.get(MN).get(V).simd(SIMD.i32x4MinS).set(MN);
  c.get(I).i32Const(16).i32Add().tee(I).i32Const(nXp * 4).op(0x48).brIf(0); // i32.lt_s
  c.end();
  emitStoreMaxMin(c, lay.range, MX, MN);
  return c;
}

/**
 * The MAC kernel. `sequential`: in-order conversions and counts after every addition, and — unless
 * `checkProducts` is false (the caller knows no product conversion can overflow) — after every product.
 */
function emitKernel(a: MacAnalysis, g: MacGeometry, Fp: number, lay: Layout, sequential: boolean, checkProducts = true): Code {
  const c = new Code();
  if (a.half !== 0) c.splatConst(a.half).set(L_HALF);
  if (sequential) {
    c.splatConst(a.accum.min).set(L_LO);
    c.splatConst(a.accum.max).set(L_HI);
    c.splatConst(a.accum.lo).set(L_CLO);
  }
  // Runs: per pixel R entries (x byte address, weight row, length in values); a run covers
  // consecutive taps whose input pixels are adjacent, so its values and weight rows are contiguous.
  emitMacLoops(g, Fp, lay, c, {
    init(b, V) {
      for (let v = 0; v < V; v++) c.i32Const(0).v128Load(lay.bias + (b.lane0 + 4 * v) * 4).set(L_ACC + v);
    },
    value(V) {
      for (let v = 0; v < V; v++) {
        if (!sequential) c.get(L_ACC + v);
        emitProduct(c, a, v);
        if (!sequential) {
          c.simd(SIMD.i32x4Add).set(L_ACC + v);
        } else {
          if (checkProducts) {
            c.set(L_Q);
            emitCheck(c, a, L_Q);
            c.get(L_Q);
          }
          c.get(L_ACC + v).simd(SIMD.i32x4Add).set(L_ACC + v);
          emitCheck(c, a, L_ACC + v);
        }
      }
    },
    store(b, V) {
      for (let v = 0; v < V; v++) c.get(L_OP).get(L_ACC + v).v128Store((b.lane0 + 4 * v) * 4);
    },
  });
  // CNT −= OV with OV = −1 on overflow: the lanes hold the counts; return their sum.
  if (sequential) c.sumI32x4(L_CNT);
  else c.i32Const(0);
  return c;
}

interface WasmParts {
  stage: Float64Array;
  ld: () => void;
  range: Int32Array;
  x: Int32Array;
  out: Int32Array;
  mod: () => number;
  seq?: () => number;
  seqs?: () => number;
  seq16: boolean;
  fin?: () => number;
  fins?: () => number;
  results?: Float64Array;
  stats: { mx: Int32Array | Float64Array; mn: Int32Array | Float64Array };
}

function buildWasm(a: MacAnalysis, g: MacGeometry, Fp: number, finish?: RequantSpec): WasmParts {
  const kc = g.kSize * g.C;
  const lay: Layout = { stage: 0, range: 32, bias: 0, w: 0, taps: 0, x: 0, out: 0, f64: 0, stats: 0, end: 0, runsPerPixel: 0 };
  lay.stats = 0;
  lay.bias = 64;
  const nXp = Math.ceil(g.nX / 4) * 4;
  lay.w = align16(lay.bias + Fp * 4);
  lay.taps = align16(lay.w + kc * Fp * 4);
  // Runs hold absolute x addresses: size them first (x comes after them).
  const probe = tapRuns(g.taps, g.nPix, g.kSize, g.C, 0);
  lay.runsPerPixel = probe.perPixel;
  lay.x = align16(lay.taps + probe.runs.length * 4);
  const { runs } = tapRuns(g.taps, g.nPix, g.kSize, g.C, lay.x);
  lay.out = align16(lay.x + nXp * 4);
  lay.f64 = align16(lay.out + g.nPix * Fp * 4);
  // The finish pass stores whole lane groups: up to 3 doubles past the last result.
  lay.stage = align16(lay.f64 + (finish ? (g.nPix * a.nOut + 4) * 8 : 0));
  lay.end = align16(lay.stage + nXp * 8);
  const funcs: WasmFunc[] = [
    { name: 'mod', params: [], results: [I32], locals: LOCALS, body: emitKernel(a, g, Fp, lay, false) },
    { name: 'ld', params: [], results: [], locals: [I32, V128, V128, V128], body: emitLoad(lay, nXp) },
  ];
  if (a.seq) {
    funcs.push({ name: 'seq', params: [], results: [I32], locals: LOCALS, body: emitKernel(a, g, Fp, lay, true) });
    funcs.push({ name: 'seqs', params: [], results: [I32], locals: LOCALS, body: emitKernel(a, g, Fp, lay, true, false) });
    if (seq16Ok(a, kc)) funcs.push({ name: 'seq16', params: [], results: [I32], locals: LOCALS, body: emitKernelSeq16(a, g, Fp, lay) });
  }
  if (finish) {
    const locals: ValType[] = [I32, I32, I32, V128, V128, V128, V128, V128, V128, V128];
    funcs.push({ name: 'fin', params: [], results: [I32], locals, body: emitFinish(a, g, Fp, lay, finish) });
    funcs.push({ name: 'fins', params: [], results: [I32], locals, body: emitFinish(a, g, Fp, lay, finish, true) });
  }
  // Identical layers (same code bytes) share one compiled module (compileWasm caches).
  const ex = instantiateKernel(lay.end, funcs);
  const mem = ex.mem.buffer;
  const i32 = new Int32Array(mem);
  i32.set(a.biasAcc, lay.bias / 4);
  packBlocks(new Int32Array(mem, lay.w, kc * Fp), blocks(Fp, kc), kc, a.nOut, a.w);
  i32.set(runs, lay.taps / 4);
  return {
    x: new Int32Array(mem, lay.x, g.nX),
    out: new Int32Array(mem, lay.out, g.nPix * Fp),
    mod: ex.mod as () => number,
    seq: ex.seq as (() => number) | undefined,
    seqs: (ex.seq16 ?? ex.seqs) as (() => number) | undefined,
    seq16: ex.seq16 !== undefined,
    fin: ex.fin as (() => number) | undefined,
    fins: ex.fins as (() => number) | undefined,
    results: finish ? new Float64Array(mem, lay.f64, g.nPix * a.nOut) : undefined,
    stage: new Float64Array(mem, lay.stage, g.nX),
    ld: ex.ld as () => void,
    range: new Int32Array(mem, lay.range, 8),
    stats: { mx: new Int32Array(mem, lay.stats, 4), mn: new Int32Array(mem, lay.stats + 16, 4) },
  };
}

// ---------------------------------------------------------------------------------------------
// JavaScript back end (same layout and results)
// ---------------------------------------------------------------------------------------------

/** Weights padded to Fp lanes: `[kc][Fp]`. */
function packJs(a: MacAnalysis, g: MacGeometry, Fp: number): Int32Array {
  const kc = g.kSize * g.C;
  const w = new Int32Array(kc * Fp);
  for (let r = 0; r < kc; r++) for (let f = 0; f < a.nOut; f++) w[r * Fp + f] = a.w[r * a.nOut + f]!;
  return w;
}

/**
 * The loops of the JavaScript kernels: per output pixel the bias, then for every tap value x and
 * output lane f, `out = step(out, x · w)` (products of int32 values, exact as doubles).
 */
function jsMac(a: MacAnalysis, g: MacGeometry, Fp: number, w: Int32Array, x: Int32Array, out: Int32Array, step: (acc: number, xv: number, wv: number) => number): void {
  const { nPix, kSize, C, taps } = g;
  const bias = a.biasAcc;
  for (let o = 0; o < nPix; o++) {
    const ob = o * Fp;
    for (let f = 0; f < Fp; f++) out[ob + f] = f < a.nOut ? bias[f]! : 0;
    for (let k = 0; k < kSize; k++) {
      const t = taps[o * kSize + k]!;
      if (t < 0) continue;
      for (let c = 0; c < C; c++) {
        const xv = x[t * C + c]!;
        const wb = (k * C + c) * Fp;
        for (let f = 0; f < Fp; f++) out[ob + f] = step(out[ob + f]!, xv, w[wb + f]!);
      }
    }
  }
}

function jsModular(a: MacAnalysis, g: MacGeometry, Fp: number, w: Int32Array, x: Int32Array, out: Int32Array): number {
  const s = a.shift;
  const half = a.half | 0;
  jsMac(a, g, Fp, w, x, out, (acc, xv, wv) => {
    const p = (Math.imul(xv, wv) + half) | 0;
    const q = s > 0 ? p >> s : s < 0 ? p << -s : p;
    return (acc + q) | 0;
  });
  return 0;
}

function jsSequential(a: MacAnalysis, g: MacGeometry, Fp: number, w: Int32Array, x: Int32Array, out: Int32Array): number {
  const s = a.shift;
  const half = a.half;
  const { min, max, lo, kind, W, signed } = a.accum;
  let events = 0;
  const cast = (v: number): number => {
    if (v >= min && v <= max) return kind === 'satsym' && v < lo ? lo : v;
    events++;
    switch (kind) {
      case 'wrap':
        return signed ? (v << (32 - W)) >> (32 - W) : (v << (32 - W)) >>> (32 - W);
      case 'satzero':
        return 0;
      default:
        return v > max ? max : lo;
    }
  };
  jsMac(a, g, Fp, w, x, out, (acc, xv, wv) => {
    const p = xv * wv + half;
    const q = cast(s > 0 ? Math.floor(p / 2 ** s) : p * 2 ** -s);
    return cast(acc + q);
  });
  return events;
}
