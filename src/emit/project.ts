/**
 * `emitProject`: writes a complete Vivado / Vitis HLS project for a FirmwareGraph — top function,
 * defines / parameters headers, exact weight headers, the hlsemu kernel library, a testbench with
 * default inputs, a Makefile for g++ C simulation and a build_prj.tcl for Vitis HLS, plus a
 * manifest (`hlsemu.json`) that the C-simulation driver reads.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from '../platform/fs.js';
import { join, resolve } from '../platform/path.js';
import { ConfigError, ShapeError, UnsupportedError } from '../errors.js';
import { formatFixedType, frac, type FixedType } from '../fixed/index.js';
import { shapeSize, type FirmwareGraph, type FirmwareGraphSpec, type FirmwareLayer } from '../graph/firmware.js';
import { checkFirmwareGraph, firmwareGraphToJson } from '../graph/check.js';
import { firmwareClass } from '../layers/registry.js';
import { COMMON_HEADER } from './cpp/common.js';
import { STREAM_HEADER } from './cpp/structural.js';
import { ProjectExistsError } from './errors.js';
import { OutputSet, checkOutputDir } from '../io/atomic.js';
import { formatRows, randomRawPortRows, toRawPortRows, type RawValue } from './inputs.js';
import { wordSizeOf, type CppHeader, type LayerCode, type TensorInfo, type WeightArray } from './layers.js';
import { fixedLiteral, formatRawInitializer, rawStorageType } from './literals.js';
import { NameTable } from './names.js';

/** Options of {@link emitProject}. */
export interface EmitOptions {
  /** Project / top-function name (a C identifier; sanitised with a warning). Default 'myproject'. */
  name?: string;
  /** Overwrite an existing, non-empty output directory. Default false. */
  force?: boolean;
  /**
   * Testbench inputs, one array per sample (flattened channels-last; with several input ports, the
   * ports' values one after the other in the model's input order). Default: random.
   */
  inputs?: readonly (readonly RawValue[])[];
  /** Whether `inputs` are raw mantissas (default) or real values to quantize into the input type. */
  inputKind?: 'raw' | 'float';
  /** Expected raw outputs for `inputs` (every output port one after the other; written to tb/expected.txt; csim compares against them). */
  expectedOutputs?: readonly (readonly RawValue[])[];
  /** Number of random samples when no inputs are given. Default 100. */
  samples?: number;
  /** Seed of the random inputs. Default 1. */
  seed?: number;
}

/** What {@link emitProject} wrote. */
export interface EmitResult {
  dir: string;
  name: string;
  /** Paths relative to `dir`, sorted. */
  files: string[];
  /** Renamed identifiers and other remarks. */
  warnings: string[];
  manifest: ProjectManifest;
}

/** `hlsemu.json`: what the C-simulation driver needs to know about an emitted project. */
export interface ProjectManifest {
  format: 'hlsemu-hls-project/1';
  name: string;
  ioType: FirmwareGraph['ioType'];
  /** The first input port (every port: `inputs`). */
  input: ManifestPort;
  /** The first output port (every port: `outputs`). */
  output: ManifestPort;
  /**
   * Every input port in the top function's argument order (absent in projects of older versions:
   * then `input` alone). A line of tb/inputs.txt holds the ports' raw values one after the other.
   */
  inputs?: ManifestPort[];
  /** Every output port in argument order; a line of the outputs holds them one after the other. */
  outputs?: ManifestPort[];
  /** Traced layers in execution order. */
  layers: Array<{ name: string; cname: string; cls: string; shape: number[]; size: number; type: string; summary: string }>;
  samples: number;
  hasExpected: boolean;
  warnings: string[];
  changes: string[];
  /** The FirmwareGraph itself (weights as raw arrays), so a reference can be rebuilt from the project. */
  graph: unknown;
}

/** One port of the top function in the manifest. */
export interface ManifestPort {
  name: string;
  cname: string;
  shape: number[];
  size: number;
  type: string;
}

/** Every input port of a manifest (older projects: the single `input`). @example manifestInputs(m).length */
export function manifestInputs(m: ProjectManifest): ManifestPort[] {
  return m.inputs ?? [m.input];
}

/** Every output port of a manifest (older projects: the single `output`). @example manifestOutputs(m) */
export function manifestOutputs(m: ProjectManifest): ManifestPort[] {
  return m.outputs ?? [m.output];
}

/** Compiler flags of the C simulation (Makefile and csim driver). */
export const CSIM_CXXFLAGS = ['-std=c++14', '-O1', '-DHLSEMU_TRACE', '-Wno-unknown-pragmas', '-Wno-deprecated-declarations'];

/**
 * The kernel headers a project ships: hlsemu_common.h and hlsemu_stream.h (the top function's data
 * movement), then every header the layers' calls need, each after the headers it includes.
 */
function kernelHeaders(codes: LayerCode[]): CppHeader[] {
  const out: CppHeader[] = [];
  const add = (h: CppHeader): void => {
    if (out.some((o) => o.file === h.file)) return;
    for (const n of h.needs ?? []) add(n);
    out.push(h);
  };
  add(COMMON_HEADER);
  add(STREAM_HEADER);
  for (const c of codes) for (const h of c.headers) add(h);
  return out;
}

