/**
 * Test helpers for the importers: build/save tfjs models to disk (model.json + weight shards via
 * `tf.io.withSaveHandler`), rewrite a tfjs topology into Keras 2 / Keras 3 JSON, and write
 * Keras-layout HDF5 weight files with h5wasm (groups and attributes as Keras' legacy h5 format), or a
 * whole Keras 3 `.keras` archive of a tfjs model.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { kerasSnakeCase } from '../../src/import/keras-archive.js';
import { uniform } from '../../src/util/random.js';

export type Tf = typeof TF;

let tfPromise: Promise<Tf> | undefined;

/** @tensorflow/tfjs on the CPU backend (imported once, dynamically). */
export async function loadTf(): Promise<Tf> {
  tfPromise ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  })();
  return tfPromise;
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'hlsemu-import-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Deterministic pseudo-random numbers in [-1, 1) (mulberry32). */
export function rng(seed: number): () => number {
  const r = uniform(seed);
  return () => r() * 2 - 1;
}

/** Overwrites every weight with deterministic random values (variances made positive). */
export function randomizeWeights(tf: Tf, model: TF.LayersModel, seed = 1): void {
  const r = rng(seed);
  for (const layer of model.layers) {
    const ws = layer.weights;
    if (ws.length === 0) continue;
    layer.setWeights(
      ws.map((w) => {
        const n = w.shape.reduce((p: number, d) => p * (d ?? 1), 1);
        const vals = Float32Array.from({ length: n }, () => r());
        if (w.originalName.endsWith('moving_variance')) for (let i = 0; i < n; i++) vals[i] = Math.abs(vals[i]!) + 0.1;
        return tf.tensor(vals, w.shape as number[]);
      }),
    );
  }
}

/**
 * Saves a tfjs model as `<dir>/model.json` + weight shard(s) (`shards` > 1 splits the bytes across
 * files `group1-shard{i}of{n}.bin`). Returns the model.json path.
 */
