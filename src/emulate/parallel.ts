/**
 * Batch parallelism over worker threads: the same FirmwareGraph is compiled in each worker, a
 * batch is cut into contiguous slices, and outputs, traces and overflow statistics are stitched
 * back in order — identical, bit for bit, to a single-threaded run.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HlsemuError } from '../errors.js';
import { newCastStats, type CastStats } from '../fixed/quantize.js';
import type { FixedType } from '../fixed/types.js';
import type { NonFinitePolicy } from '../fixed/double.js';
import { FastInputCast } from '../kernels/fast/input-cast.js';
import { formatFixedType, frac } from '../fixed/types.js';
import { mergeKernelStats, newKernelStats, type KernelStats, type RawOutput } from '../kernels/common.js';
import { shapeSize, type FirmwareGraph } from '../graph/firmware.js';
import { castInputs, toBatch, type FloatBatch, type InputLike } from './inputs.js';
import { Emulator, type PredictOptions, type PredictResult, type TraceTensor } from './predict.js';
import { buildReport } from './report.js';

/** Messages to a worker. */
export type WorkerRequest =
  | { kind: 'init'; graph: FirmwareGraph }
  | { kind: 'run'; id: number; raw: Float64Array; n: number; trace?: boolean; report?: boolean };

/** Messages from a worker. */
export type WorkerResponse =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; raw: Float64Array; trace?: Record<string, Float64Array | bigint[]>; stats?: KernelStats[] }
  | { kind: 'error'; id: number; error: { name: string; message: string; stack?: string } };

/** Spawn a worker: the built `emulate-worker.js` beside the bundle, or the TS source via tsx in development. */
function spawnWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./emulate-worker.js', here));
  const src = new URL('./worker.ts', here).href;
  // Resolve tsx from this module (not from the process's working directory).
  const tsxRoot = dirname(createRequire(here).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(src)}); })`;
  return new Worker(boot, { eval: true });
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

  constructor(graph: FirmwareGraph, opts: ParallelOptions = {}) {
    this.graph = graph;
    this.local = new Emulator(graph);
    this.nWorkers = Math.max(0, Math.floor(opts.workers ?? availableParallelism()));
    this.chunk = opts.chunk;
  }

  private start(): Promise<Worker[]> {
    this.workers ??= Promise.all(
      Array.from({ length: this.nWorkers }, async () => {
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
          w.postMessage({ kind: 'init', graph: this.graph } satisfies WorkerRequest);
        });
        return w;
      }),
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
        } else resolve(m);
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
    const res: PredictResult = { n, shape: [...outLayer.shapeOut], type: t, raw, values };
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
    if (r.report) r.report.input = { ...inStats, type: formatFixedType(this.graph.input.type) };
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
