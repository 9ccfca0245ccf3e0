/**
 * Fast element-wise kernels — BatchNormalization, linear, ReLU, sigmoid, tanh, ZeroPadding1D/2D —
 * with the reference kernels' exact cast sequence and overflow report, but with everything that
 * does not depend on the input done once at prepare time (scale/bias alignment, lookup tables,
 * converters, index maps) and plain typed-array loops at run time.
 *
 * Each `prepareFast*` first runs the reference kernel once on an all-zero input, so an invalid
 * config throws exactly the reference's error; inputs the reference would reject (non-integers,
 * out of range, bigints) are handed to the reference at run time.
 */
import { frac, sameType, type FixedType } from '../../fixed/types.js';
import { makeCaster } from '../../fixed/quantize.js';
import { EXACT_BITS, type KernelOptions, type KernelStats, type RawInput, type RawOutput } from '../common.js';
import { linear, relu, sigmoid, tanh, truncScaledIndex, type ActivationConfig } from '../activations.js';
import { batchnorm, type BatchNormConfig } from '../batchnorm.js';
import { sigmoidTable, tanhTable } from '../tables.js';
import { zeropad1d, zeropad2d, type ZeroPad1DConfig, type ZeroPad2DConfig } from '../zeropad.js';
import { rawRange } from './analysis.js';
import { OutputBuffer, validRaw, wantsBig, type FastOptions, type FastPrepared, type RunKernel } from './common.js';
import { ElemEngine } from './simd-elem.js';
import { WideElemEngine } from './wide-elem.js';
import { loadWide, wideResult } from './common.js';

/**
 * Run an element-wise engine on xs; its output view (reuse) or a copy in `out`. With a report
 * (`opts.stats`), the result conversions are counted and the largest |pre-conversion value| noted
 * (`fromFrac` fractional bits) as the reference does element by element.
 */
function runEngine(e: ElemEngine, xs: ArrayLike<number>, outBuf: OutputBuffer, opts: KernelOptions, reuse: boolean, fromFrac = 0, to?: FixedType): Float64Array {
  if (xs instanceof Float64Array) e.x.set(xs);
  else for (let i = 0; i < e.x.length; i++) e.x[i] = xs[i]!;
  const st = opts.stats;
  if (st) {
    const r = e.runStats();
    if (to!.O === 'AP_WRAP' || to!.O === 'AP_WRAP_SM') st.result.wrapped += r.events;
    else st.result.saturated += r.events;
    st.resultCount += e.x.length;
    const m = r.maxAbs * 2 ** -fromFrac;
    if (m > st.maxAbsPreResult) st.maxAbsPreResult = m;
  } else e.run();
  if (reuse && !opts.out) return e.out;
  const out = outBuf.get(opts);
  out.set(e.out);
  return out;
}

type Cast = (raw: number) => number;

/** A converter `from` → `to` as the reference's typedCaster (same type = copy). */
function typed(from: FixedType, to: FixedType, st?: KernelStats['result']): Cast {
  return sameType(from, to) ? (r) => r : makeCaster(frac(from), to, st);
}

function wide(...ts: FixedType[]): boolean {
  return ts.some((t) => t.W > EXACT_BITS);
}

/**
 * Fast `nnet::normalize` (BatchNormalization); same arguments as the reference `batchnorm`.
 *
 * @example
 * const k = prepareFastBatchnorm(cfg, scale, bias).kernel;
 * const y = k ? k.run(x, { stats }) : batchnorm(cfg, x, scale, bias, { stats });
 */
