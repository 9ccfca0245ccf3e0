/**
 * hls4ml's graph passes that change numbers, in hls4ml's order ('convert' flow, restarting after
 * every change; then 'optimize'): BatchNormalization fusion, linear-activation elimination/merge,
 * precision inference for 'auto' types, removal of no-op BatchNormalization. See docs/passes.md.
 */
import { ConfigError } from '../errors.js';
import { fixedType, frac, sameType, type FixedType } from '../fixed/types.js';
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

/** BN fusion into a preceding Dense/Conv whose result is still 'auto' (hls4ml `fuse_batch_normalization`). */
function fuseBatchNorm(g: HlsGraph, cfg: Hls4mlConfig): boolean {
  for (const bn of g.nodes) {
    if (bn.cls !== 'BatchNormalization') continue;
    const parent = nodeByName(g, bn.inputs[0]!);
    if (!parent || !['Dense', 'Conv1D', 'Conv2D'].includes(parent.cls) || !isAuto(parent.types.result)) continue;
    if (parent.quantizers?.weight && bn.quantizers?.weight) continue;
    if (consumers(g, parent.name).length > 1) continue;
    const w = parent.weights.weight!;
    const b = parent.weights.bias!;
    const s = bn.weights.scale!.data;
    const bb = bn.weights.bias!.data;
    const nOut = s.length;
    const fw = new Float32Array(w.data.length);
    for (let i = 0; i < fw.length; i++) fw[i] = f32(s[i % nOut]! * w.data[i]!);
    let fb: Float32Array | Float64Array;
    if (parent.attrs.noBias) {
      // numpy: float64 zeros * float32 scale + float32 bias → float64, equal to the BN bias
      fb = Float64Array.from(bb);
    } else {
      fb = new Float32Array(nOut);
      for (let i = 0; i < nOut; i++) fb[i] = f32(f32(s[i]! * b.data[i]!) + bb[i]!);
    }
    parent.weights = { weight: { data: fw, shape: w.shape }, bias: { data: fb, shape: [nOut] } };
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

const SAFE_PARENTS = new Set(['Dense', 'Conv1D', 'Conv2D', 'BatchNormalization', 'Activation', 'LeakyReLU', 'Softmax']);

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
    if (SAFE_PARENTS.has(parent.cls) && isAuto(parent.types.result)) {
      if (n.quantizers?.result) parent.types.result = n.quantizers.result;
      removeNode(g, n);
      g.changes.push(`${n.name} (linear activation) merged into ${parent.name}`);
      return true;
    }
  }
  return false;
}

function log2ceil(n: number): number {
  return Math.ceil(Math.log2(n));
}

function clip(W: number, I: number, s: boolean, maxP: FixedType | undefined): FixedType {
  let w = W;
  let i = I;
  if (maxP) {
    w = Math.min(w, maxP.W);
    i = Math.min(i, maxP.I);
  }
  return fixedType(s, w, i);
}

