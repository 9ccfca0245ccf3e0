// The two-limb WebAssembly arithmetic of the wide kernels (src/kernels/fast/wide.ts) against BigInt:
// 64 × 64 → 128-bit products, and the conversion of 128-bit values into types of up to 64 bits in
// every rounding and overflow mode, with the overflow event (requantizeBigEvent).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CastEvent, fixedType, OVERFLOW_MODES, QUANT_MODES, requantizeBigEvent, type FixedType } from '../../src/fixed/index.js';
import { emitMul128, emitRequant128, Fn, requant128Ok } from '../../src/kernels/fast/wide.js';
import { DenseKernel, batchnorm, linear, newKernelStats, prepareConv2d, preparePooling2d, relu, softmax, type KernelStats } from '../../src/kernels/index.js';
import { prepareFastSoftmax } from '../../src/kernels/fast/softmax.js';
import { prepareFastActivation, prepareFastBatchnorm } from '../../src/kernels/fast/elementwise.js';
import { prepareFastPooling } from '../../src/kernels/fast/pooling.js';
import { prepareFastDense } from '../../src/kernels/fast/dense.js';
import { prepareFastConv2d } from '../../src/kernels/fast/conv.js';
import { WideMacKernel } from '../../src/kernels/fast/wide-mac.js';
import { rng } from './helpers.js';
import { I32, I64, assembleModule, compileWasm, instantiateWasm } from '../../src/kernels/fast/wasm.js';

const RUNS = Number(process.env.HLSEMU_PROPERTY_RUNS ?? 150);

function mulModule(): (a: bigint, b: bigint) => bigint {
  const f = new Fn(2);
  const { hi, lo } = emitMul128(f, 0, 1);
  // return hi, store lo in memory
  f.c.i32Const(0).get(lo).i64Store();
  f.c.get(hi);
  const ex = instantiateWasm(compileWasm(assembleModule(1, [{ name: 'm', params: [I64, I64], results: [I64], locals: f.locals, body: f.c }])));
  const mem = new BigInt64Array(ex.mem.buffer, 0, 1);
  const m = ex.m as (a: bigint, b: bigint) => bigint;
  return (a, b) => {
    const hi = m(a, b);
    return (hi << 64n) + BigInt.asUintN(64, mem[0]!);
  };
}

function requantModule(fromFrac: number, to: FixedType): (v: bigint) => [bigint, number] {
  const f = new Fn(2);
  const t = f.local(I64);
  const ev = f.local(I32);
  emitRequant128(f, { fromFrac, to }, 0, 1, t, ev);
  f.c.i32Const(0).get(ev).op(0x36, 2, 0); // i32.store
  f.c.get(t);
  const ex = instantiateWasm(compileWasm(assembleModule(1, [{ name: 'q', params: [I64, I64], results: [I64], locals: f.locals, body: f.c }])));
  const mem = new Int32Array(ex.mem.buffer, 0, 1);
  const q = ex.q as (hi: bigint, lo: bigint) => bigint;
  return (v) => {
    const r = q(BigInt.asIntN(64, v >> 64n), BigInt.asIntN(64, v));
    return [to.signed ? r : BigInt.asUintN(64, r), mem[0]!];
  };
}

const big = (bits: number) =>
  fc.tuple(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.integer({ min: 0, max: bits })).map(([v, k]) => BigInt.asIntN(k + 1, v));

