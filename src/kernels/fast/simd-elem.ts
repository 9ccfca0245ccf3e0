/**
 * WebAssembly SIMD element-wise engine: per element (two per f64x2 lane pair)
 *
 *     v = x[i];  [v = max(v, 0)];  [v = v · S[i] + B[i]];  out[i] = requant(v)
 *
 * where requant is the ap_fixed conversion from `fromFrac` fractional bits into the result type —
 * every rounding mode and AP_WRAP (N = 0) / AP_SAT / AP_SAT_SYM / AP_SAT_ZERO — computed exactly
 * in float64 (all values are integers below 2^53: a power-of-two scaling, `floor`, and integer
 * adds are exact). It serves linear, ReLU and BatchNormalization without an overflow report
 * (with a report the JavaScript loops count every event).
 */
import { frac, sameType, type FixedType } from '../../fixed/types.js';
import { Code, F64X2, I32, SIMD, V128, align16, instantiateKernel, wasmSimdAvailable, type LaneOps, type ValType } from './wasm.js';

/** What the element-wise engine computes (see the module comment). */
export interface ElemSpec {
  n: number;
  relu: boolean;
  /** Per-element scale and offset (already aligned to `fromFrac`), or null. */
  affine: { S: Float64Array; B: Float64Array } | null;
  /** Fractional bits of v. */
  fromFrac: number;
  /** Type of v when it is a variable (a same-type conversion is then a copy), else null. */
  fromType: FixedType | null;
  to: FixedType;
}

/** True when the f64 requantizer supports this conversion. @example elemRequantOk(parseFixedType('ap_fixed<8,3,AP_RND,AP_SAT>')); // true */
export function elemRequantOk(to: FixedType): boolean {
  return to.W <= 53 && ((to.O === 'AP_WRAP' && to.N === 0) || to.O === 'AP_SAT' || to.O === 'AP_SAT_ZERO' || to.O === 'AP_SAT_SYM');
}

/** Byte address of the 16-byte max |v| slot at the start of an {@link F64Kernel}'s memory. */
const STATS = 0;

/** A compiled {@link F64Kernel}: its memory and entry points. */
export interface CompiledF64 {
  mem: ArrayBuffer;
  run: () => void;
  runs: () => number;
  mx: Float64Array;
}

/**
 * Compile a kernel of `body(false)` as `run` and `body(true)` as `runs` (the statistics variant,
 * ended by {@link emitF64StatsEnd}), with the given locals, in a memory of `end` bytes.
 *
 * @example const k = compileF64Kernel(END, locals, body); new Float64Array(k.mem, X, n).set(x);
 */
export function compileF64Kernel(end: number, locals: ValType[], body: (stats: boolean) => Code): CompiledF64 {
  const ex = instantiateKernel(end, [
    { name: 'run', params: [], results: [], locals, body: body(false) },
    { name: 'runs', params: [], results: [I32], locals, body: body(true) },
  ]);
  const mem = ex.mem.buffer;
  return { mem, run: ex.run as () => void, runs: ex.runs as () => number, mx: new Float64Array(mem, STATS, 2) };
}

/** End of a statistics body: the lane-wise max |v| (local `mx`) into the stats slot; the overflow count (i64 lanes of `cnt`) returned. */
export function emitF64StatsEnd(c: Code, mx: number, cnt: number): void {
  c.i32Const(0).get(mx).v128Store(STATS);
  c.sumI64x2(cnt);
}

/**
 * A compiled f64-lane kernel with its own memory: write the input into `x`, call `run()` (or
 * `runStats()`), read `out`.
 */
export class F64Kernel {
  readonly x: Float64Array;
  readonly out: Float64Array;
  readonly run: () => void;
  private readonly runs: () => number;
  private readonly mx: Float64Array;

  protected constructor(k: CompiledF64, x: Float64Array, out: Float64Array) {
    this.x = x;
    this.out = out;
    this.run = k.run;
    this.runs = k.runs;
    this.mx = k.mx;
  }

  /**
   * {@link run} that also returns the number of result overflows and the largest |v| before the
   * conversion (raw) — what the overflow report records.
   *
   * @example const { events, maxAbs } = e.runStats();
   */
  runStats(): { events: number; maxAbs: number } {
    const events = this.runs();
    return { events, maxAbs: Math.max(this.mx[0]!, this.mx[1]!) };
  }
}

