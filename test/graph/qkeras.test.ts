/**
 * QKeras models converted as hls4ml 1.3 converts them: quantizer types and data, the products their
 * precision classes select, config_from_keras_model's QKeras entries, the QKeras passes
 * (qkeras_factorize_alpha, extract_ternary_threshold, fuse_consecutive_batch_normalization, BN
 * fusion with quantizers, merge_batch_norm_quantized_tanh, xnor_pooling,
 * output_rounding_saturation_mode), the warnings for hls4ml behaviour that departs from QKeras, and
 * the rejections. Models are built here (test/import/qkeras-builder.ts).
 */
import { fwLayer, thrown } from './helpers.js';
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/errors.js';
import { formatFixedType, parseFixedType, type FixedType } from '../../src/fixed/index.js';
import { configFromModel, type Hls4mlConfig } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { weightsToRaw } from '../../src/graph/weights.js';
import { Emulator } from '../../src/emulate/predict.js';
import { evaluateFloat } from '../../src/emulate/float.js';
import { hls4mlWeightQuantizer, parseQKerasQuantizer, quantizeWeights } from '../../src/import/qkeras/quantizers.js';
import { bn, plain, q, qact, qbits, qconv2d, qdense, qkerasGraph, qrelu, rng } from '../import/qkeras-builder.js';
import type { FirmwareGraph } from '../../src/graph/firmware.js';

const t = (s: string) => formatFixedType(parseFixedType(s));
const layer = fwLayer;
const names = (fw: FirmwareGraph) => fw.layers.map((l) => `${l.name}:${l.cls}`);
const nameCfg = (m: Parameters<typeof configFromModel>[0]) => configFromModel(m, { granularity: 'name' });

describe('QDense / QConv: quantizer types and data', () => {
  const r = rng(1);
  const m = qkerasGraph('m', [8], [qdense('fc1', 8, 4, qbits(6, 0), qbits(6, 2), r), qact('relu1', qrelu(4, 2)), qdense('fc2', 4, 3, qbits(4, 1), qbits(8, 3), r)]);

  it('the quantizer type replaces the configured precision; the data is QKeras\' values, printed and read back', () => {
    const cfg = nameCfg(m);
    (cfg.LayerName!.fc1!.Precision as Record<string, string>).weight = 'fixed<16,6>';
    const fw = convertModel(m, cfg);
    const fc1 = layer(fw, 'fc1');
    expect(formatFixedType(fc1.types.weight!)).toBe(t('fixed<6,1>'));
    expect(formatFixedType(fc1.types.bias!)).toBe(t('fixed<6,3>'));
    const info = hls4mlWeightQuantizer(parseQKerasQuantizer(qbits(6, 0), { layer: 'fc1', field: 'kernel_quantizer' }), 'kernel', { layer: 'fc1', field: 'kernel_quantizer' });
    const k = m.layers[1]!.weights.kernel!;
    const want = weightsToRaw(quantizeWeights(info, k.data, k.shape).values, parseFixedType('fixed<6,1>')).raw;
    expect(Array.from(fc1.weights.weight!)).toEqual(Array.from(want));
    expect(fc1.config.product).toBe('mult');
    // 'auto' result inferred from the quantizer types: W = 6+16+3, I = 1+6+3, then the bias: I 11, W 11+15
    expect(formatFixedType(fc1.types.result!)).toBe(t('fixed<26,11>'));
  });

  it("config_from_keras_model writes the quantizer types ('name' and 'type' granularity)", () => {
    const cfg = nameCfg(m);
    expect(cfg.LayerName!.fc1!.Precision).toEqual({ result: 'auto', weight: 'fixed<6,1,TRN,WRAP,0>', bias: 'fixed<6,3,TRN,WRAP,0>' });
    expect(cfg.LayerName!.fc1_linear!.Precision).toEqual({ result: 'auto' });
    expect(cfg.LayerName!.relu1!.Precision).toEqual({ result: 'ufixed<4,2,RND_CONV,SAT,0>' });
    const ty = configFromModel(m, { granularity: 'type' });
    expect(Object.keys(ty.LayerType!)).toEqual(['InputLayer', 'QDense', 'Activation', 'QActivation']);
    expect(ty.LayerType!.QDense!.Precision).toEqual({ result: 'auto', weight: 'fixed<6,1,TRN,WRAP,0>', bias: 'fixed<6,3,TRN,WRAP,0>' });
    // hls4ml looks types up by its own class (Dense), so the QDense entry never applies: the relu
    // result comes from the model default at 'type' granularity.
    const fw = convertModel(m, ty);
    expect(formatFixedType(layer(fw, 'relu1').types.result!)).toBe(t('fixed<16,6>'));
  });

  it("at 'model' granularity every QActivation result is the default, with a warning naming the layer", () => {
    const fw = convertModel(m);
    expect(formatFixedType(layer(fw, 'relu1').types.result!)).toBe(t('fixed<16,6>'));
    expect(fw.warnings!.some((w) => w.startsWith("relu1: the QKeras activation quantizer's type ufixed<4,2,RND_CONV,SAT,0>"))).toBe(true);
  });

  it('QConv2D with a QKeras activation dict splits into a QActivation <layer>_<class>', () => {
    const c = qkerasGraph('c', [6, 6, 2], [qconv2d('conv', 2, 3, 3, qbits(6, 0), qbits(6, 0), r, { activation: qrelu(5, 1) }), plain('Flatten', 'flat'), qdense('out', 48, 2, qbits(6, 0), qbits(6, 0), r)]);
    const cfg = nameCfg(c);
    expect(cfg.LayerName!.conv_quantized_relu!.Precision).toEqual({ result: 'ufixed<5,1,RND_CONV,SAT,0>' });
    const fw = convertModel(c, cfg);
    expect(names(fw)).toEqual(['conv:Conv2D', 'conv_quantized_relu:Activation', 'flat:Reshape', 'out:Dense']);
    expect(formatFixedType(layer(fw, 'conv_quantized_relu').types.result!)).toBe(t('ufixed<5,1,RND_CONV,SAT>'));
    // the float model applies QKeras' quantized_relu after the convolution
    const x = Float64Array.from({ length: 72 }, (_, i) => Math.sin(i));
    const f = evaluateFloat(c, { data: x, shape: [1, 6, 6, 2] }, { layerOutputs: true });
    const act = f.layers!.conv_quantized_relu!.values;
    expect(act.every((v) => v >= 0 && v <= 2 - 1 / 16 && Number.isInteger(v * 16))).toBe(true);
  });
});

