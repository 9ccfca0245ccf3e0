// Property tests of the fast depthwise convolution: on random layers — random fixed-point types
// (every quantization and overflow mode, narrow and overflow-heavy), random geometry, io types,
// LineBuffer / Encoded windows, Latency and the three Resource product orders, weight_ternary — the
// fast kernel gives exactly the reference kernel's raw outputs and KernelStats (or throws the same
// error); and on every depthwise / separable reference case it reproduces the expected outputs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedType, parseFixedType, QUANT_MODES, OVERFLOW_MODES, toFixedType, type FixedType } from '../../src/fixed/index.js';
import { prepareDepthwiseConv1d, prepareDepthwiseConv2d, validReuseFactors, type DepthwiseKernel } from '../../src/kernels/index.js';
import { FastDepthwiseKernel, prepareFastDepthwiseConv1d, prepareFastDepthwiseConv2d } from '../../src/kernels/fast/depthwise.js';
import type { FastPrepared } from '../../src/kernels/fast/common.js';
import { compileGraph } from '../../src/emulate/compile.js';
import { goldenDir } from '../emit/helpers.js';
import { expectSameRun, randomRaw, rng } from './helpers.js';

const RUNS = Number(process.env.HLSEMU_PROPERTY_RUNS ?? 150);

function typeArb(opts: { maxW?: number; minW?: number; trnRnd?: boolean; integer?: boolean } = {}): fc.Arbitrary<FixedType> {
  const maxW = opts.maxW ?? 18;
  return fc
    .record({
      signed: fc.boolean(),
      W: fc.integer({ min: opts.minW ?? 2, max: maxW }),
      dI: fc.integer({ min: -3, max: 6 }),
      Q: opts.trnRnd ? fc.constantFrom('AP_TRN' as const, 'AP_RND' as const) : fc.constantFrom(...QUANT_MODES),
      O: fc.constantFrom(...OVERFLOW_MODES),
      nSat: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ signed, W, dI, Q, O, nSat }) => {
      const o = !signed && O === 'AP_WRAP_SM' ? 'AP_WRAP' : O;
      const N = o === 'AP_WRAP' || o === 'AP_WRAP_SM' ? Math.min(nSat === 3 ? 1 : 0, W) : 0;
      const I = opts.integer ? W : Math.min(Math.max(dI + Math.floor(W / 2), -8), W + 8);
      return fixedType(signed, W, I, Q, o, N);
    });
}

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

interface Geo {
  twoD: boolean;
  H: number;
  W: number;
  C: number;
  k: number;
  s: number;
  same: boolean;
  stream: boolean;
  encoded: boolean;
  resource: boolean;
  rfPick: number;
  ternary: boolean;
}

const geoArb: fc.Arbitrary<Geo> = fc.record({
  twoD: fc.boolean(),
  H: fc.integer({ min: 3, max: 7 }),
  W: fc.integer({ min: 3, max: 8 }),
  C: fc.integer({ min: 1, max: 5 }),
  k: fc.integer({ min: 1, max: 3 }),
  s: fc.integer({ min: 1, max: 2 }),
  same: fc.boolean(),
  stream: fc.boolean(),
  encoded: fc.boolean(),
  resource: fc.boolean(),
  rfPick: fc.nat(),
  ternary: fc.integer({ min: 0, max: 5 }).map((v) => v === 0),
});

