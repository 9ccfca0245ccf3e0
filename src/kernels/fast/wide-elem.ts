/**
 * Element-wise kernels and max pooling on wide types, in WebAssembly integer arithmetic (wide.ts):
 *
 *     v = x;  [v = max(v, 0)];  [v = (x · S[i]) << k + B[i]   (128-bit)];  out[i] = (result_t) v
 *
 * for linear / ReLU / BatchNormalization whose values or products do not fit the float64 engine,
 * and `out = (result_t)(accum_t) max_window(x)` for max pooling on raws wider than 53 bits. Inputs
 * come as doubles (≤ 53 bits) or 64-bit integers, outputs as doubles (≤ 53 bits) or a
 * BigInt64Array; with a report, the conversion overflows are counted and the largest |v| kept
 * exactly (as 128 bits) for the caller to round like the reference.
 */
import { frac, sameType, type FixedType } from '../../fixed/types.js';
import { emitAdd128, emitMaxMagnitude, emitMinMaxI64, emitMul128, emitRequant128, emitInputI64, emitStageToI64, emitStoreResult, Fn, requant128Ok } from './wide.js';
import { I32, I64, I64OP, SIMD, V128, align16, instantiateKernel, wasmSimdAvailable, type WasmExports } from './wasm.js';

/** `rng()`: min and max of the n values at `x64` (i64) into the slots at 16 and 24. */
function emitRange(x64: number, n: number): Fn {
  const f = new Fn(0);
  const c = f.c;
  const I = f.local(I32);
  const V = f.local(I64);
  const MN = f.local(I64);
  const MX = f.local(I64);
  c.i64Const((1n << 63n) - 1n).set(MN);
  c.i64Const(-(1n << 63n)).set(MX);
  c.loop();
  c.get(I).i32Const(8).i32Mul().i64Load(x64).set(V);
  emitMinMaxI64(c, V, MN, MX);
  c.get(I).i32Const(1).i32Add().tee(I).i32Const(n).op(0x48).brIf(0);
  c.end();
  c.i32Const(0).get(MN).i64Store(16);
  c.i32Const(0).get(MX).i64Store(24);
  return f;
}

/**
 * Instantiate a wide engine: `run(fromF64, stats)` from `run`, and `rng()` over the n values at
 * `x64` (see {@link emitRange}), in a memory of `end` bytes.
 */
function instantiateWide(end: number, run: Fn, x64: number, n: number): WasmExports {
  const rng = emitRange(x64, n);
  return instantiateKernel(end, [
    { name: 'run', params: [I32, I32], results: [I32], locals: run.locals, body: run.c },
    { name: 'rng', params: [], results: [], locals: rng.locals, body: rng.c },
  ]);
}

/**
 * The buffers and entry points of a wide engine: input as doubles in {@link stage} (W ≤ 53) or as
 * 64-bit integers in {@link x64}; output as doubles or (results over 53 bits) 64-bit integers.
 * The run's largest |value| is stored from byte 0 in `maxWords` 64-bit words (little-endian).
 */
export class WideEngine {
  readonly stage: Float64Array;
  readonly x64: BigInt64Array;
  readonly outF64?: Float64Array;
  readonly outI64?: BigInt64Array;
  private readonly fn: (fromF64: number, stats: number) => number;
  private readonly mx: BigUint64Array;
  private readonly rngFn: () => void;
  private readonly slots: BigInt64Array;

  protected constructor(ex: WasmExports, lay: { stage: number; x64: number; out: number }, nIn: number, nOut: number, wideOut: boolean, maxWords: number) {
    const mem = ex.mem.buffer;
    this.stage = new Float64Array(mem, lay.stage, nIn);
    this.x64 = new BigInt64Array(mem, lay.x64, nIn);
    if (wideOut) this.outI64 = new BigInt64Array(mem, lay.out, nOut);
    else this.outF64 = new Float64Array(mem, lay.out, nOut);
    this.fn = ex.run as (a: number, b: number) => number;
    this.mx = new BigUint64Array(mem, 0, maxWords);
    this.rngFn = ex.rng as () => void;
    this.slots = new BigInt64Array(mem, 16, 2);
  }

  /** Min and max of {@link x64} (computed in WebAssembly). */
  range(): [bigint, bigint] {
    this.rngFn();
    return [this.slots[0]!, this.slots[1]!];
  }

