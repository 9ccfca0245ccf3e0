/**
 * Batch parallelism over worker threads: the same FirmwareGraph is compiled in each worker, a
 * batch is cut into contiguous slices, and outputs, traces and overflow statistics are stitched
 * back in order — identical, bit for bit, to a single-threaded run. With one worker the batch runs
 * in this thread, slice by slice (bounded buffers, the WebAssembly input cast).
 *
 * Also the engine of PTQ scans (GraphPool / GraphSetExecutor): many graphs on one dataset held in
 * shared memory, the layers they share with a base graph run once per sample.
 */
import { HlsemuError, UnsupportedError } from '../errors.js';
import { platform, type HostWorker as Worker } from '../platform/index.js';
import { newCastStats, quantizeArray, type CastStats } from '../fixed/quantize.js';
import type { NonFinitePolicy } from '../fixed/double.js';
import { FastInputCast } from '../kernels/fast/input-cast.js';
import { formatFixedType, frac, sameType, type FixedType } from '../fixed/types.js';
import { mergeKernelStats, newKernelStats, type KernelStats, type RawOutput } from '../kernels/common.js';
import { shapeSize, type FirmwareGraph, type FirmwareGraphSpec, type FirmwareLayer } from '../graph/firmware.js';
import type { ModelGraph } from '../graph/model.js';
import { compileGraph, compileLayer, type CompiledLayer } from './compile.js';
import { FIRMWARE_CLASSES } from '../layers/registry.js';
import type { FirmwareClassSpec } from '../layers/spec.js';
import { argmaxRows, evaluateFloat } from './float.js';
import { castInputs, toBatch, type FloatBatch, type InputLike } from './inputs.js';
import { Emulator, type PredictOptions, type PredictResult, type TraceTensor } from './predict.js';
import { buildReport } from './report.js';

/** Messages to a worker. */
export type WorkerRequest =
  | { kind: 'init'; graph: FirmwareGraph }
  | { kind: 'run'; id: number; raw: Float64Array; n: number; trace?: boolean; report?: boolean }
  // GraphPool: a shared dataset, a base graph, sets of graphs and ranges of samples.
  | { kind: 'pool-init'; data: Float32Array | Float64Array; per: number; sampleShape: number[]; base: FirmwareGraph; model?: ModelGraph }
  | { kind: 'pool-set'; set: number; graphs: SuffixGraph[] }
  | { kind: 'pool-drop'; set: number }
  | { kind: 'pool-run'; id: number; set: number; a: number; b: number; report: boolean }
  | { kind: 'pool-float'; id: number; a: number; b: number };

/** Messages from a worker. */
export type WorkerResponse =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; raw: Float64Array; trace?: Record<string, Float64Array | bigint[]>; stats?: KernelStats[] }
  | { kind: 'pool-result'; id: number; results: GraphRunResult[] }
  | { kind: 'float-result'; id: number; pred: Int32Array }
  | { kind: 'error'; id: number; error: { name: string; message: string; stack?: string } };

/** A started worker that has acknowledged `init` (rejects with the worker's error). */
async function initWorker(init: WorkerRequest): Promise<Worker> {
  const w = spawnWorker();
  w.unref();
  await new Promise<void>((resolve, reject) => {
    const onMsg = (m: WorkerResponse) => {
      if (m.kind === 'ready') {
        w.off('message', onMsg);
        resolve();
      } else if (m.kind === 'error') reject(new Error(m.error.message));
    };
    w.on('message', onMsg);
    w.once('error', reject);
    w.postMessage(init);
  });
  return w;
}

/** Spawn an emulator worker through the host (src/node/platform.ts on Node); hosts without worker threads emulate in this thread. */
function spawnWorker(): Worker {
  const p = platform();
  if (!p.spawnWorker) throw new UnsupportedError('workers', `the ${p.name} host has no worker threads`);
  return p.spawnWorker();
}

/**
 * `{ data: Float32Array | Float64Array, shape: [n, ...sampleShape] }` as a batch without copying the
 * data (the slices are cast directly from it); null for anything else (then `toBatch` handles it,
 * errors included).
 */
function typedBatch(x: InputLike, sampleShape: number[]): FloatBatch | null {
  if (!x || typeof x !== 'object' || Array.isArray(x) || !('shape' in x) || !('data' in x)) return null;
  const o = x as { data: unknown; shape: unknown };
  if (!(o.data instanceof Float32Array || o.data instanceof Float64Array) || !Array.isArray(o.shape)) return null;
  const shape = o.shape as number[];
  if (shape.length !== sampleShape.length + 1 || sampleShape.some((d, i) => shape[i + 1] !== d)) return null;
  if (!Number.isInteger(shape[0]) || shapeSize(shape) !== o.data.length) return null;
  // castInputs reads `data` as an ArrayLike<number>: a Float32Array view is fine.
  return { data: o.data as unknown as Float64Array, n: shape[0]!, sampleShape };
}

/** Samples per slice when the batch is run in this thread (bounded buffers, no batch-sized copy). */
const LOCAL_CHUNK = 128;

/** Options of {@link ParallelEmulator}. */
export interface ParallelOptions {
  /** Worker threads (default: the machine's available parallelism). 0 or 1 = run in this thread. */
  workers?: number;
  /** Samples per task (default: batch split evenly over the workers, at most 500). */
  chunk?: number;
}