describe('products of the precision classes', () => {
  const r = rng(2);
  it('binary kernels: Xnor weights (0 = −1), weight_binary, no inference (result and accum = default)', () => {
    const m = qkerasGraph('b', [6], [qdense('fc', 6, 3, q('binary', { alpha: null }), qbits(8, 3), r)]);
    const fw = convertModel(m, nameCfg(m));
    const fc = layer(fw, 'fc');
    expect(fc.config.product).toBe('weight_binary');
    expect(formatFixedType(fc.types.weight!)).toBe(t('ap_uint<1>'));
    expect(Array.from(fc.weights.weight!).every((v) => v === 0 || v === 1)).toBe(true);
    const k = m.layers[1]!.weights.kernel!.data;
    expect(Array.from(fc.weights.weight!)).toEqual(Array.from(k, (v) => (v >= 0 ? 1 : 0)));
    expect(formatFixedType(fc.types.result!)).toBe(t('fixed<16,6>'));
    // y = Σ ±x + b
    const x = [1, -2, 0.5, 3, -1, 2];
    const y = new Emulator(fw).predict({ data: Float64Array.from(x), shape: [1, 6] }).values;
    const b = m.layers[1]!.weights.bias!.data;
    const bq = weightsToRaw(quantizeWeights(hls4mlWeightQuantizer(parseQKerasQuantizer(qbits(8, 3), { layer: 'fc', field: 'b' }), 'bias', { layer: 'fc', field: 'b' }), b, [3]).values, parseFixedType('fixed<8,4>')).raw;
    for (let j = 0; j < 3; j++) {
      let s = bq[j]! / 16;
      for (let i = 0; i < 6; i++) s += (k[i * 3 + j]! >= 0 ? 1 : -1) * x[i]!;
      expect(y[j]).toBeCloseTo(s, 9);
    }
  });

  it('ternary kernels: int<2> weights, weight_ternary; quantized_bits(2,2) is int<2> too (warned: half the range, wraps)', () => {
    const m = qkerasGraph('t', [4], [qdense('fc', 4, 2, q('ternary', { alpha: null, threshold: 0.2 }), null, r, { useBias: false })]);
    const fw = convertModel(m, nameCfg(m));
    expect(layer(fw, 'fc').config.product).toBe('weight_ternary');
    expect(Array.from(layer(fw, 'fc').weights.weight!).every((v) => v === 0 || v === 1 || v === -1)).toBe(true);
    const m2 = qkerasGraph('t2', [4], [qdense('fc', 4, 2, qbits(2, 2), null, r, { useBias: false, amp: 3 })]);
    const fw2 = convertModel(m2, nameCfg(m2));
    expect(layer(fw2, 'fc').config.product).toBe('weight_ternary');
    expect(fw2.warnings!.some((w) => w.startsWith('fc.kernel_quantizer: bits == integer gives int<2>'))).toBe(true);
  });

  it('power-of-two kernels: exponent weights, weight_exponential, sign bits', () => {
    const m = qkerasGraph('p', [4], [qdense('fc', 4, 3, q('quantized_po2', { bits: 4, max_value: 1 }), qbits(6, 2), r)]);
    const fw = convertModel(m, nameCfg(m));
    const fc = layer(fw, 'fc');
    expect(fc.config.product).toBe('weight_exponential');
    expect(formatFixedType(fc.types.weight!)).toBe(t('ap_int<4>'));
    const k = m.layers[1]!.weights.kernel!.data;
    expect(Array.from(fc.weights.weight_sign!)).toEqual(Array.from(k, (v) => (v < 0 ? 0 : 1)));
    expect(Array.from(fc.weights.weight!).every((e) => e >= -8 && e <= 0)).toBe(true);
    expect(formatFixedType(fc.types.result!)).toBe(t('fixed<16,6>'));
    expect(configFromModel(m, { granularity: 'name' }).LayerName!.fc!.Precision).toMatchObject({ weight: 'int<4>' });
  });
});

