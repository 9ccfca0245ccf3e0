/**
 * hls4ml's graph passes that change numbers, in hls4ml's order: the 'convert' flow (restarting
 * after every change) — the QKeras passes (output rounding/saturation override, alpha
 * factorization, ternary threshold extraction), consecutive BatchNormalization merging,
 * BatchNormalization fusion, linear-activation elimination/merge — then precision inference for
 * 'auto' types; the 'optimize' flow (removal of no-op BatchNormalization); and the Vivado
 * 'quantization' flow (BatchNormalization + binary/ternary tanh merged into one threshold layer,
 * Xnor max pooling). See docs/passes.md and docs/qkeras.md.
 */
import { ConfigError, UnsupportedError } from '../errors.js';
import { fixedType, formatFixedType, sameType, type FixedType, type OverflowMode, type QuantMode } from '../fixed/types.js';
import { HLS_CLASSES, hlsClass } from '../layers/registry.js';
import { TRANSPOSE_PASSES } from '../layers/transpose.js';
import type { InferContext } from '../layers/spec.js';
import { FACTORIZE_ALPHA_CLASSES, factorizeAlpha, weightQuantizerOf, type Hls4mlWeightQuantizer } from '../import/qkeras/quantizers.js';
import { assignTypes, nodePrecision, quantizeWeight } from './build.js';
import { getPrecision, layerSettings, modelDefault, type Hls4mlConfig } from './config.js';
import { consumers, kindOf, nodeByName, removeNode, setType, unquantized, type HlsGraph, type HlsNode, type HlsWeight, type MaybeType, type NodeQuantizers } from './hls-graph.js';
import { quantizerType, type PrecisionKind, type Quantizer } from './model.js';

const f32 = Math.fround;
const isAuto = (t: MaybeType | undefined): t is 'auto' => t === 'auto';
const isBatchNorm = (n: HlsNode | undefined): n is HlsNode => !!n && !!HLS_CLASSES[n.cls]?.batchNormLike;

type Arr = Float32Array | Float64Array;

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
 * numpy's `a * b` (and `a * b + c`) with b broadcast along the last axis of a (per channel), in the
 * dtype numpy promotes to: float32 only when every operand is float32.
 */
function mulLast(a: Arr, b: Arr, add?: Arr): Arr {
  const n = b.length;
  const single = a instanceof Float32Array && b instanceof Float32Array && (!add || add instanceof Float32Array);
  const out = single ? new Float32Array(a.length) : new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const p = single ? f32(a[i]! * b[i % n]!) : a[i]! * b[i % n]!;
    out[i] = add ? (single ? f32(p + add[i % add.length]!) : p + add[i % add.length]!) : p;
  }
  return out;
}

/** The per-channel vector of a BatchNormalization weight (ApplyAlpha scales come as [1, n] or [1,1,1,n]). */
function channelVector(w: Arr, nOut: number, where: string): Arr {
  if (w.length === nOut) return w;
  throw new UnsupportedError(where, `a scale/bias of ${w.length} values cannot be fused into weights with ${nOut} output channels (hls4ml's numpy broadcast fails)`);
}

/**
 * A BatchNormalization / ApplyAlpha vector of the earlier node, as fuse_consecutive_batch_normalization
 * meets it against the later node's `n` values: numpy broadcasts a per-channel vector against a
 * per-element one (channels last), so a shorter vector repeats along the positions. A longer,
 * per-element one (an ApplyAlpha that ScaleDownConv placed after a Conv) merges into a per-channel
 * node whose C++ reads entry `i % n_filt` only: exact when it is the same at every position (its
 * first `n` values), refused otherwise (hls4ml's firmware would use the first position's values).
 */
function consecutiveVector(w: Arr, n: number, where: string): Arr {
  if (w.length === n) return w;
  if (w.length < n && n % w.length === 0) return Float64Array.from({ length: n }, (_, i) => w[i % w.length]!);
  if (w.length > n && w.length % n === 0) {
    for (let i = n; i < w.length; i++) {
      if (w[i] !== w[i % n]) {
        throw new UnsupportedError(where, `${w.length} values that differ between positions (value ${i}: ${w[i]}, position 0: ${w[i % n]}) cannot be merged into a node with ${n} per-channel values: hls4ml's merged BatchNormalization reads the first ${n} only`);
      }
    }
    return w.slice(0, n);
  }
  return channelVector(w, n, where);
}

