/**
 * Permute / transpose (Keras `Permute(dims)`, and the transposes the ONNX importer must keep as
 * layers; hls4ml `Transpose`, `nnet::transpose`), and hls4ml's three passes that remove Transpose
 * layers ({@link TRANSPOSE_PASSES}).
 *
 * hls4ml sources: converters/keras/reshape.py (parse_permute_layer: perm = dims − 1),
 * converters/keras_v3/core.py (PermuteHandler), converters/onnx/reshape.py (perm = attr[1:] − 1),
 * model/layers.py (Transpose: output precision = input precision; a one-axis perm becomes [0]),
 * model/optimizer/passes/infer_precision.py (output matching), model/optimizer/passes/transpose_opt.py
 * (remove_nop_transpose: perm [0]; remove_single_channel_transpose: io_parallel, a Transpose right
 * after the Input whose first dimension is 1 is removed and the input shape rotated left, whatever
 * the perm), model/optimizer/passes/convert_to_channels_last.py (remove_transpose_before_flatten:
 * io_parallel, Transpose → Flatten → Dense: the Transpose is removed and the Dense weights permuted
 * as if the perm were (1, 0) / (2, 0, 1)), utils/transpose_utils.py (transpose_config_gen),
 * backends/vivado/passes/reshaping_templates.py, nnet_utils/nnet_transpose*.h.
 */
import { ShapeError } from '../errors.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { HlsGraph, HlsNode } from '../graph/hls-graph.js';
import { transpose, transposeGeometry } from '../kernels/index.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { RESHAPE_HEADER } from '../emit/cpp/reshape-ext.js';
import { FormatError } from '../errors.js';
import { LayerCheck, lowered } from './common.js';
import type { FirmwareClassSpec, HlsClassSpec, LayerModule, ModelClassSpec } from './spec.js';

/** Transpose config: the input shape and the permutation (`to_shape`, `perm_strides` derive from them). */
export interface TransposeFirmwareConfig {
  perm: number[];
  from_shape: number[];
}

/** A firmware transpose layer. */
export interface TransposeLayer extends FirmwareLayerBase<'Transpose', TransposeFirmwareConfig, never, never> {}

const prod = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

const permuteModel: ModelClassSpec = {
  keras: {
    arity: 'one',
    attrs(r) {
      const v = r.config['dims'];
      if (!Array.isArray(v) || !v.every((d) => typeof d === 'number' && Number.isInteger(d))) throw new FormatError(r.field('dims'), `expected a list of axes, got ${JSON.stringify(v)}`);
      return { dims: v as number[] };
    },
    outputShape([x = []], a, r) {
      const dims = a.dims as number[];
      const sorted = [...dims].sort((p, q) => p - q);
      if (dims.length !== x.length || sorted.some((d, k) => d !== k + 1)) throw new FormatError(r.field('dims'), `${JSON.stringify(dims)} is not a permutation of 1..${x.length}`);
      return dims.map((d) => x[d - 1]!);
    },
  },
  hlsClass: () => 'Transpose',
  typeKey: () => 'Permute',
  build: (l) => {
    const perm = (l.attrs.dims as number[]).map((d) => d - 1);
    return { cls: 'Transpose', attrs: { perm: perm.length === 1 ? [0] : perm } };
  },
  float(l, [x], ctx) {
    const inS = l.inputShapes[0]!;
    const perm = (l.attrs.dims as number[]).map((d) => d - 1);
    const g = transposeGeometry(inS, perm, ctx.where);
    const y = new Float64Array(x!.length);
    for (let s = 0; s < ctx.n; s++) {
      const base = s * g.N;
      for (let i = 0; i < g.N; i++) {
        let rest = i;
        let idx = 0;
        for (let d = g.dims - 1; d >= 0; d--) {
          idx += (rest % g.to_shape[d]!) * g.perm_strides[d]!;
          rest = Math.floor(rest / g.to_shape[d]!);
        }
        y[base + i] = x![base + idx]!;
      }
    }
    return y;
  },
};

const hls: HlsClassSpec = {
  types: [{ name: 'result' }],
  resultFromInput: true,
  infer(n, [x]) {
    if (n.types.result === 'auto') n.types.result = x!;
  },
  lower(n, ctx): TransposeLayer {
    const input = ctx.inputTypes[0]!;
    return { ...lowered(n, ctx, 'Transpose', { perm: [...(n.attrs.perm as number[])], from_shape: [...n.shapeIn[0]!] }), types: { input, result: input }, weights: {} };
  },
};