describe('qkeras_factorize_alpha', () => {
  const r = rng(3);
  it("alpha='auto_po2': grid weights, zero bias, an ApplyAlpha <layer>_alpha with exponent scales (weight_exponential) and the bias", () => {
    const m = qkerasGraph('a', [6], [qdense('fc', 6, 4, qbits(4, 1, { symmetric: true, alpha: 'auto_po2' }), qbits(8, 3), r)]);
    const fw = convertModel(m, nameCfg(m));
    expect(names(fw)).toEqual(['fc:Dense', 'fc_alpha:ApplyAlpha']);
    const fc = layer(fw, 'fc');
    expect(Array.from(fc.weights.bias!).every((v) => v === 0)).toBe(true);
    const al = layer(fw, 'fc_alpha');
    expect(al.config.product).toBe('weight_exponential');
    expect(al.types.scale!.W).toBeGreaterThanOrEqual(2);
    // the ApplyAlpha's result: no inference through an exponent type → the Model default
    expect(formatFixedType(al.types.result!)).toBe(t('fixed<16,6>'));
    expect(fw.changes.some((c) => c.startsWith('fc_alpha (ApplyAlpha) inserted after fc'))).toBe(true);
  });

  it('a numeric alpha: a fixed-point scale (mult product) in the inferred BatchNormalization types', () => {
    const m = qkerasGraph('a', [6], [qdense('fc', 6, 4, qbits(6, 0, { alpha: 0.5 }), qbits(8, 3), r)]);
    const fw = convertModel(m, nameCfg(m));
    const al = layer(fw, 'fc_alpha');
    expect(al.config.product).toBe('mult');
    // scale 'auto' → Model default; result by the BN rule
    expect(formatFixedType(al.types.scale!)).toBe(t('fixed<16,6>'));
    expect(Array.from(al.weights.scale!)).toEqual([512, 512, 512, 512]);
    // numbers: the firmware equals x·Wq·0.5 + b on a grid input
    const x = Float64Array.from([0.5, -1, 0.25, 1, 2, -0.5]);
    const y = new Emulator(fw).predict({ data: x, shape: [1, 6] }).values;
    const f = evaluateFloat(m, { data: x, shape: [1, 6] }).values;
    for (let j = 0; j < 4; j++) expect(y[j]).toBeCloseTo(f[j]!, 3);
  });

  it('an alpha on the bias only, without a kernel quantizer: hls4ml fails, hlsemu says so', () => {
    const m = qkerasGraph('a', [6], [qdense('fc', 6, 4, null, qbits(8, 3, { alpha: 0.5 }), r)]);
    const e = thrown(() => convertModel(m, nameCfg(m)));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.path).toBe('fc.weight_quantizer');
  });
});

