/**
 * C++ source of `hlsemu_einsum.h`: EinsumDense (io_parallel): input transpose, one latency dense
 * product per (free-input, in-place) index pair, output transpose.
 */
import type { CppHeader } from '../layers.js';
import { COMMON_HEADER } from './common.js';

/** `firmware/hlsemu/hlsemu_einsum.h`. */
export const EINSUM_H = String.raw`// hlsemu_einsum.h -- EinsumDense. Written by hlsemu for this project.
//
// The input (inp_shape, row-major) is transposed to (in-place I, free-input L0, contracted C) order;
// for every (l0, i): acc = (accum_t)b[(i L0 + l0) L1 + j]; acc = (accum_t)(acc + (accum_t)(x * w)) over
// c = 0 .. C-1 with w[(i C + c) L1 + j]; the (I, L0, L1) result (res_T) is transposed to the output.
// CFG: n_free_data, n_free_kernel, n_contract, n_inplace, typedefs accum_t, weight_t, bias_t,
// tpose_inp and tpose_out (transpose configs: dims, size, shape[] of the source, perm[]).
#ifndef HLSEMU_EINSUM_H_
#define HLSEMU_EINSUM_H_

#include "hlsemu_common.h"

namespace hlsemu {

// y = x.transpose(perm) for a row-major x of shape TC::shape (TC::dims axes, TC::size values).
template <class T, class TC> void transpose_nd(const T x[TC::size], T y[TC::size]) {
    unsigned stride[TC::dims], idx[TC::dims];
    stride[TC::dims - 1] = 1;
    for (int d = (int)TC::dims - 2; d >= 0; d--) stride[d] = stride[d + 1] * TC::shape[d + 1];
    for (unsigned d = 0; d < TC::dims; d++) idx[d] = 0;
TransposeElems:
    for (unsigned j = 0; j < TC::size; j++) {
        unsigned src = 0;
        for (unsigned d = 0; d < TC::dims; d++) src += idx[d] * stride[TC::perm[d]];
        y[j] = x[src];
        for (int d = (int)TC::dims - 1; d >= 0; d--) {
            if (++idx[d] < TC::shape[TC::perm[d]]) break;
            idx[d] = 0;
        }
    }
}

template <class data_T, class res_T, class CFG, class WR, class BR>
void einsum_dense(const data_T x[CFG::n_free_data * CFG::n_contract * CFG::n_inplace],
                  res_T y[CFG::n_free_data * CFG::n_free_kernel * CFG::n_inplace],
                  const WR w[CFG::n_inplace * CFG::n_contract * CFG::n_free_kernel],
                  const BR b[CFG::n_free_data * CFG::n_free_kernel * CFG::n_inplace]) {
    typedef typename CFG::accum_t acc_t;
    const unsigned L0 = CFG::n_free_data, L1 = CFG::n_free_kernel, C = CFG::n_contract, I = CFG::n_inplace;
    data_T xt[CFG::n_free_data * CFG::n_contract * CFG::n_inplace];
    res_T mid[CFG::n_free_data * CFG::n_free_kernel * CFG::n_inplace];
    transpose_nd<data_T, typename CFG::tpose_inp>(x, xt);
EinsumFree:
    for (unsigned l0 = 0; l0 < L0; l0++) {
    EinsumInplace:
        for (unsigned i = 0; i < I; i++) {
            const unsigned xo = (i * L0 + l0) * C, wo = i * C * L1, bo = (i * L0 + l0) * L1;
            for (unsigned j = 0; j < L1; j++) {
                acc_t acc = (acc_t)from_raw<typename CFG::bias_t>(b[bo + j]);
                for (unsigned c = 0; c < C; c++) {
                    acc_t p = xt[xo + c] * from_raw<typename CFG::weight_t>(w[wo + c * L1 + j]);
                    acc += p;
                }
                mid[bo + j] = (res_T)acc;
            }
        }
    }
    transpose_nd<res_T, typename CFG::tpose_out>(mid, y);
}

} // namespace hlsemu

#endif
`;

/** The `hlsemu_einsum.h` header and the headers it includes. */
export const EINSUM_HEADER: CppHeader = { file: 'hlsemu_einsum.h', text: EINSUM_H, needs: [COMMON_HEADER] };
