/**
 * C simulation of converted QKeras models (needs AP_TYPES_INCLUDE; skipped otherwise): the
 * qkeras_example reference case reproduces hls4ml's own outputs and every traced layer in C++ too,
 * and QKeras models built here — binary/ternary networks (Xnor products, the n_in-corrected binary
 * result, BatchNormalization + quantized tanh thresholds, Xnor max pooling), power-of-two weights in
 * Dense and Conv (weight_exponential, Resource strategy), alpha scales (ApplyAlpha with exponent or
 * fixed-point scales), hard activations, QConv2DBatchnorm's folded weights, QLSTM → QGRU — compute in
 * C++ exactly what the emulator computes, in io_parallel and io_stream. The real QKeras models (read in place when present) too.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import type { FirmwareGraph } from '../../src/graph/firmware.js';
import { csimProject, emitProject, referenceFromExpected } from '../../src/emit/index.js';
import { loadModel } from '../../src/import/index.js';
import { apTypes, emulatorReference } from './helpers.js';
import { bn, plain, q, qact, qbits, qconv2d, qconv2dbn, qdense, qkerasGraph, qrelu, qrnn, rng } from '../import/qkeras-builder.js';

const AP = apTypes();
const tmp = mkdtempSync(join(tmpdir(), 'hlsemu-qkeras-csim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
if (!AP) console.warn('test/emit/qkeras-csim.test.ts: AP_TYPES_INCLUDE is not set; the QKeras C-simulation tests are skipped');

const CASE = join(__dirname, '..', 'golden', 'import', 'qkeras_example');
const MODELS = ['../shared/models/keras', '../../shared/models/keras'].find((d) => existsSync(d));

async function againstEmulator(fw: FirmwareGraph, dir: string): Promise<void> {
  const em = emitProject(fw, join(tmp, dir));
  const r = await csimProject(em.dir, { reference: emulatorReference(fw) });
  expect(r.mismatches).toEqual([]);
  expect(r.failed).toBe(0);
  expect(r.passed).toBe(em.manifest.samples);
}

/** A binary/ternary MLP: BN + binary tanh, Xnor × Xnor and Xnor × fixed Dense, BN + ternary tanh, ternary weights, alpha, hard activations, po2 weights. */
function bnnModel() {
  const r = rng(21);
  return qkerasGraph('bnn', [16], [
    bn('bn0', 16, r),
    qact('s0', 'binary_tanh'),
    qdense('fc1', 16, 12, q('binary', { alpha: null }), null, r, { useBias: false }),
    bn('bn1', 12, r),
    qact('s1', 'binary_tanh'),
    qdense('fc1b', 12, 10, qbits(6, 0), qbits(6, 1), r),
    bn('bn2', 10, r),
    qact('t1', q('ternary', { alpha: null, threshold: 0.3 })),
    qdense('fc2', 10, 8, q('ternary', { alpha: null, threshold: 0.2 }), qbits(8, 3), r),
    qact('s2', q('binary', { alpha: null })),
    qdense('fc3', 8, 6, qbits(6, 0, { alpha: 'auto_po2', symmetric: true }), qbits(8, 2), r),
    qact('h3', q('quantized_tanh', { bits: 6, symmetric: 1 })),
    qdense('fc4', 6, 4, q('quantized_po2', { bits: 4, max_value: 1 }), qbits(6, 1), r),
    qact('h4', q('quantized_sigmoid', { bits: 5 })),
  ]);
}

/** A CNN: power-of-two convolution weights, a fixed-point alpha scale (ApplyAlpha), max pooling, a Resource Dense with po2 weights. */
function cnnModel() {
  const r = rng(22);
  return qkerasGraph('qcnn', [8, 8, 2], [
    qact('q_in', qbits(8, 3)),
    qconv2d('c1', 2, 4, 3, q('quantized_po2', { bits: 5 }), qbits(8, 2), r, { activation: qrelu(6, 2) }),
    plain('MaxPooling2D', 'p1', { pool_size: [2, 2], strides: [2, 2], padding: 'valid' }),
    qconv2d('c2', 4, 3, 2, qbits(6, 0, { alpha: 0.5 }), qbits(6, 1), r, { padding: 'same' }),
    qact('a2', qrelu(5, 1)),
    plain('Flatten', 'flat'),
    qdense('fc', 27, 5, q('quantized_po2', { bits: 4, max_value: 1 }), qbits(6, 2), r),
  ]);
}

