/**
 * Post-training quantization scans: for each bit width W a config (homogeneous `fixed<W,I>`, one
 * layer varied, or one kind of tensor varied), converted with hls4ml's rules and emulated bit-exactly
 * on a whole dataset in batches; per point the accuracy, the argmax agreement with the float model,
 * per-layer overflow counts and the time taken. The float64 reference gives the baseline.
 *
 * A scan runs all its points together on a GraphPool (src/emulate/parallel.ts): the dataset is
 * shared with the worker threads once, each point's layers that equal the baseline's run once per
 * image for all the points of a series, points equal to the baseline are not run again, and each
 * point's result is exactly what {@link evaluateConfig} (one Emulator per config) gives.
 */
import { ConfigError } from '../errors.js';
import { argmaxRows, evaluateFloat } from '../emulate/float.js';
import { platform } from '../platform/index.js';
import { GraphPool, ParallelEmulator, sharedLayers, type GraphResult, type SuffixGraph } from '../emulate/parallel.js';
import { Emulator } from '../emulate/predict.js';
import { buildReport, type LayerReport, type OverflowReport } from '../emulate/report.js';
import { formatFixedType } from '../fixed/types.js';
import type { Hls4mlConfig } from '../graph/config.js';
import { convertModel } from '../graph/convert.js';
import { shapeSize, type FirmwareGraph, type IOType } from '../graph/firmware.js';
import type { ModelGraph } from '../graph/model.js';
import {
  baselineConfig,
  configurableLayers,
  DEFAULT_WIDTHS,
  fixedTypeText,
  homogeneousConfig,
  kindConfig,
  layerConfig,
  TENSOR_KINDS,
  type TensorKind,
} from './configs.js';
import { agreementOf, modelClassCount, modelInputShape, sliceSamples, toSamples, type DataLike, type LabelledData, type Samples } from './data.js';
import { isQatModel, trainedPrecisions, unquantizedConfig } from './qat.js';

/** Progress of a scan (for progress bars). */
export interface ScanProgress {
  phase: 'float' | 'emulate';
  /** Series and width being emulated. */
  series?: string;
  width?: number;
  /** Points finished, and in total. */
  point: number;
  points: number;
  /** Images processed in the whole run, and in total (float pass included). */
  done: number;
  total: number;
}

/** Options shared by every scan. */
export interface ScanOptions {
  model: ModelGraph;
  /** Inputs: `{ data, shape: [n, ...input shape] }`, or normalised {@link Samples}. */
  data: DataLike | Samples;
  /** Integer class labels (accuracy is reported only with labels; default: `data.labels` of a {@link LabelledData}). */
  labels?: ArrayLike<number>;
  /** Bit widths W (default 16..2). */
  widths?: readonly number[];
  /** Integer bits I of `fixed<W,I>` (default 6). */
  integerBits?: number;
  /** Fractional bits F instead: `fixed<W, W−F>`. */
  fractionalBits?: number;
  /** Quantization / overflow modes of the scanned types, hls4ml spelling (e.g. `RND,SAT`; default TRN,WRAP). */
  modes?: string;
  /** Settings kept at every point (ReuseFactor, Strategy, table types…); for per-layer/per-kind scans also the precisions of everything not varied. Default: hls4ml's defaults (`fixed<16,6>`). */
  baseConfig?: Hls4mlConfig;
  ioType?: IOType;
  /** Images per emulator call (default 1000). */
  batchSize?: number;
  /** Worker threads per emulation (see {@link resolveWorkers}; default 'auto'). */
  workers?: number | 'auto';
  onProgress?: (p: ScanProgress) => void;
  /** Called when a point is finished. */
  onPoint?: (series: ScanSeries, point: ScanPoint) => void;
  /** A float baseline computed before (skips the float pass). */
  float?: FloatBaseline;
}

