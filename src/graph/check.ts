/**
 * Checking a FirmwareGraph that comes from outside the conversion (a reference file, a saved
 * project's hlsemu.json, user code): every layer through its class's check (config fields known
 * and valid, types and weight arrays present with the right sizes), the wiring topological, the
 * output present. And the JSON form of a graph (weights as plain arrays), written into emitted
 * projects and read back.
 */
import { FormatError, ShapeError, UnsupportedError, describeValue } from '../errors.js';
import { toFixedType } from '../fixed/types.js';
import { firmwareClass } from '../layers/registry.js';
import { shapeSize, type FirmwareGraph, type FirmwareGraphSpec, type FirmwareInput, type FirmwareLayer, type FirmwareLayerBase, type IOType } from './firmware.js';
import { formatBytes, limits } from '../io/limits.js';
import type { FirmwareClassSpec } from '../layers/spec.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Check one layer into its typed form (its class's `check`).
 *
 * @example const L = checkFirmwareLayer(untyped, 'model.layers[2]');
 */
export function checkFirmwareLayer(L: FirmwareLayerBase, path: string, inputShapes?: number[][]): FirmwareLayer {
  if (!isObject(L)) throw new FormatError(path, 'a layer must be an object');
  if (typeof L.name !== 'string' || L.name === '') throw new FormatError(`${path}.name`, 'missing layer name');
  if (!Array.isArray(L.inputs) || !L.inputs.every((i) => typeof i === 'string')) throw new FormatError(`${path}.inputs`, 'expected a list of producer names');
  if (!isObject(L.types)) throw new FormatError(`${path}.types`, 'missing types');
  const types = Object.fromEntries(Object.entries(L.types).map(([k, t]) => [k, toFixedType(t, `${path}.types.${k}`)]));
  if (L.weights !== undefined && !isObject(L.weights)) throw new FormatError(`${path}.weights`, 'expected an object of named raw arrays');
  if (!isObject(L.config)) throw new FormatError(`${path}.config`, 'missing config');
  return firmwareClass(String(L.cls), `${path}.cls`).check({ ...L, types, weights: L.weights ?? {} } as FirmwareLayerBase, path, inputShapes) as FirmwareLayer;
}

/**
 * Check a whole graph: io type, input ports (`inputs`, or the single `input` of older files), every
 * layer, producers known and earlier in the list, the outputs present (`outputs`, or `output`). Returns the typed graph (layers as their classes' checks return them).
 *
 * @example const fw = checkFirmwareGraph(JSON-revived graph, 'prj/hlsemu.json');
 */
