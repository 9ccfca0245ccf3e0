/**
 * The emitted project of a two-input, two-output model: the top function has one argument per
 * port in hls4ml's order (inputs, then outputs, each in the model's order), and its C simulation
 * (g++, AP_TYPES_INCLUDE; skipped when unset) matches the emulator on every output port and every
 * traced layer, in io_parallel and io_stream — including an output (`sum`) that another layer reads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csimProject, emitProject, emulatorReference } from '../../src/emit/index.js';
import { renderProject } from '../../src/emit/project.js';
import { Emulator } from '../../src/emulate/predict.js';
import { ShapeError } from '../../src/errors.js';
import { convertModel } from '../../src/graph/convert.js';
import type { ModelGraph } from '../../src/graph/model.js';
import { fromTfjsLayersModel } from '../../src/import/index.js';
import { apTypes } from '../emit/helpers.js';
import { IN_A, IN_B, samples, twoPortModel } from './model.js';

const AP = apTypes();
if (!AP) console.warn('test/multiport/csim.test.ts: AP_TYPES_INCLUDE is not set (a directory with ap_fixed.h and hls_stream.h); the C-simulation tests are skipped');
const tmp = mkdtempSync(join(tmpdir(), 'hlsemu-multiport-csim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let model: ModelGraph;
beforeAll(async () => {
  model = fromTfjsLayersModel((await twoPortModel()).model);
});

// in_b narrower than in_a: the two inputs have different types (input_t, input2_t)
const config = (io: 'io_parallel' | 'io_stream') => ({ Model: { Precision: 'fixed<16,6>', ReuseFactor: 1 }, IOType: io, LayerName: { in_b: { Precision: { result: 'fixed<10,4>' } } } });

describe('emitting a two-input, two-output model', () => {
  it('io_parallel: one array argument per port, inputs then outputs, in the model order', () => {
    const p = renderProject(convertModel(model, config('io_parallel')), { samples: 3 });
    const top = p.files.get('firmware/myproject.h')!;
    expect(top).toContain('void myproject(input_t in_a[N_in_a], input2_t in_b[N_in_b], head_result_t head_out[3], sum_result_t sum_out[5]);');
    const defs = p.files.get('firmware/defines.h')!;
    expect(defs).toContain('typedef ap_fixed<16,6> input_t;');
    expect(defs).toContain('typedef ap_fixed<10,4> input2_t;');
    expect(defs).toContain(`const unsigned HLSEMU_N_IN = ${IN_A + IN_B};`);
    expect(defs).toContain('const unsigned HLSEMU_N_OUT = 8;');
    expect(p.manifest.inputs!.map((i) => [i.name, i.cname, i.size, i.type])).toEqual([
      ['in_a', 'in_a', IN_A, 'ap_fixed<16,6>'],
      ['in_b', 'in_b', IN_B, 'ap_fixed<10,4>'],
    ]);
    expect(p.manifest.outputs!.map((o) => [o.name, o.cname, o.size])).toEqual([
      ['head', 'head_out', 3],
      ['sum', 'sum_out', 5],
    ]);
    // a testbench line holds in_a's values, then in_b's
    const line = p.files.get('tb/inputs.txt')!.split('\n')[0]!.split(' ');
    expect(line.length).toBe(IN_A + IN_B);
    expect(line.slice(IN_A).every((v) => Math.abs(Number(v)) < 512)).toBe(true);
  });

  it('io_stream: one stream argument per port; an output read by another layer is cloned into its port', () => {
    const p = renderProject(convertModel(model, config('io_stream')), { samples: 3 });
    const cpp = p.files.get('firmware/myproject.cpp')!;
    expect(cpp).toContain('void myproject(hls::stream<input_word_t> &in_a, hls::stream<input2_word_t> &in_b, hls::stream<head_word_t> &head_out, hls::stream<sum_word_t> &sum_out) {');
    expect(cpp).toContain('hlsemu::clone<sum_word_t, 1>(sum_out_loc, sum_out, sum_out_cp1);');
  });

  it('testbench inputs are checked per port type', () => {
    const fw = convertModel(model, config('io_parallel'));
    const row = [...Array(IN_A).fill(0), 511, 0, 0, 0];
    expect(() => renderProject(fw, { inputs: [row] })).not.toThrow();
    expect(() => renderProject(fw, { inputs: [[...row.slice(0, IN_A), 512, 0, 0, 0]] })).toThrow(/inputs\[0\]\[6\]: raw value 512 is outside the input type's raw range -512\.\.511 \(port 1\)/);
    expect(() => renderProject(fw, { inputs: [row.slice(1)] })).toThrow(ShapeError);
  });
});

describe.skipIf(!AP)('C simulation of a two-input, two-output model', () => {
  for (const io of ['io_parallel', 'io_stream'] as const) {
    it(`${io}: csim == emulator on both outputs and every layer (random raw inputs and float inputs)`, async () => {
      const fw = convertModel(model, config(io));
      const em = emitProject(fw, join(tmp, io), { samples: 60, seed: 7 });
      const r = await csimProject(em.dir, { reference: emulatorReference(fw), trace: 'always' });
      expect(r.samples).toBe(60);
      expect(r.mismatches).toEqual([]);
      expect(r.passed).toBe(60);
      expect(Object.values(r.layerMismatches ?? {}).every((n) => n === 0)).toBe(true);
      expect(Object.keys(r.layerMismatches ?? {}).sort()).toEqual(fw.layers.map((l) => l.name).sort());
      // float inputs through the emulator's own cast, compared port by port
      const xa = samples(20, IN_A, 5);
      const xb = samples(20, IN_B, 6);
      const rows = xa.map((a, s) => [...a, ...xb[s]!]);
      const f = await csimProject(em.dir, { inputs: rows, inputKind: 'float' });
      const e = new Emulator(fw).predict([xa, xb]);
      f.outputs.forEach((line, s) => {
        expect(line.slice(0, 3).map(Number)).toEqual(Array.from(e.outputs[0]!.raw.subarray(s * 3, s * 3 + 3)));
        expect(line.slice(3).map(Number)).toEqual(Array.from(e.outputs[1]!.raw.subarray(s * 5, s * 5 + 5)));
      });
      expect(readFileSync(join(em.dir, 'tb', 'myproject_test.cpp'), 'utf8')).toContain('myproject(in0, in1, out0, out1);');
    }, 180_000);
  }
});