/** A series: how to build the config for a type. */
export interface SeriesSpec {
  name: string;
  /** `unquantized`: a QAT model's tensors without trained types (see ptq/qat.ts). */
  kind: 'homogeneous' | 'layer' | 'unquantized' | TensorKind;
  layer?: string;
  config(type: string): Hls4mlConfig;
}

/** Emulation metrics of one config on the dataset. */
export interface PointMetrics {
  /** Share of correct argmax predictions (undefined without labels). */
  accuracy?: number;
  /** Share of samples whose argmax equals the float model's. */
  agreement: number;
  /** Overflowing values (wrapped or saturated, accum + result + internal casts) per layer, non-zero only. */
  overflows: Record<string, number>;
  /** The same split by cast kind, non-zero layers only. */
  overflowDetail: Record<string, { accum: number; result: number; internal: number }>;
  /** Sum of {@link overflows}. */
  overflowTotal: number;
  /** Input values that wrapped/saturated in the cast to the input type. */
  inputOverflows: number;
  /** Per-layer report summed over all batches. */
  report?: OverflowReport;
  /** Argmax per sample. */
  predictions: Int32Array;
  seconds: number;
}

/** One point of a series. */
export interface ScanPoint {
  width: number;
  integerBits: number;
  fractionalBits: number;
  /** hls4ml type text, e.g. `fixed<8,6>`. */
  type: string;
  accuracy?: number;
  agreement?: number;
  overflows: Record<string, number>;
  overflowDetail: Record<string, { accum: number; result: number; internal: number }>;
  overflowTotal: number;
  inputOverflows: number;
  seconds: number;
  /** Set when the conversion or the emulation failed for this point. */
  error?: string;
  /** The point's conversion warnings (e.g. weights that quantize to 0) and report warnings (collapsed lookup tables). */
  warnings?: string[];
}

/** One series of points. */
export interface ScanSeries {
  name: string;
  kind: SeriesSpec['kind'];
  layer?: string;
  points: ScanPoint[];
}

/** The float64 baseline. */
export interface FloatBaseline {
  n: number;
  predictions: Int32Array;
  accuracy?: number;
  seconds: number;
}

/** A quantization-aware-trained model evaluated at its trained types (the QAT baseline). */
export interface QatBaseline {
  /** What the baseline is: the trained types (config_from_keras_model at 'name' granularity), or the given config. */
  config: string;
  accuracy?: number;
  agreement: number;
  overflowTotal: number;
  overflows: Record<string, number>;
  seconds: number;
  error?: string;
}

/** What a scan returns (also the JSON file's content). */
export interface ScanResult {
  model: string;
  /** For a quantization-aware-trained model: its accuracy at its trained types. */
  qat?: QatBaseline;
  /** Images emulated per point. */
  n: number;
  /** Classes of the model's output (the chance accuracy is 1/classes). */
  classes?: number;
  /** The types of everything a series does not vary (per-layer and per-kind series), e.g. `fixed<16,6>`. */
  baseline?: string;
  ioType: IOType;
  widths: number[];
  integerBits?: number;
  fractionalBits?: number;
  /** Quantization / overflow modes of the scanned types, when not the default TRN,WRAP. */
  modes?: string;
  float: { accuracy?: number; seconds: number };
  series: ScanSeries[];
  totalSeconds: number;
  /** Emulated images per second over the whole scan. */
  imagesPerSecond: number;
}

function isSamples(d: DataLike | Samples): d is Samples {
  return 'x' in d && 'sampleShape' in d;
}

function samplesOf(model: ModelGraph, data: DataLike | Samples): Samples {
  return isSamples(data) ? data : toSamples(data, modelInputShape(model));
}

/**
 * Float64 predictions and accuracy of the model on the data.
 *
 * @example const base = floatBaseline(model, { data: images, shape: [1000, 28, 28, 1] }, labels); base.accuracy // 0.875
 */
