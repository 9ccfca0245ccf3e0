/**
 * EinsumDense (`nnet::einsum_dense` of nnet_einsum_dense.h, io_parallel, latency dense core):
 * Keras EinsumDense with the batch letter removed from the equation.
 *
 * The equation `in,ker->out` is decomposed into letters that are contracted (in both operands, not
 * in the output; C values), in-place (in both operands and the output; I values), free in the input
 * (L0) and free in the kernel (L1). The input is transposed to (in-place, free-input, contracted)
 * order, then for every (l0, i) one dense product of length C → L1 runs, and the (I, L0, L1) result
 * is transposed to the output order. Per output element:
 *   `acc = (accum)bias; acc = (accum)(acc + (accum)(x·w))` over the contracted values in order; `(result)acc`.
 * The C arrays are the ones hls4ml's backend builds from the Keras kernel and bias
 * ({@link einsumWeightsFromKeras}, {@link einsumBiasFromKeras}).
 */
import { ConfigError, ShapeError, UnsupportedError } from '../errors.js';
import { frac } from '../fixed/index.js';
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
import { denseBits, type DenseTypes } from './dense.js';

/** How an einsum is executed (what hls4ml's `parse_einsum` derives). */
export interface EinsumRecipe {
  /** Input axes in (in-place, free-input, contracted) order. */
  inp_tpose_idxs: number[];
  /** Kernel axes in (in-place, free-kernel, contracted) order. */
  ker_tpose_idxs: number[];
  /** Transpose taking the (in-place, free-input, free-kernel) result to the output order. */
  out_tpose_idxs: number[];
  /** Shape of the (in-place, free-input, free-kernel) result. */
  out_interpert_shape: number[];
  out_shape: number[];
  n_free_data: number;
  n_free_kernel: number;
  n_contract: number;
  n_inplace: number;
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/**
 * Decompose `equation` (`'bc,cd->bd'`, no batch letter, no ellipsis) for an input of shape
 * `inpShape` and a kernel of shape `kernelShape`.
 *
 * @example einsumRecipe('bc,cd->bd', [5, 2], [2, 3]).n_contract; // 2
 */
export function einsumRecipe(equation: string, inpShape: readonly number[], kernelShape: readonly number[]): EinsumRecipe {
  const field = 'equation';
  if (typeof equation !== 'string') throw new ConfigError(field, `expected a string, got ${JSON.stringify(equation)}`);
  const m = /^\s*([A-Za-z]*)\s*,\s*([A-Za-z]*)\s*->\s*([A-Za-z]*)\s*$/.exec(equation);
  if (!m) {
    if (equation.includes('...')) throw new UnsupportedError(field, `broadcasting ('...') is not supported: ${equation}`);
    throw new ConfigError(field, `expected 'input,kernel->output' with letters only, got ${JSON.stringify(equation)}`);
  }
  const [a, k, o] = [m[1]!.split(''), m[2]!.split(''), m[3]!.split('')];
  for (const [s, what] of [
    [a, 'input'],
    [k, 'kernel'],
    [o, 'output'],
  ] as const) {
    if (new Set(s).size !== s.length) throw new ConfigError(field, `the ${what} subscripts repeat a letter: ${equation}`);
  }
  if (a.length !== inpShape.length) throw new ShapeError('inp_shape', `the equation gives the input ${a.length} axes, the shape has ${inpShape.length}`);
  if (k.length !== kernelShape.length) throw new ShapeError('kernel_shape', `the equation gives the kernel ${k.length} axes, the shape has ${kernelShape.length}`);
  for (const c of o) if (!a.includes(c) && !k.includes(c)) throw new ConfigError(field, `output letter '${c}' is in neither operand`);
  for (const c of [...a, ...k]) {
    if (!o.includes(c) && !(a.includes(c) && k.includes(c))) {
      throw new UnsupportedError(field, `letter '${c}' is summed within one operand (a direct sum; hls4ml rejects it)`);
    }
  }
  const byKernel = (x: string, y: string) => k.indexOf(x) - k.indexOf(y);
  const common = a.filter((c) => k.includes(c));
  for (const c of common) {
    if (inpShape[a.indexOf(c)] !== kernelShape[k.indexOf(c)]) {
      throw new ShapeError('kernel_shape', `letter '${c}' has size ${inpShape[a.indexOf(c)]} in the input and ${kernelShape[k.indexOf(c)]} in the kernel`);
    }
  }
  const contract = common.filter((c) => !o.includes(c)).sort(byKernel);
  const inplace = common.filter((c) => o.includes(c)).sort(byKernel);
  const free0 = a.filter((c) => o.includes(c) && !k.includes(c));
  const free1 = k.filter((c) => o.includes(c) && !a.includes(c));
  const inPos = (c: string) => a.indexOf(c);
  const kPos = (c: string) => k.indexOf(c);
  const inp_tpose_idxs = [...inplace, ...free0, ...contract].map(inPos);
  const ker_tpose_idxs = [...inplace, ...free1, ...contract].map(kPos);
  const interp = [...inplace, ...free0, ...free1];
  const size = (c: string) => (a.includes(c) ? inpShape[a.indexOf(c)]! : kernelShape[k.indexOf(c)]!);
  const outPos = interp.map((c) => o.indexOf(c));
  const out_tpose_idxs = outPos.map((_, j) => j).sort((x, y) => outPos[x]! - outPos[y]!);
  return {
    inp_tpose_idxs,
    ker_tpose_idxs,
    out_tpose_idxs,
    out_interpert_shape: interp.map(size),
    out_shape: o.map(size),
    n_free_data: prod(free0.map(size)),
    n_free_kernel: prod(free1.map(size)),
    n_contract: prod(contract.map(size)),
    n_inplace: prod(inplace.map(size)),
  };
}

/**
 * Row-major transpose: the result has shape `shape[perm[d]]` and
 * `out[j] = in[Σ_d j_d · stride(perm[d])]` (numpy `x.transpose(perm)`).
 *
 * @example transposeFlat([1, 2, 3, 4, 5, 6], [2, 3], [1, 0]); // [1, 4, 2, 5, 3, 6]
 */
export function transposeFlat<T>(x: ArrayLike<T>, shape: readonly number[], perm: readonly number[]): T[] {
  const r = shape.length;
  if (perm.length !== r || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) throw new ConfigError('perm', `${JSON.stringify(perm)} is not a permutation of ${r} axes`);
  const n = prod(shape);
  checkLength('transpose', 'input', x, n);
  const stride = new Array<number>(r).fill(1);
  for (let d = r - 2; d >= 0; d--) stride[d] = stride[d + 1]! * shape[d + 1]!;
  const oshape = perm.map((p) => shape[p]!);
  const ostride = perm.map((p) => stride[p]!);
  const out = new Array<T>(n);
  const idx = new Array<number>(r).fill(0);
  for (let j = 0; j < n; j++) {
    let src = 0;
    for (let d = 0; d < r; d++) src += idx[d]! * ostride[d]!;
    out[j] = x[src]!;
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d]! < oshape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * The weight C array hls4ml builds from the Keras kernel: transposed to (in-place, free-kernel,
 * contracted), reshaped (I, L1, C), stored as (I, C, L1) — the latency dense order per in-place index.
 *
 * @example einsumWeightsFromKeras(kernel, [2, 3], einsumRecipe('bc,cd->bd', [5, 2], [2, 3]));
 */
export function einsumWeightsFromKeras<T>(kernel: ArrayLike<T>, kernelShape: readonly number[], r: EinsumRecipe): T[] {
  const t = transposeFlat(kernel, kernelShape, r.ker_tpose_idxs);
  return transposeFlat(t, [r.n_inplace, r.n_free_kernel, r.n_contract], [0, 2, 1]);
}

/**
 * The bias C array: the Keras bias broadcast (numpy rules, right-aligned) to the output shape, in
 * the (in-place, free-input, free-kernel) order; zeros (of `zero`) without a bias.
 *
 * @example einsumBiasFromKeras([1, 2, 3], [3], einsumRecipe('bc,cd->bd', [5, 2], [2, 3]), 0);
 */
export function einsumBiasFromKeras<T>(bias: ArrayLike<T> | null | undefined, biasShape: readonly number[] | undefined, r: EinsumRecipe, zero: T): T[] {
  const outShape = r.out_shape;
  const n = prod(outShape);
  let full: T[];
  if (!bias) full = new Array<T>(n).fill(zero);
  else {
    const bs = biasShape ?? [bias.length];
    if (prod(bs) !== bias.length) throw new ShapeError('bias', `bias shape ${JSON.stringify(bs)} does not hold ${bias.length} values`);
    if (bs.length > outShape.length) throw new ShapeError('bias', `bias shape ${JSON.stringify(bs)} has more axes than the output ${JSON.stringify(outShape)}`);
    const off = outShape.length - bs.length;
    for (let d = 0; d < bs.length; d++) {
      if (bs[d] !== 1 && bs[d] !== outShape[off + d]) throw new ShapeError('bias', `bias shape ${JSON.stringify(bs)} does not broadcast to ${JSON.stringify(outShape)}`);
    }
    full = new Array<T>(n);
    const idx = new Array<number>(outShape.length).fill(0);
    for (let j = 0; j < n; j++) {
      let src = 0;
      for (let d = 0; d < bs.length; d++) src = src * bs[d]! + (bs[d] === 1 ? 0 : idx[off + d]!);
      full[j] = bias[src]!;
      for (let d = outShape.length - 1; d >= 0; d--) {
        if (++idx[d]! < outShape[d]!) break;
        idx[d] = 0;
      }
    }
  }
  const inv = r.out_tpose_idxs.map((_, j) => r.out_tpose_idxs.indexOf(j));
  return transposeFlat(full, outShape, inv);
}

/** Config of `nnet::einsum_dense` (hls4ml field names). */
export interface EinsumDenseConfig {
  name?: string;
  inp_shape: number[];
  out_shape: number[];
  n_free_data: number;
  n_free_kernel: number;
  n_contract: number;
  n_inplace: number;
  inp_tpose_idxs: number[];
  out_tpose_idxs: number[];
  out_interpert_shape: number[];
  /** Only io_parallel (hls4ml rejects io_stream). */
  io_type?: string;
  /** latency (resource runs the same DenseLatency core). */
  strategy?: string;
  parallelization_factor?: number;
  types: DenseTypes;
}

function intList(layer: string, field: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.some((e) => typeof e !== 'number' || !Number.isInteger(e) || e < 0)) {
    throw new ConfigError(`${layer}.${field}`, `expected a list of non-negative integers, got ${JSON.stringify(v)}`);
  }
  return v as number[];
}

/**
 * A prepared EinsumDense (weights and biases decoded).
 *
 * @example const k = prepareEinsumDense(cfg, weights, bias); const y = k.run(x);
 */
export class EinsumDenseKernel {
  readonly name: string;
  readonly types: DenseTypes;
  readonly big: boolean;
  private readonly L0: number;
  private readonly L1: number;
  private readonly C: number;
  private readonly I: number;
  private readonly inShape: number[];
  private readonly inPerm: number[];
  private readonly midShape: number[];
  private readonly outPerm: number[];
  private readonly w: ArrayLike<number> | ArrayLike<bigint>;
  private readonly b: ArrayLike<number> | ArrayLike<bigint>;