/**
 * An emulator that spreads batches over worker threads.
 *
 * @example
 * const pe = new ParallelEmulator(fw);
 * const r = await pe.predict({ data: images, shape: [10000, 28, 28, 1] });
 * await pe.close();
 */
export class ParallelEmulator {
  readonly graph: FirmwareGraph;
  private readonly local: Emulator;
  private readonly nWorkers: number;
  private readonly chunk?: number;
  private workers: Promise<Worker[]> | undefined;
  private nextId = 1;
  /** Fast float → input-type cast (null: the reference cast), built on first use. */
  private fastCast: FastInputCast | null | undefined;

  constructor(graph: FirmwareGraph | FirmwareGraphSpec, opts: ParallelOptions = {}) {
    this.local = new Emulator(graph);
    this.graph = this.local.graph;
    if (this.graph.inputs.length > 1 || this.graph.outputs.length > 1) {
      throw new UnsupportedError(this.graph.inputs.length > 1 ? 'inputs' : 'outputs', `the parallel emulator runs single-input, single-output graphs; '${this.graph.name}' has ${this.graph.inputs.length} inputs and ${this.graph.outputs.length} outputs (use Emulator)`);
    }
    this.nWorkers = Math.max(0, Math.floor(opts.workers ?? platform().cpuCount()));
    this.chunk = opts.chunk;
  }

  private start(): Promise<Worker[]> {
    this.workers ??= Promise.all(
      Array.from({ length: this.nWorkers }, () => initWorker({ kind: 'init', graph: this.graph })),
    );
    return this.workers;
  }

