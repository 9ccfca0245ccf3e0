/**
 * C simulation of converted models using the layer-zoo kinds (needs AP_TYPES_INCLUDE = a directory
 * with ap_fixed.h / hls_stream.h; skipped otherwise): each graph is converted, emitted, compiled with
 * g++ and run on random inputs over the whole input range (wrapping and saturation everywhere);
 * every output and every traced layer must equal the emulator's, in io_parallel and io_stream.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csimProject, emitProject, emulatorReference } from '../../src/emit/index.js';
import { convertModel } from '../../src/graph/convert.js';
import type { FirmwareGraph } from '../../src/graph/firmware.js';
import type { ModelGraph, ModelLayer } from '../../src/graph/model.js';
import { importOnnx } from '../../src/import/onnx.js';
import { rnd, sequential } from '../graph/helpers.js';
import { apTypes } from './helpers.js';

const AP = apTypes();
const tmp = mkdtempSync(join(tmpdir(), 'hlsemu-zoo-csim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
if (!AP) console.warn('test/emit/zoo-csim.test.ts: AP_TYPES_INCLUDE is not set (a directory with ap_fixed.h and hls_stream.h); the C-simulation tests are skipped');

const L = (name: string, cls: string, inputs: string[], outputShape: number[], attrs: ModelLayer['attrs'] = {}, weights: ModelLayer['weights'] = {}): Omit<ModelLayer, 'inputShapes'> => ({
  name,
  className: cls as ModelLayer['className'],
  inputs,
  outputShape,
  attrs,
  weights,
});

/** A functional graph from layers with explicit inputs (the first is the InputLayer). */
function graph(name: string, layers: Array<Omit<ModelLayer, 'inputShapes'>>, source = 'keras2'): ModelGraph {
  const shapes = new Map<string, number[]>();
  const all = layers.map((l) => {
    const m: ModelLayer = { ...l, inputShapes: l.inputs.map((i) => shapes.get(i)!) };
    shapes.set(l.name, l.outputShape);
    return m;
  });
  return { name, source, layers: all, outputs: [all[all.length - 1]!.name] };
}

async function simulate(label: string, fw: FirmwareGraph, opts: { samples?: number; inputs?: number[][] } = {}): Promise<void> {
  const em = emitProject(fw, join(tmp, label.replace(/\W+/g, '_')), opts.inputs ? { inputs: opts.inputs } : { samples: opts.samples ?? 60, seed: 3 });
  const r = await csimProject(em.dir, { reference: emulatorReference(fw), trace: 'always' });
  expect(r.mismatches).toEqual([]);
  expect(r.failed).toBe(0);
  expect(r.passed).toBe(opts.inputs?.length ?? opts.samples ?? 60);
  expect(Object.values(r.layerMismatches ?? {}).every((n) => n === 0)).toBe(true);
}

const IOS = ['io_parallel', 'io_stream'] as const;

// Activations: every kind in one chain, with rounding / saturating result types in between.
function activations(io: string): ModelGraph {
  const s = [3, 4];
  const chain: Array<[string, string, ModelLayer['attrs'], ModelLayer['weights']?]> = [
    ['elu', 'ELU', { alpha: 0.7 }],
    ['selu', 'Activation', { activation: 'selu' }],
    ['splus', 'Activation', { activation: 'softplus' }],
    ['ssign', 'Activation', { activation: 'softsign' }],
    ['hsig', 'Activation', { activation: 'hard_sigmoid' }],
    ['thr', 'ThresholdedReLU', { theta: 0.25 }],
    ['leaky', 'LeakyReLU', { alpha: 0.3 }],
    ['prelu', 'PReLU', { sharedAxes: null }, { alpha: rnd(s, 0.8) }],
    ...(io === 'io_parallel' ? ([['r6', 'Activation', { activation: 'relu6' }]] as Array<[string, string, ModelLayer['attrs']]>) : []),
    ['bin', 'Activation', { activation: 'binary_tanh' }],
  ];
  const layers = [L('x', 'InputLayer', [], s)];
  let prev = 'x';
  for (const [name, cls, attrs, w] of chain) {
    layers.push(L(name, cls, [prev], s, attrs, w ?? {}));
    prev = name;
  }
  return graph('acts', layers);
}