  /** @internal use {@link prepareEinsumDense}. */
  constructor(cfg: EinsumDenseConfig, weights: RawInput, bias: RawInput, path?: KernelOptions['path']) {
    const layer = layerName(cfg ?? {}, 'einsum_dense');
    if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
    this.name = layer;
    if (cfg.io_type !== undefined && cfg.io_type !== 'io_parallel') throw new UnsupportedError(`${layer}.io_type`, 'hls4ml supports EinsumDense with io_parallel only');
    const s = cfg.strategy === undefined ? 'latency' : String(cfg.strategy).toLowerCase();
    if (s !== 'latency' && s !== 'resource') throw new UnsupportedError(`${layer}.strategy`, `strategy '${String(cfg.strategy)}' is not supported (latency; resource runs the same latency core)`);
    this.L0 = intField(layer, 'n_free_data', cfg.n_free_data);
    this.L1 = intField(layer, 'n_free_kernel', cfg.n_free_kernel);
    this.C = intField(layer, 'n_contract', cfg.n_contract);
    this.I = intField(layer, 'n_inplace', cfg.n_inplace);
    this.inShape = intList(layer, 'inp_shape', cfg.inp_shape);
    this.inPerm = intList(layer, 'inp_tpose_idxs', cfg.inp_tpose_idxs);
    this.midShape = intList(layer, 'out_interpert_shape', cfg.out_interpert_shape);
    this.outPerm = intList(layer, 'out_tpose_idxs', cfg.out_tpose_idxs);
    const outShape = intList(layer, 'out_shape', cfg.out_shape);
    const nIn = this.L0 * this.C * this.I;
    const nOut = this.L0 * this.L1 * this.I;
    if (prod(this.inShape) !== nIn) throw new ShapeError(`${layer}.inp_shape`, `holds ${prod(this.inShape)} values, n_free_data·n_contract·n_inplace = ${nIn}`);
    if (prod(this.midShape) !== nOut) throw new ShapeError(`${layer}.out_interpert_shape`, `holds ${prod(this.midShape)} values, n_free_data·n_free_kernel·n_inplace = ${nOut}`);
    if (this.inPerm.length !== this.inShape.length) throw new ShapeError(`${layer}.inp_tpose_idxs`, `needs ${this.inShape.length} axes`);
    if (this.outPerm.length !== this.midShape.length) throw new ShapeError(`${layer}.out_tpose_idxs`, `needs ${this.midShape.length} axes`);
    const permOut = this.outPerm.map((p) => this.midShape[p]!);
    if (permOut.length !== outShape.length || permOut.some((v, d) => v !== outShape[d])) {
      throw new ShapeError(`${layer}.out_shape`, `out_interpert_shape transposed by out_tpose_idxs is ${JSON.stringify(permOut)}, not ${JSON.stringify(outShape)}`);
    }
    const tt = cfg.types as unknown as Record<string, never>;
    this.types = {
      input: typeField(layer, tt, 'input'),
      weight: typeField(layer, tt, 'weight'),
      bias: typeField(layer, tt, 'bias'),
      accum: typeField(layer, tt, 'accum'),
      result: typeField(layer, tt, 'result'),
    };
    this.big = choosePath(layer, denseBits(this.types), path);
    checkLength(layer, 'weights', weights, this.I * this.C * this.L1);
    checkLength(layer, 'bias', bias, nOut);
    if (this.big) {
      this.w = readRaw(BIG, layer, 'weights', weights, this.types.weight, this.I * this.C * this.L1);
      this.b = readRaw(BIG, layer, 'bias', bias, this.types.bias, nOut);
    } else {
      this.w = readRaw(NUM, layer, 'weights', weights, this.types.weight, this.I * this.C * this.L1);
      this.b = readRaw(NUM, layer, 'bias', bias, this.types.bias, nOut);
    }
  }

