/**
 * Compile a FirmwareGraph into runnable layer closures over the kernels: each layer's kernel
 * config is built once from its config-struct fields and types (weights decoded, tables built,
 * accumulation plans precomputed), then `run` maps raw input mantissas to raw outputs.
 *
 * Each layer first tries the fast kernels of `src/kernels/fast` (integer / WebAssembly SIMD MAC
 * engine, table-based activations built once — bit-identical to the reference kernels, overflow
 * report included; see docs/performance.md) and falls back to the reference kernel of
 * `src/kernels` when the fast one does not apply (wide types, unsupported modes) or cannot be
 * prepared. `compileGraph(fw, { fast: false })` or the environment variable `HLSEMU_FAST=0`
 * selects the reference kernels only.
 */
import { ShapeError, UnsupportedError } from '../errors.js';
import { frac, sameType } from '../fixed/types.js';
import { makeCaster } from '../fixed/quantize.js';
import { requantizeBigEvent } from '../fixed/quantize-big.js';
import {
  DenseKernel,
  add,
  batchnorm,
  concatenate,
  globalPooling1d,
  globalPooling2d,
  leakyRelu,
  linear,
  prepareConv1d,
  prepareConv2d,
  preparePooling1d,
  preparePooling2d,
  relu,
  sigmoid,
  softmax,
  tanh,
  transposeDenseWeights,
  zeropad1d,
  zeropad2d,
  type KernelOptions,
  type KernelStats,
  type RawOutput,
} from '../kernels/index.js';
import type { FirmwareGraph, FirmwareLayer } from '../graph/firmware.js';
import { prepareFastConv1d, prepareFastConv2d } from '../kernels/fast/conv.js';
import { prepareFastDense } from '../kernels/fast/dense.js';
import { prepareFastActivation, prepareFastBatchnorm, prepareFastZeropad } from '../kernels/fast/elementwise.js';
import { prepareFastPooling } from '../kernels/fast/pooling.js';
import { prepareFastSoftmax } from '../kernels/fast/softmax.js';
import type { FastOptions, FastPrepared, RunKernel } from '../kernels/fast/common.js';

/** A compiled layer: raw inputs (one array per producer) → raw output. */
export interface CompiledLayer {
  layer: FirmwareLayer;
  /** Indices of the producers in the run's value list (0 = graph input, k = layers[k-1]). */
  inputIdx: number[];
  /**
   * Run the layer. With `reuseOutputs` (the {@link compileGraph} default) the returned array may be
   * owned by the layer and overwritten by its next call: copy it to keep it.
   */
  run(inputs: RawOutput[], stats?: KernelStats): RawOutput;
  /** 'fast' when a fast kernel runs this layer, else 'reference' (with the reason in `fastReason`). */
  impl: 'fast' | 'reference';
  fastReason?: string;
}

/** Options of {@link compileLayer} / {@link compileGraph}. */
export interface CompileOptions {
  /** Use the fast kernels where they apply (default true, unless the environment has HLSEMU_FAST=0). */
  fast?: boolean;
  /**
   * The layer's input is always a valid raw array of its input type (the output of another layer
   * with that result type), so the fast kernel may skip validating it. {@link compileGraph} sets
   * this per layer.
   */
  trustedInput?: boolean;
  /**
   * Fast kernels may return a buffer they own, overwritten by their next `run` (no allocation per
   * call). Default false for {@link compileLayer}, true for {@link compileGraph}: the Emulator
   * copies every output it keeps (trace, network output) before the next sample.
   */
  reuseOutputs?: boolean;
}

function fastDefault(): boolean {
  const v = typeof process !== 'undefined' ? process.env.HLSEMU_FAST : undefined;
  return !(v === '0' || v === 'false' || v === 'off');
}

/** Prepare a fast kernel; any failure (unsupported, or a config error the reference reports at run time) → null. */
function tryFast(make: () => FastPrepared<RunKernel>): { kernel: RunKernel | null; reason?: string } {
  try {
    const p = make();
    return p.kernel ? { kernel: p.kernel } : { kernel: null, reason: p.reason };
  } catch (e) {
    return { kernel: null, reason: `prepare failed: ${(e as Error).message}` };
  }
}

/** Transpose a Keras conv kernel (kh,kw,C,F) into the Resource order (F,kh,kw,C). */
function convToResource(w: Float64Array, spatial: number, C: number, F: number): Float64Array {
  const out = new Float64Array(w.length);
  for (let s = 0; s < spatial; s++) for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) out[(f * spatial + s) * C + c] = w[(s * C + c) * F + f]!;
  return out;
}

function need<T>(v: T | undefined, layer: string, field: string): T {
  if (v === undefined) throw new ShapeError(`${layer}.${field}`, 'missing');
  return v;
}

/**
 * Compile one layer.
 *
 * @example const c = compileLayer(fw.layers[0], [0]); c.run([rawInput]);
 */
