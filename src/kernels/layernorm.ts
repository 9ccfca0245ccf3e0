/**
 * LayerNormalization (`nnet::layernormalize` of nnet_layernorm.h, io_parallel; hls4ml has no
 * io_stream kernel). Input (seq_len, dim), normalised over dim for every row.
 *
 * Cast sequence per row, everything in accum_t:
 *   `sum = (accum)(sum + (accum)x_i)`; `k_inv = (accum)(1.0/dim)`; `mean = (accum)(sum·k_inv)`;
 *   `d_i = (accum)((accum)x_i − mean)`; `sum2 = (accum)(sum2 + (accum)(d_i·d_i))`; `var = (accum)(sum2·k_inv)`;
 *   `idx = clamp(int(var · table_size · 2^table_range_power2), 0, table_size − 1)` (int() truncates toward zero);
 *   `y_i = (result)(d_i · table[idx] · scale_i + bias_i)` (products and sum exact).
 * Table (`init_invert_sqr_table`, float arithmetic): `in = float(10^−e) + float(2^−p / N)·i`,
 * `table[i] = (table_t)(1.0 / sqrtf(in))`.
 */
import { ConfigError } from '../errors.js';
import { frac, type FixedType } from '../fixed/index.js';
import { truncScaledIndex } from './activations.js';
import {
  BIG,
  NUM,
  allocOut,
  checkLength,
  choosePath,
  intField,
  layerName,
  notePreResult,
  readRaw,
  storeOut,
  typeField,
  typedCaster,
  type Arith,
  type KernelOptions,
  type RawInput,
  type RawOutput,
} from './common.js';
import { quantizeDoubleRaw } from './tables.js';

/** Types of a LayerNormalization (hls4ml `layernorm_config` typedefs without `_t`). */
export interface LayerNormTypes {
  input: FixedType;
  result: FixedType;
  accum: FixedType;
  scale: FixedType;
  bias: FixedType;
  table: FixedType;
}

/** Config of `nnet::layernormalize` (hls4ml `layernorm_config` names). */
export interface LayerNormConfig {
  name?: string;
  /** seq_len · dim. */
  n_in: number;
  seq_len: number;
  /** Checked against n_in / seq_len when given. */
  dim?: number;
  /** Only the last axis (Keras axis 2 of a (batch, seq_len, dim) input) is supported. */
  axis?: number;
  /** e: the table starts at 10^−e (hls4ml: −round(log10(epsilon))). */
  epsilon_power_of_10: number;
  /** p: the table covers [10^−e, 10^−e + 2^−p). */
  table_range_power2: number;
  table_size: number;
  io_type?: 'io_parallel' | string;
  /** Only `mult`. */
  product?: string;
  types: LayerNormTypes;
}

const f32 = Math.fround;

function tableParams(layer: string, cfg: Pick<LayerNormConfig, 'epsilon_power_of_10' | 'table_range_power2' | 'table_size'>): { e: number; p: number; N: number } {
  return {
    e: intField(layer, 'epsilon_power_of_10', cfg.epsilon_power_of_10, 0),
    p: intField(layer, 'table_range_power2', cfg.table_range_power2, 0),
    N: intField(layer, 'table_size', cfg.table_size),
  };
}

/**
 * The 1/sqrt table of a LayerNormalization, raw in table_t.
 *
 * @example layernormTable({ epsilon_power_of_10: 3, table_range_power2: 0, table_size: 4096, types: { table: parseFixedType('ap_ufixed<8,5,AP_RND_CONV,AP_SAT>') } })[0]; // 31.625 → raw 253
 */
export function layernormTable(cfg: Pick<LayerNormConfig, 'name' | 'epsilon_power_of_10' | 'table_range_power2' | 'table_size'> & { types: { table: FixedType } }): RawOutput {
  const layer = layerName(cfg ?? {}, 'layernorm');
  const { e, p, N } = tableParams(layer, cfg);
  const tt = typeField(layer, cfg.types as never, 'table');
  // pow(10.0f, -e) is evaluated in double and stored in a float; '1e-e' is its correctly rounded double.
  const minVal = f32(Number(`1e-${e}`));
  const maxVal = f32(2 ** -p);
  const step = f32(maxVal / f32(N));
  const out: RawOutput = tt.W <= 53 ? new Float64Array(N) : (new Array<bigint>(N).fill(0n) as bigint[]);
  for (let i = 0; i < N; i++) {
    const inVal = f32(minVal + f32(step * i));
    const v = 1.0 / f32(Math.sqrt(inVal));
    storeOut(out, i, quantizeDoubleRaw(v, tt));
  }
  return out;
}

