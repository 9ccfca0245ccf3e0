/**
 * C++ source of `hlsemu_pooling.h`: Max / Average pooling (1D = 2D with height 1) and global
 * pooling, io_parallel and io_stream (Encoded with the `i % pool` tables, LineBuffer).
 */

/** `firmware/hlsemu/hlsemu_pooling.h`. */
import type { CppHeader } from '../layers.js';
import { COMMON_HEADER } from './common.js';

export const POOLING_H = String.raw`// hlsemu_pooling.h -- pooling kernels. Written by hlsemu for this project.
//
// io_parallel  Max:     maximum in the input type (padding = the MSB-only bit pattern), -> accum_t -> res_T.
//              Average: acc = (accum_t)(acc + x) over the non-padding inputs, raw mantissa divided
//                       (toward zero) by their count (pool area with count_pad), -> res_T.
// io_stream    every window input -> accum_t, balanced max / sum tree in accum_t, the sum divided
//              by the pool area, -> res_T.
// global       parallel as io_parallel; stream: running max from the lowest accum_t value, or
//              running sum acc = (accum_t)(acc + (accum_t)x), divided by the pixel count.
#ifndef HLSEMU_POOLING_H_
#define HLSEMU_POOLING_H_

#include "hlsemu_common.h"

namespace hlsemu {

// ---------------------------------------------------------------------------------------------
// io_parallel
// ---------------------------------------------------------------------------------------------
template <class data_T, class res_T, class CFG>
void pool(const data_T x[CFG::in_height * CFG::in_width * CFG::n_filt], res_T y[CFG::out_height * CFG::out_width * CFG::n_filt]) {
    typedef typename CFG::accum_t acc_t;
#pragma HLS PIPELINE II = CFG::reuse_factor
PoolRows:
    for (unsigned oh = 0; oh < CFG::out_height; oh++) {
    PoolCols:
        for (unsigned ow = 0; ow < CFG::out_width; ow++) {
        PoolChans:
            for (unsigned c = 0; c < CFG::n_filt; c++) {
                acc_t a;
                if (CFG::pool_op == pool_max) {
                    data_T m = msb_only<data_T>();
                    bool first = true;
                    for (unsigned kh = 0; kh < CFG::pool_height; kh++) {
                        for (unsigned kw = 0; kw < CFG::pool_width; kw++) {
                            const int r = (int)(oh * CFG::stride_height + kh) - (int)CFG::pad_top;
                            const int q = (int)(ow * CFG::stride_width + kw) - (int)CFG::pad_left;
                            const bool inside = r >= 0 && r < (int)CFG::in_height && q >= 0 && q < (int)CFG::in_width;
                            const data_T v = inside ? x[((unsigned)r * CFG::in_width + (unsigned)q) * CFG::n_filt + c] : msb_only<data_T>();
                            if (first || v > m) m = v;
                            first = false;
                        }
                    }
                    a = m;
                } else {
                    acc_t s = 0;
                    unsigned n = 0;
                    for (unsigned kh = 0; kh < CFG::pool_height; kh++) {
                        for (unsigned kw = 0; kw < CFG::pool_width; kw++) {
                            const int r = (int)(oh * CFG::stride_height + kh) - (int)CFG::pad_top;
                            const int q = (int)(ow * CFG::stride_width + kw) - (int)CFG::pad_left;
                            if (r >= 0 && r < (int)CFG::in_height && q >= 0 && q < (int)CFG::in_width) {
                                s += x[((unsigned)r * CFG::in_width + (unsigned)q) * CFG::n_filt + c];
                                n++;
                            }
                        }
                    }
                    if (CFG::count_pad) n = CFG::pool_height * CFG::pool_width;
                    a = div_trunc(s, n);
                }
                y[(oh * CFG::out_width + ow) * CFG::n_filt + c] = (res_T)a;
            }
        }
    }
}

template <class data_T, class res_T, class CFG>
void global_pool(const data_T x[CFG::n_pixels * CFG::n_filt], res_T y[CFG::n_filt]) {
    typedef typename CFG::accum_t acc_t;
#pragma HLS PIPELINE II = CFG::reuse_factor
GlobalChans:
    for (unsigned c = 0; c < CFG::n_filt; c++) {
        acc_t a;
        if (CFG::pool_op == pool_max) {
            data_T m = x[c];
            for (unsigned p = 1; p < CFG::n_pixels; p++) {
                if (x[p * CFG::n_filt + c] > m) m = x[p * CFG::n_filt + c];
            }
            a = m;
        } else {
            acc_t s = 0;
            for (unsigned p = 0; p < CFG::n_pixels; p++) s += x[p * CFG::n_filt + c];
            a = div_trunc(s, CFG::n_pixels);
        }
        y[c] = (res_T)a;
    }
}

// ---------------------------------------------------------------------------------------------
// io_stream
// ---------------------------------------------------------------------------------------------
// Reduces one channel of a complete window (values already in accum_t) and writes res_T.
template <class CFG> typename CFG::accum_t pool_reduce(const typename CFG::accum_t v[CFG::pool_height * CFG::pool_width]) {
#pragma HLS INLINE
    typedef typename CFG::accum_t acc_t;
    const unsigned n = CFG::pool_height * CFG::pool_width;
    if (CFG::pool_op == pool_max) return tree<n>::reduce(v, max_op<acc_t>());
    return div_trunc(tree<n>::reduce(v, add_op<acc_t>()), n);
}

template <class in_T, class out_T, class CFG>
void pool_emit_pixel(const typename in_T::value_type win[CFG::pool_height * CFG::pool_width * CFG::n_filt], hls::stream<out_T> &out) {
#pragma HLS INLINE
    typedef typename CFG::accum_t acc_t;
    const unsigned n = CFG::pool_height * CFG::pool_width;
    out_T word;
    for (unsigned c = 0; c < CFG::n_filt; c++) {
#pragma HLS UNROLL
        acc_t v[n];
#pragma HLS ARRAY_PARTITION variable = v complete
        for (unsigned k = 0; k < n; k++) {
#pragma HLS UNROLL
            v[k] = (acc_t)win[k * CFG::n_filt + c];
        }
        word[c] = (typename out_T::value_type)pool_reduce<CFG>(v);
    }
    out.write(word);
}

// Encoded: window position of pixel (h, w) = pool_table_height[h] * pool_width + pool_table_width[w]
// for pixels inside the last full window; the pixel is queued in that position's FIFO; position
// (pool size - 1) completes a window.
template <class in_T, class out_T, class CFG>
void pool_encoded(hls::stream<in_T> &in, hls::stream<out_T> &out) {
    typedef typename in_T::value_type v_t;
    const unsigned positions = CFG::pool_height * CFG::pool_width;
    const unsigned depth = CFG::fifo_depth;
    const unsigned used_h = CFG::one_d ? 1 : ((CFG::in_height - CFG::pool_height) / CFG::stride_height) * CFG::stride_height + CFG::pool_height;
    const unsigned used_w = ((CFG::in_width - CFG::pool_width) / CFG::stride_width) * CFG::stride_width + CFG::pool_width;
    v_t fifo[positions][depth][CFG::n_filt];
#pragma HLS ARRAY_PARTITION variable = fifo complete dim = 1
#pragma HLS ARRAY_PARTITION variable = fifo complete dim = 3
    unsigned head[positions], tail[positions], fill[positions];
    v_t win[positions * CFG::n_filt];
#pragma HLS ARRAY_PARTITION variable = win complete

    for (unsigned k = 0; k < positions; k++) {
#pragma HLS UNROLL
        head[k] = 0;
        tail[k] = 0;
        fill[k] = 0;
    }
PoolEncRows:
    for (unsigned ih = 0; ih < CFG::in_height; ih++) {
    PoolEncCols:
        for (unsigned iw = 0; iw < CFG::in_width; iw++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
            const in_T px = in.read();
            if (ih < used_h && iw < used_w) {
                const unsigned k = (CFG::one_d ? 0 : CFG::pool_table_height[ih] * CFG::pool_width) + CFG::pool_table_width[iw];
                for (unsigned c = 0; c < CFG::n_filt; c++) {
#pragma HLS UNROLL
                    fifo[k][tail[k]][c] = px[c];
                }
                tail[k] = tail[k] + 1 == depth ? 0 : tail[k] + 1;
                fill[k]++;
                if (k == positions - 1) {
                    for (unsigned j = 0; j < positions; j++) {
#pragma HLS UNROLL
                        const bool has = fill[j] > 0;
                        for (unsigned c = 0; c < CFG::n_filt; c++) {
#pragma HLS UNROLL
                            win[j * CFG::n_filt + c] = has ? fifo[j][head[j]][c] : v_t(0);
                        }
                        if (has) {
                            head[j] = head[j] + 1 == depth ? 0 : head[j] + 1;
                            fill[j]--;
                        }
                    }
                    pool_emit_pixel<in_T, out_T, CFG>(win, out);
                }
            }
        }
    }
}

// LineBuffer: same window counters as the LineBuffer convolution (one_d: column counter only).
template <class in_T, class out_T, class CFG>
void pool_linebuffer(hls::stream<in_T> &in, hls::stream<out_T> &out) {
    typedef typename in_T::value_type v_t;
    const int PH = CFG::pool_height;
    const int PW = CFG::pool_width;
    v_t rows[CFG::pool_height][CFG::in_width][CFG::n_filt];
#pragma HLS ARRAY_PARTITION variable = rows complete dim = 1
#pragma HLS ARRAY_PARTITION variable = rows complete dim = 3
    v_t win[CFG::pool_height * CFG::pool_width * CFG::n_filt];
#pragma HLS ARRAY_PARTITION variable = win complete
    int sx = 0, sy = 0;

PoolLineRows:
    for (unsigned ih = 0; ih < CFG::in_height; ih++) {
    PoolLineCols:
        for (unsigned iw = 0; iw < CFG::in_width; iw++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
            const in_T px = in.read();
            const unsigned slot = ih % CFG::pool_height;
            for (unsigned c = 0; c < CFG::n_filt; c++) {
#pragma HLS UNROLL
                rows[slot][iw][c] = px[c];
            }
            bool ready;
            if (!CFG::one_d)
                ready = sx == PW - 1 && sy == PH - 1 && (int)ih >= PH - 1 && (int)iw >= PW - 1;
            else
                ready = sx == PW - 1 && (int)iw >= PW - 1;
            if (ready) {
                for (int kh = 0; kh < PH; kh++) {
                    const unsigned r = ((int)ih - (PH - 1) + kh) % PH;
                    for (int kw = 0; kw < PW; kw++) {
                        const unsigned q = (int)iw - (PW - 1) + kw;
                        for (unsigned c = 0; c < CFG::n_filt; c++) {
#pragma HLS UNROLL
                            win[(kh * PW + kw) * CFG::n_filt + c] = rows[r][q][c];
                        }
                    }
                }
                pool_emit_pixel<in_T, out_T, CFG>(win, out);
            }
            if (iw + 1 == CFG::in_width) {
                sx = 0;
                if (!CFG::one_d) {
                    if (ih + 1 == CFG::in_height)
                        sy = 0;
                    else
                        sy = sy == PH - 1 ? sy - (int)CFG::stride_height + 1 : sy + 1;
                }
            } else {
                sx = sx == PW - 1 ? sx - (int)CFG::stride_width + 1 : sx + 1;
            }
        }
    }
}

template <class in_T, class out_T, class CFG> void global_pool(hls::stream<in_T> &in, hls::stream<out_T> &out) {
    typedef typename CFG::accum_t acc_t;
    acc_t acc[CFG::n_filt];
#pragma HLS ARRAY_PARTITION variable = acc complete
    for (unsigned c = 0; c < CFG::n_filt; c++) {
#pragma HLS UNROLL
        acc[c] = CFG::pool_op == pool_max ? lowest<acc_t>() : acc_t(0);
    }
GlobalStreamPixels:
    for (unsigned p = 0; p < CFG::n_pixels; p++) {
#pragma HLS PIPELINE
        const in_T px = in.read();
        for (unsigned c = 0; c < CFG::n_filt; c++) {
#pragma HLS UNROLL
            const acc_t v = (acc_t)px[c];
            if (CFG::pool_op == pool_max)
                acc[c] = acc[c] > v ? acc[c] : v;
            else
                acc[c] += v;
        }
    }
    out_T word;
    for (unsigned c = 0; c < CFG::n_filt; c++) {
#pragma HLS UNROLL
        const acc_t a = CFG::pool_op == pool_max ? acc[c] : div_trunc(acc[c], CFG::n_pixels);
        word[c] = (typename out_T::value_type)a;
    }
    out.write(word);
}

} // namespace hlsemu

#endif
`;

/** `hlsemu_pooling.h` with the headers it includes. */
export const POOLING_HEADER: CppHeader = { file: 'hlsemu_pooling.h', text: POOLING_H, needs: [COMMON_HEADER] };
