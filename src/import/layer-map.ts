/**
 * The one Keras layer table shared by every Keras-family reader (tfjs `model.json`, Keras 2/3 topology
 * JSON + HDF5, in-memory tfjs models). Each entry turns a Keras layer config as it appears in a
 * `modelTopology` (`class_name` + snake_case `config`) into a {@link ModelLayer}'s normalised camelCase
 * attrs, infers the output shape the way Keras does (valid/same convolution and pooling sizes), and
 * lists the float weights the layer must carry (Keras names, expected shapes, Keras storage order).
 * Anything outside the table (LSTM, Lambda, channels_first, dilation ≠ 1, groups ≠ 1, unknown
 * activations …) is rejected with an {@link UnsupportedError} naming the layer.
 */
import { FormatError, ShapeError, UnsupportedError } from '../errors.js';
import type { LayerAttrs, ModelLayerClass } from '../graph/model.js';

/** Keras activation names accepted (after normalisation to Keras' snake_case spelling). */
export const SUPPORTED_ACTIVATIONS = [
  'linear',
  'relu',
  'sigmoid',
  'tanh',
  'softmax',
  'hard_sigmoid',
  'softplus',
  'softsign',
  'elu',
  'selu',
] as const;

/** Alternative Keras / tfjs class names mapped onto a table entry. */
export const KERAS_CLASS_ALIASES: Readonly<Record<string, string>> = {
  Convolution1D: 'Conv1D',
  Convolution2D: 'Conv2D',
  MaxPool1D: 'MaxPooling1D',
  MaxPool2D: 'MaxPooling2D',
  AvgPool1D: 'AveragePooling1D',
  AvgPool2D: 'AveragePooling2D',
  AveragePool1D: 'AveragePooling1D',
  AveragePool2D: 'AveragePooling2D',
  GlobalMaxPool1D: 'GlobalMaxPooling1D',
  GlobalMaxPool2D: 'GlobalMaxPooling2D',
  GlobalAvgPool1D: 'GlobalAveragePooling1D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
  GlobalAveragePool1D: 'GlobalAveragePooling1D',
  GlobalAveragePool2D: 'GlobalAveragePooling2D',
  BatchNormalizationV1: 'BatchNormalization',
  BatchNormalizationV2: 'BatchNormalization',
  SyncBatchNormalization: 'BatchNormalization',
};

/** Classes that nest a whole model; they are recognised to give a clearer error. */
const NESTED_MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

/** One float weight a layer must (or may) carry. */
export interface WeightSpec {
  /** Keras name: `kernel`, `bias`, `gamma`, `beta`, `moving_mean`, `moving_variance`. */
  name: string;
  /** Expected shape (Keras layout, e.g. Dense `[n_in, units]`, Conv2D `[kh, kw, cin, filters]`). */
  shape: number[];
}

/**
 * Reads one Keras layer config with typed accessors; every failure names the layer (position, class,
 * name) and the config field.
 */
export class LayerConfigReader {
  /** Position in the topology's `layers` list. */
  readonly index: number;
  /** The class name as written in the topology (before alias resolution). */
  readonly kerasClass: string;
  /** Layer name. */
  readonly name: string;
  /** The raw `config` object. */
  readonly config: Record<string, unknown>;

  /**
   * @example
   * const r = new LayerConfigReader(1, 'Dense', 'fc1', { units: 3 });
   * r.int('units'); // 3
   */
  constructor(index: number, kerasClass: string, name: string, config: Record<string, unknown>) {
    this.index = index;
    this.kerasClass = kerasClass;
    this.name = name;
    this.config = config;
  }

  /** `layers[3] (Dense 'fc1')`: where this layer is, for error paths. */
  get where(): string {
    return `layers[${this.index}] (${this.kerasClass} '${this.name}')`;
  }

  /** Error path of one config field, e.g. `layers[3] (Dense 'fc1').config.units`. */
  field(key: string): string {
    return `${this.where}.config.${key}`;
  }

  /** True when the key is present and not null. */
  has(key: string): boolean {
    return this.config[key] !== undefined && this.config[key] !== null;
  }

