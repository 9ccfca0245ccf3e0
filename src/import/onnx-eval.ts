/**
 * A small float64 reference evaluator of ONNX graphs, in ONNX's own layout (NCHW), for the ops the
 * importer supports plus the shape/constant plumbing exporters emit (Shape, Gather, Unsqueeze, Concat,
 * Cast, Constant, …) and QONNX `Quant` / `BipolarQuant` in their float semantics. Nodes of the
 * `qonnx.custom_op.channels_last` domain (Conv, MaxPool, BatchNormalization on NHWC data) are
 * evaluated by transposing around the standard op. The importer uses {@link evalOnnxNode} for
 * constant folding; tests use {@link runOnnxModel} as the reference the imported channels-last
 * ModelGraph must reproduce. Not fast, not meant for production inference.
 */
import { readFileSync } from '../platform/fs.js';
import { FormatError, ShapeError, UnsupportedError } from '../errors.js';
import { decodeOnnxModel, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto.js';
import { qonnxBipolar, qonnxQuant } from './qonnx.js';

/** A dense float64 tensor in C order. Integer-typed ONNX tensors (shapes, indices) use the same type. */
export interface Tensor {
  shape: number[];
  data: Float64Array;
}

/** Domain of qonnx's channels-last wrapped ops. */
export const CHANNELS_LAST_DOMAIN = 'qonnx.custom_op.channels_last';

/** Op types {@link evalOnnxNode} implements (default domain, plus Quant/IntQuant/BipolarQuant in any domain). */
export const ONNX_EVAL_OPS = [
  'Identity', 'Dropout', 'Cast', 'Constant', 'ConstantOfShape', 'Shape', 'Gather', 'Unsqueeze', 'Squeeze',
  'Concat', 'Reshape', 'Flatten', 'Transpose', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sum', 'Neg', 'Sqrt', 'Reciprocal', 'Abs', 'Relu', 'LeakyRelu',
  'Sigmoid', 'Tanh', 'Selu', 'Elu', 'Softsign', 'Softplus', 'HardSigmoid', 'Softmax', 'Gemm', 'MatMul', 'Conv',
  'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'BatchNormalization', 'Pad', 'DepthToSpace',
  'Quant', 'IntQuant', 'BipolarQuant',
] as const;

/** Number of elements of a shape. @example shapeSize([2, 3]) // 6 */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** C-order strides of a shape. @example stridesOf([2, 3, 4]) // [12, 4, 1] */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Wraps an OnnxTensor as a Tensor. @example tensorOf(init) */
export function tensorOf(t: OnnxTensor): Tensor {
  return { shape: [...t.dims], data: t.data };
}

/** Numpy-style broadcast shape of two shapes, or undefined when they do not broadcast. @example broadcastShapes([1,3,1],[4,1]) // [1,3,4] */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Broadcasts a tensor to `shape` (numpy rules); throws ShapeError when impossible. @example broadcastTo(t, [1, 8, 4, 4]) */
export function broadcastTo(t: Tensor, shape: readonly number[], where = 'broadcast'): Tensor {
  const bs = broadcastShapes(t.shape, shape);
  if (!bs || bs.length !== shape.length || bs.some((d, i) => d !== shape[i])) {
    throw new ShapeError(where, `cannot broadcast [${t.shape.join(', ')}] to [${shape.join(', ')}]`);
  }
  if (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])) return t;
  const r = shape.length;
  const src = [...new Array<number>(r - t.shape.length).fill(1), ...t.shape];
  const ss = stridesOf(src).map((s, i) => (src[i] === 1 ? 0 : s));
  const n = shapeSize(shape);
  const out = new Float64Array(n);
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    for (let i = 0; i < r; i++) off += idx[i]! * ss[i]!;
    out[k] = t.data[off]!;
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return { shape: [...shape], data: out };
}

/**
 * Transposes a tensor: output axis j is input axis `perm[j]`.
 *
 * @example transpose({ shape: [2, 3], data }, [1, 0]).shape; // [3, 2]
 */
export function transpose(t: Tensor, perm: readonly number[]): Tensor {
  const r = t.shape.length;
  const outShape = perm.map((p) => t.shape[p]!);
  const inStr = stridesOf(t.shape);
  const st = perm.map((p) => inStr[p]!);
  const n = t.data.length;
  const out = new Float64Array(n);
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    out[k] = t.data[off]!;
    for (let i = r - 1; i >= 0; i--) {
      idx[i]!++;
      off += st[i]!;
      if (idx[i]! < outShape[i]!) break;
      off -= st[i]! * idx[i]!;
      idx[i] = 0;
    }
  }
  return { shape: outShape, data: out };
}

function binary(a: Tensor, b: Tensor, f: (x: number, y: number) => number, where: string): Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) throw new ShapeError(where, `inputs [${a.shape.join(', ')}] and [${b.shape.join(', ')}] do not broadcast`);
  const A = broadcastTo(a, shape, where);
  const B = broadcastTo(b, shape, where);
  const out = new Float64Array(A.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(A.data[i]!, B.data[i]!);
  return { shape, data: out };
}