describe.skipIf(!AP)('C simulation of the zoo kinds against the emulator', () => {
  for (const io of IOS) {
    it(`activations (${io}): elu, selu, softplus, softsign, hard_sigmoid, thresholded_relu, leaky_relu, prelu${io === 'io_parallel' ? ', relu6' : ''}, binary_tanh`, async () => {
      const m = activations(io);
      const fw = convertModel(m, {
        Model: { Precision: 'fixed<12,4>' },
        IOType: io,
        LayerName: {
          x: { Precision: 'fixed<10,4,RND,SAT>' },
          elu: { Precision: { result: 'fixed<10,3,RND_CONV,SAT>', param: 'ufixed<6,0>' }, TableSize: 256, table_t: 'fixed<12,4>' },
          selu: { Precision: 'fixed<11,3,RND,SAT>' },
          thr: { Precision: { result: 'fixed<9,3>', param: 'auto' } },
          leaky: { Precision: { result: 'fixed<12,4,RND,WRAP>', param: 'auto' } },
          prelu: { Precision: { result: 'fixed<10,3,TRN,SAT>', param: 'fixed<6,1>' } },
          bin: { Precision: 'ap_uint<1>' },
        },
      });
      await simulate(`acts-${io}`, fw);
    });
  }

  for (const io of IOS) {
    it(`merges (${io}): subtract, multiply, average, maximum, minimum, concatenate on an earlier and the last axis, (1,1,C) and (H,W,1) broadcasts`, async () => {
      const s = [3, 3, 4];
      const m = graph('merges', [
        L('x', 'InputLayer', [], s),
        L('a', 'Activation', ['x'], s, { activation: 'relu' }),
        L('b', 'Activation', ['x'], s, { activation: 'tanh' }),
        L('sub', 'Subtract', ['a', 'b'], s),
        L('mul', 'Multiply', ['sub', 'x'], s),
        L('avg', 'Average', ['mul', 'b'], s),
        L('mx', 'Maximum', ['avg', 'a'], s),
        L('mn', 'Minimum', ['mx', 'sub'], s),
        L('gap', 'GlobalAveragePooling2D', ['mn'], [4]),
        L('rs', 'Reshape', ['gap'], [1, 1, 4], { targetShape: [1, 1, 4] }),
        L('se', 'Multiply', ['mn', 'rs'], s),
        L('one', 'Conv2D', ['x'], [3, 3, 1], { filters: 1, kernelSize: [1, 1], strides: [1, 1], padding: 'valid', activation: 'linear', useBias: true }, { kernel: rnd([1, 1, 4, 1]), bias: rnd([1]) }),
        L('hw', 'Add', ['one', 'se'], s),
        L('cat0', 'Concatenate', ['hw', 'a'], [6, 3, 4], { axis: 1 }),
        L('cat2', 'Concatenate', ['cat0', 'cat0'], [6, 3, 8], { axis: -1 }),
      ]);
      const fw = convertModel(m, { Model: { Precision: 'fixed<14,5>' }, IOType: io, LayerName: { x: { Precision: 'fixed<10,3>' }, sub: { Precision: 'auto' }, mul: { Precision: 'auto' }, avg: { Precision: 'fixed<12,3,RND,SAT>' }, rs: { Precision: 'fixed<12,4>' } } });
      await simulate(`merges-${io}`, fw);
    });
  }

  for (const io of IOS) {
    it(`data movement (${io}): UpSampling2D, Cropping2D, Permute, ZeroPadding2D, UpSampling1D, Cropping1D, ZeroPadding1D`, async () => {
      const two = sequential('move2', [4, 5, 3], [
        { name: 'up', className: 'UpSampling2D', outputShape: [8, 5, 3], attrs: { size: [2, 1], interpolation: 'nearest', dataFormat: 'channels_last' }, weights: {} },
        { name: 'crop', className: 'Cropping2D', outputShape: [5, 3, 3], attrs: { cropping: [[2, 1], [1, 1]], dataFormat: 'channels_last' }, weights: {} },
        { name: 'perm', className: 'Permute', outputShape: [3, 5, 3], attrs: { dims: [3, 1, 2] }, weights: {} },
        { name: 'zp', className: 'ZeroPadding2D', outputShape: [4, 7, 3], attrs: { padding: [[1, 0], [1, 1]], dataFormat: 'channels_last' }, weights: {} },
        { name: 'act', className: 'Activation', outputShape: [4, 7, 3], attrs: { activation: 'relu' }, weights: {} },
      ]);
      await simulate(`move2-${io}`, convertModel(two, { Model: { Precision: 'fixed<12,4>' }, IOType: io, LayerName: { crop: { Precision: 'fixed<8,2>' }, act: { Precision: 'ufixed<10,3,RND,SAT>' } } }));
      const one = sequential('move1', [5, 2], [
        { name: 'up', className: 'UpSampling1D', outputShape: [15, 2], attrs: { size: 3 }, weights: {} },
        { name: 'crop', className: 'Cropping1D', outputShape: [11, 2], attrs: { cropping: [3, 1] }, weights: {} },
        { name: 'zp', className: 'ZeroPadding1D', outputShape: [14, 2], attrs: { padding: [2, 1], dataFormat: 'channels_last' }, weights: {} },
      ]);
      await simulate(`move1-${io}`, convertModel(one, { Model: { Precision: 'fixed<12,4>' }, IOType: io }));
    });
  }

  for (const io of IOS) {
    it(`softmax over a multi-dimensional input (${io}; Keras 3 softmax_multidim over a middle axis in io_parallel)`, async () => {
      const k2 = sequential('sm2', [3, 5], [{ name: 's', className: 'Softmax', outputShape: [3, 5], attrs: { axis: -1 }, weights: {} }]);
      await simulate(`sm2-${io}`, convertModel(k2, { Model: { Precision: 'fixed<14,5>' }, IOType: io, LayerName: { s: { Implementation: 'latency' } } }));
      if (io === 'io_parallel') {
        const k3: ModelGraph = { ...sequential('sm3', [3, 5, 2], [{ name: 's', className: 'Softmax', outputShape: [3, 5, 2], attrs: { axis: 2 }, weights: {} }]), source: 'keras3' };
        for (const impl of ['stable', 'latency', 'legacy', 'argmax']) {
          await simulate(`sm3-${impl}`, convertModel(k3, { Model: { Precision: 'fixed<14,5>' }, IOType: io, LayerName: { s: { Implementation: impl } } }), { samples: 30 });
        }
      }
    });
  }

  it('Dot (io_parallel) and Embedding (io_parallel and io_stream)', async () => {
    const dot = graph('dot', [
      L('x', 'InputLayer', [], [6]),
      L('d', 'Dense', ['x'], [6], { units: 6, activation: 'linear', useBias: true }, { kernel: rnd([6, 6]), bias: rnd([6]) }),
      L('m', 'Dot', ['x', 'd'], [1], { axes: [1, 1], normalize: false }),
    ]);
    await simulate('dot', convertModel(dot, { Model: { Precision: 'fixed<12,4>' }, LayerName: { m: { Precision: { result: 'fixed<16,6,RND,SAT>', accum: 'fixed<14,6>' } } } }));
    const emb = sequential('emb', [5], [
      { name: 'e', className: 'Embedding', outputShape: [5, 3], attrs: { inputDim: 12, outputDim: 3, maskZero: false }, weights: { embeddings: rnd([12, 3]) } },
      { name: 'r', className: 'Activation', outputShape: [5, 3], attrs: { activation: 'relu' }, weights: {} },
    ]);
    const inputs = Array.from({ length: 40 }, (_, s) => Array.from({ length: 5 }, (_, j) => (s * 5 + j * 7) % 12));
    for (const io of IOS) {
      await simulate(`emb-${io}`, convertModel(emb, { Model: { Precision: 'fixed<10,3>' }, IOType: io, LayerName: { input_1: { Precision: 'ap_uint<4>' } } }), { inputs });
    }
  });

  it("channels-first layers and hls4ml's quirks (io_parallel): ZeroPadding1D / Cropping2D channels_first, UpSampling2D channels_first, swapped ONNX Resize, modulo broadcast", async () => {
    const cf = sequential('cf', [2, 3, 4], [
      { name: 'up', className: 'UpSampling2D', outputShape: [2, 6, 8], attrs: { size: [2, 2], interpolation: 'nearest', dataFormat: 'channels_first' }, weights: {} },
      { name: 'crop', className: 'Cropping2D', outputShape: [2, 4, 5], attrs: { cropping: [[1, 1], [2, 1]], dataFormat: 'channels_first' }, weights: {} },
      { name: 'rs', className: 'Reshape', outputShape: [2, 20], attrs: { targetShape: [2, 20] }, weights: {} },
      { name: 'zp', className: 'ZeroPadding1D', outputShape: [2, 23], attrs: { padding: [1, 2], dataFormat: 'channels_first' }, weights: {} },
    ]);
    await simulate('cf', convertModel(cf, { Model: { Precision: 'fixed<12,4>' } }));
    const rz: ModelGraph = { ...sequential('rz', [2, 3, 2], [{ name: 'r', className: 'Resize', outputShape: [4, 6, 2], attrs: { scales: [2, 2], mode: 'nearest' }, weights: {} }]), source: 'onnx' };
    for (const io of IOS) await simulate(`rz-${io}`, convertModel(rz, { Model: { Precision: 'fixed<12,4>' }, IOType: io }));
    const mod = graph('mod', [
      L('x', 'InputLayer', [], [2, 3, 4]),
      L('one', 'Conv2D', ['x'], [2, 3, 1], { filters: 1, kernelSize: [1, 1], strides: [1, 1], padding: 'valid', activation: 'linear', useBias: false }, { kernel: rnd([1, 1, 4, 1]) }),
      L('m', 'Maximum', ['x', 'one'], [2, 3, 4]),
    ]);
    await simulate('mod', convertModel(mod, { Model: { Precision: 'fixed<12,4>' } }));
  });

  const onnx = '/work/shared/models/onnx/conv2d_small_mp_keras.onnx';
  it.skipIf(!existsSync(onnx))("hls4ml's example conv2d_small_mp_keras.onnx (Selu, Gemm as Dense; io_parallel and io_stream)", async () => {
    const model = importOnnx(onnx).model;
    for (const io of IOS) {
      const fw = convertModel(model, { Model: { Precision: 'fixed<16,6>', ReuseFactor: 1 }, IOType: io, LayerType: { Softmax: { Implementation: 'legacy' } } });
      await simulate(`mp-${io}`, fw, { samples: 30 });
    }
  });
});
