// Depthwise / separable, LSTM / GRU, LayerNormalization and EinsumDense kernels: product orders of
// the Resource depthwise classes, GRU reset-after, return_sequences, the layernorm table index,
// typed errors, and float64 / exact-integer properties at wide types.
// Tolerances and their derivation: docs/testing.md, "Property-test tolerances".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHls4mlKernelCase } from '../../src/conformance/hls4ml-kernels.js';
import { checkSeqKernelCase } from '../../src/conformance/kernels-seq.js';
import { ConfigError, FormatError, ShapeError, UnsupportedError } from '../../src/errors.js';
import { parseFixedType, type FixedType } from '../../src/fixed/index.js';
import {
  depthwiseAccumulationOrder,
  depthwiseConv1d,
  depthwiseConv2d,
  einsumBiasFromKeras,
  einsumDense,
  einsumRecipe,
  einsumWeightsFromKeras,
  gru,
  layernormTable,
  lstm,
  newKernelStats,
  prepareDepthwiseConv2d,
  prepareGru,
  prepareLayerNorm,
  prepareLstm,
  transposeFlat,
  type RecurrentConfig,
} from '../../src/kernels/index.js';

const T = parseFixedType;
const dir = join(__dirname, '..', 'golden', 'hls4ml');
const goldenCases = (file: string) =>
  readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Per channel, the window indices in accumulation order. */
function perChannel(o: { accStart: Int32Array; accIdx: Int32Array }, C: number): number[][] {
  const out: number[][] = [];
  for (let c = 0; c < C; c++) out.push(Array.from(o.accIdx.slice(o.accStart[c]!, o.accStart[c + 1]!)));
  return out;
}