export function checkFirmwareGraph(fw: FirmwareGraph | FirmwareGraphSpec, source = 'graph'): FirmwareGraph {
  if (!isObject(fw)) throw new FormatError(source, 'a firmware graph must be an object');
  const io = fw.ioType as IOType;
  if (io !== 'io_parallel' && io !== 'io_stream') throw new FormatError(`${source}.ioType`, `must be 'io_parallel' or 'io_stream', got ${describeValue(fw.ioType)}`);
  const inputs = checkInputs(fw, source);
  if (!Array.isArray(fw.layers) || fw.layers.length === 0) throw new FormatError(`${source}.layers`, 'a graph needs at least one layer');
  checkModelBudget(fw.layers as unknown as FirmwareLayerBase[], inputs, source);
  const shapes = new Map<string, number[]>(inputs.map((i) => [i.name, i.shape]));
  const layers = fw.layers.map((raw, k) => {
    const path = `${source}.layers[${k}]`;
    const inputShapes = (Array.isArray(raw?.inputs) ? raw.inputs : []).map((i, s) => {
      const sh = shapes.get(i);
      if (!sh) throw new ShapeError(`${path}.inputs[${s}]`, `unknown producer '${i}' (layers must be topologically ordered)`);
      return sh;
    });
    const cfg = raw && typeof raw.config === 'object' && raw.config !== null ? Object.assign({ io_type: io }, raw.config) : raw?.config;
    const L = checkFirmwareLayer({ ...raw, config: cfg } as FirmwareLayerBase, path, inputShapes);
    if (shapes.has(L.name)) throw new FormatError(`${path}.name`, `duplicate layer name '${L.name}'`);
    const first = inputShapes[0];
    if (first && (first.length !== L.shapeIn.length || first.some((d, i) => d !== L.shapeIn[i]))) {
      throw new ShapeError(`${path}.shapeIn`, `is ${describeValue(L.shapeIn)} but its producer '${L.inputs[0]}' outputs ${describeValue(first)}`);
    }
    if ((L.config as { io_type?: string }).io_type !== io) throw new FormatError(`${path}.config.io_type`, `is ${String((L.config as { io_type?: string }).io_type)} but the graph is ${io}`);
    shapes.set(L.name, L.shapeOut);
    return L;
  });
  const outputs = checkOutputs(fw, source, new Set(layers.map((L) => L.name)), new Set(inputs.map((i) => i.name)));
  const out: FirmwareGraph = {
    name: String(fw.name ?? source),
    ioType: io,
    inputs,
    input: inputs[0]!,
    layers,
    outputs,
    output: outputs[0]!,
    changes: Array.isArray(fw.changes) ? fw.changes.map(String) : [],
  };
  if (Array.isArray(fw.warnings)) out.warnings = fw.warnings.map(String);
  if (fw.project !== undefined) {
    if (!isObject(fw.project)) throw new FormatError(`${source}.project`, 'must be an object');
    out.project = fw.project;
  }
  return out;
}

/** The input ports: `inputs` (a list), or the single-port `input` of older files; both must agree. */
function checkInputs(fw: FirmwareGraph | FirmwareGraphSpec, source: string): FirmwareInput[] {
  const list: unknown = fw.inputs;
  const one: unknown = fw.input;
  if (list === undefined && one === undefined) throw new FormatError(`${source}.inputs`, 'missing inputs (a list of { name, shape, type })');
  if (list !== undefined && (!Array.isArray(list) || list.length === 0)) throw new FormatError(`${source}.inputs`, `expected a non-empty list of input ports, got ${describeValue(list)}`);
  const raw = (list ?? [one]) as unknown[];
  const names = new Set<string>();
  const ports = raw.map((p, k) => {
    const path = list !== undefined ? `${source}.inputs[${k}]` : `${source}.input`;
    if (!isObject(p) || typeof p.name !== 'string' || p.name === '') throw new FormatError(path, 'expected { name, shape, type }');
    if (names.has(p.name)) throw new FormatError(`${path}.name`, `duplicate input name '${p.name}'`);
    names.add(p.name);
    if (!Array.isArray(p.shape) || !p.shape.every((d) => Number.isInteger(d) && d >= 1)) throw new FormatError(`${path}.shape`, `expected positive integer dimensions, got ${describeValue(p.shape)}`);
    return { name: p.name, shape: [...(p.shape as number[])], type: toFixedType(p.type, `${path}.type`) };
  });
  if (list !== undefined && one !== undefined) {
    const first = ports[0]!;
    const o = one as Record<string, unknown>;
    if (!isObject(one) || o.name !== first.name || JSON.stringify(o.shape) !== JSON.stringify(first.shape)) {
      throw new FormatError(`${source}.input`, `must be the first input port '${first.name}' (or be left out)`);
    }
  }
  return ports;
}

/** The output layers: `outputs` (a list), or the single `output` of older files; both must agree. */
function checkOutputs(fw: FirmwareGraph | FirmwareGraphSpec, source: string, layers: Set<string>, inputs: Set<string>): string[] {
  const list: unknown = fw.outputs;
  const one: unknown = fw.output;
  if (list === undefined && one === undefined) throw new FormatError(`${source}.outputs`, 'missing outputs (a list of layer names)');
  if (list !== undefined && (!Array.isArray(list) || list.length === 0)) throw new FormatError(`${source}.outputs`, `expected a non-empty list of layer names, got ${describeValue(list)}`);
  const names = (list ?? [one]) as unknown[];
  const seen = new Set<string>();
  names.forEach((o, k) => {
    const path = list !== undefined ? `${source}.outputs[${k}]` : `${source}.output`;
    if (typeof o === 'string' && inputs.has(o)) throw new UnsupportedError(path, `'${o}' is a model input: an output must be a layer's result`);
    if (typeof o !== 'string' || !layers.has(o)) throw new FormatError(path, `no layer named ${describeValue(o)}`);
    if (seen.has(o)) throw new FormatError(path, `'${o}' is listed twice`);
    seen.add(o);
  });
  if (list !== undefined && one !== undefined && one !== names[0]) throw new FormatError(`${source}.output`, `must be the first output '${String(names[0])}' (or be left out)`);
  return names as string[];
}

