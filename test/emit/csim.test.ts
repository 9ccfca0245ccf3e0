/**
 * C simulation of emitted projects with g++ (needs AP_TYPES_INCLUDE = a directory with the Xilinx
 * ap_fixed.h / hls_stream.h headers; skipped otherwise). Every reference model must reproduce its
 * outputs and every traced layer over its 16 inputs, and its 100 default random samples must
 * match the emulator; converted models (models/fmnist, io_parallel and io_stream Encoded +
 * Resource) must match the emulator layer by layer; small hand-built graphs (Resource dense,
 * softmax, stream fan-out, merges) must match the TypeScript kernels.
 *
 * Optional: HLSEMU_CSIM_KERNELS=1 also simulates every single-kernel golden case (*.jsonl), about
 * 150 small projects (several minutes).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFixedType } from '../../src/fixed/index.js';
import type { FirmwareGraph, FirmwareGraphSpec } from '../../src/graph/firmware.js';
import { readReferenceModel } from '../../src/graph/reference-model.js';
import { csimProject, emitProject, referenceFromExpected, type RawValue } from '../../src/emit/index.js';
import { add, concatenate, dense, relu, linear, softmax } from '../../src/kernels/index.js';
import { loadModel } from '../../src/import/index.js';
import { convertModel } from '../../src/graph/convert.js';
import { apTypes, caseGraph, emulatorReference, goldenDir, modelFiles, pool, readCases, tinyParallelGraph, tinyStreamGraph } from './helpers.js';

const __dirname_ = dirname(fileURLToPath(import.meta.url));
const AP = apTypes();
const tmp = mkdtempSync(join(tmpdir(), 'hlsemu-csim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

if (!AP) {
  console.warn('test/emit/csim.test.ts: AP_TYPES_INCLUDE is not set (a directory with ap_fixed.h and hls_stream.h); the C-simulation tests are skipped');
}

const rows = (a: ArrayLike<number> | readonly bigint[]): number[] => Array.from(a as ArrayLike<number | bigint>, Number);

describe.skipIf(!AP)('C simulation of the reference models', () => {
  for (const file of modelFiles()) {
    it(`${basename(file)}: 0 mismatches in outputs and every traced layer, default inputs run`, async () => {
      const ref = readReferenceModel(JSON.parse(readFileSync(file, 'utf8')), basename(file));
      // Emitted with the default 100 random samples; the model's own 16 inputs are passed to csim.
      const em = emitProject(ref.graph, join(tmp, basename(file, '.json')));
      expect(em.manifest.samples).toBeGreaterThanOrEqual(100);
      const r = await csimProject(em.dir, {
        inputs: ref.inputs,
        reference: referenceFromExpected(ref.inputs, ref.outputs, ref.trace),
        trace: 'always',
      });
      expect(r.samples).toBe(16);
      expect(r.mismatches).toEqual([]);
      expect(r.failed).toBe(0);
      expect(r.passed).toBe(16);
      expect(Object.keys(r.layerMismatches ?? {}).sort()).toEqual(Object.keys(ref.trace).sort());
      expect(Object.values(r.layerMismatches ?? {}).every((n) => n === 0)).toBe(true);
      // The 100 default samples (uniform over the whole input range: saturation and wrapping
      // everywhere) against the emulator.
      const def = await csimProject(em.dir, { reference: emulatorReference(ref.graph) });
      expect(def.samples).toBe(em.manifest.samples);
      expect(def.mismatches).toEqual([]);
      expect(def.passed).toBe(em.manifest.samples);
    });
  }
});

/** io_parallel tiny graph through the TypeScript kernels. */
function tinyReference(g: FirmwareGraph | FirmwareGraphSpec) {
  return (inputs: RawValue[][]): number[][] =>
    inputs.map((x) => {
      const [fc1, act, fc2, sm] = g.layers as [FirmwareGraph['layers'][0], FirmwareGraph['layers'][0], FirmwareGraph['layers'][0], FirmwareGraph['layers'][0]];
      const t = (L: typeof fc1) => ({ ...L.types }) as never;
      const w = (L: typeof fc1) => L.weights as Record<string, Float64Array>;
      const h1 = dense({ n_in: 4, n_out: 3, types: t(fc1) }, x as number[], w(fc1).weight!, w(fc1).bias!);
      const h2 = relu({ n_in: 3, types: t(act) }, h1);
      const h3 = dense({ n_in: 3, n_out: 2, strategy: 'resource', reuse_factor: 3, types: t(fc2) }, h2, w(fc2).weight!, w(fc2).bias!);
      return rows(softmax({ n_in: 2, implementation: 'stable', exp_table_size: 256, inv_table_size: 256, types: t(sm) } as never, h3));
    });
}

