/**
 * The hls4ml configs a PTQ scan emulates: the homogeneous `fixed<W,I>` everywhere (as in the
 * hls4ml CNN paper), one layer's types varied (a `LayerName` entry) on top of a baseline, or one
 * kind of tensor varied (weights / results / accumulators, via `Model.Precision` keys) on top of a
 * baseline. Also bit-width list parsing (`16..2`, `16,12,8`, `2..16:2`).
 */
import { ConfigError } from '../errors.js';
import { parseFixedType } from '../fixed/types.js';
import { configFromModel, type Hls4mlConfig, type LayerSettings } from '../graph/config.js';
import type { IOType } from '../graph/firmware.js';
import type { ModelGraph } from '../graph/model.js';
import { isQatModel, qatConfig } from './qat.js';

/** Tensor kinds a per-kind scan varies, and the hls4ml Precision keys of each. */
export const TENSOR_KINDS = {
  /** Dense/Conv weights and biases, BatchNormalization scale and bias. */
  weights: ['weight', 'bias', 'scale'],
  /** Every layer's output (the input layer's result is the firmware input type). */
  results: ['result'],
  /** Dense/Conv/pooling/softmax accumulators. */
  accum: ['accum'],
} as const;
/** One of the keys of {@link TENSOR_KINDS}. */
export type TensorKind = keyof typeof TENSOR_KINDS;

/**
 * Parse a list of bit widths: `16..2` (inclusive range, either direction), `2..16:2` (with a step),
 * `16,12,8`, or a mix `16,14..10`. Duplicates are dropped; order is kept.
 *
 * @example parseWidths('16..12'); // [16, 15, 14, 13, 12]
 * parseWidths('16,8,4'); // [16, 8, 4]
 */
export function parseWidths(spec: string, field = '--widths'): number[] {
  const out: number[] = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)\s*\.\.\s*(\d+)(?::(\d+))?$/.exec(part);
    if (m) {
      const a = Number(m[1]);
      const b = Number(m[2]);
      const step = m[3] === undefined ? 1 : Number(m[3]);
      if (step < 1) throw new ConfigError(field, `step must be >= 1 in '${part}'`);
      if (a <= b) for (let w = a; w <= b; w += step) out.push(w);
      else for (let w = a; w >= b; w -= step) out.push(w);
    } else if (/^\d+$/.test(part)) out.push(Number(part));
    else throw new ConfigError(field, `cannot parse '${part}' (expected e.g. 16..2, 16,12,8 or 2..16:2)`);
  }
  const uniq = [...new Set(out)];
  if (uniq.length === 0) throw new ConfigError(field, 'no bit widths given');
  for (const w of uniq) if (w < 1 || w > 64) throw new ConfigError(field, `bit width ${w} is outside 1..64`);
  return uniq;
}

/** The default widths of a scan: 16 down to 2. */
export const DEFAULT_WIDTHS: readonly number[] = Object.freeze(parseWidths('16..2'));

/**
 * hls4ml's spelling of a signed fixed type, with optional quantization/overflow modes (`RND,SAT`).
 *
 * @example fixedTypeText(8, 3) // 'fixed<8,3>'
 * fixedTypeText(8, 3, 'RND,SAT') // 'fixed<8,3,RND,SAT>'
 */
export function fixedTypeText(W: number, I: number, modes?: string): string {
  const m = modes?.trim();
  const text = m ? `fixed<${W},${I},${m}>` : `fixed<${W},${I}>`;
  try {
    parseFixedType(text);
  } catch (e) {
    throw new ConfigError('modes', `invalid type '${text}': ${(e as Error).message}`);
  }
  return text;
}

function clone<T>(x: T): T {
  return structuredClone(x);
}