/**
 * A prepared LayerNormalization (scale, bias, k_inv and table decoded).
 *
 * @example const k = prepareLayerNorm(cfg, scale, bias); const y = k.run(x);
 */
export class LayerNormKernel {
  readonly name: string;
  readonly seqLen: number;
  readonly dim: number;
  readonly types: LayerNormTypes;
  readonly big: boolean;
  readonly table: RawOutput;
  private readonly N: number;
  private readonly idxMul: number;
  private readonly scale: ArrayLike<number> | ArrayLike<bigint>;
  private readonly bias: ArrayLike<number> | ArrayLike<bigint>;

  /** @internal use {@link prepareLayerNorm}. */
  constructor(cfg: LayerNormConfig, scale: RawInput, bias: RawInput, path?: KernelOptions['path']) {
    const layer = layerName(cfg ?? {}, 'layernorm');
    if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
    this.name = layer;
    const nIn = intField(layer, 'n_in', cfg.n_in);
    this.seqLen = intField(layer, 'seq_len', cfg.seq_len);
    if (nIn % this.seqLen !== 0) throw new ConfigError(`${layer}.seq_len`, `n_in ${nIn} is not a multiple of seq_len ${this.seqLen}`);
    this.dim = nIn / this.seqLen;
    if (cfg.dim !== undefined && cfg.dim !== this.dim) throw new ConfigError(`${layer}.dim`, `expected n_in / seq_len = ${this.dim}, got ${String(cfg.dim)}`);
    if (cfg.axis !== undefined && cfg.axis !== 2 && cfg.axis !== -1) throw new ConfigError(`${layer}.axis`, `only the last axis is supported, got ${String(cfg.axis)}`);
    if (cfg.io_type !== undefined && cfg.io_type !== 'io_parallel') throw new ConfigError(`${layer}.io_type`, `hls4ml has only an io_parallel LayerNormalization kernel, got ${JSON.stringify(cfg.io_type)}`);
    if (cfg.product !== undefined && cfg.product !== 'mult') throw new ConfigError(`${layer}.product`, `only 'mult' is supported, got ${JSON.stringify(cfg.product)}`);
    const tt = cfg.types as unknown as Record<string, FixedType>;
    if (!tt || typeof tt !== 'object') throw new ConfigError(`${layer}.types`, 'missing types');
    const types: LayerNormTypes = {
      input: typeField(layer, tt, 'input'),
      result: typeField(layer, tt, 'result'),
      accum: typeField(layer, tt, 'accum'),
      scale: typeField(layer, tt, 'scale'),
      bias: typeField(layer, tt, 'bias'),
      table: typeField(layer, tt, 'table'),
    };
    this.types = types;
    const { p, N } = tableParams(layer, cfg);
    this.N = N;
    this.idxMul = N * 2 ** p;
    this.table = layernormTable({ ...cfg, name: layer, types });
    checkLength(layer, 'scale', scale, this.dim);
    checkLength(layer, 'bias', bias, this.dim);
    const a = types.accum;
    const fa = frac(a);
    const prodInt = a.I + types.table.I + types.scale.I + 2;
    const prodFrac = Math.max(fa + frac(types.table) + frac(types.scale), frac(types.bias), 0);
    const bits = Math.max(2 * a.W + 2, prodInt + prodFrac + 2, types.input.W + 2, types.result.W + 1, a.W + 2 + Math.max(0, frac(types.input) - fa));
    this.big = choosePath(layer, bits, path);
    if (this.big) {
      this.scale = readRaw(BIG, layer, 'scale', scale, types.scale, this.dim);
      this.bias = readRaw(BIG, layer, 'bias', bias, types.bias, this.dim);
    } else {
      this.scale = readRaw(NUM, layer, 'scale', scale, types.scale, this.dim);
      this.bias = readRaw(NUM, layer, 'bias', bias, types.bias, this.dim);
    }
  }

