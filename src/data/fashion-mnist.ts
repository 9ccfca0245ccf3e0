/**
 * Fashion-MNIST loaders: the full dataset from a directory of the original IDX files
 * (default: the Debian/Ubuntu `dataset-fashion-mnist` package's install location) and the
 * 1,000-image test subset bundled with hlsemu under `data/fashion-mnist/`.
 * Images come back as NHWC float32 in [0, 1] (`byte / 255`), ready for a 28x28x1 CNN.
 */
import { existsSync, readFileSync } from '../platform/fs.js';
import { join, resolve } from '../platform/path.js';
import { platform } from '../platform/index.js';
import { ConfigError, describeValue, FormatError } from '../errors.js';
import { readIdx } from './idx.js';

/** Where `apt-get install dataset-fashion-mnist` puts the files. */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist/';

/** The ten class names, indexed by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;
/** A Fashion-MNIST class name. */
export type FashionMnistClass = (typeof FASHION_MNIST_CLASSES)[number];

/** Image side length in pixels. */
export const FASHION_MNIST_SIZE = 28;

/** A loaded split. */
export interface FashionMnistData {
  /** `N·28·28` pixels, NHWC with one channel, each `byte / 255` in [0, 1]. */
  images: Float32Array;
  /** `N` labels in 0..9 (see {@link FASHION_MNIST_CLASSES}). */
  labels: Uint8Array;
  /** `[N, 28, 28, 1]`. */
  shape: [number, number, number, number];
}

/** Options for {@link loadFashionMnist}. */
export interface LoadFashionMnistOptions {
  /** `'train'` (60,000 images) or `'test'` (10,000 images). */
  split: 'train' | 'test';
  /** Directory holding the IDX files (`.gz` or uncompressed). Default {@link FASHION_MNIST_DEFAULT_DIR}. */
  dir?: string;
  /** Keep only the first `limit` images. */
  limit?: number;
}

const FILE_PREFIX = { train: 'train', test: 't10k' } as const;

