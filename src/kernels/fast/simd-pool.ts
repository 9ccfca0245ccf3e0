/**
 * WebAssembly SIMD max pooling over a window table: for every output pixel o and channel c,
 * `out[o·C + c] = max_k (taps[o·kSize + k] < 0 ? pad : x[taps[o·kSize + k]·C + c])`, two channels
 * per f64x2 lane pair (`f64x2.pmax`, branch-free). Raw mantissas are integers stored as doubles,
 * so the maximum is exact. Used by pooling.ts when no conversion can change the order of values.
 */
import { Code, I32, SIMD, V128, assembleModule, compileWasm, instantiateWasm, wasmSimdAvailable } from './wasm.js';

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/**
 * A compiled max-pooling kernel with its own memory: write the input into `x`, call `run()`,
 * read `out`.
 *
 * @example
 * const k = MaxPoolEngine.create(taps, nPix, kSize, C, nIn, 0);
 * if (k) { k.x.set(input); k.run(); use(k.out); }
 */
export class MaxPoolEngine {
  readonly x: Float64Array;
  readonly out: Float64Array;
  readonly run: () => void;

  private constructor(x: Float64Array, out: Float64Array, run: () => void) {
    this.x = x;
    this.out = out;
    this.run = run;
  }

  /** Build the kernel, or null without WebAssembly SIMD. */
  static create(taps: Int32Array, nPix: number, kSize: number, C: number, nIn: number, pad: number): MaxPoolEngine | null {
    if (!wasmSimdAvailable()) return null;
    const T = 0;
    const X = align16(nPix * kSize * 4);
    // One spare lane after the input and the output: odd channel counts read/write a pair past the end.
    const OUT = align16(X + (nIn + 2) * 8);
    const END = align16(OUT + (nPix * C + 2) * 8);
    const c = new Code();
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
    c.splatF64(pad).set(PAD);
    c.splatF64(-Infinity).set(NEG);
    c.i32Const(T).set(TP);
    c.i32Const(OUT).set(OP);
    c.loop(); // pixels
    c.i32Const(0).set(G);
    c.loop(); // channel pairs (byte offset)
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
    c.get(TK).i32Const(4).i32Add().set(TK);
    c.get(K).i32Const(1).i32Add().tee(K).i32Const(kSize).op(0x47).brIf(0);
    c.end(); // taps
    c.get(OP).get(G).i32Add().get(ACC).v128Store();
    c.get(G).i32Const(16).i32Add().tee(G).i32Const(C * 8).op(0x48).brIf(0); // i32.lt_s
    c.end(); // channel pairs
    c.get(TP).i32Const(kSize * 4).i32Add().set(TP);
    c.get(OP).i32Const(C * 8).i32Add().set(OP);
    c.get(O).i32Const(1).i32Add().tee(O).i32Const(nPix).op(0x47).brIf(0);
    c.end(); // pixels
    const locals = [I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128] as const;
    const bytes = assembleModule(Math.max(1, Math.ceil(END / 65536)), [{ name: 'run', params: [], results: [], locals: [...locals], body: c }]);
    const ex = instantiateWasm(compileWasm(bytes));
    const mem = ex.mem.buffer;
    new Int32Array(mem, T, nPix * kSize).set(taps.subarray(0, nPix * kSize));
    return new MaxPoolEngine(new Float64Array(mem, X, nIn), new Float64Array(mem, OUT, nPix * C), ex.run as () => void);
  }
}
