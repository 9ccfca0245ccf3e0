/**
 * Dense (fully connected) kernel, `nnet::dense` with the Latency and Resource strategies
 * (`nnet_dense_latency.h`, `nnet_dense_resource.h`). Also the per-pixel matrix-vector core of
 * the convolutions.
 *
 * Cast sequence, per output j: `acc = (accum_t) bias[j]`; for each product in the strategy's
 * order `acc = (accum_t)(acc + (accum_t)(x[i] · w))`; `res[j] = (result_t) acc`.
 * Latency visits i = 0 … n_in−1; Resource visits `w_index = ir + k·rf` (ir outer, k inner) exactly
 * as the three `dense_resource_*` C++ variants do. Zero weights (pruned) and zero inputs are
 * skipped: their product casts to 0 and `acc + 0` is `acc`, so skipping is exact — except with an
 * AP_SAT_SYM accum_t, where a bias copied in as −2^(W−1) becomes −max at the first addition, so
 * nothing is skipped there.
 */
import { ConfigError, UnsupportedError } from '../errors.js';
import { fixedType, frac, type FixedType } from '../fixed/index.js';
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
  type Cast,
  type KernelOptions,
  type KernelStats,
  type RawInput,
  type RawOutput,
} from './common.js';
import { validReuseFactor } from './reuse-factor.js';

/** The five types of a dense (or convolution) layer. */
export interface DenseTypes {
  input: FixedType;
  weight: FixedType;
  bias: FixedType;
  accum: FixedType;
  result: FixedType;
}

/**
 * hls4ml's multiplication flavours (`nnet::product::*`, chosen by `product_type(input, weight)`
 * from the precision classes): `mult` (a·w at full precision), `weight_ternary` (int<2> weights:
 * 0 → 0, −1 → −a, else a), `weight_binary` (Xnor weights: 0 → −a, else a), `data_binary` (Xnor
 * input: 0 → −w, else w), `both_binary` (Xnor both: a == w, and the result is `2·acc − n_in`),
 * `weight_exponential` (power-of-two weights {sign, exponent}: a shifted by the exponent in
 * `ap_fixed<2(We+Wx), We+Wx>`, negated when sign == 0).
 */
export type ProductKind = 'mult' | 'weight_ternary' | 'weight_binary' | 'data_binary' | 'both_binary' | 'weight_exponential';

/** Every {@link ProductKind}. */
export const PRODUCT_KINDS: readonly ProductKind[] = ['mult', 'weight_ternary', 'weight_binary', 'data_binary', 'both_binary', 'weight_exponential'];

/** hls4ml's `ceillog2` (nnet_helpers.h): 1 for x ≤ 2, else 1 + ceillog2(⌊(x+1)/2⌋). */
export function ceillog2(x: number): number {
  return x <= 2 ? 1 : 1 + ceillog2(Math.floor((x + 1) / 2));
}

/** The product kinds whose zero weight raw still contributes (Xnor −1, 2^0), so zeros are not skipped. */
const DENSE_WEIGHTS_NEVER_ZERO: readonly ProductKind[] = ['weight_binary', 'data_binary', 'both_binary', 'weight_exponential'];

/** Signed wrap of an integer-valued number to W bits. */
function wrapNum(v: number, W: number): number {
  const m = 2 ** W;
  let r = v % m;
  if (r < 0) r += m;
  return r >= m / 2 ? r - m : r;
}

/**
 * `nnet::product::weight_exponential` on raw mantissas: x (frac `fx`) converted to
 * `r_T = ap_fixed<Wr, Wr/2>` (TRN, WRAP), shifted by the exponent (`<<` with a negative count is an
 * arithmetic right shift: floor), negated (with wrap) when the sign bit is 0. The result has frac Wr/2.
 *
 * @example expProduct(6, -2, 1, 2, 24) // x = 1.5 (raw 6, F = 2) · 2^-2 = 0.375 → raw 0.375·2^12 = 1536
 */
export function expProduct(x: number, e: number, sign: number, fx: number, Wr: number): number {
  const Fr = Wr / 2;
  let m = Fr >= fx ? x * 2 ** (Fr - fx) : Math.floor(x / 2 ** (fx - Fr));
  m = wrapNum(m, Wr);
  if (e >= 0) m = e >= Wr ? 0 : wrapNum(wrapNum(m, Wr - e) * 2 ** e, Wr);
  else m = Math.floor(m / 2 ** -e);
  return sign === 0 ? wrapNum(-m, Wr) : m;
}

