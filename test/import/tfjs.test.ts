/**
 * tfjs import: models built in Node with @tensorflow/tfjs, saved as model.json + weights.bin, loaded
 * back with loadTfjsModel and compared with the in-memory model (classes, attrs, shapes, weights);
 * fromTfjsLayersModel must give the same ModelGraph. Also: weight decoding (quantised, float16),
 * multi-shard manifests, missing shards, and the print_rounding golden case.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, UnsupportedError } from '../../src/errors.js';
import type { ModelGraph } from '../../src/graph/model.js';
import {
  KERAS_CLASS_ALIASES,
  decodeTfjsWeights,
  fromTfjsLayersModel,
  halfToFloat,
  loadModel,
  loadTfjsModel,
  type TfjsWeightEntry,
} from '../../src/import/index.js';
import { loadTf, randomizeWeights, saveTfjsModel, tempDir, type Tf } from './helpers.js';

let tf: Tf;
let dir: string;

beforeAll(async () => {
  tf = await loadTf();
  dir = tempDir();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sequential MLP: Dense / BN / Dropout / activations. */
function mlp(): TF.LayersModel {
  const m = tf.sequential({ name: 'mlp' });
  m.add(tf.layers.dense({ units: 8, inputShape: [6], activation: 'relu', name: 'fc1' }));
  m.add(tf.layers.batchNormalization({ epsilon: 1e-4, name: 'bn1' }));
  m.add(tf.layers.dropout({ rate: 0.3, name: 'drop1' }));
  m.add(tf.layers.dense({ units: 5, useBias: false, activation: 'tanh', name: 'fc2' }));
  m.add(tf.layers.activation({ activation: 'sigmoid', name: 'act' }));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }));
  return m;
}

/** Sequential 2D CNN: Conv2D valid/same with strides, pools, ZeroPadding2D, Flatten. */
function cnn2d(): TF.LayersModel {
  const m = tf.sequential({ name: 'cnn2d' });
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: [3, 2], strides: [2, 1], inputShape: [11, 9, 2], activation: 'relu', name: 'c1' }));
  m.add(tf.layers.maxPooling2d({ poolSize: [2, 2], padding: 'same', name: 'mp' }));
  m.add(tf.layers.zeroPadding2d({ padding: [[1, 0], [2, 1]], name: 'zp' }));
  m.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', strides: 2, name: 'c2' }));
  m.add(tf.layers.batchNormalization({ name: 'bn', center: false }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 1, name: 'ap' }));
  m.add(tf.layers.flatten({ name: 'flat' }));
  m.add(tf.layers.dense({ units: 4, name: 'fc' }));
  return m;
}

/** Functional model: 1D conv branches, pools, Add, Concatenate, Reshape, ReLU/LeakyReLU/Softmax, two inputs. */
function functional(): TF.LayersModel {
  const x = tf.input({ shape: [16, 3], name: 'seq_in' });
  const aux = tf.input({ shape: [4], name: 'aux_in' });
  const a = tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', strides: 2, name: 'ca' }).apply(x) as TF.SymbolicTensor;
  const b = tf.layers.conv1d({ filters: 4, kernelSize: 5, strides: 2, padding: 'same', useBias: false, name: 'cb' }).apply(x) as TF.SymbolicTensor;
  const s = tf.layers.add({ name: 'sum' }).apply([a, b]) as TF.SymbolicTensor;
  const r = tf.layers.reLU({ maxValue: 6, name: 'relu6' }).apply(s) as TF.SymbolicTensor;
  const p1 = tf.layers.maxPooling1d({ poolSize: 2, name: 'mp1' }).apply(r) as TF.SymbolicTensor;
  const p2 = tf.layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same', name: 'ap1' }).apply(r) as TF.SymbolicTensor;
  const cat = tf.layers.concatenate({ axis: -1, name: 'cat' }).apply([p1, p2]) as TF.SymbolicTensor;
  const g1 = tf.layers.globalAveragePooling1d({ name: 'gap' }).apply(cat) as TF.SymbolicTensor;
  const g2 = tf.layers.globalMaxPooling1d({ name: 'gmp' }).apply(cat) as TF.SymbolicTensor;
  const rs = tf.layers.reshape({ targetShape: [16, 2], name: 'rs' }).apply(cat) as TF.SymbolicTensor;
  const fl = tf.layers.flatten({ name: 'fl' }).apply(rs) as TF.SymbolicTensor;
  const d = tf.layers.dense({ units: 4, name: 'aux_fc' }).apply(aux) as TF.SymbolicTensor;
  const lr = tf.layers.leakyReLU({ alpha: 0.1, name: 'lrelu' }).apply(d) as TF.SymbolicTensor;
  const all = tf.layers.concatenate({ axis: 1, name: 'cat_all' }).apply([g1, g2, fl, lr]) as TF.SymbolicTensor;
  const o = tf.layers.dense({ units: 3, name: 'logits' }).apply(all) as TF.SymbolicTensor;
  const sm = tf.layers.softmax({ name: 'probs' }).apply(o) as TF.SymbolicTensor;
  return tf.model({ inputs: [x, aux], outputs: [sm, g1], name: 'func' });
}

