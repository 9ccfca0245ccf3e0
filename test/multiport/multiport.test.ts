/**
 * Functional models with several inputs and outputs: a Keras (tfjs) model with two inputs and two
 * outputs through import → conversion → emulation (against the float model and tfjs at wide
 * precision), per-input precisions and overflow counts, the input forms `predict` takes, the JSON
 * form of the firmware graph (and the single-input form of older files), and the import-case
 * runner with per-port inputs and outputs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImportCase } from '../../src/conformance/models.js';
import { evaluateFloat } from '../../src/emulate/float.js';
import { Emulator } from '../../src/emulate/predict.js';
import { ParallelEmulator } from '../../src/emulate/parallel.js';
import { FormatError, ShapeError, UnsupportedError } from '../../src/errors.js';
import { formatFixedType } from '../../src/fixed/types.js';
import { checkFirmwareGraph, firmwareGraphFromJson, firmwareGraphToJson } from '../../src/graph/check.js';
import { convertModel } from '../../src/graph/convert.js';
import type { FirmwareGraph } from '../../src/graph/firmware.js';
import type { ModelGraph } from '../../src/graph/model.js';
import { fromTfjsLayersModel } from '../../src/import/index.js';
import { saveTfjsModel, type Tf } from '../import/helpers.js';
import { IN_A, IN_B, samples, twoPortModel } from './model.js';

let tf: Tf;
let tfModel: TF.LayersModel;
let model: ModelGraph;
const dir = mkdtempSync(join(tmpdir(), 'hlsemu-multiport-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  ({ tf, model: tfModel } = await twoPortModel());
  model = fromTfjsLayersModel(tfModel);
});

const WIDE = { Model: { Precision: 'fixed<40,20>', ReuseFactor: 1 } };
const N = 40;
const xa = samples(N, IN_A, 11);
const xb = samples(N, IN_B, 12);

describe('a two-input, two-output functional model', () => {
  it('imports with both inputs (model order) and both outputs (model order, not topological)', () => {
    expect(model.layers.filter((l) => l.className === 'InputLayer').map((l) => l.name)).toEqual(['in_a', 'in_b']);
    expect(model.outputs).toEqual(['head', 'sum']);
    const fw = convertModel(model, WIDE);
    expect(fw.inputs.map((i) => [i.name, i.shape])).toEqual([
      ['in_a', [IN_A]],
      ['in_b', [IN_B]],
    ]);
    expect(fw.outputs).toEqual(['head', 'sum']);
    expect(fw.input).toEqual(fw.inputs[0]);
    expect(fw.output).toBe('head');
  });

  for (const io of ['io_parallel', 'io_stream'] as const) {
    it(`${io}: every output port matches the float model and tfjs at wide precision`, () => {
      const fw = convertModel(model, { ...WIDE, IOType: io });
      const r = new Emulator(fw).predict([xa, xb]);
      expect(r.n).toBe(N);
      expect(r.outputs.map((o) => [o.name, o.shape])).toEqual([
        ['head', [3]],
        ['sum', [5]],
      ]);
      // the single-output fields are the first output
      expect(r.values).toBe(r.outputs[0]!.values);
      expect(r.raw).toBe(r.outputs[0]!.raw);
      const f = evaluateFloat(model, [xa, xb]);
      const tfOut = tfModel.predict([tf.tensor2d(xa), tf.tensor2d(xb)]) as TF.Tensor[];
      r.outputs.forEach((o, k) => {
        const want = f.outputs[o.name]!.values;
        const tfv = tfOut[k]!.dataSync();
        expect(o.values.length).toBe(want.length);
        // 20 fractional bits, truncation in a few layers: well within 1e-4
        for (let i = 0; i < want.length; i++) {
          expect(Math.abs(o.values[i]! - want[i]!)).toBeLessThan(1e-4);
          expect(Math.abs(want[i]! - tfv[i]!)).toBeLessThan(1e-4);
        }
      });
    });
  }

  it("each input has its own precision (LayerName.<input>.Precision.result) and its own overflow count", () => {
    const fw = convertModel(model, { Model: { Precision: 'fixed<16,6>', ReuseFactor: 1 }, LayerName: { in_b: { Precision: { result: 'fixed<8,3>' } } } });
    expect(fw.inputs.map((i) => formatFixedType(i.type))).toEqual(['ap_fixed<16,6>', 'ap_fixed<8,3>']);
    // 5.0 overflows fixed<8,3> (max 3.97) but not fixed<16,6>
    const a = [[5, 0, 0, 0, 0, 0]];
    const b = [[5, 5, 0, 1]];
    const r = new Emulator(fw).predict([a, b], { report: true });
    expect(r.report!.inputs!.map((i) => [i.name, i.type, i.wrapped])).toEqual([
      ['in_a', 'ap_fixed<16,6>', 0],
      ['in_b', 'ap_fixed<8,3>', 2],
    ]);
    expect(r.report!.input.type).toBe('ap_fixed<16,6>');
    // the wrapped input is what the firmware sees: 5 → 5 − 8 = −3
    const same = new Emulator(fw).predict([a, [[-3, -3, 0, 1]]]);
    expect(Array.from(same.outputs[1]!.raw)).toEqual(Array.from(r.outputs[1]!.raw));
  });

  it('takes a list or a record keyed by input name; refuses a single batch, wrong names or sample counts', () => {
    const emu = new Emulator(convertModel(model, WIDE));
    const byList = emu.predict([xa, xb]);
    const byName = emu.predict({ in_b: xb, in_a: xa });
    expect(Array.from(byName.outputs[1]!.raw)).toEqual(Array.from(byList.outputs[1]!.raw));
    expect(() => emu.predict(xa)).toThrow(ShapeError);
    expect(() => emu.predict(xa)).toThrow(/2 inputs \(in_a, in_b\)/);
    expect(() => emu.predict({ in_a: xa, other: xb })).toThrow(/missing in_b; unknown other/);
    expect(() => emu.predict([xa, xb.slice(1)])).toThrow(/input 'in_b' has 39 samples but input 'in_a' has 40/);
    expect(() => emu.predict([xa, [[1, 2, 3]]])).toThrow(/inputs\[1\]\.shape/);
  });

  it('predictRaw takes one raw array per input port', () => {
    const fw = convertModel(model, WIDE);
    const emu = new Emulator(fw);
    const r = emu.predict([xa, xb], { trace: true });
    const scale = (t: FirmwareGraph['inputs'][number]['type']) => 2 ** (t.W - t.I);
    const ra = Float64Array.from(xa.flat(), (v) => Math.floor(v * scale(fw.inputs[0]!.type)));
    const rb = Float64Array.from(xb.flat(), (v) => Math.floor(v * scale(fw.inputs[1]!.type)));
    const raw = emu.predictRaw([ra, rb], N, { trace: true });
    expect(Array.from(raw.outputs[0]!.raw)).toEqual(Array.from(r.outputs[0]!.raw));
    expect(Array.from(raw.outputs[1]!.raw)).toEqual(Array.from(r.outputs[1]!.raw));
    expect(() => emu.predictRaw(ra, N)).toThrow(/2 inputs, got 1 raw arrays/);
    expect(() => emu.predictRaw([ra, rb.subarray(1)], N)).toThrow(/inputs\[1\].*for input 'in_b'/);
  });

  it('the parallel emulator refuses several ports with a typed error', () => {
    expect(() => new ParallelEmulator(convertModel(model, WIDE), { workers: 0 })).toThrow(UnsupportedError);
  });
});

describe('the JSON form of a multi-port firmware graph', () => {
  it('round-trips inputs[] and outputs[] with identical predictions', () => {
    for (const io of ['io_parallel', 'io_stream'] as const) {
      const fw = convertModel(model, { ...WIDE, IOType: io, LayerName: { in_b: { Precision: { result: 'fixed<12,4>' } } } });
      const back = firmwareGraphFromJson(JSON.parse(JSON.stringify(firmwareGraphToJson(fw))), 'g.json');
      expect(back.inputs).toEqual(fw.inputs);
      expect(back.outputs).toEqual(fw.outputs);
      const a = new Emulator(fw).predict([xa, xb]);
      const b = new Emulator(back).predict([xa, xb]);
      a.outputs.forEach((o, k) => expect(Array.from(b.outputs[k]!.raw)).toEqual(Array.from(o.raw)));
    }
  });

  it('still reads single-input files written with `input` / `output` only', () => {
    const tiny = convertModel(
      {
        name: 'one',
        source: 'keras2',
        layers: [
          { name: 'x', className: 'InputLayer', inputs: [], inputShapes: [], outputShape: [3], attrs: {}, weights: {} },
          { name: 'd', className: 'Dense', inputs: ['x'], inputShapes: [[3]], outputShape: [2], attrs: { units: 2, useBias: false }, weights: { kernel: { shape: [3, 2], data: Float32Array.from([1, 0.5, -1, 0.25, 2, -0.5]) } } },
        ],
        outputs: ['d'],
      },
      WIDE,
    );
    const old = firmwareGraphToJson(tiny) as Record<string, unknown>;
    delete old.inputs;
    delete old.outputs;
    const back = firmwareGraphFromJson(JSON.parse(JSON.stringify(old)), 'old.json');
    expect(back.inputs).toEqual([tiny.input]);
    expect(back.outputs).toEqual(['d']);
    expect(Array.from(new Emulator(back).predict([[1, 2, 3]]).values)).toEqual([1 * 1 - 1 * 2 + 2 * 3, 0.5 + 0.25 * 2 - 0.5 * 3]);
  });

  it('refuses inconsistent or broken port lists, naming the field', () => {
    const fw = convertModel(model, WIDE);
    const j = () => JSON.parse(JSON.stringify(firmwareGraphToJson(fw))) as Record<string, unknown>;
    const bad = (edit: (g: Record<string, unknown>) => void, err: RegExp, cls: new (...a: never[]) => Error = FormatError) => {
      const g = j();
      edit(g);
      expect(() => firmwareGraphFromJson(g, 'g.json')).toThrow(cls);
      expect(() => firmwareGraphFromJson(g, 'g.json')).toThrow(err);
    };
    bad((g) => ((g.input as { name: string }).name = 'in_b'), /g\.json\.input: must be the first input port 'in_a'/);
    bad((g) => (g.output = 'sum'), /g\.json\.output: must be the first output 'head'/);
    bad((g) => (g.outputs = ['head', 'nope']), /g\.json\.outputs\[1\]: no layer named/);
    bad((g) => (g.outputs = ['head', 'head']), /listed twice/);
    bad((g) => (g.outputs = ['in_b']), /g\.json\.outputs\[0\].*is a model input/, UnsupportedError);
    bad((g) => (g.inputs = []), /g\.json\.inputs: expected a non-empty list/);
    bad((g) => ((g.inputs as Array<{ name: string }>)[1]!.name = 'in_a'), /duplicate input name 'in_a'/);
    bad(
      (g) => {
        delete g.inputs;
        delete g.input;
      },
      /g\.json\.inputs: missing inputs/,
    );
    // a layer reading an input that is not declared
    bad((g) => ((g.inputs as unknown[]).length = 1), /unknown producer 'in_b'/, ShapeError);
    expect(checkFirmwareGraph(fw).inputs.length).toBe(2);
  });
});

describe('import conformance cases with several ports', () => {
  it('reads inputs and expected outputs per port; a wrong value fails, naming the port', async () => {
    const fw = convertModel(model, WIDE);
    const r = new Emulator(fw).predict([xa.slice(0, 4), xb.slice(0, 4)], { trace: true });
    const caseDir = join(dir, 'case');
    await saveTfjsModel(tfModel, caseDir);
    writeFileSync(join(caseDir, 'config.json'), JSON.stringify(WIDE));
    const rowsOf = (raw: Float64Array, per: number) => Array.from({ length: 4 }, (_, s) => Array.from(raw.subarray(s * per, (s + 1) * per)));
    const outputs = [rowsOf(r.outputs[0]!.raw, 3), rowsOf(r.outputs[1]!.raw, 5)];
    const write = (inputs: unknown, outs: unknown) => {
      writeFileSync(join(caseDir, 'inputs.json'), JSON.stringify(inputs));
      writeFileSync(join(caseDir, 'expected.json'), JSON.stringify({ io_type: 'io_parallel', outputs_raw: outs, firmware: { trace: { cat: rowsOf(r.trace!.cat!.raw as Float64Array, 10) } } }));
    };
    write({ inputs: [xa.slice(0, 4), xb.slice(0, 4)] }, outputs);
    expect(await checkImportCase(caseDir)).toMatchObject({ passed: 9, failed: 0 });
    write({ in_a: xa.slice(0, 4), in_b: xb.slice(0, 4) }, outputs);
    expect(await checkImportCase(caseDir)).toMatchObject({ passed: 9, failed: 0 });
    const wrong = structuredClone(outputs);
    wrong[1]![2]![4]! += 1;
    write({ inputs: [xa.slice(0, 4), xb.slice(0, 4)] }, wrong);
    const rep = await checkImportCase(caseDir);
    expect(rep.failed).toBe(1);
    expect(rep.failures[0]).toMatch(/outputs\[1\] \(sum\)\[2\]\[4\]/);
    // one list of rows for a two-output model, and unequal sample counts, are format errors
    write({ inputs: [xa.slice(0, 4), xb.slice(0, 4)] }, outputs[0]);
    await expect(checkImportCase(caseDir)).rejects.toThrow(/outputs_raw: the model has 2 outputs/);
    write({ inputs: [xa.slice(0, 4), xb.slice(0, 3)] }, outputs);
    await expect(checkImportCase(caseDir)).rejects.toThrow(/inputs\[1\]: 3 samples, but the first input has 4/);
  });
});

describe('the float evaluator with several inputs', () => {
  it('takes a list in input order or a record keyed by input name', () => {
    const byList = evaluateFloat(model, [xa, xb]);
    const byName = evaluateFloat(model, { in_b: xb, in_a: xa });
    expect(Object.keys(byList.outputs)).toEqual(['head', 'sum']);
    expect(Array.from(byName.outputs.sum!.values)).toEqual(Array.from(byList.outputs.sum!.values));
    expect(byList.values).toBe(byList.outputs.head!.values);
    expect(() => evaluateFloat(model, { in_a: xa })).toThrow(/one batch per model input \(in_a, in_b\)/);
    expect(() => evaluateFloat(model, [xa])).toThrow(/model has 2 inputs, got 1 batches/);
  });
});
