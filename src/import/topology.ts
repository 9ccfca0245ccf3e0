/**
 * Keras model topology → layer graph, shared by the tfjs and Keras (JSON/HDF5) readers.
 * Handles Sequential (with or without an explicit InputLayer; Keras 2.0's bare list form too) and
 * functional `Model` / `Functional` topologies with `inbound_nodes` in the Keras 2 nested-list format
 * (`[[["dense1", 0, 0, {}]]]`) and the Keras 3 dict format (`[{args: [{class_name: '__keras_tensor__',
 * config: {keras_history: ["dense1", 0, 0]}}], kwargs: {}}]`). Layers come out in topological order
 * with the InputLayers first (in `input_layers` order); each layer is mapped through the one table in
 * `layer-map.ts`. {@link assembleModelGraph} then attaches float weights by Keras name.
 */
import { FormatError, ShapeError, UnsupportedError } from '../errors.js';
import type { FloatTensor, ModelGraph, ModelLayer } from '../graph/model.js';
import { LayerConfigReader, mapKerasLayer, readBatchInputShape, type WeightSpec } from './layer-map.js';

/** Name given to the InputLayer synthesised for a Sequential model without one (as hls4ml does). */
export const SEQUENTIAL_INPUT_NAME = 'input1';

/** A layer of a parsed topology: a {@link ModelLayer} without weights, plus where it came from. */
export interface ParsedLayer extends Omit<ModelLayer, 'weights'> {
  /** Position in the topology's `layers` list (-1 for a synthesised Sequential InputLayer). */
  index: number;
  /** Class name as written in the topology. */
  kerasClass: string;
  /** `layers[3] (Dense 'fc1')`, for error paths. */
  where: string;
  /** Weights the layer must carry, in Keras order. */
  weightSpecs: WeightSpec[];
}

/** A parsed Keras topology. */
export interface ParsedTopology {
  /** Model name from the config (may be empty). */
  name: string;
  /** 'Sequential' or 'Functional'. */
  kind: 'Sequential' | 'Functional';
  /** `keras_version` recorded next to the config, if any. */
  kerasVersion?: string;
  layers: ParsedLayer[];
  outputs: string[];
}

/** A float weight read from some container, by its stored name (`dense1/kernel`, `fc1/kernel:0`, …). */
export interface NamedWeight {
  name: string;
  shape: number[];
  data: Float32Array | Float64Array;
}

