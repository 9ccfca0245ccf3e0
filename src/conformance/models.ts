/**
 * Whole-model conformance: reference model files (firmware layers, raw inputs, per-layer trace,
 * raw outputs) and import case directories (float model + hls4ml config + float inputs →
 * expected firmware outputs). Both are rebuilt and emulated, then compared bit for bit.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from '../platform/fs.js';
import { basename, join } from '../platform/path.js';
import { describeValue, FormatError, HlsemuError } from '../errors.js';
import { readJsonFile, readJsonObject } from '../io/files.js';
import { checkedProduct, limitHint, limits } from '../io/limits.js';
import { Emulator, type PredictResult } from '../emulate/predict.js';
import { convertModel } from '../graph/convert.js';
import { readReferenceModel } from '../graph/reference-model.js';
import { loadModel } from '../import/index.js';
import type { FileReport, UnitChecker } from './runner.js';

const MAX_LISTED = 5;

function readJson(path: string): Record<string, unknown> {
  return readJsonObject(path, 'JSON file');
}

function what(v: unknown): string {
  return describeValue(v, 40);
}

function shapeList(v: unknown, path: string): number[] {
  let s = v;
  if (typeof v === 'string') {
    try {
      s = JSON.parse(v);
    } catch {
      throw new FormatError(path, `expected a shape, got ${what(v)}`);
    }
  }
  if (!Array.isArray(s) || s.length === 0 || !s.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new FormatError(path, `expected a shape (a list of non-negative integers), got ${what(v)}`);
  return s as number[];
}

/** Rows of raw integers: a non-empty list of arrays, `width` values each when given. */
function checkRawRows(v: unknown, path: string, rows: number | undefined, width: number | undefined, maxElements: number): void {
  if (!Array.isArray(v)) throw new FormatError(path, `expected a list of samples, got ${what(v)}`);
  if (v.length === 0) throw new FormatError(path, 'no samples: an empty list');
  if (rows !== undefined && v.length !== rows) throw new FormatError(path, `${v.length} rows for ${rows} input samples`);
  let total = 0;
  v.forEach((row, k) => {
    if (!Array.isArray(row)) throw new FormatError(`${path}[${k}]`, `expected an array of raw integers, got ${what(row)}`);
    if (width !== undefined && row.length !== width) throw new FormatError(`${path}[${k}]`, `expected ${width} values, got ${row.length}`);
    total += row.length;
    if (total > maxElements) throw new FormatError(path, `more than ${maxElements} values (${limitHint('maxElements')})`);
    for (let i = 0; i < row.length; i++) {
      const x = row[i];
      const ok = typeof x === 'number' ? Number.isInteger(x) : typeof x === 'string' && x.length <= 1300 && /^-?\d+$/.test(x);
      if (!ok) throw new FormatError(`${path}[${k}][${i}]`, `expected a raw integer, got ${what(x)}`);
    }
  });
}

/**
 * Structural checks of a reference model file before it is rebuilt and emulated: a known
 * `io_type`; a non-empty list of uniquely named layers whose shapes are lists of non-negative
 * integers within the limits; at least one input sample, all of the model's input size; exactly
 * one output row per input, all of the last layer's output size; a non-empty `trace` whose keys are
 * layer names and whose rows match the inputs and each layer's output size. A file that omits or
 * empties any of these fails, naming the field.
 *
 * @throws {FormatError} naming `source` and the field.
 * @example validateReferenceModel(JSON.parse(readFileSync(f, 'utf8')), f);
 */
