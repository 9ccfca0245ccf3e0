/**
 * Softmax, `nnet::softmax` with the latency, stable, legacy and argmax implementations
 * (`nnet_activation.h`, `nnet_activation_stream.h`).
 *
 * latency: `e_i = (accum_t) exp_table[top bits of x_i]`; `s = (inv_inp_t) reduce_add(e)` (balanced
 * tree, every node cast to accum_t); `inv = inv_table[top bits of s]`; `res_i = (result_t)(e_i·inv)`.
 * stable: as latency on `d_i = (inp_norm_t)(max(x) − x_i)` with a table of `exp(−d)`.
 * legacy: `e_i = Σ_j (j == i ? (table_t)1 : exp_table[clamp(int((x_j−x_i)·N/16) + N/2)])` summed in
 * table_t; `res_i = (result_t) inv_table[clamp(int(e_i·N/64))]`.
 * argmax: one-hot `(result_t)1` at the first maximum.
 */
import { ConfigError } from '../errors.js';
import { frac, type FixedType } from '../fixed/index.js';
import {
  BIG,
  NUM,
  allocOut,
  ceillog2,
  choosePath,
  intField,
  layerName,
  notePreResult,
  readRaw,
  reduceTree,
  storeOut,
  typeField,
  typedCaster,
  type Arith,
  type KernelOptions,
  type RawInput,
  type RawOutput,
} from './common.js';
import { truncScaledIndex } from './activations.js';
import { quantizeDoubleRaw, softmaxInpNormType, softmaxTables, softmaxRealValFromIdx } from './tables.js';

/** Softmax implementation (`nnet::softmax_implementation`). */
export type SoftmaxImplementation = 'latency' | 'stable' | 'legacy' | 'argmax';

/** Config of `nnet::softmax` (hls4ml `softmax_config` names). */
export interface SoftmaxConfig {
  name?: string;
  n_in: number;
  /** Elements per softmax (default n_in). */
  n_slice?: number;
  /** io_parallel multi-dimensional softmax (`softmax_multidim`): n_in = n_outer·n_slice·n_inner. */
  n_outer?: number;
  n_inner?: number;
  io_type?: 'io_parallel' | 'io_stream' | string;
  implementation: SoftmaxImplementation | string;
  exp_table_size?: number;
  inv_table_size?: number;
  /** io_stream legacy: the one size both tables use (hls4ml reads `table_size` there; default 1024). */
  table_size?: number;
  exp_scale?: number;
  types: {
    input: FixedType;
    result: FixedType;
    exp_table?: FixedType;
    inv_table?: FixedType;
    accum?: FixedType;
    /** Default: exp_table. */
    inv_inp?: FixedType;
    /** stable; default `ap_ufixed<W−s, I−s>` of the input. */
    inp_norm?: FixedType;
    /** legacy (hls4ml default `ap_fixed<18,8>`). */
    table?: FixedType;
  };
}

function normImpl(layer: string, v: unknown): SoftmaxImplementation {
  const s = String(v).toLowerCase();
  if (s === 'latency' || s === 'stable' || s === 'legacy' || s === 'argmax') return s;
  throw new ConfigError(`${layer}.implementation`, `unknown softmax implementation ${JSON.stringify(v)} (latency, stable, legacy, argmax)`);
}

/** Top `ceillog2(size)` bits of the raw bit pattern (`softmax_idx_from_real_val`). */
function topBits(raw: number | bigint, t: FixedType, size: number): number {
  const N = ceillog2(size);
  const sh = t.W - N;
  if (typeof raw === 'number' && t.W <= 52) {
    const u = raw < 0 ? raw + 2 ** t.W : raw;
    return Math.floor(u / 2 ** sh);
  }
  const u = BigInt.asUintN(t.W, BigInt(raw));
  return Number(u >> BigInt(sh));
}

/**
 * `nnet::softmax` over every slice of the input (raw mantissas).
 *
 * @example
 * const y = softmax({ n_in: 10, implementation: 'stable', exp_table_size: 1024, inv_table_size: 1024,
 *                     types: { input, result, exp_table, inv_table, accum, inv_inp } }, x);
 */
