// Whole networks through Emulator with the fast kernels vs the reference kernels only
// (HLSEMU_FAST=0): identical outputs, per-layer traces and overflow reports — on the golden
// reference models and on the bundled Fashion-MNIST CNN under a range of configurations
// (hls4ml default, narrow saturating / rounding types, Resource strategy, io_parallel/io_stream).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../src/emulate/compile.js';
import { Emulator, type PredictResult } from '../../src/emulate/predict.js';
import { convertModel } from '../../src/graph/convert.js';
import type { FirmwareGraph } from '../../src/graph/firmware.js';
import { readReferenceModel } from '../../src/graph/reference-model.js';
import { loadModel } from '../../src/import/index.js';
import { rng } from './helpers.js';

const hls = join(__dirname, '..', 'golden', 'hls4ml');

function emulator(fw: FirmwareGraph, fast: boolean): Emulator {
  const prev = process.env.HLSEMU_FAST;
  process.env.HLSEMU_FAST = fast ? '1' : '0';
  try {
    return new Emulator(fw);
  } finally {
    if (prev === undefined) delete process.env.HLSEMU_FAST;
    else process.env.HLSEMU_FAST = prev;
  }
}

function expectSame(a: PredictResult, b: PredictResult): void {
  expect(Array.from(a.raw)).toEqual(Array.from(b.raw));
  for (const k of Object.keys(b.trace ?? {})) expect(Array.from(a.trace![k]!.raw as Float64Array), `trace ${k}`).toEqual(Array.from(b.trace![k]!.raw as Float64Array));
  expect(a.report).toEqual(b.report);
}

function compareGraph(fw: FirmwareGraph, raw: Float64Array, n: number): void {
  const fast = emulator(fw, true).predictRaw(raw.slice(), n, { trace: true, report: true });
  const ref = emulator(fw, false).predictRaw(raw.slice(), n, { trace: true, report: true });
  expectSame(fast, ref);
  // Without a report the fast kernels may take other run modes: the values must not change.
  const plain = emulator(fw, true).predictRaw(raw.slice(), n, {});
  expect(Array.from(plain.raw)).toEqual(Array.from(ref.raw));
}

describe('fast vs reference kernels, whole models', () => {
  const files = readdirSync(hls).filter((f) => f.startsWith('model_') && f.endsWith('.json'));
  for (const f of files) {
    it(`${f}`, () => {
      const ref = readReferenceModel(JSON.parse(readFileSync(join(hls, f), 'utf8')));
      const layers = compileGraph(ref.graph);
      const fastLayers = layers.filter((l) => l.impl === 'fast').length;
      expect(fastLayers).toBeGreaterThan(layers.length / 2);
      compareGraph(ref.graph, Float64Array.from(ref.inputs.flat()), ref.inputs.length);
    });
  }

  const configs: [string, Record<string, unknown>][] = [
    ['ap_fixed<16,6> io_parallel', { Model: { Precision: 'ap_fixed<16,6>' }, IOType: 'io_parallel' }],
    ['ap_fixed<16,6> io_stream', { Model: { Precision: 'ap_fixed<16,6>' }, IOType: 'io_stream' }],
    ['narrow wrap', { Model: { Precision: 'ap_fixed<8,3>' }, IOType: 'io_stream' }],
    ['narrow saturating accum', { Model: { Precision: { default: 'ap_fixed<10,4,AP_RND,AP_SAT>', accum: 'ap_fixed<12,5,AP_RND,AP_SAT>' } }, IOType: 'io_parallel' }],
    ['very narrow sat-sym', { Model: { Precision: { default: 'ap_fixed<6,3,AP_RND_CONV,AP_SAT_SYM>', accum: 'ap_fixed<9,4,AP_TRN,AP_SAT_SYM>' } }, IOType: 'io_stream' }],
    ['resource strategy', { Model: { Precision: { default: 'ap_fixed<10,4>', accum: 'ap_fixed<11,5,AP_TRN,AP_SAT>' }, Strategy: 'Resource', ReuseFactor: 3 }, IOType: 'io_parallel' }],
    ['wide', { Model: { Precision: { default: 'ap_fixed<24,10>', accum: 'ap_fixed<40,16>' } }, IOType: 'io_parallel' }],
  ];
  for (const [name, cfg] of configs) {
    it(`Fashion-MNIST CNN, ${name}`, async () => {
      const model = await loadModel(join(__dirname, '..', '..', 'models', 'fmnist', 'model.json'));
      const fw = convertModel(model, cfg as never);
      const n = 6;
      const r = rng(name.length);
      const x = Float64Array.from({ length: n * 784 }, () => (r() < 0.3 ? 0 : r() * 1.2 - 0.1));
      const emu = emulator(fw, true);
      const inputs = { data: x, shape: [n, 28, 28, 1] };
      const fast = emu.predict(inputs, { trace: true, report: true });
      const ref = emulator(fw, false).predict(inputs, { trace: true, report: true });
      expectSame(fast, ref);
      expect(Array.from(emu.predict(inputs).raw)).toEqual(Array.from(ref.raw));
    });
  }
});
