/**
 * Shared reading of hls4ml kernel reference cases (JSON Lines: `kernel, impl, config, types,
 * weights/bias/scale, tables, inputs[k], outputs[k]`): typed field access with FormatErrors naming
 * the field, raw-list parsing (numbers or decimal strings for wide values), and the comparison of
 * produced raw arrays with the expected ones. Every kernel family's checker uses these.
 */
import { describeValue, FormatError, HlsemuError } from '../errors.js';
import { parseFixedType, toFixedType, type FixedType } from '../fixed/index.js';
import type { RawInput, RawOutput } from '../kernels/index.js';

/** One kernel case (a parsed JSON Lines record). */
export type Case = Record<string, unknown>;

/** A checker of one `kernel` kind: null when the case reproduces, else the first difference. */
export type KernelChecker = (c: Case) => string | null;


export function obj(c: Case, key: string): Record<string, unknown> {
  const v = c[key];
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new FormatError(key, `expected an object, got ${JSON.stringify(v)?.slice(0, 60)}`);
  return v as Record<string, unknown>;
}

export function rawList(v: unknown, field: string): (number | bigint)[] {
  if (!Array.isArray(v)) throw new FormatError(field, `expected an array of raw integers, got ${typeof v}`);
  return v.map((e, k) => {
    if (typeof e === 'number' && Number.isInteger(e)) return e;
    if (typeof e === 'string' && /^-?\d+$/.test(e)) {
      const b = BigInt(e);
      return b >= -(2n ** 53n) && b <= 2n ** 53n ? Number(b) : b;
    }
    throw new FormatError(`${field}[${k}]`, `expected an integer, got ${JSON.stringify(e)}`);
  });
}

export function types(c: Case): Record<string, FixedType> {
  const t = obj(c, 'types');
  const out: Record<string, FixedType> = {};
  for (const [k, v] of Object.entries(t)) {
    try {
      if (k === 'inp_norm_cpp') out.inp_norm = parseFixedType(String(v));
      else if (v && typeof v === 'object') out[k] = toFixedType(v, `types.${k}`);
      else if (typeof v === 'string') out[k] = parseFixedType(v);
    } catch (e) {
      if (e instanceof HlsemuError) throw new FormatError(`types.${k}`, e.message);
      throw e;
    }
  }
  return out;
}

export function need(t: Record<string, FixedType>, ...keys: string[]): void {
  for (const k of keys) if (!t[k]) throw new FormatError(`types.${k}`, 'missing');
}

export function ioPairs(c: Case): { inputs: unknown[]; outputs: unknown[] } {
  const inputs = c.inputs;
  const outputs = c.outputs;
  if (!Array.isArray(inputs) || !Array.isArray(outputs)) throw new FormatError('inputs', 'inputs and outputs must be arrays');
  if (inputs.length !== outputs.length) throw new FormatError('outputs', `${inputs.length} inputs but ${outputs.length} outputs`);
  return { inputs, outputs };
}

export function sameRaw(a: number | bigint, b: number | bigint): boolean {
  return typeof a === typeof b ? a === b : BigInt(a) === BigInt(b);
}

/** Compare a produced raw array with the expected list; returns the first difference or null. */
export function diff(got: ArrayLike<number | bigint>, want: (number | bigint)[], what: string): string | null {
  if (got.length !== want.length) return `${what}: expected ${want.length} values, got ${got.length}`;
  let first = -1;
  let n = 0;
  for (let k = 0; k < want.length; k++) {
    if (!sameRaw(got[k]!, want[k]!)) {
      if (first < 0) first = k;
      n++;
    }
  }
  if (first < 0) return null;
  return `${what}: ${n} of ${want.length} values differ, first at index ${first}: expected ${String(want[first])}, got ${String(got[first])}`;
}

export function runAll(c: Case, kind: string, fn: (x: unknown, k: number) => RawOutput): string | null {
  const { inputs, outputs } = ioPairs(c);
  for (let k = 0; k < inputs.length; k++) {
    const got = fn(inputs[k], k);
    const d = diff(got, rawList(outputs[k], `outputs[${k}]`), `${kind} ${String(c.impl ?? '')} input #${k} output`);
    if (d) return d;
  }
  return null;
}

export function x1(v: unknown, k: number): RawInput {
  return rawList(v, `inputs[${k}]`) as RawInput;
}

export function checkTable(c: Case, key: string, got: RawOutput): string | null {
  const tables = c.tables as Record<string, unknown> | undefined;
  if (!tables || tables[key] === undefined) return null;
  return diff(got, rawList(tables[key], `tables.${key}`), `table ${key}`);
}

