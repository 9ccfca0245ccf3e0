// hls4ml conversion of the depthwise / separable, LSTM / GRU, LayerNormalization and EinsumDense
// kinds: config_from_keras_model entries, the separable split and its config copy, 'auto' types,
// strategies and reuse factors, C arrays, hls4ml's quirks (reproduced with a warning) and refusals.
import { describe, expect, it } from 'vitest';
import { ConfigError, UnsupportedError } from '../../src/errors.js';
import { formatFixedType, parseFixedType } from '../../src/fixed/types.js';
import { firmwareGraphFromJson, firmwareGraphToJson } from '../../src/graph/check.js';
import { configFromModel, type Hls4mlConfig } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { firmwareLayer, type FirmwareGraph } from '../../src/graph/firmware.js';
import type { ModelGraph, ModelLayer } from '../../src/graph/model.js';
import { evaluateFloat } from '../../src/emulate/float.js';
import { Emulator } from '../../src/emulate/predict.js';
import { importOnnx } from '../../src/import/onnx.js';
import { runOnnxModel } from '../../src/import/onnx-eval.js';
import { decodeOnnxModel } from '../../src/import/onnx-proto.js';
import { resolveLayerWeights } from '../../src/import/topology.js';
import { LayerConfigReader, mapKerasLayer } from '../../src/import/layer-map.js';
import { einsumBiasFromKeras, einsumRecipe, einsumWeightsFromKeras, layernormTable, transposeDenseWeights } from '../../src/kernels/index.js';
import { GraphBuilder } from '../import-onnx/builder.js';
import { rnd, sequential } from './helpers.js';

const fmt = (t: Parameters<typeof formatFixedType>[0]) => formatFixedType(t);
const names = (fw: FirmwareGraph) => fw.layers.map((l) => `${l.name}:${l.cls}`);
const thrown = (f: () => unknown): Error & { path?: string } => {
  try {
    f();
  } catch (e) {
    return e as Error & { path?: string };
  }
  throw new Error('expected an error');
};
type L = Omit<ModelLayer, 'inputs' | 'inputShapes'>;

// ---------------------------------------------------------------------------------------------
// Depthwise / separable
// ---------------------------------------------------------------------------------------------

function sepLayer(o: { name?: string; C?: number; F?: number; k?: number; padding?: 'same' | 'valid'; bias?: boolean; activation?: string; twoD?: boolean; H?: number } = {}): L {
  const { name = 'sep', C = 3, F = 4, k = 3, padding = 'same', bias = true, activation = 'relu', twoD = true, H = 6 } = o;
  const out = padding === 'same' ? H : H - k + 1;
  const ks = twoD ? [k, k] : [k];
  return {
    name,
    className: twoD ? 'SeparableConv2D' : 'SeparableConv1D',
    outputShape: twoD ? [out, out, F] : [out, F],
    attrs: { filters: F, kernelSize: ks, strides: twoD ? [1, 1] : [1], padding, depthMultiplier: 1, activation, useBias: bias },
    weights: {
      depthwise_kernel: rnd([...ks, C, 1], 0.5),
      pointwise_kernel: rnd([...(twoD ? [1, 1] : [1]), C, F], 0.5),
      ...(bias ? { bias: rnd([F], 0.3) } : {}),
    },
  };
}

function dwLayer(o: { name?: string; C?: number; k?: number; padding?: 'same' | 'valid'; bias?: boolean; twoD?: boolean; H?: number; activation?: string } = {}): L {
  const { name = 'dw', C = 3, k = 3, padding = 'valid', bias = true, twoD = true, H = 6, activation = 'linear' } = o;
  const out = padding === 'same' ? H : H - k + 1;
  const ks = twoD ? [k, k] : [k];
  return {
    name,
    className: twoD ? 'DepthwiseConv2D' : 'DepthwiseConv1D',
    outputShape: twoD ? [out, out, C] : [out, C],
    attrs: { kernelSize: ks, strides: twoD ? [1, 1] : [1], padding, depthMultiplier: 1, activation, useBias: bias },
    weights: { depthwise_kernel: rnd([...ks, C, 1], 0.5), ...(bias ? { bias: rnd([C], 0.3) } : {}) },
  };
}

const img = (twoD = true, H = 6, C = 3) => (twoD ? [H, H, C] : [H, C]);

