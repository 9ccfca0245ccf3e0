/**
 * C simulation of converted QONNX models (needs AP_TYPES_INCLUDE; skipped otherwise): models whose
 * Quant nodes take hls4ml's ApplyAlpha route (non-power-of-two scales, a zero-point) keep ApplyAlpha
 * layers in the firmware, and the emitted C++ computes exactly what the emulator computes; so do
 * models whose per-output-channel weight scales hlsemu moves below the MatMul, and CNNs whose Conv
 * scales move below the Conv (hls4ml's ScaleDownConv). The UNSW-NB15,
 * TFC_1W1A and KWS zoo models too, when ../shared/models/qonnx_zoo is present.
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

/** Per-output-channel weight scales (moved below the MatMuls by hlsemu), written as Brevitas exports them: a per-row scale, then a Transpose. */
function perChannelMlp(): Uint8Array {
  const g = new GraphBuilder(37);
  const perRow = (name: string, rows: number, cols: number, bits: number) => {
    const s = Array.from({ length: rows }, (_, i) => 0.11 + 0.07 * i);
    const q = g.node('Quant', [g.init(name, [rows, cols]), g.init(`${name}_s`, [rows, 1], s), g.scalar(`${name}_z`, 0), g.scalar(`${name}_b`, bits)], { signed: 1, narrow: 1, rounding_mode: 'ROUND' }, { name: `Quant_${name}`, domain: 'qonnx.custom_op.general' });
    return g.node('Transpose', [q], { perm: [1, 0] });
  };
  let x = quant(g, g.input('x', ['N', 10]), 'Quant_in', 0.037, 8, true);
  x = g.node('MatMul', [x, perRow('W0', 8, 10, 3)], {}, { name: 'MatMul_0' });
  x = g.node('Relu', [x], {}, { name: 'Relu_0' });
  x = quant(g, x, 'Quant_a0', 0.13, 5, false);
  x = g.node('MatMul', [x, perRow('W1', 6, 8, 4)], {}, { name: 'MatMul_1' });
  return g.bytes([x], 13, { 'qonnx.custom_op.general': 1 });
}

/** A CNN whose Conv scales hls4ml's ScaleDownConv moves: a non-power-of-two data scale with one weight scale and a bias (merged into the BatchNormalization after it), then per-filter weight scales. */
function alphaCnn(): Uint8Array {
  const g = new GraphBuilder(41);
  let x = quant(g, g.input('x', ['N', 2, 6, 6]), 'Quant_in', 0.037, 8, true);
  x = g.node('Conv', [x, quant(g, g.init('W0', [3, 2, 3, 3]), 'Quant_w0', 0.21, 4, true), g.init('B0', [3], [0.5, -0.25, 0.125])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'Conv_0' });
  x = g.node('BatchNormalization', [x, g.init('gamma', [3], [0.9, 1.2, 0.7]), g.init('beta', [3], [0.1, -0.2, 0.3]), g.init('mean', [3], [0.05, 0.1, -0.1]), g.init('var', [3], [1.1, 0.8, 1.3])], {}, { name: 'BatchNormalization_0' });
  x = g.node('Relu', [x], {}, { name: 'Relu_0' });
  x = quant(g, x, 'Quant_a0', 0.125, 5, false);
  const s1 = g.init('Quant_w1_s', [4, 1, 1, 1], [0.11, 0.18, 0.25, 0.32]);
  const w1 = g.node('Quant', [g.init('W1', [4, 3, 3, 3]), s1, g.scalar('Quant_w1_z', 0), g.scalar('Quant_w1_b', 4)], { signed: 1, narrow: 1, rounding_mode: 'ROUND' }, { name: 'Quant_w1', domain: 'qonnx.custom_op.general' });
  x = g.node('Conv', [x, w1], { kernel_shape: [3, 3], strides: [2, 2] }, { name: 'Conv_1' });
  return g.bytes([x], 13, { 'qonnx.custom_op.general': 1 });
}