describe('BatchNormalization with quantized neighbours', () => {
  const r = rng(4);
  it('fuse_consecutive_batch_normalization: ApplyAlpha + BatchNormalization → one BN, the exponent type and bias quantizer dropped (warned)', () => {
    const m = qkerasGraph('c', [6], [qdense('fc', 6, 4, qbits(4, 1, { symmetric: true, alpha: 'auto_po2' }), qbits(8, 3), r), bn('bn', 4, r)]);
    const fw = convertModel(m, nameCfg(m));
    expect(names(fw)).toEqual(['fc:Dense', 'bn:BatchNormalization']);
    expect(layer(fw, 'bn').config.product).toBe('mult');
    expect(fw.changes).toContain('fc_alpha (ApplyAlpha) merged into bn: fuse_consecutive_batch_normalization');
    expect(fw.warnings!.some((w) => w.startsWith('fc_alpha + bn: hls4ml\'s fuse_consecutive_batch_normalization merges the two and drops the bias quantizer'))).toBe(true);
  });

  it('a BatchNormalization after a QDense is not fused (quantized weights); after a plain Dense it is', () => {
    const q1 = qkerasGraph('q', [6], [qdense('fc', 6, 4, qbits(6, 0), qbits(6, 0), r), bn('bn', 4, r)]);
    expect(names(convertModel(q1, nameCfg(q1)))).toEqual(['fc:Dense', 'bn:BatchNormalization']);
    const q2 = qkerasGraph('q', [6], [qdense('fc', 6, 4, null, null, r), bn('bn', 4, r)]);
    expect(names(convertModel(q2, nameCfg(q2)))).toEqual(['fc:Dense']);
  });

  it('binary kernels are never fused into (Xnor weights)', () => {
    const m = qkerasGraph('x', [6], [qdense('fc', 6, 4, q('binary', { alpha: null }), null, r, { useBias: false }), bn('bn', 4, r)]);
    expect(names(convertModel(m, nameCfg(m)))).toEqual(['fc:Dense', 'bn:BatchNormalization']);
  });

  it('QBatchNormalization is a plain BatchNormalization; its quantizers are written by config_from_keras_model and warned about', () => {
    const m = qkerasGraph('qb', [4], [bn('qbn', 4, r, 'QBatchNormalization', { gamma_quantizer: q('quantized_relu_po2', { bits: 6, max_value: 2048 }), beta_quantizer: q('quantized_po2', { bits: 5 }), mean_quantizer: q('quantized_po2', { bits: 5 }), variance_quantizer: q('quantized_relu_po2', { bits: 6, quadratic_approximation: true }) })]);
    const cfg = nameCfg(m);
    expect(cfg.LayerName!.qbn!.Precision).toMatchObject({ gamma: 'fixed<16,6,TRN,WRAP,0>', mean: 'fixed<16,6,TRN,WRAP,0>' });
    const fw = convertModel(m, cfg);
    expect(names(fw)).toEqual(['qbn:BatchNormalization']);
    expect(fw.warnings!.some((w) => w.startsWith("qbn: hls4ml ignores QBatchNormalization's quantizers"))).toBe(true);
  });
});