function samePads(n: number, k: number, s: number): [number, number] {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function config(g: Geo, types: Record<string, FixedType>): Record<string, unknown> {
  const K = (g.twoD ? g.k : 1) * g.k;
  const rfs = validReuseFactors(K * g.C, g.C);
  const c: Record<string, unknown> = {
    name: 'dw',
    in_width: g.W,
    n_chan: g.C,
    filt_width: g.k,
    stride_width: g.s,
    io_type: g.stream ? 'io_stream' : 'io_parallel',
    strategy: g.stream && g.resource ? 'resource' : 'latency',
    reuse_factor: g.stream && g.resource ? rfs[g.rfPick % rfs.length] : 1,
    product: g.ternary ? 'weight_ternary' : 'mult',
    types,
  };
  if (g.same) [c.pad_left, c.pad_right] = samePads(g.W, g.k, g.s);
  if (g.twoD) {
    Object.assign(c, { in_height: g.H, filt_height: g.k, stride_height: g.s });
    if (g.same) [c.pad_top, c.pad_bottom] = samePads(g.H, g.k, g.s);
  }
  if (g.stream) c.implementation = g.encoded ? 'Encoded' : 'LineBuffer';
  return c;
}

type Prep = () => DepthwiseKernel;

/** Both prepared (or both throwing the same error); then every input gives identical results. */
function compare(prepRef: Prep, prepFast: () => FastPrepared<FastDepthwiseKernel>, inputs: Float64Array[]): FastPrepared<FastDepthwiseKernel> | null {
  let ref: DepthwiseKernel;
  try {
    ref = prepRef();
  } catch (e) {
    expect(prepFast).toThrow((e as Error).message);
    return null;
  }
  const fast = prepFast();
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

describe('fast depthwise == reference depthwise (random layers)', () => {
  it('every geometry, io type, window implementation, strategy, product and type mode', () => {
    const modes = { modular: 0, proven: 0, sequential: 0, reference: 0 };
    let total = 0;
    let fastCount = 0;
    fc.assert(
      fc.property(
        geoArb,
        fc.record({ input: typeArb({ maxW: 16 }), weight: typeArb({ maxW: 12 }), bias: typeArb({ maxW: 16 }), accum: typeArb({ maxW: 24, minW: 3 }), result: typeArb({ maxW: 16 }) }),
        typeArb({ maxW: 4, integer: true }),
        fc.integer(),
        (g, types, intWeight, seed) => {
          const r = rng(seed);
          const t = g.ternary ? { ...types, weight: intWeight } : types;
          const K = (g.twoD ? g.k : 1) * g.k;
          const cfg = config(g, t) as never;
          const w = g.ternary ? Float64Array.from({ length: K * g.C }, () => Math.floor(r() * 3) - 1).map((v) => (t.weight.signed ? v : Math.abs(v))) : data(t.weight, K * g.C, r, 0.2);
          const b = data(t.bias, g.C, r);
          const n = (g.twoD ? g.H : 1) * g.W * g.C;
          const xs = [0, 1, 2].map(() => data(t.input, n, r));
          const f = g.twoD
            ? compare(() => prepareDepthwiseConv2d(cfg, w, b), () => prepareFastDepthwiseConv2d(cfg, w, b, { reuseOutput: seed % 2 === 0 }), xs)
            : compare(() => prepareDepthwiseConv1d(cfg, w, b), () => prepareFastDepthwiseConv1d(cfg, w, b), xs);
          total++;
          if (f?.kernel) {
            fastCount++;
            for (const [m, c] of Object.entries(f.kernel.modeCounts)) modes[m as keyof typeof modes] += c;
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(fastCount).toBeGreaterThan(total / 4);
    // every mode is exercised (each input runs 3 times with stats and 3 without)
    expect(modes.modular).toBeGreaterThan(0);
    expect(modes.proven).toBeGreaterThan(0);
    expect(modes.sequential).toBeGreaterThan(0);
  });

  it('every number-path layer gets a fast kernel (the sequential mode replays any conversion); invalid inputs go to the reference', () => {
    fc.assert(
      fc.property(geoArb, fc.record({ input: typeArb({ maxW: 14 }), weight: typeArb({ maxW: 12 }), bias: typeArb({ maxW: 14 }), accum: typeArb({ minW: 8, maxW: 32 }), result: typeArb({ maxW: 14 }) }), fc.integer(), (g0, types, seed) => {
        const g = { ...g0, ternary: false };
        // (any accumulator type: layers outside the exactness analysis run the sequential mode)
        const r = rng(seed);
        const K = (g.twoD ? g.k : 1) * g.k;
        const cfg = config(g, types) as never;
        const w = data(types.weight, K * g.C, r, 0.2);
        const b = data(types.bias, g.C, r);
        let ref: DepthwiseKernel;
        try {
          ref = g.twoD ? prepareDepthwiseConv2d(cfg, w, b) : prepareDepthwiseConv1d(cfg, w, b);
        } catch {
          return; // geometries the kernel refuses (Encoded with a window larger than the input, …)
        }
        const f = g.twoD ? prepareFastDepthwiseConv2d(cfg, w, b) : prepareFastDepthwiseConv1d(cfg, w, b);
        expect(f.kernel, f.reason).toBeTruthy();
        const n = (g.twoD ? g.H : 1) * g.W * g.C;
        const bad = data(types.input, n, r);
        bad[0] = 0.5;
        expect(() => f.kernel!.run(bad)).toThrow(/./);
        expect(() => ref.run(bad)).toThrow(/./);
        expect(f.kernel!.lastMode).toBe('reference');
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });
});

describe('fast depthwise on the reference vectors (sepconv.jsonl)', () => {
  it('every depthwise case and the depthwise half of every separable case: fast == reference == expected (depthwise cases)', () => {
    const lines = readFileSync(join(goldenDir('sepconv.jsonl'), 'sepconv.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
    let checked = 0;
    for (const line of lines) {
      const c = JSON.parse(line) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      const sep = String(c.kernel).startsWith('separable');
      const twoD = String(c.kernel).endsWith('2d');
      const T = (k: string) => toFixedType(c.types[k]);
      const types = sep ? { input: T('input'), weight: T('depthwise'), bias: T('depthwise_bias'), accum: T('depthwise_accum'), result: T('depthwise_result') } : { input: T('input'), weight: T('weight'), bias: T('bias'), accum: T('accum'), result: T('result') };
      const cfg = c.config;
      const dl = cfg.depthwise_layer;
      const kcfg: Record<string, unknown> = { ...cfg, name: c.kernel, types, dense_function: dl.dense_function };
      delete kcfg.depthwise_layer;
      delete kcfg.pointwise_layer;
      delete kcfg.zeropad_layer;
      delete kcfg.n_filt;
      if (cfg.io_type === 'io_stream') {
        kcfg.implementation = String(c.impl).includes('encoded') ? 'Encoded' : 'LineBuffer';
        if (kcfg.implementation === 'Encoded') Object.assign(kcfg, { pixels: dl.pixels, min_height: dl.min_height, min_width: dl.min_width });
      }
      const w = (sep ? c.depthwise_weights : c.weights) as number[];
      const b = (sep ? c.depthwise_bias : c.bias) as number[];
      const ref = twoD ? prepareDepthwiseConv2d(kcfg as never, w, b) : prepareDepthwiseConv1d(kcfg as never, w, b);
      const fast = (twoD ? prepareFastDepthwiseConv2d(kcfg as never, w, b) : prepareFastDepthwiseConv1d(kcfg as never, w, b)).kernel;
      expect(fast, `${c.kernel} ${c.impl}`).toBeTruthy();
      (c.inputs as number[][]).forEach((x, k) => {
        const y = expectSameRun(ref, fast!, x, `${c.kernel} ${c.impl} #${k}`);
        if (!sep) expect(Array.from(y as Float64Array)).toEqual((c.outputs as number[][])[k]!.map(Number));
      });
      checked++;
    }
    expect(checked).toBe(30);
  });

  it('the emulator compiles a converted depthwise layer to the fast kernel', () => {
    const t = parseFixedType('ap_fixed<16,6>');
    const layers = compileGraph({
      name: 'g',
      ioType: 'io_parallel',
      input: { name: 'x', shape: [4, 4, 2], type: t },
      layers: [
        {
          name: 'dw',
          cls: 'DepthwiseConv2D',
          inputs: ['x'],
          shapeIn: [4, 4, 2],
          shapeOut: [2, 2, 2],
          config: { in_height: 4, in_width: 4, n_chan: 2, filt_height: 3, filt_width: 3, out_height: 2, out_width: 2 },
          types: { input: t, result: t, weight: t, bias: t, accum: t },
          weights: { weight: Float64Array.from({ length: 18 }, (_, i) => i - 9), bias: Float64Array.of(1, -1) },
        },
      ],
      output: 'dw',
      changes: [],
    } as never);
    expect(layers[0]!.impl).toBe('fast');
  });
});
