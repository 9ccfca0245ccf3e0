/**
 * Per-tensor type search at an accuracy target (`hlsemu suggest --objective bops|dsp|lut`):
 *
 * 1. The data is split (seeded shuffle) into a calibration and a held-out part.
 * 2. The profile-based suggestion with one common F (see suggest.ts) is scanned on the calibration
 *    part from `maxFractionalBits` down: the smallest passing F is the **uniform** config — the
 *    best that one F for every tensor can do — and the start of the search.
 * 3. **Greedy bit stripping** from `headroom` bits above the uniform F; the tensors whose width does
 *    not enter the objective (accumulators, biases, … for BOPs) start at `maxFractionalBits`.
 *    Every tensor (each layer's weight, bias, scale, result and accum; of a quantization-aware-
 *    trained model only the tensors without trained types) is a candidate for losing 1 or 2
 *    fractional bits or one integer bit. Candidates that lower the objective (the cost model of
 *    cost.ts; then, in a second phase, its tie-breaker) are ranked by objective saved per
 *    calibration prediction changed (lazy greedy: a candidate's last measured change is its
 *    estimate; the best few are emulated bit-exactly on the calibration part, a few at a time on a
 *    GraphPool whose layers before the first changed one run once) and the best one whose accuracy
 *    stays ≥ float − target + guard·σ is taken; those below it are not tried again in the phase.
 *    Dense/Conv accumulators keep at most F_input + F_weight fractional bits (more are exact zeros).
 * 4. The result is written as an hls4ml config, read back, and verified on the held-out part —
 *    as is the uniform config, so the two are compared on data neither was chosen on.
 *
 * Deterministic for a seed (the split is the only random choice; ties are broken by name).
 */
import { ConfigError } from '../errors.js';
import { parseHls4mlConfig, type Hls4mlConfig } from '../graph/config.js';
import { convertModel } from '../graph/convert.js';
import { shapeSize, type FirmwareGraph, type IOType } from '../graph/firmware.js';
import type { ModelGraph } from '../graph/model.js';
import { GraphPool, sharedLayers } from '../emulate/parallel.js';
import { buildReport } from '../emulate/report.js';
import { parseFixedType } from '../fixed/types.js';
import { MODEL_CLASSES } from '../layers/registry.js';
import { fixedTypeText } from './configs.js';
import { compareObjective, firmwareCost, objectiveOf, type CostObjective, type ModelCost } from './cost.js';
import { agreementOf, modelInputShape, toSamples, type DataLike, type LabelledData, type Samples } from './data.js';
import { profileModel, type Profile } from './profile.js';
import { isQatModel, trainedPrecisions } from './qat.js';
import { evaluateConfig, floatBaseline } from './scan.js';
import { binomialError } from './stats.js';
import { suggestedConfig, type LayerSuggestion, type SuggestOptions } from './suggest.js';
import { uniform } from '../util/random.js';

