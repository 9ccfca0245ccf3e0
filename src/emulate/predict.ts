/**
 * Bit-exact prediction: run a FirmwareGraph on a batch (one per input port), returning every output
 * port as doubles and raw mantissas, optionally every layer's output (trace) and the per-layer
 * overflow report (with the input casts per port).
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

/** One output port of a prediction: `n` samples of `shape` in `type`. */
export interface PortResult {
  /** The output layer's name. */
  name: string;
  /** Per-sample shape. */
  shape: number[];
  type: FixedType;
  /** Raw mantissas, [n, ...shape] row-major. */
  raw: Float64Array;
  /** The same as doubles (raw · 2^−F). */
  values: Float64Array;
}

/** What {@link Emulator.predict} returns. */
export interface PredictResult {
  /** Number of samples. */
  n: number;
  /** Per-sample shape of the (first) output. */
  shape: number[];
  type: FixedType;
  /** Raw mantissas of the (first) output, [n, ...shape] row-major. */
  raw: Float64Array;
  /** The same as doubles (raw · 2^−F). */
  values: Float64Array;
  /** Every output port in the model's output order (`outputs[0]` holds `raw`/`values` above). */
  outputs: PortResult[];
  trace?: Record<string, TraceTensor>;
  report?: OverflowReport;
  /** Per-layer raw statistics (with `keepStats`). */
  stats?: KernelStats[];
}

/**
 * Inputs of a prediction: for a single-input model one batch (anything {@link toBatch} takes); for
 * several inputs one batch per input port, as a list in the model's input order or a record keyed
 * by the input names.
 */
export type PredictInputs = InputLike | InputLike[] | Record<string, InputLike>;

