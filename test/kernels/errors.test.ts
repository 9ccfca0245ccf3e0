// Bad input → a typed error naming the layer and the field.
import { describe, expect, it } from 'vitest';
import { ConfigError, ShapeError, UnsupportedError, ValueError } from '../../src/errors.js';
import { parseFixedType } from '../../src/fixed/index.js';
import {
  batchnorm,
  computeConv2dInstructions,
  concatenate,
  conv1d,
  conv2d,
  dense,
  merge,
  pooling2d,
  sigmoid,
  softmax,
  validReuseFactor,
} from '../../src/kernels/index.js';

const t = parseFixedType('ap_fixed<16,6>');
const types = { input: t, weight: t, bias: t, accum: t, result: t };

function expectErr(fn: () => unknown, cls: new (...a: never[]) => Error, path: string, msg?: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(cls);
  expect((err as { path: string }).path).toBe(path);
  if (msg) expect((err as Error).message).toMatch(msg);
}

describe('shape and count mismatches', () => {
  it('dense: weight count, bias count, input length', () => {
    const cfg = { name: 'dense1', n_in: 3, n_out: 2, types };
    expectErr(() => dense(cfg, [1, 2, 3], [1, 2, 3, 4, 5], [0, 0]), ShapeError, 'dense1.weights', /expected 6 values, got 5/);
    expectErr(() => dense(cfg, [1, 2, 3], [1, 2, 3, 4, 5, 6], [0]), ShapeError, 'dense1.bias', /expected 2 values, got 1/);
    expectErr(() => dense(cfg, [1, 2], [1, 2, 3, 4, 5, 6], [0, 0]), ShapeError, 'dense1.input', /expected 3 values, got 2/);
  });
  it('conv2d: weights, geometry, declared output size', () => {
    const cfg = { name: 'conv1', in_height: 4, in_width: 4, n_chan: 2, filt_height: 3, filt_width: 3, n_filt: 2, types };
    expectErr(() => conv2d(cfg, new Array(32).fill(0), new Array(35).fill(0), [0, 0]), ShapeError, 'conv1.weights', /expected 36 values, got 35/);
    expectErr(() => conv2d({ ...cfg, filt_height: 5 }, new Array(32).fill(0), new Array(60).fill(0), [0, 0]), ShapeError, 'conv1.filt_height');
    expectErr(() => conv2d({ ...cfg, out_height: 3 }, new Array(32).fill(0), new Array(36).fill(0), [0, 0]), ShapeError, 'conv1.out_height', /expected 2/);
  });
  it('batchnorm: n_scale_bias and scale length', () => {
    const bt = { input: t, scale: t, bias: t, result: t };
    expectErr(() => batchnorm({ name: 'bn', n_in: 8, n_filt: 4, n_scale_bias: 8, types: bt }, new Array(8).fill(0), [1, 1, 1, 1], [0, 0, 0, 0]), ShapeError, 'bn.n_scale_bias');
    expectErr(() => batchnorm({ name: 'bn', n_in: 8, n_filt: 4, types: bt }, new Array(8).fill(0), [1, 1, 1], [0, 0, 0, 0]), ShapeError, 'bn.scale');
  });
  it('concatenate: mismatched non-axis dimensions', () => {
    expectErr(() => concatenate({ name: 'cat', shape1: [2, 3], shape2: [3, 3], axis: -1, types: { input1: t, input2: t, result: t } }, new Array(6).fill(0), new Array(9).fill(0)), ShapeError, 'cat.shape2');
  });
});

describe('bad values', () => {
  it('non-integer or out-of-range raw mantissas name the element', () => {
    const cfg = { name: 'd', n_in: 2, n_out: 1, types };
    expectErr(() => dense(cfg, [1, 2.5], [1, 1], [0]), ValueError, 'd.input[1]', /not an integer/);
    expectErr(() => dense(cfg, [40000, 0], [1, 1], [0]), ValueError, 'd.input[0]', /W=16/);
    expectErr(() => dense(cfg, [1, 1], [1, -40000], [0]), ValueError, 'd.weights[1]');
  });
  it('missing types name the field', () => {
    expectErr(() => dense({ name: 'd', n_in: 1, n_out: 1, types: { ...types, accum: undefined as never } }, [1], [1], [0]), ConfigError, 'd.types.accum');
    expectErr(() => sigmoid({ name: 'sig', n_in: 1, types: { input: t, result: t } }, [0]), ConfigError, 'sig.types.table');
  });
  it('non-integer sizes', () => {
    expectErr(() => dense({ name: 'd', n_in: 0, n_out: 1, types }, [], [], [0]), ConfigError, 'd.n_in');
  });
});

describe('table-index types too narrow', () => {
  it('softmax latency: exp table indexed by the input type', () => {
    const cfg = {
      name: 'sm',
      n_in: 4,
      implementation: 'latency',
      exp_table_size: 1024,
      inv_table_size: 1024,
      types: { input: parseFixedType('ap_fixed<8,3>'), result: t, exp_table: parseFixedType('ap_fixed<18,8>'), inv_table: parseFixedType('ap_fixed<18,8>'), accum: t },
    };
    expectErr(() => softmax(cfg, [0, 0, 0, 0]), ConfigError, 'sm.exp_table_size', /10-bit index.*W=8.*too narrow/);
  });
  it('softmax: inverse table indexed by inv_inp_t', () => {
    const cfg = {
      name: 'sm',
      n_in: 2,
      implementation: 'stable',
      exp_table_size: 128,
      inv_table_size: 1024,
      types: { input: t, result: t, exp_table: parseFixedType('ap_fixed<18,8>'), inv_table: t, accum: t, inv_inp: parseFixedType('ap_fixed<8,4>') },
    };
    expectErr(() => softmax(cfg, [0, 0]), ConfigError, 'sm.inv_table_size', /too narrow/);
  });
});

