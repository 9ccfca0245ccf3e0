/**
 * Fast float → ap_fixed cast of network inputs (what `castInputs` / `quantizeArray` compute: the
 * firmware's `input_t(x)`), in WebAssembly SIMD straight from a Float32Array or Float64Array, two
 * values per f64x2 lane pair:
 *
 *     v = x · 2^(F+1);  t = floor(v / 2);  r = v − 2t   (the fraction, doubled; all exact)
 *     q = t (+1 by the rounding mode, from r);  overflow → wrap / saturate / zero, counted
 *
 * Every step is exact for |x · 2^F| < 2^51. Values outside that range, NaN / ±Inf, doubles so
 * small that the reference takes its careful path, and the modes whose handling of a zero differs
 * (AP_TRN_ZERO) or needs bit surgery (AP_WRAP with saturation bits, AP_WRAP_SM) are not done here:
 * {@link FastInputCast.cast} then reports failure and the caller runs the reference cast (same
 * values, same counts, same errors). The sign of a −0 input is kept where the reference keeps it
 * (AP_TRN with AP_WRAP).
 */
import type { CastStats } from '../../fixed/quantize.js';
import { frac, type FixedType } from '../../fixed/types.js';
import { emitRequantF64 } from './simd-elem.js';
import { Code, I32, SIMD, V128, assembleModule, compileWasm, instantiateWasm, wasmSimdAvailable, type ValType } from './wasm.js';

/** Values per wasm call. */
const CHUNK = 8192;
const FLAG = 0;
const IN = 16;
const OUT = IN + CHUNK * 8 + 16;
const END = OUT + CHUNK * 8 + 16;

/**
 * A compiled input cast for one fixed-point type.
 *
 * @example
 * const c = FastInputCast.create(parseFixedType('ap_fixed<16,6>'));
 * const out = new Float64Array(x.length);
 * if (!c?.cast(x, out, stats)) quantizeArray(x, t, out, stats);
 */
export class FastInputCast {
  private readonly in32: Float32Array;
  private readonly in64: Float64Array;
  private readonly out: Float64Array;
  private readonly flag: Int32Array;
  private readonly run32: (n: number) => number;
  private readonly run64: (n: number) => number;
  private readonly event: 'wrapped' | 'saturated';

  private constructor(mem: ArrayBuffer, run32: (n: number) => number, run64: (n: number) => number, event: 'wrapped' | 'saturated') {
    this.in32 = new Float32Array(mem, IN, CHUNK + 2);
    this.in64 = new Float64Array(mem, IN, CHUNK + 2);
    this.out = new Float64Array(mem, OUT, CHUNK);
    this.flag = new Int32Array(mem, FLAG, 1);
    this.run32 = run32;
    this.run64 = run64;
    this.event = event;
  }

