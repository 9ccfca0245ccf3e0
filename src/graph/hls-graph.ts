/**
 * The working graph of the hls4ml conversion: hls4ml layer classes with float weights and types
 * that may still be 'auto'. Built from a ModelGraph by `buildHlsGraph`, rewritten by the passes,
 * lowered into a FirmwareGraph. Internal to src/graph.
 */
import type { FixedType } from '../fixed/types.js';
import type { HlsClassOf } from '../layers/registry.js';
import type { LayerQuantizers } from './model.js';

/** hls4ml layer classes (from the layer registry). */
export type HlsClass = HlsClassOf;

/** A type that may still have to be inferred. */
export type MaybeType = FixedType | 'auto';

/** A float weight array with the type it will be quantized to. */
export interface HlsWeight {
  data: Float32Array | Float64Array;
  shape: number[];
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
  quantizers?: LayerQuantizers;
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
  /** Conversion warnings (settings hls4ml reads differently than written, constraints of its C++). */
  warnings: string[];
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
