/**
 * Per-layer type suggestion from a profile (PTQ):
 * - integer bits per layer and tensor from the observed max |value| — I = ⌊log2 max⌋ + 2 (so that
 *   2^(I−1) > max for a signed type) plus a margin (default 1 bit for activations and accumulators,
 *   0 for weights/biases/BN scales, whose values are known exactly);
 * - one number of fractional bits F common to all tensors (accumulators of Dense/Conv get
 *   F_in + F_w = 2F, so products and sums are exact — what hls4ml's 'auto' accum inference gives;
 *   pooling accumulators get the input type plus ⌈log2 pool area⌉ bits for averages), chosen by a
 *   scan from `maxFractionalBits` downwards: the smallest F such that every F' between it and the
 *   maximum keeps the accuracy within `targetDrop` percentage points of float;
 * - written as an hls4ml config (`LayerName` Precision entries, `Model` default for everything not
 *   listed, `IOType`), then verified by a final emulation of that config read back from JSON.
 */
import { ConfigError } from '../errors.js';
import { splitLayer } from '../layers/activation.js';
import { MODEL_CLASSES } from '../layers/registry.js';
import { parseHls4mlConfig, type Hls4mlConfig, type LayerSettings } from '../graph/config.js';
import type { IOType } from '../graph/firmware.js';
import type { ModelGraph, ModelLayer } from '../graph/model.js';
import { baselineConfig, fixedTypeText } from './configs.js';
import { isQatModel, qatConfig, trainedPrecisions } from './qat.js';
import { modelInputShape, toSamples, type DataLike, type LabelledData, type Samples } from './data.js';
import { alignTable } from './output.js';
import { profileModel, type Profile } from './profile.js';
import { evaluateConfig, floatBaseline, type FloatBaseline } from './scan.js';

/** Options of {@link suggestConfig}. */
export interface SuggestOptions {
  model: ModelGraph;
  data: DataLike | Samples;
  /** Labels (default: `data.labels` of a LabelledData): the target is on accuracy. Without labels it is on argmax agreement with float (reference 100%). */
  labels?: ArrayLike<number>;
  /** Allowed accuracy drop below float, in percentage points (default 0.5). */
  targetDrop?: number;
  /** Extra integer bits for activations / results and accumulators (default 1). */
  margin?: number;
  /** Extra integer bits for weights, biases and BN scales (default 0). */
  weightMargin?: number;
  /** Quantization / overflow modes of every suggested type, hls4ml spelling (e.g. `RND` or `RND,SAT`; default TRN,WRAP). */
  modes?: string;
  /** Fractional bits scanned: from `maxFractionalBits` (default 12) down to `minFractionalBits` (default 0). */
  maxFractionalBits?: number;
  minFractionalBits?: number;
  /** Non-precision settings to keep (ReuseFactor, Strategy, table types…) and the Model default type. */
  baseConfig?: Hls4mlConfig;
  /**
   * Quantization-aware-trained models: also size the tensors that have trained types (weights with
   * quantizers — whose types hls4ml takes from the quantizers anyway — and activation quantizers'
   * results). Default false: the trained types are kept and only the other tensors are sized.
   */
  requantize?: boolean;
  ioType?: IOType;
  batchSize?: number;
  /** Worker threads per emulation (default 'auto', see resolveWorkers). */
  workers?: number | 'auto';
  /** A profile computed before on the same data (skips the profiling pass). */
  profile?: Profile;
  /** Separate data to verify the final config on (default: the same data). */
  verify?: { data: DataLike | Samples; labels?: ArrayLike<number> };
  /** Called after each scanned F. */
  onStep?: (step: SuggestStep) => void;
  /** Called with (images done, images total) of the current phase. */
  onProgress?: (phase: string, done: number, total: number) => void;
}

/** One scanned F. */
export interface SuggestStep {
  fractionalBits: number;
  accuracy?: number;
  agreement: number;
  overflowTotal: number;
  seconds: number;
  pass: boolean;
}

/** The types chosen for one layer. */
export interface LayerSuggestion {
  layer: string;
  cls: string;
  /** hls4ml variable → type text. */
  types: Record<string, string>;
  /** hls4ml variable → the max |value| it was sized from. */
  maxAbs: Record<string, number>;
  /** A split 'linear' activation: its result type must equal this layer's result (so hls4ml removes it). */
  alias?: string;
}