export function softmax(cfg: SoftmaxConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'softmax');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  const impl = normImpl(layer, cfg.implementation);
  const nIn = intField(layer, 'n_in', cfg.n_in);
  const stream = cfg.io_type === 'io_stream';
  if (cfg.io_type !== undefined && cfg.io_type !== 'io_parallel' && !stream) throw new ConfigError(`${layer}.io_type`, `must be 'io_parallel' or 'io_stream', got ${JSON.stringify(cfg.io_type)}`);
  const nSlice = cfg.n_slice === undefined ? nIn : intField(layer, 'n_slice', cfg.n_slice);
  const nOuter = cfg.n_outer === undefined ? 1 : intField(layer, 'n_outer', cfg.n_outer);
  const nInner = cfg.n_inner === undefined ? 1 : intField(layer, 'n_inner', cfg.n_inner);
  if (stream && nInner !== 1) throw new ConfigError(`${layer}.n_inner`, 'io_stream softmax works on the last axis only (n_inner must be 1)');
  const nGroups = stream ? nIn / nSlice : nOuter;
  if (!Number.isInteger(nGroups) || nGroups * nSlice * nInner !== nIn) {
    throw new ConfigError(`${layer}.n_slice`, `n_in=${nIn} is not n_outer·n_slice·n_inner = ${nOuter}·${nSlice}·${nInner}`);
  }
  const tt = cfg.types as unknown as Record<string, FixedType>;
  const tin = typeField(layer, tt, 'input');
  const tres = typeField(layer, tt, 'result');
  const st = opts.stats;

  if (impl === 'argmax') {
    const run = <T extends number | bigint>(A: Arith<T>): RawOutput => {
      const out = allocOut(layer, nIn, tres, opts.out);
      const xs = readRaw(A, layer, 'input', x, tin, nIn);
      const one = A.of(quantizeDoubleRaw(1, tres, st?.result));
      forSlices(nGroups, nSlice, nInner, (idx) => {
        let m = xs[idx(0)]!;
        let at = 0;
        for (let i = 1; i < nSlice; i++) {
          const v = xs[idx(i)]!;
          if (v > m) {
            m = v;
            at = i;
          }
        }
        for (let i = 0; i < nSlice; i++) storeOut(out, idx(i), i === at ? one : A.zero);
        if (st) st.resultCount += nSlice;
      });
      return out;
    };
    return choosePath(layer, Math.max(tin.W + 1, tres.W), opts.path) ? run(BIG) : run(NUM);
  }

  if (impl === 'legacy') {
    const tab = typeField(layer, tt, 'table');
    const expN = stream ? (cfg.table_size ?? 1024) : (cfg.exp_table_size ?? 1024);
    const invN = stream ? (cfg.table_size ?? 1024) : (cfg.inv_table_size ?? 1024);
    const tables = softmaxTables({ name: layer, implementation: 'legacy', exp_table_size: expN, inv_table_size: invN, types: { input: tin, table: tab } });
    const bits = Math.max(tin.W + 2, tab.W + 2, tres.W);
    const run = <T extends number | bigint>(A: Arith<T>): RawOutput => {
      const out = allocOut(layer, nIn, tres, opts.out);
      const xs = readRaw(A, layer, 'input', x, tin, nIn);
      const ft = frac(tab);
      const fx = frac(tin);
      const castT = A.caster(ft, tab, st?.accum);
      const castR = typedCaster(A, tab, tres, st?.result);
      const one = A.of(quantizeDoubleRaw(1, tab, st?.internal));
      const expTab = tables.exp_table;
      const invTab = tables.inv_table;
      const halfE = Math.floor((8 * expN) / 16);
      const eres: T[] = new Array<T>(nSlice);
      forSlices(nGroups, nSlice, nInner, (idx) => {
        for (let i = 0; i < nSlice; i++) {
          let e = A.zero;
          const xi = xs[idx(i)]!;
          for (let j = 0; j < nSlice; j++) {
            let d: T;
            if (i === j) d = one;
            else {
              let k = (truncScaledIndex(A.sub(xs[idx(j)]!, xi), fx, expN, 16) + halfE) | 0;
              if (k < 0) k = 0;
              if (k > expN - 1) k = expN - 1;
              d = A.of(expTab[k]!);
            }
            e = castT(A.add(e, d));
          }
          eres[i] = e;
        }
        for (let i = 0; i < nSlice; i++) {
          let k = truncScaledIndex(eres[i]!, ft, invN, 64);
          if (k < 0) k = 0;
          if (k > invN - 1) k = invN - 1;
          const v = A.of(invTab[k]!);
          if (st) notePreResult(st, v, ft);
          storeOut(out, idx(i), castR(v));
        }
      });
      return out;
    };
    return choosePath(layer, bits, opts.path) ? run(BIG) : run(NUM);
  }

  // latency / stable
  const expT = typeField(layer, tt, 'exp_table');
  const invT = typeField(layer, tt, 'inv_table');
  const acc = typeField(layer, tt, 'accum');
  const invInp = tt.inv_inp ?? expT;
  const norm = impl === 'stable' ? (tt.inp_norm ?? softmaxInpNormType(tin)) : tin;
  const expN = cfg.exp_table_size ?? 1024;
  const invN = cfg.inv_table_size ?? 1024;
  softmaxRealValFromIdx(norm, 0, expN, `${layer}.exp_table_size`);
  softmaxRealValFromIdx(invInp, 0, invN, `${layer}.inv_table_size`);
  const tables = softmaxTables({
    name: layer,
    implementation: impl,
    exp_table_size: expN,
    inv_table_size: invN,
    exp_scale: cfg.exp_scale,
    types: { input: tin, exp_table: expT, inv_table: invT, inv_inp: invInp, inp_norm: norm },
  });
  const bits = Math.max(tin.W + 2, acc.W + 2, acc.W + invT.W, expT.W + 1, invInp.W + 1, norm.W + 1, tres.W);
  const run = <T extends number | bigint>(A: Arith<T>): RawOutput => {
    const out = allocOut(layer, nIn, tres, opts.out);
    const xs = readRaw(A, layer, 'input', x, tin, nIn);
    const fa = frac(acc);
    const fInv = frac(invT);
    const castE = typedCaster(A, expT, acc, st?.accum);
    const castA = A.caster(fa, acc, st?.accum);
    const castS = typedCaster(A, acc, invInp, st?.internal);
    const castN = A.caster(frac(tin), norm, st?.internal);
    const castR = A.caster(fa + fInv, tres, st?.result);
    const expTab = tables.exp_table;
    const invTab = tables.inv_table;
    const eres: T[] = new Array<T>(nSlice);
    forSlices(nGroups, nSlice, nInner, (idx) => {
      let xmax: T | undefined;
      if (impl === 'stable') {
        const vals: T[] = [];
        for (let i = 0; i < nSlice; i++) vals.push(xs[idx(i)]!);
        xmax = reduceTree(vals, 0, nSlice, (a, b) => (a >= b ? a : b));
      }
      for (let i = 0; i < nSlice; i++) {
        const xi = xs[idx(i)]!;
        const k = impl === 'stable' ? topBits(castN(A.sub(xmax!, xi)), norm, expN) : topBits(xi, tin, expN);
        eres[i] = castE(A.of(expTab[k]!));
      }
      const sum = reduceTree(eres, 0, nSlice, (a, b) => castA(A.add(a, b)));
      const s = castS(sum);
      const inv = A.of(invTab[topBits(s, invInp, invN)]!);
      for (let i = 0; i < nSlice; i++) {
        const p = A.mul(eres[i]!, inv);
        if (st) notePreResult(st, p, fa + fInv);
        storeOut(out, idx(i), castR(p));
      }
    });
    return out;
  };
  return choosePath(layer, bits, opts.path) ? run(BIG) : run(NUM);
}

