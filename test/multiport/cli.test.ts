/**
 * `hlsemu predict` on a two-input, two-output model: one --input per model input (model order), one
 * --output file per model output (.npy / .json), the same numbers as the library; wrong counts and
 * bad files are usage / format errors naming the flag or the file.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emulator } from '../../src/emulate/predict.js';
import { convertModel } from '../../src/graph/convert.js';
import { loadModel } from '../../src/import/index.js';
import { parseNpy } from '../../src/io/npy.js';
import { cli, tempDir, writeNpy } from '../cli/helpers.js';
import { saveTfjsModel } from '../import/helpers.js';
import { IN_A, IN_B, samples, twoPortModel } from './model.js';

const dir = tempDir('hlsemu-multiport-cli-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let modelFile: string;
const cfgFile = join(dir, 'cfg.json');
const CFG = { Model: { Precision: 'fixed<18,8>', ReuseFactor: 1 }, IOType: 'io_stream', LayerName: { in_b: { Precision: { result: 'fixed<10,4>' } } } };
const xa = samples(5, IN_A, 21);
const xb = samples(5, IN_B, 22);
const aFile = join(dir, 'a.json');
const bFile = join(dir, 'b.npy');

beforeAll(async () => {
  modelFile = await saveTfjsModel((await twoPortModel()).model, join(dir, 'model'));
  writeFileSync(cfgFile, JSON.stringify(CFG));
  writeFileSync(aFile, JSON.stringify(xa));
  writeNpy(bFile, Float64Array.from(xb.flat()), [5, IN_B], '<f8');
});

describe('hlsemu predict with several inputs and outputs', () => {
  it('writes one file per output, equal to the library (and prints every output)', async () => {
    const want = new Emulator(convertModel(await loadModel(modelFile), CFG)).predict([xa, xb]);
    const head = join(dir, 'head.npy');
    const sum = join(dir, 'sum.json');
    const r = await cli(['predict', '--model', modelFile, '--config', cfgFile, '--input', aFile, '--input', bFile, '--output', head, '--output', sum]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/outputs head ap_fixed<18,8>, sum ap_fixed<18,8>/);
    expect(r.stdout).toMatch(/output sum \[5\]/);
    const h = parseNpy(readFileSync(head), 'head.npy');
    expect(h.shape).toEqual([5, 3]);
    expect(Array.from(h.data)).toEqual(Array.from(want.outputs[0]!.values));
    const s = JSON.parse(readFileSync(sum, 'utf8')) as { name: string; shape: number[]; values: number[][]; raw: number[][] };
    expect(s.name).toBe('sum');
    expect(s.shape).toEqual([5]);
    expect(s.raw.flat()).toEqual(Array.from(want.outputs[1]!.raw));
    expect(s.values.flat()).toEqual(Array.from(want.outputs[1]!.values));
    const j = await cli(['predict', '--model', modelFile, '--config', cfgFile, '--input', aFile, '--input', bFile, '--json', '--report']);
    const o = JSON.parse(j.stdout) as { ports: Array<{ name: string; raw: number[][] }>; outputs: { raw: number[][] }; report: { inputs: Array<{ name: string; type: string }> } };
    expect(o.ports.map((p) => p.name)).toEqual(['head', 'sum']);
    expect(o.ports[1]!.raw.flat()).toEqual(Array.from(want.outputs[1]!.raw));
    expect(o.outputs.raw).toEqual(o.ports[0]!.raw);
    expect(o.report.inputs.map((i) => `${i.name} ${i.type}`)).toEqual(['in_a ap_fixed<18,8>', 'in_b ap_fixed<10,4>']);
  });

  it('refuses the wrong number of --input / --output files, and names the bad input file', async () => {
    const one = await cli(['predict', '--model', modelFile, '--input', aFile]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/--input: the model has 2 inputs \(in_a, in_b\): give one --input per input, in that order \(got 1\)/);
    const outs = await cli(['predict', '--model', modelFile, '--input', aFile, '--input', bFile, '--output', join(dir, 'x.npy')]);
    expect(outs.code).toBe(2);
    expect(outs.stderr).toMatch(/--output: the model has 2 outputs \(head, sum\)/);
    const ext = await cli(['predict', '--model', modelFile, '--input', aFile, '--input', bFile, '--output', join(dir, 'x.txt'), '--output', join(dir, 'y.npy')]);
    expect(ext.stderr).toMatch(/x\.txt': give a \.npy or \.json file/);
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify([[1, 2, 3]]));
    const bad = await cli(['predict', '--model', modelFile, '--input', aFile, '--input', wrong]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/wrong\.json: inputs\[1\]\.shape/);
  });
});
