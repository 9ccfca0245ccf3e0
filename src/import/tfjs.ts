/**
 * TensorFlow.js LayersModel import: a `model.json` (modelTopology + weightsManifest) and its weight
 * shards read straight from disk with node:fs (no tfjs needed), or an in-memory `tf.LayersModel`.
 * Both go through the shared topology reader (`topology.ts`, one layer table in `layer-map.ts`) and
 * produce identical {@link ModelGraph}s for the same model. Weight decoding follows tfjs'
 * `io.decodeWeights`: float32 as is, int32 converted, `quantization` {dtype uint8|uint16, scale, min}
 * dequantised as `v * scale + min` (rounded to float32), float16 decoded exactly.
 */
import { existsSync, readFileSync } from '../platform/fs.js';
import { basename, dirname, join, resolve } from '../platform/path.js';
import { FormatError, UnsupportedError, describeValue } from '../errors.js';
import type { ModelGraph } from '../graph/model.js';
import { assembleModelGraph, parseKerasTopology, type NamedWeight, type ParsedTopology } from './topology.js';

/** One entry of a tfjs `weightsManifest` group. */
export interface TfjsWeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  /** 'model' (default) or 'optimizer'. */
  group?: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

/** One `weightsManifest` group: shard files (relative paths) holding the listed weights in order. */
export interface TfjsWeightsGroup {
  paths: string[];
  weights: TfjsWeightEntry[];
}