describe('DepthwiseConv / SeparableConv conversion', () => {
  it("config_from_keras_model: the separable's precision keys and settings (backend adds accums, depthwise_result and the two reuse factors), the depthwise's as a Conv's", () => {
    const m = sequential('m', img(), [sepLayer(), dwLayer({ C: 4, name: 'dw' })]);
    const plain = configFromModel(m, { granularity: 'name' });
    expect(plain.LayerName!.sep).toEqual({ Trace: false, Precision: { result: 'auto', depthwise: 'auto', pointwise: 'auto', bias: 'auto' } });
    expect(plain.LayerName!.dw).toEqual({ Trace: false, Precision: { result: 'auto', weight: 'auto', bias: 'auto' } });
    const viv = configFromModel(m, { granularity: 'name', backend: 'Vivado' });
    expect(viv.LayerName!.sep).toEqual({
      Trace: false,
      Precision: { result: 'auto', depthwise: 'auto', pointwise: 'auto', bias: 'auto', depthwise_accum: 'auto', pointwise_accum: 'auto', depthwise_result: 'auto' },
      DepthwiseReuseFactor: 1,
      PointwiseReuseFactor: 1,
      ConvImplementation: 'LineBuffer',
    });
    expect(viv.LayerName!.dw).toEqual({ Trace: false, Precision: { result: 'auto', weight: 'auto', bias: 'auto', accum: 'auto' }, ReuseFactor: 1, ParallelizationFactor: 1, ConvImplementation: 'LineBuffer' });
    expect(Object.keys(viv.LayerName!)).toEqual(['input_1', 'sep', 'sep_relu', 'dw', 'dw_linear']);
    const byType = configFromModel(m, { granularity: 'type' });
    expect(Object.keys(byType.LayerType!)).toEqual(['InputLayer', 'SeparableConv2D', 'Activation', 'DepthwiseConv2D']);
  });

  it("SeparableToDepthwiseAndConv: <name>_depthwise (zero bias ap_uint<1>) + <name>_pointwise (1x1 Conv); 'auto' types as hls4ml infers them", () => {
    const m = sequential('m', img(), [sepLayer()]);
    const fw = convertModel(m, configFromModel(m, { granularity: 'name', backend: 'Vivado' }));
    expect(names(fw)).toEqual(['sep_depthwise:DepthwiseConv2D', 'sep_pointwise:Conv2D', 'sep_relu:Activation']);
    const dw = firmwareLayer(fw, 'sep_depthwise', 'DepthwiseConv2D');
    expect(Array.from(dw.weights.bias)).toEqual([0, 0, 0]);
    expect(fmt(dw.types.bias)).toBe('ap_ufixed<1,1>');
    // <16,6> x <16,6> over 9 taps: W 36, I 16; the ap_uint<1> zero bias adds an integer bit: I 17, W 37
    expect(fmt(dw.types.result)).toBe('ap_fixed<37,17>');
    expect(fmt(dw.types.accum)).toBe('ap_fixed<37,17>');
    const pw = firmwareLayer(fw, 'sep_pointwise', 'Conv2D');
    expect(pw.config).toMatchObject({ filt_height: 1, filt_width: 1, n_chan: 3, n_filt: 4, in_height: 6, in_width: 6 });
    // <37,17> x <16,6> over 3 channels (2 bits), then the <16,6> bias: I 26, W 56
    expect(fmt(pw.types.result)).toBe('ap_fixed<56,26>');
    expect(fmt(pw.types.input)).toBe('ap_fixed<37,17>');
    // The depthwise weights are the Keras depthwise kernel flattened, the pointwise ones its 1x1 kernel.
    const sep = m.layers[1]!;
    const q = (v: number) => Math.floor(v * 1024);
    expect(Array.from(dw.weights.weight)).toEqual(Array.from(sep.weights.depthwise_kernel!.data, q));
    expect(Array.from(pw.weights.weight)).toEqual(Array.from(sep.weights.pointwise_kernel!.data, q));
  });

  it('the separable config is copied to both halves with its Precision keys renamed; without depthwise_result the separable result types the depthwise output', () => {
    const m = sequential('m', img(), [sepLayer({ activation: 'linear' })]);
    const cfg: Hls4mlConfig = {
      Model: { Precision: 'fixed<16,6>', ReuseFactor: 1 },
      LayerName: {
        sep: {
          Precision: { depthwise: 'fixed<8,3>', pointwise: 'fixed<10,4>', depthwise_accum: 'fixed<20,8>', pointwise_accum: 'fixed<22,9>', depthwise_result: 'fixed<12,5>', result: 'fixed<14,6>', bias: 'fixed<9,2>' },
          ReuseFactor: 3,
          Strategy: 'Resource',
        },
      },
      IOType: 'io_stream',
    };
    const fw = convertModel(m, cfg);
    const dw = firmwareLayer(fw, 'sep_depthwise', 'DepthwiseConv2D');
    const pw = firmwareLayer(fw, 'sep_pointwise', 'Conv2D');
    expect([dw.types.weight, dw.types.accum, dw.types.result, dw.types.bias].map(fmt)).toEqual(['ap_fixed<8,3>', 'ap_fixed<20,8>', 'ap_fixed<12,5>', 'ap_ufixed<1,1>']);
    expect([pw.types.weight, pw.types.accum, pw.types.result, pw.types.bias].map(fmt)).toEqual(['ap_fixed<10,4>', 'ap_fixed<22,9>', 'ap_fixed<14,6>', 'ap_fixed<9,2>']);
    expect([dw.config.strategy, dw.config.reuse_factor, pw.config.strategy, pw.config.reuse_factor]).toEqual(['resource', 3, 'resource', 3]);
    // without depthwise_result: the separable's `result` types the depthwise output too
    const cfg2 = structuredClone(cfg);
    delete (cfg2.LayerName!.sep!.Precision as Record<string, string>).depthwise_result;
    const fw2 = convertModel(m, cfg2);
    expect(fmt(firmwareLayer(fw2, 'sep_depthwise', 'DepthwiseConv2D').types.result)).toBe('ap_fixed<14,6>');
    // the user's config object is not modified
    expect(Object.keys(cfg.LayerName!)).toEqual(['sep']);
    // a LayerType entry of the separable class is copied the same way
    const fw3 = convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerType: { SeparableConv2D: { Precision: { depthwise: 'fixed<6,2>', pointwise: 'fixed<7,2>', result: 'fixed<11,5>' } } } });
    expect(fmt(firmwareLayer(fw3, 'sep_depthwise', 'DepthwiseConv2D').types.weight)).toBe('ap_fixed<6,2>');
    expect(fmt(firmwareLayer(fw3, 'sep_pointwise', 'Conv2D').types.weight)).toBe('ap_fixed<7,2>');
    // without a separable entry the halves use their own classes' LayerType entries
    const fw4 = convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerType: { DepthwiseConv2D: { Precision: { weight: 'fixed<5,1>' } }, Conv2D: { Precision: { weight: 'fixed<7,3>' } } } });
    expect(fmt(firmwareLayer(fw4, 'sep_depthwise', 'DepthwiseConv2D').types.weight)).toBe('ap_fixed<5,1>');
    expect(fmt(firmwareLayer(fw4, 'sep_pointwise', 'Conv2D').types.weight)).toBe('ap_fixed<7,3>');
    // and LayerName entries of the halves are valid config keys
    expect(() => convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerName: { sep_depthwise: { Precision: { weight: 'fixed<8,2>' } } } })).not.toThrow();
  });

  it("io_stream 'same': zp2d_<name>_depthwise, the depthwise runs 'valid'; Encoded instructions; Resource product classes by reuse factor", () => {
    const m = sequential('m', img(true, 6, 4), [sepLayer({ C: 4 })]);
    const fw = convertModel(m, { Model: { Precision: 'fixed<16,6>', ConvImplementation: 'Encoded' }, IOType: 'io_stream' });
    expect(names(fw)).toEqual(['zp2d_sep_depthwise:ZeroPadding2D', 'sep_depthwise:DepthwiseConv2D', 'sep_pointwise:Conv2D', 'sep_relu:Activation']);
    const dw = firmwareLayer(fw, 'sep_depthwise', 'DepthwiseConv2D');
    expect(dw.config).toMatchObject({ in_height: 8, in_width: 8, pad_top: 0, keras_padding: 'same', implementation: 'Encoded', min_height: 5, min_width: 5, dense_function: 'nnet::DepthwiseDenseLatency' });
    expect(dw.config.pixels).toHaveLength(25);
    for (const [rf, fn] of [
      [2, 'DepthwiseDenseResource_rf_leq_nout'],
      [12, 'DepthwiseDenseResource_rf_gt_nout_rem0'],
      [9, 'DepthwiseDenseResource_rf_gt_nout'],
    ] as const) {
      const r = convertModel(sequential('m', img(true, 6, 4), [dwLayer({ C: 4 })]), { Model: { Precision: 'fixed<16,6>', Strategy: 'Resource', ReuseFactor: rf }, IOType: 'io_stream' });
      expect(firmwareLayer(r, 'dw', 'DepthwiseConv2D').config).toMatchObject({ strategy: 'resource', reuse_factor: rf, dense_function: `nnet::${fn}` });
    }
    // an invalid Resource reuse factor is replaced by the closest valid one for (K·C) x C
    const r5 = convertModel(sequential('m', img(true, 6, 4), [dwLayer({ C: 4 })]), { Model: { Precision: 'fixed<16,6>', Strategy: 'Resource', ReuseFactor: 5 }, IOType: 'io_stream' });
    expect(firmwareLayer(r5, 'dw', 'DepthwiseConv2D').config).toMatchObject({ reuse_factor: 4, reuse_factor_requested: 5 });
    expect(r5.changes).toContain('dw: ReuseFactor 5 is not valid for 36x4; using 4');
  });

  it('refusals: io_parallel Resource depthwise, depth_multiplier 2 (naming the layer)', () => {
    const e = thrown(() => convertModel(sequential('m', img(), [dwLayer()]), { Model: { Precision: 'fixed<16,6>', Strategy: 'Resource' } }));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.path).toBe('dw.Strategy');
    expect(e.message).toMatch(/Resource strategy for DepthwiseConv is not supported/);
    const dm2 = dwLayer();
    dm2.attrs.depthMultiplier = 2;
    dm2.outputShape = [4, 4, 6];
    dm2.weights = { depthwise_kernel: rnd([3, 3, 3, 2]), bias: rnd([6]) };
    const e2 = thrown(() => convertModel(sequential('m', img(), [dm2])));
    expect(e2).toBeInstanceOf(UnsupportedError);
    expect(e2.path).toMatch(/\(DepthwiseConv2D 'dw'\)\.depth_multiplier$/);
    expect(e2.message).toMatch(/n_filt == n_chan/);
    // the float evaluator still evaluates a depth-multiplier model (Keras channel order c·dm + m)
    const m2 = sequential('m', img(), [dm2]);
    const x = Float64Array.from({ length: 108 }, (_, i) => Math.sin(i));
    const y = evaluateFloat(m2, { data: x, shape: [1, 6, 6, 3] }).values;
    const k = dm2.weights.depthwise_kernel!.data;
    let want = dm2.weights.bias!.data[1 * 2 + 1]!;
    for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) want += x[(kh * 6 + kw) * 3 + 1]! * k[((kh * 3 + kw) * 3 + 1) * 2 + 1]!;
    expect(y[3]).toBeCloseTo(want, 12);
  });

  it('Keras 3 SeparableConv: converted as the Keras 2 path does, with a warning (hls4ml 1.3 fails on it)', () => {
    const m = { ...sequential('m', img(), [sepLayer()]), source: 'keras3' };
    const fw = convertModel(m);
    expect(names(fw)).toEqual(['sep_depthwise:DepthwiseConv2D', 'sep_pointwise:Conv2D', 'sep_relu:Activation']);
    expect(fw.warnings?.[0]).toMatch(/^sep: hls4ml 1\.3's Keras 3 converter fails on a SeparableConv/);
  });

  it('Keras 3 stores the depthwise kernel as `kernel`: matched to depthwise_kernel', () => {
    const w = resolveLayerWeights(
      { where: 'dw', weightSpecs: [{ name: 'depthwise_kernel', shape: [3, 3, 2, 1], aliases: ['kernel'] }, { name: 'bias', shape: [2] }] },
      [
        { name: 'depthwise_conv2d/kernel', shape: [3, 3, 2, 1], data: new Float32Array(18) },
        { name: 'depthwise_conv2d/bias', shape: [2], data: new Float32Array(2) },
      ],
      'w.h5',
    );
    expect(Object.keys(w)).toEqual(['depthwise_kernel', 'bias']);
  });

  it('BatchNormalization fused into a depthwise conv: numpy broadcasts (k…, C, 1) · C scales to (k…, C, C); the kernel reads the first K·C values (reproduced, warned)', () => {
    const C = 3;
    const dw = dwLayer({ C, bias: false });
    const gamma = rnd([C], 1);
    const bn: L = { name: 'bn', className: 'BatchNormalization', outputShape: [4, 4, C], attrs: { epsilon: 0.001 }, weights: { gamma, beta: rnd([C], 0.3), moving_mean: rnd([C], 0.2), moving_variance: { shape: [C], data: new Float32Array(C).fill(0.5) } } };
    const m = sequential('m', img(), [dw, bn]);
    const cfg = configFromModel(m, { granularity: 'name' });
    cfg.LayerName!.dw!.Precision = { result: 'auto', weight: 'fixed<24,4>', bias: 'fixed<24,8>' };
    const fw = convertModel(m, cfg);
    expect(names(fw)).toEqual(['dw:DepthwiseConv2D']);
    expect(fw.warnings?.some((w) => /^dw: hls4ml's BatchNormalization fusion multiplies the depthwise kernel/.test(w))).toBe(true);
    const L0 = firmwareLayer(fw, 'dw', 'DepthwiseConv2D');
    const f32 = Math.fround;
    const scale = Array.from({ length: C }, (_, c) => f32(gamma.data[c]! / f32(Math.sqrt(f32(0.5 + f32(0.001))))));
    const k = dw.weights.depthwise_kernel!.data;
    // C array position p = k·C + c holds element p of the (K, C, C) product: scale[p % C] · w[⌊p / C²⌋, ⌊p / C⌋ % C]
    const want = Array.from({ length: 9 * C }, (_, p) => f32(scale[p % C]! * k[Math.floor(p / C)]!));
    const q = (v: number) => Math.floor(v * 2 ** 20);
    expect(Array.from(L0.weights.weight)).toEqual(want.map(q));
  });

  it('ONNX Conv with group == channels → DepthwiseConv2D (float matches the ONNX evaluator); bias absent → zeros typed by the config; Resource transposes the (1, k…, C) weight (warned)', () => {
    const g = new GraphBuilder(3);
    const y = g.node('Conv', [g.input('x', ['N', 4, 6, 6]), g.init('W', [4, 1, 3, 3])], { group: 4, pads: [1, 1, 1, 1] }, { name: 'dwc' });
    const bytes = g.bytes([y]);
    const imp = importOnnx(bytes);
    expect(imp.model.layers.map((l) => l.className)).toEqual(['InputLayer', 'DepthwiseConv2D']);
    const x = Float64Array.from({ length: 144 }, (_, i) => Math.cos(i * 0.7));
    const ref = runOnnxModel(decodeOnnxModel(bytes), { [imp.inputs[0]!.onnxName]: { shape: [1, 4, 6, 6], data: x } }).get(imp.outputs[0]!.onnxName)!.data;
    // NCHW → NHWC for the model
    const xl = new Float64Array(144);
    for (let c = 0; c < 4; c++) for (let p = 0; p < 36; p++) xl[p * 4 + c] = x[c * 36 + p]!;
    const got = evaluateFloat(imp.model, { data: xl, shape: [1, 6, 6, 4] }).values;
    for (let c = 0; c < 4; c++) for (let p = 0; p < 36; p++) expect(got[p * 4 + c]).toBeCloseTo(ref[c * 36 + p]!, 12);
    const fw = convertModel(imp.model, { Model: { Precision: 'fixed<16,6>' } });
    const L0 = firmwareLayer(fw, fw.layers[0]!.name, 'DepthwiseConv2D');
    expect(fmt(L0.types.bias)).toBe('ap_fixed<16,6>');
    const st = convertModel(imp.model, { Model: { Precision: 'fixed<16,6>', Strategy: 'Resource', ReuseFactor: 4 }, IOType: 'io_stream' });
    const dwS = firmwareLayer(st, st.layers.find((l) => l.cls === 'DepthwiseConv2D')!.name, 'DepthwiseConv2D');
    expect(st.warnings?.some((w) => /Resource weight transpose turns the ONNX depthwise weight/.test(w))).toBe(true);
    // C array = (C, 1, kh, kw) order: w[c·9 + k]
    const lat = Array.from(L0.weights.weight);
    expect(Array.from(dwS.weights.weight)).toEqual(Array.from({ length: 36 }, (_, p) => lat[(p % 9) * 4 + Math.floor(p / 9)]!));
  });

  it('1D: SeparableConv1D / DepthwiseConv1D convert and round-trip through the firmware check', () => {
    const m = sequential('m', img(false, 8), [sepLayer({ twoD: false, H: 8 }), dwLayer({ twoD: false, H: 8, C: 4, padding: 'same' })]);
    for (const io of ['io_parallel', 'io_stream'] as const) {
      const fw = convertModel(m, { Model: { Precision: 'fixed<16,6>' }, IOType: io });
      const back = firmwareGraphFromJson(JSON.parse(JSON.stringify(firmwareGraphToJson(fw))));
      expect(back.layers.map((l) => l.cls)).toEqual(fw.layers.map((l) => l.cls));
      expect(fw.layers.some((l) => l.cls === 'DepthwiseConv1D')).toBe(true);
      const x = Float64Array.from({ length: 24 }, (_, i) => Math.sin(i) * 2);
      expect(Array.from(new Emulator(back).predict({ data: x, shape: [1, 8, 3] }).values)).toEqual(Array.from(new Emulator(fw).predict({ data: x, shape: [1, 8, 3] }).values));
    }
  });

  it("a 1D and a 2D depthwise layer in one model: warned (hls4ml's two latency headers share an include guard), emulated", () => {
    const reshape: L = { name: 'r', className: 'Reshape', outputShape: [6, 6, 3], attrs: { targetShape: [6, 6, 3] }, weights: {} };
    const m = sequential('mix', img(false, 36), [dwLayer({ name: 'd1', twoD: false, H: 36, padding: 'same' }), reshape, dwLayer({ name: 'd2', H: 6 })]);
    const fw = convertModel(m, { Model: { Precision: 'fixed<16,6>' } });
    expect(fw.warnings?.filter((w) => w.includes('NNET_SEPARABLE_CONV2D_LATENCY_H_'))).toHaveLength(1);
    const only2d = convertModel(sequential('two', img(true, 6), [dwLayer({ name: 'd2', H: 6 })]), { Model: { Precision: 'fixed<16,6>' } });
    expect(only2d.warnings?.some((w) => w.includes('include guard')) ?? false).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// LSTM / GRU
// ---------------------------------------------------------------------------------------------

function rnnLayer(cls: 'LSTM' | 'GRU' | 'SimpleRNN', o: { T?: number; nIn?: number; u?: number; seq?: boolean; bias?: boolean; act?: string; ract?: string; resetAfter?: boolean } = {}): L {
  const { T = 5, nIn = 3, u = 4, seq = false, bias = true, act = 'tanh', ract = 'sigmoid', resetAfter = true } = o;
  const m = cls === 'LSTM' ? 4 : cls === 'GRU' ? 3 : 1;
  const b = cls === 'GRU' && resetAfter ? [2, m * u] : [m * u];
  return {
    name: 'rnn',
    className: cls,
    outputShape: seq ? [T, u] : [u],
    attrs: { units: u, activation: act, recurrentActivation: ract, useBias: bias, returnSequences: seq, ...(cls === 'GRU' ? { resetAfter } : {}) },
    weights: { kernel: rnd([nIn, m * u], 0.5), recurrent_kernel: rnd([u, m * u], 0.5), ...(bias ? { bias: rnd(b, 0.2) } : {}) },
  };
}
const seqIn = [5, 3];

describe('LSTM / GRU conversion', () => {
  it('config_from_keras_model entries (Vivado adds accum, ReuseFactor, RecurrentReuseFactor, Static, TableSize, table)', () => {
    const m = sequential('m', seqIn, [rnnLayer('LSTM')]);
    expect(configFromModel(m, { granularity: 'name' }).LayerName!.rnn).toEqual({ Trace: false, Precision: { result: 'auto', weight: 'auto', bias: 'auto', recurrent_weight: 'auto', recurrent_bias: 'auto' } });
    expect(configFromModel(m, { granularity: 'name', backend: 'Vivado' }).LayerName!.rnn).toEqual({
      Trace: false,
      Precision: { result: 'auto', weight: 'auto', bias: 'auto', recurrent_weight: 'auto', recurrent_bias: 'auto', accum: 'auto', table: 'fixed<18,8,TRN,WRAP,0>' },
      ReuseFactor: 1,
      RecurrentReuseFactor: 1,
      Static: true,
      TableSize: 1024,
    });
    // the recurrent layers have no split activation layer
    expect(Object.keys(configFromModel(m, { granularity: 'name' }).LayerName!)).toEqual(['input_1', 'rnn']);
  });

  it("'auto' types: weights and biases get the Model default, so do result and accum; table_t and TableSize come from LayerName attributes (Precision.table is ignored)", () => {
    const m = sequential('m', seqIn, [rnnLayer('GRU', { seq: true })]);
    const cfg = configFromModel(m, { granularity: 'name', backend: 'Vivado', defaultPrecision: 'fixed<18,7>' });
    cfg.LayerName!.rnn!.table_t = 'fixed<14,3>';
    cfg.LayerName!.rnn!.TableSize = 512;
    const L0 = firmwareLayer(convertModel(m, cfg), 'rnn', 'GRU');
    for (const k of ['result', 'accum', 'weight', 'bias', 'recurrent_weight', 'recurrent_bias'] as const) expect(fmt(L0.types[k])).toBe('ap_fixed<18,7>');
    expect(fmt(L0.types.table)).toBe('ap_fixed<14,3>');
    expect(L0.config).toMatchObject({ table_size: 512, n_in: 3, n_state: 4, n_sequence: 5, n_sequence_out: 5, return_sequences: true, activation: 'tanh', recurrent_activation: 'sigmoid', use_static: true });
    expect(L0.shapeOut).toEqual([5, 4]);
  });

  it('weights: Latency = the Keras kernels, Resource = transposed; LSTM recurrent bias zeros, GRU bias rows 0 / 1; reuse factors validated per dense, RecurrentReuseFactor overwritten (warned)', () => {
    const lm = sequential('m', seqIn, [rnnLayer('LSTM')]);
    const q = (v: number) => Math.floor(v * 1024);
    const lat = firmwareLayer(convertModel(lm), 'rnn', 'LSTM');
    const k = lm.layers[1]!.weights;
    expect(Array.from(lat.weights.weight)).toEqual(Array.from(k.kernel!.data, q));
    expect(Array.from(lat.weights.recurrent_bias)).toEqual(new Array(16).fill(0));
    const cfg = { Model: { Precision: 'fixed<16,6>', Strategy: 'Resource', ReuseFactor: 4 }, LayerName: { rnn: { RecurrentReuseFactor: 2 } } };
    const fw = convertModel(lm, cfg);
    const res = firmwareLayer(fw, 'rnn', 'LSTM');
    expect(Array.from(res.weights.weight)).toEqual(transposeDenseWeights(Array.from(k.kernel!.data, q), 3, 16));
    expect(Array.from(res.weights.recurrent_weight)).toEqual(transposeDenseWeights(Array.from(k.recurrent_kernel!.data, q), 4, 16));
    expect(res.config).toMatchObject({ strategy: 'resource', reuse_factor: 3, reuse_factor_requested: 4, recurrent_reuse_factor: 4 });
    expect(fw.changes).toContain('rnn: ReuseFactor 4 is not valid for 3x16; using 3');
    expect(fw.warnings).toContain("rnn: RecurrentReuseFactor 2 is ignored: hls4ml sets the recurrent reuse factor to the layer's ReuseFactor (4)");
    const gm = sequential('m', seqIn, [rnnLayer('GRU')]);
    const g = firmwareLayer(convertModel(gm), 'rnn', 'GRU');
    const gb = Array.from(gm.layers[1]!.weights.bias!.data, q);
    expect(Array.from(g.weights.bias)).toEqual(gb.slice(0, 12));
    expect(Array.from(g.weights.recurrent_bias)).toEqual(gb.slice(12));
  });

  it("LSTM with distinct input / result / accum types: a warning (hls4ml's nnet::lstm_stack needs one type), the cell computed as given", () => {
    const m = sequential('m', seqIn, [rnnLayer('LSTM')]);
    const fw = convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerName: { rnn: { Precision: { accum: 'fixed<24,8>' } } } });
    expect(fw.warnings?.some((w) => /^rnn: hls4ml's nnet::lstm_stack compiles only when the input, result and accum types are one type/.test(w))).toBe(true);
    expect(convertModel(m).warnings).toBeUndefined();
    // GRU has no such constraint
    expect(convertModel(sequential('m', seqIn, [rnnLayer('GRU')]), { Model: { Precision: 'fixed<16,6>' }, LayerName: { rnn: { Precision: { accum: 'fixed<24,8>' } } } }).warnings).toBeUndefined();
  });

  it('refusals with the reason: hard_sigmoid, GRU reset_after=False, SimpleRNN, Keras 2 use_bias=False; Keras 3 use_bias=False → zero biases', () => {
    const e1 = thrown(() => convertModel(sequential('m', seqIn, [rnnLayer('LSTM', { ract: 'hard_sigmoid' })])));
    expect(e1).toBeInstanceOf(UnsupportedError);
    expect(e1.path).toMatch(/\(LSTM 'rnn'\)\.recurrent_activation$/);
    expect(e1.message).toMatch(/'hard_sigmoid' has no nnet::activation class.*does not compile/);
    const e2 = thrown(() => convertModel(sequential('m', seqIn, [rnnLayer('GRU', { resetAfter: false })])));
    expect(e2.path).toMatch(/\.reset_after$/);
    expect(e2.message).toMatch(/reset-after cell only/);
    const e3 = thrown(() => convertModel(sequential('m', seqIn, [rnnLayer('SimpleRNN')])));
    expect(e3).toBeInstanceOf(UnsupportedError);
    expect(e3.message).toMatch(/no Vivado SimpleRNN template/);
    const e4 = thrown(() => convertModel(sequential('m', seqIn, [rnnLayer('LSTM', { bias: false })])));
    expect(e4.path).toMatch(/\.use_bias$/);
    const k3 = firmwareLayer(convertModel({ ...sequential('m', seqIn, [rnnLayer('GRU', { bias: false })]), source: 'keras3' }), 'rnn', 'GRU');
    expect(Array.from(k3.weights.bias).every((v) => v === 0) && Array.from(k3.weights.recurrent_bias).every((v) => v === 0)).toBe(true);
    expect(fmt(k3.types.bias)).toBe('ap_fixed<16,6>');
  });

  it('go_backwards / stateful are ignored by hls4ml: converted forward, with warnings', () => {
    const l = rnnLayer('LSTM');
    l.attrs.goBackwards = true;
    l.attrs.stateful = true;
    const fw = convertModel(sequential('m', seqIn, [l]));
    // (the random weights may also draw a quantized-to-zero warning: not the subject here)
    expect(fw.warnings?.filter((w) => !w.includes('quantize to 0'))).toEqual([
      'rnn: go_backwards=True is ignored by hls4ml\'s parsers; the firmware runs the sequence forwards, unlike Keras (reproduced)',
      'rnn: stateful=True is ignored by hls4ml; every inference starts from a zero state',
    ]);
  });

  it('a reuse-factor combination the recurrent dense class cannot run is a ConfigError naming the layer', () => {
    // LSTM n_in 7, n 2, ReuseFactor 4: the input dense (7x8) snaps it to 1, the recurrent one (2x8) keeps 4;
    // hls4ml picks the recurrent class from the layer RF 1 (rf_leq_nin), which asserts RF ≤ n_state
    const m = sequential('m', [3, 7], [rnnLayer('LSTM', { T: 3, nIn: 7, u: 2 })]);
    const e = thrown(() => convertModel(m, { Model: { Precision: 'fixed<16,6>', Strategy: 'Resource', ReuseFactor: 4 } }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.path).toBe('rnn.ReuseFactor');
  });
});

// ---------------------------------------------------------------------------------------------
// LayerNormalization
// ---------------------------------------------------------------------------------------------

function lnLayer(o: { axes?: number[]; eps?: number; rms?: boolean } = {}): L {
  return {
    name: 'ln',
    className: 'LayerNormalization',
    outputShape: [4, 6],
    attrs: { axes: o.axes ?? [2], epsilon: o.eps ?? 1e-3, center: true, scale: true, rmsScaling: o.rms ?? false },
    weights: { gamma: rnd([6], 1), beta: rnd([6], 0.5) },
  };
}

describe('LayerNormalization conversion', () => {
  it('config_from_keras_model: result/scale/bias auto; the backend writes accum <14,4,RND_CONV,SAT> and the table attributes', () => {
    const m = sequential('m', [4, 6], [lnLayer()]);
    expect(configFromModel(m, { granularity: 'name' }).LayerName!.ln).toEqual({ Trace: false, Precision: { result: 'auto', scale: 'auto', bias: 'auto' } });
    expect(configFromModel(m, { granularity: 'name', backend: 'Vivado' }).LayerName!.ln).toEqual({
      Trace: false,
      Precision: { result: 'auto', scale: 'auto', bias: 'auto', accum: 'fixed<14,4,RND_CONV,SAT,0>', table: 'ufixed<8,5,RND_CONV,SAT,0>' },
      ReuseFactor: 1,
      TableRangePower2: 0,
      TableSize: 4096,
    });
  });

  it("accum: the Model default unless configured (hls4ml's _set_accum_t); result by the bn rule; table_t only from the attribute", () => {
    const m = sequential('m', [4, 6], [lnLayer()]);
    const plain = firmwareLayer(convertModel(m, configFromModel(m, { granularity: 'name' })), 'ln', 'LayerNormalization');
    expect(fmt(plain.types.accum)).toBe('ap_fixed<16,6>');
    expect(fmt(plain.types.table)).toBe('ap_ufixed<8,5,AP_RND_CONV,AP_SAT>');
    // input <16,6> x scale <16,6>: W 32, I 12; + bias <16,6>: I 13, W 33
    expect(fmt(plain.types.result)).toBe('ap_fixed<33,13>');
    expect(plain.config).toMatchObject({ n_in: 24, seq_len: 4, dim: 6, axis: 2, epsilon_power_of_10: 3, table_size: 4096, table_range_power2: 0 });
    const viv = configFromModel(m, { granularity: 'name', backend: 'Vivado' });
    viv.LayerName!.ln!.table_t = 'ufixed<10,6,RND_CONV,SAT>';
    const L0 = firmwareLayer(convertModel(m, viv), 'ln', 'LayerNormalization');
    expect(fmt(L0.types.accum)).toBe('ap_fixed<14,4,AP_RND_CONV,AP_SAT>');
    expect(fmt(L0.types.table)).toBe('ap_ufixed<10,6,AP_RND_CONV,AP_SAT>');
    // the 1/sqrt table starts at 10^-3: 1/sqrt(0.001) = 31.62 → 31.625 at 4 fraction bits
    expect(Number(layernormTable({ ...L0.config, types: { table: L0.types.table } })[0])).toBe(506);
  });

  it('epsilon becomes 10^-round(-log10 eps) (warned when it is not a power of ten); hls4ml refusals: axis [-1] (the Keras 3 default), rank ≠ 2, epsilon ≥ ~0.3, io_stream', () => {
    const fw = convertModel(sequential('m', [4, 6], [lnLayer({ eps: 2e-5 })]));
    expect(firmwareLayer(fw, 'ln', 'LayerNormalization').config.epsilon_power_of_10).toBe(5);
    expect(fw.warnings).toEqual(['ln: hls4ml replaces epsilon 0.00002 by 10^-5 (its 1/sqrt table starts there)']);
    const ax = thrown(() => convertModel(sequential('m', [4, 6], [lnLayer({ axes: [-1] })])));
    expect(ax).toBeInstanceOf(UnsupportedError);
    expect(ax.message).toMatch(/only axis 2 is supported/);
    const r3: L = { ...lnLayer(), outputShape: [2, 4, 6], weights: { gamma: rnd([6]), beta: rnd([6]) } };
    expect(thrown(() => convertModel(sequential('m', [2, 4, 6], [r3]))).message).toMatch(/only three-dimensional input/);
    expect(thrown(() => convertModel(sequential('m', [4, 6], [lnLayer({ eps: 0.5 })]))).message).toMatch(/epsilon must be less than 1e-1/);
    const st = thrown(() => convertModel(sequential('m', [4, 6], [lnLayer()]), { Model: { Precision: 'fixed<16,6>' }, IOType: 'io_stream' }));
    expect(st.path).toBe('ln.IOType');
    const rms = convertModel(sequential('m', [4, 6], [lnLayer({ rms: true })]));
    expect(rms.warnings).toEqual(['ln: rms_scaling=True is ignored by hls4ml; the firmware subtracts the mean like a plain LayerNormalization (reproduced)']);
  });
});

// ---------------------------------------------------------------------------------------------
// EinsumDense
// ---------------------------------------------------------------------------------------------

function einsumModel(equation: string, inShape: number[], partial: (number | null)[], kernelShape: number[], outShape: number[], biasAxes: string | null, biasShape?: number[], activation = 'linear'): ModelGraph {
  const l: L = {
    name: 'ed',
    className: 'EinsumDense',
    outputShape: outShape,
    attrs: { equation, partialOutput: partial, biasAxes, activation },
    weights: { kernel: rnd(kernelShape, 0.5), ...(biasShape ? { bias: rnd(biasShape, 0.3) } : {}) },
  };
  return { ...sequential('m', inShape, [l]), source: 'keras3' };
}

describe('EinsumDense conversion', () => {
  it('the C arrays are init_einsum_dense\'s: kernel (I, C, L1), bias broadcast to the output in (I, L0, L1) order; the recipe is parse_einsum\'s', () => {
    const m = einsumModel('abc,cd->abd', [4, 6], [null, 5], [6, 5], [4, 5], 'd', [5]);
    const cfg = configFromModel(m, { granularity: 'name' });
    expect(cfg.LayerName!.ed).toEqual({ Trace: false, Precision: { result: 'auto', weight: 'auto', bias: 'auto', accum: 'auto' } });
    const fw = convertModel(m, cfg);
    const L0 = firmwareLayer(fw, 'ed', 'EinsumDense');
    const r = einsumRecipe('bc,cd->bd', [4, 6], [6, 5]);
    expect(L0.config).toMatchObject({ equation: 'bc,cd->bd', n_free_data: 4, n_free_kernel: 5, n_contract: 6, n_inplace: 1, inp_tpose_idxs: r.inp_tpose_idxs, out_tpose_idxs: r.out_tpose_idxs });
    const q = (v: number) => Math.floor(v * 1024);
    const k = m.layers[1]!.weights;
    expect(Array.from(L0.weights.weight)).toEqual(einsumWeightsFromKeras(Array.from(k.kernel!.data, q), [6, 5], r));
    expect(Array.from(L0.weights.bias)).toEqual(einsumBiasFromKeras(Array.from(k.bias!.data, q), [5], r, 0));
    for (const v of ['result', 'weight', 'bias', 'accum'] as const) expect(fmt(L0.types[v])).toBe('ap_fixed<16,6>');
  });

  it("'...' is resolved into unused letters (hls4ml's _validate_einsum_expr); no bias → zeros typed by the config; the activation is split (Keras 3: non-linear only)", () => {
    const m = einsumModel('...b,bc->...c', [3, 4], [7], [4, 7], [3, 7], null, undefined, 'relu');
    const fw = convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerName: { ed: { Precision: { bias: 'fixed<8,3>' } } } });
    expect(names(fw)).toEqual(['ed:EinsumDense', 'ed_relu:Activation']);
    const L0 = firmwareLayer(fw, 'ed', 'EinsumDense');
    expect(L0.config.equation).toBe('Ab,bc->Ac');
    expect(Array.from(L0.weights.bias)).toEqual(new Array(21).fill(0));
    expect(fmt(L0.types.bias)).toBe('ap_fixed<8,3>');
  });

  it('refusals: Resource (template assertion), io_stream, the Keras 2 converter, a direct sum; resource_unrolled falls back to Latency with a warning', () => {
    const m = einsumModel('abc,cd->abd', [4, 6], [null, 5], [6, 5], [4, 5], 'd', [5]);
    const res = thrown(() => convertModel(m, { Model: { Precision: 'fixed<16,6>', Strategy: 'Resource' } }));
    expect(res).toBeInstanceOf(UnsupportedError);
    expect(res.message).toMatch(/EinsumDense layer only supports Latency strategy for now/);
    expect(thrown(() => convertModel(m, { Model: { Precision: 'fixed<16,6>' }, IOType: 'io_stream' })).message).toMatch(/only supports io_parallel/);
    expect(thrown(() => convertModel({ ...m, source: 'keras2' })).message).toMatch(/Keras 3 converter only/);
    const unrolled = convertModel(m, { Model: { Precision: 'fixed<16,6>', Strategy: 'Resource_Unrolled' } });
    expect(unrolled.warnings?.[0]).toMatch(/Latency strategy for an EinsumDense/);
    const ds = einsumModel('abc,cd->ad', [4, 6], [5], [6, 5], [5], null);
    expect(thrown(() => convertModel(ds)).message).toMatch(/direct sum/);
  });

  it('float evaluator = the exact einsum + bias; the emulator at wide types agrees within the LSB bound', () => {
    const m = einsumModel('abcd,ced->abe', [2, 3, 4], [2, 5], [3, 5, 4], [2, 5], 'be', [2, 5]);
    const x = Float64Array.from({ length: 24 * 2 }, (_, i) => Math.sin(i * 0.9));
    const f = evaluateFloat(m, { data: x, shape: [2, 2, 3, 4] }).values;
    const k = m.layers[1]!.weights.kernel!.data;
    const b = m.layers[1]!.weights.bias!.data;
    for (let s = 0; s < 2; s++) {
      for (let bb = 0; bb < 2; bb++) {
        for (let e = 0; e < 5; e++) {
          let v = b[bb * 5 + e]!;
          for (let c = 0; c < 3; c++) for (let d = 0; d < 4; d++) v += x[s * 24 + (bb * 3 + c) * 4 + d]! * k[(c * 5 + e) * 4 + d]!;
          expect(f[s * 10 + bb * 5 + e]).toBeCloseTo(v, 12);
        }
      }
    }
    const fw = convertModel(m, { Model: { Precision: 'fixed<40,12>' } });
    const y = new Emulator(fw).predict({ data: x, shape: [2, 2, 3, 4] }).values;
    // inputs, weights and bias each within 2^-28 (floor), 12 products and the result cast: < 40·2^-28
    for (let i = 0; i < f.length; i++) expect(Math.abs(y[i]! - f[i]!)).toBeLessThan(40 * 2 ** -28);
  });
});

describe('types parse as written', () => {
  it('sanity of the fixture types', () => {
    expect(fmt(parseFixedType('fixed<14,4,RND_CONV,SAT>'))).toBe('ap_fixed<14,4,AP_RND_CONV,AP_SAT>');
  });
});

describe('strategies hls4ml maps differently per kind', () => {
  it('a depthwise conv runs Latency for Resource_Unrolled (init_depconv), warned; LSTM Resource_Unrolled: RF 1 → Resource, else refused', () => {
    const fw = convertModel(sequential('m', img(true, 6, 4), [dwLayer({ C: 4 })]), { Model: { Precision: 'fixed<16,6>', Strategy: 'Resource_Unrolled', ReuseFactor: 4 }, IOType: 'io_stream' });
    expect(firmwareLayer(fw, 'dw', 'DepthwiseConv2D').config.strategy).toBe('latency');
    expect(fw.warnings?.[0]).toMatch(/as Latency/);
    const m = sequential('m', seqIn, [rnnLayer('LSTM')]);
    const r1 = convertModel(m, { Model: { Precision: 'fixed<16,6>', Strategy: 'Resource_Unrolled', ReuseFactor: 1 } });
    expect(firmwareLayer(r1, 'rnn', 'LSTM').config.strategy).toBe('resource');
    expect(r1.changes.some((c) => /Unrolled resource strategy cannot be combined with reuse factor 1/.test(c))).toBe(true);
    expect(thrown(() => convertModel(m, { Model: { Precision: 'fixed<16,6>', Strategy: 'Resource_Unrolled', ReuseFactor: 2 } })).path).toBe('rnn.Strategy');
  });
});

describe('Keras configs of the new kinds (Keras 2 / Keras 3 spellings)', () => {
  const map = (cls: string, cfg: Record<string, unknown>, ins: number[][]) => mapKerasLayer(new LayerConfigReader(1, cls, 'x', cfg), ins);
  it('DepthwiseConv2D (Keras 3 function-object activation), SeparableConv1D, depth multiplier shapes', () => {
    const d = map('DepthwiseConv2D', { kernel_size: [3, 3], strides: [2, 2], padding: 'same', depth_multiplier: 2, data_format: 'channels_last', dilation_rate: [1, 1], activation: { module: 'keras.activations', class_name: 'function', config: 'relu' }, use_bias: true }, [[7, 7, 3]]);
    expect(d.outputShape).toEqual([4, 4, 6]);
    expect(d.attrs).toMatchObject({ activation: 'relu', depthMultiplier: 2 });
    expect(d.weightSpecs).toEqual([
      { name: 'depthwise_kernel', shape: [3, 3, 3, 2], aliases: ['kernel'] },
      { name: 'bias', shape: [6] },
    ]);
    const s = map('SeparableConv1D', { filters: 5, kernel_size: [3], strides: [1], padding: 'valid', depth_multiplier: 1, use_bias: false }, [[10, 4]]);
    expect(s.outputShape).toEqual([8, 5]);
    expect(s.weightSpecs.map((w) => [w.name, w.shape])).toEqual([
      ['depthwise_kernel', [3, 4, 1]],
      ['pointwise_kernel', [1, 4, 5]],
    ]);
    expect(() => map('DepthwiseConv2D', { kernel_size: 3, dilation_rate: 2 }, [[7, 7, 3]])).toThrow(UnsupportedError);
  });

  it('LSTM / GRU defaults (tanh, sigmoid, GRU reset_after true) and shapes', () => {
    const l = map('LSTM', { units: 8, return_sequences: true }, [[5, 3]]);
    expect(l.outputShape).toEqual([5, 8]);
    expect(l.attrs).toMatchObject({ activation: 'tanh', recurrentActivation: 'sigmoid', returnSequences: true });
    expect(map('GRU', { units: 4 }, [[5, 3]]).weightSpecs.map((w) => w.shape)).toEqual([
      [3, 12],
      [4, 12],
      [2, 12],
    ]);
    expect(map('GRU', { units: 4, reset_after: false }, [[5, 3]]).weightSpecs[2]!.shape).toEqual([12]);
    expect(() => map('LSTM', { units: 8 }, [[5, 3, 2]])).toThrow(/rank 2/);
  });

  it("EinsumDense: Keras' shape analysis (plain, left '...', right '...'), bias shapes; LoRA refused", () => {
    const e = map('EinsumDense', { equation: 'abc,cd->abd', output_shape: [null, 64], bias_axes: 'd', activation: 'relu' }, [[10, 32]]);
    expect(e.outputShape).toEqual([10, 64]);
    expect(e.weightSpecs).toEqual([
      { name: 'kernel', shape: [32, 64] },
      { name: 'bias', shape: [64] },
    ]);
    expect(map('EinsumDense', { equation: '...b,bc->...c', output_shape: 7, bias_axes: null }, [[3, 4]]).outputShape).toEqual([3, 7]);
    const r = map('EinsumDense', { equation: 'ab...,bc->ac...', output_shape: [6], bias_axes: 'c' }, [[4, 5]]);
    expect(r.outputShape).toEqual([6, 5]);
    expect(r.weightSpecs.map((w) => w.shape)).toEqual([[4, 6], [6, 1]]);
    expect(() => map('EinsumDense', { equation: 'ab,bc->ac', output_shape: 3, lora_rank: 4 }, [[5]])).toThrow(/LoRA/);
  });

  it('LayerNormalization: axis as Keras stores it (list or int); Keras 3 rms_scaling read', () => {
    expect(map('LayerNormalization', { axis: [2], epsilon: 0.001, center: true, scale: true }, [[4, 6]]).attrs.axes).toEqual([2]);
    expect(map('LayerNormalization', { axis: -1, epsilon: 1e-5, rms_scaling: true }, [[4, 6]]).attrs).toMatchObject({ axes: [-1], rmsScaling: true });
  });
});
