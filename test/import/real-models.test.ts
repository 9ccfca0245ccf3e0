/**
 * Real third-party Keras 2 models (hls4ml's example models: topology JSON + `_weights.h5`) from
 * `../shared/models/keras` relative to the repo root. They have no licence, so they are never copied
 * into the repo: the tests skip (with a message) when the folder is absent.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelGraph } from '../../src/graph/model.js';
import { KERAS_LAYER_TABLE, loadKerasModel, loadModel } from '../../src/import/index.js';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { Emulator } from '../../src/emulate/predict.js';
import { evaluateFloat, argmaxRows } from '../../src/emulate/float.js';
import { formatFixedType, parseFixedType } from '../../src/fixed/index.js';

// The shared models sit next to the checkout (../shared) or next to the worktrees' parent (../../shared).
const CANDIDATES = ['../shared/models/keras', '../../shared/models/keras'];
const MODELS = CANDIDATES.find((d) => existsSync(d)) ?? CANDIDATES[0]!;
const present = existsSync(MODELS);
const jsons = present ? readdirSync(MODELS).filter((f) => f.endsWith('.json')).sort() : [];

if (!present) {
  console.warn(`[real-models] skipped: none of ${CANDIDATES.join(', ')} (relative to ${process.cwd()}) exists`);
}

/** Producers' output shapes feed consumers; weight shapes are the layer's expected Keras shapes. */
function checkConsistent(g: ModelGraph): void {
  const byName = new Map(g.layers.map((l) => [l.name, l]));
  expect(g.layers[0]!.className).toBe('InputLayer');
  for (const l of g.layers) {
    l.inputs.forEach((i, k) => expect(l.inputShapes[k], `${l.name} input ${k}`).toEqual(byName.get(i)!.outputShape));
    const specs = KERAS_LAYER_TABLE[l.className]!.weights?.(l.attrs, l.inputShapes) ?? [];
    expect(Object.keys(l.weights)).toEqual(specs.map((s) => s.name));
    for (const s of specs) {
      const w = l.weights[s.name]!;
      expect(w.shape).toEqual(s.shape);
      expect(w.data.length).toBe(s.shape.reduce((p, d) => p * d, 1));
      expect(w.data.every((v) => Number.isFinite(v))).toBe(true);
    }
  }
  for (const o of g.outputs) expect(byName.has(o)).toBe(true);
}

describe.skipIf(!present)(`real Keras models in ${MODELS}`, () => {
  for (const f of jsons) {
    it(`${f} loads with consistent shapes`, async () => {
      const g = await loadModel(join(MODELS, f));
      expect(g.source).toBe('keras2');
      checkConsistent(g);
    });
  }

  it('KERAS_3layer.json with the 70%-pruned weights file', async () => {
    const g = await loadKerasModel(join(MODELS, 'KERAS_3layer.json'), join(MODELS, 'KERAS_3layer_70pruned_retrained_weights.h5'));
    checkConsistent(g);
    const k = g.layers[1]!.weights['kernel']!.data;
    const zeros = k.filter((v) => v === 0).length / k.length;
    expect(zeros).toBeGreaterThan(0.5);
  });

  it('known shapes: jetTagger_Conv2D_Small (same padding, strides 3 and 2) and KERAS_conv2d_model (Sequential, no InputLayer)', async () => {
    const jet = await loadModel(join(MODELS, 'jetTagger_Conv2D_Small.json'));
    expect(jet.layers.map((l) => [l.name, l.outputShape])).toEqual([
      ['input_1', [25, 25, 1]],
      ['batch_normalization_1', [25, 25, 1]],
      ['cnn2D_1_relu', [9, 9, 5]],
      ['dropout_1', [9, 9, 5]],
      ['batch_normalization_2', [9, 9, 5]],
      ['cnn2D_2_relu', [5, 5, 2]],
      ['dropout_2', [5, 5, 2]],
      ['flatten_1', [50]],
      ['dense_1_relu', [10]],
      ['dropout_3', [10]],
      ['output_softmax', [5]],
    ]);
    const seq = await loadModel(join(MODELS, 'KERAS_conv2d_model.json'));
    expect(seq.layers.map((l) => l.className)).toEqual(['InputLayer', 'Conv2D', 'Dropout', 'Flatten', 'Dense']);
    expect(seq.layers[0]!.name).toBe('input1');
    expect(seq.layers[4]!.weights['kernel']!.shape).toEqual([128, 10]);
    const bn = await loadModel(join(MODELS, 'KERAS_3layer_batch_norm.json'));
    expect(bn.layers.find((l) => l.name === 'bn1')!.attrs.epsilon).toBe(1e-6);
  });
});