/** What {@link suggestConfig} returns. */
export interface SuggestResult {
  model: string;
  n: number;
  config: Hls4mlConfig;
  fractionalBits: number;
  /** Whether the chosen F meets the target. */
  met: boolean;
  target: { metric: 'accuracy' | 'agreement'; reference: number; drop: number; threshold: number };
  float: { accuracy?: number };
  steps: SuggestStep[];
  layers: LayerSuggestion[];
  verification: { n: number; accuracy?: number; agreement: number; overflowTotal: number; overflows: Record<string, number>; seconds: number; sameDataAsScan: boolean };
  totalSeconds: number;
}

/**
 * Integer bits of a signed type that holds ±maxAbs: ⌊log2 maxAbs⌋ + 2 (+ margin); 1 + margin for 0.
 *
 * @example integerBitsFor(4.8, 0) // 4 (range ±8)
 * integerBitsFor(1, 0)   // 2 (1.0 needs 2^(I−1) > 1)
 * integerBitsFor(0.3, 1) // 1 (range ±0.5, plus one bit)
 */
export function integerBitsFor(maxAbs: number, margin: number): number {
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs)) return 1 + margin;
  return Math.floor(Math.log2(maxAbs)) + 2 + margin;
}

/** `fixed<I+F, I>` (with modes), widened (by raising I) to at least 2 bits. */
function typeText(I: number, F: number, modes?: string): string {
  const W = Math.max(I + F, 2);
  return fixedTypeText(W, W - F, modes);
}

/**
 * The suggested config for a given common F, from a profile (see the module header for the rules).
 *
 * @example const { config, layers } = suggestedConfig(model, profile, 8);
 */
export function suggestedConfig(
  model: ModelGraph,
  profile: Profile,
  F: number,
  opts: Pick<SuggestOptions, 'margin' | 'weightMargin' | 'modes' | 'baseConfig' | 'ioType' | 'requantize'> = {},
): { config: Hls4mlConfig; layers: LayerSuggestion[] } {
  const margin = opts.margin ?? 1;
  const wMargin = opts.weightMargin ?? 0;
  const act = new Map(profile.activations.map((a) => [a.layer, a.stats.maxAbs]));
  const wts = new Map(profile.weights.map((w) => [`${w.layer}/${w.tensor}`, w.stats.maxAbs]));
  const base = baselineConfig(opts.baseConfig, opts.ioType, model);
  const config: Hls4mlConfig = { Model: { ...base.Model }, IOType: base.IOType ?? 'io_parallel' };
  // trained types of a QAT model (kept unless re-quantizing): `<layer>.<var>` → type text
  const trained = new Map<string, string>();
  if (!opts.requantize && isQatModel(model)) {
    const names = trainedPrecisions(model);
    for (const [ln, st] of Object.entries(qatConfig(model).LayerName ?? {})) {
      const p = st.Precision;
      if (p && typeof p === 'object') for (const [v, t] of Object.entries(p)) if (names.has(`${ln}.${v}`)) trained.set(`${ln}.${v}`, t);
    }
  }
  if (base.Backend) config.Backend = base.Backend;
  if (base.LayerType) config.LayerType = structuredClone(base.LayerType);
  // The Model default covers what is not listed (softmax tables/accum, LeakyReLU alpha, …).
  const def = typeof base.Model.Precision === 'string' ? base.Model.Precision : (base.Model.Precision?.default ?? 'fixed<16,6>');
  config.Model.Precision = { default: def };
  const names: Record<string, LayerSettings> = {};
  const layers: LayerSuggestion[] = [];
  const resultI = new Map<string, number>();
  const add = (layer: string, cls: string, v: string, I: number, Fv: number, maxAbs: number) => {
    let s = layers.find((x) => x.layer === layer);
    if (!s) layers.push((s = { layer, cls, types: {}, maxAbs: {} }));
    s.types[v] = trained.get(`${layer}.${v}`) ?? typeText(I, Fv, opts.modes);
    s.maxAbs[v] = maxAbs;
  };
  const result = (layer: string, cls: string, maxAbs: number | undefined) => {
    const m = maxAbs ?? 0;
    const I = integerBitsFor(m, margin);
    resultI.set(layer, Math.max(I, 2 - F));
    add(layer, cls, 'result', I, F, m);
  };
  for (const l of model.layers) {
    const cls = l.className;
    const spec = MODEL_CLASSES[cls];
    if (!spec || spec.removed) continue;
    for (const w of spec.profileWeights?.(l) ?? []) {
      const m = wts.get(`${l.name}/${w.tensor}`) ?? 0;
      add(l.name, cls, w.tensor, integerBitsFor(m, wMargin), F, m);
    }
    const acc = spec.accumRange?.(l);
    const own = act.get(l.name);
    if (acc?.of === 'products') add(l.name, cls, 'accum', integerBitsFor(own ?? 0, margin), 2 * F, own ?? 0);
    result(l.name, cls, own);
    if (acc?.of === 'inputs') {
      const src = act.get(l.inputs[0]!) ?? 0;
      const inI = resultI.get(l.inputs[0]!) ?? integerBitsFor(src, margin);
      add(l.name, cls, 'accum', inI + acc.extraBits, F + acc.extraBits, src);
    }
    const split = splitLayer(l, model.source, spec);
    // a 'linear' split gets the layer's own type, so hls4ml removes it
    if (split) {
      const linear = split.draft.attrs.activation === 'linear' && !split.quantizers;
      result(split.name, split.hlsClass, linear ? own : act.get(split.name));
      if (linear) layers.find((x) => x.layer === split.name)!.alias = l.name;
    }
  }
  for (const s of layers) names[s.layer] = { Precision: { ...s.types } };
  // keep non-precision per-layer settings of the base
  for (const [k, v] of Object.entries(base.LayerName ?? {})) {
    const { Precision: _p, ...rest } = v;
    names[k] = { ...rest, ...(names[k] ?? {}) };
  }
  config.LayerName = names;
  return { config, layers };
}

