/**
 * hls4ml's graph passes that change numbers, in hls4ml's order ('convert' flow, restarting after
 * every change; then 'optimize'): BatchNormalization fusion, linear-activation elimination/merge,
 * precision inference for 'auto' types, removal of no-op BatchNormalization. See docs/passes.md.
 */
import { ConfigError } from '../errors.js';
import { sameType, type FixedType } from '../fixed/types.js';
import { HLS_CLASSES, hlsClass } from '../layers/registry.js';
import { TRANSPOSE_PASSES } from '../layers/transpose.js';
import type { InferContext } from '../layers/spec.js';
import { getPrecision, modelDefault, type Hls4mlConfig } from './config.js';
import { consumers, nodeByName, removeNode, type HlsGraph, type HlsNode, type MaybeType } from './hls-graph.js';

const f32 = Math.fround;
const isAuto = (t: MaybeType | undefined): t is 'auto' => t === 'auto';

function maxPrecision(cfg: Hls4mlConfig): FixedType | undefined {
  const p = cfg.Model.Precision;
  if (p && typeof p === 'object' && typeof p.maximum === 'string') {
    return getPrecision({ Model: { Precision: { default: p.maximum } } }, '', '', 'default') as FixedType;
  }
  return undefined;
}

const allOnes = (a: ArrayLike<number>): boolean => Array.prototype.every.call(a, (v: number) => v === 1);
const allZeros = (a: ArrayLike<number>): boolean => Array.prototype.every.call(a, (v: number) => v === 0);

/**
 * hls4ml's FuseBatchNormalization compatibility test (bn_fuse.py): the scales may be multiplied only
 * when at most one side is quantized (or the quantized side's other factor is all ones), likewise the
 * biases (or the other bias is all zeros).
 */
function fusionCompatible(parent: HlsNode, bn: HlsNode): boolean {
  const wq = parent.quantizers?.weight;
  const bq = parent.quantizers?.bias;
  const sq = bn.quantizers?.weight;
  const bbq = bn.quantizers?.bias;
  const s0 = parent.weights.weight!.data;
  const b0 = parent.weights.bias!.data;
  const s1 = bn.weights.scale!.data;
  const b1 = bn.weights.bias!.data;
  const scaleOk = (!wq && !sq) || (allOnes(s0) && !wq) || (allOnes(s1) && !sq);
  const biasOk = (!bq && !bbq) || (allZeros(b0) && !bq) || (allZeros(b1) && !bbq);
  return scaleOk && biasOk;
}

/** BN fusion into a preceding Dense/Conv whose result is still 'auto' (hls4ml `fuse_batch_normalization`). */
function fuseBatchNorm(g: HlsGraph, cfg: Hls4mlConfig): boolean {
  for (const bn of g.nodes) {
    if (bn.cls !== 'BatchNormalization') continue;
    const parent = nodeByName(g, bn.inputs[0]!);
    if (!parent || !HLS_CLASSES[parent.cls]?.bnFusionParent || !isAuto(parent.types.result)) continue;
    if (!fusionCompatible(parent, bn)) continue;
    if (consumers(g, parent.name).length > 1) continue;
    const w = parent.weights.weight!;
    const b = parent.weights.bias!;
    const s = bn.weights.scale!.data;
    const bb = bn.weights.bias!.data;
    const nOut = s.length;
    // numpy's `scale * weight`: the scales broadcast against the weight's last axis, which is the
    // output axis (Dense, Conv) or, for a Keras depthwise kernel (…, C, 1), an axis of size 1 that
    // the broadcast widens to (…, C, C).
    const lastAxis = w.shape[w.shape.length - 1];
    let fw: Float32Array;
    let fShape = w.shape;
    if (lastAxis === 1 && nOut > 1) {
      fShape = [...w.shape.slice(0, -1), nOut];
      fw = new Float32Array(w.data.length * nOut);
      for (let i = 0; i < w.data.length; i++) for (let j = 0; j < nOut; j++) fw[i * nOut + j] = f32(s[j]! * w.data[i]!);
    } else {
      fw = new Float32Array(w.data.length);
      for (let i = 0; i < fw.length; i++) fw[i] = f32(s[i % nOut]! * w.data[i]!);
    }
    let fb: Float32Array | Float64Array;
    if (parent.attrs.noBias) {
      // numpy: float64 zeros * float32 scale + float32 bias → float64, equal to the BN bias
      fb = Float64Array.from(bb);
    } else {
      fb = new Float32Array(nOut);
      for (let i = 0; i < nOut; i++) fb[i] = f32(f32(s[i]! * b.data[i]!) + bb[i]!);
    }
    parent.weights = { weight: { data: fw, shape: fShape }, bias: { data: fb, shape: [nOut] } };
    parent.attrs.noBias = false;
    // hls4ml re-reads the weight/bias types from the config for the fused arrays.
    parent.types.weight = parent.quantizers?.weight ?? getPrecision(cfg, parent.name, parent.cls, 'weight');
    parent.types.bias = parent.quantizers?.bias ?? getPrecision(cfg, parent.name, parent.cls, 'bias');
    removeNode(g, bn);
    g.changes.push(`${bn.name} (BatchNormalization) fused into ${parent.name}`);
    return true;
  }
  return false;
}