interface RawLayer {
  index: number;
  kerasClass: string;
  name: string;
  config: Record<string, unknown>;
  inputs: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function layerWhere(index: number, cls: string, name: string): string {
  return `layers[${index}] (${cls} '${name}')`;
}

/**
 * Unwraps the forms a Keras topology is found in: the bare `{class_name, config}`, the tfjs
 * `modelTopology` of a converted Keras model (`{model_config: {...}, keras_version}`), or a whole
 * tfjs `model.json` (`{modelTopology: ...}`).
 */
function unwrapTopology(topology: unknown, path: string): { top: Record<string, unknown>; kerasVersion?: string } {
  if (!isObject(topology)) throw new FormatError(path, 'model topology must be a JSON object');
  let top: Record<string, unknown> = topology;
  let kerasVersion = typeof top['keras_version'] === 'string' ? top['keras_version'] : undefined;
  if (isObject(top['modelTopology'])) top = top['modelTopology'];
  if (isObject(top['model_config'])) {
    kerasVersion ??= typeof top['keras_version'] === 'string' ? top['keras_version'] : undefined;
    top = top['model_config'];
  }
  if (typeof top['keras_version'] === 'string') kerasVersion = top['keras_version'];
  if (typeof top['class_name'] !== 'string' || top['config'] === undefined) {
    throw new FormatError(path, 'not a Keras model topology (no class_name / config)');
  }
  return { top, kerasVersion };
}

function rawLayerOf(entry: unknown, index: number, path: string): Omit<RawLayer, 'inputs'> & { entry: Record<string, unknown> } {
  if (!isObject(entry)) throw new FormatError(`${path}.layers[${index}]`, 'layer entry must be an object');
  const kerasClass = entry['class_name'];
  const config = entry['config'] ?? {};
  if (typeof kerasClass !== 'string') throw new FormatError(`${path}.layers[${index}]`, 'layer entry has no class_name');
  if (!isObject(config)) throw new FormatError(`${path}.layers[${index}] (${kerasClass})`, 'layer config must be an object');
  const name = typeof entry['name'] === 'string' ? entry['name'] : config['name'];
  if (typeof name !== 'string' || name === '') {
    throw new FormatError(`${path}.layers[${index}] (${kerasClass})`, 'layer has no name');
  }
  return { index, kerasClass, name, config, entry };
}

/** Collects `keras_history` references from a Keras 3 node's args, in order. */
function collectKerasTensors(v: unknown, out: unknown[][]): void {
  if (Array.isArray(v)) {
    for (const e of v) collectKerasTensors(e, out);
  } else if (isObject(v)) {
    const cfg = v['config'];
    if (v['class_name'] === '__keras_tensor__' && isObject(cfg) && Array.isArray(cfg['keras_history'])) {
      out.push(cfg['keras_history']);
    }
  }
}

/** Parses `inbound_nodes` (Keras 2 nested lists or Keras 3 dicts) into producer layer names. */
function parseInbound(nodes: unknown, where: string): string[] {
  const path = `${where}.inbound_nodes`;
  if (nodes === undefined || nodes === null) return [];
  if (!Array.isArray(nodes)) throw new FormatError(path, 'expected a list');
  if (nodes.length === 0) return [];
  if (nodes.length > 1) {
    throw new UnsupportedError(where, `shared layers (called ${nodes.length} times) are not supported`);
  }
  const node = nodes[0];
  let refs: unknown[][];
  if (Array.isArray(node)) {
    refs = node.map((r, i) => {
      if (!Array.isArray(r)) throw new FormatError(`${path}[0][${i}]`, 'expected [layer_name, node_index, tensor_index, kwargs]');
      return r;
    });
  } else if (isObject(node)) {
    refs = [];
    collectKerasTensors(node['args'], refs);
  } else {
    throw new FormatError(`${path}[0]`, 'unrecognised inbound node format');
  }
  return refs.map((r, i) => {
    const [name, nodeIndex = 0, tensorIndex = 0] = r;
    if (typeof name !== 'string') throw new FormatError(`${path}[0][${i}]`, 'producer name must be a string');
    if (nodeIndex !== 0) throw new UnsupportedError(where, `input from call #${String(nodeIndex)} of shared layer '${name}' is not supported`);
    if (tensorIndex !== 0) throw new UnsupportedError(where, `input from output #${String(tensorIndex)} of multi-output layer '${name}' is not supported`);
    return name;
  });
}

/** `[["in", 0, 0], ...]` or Keras 3's single `["in", 0, 0]` → names. */
function parseEndpointList(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw new FormatError(path, 'expected a list of [layer_name, node_index, tensor_index]');
  if (v.length > 0 && typeof v[0] === 'string') return [v[0]];
  return v.map((e, i) => {
    if (Array.isArray(e) && typeof e[0] === 'string') {
      if ((e[2] ?? 0) !== 0) throw new UnsupportedError(`${path}[${i}]`, 'outputs of multi-output layers are not supported');
      return e[0];
    }
    throw new FormatError(`${path}[${i}]`, 'expected [layer_name, node_index, tensor_index]');
  });
}

function readSequential(config: unknown, path: string): { name: string; raws: RawLayer[] } {
  const list = Array.isArray(config) ? config : isObject(config) ? config['layers'] : undefined;
  if (!Array.isArray(list)) throw new FormatError(`${path}.config.layers`, 'Sequential config has no layers list');
  if (list.length === 0) throw new FormatError(`${path}.config.layers`, 'Sequential model has no layers');
  const name = isObject(config) && typeof config['name'] === 'string' ? config['name'] : '';
  const raws: RawLayer[] = [];
  list.forEach((entry, i) => {
    const r = rawLayerOf(entry, i, path);
    if (i === 0 && r.kerasClass !== 'InputLayer') {
      const reader = new LayerConfigReader(i, r.kerasClass, r.name, r.config);
      const shape = readBatchInputShape(reader);
      if (!shape) {
        throw new FormatError(reader.field('batch_input_shape'), 'Sequential model has no InputLayer and its first layer has no batch_input_shape');
      }
      const inputName = list.some((e) => isObject(e) && (e['name'] ?? (e['config'] as Record<string, unknown> | undefined)?.['name']) === SEQUENTIAL_INPUT_NAME)
        ? `${r.name}_input`
        : SEQUENTIAL_INPUT_NAME;
      raws.push({ index: -1, kerasClass: 'InputLayer', name: inputName, config: { batch_input_shape: [null, ...shape], name: inputName }, inputs: [] });
    }
    const prev = raws[raws.length - 1];
    raws.push({ index: i, kerasClass: r.kerasClass, name: r.name, config: r.config, inputs: prev ? [prev.name] : [] });
  });
  return { name, raws };
}

function readFunctional(config: unknown, path: string): { name: string; raws: RawLayer[]; inputs: string[]; outputs: string[] } {
  if (!isObject(config) || !Array.isArray(config['layers'])) throw new FormatError(`${path}.config.layers`, 'functional model config has no layers list');
  const raws = config['layers'].map((entry, i) => {
    const r = rawLayerOf(entry, i, path);
    const where = layerWhere(i, r.kerasClass, r.name);
    return { index: i, kerasClass: r.kerasClass, name: r.name, config: r.config, inputs: parseInbound(r.entry['inbound_nodes'], where) };
  });
  return {
    name: typeof config['name'] === 'string' ? config['name'] : '',
    raws,
    inputs: parseEndpointList(config['input_layers'], `${path}.config.input_layers`),
    outputs: parseEndpointList(config['output_layers'], `${path}.config.output_layers`),
  };
}

/** Kahn's algorithm, InputLayers first (in `inputOrder`), then always the earliest-listed ready layer. */
function topoSort(raws: RawLayer[], inputOrder: string[], path: string): RawLayer[] {
  const byName = new Map<string, RawLayer>();
  for (const r of raws) {
    const where = layerWhere(r.index, r.kerasClass, r.name);
    if (byName.has(r.name)) throw new FormatError(where, `duplicate layer name '${r.name}'`);
    byName.set(r.name, r);
  }
  for (const r of raws) {
    const where = layerWhere(r.index, r.kerasClass, r.name);
    for (const inp of r.inputs) {
      if (!byName.has(inp)) throw new FormatError(`${where}.inbound_nodes`, `unknown input layer '${inp}'`);
    }
    if (r.kerasClass !== 'InputLayer' && r.inputs.length === 0) {
      throw new FormatError(`${where}.inbound_nodes`, 'layer has no inputs');
    }
  }
  const inputLayers = raws.filter((r) => r.kerasClass === 'InputLayer');
  inputLayers.sort((a, b) => {
    const ia = inputOrder.indexOf(a.name);
    const ib = inputOrder.indexOf(b.name);
    return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib) || a.index - b.index;
  });
  const placed = new Set<string>(inputLayers.map((r) => r.name));
  const order = [...inputLayers];
  const rest = raws.filter((r) => r.kerasClass !== 'InputLayer');
  while (rest.length > 0) {
    const k = rest.findIndex((r) => r.inputs.every((i) => placed.has(i)));
    if (k < 0) {
      const r = rest[0]!;
      throw new FormatError(layerWhere(r.index, r.kerasClass, r.name), 'the layer graph has a cycle or is disconnected from the inputs');
    }
    const [r] = rest.splice(k, 1);
    placed.add(r!.name);
    order.push(r!);
  }
  if (order.length === 0) throw new FormatError(path, 'model has no layers');
  return order;
}

