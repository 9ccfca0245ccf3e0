/**
 * Property: for random QKeras-style models — QDense / QConv2D with quantizers drawn from what
 * hls4ml supports (quantized_bits with alpha 1, None, a number or 'auto_po2'; quantized_po2;
 * binary; ternary), quantized_relu / binary QActivations, a quantized_bits cast on the input — the
 * emulated firmware equals QKeras' own float evaluation of the quantized model exactly, wherever no
 * accumulator or activation overflows (saturation included) and no lookup table is involved. The
 * config is config_from_keras_model's at 'name' granularity with a wide default type
 * (fixed<40,16>), so the untrained tensors are exact.
 *
 * Not drawn (hls4ml departs from QKeras there, warned by the conversion): keep_negative=False
 * kernels, bits == integer, 1-bit quantized_bits, quantized_bits QActivations after a Dense
 * (removed by merge_linear_activation), alpha='auto' (a float32 scale printed into a fixed type).
 * Tolerances and their derivation: docs/testing.md, "Property-test tolerances".
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { Emulator } from '../../src/emulate/predict.js';
import { evaluateFloat } from '../../src/emulate/float.js';
import { plain, q, qact, qbits, qkerasGraph, qrelu, type BuiltLayer } from '../import/qkeras-builder.js';

type Json = Record<string, unknown>;

interface KernelQ {
  cfg: Json;
  /** Largest |weight| the quantizer does not clip. */
  amp: number;
  /** Smallest |weight| (power-of-two quantizers). */
  min?: number;
}

const kernelQ: fc.Arbitrary<KernelQ> = fc.oneof(
  fc.record({ bits: fc.integer({ min: 3, max: 8 }), integer: fc.integer({ min: 0, max: 2 }), symmetric: fc.boolean(), alpha: fc.constantFrom<unknown>(1, null, 0.5, 'auto_po2') })
    .filter((s) => s.bits > s.integer + 1)
    .map((s) => ({ cfg: qbits(s.bits, s.integer, { symmetric: s.alpha === 'auto_po2' ? true : s.symmetric, alpha: s.alpha }), amp: 2 ** s.integer * 0.9 })),
  fc.record({ bits: fc.integer({ min: 3, max: 5 }), unit: fc.boolean() }).map((s) => ({ cfg: q('quantized_po2', { bits: s.bits, max_value: s.unit ? 1 : null }), amp: 1, min: 2 ** -5 })),
  fc.constant({ cfg: q('binary', { alpha: null }), amp: 1 }),
  fc.constantFrom(null, 0.2).map((th) => ({ cfg: q('ternary', { alpha: null, threshold: th }), amp: 1 })),
);

const biasQ = fc.option(
  fc.record({ bits: fc.integer({ min: 4, max: 8 }), integer: fc.integer({ min: 0, max: 2 }) }).map((s) => ({ cfg: qbits(s.bits, s.integer), amp: 2 ** s.integer * 0.9 })),
  { nil: undefined },
);

const activation = fc.constantFrom<'relu' | 'binary' | 'none'>('relu', 'binary', 'none');

interface DenseSpec {
  units: number;
  kq: KernelQ;
  bq: { cfg: Json; amp: number } | undefined;
  act: 'relu' | 'binary' | 'none';
  relu: { bits: number; integer: number };
  seed: number;
}

const denseSpec: fc.Arbitrary<DenseSpec> = fc.record({
  units: fc.integer({ min: 1, max: 6 }),
  kq: kernelQ,
  bq: biasQ,
  act: activation,
  relu: fc.record({ bits: fc.integer({ min: 3, max: 8 }), integer: fc.integer({ min: 0, max: 3 }) }).filter((s) => s.integer < s.bits),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

const modelSpec = fc.record({
  conv: fc.option(fc.record({ C: fc.integer({ min: 1, max: 2 }), F: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 2 }), kq: kernelQ, seed: fc.integer({ min: 1, max: 1 << 30 }) }), { nil: undefined }),
  nIn: fc.integer({ min: 2, max: 8 }),
  inCast: fc.boolean(),
  dense: fc.array(denseSpec, { minLength: 1, maxLength: 3 }),
  xSeed: fc.integer({ min: 1, max: 1 << 30 }),
});

/** Weights on a 2^-6 grid inside the quantizer's unclipped range (away from zero for power-of-two quantizers). */
function weights(seed: number, n: number, k: KernelQ): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Float32Array.from({ length: n }, () => {
    let v = Math.round((2 * next() - 1) * k.amp * 64) / 64;
    if (k.min !== undefined && Math.abs(v) < k.min) v = v < 0 ? -k.min : k.min;
    return v;
  });
}

type ModelSpec = typeof modelSpec extends fc.Arbitrary<infer T> ? T : never;