export function validateReferenceModel(m: Record<string, unknown>, source: string, opts: { requireTrace?: boolean } = {}): void {
  const lim = limits();
  const requireTrace = opts.requireTrace ?? true;
  if (m.io_type !== 'io_parallel' && m.io_type !== 'io_stream') throw new FormatError(`${source}.io_type`, `must be 'io_parallel' or 'io_stream', got ${what(m.io_type)}`);
  if (!Array.isArray(m.layers) || m.layers.length === 0) throw new FormatError(`${source}.layers`, `expected a non-empty list of layers, got ${what(m.layers)}`);
  const sizes = new Map<string, number>();
  let first: number | undefined;
  let last = 0;
  m.layers.forEach((L: unknown, i) => {
    const path = `${source}.layers[${i}]`;
    if (!L || typeof L !== 'object' || Array.isArray(L)) throw new FormatError(path, `expected a layer object, got ${what(L)}`);
    const l = L as Record<string, unknown>;
    if (typeof l.name !== 'string' || l.name === '') throw new FormatError(`${path}.name`, `expected a layer name, got ${what(l.name)}`);
    if (sizes.has(l.name)) throw new FormatError(`${path}.name`, `duplicate layer name '${l.name}'`);
    if (typeof l.cls !== 'string') throw new FormatError(`${path}.cls`, `expected a layer class, got ${what(l.cls)}`);
    const sin = checkedProduct(shapeList(l.shape_in, `${path}.shape_in`));
    const sout = checkedProduct(shapeList(l.shape_out, `${path}.shape_out`));
    for (const [k, n] of [['shape_in', sin], ['shape_out', sout]] as const) {
      if (n > lim.maxElements) throw new FormatError(`${path}.${k}`, `${Number.isFinite(n) ? n : 'more than 2^53'} values, more than the limit of ${lim.maxElements} (${limitHint('maxElements')})`);
    }
    for (const k of ['weights', 'weights_keras', 'bias', 'scale']) {
      const w = l[k];
      if (w === undefined) continue;
      if (!Array.isArray(w)) throw new FormatError(`${path}.${k}`, `expected an array of raw integers, got ${what(w)}`);
      if (w.length > lim.maxElements) throw new FormatError(`${path}.${k}`, `more than ${lim.maxElements} values (${limitHint('maxElements')})`);
    }
    if (l.config !== undefined && (!l.config || typeof l.config !== 'object' || Array.isArray(l.config))) throw new FormatError(`${path}.config`, `expected an object, got ${what(l.config)}`);
    if (l.config && typeof l.config === 'object') {
      const io = (l.config as Record<string, unknown>).io_type;
      if (io !== undefined && io !== m.io_type) throw new FormatError(`${path}.config.io_type`, `${what(io)} disagrees with the model's io_type '${String(m.io_type)}'`);
    }
    sizes.set(l.name, sout);
    first ??= sin;
    last = sout;
  });
  checkRawRows(m.inputs, `${source}.inputs`, undefined, first, lim.maxElements);
  const n = (m.inputs as unknown[]).length;
  // Emulating with a trace keeps every layer's output for every sample: bound that before running.
  const perSample = [...sizes.values()].reduce((a, b) => a + b, first ?? 0);
  if (n * perSample > lim.maxElements) throw new FormatError(`${source}.layers`, `${n} samples × ${perSample} values per sample (all layer outputs) is more than the limit of ${lim.maxElements} (${limitHint('maxElements')})`);
  checkRawRows(m.outputs, `${source}.outputs`, n, last, lim.maxElements);
  const trace = m.trace ?? (requireTrace ? undefined : {});
  if (!trace || typeof trace !== 'object' || Array.isArray(trace)) throw new FormatError(`${source}.trace`, `expected an object of per-layer outputs, got ${what(trace)}`);
  const keys = Object.keys(trace);
  if (keys.length === 0 && requireTrace) throw new FormatError(`${source}.trace`, 'no traced layers');
  for (const k of keys) {
    if (!sizes.has(k)) throw new FormatError(`${source}.trace.${k}`, `no layer named '${k}' in the model`);
    checkRawRows((trace as Record<string, unknown>)[k], `${source}.trace.${k}`, n, sizes.get(k), lim.maxElements);
  }
}

/**
 * Compare a run against expected raw outputs (one list of rows per output port) and traced layers;
 * one case per sample and output port, and per traced layer.
 */
function compareRun(file: string, r: PredictResult, outputs: number[][][], trace: Record<string, number[][]>): FileReport {
  const rep: FileReport = { file, passed: 0, failed: 0, failures: [] };
  const fail = (msg: string) => {
    rep.failed++;
    if (rep.failures.length < MAX_LISTED) rep.failures.push(msg);
  };
  if (outputs.length !== r.outputs.length) fail(`outputs: expected values for ${outputs.length} output port(s), the converted graph has ${r.outputs.length} (${r.outputs.map((o) => o.name).join(', ')})`);
  outputs.forEach((rows, k) => {
    const port = r.outputs[k];
    if (!port) return;
    const raw = port.raw;
    const per = raw.length / Math.max(r.n, 1);
    const at = outputs.length > 1 ? `outputs[${k}] (${port.name})` : 'outputs';
    rows.forEach((row, s) => {
      const i = row.findIndex((v, j) => v !== raw[s * per + j]);
      if (row.length !== per) fail(`${at}[${s}]: expected ${row.length} values, got ${per}`);
      else if (i >= 0) fail(`${at}[${s}][${i}]: expected raw ${row[i]}, got ${raw[s * per + i]}`);
      else rep.passed++;
    });
  });
  for (const [name, rows] of Object.entries(trace)) {
    const got = r.trace?.[name];
    if (!got) {
      fail(`trace ${name}: no such layer in the converted graph (layers: ${Object.keys(r.trace ?? {}).join(', ')})`);
      continue;
    }
    const size = got.raw.length / r.n;
    let bad = -1;
    let at = '';
    rows.forEach((row, s) => {
      if (bad >= 0) return;
      const j = row.findIndex((v, k) => BigInt(v) !== BigInt(got.raw[s * size + k]!));
      if (row.length !== size) {
        bad = s;
        at = `expected ${row.length} values, got ${size}`;
      } else if (j >= 0) {
        bad = s;
        at = `[${j}] expected raw ${row[j]}, got ${got.raw[s * size + j]}`;
      }
    });
    if (bad >= 0) fail(`trace ${name}, sample ${bad}${at.startsWith('[') ? at : `: ${at}`}`);
    else rep.passed++;
  }
  return rep;
}

