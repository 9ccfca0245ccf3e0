/**
 * WebAssembly SIMD max pooling over a window table: for every output pixel o and channel c,
 * `out[o·C + c] = max_k (taps[o·kSize + k] < 0 ? pad : x[taps[o·kSize + k]·C + c])`, two channels
 * per f64x2 lane pair (`f64x2.pmax`, branch-free). Raw mantissas are integers stored as doubles,
 * so the maximum is exact; the conversions after it (input → accum → result) are applied per output
 * in SIMD. Used by pooling.ts when those conversions cannot change the order of values.
 */
import { Code, I32, SIMD, V128, align16, wasmSimdAvailable, type ValType } from './wasm.js';
import { F64Kernel, compileF64Kernel, elemRequantOk, emitF64StatsEnd, emitRequantF64 } from './simd-elem.js';
import type { FixedType } from '../../fixed/types.js';

/** The two conversions after the max: input → accum, accum → result (null = a copy). */
export interface PoolCasts {
  toAcc: { fromFrac: number; fromType: FixedType; to: FixedType } | null;
  toRes: { fromFrac: number; fromType: FixedType; to: FixedType } | null;
}

/**
 * A compiled max-pooling kernel with its own memory: write the input into `x`, call `run()`
 * (or `runStats()`), read `out`. {@link runStats} reports the result-conversion overflows and the
 * largest |accumulator| (raw) — valid when the input → accum conversion cannot overflow (it is not
 * counted).
 *
 * @example
 * const k = MaxPoolEngine.create(taps, nPix, kSize, C, nIn, 0);
 * if (k) { k.x.set(input); k.run(); use(k.out); }
 */
export class MaxPoolEngine extends F64Kernel {
  /**
   * Build the kernel, or null without WebAssembly SIMD (or with a conversion the f64 requantizer
   * does not support).
   */
  static create(taps: Int32Array, nPix: number, kSize: number, C: number, nIn: number, pad: number, casts: PoolCasts = { toAcc: null, toRes: null }): MaxPoolEngine | null {
    if (!wasmSimdAvailable()) return null;
    if ((casts.toAcc && !elemRequantOk(casts.toAcc.to)) || (casts.toRes && !elemRequantOk(casts.toRes.to))) return null;
    const T = 16;
    const X = align16(T + nPix * kSize * 4);
    // One spare lane after the input and the output: odd channel counts read/write a pair past the end.
    const OUT = align16(X + (nIn + 2) * 8);
    const END = align16(OUT + (nPix * C + 2) * 8);
    const O = 0;
    const TP = 1;
    const OP = 2;
    const G = 3;
    const K = 4;
    const TK = 5;
    const TT = 6;
    const ACC = 7;
    const V = 8;
    const PAD = 9;
    const NEG = 10;
    const T1 = 11;
    const T2 = 12;
    const R = 13;
    const M = 14;
    const CNT = 15;
    const MX = 16;
    const LANE0 = 17;
    const body = (stats: boolean): Code => {
      const c = new Code();
      c.v128Const([255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0]).set(LANE0);
      c.splatF64(pad).set(PAD);
      c.splatF64(-Infinity).set(NEG);
      c.i32Const(T).set(TP);
      c.i32Const(OUT).set(OP);
      c.loop(); // pixels
      // One channel pair (byte offset G); `tail`: an odd C's last channel, whose second lane is
      // the next pixel's first channel — written (then overwritten) but kept out of the statistics.
      const pair = (tail: boolean) => {
        c.get(NEG).set(ACC);
        c.get(TP).set(TK);
        c.i32Const(0).set(K);
        c.loop(); // taps
        c.get(TK).i32Load().tee(TT).i32Const(0).op(0x4e); // i32.ge_s
        c.if();
        c.get(TT).i32Const(C * 8).i32Mul().get(G).i32Add().v128Load(X).set(V);
        c.else();
        c.get(PAD).set(V);
        c.end();
        c.get(ACC).get(V).simd(SIMD.f64x2Pmax).set(ACC);
        c.addTo(TK, 4);
        c.nextUntil(K, kSize);
        c.end(); // taps
        let cur = ACC;
        if (casts.toAcc) {
          emitRequantF64(c, casts.toAcc, cur, T1, R, M);
          cur = T1;
        }
        if (stats) {
          c.get(MX).get(cur).simd(SIMD.f64x2Abs);
          if (tail) c.get(LANE0).simd(SIMD.and);
          c.simd(SIMD.f64x2Pmax).set(MX);
        }
        if (casts.toRes) {
          emitRequantF64(c, casts.toRes, cur, T2, R, M, stats ? CNT : undefined, tail ? LANE0 : undefined);
          cur = T2;
        }
        c.get(OP).get(G).i32Add().get(cur).v128Store();
      };
      if (C >= 2) {
        c.i32Const(0).set(G);
        c.loop(); // full channel pairs
        pair(false);
        c.get(G).i32Const(16).i32Add().tee(G).i32Const(Math.floor(C / 2) * 16).op(0x48).brIf(0); // i32.lt_s
        c.end();
      }
      if (C % 2 === 1) {
        c.i32Const((C - 1) * 8).set(G);
        pair(true);
      }
      c.addTo(TP, kSize * 4);
      c.addTo(OP, C * 8);
      c.nextUntil(O, nPix);
      c.end(); // pixels
      if (stats) emitF64StatsEnd(c, MX, CNT);
      return c;
    };
    const k = compileF64Kernel(END, [I32, I32, I32, I32, I32, I32, I32, ...Array<ValType>(11).fill(V128)], body);
    new Int32Array(k.mem, T, nPix * kSize).set(taps.subarray(0, nPix * kSize));
    return new MaxPoolEngine(k, new Float64Array(k.mem, X, nIn), new Float64Array(k.mem, OUT, nPix * C));
  }
}