/** Functional 2D model with GlobalAveragePooling2D / GlobalMaxPooling2D / ZeroPadding2D. */
function functional2d(): TF.LayersModel {
  const x = tf.input({ shape: [7, 7, 2], name: 'img' });
  const z = tf.layers.zeroPadding2d({ padding: 1, name: 'pad' }).apply(x) as TF.SymbolicTensor;
  const c = tf.layers.conv2d({ filters: 3, kernelSize: 3, name: 'conv', activation: 'elu' }).apply(z) as TF.SymbolicTensor;
  const ga = tf.layers.globalAveragePooling2d({ name: 'gavg' }).apply(c) as TF.SymbolicTensor;
  const gm = tf.layers.globalMaxPooling2d({ name: 'gmax' }).apply(c) as TF.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([ga, gm]) as TF.SymbolicTensor;
  return tf.model({ inputs: x, outputs: cat, name: 'func2d' });
}

const builders: [string, () => TF.LayersModel][] = [
  ['Sequential MLP', mlp],
  ['Sequential CNN 2D', cnn2d],
  ['functional 1D, two inputs', functional],
  ['functional 2D', functional2d],
];

/** Every tfjs layer's class, output shape and weights must equal the graph's. */
function compareWithModel(graph: ModelGraph, model: TF.LayersModel): void {
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  for (const layer of model.layers) {
    const g = byName.get(layer.name);
    expect(g, `layer ${layer.name} in graph`).toBeDefined();
    const cls = layer.getClassName();
    expect(g!.className).toBe(KERAS_CLASS_ALIASES[cls] ?? cls);
    const outShape = (layer.outputShape as (number | null)[]).slice(1);
    expect(g!.outputShape, `${layer.name} output shape`).toEqual(outShape);
    const ws = layer.weights;
    expect(Object.keys(g!.weights).sort()).toEqual(ws.map((w) => w.originalName.split('/').pop()!).sort());
    for (const w of ws) {
      const key = w.originalName.split('/').pop()!;
      expect(g!.weights[key]!.shape).toEqual(w.shape);
      expect(Array.from(g!.weights[key]!.data)).toEqual(Array.from(w.read().dataSync()));
    }
  }
  // producers' output shapes feed consumers' input shapes
  for (const l of graph.layers) {
    l.inputs.forEach((i, k) => expect(l.inputShapes[k]).toEqual(byName.get(i)!.outputShape));
  }
  expect(graph.layers.filter((l) => l.className === 'InputLayer').length).toBe(model.inputs.length);
  // InputLayers come first, and every layer comes after its producers
  const pos = new Map(graph.layers.map((l, i) => [l.name, i]));
  graph.layers.forEach((l, i) => {
    if (l.className === 'InputLayer') expect(i).toBeLessThan(model.inputs.length);
    for (const inp of l.inputs) expect(pos.get(inp)!).toBeLessThan(i);
  });
}

