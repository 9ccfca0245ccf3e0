/**
 * The QONNX model-zoo models (read in place from ../shared/models/qonnx_zoo when present; never
 * copied into the project — see that folder's README for their licences), converted as hls4ml
 * converts them at a wide Model precision (fixed<40,20>) and emulated: every quantized activation
 * (each run-time Quant / BipolarQuant output) is compared code by code with the float64 QONNX
 * execution of the ONNX graph on the same random inputs.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { checkZooModel, ZOO_DIR } from './zoo-harness.js';

/** Equal quantized codes and all codes over every checked tensor. */
function codeTotals(checks: { equal: number; total: number }[]): { eq: number; tot: number } {
  return checks.reduce((a, c) => ({ eq: a.eq + c.equal, tot: a.tot + c.total }), { eq: 0, tot: 0 });
}

const P = 'fixed<40,20>';
const N = 32;

if (!ZOO_DIR) console.warn('test/import-onnx/qonnx-zoo.test.ts: ../shared/models/qonnx_zoo is absent; the QONNX model-zoo checks are skipped');

describe.skipIf(!ZOO_DIR)(`QONNX model zoo (${ZOO_DIR ?? 'absent: skipped'}) at ${P}`, () => {
  const exact: [string, number, number][] = [
    ['qkeras_jettagging', -2, 2],
    ['TFC_2W2A', 0, 1],
    ['TFC_1W2A', 0, 1],
  ];
  for (const [name, lo, hi] of exact) {
    it(`${name}: every quantized activation equals QONNX on ${N} random inputs`, () => {
      const r = checkZooModel(join(ZOO_DIR!, `${name}.onnx`), P, N, lo, hi);
      expect(r.checks.length).toBeGreaterThanOrEqual(3);
      for (const c of r.checks) expect(`${c.tensor}@${c.layer}: ${c.equal}/${c.total}`).toBe(`${c.tensor}@${c.layer}: ${c.total}/${c.total}`);
      expect(r.agree).toBeGreaterThanOrEqual(31);
    }, 120_000);
  }

  it(`unsw_nb15-mlp-w2a2 (non-power-of-two scales → ApplyAlpha): ≥ 99 % of the quantized codes equal QONNX, ≥ 31/${N} outputs agree`, () => {
    const r = checkZooModel(join(ZOO_DIR!, 'unsw_nb15-mlp-w2a2.onnx'), P, N, -2, 2);
    expect(r.checks.length).toBe(4);
    const { eq, tot } = codeTotals(r.checks);
    expect(eq / tot).toBeGreaterThanOrEqual(0.99);
    expect(r.agree).toBeGreaterThanOrEqual(31);
    const cls = r.fw.layers.map((l) => l.cls);
    // each activation Quant is one ApplyAlpha (1/s, its codes' type merged in); the rescales and
    // biases merged into the BatchNormalizations; the output BipolarQuant a threshold layer
    // plus the input's Add(x, 1), which hls4ml cannot move below the first MatMul (non-zero bias)
    expect(cls.filter((c) => c === 'ApplyAlpha').length).toBe(4);
    expect(r.fw.layers[0]!.name).toBe('bn_Add');
    expect(cls[cls.length - 1]).toBe('BatchNormalizationQuantizedTanh');
    const aa = r.fw.layers.find((l) => l.cls === 'ApplyAlpha' && l.name.endsWith('_scale'))!;
    expect(aa.types.result).toMatchObject({ W: 8, I: 8, signed: false, Q: 'AP_RND_CONV', O: 'AP_SAT' });
  }, 120_000);

  it("TFC_1W1A: converted as hls4ml converts it — the input's binary codes equal QONNX, then hls4ml's quantize_dense_output makes every binary weight +1 (warned)", () => {
    const r = checkZooModel(join(ZOO_DIR!, 'TFC_1W1A.onnx'), P, N, 0, 1);
    expect(r.checks.length).toBe(4);
    expect(r.checks[0]!.equal).toBe(r.checks[0]!.total);
    const dense = r.fw.layers.filter((l) => l.cls === 'Dense');
    expect(dense.length).toBe(4);
    for (const d of dense) {
      expect(Array.from(d.weights.weight as Float64Array).every((w) => w === 1)).toBe(true);
      expect(d.config).toMatchObject({ product: 'both_binary' });
    }
    expect(dense.map((d) => d.types.result.W)).toEqual([12, 8, 8, 8]);
    expect(r.warnings.filter((w) => /quantize_dense_output re-applies BinaryQuantizer/.test(w)).length).toBe(4);
    expect(r.warnings.some((w) => /negative scales/.test(w))).toBe(true);
    // the trained network is not what the firmware computes: later codes differ from QONNX
    expect(r.checks[3]!.equal).toBeLessThan(r.checks[3]!.total);
  }, 120_000);

  it(`kwsmlp_w3a3 (256 per-output-channel weight scales per MatMul): converted with the scales moved below the MatMuls (warned: hls4ml 1.3 fails here), ≥ 99 % of the codes equal QONNX, ≥ 31/${N} outputs agree`, () => {
    const r = checkZooModel(join(ZOO_DIR!, 'kwsmlp_w3a3.onnx'), P, N, -2, 2);
    expect(r.checks.length).toBe(4);
    const { eq, tot } = codeTotals(r.checks);
    expect(tot).toBe(N * (490 + 3 * 256));
    expect(eq / tot).toBeGreaterThanOrEqual(0.99);
    expect(r.agree).toBeGreaterThanOrEqual(31);
    // the three hidden MatMuls: 3-bit integer-code weights, their per-output-channel rescale merged
    // into the BatchNormalization after them (with the data-side activation rescale)
    const L = Object.fromEntries(r.imp.model.layers.map((l) => [l.name, l]));
    for (const [mm, q] of [['MatMul_11', 'Quant_9'], ['MatMul_24', 'Quant_22'], ['MatMul_37', 'Quant_35']] as const) {
      expect(L[mm]!.quantizers!.weight).toMatchObject({ W: 3, I: 3, signed: true });
      expect(L[mm]!.weights.kernel!.data.every((w) => Number.isInteger(w) && Math.abs(w) <= 4)).toBe(true);
      expect(new Set(L[`${q}_rescale`]!.weights.scale!.data).size).toBeGreaterThan(1);
      expect(r.fw.layers.some((l) => l.name === `${q}_rescale`)).toBe(false);
      expect(r.warnings.filter((w) => w.startsWith(`${mm}: the weights' Quant '${q}' has 256 per-output-channel scales; hls4ml 1.3 fails on this model`)).length).toBe(1);
    }
    expect(r.warnings.every((w) => !/Quant_48/.test(w))).toBe(true); // the output MatMul's weights have one scale
    expect(r.fw.layers.filter((l) => l.cls === 'BatchNormalization').length).toBe(3);
  }, 120_000);
});