  private run(w: Worker, raw: Float64Array, n: number, opts: PredictOptions): Promise<Extract<WorkerResponse, { kind: 'result' }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMsg = (m: WorkerResponse) => {
        if (m.kind === 'ready' || m.id !== id) return;
        w.off('message', onMsg);
        if (m.kind === 'error') {
          const e = new HlsemuError('worker', m.error.name, m.error.message);
          reject(e);
        } else resolve(m as Extract<WorkerResponse, { kind: 'result' }>);
      };
      w.on('message', onMsg);
      w.postMessage({ kind: 'run', id, raw, n, trace: opts.trace, report: opts.report } satisfies WorkerRequest, [raw.buffer as ArrayBuffer]);
    });
  }

  /**
   * Run on raw input mantissas (n samples back to back), in parallel.
   *
   * @example await pe.predictRaw(raw, 1000, { report: true });
   */
  async predictRaw(raw: Float64Array, n: number, opts: PredictOptions = {}): Promise<PredictResult> {
    if (this.nWorkers <= 1 || n < 2) return this.local.predictRaw(raw, n, opts);
    const per = shapeSize(this.graph.input.shape);
    return this.runChunks(n, (a, b) => raw.slice(a * per, b * per), opts);
  }

  /**
   * Default samples per task: about four tasks per worker (so a worker slowed down by other load
   * does not hold up the batch), between 32 and 500 samples.
   */
  private chunkSize(n: number, workers: number): number {
    return Math.max(1, Math.min(this.chunk ?? Math.min(500, Math.max(32, Math.ceil(n / (workers * 4)))), Math.ceil(n / workers)));
  }

  /**
   * Cut n samples into slices, hand them to the workers as they become free (each slice's raw input
   * made by `input(a, b)` just before it is sent, so the main thread prepares the next slice while
   * the workers compute), and stitch the results in order.
   */
  private async runChunks(n: number, input: (a: number, b: number) => Float64Array, opts: PredictOptions): Promise<PredictResult> {
    const workers = await this.start();
    const chunk = this.chunkSize(n, workers.length);
    const slices: [number, number][] = [];
    for (let s = 0; s < n; s += chunk) slices.push([s, Math.min(n, s + chunk)]);
    const results: Extract<WorkerResponse, { kind: 'result' }>[] = new Array(slices.length);
    let next = 0;
    let done = 0;
    let failed = false;
    await Promise.all(
      workers.map(async (w) => {
        while (next < slices.length && !failed) {
          const k = next++;
          const [a, b] = slices[k]!;
          let raw: Float64Array;
          try {
            raw = input(a, b);
          } catch (e) {
            failed = true;
            throw e;
          }
          results[k] = await this.run(w, raw, b - a, opts);
          done += b - a;
          opts.onSample?.(done, n);
        }
      }),
    );
    return this.stitch(results, slices, n, opts);
  }

  private stitch(results: Extract<WorkerResponse, { kind: 'result' }>[], slices: [number, number][], n: number, opts: PredictOptions): PredictResult {
    const outLayer = this.graph.layers.find((l) => l.name === this.graph.output)!;
    const outSize = shapeSize(outLayer.shapeOut);
    const raw = new Float64Array(n * outSize);
    results.forEach((r, k) => raw.set(r.raw, slices[k]![0] * outSize));
    const t = outLayer.types.result;
    const scale = 2 ** -frac(t);
    const values = Float64Array.from(raw, (v) => v * scale);
    const res: PredictResult = { n, shape: [...outLayer.shapeOut], type: t, raw, values, outputs: [{ name: outLayer.name, shape: [...outLayer.shapeOut], type: t, raw, values }] };
    if (opts.trace) {
      const trace: Record<string, TraceTensor> = {};
      for (const L of this.graph.layers) {
        const size = shapeSize(L.shapeOut);
        const wide = L.types.result.W > 53;
        const all: Float64Array | bigint[] = wide ? new Array<bigint>(n * size) : new Float64Array(n * size);
        results.forEach((r, k) => {
          const part = r.trace![L.name]! as RawOutput;
          if (all instanceof Float64Array) all.set(part as Float64Array, slices[k]![0] * size);
          else for (let i = 0; i < part.length; i++) all[slices[k]![0] * size + i] = BigInt(part[i]!);
        });
        trace[L.name] = { shape: L.shapeOut, type: L.types.result, raw: all };
      }
      res.trace = trace;
    }
    if (opts.report) {
      const stats = this.graph.layers.map(() => newKernelStats());
      for (const r of results) r.stats!.forEach((s, i) => mergeKernelStats(stats[i]!, s));
      res.report = buildReport(this.graph, stats, n);
    }
    return res;
  }

  /**
   * Run on float inputs, cast to the input type as the firmware does, in parallel. A
   * `{ data: Float32Array | Float64Array, shape }` batch is read slice by slice while the workers
   * run (no copy): leave it unchanged until the promise settles.
   *
   * @example await pe.predict(nestedArrays, { trace: true });
   */
  async predict(inputs: InputLike, opts: PredictOptions = {}): Promise<PredictResult> {
    const typed = typedBatch(inputs, this.graph.input.shape);
    const b = typed ?? toBatch(inputs, this.graph.input.shape);
    const inStats = newCastStats();
    const policy = opts.nonFinite ?? 'error';
    const type = this.graph.input.type;
    const per = shapeSize(b.sampleShape);
    // Cast samples [a, e) (same values and counts as one cast of the whole batch; an invalid input
    // rethrows that cast's error, with the batch-wide sample index).
    const cast = (a: number, e: number, into?: Float64Array): Float64Array => {
      try {
        return this.castSlice(b.data.subarray(a * per, e * per), type, policy, inStats, into);
      } catch (err) {
        castInputs(b, type, policy); // the error with the batch-wide sample index
        throw err;
      }
    };
    let r: PredictResult;
    if (this.nWorkers > 1 && b.n >= 2) {
      // Cast slice by slice while the workers run the previous slices.
      r = await this.runChunks(b.n, (a, e) => cast(a, e), opts);
    } else if (typed && b.n > LOCAL_CHUNK) {
      // This thread, slice by slice through one reused buffer: no batch-sized copies.
      r = this.runLocal(b.n, per, cast, opts);
    } else r = this.local.predictRaw(cast(0, b.n), b.n, opts);
    if (r.report) {
      r.report.input = { ...inStats, type: formatFixedType(this.graph.input.type) };
      r.report.inputs = [{ ...inStats, name: this.graph.input.name, type: formatFixedType(this.graph.input.type) }];
    }
    return r;
  }

  /** `castInputs` of one slice, through the fast WebAssembly cast when it applies. */
  private castSlice(data: ArrayLike<number>, type: FixedType, policy: NonFinitePolicy, stats: CastStats, into?: Float64Array): Float64Array {
    if (data instanceof Float32Array || data instanceof Float64Array) {
      if (this.fastCast === undefined) this.fastCast = FastInputCast.create(type);
      if (this.fastCast) {
        const out = into && into.length === data.length ? into : new Float64Array(data.length);
        if (this.fastCast.cast(data, out, stats)) return out;
      }
    }
    const raw = castInputs({ data: data as Float64Array, n: 1, sampleShape: [data.length] }, type, policy, stats);
    if (into && into.length === raw.length) {
      into.set(raw);
      return into;
    }
    return raw;
  }

  /** Run n samples in this thread, LOCAL_CHUNK at a time, and stitch the slices like worker results. */
  private runLocal(n: number, per: number, cast: (a: number, e: number, into?: Float64Array) => Float64Array, opts: PredictOptions): PredictResult {
    const slices: [number, number][] = [];
    const results: Extract<WorkerResponse, { kind: 'result' }>[] = [];
    const buf = new Float64Array(LOCAL_CHUNK * per);
    for (let a = 0; a < n; a += LOCAL_CHUNK) {
      const e = Math.min(n, a + LOCAL_CHUNK);
      const raw = cast(a, e, e - a === LOCAL_CHUNK ? buf : undefined);
      const onSample = opts.onSample ? (k: number) => opts.onSample!(a + k, n) : undefined;
      const r = this.local.predictRaw(raw, e - a, { trace: opts.trace, report: opts.report, keepStats: true, ...(onSample ? { onSample } : {}) });
      const res: Extract<WorkerResponse, { kind: 'result' }> = { kind: 'result', id: 0, raw: r.raw, stats: r.stats };
      if (r.trace) res.trace = Object.fromEntries(Object.entries(r.trace).map(([k, t]) => [k, t.raw]));
      results.push(res);
      slices.push([a, e]);
    }
    return this.stitch(results, slices, n, opts);
  }

  /** Stop the worker threads. @example await pe.close(); */
  async close(): Promise<void> {
    const ws = this.workers ? await this.workers : [];
    this.workers = undefined;
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

// ---------------------------------------------------------------------------------------------
// Many graphs on one dataset (PTQ scans): shared prefixes, one pass per image, worker threads
// ---------------------------------------------------------------------------------------------

/**
 * Number of leading layers of `g` identical to those of `base` (same input, same classes, configs,
 * types and parameters): their outputs are the same for every input. 0 when the inputs differ.
 * Equal to the layer count when the two graphs compute the same thing.
 *
 * @example sharedLayers(baseline, layerVariant) // e.g. 5: the first five layers need no re-run
 */
export function sharedLayers(base: FirmwareGraph, g: FirmwareGraph): number {
  if (g.ioType !== base.ioType || g.input.name !== base.input.name || JSON.stringify(g.input) !== JSON.stringify(base.input)) return 0;
  const n = Math.min(g.layers.length, base.layers.length);
  let k = 0;
  while (k < n && sameLayer(g.layers[k]!, base.layers[k]!)) k++;
  if (k === g.layers.length && (g.layers.length !== base.layers.length || g.output !== base.output)) k = Math.max(0, k - 1);
  return k;
}

function sameArray(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** A quick content hash of a parameter array (equality is then checked element by element). */
function hashValues(a: ArrayLike<number> | undefined): string {
  if (!a) return '-';
  let h = 0x811c9dc5;
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < a.length; i++) {
    f[0] = a[i]!;
    h = Math.imul(h ^ u[0]!, 0x01000193);
    h = Math.imul(h ^ u[1]!, 0x01000193);
  }
  return `${a.length}:${(h >>> 0).toString(36)}`;
}

function sameLayer(a: FirmwareLayer, b: FirmwareLayer): boolean {
  return (
    a.name === b.name &&
    a.cls === b.cls &&
    JSON.stringify([a.inputs, a.shapeIn, a.shapeOut, a.types, a.config, Object.keys(a.weights)]) === JSON.stringify([b.inputs, b.shapeIn, b.shapeOut, b.types, b.config, Object.keys(b.weights)]) &&
    Object.entries(a.weights as Record<string, ArrayLike<number> | undefined>).every(([k, v]) => sameArray(v, (b.weights as Record<string, ArrayLike<number> | undefined>)[k]))
  );
}

/** Samples per block in {@link GraphSetExecutor.run} (shared values are kept for a block). */
const BLOCK = 32;

/** A graph evaluated from layer `from` on; the layers before it (and its input) are the base graph's. */
export interface SuffixGraph {
  graph: FirmwareGraph;
  /** {@link sharedLayers} with the base graph (0: runs from its own input). */
  from: number;
}

/** What {@link GraphSetExecutor.run} returns per graph for a range of samples. */
export interface GraphRunResult {
  /** Argmax of the output per sample (first maximum). */
  pred: Int32Array;
  /** Per-layer overflow statistics (with `report`; the shared layers' are the base graph's). */
  stats?: KernelStats[];
  /** Overflow events of the input cast. */
  input: CastStats;
  /** Milliseconds spent on this graph (its own layers, plus its share of the shared ones). */
  ms: number;
  error?: string;
}

interface CompiledSuffix {
  from: number;
  graph: FirmwareGraph;
  layers: (CompiledLayer | null)[];
  outIdx: number;
  outScale: number;
  outSize: number;
  raw?: Float64Array;
  cast?: FastInputCast | null;
  /** Layer outputs of the sample being run (reused). */
  vals?: RawOutput[];
  error?: string;
}

/**
 * Evaluates sets of graphs that share leading layers with one base graph on a dataset, sample by
 * sample: the shared layers run once per sample, then each graph runs only its own layers. Results
 * (argmax, overflow statistics, input-cast counts) are those of `Emulator.predict` on each graph.
 * Used in worker threads by {@link GraphPool} and in this thread when there are no workers.
 */
export class GraphSetExecutor {
  private readonly x: Float32Array | Float64Array;
  private readonly per: number;
  private readonly base: FirmwareGraph;
  private readonly baseLayers: CompiledLayer[];
  private readonly baseRaw: Float64Array;
  private readonly baseCast: FastInputCast | null;
  private readonly sets = new Map<number, CompiledSuffix[]>();
  /**
   * Compiled layers by content: points of a scan repeat most layers (everything after the varied
   * one runs at the baseline types), so each distinct layer is compiled once and shared by the
   * graphs of the sets that use it (graphs run one after the other, so sharing a layer's output
   * buffer is safe). The base graph's layers are not shared (their outputs must survive a sample).
   */
  private readonly layerCache = new Map<string, { L: FirmwareLayer; layer: CompiledLayer; sets: Set<number> }[]>();

  constructor(x: Float32Array | Float64Array, per: number, base: FirmwareGraph) {
    if (base.inputs.length > 1 || base.outputs.length > 1) throw new UnsupportedError(base.inputs.length > 1 ? 'inputs' : 'outputs', `graph sets run single-input, single-output graphs; '${base.name}' has ${base.inputs.length} inputs and ${base.outputs.length} outputs`);
    this.x = x;
    this.per = per;
    this.base = base;
    this.baseLayers = compileGraph(base);
    this.baseRaw = new Float64Array(per);
    this.baseCast = FastInputCast.create(base.input.type);
  }

  /** Whether set `id` is compiled here. */
  hasSet(id: number): boolean {
    return this.sets.has(id);
  }

  /** Compile a set of graphs (their own layers only). */
  addSet(id: number, graphs: SuffixGraph[]): void {
    this.sets.set(
      id,
      graphs.map(({ graph, from }) => {
        const index = new Map<string, number>([[graph.input.name, 0]]);
        graph.layers.forEach((L, k) => index.set(L.name, k + 1));
        const outIdx = index.get(graph.output) ?? -1;
        const outLayer = graph.layers[outIdx - 1];
        const c: CompiledSuffix = { from, graph, layers: [], outIdx, outScale: outLayer ? 2 ** -frac(outLayer.types.result) : 1, outSize: outLayer ? shapeSize(outLayer.shapeOut) : 0 };
        try {
          if (!outLayer) throw new HlsemuError('output', 'config', `no layer named '${graph.output}'`);
          if (from === 0) {
            c.raw = new Float64Array(this.per);
            c.cast = FastInputCast.create(graph.input.type);
          }
          c.layers = graph.layers.map((L, k) => {
            if (k < from) return null;
            const idx = L.inputs.map((n) => {
              const i = index.get(n);
              if (i === undefined || i > k) throw new HlsemuError(`${L.name}.inputs`, 'shape', `unknown producer '${n}'`);
              return i;
            });
            const tin = L.types.input;
            const trustedInput = idx.length === 1 && idx[0]! > 0 && tin !== undefined && sameType(graph.layers[idx[0]! - 1]!.types.result, tin);
            return this.cachedLayer(id, L, idx, trustedInput);
          });
        } catch (e) {
          c.error = e instanceof Error ? e.message : String(e);
        }
        return c;
      }),
    );
  }

  private cachedLayer(set: number, L: FirmwareLayer, idx: number[], trustedInput: boolean): CompiledLayer {
    const key = `${JSON.stringify([L.name, L.cls, L.inputs, L.shapeIn, L.shapeOut, L.types, L.config, idx, trustedInput])}|${Object.entries(L.weights as Record<string, ArrayLike<number> | undefined>).map(([k, v]) => `${k}=${hashValues(v)}`).join('|')}`;
    const list = this.layerCache.get(key) ?? [];
    const hit = list.find((e) => sameLayer(e.L, L));
    if (hit) {
      hit.sets.add(set);
      return hit.layer;
    }
    const layer = compileLayer(L, idx, { reuseOutputs: true, trustedInput });
    list.push({ L, layer, sets: new Set([set]) });
    this.layerCache.set(key, list);
    return layer;
  }

  /** Forget a set (and the compiled layers no other set uses). */
  dropSet(id: number): void {
    this.sets.delete(id);
    for (const [key, list] of this.layerCache) {
      const keep = list.filter((e) => {
        e.sets.delete(id);
        return e.sets.size > 0;
      });
      if (keep.length) this.layerCache.set(key, keep);
      else this.layerCache.delete(key);
    }
  }

  private castOne(s: number, type: FixedType, cast: FastInputCast | null | undefined, into: Float64Array, stats: CastStats): void {
    const src = this.x.subarray(s * this.per, (s + 1) * this.per);
    if (cast && cast.cast(src, into, stats)) return;
    quantizeArray(src, type, into, stats, 'error');
  }

  /**
   * Run samples [a, b) through every graph of set `id`.
   *
   * @example const res = ex.run(0, 0, 500, true);
   */
  run(id: number, a: number, b: number, report: boolean): GraphRunResult[] {
    const set = this.sets.get(id);
    if (!set) throw new Error(`graph set ${id} was not sent to this executor`);
    const n = b - a;
    const L = this.baseLayers.length;
    let maxFrom = 0;
    for (const c of set) if (!c.error) maxFrom = Math.max(maxFrom, Math.min(c.from, L));
    const baseStats = report ? this.baseLayers.map(() => newKernelStats()) : undefined;
    const baseIn = newCastStats();
    const res: GraphRunResult[] = set.map((c) => ({
      pred: new Int32Array(n),
      input: newCastStats(),
      ms: 0,
      ...(report ? { stats: c.graph.layers.map(() => newKernelStats()) } : {}),
      ...(c.error ? { error: c.error } : {}),
    }));
    // The shared values the graphs read (producer i ≤ from, 0 = the input), kept for a block of
    // samples: the shared layers run for the block, then each graph runs the whole block (its
    // layers' buffers stay in cache).
    const needed = new Set<number>();
    for (const c of set) {
      if (c.error || c.from === 0) continue;
      for (let k = c.from; k < c.layers.length; k++) for (const i of c.layers[k]!.inputIdx) if (i <= c.from) needed.add(i);
      if (c.outIdx <= c.from) needed.add(c.outIdx);
    }
    const B = Math.min(BLOCK, n);
    const keep = [...needed].map((i) => {
      const size = i === 0 ? this.per : shapeSize(this.base.layers[i - 1]!.shapeOut);
      const buf = new Float64Array(B * size);
      return { i, size, views: Array.from({ length: B }, (_, t) => buf.subarray(t * size, (t + 1) * size)) };
    });
    const sharedT: RawOutput[][] = Array.from({ length: B }, () => new Array<RawOutput>(L + 1));
    const baseErr: (string | undefined)[] = new Array(B);
    const baseVals: RawOutput[] = new Array(L + 1);
    /** The input list of single-input layers (reused: layers read it before returning). */
    const one: RawOutput[] = [this.baseRaw];
    let baseMs = 0;
    const needBase = set.some((c) => !c.error && c.from > 0);
    for (let s0 = a; s0 < b; s0 += B) {
      const m = Math.min(B, b - s0);
      const t0 = performance.now();
      for (let t = 0; t < m && needBase; t++) {
        baseErr[t] = undefined;
        try {
          this.castOne(s0 + t, this.base.input.type, this.baseCast, this.baseRaw, baseIn);
          baseVals[0] = this.baseRaw;
          for (let k = 0; k < maxFrom; k++) {
            const c = this.baseLayers[k]!;
            const idx = c.inputIdx;
            if (idx.length === 1) {
              one[0] = baseVals[idx[0]!]!;
              baseVals[k + 1] = c.run(one, baseStats?.[k]);
            } else baseVals[k + 1] = c.run(idx.map((i) => baseVals[i]!), baseStats?.[k]);
          }
          for (const kv of keep) {
            const v = baseVals[kv.i]!;
            if (v instanceof Float64Array) {
              kv.views[t]!.set(v);
              sharedT[t]![kv.i] = kv.views[t]!;
            } else sharedT[t]![kv.i] = v.slice();
          }
        } catch (e) {
          baseErr[t] = e instanceof Error ? e.message : String(e);
        }
      }
      baseMs += performance.now() - t0;
      set.forEach((c, p) => {
        const r = res[p]!;
        const tp = performance.now();
        // Producer i (0 = the input, k = layer k−1) is shared when i ≤ from (and from > 0).
        const from = c.from;
        const shared = from > 0 ? from : -1;
        const vals = (c.vals ??= new Array<RawOutput>(c.layers.length + 1));
        for (let t = 0; t < m && !r.error; t++) {
          if (from > 0 && baseErr[t]) {
            r.error = baseErr[t];
            break;
          }
          const sv = sharedT[t]!;
          try {
            if (from === 0) {
              this.castOne(s0 + t, c.graph.input.type, c.cast, c.raw!, r.input);
              vals[0] = c.raw!;
            }
            for (let k = from; k < c.layers.length; k++) {
              const layer = c.layers[k]!;
              const idx = layer.inputIdx;
              if (idx.length === 1) {
                const i = idx[0]!;
                one[0] = i <= shared ? sv[i]! : vals[i]!;
                vals[k + 1] = layer.run(one, r.stats?.[k]);
              } else vals[k + 1] = layer.run(idx.map((i) => (i <= shared ? sv[i]! : vals[i]!)), r.stats?.[k]);
            }
            const out = (c.outIdx <= shared ? sv[c.outIdx] : vals[c.outIdx]) as Float64Array;
            let best = 0;
            let bv = out[0]! * c.outScale;
            for (let i = 1; i < c.outSize; i++) {
              const v = out[i]! * c.outScale;
              if (v > bv) {
                bv = v;
                best = i;
              }
            }
            r.pred[s0 + t - a] = best;
          } catch (e) {
            r.error = e instanceof Error ? e.message : String(e);
          }
        }
        r.ms += performance.now() - tp;
      });
    }
    // The shared layers' statistics and input counts, and their time shared out.
    const users = set.filter((c, p) => c.from > 0 && !res[p]!.error).length;
    set.forEach((c, p) => {
      const r = res[p]!;
      if (c.from === 0) return;
      if (users) r.ms += baseMs / users;
      r.input = { ...baseIn };
      if (r.stats && baseStats) for (let k = 0; k < Math.min(c.from, L); k++) r.stats[k] = { ...baseStats[k]!, accum: { ...baseStats[k]!.accum }, result: { ...baseStats[k]!.result }, internal: { ...baseStats[k]!.internal } };
    });
    return res;
  }
}

/**
 * Float64 reference predictions (argmax) of samples [a, b) of a dataset, in batches of 256 aligned
 * on multiples of 256 (as `floatBaseline` batches them).
 *
 * @example const pred = floatArgmax(model, x, [28, 28, 1], 0, 1000);
 */
export function floatArgmax(model: ModelGraph, x: Float32Array | Float64Array, sampleShape: number[], a: number, b: number): Int32Array {
  const per = shapeSize(sampleShape);
  const out = new Int32Array(b - a);
  for (let i = a; i < b; ) {
    const e = Math.min(b, (Math.floor(i / 256) + 1) * 256);
    const r = evaluateFloat(model, { data: x.subarray(i * per, e * per), shape: [e - i, ...sampleShape] }, { batchSize: 256 });
    out.set(argmaxRows(r.values, shapeSize(r.shape)), i - a);
    i = e;
  }
  return out;
}

/** One graph's result over the whole dataset (see {@link GraphPool.evaluate}). */
export interface GraphResult {
  pred: Int32Array;
  /** Per-layer statistics summed over all samples (with `report`). */
  stats?: KernelStats[];
  input: CastStats;
  /** Thread time spent on this graph, seconds. */
  seconds: number;
  error?: string;
}

/** Options of {@link GraphPool.evaluate}. */
export interface GraphPoolRunOptions {
  report?: boolean;
  /** Samples per task (default: about eight tasks per worker and set, at most 1,000). */
  chunk?: number;
  /** Called as tasks finish: graph-samples done so far and in total. */
  onProgress?: (done: number, total: number) => void;
  /** Called when every sample of a graph is done. */
  onGraph?: (set: number, index: number, result: GraphResult) => void;
}

/** Rough cost of a layer per sample (its kind's multiply-accumulates, else output values), to balance sets over workers. */
function layerCost(L: FirmwareLayer): number {
  const spec = FIRMWARE_CLASSES[L.cls] as FirmwareClassSpec<FirmwareLayer> | undefined;
  return spec?.macs?.(L) ?? shapeSize(L.shapeOut);
}

function suffixCost(g: SuffixGraph): number {
  let c = 1;
  for (let k = g.from; k < g.graph.layers.length; k++) c += layerCost(g.graph.layers[k]!);
  return c;
}

/**
 * Worker threads that hold one dataset (in shared memory) and evaluate many graphs on it — the
 * engine of PTQ scans. Graphs come in sets that share leading layers with one base graph
 * ({@link sharedLayers}): per sample, the shared layers run once and each graph only its own. Sets
 * are spread over the workers by estimated cost (a worker compiles the sets it runs), and idle
 * workers take slices of the remaining sets. Without workers (`workers` ≤ 1, or when they cannot
 * start) everything runs in this thread with the same code.
 *
 * @example
 * const pool = new GraphPool({ workers: 2 });
 * await pool.start(images, [28, 28, 1], baseline, model);
 * const floatPred = await pool.floatPredictions();
 * const [[r8, r4]] = await pool.evaluate([[{ graph: g8, from: 0 }, { graph: g4, from: 0 }]], { report: true });
 * await pool.close();
 */
export class GraphPool {
  private readonly nWorkers: number;
  private workers: Worker[] = [];
  private local?: GraphSetExecutor;
  private data?: { x: Float32Array | Float64Array; per: number; n: number; sampleShape: number[]; base: FirmwareGraph; model?: ModelGraph };
  private nextId = 1;
  private nextSet = 1;
  /** Why the worker threads are not used (set when they failed to start). */
  workerFailure?: string;

  constructor(opts: { workers?: number } = {}) {
    this.nWorkers = Math.max(0, Math.floor(opts.workers ?? platform().cpuCount()));
  }

  /** Threads in use (1 = this thread). */
  get threads(): number {
    return this.workers.length || 1;
  }

  /**
   * Share the dataset (`x`: n samples of `sampleShape`, copied once into shared memory) and the
   * base graph with the workers, and start them.
   */
  async start(x: Float32Array | Float64Array, sampleShape: number[], base: FirmwareGraph, model?: ModelGraph): Promise<void> {
    const per = shapeSize(sampleShape);
    const n = Math.floor(x.length / per);
    let shared = x;
    if (this.nWorkers > 1 && !(x.buffer instanceof SharedArrayBuffer)) {
      const Ctor = x instanceof Float32Array ? Float32Array : Float64Array;
      shared = new Ctor(new SharedArrayBuffer(n * per * Ctor.BYTES_PER_ELEMENT) as unknown as ArrayBuffer);
      shared.set(x.subarray(0, n * per));
    }
    this.data = { x: shared, per, n, sampleShape, base, ...(model ? { model } : {}) };
    if (this.nWorkers <= 1) return;
    try {
      this.workers = await Promise.all(
        Array.from({ length: this.nWorkers }, () => initWorker({ kind: 'pool-init', data: shared, per, sampleShape, base, ...(model ? { model } : {}) })),
      );
    } catch (e) {
      this.workerFailure = e instanceof Error ? e.message : String(e);
      await Promise.all(this.workers.map((w) => w.terminate()));
      this.workers = [];
    }
  }

  private executor(): GraphSetExecutor {
    const d = this.data!;
    return (this.local ??= new GraphSetExecutor(d.x, d.per, d.base));
  }

  private call<T extends WorkerResponse>(w: Worker, msg: WorkerRequest & { id: number }): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMsg = (m: WorkerResponse) => {
        if (m.kind === 'ready' || !('id' in m) || m.id !== msg.id) return;
        w.off('message', onMsg);
        if (m.kind === 'error') reject(new HlsemuError('worker', m.error.name, m.error.message));
        else resolve(m as T);
      };
      w.on('message', onMsg);
      w.postMessage(msg);
    });
  }

  /**
   * Float64 reference predictions (argmax) of every sample (needs the model given to `start`).
   *
   * @example const pred = await pool.floatPredictions();
   */
  async floatPredictions(onProgress?: (done: number, total: number) => void): Promise<Int32Array> {
    const d = this.data!;
    if (!d.model) throw new HlsemuError('config', 'model', 'GraphPool.start was given no model');
    const out = new Int32Array(d.n);
    if (!this.workers.length) {
      for (let a = 0; a < d.n; a += 512) {
        const b = Math.min(d.n, a + 512);
        out.set(floatArgmax(d.model, d.x, d.sampleShape, a, b), a);
        onProgress?.(b, d.n);
      }
      return out;
    }
    const tasks: [number, number][] = [];
    for (let a = 0; a < d.n; a += 512) tasks.push([a, Math.min(d.n, a + 512)]);
    let next = 0;
    let done = 0;
    await Promise.all(
      this.workers.map(async (w) => {
        while (next < tasks.length) {
          const [a, b] = tasks[next++]!;
          const r = await this.call<Extract<WorkerResponse, { kind: 'float-result' }>>(w, { kind: 'pool-float', id: this.nextId++, a, b });
          out.set(r.pred, a);
          done += b - a;
          onProgress?.(done, d.n);
        }
      }),
    );
    return out;
  }

  /**
   * Evaluate sets of graphs on every sample. Each graph's `from` must be
   * `sharedLayers(base, graph)` (or less). Results come back per set and graph, in order.
   */
  async evaluate(sets: SuffixGraph[][], opts: GraphPoolRunOptions = {}): Promise<GraphResult[][]> {
    const d = this.data!;
    const report = opts.report === true;
    const threads = this.threads;
    const chunk = Math.max(1, opts.chunk ?? Math.min(1000, Math.ceil(d.n / (threads * 8))));
    const ids = sets.map(() => this.nextSet++);
    const results: GraphResult[][] = sets.map((set) => set.map(() => ({ pred: new Int32Array(d.n), input: newCastStats(), seconds: 0 })));
    const remaining = sets.map(() => Math.ceil(d.n / chunk));
    const total = sets.reduce((t, s) => t + s.length * d.n, 0);
    let done = 0;
    const merge = (si: number, a: number, res: GraphRunResult[]) => {
      res.forEach((r, gi) => {
        const into = results[si]![gi]!;
        into.pred.set(r.pred, a);
        into.input.wrapped += r.input.wrapped;
        into.input.saturated += r.input.saturated;
        into.seconds += r.ms / 1000;
        if (r.error && !into.error) into.error = r.error;
        if (r.stats) {
          if (!into.stats) into.stats = r.stats.map(() => newKernelStats());
          r.stats.forEach((st, k) => mergeKernelStats(into.stats![k]!, st));
        }
      });
      done += res.length * (Math.min(d.n, a + chunk) - a);
      opts.onProgress?.(done, total);
      if (--remaining[si]! === 0) results[si]!.forEach((r, gi) => opts.onGraph?.(si, gi, r));
    };
    // Task queues per set; sets assigned to threads by cost (longest first, to the least loaded).
    const queues = sets.map(() => [] as number[]);
    sets.forEach((_, si) => {
      for (let a = 0; a < d.n; a += chunk) queues[si]!.push(a);
    });
    const cost = sets.map((s) => s.reduce((t, g) => t + suffixCost(g), 0));
    const load = new Array<number>(threads).fill(0);
    const own: number[][] = Array.from({ length: threads }, () => []);
    [...sets.keys()].sort((p, q) => cost[q]! - cost[p]!).forEach((si) => {
      const t = load.indexOf(Math.min(...load));
      own[t]!.push(si);
      load[t]! += cost[si]!;
    });
    const nextTask = (t: number): [number, number] | null => {
      for (const si of own[t]!) if (queues[si]!.length) return [si, queues[si]!.shift()!];
      // Steal from the set with the most work left.
      let best = -1;
      for (let si = 0; si < sets.length; si++) if (queues[si]!.length && (best < 0 || queues[si]!.length * cost[si]! > queues[best]!.length * cost[best]!)) best = si;
      return best < 0 ? null : [best, queues[best]!.pop()!];
    };
    if (!this.workers.length) {
      const ex = this.executor();
      for (;;) {
        const task = nextTask(0);
        if (!task) break;
        const [si, a] = task;
        if (!ex.hasSet(ids[si]!)) ex.addSet(ids[si]!, sets[si]!);
        merge(si, a, ex.run(ids[si]!, a, Math.min(d.n, a + chunk), report));
        if (queues[si]!.length === 0) ex.dropSet(ids[si]!);
      }
      return results;
    }
    await Promise.all(
      this.workers.map(async (w, t) => {
        const has = new Set<number>();
        for (;;) {
          const task = nextTask(t);
          if (!task) break;
          const [si, a] = task;
          if (!has.has(si)) {
            // Keep at most two sets compiled per worker.
            for (const old of has) {
              if (has.size < 2) break;
              if (queues[old]!.length === 0 || old !== si) {
                w.postMessage({ kind: 'pool-drop', set: ids[old]! } satisfies WorkerRequest);
                has.delete(old);
              }
            }
            w.postMessage({ kind: 'pool-set', set: ids[si]!, graphs: sets[si]! } satisfies WorkerRequest);
            has.add(si);
          }
          const r = await this.call<Extract<WorkerResponse, { kind: 'pool-result' }>>(w, { kind: 'pool-run', id: this.nextId++, set: ids[si]!, a, b: Math.min(d.n, a + chunk), report });
          merge(si, a, r.results);
        }
        for (const si of has) w.postMessage({ kind: 'pool-drop', set: ids[si]! } satisfies WorkerRequest);
      }),
    );
    return results;
  }

  /** Stop the workers. @example await pool.close(); */
  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
