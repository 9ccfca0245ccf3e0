// Property tests: on random layers — random fixed-point types (narrow, overflow-heavy, every
// quantization and overflow mode), random geometry, strategies and data — the fast kernels give
// exactly the reference kernels' raw outputs and KernelStats, or throw exactly the same error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedType, QUANT_MODES, OVERFLOW_MODES, type FixedType } from '../../src/fixed/index.js';
import {
  DenseKernel,
  batchnorm,
  linear,
  prepareConv1d,
  prepareConv2d,
  preparePooling1d,
  preparePooling2d,
  relu,
  sigmoid,
  softmax,
  tanh,
  validReuseFactors,
  type RawInput,
  type RawOutput,
  type KernelStats,
} from '../../src/kernels/index.js';
import { prepareFastConv1d, prepareFastConv2d } from '../../src/kernels/fast/conv.js';
import { prepareFastDense } from '../../src/kernels/fast/dense.js';
import { prepareFastActivation, prepareFastBatchnorm } from '../../src/kernels/fast/elementwise.js';
import { prepareFastPooling } from '../../src/kernels/fast/pooling.js';
import { prepareFastSoftmax } from '../../src/kernels/fast/softmax.js';
import type { FastPrepared, RunKernel } from '../../src/kernels/fast/common.js';
import { FastMacKernel } from '../../src/kernels/fast/mac.js';
import { expectSameRun, randomRaw, rng } from './helpers.js';

const RUNS = Number(process.env.HLSEMU_PROPERTY_RUNS ?? 150);

/** A random fixed type; `narrow` biases towards small widths (overflow-heavy). */
function typeArb(opts: { maxW?: number; minW?: number; signed?: boolean; trnRnd?: boolean } = {}): fc.Arbitrary<FixedType> {
  const maxW = opts.maxW ?? 18;
  return fc
    .record({
      signed: opts.signed === undefined ? fc.boolean() : fc.constant(opts.signed),
      W: fc.integer({ min: opts.minW ?? 2, max: maxW }),
      dI: fc.integer({ min: -3, max: 6 }),
      Q: opts.trnRnd ? fc.constantFrom('AP_TRN' as const, 'AP_RND' as const) : fc.constantFrom(...QUANT_MODES),
      O: fc.constantFrom(...OVERFLOW_MODES),
      nSat: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ signed, W, dI, Q, O, nSat }) => {
      const o = !signed && O === 'AP_WRAP_SM' ? 'AP_WRAP' : O;
      const N = o === 'AP_WRAP' || o === 'AP_WRAP_SM' ? Math.min(nSat === 3 ? 1 : 0, W) : 0;
      return fixedType(signed, W, Math.min(Math.max(dI + Math.floor(W / 2), -8), W + 8), Q, o, N);
    });
}

const macTypes = (trnRnd: boolean) =>
  fc.record({
    input: typeArb({ maxW: 16 }),
    weight: typeArb({ maxW: 12 }),
    bias: typeArb({ maxW: 16 }),
    accum: typeArb({ maxW: 24, minW: 3, trnRnd }),
    result: typeArb({ maxW: 16 }),
  });

/** Random raws; a share of extremes and zeros to provoke overflow / skipping. */
function data(t: FixedType, n: number, r: () => number, zeros = 0.15): Float64Array {
  const lo = t.signed ? -(2 ** (t.W - 1)) : 0;
  const hi = t.signed ? 2 ** (t.W - 1) - 1 : 2 ** t.W - 1;
  return Float64Array.from({ length: n }, () => {
    const u = r();
    if (u < zeros) return 0;
    if (u < zeros + 0.1) return r() < 0.5 ? lo : hi;
    return randomRaw(t, r);
  });
}

