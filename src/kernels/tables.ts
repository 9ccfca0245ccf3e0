/**
 * Lookup tables of the table-based activations, built exactly as hls4ml's `init_*_table`
 * functions build them in C++: the argument grid is computed in double and stored in a `float`,
 * `std::exp`/`tanh` are the reference's single-precision `expf`/`tanhf` (bit-exact ports in
 * libm.ts), and each entry is converted to the table type with its quantization and overflow modes.
 * Tables are memoised per (function, size, type).
 */
import { ConfigError } from '../errors.js';
import { decodeDouble, quantizeDouble, requantizeBigEvent, CastEvent, type CastStats, type FixedType } from '../fixed/index.js';
import { EXACT_BITS, ceillog2, intField, type RawOutput } from './common.js';
import { expf, tanhf } from './libm.js';

const f32 = Math.fround;

/**
 * Quantize a double into `t` (any width) like `T v = x;` with non-finite values as the headers treat them.
 *
 * @example quantizeDoubleRaw(0.3, parseFixedType('ap_fixed<8,3>')); // 9
 */
export function quantizeDoubleRaw(x: number, t: FixedType, stats?: CastStats): number | bigint {
  if (t.W <= EXACT_BITS) return quantizeDouble(x, t, stats, 'hls');
  if (x === 0) return 0n;
  const d = decodeDouble(x, 'hls');
  const [r, ev] = requantizeBigEvent(d.mant, -d.exp, t);
  if (stats && ev !== CastEvent.None) {
    if (ev === CastEvent.Wrapped) stats.wrapped++;
    else stats.saturated++;
  }
  return r;
}

const cache = new Map<string, RawOutput>();
const typeKey = (t: FixedType) => `${t.signed ? 's' : 'u'}${t.W},${t.I}`;
const MAX_CACHED = 256;

/** Build a table (memoised by `key` + size + type) and return a private copy. */
function buildTable(key: string, n: number, t: FixedType, value: (i: number) => number): RawOutput {
  const k = `${key}|${n}|${t.signed ? 's' : 'u'}${t.W},${t.I},${t.Q},${t.O},${t.N}`;
  let tab = cache.get(k);
  if (!tab) {
    tab = buildTableUncached(n, t, value);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(k, tab);
  }
  return tab.slice();
}

function buildTableUncached(n: number, t: FixedType, value: (i: number) => number): RawOutput {
  if (t.W <= EXACT_BITS) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = quantizeDouble(value(i), t, undefined, 'hls');
    return out;
  }
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) out.push(quantizeDoubleRaw(value(i), t) as bigint);
  return out;
}

/** `float in_val = 2*R*(i - N/2.0)/N` as the init functions compute it. */
function gridPoint(i: number, n: number, range: number): number {
  return f32((2 * range * (i - n / 2)) / n);
}

/** Table config of sigmoid / tanh (hls4ml `activ_config`). */
export interface ActivationTableConfig {
  name?: string;
  /** Default 1024. */
  table_size?: number;
  types: { table: FixedType };
}

function tableSize(layer: string, v: number | undefined): number {
  return v === undefined ? 1024 : intField(layer, 'table_size', v);
}

function tableType(layer: string, types: { table?: FixedType } | undefined): FixedType {
  const t = types?.table;
  if (!t || typeof t.W !== 'number') throw new ConfigError(`${layer}.types.table`, 'missing table type');
  return t;
}

/**
 * The sigmoid table: `t[i] = (table_t)(float)(1.0 / (1 + expf(-x)))`, `x = (float)(16·(i − N/2)/N)`.
 *
 * @example sigmoidTable({ table_size: 1024, types: { table: parseFixedType('ap_fixed<18,8>') } })[512]; // 512 (= 0.5)
 */
export function sigmoidTable(cfg: ActivationTableConfig): RawOutput {
  const layer = cfg.name ?? 'sigmoid';
  const n = tableSize(layer, cfg.table_size);
  return buildTable('sigmoid', n, tableType(layer, cfg.types), (i) => {
    const x = gridPoint(i, n, 8);
    const e = expf(-x);
    return f32(1.0 / f32(1 + e));
  });
}

/**
 * The tanh table: `t[i] = (table_t) tanhf(x)`, `x = (float)(8·(i − N/2)/N)`.
 *
 * @example tanhTable({ table_size: 1024, types: { table: parseFixedType('ap_fixed<18,8>') } })[512]; // 0
 */