/** Suffixes the emitter derives from a layer's identifier (used to keep every global name unique). */
const DERIVED = [
  '_out', '_result_t', '_word_t', '_accum_t', '_weight_t', '_bias_t', '_scale_t', '_table_t', '_exp_table_t', '_inv_table_t',
  '_inv_inp_t', '_inp_norm_t', '_param_t', '_w', '_b', '_s', '_alpha', '_table', '_exp_table', '_inv_table', '_padded', '_out_loc',
];

function derivedNames(id: string): string[] {
  return [...DERIVED.map((s) => id + s), `config_${id}`, `config_${id}_mult`, `config_${id}_pad`, `N_${id}`, `${id}_out_cp1`, `${id}_out_cp2`, `${id}_out_rest1`];
}

function checkIoType(t: FixedType, what: string): void {
  if ((t.signed && t.W > 64) || (!t.signed && t.W > 63)) {
    throw new UnsupportedError(what, `${formatFixedType(t)} is too wide for the testbench's 64-bit raw I/O`);
  }
}

/** Text safe inside a // comment. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

function header(title: string, lines: string[]): string {
  return [`// ${oneLine(title)}`, ...lines.map((l) => (l ? `// ${oneLine(l)}` : '//')), ''].join('\n');
}

interface Plan {
  name: string;
  graph: FirmwareGraph;
  /** The first input port (`inputs[0]`). */
  input: TensorInfo;
  inputC: string;
  /** Input ports in argument order (their `varName` is the argument). */
  inputs: TensorInfo[];
  codes: LayerCode[];
  tensors: Map<string, TensorInfo>;
  /** The first output port (`outputs[0]`). */
  output: TensorInfo;
  /** Output ports in argument order (their `varName` is the argument). */
  outputs: TensorInfo[];
  consumers: Map<string, Array<{ layer: number; slot: number }>>;
  warnings: string[];
}

/** The emission plan of a checked graph. */
function plan(graph: FirmwareGraph, name: string, nameWarnings: string[]): Plan {
  const io = graph.ioType;
  // hls4ml's input type names: input_t for the first input, input<k>_t for the k-th.
  const inTypeName = (j: number): string => (j === 0 ? 'input' : `input${j + 1}`);
  const names = new NameTable([name, ...graph.inputs.flatMap((_, j) => [`${inTypeName(j)}_t`, `${inTypeName(j)}_word_t`]), 'result_t', 'result_word_t', 'main', 'config']);
  const warnings: string[] = [];
  const inputs: TensorInfo[] = graph.inputs.map((port, j) => {
    const path = graph.inputs.length > 1 ? `graph.inputs[${j}]` : 'graph.input';
    const varName = names.take(port.name, 'input', (id) => [id]);
    checkIoType(port.type, `${path}.type`);
    const shape = [...port.shape];
    const size = shapeSize(shape);
    return { name: port.name, varName, elemType: `${inTypeName(j)}_t`, wordType: `${inTypeName(j)}_word_t`, type: port.type, shape, size, wordSize: wordSizeOf(shape), words: size / wordSizeOf(shape) };
  });
  const input = inputs[0]!;
  const inputC = input.varName;
  const tensors = new Map<string, TensorInfo>(inputs.map((t) => [t.name, t]));
  const codes: LayerCode[] = [];
  const consumers = new Map<string, Array<{ layer: number; slot: number }>>(inputs.map((t) => [t.name, []]));
  const ctx = { io, warnings };
  graph.layers.forEach((L: FirmwareLayer, k) => {
    if (!L || typeof L.name !== 'string') throw new ShapeError(`graph.layers[${k}]`, 'layer without a name');
    if (tensors.has(L.name)) throw new ConfigError(`graph.layers[${k}].name`, `duplicate layer name '${L.name}'`);
    const c = names.take(L.name, 'layer', derivedNames);
    const ins = (L.inputs ?? []).map((src, slot) => {
      const t = tensors.get(src);
      if (!t) throw new ShapeError(`${L.name}.inputs[${slot}]`, `unknown producer '${src}' (layers must be topologically ordered)`);
      consumers.get(src)!.push({ layer: k, slot });
      return t;
    });
    if (!L.types || !L.types.result) throw new ConfigError(`${L.name}.types.result`, 'missing result type');
    const code = firmwareClass(L.cls, L.name).emit(L as never, { ctx, cname: c, ins });
    codes.push(code);
    const shape = [...L.shapeOut];
    const size = shapeSize(shape);
    const ws = wordSizeOf(shape);
    tensors.set(L.name, {
      name: L.name,
      varName: `${c}_out`,
      elemType: `${c}_result_t`,
      wordType: `${c}_word_t`,
      type: L.types.result,
      shape,
      size,
      wordSize: ws,
      words: size / ws,
    });
    consumers.set(L.name, []);
  });
  const outputs = graph.outputs.map((o, k) => {
    const t = tensors.get(o);
    if (!t || inputs.includes(t)) throw new ShapeError(`graph.outputs[${k}]`, `'${o}' is not a layer of the graph`);
    checkIoType(t.type, `${o}.types.result`);
    return t;
  });
  for (const [t, list] of consumers) {
    if (list.length === 0 && !graph.outputs.includes(t)) warnings.push(`the output of '${t}' is not used by any layer`);
  }
  nameWarnings.push(...names.warnings);
  return { name, graph, input, inputC, inputs, codes, tensors, output: outputs[0]!, outputs, consumers, warnings };
}