export function floatBaseline(model: ModelGraph, data: DataLike | Samples, labels?: ArrayLike<number>, opts: { batchSize?: number; onImages?: (done: number) => void } = {}): FloatBaseline {
  const s = samplesOf(model, data);
  const t0 = performance.now();
  const bs = opts.batchSize ?? 256;
  const predictions = new Int32Array(s.n);
  let per = 0;
  for (let i = 0; i < s.n; i += bs) {
    const e = Math.min(s.n, i + bs);
    const r = evaluateFloat(model, sliceSamples(s, i, e), { batchSize: bs });
    per = shapeSize(r.shape);
    predictions.set(argmaxRows(r.values, per), i);
    opts.onImages?.(e);
  }
  const out: FloatBaseline = { n: s.n, predictions, seconds: (performance.now() - t0) / 1000 };
  if (labels) out.accuracy = agreementOf(predictions, labels);
  return out;
}

function addCast(into: { wrapped: number; saturated: number }, from: { wrapped: number; saturated: number }): void {
  into.wrapped += from.wrapped;
  into.saturated += from.saturated;
}

function mergeReports(into: OverflowReport | undefined, r: OverflowReport): OverflowReport {
  if (!into) return structuredClone(r);
  into.samples += r.samples;
  addCast(into.input, r.input);
  r.layers.forEach((l, i) => {
    const t: LayerReport = into.layers[i]!;
    addCast(t.accum, l.accum);
    addCast(t.result, l.result);
    addCast(t.internal, l.internal);
    t.resultCount += l.resultCount;
    t.maxAbs = Math.max(t.maxAbs, l.maxAbs);
    t.overflowed ||= l.overflowed;
  });
  return into;
}

/** Set when worker threads failed once: later emulations stay in this thread. */
let parallelFailure: string | undefined;

/** Datasets smaller than this are emulated in this thread under `workers: 'auto'` (spawning costs more). */
export const AUTO_WORKERS_MIN_SAMPLES = 1000;

/**
 * Worker threads for an emulation of n samples: a number is used as given (≤ 1 = this thread);
 * 'auto' (default) = the machine's available parallelism (at most 8) when n ≥
 * {@link AUTO_WORKERS_MIN_SAMPLES}, else this thread.
 *
 * @example resolveWorkers('auto', 10000) // e.g. 8 on an 8-core machine
 */
export function resolveWorkers(workers: number | 'auto' | undefined, n: number): number {
  if (typeof workers === 'number') return Math.max(1, Math.floor(workers));
  return n >= AUTO_WORKERS_MIN_SAMPLES ? Math.max(1, Math.min(8, platform().cpuCount())) : 1;
}

/**
 * Convert and emulate one config on the whole dataset (in batches), with overflow counting.
 *
 * @example const m = await evaluateConfig(model, cfg, samples, { labels, reference: base.predictions }); m.accuracy
 */
export async function evaluateConfig(
  model: ModelGraph,
  config: Hls4mlConfig,
  data: DataLike | Samples,
  opts: { labels?: ArrayLike<number>; reference?: ArrayLike<number>; batchSize?: number; workers?: number | 'auto'; onImages?: (done: number) => void } = {},
): Promise<PointMetrics> {
  const s = samplesOf(model, data);
  const t0 = performance.now();
  const fw = convertModel(model, config);
  const workers = parallelFailure ? 1 : resolveWorkers(opts.workers, s.n);
  let emu: Emulator | ParallelEmulator = workers > 1 ? new ParallelEmulator(fw, { workers }) : new Emulator(fw);
  const bs = opts.batchSize ?? 1000;
  const predictions = new Int32Array(s.n);
  let report: OverflowReport | undefined;
  try {
    for (let i = 0; i < s.n; i += bs) {
      const e = Math.min(s.n, i + bs);
      const onSample = opts.onImages ? (k: number) => opts.onImages!(i + k) : undefined;
      const po = { report: true, ...(onSample ? { onSample } : {}) };
      let r;
      try {
        // `await` accepts both the synchronous Emulator and the worker-based ParallelEmulator.
        r = await emu.predict(sliceSamples(s, i, e), po);
      } catch (err) {
        if (!(emu instanceof ParallelEmulator)) throw err;
        // Workers unavailable (or the error is real: then the in-thread run throws it again).
        await emu.close().catch(() => undefined);
        emu = new Emulator(fw);
        r = emu.predict(sliceSamples(s, i, e), po);
        parallelFailure = err instanceof Error ? err.message : String(err);
        platform().warn(`hlsemu: worker threads unavailable (${parallelFailure}); emulating in the main thread`);
      }
      predictions.set(argmaxRows(r.values, shapeSize(r.shape)), i);
      if (r.report) report = mergeReports(report, r.report);
      opts.onImages?.(e);
    }
  } finally {
    if (emu instanceof ParallelEmulator) await emu.close();
  }
  return pointMetrics(report, predictions, (performance.now() - t0) / 1000, opts);
}

