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