// ---------------------------------------------------------------------------------------------
// File contents
// ---------------------------------------------------------------------------------------------
function definesH(p: Plan): string {
  const lines: string[] = [
    header(`defines.h -- sizes and types of ${p.name} (generated by hlsemu; do not edit)`, [
      'Tensors are flattened channels-last (row-major, last axis fastest).',
      'io_stream words: one pixel (the last axis) per word, or the whole tensor for 1-D tensors.',
    ]),
    '#ifndef DEFINES_H_',
    '#define DEFINES_H_',
    '',
    '#include "ap_fixed.h"',
    '#include "ap_int.h"',
    '#include "hls_stream.h"',
    '#include "hlsemu/hlsemu_common.h"',
    '',
    '// ---- tensor sizes (elements) ----',
    ...p.inputs.map((t) => `const unsigned N_${t.varName} = ${t.size}; // input ${JSON.stringify(t.shape)}`),
  ];
  for (const c of p.codes) {
    const t = p.tensors.get(c.layer.name)!;
    lines.push(`const unsigned N_${c.cname} = ${t.size}; // ${oneLine(c.layer.name)} ${JSON.stringify(t.shape)}`);
  }
  lines.push('', '// ---- tensor element types ----', ...p.inputs.map((t) => `typedef ${formatFixedType(t.type)} ${t.elemType};`));
  for (const c of p.codes) lines.push(`typedef ${formatFixedType(c.layer.types.result)} ${c.cname}_result_t;`);
  if (p.graph.ioType === 'io_stream') {
    lines.push('', '// ---- stream words ----', ...p.inputs.map((t) => `typedef hlsemu::array<${t.elemType}, ${t.wordSize}> ${t.wordType};`));
    for (const c of p.codes) {
      const t = p.tensors.get(c.layer.name)!;
      lines.push(`typedef hlsemu::array<${c.cname}_result_t, ${t.wordSize}> ${c.cname}_word_t;`);
    }
  }
  lines.push('', '// ---- layer-internal types ----');
  for (const c of p.codes) for (const [n, t] of c.typedefs) lines.push(`typedef ${formatFixedType(t)} ${n};`);
  const outC = p.output.elemType.replace(/_result_t$/, '');
  lines.push(
    '',
    '// ---- top-level interface ----',
    `typedef ${outC}_result_t result_t;`,
    ...(p.graph.ioType === 'io_stream' ? [`typedef ${outC}_word_t result_word_t;`] : []),
    ...(p.inputs.length > 1 || p.outputs.length > 1 ? ['// (several ports: the sizes of all input / output ports together, one line of the testbench files)'] : []),
    `const unsigned HLSEMU_N_IN = ${p.inputs.reduce((a, t) => a + t.size, 0)};`,
    `const unsigned HLSEMU_N_OUT = ${p.outputs.reduce((a, t) => a + t.size, 0)};`,
    `const unsigned HLSEMU_IN_WORDS = ${p.input.words};`,
    `const unsigned HLSEMU_OUT_WORDS = ${p.output.words};`,
    '',
    '#endif',
    '',
  );
  return lines.join('\n');
}

function parametersH(p: Plan): string {
  const lines: string[] = [
    header(`parameters.h -- kernel configuration of ${p.name} (generated by hlsemu; do not edit)`, [
      'One config struct per layer: the compile-time constants and types of its kernel, including the',
      'binary-mask instruction tables of Encoded convolutions and the i % pool tables of Encoded pooling.',
    ]),
    '#ifndef PARAMETERS_H_',
    '#define PARAMETERS_H_',
    '',
    '#include "defines.h"',
    '',
  ];
  for (const h of kernelHeaders(p.codes)) if (h !== COMMON_HEADER) lines.push(`#include "hlsemu/${h.file}"`);
  lines.push('');
  for (const c of p.codes) for (const a of c.arrays) lines.push(`#include "weights/${a.name}.h"`);
  lines.push('');
  for (const c of p.codes) for (const s of c.structs) lines.push(s, '');
  lines.push('#endif', '');
  return lines.join('\n');
}

function weightH(a: WeightArray): string {
  const guard = `HLSEMU_WEIGHTS_${a.name.toUpperCase()}_H_`;
  const t = formatFixedType(a.type);
  if (a.scalar) {
    return [
      header(`${a.name}: ${a.description}`, [`type ${a.elemType} = ${t}; exact literal of the raw value ${String(a.values[0])}`]),
      `#ifndef ${guard}`,
      `#define ${guard}`,
      '',
      `static const ${a.elemType} ${a.name} = ${fixedLiteral(a.values[0]!, a.type, a.name)};`,
      '',
      '#endif',
      '',
    ].join('\n');
  }
  return [
    header(`${a.name}: ${a.description}`, [
      `${a.values.length} raw mantissas (bit patterns) of ${a.elemType} = ${t}: value = raw * 2^-${frac(a.type)}.`,
      'The kernels reinterpret them with hlsemu::from_raw<T>, so every value is exact.',
    ]),
    `#ifndef ${guard}`,
    `#define ${guard}`,
    '',
    `static const ${rawStorageType(a.type, a.name)} ${a.name}[${a.values.length}] = {`,
    formatRawInitializer(a.values, a.type, a.name),
    '};',
    '',
    '#endif',
    '',
  ].join('\n');
}

