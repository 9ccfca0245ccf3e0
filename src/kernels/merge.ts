/**
 * Merge layers (`nnet_merge.h`): element-wise add / subtract / multiply / average / maximum /
 * minimum with broadcasting by index modulo (`res[i] = op(x1[i % n_elem1], x2[i % n_elem2])`), the
 * operation at full precision then one cast to result_t; and concatenation (each element cast to
 * result_t).
 */
import { ConfigError, ShapeError, UnsupportedError } from '../errors.js';
import { compareRaw, frac, type FixedType } from '../fixed/index.js';
import {
  BIG,
  NUM,
  allocOut,
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

/** Element-wise merge operations (`nnet::add`, `nnet::subtract`, …). */
export type MergeOp = 'add' | 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum';

/** Types of a two-input merge. */
export interface MergeTypes {
  input1: FixedType;
  input2: FixedType;
  result: FixedType;
}

/** Config of an element-wise merge (hls4ml `merge_config` names). */
export interface MergeConfig {
  name?: string;
  op: MergeOp | string;
  n_elem1: number;
  n_elem2: number;
  /** Default max(n_elem1, n_elem2). */
  n_elem?: number;
  io_type?: string;
  types: MergeTypes;
}

/**
 * Config of a concatenation (hls4ml `concat_config`): the input shapes without the batch axis,
 * as `shape1`/`shape2` or as the struct's `n_elem1_0..2`/`n_elem2_0..2` (0 past the rank); when
 * both are given they must agree. Keras `axis`.
 */
export interface ConcatConfig {
  name?: string;
  shape1?: readonly number[];
  shape2?: readonly number[];
  n_elem1_0?: number;
  n_elem1_1?: number;
  n_elem1_2?: number;
  n_elem2_0?: number;
  n_elem2_1?: number;
  n_elem2_2?: number;
  /** Keras axis as hls4ml stores it (counting the batch axis, or negative); default −1. */
  axis?: number;
  io_type?: string;
  types: MergeTypes;
}

const OPS: readonly MergeOp[] = ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum'];

function mtypes(layer: string, t: unknown): MergeTypes {
  const tt = t as Record<string, FixedType>;
  return { input1: typeField(layer, tt, 'input1'), input2: typeField(layer, tt, 'input2'), result: typeField(layer, tt, 'result') };
}

/**
 * `nnet::add` / `subtract` / `multiply` / `average` / `maximum` / `minimum`.
 *
 * @example merge({ op: 'add', n_elem1: 2, n_elem2: 2, types: { input1: t, input2: t, result: t } }, [1, 2], [3, 4]); // [4, 6]
 */
export function merge(cfg: MergeConfig, x1: RawInput, x2: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'merge');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  const op = String(cfg.op).toLowerCase() as MergeOp;
  if (!OPS.includes(op)) throw new UnsupportedError(`${layer}.op`, `unknown merge op ${JSON.stringify(cfg.op)} (${OPS.join(', ')})`);
  const n1 = intField(layer, 'n_elem1', cfg.n_elem1);
  const n2 = intField(layer, 'n_elem2', cfg.n_elem2);
  const n = cfg.n_elem === undefined ? Math.max(n1, n2) : intField(layer, 'n_elem', cfg.n_elem);
  if (cfg.io_type !== undefined && cfg.io_type !== 'io_parallel' && cfg.io_type !== 'io_stream') {
    throw new ConfigError(`${layer}.io_type`, `must be 'io_parallel' or 'io_stream', got ${JSON.stringify(cfg.io_type)}`);
  }
  if (cfg.io_type === 'io_stream' && (n1 !== n2 || n !== n1)) {
    throw new UnsupportedError(`${layer}.n_elem2`, `io_stream merges are element-wise on equal shapes (n_elem1 = ${n1}, n_elem2 = ${n2}, n_elem = ${n}); broadcasting exists only in io_parallel`);
  }
  const t = mtypes(layer, cfg.types);
  const fa = frac(t.input1);
  const fb = frac(t.input2);
  const F = Math.max(fa, fb);
  const bits =
    op === 'multiply'
      ? Math.max(t.input1.W + t.input2.W + 1, t.result.W)
      : Math.max(t.input1.W + (F - fa), t.input2.W + (F - fb)) + 2;
  const run = <T extends number | bigint>(A: Arith<T>): RawOutput => {
    const a = readRaw(A, layer, 'input1', x1, t.input1, n1);
    const b = readRaw(A, layer, 'input2', x2, t.input2, n2);
    const out = allocOut(layer, n, t.result, opts.out);
    const st = opts.stats;
    const fromF = op === 'multiply' ? fa + fb : op === 'average' ? F + 1 : F;
    const cast = A.caster(fromF, t.result, st?.result);
    const castA = typedCaster(A, t.input1, t.result, st?.result);
    const castB = typedCaster(A, t.input2, t.result, st?.result);
    for (let i = 0; i < n; i++) {
      const ai = a[i % n1]!;
      const bi = b[i % n2]!;
      let r: T;
      if (op === 'maximum' || op === 'minimum') {
        // ap_fixed's mixed-type comparison (with the headers' signed/unsigned quirk)
        const cmp = compareRaw(BigInt(ai), t.input1, BigInt(bi), t.input2);
        const pickA = op === 'maximum' ? cmp.gt : cmp.lt;
        if (st) notePreResult(st, pickA ? ai : bi, pickA ? fa : fb);
        r = pickA ? castA(ai) : castB(bi);
      } else {
        let v: T;
        if (op === 'multiply') v = A.mul(ai, bi);
        else if (op === 'subtract') v = A.sub(A.shl(ai, F - fa), A.shl(bi, F - fb));
        else v = A.add(A.shl(ai, F - fa), A.shl(bi, F - fb)); // add; average = (a+b)·0.5 → one more fractional bit
        if (st) notePreResult(st, v, fromF);
        r = cast(v);
      }
      storeOut(out, i, r);
    }
    return out;
  };
  return choosePath(layer, bits, opts.path) ? run(BIG) : run(NUM);
}

