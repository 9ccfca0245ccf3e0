/**
 * Whole-model conformance: reference model files (firmware layers, raw inputs, per-layer trace,
 * raw outputs) and import case directories (float model + hls4ml config + float inputs →
 * expected firmware outputs). Both are rebuilt and emulated, then compared bit for bit.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FormatError } from '../errors.js';
import { Emulator, type PredictResult } from '../emulate/predict.js';
import { convertModel } from '../graph/convert.js';
import { readReferenceModel } from '../graph/reference-model.js';
import { loadModel } from '../import/index.js';
import type { FileReport, UnitChecker } from './runner.js';

const MAX_LISTED = 5;

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new FormatError(path, `cannot read JSON: ${(e as Error).message}`);
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
  const ref = readReferenceModel(readJson(file), basename(file));
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
  const model = await loadModel(findModelFile(dir));
  const cfg = readJson(join(dir, 'config.json'));
  const fw = convertModel(model, cfg);
  const inputs = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf8')) as unknown[];
  const expected = readJson(join(dir, 'expected.json'));
  const emu = new Emulator(fw);
  const r = emu.predict(inputs as never, { trace: true });
  const outputs = expected.outputs_raw as number[][] | undefined;
  if (!Array.isArray(outputs)) throw new FormatError(`${dir}/expected.json`, 'missing outputs_raw');
  const firmware = expected.firmware as Record<string, unknown> | undefined;
  const trace = (firmware?.trace ?? {}) as Record<string, number[][]>;
  return compareRun(dir, r, outputs, trace);
}

/** A reference model file: named `model_*.json`, or any JSON whose top level has layers/inputs/outputs. */
function isReferenceModelFile(p: string): boolean {
  if (!p.endsWith('.json') || isImportCaseDir(p)) return false;
  if (/(^|\/)model_[^/]*\.json$/.test(p)) return true;
  try {
    // Peek at the head only: model files are megabytes and are read again when checked.
    const fd = openSync(p, 'r');
    const buf = Buffer.alloc(1 << 16);
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    const head = buf.toString('utf8', 0, n);
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