export async function saveTfjsModel(model: TF.LayersModel, dir: string, shards = 1): Promise<string> {
  const tf = await loadTf();
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (art) => {
      const parts = Array.isArray(art.weightData) ? art.weightData : art.weightData ? [art.weightData] : [];
      const total = parts.reduce((n, b) => n + b.byteLength, 0);
      const all = new Uint8Array(total);
      let off = 0;
      for (const b of parts) {
        all.set(new Uint8Array(b), off);
        off += b.byteLength;
      }
      const paths: string[] = [];
      const per = Math.ceil(total / shards);
      for (let i = 0; i < shards; i++) {
        const p = shards === 1 ? 'weights.bin' : `group1-shard${i + 1}of${shards}.bin`;
        writeFileSync(join(dir, p), all.subarray(i * per, Math.min(total, (i + 1) * per)));
        paths.push(p);
      }
      const json = {
        modelTopology: art.modelTopology,
        format: art.format,
        generatedBy: art.generatedBy,
        convertedBy: art.convertedBy ?? null,
        weightsManifest: [{ paths, weights: art.weightSpecs ?? [] }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return join(dir, 'model.json');
}

type Json = Record<string, unknown>;

/** The topology of a tfjs model as a Keras 2 (tf.keras 2.13) `model.to_json()` object. */
export function toKeras2Topology(model: TF.LayersModel): Json {
  const t = structuredClone(model.toJSON(null, false)) as unknown as Json;
  t['keras_version'] = '2.13.1';
  t['backend'] = 'tensorflow';
  if (t['class_name'] === 'Model') t['class_name'] = 'Functional';
  return t;
}

/** The topology of a tfjs functional model rewritten in the Keras 3 format (dict inbound nodes, batch_shape). */
export function toKeras3Topology(model: TF.LayersModel, outputShapes: Map<string, number[]>): Json {
  const t = structuredClone(model.toJSON(null, false)) as unknown as Json;
  const cfg = t['config'] as Json;
  const tensor = (name: string): Json => ({
    class_name: '__keras_tensor__',
    config: { shape: [null, ...(outputShapes.get(name) ?? [])], dtype: 'float32', keras_history: [name, 0, 0] },
  });
  for (const l of cfg['layers'] as Json[]) {
    const lc = l['config'] as Json;
    l['module'] = 'keras.layers';
    l['registered_name'] = null;
    if (l['class_name'] === 'InputLayer') {
      lc['batch_shape'] = lc['batch_input_shape'];
      delete lc['batch_input_shape'];
    }
    const nodes = l['inbound_nodes'] as unknown[][][];
    l['inbound_nodes'] = nodes.map((node) => {
      const ts = node.map((ref) => tensor(ref[0] as string));
      return { args: ts.length === 1 ? [ts[0]] : [ts], kwargs: {} };
    });
  }
  const ins = cfg['input_layers'] as unknown[];
  if (ins.length === 1) cfg['input_layers'] = ins[0];
  const outs = cfg['output_layers'] as unknown[];
  if (outs.length === 1) cfg['output_layers'] = outs[0];
  return { module: 'keras', class_name: 'Functional', config: cfg, registered_name: 'Functional', keras_version: '3.5.0' };
}

type H5Mod = typeof import('h5wasm/node').default;
type H5Group = InstanceType<H5Mod['Group']>;

async function h5(): Promise<H5Mod> {
  const mod = (await import('h5wasm/node')).default;
  await mod.ready;
  return mod;
}

function byteLen(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Writes a list of strings as Keras does (fixed-length byte strings; an empty list as float64[0]). */
function stringListAttr(g: H5Group, name: string, list: string[]): void {
  if (list.length === 0) g.create_attribute(name, new Float64Array(0), [0]);
  else g.create_attribute(name, list, [list.length], `S${Math.max(...list.map(byteLen))}`);
}

/** One layer's weights as they should land in the H5 file. */
export interface H5LayerWeights {
  layer: string;
  weights: { name: string; shape: number[]; data: Float32Array }[];
}

/** The weights of a tfjs model per layer, with Keras-style names (`<layer>/<w>:0`). */
export function kerasWeightsOf(model: TF.LayersModel): H5LayerWeights[] {
  return model.layers.map((l) => ({
    layer: l.name,
    weights: l.weights.map((w) => ({
      name: `${l.name}/${w.originalName.split('/').pop()}:0`,
      shape: [...w.shape] as number[],
      data: new Float32Array(w.read().dataSync() as Float32Array),
    })),
  }));
}

/** Options for {@link writeKerasH5}. */
export interface WriteH5Options {
  /** Write a full `model.save()` file: `model_config` root attribute + `model_weights` group. */
  modelConfig?: Json;
  /** Split `weight_names` attributes into chunks `weight_names0`, `weight_names1`, … */
  chunkWeightNames?: boolean;
  /** Leave out these datasets (`layer/name`), keeping them in `weight_names`. */
  dropDatasets?: string[];
}

/** Writes a Keras legacy-HDF5 weights file (save_weights layout, or save() with `modelConfig`). */
export async function writeKerasH5(path: string, layers: H5LayerWeights[], opts: WriteH5Options = {}): Promise<void> {
  const mod = await h5();
  const f = new mod.File(path, 'w');
  try {
    let root: H5Group = f;
    if (opts.modelConfig) {
      f.create_attribute('model_config', JSON.stringify(opts.modelConfig));
      f.create_attribute('keras_version', String(opts.modelConfig['keras_version'] ?? '2.13.1'));
      f.create_attribute('backend', 'tensorflow');
      root = f.create_group('model_weights');
    }
    stringListAttr(root, 'layer_names', layers.map((l) => l.layer));
    root.create_attribute('backend', 'tensorflow');
    root.create_attribute('keras_version', '2.13.1');
    for (const l of layers) {
      const g = root.create_group(l.layer);
      const names = l.weights.map((w) => w.name);
      if (opts.chunkWeightNames && names.length > 1) {
        names.forEach((n, i) => stringListAttr(g, `weight_names${i}`, [n]));
      } else {
        stringListAttr(g, 'weight_names', names);
      }
      for (const w of l.weights) {
        if (opts.dropDatasets?.includes(`${l.layer}/${w.name}`)) continue;
        const segs = w.name.split('/');
        const leaf = segs.pop()!;
        let parent: H5Group = g;
        for (const s of segs) {
          const existing = parent.get(s);
          parent = existing instanceof mod.Group ? existing : parent.create_group(s);
        }
        parent.create_dataset({ name: leaf, data: w.data, shape: w.shape });
      }
    }
  } finally {
    f.close();
  }
}

/** Each layer's output shape without the batch axis (what {@link toKeras3Topology} needs). */
export function outputShapesOf(model: TF.LayersModel): Map<string, number[]> {
  return new Map(model.layers.map((l) => [l.name, (l.outputShape as number[]).slice(1)]));
}

/**
 * Writes a tfjs functional model as a Keras 3 `.keras` archive (what `model.save('m.keras')`
 * writes with Keras 3.10): `metadata.json`, `config.json` (the Keras 3 topology) and
 * `model.weights.h5` with one `layers/<snake_case class>[_k]/vars` group per layer, carrying the
 * layer's `name` attribute and its variables `0`, `1`, … in Keras' order.
 */
export async function writeKeras3Archive(path: string, model: TF.LayersModel): Promise<void> {
  const mod = await h5();
  const h5path = `${path}.weights.h5`;
  const f = new mod.File(h5path, 'w');
  try {
    f.create_group('vars').create_attribute('name', model.name);
    const layers = f.create_group('layers');
    const used = new Map<string, number>();
    for (const l of model.layers) {
      const snake = kerasSnakeCase(l.getClassName());
      const k = used.get(snake);
      used.set(snake, (k ?? 0) + 1);
      const g = layers.create_group(k === undefined ? snake : `${snake}_${k}`).create_group('vars');
      g.create_attribute('name', l.name);
      l.weights.forEach((w, i) => g.create_dataset({ name: String(i), data: new Float32Array(w.read().dataSync() as Float32Array), shape: [...w.shape] as number[] }));
    }
  } finally {
    f.close();
  }
  const enc = (s: string) => new TextEncoder().encode(s);
  const zip = zipSync(
    {
      'metadata.json': [enc(JSON.stringify({ keras_version: '3.10.0', date_saved: '2025-06-01@12:00:00' })), { level: 0 }],
      'config.json': [enc(JSON.stringify(toKeras3Topology(model, outputShapesOf(model)))), { level: 0 }],
      'model.weights.h5': [readFileSync(h5path), { level: 0 }],
    },
    { mtime: new Date('2025-01-01T00:00:00Z') },
  );
  writeFileSync(path, zip);
  rmSync(h5path);
}
