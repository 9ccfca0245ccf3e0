/**
 * QKeras quantizers as hls4ml 1.3 converts them: parsing/validation of QKeras 0.9 serialisations,
 * hls4ml's precision types, the float32 QKeras numerics hls4ml evaluates before printing weights,
 * QKerasFactorizeAlpha, and QActivation handling. Checked against the `qkeras_example` reference
 * case (firmware weights produced by hls4ml itself) and against hand-derived values.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError, UnsupportedError, ValueError } from '../../src/errors.js';
import { weightsToRaw } from '../../src/graph/weights.js';
import {
  activationResultPrecision,
  factorizeAlpha,
  factorizeAlphaApplies,
  hls4mlPrecisionString,
  hls4mlWeightQuantizer,
  parseQKerasQuantizer,
  po2Encode,
  precisionStorageType,
  qactivationLayer,
  qkerasBinary,
  qkerasPo2,
  qkerasQuantizedBits,
  qkerasQuantizedRelu,
  qkerasTernary,
  quantizeWeights,
  roundHalfEven,
  type Hls4mlWeightQuantizer,
  type QKerasQuantizer,
  type QuantizedBits,
  type QuantizedPo2,
  type TernaryQ,
} from '../../src/import/qkeras/quantizers.js';

const CASE = 'test/golden/import/qkeras_example';
const ctx = (layer: string, field = 'q') => ({ layer, field });
const parse = (v: unknown, field = 'q'): QKerasQuantizer => parseQKerasQuantizer(v, ctx('L', field));
const t = (d: number[], shape?: number[]) => ({ data: Float32Array.from(d), shape: shape ?? [d.length] });
const f32 = Math.fround;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function h5Reader(path: string): Promise<(name: string) => { data: Float32Array; shape: number[] }> {
  const mod = (await import('h5wasm/node')).default;
  await mod.ready;
  const f = new mod.File(path, 'r');
  return (name) => {
    const d = f.get(name) as InstanceType<typeof mod.Dataset>;
    return { data: Float32Array.from(d.value as Float32Array), shape: [...d.shape!] };
  };
}

describe('qkeras_example reference case (hls4ml 1.3 firmware weights)', () => {
  const topo = JSON.parse(readFileSync(join(CASE, 'qkeras_example.json'), 'utf8')) as Json;
  const exp = JSON.parse(readFileSync(join(CASE, 'expected.json'), 'utf8')) as Json;
  const cfg = JSON.parse(readFileSync(join(CASE, 'config.json'), 'utf8')) as Json;
  const fw = (name: string): Json => exp.firmware.layers.find((l: Json) => l.name === name);
  const layers = topo.config.layers as Json[];
  const qdense = layers.filter((l) => l.class_name === 'QDense');

  it('the kernel/bias precision types are the quantizer types in config.json and in the firmware', () => {
    for (const l of qdense) {
      const n = l.config.name as string;
      const kw = hls4mlWeightQuantizer(parse(l.config.kernel_quantizer), 'kernel', ctx(n, 'kernel_quantizer'));
      const bw = hls4mlWeightQuantizer(parse(l.config.bias_quantizer), 'bias', ctx(n, 'bias_quantizer'));
      expect(hls4mlPrecisionString(kw.precision)).toBe(cfg.LayerName[n].Precision.weight);
      expect(hls4mlPrecisionString(bw.precision)).toBe(cfg.LayerName[n].Precision.bias);
      expect(precisionStorageType(kw.precision).W).toBe(fw(n).types.weight.w);
      expect(precisionStorageType(kw.precision).I).toBe(fw(n).types.weight.i);
      expect(precisionStorageType(bw.precision).I).toBe(fw(n).types.bias.i);
    }
  });

  it('QActivation result types are what config_from_keras_model wrote', () => {
    for (const l of layers.filter((x) => x.class_name === 'QActivation')) {
      const n = l.config.name as string;
      const q = parse(l.config.activation);
      expect(hls4mlPrecisionString(activationResultPrecision(q, ctx(n, 'activation')))).toBe(cfg.LayerName[n].Precision.result);
    }
    expect(qactivationLayer(parse(layers[1]!.config.activation), ctx('q_in')).activation).toBe('linear');
    expect(qactivationLayer(parse(layers[3]!.config.activation), ctx('relu1')).activation).toBe('relu');
    expect(qactivationLayer(parse('quantized_relu(6)'), ctx('relu2')).activation).toBe('relu');
  });

  it('every firmware weight and bias code is reproduced (print + read back of the QKeras float32 values)', async () => {
    const get = await h5Reader(join(CASE, 'qkeras_example_weights.h5'));
    let checked = 0;
    for (const l of qdense) {
      const n = l.config.name as string;
      const kw = hls4mlWeightQuantizer(parse(l.config.kernel_quantizer), 'kernel', ctx(n));
      const bw = hls4mlWeightQuantizer(parse(l.config.bias_quantizer), 'bias', ctx(n));
      const k = get(`${n}/${n}/kernel:0`);
      const b = get(`${n}/${n}/bias:0`);
      const bias = quantizeWeights(bw, b.data, b.shape);
      const kt = precisionStorageType(kw.precision);
      const bt = precisionStorageType(bw.precision);
      if (factorizeAlphaApplies('Dense', kw, bw)) {
        const fa = factorizeAlpha(kw, k.data, k.shape, k.shape[1]!);
        const w = weightsToRaw(fa.weights.values, kt);
        expect(Array.from(w.raw)).toEqual(fw(n).weights);
        expect(w.text).toEqual(fw(n).weights_txt);
        // the bias moves to the ApplyAlpha, the Dense keeps zeros of the bias type
        const alpha = fw(`${n}_alpha`);
        expect(Array.from(weightsToRaw(bias.values, bt).raw)).toEqual(alpha.bias);
        expect(fw(n).bias).toEqual(new Array(b.data.length).fill(0));
        // ApplyAlpha scale: quantized_po2(bits = max(int(max|log2 s|)+1, 2)) → ap_int<6>, [sign, exponent] pairs
        expect(fa.scaleBits).toBe(6);
        expect(hls4mlPrecisionString(fa.scalePrecision!)).toBe('int<6>');
        expect(alpha.types.scale.weight.w).toBe(6);
        expect(fa.scale.shape).toEqual(alpha.scale_shape_hls4ml_data);
        expect(Array.from(fa.scalePo2!.sign, (s, i) => [s, fa.scalePo2!.exponent[i]])).toEqual(alpha.scale);
        // qkeras_numerics: "auto_po2 initial scale: smallest margin 0.0303", "converged: True"
        expect(fa.alphaDiagnostics.minLog2Margin).toBeCloseTo(0.0303, 4);
        expect(fa.alphaDiagnostics.autoPo2Converged).toBe(true);
        checked += w.raw.length + b.data.length;
      } else {
        const w = weightsToRaw(quantizeWeights(kw, k.data, k.shape).values, kt);
        expect(Array.from(w.raw)).toEqual(fw(n).weights);
        expect(Array.from(weightsToRaw(bias.values, bt).raw)).toEqual(fw(n).bias);
        checked += w.raw.length + b.data.length;
      }
    }
    expect(checked).toBe(12 * 16 + 16 + 16 * 8 + 8 + 8 * 5 + 5);
  });

  it('keep_negative=False: the 12 fc3 codes that differ from QKeras values, with a warning', async () => {
    const get = await h5Reader(join(CASE, 'qkeras_example_weights.h5'));
    const l = qdense.find((x) => x.config.name === 'fc3')!;
    const kw = hls4mlWeightQuantizer(parse(l.config.kernel_quantizer), 'kernel', ctx('fc3'));
    expect(kw.warnings.join()).toMatch(/keep_negative=False is ignored/);
    const k = get('fc3/fc3/kernel:0');
    const v = quantizeWeights(kw, k.data, k.shape).values;
    const raw = weightsToRaw(v, precisionStorageType(kw.precision)).raw;
    const differs = Array.from(v).filter((x, i) => raw[i]! / 16 !== x).length;
    expect(differs).toBe(exp.firmware_weight_differs_from_qkeras_value['fc3.weight']);
  });
});

describe('parsing QKeras 0.9 serialisations', () => {
  it('dict form with QKeras keys, defaults filled', () => {
    const q = parse({ class_name: 'quantized_bits', config: { bits: 6, integer: 0, symmetric: 0, alpha: 1, keep_negative: true, use_stochastic_rounding: false, qnoise_factor: 1.0 } }) as QuantizedBits;
    expect(q).toMatchObject({ cls: 'quantized_bits', bits: 6, integer: 0, symmetric: false, keepNegative: true, alpha: 1, qnoiseFactor: 1, useSte: true, scaleAxis: null });
    const p = parse({ class_name: 'quantized_po2', config: { bits: 4, max_value: 1, use_stochastic_rounding: false, quadratic_approximation: false } }) as QuantizedPo2;
    expect(p).toMatchObject({ cls: 'quantized_po2', bits: 4, maxValue: 1, log2Rounding: 'rnd', qnoiseFactor: 1 });
    expect(parse({ class_name: 'quantized_relu', config: {}, __passive_serialization__: true })).toMatchObject({ bits: 8, integer: 0, negativeSlope: 0 });
  });

  it('string form: positional then keyword arguments, quoted strings, True/False/None', () => {
    expect(parse('quantized_relu(6)')).toMatchObject({ cls: 'quantized_relu', bits: 6, integer: 0 });
    expect(parse('quantized_relu(3,1)')).toMatchObject({ bits: 3, integer: 1 });
    expect(parse('quantized_bits(6,0,alpha=1)')).toMatchObject({ bits: 6, integer: 0, alpha: 1 });
    expect(parse("quantized_bits(4, 1, 0, alpha='auto_po2')")).toMatchObject({ bits: 4, integer: 1, alpha: 'auto_po2', symmetric: true });
    expect(parse('quantized_bits(5,0,keep_negative=False)')).toMatchObject({ keepNegative: false });
    expect(parse('ternary(threshold=0.5)')).toMatchObject({ cls: 'ternary', threshold: 0.5, alpha: null });
    expect(parse('quantized_po2(4, None)')).toMatchObject({ bits: 4, maxValue: null });
    expect(parse('binary')).toMatchObject({ cls: 'binary', use01: false, alpha: null });
    expect(parse('binary_tanh')).toMatchObject({ cls: 'function', name: 'binary_tanh' });
    expect(parse('relu')).toMatchObject({ cls: 'keras_activation', name: 'relu' });
    expect(parse('quantized_tanh(4,symmetric=1)')).toMatchObject({ cls: 'quantized_tanh', bits: 4, symmetric: true, useReal: false });
  });

  it('rejects what QKeras would reject, naming the layer and field', () => {
    const bad = (v: unknown, re: RegExp, cls: new (...a: never[]) => Error = FormatError) => {
      expect(() => parseQKerasQuantizer(v, ctx('fc1', 'kernel_quantizer'))).toThrow(cls);
      expect(() => parseQKerasQuantizer(v, ctx('fc1', 'kernel_quantizer'))).toThrow(re);
    };
    bad({ class_name: 'quantized_bits', config: { bits: 6, foo: 1 } }, /fc1\.kernel_quantizer\.foo: .*no argument 'foo'/);
    bad({ class_name: 'quantized_bits', config: { bits: 6.5 } }, /\.bits: expected an integer/);
    bad({ class_name: 'quantized_bits', config: { bits: 0 } }, /\.bits: must be >= 1/);
    bad({ class_name: 'quantized_bits', config: { alpha: 'auto_x' } }, /\.alpha: expected null, a finite number, 'auto' or 'auto_po2'/);
    bad({ class_name: 'quantized_bits', config: { keep_negative: 'yes' } }, /keep_negative: expected a boolean/);
    bad({ class_name: 'quantized_bits', config: {}, extra: 1 }, /fc1\.kernel_quantizer\.extra: unexpected key/);
    bad({ class_name: 'quantized_relu', config: { negative_slope: 0.3 } }, /power of two/);
    bad({ class_name: 'quantized_po2', config: { max_value: -1 } }, /non-negative/);
    bad({ class_name: 'quantized_foo', config: {} }, /unknown QKeras quantizer class 'quantized_foo'/, UnsupportedError);
    bad("quantized_bits(4,0,alpha=auto_po2)", /unquoted word 'auto_po2': QKeras would read it as 'uto_po'/);
    bad('quantized_bits(bits=4, 0)', /positional argument '0' after keyword/);
    bad('quantized_bits(4,0,0,1,1,0,0,1,0,1,0,9)', /takes at most 11 arguments/);
    bad('quantized_bits(4, bits=5)', /multiple values for argument 'bits'/);
    bad('quantised_relu(4)', /unknown QKeras quantizer or activation 'quantised_relu'/, UnsupportedError);
    bad(42, /expected a quantizer dict/);
  });
});

describe("hls4ml's precision types for weight quantizers", () => {
  const w = (v: unknown, role: 'kernel' | 'bias' = 'kernel', layerClass?: string): Hls4mlWeightQuantizer =>
    hls4mlWeightQuantizer(parse(v), role, { layer: 'L', field: `${role}_quantizer`, layerClass });
  const s = (v: unknown, role: 'kernel' | 'bias' = 'kernel') => hls4mlPrecisionString(w(v, role).precision);

  it('quantized_bits → fixed<bits, integer+1> signed TRN/WRAP; bits == integer → int; 1 bit → Xnor', () => {
    expect(s('quantized_bits(6,0)')).toBe('fixed<6,1,TRN,WRAP,0>');
    expect(s('quantized_bits(6,2)')).toBe('fixed<6,3,TRN,WRAP,0>');
    expect(s('quantized_bits(4,3)')).toBe('fixed<4,4,TRN,WRAP,0>');
    expect(s('quantized_bits(5,0,keep_negative=False)')).toBe('fixed<5,1,TRN,WRAP,0>');
    expect(s('quantized_bits(4,4)')).toBe('int<4>');
    expect(w('quantized_bits(4,4)').warnings.join()).toMatch(/int<4>, half the range/);
    expect(s('quantized_bits(1,1)')).toBe('uint<1>');
    expect(w('quantized_bits(1,0)').warnings.join()).toMatch(/\+1 cannot be represented/);
    expect(w("quantized_bits(4,1,alpha='auto_po2')").alpha).toBe('auto_po2');
  });

  it('binary: Xnor for kernels, int<2> otherwise; ternary int<2>; po2 exponent', () => {
    const k = w({ class_name: 'binary', config: { use_01: false, alpha: null, use_stochastic_rounding: false } });
    expect(k).toMatchObject({ wrapper: 'QKerasBinaryQuantizer', xnor: true, bits: 1 });
    expect(hls4mlPrecisionString(k.precision)).toBe('uint<1>');
    const b = w({ class_name: 'stochastic_binary', config: { alpha: 'auto_po2', temperature: 6, use_real_sigmoid: true } }, 'bias');
    expect(b).toMatchObject({ wrapper: 'QKerasBinaryQuantizer', xnor: false, bits: 2, alpha: 'auto_po2' });
    expect(hls4mlPrecisionString(b.precision)).toBe('int<2>');
    expect(() => w({ class_name: 'binary', config: {} })).toThrow(/reads config\['alpha'\]/);
    expect(s({ class_name: 'ternary', config: { alpha: null, threshold: null } })).toBe('int<2>');
    const p = w({ class_name: 'quantized_po2', config: { bits: 4, max_value: 1 } });
    expect(p).toMatchObject({ wrapper: 'QKerasPO2Quantizer', bits: 4, alpha: undefined, precision: { kind: 'exponent', width: 4, signed: true } });
    expect(hls4mlPrecisionString(p.precision)).toBe('int<4>');
    expect(() => precisionStorageType(p.precision)).toThrow(UnsupportedError);
  });

  it('other classes fall back to fixed<16,6>; QBatchNormalization always uses QKerasQuantizer', () => {
    const r = w('quantized_relu(4,0)');
    expect(r.unsupportedFallback).toBe(true);
    expect(hls4mlPrecisionString(r.precision)).toBe('fixed<16,6,TRN,WRAP,0>');
    const q = w({ class_name: 'quantized_relu_po2', config: { bits: 6, max_value: 2048 } }, 'bias', 'QBatchNormalization');
    expect(q.wrapper).toBe('QKerasQuantizer');
    expect(q.warnings.join()).toMatch(/QBatchNormalization quantizers are ignored/);
    expect(w('binary(alpha=1)', 'kernel', 'QBatchNormalization').wrapper).toBe('QKerasQuantizer');
  });

  it('a string where hls4ml needs a dict is rejected, as are activation functions', () => {
    expect(() => hls4mlWeightQuantizer(parse('quantized_bits(4,0)'), 'kernel', { ...ctx('L'), given: 'quantized_bits(4,0)' })).toThrow(/needs a serialised/);
    expect(() => w('binary_tanh')).toThrow(UnsupportedError);
  });

  it('factorizeAlphaApplies follows QKerasFactorizeAlpha.match', () => {
    const a = w("quantized_bits(4,1,alpha='auto_po2')");
    const one = w('quantized_bits(4,1,alpha=1)');
    const none = w('quantized_bits(4,1)');
    const po2 = w('quantized_po2(4)');
    expect(factorizeAlphaApplies('Dense', a, none)).toBe(true);
    expect(factorizeAlphaApplies('Conv2D', one, a)).toBe(true);
    expect(factorizeAlphaApplies('Dense', one, none)).toBe(false);
    expect(factorizeAlphaApplies('Dense', po2, one)).toBe(false);
    expect(factorizeAlphaApplies('DepthwiseConv2D', a, none)).toBe(false);
    expect(factorizeAlphaApplies('Dense', w('quantized_bits(4,1,alpha=0.5)'), null)).toBe(true);
  });
});

describe('QActivation', () => {
  const act = (v: unknown) => qactivationLayer(parse(v), ctx('act'));
  const res = (v: unknown) => hls4mlPrecisionString(activationResultPrecision(parse(v), ctx('act')));

  it('becomes the layer hls4ml builds', () => {
    expect(act('quantized_bits(8,2)')).toMatchObject({ className: 'Activation', activation: 'linear', quantizerClass: 'linear' });
    expect(act('quantized_relu(4,2)')).toMatchObject({ className: 'Activation', activation: 'relu' });
    expect(act('quantized_relu(4,2,negative_slope=0.25)')).toMatchObject({ className: 'LeakyReLU', activation: 'leaky_relu', activParam: 0.25 });
    expect(act('quantized_tanh(8)')).toMatchObject({ className: 'HardActivation', activation: 'hard_tanh', slope: 0.5, shift: 0.5 });
    expect(act('quantized_tanh(8,use_real_tanh=True)')).toMatchObject({ className: 'Activation', activation: 'tanh' });
    expect(act('quantized_sigmoid(6)')).toMatchObject({ className: 'HardActivation', activation: 'hard_sigmoid' });
    expect(act('quantized_sigmoid(6,use_real_sigmoid=True)')).toMatchObject({ className: 'Activation', activation: 'sigmoid' });
    expect(act('ternary')).toMatchObject({ className: 'TernaryTanh', activation: 'ternary_tanh', threshold: 0.33 });
    expect(act('ternary(threshold=0.2)')).toMatchObject({ className: 'TernaryTanh', threshold: 0.2 });
    expect(act('binary')).toMatchObject({ className: 'Activation', activation: 'binary_tanh' });
    expect(act('binary_tanh')).toMatchObject({ className: 'Activation', activation: 'binary_tanh' });
    expect(act('binary_sigmoid').warnings.join()).toMatch(/binary_sigmoid gives \{0, 1\}/);
  });

  it('hls4ml rejects non-QKeras activations and po2 activations with its own message', () => {
    expect(() => act('relu')).toThrow(/Unsupported QKeras activation: unknown/);
    expect(() => act('hard_sigmoid')).toThrow(/Unsupported QKeras activation: unknown/);
    expect(() => act('quantized_po2(4)')).toThrow(/Unsupported QKeras activation: quantized_po2/);
    expect(() => act('quantized_relu_po2(4)')).toThrow(UnsupportedError);
  });

  it('result precisions written by config_from_keras_model', () => {
    expect(res('quantized_bits(8,2)')).toBe('fixed<8,3,RND_CONV,SAT,0>');
    expect(res('quantized_bits(8,2,keep_negative=False)')).toBe('fixed<8,3,RND_CONV,SAT,0>');
    expect(res('quantized_relu(4,2)')).toBe('ufixed<4,2,RND_CONV,SAT,0>');
    expect(res('quantized_relu(6)')).toBe('ufixed<6,0,RND_CONV,SAT,0>');
    expect(res('quantized_relu(4,4)')).toBe('uint<4>');
    expect(res('quantized_relu(4,6)')).toBe('uint<6>');
    expect(res('quantized_relu(4,1,negative_slope=0.5)')).toBe('fixed<4,2,RND_CONV,SAT,0>');
    expect(res('quantized_tanh(8)')).toBe('fixed<8,1,RND_CONV,SAT,0>');
    expect(res('quantized_tanh(8,symmetric=1)')).toBe('fixed<8,1,RND_CONV,SAT_SYM,0>');
    expect(res('quantized_sigmoid(6)')).toBe('ufixed<6,0,RND_CONV,SAT,0>');
    expect(res('binary')).toBe('int<2>');
    expect(res('binary_tanh')).toBe('int<2>');
    expect(res('ternary')).toBe('int<2>');
    expect(() => res('relu')).toThrow(/Unsupported quantizer: unknown/);
  });
});

describe('QKeras 0.9 numerics (float32, hand-derived)', () => {
  const qb = (s: string) => parse(s) as QuantizedBits;

  it('tf.round is half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, -3]);
  });

  it('quantized_bits(4,0): round half even on x·8, clip to [−8, 7] (symmetric: [−7, 7])', () => {
    const r = qkerasQuantizedBits(qb('quantized_bits(4,0)'), t([0.3, -0.3, 0.1875, 0.0625, 2, -2, 0.3125]));
    expect(Array.from(r.values)).toEqual([0.25, -0.25, 0.25, 0, 0.875, -1, 0.25]);
    expect(r.diagnostics.ties).toBe(3); // 1.5, 0.5, 2.5
    const s = qkerasQuantizedBits(qb('quantized_bits(4,0,1)'), t([-2, 2]));
    expect(Array.from(s.values)).toEqual([-0.875, 0.875]);
  });

  it('integer bits, keep_negative=False, numeric alpha, 1-bit, qnoise_factor', () => {
    expect(Array.from(qkerasQuantizedBits(qb('quantized_bits(6,2)'), t([1.3, -5, 4])).values)).toEqual([1.25, -4, 3.875]);
    expect(Array.from(qkerasQuantizedBits(qb('quantized_bits(4,0,keep_negative=False)'), t([-0.3, 0.97, 0.5])).values)).toEqual([0, 0.9375, 0.5]);
    expect(Array.from(qkerasQuantizedBits(qb('quantized_bits(4,0,alpha=0.5)'), t([0.3])).values)).toEqual([0.125]);
    expect(Array.from(qkerasQuantizedBits(qb('quantized_bits(1,0)'), t([0.3, -0.2, 0])).values)).toEqual([1, -1, 1]);
    // qnoise_factor 0.5: x + 0.5·(xq − x), each step in float32
    const x = f32(0.3);
    const want = f32(x + f32(f32(0.5) * f32(0.25 - x)));
    expect(qkerasQuantizedBits(qb('quantized_bits(4,0,qnoise_factor=0.5)'), t([0.3])).values[0]).toBe(want);
  });

  it('the straight-through sum is evaluated in float32 (a clipped huge weight loses the code)', () => {
    // 2^25 − x(= 0.96875) is not representable in float32: x + (xq − x) comes back as 0
    expect(qkerasQuantizedBits(qb('quantized_bits(6,0)'), t([2 ** 25])).values[0]).toBe(0);
    // at 2^20 the difference rounds to a multiple of 1/16 and the sum lands on 1.0 (off the 1/32 grid)
    expect(qkerasQuantizedBits(qb('quantized_bits(6,0)'), t([2 ** 20])).values[0]).toBe(1);
    expect(qkerasQuantizedBits(qb('quantized_bits(6,0)'), t([2 ** 17])).values[0]).toBe(0.96875);
  });

  it("alpha='auto': max-based scale per output channel, codes clipped to ±(2^(bits−1)−1)", () => {
    // columns [0.7, 0.07] and [−0.35, 0.2]: scale0 = 2·max/14 = 0.1 and 0.05
    const r = qkerasQuantizedBits(qb("quantized_bits(4,0,alpha='auto')"), t([0.7, -0.35, 0.07, 0.2], [2, 2]));
    const sc = r.scale as { data: Float32Array; shape: number[] };
    expect(sc.shape).toEqual([1, 2]);
    expect(sc.data[0]).toBeCloseTo(0.8, 6); // scale0 · m (m = 8)
    expect(sc.data[1]).toBeCloseTo(0.4, 6);
    // codes floor(|x|/s + 0.5): 7.5 → 7, 7.5 → 7, 1.2 → 1, 4.5 → 4
    [0.7, -0.35, 0.1, 0.2].forEach((v, i) => expect(r.values[i]).toBeCloseTo(v, 6));
  });

  it("alpha='auto_po2' on a rank-1 tensor: per-element least-squares scales", () => {
    // scale0 = 2·0.5/14 → 2^−4; codes 8.5 → 8 → clipped to 7, and 2; LS x·z/z² → 2^−4 both: converged
    const r = qkerasQuantizedBits(qb("quantized_bits(4,0,alpha='auto_po2')"), t([0.5, -0.1]));
    const sc = r.scale as { data: Float32Array; shape: number[] };
    expect(sc.shape).toEqual([2]);
    expect(Array.from(sc.data)).toEqual([0.5, 0.5]); // 2^−4 · m
    expect(Array.from(r.values)).toEqual([0.4375, -0.125]);
    expect(r.diagnostics.autoPo2Converged).toBe(true);
  });

  it('quantized_bits rejects what QKeras 0.9 cannot evaluate, and non-finite weights', () => {
    expect(() => qkerasQuantizedBits(qb('quantized_bits(4,-1)'), t([0.1]))).toThrow(UnsupportedError);
    const w = hls4mlWeightQuantizer(parse('quantized_bits(4,0)'), 'kernel', ctx('L'));
    expect(() => quantizeWeights(w, [0.1, NaN], [2], 'L.kernel')).toThrow(ValueError);
    expect(() => quantizeWeights(w, [0.1, 0.2], [3], 'L.kernel')).toThrow(/shape \[3\]/);
  });

  it('quantized_po2: exponent range from bits and max_value; tiny values get 2^min_exp', () => {
    const p4 = parse('quantized_po2(4)') as QuantizedPo2; // sign bit for the exponent: e in [−4, 3]
    const r = qkerasPo2(p4, t([0.3, -5, 100, 0, 1e-9, -0.7]));
    expect(Array.from(r.exponents)).toEqual([-2, 2, 3, -4, -4, -1]);
    expect(Array.from(r.values)).toEqual([0.25, -4, 8, 0.0625, 0.0625, -0.5]);
    const p41 = parse('quantized_po2(4,1)') as QuantizedPo2; // max_value ≤ 1: e in [−8, 7], clipped at 1
    expect(Array.from(qkerasPo2(p41, t([3, 0.001, 0.75])).exponents)).toEqual([0, -8, 0]);
    const enc = po2Encode([0.0625, -2, 1]);
    expect(Array.from(enc.sign)).toEqual([1, 0, 1]);
    expect(Array.from(enc.exponent)).toEqual([-4, 1, 0]);
    expect(() => po2Encode([0])).toThrow(ValueError);
    const info = hls4mlWeightQuantizer(p41, 'kernel', ctx('L'));
    const qw = quantizeWeights(info, [0.3, -0.01], [2]);
    expect(Array.from(qw.po2!.exponent)).toEqual([-2, -7]);
    expect(Array.from(qw.po2!.sign)).toEqual([1, 0]);
  });

  it('binary: ±1 (0 → +1); hls4ml encodes kernels as 1/0 and other weights as ±1', () => {
    const bq = parse({ class_name: 'binary', config: { use_01: false, alpha: null, use_stochastic_rounding: false } });
    expect(Array.from(qkerasBinary(bq as never, t([0.2, -0.1, 0])).values)).toEqual([1, -1, 1]);
    const k = quantizeWeights(hls4mlWeightQuantizer(bq, 'kernel', ctx('L')), [0.2, -0.1, 0], [3]);
    expect(Array.from(k.values)).toEqual([1, 0, 1]);
    const b = quantizeWeights(hls4mlWeightQuantizer(bq, 'bias', ctx('L')), [0.2, -0.1, 0], [3]);
    expect(Array.from(b.values)).toEqual([1, -1, 1]);
    const ap = parse({ class_name: 'binary', config: { alpha: 'auto_po2' } });
    const r = qkerasBinary(ap as never, t([0.3, -0.2, 0.1, -0.4], [2, 2]));
    // per column mean(x·k)/mean(k·k): col0 (0.3+0.1)/2 = 0.2 → 2^−2; col1 (0.2+0.4)/2 = 0.3 → 2^−2
    expect(Array.from(r.values)).toEqual([0.25, -0.25, 0.25, -0.25]);
    expect(() => qkerasBinary(parse('binary(use_stochastic_rounding=True)') as never, t([1]))).toThrow(UnsupportedError);
  });

  it('ternary: threshold 0.33 (float32) by default, auto_po2 iterations per channel', () => {
    const tq = parse('ternary') as TernaryQ;
    expect(Array.from(qkerasTernary(tq, t([0.5, -0.4, 0.2, 0.33, -0.3299])).values)).toEqual([1, -1, 0, 1, 0]);
    expect(Array.from(qkerasTernary(parse('ternary(threshold=0.5)') as TernaryQ, t([0.5, -0.49])).values)).toEqual([1, 0]);
    const a = parse("ternary(alpha='auto_po2')") as TernaryQ;
    // column [0.9, 0.2]: scale 2^round(log2(0.6)) = 0.5 → q = [1, 0] → LS 0.9 → 2^0 → stays 1
    const r = qkerasTernary(a, t([0.9, 0.2], [2, 1]));
    expect(Array.from(r.values)).toEqual([1, 0]);
    expect(Array.from((r.scale as { data: Float32Array }).data)).toEqual([1]);
    expect(() => qkerasTernary(parse("ternary(alpha='auto', threshold=0.3)") as TernaryQ, t([1]))).toThrow(/asserts threshold is None/);
  });

  it('quantized_relu (met as an unsupported weight quantizer): relu, round, clip at 2^i − 2^(i−bits)', () => {
    const r = qkerasQuantizedRelu(parse('quantized_relu(4,0)') as never, t([0.3, -0.3, 2, 0.5]));
    expect(Array.from(r.values)).toEqual([0.3125, 0, 0.9375, 0.5]);
    const w = hls4mlWeightQuantizer(parse('quantized_relu(4,0)'), 'kernel', ctx('L'));
    expect(Array.from(quantizeWeights(w, [0.3], [1]).values)).toEqual([0.3125]);
    expect(() => quantizeWeights(hls4mlWeightQuantizer(parse('quantized_tanh(4)'), 'kernel', ctx('L')), [0.3], [1])).toThrow(UnsupportedError);
  });

  it('factorizeAlpha with a numeric alpha: scale = ones·alpha (float64), grid weights', () => {
    const info = hls4mlWeightQuantizer(parse('quantized_bits(4,0,alpha=0.5)'), 'kernel', ctx('L'));
    const fa = factorizeAlpha(info, [0.3, -0.3, 0.1, 0.7], [2, 2], 2);
    expect(fa.scale.data).toBeInstanceOf(Float64Array);
    expect(Array.from(fa.scale.data)).toEqual([0.5, 0.5]);
    expect(fa.scaleBits).toBeNull();
    expect(fa.scalePrecision).toBeNull();
    expect(Array.from(fa.weights.values)).toEqual([0.25, -0.25, 0.125, 0.75]);
    expect(fa.weightQuantizer.alpha).toBe(1);
    const po2 = hls4mlWeightQuantizer(parse('quantized_po2(4)'), 'kernel', ctx('L'));
    expect(() => factorizeAlpha(po2, [1], [1, 1], 1)).toThrow(/quantizer.scale/);
  });

  it('factorizeAlpha on binary kernels keeps the Xnor encoding', () => {
    const info = hls4mlWeightQuantizer(parse({ class_name: 'binary', config: { alpha: 'auto_po2' } }), 'kernel', ctx('L'));
    const fa = factorizeAlpha(info, [0.3, -0.2, 0.1, -0.4], [2, 2], 2);
    expect(Array.from(fa.weights.values)).toEqual([1, 0, 1, 0]);
    expect(Array.from(fa.scalePo2!.exponent)).toEqual([-2, -2]);
    expect(fa.scaleBits).toBe(3);
  });
});

// The three real QKeras models (no licence: read in place, never copied). Skipped when absent.
const MODEL_DIRS = ['../shared/models/keras', '../../shared/models/keras'];
const modelDir = MODEL_DIRS.find((d) => existsSync(d));
if (!modelDir) console.warn(`[qkeras-quantizers] real QKeras models skipped: none of ${MODEL_DIRS.join(', ')} (relative to ${process.cwd()}) exists`);

describe.skipIf(!modelDir)('real QKeras models', () => {
  const files = modelDir ? readdirSync(modelDir).filter((f) => /^qkeras_.*\.json$/.test(f)) : [];
  const expected: Record<string, Record<string, string>> = {
    'qkeras_3layer.json': {
      'fc1.kernel': 'fixed<6,1,TRN,WRAP,0>',
      'fc1.bias': 'fixed<6,1,TRN,WRAP,0>',
      'output.kernel': 'fixed<6,1,TRN,WRAP,0>',
      'relu1.result': 'ufixed<6,0,RND_CONV,SAT,0>',
    },
    'qkeras_mnist_cnn.json': {
      'q_conv2d.kernel': 'fixed<6,1,TRN,WRAP,0>',
      'q_dense.bias': 'fixed<6,1,TRN,WRAP,0>',
      'q_activation.result': 'ufixed<6,0,RND_CONV,SAT,0>',
    },
    'qkeras_mnist_dense.json': {
      'q_dense_2.kernel': 'int<4>',
      'q_dense_2.bias': 'fixed<2,1,TRN,WRAP,0>',
      'q_dense_3.kernel': 'fixed<4,1,TRN,WRAP,0>',
      'q_dense_3.bias': 'fixed<4,1,TRN,WRAP,0>',
      'q_activation_2.result': 'ufixed<2,0,RND_CONV,SAT,0>',
      'q_activation_3.result': 'ufixed<3,1,RND_CONV,SAT,0>',
    },
  };

  for (const f of files) {
    it(`${f}: quantizer types, and every weight quantizes`, async () => {
      const topo = JSON.parse(readFileSync(join(modelDir!, f), 'utf8')) as Json;
      const get = await h5Reader(join(modelDir!, f.replace(/\.json$/, '_weights.h5')));
      const seen: Record<string, string> = {};
      for (const l of topo.config.layers as Json[]) {
        const n = l.config.name as string;
        if (l.class_name === 'QActivation') {
          const q = parseQKerasQuantizer(l.config.activation, ctx(n, 'activation'));
          expect(qactivationLayer(q, ctx(n)).activation).toBe('relu');
          seen[`${n}.result`] = hls4mlPrecisionString(activationResultPrecision(q, ctx(n, 'activation')));
        }
        if (!['QDense', 'QConv2D'].includes(l.class_name)) continue;
        for (const [v, key] of [['kernel', 'kernel'], ['bias', 'bias']] as const) {
          const info = hls4mlWeightQuantizer(parseQKerasQuantizer(l.config[`${v}_quantizer`], ctx(n, `${v}_quantizer`)), v, ctx(n, `${v}_quantizer`));
          seen[`${n}.${v}`] = hls4mlPrecisionString(info.precision);
          expect(factorizeAlphaApplies(l.class_name.slice(1), info, null)).toBe(false);
          const wdata = get(`${n}/${n}/${key}:0`);
          const qw = quantizeWeights(info, wdata.data, wdata.shape, `${n}.${v}`);
          expect(qw.values.every((x) => Number.isFinite(x))).toBe(true);
          if (info.precision.kind === 'exponent') {
            // quantized_po2(4, max_value=1): exponents in [−8, 0], values exactly ±2^e
            expect(qw.po2!.exponent.every((e) => e >= -8 && e <= 0)).toBe(true);
            qw.values.forEach((x, i) => expect(Math.abs(x)).toBe(2 ** qw.po2!.exponent[i]!));
          } else {
            // quantized_bits values are on the type's grid and inside its range (codes print exactly)
            const ty = precisionStorageType(info.precision);
            const raw = weightsToRaw(qw.values, ty).raw;
            qw.values.forEach((x, i) => expect(raw[i]! * 2 ** (ty.I - ty.W)).toBe(x));
          }
        }
      }
      for (const [k, v] of Object.entries(expected[f] ?? {})) expect(seen[k], k).toBe(v);
    });
  }
});