// ---------------------------------------------------------------------------------------------
// hls4ml's Transpose removal passes (the first passes of its convert flow)
// ---------------------------------------------------------------------------------------------

const isPerm = (p: readonly number[], want: readonly number[]): boolean => p.length === want.length && p.every((v, k) => v === want[k]);

/** Rewire a single-input node's consumers to its input, giving them `shape` as their input shape. */
function bypass(g: HlsGraph, node: HlsNode, shape: number[]): void {
  const src = node.inputs[0]!;
  for (const c of g.nodes) {
    if (!c.inputs.includes(node.name)) continue;
    // new arrays: a node's shapes may be shared with the model layer it was built from
    c.shapeIn = c.shapeIn.map((s, k) => (c.inputs[k] === node.name ? [...shape] : s));
    c.inputs = c.inputs.map((i) => (i === node.name ? src : i));
  }
  g.outputs = g.outputs.map((o) => (o === node.name ? src : o));
  g.nodes = g.nodes.filter((n) => n !== node);
}

/** hls4ml `remove_transpose_before_flatten` (io_parallel): Transpose → Flatten → Dense loses the Transpose, the Dense its row order. */
function removeTransposeBeforeFlatten(g: HlsGraph): boolean {
  if (g.ioType !== 'io_parallel') return false;
  for (const flat of g.nodes) {
    if (flat.cls !== 'Reshape' || flat.shapeOut.length !== 1) continue;
    const t = g.nodes.find((n) => n.name === flat.inputs[0]);
    const users = g.nodes.filter((n) => n.inputs.includes(flat.name));
    if (!t || t.cls !== 'Transpose' || users.length !== 1 || users[0]!.cls !== 'Dense' || g.outputs.includes(flat.name)) continue;
    const dense = users[0]!;
    const tShape = t.shapeOut; // hls4ml: input_shape = the Transpose's output shape
    let axes: number[];
    if (tShape.length === 2) axes = [1, 0];
    else if (tShape.length === 3) axes = [1, 2, 0];
    else continue; // hls4ml keeps it
    const perm = t.attrs.perm as number[];
    if (!isPerm(perm, tShape.length === 2 ? [1, 0] : [2, 0, 1])) {
      g.warnings.push(`${t.name}: hls4ml's remove_transpose_before_flatten removes this Transpose (perm ${JSON.stringify(perm)}) and permutes ${dense.name}'s weights as if the perm were ${tShape.length === 2 ? '(1, 0)' : '(2, 0, 1)'}: the firmware differs from the model (emulated as hls4ml does)`);
    }
    // W' = W.reshape(*tShape, out).transpose(*axes, last).reshape(-1, out)
    const w = dense.weights.weight!;
    const nOut = w.shape[w.shape.length - 1]!;
    const dims = [...tShape, nOut];
    const newDims = [...axes.map((a) => tShape[a]!), nOut];
    const strides = dims.map((_, k) => prod(dims.slice(k + 1)));
    const src = [...axes, tShape.length].map((a) => strides[a]!);
    const out = new (w.data.constructor as Float32ArrayConstructor)(w.data.length);
    for (let i = 0; i < out.length; i++) {
      let rest = i;
      let k = 0;
      for (let d = newDims.length - 1; d >= 0; d--) {
        k += (rest % newDims[d]!) * src[d]!;
        rest = Math.floor(rest / newDims[d]!);
      }
      out[i] = w.data[k]!;
    }
    dense.weights.weight = { data: out, shape: w.shape };
    bypass(g, t, t.shapeIn[0]!);
    g.changes.push(`${t.name} (Transpose) removed before ${flat.name} (Flatten): ${dense.name}'s weights permuted instead (remove_transpose_before_flatten)`);
    return true;
  }
  return false;
}

/** hls4ml `remove_nop_transpose`: a Transpose with perm [0] (one axis) is dropped. */
function removeNopTranspose(g: HlsGraph): boolean {
  const t = g.nodes.find((n) => n.cls === 'Transpose' && isPerm(n.attrs.perm as number[], [0]));
  if (!t) return false;
  bypass(g, t, t.shapeIn[0]!);
  g.changes.push(`${t.name} (Transpose) removed: one axis (remove_nop_transpose)`);
  return true;
}