describe('two-limb wasm arithmetic ≡ BigInt', () => {
  it('64 × 64 → 128-bit signed products', () => {
    const m = mulModule();
    const edge = [0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n), 1n << 32n, (1n << 32n) - 1n, -(1n << 31n)];
    for (const a of edge) for (const b of edge) expect(m(a, b), `${a}·${b}`).toBe(a * b);
    fc.assert(fc.property(big(63), big(63), (a, b) => m(a, b) === a * b), { numRuns: RUNS * 10 });
  });

  it('128-bit values into every type of up to 64 bits, every Q and O mode (value and event)', () => {
    const typeArb = fc
      .record({ signed: fc.boolean(), W: fc.integer({ min: 1, max: 64 }), I: fc.integer({ min: -20, max: 80 }), Q: fc.constantFrom(...QUANT_MODES), O: fc.constantFrom(...OVERFLOW_MODES) })
      .map(({ signed, W, I, Q, O }) => fixedType(signed, signed ? W : Math.min(W, 63), I, Q, O === 'AP_WRAP_SM' ? 'AP_WRAP' : O, 0));
    let checked = 0;
    fc.assert(
      fc.property(typeArb, fc.integer({ min: -30, max: 126 }), fc.integer({ min: 1, max: 120 }), fc.array(fc.bigInt({ min: -(1n << 127n), max: (1n << 127n) - 1n }), { minLength: 1, maxLength: 8 }), (to, fromFrac, bits, raw) => {
        if (!requant128Ok({ fromFrac, to }, bits)) return;
        const q = requantModule(fromFrac, to);
        const lim = 1n << BigInt(bits - 1);
        const vals = [...raw.map((v) => ((v % lim) + lim) % (2n * lim) - lim), 0n, lim - 1n, -lim, 1n << BigInt(Math.max(0, fromFrac - 1)), -(1n << BigInt(Math.max(0, fromFrac - 1)))];
        for (const v of vals) {
          if (v >= lim || v < -lim) continue;
          const [want, wev] = requantizeBigEvent(v, fromFrac, to);
          const [got, gev] = q(v);
          expect(got, `${v} → ${JSON.stringify(to)} from ${fromFrac}`).toBe(want);
          expect(gev, `event of ${v}`).toBe(wev === CastEvent.None ? 0 : 1);
          checked++;
        }
      }),
      { numRuns: RUNS * 4 },
    );
    expect(checked).toBeGreaterThan(RUNS);
  });
});

// ---------------------------------------------------------------------------------------------
// Dense / Conv on the wide engine ≡ the reference kernels (BigInt), random widths 33–64
// ---------------------------------------------------------------------------------------------

function wideType(minW: number, maxW: number, opts: { trnRnd?: boolean; wrapOnly?: boolean } = {}): fc.Arbitrary<FixedType> {
  return fc
    .record({
      signed: fc.boolean(),
      W: fc.integer({ min: minW, max: maxW }),
      dI: fc.integer({ min: -8, max: 8 }),
      Q: opts.trnRnd ? fc.constantFrom('AP_TRN' as const, 'AP_RND' as const) : fc.constantFrom(...QUANT_MODES),
      O: opts.wrapOnly ? fc.constant('AP_WRAP' as const) : fc.constantFrom('AP_WRAP' as const, 'AP_WRAP' as const, 'AP_SAT' as const, 'AP_SAT_SYM' as const, 'AP_SAT_ZERO' as const),
    })
    .map(({ signed, W, dI, Q, O }) => fixedType(signed, signed ? W : Math.min(W, 63), Math.floor(W / 2) + dI, Q, O, 0));
}

/** Raws of t: full range, small values, zeros and extremes (bigints above 53 bits). */
function rawsOf(t: FixedType, n: number, r: () => number, style: 'full' | 'small' | 'float32'): (number | bigint)[] {
  const lo = t.signed ? -(1n << BigInt(t.W - 1)) : 0n;
  const hi = t.signed ? (1n << BigInt(t.W - 1)) - 1n : (1n << BigInt(t.W)) - 1n;
  const span = hi - lo + 1n;
  const out: (number | bigint)[] = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    let v: bigint;
    if (u < 0.1) v = 0n;
    else if (u < 0.15) v = r() < 0.5 ? lo : hi;
    else if (style === 'small') v = BigInt(Math.floor((r() * 2 - 1) * 2 ** 12));
    else if (style === 'float32') {
      // a 24-bit mantissa at a random position (weights quantized from float32)
      const m = BigInt(Math.floor((r() * 2 - 1) * 2 ** 23));
      const e = Math.floor(r() * Math.max(1, t.W - 26));
      v = m << BigInt(e);
    } else {
      let x = 0n;
      for (let k = 0; k < 4; k++) x = (x << 16n) | BigInt(Math.floor(r() * 65536));
      v = lo + (x % span);
    }
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    out.push(t.W > 53 ? v : Number(v));
  }
  return out;
}

