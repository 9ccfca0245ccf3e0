/**
 * Bit-exact prediction: run a FirmwareGraph on a batch, returning the outputs as doubles and raw
 * mantissas, optionally every layer's output (trace) and the per-layer overflow report.
 */
import { ShapeError, UnsupportedError } from '../errors.js';
import type { NonFinitePolicy } from '../fixed/double.js';
import { newCastStats } from '../fixed/quantize.js';
import { formatFixedType, frac, type FixedType } from '../fixed/types.js';
import { newKernelStats, type KernelStats, type RawOutput } from '../kernels/common.js';
import { shapeSize, type FirmwareGraph, type FirmwareGraphSpec } from '../graph/firmware.js';
import { checkFirmwareGraph } from '../graph/check.js';
import { compileGraph, type CompiledLayer } from './compile.js';
import { castInputs, toBatch, type InputLike } from './inputs.js';
import { buildReport, type OverflowReport } from './report.js';

/** Options of {@link Emulator.predict}. */
export interface PredictOptions {
  /** Keep every layer's output. */
  trace?: boolean;
  /** Count overflows per layer (small extra cost). */
  report?: boolean;
  /** NaN/±Inf inputs: 'error' (default) or 'hls' (as the C++ would convert them). */
  nonFinite?: NonFinitePolicy;
  /** Called after each sample (for progress bars). */
  onSample?: (done: number, total: number) => void;
  /** Also return the raw per-layer KernelStats (used to merge parallel runs). */
  keepStats?: boolean;
}

/** One traced tensor: raw mantissas of all samples, row-major [n, ...shape] (bigints when wider than 53 bits). */
export interface TraceTensor {
  shape: number[];
  type: FixedType;
  raw: Float64Array | bigint[];
}

/** What {@link Emulator.predict} returns. */
export interface PredictResult {
  /** Number of samples. */
  n: number;
  /** Per-sample output shape. */
  shape: number[];
  type: FixedType;
  /** Raw output mantissas, [n, ...shape] row-major. */
  raw: Float64Array;
  /** The same as doubles (raw · 2^−F). */
  values: Float64Array;
  trace?: Record<string, TraceTensor>;
  report?: OverflowReport;
  /** Per-layer raw statistics (with `keepStats`). */
  stats?: KernelStats[];
}

/** A compiled firmware model, ready to run many batches. */
export class Emulator {
  readonly graph: FirmwareGraph;
  private readonly layers: CompiledLayer[];
  private readonly outIdx: number;

  /**
   * @example const emu = new Emulator(convertModel(model, cfg)); const r = emu.predict(x);
   */
  constructor(graph: FirmwareGraph | FirmwareGraphSpec) {
    this.graph = checkFirmwareGraph(graph);
    this.layers = compileGraph(this.graph);
    this.outIdx = this.graph.layers.findIndex((l) => l.name === this.graph.output) + 1;
  }

  /** Output type of the network. @example emu.outputType */
  get outputType(): FixedType {
    return this.graph.layers[this.outIdx - 1]!.types.result;
  }

  /**
   * Run on raw input mantissas (already in the input type): `raw` holds n samples back to back.
   *
   * @example emu.predictRaw(new Float64Array(784), 1);
   */
  predictRaw(raw: Float64Array, n: number, opts: PredictOptions = {}): PredictResult {
    const per = shapeSize(this.graph.input.shape);
    if (raw.length !== n * per) throw new ShapeError('inputs', `expected ${n}×${per} raw values, got ${raw.length}`);
    const outLayer = this.graph.layers[this.outIdx - 1]!;
    const outSize = shapeSize(outLayer.shapeOut);
    const out = new Float64Array(n * outSize);
    const trace: Record<string, TraceTensor> | undefined = opts.trace ? {} : undefined;
    if (trace) {
      for (const L of this.graph.layers) {
        const size = n * shapeSize(L.shapeOut);
        trace[L.name] = { shape: L.shapeOut, type: L.types.result, raw: L.types.result.W <= 53 ? new Float64Array(size) : new Array<bigint>(size).fill(0n) };
      }
    }
    const stats: KernelStats[] | undefined = opts.report ? this.layers.map(() => newKernelStats()) : undefined;
    if (outLayer.types.result.W > 53) throw new UnsupportedError(`${outLayer.name}.types.result`, 'network output types wider than 53 bits are not supported');
    const vals: RawOutput[] = new Array(this.layers.length + 1);
    for (let s = 0; s < n; s++) {
      vals[0] = raw.subarray(s * per, (s + 1) * per);
      for (let k = 0; k < this.layers.length; k++) {
        const c = this.layers[k]!;
        const xs = c.inputIdx.map((i) => vals[i]!);
        const y = c.run(xs, stats?.[k]);
        vals[k + 1] = y;
        if (trace) {
          const tr = trace[c.layer.name]!.raw;
          if (tr instanceof Float64Array) tr.set(y as Float64Array, s * y.length);
          else for (let i = 0; i < y.length; i++) tr[s * y.length + i] = BigInt(y[i]!);
        }
      }
      out.set(vals[this.outIdx]! as Float64Array, s * outSize);
      opts.onSample?.(s + 1, n);
    }
    const t = outLayer.types.result;
    const scale = 2 ** -frac(t);
    const values = new Float64Array(out.length);
    for (let i = 0; i < out.length; i++) values[i] = out[i]! * scale;
    const res: PredictResult = { n, shape: [...outLayer.shapeOut], type: t, raw: out, values };
    if (trace) res.trace = trace;
    if (stats && opts.keepStats) res.stats = stats;
    if (stats) res.report = buildReport(this.graph, stats, n);
    return res;
  }

  /**
   * Run on float inputs (ndarray, nested arrays, or `{ data, shape }`), cast to the input type as
   * the firmware does.
   *
   * @example emu.predict([[0.1, 0.2, 0.3, 0.4]], { trace: true, report: true });
   */
  predict(inputs: InputLike, opts: PredictOptions = {}): PredictResult {
    const b = toBatch(inputs, this.graph.input.shape);
    const inStats = newCastStats();
    const raw = castInputs(b, this.graph.input.type, opts.nonFinite ?? 'error', inStats);
    const r = this.predictRaw(raw, b.n, opts);
    if (r.report) r.report.input = { ...inStats, type: formatFixedType(this.graph.input.type) };
    return r;
  }
}

/**
 * One-shot prediction (compiles the graph each call; keep an {@link Emulator} for repeated use).
 *
 * @example const { values, raw } = predict(fw, [[0.5, -1, 2, 0]]);
 */
export function predict(graph: FirmwareGraph, inputs: InputLike, opts: PredictOptions = {}): PredictResult {
  return new Emulator(graph).predict(inputs, opts);
}
