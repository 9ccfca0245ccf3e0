/**
 * C++ sources of the kernels added with the Extension-3 families, part 1:
 * `hlsemu_int.h` (ap_int / ap_uint support for the raw-mantissa helpers of hlsemu_common.h) and
 * `hlsemu_activation_ext.h` (ELU, SELU, softplus, softsign, hard sigmoid / tanh, PReLU,
 * thresholded ReLU, ReLU6 / ReLU1, binary / ternary tanh, unary LUT, multi-dimensional softmax),
 * each with an io_parallel and an io_stream form.
 */

import type { CppHeader } from '../layers.js';
import { COMMON_HEADER } from './common.js';
import { ACTIVATION_HEADER } from './elementwise.js';
import { SOFTMAX_HEADER } from './softmax.js';

/** `firmware/hlsemu/hlsemu_int.h`. */
export const INT_H = String.raw`// hlsemu_int.h -- ap_int / ap_uint in the raw-mantissa helpers. Written by hlsemu for this project.
// An integer type is a fixed-point type with as many integer bits as bits (raw = value).
#ifndef HLSEMU_INT_H_
#define HLSEMU_INT_H_

#include "hlsemu_common.h"

namespace hlsemu {

template <int W> struct fixed_traits<ap_int<W> > {
    static const int width = W;
    static const int iwidth = W;
    static const bool is_signed = true;
};
template <int W> struct fixed_traits<ap_uint<W> > {
    static const int width = W;
    static const int iwidth = W;
    static const bool is_signed = false;
};

// ap_uint<1> is hls4ml's binary (Xnor) type, which some kernels treat specially.
template <class T> struct is_xnor { static const bool value = false; };
template <> struct is_xnor<ap_uint<1> > { static const bool value = true; };

} // namespace hlsemu

#endif
`;

