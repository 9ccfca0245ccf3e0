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
/** 64-bit integer type. */
export const I64 = 0x7e;
/** 64-bit float type. */
export const F64 = 0x7c;
/** A wasm value type code. */
export type ValType = typeof I32 | typeof V128 | typeof I64 | typeof F64;

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

/** Signed LEB128 of a 64-bit integer. @example sleb64(-1n); // [0x7f] */
export function sleb64(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asIntN(64, n);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

/** Scalar i64 / f64 opcodes used by the wide kernels. @example code.op(I64OP.add); */
export const I64OP = {
  eqz: 0x50,
  eq: 0x51,
  ne: 0x52,
  ltS: 0x53,
  ltU: 0x54,
  gtS: 0x55,
  gtU: 0x56,
  leS: 0x57,
  leU: 0x58,
  geS: 0x59,
  geU: 0x5a,
  add: 0x7c,
  sub: 0x7d,
  mul: 0x7e,
  and: 0x83,
  or: 0x84,
  xor: 0x85,
  shl: 0x86,
  shrS: 0x87,
  shrU: 0x88,
  extendI32S: 0xac,
  extendI32U: 0xad,
  wrapToI32: 0xa7,
  f64ConvertI64S: 0xb9,
  truncF64S: 0xb0,
  select: 0x1b,
} as const;

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
  i32x4TruncSatF64x2SZero: 0xfc,
  i16x8Ne: 0x2e,
  i16x8NarrowI32x4S: 0x85,
  i16x8Shl: 0x8b,
  i16x8ShrS: 0x8c,
  i16x8ShrU: 0x8d,
  i16x8Add: 0x8e,
  i16x8AddSatS: 0x8f,
  i16x8Sub: 0x91,
  i16x8MinS: 0x96,
  i16x8MaxS: 0x98,
  i32x4ExtaddPairwiseI16x8S: 0x7e,
  i32x4ExtendLowI16x8S: 0xa7,
  i32x4ExtendHighI16x8S: 0xa8,
  i64x2ExtmulLowI32x4S: 0xdc,
  i64x2ExtmulHighI32x4S: 0xdd,
  i64x2Add: 0xce,
  i64x2Shl: 0xcb,
  i64x2ShrS: 0xcc,
  i64x2ShrU: 0xcd,
  i64x2Splat: 0x12,
  i64x2Mul: 0xd5,
  i64x2GtS: 0xd9,
  bitselect: 0x52,
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
  /** i64.const. */
  i64Const(n: bigint | number): this {
    return this.op(0x42, ...sleb64(BigInt(n)));
  }
  /** i64.load (align 8) / i64.store. */
  i64Load(offset = 0): this {
    return this.op(0x29, 3, ...uleb(offset));
  }
  i64Store(offset = 0): this {
    return this.op(0x37, 3, ...uleb(offset));
  }
  /** i64.load32_s / i64.load32_u. */
  i64Load32S(offset = 0): this {
    return this.op(0x34, 2, ...uleb(offset));
  }
  i64Load32U(offset = 0): this {
    return this.op(0x35, 2, ...uleb(offset));
  }
  /** f64.load / f64.store. */
  f64Load(offset = 0): this {
    return this.op(0x2b, 3, ...uleb(offset));
  }
  f64Store(offset = 0): this {
    return this.op(0x39, 3, ...uleb(offset));
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
  /** i16x8.splat of a constant. */
  splat16(n: number): this {
    return this.i32Const(n).simd(0x10);
  }
  /** `local += k` (i32). */
  addTo(local: number, k: number): this {
    return this.get(local).i32Const(k).i32Add().set(local);
  }
  /** Loop tail: `local += 1`, then branch back to the enclosing loop while `local ≠ n`. */
  nextUntil(local: number, n: number): this {
    return this.get(local).i32Const(1).i32Add().tee(local).i32Const(n).op(0x47).brIf(0); // i32.ne
  }
  /** Loop tail: `local −= 1`, then branch back to the enclosing loop while it is not 0. */
  countDown(local: number): this {
    return this.get(local).i32Const(1).i32Sub().tee(local).brIf(0);
  }
  /** Wrap the i32x4 on the stack to its low W bits (sign- or zero-extended); nothing for W ≥ 32. */
  wrapI32x4(W: number, signed: boolean): this {
    if (W >= 32) return this;
    return this.i32Const(32 - W).simd(SIMD.i32x4Shl).i32Const(32 - W).simd(signed ? SIMD.i32x4ShrS : SIMD.i32x4ShrU);
  }
  /** Push the i32 sum of the four lanes of an i32x4 local. */
  sumI32x4(local: number): this {
    this.get(local).extractLane(0);
    for (let l = 1; l < 4; l++) this.get(local).extractLane(l).i32Add();
    return this;
  }
  /** Push the sum of the two lanes of an i64x2 local, as i32. */
  sumI64x2(local: number): this {
    return this.get(local).op(0xfd, SIMD.i64x2ExtractLane, 0).get(local).op(0xfd, SIMD.i64x2ExtractLane, 1).op(0x7c).op(0xa7); // i64.add, i32.wrap_i64
  }
}

/** The per-lane operations of a SIMD lane type, for emitters shared between lane types. */
export interface LaneOps {
  /** Push a constant in every lane. */
  splat(c: Code, x: number): void;
  /** Comparisons (all-ones lane masks) and lane-wise min / max. */
  lt: number;
  gt: number;
  ge: number;
  eq: number;
  ne: number;
  min: number;
  max: number;
  /** Subtraction in the width of the masks (for counters that subtract −1 masks). */
  maskSub: number;
}

/** Signed int32 lanes (i32x4). */
export const I32X4: LaneOps = { splat: (c, x) => c.splatConst(x), lt: SIMD.i32x4LtS, gt: SIMD.i32x4GtS, ge: SIMD.i32x4GeS, eq: SIMD.i32x4Eq, ne: SIMD.i32x4Ne, min: SIMD.i32x4MinS, max: SIMD.i32x4MaxS, maskSub: SIMD.i32x4Sub };

/** Float64 lanes (f64x2; min / max are the pseudo-min / max, masks are 64-bit). */
export const F64X2: LaneOps = { splat: (c, x) => c.splatF64(x), lt: SIMD.f64x2Lt, gt: SIMD.f64x2Gt, ge: SIMD.f64x2Ge, eq: SIMD.f64x2Eq, ne: SIMD.f64x2Ne, min: SIMD.f64x2Pmin, max: SIMD.f64x2Pmax, maskSub: SIMD.i64x2Sub };

/** One exported function of a module. */
export interface WasmFunc {
  name: string;
  params: ValType[];
  results: ValType[];
  /** Extra locals (after the parameters). */
  locals: ValType[];
  body: Code;
}

/** A growable byte buffer (module assembly without large intermediate arrays). */
class Bytes {
  buf = new Uint8Array(1024);
  n = 0;
  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  }
  byte(x: number): void {
    this.room(1);
    this.buf[this.n++] = x;
  }
  all(xs: ArrayLike<number>): void {
    this.room(xs.length);
    if (xs instanceof Uint8Array) this.buf.set(xs, this.n);
    else for (let i = 0; i < xs.length; i++) this.buf[this.n + i] = xs[i]!;
    this.n += xs.length;
  }
  uleb(v: number): void {
    this.all(uleb(v));
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }
}