/**
 * Check a reference model file (`model_*.json` in test/golden/hls4ml): rebuild its FirmwareGraph,
 * emulate its raw inputs, compare every traced layer and the outputs.
 *
 * @example checkReferenceModelFile('test/golden/hls4ml/model_svhn_paper_cnn_a.json').failed; // 0
 */
export function checkReferenceModelFile(file: string): FileReport {
  const m = readJson(file);
  validateReferenceModel(m, basename(file));
  const ref = readReferenceModel(m, basename(file));
  const emu = new Emulator(ref.graph);
  const r = emu.predictRaw(Float64Array.from(ref.inputs.flat()), ref.inputs.length, { trace: true });
  return compareRun(file, r, [ref.outputs], ref.trace);
}

/** True for a directory that looks like an import case (config.json + expected.json + inputs.json). */
export function isImportCaseDir(path: string): boolean {
  try {
    return statSync(path).isDirectory() && ['config.json', 'expected.json', 'inputs.json'].every((f) => existsSync(join(path, f)));
  } catch {
    return false;
  }
}

function findModelFile(dir: string): string {
  if (existsSync(join(dir, 'model.json'))) return join(dir, 'model.json');
  const files = readdirSync(dir);
  const topology = files.find((f) => f.endsWith('.json') && !['config.json', 'expected.json', 'inputs.json'].includes(f));
  if (topology) return join(dir, topology);
  const archive = files.find((f) => f.endsWith('.keras'));
  if (archive) return join(dir, archive);
  const h5 = files.find((f) => f.endsWith('.h5'));
  if (h5) return join(dir, h5);
  const onnx = files.find((f) => f.endsWith('.onnx'));
  if (onnx) return join(dir, onnx);
  throw new FormatError(dir, 'no model file (model.json, <name>.json + _weights.h5, .keras, .h5 or .onnx) in the case directory');
}

/**
 * The inputs of an import case: a list of samples (a single-input model), or for several inputs
 * `{"inputs": [samples of input 0, samples of input 1, …]}` (the model's input order) or an object
 * keyed by input layer name. Every port needs the same, non-zero number of samples.
 */
function readCaseInputs(v: unknown, file: string): { inputs: unknown; n: number } {
  if (Array.isArray(v)) {
    if (v.length === 0) throw new FormatError(file, 'expected a non-empty list of input samples, got an empty list');
    return { inputs: v, n: v.length };
  }
  if (!v || typeof v !== 'object') throw new FormatError(file, `expected a non-empty list of input samples, or one list per model input, got ${what(v)}`);
  const o = v as Record<string, unknown>;
  const listed = Object.keys(o).length === 1 && Array.isArray(o.inputs);
  const ports: [string, unknown][] = listed ? (o.inputs as unknown[]).map((x, k) => [`inputs[${k}]`, x]) : Object.entries(o);
  if (ports.length === 0) throw new FormatError(file, 'no model inputs given');
  let n = -1;
  for (const [k, x] of ports) {
    if (!Array.isArray(x) || x.length === 0) throw new FormatError(`${file}: ${k}`, `expected a non-empty list of input samples, got ${what(x)}`);
    if (n >= 0 && x.length !== n) throw new FormatError(`${file}: ${k}`, `${x.length} samples, but the first input has ${n}`);
    n = x.length;
  }
  return { inputs: listed ? o.inputs : o, n };
}

/**
 * The expected raw outputs of an import case: rows (a single-output model), or one list of rows per
 * output port in the model's output order. Each row non-empty, all rows of a port of equal length.
 */
