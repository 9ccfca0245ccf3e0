/**
 * C++ source of `hlsemu_softmax.h`: softmax over the last axis with hls4ml's four
 * implementations (latency, stable, legacy, argmax), io_parallel and io_stream.
 */

/** `firmware/hlsemu/hlsemu_softmax.h`. */
import type { CppHeader } from '../layers.js';
import { COMMON_HEADER } from './common.js';

export const SOFTMAX_H = String.raw`// hlsemu_softmax.h -- softmax over slices of n_slice values. Written by hlsemu for this project.
//
// latency  e_i = (accum_t)exp_table[top bits of x_i];  s = balanced add tree of e in accum_t;
//          inv = inv_table[top bits of (inv_inp_t)s];  y_i = (res_T)(e_i * inv)
// stable   d_i = (inp_norm_t)(max - x_i) (max by a balanced tree), e_i = (accum_t)exp_table[top bits of d_i],
//          then as latency
// legacy   e_i = sum over j, in table_t, of (j == i ? 1 : exp_table[clamp(trunc((x_j - x_i) N / 16) + 8 N / 16)]);
//          y_i = (res_T)inv_table[clamp(trunc(e_i N / 64))]
// argmax   y = one-hot at the first maximum (argmax(), no tables)
// The tables are written in weights/ as raw mantissas (computed by hlsemu exactly as the emulator
// builds them).
#ifndef HLSEMU_SOFTMAX_H_
#define HLSEMU_SOFTMAX_H_

#include "hlsemu_common.h"

namespace hlsemu {

template <class data_T, class res_T, class CFG, class ER, class IR>
void softmax_slice(const data_T x[CFG::n_slice], res_T y[CFG::n_slice], const ER exp_table[CFG::exp_table_size],
                   const IR inv_table[CFG::inv_table_size]) {
#pragma HLS INLINE
    typedef typename CFG::accum_t acc_t;
    const unsigned n = CFG::n_slice;

    if (CFG::implementation == softmax_legacy) {
        typedef typename CFG::exp_table_t tab_t; // legacy: exp and inverse tables share table_t
        const int W = fixed_traits<data_T>::width;
        const int I = fixed_traits<data_T>::iwidth;
        tab_t e[n];
#pragma HLS ARRAY_PARTITION variable = e complete
        for (unsigned i = 0; i < n; i++) {
#pragma HLS UNROLL
            e[i] = 0;
            for (unsigned j = 0; j < n; j++) {
#pragma HLS UNROLL
                tab_t term;
                if (i == j) {
                    term = 1;
                } else {
                    const ap_fixed<W + 1, I + 1> d = x[j] - x[i];
                    int index = index_trunc<4>(d, CFG::exp_table_size) + (int)(8 * CFG::exp_table_size / 16);
                    if (index < 0) index = 0;
                    if (index > (int)CFG::exp_table_size - 1) index = (int)CFG::exp_table_size - 1;
                    term = from_raw<tab_t>(exp_table[index]);
                }
                e[i] += term;
            }
        }
        for (unsigned i = 0; i < n; i++) {
#pragma HLS UNROLL
            int index = index_trunc<6>(e[i], CFG::inv_table_size);
            if (index < 0) index = 0;
            if (index > (int)CFG::inv_table_size - 1) index = (int)CFG::inv_table_size - 1;
            y[i] = (res_T)from_raw<tab_t>(inv_table[index]);
        }
        return;
    }

    acc_t e[n];
#pragma HLS ARRAY_PARTITION variable = e complete
    if (CFG::implementation == softmax_stable) {
        const data_T top = tree<n>::reduce(x, max_op<data_T>());
        for (unsigned i = 0; i < n; i++) {
#pragma HLS UNROLL
            const typename CFG::inp_norm_t d = top - x[i];
            e[i] = from_raw<typename CFG::exp_table_t>(exp_table[top_bits_index<typename CFG::inp_norm_t, CFG::exp_table_size>(d)]);
        }
    } else {
        for (unsigned i = 0; i < n; i++) {
#pragma HLS UNROLL
            e[i] = from_raw<typename CFG::exp_table_t>(exp_table[top_bits_index<data_T, CFG::exp_table_size>(x[i])]);
        }
    }
    const typename CFG::inv_inp_t sum = tree<n>::reduce(e, add_op<acc_t>());
    const typename CFG::inv_table_t inv = from_raw<typename CFG::inv_table_t>(inv_table[top_bits_index<typename CFG::inv_inp_t, CFG::inv_table_size>(sum)]);
    for (unsigned i = 0; i < n; i++) {
#pragma HLS UNROLL
        y[i] = (res_T)(e[i] * inv);
    }
}

template <class data_T, class res_T, class CFG, class ER, class IR>
void softmax(const data_T x[CFG::n_in], res_T y[CFG::n_in], const ER exp_table[CFG::exp_table_size], const IR inv_table[CFG::inv_table_size]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
SoftmaxSlices:
    for (unsigned s = 0; s < CFG::n_in / CFG::n_slice; s++) {
        softmax_slice<data_T, res_T, CFG>(x + s * CFG::n_slice, y + s * CFG::n_slice, exp_table, inv_table);
    }
}

// io_stream: one word = one slice (the last axis).
template <class in_T, class out_T, class CFG, class ER, class IR>
void softmax(hls::stream<in_T> &in, hls::stream<out_T> &out, const ER exp_table[CFG::exp_table_size], const IR inv_table[CFG::inv_table_size]) {
    typename in_T::value_type x[CFG::n_slice];
#pragma HLS ARRAY_PARTITION variable = x complete
    typename out_T::value_type y[CFG::n_slice];
#pragma HLS ARRAY_PARTITION variable = y complete
SoftmaxWords:
    for (unsigned s = 0; s < CFG::n_in / CFG::n_slice; s++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
        const in_T a = in.read();
        for (unsigned e = 0; e < CFG::n_slice; e++) {
#pragma HLS UNROLL
            x[e] = a[e];
        }
        softmax_slice<typename in_T::value_type, typename out_T::value_type, CFG>(x, y, exp_table, inv_table);
        out_T o;
        for (unsigned e = 0; e < CFG::n_slice; e++) {
#pragma HLS UNROLL
            o[e] = y[e];
        }
        out.write(o);
    }
}

// argmax: one-hot at the first maximum (no tables).
template <class data_T, class res_T, class CFG> void argmax_slice(const data_T x[CFG::n_slice], res_T y[CFG::n_slice]) {
#pragma HLS INLINE
    unsigned best = 0;
    for (unsigned i = 1; i < CFG::n_slice; i++) {
        if (x[i] > x[best]) best = i;
    }
    for (unsigned i = 0; i < CFG::n_slice; i++) {
#pragma HLS UNROLL
        y[i] = i == best ? res_T(1) : res_T(0);
    }
}

template <class data_T, class res_T, class CFG> void argmax(const data_T x[CFG::n_in], res_T y[CFG::n_in]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
ArgmaxSlices:
    for (unsigned s = 0; s < CFG::n_in / CFG::n_slice; s++) {
        argmax_slice<data_T, res_T, CFG>(x + s * CFG::n_slice, y + s * CFG::n_slice);
    }
}

template <class in_T, class out_T, class CFG> void argmax(hls::stream<in_T> &in, hls::stream<out_T> &out) {
    typename in_T::value_type x[CFG::n_slice];
    typename out_T::value_type y[CFG::n_slice];
ArgmaxWords:
    for (unsigned s = 0; s < CFG::n_in / CFG::n_slice; s++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
        const in_T a = in.read();
        for (unsigned e = 0; e < CFG::n_slice; e++) x[e] = a[e];
        argmax_slice<typename in_T::value_type, typename out_T::value_type, CFG>(x, y);
        out_T o;
        for (unsigned e = 0; e < CFG::n_slice; e++) o[e] = y[e];
        out.write(o);
    }
}

} // namespace hlsemu

#endif
`;

/** `hlsemu_softmax.h` with the headers it includes. */
export const SOFTMAX_HEADER: CppHeader = { file: 'hlsemu_softmax.h', text: SOFTMAX_H, needs: [COMMON_HEADER] };
