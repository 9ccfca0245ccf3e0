// Conversion of the layer-zoo kinds as hls4ml does it: the hls4ml class of each Keras class and
// activation, config_from_keras_model entries, 'auto' rules, the Keras 2 / Keras 3 differences,
// io_parallel / io_stream constraints, and hls4ml's behaviour that looks like a bug (emulated, with a
// warning naming the layer).
import { describe, expect, it } from 'vitest';
import { ConfigError, UnsupportedError } from '../../src/errors.js';
import { formatFixedType, parseFixedType } from '../../src/fixed/types.js';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import type { FirmwareGraph } from '../../src/graph/firmware.js';
import type { ModelGraph, ModelLayer } from '../../src/graph/model.js';
import { Emulator } from '../../src/emulate/predict.js';
import { evaluateFloat } from '../../src/emulate/float.js';
import { precisionFromConstant } from '../../src/layers/activation.js';
import { rnd, sequential } from './helpers.js';

const fmt = (t: unknown) => formatFixedType(t as never);
const T16 = { Model: { Precision: 'fixed<16,6>', ReuseFactor: 1 } };
const layer = (fw: FirmwareGraph, name: string) => {
  const L = fw.layers.find((l) => l.name === name);
  if (!L) throw new Error(`no layer ${name} in ${fw.layers.map((l) => l.name).join(', ')}`);
  return L as FirmwareGraph['layers'][number] & { config: Record<string, unknown>; types: Record<string, unknown>; weights: Record<string, Float64Array> };
};
const act = (name: string, cls: string, shape: number[], attrs: ModelLayer['attrs'], weights: ModelLayer['weights'] = {}) => ({ name, className: cls as ModelLayer['className'], outputShape: shape, attrs, weights });

/** A functional graph: input `x` of `shape`, then the given layers (inputs given explicitly). */
function functional(name: string, shape: number[], layers: Array<Omit<ModelLayer, 'inputShapes'>>, source = 'keras2'): ModelGraph {
  const all: ModelLayer[] = [{ name: 'x', className: 'InputLayer', inputs: [], inputShapes: [], outputShape: shape, attrs: {}, weights: {} }];
  const shapes = new Map<string, number[]>([['x', shape]]);
  for (const l of layers) {
    all.push({ ...l, inputShapes: l.inputs.map((i) => shapes.get(i)!) });
    shapes.set(l.name, l.outputShape);
  }
  return { name, source, layers: all, outputs: [all[all.length - 1]!.name] };
}

