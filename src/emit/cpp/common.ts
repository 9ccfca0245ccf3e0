/**
 * C++ source of `hlsemu_common.h`: the shared part of the kernel library hlsemu writes into every
 * emitted project (stream word type, raw-mantissa access, adder/max trees, exact index arithmetic,
 * scale-index mapping of the Encoded convolution, csim-only tracing).
 */

/** `firmware/hlsemu/hlsemu_common.h`. */
import type { CppHeader } from '../layers.js';

export const COMMON_H = String.raw`// hlsemu_common.h -- shared definitions of the hlsemu HLS kernel library.
// Written by hlsemu for this project. Every kernel in firmware/hlsemu/ performs the same ap_fixed
// conversions, in the same order, as hlsemu's TypeScript emulation, so C simulation reproduces the
// emulator bit for bit (see docs/emit.md in hlsemu).
#ifndef HLSEMU_COMMON_H_
#define HLSEMU_COMMON_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_stream.h"

#ifndef __SYNTHESIS__
#include <cstdio>
#include <string>
#endif

namespace hlsemu {

// ---------------------------------------------------------------------------------------------
// Configuration constants used in the config structs of parameters.h
// ---------------------------------------------------------------------------------------------
enum { strategy_latency = 0, strategy_resource = 1 };
enum { scale_regular = 0, scale_unscaled = 1 };
enum { pool_max = 0, pool_average = 1 };
enum { softmax_latency = 0, softmax_stable = 1, softmax_legacy = 2, softmax_argmax = 3 };

// ---------------------------------------------------------------------------------------------
// Stream word: a fixed-size vector (one pixel's channels, or a whole 1-D tensor).
// ---------------------------------------------------------------------------------------------
template <class T, unsigned N> struct array {
    typedef T value_type;
    static const unsigned size = N;
    T data[N];
    T &operator[](unsigned i) { return data[i]; }
    const T &operator[](unsigned i) const { return data[i]; }
};

// ---------------------------------------------------------------------------------------------
// Compile-time integer helpers
// ---------------------------------------------------------------------------------------------
// Number of address bits of a table with N entries: ceil(log2(N)).
template <unsigned N> struct ceil_log2 { enum { value = 1 + ceil_log2<(N + 1) / 2>::value }; };
template <> struct ceil_log2<1> { enum { value = 0 }; };

// Size of the left half of a balanced reduction over N >= 2 values: the largest power of two < N.
template <unsigned N, unsigned P = 1, bool DONE = (2 * P >= N)> struct tree_split {
    enum { value = tree_split<N, 2 * P>::value };
};
template <unsigned N, unsigned P> struct tree_split<N, P, true> { enum { value = P }; };

// Balanced binary reduction: op(reduce(left part), reduce(right part)), left part = tree_split<N>.
template <unsigned N> struct tree {
    template <class T, class Op> static T reduce(const T *x, Op op) {
#pragma HLS INLINE
        return op(tree<tree_split<N>::value>::reduce(x, op), tree<N - tree_split<N>::value>::reduce(x + tree_split<N>::value, op));
    }
};
template <> struct tree<1> {
    template <class T, class Op> static T reduce(const T *x, Op) {
#pragma HLS INLINE
        return x[0];
    }
};

// Reduction operators. The result of a + b (full precision) is converted to T on return.
template <class T> struct add_op {
    T operator()(const T &a, const T &b) const { return a + b; }
};
template <class T> struct max_op {
    T operator()(const T &a, const T &b) const { return a >= b ? a : b; }
};

// ---------------------------------------------------------------------------------------------
// Raw mantissas: value = raw * 2^-(W - I)
// ---------------------------------------------------------------------------------------------
template <class T> struct fixed_traits;
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N> struct fixed_traits<ap_fixed<W, I, Q, O, N> > {
    static const int width = W;
    static const int iwidth = I;
    static const bool is_signed = true;
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N> struct fixed_traits<ap_ufixed<W, I, Q, O, N> > {
    static const int width = W;
    static const int iwidth = I;
    static const bool is_signed = false;
};

// A signed integer type that holds any raw mantissa of T.
template <class T> struct raw_type { typedef ap_int<fixed_traits<T>::width + 1> type; };

// The raw mantissa of x, sign-extended (signed types) or zero-extended (unsigned types).
template <class T> typename raw_type<T>::type raw_of(const T &x) {
#pragma HLS INLINE
    const int W = fixed_traits<T>::width;
    typename raw_type<T>::type r;
    if (fixed_traits<T>::is_signed) {
        ap_int<W> s;
        s.range(W - 1, 0) = x.range(W - 1, 0);
        r = s;
    } else {
        ap_uint<W> u;
        u.range(W - 1, 0) = x.range(W - 1, 0);
        r = u;
    }
    return r;
}

// The value of T whose raw mantissa (bit pattern) is r: weights, biases and tables are stored as
// raw integers and reinterpreted here, so no decimal or floating-point conversion is ever involved.
template <class T, class R> T from_raw(const R &r) {
#pragma HLS INLINE
    T x;
    x.V = r;
    return x;
}

// Set the bit pattern of x to the low W bits of raw (no rounding of any kind).
template <class T, class R> void set_raw(T &x, const R &raw) {
#pragma HLS INLINE
    const int W = fixed_traits<T>::width;
    ap_int<W> s = raw;
    x.range(W - 1, 0) = s.range(W - 1, 0);
}

// The value of T whose bit pattern is the most significant bit alone (most negative value of a
// signed type, 2^(I-1) for an unsigned type): the padding value of io_parallel max pooling.
template <class T> T msb_only() {
#pragma HLS INLINE
    const int W = fixed_traits<T>::width;
    ap_uint<W> bits = 0;
    bits[W - 1] = 1;
    T x;
    x.range(W - 1, 0) = bits.range(W - 1, 0);
    return x;
}

// The smallest value of T (most negative for signed types, 0 for unsigned types).
template <class T> T lowest() {
#pragma HLS INLINE
    if (fixed_traits<T>::is_signed) return msb_only<T>();
    return T(0);
}

// y / n with the quotient of the raw mantissas truncated toward zero (same fractional bits).
template <class T> T div_trunc(const T &y, unsigned n) {
#pragma HLS INLINE
    typename raw_type<T>::type r = raw_of(y);
    typename raw_type<T>::type q = r / (int)n;
    T out;
    set_raw(out, q);
    return out;
}

// trunc_toward_zero(x * num / 2^DEN_LOG2) as an int (low 32 bits, like a conversion to int),
// computed exactly on the raw mantissa. Used for the sigmoid / tanh / legacy softmax indices.
template <unsigned DEN_LOG2, class T> int index_trunc(const T &x, unsigned num) {
#pragma HLS INLINE
    const int W = fixed_traits<T>::width;
    const int F = fixed_traits<T>::width - fixed_traits<T>::iwidth;
    const int S = F + (int)DEN_LOG2;
    ap_int<W + 34> p = raw_of(x);
    p *= num;
    ap_int<W + 34> q;
    if (S >= 0) {
        const int s = S < W + 33 ? S : W + 33;
        if (p < 0) {
            ap_int<W + 34> m = -p;
            q = -(m >> s);
        } else {
            q = p >> s;
        }
    } else {
        q = p << (-S);
    }
    return (int)q.to_int();
}

// Table index from the top ceil_log2(N_ENTRIES) bits of x's bit pattern (read as unsigned).
template <class T, unsigned N_ENTRIES> unsigned top_bits_index(const T &x) {
#pragma HLS INLINE
    const int W = fixed_traits<T>::width;
    const int B = ceil_log2<N_ENTRIES>::value;
    ap_uint<W> bits;
    bits.range(W - 1, 0) = x.range(W - 1, 0);
    ap_uint<W> top = bits >> (W - B);
    return (unsigned)top.to_uint();
}

// Row (or column) of an Encoded instruction table used by image coordinate idx, for kernel size
// K, stride S and image size W: rows before the periodic part map to themselves, the periodic
// middle folds onto one stride, the tail maps to the end of the table, unused pixels past the
// last window to the extra row.
template <unsigned KIND, unsigned K, unsigned S, unsigned W> unsigned scale_index(unsigned idx) {
#pragma HLS INLINE
    if (KIND == scale_unscaled) return idx;
    const unsigned head = K >= S ? K - S : S - K;
    const unsigned span = ((W - K) / S) * S + K;
    const unsigned last = (K >= S ? (K + S - 1) / S - 1 : (S + K - 1) / K - 1) * S + K;
    if (idx < head) return idx;
    if (idx >= span) return last;
    const unsigned from_end = span - idx;
    if (from_end <= head) return last - from_end;
    return head + (idx - head) % S;
}

// ---------------------------------------------------------------------------------------------
// C-simulation tracing (never synthesized): the testbench opens a file, the top function
// records every layer's output into it.
// ---------------------------------------------------------------------------------------------
#ifndef __SYNTHESIS__
inline FILE *&trace_file() {
    static FILE *f = 0;
    return f;
}

// Writes sep and the raw mantissa of v in decimal.
template <class T> void print_raw(FILE *f, const T &v, const char *sep = " ") {
    if (fixed_traits<T>::width < 63) {
        fprintf(f, "%s%lld", sep, (long long)raw_of(v).to_int64());
    } else {
        std::string s = raw_of(v).to_string(10, true);
        fprintf(f, "%s%s", sep, s.c_str());
    }
}

template <class T> void trace_array(const char *name, const T *x, unsigned n) {
    FILE *f = trace_file();
    if (!f) return;
    fprintf(f, "%s", name);
    for (unsigned i = 0; i < n; i++) print_raw(f, x[i]);
    fprintf(f, "\n");
}

// Drains 'words' words from s, records them and writes them back in the same order.
template <class W_T> void trace_stream(const char *name, hls::stream<W_T> &s, unsigned words) {
    FILE *f = trace_file();
    if (!f) return;
    fprintf(f, "%s", name);
    hls::stream<W_T> keep;
    for (unsigned k = 0; k < words; k++) {
        W_T w = s.read();
        for (unsigned e = 0; e < W_T::size; e++) print_raw(f, w[e]);
        keep.write(w);
    }
    for (unsigned k = 0; k < words; k++) s.write(keep.read());
    fprintf(f, "\n");
}
#endif

} // namespace hlsemu

#if defined(HLSEMU_TRACE) && !defined(__SYNTHESIS__)
#define HLSEMU_TRACE_ARRAY(name, x, n) hlsemu::trace_array(name, x, n)
#define HLSEMU_TRACE_STREAM(name, s, words) hlsemu::trace_stream(name, s, words)
#else
#define HLSEMU_TRACE_ARRAY(name, x, n)
#define HLSEMU_TRACE_STREAM(name, s, words)
#endif

#endif
`;

/** `hlsemu_common.h` with the headers it includes. */
export const COMMON_HEADER: CppHeader = { file: 'hlsemu_common.h', text: COMMON_H, needs: [] };
