/**
 * Reads the reference whole-model files (test/golden/hls4ml/model_*.json and the `firmware`
 * section of import cases): layers with hls4ml config-struct fields, types and raw weights, plus raw
 * inputs, per-layer traces and outputs. Rebuilds the FirmwareGraph they describe.
 */
import { FormatError, describeValue } from '../errors.js';
import { toFixedType } from '../fixed/types.js';
import { checkFirmwareLayer } from './check.js';
import type { FirmwareGraph, FirmwareLayer, FirmwareLayerBase } from './firmware.js';
import type { FixedType } from '../fixed/types.js';

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
  let s = v;
  if (typeof v === 'string') {
    try {
      s = JSON.parse(v) as unknown;
    } catch {
      throw new FormatError(path, `expected a shape, got ${describeValue(v)}`);
    }
  }
  if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d))) throw new FormatError(path, `expected a shape, got ${describeValue(v)}`);
  return s as number[];
}

function rawArray(v: unknown, path: string): Float64Array {
  if (!Array.isArray(v)) throw new FormatError(path, 'expected an array of raw mantissas');
  const a = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = typeof v[i] === 'string' ? Number(v[i]) : (v[i] as number);
    if (!Number.isInteger(x)) throw new FormatError(`${path}[${i}]`, `expected an integer, got ${describeValue(v[i])}`);
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
  if (m.io_type !== 'io_stream' && m.io_type !== 'io_parallel') throw new FormatError(`${source}.io_type`, `must be 'io_parallel' or 'io_stream', got ${describeValue(m.io_type)}`);
  const io = m.io_type;
  const inputType = toFixedType(m.input_type, `${source}.input_type`);
  const rawLayers = m.layers as Record<string, unknown>[];
  const layers: FirmwareLayer[] = [];
  const first = rawLayers[0];
  if (!first) throw new FormatError(`${source}.layers`, 'no layers');
  const inputShape = shapeOf(first.shape_in, `${source}.layers[0].shape_in`);
  let prev = 'input';
  rawLayers.forEach((L, i) => {
    const path = `${source}.layers[${i}]`;
    const types: Record<string, FixedType> = {};
    for (const [k, t] of Object.entries((L.types ?? {}) as Record<string, unknown>)) {
      if (t && typeof t === 'object' && 'w' in (t as object)) types[k] = toFixedType(t, `${path}.types.${k}`);
    }
    const config: Record<string, unknown> = { ...((L.config ?? {}) as Record<string, unknown>), io_type: io };
    if (L.activation !== undefined) config.activation = L.activation;
    if (L.alpha_raw !== undefined) config.alpha_raw = L.alpha_raw;
    // Weight arrays as the C++ receives them (`weights` of the file is the C array; `weights_keras` is informational).
    const weights: Record<string, Float64Array> = {};
    for (const [fileKey, name] of [['weights', 'weight'], ['bias', 'bias'], ['scale', 'scale']] as const) {
      if (L[fileKey] !== undefined) weights[name] = rawArray(L[fileKey], `${path}.${fileKey}`);
    }
    const layer = checkFirmwareLayer(
      {
        name: String(L.name),
        cls: String(L.cls),
        inputs: Array.isArray(L.inputs) ? (L.inputs as string[]) : [prev],
        shapeIn: shapeOf(L.shape_in, `${path}.shape_in`),
        shapeOut: shapeOf(L.shape_out, `${path}.shape_out`),
        config: config as unknown as FirmwareLayerBase["config"],
        types,
        weights,
      },
      path,
    );
    layers.push(layer);
    prev = layer.name;
  });
  const input = { name: 'input', shape: inputShape, type: inputType };
  const graph: FirmwareGraph = {
    name: String(m.model ?? source),
    ioType: io,
    inputs: [input],
    input,
    layers,
    outputs: [prev],
    output: prev,
    changes: Array.isArray(m.hls4ml_graph_changes) ? (m.hls4ml_graph_changes as string[]) : [],
  };
  const trace: Record<string, number[][]> = {};
  for (const [k, v] of Object.entries((m.trace ?? {}) as Record<string, unknown>)) trace[k] = rawRows(v, `${source}.trace.${k}`);
  return { graph, inputs: rawRows(m.inputs, `${source}.inputs`), outputs: rawRows(m.outputs, `${source}.outputs`), trace };
}
