// The in-memory host (what the browser entry runs on) against the Node host: the same files give
// the same model, the same firmware and the same bits; the in-memory file system behaves like
// Node's for the calls the library makes.
import { readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { setPlatform, type Platform } from '../../src/platform/index.js';
import { nodePlatform } from '../../src/node/platform.js';
import { MemoryFs, memoryPlatform, posixPath } from '../../src/platform/memory.js';
import {
  Emulator,
  FormatError,
  configFromModel,
  convertModel,
  loadExample,
  loadModel,
  loadModelFromFiles,
  modelEntry,
  mountFiles,
  projectZip,
  renderProject,
  scanHomogeneous,
  scanToCsv,
} from '../../src/browser.js';

const ROOT = join(import.meta.dirname, '..', '..');
const bytes = (p: string) => new Uint8Array(readFileSync(join(ROOT, p)));

async function on<T>(p: Platform, fn: () => Promise<T>): Promise<T> {
  const prev = setPlatform(p);
  try {
    return await fn();
  } finally {
    if (prev) setPlatform(prev);
  }
}

/** The package's example files mounted where the Node package has them. */
function mountPackage(): Platform {
  const mem = memoryPlatform(new MemoryFs(), { moduleDir: '/pkg/dist' });
  setPlatform(mem);
  mountFiles(
    {
      'package.json': JSON.stringify({ name: 'hlsemu' }),
      'models/fmnist/model.json': bytes('models/fmnist/model.json'),
      'models/fmnist/weights.bin': bytes('models/fmnist/weights.bin'),
      'data/fashion-mnist/t10k-images-idx3-ubyte.gz': bytes('data/fashion-mnist/t10k-images-idx3-ubyte.gz'),
      'data/fashion-mnist/t10k-labels-idx1-ubyte.gz': bytes('data/fashion-mnist/t10k-labels-idx1-ubyte.gz'),
    },
    '/pkg',
  );
  return mem;
}

describe('in-memory host', () => {
  it('posix paths match node:path.posix', () => {
    const cases = ['/a/b/../c', 'a/./b/', '/', '', 'x.tar.gz', '/m/model.json', '.hidden', 'a/b/c.d/'];
    for (const c of cases) {
      if (c) expect(posixPath.dirname(c)).toBe(nodePath.posix.dirname(c));
      expect(posixPath.basename(c)).toBe(nodePath.posix.basename(c));
      expect(posixPath.extname(c)).toBe(nodePath.posix.extname(c));
      expect(posixPath.join('/r', c)).toBe(nodePath.posix.join('/r', c));
      expect(posixPath.resolve('/r', c)).toBe(nodePath.posix.resolve('/r', c));
    }
    expect(posixPath.relative('/a/b/c', '/a/d')).toBe(nodePath.posix.relative('/a/b/c', '/a/d'));
    expect(posixPath.basename('/m/fc_weights.h5', '.h5')).toBe('fc_weights');
  });

  it('behaves like node:fs for the calls the library makes', () => {
    const fs = new MemoryFs().api;
    fs.mkdirSync('/a/b', { recursive: true });
    fs.writeFileSync('/a/b/f.txt', 'héllo');
    expect(fs.readFileSync('/a/b/f.txt', 'utf8')).toBe('héllo');
    expect(fs.statSync('/a/b/f.txt').size).toBe(6);
    expect(fs.statSync('/a').isDirectory()).toBe(true);
    expect(fs.readdirSync('/a')).toEqual(['b']);
    expect(() => fs.readFileSync('/nope')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => fs.writeFileSync('/zz/f', 'x')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(fs.statSync('/nope', { throwIfNoEntry: false })).toBeUndefined();
    const fd = fs.openSync('/a/b/f.txt', 'r');
    const buf = new Uint8Array(3);
    expect(fs.readSync(fd, buf, 0, 3, 1)).toBe(3);
    fs.closeSync(fd);
    expect(Array.from(buf)).toEqual([0xc3, 0xa9, 0x6c]);
    fs.renameSync('/a/b', '/a/c');
    expect(fs.existsSync('/a/c/f.txt')).toBe(true);
    expect(() => fs.rmdirSync('/a/c')).toThrow(expect.objectContaining({ code: 'ENOTEMPTY' }));
    fs.rmSync('/a', { recursive: true });
    expect(fs.existsSync('/a')).toBe(false);
  });

  it('picks the model file of a drop', () => {
    expect(modelEntry(['group1-shard1of1.bin', 'model.json'])).toBe('model.json');
    expect(modelEntry(['fc_weights.h5', 'fc.json'])).toBe('fc.json');
    expect(modelEntry(['m.h5'])).toBe('m.h5');
    expect(() => modelEntry(['x.npy'])).toThrow(/no model file/);
  });

  it('errors of a drop name the files as given, not the directory they were mounted in', async () => {
    setPlatform(memoryPlatform());
    try {
      const dir = 'test/golden/import/print_rounding';
      await expect(loadModelFromFiles({ 'model.json': bytes(`${dir}/model.json`) })).rejects.toThrow(/^weights\.bin: weight shard 'weights\.bin' \(weightsManifest\[0\]\.paths\[0\] of model\.json\) not found$/);
      const err = await loadModelFromFiles({ 'model.json': bytes(`${dir}/model.json`), 'weights.bin': bytes(`${dir}/weights.bin`).subarray(0, 20) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect(err).toMatchObject({ name: 'FormatError', code: 'format', path: "model.json: weightsManifest weight #0 'dense1/kernel'" });
      expect((err as Error).message).toMatch(/^model\.json: weightsManifest weight #0 'dense1\/kernel': weight data ends after 20 bytes/);
    } finally {
      setPlatform(nodePlatform);
    }
  });

  it('runs the bundled example bit for bit as on Node: predict, trace, report, scan', async () => {
    const node = await on(nodePlatform, async () => {
      const ex = await loadExample('fashion-mnist', { limit: 40 });
      const fw = convertModel(ex.model, configFromModel(ex.model));
      const r = new Emulator(fw).predict({ data: ex.data.x.subarray(0, 20 * 784), shape: [20, 28, 28, 1] }, { trace: true, report: true });
      const scan = await scanHomogeneous({ model: ex.model, data: ex.data, widths: [16, 12], workers: 1 });
      return { r, csv: scanToCsv(scan), files: renderProject(fw).files };
    });
    const mem = mountPackage();
    const web = await on(mem, async () => {
      const ex = await loadExample('fashion-mnist', { limit: 40 });
      const fw = convertModel(ex.model, configFromModel(ex.model));
      const r = new Emulator(fw).predict({ data: ex.data.x.subarray(0, 20 * 784), shape: [20, 28, 28, 1] }, { trace: true, report: true });
      const scan = await scanHomogeneous({ model: ex.model, data: ex.data, widths: [16, 12] });
      return { r, csv: scanToCsv(scan), fw };
    });
    expect(Array.from(web.r.raw)).toEqual(Array.from(node.r.raw));
    expect(Object.keys(web.r.trace!)).toEqual(Object.keys(node.r.trace!));
    for (const k of Object.keys(node.r.trace!)) expect(Array.from(web.r.trace![k]!.raw as Float64Array)).toEqual(Array.from(node.r.trace![k]!.raw as Float64Array));
    expect(web.r.report).toEqual(node.r.report);
    // Timing columns aside, the scan tables agree.
    const cells = (l: string) => l.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
    const strip = (csv: string) => {
      const rows = csv.trim().split('\n').map(cells);
      const keep = rows[0]!.map((h) => h !== 'seconds');
      return rows.map((r) => r.filter((_, i) => keep[i]).join(','));
    };
    expect(strip(web.csv)).toEqual(strip(node.csv));
    // The project zip holds the rendered files.
    const zip = unzipSync(projectZip(renderProject(web.fw)));
    expect(Object.keys(zip).length).toBe(node.files.size);
    for (const [rel, text] of node.files) expect(strFromU8(zip[`myproject/${rel}`]!)).toBe(text);
  }, 120_000);

  it('reads a Keras JSON + HDF5 pair from memory (h5wasm browser build) as Node reads it from disk', async () => {
    const dir = 'test/golden/import/qkeras_example';
    const node = await on(nodePlatform, () => loadModel(join(ROOT, dir, 'qkeras_example.json')));
    setPlatform(memoryPlatform());
    const web = await loadModelFromFiles({ 'qkeras_example_weights.h5': bytes(`${dir}/qkeras_example_weights.h5`), 'qkeras_example.json': bytes(`${dir}/qkeras_example.json`) });
    expect(web.layers.map((l) => [l.name, l.className, l.outputShape])).toEqual(node.layers.map((l) => [l.name, l.className, l.outputShape]));
    for (let i = 0; i < node.layers.length; i++) {
      const a = node.layers[i]!.weights;
      const b = web.layers[i]!.weights;
      expect(Object.keys(b)).toEqual(Object.keys(a));
      for (const k of Object.keys(a)) expect(Array.from(b[k]!.data)).toEqual(Array.from(a[k]!.data));
    }
    setPlatform(nodePlatform);
  }, 60_000);
});