describe('loadTfjsModel / fromTfjsLayersModel', () => {
  for (const [label, build] of builders) {
    it(`${label}: file and in-memory graphs match the tfjs model and each other`, async () => {
      const model = build();
      randomizeWeights(tf, model, label.length);
      const p = await saveTfjsModel(model, join(dir, label.replace(/\W+/g, '_')));
      const fromFile = await loadTfjsModel(p);
      const inMemory = fromTfjsLayersModel(model);
      expect(fromFile.source).toBe('tfjs');
      compareWithModel(fromFile, model);
      expect(inMemory).toEqual(fromFile);
      expect(fromFile.outputs).toEqual(model.outputs.map((o) => o.sourceLayer.name));
    });
  }

  it('normalises attrs (Sequential MLP)', () => {
    const g = fromTfjsLayersModel(mlp());
    expect(g.name).toBe('mlp');
    expect(g.layers.map((l) => [l.name, l.className])).toEqual([
      ['input1', 'InputLayer'],
      ['fc1', 'Dense'],
      ['bn1', 'BatchNormalization'],
      ['drop1', 'Dropout'],
      ['fc2', 'Dense'],
      ['act', 'Activation'],
      ['out', 'Dense'],
    ]);
    const [inp, fc1, bn1, drop1, fc2, act, out] = g.layers;
    expect(inp!.outputShape).toEqual([6]);
    expect(fc1!.inputs).toEqual(['input1']);
    expect(fc1!.attrs).toEqual({ units: 8, activation: 'relu', useBias: true });
    expect(bn1!.attrs).toEqual({ epsilon: 1e-4, center: true, scale: true });
    expect(Object.keys(bn1!.weights)).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance']);
    expect(drop1!.attrs).toEqual({ rate: 0.3 });
    expect(fc2!.attrs).toEqual({ units: 5, activation: 'tanh', useBias: false });
    expect(Object.keys(fc2!.weights)).toEqual(['kernel']);
    expect(act!.attrs).toEqual({ activation: 'sigmoid' });
    expect(out!.attrs.activation).toBe('softmax');
    expect(g.outputs).toEqual(['out']);
  });

  it('normalises attrs (CNN and functional)', () => {
    const c = fromTfjsLayersModel(cnn2d());
    const l = (g: ModelGraph, n: string) => g.layers.find((q) => q.name === n)!;
    expect(l(c, 'c1').attrs).toEqual({ filters: 4, kernelSize: [3, 2], strides: [2, 1], padding: 'valid', activation: 'relu', useBias: true });
    expect(l(c, 'c1').outputShape).toEqual([5, 8, 4]);
    expect(l(c, 'mp').attrs).toEqual({ poolSize: [2, 2], strides: [2, 2], padding: 'same' });
    expect(l(c, 'mp').outputShape).toEqual([3, 4, 4]);
    expect(l(c, 'zp').attrs).toEqual({ padding: [[1, 0], [2, 1]] });
    expect(l(c, 'zp').outputShape).toEqual([4, 7, 4]);
    expect(l(c, 'c2').outputShape).toEqual([2, 4, 3]);
    expect(Object.keys(l(c, 'bn').weights)).toEqual(['gamma', 'moving_mean', 'moving_variance']);
    expect(l(c, 'bn').attrs.center).toBe(false);
    expect(l(c, 'flat').outputShape).toEqual([9]);

    const f = fromTfjsLayersModel(functional());
    expect(f.layers.slice(0, 2).map((q) => q.name)).toEqual(['seq_in', 'aux_in']);
    expect(l(f, 'sum').inputs).toEqual(['ca', 'cb']);
    expect(l(f, 'relu6').attrs).toEqual({ maxValue: 6, negativeSlope: 0, threshold: 0 });
    expect(l(f, 'lrelu').attrs).toEqual({ alpha: 0.1 });
    expect(l(f, 'cat').attrs).toEqual({ axis: -1 });
    expect(l(f, 'cat_all').attrs).toEqual({ axis: -1 });
    expect(l(f, 'cat_all').inputs).toEqual(['gap', 'gmp', 'fl', 'lrelu']);
    expect(l(f, 'rs').attrs).toEqual({ targetShape: [16, 2] });
    expect(l(f, 'cat').outputShape).toEqual([4, 8]);
    expect(l(f, 'probs').attrs).toEqual({ axis: -1, kerasAxis: 1 }) // tfjs' Softmax default axis is 1 (hls4ml stores it as written);
    expect(f.outputs).toEqual(['probs', 'gap']);
  });
});

