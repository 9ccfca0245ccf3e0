/**
 * Checking a FirmwareGraph that comes from outside the conversion (a reference file, a saved
 * project's hlsemu.json, user code): every layer through its class's check (config fields known
 * and valid, types and weight arrays present with the right sizes), the wiring topological, the
 * output present. And the JSON form of a graph (weights as plain arrays), written into emitted
 * projects and read back.
 */
import { FormatError, ShapeError, describeValue } from '../errors.js';
import { toFixedType, type FixedType } from '../fixed/types.js';
import { firmwareClass } from '../layers/registry.js';
import { shapeSize, type FirmwareGraph, type FirmwareGraphSpec, type FirmwareLayer, type FirmwareLayerBase, type IOType } from './firmware.js';
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
 * Check a whole graph: io type, input, every layer, producers known and earlier in the list, the
 * output present. Returns the typed graph (layers as their classes' checks return them).
 *
 * @example const fw = checkFirmwareGraph(JSON-revived graph, 'prj/hlsemu.json');
 */
export function checkFirmwareGraph(fw: FirmwareGraph | FirmwareGraphSpec, source = 'graph'): FirmwareGraph {
  if (!isObject(fw)) throw new FormatError(source, 'a firmware graph must be an object');
  const io = fw.ioType as IOType;
  if (io !== 'io_parallel' && io !== 'io_stream') throw new FormatError(`${source}.ioType`, `must be 'io_parallel' or 'io_stream', got ${describeValue(fw.ioType)}`);
  if (!isObject(fw.input) || typeof fw.input.name !== 'string') throw new FormatError(`${source}.input`, 'missing input');
  if (!Array.isArray(fw.input.shape) || !fw.input.shape.every((d) => Number.isInteger(d) && d >= 1)) throw new FormatError(`${source}.input.shape`, `expected positive integer dimensions, got ${describeValue(fw.input.shape)}`);
  const inputType: FixedType = toFixedType(fw.input.type, `${source}.input.type`);
  if (!Array.isArray(fw.layers) || fw.layers.length === 0) throw new FormatError(`${source}.layers`, 'a graph needs at least one layer');
  checkModelBudget(fw.layers as unknown as FirmwareLayerBase[], fw.input.shape, source);
  const shapes = new Map<string, number[]>([[fw.input.name, fw.input.shape]]);
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
  if (typeof fw.output !== 'string' || !shapes.has(fw.output)) throw new FormatError(`${source}.output`, `no layer named ${describeValue(fw.output)}`);
  const out: FirmwareGraph = { name: String(fw.name ?? source), ioType: io, input: { name: fw.input.name, shape: [...fw.input.shape], type: inputType }, layers, output: fw.output, changes: Array.isArray(fw.changes) ? fw.changes.map(String) : [] };
  if (Array.isArray(fw.warnings)) out.warnings = fw.warnings.map(String);
  if (fw.project !== undefined) {
    if (!isObject(fw.project)) throw new FormatError(`${source}.project`, 'must be an object');
    out.project = fw.project;
  }
  return out;
}

/**
 * The memory the emulator of a graph would prepare (every tensor as float64, window tables, weights),
 * estimated from the configs, must fit `limits().maxModelBytes`; every tensor `maxElements`.
 */
function checkModelBudget(layers: FirmwareLayerBase[], inputShape: number[], source: string): void {
  const lim = limits();
  let bytes = 8 * shapeSize(inputShape);
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
