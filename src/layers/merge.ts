/**
 * Merges of two tensors: Keras `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`
 * (hls4ml `Merge` with `op`; `nnet::add`, `subtract`, …), `Concatenate` (hls4ml `Concatenate`;
 * `nnet::concatenate{1,2,3}d`) and `Dot` (hls4ml `Dot`; `nnet::dot1d`). The firmware class of the
 * element-wise ops is `Add`, carrying `config.op` (the class name of the reference model files).
 *
 * hls4ml sources: converters/keras/merge.py (op = class name lowered; more than two inputs, a
 * Concatenate of rank > 3, a Dot of rank > 1 rejected; Dot `axes`/`normalize` not read),
 * converters/keras_v3/merge.py, converters/onnx/merge.py, model/layers.py (Merge: output shape = the
 * larger input's; Dot; Concatenate), model/optimizer/passes/infer_precision.py
 * (_infer_merge_precision, _infer_cat_precision, _infer_dot_precision — which asserts `result` is the
 * only 'auto' type), backends/vivado/passes/merge_templates.py (merge_config, dot_config with
 * `product`, concat_config; broadcasting only in io_parallel), backends/vivado/passes/
 * broadcast_stream.py (io_stream: a `broadcast_<input>` layer, typed by get_precision, before the
 * smaller input: (1,1,C) or (H,W,1) → (H,W,C) only), nnet_utils/nnet_merge*.h (io_parallel
 * broadcasting by index modulo), nnet_utils/nnet_stream.h (broadcast_stream).
 */
import { ConfigError, FormatError, ShapeError, UnsupportedError, describeValue } from '../errors.js';
import { fixedType, frac, sameType, type FixedType } from '../fixed/types.js';
import { makeCaster } from '../fixed/quantize.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { HlsNode } from '../graph/hls-graph.js';
import type { ModelLayer } from '../graph/model.js';
import { normaliseAxis, type LayerConfigReader } from '../import/keras-config.js';
import { concatDim, concatenate, dot1d, merge, type KernelStats, type MergeOp, type RawOutput } from '../kernels/index.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { MERGE_HEADER } from '../emit/cpp/structural.js';
import { MERGE_EXT_HEADER } from '../emit/cpp/reshape-ext.js';
import { checkLayout, checkPairLengths, int, intList, need, obj, pair, runAll, types as caseTypes, type Case } from '../conformance/kernel-case.js';
import { LayerCheck, lowered, reuseFactorOf, typed } from './common.js';
import type { BuildContext, FirmwareClassSpec, HlsClassSpec, HlsDraft, InferContext, LayerModule, ModelClassSpec } from './spec.js';

/** The element-wise merge ops. */
export const MERGE_OPS = ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum'] as const;

/** io_stream broadcasting of one input (hls4ml's inserted `broadcast_<input>` layer). */
export interface MergeBroadcast {
  /** Which input is broadcast: 1 or 2. */
  input: 1 | 2;
  /** Its shape before broadcasting: (1, 1, C) or (H, W, 1). */
  shape: number[];
}

/** `merge_config` fields. */
export interface MergeFirmwareConfig {
  op: MergeOp;
  n_elem: number;
  n_elem1: number;
  n_elem2: number;
  reuse_factor: number;
  /** io_stream only: the broadcast layer hls4ml inserts before the smaller input (its output type is `types.broadcast`). */
  broadcast?: MergeBroadcast;
}

/** `concat_config` fields (shapes without batch; `axis` as Keras counts it, −1 = last). */
export interface ConcatFirmwareConfig {
  shape1: number[];
  shape2: number[];
  axis: number;
  n_elem1_0?: number;
  n_elem1_1?: number;
  n_elem1_2?: number;
  n_elem2_0?: number;
  n_elem2_1?: number;
  n_elem2_2?: number;
}

/** `dot_config` fields. */
export interface DotFirmwareConfig {
  n_in: number;
  n_out: 1;
  reuse_factor: number;
  /** `nnet::product::` class hls4ml's `product_type` picks from the input types. */
  product: 'mult' | 'weight_binary' | 'weight_ternary';
}

/** A firmware element-wise merge. */
export interface MergeLayer extends FirmwareLayerBase<'Add', MergeFirmwareConfig, 'input1' | 'input2' | 'broadcast', never> {}
/** A firmware concatenation. */
export interface ConcatenateLayer extends FirmwareLayerBase<'Concatenate', ConcatFirmwareConfig, 'input1' | 'input2', never> {}
/** A firmware dot product. */
export interface DotLayer extends FirmwareLayerBase<'Dot', DotFirmwareConfig, 'input1' | 'input2' | 'accum', never> {}

const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

// ---------------------------------------------------------------------------------------------
// Broadcasting
// ---------------------------------------------------------------------------------------------

/**
 * Keras' element-wise output shape (`_Merge._compute_elemwise_op_output_shape`, lower-rank inputs
 * expanded at axis 1): numpy broadcasting over trailing-aligned axes.
 */