/**
 * A compiled element-wise kernel (`maxAbs` of {@link runStats}: raw, `fromFrac` fractional bits).
 *
 * @example
 * const e = ElemEngine.create({ n: 64, relu: true, affine: null, fromFrac: 10, fromType: t, to: t });
 * if (e) { e.x.set(input); e.run(); use(e.out); }
 */
export class ElemEngine extends F64Kernel {
  /** Build the kernel, or null (no SIMD, or an unsupported conversion). */
  static create(spec: ElemSpec): ElemEngine | null {
    if (!wasmSimdAvailable() || !elemRequantOk(spec.to)) return null;
    const n = spec.n;
    const bytes = (n + 2) * 8; // one spare lane pair
    const X = 16;
    const S = align16(X + bytes);
    const B = spec.affine ? align16(S + bytes) : S;
    const OUT = spec.affine ? align16(B + bytes) : S;
    const END = align16(OUT + bytes);
    // locals: 0 i (byte offset); v128: 1 v, 2 t, 3 r, 4 m, 5 cnt, 6 mx
    const I = 0;
    const V = 1;
    const Tq = 2;
    const R = 3;
    const M = 4;
    const CNT = 5;
    const MX = 6;
    const body = (stats: boolean): Code => {
      const c = new Code();
      c.loop();
      c.get(I).v128Load(X).set(V);
      if (spec.relu) c.get(V).splatF64(0).simd(SIMD.f64x2Pmax).set(V);
      if (spec.affine) c.get(V).get(I).v128Load(S).simd(SIMD.f64x2Mul).get(I).v128Load(B).simd(SIMD.f64x2Add).set(V);
      if (stats) c.get(MX).get(V).simd(SIMD.f64x2Abs).simd(SIMD.f64x2Pmax).set(MX);
      emitRequantF64(c, spec, V, Tq, R, M, stats ? CNT : undefined);
      c.get(I).get(Tq).v128Store(OUT);
      c.get(I).i32Const(16).i32Add().tee(I).i32Const(n * 8).op(0x48).brIf(0); // i32.lt_s
      c.end();
      if (stats) emitF64StatsEnd(c, MX, CNT);
      return c;
    };
    const k = compileF64Kernel(END, [I32, V128, V128, V128, V128, V128, V128], body);
    if (spec.affine) {
      new Float64Array(k.mem, S, n).set(spec.affine.S);
      new Float64Array(k.mem, B, n).set(spec.affine.B);
    }
    return new ElemEngine(k, new Float64Array(k.mem, X, n), new Float64Array(k.mem, OUT, n));
  }
}

/**
 * Emit `t = requant(v)` in f64x2 (see {@link ElemSpec}); r, m are scratch locals. With `cnt`, the
 * overflows are counted there (i64 lanes, −1 per event), only in the lanes set in `cntMask` if given.
 * `keepNegZero` leaves a −0 result as is (the float-input cast keeps the sign of a −0 input).
 *
 * @example emitRequantF64(code, { ...spec }, V, T, R, M);
 */