/**
 * The top function: one argument per input port, then one per output port, in the model's order
 * (as hls4ml writes it). A single output is typed `result_t` / `result_word_t`, several outputs by
 * their layers' own types.
 */
function topSignature(p: Plan): string {
  const single = p.outputs.length === 1;
  if (p.graph.ioType === 'io_stream') {
    const ins = p.inputs.map((t) => `hls::stream<${t.wordType}> &${t.varName}`);
    const outs = p.outputs.map((t) => `hls::stream<${single ? 'result_word_t' : t.wordType}> &${t.varName}`);
    return `void ${p.name}(${[...ins, ...outs].join(', ')})`;
  }
  const ins = p.inputs.map((t) => `${t.elemType} ${t.varName}[N_${t.varName}]`);
  const outs = p.outputs.map((t) => (single ? `result_t ${t.varName}[HLSEMU_N_OUT]` : `${t.elemType} ${t.varName}[${t.size}]`));
  return `void ${p.name}(${[...ins, ...outs].join(', ')})`;
}

/** The ports of a plan as one line of text (comments). */
function portsText(ts: TensorInfo[]): string {
  return ts.map((t) => `${t.varName} ${JSON.stringify(t.shape)} of ${formatFixedType(t.type)}`).join(', ');
}

function topH(p: Plan): string {
  const guard = `${p.name.toUpperCase()}_H_`;
  return [
    header(`${p.name}.h -- top function of ${p.name} (generated by hlsemu)`, [
      p.inputs.length === 1 && p.outputs.length === 1
        ? `${p.graph.ioType}; input ${JSON.stringify(p.input.shape)} of ${formatFixedType(p.input.type)}, output ${JSON.stringify(p.output.shape)} of ${formatFixedType(p.output.type)}.`
        : `${p.graph.ioType}; inputs ${portsText(p.inputs)}; outputs ${portsText(p.outputs)}.`,
    ]),
    `#ifndef ${guard}`,
    `#define ${guard}`,
    '',
    '#include "ap_fixed.h"',
    '#include "ap_int.h"',
    '#include "hls_stream.h"',
    '',
    '#include "defines.h"',
    '',
    `${topSignature(p)};`,
    '',
    '#endif',
    '',
  ].join('\n');
}

function topCpp(p: Plan): string {
  const io = p.graph.ioType;
  const stream = io === 'io_stream';
  const body: string[] = [];
  const inPorts = p.inputs.map((t) => t.varName);
  const outPorts = p.outputs.map((t) => t.varName);
  if (stream) {
    body.push(...[...inPorts, ...outPorts].map((v) => `#pragma HLS INTERFACE axis port = ${v}`), '#pragma HLS DATAFLOW');
  } else {
    const resource = p.graph.layers.some((L) => String((L.config as { strategy?: string }).strategy ?? '').toLowerCase() === 'resource');
    body.push(
      ...inPorts.map((v) => `#pragma HLS ARRAY_RESHAPE variable = ${v} complete dim = 0`),
      ...outPorts.map((v) => `#pragma HLS ARRAY_PARTITION variable = ${v} complete dim = 0`),
      `#pragma HLS INTERFACE ap_vld port = ${[...inPorts, ...outPorts].join(',')}`,
      resource ? '#pragma HLS DATAFLOW' : '#pragma HLS PIPELINE',
    );
  }
  // Variables the consumers read. io_stream: a tensor read more than once (or read and also the
  // top-level output) is cloned into one stream per reader.
  const readVars = new Map<string, string[]>();
  // An output port whose tensor other layers read too (io_stream) is computed into a local stream
  // `<tensor>_out_loc`, then cloned into the port and one stream per reader.
  const emitFanOut = (t: TensorInfo, src: string, alsoPort: boolean): void => {
    const outPort = t.varName;
    const list = p.consumers.get(t.name) ?? [];
    if (!stream || list.length + (alsoPort ? 1 : 0) <= 1) {
      readVars.set(t.name, list.map(() => src));
      return;
    }
    const mine = list.map((_, i) => `${t.varName}_cp${i + 1}`);
    const targets = alsoPort ? [outPort, ...mine] : mine;
    for (const v of mine) body.push(`hls::stream<${t.wordType}> ${v}("${v}");`, `#pragma HLS STREAM variable = ${v} depth = ${t.words}`);
    let from = src;
    for (let k = 0; k < targets.length - 1; k++) {
      const last = k === targets.length - 2;
      const rest = last ? targets[k + 1]! : `${t.varName}_rest${k + 1}`;
      if (!last) body.push(`hls::stream<${t.wordType}> ${rest}("${rest}");`, `#pragma HLS STREAM variable = ${rest} depth = ${t.words}`);
      body.push(`hlsemu::clone<${t.wordType}, ${t.words}>(${from}, ${targets[k]}, ${rest});`);
      from = rest;
    }
    readVars.set(t.name, mine);
  };
  for (const t of p.inputs) emitFanOut(t, t.varName, false);
  p.codes.forEach((c, k) => {
    const L = c.layer;
    const t = p.tensors.get(L.name)!;
    const isOutput = p.graph.outputs.includes(L.name);
    const direct = isOutput && (!stream || (p.consumers.get(L.name) ?? []).length === 0);
    const outVar = direct || !isOutput ? t.varName : `${t.varName}_loc`;
    body.push('', `// ${oneLine(L.name)}: ${c.summary}`);
    if (!direct) {
      if (stream) body.push(`hls::stream<${t.wordType}> ${outVar}("${outVar}");`, `#pragma HLS STREAM variable = ${outVar} depth = ${t.words}`);
      else body.push(`${t.elemType} ${outVar}[N_${c.cname}];`, `#pragma HLS ARRAY_PARTITION variable = ${outVar} complete dim = 0`);
    }
    const ins = L.inputs.map((src) => p.tensors.get(src)!);
    const inVars = L.inputs.map((src, slot) => {
      const list = p.consumers.get(src)!;
      const idx = list.findIndex((u) => u.layer === k && u.slot === slot);
      return readVars.get(src)![idx]!;
    });
    body.push(...c.call(ins, inVars, t, outVar));
    body.push(stream ? `HLSEMU_TRACE_STREAM("${c.cname}", ${outVar}, ${t.words});` : `HLSEMU_TRACE_ARRAY("${c.cname}", ${outVar}, N_${c.cname});`);
    emitFanOut(t, outVar, isOutput && !direct);
  });
  return [
    header(`${p.name}.cpp -- top function of ${p.name} (generated by hlsemu)`, [
      `Layers: ${p.codes.length}, ${io}. Each layer's output is traced in C simulation when HLSEMU_TRACE is defined.`,
    ]),
    `#include "${p.name}.h"`,
    '#include "parameters.h"',
    '',
    `${topSignature(p)} {`,
    ...body.map((l) => (l === '' ? '' : l.startsWith('#pragma') ? l : `    ${l}`)),
    '}',
    '',
  ].join('\n');
}

