/**
 * Shared reading of hls4ml kernel reference cases (JSON Lines: `kernel, impl, config, types,
 * weights/bias/scale, tables, inputs[k], outputs[k]`): typed field access with FormatErrors naming
 * the field, raw-list parsing (numbers or decimal strings for wide values), and the comparison of
 * produced raw arrays with the expected ones. Every kernel family's checker uses these.
 */
import { FormatError, HlsemuError } from '../errors.js';
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