/** Options of {@link searchConfig}. */
export interface SearchOptions extends Pick<SuggestOptions, 'margin' | 'weightMargin' | 'modes' | 'baseConfig' | 'requantize' | 'maxFractionalBits' | 'minFractionalBits'> {
  model: ModelGraph;
  data: DataLike | Samples;
  /** Class labels (default: `data.labels`); required. */
  labels?: ArrayLike<number>;
  /** What to minimise (default 'bops'). */
  objective?: CostObjective;
  /** Allowed accuracy drop below float on the calibration part, percentage points (default 0.5). */
  targetDrop?: number;
  /**
   * Safety margin against selecting on calibration noise, in binomial standard errors of the
   * calibration accuracy: the search's moves must keep accuracy ≥ float − target + guard·σ
   * (default 1). The uniform scan uses the plain target (it chooses among a handful of points).
   */
  guard?: number;
  /** Share of the samples used for calibration (default 0.5); the rest is held out. */
  calibrationFraction?: number;
  /** Seed of the split (default 1). */
  seed?: number;
  /** Largest number of bits one move strips (default 2; then 1). */
  maxStep?: number;
  /** Candidates emulated together per pool call (default 3). */
  batch?: number;
  /** Multipliers with both operands at most this wide count as LUTs (default 10). */
  lutMaxBits?: number;
  ioType?: IOType;
  /** Worker threads of the pool (default 1: the pool restarts on every accepted move, which is free in this thread). */
  workers?: number;
  /**
   * Fractional bits of the search's starting point, above the uniform F (default 2, capped at
   * `maxFractionalBits`): headroom lets the search keep the sensitive tensors above the uniform F
   * while it strips the others below it.
   */
  headroom?: number;
  /**
   * Also try stripping one integer bit (an MSB) of a tensor per move (default true): the profile's
   * margin bit is a guess; the calibration data (and the held-out check) decide whether it is needed.
   */
  stripIntegerBits?: boolean;
  /** After the moves that lower the objective, also take those that only lower its tie-breaker (default true). */
  tieBreak?: boolean;
  /** Stop after this many accepted moves (default: unlimited). */
  maxMoves?: number;
  /**
   * Start every tensor whose width does not enter the objective (accumulators, biases, the
   * BatchNormalization results before an activation, … for BOPs) at `maxFractionalBits` instead of
   * the start F (default true): they are free for the objective, and the accuracy they keep is
   * budget for stripping the tensors that cost. The tie-breaker phase strips them afterwards where
   * the accuracy allows.
   */
  freeWide?: boolean;
  /**
   * How a candidate's accuracy cost is estimated for ranking (default 'flips'): 'flips' = the share
   * of calibration samples whose prediction the move changes (every changed prediction counts, so a
   * move is not preferred for changes that happen to cancel on these samples — less selection on
   * noise), 'accuracy' = the calibration accuracy it loses. Acceptance is always on accuracy.
   */
  rank?: 'flips' | 'accuracy';
  profile?: Profile;
  /** (phase, done, total) of the current phase. */
  onProgress?: (phase: string, done: number, total: number) => void;
  /** Called for every uniform F point and every accepted move. */
  onStep?: (step: SearchStep) => void;
}

/** One evaluated point of the search (calibration data). */
export interface SearchStep {
  kind: 'uniform' | 'move';
  /** uniform: the common F; move: which tensor lost how many bits, `conv2.weight fixed<9,1> → fixed<5,1>`. */
  label: string;
  fractionalBits?: number;
  tensor?: string;
  from?: string;
  to?: string;
  bops: number;
  dsp: number;
  lut: number;
  objective: number;
  accuracy: number;
  overflowTotal: number;
  pass: boolean;
}

/** Accuracy with its binomial 68 % interval. */
export interface MeasuredAccuracy {
  accuracy: number;
  n: number;
  /** Binomial standard error √(p(1−p)/n). */
  sigma: number;
}

/** What {@link searchConfig} returns (suggest.json). */
export interface SearchResult {
  model: string;
  objective: CostObjective;
  /** Percentage points. */
  target_drop: number;
  seed: number;
  lutMaxBits: number;
  split: { calibration: number; heldout: number };
  /** Float accuracy on all the data, and per part. */
  float_accuracy: number;
  float_accuracy_calibration: number;
  float_accuracy_heldout: number;
  /** Calibration threshold: float_accuracy_calibration − target_drop/100. */
  threshold: number;
  /** The search's threshold: threshold + guard × the calibration accuracy's binomial σ. */
  search_threshold: number;
  guard: number;
  uniform: {
    F: number;
    met: boolean;
    bops: number;
    dsp: number;
    lut: number;
    weight_bits: number;
    accuracy_calibration: number;
    accuracy_heldout: number;
    sigma_heldout: number;
    overflows_heldout: number;
    config: Hls4mlConfig;
  };
  suggested: {
    bops: number;
    dsp: number;
    lut: number;
    weight_bits: number;
    fifo_bits: number;
    accuracy_calibration: number;
    accuracy_heldout: number;
    sigma_heldout: number;
    overflows_heldout: number;
    /** 1 − suggested/uniform, of the objective and of BOPs. */
    objective_reduction: number;
    bops_reduction: number;
    /** Whether the held-out accuracy is ≥ held-out float − target. */
    heldout_meets_target: boolean;
    /** True when no move beat the uniform config (then it is the suggestion). */
    fallback_to_uniform: boolean;
    config: Hls4mlConfig;
    /** Per layer: the chosen types. */
    layers: { layer: string; cls: string; types: Record<string, string> }[];
    cost: ModelCost;
  };
  /** The search's starting point on the calibration data (uniform F + headroom, free tensors wide). */
  start: { bops: number; accuracy_calibration: number };
  steps: SearchStep[];
  /** Emulations on the calibration data, and seconds. */
  evaluations: number;
  seconds: number;
}

