import { describe, expect, it } from 'vitest';
import { parseFixedType } from '../../src/fixed/index.js';
import { batchnorm } from '../../src/kernels/batchnorm.js';

// Outputs of hls4ml's nnet::normalize (nnet_batchnorm.h, g++) for narrow inputs and a 64-bit result type: the
// intermediate product fits a double, the result mantissas do not.
describe('batchnorm with a result type wider than 53 bits', () => {
  const cfg = {
    n_in: 12,
    n_filt: 6,
    n_scale_bias: 6,
    io_type: 'io_parallel',
    product: 'mult',
    types: {
      input: parseFixedType('ap_fixed<4,4>'),
      scale: parseFixedType('ap_ufixed<10,6,AP_RND_MIN_INF,AP_WRAP>'),
      bias: parseFixedType('ap_fixed<3,2,AP_RND_MIN_INF,AP_SAT>'),
      result: parseFixedType('ap_fixed<64,9,AP_RND_ZERO,AP_SAT_ZERO>'),
    },
  };
  const scale = [763, 0, 648, 102, 902, 112];
  const bias = [-4, 0, 0, 1, -2, -1];
  const x = [0, 6, 0, 2, 0, -8, 5, 2, -8, 2, -6, 1];
  const want = [-72057594037927936n, 0n, 0n, 477381560501272576n, -36028797018963968n, -2035627031571464192n, 8518558695171293184n, 0n, 0n, 477381560501272576n, 0n, 234187180623265792n];

  it('takes the exact path and matches the C++ bit for bit', () => {
    const y = Array.from(batchnorm(cfg, x, scale, bias) as ArrayLike<number | bigint>, (v) => BigInt(v));
    expect(y).toEqual(want);
  });
});
