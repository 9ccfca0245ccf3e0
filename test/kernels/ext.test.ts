// Edge semantics of the Extension-3 kernel families (the cases the reference vectors only sample):
// SELU's λ in io_stream, binary_tanh's ap_uint<1> result, ternary_tanh's two threshold rules,
// the headers' mixed-signedness compare in maximum/minimum, concatenation axes, dot1d
// accumulation, resize/transposition geometry, embedding indices, channels-first layouts; the
// number and BigInt back ends agree; float models where the arithmetic is exact; conformance
// checkers reject malformed cases with FormatErrors naming the field.
// Tolerances and their derivation: docs/testing.md, "Property-test tolerances".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHls4mlKernelCase } from '../../src/conformance/hls4ml-kernels.js';
import { ConfigError, FormatError, ShapeError, UnsupportedError, ValueError } from '../../src/errors.js';
import { OVERFLOW_MODES, QUANT_MODES, fixedType, parseFixedType, type FixedType } from '../../src/fixed/index.js';
import {
  binaryTanh,
  concatenate,
  cropping1d,
  cropping2d,
  dot1d,
  elu,
  eluTable,
  embedding,
  hardSigmoid,
  hardTanh,
  merge,
  newKernelStats,
  prelu,
  relu1,
  relu6,
  resizeNearest,
  resizeSourceIndex,
  selu,
  seluLambda,
  softplus,
  softsign,
  ternaryTanh,
  thresholdedRelu,
  transpose,
  transposeGeometry,
  unaryLut,
  zeropad1d,
  zeropad2d,
  type KernelOptions,
  type RawOutput,
} from '../../src/kernels/index.js';

const T = parseFixedType;
const arr = (r: RawOutput): number[] => Array.from(r as ArrayLike<number | bigint>, Number);

describe('selu', () => {
  const table = T('ap_fixed<18,8>');
  it('io_parallel multiplies by λ in ap_ufixed<16,1> (34429 / 32768)', () => {
    expect(seluLambda('io_parallel', T('ap_fixed<12,1>'))).toMatchObject({ raw: 34429, overflow: null });
    const t = T('ap_fixed<16,6>');
    // x = 1.0 → λ·x = 34429/32768 → ap_fixed<16,6> (F = 10, TRN): floor(1.0507·1024) = 1075
    expect(arr(selu({ n_in: 1, table_size: 1024, types: { input: t, result: t, table } }, [1024]))).toEqual([1075]);
  });
  it('io_stream converts λ to the input type: with I = 1 it wraps and positive inputs give negative outputs', () => {
    const tin = T('ap_fixed<12,1>');
    const lam = seluLambda('io_stream', tin);
    expect(lam).toMatchObject({ raw: -1945, overflow: 'wrapped' }); // 1.0507 − 2 = −0.9497 → floor(−0.9497·2048)
    const res = T('ap_fixed<16,4>');
    const cfg = { n_in: 2, table_size: 1024, types: { input: tin, result: res, table } };
    const st = newKernelStats();
    const y = arr(selu({ ...cfg, io_type: 'io_stream' }, [1024, 512], { stats: st }));
    // 0.5·(−1945/2048) = −0.47485 → ap_fixed<16,4> (F = 12, TRN) = floor(−1945) = −1945
    expect(y).toEqual([-1945, -973]);
    expect(st.internal.wrapped).toBe(2);
    expect(arr(selu({ ...cfg, io_type: 'io_parallel' }, [1024, 512])).every((v) => v > 0)).toBe(true);
  });
  it('io_stream with a saturating input type clamps λ', () => {
    expect(seluLambda('io_stream', T('ap_fixed<8,1,AP_TRN,AP_SAT>'))).toMatchObject({ raw: 127, overflow: 'saturated' });
    expect(seluLambda('io_stream', T('ap_fixed<8,3>'))).toMatchObject({ raw: 33, overflow: null });
  });
  it('negative inputs read table[clamp(trunc(x·N/−8))]', () => {
    const t = T('ap_fixed<16,6>');
    // x = −8 → index N = 1024 → clamped to 1023; x = −1/1024 → trunc(1/8) = 0 → table[0] = 0
    const y = arr(selu({ n_in: 2, table_size: 1024, types: { input: t, result: table, table } }, [-8192, -1]));
    expect(y[1]).toBe(0);
    expect(y[0]).toBeLessThan(-1700); // ≈ −1.7581·1024
  });
});

