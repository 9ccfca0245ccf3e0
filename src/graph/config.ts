/**
 * hls4ml's configuration format (`Model` / `LayerType` / `LayerName`, plus the top-level `IOType`
 * and `Backend` conversion arguments): parsing from JSON/YAML, validation with typed errors,
 * hls4ml's precision lookup order and defaults, and `configFromModel` (hls4ml's
 * `config_from_keras_model`).
 */
import { parse as parseYaml } from 'yaml';
import { ConfigError, HlsemuError } from '../errors.js';
import { parseFixedType, type FixedType } from '../fixed/types.js';
import type { ModelGraph, ModelLayer, PrecisionKind } from './model.js';
import { HLS_CLASSES, modelClass } from '../layers/registry.js';
import { splitLayer } from '../layers/activation.js';

/** A precision entry: a type string, or 'auto'. */
export type PrecisionSpec = string;

/** Per-model / per-type / per-layer settings, as hls4ml spells them. */
export interface LayerSettings {
  /** A type string (= default for every variable) or `{ default?, result?, weight?, bias?, accum?, scale?, … }`. */
  Precision?: PrecisionSpec | Record<string, PrecisionSpec>;
  ReuseFactor?: number;
  Strategy?: string;
  ConvImplementation?: string;
  /** Softmax implementation: latency | stable | legacy | argmax. */
  Implementation?: string;
  table_size?: number;
  table_t?: string;
  exp_table_t?: string;
  inv_table_t?: string;
  Trace?: boolean;
  [key: string]: unknown;
}

/** An hls4ml config dict. */
export interface Hls4mlConfig {
  Model: LayerSettings & { BramFactor?: number; TraceOutput?: boolean };
  LayerType?: Record<string, LayerSettings>;
  LayerName?: Record<string, LayerSettings>;
  /** Conversion argument (hls4ml default 'io_parallel'). */
  IOType?: 'io_parallel' | 'io_stream';
  /** Conversion argument; informational here (Vivado/Vitis kernels are the same). */
  Backend?: string;
  [key: string]: unknown;
}

/** hls4ml's default precision. */
export const DEFAULT_PRECISION = 'fixed<16,6>';

const KNOWN_TOP = new Set(['Model', 'OutputRoundingSaturationMode', 'LayerType', 'LayerName', 'IOType', 'Backend', 'OutputDir', 'ProjectName', 'Part', 'ClockPeriod', 'InputData', 'OutputPredictions', 'HLSConfig', 'KerasModel', 'KerasJson', 'KerasH5', 'OnnxModel', 'Version', 'Stamp', 'ClockUncertainty', 'WriterConfig', 'XilinxPart', 'Board']);

/**
 * Parse a config from JSON or YAML text (or accept an object) and validate its shape. A wrapping
 * `HLSConfig` key (hls4ml's YAML project files) is unwrapped, keeping `IOType`/`Backend`.
 *
 * @example
 * const cfg = parseHls4mlConfig('{"Model": {"Precision": "fixed<16,6>", "ReuseFactor": 1}, "IOType": "io_stream"}');
 */