/** The testbench's call of a top function with several ports: a line's values fill the input ports in order, the output ports print in order. */
function multiPortCall(p: Plan): string[] {
  const args = [...p.inputs.map((_, j) => `in${j}`), ...p.outputs.map((_, o) => `out${o}`)].join(', ');
  const lines: string[] = ['        unsigned at = 0, col = 0;'];
  if (p.graph.ioType === 'io_stream') {
    p.inputs.forEach((t, j) => {
      lines.push(
        `        hls::stream<${t.wordType}> in${j}("tb_input${j}");`,
        `        for (unsigned w = 0; w < ${t.words}; w++) {`,
        `            ${t.wordType} word;`,
        `            for (unsigned e = 0; e < ${t.wordType}::size; e++) hlsemu::set_raw(word[e], raw[at++]);`,
        `            in${j}.write(word);`,
        '        }',
      );
    });
    const single = p.outputs.length === 1;
    p.outputs.forEach((t, o) => lines.push(`        hls::stream<${single ? 'result_word_t' : t.wordType}> out${o}("tb_output${o}");`));
    lines.push(`        ${p.name}(${args});`);
    p.outputs.forEach((t, o) => {
      const w = single ? 'result_word_t' : t.wordType;
      lines.push(
        `        for (unsigned w = 0; w < ${t.words}; w++) {`,
        `            ${w} word = out${o}.read();`,
        `            for (unsigned e = 0; e < ${w}::size; e++) hlsemu::print_raw(fout, word[e], col++ ? " " : "");`,
        '        }',
      );
    });
    return lines;
  }
  const single = p.outputs.length === 1;
  p.inputs.forEach((t, j) => lines.push(`        static ${t.elemType} in${j}[${t.size}];`, `        for (unsigned i = 0; i < ${t.size}; i++) hlsemu::set_raw(in${j}[i], raw[at++]);`));
  p.outputs.forEach((t, o) => lines.push(`        static ${single ? 'result_t' : t.elemType} out${o}[${t.size}];`));
  lines.push(`        ${p.name}(${args});`);
  p.outputs.forEach((t, o) => lines.push(`        for (unsigned j = 0; j < ${t.size}; j++) hlsemu::print_raw(fout, out${o}[j], col++ ? " " : "");`));
  return lines;
}

