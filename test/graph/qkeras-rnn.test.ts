/**
 * QKeras recurrent layers (QSimpleRNN, QLSTM, QGRU) converted as hls4ml 1.3 converts them:
 * parse_qrnn_layer (converters/keras/qkeras.py) turns them into plain SimpleRNN/LSTM/GRU layers
 * whose quantizers only name types in config_from_keras_model (utils/config.py make_layer_config);
 * model/layers.py LSTM/GRU.initialize create the weights without a quantizer, so the firmware holds
 * the float weights cast to those types. The float reference is QKeras' cell (quantized weights,
 * quantizer activations, the state quantizer on h and c before every step). Models are built here
 * (test/import/qkeras-builder.ts).
 */
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/errors.js';
import { formatFixedType, parseFixedType, type FixedType } from '../../src/fixed/index.js';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { weightsToRaw } from '../../src/graph/weights.js';
import { Emulator } from '../../src/emulate/predict.js';
import { evaluateFloat } from '../../src/emulate/float.js';
import { evalQKeras, parseQKerasQuantizer } from '../../src/import/qkeras/quantizers.js';
import { q, qbits, qkerasGraph, qrelu, qrnn, rng, type BuiltLayer } from '../import/qkeras-builder.js';
import type { FirmwareGraph } from '../../src/graph/firmware.js';

const t = (s: string) => formatFixedType(parseFixedType(s));
const fmt = (x: FixedType | undefined) => (x ? formatFixedType(x) : 'none');
const layer = (fw: FirmwareGraph, name: string) => {
  const L = fw.layers.find((l) => l.name === name);
  if (!L) throw new Error(`no layer ${name}`);
  return L as unknown as { cls: string; config: Record<string, unknown>; types: Record<string, FixedType | undefined>; weights: Record<string, Float64Array | undefined> };
};
function thrown(fn: () => unknown): Error & { path?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { path?: string };
  }
  throw new Error('expected a throw');
}
const realTanh = (bits: number) => q('quantized_tanh', { bits, symmetric: false, use_real_tanh: true, use_stochastic_rounding: false });
const realSigmoid = (bits: number) => q('quantized_sigmoid', { bits, symmetric: false, use_real_sigmoid: true, use_stochastic_rounding: false });
const T = 5;
const N_IN = 3;
const U = 4;
const inputs = (n: number, seed: number) => {
  const r = rng(seed);
  return Float64Array.from({ length: n * T * N_IN }, () => Math.round((2 * r() - 1) * 1024) / 1024);
};
const graph = (l: BuiltLayer) => qkerasGraph('m', [T, N_IN], [l]);