export function emitRequantF64(c: Code, spec: Pick<ElemSpec, 'fromFrac' | 'fromType' | 'to'>, v: number, t: number, r: number, m: number, cnt?: number, cntMask?: number, keepNegZero = false): void {
  const to = spec.to;
  if (spec.fromType && sameType(spec.fromType, to)) {
    c.get(v).set(t);
    return;
  }
  const s = spec.fromFrac - frac(to);
  const one = () => c.splatF64(1);
  if (s > 0) {
    const p = 2 ** s;
    const half = p / 2;
    c.get(v).splatF64(1 / p).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Floor).set(t);
    if (to.Q !== 'AP_TRN') {
      c.get(v).get(t).splatF64(p).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Sub).set(r); // remainder in [0, p)
      emitRoundUpMask(c, to.Q, v, r, half, F64X2, {
        geHalf: () => c.get(r).splatF64(half).simd(SIMD.f64x2Ge),
        // t − 2·floor(t/2) ≠ 0
        odd: () => c.get(t).get(t).splatF64(0.5).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Floor).splatF64(2).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Sub).splatF64(0).simd(SIMD.f64x2Ne),
      });
      one();
      c.simd(SIMD.and); // mask & 1.0 → 1.0 or +0
      c.get(t).simd(SIMD.f64x2Add).set(t);
    }
  } else if (s < 0) c.get(v).splatF64(2 ** -s).simd(SIMD.f64x2Mul).set(t);
  else c.get(v).set(t);
  const min = to.signed ? -(2 ** (to.W - 1)) : 0;
  const max = to.signed ? 2 ** (to.W - 1) - 1 : 2 ** to.W - 1;
  // m = all ones in the lanes outside the result's range
  const outside = () => c.get(t).splatF64(max).simd(SIMD.f64x2Gt).get(t).splatF64(min).simd(SIMD.f64x2Lt).simd(SIMD.or).set(m);
  if (cnt !== undefined) {
    // Overflow events (i64 lanes, −1 per event) exactly where the reference's converter counts them.
    outside();
    c.get(cnt).get(m);
    if (cntMask !== undefined) c.get(cntMask).simd(SIMD.and); // only the lanes of the mask count
    c.simd(SIMD.i64x2Sub).set(cnt);
  }
  switch (to.O) {
    case 'AP_WRAP': {
      // t − floor((t − min) / 2^W) · 2^W: the identity in range, two's-complement wrap outside.
      const mod = 2 ** to.W;
      c.get(t).get(t).splatF64(0 - min).simd(SIMD.f64x2Add).splatF64(1 / mod).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Floor).splatF64(mod).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Sub).set(t);
      break;
    }
    case 'AP_SAT':
    case 'AP_SAT_SYM': {
      const lo = to.O === 'AP_SAT_SYM' && to.signed && to.W > 1 ? min + 1 : min;
      c.get(t).splatF64(max).simd(SIMD.f64x2Pmin).splatF64(lo).simd(SIMD.f64x2Pmax).set(t);
      break;
    }
    case 'AP_SAT_ZERO':
      outside();
      c.get(t).get(m).simd(SIMD.andnot).set(t);
      break;
    default:
      throw new Error('unsupported overflow mode');
  }
  // + 0 turns −0 (from 0 · negative scale, or −0 inputs) into +0, as the reference stores.
  if (!keepNegZero) c.get(t).splatF64(0).simd(SIMD.f64x2Add).set(t);
}

/**
 * Push the lane mask of the values that a quantization mode other than AP_TRN rounds up by one
 * after the truncating (floor) shift — ap_fixed's rounding rules — from the value before the shift
 * (local `v`) and the remainder shifted out (local `r`, half of its range is `half`); `p` pushes the
 * masks "remainder ≥ half" and "the truncated (floor) result is odd" in the lane type's own way.
 *
 * @example emitRoundUpMask(c, 'AP_RND_CONV', v, r, 8, lanes); // r > half | (r == half & odd)
 */
export function emitRoundUpMask(c: Code, Q: FixedType['Q'], v: number, r: number, half: number, lanes: LaneOps, p: { geHalf(): void; odd(): void }): void {
  const cmp = (local: number, x: number, op: number) => () => {
    c.get(local);
    lanes.splat(c, x);
    c.simd(op);
  };
  // Which ties round up: toward zero (the negative ones), away from zero, to even.
  const ties: Partial<Record<FixedType['Q'], () => void>> = { AP_RND_ZERO: cmp(v, 0, lanes.lt), AP_RND_INF: cmp(v, 0, lanes.ge), AP_RND_CONV: () => p.odd() };
  const tieUp = ties[Q];
  if (Q === 'AP_TRN_ZERO') {
    // toward zero: the negative values with a remainder
    cmp(v, 0, lanes.lt)();
    cmp(r, 0, lanes.ne)();
    c.simd(SIMD.and);
  } else if (Q === 'AP_RND') p.geHalf();
  else if (Q === 'AP_RND_MIN_INF') cmp(r, half, lanes.gt)(); // ties down
  else if (tieUp) {
    cmp(r, half, lanes.gt)();
    cmp(r, half, lanes.eq)();
    tieUp();
    c.simd(SIMD.and).simd(SIMD.or);
  }
}