/** Accuracy, agreement and overflow counts of one point from its summed report. */
function pointMetrics(report: OverflowReport | undefined, predictions: Int32Array, seconds: number, opts: { labels?: ArrayLike<number>; reference?: ArrayLike<number> }): PointMetrics {
  const overflows: Record<string, number> = {};
  const overflowDetail: PointMetrics['overflowDetail'] = {};
  let overflowTotal = 0;
  for (const l of report?.layers ?? []) {
    const d = { accum: l.accum.wrapped + l.accum.saturated, result: l.result.wrapped + l.result.saturated, internal: l.internal.wrapped + l.internal.saturated };
    const t = d.accum + d.result + d.internal;
    if (t > 0) {
      overflows[l.layer] = t;
      overflowDetail[l.layer] = d;
      overflowTotal += t;
    }
  }
  const out: PointMetrics = {
    agreement: opts.reference ? agreementOf(predictions, opts.reference) : NaN,
    overflows,
    overflowDetail,
    overflowTotal,
    inputOverflows: report ? report.input.wrapped + report.input.saturated : 0,
    predictions,
    seconds,
  };
  if (report) out.report = report;
  if (opts.labels) out.accuracy = agreementOf(predictions, opts.labels);
  return out;
}

function typeParams(opts: ScanOptions, W: number): { I: number; F: number } {
  if (opts.fractionalBits !== undefined && opts.integerBits !== undefined) throw new ConfigError('integerBits', 'give integerBits or fractionalBits, not both');
  if (opts.fractionalBits !== undefined) return { I: W - opts.fractionalBits, F: opts.fractionalBits };
  const I = opts.integerBits ?? 6;
  return { I, F: W - I };
}

/**
 * Run scan series: every width of every series is converted and emulated on the whole dataset.
 *
 * @example
 * const r = await runScan({ model, data, labels, widths: [16, 8], series: [{ name: 'all', kind: 'homogeneous', config: (t) => homogeneousConfig(t) }] });
 */