export function prepareFastBatchnorm(cfg: BatchNormConfig, scale: RawInput, bias: RawInput, options: FastOptions = {}): FastPrepared<RunKernel> {
  const nIn = cfg.n_in;
  batchnorm(cfg, new Float64Array(nIn), scale, bias); // validates exactly like the reference
  const ref = (x: RawInput, o?: KernelOptions) => batchnorm(cfg, x, scale, bias, o);
  if (cfg.product !== undefined && cfg.product !== 'mult') return { kernel: null, reason: `product ${cfg.product}` };
  const t = cfg.types;
  const fp = frac(t.input) + frac(t.scale);
  const fb = frac(t.bias);
  const F = Math.max(fp, fb);
  const bits = Math.max(t.input.W + t.scale.W + (F - fp), t.bias.W + (F - fb)) + 2;
  const nFilt = cfg.n_filt === undefined || cfg.n_filt === -1 ? -1 : cfg.n_filt;
  const stream = cfg.io_type === 'io_stream';
  const pack = stream ? (cfg.stream_pack_size ?? (nFilt === -1 ? nIn : nFilt)) : nIn;
  const chan = (i: number) => (nFilt === -1 ? i : stream ? (i % pack) % nFilt : i % nFilt);
  if (bits > EXACT_BITS || wide(t.result) || !isNums(scale) || !isNums(bias)) {
    // Wide: 128-bit products and sums in WebAssembly integer arithmetic.
    const S = Array.from({ length: nIn }, (_, i) => BigInt(scale[chan(i)]!));
    const B = Array.from({ length: nIn }, (_, i) => BigInt(bias[chan(i)]!) << BigInt(F - fb));
    const e = WideElemEngine.create({ n: nIn, relu: false, affine: { S, k: F - fp, B }, input: t.input, fromFrac: F, bits, to: t.result });
    if (!e) return { kernel: null, reason: 'BigInt path' };
    return { kernel: wideKernel(e, ref, t.input, F, t.result, cfg.name ?? 'batchnorm', nIn, options.reuseOutput === true) };
  }
  // Per element: scale and bias aligned to F fractional bits (exact: powers of two).
  const sK = new Float64Array(nIn);
  const bK = new Float64Array(nIn);
  for (let i = 0; i < nIn; i++) {
    const k = nFilt === -1 ? i : stream ? (i % pack) % nFilt : i % nFilt;
    sK[i] = scale[k]! * 2 ** (F - fp);
    bK[i] = bias[k]! * 2 ** (F - fb);
  }
  const [lo, hi] = rawRange(t.input);
  const castPlain = makeCaster(F, t.result);
  const scaleF = 2 ** -F;
  const reuse = options.reuseOutput === true;
  const outBuf = new OutputBuffer(cfg.name ?? 'batchnorm', nIn, t.result, reuse);
  const simd = ElemEngine.create({ n: nIn, relu: false, affine: { S: sK, B: bK }, fromFrac: F, fromType: null, to: t.result });
  const core = (xs: ArrayLike<number>, opts: KernelOptions): RawOutput => {
        const st = opts.stats;
        if (simd) return runEngine(simd, xs, outBuf, opts, reuse, F, t.result);
        const out = outBuf.get(opts);
        if (!st) {
          for (let i = 0; i < nIn; i++) out[i] = castPlain(xs[i]! * sK[i]! + bK[i]!) + 0;
          return out;
        }
        const cast = makeCaster(F, t.result, st.result);
        let m = 0;
        for (let i = 0; i < nIn; i++) {
          const v = xs[i]! * sK[i]! + bK[i]!;
          const a = v < 0 ? -v : v;
          if (a > m) m = a;
          out[i] = cast(v) + 0;
        }
        st.resultCount += nIn;
        if (m * scaleF > st.maxAbsPreResult) st.maxAbsPreResult = m * scaleF;
        return out;
  };
  return { kernel: withValidation(core, ref, nIn, lo, hi) };
}

/** A kernel from its core loop: `run` validates (handing bad inputs to the reference), `runTrusted` does not. */
function withValidation(core: (xs: ArrayLike<number>, opts: KernelOptions) => RawOutput, ref: (x: RawInput, o?: KernelOptions) => RawOutput, n: number, lo: number, hi: number): RunKernel {
  return {
    run(x: RawInput, opts: KernelOptions = {}): RawOutput {
      const xs = wantsBig(opts) ? null : validRaw(x, n, lo, hi);
      return xs ? core(xs, opts) : ref(x, opts);
    },
    runTrusted(x: Float64Array, opts: KernelOptions = {}): RawOutput {
      return wantsBig(opts) || x.length !== n ? ref(x, opts) : core(x, opts);
    },
  };
}