function readCaseOutputs(v: unknown, path: string, n: number, maxElements: number): number[][][] {
  const multi = Array.isArray(v) && v.length > 0 && Array.isArray(v[0]) && (v[0] as unknown[]).length > 0 && Array.isArray((v[0] as unknown[])[0]);
  const ports = (multi ? v : [v]) as unknown[];
  return ports.map((rowsV, k) => {
    const at = multi ? `${path}[${k}]` : path;
    checkRawRows(rowsV, at, n, undefined, maxElements);
    const rows = rowsV as number[][];
    const width = rows[0]!.length;
    if (width === 0 || rows.some((r) => r.length !== width)) throw new FormatError(at, 'rows must be non-empty and of equal length');
    return rows;
  });
}

/**
 * Check an import case directory: import the model, apply the config with hls4ml's conversion
 * rules, cast the float inputs, and compare outputs (and every traced layer present) bit for bit.
 * Cases of models with several inputs / outputs give one list per port (see `readCaseInputs`,
 * `readCaseOutputs`); single-port cases are plain lists.
 *
 * @example await checkImportCase('test/golden/import/print_rounding');
 */
export async function checkImportCase(dir: string): Promise<FileReport> {
  const lim = limits();
  // The case files are checked before the model is imported and emulated.
  const cfgFile = join(dir, 'config.json');
  const cfg = readJson(cfgFile);
  const inputsFile = join(dir, 'inputs.json');
  const { inputs, n } = readCaseInputs(readJsonFile(inputsFile, 'inputs'), inputsFile);
  const expFile = join(dir, 'expected.json');
  const expected = readJson(expFile);
  const outputs = readCaseOutputs(expected.outputs_raw, `${expFile}: outputs_raw`, n, lim.maxElements);
  const io = expected.io_type;
  if (io !== undefined && io !== 'io_parallel' && io !== 'io_stream') throw new FormatError(`${expFile}: io_type`, `must be 'io_parallel' or 'io_stream', got ${what(io)}`);
  if (io !== undefined && cfg.IOType !== undefined && cfg.IOType !== io) throw new FormatError(`${expFile}: io_type`, `'${String(io)}' disagrees with IOType '${String(cfg.IOType)}' of config.json`);
  const firmware = expected.firmware;
  if (firmware !== undefined && (!firmware || typeof firmware !== 'object' || Array.isArray(firmware))) throw new FormatError(`${expFile}: firmware`, `expected an object, got ${what(firmware)}`);
  const traceV = (firmware as Record<string, unknown> | undefined)?.trace ?? {};
  if (!traceV || typeof traceV !== 'object' || Array.isArray(traceV)) throw new FormatError(`${expFile}: firmware.trace`, `expected an object of per-layer outputs, got ${what(traceV)}`);
  for (const [k, rows] of Object.entries(traceV as Record<string, unknown>)) checkRawRows(rows, `${expFile}: firmware.trace.${k}`, n, undefined, lim.maxElements);
  const model = await loadModel(findModelFile(dir));
  const fw = convertModel(model, cfg);
  if (outputs.length !== fw.outputs.length) {
    throw new FormatError(`${expFile}: outputs_raw`, `the model has ${fw.outputs.length} outputs (${fw.outputs.join(', ')}): give one list of rows per output, in that order (got ${outputs.length})`);
  }
  const emu = new Emulator(fw);
  let r: PredictResult;
  try {
    r = emu.predict(inputs as never, { trace: true });
  } catch (e) {
    throw e instanceof HlsemuError && e.path.startsWith('inputs') ? e.inContext(inputsFile) : e;
  }
  return compareRun(dir, r, outputs, traceV as Record<string, number[][]>);
}

/** A reference model file: named `model_*.json`, or any JSON whose top level has layers/inputs/outputs. */
function isReferenceModelFile(p: string): boolean {
  if (!p.endsWith('.json') || isImportCaseDir(p)) return false;
  if (/(^|\/)model_[^/]*\.json$/.test(p)) return true;
  try {
    // Peek at the head only: model files are megabytes and are read again when checked.
    const fd = openSync(p, 'r');
    const buf = new Uint8Array(1 << 16);
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    const head = new TextDecoder().decode(buf.subarray(0, n));
    return /^\s*\{\s*"model"/.test(head) && head.includes('"layers"');
  } catch {
    return false;
  }
}

/** The unit checkers this module registers with the conformance runner. */
export const modelUnitCheckers: UnitChecker[] = [
  {
    accepts: isReferenceModelFile,
    check: (p) => checkReferenceModelFile(p),
  },
  { accepts: (p) => isImportCaseDir(p), check: (p) => checkImportCase(p) },
];