describe('weight decoding', () => {
  it('uint8 / uint16 quantised and float16 weights decode exactly as tfjs does', () => {
    const r = (n: number, max: number) => Array.from({ length: n }, (_, i) => (i * 7919 + 13) % max);
    const specs: TfjsWeightEntry[] = [
      { name: 'a/kernel', shape: [3, 4], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.0123, min: -1.37 } },
      { name: 'a/bias', shape: [5], dtype: 'float32', quantization: { dtype: 'uint16', scale: 1.7e-5, min: -0.5 } },
      { name: 'b/kernel', shape: [2, 3], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'b/bias', shape: [3], dtype: 'float32' },
      { name: 'c/count', shape: [2], dtype: 'int32' },
    ];
    const u8 = Uint8Array.from(r(12, 256));
    const u16 = Uint16Array.from(r(5, 65536));
    const f16 = Uint16Array.from([0x3c00, 0xc000, 0x0001, 0x8400, 0x7bff, 0x3555]);
    const f32 = Float32Array.from([0.1, -2.5, 3e-8]);
    const i32 = Int32Array.from([-7, 123456]);
    const bytes = new Uint8Array(12 + 10 + 12 + 12 + 8);
    let off = 0;
    for (const a of [u8, u16, f16, f32, i32]) {
      bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
      off += a.byteLength;
    }
    const ours = decodeTfjsWeights(specs, bytes, 'test');
    const theirs = tf.io.decodeWeights(bytes.buffer, specs as TF.io.WeightsManifestEntry[]);
    expect(ours.map((w) => w.name)).toEqual(specs.map((s) => s.name));
    for (const w of ours) {
      expect(w.shape).toEqual(theirs[w.name]!.shape);
      expect(Array.from(w.data)).toEqual(Array.from(theirs[w.name]!.dataSync()));
    }
  });

  it('halfToFloat matches tfjs for every float16 bit pattern', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const bytes = new Uint8Array(all.buffer);
    const spec = [{ name: 'x', shape: [65536], dtype: 'float32', quantization: { dtype: 'float16' } }] as TF.io.WeightsManifestEntry[];
    const theirs = tf.io.decodeWeights(bytes.buffer, spec)['x']!.dataSync();
    const ours = Float32Array.from(all, halfToFloat);
    for (let i = 0; i < 65536; i++) {
      if (Number.isNaN(theirs[i]!)) expect(Number.isNaN(ours[i]!)).toBe(true);
      else expect(Object.is(ours[i], theirs[i]), `0x${i.toString(16)}`).toBe(true);
    }
  });

  it('rejects unsupported dtypes and byte-count mismatches', () => {
    expect(() => decodeTfjsWeights([{ name: 'a/k', shape: [1], dtype: 'complex64' }], new Uint8Array(8), 'm.json')).toThrow(UnsupportedError);
    expect(() => decodeTfjsWeights([{ name: 'a/k', shape: [3], dtype: 'float32' }], new Uint8Array(8), 'm.json')).toThrow(FormatError);
    expect(() => decodeTfjsWeights([{ name: 'a/k', shape: [1], dtype: 'float32' }], new Uint8Array(8), 'm.json')).toThrow(/8 bytes.*describes 4/);
    expect(() =>
      decodeTfjsWeights([{ name: 'a/k', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8' } }], new Uint8Array(1), 'm.json'),
    ).toThrow(/scale.*min/);
  });

  it('skips optimizer weights but keeps their bytes in order', () => {
    const specs: TfjsWeightEntry[] = [
      { name: 'd/kernel', shape: [1], dtype: 'float32' },
      { name: 'Adam/iter', shape: [], dtype: 'int32', group: 'optimizer' },
      { name: 'd/bias', shape: [1], dtype: 'float32' },
    ];
    const out = decodeTfjsWeights(specs, new Uint8Array(Float32Array.from([1, 0, 2]).buffer), 'm.json');
    expect(out.map((w) => [w.name, w.data[0]])).toEqual([
      ['d/kernel', 1],
      ['d/bias', 2],
    ]);
  });
});

describe('tfjs files on disk', () => {
  it('reads weights split across several shards', async () => {
    const model = cnn2d();
    randomizeWeights(tf, model, 9);
    const one = await loadTfjsModel(await saveTfjsModel(model, join(dir, 'one_shard')));
    const three = await loadTfjsModel(await saveTfjsModel(model, join(dir, 'three_shards'), 3));
    expect(three).toEqual(one);
  });

  it('missing weight shard → FormatError naming the file', async () => {
    const d = join(dir, 'missing_shard');
    const p = await saveTfjsModel(mlp(), d, 2);
    rmSync(join(d, 'group1-shard2of2.bin'));
    await expect(loadTfjsModel(p)).rejects.toThrow(FormatError);
    await expect(loadTfjsModel(p)).rejects.toThrow(/group1-shard2of2\.bin/);
  });

  it('truncated shard → FormatError naming the weight', async () => {
    const d = join(dir, 'short_shard');
    const p = await saveTfjsModel(mlp(), d);
    const bin = readFileSync(join(d, 'weights.bin'));
    writeFileSync(join(d, 'weights.bin'), bin.subarray(0, bin.length - 8));
    // tfjs lists non-trainable weights (BN moving stats) last
    await expect(loadTfjsModel(p)).rejects.toThrow(/'bn1\/moving_variance': weight data ends after/);
  });

  it('weight for an unknown layer → FormatError', async () => {
    const d = join(dir, 'bad_name');
    const p = await saveTfjsModel(mlp(), d);
    const json = JSON.parse(readFileSync(p, 'utf8'));
    json.weightsManifest[0].weights[0].name = 'nope/kernel';
    writeFileSync(p, JSON.stringify(json));
    await expect(loadTfjsModel(p)).rejects.toThrow(/'nope\/kernel' does not belong/);
  });

  it('missing / invalid model.json → FormatError', async () => {
    await expect(loadTfjsModel(join(dir, 'nowhere', 'model.json'))).rejects.toThrow(FormatError);
    const p = join(dir, 'garbage.json');
    writeFileSync(p, '{ not json');
    await expect(loadTfjsModel(p)).rejects.toThrow(/invalid JSON/);
  });

  it('print_rounding golden case: dense1 kernel [4,3], bias [3]', async () => {
    const g = await loadTfjsModel('test/golden/import/print_rounding/model.json');
    expect(g.name).toBe('print_rounding');
    expect(g.layers.map((l) => l.className)).toEqual(['InputLayer', 'Dense']);
    const dense1 = g.layers[1]!;
    expect(dense1.name).toBe('dense1');
    expect(dense1.inputShapes).toEqual([[4]]);
    expect(dense1.outputShape).toEqual([3]);
    expect(dense1.attrs).toEqual({ units: 3, activation: 'linear', useBias: true });
    expect(dense1.weights['kernel']!.shape).toEqual([4, 3]);
    expect(dense1.weights['kernel']!.data).toBeInstanceOf(Float32Array);
    expect(dense1.weights['kernel']!.data[6]).toBe(-1.25);
    expect(dense1.weights['bias']!.shape).toEqual([3]);
    expect(await loadModel('test/golden/import/print_rounding')).toEqual(g);
  });
});