/** The re-added weight variable of a pass: quantizer type and quantized data, or the configured type. */
function reAdd(cfg: Hls4mlConfig, node: HlsNode, v: string, data: Arr, shape: number[], q: Quantizer | undefined, unq?: Arr): void {
  node.weights[v] = { data, shape, ...(unq ? { unquantized: unq } : {}) };
  if (q) {
    const { type, kind } = quantizerType(q);
    setType(node, v, type, kind);
    quantizeWeight(node, v, q);
    if (unq) node.weights[v]!.unquantized = unq;
  } else {
    const p = nodePrecision(cfg, node, v);
    setType(node, v, p.type, p.kind);
  }
  const vq = node.quantizers as Record<string, Quantizer | undefined> | undefined;
  if (vq && v in vq && q === undefined) delete vq[v];
}

// ---------------------------------------------------------------------------------------------
// output_rounding_saturation_mode (model/optimizer/passes/qkeras.py, OutputRoundingSaturationMode)
// ---------------------------------------------------------------------------------------------

/**
 * hls4ml's configurable `output_rounding_saturation_mode` pass (off unless configured with layer
 * classes / names): the result type (and accum type, where the layer has one) of the matching
 * layers gets the configured rounding / saturation mode; an unset mode means the default (TRN,
 * WRAP). hlsemu reads its configuration from the config's top-level `OutputRoundingSaturationMode`
 * (`{ layers, rounding_mode, saturation_mode, saturation_bits }`), which hls4ml sets with
 * `get_optimizer(...).configure(...)`.
 */
function outputRoundingSaturationMode(g: HlsGraph, cfg: Hls4mlConfig): boolean {
  const o = cfg.OutputRoundingSaturationMode as OutputRoundingSaturationConfig | undefined;
  if (!o || !Array.isArray(o.layers) || o.layers.length === 0) return false;
  const q = o.rounding_mode ? (`AP_${String(o.rounding_mode).toUpperCase().replace(/^AP_/, '')}` as QuantMode) : undefined;
  const s = o.saturation_mode ? (`AP_${String(o.saturation_mode).toUpperCase().replace(/^AP_/, '')}` as OverflowMode) : undefined;
  for (const n of g.nodes) {
    if (!o.layers.includes(n.cls) && !o.layers.includes(n.name)) continue;
    const t = n.types.result;
    if (t === undefined) continue;
    // hls4ml's match: str(type) must lack the configured mode (it writes short names, so an AP_-prefixed mode always matches)
    const text = t === 'auto' ? 'auto' : formatShort(t);
    const rs = (o.rounding_mode != null && !text.includes(String(o.rounding_mode))) || (o.saturation_mode != null && !text.includes(String(o.saturation_mode)));
    if (!rs) continue;
    if (t === 'auto') throw new UnsupportedError(`${n.name}.result`, "output_rounding_saturation_mode on an 'auto' result type: hls4ml fails (it edits the precision string of an unspecified type)");
    if (kindOf(n, 'result') === 'integer') continue; // IntegerPrecisionType is rebuilt unchanged
    const nt = fixedType(t.signed, t.W, t.I, q ?? 'AP_TRN', s ?? 'AP_WRAP', o.saturation_bits ?? 0);
    n.types.result = nt;
    if ('accum' in n.types) setType(n, 'accum', nt);
  }
  return false;
}

/** Configuration of {@link outputRoundingSaturationMode} (hls4ml's `configure()` arguments). */
export interface OutputRoundingSaturationConfig {
  layers: string[];
  rounding_mode?: string | null;
  saturation_mode?: string | null;
  saturation_bits?: number | null;
}

