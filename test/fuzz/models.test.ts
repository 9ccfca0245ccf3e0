// Fuzz: small model files (tfjs model.json, Keras JSON + H5 weights) and hls4ml configs, mutated
// from valid ones. On the command line every case ends in exit 0 or a one-line exit 2.
//
// The importers and the config module can also be checked directly (every failure a typed error)
// with HLSEMU_FUZZ_LEAD=1; those properties document what the library itself still lets through.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emulator } from '../../src/emulate/predict.js';
import { parseHls4mlConfig } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { loadModel } from '../../src/import/index.js';
import { cli, FMNIST_MODEL, hasStack, lines, TINY_MODEL, writeNpy } from '../cli/helpers.js';
import { writeKerasH5 } from '../import/helpers.js';
import { mutate, mutation, pickPath } from './mutate.js';
import { hostileJson, hostileScalar, params, TEST_TIMEOUT, typedOrOkAsync } from './settings.js';

type Json = Record<string, unknown>;
const LEAD = process.env.HLSEMU_FUZZ_LEAD === '1';

let dir: string;
let x4: string;
let x784: string;
let kerasJson: Json;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hlsemu-fuzz-models-'));
  x4 = writeNpy(join(dir, 'x4.npy'), [0.5, -1, 0.25, 2, 1, 1, 1, 1], [2, 4]);
  x784 = writeNpy(join(dir, 'x784.npy'), new Float32Array(784).fill(0.5), [1, 28, 28, 1]);
  // A Keras topology JSON + weights H5 for the same Dense 4 → 3 model.
  const tiny = JSON.parse(readFileSync(TINY_MODEL, 'utf8')) as { modelTopology: Json };
  kerasJson = tiny.modelTopology;
  const w = new Float32Array(readFileSync(join(TINY_MODEL, '..', 'weights.bin')).buffer.slice(0));
  await writeKerasH5(join(dir, 'keras_weights.h5'), [{ layer: 'dense1', weights: [{ name: 'dense1/kernel:0', shape: [4, 3], data: w.slice(0, 12) }, { name: 'dense1/bias:0', shape: [3], data: w.slice(12, 15) }] }]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Exit 0, or exit 2 with one line and no stack: never an internal error. */
function expectClean(r: { code: number; stdout: string; stderr: string }, what: string): void {
  expect([0, 2], `${what}\n${r.stderr}`).toContain(r.code);
  expect(hasStack(r.stderr + r.stdout)).toBe(false);
  if (r.code === 2) expect(lines(r.stderr), r.stderr).toHaveLength(1);
}

let n = 0;
/** Write a mutated copy of a tfjs model (topology and manifest; the weights file is copied). */
function tfjsCopy(src: string, m: (j: Json) => Json): string {
  const d = join(dir, `tfjs${n++}`);
  mkdirSync(d);
  const j = JSON.parse(readFileSync(src, 'utf8')) as Json;
  writeFileSync(join(d, 'model.json'), JSON.stringify(m(j)));
  copyFileSync(join(src, '..', 'weights.bin'), join(d, 'weights.bin'));
  return join(d, 'model.json');
}

describe('tfjs model.json', () => {
  it('mutated Dense model: exit 0 or one line, exit 2', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 7 }), mutation, async (picks, m) => {
        const p = tfjsCopy(TINY_MODEL, (j) => mutate(j, pickPath(j, picks), m));
        expectClean(await cli(['predict', '--model', p, '--input', x4]), p);
        rmSync(join(p, '..'), { recursive: true, force: true });
      }),
      params(100, { scale: 30, seconds: 15 }),
    );
  }, TEST_TIMEOUT);

  it('mutated CNN (conv, pooling, batchnorm, softmax): exit 0 or one line, exit 2', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 2, maxLength: 7 }), mutation, async (picks, m) => {
        const p = tfjsCopy(FMNIST_MODEL, (j) => mutate(j, ['modelTopology', ...pickPath(j.modelTopology, picks)].length > 1 ? ['modelTopology', ...pickPath(j.modelTopology, picks)] : [], m));
        expectClean(await cli(['predict', '--model', p, '--input', x784]), p);
        rmSync(join(p, '..'), { recursive: true, force: true });
      }),
      params(25, { scale: 30, seconds: 15 }),
    );
  }, TEST_TIMEOUT);

  it('a truncated or padded weights file: exit 2 naming a file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -70, max: 70 }), async (delta) => {
        const p = tfjsCopy(TINY_MODEL, (j) => j);
        const wb = join(p, '..', 'weights.bin');
        const b = readFileSync(wb);
        writeFileSync(wb, delta < 0 ? b.subarray(0, Math.max(0, b.length + delta)) : Buffer.concat([b, Buffer.alloc(delta)]));
        const r = await cli(['predict', '--model', p, '--input', x4]);
        expectClean(r, p);
        if (delta !== 0) expect(r.code).toBe(2);
      }),
      params(30, { scale: 5 }),
    );
  }, TEST_TIMEOUT);
});