export function num(cfg: Record<string, unknown>, key: string): number {
  const v = cfg[key];
  if (typeof v !== 'number') throw new FormatError(`config.${key}`, `expected a number, got ${JSON.stringify(v)}`);
  return v;
}

export function sameList(a: readonly number[], b: unknown): boolean {
  return Array.isArray(b) && a.length === b.length && a.every((v, k) => v === Number(b[k]));
}

export function pair(v: unknown, k: number): [RawInput, RawInput] {
  if (!Array.isArray(v) || v.length !== 2) throw new FormatError(`inputs[${k}]`, 'a merge input must be [x1, x2]');
  return [rawList(v[0], `inputs[${k}][0]`) as RawInput, rawList(v[1], `inputs[${k}][1]`) as RawInput];
}


/** A required integer config field (≥ min), as a FormatError naming `config.<key>` otherwise. */
export function int(cfg: Record<string, unknown>, key: string, min = 1): number {
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new FormatError(`config.${key}`, `expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

/** An optional integer list config field (each ≥ min). */
export function intList(cfg: Record<string, unknown>, key: string, min = 1): number[] | undefined {
  const v = cfg[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0) throw new FormatError(`config.${key}`, `expected a non-empty list of integers, got ${JSON.stringify(v)}`);
  return v.map((d, k) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < min) throw new FormatError(`config.${key}[${k}]`, `expected an integer ≥ ${min}, got ${JSON.stringify(d)}`);
    return d;
  });
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/**
 * The io form of a case (`config.io_type`, which must agree with the `impl` tag when that names
 * one) — FormatError otherwise.
 */
export function ioType(c: Case, cfg: Record<string, unknown>): 'io_parallel' | 'io_stream' {
  const io = cfg.io_type ?? 'io_parallel';
  if (io !== 'io_parallel' && io !== 'io_stream') throw new FormatError('config.io_type', `expected io_parallel or io_stream, got ${JSON.stringify(io)}`);
  const impl = String(c.impl ?? '');
  if ((impl.includes('io_stream') && io !== 'io_stream') || (impl.includes('io_parallel') && io !== 'io_parallel')) {
    throw new FormatError('impl', `'${impl}' contradicts config.io_type ${JSON.stringify(io)}`);
  }
  return io;
}

/**
 * Validate the tensor layout fields of an element-wise case against its element count n:
 * `shape` (product n), `pack_size` (= shape[-1]; io_stream: divides n). Returns the io_stream
 * packet size (n when io_parallel or unspecified).
 */
export function checkLayout(c: Case, cfg: Record<string, unknown>, n: number): number {
  const io = ioType(c, cfg);
  const shape = intList(cfg, 'shape');
  if (shape && prod(shape) !== n) throw new FormatError('config.shape', `${JSON.stringify(shape)} has ${prod(shape)} elements but the case has ${n}`);
  let pack = cfg.pack_size === undefined ? undefined : int(cfg, 'pack_size');
  if (pack !== undefined && shape && pack !== shape[shape.length - 1]) throw new FormatError('config.pack_size', `is ${pack} but an io_stream word is the last axis of ${JSON.stringify(shape)}`);
  pack ??= io === 'io_stream' && shape ? shape[shape.length - 1]! : n;
  if (n % pack !== 0) throw new FormatError('config.pack_size', `${pack} does not divide the ${n} elements`);
  return pack;
}

/** Every `inputs[k]` must be a list of n raws (checked before a kernel allocates anything from the config). */
export function checkInputLengths(c: Case, n: number, sizeField: string): void {
  const { inputs } = ioPairs(c);
  inputs.forEach((v, k) => {
    if (!Array.isArray(v)) throw new FormatError(`inputs[${k}]`, 'expected a list of raw integers');
    if (v.length !== n) throw new FormatError(sizeField, `gives ${n} input values but inputs[${k}] has ${v.length}`);
  });
}

/** Every `inputs[k]` must be a pair [x1, x2] of lists of n1 and n2 raws. */
export function checkPairLengths(c: Case, n1: number, n2: number, field1: string, field2: string): void {
  const { inputs } = ioPairs(c);
  inputs.forEach((v, k) => {
    if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[0]) || !Array.isArray(v[1])) throw new FormatError(`inputs[${k}]`, 'a merge input must be [x1, x2]');
    if (v[0].length !== n1) throw new FormatError(field1, `gives ${n1} values for x1 but inputs[${k}][0] has ${v[0].length}`);
    if (v[1].length !== n2) throw new FormatError(field2, `gives ${n2} values for x2 but inputs[${k}][1] has ${v[1].length}`);
  });
}

/** A table in `tables` must have `size` entries (checked before a table of that size is built). */
export function checkTableSize(c: Case, key: string, size: number, sizeField: string): void {
  const tables = c.tables as Record<string, unknown> | undefined;
  if (!tables || tables[key] === undefined) return;
  const t = tables[key];
  if (!Array.isArray(t)) throw new FormatError(`tables.${key}`, 'expected a list of raw integers');
  if (t.length !== size) throw new FormatError(sizeField, `is ${size} but tables.${key} has ${t.length} entries`);
}

/** An optional top-level raw scalar (`alpha_raw`, …). */
export function rawScalar(c: Case, key: string): number | bigint | undefined {
  if (c[key] === undefined) return undefined;
  return rawList([c[key]], key)[0];
}

/** The C++ spelling of a type in the case (`types.<key>.cpp`), if recorded. */
export function cppType(c: Case, key: string): string | undefined {
  const t = (c.types as Record<string, unknown> | undefined)?.[key];
  const cpp = t && typeof t === 'object' ? (t as Record<string, unknown>).cpp : typeof t === 'string' ? t : undefined;
  return typeof cpp === 'string' ? cpp.replace(/\s+/g, '') : undefined;
}

/** Transfer modes of the reference cases. */
export const IO_TYPES = ['io_parallel', 'io_stream'] as const;

/** First component of `impl`: the io type, or the implementation of kernels that have no io variants. */
const IMPL_HEADS = new Set(['io_parallel', 'io_stream', 'latency', 'resource', 'stable', 'legacy', 'argmax']);
/** Second component of `impl` (`io_stream/encoded`, `latency/multidim`, …). */
const IMPL_VARIANTS = new Set(['im2col', 'encoded', 'linebuffer', 'global', 'static', 'non_static', 'latency', 'resource', 'stable', 'legacy', 'argmax', 'multidim']);
/** Config fields that hls4ml prints as C++ floats (softmax `static constexpr float exp_scale`, set by HGQ2 converters). */
const FLOAT_KEYS = new Set(['exp_scale']);
/** Lookup-table sizes: positive and bounded, independent of the case's data. */
const TABLE_SIZE_KEYS = new Set(['table_size', 'exp_table_size', 'inv_table_size', 'table_size_attribute']);
/** Largest lookup table a case may ask for. */
export const MAX_TABLE_SIZE = 1 << 20;
/** Deepest nesting of a case's `config` (layer configs hold sub-layer configs). */
const MAX_CONFIG_DEPTH = 4;
/**
 * Largest single size a case may give, from its longest data array. One dimension can exceed every
 * array of a valid case (the zero-padded width of a one-channel 'same' io_stream conv is larger than
 * its input, output and weights; a depthwise reuse factor may reach n_in*n_out > the weights), but not
 * by orders of magnitude.
 */
function sizeBound(maxLen: number): number {
  return 64 * maxLen + 64;
}

function arrayLengths(v: unknown, out: number[], depth: number): void {
  if (!Array.isArray(v) || depth > 6) {
    if (v && typeof v === 'object' && !Array.isArray(v) && depth <= 6) for (const x of Object.values(v)) arrayLengths(x, out, depth + 1);
    return;
  }
  out.push(v.length);
  for (const x of v) if (x !== null && typeof x === 'object') arrayLengths(x, out, depth + 1);
}

/** The longest data array of a case (inputs, outputs, weights, tables…): every size in its config is bounded by it. */
function longestArray(c: Case): number {
  const lens: number[] = [];
  for (const [k, v] of Object.entries(c)) if (k !== 'config' && k !== 'types') arrayLengths(v, lens, 0);
  return lens.reduce((a, b) => Math.max(a, b), 0);
}

function checkConfigValues(cfg: Record<string, unknown>, path: string, maxLen: number, depth: number): void {
  if (depth > MAX_CONFIG_DEPTH) throw new FormatError(path, `nested more than ${MAX_CONFIG_DEPTH} levels deep`);
  for (const [k, v] of Object.entries(cfg)) {
    const field = `${path}.${k}`;
    if (v === null) throw new FormatError(field, 'expected a value, got null');
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new FormatError(field, `expected a finite number, got ${v}`);
      if (k.endsWith('_literal') || FLOAT_KEYS.has(k)) continue;
      if (!Number.isInteger(v)) throw new FormatError(field, `expected an integer, got ${v}`);
      if (k === 'axis') {
        if (v < -8 || v > 8) throw new FormatError(field, `axis ${v} is out of range`);
      } else if (TABLE_SIZE_KEYS.has(k)) {
        if (v < 1 || v > MAX_TABLE_SIZE) throw new FormatError(field, `table size must be in [1, ${MAX_TABLE_SIZE}], got ${v}`);
      } else if (v < (k === 'n_filt' ? -1 : 0)) throw new FormatError(field, `expected a non-negative integer, got ${v}`);
      else if (v > sizeBound(maxLen)) throw new FormatError(field, `${v} is larger than any data array of the case (longest: ${maxLen} values)`);
    } else if (Array.isArray(v)) {
      if (v.length > maxLen + 64) throw new FormatError(field, `${v.length} entries, more than the case's data`);
      v.forEach((e, i) => {
        if (typeof e !== 'number' || !Number.isFinite(e)) throw new FormatError(`${field}[${i}]`, `expected a finite number, got ${describeValue(e, 40)}`);
      });
      if (/shape/.test(k)) {
        if (!v.every((d) => Number.isInteger(d) && d >= 0)) throw new FormatError(field, `expected non-negative integer dimensions, got ${describeValue(v, 60)}`);
        const n = v.reduce((a: number, b: number) => a * b, 1);
        if (n > maxLen) throw new FormatError(field, `shape ${describeValue(v, 60)} holds ${n} values, more than any data array of the case (longest: ${maxLen})`);
      }
    } else if (typeof v === 'object') checkConfigValues(v as Record<string, unknown>, field, maxLen, depth + 1);
    else if (typeof v === 'string' && v.length > 1000) throw new FormatError(field, 'string longer than 1000 characters');
  }
}

