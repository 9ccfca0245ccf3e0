/**
 * hls4ml's configuration format (`Model` / `LayerType` / `LayerName`, plus the top-level `IOType`
 * and `Backend` conversion arguments): parsing from JSON/YAML, validation with typed errors,
 * hls4ml's precision lookup order and defaults, and `configFromModel` (hls4ml's
 * `config_from_keras_model`).
 */
import { parse as parseYaml } from 'yaml';
import { ConfigError, HlsemuError, UnsupportedError, describeValue } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { parseFixedType, type FixedType } from '../fixed/types.js';
import type { ModelGraph, ModelLayer, PrecisionKind } from './model.js';
import type { ProjectSettings } from './firmware.js';
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

/**
 * Top-level keys hls4ml's config dict knows (converters/__init__.py create_config, the writers and
 * backends). Keys that do not change the numbers are accepted and carried into emitted projects.
 */
const TOP_KEYS = [
  'Model', 'LayerType', 'LayerName', 'IOType', 'OutputRoundingSaturationMode', 'Backend', 'HLSConfig', 'OutputDir', 'ProjectName', 'ProjectDir', 'Part', 'XilinxPart',
  'Board', 'ClockPeriod', 'ClockUncertainty', 'InputData', 'OutputPredictions', 'KerasModel', 'KerasJson', 'KerasH5', 'OnnxModel',
  'PytorchModel', 'InputShape', 'InputShapes', 'OutputShapes', 'Version', 'Stamp', 'WriterConfig', 'AcceleratorConfig', 'Interface',
  'Flows', 'Optimizers', 'SkipOptimizers', 'Technology', 'FIFO', 'HLSLibsPath', 'ASICLibs', 'MaximumSize',
];

/** Keys hls4ml reads from the Model section (model/graph.py _parse_hls_config). */
const MODEL_KEYS = ['Precision', 'ReuseFactor', 'Strategy', 'BramFactor', 'TraceOutput', 'ConvImplementation', 'Compression', 'TargetCycles', 'PipelineStyle', 'PipelineInterval', 'BitExact'];

/**
 * Layer keys hls4ml reads besides the layer classes' attributes (model/graph.py parse_name_config,
 * get_layer_config_value, Layer.__init__): the lookups by name/type, and attributes every layer has.
 */
const LAYER_KEYS = ['Precision', 'ReuseFactor', 'Strategy', 'ConvImplementation', 'Compression', 'TargetCycles', 'Trace', 'ParallelizationFactor'];

/** Strategies hls4ml knows (each kind maps them; the layer modules refuse what they cannot emulate). */
const STRATEGIES = ['latency', 'resource', 'resource_unrolled', 'distributed_arithmetic', 'da'];

/** snake_case attribute names and `<var>_t` keys of every registered hls4ml class. */
/**
 * Precision entries `config_from_keras_model` writes for QKeras quantizers that are no type of the
 * layer's hls4ml class (QBatchNormalization's mean/variance/beta/gamma, the separable and recurrent
 * quantizers): hls4ml accepts and ignores them (a conversion warning says so).
 */
const QUANTIZER_PRECISION_VARS = ['mean', 'variance', 'beta', 'gamma', 'depthwise', 'pointwise', 'recurrent_weight'];

function registryLayerKeys(): { settings: Set<string>; typeKeys: Set<string>; vars: Set<string> } {
  const settings = new Set<string>();
  const typeKeys = new Set<string>();
  const vars = new Set<string>(QUANTIZER_PRECISION_VARS);
  for (const spec of Object.values(HLS_CLASSES)) {
    for (const a of spec.settings ?? []) settings.add(a.name);
    for (const v of spec.types) {
      typeKeys.add(`${v.name}_t`);
      vars.add(v.name);
    }
  }
  return { settings, typeKeys, vars };
}

