/**
 * Keras 3 `.keras` archives. The fixtures are built here: an HDF5 weights file written with h5wasm
 * in Keras 3's layout (`layers/<snake_case class>/vars/<i>`, a `name` attribute per group) and a ZIP
 * made with fflate from it plus config.json / metadata.json — then corrupted on purpose.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, UnsupportedError } from '../../src/errors.js';
import { crc32, loadKerasArchive, looksLikeZip, readKeras3Weights, readKerasArchive } from '../../src/import/keras-archive.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dir = mkdtempSync(join(tmpdir(), 'hlsemu-keras-archive-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = {
  module: 'keras',
  class_name: 'Sequential',
  config: {
    name: 'sequential',
    layers: [
      { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4], dtype: 'float32', name: 'input_layer' }, registered_name: null },
      { module: 'keras.layers', class_name: 'Dense', config: { name: 'fc1', units: 3, activation: 'relu', use_bias: true }, registered_name: null },
      { module: 'keras.layers', class_name: 'BatchNormalization', config: { name: 'bn', axis: -1, epsilon: 0.001, center: true, scale: true }, registered_name: null },
      { module: 'keras.layers', class_name: 'Dense', config: { name: 'fc2', units: 2, activation: 'linear', use_bias: true }, registered_name: null },
    ],
  },
  registered_name: null,
  build_config: { input_shape: [null, 4] },
};
const METADATA = { keras_version: '3.10.0', date_saved: '2025-06-01@12:00:00' };

const kernel1 = Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 8);
const bias1 = Float32Array.from([0.5, -0.25, 0.125]);
const bn = [Float32Array.from([1, 2, 0.5]), Float32Array.from([0, 0.1, -0.1]), Float32Array.from([0.2, 0.3, 0.4]), Float32Array.from([1, 4, 0.25])];
const kernel2 = Float32Array.from({ length: 6 }, (_, i) => i / 4);
const bias2 = Float64Array.from([1, -1]);
let h5: Uint8Array;

beforeAll(async () => {
  const mod = (await import('h5wasm/node')).default;
  await mod.ready;
  const path = join(dir, 'model.weights.h5');
  const f = new mod.File(path, 'w');
  try {
    // Keras ≥ 3.6 writes a vars group (with the saveable's name) for the model itself too.
    f.create_group('vars').create_attribute('name', 'sequential');
    const layers = f.create_group('layers');
    const group = (p: string, name: string) => {
      const g = layers.create_group(p).create_group('vars');
      g.create_attribute('name', name);
      return g;
    };
    layers.create_group('input_layer').create_group('vars').create_attribute('name', 'input_layer');
    const d1 = group('dense', 'fc1');
    d1.create_dataset({ name: '0', data: kernel1, shape: [4, 3] });
    d1.create_dataset({ name: '1', data: bias1, shape: [3] });
    const b = group('batch_normalization', 'bn');
    bn.forEach((v, i) => b.create_dataset({ name: String(i), data: v, shape: [3] }));
    const d2 = group('dense_1', 'fc2');
    d2.create_dataset({ name: '0', data: kernel2, shape: [3, 2] });
    d2.create_dataset({ name: '1', data: bias2, shape: [2] });
    const opt = f.create_group('optimizer').create_group('vars');
    opt.create_attribute('name', 'adam');
    opt.create_dataset({ name: '0', data: new BigInt64Array([7n]), shape: [] });
  } finally {
    f.close();
  }
  h5 = new Uint8Array(readFileSync(path));
});

function archive(entries: Record<string, Uint8Array | string>, level: 0 | 6 = 0): Uint8Array {
  const z: Zippable = {};
  for (const [k, v] of Object.entries(entries)) z[k] = [typeof v === 'string' ? enc(v) : v, { level }];
  return zipSync(z, { mtime: new Date('2025-01-01T00:00:00Z') });
}

const standard = (level: 0 | 6 = 0) =>
  archive({ 'metadata.json': JSON.stringify(METADATA), 'config.json': JSON.stringify(CONFIG), 'model.weights.h5': h5 }, level);

/** Offsets of an entry's local header and central-directory record. */
function headers(zip: Uint8Array, name: string): { local: number; central: number } {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const nm = enc(name);
  const find = (sig: number, nameAt: number, lenAt: number): number => {
    for (let o = 0; o + 4 < zip.length; o++) {
      if (dv.getUint32(o, true) !== sig) continue;
      const nl = dv.getUint16(o + lenAt, true);
      if (nl === nm.length && nm.every((b, i) => zip[o + nameAt + i] === b)) return o;
    }
    throw new Error(`no header for ${name}`);
  };
  return { local: find(0x04034b50, 30, 26), central: find(0x02014b50, 46, 28) };
}