function testbench(p: Plan): string {
  const stream = p.graph.ioType === 'io_stream';
  const multi = p.inputs.length > 1 || p.outputs.length > 1;
  const call = multi
    ? multiPortCall(p)
    : stream
    ? [
        '        hls::stream<input_word_t> in("tb_input");',
        '        hls::stream<result_word_t> out("tb_output");',
        '        for (unsigned w = 0; w < HLSEMU_IN_WORDS; w++) {',
        '            input_word_t word;',
        '            for (unsigned e = 0; e < input_word_t::size; e++) hlsemu::set_raw(word[e], raw[w * input_word_t::size + e]);',
        '            in.write(word);',
        '        }',
        `        ${p.name}(in, out);`,
        '        for (unsigned w = 0; w < HLSEMU_OUT_WORDS; w++) {',
        '            result_word_t word = out.read();',
        '            for (unsigned e = 0; e < result_word_t::size; e++) hlsemu::print_raw(fout, word[e], w + e ? " " : "");',
        '        }',
      ]
    : [
        '        static input_t x[HLSEMU_N_IN];',
        '        static result_t y[HLSEMU_N_OUT];',
        '        for (unsigned i = 0; i < HLSEMU_N_IN; i++) hlsemu::set_raw(x[i], raw[i]);',
        `        ${p.name}(x, y);`,
        '        for (unsigned j = 0; j < HLSEMU_N_OUT; j++) hlsemu::print_raw(fout, y[j], j ? " " : "");',
      ];
  return `${header(`${p.name}_test.cpp -- C-simulation testbench of ${p.name} (generated by hlsemu)`, [
    'usage: csim [inputs.txt [outputs.txt [trace.txt]]]   (defaults: tb/inputs.txt tb/outputs.txt, no trace)',
    ...(multi
      ? [
          `inputs.txt : one sample per line, HLSEMU_N_IN raw mantissas (integers; value = raw * 2^-F): the input ports`,
          `             one after the other (${portsText(p.inputs)}), each flattened channels-last;`,
          '             empty lines and lines starting with # are skipped.',
          `outputs.txt: one line per sample, HLSEMU_N_OUT raw mantissas: the output ports one after the other (${portsText(p.outputs)}).`,
        ]
      : [
          'inputs.txt : one sample per line, HLSEMU_N_IN raw mantissas of input_t (integers; value = raw * 2^-F),',
          '             flattened channels-last; empty lines and lines starting with # are skipped.',
          'outputs.txt: one line per sample, HLSEMU_N_OUT raw mantissas of result_t.',
        ]),
    'trace.txt  : per sample a line "# sample k", then one line per layer: its C name and raw outputs',
    '             (needs HLSEMU_TRACE, which the Makefile defines).',
  ])}#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "${p.name}.h"

int main(int argc, char **argv) {
    const char *in_path = argc > 1 ? argv[1] : "tb/inputs.txt";
    const char *out_path = argc > 2 ? argv[2] : "tb/outputs.txt";
    std::ifstream fin(in_path);
    if (!fin) {
        fprintf(stderr, "cannot open %s\\n", in_path);
        return 2;
    }
    FILE *fout = fopen(out_path, "w");
    if (!fout) {
        fprintf(stderr, "cannot write %s\\n", out_path);
        return 2;
    }
#ifndef __SYNTHESIS__
    FILE *ftrace = 0;
    if (argc > 3) {
        ftrace = fopen(argv[3], "w");
        if (!ftrace) {
            fprintf(stderr, "cannot write %s\\n", argv[3]);
            return 2;
        }
        hlsemu::trace_file() = ftrace;
    }
#endif
    std::vector<long long> raw;
    std::string line;
    unsigned samples = 0, line_no = 0;
    const std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
    while (std::getline(fin, line)) {
        line_no++;
        if (line.empty() || line[0] == '#') continue;
        raw.clear();
        std::istringstream ss(line);
        long long v;
        while (ss >> v) raw.push_back(v);
        if (!ss.eof() || raw.size() != HLSEMU_N_IN) {
            fprintf(stderr, "%s:%u: expected %u integers, got %u\\n", in_path, line_no, HLSEMU_N_IN, (unsigned)raw.size());
            return 3;
        }
#ifndef __SYNTHESIS__
        if (ftrace) fprintf(ftrace, "# sample %u\\n", samples);
#endif
${call.join('\n')}
        fprintf(fout, "\\n");
        samples++;
    }
    fclose(fout);
#ifndef __SYNTHESIS__
    if (ftrace) fclose(ftrace);
#endif
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    printf("hlsemu csim: %u samples in %.3f s (%.1f samples/s)\\n", samples, secs, secs > 0 ? samples / secs : 0.0);
    return 0;
}
`;
}

function makefile(p: Plan): string {
  return `# Makefile -- C simulation of ${p.name} with plain g++ (generated by hlsemu).
#
#   make AP_TYPES_INCLUDE=/path/to/ap_types          build build/csim
#   make run AP_TYPES_INCLUDE=...                     simulate tb/inputs.txt -> tb/outputs.txt
#   make trace AP_TYPES_INCLUDE=...                   also write every layer's output to tb/trace.txt
#   make clean
#
# AP_TYPES_INCLUDE is a directory holding ap_fixed.h, ap_int.h and hls_stream.h: <Vitis install>/include,
# or the open-source release of the Xilinx HLS arbitrary-precision headers.

CXX ?= g++
CXXFLAGS ?= ${CSIM_CXXFLAGS.join(' ')}
INCLUDES = -I$(AP_TYPES_INCLUDE) -Ifirmware -Ifirmware/hlsemu

.PHONY: all run trace clean check-ap-types

all: build/csim

check-ap-types:
\t@if [ -z "$(AP_TYPES_INCLUDE)" ] || [ ! -f "$(AP_TYPES_INCLUDE)/ap_fixed.h" ] || [ ! -f "$(AP_TYPES_INCLUDE)/hls_stream.h" ]; then \\
\t  echo "set AP_TYPES_INCLUDE to a directory with ap_fixed.h and hls_stream.h"; exit 1; fi

build/${p.name}.o: firmware/${p.name}.cpp $(wildcard firmware/*.h firmware/hlsemu/*.h firmware/weights/*.h) | check-ap-types
\t@mkdir -p build
\t$(CXX) $(CXXFLAGS) $(INCLUDES) -c $< -o $@

build/${p.name}_test.o: tb/${p.name}_test.cpp firmware/${p.name}.h firmware/defines.h | check-ap-types
\t@mkdir -p build
\t$(CXX) $(CXXFLAGS) $(INCLUDES) -c $< -o $@

build/csim: build/${p.name}.o build/${p.name}_test.o
\t$(CXX) $(CXXFLAGS) $^ -o $@

run: build/csim
\t./build/csim tb/inputs.txt tb/outputs.txt

trace: build/csim
\t./build/csim tb/inputs.txt tb/outputs.txt tb/trace.txt

clean:
\trm -rf build tb/outputs.txt tb/trace.txt
`;
}