/**
 * Parses a Keras / tfjs model topology into layers (topological order, InputLayers first) with
 * normalised attrs and inferred shapes, but no weights.
 *
 * @param topology `{class_name, config, keras_version?}`, a tfjs `modelTopology` (also the converter's
 *   `{model_config: ...}` wrapping) or a whole tfjs model.json object.
 * @param path Where the topology came from, for error messages (e.g. the file name).
 * @throws {UnsupportedError} unsupported layers/options (naming `layers[i] (Class 'name')`);
 *   {@link FormatError} malformed topology; {@link ShapeError} inconsistent shapes.
 * @example
 * const t = parseKerasTopology(JSON.parse(readFileSync('KERAS_3layer.json', 'utf8')), 'KERAS_3layer.json');
 * t.layers.map((l) => l.className); // ['InputLayer', 'Dense', 'Dense', 'Dense', 'Dense']
 */
export function parseKerasTopology(topology: unknown, path: string): ParsedTopology {
  const { top, kerasVersion } = unwrapTopology(topology, path);
  const cls = top['class_name'] as string;
  let kind: ParsedTopology['kind'];
  let name: string;
  let raws: RawLayer[];
  let inputs: string[] = [];
  let outputs: string[];
  if (cls === 'Sequential') {
    kind = 'Sequential';
    ({ name, raws } = readSequential(top['config'], path));
    inputs = [raws[0]!.name];
    outputs = [raws[raws.length - 1]!.name];
  } else if (cls === 'Model' || cls === 'Functional') {
    kind = 'Functional';
    ({ name, raws, inputs, outputs } = readFunctional(top['config'], path));
  } else {
    throw new UnsupportedError(`${path}.class_name`, `model class '${cls}' is not supported (Sequential, Model or Functional)`);
  }
  const ordered = topoSort(raws, inputs, path);
  const names = new Set(ordered.map((r) => r.name));
  for (const n of [...inputs, ...outputs]) {
    if (!names.has(n)) throw new FormatError(`${path}.config`, `input/output layer '${n}' is not in the layers list`);
  }
  for (const n of inputs) {
    const r = ordered.find((q) => q.name === n)!;
    if (r.kerasClass !== 'InputLayer') throw new UnsupportedError(layerWhere(r.index, r.kerasClass, r.name), 'model inputs must be InputLayers');
  }

  const shapes = new Map<string, number[]>();
  const layers: ParsedLayer[] = ordered.map((r) => {
    const reader = new LayerConfigReader(r.index, r.kerasClass, r.name, r.config);
    const inputShapes = r.inputs.map((i) => [...shapes.get(i)!]);
    const m = mapKerasLayer(reader, inputShapes);
    if (m.className === 'InputLayer' && r.inputs.length > 0) {
      throw new FormatError(reader.where, 'InputLayer must not have inbound nodes');
    }
    shapes.set(r.name, m.outputShape);
    const parsedLayer: ParsedLayer = {
      name: r.name,
      className: m.className,
      inputs: [...r.inputs],
      inputShapes,
      outputShape: [...m.outputShape],
      attrs: m.attrs,
      index: r.index,
      kerasClass: r.kerasClass,
      where: reader.where,
      weightSpecs: m.weightSpecs,
    };
    if (m.quantizers) parsedLayer.quantizers = m.quantizers;
    if (m.warnings) parsedLayer.warnings = m.warnings;
    return parsedLayer;
  });
  const result: ParsedTopology = { name, kind, layers, outputs };
  if (kerasVersion !== undefined) result.kerasVersion = kerasVersion;
  return result;
}