describe('Keras JSON + H5', () => {
  it('mutated topology: exit 0 or one line, exit 2', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), mutation, async (picks, m) => {
        const d = join(dir, `keras${n++}`);
        mkdirSync(d);
        writeFileSync(join(d, 'm.json'), JSON.stringify(mutate(kerasJson, pickPath(kerasJson, picks), m)));
        copyFileSync(join(dir, 'keras_weights.h5'), join(d, 'm_weights.h5'));
        expectClean(await cli(['predict', '--model', join(d, 'm.json'), '--input', x4]), d);
        rmSync(d, { recursive: true, force: true });
      }),
      params(100, { scale: 20, seconds: 15 }),
    );
  }, TEST_TIMEOUT);

  it('a corrupted H5 weights file: exit 2 naming it', async () => {
    const good = readFileSync(join(dir, 'keras_weights.h5'));
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat({ max: 255 }), fc.option(fc.nat()), async (at, v, cut) => {
        const d = join(dir, `h5${n++}`);
        mkdirSync(d);
        writeFileSync(join(d, 'm.json'), JSON.stringify(kerasJson));
        const b = Buffer.from(good);
        b[at % b.length] = v;
        writeFileSync(join(d, 'm_weights.h5'), cut === null ? b : b.subarray(0, cut % b.length));
        expectClean(await cli(['predict', '--model', join(d, 'm.json'), '--input', x4]), d);
        rmSync(d, { recursive: true, force: true });
      }),
      params(40, { scale: 10, seconds: 15 }),
    );
  }, TEST_TIMEOUT);
});

describe('ONNX', () => {
  it('byte-level corruptions of a QONNX model: exit 0 or one line, exit 2', async () => {
    const src = readFileSync(join(__dirname, '..', 'fixtures', 'onnx', 'qonnx', 'eltwise_chanlast_testcase.onnx'));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }), fc.option(fc.nat()), async (flips, cut) => {
        const b = Buffer.from(src);
        for (const [at, v] of flips) b[at % b.length] = v;
        const p = join(dir, `o${n++}.onnx`);
        writeFileSync(p, cut === null ? b : b.subarray(0, cut % b.length));
        expectClean(await cli(['predict', '--model', p, '--input', x4]), p);
        rmSync(p);
      }),
      params(25, { scale: 40, seconds: 15 }),
    );
  }, TEST_TIMEOUT);
});