/** BigInt form of {@link expProduct}. */
export function expProductBig(x: bigint, e: number, sign: number, fx: number, Wr: number): bigint {
  const Fr = Wr / 2;
  const w = BigInt(Wr);
  let m = Fr >= fx ? x << BigInt(Fr - fx) : x >> BigInt(fx - Fr);
  m = BigInt.asIntN(Wr, m);
  if (e >= 0) m = e >= Wr ? 0n : BigInt.asIntN(Wr, m << BigInt(e));
  else m >>= BigInt(-e);
  void w;
  return sign === 0 ? BigInt.asIntN(Wr, -m) : m;
}

/** The width of `weight_exponential`'s r_T: 2·(exponent width + input width). */
export function expProductWidth(weight: FixedType, input: FixedType): number {
  return 2 * (weight.W + input.W);
}

/** Config of `nnet::dense` (field names as in hls4ml's `dense_config` struct). */
export interface DenseConfig {
  /** Layer name, used in error messages. */
  name?: string;
  n_in: number;
  n_out: number;
  /** `'latency'` (default) or `'resource'`. */
  strategy?: 'latency' | 'resource' | string;
  /** Effective reuse factor (only changes the accumulation order of the Resource strategy). Default 1. */
  reuse_factor?: number;
  /**
   * `nnet::product::` class: `'mult'` (default, `a*w` at full precision) or `'weight_ternary'`
   * (hls4ml picks it for `int<2>` weights: 0 → 0, −1 → −a, anything else → a); see {@link ProductKind}.
   * `weight_exponential`: `weights` are the exponents (raw of `types.weight` = `ap_int<We>`) and
   * `weight_sign` their sign bits (1 = +, 0 = −), in the same order.
   */
  product?: ProductKind | string;
  /** weight_exponential only: the sign bit of each weight (1 = positive, 0 = negative). */
  weight_sign?: ArrayLike<number>;
  types: DenseTypes;
}

/** Per-output ordered product lists (CSR by output). */
interface Plan<T> {
  start: Int32Array;
  inIdx: Int32Array;
  w: ArrayLike<T>;
}

/**
 * Accumulation order of the kernel, as triples (in_index, w_index, out_index) in the exact
 * sequence the C++ executes. Throws when the C++ would assert or read out of bounds.
  *
  * @example denseAccumulationOrder({ n_in: 4, n_out: 2, strategy: 'resource', reuse_factor: 2 }); // w_index 0,2,4,6,1,3,5,7
 */