/**
 * Parse a config from JSON or YAML text (or accept an object) and validate it as hls4ml reads it:
 * every key must be one hls4ml knows (an unknown one is an error naming it, with a suggestion),
 * every value of the right kind. A wrapping `HLSConfig` key (hls4ml's YAML project files) is
 * unwrapped; the project keys around it (`Part`, `ClockPeriod`, `ProjectName`, …) are kept.
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
  if (!isPlainObject(obj)) throw new ConfigError(source, 'config must be an object');
  let o = obj;
  if (o.HLSConfig !== undefined) {
    if (!isPlainObject(o.HLSConfig)) throw new ConfigError(`${source}.HLSConfig`, 'must be an object');
    const { HLSConfig: inner, ...project } = o;
    o = { ...project, ...inner, IOType: o.IOType ?? inner.IOType };
  }
  for (const k of Object.keys(o)) {
    if (!TOP_KEYS.includes(k)) throw new ConfigError(`${source}.${k}`, `unknown top-level key '${k}'${didYouMean(k, TOP_KEYS)}`);
  }
  if (!isPlainObject(o.Model)) throw new ConfigError(`${source}.Model`, "missing 'Model' section");
  const cfg = o as unknown as Hls4mlConfig;
  if (cfg.IOType !== undefined && cfg.IOType !== 'io_parallel' && cfg.IOType !== 'io_stream') {
    throw new ConfigError(`${source}.IOType`, `must be 'io_parallel' or 'io_stream', got ${describeValue(cfg.IOType)}`);
  }
  for (const k of ['Backend', 'ProjectName', 'Part', 'XilinxPart', 'Board', 'OutputDir'] as const) {
    if (cfg[k] !== undefined && typeof cfg[k] !== 'string') throw new ConfigError(`${source}.${k}`, `must be a string, got ${describeValue(cfg[k])}`);
  }
  for (const k of ['ClockPeriod', 'ClockUncertainty'] as const) {
    const v = cfg[k];
    if (v !== undefined && !(typeof v === 'number' && v > 0) && !(typeof v === 'string' && /^\d+(\.\d+)?%?$/.test(v))) {
      throw new ConfigError(`${source}.${k}`, `must be a positive number, got ${describeValue(v)}`);
    }
  }
  const known = registryLayerKeys();
  validateSettings(cfg.Model, `${source}.Model`, 'model', known);
  for (const sec of ['LayerType', 'LayerName'] as const) {
    const s = cfg[sec];
    if (s === undefined) continue;
    if (!isPlainObject(s)) throw new ConfigError(`${source}.${sec}`, `must be an object (layer → settings), got ${describeValue(s)}`);
    for (const [k, v] of Object.entries(s)) validateSettings(v, `${source}.${sec}.${k}`, 'layer', known);
  }
  return cfg;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkPrecision(v: unknown, path: string): void {
  if (typeof v !== 'string') throw new ConfigError(path, `precision must be a type string, got ${describeValue(v)}`);
  if (v === 'auto') return;
  try {
    parseFixedType(v);
  } catch (e) {
    throw new ConfigError(path, e instanceof HlsemuError ? e.message : String(e));
  }
}

function positiveInt(v: unknown, path: string): void {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1)) throw new ConfigError(path, `must be an integer >= 1, got ${describeValue(v)}`);
}

function validateSettings(s: unknown, path: string, level: 'model' | 'layer', known: ReturnType<typeof registryLayerKeys>): void {
  if (!isPlainObject(s)) throw new ConfigError(path, `must be an object, got ${describeValue(s)}`);
  const allowed = level === 'model' ? MODEL_KEYS : LAYER_KEYS;
  const layerKey = (k: string) => known.settings.has(snakeCase(k)) || known.typeKeys.has(snakeCase(k));
  for (const [k, v] of Object.entries(s)) {
    const p = `${path}.${k}`;
    if (k === 'Precision') {
      const varNames = level === 'model' ? [...known.vars, 'default', 'maximum'] : [...known.vars, 'default'];
      if (typeof v === 'string') checkPrecision(v, p);
      else if (isPlainObject(v)) {
        for (const [vk, vv] of Object.entries(v)) {
          if (!varNames.includes(vk)) throw new ConfigError(`${p}.${vk}`, `unknown precision variable '${vk}'${didYouMean(vk, varNames)}`);
          checkPrecision(vv, `${p}.${vk}`);
        }
      } else throw new ConfigError(p, 'must be a type string or an object of type strings');
      continue;
    }
    // Layer attributes written at Model level are known to hls4ml but not read there (a conversion warning says so).
    if (!allowed.includes(k) && !layerKey(k) && !(level === 'model' && LAYER_KEYS.includes(k))) {
      const cands = [...allowed, ...[...known.settings].map(pascalCase), ...known.typeKeys];
      throw new ConfigError(p, `unknown key '${k}'${didYouMean(k, cands)}`);
    }
    switch (k) {
      case 'ReuseFactor':
      case 'ParallelizationFactor':
      case 'TargetCycles':
        positiveInt(v, p);
        break;
      case 'BramFactor':
        if (!(typeof v === 'number' && v >= 0)) throw new ConfigError(p, `must be a non-negative number, got ${describeValue(v)}`);
        break;
      case 'Strategy': {
        if (typeof v !== 'string') throw new ConfigError(p, `must be a string, got ${describeValue(v)}`);
        const st = snakeCase(v);
        if (!STRATEGIES.includes(st) && !(SOFTMAX_STRATEGY_WORDS.includes(st) && level === 'layer')) {
          throw new ConfigError(p, `unknown strategy '${v}' (Latency, Resource)${didYouMean(v, ['Latency', 'Resource'])}`);
        }
        break;
      }
      case 'ConvImplementation':
        if (typeof v !== 'string' || !['linebuffer', 'encoded'].includes(v.toLowerCase())) throw new ConfigError(p, `must be LineBuffer or Encoded, got ${describeValue(v)}`);
        break;
      case 'Compression':
        if (typeof v !== 'boolean' && v !== 0 && v !== 1) throw new ConfigError(p, `must be true or false, got ${describeValue(v)}`);
        if (v === true || v === 1) throw new UnsupportedError(p, "hls4ml's compressed (sparse) dense kernel is not emulated");
        break;
      case 'Trace':
      case 'TraceOutput':
      case 'BitExact':
        if (typeof v !== 'boolean' && v !== null) throw new ConfigError(p, `must be true or false, got ${describeValue(v)}`);
        if (k === 'BitExact' && v === true) throw new UnsupportedError(p, "hls4ml's bit_exact pass (HGQ models) is not emulated");
        break;
      case 'PipelineStyle':
        if (typeof v !== 'string') throw new ConfigError(p, `must be a string, got ${describeValue(v)}`);
        break;
      default:
        if (known.typeKeys.has(snakeCase(k))) checkPrecision(v, p);
        else if (level === 'layer') checkSetting(snakeCase(k), v, p);
    }
  }
}

/** Strategy words hls4ml's own softmax tests write (they do not select the implementation; a warning says so). */
const SOFTMAX_STRATEGY_WORDS = ['stable', 'argmax', 'legacy'];

