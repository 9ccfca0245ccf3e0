/**
 * Datasets for the PTQ workflow: normalising user data (flat float arrays + shape, labels) into
 * batches the emulator and the float reference accept, loading the bundled example
 * (Fashion-MNIST CNN + its 1,000 bundled test images, or the full 10,000 test set when installed),
 * and loading a dataset from a directory of IDX files or from `.npy` files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, FormatError, ShapeError } from '../errors.js';
import {
  FASHION_MNIST_DEFAULT_DIR,
  hlsemuPackageRoot,
  loadBundledFashionMnist,
  loadFashionMnist,
} from '../data/fashion-mnist.js';
import { readIdx } from '../data/idx.js';
import { shapeSize } from '../graph/firmware.js';
import type { ModelGraph } from '../graph/model.js';
import { loadModel } from '../import/index.js';
import { parseNpy } from '../io/npy.js';

/** Inputs as users hold them: a flat row-major array and its shape (batch axis first). */
export interface DataLike {
  data: Float32Array | Float64Array | ArrayLike<number>;
  shape: number[];
}

/** A normalised dataset: `n` samples of `sampleShape`, back to back. */
export interface Samples {
  x: Float32Array | Float64Array;
  n: number;
  sampleShape: number[];
}

/** A dataset with optional integer class labels. */
export interface LabelledData extends Samples {
  labels?: Uint8Array | Int32Array | number[];
  /** Where it came from (for reports). */
  source: string;
}

/** The model's (single) input shape, without the batch axis. @example modelInputShape(model) // [28, 28, 1] */
export function modelInputShape(model: ModelGraph): number[] {
  const ins = model.layers.filter((l) => l.className === 'InputLayer');
  if (ins.length !== 1) throw new ShapeError(model.name, `PTQ scans need a model with exactly one input, got ${ins.length}`);
  return [...ins[0]!.outputShape];
}

/**
 * Check a `{ data, shape }` against the model's input and view it as samples (no copy for typed arrays).
 * The shape's first axis is the batch; the rest must hold as many values as the model input.
 *
 * @example const s = toSamples({ data: images, shape: [1000, 28, 28, 1] }, [28, 28, 1]); s.n // 1000
 */
export function toSamples(data: DataLike, sampleShape: number[]): Samples {
  const per = shapeSize(sampleShape);
  const x = data.data instanceof Float32Array || data.data instanceof Float64Array ? data.data : Float64Array.from(data.data);
  if (!Array.isArray(data.shape) || data.shape.length < 1) throw new ShapeError('data.shape', 'expected [n, ...sample shape]');
  const n = data.shape[0]!;
  if (shapeSize(data.shape.slice(1)) !== per) {
    throw new ShapeError('data.shape', `samples of shape [${data.shape.slice(1).join(', ')}] do not match the model input [${sampleShape.join(', ')}]`);
  }
  if (x.length !== n * per) throw new ShapeError('data', `expected ${n}×${per} values, got ${x.length}`);
  return { x, n, sampleShape: [...sampleShape] };
}

/** Samples [start, end) as `{ data, shape }` (a view). @example sliceSamples(s, 0, 100) */
export function sliceSamples(s: Samples, start: number, end: number): { data: Float32Array | Float64Array; shape: number[] } {
  const per = shapeSize(s.sampleShape);
  return { data: s.x.subarray(start * per, end * per), shape: [end - start, ...s.sampleShape] };
}

/** Keep the first `limit` samples (and labels). @example limitData(d, 200) */
export function limitData(d: LabelledData, limit?: number): LabelledData {
  if (limit === undefined || limit >= d.n) return d;
  if (!(Number.isInteger(limit) && limit >= 1)) throw new ConfigError('limit', `must be a positive integer, got ${limit}`);
  const per = shapeSize(d.sampleShape);
  const out: LabelledData = { x: d.x.subarray(0, limit * per), n: limit, sampleShape: d.sampleShape, source: `${d.source} (first ${limit})` };
  if (d.labels) out.labels = d.labels.slice(0, limit) as LabelledData['labels'];
  return out;
}

/**
 * Share of predictions equal to the reference (labels, or another model's predictions).
 *
 * @example agreementOf(Int32Array.from([1, 2, 3]), [1, 2, 0]) // 0.666…
 */
export function agreementOf(pred: ArrayLike<number>, ref: ArrayLike<number>): number {
  const n = Math.min(pred.length, ref.length);
  if (n === 0) return NaN;
  let ok = 0;
  for (let i = 0; i < n; i++) if (pred[i] === ref[i]) ok++;
  return ok / n;
}

/** The examples `--example` knows. */
export const EXAMPLES = ['fashion-mnist'] as const;
/** One of {@link EXAMPLES}. */
export type ExampleName = (typeof EXAMPLES)[number];

