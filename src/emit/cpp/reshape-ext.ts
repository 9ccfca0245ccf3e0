/**
 * C++ sources of the kernels added with the Extension-3 families, part 2:
 * `hlsemu_merge_ext.h` (dot1d; io_stream concatenation along any axis),
 * `hlsemu_reshape.h` (nearest-neighbour resize, cropping, channels-first zero padding, transpose)
 * and `hlsemu_embed.h` (embedding), each with an io_parallel and an io_stream form where hls4ml
 * has one.
 */

import type { CppHeader } from '../layers.js';
import { COMMON_HEADER } from './common.js';
import { INT_HEADER } from './activation-ext.js';
import { MERGE_HEADER } from './structural.js';
import { PRODUCT_HEADER } from './dense.js';

/** `firmware/hlsemu/hlsemu_merge_ext.h`. */
export const MERGE_EXT_H = String.raw`// hlsemu_merge_ext.h -- dot product and stream concatenation. Written by hlsemu for this project.
// dot1d        acc = 0; acc = (accum_t)(acc + (accum_t)(a[i] * b[i])) for i = 0 .. n_in - 1; y[0] = (res_T)acc
//              (CFG::product == product_weight_ternary: the product is 0, -a or a for b = 0, -1, other;
//              product_weight_binary: -a or a for b = 0, other)
// concatenate_stream  per outer index: n_words1 words of a then n_words2 words of b, each element
//              converted to res_T (an earlier axis), or one word = a's word followed by b's word
//              (the last axis, CFG::last_axis).
// merge_broadcast  io_stream merge of an (H, W, C) input with a (1, 1, C) (bcast_pixels = 0) or an
//              (H, W, 1) input (bcast_pixels = 1), input CFG::bcast_input: its elements are converted to
//              CFG::bcast_t (hls4ml's broadcast layer), then y = merge_one<op>(a, b) per element.
#ifndef HLSEMU_MERGE_EXT_H_
#define HLSEMU_MERGE_EXT_H_

#include "hlsemu_common.h"
#include "hlsemu_int.h"
#include "hlsemu_merge.h"
#include "hlsemu_product.h"

namespace hlsemu {

template <class a_T, class b_T, class res_T, class CFG> void dot1d(const a_T a[CFG::n_in], const b_T b[CFG::n_in], res_T y[1]) {
#pragma HLS PIPELINE II = CFG::reuse_factor
    typedef typename CFG::accum_t acc_t;
    acc_t acc = 0;
DotLoop:
    for (unsigned i = 0; i < CFG::n_in; i++) {
        acc_t m;
        if (CFG::product == product_weight_binary) {
            if (b[i] == 0)
                m = -a[i];
            else
                m = a[i];
        } else if (CFG::product == product_weight_ternary) {
            if (b[i] == 0)
                m = 0;
            else if (b[i] == -1)
                m = -a[i];
            else
                m = a[i];
        } else {
            m = a[i] * b[i];
        }
        acc += m;
    }
    y[0] = (res_T)acc;
}

template <class a_T, class b_T, class out_T, class CFG>
void concatenate_stream(hls::stream<a_T> &a, hls::stream<b_T> &b, hls::stream<out_T> &out) {
    typedef typename out_T::value_type res_T;
ConcatOuter:
    for (unsigned o = 0; o < CFG::n_outer; o++) {
        if (CFG::last_axis) {
#pragma HLS PIPELINE
            const a_T x = a.read();
            const b_T z = b.read();
            out_T w;
            for (unsigned i = 0; i < a_T::size; i++) w[i] = (res_T)x[i];
            for (unsigned i = 0; i < b_T::size; i++) w[a_T::size + i] = (res_T)z[i];
            out.write(w);
        } else {
            for (unsigned k = 0; k < CFG::n_words1; k++) {
#pragma HLS PIPELINE
                const a_T x = a.read();
                out_T w;
                for (unsigned i = 0; i < out_T::size; i++) w[i] = (res_T)x[i];
                out.write(w);
            }
            for (unsigned k = 0; k < CFG::n_words2; k++) {
#pragma HLS PIPELINE
                const b_T z = b.read();
                out_T w;
                for (unsigned i = 0; i < out_T::size; i++) w[i] = (res_T)z[i];
                out.write(w);
            }
        }
    }
}

template <class a_T, class b_T, class out_T, class CFG>
void merge_broadcast(hls::stream<a_T> &a, hls::stream<b_T> &b, hls::stream<out_T> &out) {
    typedef typename out_T::value_type res_T;
    typedef typename CFG::bcast_t B;
    B keep[out_T::size];
    if (CFG::bcast_pixels == 0) {
        if (CFG::bcast_input == 1) {
            const a_T x = a.read();
            for (unsigned e = 0; e < out_T::size; e++) keep[e] = x[e];
        } else {
            const b_T z = b.read();
            for (unsigned e = 0; e < out_T::size; e++) keep[e] = z[e];
        }
    }
MergeBroadcastPixels:
    for (unsigned p = 0; p < CFG::n_pixels; p++) {
#pragma HLS PIPELINE
        out_T o;
        if (CFG::bcast_input == 1) {
            if (CFG::bcast_pixels == 1) {
                const a_T x = a.read();
                const B v = x[0];
                for (unsigned e = 0; e < out_T::size; e++) keep[e] = v;
            }
            const b_T z = b.read();
            for (unsigned e = 0; e < out_T::size; e++) o[e] = merge_one<CFG::op, res_T>(keep[e], z[e]);
        } else {
            const a_T x = a.read();
            if (CFG::bcast_pixels == 1) {
                const b_T z = b.read();
                const B v = z[0];
                for (unsigned e = 0; e < out_T::size; e++) keep[e] = v;
            }
            for (unsigned e = 0; e < out_T::size; e++) o[e] = merge_one<CFG::op, res_T>(x[e], keep[e]);
        }
        out.write(o);
    }
}

} // namespace hlsemu

#endif
`;

