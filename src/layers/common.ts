/**
 * Helpers the layer modules share: reading a node's resolved types and settings, building a
 * firmware layer, and checking a firmware layer read from outside (config fields known and valid,
 * types and weight arrays present with the right sizes).
 */
import { ConfigError, FormatError, ShapeError, UnsupportedError, describeValue } from '../errors.js';
import type { FixedType } from '../fixed/types.js';
import { shapeSize, type FirmwareLayerBase, type IOType } from '../graph/firmware.js';
import type { HlsNode } from '../graph/hls-graph.js';
import { weightsToRaw } from '../graph/weights.js';
import type { LowerContext } from './spec.js';

/** The concrete type of a node's variable (after the passes), or a typed error. */
export function typed(n: HlsNode, v: string): FixedType {
  const t = n.types[v];
  if (t === undefined || t === 'auto') throw new ConfigError(`${n.name}.${v}`, 'type not resolved');
  return t;
}

/** The reuse factor the config asks for (hls4ml's LayerName → LayerType → Model lookup; default 1). */
export function reuseFactorOf(n: HlsNode): number {
  return Number(n.settings.reuse_factor ?? 1);
}

/**
 * `latency` or `resource`, as hls4ml's Vivado backend maps the Strategy setting of a Dense /
 * Convolution (vivado_backend.py init_dense / init_conv*): Resource_Unrolled with reuse factor 1 runs
 * the Resource kernel; with a larger one it uses generated unrolled code, and the distributed
 * arithmetic strategy da4ml-generated code — neither is emulated, so they are refused naming the
 * layer. Any other word (e.g. a softmax's 'stable' copied to a Dense) runs Latency.
 */
export function strategyOf(n: HlsNode): 'latency' | 'resource' {
  const s = String(n.settings.strategy ?? 'latency').toLowerCase();
  if (s === 'resource') return 'resource';
  if (s === 'resource_unrolled') {
    if (reuseFactorOf(n) === 1) return 'resource';
    throw new UnsupportedError(`${n.name}.Strategy`, "hls4ml's Resource_Unrolled kernel with a reuse factor above 1 is generated code that hlsemu does not emulate (use Resource, or ReuseFactor 1)");
  }
  if (s === 'distributed_arithmetic' || s === 'da') throw new UnsupportedError(`${n.name}.Strategy`, "hls4ml's distributed-arithmetic (da4ml) kernels are not emulated");
  return 'latency';
}

/** Number of exact zeros in a raw array (hls4ml's `n_zeros`). */
export function countZeros(a: ArrayLike<number>): number {
  let z = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === 0) z++;
  return z;
}

/** Quantize a node's float weight array into its type as hls4ml prints and reads it back. */
export function rawWeights(n: HlsNode, key: string, t: FixedType): { raw: Float64Array; text: string[] } {
  const w = n.weights[key];
  if (!w) throw new ConfigError(`${n.name}.${key}`, 'missing weights');
  return weightsToRaw(w.data, t, `${n.name}.${key}`);
}

/**
 * Reorder raw weights and their printed tokens: `out[k] = in[order[k]]`.
 *
 * @example permuted({ raw, text }, transposeOrder(nIn, nOut));
 */
export function permuted(w: { raw: Float64Array; text: string[] }, order: Int32Array): { raw: Float64Array; text: string[] } {
  const raw = new Float64Array(order.length);
  const text = new Array<string>(order.length);
  for (let k = 0; k < order.length; k++) {
    raw[k] = w.raw[order[k]!]!;
    text[k] = w.text[order[k]!]!;
  }
  return { raw, text };
}

/**
 * The order that transposes a row-major `rows × cols` matrix (element k of the result is element
 * `order[k]` of the input): hls4ml's ApplyResourceStrategy weight transpose.
 *
 * @example transposeOrder(2, 3); // Int32Array [0, 3, 1, 4, 2, 5]
 */
