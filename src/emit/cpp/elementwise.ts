/**
 * C++ sources of the element-wise kernels: `hlsemu_batchnorm.h` (scale · x + bias) and
 * `hlsemu_activation.h` (linear, relu, leaky_relu, sigmoid / tanh lookup tables), each with an
 * io_parallel and an io_stream form.
 */

/** `firmware/hlsemu/hlsemu_batchnorm.h`. */
import type { CppHeader } from '../layers.js';
import { COMMON_HEADER } from './common.js';
import { PRODUCT_HEADER } from './dense.js';

export const BATCHNORM_H = String.raw`// hlsemu_batchnorm.h -- batch normalization. Written by hlsemu for this project.
// y = (res_T)(product(x, scale[k]) + bias[k]): product and sum at full precision, one conversion
// (scale and bias stored as raw mantissas; product(x, s) is x * s unless the config struct names
// another product_kind, e.g. power-of-two scales).
// k = element index (n_filt == -1) or index % n_filt (per channel; io_stream: position in the word).
#ifndef HLSEMU_BATCHNORM_H_
#define HLSEMU_BATCHNORM_H_

#include "hlsemu_common.h"
#include "hlsemu_product.h"

namespace hlsemu {

template <class data_T, class res_T, class CFG, class SR, class BR>
void batchnorm(const data_T x[CFG::n_in], res_T y[CFG::n_in], const SR s[CFG::n_scale_bias], const BR b[CFG::n_scale_bias]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
BatchNormLoop:
    for (unsigned i = 0; i < CFG::n_in; i++) {
#pragma HLS UNROLL
        const unsigned k = CFG::n_filt == -1 ? i : i % CFG::n_filt;
        y[i] = product<CFG>(x[i], s[k]) + from_raw<typename CFG::bias_t>(b[k]);
    }
}

template <class in_T, class out_T, class CFG, class SR, class BR>
void batchnorm(hls::stream<in_T> &in, hls::stream<out_T> &out, const SR s[CFG::n_scale_bias], const BR b[CFG::n_scale_bias]) {
BatchNormWords:
    for (unsigned w = 0; w < CFG::n_in / in_T::size; w++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
        const in_T a = in.read();
        out_T o;
        for (unsigned e = 0; e < in_T::size; e++) {
#pragma HLS UNROLL
            const unsigned k = CFG::n_filt == -1 ? w * in_T::size + e : e % CFG::n_filt;
            o[e] = product<CFG>(a[e], s[k]) + from_raw<typename CFG::bias_t>(b[k]);
        }
        out.write(o);
    }
}

// BatchNormalization merged with a binary / ternary tanh: thresholds are raw mantissas of the
// input type; binary y = x >= t ? 1 : 0, ternary y = x > hi ? 1 : (x <= lo ? -1 : 0).
template <class data_T, class res_T, class CFG, class TR>
void normalize_binary_tanh(const data_T x[CFG::n_in], res_T y[CFG::n_in], const TR t[CFG::n_scale_bias]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    for (unsigned i = 0; i < CFG::n_in; i++) {
#pragma HLS UNROLL
        const unsigned k = CFG::n_filt == -1 ? i : i % CFG::n_filt;
        y[i] = x[i] >= from_raw<data_T>(t[k]) ? res_T(1) : res_T(0);
    }
}
template <class in_T, class out_T, class CFG, class TR>
void normalize_binary_tanh(hls::stream<in_T> &in, hls::stream<out_T> &out, const TR t[CFG::n_scale_bias]) {
    for (unsigned w = 0; w < CFG::n_in / in_T::size; w++) {
#pragma HLS PIPELINE
        const in_T a = in.read();
        out_T o;
        for (unsigned e = 0; e < in_T::size; e++) {
#pragma HLS UNROLL
            const unsigned k = CFG::n_filt == -1 ? w * in_T::size + e : e % CFG::n_filt;
            o[e] = a[e] >= from_raw<typename in_T::value_type>(t[k]) ? typename out_T::value_type(1) : typename out_T::value_type(0);
        }
        out.write(o);
    }
}
template <class data_T, class res_T, class CFG, class TR>
void normalize_ternary_tanh(const data_T x[CFG::n_in], res_T y[CFG::n_in], const TR hi[CFG::n_scale_bias], const TR lo[CFG::n_scale_bias]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    for (unsigned i = 0; i < CFG::n_in; i++) {
#pragma HLS UNROLL
        const unsigned k = CFG::n_filt == -1 ? i : i % CFG::n_filt;
        if (x[i] > from_raw<data_T>(hi[k]))
            y[i] = 1;
        else if (x[i] <= from_raw<data_T>(lo[k]))
            y[i] = -1;
        else
            y[i] = 0;
    }
}
template <class in_T, class out_T, class CFG, class TR>
void normalize_ternary_tanh(hls::stream<in_T> &in, hls::stream<out_T> &out, const TR hi[CFG::n_scale_bias], const TR lo[CFG::n_scale_bias]) {
    typedef typename in_T::value_type data_T;
    for (unsigned w = 0; w < CFG::n_in / in_T::size; w++) {
#pragma HLS PIPELINE
        const in_T a = in.read();
        out_T o;
        for (unsigned e = 0; e < in_T::size; e++) {
#pragma HLS UNROLL
            const unsigned k = CFG::n_filt == -1 ? w * in_T::size + e : e % CFG::n_filt;
            if (a[e] > from_raw<data_T>(hi[k]))
                o[e] = 1;
            else if (a[e] <= from_raw<data_T>(lo[k]))
                o[e] = -1;
            else
                o[e] = 0;
        }
        out.write(o);
    }
}

} // namespace hlsemu

#endif
`;