  /** A positive (or, with `min`, bounded) integer. */
  int(key: string, dflt?: number, min = 1): number {
    const v = this.config[key];
    if (v === undefined || v === null) {
      if (dflt !== undefined) return dflt;
      throw new FormatError(this.field(key), 'missing required field');
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new FormatError(this.field(key), `expected an integer >= ${min}, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  /** A finite number. */
  num(key: string, dflt?: number): number {
    const v = this.config[key];
    if (v === undefined || v === null) {
      if (dflt !== undefined) return dflt;
      throw new FormatError(this.field(key), 'missing required field');
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new FormatError(this.field(key), `expected a finite number, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  /** A boolean. */
  bool(key: string, dflt: boolean): boolean {
    const v = this.config[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') throw new FormatError(this.field(key), `expected a boolean, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A string. */
  str(key: string, dflt?: string): string {
    const v = this.config[key];
    if (v === undefined || v === null) {
      if (dflt !== undefined) return dflt;
      throw new FormatError(this.field(key), 'missing required field');
    }
    if (typeof v !== 'string') throw new FormatError(this.field(key), `expected a string, got ${JSON.stringify(v)}`);
    return v;
  }

  /**
   * An n-tuple of positive integers; a single integer is broadcast (Keras `normalize_tuple`).
   * `dflt` is used when the key is absent or null.
   */
  tuple(key: string, n: number, dflt?: number[], min = 1): number[] {
    const v = this.config[key];
    if (v === undefined || v === null) {
      if (dflt !== undefined) return [...dflt];
      throw new FormatError(this.field(key), 'missing required field');
    }
    const arr = typeof v === 'number' ? new Array<unknown>(n).fill(v) : v;
    if (!Array.isArray(arr) || arr.length !== n) {
      throw new FormatError(this.field(key), `expected an integer or a list of ${n} integers, got ${JSON.stringify(v)}`);
    }
    return arr.map((x) => {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < min) {
        throw new FormatError(this.field(key), `expected integers >= ${min}, got ${JSON.stringify(v)}`);
      }
      return x;
    });
  }

  /** Rejects `data_format: 'channels_first'` (hlsemu is channels-last only). */
  channelsLast(): void {
    const df = this.config['data_format'];
    if (df === undefined || df === null || df === 'channels_last') return;
    if (df === 'channels_first') {
      throw new UnsupportedError(this.field('data_format'), "data_format 'channels_first' is not supported (channels_last only)");
    }
    throw new FormatError(this.field('data_format'), `unknown data_format ${JSON.stringify(df)}`);
  }

  /** 'valid' | 'same' padding; 'causal', 'full' and others are rejected. */
  padding(): 'valid' | 'same' {
    const p = this.str('padding', 'valid').toLowerCase();
    if (p === 'valid' || p === 'same') return p;
    throw new UnsupportedError(this.field('padding'), `padding '${p}' is not supported ('valid' or 'same' only)`);
  }

  /** Rejects a `dilation_rate` other than 1. */
  noDilation(n: number): void {
    if (!this.has('dilation_rate')) return;
    const d = this.tuple('dilation_rate', n);
    if (d.some((x) => x !== 1)) {
      throw new UnsupportedError(this.field('dilation_rate'), `dilation_rate ${JSON.stringify(d)} is not supported (1 only)`);
    }
  }

  /** Rejects grouped convolutions (`groups` ≠ 1). */
  noGroups(): void {
    if (!this.has('groups')) return;
    const g = this.int('groups');
    if (g !== 1) throw new UnsupportedError(this.field('groups'), `groups=${g} is not supported (1 only)`);
  }

  /** The layer's `activation`, normalised (see {@link normaliseActivation}). */
  activation(key = 'activation'): string {
    return normaliseActivation(this.config[key], this.field(key));
  }
}

/**
 * Normalises a Keras / tfjs activation spec to Keras' snake_case name ('relu', 'hard_sigmoid', …).
 * Accepts a string (tfjs camelCase such as `hardSigmoid` is converted), null/undefined (→ 'linear'),
 * or a Keras 3 serialised function object (`{class_name: 'function', config: 'relu'}`).
 *
 * @throws {UnsupportedError} for activations outside {@link SUPPORTED_ACTIVATIONS}.
 * @example
 * normaliseActivation('hardSigmoid', 'layers[1].config.activation'); // 'hard_sigmoid'
 * normaliseActivation(null, 'x'); // 'linear'
 */
export function normaliseActivation(value: unknown, path: string): string {
  let name: unknown = value;
  if (name === undefined || name === null) return 'linear';
  if (typeof name === 'object' && !Array.isArray(name)) {
    const o = name as Record<string, unknown>;
    name = typeof o['config'] === 'string' ? o['config'] : o['class_name'];
  }
  if (typeof name !== 'string') {
    throw new UnsupportedError(path, `activation ${JSON.stringify(value)} is not supported`);
  }
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .trim();
  const canonical = snake === 'none' ? 'linear' : snake;
  if (!(SUPPORTED_ACTIVATIONS as readonly string[]).includes(canonical)) {
    throw new UnsupportedError(
      path,
      `activation '${name}' is not supported (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`,
    );
  }
  return canonical;
}

/**
 * Keras' output length of a convolution or pooling window along one axis (dilation 1):
 * 'valid' → ⌈(n − k + 1) / s⌉, 'same' → ⌈n / s⌉.
 *
 * @example
 * convOutputLength(25, 3, 3, 'same'); // 9
 * convOutputLength(8, 3, 1, 'valid'); // 6
 */
export function convOutputLength(n: number, k: number, s: number, padding: 'valid' | 'same'): number {
  const len = padding === 'same' ? n : n - k + 1;
  return Math.floor((len + s - 1) / s);
}

/**
 * Normalises an axis given in Keras' batch frame (0 = batch) for an input of `rank` non-batch
 * dimensions to a negative index counted from the end (-1 = last), valid in both frames.
 *
 * @example
 * normaliseAxis(1, 1, 'x'); // -1  (axis 1 of [batch, C])
 * normaliseAxis(-2, 3, 'x'); // -2
 */
export function normaliseAxis(axis: number, rank: number, path: string): number {
  if (!Number.isInteger(axis)) throw new FormatError(path, `axis must be an integer, got ${axis}`);
  if (axis === 0 || axis > rank || axis < -rank) {
    throw new UnsupportedError(path, `axis ${axis} is not supported for an input of rank ${rank} (plus batch)`);
  }
  return axis < 0 ? axis : axis - rank - 1;
}

/** Everything the topology reader needs to know about one supported Keras class. */
export interface KerasLayerRule {
  /** The ModelGraph class this Keras class becomes. */
  className: ModelLayerClass;
  /** How many inputs: none (InputLayer), exactly one, or two or more (merges). */
  arity: 'none' | 'one' | 'many';
  /** Config → normalised attrs (validates; throws Unsupported/FormatError naming the field). */
  attrs(r: LayerConfigReader): LayerAttrs;
  /** Output shape (no batch axis) from the input shapes. */
  outputShape(inputShapes: number[][], attrs: LayerAttrs, r: LayerConfigReader): number[];
  /** The float weights the layer carries, in Keras storage order (none when absent). */
  weights?(attrs: LayerAttrs, inputShapes: number[][]): WeightSpec[];
}

function last(shape: number[]): number {
  return shape[shape.length - 1] ?? 0;
}

function requireRank(r: LayerConfigReader, shape: number[], rank: number, what: string): void {
  if (shape.length !== rank) {
    throw new ShapeError(r.where, `${what} expects an input of rank ${rank} (without batch), got [${shape.join(', ')}]`);
  }
}

function positiveOut(r: LayerConfigReader, out: number[], inShape: number[]): number[] {
  if (out.some((d) => !(d > 0))) {
    throw new ShapeError(r.where, `output shape [${out.join(', ')}] from input [${inShape.join(', ')}] has an empty dimension`);
  }
  return out;
}

/**
 * Reads the input shape (without batch) from InputLayer-style config keys (`batch_input_shape`,
 * Keras 3 `batch_shape`, or `input_shape`); undefined when none is present.
 *
 * @throws {UnsupportedError} for variable-size (null) dimensions other than the batch.
 * @example
 * readBatchInputShape(new LayerConfigReader(0, 'InputLayer', 'in', { batch_input_shape: [null, 8, 8, 1] })); // [8, 8, 1]
 */
export function readBatchInputShape(r: LayerConfigReader): number[] | undefined {
  for (const key of ['batch_input_shape', 'batch_shape']) {
    const v = r.config[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || v.length < 2) {
      throw new FormatError(r.field(key), `expected [batch, ...dims], got ${JSON.stringify(v)}`);
    }
    return checkDims(r, key, v.slice(1));
  }
  const v = r.config['input_shape'];
  if (v !== undefined && v !== null) {
    if (!Array.isArray(v) || v.length < 1) throw new FormatError(r.field('input_shape'), `expected [...dims], got ${JSON.stringify(v)}`);
    return checkDims(r, 'input_shape', v);
  }
  return undefined;
}

function checkDims(r: LayerConfigReader, key: string, dims: unknown[]): number[] {
  return dims.map((d) => {
    if (d === null) {
      throw new UnsupportedError(r.field(key), `variable-size dimension in ${JSON.stringify(r.config[key])} is not supported (fixed sizes only)`);
    }
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
      throw new FormatError(r.field(key), `expected positive integer dimensions, got ${JSON.stringify(r.config[key])}`);
    }
    return d;
  });
}

const same = (shapes: number[][]): number[] => [...(shapes[0] ?? [])];

const conv = (rank: 1 | 2): KerasLayerRule => ({
  className: rank === 1 ? 'Conv1D' : 'Conv2D',
  arity: 'one',
  attrs(r) {
    r.channelsLast();
    r.noDilation(rank);
    r.noGroups();
    return {
      filters: r.int('filters'),
      kernelSize: r.tuple('kernel_size', rank),
      strides: r.tuple('strides', rank, new Array<number>(rank).fill(1)),
      padding: r.padding(),
      activation: r.activation(),
      useBias: r.bool('use_bias', true),
    };
  },
  outputShape([x = []], a, r) {
    requireRank(r, x, rank + 1, this.className);
    const k = a.kernelSize!;
    const s = a.strides!;
    const spatial = x.slice(0, rank).map((n, i) => convOutputLength(n, k[i]!, s[i]!, a.padding as 'valid' | 'same'));
    return positiveOut(r, [...spatial, a.filters!], x);
  },
  weights(a, [x = []]) {
    const w: WeightSpec[] = [{ name: 'kernel', shape: [...a.kernelSize!, last(x), a.filters!] }];
    if (a.useBias) w.push({ name: 'bias', shape: [a.filters!] });
    return w;
  },
});

const pool = (cls: ModelLayerClass, rank: 1 | 2): KerasLayerRule => ({
  className: cls,
  arity: 'one',
  attrs(r) {
    r.channelsLast();
    const poolSize = r.tuple('pool_size', rank, new Array<number>(rank).fill(2));
    return { poolSize, strides: r.tuple('strides', rank, poolSize), padding: r.padding() };
  },
  outputShape([x = []], a, r) {
    requireRank(r, x, rank + 1, cls);
    const spatial = x
      .slice(0, rank)
      .map((n, i) => convOutputLength(n, a.poolSize![i]!, a.strides![i]!, a.padding as 'valid' | 'same'));
    return positiveOut(r, [...spatial, last(x)], x);
  },
});

const globalPool = (cls: ModelLayerClass, rank: 1 | 2): KerasLayerRule => ({
  className: cls,
  arity: 'one',
  attrs(r) {
    r.channelsLast();
    const keepdims = r.bool('keepdims', false);
    return keepdims ? { keepdims } : {};
  },
  outputShape([x = []], a, r) {
    requireRank(r, x, rank + 1, cls);
    return a['keepdims'] ? [...new Array<number>(rank).fill(1), last(x)] : [last(x)];
  },
});

function zeroPadding1D(r: LayerConfigReader): number[] {
  return r.tuple('padding', 2, [1, 1], 0);
}

function zeroPadding2D(r: LayerConfigReader): number[][] {
  const v = r.config['padding'];
  if (v === undefined || v === null) return [[1, 1], [1, 1]];
  if (typeof v === 'number') {
    const [p] = r.tuple('padding', 1, undefined, 0);
    return [[p!, p!], [p!, p!]];
  }
  if (Array.isArray(v) && v.length === 2 && v.every((e) => typeof e === 'number')) {
    const [a, b] = r.tuple('padding', 2, undefined, 0);
    return [[a!, a!], [b!, b!]];
  }
  if (
    Array.isArray(v) &&
    v.length === 2 &&
    v.every((e) => Array.isArray(e) && e.length === 2 && e.every((q) => typeof q === 'number' && Number.isInteger(q) && q >= 0))
  ) {
    return (v as number[][]).map((e) => [...e]);
  }
  throw new FormatError(r.field('padding'), `expected an int, [rows, cols] or [[top, bottom], [left, right]], got ${JSON.stringify(v)}`);
}

function bnAxis(r: LayerConfigReader, rank: number): void {
  let axis = r.config['axis'];
  if (axis === undefined || axis === null) return;
  if (Array.isArray(axis)) {
    if (axis.length !== 1) throw new UnsupportedError(r.field('axis'), `normalisation over several axes ${JSON.stringify(axis)} is not supported`);
    axis = axis[0];
  }
  if (typeof axis !== 'number') throw new FormatError(r.field('axis'), `expected an integer, got ${JSON.stringify(axis)}`);
  if (normaliseAxis(axis, rank, r.field('axis')) !== -1) {
    throw new UnsupportedError(r.field('axis'), `BatchNormalization over axis ${axis} is not supported (last axis only)`);
  }
}

/**
 * THE layer table: Keras class name → rule. Aliases are in {@link KERAS_CLASS_ALIASES}.
 * Attribute names follow {@link LayerAttrs} in `src/graph/model.ts`.
 */
export const KERAS_LAYER_TABLE: Readonly<Record<string, KerasLayerRule>> = {
  InputLayer: {
    className: 'InputLayer',
    arity: 'none',
    attrs: () => ({}),
    outputShape(_s, _a, r) {
      const shape = readBatchInputShape(r);
      if (!shape) throw new FormatError(r.field('batch_input_shape'), 'InputLayer has no batch_input_shape / batch_shape');
      if (r.config['sparse'] === true || r.config['ragged'] === true) {
        throw new UnsupportedError(r.where, 'sparse / ragged inputs are not supported');
      }
      return shape;
    },
  },
  Dense: {
    className: 'Dense',
    arity: 'one',
    attrs: (r) => ({ units: r.int('units'), activation: r.activation(), useBias: r.bool('use_bias', true) }),
    outputShape([x = []], a, r) {
      if (x.length < 1) throw new ShapeError(r.where, 'Dense needs an input of rank >= 1');
      return [...x.slice(0, -1), a.units!];
    },
    weights(a, [x = []]) {
      const w: WeightSpec[] = [{ name: 'kernel', shape: [last(x), a.units!] }];
      if (a.useBias) w.push({ name: 'bias', shape: [a.units!] });
      return w;
    },
  },
  Conv1D: conv(1),
  Conv2D: conv(2),
  MaxPooling1D: pool('MaxPooling1D', 1),
  MaxPooling2D: pool('MaxPooling2D', 2),
  AveragePooling1D: pool('AveragePooling1D', 1),
  AveragePooling2D: pool('AveragePooling2D', 2),
  GlobalMaxPooling1D: globalPool('GlobalMaxPooling1D', 1),
  GlobalMaxPooling2D: globalPool('GlobalMaxPooling2D', 2),
  GlobalAveragePooling1D: globalPool('GlobalAveragePooling1D', 1),
  GlobalAveragePooling2D: globalPool('GlobalAveragePooling2D', 2),
  BatchNormalization: {
    className: 'BatchNormalization',
    arity: 'one',
    attrs(r) {
      if (r.bool('renorm', false)) throw new UnsupportedError(r.field('renorm'), 'batch renormalisation is not supported');
      return { epsilon: r.num('epsilon', 1e-3), center: r.bool('center', true), scale: r.bool('scale', true) };
    },
    outputShape([x = []], _a, r) {
      bnAxis(r, x.length);
      return [...x];
    },
    weights(a, [x = []]) {
      const c = [last(x)];
      const w: WeightSpec[] = [];
      if (a.scale) w.push({ name: 'gamma', shape: c });
      if (a.center) w.push({ name: 'beta', shape: c });
      w.push({ name: 'moving_mean', shape: c }, { name: 'moving_variance', shape: c });
      return w;
    },
  },
  Activation: {
    className: 'Activation',
    arity: 'one',
    attrs: (r) => ({ activation: r.activation() }),
    outputShape: same,
  },
  ReLU: {
    className: 'ReLU',
    arity: 'one',
    attrs(r) {
      const maxValue = r.has('max_value') ? r.num('max_value') : null;
      return { maxValue, negativeSlope: r.num('negative_slope', 0), threshold: r.num('threshold', 0) };
    },
    outputShape: same,
  },
  LeakyReLU: {
    className: 'LeakyReLU',
    arity: 'one',
    attrs: (r) => ({ alpha: r.has('alpha') ? r.num('alpha') : r.num('negative_slope', 0.3) }),
    outputShape: same,
  },
  Softmax: {
    className: 'Softmax',
    arity: 'one',
    attrs: () => ({ axis: -1 }),
    outputShape([x = []], _a, r) {
      let axis = r.config['axis'];
      if (Array.isArray(axis) && axis.length === 1) axis = axis[0];
      if (axis !== undefined && axis !== null) {
        if (typeof axis !== 'number') throw new UnsupportedError(r.field('axis'), `axis ${JSON.stringify(axis)} is not supported`);
        if (normaliseAxis(axis, x.length, r.field('axis')) !== -1) {
          throw new UnsupportedError(r.field('axis'), `Softmax over axis ${axis} is not supported (last axis only)`);
        }
      }
      return [...x];
    },
  },
  Flatten: {
    className: 'Flatten',
    arity: 'one',
    attrs(r) {
      r.channelsLast();
      return {};
    },
    outputShape: ([x = []]) => [x.reduce((p, d) => p * d, 1)],
  },
  Reshape: {
    className: 'Reshape',
    arity: 'one',
    attrs(r) {
      const v = r.config['target_shape'];
      if (!Array.isArray(v) || v.length === 0) throw new FormatError(r.field('target_shape'), `expected a list of dimensions, got ${JSON.stringify(v)}`);
      const t = v.map((d) => (d === null ? -1 : d));
      if (t.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d === 0 || d < -1) || t.filter((d) => d === -1).length > 1) {
        throw new FormatError(r.field('target_shape'), `invalid target_shape ${JSON.stringify(v)}`);
      }
      return { targetShape: t as number[] };
    },
    outputShape([x = []], a, r) {
      const total = x.reduce((p, d) => p * d, 1);
      const t = a.targetShape!;
      const known = t.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      const out = t.map((d) => (d === -1 ? total / known : d));
      if (out.some((d) => !Number.isInteger(d) || d < 1) || out.reduce((p, d) => p * d, 1) !== total) {
        throw new ShapeError(r.field('target_shape'), `cannot reshape [${x.join(', ')}] (${total} values) to ${JSON.stringify(t)}`);
      }
      a.targetShape = out;
      return [...out];
    },
  },
  ZeroPadding1D: {
    className: 'ZeroPadding1D',
    arity: 'one',
    attrs: (r) => ({ padding: zeroPadding1D(r) }),
    outputShape([x = []], a, r) {
      requireRank(r, x, 2, 'ZeroPadding1D');
      const [lo, hi] = a.padding as number[];
      return [x[0]! + lo! + hi!, x[1]!];
    },
  },
  ZeroPadding2D: {
    className: 'ZeroPadding2D',
    arity: 'one',
    attrs(r) {
      r.channelsLast();
      return { padding: zeroPadding2D(r) };
    },
    outputShape([x = []], a, r) {
      requireRank(r, x, 3, 'ZeroPadding2D');
      const [[t, b], [lft, rgt]] = a.padding as number[][] as [[number, number], [number, number]];
      return [x[0]! + t + b, x[1]! + lft + rgt, x[2]!];
    },
  },
  Dropout: {
    className: 'Dropout',
    arity: 'one',
    attrs: (r) => ({ rate: r.num('rate', 0) }),
    outputShape: same,
  },
  Add: {
    className: 'Add',
    arity: 'many',
    attrs: () => ({}),
    outputShape(xs, _a, r) {
      const s0 = xs[0]!;
      for (const s of xs) {
        if (s.length !== s0.length || s.some((d, i) => d !== s0[i])) {
          throw new ShapeError(r.where, `Add inputs must have equal shapes, got ${xs.map((q) => `[${q.join(', ')}]`).join(' and ')}`);
        }
      }
      return [...s0];
    },
  },
  Concatenate: {
    className: 'Concatenate',
    arity: 'many',
    attrs: () => ({ axis: -1 }),
    outputShape(xs, a, r) {
      const s0 = xs[0]!;
      const raw = r.config['axis'] ?? -1;
      if (typeof raw !== 'number') throw new FormatError(r.field('axis'), `expected an integer, got ${JSON.stringify(raw)}`);
      const axis = normaliseAxis(raw, s0.length, r.field('axis'));
      a.axis = axis;
      const ax = s0.length + axis;
      const out = [...s0];
      out[ax] = 0;
      for (const s of xs) {
        if (s.length !== s0.length || s.some((d, i) => i !== ax && d !== s0[i])) {
          throw new ShapeError(r.where, `Concatenate inputs must agree except on axis ${raw}, got ${xs.map((q) => `[${q.join(', ')}]`).join(' and ')}`);
        }
        out[ax]! += s[ax]!;
      }
      return out;
    },
  },
};

/**
 * Looks up the rule for a Keras class name (aliases resolved).
 *
 * @throws {UnsupportedError} naming the layer (position, class, name) when the class is not in the table.
 * @example
 * lookupLayerRule('MaxPool2D', 'layers[2] (MaxPool2D \'p\')').className; // 'MaxPooling2D'
 */
export function lookupLayerRule(kerasClass: string, where: string): KerasLayerRule {
  const canonical = KERAS_CLASS_ALIASES[kerasClass] ?? kerasClass;
  const rule = Object.prototype.hasOwnProperty.call(KERAS_LAYER_TABLE, canonical) ? KERAS_LAYER_TABLE[canonical] : undefined;
  if (rule) return rule;
  if (NESTED_MODEL_CLASSES.has(kerasClass)) {
    throw new UnsupportedError(where, `nested models (a ${kerasClass} used as a layer) are not supported; flatten the model first`);
  }
  throw new UnsupportedError(
    where,
    `layer class ${kerasClass} is not supported (supported: ${Object.keys(KERAS_LAYER_TABLE).join(', ')})`,
  );
}

/** Result of mapping one Keras layer config: the normalised layer without its weights. */
export interface MappedLayer {
  className: ModelLayerClass;
  attrs: LayerAttrs;
  outputShape: number[];
  /** Weights it must carry (Keras order); empty for weightless layers. */
  weightSpecs: WeightSpec[];
}

/**
 * Maps one Keras layer config (`class_name`, `config`) with known input shapes to normalised attrs,
 * output shape and expected weights: the single entry point into {@link KERAS_LAYER_TABLE}.
 *
 * @throws {UnsupportedError} unsupported class / option; {@link FormatError} malformed config;
 *   {@link ShapeError} inputs that do not fit.
 * @example
 * const m = mapKerasLayer(
 *   new LayerConfigReader(1, 'Conv2D', 'c1', { filters: 4, kernel_size: [3, 3], padding: 'same', strides: [2, 2] }),
 *   [[8, 8, 1]],
 * );
 * m.outputShape; // [4, 4, 4]
 * m.weightSpecs; // [{name:'kernel', shape:[3,3,1,4]}, {name:'bias', shape:[4]}]
 */
export function mapKerasLayer(r: LayerConfigReader, inputShapes: number[][]): MappedLayer {
  const rule = lookupLayerRule(r.kerasClass, r.where);
  if (rule.arity === 'one' && inputShapes.length !== 1) {
    throw new FormatError(r.where, `${rule.className} takes exactly one input, got ${inputShapes.length}`);
  }
  if (rule.arity === 'many' && inputShapes.length < 2) {
    throw new FormatError(r.where, `${rule.className} needs at least two inputs, got ${inputShapes.length}`);
  }
  const attrs = rule.attrs(r);
  const outputShape = rule.outputShape(inputShapes, attrs, r);
  const weightSpecs = rule.weights ? rule.weights(attrs, inputShapes) : [];
  return { className: rule.className, attrs, outputShape, weightSpecs };
}