describe('QActivation', () => {
  const r = rng(5);
  it('a quantized_bits QActivation after a QDense with an auto result is removed (warned); after the input it stays a cast', () => {
    const m = qkerasGraph('l', [4], [qact('q_in', qbits(8, 2)), qdense('fc', 4, 3, qbits(6, 0), qbits(6, 0), r), qact('q_out', qbits(6, 2))]);
    const fw = convertModel(m, nameCfg(m));
    expect(names(fw)).toEqual(['q_in:Activation', 'fc:Dense']);
    expect(fw.warnings!.some((w) => w.startsWith('q_out: hls4ml removes this quantized_bits QActivation'))).toBe(true);
  });

  it('quantized_tanh / quantized_sigmoid → HardActivation (slope = shift = 0.5 in ufixed<2,0>)', () => {
    const m = qkerasGraph('h', [4], [qact('ht', q('quantized_tanh', { bits: 6, symmetric: 1 })), qact('hs', q('quantized_sigmoid', { bits: 5 }))]);
    const cfg = nameCfg(m);
    expect(cfg.LayerName!.ht!.Precision).toEqual({ result: 'fixed<6,1,RND_CONV,SAT_SYM,0>', slope: 'auto', shift: 'auto' });
    const fw = convertModel(m, cfg);
    expect(names(fw)).toEqual(['ht:Activation', 'hs:Activation']);
    expect(formatFixedType(layer(fw, 'ht').types.slope!)).toBe(t('ufixed<2,0>'));
    const y = new Emulator(fw).predict({ data: Float64Array.from([-3, 0, 0.5, 3]), shape: [1, 4] }).values;
    // hard_tanh(x) = 2·clip(x/2 + 1/2, 0, 1) − 1 in fixed<6,1>, then hard_sigmoid into ufixed<5,0>
    const ht = [-1, 0, 0.5, 1 - 1 / 32];
    expect(Array.from(y)).toEqual(ht.map((v) => Math.min(Math.max(0, v / 2 + 0.5), 1 - 1 / 32)));
  });

  it("quantized_relu(4, 4) → uint<4> with TRN/WRAP (warned: wraps instead of saturating)", () => {
    const m = qkerasGraph('w', [2], [qact('r', qrelu(4, 4))]);
    expect(nameCfg(m).LayerName!.r!.Precision).toEqual({ result: 'uint<4>' });
    const fw = convertModel(m, nameCfg(m));
    expect(fw.warnings!.some((w) => w.startsWith('r: quantized_relu(4, 4) gets the result type uint<4>'))).toBe(true);
    expect(Array.from(new Emulator(fw).predict({ data: Float64Array.from([17, 3]), shape: [1, 2] }).values)).toEqual([1, 3]);
  });

  it('binary after a BatchNormalization → BatchNormalizationQuantizedTanh (Xnor out); then a binary QDense → both_binary (2·acc − n_in)', () => {
    const m = qkerasGraph('bnn', [8], [bn('bn1', 8, r), qact('sign1', 'binary_tanh'), qdense('fc', 8, 4, q('binary', { alpha: null }), null, r, { useBias: false }), qact('sign2', q('binary', { alpha: null }))]);
    const fw = convertModel(m, nameCfg(m));
    expect(names(fw)).toEqual(['bnbt_bn1:BatchNormalizationQuantizedTanh', 'fc:Dense', 'sign2:Activation']);
    expect(layer(fw, 'fc').config.product).toBe('both_binary');
    const x = Float64Array.from({ length: 8 * 16 }, (_, i) => Math.round(Math.sin(i * 1.7) * 64) / 16);
    const emu = new Emulator(fw).predict({ data: x, shape: [16, 8] }, { trace: true });
    const fl = evaluateFloat(m, { data: x, shape: [16, 8] }, { layerOutputs: true });
    const bnOut = fl.layers!.bn1!.values;
    const fcOut = fl.layers!.fc!.values;
    const fwFc = emu.trace!.fc!;
    const ty = layer(fw, 'fc').types.result!;
    for (let s = 0; s < 16; s++) {
      // away from the thresholds the firmware equals QKeras: BN, sign, ±1 dot product
      if (Array.from(bnOut.subarray(s * 8, s * 8 + 8)).some((v) => Math.abs(v) < 0.02)) continue;
      for (let j = 0; j < 4; j++) expect(Number(fwFc.raw[s * 4 + j]) * 2 ** (ty.I - ty.W)).toBe(fcOut[s * 4 + j]);
    }
  });

  it('ternary (threshold 0.33) after a BatchNormalization: extract_ternary_threshold → ApplyAlpha merged with the BN → ternary thresholds', () => {
    const m = qkerasGraph('tnn', [6], [bn('bn1', 6, r), qact('t1', q('ternary', { alpha: null, threshold: 0.33 }))]);
    const fw = convertModel(m, nameCfg(m));
    expect(names(fw)).toEqual(['bnbt_t1_scale:BatchNormalizationQuantizedTanh']);
    expect(fw.changes.some((c) => c.startsWith('t1_scale (ApplyAlpha) inserted before t1'))).toBe(true);
    expect(layer(fw, 'bnbt_t1_scale').config.quantize).toBe(3);
  });

  it('a TernaryTanh without a BatchNormalization before it has no hls4ml template: rejected naming the layer', () => {
    const r2 = rng(9);
    const alone = qkerasGraph('t', [4], [qact('t1', q('ternary', { alpha: null, threshold: 0.5 }))]);
    expect(thrown(() => convertModel(alone, nameCfg(alone))).message).toMatch(/^t1: a TernaryTanh that does not follow a BatchNormalization/);
    // after a float Dense the threshold scale is fused into the Dense, leaving the TernaryTanh alone
    const dense = qkerasGraph('t', [4], [qdense('fc', 4, 3, null, null, r2), qact('t1', q('ternary', { alpha: null, threshold: 0.25 }))]);
    expect(thrown(() => convertModel(dense, nameCfg(dense)))).toBeInstanceOf(UnsupportedError);
  });

  it('Xnor data through max pooling and an in-place Flatten reaches the next Dense as Xnor (both_binary)', () => {
    const m = qkerasGraph('bcnn', [4, 4, 2], [qconv2d('c', 2, 3, 2, q('binary', { alpha: null }), null, r), bn('bn1', 3, r), qact('s', 'binary_tanh'), plain('MaxPooling2D', 'pool', { pool_size: [3, 3], strides: [3, 3], padding: 'valid' }), plain('Flatten', 'flat'), qdense('fc', 3, 2, q('binary', { alpha: null }), null, r, { useBias: false })]);
    const fw = convertModel(m, nameCfg(m));
    expect(names(fw)).toEqual(['c:Conv2D', 'bnbt_bn1:BatchNormalizationQuantizedTanh', 'pool:MaxPooling2D', 'flat:Reshape', 'fc:Dense']);
    expect(layer(fw, 'c').config.product).toBe('weight_binary');
    expect(layer(fw, 'fc').config.product).toBe('both_binary');
  });

  it('xnor_pooling: a max pooling of Xnor data stays uint<1>', () => {
    const m = qkerasGraph('xp', [4, 2], [bn('bn1', 2, r), qact('s', 'binary_tanh'), plain('MaxPooling1D', 'pool', { pool_size: 2, strides: 2, padding: 'valid' })]);
    const fw = convertModel(m, nameCfg(m));
    expect(names(fw)).toEqual(['bnbt_bn1:BatchNormalizationQuantizedTanh', 'pool:MaxPooling1D']);
    expect(formatFixedType(layer(fw, 'pool').types.result!)).toBe(t('ap_uint<1>'));
  });
});