const precision = fc.oneof(fc.constantFrom('fixed<16,6>', 'fixed<8,3,RND,SAT>', 'ufixed<8,0>', 'auto', 'fixed<1 6,6>', 'fixed<0,0>', 'fixed<4097,1>', 'int<8>'), hostileScalar);
const settings = fc.record(
  {
    Precision: fc.oneof(precision, fc.dictionary(fc.constantFrom('default', 'weight', 'bias', 'result', 'accum', 'scale', 'bogus'), precision, { maxKeys: 4 })),
    ReuseFactor: fc.oneof(fc.constantFrom(1, 2, 3, 4, 12, 0, -1, 1.5, 1e9), hostileScalar),
    Strategy: fc.oneof(fc.constantFrom('Latency', 'Resource', 'latency', 'bogus'), hostileJson),
    ConvImplementation: fc.constantFrom('LineBuffer', 'Encoded', 'x'),
    Implementation: fc.constantFrom('latency', 'stable', 'legacy', 'argmax', 'bogus'),
    table_size: fc.oneof(fc.constantFrom(1024, 2048, 0, 3, 1e9), hostileScalar),
    Trace: fc.oneof(fc.boolean(), hostileScalar),
    bogus_key: hostileJson,
  },
  { requiredKeys: [] },
);
const config = fc.record(
  {
    Model: settings,
    LayerName: fc.oneof(fc.dictionary(fc.constantFrom('dense1', 'input1', 'nope', 'DENSE1'), settings, { maxKeys: 3 }), hostileJson),
    LayerType: fc.oneof(fc.dictionary(fc.constantFrom('Dense', 'Input', 'Activation'), settings, { maxKeys: 2 }), hostileJson),
    IOType: fc.constantFrom('io_parallel', 'io_stream', 'io_bogus'),
    Backend: fc.constantFrom('Vivado', 'Vitis'),
    Extra: hostileJson,
  },
  { requiredKeys: ['Model'] },
);

describe('hls4ml configs', () => {
  it('generated configs (JSON and YAML): exit 0 or one line, exit 2', async () => {
    await fc.assert(
      fc.asyncProperty(config, fc.boolean(), async (cfg, yaml) => {
        const p = join(dir, `cfg${n++}.${yaml ? 'yml' : 'json'}`);
        writeFileSync(p, yaml ? toYaml(cfg) : JSON.stringify(cfg));
        expectClean(await cli(['predict', '--model', TINY_MODEL, '--config', p, '--input', x4]), JSON.stringify(cfg));
        rmSync(p);
      }),
      params(300, { scale: 20, seconds: 15 }),
    );
  }, TEST_TIMEOUT);

  it('configs for the CNN, io_parallel and io_stream: exit 0 or one line, exit 2', async () => {
    await fc.assert(
      fc.asyncProperty(config, async (cfg) => {
        const p = join(dir, `cfgc${n++}.json`);
        const named = { ...cfg, LayerName: typeof cfg.LayerName === 'object' && cfg.LayerName && !Array.isArray(cfg.LayerName) ? Object.fromEntries(Object.entries(cfg.LayerName).map(([k, v], i) => [['conv1', 'pool1', 'dense1', 'softmax'][i % 4] ?? k, v])) : cfg.LayerName };
        writeFileSync(p, JSON.stringify(named));
        expectClean(await cli(['predict', '--model', FMNIST_MODEL, '--config', p, '--input', x784]), JSON.stringify(named));
        rmSync(p);
      }),
      params(40, { scale: 20, seconds: 20 }),
    );
  }, TEST_TIMEOUT);
});

describe.skipIf(!LEAD)('the library directly (HLSEMU_FUZZ_LEAD=1): importers and config module', () => {
  it('loadModel on mutated tfjs files: typed errors only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 7 }), mutation, async (picks, m) => {
        const p = tfjsCopy(TINY_MODEL, (j) => mutate(j, pickPath(j, picks), m));
        await typedOrOkAsync(() => loadModel(p));
      }),
      params(300, { scale: 20 }),
    );
  }, TEST_TIMEOUT);

  it('parseHls4mlConfig + convertModel + predict: typed errors only', async () => {
    const model = await loadModel(TINY_MODEL);
    await fc.assert(
      fc.asyncProperty(config, async (cfg) => {
        await typedOrOkAsync(async () => new Emulator(convertModel(model, parseHls4mlConfig(cfg as object, 'cfg'))).predict({ data: new Float32Array(8), shape: [2, 4] }));
      }),
      params(500, { scale: 20 }),
    );
  }, TEST_TIMEOUT);
});
