/**
 * ONNX ops of the layer zoo: Resize (nearest, constant scales), Sub / Mul / Max / Min of two
 * run-time tensors, Elu / ThresholdedRelu / PRelu as hls4ml's ONNX front end reads them, Transposes
 * that must stay layers (Permute), and hls4ml's example conv2d_small_mp_keras.onnx (Selu, Gemm) —
 * read in place from /work/shared/models/onnx (no licence; never copied), skipped when absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/errors.js';
import { Emulator } from '../../src/emulate/predict.js';
import { convertModel } from '../../src/graph/convert.js';
import { importOnnx, onnxToModelOrder } from '../../src/import/onnx.js';
import { runOnnxModel } from '../../src/import/onnx-eval.js';
import { decodeOnnxModel } from '../../src/import/onnx-proto.js';
import { GraphBuilder } from './builder.js';
import { compareFloat } from './compare.js';
import { evalModel } from './model-eval.js';

const classes = (imp: ReturnType<typeof importOnnx>) => imp.model.layers.map((l) => l.className);

describe('ONNX zoo ops', () => {
  it('Resize nearest with constant scales on a channels-first feature map → Resize layer (scales on the model axes)', () => {
    const g = new GraphBuilder();
    const c = g.node('Conv', [g.input('x', ['N', 2, 3, 3]), g.init('W', [2, 2, 1, 1])]);
    const y = g.node('Resize', [c, '', g.init('sc', [4], [1, 1, 2, 3])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
    const imp = importOnnx(g.bytes([y], 13));
    expect(classes(imp)).toEqual(['InputLayer', 'Conv2D', 'Resize']);
    const r = imp.model.layers[2]!;
    expect(r.outputShape).toEqual([6, 9, 2]);
    expect(r.attrs).toMatchObject({ scales: [2, 3], mode: 'nearest', coordinateTransformationMode: 'asymmetric', nearestMode: 'floor' });
    // the float model: every output pixel (i, j) copies input pixel (i / 2, j / 3)
    const x = Float64Array.from({ length: 18 }, (_, i) => i);
    const env = evalModel(imp.model, { x: onnxToModelOrder(x, imp.inputs[0]!) });
    const conv = env.get(imp.model.layers[1]!.name)!.data;
    const up = env.get(r.name)!.data;
    for (let i = 0; i < 6; i++) for (let j = 0; j < 9; j++) for (let ch = 0; ch < 2; ch++) expect(up[(i * 9 + j) * 2 + ch]).toBe(conv[(Math.floor(i / 2) * 3 + Math.floor(j / 3)) * 2 + ch]);
    // hls4ml swaps height and width: 3x3 → 6x9 is read as 3x3 → 9x6 (warned)
    const fw = convertModel(imp.model, { Model: { Precision: 'fixed<16,6>' } });
    expect(fw.layers[1]!.config).toMatchObject({ height: 3, width: 3, new_height: 9, new_width: 6, swap_hw: true });
    expect(fw.warnings?.join('\n')).toMatch(/swaps height and width/);
  });

  it("Resize forms hls4ml rejects: sizes, opset 10's two inputs, a channel scale; 'linear' mode fails at conversion", () => {
    const mk = (inputs: (g: GraphBuilder, c: string) => string[], attrs = {}, opset = 13) => {
      const g = new GraphBuilder();
      const c = g.node('Relu', [g.input('x', ['N', 2, 4, 4])]);
      return g.bytes([g.node('Resize', inputs(g, c), attrs, { name: 'rz' })], opset);
    };
    expect(() => importOnnx(mk((g, c) => [c, '', '', g.ints('sz', [1, 2, 8, 8])]))).toThrow(/Sizes parameter is not supported by hls4ml/);
    expect(() => importOnnx(mk((g, c) => [c, g.init('sc', [4], [1, 1, 2, 2])], {}, 10))).toThrow(/Resize node with 2 inputs/);
    expect(() => importOnnx(mk((g, c) => [c, '', g.init('sc', [4], [1, 2, 2, 2])]))).toThrow(/batch or channel axis/);
    const lin = importOnnx(mk((g, c) => [c, '', g.init('sc', [4], [1, 1, 2, 2])], { mode: 'linear' }));
    expect(() => convertModel(lin.model)).toThrow(/algorithm/);
  });

  it('Sub / Mul / Max / Min of two run-time tensors → Subtract / Multiply / Maximum / Minimum', () => {
    const g = new GraphBuilder();
    const x = g.input('x', ['N', 6]);
    const r = g.node('Relu', [x]);
    const s = g.node('Sub', [x, r]);
    const m = g.node('Mul', [s, r]);
    const { imp, maxErr } = compareFloat(g.bytes([m]));
    expect(classes(imp)).toEqual(['InputLayer', 'Activation', 'Subtract', 'Multiply']);
    expect(maxErr).toBeLessThan(1e-12);
    const g2 = new GraphBuilder();
    const x2 = g2.input('x', ['N', 4]);
    const mx = g2.node('Max', [x2, g2.node('Tanh', [x2])]);
    const imp2 = importOnnx(g2.bytes([g2.node('Min', [mx, g2.node('Sigmoid', [x2])])]));
    expect(classes(imp2)).toEqual(['InputLayer', 'Activation', 'Maximum', 'Activation', 'Minimum']);
    const out = evalModel(imp2.model, { x: Float64Array.from([-2, -0.1, 0.3, 3]) }).get(imp2.model.outputs[0]!)!.data;
    expect(Array.from(out)).toEqual([-2, -0.1, 0.3, 3].map((v) => Math.min(Math.max(v, Math.tanh(v)), 1 / (1 + Math.exp(-v)))));
  });

  it('Elu / ThresholdedRelu: the float model uses ONNX semantics, the conversion hls4ml’s; PRelu is rejected as hls4ml cannot compile it', () => {
    const g = new GraphBuilder();
    const t = g.node('ThresholdedRelu', [g.node('Elu', [g.input('x', ['N', 4])], { alpha: 0.5 })]);
    const imp = importOnnx(g.bytes([t]));
    expect(imp.model.layers.map((l) => [l.className, l.attrs])).toEqual([
      ['InputLayer', {}],
      ['ELU', { alpha: 0.5, hlsAlpha: 0.5 }],
      ['ThresholdedReLU', { theta: 1, hlsTheta: 0.01 }],
    ]);
    const fw = convertModel(imp.model, { Model: { Precision: 'fixed<16,6>' } });
    expect(fw.layers[1]!.config).toMatchObject({ activation: 'thresholded_relu', theta_literal: 0.01 });
    const g2 = new GraphBuilder();
    const p = g2.node('PRelu', [g2.input('x', ['N', 4]), g2.init('slope', [4])], {}, { name: 'pr' });
    expect(() => importOnnx(g2.bytes([p]))).toThrow(/PRelu.*does not compile/);
  });

  it('a Transpose that moves the reduced axis of a MatMul becomes a Permute layer (hls4ml keeps it as Transpose)', () => {
    // x is read in its own layout by one MatMul and transposed by the other: one of them needs a Permute
    const g = new GraphBuilder();
    const r = g.node('Relu', [g.input('x', ['N', 4, 4])]);
    const a = g.node('MatMul', [r, g.init('W1', [4, 5])]);
    const b = g.node('MatMul', [g.node('Transpose', [r], { perm: [0, 2, 1] }), g.init('W2', [4, 5])]);
    const y = g.node('Add', [a, b]);
    const { imp, maxErr } = compareFloat(g.bytes([y]));
    expect(classes(imp)).toEqual(['InputLayer', 'Activation', 'Dense', 'Permute', 'Dense', 'Add']);
    expect(imp.model.layers[3]!.attrs).toEqual({ dims: [2, 1] });
    expect(maxErr).toBeLessThan(1e-12);
  });
});

const MP = '/work/shared/models/onnx/conv2d_small_mp_keras.onnx';
if (!existsSync(MP)) console.warn(`test/import-onnx/zoo-ops.test.ts: ${MP} is absent; the conv2d_small_mp_keras tests are skipped`);

describe.skipIf(!existsSync(MP))("hls4ml's conv2d_small_mp_keras.onnx (read in place)", () => {
  it('converts (Selu activations, Gemm → Dense) and its firmware agrees with the ONNX float model', () => {
    const bytes = readFileSync(MP);
    const imp = importOnnx(bytes);
    const onnx = decodeOnnxModel(bytes);
    const hls4mlExample = { Model: { Precision: 'fixed<16,6>', ReuseFactor: 1 }, LayerType: { Softmax: { Implementation: 'legacy' } } };
    const fw = convertModel(imp.model, hls4mlExample);
    expect(fw.layers.map((l) => `${l.cls}${l.cls === 'Activation' ? `:${(l.config as { activation: string }).activation}` : ''}`)).toEqual([
      'Conv2D', 'Activation:selu', 'BatchNormalization', 'Conv2D', 'Activation:selu', 'MaxPooling2D', 'Reshape', 'Dense', 'Activation:selu', 'Dense', 'Softmax',
    ]);
    // wider types and selu tables: every argmax agrees with ONNX, probabilities within the legacy softmax's resolution
    const wide = convertModel(imp.model, { Model: { Precision: 'fixed<24,10>', ReuseFactor: 1 }, LayerType: { Softmax: { Implementation: 'legacy' }, Activation: { TableSize: 4096, table_t: 'fixed<24,8>' } } });
    const argmax = (a: ArrayLike<number>) => Array.from(a).indexOf(Math.max(...Array.from(a)));
    for (let s = 0; s < 12; s++) {
      const x = Float64Array.from({ length: 625 }, (_, i) => Math.sin(i * (s + 1) * 0.37));
      const want = [...runOnnxModel(onnx, { [onnx.graph.inputs[0]!.name]: { shape: [1, 25, 25, 1], data: x } }).values()].pop()!.data;
      const xm = onnxToModelOrder(x, imp.inputs[0]!);
      const got = new Emulator(wide).predict({ data: xm, shape: [1, 25, 25, 1] }).values;
      expect(argmax(got)).toBe(argmax(want));
      for (let i = 0; i < 5; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(0.1);
      const dflt = new Emulator(fw).predict({ data: xm, shape: [1, 25, 25, 1] }).values;
      expect(dflt.reduce((p, v) => p + v, 0)).toBeGreaterThan(0.5);
    }
  });
});
