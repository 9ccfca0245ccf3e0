/**
 * A tiny WebAssembly binary writer — just enough to emit the SIMD integer MAC kernels of
 * `simd.ts` at run time (no toolchain needed). It knows the handful of opcodes those kernels use,
 * LEB128 encoding, and the type / function / memory / export / code sections of a module with one
 * exported memory and a few exported functions.
 *
 * Nothing here is specific to neural networks; see `simd.ts` for the kernels themselves.
 */

/** Value types. @example const locals = [I32, V128]; */
export const I32 = 0x7f;
/** 128-bit SIMD vector type. @example const locals = [I32, V128]; */
export const V128 = 0x7b;
/** A wasm value type code ({@link I32} or {@link V128}). */
export type ValType = typeof I32 | typeof V128;

/** Unsigned LEB128. @example uleb(624485); // [0xe5, 0x8e, 0x26] */
export function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. @example sleb(-1); // [0x7f] */
export function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

/** SIMD opcodes (after the 0xfd prefix) used by the kernels. @example code.simd(SIMD.i32x4Add); */
export const SIMD = {
  load: 0x00,
  load32Splat: 0x09,
  load64Splat: 0x0a,
  store: 0x0b,
  shuffle: 0x0d,
  i32x4Splat: 0x11,
  f64x2Splat: 0x14,
  i32x4ExtractLane: 0x1b,
  i64x2ExtractLane: 0x1d,
  i32x4Eq: 0x37,
  i32x4Ne: 0x38,
  i32x4LtS: 0x39,
  i32x4GtS: 0x3b,
  i32x4GeS: 0x3f,
  and: 0x4e,
  andnot: 0x4f,
  or: 0x50,
  i32x4Shl: 0xab,
  i32x4ShrS: 0xac,
  i32x4ShrU: 0xad,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  i32x4Mul: 0xb5,
  i32x4MinS: 0xb6,
  i32x4MaxS: 0xb8,
  i64x2Sub: 0xd1,
  f64x2Eq: 0x47,
  f64x2Ne: 0x48,
  f64x2Lt: 0x49,
  f64x2Gt: 0x4a,
  f64x2Ge: 0x4c,
  f64x2Floor: 0x75,
  f64x2Abs: 0xec,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Pmin: 0xf6,
  f64x2Pmax: 0xf7,
  f64x2ConvertLowI32x4S: 0xfe,
  f64x2PromoteLowF32x4: 0x5f,
  not: 0x4d,
  anyTrue: 0x53,
  i32x4AllTrue: 0xa3,
  i64x2AllTrue: 0xc3,
} as const;

/**
 * A function body under construction (structured control flow is the caller's job).
 *
 * @example
 * const c = new Code();
 * c.i32Const(2).i32Const(3).op(0x6a); // i32.add
 */
export class Code {
  readonly bytes: number[] = [];