describe('Resource depthwise product orders', () => {
  it('latency: taps in order for every channel', () => {
    const o = depthwiseAccumulationOrder({ n_chan: 3, kernel_size: 2 });
    expect(o.denseFunction).toBe('DepthwiseDenseLatency');
    expect(perChannel(o, 3)).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });
  it('rf <= n_chan (rf_leq_nout): pass ir visits ir, ir + RF, …', () => {
    // C = 3, K = 4 (n_in 12), RF 3: passes {0,3,6,9}, {1,4,7,10}, {2,5,8,11}
    const o = depthwiseAccumulationOrder({ n_chan: 3, kernel_size: 4, strategy: 'resource', reuse_factor: 3 });
    expect(o.denseFunction).toBe('DepthwiseDenseResource_rf_leq_nout');
    expect(perChannel(o, 3)).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7, 10],
      [2, 5, 8, 11],
    ]);
    // RF 2 on C = 4, K = 2: pass 0 visits 0, 2, 4, 6 (channels 0, 2, 0, 2), pass 1 visits 1, 3, 5, 7.
    const o2 = depthwiseAccumulationOrder({ n_chan: 4, kernel_size: 2, strategy: 'resource', reuse_factor: 2 });
    expect(perChannel(o2, 4)).toEqual([
      [0, 4],
      [1, 5],
      [2, 6],
      [3, 7],
    ]);
  });
  it('rf > n_chan, rf % n_chan == 0 (rf_gt_nout_rem0): the accumulator is fixed per pass', () => {
    // C = 2, K = 6 (n_in 12), RF 4: pass ir visits ir, ir + 4, ir + 8 into channel ir % 2.
    const o = depthwiseAccumulationOrder({ n_chan: 2, kernel_size: 6, strategy: 'resource', reuse_factor: 4 });
    expect(o.denseFunction).toBe('DepthwiseDenseResource_rf_gt_nout_rem0');
    expect(perChannel(o, 2)).toEqual([
      [0, 4, 8, 2, 6, 10],
      [1, 5, 9, 3, 7, 11],
    ]);
  });
  it('rf > n_chan otherwise (rf_gt_nout): the accumulator steps by RF mod n_chan', () => {
    // C = 3, K = 4 (n_in 12), RF 4: pass 0 visits 0 (c0), 4 (c1), 8 (c2); pass 1: 1, 5, 9 …
    const o = depthwiseAccumulationOrder({ n_chan: 3, kernel_size: 4, strategy: 'resource', reuse_factor: 4 });
    expect(o.denseFunction).toBe('DepthwiseDenseResource_rf_gt_nout');
    expect(perChannel(o, 3)).toEqual([
      [0, 9, 6, 3],
      [4, 1, 10, 7],
      [8, 5, 2, 11],
    ]);
    // RF above n_in: one product per pass.
    const o2 = depthwiseAccumulationOrder({ n_chan: 3, kernel_size: 2, strategy: 'resource', reuse_factor: 7 });
    expect(o2.denseFunction).toBe('DepthwiseDenseResource_rf_gt_nout');
    expect(perChannel(o2, 3)).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });
  it('every product lands in its own channel, exactly once, for every valid RF', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 60 }), (C, K, rf) => {
        let o;
        try {
          o = depthwiseAccumulationOrder({ n_chan: C, kernel_size: K, strategy: 'resource', reuse_factor: rf });
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          return;
        }
        const ch = perChannel(o, C);
        const seen = new Set<number>();
        ch.forEach((list, c) => list.forEach((i) => (expect(i % C).toBe(c), seen.add(i))));
        expect(seen.size).toBe(C * K);
        expect(o.accIdx.length).toBe(C * K);
      }),
      { numRuns: 300 },
    );
  });
  it('an RF that makes the C++ read past the window is a ConfigError naming reuse_factor', () => {
    // C = 3, K = 5 (n_in 15), RF 2 <= C: pass 1 reaches i = 15.
    expect(() => depthwiseAccumulationOrder({ name: 'dw', n_chan: 3, kernel_size: 5, strategy: 'resource', reuse_factor: 2 })).toThrow(/dw\.reuse_factor/);
  });
  it('the order decides the result when accum_t saturates', () => {
    // One channel, taps +3, +3, −3, −3 in an accumulator saturating at ±3.9375 (ap_fixed<7,3>):
    // latency: 3 → 3.9375 (sat) → 0.9375 → −2.0625; resource RF 2 visits taps 0, 2, 1, 3: 3 → 0 → 3 → 0.
    const t = { input: T('ap_fixed<8,4>'), weight: T('ap_fixed<8,4>'), bias: T('ap_fixed<8,4>'), accum: T('ap_fixed<7,3,AP_TRN,AP_SAT>'), result: T('ap_fixed<8,4>') };
    const base = { in_width: 4, n_chan: 1, filt_width: 4, io_type: 'io_stream', types: t } as const;
    const x = [16, 16, 16, 16]; // 1.0
    const w = [48, 48, -48, -48]; // ±3.0
    const lat = depthwiseConv1d(base, x, w, [0]);
    const res = depthwiseConv1d({ ...base, strategy: 'resource', reuse_factor: 2 }, x, w, [0]);
    expect(Array.from(lat as Float64Array)).toEqual([-33]); // −2.0625
    expect(Array.from(res as Float64Array)).toEqual([0]);
  });
  it('io_parallel Resource depthwise is unsupported (hls4ml asserts)', () => {
    const t = { input: T('ap_fixed<8,4>'), weight: T('ap_fixed<8,4>'), bias: T('ap_fixed<8,4>'), accum: T('ap_fixed<16,8>'), result: T('ap_fixed<8,4>') };
    expect(() => depthwiseConv1d({ in_width: 4, n_chan: 1, filt_width: 2, strategy: 'resource', reuse_factor: 2, types: t }, [0, 0, 0, 0], [1, 1], [0])).toThrow(UnsupportedError);
  });
  it('depth_multiplier > 1 and a wrong dense_function are rejected with the field named', () => {
    const t = { input: T('ap_fixed<8,4>'), weight: T('ap_fixed<8,4>'), bias: T('ap_fixed<8,4>'), accum: T('ap_fixed<16,8>'), result: T('ap_fixed<8,4>') };
    expect(() => depthwiseConv1d({ in_width: 4, n_chan: 1, filt_width: 2, depth_multiplier: 2, types: t }, [0, 0, 0, 0], [1, 1], [0])).toThrow(/depth_multiplier/);
    expect(() =>
      depthwiseConv1d({ in_width: 4, n_chan: 1, filt_width: 2, io_type: 'io_stream', strategy: 'resource', reuse_factor: 2, dense_function: 'nnet::DepthwiseDenseLatency', types: t }, [0, 0, 0, 0], [1, 1], [0]),
    ).toThrow(/dense_function/);
    expect(() => depthwiseConv1d({ in_width: 4, n_chan: 2, filt_width: 2, types: t }, [0, 0, 0, 0], [1, 1], [0, 0])).toThrow(ShapeError);
  });
});