describe('output_rounding_saturation_mode', () => {
  it('configured layers get the rounding / saturation mode on result and accum (an unset mode means TRN / WRAP)', () => {
    const r = rng(6);
    const m = qkerasGraph('o', [4], [qdense('fc', 4, 3, qbits(6, 0), qbits(6, 0), r)]);
    const cfg: Hls4mlConfig = { ...nameCfg(m), OutputRoundingSaturationMode: { layers: ['Dense'], rounding_mode: 'AP_RND', saturation_mode: 'AP_SAT' } };
    (cfg.LayerName!.fc!.Precision as Record<string, string>).result = 'fixed<10,4>';
    const fw = convertModel(m, cfg);
    expect(formatFixedType(layer(fw, 'fc').types.result!)).toBe(t('fixed<10,4,AP_RND,AP_SAT>'));
    expect(formatFixedType(layer(fw, 'fc').types.accum!)).toBe(t('fixed<10,4,AP_RND,AP_SAT>'));
    // on an 'auto' result hls4ml fails
    expect(() => convertModel(m, { ...nameCfg(m), OutputRoundingSaturationMode: { layers: ['fc'], rounding_mode: 'AP_RND' } })).toThrow(UnsupportedError);
  });
});

describe('warnings and rejections name the layer, the quantizer and the reason', () => {
  const r = rng(7);
  const build = (l: Parameters<typeof qkerasGraph>[2]) => () => qkerasGraph('x', [4], l);
  it('keep_negative=False kernels (odd codes truncated) are warned about', () => {
    const m = qkerasGraph('k', [4], [qdense('fc', 4, 2, qbits(5, 0, { keep_negative: false }), null, r, { useBias: false })]);
    expect(convertModel(m, nameCfg(m)).warnings).toContain(
      "fc.kernel_quantizer: keep_negative=False is ignored by hls4ml: the type fixed<5,1,TRN,WRAP,0> is signed with one integer bit more, so QKeras' step 2^-5 becomes 2^-4 and odd codes are truncated when printed",
    );
  });
  it('random / non-reproducible weight quantizers', () => {
    expect(thrown(build([qdense('fc', 4, 2, q('binary', { alpha: null, use_stochastic_rounding: true }), null, r)])).message).toMatch(/^layers\[1\] \(QDense 'fc'\)\.config\.kernel_quantizer: binary\(use_stochastic_rounding=True\)/);
    expect(thrown(build([qdense('fc', 4, 2, q('bernoulli', { alpha: null }), null, r)])).message).toMatch(/kernel_quantizer: bernoulli: its values are random/);
    expect(thrown(build([qdense('fc', 4, 2, q('quantized_tanh', { bits: 4 }), null, r)])).message).toMatch(/kernel_quantizer: quantized_tanh as a weight quantizer: hls4ml prints "Unsupported quantizer/);
  });
  it('malformed quantizers: a string layer quantizer, a binary quantizer without alpha', () => {
    expect(thrown(build([qdense('fc', 4, 2, 'quantized_bits(4,0)' as never, null, r)]))).toBeInstanceOf(UnsupportedError);
    expect(thrown(build([qdense('fc', 4, 2, q('binary', {}), null, r)])).message).toMatch(/alpha/);
  });
  it('a QKeras string activation on a QDense, unsupported QActivations', () => {
    expect(thrown(build([qdense('fc', 4, 2, qbits(4, 0), null, r, { activation: 'quantized_relu(4)' })])).message).toMatch(/hls4ml hands the string activation 'quantized_relu\(4\)'/);
    expect(thrown(build([qact('a', 'relu')])).message).toMatch(/Unsupported QKeras activation: unknown/);
    expect(thrown(build([qact('a', q('quantized_po2', { bits: 4 }))])).message).toMatch(/Unsupported QKeras activation: quantized_po2/);
  });
  it('QKeras classes that hls4ml has no handler for', () => {
    expect(thrown(build([plain('QAveragePooling2D', 'p')])).message).toMatch(/Unsupported layer type: QAveragePooling2D/);
  });
  it('QKeras in a Keras 3 model: hls4ml 1.3 has no handler for it', () => {
    const m = qkerasGraph('k3', [4], [qdense('fc', 4, 2, qbits(4, 0), null, r)], 'keras3');
    expect(thrown(() => convertModel(m)).message).toMatch(/Keras 3 front end has no QKeras handler/);
  });
});

describe('QDepthwiseConv2D and QSeparableConv1D/2D (on the depthwise / separable kinds)', () => {
  const r = rng(11);
  const dw = (name: string, C: number, k: number, dq: unknown, bq: unknown) => ({
    cls: 'QDepthwiseConv2D',
    name,
    config: { name, kernel_size: [k, k], strides: [1, 1], padding: 'valid', depth_multiplier: 1, activation: 'linear', use_bias: true, depthwise_quantizer: dq, bias_quantizer: bq },
    weights: [
      { name: 'depthwise_kernel', shape: [k, k, C, 1], data: Float32Array.from({ length: k * k * C }, () => r() - 0.5) },
      { name: 'bias', shape: [C], data: Float32Array.from({ length: C }, () => (r() - 0.5) / 2) },
    ],
  });
  const sep = (name: string, C: number, F: number, k: number, dq: unknown, pq: unknown, bq: unknown) => ({
    cls: 'QSeparableConv2D',
    name,
    config: { name, filters: F, kernel_size: [k, k], strides: [1, 1], padding: 'valid', depth_multiplier: 1, activation: 'linear', use_bias: true, depthwise_quantizer: dq, pointwise_quantizer: pq, bias_quantizer: bq },
    weights: [
      { name: 'depthwise_kernel', shape: [k, k, C, 1], data: Float32Array.from({ length: k * k * C }, () => r() - 0.5) },
      { name: 'pointwise_kernel', shape: [1, 1, C, F], data: Float32Array.from({ length: C * F }, () => r() - 0.5) },
      { name: 'bias', shape: [F], data: Float32Array.from({ length: F }, () => (r() - 0.5) / 2) },
    ],
  });

  it('QDepthwiseConv2D: the depthwise quantizer types and quantizes the weight; the firmware equals QKeras where nothing overflows', () => {
    const m = qkerasGraph('d', [4, 4, 2], [dw('dw', 2, 3, qbits(6, 0), qbits(6, 1))]);
    const cfg = configFromModel(m, { granularity: 'name', defaultPrecision: 'fixed<32,12>' });
    expect(cfg.LayerName!.dw!.Precision).toMatchObject({ depthwise: 'fixed<6,1,TRN,WRAP,0>', bias: 'fixed<6,2,TRN,WRAP,0>' });
    const fw = convertModel(m, cfg);
    expect(formatFixedType(layer(fw, 'dw').types.weight!)).toBe(t('fixed<6,1>'));
    const x = Float64Array.from({ length: 32 }, (_, i) => Math.round(Math.sin(i) * 16) / 8);
    expect(Array.from(new Emulator(fw).predict({ data: x, shape: [1, 4, 4, 2] }).values)).toEqual(Array.from(evaluateFloat(m, { data: x, shape: [1, 4, 4, 2] }).values));
  });

  it('QSeparableConv2D: depthwise half with the depthwise quantizer, pointwise Conv with the pointwise and bias quantizers (its alpha factored out)', () => {
    const m = qkerasGraph('s', [4, 4, 2], [sep('sc', 2, 3, 2, qbits(6, 0), qbits(5, 0, { alpha: 'auto_po2', symmetric: true }), qbits(8, 2))]);
    const fw = convertModel(m, configFromModel(m, { granularity: 'name' }));
    expect(names(fw)).toEqual(['sc_depthwise:DepthwiseConv2D', 'sc_pointwise:Conv2D', 'sc_pointwise_alpha:ApplyAlpha']);
    expect(formatFixedType(layer(fw, 'sc_depthwise').types.weight!)).toBe(t('fixed<6,1>'));
    expect(formatFixedType(layer(fw, 'sc_pointwise').types.weight!)).toBe(t('fixed<5,1>'));
    expect(layer(fw, 'sc_pointwise_alpha').config.product).toBe('weight_exponential');
  });

  it('a depthwise alpha is not factored out (warned); binary / ternary / po2 depthwise kernels are refused', () => {
    const m = qkerasGraph('d', [4, 4, 2], [dw('dw', 2, 3, qbits(6, 0, { alpha: 0.5 }), null)]);
    expect(convertModel(m, configFromModel(m, { granularity: 'name' })).warnings!.some((w) => w.startsWith('dw.depthwise_quantizer: hls4ml does not factor alpha=0.5 out of a depthwise kernel'))).toBe(true);
    const b = qkerasGraph('d', [4, 4, 2], [dw('dw', 2, 3, q('binary', { alpha: null }), null)]);
    expect(thrown(() => convertModel(b)).message).toMatch(/depthwise_quantizer: a depthwise kernel typed int<2> \(integer precision\)/);
  });
});
