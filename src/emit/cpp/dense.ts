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
//                               acc = (accum_t)(acc + (accum_t)product(x[i], w))   for each product;
//                               y[j] = (res_T) acc   (Xnor data and weights: (res_T)(ap_int<B>)(2 acc - n_in)).
// product(x, w) is x * w unless the config struct names another product_kind (below).
// Latency visits the inputs i = 0 .. n_in-1 (weights w[i * n_out + j]).
// Weights and biases are raw mantissas (integers), reinterpreted with from_raw.
// Resource keeps reuse_factor passes; pass ir visits the weights ir, ir + RF, ir + 2 RF, ... of the
// transposed array w[j * n_in + i] (this order decides the result when accum_t overflows).
#ifndef HLSEMU_DENSE_H_
#define HLSEMU_DENSE_H_

#include "hlsemu_common.h"
#include "hlsemu_product.h"

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
        if (skip_zero_inputs<CFG>::value && x[i] == 0) continue; // C simulation shortcut: (accum_t)(0 * w) = 0 and acc + 0 = acc
#endif
    LatencyOutputs:
        for (unsigned j = 0; j < CFG::n_out; j++) {
#pragma HLS UNROLL
            acc_t p = product<CFG>(x[i], w[i * CFG::n_out + j]);
            acc[j] += p;
        }
    }
