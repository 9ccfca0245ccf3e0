// Float64 reference properties: with types wide enough that nothing overflows and products are
// accumulated exactly, every kernel must agree with a plain float64 computation on the *quantized*
// operands up to a bound derived from the LSBs:
//
//   |fixed − float| ≤ rounding of the result cast (½ LSB of result_t for AP_RND, 1 LSB for AP_TRN)
//                   + any truncation before it (average pooling: 1 LSB of accum_t)
//                   + float64 accumulation error γ(n)·Σ|terms|, γ(n) = n·2^−53 / (1 − n·2^−53).
//
// Two type sets are used: a "wide" one whose products need > 53 bits (BigInt path) and a "narrow"
// one that stays on the number path.
// Tolerances and their derivation: docs/testing.md, "Property-test tolerances".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/errors.js';
import { parseFixedType, type FixedType } from '../../src/fixed/index.js';
import { batchnorm, conv1d, conv2d, dense, globalPooling2d, pooling2d, pooling1d, type RawOutput } from '../../src/kernels/index.js';

const wide = {
  data: parseFixedType('ap_fixed<48,20>'), // F = 28: products have 96 bits → BigInt path
  accum: parseFixedType('ap_fixed<112,48>'), // F = 64 ≥ 56: every product is exact in accum_t
  result: parseFixedType('ap_fixed<64,32,AP_RND>'), // F = 32
  poolAccum: parseFixedType('ap_fixed<64,30>'), // F = 34
};
const narrow = {
  data: parseFixedType('ap_fixed<24,8>'), // F = 16: products 48 bits → number path
  accum: parseFixedType('ap_fixed<52,20>'), // F = 32: exact products
  result: parseFixedType('ap_fixed<40,16,AP_RND>'), // F = 24
  poolAccum: parseFixedType('ap_fixed<40,16>'), // F = 24
};
type TypeSet = typeof wide;

const F = (t: FixedType) => t.W - t.I;
const val = (raw: number | bigint, t: FixedType) => Number(raw) * 2 ** -F(t);
const lsb = (t: FixedType) => 2 ** -F(t);
const gamma = (n: number) => (n * 2 ** -53) / (1 - n * 2 ** -53);
/** Rounding error bound of the final cast. */
const castErr = (t: FixedType) => (t.Q === 'AP_RND' ? lsb(t) / 2 : lsb(t));

/** Raw mantissas of values |v| < 2^mag (well inside the data type). */
function raws(t: FixedType, n: number, mag = 4): fc.Arbitrary<number[]> {
  const m = 2 ** (F(t) + mag) - 1;
  return fc.array(fc.integer({ min: -m, max: m }), { minLength: n, maxLength: n });
}

function toNums(out: RawOutput): number[] {
  return Array.from(out as ArrayLike<number | bigint>, (v) => Number(v));
}