export function denseAccumulationOrder(cfg: Pick<DenseConfig, 'name' | 'n_in' | 'n_out' | 'strategy' | 'reuse_factor'>): Int32Array {
  const layer = layerName(cfg, 'dense');
  const nIn = intField(layer, 'n_in', cfg.n_in);
  const nOut = intField(layer, 'n_out', cfg.n_out);
  const strategy = normStrategy(layer, cfg.strategy);
  const N = nIn * nOut;
  const seq = new Int32Array(3 * N);
  let p = 0;
  const push = (i: number, w: number, o: number) => {
    if (p >= seq.length || w < 0 || w >= N || o < 0 || o >= nOut || i < 0 || i >= nIn) {
      throw new ConfigError(`${layer}.reuse_factor`, `reuse_factor=${cfg.reuse_factor} makes nnet::dense_resource index out of bounds (weight ${w}, output ${o}); hls4ml would use ${validReuseFactor(nIn, nOut, cfg.reuse_factor ?? 1)}`);
    }
    seq[p++] = i;
    seq[p++] = w;
    seq[p++] = o;
  };
  if (strategy === 'latency') {
    for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) push(i, i * nOut + j, j);
    return seq;
  }
  const rf = intField(layer, 'reuse_factor', cfg.reuse_factor ?? 1);
  const assertFail = (why: string): never => {
    throw new ConfigError(`${layer}.reuse_factor`, `reuse_factor=${rf} is not allowed for n_in=${nIn}, n_out=${nOut} (${why}; the C++ asserts); hls4ml would use ${validReuseFactor(nIn, nOut, rf)}`);
  };
  const blockFactor = Math.ceil(N / rf);
  if (rf <= nIn) {
    // dense_resource_rf_leq_nin
    const multiplierLimit = Math.ceil(N / rf);
    const multscale = Math.floor(multiplierLimit / nOut);
    if (!(multiplierLimit % nOut === 0 || rf >= nIn)) assertFail('multiplier_limit % n_out != 0');
    for (let ir = 0; ir < rf; ir++) {
      let w = ir;
      let inI = ir;
      let out = 0;
      let step = 0;
      for (let im = 0; im < blockFactor; im++) {
        push(inI, w, out);
        w += rf;
        inI += rf;
        if (inI >= nIn) inI = ir;
        if (step + 1 >= multscale) {
          step = 0;
          out++;
        } else step++;
      }
    }
  } else if (rf % nIn === 0) {
    // dense_resource_rf_gt_nin_rem0
    const ru = Math.min(rf, N);
    if (!(ru > nIn && ru % nIn === 0)) assertFail('needs RF > n_in and RF % n_in == 0');
    const outscale = Math.floor(ru / nIn);
    const outidx = new Int32Array(ru);
    let outstep = 0;
    for (let ir = 0; ir < ru; ir++) {
      outidx[ir] = outstep;
      if ((ir + 1) % nIn === 0) outstep++;
    }
    let inI = 0;
    for (let ir = 0; ir < ru; ir++) {
      let w = ir;
      let out = outidx[ir]!;
      for (let im = 0; im < blockFactor; im++) {
        push(inI, w, out);
        w += ru;
        if (w >= N) break;
        out += outscale;
      }
      inI++;
      if (inI >= nIn) inI = 0;
    }
  } else {
    // dense_resource_rf_gt_nin: one product per output and ir, added via a zero-initialised mult[]
    for (let ir = 0; ir < rf; ir++) {
      for (let im = 0; im < blockFactor; im++) {
        const w = ir + rf * im;
        if (w >= N) continue;
        const out = Math.floor(w / nIn);
        if (out >= nOut) continue;
        push(w % nIn, w, out);
      }
    }
  }
  if (p !== seq.length) {
    throw new ConfigError(`${layer}.reuse_factor`, `reuse_factor=${rf} does not visit every weight exactly once; hls4ml would use ${validReuseFactor(nIn, nOut, rf)}`);
  }
  return seq;
}

function normStrategy(layer: string, s: unknown): 'latency' | 'resource' {
  if (s === undefined) return 'latency';
  const v = String(s).toLowerCase();
  if (v === 'latency' || v === 'resource') return v;
  throw new UnsupportedError(`${layer}.strategy`, `strategy '${String(s)}' is not supported (latency, resource)`);
}

function normProduct(layer: string, p: unknown): ProductKind {
  if (p === undefined) return 'mult';
  if ((PRODUCT_KINDS as readonly unknown[]).includes(p)) return p as ProductKind;
  throw new UnsupportedError(`${layer}.product`, `product '${String(p)}' is not supported (${PRODUCT_KINDS.join(', ')})`);
}

/** The fractional bits of one product (before its conversion to accum_t). */
export function productFrac(product: ProductKind, t: Pick<DenseTypes, 'input' | 'weight'>): number {
  switch (product) {
    case 'mult':
      return frac(t.input) + frac(t.weight);
    case 'weight_ternary':
    case 'weight_binary':
    case 'both_binary':
      return frac(t.input);
    case 'data_binary':
      return frac(t.weight);
    case 'weight_exponential':
      return expProductWidth(t.weight, t.input) / 2;
  }
}

/**
 * Widest intermediate (bits) of a dense computation with these types.
 *
 * @example denseBits(types); // e.g. 32 for ap_fixed<16,6> everywhere
 */
export function denseBits(t: DenseTypes, product: ProductKind = 'mult'): number {
  const prod = product === 'mult' ? t.input.W + t.weight.W : product === 'weight_exponential' ? expProductWidth(t.weight, t.input) + 1 : product === 'data_binary' ? t.weight.W + 2 : t.input.W + 2;
  return Math.max(prod, t.accum.W + 1, t.result.W, t.bias.W, t.input.W + 1, t.weight.W + 1);
}