/** A tensor of the search. */
interface Tensor {
  key: string;
  layer: string;
  v: string;
  I: number;
  F: number;
  /** Trained (QAT) or otherwise fixed text. */
  fixed?: string;
}


/**
 * Split samples (and labels) into calibration and held-out parts by a seeded shuffle.
 *
 * @example const { calibration, heldout } = splitSamples(s, labels, 0.5, 1);
 */
export function splitSamples(s: Samples, labels: ArrayLike<number>, fraction: number, seed: number): { calibration: LabelledData; heldout: LabelledData } {
  if (!(fraction > 0 && fraction < 1)) throw new ConfigError('--calibration-fraction', `must be in (0, 1), got ${fraction}`);
  const nCal = Math.round(s.n * fraction);
  if (nCal < 1 || nCal >= s.n) throw new ConfigError('--calibration-fraction', `${s.n} samples cannot be split ${fraction}:${1 - fraction} into two non-empty parts`);
  const idx = Array.from({ length: s.n }, (_, i) => i);
  const r = uniform(seed);
  for (let i = s.n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const per = shapeSize(s.sampleShape);
  const part = (ids: number[], source: string): LabelledData => {
    ids.sort((a, b) => a - b);
    const x = new Float32Array(ids.length * per);
    const y = new Int32Array(ids.length);
    ids.forEach((k, i) => {
      x.set(s.x.subarray(k * per, (k + 1) * per), i * per);
      y[i] = labels[k]!;
    });
    return { x, n: ids.length, sampleShape: [...s.sampleShape], labels: y, source };
  };
  return { calibration: part(idx.slice(0, nCal), `calibration split (seed ${seed})`), heldout: part(idx.slice(nCal), `held-out split (seed ${seed})`) };
}

function parseWI(text: string): { W: number; I: number } {
  const t = parseFixedType(text);
  return { W: t.W, I: t.I };
}

/** Evaluate graphs on a dataset with a GraphPool whose base is `base` (shared leading layers run once). */
interface Measured {
  accuracy: number;
  /** Overflowing values (NaN when emulated without the report). */
  overflowTotal: number;
  pred: Int32Array;
}

async function evaluateGraphs(base: FirmwareGraph, graphs: FirmwareGraph[], s: LabelledData, workers: number, report = true): Promise<Measured[]> {
  const pool = new GraphPool({ workers });
  try {
    await pool.start(s.x, s.sampleShape, base);
    const [res] = await pool.evaluate([graphs.map((g) => ({ graph: g, from: sharedLayers(base, g) }))], { report });
    return res!.map((r, i) => {
      if (r.error) throw new ConfigError('search', `emulation failed: ${r.error}`);
      let overflowTotal = report ? 0 : NaN;
      if (r.stats) for (const l of buildReport(graphs[i]!, r.stats, s.n).layers) overflowTotal += l.accum.wrapped + l.accum.saturated + l.result.wrapped + l.result.saturated + l.internal.wrapped + l.internal.saturated;
      return { accuracy: agreementOf(r.pred, s.labels!), overflowTotal, pred: r.pred };
    });
  } finally {
    await pool.close();
  }
}

/**
 * Search per-tensor types that minimise a hardware cost at an accuracy target (see the module
 * header), and verify them and the best uniform config on held-out data.
 *
 * @example
 * const { model, data } = await loadExample('fashion-mnist');
 * const r = await searchConfig({ model, data, objective: 'bops', targetDrop: 1 });
 * r.suggested.bops / r.uniform.bops; r.suggested.accuracy_heldout;
 */
export async function searchConfig(opts: SearchOptions): Promise<SearchResult> {
  const t0 = performance.now();
  const { model } = opts;
  const objective = opts.objective ?? 'bops';
  if (!['bops', 'dsp', 'lut'].includes(objective)) throw new ConfigError('--objective', `unknown objective '${String(objective)}' (bops, dsp or lut)`);
  const labels = opts.labels ?? ('labels' in opts.data ? (opts.data as LabelledData).labels : undefined);
  if (!labels) throw new ConfigError('labels', 'a per-tensor search needs class labels (its target is on accuracy)');
  const drop = opts.targetDrop ?? 0.5;
  if (!(drop >= 0)) throw new ConfigError('--target-drop', `must be >= 0 percentage points, got ${drop}`);
  const maxF = opts.maxFractionalBits ?? 12;
  const minF = opts.minFractionalBits ?? 0;
  if (!(Number.isInteger(maxF) && Number.isInteger(minF) && maxF >= minF)) throw new ConfigError('fractionalBits', `need integers with max >= min, got ${maxF} and ${minF}`);
  const rank = opts.rank ?? 'flips';
  if (rank !== 'flips' && rank !== 'accuracy') throw new ConfigError('rank', `unknown ranking '${String(rank)}' (flips or accuracy)`);
  const maxStep = opts.maxStep ?? 2;
  if (!(Number.isInteger(maxStep) && maxStep >= 1)) throw new ConfigError('maxStep', `must be an integer >= 1, got ${maxStep}`);
  const batch = Math.max(1, Math.floor(opts.batch ?? 3));
  const workers = Math.max(1, Math.floor(opts.workers ?? 1));
  const seed = opts.seed ?? 1;
  const costOpts = { lutMaxBits: opts.lutMaxBits ?? 10 };
  const s = 'x' in opts.data && 'sampleShape' in opts.data ? (opts.data as Samples) : toSamples(opts.data as DataLike, modelInputShape(model));
  if (labels.length < s.n) throw new ConfigError('labels', `${labels.length} labels for ${s.n} samples`);
  const { calibration: cal, heldout: ho } = splitSamples(s, labels, opts.calibrationFraction ?? 0.5, seed);

  // Float reference on both parts; the profile on the calibration part only.
  const fCal = floatBaseline(model, cal, cal.labels, { onImages: (d) => opts.onProgress?.('float', d, s.n) });
  const fHo = floatBaseline(model, ho, ho.labels, { onImages: (d) => opts.onProgress?.('float', cal.n + d, s.n) });
  const floatAll = (fCal.accuracy! * cal.n + fHo.accuracy! * ho.n) / s.n;
  const threshold = fCal.accuracy! - drop / 100;
  const passes = (a: number) => a >= threshold - 1e-12;
  const guard = opts.guard ?? 1;
  if (!(guard >= 0)) throw new ConfigError('--guard', `must be >= 0, got ${guard}`);
  const guardPp = guard * binomialError(fCal.accuracy!, cal.n);
  const movePasses = (a: number) => a >= threshold + guardPp - 1e-12;
  const profile = opts.profile ?? profileModel({ model, data: cal, ...(opts.ioType ? { ioType: opts.ioType } : {}), onProgress: (d, t) => opts.onProgress?.('profile', d, t) });
  const common = { margin: opts.margin, weightMargin: opts.weightMargin, modes: opts.modes, baseConfig: opts.baseConfig, ioType: opts.ioType, requantize: opts.requantize } as const;
  const steps: SearchStep[] = [];
  let evaluations = 0;
  const stepOf = (kind: SearchStep['kind'], label: string, c: ModelCost, m: { accuracy: number; overflowTotal: number }, extra: Partial<SearchStep> = {}): SearchStep => {
    const st: SearchStep = { kind, label, ...extra, bops: c.bops, dsp: c.dsp, lut: c.lut, objective: objectiveOf(c, objective)[0], accuracy: m.accuracy, overflowTotal: m.overflowTotal, pass: passes(m.accuracy) };
    steps.push(st);
    opts.onStep?.(st);
    return st;
  };

  // 2. The uniform scan on the calibration part.
  let uniformF: number | undefined;
  for (let F = maxF; F >= minF; F--) {
    opts.onProgress?.(`uniform F=${F}`, maxF - F, maxF - minF + 1);
    const { config } = suggestedConfig(model, profile, F, common);
    const fw = convertModel(model, config);
    const [m] = await evaluateGraphs(fw, [fw], cal, workers);
    evaluations++;
    const st = stepOf('uniform', `uniform F=${F}`, firmwareCost(fw, costOpts), m!, { fractionalBits: F });
    if (!st.pass) break;
    uniformF = F;
  }
  const met = uniformF !== undefined;
  const F0 = uniformF ?? maxF;
  const headroom = opts.headroom ?? 2;
  if (!(Number.isInteger(headroom) && headroom >= 0)) throw new ConfigError('headroom', `must be an integer >= 0, got ${headroom}`);
  const uniformConfig = suggestedConfig(model, profile, F0, common).config;
  const Fs = Math.min(maxF, F0 + headroom);
  const start = suggestedConfig(model, profile, Fs, common);

  // 3. The tensors and the greedy search.
  const trained = !opts.requantize && isQatModel(model) ? trainedPrecisions(model) : new Set<string>();
  const tensors = new Map<string, Tensor>();
  const aliases = start.layers.filter((l) => l.alias);
  for (const l of start.layers) {
    if (l.alias) continue;
    for (const [v, text] of Object.entries(l.types)) {
      const key = `${l.layer}.${v}`;
      const { W, I } = parseWI(text);
      const t: Tensor = { key, layer: l.layer, v, I, F: W - I };
      if (trained.has(key)) t.fixed = text;
      tensors.set(key, t);
    }
  }
  const typeText = (t: Tensor, f: number, i = t.I) => t.fixed ?? fixedTypeText(Math.max(i + f, 1), i, opts.modes);
  // accumulator caps: Dense/Conv accumulators need no more than F_input + F_weight fractional bits
  const startFw = convertModel(model, start.config);
  const producer = new Map<string, string>();
  for (const L of startFw.layers) {
    const src = L.inputs[0];
    if (src === undefined) continue;
    producer.set(L.name, src);
  }
  const productAccum = new Set<string>();
  for (const l of model.layers) {
    const spec = MODEL_CLASSES[l.className];
    if (spec?.accumRange?.(l)?.of === 'products' && tensors.has(`${l.name}.accum`)) productAccum.add(l.name);
  }
  const build = (over?: { key: string; F: number; I: number }): Hls4mlConfig => {
    const cfg = structuredClone(start.config);
    const fOf = (key: string): number | undefined => (over && over.key === key ? over.F : tensors.get(key)?.F);
    const iOf = (key: string): number => (over && over.key === key ? over.I : tensors.get(key)!.I);
    // the result F of a firmware layer (a removed split 'linear' has its layer's)
    const resultF = (name: string): number | undefined => fOf(`${name}.result`) ?? fOf(`${aliases.find((a) => a.layer === name)?.alias ?? ''}.result`);
    for (const t of tensors.values()) {
      let f = fOf(t.key)!;
      if (t.v === 'accum' && productAccum.has(t.layer)) {
        const src = producer.get(t.layer);
        const fin = src === undefined ? undefined : resultF(src);
        const fw = fOf(`${t.layer}.weight`);
        if (fin !== undefined && fw !== undefined) f = Math.min(f, fin + fw);
      }
      (cfg.LayerName![t.layer]!.Precision as Record<string, string>)[t.v] = typeText(t, f, iOf(t.key));
    }
    for (const a of aliases) {
      const p = tensors.get(`${a.alias}.result`);
      if (p) (cfg.LayerName![a.layer]!.Precision as Record<string, string>).result = typeText(p, fOf(p.key)!, iOf(p.key));
    }
    return cfg;
  };

  const searchable = [...tensors.values()].filter((t) => !t.fixed).sort((a, b) => (a.key < b.key ? -1 : 1));
  const convertCost = (cfg: Hls4mlConfig) => {
    const fw = convertModel(model, cfg);
    return { fw, cost: firmwareCost(fw, costOpts) };
  };
  // Tensors free for the objective start wide (their accuracy is budget for the others).
  if (met && opts.freeWide !== false) {
    const base = objectiveOf(convertCost(build()).cost, objective)[0];
    for (const t of searchable) {
      if (t.F >= maxF) continue;
      let obj: number;
      try {
        obj = objectiveOf(convertCost(build({ key: t.key, F: maxF, I: t.I })).cost, objective)[0];
      } catch {
        continue;
      }
      if (obj <= base) t.F = maxF;
    }
  }
  let curCfg = build();
  let { fw: curFw, cost: curCost } = convertCost(curCfg);
  let curObj = objectiveOf(curCost, objective);
  const [startM] = await evaluateGraphs(curFw, [curFw], cal, workers, false);
  evaluations++;
  let curAcc = startM!.accuracy;
  let curPred = startM!.pred;
  const startPoint = { bops: curCost.bops, accuracy_calibration: curAcc, pass: movePasses(curAcc) };
  let moves = 0;
  const maxMoves = opts.maxMoves ?? Infinity;
  const stripMsb = opts.stripIntegerBits ?? true;
  const stepsList: number[] = [];
  for (let k = maxStep; k >= 1; k = Math.floor(k / 2)) stepsList.push(k);
  if (met && startPoint.pass) {
    // First the moves that lower the primary objective (every step size), then the tie-breaker's.
    // Within a phase, lazy greedy on gain ÷ estimated accuracy cost: every candidate keeps the cost
    // it had when last emulated (unknown = none, so it is tried); the best few by that score are
    // emulated again, and the best fresh one is taken when no stale score beats it.
    // Step sizes compete in one phase: a 2-bit move is taken over a 1-bit one only when it saves
    // more per accuracy it costs (a large step must not spend the whole accuracy budget at once).
    const phases = [{ primary: true }, ...(opts.tieBreak === false ? [] : [{ primary: false }])];
    const delta = 0.5 / cal.n;
    const costOf = (m: Measured): number => {
      if (rank === 'accuracy') return Math.max(0, curAcc - m.accuracy);
      let changed = 0;
      for (let i = 0; i < m.pred.length; i++) if (m.pred[i] !== curPred[i]) changed++;
      return changed / m.pred.length;
    };
    for (const { primary } of phases) {
      const frozen = new Set<string>();
      const lastLoss = new Map<string, number>();
      for (;;) {
        if (moves >= maxMoves) break;
        type Cand = { id: string; t: Tensor; F: number; I: number; cfg: Hls4mlConfig; fw: FirmwareGraph; cost: ModelCost; obj: [number, number]; gain: number; m?: Measured; loss?: number };
        const cands: Cand[] = [];
        // a move strips `step` fractional bits (LSBs), or one integer bit (an MSB: the profile's margin)
        const tries: { id: string; t: Tensor; F: number; I: number }[] = [];
        for (const t of searchable) {
          for (const step of stepsList) {
            const F = Math.max(t.F - step, 2 - t.I);
            if (F < t.F && !tries.some((x) => x.t === t && x.F === F && x.I === t.I)) tries.push({ id: `${t.key}:lsb${t.F - F}`, t, F, I: t.I });
          }
          if (stripMsb && t.I - 1 + t.F >= 2) tries.push({ id: `${t.key}:msb`, t, F: t.F, I: t.I - 1 });
        }
        for (const { id, t, F, I } of tries) {
          if (frozen.has(id)) continue;
          const cfg = build({ key: t.key, F, I });
          let fw: FirmwareGraph;
          let cost: ModelCost;
          try {
            ({ fw, cost } = convertCost(cfg));
          } catch {
            frozen.add(id);
            continue;
          }
          const obj = objectiveOf(cost, objective);
          if (compareObjective(obj, curObj) >= 0 || (primary && obj[0] >= curObj[0])) continue;
          const gain = primary ? curObj[0] - obj[0] : curObj[1] - obj[1];
          if (!(gain > 0)) continue;
          cands.push({ id, t, F, I, cfg, fw, cost, obj, gain });
        }
        if (!cands.length) break;
        const stale = (c: Cand) => c.gain / Math.max(lastLoss.get(c.id) ?? 0, delta);
        const fresh = (c: Cand) => c.gain / Math.max(c.loss!, delta);
        cands.sort((x, y) => stale(y) - stale(x) || (x.id < y.id ? -1 : 1));
        let best: Cand | undefined;
        for (let i = 0; i < cands.length; i += batch) {
          const chunk = cands.slice(i, i + batch);
          opts.onProgress?.(`moves: ${chunk.map((c) => c.id).join(', ')}`, moves, moves + 1);
          const ms = await evaluateGraphs(curFw, chunk.map((c) => c.fw), cal, workers, false);
          evaluations += chunk.length;
          chunk.forEach((c, j) => {
            c.m = ms[j]!;
            c.loss = costOf(c.m);
            lastLoss.set(c.id, c.loss);
            if (!movePasses(c.m.accuracy)) frozen.add(c.id);
            else if (!best || fresh(c) > fresh(best) || (fresh(c) === fresh(best) && compareObjective(c.obj, best.obj) < 0)) best = c;
          });
          const next = cands[i + batch];
          if (best && (!next || fresh(best) >= stale(next))) break;
        }
        if (!best) break;
        // the accepted move once more with the overflow report (candidates run without it)
        const [withReport] = await evaluateGraphs(curFw, [best.fw], cal, workers, true);
        evaluations++;
        const from = typeText(best.t, best.t.F);
        best.t.F = best.F;
        best.t.I = best.I;
        curCfg = best.cfg;
        curFw = best.fw;
        curCost = best.cost;
        curObj = best.obj;
        curAcc = best.m!.accuracy;
        curPred = best.m!.pred;
        lastLoss.delete(best.id);
        moves++;
        const to = typeText(best.t, best.t.F);
        stepOf('move', `${best.t.key} ${from} → ${to}`, curCost, withReport!, { tensor: best.t.key, from, to });
      }
    }
  }

  // Never worse than the uniform config (a start that the guard rejects can leave the search above it).
  const uCost = firmwareCost(convertModel(model, uniformConfig), costOpts);
  const fallback = compareObjective(curObj, objectiveOf(uCost, objective)) > 0;
  if (fallback) {
    curCfg = uniformConfig;
    curCost = uCost;
    curObj = objectiveOf(uCost, objective);
    curAcc = steps.find((x) => x.kind === 'uniform' && x.fractionalBits === F0)?.accuracy ?? NaN;
  }

  // 4. Verification: the configs as written (JSON text), on the held-out part.
  const written = parseHls4mlConfig(JSON.stringify(curCfg), 'suggested config');
  const uWritten = parseHls4mlConfig(JSON.stringify(uniformConfig), 'uniform config');
  const vOpts = (label: string) => ({ labels: ho.labels!, reference: fHo.predictions, workers: 1, onImages: (d: number) => opts.onProgress?.(label, d, ho.n) });
  const vS = await evaluateConfig(model, written, ho, vOpts('verify suggested'));
  const vU = await evaluateConfig(model, uWritten, ho, vOpts('verify uniform'));
  const sigma = (p: number, n: number) => binomialError(p, n);
  const layers = start.layers.map((l: LayerSuggestion) => ({ layer: l.layer, cls: l.cls, types: { ...((written.LayerName?.[l.layer]?.Precision as Record<string, string> | undefined) ?? {}) } }));
  const uObj = objectiveOf(uCost, objective)[0];
  return {
    model: model.name,
    objective,
    target_drop: drop,
    seed,
    lutMaxBits: costOpts.lutMaxBits,
    split: { calibration: cal.n, heldout: ho.n },
    float_accuracy: floatAll,
    float_accuracy_calibration: fCal.accuracy!,
    float_accuracy_heldout: fHo.accuracy!,
    threshold,
    search_threshold: threshold + guardPp,
    guard,
    uniform: {
      F: F0,
      met,
      bops: uCost.bops,
      dsp: uCost.dsp,
      lut: uCost.lut,
      weight_bits: uCost.weightBits,
      accuracy_calibration: steps.find((x) => x.kind === 'uniform' && x.fractionalBits === F0)?.accuracy ?? NaN,
      accuracy_heldout: vU.accuracy!,
      sigma_heldout: sigma(vU.accuracy!, ho.n),
      overflows_heldout: vU.overflowTotal,
      config: uniformConfig,
    },
    suggested: {
      bops: curCost.bops,
      dsp: curCost.dsp,
      lut: curCost.lut,
      weight_bits: curCost.weightBits,
      fifo_bits: curCost.fifoBits,
      accuracy_calibration: curAcc,
      accuracy_heldout: vS.accuracy!,
      sigma_heldout: sigma(vS.accuracy!, ho.n),
      overflows_heldout: vS.overflowTotal,
      objective_reduction: uObj > 0 ? 1 - objectiveOf(curCost, objective)[0] / uObj : 0,
      bops_reduction: uCost.bops > 0 ? 1 - curCost.bops / uCost.bops : 0,
      heldout_meets_target: vS.accuracy! >= fHo.accuracy! - drop / 100 - 1e-12,
      fallback_to_uniform: fallback,
      config: curCfg,
      layers,
      cost: curCost,
    },
    start: { bops: startPoint.bops, accuracy_calibration: startPoint.accuracy_calibration },
    steps,
    evaluations,
    seconds: (performance.now() - t0) / 1000,
  };
}