/**
 * Suggest per-layer types: profile, scan the common fractional bits F downwards until the accuracy
 * drops more than `targetDrop` pp below float, write the config for the smallest passing F and
 * verify it by emulating it again (read back from its JSON text).
 *
 * @example
 * const { model, data } = await loadExample('fashion-mnist');
 * const s = await suggestConfig({ model, data, labels: data.labels, targetDrop: 0.5 });
 * writeFileSync('cfg.json', JSON.stringify(s.config, null, 2));
 * s.verification.accuracy; // within 0.5 pp of s.float.accuracy when s.met
 */
export async function suggestConfig(opts: SuggestOptions): Promise<SuggestResult> {
  const t0 = performance.now();
  const { model } = opts;
  opts = { ...opts };
  if (!opts.labels && 'labels' in opts.data && opts.data.labels) opts.labels = (opts.data as LabelledData).labels;
  const s = 'x' in opts.data && 'sampleShape' in opts.data ? (opts.data as Samples) : toSamples(opts.data as DataLike, modelInputShape(model));
  const maxF = opts.maxFractionalBits ?? 12;
  const minF = opts.minFractionalBits ?? 0;
  if (!(Number.isInteger(maxF) && Number.isInteger(minF) && maxF >= minF)) throw new ConfigError('fractionalBits', `need integers with max >= min, got ${maxF} and ${minF}`);
  const drop = opts.targetDrop ?? 0.5;
  if (!(drop >= 0)) throw new ConfigError('--target-drop', `must be >= 0 percentage points, got ${drop}`);
  const profile = opts.profile ?? profileModel({ model, data: s, ...(opts.ioType ? { ioType: opts.ioType } : {}), onProgress: (d, t) => opts.onProgress?.('profile', d, t) });
  const float: FloatBaseline = floatBaseline(model, s, opts.labels, { onImages: (d) => opts.onProgress?.('float', d, s.n) });
  const metric = opts.labels ? 'accuracy' : 'agreement';
  const reference = opts.labels ? float.accuracy! : 1;
  const threshold = reference - drop / 100;
  const common = { margin: opts.margin, weightMargin: opts.weightMargin, modes: opts.modes, baseConfig: opts.baseConfig, ioType: opts.ioType, requantize: opts.requantize } as const;
  const steps: SuggestStep[] = [];
  let chosen: number | undefined;
  for (let F = maxF; F >= minF; F--) {
    const { config } = suggestedConfig(model, profile, F, common);
    const m = await evaluateConfig(model, config, s, {
      ...(opts.labels ? { labels: opts.labels } : {}),
      reference: float.predictions,
      ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      onImages: (d) => opts.onProgress?.(`F=${F}`, d, s.n),
    });
    const value = metric === 'accuracy' ? m.accuracy! : m.agreement;
    const step: SuggestStep = { fractionalBits: F, agreement: m.agreement, overflowTotal: m.overflowTotal, seconds: m.seconds, pass: value >= threshold - 1e-12 };
    if (m.accuracy !== undefined) step.accuracy = m.accuracy;
    steps.push(step);
    opts.onStep?.(step);
    if (!step.pass) break;
    chosen = F;
  }
  const met = chosen !== undefined;
  const F = chosen ?? maxF;
  const built = suggestedConfig(model, profile, F, common);
  const { layers } = built;
  const config = built.config;
  // Verify what a user gets: the config as written (JSON text), parsed and emulated again.
  const written = parseHls4mlConfig(JSON.stringify(config), 'suggested config');
  const vd = opts.verify ? ('x' in opts.verify.data && 'sampleShape' in opts.verify.data ? (opts.verify.data as Samples) : toSamples(opts.verify.data as DataLike, modelInputShape(model))) : s;
  const vLabels = opts.verify ? opts.verify.labels : opts.labels;
  const vFloat = opts.verify ? floatBaseline(model, vd, vLabels) : float;
  const v = await evaluateConfig(model, written, vd, {
    ...(vLabels ? { labels: vLabels } : {}),
    reference: vFloat.predictions,
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    onImages: (d) => opts.onProgress?.('verify', d, vd.n),
  });
  const verification: SuggestResult['verification'] = { n: vd.n, agreement: v.agreement, overflowTotal: v.overflowTotal, overflows: v.overflows, seconds: v.seconds, sameDataAsScan: !opts.verify };
  if (v.accuracy !== undefined) verification.accuracy = v.accuracy;
  const res: SuggestResult = {
    model: model.name,
    n: s.n,
    config,
    fractionalBits: F,
    met,
    target: { metric, reference, drop, threshold },
    float: float.accuracy !== undefined ? { accuracy: float.accuracy } : {},
    steps,
    layers,
    verification,
    totalSeconds: (performance.now() - t0) / 1000,
  };
  return res;
}