export function parseHls4mlConfig(input: string | object, source = 'config'): Hls4mlConfig {
  let obj: unknown = input;
  if (typeof input === 'string') {
    try {
      obj = input.trim().startsWith('{') ? JSON.parse(input) : parseYaml(input);
    } catch (e) {
      throw new ConfigError(source, `cannot parse config as JSON or YAML: ${(e as Error).message}`);
    }
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new ConfigError(source, 'config must be an object');
  let o = obj as Record<string, unknown>;
  if (o.HLSConfig && typeof o.HLSConfig === 'object') {
    o = { ...(o.HLSConfig as Record<string, unknown>), IOType: o.IOType ?? (o.HLSConfig as Record<string, unknown>).IOType, Backend: o.Backend };
  }
  for (const k of Object.keys(o)) {
    if (!KNOWN_TOP.has(k)) throw new ConfigError(`${source}.${k}`, `unknown top-level key '${k}' (expected Model, LayerType, LayerName, IOType, Backend)`);
  }
  if (!o.Model || typeof o.Model !== 'object') throw new ConfigError(`${source}.Model`, "missing 'Model' section");
  const cfg = o as unknown as Hls4mlConfig;
  if (cfg.IOType !== undefined && cfg.IOType !== 'io_parallel' && cfg.IOType !== 'io_stream') {
    throw new ConfigError(`${source}.IOType`, `must be 'io_parallel' or 'io_stream', got '${String(cfg.IOType)}'`);
  }
  validateSettings(cfg.Model, `${source}.Model`);
  for (const sec of ['LayerType', 'LayerName'] as const) {
    const s = cfg[sec];
    if (s === undefined) continue;
    if (!s || typeof s !== 'object') throw new ConfigError(`${source}.${sec}`, 'must be an object');
    for (const [k, v] of Object.entries(s)) validateSettings(v, `${source}.${sec}.${k}`);
  }
  return cfg;
}

function checkPrecision(v: unknown, path: string): void {
  if (typeof v !== 'string') throw new ConfigError(path, `precision must be a type string, got ${JSON.stringify(v)}`);
  if (v === 'auto') return;
  try {
    parseFixedType(v);
  } catch (e) {
    throw new ConfigError(path, e instanceof HlsemuError ? e.message : String(e));
  }
}

function validateSettings(s: unknown, path: string): void {
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw new ConfigError(path, 'must be an object');
  const o = s as LayerSettings;
  if (o.Precision !== undefined) {
    if (typeof o.Precision === 'string') checkPrecision(o.Precision, `${path}.Precision`);
    else if (o.Precision && typeof o.Precision === 'object') {
      for (const [k, v] of Object.entries(o.Precision)) checkPrecision(v, `${path}.Precision.${k}`);
    } else throw new ConfigError(`${path}.Precision`, 'must be a type string or an object of type strings');
  }
  for (const k of ['table_t', 'exp_table_t', 'inv_table_t'] as const) if (o[k] !== undefined) checkPrecision(o[k], `${path}.${k}`);
  if (o.ReuseFactor !== undefined && !(Number.isInteger(o.ReuseFactor) && o.ReuseFactor >= 1)) {
    throw new ConfigError(`${path}.ReuseFactor`, `must be an integer >= 1, got ${JSON.stringify(o.ReuseFactor)}`);
  }
  if (o.Strategy !== undefined && !['latency', 'resource', 'resource_unrolled'].includes(String(o.Strategy).toLowerCase())) {
    throw new ConfigError(`${path}.Strategy`, `must be Latency or Resource, got '${String(o.Strategy)}'`);
  }
  if (o.ConvImplementation !== undefined && !['linebuffer', 'encoded'].includes(String(o.ConvImplementation).toLowerCase())) {
    throw new ConfigError(`${path}.ConvImplementation`, `must be LineBuffer or Encoded, got '${String(o.ConvImplementation)}'`);
  }
  if (o.Implementation !== undefined && !['latency', 'stable', 'legacy', 'argmax'].includes(String(o.Implementation).toLowerCase())) {
    throw new ConfigError(`${path}.Implementation`, `softmax implementation must be latency, stable, legacy or argmax, got '${String(o.Implementation)}'`);
  }
  if (o.table_size !== undefined && !(Number.isInteger(o.table_size) && o.table_size >= 1)) {
    throw new ConfigError(`${path}.table_size`, `must be a positive integer, got ${JSON.stringify(o.table_size)}`);
  }
}

/** A precision lookup result: a concrete type, or 'auto' (to be inferred). */
export type ResolvedPrecision = FixedType | 'auto';

function precisionEntry(s: LayerSettings | undefined, v: string): string | undefined {
  if (!s || s.Precision === undefined) return undefined;
  if (typeof s.Precision === 'string') return v === 'default' ? s.Precision : undefined;
  return s.Precision[v];
}

function lookupCaseless<T>(rec: Record<string, T> | undefined, key: string): T | undefined {
  if (!rec) return undefined;
  if (key in rec) return rec[key];
  const lk = key.toLowerCase();
  for (const [k, v] of Object.entries(rec)) if (k.toLowerCase() === lk) return v;
  return undefined;
}

/**
 * hls4ml's precision lookup (`HLSConfig.get_precision`): LayerName var → LayerName default →
 * LayerType var → LayerType default → Model var → Model default. `layerClass` is the hls4ml layer
 * class name (Dense, Conv2D, Pooling2D, Activation, Softmax, BatchNormalization, …).
 *
 * @example
 * getPrecision(cfg, 'dense1', 'Dense', 'weight'); // FixedType or 'auto'
 */
export function getPrecision(cfg: Hls4mlConfig, layerName: string, layerClass: string, v: string): ResolvedPrecision {
  const text = getPrecisionText(cfg, layerName, layerClass, v);
  return text === 'auto' ? 'auto' : parseFixedType(text);
}

/** The precision string {@link getPrecision} resolves (same lookup order). @example getPrecisionText(cfg, 'fc1', 'Dense', 'weight') // 'int<2>' */
export function getPrecisionText(cfg: Hls4mlConfig, layerName: string, layerClass: string, v: string): string {
  const byName = lookupCaseless(cfg.LayerName, layerName);
  const byType = lookupCaseless(cfg.LayerType, layerClass);
  return (
    precisionEntry(byName, v) ??
    precisionEntry(byName, 'default') ??
    precisionEntry(byType, v) ??
    precisionEntry(byType, 'default') ??
    precisionEntry(cfg.Model, v) ??
    precisionEntry(cfg.Model, 'default') ??
    DEFAULT_PRECISION
  );
}

/**
 * The hls4ml precision class of a precision string: hls4ml's `convert_precision_string` makes an
 * IntegerPrecisionType of every `int`/`uint` spelling (which, for a weight, selects the ternary
 * product at 2 signed bits), a FixedPrecisionType of the fixed ones.
 *
 * @example precisionKindOfText('int<2>') // 'integer'
 */
export function precisionKindOfText(text: string): PrecisionKind {
  return !/fixed/i.test(text) && /int\s*</i.test(text) ? 'integer' : 'fixed';
}

/** The Model default precision as a type. @example modelDefault(cfg) // ap_fixed<16,6> */
export function modelDefault(cfg: Hls4mlConfig): FixedType {
  const t = precisionEntry(cfg.Model, 'default') ?? DEFAULT_PRECISION;
  if (t === 'auto') throw new ConfigError('Model.Precision.default', "the Model default precision cannot be 'auto'");
  return parseFixedType(t);
}

/** A per-layer setting with hls4ml's LayerName → LayerType → Model order. @example layerSetting(cfg,'dense1','Dense','ReuseFactor') */
export function layerSetting<K extends keyof LayerSettings>(cfg: Hls4mlConfig, layerName: string, layerClass: string, key: K): LayerSettings[K] | undefined {
  return (lookupCaseless(cfg.LayerName, layerName)?.[key] ?? lookupCaseless(cfg.LayerType, layerClass)?.[key] ?? cfg.Model[key]) as LayerSettings[K] | undefined;
}

/** A per-layer setting from LayerName only (hls4ml reads table/implementation keys per layer). @example nameSetting(cfg,'softmax','table_size') */
export function nameSetting<K extends keyof LayerSettings>(cfg: Hls4mlConfig, layerName: string, key: K): LayerSettings[K] | undefined {
  return lookupCaseless(cfg.LayerName, layerName)?.[key] as LayerSettings[K] | undefined;
}

/** Options of {@link configFromModel}, as in hls4ml's `config_from_keras_model`. */
export interface ConfigFromModelOptions {
  granularity?: 'model' | 'type' | 'name';
  /** Passing a backend makes accum 'auto' at name/type granularity. */
  backend?: string;
  defaultPrecision?: string;
  defaultReuseFactor?: number;
  maxPrecision?: string;
  ioType?: 'io_parallel' | 'io_stream';
}

/** hls4ml's `convert_to_snake_case`: `ReuseFactor` → `reuse_factor`, `table_size` unchanged. */
export function snakeCase(key: string): string {
  return key.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase().replace(/_{2,}/g, '_');
}

/**
 * The per-layer attributes hls4ml takes from the config (`HLSConfig.get_layer_config`: the
 * LayerType entry of the hls4ml class, then the LayerName entry on top; Model-level keys are not
 * merged), with keys snake-cased as hls4ml stores them. `Precision` is not an attribute.
 *
 * @example layerAttributes(cfg, 'softmax', 'Softmax'); // { implementation: 'latency', table_size: 2048, exp_table_t: 'fixed<16,6>' }
 */
export function layerAttributes(cfg: Hls4mlConfig, layerName: string, hlsCls: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const src of [lookupCaseless(cfg.LayerType, hlsCls), lookupCaseless(cfg.LayerName, layerName)]) {
    if (!src) continue;
    for (const [k, v] of Object.entries(src)) if (k !== 'Precision') out[snakeCase(k)] = v;
  }
  return out;
}

