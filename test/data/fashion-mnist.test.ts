/**
 * Fashion-MNIST data layer: IDX reader/writer, the bundled 1,000-image subset, the full dataset
 * (when installed), and the trained float model in models/fmnist/ (loaded via the fs IO handler).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { encodeIdx, parseIdx, readIdx } from '../../src/data/idx.js';
import {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DEFAULT_DIR,
  bundledFashionMnistDir,
  hlsemuPackageRoot,
  loadBundledFashionMnist,
  loadFashionMnist,
} from '../../src/data/fashion-mnist.js';
import { fileSystemLoadHandler, readModelArtifacts, writeModelArtifacts } from '../../src/data/tfjs-fs-handler.js';

const ROOT = hlsemuPackageRoot();
const MODEL_JSON = join(ROOT, 'models', 'fmnist', 'model.json');
const FULL_DATASET = existsSync(join(FASHION_MNIST_DEFAULT_DIR, 't10k-images-idx3-ubyte.gz'));

function expectFormatError(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(FormatError);
  expect((caught as FormatError).code).toBe('format');
  expect((caught as FormatError).message).toMatch(message);
}

describe('IDX reader', () => {
  const sample = encodeIdx([2, 3], Uint8Array.of(1, 2, 3, 4, 5, 6));

  it('round-trips raw and gzipped IDX', () => {
    for (const bytes of [sample, encodeIdx([2, 3], Uint8Array.of(1, 2, 3, 4, 5, 6), { gzip: true })]) {
      const a = parseIdx(bytes);
      expect(a.dims).toEqual([2, 3]);
      expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    }
    expect(Array.from(sample.subarray(0, 12))).toEqual([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
  });

  it('applies limit along the outermost dimension', () => {
    const a = parseIdx(sample, 'x', { limit: 1 });
    expect(a.dims).toEqual([1, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3]);
    expect(parseIdx(sample, 'x', { limit: 99 }).dims).toEqual([2, 3]);
  });

  it('rejects bad magic with FormatError', () => {
    const bad = sample.slice();
    bad[0] = 0x12;
    expectFormatError(() => parseIdx(bad, 'bad.idx'), /^bad\.idx: bad IDX magic/);
    const badType = sample.slice();
    badType[2] = 0x42;
    expectFormatError(() => parseIdx(badType, 'bad.idx'), /unknown element type byte 0x42/);
    const floatType = sample.slice();
    floatType[2] = 0x0d;
    expectFormatError(() => parseIdx(floatType, 'f.idx'), /float32 .* not supported/);
    const rank0 = sample.slice();
    rank0[3] = 0;
    expectFormatError(() => parseIdx(rank0), /rank 0/);
    // Not gzip and not IDX, e.g. a text file.
    expectFormatError(() => parseIdx(new TextEncoder().encode('hello world')), /bad IDX magic/);
  });

  it('rejects truncated files with FormatError', () => {
    expectFormatError(() => parseIdx(sample.subarray(0, 3), 't.idx'), /truncated IDX header: 3 bytes/);
    expectFormatError(() => parseIdx(sample.subarray(0, 9), 't.idx'), /truncated IDX header: 9 bytes, need 12/);
    expectFormatError(() => parseIdx(sample.subarray(0, 16), 't.idx'), /truncated IDX data: dims \[2, 3\] need 6 bytes, file has 4/);
    // Truncated inside a gzip stream.
    const gz = gzipSync(sample);
    expectFormatError(() => parseIdx(gz.subarray(0, gz.length - 6), 't.idx.gz'), /invalid gzip data/);
    // A gzip stream of a truncated IDX payload.
    expectFormatError(() => parseIdx(gzipSync(sample.subarray(0, 15)), 't.idx.gz'), /truncated IDX data/);
  });

  it('rejects trailing bytes', () => {
    const extra = new Uint8Array(sample.length + 2);
    extra.set(sample);
    expectFormatError(() => parseIdx(extra), /2 trailing bytes/);
  });

  it('readIdx reports unreadable files as FormatError', async () => {
    await expect(readIdx('/nonexistent/file-idx1-ubyte.gz')).rejects.toBeInstanceOf(FormatError);
  });

  it('encodeIdx validates its arguments', () => {
    expect(() => encodeIdx([2, 2], new Uint8Array(3))).toThrow(RangeError);
    expect(() => encodeIdx([], new Uint8Array(0))).toThrow(RangeError);
  });
});

describe('bundled Fashion-MNIST subset', () => {
  it('is found relative to the package root', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).name).toBe('hlsemu');
    expect(bundledFashionMnistDir()).toBe(join(ROOT, 'data', 'fashion-mnist'));
    expect(existsSync(join(bundledFashionMnistDir(), 'LICENSE'))).toBe(true);
  });

  it('loads 1000 images with labels in 0..9 and pixels in [0, 1]', async () => {
    const d = await loadBundledFashionMnist();
    expect(d.shape).toEqual([1000, 28, 28, 1]);
    expect(d.images).toBeInstanceOf(Float32Array);
    expect(d.images.length).toBe(1000 * 28 * 28);
    expect(d.labels).toBeInstanceOf(Uint8Array);
    expect(d.labels.length).toBe(1000);
    let min = Infinity;
    let max = -Infinity;
    for (const v of d.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // Every pixel is byte/255 exactly (in float32).
    for (let i = 0; i < d.images.length; i += 97) {
      expect(d.images[i]).toBe(Math.fround(Math.round(d.images[i]! * 255) / 255));
    }
    const counts = new Array<number>(10).fill(0);
    for (const l of d.labels) {
      expect(l).toBeGreaterThanOrEqual(0);
      expect(l).toBeLessThanOrEqual(9);
      counts[l]!++;
    }
    expect(counts.every((c) => c > 50)).toBe(true);
    // The first test images are, per the upstream dataset: Ankle boot, Pullover, Trouser, Trouser.
    expect(Array.from(d.labels.subarray(0, 4))).toEqual([9, 2, 1, 1]);
    expect(FASHION_MNIST_CLASSES[d.labels[0]!]).toBe('Ankle boot');
    expect(FASHION_MNIST_CLASSES).toHaveLength(10);
  });

  it('honours limit', async () => {
    const d = await loadBundledFashionMnist(10);
    expect(d.shape).toEqual([10, 28, 28, 1]);
    expect(d.images.length).toBe(7840);
    expect(d.labels.length).toBe(10);
  });
});

describe('loadFashionMnist', () => {
  it('explains how to install the dataset when the files are missing', async () => {
    const err = await loadFashionMnist({ split: 'test', dir: '/nonexistent/fmnist' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(/apt-get install dataset-fashion-mnist/);
    expect((err as Error).message).toMatch(/t10k-images-idx3-ubyte/);
  });

  it('rejects a bad split name', async () => {
    await expect(loadFashionMnist({ split: 'val' as 'test' })).rejects.toThrow(/split must be/);
  });

  it('reads uncompressed IDX files and checks image/label agreement', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hlsemu-fmnist-'));
    try {
      const px = new Uint8Array(2 * 28 * 28).map((_, i) => i % 256);
      writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx([2, 28, 28], px));
      writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([2], Uint8Array.of(3, 7)));
      const d = await loadFashionMnist({ split: 'test', dir });
      expect(d.shape).toEqual([2, 28, 28, 1]);
      expect(d.images[255]).toBe(1);
      expect(Array.from(d.labels)).toEqual([3, 7]);

      writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([3], Uint8Array.of(3, 7, 1)));
      await expect(loadFashionMnist({ split: 'test', dir })).rejects.toThrow(/expected labels of dims \[2\]/);
      writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([2], Uint8Array.of(3, 12)));
      await expect(loadFashionMnist({ split: 'test', dir })).rejects.toThrow(/label 1 is 12/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!FULL_DATASET)(
    FULL_DATASET
      ? 'loads the full test split (10,000 images) and the bundled subset equals its first 1,000'
      : `SKIPPED: full Fashion-MNIST not installed at ${FASHION_MNIST_DEFAULT_DIR} (apt-get install dataset-fashion-mnist)`,
    async () => {
      const full = await loadFashionMnist({ split: 'test' });
      expect(full.shape).toEqual([10000, 28, 28, 1]);
      expect(full.images.length).toBe(10000 * 784);
      expect(full.labels.length).toBe(10000);
      const counts = new Array<number>(10).fill(0);
      for (const l of full.labels) counts[l]!++;
      expect(counts).toEqual(new Array(10).fill(1000));
      const sub = await loadBundledFashionMnist();
      expect(Array.from(full.labels.subarray(0, 1000))).toEqual(Array.from(sub.labels));
      const a = new Uint8Array(full.images.buffer, 0, 784000 * 4);
      const b = new Uint8Array(sub.images.buffer, sub.images.byteOffset, sub.images.byteLength);
      expect(Buffer.compare(a, b)).toBe(0);
      const train = await loadFashionMnist({ split: 'train', limit: 5 });
      expect(train.shape).toEqual([5, 28, 28, 1]);
    },
  );
});

describe('tfjs model I/O on disk', () => {
  it('round-trips artifacts through writeModelArtifacts / readModelArtifacts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hlsemu-tfjs-'));
    try {
      const weightData = new Float32Array([1.5, -2, 3.25]).buffer;
      writeModelArtifacts(dir, {
        modelTopology: { class_name: 'Sequential' },
        weightSpecs: [{ name: 'w', shape: [3], dtype: 'float32' }],
        weightData: [weightData.slice(0, 4), weightData.slice(4)],
        format: 'layers-model',
        generatedBy: 'test',
      });
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      expect(json.weightsManifest).toEqual([{ paths: ['./weights.bin'], weights: [{ name: 'w', shape: [3], dtype: 'float32' }] }]);
      const back = readModelArtifacts(join(dir, 'model.json'));
      expect(back.modelTopology).toEqual({ class_name: 'Sequential' });
      expect(Array.from(new Float32Array(back.weightData as ArrayBuffer))).toEqual([1.5, -2, 3.25]);
      rmSync(join(dir, 'weights.bin'));
      expectFormatError(() => readModelArtifacts(join(dir, 'model.json')), /cannot read weight shard/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expectFormatError(() => readModelArtifacts('/nonexistent/model.json'), /cannot read tfjs model JSON/);
  });

  it('loads models/fmnist/model.json; accuracy on the bundled 1,000 images is >= 80%', async () => {
    expect(existsSync(MODEL_JSON), `${MODEL_JSON} missing — run npm run train:fmnist`).toBe(true);
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    const model = await tf.loadLayersModel(fileSystemLoadHandler(MODEL_JSON));
    expect(model.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    expect(model.layers.map((l) => l.name)).toEqual([
      'conv1', 'pool1', 'bn1', 'relu1',
      'conv2', 'pool2', 'bn2', 'relu2',
      'conv3', 'pool3', 'bn3', 'relu3',
      'flatten',
      'dense1', 'bn4', 'relu4',
      'dense2', 'bn5', 'relu5',
      'dense3', 'softmax',
    ]);
    const data = await loadBundledFashionMnist();
    const x = tf.tensor4d(data.images, data.shape);
    const probs = model.predict(x) as import('@tensorflow/tfjs').Tensor2D;
    const pred = await probs.argMax(-1).data();
    const sums = await probs.sum(-1).data();
    let correct = 0;
    for (let i = 0; i < data.labels.length; i++) if (pred[i] === data.labels[i]) correct++;
    const accuracy = correct / data.labels.length;
    tf.dispose([x, probs]);
    expect(Math.abs(sums[0]! - 1)).toBeLessThan(1e-5);
    expect(accuracy).toBeGreaterThanOrEqual(0.8);
    const metrics = JSON.parse(readFileSync(join(ROOT, 'models', 'fmnist', 'metrics.json'), 'utf8'));
    expect(metrics.bundledSubsetAccuracy).toBeCloseTo(accuracy, 2);
  });
});