  /**
   * Run on the staged input (`fromF64`) or on {@link x64}; returns the result overflows and, with
   * `stats`, the largest |v| (an exact bigint, raw).
   */
  run(fromF64: boolean, stats: boolean): { events: number; maxAbs: bigint } {
    const events = this.fn(fromF64 ? 1 : 0, stats ? 1 : 0);
    return { events, maxAbs: stats ? this.mx.reduceRight((m, w) => (m << 64n) | w, 0n) : 0n };
  }
}

/** What {@link WideElemEngine} computes (see the module comment). */
export interface WideElemSpec {
  n: number;
  relu: boolean;
  /** Per element: scale S (≤ 64 bits), left shift k of the product, and the aligned bias B (≤ 127 bits). */
  affine: { S: ArrayLike<bigint>; k: number; B: ArrayLike<bigint> } | null;
  /** Input type (raws of at most 64 bits). */
  input: FixedType;
  /** Fractional bits of v. */
  fromFrac: number;
  /** Bits of |v| (≤ 127). */
  bits: number;
  to: FixedType;
}

/** A wide element-wise engine (`maxAbs` of {@link run}: raw with `fromFrac` fractional bits, up to 127 bits). */
export class WideElemEngine extends WideEngine {
  /** The engine, or null (no WebAssembly, or a conversion the wide requantizer does not support). */
  static create(spec: WideElemSpec): WideElemEngine | null {
    if (!wasmSimdAvailable() || spec.input.W > 64 || (!spec.input.signed && spec.input.W > 63)) return null;
    const copy = !spec.affine && sameType(spec.input, spec.to);
    if (!copy && !requant128Ok({ fromFrac: spec.fromFrac, to: spec.to }, spec.bits)) return null;
    if (spec.affine && (spec.affine.k < 0 || spec.affine.k > 126 || spec.bits > 126)) return null;
    const n = spec.n;
    const wideOut = spec.to.W > 53;
    const lay = { stats: 0, stage: 32, x64: 0, s: 0, b: 0, out: 0, end: 0 };
    lay.x64 = align16(lay.stage + n * 8);
    lay.s = align16(lay.x64 + n * 8);
    lay.b = align16(lay.s + (spec.affine ? n * 8 : 0));
    lay.out = align16(lay.b + (spec.affine ? n * 16 : 0));
    lay.end = align16(lay.out + n * 8);
    const f = new Fn(2);
    const c = f.c;
    const I = f.local(I32);
    const X = f.local(I64);
    const HI = f.local(I64);
    const LO = f.local(I64);
    const T = f.local(I64);
    const EV = f.local(I32);
    const CNT = f.local(I32);
    const MH = f.local(I64);
    const ML = f.local(I64);
    const AH = f.local(I64);
    const AL = f.local(I64);
    const S = f.local(I64);
    const BH = f.local(I64);
    const BL = f.local(I64);
    c.loop();
    emitInputI64(c, I, lay.stage, lay.x64, X);
    if (spec.relu) c.get(X).i64Const(0).get(X).i64Const(0).op(I64OP.gtS).op(I64OP.select).set(X);
    // x·S << k + B fits 64 bits (max |x| of the type, the actual S and B): one i64 multiply.
    let fits64 = false;
    if (spec.affine) {
      const t = spec.input;
      const maxX = t.signed ? 1n << BigInt(t.W - 1) : (1n << BigInt(t.W)) - 1n;
      let maxS = 0n;
      let maxB = 0n;
      for (let i = 0; i < n; i++) {
        const sv = spec.affine.S[i]!;
        const bv = spec.affine.B[i]!;
        if ((sv < 0n ? -sv : sv) > maxS) maxS = sv < 0n ? -sv : sv;
        if ((bv < 0n ? -bv : bv) > maxB) maxB = bv < 0n ? -bv : bv;
      }
      fits64 = ((maxX * maxS) << BigInt(spec.affine.k)) + maxB < 1n << 63n;
    }
    if (spec.affine && fits64) {
      c.get(I).i32Const(8).i32Mul().i64Load(lay.s).get(X).op(I64OP.mul);
      if (spec.affine.k > 0) c.i64Const(spec.affine.k).op(I64OP.shl);
      c.get(I).i32Const(16).i32Mul().i64Load(lay.b).op(I64OP.add).set(LO);
      c.get(LO).i64Const(63).op(I64OP.shrS).set(HI);
    } else if (spec.affine) {
      c.get(I).i32Const(8).i32Mul().i64Load(lay.s).set(S);
      emitMul128(f, X, S, { hi: HI, lo: LO });
      const k = spec.affine.k;
      if (k > 0 && k < 64) {
        c.get(HI).i64Const(k).op(I64OP.shl).get(LO).i64Const(64 - k).op(I64OP.shrU).op(I64OP.or).set(HI);
        c.get(LO).i64Const(k).op(I64OP.shl).set(LO);
      } else if (k >= 64) {
        c.get(LO).i64Const(k - 64).op(I64OP.shl).set(HI);
        c.i64Const(0).set(LO);
      }
      c.get(I).i32Const(16).i32Mul().i64Load(lay.b).set(BL);
      c.get(I).i32Const(16).i32Mul().i64Load(lay.b + 8).set(BH);
      emitAdd128(f, HI, LO, BH, BL);
    } else {
      c.get(X).set(LO);
      c.get(X).i64Const(63).op(I64OP.shrS).set(HI);
    }
    // with a report: the largest |v| (128-bit magnitude, unsigned compare)
    c.get(1).if();
    c.get(HI).i64Const(0).op(I64OP.ltS).if();
    c.i64Const(0).get(LO).op(I64OP.sub).set(AL);
    c.get(HI).i64Const(-1).op(I64OP.xor).get(LO).op(I64OP.eqz).op(I64OP.extendI32U).op(I64OP.add).set(AH);
    c.else();
    c.get(LO).set(AL);
    c.get(HI).set(AH);
    c.end();
    c.get(AH).get(MH).op(I64OP.gtU).get(AH).get(MH).op(I64OP.eq).get(AL).get(ML).op(I64OP.gtU).op(0x71).op(0x72); // i32.and, i32.or
    c.if();
    c.get(AH).set(MH);
    c.get(AL).set(ML);
    c.end();
    c.end();
    if (copy) c.get(LO).set(T);
    else {
      emitRequant128(f, { fromFrac: spec.fromFrac, to: spec.to }, HI, LO, T, EV);
      c.get(CNT).get(EV).i32Add().set(CNT);
    }
    c.get(I).i32Const(8).i32Mul().get(T);
    emitStoreResult(c, wideOut, lay.out);
    c.get(I).i32Const(1).i32Add().tee(I).i32Const(n).op(0x48).brIf(0); // i32.lt_s
    c.end();
    c.i32Const(0).get(ML).i64Store(0);
    c.i32Const(0).get(MH).i64Store(8);
    c.get(CNT);
    const ex = instantiateWide(lay.end, f, lay.x64, n);
    const mem = ex.mem.buffer;
    if (spec.affine) {
      new BigInt64Array(mem, lay.s, n).set(Array.from(spec.affine.S, (v) => BigInt.asIntN(64, v)));
      const b = new BigInt64Array(mem, lay.b, 2 * n);
      for (let i = 0; i < n; i++) {
        const v = spec.affine.B[i]!;
        b[2 * i] = BigInt.asIntN(64, v);
        b[2 * i + 1] = BigInt.asIntN(64, v >> 64n);
      }
    }
    return new WideElemEngine(ex, lay, n, n, wideOut, 2);
  }
}