export async function runScan(opts: ScanOptions & { series: SeriesSpec[] }): Promise<ScanResult> {
  const t0 = performance.now();
  const s = samplesOf(opts.model, opts.data);
  opts = { ...opts };
  if (!opts.labels && 'labels' in opts.data && opts.data.labels) opts.labels = (opts.data as LabelledData).labels; // LabelledData carries its labels
  const widths = [...(opts.widths ?? DEFAULT_WIDTHS)];
  if (opts.labels && opts.labels.length < s.n) throw new ConfigError('labels', `${opts.labels.length} labels for ${s.n} samples`);
  const nPoints = widths.length * opts.series.length;
  const total = nPoints * s.n + (opts.float ? 0 : s.n);
  let done = 0;
  let finished = 0;
  /** Emulated point-images so far (the pool's progress scaled to all points, shared ones included). */
  let emuDone = 0;
  const progress = (p: Partial<ScanProgress> & { phase: ScanProgress['phase'] }, now: number) => opts.onProgress?.({ point: finished, points: nPoints, done: Math.min(total, done + now), total, ...p });

  // Every point's firmware, and how many leading layers it shares with the baseline (those run
  // once per image for all points that share them; a point equal to the baseline is not re-run).
  const baseCfg = baselineConfig(opts.baseConfig, opts.ioType, opts.model);
  let base: FirmwareGraph | undefined;
  try {
    base = withoutText(convertModel(opts.model, baseCfg));
  } catch {
    base = undefined;
  }
  // A quantization-aware-trained model is also evaluated at its trained types (the baseline
  // config): in the pool, with the points, when the baseline converts.
  const qatLabel = opts.baseConfig ? 'the given config' : "trained types (config_from_keras_model, granularity 'name')";
  const qatInPool = base !== undefined && isQatModel(opts.model);
  let qat: QatBaseline | undefined;
  interface Planned {
    series: number;
    width: number;
    base: Omit<ScanPoint, 'overflows' | 'overflowDetail' | 'overflowTotal' | 'inputOverflows' | 'seconds'>;
    graph?: FirmwareGraph;
    from: number;
    error?: string;
  }
  const series: ScanSeries[] = opts.series.map((spec) => ({ name: spec.name, kind: spec.kind, ...(spec.layer !== undefined ? { layer: spec.layer } : {}), points: [] }));
  const points: (ScanPoint | undefined)[][] = opts.series.map(() => widths.map(() => undefined));
  const planned: Planned[][] = opts.series.map((_, si) =>
    widths.map((W) => {
      const { I, F } = typeParams(opts, W);
      return { series: si, width: W, base: { width: W, integerBits: I, fractionalBits: F, type: fixedTypeText(W, I, opts.modes) }, from: 0 };
    }),
  );
  const convert = (p: Planned) => {
    try {
      p.graph = withoutText(convertModel(opts.model, opts.series[p.series]!.config(p.base.type)));
    } catch (e) {
      p.error = e instanceof Error ? e.message : String(e);
    }
  };
  // Without a baseline, the first point that converts stands in for it.
  if (!base) {
    for (const p of planned.flat()) {
      convert(p);
      if (p.graph) {
        base = p.graph;
        break;
      }
    }
  }
  const workers = parallelFailure ? 1 : resolveWorkers(opts.workers, s.n);
  const pool = new GraphPool({ workers });
  let float: FloatBaseline;
  let emuSeconds = 0;
  let emulated = 0;
  try {
    if (base) await pool.start(s.x, s.sampleShape, base, opts.float ? undefined : opts.model);
    if (pool.workerFailure) {
      parallelFailure = pool.workerFailure;
      platform().warn(`hlsemu: worker threads unavailable (${parallelFailure}); emulating in the main thread`);
    }
    // The float pass runs on the workers while this thread converts the points.
    const tf = performance.now();
    const floatPred = opts.float ? null : base ? pool.floatPredictions((k) => progress({ phase: 'float' }, k)) : Promise.resolve(floatBaseline(opts.model, s).predictions);
    floatPred?.catch(() => undefined);
    for (const p of planned.flat()) {
      if (!p.graph && !p.error) {
        convert(p);
        if (pool.threads > 1) await new Promise((r) => setImmediate(r)); // let the workers' messages in
      }
      if (p.graph && base) p.from = sharedLayers(base, p.graph);
    }
    if (opts.float) float = opts.float;
    else {
      const predictions = await floatPred!;
      float = { n: s.n, predictions, seconds: (performance.now() - tf) / 1000 };
      if (opts.labels) float.accuracy = agreementOf(predictions, opts.labels);
      done += s.n;
    }
    if (base) {
      const L = base.layers.length;
      const isBase = (p: Planned) => p.graph !== undefined && p.from === L && p.graph.layers.length === L;
      // One set per series (its points usually share the same leading layers), plus the baseline
      // itself when some point equals it.
      const sets: SuffixGraph[][] = [];
      const where: { p: Planned; set: number; index: number }[] = [];
      const aliases: Planned[] = [];
      planned.forEach((list) => {
        const set: SuffixGraph[] = [];
        for (const p of list) {
          if (!p.graph) continue;
          if (isBase(p)) {
            aliases.push(p);
            continue;
          }
          where.push({ p, set: sets.length, index: set.length });
          set.push({ graph: p.graph, from: p.from });
        }
        if (set.length) sets.push(set);
      });
      const baseSet = aliases.length || qatInPool ? sets.push([{ graph: base, from: L }]) - 1 : -1;
      const baseGraph = base;
      const te = performance.now();
      const finish = (p: Planned, r: GraphResult | null, graph: FirmwareGraph) => {
        let point: ScanPoint;
        if (!r || r.error) point = { ...p.base, overflows: {}, overflowDetail: {}, overflowTotal: 0, inputOverflows: 0, seconds: r?.seconds ?? 0, error: r?.error ?? p.error ?? 'failed' };
        else {
          const report = r.stats ? buildReport(graph, r.stats, s.n) : undefined;
          if (report) report.input = { ...r.input, type: formatFixedType(graph.input.type) };
          const m = pointMetrics(report, r.pred, r.seconds, { ...(opts.labels ? { labels: opts.labels } : {}), reference: float.predictions });
          point = { ...p.base, agreement: m.agreement, overflows: m.overflows, overflowDetail: m.overflowDetail, overflowTotal: m.overflowTotal, inputOverflows: m.inputOverflows, seconds: m.seconds };
          if (m.accuracy !== undefined) point.accuracy = m.accuracy;
          const warnings = [...(graph.warnings ?? []), ...(report?.warnings ?? [])];
          if (warnings.length) point.warnings = warnings;
        }
        points[p.series]![widths.indexOf(p.width)] = point;
        finished++;
        progress({ phase: 'emulate', series: opts.series[p.series]!.name, width: p.width }, emuDone);
        opts.onPoint?.(series[p.series]!, point);
      };
      const qatBaseline = (config: string, r: GraphResult | null, graph: FirmwareGraph): QatBaseline => {
        if (!r || r.error) return { config, agreement: NaN, overflowTotal: 0, overflows: {}, seconds: r?.seconds ?? 0, error: r?.error ?? 'failed' };
        const report = r.stats ? buildReport(graph, r.stats, s.n) : undefined;
        const m = pointMetrics(report, r.pred, r.seconds, { ...(opts.labels ? { labels: opts.labels } : {}), reference: float.predictions });
        const q: QatBaseline = { config, agreement: m.agreement, overflowTotal: m.overflowTotal, overflows: m.overflows, seconds: m.seconds };
        if (m.accuracy !== undefined) q.accuracy = m.accuracy;
        return q;
      };
      const whereOf = new Map(where.map((x) => [`${x.set}:${x.index}`, x.p]));
      await pool.evaluate(sets, {
        report: true,
        ...(opts.batchSize ? { chunk: opts.batchSize } : {}),
        onProgress: (k, t) => {
          emuDone = Math.floor((k / t) * nPoints * s.n);
          progress({ phase: 'emulate' }, emuDone);
        },
        onGraph: (si, gi, r) => {
          if (si === baseSet) {
            for (const p of aliases) finish(p, r, p.graph!);
            if (qatInPool) qat = qatBaseline(qatLabel, r, baseGraph);
          } else {
            const p = whereOf.get(`${si}:${gi}`)!;
            finish(p, r, p.graph!);
          }
        },
      });
      emuSeconds = (performance.now() - te) / 1000;
      emulated = (where.length + aliases.length) * s.n;
    }
    done = total;
    progress({ phase: 'emulate' }, 0);
  } finally {
    await pool.close();
  }
  // A QAT model whose baseline config did not convert: evaluateConfig names the failure.
  if (isQatModel(opts.model) && !qat) {
    const tq = performance.now();
    const label = qatLabel;
    try {
      const m = await evaluateConfig(opts.model, baseCfg, s, {
        ...(opts.labels ? { labels: opts.labels } : {}),
        reference: float!.predictions,
        ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
        ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      });
      qat = { config: label, agreement: m.agreement, overflowTotal: m.overflowTotal, overflows: m.overflows, seconds: m.seconds };
      if (m.accuracy !== undefined) qat.accuracy = m.accuracy;
    } catch (e) {
      qat = { config: label, agreement: NaN, overflowTotal: 0, overflows: {}, seconds: (performance.now() - tq) / 1000, error: e instanceof Error ? e.message : String(e) };
    }
  }
  // Conversion errors.
  for (const p of planned.flat()) {
    if (points[p.series]![widths.indexOf(p.width)]) continue;
    const point: ScanPoint = { ...p.base, overflows: {}, overflowDetail: {}, overflowTotal: 0, inputOverflows: 0, seconds: 0, error: p.error ?? 'failed' };
    points[p.series]![widths.indexOf(p.width)] = point;
    opts.onPoint?.(series[p.series]!, point);
  }
  series.forEach((sr, si) => (sr.points = points[si]! as ScanPoint[]));
  let classes: number | undefined;
  try {
    classes = modelClassCount(opts.model);
  } catch {
    classes = undefined;
  }
  const res: ScanResult = {
    model: opts.model.name,
    ...(qat ? { qat } : {}),
    n: s.n,
    ...(classes !== undefined ? { classes } : {}),
    baseline: baselineText(baseCfg, opts.model, !!opts.baseConfig),
    ioType: baseCfg.IOType ?? 'io_parallel',
    widths,
    float: { seconds: float!.seconds, ...(float!.accuracy !== undefined ? { accuracy: float!.accuracy } : {}) },
    series,
    totalSeconds: (performance.now() - t0) / 1000,
    imagesPerSecond: emuSeconds > 0 ? emulated / emuSeconds : 0,
  };
  if (opts.modes?.trim()) res.modes = opts.modes.trim();
  if (opts.fractionalBits !== undefined) res.fractionalBits = opts.fractionalBits;
  else res.integerBits = opts.integerBits ?? 6;
  return res;
}