describe('unsupported combinations', () => {
  it('io_stream pooling with padding', () => {
    expectErr(
      () => pooling2d({ name: 'pool', in_height: 4, in_width: 4, n_filt: 1, pool_height: 2, pool_width: 2, pad_left: 1, pool_op: 'Max', io_type: 'io_stream', types: { input: t, accum: t, result: t } }, new Array(16).fill(0)),
      UnsupportedError,
      'pool.pad_left',
    );
  });
  it('io_stream pooling with stride != pool', () => {
    expectErr(
      () => pooling2d({ name: 'pool', in_height: 4, in_width: 4, n_filt: 1, pool_height: 2, pool_width: 2, stride_height: 1, stride_width: 1, pool_op: 'Max', io_type: 'io_stream', implementation: 'Encoded', types: { input: t, accum: t, result: t } }, new Array(16).fill(0)),
      UnsupportedError,
      'pool.stride_height',
    );
    // The error names the field that breaks the rule.
    expectErr(
      () => pooling2d({ name: 'pool', in_height: 4, in_width: 4, n_filt: 1, pool_height: 2, pool_width: 2, stride_height: 2, stride_width: 1, pool_op: 'Max', io_type: 'io_stream', types: { input: t, accum: t, result: t } }, new Array(16).fill(0)),
      UnsupportedError,
      'pool.stride_width',
    );
    expectErr(
      () => pooling2d({ name: 'pool', in_height: 4, in_width: 4, n_filt: 1, pool_height: 2, pool_width: 2, pad_bottom: 1, pool_op: 'Max', io_type: 'io_stream', types: { input: t, accum: t, result: t } }, new Array(16).fill(0)),
      UnsupportedError,
      'pool.pad_bottom',
    );
  });
  it('Encoded conv with a non-square kernel', () => {
    const cfg = { name: 'c', in_height: 5, in_width: 5, n_chan: 1, filt_height: 3, filt_width: 1, n_filt: 1, io_type: 'io_stream', implementation: 'Encoded', types };
    expectErr(() => conv2d(cfg, new Array(25).fill(0), [1, 1, 1], [0]), UnsupportedError, 'c.filt_width', /square/);
    expect(() => computeConv2dInstructions(5, 5, 1, [3, 1], 1)).toThrow(UnsupportedError);
  });
  it('Encoded conv whose scale index reads past the instruction table (1x1 kernel, stride 3, width 5)', () => {
    // hls4ml computes min_width 6 and pixels [1,0,0,1,0,0]; scale_index_regular maps input column 3 to 6,
    // one past the table, so the C++ reads unrelated memory for the second output pixel.
    const cfg = { name: 'c', in_width: 5, n_chan: 1, filt_width: 1, stride_width: 3, n_filt: 1, io_type: 'io_stream', implementation: 'Encoded', types };
    expectErr(() => conv1d(cfg, new Array(5).fill(0), [1], [0]), UnsupportedError, 'c.implementation', /reads pixels\[6\] past the 6-entry instruction table/);
    // The LineBuffer implementation computes both pixels.
    expect(conv1d({ ...cfg, implementation: 'LineBuffer' }, [1, 2, 3, 4, 5], [1], [0]).length).toBe(2);
  });
  it('strategies hlsemu does not implement', () => {
    expectErr(() => dense({ name: 'd', n_in: 1, n_out: 1, strategy: 'resource_unrolled', types }, [1], [1], [0]), UnsupportedError, 'd.strategy');
    expectErr(() => dense({ name: 'd', n_in: 1, n_out: 1, product: 'both_ternary', types }, [1], [1], [0]), UnsupportedError, 'd.product');
  });
  it('a reuse factor the C++ asserts on, with the one hls4ml would pick', () => {
    expectErr(() => dense({ name: 'd', n_in: 6, n_out: 4, strategy: 'resource', reuse_factor: 4, types }, new Array(6).fill(0), new Array(24).fill(0), new Array(4).fill(0)), ConfigError, 'd.reuse_factor', new RegExp(`hls4ml would use ${validReuseFactor(6, 4, 4)}`));
    expectErr(
      () => conv2d({ name: 'c', in_height: 3, in_width: 3, n_chan: 1, filt_height: 1, filt_width: 1, n_filt: 2, strategy: 'resource', reuse_factor: 2, types }, new Array(9).fill(0), [0, 0], [0, 0]),
      ConfigError,
      'c.reuse_factor',
    );
  });
  it('forcing the number path where it is not exact', () => {
    const w = parseFixedType('ap_fixed<40,10>');
    expectErr(() => dense({ name: 'd', n_in: 1, n_out: 1, types: { input: w, weight: w, bias: w, accum: w, result: w } }, [1], [1], [0], { path: 'number' }), UnsupportedError, 'd.path');
  });
  it('unknown merge op / softmax implementation', () => {
    expectErr(() => merge({ name: 'm', op: 'xor', n_elem1: 1, n_elem2: 1, types: { input1: t, input2: t, result: t } }, [1], [1]), UnsupportedError, 'm.op');
    expectErr(() => softmax({ name: 'sm', n_in: 2, implementation: 'fast', types: { input: t, result: t } }, [0, 0]), ConfigError, 'sm.implementation');
  });
});
