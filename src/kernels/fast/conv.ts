/**
 * Fast Conv1D / Conv2D: drop-in replacements for the reference `prepareConv1d` / `prepareConv2d`
 * kernels (same config and weight layout; identical raw outputs and overflow reports) on the
 * integer MAC engine. The window table (which input pixel feeds each kernel position of each
 * output pixel, including every io_stream LineBuffer / Encoded quirk) is taken from the reference
 * kernel, so only the arithmetic is new: no im2col copy, output channels vectorised, all buffers
 * preallocated.
 */
import { prepareConv1d, prepareConv2d, type Conv1DConfig, type Conv2DConfig, type ConvKernel } from '../conv.js';
import type { RawInput } from '../common.js';
import { analyzeMac } from './analysis.js';
import type { FastOptions, FastPrepared } from './common.js';
import { FastMacKernel, isLatencyOrder } from './mac.js';
import type { MacKernel } from './dense.js';
import { analyzeWideMac, WideMacKernel } from './wide-mac.js';

function prepare(ref: ConvKernel, cfg: Conv1DConfig | Conv2DConfig, weights: RawInput, bias: RawInput, nChan: number, inPixels: number, options: FastOptions): FastPrepared<MacKernel> {
  const F = ref.nFilt;
  const { kSize, taps } = ref.windows;
  const nIn = kSize * nChan;
  const resource = cfg.strategy !== undefined && String(cfg.strategy).toLowerCase() === 'resource';
  const w = weights as ArrayLike<number | bigint>;
  let keras: ArrayLike<number | bigint> = w;
  if (resource) {
    // (F, kh·kw·C) → (kh·kw·C, F)
    const k = new Array<number | bigint>(nIn * F);
    for (let f = 0; f < F; f++) for (let i = 0; i < nIn; i++) k[i * F + f] = w[f * nIn + i]!;
    keras = k;
  }
  const types = cfg.types;
  const nPix = ref.outHeight * ref.outWidth;
  const geom = { nPix, kSize, C: nChan, taps: taps.subarray(0, nPix * kSize), nX: inPixels * nChan };
  const wide = (why: string): FastPrepared<MacKernel> => {
    if (options.backend === 'js') return { kernel: null, reason: why };
    const a = analyzeWideMac({ nIn, nOut: F, types, weights: keras, bias: bias as ArrayLike<number | bigint>, product: cfg.product });
    if ('reason' in a) return { kernel: null, reason: `${why}; wide engine: ${a.reason}` };
    return { kernel: new WideMacKernel(ref.name, a, geom, types, ref, options) };
  };
  if (ref.big) return wide('BigInt path');
  for (let i = 0; i < keras.length; i++) if (typeof keras[i] !== 'number') return wide('bigint weights');
  for (let i = 0; i < bias.length; i++) if (typeof bias[i] !== 'number') return wide('bigint bias');
  const latencyOrder = isLatencyOrder({ name: ref.name, n_in: nIn, n_out: F, strategy: cfg.strategy, reuse_factor: cfg.reuse_factor });
  const a = analyzeMac({ nIn, nOut: F, types, weights: keras as ArrayLike<number>, bias: bias as ArrayLike<number>, product: cfg.product, latencyOrder });
  if (!a.ok) return wide(a.reason!);
  if (a.lanes === 'f64' && options.backend === 'js') return { kernel: null, reason: 'f64 lanes need the wasm back end' };
  return { kernel: new FastMacKernel(ref.name, a, geom, types, ref, options) };
}

/**
 * Prepare a fast Conv2D (weights as for `prepareConv2d`). Throws what `prepareConv2d` throws.
 *
 * @example
 * const p = prepareFastConv2d(cfg, weights, bias);
 * const k = p.kernel ?? prepareConv2d(cfg, weights, bias);
 */
export function prepareFastConv2d(cfg: Conv2DConfig, weights: RawInput, bias: RawInput, options: FastOptions = {}): FastPrepared<MacKernel> {
  const ref = prepareConv2d(cfg, weights, bias);
  return prepare(ref, cfg, weights, bias, cfg.n_chan, cfg.in_height * cfg.in_width, options);
}

/**
 * Prepare a fast Conv1D (weights as for `prepareConv1d`). Throws what `prepareConv1d` throws.
 *
 * @example const k = prepareFastConv1d(cfg, weights, bias).kernel ?? prepareConv1d(cfg, weights, bias);
 */
export function prepareFastConv1d(cfg: Conv1DConfig, weights: RawInput, bias: RawInput, options: FastOptions = {}): FastPrepared<MacKernel> {
  const ref = prepareConv1d(cfg, weights, bias);
  return prepare(ref, cfg, weights, bias, cfg.n_chan, cfg.in_width, options);
}