/** How the baseline of a scan reads in titles: its Model default type, or the QAT model's trained types. */
function baselineText(cfg: Hls4mlConfig, model: ModelGraph, given: boolean): string {
  if (!given && isQatModel(model)) return "trained (QAT) types, Model default for the rest";
  const p = cfg.Model.Precision;
  const def = typeof p === 'string' ? p : (p?.default ?? 'fixed<16,6>');
  const listed = Object.values(cfg.LayerName ?? {}).some((l) => l.Precision !== undefined) || Object.values(cfg.LayerType ?? {}).some((l) => l.Precision !== undefined);
  return listed ? `the given config (default ${def})` : def;
}

/**
 * The graph without the weights' decimal tokens (kept for emitting HLS code, not needed to
 * emulate): a scan holds hundreds of graphs and sends them to its workers.
 */
function withoutText(g: FirmwareGraph): FirmwareGraph {
  for (const L of g.layers) delete L.text;
  return g;
}

/**
 * The homogeneous series (everything `fixed<W,I>`). For a QAT model this re-quantizes the trained
 * activations too (weights keep their quantizers' types: hls4ml always gives them those).
 *
 * @example homogeneousSeries(base)
 */
export function homogeneousSeries(opts: Pick<ScanOptions, 'baseConfig' | 'ioType'> = {}): SeriesSpec {
  return { name: 'all tensors', kind: 'homogeneous', config: (t) => homogeneousConfig(t, opts.baseConfig, opts.ioType) };
}

