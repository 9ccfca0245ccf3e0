/**
 * Step 1 of the hls4ml conversion: parse a ModelGraph the way hls4ml's Keras front end does — each
 * layer built by its layer module (src/layers), removed layers (Dropout) bypassed, activations split
 * into `<layer>_<activation>` layers by the one split rule — and give every variable its configured
 * type ('auto' kept) and every node its settings, as hls4ml's `Layer.__init__` does.
 */
import { ConfigError, describeValue } from '../errors.js';
import { formatFixedType, parseFixedType, sameType } from '../fixed/types.js';
import { splitLayer } from '../layers/activation.js';
import { hlsClass, modelClass } from '../layers/registry.js';
import type { HlsDraft } from '../layers/spec.js';
import { getPrecision, getPrecisionText, layerAttributes, layerSettings, lookupCaseless, modelDefault, precisionKindOfText, type Hls4mlConfig, type LayerSettings } from './config.js';
import { setType, type HlsClass, type HlsGraph, type HlsNode, type MaybeType, type NodeQuantizers } from './hls-graph.js';
import { quantizerType, type LayerQuantizers, type ModelGraph, type PrecisionKind, type Quantizer } from './model.js';

function typeFromText(text: unknown, path: string): MaybeType {
  if (text === 'auto') return 'auto';
  if (typeof text !== 'string') throw new ConfigError(path, `expected a type string, got ${describeValue(text)}`);
  try {
    return parseFixedType(text);
  } catch (e) {
    throw new ConfigError(path, (e as Error).message);
  }
}

/** The weight variables hls4ml creates with a quantizer (`add_weights_variable(..., quantizer=…)`). */
const QUANTIZED_VARS = ['weight', 'bias', 'scale'] as const;

/**
 * Assign configured types to a node's variables as hls4ml does: variables without a default (and
 * `accum`) through `get_precision`; `accum_t` and the defaulted variables (tables) from the layer's
 * `<var>_t` key, else the default. A variable created with a quantizer gets the quantizer's type
 * (hls4ml replaces the configured precision); the model's own fixed types win over both.
 */
export function assignTypes(node: HlsNode, cfg: Hls4mlConfig, fixed: HlsDraft['types'] = {}): void {
  const spec = hlsClass(node.cls, node.name);
  const attrs = layerAttributes(cfg, node.name, node.cls);
  for (const v of spec.types) {
    const key = `${v.name}_t`;
    const path = `LayerName.${node.name}.${key}`;
    let text: unknown;
    if (v.default === undefined || v.name === 'accum') {
      text = v.name === 'accum' && attrs[key] !== undefined ? attrs[key] : nodePrecisionText(cfg, node, v.name);
    } else text = attrs[key] ?? v.default;
    setType(node, v.name, typeFromText(text, path), typeof text === 'string' && text !== 'auto' ? precisionKindOfText(text) : 'fixed');
  }
  for (const k of [...QUANTIZED_VARS, 'result'] as const) {
    const q = node.quantizers?.[k];
    if (!q || !(k in node.types)) continue;
    const { type, kind } = quantizerType(q);
    setType(node, k, type, kind);
  }
  for (const [k, t] of Object.entries(fixed ?? {})) setType(node, k, t, 'fixed');
}

/**
 * The precision string hls4ml's `get_precision` finds for a node's variable; a node created by a
 * pass with a registered name config of `{'Precision': 'auto'}` (QKerasFactorizeAlpha's ApplyAlpha)
 * reads 'auto' whatever the user's config says.
 */
export function nodePrecisionText(cfg: Hls4mlConfig, node: HlsNode, v: string): string {
  if (node.attrs.precisionAuto === true) return 'auto';
  return getPrecisionText(cfg, node.name, node.cls, v);
}

/** The type and class of a node's variable as `get_precision` resolves it (for weights re-added by a pass without a quantizer). */
export function nodePrecision(cfg: Hls4mlConfig, node: HlsNode, v: string): { type: MaybeType; kind: PrecisionKind } {
  const text = nodePrecisionText(cfg, node, v);
  return { type: typeFromText(text, `LayerName.${node.name}.Precision.${v}`), kind: text === 'auto' ? 'fixed' : precisionKindOfText(text) };
}

