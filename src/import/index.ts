/**
 * Model import: every reader that turns a saved float model into a {@link ModelGraph}, plus
 * {@link loadModel}, which picks the reader from the path's extension and contents:
 * tfjs `model.json` (with `modelTopology`), Keras topology `.json` (+ sibling `<name>_weights.h5`),
 * Keras `.h5` (full `model.save()` file — Keras 2 or Keras 3's legacy HDF5 — or a `_weights.h5`
 * next to its `.json`), Keras 3 `.keras` archives, ONNX / QONNX.
 */
import { existsSync, readFileSync, statSync } from '../platform/fs.js';
import { basename, dirname, extname, join } from '../platform/path.js';
import { FormatError, UnsupportedError } from '../errors.js';
import type { ModelGraph } from '../graph/model.js';
import { isHdf5File, loadKerasH5, loadKerasModel, readH5ModelConfig } from './keras.js';
import { loadTfjsModel } from './tfjs.js';
import { loadOnnxModel } from './onnx.js';
import { loadKerasArchiveModel } from './keras-archive.js';

export {
  KERAS_CLASS_ALIASES,
  KERAS_LAYER_TABLE,
  LayerConfigReader,
  SUPPORTED_ACTIVATIONS,
  convOutputLength,
  lookupLayerRule,
  mapKerasLayer,
  normaliseActivation,
  normaliseAxis,
  readBatchInputShape,
  type KerasLayerRule,
  type MappedLayer,
  type WeightSpec,
} from './layer-map.js';
export {
  SEQUENTIAL_INPUT_NAME,
  assembleModelGraph,
  parseKerasTopology,
  resolveLayerWeights,
  weightBaseName,
  type NamedWeight,
  type ParsedLayer,
  type ParsedTopology,
} from './topology.js';
export {
  decodeTfjsWeights,
  fromTfjsLayersModel,
  halfToFloat,
  loadTfjsModel,
  loadTfjsModelSync,
  tfjsArtifactsToModelGraph,
  type DecodedTfjsWeight,
  type TfjsModelJson,
  type TfjsWeightEntry,
  type TfjsWeightsGroup,
} from './tfjs.js';
export { defaultWeightsPath, isHdf5File, loadKerasH5, loadKerasModel, readH5ModelConfig } from './keras.js';
export { kerasArchiveLayerGroups, kerasSnakeCase, loadKerasArchive, loadKerasArchiveModel, readKeras3Weights, readKerasArchive, type KerasArchive, type KerasArchiveLimits, type Keras3VarsGroup } from './keras-archive.js';

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new FormatError(path, `cannot read JSON: ${(e as Error).message}`);
  }
}

/**
 * Loads a float model from disk, choosing the reader by extension and contents:
 * - a directory → its `model.json` (tfjs);
 * - `.json` with `modelTopology` → {@link loadTfjsModel}; `.json` with `class_name`/`config` →
 *   {@link loadKerasModel} with the sibling `<name>_weights.h5`;
 * - `.h5` / `.hdf5` / `.hdf` → {@link loadKerasH5} when it holds `model_config`, else (a weights-only
 *   `<name>_weights.h5`) {@link loadKerasModel} with the sibling `<name>.json`;
 * - `.onnx` → ONNX / QONNX (`loadOnnxModel`); `.keras` → a Keras 3 archive ({@link loadKerasArchiveModel}).
 *
 * @throws {FormatError} missing or unrecognised files; {@link UnsupportedError} unsupported formats/layers.
 * @example
 * const graph = await loadModel('test/golden/import/print_rounding/model.json');
 * graph.layers.map((l) => l.className); // ['InputLayer', 'Dense']
 */
export async function loadModel(path: string): Promise<ModelGraph> {
  if (!existsSync(path)) throw new FormatError(path, 'model file not found');
  if (statSync(path).isDirectory()) {
    const mj = join(path, 'model.json');
    if (existsSync(mj)) return loadTfjsModel(mj);
    throw new FormatError(path, 'directory has no model.json');
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.onnx') return loadOnnxModel(path);
  if (ext === '.keras') return loadKerasArchiveModel(path);
  const isH5 = ext === '.h5' || ext === '.hdf5' || ext === '.hdf' || (ext !== '.json' && isHdf5File(path));
  if (isH5) {
    if ((await readH5ModelConfig(path)) !== undefined) return loadKerasH5(path);
    const base = basename(path, extname(path)).replace(/_weights$/, '');
    const json = join(dirname(path), `${base}.json`);
    if (existsSync(json)) return loadKerasModel(json, path);
    throw new FormatError(path, `weights-only HDF5 file (no model_config) and no topology '${base}.json' next to it`);
  }
  if (ext === '.json') {
    const obj = readJson(path);
    if (obj !== null && typeof obj === 'object' && 'modelTopology' in obj) return loadTfjsModel(path);
    if (obj !== null && typeof obj === 'object' && 'class_name' in obj && 'config' in obj) return loadKerasModel(path);
    throw new FormatError(path, 'JSON is neither a tfjs model.json (modelTopology) nor a Keras topology (class_name/config)');
  }
  throw new UnsupportedError(path, `unrecognised model file type '${ext || '(none)'}' (expected model.json, .json + _weights.h5, .h5, .keras or .onnx)`);
}

export * from './onnx.js';
export { quantFixedType } from './qonnx.js';