for (const [label, T] of [
  ['wide (BigInt path)', wide],
  ['narrow (number path)', narrow],
] as [string, TypeSet][]) {
  describe(`float64 reference, ${label}`, () => {
    const types = { input: T.data, weight: T.data, bias: T.data, accum: T.accum, result: T.result };

    it('dense (latency and resource) = Σ x·w + b', () => {
      const arb = fc
        .record({ nIn: fc.integer({ min: 1, max: 10 }), nOut: fc.integer({ min: 1, max: 6 }), resource: fc.boolean() })
        .chain((s) => fc.record({ s: fc.constant(s), x: raws(T.data, s.nIn), w: raws(T.data, s.nIn * s.nOut), b: raws(T.data, s.nOut), rfPick: fc.nat() }));
      fc.assert(
        fc.property(arb, ({ s, x, w, b, rfPick }) => {
          const valid = [...Array(s.nIn * s.nOut).keys()].map((k) => k + 1).filter((rf) => (s.nIn * s.nOut) % rf === 0 && (rf <= s.nIn ? s.nIn % rf === 0 : rf % s.nIn === 0));
          const rf = s.resource ? valid[rfPick % valid.length]! : 1;
          const wk = s.resource ? Array.from({ length: s.nIn * s.nOut }, (_, k) => w[(k % s.nIn) * s.nOut + Math.floor(k / s.nIn)]!) : w;
          const y = toNums(dense({ n_in: s.nIn, n_out: s.nOut, strategy: s.resource ? 'resource' : 'latency', reuse_factor: rf, types }, x, wk, b));
          for (let j = 0; j < s.nOut; j++) {
            let ref = val(b[j]!, T.data);
            let mag = Math.abs(ref);
            for (let i = 0; i < s.nIn; i++) {
              const p = val(x[i]!, T.data) * val(w[i * s.nOut + j]!, T.data);
              ref += p;
              mag += Math.abs(p);
            }
            const bound = castErr(T.result) + gamma(s.nIn + 1) * mag;
            expect(Math.abs(val(y[j]!, T.result) - ref)).toBeLessThanOrEqual(bound);
          }
        }),
        { numRuns: 60 },
      );
    });

    it('conv2d (every implementation, valid/same) = direct convolution', () => {
      const arb = fc
        .record({
          H: fc.integer({ min: 1, max: 6 }),
          W: fc.integer({ min: 1, max: 6 }),
          C: fc.integer({ min: 1, max: 3 }),
          Fo: fc.integer({ min: 1, max: 3 }),
          k: fc.integer({ min: 1, max: 3 }),
          s: fc.integer({ min: 1, max: 2 }),
          same: fc.boolean(),
          impl: fc.constantFrom('parallel', 'LineBuffer', 'Encoded'),
        })
        .filter((g) => g.same || (g.k <= g.H && g.k <= g.W))
        // hls4ml quirk, reproduced on purpose: with filt_height = 1 the LineBuffer uses its 1-D buffer,
        // which ignores stride_height, so a strided 1x1 LineBuffer conv is not a convolution.
        .filter((g) => !(g.impl === 'LineBuffer' && g.k === 1 && g.s > 1))
        .chain((g) => fc.record({ g: fc.constant(g), x: raws(T.data, g.H * g.W * g.C), w: raws(T.data, g.k * g.k * g.C * g.Fo), b: raws(T.data, g.Fo) }));
      fc.assert(
        fc.property(arb, ({ g, x, w, b }) => {
          const pads = (n: number) => {
            const tot = n % g.s === 0 ? Math.max(g.k - g.s, 0) : Math.max(g.k - (n % g.s), 0);
            return g.same ? [Math.floor(tot / 2), tot - Math.floor(tot / 2)] : [0, 0];
          };
          const [pt, pb] = pads(g.H);
          const [pl, pr] = pads(g.W);
          // hls4ml quirk, reproduced on purpose: the Encoded tables assume the (padded) image is at
          // least the "scaled" size (ceil(k/s)−1)·s + k (or (ceil(s/k)−1)·s + k); smaller images read
          // masks of the wrong row/column, so those outputs are not a convolution.
          const scaled = g.k >= g.s ? (Math.ceil(g.k / g.s) - 1) * g.s + g.k : (Math.ceil(g.s / g.k) - 1) * g.s + g.k;
          if (g.impl === 'Encoded' && (g.H + pt! + pb! < scaled || g.W + pl! + pr! < scaled)) return;
          const OH = Math.floor((g.H + pt! + pb! - g.k) / g.s) + 1;
          const OW = Math.floor((g.W + pl! + pr! - g.k) / g.s) + 1;
          const cfg = {
            in_height: g.H, in_width: g.W, n_chan: g.C, filt_height: g.k, filt_width: g.k, n_filt: g.Fo,
            stride_height: g.s, stride_width: g.s, pad_top: pt, pad_bottom: pb, pad_left: pl, pad_right: pr,
            io_type: g.impl === 'parallel' ? 'io_parallel' : 'io_stream', implementation: g.impl === 'parallel' ? undefined : g.impl, types,
          };
          let y: number[];
          try {
            y = toNums(conv2d(cfg, x, w, b));
          } catch (e) {
            // hls4ml's Encoded tables break for images smaller than their scaled size (the C++ emits
            // too few pixels); the kernel reports that instead of inventing values.
            if (g.impl === 'Encoded' && e instanceof UnsupportedError) return;
            throw e;
          }
          expect(y.length).toBe(OH * OW * g.Fo);
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++)
              for (let f = 0; f < g.Fo; f++) {
                let ref = val(b[f]!, T.data);
                let mag = Math.abs(ref);
                let n = 1;
                for (let kh = 0; kh < g.k; kh++)
                  for (let kw = 0; kw < g.k; kw++) {
                    const r = oh * g.s + kh - pt!;
                    const c = ow * g.s + kw - pl!;
                    if (r < 0 || r >= g.H || c < 0 || c >= g.W) continue;
                    for (let ch = 0; ch < g.C; ch++) {
                      const p = val(x[(r * g.W + c) * g.C + ch]!, T.data) * val(w[((kh * g.k + kw) * g.C + ch) * g.Fo + f]!, T.data);
                      ref += p;
                      mag += Math.abs(p);
                      n++;
                    }
                  }
                const got = val(y[(oh * OW + ow) * g.Fo + f]!, T.result);
                // + 1 ulp: a 64-bit result mantissa is itself rounded when converted to a double
                expect(Math.abs(got - ref)).toBeLessThanOrEqual(castErr(T.result) + gamma(n) * mag + 2 ** -52 * Math.abs(got));
              }
        }),
        { numRuns: 40 },
      );
    });

    it('conv1d = direct convolution', () => {
      const arb = fc
        .record({ W: fc.integer({ min: 1, max: 12 }), C: fc.integer({ min: 1, max: 3 }), Fo: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 3 }), pl: fc.integer({ min: 0, max: 2 }), pr: fc.integer({ min: 0, max: 2 }) })
        .filter((g) => g.k <= g.W + g.pl + g.pr)
        .chain((g) => fc.record({ g: fc.constant(g), x: raws(T.data, g.W * g.C), w: raws(T.data, g.k * g.C * g.Fo), b: raws(T.data, g.Fo) }));
      fc.assert(
        fc.property(arb, ({ g, x, w, b }) => {
          const OW = Math.floor((g.W + g.pl + g.pr - g.k) / g.s) + 1;
          const y = toNums(conv1d({ in_width: g.W, n_chan: g.C, filt_width: g.k, n_filt: g.Fo, stride_width: g.s, pad_left: g.pl, pad_right: g.pr, types }, x, w, b));
          for (let ow = 0; ow < OW; ow++)
            for (let f = 0; f < g.Fo; f++) {
              let ref = val(b[f]!, T.data);
              let mag = Math.abs(ref);
              for (let kw = 0; kw < g.k; kw++) {
                const c = ow * g.s + kw - g.pl;
                if (c < 0 || c >= g.W) continue;
                for (let ch = 0; ch < g.C; ch++) {
                  const p = val(x[c * g.C + ch]!, T.data) * val(w[(kw * g.C + ch) * g.Fo + f]!, T.data);
                  ref += p;
                  mag += Math.abs(p);
                }
              }
              expect(Math.abs(val(y[ow * g.Fo + f]!, T.result) - ref)).toBeLessThanOrEqual(castErr(T.result) + gamma(g.k * g.C + 1) * mag);
            }
        }),
        { numRuns: 40 },
      );
    });

    it('pooling (max / average, 1D / 2D / global, parallel / stream) = max / mean', () => {
      const ptypes = { input: T.data, accum: T.poolAccum, result: T.result };
      const arb = fc
        .record({ H: fc.integer({ min: 1, max: 7 }), W: fc.integer({ min: 1, max: 7 }), C: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 1, max: 3 }), op: fc.constantFrom('Max', 'Average'), stream: fc.boolean(), kind: fc.constantFrom('2d', '1d', 'global') })
        .filter((g) => g.p <= g.H && g.p <= g.W)
        .chain((g) => fc.record({ g: fc.constant(g), x: raws(T.data, g.H * g.W * g.C) }));
      fc.assert(
        fc.property(arb, ({ g, x }) => {
          const io = g.stream ? 'io_stream' : 'io_parallel';
          // 2D windows (1D uses H = 1 rows of W), pool = stride
          const rows = g.kind === '1d' ? 1 : g.H;
          const ph = g.kind === '1d' ? 1 : g.kind === 'global' ? g.H : g.p;
          const pw = g.kind === 'global' ? g.W : g.p;
          const OH = Math.floor(rows / ph);
          const OW = Math.floor(g.W / pw);
          const xs = x.slice(0, rows * g.W * g.C);
          let y: number[];
          if (g.kind === '2d') y = toNums(pooling2d({ in_height: g.H, in_width: g.W, n_filt: g.C, pool_height: g.p, pool_width: g.p, pool_op: g.op, io_type: io, types: ptypes }, xs));
          else if (g.kind === '1d') y = toNums(pooling1d({ n_in: g.W, n_filt: g.C, pool_width: g.p, pool_op: g.op, io_type: io, types: ptypes }, xs));
          else y = toNums(globalPooling2d({ in_height: g.H, in_width: g.W, n_filt: g.C, pool_op: g.op, io_type: io, types: ptypes }, xs));
          expect(y.length).toBe(OH * OW * g.C);
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++)
              for (let c = 0; c < g.C; c++) {
                let mx = -Infinity;
                let sum = 0;
                let mag = 0;
                for (let a = 0; a < ph; a++)
                  for (let bb = 0; bb < pw; bb++) {
                    const v = val(xs[((oh * ph + a) * g.W + ow * pw + bb) * g.C + c]!, T.data);
                    mx = Math.max(mx, v);
                    sum += v;
                    mag += Math.abs(v);
                  }
                const n = ph * pw;
                const got = val(y[(oh * OW + ow) * g.C + c]!, T.result);
                if (g.op === 'Max') expect(got).toBe(mx); // exact: data ⊂ accum ⊂ result
                else expect(Math.abs(got - sum / n)).toBeLessThanOrEqual(lsb(T.poolAccum) + castErr(T.result) + gamma(n + 1) * mag);
              }
        }),
        { numRuns: 60 },
      );
    });

    it('batchnorm = x·scale + bias', () => {
      const btypes = { input: T.data, scale: T.data, bias: T.data, result: T.result };
      const arb = fc
        .record({ nFilt: fc.integer({ min: 1, max: 4 }), reps: fc.integer({ min: 1, max: 5 }), perElem: fc.boolean() })
        .chain((g) => {
          const n = g.nFilt * g.reps;
          const m = g.perElem ? n : g.nFilt;
          return fc.record({ g: fc.constant(g), x: raws(T.data, n), s: raws(T.data, m), b: raws(T.data, m) });
        });
      fc.assert(
        fc.property(arb, ({ g, x, s, b }) => {
          const n = g.nFilt * g.reps;
          const y = toNums(batchnorm({ n_in: n, n_filt: g.perElem ? -1 : g.nFilt, types: btypes }, x, s, b));
          for (let i = 0; i < n; i++) {
            const k = g.perElem ? i : i % g.nFilt;
            const p = val(x[i]!, T.data) * val(s[k]!, T.data);
            const ref = p + val(b[k]!, T.data);
            expect(Math.abs(val(y[i]!, T.result) - ref)).toBeLessThanOrEqual(castErr(T.result) + gamma(2) * (Math.abs(p) + Math.abs(val(b[k]!, T.data))));
          }
        }),
        { numRuns: 60 },
      );
    });
  });
}