describe('QLSTM / QGRU: the types config_from_keras_model writes, and what reaches the firmware', () => {
  const quant = { kernel: qbits(8, 0), recurrent: qbits(8, 0), bias: qbits(8, 1), state: qbits(10, 2) };
  const lstm = graph(qrnn('QLSTM', 'qlstm', N_IN, U, quant, rng(1), { activation: realTanh(8), recurrentActivation: realSigmoid(6) }));

  it("'name' granularity: kernel → weight, recurrent → recurrent_weight, bias → bias, state → accum, activation → result (utils/config.py make_layer_config)", () => {
    const cfg = configFromModel(lstm, { granularity: 'name' });
    // parse_qrnn_layer sets weight/recurrent_weight/bias/accum_quantizer; the activation quantizer
    // (get_activation_quantizer) is written as 'result' by _get_precision_from_quantizer; the
    // recurrent activation's dict is stored as 'recurrent_activation_config', which is not a
    // '*quantizer*' key, so it names no type.
    expect(cfg.LayerName!.qlstm!.Precision).toEqual({
      result: 'fixed<8,1,RND_CONV,SAT,0>',
      weight: 'fixed<8,1,TRN,WRAP,0>',
      bias: 'fixed<8,2,TRN,WRAP,0>',
      recurrent_weight: 'fixed<8,1,TRN,WRAP,0>',
      recurrent_bias: 'auto',
      accum: 'fixed<10,3,TRN,WRAP,0>',
    });
    const fw = convertModel(lstm, cfg);
    const L = layer(fw, 'qlstm');
    expect(L.cls).toBe('LSTM');
    expect(L.config.activation).toBe('tanh'); // quantized_tanh(use_real_tanh) → 'tanh'
    expect(L.config.recurrent_activation).toBe('sigmoid');
    expect(fmt(L.types.weight)).toBe(t('fixed<8,1>'));
    expect(fmt(L.types.recurrent_weight)).toBe(t('fixed<8,1>'));
    expect(fmt(L.types.bias)).toBe(t('fixed<8,2>'));
    expect(fmt(L.types.accum)).toBe(t('fixed<10,3>'));
    expect(fmt(L.types.result)).toBe(t('fixed<8,1,RND_CONV,SAT>'));
    // _infer_rnn_precision: the 'auto' recurrent bias gets the Model default
    expect(fmt(L.types.recurrent_bias)).toBe(t('fixed<16,6>'));
  });

  it('the weights are the float kernel cast to the type, not the quantizer\'s values (model/layers.py LSTM.initialize: add_weights() without a quantizer)', () => {
    const fw = convertModel(lstm, configFromModel(lstm, { granularity: 'name' }));
    const L = layer(fw, 'qlstm');
    const k = lstm.layers[1]!.weights.kernel!;
    const ty = parseFixedType('fixed<8,1>');
    expect(Array.from(L.weights.weight!)).toEqual(Array.from(weightsToRaw(k.data, ty).raw as ArrayLike<number>));
    const qk = evalQKeras(parseQKerasQuantizer(qbits(8, 0), { layer: 'qlstm', field: 'kernel_quantizer' }), { data: Float32Array.from(k.data), shape: k.shape }, 'k').values;
    const qraw = weightsToRaw(Float64Array.from(qk), ty).raw;
    // QKeras rounds to nearest, the firmware truncates the float value: some codes differ
    const differ = Array.from(qraw).filter((v, i) => v !== L.weights.weight![i]).length;
    expect(differ).toBeGreaterThan(0);
    expect(fw.warnings!.some((w) => w.startsWith('qlstm: hls4ml does not apply the kernel_quantizer, recurrent_quantizer, bias_quantizer of a QLSTM'))).toBe(true);
    expect(fw.warnings!.some((w) => w.startsWith('qlstm: state_quantizer:'))).toBe(true);
    expect(fw.warnings!.some((w) => w.startsWith('qlstm: recurrent_activation quantizer quantized_sigmoid'))).toBe(true);
  });

  it('a kernel value outside the quantizer\'s range wraps in the firmware where QKeras clips it', () => {
    const l = qrnn('QLSTM', 'ql', 1, 1, { kernel: qbits(4, 0) }, rng(9));
    l.weights![0]!.data[0] = 1.3; // quantized_bits(4, 0): QKeras clips to 0.875; fixed<4,1> (TRN, WRAP) wraps 1.3 to −0.75
    const m = qkerasGraph('m', [2, 1], [l]);
    const qk = evalQKeras(parseQKerasQuantizer(qbits(4, 0), { layer: 'ql', field: 'kernel_quantizer' }), { data: Float32Array.of(1.3), shape: [1] }, 'k').values[0];
    expect(qk).toBe(0.875);
    const L = layer(convertModel(m, configFromModel(m, { granularity: 'name' })), 'ql');
    expect(fmt(L.types.weight)).toBe(t('fixed<4,1>'));
    expect(Number(L.weights.weight![0])).toBe(-6); // raw of −0.75 at 3 fractional bits
  });

  it("'model' granularity: the quantizers name nothing, every type is the default (and the activation type is warned about)", () => {
    const fw = convertModel(lstm);
    const L = layer(fw, 'qlstm');
    for (const v of ['weight', 'recurrent_weight', 'bias', 'accum', 'result']) expect(fmt(L.types[v])).toBe(t('fixed<16,6>'));
    expect(fw.warnings!.some((w) => w.startsWith("qlstm: the QKeras activation quantizer's type fixed<8,1,RND_CONV,SAT,0>"))).toBe(true);
  });

  it("'type' granularity: the entry is written under QLSTM, which hls4ml never looks up (it uses LSTM)", () => {
    const cfg = configFromModel(lstm, { granularity: 'type' });
    expect(Object.keys(cfg.LayerType!)).toContain('QLSTM');
    const L = layer(convertModel(lstm, cfg), 'qlstm');
    expect(fmt(L.types.weight)).toBe(t('fixed<16,6>'));
  });

  it('QGRU: the bias quantizer types the input bias (Keras bias row 0); the recurrent bias (row 1) is the default', () => {
    const gru = graph(qrnn('QGRU', 'qgru', N_IN, U, { kernel: qbits(6, 0), recurrent: qbits(7, 0), bias: qbits(8, 2) }, rng(2), { activation: qrelu(8, 3), recurrentActivation: realSigmoid(8) }));
    const cfg = configFromModel(gru, { granularity: 'name' });
    expect(cfg.LayerName!.qgru!.Precision).toEqual({
      result: 'ufixed<8,3,RND_CONV,SAT,0>',
      weight: 'fixed<6,1,TRN,WRAP,0>',
      bias: 'fixed<8,3,TRN,WRAP,0>',
      recurrent_weight: 'fixed<7,1,TRN,WRAP,0>',
      recurrent_bias: 'auto',
    });
    const L = layer(convertModel(gru, cfg), 'qgru');
    expect(L.cls).toBe('GRU');
    expect(L.config.activation).toBe('relu'); // quantized_relu → 'relu'
    expect(fmt(L.types.bias)).toBe(t('fixed<8,3>'));
    expect(fmt(L.types.recurrent_bias)).toBe(t('fixed<16,6>'));
    const b = gru.layers[1]!.weights.bias!;
    expect(Array.from(L.weights.recurrent_bias!)).toEqual(Array.from(weightsToRaw(b.data.subarray(3 * U), parseFixedType('fixed<16,6>')).raw as ArrayLike<number>));
  });
});