function asBig(y: ArrayLike<number | bigint>): bigint[] {
  return Array.from(y as ArrayLike<number | bigint>, (v) => BigInt(v));
}

function sameMac(ref: { run(x: never, o?: { stats?: KernelStats }): ArrayLike<number | bigint> }, fast: { run(x: never, o?: { stats?: KernelStats }): ArrayLike<number | bigint>; runTrusted?(x: Float64Array, o?: { stats?: KernelStats }): ArrayLike<number | bigint> }, x: (number | bigint)[], label: string): void {
  const sRef = newKernelStats();
  const want = asBig(ref.run(x as never, { stats: sRef }));
  const s = newKernelStats();
  expect(asBig(fast.run(x as never, { stats: s })), `${label} (stats)`).toEqual(want);
  expect(s, `${label} stats`).toEqual(sRef);
  expect(asBig(fast.run(x as never)), `${label} (plain)`).toEqual(want);
  if (fast.runTrusted && x.every((v) => typeof v === 'number')) expect(asBig(fast.runTrusted(Float64Array.from(x as number[]))), `${label} (trusted)`).toEqual(want);
}

describe('wide Dense / Conv ≡ reference (BigInt), random widths 33–64', () => {
  const macTypes = fc.record({
    input: wideType(33, 64),
    weight: wideType(33, 64),
    bias: wideType(33, 64),
    accum: wideType(33, 64, { trnRnd: true }),
    result: wideType(33, 64),
  });
  const styles = fc.constantFrom('full' as const, 'small' as const, 'float32' as const);
  it('Dense: every product path, modular and proven runs, overflow reports', () => {
    const seen = { small: 0, narrow: 0, general: 0, modular: 0, proven: 0, reference: 0 };
    fc.assert(
      fc.property(macTypes, fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 19 }), styles, styles, fc.boolean(), fc.integer(), (types, nIn, nOut, ws, xs, resource, seed) => {
        const r = rng(seed);
        const cfg = { name: 'd', n_in: nIn, n_out: nOut, strategy: resource ? 'resource' : 'latency', types };
        const w = rawsOf(types.weight, nIn * nOut, r, ws);
        const b = rawsOf(types.bias, nOut, r, 'small');
        const ref = new DenseKernel(cfg, w as never, b as never);
        const p = prepareFastDense(cfg, w as never, b as never);
        if (!p.kernel) return;
        expect(p.kernel).toBeInstanceOf(WideMacKernel);
        const k = p.kernel as WideMacKernel;
        seen[k.path]++;
        for (let i = 0; i < 3; i++) sameMac(ref as never, k as never, rawsOf(types.input, nIn, r, i === 0 ? 'small' : xs), `input ${i}`);
        seen.modular += k.modeCounts.modular;
        seen.proven += k.modeCounts.proven;
        seen.reference += k.modeCounts.reference;
      }),
      { numRuns: RUNS },
    );
    expect(seen.narrow).toBeGreaterThan(0);
    expect(seen.general).toBeGreaterThan(0);
    expect(seen.modular).toBeGreaterThan(0);
    expect(seen.proven).toBeGreaterThan(0);
  });

  it('Dense with 27–32-bit raws whose products exceed 2^53: the SIMD path', () => {
    const small = fc.record({ input: wideType(27, 32), weight: wideType(27, 32), bias: wideType(20, 40), accum: wideType(40, 64, { trnRnd: true }), result: wideType(20, 64) });
    let n = 0;
    fc.assert(
      fc.property(small, fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 19 }), fc.integer(), (types, nIn, nOut, seed) => {
        const r = rng(seed);
        const cfg = { name: 'd', n_in: nIn, n_out: nOut, types };
        const w = rawsOf(types.weight, nIn * nOut, r, 'full');
        const b = rawsOf(types.bias, nOut, r, 'small');
        const ref = new DenseKernel(cfg, w as never, b as never);
        const p = prepareFastDense(cfg, w as never, b as never);
        if (!(p.kernel instanceof WideMacKernel)) return;
        if (p.kernel.path === 'small') n++; // (unsigned 32-bit raws do not fit int32: another path)
        for (let i = 0; i < 3; i++) sameMac(ref as never, p.kernel as never, rawsOf(types.input, nIn, r, i === 0 ? 'small' : 'full'), `input ${i}`);
      }),
      { numRuns: RUNS },
    );
    expect(n).toBeGreaterThan(RUNS / 4);
  });

  it('Conv2D (padding, stride, io_parallel and io_stream implementations)', () => {
    const seen = { small: 0, narrow: 0, general: 0 };
    fc.assert(
      fc.property(macTypes, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 10 }), fc.constantFrom('io_parallel', 'io_stream'), styles, fc.integer(), (types, C, Fn_, io, ws, seed) => {
        const r = rng(seed);
        const cfg = { name: 'c', in_height: 5, in_width: 4, n_chan: C, n_filt: Fn_, filt_height: 3, filt_width: 2, stride_height: 1, stride_width: 2, pad_top: 1, pad_bottom: 1, pad_left: 0, pad_right: 1, io_type: io, types } as never;
        const w = rawsOf(types.weight, 6 * C * Fn_, r, ws);
        const b = rawsOf(types.bias, Fn_, r, 'small');
        let ref;
        try {
          ref = prepareConv2d(cfg, w as never, b as never);
        } catch {
          return;
        }
        const p = prepareFastConv2d(cfg, w as never, b as never);
        if (!(p.kernel instanceof WideMacKernel)) return;
        seen[p.kernel.path]++;
        for (let i = 0; i < 2; i++) sameMac(ref as never, p.kernel as never, rawsOf(types.input, 20 * C, r, i === 0 ? 'small' : 'full'), `input ${i}`);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
    expect(seen.narrow + seen.general + seen.small).toBeGreaterThan(0);
  });
});

