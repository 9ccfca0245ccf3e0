/**
 * Kernel-level C simulation of hlsemu's own C++ kernels for the depthwise / separable, recurrent,
 * LayerNormalization and EinsumDense families: for every reference case a small C++ program
 * instantiates the kernel with the case's config, types, weights and tables, runs its inputs and
 * prints the raw outputs, which must equal the case's outputs. One translation unit per family
 * (cases in namespaces), compiled with g++ -O1 against AP_TYPES_INCLUDE (skipped when unset).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMON_H } from '../../src/emit/cpp/common.js';
import { DENSE_H, PRODUCT_H } from '../../src/emit/cpp/dense.js';
import { DEPTHWISE_H } from '../../src/emit/cpp/depthwise.js';
import { EINSUM_H } from '../../src/emit/cpp/einsum.js';
import { LAYERNORM_H } from '../../src/emit/cpp/layernorm.js';
import { RECURRENT_H } from '../../src/emit/cpp/recurrent.js';
import { apTypes, goldenDir } from './helpers.js';

const AP = apTypes();
if (!AP) {
  console.warn('test/emit/kernels-seq-csim.test.ts: AP_TYPES_INCLUDE is not set (a directory with ap_fixed.h and hls_stream.h); the kernel C-simulation tests are skipped');
}

type Case = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function cases(file: string): Case[] {
  return readFileSync(join(goldenDir(), file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Case);
}

const cpp = (t: { cpp: string }) => t.cpp;
const list = (xs: readonly (number | string)[]) => xs.map((v) => `${String(v)}LL`).join(', ');
const arr = (name: string, xs: readonly (number | string)[]) => `static const long long ${name}[] = {${xs.length ? list(xs) : '0LL'}};`;
const inputs2d = (c: Case) => `static const long long XS[${c.inputs.length}][${c.inputs[0].length}] = {${c.inputs.map((x: number[]) => `{${list(x)}}`).join(', ')}};`;
const denseCfg = (name: string, nIn: number, nOut: number, strategy: string, rf: number, nZeros: number, acc: string, w: string, b: string) => `struct ${name} {
  static const unsigned n_in = ${nIn}, n_out = ${nOut}, reuse_factor = ${rf}, n_zeros = ${nZeros};
  static const unsigned strategy = ${strategy === 'resource' ? 'hlsemu::strategy_resource' : 'hlsemu::strategy_latency'};
  typedef ${acc} accum_t; typedef ${w} weight_t; typedef ${b} bias_t;
};`;
const zeros = (xs: readonly number[]) => xs.filter((v) => v === 0).length;

/** Prints `R <case> <input> raws…` for an array y of n values. */
const printArr = (id: number, n: number) => `printf("R ${id} %u", k); for (unsigned j = 0; j < ${n}; j++) hlsemu::print_raw(stdout, y[j]); printf("\\n");`;