export function tanhTable(cfg: ActivationTableConfig): RawOutput {
  const layer = cfg.name ?? 'tanh';
  const n = tableSize(layer, cfg.table_size);
  return buildTable('tanh', n, tableType(layer, cfg.types), (i) => tanhf(gridPoint(i, n, 4)));
}

/** `float in_val = -8.0·i/N` (the ELU / SELU grid over (−8, 0]). */
function negGridPoint(i: number, n: number): number {
  return f32((-8.0 * i) / n);
}

/**
 * The ELU table: `t[i] = (table_t)(float)(double(expf(x_i)) − 1.0)`, `x_i = (float)(−8·i/N)`
 * (`init_elu_table`: entry i is e^x − 1 at x = −8i/N, indexed by `trunc(x·N/−8)`).
 *
 * @example eluTable({ table_size: 1024, types: { table: parseFixedType('ap_fixed<18,8>') } })[0]; // 0
 */
export function eluTable(cfg: ActivationTableConfig): RawOutput {
  const layer = cfg.name ?? 'elu';
  const n = tableSize(layer, cfg.table_size);
  return buildTable('elu', n, tableType(layer, cfg.types), (i) => f32(expf(negGridPoint(i, n)) - 1.0));
}

/** SELU's λ and α as the C++ literals (double). */
export const SELU_LAMBDA = 1.0507009873554804934193349852946;
/** @see SELU_LAMBDA */
export const SELU_ALPHA = 1.6732632423543772848170429916717;

/**
 * The SELU table: `t[i] = (table_t)(float)(λ·(α·(double(expf(x_i)) − 1.0)))` in double,
 * `x_i = (float)(−8·i/N)` (`init_selu_table`).
 *
 * @example seluTable({ table_size: 1024, types: { table: parseFixedType('ap_fixed<18,8>') } })[0]; // 0
 */
export function seluTable(cfg: ActivationTableConfig): RawOutput {
  const layer = cfg.name ?? 'selu';
  const n = tableSize(layer, cfg.table_size);
  return buildTable('selu', n, tableType(layer, cfg.types), (i) => f32(SELU_LAMBDA * (SELU_ALPHA * (expf(negGridPoint(i, n)) - 1.0))));
}

/**
 * The softplus table: `t[i] = (table_t)(float) log(double(expf(x_i)) + 1.0)`,
 * `x_i = (float)(16·(i − N/2)/N)` (`init_softplus_table`; the logarithm is the double one).
 *
 * @example softplusTable({ table_size: 1024, types: { table: parseFixedType('ap_fixed<18,8>') } })[512]; // 709 (log 2 = 0.693)
 */
export function softplusTable(cfg: ActivationTableConfig): RawOutput {
  const layer = cfg.name ?? 'softplus';
  const n = tableSize(layer, cfg.table_size);
  return buildTable('softplus', n, tableType(layer, cfg.types), (i) => f32(Math.log(expf(gridPoint(i, n, 8)) + 1.0)));
}

/**
 * The softsign table: `t[i] = (table_t)(float)(x_i / (|x_i| + 1.0))` in double,
 * `x_i = (float)(16·(i − N/2)/N)` (`init_softsign_table`).
 *
 * @example softsignTable({ table_size: 1024, types: { table: parseFixedType('ap_fixed<18,8>') } })[512]; // 0
 */
export function softsignTable(cfg: ActivationTableConfig): RawOutput {
  const layer = cfg.name ?? 'softsign';
  const n = tableSize(layer, cfg.table_size);
  return buildTable('softsign', n, tableType(layer, cfg.types), (i) => {
    const x = gridPoint(i, n, 8);
    return f32(x / (Math.abs(x) + 1.0));
  });
}

/**
 * Value of the number of type `t` whose top `ceillog2(size)` bits are `i` and other bits 0
 * (`softmax_real_val_from_idx`). Throws when the type has fewer bits than the index.
  *
  * @example softmaxRealValFromIdx(parseFixedType('ap_fixed<16,6>'), 512, 1024); // −32
 */
export function softmaxRealValFromIdx(t: FixedType, i: number, size: number, field = 'table_size'): number {
  const N = ceillog2(size);
  if (N > t.W) throw new ConfigError(field, `table of ${size} entries needs a ${N}-bit index but the indexing type has only W=${t.W} bits (table-index type too narrow)`);
  let top = i % 2 ** N;
  if (t.signed && top >= 2 ** (N - 1)) top -= 2 ** N;
  return top * 2 ** (t.I - N);
}