describe('elu', () => {
  const t = T('ap_fixed<16,6>');
  const table = T('ap_fixed<18,8>');
  it('the two-argument overload (no param type) uses alpha = ap_uint<1> 1', () => {
    const a = arr(elu({ n_in: 3, table_size: 1024, types: { input: t, result: t, table } }, [-1024, 0, 300]));
    const b = arr(elu({ n_in: 3, table_size: 1024, alpha: 1, types: { input: t, result: t, table, param: T('ap_fixed<16,6>') } }, [-1024, 0, 300]));
    expect(a).toEqual(b);
    expect(a[1]).toBe(0);
    expect(a[2]).toBe(300);
    // x = −1 → index trunc(1024/8) = 128 → e^−1 − 1 = −0.632 → ap_fixed<18,8> (F = 10) → −648 (floor)
    expect(eluTable({ table_size: 1024, types: { table } })[128]).toBe(-648);
    expect(a[0]).toBe(-648);
  });
  it('alpha scales the table value at full precision', () => {
    const y = arr(elu({ n_in: 1, table_size: 1024, alpha: 0.5, types: { input: t, result: T('ap_fixed<24,6>'), table, param: T('ap_fixed<10,2>') } }, [-1024]));
    expect(y).toEqual([-648 * 0.5 * 2 ** 8]); // result F = 18, product F = 8 + 10
  });
  it('rejects alpha without a param type', () => {
    expect(() => elu({ n_in: 1, alpha: 0.5, types: { input: t, result: t, table } }, [0])).toThrow(ConfigError);
  });
});

describe('binary_tanh', () => {
  const tin = T('ap_fixed<8,3>');
  const x = [-1, 0, 5];
  it('ap_uint<1> result (Xnor): −1 → 0, +1 → 1', () => {
    expect(arr(binaryTanh({ n_in: 3, types: { input: tin, result: T('ap_uint<1>') } }, x))).toEqual([0, 1, 1]);
  });
  it('any other result type gets (res)c: ap_ufixed<1,1> (not the Xnor type) wraps −1 to 1', () => {
    expect(arr(binaryTanh({ n_in: 3, xnor_result: false, types: { input: tin, result: T('ap_ufixed<1,1>') } }, x))).toEqual([1, 1, 1]);
    expect(arr(binaryTanh({ n_in: 3, types: { input: tin, result: T('ap_int<2>') } }, x))).toEqual([-1, 1, 1]);
    expect(arr(binaryTanh({ n_in: 3, types: { input: tin, result: T('ap_fixed<6,3>') } }, x))).toEqual([-8, 8, 8]);
  });
  it('an unsigned input is never negative', () => {
    expect(arr(binaryTanh({ n_in: 2, types: { input: T('ap_ufixed<8,3>'), result: T('ap_int<2>') } }, [0, 255]))).toEqual([1, 1]);
  });
  it('xnor_result needs a 1-bit unsigned integer result', () => {
    expect(() => binaryTanh({ n_in: 1, xnor_result: true, types: { input: tin, result: T('ap_int<2>') } }, [0])).toThrow(ConfigError);
  });
});

describe('ternary_tanh', () => {
  const tin = T('ap_fixed<8,3>'); // F = 5
  const res = T('ap_int<2>');
  const v = (f: number) => Math.round(f * 32);
  const x = [-1.5, -1, -0.75, -0.5, 0, 0.5, 0.75, 1, 1.5].map(v);
  it('io_parallel: d = 2x, thresholds ±0.5 (d > 1 → 1, d > −1 → 0, else −1)', () => {
    expect(arr(ternaryTanh({ n_in: 9, types: { input: tin, result: res } }, x))).toEqual([-1, -1, -1, -1, 0, 0, 1, 1, 1]);
  });
  it('io_stream: thresholds ±1 (x > 1 → 1, x <= −1 → −1)', () => {
    expect(arr(ternaryTanh({ n_in: 9, io_type: 'io_stream', types: { input: tin, result: res } }, x))).toEqual([-1, -1, 0, 0, 0, 0, 0, 0, 1]);
  });
  it('io_parallel: 2x wraps in the input type', () => {
    const narrow = T('ap_fixed<6,2>'); // [−2, 2): 2·1.5 = 3 wraps to −1, 2·(−1.5) = −3 wraps to 1
    const st = newKernelStats();
    expect(arr(ternaryTanh({ n_in: 2, types: { input: narrow, result: res } }, [24, -24], { stats: st }))).toEqual([-1, 0]);
    expect(st.internal.wrapped).toBe(2);
    const sat = T('ap_fixed<6,2,AP_TRN,AP_SAT>');
    expect(arr(ternaryTanh({ n_in: 2, types: { input: sat, result: res } }, [24, -24]))).toEqual([1, -1]);
  });
  it('(res)c can overflow: ap_ufixed results wrap −1', () => {
    expect(arr(ternaryTanh({ n_in: 1, types: { input: tin, result: T('ap_ufixed<4,2>') } }, [v(-1.5)]))).toEqual([12]); // −1 → 3.0
  });
});

describe('hard_sigmoid / hard_tanh', () => {
  const tin = T('ap_fixed<10,4>');
  const slope = T('ap_ufixed<16,0>');
  const shift = T('ap_ufixed<2,0>');
  const res = T('ap_fixed<24,4>');
  it('exact clamp(slope·x + shift, 0, 1) then one cast (Keras slope 0.2 → 13107/65536)', () => {
    const cfg = { n_in: 4, slope: 0.2, shift: 0.5, types: { input: tin, result: res, slope, shift } };
    const x = [-256, -64, 64, 256]; // −4, −1, 1, 4
    const s = (xr: number) => Math.min(1, Math.max(0, (13107 / 65536) * (xr / 64) + 0.5));
    expect(arr(hardSigmoid(cfg, x))).toEqual(x.map((xr) => Math.floor(s(xr) * 2 ** 20)));
    expect(arr(hardTanh(cfg, x))).toEqual(x.map((xr) => Math.floor((2 * s(xr) - 1) * 2 ** 20)));
  });
});