/**
 * Max pooling on raws of up to 64 bits over a window table: `max_k x[taps[o·kSize + k]·C + c]`
 * (taps < 0: `pad`), then input → accum → result conversions (null = copy), the result
 * overflows counted and max |accum value| kept with a report.
 */
export class WideMaxPool extends WideEngine {
  /** The engine, or null when a conversion is not supported. */
  static create(taps: Int32Array, nPix: number, kSize: number, C: number, nIn: number, pad: bigint, types: { input: FixedType; accum: FixedType; result: FixedType }): WideMaxPool | null {
    if (!wasmSimdAvailable()) return null;
    for (const t of [types.input, types.accum]) if (t.W > 64 || (!t.signed && t.W > 63)) return null;
    const toAcc = sameType(types.input, types.accum) ? null : { fromFrac: frac(types.input), to: types.accum };
    const toRes = sameType(types.accum, types.result) ? null : { fromFrac: frac(types.accum), to: types.result };
    if (toAcc && !requant128Ok(toAcc, 64)) return null;
    if (toRes && !requant128Ok(toRes, 64)) return null;
    if (!toRes && types.result.W > 64) return null;
    const nOut = nPix * C;
    const wideOut = types.result.W > 53;
    const lay = { stats: 0, taps: 32, stage: 0, x64: 0, m: 0, out: 0, end: 0 };
    lay.stage = align16(lay.taps + nPix * kSize * 4);
    lay.x64 = align16(lay.stage + nIn * 8);
    lay.m = align16(lay.x64 + (nIn + 2) * 8); // one spare value: an odd C reads a pair past the end
    lay.out = align16(lay.m + (C + 2) * 8);
    lay.end = align16(lay.out + nOut * 8);
    const f = new Fn(2);
    const c = f.c;
    const I = f.local(I32);
    const O = f.local(I32);
    const CH = f.local(I32);
    const K = f.local(I32);
    const TP = f.local(I32);
    const TT = f.local(I32);
    const OP = f.local(I32);
    const M = f.local(I64);
    const HI = f.local(I64);
    const A = f.local(I64);
    const T = f.local(I64);
    const EV = f.local(I32);
    const CNT = f.local(I32);
    const MAG = f.local(I64);
    const MX = f.local(I64);
    const VA = f.local(V128);
    const VV = f.local(V128);
    const PAD = f.local(V128);
    const NEG = f.local(V128);
    // input → i64
    c.get(0).if();
    c.loop();
    emitStageToI64(c, I, lay.stage, lay.x64);
    c.get(I).i32Const(1).i32Add().tee(I).i32Const(nIn).op(0x48).brIf(0);
    c.end();
    c.end();
    c.i64Const(pad).simd(SIMD.i64x2Splat).set(PAD);
    c.i64Const(-(1n << 63n)).simd(SIMD.i64x2Splat).set(NEG);
    c.i32Const(lay.out).set(OP);
    c.loop(); // pixels
    // the window maxima of this pixel, two channels per i64x2 lane pair: m = bitselect(v, m, v > m)
    c.i32Const(0).set(CH);
    c.loop(); // channel pairs
    c.get(NEG).set(VA);
    c.get(O).i32Const(kSize * 4).i32Mul().i32Const(lay.taps).i32Add().set(TP);
    c.i32Const(0).set(K);
    c.loop(); // taps
    c.get(TP).i32Load().tee(TT).i32Const(0).op(0x48); // tap < 0
    c.if();
    c.get(PAD).set(VV);
    c.else();
    c.get(TT).i32Const(C).i32Mul().get(CH).i32Add().i32Const(8).i32Mul().v128Load(lay.x64).set(VV);
    c.end();
    c.get(VV).get(VA).get(VV).get(VA).simd(SIMD.i64x2GtS).simd(SIMD.bitselect).set(VA);
    c.addTo(TP, 4);
    c.nextUntil(K, kSize);
    c.end(); // taps
    c.get(CH).i32Const(8).i32Mul().get(VA).v128Store(lay.m);
    c.get(CH).i32Const(2).i32Add().tee(CH).i32Const(C).op(0x48).brIf(0); // i32.lt_s
    c.end(); // channel pairs
    // conversions, report, store
    c.i32Const(0).set(CH);
    c.loop(); // channels
    c.get(CH).i32Const(8).i32Mul().i64Load(lay.m).set(M);
    if (toAcc) {
      c.get(M).i64Const(63).op(I64OP.shrS).set(HI);
      emitRequant128(f, toAcc, HI, M, A);
    } else c.get(M).set(A);
    c.get(1).if();
    c.get(A).i64Const(63).op(I64OP.shrS).set(HI);
    emitMaxMagnitude(c, A, HI, MAG, MX);
    c.end();
    if (toRes) {
      c.get(A).i64Const(63).op(I64OP.shrS).set(HI);
      emitRequant128(f, toRes, HI, A, T, EV);
      c.get(CNT).get(EV).i32Add().set(CNT);
    } else c.get(A).set(T);
    c.get(OP).get(T);
    emitStoreResult(c, wideOut, 0);
    c.addTo(OP, 8);
    c.nextUntil(CH, C);
    c.end(); // channels
    c.nextUntil(O, nPix);
    c.end(); // pixels
    c.i32Const(0).get(MX).i64Store(0);
    c.get(CNT);
    const ex = instantiateWide(lay.end, f, lay.x64, nIn);
    new Int32Array(ex.mem.buffer, lay.taps, nPix * kSize).set(taps.subarray(0, nPix * kSize));
    return new WideMaxPool(ex, lay, nIn, nOut, wideOut, 1);
  }
}
