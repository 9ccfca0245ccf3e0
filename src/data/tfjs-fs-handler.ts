/**
 * TensorFlow.js model I/O on the local file system without `@tensorflow/tfjs-node`:
 * a load handler for a `model.json` + weight-shard files written by tfjs / tensorflowjs_converter,
 * and the matching writer for `model.save(tf.io.withSaveHandler(...))`.
 * Only types are imported from tfjs statically; {@link loadLayersModelFromFile} imports
 * `@tensorflow/tfjs` at call time, so hlsemu does not hard-require it.
 */
import { dirname, isAbsolute, join, relative, resolve } from '../platform/path.js';
import type { LayersModel, io } from '@tensorflow/tfjs';
import { FormatError } from '../errors.js';
import { OutputSet } from '../io/atomic.js';
import { readInputBytes, readJsonFile } from '../io/files.js';

/** Copies a Node Buffer / Uint8Array view into a standalone ArrayBuffer. */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

/** Concatenates weight data (one buffer or tfjs' list-of-buffers form) into one ArrayBuffer. */
function flattenWeightData(data: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  if (!Array.isArray(data)) return data;
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), off);
    off += b.byteLength;
  }
  return out.buffer;
}

/**
 * Reads a tfjs `model.json` and its weight shards (paths relative to the JSON file) into
 * tfjs `ModelArtifacts`, synchronously.
 *
 * @throws {FormatError} when a file is missing, the JSON is invalid, or the shards' sizes are inconsistent.
 * @example
 * const artifacts = readModelArtifacts('models/fmnist/model.json');
 * artifacts.weightSpecs?.length; // number of weight tensors
 */
export function readModelArtifacts(modelJsonPath: string): io.ModelArtifacts {
  let json: io.ModelJSON;
  try {
    json = readJsonFile(modelJsonPath, 'tfjs model JSON') as io.ModelJSON;
  } catch (e) {
    throw new FormatError(modelJsonPath, `cannot read tfjs model JSON: ${(e as Error).message.replace(`${modelJsonPath}: `, '')}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json) || !json.modelTopology) {
    throw new FormatError(modelJsonPath, 'not a tfjs model.json (no modelTopology)');
  }
  const dir = dirname(resolve(modelJsonPath));
  const weightSpecs: io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  const manifest: unknown = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new FormatError(`${modelJsonPath}: weightsManifest`, 'expected a list of weight groups');
  manifest.forEach((group: unknown, g) => {
    const grp = group as { weights?: unknown; paths?: unknown };
    if (!grp || typeof grp !== 'object' || !Array.isArray(grp.weights) || !Array.isArray(grp.paths) || !grp.paths.every((p) => typeof p === 'string')) {
      throw new FormatError(`${modelJsonPath}: weightsManifest[${g}]`, 'expected {"paths": [file names], "weights": [specs]}');
    }
    weightSpecs.push(...(grp.weights as io.WeightsManifestEntry[]));
    for (const p of grp.paths as string[]) {
      const shardPath = resolve(dir, p);
      if (isAbsolute(p) || relative(dir, shardPath).startsWith('..')) throw new FormatError(`${modelJsonPath}: weightsManifest[${g}].paths`, `shard '${p}' is outside the model directory`);
      try {
        shards.push(readInputBytes(shardPath, 'weight shard'));
      } catch (e) {
        throw new FormatError(shardPath, `cannot read weight shard: ${(e as Error).message.replace(`${shardPath}: `, '')}`);
      }
    }
  });
  const weightData = flattenWeightData(shards.map(toArrayBuffer));
  const artifacts: io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
  };
  if (json.trainingConfig !== undefined) artifacts.trainingConfig = json.trainingConfig;
  if (json.signature !== undefined) artifacts.signature = json.signature;
  if (json.userDefinedMetadata !== undefined) artifacts.userDefinedMetadata = json.userDefinedMetadata;
  if (json.modelInitializer !== undefined) artifacts.modelInitializer = json.modelInitializer;
  if (json.initializerSignature !== undefined) artifacts.initializerSignature = json.initializerSignature;
  return artifacts;
}

/**
 * A tfjs `IOHandler` that loads `model.json` + weight shards from disk with node:fs.
 *
 * @example
 * const tf = await import('@tensorflow/tfjs');
 * const model = await tf.loadLayersModel(fileSystemLoadHandler('models/fmnist/model.json'));
 */
export function fileSystemLoadHandler(modelJsonPath: string): io.IOHandler {
  return { load: async () => readModelArtifacts(modelJsonPath) };
}

/**
 * Writes tfjs `ModelArtifacts` as `<dir>/model.json` + `<dir>/weights.bin` (one shard), in the
 * standard layers-model format that `tf.loadLayersModel` / the Python tensorflowjs converter read.
 * Use it as the body of `tf.io.withSaveHandler`.
 *
 * @example
 * await model.save(tf.io.withSaveHandler(async (a) => writeModelArtifacts('models/fmnist', a)));
 */
export function writeModelArtifacts(dir: string, artifacts: io.ModelArtifacts): io.SaveResult {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new FormatError(dir, 'cannot save a binary (GraphDef) topology as model.json');
  }
  const weightsName = 'weights.bin';
  const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : flattenWeightData(artifacts.weightData);
  const json: io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${weightsName}`], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata !== undefined) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  const text = JSON.stringify(json);
  // Both files appear together or not at all (src/io/atomic.ts).
  const out = new OutputSet();
  try {
    out.file(join(dir, 'model.json'), text);
    out.file(join(dir, weightsName), new Uint8Array(weightData));
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: new TextEncoder().encode(JSON.stringify(json.modelTopology)).length,
      weightSpecsBytes: new TextEncoder().encode(JSON.stringify(json.weightsManifest[0]!.weights)).length,
      weightDataBytes: weightData.byteLength,
    },
  };
}

/**
 * Loads a tfjs LayersModel from `model.json` on disk. Imports `@tensorflow/tfjs` dynamically
 * (an optional peer of hlsemu); throws a clear error when it is not installed.
 *
 * @example
 * const model = await loadLayersModelFromFile('models/fmnist/model.json');
 * model.predict(tf.zeros([1, 28, 28, 1]));
 */
export async function loadLayersModelFromFile(modelJsonPath: string): Promise<LayersModel> {
  let tf: typeof import('@tensorflow/tfjs');
  try {
    tf = await import('@tensorflow/tfjs');
  } catch (e) {
    throw new FormatError(
      modelJsonPath,
      `loading a tfjs model needs the @tensorflow/tfjs package (npm install @tensorflow/tfjs): ${(e as Error).message}`,
    );
  }
  return tf.loadLayersModel(fileSystemLoadHandler(modelJsonPath));
}
