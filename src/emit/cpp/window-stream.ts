/**
 * C++ lines shared by the io_stream window kernels of `hlsemu_conv.h` (Conv1D/2D) and
 * `hlsemu_depthwise.h` (DepthwiseConv1D/2D): the Encoded kernels' FIFO state and the LineBuffer
 * kernels' row buffer and window counters. Both follow the same hls4ml rules for when a window is
 * complete, so the rules are written once here and spliced into both headers' text. Each piece is
 * whole lines (no final newline) at the indentation both kernels use.
 */

/** Encoded: the per-kernel-position FIFOs of the incoming pixels and their ring indices. */
export const ENCODED_FIFO_STATE = String.raw`    typedef typename in_T::value_type v_t;
    const unsigned positions = CFG::filt_height * CFG::filt_width;
    const unsigned depth = CFG::fifo_depth;
    v_t fifo[positions][depth][CFG::n_chan];
#pragma HLS ARRAY_PARTITION variable = fifo complete dim = 1
#pragma HLS ARRAY_PARTITION variable = fifo complete dim = 3
    unsigned head[positions], tail[positions], fill[positions];`;

/** LineBuffer: the last filt_height rows (circular), the gathered window and the window counters. */
export const LINEBUFFER_STATE = String.raw`    typedef typename in_T::value_type v_t;
    const int FH = CFG::filt_height;
    const int FW = CFG::filt_width;
    v_t rows[CFG::filt_height][CFG::in_width][CFG::n_chan];
#pragma HLS ARRAY_PARTITION variable = rows complete dim = 1
#pragma HLS ARRAY_PARTITION variable = rows complete dim = 3
    v_t win[CFG::filt_height * CFG::filt_width * CFG::n_chan];
#pragma HLS ARRAY_PARTITION variable = win complete
    int sx = 0, sy = 0;`;

/**
 * LineBuffer: whether the window whose bottom-right corner is pixel (ih, iw) is complete (with
 * filt_height == 1 only the column counter exists).
 */
export const LINEBUFFER_READY = String.raw`            bool ready;
            if (FH > 1)
                ready = sx == FW - 1 && sy == FH - 1 && (int)ih >= FH - 1 && (int)iw >= FW - 1;
            else
                ready = sx == FW - 1 && (int)iw >= FW - 1;`;

/** LineBuffer: the counters after pixel (ih, iw): reset at the end of a row / of the image, else back by the stride after a window. */
export const LINEBUFFER_ADVANCE = String.raw`            if (iw + 1 == CFG::in_width) {
                sx = 0;
                if (FH > 1) {
                    if (ih + 1 == CFG::in_height)
                        sy = 0;
                    else
                        sy = sy == FH - 1 ? sy - (int)CFG::stride_height + 1 : sy + 1;
                }
            } else {
                sx = sx == FW - 1 ? sx - (int)CFG::stride_width + 1 : sx + 1;
            }`;