export function broadcastShape(shapes: readonly (readonly number[])[], where: string): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let k = 0; k < s.length; k++) {
      const o = rank - s.length + k;
      const d = s[k]!;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) throw new ShapeError(where, `inputs ${shapes.map(fmt).join(' and ')} cannot be broadcast together`);
    }
  }
  return out;
}

/** For each element of `out`, the row-major index of the (numpy-broadcast) element of `s`. */
function broadcastIndex(s: readonly number[], out: readonly number[]): Int32Array {
  const n = size(out);
  const idx = new Int32Array(n);
  const off = out.length - s.length;
  const strides = s.map((_, k) => size(s.slice(k + 1)));
  for (let i = 0; i < n; i++) {
    let rest = i;
    let k = 0;
    for (let d = out.length - 1; d >= 0; d--) {
      const c = rest % out[d]!;
      rest = Math.floor(rest / out[d]!);
      const sd = d - off;
      if (sd >= 0 && s[sd] !== 1) k += c * strides[sd]!;
    }
    idx[i] = k;
  }
  return idx;
}

/** Whether hls4ml's io_parallel `x[i % n]` reads the element numpy broadcasting reads, for every i. */
function moduloIsBroadcast(s: readonly number[], out: readonly number[]): boolean {
  const idx = broadcastIndex(s, out);
  const n = size(s);
  for (let i = 0; i < idx.length; i++) if (idx[i] !== i % n) return false;
  return true;
}

function elementwiseFloat(op: MergeOp, l: ModelLayer, xs: Float64Array[], n: number): Float64Array {
  const out = l.outputShape;
  const per = size(out);
  const idx = l.inputShapes.map((s) => broadcastIndex(s, out));
  const sizes = l.inputShapes.map(size);
  const y = new Float64Array(n * per);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < per; i++) {
      const v = xs.map((x, k) => x[b * sizes[k]! + idx[k]![i]!]!);
      let r: number;
      switch (op) {
        case 'add':
          r = v.reduce((p, q) => p + q, 0);
          break;
        case 'subtract':
          r = v[0]! - v[1]!;
          break;
        case 'multiply':
          r = v.reduce((p, q) => p * q, 1);
          break;
        case 'average':
          r = v.reduce((p, q) => p + q, 0) / v.length;
          break;
        case 'maximum':
          r = Math.max(...v);
          break;
        case 'minimum':
          r = Math.min(...v);
          break;
      }
      y[b * per + i] = r;
    }
  }
  return y;
}

// ---------------------------------------------------------------------------------------------
// Model classes
// ---------------------------------------------------------------------------------------------

const MERGE_CLASSES = { Add: 'add', Subtract: 'subtract', Multiply: 'multiply', Average: 'average', Maximum: 'maximum', Minimum: 'minimum' } as const;
type MergeClass = keyof typeof MERGE_CLASSES;

function twoInputs(ctx: BuildContext): void {
  if (ctx.inputs.length !== 2) throw new UnsupportedError(ctx.where, `ERROR: Merging more than two tensors is not yet supported (hls4ml; ${ctx.inputs.length} inputs)`);
}

/**
 * The hls4ml node of an element-wise merge: hls4ml's output shape is the larger input's (which must
 * be Keras'); io_parallel broadcasts by index modulo (warned where that is not numpy broadcasting),
 * io_stream through a broadcast layer for the two shapes hls4ml supports.
 */
function mergeDraft(l: ModelLayer, op: MergeOp, ctx: BuildContext): HlsDraft {
  twoInputs(ctx);
  const [s1, s2] = l.inputShapes as [number[], number[]];
  const hlsOut = size(s2) > size(s1) ? s2 : s1;
  const same = s1.length === s2.length && s1.every((d, k) => d === s2[k]);
  if (same) return { cls: 'Merge', attrs: { op } };
  if (fmt(hlsOut) !== fmt(l.outputShape)) {
    throw new UnsupportedError(ctx.where, `hls4ml gives a merge of ${fmt(s1)} and ${fmt(s2)} the larger input's shape ${fmt(hlsOut)}, not Keras' broadcast shape ${fmt(l.outputShape)}`);
  }
  const small = hlsOut === s1 ? 2 : 1;
  const smallShape = small === 1 ? s1 : s2;
  if (ctx.io === 'io_parallel') {
    if (!moduloIsBroadcast(smallShape, hlsOut)) {
      ctx.warn(`${l.name}: hls4ml's io_parallel merge broadcasts ${fmt(smallShape)} to ${fmt(hlsOut)} by index modulo (x[i % ${size(smallShape)}]), not as Keras does (emulated as hls4ml does)`);
    }
    return { cls: 'Merge', attrs: { op } };
  }
  // io_stream: hls4ml's broadcast_stream pass (the larger-or-equal input by element count is the target)
  const target = size(s1) > size(s2) ? s1 : s2;
  const bIdx: 1 | 2 = size(s1) > size(s2) ? 2 : 1;
  const bShape = bIdx === 1 ? s1 : s2;
  const ok = bShape.length === 3 && target.length === 3 && ((bShape[0] === 1 && bShape[1] === 1 && bShape[2] === target[2]) || (bShape[2] === 1 && bShape[0] === target[0] && bShape[1] === target[1]));
  if (!ok) {
    throw new UnsupportedError(ctx.where, `Unsupported broadcast type for stream: ${fmt(bShape)} -> ${fmt(target)}; only (1, 1, C) -> (H, W, C) and (H, W, 1) -> (H, W, C) (hls4ml's broadcast_stream)`);
  }
  const input = ctx.inputs[bIdx - 1]!;
  const p = ctx.precision(`broadcast_${input}`, 'Broadcast', 'result');
  const bt = p === 'auto' ? ctx.modelDefault : p;
  return { cls: 'Merge', attrs: { op, broadcast: { input: bIdx, shape: [...bShape] } }, types: { broadcast: bt } };
}