/** hls4ml `eliminate_linear_activation` then `merge_linear_activation`. */
function linearActivations(g: HlsGraph): boolean {
  for (const n of g.nodes) {
    if (n.cls !== 'Activation' || n.attrs.activation !== 'linear') continue;
    const parent = nodeByName(g, n.inputs[0]!)!;
    const tin = parent.types.result!;
    const tout = n.types.result!;
    if (!isAuto(tin) && !isAuto(tout) && sameType(tin, tout)) {
      removeNode(g, n);
      g.changes.push(`${n.name} (linear activation) removed: same precision in and out`);
      return true;
    }
  }
  for (const n of g.nodes) {
    if (n.cls !== 'Activation' || n.attrs.activation !== 'linear') continue;
    const parent = nodeByName(g, n.inputs[0]!)!;
    if (HLS_CLASSES[parent.cls]?.linearMergeParent && isAuto(parent.types.result)) {
      if (n.quantizers?.result) parent.types.result = n.quantizers.result;
      removeNode(g, n);
      g.changes.push(`${n.name} (linear activation) merged into ${parent.name}`);
      return true;
    }
  }
  return false;
}

/** Infer the 'auto' types of one node whose input types are known; returns true when something changed. */
function inferNode(g: HlsGraph, n: HlsNode, ctx: InferContext): boolean {
  const autos = Object.keys(n.types).filter((k) => isAuto(n.types[k]));
  if (autos.length === 0) return false;
  const ins: FixedType[] = [];
  for (const i of n.inputs) {
    const t = nodeByName(g, i)?.types.result;
    if (t === undefined || isAuto(t)) return false;
    ins.push(t);
  }
  hlsClass(n.cls, n.name).infer?.(n, ins, ctx);
  for (const k of autos) if (isAuto(n.types[k])) n.types[k] = ctx.modelDefault;
  return true;
}

/** hls4ml `infer_precision_types`, iterated in topological order until nothing is 'auto'. */
function inferPrecision(g: HlsGraph, cfg: Hls4mlConfig): void {
  const ctx: InferContext = { modelDefault: modelDefault(cfg), maxPrecision: maxPrecision(cfg) };
  for (let guard = 0; guard < g.nodes.length + 2; guard++) {
    let changed = false;
    for (const n of g.nodes) if (inferNode(g, n, ctx)) changed = true;
    if (!changed) break;
  }
  for (const n of g.nodes) {
    for (const [k, t] of Object.entries(n.types)) {
      if (isAuto(t)) throw new ConfigError(`${n.name}.Precision.${k}`, "could not infer an 'auto' type");
    }
  }
}

/** hls4ml `remove_nop_batch_normalization`: a BN with scale all 1 and bias all 0 is dropped. */
function removeNopBatchNorm(g: HlsGraph): void {
  for (const n of [...g.nodes]) {
    if (n.cls !== 'BatchNormalization') continue;
    const s = n.weights.scale!.data;
    const b = n.weights.bias!.data;
    if (s.every((v) => v === 1) && b.every((v) => v === 0)) {
      removeNode(g, n);
      g.changes.push(`${n.name} (BatchNormalization) removed: scale 1, bias 0`);
    }
  }
}

/** One of hls4ml's graph passes: `run` returns true when it changed the graph. */
export interface GraphPass {
  /** hls4ml's name of the pass (model/optimizer/passes/*.py). */
  name: string;
  run(g: HlsGraph, cfg: Hls4mlConfig): boolean;
}

/**
 * The number-changing passes of hls4ml's `convert` flow that run before precision inference, in
 * hls4ml's order (model/optimizer/__init__.py). A new pass goes here, at hls4ml's position.
 */
export const CONVERT_PASSES: readonly GraphPass[] = [
  ...TRANSPOSE_PASSES,
  { name: 'fuse_batch_normalization', run: fuseBatchNorm },
  { name: 'eliminate_linear_activation / merge_linear_activation', run: (g) => linearActivations(g) },
];

/**
 * Run hls4ml's number-changing passes on the working graph, in hls4ml's order.
 *
 * @example runPasses(g, cfg); // g now has only concrete types
 */
export function runPasses(g: HlsGraph, cfg: Hls4mlConfig): void {
  // hls4ml's optimizer driver: a pass that changes the graph restarts the flow from its first pass.
  for (let guard = 0; guard < 10_000; guard++) {
    if (!CONVERT_PASSES.some((p) => p.run(g, cfg))) break;
  }
  inferPrecision(g, cfg);
  removeNopBatchNorm(g);
}