/**
 * hls4ml's `add_weights_variable` with a quantizer: the stored data becomes `quantizer(data)`, the
 * float data is kept as `data_unquantized`.
 */
export function quantizeWeight(node: HlsNode, v: string, q: Quantizer | undefined): void {
  const w = node.weights[v];
  if (!w || !q?.apply) return;
  node.weights[v] = { data: q.apply(w.data, w.shape, `${node.name}.${v}`), shape: w.shape, unquantized: w.data };
}

/**
 * hls4ml's config copy for a layer it splits (SeparableToDepthwiseAndConv): the `LayerType` entry of
 * the split class and the `LayerName` entry of the split layer, merged, become the new node's
 * `LayerName` entry with its `Precision` keys renamed; the per-variable precisions and the
 * ReuseFactor / Strategy / ConvImplementation it sets go on top of what the node already had (hls4ml's
 * `parse_name_config`). Nothing happens when the split layer has no entry.
 */
function copyLayerConfig(cfg: Hls4mlConfig, from: string, to: string, spec: NonNullable<HlsDraft['configFrom']>): void {
  const own = <T>(rec: Record<string, T> | undefined, k: string): T | undefined => (rec && Object.prototype.hasOwnProperty.call(rec, k) ? rec[k] : undefined);
  const merged: LayerSettings = structuredClone({ ...own(cfg.LayerType, spec.cls), ...own(cfg.LayerName, from) });
  if (Object.keys(merged).length === 0) return;
  let prec: LayerSettings['Precision'] = merged.Precision ?? {};
  if (typeof prec === 'object') {
    const p: Record<string, string> = { ...prec };
    for (const [k, to2] of Object.entries(spec.precision)) {
      if (!(k in p)) continue;
      if (to2 !== null) p[to2] = p[k]!;
      delete p[k];
    }
    prec = p;
  }
  const before = own(cfg.LayerName, to);
  const old = before?.Precision === undefined ? {} : typeof before.Precision === 'string' ? { default: before.Precision } : before.Precision;
  const entry: LayerSettings = { ...before, ...merged, Precision: typeof prec === 'string' ? { ...old, default: prec } : { ...old, ...prec } };
  cfg.LayerName = { ...cfg.LayerName, [to]: entry };
}

/**
 * Build the working graph from the float model and the config (types assigned, 'auto' kept).
 * Layers hls4ml splits may add `LayerName` entries to `cfg`, as hls4ml does: pass a copy.
 *
 * @example const g = buildHlsGraph(model, cfg);
 */
