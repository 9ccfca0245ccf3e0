/**
 * QConv2DBatchnorm as hls4ml 1.3 converts it (docs/qkeras.md, "QConv2DBatchnorm"): a JSON + weights
 * .h5 model as tf.keras 2 saves it (nested batch_normalization weights, the iteration counter), the
 * folded and quantized weights against the rule of hls4ml's `Conv2DBatchnorm._get_folded_weights`
 * and `initialize` (hls4ml/model/layers.py), written out here independently, the hls4ml class
 * (`Conv2DBatchnorm` LayerType lookups, QKerasFactorizeAlpha), hls4ml's departures (no bias
 * quantizer, Resource strategy, no kernel quantizer), and the emulation against QKeras' inference.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError, UnsupportedError } from '../../src/errors.js';
import { formatFixedType, parseFixedType, type FixedType } from '../../src/fixed/index.js';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import type { FirmwareGraph } from '../../src/graph/firmware.js';
import type { ModelGraph } from '../../src/graph/model.js';
import { weightsToRaw } from '../../src/graph/weights.js';
import { Emulator } from '../../src/emulate/predict.js';
import { evaluateFloat } from '../../src/emulate/float.js';
import { loadModel } from '../../src/import/index.js';
import { hls4mlWeightQuantizer, parseQKerasQuantizer, quantizeWeights } from '../../src/import/qkeras/quantizers.js';
import { foldConvBatchnorm } from '../../src/layers/qkeras.js';
import { fwLayer, thrown } from './helpers.js';
import { plain, qbits, qconv2dbn, qdense, qkerasGraph, qrelu, rng, writeQKeras, type BuiltLayer } from '../import/qkeras-builder.js';

const tmp = mkdtempSync(join(tmpdir(), 'hlsemu-qconvbn-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const f32 = Math.fround;
const t = (s: string) => formatFixedType(parseFixedType(s));
const layer = fwLayer;
const weightOf = (l: BuiltLayer, name: string) => l.weights!.find((w) => w.name === name || w.name.endsWith(`/${name}`))!.data;

/**
 * hls4ml/model/layers.py `Conv2DBatchnorm._get_folded_weights`, in NumPy float32:
 * inv = np.reciprocal(np.sqrt(moving_variance + epsilon)); inv *= gamma;
 * folded_kernel = inv * kernel (broadcast over the last, filter, axis);
 * folded_bias = inv * (bias - moving_mean) (bias 0 when None); folded_bias += beta.
 */
function hls4mlFold(l: BuiltLayer): { kernel: Float32Array; bias: Float32Array } {
  const F = l.config.filters as number;
  const eps = f32(l.config.epsilon as number);
  const gamma = weightOf(l, 'gamma');
  const beta = weightOf(l, 'beta');
  const mean = weightOf(l, 'moving_mean');
  const variance = weightOf(l, 'moving_variance');
  const hasBias = l.config.use_bias !== false;
  const bias = hasBias ? weightOf(l, 'bias') : new Float32Array(F);
  const inv = new Float32Array(F);
  for (let f = 0; f < F; f++) {
    inv[f] = f32(Math.sqrt(f32(variance[f]! + eps)));
    inv[f] = f32(1 / inv[f]!);
    inv[f] = f32(inv[f]! * gamma[f]!);
  }
  const k = weightOf(l, 'kernel');
  const kernel = Float32Array.from(k, (w, i) => inv[i % F]! * w);
  const fb = Float32Array.from(inv, (s, f) => s * f32(bias[f]! - mean[f]!));
  for (let f = 0; f < F; f++) fb[f] = f32(fb[f]! + beta[f]!);
  return { kernel, bias: fb };
}

/** The firmware raw values of float data quantized by a QKeras quantizer (hls4ml's `quantizer(data)`, printed and read back). */
function quantizedRaw(cfg: Record<string, unknown>, v: 'kernel' | 'bias', data: Float32Array, shape: number[], type: FixedType): number[] {
  const ctx = { layer: 'cbn', field: `${v}_quantizer` };
  const info = hls4mlWeightQuantizer(parseQKerasQuantizer(cfg, ctx), v, ctx);
  return Array.from(weightsToRaw(quantizeWeights(info, data, shape).values, type).raw);
}

const inputs = (n: number, size: number, seed: number): Float64Array[] => {
  const r = rng(seed);
  // on a 2^-4 grid within ±4: exact in the input type used below
  return Array.from({ length: n }, () => Float64Array.from({ length: size }, () => Math.round((2 * r() - 1) * 64) / 16));
};