function mergeModel(cls: MergeClass): ModelClassSpec {
  const op = MERGE_CLASSES[cls];
  return {
    keras: {
      arity: 'many',
      attrs: () => ({}),
      outputShape(xs, _a, r) {
        if (cls === 'Subtract' && xs.length !== 2) throw new ShapeError(r.where, `Subtract takes exactly 2 inputs, got ${xs.length}`);
        return broadcastShape(xs, r.where);
      },
    },
    hlsClass: () => 'Merge',
    typeKey: () => cls,
    build: (l, ctx) => mergeDraft(l, op, ctx),
    float: (l, xs, ctx) => elementwiseFloat(op, l, xs, ctx.n),
  };
}

function concatAxis(r: LayerConfigReader): number {
  const raw = r.config['axis'] ?? -1;
  if (typeof raw !== 'number' || !Number.isInteger(raw)) throw new FormatError(r.field('axis'), `expected an integer, got ${describeValue(raw)}`);
  return raw;
}

const concatModel: ModelClassSpec = {
  keras: {
    arity: 'many',
    attrs: (r) => ({ axis: concatAxis(r) }),
    outputShape(xs, a, r) {
      const s0 = xs[0]!;
      const axis = normaliseAxis(a.axis ?? -1, s0.length, r.field('axis'));
      a.axis = axis; // a negative index: hls4ml's concatenate{1,2,3}d dispatch picks the same axis for either spelling
      const ax = s0.length + axis;
      const out = [...s0];
      out[ax] = 0;
      for (const s of xs) {
        if (s.length !== s0.length || s.some((d, i) => i !== ax && d !== s0[i])) {
          throw new ShapeError(r.where, `Concatenate inputs must agree except on axis ${a.axis}, got ${xs.map(fmt).join(' and ')}`);
        }
        out[ax]! += s[ax]!;
      }
      return out;
    },
  },
  hlsClass: () => 'Concatenate',
  typeKey: () => 'Concatenate',
  build(l, ctx) {
    twoInputs(ctx);
    const rank = l.inputShapes[0]!.length;
    if (rank > 3) throw new UnsupportedError(ctx.where, `ERROR: Concatenation of tensors with rank > 3 is not yet supported (hls4ml; rank ${rank})`);
    return { cls: 'Concatenate', attrs: { axis: l.attrs.axis ?? -1 } };
  },
  float(l, xs, ctx) {
    const outS = l.outputShape;
    const rank = outS.length;
    const ax = l.attrs.axis ?? -1;
    const axis = ax < 0 ? rank + ax : ax - 1; // Keras axes count the batch axis
    if (axis < 0 || axis >= rank) throw new UnsupportedError(`${ctx.where}.axis`, `axis ${ax} is out of range`);
    const outer = ctx.n * size(outS.slice(0, axis));
    const inner = l.inputShapes.map((s) => size(s.slice(axis)));
    const total = inner.reduce((p, d) => p + d, 0);
    const y = new Float64Array(outer * total);
    for (let o = 0; o < outer; o++) {
      let off = o * total;
      xs.forEach((xi, j) => {
        y.set(xi.subarray(o * inner[j]!, (o + 1) * inner[j]!), off);
        off += inner[j]!;
      });
    }
    return y;
  },
};