/** A per-layer series (one layer at `fixed<W,I>`, the rest at the baseline). @example layerSeries(model, 'conv1') */
export function layerSeries(model: ModelGraph, layer: string, opts: Pick<ScanOptions, 'baseConfig' | 'ioType'> = {}): SeriesSpec {
  const known = configurableLayers(model);
  const name = known.find((k) => k === layer) ?? known.find((k) => k.toLowerCase() === layer.toLowerCase());
  if (!name) throw new ConfigError('--per-layer', `no layer '${layer}' in ${model.name} (layers: ${known.join(', ')})`);
  const base = baselineConfig(opts.baseConfig, opts.ioType, model);
  return { name: `layer ${name}`, kind: 'layer', layer: name, config: (t) => layerConfig(base, name, t) };
}

/** A per-kind series (weights / results / accum at `fixed<W,I>`, the rest at the baseline). @example kindSeries('weights') */
export function kindSeries(kind: TensorKind, opts: Pick<ScanOptions, 'baseConfig' | 'ioType'> & { model?: ModelGraph } = {}): SeriesSpec {
  if (!(kind in TENSOR_KINDS)) throw new ConfigError('--kind', `unknown tensor kind '${String(kind)}' (weights, results, accum)`);
  const base = baselineConfig(opts.baseConfig, opts.ioType, opts.model);
  return { name: `${kind} only`, kind, config: (t) => kindConfig(base, kind, t) };
}