function isPlainRecord(x: unknown): x is Record<string, unknown> {
  if (!x || typeof x !== 'object' || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  if ('data' in x && 'shape' in x) return false;
  return Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null;
}

/**
 * One batch per input port of `graph` from what the caller gave (see {@link PredictInputs}).
 *
 * @example portBatches(fw, [xA, xB]) // [xA, xB] for a two-input model
 */
export function portBatches(graph: FirmwareGraph, inputs: PredictInputs): InputLike[] {
  const ports = graph.inputs;
  const names = ports.map((p) => p.name);
  if (isPlainRecord(inputs)) {
    const keys = Object.keys(inputs);
    const sameKeys = keys.length === names.length && names.every((n) => keys.includes(n));
    if (sameKeys) return names.map((n) => (inputs as Record<string, InputLike>)[n]!);
    if (ports.length > 1) {
      const extra = keys.filter((k) => !names.includes(k));
      const missing = names.filter((n) => !keys.includes(n));
      throw new ShapeError('inputs', `expected one batch per model input (${names.join(', ')})${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unknown ${extra.join(', ')}` : ''}`);
    }
  }
  if (ports.length === 1) return [inputs as InputLike];
  if (!Array.isArray(inputs) || inputs.length !== ports.length) {
    throw new ShapeError('inputs', `the model has ${ports.length} inputs (${names.join(', ')}): give a list of ${ports.length} batches in that order, or a record keyed by input name`);
  }
  return inputs as InputLike[];
}

/** A compiled firmware model, ready to run many batches. */
export class Emulator {
  readonly graph: FirmwareGraph;
  private readonly layers: CompiledLayer[];
  /** Value-list index of each output (k = layers[k-1]). */
  private readonly outIdx: number[];

  /**
   * @example const emu = new Emulator(convertModel(model, cfg)); const r = emu.predict(x);
   */
  constructor(graph: FirmwareGraph | FirmwareGraphSpec) {
    this.graph = checkFirmwareGraph(graph);
    this.layers = compileGraph(this.graph);
    this.outIdx = this.graph.outputs.map((o) => this.graph.layers.findIndex((l) => l.name === o) + 1);
  }

  /** Output type of the network (its first output). @example emu.outputType */
  get outputType(): FixedType {
    return this.graph.layers[this.outIdx[0]! - 1]!.types.result;
  }

  /**
   * Run on raw input mantissas (already in the input types): for a single-input model `raw` holds n
   * samples back to back; for several inputs pass one such array per input port.
   *
   * @example emu.predictRaw(new Float64Array(784), 1);
   * @example emu.predictRaw([rawA, rawB], n); // two-input model
   */
  predictRaw(raw: Float64Array | readonly Float64Array[], n: number, opts: PredictOptions = {}): PredictResult {
    const ports = this.graph.inputs;
    const list = raw instanceof Float64Array ? [raw] : raw;
    if (list.length !== ports.length) throw new ShapeError('inputs', `the model has ${ports.length} inputs, got ${list.length} raw arrays`);
    const pers = ports.map((p) => shapeSize(p.shape));
    list.forEach((r, j) => {
      if (r.length !== n * pers[j]!) throw new ShapeError(ports.length > 1 ? `inputs[${j}]` : 'inputs', `expected ${n}×${pers[j]} raw values${ports.length > 1 ? ` for input '${ports[j]!.name}'` : ''}, got ${r.length}`);
    });
    const outLayers = this.outIdx.map((k) => this.graph.layers[k - 1]!);
    for (const L of outLayers) {
      if (L.types.result.W > 53) throw new UnsupportedError(`${L.name}.types.result`, 'network output types wider than 53 bits are not supported');
    }
    const outSizes = outLayers.map((L) => shapeSize(L.shapeOut));
    const outs = outSizes.map((sz) => new Float64Array(n * sz));
    const trace: Record<string, TraceTensor> | undefined = opts.trace ? {} : undefined;
    if (trace) {
      for (const L of this.graph.layers) {
        const size = n * shapeSize(L.shapeOut);
        trace[L.name] = { shape: L.shapeOut, type: L.types.result, raw: L.types.result.W <= 53 ? new Float64Array(size) : new Array<bigint>(size).fill(0n) };
      }
    }
    const stats: KernelStats[] | undefined = opts.report ? this.layers.map(() => newKernelStats()) : undefined;
    const nl = this.layers.length;
    const vals: RawOutput[] = new Array(nl + ports.length);
    for (let s = 0; s < n; s++) {
      for (let j = 0; j < ports.length; j++) vals[j === 0 ? 0 : nl + j] = list[j]!.subarray(s * pers[j]!, (s + 1) * pers[j]!);
      for (let k = 0; k < nl; k++) {
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
      for (let o = 0; o < outs.length; o++) outs[o]!.set(vals[this.outIdx[o]!]! as Float64Array, s * outSizes[o]!);
      opts.onSample?.(s + 1, n);
    }
    const outputs: PortResult[] = outLayers.map((L, o) => {
      const t = L.types.result;
      const scale = 2 ** -frac(t);
      const out = outs[o]!;
      const values = new Float64Array(out.length);
      for (let i = 0; i < out.length; i++) values[i] = out[i]! * scale;
      return { name: L.name, shape: [...L.shapeOut], type: t, raw: out, values };
    });
    const first = outputs[0]!;
    const res: PredictResult = { n, shape: [...first.shape], type: first.type, raw: first.raw, values: first.values, outputs };
    if (trace) res.trace = trace;
    if (stats && opts.keepStats) res.stats = stats;
    if (stats) res.report = buildReport(this.graph, stats, n);
    return res;
  }

  /**
   * Run on float inputs (ndarray, nested arrays, or `{ data, shape }`), cast to each input port's
   * type as the firmware does. A multi-input model takes one batch per input port (a list in the
   * model's input order, or a record keyed by input name); every port needs the same sample count.
   *
   * @example emu.predict([[0.1, 0.2, 0.3, 0.4]], { trace: true, report: true });
   * @example emu.predict({ seq_in: xs, aux_in: aux }).outputs.map((o) => o.values);
   */
  predict(inputs: PredictInputs, opts: PredictOptions = {}): PredictResult {
    const ports = this.graph.inputs;
    const given = portBatches(this.graph, inputs);
    const batches = given.map((x, j) => toBatch(x, ports[j]!.shape, ports.length > 1 ? `inputs[${j}]` : 'inputs'));
    const n = batches[0]!.n;
    batches.forEach((b, j) => {
      if (b.n !== n) throw new ShapeError(`inputs[${j}]`, `input '${ports[j]!.name}' has ${b.n} samples but input '${ports[0]!.name}' has ${n}: every input needs the same number of samples`);
    });
    const inStats = ports.map(() => newCastStats());
    const raws = batches.map((b, j) => castInputs(b, ports[j]!.type, opts.nonFinite ?? 'error', inStats[j], ports.length > 1 ? `inputs[${j}]` : 'inputs'));
    const r = this.predictRaw(ports.length === 1 ? raws[0]! : raws, n, opts);
    if (r.report) {
      r.report.input = { ...inStats[0]!, type: formatFixedType(ports[0]!.type) };
      r.report.inputs = ports.map((p, j) => ({ ...inStats[j]!, name: p.name, type: formatFixedType(p.type) }));
    }
    return r;
  }
}

/**
 * One-shot prediction (compiles the graph each call; keep an {@link Emulator} for repeated use).
 *
 * @example const { values, raw } = predict(fw, [[0.5, -1, 2, 0]]);
 */
export function predict(graph: FirmwareGraph, inputs: PredictInputs, opts: PredictOptions = {}): PredictResult {
  return new Emulator(graph).predict(inputs, opts);
}