/**
 * `nnet::add` (see {@link merge}).
 *
 * @example add({ n_elem1: 2, n_elem2: 2, types }, [1, 2], [3, 4]); // [4, 6]
 */
export function add(cfg: Omit<MergeConfig, 'op'>, x1: RawInput, x2: RawInput, opts: KernelOptions = {}): RawOutput {
  return merge({ ...cfg, op: 'add' }, x1, x2, opts);
}

/**
 * Which dimension hls4ml's `concatenate{1,2,3}d` uses for a Keras axis (with batch) of a rank-r tensor.
 *
 * @example concatDim(3, -1); // 2
 */
export function concatDim(rank: number, axis: number): number {
  if (rank === 1) return 0;
  if (rank === 2) return axis === 2 || axis === -1 ? 1 : 0;
  if (rank === 3) return axis === 3 || axis === -1 ? 2 : axis === 2 || axis === -2 ? 1 : 0;
  throw new UnsupportedError('axis', `concatenation of rank-${rank} tensors is not supported (hls4ml has 1d, 2d, 3d)`);
}

/** The shape of input k: `shape{k}`, or the non-zero prefix of `n_elem{k}_0..2`; both must agree. */
function concatShape(layer: string, cfg: ConcatConfig, k: 1 | 2): number[] {
  const given = k === 1 ? cfg.shape1 : cfg.shape2;
  const c = cfg as unknown as Record<string, unknown>;
  const fields = [0, 1, 2].map((d) => c[`n_elem${k}_${d}`]);
  const haveFields = fields.some((v) => v !== undefined);
  if (given === undefined && !haveFields) throw new ShapeError(`${layer}.shape${k}`, `missing (give shape${k} or n_elem${k}_0..2)`);
  let shape: number[];
  if (given !== undefined) {
    if (!Array.isArray(given) || given.length === 0) throw new ShapeError(`${layer}.shape${k}`, `must be a non-empty array, got ${JSON.stringify(given)}`);
    shape = given.map((d, i) => intField(layer, `shape${k}[${i}]`, d));
  } else {
    const dims = fields.map((v, d) => (v === undefined ? 0 : intField(layer, `n_elem${k}_${d}`, v, 0)));
    const rank = dims.indexOf(0) < 0 ? 3 : dims.indexOf(0);
    shape = dims.slice(0, rank);
    if (rank === 0) throw new ShapeError(`${layer}.n_elem${k}_0`, 'must be ≥ 1');
  }
  if (haveFields) {
    fields.forEach((v, d) => {
      const want = d < shape.length ? shape[d] : 0;
      if (v === undefined) return;
      if (v !== want) throw new ShapeError(`${layer}.n_elem${k}_${d}`, `is ${JSON.stringify(v)} but the input shape ${JSON.stringify(shape)} needs ${want}`);
    });
  }
  return shape;
}