describe('depthwise at wide types equals the exact integer convolution', () => {
  const wideTypes = (accum: string) => ({ input: T('ap_fixed<16,8>'), weight: T('ap_fixed<16,8>'), bias: T('ap_fixed<16,8>'), accum: T(accum), result: T(accum) });
  for (const [label, accum] of [
    ['number path', 'ap_fixed<48,24>'],
    ['BigInt path', 'ap_fixed<80,40>'],
  ] as const) {
    it(label, () => {
      const arb = fc
        .record({ H: fc.integer({ min: 1, max: 5 }), W: fc.integer({ min: 1, max: 6 }), C: fc.integer({ min: 1, max: 3 }), fh: fc.integer({ min: 1, max: 3 }), fw: fc.integer({ min: 1, max: 3 }), sh: fc.integer({ min: 1, max: 2 }), sw: fc.integer({ min: 1, max: 2 }), stream: fc.boolean() })
        // (io_stream with filt_height 1 ignores stride_height, as hls4ml's 1-row line buffer does)
        .filter((g) => g.fh <= g.H && g.fw <= g.W && !(g.stream && g.fh === 1 && g.sh > 1))
        .chain((g) =>
          fc.record({
            g: fc.constant(g),
            x: fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: g.H * g.W * g.C, maxLength: g.H * g.W * g.C }),
            w: fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: g.fh * g.fw * g.C, maxLength: g.fh * g.fw * g.C }),
            b: fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: g.C, maxLength: g.C }),
          }),
        );
      fc.assert(
        fc.property(arb, ({ g, x, w, b }) => {
          const t = wideTypes(accum);
          const cfg = { in_height: g.H, in_width: g.W, n_chan: g.C, filt_height: g.fh, filt_width: g.fw, stride_height: g.sh, stride_width: g.sw, io_type: g.stream ? 'io_stream' : 'io_parallel', types: t };
          const y = depthwiseConv2d(cfg, x, w, b);
          const oh = Math.floor((g.H - g.fh) / g.sh) + 1;
          const ow = Math.floor((g.W - g.fw) / g.sw) + 1;
          // raw(x)·raw(w) has 16 fractional bits; bias (8 fractional bits) and the result (F = accum F) scale accordingly.
          const F = t.accum.W - t.accum.I;
          const want: bigint[] = [];
          for (let r = 0; r < oh; r++)
            for (let q = 0; q < ow; q++)
              for (let c = 0; c < g.C; c++) {
                let s = BigInt(b[c]!) << 8n;
                for (let kh = 0; kh < g.fh; kh++)
                  for (let kw = 0; kw < g.fw; kw++) s += BigInt(x[((r * g.sh + kh) * g.W + q * g.sw + kw) * g.C + c]!) * BigInt(w[(kh * g.fw + kw) * g.C + c]!);
                want.push(s << BigInt(F - 16));
              }
          expect(Array.from(y as ArrayLike<number | bigint> as ArrayLike<number>, (v) => BigInt(v))).toEqual(want);
        }),
        { numRuns: 60 },
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Recurrent
// ---------------------------------------------------------------------------------------------

const rTypes = (accum: string, result: string): RecurrentConfig['types'] => ({
  input: T('ap_fixed<16,4>'),
  result: T(result),
  accum: T(accum),
  weight: T('ap_fixed<16,4>'),
  recurrent_weight: T('ap_fixed<16,4>'),
  bias: T('ap_fixed<16,4>'),
  recurrent_bias: T('ap_fixed<16,4>'),
  table: T('ap_fixed<18,8>'),
});

describe('GRU', () => {
  it('reset after the matmul: hc = act(a_h + r·(Wr_h h + br_h)), recurrent bias inside the reset', () => {
    // One unit, one input, relu everywhere, exact types. Keras order z, r, h.
    const cfg: RecurrentConfig = { n_in: 1, n_state: 1, n_sequence: 2, n_sequence_out: 2, activation: 'relu', recurrent_activation: 'relu', types: rTypes('ap_fixed<40,16>', 'ap_fixed<40,16>') };
    const q = (v: number) => Math.round(v * 4096); // ap_fixed<16,4>: 12 fractional bits
    const W = [0.25, 0.5, 1.0]; // z, r, h
    const Wr = [0.125, 0.25, 0.5];
    const b = [0.0, 0.25, 0.125];
    const br = [0.0, 0.5, 0.25];
    const x = [1.0, 0.5];
    const y = gru(cfg, x.map(q), W.map(q), Wr.map(q), b.map(q), br.map(q));
    const relu = (v: number) => Math.max(v, 0);
    let h = 0;
    const want: number[] = [];
    for (const xt of x) {
      const z = relu(W[0]! * xt + b[0]! + Wr[0]! * h + br[0]!);
      const r = relu(W[1]! * xt + b[1]! + Wr[1]! * h + br[1]!);
      const hc = relu(W[2]! * xt + b[2]! + r * (Wr[2]! * h + br[2]!));
      h = hc * (1 - z) + h * z;
      want.push(h);
    }
    const F = 24;
    expect(Array.from(y as Float64Array, (v) => v / 2 ** F)).toEqual(want);
    // reset before the matmul (r·h inside) would differ here
    expect(want[1]).not.toBeCloseTo(relu(W[2]! * x[1]! + b[2]! + Wr[2]! * (want[0]! * 0.75) + br[2]!), 6);
  });
});

describe('return_sequences', () => {
  const cfg = (seqOut: number): RecurrentConfig => ({
    n_in: 2,
    n_state: 3,
    n_sequence: 4,
    n_sequence_out: seqOut,
    activation: 'tanh',
    recurrent_activation: 'sigmoid',
    table_size: 1024,
    types: rTypes('ap_fixed<18,6>', 'ap_fixed<18,6>'),
  });
  const rnd = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 7919 + seed * 104729) % 4001) - 2000);
  for (const [kind, m, run] of [
    ['lstm', 4, lstm],
    ['gru', 3, gru],
  ] as const) {
    it(`${kind}: every step's h, the last one equal to return_sequences = false`, () => {
      const args = [rnd(8, 1), rnd(2 * 3 * m, 2), rnd(3 * 3 * m, 3), rnd(3 * m, 4), rnd(3 * m, 5)] as const;
      const all = Array.from(run(cfg(4), ...args) as Float64Array);
      const last = Array.from(run(cfg(1), ...args) as Float64Array);
      expect(all).toHaveLength(12);
      expect(last).toEqual(all.slice(9));
      // each prefix of the sequence gives the same first steps
      const prefix = Array.from(run({ ...cfg(2), n_sequence: 2 }, args[0].slice(0, 4), args[1], args[2], args[3], args[4]) as Float64Array);
      expect(prefix).toEqual(all.slice(0, 6));
    });
  }
  it('n_sequence_out must be 1 or n_sequence; return_sequences must agree', () => {
    const z = (n: number) => new Array<number>(n).fill(0);
    expect(() => prepareLstm(cfg(3), z(8), z(24), z(12), z(12))).toThrow(/n_sequence_out/);
    expect(() => prepareLstm({ ...cfg(4), return_sequences: false }, z(8), z(24), z(12), z(12))).toThrow(/return_sequences/);
  });
  it('typed errors: unsupported activation, RF class mismatch; LSTM with distinct types computes the cell (hls4ml\'s single-type constraint is a conversion warning)', () => {
    const z = (n: number) => new Array<number>(n).fill(0);
    expect(() => prepareGru({ ...cfg(4), recurrent_activation: 'hard_sigmoid' }, z(6), z(9), z(9), z(9))).toThrow(UnsupportedError);
    const distinct = { ...cfg(4), types: rTypes('ap_fixed<20,6>', 'ap_fixed<18,6>') };
    const w = Array.from({ length: 36 }, (_, i) => (((i * 37) % 23) - 11) * 90);
    const x = Array.from({ length: 8 }, (_, i) => ((i * 53) % 41) * 97 - 2000);
    const st = Array.from(prepareLstm(distinct, w.slice(0, 24), w, w.slice(0, 12), z(12)).run(x) as Float64Array);
    expect(st.some((v) => v !== 0)).toBe(true);
    expect(Array.from(prepareLstm({ ...distinct, use_static: false }, w.slice(0, 24), w, w.slice(0, 12), z(12)).run(x) as Float64Array)).toEqual(st);
    // layer RF 2 <= n_state picks rf_leq_nin for the recurrent dense, which asserts RF <= n_in (3)
    expect(() => prepareGru({ ...cfg(4), strategy: 'resource', reuse_factor: 2, recurrent_reuse_factor: 9 }, z(6), z(9), z(9), z(9))).toThrow(/recurrent_reuse_factor/);
    expect(() => prepareGru(cfg(4), z(5), z(9), z(9), z(9))).toThrow(ShapeError);
  });
  it('the stats count the accum and result casts', () => {
    const st = newKernelStats();
    const k = prepareGru(cfg(4), rnd(18, 2), rnd(27, 3), rnd(9, 4), rnd(9, 5));
    k.run(rnd(8, 1), { stats: st });
    expect(st.resultCount).toBe(4 * 3);
  });
});

