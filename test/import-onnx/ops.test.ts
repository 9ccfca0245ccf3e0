/**
 * ONNX → ModelGraph, op by op: small graphs built in the test, imported, and checked to compute the
 * same float function as the ONNX reference evaluator (NCHW) on random inputs.
 */
import { describe, expect, it } from 'vitest';
import type { ModelLayer } from '../../src/graph/model.js';
import { GraphBuilder } from './builder.js';
import { compareFloat } from './compare.js';
import type { OnnxImportOptions } from '../../src/import/onnx.js';

const TOL = 1e-10;

function check(bytes: Uint8Array, opts: OnnxImportOptions = {}, tol = TOL) {
  const r = compareFloat(bytes, opts, 3, 11);
  expect(r.count).toBeGreaterThan(0);
  expect(r.maxErr).toBeLessThan(tol);
  return r.imp;
}

const classes = (ls: ModelLayer[]) => ls.map((l) => l.className);
const layer = (ls: ModelLayer[], cls: string, k = 0) => ls.filter((l) => l.className === cls)[k]!;

describe('dense', () => {
  it('Gemm (plain) → Dense with bias', () => {
    const g = new GraphBuilder();
    const y = g.node('Gemm', [g.input('x', ['N', 6]), g.init('W', [6, 4]), g.init('b', [4])]);
    const imp = check(g.bytes([y]));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Dense']);
    const d = imp.model.layers[1]!;
    expect(d.attrs).toMatchObject({ units: 4, useBias: true });
    expect(d.weights.kernel!.shape).toEqual([6, 4]);
    expect(d.outputShape).toEqual([4]);
    expect(imp.model.source).toBe('onnx');
  });

  it('Gemm transB / alpha / beta / [1, units] bias', () => {
    const g = new GraphBuilder();
    const y = g.node('Gemm', [g.input('x', ['N', 5]), g.init('W', [3, 5]), g.init('b', [1, 3])], { transB: 1, alpha: 0.5, beta: { float: 2 } });
    const imp = check(g.bytes([y]));
    expect(imp.model.layers[1]!.weights.kernel!.shape).toEqual([5, 3]);
  });

  it("Gemm without C → a zero bias of the configured type (hls4ml's MatmulConstToDense after GemmToMatMul)", () => {
    const g = new GraphBuilder();
    const y = g.node('Gemm', [g.input('x', ['N', 5]), g.init('W', [5, 3])]);
    const imp = check(g.bytes([y]));
    expect(imp.model.layers[1]!.attrs.useBias).toBe(true);
    expect(Array.from(imp.model.layers[1]!.weights.bias!.data)).toEqual([0, 0, 0]);
    expect(imp.model.layers[1]!.quantizers?.bias).toBeUndefined();
  });

  it('MatMul + Add(const) folds into one Dense', () => {
    const g = new GraphBuilder();
    const m = g.node('MatMul', [g.input('x', ['N', 8]), g.init('W', [8, 3])]);
    const y = g.node('Add', [m, g.init('b', [3])]);
    const imp = check(g.bytes([y]));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Dense']);
    expect(imp.model.layers[1]!.attrs.useBias).toBe(true);
  });

  it('MatMul whose output is also read elsewhere keeps the Add as a scale/bias BatchNormalization', () => {
    const g = new GraphBuilder();
    const m = g.node('MatMul', [g.input('x', ['N', 8]), g.init('W', [8, 3])]);
    const a = g.node('Add', [m, g.init('b', [3])]);
    const y = g.node('Add', [a, m]);
    const imp = check(g.bytes([y]));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Dense', 'BatchNormalization', 'Add']);
    expect(imp.model.layers[2]!.attrs.epsilon).toBe(0);
  });

  it('MatMul on a rank-3 input acts on the last axis', () => {
    const g = new GraphBuilder();
    const y = g.node('MatMul', [g.input('x', ['N', 4, 6]), g.init('W', [6, 2])]);
    const imp = check(g.bytes([y]));
    expect(imp.model.layers[1]!.outputShape).toEqual([4, 2]);
  });
});