/**
 * The settings of one layer as hls4ml resolves them: `reuse_factor` and `strategy` (LayerName →
 * LayerType → Model), `conv_implementation` (LayerName → Model: hls4ml looks LayerType up by its
 * backend-wrapped class name, so a LayerType entry never matches), and every other attribute from
 * {@link layerAttributes}.
 *
 * @example layerSettings(cfg, 'dense1', 'Dense').reuse_factor; // 1
 */
export function layerSettings(cfg: Hls4mlConfig, layerName: string, hlsCls: string): Record<string, unknown> {
  const s = layerAttributes(cfg, layerName, hlsCls);
  const byName = lookupCaseless(cfg.LayerName, layerName);
  const byType = lookupCaseless(cfg.LayerType, hlsCls);
  s.reuse_factor = byName?.ReuseFactor ?? byType?.ReuseFactor ?? cfg.Model.ReuseFactor ?? 1;
  s.strategy = snakeCase(String(byName?.Strategy ?? byType?.Strategy ?? cfg.Model.Strategy ?? 'Latency'));
  s.conv_implementation = byName?.ConvImplementation ?? cfg.Model.ConvImplementation ?? 'LineBuffer';
  return s;
}

/** Options of {@link configFromModel}, as in hls4ml's `config_from_keras_model`. */
export interface ConfigFromModelOptions {
  granularity?: 'model' | 'type' | 'name';
  /** Passing a backend adds the backend's attributes (accum, ReuseFactor, table sizes, …) at name/type granularity. */
  backend?: string;
  defaultPrecision?: string;
  defaultReuseFactor?: number;
  maxPrecision?: string;
  ioType?: 'io_parallel' | 'io_stream';
}