export function transposeOrder(rows: number, cols: number): Int32Array {
  const o = new Int32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) o[j * rows + i] = i * cols + j;
  return o;
}

/** The common part of a lowered firmware layer (name, class, wiring, shapes, io type, input/result types). */
export function lowered<C extends string, Cfg extends object>(n: HlsNode, ctx: LowerContext, cls: C, config: Cfg): { name: string; cls: C; inputs: string[]; shapeIn: number[]; shapeOut: number[]; config: Cfg & { io_type: IOType } } {
  return { name: n.name, cls, inputs: [...n.inputs], shapeIn: [...n.shapeIn[0]!], shapeOut: [...n.shapeOut], config: { ...config, io_type: ctx.io } };
}

/** Config keys every firmware layer may carry: `io_type`, and descriptive fields of reference files. */
const COMMON_KEYS = ['io_type', 'reuse_factor', 'note', 'config_cpp', 'function_cpp', 'data_format', 'trace', 'index'];

/**
 * Reads and validates one firmware layer given from outside (a reference model file, a saved
 * project, user code) into its typed form. Every failure names `<path>.<field>`.
 */
export class LayerCheck {
  readonly cfg: Record<string, unknown>;

  /**
   * @param known config keys this class understands (besides {@link COMMON_KEYS}); any other key is an error.
   * @example const c = new LayerCheck(layer, 'model.layers[3]', ['n_in', 'n_out']);
   */
  constructor(
    readonly L: FirmwareLayerBase,
    readonly path: string,
    known: readonly string[],
  ) {
    if (!L.config || typeof L.config !== 'object' || Array.isArray(L.config)) throw new FormatError(`${path}.config`, 'must be an object');
    this.cfg = L.config as unknown as Record<string, unknown>;
    const ok = new Set([...COMMON_KEYS, ...known]);
    for (const k of Object.keys(this.cfg)) {
      if (!ok.has(k)) throw new FormatError(`${path}.config.${k}`, `unknown field for a ${L.cls} layer (known: ${[...ok].join(', ')})`);
    }
    const io = this.cfg.io_type;
    if (io !== undefined && io !== 'io_parallel' && io !== 'io_stream') throw new FormatError(`${path}.config.io_type`, `must be 'io_parallel' or 'io_stream', got ${describeValue(io)}`);
    if (this.cfg.data_format !== undefined && this.cfg.data_format !== 'channels_last') {
      throw new FormatError(`${path}.config.data_format`, `only channels_last is supported, got ${describeValue(this.cfg.data_format)}`);
    }
    if (!Array.isArray(L.shapeIn) || !L.shapeIn.every((d) => Number.isInteger(d) && d >= 1)) throw new FormatError(`${path}.shapeIn`, `expected positive integer dimensions, got ${describeValue(L.shapeIn)}`);
    if (!Array.isArray(L.shapeOut) || !L.shapeOut.every((d) => Number.isInteger(d) && d >= 1)) throw new FormatError(`${path}.shapeOut`, `expected positive integer dimensions, got ${describeValue(L.shapeOut)}`);
  }

  /** The io type (default io_parallel). */
  get io(): IOType {
    return this.cfg.io_type === 'io_stream' ? 'io_stream' : 'io_parallel';
  }

  /** An integer ≥ min; `dflt` when absent (required when no default). */
  int(key: string, min = 0, dflt?: number): number {
    const v = this.cfg[key];
    if (v === undefined || v === null) {
      if (dflt === undefined) throw new FormatError(`${this.path}.config.${key}`, 'missing required field');
      return dflt;
    }
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new FormatError(`${this.path}.config.${key}`, `expected an integer ≥ ${min}, got ${describeValue(v)}`);
    return v;
  }

  /** An integer field that must equal what the layer's shapes imply (when present). */
  equal(key: string, want: number): number {
    const v = this.int(key, Number.MIN_SAFE_INTEGER, want);
    if (v !== want) throw new ShapeError(`${this.path}.config.${key}`, `is ${v} but the layer's shapes imply ${want}`);
    return v;
  }