function buildTcl(p: Plan): string {
  return `# build_prj.tcl -- Vitis HLS project of ${p.name} (generated by hlsemu).
#
#   vitis_hls -f build_prj.tcl                                   C simulation + synthesis
#   vitis_hls -f build_prj.tcl -tclargs csim=1 synth=0            C simulation only
#   vitis_hls -f build_prj.tcl -tclargs synth=1 cosim=1 export=1  synthesis, RTL co-simulation, IP export
#   options: csim synth cosim export (0/1), part=<FPGA part>, clock=<period ns>, uncertainty=<ns or %>, reset=1
#
# csim and cosim run tb/${p.name}_test.cpp on tb/inputs.txt and write tb/outputs_csim.txt /
# tb/outputs_cosim.txt (raw mantissas, one sample per line).

array set opt {csim 1 synth 1 cosim 0 export 0 part ${p.graph.project?.Part ?? 'xcvu13p-flga2577-2-e'} clock ${p.graph.project?.ClockPeriod ?? 5} uncertainty ${p.graph.project?.ClockUncertainty ?? '12.5%'} reset 1}
if {![info exists argv]} {
    set argv {}
}
foreach arg $argv {
    if {[regexp {^([a-z_]+)=(.*)$} $arg -> key value]} {
        set opt($key) $value
    }
}

set root [file dirname [file normalize [info script]]]
set cflags "-std=c++14 -I$root/firmware -I$root/firmware/hlsemu"

if {$opt(reset)} {
    open_project -reset ${p.name}_prj
} else {
    open_project ${p.name}_prj
}
set_top ${p.name}
add_files $root/firmware/${p.name}.cpp -cflags $cflags
add_files -tb $root/tb/${p.name}_test.cpp -cflags "$cflags -DHLSEMU_TRACE"
add_files -tb $root/tb/inputs.txt

if {$opt(reset)} {
    open_solution -reset solution1
} else {
    open_solution solution1
}
set_part $opt(part)
create_clock -period $opt(clock) -name default
set_clock_uncertainty $opt(uncertainty) default

if {$opt(csim)} {
    csim_design -argv "$root/tb/inputs.txt $root/tb/outputs_csim.txt"
}
if {$opt(synth)} {
    csynth_design
}
if {$opt(cosim)} {
    cosim_design -argv "$root/tb/inputs.txt $root/tb/outputs_cosim.txt"
}
if {$opt(export)} {
    export_design -format ip_catalog
}
exit
`;
}

function readme(p: Plan, samples: number, hasExpected: boolean): string {
  const rows = p.codes.map((c) => `| ${c.layer.name} | \`${c.cname}\` | ${c.summary} | ${JSON.stringify(p.tensors.get(c.layer.name)!.shape)} | \`${formatFixedType(c.layer.types.result)}\` |`);
  return `# ${p.name}

HLS project generated by hlsemu from the firmware graph \`${p.graph.name}\` (${p.graph.ioType}).
Its C simulation reproduces hlsemu's emulation bit for bit.

| layer | C name | kernel | output shape | output type |
|---|---|---|---|---|
${rows.join('\n')}

${p.inputs.map((t) => `* input \`${t.varName}\`: ${JSON.stringify(t.shape)} of \`${formatFixedType(t.type)}\``).join('\n')}
${p.outputs.map((t) => `* output \`${t.varName}\`: ${JSON.stringify(t.shape)} of \`${formatFixedType(t.type)}\``).join('\n')}
* \`tb/inputs.txt\`: ${samples} samples, raw mantissas (integers), one sample per line${p.inputs.length > 1 ? ' (the input ports one after the other)' : ''}${hasExpected ? '; `tb/expected.txt` holds the expected raw outputs' : ''}

C simulation with g++: \`make run AP_TYPES_INCLUDE=<dir with ap_fixed.h and hls_stream.h>\` (or \`hlsemu csim .\`).
Vitis HLS: \`vitis_hls -f build_prj.tcl -tclargs csim=1 synth=1\`.
${p.graph.changes.length ? `\nConversion changes recorded in the graph:\n\n${p.graph.changes.map((c) => `* ${c}`).join('\n')}\n` : ''}`;
}

/** What a previous emission wrote (replaced by `force` when the directory holds an hlsemu.json; never unrelated files). */
const PROJECT_ENTRIES = ['firmware', 'tb', 'build', 'Makefile', 'build_prj.tcl', 'hlsemu.json', 'README.md'];

/** A generated project: its files (relative path → text), without touching the file system. */
export interface RenderedProject {
  name: string;
  files: Map<string, string>;
  warnings: string[];
  manifest: ProjectManifest;
}

