// Worker-thread batch parallelism must be invisible: identical outputs, traces and reports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Emulator } from '../../src/emulate/predict.js';
import { ParallelEmulator } from '../../src/emulate/parallel.js';
import { readReferenceModel } from '../../src/graph/reference-model.js';

const file = join(__dirname, '..', 'golden', 'hls4ml', 'model_svhn_encoded_a.json');

describe('ParallelEmulator', () => {
  it('equals the single-threaded emulator bit for bit (outputs, trace, report)', async () => {
    const ref = readReferenceModel(JSON.parse(readFileSync(file, 'utf8')));
    const raw = Float64Array.from(ref.inputs.flat());
    const n = ref.inputs.length;
    const single = new Emulator(ref.graph).predictRaw(raw.slice(), n, { trace: true, report: true });
    const pe = new ParallelEmulator(ref.graph, { workers: 2, chunk: 3 });
    try {
      const par = await pe.predictRaw(raw.slice(), n, { trace: true, report: true });
      expect(Array.from(par.raw)).toEqual(Array.from(single.raw));
      expect(Array.from(par.raw)).toEqual(ref.outputs.flat());
      for (const k of Object.keys(single.trace!)) expect(Array.from(par.trace![k]!.raw as Float64Array)).toEqual(Array.from(single.trace![k]!.raw as Float64Array));
      expect(par.report!.layers).toEqual(single.report!.layers);
    } finally {
      await pe.close();
    }
  });
});
