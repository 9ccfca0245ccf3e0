// ParallelEmulator.predict casts float inputs slice by slice while the workers run: results,
// overflow reports (input casts included) and input errors must equal the single-threaded run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Emulator } from '../../src/emulate/predict.js';
import { ParallelEmulator } from '../../src/emulate/parallel.js';
import { readReferenceModel } from '../../src/graph/reference-model.js';
import { rng } from './helpers.js';

const file = join(__dirname, '..', 'golden', 'hls4ml', 'model_svhn_paper_cnn_a.json');

describe('ParallelEmulator.predict (pipelined input casting)', () => {
  it('equals Emulator.predict bit for bit, report included, for several slice sizes', async () => {
    const ref = readReferenceModel(JSON.parse(readFileSync(file, 'utf8')));
    const per = 32 * 32 * 3;
    const n = 37;
    const r = rng(5);
    // Out-of-range values provoke input-cast overflows.
    const x = Float64Array.from({ length: n * per }, () => (r() - 0.5) * 80);
    const inputs = { data: x, shape: [n, 32, 32, 3] };
    const single = new Emulator(ref.graph).predict(inputs, { report: true, trace: true });
    expect(single.report!.input.wrapped + single.report!.input.saturated).toBeGreaterThan(0);
    const f32 = { data: Float32Array.from(x), shape: [n, 32, 32, 3] };
    const single32 = new Emulator(ref.graph).predict(f32, { report: true });
    for (const chunk of [undefined, 1, 5, 16]) {
      const pe = new ParallelEmulator(ref.graph, { workers: 2, chunk });
      try {
        const par32 = await pe.predict(f32, { report: true });
        expect(Array.from(par32.raw)).toEqual(Array.from(single32.raw));
        expect(par32.report).toEqual(single32.report);
        const par = await pe.predict(inputs, { report: true, trace: true });
        expect(Array.from(par.raw)).toEqual(Array.from(single.raw));
        expect(par.report).toEqual(single.report);
        for (const k of Object.keys(single.trace!)) expect(Array.from(par.trace![k]!.raw as Float64Array)).toEqual(Array.from(single.trace![k]!.raw as Float64Array));
      } finally {
        await pe.close();
      }
    }
  });

  it('rejects a NaN input with the single-threaded error (batch-wide sample index)', async () => {
    const ref = readReferenceModel(JSON.parse(readFileSync(file, 'utf8')));
    const per = 32 * 32 * 3;
    const n = 12;
    const x = new Float64Array(n * per).fill(0.25);
    x[9 * per + 17] = NaN;
    const inputs = { data: x, shape: [n, 32, 32, 3] };
    let msg = '';
    try {
      new Emulator(ref.graph).predict(inputs);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('inputs[9][17]');
    const pe = new ParallelEmulator(ref.graph, { workers: 2, chunk: 2 });
    try {
      await expect(pe.predict(inputs)).rejects.toThrow(msg);
    } finally {
      await pe.close();
    }
  });

  it('in this thread (workers: 1) runs long batches slice by slice with the same results, report, trace and errors', async () => {
    const ref = readReferenceModel(JSON.parse(readFileSync(file, 'utf8')));
    const per = 32 * 32 * 3;
    const n = 300; // more than one local slice
    const r = rng(11);
    const x = Float32Array.from({ length: n * per }, () => (r() - 0.5) * 80);
    const inputs = { data: x, shape: [n, 32, 32, 3] };
    const single = new Emulator(ref.graph).predict(inputs, { report: true, trace: true });
    const pe = new ParallelEmulator(ref.graph, { workers: 1 });
    let calls = 0;
    const par = await pe.predict(inputs, { report: true, trace: true, onSample: () => calls++ });
    expect(calls).toBe(n);
    expect(Array.from(par.raw)).toEqual(Array.from(single.raw));
    expect(par.report).toEqual(single.report);
    for (const k of Object.keys(single.trace!)) expect(Array.from(par.trace![k]!.raw as Float64Array)).toEqual(Array.from(single.trace![k]!.raw as Float64Array));
    x[250 * per + 3] = NaN;
    let msg = '';
    try {
      new Emulator(ref.graph).predict(inputs);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('inputs[250][3]');
    await expect(pe.predict(inputs)).rejects.toThrow(msg);
  });
});