function unary(a: Tensor, f: (x: number) => number): Tensor {
  return { shape: [...a.shape], data: a.data.map(f) };
}

// ---- attribute helpers -----------------------------------------------------------------------------

/**
 * Reads node attributes with defaults; errors name the node.
 *
 * @example
 * const a = new NodeAttrs(node, 'model.onnx');
 * a.ints('strides', [1, 1]); a.str('auto_pad', 'NOTSET');
 */
export class NodeAttrs {
  /** `node[3] (Conv 'conv1')`. */
  readonly where: string;
  constructor(readonly node: OnnxNode, source = '') {
    this.where = `${source ? `${source} ` : ''}node[${node.index}] (${node.opType}${node.name ? ` '${node.name}'` : ''})`;
  }
  /** The raw attribute. */
  get(name: string): OnnxAttribute | undefined {
    return this.node.attributes.get(name);
  }
  /** True when the attribute is present. */
  has(name: string): boolean {
    return this.node.attributes.has(name);
  }
  /** An INT attribute. */
  int(name: string, def?: number): number {
    const a = this.get(name);
    if (!a) {
      if (def === undefined) throw new FormatError(`${this.where}.${name}`, 'required attribute is missing');
      return def;
    }
    const v = a.i ?? a.f;
    if (v === undefined) throw new FormatError(`${this.where}.${name}`, 'expected an INT attribute');
    return v;
  }
  /** A FLOAT attribute (INT accepted). */
  float(name: string, def?: number): number {
    const a = this.get(name);
    if (!a) {
      if (def === undefined) throw new FormatError(`${this.where}.${name}`, 'required attribute is missing');
      return def;
    }
    const v = a.f ?? a.i;
    if (v === undefined) throw new FormatError(`${this.where}.${name}`, 'expected a FLOAT attribute');
    return v;
  }
  /** An INTS attribute. */
  ints(name: string, def?: number[]): number[] {
    const a = this.get(name);
    if (!a) {
      if (def === undefined) throw new FormatError(`${this.where}.${name}`, 'required attribute is missing');
      return def;
    }
    const v = a.ints ?? (a.i !== undefined ? [a.i] : undefined);
    if (v === undefined) throw new FormatError(`${this.where}.${name}`, 'expected an INTS attribute');
    return v;
  }
  /** A STRING attribute. */
  str(name: string, def?: string): string {
    const a = this.get(name);
    if (!a) {
      if (def === undefined) throw new FormatError(`${this.where}.${name}`, 'required attribute is missing');
      return def;
    }
    if (a.s === undefined) throw new FormatError(`${this.where}.${name}`, 'expected a STRING attribute');
    return a.s;
  }
}

function scalarOf(t: Tensor | undefined, def: number): number {
  if (!t || t.data.length === 0) return def;
  return t.data[0]!;
}

function intList(t: Tensor | undefined): number[] {
  return t ? Array.from(t.data, (v) => Math.trunc(v)) : [];
}

function normAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new FormatError(where, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Output shape of an ONNX Reshape (0 = copy unless allowzero, −1 = inferred). @example reshapeTarget([1,16,4,4],[1,-1],false,'r') // [1,256] */
export function reshapeTarget(inShape: readonly number[], target: readonly number[], allowZero: boolean, where: string): number[] {
  const total = shapeSize(inShape);
  const out = target.map((d, i) => (d === 0 && !allowZero ? inShape[i] ?? NaN : d));
  const neg = out.filter((d) => d === -1).length;
  if (neg > 1 || out.some((d) => Number.isNaN(d) || d < -1)) throw new FormatError(where, `invalid reshape target [${target.join(', ')}]`);
  if (neg === 1) {
    const known = out.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
    const inferred = known === 0 ? 0 : total / known;
    if (!Number.isInteger(inferred)) throw new ShapeError(where, `cannot reshape [${inShape.join(', ')}] to [${target.join(', ')}]`);
    out[out.indexOf(-1)] = inferred;
  }
  if (shapeSize(out) !== total) throw new ShapeError(where, `cannot reshape [${inShape.join(', ')}] (${total} values) to [${target.join(', ')}]`);
  return out;
}

/**
 * Begin/end pads of a conv or pool window along each spatial axis, from `auto_pad` / `pads`
 * (ONNX rules: SAME_UPPER puts the extra pad at the end, SAME_LOWER at the beginning).
 *
 * @example resolvePads(a, [28, 28], [5, 5], [1, 1], [1, 1]); // {begin: [2, 2], end: [2, 2]} for SAME_UPPER
 */
export function resolvePads(
  a: NodeAttrs,
  spatial: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
): { begin: number[]; end: number[] } {
  const r = spatial.length;
  const autoPad = a.str('auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET' || autoPad === '') {
    const pads = a.ints('pads', new Array<number>(2 * r).fill(0));
    if (pads.length !== 2 * r) throw new FormatError(`${a.where}.pads`, `expected ${2 * r} values, got ${pads.length}`);
    return { begin: pads.slice(0, r), end: pads.slice(r) };
  }
  if (autoPad === 'VALID') return { begin: new Array<number>(r).fill(0), end: new Array<number>(r).fill(0) };
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') throw new FormatError(`${a.where}.auto_pad`, `unknown auto_pad '${autoPad}'`);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < r; i++) {
    const out = Math.ceil(spatial[i]! / strides[i]!);
    const total = Math.max((out - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - spatial[i]!, 0);
    const small = Math.floor(total / 2);
    const big = total - small;
    begin.push(autoPad === 'SAME_UPPER' ? small : big);
    end.push(autoPad === 'SAME_UPPER' ? big : small);
  }
  return { begin, end };
}

// ---- ops ---------------------------------------------------------------------------------------------

function gemm(a: NodeAttrs, A: Tensor, B: Tensor, C: Tensor | undefined): Tensor {
  if (A.shape.length !== 2 || B.shape.length !== 2) throw new ShapeError(a.where, 'Gemm needs rank-2 A and B');
  const tA = a.int('transA', 0) !== 0;
  const tB = a.int('transB', 0) !== 0;
  const alpha = a.float('alpha', 1);
  const beta = a.float('beta', 1);
  const M = tA ? A.shape[1]! : A.shape[0]!;
  const K = tA ? A.shape[0]! : A.shape[1]!;
  const K2 = tB ? B.shape[1]! : B.shape[0]!;
  const N = tB ? B.shape[0]! : B.shape[1]!;
  if (K !== K2) throw new ShapeError(a.where, `inner dimensions differ: ${K} vs ${K2}`);
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const av = tA ? A.data[k * M + m]! : A.data[m * K + k]!;
        const bv = tB ? B.data[n * K + k]! : B.data[k * N + n]!;
        s += av * bv;
      }
      out[m * N + n] = alpha * s;
    }
  }
  if (C) {
    const Cb = broadcastTo(C, [M, N], a.where);
    for (let i = 0; i < out.length; i++) out[i]! += beta * Cb.data[i]!;
  }
  return { shape: [M, N], data: out };
}

function matmul(a: NodeAttrs, A: Tensor, B: Tensor): Tensor {
  if (A.shape.length < 1 || B.shape.length < 2) throw new UnsupportedError(a.where, 'MatMul with a rank-1 second input is not supported');
  const K = A.shape[A.shape.length - 1]!;
  const N = B.shape[B.shape.length - 1]!;
  if (B.shape[B.shape.length - 2] !== K) throw new ShapeError(a.where, `inner dimensions differ: [${A.shape.join(', ')}] × [${B.shape.join(', ')}]`);
  if (B.shape.length === 2) {
    const M = A.data.length / K;
    const out = new Float64Array(M * N);
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A.data[m * K + k]! * B.data[k * N + n]!;
        out[m * N + n] = s;
      }
    }
    return { shape: [...A.shape.slice(0, -1), N], data: out };
  }
  const lead = A.shape.slice(0, -2);
  if (A.shape.length !== B.shape.length || lead.some((d, i) => d !== B.shape[i])) {
    throw new UnsupportedError(a.where, 'batched MatMul with broadcasting leading dimensions is not supported');
  }
  const M = A.shape[A.shape.length - 2]!;
  const batches = shapeSize(lead);
  const out = new Float64Array(batches * M * N);
  for (let bt = 0; bt < batches; bt++) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A.data[bt * M * K + m * K + k]! * B.data[bt * K * N + k * N + n]!;
        out[bt * M * N + m * N + n] = s;
      }
    }
  }
  return { shape: [...lead, M, N], data: out };
}

/** Views a 1D (N, C, L) tensor as 2D (N, C, 1, L). */
function as2d(t: Tensor): Tensor {
  return t.shape.length === 3 ? { shape: [t.shape[0]!, t.shape[1]!, 1, t.shape[2]!], data: t.data } : t;
}

function spatialParams(a: NodeAttrs, spatial: number[], kernel: number[]): { strides: number[]; dil: number[]; begin: number[]; end: number[] } {
  const r = spatial.length;
  const strides = a.ints('strides', new Array<number>(r).fill(1));
  const dil = a.ints('dilations', new Array<number>(r).fill(1));
  const { begin, end } = resolvePads(a, spatial, kernel, strides, dil);
  return { strides, dil, begin, end };
}

function lift2d(v: number[], fill: number): [number, number] {
  return v.length === 1 ? [fill, v[0]!] : [v[0]!, v[1]!];
}