/** Iterate the slices of a (multi-dimensional) softmax; `idx(j)` is the flat index of element j. */
function forSlices(nGroups: number, nSlice: number, nInner: number, fn: (idx: (j: number) => number) => void): void {
  for (let i = 0; i < nGroups; i++) {
    for (let k = 0; k < nInner; k++) {
      const base = i * nSlice * nInner + k;
      fn((j) => base + j * nInner);
    }
  }
}

/**
 * The exp-table index of every element, exactly as {@link softmax} computes it (latency: top bits
 * of x; stable: top bits of `(inp_norm_t)(x_max − x)`), with the value each index was taken from
 * (real units) — for the report's lookup-table diagnostics. Slices follow n_slice (whole input by
 * default). Legacy and argmax have no index of this kind (empty result).
 *
 * @example softmaxExpIndices(cfg, x).indices; // Int32Array of n_in entries
 */
export function softmaxExpIndices(cfg: SoftmaxConfig, x: RawInput): { indices: Int32Array; values: Float64Array } {
  const layer = layerName(cfg ?? {}, 'softmax');
  const impl = normImpl(layer, cfg.implementation);
  const nIn = intField(layer, 'n_in', cfg.n_in);
  if (impl !== 'latency' && impl !== 'stable') return { indices: new Int32Array(0), values: new Float64Array(0) };
  const tt = cfg.types as unknown as Record<string, FixedType>;
  const tin = typeField(layer, tt, 'input');
  const norm = impl === 'stable' ? (tt.inp_norm ?? softmaxInpNormType(tin)) : tin;
  const expN = cfg.exp_table_size ?? 1024;
  const nSlice = cfg.n_slice === undefined ? nIn : intField(layer, 'n_slice', cfg.n_slice);
  const A = tin.W + 2 > 52 ? (BIG as Arith<number | bigint>) : (NUM as Arith<number | bigint>);
  const xs = readRaw(A, layer, 'input', x, tin, nIn);
  const castN = A.caster(frac(tin), norm);
  const indices = new Int32Array(nIn);
  const values = new Float64Array(nIn);
  for (let o = 0; o < nIn; o += nSlice) {
    let xmax = xs[o]!;
    for (let i = 1; i < nSlice; i++) if (xs[o + i]! > xmax) xmax = xs[o + i]!;
    for (let i = 0; i < nSlice; i++) {
      const v = impl === 'stable' ? castN(A.sub(xmax, xs[o + i]!)) : xs[o + i]!;
      indices[o + i] = topBits(v, norm, expN);
      values[o + i] = Number(v) * 2 ** -frac(norm);
    }
  }
  return { indices, values };
}
