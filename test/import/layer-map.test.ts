/**
 * The Keras layer table and the topology reader: attrs normalisation, aliases, output-shape inference
 * (cross-checked against tfjs' own computeOutputShape), inbound-node formats, topological ordering,
 * and the typed errors for everything unsupported or malformed. Also loadModel's dispatch.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FormatError, HlsemuError, ShapeError, UnsupportedError } from '../../src/errors.js';
import { MODEL_LAYER_CLASSES } from '../../src/graph/model.js';
import { MODEL_CLASSES } from '../../src/layers/registry.js';
import {
  KERAS_CLASS_ALIASES,
  KERAS_LAYER_TABLE,
  LayerConfigReader,
  convOutputLength,
  loadModel,
  mapKerasLayer,
  normaliseActivation,
  parseKerasTopology,
  resolveLayerWeights,
} from '../../src/import/index.js';
import { loadTf, tempDir, type Tf } from './helpers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await loadTf();
});

const map = (cls: string, config: Record<string, unknown>, inputs: number[][], name = 'l') =>
  mapKerasLayer(new LayerConfigReader(2, cls, name, config), inputs);

function thrown(fn: () => unknown): HlsemuError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HlsemuError) return e;
    throw e;
  }
  throw new Error('expected a throw');
}

describe('layer table', () => {
  it('covers exactly the ModelGraph classes, aliases point into the table', () => {
    // model classes without a Keras rule (ApplyAlpha) are produced by other importers only
    expect(Object.values(KERAS_LAYER_TABLE).map((r) => r.className).sort()).toEqual([...MODEL_LAYER_CLASSES].filter((c) => MODEL_CLASSES[c]!.keras).sort());
    for (const [k, v] of Object.entries(KERAS_LAYER_TABLE)) expect(v.className).toBe(k);
    for (const target of Object.values(KERAS_CLASS_ALIASES)) expect(KERAS_LAYER_TABLE[target]).toBeDefined();
  });

  it('aliases map onto the canonical class', () => {
    expect(map('MaxPool2D', { pool_size: [2, 2] }, [[4, 4, 1]]).className).toBe('MaxPooling2D');
    expect(map('AvgPool1D', { pool_size: 2 }, [[4, 1]]).className).toBe('AveragePooling1D');
    expect(map('Convolution2D', { filters: 2, kernel_size: 3 }, [[5, 5, 1]]).className).toBe('Conv2D');
    expect(map('GlobalAvgPool2D', {}, [[5, 5, 3]])).toMatchObject({ className: 'GlobalAveragePooling2D', outputShape: [3] });
    expect(map('GlobalMaxPool1D', {}, [[5, 3]])).toMatchObject({ className: 'GlobalMaxPooling1D', outputShape: [3] });
  });

  it('conv / pool output sizes match tfjs (= Keras) for valid and same', () => {
    for (const n of [1, 5, 7, 8, 13]) {
      for (const k of [1, 2, 3, 5]) {
        for (const s of [1, 2, 3]) {
          for (const padding of ['valid', 'same'] as const) {
            if (padding === 'valid' && n < k) continue;
            const conv = tf.layers.conv2d({ filters: 2, kernelSize: [k, 1], strides: [s, 1], padding });
            const tfShape = conv.computeOutputShape([null, n, 3, 1]) as number[];
            const ours = map('Conv2D', { filters: 2, kernel_size: [k, 1], strides: [s, 1], padding }, [[n, 3, 1]]).outputShape;
            expect(ours, `conv n=${n} k=${k} s=${s} ${padding}`).toEqual(tfShape.slice(1));
            const pool = tf.layers.maxPooling1d({ poolSize: k, strides: s, padding });
            const tfPool = pool.computeOutputShape([null, n, 2]) as number[];
            expect(map('MaxPooling1D', { pool_size: [k], strides: [s], padding }, [[n, 2]]).outputShape).toEqual(tfPool.slice(1));
            expect(convOutputLength(n, k, s, padding)).toBe(tfShape[1]);
          }
        }
      }
    }
  });

  it('weight specs follow Keras layouts', () => {
    expect(map('Conv1D', { filters: 4, kernel_size: 3 }, [[10, 2]]).weightSpecs).toEqual([
      { name: 'kernel', shape: [3, 2, 4] },
      { name: 'bias', shape: [4] },
    ]);
    expect(map('Dense', { units: 3, use_bias: false }, [[7]]).weightSpecs).toEqual([{ name: 'kernel', shape: [7, 3] }]);
    expect(map('BatchNormalization', { center: false, scale: false }, [[4, 5]]).weightSpecs.map((w) => w.name)).toEqual(['moving_mean', 'moving_variance']);
  });

  it('defaults: pool strides = pool size, conv strides 1, BN epsilon 1e-3, LeakyReLU 0.3, Dense activation linear', () => {
    expect(map('MaxPooling2D', { pool_size: [3, 3], strides: null }, [[9, 9, 1]]).attrs).toEqual({ poolSize: [3, 3], strides: [3, 3], padding: 'valid' });
    expect(map('AveragePooling2D', {}, [[4, 4, 1]]).attrs.poolSize).toEqual([2, 2]);
    expect(map('Conv2D', { filters: 1, kernel_size: 2 }, [[4, 4, 1]]).attrs.strides).toEqual([1, 1]);
    expect(map('BatchNormalization', {}, [[3]]).attrs).toEqual({ epsilon: 1e-3, center: true, scale: true });
    expect(map('LeakyReLU', {}, [[3]]).attrs).toEqual({ alpha: 0.3 });
    expect(map('LeakyReLU', { negative_slope: 0.05 }, [[3]]).attrs).toEqual({ alpha: 0.05 });
    expect(map('Dense', { units: 2, activation: null }, [[3]]).attrs.activation).toBe('linear');
    expect(map('ReLU', {}, [[3]]).attrs).toEqual({ maxValue: null, negativeSlope: 0, threshold: 0 });
  });

  it('ZeroPadding forms', () => {
    expect(map('ZeroPadding1D', { padding: 2 }, [[5, 3]])).toMatchObject({ attrs: { padding: [2, 2] }, outputShape: [9, 3] });
    expect(map('ZeroPadding1D', { padding: [0, 3] }, [[5, 3]])).toMatchObject({ attrs: { padding: [0, 3] }, outputShape: [8, 3] });
    expect(map('ZeroPadding2D', { padding: 1 }, [[4, 5, 2]])).toMatchObject({ attrs: { padding: [[1, 1], [1, 1]] }, outputShape: [6, 7, 2] });
    expect(map('ZeroPadding2D', { padding: [1, 2] }, [[4, 5, 2]])).toMatchObject({ attrs: { padding: [[1, 1], [2, 2]] }, outputShape: [6, 9, 2] });
    expect(map('ZeroPadding2D', { padding: [[0, 1], [2, 3]] }, [[4, 5, 2]])).toMatchObject({ outputShape: [5, 10, 2] });
  });

  it('Reshape resolves -1 / null; Flatten multiplies', () => {
    expect(map('Reshape', { target_shape: [-1, 4] }, [[2, 3, 4]])).toMatchObject({ attrs: { targetShape: [6, 4] }, outputShape: [6, 4] });
    expect(map('Reshape', { target_shape: [null, 2] }, [[8]])).toMatchObject({ outputShape: [4, 2] });
    expect(map('Flatten', {}, [[2, 3, 4]]).outputShape).toEqual([24]);
    expect(thrown(() => map('Reshape', { target_shape: [5] }, [[2, 3]]))).toBeInstanceOf(ShapeError);
  });

  it('merge layers: axis normalised to a negative index, shapes checked', () => {
    expect(map('Concatenate', { axis: 1 }, [[4, 2], [3, 2]])).toMatchObject({ attrs: { axis: -2 }, outputShape: [7, 2] });
    expect(map('Concatenate', { axis: -1 }, [[4, 2], [4, 5], [4, 1]])).toMatchObject({ attrs: { axis: -1 }, outputShape: [4, 8] });
    expect(map('Concatenate', { axis: 3 }, [[2, 2, 1], [2, 2, 3]]).attrs.axis).toBe(-1);
    expect(map('Add', {}, [[3, 2], [3, 2], [3, 2]]).outputShape).toEqual([3, 2]);
    expect(thrown(() => map('Add', {}, [[3, 2], [2, 3]]))).toBeInstanceOf(ShapeError);
    expect(thrown(() => map('Concatenate', { axis: -1 }, [[4, 2], [3, 2]]))).toBeInstanceOf(ShapeError);
    expect(thrown(() => map('Add', {}, [[3]]))).toBeInstanceOf(FormatError);
  });

  it('GlobalPooling keepdims, BN axis forms, Softmax last axis', () => {
    expect(map('GlobalAveragePooling2D', { keepdims: true }, [[4, 4, 3]]).outputShape).toEqual([1, 1, 3]);
    expect(map('BatchNormalization', { axis: [3] }, [[4, 4, 3]]).outputShape).toEqual([4, 4, 3]);
    expect(map('BatchNormalization', { axis: 3 }, [[4, 4, 3]]).outputShape).toEqual([4, 4, 3]);
    expect(map('Softmax', { axis: 1 }, [[5]]).attrs).toEqual({ axis: -1, kerasAxis: 1 });
    expect(map('Softmax', { axis: 1 }, [[4, 3]]).attrs).toEqual({ axis: -2, kerasAxis: 1 });
  });
});

describe('activations', () => {
  it('normalises Keras / tfjs / Keras 3 spellings', () => {
    expect(normaliseActivation('relu', 'p')).toBe('relu');
    expect(normaliseActivation('hardSigmoid', 'p')).toBe('hard_sigmoid');
    expect(normaliseActivation('Softmax', 'p')).toBe('softmax');
    expect(normaliseActivation(undefined, 'p')).toBe('linear');
    expect(normaliseActivation({ module: 'keras.activations', class_name: 'function', config: 'tanh', registered_name: 'function' }, 'p')).toBe('tanh');
  });

  it('unknown activation → UnsupportedError naming the layer field', () => {
    const e = thrown(() => map('Dense', { units: 2, activation: 'swish' }, [[3]], 'fc'));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.path).toBe("layers[2] (Dense 'fc').config.activation");
    expect(e.message).toMatch(/activation 'swish' is not supported/);
  });
});

describe('unsupported / malformed layer configs', () => {
  const cases: [string, string, Record<string, unknown>, number[][], RegExp][] = [
    ['dilation', 'Conv2D', { filters: 2, kernel_size: 3, dilation_rate: [2, 2] }, [[9, 9, 1]], /config\.dilation_rate: dilation_rate \[2,2\]/],
    ['groups', 'Conv2D', { filters: 2, kernel_size: 3, groups: 2 }, [[9, 9, 2]], /config\.groups: groups=2/],
    ['channels_first', 'Conv2D', { filters: 2, kernel_size: 3, data_format: 'channels_first' }, [[1, 9, 9]], /channels_first/],
    ['causal padding', 'Conv1D', { filters: 2, kernel_size: 3, padding: 'causal' }, [[9, 1]], /padding 'causal'/],
    ['BN over a non-last axis', 'BatchNormalization', { axis: 1 }, [[4, 4, 3]], /last axis only/],
    ['Softmax over the batch axis', 'Softmax', { axis: 0 }, [[4, 3]], /axis 0 is not supported/],
    ['ConvLSTM2D', 'ConvLSTM2D', { filters: 3 }, [[4, 3, 3, 1]], /layer class ConvLSTM2D is not supported/],
    ['LSTM return_state', 'LSTM', { units: 3, return_state: true }, [[4, 3]], /return_state/],
    ['LSTM time_major', 'LSTM', { units: 3, time_major: true }, [[4, 3]], /Time-major/],
    ['Lambda', 'Lambda', { function: 'x' }, [[4]], /layer class Lambda is not supported/],
    ['nested Sequential', 'Sequential', { layers: [] }, [[4]], /nested models/],
    ['variable-size input', 'InputLayer', { batch_input_shape: [null, null, 3] }, [], /variable-size dimension/],
  ];
  for (const [label, cls, cfg, ins, re] of cases) {
    it(`${label} → UnsupportedError`, () => {
      const e = thrown(() => map(cls, cfg, ins, 'x'));
      expect(e).toBeInstanceOf(UnsupportedError);
      expect(e.message).toMatch(re);
      expect(e.message).toContain(`layers[2] (${cls} 'x')`);
    });
  }

  it('malformed values → FormatError naming the field', () => {
    const e = thrown(() => map('Dense', { units: 'three' }, [[3]], 'fc'));
    expect(e).toBeInstanceOf(FormatError);
    expect(e.path).toBe("layers[2] (Dense 'fc').config.units");
    expect(thrown(() => map('Conv2D', { filters: 2, kernel_size: [3, 3, 3] }, [[5, 5, 1]]))).toBeInstanceOf(FormatError);
    expect(thrown(() => map('Conv2D', { filters: 2, kernel_size: 3 }, [[5, 5]]))).toBeInstanceOf(ShapeError);
    expect(thrown(() => map('Conv2D', { filters: 2, kernel_size: 7 }, [[5, 5, 1]]))).toBeInstanceOf(ShapeError);
  });
});

const input = (name: string, shape: number[]) => ({ class_name: 'InputLayer', name, config: { batch_input_shape: [null, ...shape], name }, inbound_nodes: [] });
const layer = (cls: string, name: string, config: Record<string, unknown>, from: string[]) => ({
  class_name: cls,
  name,
  config: { name, ...config },
  inbound_nodes: [from.map((f) => [f, 0, 0, {}])],
});
const functional = (layers: unknown[], inputs: string[], outputs: string[]) => ({
  class_name: 'Functional',
  config: { name: 'm', layers, input_layers: inputs.map((n) => [n, 0, 0]), output_layers: outputs.map((n) => [n, 0, 0]) },
  keras_version: '2.13.1',
});

describe('topology reader', () => {
  it('LSTM fixture parses (LSTM over the Conv1D sequence); an unsupported class there → UnsupportedError "layers[3] (…)"', () => {
    const text = readFileSync('test/fixtures/import/keras2_lstm.json', 'utf8');
    const t = parseKerasTopology(JSON.parse(text), 'keras2_lstm.json');
    const lstm = t.layers.find((l) => l.name === 'lstm_1')!;
    expect(lstm.className).toBe('LSTM');
    expect(lstm.inputShapes).toEqual([[10, 8]]);
    expect(lstm.outputShape).toEqual([16]);
    expect(lstm.weightSpecs.map((w) => [w.name, w.shape])).toEqual([
      ['kernel', [8, 64]],
      ['recurrent_kernel', [16, 64]],
      ['bias', [64]],
    ]);
    const e = thrown(() => parseKerasTopology(JSON.parse(text.replace('"class_name": "LSTM"', '"class_name": "ConvLSTM1D"')), 'keras2_lstm.json'));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.path).toBe("layers[3] (ConvLSTM1D 'lstm_1')");
  });

  it('sorts out-of-order layers topologically, InputLayers first in input_layers order', () => {
    const t = parseKerasTopology(
      functional(
        [
          layer('Add', 'sum', {}, ['d1', 'd2']),
          layer('Dense', 'd2', { units: 3 }, ['b']),
          input('a', [2]),
          layer('Dense', 'd1', { units: 3 }, ['a']),
          input('b', [5]),
        ],
        ['b', 'a'],
        ['sum'],
      ),
      't',
    );
    expect(t.layers.map((l) => l.name)).toEqual(['b', 'a', 'd2', 'd1', 'sum']);
    expect(t.layers[4]!.inputs).toEqual(['d1', 'd2']);
    expect(t.layers[4]!.inputShapes).toEqual([[3], [3]]);
    expect(t.kind).toBe('Functional');
  });

  it('Keras 3 dict inbound nodes and flat input/output lists', () => {
    const kt = (name: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 3], dtype: 'float32', keras_history: [name, 0, 0] } });
    const t = parseKerasTopology(
      {
        class_name: 'Functional',
        config: {
          name: 'k3',
          layers: [
            { class_name: 'InputLayer', name: 'x', config: { batch_shape: [null, 3], name: 'x' }, inbound_nodes: [] },
            { class_name: 'Dense', name: 'd', config: { name: 'd', units: 3 }, inbound_nodes: [{ args: [kt('x')], kwargs: {} }] },
            { class_name: 'Concatenate', name: 'c', config: { name: 'c', axis: -1 }, inbound_nodes: [{ args: [[kt('x'), kt('d')]], kwargs: {} }] },
          ],
          input_layers: ['x', 0, 0],
          output_layers: ['c', 0, 0],
        },
      },
      'k3',
    );
    expect(t.layers.map((l) => [l.name, l.inputs, l.outputShape])).toEqual([
      ['x', [], [3]],
      ['d', ['x'], [3]],
      ['c', ['x', 'd'], [6]],
    ]);
    expect(t.outputs).toEqual(['c']);
  });

  it('tfjs-converter wrapping ({model_config}) and Keras 2.0 bare-list Sequential', () => {
    const t = parseKerasTopology(
      { keras_version: '2.2.4', model_config: { class_name: 'Sequential', config: [{ class_name: 'Dense', config: { name: 'fc', units: 2, batch_input_shape: [null, 3] } }] } },
      'x',
    );
    expect(t.kerasVersion).toBe('2.2.4');
    expect(t.layers.map((l) => l.name)).toEqual(['input1', 'fc']);
  });

  it('derived Sequential input avoids a name clash with an existing input1', () => {
    const t = parseKerasTopology(
      { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { name: 'input1', units: 2, batch_input_shape: [null, 3] } }] } },
      'x',
    );
    expect(t.layers.map((l) => l.name)).toEqual(['input1_input', 'input1']);
  });

  it('malformed / unsupported topologies → typed errors', () => {
    const shared = functional([input('a', [2]), { ...layer('Dense', 'd', { units: 2 }, ['a']), inbound_nodes: [[['a', 0, 0, {}]], [['a', 0, 0, {}]]] }], ['a'], ['d']);
    expect(thrown(() => parseKerasTopology(shared, 't'))).toBeInstanceOf(UnsupportedError);
    const unknown = functional([input('a', [2]), layer('Dense', 'd', { units: 2 }, ['zz'])], ['a'], ['d']);
    expect(thrown(() => parseKerasTopology(unknown, 't')).message).toMatch(/unknown input layer 'zz'/);
    const dup = functional([input('a', [2]), layer('Dense', 'a', { units: 2 }, ['a'])], ['a'], ['a']);
    expect(thrown(() => parseKerasTopology(dup, 't'))).toBeInstanceOf(FormatError);
    const cyc = functional([input('a', [2]), layer('Add', 'p', {}, ['a', 'q']), layer('Add', 'q', {}, ['a', 'p'])], ['a'], ['q']);
    expect(thrown(() => parseKerasTopology(cyc, 't')).message).toMatch(/cycle/);
    expect(thrown(() => parseKerasTopology({ class_name: 'Subclassed', config: {} }, 't'))).toBeInstanceOf(UnsupportedError);
    expect(thrown(() => parseKerasTopology({ class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { name: 'd', units: 1 } }] } }, 't')).message).toMatch(
      /no InputLayer and its first layer has no batch_input_shape/,
    );
    expect(thrown(() => parseKerasTopology([1, 2], 't'))).toBeInstanceOf(FormatError);
  });
});

describe('weight matching', () => {
  const dense = { where: "layers[1] (Dense 'd')", weightSpecs: [{ name: 'kernel', shape: [2, 3] }, { name: 'bias', shape: [3] }] };
  const k = { shape: [2, 3], data: new Float32Array(6).fill(1) };
  const b = { shape: [3], data: new Float32Array(3).fill(2) };

  it('by base name in any order, or positionally when no name is recognised', () => {
    const byName = resolveLayerWeights(dense, [{ name: 'd/bias:0', ...b }, { name: 'd/kernel:0', ...k }], 'c');
    expect(byName['kernel']!.data[0]).toBe(1);
    expect(byName['bias']!.data[0]).toBe(2);
    const positional = resolveLayerWeights(dense, [{ name: 'dense_1_W', ...k }, { name: 'dense_1_b', ...b }], 'c');
    expect(Object.keys(positional)).toEqual(['kernel', 'bias']);
    expect(positional['bias']!.data[0]).toBe(2);
  });

  it('unexpected, duplicate or extra weights → FormatError', () => {
    expect(thrown(() => resolveLayerWeights(dense, [{ name: 'd/kernel:0', ...k }, { name: 'd/alpha:0', ...b }], 'c')).message).toMatch(/unexpected weights 'd\/alpha:0'/);
    expect(thrown(() => resolveLayerWeights(dense, [{ name: 'd/kernel:0', ...k }, { name: 'x/kernel:0', ...k }], 'c'))).toBeInstanceOf(FormatError);
    expect(thrown(() => resolveLayerWeights({ where: 'w', weightSpecs: [] }, [{ name: 'x', ...b }], 'c'))).toBeInstanceOf(FormatError);
  });
});

describe('loadModel dispatch', () => {
  it('rejects malformed .onnx, .keras, unknown types and missing files with typed errors', async () => {
    const d = tempDir();
    const onnx = join(d, 'm.onnx');
    writeFileSync(onnx, 'x');
    await expect(loadModel(onnx)).rejects.toThrow(FormatError);
    writeFileSync(join(d, 'm.keras'), 'x');
    // a .keras file is a Keras 3 archive now: garbage is a malformed ZIP
    await expect(loadModel(join(d, 'm.keras'))).rejects.toThrow(FormatError);
    writeFileSync(join(d, 'm.txt'), 'x');
    await expect(loadModel(join(d, 'm.txt'))).rejects.toThrow(UnsupportedError);
    await expect(loadModel(join(d, 'missing.json'))).rejects.toThrow(FormatError);
    writeFileSync(join(d, 'other.json'), '{"hello": 1}');
    await expect(loadModel(join(d, 'other.json'))).rejects.toThrow(/neither a tfjs model.json/);
    mkdirSync(join(d, 'empty'));
    await expect(loadModel(join(d, 'empty'))).rejects.toThrow(/no model.json/);
  });
});