  /** The cast into `t`, or null when this type is not supported here (or there is no WebAssembly SIMD). */
  static create(t: FixedType): FastInputCast | null {
    if (!wasmSimdAvailable() || t.W > 53) return null;
    const F = frac(t);
    if (F > 900 || F < -900) return null;
    if (t.Q === 'AP_TRN_ZERO') return null;
    if (!((t.O === 'AP_WRAP' && t.N === 0) || t.O === 'AP_SAT' || t.O === 'AP_SAT_ZERO' || t.O === 'AP_SAT_SYM')) return null;
    if (t.O === 'AP_SAT_SYM' && t.signed && t.W === 1) return null;
    const keepNegZero = t.Q === 'AP_TRN' && t.O === 'AP_WRAP';
    const body = (f32: boolean): Code => {
      // locals: 0 n (param), 1 i (byte offset into OUT), 2 end; v128: 3 x, 4 v, 5 t, 6 r, 7 m, 8 cnt, 9 ok
      const c = new Code();
      const I = 1;
      const E = 2;
      const X = 3;
      const V = 4;
      const T = 5;
      const R = 6;
      const M = 7;
      const CNT = 8;
      const OK = 9;
      c.v128Const(Array(16).fill(255)).set(OK);
      c.get(0).i32Const(1).i32Add().i32Const(-2).op(0x71).i32Const(8).i32Mul().set(E); // round n up to pairs; i32.and
      c.loop();
      if (f32) c.get(I).i32Const(1).op(0x76).load64Splat(IN).simd(SIMD.f64x2PromoteLowF32x4).set(X); // i32.shr_u: f32 offset = i/2
      else c.get(I).v128Load(IN).set(X);
      c.get(X).splatF64(2 ** (F + 1)).simd(SIMD.f64x2Mul).set(V);
      // ok &= |v| < 2^52 (false for NaN / ±Inf)
      c.get(OK).get(V).simd(SIMD.f64x2Abs).splatF64(2 ** 52).simd(SIMD.f64x2Lt).simd(SIMD.and).set(OK);
      if (!f32) {
        // ok &= x == 0 | (|x| > 2.3e-308 & |v| > 2^-990): the reference's careful path for tiny doubles
        c.get(X).splatF64(0).simd(SIMD.f64x2Eq);
        c.get(X).simd(SIMD.f64x2Abs).splatF64(2.3e-308).simd(SIMD.f64x2Gt).get(V).simd(SIMD.f64x2Abs).splatF64(2 ** -990).simd(SIMD.f64x2Gt).simd(SIMD.and);
        c.simd(SIMD.or).get(OK).simd(SIMD.and).set(OK);
      }
      emitRequantF64(c, { fromFrac: F + 1, fromType: null, to: t }, V, T, R, M, CNT, undefined, keepNegZero);
      c.get(I).get(T).v128Store(OUT);
      c.get(I).i32Const(16).i32Add().tee(I).get(E).op(0x48).brIf(0); // i32.lt_s
      c.end();
      c.i32Const(FLAG).get(OK).simd(SIMD.i64x2AllTrue).i32Store();
      c.get(CNT).op(0xfd, SIMD.i64x2ExtractLane, 0).get(CNT).op(0xfd, SIMD.i64x2ExtractLane, 1).op(0x7c).op(0xa7); // i64.add, i32.wrap_i64
      return c;
    };
    const locals: ValType[] = [I32, I32, V128, V128, V128, V128, V128, V128, V128];
    const ex = instantiateWasm(
      compileWasm(
        assembleModule(Math.ceil(END / 65536), [
          { name: 'run32', params: [I32], results: [I32], locals, body: body(true) },
          { name: 'run64', params: [I32], results: [I32], locals, body: body(false) },
        ]),
      ),
    );
    return new FastInputCast(ex.mem.buffer, ex.run32 as (n: number) => number, ex.run64 as (n: number) => number, t.O === 'AP_WRAP' ? 'wrapped' : 'saturated');
  }

  /**
   * Cast `src` into `out` (same length) and add the overflow events to `stats`. Returns false —
   * with `stats` untouched and `out` partly written — when some value needs the reference cast.
   *
   * @example if (!c.cast(images.subarray(a, b), raw, stats)) quantizeArray(images.subarray(a, b), t, raw, stats);
   */
  cast(src: Float32Array | Float64Array, out: Float64Array, stats?: CastStats): boolean {
    const n = src.length;
    if (out.length < n) return false;
    const f32 = src instanceof Float32Array;
    let events = 0;
    for (let a = 0; a < n; a += CHUNK) {
      const m = Math.min(CHUNK, n - a);
      const part = src.subarray(a, a + m);
      let ev: number;
      if (f32) {
        this.in32.set(part);
        this.in32[m] = 0;
        this.in32[m + 1] = 0;
        ev = this.run32(m);
      } else {
        this.in64.set(part);
        this.in64[m] = 0;
        ev = this.run64(m);
      }
      if (this.flag[0] === 0) return false;
      events += ev;
      out.set(m === CHUNK ? this.out : this.out.subarray(0, m), a);
    }
    if (stats) stats[this.event] += events;
    return true;
  }
}