/** The value of a registry-declared setting must have its default's kind (and the choices of the known ones). */
function checkSetting(name: string, v: unknown, path: string): void {
  const defaults = Object.values(HLS_CLASSES).flatMap((c) => (c.settings ?? []).filter((a) => a.name === name).map((a) => a.default));
  const d = defaults[0];
  if (name === 'implementation') {
    if (typeof v !== 'string' || !['latency', 'stable', 'legacy', 'argmax'].includes(v.toLowerCase())) {
      throw new ConfigError(path, `softmax implementation must be latency, stable, legacy or argmax, got ${describeValue(v)}`);
    }
    return;
  }
  if (typeof d === 'number' && !(typeof v === 'number' && Number.isInteger(v) && v >= (name.endsWith('power2') ? -64 : 1))) throw new ConfigError(path, `must be a positive integer, got ${describeValue(v)}`);
  if (typeof d === 'boolean' && typeof v !== 'boolean') throw new ConfigError(path, `must be true or false, got ${describeValue(v)}`);
  if (typeof d === 'string' && typeof v !== 'string') throw new ConfigError(path, `must be a string, got ${describeValue(v)}`);
}

/** `table_size` → `TableSize` (hls4ml's convert_to_pascal_case). */
function pascalCase(snake: string): string {
  return snake.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/** A precision lookup result: a concrete type, or 'auto' (to be inferred). */
export type ResolvedPrecision = FixedType | 'auto';

function precisionEntry(s: LayerSettings | undefined, v: string): string | undefined {
  if (!s || s.Precision === undefined) return undefined;
  if (typeof s.Precision === 'string') return v === 'default' ? s.Precision : undefined;
  return s.Precision[v];
}

/** A record entry by key, case-insensitively (hls4ml lower-cases layer names and classes). */
export function lookupCaseless<T>(rec: Record<string, T> | undefined, key: string): T | undefined {
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
    entries.push([l.name, spec.hlsClass(l, model.source), spec.typeKey?.(l, model.source) ?? l.className, quantizerPrecisions(l.quantizers)]);
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
  for (const k of ['weight', 'bias', 'depthwise', 'pointwise'] as const) {
    const w = q[k];
    if (w?.text) out[k] = w.text;
  }
  Object.assign(out, q.precisions ?? {});
  if (q.activation) out.result = q.activation.text;
  return out;
}

/** Keys of the Model and layer sections that do not change the firmware's numbers (kept for the emitted project). */
const NON_NUMERIC_KEYS = ['BramFactor', 'TraceOutput', 'Trace', 'PipelineStyle', 'PipelineInterval', 'TargetCycles', 'ParallelizationFactor'];

/**
 * The project settings of a config (ProjectName, Part, ClockPeriod, ClockUncertainty, Backend) and
 * the accepted keys that do not change the numbers, by where they were set; undefined when none.
 *
 * @example projectSettings(cfg)?.Part // 'xcvu13p-flga2577-2-e'
 */
export function projectSettings(cfg: Hls4mlConfig): ProjectSettings | undefined {
  const out: ProjectSettings = {};
  if (typeof cfg.ProjectName === 'string') out.ProjectName = cfg.ProjectName;
  const part = cfg.Part ?? cfg.XilinxPart;
  if (typeof part === 'string') out.Part = part;
  if (cfg.ClockPeriod !== undefined) out.ClockPeriod = Number(cfg.ClockPeriod);
  if (typeof cfg.ClockUncertainty === 'number' || typeof cfg.ClockUncertainty === 'string') out.ClockUncertainty = cfg.ClockUncertainty;
  if (typeof cfg.Backend === 'string') out.Backend = cfg.Backend;
  const other: Record<string, unknown> = {};
  const collect = (path: string, s: Record<string, unknown> | undefined) => {
    for (const [k, v] of Object.entries(s ?? {})) if (NON_NUMERIC_KEYS.includes(k)) other[`${path}.${k}`] = v;
  };
  collect('Model', cfg.Model);
  for (const sec of ['LayerType', 'LayerName'] as const) for (const [n, s] of Object.entries(cfg[sec] ?? {})) collect(`${sec}.${n}`, s);
  if (Object.keys(other).length) out.other = other;
  return Object.keys(out).length ? out : undefined;
}