describe('QKeras recurrent layers: what hls4ml refuses', () => {
  const r = rng(5);
  it('a hard tanh / sigmoid activation quantizer (hls4ml asserts "Hard activation not supported")', () => {
    for (const [key, opts] of [
      ['activation', { activation: q('quantized_tanh', { bits: 8, symmetric: false, use_real_tanh: false }) }],
      ['recurrent_activation', { recurrentActivation: q('quantized_sigmoid', { bits: 8, symmetric: false, use_real_sigmoid: false }) }],
    ] as const) {
      const e = thrown(() => graph(qrnn('QLSTM', 'ql', N_IN, U, {}, r, opts)));
      expect(e).toBeInstanceOf(UnsupportedError);
      expect(e.path).toContain(key);
      expect(e.message).toContain('Hard activation not supported');
    }
  });

  it("QKeras' default recurrent activation 'hard_sigmoid' and a quantized_bits activation ('linear') have no recurrent kernel", () => {
    const a = graph(qrnn('QLSTM', 'ql', N_IN, U, {}, r, { recurrentActivation: 'hard_sigmoid' }));
    expect(thrown(() => convertModel(a)).message).toContain("'hard_sigmoid' has no nnet::activation class");
    const b = graph(qrnn('QGRU', 'qg', N_IN, U, {}, r, { activation: qbits(8, 2) }));
    expect(thrown(() => convertModel(b)).message).toContain("'linear' has no nnet::activation class");
  });

  it('a QKeras activation written as a string', () => {
    const e = thrown(() => graph(qrnn('QLSTM', 'ql', N_IN, U, {}, r, { activation: 'quantized_tanh(4)' })));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.message).toContain("keeps the string 'quantized_tanh(4)'");
  });

  it('QSimpleRNN converts to SimpleRNN, which has no Vivado template', () => {
    const m = graph(qrnn('QSimpleRNN', 'qs', N_IN, U, { kernel: qbits(8, 0) }, r));
    const e = thrown(() => convertModel(m));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.message).toContain('no Vivado SimpleRNN template');
  });

  it('int<2> weights (quantized_bits(2, 2) at name granularity) select the weight_ternary product', () => {
    const m = graph(qrnn('QLSTM', 'ql', N_IN, U, { kernel: qbits(2, 2) }, r));
    const e = thrown(() => convertModel(m, configFromModel(m, { granularity: 'name' })));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.path).toBe('ql.weight_t');
  });

  it('in a Keras 3 model', () => {
    const m = qkerasGraph('m', [T, N_IN], [qrnn('QGRU', 'qg', N_IN, U, {}, r)], 'keras3');
    expect(thrown(() => convertModel(m)).message).toContain("hls4ml 1.3's Keras 3 front end has no QKeras handler");
  });
});

