/**
 * Input files of the commands, validated before they reach the library: model inputs for
 * `predict` (.npy, nested JSON arrays, or `{"data": [...], "shape": [...]}`) and sample files for
 * `emit` / `csim` (raw mantissa rows). Every problem is a typed error naming the file; an empty
 * batch is an error.
 */
import { FormatError, HlsemuError, ShapeError } from '../errors.js';
import { readJsonFile } from '../io/files.js';
import { checkedProduct, limitHint, limits } from '../io/limits.js';
import { readNpy } from '../io/npy.js';

/** Model inputs as the emulator takes them. */
export interface InputArray {
  data: ArrayLike<number>;
  shape: number[];
}

function describeType(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v;
}

/**
 * Check nested arrays of finite numbers are rectangular and return their flat data and shape,
 * without recursion (the depth is bounded by the JSON reader).
 */
function flattenNumbers(v: unknown[], file: string, maxElements: number): InputArray {
  const shape: number[] = [];
  const data: number[] = [];
  const stack: [unknown, number, string][] = [[v, 0, '']];
  while (stack.length) {
    const [x, depth, path] = stack.pop()!;
    if (Array.isArray(x)) {
      if (shape.length === depth) {
        if (data.length > 0) throw new ShapeError(`${file}${path}`, 'ragged nested arrays: an array where a number was expected');
        shape.push(x.length);
      } else if (shape[depth] !== x.length) throw new ShapeError(`${file}${path}`, `ragged nested arrays: expected length ${shape[depth]}, got ${x.length}`);
      for (let i = x.length - 1; i >= 0; i--) stack.push([x[i], depth + 1, `${path}[${i}]`]);
    } else if (typeof x === 'number' && Number.isFinite(x)) {
      if (depth !== shape.length) throw new ShapeError(`${file}${path}`, 'ragged nested arrays: a number where an array was expected');
      if (data.length >= maxElements) throw new FormatError(file, `more than ${maxElements} values (${limitHint('maxElements')})`);
      data.push(x);
    } else throw new FormatError(`${file}${path}`, `expected a finite number, got ${describeType(x)}`);
  }
  return { data, shape };
}

/**
 * Read model inputs for `predict`: a `.npy` array, or JSON holding nested arrays of numbers or
 * `{"data": [...], "shape": [...]}`. The first axis is the batch (a single sample may omit it).
 *
 * @throws {FormatError} / {@link ShapeError} naming the file.
 * @example const x = readModelInputs('x.npy');
 */