function conv(a: NodeAttrs, X: Tensor, W: Tensor, B: Tensor | undefined): Tensor {
  const rank = X.shape.length;
  if (rank !== 3 && rank !== 4) throw new UnsupportedError(a.where, `Conv on a rank-${rank} input is not supported (1D/2D only)`);
  const spatial = X.shape.slice(2);
  const kernel = W.shape.slice(2);
  const group = a.int('group', 1);
  const { strides, dil, begin, end } = spatialParams(a, spatial, kernel);
  const x = as2d(X);
  const [N, C, H, Wd] = x.shape as [number, number, number, number];
  const F = W.shape[0]!;
  const Cg = W.shape[1]!;
  if (Cg * group !== C || F % group !== 0) throw new ShapeError(a.where, `weights [${W.shape.join(', ')}] do not fit ${C} input channels with group ${group}`);
  const [kh, kw] = lift2d(kernel, 1);
  const [sh, sw] = lift2d(strides, 1);
  const [dh, dw] = lift2d(dil, 1);
  const [pt, pl] = lift2d(begin, 0);
  const [pb, pr] = lift2d(end, 0);
  const OH = Math.floor((H + pt + pb - ((kh - 1) * dh + 1)) / sh) + 1;
  const OW = Math.floor((Wd + pl + pr - ((kw - 1) * dw + 1)) / sw) + 1;
  if (OH < 1 || OW < 1) throw new ShapeError(a.where, 'empty output');
  const Fg = F / group;
  const out = new Float64Array(N * F * OH * OW);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      const g = Math.floor(f / Fg);
      const bias = B ? B.data[f]! : 0;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let s = 0;
          for (let c = 0; c < Cg; c++) {
            const ci = g * Cg + c;
            for (let i = 0; i < kh; i++) {
              const ih = oh * sh - pt + i * dh;
              if (ih < 0 || ih >= H) continue;
              for (let j = 0; j < kw; j++) {
                const iw = ow * sw - pl + j * dw;
                if (iw < 0 || iw >= Wd) continue;
                s += x.data[((n * C + ci) * H + ih) * Wd + iw]! * W.data[((f * Cg + c) * kh + i) * kw + j]!;
              }
            }
          }
          out[((n * F + f) * OH + oh) * OW + ow] = s + bias;
        }
      }
    }
  }
  return { shape: rank === 3 ? [N, F, OW] : [N, F, OH, OW], data: out };
}

function pool(a: NodeAttrs, X: Tensor, kind: 'max' | 'avg'): Tensor {
  const rank = X.shape.length;
  if (rank !== 3 && rank !== 4) throw new UnsupportedError(a.where, `pooling on a rank-${rank} input is not supported (1D/2D only)`);
  const spatial = X.shape.slice(2);
  const kernel = a.ints('kernel_shape');
  const { strides, dil, begin, end } = spatialParams(a, spatial, kernel);
  if (dil.some((d) => d !== 1)) throw new UnsupportedError(a.where, 'dilated pooling is not supported');
  const ceil = a.int('ceil_mode', 0) !== 0;
  const countPad = a.int('count_include_pad', 0) !== 0;
  const x = as2d(X);
  const [N, C, H, Wd] = x.shape as [number, number, number, number];
  const [kh, kw] = lift2d(kernel, 1);
  const [sh, sw] = lift2d(strides, 1);
  const [pt, pl] = lift2d(begin, 0);
  const [pb, pr] = lift2d(end, 0);
  const rnd = ceil ? Math.ceil : Math.floor;
  let OH = rnd((H + pt + pb - kh) / sh) + 1;
  let OW = rnd((Wd + pl + pr - kw) / sw) + 1;
  // ceil mode: the last window must start inside the (left-padded) input
  if (ceil && (OH - 1) * sh >= H + pt) OH--;
  if (ceil && (OW - 1) * sw >= Wd + pl) OW--;
  const out = new Float64Array(N * C * OH * OW);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * H * Wd;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let acc = kind === 'max' ? -Infinity : 0;
          let cnt = 0;
          let padCnt = 0;
          for (let i = 0; i < kh; i++) {
            const ih = oh * sh - pt + i;
            for (let j = 0; j < kw; j++) {
              const iw = ow * sw - pl + j;
              const inPadded = ih < H + pb && iw < Wd + pr; // ceil-mode overhang beyond the pads is not counted
              if (ih < 0 || ih >= H || iw < 0 || iw >= Wd) {
                if (inPadded) padCnt++;
                continue;
              }
              const v = x.data[base + ih * Wd + iw]!;
              if (kind === 'max') acc = v > acc ? v : acc;
              else acc += v;
              cnt++;
            }
          }
          out[((n * C + c) * OH + oh) * OW + ow] = kind === 'max' ? acc : acc / (countPad ? cnt + padCnt : cnt);
        }
      }
    }
  }
  return { shape: rank === 3 ? [N, C, OW] : [N, C, OH, OW], data: out };
}

function globalPool(X: Tensor, kind: 'max' | 'avg'): Tensor {
  const [N, C] = X.shape as [number, number];
  const inner = shapeSize(X.shape.slice(2));
  const out = new Float64Array(N * C);
  for (let i = 0; i < N * C; i++) {
    let acc = kind === 'max' ? -Infinity : 0;
    for (let k = 0; k < inner; k++) {
      const v = X.data[i * inner + k]!;
      acc = kind === 'max' ? Math.max(acc, v) : acc + v;
    }
    out[i] = kind === 'max' ? acc : acc / inner;
  }
  return { shape: [N, C, ...X.shape.slice(2).map(() => 1)], data: out };
}