/** io_stream graph with a fan-out (one tensor read by three layers) and both merges. */
function mergeGraph(): FirmwareGraphSpec {
  const a = parseFixedType('ap_fixed<12,4>');
  const b = parseFixedType('ap_ufixed<10,3,AP_RND,AP_SAT>');
  const r = parseFixedType('ap_fixed<14,5,AP_RND,AP_SAT>');
  return {
    name: 'merges',
    ioType: 'io_stream',
    input: { name: 'in', shape: [3, 3, 4], type: a },
    layers: [
      { name: 'r', cls: 'Activation', inputs: ['in'], shapeIn: [3, 3, 4], shapeOut: [3, 3, 4], config: { activation: 'relu' }, types: { input: a, result: b } },
      { name: 'l', cls: 'Activation', inputs: ['in'], shapeIn: [3, 3, 4], shapeOut: [3, 3, 4], config: { activation: 'linear' }, types: { input: a, result: a } },
      { name: 'sum', cls: 'Add', inputs: ['r', 'l'], shapeIn: [3, 3, 4], shapeOut: [3, 3, 4], config: {}, types: { input1: b, input2: a, result: r } },
      { name: 'cat', cls: 'Concatenate', inputs: ['sum', 'in'], shapeIn: [3, 3, 4], shapeOut: [3, 3, 8], config: { axis: -1 }, types: { input1: r, input2: a, result: r } },
    ],
    output: 'cat',
    changes: [],
  };
}

function mergeReference(g: FirmwareGraph | FirmwareGraphSpec) {
  const [rl, ll, sl, cl] = g.layers as Array<FirmwareGraph['layers'][0]>;
  return (inputs: RawValue[][]) => {
    const outputs: number[][] = [];
    const trace: Record<string, number[][]> = { r: [], l: [], sum: [], cat: [] };
    for (const x of inputs) {
      const xr = relu({ n_in: 36, types: { input: rl!.types.input!, result: rl!.types.result } } as never, x as number[]);
      const xl = linear({ n_in: 36, types: { input: ll!.types.input!, result: ll!.types.result } } as never, x as number[]);
      const s = add({ n_elem1: 36, n_elem2: 36, types: sl!.types as never }, xr, xl);
      const c = concatenate({ shape1: [3, 3, 4], shape2: [3, 3, 4], axis: -1, types: cl!.types as never }, s, x as number[]);
      trace.r!.push(rows(xr));
      trace.l!.push(rows(xl));
      trace.sum!.push(rows(s));
      trace.cat!.push(rows(c));
      outputs.push(rows(c));
    }
    return { outputs, trace };
  };
}