/**
 * Structural checks of a kernel case before any kernel runs: the required fields are present and
 * consistent (`kernel`, a known `impl`, `config`, `types`, at least one non-empty input and one
 * `outputs` row per input), `config.io_type` is known and agrees with `impl`, and every size in
 * `config` is a non-negative integer no larger than the case's longest data array (so a hostile
 * `n_elem: 1e9` or `n_zeros: 1e9` is rejected before anything is allocated). Lookup-table sizes
 * are bounded by {@link MAX_TABLE_SIZE}.
 *
 * @throws {FormatError} naming the field.
 * @example validateKernelCase(JSON.parse(line)); // throws for impl: 'io_bogus'
 */
export function validateKernelCase(c: Case): void {
  if (typeof c.kernel !== 'string' || c.kernel === '') throw new FormatError('kernel', `expected the kernel kind, got ${describeValue(c.kernel, 40)}`);
  if (typeof c.impl !== 'string') throw new FormatError('impl', `missing (expected e.g. 'io_parallel' or 'io_stream/encoded'), got ${describeValue(c.impl, 40)}`);
  const parts = c.impl.split('/');
  if (parts.length > 2 || !IMPL_HEADS.has(parts[0]!) || (parts.length === 2 && !IMPL_VARIANTS.has(parts[1]!))) {
    throw new FormatError('impl', `unknown impl '${c.impl.slice(0, 60)}' (known: ${[...IMPL_HEADS].join(', ')}, optionally /${[...IMPL_VARIANTS].join('|')})`);
  }
  const cfg = obj(c, 'config');
  const t = obj(c, 'types');
  if (Object.keys(t).length === 0) throw new FormatError('types', 'no types given');
  if (cfg.io_type !== undefined) {
    if (!(IO_TYPES as readonly unknown[]).includes(cfg.io_type)) throw new FormatError('config.io_type', `must be 'io_parallel' or 'io_stream', got ${describeValue(cfg.io_type, 40)}`);
    if ((IO_TYPES as readonly string[]).includes(parts[0]!) && parts[0] !== cfg.io_type) throw new FormatError('config.io_type', `'${String(cfg.io_type)}' disagrees with impl '${c.impl}'`);
  }
  if (!Array.isArray(c.inputs)) throw new FormatError('inputs', `expected a list of input samples, got ${describeValue(c.inputs, 40)}`);
  if (!Array.isArray(c.outputs)) throw new FormatError('outputs', `expected a list of output samples, got ${describeValue(c.outputs, 40)}`);
  if (c.inputs.length === 0) throw new FormatError('inputs', 'no input samples: a case must check at least one');
  if (c.outputs.length !== c.inputs.length) throw new FormatError('outputs', `${c.inputs.length} inputs but ${c.outputs.length} outputs`);
  c.inputs.forEach((x, k) => {
    if (!Array.isArray(x) || x.length === 0) throw new FormatError(`inputs[${k}]`, 'expected a non-empty array');
  });
  // An output may be empty (e.g. a crop to zero rows); comparing it with what the kernel produces decides.
  c.outputs.forEach((y, k) => {
    if (!Array.isArray(y)) throw new FormatError(`outputs[${k}]`, `expected an array of raw integers, got ${describeValue(y, 40)}`);
  });
  checkConfigValues(cfg, 'config', longestArray(c), 0);
}