function batchNorm(a: NodeAttrs, X: Tensor, p: Tensor[], chAxis: number): Tensor {
  if (a.int('training_mode', 0) !== 0) throw new UnsupportedError(a.where, 'BatchNormalization in training mode is not supported');
  const eps = a.float('epsilon', 1e-5);
  const C = X.shape[chAxis]!;
  for (const t of p) if (t.data.length !== C) throw new ShapeError(a.where, `parameters have ${t.data.length} values for ${C} channels`);
  const [g, b, m, v] = p as [Tensor, Tensor, Tensor, Tensor];
  const inner = shapeSize(X.shape.slice(chAxis + 1));
  const out = new Float64Array(X.data.length);
  for (let i = 0; i < out.length; i++) {
    const c = Math.floor(i / inner) % C;
    out[i] = (g.data[c]! * (X.data[i]! - m.data[c]!)) / Math.sqrt(v.data[c]! + eps) + b.data[c]!;
  }
  return { shape: [...X.shape], data: out };
}

function softmax(a: NodeAttrs, X: Tensor, opset: number): Tensor {
  const r = X.shape.length;
  const axis = normAxis(a.int('axis', opset >= 13 ? -1 : 1), r, a.where);
  const out = new Float64Array(X.data.length);
  if (opset < 13) {
    const inner = shapeSize(X.shape.slice(axis));
    for (let o = 0; o < X.data.length; o += inner) {
      let mx = -Infinity;
      for (let k = 0; k < inner; k++) mx = Math.max(mx, X.data[o + k]!);
      let s = 0;
      for (let k = 0; k < inner; k++) s += out[o + k] = Math.exp(X.data[o + k]! - mx);
      for (let k = 0; k < inner; k++) out[o + k]! /= s;
    }
    return { shape: [...X.shape], data: out };
  }
  const D = X.shape[axis]!;
  const inner = shapeSize(X.shape.slice(axis + 1));
  const outer = shapeSize(X.shape.slice(0, axis));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (d: number) => (o * D + d) * inner + i;
      let mx = -Infinity;
      for (let d = 0; d < D; d++) mx = Math.max(mx, X.data[at(d)]!);
      let s = 0;
      for (let d = 0; d < D; d++) s += out[at(d)] = Math.exp(X.data[at(d)]! - mx);
      for (let d = 0; d < D; d++) out[at(d)]! /= s;
    }
  }
  return { shape: [...X.shape], data: out };
}

function concat(a: NodeAttrs, xs: Tensor[]): Tensor {
  const r = xs[0]!.shape.length;
  const axis = normAxis(a.int('axis'), r, a.where);
  const outShape = [...xs[0]!.shape];
  outShape[axis] = 0;
  for (const x of xs) {
    if (x.shape.length !== r || x.shape.some((d, i) => i !== axis && d !== xs[0]!.shape[i])) {
      throw new ShapeError(a.where, `Concat inputs must agree except on axis ${axis}`);
    }
    outShape[axis]! += x.shape[axis]!;
  }
  const outer = shapeSize(outShape.slice(0, axis));
  const out = new Float64Array(shapeSize(outShape));
  let off = 0;
  for (let o = 0; o < outer; o++) {
    for (const x of xs) {
      const chunk = shapeSize(x.shape.slice(axis));
      out.set(x.data.subarray(o * chunk, (o + 1) * chunk), off);
      off += chunk;
    }
  }
  return { shape: outShape, data: out };
}

function gather(a: NodeAttrs, X: Tensor, I: Tensor): Tensor {
  const r = X.shape.length;
  const axis = normAxis(a.int('axis', 0), r, a.where);
  const D = X.shape[axis]!;
  const outer = shapeSize(X.shape.slice(0, axis));
  const inner = shapeSize(X.shape.slice(axis + 1));
  const idx = Array.from(I.data, (v) => (v < 0 ? v + D : v));
  if (idx.some((v) => v < 0 || v >= D || !Number.isInteger(v))) throw new FormatError(a.where, 'Gather index out of range');
  const out = new Float64Array(outer * idx.length * inner);
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const ix of idx) {
      for (let i = 0; i < inner; i++) out[k++] = X.data[(o * D + ix) * inner + i]!;
    }
  }
  return { shape: [...X.shape.slice(0, axis), ...I.shape, ...X.shape.slice(axis + 1)], data: out };
}

