// Instruction tables, reuse-factor validation, lookup tables, single-precision libm ports, stats.
import { describe, expect, it } from 'vitest';
import { parseFixedType } from '../../src/fixed/index.js';
import {
  computeConv1dInstructions,
  computeConv2dInstructions,
  conv2d,
  dense,
  denseAccumulationOrder,
  expf,
  isValidReuseFactor,
  linear,
  merge,
  newKernelStats,
  pooling1d,
  poolTable,
  prepareConv2d,
  scaleIndex,
  sigmoidTable,
  softmax,
  softmaxTables,
  tanhf,
  transposeDenseWeights,
  validReuseFactor,
  validReuseFactors,
  zeropad1d,
} from '../../src/kernels/index.js';

describe('Encoded instructions (compute_conv*d_instructions)', () => {
  it('3x3 stride 1 is hls4ml’s 5x5 table', () => {
    const r = computeConv2dInstructions(8, 8, 3, 3, 1);
    expect(r.min_height).toBe(5);
    expect(r.min_width).toBe(5);
    expect(r.pixels).toEqual([1, 3, 7, 6, 4, 9, 27, 63, 54, 36, 73, 219, 511, 438, 292, 72, 216, 504, 432, 288, 64, 192, 448, 384, 256]);
    expect(r.scale_index_height).toBe('scale_index_regular');
  });
  it('5x5 stride 1 on 9x9 is the unscaled 9x9 table', () => {
    const r = computeConv2dInstructions(9, 9, 2, 5, 1);
    expect([r.min_height, r.min_width, r.scale_index_width]).toEqual([9, 9, 'scale_index_unscaled']);
    expect(r.pixels.slice(0, 9)).toEqual([1, 3, 7, 15, 31, 30, 28, 24, 16]);
    expect(r.pixels.slice(36, 45)).toEqual([1082401, 3247203, 7576807, 16236015, 33554431, 32472030, 30307228, 25977624, 17318416]);
    expect(r.pixels[80]).toBe(16777216);
  });
  it('stride 2 and the extra column for unused pixels', () => {
    expect(computeConv2dInstructions(9, 9, 2, 3, 2).pixels.slice(0, 5)).toEqual([1, 2, 5, 2, 4]);
    const r = computeConv2dInstructions(8, 8, 1, 3, 2); // scaled 7 < 8 → min 6
    expect([r.min_height, r.min_width]).toEqual([6, 6]);
    expect(r.pixels.slice(30)).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it('1D', () => {
    expect(computeConv1dInstructions(16, 3, 3, 1)).toEqual({ min_width: 5, pixels: [1, 3, 7, 6, 4], scale_index: 'scale_index_regular' });
    expect(computeConv1dInstructions(20, 2, 5, 1).min_width).toBe(9);
  });
  it('scale_index maps image columns onto the table', () => {
    // K=3, S=1, W=8: columns 0..7 → 0,1,2,2,2,2,3,4
    expect([...Array(8).keys()].map((i) => scaleIndex('scale_index_regular', 3, 1, 8, i))).toEqual([0, 1, 2, 2, 2, 2, 3, 4]);
    expect(scaleIndex('scale_index_unscaled', 3, 1, 8, 6)).toBe(6);
  });
  it('the kernel uses the generated table', () => {
    const t = parseFixedType('ap_fixed<16,6>');
    const k = prepareConv2d({ in_height: 8, in_width: 8, n_chan: 1, filt_height: 3, filt_width: 3, n_filt: 1, io_type: 'io_stream', implementation: 'Encoded', types: { input: t, weight: t, bias: t, accum: t, result: t } }, new Array(9).fill(1), [0]);
    expect(k.instructions?.pixels).toEqual(computeConv2dInstructions(8, 8, 1, 3, 1).pixels);
    expect(k.windows.nOut).toBe(36);
  });
  it('pool tables are i % pool', () => {
    expect(poolTable(7, 3)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });
});

describe('reuse factor', () => {
  it('validates like hls4ml and picks the closest valid one (ties → smaller)', () => {
    expect(validReuseFactor(42, 64, 4)).toBe(3);
    expect(validReuseFactor(16, 8, 4)).toBe(4);
    expect(isValidReuseFactor(16, 4, 32)).toBe(true);
    expect(isValidReuseFactor(12, 6, 5)).toBe(false);
    expect(validReuseFactors(4, 2)).toEqual([1, 2, 4, 8]);
    expect(validReuseFactor(4, 2, 6)).toBe(4); // 4 and 8 are equally close → 4
    expect(validReuseFactor(4, 2, 100)).toBe(8);
    expect(validReuseFactor(4, 2, 8, false)).toBe(4);
  });
  it('resource order is w_index = ir + k·rf', () => {
    const ord = denseAccumulationOrder({ n_in: 4, n_out: 2, strategy: 'resource', reuse_factor: 2 });
    const ws = [...Array(8).keys()].map((k) => ord[3 * k + 1]);
    expect(ws).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    const rem0 = denseAccumulationOrder({ n_in: 2, n_out: 3, strategy: 'resource', reuse_factor: 6 });
    expect([...Array(6).keys()].map((k) => rem0[3 * k + 1])).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it('transposeDenseWeights round-trips', () => {
    const w = [1, 2, 3, 4, 5, 6];
    expect(transposeDenseWeights(w, 2, 3)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(transposeDenseWeights(transposeDenseWeights(w, 2, 3), 2, 3, true)).toEqual(w);
  });
});

describe('tables and single-precision libm', () => {
  it('expf / tanhf reproduce glibc where Math.exp / Math.tanh rounded to float do not', () => {
    // reference values printed by glibc 2.36 (x86-64) expf / tanhf
    expect(expf(Math.fround(6.6156511306762695))).toBe(746.6907958984375);
    expect(Math.fround(Math.exp(Math.fround(6.6156511306762695)))).not.toBe(746.6907958984375);
    expect(expf(Math.fround(-0.26485538482666016))).toBe(0.7673169374465942);
    expect(expf(0)).toBe(1);
    expect(tanhf(0)).toBe(0);
    expect(tanhf(-1.625)).toBe(-0.9253462553024292);
    expect(Math.fround(Math.tanh(-1.625))).toBe(-0.9253461956977844); // correctly rounded, but not what glibc returns
    expect(tanhf(-0.625)).toBe(-0.5545997619628906);
    expect(tanhf(Math.fround(1.2345))).toBe(0.84387969970703125);
    expect(tanhf(30)).toBe(1);
  });
  it('sigmoid table midpoint and saturation', () => {
    const t = sigmoidTable({ table_size: 1024, types: { table: parseFixedType('ap_fixed<18,8>') } });
    expect(t[512]).toBe(512); // 0.5 in 10 fractional bits
    expect(t[1023]).toBe(1023); // 0.99966 truncated
  });
  it('legacy softmax inverse table starts with 0', () => {
    const { inv_table } = softmaxTables({ implementation: 'legacy', exp_table_size: 512, inv_table_size: 512, types: { input: parseFixedType('ap_fixed<16,6>'), table: parseFixedType('ap_fixed<18,8>') } });
    expect(inv_table[0]).toBe(0);
    expect(inv_table[8]).toBe(1024); // 1/(64·8/512) = 1.0
  });
});

describe('KernelStats', () => {
  it('counts wraps in accum_t and saturations in result_t separately', () => {
    const d = parseFixedType('ap_fixed<8,4>');
    const acc = parseFixedType('ap_fixed<8,4>'); // wraps
    const res = parseFixedType('ap_fixed<6,2,AP_TRN,AP_SAT>');
    const st = newKernelStats();
    const x = [112, 112, 112]; // 7.0 each
    const w = [16, 16, 16]; // 1.0 each
    dense({ n_in: 3, n_out: 1, types: { input: d, weight: d, bias: d, accum: acc, result: res } }, x, w, [0], { stats: st });
    expect(st.accum.wrapped).toBe(1); // 7 + 7 = 14 wraps to −2; −2 + 7 = 5 fits [−8, 8)
    expect(st.result.saturated).toBe(1); // 5.0 > 1.9375
    expect(st.resultCount).toBe(1);
    expect(st.maxAbsPreResult).toBe(5);
    const st2 = newKernelStats();
    dense({ n_in: 1, n_out: 1, types: { input: d, weight: d, bias: d, accum: acc, result: res } }, [112], [16], [0], { stats: st2 });
    expect(st2.result.saturated).toBe(1); // 7.0 > 1.9375
    expect(st2.maxAbsPreResult).toBe(7);
  });
});

describe('hls4ml / ap_fixed quirks reproduced (each checked against the C++)', () => {
  const T = parseFixedType;
  it('a copy between identical AP_SAT_SYM types keeps −2^(W−1); a conversion does not', () => {
    const sym = T('ap_fixed<4,0,AP_RND,AP_SAT_SYM>');
    expect(Array.from(zeropad1d({ n_chan: 1, in_width: 1, pad_left: 1, types: { input: sym, result: sym } }, [-8]) as Float64Array)).toEqual([0, -8]);
    expect(Array.from(linear({ n_in: 1, types: { input: T('ap_fixed<4,0>'), result: sym } }, [-8]) as Float64Array)).toEqual([-7]);
  });
  it('pruned weights are not skipped when an AP_SAT_SYM accum holds a copied −2^(W−1) bias', () => {
    const d = T('ap_fixed<8,3>');
    const acc = T('ap_fixed<8,3,AP_TRN,AP_SAT_SYM>');
    const types = { input: d, weight: d, bias: acc, accum: acc, result: acc };
    // acc = −128 (copy); acc += 0 → −127 (conversion); acc += 32 → −95 (C++ prints −95)
    for (const path of ['number', 'bigint'] as const) {
      expect(Array.from(dense({ n_in: 2, n_out: 1, types }, [5, 32], [0, 32], [-128], { path }) as Float64Array)).toEqual([-95]);
    }
  });
  it('minimum/maximum use ap_fixed’s mixed-signedness comparison', () => {
    const types = { input1: T('ap_ufixed<17,16,AP_RND,AP_WRAP>'), input2: T('ap_fixed<16,1>'), result: T('ap_ufixed<13,11>') };
    // 35272.0 < −0.738 is true for the headers, so minimum picks 35272.0 (→ 1824 after wrapping)
    expect(Array.from(merge({ op: 'minimum', n_elem1: 1, n_elem2: 1, types }, [70544], [-24181]) as Float64Array)).toEqual([1824]);
  });
  it('io_parallel max pooling pads with the MSB-only pattern (2^(W−1) for unsigned inputs)', () => {
    const u = T('ap_ufixed<8,4>');
    const y = pooling1d({ n_in: 3, n_filt: 1, pool_width: 2, stride_width: 2, pad_left: 0, pad_right: 1, pool_op: 'Max', types: { input: u, accum: u, result: u } }, [1, 2, 3]);
    expect(Array.from(y as Float64Array)).toEqual([2, 128]); // second window = max(3, pad 8.0)
  });
  it('a strided 1xk LineBuffer conv ignores stride_height (hls4ml’s 1-D line buffer)', () => {
    const t = T('ap_fixed<16,6>');
    const cfg = { in_height: 4, in_width: 1, n_chan: 1, filt_height: 1, filt_width: 1, n_filt: 1, stride_height: 2, stride_width: 1, io_type: 'io_stream', implementation: 'LineBuffer', types: { input: t, weight: t, bias: t, accum: t, result: t } };
    expect(Array.from(conv2d(cfg, [1, 2, 3, 4], [1024], [0]) as Float64Array)).toEqual([1, 2]); // rows 0 and 1, not 0 and 2
    expect(Array.from(conv2d({ ...cfg, io_type: 'io_parallel', implementation: undefined }, [1, 2, 3, 4], [1024], [0]) as Float64Array)).toEqual([1, 3]);
  });
  it('multi-dimensional softmax = softmax of every strided slice', () => {
    const t = T('ap_fixed<16,6>');
    const et = T('ap_fixed<18,8,AP_RND,AP_SAT>');
    const types = { input: t, result: t, exp_table: et, inv_table: et, accum: t };
    const x = [100, -200, 300, 50, 0, 1024]; // n_slice 3, n_inner 2
    const y = Array.from(softmax({ n_in: 6, n_slice: 3, n_inner: 2, implementation: 'stable', exp_table_size: 1024, inv_table_size: 1024, types }, x) as Float64Array);
    for (const k of [0, 1]) {
      const s = Array.from(softmax({ n_in: 3, implementation: 'stable', exp_table_size: 1024, inv_table_size: 1024, types }, [x[k]!, x[k + 2]!, x[k + 4]!]) as Float64Array);
      expect([y[k], y[k + 2], y[k + 4]]).toEqual(s);
    }
  });
});