  /** A finite number; `dflt` when absent. */
  num(key: string, dflt?: number): number {
    const v = this.cfg[key];
    if (v === undefined || v === null) {
      if (dflt === undefined) throw new FormatError(`${this.path}.config.${key}`, 'missing required field');
      return dflt;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new FormatError(`${this.path}.config.${key}`, `expected a number, got ${describeValue(v)}`);
    return v;
  }

  /** A boolean; `dflt` when absent. */
  bool(key: string, dflt: boolean): boolean {
    const v = this.cfg[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') throw new FormatError(`${this.path}.config.${key}`, `expected true or false, got ${describeValue(v)}`);
    return v;
  }

  /** One of `choices` (compared case-insensitively, returned as spelled in `choices`); `dflt` when absent. */
  choice<T extends string>(key: string, choices: readonly T[], dflt?: T): T {
    const v = this.cfg[key];
    if (v === undefined || v === null) {
      if (dflt === undefined) throw new FormatError(`${this.path}.config.${key}`, 'missing required field');
      return dflt;
    }
    const hit = typeof v === 'string' ? choices.find((c) => c.toLowerCase() === v.toLowerCase()) : undefined;
    if (hit === undefined) throw new FormatError(`${this.path}.config.${key}`, `expected one of ${choices.join(', ')}, got ${describeValue(v)}`);
    return hit;
  }

  /** A list of non-negative integers (optionally of a given length); undefined when absent. */
  ints(key: string, length?: number): number[] | undefined {
    const v = this.cfg[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((e) => typeof e === 'number' && Number.isSafeInteger(e) && e >= 0)) {
      throw new FormatError(`${this.path}.config.${key}`, 'expected a list of non-negative integers');
    }
    if (length !== undefined && v.length !== length) throw new ShapeError(`${this.path}.config.${key}`, `expected ${length} entries, got ${v.length}`);
    return [...(v as number[])];
  }

  /** A required type. */
  type(v: string): FixedType {
    const t = (this.L.types as Record<string, FixedType | undefined>)[v];
    if (!t) throw new FormatError(`${this.path}.types.${v}`, 'missing type');
    return t;
  }

  /** An optional type. */
  optType(v: string): FixedType | undefined {
    return (this.L.types as Record<string, FixedType | undefined>)[v];
  }

  /** A required weight array of `n` integer raw values. */
  weight(key: string, n: number): Float64Array {
    const w = (this.L.weights as Record<string, Float64Array | undefined> | undefined)?.[key];
    if (!w) throw new FormatError(`${this.path}.weights.${key}`, `missing (expected ${n} raw values)`);
    if (w.length !== n) throw new ShapeError(`${this.path}.weights.${key}`, `expected ${n} values, got ${w.length}`);
    for (let i = 0; i < w.length; i++) if (!Number.isInteger(w[i])) throw new FormatError(`${this.path}.weights.${key}[${i}]`, `expected an integer, got ${w[i]}`);
    return w;
  }

  /** The input shape must have `rank` dimensions. */
  rank(rank: number): number[] {
    if (this.L.shapeIn.length !== rank) throw new ShapeError(`${this.path}.shapeIn`, `a ${this.L.cls} layer needs a rank-${rank} input, got ${describeValue(this.L.shapeIn)}`);
    return this.L.shapeIn;
  }

  /** The output shape must be `want`. */
  out(want: readonly number[]): void {
    const got = this.L.shapeOut;
    if (got.length !== want.length || got.some((d, k) => d !== want[k])) throw new ShapeError(`${this.path}.shapeOut`, `expected ${describeValue(want)}, got ${describeValue(got)}`);
  }

  /** The element count of a shape. */
  size(shape: readonly number[]): number {
    return shapeSize(shape);
  }
}
