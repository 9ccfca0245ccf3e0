/**
 * Keras 3 models through loadModel: `.keras` archives (variables found by the group's `name`
 * attribute, or by Keras' saving walk in files without it), archives tf.keras 2.13/2.14 wrote
 * (Keras 2 rules, QKeras layers allowed), Keras 3's legacy full-model `.h5`, hls4ml's Keras 3 rule
 * of splitting only non-linear activations, and a `.keras` import-case directory checked by the
 * conformance runner against the print_rounding reference vectors. Fixtures are built here with
 * h5wasm and fflate.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkImportCase } from '../../src/conformance/index.js';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { Emulator } from '../../src/emulate/predict.js';
import { kerasArchiveLayerGroups, kerasSnakeCase, loadModel } from '../../src/import/index.js';
import { qbits, qdense, randomWeights, rng, topology } from './qkeras-builder.js';
import { tempDir, writeKerasH5 } from './helpers.js';

type Json = Record<string, unknown>;
const enc = (s: string) => new TextEncoder().encode(s);
const dir = tempDir('hlsemu-keras3-');

interface Var {
  group: string;
  name?: string;
  data: Float32Array[];
  shapes: number[][];
}

async function weightsH5(file: string, vars: Var[], prefix = 'layers'): Promise<Uint8Array> {
  const mod = (await import('h5wasm/node')).default;
  await mod.ready;
  const f = new mod.File(file, 'w');
  try {
    const layers = f.create_group(prefix);
    for (const v of vars) {
      const g = layers.create_group(v.group).create_group('vars');
      if (v.name !== undefined) g.create_attribute('name', v.name);
      v.data.forEach((d, i) => g.create_dataset({ name: String(i), data: d, shape: v.shapes[i]! }));
    }
  } finally {
    f.close();
  }
  return new Uint8Array(readFileSync(file));
}

function archive(path: string, config: Json, version: string, weights: Uint8Array): string {
  const z: Zippable = {
    'metadata.json': [enc(JSON.stringify({ keras_version: version, date_saved: '2025-06-01@12:00:00' })), { level: 0 }],
    'config.json': [enc(JSON.stringify(config)), { level: 0 }],
    'model.weights.h5': [weights, { level: 6 }],
  };
  writeFileSync(path, zipSync(z, { mtime: new Date('2025-01-01T00:00:00Z') }));
  return path;
}

const r = rng(5);
const k1 = randomWeights(r, [4, 3], 1);
const b1 = randomWeights(r, [3], 0.5);
const bnw = [Float32Array.from([1, 2, 0.5]), Float32Array.from([0, 0.1, -0.1]), Float32Array.from([0.2, 0.3, 0.4]), Float32Array.from([1, 4, 0.25])];
const k2 = randomWeights(r, [3, 2], 1);
const b2 = randomWeights(r, [2], 0.5);

const K3_CONFIG: Json = {
  module: 'keras',
  class_name: 'Sequential',
  config: {
    name: 'seq3',
    layers: [
      { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4], dtype: 'float32', name: 'input_layer' }, registered_name: null },
      { module: 'keras.layers', class_name: 'Dense', config: { name: 'fc1', units: 3, activation: 'relu', use_bias: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } } }, registered_name: null },
      { module: 'keras.layers', class_name: 'BatchNormalization', config: { name: 'bn', axis: -1, epsilon: 0.001, center: true, scale: true }, registered_name: null },
      { module: 'keras.layers', class_name: 'Dropout', config: { name: 'drop', rate: 0.5 }, registered_name: null },
      { module: 'keras.layers', class_name: 'Dense', config: { name: 'fc2', units: 2, activation: 'linear', use_bias: true }, registered_name: null },
    ],
  },
  registered_name: null,
};

const vars = (named: boolean): Var[] => [
  { group: 'input_layer', ...(named ? { name: 'input_layer' } : {}), data: [], shapes: [] },
  { group: 'dense', ...(named ? { name: 'fc1' } : {}), data: [k1, b1], shapes: [[4, 3], [3]] },
  { group: 'batch_normalization', ...(named ? { name: 'bn' } : {}), data: bnw, shapes: [[3], [3], [3], [3]] },
  { group: 'dropout', ...(named ? { name: 'drop' } : {}), data: [], shapes: [] },
  { group: 'dense_1', ...(named ? { name: 'fc2' } : {}), data: [k2, b2], shapes: [[3, 2], [2]] },
];

let named: string;
let unnamed: string;
beforeAll(async () => {
  named = archive(join(dir, 'named.keras'), K3_CONFIG, '3.10.0', await weightsH5(join(dir, 'n.weights.h5'), vars(true)));
  // before Keras 3.6 the groups carry no name and only saveables with variables get one
  unnamed = archive(join(dir, 'unnamed.keras'), K3_CONFIG, '3.3.3', await weightsH5(join(dir, 'u.weights.h5'), vars(false).filter((v) => v.data.length > 0)));
});

describe('Keras 3 .keras archives', () => {
  it("Keras' snake_case names", () => {
    expect(['Dense', 'BatchNormalization', 'Conv2D', 'QDense', 'InputLayer', 'MaxPooling2D'].map(kerasSnakeCase)).toEqual(['dense', 'batch_normalization', 'conv2d', 'q_dense', 'input_layer', 'max_pooling2d']);
  });

  it('load with the weights of every layer (group name attributes), source keras3', async () => {
    const g = await loadModel(named);
    expect(g.source).toBe('keras3');
    expect(g.layers.map((l) => `${l.name}:${l.className}`)).toEqual(['input_layer:InputLayer', 'fc1:Dense', 'bn:BatchNormalization', 'drop:Dropout', 'fc2:Dense']);
    expect(Array.from(g.layers[1]!.weights.kernel!.data)).toEqual(Array.from(k1));
    expect(Array.from(g.layers[2]!.weights.moving_variance!.data)).toEqual(Array.from(bnw[3]!));
    expect(Array.from(g.layers[4]!.weights.bias!.data)).toEqual(Array.from(b2));
  });

  it('files without name attributes map groups by the saving walk (class snake_case, _1, _2 … in layer order)', async () => {
    const a = await loadModel(named);
    const b = await loadModel(unnamed);
    expect(b.layers).toEqual(a.layers);
    const groups = kerasArchiveLayerGroups(K3_CONFIG, [{ path: 'layers/dense', name: undefined, vars: [] }, { path: 'layers/dense_1', name: undefined, vars: [] }]);
    expect([...groups.entries()].map(([k, v]) => `${k}=${v.path}`)).toEqual(['fc1=layers/dense', 'fc2=layers/dense_1']);
  });

  it("hls4ml's Keras 3 rule: only non-linear activations split (no fc2_linear); the firmware computes the same numbers as the Keras 2 form", async () => {
    const g3 = await loadModel(named);
    const cfg3 = configFromModel(g3, { granularity: 'name' });
    expect(Object.keys(cfg3.LayerName!)).toEqual(['input_layer', 'fc1', 'fc1_relu', 'bn', 'fc2']);
    const g2 = { ...g3, source: 'keras2' };
    expect(Object.keys(configFromModel(g2, { granularity: 'name' }).LayerName!)).toContain('fc2_linear');
    const x = Float64Array.from({ length: 40 }, (_, i) => Math.cos(i) * 2);
    const y3 = new Emulator(convertModel(g3)).predict({ data: x, shape: [10, 4] }).values;
    const y2 = new Emulator(convertModel(g2)).predict({ data: x, shape: [10, 4] }).values;
    expect(Array.from(y3)).toEqual(Array.from(y2));
  });

  it('a missing or mis-sized variable group is a FormatError naming the archive, the group and the layer', async () => {
    const bad = vars(true);
    bad[1] = { ...bad[1]!, data: [k1], shapes: [[4, 3]] };
    const p = archive(join(dir, 'bad.keras'), K3_CONFIG, '3.10.0', await weightsH5(join(dir, 'b.weights.h5'), bad));
    await expect(loadModel(p)).rejects.toThrow(/bad\.keras:model\.weights\.h5:\/layers\/dense\/vars: layers\[1\] \(Dense 'fc1'\) has 2 variables \(kernel, bias\), the archive holds 1/);
  });

  it('an archive tf.keras 2.13/2.14 wrote keeps the Keras 2 rules, so QKeras layers convert', async () => {
    const rq = rng(8);
    const l = qdense('fc', 4, 3, qbits(6, 0), qbits(6, 0), rq);
    const cfg = topology('qk', [4], [l], '2.13.1');
    const w = await weightsH5(join(dir, 'q.weights.h5'), [{ group: 'q_dense', data: l.weights!.map((x) => x.data), shapes: l.weights!.map((x) => x.shape) }], '_layer_checkpoint_dependencies');
    const p = archive(join(dir, 'qk.keras'), cfg, '2.13.1', w);
    const g = await loadModel(p);
    expect(g.source).toBe('keras2');
    const fw = convertModel(g, configFromModel(g, { granularity: 'name' }));
    expect(fw.layers.map((x) => x.name)).toEqual(['fc']);
    expect((fw.layers[0]!.types as Record<string, unknown>).weight).toMatchObject({ W: 6, I: 1 });
  });
});

describe("Keras 3's legacy full-model .h5", () => {
  it('loads with source keras3 (weight paths without :0)', async () => {
    const topo = { ...K3_CONFIG, keras_version: '3.10.0' } as Json;
    const p = join(dir, 'k3full.h5');
    await writeKerasH5(
      p,
      [
        { layer: 'fc1', weights: [{ name: 'fc1/kernel', shape: [4, 3], data: k1 }, { name: 'fc1/bias', shape: [3], data: b1 }] },
        { layer: 'bn', weights: ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((n, i) => ({ name: `bn/${n}`, shape: [3], data: bnw[i]! })) },
        { layer: 'drop', weights: [] },
        { layer: 'fc2', weights: [{ name: 'fc2/kernel', shape: [3, 2], data: k2 }, { name: 'fc2/bias', shape: [2], data: b2 }] },
      ],
      { modelConfig: topo },
    );
    const g = await loadModel(p);
    expect(g.source).toBe('keras3');
    expect(g.layers).toEqual((await loadModel(named)).layers);
  });
});

describe('conformance: a .keras import case', () => {
  it('print_rounding as a Keras 3 archive reproduces the reference vectors (0 mismatches)', async () => {
    const src = join(__dirname, '..', 'golden', 'import', 'print_rounding');
    const tfjs = await loadModel(join(src, 'model.json'));
    const d = tfjs.layers[1]!;
    const config: Json = {
      module: 'keras',
      class_name: 'Sequential',
      config: {
        name: 'print_rounding',
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4], dtype: 'float32', name: 'input1' }, registered_name: null },
          { module: 'keras.layers', class_name: 'Dense', config: { name: 'dense1', units: 3, activation: 'linear', use_bias: true }, registered_name: null },
        ],
      },
      registered_name: null,
    };
    const w = await weightsH5(join(dir, 'pr.weights.h5'), [{ group: 'dense', name: 'dense1', data: [Float32Array.from(d.weights.kernel!.data), Float32Array.from(d.weights.bias!.data)], shapes: [[4, 3], [3]] }]);
    const caseDir = join(dir, 'print_rounding_keras3');
    mkdirSync(caseDir);
    archive(join(caseDir, 'print_rounding.keras'), config, '3.10.0', w);
    for (const f of ['config.json', 'inputs.json', 'expected.json']) copyFileSync(join(src, f), join(caseDir, f));
    const rep = await checkImportCase(caseDir);
    expect(rep.failures).toEqual([]);
    expect(rep.passed).toBeGreaterThan(0);
  });
});