/** `firmware/hlsemu/hlsemu_reshape.h`. */
export const RESHAPE_H = String.raw`// hlsemu_reshape.h -- data movement with a geometry. Written by hlsemu for this project.
// resize_nearest  io_parallel: out (i, j) = in (r, c), r = (i ((H << 16) / OH + 1)) >> 16 (same for c), 32-bit
//                 io_stream: integer ratios, r = i / (OH / H); a copy (output type = input type)
// crop            the window from (crop_top, crop_left), each element (res_T)x; channels-last or -first
// zeropad_cf      channels-first zero padding (the output is the input type)
// transpose       out[i] = (res_T)in[sum_d unravel(i, to_shape)[d] * perm_strides[d]]
#ifndef HLSEMU_RESHAPE_H_
#define HLSEMU_RESHAPE_H_

#include "hlsemu_common.h"
#include "hlsemu_int.h"

namespace hlsemu {

// The source row of output row i for a resize from n to m rows (io_parallel).
inline unsigned resize_source(unsigned n, unsigned m, unsigned i) {
#pragma HLS INLINE
    const int ratio = (int)((n << 16) / m) + 1;
    return (unsigned)(((int)i * ratio) >> 16);
}

template <class data_T, class CFG>
void resize_nearest(const data_T x[CFG::height * CFG::width * CFG::n_chan], data_T y[CFG::new_height * CFG::new_width * CFG::n_chan]) {
#pragma HLS PIPELINE
ResizeRows:
    for (unsigned i = 0; i < CFG::new_height; i++) {
        const unsigned r = resize_source(CFG::height, CFG::new_height, i);
    ResizeCols:
        for (unsigned j = 0; j < CFG::new_width; j++) {
            const unsigned c = resize_source(CFG::width, CFG::new_width, j);
            for (unsigned k = 0; k < CFG::n_chan; k++) y[(i * CFG::new_width + j) * CFG::n_chan + k] = x[(r * CFG::width + c) * CFG::n_chan + k];
        }
    }
}

// io_stream: one word per pixel; every input row is buffered and repeated.
template <class W_T, class CFG> void resize_nearest(hls::stream<W_T> &in, hls::stream<W_T> &out) {
    const unsigned rh = CFG::new_height / CFG::height;
    const unsigned rw = CFG::new_width / CFG::width;
    W_T row[CFG::width];
ResizeStreamRows:
    for (unsigned h = 0; h < CFG::height; h++) {
        for (unsigned w = 0; w < CFG::width; w++) {
#pragma HLS PIPELINE
            row[w] = in.read();
        }
        for (unsigned i = 0; i < rh; i++) {
            for (unsigned w = 0; w < CFG::width; w++) {
                for (unsigned j = 0; j < rw; j++) {
#pragma HLS PIPELINE
                    out.write(row[w]);
                }
            }
        }
    }
}

// Cropping (Cropping1D: in_height = out_height = 1, crop_top = 0).
template <class data_T, class res_T, class CFG>
void crop(const data_T x[CFG::in_height * CFG::in_width * CFG::n_chan], res_T y[/* out_height * out_width * n_chan (may be 0) */]) {
#pragma HLS PIPELINE
CropRows:
    for (unsigned i = 0; i < CFG::out_height; i++) {
        for (unsigned j = 0; j < CFG::out_width; j++) {
            for (unsigned k = 0; k < CFG::n_chan; k++) {
                const unsigned o = CFG::channels_first ? (k * CFG::out_height + i) * CFG::out_width + j : (i * CFG::out_width + j) * CFG::n_chan + k;
                const unsigned s = CFG::channels_first ? (k * CFG::in_height + i + CFG::crop_top) * CFG::in_width + j + CFG::crop_left
                                                       : ((i + CFG::crop_top) * CFG::in_width + j + CFG::crop_left) * CFG::n_chan + k;
                y[o] = (res_T)x[s];
            }
        }
    }
}

template <class in_T, class out_T, class CFG> void crop(hls::stream<in_T> &in, hls::stream<out_T> &out) {
CropStreamRows:
    for (unsigned h = 0; h < CFG::in_height; h++) {
        for (unsigned w = 0; w < CFG::in_width; w++) {
#pragma HLS PIPELINE
            const in_T a = in.read();
            const bool keep = h >= CFG::crop_top && h < CFG::crop_top + CFG::out_height && w >= CFG::crop_left && w < CFG::crop_left + CFG::out_width;
            if (keep) {
                out_T o;
                for (unsigned c = 0; c < CFG::n_chan; c++) o[c] = (typename out_T::value_type)a[c];
                out.write(o);
            }
        }
    }
}

// Channels-first zero padding ((C, H, W); ZeroPadding1D: in_height = out_height = 1).
template <class data_T, class CFG>
void zeropad_cf(const data_T x[CFG::n_chan * CFG::in_height * CFG::in_width], data_T y[CFG::n_chan * CFG::out_height * CFG::out_width]) {
#pragma HLS PIPELINE
PadCfChannels:
    for (unsigned k = 0; k < CFG::n_chan; k++) {
        for (unsigned i = 0; i < CFG::out_height; i++) {
            for (unsigned j = 0; j < CFG::out_width; j++) {
                const bool inside = i >= CFG::pad_top && i < CFG::pad_top + CFG::in_height && j >= CFG::pad_left && j < CFG::pad_left + CFG::in_width;
                y[(k * CFG::out_height + i) * CFG::out_width + j] =
                    inside ? x[(k * CFG::in_height + i - CFG::pad_top) * CFG::in_width + j - CFG::pad_left] : data_T(0);
            }
        }
    }
}

// Transpose: CFG::to_shape[dims] (output shape) and CFG::perm_strides[dims] (input stride of each output axis).
template <class CFG> unsigned transpose_source(unsigned i) {
#pragma HLS INLINE
    unsigned idx = 0;
    for (int d = (int)CFG::dims - 1; d >= 0; d--) {
        idx += (i % CFG::to_shape[d]) * CFG::perm_strides[d];
        i /= CFG::to_shape[d];
    }
    return idx;
}

template <class data_T, class res_T, class CFG> void transpose(const data_T x[CFG::N], res_T y[CFG::N]) {
#pragma HLS PIPELINE
TransposeLoop:
    for (unsigned i = 0; i < CFG::N; i++) y[i] = (res_T)x[transpose_source<CFG>(i)];
}

template <class in_T, class out_T, class CFG> void transpose(hls::stream<in_T> &in, hls::stream<out_T> &out) {
    typename in_T::value_type buf[CFG::N];
TransposeRead:
    for (unsigned w = 0; w < CFG::N / in_T::size; w++) {
#pragma HLS PIPELINE
        const in_T a = in.read();
        for (unsigned e = 0; e < in_T::size; e++) buf[w * in_T::size + e] = a[e];
    }
TransposeWrite:
    for (unsigned w = 0; w < CFG::N / out_T::size; w++) {
#pragma HLS PIPELINE
        out_T o;
        for (unsigned e = 0; e < out_T::size; e++) o[e] = (typename out_T::value_type)buf[transpose_source<CFG>(w * out_T::size + e)];
        out.write(o);
    }
}

} // namespace hlsemu

#endif
`;