describe('convolution', () => {
  const conv2d = (attrs: Record<string, number | number[] | string>, H = 7, W = 6, bias = true, opts: OnnxImportOptions = {}) => {
    const g = new GraphBuilder();
    const ins = [g.input('x', ['N', 3, H, W]), g.init('W', [4, 3, 3, 2])];
    if (bias) ins.push(g.init('B', [4]));
    const y = g.node('Conv', ins, attrs);
    return check(g.bytes([y]), opts);
  };

  it('valid Conv2D: NCHW weights → Keras (kh, kw, C, F), channels-last input', () => {
    const imp = conv2d({});
    const c = layer(imp.model.layers, 'Conv2D');
    expect(c.attrs).toMatchObject({ filters: 4, kernelSize: [3, 2], strides: [1, 1], padding: 'valid', useBias: true });
    expect(c.weights.kernel!.shape).toEqual([3, 2, 3, 4]);
    expect(imp.inputs[0]!.modelShape).toEqual([7, 6, 3]);
    expect(imp.inputs[0]!.onnxShape).toEqual([3, 7, 6]);
    expect(c.outputShape).toEqual([5, 5, 4]);
  });

  it("explicit pads equal to Keras 'same' → padding 'same'", () => {
    const imp = conv2d({ pads: [1, 0, 1, 1], kernel_shape: [3, 2] });
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Conv2D']);
    expect(layer(imp.model.layers, 'Conv2D').attrs.padding).toBe('same');
  });

  it("auto_pad SAME_UPPER with stride 2 → 'same'", () => {
    const imp = conv2d({ auto_pad: 'SAME_UPPER', strides: [2, 2] }, 8, 7);
    expect(layer(imp.model.layers, 'Conv2D').attrs.padding).toBe('same');
    expect(layer(imp.model.layers, 'Conv2D').outputShape).toEqual([4, 4, 4]);
  });

  it('auto_pad SAME_LOWER (extra pad first) → ZeroPadding2D + valid', () => {
    const imp = conv2d({ auto_pad: 'SAME_LOWER' }, 6, 6);
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'ZeroPadding2D', 'Conv2D']);
    expect(layer(imp.model.layers, 'ZeroPadding2D').attrs.padding).toEqual([[1, 1], [1, 0]]);
  });

  it('explicit asymmetric pads → ZeroPadding2D + valid', () => {
    const imp = conv2d({ pads: [2, 0, 0, 3], strides: [2, 1] }, 7, 6, false);
    const zp = layer(imp.model.layers, 'ZeroPadding2D');
    expect(zp.attrs.padding).toEqual([[2, 0], [0, 3]]);
    expect(layer(imp.model.layers, 'Conv2D').attrs).toMatchObject({ padding: 'valid', useBias: false, strides: [2, 1] });
  });

  it('Conv1D valid / same / explicit', () => {
    const cases: [Record<string, number[]>, string][] = [[{}, 'valid'], [{ pads: [1, 2] }, 'same'], [{ pads: [3, 0] }, 'valid']];
    for (const [attrs, pad] of cases) {
      const g = new GraphBuilder();
      const y = g.node('Conv', [g.input('x', ['N', 2, 9]), g.init('W', [3, 2, 4]), g.init('B', [3])], attrs);
      const imp = check(g.bytes([y]));
      const c = layer(imp.model.layers, 'Conv1D');
      expect(c.attrs.padding).toBe(pad);
      expect(c.weights.kernel!.shape).toEqual([4, 2, 3]);
      expect(imp.inputs[0]!.modelShape).toEqual([9, 2]);
    }
  });

  it('Conv + Add(per-channel const) folds into the conv bias (CNTK export style)', () => {
    const g = new GraphBuilder();
    const c = g.node('Conv', [g.input('x', ['N', 1, 6, 6]), g.init('W', [3, 1, 3, 3])], { auto_pad: 'SAME_UPPER' });
    const y = g.node('Add', [c, g.init('B', [3, 1, 1])]);
    const imp = check(g.bytes([y]));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Conv2D']);
    expect(imp.model.layers[1]!.attrs.useBias).toBe(true);
  });
});

