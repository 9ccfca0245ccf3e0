/**
 * C++ source of `hlsemu_layernorm.h`: LayerNormalization over the last axis of a (seq_len, dim)
 * tensor, io_parallel, with the 1/sqrt table given as raw entries.
 */
import type { CppHeader } from '../layers.js';
import { COMMON_HEADER } from './common.js';

/** `firmware/hlsemu/hlsemu_layernorm.h`. */
export const LAYERNORM_H = String.raw`// hlsemu_layernorm.h -- layer normalization. Written by hlsemu for this project.
//
// Per row of dim values, all in accum_t:
//   sum = (accum_t)(sum + (accum_t)x_i);  k_inv = (accum_t)(1.0 / dim);  mean = (accum_t)(sum * k_inv);
//   d_i = (accum_t)((accum_t)x_i - mean);  sum2 = (accum_t)(sum2 + (accum_t)(d_i * d_i));  var = (accum_t)(sum2 * k_inv);
//   index = clamp(trunc(var * table_size * 2^table_range_power2), 0, table_size - 1);
//   y_i = (res_T)(d_i * table[index] * scale_i + bias_i)   (exact products and sum).
// CFG: n_in, seq_len, dim, table_size, table_range_power2, typedefs accum_t, scale_t, bias_t, table_t.
#ifndef HLSEMU_LAYERNORM_H_
#define HLSEMU_LAYERNORM_H_

#include "hlsemu_common.h"

namespace hlsemu {

template <class data_T, class res_T, class CFG, class SR, class BR, class TR>
void layernorm(const data_T x[CFG::n_in], res_T y[CFG::n_in], const SR scale[CFG::dim], const BR bias[CFG::dim], const TR table[CFG::table_size]) {
    typedef typename CFG::accum_t acc_t;
    const unsigned D = CFG::dim;
    const acc_t k_inv = 1.0 / (double)D;
    acc_t d[CFG::dim];
#pragma HLS ARRAY_PARTITION variable = d complete
LnRows:
    for (unsigned row = 0; row < CFG::seq_len; row++) {
        const data_T *xr = &x[row * D];
        acc_t sum = 0;
        for (unsigned i = 0; i < D; i++) sum += (acc_t)xr[i];
        const acc_t mean = sum * k_inv;
        acc_t sum2 = 0;
        for (unsigned i = 0; i < D; i++) {
            d[i] = (acc_t)xr[i] - mean;
            const acc_t sq = d[i] * d[i];
            sum2 += sq;
        }
        const acc_t var = sum2 * k_inv;
        int index = index_trunc<0>(var, CFG::table_size << CFG::table_range_power2);
        if (index < 0) index = 0;
        if (index > (int)CFG::table_size - 1) index = (int)CFG::table_size - 1;
        const typename CFG::table_t deno = from_raw<typename CFG::table_t>(table[index]);
        for (unsigned i = 0; i < D; i++) {
            y[row * D + i] = (res_T)(d[i] * deno * from_raw<typename CFG::scale_t>(scale[i]) + from_raw<typename CFG::bias_t>(bias[i]));
        }
    }
}

} // namespace hlsemu

#endif
`;

/** The `hlsemu_layernorm.h` header and the headers it includes. */
export const LAYERNORM_HEADER: CppHeader = { file: 'hlsemu_layernorm.h', text: LAYERNORM_H, needs: [COMMON_HEADER] };
