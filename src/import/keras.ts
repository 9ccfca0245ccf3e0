/**
 * Keras import (Keras 2, and Keras 3's legacy HDF5 format): a topology JSON (`model.to_json()`,
 * Sequential or functional) with an HDF5 weights file (`model.save_weights('x_weights.h5')`), or the
 * single `.h5` that `model.save()` writes (topology in the root attribute `model_config`, weights under
 * `model_weights`). HDF5 is read with h5wasm (imported lazily). The weights layout is Keras':
 * `[model_weights/]<layer>/` with a `weight_names` attribute (possibly chunked as `weight_names0`, …)
 * listing dataset paths such as `fc1/kernel:0`. Layers go through the same table as tfjs.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from '../platform/fs.js';
import { basename, dirname, extname, join } from '../platform/path.js';
import { platform, type H5Module } from '../platform/index.js';
import type { Dataset as H5Dataset, File as H5File, Group as H5Group } from 'h5wasm';
import { FormatError, HlsemuError, UnsupportedError, describeValue } from '../errors.js';
import type { ModelGraph } from '../graph/model.js';
import { halfToFloat } from './tfjs.js';
import { assembleModelGraph, parseKerasTopology, weightBaseName, type NamedWeight, type ParsedTopology } from './topology.js';

/** h5wasm from the host (its Node or browser build), initialised once, throwing HDF5 errors as exceptions (wrapped below as FormatErrors). */
function h5(): Promise<H5Module> {
  return platform().h5wasm();
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * True when the file carries the HDF5 signature (at offset 0 or a power-of-two user-block offset ≥ 512).
 *
 * @example
 * isHdf5File('model.h5'); // true
 */
export function isHdf5File(path: string): boolean {
  let fd: number | undefined;
  try {
    const size = statSync(path).size;
    fd = openSync(path, 'r');
    const buf = new Uint8Array(8);
    for (let off = 0; off + 8 <= size; off = off === 0 ? 512 : off * 2) {
      readSync(fd, buf, 0, 8, off);
      if (HDF5_SIGNATURE.every((b, i) => buf[i] === b)) return true;
    }
    return false;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Opens an HDF5 file read-only after checking it exists and is HDF5 (h5wasm's own errors are cryptic). */
async function openH5(path: string): Promise<{ mod: H5Module; file: H5File }> {
  if (!existsSync(path)) throw new FormatError(path, 'HDF5 file not found');
  if (!isHdf5File(path)) throw new FormatError(path, 'not an HDF5 file (no HDF5 signature)');
  const mod = await h5();
  try {
    return { mod, file: new mod.File(platform().h5Open(mod, path), 'r') };
  } catch (e) {
    throw new FormatError(path, `cannot open HDF5 file: ${(e as Error).message}`);
  }
}

function closeQuietly(file: H5File): void {
  try {
    file.close();
  } catch {
    /* already closed */
  }
  platform().h5Close?.(file.filename);
}

/** A string attribute (`model_config`, `keras_version`), or undefined. */
function stringAttr(obj: H5Group, name: string): string | undefined {
  const a = obj.attrs[name];
  if (!a) return undefined;
  const v = a.value;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
  return undefined;
}

/**
 * A list-of-strings attribute as Keras writes it (`layer_names`, `weight_names`): a string array, an
 * empty float array when the list is empty, or chunks `name0`, `name1`, … when it was too large.
 * Returns undefined when absent.
 */
function stringListAttr(obj: H5Group, name: string, where: string): string[] | undefined {
  const attrs = obj.attrs;
  const one = (key: string): string[] => {
    const v = attrs[key]!.value;
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
    if (ArrayBuffer.isView(v) && (v as unknown as ArrayLike<number>).length === 0) return [];
    throw new FormatError(`${where}@${key}`, `expected a list of strings, got ${describeValue(v)}`);
  };
  if (attrs[name]) return one(name);
  if (!attrs[`${name}0`]) return undefined;
  const out: string[] = [];
  for (let i = 0; attrs[`${name}${i}`]; i++) out.push(...one(`${name}${i}`));
  return out;
}

function isGroup(mod: H5Module, e: unknown): e is H5Group {
  return e instanceof mod.Group;
}

function isDataset(mod: H5Module, e: unknown): e is H5Dataset {
  return e instanceof mod.Dataset;
}

/** Reads a float dataset as a typed array (float32 / float64 kept, float16 decoded). */
function readFloatDataset(ds: H5Dataset, where: string): { shape: number[]; data: Float32Array | Float64Array } {
  const meta = ds.metadata;
  const shape = ds.shape ?? [];
  if (meta.type !== 1) {
    throw new UnsupportedError(where, `dataset dtype ${describeValue(ds.dtype)} is not a float type`);
  }
  const v = ds.value;
  if (v instanceof Float32Array || v instanceof Float64Array) return { shape, data: v };
  if (meta.size === 2 && v instanceof Uint16Array) return { shape, data: Float32Array.from(v, halfToFloat) };
  throw new UnsupportedError(where, `cannot read dataset of dtype ${describeValue(ds.dtype)}`);
}

/** All datasets under a group (recursive), for layer groups without a `weight_names` attribute. */
function collectDatasets(mod: H5Module, g: H5Group, prefix: string, out: string[]): void {
  for (const k of [...g.keys()].sort()) {
    const e = g.get(k);
    if (isGroup(mod, e)) collectDatasets(mod, e, `${prefix}${k}/`, out);
    else if (isDataset(mod, e)) out.push(`${prefix}${k}`);
  }
}

/** Finds the group holding one group per layer: `model_weights` (full save) or the root (save_weights). */
function weightsRoot(mod: H5Module, file: H5File, h5Path: string): { root: H5Group; prefix: string } {
  const mw = file.get('model_weights');
  if (isGroup(mod, mw)) return { root: mw, prefix: '/model_weights' };
  const keys = file.keys();
  if (!file.attrs['layer_names'] && keys.includes('layers') && (keys.includes('vars') || keys.includes('optimizer'))) {
    throw new UnsupportedError(
      h5Path,
      "Keras 3 '.weights.h5' layout is not supported; save the weights in the legacy HDF5 format (model.save_weights('x.h5') in Keras 2, or model.save('x.h5'))",
    );
  }
  return { root: file, prefix: '' };
}

/** Reads the weights of every layer of `parsed` from an open Keras HDF5 file. */
function readKerasWeights(mod: H5Module, file: H5File, h5Path: string, parsed: ParsedTopology, source: string, fallbackName: string): ModelGraph {
  const { root, prefix } = weightsRoot(mod, file, h5Path);
  const containerOf = (name: string): string => `${h5Path}:${prefix}/${name}`;
  return assembleModelGraph(
    parsed,
    source,
    (layer) => {
      const g = root.get(layer.name);
      if (g === null || g === undefined) return null;
      const container = containerOf(layer.name);
      if (!isGroup(mod, g)) throw new FormatError(container, `expected a group for layer ${layer.where}`);
      let names = stringListAttr(g, 'weight_names', container);
      if (names === undefined) {
        names = [];
        collectDatasets(mod, g, '', names);
      }
      const ignored = new Set(layer.weightSpecs.filter((s) => s.ignored).map((s) => s.name));
      return names.filter((n) => !ignored.has(weightBaseName(n))).map((n): NamedWeight => {
        const ds = g.get(n);
        const dsPath = `${container}/${n}`;
        if (!isDataset(mod, ds)) {
          throw new FormatError(dsPath, `dataset '${n}' listed in weight_names of ${layer.where} is missing`);
        }
        return { name: n, ...readFloatDataset(ds, dsPath) };
      });
    },
    (layer) => containerOf(layer.name),
    fallbackName,
  );
}

function sourceOf(version: string | undefined): string {
  return version !== undefined && /^3\./.test(version) ? 'keras3' : 'keras2';
}

function wrapH5Errors<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof HlsemuError) throw e;
    throw new FormatError(path, `malformed or truncated HDF5 file (h5wasm: ${(e as Error).message})`);
  }
}

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FormatError(path, `cannot read ${what}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new FormatError(path, `invalid JSON: ${(e as Error).message}`);
  }
}

/**
 * The default weights file for a topology JSON: `<dir>/<name>_weights.h5` for `<dir>/<name>.json`.
 *
 * @example
 * defaultWeightsPath('models/KERAS_3layer.json'); // 'models/KERAS_3layer_weights.h5'
 */
export function defaultWeightsPath(jsonPath: string): string {
  const ext = extname(jsonPath);
  return join(dirname(jsonPath), `${basename(jsonPath, ext)}_weights.h5`);
}

/**
 * Loads a Keras model from its topology JSON and HDF5 weights (default: the sibling
 * `<name>_weights.h5`). The H5 may be a `save_weights` file (layer groups at the root) or a full
 * `model.save()` file (layer groups under `model_weights`).
 *
 * @throws {UnsupportedError} unsupported layers (naming `layers[i] (Class 'name')`);
 *   {@link FormatError} missing / malformed files, missing layer groups or datasets (named);
 *   {@link ShapeError} weight shapes that do not match the topology.
 * @example
 * const graph = await loadKerasModel('models/KERAS_3layer.json'); // + KERAS_3layer_weights.h5
 * graph.layers[1].weights.kernel.shape; // [16, 64]
 */
export async function loadKerasModel(jsonPath: string, h5Path?: string): Promise<ModelGraph> {
  const topology = readJsonFile(jsonPath, 'Keras topology JSON');
  const parsed = parseKerasTopology(topology, jsonPath);
  const weightsPath = h5Path ?? defaultWeightsPath(jsonPath);
  if (!existsSync(weightsPath)) {
    throw new FormatError(weightsPath, `HDF5 file not found: a Keras topology JSON needs its weights, '${basename(weightsPath)}' next to '${basename(jsonPath)}' (give both files together)`);
  }
  const { mod, file } = await openH5(weightsPath);
  try {
    return wrapH5Errors(weightsPath, () => {
      const version = parsed.kerasVersion ?? stringAttr(file, 'keras_version');
      return readKerasWeights(mod, file, weightsPath, parsed, sourceOf(version), basename(jsonPath, extname(jsonPath)));
    });
  } finally {
    closeQuietly(file);
  }
}

/**
 * Reads the `model_config` root attribute of a Keras HDF5 file (undefined for weights-only files).
 *
 * @example
 * const cfg = await readH5ModelConfig('model.h5'); // '{"class_name": "Sequential", ...}'
 */
export async function readH5ModelConfig(h5Path: string): Promise<string | undefined> {
  const { file } = await openH5(h5Path);
  try {
    return wrapH5Errors(h5Path, () => stringAttr(file, 'model_config'));
  } finally {
    closeQuietly(file);
  }
}

/**
 * Loads the single-file `.h5` that Keras' `model.save('x.h5')` writes: topology from the root
 * attribute `model_config`, weights from `model_weights/<layer>/`.
 *
 * @throws {FormatError} not HDF5, no `model_config` (a weights-only file: use {@link loadKerasModel}),
 *   missing groups/datasets; {@link UnsupportedError} unsupported layers.
 * @example
 * const graph = await loadKerasH5('jet_tagger.h5');
 * graph.source; // 'keras2'
 */
export async function loadKerasH5(h5Path: string): Promise<ModelGraph> {
  const { mod, file } = await openH5(h5Path);
  try {
    return wrapH5Errors(h5Path, () => {
      const text = stringAttr(file, 'model_config');
      if (text === undefined) {
        throw new FormatError(
          `${h5Path}:/@model_config`,
          'no model_config attribute: this is a weights-only file; load it with loadKerasModel(topology.json, weights.h5)',
        );
      }
      let topology: unknown;
      try {
        topology = JSON.parse(text) as unknown;
      } catch (e) {
        throw new FormatError(`${h5Path}:/@model_config`, `invalid JSON: ${(e as Error).message}`);
      }
      const parsed = parseKerasTopology(topology, `${h5Path}:/@model_config`);
      const version = stringAttr(file, 'keras_version') ?? parsed.kerasVersion;
      return readKerasWeights(mod, file, h5Path, parsed, sourceOf(version), basename(h5Path, extname(h5Path)));
    });
  } finally {
    closeQuietly(file);
  }
}