describe('relu6 / relu1 / prelu / thresholded_relu / unary_lut', () => {
  const t = T('ap_fixed<12,5>'); // F = 7
  it('relu_max: (res)M for x > M, which overflows a narrow result', () => {
    expect(arr(relu6({ n_in: 3, types: { input: t, result: t } }, [-5, 700, 900]))).toEqual([0, 700, 768]);
    expect(arr(relu6({ n_in: 1, types: { input: t, result: T('ap_fixed<6,3>') } }, [900]))).toEqual([-16]); // 6 wraps in [−4, 4)
    expect(arr(relu1({ n_in: 2, types: { input: t, result: t } }, [100, 200]))).toEqual([100, 128]);
  });
  it('prelu: one alpha per element, used for x <= 0', () => {
    expect(arr(prelu({ n_in: 3, types: { input: t, result: t, param: T('ap_fixed<8,2>') } }, [-128, -128, 128], [32, 64, 64]))).toEqual([-64, -128, 128]);
  });
  it('thresholded_relu compares with theta in param_t (mixed signedness as the headers do)', () => {
    const cfg = { n_in: 3, theta: 1, types: { input: t, result: t, param: T('ap_fixed<8,3>') } };
    expect(arr(thresholdedRelu(cfg, [128, 129, -300]))).toEqual([0, 129, 0]);
    // negative theta against an unsigned wide input: the unsigned compare reads −0.5 as huge
    const wide = T('ap_ufixed<40,40>');
    expect(arr(thresholdedRelu({ n_in: 1, theta: -0.5, types: { input: wide, result: wide, param: T('ap_fixed<40,39>') } }, [3]))).toEqual([0]);
    expect(arr(thresholdedRelu({ n_in: 1, theta: -0.5, types: { input: T('ap_ufixed<8,8>'), result: t, param: T('ap_fixed<8,3>') } }, [3]))).toEqual([384]);
  });
  it('unary_lut indexes by the bit pattern read unsigned', () => {
    const tin = T('ap_fixed<3,1>');
    const table = [0, 1, 2, 3, 4, 5, 6, 7];
    expect(arr(unaryLut({ n_in: 3, table_size: 8, types: { input: tin, result: T('ap_int<8>'), table: T('ap_int<8>') } }, [-4, -1, 3], table))).toEqual([4, 7, 3]);
    expect(() => unaryLut({ n_in: 1, table_size: 4, types: { input: tin, result: t, table: t } }, [-1], [0, 1, 2, 3])).toThrow(ValueError);
  });
  it('softplus / softsign tables at x = 0', () => {
    const table = T('ap_fixed<18,8>');
    expect(arr(softplus({ n_in: 1, table_size: 1024, types: { input: t, result: table, table } }, [0]))).toEqual([709]);
    expect(arr(softsign({ n_in: 1, table_size: 1024, types: { input: t, result: table, table } }, [0]))).toEqual([0]);
  });
});