describe('activations: hls4ml classes, config_from_keras_model, param precision', () => {
  const model = sequential('acts', [6], [
    act('leaky', 'LeakyReLU', [6], { alpha: 0.30000001192092896 }),
    act('elu', 'ELU', [6], { alpha: 1.0 }),
    act('thr', 'ThresholdedReLU', [6], { theta: 0.5 }),
    act('prelu', 'PReLU', [6], { sharedAxes: null }, { alpha: rnd([6], 0.4) }),
    act('hs', 'Activation', [6], { activation: 'hard_sigmoid' }),
    act('selu', 'Activation', [6], { activation: 'selu' }),
  ]);

  it('config_from_keras_model (name): each layer gets its hls4ml class attributes', () => {
    const cfg = configFromModel(model, { granularity: 'name', backend: 'Vivado' });
    expect(cfg.LayerName!.leaky!.Precision).toEqual({ result: 'auto', param: 'auto', table: 'fixed<18,8,TRN,WRAP,0>' });
    expect(cfg.LayerName!.prelu!.Precision).toEqual({ result: 'auto', param: 'auto', table: 'fixed<18,8,TRN,WRAP,0>' });
    expect(cfg.LayerName!.hs!.Precision).toMatchObject({ result: 'auto', slope: 'auto', shift: 'auto' });
    expect(cfg.LayerName!.selu).toMatchObject({ Precision: { result: 'auto', table: 'fixed<18,8,TRN,WRAP,0>' }, TableSize: 1024, ReuseFactor: 1 });
    const byType = configFromModel(model, { granularity: 'type' });
    // keyed by the parser class (hls4ml then looks types up by its own class: these entries never match)
    expect(Object.keys(byType.LayerType!).sort()).toEqual(['Activation', 'ELU', 'HardActivation', 'InputLayer', 'LeakyReLU', 'PReLU', 'ThresholdedReLU']);
  });

  it("'auto' param: constant fit for LeakyReLU / ELU, the input precision for ThresholdedReLU and PReLU; hard slope / shift fixed", () => {
    const cfg = configFromModel(model, { granularity: 'name' });
    const fw = convertModel(model, cfg);
    expect(fmt(layer(fw, 'leaky').types.param)).toBe('ap_ufixed<8,-1>');
    expect(layer(fw, 'leaky').config).toMatchObject({ activation: 'leaky_relu', alpha_literal: 0.30000001192092896 });
    expect(fmt(layer(fw, 'elu').types.param)).toBe('ap_ufixed<1,1>');
    // thr's input is leaky → elu → ... each 'auto' result is the Model default
    expect(fmt(layer(fw, 'thr').types.param)).toBe('ap_fixed<16,6>');
    expect(layer(fw, 'thr').config).toMatchObject({ activation: 'thresholded_relu', theta_literal: 0.5 });
    expect(layer(fw, 'prelu').cls).toBe('PReLU');
    expect(fmt(layer(fw, 'prelu').types.param)).toBe('ap_fixed<16,6>');
    expect(layer(fw, 'prelu').weights.alpha).toHaveLength(6);
    expect(fmt(layer(fw, 'hs').types.slope)).toBe('ap_ufixed<16,0>');
    expect(fmt(layer(fw, 'hs').types.shift)).toBe('ap_ufixed<2,0>');
    expect(layer(fw, 'hs').config).toMatchObject({ activation: 'hard_sigmoid', slope_literal: 0.2, shift_literal: 0.5 });
    // without 'auto' the param is the Model default
    expect(fmt(layer(convertModel(model, T16), 'leaky').types.param)).toBe('ap_fixed<16,6>');
  });

  it("_get_precision_from_constant: hls4ml's minimal fixed type of a constant", () => {
    expect(fmt(precisionFromConstant(0.30000001192092896))).toBe('ap_ufixed<8,-1>');
    expect(fmt(precisionFromConstant(0.3))).toBe('ap_ufixed<8,-1>');
    expect(fmt(precisionFromConstant(0.2))).toBe('ap_ufixed<8,-2>');
    expect(fmt(precisionFromConstant(1))).toBe('ap_ufixed<1,1>');
    expect(fmt(precisionFromConstant(0))).toBe('ap_ufixed<1,1>');
    expect(fmt(precisionFromConstant(6))).toBe('ap_ufixed<2,3>'); // f = −1: 6 = 3·2
    expect(fmt(precisionFromConstant(0.1))).toBe('ap_ufixed<8,-3>'); // no f ≤ 32 makes 0.1 an integer
    expect(fmt(precisionFromConstant(-0.75))).toBe('ap_fixed<3,1>');
  });

  it('Keras 2 ReLU(max_value / negative_slope / threshold) is a plain relu, with a warning naming the layer', () => {
    const m = sequential('r', [4], [act('r6', 'ReLU', [4], { maxValue: 6, negativeSlope: 0, threshold: 0 })]);
    const fw = convertModel(m, T16);
    expect(layer(fw, 'r6').config).toMatchObject({ activation: 'relu' });
    expect(fw.warnings?.join('\n')).toMatch(/r6: hls4ml's Keras 2 front end turns every ReLU layer into a plain relu, ignoring max_value=6/);
    // the firmware clips nothing
    const out = new Emulator(fw).predict({ data: [9, -1, 7, 1], shape: [1, 4] }).values;
    expect(Array.from(out)).toEqual([9, 0, 7, 1]);
  });

  it("Keras 3 ReLU: ReLUHandler's ThresholdedReLU / LeakyReLU, max_value rejected", () => {
    const k3 = (attrs: ModelLayer['attrs'], cls = 'ReLU'): ModelGraph => ({ ...sequential('r', [4], [act('r', cls, [4], attrs)]), source: 'keras3' });
    expect(layer(convertModel(k3({ maxValue: null, negativeSlope: 0, threshold: 0 }), T16), 'r').config).toMatchObject({ activation: 'thresholded_relu', theta_literal: 0 });
    expect(layer(convertModel(k3({ maxValue: null, negativeSlope: 0.1, threshold: 0 }), T16), 'r').config).toMatchObject({ activation: 'leaky_relu', alpha_literal: 0.1 });
    expect(layer(convertModel(k3({ alpha: 0 }, 'LeakyReLU'), T16), 'r').config).toMatchObject({ activation: 'thresholded_relu' });
    expect(() => convertModel(k3({ maxValue: 6, negativeSlope: 0, threshold: 0 }), T16)).toThrow(/max_value=None or inf/);
    expect(() => convertModel(k3({ maxValue: null, negativeSlope: 0.1, threshold: 1 }), T16)).toThrow(UnsupportedError);
  });

  it('activation strings: relu6 (io_parallel only), Keras 3 hard_sigmoid slope warning, hard_tanh and gelu rejected', () => {
    const m = (a: string, source = 'keras2'): ModelGraph => ({ ...sequential('a', [4], [act('a', 'Activation', [4], { activation: a })]), source });
    expect(layer(convertModel(m('relu6'), T16), 'a').config).toMatchObject({ activation: 'relu6' });
    expect(() => convertModel(m('relu6'), { ...T16, IOType: 'io_stream' })).toThrow(/no io_stream relu6/);
    expect(convertModel(m('hard_sigmoid', 'keras3'), T16).warnings?.join('\n')).toMatch(/Keras 3's hard_sigmoid is x\/6 \+ 0\.5/);
    expect(() => convertModel(m('hard_tanh'), T16)).toThrow(/hard_tanh.*does not compile/);
    expect(() => convertModel(m('gelu'), T16)).toThrow(UnsupportedError);
    // a Dense's split elu / leaky_relu use the activation functions' defaults (1.0 / 0.2)
    const d = sequential('d', [3], [{ name: 'd', className: 'Dense', outputShape: [2], attrs: { units: 2, activation: 'leaky_relu', useBias: true }, weights: { kernel: rnd([3, 2]), bias: rnd([2]) } }]);
    expect(layer(convertModel(d, T16), 'd_leaky_relu').config).toMatchObject({ activation: 'leaky_relu', alpha_literal: 0.2 });
  });

  it('PReLU shared_axes: Keras 2 rejects them; Keras 3 would read alpha out of bounds', () => {
    const m = (source: string): ModelGraph => ({ ...sequential('p', [2, 3], [act('p', 'PReLU', [2, 3], { sharedAxes: [1] }, { alpha: rnd([1, 3]) })]), source });
    expect(() => convertModel(m('keras2'), T16)).toThrow(/shared_axes other than None is not supported/);
    expect(() => convertModel(m('keras3'), T16)).toThrow(/out of bounds/);
    // the float model broadcasts the shared alpha
    const y = evaluateFloat(m('keras2'), { data: [-1, -1, -1, -2, -2, -2], shape: [1, 2, 3] }).values;
    expect(y[0]).toBeCloseTo(y[3]! / 2, 6);
  });

  it('binary_tanh (ap_uint<1> result: −1 → 0) and a stand-alone TernaryTanh (no hls4ml template)', () => {
    const m = sequential('b', [4], [act('b', 'Activation', [4], { activation: 'binary_tanh' })]);
    const fw = convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerName: { b: { Precision: { result: 'ap_uint<1>' } } } });
    expect(Array.from(new Emulator(fw).predict({ data: [-2, 0, 3, -0.5], shape: [1, 4] }).values)).toEqual([0, 1, 1, 0]);
    const fw2 = convertModel(m, T16);
    expect(Array.from(new Emulator(fw2).predict({ data: [-2, 0, 3, -0.5], shape: [1, 4] }).values)).toEqual([-1, 1, 1, -1]);
    const t = sequential('t', [4], [act('t', 'Activation', [4], { activation: 'ternary_tanh' })]);
    expect(() => convertModel(t, T16)).toThrow(/TernaryTanh that does not follow a BatchNormalization has no function template/);
  });

  it('ONNX Elu / ThresholdedRelu without alpha: hls4ml uses 0.01 (warned)', () => {
    const m: ModelGraph = { ...sequential('o', [4], [act('e', 'ELU', [4], { alpha: 1, hlsAlpha: 0.01 })]), source: 'onnx' };
    const fw = convertModel(m, T16);
    expect(layer(fw, 'e').config).toMatchObject({ activation: 'elu', alpha_literal: 0.01 });
    expect(fw.warnings?.join('\n')).toMatch(/e: hls4ml uses alpha = 0.01/);
  });
});