/** The string hls4ml writes for a type default (`str(FixedPrecisionType)`). */
function typeString(text: string): string {
  const t = parseFixedType(text);
  return `${t.signed ? '' : 'u'}fixed<${t.W},${t.I},${t.Q.replace(/^AP_/, '')},${t.O.replace(/^AP_/, '')},${t.N}>`;
}

/** hls4ml's `make_layer_config` for one hls4ml class. */
function layerConfigEntry(hc: string, withBackend: boolean, rf: number): LayerSettings {
  const spec = HLS_CLASSES[hc];
  const s: LayerSettings = { Trace: false, Precision: {} };
  if (!spec) return s;
  const prec = s.Precision as Record<string, string>;
  for (const v of spec.types) {
    if (v.backend && !withBackend) continue;
    prec[v.name] = v.default === undefined ? 'auto' : typeString(v.default);
  }
  for (const a of spec.settings ?? []) {
    if (a.backend && !withBackend) continue;
    const key = a.name.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
    s[key] = a.name === 'reuse_factor' ? rf : a.default;
  }
  return s;
}

/**
 * The config hls4ml's `config_from_keras_model(model, granularity, backend)` returns, to edit and
 * pass on: the Model section, and at 'type'/'name' granularity one entry per parsed layer class /
 * layer (split activations `<layer>_<activation>` included) with every configurable attribute of
 * its hls4ml class — backend attributes only when a backend is given.
 *
 * @example
 * const cfg = configFromModel(graph, { granularity: 'name' });
 * cfg.LayerName!.dense1.Precision = { weight: 'fixed<8,3>', result: 'fixed<12,4>' };
 */
export function configFromModel(model: ModelGraph, opts: ConfigFromModelOptions = {}): Hls4mlConfig {
  const granularity = opts.granularity ?? 'model';
  const def = opts.defaultPrecision ?? DEFAULT_PRECISION;
  if (def === 'auto') throw new ConfigError('defaultPrecision', "cannot be 'auto'");
  parseFixedType(def);
  const rf = opts.defaultReuseFactor ?? 1;
  const cfg: Hls4mlConfig = {
    Model: {
      Precision: opts.maxPrecision ? { default: def, maximum: opts.maxPrecision } : { default: def },
      ReuseFactor: rf,
      Strategy: 'Latency',
      BramFactor: 1_000_000_000,
      TraceOutput: false,
    },
    IOType: opts.ioType ?? 'io_parallel',
  };
  if (opts.backend) cfg.Backend = opts.backend;
  if (granularity === 'model') return cfg;
  const withBackend = !!opts.backend;
  // [name, hls4ml class, parser class (LayerType key), quantizer precisions]
  const entries: [string, string, string, Record<string, string>][] = [];
  for (const l of model.layers) {
    const spec = modelClass(l.className, l.name);
    if (spec.removed || !spec.hlsClass) continue;
    entries.push([l.name, spec.hlsClass(l), spec.typeKey?.(l) ?? l.className, quantizerPrecisions(l.quantizers)]);
    const split = splitLayer(l, model.source, spec);
    if (split) entries.push([split.name, split.hlsClass, split.typeKey, quantizerPrecisions(split.quantizers)]);
  }
  const entry = (hc: string, q: Record<string, string>): LayerSettings => {
    const e = layerConfigEntry(hc, withBackend, rf);
    Object.assign(e.Precision as Record<string, string>, q);
    return e;
  };
  if (granularity === 'type') {
    cfg.LayerType = {};
    for (const [, hc, key, q] of entries) if (!(key in cfg.LayerType)) cfg.LayerType[key] = entry(hc, q);
  } else {
    cfg.LayerName = {};
    for (const [name, hc, , q] of entries) cfg.LayerName[name] = entry(hc, q);
  }
  return cfg;
}

/**
 * What `config_from_keras_model` writes for a layer's quantizers (`Precision[<var>] = str(type)`
 * for every `<var>_quantizer` attribute; the activation quantizer as `result`).
 */
function quantizerPrecisions(q: ModelLayer['quantizers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!q) return out;
  for (const k of ['weight', 'bias'] as const) {
    const w = q[k];
    if (w?.text) out[k] = w.text;
  }
  Object.assign(out, q.precisions ?? {});
  if (q.activation) out.result = q.activation.text;
  return out;
}