/**
 * A QAT model's default series: the tensors training did not quantize (accumulators,
 * BatchNormalization, softmax, split activations — everything that resolves to the Model default)
 * at `fixed<W,I>`, every trained type kept (see ptq/qat.ts).
 *
 * @example unquantizedSeries(qkerasModel)
 */
export function unquantizedSeries(model: ModelGraph, opts: Pick<ScanOptions, 'baseConfig' | 'ioType'> = {}): SeriesSpec {
  const base = baselineConfig(opts.baseConfig, opts.ioType, model);
  const trained = trainedPrecisions(model);
  return { name: 'untrained tensors', kind: 'unquantized', config: (t) => unquantizedConfig(base, t, trained) };
}

/**
 * The scan of a quantization-aware-trained model: its accuracy at the trained types
 * (`ScanResult.qat`), and the {@link unquantizedSeries} over the widths.
 *
 * @example const r = await scanQat({ model: qkerasModel, data, labels, widths: [16, 12, 10, 8] }); r.qat!.accuracy
 */
export async function scanQat(opts: ScanOptions): Promise<ScanResult> {
  return runScan({ ...opts, series: [unquantizedSeries(opts.model, opts)] });
}

/**
 * The hls4ml CNN paper's scan: everything (weights, biases, results, accumulators, the input)
 * `fixed<W,I>` for each W; accuracy, agreement with float and overflows per point.
 *
 * @example
 * const { model, data } = await loadExample('fashion-mnist', { limit: 200 });
 * const r = await scanHomogeneous({ model, data: data, labels: data.labels, widths: [16, 12, 8] });
 * r.series[0]!.points.map((p) => p.accuracy); // [0.87, 0.26, 0.09] (hls4ml's TRN truncation; try modes: 'RND')
 */
export async function scanHomogeneous(opts: ScanOptions): Promise<ScanResult> {
  return runScan({ ...opts, series: [homogeneousSeries(opts)] });
}

/**
 * One series per layer: that layer's types (all of its variables) at `fixed<W,I>`, the rest at
 * the baseline (`baseConfig`, default `fixed<16,6>`). Layer names as hls4ml configures them
 * (see {@link configurableLayers}).
 *
 * @example const r = await scanPerLayer({ model, data, labels, layers: ['conv1', 'dense3'], widths: [8, 4] });
 */
export async function scanPerLayer(opts: ScanOptions & { layers: string[] }): Promise<ScanResult> {
  return runScan({ ...opts, series: opts.layers.map((l) => layerSeries(opts.model, l, opts)) });
}

/**
 * One series per tensor kind: only weights (+ biases, BN scales), only results, or only accumulators
 * at `fixed<W,I>`, the rest at the baseline.
 *
 * @example const r = await scanPerKind({ model, data, labels, kinds: ['weights', 'results'], widths: [8, 6, 4] });
 */
export async function scanPerKind(opts: ScanOptions & { kinds: TensorKind[] }): Promise<ScanResult> {
  return runScan({ ...opts, series: opts.kinds.map((k) => kindSeries(k, opts)) });
}
