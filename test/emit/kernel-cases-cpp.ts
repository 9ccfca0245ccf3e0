/**
 * Turns hls4ml kernel reference cases (test/golden/hls4ml/*.jsonl) into C++ that runs hlsemu's own
 * HLS kernels (firmware/hlsemu/*.h) on the cases' raw inputs: one namespace per case with its
 * types, config struct, tables / weights and a run() that prints every output as raw mantissas.
 * Used by kernels-csim.test.ts.
 */
import type { CppHeader } from '../../src/emit/layers.js';
import { ACTIVATION_HEADER } from '../../src/emit/cpp/elementwise.js';
import { SOFTMAX_HEADER } from '../../src/emit/cpp/softmax.js';
import { MERGE_HEADER, PADDING_HEADER } from '../../src/emit/cpp/structural.js';
import { ACTIVATION_EXT_HEADER } from '../../src/emit/cpp/activation-ext.js';
import { EMBED_HEADER, MERGE_EXT_HEADER, RESHAPE_HEADER } from '../../src/emit/cpp/reshape-ext.js';
import { concatDim } from '../../src/kernels/index.js';

/** A parsed reference case. */
export type KCase = Record<string, any>;

/** The headers a kernel-level C++ test needs (with the headers they include), by file name. */
export const HEADERS: Record<string, string> = {};
{
  const add = (h: CppHeader): void => {
    if (h.file in HEADERS) return;
    HEADERS[h.file] = h.text;
    h.needs?.forEach(add);
  };
  [ACTIVATION_HEADER, SOFTMAX_HEADER, ACTIVATION_EXT_HEADER, MERGE_HEADER, MERGE_EXT_HEADER, PADDING_HEADER, RESHAPE_HEADER, EMBED_HEADER].forEach(add);
}

interface Port {
  /** Element type (a typedef of the case). */
  t: string;
  n: number;
  /** io_stream word size. */
  pack: number;
}

