/**
 * Fast Max / Average pooling (1D / 2D, io_parallel and io_stream LineBuffer / Encoded): the
 * reference `PoolingKernel`'s window table and cast sequence, run as plain typed-array loops with
 * converters built once. The max of a window is order-independent; the Average sums keep the
 * reference's order (io_parallel: left to right, io_stream: hls4ml's balanced adder tree), so
 * values and overflow counts are identical.
 */
import { frac, sameType, type FixedType } from '../../fixed/types.js';
import { makeCaster } from '../../fixed/quantize.js';
import { allocOut, reduceTree, type KernelOptions, type KernelStats, type RawInput, type RawOutput } from '../common.js';
import { preparePooling1d, preparePooling2d, type PoolingKernel, type Pooling1DConfig, type Pooling2DConfig } from '../pooling.js';
import { rawRange } from './analysis.js';
import { validRaw, wantsBig, type FastPrepared, type RunKernel } from './common.js';

/** The reference kernel's (internal) window table. */
interface PoolWindows {
  nOut: number;
  kSize: number;
  taps: Int32Array;
  counts: Int32Array;
}

type Cast = (raw: number) => number;

function typed(from: FixedType, to: FixedType, st?: KernelStats['accum']): Cast {
  return sameType(from, to) ? (r) => r : makeCaster(frac(from), to, st);
}

/**
 * Fast pooling with the same config as `preparePooling2d` / `preparePooling1d`.
 *
 * @example const k = prepareFastPooling(cfg, false).kernel ?? preparePooling2d(cfg);
 */
export function prepareFastPooling(cfg: Pooling2DConfig | Pooling1DConfig, oneD: boolean): FastPrepared<RunKernel> {
  const ref: PoolingKernel = oneD ? preparePooling1d(cfg as Pooling1DConfig) : preparePooling2d(cfg as Pooling2DConfig);
  if (ref.isBig()) return { kernel: null, reason: 'BigInt path' };
  const win = (ref as unknown as { windows?: PoolWindows }).windows;
  if (!win || !(win.taps instanceof Int32Array) || !(win.counts instanceof Int32Array)) return { kernel: null, reason: 'no window table' };
  const C = ref.nFilt;
  const nPix = ref.outHeight * ref.outWidth;
  const nIn = (oneD ? (cfg as Pooling1DConfig).n_in : (cfg as Pooling2DConfig).in_height * (cfg as Pooling2DConfig).in_width) * C;
  const { kSize, taps, counts } = win;
  if (win.nOut < nPix || taps.length < nPix * kSize) return { kernel: null, reason: 'short window table' };
  if (!ref.stream && ref.op === 'Average') for (let o = 0; o < nPix; o++) if (counts[o] === 0) return { kernel: null, reason: 'empty window' };
  const t = cfg.types;
  const fx = frac(t.input);
  const fa = frac(t.accum);
  const Fs = Math.max(fa, fx);
  const shA = 2 ** (Fs - fa);
  const shX = 2 ** (Fs - fx);
  const padMax = t.input.signed ? -(2 ** (t.input.W - 1)) : 2 ** (t.input.W - 1);
  const [lo, hi] = rawRange(t.input);
  const faScale = 2 ** -fa;
  const stream = ref.stream;
  const isMax = ref.op === 'Max';
  const plainMax = isMax && sameType(t.input, t.accum) && sameType(t.accum, t.result);
  const scratch = new Float64Array(kSize);

  const runGeneric = (xs: ArrayLike<number>, out: Float64Array, st: KernelStats | undefined): void => {
    const toAcc = typed(t.input, t.accum, st?.accum);
    const sumAcc = makeCaster(Fs, t.accum, st?.accum);
    const accAcc = makeCaster(fa, t.accum, st?.accum);
    const toRes = typed(t.accum, t.result, st?.result);
    const add = (a: number, b: number) => accAcc(a + b);
    let m = 0;
    for (let o = 0; o < nPix; o++) {
      const base = o * kSize;
      for (let c = 0; c < C; c++) {
        let acc: number;
        if (!stream) {
          if (isMax) {
            let y = -Infinity;
            for (let k = 0; k < kSize; k++) {
              const tp = taps[base + k]!;
              const v = tp < 0 ? padMax : xs[tp * C + c]!;
              if (v > y) y = v;
            }
            acc = toAcc(y);
          } else {
            let y = 0;
            for (let k = 0; k < kSize; k++) {
              const tp = taps[base + k]!;
              if (tp < 0) continue;
              y = sumAcc(y * shA + xs[tp * C + c]! * shX);
            }
            acc = accAcc(Math.trunc(y / counts[o]!) + 0);
          }
        } else {
          for (let k = 0; k < kSize; k++) {
            const tp = taps[base + k]!;
            scratch[k] = tp < 0 ? 0 : toAcc(xs[tp * C + c]!);
          }
          if (isMax) {
            let y = scratch[0]!;
            for (let k = 1; k < kSize; k++) if (scratch[k]! > y) y = scratch[k]!;
            acc = y;
          } else acc = accAcc(Math.trunc(reduceTree(scratch, 0, kSize, add) / kSize) + 0);
        }
        const a = acc < 0 ? -acc : acc;
        if (a > m) m = a;
        out[o * C + c] = toRes(acc) + 0;
      }
    }
    if (st) {
      st.resultCount += nPix * C;
      if (m * faScale > st.maxAbsPreResult) st.maxAbsPreResult = m * faScale;
    }
  };

  const runMax = (xs: ArrayLike<number>, out: Float64Array): void => {
    const pad = stream ? 0 : padMax;
    for (let o = 0; o < nPix; o++) {
      const base = o * kSize;
      const ob = o * C;
      for (let c = 0; c < C; c++) {
        let y = -Infinity;
        for (let k = 0; k < kSize; k++) {
          const tp = taps[base + k]!;
          const v = tp < 0 ? pad : xs[tp * C + c]!;
          if (v > y) y = v;
        }
        out[ob + c] = y + 0;
      }
    }
  };

  return {
    kernel: {
      run(x: RawInput, opts: KernelOptions = {}): RawOutput {
        const xs = wantsBig(opts) ? null : validRaw(x, nIn, lo, hi);
        if (!xs) return ref.run(x, opts);
        const out = allocOut(ref.name, nPix * C, t.result, opts.out) as Float64Array;
        if (plainMax && !opts.stats) runMax(xs, out);
        else runGeneric(xs, out, opts.stats);
        return out;
      },
    },
  };
}