function formatShort(t: FixedType): string {
  return `${t.signed ? '' : 'u'}fixed<${t.W},${t.I},${t.Q.replace(/^AP_/, '')},${t.O.replace(/^AP_/, '')},${t.N}>`;
}

// ---------------------------------------------------------------------------------------------
// qkeras_factorize_alpha (QKerasFactorizeAlpha)
// ---------------------------------------------------------------------------------------------

const hasAlpha = (q: Quantizer | undefined): boolean => {
  const a = q?.qkeras?.alpha;
  return a !== undefined && a !== null && a !== 1;
};

/** A node of class `cls` inserted by a pass, typed and quantized as hls4ml's `make_node` does. */
function makeNode(cfg: Hls4mlConfig, spec: Omit<HlsNode, 'types' | 'settings'> & { settings?: Record<string, unknown> }): HlsNode {
  const node: HlsNode = { ...spec, types: {}, settings: { ...layerSettings(cfg, spec.name, spec.cls), ...(spec.settings ?? {}) } };
  assignTypes(node, cfg);
  for (const v of ['scale', 'bias'] as const) quantizeWeight(node, v, node.quantizers?.[v]);
  return node;
}

/** Insert `node` right after `after`: every consumer of `after` (and the graph output) reads it. */
function insertAfter(g: HlsGraph, after: HlsNode, node: HlsNode): void {
  for (const c of g.nodes) if (c !== node) c.inputs = c.inputs.map((i) => (i === after.name ? node.name : i));
  g.outputs = g.outputs.map((o) => (o === after.name ? node.name : o));
  g.nodes.splice(g.nodes.indexOf(after) + 1, 0, node);
}

/**
 * hls4ml's QKerasFactorizeAlpha: a Dense/Conv whose weight or bias quantizer has an `alpha` other
 * than 1/None keeps its weights on the quantizer's unscaled grid (zero bias) and gets an ApplyAlpha
 * `<name>_alpha` that multiplies by the scale (power-of-two exponents for 'auto_po2') and adds the
 * bias. The ApplyAlpha's config is registered as `{'Precision': 'auto'}`.
 */