/** Types and sizes that define the softmax tables. */
export interface SoftmaxTableConfig {
  name?: string;
  implementation: 'latency' | 'stable' | 'legacy' | 'argmax' | string;
  exp_table_size?: number;
  inv_table_size?: number;
  /** float `exp_scale` (default 1.0). */
  exp_scale?: number;
  types: {
    input: FixedType;
    exp_table?: FixedType;
    inv_table?: FixedType;
    inv_inp?: FixedType;
    /** stable: defaults to {@link softmaxInpNormType} of the input. */
    inp_norm?: FixedType;
    /** legacy: the single table type (hls4ml's default `ap_fixed<18,8>`). */
    table?: FixedType;
  };
}

/**
 * The `inp_norm_t` hls4ml's template derives for the stable softmax: `ap_ufixed<W−s, I−s>` of the
 * input type (s = 1 if signed), AP_TRN / AP_WRAP.
 *
 * @example softmaxInpNormType(parseFixedType('ap_fixed<16,6>')); // ap_ufixed<15,5>
 */
export function softmaxInpNormType(input: FixedType): FixedType {
  const s = input.signed ? 1 : 0;
  return Object.freeze({ signed: false, W: input.W - s, I: input.I - s, Q: 'AP_TRN', O: 'AP_WRAP', N: 0 }) as FixedType;
}

function need<T>(layer: string, field: string, v: T | undefined): T {
  if (v === undefined || v === null) throw new ConfigError(`${layer}.${field}`, 'missing');
  return v;
}

/**
 * The exp and inverse tables of a softmax, raw in their table types:
 * latency — `exp_table[i] = (exp_table_t) expf(x_i)` with x_i the input-type value whose top bits
 * are i (times exp_scale); stable — the same over `inp_norm_t` with `expf(−x_i)`; both —
 * `inv_table[i] = (inv_table_t)(1.0f / x_i)` over `inv_inp_t`. legacy — `exp_table[i] = expf(16(i−N/2)/N)`,
 * `inv_table[i] = 1.0/(64·i/N)` (0 for i = 0), both in `table_t`. argmax has no tables.
 *
 * @example const { exp_table, inv_table } = softmaxTables(cfg);
 */
export function softmaxTables(cfg: SoftmaxTableConfig): { exp_table: RawOutput; inv_table: RawOutput } {
  const layer = cfg.name ?? 'softmax';
  const impl = String(cfg.implementation).toLowerCase();
  const ts = cfg.types ?? ({} as SoftmaxTableConfig['types']);
  const expN = cfg.exp_table_size === undefined ? 1024 : intField(layer, 'exp_table_size', cfg.exp_table_size);
  const invN = cfg.inv_table_size === undefined ? 1024 : intField(layer, 'inv_table_size', cfg.inv_table_size);
  if (impl === 'legacy') {
    const t = need(layer, 'types.table', ts.table);
    return {
      exp_table: buildTable('legacy-exp', expN, t, (i) => expf(gridPoint(i, expN, 8))),
      inv_table: buildTable('legacy-inv', invN, t, (i) => {
        const x = f32((64.0 * i) / invN);
        return x > 0 ? 1.0 / x : 0;
      }),
    };
  }
  if (impl !== 'latency' && impl !== 'stable') throw new ConfigError(`${layer}.implementation`, `no tables for softmax implementation '${cfg.implementation}'`);
  const expT = need(layer, 'types.exp_table', ts.exp_table);
  const invT = need(layer, 'types.inv_table', ts.inv_table);
  const invInp = ts.inv_inp ?? expT;
  const idxT = impl === 'stable' ? (ts.inp_norm ?? softmaxInpNormType(need(layer, 'types.input', ts.input))) : need(layer, 'types.input', ts.input);
  const scale = f32(cfg.exp_scale ?? 1.0);
  const neg = impl === 'stable';
  // Validate the index widths up front (the C++ would slice out of range).
  softmaxRealValFromIdx(idxT, 0, expN, `${layer}.exp_table_size`);
  softmaxRealValFromIdx(invInp, 0, invN, `${layer}.inv_table_size`);
  return {
    exp_table: buildTable(`${impl}-exp|${typeKey(idxT)}|${scale}`, expN, expT, (i) => {
      let x = f32(f32(softmaxRealValFromIdx(idxT, i, expN)) * scale);
      if (neg) x = -x;
      return expf(x);
    }),
    inv_table: buildTable(`inv|${typeKey(invInp)}`, invN, invT, (i) => {
      const x = f32(softmaxRealValFromIdx(invInp, i, invN));
      return f32(1 / x);
    }),
  };
}
