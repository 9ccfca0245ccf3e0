/**
 * C++ source of `hlsemu_conv.h`: Conv1D / Conv2D, channels-last. io_parallel gathers each output
 * pixel's window (im2col, padding = zeros) and runs the dense core; io_stream has the Encoded
 * implementation (per-kernel-position FIFOs driven by the binary-mask instruction table of the
 * config struct) and the LineBuffer implementation (row buffer + window counters).
 */

/** `firmware/hlsemu/hlsemu_conv.h`. */
import type { CppHeader } from '../layers.js';
import { COMMON_HEADER } from './common.js';
import { DENSE_HEADER } from './dense.js';
import { ENCODED_FIFO_STATE, LINEBUFFER_ADVANCE, LINEBUFFER_READY, LINEBUFFER_STATE } from './window-stream.js';

export const CONV_H = String.raw`// hlsemu_conv.h -- convolution kernels (Conv1D is Conv2D with in_height = filt_height = 1).
// Written by hlsemu for this project.
//
// Weights: dense-core layout of the window vector k = (kh * filt_width + kw) * n_chan + c:
// Latency w[k * n_filt + f] (Keras order), Resource w[f * (kernel size) + k].
// io_stream kernels expect an unpadded ('valid') input: the top function pads first.
#ifndef HLSEMU_CONV_H_
#define HLSEMU_CONV_H_

#include "hlsemu_common.h"
#include "hlsemu_dense.h"

namespace hlsemu {

// ---------------------------------------------------------------------------------------------
// io_parallel: window gathering + dense core per output pixel
// ---------------------------------------------------------------------------------------------
template <class data_T, class res_T, class CFG, class WR, class BR>
void conv(const data_T x[CFG::in_height * CFG::in_width * CFG::n_chan], res_T y[CFG::out_height * CFG::out_width * CFG::n_filt],
          const WR w[CFG::filt_height * CFG::filt_width * CFG::n_chan * CFG::n_filt], const BR b[CFG::n_filt]) {
    const unsigned window = CFG::filt_height * CFG::filt_width * CFG::n_chan;
    data_T col[window];
#pragma HLS ARRAY_PARTITION variable = col complete
    res_T pix[CFG::n_filt];
#pragma HLS ARRAY_PARTITION variable = pix complete

ConvOutRows:
    for (unsigned oh = 0; oh < CFG::out_height; oh++) {
    ConvOutCols:
        for (unsigned ow = 0; ow < CFG::out_width; ow++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
        ConvTapRows:
            for (unsigned kh = 0; kh < CFG::filt_height; kh++) {
            ConvTapCols:
                for (unsigned kw = 0; kw < CFG::filt_width; kw++) {
                    const int r = (int)(oh * CFG::stride_height + kh * CFG::dilation_height) - (int)CFG::pad_top;
                    const int c = (int)(ow * CFG::stride_width + kw * CFG::dilation_width) - (int)CFG::pad_left;
                    const bool inside = r >= 0 && r < (int)CFG::in_height && c >= 0 && c < (int)CFG::in_width;
                ConvTapChans:
                    for (unsigned ch = 0; ch < CFG::n_chan; ch++) {
                        const unsigned k = (kh * CFG::filt_width + kw) * CFG::n_chan + ch;
                        if (inside)
                            col[k] = x[((unsigned)r * CFG::in_width + (unsigned)c) * CFG::n_chan + ch];
                        else
                            col[k] = data_T(0);
                    }
                }
            }
            dense<data_T, res_T, typename CFG::mult_config>(col, pix, w, b);
        ConvStore:
            for (unsigned f = 0; f < CFG::n_filt; f++) {
#pragma HLS UNROLL
                y[(oh * CFG::out_width + ow) * CFG::n_filt + f] = pix[f];
            }
        }
    }
}

// Runs the dense core on a gathered window and writes one output pixel.
template <class in_T, class out_T, class CFG, class WR, class BR>
void conv_emit_pixel(const typename in_T::value_type win[CFG::filt_height * CFG::filt_width * CFG::n_chan], hls::stream<out_T> &out,
                     const WR w[], const BR b[]) {
#pragma HLS INLINE
    typename out_T::value_type pix[CFG::n_filt];
#pragma HLS ARRAY_PARTITION variable = pix complete
    dense<typename in_T::value_type, typename out_T::value_type, typename CFG::mult_config>(win, pix, w, b);
    out_T word;
    for (unsigned f = 0; f < CFG::n_filt; f++) {
#pragma HLS UNROLL
        word[f] = pix[f];
    }
    out.write(word);
}

// ---------------------------------------------------------------------------------------------
// io_stream, Encoded: CFG::pixels[scale_index(row) * min_width + scale_index(col)] has bit k set
// when the incoming pixel sits at kernel position k of some window. The pixel is queued in the FIFO
// of every such position; when bit (kernel size - 1) is set the window is complete: one value is
// taken from every FIFO (zero if a FIFO is empty) and an output pixel is computed.
// ---------------------------------------------------------------------------------------------
template <class in_T, class out_T, class CFG, class WR, class BR>
void conv_encoded(hls::stream<in_T> &in, hls::stream<out_T> &out,
                  const WR w[CFG::filt_height * CFG::filt_width * CFG::n_chan * CFG::n_filt], const BR b[CFG::n_filt]) {
${ENCODED_FIFO_STATE}
#pragma HLS ARRAY_PARTITION variable = head complete
#pragma HLS ARRAY_PARTITION variable = tail complete
#pragma HLS ARRAY_PARTITION variable = fill complete
    v_t win[positions * CFG::n_chan];
#pragma HLS ARRAY_PARTITION variable = win complete
#pragma HLS ARRAY_PARTITION variable = CFG::pixels complete

EncodedInit:
    for (unsigned k = 0; k < positions; k++) {
#pragma HLS UNROLL
        head[k] = 0;
        tail[k] = 0;
        fill[k] = 0;
    }
EncodedRows:
    for (unsigned ih = 0; ih < CFG::in_height; ih++) {
        const unsigned row = scale_index<CFG::scale_index_height, CFG::filt_height, CFG::stride_height, CFG::in_height>(ih);
    EncodedCols:
        for (unsigned iw = 0; iw < CFG::in_width; iw++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
            const unsigned col = scale_index<CFG::scale_index_width, CFG::filt_width, CFG::stride_width, CFG::in_width>(iw);
            const ap_uint<positions> mask = CFG::pixels[row * CFG::min_width + col];
            const in_T px = in.read();
        EncodedQueue:
            for (unsigned k = 0; k < positions; k++) {
#pragma HLS UNROLL
                if (mask[k]) {
                    for (unsigned ch = 0; ch < CFG::n_chan; ch++) {
#pragma HLS UNROLL
                        fifo[k][tail[k]][ch] = px[ch];
                    }
                    tail[k] = tail[k] + 1 == depth ? 0 : tail[k] + 1;
                    fill[k]++;
                }
            }
            if (mask[positions - 1]) {
            EncodedTake:
                for (unsigned k = 0; k < positions; k++) {
#pragma HLS UNROLL
                    const bool has = fill[k] > 0;
                    for (unsigned ch = 0; ch < CFG::n_chan; ch++) {
#pragma HLS UNROLL
                        win[k * CFG::n_chan + ch] = has ? fifo[k][head[k]][ch] : v_t(0);
                    }
                    if (has) {
                        head[k] = head[k] + 1 == depth ? 0 : head[k] + 1;
                        fill[k]--;
                    }
                }
                conv_emit_pixel<in_T, out_T, CFG>(win, out, w, b);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// io_stream, LineBuffer: the last filt_height rows are kept in a circular row buffer. Counters
// sx / sy (one per axis) count pixels since the last window; a window whose bottom-right corner is
// the incoming pixel is complete when both equal filt - 1 (after the first filt - 1 rows / columns);
// they then fall back by the stride. With filt_height == 1 only the column counter exists.
// ---------------------------------------------------------------------------------------------
template <class in_T, class out_T, class CFG, class WR, class BR>
void conv_linebuffer(hls::stream<in_T> &in, hls::stream<out_T> &out,
                     const WR w[CFG::filt_height * CFG::filt_width * CFG::n_chan * CFG::n_filt], const BR b[CFG::n_filt]) {
${LINEBUFFER_STATE}

LineRows:
    for (unsigned ih = 0; ih < CFG::in_height; ih++) {
    LineCols:
        for (unsigned iw = 0; iw < CFG::in_width; iw++) {
#pragma HLS PIPELINE II = CFG::reuse_factor
            const in_T px = in.read();
            const unsigned slot = ih % CFG::filt_height;
            for (unsigned ch = 0; ch < CFG::n_chan; ch++) {
#pragma HLS UNROLL
                rows[slot][iw][ch] = px[ch];
            }
${LINEBUFFER_READY}
            if (ready) {
            LineGather:
                for (int kh = 0; kh < FH; kh++) {
                    const unsigned r = ((int)ih - (FH - 1) + kh) % FH;
                    for (int kw = 0; kw < FW; kw++) {
                        const unsigned c = (int)iw - (FW - 1) + kw;
                        for (unsigned ch = 0; ch < CFG::n_chan; ch++) {
#pragma HLS UNROLL
                            win[(kh * FW + kw) * CFG::n_chan + ch] = rows[r][c][ch];
                        }
                    }
                }
                conv_emit_pixel<in_T, out_T, CFG>(win, out, w, b);
            }
${LINEBUFFER_ADVANCE}
        }
    }
}

} // namespace hlsemu

#endif
`;

/** `hlsemu_conv.h` with the headers it includes. */
export const CONV_HEADER: CppHeader = { file: 'hlsemu_conv.h', text: CONV_H, needs: [COMMON_HEADER, DENSE_HEADER] };