describe.skipIf(!AP)('C simulation of QKeras models', () => {
  it('qkeras_example: hls4ml\'s outputs and every traced layer in C++ (io_parallel), and the emulator on 100 random inputs (both io types)', async () => {
    const exp = JSON.parse(readFileSync(join(CASE, 'expected.json'), 'utf8'));
    const cfg = JSON.parse(readFileSync(join(CASE, 'config.json'), 'utf8'));
    const m = await loadModel(join(CASE, 'qkeras_example.json'));
    const fw = convertModel(m, cfg);
    const em = emitProject(fw, join(tmp, 'qkeras_example'));
    const inputs = exp.firmware.inputs as number[][];
    const r = await csimProject(em.dir, { inputs, reference: referenceFromExpected(inputs, exp.outputs_raw, exp.firmware.trace), trace: 'always' });
    expect(r.mismatches).toEqual([]);
    expect(r.passed).toBe(inputs.length);
    expect(Object.keys(r.layerMismatches ?? {}).sort()).toEqual(Object.keys(exp.firmware.trace).sort());
    expect(Object.values(r.layerMismatches ?? {}).every((n) => n === 0)).toBe(true);
    const def = await csimProject(em.dir, { reference: emulatorReference(fw) });
    expect(def.mismatches).toEqual([]);
    await againstEmulator(convertModel(m, { ...cfg, IOType: 'io_stream' }), 'qkeras_example_stream');
  }, 600_000);

  for (const io of ['io_parallel', 'io_stream'] as const) {
    it(`binary / ternary / power-of-two / hard-activation MLP (${io})`, async () => {
      const m = bnnModel();
      const fw = convertModel(m, { ...configFromModel(m, { granularity: 'name' }), IOType: io });
      expect(fw.layers.map((l) => l.cls)).toContain('BatchNormalizationQuantizedTanh');
      expect(fw.layers.map((l) => (l.config as { product?: string }).product).filter(Boolean)).toEqual(expect.arrayContaining(['both_binary', 'data_binary', 'weight_ternary', 'weight_exponential']));
      await againstEmulator(fw, `bnn_${io}`);
    }, 600_000);

    it(`power-of-two convolution, alpha scale, Resource po2 Dense (${io})`, async () => {
      const m = cnnModel();
      const cfg = configFromModel(m, { granularity: 'name' });
      cfg.LayerName!.fc!.Strategy = 'Resource';
      cfg.LayerName!.fc!.ReuseFactor = 3;
      const fw = convertModel(m, { ...cfg, IOType: io });
      expect(fw.layers.map((l) => l.name)).toContain('c2_alpha');
      await againstEmulator(fw, `qcnn_${io}`);
    }, 600_000);
  }

  it('QSeparableConv2D (alpha on the pointwise kernel) and QDepthwiseConv2D (io_parallel and io_stream)', async () => {
    const r = rng(23);
    const k = (n: number) => Float32Array.from({ length: n }, () => r() - 0.5);
    const m = qkerasGraph('qsep', [6, 6, 2], [
      {
        cls: 'QSeparableConv2D',
        name: 'sc',
        config: { name: 'sc', filters: 3, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', depth_multiplier: 1, activation: qrelu(6, 1), use_bias: true, depthwise_quantizer: qbits(6, 0), pointwise_quantizer: qbits(5, 0, { alpha: 'auto_po2', symmetric: true }), bias_quantizer: qbits(8, 2) },
        weights: [
          { name: 'depthwise_kernel', shape: [3, 3, 2, 1], data: k(18) },
          { name: 'pointwise_kernel', shape: [1, 1, 2, 3], data: k(6) },
          { name: 'bias', shape: [3], data: k(3) },
        ],
      },
      {
        cls: 'QDepthwiseConv2D',
        name: 'dw',
        config: { name: 'dw', kernel_size: [2, 2], strides: [1, 1], padding: 'valid', depth_multiplier: 1, activation: 'linear', use_bias: true, depthwise_quantizer: qbits(6, 0), bias_quantizer: qbits(6, 1) },
        weights: [
          { name: 'depthwise_kernel', shape: [2, 2, 3, 1], data: k(12) },
          { name: 'bias', shape: [3], data: k(3) },
        ],
      },
    ]);
    for (const io of ['io_parallel', 'io_stream'] as const) {
      const fw = convertModel(m, { ...configFromModel(m, { granularity: 'name' }), IOType: io });
      expect(fw.layers.map((l) => l.name)).toContain('sc_pointwise_alpha');
      await againstEmulator(fw, `qsep_${io}`);
    }
  }, 600_000);

  it('QConv2DBatchnorm (folded kernel and bias, an auto_po2 alpha on a second one; io_parallel and io_stream)', async () => {
    const r = rng(24);
    const m = qkerasGraph('qcbn', [6, 6, 2], [
      qact('q_in', qbits(8, 3)),
      qconv2dbn('cbn1', 2, 4, 3, qbits(8, 1), qbits(10, 3), r, { activation: qrelu(6, 2) }),
      qconv2dbn('cbn2', 4, 3, 2, qbits(6, 0, { alpha: 'auto_po2', symmetric: true }), qbits(10, 3), r, { padding: 'same' }),
      qact('a2', qrelu(6, 2)),
      plain('Flatten', 'flat'),
      qdense('fc', 48, 3, qbits(6, 0), qbits(8, 2), r),
    ]);
    for (const io of ['io_parallel', 'io_stream'] as const) {
      const fw = convertModel(m, { ...configFromModel(m, { granularity: 'name' }), IOType: io });
      expect(fw.layers.map((l) => l.name)).toContain('cbn2_alpha');
      await againstEmulator(fw, `qcbn_${io}`);
    }
  }, 600_000);

  it("QLSTM (return_sequences) → QGRU at 'name' granularity: the quantizers' types on float weights (io_parallel and io_stream)", async () => {
    const r = rng(31);
    const tanh8 = q('quantized_tanh', { bits: 8, symmetric: false, use_real_tanh: true });
    const m = qkerasGraph('qrnn', [6, 3], [
      qrnn('QLSTM', 'ql', 3, 4, { kernel: qbits(8, 0), recurrent: qbits(8, 0), bias: qbits(8, 1), state: qbits(12, 3) }, r, { activation: tanh8, returnSequences: true }),
      qrnn('QGRU', 'qg', 4, 3, { kernel: qbits(6, 0), recurrent: qbits(7, 0), bias: qbits(8, 2) }, r, { activation: qrelu(8, 3), recurrentActivation: q('quantized_sigmoid', { bits: 8, use_real_sigmoid: true }) }),
    ]);
    for (const io of ['io_parallel', 'io_stream'] as const) {
      const fw = convertModel(m, { ...configFromModel(m, { granularity: 'name' }), IOType: io });
      expect(fw.layers.map((l) => l.cls)).toEqual(['LSTM', 'GRU']);
      await againstEmulator(fw, `qrnn_${io}`);
    }
  }, 600_000);

  it.skipIf(!MODELS)('the real QKeras models (read in place): C++ == emulator', async () => {
    for (const f of ['qkeras_3layer', 'qkeras_mnist_cnn', 'qkeras_mnist_dense']) {
      const m = await loadModel(join(MODELS!, `${f}.json`));
      await againstEmulator(convertModel(m, configFromModel(m, { granularity: 'name' })), f);
    }
  }, 900_000);
});