describe('pooling', () => {
  const pool = (op: string, attrs: Record<string, number | number[] | string>, H = 7, W = 8) => {
    const g = new GraphBuilder();
    const y = g.node(op, [g.input('x', ['N', 2, H, W])], attrs);
    return check(g.bytes([y]));
  };

  it('MaxPool valid with strides', () => {
    const imp = pool('MaxPool', { kernel_shape: [2, 3], strides: [2, 2] });
    expect(layer(imp.model.layers, 'MaxPooling2D').attrs).toMatchObject({ poolSize: [2, 3], strides: [2, 2], padding: 'valid' });
  });

  it("MaxPool default strides are 1 (ONNX), kept explicit", () => {
    const imp = pool('MaxPool', { kernel_shape: [2, 2] });
    expect(layer(imp.model.layers, 'MaxPooling2D').attrs.strides).toEqual([1, 1]);
  });

  it("MaxPool SAME_UPPER → 'same'", () => {
    const imp = pool('MaxPool', { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' });
    expect(layer(imp.model.layers, 'MaxPooling2D').attrs.padding).toBe('same');
  });

  it("AveragePool with 'same' pads excluding padding → 'same'", () => {
    const imp = pool('AveragePool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'AveragePooling2D']);
    expect(layer(imp.model.layers, 'AveragePooling2D').attrs.padding).toBe('same');
  });

  it('AveragePool count_include_pad=1 → ZeroPadding2D + valid', () => {
    const imp = pool('AveragePool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 });
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'ZeroPadding2D', 'AveragePooling2D']);
    expect(layer(imp.model.layers, 'AveragePooling2D').attrs.padding).toBe('valid');
  });

  it('AveragePool count_include_pad=1 with asymmetric pads → ZeroPadding2D + valid', () => {
    const imp = pool('AveragePool', { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 1, 1, 0], count_include_pad: 1 });
    expect(layer(imp.model.layers, 'ZeroPadding2D').attrs.padding).toEqual([[0, 1], [1, 0]]);
  });

  it('1D pools', () => {
    for (const op of ['MaxPool', 'AveragePool']) {
      const g = new GraphBuilder();
      const y = g.node(op, [g.input('x', ['N', 3, 10])], { kernel_shape: [3], strides: [2] });
      const imp = check(g.bytes([y]));
      expect(imp.model.layers[1]!.className).toBe(op === 'MaxPool' ? 'MaxPooling1D' : 'AveragePooling1D');
      expect(imp.model.layers[1]!.outputShape).toEqual([4, 3]);
    }
  });

  it('GlobalAveragePool / GlobalMaxPool (2D and 1D) → Flatten needs no layer → Gemm', () => {
    for (const [op, shape] of [['GlobalAveragePool', ['N', 4, 5, 3]], ['GlobalMaxPool', ['N', 4, 5, 3]], ['GlobalAveragePool', ['N', 4, 6]]] as const) {
      const g = new GraphBuilder();
      const p = g.node(op, [g.input('x', [...shape])]);
      const f = g.node('Flatten', [p]);
      const y = g.node('Gemm', [f, g.init('W', [4, 2]), g.init('b', [2])]);
      const imp = check(g.bytes([y]));
      const cls = `Global${op.includes('Max') ? 'Max' : 'Average'}Pooling${shape.length - 2}D`;
      expect(classes(imp.model.layers)).toEqual(['InputLayer', cls, 'Dense']);
      expect(imp.model.layers[1]!.outputShape).toEqual([4]);
    }
  });
});

describe('normalisation and activations', () => {
  it('BatchNormalization on a feature map (channel axis 1 → last model axis)', () => {
    const g = new GraphBuilder();
    const y = g.node('BatchNormalization', [g.input('x', ['N', 3, 4, 4]), g.init('s', [3]), g.init('b', [3]), g.init('m', [3]), g.init('v', [3], [0.5, 1.5, 2])], { epsilon: 1e-3 });
    const imp = check(g.bytes([y]));
    const bn = imp.model.layers[1]!;
    expect(bn.className).toBe('BatchNormalization');
    expect(bn.attrs.epsilon).toBeCloseTo(1e-3, 9);
    expect(bn.weights.moving_variance!.data[2]).toBe(2);
  });

  it('PyTorch-style Gemm → Unsqueeze → BatchNormalization → Squeeze stays a Dense + BatchNormalization', () => {
    const g = new GraphBuilder();
    const d = g.node('Gemm', [g.input('x', ['N', 6]), g.init('W', [5, 6]), g.init('b', [5])], { transB: 1 });
    const u = g.node('Unsqueeze', [d], { axes: [2] });
    const bn = g.node('BatchNormalization', [u, g.init('s', [5]), g.init('bb', [5]), g.init('m', [5]), g.init('v', [5], [1, 2, 3, 4, 5])]);
    const y = g.node('Squeeze', [bn], { axes: [2] });
    const imp = check(g.bytes([y], 9));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Dense', 'BatchNormalization']);
  });

  it('activations: Relu, LeakyRelu, Sigmoid, Tanh, Selu, Elu, Softsign, Softplus, HardSigmoid', () => {
    const g = new GraphBuilder();
    let t = g.input('x', ['N', 7]);
    t = g.node('Relu', [g.node('Gemm', [t, g.init('W', [7, 7]), g.init('b', [7])])]);
    t = g.node('LeakyRelu', [g.node('Sub', [t, g.scalar('half', 0.5)])], { alpha: 0.1 });
    for (const op of ['Sigmoid', 'Tanh', 'Selu', 'Elu', 'Softsign', 'Softplus', 'HardSigmoid']) t = g.node(op, [t]);
    // ONNX's Selu defaults are Keras' constants rounded to float32 (relative difference ~3e-8)
    const imp = check(g.bytes([t]), {}, 1e-7);
    expect(imp.model.layers.filter((l) => l.className === 'Activation').map((l) => l.attrs.activation)).toEqual([
      'relu', 'sigmoid', 'tanh', 'selu', 'softsign', 'softplus', 'hard_sigmoid',
    ]);
    expect(layer(imp.model.layers, 'LeakyReLU').attrs.alpha).toBeCloseTo(0.1, 7);
    // Elu without alpha: ONNX's 1.0 for the float model, hls4ml's 0.01 recorded for the conversion
    expect(layer(imp.model.layers, 'ELU').attrs).toMatchObject({ alpha: 1, hlsAlpha: 0.01 });
  });

  it('Softmax: opset 11 axis 1 on [N, C] and opset 13 default axis on a feature map', () => {
    const g = new GraphBuilder();
    const y = g.node('Softmax', [g.node('Gemm', [g.input('x', ['N', 4]), g.init('W', [4, 6])])], { axis: 1 });
    expect(classes(check(g.bytes([y], 11)).model.layers)).toEqual(['InputLayer', 'Dense', 'Softmax']);
    const g2 = new GraphBuilder();
    const t = g2.node('Transpose', [g2.node('Conv', [g2.input('x', ['N', 2, 5, 5]), g2.init('W', [3, 2, 1, 1])])], { perm: [0, 2, 3, 1] });
    const y2 = g2.node('Softmax', [t]);
    const imp = check(g2.bytes([y2], 13));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Conv2D', 'Softmax']);
    expect(imp.outputs[0]!.identity).toBe(true);
  });

  it('Mul / Add / Sub / Div by per-channel constants → one scale/bias BatchNormalization', () => {
    const g = new GraphBuilder();
    const r = g.node('Relu', [g.input('x', ['N', 3, 4, 4])]);
    const m = g.node('Mul', [r, g.init('s', [1, 3, 1, 1])]);
    const a = g.node('Add', [g.init('b', [3, 1, 1]), m]);
    const s = g.node('Sub', [a, g.scalar('c', 0.25)]);
    const y = g.node('Div', [s, g.scalar('d', 4)]);
    const imp = check(g.bytes([y]));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Activation', 'BatchNormalization']);
    const bn = imp.model.layers[2]!;
    expect(Array.from(bn.weights.moving_mean!.data)).toEqual([0, 0, 0]);
    expect(Array.from(bn.weights.moving_variance!.data)).toEqual([1, 1, 1]);
  });

  it('Sub(const, x) → BatchNormalization with gamma −1', () => {
    const g = new GraphBuilder();
    const y = g.node('Sub', [g.init('c', [5]), g.input('x', ['N', 5])]);
    const imp = check(g.bytes([y]));
    expect(Array.from(imp.model.layers[1]!.weights.gamma!.data)).toEqual([-1, -1, -1, -1, -1]);
  });
});

describe('layout: flatten, reshape, transpose', () => {
  it('Flatten of NCHW data → Flatten layer + Dense kernel rows permuted to channels-last order', () => {
    const g = new GraphBuilder();
    const c = g.node('Conv', [g.input('x', ['N', 2, 5, 4]), g.init('W', [3, 2, 2, 2]), g.init('B', [3])]);
    const f = g.node('Flatten', [g.node('Relu', [c])]);
    const y = g.node('Gemm', [f, g.init('W2', [36, 4]), g.init('b2', [4])]);
    const imp = check(g.bytes([y]));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Conv2D', 'Activation', 'Flatten', 'Dense']);
    const fl = layer(imp.model.layers, 'Flatten');
    expect(fl.outputShape).toEqual([36]);
    // row k of the Keras kernel is ONNX row (c·H·W + h·W + w) for model element k = (h·W + w)·C + c
    const dense = layer(imp.model.layers, 'Dense');
    const onnxW = g.inits.find((t) => t.name === 'W2')!.data;
    const [H, W, C] = [4, 3, 3];
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        for (let ch = 0; ch < C; ch++) {
          const k = (h * W + w) * C + ch;
          const o = ch * H * W + h * W + w;
          expect(dense.weights.kernel!.data[k * 4 + 1]).toBe(onnxW[o * 4 + 1]);
        }
      }
    }
  });

  it('Reshape with a constant-folded PyTorch shape computation (Shape → Gather → Unsqueeze → Concat)', () => {
    const g = new GraphBuilder();
    const p = g.node('MaxPool', [g.input('x', ['N', 3, 4, 4])], { kernel_shape: [2, 2], strides: [2, 2] });
    const sh = g.node('Shape', [p]);
    const n = g.node('Gather', [sh, g.init('zero', [], [0], 7)], { axis: 0 });
    const un = g.node('Unsqueeze', [n, g.ints('ax0', [0])]);
    const cat = g.node('Concat', [un, g.ints('minus1', [-1])], { axis: 0 });
    const r = g.node('Reshape', [p, cat]);
    const y = g.node('MatMul', [r, g.init('W', [12, 2])]);
    const imp = check(g.bytes([y]));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'MaxPooling2D', 'Flatten', 'Dense']);
  });

  it('Keras/tf2onnx style: NHWC input → Transpose → Conv → Transpose → Flatten → Gemm keeps the input as is', () => {
    const g = new GraphBuilder();
    const t = g.node('Transpose', [g.input('x', ['N', 6, 5, 2])], { perm: [0, 3, 1, 2] });
    const c = g.node('Conv', [t, g.init('W', [3, 2, 3, 3]), g.init('B', [3])], { pads: [1, 1, 1, 1] });
    const t2 = g.node('Transpose', [c], { perm: [0, 2, 3, 1] });
    const f = g.node('Flatten', [g.node('Identity', [t2])]);
    const y = g.node('Gemm', [f, g.init('W2', [90, 3])]);
    const imp = check(g.bytes([y]));
    expect(imp.inputs[0]!.identity).toBe(true);
    expect(imp.inputs[0]!.modelShape).toEqual([6, 5, 2]);
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Conv2D', 'Flatten', 'Dense']);
    // NHWC flattening is the channels-last order: no permutation needed
    expect(layer(imp.model.layers, 'Dense').weights.kernel!.data[7]).toBe(g.inits.find((q) => q.name === 'W2')!.data[7]);
  });

  it('Reshape from a Dense output to a channels-last map, then a channels_last-domain Conv', () => {
    const g = new GraphBuilder();
    const d = g.node('Gemm', [g.input('x', ['N', 4]), g.init('W', [4, 18])]);
    const r = g.node('Reshape', [d, g.ints('s', [1, 3, 3, 2])]);
    const c = g.node('Conv', [r, g.init('Wc', [2, 2, 2, 2])], { kernel_shape: [2, 2], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], group: 1 }, { domain: 'qonnx.custom_op.channels_last' });
    const imp = check(g.bytes([c], 13, { 'qonnx.custom_op.channels_last': 1 }));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Dense', 'Reshape', 'Conv2D']);
    expect(layer(imp.model.layers, 'Reshape').attrs.targetShape).toEqual([3, 3, 2]);
  });

  it('qonnx channels-last form: Transpose → channels_last Conv / BatchNormalization / MaxPool → Transpose', () => {
    const g = new GraphBuilder();
    const dom = { domain: 'qonnx.custom_op.channels_last' };
    const t = g.node('Transpose', [g.input('x', ['N', 2, 6, 6])], { perm: [0, 2, 3, 1] });
    const c = g.node('Conv', [t, g.init('W', [4, 3, 3, 2]), g.init('B', [4])], { kernel_shape: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], group: 1 }, dom);
    const bn = g.node('BatchNormalization', [c, g.init('s', [4]), g.init('b', [4]), g.init('m', [4]), g.init('v', [4], [1, 2, 1, 2])], {}, dom);
    const mp = g.node('MaxPool', [bn], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }, dom);
    const y = g.node('Transpose', [mp], { perm: [0, 3, 1, 2] });
    const imp = check(g.bytes([y], 13, { 'qonnx.custom_op.channels_last': 1 }));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Conv2D', 'BatchNormalization', 'MaxPooling2D']);
    expect(layer(imp.model.layers, 'Conv2D').attrs.padding).toBe('same');
    expect(imp.inputs[0]!.modelShape).toEqual([6, 6, 2]);
  });

  it("inputLayout 'channels_last' keeps a rank-3 input as is; 'channels_first' transposes it", () => {
    const g = new GraphBuilder();
    const y = g.node('Flatten', [g.node('Relu', [g.input('x', ['N', 3, 4, 5])])]);
    const bytes = g.bytes([y]);
    expect(check(bytes, { inputLayout: 'channels_last' }).inputs[0]!.modelShape).toEqual([3, 4, 5]);
    const imp = check(bytes, { inputLayout: 'channels_first' });
    expect(imp.inputs[0]!.modelShape).toEqual([4, 5, 3]);
    expect(imp.outputs[0]!.identity).toBe(false);
  });

  it('Squeeze of a [N, C, 1, W] map to [N, C, W] → Reshape to a Conv1D-ready tensor', () => {
    const g = new GraphBuilder();
    const c = g.node('Conv', [g.input('x', ['N', 2, 3, 8]), g.init('W', [3, 2, 3, 1])]);
    const s = g.node('Squeeze', [c, g.ints('ax', [2])]);
    const y = g.node('Conv', [s, g.init('W2', [2, 3, 3])]);
    const imp = check(g.bytes([y]));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Conv2D', 'Reshape', 'Conv1D']);
    expect(layer(imp.model.layers, 'Reshape').attrs.targetShape).toEqual([8, 3]);
  });
});