/**
 * `nnet::concatenate1d/2d/3d` (channels-last, row-major).
 *
 * @example concatenate({ shape1: [2], shape2: [1], types: { input1: t, input2: t, result: t } }, [1, 2], [3]); // [1, 2, 3]
 */
export function concatenate(cfg: ConcatConfig, x1: RawInput, x2: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'concatenate');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  const s1 = concatShape(layer, cfg, 1);
  const s2 = concatShape(layer, cfg, 2);
  if (cfg.io_type !== undefined && cfg.io_type !== 'io_parallel' && cfg.io_type !== 'io_stream') {
    throw new ConfigError(`${layer}.io_type`, `must be 'io_parallel' or 'io_stream', got ${JSON.stringify(cfg.io_type)}`);
  }
  if (cfg.axis !== undefined && (typeof cfg.axis !== 'number' || !Number.isInteger(cfg.axis))) throw new ConfigError(`${layer}.axis`, `must be an integer, got ${JSON.stringify(cfg.axis)}`);
  if (s1.length !== s2.length) throw new ShapeError(`${layer}.shape2`, `rank ${s2.length} differs from shape1's rank ${s1.length}`);
  const dim = concatDim(s1.length, cfg.axis ?? -1);
  for (let k = 0; k < s1.length; k++) {
    if (k !== dim && s1[k] !== s2[k]) throw new ShapeError(`${layer}.shape2`, `dimension ${k} is ${s2[k]} but shape1 has ${s1[k]} (concatenating along dimension ${dim})`);
  }
  const outer = s1.slice(0, dim).reduce((p, v) => p * v, 1);
  const in1 = s1.slice(dim).reduce((p, v) => p * v, 1);
  const in2 = s2.slice(dim).reduce((p, v) => p * v, 1);
  const t = mtypes(layer, cfg.types);
  const bits = Math.max(t.input1.W + 1, t.input2.W + 1, t.result.W);
  const run = <T extends number | bigint>(A: Arith<T>): RawOutput => {
    const n = outer * (in1 + in2);
    const a = readRaw(A, layer, 'input1', x1, t.input1, outer * in1);
    const b = readRaw(A, layer, 'input2', x2, t.input2, outer * in2);
    const out = allocOut(layer, n, t.result, opts.out);
    const castA = typedCaster(A, t.input1, t.result, opts.stats?.result);
    const castB = typedCaster(A, t.input2, t.result, opts.stats?.result);
    let p = 0;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < in1; k++) {
        const v = a[o * in1 + k]!;
        if (opts.stats) notePreResult(opts.stats, v, frac(t.input1));
        storeOut(out, p++, castA(v));
      }
      for (let k = 0; k < in2; k++) {
        const v = b[o * in2 + k]!;
        if (opts.stats) notePreResult(opts.stats, v, frac(t.input2));
        storeOut(out, p++, castB(v));
      }
    }
    return out;
  };
  return choosePath(layer, bits, opts.path) ? run(BIG) : run(NUM);
}

