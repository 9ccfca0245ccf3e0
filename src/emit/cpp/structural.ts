/**
 * C++ sources of the data-movement kernels: `hlsemu_padding.h` (zero padding), `hlsemu_merge.h`
 * (add, concatenate) and `hlsemu_stream.h` (copy / repack for Reshape and Flatten, stream clone).
 */

/** `firmware/hlsemu/hlsemu_padding.h`. */
import type { CppHeader } from '../layers.js';
import { COMMON_HEADER } from './common.js';

export const PADDING_H = String.raw`// hlsemu_padding.h -- zero padding (ZeroPadding1D = 2D with height 1). Written by hlsemu for this project.
// Padded positions are 0, the others (res_T)x.
#ifndef HLSEMU_PADDING_H_
#define HLSEMU_PADDING_H_

#include "hlsemu_common.h"

namespace hlsemu {

template <class data_T, class res_T, class CFG>
void zeropad(const data_T x[CFG::in_height * CFG::in_width * CFG::n_chan], res_T y[CFG::out_height * CFG::out_width * CFG::n_chan]) {
#pragma HLS PIPELINE
PadRows:
    for (unsigned oh = 0; oh < CFG::out_height; oh++) {
    PadCols:
        for (unsigned ow = 0; ow < CFG::out_width; ow++) {
            const bool inside = oh >= CFG::pad_top && oh < CFG::pad_top + CFG::in_height && ow >= CFG::pad_left &&
                                ow < CFG::pad_left + CFG::in_width;
            for (unsigned c = 0; c < CFG::n_chan; c++) {
                const unsigned o = (oh * CFG::out_width + ow) * CFG::n_chan + c;
                if (inside)
                    y[o] = (res_T)x[((oh - CFG::pad_top) * CFG::in_width + (ow - CFG::pad_left)) * CFG::n_chan + c];
                else
                    y[o] = res_T(0);
            }
        }
    }
}

template <class in_T, class out_T, class CFG> void zeropad(hls::stream<in_T> &in, hls::stream<out_T> &out) {
PadStreamRows:
    for (unsigned oh = 0; oh < CFG::out_height; oh++) {
    PadStreamCols:
        for (unsigned ow = 0; ow < CFG::out_width; ow++) {
#pragma HLS PIPELINE
            const bool inside = oh >= CFG::pad_top && oh < CFG::pad_top + CFG::in_height && ow >= CFG::pad_left &&
                                ow < CFG::pad_left + CFG::in_width;
            out_T o;
            if (inside) {
                const in_T a = in.read();
                for (unsigned c = 0; c < CFG::n_chan; c++) {
#pragma HLS UNROLL
                    o[c] = (typename out_T::value_type)a[c];
                }
            } else {
                for (unsigned c = 0; c < CFG::n_chan; c++) {
#pragma HLS UNROLL
                    o[c] = 0;
                }
            }
            out.write(o);
        }
    }
}

} // namespace hlsemu

#endif
`;

