// The number back end and the BigInt back end must give identical raw outputs and identical
// overflow counts, for every kernel, on random configurations with random (Q, O) modes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OVERFLOW_MODES, QUANT_MODES, fixedType, type FixedType } from '../../src/fixed/index.js';
import {
  batchnorm,
  concatenate,
  conv1d,
  conv2d,
  dense,
  globalPooling1d,
  leakyRelu,
  linear,
  merge,
  newKernelStats,
  pooling2d,
  relu,
  sigmoid,
  softmax,
  tanh,
  validReuseFactors,
  zeropad2d,
  type KernelOptions,
  type RawOutput,
} from '../../src/kernels/index.js';

const arbType = (minW = 3, maxW = 14, minI = -1, maxI?: number): fc.Arbitrary<FixedType> =>
  fc
    .record({
      signed: fc.boolean(),
      W: fc.integer({ min: minW, max: maxW }),
      di: fc.integer({ min: minI, max: maxI ?? 4 }),
      Q: fc.constantFrom(...QUANT_MODES),
      O: fc.constantFrom(...OVERFLOW_MODES),
    })
    .map(({ signed, W, di, Q, O }) => fixedType(signed, W, Math.min(W + 2, Math.max(-1, Math.floor(W / 2) + di)), Q, signed || O !== 'AP_WRAP_SM' ? O : 'AP_WRAP'));

const rawsOf = (t: FixedType, n: number) =>
  fc.array(fc.integer({ min: t.signed ? -(2 ** (t.W - 1)) : 0, max: t.signed ? 2 ** (t.W - 1) - 1 : 2 ** t.W - 1 }), { minLength: n, maxLength: n });

function attempt(run: (o: KernelOptions) => RawOutput, o: KernelOptions): number[] | string {
  try {
    return Array.from(run(o) as ArrayLike<number>);
  } catch (e) {
    return `error: ${(e as Error).message}`; // e.g. an Encoded table that emits too few pixels
  }
}

function both(run: (o: KernelOptions) => RawOutput): void {
  const sn = newKernelStats();
  const sb = newKernelStats();
  const a = attempt(run, { path: 'number', stats: sn });
  const b = attempt(run, { path: 'bigint', stats: sb });
  expect(b).toEqual(a);
  expect(sb).toEqual(sn);
}

