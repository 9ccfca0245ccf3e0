/**
 * Keras import: topology JSON (Keras 2 and Keras 3 formats) + HDF5 weights written with h5wasm in
 * Keras' legacy layout (from a tfjs model's weights), the single-file model.save() .h5, and the bad
 * inputs (not HDF5, truncated, missing groups / datasets, wrong shapes, weights-only file).
 */
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, ShapeError, UnsupportedError } from '../../src/errors.js';
import type { ModelGraph } from '../../src/graph/model.js';
import { fromTfjsLayersModel, loadKerasH5, loadKerasModel, loadModel, parseKerasTopology } from '../../src/import/index.js';
import {
  kerasWeightsOf,
  loadTf,
  randomizeWeights,
  rng,
  tempDir,
  toKeras2Topology,
  toKeras3Topology,
  writeKerasH5,
  type H5LayerWeights,
  type Tf,
} from './helpers.js';

const FIXTURES = 'test/fixtures/import';

let tf: Tf;
let dir: string;

beforeAll(async () => {
  tf = await loadTf();
  dir = tempDir();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function functionalModel(): TF.LayersModel {
  const x = tf.input({ shape: [10, 10, 1], name: 'img' });
  const v = tf.input({ shape: [3], name: 'vec' });
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv_a' }).apply(x) as TF.SymbolicTensor;
  const c2 = tf.layers.conv2d({ filters: 4, kernelSize: 1, strides: 2, name: 'conv_b' }).apply(x) as TF.SymbolicTensor;
  const s = tf.layers.add({ name: 'res' }).apply([c1, c2]) as TF.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(s) as TF.SymbolicTensor;
  const p = tf.layers.averagePooling2d({ poolSize: 2, name: 'pool' }).apply(bn) as TF.SymbolicTensor;
  const f = tf.layers.flatten({ name: 'flat' }).apply(p) as TF.SymbolicTensor;
  const d = tf.layers.dense({ units: 5, activation: 'relu', name: 'vec_fc' }).apply(v) as TF.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'merge' }).apply([f, d]) as TF.SymbolicTensor;
  const dr = tf.layers.dropout({ rate: 0.5, name: 'drop' }).apply(cat) as TF.SymbolicTensor;
  const o = tf.layers.dense({ units: 2, activation: 'sigmoid', name: 'out' }).apply(dr) as TF.SymbolicTensor;
  return tf.model({ inputs: [x, v], outputs: o, name: 'two_input' });
}

function sequentialModel(): TF.LayersModel {
  const m = tf.sequential({ name: 'seq' });
  m.add(tf.layers.dense({ units: 6, inputShape: [4], name: 'fc1' }));
  m.add(tf.layers.batchNormalization({ name: 'bn1', scale: false }));
  m.add(tf.layers.activation({ activation: 'relu', name: 'relu1' }));
  m.add(tf.layers.dense({ units: 2, activation: 'softmax', name: 'fc2' }));
  return m;
}

const withSource = (g: ModelGraph, source: string): ModelGraph => ({ ...g, source });

function outputShapes(model: TF.LayersModel): Map<string, number[]> {
  return new Map(model.layers.map((l) => [l.name, (l.outputShape as number[]).slice(1)]));
}