/** `firmware/hlsemu/hlsemu_activation.h`. */
export const ACTIVATION_H = String.raw`// hlsemu_activation.h -- element-wise activations. Written by hlsemu for this project.
// linear      y = (res_T)x
// relu        y = x > 0 ? (res_T)x : 0
// leaky_relu  y = x > 0 ? (res_T)x : (res_T)(alpha * x)   (alpha in param_t, product at full precision)
// sigmoid     y = (res_T)table[clamp(trunc(x * N / 16) + 8 N / 16)]   (table over [-8, 8))
// tanh        y = (res_T)table[clamp(trunc(x * N / 8) + 4 N / 8)]     (table over [-4, 4))
#ifndef HLSEMU_ACTIVATION_H_
#define HLSEMU_ACTIVATION_H_

#include "hlsemu_common.h"

namespace hlsemu {

// ---- one element ----
template <class res_T> struct linear_fn {
    template <class D> res_T operator()(const D &x) const { return (res_T)x; }
};

template <class res_T> struct relu_fn {
    template <class D> res_T operator()(const D &x) const {
        if (x > 0) return (res_T)x;
        return res_T(0);
    }
};

template <class res_T, class P> struct leaky_relu_fn {
    P alpha;
    template <class D> res_T operator()(const D &x) const {
        if (x > 0) return (res_T)x;
        return (res_T)(alpha * x);
    }
};

// Table lookup over [-2^(RANGE_LOG2 - 1), 2^(RANGE_LOG2 - 1)): sigmoid RANGE_LOG2 = 4, tanh 3.
template <class res_T, class table_T, unsigned N, unsigned RANGE_LOG2, class TR> struct table_fn {
    const TR *table; // raw mantissas of table_T
    template <class D> res_T operator()(const D &x) const {
        int index = index_trunc<RANGE_LOG2>(x, N) + (int)(((1u << (RANGE_LOG2 - 1)) * N) >> RANGE_LOG2);
        if (index < 0) index = 0;
        if (index > (int)N - 1) index = (int)N - 1;
        return (res_T)from_raw<table_T>(table[index]);
    }
};

// ---- drivers ----
template <class data_T, class res_T, class CFG, class Fn> void map(const data_T x[CFG::n_in], res_T y[CFG::n_in], const Fn &fn) {
#pragma HLS INLINE
MapElements:
    for (unsigned i = 0; i < CFG::n_in; i++) {
#pragma HLS UNROLL
        y[i] = fn(x[i]);
    }
}

template <class in_T, class out_T, class CFG, class Fn> void map(hls::stream<in_T> &in, hls::stream<out_T> &out, const Fn &fn) {
#pragma HLS INLINE
MapWords:
    for (unsigned w = 0; w < CFG::n_in / in_T::size; w++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
        const in_T a = in.read();
        out_T o;
        for (unsigned e = 0; e < in_T::size; e++) {
#pragma HLS UNROLL
            o[e] = fn(a[e]);
        }
        out.write(o);
    }
}

// ---- kernels (io_parallel arrays / io_stream streams) ----
template <class data_T, class res_T, class CFG> void linear(const data_T x[CFG::n_in], res_T y[CFG::n_in]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    map<data_T, res_T, CFG>(x, y, linear_fn<res_T>());
}
template <class in_T, class out_T, class CFG> void linear(hls::stream<in_T> &in, hls::stream<out_T> &out) {
    map<in_T, out_T, CFG>(in, out, linear_fn<typename out_T::value_type>());
}

template <class data_T, class res_T, class CFG> void relu(const data_T x[CFG::n_in], res_T y[CFG::n_in]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    map<data_T, res_T, CFG>(x, y, relu_fn<res_T>());
}
template <class in_T, class out_T, class CFG> void relu(hls::stream<in_T> &in, hls::stream<out_T> &out) {
    map<in_T, out_T, CFG>(in, out, relu_fn<typename out_T::value_type>());
}

template <class data_T, class res_T, class CFG>
void leaky_relu(const data_T x[CFG::n_in], res_T y[CFG::n_in], const typename CFG::param_t alpha) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    leaky_relu_fn<res_T, typename CFG::param_t> fn;
    fn.alpha = alpha;
    map<data_T, res_T, CFG>(x, y, fn);
}
template <class in_T, class out_T, class CFG>
void leaky_relu(hls::stream<in_T> &in, hls::stream<out_T> &out, const typename CFG::param_t alpha) {
    leaky_relu_fn<typename out_T::value_type, typename CFG::param_t> fn;
    fn.alpha = alpha;
    map<in_T, out_T, CFG>(in, out, fn);
}

template <class data_T, class res_T, class CFG, class TR>
void sigmoid(const data_T x[CFG::n_in], res_T y[CFG::n_in], const TR table[CFG::table_size]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    table_fn<res_T, typename CFG::table_t, CFG::table_size, 4, TR> fn;
    fn.table = table;
    map<data_T, res_T, CFG>(x, y, fn);
}
template <class in_T, class out_T, class CFG, class TR>
void sigmoid(hls::stream<in_T> &in, hls::stream<out_T> &out, const TR table[CFG::table_size]) {
    table_fn<typename out_T::value_type, typename CFG::table_t, CFG::table_size, 4, TR> fn;
    fn.table = table;
    map<in_T, out_T, CFG>(in, out, fn);
}

template <class data_T, class res_T, class CFG, class TR>
void tanh(const data_T x[CFG::n_in], res_T y[CFG::n_in], const TR table[CFG::table_size]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    table_fn<res_T, typename CFG::table_t, CFG::table_size, 3, TR> fn;
    fn.table = table;
    map<data_T, res_T, CFG>(x, y, fn);
}
template <class in_T, class out_T, class CFG, class TR>
void tanh(hls::stream<in_T> &in, hls::stream<out_T> &out, const TR table[CFG::table_size]) {
    table_fn<typename out_T::value_type, typename CFG::table_t, CFG::table_size, 3, TR> fn;
    fn.table = table;
    map<in_T, out_T, CFG>(in, out, fn);
}

} // namespace hlsemu

#endif
`;

/** `hlsemu_batchnorm.h` with the headers it includes. */
export const BATCHNORM_HEADER: CppHeader = { file: 'hlsemu_batchnorm.h', text: BATCHNORM_H, needs: [COMMON_HEADER, PRODUCT_HEADER] };

/** `hlsemu_activation.h` with the headers it includes. */
export const ACTIVATION_HEADER: CppHeader = { file: 'hlsemu_activation.h', text: ACTIVATION_H, needs: [COMMON_HEADER] };