/**
 * The Keras weight name inside a stored weight path: last path segment without the `:0` suffix.
 *
 * @example
 * weightBaseName('fc1_relu/kernel:0'); // 'kernel'
 * weightBaseName('sequential/bn/moving_mean'); // 'moving_mean'
 */
export function weightBaseName(stored: string): string {
  const lastSeg = stored.split('/').pop() ?? stored;
  return lastSeg.replace(/:\d+$/, '');
}

function product(shape: number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * Matches the weights a container holds for one layer to the layer's expected Keras weights: by base
 * name (`…/kernel:0` → `kernel`), or — when no name matches and the count is right — by Keras order.
 *
 * @param container Human-readable location, e.g. `model.h5:/model_weights/fc1` or `weights.bin`.
 * @throws {FormatError} missing / unexpected / duplicate weights; {@link ShapeError} wrong shapes.
 * @example
 * resolveLayerWeights(layer, [{ name: 'fc1/kernel:0', shape: [16, 64], data }, ...], 'w.h5:/fc1');
 * // → { kernel: {shape: [16, 64], data}, bias: {...} }
 */
export function resolveLayerWeights(
  layer: Pick<ParsedLayer, 'where' | 'weightSpecs'>,
  entries: NamedWeight[],
  container: string,
): Record<string, FloatTensor> {
  const ignored = new Set(layer.weightSpecs.filter((s) => s.ignored).map((s) => s.name));
  const specs = layer.weightSpecs.filter((s) => !s.ignored);
  if (ignored.size) entries = entries.filter((e) => !ignored.has(weightBaseName(e.name)));
  const expected = specs.map((s) => s.name);
  const canonical = new Map<string, string>();
  for (const s of specs) for (const n of [s.name, ...(s.aliases ?? [])]) canonical.set(n, s.name);
  if (specs.length === 0) {
    if (entries.length > 0) {
      throw new FormatError(layer.where, `${container} holds weights (${entries.map((e) => e.name).join(', ')}) for a layer that has none`);
    }
    return {};
  }
  const assigned = new Map<string, NamedWeight>();
  const unmatched: NamedWeight[] = [];
  for (const e of entries) {
    const base = canonical.get(weightBaseName(e.name));
    if (base !== undefined) {
      if (assigned.has(base)) throw new FormatError(`${layer.where}.weights.${base}`, `${container} holds '${base}' twice`);
      assigned.set(base, e);
    } else {
      unmatched.push(e);
    }
  }
  if (unmatched.length > 0) {
    if (assigned.size === 0 && entries.length === specs.length) {
      entries.forEach((e, i) => assigned.set(specs[i]!.name, e));
    } else {
      throw new FormatError(
        layer.where,
        `${container} holds unexpected weights ${unmatched.map((e) => `'${e.name}'`).join(', ')} (expected ${expected.join(', ')})`,
      );
    }
  }
  const out: Record<string, FloatTensor> = {};
  for (const s of specs) {
    const e = assigned.get(s.name);
    const path = `${layer.where}.weights.${s.name}`;
    if (!e) throw new FormatError(path, `weight '${s.name}' is missing from ${container}`);
    if (e.shape.length !== s.shape.length || e.shape.some((d, i) => d !== s.shape[i])) {
      throw new ShapeError(path, `expected shape [${s.shape.join(', ')}], got [${e.shape.join(', ')}] ('${e.name}' in ${container})`);
    }
    if (e.data.length !== product(s.shape)) {
      throw new ShapeError(path, `expected ${product(s.shape)} values, got ${e.data.length} ('${e.name}' in ${container})`);
    }
    out[s.name] = { shape: [...e.shape], data: e.data };
  }
  return out;
}

/**
 * Builds the final {@link ModelGraph}: asks `weightsOf` for each layer's stored weights
 * (`null` = the container has nothing for that layer) and matches them with
 * {@link resolveLayerWeights}.
 *
 * @param containerOf Human-readable location of a layer's weights, for messages.
 * @example
 * const graph = assembleModelGraph(parsed, 'tfjs', (l) => byLayer.get(l.name) ?? null, () => 'weights.bin', 'mnist');
 */
export function assembleModelGraph(
  parsed: ParsedTopology,
  source: string,
  weightsOf: (layer: ParsedLayer) => NamedWeight[] | null,
  containerOf: (layer: ParsedLayer) => string,
  fallbackName = 'model',
): ModelGraph {
  const layers: ModelLayer[] = parsed.layers.map((l) => {
    const entries = weightsOf(l);
    if (entries === null && l.weightSpecs.length > 0) {
      throw new FormatError(l.where, `no weights for this layer in ${containerOf(l)}`);
    }
    const weights = resolveLayerWeights(l, entries ?? [], containerOf(l));
    const layer: ModelLayer = {
      name: l.name,
      className: l.className,
      inputs: [...l.inputs],
      inputShapes: l.inputShapes.map((s) => [...s]),
      outputShape: [...l.outputShape],
      attrs: l.attrs,
      weights,
    };
    if (l.quantizers) layer.quantizers = l.quantizers;
    if (l.warnings) layer.warnings = [...l.warnings];
    return layer;
  });
  return { name: parsed.name || fallbackName, source, layers, outputs: [...parsed.outputs] };
}