/**
 * A dense layer with weights and biases decoded and the accumulation order precomputed;
 * `run` can be called for many inputs. Also used per pixel by the convolutions.
  *
  * @example const k = new DenseKernel(cfg, weights, bias); const y = k.run(x);
 */
export class DenseKernel {
  readonly name: string;
  readonly nIn: number;
  readonly nOut: number;
  readonly types: DenseTypes;
  readonly product: ProductKind;
  /** True when this kernel computes with bigints. */
  readonly big: boolean;
  private readonly plan: Plan<number> | Plan<bigint>;
  private readonly biasRaw: ArrayLike<number> | ArrayLike<bigint>;
  /**
   * AP_SAT_SYM accum: a bias copied into accum_t may hold −2^(W−1), which the next `acc + 0`
   * would turn into −max, so zero products are not skipped there.
   */
  private readonly keepZeros: boolean;
  /** Zero input mantissas add nothing (false for Xnor inputs, where 0 stands for −1). */
  private readonly skipZeroInputs: boolean;
  /** weight_exponential: the sign bits, in plan order. */
  private readonly signs?: Uint8Array;

  /**
   * @param weights the array passed to the C++ kernel: `i*n_out+j` (latency), `j*n_in+i` (resource, transposed by hls4ml)
   * @example
   * const k = new DenseKernel(cfg, weights, bias);
   * const y = k.run(x);
   */
  constructor(cfg: DenseConfig, weights: RawInput, bias: RawInput, path?: KernelOptions['path']) {
    const layer = layerName(cfg, 'dense');
    this.name = layer;
    if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
    this.nIn = intField(layer, 'n_in', cfg.n_in);
    this.nOut = intField(layer, 'n_out', cfg.n_out);
    const types = {
      input: typeField(layer, cfg.types as never, 'input'),
      weight: typeField(layer, cfg.types as never, 'weight'),
      bias: typeField(layer, cfg.types as never, 'bias'),
      accum: typeField(layer, cfg.types as never, 'accum'),
      result: typeField(layer, cfg.types as never, 'result'),
    };
    this.types = types;
    this.product = normProduct(layer, cfg.product);
    if (this.product === 'weight_ternary' && frac(types.weight) !== 0) {
      throw new UnsupportedError(`${layer}.product`, `weight_ternary needs an integer weight type (hls4ml uses it for int<2>), got W=${types.weight.W} I=${types.weight.I}`);
    }
    if (this.product === 'weight_exponential' && (frac(types.weight) !== 0 || !types.weight.signed)) {
      throw new UnsupportedError(`${layer}.product`, `weight_exponential needs the exponent type ap_int<W> as types.weight, got ${types.weight.signed ? '' : 'un'}signed W=${types.weight.W} I=${types.weight.I}`);
    }
    this.big = choosePath(layer, denseBits(types, this.product), path);
    checkLength(layer, 'weights', weights, this.nIn * this.nOut);
    checkLength(layer, 'bias', bias, this.nOut);
    const order = denseAccumulationOrder(cfg);
    this.keepZeros = types.accum.O === 'AP_SAT_SYM' && types.accum.signed;
    this.skipZeroInputs = !this.keepZeros && this.product !== 'data_binary' && this.product !== 'both_binary';
    const keepZeroWeights = this.keepZeros || DENSE_WEIGHTS_NEVER_ZERO.includes(this.product);
    if (this.big) {
      const w = readRaw(BIG, layer, 'weights', weights, types.weight, this.nIn * this.nOut);
      this.biasRaw = readRaw(BIG, layer, 'bias', bias, types.bias, this.nOut);
      this.plan = buildPlan(BIG, order, w, this.nOut, keepZeroWeights);
    } else {
      const w = readRaw(NUM, layer, 'weights', weights, types.weight, this.nIn * this.nOut);
      this.biasRaw = readRaw(NUM, layer, 'bias', bias, types.bias, this.nOut);
      this.plan = buildPlan(NUM, order, w, this.nOut, keepZeroWeights);
    }
    if (this.product === 'weight_exponential') {
      const sg = cfg.weight_sign;
      if (!sg) throw new ConfigError(`${layer}.weight_sign`, 'weight_exponential needs the sign bit of every weight');
      checkLength(layer, 'weight_sign', sg, this.nIn * this.nOut);
      // the plan keeps every weight (none is zero), in accumulation order
      const signs = new Uint8Array(order.length / 3);
      for (let k = 0, p = 0; k < order.length; k += 3) {
        const v = sg[order[k + 1]!]!;
        if (v !== 0 && v !== 1) throw new ConfigError(`${layer}.weight_sign[${order[k + 1]}]`, `sign bits are 0 or 1, got ${v}`);
        signs[p++] = v;
      }
      // buildPlan groups by output: reorder the signs the same way
      this.signs = groupByOutput(order, signs, this.nOut);
    }
  }