  /**
   * One input (inp_shape, row-major) → the output (out_shape, row-major).
   *
   * @example const y = prepareEinsumDense(cfg, w, b).run(x);
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
    const { L0, L1, C, I } = this;
    const xs = readRaw(A, this.name, 'input', x, t.input, L0 * C * I);
    const xt = transposeFlat(xs, this.inShape, this.inPerm);
    const w = this.w as ArrayLike<T>;
    const b = this.b as ArrayLike<T>;
    const castP = A.caster(frac(t.input) + frac(t.weight), t.accum, st?.accum);
    const castB = typedCaster(A, t.bias, t.accum, st?.accum);
    const castA = A.caster(frac(t.accum), t.accum, st?.accum);
    const castR = typedCaster(A, t.accum, t.result, st?.result);
    const fa = frac(t.accum);
    const mid: T[] = new Array<T>(L0 * L1 * I);
    for (let l0 = 0; l0 < L0; l0++) {
      for (let i = 0; i < I; i++) {
        const xo = (i * L0 + l0) * C;
        const wo = i * L1 * C;
        const bo = (i * L0 + l0) * L1;
        for (let j = 0; j < L1; j++) {
          let acc = castB(b[bo + j]!);
          for (let c = 0; c < C; c++) acc = castA(A.add(acc, castP(A.mul(xt[xo + c]!, w[wo + c * L1 + j]!))));
          if (st) notePreResult(st, acc, fa);
          mid[bo + j] = castR(acc);
        }
      }
    }
    const y = transposeFlat(mid, this.midShape, this.outPerm);
    const out = allocOut(this.name, y.length, t.result, opts.out);
    for (let k = 0; k < y.length; k++) storeOut(out, k, y[k]!);
    return out;
  }
}

/**
 * Prepare an EinsumDense from the C arrays (see {@link einsumWeightsFromKeras} / {@link einsumBiasFromKeras}).
 *
 * @example const y = prepareEinsumDense(cfg, weights, bias).run(x);
 */
export function prepareEinsumDense(cfg: EinsumDenseConfig, weights: RawInput, bias: RawInput, path?: KernelOptions['path']): EinsumDenseKernel {
  return new EinsumDenseKernel(cfg, weights, bias, path);
}

/**
 * `nnet::einsum_dense`: one input → the output.
 *
 * @example einsumDense(cfg, x, weights, bias);
 */
export function einsumDense(cfg: EinsumDenseConfig, x: RawInput, weights: RawInput, bias: RawInput, opts: KernelOptions = {}): RawOutput {
  return prepareEinsumDense(cfg, weights, bias, opts.path).run(x, opts);
}