/** `firmware/hlsemu/hlsemu_activation_ext.h`. */
export const ACTIVATION_EXT_H = String.raw`// hlsemu_activation_ext.h -- more element-wise activations. Written by hlsemu for this project.
// Every product or sum below is exact (ap_fixed full-precision operators); the only conversions
// are the ones written as (T).
// elu          x >= 0 ? (res_T)x : (res_T)(alpha * table[min(trunc(-x N / 8), N - 1)])   (table e^x - 1 over (-8, 0])
// selu         x >= 0 ? (res_T)(lambda * x) : (res_T)table[clamp(trunc(-x N / 8))]
//              lambda = 1.0507009873554805 in ap_ufixed<16,1> (io_parallel) or in the input type (io_stream)
// softplus, softsign   (res_T)table[clamp(trunc(x N / 16) + 8 N / 16)]   (the sigmoid index rule)
// hard_sigmoid s = clamp(slope * x + shift, 0, 1); (res_T)s      hard_tanh (res_T)(2 s - 1)
// prelu        x > 0 ? (res_T)x : (res_T)(alpha[i] * x)
// thresholded_relu  x > theta ? (res_T)x : 0
// relu6 / relu1     x < 0 ? 0 : x > M ? (res_T)M : (res_T)x
// binary_tanh  c = x >= 0 ? 1 : -1; an ap_uint<1> result gets c > 0, any other (res_T)c
// ternary_tanh io_parallel: d = (data_T)(2 x); d > 1 -> 1, d > -1 -> 0, else -1
//              io_stream:   x > 1 -> 1, x <= -1 -> -1, else 0;           then (res_T)c
// unary_lut    (res_T)table[bit pattern of x, read unsigned]
// softmax_multidim  softmax of the slices j -> x[(i n_slice + j) n_inner + k] (see hlsemu_softmax.h)
// Tables and parameter arrays are raw mantissas (weights/), reinterpreted with from_raw.
#ifndef HLSEMU_ACTIVATION_EXT_H_
#define HLSEMU_ACTIVATION_EXT_H_

#include "hlsemu_activation.h"
#include "hlsemu_int.h"
#include "hlsemu_softmax.h"

namespace hlsemu {

// The (-8, 0] table index of a negative x: trunc(-x * N / 8) as a C++ int.
template <class D> int neg8_index(const D &x, unsigned N) {
#pragma HLS INLINE
    return -index_trunc<3>(x, N);
}

// ---- one element ----
template <class res_T, class table_T, unsigned N, class P, class TR> struct elu_fn {
    P alpha;
    const TR *table;
    template <class D> res_T operator()(const D &x) const {
        if (x >= 0) return (res_T)x;
        int index = neg8_index(x, N);
        if (index > (int)N - 1) index = (int)N - 1;
        return (res_T)(alpha * from_raw<table_T>(table[index]));
    }
};

template <class res_T, class table_T, unsigned N, bool STREAM, class TR> struct selu_fn {
    const TR *table;
    template <class D> res_T operator()(const D &x) const {
        if (x >= 0) {
            if (STREAM) {
                const D lambda = 1.0507009873554805; // the input type's Q and O apply
                return (res_T)(lambda * x);
            }
            const ap_ufixed<16, 1> lambda = 1.0507009873554805;
            return (res_T)(lambda * x);
        }
        int index = neg8_index(x, N);
        if (index < 0) index = 0;
        if (index > (int)N - 1) index = (int)N - 1;
        return (res_T)from_raw<table_T>(table[index]);
    }
};

template <class res_T, class S, class H, bool TANH> struct hard_fn {
    S slope;
    H shift;
    template <class D> res_T operator()(const D &x) const {
        auto s = slope * x + shift; // full precision: exact
        if (s > 1)
            s = 1;
        else if (s < 0)
            s = 0;
        if (TANH) return (res_T)(s * 2 - 1);
        return (res_T)s;
    }
};

template <class res_T, class P> struct thresholded_relu_fn {
    P theta;
    template <class D> res_T operator()(const D &x) const {
        if (x > theta) return (res_T)x;
        return res_T(0);
    }
};

template <class res_T, int M> struct relu_max_fn {
    template <class D> res_T operator()(const D &x) const {
        if (x < 0) return res_T(0);
        if (x > M) return (res_T)M;
        return (res_T)x;
    }
};

template <class res_T, bool XNOR = is_xnor<res_T>::value> struct binary_out {
    static res_T of(int c) { return (res_T)c; }
};
template <class res_T> struct binary_out<res_T, true> {
    static res_T of(int c) { return c > 0 ? res_T(1) : res_T(0); }
};

template <class res_T> struct binary_tanh_fn {
    template <class D> res_T operator()(const D &x) const {
        const ap_int<2> c = x >= 0 ? 1 : -1;
        return binary_out<res_T>::of(c.to_int());
    }
};

template <class res_T, bool STREAM> struct ternary_tanh_fn {
    template <class D> res_T operator()(const D &x) const {
        int c;
        if (STREAM) {
            c = x > 1 ? 1 : (x <= -1 ? -1 : 0);
        } else {
            const D d = x * 2; // converted back to the input type: may wrap or saturate
            c = d > 1 ? 1 : (d > -1 ? 0 : -1);
        }
        return (res_T)c;
    }
};

template <class res_T, class table_T, class TR> struct unary_lut_fn {
    const TR *table;
    template <class D> res_T operator()(const D &x) const {
        const int W = fixed_traits<D>::width;
        ap_uint<W> bits;
        bits.range(W - 1, 0) = x.range(W - 1, 0);
        return (res_T)from_raw<table_T>(table[bits.to_uint64()]);
    }
};

// ---- kernels ----
// ELU: alpha in CFG::param_t (hls4ml's two-argument overload = alpha ap_uint<1> 1).
template <class data_T, class res_T, class CFG, class TR>
void elu(const data_T x[CFG::n_in], res_T y[CFG::n_in], const typename CFG::param_t alpha, const TR table[CFG::table_size]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    elu_fn<res_T, typename CFG::table_t, CFG::table_size, typename CFG::param_t, TR> fn;
    fn.alpha = alpha;
    fn.table = table;
    map<data_T, res_T, CFG>(x, y, fn);
}
template <class in_T, class out_T, class CFG, class TR>
void elu(hls::stream<in_T> &in, hls::stream<out_T> &out, const typename CFG::param_t alpha, const TR table[CFG::table_size]) {
    elu_fn<typename out_T::value_type, typename CFG::table_t, CFG::table_size, typename CFG::param_t, TR> fn;
    fn.alpha = alpha;
    fn.table = table;
    map<in_T, out_T, CFG>(in, out, fn);
}

template <class data_T, class res_T, class CFG, class TR> void selu(const data_T x[CFG::n_in], res_T y[CFG::n_in], const TR table[CFG::table_size]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    selu_fn<res_T, typename CFG::table_t, CFG::table_size, false, TR> fn;
    fn.table = table;
    map<data_T, res_T, CFG>(x, y, fn);
}
template <class in_T, class out_T, class CFG, class TR> void selu(hls::stream<in_T> &in, hls::stream<out_T> &out, const TR table[CFG::table_size]) {
    selu_fn<typename out_T::value_type, typename CFG::table_t, CFG::table_size, true, TR> fn;
    fn.table = table;
    map<in_T, out_T, CFG>(in, out, fn);
}

template <class data_T, class res_T, class CFG, class TR> void softplus(const data_T x[CFG::n_in], res_T y[CFG::n_in], const TR table[CFG::table_size]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    table_fn<res_T, typename CFG::table_t, CFG::table_size, 4, TR> fn;
    fn.table = table;
    map<data_T, res_T, CFG>(x, y, fn);
}
template <class in_T, class out_T, class CFG, class TR> void softplus(hls::stream<in_T> &in, hls::stream<out_T> &out, const TR table[CFG::table_size]) {
    table_fn<typename out_T::value_type, typename CFG::table_t, CFG::table_size, 4, TR> fn;
    fn.table = table;
    map<in_T, out_T, CFG>(in, out, fn);
}

template <class data_T, class res_T, class CFG, class TR> void softsign(const data_T x[CFG::n_in], res_T y[CFG::n_in], const TR table[CFG::table_size]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    table_fn<res_T, typename CFG::table_t, CFG::table_size, 4, TR> fn;
    fn.table = table;
    map<data_T, res_T, CFG>(x, y, fn);
}
template <class in_T, class out_T, class CFG, class TR> void softsign(hls::stream<in_T> &in, hls::stream<out_T> &out, const TR table[CFG::table_size]) {
    table_fn<typename out_T::value_type, typename CFG::table_t, CFG::table_size, 4, TR> fn;
    fn.table = table;
    map<in_T, out_T, CFG>(in, out, fn);
}

// Hard sigmoid / tanh: slope in CFG::slope_t, shift in CFG::shift_t.
template <class data_T, class res_T, class CFG>
void hard_sigmoid(const data_T x[CFG::n_in], res_T y[CFG::n_in], const typename CFG::slope_t slope, const typename CFG::shift_t shift) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    hard_fn<res_T, typename CFG::slope_t, typename CFG::shift_t, false> fn;
    fn.slope = slope;
    fn.shift = shift;
    map<data_T, res_T, CFG>(x, y, fn);
}
template <class in_T, class out_T, class CFG>
void hard_sigmoid(hls::stream<in_T> &in, hls::stream<out_T> &out, const typename CFG::slope_t slope, const typename CFG::shift_t shift) {
    hard_fn<typename out_T::value_type, typename CFG::slope_t, typename CFG::shift_t, false> fn;
    fn.slope = slope;
    fn.shift = shift;
    map<in_T, out_T, CFG>(in, out, fn);
}
template <class data_T, class res_T, class CFG>
void hard_tanh(const data_T x[CFG::n_in], res_T y[CFG::n_in], const typename CFG::slope_t slope, const typename CFG::shift_t shift) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    hard_fn<res_T, typename CFG::slope_t, typename CFG::shift_t, true> fn;
    fn.slope = slope;
    fn.shift = shift;
    map<data_T, res_T, CFG>(x, y, fn);
}
template <class in_T, class out_T, class CFG>
void hard_tanh(hls::stream<in_T> &in, hls::stream<out_T> &out, const typename CFG::slope_t slope, const typename CFG::shift_t shift) {
    hard_fn<typename out_T::value_type, typename CFG::slope_t, typename CFG::shift_t, true> fn;
    fn.slope = slope;
    fn.shift = shift;
    map<in_T, out_T, CFG>(in, out, fn);
}

// PReLU: one alpha (raw mantissa of CFG::param_t) per element.
template <class data_T, class res_T, class CFG, class AR> void prelu(const data_T x[CFG::n_in], res_T y[CFG::n_in], const AR alpha[CFG::n_in]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
PReluLoop:
    for (unsigned i = 0; i < CFG::n_in; i++) {
#pragma HLS UNROLL
        if (x[i] > 0)
            y[i] = (res_T)x[i];
        else
            y[i] = (res_T)(from_raw<typename CFG::param_t>(alpha[i]) * x[i]);
    }
}
template <class in_T, class out_T, class CFG, class AR> void prelu(hls::stream<in_T> &in, hls::stream<out_T> &out, const AR alpha[CFG::n_in]) {
    typedef typename out_T::value_type res_T;
PReluWords:
    for (unsigned w = 0; w < CFG::n_in / in_T::size; w++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
        const in_T a = in.read();
        out_T o;
        for (unsigned e = 0; e < in_T::size; e++) {
#pragma HLS UNROLL
            if (a[e] > 0)
                o[e] = (res_T)a[e];
            else
                o[e] = (res_T)(from_raw<typename CFG::param_t>(alpha[w * in_T::size + e]) * a[e]);
        }
        out.write(o);
    }
}

template <class data_T, class res_T, class CFG> void thresholded_relu(const data_T x[CFG::n_in], res_T y[CFG::n_in], const typename CFG::param_t theta) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    thresholded_relu_fn<res_T, typename CFG::param_t> fn;
    fn.theta = theta;
    map<data_T, res_T, CFG>(x, y, fn);
}
template <class in_T, class out_T, class CFG> void thresholded_relu(hls::stream<in_T> &in, hls::stream<out_T> &out, const typename CFG::param_t theta) {
    thresholded_relu_fn<typename out_T::value_type, typename CFG::param_t> fn;
    fn.theta = theta;
    map<in_T, out_T, CFG>(in, out, fn);
}

// relu_max: M = 6 (relu6), 1 (relu1).
template <int M, class data_T, class res_T, class CFG> void relu_max(const data_T x[CFG::n_in], res_T y[CFG::n_in]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    map<data_T, res_T, CFG>(x, y, relu_max_fn<res_T, M>());
}
template <int M, class in_T, class out_T, class CFG> void relu_max(hls::stream<in_T> &in, hls::stream<out_T> &out) {
    map<in_T, out_T, CFG>(in, out, relu_max_fn<typename out_T::value_type, M>());
}

template <class data_T, class res_T, class CFG> void binary_tanh(const data_T x[CFG::n_in], res_T y[CFG::n_in]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    map<data_T, res_T, CFG>(x, y, binary_tanh_fn<res_T>());
}
template <class in_T, class out_T, class CFG> void binary_tanh(hls::stream<in_T> &in, hls::stream<out_T> &out) {
    map<in_T, out_T, CFG>(in, out, binary_tanh_fn<typename out_T::value_type>());
}

// binary_tanh with the Xnor rule chosen explicitly (XNOR: the result is hls4ml's ap_uint<1>, -1 -> 0),
// for result types spelled another way with the same bits.
template <class res_T, bool XNOR> struct binary_tanh_as_fn {
    template <class D> res_T operator()(const D &x) const {
        const ap_int<2> c = x >= 0 ? 1 : -1;
        return binary_out<res_T, XNOR>::of(c.to_int());
    }
};
template <bool XNOR, class data_T, class res_T, class CFG> void binary_tanh_as(const data_T x[CFG::n_in], res_T y[CFG::n_in]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    map<data_T, res_T, CFG>(x, y, binary_tanh_as_fn<res_T, XNOR>());
}
template <bool XNOR, class in_T, class out_T, class CFG> void binary_tanh_as(hls::stream<in_T> &in, hls::stream<out_T> &out) {
    map<in_T, out_T, CFG>(in, out, binary_tanh_as_fn<typename out_T::value_type, XNOR>());
}

template <class data_T, class res_T, class CFG> void ternary_tanh(const data_T x[CFG::n_in], res_T y[CFG::n_in]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    map<data_T, res_T, CFG>(x, y, ternary_tanh_fn<res_T, false>());
}
template <class in_T, class out_T, class CFG> void ternary_tanh(hls::stream<in_T> &in, hls::stream<out_T> &out) {
    map<in_T, out_T, CFG>(in, out, ternary_tanh_fn<typename out_T::value_type, true>());
}

template <class data_T, class res_T, class CFG, class TR> void unary_lut(const data_T x[CFG::n_in], res_T y[CFG::n_in], const TR table[CFG::table_size]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    unary_lut_fn<res_T, typename CFG::table_t, TR> fn;
    fn.table = table;
    map<data_T, res_T, CFG>(x, y, fn);
}
template <class in_T, class out_T, class CFG, class TR> void unary_lut(hls::stream<in_T> &in, hls::stream<out_T> &out, const TR table[CFG::table_size]) {
    unary_lut_fn<typename out_T::value_type, typename CFG::table_t, TR> fn;
    fn.table = table;
    map<in_T, out_T, CFG>(in, out, fn);
}

// Softmax over a middle axis (io_parallel): for i < n_outer, k < n_inner the slice
// j -> x[(i n_slice + j) n_inner + k]. argmax when CFG::implementation == softmax_argmax.
template <class data_T, class res_T, class CFG, class ER, class IR>
void softmax_multidim(const data_T x[CFG::n_in], res_T y[CFG::n_in], const ER exp_table[CFG::exp_table_size], const IR inv_table[CFG::inv_table_size]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    data_T a[CFG::n_slice];
    res_T b[CFG::n_slice];
SoftmaxOuter:
    for (unsigned i = 0; i < CFG::n_outer; i++) {
        for (unsigned k = 0; k < CFG::n_inner; k++) {
            for (unsigned j = 0; j < CFG::n_slice; j++) a[j] = x[(i * CFG::n_slice + j) * CFG::n_inner + k];
            if (CFG::implementation == softmax_argmax)
                argmax_slice<data_T, res_T, CFG>(a, b);
            else
                softmax_slice<data_T, res_T, CFG>(a, b, exp_table, inv_table);
            for (unsigned j = 0; j < CFG::n_slice; j++) y[(i * CFG::n_slice + j) * CFG::n_inner + k] = b[j];
        }
    }
}

} // namespace hlsemu

#endif
`;

/** `hlsemu_int.h` with the headers it includes. */
export const INT_HEADER: CppHeader = { file: 'hlsemu_int.h', text: INT_H, needs: [COMMON_HEADER] };

/** `hlsemu_activation_ext.h` with the headers it includes. */
export const ACTIVATION_EXT_HEADER: CppHeader = { file: 'hlsemu_activation_ext.h', text: ACTIVATION_EXT_H, needs: [COMMON_HEADER, ACTIVATION_HEADER, INT_HEADER, SOFTMAX_HEADER] };