describe('QConv2DBatchnorm from a JSON + weights .h5 file', async () => {
  const r = rng(31);
  const cbn = qconv2dbn('cbn', 2, 3, 3, qbits(8, 1), qbits(10, 3), r);
  const layers = [cbn, plain('Flatten', 'flat'), qdense('out', 27, 2, qbits(8, 1), qbits(8, 2), r)];
  const m: ModelGraph = await loadModel(await writeQKeras(tmp, 'qcbn', [5, 5, 2], layers));

  it('reads the layer (nested batch_normalization weights, the iteration counter skipped)', () => {
    const l = m.layers.find((x) => x.name === 'cbn')!;
    expect(l.className).toBe('QConv2DBatchnorm');
    expect(Object.keys(l.weights).sort()).toEqual(['beta', 'bias', 'gamma', 'kernel', 'moving_mean', 'moving_variance']);
    expect(l.attrs.epsilon).toBe(0.001);
  });

  it('config_from_keras_model: the quantizer types under the parser class QConv2DBatchnorm', () => {
    const name = configFromModel(m, { granularity: 'name' });
    expect(name.LayerName!.cbn!.Precision).toEqual({ result: 'auto', weight: 'fixed<8,2,TRN,WRAP,0>', bias: 'fixed<10,4,TRN,WRAP,0>' });
    const ty = configFromModel(m, { granularity: 'type' });
    expect(Object.keys(ty.LayerType!)).toContain('QConv2DBatchnorm');
    expect(ty.LayerType!.QConv2DBatchnorm!.Precision).toEqual({ result: 'auto', weight: 'fixed<8,2,TRN,WRAP,0>', bias: 'fixed<10,4,TRN,WRAP,0>' });
  });

  it('weights: quantizer(folded kernel), bias_quantizer(folded bias), as Conv2DBatchnorm.initialize stores them', () => {
    const fw = convertModel(m, configFromModel(m, { granularity: 'name' }));
    const L = layer(fw, 'cbn');
    expect(L.cls).toBe('Conv2D');
    expect(formatFixedType(L.types.weight!)).toBe(t('fixed<8,2>'));
    expect(formatFixedType(L.types.bias!)).toBe(t('fixed<10,4>'));
    const fold = hls4mlFold(cbn);
    const wantW = quantizedRaw(qbits(8, 1), 'kernel', fold.kernel, [3, 3, 2, 3], L.types.weight!);
    const wantB = quantizedRaw(qbits(10, 3), 'bias', fold.bias, [3], L.types.bias!);
    expect(Array.from(L.weights.weight!)).toEqual(wantW);
    expect(Array.from(L.weights.bias!)).toEqual(wantB);
    // the fold changes the values: the unfolded kernel quantizes to something else
    expect(quantizedRaw(qbits(8, 1), 'kernel', weightOf(cbn, 'kernel'), [3, 3, 2, 3], L.types.weight!)).not.toEqual(wantW);
    expect(fw.warnings ?? []).toEqual([]);
  });

  it('emulation == QKeras inference (folded, quantized conv) exactly at wide precision; within the quantization bound of the float conv + BN', () => {
    const cfg = configFromModel(m, { granularity: 'name', defaultPrecision: 'fixed<40,16>' });
    cfg.LayerName!.qcbn_input!.Precision = { result: 'fixed<12,4>' };
    const emu = new Emulator(convertModel(m, cfg));
    // the float conv → BatchNormalization, unquantized (Keras float64 inference of the unfolded layers)
    const k = weightOf(cbn, 'kernel');
    const b = weightOf(cbn, 'bias');
    const [g, be, mu, v] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((n) => weightOf(cbn, n));
    const fold = hls4mlFold(cbn);
    const ctxK = { layer: 'cbn', field: 'kernel_quantizer' };
    const qk = quantizeWeights(hls4mlWeightQuantizer(parseQKerasQuantizer(qbits(8, 1), ctxK), 'kernel', ctxK), fold.kernel, [3, 3, 2, 3]).values;
    const ctxB = { layer: 'cbn', field: 'bias_quantizer' };
    const qb = quantizeWeights(hls4mlWeightQuantizer(parseQKerasQuantizer(qbits(10, 3), ctxB), 'bias', ctxB), fold.bias, [3]).values;
    const dw = Math.max(...Array.from(qk, (w, i) => Math.abs(w - fold.kernel[i]!)));
    const db = Math.max(...Array.from(qb, (w, i) => Math.abs(w - fold.bias[i]!)));
    let maxErr = 0;
    for (const x of inputs(20, 50, 32)) {
      const y = emu.predict({ data: x, shape: [1, 5, 5, 2] }, { trace: true });
      expect(Array.from(y.values)).toEqual(Array.from(evaluateFloat(m, { data: x, shape: [1, 5, 5, 2] }).values));
      const tr = y.trace!.cbn!;
      const conv = Array.from(tr.raw as Float64Array, (raw) => raw * 2 ** -(tr.type.W - tr.type.I));
      let sumAbs = 0;
      for (const xi of x) sumAbs += Math.abs(xi);
      for (let oh = 0; oh < 3; oh++) {
        for (let ow = 0; ow < 3; ow++) {
          for (let f = 0; f < 3; f++) {
            let acc = b[f]!;
            for (let dh = 0; dh < 3; dh++) for (let dwi = 0; dwi < 3; dwi++) for (let c = 0; c < 2; c++) acc += x[((oh + dh) * 5 + ow + dwi) * 2 + c]! * k[((dh * 3 + dwi) * 2 + c) * 3 + f]!;
            const want = ((acc - mu![f]!) * g![f]!) / Math.sqrt(v![f]! + 0.001) + be![f]!;
            const err = Math.abs(conv[(oh * 3 + ow) * 3 + f]! - want);
            maxErr = Math.max(maxErr, err);
            // |Σ x·(w_q − w_fold)| + |b_q − b_fold| + float32 folding (relative 2^-22 of the terms)
            expect(err).toBeLessThanOrEqual(sumAbs * dw + db + 2 ** -20 * (sumAbs + 4));
          }
        }
      }
    }
    expect(maxErr).toBeGreaterThan(0);
  });
});