const pct = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(2)}%`);

/**
 * The suggestion as text: the F scan, the per-layer types and the verification.
 *
 * @example console.log(formatSuggestTable(result));
 */
export function formatSuggestTable(r: SuggestResult): string {
  const lines: string[] = [];
  const what = r.target.metric === 'accuracy' ? 'accuracy' : 'agreement with float';
  lines.push(`${r.model}: ${r.n} images; float accuracy ${pct(r.float.accuracy)}; target: ${what} >= ${pct(r.target.threshold)} (${r.target.drop} pp below ${pct(r.target.reference)})`);
  const scan = [['F', 'accuracy', 'agree w/ float', 'overflows', 's', '']];
  for (const s of r.steps) scan.push([String(s.fractionalBits), pct(s.accuracy), pct(s.agreement), String(s.overflowTotal), s.seconds.toFixed(1), s.pass ? 'ok' : 'below target']);
  lines.push(alignTable(scan, [true, true, true, true, true, false]));
  lines.push(r.met ? `chosen: F = ${r.fractionalBits} fractional bits everywhere (accumulators 2F)` : `no F in the scanned range meets the target; using F = ${r.fractionalBits} (raise --max-fractional-bits or the margin)`);
  const vars = ['result', 'weight', 'bias', 'scale', 'accum'];
  const t = [['layer', 'class', ...vars, 'max |result|']];
  for (const l of r.layers) t.push([l.layer, l.cls, ...vars.map((v) => l.types[v] ?? ''), l.maxAbs.result === undefined ? '' : l.maxAbs.result.toPrecision(4)]);
  lines.push('', alignTable(t, [false, false, false, false, false, false, false, true]));
  const v = r.verification;
  lines.push('', `verification (${v.sameDataAsScan ? 'same data' : 'separate data'}, ${v.n} images, config read back from JSON): accuracy ${pct(v.accuracy)}, agreement with float ${pct(v.agreement)}, ${v.overflowTotal} overflowing values${v.overflowTotal ? ` (${Object.keys(v.overflows).join(', ')})` : ''}`);
  return lines.join('\n');
}
