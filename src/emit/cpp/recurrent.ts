/**
 * C++ source of `hlsemu_recurrent.h`: LSTM and GRU (Keras gate order, GRU reset_after), io_parallel
 * and io_stream, with the dense core of hlsemu_dense.h and table activations fed by raw tables.
 */
import type { CppHeader } from '../layers.js';
import { COMMON_HEADER } from './common.js';
import { DENSE_HEADER } from './dense.js';

/** `firmware/hlsemu/hlsemu_recurrent.h`. */
export const RECURRENT_H = String.raw`// hlsemu_recurrent.h -- LSTM and GRU layers. Written by hlsemu for this project.
//
// Per time step, n = n_state, a = dense(x_t) and r = dense(h) with results in accum_t:
//   LSTM (gates i, f, c, o):  i, f, o = act_r((accum_t)(a + r));  g = act((accum_t)(a + r)) of block c;
//                             s = (res_T)(g * i + s * f);  h = (res_T)(o * act(s))   (act of the res_T state)
//   GRU (gates z, r, h):      z, r = act_r((accum_t)(a + r));  hc = act((accum_t)(a_h + (accum_t)(r * r_h)));
//                             h = (res_T)(hc * (1 - z) + h * z)
// Products and sums inside a cast are exact. act / act_r return accum_t: relu (x > 0 ? x : 0) or a
// table lookup (sigmoid over [-8, 8), tanh over [-4, 4)) of raw table_t entries.
// h and s start at 0 for every sequence; the output is h after every step (n_sequence_out ==
// n_sequence) or after the last one.
#ifndef HLSEMU_RECURRENT_H_
#define HLSEMU_RECURRENT_H_

#include "hlsemu_common.h"
#include "hlsemu_dense.h"

namespace hlsemu {

enum { recr_act_relu = 0, recr_act_sigmoid = 1, recr_act_tanh = 2 };

// Activation KIND of x (any fixed type) into acc_t; TR: raw table entries of table_T.
template <unsigned KIND, class acc_t, class table_T, unsigned N, class TR> struct recr_act {
    template <class D> static acc_t apply(const D &x, const TR *table) {
#pragma HLS INLINE
        if (KIND == recr_act_relu) {
            if (x > 0) return (acc_t)x;
            return acc_t(0);
        }
        const unsigned R = KIND == recr_act_sigmoid ? 4 : 3;
        int index = index_trunc<R>(x, N) + (int)(((1u << (R - 1)) * N) >> R);
        if (index < 0) index = 0;
        if (index > (int)N - 1) index = (int)N - 1;
        return (acc_t)from_raw<table_T>(table[index]);
    }
};

// CFG: n_in, n_state, n_sequence, n_sequence_out, activation, recurrent_activation (recr_act_*),
// table_size, recr_table_size, typedefs accum_t, table_t, recr_table_t, and the dense configs
// mult_config1 (n_in -> 4 n_state) and mult_config2 (n_state -> 4 n_state).
template <class data_T, class res_T, class CFG, class W1, class W2, class B1, class B2, class TR>
void lstm_step(const data_T x[CFG::n_in], res_T h[CFG::n_state], res_T s[CFG::n_state], const W1 w[], const W2 wr[], const B1 b[],
               const B2 br[], const TR act_table[], const TR recr_table[]) {
#pragma HLS INLINE
    typedef typename CFG::accum_t acc_t;
    typedef recr_act<CFG::activation, acc_t, typename CFG::table_t, CFG::table_size, TR> act;
    typedef recr_act<CFG::recurrent_activation, acc_t, typename CFG::recr_table_t, CFG::recr_table_size, TR> act_r;
    const unsigned n = CFG::n_state;
    acc_t a[4 * CFG::n_state], r[4 * CFG::n_state];
#pragma HLS ARRAY_PARTITION variable = a complete
#pragma HLS ARRAY_PARTITION variable = r complete
    dense<data_T, acc_t, typename CFG::mult_config1>(x, a, w, b);
    dense<res_T, acc_t, typename CFG::mult_config2>(h, r, wr, br);
LstmUnits:
    for (unsigned u = 0; u < n; u++) {
#pragma HLS UNROLL
        const acc_t zi = a[u] + r[u], zf = a[n + u] + r[n + u], zc = a[2 * n + u] + r[2 * n + u], zo = a[3 * n + u] + r[3 * n + u];
        const acc_t gi = act_r::apply(zi, recr_table), gf = act_r::apply(zf, recr_table), go = act_r::apply(zo, recr_table);
        const acc_t gc = act::apply(zc, act_table);
        s[u] = (res_T)(gc * gi + s[u] * gf);
        const acc_t sa = act::apply(s[u], act_table);
        h[u] = (res_T)(go * sa);
    }
}

// CFG as for lstm_step with 3 n_state dense outputs; the recurrent bias is the Keras bias row 1.
template <class data_T, class res_T, class CFG, class W1, class W2, class B1, class B2, class TR>
void gru_step(const data_T x[CFG::n_in], res_T h[CFG::n_state], const W1 w[], const W2 wr[], const B1 b[], const B2 br[],
              const TR act_table[], const TR recr_table[]) {
#pragma HLS INLINE
    typedef typename CFG::accum_t acc_t;
    typedef recr_act<CFG::activation, acc_t, typename CFG::table_t, CFG::table_size, TR> act;
    typedef recr_act<CFG::recurrent_activation, acc_t, typename CFG::recr_table_t, CFG::recr_table_size, TR> act_r;
    const unsigned n = CFG::n_state;
    acc_t a[3 * CFG::n_state], r[3 * CFG::n_state];
#pragma HLS ARRAY_PARTITION variable = a complete
#pragma HLS ARRAY_PARTITION variable = r complete
    res_T hn[CFG::n_state];
    dense<data_T, acc_t, typename CFG::mult_config1>(x, a, w, b);
    dense<res_T, acc_t, typename CFG::mult_config2>(h, r, wr, br);
GruUnits:
    for (unsigned u = 0; u < n; u++) {
#pragma HLS UNROLL
        const acc_t zz = a[u] + r[u], zr = a[n + u] + r[n + u];
        const acc_t z = act_r::apply(zz, recr_table), rg = act_r::apply(zr, recr_table);
        const acc_t rh = rg * r[2 * n + u];
        const acc_t zh = a[2 * n + u] + rh;
        const acc_t hc = act::apply(zh, act_table);
        hn[u] = (res_T)(hc * (1 - z) + h[u] * z);
    }
    for (unsigned u = 0; u < n; u++) h[u] = hn[u];
}

template <class data_T, class res_T, class CFG, class W1, class W2, class B1, class B2, class TR>
void lstm(const data_T x[CFG::n_sequence * CFG::n_in], res_T y[CFG::n_sequence_out * CFG::n_state], const W1 w[], const W2 wr[],
          const B1 b[], const B2 br[], const TR act_table[], const TR recr_table[]) {
    res_T h[CFG::n_state], s[CFG::n_state];
    for (unsigned u = 0; u < CFG::n_state; u++) {
        h[u] = 0;
        s[u] = 0;
    }
LstmSteps:
    for (unsigned t = 0; t < CFG::n_sequence; t++) {
        lstm_step<data_T, res_T, CFG>(&x[t * CFG::n_in], h, s, w, wr, b, br, act_table, recr_table);
        if (CFG::n_sequence_out > 1)
            for (unsigned u = 0; u < CFG::n_state; u++) y[t * CFG::n_state + u] = h[u];
    }
    if (CFG::n_sequence_out == 1)
        for (unsigned u = 0; u < CFG::n_state; u++) y[u] = h[u];
}

template <class data_T, class res_T, class CFG, class W1, class W2, class B1, class B2, class TR>
void gru(const data_T x[CFG::n_sequence * CFG::n_in], res_T y[CFG::n_sequence_out * CFG::n_state], const W1 w[], const W2 wr[],
         const B1 b[], const B2 br[], const TR act_table[], const TR recr_table[]) {
    res_T h[CFG::n_state];
    for (unsigned u = 0; u < CFG::n_state; u++) h[u] = 0;
GruSteps:
    for (unsigned t = 0; t < CFG::n_sequence; t++) {
        gru_step<data_T, res_T, CFG>(&x[t * CFG::n_in], h, w, wr, b, br, act_table, recr_table);
        if (CFG::n_sequence_out > 1)
            for (unsigned u = 0; u < CFG::n_state; u++) y[t * CFG::n_state + u] = h[u];
    }
    if (CFG::n_sequence_out == 1)
        for (unsigned u = 0; u < CFG::n_state; u++) y[u] = h[u];
}

// io_stream: one word of n_in values per step in; words of n_state values out (every step, or once).
template <class in_T, class out_T, class CFG, class W1, class W2, class B1, class B2, class TR>
void lstm(hls::stream<in_T> &in, hls::stream<out_T> &out, const W1 w[], const W2 wr[], const B1 b[], const B2 br[], const TR act_table[],
          const TR recr_table[]) {
    typedef typename in_T::value_type data_T;
    typedef typename out_T::value_type res_T;
    res_T h[CFG::n_state], s[CFG::n_state];
    data_T x[CFG::n_in];
    for (unsigned u = 0; u < CFG::n_state; u++) {
        h[u] = 0;
        s[u] = 0;
    }
LstmStreamSteps:
    for (unsigned t = 0; t < CFG::n_sequence; t++) {
        const in_T word = in.read();
        for (unsigned i = 0; i < CFG::n_in; i++) x[i] = word[i];
        lstm_step<data_T, res_T, CFG>(x, h, s, w, wr, b, br, act_table, recr_table);
        if (CFG::n_sequence_out > 1 || t + 1 == CFG::n_sequence) {
            out_T o;
            for (unsigned u = 0; u < CFG::n_state; u++) o[u] = h[u];
            out.write(o);
        }
    }
}

template <class in_T, class out_T, class CFG, class W1, class W2, class B1, class B2, class TR>
void gru(hls::stream<in_T> &in, hls::stream<out_T> &out, const W1 w[], const W2 wr[], const B1 b[], const B2 br[], const TR act_table[],
         const TR recr_table[]) {
    typedef typename in_T::value_type data_T;
    typedef typename out_T::value_type res_T;
    res_T h[CFG::n_state];
    data_T x[CFG::n_in];
    for (unsigned u = 0; u < CFG::n_state; u++) h[u] = 0;
GruStreamSteps:
    for (unsigned t = 0; t < CFG::n_sequence; t++) {
        const in_T word = in.read();
        for (unsigned i = 0; i < CFG::n_in; i++) x[i] = word[i];
        gru_step<data_T, res_T, CFG>(x, h, w, wr, b, br, act_table, recr_table);
        if (CFG::n_sequence_out > 1 || t + 1 == CFG::n_sequence) {
            out_T o;
            for (unsigned u = 0; u < CFG::n_state; u++) o[u] = h[u];
            out.write(o);
        }
    }
}

} // namespace hlsemu

#endif
`;

/** The `hlsemu_recurrent.h` header and the headers it includes. */
export const RECURRENT_HEADER: CppHeader = { file: 'hlsemu_recurrent.h', text: RECURRENT_H, needs: [COMMON_HEADER, DENSE_HEADER] };
