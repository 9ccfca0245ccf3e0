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
 *   as the reference does in the latency order; returns the number of overflow events.
 *
 * The engine is a WebAssembly SIMD module generated for the layer (all sizes and addresses baked
 * in as constants, 16 output channels per block in four i32x4 accumulators), with a plain
 * JavaScript fallback of identical results when SIMD is unavailable (or when asked, for tests).
 */
import { Code, I32, SIMD, V128, assembleModule, compileWasm, instantiateWasm, wasmSimdAvailable, type ValType, type WasmFunc, type WasmModule } from './wasm.js';
import type { MacAnalysis } from './analysis.js';

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

const align16 = (n: number) => Math.ceil(n / 16) * 16;

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
  /** Input buffer (write the raw input here before a run). */
  readonly x: Int32Array;
  /** Output buffer, `nPix × Fp` accumulators (lanes ≥ F are padding). */
  readonly out: Int32Array;
  private readonly a: MacAnalysis;
  private readonly mod: () => number;
  private readonly seq?: () => number;

  /**
   * @param backend 'wasm' (default when WebAssembly SIMD is available) or 'js'
   */
  constructor(a: MacAnalysis, g: MacGeometry, backend?: MacBackend) {
    this.a = a;
    this.geom = g;
    this.F = a.nOut;
    this.Fp = Math.ceil(a.nOut / 4) * 4;
    this.backend = backend ?? (wasmSimdAvailable() ? 'wasm' : 'js');
    if (this.backend === 'wasm') {
      const m = buildWasm(a, g, this.Fp);
      this.x = m.x;
      this.out = m.out;
      this.mod = m.mod;
      this.seq = m.seq;
    } else {
      this.x = new Int32Array(g.nX);
      this.out = new Int32Array(g.nPix * this.Fp);
      const w = packJs(a, g, this.Fp);
      this.mod = () => jsModular(a, g, this.Fp, w, this.x, this.out);
      if (a.seq) this.seq = () => jsSequential(a, g, this.Fp, w, this.x, this.out);
    }
  }

  /** Modular run (int32 wrap-around sums). @example e.runModular(); */
  runModular(): void {
    this.mod();
  }

  /** Sequential run with per-step conversions; returns the overflow events. @example const ev = e.runSequential(); */
  runSequential(): number {
    if (!this.seq) throw new Error('sequential MAC kernel not available for this layer');
    return this.seq();
  }

  /** Whether {@link runSequential} is available. */
  get hasSequential(): boolean {
    return this.seq !== undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// WebAssembly SIMD back end
// ---------------------------------------------------------------------------------------------

interface Block {
  lane0: number;
  lanes: number;
  /** Byte offset of the block's packed weights from the weights base. */
  wOff: number;
}

function blocksOf(Fp: number, kc: number): Block[] {
  const out: Block[] = [];
  let off = 0;
  for (let l = 0; l < Fp; l += 16) {
    const lanes = Math.min(16, Fp - l);
    out.push({ lane0: l, lanes, wOff: off });
    off += kc * lanes * 4;
  }
  return out;
}

// Local indices.
const L_O = 0;
const L_TP = 1;
const L_TK = 2;
const L_K = 3;
const L_T = 4;
const L_XP = 5;
const L_CC = 6;
const L_WP = 7;
const L_OP = 8;
const L_XV = 9;
const L_HALF = 10;
const L_CNT = 11;
const L_Q = 12;
const L_OV = 13;
const L_LO = 14;
const L_HI = 15;
const L_CLO = 16;
const L_ACC = 17;
const LOCALS: ValType[] = [I32, I32, I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128];

interface Layout {
  bias: number;
  w: number;
  taps: number;
  x: number;
  out: number;
  end: number;
}

/** Emit `value = cast(value)` for the sequential kernel; OV must hold the overflow lanes. */
function emitCast(c: Code, a: MacAnalysis, local: number): void {
  const acc = a.accum;
  switch (acc.kind) {
    case 'wrap':
      if (acc.W < 32) {
        c.get(local).i32Const(32 - acc.W).simd(SIMD.i32x4Shl).i32Const(32 - acc.W).simd(acc.signed ? SIMD.i32x4ShrS : SIMD.i32x4ShrU).set(local);
      }
      break;
    case 'sat':
    case 'satsym':
      c.get(local).get(L_HI).simd(SIMD.i32x4MinS).get(L_CLO).simd(SIMD.i32x4MaxS).set(local);
      break;
    case 'satzero':
      c.get(local).get(L_OV).simd(SIMD.andnot).set(local);
      break;
    default:
      throw new Error('unsupported accumulator overflow mode');
  }
}

/** Emit: OV = (v > HI) | (v < LO); CNT -= OV; v = cast(v). */
function emitCheck(c: Code, a: MacAnalysis, local: number): void {
  c.get(local).get(L_HI).simd(SIMD.i32x4GtS).get(local).get(L_LO).simd(SIMD.i32x4LtS).simd(SIMD.or).set(L_OV);
  c.get(L_CNT).get(L_OV).simd(SIMD.i32x4Sub).set(L_CNT);
  emitCast(c, a, local);
}

function emitKernel(a: MacAnalysis, g: MacGeometry, Fp: number, lay: Layout, sequential: boolean): Code {
  const c = new Code();
  const kc = g.kSize * g.C;
  const blocks = blocksOf(Fp, kc);
  if (a.half !== 0) c.splatConst(a.half).set(L_HALF);
  if (sequential) {
    c.splatConst(a.accum.min).set(L_LO);
    c.splatConst(a.accum.max).set(L_HI);
    c.splatConst(a.accum.lo).set(L_CLO);
  }
  c.i32Const(lay.taps).set(L_TP);
  c.i32Const(lay.out).set(L_OP);
  c.loop(); // pixels
  for (const b of blocks) {
    const V = b.lanes / 4;
    for (let v = 0; v < V; v++) c.i32Const(0).v128Load(lay.bias + (b.lane0 + 4 * v) * 4).set(L_ACC + v);
    c.i32Const(lay.w + b.wOff).set(L_WP);
    c.get(L_TP).set(L_TK);
    c.i32Const(0).set(L_K);
    c.loop(); // taps
    c.get(L_TK).i32Load().tee(L_T).i32Const(0).op(0x4e); // i32.ge_s
    c.if();
    c.get(L_T).i32Const(g.C * 4).i32Mul().i32Const(lay.x).i32Add().set(L_XP);
    c.i32Const(g.C).set(L_CC);
    c.loop(); // channels
    c.get(L_XP).load32Splat().set(L_XV);
    for (let v = 0; v < V; v++) {
      if (!sequential) c.get(L_ACC + v);
      c.get(L_XV).get(L_WP).v128Load(16 * v).simd(SIMD.i32x4Mul);
      if (a.half !== 0) c.get(L_HALF).simd(SIMD.i32x4Add);
      if (a.shift > 0) c.i32Const(a.shift).simd(SIMD.i32x4ShrS);
      else if (a.shift < 0) c.i32Const(-a.shift).simd(SIMD.i32x4Shl);
      if (!sequential) {
        c.simd(SIMD.i32x4Add).set(L_ACC + v);
      } else {
        c.set(L_Q);
        emitCheck(c, a, L_Q);
        c.get(L_ACC + v).get(L_Q).simd(SIMD.i32x4Add).set(L_ACC + v);
        emitCheck(c, a, L_ACC + v);
      }
    }
    c.get(L_WP).i32Const(16 * V).i32Add().set(L_WP);
    c.get(L_XP).i32Const(4).i32Add().set(L_XP);
    c.get(L_CC).i32Const(1).i32Sub().tee(L_CC).brIf(0);
    c.end(); // channels
    c.else();
    c.get(L_WP).i32Const(g.C * 16 * V).i32Add().set(L_WP);
    c.end(); // if
    c.get(L_TK).i32Const(4).i32Add().set(L_TK);
    c.get(L_K).i32Const(1).i32Add().tee(L_K).i32Const(g.kSize).op(0x47).brIf(0); // i32.ne
    c.end(); // taps
    for (let v = 0; v < V; v++) c.get(L_OP).get(L_ACC + v).v128Store((b.lane0 + 4 * v) * 4);
  }
  c.get(L_TP).i32Const(g.kSize * 4).i32Add().set(L_TP);
  c.get(L_OP).i32Const(Fp * 4).i32Add().set(L_OP);
  c.get(L_O).i32Const(1).i32Add().tee(L_O).i32Const(g.nPix).op(0x47).brIf(0);
  c.end(); // pixels
  if (sequential) {
    // CNT −= OV with OV = −1 on overflow: the lanes hold the counts; return their sum.
    c.get(L_CNT).extractLane(0);
    for (let l = 1; l < 4; l++) c.get(L_CNT).extractLane(l).i32Add();
  } else c.i32Const(0);
  return c;
}

const moduleCache = new Map<string, WasmModule>();

function buildWasm(a: MacAnalysis, g: MacGeometry, Fp: number): { x: Int32Array; out: Int32Array; mod: () => number; seq?: () => number } {
  const kc = g.kSize * g.C;
  const lay: Layout = { bias: 0, w: 0, taps: 0, x: 0, out: 0, end: 0 };
  lay.w = align16(Fp * 4);
  lay.taps = align16(lay.w + kc * Fp * 4);
  lay.x = align16(lay.taps + g.nPix * g.kSize * 4);
  lay.out = align16(lay.x + g.nX * 4);
  lay.end = align16(lay.out + g.nPix * Fp * 4);
  const pages = Math.max(1, Math.ceil(lay.end / 65536));
  const funcs: WasmFunc[] = [{ name: 'mod', params: [], results: [I32], locals: LOCALS, body: emitKernel(a, g, Fp, lay, false) }];
  if (a.seq) funcs.push({ name: 'seq', params: [], results: [I32], locals: LOCALS, body: emitKernel(a, g, Fp, lay, true) });
  const bytes = assembleModule(pages, funcs);
  // Identical layers (same code bytes) share one compiled module.
  const key = Buffer.from(bytes).toString('base64');
  let mod = moduleCache.get(key);
  if (!mod) {
    mod = compileWasm(bytes);
    if (moduleCache.size > 64) moduleCache.clear();
    moduleCache.set(key, mod);
  }
  const ex = instantiateWasm(mod);
  const mem = ex.mem.buffer;
  const i32 = new Int32Array(mem);
  // bias
  i32.set(a.biasAcc, lay.bias / 4);
  // packed weights per block: [kc][lane]
  for (const b of blocksOf(Fp, kc)) {
    const base = (lay.w + b.wOff) / 4;
    for (let r = 0; r < kc; r++) {
      for (let l = 0; l < b.lanes; l++) {
        const f = b.lane0 + l;
        i32[base + r * b.lanes + l] = f < a.nOut ? a.w[r * a.nOut + f]! : 0;
      }
    }
  }
  i32.set(g.taps.subarray(0, g.nPix * g.kSize), lay.taps / 4);
  return {
    x: new Int32Array(mem, lay.x, g.nX),
    out: new Int32Array(mem, lay.out, g.nPix * Fp),
    mod: ex.mod as () => number,
    seq: ex.seq as (() => number) | undefined,
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

function jsModular(a: MacAnalysis, g: MacGeometry, Fp: number, w: Int32Array, x: Int32Array, out: Int32Array): number {
  const { nPix, kSize, C, taps } = g;
  const s = a.shift;
  const half = a.half | 0;
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
        for (let f = 0; f < Fp; f++) {
          const p = (Math.imul(xv, w[wb + f]!) + half) | 0;
          const q = s > 0 ? p >> s : s < 0 ? p << -s : p;
          out[ob + f] = (out[ob + f]! + q) | 0;
        }
      }
    }
  }
  return 0;
}

function jsSequential(a: MacAnalysis, g: MacGeometry, Fp: number, w: Int32Array, x: Int32Array, out: Int32Array): number {
  const { nPix, kSize, C, taps } = g;
  const s = a.shift;
  const half = a.half;
  const { min, max, lo, kind, W, signed } = a.accum;
  const bias = a.biasAcc;
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
  for (let o = 0; o < nPix; o++) {
    const ob = o * Fp;
    for (let f = 0; f < Fp; f++) out[ob + f] = f < a.nOut ? bias[f]! : 0;
    for (let k = 0; k < kSize; k++) {
      const t = taps[o * kSize + k]!;
      if (t < 0) continue;
      for (let c = 0; c < C; c++) {
        const xv = x[t * C + c]!;
        const wb = (k * C + c) * Fp;
        for (let f = 0; f < Fp; f++) {
          const p = xv * w[wb + f]! + half;
          const q = cast(s > 0 ? Math.floor(p / 2 ** s) : p * 2 ** -s);
          out[ob + f] = cast(out[ob + f]! + q);
        }
      }
    }
  }
  return events;
}