function name(out: Bytes, s: string): void {
  const b = new TextEncoder().encode(s);
  out.uleb(b.length);
  out.all(b);
}

/** `id`, size, payload. */
function section(out: Bytes, id: number, payload: Bytes): void {
  out.byte(id);
  out.uleb(payload.n);
  out.all(payload.bytes());
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
  const out = new Bytes();
  out.all([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const types = new Bytes();
  types.uleb(funcs.length);
  for (const f of funcs) {
    types.byte(0x60);
    types.uleb(f.params.length);
    types.all(f.params);
    types.uleb(f.results.length);
    types.all(f.results);
  }
  section(out, 1, types);
  const fn = new Bytes();
  fn.uleb(funcs.length);
  funcs.forEach((_, i) => fn.uleb(i));
  section(out, 3, fn);
  const mem = new Bytes();
  mem.all([1, 0x00]);
  mem.uleb(pages);
  section(out, 5, mem);
  const ex = new Bytes();
  ex.uleb(funcs.length + 1);
  name(ex, 'mem');
  ex.all([0x02, 0x00]);
  funcs.forEach((f, i) => {
    name(ex, f.name);
    ex.byte(0x00);
    ex.uleb(i);
  });
  section(out, 7, ex);
  const code = new Bytes();
  code.uleb(funcs.length);
  for (const f of funcs) {
    // Run-length encode the local declarations.
    const groups: number[][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]!++;
      else groups.push([1, t]);
    }
    const body = new Bytes();
    body.uleb(groups.length);
    for (const [k, t] of groups) {
      body.uleb(k!);
      body.byte(t!);
    }
    body.all(f.body.bytes);
    body.byte(0x0b);
    code.uleb(body.n);
    code.all(body.bytes());
  }
  section(out, 10, code);
  return out.bytes().slice();
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
  // Identical code (same layer shapes and types: common across the points of a scan) is compiled once.
  const key = `${fnv1a(bytes)}:${bytes.length}`;
  const hit = moduleCache.get(key);
  if (hit && equalBytes(hit.bytes, bytes)) return hit.module;
  const module = new wa.Module(bytes);
  if (moduleCache.size >= 512) moduleCache.delete(moduleCache.keys().next().value!);
  moduleCache.set(key, { bytes: bytes.slice(), module });
  return module;
}

const moduleCache = new Map<string, { bytes: Uint8Array; module: WasmModule }>();

function fnv1a(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Round a byte offset up to a multiple of 16 (v128 alignment). @example align16(20); // 32 */
export function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}

/**
 * Assemble, compile (cached) and instantiate a kernel module whose memory holds `memBytes` bytes
 * (rounded up to whole 64 KiB pages, at least one).
 *
 * @example const ex = instantiateKernel(lay.end, funcs); const run = ex.run as () => void;
 */
export function instantiateKernel(memBytes: number, funcs: WasmFunc[]): WasmExports {
  return instantiateWasm(compileWasm(assembleModule(Math.max(1, Math.ceil(memBytes / 65536)), funcs)));
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