/** Brevitas' Int32Bias: a 32-bit bias Quant at scale s_in·s_w, moved with the data and weight rescales (ScaleDownConv's bias branch). */
function int32BiasCnn(): Uint8Array {
  const g = new GraphBuilder(43);
  const sIn = 0.037;
  const sW = 0.21;
  const x = quant(g, g.input('x', ['N', 2, 6, 6]), 'Quant_in', sIn, 8, true);
  const sB = Math.fround(Math.fround(sIn) * Math.fround(sW));
  const y = g.node('Conv', [x, quant(g, g.init('W0', [3, 2, 3, 3]), 'Quant_w0', sW, 4, true), quant(g, g.init('B0', [3], [0.5, -0.25, 0.125]), 'Quant_b0', sB, 32, true)], { kernel_shape: [3, 3] }, { name: 'Conv_0' });
  return g.bytes([quant(g, g.node('Relu', [y], {}, { name: 'Relu_0' }), 'Quant_a0', 0.125, 5, false)], 13, { 'qonnx.custom_op.general': 1 });
}

describe.skipIf(!AP)('C simulation of QONNX models with ApplyAlpha layers', () => {
  it('generated CNN with an Int32Bias bias rescale (io_parallel)', async () => {
    const { model } = importOnnx(int32BiasCnn());
    const fw = convertModel(model, configFromModel(model, { granularity: 'name', defaultPrecision: 'fixed<24,10>' }));
    expect((fw.layers.find((l) => l.name === 'Conv_0')!.types as Record<string, unknown>).bias).toMatchObject({ W: 32, I: 32 });
    await againstEmulator(fw, 'int32_bias_cnn');
  }, 600_000);

  for (const io of ['io_parallel', 'io_stream'] as const) {
    it(`generated CNN with the Conv scales moved below the Convs (${io})`, async () => {
      const { model } = importOnnx(alphaCnn());
      const fw = convertModel(model, { ...configFromModel(model, { granularity: 'name', defaultPrecision: 'fixed<24,10>' }), IOType: io });
      const last = fw.layers[fw.layers.length - 1]!;
      expect(last.cls).toBe('ApplyAlpha');
      expect(new Set((last.weights as Record<string, Float64Array>).scale).size).toBe(4);
      await againstEmulator(fw, `alpha_cnn_${io}`);
    }, 600_000);
  }

  for (const io of ['io_parallel', 'io_stream'] as const) {
    it(`generated MLP with per-output-channel weight scales (${io})`, async () => {
      const { model } = importOnnx(perChannelMlp());
      const fw = convertModel(model, { ...configFromModel(model, { granularity: 'name', defaultPrecision: 'fixed<24,10>' }), IOType: io });
      // the last layer: the per-output-channel rescale, one scale per output
      const last = fw.layers[fw.layers.length - 1]!;
      expect(last.cls).toBe('ApplyAlpha');
      expect(new Set((last.weights as Record<string, Float64Array>).scale).size).toBe(6);
      expect(fw.warnings!.filter((w) => /per-output-channel scales; hls4ml 1\.3 fails/.test(w)).length).toBe(2);
      await againstEmulator(fw, `per_channel_mlp_${io}`);
    }, 600_000);
  }


  for (const io of ['io_parallel', 'io_stream'] as const) {
    it(`generated MLP with non-power-of-two scales and a zero-point (${io})`, async () => {
      const { model } = importOnnx(alphaMlp());
      const fw = convertModel(model, { ...configFromModel(model, { granularity: 'name', defaultPrecision: 'fixed<24,10>' }), IOType: io });
      expect(fw.layers.filter((l) => l.cls === 'ApplyAlpha').length).toBeGreaterThanOrEqual(3);
      await againstEmulator(fw, `alpha_mlp_${io}`);
    }, 600_000);
  }

  it.skipIf(!ZOO_DIR)('UNSW-NB15, TFC_1W1A and KWS (per-output-channel weight scales) from the QONNX zoo (io_parallel)', async () => {
    for (const f of ['unsw_nb15-mlp-w2a2', 'TFC_1W1A', 'kwsmlp_w3a3']) {
      const { model } = importOnnx(join(ZOO_DIR!, `${f}.onnx`));
      const fw = convertModel(model, configFromModel(model, { granularity: 'name' }));
      await againstEmulator(fw, f);
    }
  }, 900_000);
});