const dotModel: ModelClassSpec = {
  keras: {
    arity: 'many',
    attrs(r) {
      const axes = r.config['axes'];
      const list = typeof axes === 'number' ? [axes, axes] : axes;
      if (!Array.isArray(list) || list.length !== 2 || !list.every((a) => typeof a === 'number' && Number.isInteger(a))) {
        throw new FormatError(r.field('axes'), `expected an integer or a pair of integers, got ${JSON.stringify(axes)}`);
      }
      return { axes: list as number[], normalize: r.bool('normalize', false) };
    },
    outputShape(xs, a, r) {
      if (xs.length !== 2) throw new ShapeError(r.where, `Dot takes exactly 2 inputs, got ${xs.length}`);
      const [s1, s2] = xs as [number[], number[]];
      if (s1.length !== 1 || s2.length !== 1) throw new UnsupportedError(r.where, `ERROR: Dot of tensors with rank > 1 is not yet supported (hls4ml; inputs ${fmt(s1)} and ${fmt(s2)})`);
      for (const ax of a.axes as number[]) if (ax !== 1 && ax !== -1) throw new UnsupportedError(r.field('axes'), `axis ${ax} of a 1-D input (only axis 1 / −1 exists)`);
      if (s1[0] !== s2[0]) throw new ShapeError(r.where, `Dot inputs must have the same length, got ${fmt(s1)} and ${fmt(s2)}`);
      return [1];
    },
  },
  hlsClass: () => 'Dot',
  typeKey: () => 'Dot',
  build(l, ctx) {
    twoInputs(ctx);
    if (l.attrs.normalize === true) ctx.warn(`${l.name}: hls4ml ignores Dot(normalize=True) and computes the plain dot product (emulated as hls4ml does)`);
    if (ctx.io === 'io_stream') throw new UnsupportedError(ctx.where, 'hls4ml has no io_stream dot1d kernel (nnet_merge_stream.h)');
    return { cls: 'Dot', attrs: {} };
  },
  float(l, [a, b], ctx) {
    const n = l.inputShapes[0]![0]!;
    const y = new Float64Array(ctx.n);
    for (let s = 0; s < ctx.n; s++) {
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let i = 0; i < n; i++) {
        const u = a![s * n + i]!;
        const v = b![s * n + i]!;
        dot += u * v;
        na += u * u;
        nb += v * v;
      }
      y[s] = l.attrs.normalize === true ? dot / (Math.max(Math.sqrt(na), 1e-6) * Math.max(Math.sqrt(nb), 1e-6)) : dot;
    }
    return y;
  },
};

// ---------------------------------------------------------------------------------------------
// hls4ml classes
// ---------------------------------------------------------------------------------------------

function clipTo(W: number, I: number, ctx: InferContext): [number, number] {
  const m = ctx.maxPrecision;
  return [m ? Math.min(W, m.W) : W, m ? Math.min(I, m.I) : I];
}

/** hls4ml's _infer_merge_precision for one op. */
export function mergeResultType(op: MergeOp, a: FixedType, b: FixedType, ctx: InferContext): FixedType {
  switch (op) {
    case 'add':
    case 'subtract':
    case 'average': {
      const s = a.signed || b.signed || op === 'subtract';
      const I = Math.max(a.I + (b.signed && !a.signed ? 1 : 0), b.I + (a.signed && !b.signed ? 1 : 0)) + 1;
      const [W, II] = clipTo(I + Math.max(frac(a), frac(b)), I, ctx);
      return fixedType(s, W, II);
    }
    case 'multiply': {
      const [W, I] = clipTo(a.W + b.W, a.I + b.I, ctx);
      return fixedType(a.signed || b.signed, W, I);
    }
    case 'maximum':
    case 'minimum': {
      if (sameType(a, b)) return a;
      const s = a.signed || b.signed;
      const I = Math.max(a.I + (s && !a.signed ? 1 : 0), b.I + (s && !b.signed ? 1 : 0));
      return fixedType(s, Math.max(frac(a), frac(b)) + I, I);
    }
  }
}

const mergeHls: HlsClassSpec = {
  types: [{ name: 'result' }],
  settings: [{ name: 'reuse_factor', default: 1, backend: true }],
  infer(n, [a, b], ctx) {
    if (n.types.result !== 'auto') return;
    n.types.result = mergeResultType(((n.attrs.op as MergeOp) ?? 'add'), a!, b!, ctx);
  },
  lower(n, ctx): MergeLayer {
    const [t1, t2] = ctx.inputTypes as [FixedType, FixedType];
    const s1 = n.shapeIn[0]!;
    const s2 = n.shapeIn[1]!;
    const config: MergeFirmwareConfig = { op: (n.attrs.op as MergeOp) ?? 'add', n_elem: size(n.shapeOut), n_elem1: size(s1), n_elem2: size(s2), reuse_factor: reuseFactorOf(n) };
    const types: MergeLayer['types'] = { input: t1, input1: t1, input2: t2, result: typed(n, 'result') } as MergeLayer['types'];
    const bc = n.attrs.broadcast as MergeBroadcast | undefined;
    if (bc) {
      config.broadcast = bc;
      types.broadcast = typed(n, 'broadcast');
      ctx.change(`broadcast_${n.inputs[bc.input - 1]} (Broadcast, ${fmt(bc.shape)} → ${fmt(n.shapeOut)}) inserted before ${n.name} (io_stream), emulated inside the merge`);
    }
    return { ...lowered(n, ctx, 'Add', config), types, weights: {} };
  },
};

