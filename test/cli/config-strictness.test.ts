// Config value types and memory budgets. These checks belong to src/graph (config validation) and
// the emulator; the tests are written here first and fail until those modules reject the values:
// a wrong type must be a ConfigError naming the key, a huge claimed shape a typed error before
// any allocation — never a silent acceptance (String(["Latency"]) === 'Latency') or a RangeError.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, HlsemuError } from '../../src/errors.js';
import { Emulator } from '../../src/emulate/predict.js';
import { parseHls4mlConfig } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { loadModel } from '../../src/import/index.js';
import { cli, TINY_MODEL, writeNpy } from './helpers.js';

const base = { Model: { Precision: 'fixed<16,6>', ReuseFactor: 1, Strategy: 'Latency' } };

async function expectRejected(cfg: unknown, key: RegExp): Promise<void> {
  let err: unknown;
  try {
    const c = parseHls4mlConfig(JSON.stringify(cfg), 'cfg.json');
    convertModel(await loadModel(TINY_MODEL), c);
  } catch (e) {
    err = e;
  }
  expect(err, `${JSON.stringify(cfg)} was accepted`).toBeInstanceOf(ConfigError);
  expect((err as Error).message).toMatch(key);
}

describe('hls4ml config value types (src/graph/config.ts)', () => {
  it('Strategy: ["Latency"] is an error, not Latency', async () => {
    await expectRejected({ Model: { ...base.Model, Strategy: ['Latency'] } }, /Model\.Strategy/);
  });

  it('LayerName: [] and LayerType: [] are errors', async () => {
    await expectRejected({ ...base, LayerName: [] }, /LayerName/);
    await expectRejected({ ...base, LayerType: [] }, /LayerType/);
  });

  it('list-valued implementations and non-boolean flags are errors', async () => {
    await expectRejected({ ...base, LayerName: { dense1: { ConvImplementation: ['Encoded'] } } }, /ConvImplementation/);
    await expectRejected({ ...base, LayerName: { dense1: { Implementation: ['stable'] } } }, /Implementation/);
    await expectRejected({ ...base, LayerName: { dense1: { Trace: 'yes' } } }, /Trace/);
  });

  it('the CLI reports them as one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hlsemu-cfg-'));
    try {
      const cfg = join(dir, 'cfg.json');
      writeFileSync(cfg, JSON.stringify({ Model: { ...base.Model, Strategy: ['Latency'] } }));
      const x = writeNpy(join(dir, 'x.npy'), [1, 2, 3, 4], [1, 4]);
      const r = await cli(['predict', '--model', TINY_MODEL, '--config', cfg, '--input', x]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cfg\.json.*Strategy/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

});

describe('memory budgets for huge claimed shapes (src/graph, src/emulate)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hlsemu-budget-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a ZeroPadding2D claiming a 2,000,000 × 2,000,000 output is a typed error, not a RangeError', async () => {
    const d = join(dir, 'pad');
    mkdirSync(d);
    const topology = {
      class_name: 'Sequential',
      config: {
        name: 'pad',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 4, 4, 1], dtype: 'float32', name: 'in' } },
          { class_name: 'ZeroPadding2D', config: { name: 'zp', padding: [[1000000, 1000000], [1000000, 1000000]], data_format: 'channels_last' } },
        ],
      },
    };
    writeFileSync(join(d, 'model.json'), JSON.stringify({ modelTopology: { class_name: topology.class_name, config: topology.config, keras_version: '2.15.0', backend: 'tensorflow' }, format: 'layers-model', weightsManifest: [] }));
    let err: unknown;
    try {
      const m = await loadModel(join(d, 'model.json'));
      new Emulator(convertModel(m)).predict({ data: new Float32Array(16), shape: [1, 4, 4, 1] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeDefined();
    expect(err, String(err)).toBeInstanceOf(HlsemuError);
  });
});
