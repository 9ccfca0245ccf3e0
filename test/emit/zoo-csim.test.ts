/**
 * C simulation of emitted projects with depthwise / separable convolutions, LSTM / GRU,
 * LayerNormalization and EinsumDense layers, converted from float models by the hls4ml conversion:
 * every sample and every traced layer must equal the emulator (needs AP_TYPES_INCLUDE; skipped
 * otherwise).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csimProject, emitProject, emulatorReference } from '../../src/emit/index.js';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import type { ModelGraph, ModelLayer } from '../../src/graph/model.js';
import { rnd, sequential } from '../graph/helpers.js';
import { apTypes, pool } from './helpers.js';

const AP = apTypes();
if (!AP) console.warn('test/emit/zoo-csim.test.ts: AP_TYPES_INCLUDE is not set (a directory with ap_fixed.h and hls_stream.h); the C-simulation tests are skipped');
const tmp = mkdtempSync(join(tmpdir(), 'hlsemu-zoo-csim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type L = Omit<ModelLayer, 'inputs' | 'inputShapes'>;

const sep = (name: string, C: number, F: number, k: number, H: number, twoD: boolean, padding: 'same' | 'valid', activation = 'relu', bias = true): L => {
  const out = padding === 'same' ? H : H - k + 1;
  const ks = twoD ? [k, k] : [k];
  return {
    name,
    className: twoD ? 'SeparableConv2D' : 'SeparableConv1D',
    outputShape: twoD ? [out, out, F] : [out, F],
    attrs: { filters: F, kernelSize: ks, strides: twoD ? [1, 1] : [1], padding, depthMultiplier: 1, activation, useBias: bias },
    weights: { depthwise_kernel: rnd([...ks, C, 1], 0.6), pointwise_kernel: rnd([...ks.map(() => 1), C, F], 0.6), ...(bias ? { bias: rnd([F], 0.3) } : {}) },
  };
};
const dw = (name: string, C: number, k: number, H: number, twoD: boolean, padding: 'same' | 'valid', stride = 1): L => {
  const out = padding === 'same' ? Math.ceil(H / stride) : Math.floor((H - k) / stride) + 1;
  const ks = twoD ? [k, k] : [k];
  return {
    name,
    className: twoD ? 'DepthwiseConv2D' : 'DepthwiseConv1D',
    outputShape: twoD ? [out, out, C] : [out, C],
    attrs: { kernelSize: ks, strides: ks.map(() => stride), padding, depthMultiplier: 1, activation: 'linear', useBias: true },
    weights: { depthwise_kernel: rnd([...ks, C, 1], 0.6), bias: rnd([C], 0.3) },
  };
};
const bn = (name: string, shape: number[]): L => {
  const C = shape[shape.length - 1]!;
  return { name, className: 'BatchNormalization', outputShape: shape, attrs: { epsilon: 0.001 }, weights: { gamma: rnd([C], 1), beta: rnd([C], 0.3), moving_mean: rnd([C], 0.2), moving_variance: { shape: [C], data: new Float32Array(C).fill(0.7) } } };
};
const rnn = (cls: 'LSTM' | 'GRU', T: number, nIn: number, u: number, seq: boolean, act = 'tanh', ract = 'sigmoid'): L => {
  const m = cls === 'LSTM' ? 4 : 3;
  return {
    name: cls.toLowerCase(),
    className: cls,
    outputShape: seq ? [T, u] : [u],
    attrs: { units: u, activation: act, recurrentActivation: ract, useBias: true, returnSequences: seq, ...(cls === 'GRU' ? { resetAfter: true } : {}) },
    weights: { kernel: rnd([nIn, m * u], 0.6), recurrent_kernel: rnd([u, m * u], 0.6), bias: rnd(cls === 'GRU' ? [2, m * u] : [m * u], 0.3) },
  };
};
const ln = (name: string, T: number, D: number): L => ({ name, className: 'LayerNormalization', outputShape: [T, D], attrs: { axes: [2], epsilon: 1e-3, center: true, scale: true }, weights: { gamma: rnd([D], 1), beta: rnd([D], 0.5) } });
const dense = (name: string, nIn: number, units: number): L => ({ name, className: 'Dense', outputShape: [units], attrs: { units, activation: 'linear', useBias: true }, weights: { kernel: rnd([nIn, units], 0.5), bias: rnd([units], 0.2) } });
const flat = (name: string, n: number): L => ({ name, className: 'Flatten', outputShape: [n], attrs: {}, weights: {} });
const ein = (name: string, equation: string, partial: (number | null)[], kernel: number[], out: number[], biasAxes: string | null, biasShape?: number[], activation = 'linear'): L => ({
  name,
  className: 'EinsumDense',
  outputShape: out,
  attrs: { equation, partialOutput: partial, biasAxes, activation },
  weights: { kernel: rnd(kernel, 0.5), ...(biasShape ? { bias: rnd(biasShape, 0.3) } : {}) },
});
const k3 = (m: ModelGraph): ModelGraph => ({ ...m, source: 'keras3' });

const CASES: Array<[string, ModelGraph, object | 'name']> = [
  ['separable2d same, io_parallel, name-granularity auto types', sequential('s2p', [6, 6, 3], [sep('sep', 3, 4, 3, 6, true, 'same')]), 'name'],
  ['separable2d same + BN, io_stream LineBuffer', sequential('s2l', [6, 6, 3], [sep('sep', 3, 4, 3, 6, true, 'same', 'linear'), bn('bn', [6, 6, 4])]), { Model: { Precision: 'fixed<14,5,RND,SAT>' }, IOType: 'io_stream' }],
  ['separable2d same, io_stream Encoded', sequential('s2e', [6, 6, 3], [sep('sep', 3, 4, 3, 6, true, 'same')]), { Model: { Precision: 'fixed<16,6>', ConvImplementation: 'Encoded' }, IOType: 'io_stream' }],
  ['depthwise2d stride 2 + separable2d valid, io_stream Resource', sequential('d2r', [7, 7, 4], [dw('dw', 4, 3, 7, true, 'same', 2), sep('sep', 4, 5, 2, 4, true, 'valid')]), { Model: { Precision: 'fixed<12,4>', Strategy: 'Resource', ReuseFactor: 9 }, IOType: 'io_stream' }],
  ['depthwise2d + BN fused by numpy broadcasting (hls4ml quirk), io_parallel', sequential('dbn', [5, 5, 3], [dw('dw', 3, 3, 5, true, 'valid'), bn('bn', [3, 3, 3])]), 'name'],
  ['depthwise2d 1x1 stride 2 + Flatten + Dense, io_stream LineBuffer (hls4ml\'s 1D line buffer ignores stride_height)', sequential('d11', [4, 4, 2], [dw('dw', 2, 1, 4, true, 'valid', 2), flat('f', 8), dense('fc', 8, 3)]), { Model: { Precision: 'fixed<16,6>' }, IOType: 'io_stream' }],
  ['separable1d + depthwise1d, io_parallel', sequential('s1p', [10, 3], [sep('sep', 3, 4, 3, 10, false, 'same'), dw('dw', 4, 3, 10, false, 'valid')]), { Model: { Precision: 'fixed<16,6>' } }],
  ['separable1d + depthwise1d, io_stream Encoded Resource', sequential('s1s', [10, 3], [sep('sep', 3, 4, 3, 10, false, 'same'), dw('dw', 4, 3, 10, false, 'valid')]), { Model: { Precision: 'fixed<16,6>', ConvImplementation: 'Encoded', Strategy: 'Resource', ReuseFactor: 2 }, IOType: 'io_stream' }],
  ['LSTM (last step) + Dense, io_parallel', sequential('lp', [6, 3], [rnn('LSTM', 6, 3, 4, false), dense('fc', 4, 3)]), { Model: { Precision: 'fixed<18,6>' }, LayerName: { lstm: { table_t: 'fixed<16,4>', TableSize: 2048 } } }],
  ['LSTM return_sequences, io_stream Resource, relu / sigmoid', sequential('ls', [5, 4], [rnn('LSTM', 5, 4, 3, true, 'relu', 'sigmoid')]), { Model: { Precision: 'fixed<18,6,RND,SAT>', Strategy: 'Resource', ReuseFactor: 2 }, IOType: 'io_stream' }],
  ['GRU return_sequences + LayerNorm + Flatten + Dense, io_parallel', sequential('gp', [5, 3], [rnn('GRU', 5, 3, 4, true), ln('ln', 5, 4), flat('f', 20), dense('fc', 20, 2)]), { Model: { Precision: 'fixed<20,8>' } }],
  ['GRU (last step), io_stream, tanh / relu, non-static', sequential('gs', [4, 2], [rnn('GRU', 4, 2, 3, false, 'tanh', 'relu')]), { Model: { Precision: 'fixed<16,6>' }, LayerName: { gru: { Static: false } }, IOType: 'io_stream' }],
  ['Keras 3: LayerNorm + EinsumDense (sequence dense) + relu + EinsumDense (in-place axis, permuted output)', k3(sequential('k3', [4, 6], [ln('ln', 4, 6), ein('e1', 'abc,cd->abd', [null, 5], [6, 5], [4, 5], 'd', [5], 'relu'), ein('e2', 'abc,bcd->adb', [3, null], [4, 5, 3], [3, 4], 'd', [3, 1])])), 'name'],
  ['Keras 3: EinsumDense with "..." and two contracted axes', k3(sequential('k3b', [3, 4, 2], [ein('e', '...cd,cde->...e', [6], [4, 2, 6], [3, 6], 'e', [6])])), { Model: { Precision: 'fixed<18,7>' } }],
];

describe.skipIf(!AP)('C simulation of converted depthwise / recurrent / layernorm / einsum models against the emulator', () => {
  it(`${CASES.length} projects: 0 mismatches in every sample and every traced layer`, { timeout: 1_800_000 }, async () => {
    const results = await pool(
      CASES,
      async ([label, model, cfg], i) => {
        const fw = convertModel(model, cfg === 'name' ? configFromModel(model, { granularity: 'name', backend: 'Vivado' }) : cfg);
        const em = emitProject(fw, join(tmp, `p${i}`), { samples: 100, seed: i + 1 });
        const r = await csimProject(em.dir, { reference: emulatorReference(fw), trace: 'always' });
        const bad = Object.entries(r.layerMismatches ?? {}).filter(([, n]) => n !== 0);
        const layers = Object.keys(r.layerMismatches ?? {}).length;
        return r.failed === 0 && r.passed === 100 && bad.length === 0 && layers === fw.layers.length ? 'ok' : `${label}: ${r.failed} failed, layers ${JSON.stringify(r.layerMismatches)}, ${JSON.stringify(r.mismatches[0])}`;
      },
      2,
    );
    expect(results.filter((r) => r !== 'ok')).toEqual([]);
  });
});