/** A kernel on a wide element-wise engine: inputs of any width, the reference's report. */
function wideKernel(e: WideElemEngine, ref: (x: RawInput, o?: KernelOptions) => RawOutput, tin: FixedType, fromFrac: number, tres: FixedType, name: string, n: number, reuse: boolean): RunKernel {
  const outBuf = new OutputBuffer(name, n, tres, reuse);
  const event = tres.O === 'AP_WRAP' || tres.O === 'AP_WRAP_SM' ? 'wrapped' : 'saturated';
  const core = (x: RawInput, opts: KernelOptions, check: boolean): RawOutput => {
    if (wantsBig(opts) || !loadWide(e, x, tin, check)) return ref(x, opts);
    const st = opts.stats;
    const r = e.run(x instanceof Float64Array && tin.W <= 53, !!st);
    if (st) {
      st.result[event] += r.events;
      st.resultCount += n;
      const m = Number(r.maxAbs) * 2 ** -fromFrac;
      if (m > st.maxAbsPreResult) st.maxAbsPreResult = m;
    }
    return wideResult(e, outBuf, opts, reuse, name, tres);
  };
  return { run: (x, opts = {}) => core(x, opts, true), runTrusted: (x, opts = {}) => core(x, opts, false) };
}

function isNums(a: RawInput): a is ArrayLike<number> {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return false;
  return true;
}

/** The reference element-wise function a fast activation replaces. */
type RefAct = (cfg: ActivationConfig, x: RawInput, opts?: KernelOptions) => RawOutput;

/**
 * Fast `nnet::linear`, `nnet::relu`, `nnet::sigmoid`, `nnet::tanh` (same config as the reference
 * functions).
 *
 * @example const k = prepareFastActivation('relu', cfg).kernel ?? { run: (x, o) => relu(cfg, x, o) };
 */
export function prepareFastActivation(kind: 'linear' | 'relu' | 'sigmoid' | 'tanh', cfg: ActivationConfig, options: FastOptions = {}): FastPrepared<RunKernel> {
  const refFn: RefAct = kind === 'linear' ? linear : kind === 'relu' ? relu : kind === 'sigmoid' ? sigmoid : tanh;
  const n = cfg.n_in;
  refFn(cfg, new Float64Array(n)); // validates exactly like the reference
  const ref = (x: RawInput, o?: KernelOptions) => refFn(cfg, x, o);
  const tin = cfg.types.input;
  const tres = cfg.types.result;
  const [lo, hi] = rawRange(tin);
  const outBuf = new OutputBuffer(cfg.name ?? kind, n, tres, options.reuseOutput === true);
  if (kind === 'linear' || kind === 'relu') {
    if (Math.max(tin.W + 1, tres.W) > EXACT_BITS) {
      const e = WideElemEngine.create({ n, relu: kind === 'relu', affine: null, input: tin, fromFrac: frac(tin), bits: tin.W, to: tres });
      if (!e) return { kernel: null, reason: 'BigInt path' };
      return { kernel: wideKernel(e, ref, tin, frac(tin), tres, cfg.name ?? kind, n, options.reuseOutput === true) };
    }
    const copy = sameType(tin, tres);
    const castPlain = typed(tin, tres);
    const fx = 2 ** -frac(tin);
    const isRelu = kind === 'relu';
    const reuse = options.reuseOutput === true;
    const simd = copy && !isRelu ? null : ElemEngine.create({ n, relu: isRelu, affine: null, fromFrac: frac(tin), fromType: tin, to: tres });
    const core = (xs: ArrayLike<number>, opts: KernelOptions): RawOutput => {
          const st = opts.stats;
          if (simd) return runEngine(simd, xs, outBuf, opts, reuse, frac(tin), tres);
          const out = outBuf.get(opts);
          if (!st) {
            if (isRelu) {
              // Math.max(x, 0): branch-free (x > 0 ? x : 0 mispredicts on real activations); −0 → 0.
              if (copy) for (let i = 0; i < n; i++) out[i] = Math.max(xs[i]!, 0);
              else for (let i = 0; i < n; i++) out[i] = xs[i]! > 0 ? castPlain(xs[i]!) + 0 : 0;
            } else if (copy) for (let i = 0; i < n; i++) out[i] = xs[i]! + 0;
            else for (let i = 0; i < n; i++) out[i] = castPlain(xs[i]!) + 0;
            return out;
          }
          const cast = typed(tin, tres, st.result);
          let m = 0;
          for (let i = 0; i < n; i++) {
            const v = xs[i]!;
            if (isRelu && !(v > 0)) {
              out[i] = 0;
              continue;
            }
            const a = v < 0 ? -v : v;
            if (a > m) m = a;
            out[i] = cast(v) + 0;
          }
          st.resultCount += n;
          if (m * fx > st.maxAbsPreResult) st.maxAbsPreResult = m * fx;
          return out;
    };
    return { kernel: withValidation(core, ref, n, lo, hi) };
  }
  // sigmoid / tanh: table built once; index = clamp(int(x·N/R) + N/2).
  const tt = cfg.types.table!;
  if (Math.max(tt.W + 1, tres.W) > EXACT_BITS || tin.W > 32) return { kernel: null, reason: 'BigInt path' };
  const table = (kind === 'sigmoid' ? sigmoidTable : tanhTable)({ name: kind, table_size: cfg.table_size, types: { table: tt } }) as Float64Array;
  const N = table.length;
  const R = kind === 'sigmoid' ? 16 : 8;
  const halfIdx = Math.floor(((R / 2) * N) / R);
  const fx = frac(tin);
  const ft = 2 ** -frac(tt);
  const castPlain = typed(tt, tres);
  const index = (v: number): number => {
    let k = (truncScaledIndex(v, fx, N, R) + halfIdx) | 0;
    if (k < 0) k = 0;
    if (k > N - 1) k = N - 1;
    return k;
  };
  const core = (xs: ArrayLike<number>, opts: KernelOptions): RawOutput => {
        const out = outBuf.get(opts);
        const st = opts.stats;
        const cast = st ? typed(tt, tres, st.result) : castPlain;
        let m = 0;
        for (let i = 0; i < n; i++) {
          const v = table[index(xs[i]!)]!;
          const a = v < 0 ? -v : v;
          if (a > m) m = a;
          out[i] = cast(v) + 0;
        }
        if (st) {
          st.resultCount += n;
          if (m * ft > st.maxAbsPreResult) st.maxAbsPreResult = m * ft;
        }
        return out;
  };
  return { kernel: withValidation(core, ref, n, lo, hi) };
}

