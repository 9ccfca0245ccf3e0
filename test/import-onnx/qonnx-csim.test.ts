/**
 * C simulation of converted QONNX models (needs AP_TYPES_INCLUDE; skipped otherwise): models whose
 * Quant nodes take hls4ml's ApplyAlpha route (non-power-of-two scales, a zero-point) keep ApplyAlpha
 * layers in the firmware, and the emitted C++ computes exactly what the emulator computes. The
 * UNSW-NB15 and TFC_1W1A zoo models too, when ../shared/models/qonnx_zoo is present.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csimProject, emitProject, emulatorReference } from '../../src/emit/index.js';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import type { FirmwareGraph } from '../../src/graph/firmware.js';
import { importOnnx } from '../../src/import/onnx.js';
import { apTypes } from '../emit/helpers.js';
import { GraphBuilder } from './builder.js';
import { ZOO_DIR } from './zoo-harness.js';

const AP = apTypes();
const tmp = mkdtempSync(join(tmpdir(), 'hlsemu-qonnx-csim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
if (!AP) console.warn('test/import-onnx/qonnx-csim.test.ts: AP_TYPES_INCLUDE is not set; the QONNX C-simulation tests are skipped');

async function againstEmulator(fw: FirmwareGraph, dir: string): Promise<void> {
  const em = emitProject(fw, join(tmp, dir));
  const r = await csimProject(em.dir, { reference: emulatorReference(fw) });
  expect(r.mismatches).toEqual([]);
  expect(r.failed).toBe(0);
  expect(r.passed).toBe(em.manifest.samples);
}

function quant(g: GraphBuilder, x: string, name: string, s: number, bits: number, signed: boolean, z = 0): string {
  return g.node('Quant', [x, g.scalar(`${name}_s`, s), g.scalar(`${name}_z`, z), g.scalar(`${name}_b`, bits)], { signed: signed ? 1 : 0, narrow: 0, rounding_mode: 'ROUND' }, { name, domain: 'qonnx.custom_op.general' });
}

/** Non-power-of-two input, weight and activation scales, and an activation zero-point (whose rescale keeps a bias and stays an ApplyAlpha). */
function alphaMlp(): Uint8Array {
  const g = new GraphBuilder(31);
  let x = quant(g, g.input('x', ['N', 10]), 'Quant_in', 0.037, 8, true);
  x = g.node('MatMul', [x, quant(g, g.init('W0', [10, 8]), 'Quant_w0', 0.21, 4, true)], {}, { name: 'MatMul_0' });
  x = g.node('Relu', [x], {}, { name: 'Relu_0' });
  x = quant(g, x, 'Quant_a0', 0.13, 5, false, 3);
  x = g.node('MatMul', [x, quant(g, g.init('W1', [8, 6]), 'Quant_w1', 0.25, 4, true)], {}, { name: 'MatMul_1' });
  x = g.node('Add', [x, g.init('b1', [6])], {}, { name: 'Add_1' });
  x = quant(g, x, 'Quant_a1', 0.3, 6, true);
  return g.bytes([x], 13, { 'qonnx.custom_op.general': 1 });
}

describe.skipIf(!AP)('C simulation of QONNX models with ApplyAlpha layers', () => {
  for (const io of ['io_parallel', 'io_stream'] as const) {
    it(`generated MLP with non-power-of-two scales and a zero-point (${io})`, async () => {
      const { model } = importOnnx(alphaMlp());
      const fw = convertModel(model, { ...configFromModel(model, { granularity: 'name', defaultPrecision: 'fixed<24,10>' }), IOType: io });
      expect(fw.layers.filter((l) => l.cls === 'ApplyAlpha').length).toBeGreaterThanOrEqual(3);
      await againstEmulator(fw, `alpha_mlp_${io}`);
    }, 600_000);
  }

  it.skipIf(!ZOO_DIR)('UNSW-NB15 and TFC_1W1A from the QONNX zoo (io_parallel)', async () => {
    for (const f of ['unsw_nb15-mlp-w2a2', 'TFC_1W1A']) {
      const { model } = importOnnx(join(ZOO_DIR!, `${f}.onnx`));
      const fw = convertModel(model, configFromModel(model, { granularity: 'name' }));
      await againstEmulator(fw, f);
    }
  }, 900_000);
});