/** Finds `<dir>/<name>` or `<dir>/<name>.gz`, or returns undefined. */
function findIdxFile(dir: string, name: string): string | undefined {
  for (const candidate of [join(dir, `${name}.gz`), join(dir, name)]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Converts decoded IDX image/label arrays to the public shape, checking they agree. */
function toDataset(
  images: { dims: number[]; data: Uint8Array },
  labels: { dims: number[]; data: Uint8Array },
  imagesPath: string,
  labelsPath: string,
): FashionMnistData {
  const [n, h, w] = images.dims;
  if (images.dims.length !== 3 || h !== FASHION_MNIST_SIZE || w !== FASHION_MNIST_SIZE) {
    throw new FormatError(imagesPath, `expected images of dims [N, 28, 28], got [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== n) {
    throw new FormatError(labelsPath, `expected labels of dims [${n}], got [${labels.dims.join(', ')}]`);
  }
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i]! > 9) throw new FormatError(labelsPath, `label ${i} is ${labels.data[i]}, expected 0..9`);
  }
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i]! / 255;
  return { images: pixels, labels: labels.data, shape: [n!, FASHION_MNIST_SIZE, FASHION_MNIST_SIZE, 1] };
}

/** Loads one split from the four-file layout `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]`. */
async function loadFromDir(dir: string, split: 'train' | 'test', limit: number | undefined, hint: string) {
  const prefix = FILE_PREFIX[split];
  const imagesName = `${prefix}-images-idx3-ubyte`;
  const labelsName = `${prefix}-labels-idx1-ubyte`;
  const imagesPath = findIdxFile(dir, imagesName);
  const labelsPath = findIdxFile(dir, labelsName);
  if (!imagesPath || !labelsPath) {
    const missing = !imagesPath ? imagesName : labelsName;
    throw new FormatError(join(dir, `${missing}.gz`), `Fashion-MNIST ${split} split not found. ${hint}`);
  }
  const opts = limit === undefined ? {} : { limit };
  const [images, labels] = await Promise.all([readIdx(imagesPath, opts), readIdx(labelsPath, opts)]);
  return toDataset(images, labels, imagesPath, labelsPath);
}

/**
 * Loads a Fashion-MNIST split from the original IDX files.
 *
 * @throws {FormatError} when the files are missing (the message says how to install them) or malformed.
 * @example
 * const test = await loadFashionMnist({ split: 'test' });
 * test.shape;            // [10000, 28, 28, 1]
 * FASHION_MNIST_CLASSES[test.labels[0]!]; // 'Ankle boot'
 * const few = await loadFashionMnist({ split: 'train', limit: 256, dir: './my-fmnist' });
 */
export async function loadFashionMnist(options: LoadFashionMnistOptions): Promise<FashionMnistData> {
  const { split, limit } = options;
  if (split !== 'train' && split !== 'test') {
    throw new ConfigError('loadFashionMnist', `split must be 'train' or 'test', got ${describeValue(split)}`);
  }
  const dir = options.dir ?? FASHION_MNIST_DEFAULT_DIR;
  const hint =
    `Expected ${FILE_PREFIX[split]}-images-idx3-ubyte[.gz] and ${FILE_PREFIX[split]}-labels-idx1-ubyte[.gz] in ${dir}. ` +
    `Install the dataset with \`sudo apt-get install dataset-fashion-mnist\` (Debian/Ubuntu; files go to ` +
    `${FASHION_MNIST_DEFAULT_DIR}), or download the four *-ubyte.gz files from ` +
    `https://github.com/zalandoresearch/fashion-mnist into a directory and pass it as \`dir\`. ` +
    `For a quick start, loadBundledFashionMnist() gives the first 1,000 test images without any download.`;
  return loadFromDir(dir, split, limit, hint);
}

/**
 * Finds the hlsemu package root (the nearest ancestor directory of this module whose
 * `package.json` has `"name": "hlsemu"`). Works from `src/` (tsx, vitest) and from the built `dist/`.
 *
 * @throws {FormatError} when no such directory exists (a broken install).
 * @example
 * join(hlsemuPackageRoot(), 'data', 'fashion-mnist'); // '/…/node_modules/hlsemu/data/fashion-mnist'
 */
export function hlsemuPackageRoot(): string {
  const start = platform().moduleDir() ?? '/';
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown };
        if (parsed.name === 'hlsemu') return dir;
      } catch {
        // Unreadable package.json: keep walking up.
      }
    }
    const parent = resolve(dir, '..');
    if (parent === dir) break;
    dir = parent;
  }
  throw new FormatError(start, 'cannot locate the hlsemu package root (no ancestor package.json named "hlsemu")');
}

/**
 * Directory of the bundled 1,000-image Fashion-MNIST test subset.
 *
 * @example
 * readdirSync(bundledFashionMnistDir()); // ['LICENSE', 'README.md', 't10k-images-idx3-ubyte.gz', …]
 */
export function bundledFashionMnistDir(): string {
  return join(hlsemuPackageRoot(), 'data', 'fashion-mnist');
}

/**
 * Loads the Fashion-MNIST subset shipped with hlsemu: the first 1,000 images and labels of the
 * official test split (`data/fashion-mnist/`, MIT-licensed, © 2017 Zalando SE).
 *
 * @param limit Keep only the first `limit` images.
 * @throws {FormatError} when the bundled files are missing or corrupt.
 * @example
 * const { images, labels, shape } = await loadBundledFashionMnist();
 * shape; // [1000, 28, 28, 1]
 */
export async function loadBundledFashionMnist(limit?: number): Promise<FashionMnistData> {
  const dir = bundledFashionMnistDir();
  return loadFromDir(dir, 'test', limit, 'The bundled subset under data/fashion-mnist/ is missing from this hlsemu install.');
}