describe('Keras JSON + weights .h5', () => {
  it('Keras 2 functional topology + save_weights layout equals the tfjs graph', async () => {
    const model = functionalModel();
    randomizeWeights(tf, model, 3);
    const json = join(dir, 'two_input.json');
    writeFileSync(json, JSON.stringify(toKeras2Topology(model)));
    await writeKerasH5(join(dir, 'two_input_weights.h5'), kerasWeightsOf(model));
    const g = await loadKerasModel(json);
    expect(g.source).toBe('keras2');
    expect(withSource(g, 'tfjs')).toEqual(fromTfjsLayersModel(model));
    expect(await loadModel(json)).toEqual(g);
    expect(await loadModel(join(dir, 'two_input_weights.h5'))).toEqual(g);
  });

  it('Keras 3 topology (dict inbound nodes, batch_shape) + chunked weight_names', async () => {
    const model = functionalModel();
    randomizeWeights(tf, model, 4);
    const json = join(dir, 'k3.json');
    writeFileSync(json, JSON.stringify(toKeras3Topology(model, outputShapes(model))));
    const h5 = join(dir, 'k3.weights_legacy.h5');
    await writeKerasH5(h5, kerasWeightsOf(model), { chunkWeightNames: true });
    const g = await loadKerasModel(json, h5);
    expect(g.source).toBe('keras3');
    expect(withSource(g, 'tfjs')).toEqual(fromTfjsLayersModel(model));
  });

  it('Sequential without InputLayer (tfjs / Keras < 2.4 form) derives input1', async () => {
    const model = sequentialModel();
    randomizeWeights(tf, model, 5);
    const json = join(dir, 'seq.json');
    writeFileSync(json, JSON.stringify(toKeras2Topology(model)));
    await writeKerasH5(join(dir, 'seq_weights.h5'), kerasWeightsOf(model));
    const g = await loadKerasModel(json);
    expect(g.layers[0]).toMatchObject({ name: 'input1', className: 'InputLayer', outputShape: [4] });
    expect(g.layers[2]!.attrs).toEqual({ epsilon: 1e-3, center: true, scale: false });
    expect(Object.keys(g.layers[2]!.weights)).toEqual(['beta', 'moving_mean', 'moving_variance']);
    expect(withSource(g, 'tfjs')).toEqual(fromTfjsLayersModel(model));
  });

  it('Sequential with an explicit InputLayer (Keras >= 2.4 form) keeps its name', async () => {
    const model = sequentialModel();
    const topo = toKeras2Topology(model) as { config: { layers: unknown[] } };
    topo.config.layers.unshift({ class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false, name: 'fc1_input' } });
    const json = join(dir, 'seq_in.json');
    writeFileSync(json, JSON.stringify(topo));
    await writeKerasH5(join(dir, 'seq_in_weights.h5'), [{ layer: 'fc1_input', weights: [] }, ...kerasWeightsOf(model)]);
    const g = await loadKerasModel(json);
    expect(g.layers.map((l) => l.name)).toEqual(['fc1_input', 'fc1', 'bn1', 'relu1', 'fc2']);
    expect(g.layers[1]!.inputs).toEqual(['fc1_input']);
  });

  it('Keras 3 Sequential fixture (DTypePolicy objects, negative_slope, lora_rank)', async () => {
    const r = rng(11);
    const fill = (shape: number[]) => Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => r());
    const w = (layer: string, names: [string, number[]][]): H5LayerWeights => ({
      layer,
      weights: names.map(([n, s]) => ({ name: `sequential/${layer}/${n}`, shape: s, data: fill(s) })),
    });
    const json = join(dir, 'keras3_sequential.json');
    copyFileSync(join(FIXTURES, 'keras3_sequential.json'), json);
    await writeKerasH5(join(dir, 'keras3_sequential_weights.h5'), [
      w('conv2d', [['kernel', [3, 3, 2, 4]], ['bias', [4]]]),
      w('batch_normalization', [['gamma', [4]], ['beta', [4]], ['moving_mean', [4]], ['moving_variance', [4]]]),
      w('dense', [['kernel', [16, 3]], ['bias', [3]]]),
      { layer: 'flatten', weights: [] },
    ]);
    const g = await loadKerasModel(json);
    expect(g.source).toBe('keras3');
    expect(g.name).toBe('sequential');
    expect(g.layers.map((l) => [l.className, l.outputShape])).toEqual([
      ['InputLayer', [9, 9, 2]],
      ['Conv2D', [5, 5, 4]],
      ['BatchNormalization', [5, 5, 4]],
      ['LeakyReLU', [5, 5, 4]],
      ['MaxPooling2D', [2, 2, 4]],
      ['Flatten', [16]],
      ['Dense', [3]],
    ]);
    expect(g.layers[3]!.attrs).toEqual({ alpha: 0.2 });
    expect(g.layers[1]!.weights['kernel']!.shape).toEqual([3, 3, 2, 4]);
  });

  it('Keras 2 Sequential fixture with aliases, ZeroPadding1D, ReLU, hard_sigmoid', async () => {
    const r = rng(12);
    const json = join(dir, 'keras2_conv1d_seq.json');
    copyFileSync(join(FIXTURES, 'keras2_conv1d_seq.json'), json);
    const mk = (s: number[]) => Float32Array.from({ length: s.reduce((p, d) => p * d, 1) }, () => r());
    await writeKerasH5(join(dir, 'keras2_conv1d_seq_weights.h5'), [
      { layer: 'zero_padding1d_1', weights: [] },
      { layer: 'conv1d_1', weights: [{ name: 'conv1d_1/kernel:0', shape: [4, 2, 3], data: mk([4, 2, 3]) }, { name: 'conv1d_1/bias:0', shape: [3], data: mk([3]) }] },
      { layer: 'dense_1', weights: [{ name: 'dense_1/kernel:0', shape: [3, 2], data: mk([3, 2]) }] },
    ]);
    const g = await loadKerasModel(json);
    expect(g.layers.map((l) => [l.name, l.className, l.outputShape])).toEqual([
      ['input1', 'InputLayer', [12, 2]],
      ['zero_padding1d_1', 'ZeroPadding1D', [15, 2]],
      ['conv1d_1', 'Conv1D', [6, 3]],
      ['re_lu_1', 'ReLU', [6, 3]],
      ['max_pooling1d_1', 'MaxPooling1D', [6, 3]],
      ['average_pooling1d_1', 'AveragePooling1D', [3, 3]],
      ['global_average_pooling1d_1', 'GlobalAveragePooling1D', [3]],
      ['dense_1', 'Dense', [2]],
      ['softmax_1', 'Softmax', [2]],
    ]);
    expect(g.layers[1]!.attrs).toEqual({ padding: [2, 1] });
    expect(g.layers[3]!.attrs).toEqual({ maxValue: null, negativeSlope: 0, threshold: 0 });
    expect(g.layers[7]!.attrs).toEqual({ units: 2, activation: 'hard_sigmoid', useBias: false });
  });
});