/** Config of `nnet::dot1d` (hls4ml `dot_config`; io_parallel only — there is no stream kernel). */
export interface DotConfig {
  name?: string;
  n_in: number;
  /** Always 1 (checked when given). */
  n_out?: number;
  /**
   * `nnet::product::` class: `'mult'` (default), `'weight_ternary'` (hls4ml's choice when input2 is
   * `int<2>`) or `'weight_binary'` (input2 the binary `ap_uint<1>` type).
   */
  product?: 'mult' | 'weight_ternary' | 'weight_binary' | string;
  io_type?: string;
  types: { input1: FixedType; input2: FixedType; accum: FixedType; result: FixedType };
}

/**
 * `nnet::dot1d`: `acc = 0; acc = (accum)(acc + (accum)(x1[i]·x2[i]))` for i = 0 … n_in−1, then
 * `(result)acc`. With `product: 'weight_ternary'` the product is 0 (x2 = 0), −x1 (x2 = −1) or x1;
 * with `'weight_binary'` −x1 (x2 = 0) or x1.
 *
 * @example dot1d({ n_in: 2, types: { input1: t, input2: t, accum: t, result: t } }, [1024, 2048], [1024, 1024]); // [3072]
 */
export function dot1d(cfg: DotConfig, x1: RawInput, x2: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'dot1d');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  const n = intField(layer, 'n_in', cfg.n_in);
  if (cfg.n_out !== undefined && cfg.n_out !== 1) throw new ConfigError(`${layer}.n_out`, `nnet::dot1d writes one value (n_out = 1), got ${JSON.stringify(cfg.n_out)}`);
  if (cfg.io_type !== undefined && cfg.io_type !== 'io_parallel') {
    throw new UnsupportedError(`${layer}.io_type`, `nnet::dot1d has no ${JSON.stringify(cfg.io_type)} kernel (io_parallel only)`);
  }
  const product = cfg.product ?? 'mult';
  if (product !== 'mult' && product !== 'weight_ternary' && product !== 'weight_binary') {
    throw new UnsupportedError(`${layer}.product`, `product '${String(product)}' is not supported (mult, weight_ternary, weight_binary)`);
  }
  const tt = cfg.types as unknown as Record<string, FixedType>;
  const t1 = typeField(layer, tt, 'input1');
  const t2 = typeField(layer, tt, 'input2');
  const tacc = typeField(layer, tt, 'accum');
  const tres = typeField(layer, tt, 'result');
  if (product !== 'mult' && frac(t2) !== 0) {
    throw new UnsupportedError(`${layer}.product`, `${product} needs an integer input2 type (hls4ml uses it for int<2> / ap_uint<1>), got W=${t2.W} I=${t2.I}`);
  }
  const fp = product === 'mult' ? frac(t1) + frac(t2) : frac(t1);
  const bits = Math.max(product === 'mult' ? t1.W + t2.W + 1 : t1.W + 2, tacc.W + 2, tres.W);
  const go = <T extends number | bigint>(A: Arith<T>): RawOutput => {
    const out = allocOut(layer, 1, tres, opts.out);
    const a = readRaw(A, layer, 'input1', x1, t1, n);
    const b = readRaw(A, layer, 'input2', x2, t2, n);
    const st = opts.stats;
    const castP = A.caster(fp, tacc, st?.accum);
    const castS = A.caster(frac(tacc), tacc, st?.accum);
    const castR = typedCaster(A, tacc, tres, st?.result);
    const minusOne = A.of(-1);
    let acc = A.zero;
    for (let i = 0; i < n; i++) {
      let p: T;
      if (product === 'mult') p = A.mul(a[i]!, b[i]!);
      else if (product === 'weight_binary') p = b[i]! === A.zero ? A.sub(A.zero, a[i]!) : a[i]!;
      else p = b[i]! === A.zero ? A.zero : b[i]! === minusOne ? A.sub(A.zero, a[i]!) : a[i]!;
      acc = castS(A.add(acc, castP(p)));
    }
    if (st) notePreResult(st, acc, frac(tacc));
    storeOut(out, 0, castR(acc));
    return out;
  };
  return choosePath(layer, bits, opts.path) ? go(BIG) : go(NUM);
}
