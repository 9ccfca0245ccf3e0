/**
 * ONNX / QONNX → ModelGraph. Decodes the protobuf (`onnx-proto.ts`), folds constants (initializers,
 * Constant nodes, shape arithmetic, Quant-on-initializer) with the float evaluator (`onnx-eval.ts`),
 * and maps the remaining ops onto Keras-level layers with channels-last tensors:
 *
 * - Every dynamic ONNX tensor is tracked with its ONNX shape (batch fixed to 1) and a *layout*
 *   relating the ModelGraph tensor to it: either an axis permutation (model axis i = ONNX axis
 *   perm[i]; NCHW data is stored as [H, W, C], perm [2, 3, 1]) or, for 1-D model tensors, an element
 *   order (model element k = ONNX element order[k]). Transpose nodes only change the layout; a Flatten
 *   of channels-first data yields a permuted order, and the next Dense's kernel rows are permuted so
 *   the float function is exactly ONNX's on the correspondingly transposed input.
 * - Gemm and MatMul(+Add) become Dense; Conv becomes Conv1D/Conv2D ('valid', 'same', or a ZeroPadding
 *   layer for other explicit pads); pools, BatchNormalization, activations, Flatten/Reshape, Add,
 *   Concat and Pad map 1:1; Mul/Add/Sub/Div by a per-channel constant become a scale/bias
 *   BatchNormalization (hls4ml's ApplyAlpha).
 * - QONNX Quant on an initializer quantizes the weights and sets `quantizers.weight` / `.bias`; Quant
 *   on an activation becomes a linear Activation `<quant>_act` with `quantizers.result` (hls4ml's
 *   QuantToActivation; its merge into the producing layer is a conversion pass). Quants with
 *   non-power-of-two or per-channel scales or a zero-point take hls4ml's ApplyAlpha route (integer
 *   codes between `<quant>_scale` / `<quant>_rescale` ApplyAlpha layers, the rescale moved below the
 *   next MatMul or Conv as ScaleDownMatMul / ScaleDownConv do — for weights also one scale per
 *   output column / filter where hls4ml 1.3 cannot move it, which hlsemu moves as exact algebra,
 *   with a warning); BipolarQuant weights get hls4ml's BinaryQuantizer (Xnor).
 *   See `qonnx.ts` and docs/import-onnx.md.
 *
 * Every unsupported op / option is an UnsupportedError naming the node (`node[3] (Conv 'conv1')`).
 * See docs/import-onnx.md.
 */
import { readFileSync } from '../platform/fs.js';
import { checkElements } from './layer-map.js';
import { basename } from '../platform/path.js';
import { FormatError, ShapeError, UnsupportedError } from '../errors.js';
import { fixedType, formatFixedType, type FixedType } from '../fixed/types.js';
import type { FloatTensor, LayerAttrs, ModelGraph, ModelLayer, ModelLayerClass } from '../graph/model.js';
import {
  CHANNELS_LAST_DOMAIN,
  NodeAttrs,
  broadcastShapes,
  broadcastTo,
  defaultOpset,
  evalOnnxNode,
  reshapeTarget,
  resolvePads,
  shapeSize,
  stridesOf,
  tensorOf,
  transpose,
  type Tensor,
} from './onnx-eval.js';
import { decodeOnnxModel, onnxDtypeName, type OnnxModel, type OnnxNode } from './onnx-proto.js';
import { allEqual, bipolarXnorQuantizer, hls4mlAlphaCodes, checkBipolarScale, quantFixedType, quantIntegerType, quantRoute, type QuantParams } from './qonnx.js';

/** Options of {@link importOnnx} / {@link loadOnnxModel}. */
export interface OnnxImportOptions {
  /** Model name (default: the graph name, else the file stem). */
  name?: string;
  /**
   * How rank ≥ 3 graph inputs are laid out. 'auto' (default): channels-first (NCHW) unless the input
   * reaches its first layout-sensitive op (Conv, pooling, BatchNormalization, Pad) through a Transpose
   * that makes it channels-last already (Keras/tf2onnx exports), or feeds Flatten/Reshape/MatMul
   * first (then it is kept as is). 'channels_first': the input is NCHW / NCL and is stored
   * transposed to channels-last. 'channels_last': the ModelGraph input equals the ONNX input.
   */
  inputLayout?: 'auto' | 'channels_first' | 'channels_last';
  /** File name used in error paths when the model is given as bytes (default 'model.onnx'). */
  source?: string;
}

/** How a ModelGraph input/output tensor relates to the ONNX tensor it stands for. */
export interface OnnxTensorMapping {
  /** ONNX value name. */
  onnxName: string;
  /** ModelGraph layer producing / holding it. */
  layer: string;
  /** ONNX shape without the batch axis. */
  onnxShape: number[];
  /** ModelGraph shape (no batch axis, channels-last). */
  modelShape: number[];
  /** Model element k (C order) is ONNX element `onnxIndex[k]` (C order, batch excluded). */
  onnxIndex: Int32Array;
  /** True when `onnxIndex` is the identity (same element order). */
  identity: boolean;
}

/** Result of {@link importOnnx}: the ModelGraph plus the layout of its inputs and outputs. */
export interface OnnxImport {
  model: ModelGraph;
  inputs: OnnxTensorMapping[];
  outputs: OnnxTensorMapping[];
  /**
   * For each ModelGraph layer, the run-time ONNX tensor its output equals (in the mapping's element
   * order): the last ONNX value assigned to it, since ops that only relabel (Identity, Flatten of a
   * vector) or that fold into the layer (a bias Add after a MatMul) reuse the producer's layer.
   */
  tensors: OnnxTensorMapping[];
  /**
   * Activation Quants converted on hls4ml's ApplyAlpha route: for the Quant's ONNX output, the
   * ModelGraph layer whose output is its integer codes `clip(round(x/scale + zero_point))` (the
   * linear `<Quant>_act`, which the conversion merges into `<Quant>_scale`).
   */
  alphaQuants: OnnxTensorMapping[];
  /** ONNX producer ('tf2onnx', 'pytorch', …) and default-domain opset, for information. */
  producer: string;
  opset: number;
}

/** ONNX op types the importer maps onto layers (constant-only subgraphs may use the evaluator's other ops). */
export const ONNX_SUPPORTED_OPS = [
  'Gemm', 'MatMul', 'Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'BatchNormalization',
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Selu', 'Elu', 'ThresholdedRelu', 'Softsign', 'Softplus', 'HardSigmoid', 'Softmax',
  'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Transpose', 'Identity', 'Dropout', 'Cast', 'Add', 'Sub', 'Mul',
  'Div', 'Sum', 'Max', 'Min', 'Concat', 'Pad', 'Resize', 'Quant', 'IntQuant', 'BipolarQuant', 'Constant', 'Shape',
] as const;

// ---------------------------------------------------------------------------------------------------
// values and layouts

type Layout = { perm: number[]; order?: undefined } | { order: Int32Array; perm?: undefined };

/** A tensor computed at run time: held by a ModelGraph layer in some layout. */
interface Dyn {
  kind: 'dyn';
  layer: string;
  /** ONNX shape, batch axis included and fixed to 1. */
  shape: number[];
  layout: Layout;
}

type ConstQuant =
  | {
      kind: 'int';
      where: string;
      node: string;
      params: QuantParams;
      /**
       * The scale of every element of the constant, in its current shape: the Quant's scale
       * broadcast onto its output, then moved along with the data by the element-moving ops after
       * it (a Transpose makes a per-row scale per-column).
       */
      scales: Tensor;
      /** The Quant's input (the constant's own float32 values), moved along like `scales`: what hls4ml's passes read. */
      raw: Tensor;
    }
  | { kind: 'bipolar'; where: string; node: string; scale: Float64Array };

/** A rescale ApplyAlpha re-applying the scale of ApplyAlpha-route weights after the layer: one scale, or one per output column. */
interface WeightRescale {
  name: string;
  scale: number | Float64Array;
}

/** Weights as a layer stores them: float data, or quantization codes with the type and, on hls4ml's ApplyAlpha route, the scale to re-apply after the layer. */
interface LayerWeights {
  data: Float64Array;
  type?: FixedType;
  rescale?: WeightRescale;
  /** Conversion warnings about these weights (for the layer that stores them). */
  warnings?: string[];
}

/** An ApplyAlpha `<Quant>_rescale` (or `bn_Mul`) on run-time data that hls4ml's ScaleDownMatMul / ScaleDownConv may move below the next MatMul / Conv (scale NaN: per-channel, not movable). */
interface Movable {
  input: Dyn;
  scale: number;
  /** Made by MergeToApplyAlpha from a Mul/Div by a constant: hls4ml makes it after ScaleDownConv first runs (`bn_<node>`). */
  merge?: boolean;
}

/** One ApplyAlpha that hls4ml's ScaleDownConv places after a Conv: scale and bias per filter (or one scale), the attributes it copies. */
interface ConvMove {
  name: string;
  scale: number | Float32Array;
  bias?: Float32Array;
  attrs: LayerAttrs;
  /** The name is the removed data-side layer's own (free again): no uniquing. */
  keepName: boolean;
}

const f32 = Math.fround;

/** A tensor known at import time (possibly produced by a Quant of an initializer). */
interface Const {
  kind: 'const';
  tensor: Tensor;
  quant?: ConstQuant;
}

type Value = Dyn | Const;

function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => i + from);
}

/** Channels-last permutation of an ONNX rank-r (batch included) channels-first tensor: [2, …, r−1, 1]. */
function chLastPerm(r: number): number[] {
  return [...range(r - 2, 2), 1];
}

function identityPerm(r: number): number[] {
  return range(r - 1, 1);
}

function sameArr(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isIdentityOrder(o: Int32Array): boolean {
  for (let i = 0; i < o.length; i++) if (o[i] !== i) return false;
  return true;
}

function modelShapeOf(v: Dyn): number[] {
  return v.layout.perm ? v.layout.perm.map((a) => v.shape[a]!) : [shapeSize(v.shape)];
}

/** Model element k (C order) ↔ ONNX flat index (batch 1) for an axis layout. */
function axesIndex(shape: readonly number[], perm: readonly number[]): Int32Array {
  const ms = perm.map((a) => shape[a]!);
  const os = stridesOf(shape);
  const st = perm.map((a) => os[a]!);
  const n = shapeSize(ms);
  const out = new Int32Array(n);
  const idx = new Array<number>(ms.length).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    out[k] = off;
    for (let i = ms.length - 1; i >= 0; i--) {
      idx[i]!++;
      off += st[i]!;
      if (idx[i]! < ms[i]!) break;
      off -= st[i]! * idx[i]!;
      idx[i] = 0;
    }
  }
  return out;
}

function onnxIndexOf(v: Dyn): Int32Array {
  return v.layout.order ?? axesIndex(v.shape, v.layout.perm!);
}

/** Builds a layout, using an element order for 1-D model tensors. */
function mkLayout(shape: readonly number[], perm: number[]): Layout {
  if (perm.length === 1) return { order: axesIndex(shape, perm) };
  return { perm };
}

function layoutText(v: Dyn): string {
  if (v.layout.perm) return `model axes = ONNX axes [${v.layout.perm.join(', ')}]`;
  return isIdentityOrder(v.layout.order!) ? 'a flat vector in ONNX order' : 'a flat vector in permuted (channels-last) order';
}

/** Permutes ONNX-ordered data (batch excluded) into the ModelGraph order of a mapping. @example onnxToModelOrder(x, imp.inputs[0]) */
export function onnxToModelOrder(data: ArrayLike<number>, m: OnnxTensorMapping): Float64Array {
  const out = new Float64Array(m.onnxIndex.length);
  for (let k = 0; k < out.length; k++) out[k] = data[m.onnxIndex[k]!]!;
  return out;
}

/** Permutes ModelGraph-ordered data back into ONNX order (batch excluded). @example modelToOnnxOrder(y, imp.outputs[0]) */
export function modelToOnnxOrder(data: ArrayLike<number>, m: OnnxTensorMapping): Float64Array {
  const out = new Float64Array(m.onnxIndex.length);
  for (let k = 0; k < out.length; k++) out[m.onnxIndex[k]!] = data[k]!;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// names

function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
}

const UNARY_ACTIVATIONS: Record<string, string> = {
  Relu: 'relu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Selu: 'selu',
  Softsign: 'softsign',
  Softplus: 'softplus',
  HardSigmoid: 'hard_sigmoid',
};