/**
 * The baseline other scans vary from: `base` (cloned), else — for a quantization-aware-trained
 * `model` — its trained types (`config_from_keras_model(granularity='name')`, see ptq/qat.ts), else
 * hls4ml's defaults (`fixed<16,6>` everywhere, ReuseFactor 1, Latency); `ioType` applied when given.
 *
 * @example baselineConfig(undefined, 'io_stream').IOType // 'io_stream'
 */
export function baselineConfig(base?: Hls4mlConfig, ioType?: IOType, model?: ModelGraph): Hls4mlConfig {
  const cfg: Hls4mlConfig = base ? clone(base) : model && isQatModel(model) ? qatConfig(model) : { Model: { Precision: 'fixed<16,6>', ReuseFactor: 1, Strategy: 'Latency' }, IOType: 'io_parallel' };
  if (ioType) cfg.IOType = ioType;
  cfg.IOType ??= 'io_parallel';
  return cfg;
}

/**
 * Everything `type` (Model precision; the Precision of any LayerType/LayerName entry of `base` is
 * dropped, other settings such as ReuseFactor, Strategy or table types are kept).
 *
 * @example homogeneousConfig('fixed<8,3>').Model.Precision // 'fixed<8,3>'
 */
export function homogeneousConfig(type: string, base?: Hls4mlConfig, ioType?: IOType): Hls4mlConfig {
  const cfg = baselineConfig(base, ioType);
  cfg.Model.Precision = type;
  for (const sec of [cfg.LayerType, cfg.LayerName]) {
    if (!sec) continue;
    for (const s of Object.values(sec)) delete (s as LayerSettings).Precision;
  }
  return cfg;
}

/**
 * `base` with every variable of one layer set to `type` (a `LayerName` entry; other settings of
 * that entry kept).
 *
 * @example layerConfig(baselineConfig(), 'conv1', 'fixed<6,3>').LayerName!.conv1!.Precision // 'fixed<6,3>'
 */
export function layerConfig(base: Hls4mlConfig, layer: string, type: string): Hls4mlConfig {
  const cfg = clone(base);
  cfg.LayerName ??= {};
  cfg.LayerName[layer] = { ...(cfg.LayerName[layer] ?? {}), Precision: type };
  return cfg;
}

function setVars(s: LayerSettings, vars: readonly string[], type: string, force: boolean): void {
  if (s.Precision === undefined && !force) return;
  const p: Record<string, string> = typeof s.Precision === 'string' ? { default: s.Precision } : { ...(s.Precision ?? {}) };
  for (const v of vars) p[v] = type;
  s.Precision = p;
}

/**
 * `base` with one kind of tensor set to `type`: the Precision keys of {@link TENSOR_KINDS} in the
 * Model block and in every LayerType/LayerName entry that has a Precision (so none shadows it).
 *
 * @example kindConfig(baselineConfig(), 'weights', 'fixed<6,2>').Model.Precision
 * // { default: 'fixed<16,6>', weight: 'fixed<6,2>', bias: 'fixed<6,2>', scale: 'fixed<6,2>' }
 */
export function kindConfig(base: Hls4mlConfig, kind: TensorKind, type: string): Hls4mlConfig {
  const vars = TENSOR_KINDS[kind];
  if (!vars) throw new ConfigError('--kind', `unknown tensor kind '${String(kind)}' (weights, results or accum)`);
  const cfg = clone(base);
  setVars(cfg.Model, vars, type, true);
  for (const sec of [cfg.LayerType, cfg.LayerName]) {
    if (!sec) continue;
    for (const s of Object.values(sec)) setVars(s, vars, type, false);
  }
  return cfg;
}

/**
 * The names a per-layer scan may vary: every layer hls4ml configures by name, including the
 * split activations `<layer>_<activation>` (as `config_from_keras_model(granularity='name')` lists).
 *
 * @example configurableLayers(model) // ['input1', 'conv1', 'conv1_linear', 'pool1', …]
 */
export function configurableLayers(model: ModelGraph): string[] {
  return Object.keys(configFromModel(model, { granularity: 'name' }).LayerName ?? {});
}