/** What {@link loadExample} returns. */
export interface Example {
  model: ModelGraph;
  modelPath: string;
  data: LabelledData;
}

/**
 * The bundled example: the Fashion-MNIST CNN (`models/fmnist`) with `data` = 'bundled' (the
 * 1,000 test images shipped with hlsemu; default), 'full' (the 10,000-image test split from
 * {@link FASHION_MNIST_DEFAULT_DIR}), or a directory holding the IDX test files.
 *
 * @example const { model, data } = await loadExample('fashion-mnist', { limit: 200 });
 */
export async function loadExample(name: string, opts: { data?: string; limit?: number } = {}): Promise<Example> {
  if (name !== 'fashion-mnist') throw new ConfigError('--example', `unknown example '${name}' (known: ${EXAMPLES.join(', ')})`);
  const modelPath = join(hlsemuPackageRoot(), 'models', 'fmnist', 'model.json');
  const model = await loadModel(modelPath);
  const which = opts.data ?? 'bundled';
  const limit = opts.limit;
  let d;
  let source: string;
  if (which === 'bundled') {
    d = await loadBundledFashionMnist(limit);
    source = 'Fashion-MNIST test, bundled 1,000-image subset';
  } else if (which === 'full') {
    d = await loadFashionMnist({ split: 'test', limit });
    source = `Fashion-MNIST test (${FASHION_MNIST_DEFAULT_DIR})`;
  } else {
    d = await loadFashionMnist({ split: 'test', dir: which, limit });
    source = `Fashion-MNIST test (${which})`;
  }
  return { model, modelPath, data: { x: d.images, n: d.shape[0], sampleShape: [28, 28, 1], labels: d.labels, source: limit && limit < 10000 ? `${source}, first ${d.shape[0]}` : source } };
}

function pickIdx(dir: string, kind: 'images' | 'labels'): string | undefined {
  const files = readdirSync(dir).filter((f) => f.includes(kind) && /idx\d-ubyte(\.gz)?$/.test(f));
  return files.find((f) => /t10k|test/.test(f)) ?? files[0];
}

/**
 * Load inputs (and labels) for a model:
 * - a directory with IDX files (`*images-idx3-ubyte[.gz]` and `*labels-idx1-ubyte[.gz]`; test
 *   files preferred): bytes are scaled by `scale` (default 1/255);
 * - a `.npy` file of inputs (`[n, ...input shape]`), with `labelsPath` a `.npy` of integer labels.
 *
 * @example const d = await loadDataset('/usr/share/datasets/fashion-mnist', [28, 28, 1], { limit: 500 });
 */
export async function loadDataset(path: string, sampleShape: number[], opts: { labelsPath?: string; limit?: number; scale?: number } = {}): Promise<LabelledData> {
  if (!existsSync(path)) throw new FormatError(path, 'data not found');
  const per = shapeSize(sampleShape);
  let out: LabelledData;
  if (statSync(path).isDirectory()) {
    const img = pickIdx(path, 'images');
    const lab = pickIdx(path, 'labels');
    if (!img) throw new FormatError(path, 'no *images-idx3-ubyte[.gz] file in this directory');
    const rd = opts.limit === undefined ? {} : { limit: opts.limit };
    const images = await readIdx(join(path, img), rd);
    const scale = opts.scale ?? 1 / 255;
    const x = new Float32Array(images.data.length);
    for (let i = 0; i < x.length; i++) x[i] = images.data[i]! * scale;
    const n = images.dims[0]!;
    if (x.length !== n * per) throw new ShapeError(join(path, img), `images of dims [${images.dims.join(', ')}] do not match the model input [${sampleShape.join(', ')}]`);
    out = { x, n, sampleShape, source: join(path, img) };
    if (lab) {
      const labels = await readIdx(join(path, lab), rd);
      if (labels.dims[0] !== n) throw new ShapeError(join(path, lab), `${labels.dims[0]} labels for ${n} images`);
      out.labels = labels.data;
    }
  } else if (path.endsWith('.npy')) {
    const a = parseNpy(readFileSync(path), path);
    const n = a.shape[0] ?? 0;
    if (a.data.length !== n * per) throw new ShapeError(path, `array of shape [${a.shape.join(', ')}] does not match the model input [${sampleShape.join(', ')}]`);
    out = { x: a.data, n, sampleShape, source: path };
    if (opts.labelsPath) {
      const l = parseNpy(readFileSync(opts.labelsPath), opts.labelsPath);
      if (l.data.length !== n) throw new ShapeError(opts.labelsPath, `${l.data.length} labels for ${n} samples`);
      out.labels = Array.from(l.data);
    }
  } else {
    throw new FormatError(path, 'expected a directory of IDX files or a .npy file');
  }
  return limitData(out, opts.limit);
}
