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
import { maybePlatform } from '../platform/index.js';
import { ShapeError } from '../errors.js';
import { sameType } from '../fixed/types.js';
import type { KernelStats, RawOutput } from '../kernels/index.js';
import type { FirmwareGraph, FirmwareLayer } from '../graph/firmware.js';
import type { FastOptions, FastPrepared, RunKernel } from '../kernels/fast/common.js';
import { firmwareClass } from '../layers/registry.js';
import type { RunFn } from '../layers/spec.js';

/** A compiled layer: raw inputs (one array per producer) → raw output. */
export interface CompiledLayer {
  layer: FirmwareLayer;
  /**
   * Indices of the producers in the run's value list: 0 = the (first) graph input, k = layers[k-1]
   * for 1 ≤ k ≤ layers.length, layers.length + j = input port j ≥ 1 of a multi-input graph.
   */
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
  const v = maybePlatform()?.env('HLSEMU_FAST');
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

/**
 * Compile one layer.
 *
 * @example const c = compileLayer(fw.layers[0], [0]); c.run([rawInput]);
 */
export function compileLayer(L: FirmwareLayer, inputIdx: number[], options: CompileOptions = {}): CompiledLayer {
  const c = compileKernel(L, inputIdx, options);
  const probes = firmwareClass(L.cls, L.name).luts?.(L as never) ?? [];
  if (probes.length === 0) return c;
  // Report mode: note which table entries the inputs reach (the lookup-table diagnostics).
  const run = c.run;
  return {
    ...c,
    run: (xs, s) => {
      if (s) {
        s.luts ??= {};
        for (const p of probes) p.observe(xs, (s.luts[p.table] ??= { hits: new Uint8Array(p.size), distinct: 0, seen: [] }));
      }
      return run(xs, s);
    },
  };
}

function compileKernel(L: FirmwareLayer, inputIdx: number[], options: CompileOptions): CompiledLayer {
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
  return { layer: L, inputIdx, run: compileReference(L), impl: 'reference', fastReason };
}

/** The fast kernel of a layer (its layer module's), or why there is none. */
function compileFast(L: FirmwareLayer, fo: FastOptions): { kernel: RunKernel | null; reason?: string } {
  const spec = firmwareClass(L.cls, L.name);
  if (!spec.fast) return { kernel: null, reason: `no fast kernel for ${L.cls}` };
  return tryFast(() => spec.fast!(L as never, fo));
}

/** The reference-kernel closure of a layer (its layer module's). */
function compileReference(L: FirmwareLayer): RunFn {
  return firmwareClass(L.cls, L.name).reference(L as never);
}

/**
 * Compile every layer of a graph (in order) with the index wiring of its producers.
 *
 * @example const layers = compileGraph(fw); // fast kernels where they apply
 * @example const ref = compileGraph(fw, { fast: false }); // reference kernels only
 */
export function compileGraph(fw: FirmwareGraph, options: CompileOptions = {}): CompiledLayer[] {
  const inputs = fw.inputs ?? [fw.input];
  const index = new Map<string, number>(inputs.map((p, j) => [p.name, j === 0 ? 0 : fw.layers.length + j]));
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
    const trustedInput = idx.length === 1 && idx[0]! > 0 && idx[0]! <= fw.layers.length && tin !== undefined && sameType(fw.layers[idx[0]! - 1]!.types.result, tin);
    out.push(compileLayer(L, idx, { ...options, reuseOutputs: options.reuseOutputs ?? true, trustedInput }));
    index.set(L.name, k + 1);
  });
  for (const o of fw.outputs ?? [fw.output]) if (!index.has(o)) throw new ShapeError('outputs', `no layer named '${o}'`);
  return out;
}