export function buildHlsGraph(model: ModelGraph, cfg: Hls4mlConfig): HlsGraph {
  const g: HlsGraph = { name: model.name, ioType: cfg.IOType ?? 'io_parallel', nodes: [], outputs: [...model.outputs], changes: [], warnings: [] };
  const alias = new Map<string, string>(); // removed layer → its input; split layer → its activation
  const resolve = (n: string): string => {
    let x = n;
    while (alias.has(x)) x = alias.get(x)!;
    return x;
  };
  const push = (name: string, d: HlsDraft, inputs: string[], shapeIn: number[][], shapeOut: number[], quantizers?: LayerQuantizers, from?: string): HlsNode => {
    const spec = hlsClass(d.cls, name);
    if (d.configFrom && from !== undefined) copyLayerConfig(cfg, from, name, d.configFrom);
    const q: NodeQuantizers | undefined = d.quantizers ?? (quantizers && (quantizers.weight || quantizers.bias || quantizers.result) ? { weight: quantizers.weight, bias: quantizers.bias, result: quantizers.result } : undefined);
    const node: HlsNode = { name, cls: d.cls as HlsClass, inputs, shapeIn, shapeOut, attrs: d.attrs, weights: d.weights ?? {}, types: {}, settings: layerSettings(cfg, name, d.cls), quantizers: q };
    assignTypes(node, cfg, d.types);
    // A weight the model fixes itself (a missing bias: zeros of ap_uint<1>) is not quantized.
    for (const v of QUANTIZED_VARS) if (!d.types?.[v]) quantizeWeight(node, v, node.quantizers?.[v]);
    // hls4ml's output variable holds the producer's precision object: the configured result is ignored.
    if (spec.resultFromInput) node.types.result = g.nodes.find((p) => p.name === inputs[0])?.types.result ?? node.types.result!;
    g.nodes.push(node);
    return node;
  };
  const ctxOf = (where: string, inputs: string[]) => ({
    where,
    inputs,
    source: model.source,
    io: g.ioType,
    warn: (t: string) => g.warnings.push(t),
    precision: (n: string, c: string, v: string) => getPrecision(cfg, n, c, v),
    modelDefault: modelDefault(cfg),
  });
  model.layers.forEach((l, pos) => {
    const where = `layers[${pos}] (${l.className} '${l.name}')`;
    const spec = modelClass(l.className, where);
    const inputs = l.inputs.map(resolve);
    for (const w of l.warnings ?? []) g.warnings!.push(w);
    const built = spec.removed ? null : spec.build(l, ctxOf(where, inputs));
    const chain = built === null ? [] : Array.isArray(built) ? built : [built];
    if (chain.length === 0) {
      alias.set(l.name, inputs[0]!);
      g.changes.push(`${l.name} (${l.className}) removed`);
      return;
    }
    let ins = inputs;
    let shapes = l.inputShapes;
    chain.forEach((d, k) => {
      const last = k === chain.length - 1;
      const name = d.name ?? (last ? l.name : `${l.name}_${k}`);
      const out = d.shapeOut ?? l.outputShape;
      const node = push(name, d, ins, shapes, out, l.quantizers, l.name);
      if (last) warnActivationType(g, node, l.quantizers);
      ins = [name];
      shapes = [out];
      if (last && name !== l.name) alias.set(l.name, name);
    });
    const split = splitLayer(l, model.source, spec, ctxOf(`${where}.activation`, [resolve(l.name)]));
    if (split) {
      for (const w of split.warnings ?? []) g.warnings!.push(w);
      warnActivationType(g, push(split.name, split.draft, [resolve(l.name)], [l.outputShape], l.outputShape), split.quantizers);
      alias.set(l.name, split.name); // consumers of the Keras layer read the split activation
    }
  });
  g.outputs = g.outputs.map(resolve);
  checkLayerNames(cfg, g, model);
  g.warnings.push(...configWarnings(cfg, g));
  return g;
}

/**
 * hls4ml gives an activation quantizer's type to the layer only through a config made at 'name' or
 * 'type' granularity (`config_from_keras_model` writes it as `Precision.result`): say so when the
 * config in use gives the layer another result type.
 */
function warnActivationType(g: HlsGraph, node: HlsNode, q: LayerQuantizers | undefined): void {
  const a = q?.activation;
  if (!a) return;
  const t = node.types.result;
  if (t !== undefined && t !== 'auto' && sameType(t, a.type)) return;
  g.warnings!.push(
    `${node.name}: the QKeras activation quantizer's type ${a.text} is not this layer's result type (${t === undefined || t === 'auto' ? "'auto'" : formatFixedType(t)}): hls4ml takes it only from a config made at 'name' or 'type' granularity (config_from_keras_model), so the firmware quantizes differently from QKeras here`,
  );
}

/**
 * What a config says that hls4ml 1.3 reads differently (or not at all) — each a warning naming the
 * key, so no setting is silently ignored: `Precision` entries of attribute-read types (tables),
 * `<var>_t` keys of types read from `Precision`, a softmax `Strategy`, LayerType entries that match
 * no layer's hls4ml class, LayerType `ConvImplementation`, layer attributes at Model level.
 */