describe('softmax over a multi-dimensional input', () => {
  const m = (axis: number, source = 'keras2'): ModelGraph => ({ ...sequential('s', [3, 4], [act('s', 'Softmax', [3, 4], { axis })]), source });

  it('Keras 2: io_parallel normalises all 12 values (warned), io_stream each row; a stored axis other than −1 fails the stream assert', () => {
    const par = convertModel(m(-1), T16);
    expect(layer(par, 's').config).toMatchObject({ n_in: 12, n_slice: 12 });
    expect(layer(par, 's').config.n_outer).toBeUndefined();
    expect(par.warnings?.join('\n')).toMatch(/normalises over all 12 values/);
    const x = Float64Array.from({ length: 12 }, (_, i) => (i % 5) - 2);
    const yp = new Emulator(par).predict({ data: x, shape: [1, 3, 4] }).values;
    expect(yp.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.8);
    expect(yp.reduce((a, b) => a + b, 0)).toBeLessThan(1.2);
    const str = convertModel(m(-1), { ...T16, IOType: 'io_stream' });
    const ys = new Emulator(str).predict({ data: x, shape: [1, 3, 4] }).values;
    for (let r = 0; r < 3; r++) expect(ys.subarray(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0)).toBeGreaterThan(0.8);
    expect(() => convertModel(m(2), { ...T16, IOType: 'io_stream' })).toThrow(/asserts axis == -1/);
  });

  it('Keras 3 Softmax(axis): n_outer / n_inner, softmax_multidim in io_parallel; slices equal the one-axis softmax bit for bit', () => {
    const fw = convertModel(m(1, 'keras3'), T16);
    expect(layer(fw, 's').config).toMatchObject({ n_outer: 1, n_slice: 3, n_inner: 4, axis: 1 });
    const last = convertModel(m(-1, 'keras3'), T16);
    expect(layer(last, 's').config).toMatchObject({ n_outer: 3, n_slice: 4, n_inner: 1 });
    // axis 1 of [3, 4] = the last axis of the transposed [4, 3] tensor
    const x = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i) * 3);
    const xt = Float64Array.from({ length: 12 }, (_, k) => x[(k % 3) * 4 + Math.floor(k / 3)]!);
    const y = new Emulator(fw).predict({ data: x, shape: [1, 3, 4] }).values;
    const mt: ModelGraph = { ...sequential('s', [4, 3], [act('s', 'Softmax', [4, 3], { axis: -1 })]), source: 'keras3' };
    const yt = new Emulator(convertModel(mt, T16)).predict({ data: xt, shape: [1, 4, 3] }).values;
    for (let k = 0; k < 12; k++) expect(y[(k % 3) * 4 + Math.floor(k / 3)]).toBe(yt[k]);
    // Keras 3 stores the axis as given: axis 2 (= the last) still fails io_stream's assert
    expect(() => convertModel(m(2, 'keras3'), { ...T16, IOType: 'io_stream' })).toThrow(/asserts axis == -1/);
  });
});

