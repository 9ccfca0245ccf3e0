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
});
