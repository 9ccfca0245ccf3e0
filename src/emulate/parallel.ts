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
import { newCastStats } from '../fixed/quantize.js';
import { formatFixedType, frac } from '../fixed/types.js';
import { mergeKernelStats, newKernelStats, type KernelStats, type RawOutput } from '../kernels/common.js';
import { shapeSize, type FirmwareGraph } from '../graph/firmware.js';
import { castInputs, toBatch, type InputLike } from './inputs.js';
import { Emulator, type PredictOptions, type PredictResult, type TraceTensor } from './predict.js';
import { layerReport } from './report.js';

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
    const workers = await this.start();
    const per = shapeSize(this.graph.input.shape);
    const chunk = Math.max(1, Math.min(this.chunk ?? 500, Math.ceil(n / workers.length)));
    const slices: [number, number][] = [];
    for (let s = 0; s < n; s += chunk) slices.push([s, Math.min(n, s + chunk)]);
    const results: Extract<WorkerResponse, { kind: 'result' }>[] = new Array(slices.length);
    let next = 0;
    let done = 0;
    await Promise.all(
      workers.map(async (w) => {
        while (next < slices.length) {
          const k = next++;
          const [a, b] = slices[k]!;
          results[k] = await this.run(w, raw.slice(a * per, b * per), b - a, opts);
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
      res.report = {
        samples: n,
        input: { ...newCastStats(), type: formatFixedType(this.graph.input.type) },
        layers: this.graph.layers.map((L, i) => layerReport(L.name, L.cls, L.types.result, stats[i]!)),
      };
    }
    return res;
  }

  /**
   * Run on float inputs, cast to the input type as the firmware does, in parallel.
   *
   * @example await pe.predict(nestedArrays, { trace: true });
   */
  async predict(inputs: InputLike, opts: PredictOptions = {}): Promise<PredictResult> {
    const b = toBatch(inputs, this.graph.input.shape);
    const inStats = newCastStats();
    const raw = castInputs(b, this.graph.input.type, opts.nonFinite ?? 'error', inStats);
    const r = await this.predictRaw(raw, b.n, opts);
    if (r.report) r.report.input = { ...inStats, type: formatFixedType(this.graph.input.type) };
    return r;
  }

  /** Stop the worker threads. @example await pe.close(); */
  async close(): Promise<void> {
    const ws = this.workers ? await this.workers : [];
    this.workers = undefined;
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