export function compileLayer(L: FirmwareLayer, inputIdx: number[], options: CompileOptions = {}): CompiledLayer {
  const useFast = options.fast ?? fastDefault();
  let fastReason: string | undefined = useFast ? undefined : 'disabled';
  if (useFast) {
    const f = compileFast(L, { reuseOutput: options.reuseOutputs === true });
    if (f.kernel) {
      const k = f.kernel;
      const trusted = options.trustedInput === true && k.runTrusted !== undefined;
      const run = trusted
        ? (xs: RawOutput[], s?: KernelStats): RawOutput => {
            const x = xs[0]!;
            return x instanceof Float64Array ? k.runTrusted!(x, s ? { stats: s } : {}) : k.run(x, s ? { stats: s } : {});
          }
        : (xs: RawOutput[], s?: KernelStats): RawOutput => k.run(xs[0]!, s ? { stats: s } : {});
      return { layer: L, inputIdx, run, impl: 'fast' };
    }
    fastReason = f.reason;
  }
  const ref = compileReference(L);
  return { layer: L, inputIdx, run: ref, impl: 'reference', fastReason };
}

/** The fast kernel of a layer, or why there is none. */
function compileFast(L: FirmwareLayer, fo: FastOptions): { kernel: RunKernel | null; reason?: string } {
  const name = L.name;
  const cfg = { ...L.config, name, types: L.types } as Record<string, unknown> & { types: typeof L.types };
  switch (L.cls) {
    case 'Dense': {
      const nIn = Number(L.config.n_in);
      const nOut = Number(L.config.n_out);
      const w = need(L.weights, name, 'weights');
      const strategy = String(L.config.strategy ?? 'latency').toLowerCase();
      const kw = strategy === 'resource' ? Float64Array.from(transposeDenseWeights(w, nIn, nOut)) : w;
      return tryFast(() => prepareFastDense(cfg as never, kw, need(L.bias, name, 'bias'), fo));
    }
    case 'Conv1D':
    case 'Conv2D': {
      let w = need(L.weights, name, 'weights');
      if (String(L.config.strategy ?? 'latency').toLowerCase() === 'resource') {
        const C = Number(L.config.n_chan);
        const F = Number(L.config.n_filt);
        w = convToResource(w, w.length / (C * F), C, F);
      }
      const b = need(L.bias, name, 'bias');
      return tryFast(() => (L.cls === 'Conv2D' ? prepareFastConv2d(cfg as never, w, b, fo) : prepareFastConv1d(cfg as never, w, b, fo)));
    }
    case 'MaxPooling1D':
    case 'AveragePooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return tryFast(() => prepareFastPooling(cfg as never, !L.cls.endsWith('2D'), fo));
    case 'BatchNormalization':
      return tryFast(() => prepareFastBatchnorm(cfg as never, need(L.scale, name, 'scale'), need(L.bias, name, 'bias'), fo));
    case 'Activation': {
      const act = L.activation ?? String(L.config.activation ?? 'linear');
      if (act !== 'linear' && act !== 'relu' && act !== 'sigmoid' && act !== 'tanh') return { kernel: null, reason: `activation ${act}` };
      return tryFast(() => prepareFastActivation(act, cfg as never, fo));
    }
    case 'Softmax':
      return tryFast(() => prepareFastSoftmax(cfg as never, fo));
    case 'ZeroPadding1D':
    case 'ZeroPadding2D':
      return tryFast(() => prepareFastZeropad(cfg as never, L.cls === 'ZeroPadding1D', fo));
    default:
      return { kernel: null, reason: `no fast kernel for ${L.cls}` };
  }
}