/** `firmware/hlsemu/hlsemu_merge.h`. */
export const MERGE_H = String.raw`// hlsemu_merge.h -- two-input merges. Written by hlsemu for this project.
// merge        y[i] = (res_T)op(a[i % n_elem1], b[i % n_elem2]) with op = add, subtract, multiply,
//              average ((a + b) / 2) at full precision, one conversion; maximum / minimum convert the
//              chosen input.
// concatenate  per outer index, the n_inner1 values of a then the n_inner2 values of b, each
//              converted to res_T.
#ifndef HLSEMU_MERGE_H_
#define HLSEMU_MERGE_H_

#include "hlsemu_common.h"

namespace hlsemu {

enum { merge_add = 0, merge_subtract = 1, merge_multiply = 2, merge_average = 3, merge_maximum = 4, merge_minimum = 5 };

template <unsigned OP, class res_T, class A, class B> res_T merge_one(const A &a, const B &b) {
#pragma HLS INLINE
    if (OP == merge_subtract) return (res_T)(a - b);
    if (OP == merge_multiply) return (res_T)(a * b);
    if (OP == merge_average) return (res_T)((a + b) * ap_ufixed<1, 0>(0.5));
    if (OP == merge_maximum) return a > b ? (res_T)a : (res_T)b;
    if (OP == merge_minimum) return a < b ? (res_T)a : (res_T)b;
    return (res_T)(a + b);
}

template <class a_T, class b_T, class res_T, class CFG>
void merge(const a_T a[CFG::n_elem1], const b_T b[CFG::n_elem2], res_T y[CFG::n_elem]) {
#pragma HLS PIPELINE
MergeLoop:
    for (unsigned i = 0; i < CFG::n_elem; i++) {
#pragma HLS UNROLL
        y[i] = merge_one<CFG::op, res_T>(a[i % CFG::n_elem1], b[i % CFG::n_elem2]);
    }
}

// io_stream: equal shapes, one word of each input per output word.
template <class a_T, class b_T, class out_T, class CFG> void merge(hls::stream<a_T> &a, hls::stream<b_T> &b, hls::stream<out_T> &out) {
MergeWords:
    for (unsigned w = 0; w < CFG::n_elem / out_T::size; w++) {
#pragma HLS PIPELINE
        const a_T x = a.read();
        const b_T z = b.read();
        out_T o;
        for (unsigned e = 0; e < out_T::size; e++) {
#pragma HLS UNROLL
            o[e] = merge_one<CFG::op, typename out_T::value_type>(x[e], z[e]);
        }
        out.write(o);
    }
}

template <class a_T, class b_T, class res_T, class CFG>
void concatenate(const a_T a[CFG::n_outer * CFG::n_inner1], const b_T b[CFG::n_outer * CFG::n_inner2],
                 res_T y[CFG::n_outer * (CFG::n_inner1 + CFG::n_inner2)]) {
#pragma HLS PIPELINE
ConcatOuter:
    for (unsigned o = 0; o < CFG::n_outer; o++) {
        const unsigned base = o * (CFG::n_inner1 + CFG::n_inner2);
        for (unsigned i = 0; i < CFG::n_inner1; i++) y[base + i] = (res_T)a[o * CFG::n_inner1 + i];
        for (unsigned i = 0; i < CFG::n_inner2; i++) y[base + CFG::n_inner1 + i] = (res_T)b[o * CFG::n_inner2 + i];
    }
}

// io_stream: one word of each input per output word (the last axis is the word).
template <class a_T, class b_T, class out_T, class CFG>
void concatenate(hls::stream<a_T> &a, hls::stream<b_T> &b, hls::stream<out_T> &out) {
ConcatWords:
    for (unsigned w = 0; w < CFG::n_outer; w++) {
#pragma HLS PIPELINE
        const a_T x = a.read();
        const b_T z = b.read();
        out_T o;
        for (unsigned i = 0; i < a_T::size; i++) {
#pragma HLS UNROLL
            o[i] = (typename out_T::value_type)x[i];
        }
        for (unsigned i = 0; i < b_T::size; i++) {
#pragma HLS UNROLL
            o[a_T::size + i] = (typename out_T::value_type)z[i];
        }
        out.write(o);
    }
}

} // namespace hlsemu

#endif
`;

/** `firmware/hlsemu/hlsemu_stream.h`. */
export const STREAM_H = String.raw`// hlsemu_stream.h -- data movement: copy / repack (Reshape, Flatten) and stream cloning.
// Written by hlsemu for this project. Element order is unchanged (channels-last, row-major);
// each element is converted to the output type.
#ifndef HLSEMU_STREAM_H_
#define HLSEMU_STREAM_H_

#include "hlsemu_common.h"

namespace hlsemu {

template <class data_T, class res_T, unsigned N> void copy(const data_T x[N], res_T y[N]) {
#pragma HLS PIPELINE
CopyLoop:
    for (unsigned i = 0; i < N; i++) {
#pragma HLS UNROLL
        y[i] = (res_T)x[i];
    }
}

// Regroups N elements from words of in_T::size into words of out_T::size.
template <class in_T, class out_T, unsigned N> void repack(hls::stream<in_T> &in, hls::stream<out_T> &out) {
    typename out_T::value_type buf[N];
#pragma HLS ARRAY_PARTITION variable = buf complete
RepackRead:
    for (unsigned w = 0; w < N / in_T::size; w++) {
#pragma HLS PIPELINE
        const in_T a = in.read();
        for (unsigned e = 0; e < in_T::size; e++) {
#pragma HLS UNROLL
            buf[w * in_T::size + e] = (typename out_T::value_type)a[e];
        }
    }
RepackWrite:
    for (unsigned w = 0; w < N / out_T::size; w++) {
#pragma HLS PIPELINE
        out_T o;
        for (unsigned e = 0; e < out_T::size; e++) {
#pragma HLS UNROLL
            o[e] = buf[w * out_T::size + e];
        }
        out.write(o);
    }
}

// Copies a stream of WORDS words into two streams (a tensor read by two layers).
template <class W_T, unsigned WORDS> void clone(hls::stream<W_T> &in, hls::stream<W_T> &out1, hls::stream<W_T> &out2) {
CloneWords:
    for (unsigned w = 0; w < WORDS; w++) {
#pragma HLS PIPELINE
        const W_T a = in.read();
        out1.write(a);
        out2.write(a);
    }
}

} // namespace hlsemu

#endif
`;

/** `hlsemu_padding.h` with the headers it includes. */
export const PADDING_HEADER: CppHeader = { file: 'hlsemu_padding.h', text: PADDING_H, needs: [COMMON_HEADER] };

/** `hlsemu_merge.h` with the headers it includes. */
export const MERGE_HEADER: CppHeader = { file: 'hlsemu_merge.h', text: MERGE_H, needs: [COMMON_HEADER] };

/** `hlsemu_stream.h` with the headers it includes. */
export const STREAM_HEADER: CppHeader = { file: 'hlsemu_stream.h', text: STREAM_H, needs: [COMMON_HEADER] };