describe('number path == BigInt path', () => {
  it('dense (latency / resource)', () => {
    const arb = fc
      .record({ nIn: fc.integer({ min: 1, max: 12 }), nOut: fc.integer({ min: 1, max: 6 }), ti: arbType(), tw: arbType(2, 10), tb: arbType(), ta: arbType(4, 20), tr: arbType(), res: fc.boolean(), k: fc.nat() })
      .chain((s) => fc.record({ s: fc.constant(s), x: rawsOf(s.ti, s.nIn), w: rawsOf(s.tw, s.nIn * s.nOut), b: rawsOf(s.tb, s.nOut) }));
    fc.assert(
      fc.property(arb, ({ s, x, w, b }) => {
        const rfs = validReuseFactors(s.nIn, s.nOut);
        const cfg = { n_in: s.nIn, n_out: s.nOut, strategy: s.res ? 'resource' : 'latency', reuse_factor: s.res ? rfs[s.k % rfs.length] : 1, types: { input: s.ti, weight: s.tw, bias: s.tb, accum: s.ta, result: s.tr } };
        both((o) => dense(cfg, x, w, b, o));
      }),
      { numRuns: 150 },
    );
  });

  it('conv1d / conv2d (all implementations)', () => {
    const arb = fc
      .record({ H: fc.integer({ min: 3, max: 6 }), W: fc.integer({ min: 3, max: 6 }), C: fc.integer({ min: 1, max: 2 }), F: fc.integer({ min: 1, max: 2 }), k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }), impl: fc.constantFrom('p', 'LineBuffer', 'Encoded'), ti: arbType(), tw: arbType(2, 8), ta: arbType(4, 18), tr: arbType(), two: fc.boolean() })
      .chain((g) => fc.record({ g: fc.constant(g), x: rawsOf(g.ti, g.H * g.W * g.C), w: rawsOf(g.tw, g.k * g.k * g.C * g.F), b: rawsOf(g.tw, g.F) }));
    fc.assert(
      fc.property(arb, ({ g, x, w, b }) => {
        const types = { input: g.ti, weight: g.tw, bias: g.tw, accum: g.ta, result: g.tr };
        const io = g.impl === 'p' ? {} : { io_type: 'io_stream', implementation: g.impl };
        if (g.two) {
          both((o) => conv2d({ in_height: g.H, in_width: g.W, n_chan: g.C, filt_height: g.k, filt_width: g.k, n_filt: g.F, stride_height: g.s, stride_width: g.s, ...io, types }, x, w, b, o));
        } else {
          both((o) => conv1d({ in_width: g.H * g.W, n_chan: g.C, filt_width: g.k, n_filt: g.F, stride_width: g.s, ...io, types }, x, w.slice(0, g.k * g.C * g.F), b, o));
        }
      }),
      { numRuns: 80 },
    );
  });

  it('pooling, batchnorm, zeropad, merge', () => {
    const arb = fc
      .record({ H: fc.integer({ min: 2, max: 6 }), W: fc.integer({ min: 2, max: 6 }), C: fc.integer({ min: 1, max: 3 }), ti: arbType(), ta: arbType(), tr: arbType(), t2: arbType(), stream: fc.boolean(), op: fc.constantFrom('Max', 'Average') })
      .chain((g) => fc.record({ g: fc.constant(g), x: rawsOf(g.ti, g.H * g.W * g.C), y: rawsOf(g.t2, g.H * g.W * g.C), s: rawsOf(g.t2, g.C) }));
    fc.assert(
      fc.property(arb, ({ g, x, y, s }) => {
        const n = g.H * g.W * g.C;
        const io = g.stream ? 'io_stream' : 'io_parallel';
        both((o) => pooling2d({ in_height: g.H, in_width: g.W, n_filt: g.C, pool_height: 2, pool_width: 2, pool_op: g.op, io_type: io, types: { input: g.ti, accum: g.ta, result: g.tr } }, x, o));
        both((o) => globalPooling1d({ n_in: g.H * g.W, n_filt: g.C, pool_op: g.op, io_type: io, types: { input: g.ti, accum: g.ta, result: g.tr } }, x, o));
        both((o) => batchnorm({ n_in: n, n_filt: g.C, types: { input: g.ti, scale: g.t2, bias: g.t2, result: g.tr } }, x, s, s, o));
        both((o) => zeropad2d({ in_height: g.H, in_width: g.W, n_chan: g.C, pad_top: 1, pad_left: 2, types: { input: g.ti, result: g.tr } }, x, o));
        for (const op of ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum']) {
          both((o) => merge({ op, n_elem1: n, n_elem2: n, types: { input1: g.ti, input2: g.t2, result: g.tr } }, x, y, o));
        }
        both((o) => concatenate({ shape1: [g.H, g.W, g.C], shape2: [g.H, g.W, g.C], axis: -1, types: { input1: g.ti, input2: g.t2, result: g.tr } }, x, y, o));
      }),
      { numRuns: 60 },
    );
  });

  it('activations and softmax', () => {
    const arb = fc
      .record({ n: fc.integer({ min: 2, max: 10 }), ti: arbType(4, 16), tr: arbType(), tt: arbType(8, 20, 0, 2), impl: fc.constantFrom('latency', 'stable', 'legacy', 'argmax') })
      .chain((g) => fc.record({ g: fc.constant(g), x: rawsOf(g.ti, g.n) }));
    fc.assert(
      fc.property(arb, ({ g, x }) => {
        const cfg = { n_in: g.n, table_size: 256, types: { input: g.ti, result: g.tr, table: g.tt, param: g.tt } };
        both((o) => linear(cfg, x, o));
        both((o) => relu(cfg, x, o));
        both((o) => leakyRelu({ ...cfg, alpha: 0.3 }, x, o));
        both((o) => sigmoid(cfg, x, o));
        both((o) => tanh(cfg, x, o));
        const et = fixedType(true, 18, 8, 'AP_RND', 'AP_SAT');
        const size = Math.min(256, 2 ** (g.ti.W - (g.ti.signed ? 1 : 0)));
        both((o) =>
          softmax(
            { n_in: g.n, implementation: g.impl, exp_table_size: size, inv_table_size: 256, table_size: 256, types: { input: g.ti, result: g.tr, exp_table: et, inv_table: et, accum: g.tt, table: g.tt } },
            x,
            o,
          ),
        );
      }),
      { numRuns: 60 },
    );
  });
});