describe('wide BatchNormalization, linear / ReLU, max pooling ≡ reference, random widths 33–64', () => {
  const anyType = (minW: number, maxW: number) => wideType(minW, maxW);
  it('BatchNormalization (per element and per channel, io_stream packing)', () => {
    let fast = 0;
    fc.assert(
      fc.property(anyType(33, 64), anyType(20, 64), anyType(20, 64), anyType(33, 64), fc.integer({ min: 1, max: 30 }), fc.constantFrom(-1, 1, 2, 3), fc.boolean(), fc.integer(), (input, scaleT, biasT, result, nIn, nFiltPick, stream, seed) => {
        const r = rng(seed);
        const nFilt = nFiltPick === -1 || nIn % nFiltPick !== 0 ? -1 : nFiltPick;
        const cfg = { name: 'bn', n_in: nIn, n_filt: nFilt, io_type: stream ? 'io_stream' : 'io_parallel', types: { input, scale: scaleT, bias: biasT, result } } as never;
        const nSB = nFilt === -1 ? nIn : nFilt;
        const s = rawsOf(scaleT, nSB, r, 'full');
        const b = rawsOf(biasT, nSB, r, 'full');
        let p;
        try {
          p = prepareFastBatchnorm(cfg, s as never, b as never);
        } catch {
          return;
        }
        if (!p.kernel) return;
        fast++;
        const ref = { run: (x: never, o?: { stats?: KernelStats }) => batchnorm(cfg, x, s as never, b as never, o) };
        for (let i = 0; i < 3; i++) sameMac(ref as never, p.kernel as never, rawsOf(input, nIn, r, i === 0 ? 'small' : 'full'), `input ${i}`);
      }),
      { numRuns: RUNS },
    );
    expect(fast).toBeGreaterThan(RUNS / 2);
  });

  it('linear and ReLU into any type', () => {
    let fast = 0;
    fc.assert(
      fc.property(anyType(33, 64), anyType(8, 64), fc.constantFrom('linear' as const, 'relu' as const), fc.integer({ min: 1, max: 40 }), fc.integer(), (input, result, kind, n, seed) => {
        const r = rng(seed);
        const cfg = { name: kind, n_in: n, types: { input, result } } as never;
        const p = prepareFastActivation(kind, cfg);
        if (!p.kernel) return;
        fast++;
        const fn = kind === 'relu' ? relu : linear;
        const ref = { run: (x: never, o?: { stats?: KernelStats }) => fn(cfg, x, o) };
        for (let i = 0; i < 3; i++) sameMac(ref as never, p.kernel as never, rawsOf(input, n, r, i === 0 ? 'small' : 'full'), `input ${i}`);
        // the same type on both sides: a copy
        const same = { name: kind, n_in: n, types: { input, result: input } } as never;
        const q = prepareFastActivation(kind, same);
        if (q.kernel) sameMac({ run: (x: never, o?: { stats?: KernelStats }) => fn(same, x, o) } as never, q.kernel as never, rawsOf(input, n, r, 'full'), 'copy');
      }),
      { numRuns: RUNS },
    );
    expect(fast).toBeGreaterThan(RUNS / 2);
  });

  it('max pooling 2D (io_parallel and io_stream, padding)', () => {
    let fast = 0;
    const satOrWrap = fc.record({ signed: fc.boolean(), W: fc.integer({ min: 54, max: 64 }), I: fc.integer({ min: 10, max: 40 }) });
    fc.assert(
      fc.property(satOrWrap, fc.constantFrom('same', 'wider', 'sat'), fc.integer({ min: 1, max: 3 }), fc.constantFrom('io_parallel', 'io_stream'), fc.integer(), ({ signed, W, I }, variant, C, io, seed) => {
        const r = rng(seed);
        const input = fixedType(signed, signed ? W : Math.min(W, 63), I, 'AP_TRN', 'AP_WRAP', 0);
        const accum = variant === 'same' ? input : variant === 'wider' ? fixedType(true, 64, I + 2, 'AP_TRN', 'AP_WRAP', 0) : fixedType(true, 60, I - 3, 'AP_RND', 'AP_SAT', 0);
        const result = variant === 'sat' ? fixedType(true, 58, I - 4, 'AP_RND', 'AP_SAT', 0) : accum;
        const cfg = { name: 'p', in_height: 5, in_width: 4, n_filt: C, pool_height: 2, pool_width: 2, stride_height: 2, stride_width: 2, pad_top: 0, pad_bottom: 1, pad_left: 0, pad_right: 0, pool_op: 'Max', io_type: io, types: { input, accum, result } } as never;
        let ref;
        try {
          ref = preparePooling2d(cfg);
        } catch {
          return;
        }
        const p = prepareFastPooling(cfg, false);
        if (!p.kernel) return;
        fast++;
        for (let i = 0; i < 3; i++) sameMac(ref as never, p.kernel as never, rawsOf(input, 20 * C, r, i === 0 ? 'small' : 'full'), `input ${i}`);
      }),
      { numRuns: RUNS },
    );
    expect(fast).toBeGreaterThan(RUNS / 4);
  });
});

