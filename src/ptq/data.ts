/**
 * Datasets for the PTQ workflow: normalising user data (flat float arrays + shape, labels) into
 * batches the emulator and the float reference accept, loading the bundled example
 * (Fashion-MNIST CNN + its 1,000 bundled test images, or the full 10,000 test set when installed),
 * and loading a dataset from a directory of IDX files or from `.npy` files.
 */
import { existsSync, readdirSync, statSync } from '../platform/fs.js';
import { join } from '../platform/path.js';
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
import { fsReason } from '../io/files.js';
import { readNpy } from '../io/npy.js';

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
 * The number of classes of a classifier: the size of the model's (single) output; labels must lie
 * in [0, count). A single-output model (a binary classifier) counts 2.
 *
 * @example modelClassCount(model) // 10
 */
export function modelClassCount(model: ModelGraph): number {
  const outs = model.outputs.map((n) => model.layers.find((l) => l.name === n));
  if (outs.length !== 1 || !outs[0]) throw new ShapeError(model.name, `PTQ scans need a model with exactly one output, got ${outs.length}`);
  return Math.max(2, shapeSize(outs[0].outputShape));
}

/**
 * Check class labels: integers in [0, numClasses). Floats (2.5), negative values and values beyond
 * the class count are errors naming the file and the first bad label.
 *
 * @throws {FormatError}
 * @example checkLabels([0, 3, 9], 10, 'y.npy');
 */
export function checkLabels(labels: ArrayLike<number>, numClasses: number, source: string): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new FormatError(source, `label ${i} is ${v}; labels must be integers in 0..${numClasses - 1} (the model's ${numClasses} classes)`);
    }
  }
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
export async function loadDataset(path: string, sampleShape: number[], opts: { labelsPath?: string; limit?: number; scale?: number; numClasses?: number } = {}): Promise<LabelledData> {
  if (!existsSync(path)) throw new FormatError(path, 'data not found (no such file or directory)');
  if (opts.limit !== undefined && !(Number.isSafeInteger(opts.limit) && opts.limit >= 1)) throw new ConfigError('limit', `must be a positive integer, got ${opts.limit}`);
  const per = shapeSize(sampleShape);
  let out: LabelledData;
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new FormatError(path, `cannot read data: ${fsReason(e)}`);
  }
  if (isDir) {
    let img: string | undefined;
    let lab: string | undefined;
    try {
      img = pickIdx(path, 'images');
      lab = pickIdx(path, 'labels');
    } catch (e) {
      throw new FormatError(path, `cannot list the data directory: ${fsReason(e)}`);
    }
    if (!img) throw new FormatError(path, 'no *images-idx3-ubyte[.gz] file in this directory');
    const rd = opts.limit === undefined ? {} : { limit: opts.limit };
    const images = await readIdx(join(path, img), rd);
    const n = images.dims[0]!;
    if (n === 0) throw new ShapeError(join(path, img), 'no images: an empty batch');
    if (shapeSize(images.dims.slice(1)) !== per) throw new ShapeError(join(path, img), `images of dims [${images.dims.join(', ')}] do not match the model input [${sampleShape.join(', ')}]`);
    const scale = opts.scale ?? 1 / 255;
    const x = new Float32Array(images.data.length);
    for (let i = 0; i < x.length; i++) x[i] = images.data[i]! * scale;
    out = { x, n, sampleShape, source: join(path, img) };
    if (lab) {
      const labels = await readIdx(join(path, lab), rd);
      if (labels.dims.length !== 1) throw new ShapeError(join(path, lab), `expected a 1-D labels file, got dims [${labels.dims.join(', ')}]`);
      if (labels.dims[0] !== n) throw new ShapeError(join(path, lab), `${labels.dims[0]} labels for ${n} images`);
      if (opts.numClasses !== undefined) checkLabels(labels.data, opts.numClasses, join(path, lab));
      out.labels = labels.data;
    }
  } else if (path.endsWith('.npy')) {
    if (opts.labelsPath !== undefined && !opts.labelsPath.endsWith('.npy')) throw new FormatError(opts.labelsPath, 'labels must be a .npy file of integers');
    const a = readNpy(path, { what: 'data array' });
    const n = a.shape[0] ?? 0;
    if (a.shape.length === 0 || n === 0) throw new ShapeError(path, `no samples (shape [${a.shape.join(', ')}]): an empty batch`);
    if (shapeSize(a.shape.slice(1)) !== per) throw new ShapeError(path, `array of shape [${a.shape.join(', ')}] does not match the model input [${sampleShape.join(', ')}] (expected [n, ${sampleShape.join(', ')}])`);
    for (let i = 0; i < a.data.length; i++) {
      if (!Number.isFinite(a.data[i])) throw new FormatError(path, `value ${i} is ${a.data[i]}; inputs must be finite numbers`);
    }
    out = { x: a.data, n, sampleShape, source: path };
    if (opts.labelsPath) {
      const l = readNpy(opts.labelsPath, { what: 'labels array' });
      if (!(l.shape.length === 1 || (l.shape.length === 2 && l.shape[1] === 1))) {
        throw new ShapeError(opts.labelsPath, `expected labels of shape [${n}], got [${l.shape.join(', ')}]${l.shape.length === 2 ? ' (one-hot labels: save np.argmax(y, axis=1))' : ''}`);
      }
      if (l.data.length !== n) throw new ShapeError(opts.labelsPath, `${l.data.length} labels for ${n} samples`);
      if (opts.numClasses !== undefined) checkLabels(l.data, opts.numClasses, opts.labelsPath);
      out.labels = Array.from(l.data);
    }
  } else {
    throw new FormatError(path, 'expected a directory of IDX files or a .npy file');
  }
  return limitData(out, opts.limit);
}