describe('merges', () => {
  const two = (cls: string, s1: number[], s2: number[], out: number[], attrs: ModelLayer['attrs'] = {}, source = 'keras2'): ModelGraph =>
    functional('m', s1, [
      { name: 'a', className: 'Activation', inputs: ['x'], outputShape: s1, attrs: { activation: 'linear' }, weights: {} },
      ...(s2 === s1 ? [] : [{ name: 'r', className: 'Reshape' as const, inputs: ['x'], outputShape: s2, attrs: { targetShape: s2 }, weights: {} }]),
      { name: 'm', className: cls as ModelLayer['className'], inputs: ['a', s2 === s1 ? 'x' : 'r'], outputShape: out, attrs, weights: {} },
    ], source);

  it("'auto' result types as hls4ml's _infer_merge_precision / _infer_cat_precision / _infer_dot_precision", () => {
    const cfg = (m: ModelGraph) => ({ Model: { Precision: 'fixed<16,6>' }, LayerName: { a: { Precision: 'ufixed<8,3>' }, m: { Precision: 'auto' } } });
    const res = (cls: string, attrs: ModelLayer['attrs'] = {}, out = [4]) => {
      const g = two(cls, [4], [4], out, attrs);
      return fmt(layer(convertModel(g, cfg(g)), 'm').types.result);
    };
    // a: ap_ufixed<8,3> (5 frac), x: ap_fixed<16,6> (10 frac)
    // unsigned a gains a bit next to a signed input: I = max(3 + 1, 6) + 1 = 7, W = 7 + max(5, 10)
    expect(res('Add')).toBe('ap_fixed<17,7>');
    expect(res('Maximum')).toBe('ap_fixed<16,6>'); // I = max(3 + 1, 6), W = 6 + 10
    expect(res('Multiply')).toBe('ap_fixed<24,9>');
  });

  it('element-wise ops: add / subtract / average widen by one integer bit, multiply adds widths, maximum / minimum', () => {
    const g = (cls: string) => two(cls, [4], [4], [4]);
    const t = (cls: string) => {
      const m = g(cls);
      return fmt(layer(convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerName: { a: { Precision: 'fixed<10,4>' }, m: { Precision: 'auto' } } }), 'm').types.result);
    };
    // a ap_fixed<10,4> (6 frac), x ap_fixed<16,6> (10 frac)
    expect(t('Add')).toBe('ap_fixed<17,7>');
    expect(t('Subtract')).toBe('ap_fixed<17,7>');
    expect(t('Average')).toBe('ap_fixed<17,7>');
    expect(t('Multiply')).toBe('ap_fixed<26,10>');
    expect(t('Maximum')).toBe('ap_fixed<16,6>');
    expect(t('Minimum')).toBe('ap_fixed<16,6>');
    expect(t('Concatenate')).toBe('ap_fixed<16,6>');
  });

  it('more than two inputs, a rank-4 Concatenate, Dot of rank > 1 are rejected as hls4ml does', () => {
    const three = functional('m', [4], [
      { name: 'a', className: 'Activation', inputs: ['x'], outputShape: [4], attrs: { activation: 'relu' }, weights: {} },
      { name: 'b', className: 'Activation', inputs: ['x'], outputShape: [4], attrs: { activation: 'tanh' }, weights: {} },
      { name: 'm', className: 'Add', inputs: ['x', 'a', 'b'], outputShape: [4], attrs: {}, weights: {} },
    ]);
    expect(() => convertModel(three, T16)).toThrow(/Merging more than two tensors is not yet supported/);
    expect(() => convertModel(two('Concatenate', [1, 2, 2, 2], [1, 2, 2, 2], [2, 2, 2, 2], { axis: 1 }), T16)).toThrow(/rank > 3/);
  });

  it('Concatenate on every axis (io_parallel and io_stream give the same values)', () => {
    for (const axis of [1, 2, 3, -1, -2, -3]) {
      const g = two('Concatenate', [2, 3, 2], [2, 3, 2], axis === 1 || axis === -3 ? [4, 3, 2] : axis === 2 || axis === -2 ? [2, 6, 2] : [2, 3, 4], { axis });
      const x = Float64Array.from({ length: 12 }, (_, i) => i - 5);
      const want = evaluateFloat(g, { data: x, shape: [1, 2, 3, 2] }).values;
      for (const io of ['io_parallel', 'io_stream'] as const) {
        const got = new Emulator(convertModel(g, { ...T16, IOType: io })).predict({ data: x, shape: [1, 2, 3, 2] }).values;
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    }
  });

  it("io_parallel broadcasting is hls4ml's index modulo: (H,W,1) against (H,W,C) differs from Keras (warned)", () => {
    const g = two('Multiply', [2, 2, 3], [2, 2, 1], [2, 2, 3]);
    g.layers[2] = { ...g.layers[2]!, className: 'Conv2D', attrs: { filters: 1, kernelSize: [1, 1], strides: [1, 1], padding: 'valid', activation: 'linear', useBias: false }, weights: { kernel: { shape: [1, 1, 3, 1], data: new Float32Array([1, 0, 0]) } } };
    const fw = convertModel(g, { Model: { Precision: 'fixed<24,12>' } });
    expect(fw.warnings?.join('\n')).toMatch(/m: hls4ml's io_parallel merge broadcasts \[2, 2, 1\] to \[2, 2, 3\] by index modulo/);
    const x = Float64Array.from({ length: 12 }, (_, i) => i);
    const got = Array.from(new Emulator(fw).predict({ data: x, shape: [1, 2, 2, 3] }).values);
    // modulo: out[i] = a[i] · r[i % 4], r = channel 0 of each pixel = [0, 3, 6, 9]
    expect(got).toEqual(Array.from(x, (v, i) => v * [0, 3, 6, 9][i % 4]!));
    const want = Array.from(evaluateFloat(g, { data: x, shape: [1, 2, 2, 3] }).values);
    expect(got).not.toEqual(want);
  });

  it("io_stream broadcasting: hls4ml's broadcast layer (Model default type) for (1,1,C) and (H,W,1); other shapes rejected", () => {
    const g = two('Add', [2, 2, 3], [1, 1, 12], [2, 2, 3]);
    expect(() => convertModel(g, { ...T16, IOType: 'io_stream' })).toThrow(UnsupportedError);
    const gap = functional('se', [2, 2, 3], [
      { name: 'a', className: 'Activation', inputs: ['x'], outputShape: [2, 2, 3], attrs: { activation: 'linear' }, weights: {} },
      { name: 'p', className: 'GlobalAveragePooling2D', inputs: ['x'], outputShape: [3], attrs: {}, weights: {} },
      { name: 'r', className: 'Reshape', inputs: ['p'], outputShape: [1, 1, 3], attrs: { targetShape: [1, 1, 3] }, weights: {} },
      { name: 'm', className: 'Multiply', inputs: ['a', 'r'], outputShape: [2, 2, 3], attrs: {}, weights: {} },
    ]);
    const fw = convertModel(gap, { Model: { Precision: 'fixed<16,6>' }, IOType: 'io_stream', LayerType: { Broadcast: { Precision: 'fixed<8,2>' } } });
    const m = layer(fw, 'm');
    expect(m.config).toMatchObject({ broadcast: { input: 2, shape: [1, 1, 3] } });
    expect(fmt(m.types.broadcast)).toBe('ap_fixed<8,2>');
    expect(fw.changes.join('\n')).toMatch(/broadcast_r \(Broadcast/);
    // the broadcast value is cast to fixed<8,2> (saturating nothing: WRAP) before the product
    const x = Float64Array.from({ length: 12 }, (_, i) => (i % 5) * 0.3);
    const got = new Emulator(fw).predict({ data: x, shape: [1, 2, 2, 3] }).values;
    const par = new Emulator(convertModel(gap, T16)).predict({ data: x, shape: [1, 2, 2, 3] }).values;
    expect(Array.from(got)).not.toEqual(Array.from(par)); // the 8-bit broadcast type truncates the averages
  });

  it("Dot: io_parallel only, accum 'auto' fails hls4ml's assertion, normalize ignored (warned)", () => {
    const g = two('Dot', [5], [5], [1], { axes: [1, 1], normalize: true });
    const fw = convertModel(g, T16);
    expect(layer(fw, 'm')).toMatchObject({ cls: 'Dot', config: { n_in: 5, n_out: 1, product: 'mult' } });
    expect(fw.warnings?.join('\n')).toMatch(/ignores Dot\(normalize=True\)/);
    const y = new Emulator(fw).predict({ data: [1, 2, 3, -1, 0.5], shape: [1, 5] }).values;
    expect(y[0]).toBeCloseTo(1 + 4 + 9 + 1 + 0.25, 2);
    expect(() => convertModel(g, { ...T16, IOType: 'io_stream' })).toThrow(/no io_stream dot1d/);
    const cfg = configFromModel(g, { granularity: 'name', backend: 'Vivado' });
    expect(cfg.LayerName!.m!.Precision).toEqual({ result: 'auto', accum: 'auto' });
    expect(() => convertModel(g, cfg)).toThrow(ConfigError);
    cfg.LayerName!.m!.Precision = { result: 'auto', accum: 'fixed<20,10>' };
    expect(fmt(layer(convertModel(g, cfg), 'm').types.result)).toBe('ap_fixed<35,15>'); // 16+16+3, 6+6+3
  });
});

describe('resize, cropping, transpose, embedding, zero padding', () => {
  it('UpSampling2D: Resize keeps its input type (a configured result is not read, warned); bilinear has no kernel', () => {
    const m = sequential('u', [2, 3, 2], [act('u', 'UpSampling2D', [4, 9, 2], { size: [2, 3], interpolation: 'nearest', dataFormat: 'channels_last' })]);
    const fw = convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerName: { input_1: { Precision: 'fixed<10,3>' }, u: { Precision: 'fixed<8,2>' } } });
    expect(layer(fw, 'u')).toMatchObject({ cls: 'Resize', config: { height: 2, width: 3, n_chan: 2, new_height: 4, new_width: 9 } });
    expect(fmt(layer(fw, 'u').types.result)).toBe('ap_fixed<10,3>');
    expect(fw.warnings?.join('\n')).toMatch(/LayerName.u.Precision: a Resize layer's output keeps its input's precision/);
    const bil = sequential('u', [2, 3, 2], [act('u', 'UpSampling2D', [4, 9, 2], { size: [2, 3], interpolation: 'bilinear', dataFormat: 'channels_last' })]);
    expect(() => convertModel(bil, T16)).toThrow(/no resize_bilinear kernel/);
    const cf = sequential('u', [2, 3, 4], [act('u', 'UpSampling2D', [2, 6, 8], { size: [2, 2], interpolation: 'nearest', dataFormat: 'channels_first' })]);
    expect(convertModel(cf, T16).warnings?.join('\n')).toMatch(/resizes this channels_first/);
  });

  it("ONNX Resize: hls4ml's height/width swap on a non-square input (warned, emulated)", () => {
    const m: ModelGraph = { ...sequential('r', [2, 3, 1], [act('r', 'Resize', [4, 6, 1], { scales: [2, 2], mode: 'nearest' })]), source: 'onnx' };
    const fw = convertModel(m, T16);
    expect(layer(fw, 'r').config).toMatchObject({ height: 3, width: 2, new_height: 6, new_width: 4, swap_hw: true });
    expect(fw.warnings?.join('\n')).toMatch(/swaps height and width/);
    const x = [1, 2, 3, 4, 5, 6];
    const got = Array.from(new Emulator(fw).predict({ data: x, shape: [1, 2, 3, 1] }).values);
    // the data read as a 3x2 image [[1,2],[3,4],[5,6]] resized to 6x4
    expect(got).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4, 5, 5, 6, 6, 5, 5, 6, 6]);
    const sq: ModelGraph = { ...sequential('r', [2, 2, 1], [act('r', 'Resize', [4, 4, 1], { scales: [2, 2], mode: 'nearest' })]), source: 'onnx' };
    expect(convertModel(sq, T16).warnings ?? []).toEqual([]);
  });

  it("Cropping: its input's type as hls4ml parsed it; after an 'auto' producer the Model default (warned)", () => {
    const m = sequential('c', [3, 2], [
      { name: 'cv', className: 'Conv1D', outputShape: [3, 2], attrs: { filters: 2, kernelSize: [1], strides: [1], padding: 'valid', activation: 'linear', useBias: true }, weights: { kernel: rnd([1, 2, 2]), bias: rnd([2]) } },
      act('c', 'Cropping1D', [1, 2], { cropping: [1, 1] }),
    ]);
    const fw = convertModel(m, configFromModel(m, { granularity: 'name' }));
    expect(fmt(layer(fw, 'c').types.result)).toBe('ap_fixed<16,6>');
    expect(fmt(layer(fw, 'c').types.input)).not.toBe('ap_fixed<16,6>'); // the conv's inferred type
    expect(fw.warnings?.join('\n')).toMatch(/c: its input's precision was 'auto'/);
    const r = sequential('c', [3, 2], [act('r', 'Activation', [3, 2], { activation: 'relu' }), act('c', 'Cropping1D', [1, 2], { cropping: [1, 1] })]);
    const fw2 = convertModel(r, { Model: { Precision: 'fixed<16,6>' }, LayerName: { r: { Precision: 'ufixed<12,5>' }, c: { Precision: 'fixed<8,3>' } } });
    expect(fmt(layer(fw2, 'c').types.result)).toBe('ap_ufixed<12,5>');
    expect(layer(fw2, 'c').config).toMatchObject({ in_width: 3, n_chan: 2, out_width: 1, crop_left: 1, crop_right: 1 });
    expect(fw2.warnings?.join('\n')).toMatch(/LayerName.c.Precision: a Cropping1D layer's output keeps its input's precision/);
  });

  it("Permute → Transpose; hls4ml's remove_single_channel_transpose and remove_transpose_before_flatten (io_parallel)", () => {
    const p = sequential('p', [2, 3, 4], [act('p', 'Permute', [4, 2, 3], { dims: [3, 1, 2] })]);
    expect(layer(convertModel(p, T16), 'p').config).toMatchObject({ perm: [2, 0, 1], from_shape: [2, 3, 4] });
    // first input dimension 1: removed in io_parallel; a perm that is not the rotation is warned
    const single = sequential('s', [1, 3, 4], [act('p', 'Permute', [4, 3, 1], { dims: [3, 2, 1] }), act('r', 'Activation', [4, 3, 1], { activation: 'relu' })]);
    const fw = convertModel(single, T16);
    expect(fw.layers.map((l) => l.name)).toEqual(['r']);
    expect(fw.input.shape).toEqual([4, 3, 1]);
    expect(fw.warnings?.join('\n')).toMatch(/remove_single_channel_transpose removes this Transpose \(perm \[2,1,0\]\)/);
    expect(convertModel(single, { ...T16, IOType: 'io_stream' }).layers.map((l) => l.cls)).toEqual(['Transpose', 'Activation']);
    // Transpose → Flatten → Dense: folded into the Dense weights; exact for perm (2, 0, 1)
    const kernel = rnd([24, 3]);
    const bias = rnd([3]);
    const flat = (dims: number[]) =>
      sequential('f', [2, 3, 4], [
        act('p', 'Permute', dims.map((d) => [2, 3, 4][d - 1]!), { dims }),
        act('f', 'Flatten', [24], {}),
        { name: 'd', className: 'Dense', outputShape: [3], attrs: { units: 3, activation: 'linear', useBias: true }, weights: { kernel, bias } },
      ]);
    const cfg = { Model: { Precision: 'fixed<40,16>' } };
    const x = Float64Array.from({ length: 24 }, (_, i) => Math.cos(i));
    const ok = convertModel(flat([3, 1, 2]), cfg);
    expect(ok.layers.map((l) => l.cls)).toEqual(['Reshape', 'Dense']);
    expect(ok.changes.join('\n')).toMatch(/remove_transpose_before_flatten/);
    const want = evaluateFloat(flat([3, 1, 2]), { data: x, shape: [1, 2, 3, 4] }).values;
    const got = new Emulator(ok).predict({ data: x, shape: [1, 2, 3, 4] }).values;
    for (let i = 0; i < 3; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-3);
    const bad = convertModel(flat([2, 1, 3]), cfg);
    expect(bad.warnings?.join('\n')).toMatch(/permutes d's weights as if the perm were \(2, 0, 1\)/);
    const wantBad = evaluateFloat(flat([2, 1, 3]), { data: x, shape: [1, 2, 3, 4] }).values;
    const gotBad = new Emulator(bad).predict({ data: x, shape: [1, 2, 3, 4] }).values;
    expect(Math.max(...[0, 1, 2].map((i) => Math.abs(gotBad[i]! - wantBad[i]!)))).toBeGreaterThan(1e-2);
    // io_stream keeps the Transpose (and the model's numbers)
    const str = convertModel(flat([2, 1, 3]), { ...cfg, IOType: 'io_stream' });
    expect(str.layers.map((l) => l.cls)).toContain('Transpose');
  });

  it('Embedding: weights, types, the input-precision warning; rank-2 index inputs rejected', () => {
    const m = sequential('e', [5], [act('e', 'Embedding', [5, 3], { inputDim: 40, outputDim: 3, maskZero: false }, { embeddings: rnd([40, 3]) })]);
    const fw = convertModel(m, T16);
    expect(layer(fw, 'e')).toMatchObject({ cls: 'Embedding', config: { n_in: 5, n_out: 3, vocab_size: 40 } });
    expect(layer(fw, 'e').weights.embeddings).toHaveLength(120);
    expect(fw.warnings?.join('\n')).toMatch(/cannot hold every index up to 39/);
    const ok = convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerName: { input_1: { Precision: 'ap_uint<6>' } } });
    expect(ok.warnings ?? []).toEqual([]);
    const y = new Emulator(ok).predict({ data: [0, 39, 7, 7, 1], shape: [1, 5] }).values;
    expect(Array.from(y.subarray(6, 9))).toEqual(Array.from(y.subarray(9, 12)));
  });

  it("ZeroPadding keeps its input's type; channels_first pads the last axis (io_parallel only)", () => {
    const m = sequential('z', [3, 4], [act('z', 'ZeroPadding1D', [3, 7], { padding: [1, 2], dataFormat: 'channels_first' })]);
    const fw = convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerName: { z: { Precision: 'fixed<8,3>' } } });
    expect(layer(fw, 'z').config).toMatchObject({ data_format: 'channels_first', in_width: 4, n_chan: 3, out_width: 7 });
    expect(fmt(layer(fw, 'z').types.result)).toBe('ap_fixed<16,6>');
    expect(() => convertModel(m, { ...T16, IOType: 'io_stream' })).toThrow(/no io_stream channels-first zero padding/);
  });
});

describe('parseFixedType sanity for the tests', () => {
  it('ap_uint<6> is a 6-bit unsigned integer', () => expect(fmt(parseFixedType('ap_uint<6>'))).toBe('ap_ufixed<6,6>'));
});
