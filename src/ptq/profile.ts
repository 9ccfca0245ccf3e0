/**
 * Profiling, as hls4ml's `numerical()` / the CNN paper's figure 7: per layer the distribution of
 * the float weights (Dense/Conv kernels and biases, BatchNormalization scale and bias as hls4ml
 * computes them) and of the float activations on real data (each layer's output; pre-activation
 * and activation separately where hls4ml splits them), shown as box plots of |x| on a log2 axis,
 * with the range each configured fixed type covers (LSB 2^−F up to 2^(I−s)) shaded behind.
 */
import { mkdirSync, writeFileSync } from '../platform/fs.js';
import { join, resolve } from '../platform/path.js';
import { evaluateFloat, splitActivationName } from '../emulate/float.js';
import { MODEL_CLASSES } from '../layers/registry.js';
import type { Hls4mlConfig } from '../graph/config.js';
import { convertModel } from '../graph/convert.js';
import type { FirmwareGraph, IOType } from '../graph/firmware.js';
import type { ModelGraph, ModelLayer } from '../graph/model.js';
import { formatHls4mlType, frac, type FixedType } from '../fixed/types.js';
import { baselineConfig } from './configs.js';
import { isQatModel } from './qat.js';
import { modelInputShape, sliceSamples, toSamples, type DataLike, type Samples } from './data.js';
import { alignTable } from './output.js';
import { renderPng } from './png.js';
import { TensorStats, type TensorSummary } from './stats.js';
import { boxPlotSvg, type BoxRow } from './svg.js';

/** The hls4ml variable a profiled tensor is stored in. */
export type ProfiledVar = 'weight' | 'bias' | 'scale' | 'result';

/** One profiled tensor. */
export interface TensorProfile {
  /** hls4ml layer name (split activations `<layer>_<act>` included). */
  layer: string;
  tensor: ProfiledVar;
  /** Keras class of the model layer it belongs to. */
  cls: string;
  stats: TensorSummary;
  /** The configured type, when the tensor exists in the firmware. */
  type?: string;
  /** log2 of the type's range of magnitudes: [−F, I − s] (LSB .. max). */
  band?: [number, number];
  /** Share of the non-zero values below the type's LSB. */
  belowLsb?: number;
  /** Share of the non-zero values at or beyond the type's range 2^(I−s). */
  aboveRange?: number;
}

/** What {@link profileModel} returns (also the JSON file's content). */
export interface Profile {
  model: string;
  /** Images the activations were measured on. */
  n: number;
  ioType: IOType;
  /** What the bands show (e.g. 'fixed<16,6>' or a config file name). */
  configLabel: string;
  weights: TensorProfile[];
  activations: TensorProfile[];
  seconds: number;
}