LatencyResult:
    for (unsigned j = 0; j < CFG::n_out; j++) {
#pragma HLS UNROLL
        y[j] = result_cast<CFG, res_T>::of(acc[j]);
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
            const bool live = k < n_weights && (!skip_zero_inputs<CFG>::value || x[i] != 0); // C simulation shortcut: a zero input adds nothing
#else
            const bool live = k < n_weights;
#endif
            if (live) {
                acc_t p = product<CFG>(x[i], w[k]);
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
        y[j] = result_cast<CFG, res_T>::of(acc[j]);
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

/** `firmware/hlsemu/hlsemu_product.h`: hls4ml's product classes on raw weights. */
export const PRODUCT_H = String.raw`// hlsemu_product.h -- the products of weights and data (hls4ml's nnet::product classes).
// Written by hlsemu for this project.
#ifndef HLSEMU_PRODUCT_H_
#define HLSEMU_PRODUCT_H_

#include "hlsemu_common.h"

namespace hlsemu {

// ---------------------------------------------------------------------------------------------
// Products (hls4ml's nnet::product classes), selected by CFG::product_kind (default: a * w).
// Weights arrive as raw mantissas WR; power-of-two weights as the packed raw 2 * exponent + sign.
// ---------------------------------------------------------------------------------------------
enum {
    product_mult = 0,
    product_weight_ternary = 1,
    product_weight_binary = 2,
    product_data_binary = 3,
    product_both_binary = 4,
    product_weight_exponential = 5
};

template <class T> struct void_type { typedef void type; };
template <class CFG, class = void> struct product_kind_of { static const int value = product_mult; };
template <class CFG> struct product_kind_of<CFG, typename void_type<decltype(CFG::product_kind)>::type> {
    static const int value = CFG::product_kind;
};

// hls4ml's ceillog2 (nnet_helpers.h): 1 for x <= 2.
constexpr int hls4ml_ceillog2(int x) { return (x <= 2) ? 1 : 1 + hls4ml_ceillog2((x + 1) / 2); }

template <int K> struct product_impl;
template <> struct product_impl<product_mult> {
    template <class CFG, class D, class WR>
    static auto mul(const D &x, const WR &w) -> decltype(x * from_raw<typename CFG::weight_t>(w)) {
#pragma HLS INLINE
        return x * from_raw<typename CFG::weight_t>(w);
    }
};
// int<2> weights: 0 -> 0, -1 -> -x, anything else -> x
template <> struct product_impl<product_weight_ternary> {
    template <class CFG, class D, class WR> static auto mul(const D &x, const WR &w) -> decltype(-x) {
#pragma HLS INLINE
        typedef decltype(-x) R;
        if (w == 0) return R(0);
        if (w == -1) return R(-x);
        return R(x);
    }
};
// Xnor weights (ap_uint<1>): 0 stands for -1
template <> struct product_impl<product_weight_binary> {
    template <class CFG, class D, class WR> static auto mul(const D &x, const WR &w) -> decltype(-x) {
#pragma HLS INLINE
        typedef decltype(-x) R;
        return w == 0 ? R(-x) : R(x);
    }
};
// Xnor data: 0 stands for -1
template <> struct product_impl<product_data_binary> {
    template <class CFG, class D, class WR>
    static auto mul(const D &x, const WR &w) -> decltype(-from_raw<typename CFG::weight_t>(w)) {
#pragma HLS INLINE
        typedef decltype(-from_raw<typename CFG::weight_t>(w)) R;
        return x == 0 ? R(-from_raw<typename CFG::weight_t>(w)) : R(from_raw<typename CFG::weight_t>(w));
    }
};
// Xnor data and weights: 1 when equal (the result is corrected to 2 * acc - n_in)
template <> struct product_impl<product_both_binary> {
    template <class CFG, class D, class WR> static D mul(const D &x, const WR &w) {
#pragma HLS INLINE
        return D(x == from_raw<typename CFG::weight_t>(w) ? 1 : 0);
    }
};
// Power-of-two weights: x in ap_fixed<2 (We + Wx), We + Wx>, shifted by the exponent (a negative
// count shifts right), negated when the sign bit is 0.
template <> struct product_impl<product_weight_exponential> {
    template <class CFG, class D, class WR>
    static ap_fixed<2 * (CFG::weight_t::width + D::width), CFG::weight_t::width + D::width> mul(const D &x, const WR &w) {
#pragma HLS INLINE
        typedef ap_fixed<2 * (CFG::weight_t::width + D::width), CFG::weight_t::width + D::width> r_T;
        const int packed = (int)w;
        const int sign = packed & 1;
        const int e = (packed - sign) / 2;
        r_T y = static_cast<r_T>(x) << e;
        return sign == 1 ? y : static_cast<r_T>(-y);
    }
};

template <class CFG, class D, class WR>
auto product(const D &x, const WR &w) -> decltype(product_impl<product_kind_of<CFG>::value>::template mul<CFG>(x, w)) {
#pragma HLS INLINE
    return product_impl<product_kind_of<CFG>::value>::template mul<CFG>(x, w);
}

// A zero input adds nothing (C simulation shortcut) -- except Xnor data, where 0 stands for -1.
template <class CFG> struct skip_zero_inputs {
    static const bool value = product_kind_of<CFG>::value != product_data_binary && product_kind_of<CFG>::value != product_both_binary;
};

// The accumulator's conversion to the result (nnet::cast): Xnor data and weights give 2 * acc - n_in.
template <class CFG, class res_T, int K = product_kind_of<CFG>::value> struct result_cast {
    static res_T of(const typename CFG::accum_t &acc) { return (res_T)acc; }
};
template <class CFG, class res_T> struct result_cast<CFG, res_T, product_both_binary> {
    static res_T of(const typename CFG::accum_t &acc) {
        return (res_T)(ap_int<hls4ml_ceillog2(CFG::n_in) + 2>)(acc * 2 - CFG::n_in);
    }
};

} // namespace hlsemu

#endif
`;

/** `hlsemu_product.h` with the headers it includes. */
export const PRODUCT_HEADER: CppHeader = { file: 'hlsemu_product.h', text: PRODUCT_H, needs: [COMMON_HEADER] };

/** `hlsemu_dense.h` with the headers it includes. */
export const DENSE_HEADER: CppHeader = { file: 'hlsemu_dense.h', text: DENSE_H, needs: [COMMON_HEADER, PRODUCT_HEADER] };