const LAYOUT_SENSITIVE = new Set(['Conv', 'MaxPool', 'AveragePool', 'BatchNormalization', 'GlobalAveragePool', 'GlobalMaxPool', 'Pad']);
const ELEMENTWISE = new Set([
  ...Object.keys(UNARY_ACTIVATIONS),
  'LeakyRelu', 'Elu', 'ThresholdedRelu', 'Identity', 'Dropout', 'Cast', 'Quant', 'IntQuant', 'BipolarQuant', 'Add', 'Sub', 'Mul', 'Div', 'Sum',
  'Max', 'Min', 'Resize',
]);
const QUANT_OPS = new Set(['Quant', 'IntQuant', 'BipolarQuant']);
/** Ops through which a constant keeps the Quant information of its input (they only move elements). */
const QUANT_PRESERVING = new Set(['Identity', 'Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

/** hls4ml's warning when ScaleDownMatMul cannot move an ApplyAlpha below a MatMul (`move_scales.py`, spelling as in hls4ml). */
const HLS4ML_NO_MOVE = 'Failed to propagate quantization scales down MatMul node; model probably not suppored.';
/** ScaleDownConv's warning (move_scales.py), verbatim. */
const HLS4ML_NO_MOVE_CONV = 'Failed to propagate quantization scales down Conv node; model probably not suppored.';
/** ModelGraph classes whose hls4ml layer carries `n_filt` = its channel count (Conv, pooling, BatchNormalization). */
const N_FILT_CLASSES = /^(Conv[12]D|DepthwiseConv[12]D|(Max|Average)Pooling[12]D|BatchNormalization)$/;

const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

// ---------------------------------------------------------------------------------------------------

class OnnxImporter {
  readonly opset: number;
  readonly layers: ModelLayer[] = [];
  private readonly byName = new Map<string, ModelLayer>();
  private readonly values = new Map<string, Value>();
  private readonly usedNames = new Set<string>();
  /** Outstanding (not yet processed) consumer references to each layer's values. */
  private readonly refs = new Map<string, number>();
  /** Consumers per value name (live nodes, plus 1 per graph output). */
  private readonly uses = new Map<string, number>();
  private readonly consumers = new Map<string, OnnxNode[]>();
  private readonly live: Set<OnnxNode>;
  private readonly outputNames: Set<string>;
  /** Data-side rescale ApplyAlpha layers (per-tensor scale, zero bias) by layer name. */
  private readonly movable = new Map<string, Movable>();
  /** Every `<Q>_rescale` ApplyAlpha of an activation Quant (movable or not): an ApplyAlpha when ScaleDownConv first runs. */
  private readonly alphaRescales = new Set<string>();
  /** ONNX values whose layer was moved elsewhere (no layer holds them any more). */
  private readonly stale = new Set<string>();
  /** Activation Quants on the ApplyAlpha route: ONNX output → the layer holding the integer codes. */
  readonly alphaQuants: OnnxTensorMapping[] = [];
  isQonnx = false;
  /** The graph has live Quant / BipolarQuant nodes: constant arithmetic follows hls4ml's QONNX passes (no folding at import). */
  readonly qonnxGraph: boolean;

  constructor(readonly m: OnnxModel, readonly source: string, readonly opts: OnnxImportOptions) {
    this.opset = defaultOpset(m);
    const g = m.graph;
    this.outputNames = new Set(g.outputs.map((o) => o.name));
    // liveness: nodes that (transitively) feed a graph output
    const producer = new Map<string, OnnxNode>();
    for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
    this.live = new Set();
    const stack = [...this.outputNames];
    const seen = new Set<string>();
    while (stack.length) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const p = producer.get(name);
      if (p && !this.live.has(p)) {
        this.live.add(p);
        for (const i of p.inputs) if (i) stack.push(i);
      }
    }
    for (const n of g.nodes) {
      if (!this.live.has(n)) continue;
      for (const i of n.inputs) {
        if (!i) continue;
        this.uses.set(i, (this.uses.get(i) ?? 0) + 1);
        const c = this.consumers.get(i) ?? [];
        if (!c.includes(n)) c.push(n);
        this.consumers.set(i, c);
      }
    }
    for (const o of this.outputNames) this.uses.set(o, (this.uses.get(o) ?? 0) + 1);
    this.qonnxGraph = [...this.live].some((n) => QUANT_OPS.has(n.opType));
  }

  where(n: OnnxNode): string {
    return `${this.source} node[${n.index}] (${n.opType}${n.name ? ` '${n.name}'` : ''})`;
  }

  uniqueName(base: string): string {
    let b = sanitize(base) || 'layer';
    if (/^[0-9]/.test(b)) b = `l_${b}`;
    let name = b;
    for (let k = 2; this.usedNames.has(name); k++) name = `${b}_${k}`;
    this.usedNames.add(name);
    return name;
  }

  nodeName(n: OnnxNode, suffix = ''): string {
    let base = sanitize(n.name);
    if (!base) base = `${n.opType.toLowerCase()}_${n.index}`;
    else if (/^[0-9]/.test(base)) base = `${n.opType.toLowerCase()}_${base}`;
    return this.uniqueName(base + suffix);
  }

  addLayer(
    name: string,
    className: ModelLayerClass,
    inputs: Dyn[],
    outShape: number[],
    attrs: LayerAttrs,
    weights: Record<string, FloatTensor> = {},
    quantizers?: ModelLayer['quantizers'],
  ): ModelLayer {
    const layer: ModelLayer = {
      name,
      className,
      inputs: inputs.map((v) => v.layer),
      inputShapes: inputs.map(modelShapeOf),
      outputShape: outShape,
      attrs,
      weights,
    };
    if (quantizers && Object.keys(quantizers).length) layer.quantizers = quantizers;
    this.layers.push(layer);
    this.byName.set(name, layer);
    return layer;
  }

  setValue(name: string, v: Value): void {
    if (!name) return;
    this.values.set(name, v);
    if (v.kind === 'dyn') this.refs.set(v.layer, (this.refs.get(v.layer) ?? 0) + (this.uses.get(name) ?? 0));
  }

  /** True when nothing else reads the layer's output (safe to fold a following op into it). */
  foldable(layer: string): boolean {
    return (this.refs.get(layer) ?? 0) === 0;
  }

  // ---- graph inputs ----------------------------------------------------------------------------

  desiredPerm(value: string, rank: number, depth = 0): number[] | undefined {
    if (depth > 64) return undefined;
    for (const n of this.consumers.get(value) ?? []) {
      const op = n.opType;
      if (QUANT_OPS.has(op) && n.inputs[0] !== value) continue;
      if (LAYOUT_SENSITIVE.has(op)) {
        if (n.inputs[0] !== value) continue;
        return n.domain === CHANNELS_LAST_DOMAIN ? identityPerm(rank) : chLastPerm(rank);
      }
      if (op === 'Transpose') {
        const r = this.desiredPerm(n.outputs[0]!, rank, depth + 1);
        if (!r) continue;
        const p = new NodeAttrs(n).ints('perm', range(rank).reverse());
        return r.map((a) => p[a]!);
      }
      if (ELEMENTWISE.has(op)) {
        const r = this.desiredPerm(n.outputs[0]!, rank, depth + 1);
        if (r) return r;
        continue;
      }
      if (op === 'Concat') continue;
      return identityPerm(rank);
    }
    return undefined;
  }

  addInputs(): void {
    const g = this.m.graph;
    for (const vi of g.inputs) {
      if (g.initializers.has(vi.name) || !this.uses.has(vi.name)) continue;
      const path = `${this.source} input '${vi.name}'`;
      if (vi.elemType !== 0 && vi.elemType !== 1 && vi.elemType !== 11 && vi.elemType !== 10) {
        throw new UnsupportedError(path, `input element type ${onnxDtypeName(vi.elemType)} is not supported (float inputs only)`);
      }
      if (!vi.shape) throw new UnsupportedError(path, 'input has no shape');
      if (vi.shape.length < 2) {
        throw new UnsupportedError(path, `input shape [${vi.shape.join(', ')}] has no batch axis (expected [batch, …])`);
      }
      const dims = vi.shape.slice(1).map((d) => {
        if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
          throw new UnsupportedError(path, `variable-size dimension in [${vi.shape!.join(', ')}] is not supported (fixed sizes only, batch excepted)`);
        }
        return d;
      });
      checkElements(path, 'shape', dims);
      const shape = [1, ...dims];
      const r = shape.length;
      let perm: number[];
      const mode = this.opts.inputLayout ?? 'auto';
      if (r <= 2 || mode === 'channels_last') perm = identityPerm(r);
      else if (mode === 'channels_first') perm = chLastPerm(r);
      else perm = this.desiredPerm(vi.name, r) ?? chLastPerm(r);
      const layout = mkLayout(shape, perm);
      const v: Dyn = { kind: 'dyn', layer: this.uniqueName(/^[0-9]/.test(vi.name) ? `input_${vi.name}` : vi.name), shape, layout };
      this.addLayer(v.layer, 'InputLayer', [], modelShapeOf(v), {});
      this.layers[this.layers.length - 1]!.inputShapes = [];
      this.setValue(vi.name, v);
    }
  }

  // ---- constants --------------------------------------------------------------------------------

  constTensor(n: OnnxNode, k: number, what: string): Const {
    const name = n.inputs[k];
    const v = name ? this.values.get(name) : undefined;
    if (!v) throw new FormatError(this.where(n), `${what} (input ${k}) is missing`);
    if (v.kind !== 'const') {
      throw new UnsupportedError(this.where(n), `${what} (input ${k} '${name}') must be a constant (initializer), not computed at run time`);
    }
    return v;
  }

  optConst(n: OnnxNode, k: number, what: string): Const | undefined {
    return n.inputs[k] ? this.constTensor(n, k, what) : undefined;
  }

  quantParams(n: OnnxNode): QuantParams {
    const a = new NodeAttrs(n, this.source);
    const scale = this.constTensor(n, 1, 'scale').tensor.data;
    const zeroPoint = this.constTensor(n, 2, 'zero_point').tensor.data;
    const bw = this.constTensor(n, 3, 'bit_width').tensor.data;
    if (bw.length !== 1) throw new UnsupportedError(this.where(n), `bit_width must be a scalar, got ${bw.length} values`);
    return {
      scale,
      zeroPoint,
      bitWidth: bw[0]!,
      signed: a.int('signed', 1) !== 0,
      narrow: a.int('narrow', 0) !== 0,
      roundingMode: a.str('rounding_mode', 'ROUND'),
    };
  }

  /** The fixed type of a quantized constant used as a weight/bias (throws naming the Quant node). */
  constType(c: Const | undefined): FixedType | undefined {
    if (!c?.quant) return undefined;
    if (c.quant.kind === 'bipolar') {
      checkBipolarScale(c.quant.scale, c.quant.where);
      return bipolarXnorQuantizer();
    }
    return quantFixedType(c.quant.params, c.quant.where);
  }

  /**
   * What MatMul and Conv weights share: no Quant; BipolarQuant (scale 1: hls4ml's Xnor weights; one
   * other scale: ±1 with a `<Q>_rescale`, ConstBipolarQuantToConstAlpha); the power-of-two route
   * (FuseQuantWithConstant: the Quant's fixed type). Otherwise the ApplyAlpha route's integer Quant
   * and its code type `fixed<b,b>` (zero-point 0 only), for the caller's scale rules.
   */
  weightRoute(c: Const, refuse: (why: string) => Error): { done: LayerWeights } | { q: Extract<ConstQuant, { kind: 'int' }>; t: FixedType } {
    const q = c.quant;
    if (!q) return { done: { data: c.tensor.data } };
    if (q.kind === 'bipolar') {
      if (Array.prototype.every.call(q.scale, (v: number) => v === 1)) return { done: { data: c.tensor.data, type: bipolarXnorQuantizer() } };
      if (!allEqual(q.scale)) throw refuse(`per-channel BipolarQuant scales (${q.scale.length} values)`);
      const s = q.scale[0]!;
      if (!(s > 0)) throw new UnsupportedError(q.where, `BipolarQuant scale ${s} is not positive`);
      return { done: { data: c.tensor.data.map((w) => (w >= 0 ? 1 : -1)), type: bipolarXnorQuantizer(), rescale: { name: `${q.node}_rescale`, scale: s } } };
    }
    const p = q.params;
    if (quantRoute(p) === 'fixed') return { done: { data: c.tensor.data, type: quantFixedType(p, q.where) } };
    const t = quantIntegerType(p, q.where);
    const z = Array.from(p.zeroPoint).find((v) => v !== 0);
    if (z !== undefined) throw refuse(`a non-zero zero_point (${z})`);
    return { q, t };
  }

  /**
   * MatMul/Gemm weights `[K, units]` as hls4ml stores them. A Quant on hls4ml's power-of-two route
   * gives its fixed type (FuseQuantWithConstant). On the ApplyAlpha route (ConstQuantToConstAlpha)
   * the weights become hls4ml's integer codes ({@link hls4mlAlphaCodes}), typed `fixed<b,b>`, and the scale is
   * re-applied by a `<Quant>_rescale` ApplyAlpha that ScaleDownMatMul moves below the MatMul.
   * hls4ml moves one scale for the whole tensor only; with a zero zero-point and one scale per
   * output column (constant along the reduction axis K) the move is exact algebra,
   * `x·(Q∘s) = (x·Q)∘s`, and hlsemu makes it too — with a warning, since hls4ml 1.3's conversion
   * fails there ('Failed to propagate quantization scales down MatMul node', then an IndexError on
   * the left-over Constant). Scales that vary along K and non-zero zero-points are refused.
   * BipolarQuant weights with a scale other than 1 are ±1 with the same rescale
   * (ConstBipolarQuantToConstAlpha).
   */
  weightOf(c: Const, what: string): LayerWeights {
    const q = c.quant;
    if (!q) return { data: c.tensor.data };
    const noMove = (why: string) =>
      new UnsupportedError(
        q.where,
        `${why} on ${what}: hls4ml's ScaleDownMatMul cannot move the rescale ApplyAlpha below the MatMul ('${HLS4ML_NO_MOVE}') and its conversion then fails on the left-over weight Constant; hlsemu refuses it${q.kind === 'int' ? ' (it moves a zero-point-0 scale only when it is constant along the reduction axis: one scale per output)' : ''}`,
      );
    const r = this.weightRoute(c, noMove);
    if ('done' in r) return r.done;
    const { t } = r;
    const iq = r.q;
    const p = iq.params;
    const [K, units] = c.tensor.shape as [number, number];
    // the codes hls4ml computes from the constant's own values (float32 w/s, then the quantizer)
    const codes = hls4mlAlphaCodes(iq.raw.data, iq.scales.data, p);
    if (allEqual(p.scale)) return { data: codes, type: t, rescale: { name: `${iq.node}_rescale`, scale: p.scale[0]! } };
    const S = iq.scales.data;
    const col = S.slice(0, units);
    for (let k = 1; k < K; k++) {
      for (let j = 0; j < units; j++) {
        if (S[k * units + j] !== col[j]) {
          throw noMove(
            `per-channel scales (${p.scale.length} values) that vary along the reduction axis (output ${j}: ${S[k * units + j]} at input feature ${k}, ${col[j]} at input feature 0)`,
          );
        }
      }
    }
    const warning = `the weights' Quant '${iq.node}' has ${p.scale.length} per-output-channel scales; hls4ml 1.3 fails on this model (its ScaleDownMatMul warns '${HLS4ML_NO_MOVE}' and the conversion then fails on the left-over weight Constant). hlsemu moves the per-output-channel scale below the MatMul as exact algebra, x·(Q∘s) = (x·Q)∘s (integer-code weights, then the ApplyAlpha '${iq.node}_rescale' with one scale per output): this firmware is hlsemu's, not one hls4ml 1.3 produces`;
    return { data: codes, type: t, rescale: { name: `${iq.node}_rescale`, scale: col }, warnings: [warning] };
  }

  foldConstNode(n: OnnxNode, ins: (Const | undefined)[]): void {
    const tensors = ins.map((c) => c?.tensor);
    const outs = evalOnnxNode(n, tensors, this.opset, this.source);
    let quant: ConstQuant | undefined;
    if (n.opType === 'Quant' || n.opType === 'IntQuant') {
      const where = this.where(n);
      const scales = broadcastTo(this.constTensor(n, 1, 'scale').tensor, outs[0]!.shape, where);
      quant = { kind: 'int', where, node: n.name || `${n.opType}_${n.index}`, params: this.quantParams(n), scales, raw: broadcastTo(tensors[0]!, outs[0]!.shape, where) };
      this.isQonnx = true;
    } else if (n.opType === 'BipolarQuant') {
      quant = { kind: 'bipolar', where: this.where(n), node: n.name || `${n.opType}_${n.index}`, scale: this.constTensor(n, 1, 'scale').tensor.data };
      this.isQonnx = true;
    } else if (QUANT_PRESERVING.has(n.opType)) {
      const q = ins[0]?.quant;
      // the per-element scales move with the data (the same op applied to them)
      const move = (t: Tensor) => evalOnnxNode(n, [t, ...tensors.slice(1)], this.opset, this.source)[0]!;
      quant = q?.kind === 'int' ? { ...q, scales: move(q.scales), raw: move(q.raw) } : q;
    }
    n.outputs.forEach((o, i) => {
      if (o && outs[i]) this.setValue(o, { kind: 'const', tensor: outs[i]!, quant });
    });
  }

  // ---- layout helpers ---------------------------------------------------------------------------

  /**
   * The per-channel (axes layout: along the model's last axis) or per-element (flat layout) vector a
   * constant broadcast onto `v` amounts to, or undefined when it varies along other model axes.
   */
  channelVector(v: Dyn, c: Tensor, where: string): Float64Array | undefined {
    const bs = broadcastShapes(c.shape, v.shape);
    if (!bs || !sameArr(bs, v.shape)) {
      throw new UnsupportedError(where, `constant of shape [${c.shape.join(', ')}] would broadcast the tensor [${v.shape.join(', ')}] to a larger shape`);
    }
    const full = broadcastTo(c, v.shape, where).data;
    const idx = onnxIndexOf(v);
    const M = new Float64Array(idx.length);
    for (let k = 0; k < idx.length; k++) M[k] = full[idx[k]!]!;
    if (v.layout.order) return M;
    const ms = modelShapeOf(v);
    const C = ms[ms.length - 1]!;
    for (let k = C; k < M.length; k++) if (M[k] !== M[k % C]) return undefined;
    return M.slice(0, C);
  }

  /** `v` with the axis layout `perm`, inserting a Reshape layer for a flat vector when its order allows. */
  requireAxes(v: Dyn, perm: number[], n: OnnxNode, what: string): Dyn {
    if (v.layout.perm && sameArr(v.layout.perm, perm)) return v;
    if (v.layout.order && sameArr(axesIndex(v.shape, perm), v.layout.order)) {
      const name = this.nodeName(n, '_reshape');
      const out: Dyn = { kind: 'dyn', layer: name, shape: v.shape, layout: { perm } };
      this.addLayer(name, 'Reshape', [v], modelShapeOf(out), { targetShape: modelShapeOf(out) });
      return out;
    }
    if (v.layout.perm && v.layout.perm.length === perm.length) return this.permuteTo(v, perm, n);
    throw new UnsupportedError(this.where(n), `${what}: the input is held as ${layoutText(v)}, which cannot be fed to this op without reordering the flat vector`);
  }

  /** `v` with the axis layout `perm`: a Permute layer (hls4ml's Transpose) reorders the model axes. */
  permuteTo(v: Dyn, perm: number[], n: OnnxNode): Dyn {
    const cur = v.layout.perm!;
    const dims = perm.map((a) => cur.indexOf(a) + 1);
    const name = this.nodeName(n, '_transpose');
    const out: Dyn = { kind: 'dyn', layer: name, shape: v.shape, layout: { perm } };
    this.addLayer(name, 'Permute', [v], modelShapeOf(out), { dims });
    return out;
  }

  // ---- node dispatch ----------------------------------------------------------------------------

  run(): void {
    this.addInputs();
    for (const [name, t] of this.m.graph.initializers) this.values.set(name, { kind: 'const', tensor: tensorOf(t) });
    for (const n of this.m.graph.nodes) {
      if (!this.live.has(n)) continue;
      const ins = n.inputs.map((name) => {
        if (!name) return undefined;
        const v = this.values.get(name);
        if (!v) throw new FormatError(this.where(n), `input '${name}' is not produced by any earlier node, initializer or graph input`);
        return v;
      });
      for (const v of ins) if (v?.kind === 'dyn') this.refs.set(v.layer, (this.refs.get(v.layer) ?? 0) - 1);
      if (QUANT_OPS.has(n.opType)) this.isQonnx = true;
      if (ins.every((v) => !v || v.kind === 'const')) {
        this.foldConstNode(n, ins as (Const | undefined)[]);
        continue;
      }
      if (n.opType === 'Shape') {
        this.foldConstNode(n, [{ kind: 'const', tensor: { shape: (ins[0] as Dyn).shape, data: new Float64Array(0) } }]);
        continue;
      }
      this.mapNode(n, ins);
    }
  }

  mapNode(n: OnnxNode, ins: (Value | undefined)[]): void {
    const where = this.where(n);
    const a = new NodeAttrs(n, this.source);
    const x = ins[0];
    if (n.domain === CHANNELS_LAST_DOMAIN && !['Conv', 'MaxPool', 'BatchNormalization'].includes(n.opType)) {
      throw new UnsupportedError(where, `channels-last op ${n.opType} is not supported`);
    }
    const dynIn = (): Dyn => {
      if (!x || x.kind !== 'dyn') throw new UnsupportedError(where, 'the first input must be computed at run time (constant data input is not supported here)');
      return x;
    };
    const out = (v: Dyn) => this.setValue(n.outputs[0]!, v);
    const act = UNARY_ACTIVATIONS[n.opType];
    if (act) {
      const v = dynIn();
      if (n.opType === 'Selu' && (a.float('alpha', SELU_ALPHA) !== SELU_ALPHA || a.float('gamma', SELU_GAMMA) !== SELU_GAMMA)) {
        throw new UnsupportedError(where, 'Selu with non-default alpha/gamma is not supported');
      }
      if (n.opType === 'HardSigmoid' && (Math.fround(a.float('alpha', 0.2)) !== Math.fround(0.2) || Math.fround(a.float('beta', 0.5)) !== 0.5)) {
        throw new UnsupportedError(where, 'HardSigmoid with alpha ≠ 0.2 or beta ≠ 0.5 is not supported');
      }
      const name = this.nodeName(n);
      this.addLayer(name, 'Activation', [v], modelShapeOf(v), { activation: act });
      out({ ...v, layer: name });
      return;
    }
    switch (n.opType) {
      case 'Identity':
      case 'Dropout':
        if (n.outputs[1] && this.uses.has(n.outputs[1])) throw new UnsupportedError(where, 'the Dropout mask output is not supported');
        out(dynIn());
        return;
      case 'Cast': {
        const to = a.int('to');
        if (![1, 10, 11].includes(to)) throw new UnsupportedError(where, `Cast to ${onnxDtypeName(to)} is not supported (float only)`);
        out(dynIn());
        return;
      }
      case 'LeakyRelu': {
        const v = dynIn();
        const name = this.nodeName(n);
        this.addLayer(name, 'LeakyReLU', [v], modelShapeOf(v), { alpha: a.float('alpha', 0.01) });
        out({ ...v, layer: name });
        return;
      }
      case 'Elu':
      case 'ThresholdedRelu': {
        // ONNX's default alpha is 1.0; hls4ml's ONNX front end uses 0.01 when the attribute is absent.
        const v = dynIn();
        const name = this.nodeName(n);
        const given = a.has('alpha') ? a.float('alpha') : undefined;
        const attrs = n.opType === 'Elu' ? { alpha: given ?? 1.0, hlsAlpha: given ?? 0.01 } : { theta: given ?? 1.0, hlsTheta: given ?? 0.01 };
        this.addLayer(name, n.opType === 'Elu' ? 'ELU' : 'ThresholdedReLU', [v], modelShapeOf(v), attrs);
        out({ ...v, layer: name });
        return;
      }
      case 'PRelu':
        throw new UnsupportedError(where, "hls4ml's ONNX front end makes PRelu a plain Activation('PReLU') whose nnet::prelu call has no alpha (its C++ does not compile)");
      case 'Resize':
        return this.resize(n, dynIn(), a);
      case 'Softmax':
        return this.softmax(n, dynIn());
      case 'Transpose':
        return out(this.transposeValue(n, dynIn(), a));
      case 'Flatten': {
        const v = dynIn();
        const r = v.shape.length;
        let axis = a.int('axis', 1);
        if (axis < 0) axis += r;
        // with the batch fixed to 1, axis 0 ([1, N·…]) and axis 1 ([N, …]) give the same data
        if (axis > 1) throw new UnsupportedError(where, `Flatten with axis ${axis} keeps several axes and is not supported (axis 1 only)`);
        return out(this.reshapeValue(n, v, [1, shapeSize(v.shape)]));
      }
      case 'Reshape': {
        const v = dynIn();
        const target = this.opset >= 5 ? Array.from(this.constTensor(n, 1, 'shape').tensor.data) : a.ints('shape');
        const shape = reshapeTarget(v.shape, target, a.int('allowzero', 0) !== 0, where);
        return out(this.reshapeValue(n, v, shape));
      }
      case 'Squeeze':
      case 'Unsqueeze': {
        const v = dynIn();
        let axes = this.opset >= 13 ? (n.inputs[1] ? Array.from(this.constTensor(n, 1, 'axes').tensor.data) : undefined) : a.has('axes') ? a.ints('axes') : undefined;
        // Squeeze without axes: every size-1 axis except the batch (fixed to 1 here, any size at run time)
        if (!axes && n.opType === 'Squeeze') axes = range(v.shape.length - 1, 1).filter((q) => v.shape[q] === 1);
        if (!axes) throw new FormatError(where, 'Unsqueeze needs axes');
        const squeeze = n.opType === 'Squeeze';
        const rank = squeeze ? v.shape.length : v.shape.length + axes.length;
        const ax = axes.map((q) => (q < 0 ? q + rank : q));
        if (ax.some((q) => !Number.isInteger(q) || q < 0 || q >= rank)) throw new FormatError(where, `axes [${axes.join(', ')}] out of range`);
        if (ax.includes(0)) throw new UnsupportedError(where, `${n.opType} on the batch axis is not supported`);
        let shape: number[];
        if (squeeze) {
          if (ax.some((q) => v.shape[q] !== 1)) throw new ShapeError(where, `cannot squeeze axes [${axes.join(', ')}] of [${v.shape.join(', ')}]`);
          shape = v.shape.filter((_, i) => !ax.includes(i));
        } else {
          shape = [...v.shape];
          for (const q of [...ax].sort((p, w) => p - w)) shape.splice(q, 0, 1);
        }
        return out(this.reshapeValue(n, v, shape));
      }
      case 'Gemm':
        return this.gemm(n, dynIn(), a);
      case 'MatMul':
        return this.matmul(n, dynIn());
      case 'Conv':
        return this.conv(n, dynIn(), a);
      case 'MaxPool':
      case 'AveragePool':
        return this.pool(n, dynIn(), a);
      case 'GlobalAveragePool':
      case 'GlobalMaxPool':
        return this.globalPool(n, dynIn());
      case 'BatchNormalization':
        return this.batchNorm(n, dynIn(), a);
      case 'Add':
      case 'Sum':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'Max':
      case 'Min':
        return this.arith(n, ins);
      case 'Concat':
        return this.concat(n, ins, a);
      case 'Pad':
        return this.pad(n, dynIn(), a);
      case 'Quant':
      case 'IntQuant': {
        const v = dynIn();
        const p = this.quantParams(n);
        if (quantRoute(p) === 'alpha') return out(this.alphaQuant(n, v, p));
        const t = quantFixedType(p, where);
        const name = this.nodeName(n, '_act');
        this.addLayer(name, 'Activation', [v], modelShapeOf(v), { activation: 'linear' }, {}, { result: t });
        out({ ...v, layer: name });
        return;
      }
      case 'BipolarQuant': {
        const v = dynIn();
        checkBipolarScale(this.constTensor(n, 1, 'scale').tensor.data, where);
        const name = this.nodeName(n, '_act');
        this.addLayer(name, 'Activation', [v], modelShapeOf(v), { activation: 'binary_tanh' });
        out({ ...v, layer: name });
        return;
      }
      default: {
        const dom = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.` : '';
        const hint =
          n.opType === 'Trunc' || n.opType === 'FloatQuant' || n.opType === 'MultiThreshold'
            ? ' (QONNX Quant/IntQuant and BipolarQuant are the supported quantizers)'
            : ` (supported: ${ONNX_SUPPORTED_OPS.join(', ')})`;
        throw new UnsupportedError(where, `ONNX op ${dom}${n.opType} is not supported${hint}`);
      }
    }
  }

  /** Adds an ApplyAlpha layer `x·scale + bias` with per-element scale and bias (hls4ml's `n_filt = −1`). */
  applyAlpha(name: string, v: Dyn, scale: Float32Array | Float64Array, bias: Float32Array | Float64Array, attrs: LayerAttrs = { n_filt: -1 }): Dyn {
    this.addLayer(name, 'ApplyAlpha', [v], modelShapeOf(v), attrs, { scale: { shape: [scale.length], data: scale }, bias: { shape: [bias.length], data: bias } });
    return { ...v, layer: name };
  }

  /** A per-tensor or per-channel Quant parameter broadcast onto `v`, in the model's element order. */
  perElement(v: Dyn, t: ArrayLike<number>, where: string, what: string): Float64Array {
    const data = Float64Array.from(t);
    // QONNX broadcasts scale / zero_point numpy-style; a 1-element tensor is a scalar
    const shape = data.length === 1 ? [] : this.paramShape(v, data.length, where, what);
    const full = broadcastTo({ shape, data }, v.shape, where).data;
    const idx = onnxIndexOf(v);
    return Float64Array.from(idx, (i) => full[i]!);
  }

  paramShape(v: Dyn, n: number, where: string, what: string): number[] {
    // a per-channel parameter along ONNX axis 1 (Brevitas: [C] or [1, C, 1, …]) or the last axis
    if (v.shape[1] === n) return v.shape.map((d, i) => (i === 1 ? n : 1));
    if (v.shape[v.shape.length - 1] === n) return v.shape.map((d, i) => (i === v.shape.length - 1 ? n : 1));
    throw new UnsupportedError(where, `${what} of ${n} values does not broadcast onto the tensor [${v.shape.join(', ')}]`);
  }

  /**
   * hls4ml's QuantToAlphaActivationAlpha (quant_opt.py) for an activation Quant whose scale is not
   * one power of two or whose zero-point is not 0: `<Q>_scale` (ApplyAlpha, scale float32(1/s),
   * bias z) → `<Q>_act` (linear, the integer-code type fixed<b,b>; merge_linear_activation later
   * makes it the scale layer's result type) → `<Q>_rescale` (ApplyAlpha, scale s, bias float32(−z·s)).
   * The rescale is remembered as movable below the next MatMul or Conv when its scale is one value and z = 0.
   */
  alphaQuant(n: OnnxNode, v: Dyn, p: QuantParams): Dyn {
    const where = this.where(n);
    const t = quantIntegerType(p, where);
    const s = this.perElement(v, p.scale, where, 'scale');
    const z = this.perElement(v, p.zeroPoint, where, 'zero_point');
    const base = n.name || `${n.opType}_${n.index}`;
    const scaled = this.applyAlpha(this.uniqueName(`${base}_scale`), v, Float32Array.from(s, (x) => f32(1 / x)), Float32Array.from(z));
    const actName = this.uniqueName(`${base}_act`);
    this.addLayer(actName, 'Activation', [scaled], modelShapeOf(v), { activation: 'linear' }, {}, { result: t });
    const act: Dyn = { ...v, layer: actName };
    if (n.outputs[0]) this.alphaQuants.push(this.mapping(n.outputs[0], act, 'tensor'));
    const rescale = this.applyAlpha(this.uniqueName(`${base}_rescale`), act, Float32Array.from(s), Float32Array.from(s, (x, i) => f32(-z[i]! * x)));
    this.alphaRescales.add(rescale.layer);
    const zeroBias = z.every((x) => x === 0);
    const one = s.every((x) => x === s[0]);
    if (zeroBias && one) this.movable.set(rescale.layer, { input: act, scale: s[0]! });
    else if (zeroBias && s.length > 1) this.movable.set(rescale.layer, { input: act, scale: NaN });
    return rescale;
  }

  // ---- shape ops --------------------------------------------------------------------------------

  /**
   * Why a Transpose that moves the batch axis is refused. Without a `perm` attribute (ONNX's default
   * reverses the axes — old Keras converters wrap each BatchNormalization of a `[batch, features]`
   * tensor in two of them) hls4ml 1.3 cannot parse the node at all: `parse_transpose_layer`
   * (`hls4ml/converters/onnx/reshape.py`) reads the perm from the node's first attribute, an
   * IndexError when there is none, and qonnx's cleanup / ConvertToChannelsLastAndClean (which only
   * rewrite the channels-first/last perms, the identity at rank 2) leave the node in place. A
   * BatchNormalization fed by it whose parameters do not match axis 1 is named as well: that graph is
   * not valid ONNX, so there is no float function to reproduce.
   */
  batchTransposeReason(n: OnnxNode, p: number[], shape: number[], a: NodeAttrs): string {
    const moved = `moves the batch axis (unsupported: the batch must stay axis 0)`;
    if (a.has('perm')) return `Transpose perm [${p.join(', ')}] ${moved}`;
    let why = `Transpose without a perm attribute reverses the axes (perm [${p.join(', ')}]) and ${moved}. hls4ml 1.3 cannot convert it either: parse_transpose_layer (hls4ml/converters/onnx/reshape.py) takes the perm from the node's first attribute and raises IndexError on a Transpose without attributes, and qonnx's cleanup and ConvertToChannelsLastAndClean leave the node in place`;
    for (const c of this.consumers.get(n.outputs[0]!) ?? []) {
      if (c.opType !== 'BatchNormalization' || c.inputs[0] !== n.outputs[0] || c.domain === CHANNELS_LAST_DOMAIN) continue;
      const scale = this.m.graph.initializers.get(c.inputs[1] ?? '');
      const channels = shape[1] ?? 1;
      if (scale && scale.data.length !== channels) {
        why += `. The node[${c.index}] (BatchNormalization${c.name ? ` '${c.name}'` : ''}) it feeds normalises [${shape.join(', ')}] (${channels} channel${channels === 1 ? '' : 's'} on axis 1) with ${scale.data.length} parameters: not valid ONNX (the reference evaluator refuses it too)`;
      }
    }
    return why;
  }

  transposeValue(n: OnnxNode, v: Dyn, a: NodeAttrs): Dyn {
    const r = v.shape.length;
    const p = a.ints('perm', range(r).reverse());
    if (p.length !== r || !sameArr([...p].sort((q, w) => q - w), range(r))) throw new FormatError(this.where(n), `invalid perm [${p.join(', ')}]`);
    const shape = p.map((q) => v.shape[q]!);
    if (p[0] !== 0) throw new UnsupportedError(this.where(n), this.batchTransposeReason(n, p, shape, a));
    if (v.layout.perm) {
      const pinv = new Array<number>(r);
      p.forEach((q, j) => (pinv[q] = j));
      return { ...v, shape, layout: { perm: v.layout.perm.map((q) => pinv[q]!) } };
    }
    // flat: new ONNX position of every old element
    const n0 = shapeSize(v.shape);
    const t = transpose({ shape: v.shape, data: Float64Array.from(range(n0)) }, p);
    const newPos = new Int32Array(n0);
    t.data.forEach((old, j) => (newPos[old] = j));
    const order = v.layout.order!.map((o) => newPos[o]!);
    return { ...v, shape, layout: { order } };
  }

  /** Reshape-like ops (Flatten, Reshape, Squeeze, Unsqueeze) to the ONNX shape `shape` (batch included). */
  reshapeValue(n: OnnxNode, v: Dyn, shape: number[]): Dyn {
    const where = this.where(n);
    if (shape[0] !== 1) throw new UnsupportedError(where, `reshaping [${v.shape.join(', ')}] to [${shape.join(', ')}] changes the batch axis (unsupported)`);
    if (shapeSize(shape) !== shapeSize(v.shape)) throw new ShapeError(where, `cannot reshape [${v.shape.join(', ')}] to [${shape.join(', ')}]`);
    if (sameArr(shape, v.shape)) return v;
    const idx = onnxIndexOf(v);
    if (shape.length <= 2 || v.layout.order) {
      // the ONNX element order is unchanged by a reshape: a 1-D model tensor keeps its order
      if (v.layout.order) return { ...v, shape, layout: { order: idx } };
      const name = this.nodeName(n);
      this.addLayer(name, 'Flatten', [v], [shapeSize(shape)], {});
      return { kind: 'dyn', layer: name, shape, layout: { order: idx } };
    }
    const r = shape.length;
    const cur = modelShapeOf(v);
    for (const perm of [chLastPerm(r), identityPerm(r)]) {
      if (!sameArr(axesIndex(shape, perm), idx)) continue;
      const ms = perm.map((q) => shape[q]!);
      if (sameArr(ms, cur)) return { ...v, shape, layout: { perm } };
      const name = this.nodeName(n);
      this.addLayer(name, 'Reshape', [v], ms, { targetShape: ms });
      return { kind: 'dyn', layer: name, shape, layout: { perm } };
    }
    throw new UnsupportedError(
      where,
      `reshaping [${v.shape.join(', ')}] (held as ${layoutText(v)}) to [${shape.join(', ')}] would need a transpose layer (ModelGraph has none); only flattening or channel-preserving reshapes are supported`,
    );
  }

  // ---- layers -----------------------------------------------------------------------------------

  /** Resize (nearest, constant scales) → the Resize layer (hls4ml's ONNX Resize; see src/layers/resize.ts). */
  resize(n: OnnxNode, v: Dyn, a: NodeAttrs): void {
    const where = this.where(n);
    const r = v.shape.length;
    // hls4ml counts the node's inputs as written (empty names included): 3 = X, RoI, scales
    if (n.inputs.length !== 3) {
      if (n.inputs.length === 4) throw new UnsupportedError(where, 'Sizes parameter is not supported by hls4ml. Use scales instead');
      throw new UnsupportedError(where, `a Resize node with ${n.inputs.length} inputs is not supported in hls4ml (X, RoI, scales)`);
    }
    const scales = Array.from(this.constTensor(n, 2, 'scales').tensor.data);
    if (scales.length !== r) throw new FormatError(where, `scales has ${scales.length} values for a rank-${r} input`);
    if (r !== 4) throw new UnsupportedError(where, `hls4ml's ONNX Resize reads a rank-4 input (2D), got rank ${r}`);
    if (!v.layout.perm) throw new UnsupportedError(where, `Resize of a tensor held as ${layoutText(v)} is not supported`);
    const perm = v.layout.perm;
    const ms = perm.map((q) => scales[q]!);
    if (scales[0] !== 1 || ms[ms.length - 1] !== 1) throw new UnsupportedError(where, `scales [${scales.join(', ')}] resize the batch or channel axis (hls4ml multiplies n_chan by it; not supported)`);
    if (ms.some((q) => !(q > 0))) throw new FormatError(where, `scales [${scales.join(', ')}] must be positive`);
    const shape = v.shape.map((d, i) => Math.floor(d * scales[i]!));
    const name = this.nodeName(n);
    const outV: Dyn = { kind: 'dyn', layer: name, shape, layout: { perm } };
    this.addLayer(name, 'Resize', [v], modelShapeOf(outV), {
      scales: ms.slice(0, -1),
      mode: a.str('mode', 'nearest'),
      coordinateTransformationMode: a.str('coordinate_transformation_mode', 'half_pixel'),
      nearestMode: a.str('nearest_mode', 'round_prefer_floor'),
    });
    this.setValue(n.outputs[0]!, outV);
  }

  softmax(n: OnnxNode, v: Dyn): void {
    const a = new NodeAttrs(n, this.source);
    const r = v.shape.length;
    let axis = a.int('axis', this.opset >= 13 ? -1 : 1);
    if (axis < 0) axis += r;
    if (axis < 1 || axis >= r) throw new UnsupportedError(this.where(n), `Softmax over axis ${axis} (batch or out of range) is not supported`);
    const reduced = this.opset >= 13 ? [axis] : range(r - axis, axis);
    const nonTrivial = range(r - 1, 1).filter((q) => v.shape[q]! > 1);
    let ok: boolean;
    if (v.layout.order) ok = nonTrivial.every((q) => reduced.includes(q));
    else {
      const last = v.layout.perm![v.layout.perm!.length - 1]!;
      ok = nonTrivial.every((q) => reduced.includes(q) === (q === last));
    }
    if (!ok) throw new UnsupportedError(this.where(n), `Softmax over ONNX axis ${axis} of [${v.shape.join(', ')}] is not the model's last axis (only the channel / last axis is supported)`);
    const name = this.nodeName(n);
    this.addLayer(name, 'Softmax', [v], modelShapeOf(v), { axis: -1 });
    this.setValue(n.outputs[0]!, { ...v, layer: name });
  }

  /** The data-side rescale ApplyAlpha that `v` is, when hls4ml's ScaleDownMatMul / ScaleDownConv may move it below the consumer (no other consumer). */
  movableBefore(v: Dyn, n: OnnxNode): Movable | undefined {
    const mv = this.movable.get(v.layer);
    if (!mv) return undefined;
    if (!this.foldable(v.layer) || this.layers.some((l) => l.inputs.includes(v.layer))) {
      // remove_node (graph.py) connects every reader of the removed ApplyAlpha to its input
      throw new UnsupportedError(
        this.where(n),
        `the rescale '${v.layer}' has other readers (or is a graph output): hls4ml's ${n.opType === 'Conv' ? 'ScaleDownConv' : 'ScaleDownMatMul'} moves it below this ${n.opType} and its remove_node connects every reader to the unscaled input, so the others lose the scale (a silent error in hls4ml); hlsemu refuses it`,
      );
    }
    return mv;
  }

  /**
   * hls4ml's insert_node (graph.py) connects an ApplyAlpha moved below `n` to the first layer that
   * reads n's output as its first input only (else to the graph output): any other reader keeps the
   * unscaled output, a silent error in hls4ml; refused.
   */
  checkMovedReaders(n: OnnxNode, moved: string): void {
    const out = n.outputs[0]!;
    const readers = (this.consumers.get(out) ?? []).filter((c) => this.live.has(c));
    const asOutput = this.outputNames.has(out) ? 1 : 0;
    if (readers.length + asOutput > 1 || (readers.length === 1 && readers[0]!.inputs[0] !== out)) {
      throw new UnsupportedError(
        this.where(n),
        `the ApplyAlpha '${moved}' that hls4ml moves below this ${n.opType} is connected by its insert_node to the first layer reading the output as its first input only; ${readers.length + asOutput > 1 ? `the output has ${readers.length + asOutput} readers` : `its reader '${readers[0]!.name || readers[0]!.opType}' takes it as input ${readers[0]!.inputs.indexOf(out)}`}, which would keep the unscaled output (a silent error in hls4ml); hlsemu refuses it`,
      );
    }
  }

  denseFrom(n: OnnxNode, v0: Dyn, kernel: Float64Array, K: number, units: number, bias: Float64Array | undefined, wq?: FixedType, bq?: FixedType, wRescale?: WeightRescale, warnings?: string[]): void {
    const where = this.where(n);
    // hls4ml's ScaleDownMatMul: a data-side rescale with one scale and zero bias moves below the
    // MatMul (inserted right after it, so ahead of the weight rescale moved there first)
    const rescales: WeightRescale[] = [];
    const mv = this.movableBefore(v0, n);
    if (mv && Number.isNaN(mv.scale) && K === units) {
      throw new UnsupportedError(
        where,
        `the per-feature scales of '${v0.layer}' would be moved below this ${K}→${units} MatMul by hls4ml's ScaleDownMatMul, which then applies input-feature scales to the outputs (a silent error in hls4ml); hlsemu refuses it`,
      );
    }
    let v = v0;
    if (mv && !Number.isNaN(mv.scale)) {
      v = this.removeLayerOf(v0);
      rescales.push({ name: v0.layer, scale: mv.scale });
    }
    if (wRescale) rescales.push(wRescale);
    // (a Gemm with a bias is qonnx's MatMul + Add: the Add is the MatMul's one reader)
    if (rescales.length && !(n.opType === 'Gemm' && bias)) this.checkMovedReaders(n, rescales[0]!.name);
    const r = v.shape.length;
    if (v.shape[r - 1] !== K) throw new ShapeError(where, `input [${v.shape.join(', ')}] does not have ${K} features in its last axis`);
    let kern = kernel;
    let outLayout: Layout;
    const outShape = [...v.shape.slice(0, -1), units];
    if (v.layout.order) {
      if (shapeSize(v.shape) !== K) {
        throw new UnsupportedError(where, `a matrix product over the last axis of [${v.shape.join(', ')}] held as a flat vector is not supported`);
      }
      const order = v.layout.order;
      if (!isIdentityOrder(order)) {
        // channels-last flattening: permute kernel rows so that model element k meets ONNX row order[k]
        kern = new Float64Array(K * units);
        for (let k = 0; k < K; k++) kern.set(kernel.subarray(order[k]! * units, (order[k]! + 1) * units), k * units);
      }
      outLayout = { order: Int32Array.from(range(units)) };
    } else {
      let perm = v.layout.perm!;
      if (perm[perm.length - 1] !== r - 1) {
        // the product runs over ONNX's last axis: make it the model's last axis with a Permute layer
        perm = [...perm.filter((q) => q !== r - 1), r - 1];
        v = this.permuteTo(v, perm, n);
      }
      outLayout = { perm };
    }
    const name = this.nodeName(n);
    let outV: Dyn = { kind: 'dyn', layer: name, shape: outShape, layout: outLayout };
    // with rescales after the product, a bias is added after them (hls4ml: GemmToMatMul's Add → bn_Add);
    // hls4ml's MatmulConstToDense gives every Dense a float64 zero bias of the configured type
    const denseBias = rescales.length || !bias ? new Float64Array(units) : bias;
    const weights: Record<string, FloatTensor> = { kernel: { shape: [K, units], data: kern } };
    if (denseBias) weights['bias'] = { shape: [units], data: denseBias };
    const q: ModelLayer['quantizers'] = {};
    if (wq) q.weight = wq;
    if (bq && !rescales.length) q.bias = bq;
    const dense = this.addLayer(name, 'Dense', [v], modelShapeOf(outV), { units, useBias: true }, weights, q);
    if (warnings?.length) dense.warnings = warnings.map((w) => `${name}: ${w}`);
    const nOut = shapeSize(modelShapeOf(outV));
    for (const r of rescales) {
      // the moved ApplyAlpha: its float32 scale broadcast to the output (one per output column: the
      // model's last axis), float64 zero bias (move_scales.py)
      const sc = r.scale;
      const scale = typeof sc === 'number' ? new Float32Array(nOut).fill(sc) : Float32Array.from({ length: nOut }, (_, i) => sc[i % units]!);
      outV = this.applyAlpha(r === wRescale ? this.uniqueName(r.name) : r.name, outV, scale, new Float64Array(nOut));
    }
    if (bias && rescales.length) {
      if (bq) throw new UnsupportedError(where, 'a Quant-ized bias after ApplyAlpha-rescaled weights or data is not supported');
      const bb = new Float32Array(nOut);
      for (let i = 0; i < nOut; i++) bb[i] = bias[i % units]!;
      outV = this.applyAlpha(this.uniqueName(`${name}_bias`), outV, new Float64Array(nOut).fill(1), bb);
    }
    this.setValue(n.outputs[0]!, outV);
  }

  gemm(n: OnnxNode, v: Dyn, a: NodeAttrs): void {
    const where = this.where(n);
    if (a.int('transA', 0) !== 0) throw new UnsupportedError(where, 'Gemm with transA = 1 is not supported (the data input must be [batch, features])');
    if (v.shape.length !== 2) throw new ShapeError(where, `Gemm input must be rank 2, got [${v.shape.join(', ')}]`);
    const B = this.constTensor(n, 1, 'B');
    const C = this.optConst(n, 2, 'C');
    if (B.tensor.shape.length !== 2) throw new ShapeError(where, `B must be rank 2, got [${B.tensor.shape.join(', ')}]`);
    const alpha = a.float('alpha', 1);
    const beta = a.float('beta', 1);
    const tB = a.int('transB', 0) !== 0;
    const W = tB ? transpose(B.tensor, [1, 0]) : B.tensor;
    const [K, units] = W.shape as [number, number];
    // the Quant's per-element scales and raw values follow the transposition (transB)
    const Wq = tB && B.quant?.kind === 'int' ? { ...B.quant, scales: transpose(B.quant.scales, [1, 0]), raw: transpose(B.quant.raw, [1, 0]) } : B.quant;
    const wts = this.weightOf({ ...B, tensor: W, quant: Wq }, `the weights of ${this.where(n)}`);
    const wq = wts.type;
    const bq = this.constType(C);
    if (wq && alpha !== 1) throw new UnsupportedError(where, `alpha ${alpha} ≠ 1 on Quant-ized weights would move them off their grid`);
    if (bq && beta !== 1) throw new UnsupportedError(where, `beta ${beta} ≠ 1 on a Quant-ized bias would move it off its grid`);
    const kernel = alpha === 1 ? wts.data : wts.data.map((w) => alpha * w);
    let bias: Float64Array | undefined;
    if (C) {
      const bs = broadcastShapes(C.tensor.shape, [1, units]);
      if (!bs || !sameArr(bs, [1, units])) throw new UnsupportedError(where, `C of shape [${C.tensor.shape.join(', ')}] is not a per-output bias`);
      bias = broadcastTo(C.tensor, [1, units], where).data.map((c) => beta * c);
    }
    this.denseFrom(n, v, kernel, K, units, bias, wq, bq, wts.rescale, wts.warnings);
  }

  matmul(n: OnnxNode, v: Dyn): void {
    const B = this.constTensor(n, 1, 'B (weights)');
    if (B.tensor.shape.length !== 2) throw new UnsupportedError(this.where(n), `MatMul with weights of shape [${B.tensor.shape.join(', ')}] is not supported (rank-2 constant weights only)`);
    const [K, units] = B.tensor.shape as [number, number];
    const w = this.weightOf(B, `the weights of ${this.where(n)}`);
    this.denseFrom(n, v, w.data, K, units, undefined, w.type, undefined, w.rescale, w.warnings);
  }

  /** Resolves pads and maps them onto Keras 'valid' / 'same' (or explicit pads for a ZeroPadding layer). */
  kerasPadding(a: NodeAttrs, spatial: number[], kernel: number[], strides: number[]): { padding: 'valid' | 'same'; explicit?: { begin: number[]; end: number[] }; out: number[] } {
    const pads = resolvePads(a, spatial, kernel, strides, kernel.map(() => 1));
    if ([...pads.begin, ...pads.end].some((p) => p < 0)) throw new UnsupportedError(a.where, 'negative pads are not supported');
    const out = spatial.map((s, i) => Math.floor((s + pads.begin[i]! + pads.end[i]! - kernel[i]!) / strides[i]!) + 1);
    if (out.some((o) => o < 1)) throw new ShapeError(a.where, `empty output for input [${spatial.join(', ')}]`);
    if ([...pads.begin, ...pads.end].every((p) => p === 0)) return { padding: 'valid', out };
    const same = spatial.every((s, i) => {
      const k = kernel[i]!;
      const st = strides[i]!;
      const total = Math.max((Math.ceil(s / st) - 1) * st + k - s, 0);
      return pads.begin[i] === Math.floor(total / 2) && pads.end[i] === total - Math.floor(total / 2) && out[i] === Math.ceil(s / st);
    });
    if (same) return { padding: 'same', out };
    return { padding: 'valid', explicit: pads, out };
  }

  /** Inserts a ZeroPadding1D/2D layer (channels-last model tensor of rank 2/3). */
  zeroPad(n: OnnxNode, v: Dyn, begin: number[], end: number[], spatialAxes: number[], suffix: string): Dyn {
    const rank = spatialAxes.length;
    const shape = [...v.shape];
    spatialAxes.forEach((ax, i) => (shape[ax] = shape[ax]! + begin[i]! + end[i]!));
    const name = this.nodeName(n, suffix);
    const outV: Dyn = { kind: 'dyn', layer: name, shape, layout: v.layout };
    const padding = rank === 1 ? [begin[0]!, end[0]!] : [[begin[0]!, end[0]!], [begin[1]!, end[1]!]];
    this.addLayer(name, rank === 1 ? 'ZeroPadding1D' : 'ZeroPadding2D', [v], modelShapeOf(outV), { padding });
    return outV;
  }

  /** Spatial/channel ONNX axes of a conv-like op's data input, and the axis layout the op needs. */
  convAxes(n: OnnxNode, v: Dyn): { spatial: number[]; ch: number; perm: number[] } {
    const r = v.shape.length;
    if (r !== 3 && r !== 4) throw new UnsupportedError(this.where(n), `${n.opType} on a rank-${r} input is not supported (1D and 2D only)`);
    if (n.domain === CHANNELS_LAST_DOMAIN) return { spatial: range(r - 2, 1), ch: r - 1, perm: identityPerm(r) };
    return { spatial: range(r - 2, 2), ch: 1, perm: chLastPerm(r) };
  }

  conv(n: OnnxNode, x0: Dyn, a: NodeAttrs): void {
    const where = this.where(n);
    const Wc = this.constTensor(n, 1, 'W (weights)');
    const Bc = this.optConst(n, 2, 'B (bias)');
    const wts = this.convWeightOf(Wc, n);
    // ScaleDownConv reads the Conv bias Constant's own value (a power-of-two bias Quant only attaches a quantizer)
    const rawBias = Bc ? (Bc.quant?.kind === 'int' ? Bc.quant.raw.data : Bc.tensor.data) : undefined;
    const balpha = this.convBiasAlpha(Bc, n);
    const sdc = this.scaleDownConv(n, x0, Wc, wts, rawBias, balpha);
    if (sdc.moves.length) this.checkMovedReaders(n, sdc.moves[0]!.name);
    const x = sdc.data ? this.removeLayerOf(x0) : x0;
    const ax = this.convAxes(n, x);
    let v = this.requireAxes(x, ax.perm, n, 'Conv needs channels-first data (channels-last for the qonnx channels_last domain)');
    const rank = ax.spatial.length;
    const W = { shape: Wc.tensor.shape, data: wts.data };
    if (W.shape.length !== rank + 2) throw new ShapeError(where, `weights of shape [${W.shape.join(', ')}] do not fit a ${rank}D convolution`);
    const group = a.int('group', 1);
    const dil = a.ints('dilations', new Array<number>(rank).fill(1));
    if (dil.some((d) => d !== 1)) throw new UnsupportedError(where, `dilated convolution (dilations [${dil.join(', ')}]) is not supported`);
    const chLastW = n.domain === CHANNELS_LAST_DOMAIN;
    const F = W.shape[0]!;
    const Cw = chLastW ? W.shape[rank + 1]! : W.shape[1]!;
    const kernel = chLastW ? W.shape.slice(1, rank + 1) : W.shape.slice(2);
    const C = v.shape[ax.ch]!;
    // hls4ml's conv_to_depthwise_conv_x_d: group == channels (≠ 1) is a depthwise convolution; its
    // kernels need one filter per channel (depth_multiplier 1).
    const depthwise = group !== 1 && group === C;
    if (group !== 1 && !depthwise) throw new UnsupportedError(where, `grouped convolution (group = ${group}, ${C} channels) is not supported (group 1, or group = channels for a depthwise convolution)`);
    if (depthwise && (F !== C || Cw !== 1)) throw new UnsupportedError(where, `depthwise convolution with ${F} filters for ${C} channels (depth multiplier ${F / C}) is not supported: hls4ml's depthwise kernels assert n_filt == n_chan`);
    if (!depthwise && Cw !== C) throw new ShapeError(where, `weights [${W.shape.join(', ')}] expect ${Cw} input channels, the input has ${C}`);
    if (a.has('kernel_shape') && !sameArr(a.ints('kernel_shape'), kernel)) throw new ShapeError(where, `kernel_shape [${a.ints('kernel_shape').join(', ')}] does not match the weights [${W.shape.join(', ')}]`);
    const strides = a.ints('strides', new Array<number>(rank).fill(1));
    const spatial = ax.spatial.map((q) => v.shape[q]!);
    const pad = this.kerasPadding(a, spatial, kernel, strides);
    if (pad.explicit) v = this.zeroPad(n, v, pad.explicit.begin, pad.explicit.end, ax.spatial, '_pad');
    // Keras kernel layout (k…, C, F); a depthwise kernel (k…, 1, C) is Keras' (k…, C, 1) in the same order.
    const kerasW = transpose(W, chLastW ? [...range(rank, 1), rank + 1, 0] : [...range(rank, 2), 1, 0]);
    const weights: Record<string, FloatTensor> = depthwise
      ? { depthwise_kernel: { shape: [...kernel, C, 1], data: kerasW.data } }
      : { kernel: { shape: kerasW.shape, data: kerasW.data } };
    let bias: Float64Array | undefined;
    if (Bc) {
      if (Bc.tensor.data.length !== F) throw new ShapeError(where, `bias has ${Bc.tensor.data.length} values for ${F} filters`);
      bias = balpha ? balpha.codes : Bc.tensor.data;
      weights['bias'] = { shape: [F], data: bias };
    }
    const q: ModelLayer['quantizers'] = {};
    const bq = balpha ? balpha.type : this.constType(Bc);
    if (wts.type) q.weight = wts.type;
    if (bq) q.bias = bq;
    const shape = [...v.shape];
    shape[ax.ch] = F;
    ax.spatial.forEach((q2, i) => (shape[q2] = pad.out[i]!));
    const name = this.nodeName(n);
    let outV: Dyn = { kind: 'dyn', layer: name, shape, layout: { perm: ax.perm } };
    const convLayer = this.addLayer(
      name,
      depthwise ? (rank === 1 ? 'DepthwiseConv1D' : 'DepthwiseConv2D') : rank === 1 ? 'Conv1D' : 'Conv2D',
      [v],
      modelShapeOf(outV),
      depthwise ? { kernelSize: kernel, strides, padding: pad.padding, depthMultiplier: 1, useBias: !!Bc } : { filters: F, kernelSize: kernel, strides, padding: pad.padding, useBias: !!Bc },
      weights,
      q,
    );
    if (rawBias && Bc && rawBias !== Bc.tensor.data && sdc.moves.some((m) => m.bias) && Array.prototype.some.call(rawBias, (b: number, i: number) => b !== Bc.tensor.data[i])) {
      sdc.warnings.push(
        `hls4ml's ScaleDownConv computes the moved bias b·(1 − s) from the bias Constant's own values, before its Quant '${Bc.quant!.node}' (which only attaches a type), while the Conv adds the quantized bias: the firmware computes s·conv(x, Q) + Q(b) + (b − Q(b))·(1 − s), not the QONNX graph's s·conv(x, Q) + Q(b); hlsemu emulates it as hls4ml converts it`,
      );
    }
    if (sdc.warnings.length) convLayer.warnings = sdc.warnings.map((w) => `${name}: ${w}`);
    // the moved ApplyAlphas after the Conv: scale (one, or one per filter: the model's last axis) and
    // bias broadcast to the output
    const nOut = shapeSize(modelShapeOf(outV));
    for (const m of sdc.moves) {
      const sc = m.scale;
      const scale = Float32Array.from({ length: nOut }, (_, i) => (typeof sc === 'number' ? sc : sc[i % F]!));
      const b = m.bias;
      const bias = b ? Float32Array.from({ length: nOut }, (_, i) => b[i % F]!) : new Float64Array(nOut);
      outV = this.applyAlpha(m.keepName ? m.name : this.uniqueName(m.name), outV, scale, bias, m.attrs);
    }
    this.setValue(n.outputs[0]!, outV);
  }

  /**
   * Conv weights `[F, …]` (ONNX layout) as hls4ml stores them: a Quant on the power-of-two route
   * gives its fixed type; on the ApplyAlpha route (ConstQuantToConstAlpha) the weights become the
   * integer codes hls4ml computes ({@link hls4mlAlphaCodes}) typed `fixed<b,b>`, with the scale — one, or one per filter — left
   * for {@link scaleDownConv}. A BipolarQuant with a scale other than 1 gives ±1 with that scale.
   */
  convWeightOf(c: Const, n: OnnxNode): LayerWeights {
    const r = this.weightRoute(c, (why) => new UnsupportedError(c.quant!.where, `${why} on the weights of ${this.where(n)}: hls4ml's ScaleDownConv cannot move the rescale ApplyAlpha below the Conv ('${HLS4ML_NO_MOVE_CONV}') and its conversion then fails on the left-over weight Constant; hlsemu refuses it`));
    if ('done' in r) return r.done;
    const { q, t } = r;
    const p = q.params;
    // hls4ml first makes an all-equal scale scalar (_make_scalar), then undoes broadcasts
    // (_remove_redundant_dims): a scale that varies only along the filter axis is one per filter
    const S = q.scales.data;
    const F = c.tensor.shape[0]!;
    const per = S.length / F;
    const col = new Float64Array(F);
    for (let f = 0; f < F; f++) {
      col[f] = S[f * per]!;
      for (let k = 1; k < per; k++) {
        if (S[f * per + k] !== col[f]) {
          throw new UnsupportedError(
            q.where,
            `scales that vary within filter ${f} (${S[f * per + k]} at weight ${k} of the filter, ${col[f]} at weight 0) on the weights of ${this.where(n)}: hls4ml's ScaleDownConv moves one scale, or one per filter, below the Conv ('${HLS4ML_NO_MOVE_CONV}' otherwise, and its conversion then fails on the left-over weight Constant); hlsemu refuses it`,
          );
        }
      }
    }
    // the codes hls4ml computes from the constant's own values (float32 w/s, then the quantizer)
    const codes = hls4mlAlphaCodes(q.raw.data, S, p);
    return { data: codes, type: t, rescale: { name: `${q.node}_rescale`, scale: allEqual(col) ? col[0]! : col } };
  }

  /**
   * A Conv bias whose Quant takes the ApplyAlpha route (a non-power-of-two scale: Brevitas' Int32Bias
   * at scale s_in·s_w): ConstQuantToConstAlpha makes the bias hls4ml's integer codes typed
   * `fixed<b,b>` behind a rescale ApplyAlpha, which ScaleDownConv handles with the others. Zero-point
   * 0 and one scale only (per-channel bias scales cannot move: hls4ml's conversion fails).
   */
  convBiasAlpha(Bc: Const | undefined, n: OnnxNode): { codes: Float64Array; type: FixedType; name: string; scale: number } | undefined {
    const q = Bc?.quant;
    if (q?.kind !== 'int' || quantRoute(q.params) === 'fixed') return undefined;
    const p = q.params;
    const refuse = (why: string) => new UnsupportedError(q.where, `${why} on the bias of ${this.where(n)}: hls4ml's ScaleDownConv moves a bias rescale only with one scale equal to the product of the data and weight scales ('${HLS4ML_NO_MOVE_CONV}' otherwise, and its conversion then fails on the left-over bias Constant); hlsemu refuses it`);
    const z = Array.from(p.zeroPoint).find((v) => v !== 0);
    if (z !== undefined) throw refuse(`a non-zero zero_point (${z})`);
    if (!allEqual(p.scale)) throw refuse(`per-channel scales (${p.scale.length} values)`);
    return { codes: hls4mlAlphaCodes(q.raw.data, q.scales.data, p), type: quantIntegerType(p, q.where), name: `${q.node}_rescale`, scale: p.scale[0]! };
  }

  /**
   * hls4ml's ScaleDownConv (move_scales.py), in the order hls4ml's flow applies it (every Quant is an
   * ApplyAlpha by then; MergeToApplyAlpha's `bn_<Mul>` comes later, and the optimizer restarts from
   * the first pass after each change). The rescales on the Conv's data input (one scale, zero bias:
   * {@link movableBefore}) and on its weights ({@link convWeightOf}) move below the Conv as one
   * ApplyAlpha — named after the weight rescale when there is one, else after the data rescale, with
   * the data rescale's attributes (the weights-only branch copies the data producer's) — with scale
   * `s = s_data·s_weight` (float32) and bias 0, or, when the Conv's bias `b` (its Constant's own
   * value) is not all zero, `b·(1 − s)` (float32), b staying in the Conv. A `bn_<Mul>` data scale
   * moves in a second round: Conv → bn_<Mul> → weight rescale, each with its own `b·(1 − s)`.
   * hls4ml moves per-filter weight scales only without a bias and without a data scale; there
   * hlsemu applies the same algebra per filter, with a warning (hls4ml 1.3's conversion fails, as
   * for per-output-column MatMul scales). Refused: what hls4ml cannot move while the weight
   * rescale waits (its conversion then fails on the left-over weight Constant); per-channel data
   * scales when there are as many input channels as filters (hls4ml would scale the filters by
   * input channels, a silent error); a weights-only move with values that differ between filters
   * when the data producer has `n_filt` = C ≠ F channels (the copied `n_filt` makes the C++ read
   * `scale[i % C]`, a silent error). Per-channel data scales otherwise stay before the Conv.
   */
  scaleDownConv(n: OnnxNode, x: Dyn, Wc: Const, w: LayerWeights, bias: ArrayLike<number> | undefined, ba?: { name: string; scale: number }): { moves: ConvMove[]; data: boolean; warnings: string[] } {
    const where = this.where(n);
    const mv = this.movableBefore(x, n);
    if (ba) return this.scaleDownConvBias(n, x, w, mv, ba);
    const F = Wc.tensor.shape[0]!;
    const cIn = x.shape[n.domain === CHANNELS_LAST_DOMAIN ? x.shape.length - 1 : 1]!;
    const nobias = !bias || Array.prototype.every.call(bias, (b: number) => b === 0);
    const refuse = (why: string) => new UnsupportedError(where, `${why}: hls4ml's ScaleDownConv cannot move the scales below this Conv ('${HLS4ML_NO_MOVE_CONV}') and its conversion then fails on the left-over weight Constant; hlsemu refuses it`);
    if (w.rescale && this.alphaRescales.has(x.layer) && !mv) {
      throw refuse(`the data input's rescale '${x.layer}' cannot move with the weights' rescale '${w.rescale.name}' (it has a zero-point, or other readers)`);
    }
    if (mv && Number.isNaN(mv.scale)) {
      if (w.rescale) throw refuse(`the per-channel scales of '${x.layer}' on the data input together with the weight scales of '${w.rescale.name}'`);
      if (nobias && cIn === F) {
        throw new UnsupportedError(
          where,
          `the per-channel scales of '${x.layer}' would be moved below this Conv by hls4ml's ScaleDownConv, which then applies the ${cIn} input-channel scales to the ${F} filters (a silent error in hls4ml); hlsemu refuses it`,
        );
      }
    }
    const sd = mv && !Number.isNaN(mv.scale) ? mv.scale : undefined;
    const sw = w.rescale?.scale;
    const warnings: string[] = [];
    if (sd === undefined && sw === undefined) return { moves: [], data: false, warnings };
    const dataAttrs = sd !== undefined ? { ...this.byName.get(x.layer)!.attrs } : undefined;
    const biasOf = (s: number | Float32Array): Float32Array | undefined =>
      nobias ? undefined : Float32Array.from(bias!, (b, f) => f32(b * f32(1 - (typeof s === 'number' ? s : s[f]!))));
    const move = (name: string, s: number | Float32Array, attrs: LayerAttrs, keepName: boolean): ConvMove => {
      const b = biasOf(s);
      const bp = attrs.biasPrecision as FixedType | undefined;
      if (bp && b?.some((v) => v !== 0)) {
        // ScaleDownConv copies the moved layer's attributes, MergeToApplyAlpha's bias_precision among them
        warnings.push(`the ApplyAlpha '${name}' moved below this Conv keeps the bias precision ${formatFixedType(bp)} of '${x.layer}' (hls4ml's ScaleDownConv copies its attributes), so its bias b·(1 − s) is cast to that type, as in hls4ml`);
      }
      return { name, scale: s, ...(b ? { bias: b } : {}), attrs, keepName };
    };
    const perFilter = (s: Float32Array, withData: boolean) => {
      if (nobias && !withData) return;
      const what = [withData ? `a data-side rescale ('${x.layer}')` : '', nobias ? '' : 'a non-zero Conv bias'].filter(Boolean).join(' and ');
      warnings.push(
        `the weights' Quant '${Wc.quant!.node}' has ${s.length} per-filter scales, with ${what}; hls4ml 1.3 fails on this model (its ScaleDownConv warns '${HLS4ML_NO_MOVE_CONV}' and the conversion then fails on the left-over weight Constant). hlsemu applies hls4ml's one-scale algebra per filter, conv(s_d·x, Q∘s) + b = s'∘(conv(x, Q) + b) + b∘(1 − s') with s' = s_d·s (integer-code weights and the bias b in the Conv, then the ApplyAlpha '${w.rescale!.name}' with scale s' and bias b∘(1 − s') per filter): this firmware is hlsemu's, not one hls4ml 1.3 produces`,
      );
    };
    // the weights-only branch: the moved ApplyAlpha takes the data producer's attributes (n_filt)
    const weightsOnly = (s: number | Float32Array): ConvMove => {
      const prod = this.byName.get(x.layer);
      const varies = typeof s !== 'number' || (!nobias && !allEqual(bias!));
      if (prod && N_FILT_CLASSES.test(prod.className) && cIn !== F && varies) {
        throw new UnsupportedError(
          where,
          `hls4ml's ScaleDownConv gives the ApplyAlpha '${w.rescale!.name}' moved below this Conv the attributes of the data producer '${x.layer}' (${prod.className}, n_filt = ${cIn}), so its C++ reads the ${F}-filter scale/bias at index i % ${cIn} (a silent error in hls4ml); hlsemu refuses it`,
        );
      }
      if (typeof s !== 'number') perFilter(s, false);
      return move(w.rescale!.name, typeof s === 'number' ? f32(s) : s, { n_filt: -1 }, false);
    };
    if (sw === undefined) return { moves: [move(x.layer, f32(sd!), dataAttrs!, true)], data: true, warnings };
    const swv = typeof sw === 'number' ? sw : Float32Array.from(sw);
    if (sd === undefined) return { moves: [weightsOnly(swv)], data: false, warnings };
    if (mv!.merge) {
      // the weight rescale moves first; bn_<Mul> follows in a later round and lands right after the Conv
      const wm = weightsOnly(swv);
      return { moves: [move(x.layer, f32(sd), dataAttrs!, true), wm], data: true, warnings };
    }
    const s = typeof swv === 'number' ? f32(sd * swv) : Float32Array.from(swv, (v) => f32(sd * v));
    if (typeof s !== 'number') perFilter(s, true);
    return { moves: [move(w.rescale!.name, s, dataAttrs!, false)], data: true, warnings };
  }

  /**
   * ScaleDownConv's branches with a bias rescale (aa2, move_scales.py): all scales scalar, the bias
   * scale equal (float32) to the data scale times the weight scale — data and weights, weights only,
   * or data only — and zero biases; the moved ApplyAlpha takes the data rescale's name and attributes
   * when there is one (else the weight rescale's), scale s_data·s_weight, bias 0; the Conv adds the
   * bias codes to the product codes. Anything else fails in hls4ml: refused.
   */
  scaleDownConvBias(n: OnnxNode, x: Dyn, w: LayerWeights, mv: Movable | undefined, ba: { name: string; scale: number }): { moves: ConvMove[]; data: boolean; warnings: string[] } {
    const where = this.where(n);
    const sw = w.rescale?.scale;
    const refuse = (why: string) =>
      new UnsupportedError(where, `${why}: hls4ml's ScaleDownConv cannot move the bias rescale '${ba.name}' (scale ${ba.scale}) below this Conv ('${HLS4ML_NO_MOVE_CONV}') and its conversion then fails on the left-over bias Constant; hlsemu refuses it`);
    if (this.alphaRescales.has(x.layer) && (!mv || Number.isNaN(mv.scale))) throw refuse(`the data rescale '${x.layer}' has a zero-point or per-channel scales`);
    if (mv?.merge) throw refuse(`the data scale '${x.layer}' (a Mul/Div by a constant) is not an ApplyAlpha yet when ScaleDownConv first runs`);
    if (typeof sw === 'object') throw refuse(`the weights' rescale '${w.rescale!.name}' has one scale per filter`);
    const sd = mv ? mv.scale : undefined;
    if (sd === undefined && sw === undefined) throw refuse('neither the data nor the weights carry a scale (the bias rescale alone moves only with scale 1)');
    const s = f32(f32(sd ?? 1) * f32(sw ?? 1));
    if (f32(ba.scale) !== s) throw refuse(`the bias scale is not the product of the data and weight scales (${s})`);
    const data = sd !== undefined;
    const name = data ? x.layer : w.rescale!.name;
    const attrs = data ? { ...this.byName.get(x.layer)!.attrs } : { n_filt: -1 };
    return { moves: [{ name, scale: s, attrs, keepName: data }], data, warnings: [] };
  }

  pool(n: OnnxNode, x: Dyn, a: NodeAttrs): void {
    const where = this.where(n);
    if (n.outputs[1] && this.uses.has(n.outputs[1])) throw new UnsupportedError(where, 'the MaxPool Indices output is not supported');
    const ax = this.convAxes(n, x);
    let v = this.requireAxes(x, ax.perm, n, `${n.opType} needs channels-first data`);
    const rank = ax.spatial.length;
    const kernel = a.ints('kernel_shape');
    if (kernel.length !== rank) throw new FormatError(where, `kernel_shape has ${kernel.length} values for a ${rank}D pool`);
    const strides = a.ints('strides', new Array<number>(rank).fill(1));
    const dil = a.ints('dilations', new Array<number>(rank).fill(1));
    if (dil.some((d) => d !== 1)) throw new UnsupportedError(where, 'dilated pooling is not supported');
    const spatial = ax.spatial.map((q) => v.shape[q]!);
    const pad = this.kerasPadding(a, spatial, kernel, strides);
    if (a.int('ceil_mode', 0) !== 0) {
      const pads = resolvePads(a, spatial, kernel, strides, dil);
      const ceilOut = spatial.map((s, i) => {
        let o = Math.ceil((s + pads.begin[i]! + pads.end[i]! - kernel[i]!) / strides[i]!) + 1;
        if ((o - 1) * strides[i]! >= s + pads.begin[i]!) o--;
        return o;
      });
      if (!sameArr(ceilOut, pad.out)) throw new UnsupportedError(where, 'ceil_mode = 1 changes the output size here; not supported');
    }
    const isMax = n.opType === 'MaxPool';
    if (pad.explicit) {
      const countPad = a.int('count_include_pad', 0) !== 0;
      if (isMax || !countPad) {
        throw new UnsupportedError(
          where,
          `pads [${[...pad.explicit.begin, ...pad.explicit.end].join(', ')}] are neither 0 nor Keras 'same' pads; ${isMax ? 'MaxPool' : 'AveragePool with count_include_pad = 0'} cannot be expressed with a ZeroPadding layer`,
        );
      }
      v = this.zeroPad(n, v, pad.explicit.begin, pad.explicit.end, ax.spatial, '_pad');
    } else if (!isMax && pad.padding === 'same' && a.int('count_include_pad', 0) !== 0) {
      // padded zeros count in the average: pad explicitly, then pool 'valid'
      const pads = resolvePads(a, spatial, kernel, strides, dil);
      v = this.zeroPad(n, v, pads.begin, pads.end, ax.spatial, '_pad');
      pad.padding = 'valid';
    }
    const shape = [...v.shape];
    ax.spatial.forEach((q, i) => (shape[q] = pad.out[i]!));
    const name = this.nodeName(n);
    const outV: Dyn = { kind: 'dyn', layer: name, shape, layout: { perm: ax.perm } };
    const cls = `${isMax ? 'Max' : 'Average'}Pooling${rank}D` as ModelLayerClass;
    this.addLayer(name, cls, [v], modelShapeOf(outV), { poolSize: kernel, strides, padding: pad.padding });
    this.setValue(n.outputs[0]!, outV);
  }

  globalPool(n: OnnxNode, x: Dyn): void {
    const ax = this.convAxes(n, x);
    const v = this.requireAxes(x, ax.perm, n, `${n.opType} needs channels-first data`);
    const rank = ax.spatial.length;
    const shape = v.shape.map((d, i) => (ax.spatial.includes(i) ? 1 : d));
    const name = this.nodeName(n);
    const C = v.shape[ax.ch]!;
    const outV: Dyn = { kind: 'dyn', layer: name, shape, layout: { order: Int32Array.from(range(C)) } };
    const cls = `Global${n.opType === 'GlobalMaxPool' ? 'Max' : 'Average'}Pooling${rank}D` as ModelLayerClass;
    this.addLayer(name, cls, [v], [C], {});
    this.setValue(n.outputs[0]!, outV);
  }

  batchNorm(n: OnnxNode, v: Dyn, a: NodeAttrs): void {
    const where = this.where(n);
    if (a.int('training_mode', 0) !== 0) throw new UnsupportedError(where, 'BatchNormalization in training mode is not supported');
    if (n.outputs.slice(1).some((o) => o && this.uses.has(o))) throw new UnsupportedError(where, 'BatchNormalization running-statistics outputs are not supported');
    const r = v.shape.length;
    const ch = n.domain === CHANNELS_LAST_DOMAIN ? r - 1 : 1;
    const C = v.shape[ch]!;
    const dims = v.shape.map((_, i) => (i === ch ? C : 1));
    const vec = (k: number, what: string): Float64Array => {
      const t = this.constTensor(n, k, what).tensor;
      if (t.data.length !== C) throw new ShapeError(where, `${what} has ${t.data.length} values, but the input [${v.shape.join(', ')}] has ${C} channels on axis ${ch}`);
      const out = this.channelVector(v, { shape: dims, data: t.data }, where);
      if (!out) {
        throw new UnsupportedError(where, `the normalised (channel) axis ${ch} is not the model's last axis (input held as ${layoutText(v)})`);
      }
      return out;
    };
    const weights: Record<string, FloatTensor> = {};
    for (const [k, key, what] of [[1, 'gamma', 'scale'], [2, 'beta', 'B'], [3, 'moving_mean', 'mean'], [4, 'moving_variance', 'var']] as const) {
      const d = vec(k, what);
      weights[key] = { shape: [d.length], data: d };
    }
    const name = this.nodeName(n);
    this.addLayer(name, 'BatchNormalization', [v], modelShapeOf(v), { epsilon: a.float('epsilon', 1e-5), center: true, scale: true }, weights);
    this.setValue(n.outputs[0]!, { ...v, layer: name });
  }

  /**
   * hls4ml's ScaleDownAdd (move_scales.py): an Add of two ApplyAlphas with identical scales becomes
   * the Add of their inputs followed by one ApplyAlpha named after the first, with its scale and
   * attributes and the sum of the two biases (numpy: float32 when both are float32). Only when each
   * ApplyAlpha feeds this Add alone. The result may move on below a MatMul / Conv like the first.
   */
  scaleDownAdd(n: OnnxNode, p: Dyn, q: Dyn): boolean {
    const l0 = this.byName.get(p.layer);
    const l1 = this.byName.get(q.layer);
    if (!l0 || !l1 || l0 === l1 || l0.className !== 'ApplyAlpha' || l1.className !== 'ApplyAlpha') return false;
    if (!this.foldable(p.layer) || !this.foldable(q.layer)) return false;
    const s0 = l0.weights.scale!.data;
    const s1 = l1.weights.scale!.data;
    if (s0.length !== s1.length || !Array.prototype.every.call(s0, (v: number, i: number) => v === s1[i])) return false;
    const b0 = l0.weights.bias!.data;
    const b1 = l1.weights.bias!.data;
    const single = b0 instanceof Float32Array && b1 instanceof Float32Array;
    const bias = single ? Float32Array.from(b0, (v, i) => f32(v + b1[i]!)) : Float64Array.from(b0, (v, i) => v + b1[i]!);
    const mv0 = this.movable.get(p.layer);
    const rescale0 = this.alphaRescales.has(p.layer);
    const in0 = this.removeLayerOf(p);
    const in1 = this.removeLayerOf(q);
    const addName = this.nodeName(n);
    this.addLayer(addName, 'Add', [in0, in1], modelShapeOf(in0), {});
    const out = this.applyAlpha(l0.name, { ...in0, layer: addName }, s0 as Float32Array, bias, l0.attrs);
    if (l0.quantizers) this.byName.get(l0.name)!.quantizers = l0.quantizers;
    if (rescale0) this.alphaRescales.add(l0.name);
    if (allEqual(s0) && bias.every((v) => v === 0)) this.movable.set(l0.name, { input: { ...in0, layer: addName }, scale: s0[0]!, ...(mv0?.merge ? { merge: true } : {}) });
    this.setValue(n.outputs[0]!, out);
    return true;
  }

  /** Removes the single-reader layer holding `v` (a rescale re-inserted below its consumer); returns its input value. */
  removeLayerOf(v: Dyn): Dyn {
    const l = this.byName.get(v.layer)!;
    const at = this.layers.indexOf(l);
    this.layers.splice(at, 1);
    this.byName.delete(v.layer);
    this.movable.delete(v.layer);
    for (const [k, val] of this.values) if (val.kind === 'dyn' && val.layer === v.layer) this.stale.add(k);
    return { ...v, layer: l.inputs[0]! };
  }

  /** Add / Sum / Sub / Mul / Div: merge of two run-time tensors (Add only) or an affine op with a constant. */
  arith(n: OnnxNode, ins: (Value | undefined)[]): void {
    const where = this.where(n);
    const op = n.opType;
    const present = ins.filter((v): v is Value => !!v);
    if (present.length !== 2) throw new UnsupportedError(where, `${op} with ${present.length} inputs is not supported (2 only)`);
    const [p, q] = present as [Value, Value];
    if (p.kind === 'dyn' && q.kind === 'dyn') {
      // hls4ml converters/onnx/merge.py: Add/Sum → add, Sub → subtract, Mul → multiply, Max → maximum, Min → minimum (Div: no kernel)
      const cls = ({ Add: 'Add', Sum: 'Add', Sub: 'Subtract', Mul: 'Multiply', Max: 'Maximum', Min: 'Minimum' } as Record<string, ModelLayerClass>)[op];
      if (!cls) throw new UnsupportedError(where, `${op} of two run-time tensors is not supported (hls4ml has no divide kernel)`);
      if (!sameArr(p.shape, q.shape)) throw new UnsupportedError(where, `${op} of [${p.shape.join(', ')}] and [${q.shape.join(', ')}] needs broadcasting (unsupported)`);
      const sameLayout = p.layout.perm ? !!q.layout.perm && sameArr(p.layout.perm, q.layout.perm) : !!q.layout.order && sameArr(p.layout.order!, q.layout.order);
      if (!sameLayout) throw new UnsupportedError(where, `${op} inputs are held in different layouts (${layoutText(p)} vs ${layoutText(q)})`);
      if (cls === 'Add' && this.scaleDownAdd(n, p, q)) return;
      const name = this.nodeName(n);
      this.addLayer(name, cls, [p, q], modelShapeOf(p), {});
      this.setValue(n.outputs[0]!, { ...p, layer: name });
      return;
    }
    const v = (p.kind === 'dyn' ? p : q) as Dyn;
    const c = (p.kind === 'const' ? p : q) as Const;
    const constFirst = p.kind === 'const';
    const vecRaw = this.channelVector(v, c.tensor, where);
    if (!vecRaw) {
      throw new UnsupportedError(where, `${op} with a constant of shape [${c.tensor.shape.join(', ')}] that varies over positions, not only over channels, is not supported`);
    }
    let scale: Float64Array | undefined;
    let shift: Float64Array | undefined;
    if (op === 'Add' || op === 'Sum') shift = vecRaw;
    else if (op === 'Sub') {
      if (constFirst) {
        scale = vecRaw.map(() => -1);
        shift = vecRaw;
      } else shift = vecRaw.map((t) => -t);
    } else if (op === 'Mul') scale = vecRaw;
    else {
      if (constFirst) throw new UnsupportedError(where, 'Div of a constant by a run-time tensor is not supported');
      scale = vecRaw.map((t) => 1 / t);
    }
    if (op === 'Max' || op === 'Min') throw new UnsupportedError(where, `${op} with a constant is not supported`);
    const cq = c.quant ? this.constType(c) : undefined;
    if (cq && (scale || (op !== 'Add' && op !== 'Sum' && op !== 'Sub'))) throw new UnsupportedError(where, `${op} by a Quant-ized constant is not supported (only a Quant-ized constant added or subtracted)`);
    if (this.qonnxGraph) return this.mergeToApplyAlpha(n, v, c, constFirst, cq);
    if (cq && op === 'Sub') throw new UnsupportedError(where, `${op} by a Quant-ized constant is not supported (only a Quant-ized bias added to a layer)`);
    const prod = this.byName.get(v.layer);
    // bias fold: MatMul/Conv + Add(const) → layer bias (hls4ml: ApplyAlpha fused into the Dense/Conv)
    // (never into Xnor weights: hls4ml's FuseBatchNormalization refuses them)
    if (shift && !scale && prod && ['Dense', 'Conv1D', 'Conv2D'].includes(prod.className) && prod.quantizers?.weight?.kind !== 'xnor' && this.foldable(prod.name)) {
      const units = prod.outputShape[prod.outputShape.length - 1]!;
      if (shift.length === units) {
        const old = prod.weights['bias'];
        if (!old || (!prod.quantizers?.bias && old.data.every((b) => b === 0))) {
          prod.weights['bias'] = { shape: [units], data: Float64Array.from(shift) };
          prod.attrs.useBias = true;
          if (cq) prod.quantizers = { ...prod.quantizers, bias: cq };
          this.setValue(n.outputs[0]!, v);
          return;
        }
        if (!cq && !prod.quantizers?.bias) {
          prod.weights['bias'] = { shape: [units], data: Float64Array.from(old.data, (b, i) => b + shift![i]!) };
          this.setValue(n.outputs[0]!, v);
          return;
        }
      }
    }
    // fold into a preceding BatchNormalization nobody else reads
    if (prod && prod.className === 'BatchNormalization' && this.foldable(prod.name) && !cq && !prod.quantizers && prod.weights['gamma']!.data.length === vecRaw.length) {
      const g = Float64Array.from(prod.weights['gamma']!.data);
      const b = Float64Array.from(prod.weights['beta']!.data);
      for (let i = 0; i < g.length; i++) {
        if (scale) {
          g[i]! *= scale[i]!;
          b[i]! *= scale[i]!;
        }
        if (shift) b[i]! += shift[i]!;
      }
      prod.weights['gamma'] = { shape: [g.length], data: g };
      prod.weights['beta'] = { shape: [b.length], data: b };
      this.setValue(n.outputs[0]!, v);
      return;
    }
    // a scale/bias BatchNormalization (hls4ml's ApplyAlpha): mean 0, variance 1, epsilon 0
    const C = vecRaw.length;
    const name = this.nodeName(n);
    const one = (val: number) => ({ shape: [C], data: new Float64Array(C).fill(val) });
    const weights: Record<string, FloatTensor> = {
      gamma: scale ? { shape: [C], data: scale } : one(1),
      beta: shift ? { shape: [C], data: shift } : one(0),
      moving_mean: one(0),
      moving_variance: one(1),
    };
    this.addLayer(name, 'BatchNormalization', [v], modelShapeOf(v), { epsilon: 0, center: true, scale: true }, weights, cq ? { bias: cq } : undefined);
    this.setValue(n.outputs[0]!, { ...v, layer: name });
  }

  /**
   * hls4ml's MergeToApplyAlpha / MergeToApplyAlphaDiv (merge_const.py) for QONNX graphs: an Add, Sub,
   * Mul or Div of a run-time tensor and a constant becomes `bn_<node>`, an ApplyAlpha with per-element
   * scale and bias in numpy's dtypes — add: scale 1 (`uint<1>`), bias c; x − c: scale 1, bias −c;
   * c − x: scale −1 (`int<2>`), bias c; multiply: scale c, bias 0 (`uint<1>`); x / c: scale
   * float32(1/c), bias 0 — the bias typed by c's quantizer (made signed for a subtraction) or the
   * configuration. Nothing is folded here: the convert flow merges it (fuse_consecutive_batch_normalization,
   * fuse_batch_normalization) where hls4ml does, and a zero-bias one with one scale is moved below the
   * next MatMul (ScaleDownMatMul).
   */
  mergeToApplyAlpha(n: OnnxNode, v: Dyn, c: Const, constFirst: boolean, cq: FixedType | undefined): void {
    const where = this.where(n);
    const op = n.opType;
    if (op === 'Div' && constFirst) throw new UnsupportedError(where, 'Div of a constant by a run-time tensor is not supported (hls4ml matches x / c only)');
    const bs = broadcastShapes(c.tensor.shape, v.shape);
    if (!bs || !sameArr(bs, v.shape)) throw new UnsupportedError(where, `constant of shape [${c.tensor.shape.join(', ')}] would broadcast the tensor [${v.shape.join(', ')}] to a larger shape`);
    const full = broadcastTo(c.tensor, v.shape, where).data;
    const k = Float64Array.from(onnxIndexOf(v), (i) => full[i]!);
    const N = k.length;
    let scale: Float32Array | Float64Array;
    let bias: Float32Array | Float64Array;
    const attrs: LayerAttrs = { n_filt: -1 };
    if (op === 'Add' || op === 'Sum' || op === 'Sub') {
      const neg = op === 'Sub' && !constFirst;
      scale = new Float64Array(N).fill(op === 'Sub' && constFirst ? -1 : 1);
      bias = Float32Array.from(k, (t) => (neg ? -t : t));
      attrs.scalePrecision = op === 'Sub' && constFirst ? fixedType(true, 2, 2) : fixedType(false, 1, 1);
    } else {
      scale = Float32Array.from(k, (t) => (op === 'Div' ? f32(1 / t) : t));
      bias = new Float64Array(N);
      attrs.biasPrecision = fixedType(false, 1, 1);
    }
    let bq = cq;
    if (cq && op === 'Sub' && !constFirst && !cq.signed) bq = fixedType(true, cq.W + 1, cq.I + 1, cq.Q, cq.O, cq.N);
    const name = this.uniqueName(`bn_${n.name || `${op}_${n.index}`}`);
    this.addLayer(name, 'ApplyAlpha', [v], modelShapeOf(v), attrs, { scale: { shape: [N], data: scale }, bias: { shape: [N], data: bias } }, bq ? { bias: bq } : undefined);
    if ((op === 'Mul' || op === 'Div') && scale.every((t) => t === scale[0])) this.movable.set(name, { input: v, scale: scale[0]!, merge: true });
    this.setValue(n.outputs[0]!, { ...v, layer: name });
  }

  concat(n: OnnxNode, ins: (Value | undefined)[], a: NodeAttrs): void {
    const where = this.where(n);
    const xs = ins.filter((v): v is Value => !!v);
    if (xs.length < 2) throw new UnsupportedError(where, 'Concat needs at least two inputs');
    if (xs.some((v) => v.kind !== 'dyn')) throw new UnsupportedError(where, 'Concat with a constant input is not supported');
    const vs = xs as Dyn[];
    const r = vs[0]!.shape.length;
    let axis = a.int('axis');
    if (axis < 0) axis += r;
    if (axis < 1 || axis >= r) throw new UnsupportedError(where, `Concat over axis ${axis} (batch or out of range) is not supported`);
    const shape = [...vs[0]!.shape];
    shape[axis] = 0;
    for (const v of vs) {
      if (v.shape.length !== r || v.shape.some((d, i) => i !== axis && d !== vs[0]!.shape[i])) throw new ShapeError(where, 'Concat inputs must agree except on the concatenation axis');
      shape[axis]! += v.shape[axis]!;
    }
    const name = this.nodeName(n);
    if (vs.every((v) => v.layout.order)) {
      const os = stridesOf(shape);
      const orders: number[] = [];
      let offset = 0;
      for (const v of vs) {
        const is = stridesOf(v.shape);
        for (const o of v.layout.order!) {
          let rem = o;
          let flat = 0;
          for (let i = 0; i < r; i++) {
            const m = Math.floor(rem / is[i]!);
            rem -= m * is[i]!;
            flat += (i === axis ? m + offset : m) * os[i]!;
          }
          orders.push(flat);
        }
        offset += v.shape[axis]!;
      }
      this.addLayer(name, 'Concatenate', vs, [shapeSize(shape)], { axis: -1 });
      this.setValue(n.outputs[0]!, { kind: 'dyn', layer: name, shape, layout: { order: Int32Array.from(orders) } });
      return;
    }
    const perm = vs[0]!.layout.perm;
    if (!perm || vs.some((v) => !v.layout.perm || !sameArr(v.layout.perm, perm))) {
      throw new UnsupportedError(where, 'Concat inputs are held in different layouts');
    }
    const mAxis = perm.indexOf(axis) - perm.length;
    const outV: Dyn = { kind: 'dyn', layer: name, shape, layout: { perm } };
    this.addLayer(name, 'Concatenate', vs, modelShapeOf(outV), { axis: mAxis });
    this.setValue(n.outputs[0]!, outV);
  }

  pad(n: OnnxNode, v: Dyn, a: NodeAttrs): void {
    const where = this.where(n);
    const mode = a.str('mode', 'constant');
    if (mode !== 'constant') throw new UnsupportedError(where, `Pad mode '${mode}' is not supported (constant zero padding only)`);
    const r = v.shape.length;
    let pads: number[];
    let value = 0;
    if (this.opset >= 11) {
      pads = Array.from(this.constTensor(n, 1, 'pads').tensor.data);
      const cv = this.optConst(n, 2, 'constant_value');
      if (cv) value = cv.tensor.data[0] ?? 0;
      const axesC = this.optConst(n, 3, 'axes');
      if (axesC) {
        const axes = Array.from(axesC.tensor.data, (q) => (q < 0 ? q + r : q));
        const full = new Array<number>(2 * r).fill(0);
        axes.forEach((q, i) => {
          full[q] = pads[i]!;
          full[q + r] = pads[i + axes.length]!;
        });
        pads = full;
      }
    } else {
      pads = a.ints('pads');
      value = a.float('value', 0);
    }
    if (value !== 0) throw new UnsupportedError(where, `Pad with constant value ${value} is not supported (zero only)`);
    if (pads.length !== 2 * r) throw new FormatError(where, `pads has ${pads.length} values for a rank-${r} input`);
    if (pads.some((p) => p < 0)) throw new UnsupportedError(where, 'negative pads (cropping) are not supported');
    if (pads.every((p) => p === 0)) {
      this.setValue(n.outputs[0]!, v);
      return;
    }
    if (!v.layout.perm || (v.layout.perm.length !== 2 && v.layout.perm.length !== 3)) {
      throw new UnsupportedError(where, `Pad of a tensor held as ${layoutText(v)} is not supported (1D/2D channels-last feature maps only)`);
    }
    const perm = v.layout.perm;
    const chAxis = perm[perm.length - 1]!;
    if (pads[0] !== 0 || pads[r] !== 0) throw new UnsupportedError(where, 'padding the batch axis is not supported');
    if (pads[chAxis] !== 0 || pads[chAxis + r] !== 0) throw new UnsupportedError(where, 'padding the channel axis is not supported');
    const spatial = perm.slice(0, -1);
    const outV = this.zeroPad(n, v, spatial.map((q) => pads[q]!), spatial.map((q) => pads[q + r]!), spatial, '');
    this.setValue(n.outputs[0]!, outV);
  }

  mapping(name: string, v: Value | undefined, what: string): OnnxTensorMapping {
    if (!v) throw new FormatError(`${this.source} ${what} '${name}'`, 'is not produced by any node');
    if (v.kind !== 'dyn') throw new UnsupportedError(`${this.source} ${what} '${name}'`, 'is a constant (does not depend on the inputs)');
    const idx = onnxIndexOf(v);
    return { onnxName: name, layer: v.layer, onnxShape: v.shape.slice(1), modelShape: modelShapeOf(v), onnxIndex: idx, identity: isIdentityOrder(idx) };
  }

  finish(): OnnxImport {
    const g = this.m.graph;
    const inputs = g.inputs.filter((vi) => !g.initializers.has(vi.name) && this.uses.has(vi.name)).map((vi) => this.mapping(vi.name, this.values.get(vi.name), 'input'));
    const outputs = g.outputs.map((o) => this.mapping(o.name, this.values.get(o.name), 'output'));
    if (inputs.length === 0) throw new UnsupportedError(this.source, 'the graph has no (used) input');
    const model: ModelGraph = {
      name: this.opts.name ?? (g.name || basename(this.source).replace(/\.onnx$/i, '')),
      source: this.isQonnx ? 'qonnx' : 'onnx',
      layers: this.layers,
      outputs: outputs.map((o) => o.layer),
    };
    const last = new Map<string, [string, Dyn]>();
    for (const [name, v] of this.values) if (v.kind === 'dyn' && !this.stale.has(name)) last.set(v.layer, [name, v]);
    const tensors = [...last.values()].map(([name, v]) => this.mapping(name, v, 'tensor'));
    return { model, inputs, outputs, tensors, alphaQuants: this.alphaQuants, producer: this.m.producerName, opset: this.opset };
  }
}

function readSource(src: string | Uint8Array, name?: string): { bytes: Uint8Array; source: string } {
  if (typeof src === 'string') {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(src);
    } catch (e) {
      throw new FormatError(src, `cannot read file: ${(e as Error).message}`);
    }
    return { bytes, source: basename(src) };
  }
  return { bytes: src, source: name ?? 'model.onnx' };
}

/**
 * Imports an ONNX / QONNX model: the channels-last ModelGraph plus how its inputs and outputs map to
 * the ONNX tensors (element permutations for NCHW data).
 *
 * @throws {FormatError} malformed file; {@link UnsupportedError} an op / option / Quant setting hlsemu
 *   cannot represent, naming the node (`model.onnx node[3] (Conv 'conv1')`); {@link ShapeError}.
 * @example
 * const { model, inputs } = importOnnx('conv.onnx');
 * inputs[0].modelShape; // [28, 28, 1] for an ONNX input [N, 1, 28, 28]
 * const x = onnxToModelOrder(nchwData, inputs[0]);
 */
export function importOnnx(src: string | Uint8Array, opts: OnnxImportOptions = {}): OnnxImport {
  const { bytes, source } = readSource(src, opts.source);
  const m = decodeOnnxModel(bytes, source);
  const imp = new OnnxImporter(m, source, opts);
  imp.run();
  return imp.finish();
}

/**
 * Loads an ONNX / QONNX file (path or bytes) as a ModelGraph (synchronous). Use {@link importOnnx} to
 * also get the input/output layout mappings.
 *
 * @example
 * const model = loadOnnxModel('three_layer.onnx');
 * model.layers.map((l) => l.className); // ['InputLayer', 'Dense', 'Activation', …]
 */
export function loadOnnxModel(src: string | Uint8Array, opts: OnnxImportOptions = {}): ModelGraph {
  return importOnnx(src, opts).model;
}

/** True when the bytes look like an ONNX ModelProto (cheap check used for format sniffing). @example isOnnxBytes(buf) */
export function isOnnxBytes(bytes: Uint8Array): boolean {
  try {
    decodeOnnxModel(bytes);
    return true;
  } catch {
    return false;
  }
}
