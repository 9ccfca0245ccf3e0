/**
 * hlsemu for browsers (and Web Workers): the same core as the Node package entry — import,
 * hls4ml config and conversion, the bit-exact emulator with its WebAssembly fast path, scans,
 * profiles, emitted HLS projects — on an in-memory file system instead of the disk. Files (dropped
 * or fetched) are mounted with {@link mountFiles}; every loader then reads them by path exactly as
 * on Node. Importing this module makes the in-memory host the active one (see src/platform).
 */
import { zipSync, strToU8 } from 'fflate';
import { maybePlatform, setPlatform } from './platform/index.js';
import { MemoryFs, memoryPlatform, posixPath } from './platform/memory.js';
import { loadModel } from './import/index.js';
import type { ModelGraph } from './graph/model.js';
import type { RenderedProject } from './emit/project.js';
import { FormatError, HlsemuError } from './errors.js';

export { ConfigError, FixedTypeError, FormatError, HlsemuError, ShapeError, UnsupportedError, ValueError } from './errors.js';
export { fixedType, formatFixedType, formatHls4mlType, parseFixedType, toFixedType, type FixedType } from './fixed/types.js';
export { loadModel, loadKerasModel, loadKerasH5, loadKerasArchiveModel, loadTfjsModel, loadOnnxModel } from './import/index.js';
export type { ModelGraph, ModelLayer } from './graph/model.js';
export { DEFAULT_PRECISION, configFromModel, parseHls4mlConfig, type Hls4mlConfig } from './graph/config.js';
export { convertModel } from './graph/convert.js';
export { shapeSize, type FirmwareGraph, type FirmwareLayer, type IOType } from './graph/firmware.js';
export { firmwareGraphToJson } from './graph/check.js';
export { compileGraph } from './emulate/compile.js';
export { Emulator, predict, type PredictOptions, type PredictResult, type TraceTensor } from './emulate/predict.js';
export { buildReport, formatReport, type LayerReport, type OverflowReport } from './emulate/report.js';
export { evaluateFloat, argmaxRows } from './emulate/float.js';
export { isQatModel } from './ptq/qat.js';
export { runScan, scanHomogeneous, homogeneousSeries, unquantizedSeries, floatBaseline, type ScanOptions, type ScanProgress, type ScanResult, type ScanSeries, type ScanPoint } from './ptq/scan.js';
export { formatScanTable, scanToCsv, scanToSvg } from './ptq/output.js';
export { loadExample, loadDataset, type Example, type LabelledData } from './ptq/data.js';
export { parseWidths } from './ptq/configs.js';
export { profileModel, formatProfileTable, profileSvgs, type Profile } from './ptq/profile.js';
export { renderProject, type EmitOptions, type RenderedProject } from './emit/project.js';
export { loadBundledFashionMnist, FASHION_MNIST_CLASSES } from './data/fashion-mnist.js';
export { parseIdx, type IdxArray } from './data/idx.js';
export { parseNpy, type NpyArray } from './io/npy.js';
export { MemoryFs, memoryPlatform } from './platform/memory.js';

/** The in-memory host this module installed (or found installed). */
function memoryHost(): MemoryFs {
  const p = maybePlatform() as (ReturnType<typeof memoryPlatform> | undefined);
  if (p && 'memory' in p) return p.memory;
  const fresh = memoryPlatform();
  setPlatform(fresh);
  return fresh.memory;
}

/** The in-memory file system the library reads and writes. */
export function memoryFs(): MemoryFs {
  return memoryHost();
}

/** A file handed to {@link mountFiles}: bytes, an ArrayBuffer or text. */
export type FileData = Uint8Array | ArrayBuffer | string;

let mounts = 0;

/**
 * Copy files into the in-memory file system under a fresh directory (or `dir`); returns the directory.
 *
 * @example const dir = mountFiles({ 'model.json': json, 'group1-shard1of1.bin': bytes });
 */
export function mountFiles(files: Record<string, FileData> | Iterable<[string, FileData]>, dir?: string): string {
  const fs = memoryHost();
  const root = posixPath.resolve(dir ?? `/mnt/${++mounts}`);
  fs.api.mkdirSync(root, { recursive: true });
  const entries = Symbol.iterator in (files as object) ? [...(files as Iterable<[string, FileData]>)] : Object.entries(files as Record<string, FileData>);
  for (const [name, data] of entries) {
    const bytes = typeof data === 'string' ? strToU8(data) : data instanceof Uint8Array ? data : new Uint8Array(data);
    fs.write(posixPath.join(root, name), bytes);
  }
  return root;
}

/**
 * Which of a set of model files to open: a tfjs `model.json`, a `.keras` archive, an ONNX file, a
 * Keras topology `.json` (with its `_weights.h5`), else an `.h5`.
 *
 * @throws {FormatError} when none of the names is a model file.
 * @example modelEntry(['fc_weights.h5', 'fc.json']) // 'fc.json'
 */
export function modelEntry(names: string[]): string {
  const by = (re: RegExp) => names.find((n) => re.test(n.toLowerCase()));
  const found = by(/(^|\/)model\.json$/) ?? by(/\.keras$/) ?? by(/\.onnx$/) ?? by(/\.json$/) ?? by(/\.(h5|hdf5|hdf)$/);
  if (!found) throw new FormatError(names.join(', ') || '(no files)', 'no model file (model.json, .keras, .onnx, .json + _weights.h5, .h5)');
  return found;
}

/**
 * Load a model from files held in memory (a drop, a fetch): they are mounted side by side, and the
 * entry (default: {@link modelEntry}) is read with {@link loadModel}. Errors name the files as given
 * (`weights.bin: …`, not the directory they were mounted in).
 *
 * @example const model = await loadModelFromFiles({ 'model.h5': bytes });
 */
export async function loadModelFromFiles(files: Record<string, FileData>, entry?: string): Promise<ModelGraph> {
  const dir = mountFiles(files);
  try {
    return await loadModel(posixPath.join(dir, entry ?? modelEntry(Object.keys(files))));
  } catch (e) {
    // The files are named as they were given, not by the scratch directory they were mounted in.
    throw e instanceof HlsemuError ? e.relativeTo(dir) : e;
  }
}

/**
 * An emitted project as a zip archive (`<name>/…`).
 *
 * @example const zip = projectZip(renderProject(fw)); // Uint8Array
 */
export function projectZip(project: RenderedProject): Uint8Array {
  const tree: Record<string, Uint8Array> = {};
  for (const [rel, text] of project.files) tree[`${project.name}/${rel}`] = strToU8(text);
  return zipSync(tree, { level: 6 });
}

memoryHost();