describe.skipIf(!AP)('C simulation of small graphs against the TypeScript kernels', () => {
  it('io_parallel Dense (latency + Resource) + ReLU + stable softmax', async () => {
    const g = tinyParallelGraph();
    const em = emitProject(g, join(tmp, 'tiny'), { samples: 200, seed: 5 });
    const r = await csimProject(em.dir, { reference: tinyReference(g) });
    expect(r.samples).toBe(200);
    expect(r.mismatches).toEqual([]);
    expect(r.passed).toBe(200);
  });

  it('io_stream fan-out (clones), Add and Concatenate with mixed types', async () => {
    const g = mergeGraph();
    const em = emitProject(g, join(tmp, 'merges'), { samples: 50 });
    expect(readFileSync(join(em.dir, 'firmware', 'myproject.cpp'), 'utf8')).toContain('hlsemu::clone<');
    const r = await csimProject(em.dir, { reference: mergeReference(g), trace: 'always' });
    expect(r.mismatches).toEqual([]);
    expect(r.passed).toBe(50);
    expect(r.layerMismatches).toEqual({ r: 0, l: 0, sum: 0, cat: 0 });
  });

  it('names the first diverging layer of a mismatching sample', async () => {
    const g = mergeGraph();
    const em = emitProject(g, join(tmp, 'diverge'), { samples: 4 });
    const good = mergeReference(g);
    const bad = (x: RawValue[][]) => {
      const r = good(x);
      r.trace.sum![0]![5]! += 1;
      r.outputs[0]![10]! += 1;
      return r;
    };
    const r = await csimProject(em.dir, { reference: bad });
    expect(r.failed).toBe(1);
    expect(r.mismatches[0]).toMatchObject({ sample: 0, count: 1, index: 10 });
    expect(r.mismatches[0]!.layer?.name).toBe('sum');
    expect(r.mismatches[0]!.layer?.index).toBe(5);
  });
});

describe.skipIf(!AP)('C simulation of converted models against the emulator', () => {
  const model = join(__dirname_, '..', '..', 'models', 'fmnist', 'model.json');
  const configs: Array<[string, object]> = [
    ['io_parallel, hls4ml defaults', { Model: { Precision: 'fixed<16,6>', ReuseFactor: 1 }, IOType: 'io_parallel' }],
    ['io_stream, Encoded, Resource, RND/SAT', { Model: { Precision: 'fixed<12,4,RND,SAT>', ReuseFactor: 1, Strategy: 'Resource', ConvImplementation: 'Encoded' }, IOType: 'io_stream' }],
  ];
  for (const [label, cfg] of configs) {
    it.skipIf(!existsSync(model))(`models/fmnist (${label}): 100 random samples, every layer`, async () => {
      const g = convertModel(await loadModel(model), cfg);
      const em = emitProject(g, join(tmp, `fmnist-${label.replace(/\W+/g, '_')}`));
      const r = await csimProject(em.dir, { reference: emulatorReference(g), trace: 'always' });
      expect(r.mismatches).toEqual([]);
      expect(r.passed).toBe(100);
      expect(Object.values(r.layerMismatches ?? {}).every((n) => n === 0)).toBe(true);
    });
  }

  it('io_stream Encoded conv + LineBuffer pooling + Flatten + Dense (hand-built)', async () => {
    const g = tinyStreamGraph();
    const em = emitProject(g, join(tmp, 'tiny-stream'), { samples: 100 });
    const r = await csimProject(em.dir, { reference: emulatorReference(g), trace: 'always' });
    expect(r.mismatches).toEqual([]);
    expect(r.passed).toBe(100);
  });
});

describe.skipIf(!AP || !process.env.HLSEMU_CSIM_KERNELS)('C simulation of every single-kernel golden case (HLSEMU_CSIM_KERNELS=1)', () => {
  const dir = goldenDir('dense.jsonl');
  for (const f of ['dense', 'activations', 'batchnorm', 'conv1d', 'conv2d', 'pooling1d', 'pooling2d', 'zeropad2d']) {
    it(`${f}.jsonl`, { timeout: 1_200_000 }, async () => {
      const cases = readCases(join(dir, `${f}.jsonl`));
      const results = await pool(
        cases,
        async (c, i) => {
          const g = caseGraph(c, `${f}_${i}`);
          if (!g) return 'skipped';
          const em = emitProject(g, join(tmp, 'k', `${f}_${i}`), { inputs: c.inputs as number[][] });
          const r = await csimProject(em.dir, { reference: referenceFromExpected(c.inputs as number[][], c.outputs) });
          return r.failed === 0 && r.passed === c.inputs.length ? 'ok' : `${f}_${i} (${c.kernel}/${c.impl}): ${r.failed} failed`;
        },
        2,
      );
      expect(results.filter((x) => x !== 'ok' && x !== 'skipped')).toEqual([]);
    });
  }
});