function build(spec: ModelSpec): { layers: BuiltLayer[]; inputShape: number[] } {
  const layers: BuiltLayer[] = [];
  let inputShape = [spec.nIn];
  let nIn = spec.nIn;
  if (spec.inCast) layers.push(qact('q_in', qbits(8, 3)));
  if (spec.conv) {
    const c = spec.conv;
    const H = 3;
    inputShape = [H, H, c.C];
    const kernel = weights(c.seed, c.k * c.k * c.C * c.F, c.kq);
    layers.push({
      cls: 'QConv2D',
      name: 'conv',
      config: { name: 'conv', filters: c.F, kernel_size: [c.k, c.k], strides: [1, 1], padding: 'valid', activation: 'linear', use_bias: true, kernel_quantizer: c.kq.cfg, bias_quantizer: qbits(8, 2) },
      weights: [
        { name: 'kernel', shape: [c.k, c.k, c.C, c.F], data: kernel },
        { name: 'bias', shape: [c.F], data: weights(c.seed + 1, c.F, { cfg: {}, amp: 1 }) },
      ],
    });
    layers.push(qact('conv_act', qrelu(8, 2)));
    layers.push(plain('Flatten', 'flat'));
    const OH = H - c.k + 1;
    nIn = OH * OH * c.F;
  }
  spec.dense.forEach((d0, i) => {
    const name = `fc${i}`;
    // the output layer keeps its width under 53 bits: no fixed-point alpha scale (BN-rule result of a fixed<40,16> scale)
    const last0 = i === spec.dense.length - 1;
    let d = last0 && (d0.kq.cfg.config as Json).alpha === 0.5 ? { ...d0, kq: { ...d0.kq, cfg: qbits(6, 0) } } : d0;
    const alpha = (d.kq.cfg.config as Json).alpha;
    const scaled = alpha === 0.5 || alpha === 'auto_po2';
    // a fixed-point alpha scale feeds the next Dense a very wide type: give it an activation
    if (alpha === 0.5 && d.act === 'none') d = { ...d, act: 'relu' };
    // binary after an alpha scale merges into BatchNormalizationQuantizedTanh (Xnor data): hls4ml
    // departs from QKeras on the next layer's bias / power-of-two weights (warned), so not drawn
    if (scaled && d.act === 'binary') d = { ...d, act: 'relu' };
    const w = [{ name: 'kernel', shape: [nIn, d.units], data: weights(d.seed, nIn * d.units, d.kq) }];
    if (d.bq) w.push({ name: 'bias', shape: [d.units], data: weights(d.seed + 7, d.units, { cfg: {}, amp: d.bq.amp }) });
    layers.push({ cls: 'QDense', name, config: { name, units: d.units, activation: 'linear', use_bias: !!d.bq, kernel_quantizer: d.kq.cfg, bias_quantizer: d.bq?.cfg ?? null }, weights: w });
    const last = i === spec.dense.length - 1;
    if (!last && d.act === 'relu') layers.push(qact(`${name}_act`, qrelu(d.relu.bits, d.relu.integer)));
    if (!last && d.act === 'binary') layers.push(qact(`${name}_act`, q('binary', { alpha: null })));
    nIn = d.units;
  });
  return { layers, inputShape };
}

describe('property: firmware of a QKeras model == QKeras float evaluation where nothing overflows', () => {
  it('random QKeras-style models', () => {
    let compared = 0;
    fc.assert(
      fc.property(modelSpec, (spec) => {
        const { layers, inputShape } = build(spec);
        const m = qkerasGraph('prop', inputShape, layers);
        const cfg = configFromModel(m, { granularity: 'name', defaultPrecision: 'fixed<40,16>' });
        cfg.LayerName!.prop_input!.Precision = { result: 'fixed<12,4>' };
        const fw = convertModel(m, cfg);
        // chains without activations can infer output types wider than the emulator's 53-bit outputs
        if (fw.layers[fw.layers.length - 1]!.types.result.W > 53) return;
        const emu = new Emulator(fw);
        const size = inputShape.reduce((p, d) => p * d, 1);
        let s = spec.xSeed >>> 0 || 1;
        const next = () => {
          s = (Math.imul(s, 22695477) + 1) >>> 0;
          return s / 2 ** 32;
        };
        for (let k = 0; k < 6; k++) {
          // inputs on a 2^-4 grid within ±4 (exact in every type used)
          const x = Float64Array.from({ length: size }, () => Math.round((2 * next() - 1) * 64) / 16);
          const r = emu.predict({ data: x, shape: [1, ...inputShape] }, { report: true });
          const rep = r.report!;
          const overflow = rep.input.wrapped + rep.input.saturated + rep.layers.reduce((n, l) => n + l.accum.wrapped + l.accum.saturated + l.result.wrapped + l.result.saturated + l.internal.wrapped + l.internal.saturated, 0);
          if (overflow > 0) continue;
          const f = evaluateFloat(m, { data: x, shape: [1, ...inputShape] }).values;
          expect(Array.from(r.values)).toEqual(Array.from(f));
          compared++;
        }
      }),
      { numRuns: 60, seed: 20251202 },
    );
    expect(compared).toBeGreaterThan(100);
  }, 120_000);
});
