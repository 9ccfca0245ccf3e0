// Shared helpers of the fast-path tests: build the reference and the fast kernel of one hls4ml
// kernel case (test/golden/hls4ml/*.jsonl format) and compare them call by call.
import { expect } from 'vitest';
import { parseFixedType, toFixedType, type FixedType } from '../../src/fixed/index.js';
import {
  DenseKernel,
  batchnorm,
  linear,
  newKernelStats,
  prepareConv1d,
  prepareConv2d,
  preparePooling1d,
  preparePooling2d,
  relu,
  sigmoid,
  softmax,
  tanh,
  zeropad1d,
  zeropad2d,
  type KernelStats,
  type RawInput,
  type RawOutput,
} from '../../src/kernels/index.js';
import { prepareFastConv1d, prepareFastConv2d } from '../../src/kernels/fast/conv.js';
import { prepareFastDense } from '../../src/kernels/fast/dense.js';
import { prepareFastActivation, prepareFastBatchnorm, prepareFastZeropad } from '../../src/kernels/fast/elementwise.js';
import { prepareFastPooling } from '../../src/kernels/fast/pooling.js';
import { prepareFastSoftmax } from '../../src/kernels/fast/softmax.js';
import type { FastPrepared, RunKernel } from '../../src/kernels/fast/common.js';
import type { MacBackend } from '../../src/kernels/fast/simd.js';
import { uniform } from '../../src/util/random.js';

export type Case = Record<string, unknown>;

export function caseTypes(c: Case): Record<string, FixedType> {
  const out: Record<string, FixedType> = {};
  for (const [k, v] of Object.entries(c.types as Record<string, unknown>)) {
    if (k === 'inp_norm_cpp') out.inp_norm = parseFixedType(String(v));
    else if (v && typeof v === 'object') out[k] = toFixedType(v);
    else if (typeof v === 'string') out[k] = parseFixedType(v);
  }
  return out;
}

export function raws(v: unknown): number[] {
  return (v as unknown[]).map((e) => (typeof e === 'string' ? Number(e) : (e as number)));
}

/** A reference kernel and its fast replacement built from the same case. */
export interface KernelPair {
  kind: string;
  ref: { run(x: RawInput, opts?: { stats?: KernelStats }): RawOutput };
  fast: FastPrepared<RunKernel>;
}