describe('QKeras recurrent layers: float reference and emulation', () => {
  it("the float reference is QKeras' cell: quantized weights, the quantizer activation, the state quantizer before every step", () => {
    // one unit, one input: h1 = qa(q(w)·x1 + q(b)); h2 = qa(q(w)·x2 + q(u)·qs(h1) + q(b))
    const l = qrnn('QSimpleRNN', 'qs', 1, 1, { kernel: qbits(4, 0), recurrent: qbits(4, 0), bias: qbits(4, 0), state: qbits(3, 0) }, rng(7), { activation: realTanh(6) });
    l.weights = [
      { name: 'kernel', shape: [1, 1], data: Float32Array.of(0.53) },
      { name: 'recurrent_kernel', shape: [1, 1], data: Float32Array.of(-0.71) },
      { name: 'bias', shape: [1], data: Float32Array.of(0.1) },
    ];
    const m = qkerasGraph('m', [2, 1], [l]);
    const y = evaluateFloat(m, { data: Float64Array.of(0.9, -0.4), shape: [1, 2, 1] }).values[0]!;
    const qa = (v: number) => Math.min(31 / 32, Math.max(-1, Math.round(Math.tanh(v) * 32) / 32)); // quantized_tanh(6), real tanh
    const qs = (v: number) => Math.min(3 / 4, Math.max(-1, Math.round(v * 4) / 4)); // quantized_bits(3, 0)
    // quantized_bits(4, 0): step 1/8 → 0.53 → 0.5, −0.71 → −0.75, 0.1 → 0.125
    const h1 = qa(0.5 * 0.9 + 0.125);
    const h2 = qa(0.5 * -0.4 + -0.75 * qs(h1) + 0.125);
    expect(y).toBeCloseTo(h2, 12);
  });

  it('at wide precision the emulated QLSTM / QGRU follow QKeras within 0.01 (fine quantizers), and the float weights, not the quantized ones, with coarse quantizers', () => {
    const wide = (name: string) => ({ Model: { Precision: 'fixed<32,10>' }, LayerName: { [name]: { table_t: 'fixed<24,4>', TableSize: 4096 } } });
    const x = inputs(20, 11);
    for (const cls of ['QLSTM', 'QGRU'] as const) {
      const fine = graph(qrnn(cls, 'rnn', N_IN, U, { kernel: qbits(16, 1), recurrent: qbits(16, 1), bias: qbits(16, 1), state: qbits(20, 3) }, rng(3), { activation: realTanh(16), recurrentActivation: realSigmoid(16) }));
      const y = new Emulator(convertModel(fine, wide('rnn'))).predict({ data: x, shape: [20, T, N_IN] }).values;
      const f = evaluateFloat(fine, { data: x, shape: [20, T, N_IN] }).values;
      const err = Math.max(...Array.from(y, (v, i) => Math.abs(v - f[i]!)));
      expect(err, cls).toBeLessThan(0.01);
      // coarse weight quantizers: hls4ml ignores them, so the firmware is the float LSTM of the raw weights
      const coarseL = qrnn(cls, 'rnn', N_IN, U, { kernel: qbits(3, 0), recurrent: qbits(3, 0), bias: qbits(3, 0) }, rng(3), { activation: realTanh(16), recurrentActivation: realSigmoid(16) });
      const coarse = graph(coarseL);
      const plainL: BuiltLayer = { ...coarseL, cls: cls.slice(1), config: { ...coarseL.config, activation: 'tanh', recurrent_activation: 'sigmoid' } };
      const plainM = graph(plainL);
      const yc = new Emulator(convertModel(coarse, wide('rnn'))).predict({ data: x, shape: [20, T, N_IN] }).values;
      const fq = evaluateFloat(coarse, { data: x, shape: [20, T, N_IN] }).values;
      const fp = evaluateFloat(plainM, { data: x, shape: [20, T, N_IN] }).values;
      const toPlain = Math.max(...Array.from(yc, (v, i) => Math.abs(v - fp[i]!)));
      const toQKeras = Math.max(...Array.from(yc, (v, i) => Math.abs(v - fq[i]!)));
      expect(toPlain, cls).toBeLessThan(0.01);
      expect(toQKeras, cls).toBeGreaterThan(0.05);
    }
  });
});