export function configWarnings(cfg: Hls4mlConfig, g: HlsGraph): string[] {
  const out: string[] = [];
  const classes = new Set(g.nodes.map((n) => n.cls.toLowerCase()));
  for (const k of Object.keys(cfg.Model)) {
    if (['table_size', 'TableSize', 'Implementation', 'table_t', 'exp_table_t', 'inv_table_t'].includes(k) || /_t$/.test(k)) {
      out.push(`Model.${k} is not read by hls4ml (Model-level keys are not merged into layers); set it under LayerName or LayerType`);
    }
  }
  for (const [key, s] of Object.entries(cfg.LayerType ?? {})) {
    if (!classes.has(key.toLowerCase())) out.push(`LayerType.${key} matches no layer: hls4ml looks LayerType entries up by its own class name (classes here: ${[...new Set(g.nodes.map((n) => n.cls))].join(', ')})`);
    if (s.ConvImplementation !== undefined) out.push(`LayerType.${key}.ConvImplementation is never matched by hls4ml (it looks it up by the backend-wrapped class name); set it under LayerName or Model`);
  }
  for (const n of g.nodes) {
    const spec = hlsClass(n.cls, n.name);
    const entries: [string, Record<string, unknown> | undefined][] = [
      [`LayerName.${n.name}`, lookupCaseless(cfg.LayerName, n.name)],
      [`LayerType.${n.cls}`, lookupCaseless(cfg.LayerType, n.cls)],
    ];
    for (const [path, s] of entries) {
      if (!s) continue;
      const prec = s.Precision;
      const pr = prec && typeof prec === 'object' ? (prec as Record<string, string | undefined>) : undefined;
      const resultSet = typeof prec === 'string' ? prec !== 'auto' : !!pr && (pr.result ?? pr.default ?? 'auto') !== 'auto';
      if (spec.resultFromInput && resultSet) out.push(`${path}.Precision: a ${n.cls} layer's output keeps its input's precision in hls4ml (the configured result is not read); ${n.name} uses ${fmtType(n.types.result)}`);
      if (prec && typeof prec === 'object') {
        for (const v of Object.keys(prec)) {
          const tv = spec.types.find((t) => t.name === v);
          if (v === 'default') continue;
          if (!tv) out.push(`${path}.Precision.${v}: a ${n.cls} layer has no '${v}' type (hls4ml ignores it)`);
          else if (tv.default !== undefined && v !== 'accum') out.push(`${path}.Precision.${v} is not read by hls4ml 1.3 (it reads the ${v}_t key); ${n.name} uses ${String(fmtType(n.types[v]))}`);
        }
      }
      for (const k of Object.keys(s)) {
        const m = /^(.*)_t$/.exec(k);
        const tv = m ? spec.types.find((t) => t.name === m[1]) : undefined;
        if (m && tv && tv.default === undefined && tv.name !== 'accum') out.push(`${path}.${k} is overridden by hls4ml (the ${tv.name} type comes from Precision.${tv.name})`);
      }
      if (n.cls === 'Softmax' && s.Strategy !== undefined) out.push(`${path}.Strategy does not select the softmax implementation in hls4ml 1.3 (Implementation does); ${n.name} is '${String(n.settings.implementation ?? 'stable')}'`);
    }
  }
  return out;
}

function fmtType(t: MaybeType | undefined): string {
  return t === undefined ? 'nothing' : t === 'auto' ? "'auto'" : formatFixedType(t);
}

/** Every `LayerName` key must name a layer of the model (or one hls4ml creates: split activations, zero padding). */
function checkLayerNames(cfg: Hls4mlConfig, g: HlsGraph, model: ModelGraph): void {
  if (!cfg.LayerName) return;
  const known = new Set<string>();
  for (const l of model.layers) known.add(l.name.toLowerCase());
  for (const n of g.nodes) {
    known.add(n.name.toLowerCase());
    // layers hls4ml's passes create: zero padding, QKeras alpha scales, ternary thresholds, BN + quantized tanh, io_stream merge broadcasts
    for (const made of [`zp1d_${n.name}`, `zp2d_${n.name}`, `${n.name}_alpha`, `${n.name}_scale`, `bnbt_${n.name}`, `broadcast_${n.name}`]) known.add(made.toLowerCase());
  }
  for (const key of Object.keys(cfg.LayerName)) {
    if (!known.has(key.toLowerCase())) {
      const names = g.nodes.map((n) => n.name).join(', ');
      throw new ConfigError(`LayerName.${key}`, `no layer named '${key}' in model '${model.name}' (layers: ${names})`);
    }
  }
}