describe('merges', () => {
  it('maximum/minimum: mixed signedness with a ≥ 32-bit operand compares unsigned (−3 > 5)', () => {
    const a = T('ap_fixed<14,3>');
    const r = T('ap_fixed<24,11>');
    const x1 = [-3 * 2 ** 11];
    const wideU = T('ap_ufixed<34,7>');
    const x2 = [5 * 2 ** 27];
    expect(arr(merge({ op: 'maximum', n_elem1: 1, n_elem2: 1, types: { input1: a, input2: wideU, result: r } }, x1, x2))).toEqual([-3 * 2 ** 13]);
    expect(arr(merge({ op: 'minimum', n_elem1: 1, n_elem2: 1, types: { input1: a, input2: wideU, result: r } }, x1, x2))).toEqual([5 * 2 ** 13]);
    const narrowU = T('ap_ufixed<20,7>');
    expect(arr(merge({ op: 'maximum', n_elem1: 1, n_elem2: 1, types: { input1: a, input2: narrowU, result: r } }, x1, [5 * 2 ** 13]))).toEqual([5 * 2 ** 13]);
  });
  it('io_stream merges need equal shapes', () => {
    const t = T('ap_fixed<8,3>');
    expect(() => merge({ op: 'add', io_type: 'io_stream', n_elem1: 4, n_elem2: 2, types: { input1: t, input2: t, result: t } }, [1, 2, 3, 4], [1, 2])).toThrow(UnsupportedError);
  });
  it('dot1d accumulates (accum)(acc + (accum)(a·b)) in order: a narrow accumulator wraps step by step', () => {
    const t = T('ap_fixed<8,4>'); // F = 4
    const acc = T('ap_fixed<6,3>'); // [−4, 4), F = 3
    const st = newKernelStats();
    // products 3, 3, −3 (value): acc 3 → 6 wraps to −2 → −5 wraps to 3
    const y = arr(dot1d({ n_in: 3, types: { input1: t, input2: t, accum: acc, result: t } }, [48, 48, -48], [16, 16, 16], { stats: st }));
    expect(y).toEqual([48]);
    expect(st.accum.wrapped).toBe(2);
    expect(() => dot1d({ n_in: 1, io_type: 'io_stream', types: { input1: t, input2: t, accum: acc, result: t } }, [1], [1])).toThrow(UnsupportedError);
  });
  it('dot1d weight_ternary: 0 → 0, −1 → −x, else x; weight_binary: 0 → −x, else x', () => {
    const t = T('ap_fixed<8,4>');
    const w = T('ap_int<2>');
    expect(arr(dot1d({ n_in: 4, product: 'weight_ternary', types: { input1: t, input2: w, accum: T('ap_fixed<12,6>'), result: t } }, [16, 32, 48, 64], [0, -1, 1, -2]))).toEqual([-32 + 48 + 64]);
    const b = T('ap_uint<1>');
    expect(arr(dot1d({ n_in: 3, product: 'weight_binary', types: { input1: t, input2: b, accum: T('ap_fixed<12,6>'), result: t } }, [16, 32, 48], [0, 1, 1]))).toEqual([-16 + 32 + 48]);
    expect(() => dot1d({ n_in: 1, product: 'weight_exponential', types: { input1: t, input2: b, accum: t, result: t } }, [1], [1])).toThrow(UnsupportedError);
  });
  it('concatenate on every axis of a 3-D tensor (numpy order) and from the n_elem fields', () => {
    const t = T('ap_fixed<8,8>');
    const types = { input1: t, input2: t, result: t };
    const a = [0, 1, 2, 3, 4, 5, 6, 7]; // (2, 2, 2)
    const b = [10, 11, 12, 13]; // (2, 2, 1) / (2, 1, 2) / (1, 2, 2)
    expect(arr(concatenate({ shape1: [2, 2, 2], shape2: [2, 2, 1], axis: -1, types }, a, b))).toEqual([0, 1, 10, 2, 3, 11, 4, 5, 12, 6, 7, 13]);
    expect(arr(concatenate({ shape1: [2, 2, 2], shape2: [2, 1, 2], axis: 2, types }, a, b))).toEqual([0, 1, 2, 3, 10, 11, 4, 5, 6, 7, 12, 13]);
    expect(arr(concatenate({ shape1: [2, 2, 2], shape2: [1, 2, 2], axis: -3, types }, a, b))).toEqual([...a, ...b]);
    expect(arr(concatenate({ n_elem1_0: 2, n_elem1_1: 2, n_elem1_2: 2, n_elem2_0: 2, n_elem2_1: 1, n_elem2_2: 2, axis: -2, types }, a, b))).toEqual([0, 1, 2, 3, 10, 11, 4, 5, 6, 7, 12, 13]);
    expect(arr(concatenate({ shape1: [2, 4], shape2: [2, 2], n_elem1_0: 2, n_elem1_1: 4, n_elem1_2: 0, axis: 2, types }, a, b))).toEqual([0, 1, 2, 3, 10, 11, 4, 5, 6, 7, 12, 13]);
    expect(() => concatenate({ shape1: [2, 4], shape2: [2, 2], n_elem1_1: 3, axis: 2, types }, a, b)).toThrow(ShapeError);
  });
});