/** Options of {@link profileModel}. */
export interface ProfileOptions {
  model: ModelGraph;
  data: DataLike | Samples;
  /** Config whose types are drawn as bands (default hls4ml's `fixed<16,6>` everywhere). */
  config?: Hls4mlConfig;
  configLabel?: string;
  ioType?: IOType;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Float values of a layer's weight tensors as hls4ml stores them (BN as scale/bias).
 *
 * @example layerWeightTensors(model.layers[1]!).map((w) => w.tensor) // ['weight'] for a Conv2D without bias
 */
export function layerWeightTensors(l: ModelLayer): { tensor: ProfiledVar; values: Float64Array }[] {
  return (MODEL_CLASSES[l.className]?.profileWeights?.(l) ?? []) as { tensor: ProfiledVar; values: Float64Array }[];
}

/**
 * The firmware type of a layer variable (the input layer's result = the firmware input type).
 *
 * @example formatHls4mlType(firmwareType(fw, 'conv1', 'weight')!) // 'fixed<16,6>'
 */
export function firmwareType(fw: FirmwareGraph, layer: string, v: ProfiledVar): FixedType | undefined {
  if (layer === fw.input.name && v === 'result') return fw.input.type;
  return (fw.layers.find((l) => l.name === layer)?.types as Record<string, FixedType> | undefined)?.[v];
}

function withType(p: TensorProfile, t: FixedType | undefined, st: TensorStats): TensorProfile {
  if (!t) return p;
  const lo = -frac(t);
  const hi = t.I - (t.signed ? 1 : 0);
  p.type = formatHls4mlType(t);
  p.band = [lo, hi];
  p.belowLsb = st.fractionBelow(lo);
  p.aboveRange = st.fractionAbove(hi);
  return p;
}

/**
 * Profile a model: weights from the float model, activations from a float64 evaluation on the
 * data (streamed; nothing but histograms is kept), each with the type `config` gives it.
 *
 * @example
 * const { model, data } = await loadExample('fashion-mnist');
 * const p = profileModel({ model, data });
 * p.activations.find((a) => a.layer === 'relu1')!.stats.maxAbs; // ≈ 5
 */
export function profileModel(opts: ProfileOptions): Profile {
  const t0 = performance.now();
  const { model } = opts;
  const s = 'x' in opts.data && 'sampleShape' in opts.data ? (opts.data as Samples) : toSamples(opts.data as DataLike, modelInputShape(model));
  // a copy: the caller's config is not modified; a QAT model's default is its trained types
  const cfg = baselineConfig(opts.config, opts.ioType, model);
  const fw = convertModel(model, cfg);
  const weights: TensorProfile[] = [];
  for (const l of model.layers) {
    for (const w of layerWeightTensors(l)) {
      const st = new TensorStats().add(w.values);
      if (st.zeros === st.count) continue; // e.g. a missing bias
      weights.push(withType({ layer: l.name, tensor: w.tensor, cls: l.className, stats: st.summary() }, firmwareType(fw, l.name, w.tensor), st));
    }
  }
  const acts = new Map<string, TensorStats>();
  const bs = opts.batchSize ?? 256;
  for (let i = 0; i < s.n; i += bs) {
    const e = Math.min(s.n, i + bs);
    evaluateFloat(model, sliceSamples(s, i, e), {
      batchSize: bs,
      onTensor: (name, values) => {
        let st = acts.get(name);
        if (!st) acts.set(name, (st = new TensorStats()));
        st.add(values);
      },
    });
    opts.onProgress?.(e, s.n);
  }
  const cls = new Map<string, string>();
  for (const l of model.layers) {
    cls.set(l.name, l.className);
    const split = splitActivationName(l, model.source);
    if (split) cls.set(split, 'Activation');
  }
  const activations: TensorProfile[] = [];
  for (const [name, st] of acts) {
    activations.push(withType({ layer: name, tensor: 'result', cls: cls.get(name) ?? 'Activation', stats: st.summary() }, firmwareType(fw, name, 'result'), st));
  }
  const label = opts.configLabel ?? (typeof cfg.Model.Precision === 'string' && !cfg.LayerName && !cfg.LayerType ? cfg.Model.Precision : !opts.config && isQatModel(model) ? 'trained (QAT) types' : 'config');
  return { model: model.name, n: s.n, ioType: fw.ioType, configLabel: label, weights, activations, seconds: (performance.now() - t0) / 1000 };
}

function rows(list: TensorProfile[], withTensor: boolean): BoxRow[] {
  return list.map((p) => {
    const r: BoxRow = { label: withTensor ? `${p.layer} / ${p.tensor}` : p.layer, key: withTensor ? `${p.layer}/${p.tensor}` : p.layer };
    if (p.stats.log2) r.box = p.stats.log2;
    if (p.band && p.type) r.band = { lo: p.band[0], hi: p.band[1], label: `${p.type}: 2^${p.band[0]} … 2^${p.band[1]}` };
    const notes: string[] = [];
    if (p.type) notes.push(p.type);
    if (p.stats.count && p.stats.zeros / p.stats.count >= 0.005) notes.push(`${Math.round((100 * p.stats.zeros) / p.stats.count)}% zeros`);
    if (p.aboveRange && p.aboveRange > 0) notes.push(`${(100 * p.aboveRange).toPrecision(2)}% over range`);
    if (!p.type) notes.push('not in firmware');
    r.note = notes.join(', ');
    return r;
  });
}

/**
 * The two profile plots (weights, activations) as SVG documents: one box per tensor (weights:
 * `layer / weight|bias|scale`; activations: one per layer), the configured type's band behind.
 *
 * @example const { weights, activations } = profileSvgs(profile);
 */
export function profileSvgs(p: Profile): { weights: string; activations: string } {
  const band = `configured type: 2^−F (LSB) … 2^(I−1) (max) — ${p.configLabel}`;
  return {
    weights: boxPlotSvg({ title: `${p.model}: weight distributions`, subtitle: `float weights (BatchNormalization as hls4ml's scale / bias) vs ${p.configLabel}`, xLabel: '|x| (log2 scale; zeros not shown)', rows: rows(p.weights, true), bandLegend: band }),
    activations: boxPlotSvg({ title: `${p.model}: activation distributions`, subtitle: `float outputs of each layer on ${p.n} images vs ${p.configLabel} (${p.ioType})`, xLabel: '|x| (log2 scale; zeros not shown)', rows: rows(p.activations, false), bandLegend: band }),
  };
}

const l2 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(2));