function pad(a: NodeAttrs, X: Tensor, inputs: (Tensor | undefined)[], opset: number): Tensor {
  const mode = a.str('mode', 'constant');
  if (mode !== 'constant') throw new UnsupportedError(a.where, `Pad mode '${mode}' is not supported (constant only)`);
  const r = X.shape.length;
  let pads: number[];
  let value: number;
  if (opset >= 11) {
    pads = intList(inputs[1]);
    value = scalarOf(inputs[2], 0);
    if (inputs[3]) {
      const axes = intList(inputs[3]).map((x) => normAxis(x, r, a.where));
      const full = new Array<number>(2 * r).fill(0);
      axes.forEach((ax, i) => {
        full[ax] = pads[i]!;
        full[ax + r] = pads[i + axes.length]!;
      });
      pads = full;
    }
  } else {
    pads = a.ints('pads');
    value = a.float('value', 0);
  }
  if (pads.length !== 2 * r) throw new FormatError(a.where, `pads has ${pads.length} values for a rank-${r} input`);
  if (pads.some((p) => p < 0)) throw new UnsupportedError(a.where, 'negative pads (cropping) are not supported');
  const outShape = X.shape.map((d, i) => d + pads[i]! + pads[i + r]!);
  const out = new Float64Array(shapeSize(outShape)).fill(value);
  const os = stridesOf(outShape);
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < X.data.length; k++) {
    let off = 0;
    for (let i = 0; i < r; i++) off += (idx[i]! + pads[i]!) * os[i]!;
    out[off] = X.data[k]!;
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i]! < X.shape[i]!) break;
      idx[i] = 0;
    }
  }
  return { shape: outShape, data: out };
}

function depthToSpace(a: NodeAttrs, X: Tensor): Tensor {
  const bs = a.int('blocksize');
  const mode = a.str('mode', 'DCR');
  const [N, C, H, W] = X.shape as [number, number, number, number];
  const Co = C / (bs * bs);
  const out = new Float64Array(X.data.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < Co; c++) {
      for (let h = 0; h < H * bs; h++) {
        for (let w = 0; w < W * bs; w++) {
          const bh = h % bs;
          const bw = w % bs;
          const ci = mode === 'DCR' ? (bh * bs + bw) * Co + c : c * bs * bs + bh * bs + bw;
          out[((n * Co + c) * H * bs + h) * W * bs + w] = X.data[((n * C + ci) * H + Math.floor(h / bs)) * W + Math.floor(w / bs)]!;
        }
      }
    }
  }
  return { shape: [N, Co, H * bs, W * bs], data: out };
}

function quant(a: NodeAttrs, X: Tensor, S: Tensor, Z: Tensor, B: Tensor): Tensor {
  const signed = a.int('signed', 1) !== 0;
  const narrow = a.int('narrow', 0) !== 0;
  const mode = a.str('rounding_mode', 'ROUND');
  const shape = broadcastShapes(broadcastShapes(broadcastShapes(X.shape, S.shape) ?? [], Z.shape) ?? [], B.shape);
  if (!shape) throw new ShapeError(a.where, 'Quant inputs do not broadcast');
  const [x, s, z, b] = [X, S, Z, B].map((t) => broadcastTo(t, shape, a.where)) as [Tensor, Tensor, Tensor, Tensor];
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = qonnxQuant(x.data[i]!, s.data[i]!, z.data[i]!, b.data[i]!, signed, narrow, mode);
  return { shape, data: out };
}

function squeezeAxes(a: NodeAttrs, inputs: (Tensor | undefined)[], opset: number): number[] | undefined {
  if (opset >= 13) return inputs[1] ? intList(inputs[1]) : undefined;
  return a.has('axes') ? a.ints('axes') : undefined;
}

function tensorFromAttr(a: NodeAttrs): Tensor {
  const at = a.node.attributes;
  const t = at.get('value')?.t;
  if (t) return tensorOf(t);
  const vf = at.get('value_float');
  if (vf) return { shape: [], data: Float64Array.of(vf.f ?? 0) };
  const vfs = at.get('value_floats');
  if (vfs) return { shape: [vfs.floats?.length ?? 0], data: Float64Array.from(vfs.floats ?? []) };
  const vi = at.get('value_int');
  if (vi) return { shape: [], data: Float64Array.of(vi.i ?? 0) };
  const vis = at.get('value_ints');
  if (vis) return { shape: [vis.ints?.length ?? 0], data: Float64Array.from(vis.ints ?? []) };
  throw new UnsupportedError(a.where, 'Constant without a value / value_float(s) / value_int(s) attribute is not supported');
}

const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

function need(inputs: (Tensor | undefined)[], k: number, a: NodeAttrs): Tensor {
  const t = inputs[k];
  if (!t) throw new FormatError(a.where, `input ${k} is missing`);
  return t;
}

/** Wraps a channels-last (NHWC) op: transpose inputs to NCHW, evaluate, transpose back. */
function channelsLast(node: OnnxNode, inputs: (Tensor | undefined)[], opset: number, source: string): Tensor[] {
  const x = inputs[0]!;
  const r = x.shape.length;
  const toFirst = [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)];
  const toLast = [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];
  const ins = inputs.map((t, i) => (t && (i === 0 || (node.opType === 'Conv' && i === 1)) ? transpose(t, toFirst) : t));
  const std = { ...node, domain: '' };
  const [y] = evalOnnxNode(std, ins, opset, source);
  return [transpose(y!, toLast)];
}