/** `firmware/hlsemu/hlsemu_embed.h`. */
export const EMBED_H = String.raw`// hlsemu_embed.h -- embedding lookup. Written by hlsemu for this project.
// y[j n_out + i] = (res_T)embeddings[int(x[j] n_out + i)]: the index is computed exactly and
// truncated toward zero; embeddings (vocab_size x n_out, row-major) are raw mantissas of
// CFG::embeddings_t. io_stream: one word of n_in indices in, n_in words of n_out values out.
#ifndef HLSEMU_EMBED_H_
#define HLSEMU_EMBED_H_

#include "hlsemu_common.h"
#include "hlsemu_int.h"

namespace hlsemu {

template <class D, class CFG> int embed_index(const D &x, unsigned i) {
#pragma HLS INLINE
    const ap_fixed<fixed_traits<D>::width + 34, fixed_traits<D>::iwidth + 33> v = x * ap_uint<32>(CFG::n_out) + ap_uint<32>(i);
    return v.to_int();
}

template <class data_T, class res_T, class CFG, class ER>
void embedding(const data_T x[CFG::n_in], res_T y[CFG::n_in * CFG::n_out], const ER emb[CFG::vocab_size * CFG::n_out]) {
EmbedInputs:
    for (unsigned j = 0; j < CFG::n_in; j++) {
        for (unsigned i = 0; i < CFG::n_out; i++) {
#pragma HLS PIPELINE
            y[j * CFG::n_out + i] = (res_T)from_raw<typename CFG::embeddings_t>(emb[embed_index<data_T, CFG>(x[j], i)]);
        }
    }
}

template <class in_T, class out_T, class CFG, class ER>
void embedding(hls::stream<in_T> &in, hls::stream<out_T> &out, const ER emb[CFG::vocab_size * CFG::n_out]) {
    const in_T a = in.read();
EmbedStreamInputs:
    for (unsigned j = 0; j < in_T::size; j++) {
#pragma HLS PIPELINE
        out_T o;
        for (unsigned i = 0; i < CFG::n_out; i++)
            o[i] = (typename out_T::value_type)from_raw<typename CFG::embeddings_t>(emb[embed_index<typename in_T::value_type, CFG>(a[j], i)]);
        out.write(o);
    }
}

} // namespace hlsemu

#endif
`;

/** `hlsemu_merge_ext.h` with the headers it includes. */
export const MERGE_EXT_HEADER: CppHeader = { file: 'hlsemu_merge_ext.h', text: MERGE_EXT_H, needs: [COMMON_HEADER, INT_HEADER, MERGE_HEADER, PRODUCT_HEADER] };

/** `hlsemu_reshape.h` with the headers it includes. */
export const RESHAPE_HEADER: CppHeader = { file: 'hlsemu_reshape.h', text: RESHAPE_H, needs: [COMMON_HEADER, INT_HEADER] };

/** `hlsemu_embed.h` with the headers it includes. */
export const EMBED_HEADER: CppHeader = { file: 'hlsemu_embed.h', text: EMBED_H, needs: [COMMON_HEADER, INT_HEADER] };