describe('wide softmax ≡ reference', () => {
  it('latency / stable with inputs, accumulators and results of 33–64 bits', () => {
    let fast = 0;
    const tab = fc.record({ W: fc.integer({ min: 10, max: 24 }), I: fc.integer({ min: 2, max: 10 }) }).map(({ W, I }) => fixedType(false, W, I, 'AP_TRN', 'AP_WRAP', 0));
    fc.assert(
      fc.property(
        fc.record({ input: wideType(33, 64), result: wideType(20, 64), exp_table: tab, inv_table: tab, accum: wideType(33, 64) }),
        fc.constantFrom('latency', 'stable'),
        fc.constantFrom(64, 1024),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer(),
        (types, impl, size, nSlice, nGroups, seed) => {
          const r = rng(seed);
          const nIn = nSlice * nGroups;
          const cfg = { name: 'sm', n_in: nIn, n_slice: nSlice, n_outer: nGroups, implementation: impl, exp_table_size: size, inv_table_size: size, types } as never;
          let p;
          try {
            softmax(cfg, new Array(nIn).fill(0n));
            p = prepareFastSoftmax(cfg);
          } catch {
            return;
          }
          if (!p.kernel) return;
          fast++;
          const ref = { run: (x: never, o?: { stats?: KernelStats }) => softmax(cfg, x, o) };
          for (let i = 0; i < 3; i++) sameMac(ref as never, p.kernel as never, rawsOf(types.input, nIn, r, i === 0 ? 'small' : 'full'), `input ${i}`);
        },
      ),
      { numRuns: RUNS },
    );
    expect(fast).toBeGreaterThan(RUNS / 4);
  });
});