interface Gen {
  decls: string[];
  ins: Port[];
  out: Port;
  /** The call, with $A / $B (input element or word types), $R (output), $x / $x2 / $y (variables). */
  call: string;
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const ll = (v: number | string): string => `${String(v)}LL`;
const arrLit = (name: string, xs: readonly (number | string)[]): string => `static const long long ${name}[${Math.max(1, xs.length)}] = {${xs.length ? xs.map(ll).join(', ') : '0'}};`;
const cpp = (c: KCase, k: string): string => {
  const t = c.types[k];
  if (!t || typeof t.cpp !== 'string') throw new Error(`case has no C++ type for ${k}`);
  return t.cpp;
};
const typedefs = (c: KCase, ...keys: string[]): string[] => keys.map((k) => `typedef ${cpp(c, k)} t_${k};`);
const struct = (fields: string[]): string => `struct config {\n  static const unsigned reuse_factor = 1;\n${fields.map((f) => `  ${f}`).join('\n')}\n};`;
const u = (name: string, v: number): string => `static const unsigned ${name} = ${v};`;
const stream = (c: KCase): boolean => c.config.io_type === 'io_stream';

function elementwise(c: KCase, extraTypes: string[], fields: string[], decls: string[], call: string): Gen {
  const n = c.config.n_in as number;
  const shape: number[] = c.config.shape ?? [n];
  const pack = stream(c) ? ((c.config.pack_size as number | undefined) ?? shape[shape.length - 1]!) : n;
  return {
    decls: [...typedefs(c, 'input', 'result', ...extraTypes), ...decls, struct([u('n_in', n), ...fields])],
    ins: [{ t: 't_input', n, pack }],
    out: { t: 't_result', n, pack },
    call,
  };
}

const tableOf = (c: KCase, key = 'table'): (number | string)[] => {
  const t = c.tables?.[key];
  if (!Array.isArray(t)) throw new Error(`case has no tables.${key}`);
  return t;
};

function activation(c: KCase): Gen {
  const k = c.kernel as string;
  const N = c.config.table_size as number;
  const lut = (fn: string): Gen => elementwise(c, ['table'], [u('table_size', N), 'typedef t_table table_t;'], [arrLit('TABLE', tableOf(c))], `hlsemu::${fn}<$A, $R, config>($x, $y, TABLE);`);
  switch (k) {
    case 'linear':
    case 'relu':
    case 'binary_tanh':
    case 'ternary_tanh':
      return elementwise(c, [], [], [], `hlsemu::${k}<$A, $R, config>($x, $y);`);
    case 'relu6':
    case 'relu1':
      return elementwise(c, [], [], [], `hlsemu::relu_max<${k === 'relu6' ? 6 : 1}, $A, $R, config>($x, $y);`);
    case 'leaky_relu':
      return elementwise(c, ['param'], ['typedef t_param param_t;'], [], `hlsemu::leaky_relu<$A, $R, config>($x, $y, hlsemu::from_raw<t_param>(${ll(c.alpha_raw)}));`);
    case 'thresholded_relu':
      return elementwise(c, ['param'], ['typedef t_param param_t;'], [], `hlsemu::thresholded_relu<$A, $R, config>($x, $y, hlsemu::from_raw<t_param>(${ll(c.theta_raw)}));`);
    case 'prelu':
      return elementwise(c, ['param'], ['typedef t_param param_t;'], [arrLit('ALPHA', c.alpha)], 'hlsemu::prelu<$A, $R, config>($x, $y, ALPHA);');
    case 'hard_sigmoid':
    case 'hard_tanh':
      return elementwise(
        c,
        ['slope', 'shift'],
        ['typedef t_slope slope_t;', 'typedef t_shift shift_t;'],
        [],
        `hlsemu::${k}<$A, $R, config>($x, $y, hlsemu::from_raw<t_slope>(${ll(c.slope_raw)}), hlsemu::from_raw<t_shift>(${ll(c.shift_raw)}));`,
      );
    case 'elu':
      return elementwise(
        c,
        ['table', 'param'],
        [u('table_size', N), 'typedef t_table table_t;', 'typedef t_param param_t;'],
        [arrLit('TABLE', tableOf(c))],
        `hlsemu::elu<$A, $R, config>($x, $y, hlsemu::from_raw<t_param>(${ll(c.alpha_raw)}), TABLE);`,
      );
    case 'sigmoid':
    case 'tanh':
    case 'selu':
    case 'softplus':
    case 'softsign':
      return lut(k);
    case 'unary_lut':
      return elementwise(c, ['table'], [u('table_size', N), 'typedef t_table table_t;'], [arrLit('TABLE', c.table)], 'hlsemu::unary_lut<$A, $R, config>($x, $y, TABLE);');
    case 'softmax':
      return softmaxCase(c);
  }
  throw new Error(`no C++ test generator for ${k}`);
}

function softmaxCase(c: KCase): Gen {
  const cfg = c.config;
  const impl = String(cfg.implementation);
  const n = cfg.n_in as number;
  const shape: number[] = cfg.shape ?? [n];
  const st = stream(c);
  const pack = st ? shape[shape.length - 1]! : n;
  const legacyStream = st && impl === 'legacy';
  const expN = legacyStream ? (cfg.table_size as number) : (cfg.exp_table_size as number);
  const invN = legacyStream ? (cfg.table_size as number) : (cfg.inv_table_size as number);
  const nSlice = st ? pack : (cfg.n_slice as number);
  const multidim = !st && ((cfg.n_outer ?? 1) > 1 || (cfg.n_inner ?? 1) > 1);
  const tdefs = [
    ...typedefs(c, 'input', 'result', 'exp_table', 'inv_table', 'accum', 'inv_inp'),
    `typedef ${impl === 'legacy' ? cpp(c, 'table') : 't_exp_table'} t_exp_tab;`,
    `typedef ${c.types.inp_norm_cpp ?? 'ap_fixed<1,0>'} t_inp_norm;`,
  ];
  const fields = [
    u('n_in', n),
    u('n_slice', nSlice),
    u('n_outer', multidim ? cfg.n_outer : 1),
    u('n_inner', multidim ? cfg.n_inner : 1),
    u('exp_table_size', expN),
    u('inv_table_size', invN),
    `static const unsigned implementation = hlsemu::softmax_${impl};`,
    'typedef t_exp_tab exp_table_t;',
    'typedef t_inv_table inv_table_t;',
    'typedef t_accum accum_t;',
    'typedef t_inv_inp inv_inp_t;',
    'typedef t_inp_norm inp_norm_t;',
  ];
  const tables = impl === 'argmax' ? [arrLit('EXP', []), arrLit('INV', [])] : [arrLit('EXP', tableOf(c, 'exp_table')), arrLit('INV', tableOf(c, 'inv_table'))];
  let call: string;
  if (multidim) call = 'hlsemu::softmax_multidim<$A, $R, config>($x, $y, EXP, INV);';
  else if (impl === 'argmax') call = 'hlsemu::argmax<$A, $R, config>($x, $y);';
  else call = 'hlsemu::softmax<$A, $R, config>($x, $y, EXP, INV);';
  return { decls: [...tdefs, ...tables, struct(fields)], ins: [{ t: 't_input', n, pack }], out: { t: 't_result', n, pack }, call };
}

const MERGE_OPS: Record<string, string> = { add: 'merge_add', subtract: 'merge_subtract', multiply: 'merge_multiply', average: 'merge_average', maximum: 'merge_maximum', minimum: 'merge_minimum' };

function mergeCase(c: KCase): Gen {
  const cfg = c.config;
  const k = c.kernel as string;
  const decls = typedefs(c, 'input1', 'input2', 'result');
  if (k === 'dot1d') {
    const n = cfg.n_in as number;
    const product = cfg.product === 'weight_ternary' ? 'hlsemu::product_weight_ternary' : cfg.product === 'weight_binary' ? 'hlsemu::product_weight_binary' : 'hlsemu::product_mult';
    return {
      decls: [...decls, ...typedefs(c, 'accum'), struct([u('n_in', n), 'typedef t_accum accum_t;', `static const unsigned product = ${product};`])],
      ins: [{ t: 't_input1', n, pack: n }, { t: 't_input2', n, pack: n }],
      out: { t: 't_result', n: 1, pack: 1 },
      call: 'hlsemu::dot1d<$A, $B, $R, config>($x, $x2, $y);',
    };
  }
  if (k === 'concatenate') {
    const s1: number[] = cfg.shape1;
    const s2: number[] = cfg.shape2;
    const rank = s1.length;
    const dim = concatDim(rank, cfg.axis as number);
    const n1 = prod(s1);
    const n2 = prod(s2);
    if (stream(c)) {
      const last = dim === rank - 1;
      const fields = [
        u('n_outer', last ? prod(s1.slice(0, -1)) : prod(s1.slice(0, dim))),
        u('n_words1', last ? 1 : prod(s1.slice(dim, -1))),
        u('n_words2', last ? 1 : prod(s2.slice(dim, -1))),
        `static const bool last_axis = ${String(last)};`,
      ];
      const out: number[] = cfg.out_shape;
      return {
        decls: [...decls, struct(fields)],
        ins: [{ t: 't_input1', n: n1, pack: s1[rank - 1]! }, { t: 't_input2', n: n2, pack: s2[rank - 1]! }],
        out: { t: 't_result', n: n1 + n2, pack: out[out.length - 1]! },
        call: 'hlsemu::concatenate_stream<$A, $B, $R, config>($x, $x2, $y);',
      };
    }
    const fields = [u('n_outer', prod(s1.slice(0, dim))), u('n_inner1', prod(s1.slice(dim))), u('n_inner2', prod(s2.slice(dim)))];
    return {
      decls: [...decls, struct(fields)],
      ins: [{ t: 't_input1', n: n1, pack: n1 }, { t: 't_input2', n: n2, pack: n2 }],
      out: { t: 't_result', n: n1 + n2, pack: n1 + n2 },
      call: 'hlsemu::concatenate<$A, $B, $R, config>($x, $x2, $y);',
    };
  }
  const op = MERGE_OPS[k];
  if (!op) throw new Error(`no C++ test generator for ${k}`);
  const n = cfg.n_elem as number;
  const shape: number[] = cfg.shape ?? [n];
  const pack = stream(c) ? ((cfg.pack_size as number | undefined) ?? shape[shape.length - 1]!) : 0;
  return {
    decls: [...decls, struct([u('n_elem', n), u('n_elem1', cfg.n_elem1), u('n_elem2', cfg.n_elem2), `static const unsigned op = hlsemu::${op};`])],
    ins: [{ t: 't_input1', n: cfg.n_elem1, pack: pack || cfg.n_elem1 }, { t: 't_input2', n: cfg.n_elem2, pack: pack || cfg.n_elem2 }],
    out: { t: 't_result', n, pack: pack || n },
    call: 'hlsemu::merge<$A, $B, $R, config>($x, $x2, $y);',
  };
}

function structuralCase(c: KCase): Gen {
  const cfg = c.config;
  const k = c.kernel as string;
  switch (k) {
    case 'resize_nearest': {
      const C = cfg.n_chan as number;
      const fields = ['height', 'width', 'n_chan', 'new_height', 'new_width'].map((f) => u(f, cfg[f]));
      const n = cfg.height * cfg.width * C;
      const m = cfg.new_height * cfg.new_width * C;
      return {
        decls: [...typedefs(c, 'input'), struct(fields)],
        ins: [{ t: 't_input', n, pack: stream(c) ? C : n }],
        out: { t: 't_input', n: m, pack: stream(c) ? C : m },
        call: 'hlsemu::resize_nearest<$A, config>($x, $y);',
      };
    }
    case 'cropping1d':
    case 'cropping2d': {
      const C = cfg.n_chan as number;
      const two = k === 'cropping2d';
      const H = two ? cfg.in_height : 1;
      const OH = two ? cfg.out_height : 1;
      const fields = [
        u('n_chan', C),
        u('in_height', H),
        u('in_width', cfg.in_width),
        u('out_height', OH),
        u('out_width', cfg.out_width),
        u('crop_top', two ? cfg.crop_top : 0),
        u('crop_left', cfg.crop_left),
        `static const bool channels_first = ${String(cfg.data_format === 'channels_first')};`,
      ];
      const n = H * cfg.in_width * C;
      const m = OH * cfg.out_width * C;
      return {
        decls: [...typedefs(c, 'input', 'result'), struct(fields)],
        ins: [{ t: 't_input', n, pack: stream(c) ? C : n }],
        out: { t: 't_result', n: m, pack: stream(c) ? C : m },
        call: 'hlsemu::crop<$A, $R, config>($x, $y);',
      };
    }
    case 'zeropad1d': {
      const C = cfg.n_chan as number;
      const cf = cfg.data_format === 'channels_first';
      const fields = [u('n_chan', C), u('in_height', 1), u('in_width', cfg.in_width), u('out_height', 1), u('out_width', cfg.out_width), u('pad_top', 0), u('pad_left', cfg.pad_left)];
      const n = cfg.in_width * C;
      const m = cfg.out_width * C;
      return {
        decls: [...typedefs(c, 'input', 'result'), struct(fields)],
        ins: [{ t: 't_input', n, pack: stream(c) ? C : n }],
        out: { t: cf ? 't_input' : 't_result', n: m, pack: stream(c) ? C : m },
        call: cf ? 'hlsemu::zeropad_cf<$A, config>($x, $y);' : 'hlsemu::zeropad<$A, $R, config>($x, $y);',
      };
    }
    case 'transpose': {
      const from: number[] = cfg.in_shape;
      const to: number[] = cfg.out_shape;
      const D = from.length;
      const fields = [u('dims', D), u('N', prod(from)), `static const unsigned to_shape[${D}];`, `static const unsigned perm_strides[${D}];`];
      const defs = [`const unsigned config::to_shape[${D}] = {${to.join(', ')}};`, `const unsigned config::perm_strides[${D}] = {${(cfg.perm_strides as number[]).join(', ')}};`];
      return {
        decls: [...typedefs(c, 'input', 'result'), struct(fields), ...defs],
        ins: [{ t: 't_input', n: prod(from), pack: stream(c) ? from[D - 1]! : prod(from) }],
        out: { t: 't_result', n: prod(to), pack: stream(c) ? to[D - 1]! : prod(to) },
        call: 'hlsemu::transpose<$A, $R, config>($x, $y);',
      };
    }
    case 'embedding': {
      const fields = [u('n_in', cfg.n_in), u('n_out', cfg.n_out), u('vocab_size', cfg.vocab_size), 'typedef t_embeddings embeddings_t;'];
      const n = cfg.n_in as number;
      const m = n * cfg.n_out;
      return {
        decls: [...typedefs(c, 'input', 'embeddings', 'result'), arrLit('EMB', c.embeddings), struct(fields)],
        ins: [{ t: 't_input', n, pack: n }],
        out: { t: 't_result', n: m, pack: stream(c) ? cfg.n_out : m },
        call: 'hlsemu::embedding<$A, $R, config>($x, $y, EMB);',
      };
    }
  }
  throw new Error(`no C++ test generator for ${k}`);
}

/** The generator for one case. */
export function caseGen(c: KCase): Gen {
  const k = c.kernel as string;
  if (['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum', 'dot1d', 'concatenate'].includes(k)) return mergeCase(c);
  if (['resize_nearest', 'cropping1d', 'cropping2d', 'zeropad1d', 'transpose', 'embedding'].includes(k)) return structuralCase(c);
  return activation(c);
}

const PRELUDE = `#include "hlsemu_common.h"
#include "hlsemu_int.h"
#include "hlsemu_activation.h"
#include "hlsemu_softmax.h"
#include "hlsemu_activation_ext.h"
#include "hlsemu_merge.h"
#include "hlsemu_merge_ext.h"
#include "hlsemu_padding.h"
#include "hlsemu_reshape.h"
#include "hlsemu_embed.h"
#include <cstdio>

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N> long long raw_ll(const ap_fixed<W, I, Q, O, N> &x) {
  ap_int<W> r;
  r.range(W - 1, 0) = x.range(W - 1, 0);
  return r.to_int64();
}
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N> long long raw_ll(const ap_ufixed<W, I, Q, O, N> &x) {
  ap_uint<W> r;
  r.range(W - 1, 0) = x.range(W - 1, 0);
  return (long long)r.to_uint64();
}
template <int W> long long raw_ll(const ap_int<W> &x) { return x.to_int64(); }
template <int W> long long raw_ll(const ap_uint<W> &x) { return (long long)x.to_uint64(); }

template <class T> void fill(T *x, const long long *r, unsigned n) {
  for (unsigned i = 0; i < n; i++) x[i] = hlsemu::from_raw<T>(r[i]);
}
template <class W_T> void fill(hls::stream<W_T> &s, const long long *r, unsigned n) {
  for (unsigned w = 0; w < n / W_T::size; w++) {
    W_T word;
    for (unsigned e = 0; e < W_T::size; e++) word[e] = hlsemu::from_raw<typename W_T::value_type>(r[w * W_T::size + e]);
    s.write(word);
  }
}
template <class T> void put(int c, int s, const T *y, unsigned n) {
  printf("%d %d", c, s);
  for (unsigned i = 0; i < n; i++) printf(" %lld", raw_ll(y[i]));
  printf("\\n");
}
template <class W_T> void put(int c, int s, hls::stream<W_T> &y, unsigned n) {
  printf("%d %d", c, s);
  for (unsigned w = 0; w < n / W_T::size; w++) {
    const W_T word = y.read();
    for (unsigned e = 0; e < W_T::size; e++) printf(" %lld", raw_ll(word[e]));
  }
  if (!y.empty()) printf(" EXTRA");
  printf("\\n");
}
`;

/** One translation unit running `cases` (numbered from `first`); prints `case sample raws…` lines. */
export function translationUnit(cases: readonly KCase[], first: number): string {
  const parts: string[] = [PRELUDE];
  const runs: string[] = [];
  cases.forEach((c, j) => {
    const id = first + j;
    const g = caseGen(c);
    const st = stream(c);
    const inputs: unknown[] = c.inputs;
    const lines: string[] = [`namespace case${id} {`, ...g.decls];
    const two = g.ins.length === 2;
    g.ins.forEach((p, q) => {
      const rows = inputs.map((x) => (two ? (x as unknown[][])[q]! : (x as unknown[]))) as (number | string)[][];
      lines.push(`static const long long X${q}[${rows.length}][${Math.max(1, p.n)}] = {${rows.map((r) => `{${r.map(ll).join(', ')}}`).join(', ')}};`);
      if (st) lines.push(`typedef hlsemu::array<${p.t}, ${p.pack}> w${q}_t;`);
    });
    if (st) lines.push(`typedef hlsemu::array<${g.out.t}, ${Math.max(1, g.out.pack)}> wo_t;`);
    const A = st ? 'w0_t' : g.ins[0]!.t;
    const B = two ? (st ? 'w1_t' : g.ins[1]!.t) : '';
    const R = st ? 'wo_t' : g.out.t;
    const call = g.call.replace(/\$A/g, A).replace(/\$B/g, B).replace(/\$R/g, R).replace(/\$x2/g, 'x1').replace(/\$x/g, 'x0').replace(/\$y/g, 'y');
    lines.push('void run() {', `  for (int s = 0; s < ${inputs.length}; s++) {`);
    g.ins.forEach((p, q) => {
      if (st) lines.push(`    hls::stream<w${q}_t> x${q};`, `    fill(x${q}, X${q}[s], ${p.n});`);
      else lines.push(`    ${p.t} x${q}[${Math.max(1, p.n)}];`, `    fill(x${q}, X${q}[s], ${p.n});`);
    });
    if (st) lines.push('    hls::stream<wo_t> y;');
    else lines.push(`    ${g.out.t} y[${Math.max(1, g.out.n)}];`);
    lines.push(`    ${call}`, `    put(${id}, s, y, ${g.out.n});`, '  }', '}', `} // namespace case${id}`);
    parts.push(lines.join('\n'));
    runs.push(`  case${id}::run();`);
  });
  parts.push(`int main() {\n${runs.join('\n')}\n  return 0;\n}\n`);
  return parts.join('\n\n');
}