/** The parts of a tfjs `model.json` hlsemu reads. */
export interface TfjsModelJson {
  modelTopology: unknown;
  weightsManifest?: TfjsWeightsGroup[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** A decoded tfjs weight, with its manifest group. */
export interface DecodedTfjsWeight extends NamedWeight {
  group?: string;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/**
 * Exact IEEE half → number (tfjs' table decoder gives the same float32 for every half value).
 *
 * @example
 * halfToFloat(0x3c00); // 1
 * halfToFloat(0xc000); // -2
 */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f ? NaN : sign * Infinity;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}

function sizeOf(shape: number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function byteLengthOf(e: TfjsWeightEntry, bytes: Uint8Array, offset: number, where: string): number {
  const n = sizeOf(e.shape);
  if (e.quantization) {
    const b = BYTES[e.quantization.dtype];
    if (b === undefined) throw new UnsupportedError(where, `quantization dtype '${e.quantization.dtype}' is not supported (uint8, uint16, float16)`);
    return n * b;
  }
  if (e.dtype === 'string') {
    let len = 0;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) {
      if (offset + len + 4 > bytes.byteLength) return Infinity;
      len += 4 + view.getUint32(offset + len, true);
    }
    return len;
  }
  const b = BYTES[e.dtype];
  if (b === undefined) throw new UnsupportedError(where, `weight dtype '${e.dtype}' is not supported`);
  return n * b;
}

function decodeOne(e: TfjsWeightEntry, raw: Uint8Array, where: string): Float32Array {
  const n = sizeOf(e.shape);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(n);
  const q = e.quantization;
  if (q) {
    if (q.dtype === 'uint8' || q.dtype === 'uint16') {
      if (typeof q.scale !== 'number' || typeof q.min !== 'number') {
        throw new FormatError(where, `quantization ${q.dtype} needs numeric 'scale' and 'min'`);
      }
      if (e.dtype !== 'float32' && e.dtype !== 'int32') throw new UnsupportedError(where, `quantized weight of dtype '${e.dtype}' is not supported`);
      for (let i = 0; i < n; i++) {
        const v = q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(2 * i, true);
        const x = v * q.scale + q.min;
        out[i] = e.dtype === 'int32' ? Math.round(x) : x;
      }
      return out;
    }
    if (q.dtype === 'float16') {
      if (e.dtype !== 'float32') throw new UnsupportedError(where, `float16 quantization of a '${e.dtype}' weight is not supported`);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    }
    throw new UnsupportedError(where, `quantization dtype '${q.dtype}' is not supported (uint8, uint16, float16)`);
  }
  if (e.dtype === 'float32') {
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  if (e.dtype === 'int32') {
    for (let i = 0; i < n; i++) {
      const v = view.getInt32(4 * i, true);
      if (Math.abs(v) > 2 ** 24) throw new FormatError(where, `int32 value ${v} is not exactly representable as float32`);
      out[i] = v;
    }
    return out;
  }
  throw new UnsupportedError(where, `weight dtype '${e.dtype}' is not supported (float32, int32, or uint8/uint16/float16 quantized)`);
}

/**
 * Decodes the concatenated weight bytes of a tfjs weights manifest (all groups' shards in order) into
 * float32 tensors, in manifest order. Optimizer weights (`group: 'optimizer'`) are skipped.
 *
 * @param container Name used in messages (e.g. the model.json path).
 * @throws {FormatError} when the byte count does not match the manifest; {@link UnsupportedError}
 *   for dtypes other than float32/int32 (or uint8/uint16/float16 quantized).
 * @example
 * const ws = decodeTfjsWeights(json.weightsManifest.flatMap((g) => g.weights), bytes, 'model.json');
 * ws[0].name; // 'dense1/kernel'
 */
export function decodeTfjsWeights(entries: TfjsWeightEntry[], bytes: Uint8Array, container: string): DecodedTfjsWeight[] {
  const out: DecodedTfjsWeight[] = [];
  let offset = 0;
  entries.forEach((e, i) => {
    const where = `${container}: weightsManifest weight #${i} '${e.name}'`;
    if (!e || typeof e.name !== 'string' || !Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new FormatError(`${container}: weightsManifest weight #${i}`, 'entry needs a name and an integer shape');
    }
    const len = byteLengthOf(e, bytes, offset, where);
    if (offset + len > bytes.byteLength) {
      throw new FormatError(where, `weight data ends after ${bytes.byteLength} bytes; this weight needs bytes ${offset}..${offset + len}`);
    }
    const raw = bytes.subarray(offset, offset + len);
    offset += len;
    if (e.group === 'optimizer') return;
    const d: DecodedTfjsWeight = { name: e.name, shape: [...e.shape], data: decodeOne(e, raw, where) };
    if (e.group !== undefined) d.group = e.group;
    out.push(d);
  });
  if (offset !== bytes.byteLength) {
    throw new FormatError(container, `weight shards hold ${bytes.byteLength} bytes but the manifest describes ${offset}`);
  }
  return out;
}

/** Which layer a tfjs weight name (`dense1/kernel`, `scope/dense1/kernel`) belongs to. */
function layerOfWeight(name: string, layerNames: Set<string>): string | undefined {
  const segs = name.split('/');
  segs.pop();
  for (let start = 0; start < segs.length; start++) {
    const candidate = segs.slice(start).join('/');
    if (layerNames.has(candidate)) return candidate;
  }
  for (let i = segs.length - 1; i >= 0; i--) if (layerNames.has(segs[i]!)) return segs[i];
  return undefined;
}

function graphFromNamedWeights(parsed: ParsedTopology, weights: NamedWeight[], container: string, fallbackName: string): ModelGraph {
  const names = new Set(parsed.layers.map((l) => l.name));
  const byLayer = new Map<string, NamedWeight[]>();
  for (const w of weights) {
    const layer = layerOfWeight(w.name, names);
    if (layer === undefined) {
      throw new FormatError(container, `weight '${w.name}' does not belong to any layer of the model`);
    }
    const list = byLayer.get(layer) ?? [];
    list.push(w);
    byLayer.set(layer, list);
  }
  return assembleModelGraph(parsed, 'tfjs', (l) => byLayer.get(l.name) ?? null, () => container, fallbackName);
}

/**
 * Builds a ModelGraph from a parsed tfjs `model.json` object and its concatenated weight bytes.
 *
 * @example
 * const g = tfjsArtifactsToModelGraph(JSON.parse(readFileSync('m/model.json', 'utf8')), readFileSync('m/weights.bin'));
 */
export function tfjsArtifactsToModelGraph(modelJson: TfjsModelJson, weightBytes: Uint8Array, container = 'model.json', fallbackName = 'model'): ModelGraph {
  if (modelJson === null || typeof modelJson !== 'object' || !modelJson.modelTopology) {
    throw new FormatError(container, 'not a tfjs model.json (no modelTopology)');
  }
  if (modelJson.format === 'graph-model') {
    throw new UnsupportedError(container, 'tfjs graph models are not supported (export a tfjs layers model)');
  }
  const parsed = parseKerasTopology(modelJson.modelTopology, container);
  const manifest = modelJson.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new FormatError(`${container}.weightsManifest`, 'expected a list of groups');
  const entries = manifest.flatMap((g, i) => {
    if (!g || typeof g !== 'object' || !Array.isArray(g.weights)) throw new FormatError(`${container}.weightsManifest[${i}]`, 'group has no weights list');
    if (g.paths !== undefined && (!Array.isArray(g.paths) || !g.paths.every((p) => typeof p === 'string'))) {
      throw new FormatError(`${container}.weightsManifest[${i}].paths`, 'expected a list of file names');
    }
    return g.weights;
  });
  const weights = decodeTfjsWeights(entries, weightBytes, container);
  return graphFromNamedWeights(parsed, weights, container, fallbackName);
}

/**
 * Loads a tfjs LayersModel saved as `model.json` + weight shards (paths relative to the JSON file).
 *
 * @throws {FormatError} missing/unreadable JSON or shard (naming the file), byte-count mismatch;
 *   {@link UnsupportedError} unsupported layers (naming `layers[i] (Class 'name')`) or dtypes.
 * @example
 * const graph = await loadTfjsModel('test/golden/import/print_rounding/model.json');
 * graph.layers[1].weights.kernel.shape; // [4, 3]
 */
export async function loadTfjsModel(modelJsonPath: string): Promise<ModelGraph> {
  return loadTfjsModelSync(modelJsonPath);
}

/**
 * Synchronous {@link loadTfjsModel}.
 *
 * @example
 * const graph = loadTfjsModelSync('models/mnist/model.json');
 */
export function loadTfjsModelSync(modelJsonPath: string): ModelGraph {
  let json: TfjsModelJson;
  let text: string;
  try {
    text = readFileSync(modelJsonPath, 'utf8');
  } catch (e) {
    throw new FormatError(modelJsonPath, `cannot read tfjs model.json: ${(e as Error).message}`);
  }
  try {
    json = JSON.parse(text) as TfjsModelJson;
  } catch (e) {
    throw new FormatError(modelJsonPath, `invalid JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || !json.modelTopology) {
    throw new FormatError(modelJsonPath, 'not a tfjs model.json (no modelTopology)');
  }
  const dir = dirname(resolve(modelJsonPath));
  const shards: Uint8Array[] = [];
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new FormatError(`${modelJsonPath}.weightsManifest`, 'expected a list of groups');
  manifest.forEach((g, gi) => {
    if (!g || typeof g !== 'object' || !Array.isArray(g.paths)) throw new FormatError(`${modelJsonPath}.weightsManifest[${gi}]`, 'group has no paths list');
    g.paths.forEach((p, pi) => {
      if (typeof p !== 'string' || p === '') throw new FormatError(`${modelJsonPath}.weightsManifest[${gi}].paths[${pi}]`, `expected a file name, got ${describeValue(p, 40)}`);
      const shardPath = join(dir, p);
      if (!existsSync(shardPath)) {
        throw new FormatError(shardPath, `weight shard '${p}' (weightsManifest[${gi}].paths[${pi}] of ${basename(modelJsonPath)}) not found`);
      }
      try {
        shards.push(readFileSync(shardPath));
      } catch (e) {
        throw new FormatError(shardPath, `cannot read weight shard: ${(e as Error).message}`);
      }
    });
  });
  const total = shards.reduce((n, s) => n + s.byteLength, 0);
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const s of shards) {
    bytes.set(s, off);
    off += s.byteLength;
  }
  return tfjsArtifactsToModelGraph(json, bytes, modelJsonPath, basename(dir));
}

/**
 * What {@link fromTfjsLayersModel} reads of a `tf.LayersModel` (structurally, so the package does
 * not depend on tfjs or its types).
 */
export interface TfjsLayersModelLike {
  name: string;
  toJSON(unused: null, returnString: false): unknown;
  layers: ReadonlyArray<{
    weights: ReadonlyArray<{ name: string; originalName?: string; dtype: string; shape: readonly (number | null)[]; read(): { dataSync(): ArrayLike<number> } }>;
  }>;
}

/**
 * Converts an in-memory tfjs LayersModel (Sequential or functional) to a ModelGraph, through the
 * same topology code as {@link loadTfjsModel}: `model.toJSON(null, false)` for the topology and each
 * layer's variables (`originalName`, values via `read().dataSync()`) for the weights.
 * tfjs itself is not imported; pass the model object.
 *
 * @example
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
 * const graph = fromTfjsLayersModel(model);
 * graph.layers.map((l) => l.className); // ['InputLayer', 'Dense']
 */
export function fromTfjsLayersModel(model: TfjsLayersModelLike): ModelGraph {
  const topology = model.toJSON(null, false) as unknown;
  const parsed = parseKerasTopology(topology, `tfjs model '${model.name}'`);
  const weights: NamedWeight[] = [];
  for (const layer of model.layers) {
    for (const v of layer.weights) {
      const name = v.originalName ?? v.name;
      const values = v.read().dataSync();
      let data: Float32Array;
      if (values instanceof Float32Array) data = new Float32Array(values);
      else if (values instanceof Int32Array) data = Float32Array.from(values);
      else throw new UnsupportedError(`tfjs model '${model.name}': weight '${name}'`, `weight dtype '${v.dtype}' is not supported`);
      weights.push({ name, shape: [...v.shape] as number[], data });
    }
  }
  return graphFromNamedWeights(parsed, weights, `tfjs model '${model.name}'`, model.name);
}