const concatHls: HlsClassSpec = {
  types: [{ name: 'result' }],
  settings: [{ name: 'reuse_factor', default: 1, backend: true }],
  infer(n, [a, b], ctx) {
    if (n.types.result !== 'auto') return;
    if (sameType(a!, b!)) {
      n.types.result = a!;
      return;
    }
    const s = a!.signed || b!.signed;
    const I = Math.max(a!.I + (s && !a!.signed ? 1 : 0), b!.I + (s && !b!.signed ? 1 : 0));
    const q = a!.Q !== 'AP_TRN' ? a!.Q : b!.Q;
    const o = a!.O !== 'AP_WRAP' ? a!.O : b!.O;
    const nb = a!.N !== 0 ? a!.N : b!.N;
    const [W, II] = clipTo(Math.max(frac(a!), frac(b!)) + I, I, ctx);
    n.types.result = fixedType(s, W, II, q, o, Math.min(nb, W));
  },
  lower(n, ctx): ConcatenateLayer {
    const [t1, t2] = ctx.inputTypes as [FixedType, FixedType];
    const s1 = n.shapeIn[0]!;
    const s2 = n.shapeIn[1]!;
    const axis = Number(n.attrs.axis ?? -1);
    concatDim(s1.length, axis);
    const pad3 = (s: number[]) => [s[0] ?? 0, s[1] ?? 0, s[2] ?? 0];
    const [a0, a1, a2] = pad3(s1);
    const [b0, b1, b2] = pad3(s2);
    return {
      ...lowered(n, ctx, 'Concatenate', { n_elem1_0: a0, n_elem1_1: a1, n_elem1_2: a2, n_elem2_0: b0, n_elem2_1: b1, n_elem2_2: b2, axis, shape1: [...s1], shape2: [...s2] }),
      types: { input: t1, input1: t1, input2: t2, result: typed(n, 'result') },
      weights: {},
    };
  },
};

/** True for an unsigned 1-bit integer type (hls4ml's Xnor type `ap_uint<1>`). */
function isUint1(t: FixedType): boolean {
  return !t.signed && t.W === 1 && t.I === 1;
}

/** hls4ml's `product_type(input1, input2)` as far as a FixedType tells (see docs/kernels.md). */
function dotProduct(name: string, a: FixedType, b: FixedType): DotFirmwareConfig['product'] {
  if (isUint1(a)) throw new UnsupportedError(`${name}.input1`, "an ap_uint<1> first Dot input selects hls4ml's data_binary product, which dot_config cannot instantiate (does not compile)");
  if (isUint1(b)) return 'weight_binary';
  return 'mult';
}