/** Both prepared (or both throwing the same error); then every input gives identical results. */
function compare(prepRef: () => { run(x: RawInput, o?: { stats?: KernelStats }): RawOutput }, prepFast: () => FastPrepared<RunKernel>, inputs: Float64Array[]): FastPrepared<RunKernel> | null {
  let ref: ReturnType<typeof prepRef>;
  try {
    ref = prepRef();
  } catch (e) {
    expect(prepFast).toThrow((e as Error).message);
    return null;
  }
  let fast: FastPrepared<RunKernel>;
  try {
    fast = prepFast();
  } catch (e) {
    // Function-style reference kernels (softmax, batchnorm, …) validate their config on every
    // call; the fast ones validate when prepared (compile.ts then keeps the reference closure).
    for (const x of inputs) expect(() => ref.run(x)).toThrow((e as Error).message);
    return null;
  }
  if (!fast.kernel) return fast;
  inputs.forEach((x, k) => {
    let refErr: Error | undefined;
    try {
      ref.run(x);
    } catch (e) {
      refErr = e as Error;
    }
    if (refErr) expect(() => fast.kernel!.run(x)).toThrow(refErr.message);
    else expectSameRun(ref, fast.kernel!, x, `input ${k}`);
  });
  return fast;
}

describe('fast Dense == reference Dense (random)', () => {
  for (const backend of ['wasm', 'js'] as const) {
    it(`latency and resource, all modes (${backend})`, () => {
      let fastCount = 0;
      let total = 0;
      fc.assert(
        fc.property(macTypes(false), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 37 }), fc.nat(), fc.boolean(), fc.integer(), (types, nIn, nOut, rfPick, resource, seed) => {
          const r = rng(seed);
          const rfs = validReuseFactors(nIn, nOut);
          const rf = rfs[rfPick % rfs.length]!;
          const cfg = { name: 'd', n_in: nIn, n_out: nOut, strategy: resource ? 'resource' : 'latency', reuse_factor: rf, types };
          const w = data(types.weight, nIn * nOut, r, 0.2);
          const b = data(types.bias, nOut, r);
          const xs = [0, 1, 2, 3].map(() => data(types.input, nIn, r));
          const f = compare(() => new DenseKernel(cfg, w, b), () => prepareFastDense(cfg, w, b, { backend }), xs);
          total++;
          if (f?.kernel) fastCount++;
        }),
        { numRuns: RUNS },
      );
      expect(fastCount).toBeGreaterThan(total / 4);
    });
  }

  it('narrow AP_TRN / AP_RND accumulators always get a fast kernel (and hit every run mode)', () => {
    const modes = { modular: 0, proven: 0, sequential: 0, reference: 0 };
    const checks = { checked: 0, skipped: 0, narrow: 0 };
    fc.assert(
      fc.property(macTypes(true), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 20 }), fc.integer(), (types, nIn, nOut, seed) => {
        const r = rng(seed);
        const cfg = { name: 'd', n_in: nIn, n_out: nOut, types };
        const w = data(types.weight, nIn * nOut, r, 0.2);
        const b = data(types.bias, nOut, r);
        const xs = [0, 1, 2].map(() => data(types.input, nIn, r));
        const f = compare(() => new DenseKernel(cfg, w, b), () => prepareFastDense(cfg, w, b), xs);
        if (f?.kernel instanceof FastMacKernel) {
          for (const [m, n] of Object.entries(f.kernel.modeCounts)) modes[m as keyof typeof modes] += n;
          checks.checked += f.kernel.productChecks.checked;
          checks.skipped += f.kernel.productChecks.skipped;
          if (f.kernel.engine.narrowSequential) checks.narrow += f.kernel.productChecks.skipped;
        } else if (types.accum.W + Math.max(0, types.input.W - types.input.I + types.weight.W - types.weight.I - (types.accum.W - types.accum.I)) <= 32) expect(f?.kernel).toBeTruthy();
      }),
      { numRuns: RUNS },
    );
    expect(modes.modular).toBeGreaterThan(0);
    expect(modes.proven).toBeGreaterThan(0);
    expect(modes.sequential).toBeGreaterThan(0);
    // Sequential runs with and without the per-product checks.
    expect(checks.checked).toBeGreaterThan(0);
    expect(checks.skipped).toBeGreaterThan(0);
    // … and on 16-bit lanes.
    expect(checks.narrow).toBeGreaterThan(0);
  });

  it('16-bit wrap / saturate accumulators run the sequential kernel on 16-bit lanes (i16 add / add_sat convert)', () => {
    let narrowRuns = 0;
    const types16 = fc.record({
      input: typeArb({ maxW: 16 }),
      weight: typeArb({ maxW: 12 }),
      bias: typeArb({ maxW: 16 }),
      accum: fc.record({ I: fc.integer({ min: 2, max: 14 }), Q: fc.constantFrom('AP_TRN' as const, 'AP_RND' as const), O: fc.constantFrom('AP_WRAP' as const, 'AP_SAT' as const) }).map(({ I, Q, O }) => fixedType(true, 16, I, Q, O, 0)),
      result: typeArb({ maxW: 16 }),
    });
    fc.assert(
      fc.property(types16, fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 20 }), fc.integer(), (types, nIn, nOut, seed) => {
        const r = rng(seed);
        const cfg = { name: 'd', n_in: nIn, n_out: nOut, types };
        const w = data(types.weight, nIn * nOut, r, 0.2);
        const b = data(types.bias, nOut, r);
        const xs = [0, 1, 2, 3].map(() => data(types.input, nIn, r));
        const f = compare(() => new DenseKernel(cfg, w, b), () => prepareFastDense(cfg, w, b), xs);
        if (f?.kernel instanceof FastMacKernel && f.kernel.engine.narrowSequential) narrowRuns += f.kernel.productChecks.skipped;
      }),
      { numRuns: RUNS },
    );
    expect(narrowRuns).toBeGreaterThan(0);
  });

  it('wide types run on f64 lanes (all run modes), identical to the reference', () => {
    const lanes = { i32: 0, f64: 0 };
    const modes = { modular: 0, proven: 0, sequential: 0, reference: 0 };
    const wideTypes = fc.record({
      input: typeArb({ minW: 12, maxW: 26 }),
      weight: typeArb({ minW: 10, maxW: 22 }),
      bias: typeArb({ maxW: 30 }),
      accum: typeArb({ minW: 16, maxW: 50, trnRnd: true }),
      result: typeArb({ minW: 8, maxW: 40 }),
    });
    fc.assert(
      fc.property(wideTypes, fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 13 }), fc.boolean(), fc.integer(), (types, nIn, nOut, conv, seed) => {
        const r = rng(seed);
        const w = data(types.weight, nIn * nOut, r, 0.2);
        const b = data(types.bias, nOut, r);
        let f: FastPrepared<RunKernel> | null;
        if (conv) {
          const cfg = { name: 'c', in_height: 4, in_width: 3, n_chan: nIn, n_filt: nOut, filt_height: 2, filt_width: 2, pad_top: 1, pad_left: 1, types };
          const cw = data(types.weight, 4 * nIn * nOut, r, 0.2);
          f = compare(() => prepareConv2d(cfg, cw, b), () => prepareFastConv2d(cfg, cw, b), [data(types.input, 12 * nIn, r), data(types.input, 12 * nIn, r)]);
        } else {
          const cfg = { name: 'd', n_in: nIn, n_out: nOut, types };
          f = compare(() => new DenseKernel(cfg, w, b), () => prepareFastDense(cfg, w, b), [0, 1, 2].map(() => data(types.input, nIn, r)));
        }
        if (f?.kernel instanceof FastMacKernel) {
          lanes[f.kernel.engine.lanes]++;
          for (const [m, n] of Object.entries(f.kernel.modeCounts)) modes[m as keyof typeof modes] += n;
        }
      }),
      { numRuns: RUNS },
    );
    expect(lanes.f64).toBeGreaterThan(RUNS / 4);
    expect(modes.modular).toBeGreaterThan(0);
    expect(modes.proven).toBeGreaterThan(0);
    expect(modes.sequential).toBeGreaterThan(0);
  });

  it('Resource orders shared by all outputs replay sequentially (no reference fallback)', () => {
    let seqRuns = 0;
    fc.assert(
      fc.property(macTypes(true), fc.constantFrom([16, 8, 4], [24, 6, 8], [12, 10, 3], [32, 4, 16]), fc.integer(), (types, [nIn, nOut, rf], seed) => {
        const r = rng(seed);
        const cfg = { name: 'd', n_in: nIn!, n_out: nOut!, strategy: 'resource', reuse_factor: rf!, types };
        const w = data(types.weight, nIn! * nOut!, r, 0.2);
        const b = data(types.bias, nOut!, r);
        const f = compare(() => new DenseKernel(cfg, w, b), () => prepareFastDense(cfg, w, b), [0, 1, 2].map(() => data(types.input, nIn!, r)));
        if (f?.kernel instanceof FastMacKernel) {
          seqRuns += f.kernel.modeCounts.sequential;
          if (f.kernel.engine.hasSequential) expect(f.kernel.modeCounts.reference).toBe(0);
        }
      }),
      { numRuns: RUNS },
    );
    expect(seqRuns).toBeGreaterThan(0);
  });

  it('weight_ternary products', () => {
    fc.assert(
      fc.property(typeArb({ maxW: 12 }), typeArb({ maxW: 20, minW: 3, trnRnd: true }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.integer(), (tin, tacc, nIn, nOut, seed) => {
        const r = rng(seed);
        const types = { input: tin, weight: fixedType(true, 2, 2), bias: tin, accum: tacc, result: tin };
        const cfg = { name: 'd', n_in: nIn, n_out: nOut, product: 'weight_ternary', types };
        const w = data(types.weight, nIn * nOut, r);
        const b = data(types.bias, nOut, r);
        compare(() => new DenseKernel(cfg, w, b), () => prepareFastDense(cfg, w, b), [data(tin, nIn, r), data(tin, nIn, r)]);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});

describe('fast Conv == reference Conv (random)', () => {
  const geom = fc.record({
    H: fc.integer({ min: 1, max: 7 }),
    W: fc.integer({ min: 1, max: 7 }),
    C: fc.integer({ min: 1, max: 4 }),
    F: fc.integer({ min: 1, max: 21 }),
    k: fc.integer({ min: 1, max: 3 }),
    kw: fc.integer({ min: 1, max: 3 }),
    s: fc.integer({ min: 1, max: 2 }),
    pad: fc.boolean(),
    io: fc.constantFrom('io_parallel', 'io_stream'),
    impl: fc.constantFrom('LineBuffer', 'Encoded'),
    resource: fc.boolean(),
    rfPick: fc.nat(),
  });
  for (const backend of ['wasm', 'js'] as const) {
    it(`Conv2D, all implementations (${backend})`, () => {
      fc.assert(
        fc.property(macTypes(false), geom, fc.integer(), (types, g, seed) => {
          const r = rng(seed);
          const kh = g.io === 'io_stream' && g.impl === 'Encoded' ? g.kw : g.k;
          const pt = g.pad ? Math.floor((kh - 1) / 2) : 0;
          const pl = g.pad ? Math.floor((g.kw - 1) / 2) : 0;
          const nIn = kh * g.kw * g.C;
          const rfs = validReuseFactors(nIn, g.F).filter((x) => x <= nIn);
          const cfg = {
            name: 'c',
            in_height: g.H,
            in_width: g.W,
            n_chan: g.C,
            n_filt: g.F,
            filt_height: kh,
            filt_width: g.kw,
            stride_height: g.s,
            stride_width: g.s,
            pad_top: pt,
            pad_bottom: g.pad ? kh - 1 - pt : 0,
            pad_left: pl,
            pad_right: g.pad ? g.kw - 1 - pl : 0,
            io_type: g.io,
            implementation: g.impl,
            strategy: g.resource ? 'resource' : 'latency',
            reuse_factor: rfs.length ? rfs[g.rfPick % rfs.length]! : 1,
            types,
          };
          const w = data(types.weight, nIn * g.F, r, 0.2);
          const b = data(types.bias, g.F, r);
          const xs = [0, 1].map(() => data(types.input, g.H * g.W * g.C, r));
          compare(() => prepareConv2d(cfg, w, b), () => prepareFastConv2d(cfg, w, b, { backend }), xs);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('Conv1D, all implementations', () => {
    fc.assert(
      fc.property(macTypes(false), geom, fc.integer(), (types, g, seed) => {
        const r = rng(seed);
        const pl = g.pad ? Math.floor((g.kw - 1) / 2) : 0;
        const cfg = {
          name: 'c1',
          in_width: g.W + 2,
          n_chan: g.C,
          n_filt: g.F,
          filt_width: g.kw,
          stride_width: g.s,
          pad_left: pl,
          pad_right: g.pad ? g.kw - 1 - pl : 0,
          io_type: g.io,
          implementation: g.impl,
          types,
        };
        const w = data(types.weight, g.kw * g.C * g.F, r, 0.2);
        const b = data(types.bias, g.F, r);
        const xs = [0, 1].map(() => data(types.input, (g.W + 2) * g.C, r));
        compare(() => prepareConv1d(cfg, w, b), () => prepareFastConv1d(cfg, w, b), xs);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fast pooling / batchnorm / activations / softmax == reference (random)', () => {
  it('pooling 1D / 2D, Max / Average, parallel / stream', () => {
    fc.assert(
      fc.property(
        fc.record({ input: typeArb(), accum: typeArb({ maxW: 12 }), result: typeArb() }),
        fc.record({ H: fc.integer({ min: 1, max: 9 }), W: fc.integer({ min: 1, max: 9 }), C: fc.integer({ min: 1, max: 5 }), p: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), pad: fc.integer({ min: 0, max: 1 }) }),
        fc.constantFrom('Max', 'Average'),
        fc.constantFrom('io_parallel', 'io_stream'),
        fc.constantFrom('LineBuffer', 'Encoded'),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (types, g, op, io, impl, oneD, countPad, seed) => {
          const r = rng(seed);
          const stride = io === 'io_stream' ? g.p : g.s;
          const pad = io === 'io_stream' ? 0 : g.pad;
          if (oneD) {
            const cfg = { name: 'p1', n_in: g.W + 2, n_filt: g.C, pool_width: g.p, stride_width: stride, pad_left: pad, pad_right: pad, pool_op: op, io_type: io, implementation: impl, count_pad: countPad, types };
            compare(() => preparePooling1d(cfg), () => prepareFastPooling(cfg, true), [data(types.input, (g.W + 2) * g.C, r), data(types.input, (g.W + 2) * g.C, r)]);
          } else {
            const cfg = { name: 'p2', in_height: g.H + 1, in_width: g.W + 1, n_filt: g.C, pool_height: g.p, pool_width: g.p, stride_height: stride, stride_width: stride, pad_top: pad, pad_bottom: pad, pad_left: pad, pad_right: 0, pool_op: op, io_type: io, implementation: impl, count_pad: countPad, types };
            compare(() => preparePooling2d(cfg), () => prepareFastPooling(cfg, false), [data(types.input, (g.H + 1) * (g.W + 1) * g.C, r), data(types.input, (g.H + 1) * (g.W + 1) * g.C, r)]);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('batchnorm (per element / per channel, parallel / stream)', () => {
    fc.assert(
      fc.property(fc.record({ input: typeArb(), scale: typeArb(), bias: typeArb(), result: typeArb() }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.boolean(), fc.integer(), (types, P, C, perChannel, stream, seed) => {
        const r = rng(seed);
        const nIn = P * C;
        const nFilt = perChannel ? C : -1;
        const cfg = { name: 'bn', n_in: nIn, n_filt: nFilt, io_type: stream ? 'io_stream' : 'io_parallel', types };
        const s = data(types.scale, perChannel ? C : nIn, r);
        const b = data(types.bias, perChannel ? C : nIn, r);
        compare(() => ({ run: (x: RawInput, o?: { stats?: KernelStats }) => batchnorm(cfg, x, s, b, o) }), () => prepareFastBatchnorm(cfg, s, b), [data(types.input, nIn, r), data(types.input, nIn, r)]);
      }),
      { numRuns: RUNS },
    );
  });

  it('linear / relu / sigmoid / tanh', () => {
    const fns = { linear, relu, sigmoid, tanh };
    fc.assert(
      fc.property(fc.record({ input: typeArb({ maxW: 24 }), result: typeArb(), table: typeArb({ maxW: 20 }) }), fc.constantFrom('linear', 'relu', 'sigmoid', 'tanh') as fc.Arbitrary<keyof typeof fns>, fc.constantFrom(64, 256, 1024), fc.integer({ min: 1, max: 40 }), fc.integer(), (types, kind, size, n, seed) => {
        const r = rng(seed);
        const cfg = { name: kind, n_in: n, table_size: size, types };
        compare(() => ({ run: (x: RawInput, o?: { stats?: KernelStats }) => fns[kind](cfg, x, o) }), () => prepareFastActivation(kind, cfg), [data(types.input, n, r), data(types.input, n, r)]);
      }),
      { numRuns: RUNS },
    );
  });

  it('softmax latency / stable / legacy / argmax', () => {
    fc.assert(
      fc.property(
        fc.record({ input: typeArb({ minW: 10 }), result: typeArb(), exp_table: typeArb({ minW: 10 }), inv_table: typeArb({ minW: 10 }), accum: typeArb({ minW: 10, maxW: 24 }), table: typeArb({ minW: 10 }) }),
        fc.constantFrom('latency', 'stable', 'legacy', 'argmax'),
        fc.constantFrom(64, 256, 1024),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.integer(),
        (types, impl, size, nSlice, nGroups, stream, seed) => {
          const r = rng(seed);
          const nIn = nSlice * nGroups;
          const cfg = { name: 'sm', n_in: nIn, n_slice: nSlice, n_outer: stream ? undefined : nGroups, io_type: stream ? 'io_stream' : 'io_parallel', implementation: impl, exp_table_size: size, inv_table_size: size, table_size: size, types };
          compare(() => ({ run: (x: RawInput, o?: { stats?: KernelStats }) => softmax(cfg, x, o) }), () => prepareFastSoftmax(cfg), [data(types.input, nIn, r), data(types.input, nIn, r)]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('invalid inputs', () => {
  it('are rejected with the reference error', () => {
    const t = fixedType(true, 8, 3);
    const types = { input: t, weight: t, bias: t, accum: fixedType(true, 16, 6), result: t };
    const cfg = { name: 'd', n_in: 3, n_out: 2, types };
    const w = [1, 2, 3, 4, 5, 6];
    const b = [0, 1];
    const ref = new DenseKernel(cfg, w, b);
    const fast = prepareFastDense(cfg, w, b).kernel!;
    for (const x of [[1, 2, 300], [1, 2.5, 3], [1, 2], [1, NaN, 3], [1n, 2n, 3n]] as RawInput[]) {
      let msg = '';
      try {
        ref.run(x);
      } catch (e) {
        msg = (e as Error).message;
      }
      if (msg) expect(() => fast.run(x)).toThrow(msg);
      else expect(Array.from(fast.run(x) as Float64Array)).toEqual(Array.from(ref.run(x) as Float64Array));
    }
  });
});
