/**
 * Whole-model conformance: reference model files (firmware layers, raw inputs, per-layer trace,
 * raw outputs) and import case directories (float model + hls4ml config + float inputs →
 * expected firmware outputs). Both are rebuilt and emulated, then compared bit for bit.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from '../platform/fs.js';
import { basename, join } from '../platform/path.js';
import { describeValue, FormatError } from '../errors.js';
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

/** Compare a run against expected raw outputs and traced layers; one case per sample and per traced layer. */
function compareRun(file: string, r: PredictResult, outputs: number[][], trace: Record<string, number[][]>): FileReport {
  const rep: FileReport = { file, passed: 0, failed: 0, failures: [] };
  const fail = (msg: string) => {
    rep.failed++;
    if (rep.failures.length < MAX_LISTED) rep.failures.push(msg);
  };
  const per = r.raw.length / Math.max(r.n, 1);
  outputs.forEach((row, s) => {
    const i = row.findIndex((v, j) => v !== r.raw[s * per + j]);
    if (row.length !== per) fail(`outputs[${s}]: expected ${row.length} values, got ${per}`);
    else if (i >= 0) fail(`outputs[${s}][${i}]: expected raw ${row[i]}, got ${r.raw[s * per + i]}`);
    else rep.passed++;
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
  return compareRun(file, r, ref.outputs, ref.trace);
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
 * Check an import case directory: import the model, apply the config with hls4ml's conversion
 * rules, cast the float inputs, and compare outputs (and every traced layer present) bit for bit.
 *
 * @example await checkImportCase('test/golden/import/print_rounding');
 */
export async function checkImportCase(dir: string): Promise<FileReport> {
  const lim = limits();
  // The case files are checked before the model is imported and emulated.
  const cfgFile = join(dir, 'config.json');
  const cfg = readJson(cfgFile);
  const inputsFile = join(dir, 'inputs.json');
  const inputs = readJsonFile(inputsFile, 'inputs');
  if (!Array.isArray(inputs) || inputs.length === 0) throw new FormatError(inputsFile, `expected a non-empty list of input samples, got ${what(inputs)}`);
  const expFile = join(dir, 'expected.json');
  const expected = readJson(expFile);
  checkRawRows(expected.outputs_raw, `${expFile}: outputs_raw`, inputs.length, undefined, lim.maxElements);
  const outputs = expected.outputs_raw as number[][];
  const width = outputs[0]!.length;
  if (width === 0 || outputs.some((r) => r.length !== width)) throw new FormatError(`${expFile}: outputs_raw`, 'rows must be non-empty and of equal length');
  const io = expected.io_type;
  if (io !== undefined && io !== 'io_parallel' && io !== 'io_stream') throw new FormatError(`${expFile}: io_type`, `must be 'io_parallel' or 'io_stream', got ${what(io)}`);
  if (io !== undefined && cfg.IOType !== undefined && cfg.IOType !== io) throw new FormatError(`${expFile}: io_type`, `'${String(io)}' disagrees with IOType '${String(cfg.IOType)}' of config.json`);
  const firmware = expected.firmware;
  if (firmware !== undefined && (!firmware || typeof firmware !== 'object' || Array.isArray(firmware))) throw new FormatError(`${expFile}: firmware`, `expected an object, got ${what(firmware)}`);
  const traceV = (firmware as Record<string, unknown> | undefined)?.trace ?? {};
  if (!traceV || typeof traceV !== 'object' || Array.isArray(traceV)) throw new FormatError(`${expFile}: firmware.trace`, `expected an object of per-layer outputs, got ${what(traceV)}`);
  for (const [k, rows] of Object.entries(traceV as Record<string, unknown>)) checkRawRows(rows, `${expFile}: firmware.trace.${k}`, inputs.length, undefined, lim.maxElements);
  const model = await loadModel(findModelFile(dir));
  const fw = convertModel(model, cfg);
  const emu = new Emulator(fw);
  const r = emu.predict(inputs as never, { trace: true });
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