  /**
   * Run on one input vector (raw mantissas of `types.input`).
   *
   * @example const y = new DenseKernel(cfg, w, b).run(x, { stats });
   */
  run(x: RawInput, opts: KernelOptions = {}): RawOutput {
    checkPrepared(this.name, this.big, opts.path);
    const out = allocOut(this.name, this.nOut, this.types.result, opts.out);
    if (this.big) {
      const xs = readRaw(BIG, this.name, 'input', x, this.types.input, this.nIn);
      const c = this.casters(BIG, opts.stats);
      this.rowBig(xs, 0, out, 0, c, opts.stats);
    } else {
      const xs = readRaw(NUM, this.name, 'input', x, this.types.input, this.nIn) as Float64Array;
      const c = this.casters(NUM, opts.stats);
      this.rowNum(xs, 0, out, 0, c, opts.stats);
    }
    return out;
  }

  /** The four cast sites (product→accum, bias→accum, sum→accum, accum→result). @internal */
  casters<T extends number | bigint>(A: Arith<T>, stats?: KernelStats): DenseCasters<T> {
    const t = this.types;
    const prodFrac = productFrac(this.product, t);
    let res = typedCaster(A, t.accum, t.result, stats?.result);
    if (this.product === 'both_binary') {
      // nnet::cast for ap_uint<1> data and weights: (ap_int<ceillog2(n_in)+2>)(2·acc − n_in), then res_T
      // ap_int<B>(ap_fixed) truncates toward zero (C semantics) and keeps the low B bits.
      const B = ceillog2(this.nIn) + 2;
      const fa = frac(t.accum);
      const toRes = typedCaster(A, fixedType(true, B, B), t.result, stats?.result);
      const nIn = this.nIn;
      const toInt = (v: T): T =>
        A.big
          ? (BigInt.asIntN(B, fa >= 0 ? (v as bigint) / (1n << BigInt(fa)) : (v as bigint) << BigInt(-fa)) as T)
          : (wrapNum(Math.trunc((v as number) / 2 ** fa), B) as T);
      res = (acc: T) => toRes(toInt(A.sub(A.mul(acc, A.of(2)), A.shl(A.of(nIn), fa))));
    }
    return {
      prod: A.caster(prodFrac, t.accum, stats?.accum),
      bias: typedCaster(A, t.bias, t.accum, stats?.accum),
      acc: A.caster(frac(t.accum), t.accum, stats?.accum),
      res,
    };
  }

  /** One product's raw value (frac {@link productFrac}) for input raw `xi` and plan weight k. @internal */
  private prodNum(xi: number, wk: number, k: number): number {
    switch (this.product) {
      case 'mult':
        return xi * wk;
      case 'weight_ternary':
        return wk === 0 ? 0 : wk === -1 ? -xi : xi;
      case 'weight_binary':
        return wk === 0 ? -xi : xi;
      case 'data_binary':
        return xi === 0 ? -wk : wk;
      case 'both_binary':
        return xi === wk ? 1 : 0;
      case 'weight_exponential':
        return expProduct(xi, wk, this.signs![k]!, frac(this.types.input), expProductWidth(this.types.weight, this.types.input));
    }
  }