/**
 * Evaluates one ONNX node in float64. `inputs` follow `node.inputs` (undefined for omitted optional
 * inputs); `opset` is the default-domain opset (it changes Softmax, Squeeze/Unsqueeze, Pad, Reshape).
 *
 * @throws {UnsupportedError} naming the node for ops/options outside {@link ONNX_EVAL_OPS}.
 * @example
 * const [y] = evalOnnxNode(reluNode, [{ shape: [1, 2], data: Float64Array.of(-1, 2) }], 13); // data [0, 2]
 */
export function evalOnnxNode(node: OnnxNode, inputs: (Tensor | undefined)[], opset = 13, source = ''): Tensor[] {
  const a = new NodeAttrs(node, source);
  const op = node.opType;
  if (node.domain === CHANNELS_LAST_DOMAIN) {
    if (op === 'Conv' || op === 'MaxPool' || op === 'BatchNormalization') return channelsLast(node, inputs, opset, source);
    throw new UnsupportedError(a.where, `channels-last op ${op} is not supported`);
  }
  const x = () => need(inputs, 0, a);
  switch (op) {
    case 'Identity':
    case 'Dropout':
      return [x(), { shape: [...x().shape], data: new Float64Array(x().data.length).fill(1) }];
    case 'Cast': {
      const to = a.int('to');
      if ([2, 3, 4, 5, 6, 7, 12, 13].includes(to)) return [unary(x(), Math.trunc)];
      if (to === 9) return [unary(x(), (v) => (v !== 0 ? 1 : 0))];
      return [x()];
    }
    case 'Constant':
      return [tensorFromAttr(a)];
    case 'ConstantOfShape': {
      const shape = intList(x());
      const v = a.get('value')?.t;
      return [{ shape, data: new Float64Array(shapeSize(shape)).fill(v ? v.data[0] ?? 0 : 0) }];
    }
    case 'Shape': {
      const r = x().shape.length;
      let start = a.int('start', 0);
      let end = a.int('end', r);
      if (start < 0) start += r;
      if (end < 0) end += r;
      const s = x().shape.slice(Math.max(0, start), Math.min(r, end));
      return [{ shape: [s.length], data: Float64Array.from(s) }];
    }
    case 'Gather':
      return [gather(a, x(), need(inputs, 1, a))];
    case 'Unsqueeze': {
      const axes = squeezeAxes(a, inputs, opset);
      if (!axes) throw new FormatError(a.where, 'Unsqueeze needs axes');
      const r = x().shape.length + axes.length;
      const ax = axes.map((v) => normAxis(v, r, a.where)).sort((p, q) => p - q);
      const shape = [...x().shape];
      for (const v of ax) shape.splice(v, 0, 1);
      return [{ shape, data: x().data }];
    }
    case 'Squeeze': {
      const axes = squeezeAxes(a, inputs, opset);
      const r = x().shape.length;
      const ax = axes ? axes.map((v) => normAxis(v, r, a.where)) : x().shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
      if (ax.some((i) => x().shape[i] !== 1)) throw new ShapeError(a.where, 'cannot squeeze an axis whose size is not 1');
      return [{ shape: x().shape.filter((_, i) => !ax.includes(i)), data: x().data }];
    }
    case 'Concat':
      return [concat(a, inputs.filter((t): t is Tensor => !!t))];
    case 'Reshape': {
      const target = opset >= 5 ? intList(need(inputs, 1, a)) : a.ints('shape');
      return [{ shape: reshapeTarget(x().shape, target, a.int('allowzero', 0) !== 0, a.where), data: x().data }];
    }
    case 'Flatten': {
      const r = x().shape.length;
      const axis = a.int('axis', 1);
      const ax = axis < 0 ? axis + r : axis;
      return [{ shape: [shapeSize(x().shape.slice(0, ax)), shapeSize(x().shape.slice(ax))], data: x().data }];
    }
    case 'Transpose': {
      const r = x().shape.length;
      const perm = a.ints('perm', Array.from({ length: r }, (_, i) => r - 1 - i));
      return [transpose(x(), perm)];
    }
    case 'Add':
      return [binary(x(), need(inputs, 1, a), (p, q) => p + q, a.where)];
    case 'Sub':
      return [binary(x(), need(inputs, 1, a), (p, q) => p - q, a.where)];
    case 'Mul':
      return [binary(x(), need(inputs, 1, a), (p, q) => p * q, a.where)];
    case 'Div':
      return [binary(x(), need(inputs, 1, a), (p, q) => p / q, a.where)];
    case 'Pow':
      return [binary(x(), need(inputs, 1, a), (p, q) => Math.pow(p, q), a.where)];
    case 'Sqrt':
      return [unary(x(), Math.sqrt)];
    case 'Reciprocal':
      return [unary(x(), (v) => 1 / v)];
    case 'Abs':
      return [unary(x(), Math.abs)];
    case 'Sum':
      return [inputs.filter((t): t is Tensor => !!t).reduce((p, q) => binary(p, q, (u, v) => u + v, a.where))];
    case 'Neg':
      return [unary(x(), (v) => -v)];
    case 'Relu':
      return [unary(x(), (v) => (v > 0 ? v : 0))];
    case 'LeakyRelu': {
      const al = a.float('alpha', 0.01);
      return [unary(x(), (v) => (v >= 0 ? v : al * v))];
    }
    case 'Sigmoid':
      return [unary(x(), (v) => 1 / (1 + Math.exp(-v)))];
    case 'Tanh':
      return [unary(x(), Math.tanh)];
    case 'Selu': {
      const al = a.float('alpha', SELU_ALPHA);
      const g = a.float('gamma', SELU_GAMMA);
      return [unary(x(), (v) => (v > 0 ? g * v : g * al * (Math.exp(v) - 1)))];
    }
    case 'Elu': {
      const al = a.float('alpha', 1);
      return [unary(x(), (v) => (v >= 0 ? v : al * (Math.exp(v) - 1)))];
    }
    case 'Softsign':
      return [unary(x(), (v) => v / (1 + Math.abs(v)))];
    case 'Softplus':
      return [unary(x(), (v) => Math.log(1 + Math.exp(v)))];
    case 'HardSigmoid': {
      const al = a.float('alpha', 0.2);
      const be = a.float('beta', 0.5);
      return [unary(x(), (v) => Math.max(0, Math.min(1, al * v + be)))];
    }
    case 'Softmax':
      return [softmax(a, x(), opset)];
    case 'Gemm':
      return [gemm(a, x(), need(inputs, 1, a), inputs[2])];
    case 'MatMul':
      return [matmul(a, x(), need(inputs, 1, a))];
    case 'Conv':
      return [conv(a, x(), need(inputs, 1, a), inputs[2])];
    case 'MaxPool':
      return [pool(a, x(), 'max')];
    case 'AveragePool':
      return [pool(a, x(), 'avg')];
    case 'GlobalAveragePool':
      return [globalPool(x(), 'avg')];
    case 'GlobalMaxPool':
      return [globalPool(x(), 'max')];
    case 'BatchNormalization':
      return [batchNorm(a, x(), [1, 2, 3, 4].map((k) => need(inputs, k, a)), 1)];
    case 'Pad':
      return [pad(a, x(), inputs, opset)];
    case 'DepthToSpace':
      return [depthToSpace(a, x())];
    case 'Quant':
    case 'IntQuant':
      return [quant(a, x(), need(inputs, 1, a), need(inputs, 2, a), need(inputs, 3, a))];
    case 'BipolarQuant': {
      const s = broadcastTo(need(inputs, 1, a), broadcastShapes(x().shape, need(inputs, 1, a).shape) ?? x().shape, a.where);
      const X = broadcastTo(x(), s.shape, a.where);
      return [{ shape: s.shape, data: X.data.map((v, i) => qonnxBipolar(v, s.data[i]!)) }];
    }
    default:
      throw new UnsupportedError(a.where, `ONNX op ${node.domain ? `${node.domain}.` : ''}${op} is not supported by the reference evaluator`);
  }
}