/**
 * Fast `nnet::zeropad{1,2}d_cl` / `_cf` (same config as the reference functions).
 *
 * @example const k = prepareFastZeropad(cfg, false).kernel;
 */
export function prepareFastZeropad(cfg: ZeroPad2DConfig | ZeroPad1DConfig, oneD: boolean, options: FastOptions = {}): FastPrepared<RunKernel> {
  const c2 = cfg as ZeroPad2DConfig;
  const H = oneD ? 1 : c2.in_height;
  const W = cfg.in_width;
  const C = cfg.n_chan;
  const nIn = H * W * C;
  const refFn = (x: RawInput, o?: KernelOptions) => (oneD ? zeropad1d(cfg as ZeroPad1DConfig, x, o) : zeropad2d(c2, x, o));
  refFn(new Float64Array(nIn)); // validates
  const pt = oneD ? 0 : (c2.pad_top ?? 0);
  const pl = cfg.pad_left ?? 0;
  const OW = W + pl + (cfg.pad_right ?? 0);
  const OH = oneD ? 1 : H + pt + (c2.pad_bottom ?? 0);
  const cf = cfg.data_format === 'channels_first'; // (C, H, W) layout; validated by the reference call above
  const t = cfg.types;
  if (Math.max(t.input.W + 1, t.result.W) > EXACT_BITS) return { kernel: null, reason: 'BigInt path' };
  const [lo, hi] = rawRange(t.input);
  const castPlain = typed(t.input, t.result);
  const fx = 2 ** -frac(t.input);
  const outBuf = new OutputBuffer(cfg.name ?? 'zeropad', OH * OW * C, t.result, options.reuseOutput === true);
  const core = (xs: ArrayLike<number>, opts: KernelOptions): RawOutput => {
        const out = outBuf.get(opts);
        out.fill(0);
        const st = opts.stats;
        const cast = st ? typed(t.input, t.result, st.result) : castPlain;
        let m = 0;
        for (let h = 0; h < H; h++) {
          for (let w = 0; w < W; w++) {
            const src = cf ? h * W + w : (h * W + w) * C;
            const dst = cf ? (h + pt) * OW + (w + pl) : ((h + pt) * OW + (w + pl)) * C;
            for (let c = 0; c < C; c++) {
              const v = xs[cf ? src + c * H * W : src + c]!;
              const a = v < 0 ? -v : v;
              if (a > m) m = a;
              out[cf ? dst + c * OH * OW : dst + c] = cast(v) + 0;
            }
          }
        }
        if (st) {
          st.resultCount += nIn;
          if (m * fx > st.maxAbsPreResult) st.maxAbsPreResult = m * fx;
        }
        return out;
  };
  return { kernel: withValidation(core, refFn, nIn, lo, hi) };
}