describe('QConv2DBatchnorm folding', () => {
  it("the float32 fold is _get_folded_weights' bit for bit (the reciprocal rounded before the gamma product, not gamma/sqrt)", () => {
    const F = 256;
    for (const useBias of [true, false]) {
      const cbn = qconv2dbn('cbn', 1, F, 1, qbits(8, 1), qbits(10, 3), rng(useBias ? 51 : 52), { useBias });
      const l = qkerasGraph('f', [2, 2, 1], [cbn]).layers.find((x) => x.name === 'cbn')!;
      const got = foldConvBatchnorm(l);
      const want = hls4mlFold(cbn);
      expect(Array.from(got.kernel)).toEqual(Array.from(want.kernel));
      expect(Array.from(got.bias)).toEqual(Array.from(want.bias));
      // the order is observable: γ/√(σ²+ε) (the BatchNormalization fold) differs in some channels
      const [g, v] = [weightOf(cbn, 'gamma'), weightOf(cbn, 'moving_variance')];
      const eps = f32(0.001);
      const differ = Array.from({ length: F }, (_, f) => f32(g[f]! / f32(Math.sqrt(f32(v[f]! + eps)))) !== f32(f32(1 / f32(Math.sqrt(f32(v[f]! + eps)))) * g[f]!)).filter(Boolean).length;
      expect(differ).toBeGreaterThan(0);
    }
  });
});