/** Default-domain opset of a model (ai.onnx), 13 when not declared. @example defaultOpset(decodeOnnxModel(bytes)) // 11 */
export function defaultOpset(model: OnnxModel): number {
  return model.opsets.get('') ?? 13;
}

/**
 * Runs an ONNX graph in float64 (NCHW, as ONNX defines it) on the given inputs: every node the
 * graph outputs depend on (dead nodes are skipped). Returns every computed value by name.
 *
 * @example
 * const out = runOnnxModel('model.onnx', { input: { shape: [1, 16], data: x } });
 * out.get('output')!.data;
 */
export function runOnnxModel(model: OnnxModel | Uint8Array | string, feeds: Record<string, Tensor>): Map<string, Tensor> {
  const m = typeof model === 'string' ? decodeOnnxModel(readFileSync(model), model) : model instanceof Uint8Array ? decodeOnnxModel(model) : model;
  const opset = defaultOpset(m);
  const env = new Map<string, Tensor>();
  for (const [k, t] of m.graph.initializers) env.set(k, tensorOf(t));
  for (const [k, t] of Object.entries(feeds)) env.set(k, t);
  // only the nodes the graph outputs depend on
  const producer = new Map<string, OnnxNode>();
  for (const n of m.graph.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const live = new Set<OnnxNode>();
  const stack = m.graph.outputs.map((o) => o.name);
  while (stack.length) {
    const p = producer.get(stack.pop()!);
    if (p && !live.has(p)) {
      live.add(p);
      for (const i of p.inputs) if (i && !env.has(i)) stack.push(i);
    }
  }
  for (const node of m.graph.nodes) {
    if (!live.has(node)) continue;
    const ins = node.inputs.map((n) => {
      if (n === '') return undefined;
      const t = env.get(n);
      if (!t) throw new FormatError(`node[${node.index}] (${node.opType}${node.name ? ` '${node.name}'` : ''})`, `input '${n}' is not defined before use`);
      return t;
    });
    const outs = evalOnnxNode(node, ins, opset);
    node.outputs.forEach((o, i) => {
      if (o && outs[i]) env.set(o, outs[i]!);
    });
  }
  return env;
}