describe('wide Dense: every shift case of the narrow and small paths', () => {
  it('s = F_x + F_w − F_accum from −70 to 100, rounding and truncating, logical and arithmetic shifts', () => {
    const r = rng(99);
    let checked = 0;
    for (const s of [-70, -40, -3, 0, 1, 5, 30, 31, 32, 33, 40, 63, 64, 70, 100]) {
      for (const Q of ['AP_TRN', 'AP_RND'] as const) {
        for (const Wa of [40, 64]) {
          for (const [Wx, Ww] of [[64, 40], [48, 32], [30, 30]] as [number, number][]) {
            const Fx = Math.floor(Wx / 2);
            const Fw = Math.floor(Ww / 2);
            const Fa = Fx + Fw - s;
            const types = {
              input: fixedType(true, Wx!, Wx! - Fx, 'AP_TRN', 'AP_WRAP', 0),
              weight: fixedType(true, Ww!, Ww! - Fw, 'AP_TRN', 'AP_WRAP', 0),
              bias: fixedType(true, 40, 40 - Fa + 10 > 40 ? 40 : 40 - Fa + 10, 'AP_TRN', 'AP_WRAP', 0),
              accum: fixedType(true, Wa, Wa - Fa, Q, 'AP_WRAP', 0),
              result: fixedType(true, 64, 64 - Fa + 3, 'AP_RND', 'AP_SAT', 0),
            };
            const nIn = 7;
            const nOut = 11;
            const cfg = { name: 'd', n_in: nIn, n_out: nOut, types };
            for (const style of ['float32', 'full'] as const) {
              const w = rawsOf(types.weight, nIn * nOut, r, style);
              const b = rawsOf(types.bias, nOut, r, 'small');
              let ref;
              try {
                ref = new DenseKernel(cfg, w as never, b as never);
              } catch {
                continue;
              }
              const p = prepareFastDense(cfg, w as never, b as never);
              if (!(p.kernel instanceof WideMacKernel)) continue;
              for (let i = 0; i < 3; i++) sameMac(ref as never, p.kernel as never, rawsOf(types.input, nIn, r, i === 0 ? 'small' : 'full'), `s=${s} ${Q} Wa=${Wa} x${Wx} w${Ww} ${style} ${p.kernel.path}`);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('wide BatchNormalization whose products fit 64 bits (one i64 multiply)', () => {
  it('inputs and scales of 24–34 bits', () => {
    let fast = 0;
    fc.assert(
      fc.property(wideType(24, 34), wideType(20, 32), wideType(16, 40), wideType(20, 48), fc.integer({ min: 1, max: 24 }), fc.integer(), (input, scaleT, biasT, result, nIn, seed) => {
        const r = rng(seed);
        const cfg = { name: 'bn', n_in: nIn, types: { input, scale: scaleT, bias: biasT, result } } as never;
        const s = rawsOf(scaleT, nIn, r, 'full');
        const b = rawsOf(biasT, nIn, r, 'full');
        let p;
        try {
          p = prepareFastBatchnorm(cfg, s as never, b as never);
        } catch {
          return;
        }
        if (!p.kernel) return;
        fast++;
        const ref = { run: (x: never, o?: { stats?: KernelStats }) => batchnorm(cfg, x, s as never, b as never, o) };
        for (let i = 0; i < 3; i++) sameMac(ref as never, p.kernel as never, rawsOf(input, nIn, r, i === 0 ? 'small' : 'full'), `input ${i}`);
      }),
      { numRuns: RUNS },
    );
    expect(fast).toBeGreaterThan(RUNS / 2);
  });
});