/**
 * The profile as a text table (per tensor: type, log2 of min/median/max |x|, zeros, shares below
 * the LSB and over the range).
 *
 * @example console.log(formatProfileTable(profile));
 */
export function formatProfileTable(p: Profile): string {
  const table = (list: TensorProfile[]) => {
    const r = [['tensor', 'type', 'log2 min|x|', 'log2 median', 'log2 max|x|', 'max |x|', 'zeros', '< LSB', '> range']];
    for (const t of list) {
      r.push([
        `${t.layer} / ${t.tensor}`,
        t.type ?? '(not in firmware)',
        l2(t.stats.log2?.min),
        l2(t.stats.log2?.median),
        l2(t.stats.log2?.max),
        t.stats.maxAbs.toPrecision(4),
        t.stats.count ? `${((100 * t.stats.zeros) / t.stats.count).toFixed(1)}%` : '-',
        t.belowLsb === undefined ? '-' : `${(100 * t.belowLsb).toFixed(1)}%`,
        t.aboveRange === undefined ? '-' : `${(100 * t.aboveRange).toFixed(2)}%`,
      ]);
    }
    return alignTable(r, [false, false, true, true, true, true, true, true, true]);
  };
  return [`${p.model}: weights`, table(p.weights), '', `${p.model}: activations on ${p.n} images (${p.ioType}, types of ${p.configLabel})`, table(p.activations)].join('\n');
}

/** Paths written by {@link writeProfileOutputs}. */
export interface ProfileFiles {
  json: string;
  weightsSvg: string;
  activationsSvg: string;
  weightsPng?: string;
  activationsPng?: string;
}

/**
 * Write `<dir>/profile.json`, `profile-weights.svg`, `profile-activations.svg` (and PNGs with
 * `png: true` when `@resvg/resvg-js` is installed).
 *
 * @example const files = await writeProfileOutputs(profile, 'hlsemu-profile');
 */
export async function writeProfileOutputs(p: Profile, dir: string, opts: { png?: boolean; name?: string } = {}): Promise<ProfileFiles> {
  mkdirSync(dir, { recursive: true });
  const base = join(resolve(dir), opts.name ?? 'profile');
  const svgs = profileSvgs(p);
  const files: ProfileFiles = { json: `${base}.json`, weightsSvg: `${base}-weights.svg`, activationsSvg: `${base}-activations.svg` };
  writeFileSync(files.json, JSON.stringify(p, null, 2) + '\n');
  writeFileSync(files.weightsSvg, svgs.weights);
  writeFileSync(files.activationsSvg, svgs.activations);
  if (opts.png) {
    const w = await renderPng(svgs.weights);
    const a = await renderPng(svgs.activations);
    if (w && a) {
      files.weightsPng = `${base}-weights.png`;
      files.activationsPng = `${base}-activations.png`;
      writeFileSync(files.weightsPng, w);
      writeFileSync(files.activationsPng, a);
    }
  }
  return files;
}