export function readModelInputs(path: string): InputArray {
  const lim = limits();
  let x: InputArray;
  if (path.endsWith('.npy')) {
    const a = readNpy(path, { what: 'input array' });
    x = { data: a.data, shape: a.shape };
  } else {
    const j = readJsonFile(path, 'input file');
    if (Array.isArray(j)) x = flattenNumbers(j, path, lim.maxElements);
    else if (j && typeof j === 'object' && 'data' in j && 'shape' in j) {
      const o = j as { data: unknown; shape: unknown };
      if (!Array.isArray(o.shape) || !o.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw new FormatError(`${path}: shape`, 'expected a list of non-negative integers');
      if (!Array.isArray(o.data)) throw new FormatError(`${path}: data`, `expected an array of numbers, got ${describeType(o.data)}`);
      const flat = flattenNumbers(o.data, `${path}: data`, lim.maxElements);
      if (flat.shape.length !== 1) throw new FormatError(`${path}: data`, 'expected a flat array of numbers (its shape is given by "shape")');
      const n = checkedProduct(o.shape as number[]);
      if (n !== flat.data.length) throw new ShapeError(`${path}: shape`, `[${(o.shape as number[]).join(', ')}] has ${Number.isFinite(n) ? n : 'too many'} elements, "data" has ${flat.data.length}`);
      x = { data: flat.data, shape: o.shape as number[] };
    } else throw new FormatError(path, `expected nested arrays of numbers or {"data": [...], "shape": [...]}, got ${describeType(j)}`);
  }
  if (x.data.length === 0 || x.shape[0] === 0) throw new ShapeError(path, `no samples (shape [${x.shape.join(', ')}]): an empty batch`);
  return x;
}

/** Raw sample rows from a JSON file (see {@link readSamplesFile}). */
export interface SamplesFile {
  inputs: number[][];
  outputs?: number[][];
  trace?: Record<string, number[][]>;
}

/** A raw value: an integer, or a decimal integer string (for wide types). */
function checkRows(v: unknown, where: string, opts: { allowFloat: boolean; what: string }): number[][] {
  if (!Array.isArray(v)) throw new FormatError(where, `expected an array of ${opts.what}, got ${describeType(v)}`);
  if (v.length === 0) throw new ShapeError(where, `no ${opts.what}: an empty batch`);
  const max = limits().maxElements;
  let total = 0;
  let width = -1;
  v.forEach((row, k) => {
    if (!Array.isArray(row)) throw new FormatError(`${where}[${k}]`, `expected an array of values, got ${describeType(row)}`);
    if (row.length === 0) throw new ShapeError(`${where}[${k}]`, 'empty sample');
    if (width >= 0 && row.length !== width) throw new ShapeError(`${where}[${k}]`, `expected ${width} values like the first sample, got ${row.length}`);
    width = row.length;
    total += row.length;
    if (total > max) throw new FormatError(where, `more than ${max} values (${limitHint('maxElements')})`);
    row.forEach((e, i) => {
      const ok = typeof e === 'number' ? Number.isFinite(e) && (opts.allowFloat || Number.isInteger(e)) : typeof e === 'string' && /^-?\d{1,1300}$/.test(e);
      if (!ok) throw new FormatError(`${where}[${k}][${i}]`, `expected ${opts.allowFloat ? 'a finite number' : 'an integer raw mantissa'}, got ${typeof e === 'string' ? JSON.stringify(e.slice(0, 40)) : describeType(e) === 'number' ? String(e) : describeType(e)}`);
    });
  });
  return v as number[][];
}

/**
 * Samples from a JSON file: a reference model file, `{"inputs": [...]}` or a plain array of rows
 * (with `outputs` / `trace` when the file has them). With `float`, rows may hold real values.
 *
 * @throws {FormatError} / {@link ShapeError} naming the file (an empty batch included).
 * @example const { inputs, outputs } = readSamplesFile('test/golden/hls4ml/model_svhn_paper_cnn_a.json');
 */
export function readSamplesFile(path: string, opts: { float?: boolean } = {}): SamplesFile {
  const j = readJsonFile(path, 'samples file');
  const rowsV = Array.isArray(j) ? j : j && typeof j === 'object' ? (j as { inputs?: unknown }).inputs : undefined;
  if (rowsV === undefined) throw new FormatError(path, 'expected an array of samples or an object with "inputs"');
  const allowFloat = !!opts.float;
  const inputs = checkRows(rowsV, Array.isArray(j) ? path : `${path}: inputs`, { allowFloat, what: 'samples' });
  const out: SamplesFile = { inputs };
  if (!Array.isArray(j) && j && typeof j === 'object') {
    const o = j as { outputs?: unknown; trace?: unknown };
    if (o.outputs !== undefined) {
      out.outputs = checkRows(o.outputs, `${path}: outputs`, { allowFloat: false, what: 'output rows' });
      if (out.outputs.length !== inputs.length) throw new ShapeError(`${path}: outputs`, `${out.outputs.length} output rows for ${inputs.length} input samples`);
    }
    if (o.trace !== undefined) {
      if (!o.trace || typeof o.trace !== 'object' || Array.isArray(o.trace)) throw new FormatError(`${path}: trace`, `expected an object of layer traces, got ${describeType(o.trace)}`);
      const trace: Record<string, number[][]> = {};
      for (const [k, rows] of Object.entries(o.trace as Record<string, unknown>)) {
        trace[k] = checkRows(rows, `${path}: trace.${k}`, { allowFloat: false, what: 'traced rows' });
        if (trace[k].length !== inputs.length) throw new ShapeError(`${path}: trace.${k}`, `${trace[k].length} rows for ${inputs.length} input samples`);
      }
      out.trace = trace;
    }
  }
  return out;
}

/**
 * Rethrow an error from the library with `file` in front of its path when the path points into
 * the data read from that file (`inputs…`, `x[…]`, `expectedOutputs…`).
 *
 * @example try { emu.predict(x) } catch (e) { throw blameFile(e, 'x.npy') }
 */
export function blameFile(e: unknown, file: string, prefixes: readonly string[] = ['inputs', 'x[', 'expectedOutputs', 'outputs', 'data']): unknown {
  if (e instanceof HlsemuError && prefixes.some((p) => e.path.startsWith(p)) && !e.path.startsWith(file)) return e.inContext(file);
  return e;
}