/** hls4ml `remove_single_channel_transpose` (io_parallel): a Transpose right after the Input whose first dimension is 1. */
function removeSingleChannelTranspose(g: HlsGraph): boolean {
  if (g.ioType !== 'io_parallel') return false;
  for (const t of g.nodes) {
    if (t.cls !== 'Transpose') continue;
    const input = g.nodes.find((n) => n.name === t.inputs[0]);
    if (!input || input.cls !== 'Input' || input.shapeOut[0] !== 1) continue;
    const s = input.shapeOut;
    const rotated = [...s.slice(1), s[0]!];
    const perm = t.attrs.perm as number[];
    const rotation = s.map((_, k) => (k + 1) % s.length);
    if (!isPerm(perm, rotation)) {
      g.warnings.push(
        `${t.name}: hls4ml's remove_single_channel_transpose removes this Transpose (perm ${JSON.stringify(perm)}) after the input ${JSON.stringify(s)} and only rotates the input shape to ${JSON.stringify(rotated)}: the data is not transposed, unlike the model (emulated as hls4ml does)`,
      );
    }
    // The firmware input is the flat input array, read by the consumers as the Transpose's output shape.
    input.shapeOut = [...t.shapeOut];
    bypass(g, t, t.shapeOut);
    g.changes.push(`${t.name} (Transpose) removed after the input: its first dimension is 1 (remove_single_channel_transpose)`);
    return true;
  }
  return false;
}

/** hls4ml's Transpose removal passes, in its convert-flow order. */
export const TRANSPOSE_PASSES = [
  { name: 'remove_transpose_before_flatten', run: (g: HlsGraph) => removeTransposeBeforeFlatten(g) },
  { name: 'remove_nop_transpose', run: (g: HlsGraph) => removeNopTranspose(g) },
  { name: 'remove_single_channel_transpose', run: (g: HlsGraph) => removeSingleChannelTranspose(g) },
] as const;

// ---------------------------------------------------------------------------------------------
// Firmware class
// ---------------------------------------------------------------------------------------------

const firmware: FirmwareClassSpec<TransposeLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, ['perm', 'from_shape', 'to_shape', 'perm_strides', 'dims', 'N']);
    const perm = c.ints('perm');
    if (!perm) throw new FormatError(`${path}.config.perm`, 'missing required field');
    const from = c.ints('from_shape') ?? [...L.shapeIn];
    if (from.length !== L.shapeIn.length || from.some((d, k) => d !== L.shapeIn[k])) throw new ShapeError(`${path}.config.from_shape`, `is ${JSON.stringify(from)} but shapeIn is ${JSON.stringify(L.shapeIn)}`);
    const g = transposeGeometry(from, perm, `${path}.config`);
    for (const k of ['to_shape', 'perm_strides'] as const) {
      const v = c.ints(k);
      if (v && (v.length !== g[k].length || v.some((d, i) => d !== g[k][i]))) throw new ShapeError(`${path}.config.${k}`, `expected ${JSON.stringify(g[k])}, got ${JSON.stringify(v)}`);
    }
    c.equal('dims', g.dims);
    c.equal('N', g.N);
    c.out(g.to_shape);
    return { ...L, cls: 'Transpose', config: { perm, from_shape: from, io_type: c.io }, types: { input: c.type('input'), result: c.type('result') }, weights: {} };
  },
  reference(L) {
    const cfg = { from_shape: L.config.from_shape, perm: L.config.perm, io_type: L.config.io_type, name: L.name, types: L.types };
    return (xs, s) => transpose(cfg, xs[0]!, s ? { stats: s } : {});
  },
  emit(L, { ctx, cname: c, ins }) {
    warnInputType(ctx, L, 'input', ins[0]!);
    const g = transposeGeometry(L.config.from_shape, L.config.perm, L.name);
    const s = new Struct(`config_${c}`, `${L.name}: transpose ${JSON.stringify(g.from_shape)} by ${JSON.stringify(g.perm)}`)
      .u('dims', g.dims)
      .u('N', g.N)
      .arr('unsigned', 'to_shape', g.dims, g.to_shape)
      .arr('unsigned', 'perm_strides', g.dims, g.perm_strides);
    return {
      layer: L,
      cname: c,
      typedefs: [],
      structs: [s.text()],
      arrays: [],
      headers: [RESHAPE_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::transpose<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov});`],
      summary: `Transpose ${JSON.stringify(g.perm)}`,
    };
  },
};

/** The transpose kind. */
export const transposeModule = {
  kind: 'Transpose',
  model: { Permute: permuteModel },
  hls: { Transpose: hls },
  firmware: { Transpose: firmware },
} satisfies LayerModule;
