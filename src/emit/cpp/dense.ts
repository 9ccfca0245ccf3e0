/**
 * C++ source of `hlsemu_dense.h`: the dense (matrix-vector) kernel with the Latency and Resource
 * strategies, plus its io_stream wrapper. The convolutions call the same core per output pixel.
 */

/** `firmware/hlsemu/hlsemu_dense.h`. */
import type { CppHeader } from '../layers.js';
import { COMMON_HEADER } from './common.js';

export const DENSE_H = String.raw`// hlsemu_dense.h -- dense layer kernels (Latency / Resource strategy), io_parallel and io_stream.
// Written by hlsemu for this project.
//
// Cast sequence, per output j:  acc = (accum_t) bias[j];
//                               acc = (accum_t)(acc + (accum_t)(x[i] * w))   for each product;
//                               y[j] = (res_T) acc.
// Latency visits the inputs i = 0 .. n_in-1 (weights w[i * n_out + j]).
// Weights and biases are raw mantissas (integers), reinterpreted with from_raw.
// Resource keeps reuse_factor passes; pass ir visits the weights ir, ir + RF, ir + 2 RF, ... of the
// transposed array w[j * n_in + i] (this order decides the result when accum_t overflows).
#ifndef HLSEMU_DENSE_H_
#define HLSEMU_DENSE_H_

#include "hlsemu_common.h"

namespace hlsemu {

template <class data_T, class res_T, class CFG, class WR, class BR>
void dense_latency(const data_T x[CFG::n_in], res_T y[CFG::n_out], const WR w[CFG::n_in * CFG::n_out], const BR b[CFG::n_out]) {
#pragma HLS INLINE
    typedef typename CFG::accum_t acc_t;
    const unsigned multipliers = (CFG::n_in * CFG::n_out - CFG::n_zeros + CFG::reuse_factor - 1) / CFG::reuse_factor;
#pragma HLS ALLOCATION operation instances = mul limit = multipliers
    acc_t acc[CFG::n_out];
#pragma HLS ARRAY_PARTITION variable = acc complete

LatencyBias:
    for (unsigned j = 0; j < CFG::n_out; j++) {
#pragma HLS UNROLL
        acc[j] = (acc_t)from_raw<typename CFG::bias_t>(b[j]);
    }
LatencyInputs:
    for (unsigned i = 0; i < CFG::n_in; i++) {
#pragma HLS UNROLL
#ifndef __SYNTHESIS__
        if (x[i] == 0) continue; // C simulation shortcut: (accum_t)(0 * w) = 0 and acc + 0 = acc
#endif
    LatencyOutputs:
        for (unsigned j = 0; j < CFG::n_out; j++) {
#pragma HLS UNROLL
            acc_t p = x[i] * from_raw<typename CFG::weight_t>(w[i * CFG::n_out + j]);
            acc[j] += p;
        }
    }
LatencyResult:
    for (unsigned j = 0; j < CFG::n_out; j++) {
#pragma HLS UNROLL
        y[j] = (res_T)acc[j];
    }
}

template <class data_T, class res_T, class CFG, class WR, class BR>
void dense_resource(const data_T x[CFG::n_in], res_T y[CFG::n_out], const WR w[CFG::n_in * CFG::n_out], const BR b[CFG::n_out]) {
#pragma HLS INLINE
    typedef typename CFG::accum_t acc_t;
    const unsigned n_weights = CFG::n_in * CFG::n_out;
    const unsigned per_pass = (n_weights + CFG::reuse_factor - 1) / CFG::reuse_factor;
    acc_t acc[CFG::n_out];
#pragma HLS ARRAY_PARTITION variable = acc complete
#pragma HLS ARRAY_RESHAPE variable = w block factor = per_pass

ResourceBias:
    for (unsigned j = 0; j < CFG::n_out; j++) {
#pragma HLS UNROLL
        acc[j] = (acc_t)from_raw<typename CFG::bias_t>(b[j]);
    }
ResourcePass:
    for (unsigned ir = 0; ir < CFG::reuse_factor; ir++) {
#pragma HLS PIPELINE II = 1 rewind
        // Weight k = ir + im * RF multiplies input i = k % n_in into output j = k / n_in; i and j
        // advance by the constant steps RF % n_in and RF / n_in (no division in the loop).
        unsigned k = ir;
        unsigned i = ir % CFG::n_in;
        unsigned j = ir / CFG::n_in;
    ResourceMult:
        for (unsigned im = 0; im < per_pass; im++) {
#pragma HLS UNROLL
#ifndef __SYNTHESIS__
            const bool live = k < n_weights && x[i] != 0; // C simulation shortcut: a zero input adds nothing
#else
            const bool live = k < n_weights;
#endif
            if (live) {
                acc_t p = x[i] * from_raw<typename CFG::weight_t>(w[k]);
                acc[j] += p;
            }
            k += CFG::reuse_factor;
            i += CFG::reuse_factor % CFG::n_in;
            j += CFG::reuse_factor / CFG::n_in;
            if (i >= CFG::n_in) {
                i -= CFG::n_in;
                j++;
            }
        }
    }
ResourceResult:
    for (unsigned j = 0; j < CFG::n_out; j++) {
#pragma HLS UNROLL
        y[j] = (res_T)acc[j];
    }
}

// Matrix-vector product with the strategy of CFG (also the per-pixel core of the convolutions).
template <class data_T, class res_T, class CFG, class WR, class BR>
void dense(const data_T x[CFG::n_in], res_T y[CFG::n_out], const WR w[CFG::n_in * CFG::n_out], const BR b[CFG::n_out]) {
#pragma HLS INLINE
    if (CFG::strategy == strategy_resource)
        dense_resource<data_T, res_T, CFG>(x, y, w, b);
    else
        dense_latency<data_T, res_T, CFG>(x, y, w, b);
}

// io_stream: reads the n_in inputs (one or more words), writes the n_out outputs.
template <class in_T, class out_T, class CFG, class WR, class BR>
void dense(hls::stream<in_T> &in, hls::stream<out_T> &out, const WR w[CFG::n_in * CFG::n_out], const BR b[CFG::n_out]) {
    typename in_T::value_type x[CFG::n_in];
#pragma HLS ARRAY_PARTITION variable = x complete
    typename out_T::value_type y[CFG::n_out];
#pragma HLS ARRAY_PARTITION variable = y complete
DenseRead:
    for (unsigned k = 0; k < CFG::n_in / in_T::size; k++) {
#pragma HLS PIPELINE
        in_T word = in.read();
        for (unsigned e = 0; e < in_T::size; e++) {
#pragma HLS UNROLL
            x[k * in_T::size + e] = word[e];
        }
    }
    dense<typename in_T::value_type, typename out_T::value_type, CFG>(x, y, w, b);
DenseWrite:
    for (unsigned k = 0; k < CFG::n_out / out_T::size; k++) {
#pragma HLS PIPELINE
        out_T word;
        for (unsigned e = 0; e < out_T::size; e++) {
#pragma HLS UNROLL
            word[e] = y[k * out_T::size + e];
        }
        out.write(word);
    }
}

} // namespace hlsemu

#endif
`;

/** `hlsemu_dense.h` with the headers it includes. */
export const DENSE_HEADER: CppHeader = { file: 'hlsemu_dense.h', text: DENSE_H, needs: [COMMON_HEADER] };