function expectError(f: () => unknown, cls: new (...a: never[]) => Error, re: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  expect((err as Error).message).toMatch(re);
}

describe('readKerasArchive', () => {
  it('reads config, metadata and the weights bytes of a stored (Python-style) archive', () => {
    const zip = standard(0);
    expect(looksLikeZip(zip)).toBe(true);
    const a = readKerasArchive(zip, 'm.keras');
    expect(a.config).toEqual(CONFIG);
    expect(a.metadata).toEqual(METADATA);
    expect(a.kerasVersion).toBe('3.10.0');
    expect(a.assets).toEqual([]);
    expect(Buffer.from(a.weights).equals(Buffer.from(h5))).toBe(true);
  });

  it('reads deflated archives, lists assets, tolerates a missing metadata.json', () => {
    const a = readKerasArchive(standard(6), 'm.keras');
    expect(Buffer.from(a.weights).equals(Buffer.from(h5))).toBe(true);
    const b = readKerasArchive(archive({ 'config.json': JSON.stringify(CONFIG), 'model.weights.h5': h5, 'assets/vocab.txt': 'a\nb\n' }, 6), 'm.keras');
    expect(b.metadata).toBeNull();
    expect(b.kerasVersion).toBeUndefined();
    expect(b.assets).toEqual(['assets/vocab.txt']);
  });

  it('loads from disk, with a size cap on the archive file', () => {
    const p = join(dir, 'model.keras');
    writeFileSync(p, standard());
    expect(loadKerasArchive(p).config['class_name']).toBe('Sequential');
    expectError(() => loadKerasArchive(p, { maxArchiveBytes: 100 }), FormatError, /exceeds the cap of 100 bytes/);
    expectError(() => loadKerasArchive(join(dir, 'nope.keras')), FormatError, /file not found/);
  });

  it('rejects a deflated entry that inflates beyond its declared size (zip bomb), naming the entry', () => {
    const big = JSON.stringify({ ...CONFIG, pad: ' '.repeat(200_000) });
    const zip = archive({ 'config.json': big, 'model.weights.h5': h5 }, 6);
    const { local, central } = headers(zip, 'config.json');
    const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    dv.setUint32(central + 24, 1000, true); // lie: 1000 bytes
    dv.setUint32(local + 22, 1000, true);
    expectError(() => readKerasArchive(zip, 'bomb.keras'), FormatError, /^bomb\.keras:config\.json: inflates to more than the declared 1000 bytes/);
  });

  it('caps declared sizes before inflating anything', () => {
    expectError(() => readKerasArchive(standard(6), 'm.keras', { maxJsonBytes: 100 }), FormatError, /m\.keras:(config|metadata)\.json: declared size \d+ bytes exceeds the cap of 100 bytes/);
    expectError(() => readKerasArchive(standard(0), 'm.keras', { maxWeightsBytes: 1024 }), FormatError, /model\.weights\.h5: declared size/);
    expectError(() => readKerasArchive(standard(0), 'm.keras', { maxEntries: 2 }), FormatError, /3 entries exceed the cap of 2/);
  });

  it('detects corruption: CRC, size mismatch, truncation, not a zip', () => {
    const zip = standard(0);
    const { local } = headers(zip, 'model.weights.h5');
    const bad = zip.slice();
    bad[local + 30 + 'model.weights.h5'.length + 100]! ^= 0xff;
    expectError(() => readKerasArchive(bad, 'm.keras'), FormatError, /model\.weights\.h5: CRC-32 mismatch/);
    const short = archive({ 'config.json': JSON.stringify(CONFIG), 'model.weights.h5': h5 }, 6);
    const c = headers(short, 'config.json').central;
    new DataView(short.buffer).setUint32(c + 24, 10, true);
    expectError(() => readKerasArchive(short, 'm.keras'), FormatError, /config\.json: (inflates to more than|declared)/);
    expectError(() => readKerasArchive(zip.subarray(0, zip.length - 30), 'm.keras'), FormatError, /no end-of-central-directory/);
    expectError(() => readKerasArchive(enc('{"not": "a zip"}'.repeat(3)), 'm.keras'), FormatError, /not a ZIP archive/);
  });

  it('rejects unexpected, duplicate, missing and unsupported entries', () => {
    expectError(() => readKerasArchive(archive({ 'config.json': JSON.stringify(CONFIG), 'model.weights.h5': h5, 'notes.txt': 'x' }), 'm.keras'), FormatError, /m\.keras:notes\.txt: unexpected entry/);
    expectError(() => readKerasArchive(archive({ 'config.json': JSON.stringify(CONFIG), 'model.weights.npz': 'x' }), 'm.keras'), UnsupportedError, /weights_format='npz'/);
    expectError(() => readKerasArchive(archive({ 'model.weights.h5': h5 }), 'm.keras'), FormatError, /m\.keras:config\.json: missing/);
    expectError(() => readKerasArchive(archive({ 'config.json': JSON.stringify(CONFIG) }), 'm.keras'), FormatError, /model\.weights\.h5: missing/);
    // duplicate: rename 'configXjson' to 'config.json' in both headers
    const dup = archive({ 'config.json': JSON.stringify(CONFIG), 'configXjson': JSON.stringify(CONFIG), 'model.weights.h5': h5 });
    const { local, central } = headers(dup, 'configXjson');
    dup[local + 30 + 6] = 0x2e;
    dup[central + 46 + 6] = 0x2e;
    expectError(() => readKerasArchive(dup, 'm.keras'), FormatError, /m\.keras:config\.json: duplicate entry/);
    // encrypted flag
    const enc1 = standard(0);
    new DataView(enc1.buffer).setUint16(headers(enc1, 'config.json').central + 8, 1, true);
    expectError(() => readKerasArchive(enc1, 'm.keras'), UnsupportedError, /config\.json: encrypted/);
  });

  it('validates the JSON entries and the HDF5 signature', () => {
    expectError(() => readKerasArchive(archive({ 'config.json': '{"class_name": ', 'model.weights.h5': h5 }), 'm.keras'), FormatError, /m\.keras:config\.json: invalid JSON/);
    expectError(() => readKerasArchive(archive({ 'config.json': '[1,2]', 'model.weights.h5': h5 }), 'm.keras'), FormatError, /expected a JSON object/);
    expectError(() => readKerasArchive(archive({ 'config.json': '{"config": {}}', 'model.weights.h5': h5 }), 'm.keras'), FormatError, /config\.json\.class_name/);
    expectError(() => readKerasArchive(archive({ 'config.json': JSON.stringify(CONFIG), 'metadata.json': '{"keras_version": 3}', 'model.weights.h5': h5 }), 'm.keras'), FormatError, /metadata\.json\.keras_version/);
    expectError(() => readKerasArchive(archive({ 'config.json': JSON.stringify(CONFIG), 'model.weights.h5': 'not hdf5' }), 'm.keras'), FormatError, /model\.weights\.h5: not an HDF5 file/);
  });

  it('crc32 matches the standard check value', () => {
    expect(crc32(enc('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('readKeras3Weights (Keras 3 model.weights.h5 layout)', () => {
  it('lists every vars group by path, with the layer name attribute and variables in index order', async () => {
    const a = readKerasArchive(standard(6), 'm.keras');
    const groups = await readKeras3Weights(a.weights, 'm.keras:model.weights.h5');
    expect(groups.map((g) => [g.path, g.name, g.vars.length])).toEqual([
      ['', 'sequential', 0],
      ['layers/batch_normalization', 'bn', 4],
      ['layers/dense', 'fc1', 2],
      ['layers/dense_1', 'fc2', 2],
      ['layers/input_layer', 'input_layer', 0],
      ['optimizer', 'adam', 1],
    ]);
    const d = groups.find((g) => g.path === 'layers/dense')!;
    expect(d.vars[0]!.shape).toEqual([4, 3]);
    expect(Array.from(d.vars[0]!.data!)).toEqual(Array.from(kernel1));
    expect(Array.from(d.vars[1]!.data!)).toEqual(Array.from(bias1));
    const bnG = groups.find((g) => g.name === 'bn')!;
    bnG.vars.forEach((v, i) => expect(Array.from(v.data!)).toEqual(Array.from(bn[i]!)));
    const d2 = groups.find((g) => g.path === 'layers/dense_1')!;
    expect(d2.vars[1]!.data).toBeInstanceOf(Float64Array);
    expect(groups.find((g) => g.path === 'optimizer')!.vars[0]!.data).toBeNull(); // int64 iterations
  });

  it('rejects non-HDF5 bytes', async () => {
    await expect(readKeras3Weights(enc('nope'), 'w.h5')).rejects.toThrow(/w\.h5: not an HDF5 file/);
  });
});