function qkerasFactorizeAlpha(g: HlsGraph, cfg: Hls4mlConfig): boolean {
  for (const n of g.nodes) {
    if (!FACTORIZE_ALPHA_CLASSES.includes(n.cls)) continue;
    const wq = n.quantizers?.weight;
    const bq = n.quantizers?.bias;
    if (!hasAlpha(wq) && !hasAlpha(bq)) continue;
    const info = wq?.qkeras;
    if (!info) throw new UnsupportedError(`${n.name}.weight_quantizer`, 'the bias quantizer has an alpha but the kernel has no QKeras quantizer: hls4ml\'s QKerasFactorizeAlpha fails');
    const w = n.weights.weight!;
    const nOut = n.shapeOut[n.shapeOut.length - 1]!;
    const fa = factorizeAlpha(info, unquantized(w), w.shape, nOut, `${n.name}.weight`);
    const newW: Hls4mlWeightQuantizer = fa.weightQuantizer;
    n.quantizers = { ...n.quantizers, weight: weightQuantizerOf(newW) };
    n.weights.weight = { data: fa.weights.values, shape: w.shape, unquantized: unquantized(w) };
    // Both wrappers' alpha attribute becomes 1 (the bias quantizer's QKeras function is unchanged).
    let biasQ: Quantizer | undefined;
    if (bq?.qkeras) {
      biasQ = Object.freeze({ ...bq, qkeras: { ...bq.qkeras, alpha: 1 } });
      n.quantizers.bias = biasQ;
    }
    const b = n.weights.bias!;
    // The bias moves to the ApplyAlpha; its quantizer is the weight variable's (none for a missing bias).
    const moved: HlsWeight = { data: b.data, shape: [b.data.length] };
    n.weights.bias = { data: new Float64Array(b.data.length), shape: b.shape, ...(b.unquantized ? { unquantized: b.unquantized } : {}) };
    const alphaBias = n.attrs.noBias ? undefined : biasQ;
    const scaleQ: Quantizer | undefined = fa.scaleQuantizer ? weightQuantizerOf(fa.scaleQuantizer) : undefined;
    const conv = n.cls !== 'Dense';
    const alpha = makeNode(cfg, {
      name: `${n.name}_alpha`,
      cls: 'ApplyAlpha',
      inputs: [n.name],
      shapeIn: [[...n.shapeOut]],
      shapeOut: [...n.shapeOut],
      attrs: { n_filt: conv ? nOut : -1, precisionAuto: true },
      weights: { scale: { data: fa.scale.data, shape: fa.scale.shape }, bias: moved },
      quantizers: { scale: scaleQ, bias: alphaBias },
      settings: { reuse_factor: n.settings.reuse_factor },
    });
    insertAfter(g, n, alpha);
    g.changes.push(`${alpha.name} (ApplyAlpha) inserted after ${n.name}: qkeras_factorize_alpha (alpha=${String(info.alpha)})`);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// extract_ternary_threshold (ExtractTernaryThreshold)
// ---------------------------------------------------------------------------------------------

/** A TernaryTanh with threshold ≠ 0.5 gets threshold 0.5 and an ApplyAlpha `<name>_scale` (0.5/threshold per element) before it. */
function extractTernaryThreshold(g: HlsGraph, cfg: Hls4mlConfig): boolean {
  for (const n of g.nodes) {
    if (n.cls !== 'TernaryTanh') continue;
    const th = (n.attrs.threshold as number | undefined) ?? 0.5;
    if (th === 0.5) continue;
    const shape = n.shapeIn[0]!;
    const size = shape.reduce((p, d) => p * d, 1);
    n.attrs.threshold = 0.5;
    const scale = makeNode(cfg, {
      name: `${n.name}_scale`,
      cls: 'ApplyAlpha',
      inputs: [...n.inputs],
      shapeIn: [[...shape]],
      shapeOut: [...shape],
      attrs: { n_filt: -1 },
      weights: { scale: { data: new Float64Array(size).fill(0.5 / th), shape: [...shape] }, bias: { data: new Float64Array(size), shape: [...shape] } },
      settings: { reuse_factor: n.settings.reuse_factor },
    });
    n.inputs = [scale.name];
    g.nodes.splice(g.nodes.indexOf(n), 0, scale);
    g.changes.push(`${scale.name} (ApplyAlpha) inserted before ${n.name}: extract_ternary_threshold (threshold ${th} → 0.5)`);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// BatchNormalization passes (bn_fuse.py, batchnorm_opt.py)
// ---------------------------------------------------------------------------------------------

/**
 * hls4ml's FuseConsecutiveBatchNormalization: a BatchNormalization (or ApplyAlpha) after another
 * whose result is 'auto' becomes one, unless both scales (or both biases) carry quantizers and
 * neither is trivial. The merged node keeps the second node's name and class.
 */
function fuseConsecutiveBatchNorm(g: HlsGraph, cfg: Hls4mlConfig): boolean {
  for (const n of g.nodes) {
    if (!isBatchNorm(n)) continue;
    const prev = nodeByName(g, n.inputs[0]!);
    if (!isBatchNorm(prev) || !isAuto(prev.types.result)) continue;
    const s0 = unquantized(prev.weights.scale!);
    const b0 = unquantized(prev.weights.bias!);
    const s1 = unquantized(n.weights.scale!);
    const b1 = unquantized(n.weights.bias!);
    const q0 = prev.quantizers ?? {};
    const q1 = n.quantizers ?? {};
    const scaleOk = !q0.scale || !q1.scale || allOnes(s0) || allOnes(s1);
    const biasOk = !q0.bias || !q1.bias || allZeros(b0) || allZeros(b1);
    if (!scaleOk || !biasOk) continue;
    if (consumers(g, prev.name).length > 1) continue;
    const sQ = allOnes(s0) ? q1.scale : allOnes(s1) ? q0.scale : undefined;
    // hls4ml tests the biases against ones here (not zeros), so the bias quantizer is normally dropped.
    const bQ = allOnes(b0) ? q1.bias : allOnes(b1) ? q0.bias : undefined;
    const lost = [q0.scale, q1.scale].some((q) => q && q !== sQ && (q.kind ?? 'fixed') !== 'fixed') || [q0.bias, q1.bias].some((q) => q && q !== bQ);
    if (lost) {
      (g.warnings ??= []).push(
        `${prev.name} + ${n.name}: hls4ml's fuse_consecutive_batch_normalization merges the two and drops ${[q0.bias, q1.bias].some((q) => q && q !== bQ) ? 'the bias quantizer (it tests the biases against ones, not zeros)' : ''}${[q0.scale, q1.scale].some((q) => q && q !== sQ && (q.kind ?? 'fixed') !== 'fixed') ? ' the power-of-two scale type' : ''}; the merged scale/bias take the configured types`,
      );
    }
    const nOut = s1.length;
    const s0v = consecutiveVector(s0, nOut, `${prev.name}.scale`);
    const scaleNew = mulLast(s0v, s1);
    // bias_new = s1 * b0 + b1
    const biasNew = mulLast(consecutiveVector(b0, nOut, `${prev.name}.bias`), s1, b1);
    const quant: NodeQuantizers = { ...n.quantizers, scale: sQ, bias: bQ };
    n.quantizers = quant;
    reAdd(cfg, n, 'scale', scaleNew, [...n.weights.scale!.shape], sQ);
    reAdd(cfg, n, 'bias', biasNew, [...n.weights.bias!.shape], bQ);
    n.inputs = [...prev.inputs];
    n.shapeIn = prev.shapeIn.map((s) => [...s]);
    g.nodes = g.nodes.filter((x) => x !== prev);
    g.changes.push(`${prev.name} (${prev.cls}) merged into ${n.name}: fuse_consecutive_batch_normalization`);
    return true;
  }
  return false;
}

/**
 * hls4ml's FuseBatchNormalization compatibility test (bn_fuse.py): the scales may be multiplied only
 * when at most one side is quantized (or the quantized side's other factor is all ones), likewise the
 * biases (or the other bias is all zeros). Compared on the unquantized data.
 */
function fusionCompatible(parent: HlsNode, bn: HlsNode): boolean {
  const wq = parent.quantizers?.weight;
  const bq = parent.quantizers?.bias;
  const sq = bn.quantizers?.scale;
  const bbq = bn.quantizers?.bias;
  const s0 = unquantized(parent.weights.weight!);
  const b0 = unquantized(parent.weights.bias!);
  const s1 = unquantized(bn.weights.scale!);
  const b1 = unquantized(bn.weights.bias!);
  const scaleOk = (!wq && !sq) || (allOnes(s0) && !wq) || (allOnes(s1) && !sq);
  const biasOk = (!bq && !bbq) || (allZeros(b0) && !bq) || (allZeros(b1) && !bbq);
  return scaleOk && biasOk;
}

const FUSABLE_KINDS: readonly PrecisionKind[] = ['fixed', 'integer'];

/** BN fusion into a preceding Dense/Conv whose result is still 'auto' (hls4ml `fuse_batch_normalization`). */
function fuseBatchNorm(g: HlsGraph, cfg: Hls4mlConfig): boolean {
  for (const bn of g.nodes) {
    if (!isBatchNorm(bn)) continue;
    const parent = nodeByName(g, bn.inputs[0]!);
    if (!parent || !HLS_CLASSES[parent.cls]?.bnFusionParent || !isAuto(parent.types.result)) continue;
    if (kindOf(parent, 'weight') === 'xnor') continue; // binary weights are never fused
    if (!fusionCompatible(parent, bn)) continue;
    if (consumers(g, parent.name).length > 1) continue;
    // only fixed / integer (or unspecified) types are fused
    if (![kindOf(parent, 'weight'), kindOf(parent, 'bias'), kindOf(bn, 'scale'), kindOf(bn, 'bias')].every((k) => FUSABLE_KINDS.includes(k))) continue;
    const w = parent.weights.weight!;
    const b = parent.weights.bias!;
    const nOut = parent.shapeOut[parent.shapeOut.length - 1]!;
    const s = channelVector(bn.weights.scale!.data, nOut, `${bn.name}.scale`);
    const bb = channelVector(bn.weights.bias!.data, nOut, `${bn.name}.bias`);
    // numpy's `scale * weight`: the scales broadcast against the weight's last axis (the output axis
    // of Dense/Conv; an axis of size 1 — a Keras depthwise kernel (…, C, 1) — widens to (…, C, C)).
    let wData = w.data;
    let wShape = w.shape;
    const lastAxis = w.shape[w.shape.length - 1];
    if (lastAxis === 1 && nOut > 1) {
      const wide = w.data instanceof Float32Array ? new Float32Array(w.data.length * nOut) : new Float64Array(w.data.length * nOut);
      for (let i = 0; i < w.data.length; i++) for (let j = 0; j < nOut; j++) wide[i * nOut + j] = w.data[i]!;
      wData = wide;
      wShape = [...w.shape.slice(0, -1), nOut];
    }
    const fw = mulLast(wData, s);
    const fb = mulLast(b.data, s, bb);
    const wQ = bn.quantizers?.scale ?? parent.quantizers?.weight;
    const bQ = bn.quantizers?.bias ?? parent.quantizers?.bias;
    // hls4ml re-adds the fused arrays with these quantizers (else the configured types); the parent
    // keeps its own quantizer attributes.
    const keep = parent.quantizers;
    parent.quantizers = { ...keep, weight: wQ, bias: bQ };
    reAdd(cfg, parent, 'weight', fw, wShape, wQ);
    reAdd(cfg, parent, 'bias', fb, [nOut], bQ);
    parent.quantizers = keep;
    parent.attrs.noBias = false;
    removeNode(g, bn);
    g.changes.push(`${bn.name} (${bn.cls}) fused into ${parent.name}`);
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
    if ((isAuto(tin) && isAuto(tout)) || (!isAuto(tin) && !isAuto(tout) && sameType(tin, tout) && kindOf(parent, 'result') === kindOf(n, 'result'))) {
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
      else if (n.attrs.qkerasCast && !isAuto(n.types.result)) {
        (g.warnings ??= []).push(
          `${n.name}: hls4ml removes this quantized_bits QActivation (merge_linear_activation into '${parent.name}', whose result type is 'auto'); its cast to ${formatFixedType(n.types.result!)} is lost and ${parent.name}'s result is inferred instead`,
        );
      }
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
  const kinds: PrecisionKind[] = [];
  for (const i of n.inputs) {
    const src = nodeByName(g, i);
    const t = src?.types.result;
    if (t === undefined || isAuto(t)) return false;
    ins.push(t);
    kinds.push(kindOf(src!, 'result'));
  }
  hlsClass(n.cls, n.name).infer?.(n, ins, { ...ctx, inputKinds: kinds });
  // hls4ml's output-matching inference hands on the input's precision object (Xnor stays Xnor)
  if (autos.includes('result') && n.types.result === ins[0] && kinds[0] !== 'fixed') setType(n, 'result', ins[0]!, kinds[0]);
  for (const k of autos) if (isAuto(n.types[k])) setType(n, k, ctx.modelDefault);
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

/** hls4ml `remove_nop_batch_normalization`: a BatchNormalization (or ApplyAlpha) with scale all 1 and bias all 0 is dropped. */
function removeNopBatchNorm(g: HlsGraph): void {
  for (const n of [...g.nodes]) {
    if (!isBatchNorm(n)) continue;
    if (allOnes(unquantized(n.weights.scale!)) && allZeros(unquantized(n.weights.bias!))) {
      removeNode(g, n);
      g.changes.push(`${n.name} (${n.cls}) removed: scale 1, bias 0`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The Vivado 'quantization' flow (backends/vivado/passes/bn_quant.py, fpga/passes/xnor_pooling.py)
// ---------------------------------------------------------------------------------------------

/**
 * `vivado:merge_batch_norm_quantized_tanh`: a BatchNormalization (or ApplyAlpha) followed by an
 * Activation binary/ternary tanh (or a TernaryTanh) becomes one BatchNormalizationQuantizedTanh
 * `bnbt_<bn>` comparing its input with thresholds derived from the BN scale and bias.
 */
function mergeBatchNormQuantizedTanh(g: HlsGraph): boolean {
  for (const n of g.nodes) {
    const act = String(n.attrs.activation ?? '');
    const tanh = (HLS_CLASSES[n.cls]?.activationLike && ['binary', 'binary_tanh', 'ternary', 'ternary_tanh'].includes(act)) || n.cls === 'TernaryTanh';
    if (!tanh) continue;
    const bn = nodeByName(g, n.inputs[0]!);
    if (!isBatchNorm(bn)) continue;
    if (!HLS_CLASSES.BatchNormalizationQuantizedTanh) {
      throw new UnsupportedError(n.name, 'BatchNormalization + binary/ternary tanh (BatchNormalizationQuantizedTanh) is not available');
    }
    const quantize = act.includes('binary') ? 2 : 3;
    const bnbt: HlsNode = {
      name: `bnbt_${bn.name}`,
      cls: 'BatchNormalizationQuantizedTanh' as HlsNode['cls'],
      inputs: [...bn.inputs],
      shapeIn: bn.shapeIn.map((s) => [...s]),
      shapeOut: [...n.shapeOut],
      attrs: { quantize, n_filt: typeof bn.attrs.n_filt === 'number' ? bn.attrs.n_filt : bn.shapeIn[0]!.length > 1 ? bn.shapeIn[0]![bn.shapeIn[0]!.length - 1]! : -1, threshold: (n.attrs.threshold as number | undefined) ?? 0.5, bnScale: bn.weights.scale!.data, bnBias: bn.weights.bias!.data, bnScaleType: bn.types.scale, bnScaleKind: kindOf(bn, 'scale'), bnName: bn.name, actName: n.name },
      types: {},
      weights: {},
      settings: { ...bn.settings },
    };
    if (quantize === 2) setType(bnbt, 'result', fixedType(false, 1, 1), 'xnor');
    else setType(bnbt, 'result', fixedType(true, 2, 2), 'integer');
    const scale = bn.weights.scale!.data;
    if (Array.prototype.some.call(scale, (v: number) => v < 0)) {
      (g.warnings ??= []).push(`${bnbt.name}: ${bn.name} has negative scales; hls4ml's BatchNormalizationQuantizedTanh thresholds assume a positive scale, so those channels compare the wrong way`);
    }
    // replace: the activation's consumers read bnbt; BN and activation go
    for (const c of g.nodes) c.inputs = c.inputs.map((i) => (i === n.name ? bnbt.name : i));
    g.outputs = g.outputs.map((o) => (o === n.name ? bnbt.name : o));
    const at = g.nodes.indexOf(bn);
    g.nodes = g.nodes.filter((x) => x !== bn && x !== n);
    g.nodes.splice(at, 0, bnbt);
    g.changes.push(`${bn.name} (${bn.cls}) + ${n.name} (${act}) → ${bnbt.name} (BatchNormalizationQuantizedTanh)`);
    return true;
  }
  return false;
}

/**
 * `vivado:quantize_dense_output` (bn_quant.py, QuantizeDenseOutput): a Dense whose input is a
 * BatchNormalizationQuantizedTanh and whose weight quantizer is hls4ml's own `BinaryQuantizer`
 * (QONNX BipolarQuant weights) gets result and accum `int<⌈log2 n_in⌉ + 2>`, zero Xnor biases, and
 * its weights re-quantized by `BinaryQuantizer(bits=1)` — applied to the already 0/1-encoded data,
 * so every weight becomes 1 (+1): hls4ml's firmware then ignores the trained weights (reproduced,
 * with a warning). hls4ml's pass returns False (it re-runs idempotently); this one reports no change.
 */
function quantizeDenseOutput(g: HlsGraph): boolean {
  for (const n of g.nodes) {
    if (n.cls !== 'Dense' || n.attrs.hls4mlDenseOutput) continue;
    const src = nodeByName(g, n.inputs[0]!);
    const q = n.quantizers?.weight;
    if (!src || src.cls !== 'BatchNormalizationQuantizedTanh' || q?.hls4ml !== 'BinaryQuantizer') continue;
    const nIn = n.shapeIn[0]!.reduce((p, d) => p * d, 1);
    const t = fixedType(true, Math.ceil(Math.log2(nIn)) + 2, Math.ceil(Math.log2(nIn)) + 2);
    setType(n, 'result', t, 'integer');
    if ('accum' in n.types) setType(n, 'accum', t, 'integer');
    const w = n.weights.weight!;
    const before = w.data;
    const data = Float64Array.from(before, (v) => (v >= 0 ? 1 : 0));
    n.weights.weight = { ...w, data };
    setType(n, 'weight', fixedType(false, 1, 1), 'xnor');
    const nOut = n.shapeOut[n.shapeOut.length - 1]!;
    n.weights.bias = { data: new Float64Array(nOut), shape: [nOut] };
    setType(n, 'bias', fixedType(false, 1, 1), 'xnor');
    n.attrs.hls4mlDenseOutput = true;
    if (Array.prototype.some.call(before, (v: number) => v !== 1)) {
      (g.warnings ??= []).push(
        `${n.name}: hls4ml's quantize_dense_output re-applies BinaryQuantizer to weights already stored as 0/1, so every weight becomes 1 (+1); the firmware does not compute the trained layer (reproduced as hls4ml builds it)`,
      );
    }
    g.changes.push(`${n.name}: quantize_dense_output (result and accum ${t.W}-bit integers, binary weights re-quantized)`);
  }
  return false;
}

/** `vivado:xnor_pooling`: a max pooling of an Xnor input outputs Xnor (`uint<1>`). */
function xnorPooling(g: HlsGraph): boolean {
  for (const n of g.nodes) {
    if (!/^(Global)?Pooling[12]D$/.test(n.cls) || String(n.attrs.pool_op) !== 'Max') continue;
    const src = nodeByName(g, n.inputs[0]!);
    if (!src || kindOf(src, 'result') !== 'xnor' || kindOf(n, 'result') === 'xnor') continue;
    setType(n, 'result', fixedType(false, 1, 1), 'xnor');
    if ('accum' in n.types) setType(n, 'accum', fixedType(false, 1, 1), 'xnor');
    g.changes.push(`${n.name}: xnor_pooling (max pooling of an Xnor input keeps uint<1>)`);
    return true;
  }
  return false;
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
  { name: 'output_rounding_saturation_mode', run: outputRoundingSaturationMode },
  { name: 'qkeras_factorize_alpha', run: qkerasFactorizeAlpha },
  { name: 'extract_ternary_threshold', run: extractTernaryThreshold },
  { name: 'fuse_consecutive_batch_normalization', run: fuseConsecutiveBatchNorm },
  { name: 'fuse_batch_normalization', run: fuseBatchNorm },
  { name: 'eliminate_linear_activation / merge_linear_activation', run: (g) => linearActivations(g) },
];

/**
 * The number-changing passes of the Vivado backend's 'quantization' flow, in order (they run after
 * the 'convert' and 'optimize' flows; `quantize_dense_output` matches hls4ml's own BinaryQuantizer
 * only (QONNX BipolarQuant weights; QKeras binary weights use QKeras' quantizers, which it does not
 * match) and `fuse_consecutive_batch_normalization` no longer matches once
 * the types are inferred, so neither is listed).
 */
export const QUANTIZATION_PASSES: readonly GraphPass[] = [
  { name: 'vivado:merge_batch_norm_quantized_tanh', run: (g) => mergeBatchNormQuantizedTanh(g) },
  { name: 'vivado:quantize_dense_output', run: (g) => quantizeDenseOutput(g) },
  { name: 'vivado:xnor_pooling', run: (g) => xnorPooling(g) },
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
  for (let guard = 0; guard < 10_000; guard++) {
    if (!QUANTIZATION_PASSES.some((p) => p.run(g, cfg))) break;
  }
  inferPrecision(g, cfg);
}
