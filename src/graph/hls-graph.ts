/**
 * The working graph of the hls4ml conversion: hls4ml layer classes with float weights and types
 * that may still be 'auto'. Built from a ModelGraph by `buildHlsGraph`, rewritten by the passes,
 * lowered into a FirmwareGraph. Internal to src/graph.
 */
import type { FixedType } from '../fixed/types.js';
import type { HlsClassOf } from '../layers/registry.js';
import type { PrecisionKind, Quantizer } from './model.js';

/** hls4ml layer classes (from the layer registry). */
export type HlsClass = HlsClassOf;

/** A type that may still have to be inferred. */
export type MaybeType = FixedType | 'auto';

/** A float weight array with the type it will be quantized to. */
export interface HlsWeight {
  data: Float32Array | Float64Array;
  shape: number[];
  /** hls4ml's `data_unquantized`: the data before a quantizer was applied (absent: same as `data`). */
  unquantized?: Float32Array | Float64Array;
}

/** The quantizers of a node's weight variables (hls4ml's `<var>_quantizer` attributes), and a QONNX result type. */
export interface NodeQuantizers {
  weight?: Quantizer;
  bias?: Quantizer;
  scale?: Quantizer;
  result?: FixedType;
}

/** One node of the working graph. */
export interface HlsNode {
  name: string;
  cls: HlsClass;
  inputs: string[];
  shapeIn: number[][];
  shapeOut: number[];
  /** activation, pool_op ('Max'|'Average'), padding pads, strides, kernel sizes, alpha, op, axis … */
  attrs: Record<string, unknown>;
  /** Variables: result, accum, weight, bias, scale, table, exp_table, inv_table, inv_inp, param. */
  types: Record<string, MaybeType>;
  weights: Record<string, HlsWeight>;
  quantizers?: NodeQuantizers;
  /** hls4ml precision class of variables whose type is not a FixedPrecisionType (absent: fixed). */
  kinds?: Record<string, PrecisionKind>;
  /** Per-node settings resolved from the config (ReuseFactor, Strategy, …). */
  settings: Record<string, unknown>;
}

/** The working graph. */
export interface HlsGraph {
  name: string;
  ioType: 'io_parallel' | 'io_stream';
  nodes: HlsNode[];
  outputs: string[];
  changes: string[];
  /** Conversion warnings (settings hls4ml reads differently than written, constraints of its C++, hls4ml behaviour that departs from the source framework), naming the layer or key. */
  warnings: string[];
}

/** The hls4ml precision class of a node's variable. @example kindOf(node, 'weight') // 'fixed' */
export function kindOf(n: HlsNode, v: string): PrecisionKind {
  return n.kinds?.[v] ?? 'fixed';
}

/** Set a variable's type together with its precision class. @example setType(node, 'scale', t, 'exponent') */
export function setType(n: HlsNode, v: string, t: MaybeType, kind: PrecisionKind = 'fixed'): void {
  n.types[v] = t;
  if (kind === 'fixed') {
    if (n.kinds) delete n.kinds[v];
  } else (n.kinds ??= {})[v] = kind;
}

/** The data hls4ml's passes compare against ones/zeros (`data_unquantized`). */
export function unquantized(w: HlsWeight): Float32Array | Float64Array {
  return w.unquantized ?? w.data;
}

/** Consumers of a node's output. @example consumers(g, 'dense1') */
export function consumers(g: HlsGraph, name: string): HlsNode[] {
  return g.nodes.filter((n) => n.inputs.includes(name));
}

/** The node named `name` (or undefined). @example nodeByName(g, 'dense1') */
export function nodeByName(g: HlsGraph, name: string): HlsNode | undefined {
  return g.nodes.find((n) => n.name === name);
}

/** Remove a single-input node, rewiring its consumers (and graph outputs) to its input. @example removeNode(g, bn) */
export function removeNode(g: HlsGraph, node: HlsNode): void {
  const src = node.inputs[0]!;
  for (const c of g.nodes) c.inputs = c.inputs.map((i) => (i === node.name ? src : i));
  g.outputs = g.outputs.map((o) => (o === node.name ? src : o));
  g.nodes = g.nodes.filter((n) => n !== node);
}

/** Result type of the node producing `name`. @example resultOf(g, 'dense1') */
export function resultOf(g: HlsGraph, name: string): MaybeType {
  const n = nodeByName(g, name);
  if (!n) throw new Error(`internal: no node ${name}`);
  return n.types.result!;
}