  /** BigInt form of {@link prodNum}. @internal */
  private prodBig(xi: bigint, wk: bigint, k: number): bigint {
    switch (this.product) {
      case 'mult':
        return xi * wk;
      case 'weight_ternary':
        return wk === 0n ? 0n : wk === -1n ? -xi : xi;
      case 'weight_binary':
        return wk === 0n ? -xi : xi;
      case 'data_binary':
        return xi === 0n ? -wk : wk;
      case 'both_binary':
        return xi === wk ? 1n : 0n;
      case 'weight_exponential':
        return expProductBig(xi, Number(wk), this.signs![k]!, frac(this.types.input), expProductWidth(this.types.weight, this.types.input));
    }
  }

  /**
   * Number back end: one matrix-vector product from `x[xOff …]` into `out[outOff …]`. @internal
   */
  rowNum(x: ArrayLike<number>, xOff: number, out: RawOutput, outOff: number, c: DenseCasters<number>, stats?: KernelStats): void {
    const { start, inIdx } = this.plan as Plan<number>;
    const w = (this.plan as Plan<number>).w as Float64Array;
    const bias = this.biasRaw as Float64Array;
    const plain = this.product === 'mult';
    const fa = frac(this.types.accum);
    const castP = c.prod;
    const castA = c.acc;
    const resIsNum = out instanceof Float64Array;
    const acc_t = this.types.accum;
    if (plain && acc_t.Q === 'AP_TRN' && resIsNum) {
      // Fast path (same results): AP_TRN product conversion is floor(p · 2^−shift); values that land
      // outside accum_t's plain range (or on −2^(W−1) for AP_SAT_SYM) take the general caster, which
      // also counts the overflow.
      const shift = frac(this.types.input) + frac(this.types.weight) - fa;
      const scale = 2 ** -shift;
      const lo = acc_t.signed ? -(2 ** (acc_t.W - 1)) + (acc_t.O === 'AP_SAT_SYM' ? 1 : 0) : 0;
      const hi = acc_t.signed ? 2 ** (acc_t.W - 1) - 1 : 2 ** acc_t.W - 1;
      const o = out as Float64Array;
      const nOut = this.nOut;
      for (let j = 0; j < nOut; j++) {
        let acc = c.bias(bias[j]!);
        const e = start[j + 1]!;
        for (let k = start[j]!; k < e; k++) {
          const p = x[xOff + inIdx[k]!]! * w[k]!;
          let m = shift > 0 ? Math.floor(p * scale) : p * scale;
          if (m < lo || m > hi) m = castP(p);
          acc += m;
          if (acc < lo || acc > hi) acc = castA(acc);
        }
        if (stats) notePreResult(stats, acc, fa);
        o[outOff + j] = c.res(acc) + 0; // + 0: never −0
      }
      return;
    }
    for (let j = 0; j < this.nOut; j++) {
      let acc = c.bias(bias[j]!);
      const e = start[j + 1]!;
      for (let k = start[j]!; k < e; k++) {
        const xi = x[xOff + inIdx[k]!]!;
        if (xi === 0 && this.skipZeroInputs) continue;
        const p = plain ? xi * w[k]! : this.prodNum(xi, w[k]!, k);
        acc = castA(acc + castP(p));
      }
      if (stats) notePreResult(stats, acc, fa);
      const r = c.res(acc);
      if (resIsNum) (out as Float64Array)[outOff + j] = r + 0; // + 0: never −0
      else storeOut(out, outOff + j, r);
    }
  }

  /** BigInt back end of {@link rowNum}. @internal */
  rowBig(x: ArrayLike<bigint>, xOff: number, out: RawOutput, outOff: number, c: DenseCasters<bigint>, stats?: KernelStats): void {
    const { start, inIdx, w } = this.plan as Plan<bigint>;
    const bias = this.biasRaw as ArrayLike<bigint>;
    const fa = frac(this.types.accum);
    for (let j = 0; j < this.nOut; j++) {
      let acc = c.bias(bias[j]!);
      const e = start[j + 1]!;
      for (let k = start[j]!; k < e; k++) {
        const xi = x[xOff + inIdx[k]!]!;
        if (xi === 0n && this.skipZeroInputs) continue;
        const p = this.prodBig(xi, w[k]!, k);
        acc = c.acc(acc + c.prod(p));
      }
      if (stats) notePreResult(stats, acc, fa);
      storeOut(out, outOff + j, c.res(acc));
    }
  }
}

