/**
 * Reads the reference whole-model files (test/golden/hls4ml/model_*.json and the `firmware`
 * section of import cases): layers with hls4ml config-struct fields, types and raw weights, plus raw
 * inputs, per-layer traces and outputs. Rebuilds the FirmwareGraph they describe.
 */
import { FormatError } from '../errors.js';
import { toFixedType } from '../fixed/types.js';
import { FIRMWARE_LAYER_CLASSES, type FirmwareGraph, type FirmwareLayer, type FirmwareLayerClass, type LayerTypes } from './firmware.js';

/** A reference model file's expectations. */
export interface ReferenceModel {
  graph: FirmwareGraph;
  /** Raw input mantissas, one array per sample. */
  inputs: number[][];
  /** Raw outputs per sample. */
  outputs: number[][];
  /** Raw per-layer outputs per sample, by layer name. */
  trace: Record<string, number[][]>;
}

function shapeOf(v: unknown, path: string): number[] {
  const s = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d))) throw new FormatError(path, `expected a shape, got ${JSON.stringify(v)}`);
  return s as number[];
}

function rawArray(v: unknown, path: string): Float64Array {
  if (!Array.isArray(v)) throw new FormatError(path, 'expected an array of raw mantissas');
  const a = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = typeof v[i] === 'string' ? Number(v[i]) : (v[i] as number);
    if (!Number.isInteger(x)) throw new FormatError(`${path}[${i}]`, `expected an integer, got ${JSON.stringify(v[i])}`);
    a[i] = x;
  }
  return a;
}

function rawRows(v: unknown, path: string): number[][] {
  if (!Array.isArray(v)) throw new FormatError(path, 'expected a list of samples');
  return v.map((row, k) => Array.from(rawArray(row, `${path}[${k}]`)));
}

/**
 * Parse a reference model JSON object into a FirmwareGraph plus its expected values.
 *
 * @example
 * const ref = readReferenceModel(JSON.parse(readFileSync('test/golden/hls4ml/model_svhn_paper_cnn_a.json', 'utf8')));
 */
export function readReferenceModel(m: Record<string, unknown>, source = 'model'): ReferenceModel {
  if (!Array.isArray(m.layers)) throw new FormatError(`${source}.layers`, 'missing layers');
  const io = m.io_type === 'io_stream' ? 'io_stream' : 'io_parallel';
  const inputType = toFixedType(m.input_type, `${source}.input_type`);
  const rawLayers = m.layers as Record<string, unknown>[];
  const layers: FirmwareLayer[] = [];
  const first = rawLayers[0];
  if (!first) throw new FormatError(`${source}.layers`, 'no layers');
  const inputShape = shapeOf(first.shape_in, `${source}.layers[0].shape_in`);
  let prev = 'input';
  rawLayers.forEach((L, i) => {
    const path = `${source}.layers[${i}]`;
    const cls = String(L.cls);
    if (!(FIRMWARE_LAYER_CLASSES as readonly string[]).includes(cls)) throw new FormatError(`${path}.cls`, `unknown layer class '${cls}'`);
    const types: Record<string, unknown> = {};
    for (const [k, t] of Object.entries((L.types ?? {}) as Record<string, unknown>)) {
      if (t && typeof t === 'object' && 'w' in (t as object)) types[k] = toFixedType(t, `${path}.types.${k}`);
    }
    if (!types.result) throw new FormatError(`${path}.types.result`, 'missing result type');
    const config = { ...((L.config ?? {}) as Record<string, unknown>) };
    const layer: FirmwareLayer = {
      name: String(L.name),
      cls: cls as FirmwareLayerClass,
      inputs: Array.isArray(L.inputs) ? (L.inputs as string[]) : [prev],
      shapeIn: shapeOf(L.shape_in, `${path}.shape_in`),
      shapeOut: shapeOf(L.shape_out, `${path}.shape_out`),
      config,
      types: types as LayerTypes,
    };
    if (L.activation !== undefined) layer.activation = String(L.activation);
    else if (config.activation !== undefined) layer.activation = String(config.activation);
    if (cls === 'Dense') {
      layer.weights = rawArray(L.weights_keras ?? L.weights, `${path}.weights`);
    } else if (L.weights !== undefined) layer.weights = rawArray(L.weights, `${path}.weights`);
    if (L.bias !== undefined) layer.bias = rawArray(L.bias, `${path}.bias`);
    if (L.scale !== undefined) layer.scale = rawArray(L.scale, `${path}.scale`);
    if (layer.activation === 'leaky_relu' && L.alpha_raw !== undefined) layer.config.alpha_raw = L.alpha_raw;
    layers.push(layer);
    prev = layer.name;
  });
  const graph: FirmwareGraph = {
    name: String(m.model ?? source),
    ioType: io,
    input: { name: 'input', shape: inputShape, type: inputType },
    layers,
    output: prev,
    changes: Array.isArray(m.hls4ml_graph_changes) ? (m.hls4ml_graph_changes as string[]) : [],
  };
  const trace: Record<string, number[][]> = {};
  for (const [k, v] of Object.entries((m.trace ?? {}) as Record<string, unknown>)) trace[k] = rawRows(v, `${source}.trace.${k}`);
  return { graph, inputs: rawRows(m.inputs, `${source}.inputs`), outputs: rawRows(m.outputs, `${source}.outputs`), trace };
}