/** The reference-kernel closure of a layer. */
function compileReference(L: FirmwareLayer): (xs: RawOutput[], stats?: KernelStats) => RawOutput {
  const name = L.name;
  const cfg = { ...L.config, name, types: L.types } as Record<string, unknown> & { types: typeof L.types };
  const opts = (stats?: KernelStats): KernelOptions => (stats ? { stats } : {});
  let run: (xs: RawOutput[], stats?: KernelStats) => RawOutput;
  switch (L.cls) {
    case 'Dense': {
      const nIn = Number(L.config.n_in);
      const nOut = Number(L.config.n_out);
      const w = need(L.weights, name, 'weights');
      const strategy = String(L.config.strategy ?? 'latency').toLowerCase();
      const kw = strategy === 'resource' ? Float64Array.from(transposeDenseWeights(w, nIn, nOut)) : w;
      const k = new DenseKernel(cfg as never, kw, need(L.bias, name, 'bias'));
      run = (xs, s) => k.run(xs[0]!, opts(s));
      break;
    }
    case 'Conv1D':
    case 'Conv2D': {
      let w = need(L.weights, name, 'weights');
      if (String(L.config.strategy ?? 'latency').toLowerCase() === 'resource') {
        const C = Number(L.config.n_chan);
        const F = Number(L.config.n_filt);
        w = convToResource(w, w.length / (C * F), C, F);
      }
      const k = L.cls === 'Conv2D' ? prepareConv2d(cfg as never, w, need(L.bias, name, 'bias')) : prepareConv1d(cfg as never, w, need(L.bias, name, 'bias'));
      run = (xs, s) => k.run(xs[0]!, opts(s));
      break;
    }
    case 'MaxPooling1D':
    case 'AveragePooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const k = L.cls.endsWith('2D') ? preparePooling2d(cfg as never) : preparePooling1d(cfg as never);
      run = (xs, s) => k.run(xs[0]!, opts(s));
      break;
    }
    case 'GlobalMaxPooling1D':
    case 'GlobalAveragePooling1D':
      run = (xs, s) => globalPooling1d(cfg as never, xs[0]!, opts(s));
      break;
    case 'GlobalMaxPooling2D':
    case 'GlobalAveragePooling2D':
      run = (xs, s) => globalPooling2d(cfg as never, xs[0]!, opts(s));
      break;
    case 'BatchNormalization': {
      const sc = need(L.scale, name, 'scale');
      const b = need(L.bias, name, 'bias');
      run = (xs, s) => batchnorm(cfg as never, xs[0]!, sc, b, opts(s));
      break;
    }
    case 'Activation': {
      const act = L.activation ?? String(L.config.activation ?? 'linear');
      const fn =
        act === 'linear' ? linear : act === 'relu' ? relu : act === 'sigmoid' ? sigmoid : act === 'tanh' ? tanh : act === 'leaky_relu' ? null : undefined;
      if (fn === undefined) throw new UnsupportedError(`${name}.activation`, `activation '${act}' is not supported`);
      if (fn === null) {
        const c = { ...cfg, alpha: L.config.alpha_literal as number | undefined, alpha_raw: L.config.alpha_raw as number | undefined };
        run = (xs, s) => leakyRelu(c as never, xs[0]!, opts(s));
      } else run = (xs, s) => fn(cfg as never, xs[0]!, opts(s));
      break;
    }
    case 'Softmax':
      run = (xs, s) => softmax(cfg as never, xs[0]!, opts(s));
      break;
    case 'Reshape': {
      const tin = L.types.input!;
      const tout = L.types.result;
      if (sameType(tin, tout)) run = (xs) => xs[0]!;
      else if (tin.W <= 53 && tout.W <= 53) {
        run = (xs, s) => {
          const cast = makeCaster(frac(tin), tout, s?.result);
          const x = xs[0]! as Float64Array;
          const out = new Float64Array(x.length);
          for (let i = 0; i < x.length; i++) out[i] = cast(x[i]!);
          if (s) s.resultCount += x.length;
          return out;
        };
      } else {
        run = (xs, s) => {
          const x = xs[0]!;
          const big = Array.from(x as ArrayLike<number | bigint>, (v) => requantizeBigEvent(BigInt(v), frac(tin), tout));
          if (s) {
            s.resultCount += big.length;
            for (const [, ev] of big) if (ev === 1) s.result.wrapped++;
              else if (ev === 2) s.result.saturated++;
          }
          return tout.W <= 53 ? Float64Array.from(big, ([v]) => Number(v)) : big.map(([v]) => v);
        };
      }
      break;
    }
    case 'ZeroPadding1D':
      run = (xs, s) => zeropad1d(cfg as never, xs[0]!, opts(s));
      break;
    case 'ZeroPadding2D':
      run = (xs, s) => zeropad2d(cfg as never, xs[0]!, opts(s));
      break;
    case 'Add': {
      const c = { ...cfg, types: { ...L.types, input1: L.types.input1 ?? L.types.input, input2: L.types.input2 } };
      run = (xs, s) => add(c as never, xs[0]!, xs[1]!, opts(s));
      break;
    }
    case 'Concatenate': {
      const c = { ...cfg, types: { ...L.types, input1: L.types.input1 ?? L.types.input, input2: L.types.input2 } };
      run = (xs, s) => concatenate(c as never, xs[0]!, xs[1]!, opts(s));
      break;
    }
    default:
      throw new UnsupportedError(`${name}.cls`, `layer class ${String(L.cls)} is not supported by the emulator`);
  }
  return run;
}

/**
 * Compile every layer of a graph (in order) with the index wiring of its producers.
 *
 * @example const layers = compileGraph(fw); // fast kernels where they apply
 * @example const ref = compileGraph(fw, { fast: false }); // reference kernels only
 */
export function compileGraph(fw: FirmwareGraph, options: CompileOptions = {}): CompiledLayer[] {
  const index = new Map<string, number>([[fw.input.name, 0]]);
  const out: CompiledLayer[] = [];
  fw.layers.forEach((L, k) => {
    const idx = L.inputs.map((n) => {
      const i = index.get(n);
      if (i === undefined) throw new ShapeError(`${L.name}.inputs`, `unknown producer '${n}'`);
      return i;
    });
    // Inputs produced by a layer whose result type is this layer's input type need no validation
    // (the graph input, given by the caller, is always validated).
    const tin = L.types.input;
    const trustedInput = idx.length === 1 && idx[0]! > 0 && tin !== undefined && sameType(fw.layers[idx[0]! - 1]!.types.result, tin);
    out.push(compileLayer(L, idx, { ...options, reuseOutputs: options.reuseOutputs ?? true, trustedInput }));
    index.set(L.name, k + 1);
  });
  if (!index.has(fw.output)) throw new ShapeError('output', `no layer named '${fw.output}'`);
  return out;
}
