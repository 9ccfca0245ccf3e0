/**
 * Fast Dense: a drop-in replacement for the reference `DenseKernel` (same config, same weight
 * layout, same results and overflow report, bit for bit) running on the integer MAC engine
 * (simd.ts). When the layer cannot be computed exactly in int32 (types wider than 32 bits, a
 * product rounding other than AP_TRN / AP_RND, …) {@link prepareFastDense} returns the reason and
 * the caller keeps the reference kernel.
 */
import { DenseKernel, transposeDenseWeights, type DenseConfig } from '../dense.js';
import type { RawInput } from '../common.js';
import { analyzeMac } from './analysis.js';
import { FastMacKernel, commonOrder, isLatencyOrder } from './mac.js';
import type { FastOptions, FastPrepared } from './common.js';
import { analyzeWideMac, WideMacKernel } from './wide-mac.js';

/** The fast MAC kernel of a Dense / Conv layer: int32 / float64 lanes, or the wide engine. */
export type MacKernel = FastMacKernel | WideMacKernel;


/**
 * Prepare a fast Dense layer. Weights are in the reference kernel's layout: `i*n_out+j` (latency),
 * `j*n_in+i` (resource). Throws exactly what `new DenseKernel(...)` throws for bad configs.
 *
 * @example
 * const p = prepareFastDense(cfg, weights, bias);
 * const y = (p.kernel ?? new DenseKernel(cfg, weights, bias)).run(x, { stats });
 */
export function prepareFastDense(cfg: DenseConfig, weights: RawInput, bias: RawInput, options: FastOptions = {}): FastPrepared<MacKernel> {
  const ref = new DenseKernel(cfg, weights, bias);
  const nIn = ref.nIn;
  const nOut = ref.nOut;
  const resource = cfg.strategy !== undefined && String(cfg.strategy).toLowerCase() === 'resource';
  const wide = (why: string): FastPrepared<MacKernel> => {
    if (options.backend === 'js') return { kernel: null, reason: why };
    // Wide types: the two-limb engine (any order: it runs only the modular and proven modes).
    const w = resource ? transposeDenseWeights(weights as ArrayLike<number | bigint>, nIn, nOut, true) : (weights as ArrayLike<number | bigint>);
    const a = analyzeWideMac({ nIn, nOut, types: ref.types, weights: w, bias: bias as ArrayLike<number | bigint>, product: ref.product });
    if ('reason' in a) return { kernel: null, reason: `${why}; wide engine: ${a.reason}` };
    return { kernel: new WideMacKernel(ref.name, a, { nPix: 1, kSize: 1, C: nIn, taps: Int32Array.of(0), nX: nIn }, ref.types, ref, options) };
  };
  if (ref.big) return wide('BigInt path');
  const keras = resource ? transposeDenseWeights(Array.from(weights as ArrayLike<number>, Number), nIn, nOut, true) : (weights as ArrayLike<number>);
  if (!isNumbers(keras) || !isNumbers(bias)) return wide('bigint weights');
  // A Resource order that is the same permutation for every output: permute the weight rows and
  // gather the input, then the sequential kernel replays that order exactly.
  const latency = isLatencyOrder(cfg);
  const perm = latency ? null : commonOrder(cfg);
  let w: ArrayLike<number> = keras;
  if (perm) {
    const p = new Float64Array(nIn * nOut);
    for (let r = 0; r < nIn; r++) for (let j = 0; j < nOut; j++) p[r * nOut + j] = keras[perm[r]! * nOut + j]!;
    w = p;
  }
  const a = analyzeMac({ nIn, nOut, types: ref.types, weights: w, bias, product: ref.product, latencyOrder: latency || perm !== null });
  if (!a.ok) return options.backend === 'js' ? { kernel: null, reason: a.reason! } : wide(a.reason!);
  const geom = { nPix: 1, kSize: 1, C: nIn, taps: Int32Array.of(0), nX: nIn };
  if (a.lanes === 'f64' && options.backend === 'js') return { kernel: null, reason: 'f64 lanes need the wasm back end' };
  return { kernel: new FastMacKernel(ref.name, a, geom, ref.types, ref, perm ? { ...options, perm } : options) };
}

function isNumbers(a: RawInput): a is ArrayLike<number> {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return false;
  return true;
}