/** hls4ml's types for the QKeras models at 'name' granularity (config_from_keras_model, backend None). */
const QKERAS_TYPES: Record<string, Record<string, string>> = {
  qkeras_3layer: {
    'fc1.weight': 'fixed<6,1>',
    'fc1.result': 'fixed<27,12>',
    'relu1.result': 'ufixed<6,0,RND_CONV,SAT>',
    'fc2.result': 'fixed<19,8>',
    'fc3.result': 'fixed<18,7>',
    'output.result': 'fixed<18,7>',
  },
  qkeras_mnist_cnn: {
    'q_conv2d.result': 'fixed<27,12>',
    'q_conv2d_relu.result': 'fixed<16,6>',
    'q_activation.result': 'ufixed<6,0,RND_CONV,SAT>',
    'q_conv2d_1.result': 'fixed<21,10>',
    'q_dense.result': 'fixed<22,11>',
  },
  qkeras_mnist_dense: {
    'q_activation_2.result': 'ufixed<2,0,RND_CONV,SAT>',
    'q_dense_2.weight': 'int<4>',
    'q_dense_2.bias': 'fixed<2,1>',
    'q_dense_2.result': 'fixed<16,6>',
    'q_activation_3.result': 'ufixed<3,1,RND_CONV,SAT>',
    'q_dense_3.result': 'fixed<13,8>',
  },
};

describe.skipIf(!present)(`real QKeras models in ${MODELS}: convert and emulate`, () => {
  for (const [name, types] of Object.entries(QKERAS_TYPES)) {
    it(`${name}: hls4ml's types at 'name' granularity, and the firmware follows the QKeras float model`, async () => {
      const m = await loadModel(join(MODELS, `${name}.json`));
      const fw = convertModel(m, configFromModel(m, { granularity: 'name' }));
      for (const [k, want] of Object.entries(types)) {
        const [layer, v] = k.split('.') as [string, string];
        const L = fw.layers.find((l) => l.name === layer);
        expect(L, k).toBeDefined();
        expect(formatFixedType((L!.types as Record<string, never>)[v]!), k).toBe(formatFixedType(parseFixedType(want)));
      }
      if (name === 'qkeras_mnist_dense') expect(fw.layers.find((l) => l.name === 'q_dense_2')!.config).toMatchObject({ product: 'weight_exponential' });
      const shape = fw.input.shape;
      const n = 20;
      const size = shape.reduce((p, d) => p * d, 1);
      const x = Float64Array.from({ length: n * size }, (_, i) => 0.5 + 0.5 * Math.sin(i * 0.61 + (i % 7)));
      const y = new Emulator(fw).predict({ data: x, shape: [n, ...shape] });
      const f = evaluateFloat(m, { data: x, shape: [n, ...shape] });
      const per = y.values.length / n;
      expect(Array.from(y.values).every(Number.isFinite)).toBe(true);
      const a = argmaxRows(y.values, per);
      const b = argmaxRows(f.values, per);
      let agree = 0;
      for (let i = 0; i < n; i++) if (a[i] === b[i]) agree++;
      expect(agree / n).toBeGreaterThanOrEqual(0.7);
    });
  }
});