/**
 * A prepared kernel's back end is fixed when it is built; a conflicting `opts.path` at run time is an error.
 *
 * @example checkPrepared('dense1', false, 'bigint'); // throws ConfigError('dense1.path')
 */
export function checkPrepared(layer: string, big: boolean, path: KernelOptions['path']): void {
  if ((path === 'bigint' && !big) || (path === 'number' && big)) {
    throw new ConfigError(`${layer}.path`, `this kernel was prepared for the ${big ? 'BigInt' : 'number'} path; pass path '${path}' when preparing it`);
  }
}

/** The cast functions a dense row uses. @internal */
export interface DenseCasters<T> {
  prod: Cast<T>;
  bias: Cast<T>;
  acc: Cast<T>;
  res: Cast<T>;
}

/** Values given per accumulation step, regrouped by output the way {@link buildPlan} groups the weights (all kept). */
function groupByOutput(order: Int32Array, v: Uint8Array, nOut: number): Uint8Array {
  const n = order.length / 3;
  const counts = new Int32Array(nOut + 1);
  for (let k = 0; k < n; k++) counts[order[3 * k + 2]! + 1]!++;
  for (let j = 0; j < nOut; j++) counts[j + 1]! += counts[j]!;
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[counts[order[3 * k + 2]!]!++] = v[k]!;
  return out;
}

function buildPlan<T extends number | bigint>(A: Arith<T>, order: Int32Array, w: ArrayLike<T>, nOut: number, keepZeros: boolean): Plan<T> {
  const n = order.length / 3;
  const counts = new Int32Array(nOut + 1);
  for (let k = 0; k < n; k++) {
    const wi = order[3 * k + 1]!;
    if (keepZeros || w[wi] !== A.zero) counts[order[3 * k + 2]! + 1]!++;
  }
  for (let j = 0; j < nOut; j++) counts[j + 1]! += counts[j]!;
  const start = counts.slice();
  const fill = counts.slice();
  const total = start[nOut]!;
  const inIdx = new Int32Array(total);
  const wv: T[] | Float64Array = A.big ? new Array<T>(total) : new Float64Array(total);
  for (let k = 0; k < n; k++) {
    const wi = order[3 * k + 1]!;
    const wk = w[wi]!;
    if (wk === A.zero && !keepZeros) continue;
    const o = order[3 * k + 2]!;
    const pos = fill[o]!++;
    inIdx[pos] = order[3 * k]!;
    (wv as T[])[pos] = wk;
  }
  return { start, inIdx, w: wv as ArrayLike<T> };
}

/**
 * `nnet::dense`: one input vector → one output vector (raw mantissas).
 *
 * @param weights the array the C++ kernel receives: latency `w[i*n_out+j]`, resource `w[j*n_in+i]`
 *   (use {@link transposeDenseWeights} to go from the Keras order)
 * @example
 * const t = parseFixedType('ap_fixed<16,6>');
 * const y = dense({ n_in: 2, n_out: 1, types: { input: t, weight: t, bias: t, accum: t, result: t } },
 *                 [1024, 2048], [512, 512], [0]); // 1.0*0.5 + 2.0*0.5 → Float64Array [1536]
 */
export function dense(cfg: DenseConfig, x: RawInput, weights: RawInput, bias: RawInput, opts: KernelOptions = {}): RawOutput {
  return new DenseKernel(cfg, weights, bias, opts.path).run(x, opts);
}

/**
 * Transpose a Keras-ordered kernel `w[i*n_out+j]` into the Resource-strategy order `w[j*n_in+i]`
 * (what hls4ml's ApplyResourceStrategy pass does), or back with `inverse`.
 *
 * @example transposeDenseWeights([1, 2, 3, 4, 5, 6], 2, 3); // [1, 4, 2, 5, 3, 6]
 */
export function transposeDenseWeights<T extends number | bigint>(w: ArrayLike<T>, nIn: number, nOut: number, inverse = false): T[] {
  checkLength('transposeDenseWeights', 'weights', w, nIn * nOut);
  const out = new Array<T>(nIn * nOut);
  for (let i = 0; i < nIn; i++) {
    for (let j = 0; j < nOut; j++) {
      if (inverse) out[i * nOut + j] = w[j * nIn + i]!;
      else out[j * nIn + i] = w[i * nOut + j]!;
    }
  }
  return out;
}