const dotHls: HlsClassSpec = {
  types: [{ name: 'result' }, { name: 'accum', backend: true }],
  settings: [{ name: 'reuse_factor', default: 1, backend: true }],
  infer(n, [a, b], ctx) {
    const autos = Object.keys(n.types).filter((k) => n.types[k] === 'auto');
    if (autos.length !== 1 || autos[0] !== 'result') {
      throw new ConfigError(`${n.name}.Precision`, `hls4ml's Dot precision inference asserts that result is the only 'auto' type (got 'auto' for ${autos.join(', ')})`);
    }
    const len = Math.ceil(Math.log2(n.shapeIn[0]![0]!));
    const [W, I] = clipTo(a!.W + b!.W + len, a!.I + b!.I + len, ctx);
    n.types.result = fixedType(a!.signed || b!.signed, W, I);
  },
  lower(n: HlsNode, ctx): DotLayer {
    const [t1, t2] = ctx.inputTypes as [FixedType, FixedType];
    return {
      ...lowered(n, ctx, 'Dot', { n_in: n.shapeIn[0]![0]!, n_out: 1 as const, reuse_factor: reuseFactorOf(n), product: dotProduct(n.name, t1, t2) }),
      types: { input: t1, input1: t1, input2: t2, accum: typed(n, 'accum'), result: typed(n, 'result') },
      weights: {},
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Firmware classes
// ---------------------------------------------------------------------------------------------

const MERGE_CPP: Record<MergeOp, string> = {
  add: 'hlsemu::merge_add',
  subtract: 'hlsemu::merge_subtract',
  multiply: 'hlsemu::merge_multiply',
  average: 'hlsemu::merge_average',
  maximum: 'hlsemu::merge_maximum',
  minimum: 'hlsemu::merge_minimum',
};

function mergeTypes(c: LayerCheck): { input: FixedType; input1: FixedType; input2: FixedType; result: FixedType } {
  const input1 = c.optType('input1') ?? c.type('input');
  return { input: c.optType('input') ?? input1, input1, input2: c.type('input2'), result: c.type('result') };
}

/** The (1,1,C) / (H,W,1) broadcast of raw values into `out` (H, W, C), each cast to the broadcast type. */
function broadcastRaw(x: RawOutput, from: FixedType, to: FixedType, shape: readonly number[], out: readonly number[], stats?: KernelStats): Float64Array {
  if (from.W > 53 || to.W > 53) throw new UnsupportedError('broadcast', 'io_stream broadcasting of types wider than 53 bits is not emulated');
  const idx = broadcastIndex(shape, out);
  const cast = makeCaster(frac(from), to, stats?.internal);
  const xs = x as ArrayLike<number>;
  const y = new Float64Array(idx.length);
  const vals = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) vals[i] = cast(Number(xs[i]!));
  for (let i = 0; i < idx.length; i++) y[i] = vals[idx[i]!]!;
  return y;
}

const mergeFirmware: FirmwareClassSpec<MergeLayer> = {
  check(L, path, inputShapes) {
    const c = new LayerCheck(L, path, ['op', 'n_elem', 'n_elem1', 'n_elem2', 'broadcast']);
    if (L.inputs.length !== 2) throw new ShapeError(`${path}.inputs`, `a merge needs 2 inputs, got ${L.inputs.length}`);
    const n = c.size(L.shapeOut);
    const config: MergeFirmwareConfig = {
      op: c.choice('op', MERGE_OPS, 'add'),
      n_elem: c.equal('n_elem', n),
      n_elem1: c.equal('n_elem1', c.size(L.shapeIn)),
      n_elem2: c.int('n_elem2', 1, inputShapes?.[1] ? c.size(inputShapes[1]) : n),
      reuse_factor: c.int('reuse_factor', 1, 1),
    };
    if (n !== Math.max(config.n_elem1, config.n_elem2)) throw new ShapeError(`${path}.shapeOut`, `expected ${Math.max(config.n_elem1, config.n_elem2)} elements, got ${n}`);
    const types: MergeLayer['types'] = mergeTypes(c) as MergeLayer['types'];
    const bc = c.cfg.broadcast as MergeBroadcast | undefined;
    if (bc !== undefined) {
      if (c.io !== 'io_stream') throw new FormatError(`${path}.config.broadcast`, 'a broadcast layer exists only in io_stream (io_parallel merges broadcast by index modulo)');
      if (!bc || (bc.input !== 1 && bc.input !== 2) || !Array.isArray(bc.shape) || bc.shape.length !== 3) throw new FormatError(`${path}.config.broadcast`, 'expected { input: 1 | 2, shape: [d0, d1, d2] }');
      const [h, w, ch] = L.shapeOut as [number, number, number];
      const s = bc.shape;
      const ok = L.shapeOut.length === 3 && ((s[0] === 1 && s[1] === 1 && s[2] === ch) || (s[2] === 1 && s[0] === h && s[1] === w));
      if (!ok || size(s) !== (bc.input === 1 ? config.n_elem1 : config.n_elem2)) throw new ShapeError(`${path}.config.broadcast.shape`, `${fmt(s)} → ${fmt(L.shapeOut)} is not a (1,1,C) or (H,W,1) broadcast of input ${bc.input}`);
      config.broadcast = { input: bc.input, shape: [...s] };
      types.broadcast = c.type('broadcast');
    } else if (c.io === 'io_stream' && (config.n_elem1 !== n || config.n_elem2 !== n)) {
      throw new UnsupportedError(`${path}.config.n_elem2`, 'io_stream merges need equal input sizes (hls4ml inserts a broadcast layer: give config.broadcast)');
    }
    return { ...L, cls: 'Add', config: { ...config, io_type: c.io }, types, weights: {} };
  },
  reference(L) {
    const bc = L.config.broadcast;
    if (!bc) {
      const cfg = { ...L.config, name: L.name, types: L.types };
      return (xs, s) => merge(cfg, xs[0]!, xs[1]!, s ? { stats: s } : {});
    }
    const n = L.config.n_elem;
    const types = { ...L.types, [bc.input === 1 ? 'input1' : 'input2']: L.types.broadcast };
    const cfg = { ...L.config, n_elem1: n, n_elem2: n, broadcast: undefined, name: L.name, types };
    const from = bc.input === 1 ? L.types.input1 : L.types.input2;
    return (xs, s) => {
      const b = broadcastRaw(xs[bc.input - 1]!, from, L.types.broadcast, bc.shape, L.shapeOut, s);
      return bc.input === 1 ? merge(cfg, b, xs[1]!, s ? { stats: s } : {}) : merge(cfg, xs[0]!, b, s ? { stats: s } : {});
    };
  },
  emit(L, { ctx, cname: c, ins }) {
    const [a, b] = ins as [(typeof ins)[number], (typeof ins)[number]];
    const op = L.config.op;
    const bc = L.config.broadcast;
    warnInputType(ctx, L, 'input1', a);
    warnInputType(ctx, L, 'input2', b);
    if (ctx.io === 'io_stream' && !bc && (a.size !== b.size || a.wordSize !== b.wordSize)) throw new UnsupportedError(`${L.name}.inputs`, 'io_stream merges need two inputs of the same shape');
    const s = new Struct(`config_${c}`, `${L.name}: ${op} of ${a.size} and ${b.size} values`).u('n_elem', L.config.n_elem).u('n_elem1', a.size).u('n_elem2', b.size).u('op', MERGE_CPP[op]);
    const typedefs: Array<[string, FixedType]> = [];
    if (bc) {
      typedefs.push([`${c}_accum_t`, L.types.broadcast]);
      s.u('bcast_input', bc.input).u('bcast_pixels', bc.shape[0] === 1 && bc.shape[1] === 1 ? 0 : 1).u('n_pixels', L.shapeOut[0]! * L.shapeOut[1]!).t('bcast_t', `${c}_accum_t`);
    }
    return {
      layer: L,
      cname: c,
      typedefs,
      structs: [s.text()],
      arrays: [],
      headers: bc ? [MERGE_HEADER, MERGE_EXT_HEADER] : [MERGE_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::${bc ? 'merge_broadcast' : 'merge'}<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, is[1]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${iv[1]}, ${ov});`],
      summary: `Merge (${op}${bc ? `, input ${bc.input} broadcast from ${fmt(bc.shape)}` : ''})`,
    };
  },
};

const concatFirmware: FirmwareClassSpec<ConcatenateLayer> = {
  check(L, path, inputShapes) {
    const c = new LayerCheck(L, path, ['shape1', 'shape2', 'axis', 'n_elem1_0', 'n_elem1_1', 'n_elem1_2', 'n_elem2_0', 'n_elem2_1', 'n_elem2_2']);
    if (L.inputs.length !== 2) throw new ShapeError(`${path}.inputs`, `a concatenation needs 2 inputs, got ${L.inputs.length}`);
    const shape1 = c.ints('shape1') ?? [...L.shapeIn];
    const shape2 = c.ints('shape2') ?? inputShapes?.[1];
    if (!shape2) throw new FormatError(`${path}.config.shape2`, 'missing required field');
    const axis = c.int('axis', Number.MIN_SAFE_INTEGER, -1);
    const dim = concatDim(shape1.length, axis);
    if (shape1.length !== shape2.length) throw new ShapeError(`${path}.config.shape2`, `ranks differ: ${describeValue(shape1)} and ${describeValue(shape2)}`);
    for (let k = 0; k < shape1.length; k++) if (k !== dim && shape1[k] !== shape2[k]) throw new ShapeError(`${path}.config.shape2`, `dimension ${k} differs (${shape1[k]} vs ${shape2[k]})`);
    const out = shape1.map((d, k) => (k === dim ? d + shape2[k]! : d));
    c.out(out);
    return { ...L, cls: 'Concatenate', config: { shape1, shape2, axis, io_type: c.io }, types: mergeTypes(c), weights: {} };
  },
  reference(L) {
    const cfg = { ...L.config, name: L.name, types: L.types };
    return (xs, s) => concatenate(cfg, xs[0]!, xs[1]!, s ? { stats: s } : {});
  },
  emit(L, { ctx, cname: c, ins }) {
    const [a, b] = ins as [(typeof ins)[number], (typeof ins)[number]];
    warnInputType(ctx, L, 'input1', a);
    warnInputType(ctx, L, 'input2', b);
    const s1 = L.config.shape1;
    const s2 = L.config.shape2;
    const dim = concatDim(s1.length, L.config.axis);
    const last = dim === s1.length - 1;
    const outer = size(s1.slice(0, dim));
    const s = new Struct(`config_${c}`, `${L.name}: concatenate (axis dimension ${dim})`).u('n_outer', outer).u('n_inner1', size(s1.slice(dim))).u('n_inner2', size(s2.slice(dim)));
    const earlierStream = ctx.io === 'io_stream' && !last;
    if (earlierStream) s.u('n_words1', size(s1.slice(dim, -1))).u('n_words2', size(s2.slice(dim, -1))).b('last_axis', false);
    return {
      layer: L,
      cname: c,
      typedefs: [],
      structs: [s.text()],
      arrays: [],
      headers: earlierStream ? [MERGE_EXT_HEADER] : [MERGE_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::${earlierStream ? 'concatenate_stream' : 'concatenate'}<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, is[1]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${iv[1]}, ${ov});`],
      summary: `Concatenate (dimension ${dim})`,
    };
  },
};

const PRODUCT_CPP = { mult: 'hlsemu::product_mult', weight_ternary: 'hlsemu::product_weight_ternary', weight_binary: 'hlsemu::product_weight_binary' } as const;

const dotFirmware: FirmwareClassSpec<DotLayer> = {
  check(L, path, inputShapes) {
    const c = new LayerCheck(L, path, ['n_in', 'n_out', 'product', 'multiplier_limit']);
    if (L.inputs.length !== 2) throw new ShapeError(`${path}.inputs`, `a dot product needs 2 inputs, got ${L.inputs.length}`);
    if (c.io === 'io_stream') throw new UnsupportedError(`${path}.config.io_type`, 'hls4ml has no io_stream dot1d kernel');
    const shape = c.rank(1);
    if (inputShapes?.[1] && (inputShapes[1].length !== 1 || inputShapes[1][0] !== shape[0])) throw new ShapeError(`${path}.inputs[1]`, `expected ${fmt(shape)}, got ${fmt(inputShapes[1])}`);
    c.out([1]);
    const n = c.equal('n_in', shape[0]!);
    c.equal('n_out', 1);
    const product = c.choice('product', ['mult', 'weight_binary', 'weight_ternary'] as const, 'mult');
    const t = mergeTypes(c);
    return { ...L, cls: 'Dot', config: { n_in: n, n_out: 1, reuse_factor: c.int('reuse_factor', 1, 1), product, io_type: c.io }, types: { ...t, accum: c.type('accum') }, weights: {} };
  },
  reference(L) {
    const cfg = { ...L.config, name: L.name, types: L.types };
    return (xs, s) => dot1d(cfg, xs[0]!, xs[1]!, s ? { stats: s } : {});
  },
  emit(L, { ctx, cname: c, ins }) {
    const [a, b] = ins as [(typeof ins)[number], (typeof ins)[number]];
    warnInputType(ctx, L, 'input1', a);
    warnInputType(ctx, L, 'input2', b);
    const s = new Struct(`config_${c}`, `${L.name}: dot product of ${L.config.n_in} values`)
      .u('n_in', L.config.n_in).u('n_out', 1).u('reuse_factor', L.config.reuse_factor).u('product', PRODUCT_CPP[L.config.product]).t('accum_t', `${c}_accum_t`);
    return {
      layer: L,
      cname: c,
      typedefs: [[`${c}_accum_t`, L.types.accum]],
      structs: [s.text()],
      arrays: [],
      headers: [MERGE_EXT_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::dot1d<${is[0]!.elemType}, ${is[1]!.elemType}, ${out.elemType}, config_${c}>(${iv[0]}, ${iv[1]}, ${ov});`],
      summary: `Dot (${L.config.product})`,
    };
  },
  macs: (L) => L.config.n_in,
};

// ---------------------------------------------------------------------------------------------
// Kernel reference vectors
// ---------------------------------------------------------------------------------------------

function checkMergeCase(c: Case, kind: string): string | null {
  const cfg = obj(c, 'config');
  const t = caseTypes(c);
  need(t, 'input1', 'input2', 'result');
  if (kind === 'concatenate') {
    const size = (k: string): number | undefined => intList(cfg, k)?.reduce((a, b) => a * b, 1);
    const [n1, n2, nOut] = [size('shape1'), size('shape2'), size('out_shape')];
    if (n1 !== undefined && n2 !== undefined) checkPairLengths(c, n1, n2, 'config.shape1', 'config.shape2');
    if (n1 !== undefined && n2 !== undefined && nOut !== undefined && nOut !== n1 + n2) throw new FormatError('config.out_shape', `holds ${nOut} values, not ${n1} + ${n2}`);
    const kcfg = { ...cfg, name: kind, types: t } as never;
    return runAll(c, kind, (x, i) => {
      const [a, b] = pair(x, i);
      return concatenate(kcfg, a, b);
    });
  }
  if (cfg.n_elem1 !== undefined && cfg.n_elem2 !== undefined) checkPairLengths(c, int(cfg, 'n_elem1'), int(cfg, 'n_elem2'), 'config.n_elem1', 'config.n_elem2');
  if (cfg.shape !== undefined) checkLayout(c, cfg, int(cfg, 'n_elem'));
  const kcfg = { ...cfg, op: kind, name: kind, types: t } as never;
  return runAll(c, kind, (x, i) => {
    const [a, b] = pair(x, i);
    return merge(kcfg, a, b);
  });
}

/** The two-input merge kinds. */
export const mergeModule = {
  kind: 'Merge',
  model: {
    Add: mergeModel('Add'),
    Subtract: mergeModel('Subtract'),
    Multiply: mergeModel('Multiply'),
    Average: mergeModel('Average'),
    Maximum: mergeModel('Maximum'),
    Minimum: mergeModel('Minimum'),
    Concatenate: concatModel,
    Dot: dotModel,
  },
  hls: { Merge: mergeHls, Concatenate: concatHls, Dot: dotHls },
  firmware: { Add: mergeFirmware, Concatenate: concatFirmware, Dot: dotFirmware },
  kernels: Object.fromEntries([...MERGE_OPS, 'concatenate'].map((k) => [k, (c: Case) => checkMergeCase(c, k)])),
} satisfies LayerModule;