describe('QConv2DBatchnorm: hls4ml class and departures', () => {
  const build = (opts: Parameters<typeof qconv2dbn>[7] = {}, kernel: Record<string, unknown> | null = qbits(8, 1), bias: Record<string, unknown> | null = qbits(10, 3)) => {
    const r = rng(41);
    const cbn = qconv2dbn('cbn', 2, 3, 2, kernel, bias, r, opts);
    return { cbn, m: qkerasGraph('q', [4, 4, 2], [cbn, plain('Flatten', 'flat')]) };
  };

  it("LayerType entries apply under hls4ml's class name Conv2DBatchnorm, not Conv2D or QConv2DBatchnorm", () => {
    const { m } = build({}, qbits(8, 1), qbits(10, 3));
    const base = { Model: { Precision: 'fixed<16,6>', ReuseFactor: 1, Strategy: 'Latency' } };
    const res = (LayerType: Record<string, unknown>) => formatFixedType(layer(convertModel(m, { ...base, LayerType } as never), 'cbn').types.result!);
    expect(res({ Conv2DBatchnorm: { Precision: { result: 'fixed<20,9>' } } })).toBe(t('fixed<20,9>'));
    expect(res({ Conv2D: { Precision: { result: 'fixed<20,9>' } } })).toBe(t('fixed<16,6>'));
    expect(res({ QConv2DBatchnorm: { Precision: { result: 'fixed<20,9>' } } })).toBe(t('fixed<16,6>'));
  });

  it('folding_mode and ema_freeze_delay only act in training: the firmware is the same; an unknown mode is refused', () => {
    const a = convertModel(build().m);
    const b = convertModel(build({ extra: { folding_mode: 'batch_stats_folding', ema_freeze_delay: 100 } }).m);
    expect(Array.from(layer(b, 'cbn').weights.weight!)).toEqual(Array.from(layer(a, 'cbn').weights.weight!));
    expect(Array.from(layer(b, 'cbn').weights.bias!)).toEqual(Array.from(layer(a, 'cbn').weights.bias!));
    const e = thrown(() => build({ extra: { folding_mode: 'fold_always' } }).m);
    expect(e).toBeInstanceOf(FormatError);
    expect(e.path).toMatch(/config\.folding_mode$/);
  });

  it('without a bias quantizer the firmware keeps the unfolded conv bias (hls4ml sets only data_unquantized), warned', () => {
    const { cbn, m } = build({}, qbits(8, 1), null);
    const fw = convertModel(m, configFromModel(m, { granularity: 'name', defaultPrecision: 'fixed<24,8>' }));
    const L = layer(fw, 'cbn');
    expect(Array.from(L.weights.bias!)).toEqual(Array.from(weightsToRaw(weightOf(cbn, 'bias'), L.types.bias!).raw));
    expect(fw.warnings!.some((w) => w.startsWith('cbn: hls4ml 1.3 applies the folded bias only through a bias quantizer') && w.includes('the unfolded conv bias'))).toBe(true);
    // QKeras adds the folded bias: the float model departs from the firmware
    const x = inputs(1, 32, 42)[0]!;
    const emu = new Emulator(convertModel(m, configFromModel(m, { granularity: 'name', defaultPrecision: 'fixed<40,16>' })));
    expect(Array.from(emu.predict({ data: x, shape: [1, 4, 4, 2] }).values)).not.toEqual(Array.from(evaluateFloat(m, { data: x, shape: [1, 4, 4, 2] }).values));
  });

  it('use_bias=False: with a bias quantizer hls4ml prints the folded bias into ap_uint<1> (refused); without one the bias is zeros (warned)', () => {
    const e = thrown(() => convertModel(build({ useBias: false }).m));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.path).toMatch(/bias_quantizer$/);
    const fw = convertModel(build({ useBias: false }, qbits(8, 1), null).m);
    const L = layer(fw, 'cbn');
    expect(formatFixedType(L.types.bias!)).toBe(t('ufixed<1,1>'));
    expect(Array.from(L.weights.bias!)).toEqual([0, 0, 0]);
    expect(fw.warnings!.some((w) => w.includes('adds no bias instead of'))).toBe(true);
  });

  it('no kernel quantizer: hls4ml calls the missing quantizer (refused)', () => {
    const e = thrown(() => convertModel(build({}, null, qbits(10, 3)).m));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.path).toMatch(/kernel_quantizer$/);
  });

  it('Strategy Resource: the folded kernel is transposed twice by hls4ml (refused); Latency and Resource_Unrolled at ReuseFactor 1 convert', () => {
    const { m } = build();
    const cfg = configFromModel(m, { granularity: 'name' });
    cfg.LayerName!.cbn!.Strategy = 'Resource';
    const e = thrown(() => convertModel(m, cfg));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.path).toBe('cbn.Strategy');
    cfg.LayerName!.cbn!.Strategy = 'Resource_Unrolled';
    expect(layer(convertModel(m, cfg), 'cbn').config.strategy).toBe('resource');
  });

  it("an alpha on the kernel quantizer is factored out of the folded kernel (QKerasFactorizeAlpha matches Conv2DBatchnorm)", () => {
    const { m } = build({}, qbits(6, 0, { alpha: 'auto_po2', symmetric: true }), qbits(10, 3));
    const fw = convertModel(m, configFromModel(m, { granularity: 'name' }));
    expect(fw.layers.map((l) => `${l.name}:${l.cls}`)).toContain('cbn_alpha:ApplyAlpha');
    const x = inputs(1, 32, 43)[0]!;
    const emu = new Emulator(convertModel(m, configFromModel(m, { granularity: 'name', defaultPrecision: 'fixed<40,16>' })));
    expect(Array.from(emu.predict({ data: x, shape: [1, 4, 4, 2] }).values)).toEqual(Array.from(evaluateFloat(m, { data: x, shape: [1, 4, 4, 2] }).values));
  });

  it('a Keras 3 model is refused as for the other QKeras layers', () => {
    const r = rng(44);
    const e = thrown(() => convertModel(qkerasGraph('k3', [4, 4, 2], [qconv2dbn('cbn', 2, 3, 2, qbits(8, 1), qbits(10, 3), r)], 'keras3')));
    expect(e).toBeInstanceOf(UnsupportedError);
  });
});