describe('resize / cropping / padding / transpose / embedding', () => {
  const t = T('ap_fixed<8,8>');
  it('resize_nearest: the 16-bit ratio for non-integer scales, integer division in io_stream', () => {
    // 3 → 5 rows: ratio = floor(3·65536/5) + 1 = 39322 → rows 0,0,1,1,2
    expect([0, 1, 2, 3, 4].map((i) => resizeSourceIndex(3, 5, i))).toEqual([0, 0, 1, 1, 2]);
    const x = [1, 2, 3];
    expect(arr(resizeNearest({ height: 1, width: 3, n_chan: 1, new_height: 1, new_width: 5, types: { input: t } }, x))).toEqual([1, 1, 2, 2, 3]);
    expect(arr(resizeNearest({ height: 1, width: 3, n_chan: 1, new_height: 2, new_width: 6, io_type: 'io_stream', types: { input: t } }, x))).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
    expect(() => resizeNearest({ height: 1, width: 3, n_chan: 1, new_height: 1, new_width: 5, io_type: 'io_stream', types: { input: t } }, x)).toThrow(UnsupportedError);
    expect(() => resizeNearest({ height: 1, width: 3, n_chan: 1, new_height: 1, new_width: 5, types: { input: t, result: T('ap_fixed<8,4>') } }, x)).toThrow(ConfigError);
  });
  it('cropping: channels-last and channels-first windows', () => {
    const x = Array.from({ length: 12 }, (_, k) => k); // cl (2, 3, 2)  /  cf (2, 2, 3)
    expect(arr(cropping2d({ n_chan: 2, in_height: 2, in_width: 3, crop_top: 1, crop_left: 1, types: { input: t, result: t } }, x))).toEqual([8, 9, 10, 11]);
    expect(arr(cropping2d({ n_chan: 2, in_height: 2, in_width: 3, crop_top: 1, crop_left: 1, data_format: 'channels_first', types: { input: t, result: t } }, x))).toEqual([4, 5, 10, 11]);
    expect(arr(cropping1d({ n_chan: 2, in_width: 6, crop_left: 2, crop_right: 3, types: { input: t, result: T('ap_fixed<4,4>') } }, x))).toEqual([4, 5]);
    expect(() => cropping1d({ n_chan: 2, in_width: 6, crop_left: 2, crop_right: 3, out_width: 2, types: { input: t, result: t } }, x)).toThrow(ShapeError);
  });
  it('zero padding channels-first pads the width (and height) of each channel', () => {
    expect(arr(zeropad1d({ n_chan: 2, in_width: 2, pad_left: 1, pad_right: 1, data_format: 'channels_first', types: { input: t, result: t } }, [1, 2, 3, 4]))).toEqual([0, 1, 2, 0, 0, 3, 4, 0]);
    expect(arr(zeropad2d({ n_chan: 1, in_height: 1, in_width: 2, pad_top: 1, pad_left: 1, data_format: 'channels_first', types: { input: t, result: t } }, [1, 2]))).toEqual([0, 0, 0, 0, 1, 2]);
    expect(() => zeropad1d({ n_chan: 1, in_width: 1, data_format: 'channels_first', types: { input: t, result: T('ap_fixed<6,6>') } }, [1])).toThrow(ConfigError);
    expect(() => zeropad1d({ n_chan: 1, in_width: 1, data_format: 'channels_first', io_type: 'io_stream', types: { input: t, result: t } }, [1])).toThrow(UnsupportedError);
  });
  it('transpose geometry is hls4ml’s transpose_config_gen', () => {
    expect(transposeGeometry([3, 2, 5, 3], [0, 3, 1, 2])).toMatchObject({ N: 90, to_shape: [3, 3, 2, 5], perm_strides: [30, 1, 15, 3] });
    expect(arr(transpose({ from_shape: [2, 3], perm: [1, 0], types: { input: t, result: t } }, [1, 2, 3, 4, 5, 6]))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(() => transpose({ from_shape: [2, 3], perm: [1, 1], types: { input: t, result: t } }, [1, 2, 3, 4, 5, 6])).toThrow(ConfigError);
    expect(() => transpose({ from_shape: [2, 3], perm: [1, 0], perm_strides: [3, 1], types: { input: t, result: t } }, [1, 2, 3, 4, 5, 6])).toThrow(ConfigError);
  });
  it('embedding: index trunc(x·n_out + i); out-of-vocabulary inputs are rejected', () => {
    const e = T('ap_fixed<8,4>');
    const cfg = { n_in: 2, n_out: 2, vocab_size: 3, types: { input: T('ap_fixed<8,4>'), embeddings: e, result: e } };
    const emb = [10, 11, 20, 21, 30, 31];
    expect(arr(embedding(cfg, [32, 16], emb))).toEqual([30, 31, 20, 21]); // x = 2, 1
    // x = 1.5: indices trunc(3 + 0) = 3, trunc(3 + 1) = 4 → emb[3], emb[4]
    expect(arr(embedding({ ...cfg, n_in: 1 }, [24], emb))).toEqual([21, 30]);
    expect(() => embedding({ ...cfg, n_in: 1 }, [48], emb)).toThrow(ValueError);
  });
});

// ------------------------------------------------------------------------------------------------

const arbType = (minW = 2, maxW = 20): fc.Arbitrary<FixedType> =>
  fc
    .record({
      signed: fc.boolean(),
      W: fc.integer({ min: minW, max: maxW }),
      di: fc.integer({ min: -3, max: 4 }),
      Q: fc.constantFrom(...QUANT_MODES),
      O: fc.constantFrom(...OVERFLOW_MODES),
    })
    .map(({ signed, W, di, Q, O }) => fixedType(signed, W, Math.floor(W / 2) + di, Q, signed || O !== 'AP_WRAP_SM' ? O : 'AP_WRAP'));

const rawsOf = (t: FixedType, n: number) =>
  fc.array(fc.integer({ min: t.signed ? -(2 ** (t.W - 1)) : 0, max: t.signed ? 2 ** (t.W - 1) - 1 : 2 ** t.W - 1 }), { minLength: n, maxLength: n });

function both(run: (o: KernelOptions) => RawOutput): void {
  const sn = newKernelStats();
  const sb = newKernelStats();
  const a = arr(run({ path: 'number', stats: sn }));
  const b = arr(run({ path: 'bigint', stats: sb }));
  expect(b).toEqual(a);
  expect(sb).toEqual(sn);
}

describe('number path == BigInt path (random types and modes)', () => {
  it('activations', () => {
    const table = T('ap_fixed<18,8>');
    fc.assert(
      fc.property(
        arbType(),
        arbType(),
        arbType(2, 12),
        fc.boolean(),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(64, 128, 1000),
        (tin, tres, tp, stream, n, N) => {
          fc.pre(tp.W >= 2);
          const io = stream ? 'io_stream' : 'io_parallel';
          return fc.assert(
            fc.property(rawsOf(tin, n), rawsOf(tp, n), (x, al) => {
              const base = { n_in: n, io_type: io, table_size: N, types: { input: tin, result: tres, table, param: tp } };
              both((o) => elu({ ...base, alpha_raw: al[0]! }, x, o));
              both((o) => selu(base, x, o));
              both((o) => softplus(base, x, o));
              both((o) => softsign(base, x, o));
              both((o) => prelu(base, x, al, o));
              both((o) => thresholdedRelu({ ...base, theta_raw: al[0]! }, x, o));
              both((o) => relu6(base, x, o));
              both((o) => binaryTanh(base, x, o));
              both((o) => ternaryTanh(base, x, o));
              const hs = { n_in: n, io_type: io, slope_raw: 13107, shift_raw: 2, types: { input: tin, result: tres, slope: T('ap_ufixed<16,0>'), shift: T('ap_ufixed<2,0>') } };
              both((o) => hardSigmoid(hs, x, o));
              both((o) => hardTanh(hs, x, o));
            }),
            { numRuns: 3 },
          );
        },
      ),
      { numRuns: 40 },
    );
  });
  it('dot1d, concatenate, cropping, transpose, embedding', () => {
    fc.assert(
      fc.property(arbType(), arbType(), arbType(), arbType(), fc.integer({ min: 1, max: 8 }), (t1, t2, ta, tr, n) =>
        fc.assert(
          fc.property(rawsOf(t1, n * 6), rawsOf(t2, n * 6), (a, b) => {
            both((o) => dot1d({ n_in: n, types: { input1: t1, input2: t2, accum: ta, result: tr } }, a.slice(0, n), b.slice(0, n), o));
            const types = { input1: t1, input2: t2, result: tr };
            both((o) => concatenate({ shape1: [n, 2, 3], shape2: [n, 2, 3], axis: 2, types }, a, b, o));
            both((o) => cropping2d({ n_chan: 3, in_height: n, in_width: 2, crop_left: 1, types: { input: t1, result: tr } }, a, o));
            both((o) => transpose({ from_shape: [n, 2, 3], perm: [2, 0, 1], types: { input: t1, result: tr } }, a, o));
          }),
          { numRuns: 3 },
        ),
      ),
      { numRuns: 40 },
    );
  });
});

// ------------------------------------------------------------------------------------------------
// Float models (exact rational arithmetic where the result type holds every value)

/** A type wide enough to hold every value of the exact result: fractional bits F, integer bits I. */
const wide = (I: number, F: number): FixedType => fixedType(true, I + F, I);

describe('float models', () => {
  const pair = fc.tuple(arbType(2, 16), arbType(2, 16)).chain(([t1, t2]) => fc.tuple(fc.constant(t1), fc.constant(t2), rawsOf(t1, 6), rawsOf(t2, 6)));
  it('add / subtract / multiply / average at a wide result type equal exact arithmetic', () => {
    fc.assert(
      fc.property(pair, ([t1, t2, a, b]) => {
        const f1 = t1.W - t1.I;
        const f2 = t2.W - t2.I;
        const v1 = a.map((r) => r * 2 ** -f1);
        const v2 = b.map((r) => r * 2 ** -f2);
        const I = Math.max(t1.I, t2.I) + 2;
        for (const op of ['add', 'subtract', 'average'] as const) {
          const F = Math.max(f1, f2, 0) + 1;
          const res = wide(I, F);
          const y = arr(merge({ op, n_elem1: 6, n_elem2: 6, types: { input1: t1, input2: t2, result: res } }, a, b));
          const want = v1.map((x, k) => (op === 'add' ? x + v2[k]! : op === 'subtract' ? x - v2[k]! : (x + v2[k]!) / 2) + 0);
          expect(y.map((r) => r * 2 ** -F)).toEqual(want);
        }
        const F = Math.max(f1 + f2, 0);
        const y = arr(merge({ op: 'multiply', n_elem1: 6, n_elem2: 6, types: { input1: t1, input2: t2, result: wide(t1.I + t2.I + 1, F) } }, a, b));
        expect(y.map((r) => r * 2 ** -F)).toEqual(v1.map((x, k) => x * v2[k]! + 0));
      }),
      { numRuns: 300 },
    );
  });
  it('maximum / minimum of same-signedness operands (any widths) equal Math.max / Math.min', () => {
    fc.assert(
      fc.property(pair, ([t1, t2raw, a, b]) => {
        const t2 = fixedType(t1.signed, t2raw.W, t2raw.I, t2raw.Q, t2raw.O === 'AP_WRAP_SM' && !t1.signed ? 'AP_WRAP' : t2raw.O);
        const bb = b.map((r) => Math.min(Math.max(r, t2.signed ? -(2 ** (t2.W - 1)) : 0), t2.signed ? 2 ** (t2.W - 1) - 1 : 2 ** t2.W - 1));
        const f1 = t1.W - t1.I;
        const f2 = t2.W - t2.I;
        const F = Math.max(f1, f2, 0);
        const res = wide(Math.max(t1.I, t2.I) + 1, F);
        for (const op of ['maximum', 'minimum'] as const) {
          const y = arr(merge({ op, n_elem1: 6, n_elem2: 6, types: { input1: t1, input2: t2, result: res } }, a, bb));
          const want = a.map((r, k) => (op === 'maximum' ? Math.max : Math.min)(r * 2 ** -f1, bb[k]! * 2 ** -f2));
          expect(y.map((r) => r * 2 ** -F)).toEqual(want);
        }
      }),
      { numRuns: 300 },
    );
  });
  it('concatenate equals numpy-style concatenation along the axis', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.nat(2), fc.integer({ min: 1, max: 4 }), (shape, axisPick, d2) => {
        const rank = shape.length;
        const dim = axisPick % rank;
        const s2 = shape.map((d, k) => (k === dim ? d2 : d));
        const size = (s: number[]) => s.reduce((p, v) => p * v, 1);
        const a = Array.from({ length: size(shape) }, (_, k) => k);
        const b = Array.from({ length: size(s2) }, (_, k) => 1000 + k);
        const t = T('ap_fixed<16,16>');
        const axis = dim - rank; // negative Keras axis
        const y = arr(concatenate({ shape1: shape, shape2: s2, axis, types: { input1: t, input2: t, result: t } }, a, b));
        const outer = size(shape.slice(0, dim));
        const in1 = size(shape.slice(dim));
        const in2 = size(s2.slice(dim));
        const want: number[] = [];
        for (let o = 0; o < outer; o++) want.push(...a.slice(o * in1, (o + 1) * in1), ...b.slice(o * in2, (o + 1) * in2));
        expect(y).toEqual(want);
      }),
    );
  });
  it('transpose by perm then by its inverse is the identity', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray([...s.keys()], { minLength: s.length }))), ([shape, perm]) => {
        const t = T('ap_fixed<16,16>');
        const n = shape.reduce((p, v) => p * v, 1);
        const x = Array.from({ length: n }, (_, k) => k);
        const y = arr(transpose({ from_shape: shape, perm, types: { input: t, result: t } }, x));
        const inv = perm.map((_, k) => perm.indexOf(k));
        const z = arr(transpose({ from_shape: perm.map((p) => shape[p]!), perm: inv, types: { input: t, result: t } }, y));
        expect(z).toEqual(x);
      }),
    );
  });
  it('hard_sigmoid / prelu at wide result types equal their float models', () => {
    fc.assert(
      fc.property(arbType(2, 16), arbType(2, 12), (tin, tp) =>
        fc.assert(
          fc.property(rawsOf(tin, 8), rawsOf(tp, 8), (x, al) => {
            const fx = tin.W - tin.I;
            const fp = tp.W - tp.I;
            const F = Math.max(fx + fp, fx, 0);
            const res = wide(Math.max(tin.I, tin.I + tp.I) + 2, F);
            const y = arr(prelu({ n_in: 8, types: { input: tin, result: res, param: tp } }, x, al));
            expect(y.map((r) => r * 2 ** -F)).toEqual(x.map((r, k) => (r > 0 ? r * 2 ** -fx : al[k]! * 2 ** -fp * r * 2 ** -fx) + 0));
            const Fs = Math.max(fx + 2, 2);
            const hs = arr(hardSigmoid({ n_in: 8, slope_raw: 1, shift_raw: 2, types: { input: tin, result: wide(3, Fs), slope: T('ap_ufixed<2,0>'), shift: T('ap_ufixed<2,0>') } }, x));
            expect(hs.map((r) => r * 2 ** -Fs)).toEqual(x.map((r) => Math.min(1, Math.max(0, 0.25 * r * 2 ** -fx + 0.5))));
          }),
          { numRuns: 5 },
        ),
      ),
      { numRuns: 60 },
    );
  });
  it('resize io_parallel equals io_stream for integer ratios', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), (H, W, rh, rw) => {
        const t = T('ap_fixed<16,16>');
        const x = Array.from({ length: H * W * 2 }, (_, k) => k);
        const cfg = { height: H, width: W, n_chan: 2, new_height: H * rh, new_width: W * rw, types: { input: t } };
        expect(arr(resizeNearest({ ...cfg, io_type: 'io_parallel' }, x))).toEqual(arr(resizeNearest({ ...cfg, io_type: 'io_stream' }, x)));
      }),
    );
  });
});