  /** The table index of a variance (raw accum_t mantissa). */
  tableIndex(varRaw: number | bigint): number {
    let idx = truncScaledIndex(varRaw, frac(this.types.accum), this.idxMul, 1);
    if (idx < 0) idx = 0;
    if (idx > this.N - 1) idx = this.N - 1;
    return idx;
  }

  /**
   * Normalise one input (`seq_len·dim` raws, row-major) → `seq_len·dim` raws.
   *
   * @example const y = prepareLayerNorm(cfg, scale, bias).run(x);
   */
  run(x: RawInput, opts: KernelOptions = {}): RawOutput {
    if ((opts.path === 'bigint' && !this.big) || (opts.path === 'number' && this.big)) {
      throw new ConfigError(`${this.name}.path`, `this kernel was prepared for the ${this.big ? 'BigInt' : 'number'} path`);
    }
    return this.big ? this.runWith(BIG, x, opts) : this.runWith(NUM, x, opts);
  }

  private runWith<T extends number | bigint>(A: Arith<T>, x: RawInput, opts: KernelOptions): RawOutput {
    const t = this.types;
    const st = opts.stats;
    const D = this.dim;
    const xs = readRaw(A, this.name, 'input', x, t.input, this.seqLen * D);
    const out = allocOut(this.name, this.seqLen * D, t.result, opts.out);
    const fa = frac(t.accum);
    const toAcc = typedCaster(A, t.input, t.accum, st?.accum);
    const accSum = A.caster(fa, t.accum, st?.accum);
    const accProd = A.caster(2 * fa, t.accum, st?.accum);
    const kInv = A.of(quantizeDoubleRaw(1.0 / D, t.accum, st?.internal));
    const ft = frac(t.table);
    const fs = frac(t.scale);
    const fb = frac(t.bias);
    const fp = fa + ft + fs;
    const f = Math.max(fp, fb);
    const castRes = A.caster(f, t.result, st?.result);
    const sc = this.scale as ArrayLike<T>;
    const bi = this.bias as ArrayLike<T>;
    const tab = this.table as ArrayLike<number | bigint>;
    const d: T[] = new Array<T>(D).fill(A.zero);
    for (let row = 0; row < this.seqLen; row++) {
      const base = row * D;
      let sum = A.zero;
      for (let i = 0; i < D; i++) sum = accSum(A.add(sum, toAcc(xs[base + i]!)));
      const mean = accProd(A.mul(sum, kInv));
      let sum2 = A.zero;
      for (let i = 0; i < D; i++) {
        d[i] = accSum(A.sub(toAcc(xs[base + i]!), mean));
        sum2 = accSum(A.add(sum2, accProd(A.mul(d[i]!, d[i]!))));
      }
      const v = accProd(A.mul(sum2, kInv));
      const deno = A.of(tab[this.tableIndex(v)]!);
      for (let i = 0; i < D; i++) {
        const prod = A.mul(A.mul(d[i]!, deno), sc[i]!);
        const y = A.add(f === fp ? prod : A.shl(prod, f - fp), f === fb ? bi[i]! : A.shl(bi[i]!, f - fb));
        if (st) notePreResult(st, y, f);
        storeOut(out, base + i, castRes(y));
      }
    }
    return out;
  }
}

/**
 * Prepare a LayerNormalization (scale = gamma, bias = beta, both of length dim).
 *
 * @example const y = prepareLayerNorm(cfg, scale, bias).run(x);
 */
export function prepareLayerNorm(cfg: LayerNormConfig, scale: RawInput, bias: RawInput, path?: KernelOptions['path']): LayerNormKernel {
  return new LayerNormKernel(cfg, scale, bias, path);
}

/**
 * `nnet::layernormalize`: one (seq_len, dim) input → the same shape.
 *
 * @example layernorm(cfg, x, scale, bias);
 */
export function layernorm(cfg: LayerNormConfig, x: RawInput, scale: RawInput, bias: RawInput, opts: KernelOptions = {}): RawOutput {
  return prepareLayerNorm(cfg, scale, bias, opts.path).run(x, opts);
}