/**
 * Write a complete HLS project for `graph` into `outDir`: `firmware/<name>.cpp/.h`, `defines.h`,
 * `parameters.h`, `weights/*.h`, `hlsemu/*.h` (the kernel library), `tb/<name>_test.cpp`,
 * `tb/inputs.txt` (+ `tb/expected.txt`), `Makefile`, `build_prj.tcl`, `README.md`, `hlsemu.json`.
 * Output is deterministic (same graph and options → identical bytes).
 *
 * Throws {@link ProjectExistsError} for a non-empty `outDir` without `force`, `UnsupportedError`
 * for layers the emitter cannot reproduce, `ShapeError` / `ConfigError` for inconsistent graphs.
 *
 * @example
 * const ref = readReferenceModel(JSON.parse(readFileSync('model_svhn_paper_cnn_a.json', 'utf8')));
 * const r = emitProject(ref.graph, 'out/svhn', { inputs: ref.inputs, expectedOutputs: ref.outputs });
 * console.log(r.files.length, r.warnings);
 */
export function emitProject(graph: FirmwareGraph | FirmwareGraphSpec, outDir: string, options: EmitOptions = {}): EmitResult {
  const r = renderProject(graph, options);
  const dir = resolve(outDir);
  // Everything is generated (and validated) before the directory is touched; the files are staged
  // beside it and moved in only when all are written.
  checkOutputDir(dir);
  const existing = statSync(dir, { throwIfNoEntry: false });
  if (existing && !existing.isDirectory()) throw new ProjectExistsError(dir);
  const entries = existing ? readdirSync(dir) : [];
  if (entries.length > 0 && !options.force) throw new ProjectExistsError(dir);
  const out = new OutputSet();
  try {
    const staging = out.dir(dir, { replace: entries.includes('hlsemu.json') ? PROJECT_ENTRIES : [] });
    for (const [rel, text] of r.files) {
      const full = join(staging, rel);
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, text);
    }
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
  return { dir, name: r.name, files: [...r.files.keys()].sort(), warnings: r.warnings, manifest: r.manifest };
}

/**
 * Generate the HLS project for `graph` as a file map (relative path → text), without writing
 * anything: what {@link emitProject} writes, for callers that package it otherwise (a zip in the
 * browser).
 *
 * @example const { files } = renderProject(fw, { samples: 10 }); files.get('firmware/myproject.cpp');
 */
export function renderProject(graph: FirmwareGraph | FirmwareGraphSpec, options: EmitOptions = {}): RenderedProject {
  const warnings: string[] = [];
  const given = checkFirmwareGraph(graph);
  const requested = options.name ?? given.project?.ProjectName ?? 'myproject';
  const nameTable = new NameTable();
  const name = nameTable.take(requested, 'project name');
  warnings.push(...nameTable.warnings);
  const p = plan(given, name, warnings);
  warnings.push(...p.warnings);

  // Testbench inputs.
  const inPorts = p.inputs.map((t) => ({ size: t.size, type: t.type }));
  let inputs: RawValue[][];
  if (options.inputs !== undefined) {
    if (options.inputs.length === 0) throw new ShapeError('inputs', 'no samples given');
    inputs = toRawPortRows(options.inputs, inPorts, options.inputKind ?? 'raw');
  } else {
    const n = options.samples ?? 100;
    if (!Number.isInteger(n) || n < 1) throw new ConfigError('samples', `must be a positive integer, got ${n}`);
    inputs = randomRawPortRows(n, inPorts, options.seed ?? 1);
  }
  let expected: RawValue[][] | undefined;
  if (options.expectedOutputs !== undefined) {
    if (options.expectedOutputs.length !== inputs.length) throw new ShapeError('expectedOutputs', `${options.expectedOutputs.length} rows for ${inputs.length} input samples`);
    expected = toRawPortRows(options.expectedOutputs, p.outputs.map((t) => ({ size: t.size, type: t.type })), 'raw', 'expectedOutputs');
  }

  const files = new Map<string, string>();
  files.set(`firmware/${name}.h`, topH(p));
  files.set(`firmware/${name}.cpp`, topCpp(p));
  files.set('firmware/defines.h', definesH(p));
  files.set('firmware/parameters.h', parametersH(p));
  for (const h of kernelHeaders(p.codes)) files.set(`firmware/hlsemu/${h.file}`, h.text);
  for (const c of p.codes) for (const a of c.arrays) files.set(`firmware/weights/${a.name}.h`, weightH(a));
  files.set(`tb/${name}_test.cpp`, testbench(p));
  files.set('tb/inputs.txt', formatRows(inputs));
  if (expected) files.set('tb/expected.txt', formatRows(expected));
  files.set('Makefile', makefile(p));
  files.set('build_prj.tcl', buildTcl(p));
  files.set('README.md', readme(p, inputs.length, !!expected));
  const port = (t: TensorInfo): ManifestPort => ({ name: t.name, cname: t.varName, shape: t.shape, size: t.size, type: formatFixedType(t.type) });
  const manifest: ProjectManifest = {
    format: 'hlsemu-hls-project/1',
    name,
    ioType: p.graph.ioType,
    input: port(p.input),
    output: port(p.output),
    inputs: p.inputs.map(port),
    outputs: p.outputs.map(port),
    layers: p.codes.map((c) => {
      const t = p.tensors.get(c.layer.name)!;
      return { name: c.layer.name, cname: c.cname, cls: c.layer.cls, shape: t.shape, size: t.size, type: formatFixedType(t.type), summary: c.summary };
    }),
    samples: inputs.length,
    hasExpected: !!expected,
    warnings,
    changes: [...p.graph.changes],
    graph: firmwareGraphToJson(p.graph),
  };
  files.set('hlsemu.json', `${JSON.stringify(manifest, null, 1)}\n`);
  return { name, files, warnings, manifest };
}
