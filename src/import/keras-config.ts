/**
 * Reading Keras layer configs (as they appear in a `modelTopology`: `class_name` + snake_case
 * `config`): typed accessors whose errors name the layer and the field, the normalisation of
 * activations, axes and input shapes, and shape-check helpers. The per-class rules that use these
 * live in the layer modules (src/layers); layer-map.ts looks them up.
 */
import { FormatError, ShapeError, UnsupportedError, describeValue } from '../errors.js';

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
  'relu6',
  'leaky_relu',
  'hard_tanh',
] as const;

/** One float weight a layer must (or may) carry. */
export interface WeightSpec {
  /** Keras name: `kernel`, `bias`, `gamma`, `beta`, `moving_mean`, `moving_variance`. */
  name: string;
  /** Expected shape (Keras layout, e.g. Dense `[n_in, units]`, Conv2D `[kh, kw, cin, filters]`). */
  shape: number[];
  /** Other stored names of the same weight (Keras 3 DepthwiseConv stores `depthwise_kernel` as `kernel`). */
  aliases?: string[];
  /**
   * A variable the layer stores that neither hls4ml nor the float model reads (QConv2DBatchnorm's
   * int64 `iteration` counter): skipped when present, not required.
   */
  ignored?: boolean;
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
      throw new FormatError(this.field(key), `expected an integer >= ${min}, got ${describeValue(v)}`);
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
      throw new FormatError(this.field(key), `expected a finite number, got ${describeValue(v)}`);
    }
    return v;
  }

  /** A boolean. */
  bool(key: string, dflt: boolean): boolean {
    const v = this.config[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') throw new FormatError(this.field(key), `expected a boolean, got ${describeValue(v)}`);
    return v;
  }

  /** A string. */
  str(key: string, dflt?: string): string {
    const v = this.config[key];
    if (v === undefined || v === null) {
      if (dflt !== undefined) return dflt;
      throw new FormatError(this.field(key), 'missing required field');
    }
    if (typeof v !== 'string') throw new FormatError(this.field(key), `expected a string, got ${describeValue(v)}`);
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
      throw new FormatError(this.field(key), `expected an integer or a list of ${n} integers, got ${describeValue(v)}`);
    }
    return arr.map((x) => {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < min) {
        throw new FormatError(this.field(key), `expected integers >= ${min}, got ${describeValue(v)}`);
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
    throw new FormatError(this.field('data_format'), `unknown data_format ${describeValue(df)}`);
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
      throw new UnsupportedError(this.field('dilation_rate'), `dilation_rate ${describeValue(d)} is not supported (1 only)`);
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
    throw new UnsupportedError(path, `activation ${describeValue(value)} is not supported`);
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

/** Last dimension of a shape (0 for a scalar). */
export function last(shape: number[]): number {
  return shape[shape.length - 1] ?? 0;
}

/**
 * A Keras 2-D amount per side (`padding` of ZeroPadding2D, `cropping` of Cropping2D): an int (all
 * four sides), `[rows, cols]` (symmetric) or `[[top, bottom], [left, right]]`; absent: `dflt` on
 * every side.
 *
 * @example perSide2D(r, 'padding', 1); // [[1, 1], [1, 1]]
 */
export function perSide2D(r: LayerConfigReader, field: string, dflt: number): number[][] {
  const v = r.config[field];
  if (v === undefined || v === null) return [[dflt, dflt], [dflt, dflt]];
  if (typeof v === 'number') {
    const [p] = r.tuple(field, 1, undefined, 0);
    return [[p!, p!], [p!, p!]];
  }
  if (Array.isArray(v) && v.length === 2 && v.every((e) => typeof e === 'number')) {
    const [a, b] = r.tuple(field, 2, undefined, 0);
    return [[a!, a!], [b!, b!]];
  }
  if (Array.isArray(v) && v.length === 2 && v.every((e) => Array.isArray(e) && e.length === 2 && e.every((q) => typeof q === 'number' && Number.isInteger(q) && q >= 0))) {
    return (v as number[][]).map((e) => [...e]);
  }
  throw new FormatError(r.field(field), `expected an int, [rows, cols] or [[top, bottom], [left, right]], got ${describeValue(v)}`);
}

/** The input must have `rank` dimensions (without batch). */
export function requireRank(r: LayerConfigReader, shape: number[], rank: number, what: string): void {
  if (shape.length !== rank) {
    throw new ShapeError(r.where, `${what} expects an input of rank ${rank} (without batch), got [${shape.join(', ')}]`);
  }
}

/** Every output dimension must be positive. */
export function positiveOut(r: LayerConfigReader, out: number[], inShape: number[]): number[] {
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
      throw new FormatError(r.field(key), `expected [batch, ...dims], got ${describeValue(v)}`);
    }
    return checkDims(r, key, v.slice(1));
  }
  const v = r.config['input_shape'];
  if (v !== undefined && v !== null) {
    if (!Array.isArray(v) || v.length < 1) throw new FormatError(r.field('input_shape'), `expected [...dims], got ${describeValue(v)}`);
    return checkDims(r, 'input_shape', v);
  }
  return undefined;
}

function checkDims(r: LayerConfigReader, key: string, dims: unknown[]): number[] {
  return dims.map((d) => {
    if (d === null) {
      throw new UnsupportedError(r.field(key), `variable-size dimension in ${describeValue(r.config[key])} is not supported (fixed sizes only)`);
    }
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
      throw new FormatError(r.field(key), `expected positive integer dimensions, got ${describeValue(r.config[key])}`);
    }
    return d;
  });
}

/** Output shape = the first input's shape. */
export const sameShape = (shapes: number[][]): number[] => [...(shapes[0] ?? [])];
