/**
 * Testbench inputs of an emitted project: raw mantissas of the input type, from given raw or float
 * samples, or deterministic pseudo-random values spread uniformly over the type's whole raw range.
 */
import { ShapeError, ValueError } from '../errors.js';
import { quantizeDouble, type FixedType } from '../fixed/index.js';
import { mulberry32 } from '../util/random.js';

/** Text of one raw value, exact for numbers and bigints. */
export type RawValue = number | bigint;


/**
 * `samples` deterministic random inputs of `size` raw values each, uniform over the raw range of
 * `t` (the same seed gives the same file on every machine).
 *
 * @example randomRawInputs(2, 4, parseFixedType('ap_fixed<8,3>'), 1); // 2 rows of 4 values in -128..127
 */
export function randomRawInputs(samples: number, size: number, t: FixedType, seed = 1): RawValue[][] {
  const next = mulberry32(seed);
  const span = 1n << BigInt(t.W);
  const lo = t.signed ? -(1n << BigInt(t.W - 1)) : 0n;
  const rows: RawValue[][] = [];
  for (let s = 0; s < samples; s++) {
    const row: RawValue[] = [];
    for (let i = 0; i < size; i++) {
      let r = 0n;
      for (let bits = 0; bits < t.W; bits += 32) r = (r << 32n) | BigInt(next());
      const v = lo + (r % span);
      row.push(t.W <= 53 ? Number(v) : v);
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Validate raw samples (`kind = 'raw'`) or quantize float samples (`kind = 'float'`, the type's
 * own rounding and overflow modes, as `input_t(x)` does) into raw mantissas.
 *
 * @example toRawInputs([[0.5, -1]], 2, parseFixedType('ap_fixed<16,6>'), 'float'); // [[512, -1024]]
 */
export function toRawInputs(rows: readonly (readonly RawValue[])[], size: number, t: FixedType, kind: 'raw' | 'float' = 'raw'): RawValue[][] {
  const lo = t.signed ? -(1n << BigInt(t.W - 1)) : 0n;
  const hi = t.signed ? (1n << BigInt(t.W - 1)) - 1n : (1n << BigInt(t.W)) - 1n;
  return rows.map((row, k) => {
    if (!row || typeof row.length !== 'number') throw new ShapeError(`inputs[${k}]`, 'expected an array of numbers');
    if (row.length !== size) throw new ShapeError(`inputs[${k}]`, `expected ${size} values, got ${row.length}`);
    return Array.from(row, (v, i) => {
      if (kind === 'float') {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`inputs[${k}][${i}]`, `expected a finite number, got ${String(v)}`);
        return quantizeDouble(v, t);
      }
      if (typeof v === 'number' && !Number.isInteger(v)) throw new ValueError(`inputs[${k}][${i}]`, `raw mantissas must be integers, got ${v} (pass inputKind 'float' for real values)`);
      const b = BigInt(v);
      if (b < lo || b > hi) throw new ValueError(`inputs[${k}][${i}]`, `raw value ${b} is outside the input type's raw range ${lo}..${hi}`);
      return v;
    });
  });
}

/** One line per sample, values separated by single spaces. @example formatRows([[1, -2]]) // '1 -2\n' */
export function formatRows(rows: readonly (readonly RawValue[])[]): string {
  return rows.map((r) => r.map((v) => String(v)).join(' ')).join('\n') + (rows.length ? '\n' : '');
}

/** One port of a testbench line: its number of values and type. */
export interface RawPort {
  size: number;
  type: FixedType;
}

/**
 * {@link randomRawInputs} for a top function with several input ports: each line holds the ports'
 * values one after the other (port j drawn with seed + j; a single port gives exactly
 * `randomRawInputs(samples, size, type, seed)`).
 *
 * @example randomRawPortRows(2, [{ size: 4, type: a }, { size: 3, type: b }]); // 2 rows of 7 values
 */
export function randomRawPortRows(samples: number, ports: readonly RawPort[], seed = 1): RawValue[][] {
  const per = ports.map((p, j) => randomRawInputs(samples, p.size, p.type, seed + j));
  return Array.from({ length: samples }, (_, s) => per.flatMap((rows) => rows[s]!));
}

/**
 * {@link toRawInputs} for lines holding several ports one after the other, each part checked (or
 * quantized) in its own port's type.
 *
 * @example toRawPortRows([[0.5, -1, 3]], [{ size: 2, type: a }, { size: 1, type: b }], 'float');
 */
export function toRawPortRows(rows: readonly (readonly RawValue[])[], ports: readonly RawPort[], kind: 'raw' | 'float' = 'raw', field = 'inputs'): RawValue[][] {
  if (ports.length === 1) return toRawInputs(rows, ports[0]!.size, ports[0]!.type, kind);
  const total = ports.reduce((a, p) => a + p.size, 0);
  return rows.map((row, k) => {
    if (!row || typeof row.length !== 'number') throw new ShapeError(`${field}[${k}]`, 'expected an array of numbers');
    if (row.length !== total) throw new ShapeError(`${field}[${k}]`, `expected ${total} values (${ports.map((p) => p.size).join(' + ')}, the ports one after the other), got ${row.length}`);
    const out: RawValue[] = [];
    let at = 0;
    ports.forEach((p, j) => {
      try {
        out.push(...toRawInputs([row.slice(at, at + p.size)], p.size, p.type, kind)[0]!);
      } catch (e) {
        if (e instanceof ValueError) throw new ValueError(`${field}[${k}][${at + Number(/\]\[(\d+)\]$/.exec(e.path)?.[1] ?? 0)}]`, `${e.message.replace(/^[^:]*: /, '')} (port ${j})`);
        throw e;
      }
      at += p.size;
    });
    return out;
  });
}