describe('single-file model.save() .h5', () => {
  it('reads model_config + model_weights and equals the JSON + weights route', async () => {
    const model = functionalModel();
    randomizeWeights(tf, model, 6);
    const h5 = join(dir, 'full.h5');
    await writeKerasH5(h5, kerasWeightsOf(model), { modelConfig: toKeras2Topology(model) });
    const g = await loadKerasH5(h5);
    expect(g.source).toBe('keras2');
    expect(withSource(g, 'tfjs')).toEqual(fromTfjsLayersModel(model));
    expect(await loadModel(h5)).toEqual(g);
  });

  it('weights-only file given to loadKerasH5 → FormatError pointing at loadKerasModel', async () => {
    const model = sequentialModel();
    const h5 = join(dir, 'only_weights.h5');
    await writeKerasH5(h5, kerasWeightsOf(model));
    await expect(loadKerasH5(h5)).rejects.toThrow(FormatError);
    await expect(loadKerasH5(h5)).rejects.toThrow(/no model_config.*loadKerasModel/);
    await expect(loadModel(h5)).rejects.toThrow(/no topology 'only\.json' next to it/);
  });
});

describe('malformed Keras inputs → typed errors', () => {
  const model = () => sequentialModel();

  async function setup(name: string, layers?: H5LayerWeights[], opts: Parameters<typeof writeKerasH5>[2] = {}): Promise<string> {
    const m = model();
    const json = join(dir, `${name}.json`);
    writeFileSync(json, JSON.stringify(toKeras2Topology(m)));
    await writeKerasH5(join(dir, `${name}_weights.h5`), layers ?? kerasWeightsOf(m), opts);
    return json;
  }

  it('not an HDF5 file', async () => {
    const json = await setup('not_h5');
    writeFileSync(join(dir, 'not_h5_weights.h5'), 'definitely not HDF5 '.repeat(40));
    await expect(loadKerasModel(json)).rejects.toThrow(FormatError);
    await expect(loadKerasModel(json)).rejects.toThrow(/not_h5_weights\.h5: not an HDF5 file/);
  });

  it('truncated HDF5 file', async () => {
    const json = await setup('trunc');
    const p = join(dir, 'trunc_weights.h5');
    writeFileSync(p, readFileSync(p).subarray(0, 1500));
    await expect(loadKerasModel(json)).rejects.toThrow(FormatError);
  });

  it('missing weights file names the file', async () => {
    const json = join(dir, 'no_weights.json');
    writeFileSync(json, JSON.stringify(toKeras2Topology(model())));
    await expect(loadKerasModel(json)).rejects.toThrow(/no_weights_weights\.h5: HDF5 file not found: a Keras topology JSON needs its weights, 'no_weights_weights\.h5' next to/);
  });

  it('missing dataset listed in weight_names names the dataset and layer', async () => {
    const json = await setup('no_ds', undefined, { dropDatasets: ['fc2/fc2/kernel:0'] });
    const err = await loadKerasModel(json).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(String((err as Error).message)).toContain('/fc2/fc2/kernel:0');
    expect(String((err as Error).message)).toContain("layers[3] (Dense 'fc2')");
  });

  it('missing layer group names the layer', async () => {
    const json = await setup('no_group', kerasWeightsOf(model()).filter((l) => l.layer !== 'bn1'));
    await expect(loadKerasModel(json)).rejects.toThrow(/layers\[1\] \(BatchNormalization 'bn1'\): no weights for this layer/);
  });

  it('missing weight names the weight', async () => {
    const layers = kerasWeightsOf(model()).map((l) => (l.layer === 'fc1' ? { ...l, weights: l.weights.filter((w) => !w.name.includes('bias')) } : l));
    const json = await setup('no_bias', layers);
    await expect(loadKerasModel(json)).rejects.toThrow(/layers\[0\] \(Dense 'fc1'\)\.weights\.bias: weight 'bias' is missing/);
  });

  it('weight of the wrong shape → ShapeError', async () => {
    const layers = kerasWeightsOf(model()).map((l) =>
      l.layer === 'fc2' ? { ...l, weights: l.weights.map((w) => (w.name.includes('kernel') ? { ...w, shape: [2, 6] } : w)) } : l,
    );
    const json = await setup('bad_shape', layers);
    const err = await loadKerasModel(json).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as Error).message).toMatch(/fc2'\)\.weights\.kernel: expected shape \[6, 2\], got \[2, 6\]/);
  });

  it('unsupported layer (ConvLSTM1D) → UnsupportedError naming class and position, before the H5 is opened', async () => {
    const json = join(dir, 'rnn.json');
    writeFileSync(json, readFileSync(join(FIXTURES, 'keras2_lstm.json'), 'utf8').replace('"class_name": "LSTM"', '"class_name": "ConvLSTM1D"'));
    const err = await loadKerasModel(json, join(dir, 'does_not_exist.h5')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as UnsupportedError).path).toBe("layers[3] (ConvLSTM1D 'lstm_1')");
    expect((err as Error).message).toMatch(/layer class ConvLSTM1D is not supported/);
    await expect(loadModel(json)).rejects.toThrow(UnsupportedError);
  });

  it('Keras 3 .weights.h5 layout is rejected with a hint', async () => {
    const json = join(dir, 'k3native.json');
    writeFileSync(json, JSON.stringify(toKeras2Topology(model())));
    const mod = (await import('h5wasm/node')).default;
    await mod.ready;
    const f = new mod.File(join(dir, 'k3native.weights.h5'), 'w');
    f.create_group('layers').create_group('dense').create_group('vars');
    f.create_group('vars');
    f.close();
    await expect(loadKerasModel(json, join(dir, 'k3native.weights.h5'))).rejects.toThrow(/Keras 3 '\.weights\.h5' layout is not supported/);
  });

  it('parseKerasTopology rejects a model_config that is not a topology', () => {
    expect(() => parseKerasTopology({ foo: 1 }, 'x.h5')).toThrow(FormatError);
  });
});