describe('LSTM / GRU with relu at wide types follow a float64 evaluation', () => {
  // accum_t = result_t = ap_fixed<64,24> (F = 40, BigInt path), AP_TRN: each cast loses < 2^-40.
  // Per step at most ~4·n·(n_in + n_state + 4) ≤ 128 casts; with |w| ≤ 1/4, |x| ≤ 1, n ≤ 3 every
  // value stays below 4 in magnitude, so an error grows by at most ×(1 + 3·4·(1/4)·4) = ×13 per
  // step through the products: bound 128 · 2^-40 · Σ_t 13^t < 2^-20 for T ≤ 4.
  const types = rTypes('ap_fixed<64,24>', 'ap_fixed<64,24>');
  const arb = fc
    .record({ nIn: fc.integer({ min: 1, max: 3 }), n: fc.integer({ min: 1, max: 3 }), T: fc.integer({ min: 1, max: 4 }), gru: fc.boolean() })
    .chain((g) => {
      const m = g.gru ? 3 : 4;
      const ws = (k: number) => fc.array(fc.integer({ min: -1024, max: 1024 }), { minLength: k, maxLength: k }); // |w| ≤ 1/4
      return fc.record({ g: fc.constant(g), x: fc.array(fc.integer({ min: -4096, max: 4096 }), { minLength: g.T * g.nIn, maxLength: g.T * g.nIn }), w: ws(g.nIn * m * g.n), wr: ws(g.n * m * g.n), b: ws(m * g.n), br: ws(m * g.n) });
    });
  it('within 2^-20', () => {
    fc.assert(
      fc.property(arb, ({ g, x, w, wr, b, br }) => {
        const m = g.gru ? 3 : 4;
        const n = g.n;
        const cfg: RecurrentConfig = { n_in: g.nIn, n_state: n, n_sequence: g.T, n_sequence_out: g.T, activation: 'relu', recurrent_activation: 'relu', types };
        const y = (g.gru ? gru : lstm)(cfg, x, w, wr, b, br) as bigint[];
        const f = (v: number) => v / 4096;
        const relu = (v: number) => Math.max(v, 0);
        let h = new Array<number>(n).fill(0);
        let s = new Array<number>(n).fill(0);
        const want: number[] = [];
        for (let t = 0; t < g.T; t++) {
          const a = Array.from({ length: m * n }, (_, j) => f(b[j]!) + Array.from({ length: g.nIn }, (_, i) => f(x[t * g.nIn + i]!) * f(w[i * m * n + j]!)).reduce((p, q) => p + q, 0));
          const r = Array.from({ length: m * n }, (_, j) => f(br[j]!) + h.reduce((p, hv, i) => p + hv * f(wr[i * m * n + j]!), 0));
          if (g.gru) {
            h = h.map((hv, u) => {
              const z = relu(a[u]! + r[u]!);
              const rg = relu(a[n + u]! + r[n + u]!);
              const hc = relu(a[2 * n + u]! + rg * r[2 * n + u]!);
              return hc * (1 - z) + hv * z;
            });
          } else {
            const hn = [...h];
            s = s.map((sv, u) => {
              const gi = relu(a[u]! + r[u]!);
              const gf = relu(a[n + u]! + r[n + u]!);
              const gc = relu(a[2 * n + u]! + r[2 * n + u]!);
              const go = relu(a[3 * n + u]! + r[3 * n + u]!);
              const sn = gc * gi + sv * gf;
              hn[u] = go * relu(sn);
              return sn;
            });
            h = hn;
          }
          want.push(...h);
        }
        expect(y).toHaveLength(want.length);
        y.forEach((v, k) => expect(Math.abs(Number(v) / 2 ** 40 - want[k]!)).toBeLessThan(2 ** -20));
      }),
      { numRuns: 80 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// LayerNorm
// ---------------------------------------------------------------------------------------------

describe('layernorm table index', () => {
  const types = (accum: FixedType) => ({ input: T('ap_fixed<16,6>'), result: T('ap_fixed<16,6>'), accum, scale: T('ap_fixed<16,6>'), bias: T('ap_fixed<16,6>'), table: T('ap_ufixed<8,5,AP_RND_CONV,AP_SAT>') });
  const cfg = (p: number, accum: FixedType) => ({ n_in: 4, seq_len: 1, epsilon_power_of_10: 3, table_range_power2: p, table_size: 1024, types: types(accum) });
  it('index = trunc(var · N · 2^p), clamped to [0, N−1]', () => {
    const acc = T('ap_fixed<24,8>'); // F = 16
    const k0 = prepareLayerNorm(cfg(0, acc), [1, 1, 1, 1], [0, 0, 0, 0]);
    expect(k0.tableIndex(0)).toBe(0);
    expect(k0.tableIndex(63)).toBe(0); // var·1024 = 0.98 → 0
    expect(k0.tableIndex(64)).toBe(1); // exactly 1/1024
    expect(k0.tableIndex(32767)).toBe(511);
    expect(k0.tableIndex(65536)).toBe(1023); // var = 1 → clamped
    expect(k0.tableIndex(-100)).toBe(0); // a wrapped negative variance → 0
    const k2 = prepareLayerNorm(cfg(2, acc), [1, 1, 1, 1], [0, 0, 0, 0]);
    expect(k2.tableIndex(64)).toBe(4); // × 2^2
    expect(k2.tableIndex(16383)).toBe(1023);
  });
  it('the table starts at 10^-e with step 2^-p / N (float arithmetic)', () => {
    const tab = layernormTable({ epsilon_power_of_10: 3, table_range_power2: 0, table_size: 4096, types: { table: T('ap_ufixed<16,8>') } });
    expect(Number(tab[0]) / 256).toBeCloseTo(1 / Math.sqrt(0.001), 2);
    expect(Number(tab[4095]) / 256).toBeCloseTo(1 / Math.sqrt(0.001 + 4095 / 4096), 2);
    expect(tab).toHaveLength(4096);
  });
  it('normalises a row whose variance hits an exact table point', () => {
    // x = [1, -1, 1, -1]: mean 0, var 1 → clamped to the last entry 1/sqrt(0.001 + 1023/1024) ≈ 1.0005
    const acc = T('ap_fixed<24,8>');
    const k = prepareLayerNorm(cfg(0, acc), [1024, 1024, 1024, 1024], [0, 0, 0, 0]); // scale 1.0 (F = 10)
    const y = Array.from(k.run([1024, -1024, 1024, -1024]) as Float64Array);
    expect(y.map((v) => v / 1024)).toEqual([1, -1, 1, -1]); // table entry 1.0 in ap_ufixed<8,5> (F = 3)
  });
  it('rejects a bad shape / axis with the field named', () => {
    expect(() => prepareLayerNorm({ ...cfg(0, T('ap_fixed<24,8>')), seq_len: 3 }, [0, 0, 0, 0], [0, 0, 0, 0])).toThrow(/seq_len/);
    expect(() => prepareLayerNorm({ ...cfg(0, T('ap_fixed<24,8>')), axis: 1 }, [0, 0, 0, 0], [0, 0, 0, 0])).toThrow(/axis/);
    expect(() => prepareLayerNorm(cfg(0, T('ap_fixed<24,8>')), [0, 0, 0], [0, 0, 0, 0])).toThrow(ShapeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Einsum
// ---------------------------------------------------------------------------------------------

describe('einsum recipe', () => {
  it('decomposes contracted, in-place and free letters', () => {
    const r = einsumRecipe('bc,bcd->bd', [5, 2], [5, 2, 3]);
    expect(r).toMatchObject({ n_inplace: 5, n_contract: 2, n_free_data: 1, n_free_kernel: 3, inp_tpose_idxs: [0, 1], ker_tpose_idxs: [0, 2, 1], out_tpose_idxs: [0, 1] });
    const p = einsumRecipe('bc,dc->db', [5, 2], [3, 2]);
    expect(p.out_tpose_idxs).toEqual([1, 0]);
    expect(p.out_shape).toEqual([3, 5]);
  });
  it('rejects direct sums, ellipses and size mismatches', () => {
    expect(() => einsumRecipe('bc,cd->d', [5, 2], [2, 3])).toThrow(UnsupportedError);
    expect(() => einsumRecipe('...c,cd->...d', [5, 2], [2, 3])).toThrow(UnsupportedError);
    expect(() => einsumRecipe('bc,cd->bd', [5, 2], [3, 3])).toThrow(ShapeError);
  });
  it('at wide types equals the exact einsum of the Keras kernel and bias (recipe, C arrays and kernel together)', () => {
    const forms = ['bc,cd->bd', 'bc,cde->bde', 'bc,bcd->d', 'bc,bcd->bd', 'bcd,de->bce', 'bc,cb->b', 'bcd,cde->be', 'bc,dc->db', 'abc,acd->abd', 'abc,cad->dba', 'abc,bc->a'];
    const t = { input: T('ap_fixed<16,8>'), weight: T('ap_fixed<16,8>'), bias: T('ap_fixed<16,8>'), accum: T('ap_fixed<64,32>'), result: T('ap_fixed<64,32>') };
    const arb = fc.record({ eq: fc.constantFrom(...forms), sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 5, maxLength: 5 }), bias: fc.boolean(), seed: fc.integer() });
    fc.assert(
      fc.property(arb, ({ eq, sizes, bias, seed }) => {
        const [lhs, out] = eq.split('->') as [string, string];
        const [a, k] = lhs.split(',') as [string, string];
        const letters = [...new Set((a + k).split(''))];
        const size = Object.fromEntries(letters.map((l, i) => [l, sizes[i]!]));
        const inShape = a.split('').map((l) => size[l]!);
        const kShape = k.split('').map((l) => size[l]!);
        const outShape = out.split('').map((l) => size[l]!);
        const prod = (xs: number[]) => xs.reduce((p, q) => p * q, 1);
        let st = seed;
        const rnd = () => ((st = (st * 1103515245 + 12345) | 0) >>> 8) % 65536 - 32768;
        const x = Array.from({ length: prod(inShape) }, rnd);
        const kern = Array.from({ length: prod(kShape) }, rnd);
        const bk = bias ? Array.from({ length: prod(outShape) }, rnd) : null;
        const r = einsumRecipe(eq, inShape, kShape);
        const w = einsumWeightsFromKeras(kern, kShape, r);
        const b = einsumBiasFromKeras<number>(bk, outShape, r, 0);
        const y = einsumDense({ ...r, inp_shape: inShape, types: t }, x, w, b) as bigint[];
        // exact einsum: raw products carry 16 fractional bits, bias 8, the result 32
        const contract = letters.filter((l) => !out.includes(l));
        const flat = (spec: string, shape: number[], v: Record<string, number>) => spec.split('').reduce((p, l, i) => p * shape[i]! + v[l]!, 0);
        const want: bigint[] = [];
        const idx: Record<string, number> = {};
        const walk = (ls: string[], f: () => void) => {
          if (ls.length === 0) return f();
          for (let i = 0; i < size[ls[0]!]!; i++) {
            idx[ls[0]!] = i;
            walk(ls.slice(1), f);
          }
        };
        walk(out.split(''), () => {
          let s = bk ? BigInt(bk[flat(out, outShape, idx)]!) << 8n : 0n;
          walk(contract, () => (s += BigInt(x[flat(a, inShape, idx)]!) * BigInt(kern[flat(k, kShape, idx)]!)));
          want.push(s << 16n);
        });
        expect(Array.from(y, BigInt)).toEqual(want);
      }),
      { numRuns: 120 },
    );
  });
  it('transposeFlat is numpy transpose', () => {
    expect(transposeFlat([0, 1, 2, 3, 4, 5], [2, 3], [1, 0])).toEqual([0, 3, 1, 4, 2, 5]);
    expect(transposeFlat([0, 1, 2, 3, 4, 5, 6, 7], [2, 2, 2], [2, 0, 1])).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
  });
});

// ---------------------------------------------------------------------------------------------
// Checkers
// ---------------------------------------------------------------------------------------------

describe('checkers of the sepconv / recurrent / layernorm / einsum cases', () => {
  const first = (file: string, kernel: string, impl?: string) => structuredClone(goldenCases(file).find((c) => c.kernel === kernel && (impl === undefined || c.impl === impl))!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  it('check the Encoded instruction table, n_zeros and dense_function of the depthwise layer', () => {
    const c = first('sepconv.jsonl', 'depthwise_conv1d', 'io_stream/encoded');
    c.config.depthwise_layer.pixels[1] ^= 1;
    expect(checkHls4mlKernelCase(c)).toMatch(/^depthwise_layer\.pixels/);
    const d = first('sepconv.jsonl', 'depthwise_conv2d');
    d.config.depthwise_layer.n_zeros += 1;
    expect(checkHls4mlKernelCase(d)).toMatch(/^depthwise_layer\.n_zeros/);
    const e = goldenCases('sepconv.jsonl').find((x) => (x.config as { strategy: string }).strategy === 'resource') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    e.config.depthwise_layer.dense_function = 'nnet::DepthwiseDenseLatency';
    expect(checkHls4mlKernelCase(e)).toMatch(/dense_function/);
  });
  it('check the activation tables and the Resource transposes of a recurrent case', () => {
    const c = first('recurrent.jsonl', 'gru');
    c.tables.activation_table[7] += 1;
    expect(checkHls4mlKernelCase(c)).toMatch(/^table activation_table: 1 of \d+ values differ, first at index 7/);
    const r = goldenCases('recurrent.jsonl').find((x) => (x.config as { strategy: string }).strategy === 'resource') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    [r.weights[0], r.weights[1]] = [r.weights[1], r.weights[0]];
    expect(checkHls4mlKernelCase(r)).toMatch(/^weights \(C array from weights_keras, resource\)/);
  });
  it('check the layernorm table and the einsum recipe / C arrays', () => {
    const l = first('layernorm.jsonl', 'layernorm');
    l.tables.invert_sqr_table[100] += 1;
    expect(checkHls4mlKernelCase(l)).toMatch(/^table invert_sqr_table/);
    const e = first('einsum_dense.jsonl', 'einsum_dense');
    e.config.out_tpose_idxs = [1, 0];
    expect(checkHls4mlKernelCase(e)).toMatch(/^out_tpose_idxs/);
    const f = first('einsum_dense.jsonl', 'einsum_dense');
    f.weights[0] += 1;
    expect(checkHls4mlKernelCase(f)).toMatch(/^weights \(C array from weights_keras\)/);
    const g = first('einsum_dense.jsonl', 'einsum_dense');
    g.bias[3] += 1;
    expect(checkHls4mlKernelCase(g)).toMatch(/^bias \(C array from bias_keras/);
  });
  it('validate sizes before use (FormatError naming the field)', () => {
    const c = first('sepconv.jsonl', 'separable_conv2d');
    c.pointwise_weights.pop();
    expect(() => checkHls4mlKernelCase(c)).toThrow(FormatError);
    expect(() => checkHls4mlKernelCase(c)).toThrow(/pointwise_weights/);
    const r = first('recurrent.jsonl', 'lstm');
    r.config.n_state = 'two';
    expect(() => checkHls4mlKernelCase(r)).toThrow(/config\.n_state/);
    const h = first('sepconv.jsonl', 'depthwise_conv2d');
    h.config.in_height = 100000;
    h.config.in_width = 100000;
    expect(() => checkHls4mlKernelCase(h)).toThrow(/inputs\[0\]: expected 30000000000 raw values/);
    const l = first('layernorm.jsonl', 'layernorm');
    delete l.types.table;
    expect(() => checkHls4mlKernelCase(l)).toThrow(/types\.table/);
  });
  it('a prepared depthwise kernel exposes its plan and both arithmetic paths agree', () => {
    const c = first('sepconv.jsonl', 'depthwise_conv2d', 'io_stream/encoded');
    const t = c.types;
    const cfg = { ...c.config, implementation: 'Encoded', pixels: c.config.depthwise_layer.pixels, min_height: c.config.depthwise_layer.min_height, min_width: c.config.depthwise_layer.min_width, types: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, T((v as { cpp: string }).cpp)])) };
    const kn = prepareDepthwiseConv2d(cfg as never, c.weights, c.bias);
    const kb = prepareDepthwiseConv2d(cfg as never, c.weights, c.bias, 'bigint');
    expect(kn.plan.windows.nOut).toBe(c.config.out_height * c.config.out_width);
    expect(kn.plan.accStart[kn.plan.nChan]).toBe(kn.plan.kSize * kn.plan.nChan);
    for (const x of c.inputs as number[][]) expect(Array.from(kb.run(x) as bigint[], Number)).toEqual(Array.from(kn.run(x) as Float64Array));
  });
});

describe('both arithmetic back ends reproduce every reference case', () => {
  for (const file of ['sepconv.jsonl', 'recurrent.jsonl', 'layernorm.jsonl', 'einsum_dense.jsonl']) {
    it(`${file}: BigInt path`, () => {
      const bad = goldenCases(file)
        .map((c, i) => [i + 1, checkSeqKernelCase(c, 'bigint')] as const)
        .filter(([, m]) => m !== null);
      expect(bad).toEqual([]);
    });
  }
});