/**
 * The memory the emulator of a graph would prepare (every tensor as float64, window tables, weights),
 * estimated from the configs, must fit `limits().maxModelBytes`; every tensor `maxElements`.
 */
function checkModelBudget(layers: FirmwareLayerBase[], inputs: FirmwareInput[], source: string): void {
  const lim = limits();
  let bytes = inputs.reduce((s, i) => s + 8 * shapeSize(i.shape), 0);
  layers.forEach((L, k) => {
    const path = `${source}.layers[${k}]`;
    for (const [what, shape] of [['shapeIn', L?.shapeIn], ['shapeOut', L?.shapeOut]] as const) {
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 1)) throw new FormatError(`${path}.${what}`, 'expected positive integer dimensions');
      if (!(shapeSize(shape) <= lim.maxElements)) throw new ShapeError(`${path}.${what}`, `${describeValue(shape)} holds more than the limit of ${lim.maxElements} values (HLSEMU_MAX_ELEMENTS)`);
    }
    const spec = firmwareClass(String(L.cls), `${path}.cls`) as FirmwareClassSpec<FirmwareLayer>;
    const weights = Object.values((L.weights ?? {}) as Record<string, ArrayLike<number>>).reduce((s, w) => s + 8 * (w?.length ?? 0), 0);
    bytes += 8 * shapeSize(L.shapeOut) + (spec.memoryBytes ? spec.memoryBytes(L) : weights);
  });
  if (!(bytes <= lim.maxModelBytes)) {
    throw new ShapeError(source, `the emulator of this model would prepare about ${formatBytes(bytes)}, more than the limit of ${formatBytes(lim.maxModelBytes)} (HLSEMU_MAX_MODEL_BYTES)`);
  }
}

/**
 * The JSON form of a graph (weight arrays as plain number lists).
 *
 * @example writeFileSync('g.json', JSON.stringify(firmwareGraphToJson(fw)));
 */
export function firmwareGraphToJson(fw: FirmwareGraph): unknown {
  return { ...fw, layers: fw.layers.map((L) => ({ ...L, weights: Object.fromEntries(Object.entries(L.weights as Record<string, Float64Array>).map(([k, v]) => [k, Array.from(v)])) })) };
}

/**
 * Read a graph back from its JSON form, checked.
 *
 * @example const fw = firmwareGraphFromJson(JSON.parse(text), 'prj/hlsemu.json');
 */
export function firmwareGraphFromJson(v: unknown, source = 'graph'): FirmwareGraph {
  if (!isObject(v) || !Array.isArray(v.layers)) throw new FormatError(source, 'not a firmware graph (no layers)');
  const layers = v.layers.map((L: unknown, k: number) => {
    if (!isObject(L)) throw new FormatError(`${source}.layers[${k}]`, 'a layer must be an object');
    const w = isObject(L.weights) ? L.weights : {};
    const weights: Record<string, Float64Array> = {};
    for (const [name, arr] of Object.entries(w)) {
      if (!Array.isArray(arr)) throw new FormatError(`${source}.layers[${k}].weights.${name}`, 'expected a list of raw integers');
      weights[name] = Float64Array.from(arr as number[]);
    }
    return { ...L, weights };
  });
  return checkFirmwareGraph({ ...(v as unknown as FirmwareGraph), layers: layers as unknown as FirmwareLayer[] }, source);
}