function typedefs(c: Case): string {
  return Object.entries(c.types as Record<string, { cpp: string }>)
    .map(([k, t]) => `typedef ${cpp(t)} t_${k};`)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Depthwise / separable
// ---------------------------------------------------------------------------------------------

function dwConfig(c: Case, name: string, acc: string, w: string, b: string, nZeros: number): { text: string; stream: boolean; padded: [number, number] } {
  const cfg = c.config;
  const dl = cfg.depthwise_layer;
  const is2d = String(c.kernel).endsWith('2d');
  const stream = cfg.io_type === 'io_stream';
  const H = is2d ? cfg.in_height : 1;
  const W = cfg.in_width;
  const pt = is2d ? cfg.pad_top : 0;
  const pb = is2d ? cfg.pad_bottom : 0;
  const pl = cfg.pad_left;
  const pr = cfg.pad_right;
  const inH = stream ? H + pt + pb : H;
  const inW = stream ? W + pl + pr : W;
  const enc = stream && String(cfg.implementation).toLowerCase() === 'encoded';
  const K = (is2d ? cfg.filt_height : 1) * cfg.filt_width;
  const lines = [
    `struct ${name} {`,
    `  static const unsigned in_height = ${inH}, in_width = ${inW}, n_chan = ${cfg.n_chan};`,
    `  static const unsigned filt_height = ${is2d ? cfg.filt_height : 1}, filt_width = ${cfg.filt_width};`,
    `  static const unsigned stride_height = ${is2d ? cfg.stride_height : 1}, stride_width = ${cfg.stride_width};`,
    `  static const unsigned pad_top = ${stream ? 0 : pt}, pad_left = ${stream ? 0 : pl};`,
    `  static const unsigned out_height = ${is2d ? cfg.out_height : 1}, out_width = ${cfg.out_width};`,
    `  static const unsigned reuse_factor = ${cfg.reuse_factor ?? 1}, n_zeros = ${nZeros};`,
    `  static const unsigned strategy = ${String(cfg.strategy).toLowerCase() === 'resource' ? 'hlsemu::strategy_resource' : 'hlsemu::strategy_latency'};`,
    `  static const bool encoded = ${enc};`,
    `  typedef ${acc} accum_t; typedef ${w} weight_t; typedef ${b} bias_t;`,
  ];
  if (enc) {
    const kind = (k: string | undefined) => (k === 'scale_index_regular' ? 'hlsemu::scale_regular' : 'hlsemu::scale_unscaled');
    lines.push(
      `  static const unsigned min_height = ${is2d ? dl.min_height : 1}, min_width = ${dl.min_width};`,
      `  static const unsigned scale_index_height = ${is2d ? kind(dl.scale_index_height) : 'hlsemu::scale_unscaled'}, scale_index_width = ${kind(is2d ? dl.scale_index_width : dl.scale_index)};`,
      `  static const unsigned fifo_depth = ${inH * inW};`,
      `  static const ap_uint<${K}> pixels[];`,
    );
  }
  lines.push('};');
  if (enc) lines.push(`const ap_uint<${K}> ${name}::pixels[] = {${(dl.pixels as number[]).join(', ')}};`);
  return { text: lines.join('\n'), stream, padded: [pt, pl] };
}

function sepconvCase(c: Case, id: number): string {
  const cfg = c.config;
  const sep = String(c.kernel).startsWith('separable');
  const is2d = String(c.kernel).endsWith('2d');
  const C = cfg.n_chan;
  const H = is2d ? cfg.in_height : 1;
  const W = cfg.in_width;
  const outPix = (is2d ? cfg.out_height : 1) * cfg.out_width;
  const dwW: number[] = sep ? c.depthwise_weights : c.weights;
  const d = sep
    ? dwConfig(c, 'dwcfg', 't_depthwise_accum', 't_depthwise', 't_depthwise_bias', zeros(dwW))
    : dwConfig(c, 'dwcfg', 't_accum', 't_weight', 't_bias', zeros(dwW));
  const F = sep ? cfg.n_filt : C;
  const pl = cfg.pointwise_layer;
  const body: string[] = [typedefs(c), d.text, arr('DW', dwW), arr('DB', sep ? c.depthwise_bias : c.bias), inputs2d(c)];
  if (sep) {
    body.push(denseCfg('pwcfg', C, F, String(pl.strategy ?? 'latency').toLowerCase(), pl.reuse_factor ?? 1, zeros(c.pointwise_weights), 't_pointwise_accum', 't_pointwise', 't_bias'));
    body.push('struct sepcfg { typedef dwcfg depthwise_config; typedef pwcfg pointwise_config; };');
    body.push(arr('PW', c.pointwise_weights), arr('PB', c.bias));
  }
  const resT = 't_result';
  const midT = sep ? 't_depthwise_result' : 't_result';
  let run: string;
  if (!d.stream) {
    const call = sep ? `hlsemu::separable_conv<t_input, ${midT}, ${resT}, sepcfg>(x, y, DW, DB, PW, PB);` : `hlsemu::depthwise_conv<t_input, ${resT}, dwcfg>(x, y, DW, DB);`;
    run = `t_input x[${H * W * C}]; ${resT} y[${outPix * F}];
    for (unsigned i = 0; i < ${H * W * C}; i++) x[i] = hlsemu::from_raw<t_input>(XS[k][i]);
    ${call}
    ${printArr(id, outPix * F)}`;
  } else {
    const [pt, pleft] = d.padded;
    const PH = H + (is2d ? cfg.pad_top + cfg.pad_bottom : 0);
    const PW = W + cfg.pad_left + cfg.pad_right;
    const call = sep
      ? `hlsemu::separable_conv<hlsemu::array<t_input, ${C}>, hlsemu::array<${midT}, ${C}>, hlsemu::array<${resT}, ${F}>, sepcfg>(in, out, DW, DB, PW, PB);`
      : `hlsemu::depthwise_conv<hlsemu::array<t_input, ${C}>, hlsemu::array<${resT}, ${F}>, dwcfg>(in, out, DW, DB);`;
    run = `hls::stream<hlsemu::array<t_input, ${C}> > in; hls::stream<hlsemu::array<${resT}, ${F}> > out;
    for (int ph = 0; ph < ${PH}; ph++) for (int pw = 0; pw < ${PW}; pw++) {
      hlsemu::array<t_input, ${C}> wd; const int h = ph - ${pt}, w = pw - ${pleft};
      const bool inside = h >= 0 && h < ${H} && w >= 0 && w < ${W};
      for (unsigned ch = 0; ch < ${C}; ch++) wd[ch] = inside ? hlsemu::from_raw<t_input>(XS[k][(h * ${W} + w) * ${C} + ch]) : t_input(0);
      in.write(wd);
    }
    ${call}
    ${resT} y[${outPix * F}];
    for (unsigned p = 0; p < ${outPix}; p++) { hlsemu::array<${resT}, ${F}> o = out.read(); for (unsigned f = 0; f < ${F}; f++) y[p * ${F} + f] = o[f]; }
    if (!out.empty() || !in.empty()) printf("E ${id} stream not drained\\n");
    ${printArr(id, outPix * F)}`;
  }
  return `namespace case${id} {\n${body.join('\n')}\nvoid run() {\n  for (unsigned k = 0; k < ${c.inputs.length}; k++) {\n    ${run}\n  }\n}\n}`;
}

// ---------------------------------------------------------------------------------------------
// Recurrent
// ---------------------------------------------------------------------------------------------

function recurrentCase(c: Case, id: number): string {
  const cfg = c.config;
  const lstm = c.kernel === 'lstm';
  const m = lstm ? 4 : 3;
  const n = cfg.n_state;
  const strategy = String(cfg.strategy).toLowerCase();
  const kind = (a: string) => (a === 'relu' ? 'hlsemu::recr_act_relu' : a === 'sigmoid' ? 'hlsemu::recr_act_sigmoid' : 'hlsemu::recr_act_tanh');
  const tables = c.tables ?? {};
  const body = [
    typedefs(c),
    denseCfg('m1', cfg.n_in, m * n, strategy, cfg.reuse_factor ?? 1, zeros(c.weights), 't_accum', 't_weight', 't_bias'),
    denseCfg('m2', n, m * n, strategy, cfg.recurrent_reuse_factor ?? cfg.reuse_factor ?? 1, zeros(c.recurrent_weights), 't_accum', 't_recurrent_weight', 't_recurrent_bias'),
    `struct rcfg {
  static const unsigned n_in = ${cfg.n_in}, n_state = ${n}, n_sequence = ${cfg.n_sequence}, n_sequence_out = ${cfg.n_sequence_out};
  static const unsigned activation = ${kind(cfg.activation)}, recurrent_activation = ${kind(cfg.recurrent_activation)};
  static const unsigned table_size = ${cfg.table_size}, recr_table_size = ${cfg.table_size};
  typedef t_accum accum_t; typedef t_table table_t; typedef t_table recr_table_t; typedef m1 mult_config1; typedef m2 mult_config2;
};`,
    arr('W', c.weights),
    arr('WR', c.recurrent_weights),
    arr('B', c.bias),
    arr('BR', c.recurrent_bias),
    arr('AT', tables.activation_table ?? []),
    arr('RT', tables.recurrent_activation_table ?? []),
    inputs2d(c),
  ];
  const nIn = cfg.n_sequence * cfg.n_in;
  const nOut = cfg.n_sequence_out * n;
  const fn = lstm ? 'lstm' : 'gru';
  const run =
    cfg.io_type === 'io_stream'
      ? `hls::stream<hlsemu::array<t_input, ${cfg.n_in}> > in; hls::stream<hlsemu::array<t_result, ${n}> > out;
    for (unsigned t = 0; t < ${cfg.n_sequence}; t++) { hlsemu::array<t_input, ${cfg.n_in}> wd; for (unsigned i = 0; i < ${cfg.n_in}; i++) wd[i] = hlsemu::from_raw<t_input>(XS[k][t * ${cfg.n_in} + i]); in.write(wd); }
    hlsemu::${fn}<hlsemu::array<t_input, ${cfg.n_in}>, hlsemu::array<t_result, ${n}>, rcfg>(in, out, W, WR, B, BR, AT, RT);
    t_result y[${nOut}];
    for (unsigned p = 0; p < ${cfg.n_sequence_out}; p++) { hlsemu::array<t_result, ${n}> o = out.read(); for (unsigned u = 0; u < ${n}; u++) y[p * ${n} + u] = o[u]; }
    if (!out.empty()) printf("E ${id} stream not drained\\n");
    ${printArr(id, nOut)}`
      : `t_input x[${nIn}]; t_result y[${nOut}];
    for (unsigned i = 0; i < ${nIn}; i++) x[i] = hlsemu::from_raw<t_input>(XS[k][i]);
    hlsemu::${fn}<t_input, t_result, rcfg>(x, y, W, WR, B, BR, AT, RT);
    ${printArr(id, nOut)}`;
  return `namespace case${id} {\n${body.join('\n')}\nvoid run() {\n  for (unsigned k = 0; k < ${c.inputs.length}; k++) {\n    ${run}\n  }\n}\n}`;
}

// ---------------------------------------------------------------------------------------------
// LayerNorm, EinsumDense
// ---------------------------------------------------------------------------------------------

function layernormCase(c: Case, id: number): string {
  const cfg = c.config;
  const dim = cfg.n_in / cfg.seq_len;
  const body = [
    typedefs(c),
    `struct lcfg {
  static const unsigned n_in = ${cfg.n_in}, seq_len = ${cfg.seq_len}, dim = ${dim}, table_size = ${cfg.table_size}, table_range_power2 = ${cfg.table_range_power2};
  typedef t_accum accum_t; typedef t_scale scale_t; typedef t_bias bias_t; typedef t_table table_t;
};`,
    arr('S', c.scale),
    arr('B', c.bias),
    arr('T', c.tables.invert_sqr_table),
    inputs2d(c),
  ];
  const run = `t_input x[${cfg.n_in}]; t_result y[${cfg.n_in}];
    for (unsigned i = 0; i < ${cfg.n_in}; i++) x[i] = hlsemu::from_raw<t_input>(XS[k][i]);
    hlsemu::layernorm<t_input, t_result, lcfg>(x, y, S, B, T);
    ${printArr(id, cfg.n_in)}`;
  return `namespace case${id} {\n${body.join('\n')}\nvoid run() {\n  for (unsigned k = 0; k < ${c.inputs.length}; k++) {\n    ${run}\n  }\n}\n}`;
}

function einsumCase(c: Case, id: number): string {
  const cfg = c.config;
  const tpose = (name: string, shape: number[], perm: number[]) => `struct ${name} {
  static const unsigned dims = ${shape.length}, size = ${shape.reduce((a, b) => a * b, 1)};
  static const unsigned shape[], perm[];
};
const unsigned ${name}::shape[] = {${shape.join(', ')}};
const unsigned ${name}::perm[] = {${perm.join(', ')}};`;
  const nIn = cfg.n_free_data * cfg.n_contract * cfg.n_inplace;
  const nOut = cfg.n_free_data * cfg.n_free_kernel * cfg.n_inplace;
  const body = [
    typedefs(c),
    tpose('tin', cfg.inp_shape, cfg.inp_tpose_idxs),
    tpose('tout', cfg.out_interpert_shape, cfg.out_tpose_idxs),
    `struct ecfg {
  static const unsigned n_free_data = ${cfg.n_free_data}, n_free_kernel = ${cfg.n_free_kernel}, n_contract = ${cfg.n_contract}, n_inplace = ${cfg.n_inplace};
  typedef t_accum accum_t; typedef t_weight weight_t; typedef t_bias bias_t; typedef tin tpose_inp; typedef tout tpose_out;
};`,
    arr('W', c.weights),
    arr('B', c.bias),
    inputs2d(c),
  ];
  const run = `t_input x[${nIn}]; t_result y[${nOut}];
    for (unsigned i = 0; i < ${nIn}; i++) x[i] = hlsemu::from_raw<t_input>(XS[k][i]);
    hlsemu::einsum_dense<t_input, t_result, ecfg>(x, y, W, B);
    ${printArr(id, nOut)}`;
  return `namespace case${id} {\n${body.join('\n')}\nvoid run() {\n  for (unsigned k = 0; k < ${c.inputs.length}; k++) {\n    ${run}\n  }\n}\n}`;
}

// ---------------------------------------------------------------------------------------------
// Build and run
// ---------------------------------------------------------------------------------------------

const tmp = mkdtempSync(join(tmpdir(), 'hlsemu-kcsim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// At most two compilers / simulations at a time (the machine has two cores).
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function sh(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return slot(() => shNow(cmd, args));
}

function shNow(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/** Compiles and runs one translation unit of cases `first …`; returns per case index the mismatching inputs. */
async function simulate(name: string, header: string, cs: Case[], first: number, gen: (c: Case, id: number) => string): Promise<Map<number, string[]>> {
  const ids = cs.map((_, i) => first + i);
  const src = [`#include <cstdio>`, `#include "${header}"`, ...cs.map((c, i) => gen(c, ids[i]!)), `int main() {`, ...ids.map((id) => `  case${id}::run();`), `  return 0;`, `}`].join('\n');
  writeFileSync(join(tmp, `${name}.cpp`), src);
  const cc = await sh(process.env.CXX ?? 'g++', ['-O1', '-std=c++14', '-w', `-I${tmp}`, `-I${AP!}`, '-o', name, `${name}.cpp`]);
  if (cc.code !== 0) throw new Error(`g++ failed for ${name}:\n${cc.err.slice(0, 4000)}`);
  const r = await sh(join(tmp, name), []);
  if (r.code !== 0) throw new Error(`${name} exited with ${r.code}: ${r.err.slice(0, 2000)}`);
  const got = new Map<string, string[]>();
  for (const line of r.out.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'R') got.set(`${f[1]}/${f[2]}`, f.slice(3));
    else if (f[0] === 'E') throw new Error(line);
  }
  const result = new Map<number, string[]>();
  cs.forEach((c, i) => {
    const id = ids[i]!;
    const bad: string[] = [];
    (c.outputs as (number | string)[][]).forEach((want, k) => {
      const g = got.get(`${id}/${k}`);
      if (!g) bad.push(`input ${k}: no output`);
      else if (g.length !== want.length || g.some((v, j) => BigInt(v) !== BigInt(want[j]!))) {
        const j = g.findIndex((v, jj) => BigInt(v) !== BigInt(want[jj] ?? 0));
        bad.push(`input ${k}: index ${j}: expected ${String(want[j])}, got ${g[j]}`);
      }
    });
    result.set(id, bad);
  });
  return result;
}

/** Splits a family into translation units of at most `size` cases (they compile in parallel). */
async function simulateFamily(file: string, header: string, gen: (c: Case, id: number) => string, size = 15): Promise<Map<number, string[]>> {
  const cs = cases(file);
  const parts: Promise<Map<number, string[]>>[] = [];
  for (let i = 0; i < cs.length; i += size) parts.push(simulate(`${file.replace('.jsonl', '')}_${i}`, header, cs.slice(i, i + size), i, gen));
  const all = new Map<number, string[]>();
  for (const m of await Promise.all(parts)) for (const [k, v] of m) all.set(k, v);
  return all;
}

function writeHeaders(): void {
  const files: Record<string, string> = {
    'hlsemu_common.h': COMMON_H,
    'hlsemu_dense.h': DENSE_H,
    'hlsemu_product.h': PRODUCT_H,
    'hlsemu_depthwise.h': DEPTHWISE_H,
    'hlsemu_recurrent.h': RECURRENT_H,
    'hlsemu_layernorm.h': LAYERNORM_H,
    'hlsemu_einsum.h': EINSUM_H,
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(join(tmp, f), text);
}

const FAMILIES: { file: string; header: string; gen: (c: Case, id: number) => string }[] = [
  { file: 'sepconv.jsonl', header: 'hlsemu_depthwise.h', gen: sepconvCase },
  { file: 'recurrent.jsonl', header: 'hlsemu_recurrent.h', gen: recurrentCase },
  { file: 'layernorm.jsonl', header: 'hlsemu_layernorm.h', gen: layernormCase },
  { file: 'einsum_dense.jsonl', header: 'hlsemu_einsum.h', gen: einsumCase },
];

describe.skipIf(!AP)('C simulation of hlsemu kernels: depthwise/separable, recurrent, layernorm, einsum_dense', () => {
  writeHeaders();
  // All translation units are started together and compile concurrently.
  const runs = new Map<string, Promise<Map<number, string[]>>>();
  const start = (f: (typeof FAMILIES)[number]) => {
    if (!runs.has(f.file)) {
      const p = simulateFamily(f.file, f.header, f.gen);
      p.catch(() => undefined); // reported by the family's own test
      runs.set(f.file, p);
    }
    return runs.get(f.file)!;
  };
  for (const f of FAMILIES) {
    it(`${f.file}: every case reproduces bit for bit`, async () => {
      FAMILIES.forEach(start);
      const res = await start(f);
      const cs = cases(f.file);
      const failures = [...res.entries()].filter(([, bad]) => bad.length > 0).map(([i, bad]) => `${f.file}:${i + 1} (${String(cs[i]!.kernel)} ${String(cs[i]!.impl)}): ${bad.slice(0, 2).join('; ')}`);
      expect(failures, failures.join('\n')).toEqual([]);
      expect(res.size).toBe(cs.length);
    }, 600_000);
  }
});
