/**
 * C++ source of `hlsemu_depthwise.h`: DepthwiseConv1D/2D (depth multiplier 1) and
 * SeparableConv1D/2D (depthwise + pointwise), channels-last, io_parallel and io_stream (Encoded and
 * LineBuffer), Latency and the three Resource product orders.
 */
import type { CppHeader } from '../layers.js';
import { COMMON_HEADER } from './common.js';
import { DENSE_HEADER } from './dense.js';
import { ENCODED_FIFO_STATE, LINEBUFFER_ADVANCE, LINEBUFFER_READY, LINEBUFFER_STATE } from './window-stream.js';

/** `firmware/hlsemu/hlsemu_depthwise.h`. */
export const DEPTHWISE_H = String.raw`// hlsemu_depthwise.h -- depthwise and separable convolutions. Written by hlsemu for this project.
//
// Window vector d[k * n_chan + c], k = kh * filt_width + kw; weights w[k * n_chan + c] (the Keras
// depthwise_kernel (kh, kw, C, 1) flattened), biases b[c]. Per output pixel and channel c:
//   acc = (accum_t) b[c];  acc = (accum_t)(acc + (accum_t)(d[i] * w[i])) for the products of c;
//   y[c] = (res_T) acc.
// Latency adds i = c, C + c, 2C + c, ... in that order. Resource (io_stream) keeps reuse_factor
// passes; pass ir multiplies i = ir, ir + R, ir + 2R, ... (R = min(reuse_factor, K * C) when
// reuse_factor > n_chan) and the accumulator index follows the pass (see depthwise_window); the order
// only shows when accum_t overflows.
// A 1D layer is the 2D one with in_height = filt_height = out_height = 1.
// io_stream kernels expect an unpadded ('valid') input: the top function pads first. They write the
// first out_height * out_width windows: hls4ml's line buffer for a filter of height 1 ignores
// stride_height and produces more, of which the next layer reads only those.
// Separable = depthwise (result dw_res_T) then the dense core per pixel with CFG::pointwise_config.
#ifndef HLSEMU_DEPTHWISE_H_
#define HLSEMU_DEPTHWISE_H_

#include "hlsemu_common.h"
#include "hlsemu_dense.h"

namespace hlsemu {

// One window -> n_chan outputs. CFG: n_chan, filt_height, filt_width, strategy, reuse_factor,
// accum_t, weight_t, bias_t.
template <class data_T, class res_T, class CFG, class WR, class BR>
void depthwise_window(const data_T d[CFG::filt_height * CFG::filt_width * CFG::n_chan], res_T y[CFG::n_chan],
                      const WR w[CFG::filt_height * CFG::filt_width * CFG::n_chan], const BR b[CFG::n_chan]) {
#pragma HLS INLINE
    typedef typename CFG::accum_t acc_t;
    const unsigned C = CFG::n_chan;
    const unsigned N = CFG::filt_height * CFG::filt_width * CFG::n_chan;
    acc_t acc[CFG::n_chan];
#pragma HLS ARRAY_PARTITION variable = acc complete
DwBias:
    for (unsigned c = 0; c < C; c++) {
#pragma HLS UNROLL
        acc[c] = (acc_t)from_raw<typename CFG::bias_t>(b[c]);
    }
    if (CFG::strategy != strategy_resource) {
    DwTaps:
        for (unsigned k = 0; k < CFG::filt_height * CFG::filt_width; k++) {
        DwChans:
            for (unsigned c = 0; c < C; c++) {
#pragma HLS UNROLL
                acc_t p = d[k * C + c] * from_raw<typename CFG::weight_t>(w[k * C + c]);
                acc[c] += p;
            }
        }
    } else if (CFG::reuse_factor <= C) {
        // Pass ir: i = ir + im R, accumulator (ir + im R) mod C.
        const unsigned R = CFG::reuse_factor;
        const unsigned per_pass = (N + R - 1) / R;
    DwResPass:
        for (unsigned ir = 0; ir < R; ir++) {
#pragma HLS PIPELINE II = 1 rewind
            unsigned i = ir, o = ir;
            for (unsigned im = 0; im < per_pass; im++) {
#pragma HLS UNROLL
                acc_t p = d[i] * from_raw<typename CFG::weight_t>(w[i]);
                acc[o] += p;
                i += R;
                o += R;
                if (o >= C) o -= C;
            }
        }
    } else {
        // R = min(RF, K C); pass ir: i = ir + im R; accumulator ir mod C, advancing by RF mod C.
        const unsigned R = CFG::reuse_factor < N ? CFG::reuse_factor : N;
        const unsigned per_pass = (N + R - 1) / R;
        const unsigned step = (CFG::reuse_factor % C == 0) ? 0 : CFG::reuse_factor % C;
    DwResPassWide:
        for (unsigned ir = 0; ir < R; ir++) {
#pragma HLS PIPELINE II = 1 rewind
            unsigned i = ir, o = ir % C;
            for (unsigned im = 0; im < per_pass; im++) {
#pragma HLS UNROLL
                acc_t p = d[i] * from_raw<typename CFG::weight_t>(w[i]);
                acc[o] += p;
                i += R;
                o += step;
                if (o >= C) o -= C;
            }
        }
    }
DwResult:
    for (unsigned c = 0; c < C; c++) {
#pragma HLS UNROLL
        y[c] = (res_T)acc[c];
    }
}

// ---------------------------------------------------------------------------------------------
// io_parallel: im2col gathering (padding zeros) + depthwise_window per output pixel.
// CFG: in_height, in_width, n_chan, filt_height, filt_width, stride_height, stride_width,
// pad_top, pad_left, out_height, out_width (+ the depthwise_window fields).
// ---------------------------------------------------------------------------------------------
template <class data_T, class res_T, class CFG, class WR, class BR>
void depthwise_conv(const data_T x[CFG::in_height * CFG::in_width * CFG::n_chan], res_T y[CFG::out_height * CFG::out_width * CFG::n_chan],
                    const WR w[CFG::filt_height * CFG::filt_width * CFG::n_chan], const BR b[CFG::n_chan]) {
    data_T col[CFG::filt_height * CFG::filt_width * CFG::n_chan];
#pragma HLS ARRAY_PARTITION variable = col complete
    res_T pix[CFG::n_chan];
#pragma HLS ARRAY_PARTITION variable = pix complete
DwOutRows:
    for (unsigned oh = 0; oh < CFG::out_height; oh++) {
    DwOutCols:
        for (unsigned ow = 0; ow < CFG::out_width; ow++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
            for (unsigned kh = 0; kh < CFG::filt_height; kh++) {
                for (unsigned kw = 0; kw < CFG::filt_width; kw++) {
                    const int r = (int)(oh * CFG::stride_height + kh) - (int)CFG::pad_top;
                    const int c = (int)(ow * CFG::stride_width + kw) - (int)CFG::pad_left;
                    const bool inside = r >= 0 && r < (int)CFG::in_height && c >= 0 && c < (int)CFG::in_width;
                    for (unsigned ch = 0; ch < CFG::n_chan; ch++) {
                        const unsigned k = (kh * CFG::filt_width + kw) * CFG::n_chan + ch;
                        col[k] = inside ? x[((unsigned)r * CFG::in_width + (unsigned)c) * CFG::n_chan + ch] : data_T(0);
                    }
                }
            }
            depthwise_window<data_T, res_T, CFG>(col, pix, w, b);
            for (unsigned ch = 0; ch < CFG::n_chan; ch++) {
#pragma HLS UNROLL
                y[(oh * CFG::out_width + ow) * CFG::n_chan + ch] = pix[ch];
            }
        }
    }
}

template <class in_T, class out_T, class CFG, class WR, class BR>
void depthwise_emit_pixel(const typename in_T::value_type win[CFG::filt_height * CFG::filt_width * CFG::n_chan], hls::stream<out_T> &out,
                          const WR w[], const BR b[]) {
#pragma HLS INLINE
    typename out_T::value_type pix[CFG::n_chan];
#pragma HLS ARRAY_PARTITION variable = pix complete
    depthwise_window<typename in_T::value_type, typename out_T::value_type, CFG>(win, pix, w, b);
    out_T word;
    for (unsigned c = 0; c < CFG::n_chan; c++) {
#pragma HLS UNROLL
        word[c] = pix[c];
    }
    out.write(word);
}

// ---------------------------------------------------------------------------------------------
// io_stream, Encoded: CFG::pixels[scale_index(row) * min_width + scale_index(col)] has bit k set when
// the incoming pixel is at kernel position k of some window; it is queued in the FIFO of every such
// position; bit (kernel size - 1) completes a window (one value per FIFO, zero if a FIFO is empty).
// CFG also needs min_width, pixels[], scale_index_height, scale_index_width, fifo_depth.
// ---------------------------------------------------------------------------------------------
template <class in_T, class out_T, class CFG, class WR, class BR>
void depthwise_conv_encoded(hls::stream<in_T> &in, hls::stream<out_T> &out, const WR w[CFG::filt_height * CFG::filt_width * CFG::n_chan],
                            const BR b[CFG::n_chan]) {
${ENCODED_FIFO_STATE}
    v_t win[positions * CFG::n_chan];
#pragma HLS ARRAY_PARTITION variable = win complete
    unsigned emitted = 0;
    for (unsigned k = 0; k < positions; k++) {
        head[k] = 0;
        tail[k] = 0;
        fill[k] = 0;
    }
DwEncRows:
    for (unsigned ih = 0; ih < CFG::in_height; ih++) {
        const unsigned row = scale_index<CFG::scale_index_height, CFG::filt_height, CFG::stride_height, CFG::in_height>(ih);
    DwEncCols:
        for (unsigned iw = 0; iw < CFG::in_width; iw++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
            const unsigned col = scale_index<CFG::scale_index_width, CFG::filt_width, CFG::stride_width, CFG::in_width>(iw);
            const ap_uint<positions> mask = CFG::pixels[row * CFG::min_width + col];
            const in_T px = in.read();
            for (unsigned k = 0; k < positions; k++) {
#pragma HLS UNROLL
                if (mask[k]) {
                    for (unsigned ch = 0; ch < CFG::n_chan; ch++) fifo[k][tail[k]][ch] = px[ch];
                    tail[k] = tail[k] + 1 == depth ? 0 : tail[k] + 1;
                    fill[k]++;
                }
            }
            if (mask[positions - 1]) {
                for (unsigned k = 0; k < positions; k++) {
#pragma HLS UNROLL
                    const bool has = fill[k] > 0;
                    for (unsigned ch = 0; ch < CFG::n_chan; ch++) win[k * CFG::n_chan + ch] = has ? fifo[k][head[k]][ch] : v_t(0);
                    if (has) {
                        head[k] = head[k] + 1 == depth ? 0 : head[k] + 1;
                        fill[k]--;
                    }
                }
                if (emitted < CFG::out_height * CFG::out_width) depthwise_emit_pixel<in_T, out_T, CFG>(win, out, w, b);
                emitted++;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// io_stream, LineBuffer: the last filt_height rows in a circular buffer; window counters sx / sy
// fall back by the stride after each window (filt_height == 1: the column counter only).
// ---------------------------------------------------------------------------------------------
template <class in_T, class out_T, class CFG, class WR, class BR>
void depthwise_conv_linebuffer(hls::stream<in_T> &in, hls::stream<out_T> &out, const WR w[CFG::filt_height * CFG::filt_width * CFG::n_chan],
                               const BR b[CFG::n_chan]) {
${LINEBUFFER_STATE}
    unsigned emitted = 0;
DwLineRows:
    for (unsigned ih = 0; ih < CFG::in_height; ih++) {
    DwLineCols:
        for (unsigned iw = 0; iw < CFG::in_width; iw++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
            const in_T px = in.read();
            const unsigned slot = ih % CFG::filt_height;
            for (unsigned ch = 0; ch < CFG::n_chan; ch++) rows[slot][iw][ch] = px[ch];
${LINEBUFFER_READY}
            if (ready) {
                for (int kh = 0; kh < FH; kh++) {
                    const unsigned r = ((int)ih - (FH - 1) + kh) % FH;
                    for (int kw = 0; kw < FW; kw++) {
                        const unsigned c = (int)iw - (FW - 1) + kw;
                        for (unsigned ch = 0; ch < CFG::n_chan; ch++) win[(kh * FW + kw) * CFG::n_chan + ch] = rows[r][c][ch];
                    }
                }
                if (emitted < CFG::out_height * CFG::out_width) depthwise_emit_pixel<in_T, out_T, CFG>(win, out, w, b);
                emitted++;
            }
${LINEBUFFER_ADVANCE}
        }
    }
}

// io_stream dispatch on CFG::encoded (true: Encoded, false: LineBuffer; only the chosen one is
// instantiated, so a LineBuffer config needs no instruction table).
template <bool ENCODED> struct depthwise_stream_impl {
    template <class in_T, class out_T, class CFG, class WR, class BR>
    static void run(hls::stream<in_T> &in, hls::stream<out_T> &out, const WR w[], const BR b[]) {
        depthwise_conv_linebuffer<in_T, out_T, CFG>(in, out, w, b);
    }
};
template <> struct depthwise_stream_impl<true> {
    template <class in_T, class out_T, class CFG, class WR, class BR>
    static void run(hls::stream<in_T> &in, hls::stream<out_T> &out, const WR w[], const BR b[]) {
        depthwise_conv_encoded<in_T, out_T, CFG>(in, out, w, b);
    }
};

template <class in_T, class out_T, class CFG, class WR, class BR>
void depthwise_conv(hls::stream<in_T> &in, hls::stream<out_T> &out, const WR w[CFG::filt_height * CFG::filt_width * CFG::n_chan], const BR b[CFG::n_chan]) {
    depthwise_stream_impl<CFG::encoded>::template run<in_T, out_T, CFG>(in, out, w, b);
}

// ---------------------------------------------------------------------------------------------
// Separable: CFG::depthwise_config (as above) and CFG::pointwise_config (dense config: n_in = n_chan,
// n_out = n_filt, strategy, reuse_factor, n_zeros, accum_t, weight_t, bias_t; weights c * n_filt + f
// for Latency, f * n_chan + c for Resource).
// ---------------------------------------------------------------------------------------------
template <class data_T, class dw_res_T, class res_T, class CFG, class DWR, class DBR, class PWR, class PBR>
void separable_conv(const data_T x[CFG::depthwise_config::in_height * CFG::depthwise_config::in_width * CFG::depthwise_config::n_chan],
                    res_T y[CFG::depthwise_config::out_height * CFG::depthwise_config::out_width * CFG::pointwise_config::n_out],
                    const DWR dw[], const DBR db[], const PWR pw[], const PBR pb[]) {
    typedef typename CFG::depthwise_config D;
    typedef typename CFG::pointwise_config P;
    const unsigned pixels = D::out_height * D::out_width;
    dw_res_T mid[pixels * D::n_chan];
    depthwise_conv<data_T, dw_res_T, D>(x, mid, dw, db);
SepPointwise:
    for (unsigned p = 0; p < pixels; p++) {
        dense<dw_res_T, res_T, P>(&mid[p * D::n_chan], &y[p * P::n_out], pw, pb);
    }
}

template <class in_T, class mid_T, class out_T, class CFG, class DWR, class DBR, class PWR, class PBR>
void separable_conv(hls::stream<in_T> &in, hls::stream<out_T> &out, const DWR dw[], const DBR db[], const PWR pw[], const PBR pb[]) {
    typedef typename CFG::depthwise_config D;
    typedef typename CFG::pointwise_config P;
    hls::stream<mid_T> mid;
#pragma HLS STREAM variable = mid depth = 1
    depthwise_conv<in_T, mid_T, D>(in, mid, dw, db);
SepPointwiseStream:
    for (unsigned p = 0; p < D::out_height * D::out_width; p++) {
        const mid_T word = mid.read();
        typename mid_T::value_type v[D::n_chan];
        typename out_T::value_type r[P::n_out];
        for (unsigned c = 0; c < D::n_chan; c++) v[c] = word[c];
        dense<typename mid_T::value_type, typename out_T::value_type, P>(v, r, pw, pb);
        out_T o;
        for (unsigned f = 0; f < P::n_out; f++) o[f] = r[f];
        out.write(o);
    }
}

} // namespace hlsemu

#endif
`;

/** The `hlsemu_depthwise.h` header and the headers it includes. */
export const DEPTHWISE_HEADER: CppHeader = { file: 'hlsemu_depthwise.h', text: DEPTHWISE_H, needs: [COMMON_HEADER, DENSE_HEADER] };