// ------------------------------------------------------------------------------------------------

describe('conformance checkers of the added kinds', () => {
  const ty = (cpp: string) => {
    const t = T(cpp);
    return { s: t.signed, w: t.W, i: t.I, q: t.Q, o: t.O, n: t.N, cpp };
  };
  const reluCase = () => ({
    kernel: 'relu6',
    impl: 'io_parallel',
    config: { n_in: 2, shape: [2], io_type: 'io_parallel' },
    types: { input: ty('ap_fixed<8,4>'), result: ty('ap_fixed<8,4>') },
    inputs: [[-16, 112]],
    outputs: [[0, 96]],
  });
  it('a good case passes, a wrong output is reported', () => {
    expect(checkHls4mlKernelCase(reluCase())).toBeNull();
    const c = reluCase();
    c.outputs[0]![1] = 97;
    expect(checkHls4mlKernelCase(c)).toMatch(/1 of 2 values differ, first at index 1/);
  });
  it('sizes are checked against the data before anything is allocated', () => {
    const c = reluCase();
    c.config.n_in = 1e12;
    expect(() => checkHls4mlKernelCase(c)).toThrow(FormatError);
    const d = { ...reluCase(), config: { n_in: 3, io_type: 'io_parallel' } };
    expect(() => checkHls4mlKernelCase(d)).toThrow(/config\.n_in/);
  });
  it('layout fields: shape product, pack_size, io_type vs impl', () => {
    expect(() => checkHls4mlKernelCase({ ...reluCase(), config: { n_in: 2, shape: [3], io_type: 'io_parallel' } })).toThrow(/config\.shape/);
    expect(() => checkHls4mlKernelCase({ ...reluCase(), impl: 'io_stream' })).toThrow(/impl/);
    expect(() => checkHls4mlKernelCase({ ...reluCase(), config: { n_in: 2, shape: [1, 2], pack_size: 1, io_type: 'io_stream' }, impl: 'io_stream' })).toThrow(/config\.pack_size/);
  });
  it('a table whose size differs from table_size, and unary_lut tables', () => {
    const c = {
      kernel: 'softsign',
      impl: 'io_parallel',
      config: { n_in: 1, io_type: 'io_parallel', table_size: 8 },
      types: { input: ty('ap_fixed<8,4>'), result: ty('ap_fixed<8,4>'), table: ty('ap_fixed<8,2>') },
      tables: { table: [0, 1, 2] },
      inputs: [[0]],
      outputs: [[0]],
    };
    expect(() => checkHls4mlKernelCase(c)).toThrow(/config\.table_size/);
    const u = { ...c, kernel: 'unary_lut', tables: undefined, table: [1, 2] };
    expect(() => checkHls4mlKernelCase(u)).toThrow(/config\.table_size/);
  });
  it('parameter raws must match their literals', () => {
    const c = {
      kernel: 'thresholded_relu',
      impl: 'io_parallel',
      theta_raw: 17,
      config: { n_in: 1, io_type: 'io_parallel', theta_literal: 1.0 },
      types: { input: ty('ap_fixed<8,4>'), result: ty('ap_fixed<8,4>'), param: ty('ap_fixed<8,4>') },
      inputs: [[0]],
      outputs: [[0]],
    };
    expect(checkHls4mlKernelCase(c)).toMatch(/^theta_raw: expected 17, the literal 1 converts to 16/);
  });
  it('embedding sizes, resize shapes, transpose perm', () => {
    const e = {
      kernel: 'embedding',
      impl: 'io_parallel',
      embeddings: [1, 2, 3],
      config: { n_in: 1, n_out: 2, vocab_size: 2, io_type: 'io_parallel' },
      types: { input: ty('ap_uint<2>'), embeddings: ty('ap_fixed<8,4>'), result: ty('ap_fixed<8,4>') },
      inputs: [[1]],
      outputs: [[3, 4]],
    };
    expect(() => checkHls4mlKernelCase(e)).toThrow(/^embeddings: expected vocab_size/);
    const r = {
      kernel: 'resize_nearest',
      impl: 'io_parallel',
      config: { height: 1, width: 2, n_chan: 1, new_height: 1, new_width: 4, io_type: 'io_parallel', in_shape: [3, 1], out_shape: [4, 1] },
      types: { input: ty('ap_fixed<8,4>'), result: ty('ap_fixed<8,4>') },
      inputs: [[1, 2]],
      outputs: [[1, 1, 2, 2]],
    };
    expect(() => checkHls4mlKernelCase(r)).toThrow(/config\.in_shape/);
    r.config.in_shape = [2, 1];
    expect(checkHls4mlKernelCase(r)).toBeNull();
    const tr = {
      kernel: 'transpose',
      impl: 'io_parallel',
      config: { dims: 2, N: 2, perm: [0, 0], perm_strides: [1, 1], io_type: 'io_parallel', in_shape: [1, 2], out_shape: [2, 1] },
      types: { input: ty('ap_fixed<8,4>'), result: ty('ap_fixed<8,4>') },
      inputs: [[1, 2]],
      outputs: [[1, 2]],
    };
    expect(() => checkHls4mlKernelCase(tr)).toThrow(FormatError);
    expect(() => checkHls4mlKernelCase(tr)).toThrow(/config\.perm/);
  });
});