/** Build both kernels of a golden case, or null for kinds without a fast kernel. */
export function buildPair(c: Case, backend?: MacBackend): KernelPair | null {
  const kind = String(c.kernel);
  const cfg = { ...(c.config as Record<string, unknown>) };
  const t = caseTypes(c);
  const impl = String(c.impl ?? '').toLowerCase();
  switch (kind) {
    case 'dense': {
      const dcfg = { name: 'dense', n_in: cfg.n_in as number, n_out: cfg.n_out as number, strategy: cfg.strategy as string, reuse_factor: cfg.reuse_factor as number, product: cfg.product as string, types: t as never };
      const w = raws(c.weights);
      const b = raws(c.bias);
      return { kind, ref: new DenseKernel(dcfg, w, b), fast: prepareFastDense(dcfg, w, b, { backend, reuseOutput: backend === 'wasm' }) };
    }
    case 'conv1d':
    case 'conv2d': {
      cfg.io_type = cfg.io_type === 'io_stream' ? 'io_stream' : 'io_parallel';
      if (impl.includes('encoded')) cfg.implementation = 'Encoded';
      else if (impl.includes('linebuffer')) cfg.implementation = 'LineBuffer';
      const kcfg = { ...cfg, name: kind, types: t } as never;
      const w = raws(c.weights);
      const b = raws(c.bias);
      return kind === 'conv2d'
        ? { kind, ref: prepareConv2d(kcfg, w, b), fast: prepareFastConv2d(kcfg, w, b, { backend, reuseOutput: backend === 'wasm' }) }
        : { kind, ref: prepareConv1d(kcfg, w, b), fast: prepareFastConv1d(kcfg, w, b, { backend }) };
    }
    case 'pooling1d':
    case 'pooling2d': {
      const kcfg: Record<string, unknown> = { ...cfg, name: kind, types: t };
      if (impl.includes('encoded')) kcfg.implementation = 'Encoded';
      else if (impl.includes('linebuffer') && cfg.io_type === 'io_stream') kcfg.implementation = 'LineBuffer';
      const oneD = kind === 'pooling1d';
      return { kind, ref: oneD ? preparePooling1d(kcfg as never) : preparePooling2d(kcfg as never), fast: prepareFastPooling(kcfg as never, oneD) };
    }
    case 'batchnorm': {
      const kcfg = { ...cfg, name: kind, types: t } as never;
      const s = raws(c.scale);
      const b = raws(c.bias);
      return { kind, ref: { run: (x, o) => batchnorm(kcfg, x, s, b, o) }, fast: prepareFastBatchnorm(kcfg, s, b) };
    }
    case 'linear':
    case 'relu':
    case 'sigmoid':
    case 'tanh': {
      const kcfg = { ...cfg, name: kind, types: t } as never;
      const fn = { linear, relu, sigmoid, tanh }[kind];
      return { kind, ref: { run: (x, o) => fn(kcfg, x, o) }, fast: prepareFastActivation(kind, kcfg) };
    }
    case 'softmax': {
      const im = String(cfg.implementation ?? c.impl ?? '').toLowerCase();
      if (im !== 'stable') delete t.inp_norm;
      const kcfg = { ...cfg, implementation: im, name: 'softmax', types: t } as never;
      return { kind, ref: { run: (x, o) => softmax(kcfg, x, o) }, fast: prepareFastSoftmax(kcfg) };
    }
    case 'zeropad1d':
    case 'zeropad2d': {
      const kcfg = { ...cfg, name: kind, types: t } as never;
      const oneD = kind === 'zeropad1d';
      return { kind, ref: { run: (x, o) => (oneD ? zeropad1d(kcfg, x, o) : zeropad2d(kcfg, x, o)) }, fast: prepareFastZeropad(kcfg, oneD) };
    }
    default:
      return null;
  }
}

/**
 * Run one input through the reference (with stats) and the fast kernel (with and without stats,
 * validated and trusted entry points); every output must be identical and the stats equal.
 * Returns the reference output.
 */
export function expectSameRun(ref: KernelPair['ref'], fast: RunKernel, x: ArrayLike<number>, label: string): RawOutput {
  const sRef = newKernelStats();
  const want = ref.run(x as RawInput, { stats: sRef });
  const wantArr = Array.from(want as Float64Array);
  const sFast = newKernelStats();
  expect(Array.from(fast.run(x as RawInput, { stats: sFast }) as Float64Array), `${label} (fast, stats)`).toEqual(wantArr);
  expect(sFast, `${label} stats`).toEqual(sRef);
  expect(Array.from(fast.run(x as RawInput) as Float64Array), `${label} (fast)`).toEqual(wantArr);
  if (fast.runTrusted) {
    const xf = Float64Array.from(x);
    const sT = newKernelStats();
    expect(Array.from(fast.runTrusted(xf, { stats: sT }) as Float64Array), `${label} (trusted, stats)`).toEqual(wantArr);
    expect(sT, `${label} trusted stats`).toEqual(sRef);
    expect(Array.from(fast.runTrusted(xf) as Float64Array), `${label} (trusted)`).toEqual(wantArr);
  }
  return want;
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  return uniform(seed);
}

/** A uniformly random raw mantissa of type t. */
export function randomRaw(t: FixedType, r: () => number): number {
  const lo = t.signed ? -(2 ** (t.W - 1)) : 0;
  const hi = t.signed ? 2 ** (t.W - 1) - 1 : 2 ** t.W - 1;
  return lo + Math.floor(r() * (hi - lo + 1));
}