  /** Raw opcode bytes. */
  op(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  i32Const(n: number): this {
    return this.op(0x41, ...sleb(n));
  }
  get(i: number): this {
    return this.op(0x20, ...uleb(i));
  }
  set(i: number): this {
    return this.op(0x21, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(0x22, ...uleb(i));
  }
  /** i32.load with a constant byte offset (align 4). */
  i32Load(offset = 0): this {
    return this.op(0x28, 2, ...uleb(offset));
  }
  /** i32.store (address, value on the stack). */
  i32Store(offset = 0): this {
    return this.op(0x36, 2, ...uleb(offset));
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  /** `block` with no result. */
  block(): this {
    return this.op(0x02, 0x40);
  }
  /** `loop` with no result. */
  loop(): this {
    return this.op(0x03, 0x40);
  }
  /** `if` with no result (condition on the stack). */
  if(): this {
    return this.op(0x04, 0x40);
  }
  else(): this {
    return this.op(0x05);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, ...uleb(depth));
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...uleb(depth));
  }
  /** A SIMD instruction without immediates. */
  simd(opcode: number): this {
    return this.op(0xfd, ...uleb(opcode));
  }
  /** v128.load with a constant byte offset (align 16 hint). */
  v128Load(offset = 0): this {
    return this.op(0xfd, ...uleb(SIMD.load), 4, ...uleb(offset));
  }
  /** v128.store (address, vector on the stack). */
  v128Store(offset = 0): this {
    return this.op(0xfd, ...uleb(SIMD.store), 4, ...uleb(offset));
  }
  /** v128.load32_splat with a constant byte offset. */
  load32Splat(offset = 0): this {
    return this.op(0xfd, ...uleb(SIMD.load32Splat), 2, ...uleb(offset));
  }
  /** v128.load64_splat with a constant byte offset. */
  load64Splat(offset = 0): this {
    return this.op(0xfd, ...uleb(SIMD.load64Splat), 3, ...uleb(offset));
  }
  /** i32x4.extract_lane. */
  extractLane(lane: number): this {
    return this.op(0xfd, ...uleb(SIMD.i32x4ExtractLane), lane);
  }
  /** i8x16.shuffle of the two vectors on the stack by 16 byte-lane indices. */
  shuffle(lanes: number[]): this {
    return this.op(0xfd, ...uleb(SIMD.shuffle), ...lanes);
  }
  /** v128.const of 16 bytes. */
  v128Const(bytes: number[]): this {
    return this.op(0xfd, 0x0c, ...bytes);
  }
  /** f64x2.splat of a constant. */
  splatF64(x: number): this {
    const b = new Uint8Array(new Float64Array([x]).buffer);
    return this.op(0x44, ...b).simd(SIMD.f64x2Splat);
  }
  /** i32x4.splat of a constant. */
  splatConst(n: number): this {
    return this.i32Const(n).simd(SIMD.i32x4Splat);
  }
}

/** One exported function of a module. */
export interface WasmFunc {
  name: string;
  params: ValType[];
  results: ValType[];
  /** Extra locals (after the parameters). */
  locals: ValType[];
  body: Code;
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/**
 * Assemble a module with one exported memory (`mem`, `pages` × 64 KiB) and the given functions
 * (exported under their names, each with its own type).
 *
 * @example
 * const body = new Code().get(0).get(1).i32Add();
 * const bytes = assembleModule(1, [{ name: 'add', params: [I32, I32], results: [I32], locals: [], body }]);
 * const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
 */
export function assembleModule(pages: number, funcs: WasmFunc[]): Uint8Array {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const funcIdx = funcs.map((_, i) => uleb(i));
  const mem = vec([[0x00, ...uleb(pages)]]);
  const exports = vec([[...name('mem'), 0x02, 0x00], ...funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])]);
  const bodies = funcs.map((f) => {
    // Run-length encode the local declarations.
    const groups: number[][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]!++;
      else groups.push([1, t]);
    }
    const body = [...vec(groups.map(([n, t]) => [...uleb(n!), t!])), ...f.body.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(funcIdx)),
    ...section(5, mem),
    ...section(7, exports),
    ...section(10, vec(bodies)),
  ]);
}

/** The part of the WebAssembly JS API used here (the project's TS lib has no DOM typings). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

function api(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}

/** A compiled module (opaque). */
export type WasmModule = object;

/** The exports of an instance: the memory and the kernel functions. */
export interface WasmExports {
  mem: { buffer: ArrayBuffer };
  [fn: string]: unknown;
}

/**
 * Compile module bytes (synchronously; fine in Node for any size).
 *
 * @example const m = compileWasm(assembleModule(1, funcs));
 */
export function compileWasm(bytes: Uint8Array): WasmModule {
  const wa = api();
  if (!wa) throw new Error('WebAssembly is not available');
  return new wa.Module(bytes);
}

/**
 * Instantiate a compiled module (no imports).
 *
 * @example const ex = instantiateWasm(m); const run = ex.mod as () => number;
 */
export function instantiateWasm(m: WasmModule): WasmExports {
  return new (api()!).Instance(m, {}).exports as unknown as WasmExports;
}

let simdOk: boolean | undefined;

/**
 * Whether this runtime can compile WebAssembly SIMD (Node ≥ 16.4 can). Cached.
 *
 * @example if (wasmSimdAvailable()) { ... }
 */
export function wasmSimdAvailable(): boolean {
  if (simdOk === undefined) {
    try {
      const body = new Code().splatConst(1).extractLane(0);
      const wa = api();
      simdOk = !!wa && wa.validate(assembleModule(1, [{ name: 'f', params: [], results: [I32], locals: [], body }]));
    } catch {
      simdOk = false;
    }
  }
  return simdOk === true;
}