/** Infer the 'auto' types of one node whose input type is known; returns true when something changed. */
function inferNode(g: HlsGraph, n: HlsNode, cfg: Hls4mlConfig): boolean {
  const autos = Object.keys(n.types).filter((k) => isAuto(n.types[k]));
  if (autos.length === 0) return false;
  const inName = n.inputs[0];
  const inType = inName !== undefined ? nodeByName(g, inName)?.types.result : undefined;
  if (inName !== undefined && (inType === undefined || isAuto(inType))) return false;
  const def = modelDefault(cfg);
  const maxP = maxPrecision(cfg);
  const x = inType as FixedType | undefined;
  const setDefault = (k: string) => {
    if (isAuto(n.types[k])) n.types[k] = def;
  };
  switch (n.cls) {
    case 'Dense':
    case 'Conv1D':
    case 'Conv2D': {
      setDefault('weight');
      setDefault('bias');
      const w = n.types.weight as FixedType;
      const b = n.types.bias as FixedType;
      const nOps =
        n.cls === 'Dense'
          ? n.shapeIn[0]![0]!
          : n.cls === 'Conv1D'
            ? n.shapeIn[0]![1]! * (n.attrs.kernelSize as number[])[0]!
            : n.shapeIn[0]![2]! * (n.attrs.kernelSize as number[])[0]! * (n.attrs.kernelSize as number[])[1]!;
      const e = log2ceil(nOps);
      let W = w.W + x!.W + e;
      let I = w.I + x!.I + e;
      let s = w.signed || x!.signed;
      const F = W - I;
      I = Math.max(I + (b.signed && !s ? 1 : 0), b.I + (s && !b.signed ? 1 : 0)) + 1;
      W = I + Math.max(F, frac(b));
      s = s || b.signed;
      const t = clip(W, I, s, maxP);
      if (isAuto(n.types.accum)) n.types.accum = t;
      if (isAuto(n.types.result)) n.types.result = t;
      break;
    }
    case 'BatchNormalization': {
      setDefault('scale');
      setDefault('bias');
      if (isAuto(n.types.result)) {
        const sc = n.types.scale as FixedType;
        const b = n.types.bias as FixedType;
        const as = sc.signed || x!.signed;
        const aW = x!.W + sc.W;
        const aI = x!.I + sc.I;
        const s = as || b.signed;
        const I = Math.max(aI + (b.signed && !as ? 1 : 0), b.I + (as && !b.signed ? 1 : 0)) + 1;
        const W = I + Math.max(aW - aI, frac(b));
        n.types.result = clip(W, I, s, maxP);
      }
      break;
    }
    case 'Pooling1D':
    case 'Pooling2D': {
      if (isAuto(n.types.accum)) {
        if (n.attrs.pool_op === 'Max') n.types.accum = x!;
        else {
          const ps = (n.attrs.poolSize as number[]).reduce((a, c) => a * c, 1);
          const e = log2ceil(ps);
          n.types.accum = fixedType(x!.signed, x!.W + 2 * e, x!.I + e);
        }
      }
      if (isAuto(n.types.result)) n.types.result = x!;
      break;
    }
    case 'Reshape':
    case 'ZeroPadding1D':
    case 'ZeroPadding2D':
      if (isAuto(n.types.result)) n.types.result = x!;
      break;
    case 'Merge': {
      const t2 = nodeByName(g, n.inputs[1]!)?.types.result;
      if (t2 === undefined || isAuto(t2)) return false;
      const a = x!;
      const b = t2;
      const I = Math.max(a.I + (b.signed && !a.signed ? 1 : 0), b.I + (a.signed && !b.signed ? 1 : 0)) + 1;
      n.types.result = clip(I + Math.max(frac(a), frac(b)), I, a.signed || b.signed, maxP);
      break;
    }
    case 'Concatenate': {
      const t2 = nodeByName(g, n.inputs[1]!)?.types.result;
      if (t2 === undefined || isAuto(t2)) return false;
      const a = x!;
      const b = t2;
      if (sameType(a, b)) n.types.result = a;
      else {
        const s = a.signed || b.signed;
        const i1 = a.I + (s && !a.signed ? 1 : 0);
        const i2 = b.I + (s && !b.signed ? 1 : 0);
        const I = Math.max(i1, i2);
        const q = a.Q !== 'AP_TRN' ? a.Q : b.Q;
        const o = a.O !== 'AP_WRAP' ? a.O : b.O;
        const nb = a.N !== 0 ? a.N : b.N;
        let W = Math.max(frac(a), frac(b)) + I;
        let II = I;
        if (maxP) {
          W = Math.min(W, maxP.W);
          II = Math.min(II, maxP.I);
        }
        n.types.result = fixedType(s, W, II, q, o, Math.min(nb, W));
      }
      break;
    }
    default:
      break;
  }
  for (const k of autos) setDefault(k);
  return true;
}

/** hls4ml `infer_precision_types`, iterated in topological order until nothing is 'auto'. */
function inferPrecision(g: HlsGraph, cfg: Hls4mlConfig): void {
  for (let guard = 0; guard < g.nodes.length + 2; guard++) {
    let changed = false;
    for (const n of g.nodes) if (inferNode(g, n, cfg)) changed = true;
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

/**
 * Run hls4ml's number-changing passes on the working graph, in hls4ml's order.
 *
 * @example runPasses(g, cfg); // g now has only concrete types
 */
export function runPasses(g: HlsGraph, cfg: Hls4mlConfig): void {
  for (let guard = 0; guard < 10_000; guard++) {
    if (fuseBatchNorm(g, cfg)) continue;
    if (linearActivations(g)) continue;
    break;
  }
  inferPrecision(g, cfg);
  removeNopBatchNorm(g);
}