describe('merges and padding', () => {
  it('residual Add of two conv branches', () => {
    const g = new GraphBuilder();
    const x = g.input('x', ['N', 2, 6, 6]);
    const a = g.node('Conv', [x, g.init('W1', [3, 2, 3, 3])], { pads: [1, 1, 1, 1] });
    const b = g.node('Relu', [g.node('Conv', [x, g.init('W2', [3, 2, 1, 1]), g.init('B2', [3])])]);
    const y = g.node('Add', [a, b]);
    const imp = check(g.bytes([y]));
    expect(layer(imp.model.layers, 'Add').inputs.length).toBe(2);
  });

  it('Concat over channels (axis 1) of feature maps → Concatenate on the last axis', () => {
    const g = new GraphBuilder();
    const x = g.input('x', ['N', 2, 5, 5]);
    const a = g.node('Conv', [x, g.init('W1', [3, 2, 1, 1])]);
    const b = g.node('Conv', [x, g.init('W2', [4, 2, 1, 1])]);
    const y = g.node('Concat', [a, b], { axis: 1 });
    const imp = check(g.bytes([y]));
    const cat = layer(imp.model.layers, 'Concatenate');
    expect(cat.attrs.axis).toBe(-1);
    expect(cat.outputShape).toEqual([5, 5, 7]);
  });

  it('Concat over a spatial axis keeps the model axis', () => {
    const g = new GraphBuilder();
    const x = g.input('x', ['N', 2, 5, 5]);
    const y = g.node('Concat', [g.node('Relu', [x]), g.node('Sigmoid', [x])], { axis: 2 });
    const imp = check(g.bytes([y]));
    expect(layer(imp.model.layers, 'Concatenate').attrs.axis).toBe(-3);
  });

  it('Concat of two flattened feature maps (permuted flat orders) → Dense', () => {
    const g = new GraphBuilder();
    const x = g.input('x', ['N', 2, 3, 3]);
    const a = g.node('Flatten', [g.node('Conv', [x, g.init('W1', [2, 2, 2, 2])])]);
    const b = g.node('Flatten', [g.node('MaxPool', [x], { kernel_shape: [2, 2] })]);
    const y = g.node('Gemm', [g.node('Concat', [a, b], { axis: 1 }), g.init('W', [16, 3])]);
    check(g.bytes([y]));
  });

  it('Pad (opset 13, pads input) → ZeroPadding2D, and Pad (opset 2, attributes)', () => {
    const g = new GraphBuilder();
    const p = g.node('Pad', [g.input('x', ['N', 2, 4, 5]), g.ints('pads', [0, 0, 1, 2, 0, 0, 3, 0])]);
    const y = g.node('Conv', [p, g.init('W', [2, 2, 2, 2])]);
    const imp = check(g.bytes([y]));
    expect(layer(imp.model.layers, 'ZeroPadding2D').attrs.padding).toEqual([[1, 3], [2, 0]]);
    const g2 = new GraphBuilder();
    const y2 = g2.node('Pad', [g2.input('x', ['N', 2, 5])], { pads: [0, 0, 2, 0, 0, 1], mode: 'constant' });
    const imp2 = check(g2.bytes([y2], 9), { inputLayout: 'channels_first' });
    expect(layer(imp2.model.layers, 'ZeroPadding1D').attrs.padding).toEqual([2, 1]);
  });

  it('Identity / Dropout / Cast(float) are pass-through; dead nodes are ignored', () => {
    const g = new GraphBuilder();
    const x = g.input('x', ['N', 4]);
    g.node('LSTM', [x]); // dead: never reaches an output
    const y = g.node('Cast', [g.node('Dropout', [g.node('Identity', [x])])], { to: 1 });
    const imp = check(g.bytes([g.node('Relu', [y])]));
    expect(classes(imp.model.layers)).toEqual(['InputLayer', 'Activation']);
  });

  it('names: sanitised, unique, never starting with a digit', () => {
    const g = new GraphBuilder();
    const a = g.node('Relu', [g.input('0', ['N', 3])], {}, { name: '/fc1/Relu' });
    const b = g.node('Relu', [a], {}, { name: '/fc1/Relu' });
    const c = g.node('Relu', [b], {}, { name: '' });
    const imp = check(g.bytes([c]));
    expect(imp.model.layers.map((l) => l.name)).toEqual(['input_0', 'fc1_Relu', 'fc1_Relu_2', 'relu_2']);
    expect(imp.model.outputs).toEqual(['relu_2']);
  });
});
