/**
 * Nearest-neighbour resizing: Keras `UpSampling1D` / `UpSampling2D` and ONNX `Resize` (hls4ml
 * `Resize`, `nnet::resize_nearest`). A copy: the output keeps the input's type.
 *
 * hls4ml sources: converters/keras/reshape.py (parse_upsampling1d/2d_layer: factors, algorithm =
 * interpolation), converters/onnx/reshape.py (parse_resize: in_height = shape[2], in_width =
 * shape[1] — height and width swapped for a channels-last tensor), model/layers.py (Resize: scales
 * from the constant input, `out = int(in · scale)`, output precision = input precision,
 * algorithm ∈ {nearest, bilinear}), model/optimizer/passes/infer_precision.py (output matching),
 * backends/vivado/passes/reshaping_templates.py (resize_config, `nnet::resize_<algorithm>`: no
 * bilinear kernel in the Vivado headers), nnet_utils/nnet_image.h (16-bit fixed-point ratio, the
 * kernel is channels-last), nnet_image_stream.h (integer ratios only).
 */
import { FormatError, ShapeError, UnsupportedError } from '../errors.js';
import { sameType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import { requireRank } from '../import/keras-config.js';
import { resizeNearest, type ResizeConfig } from '../kernels/index.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { RESHAPE_HEADER } from '../emit/cpp/reshape-ext.js';
import { LayerCheck, lowered } from './common.js';
import type { FirmwareClassSpec, HlsClassSpec, LayerModule, ModelClassSpec } from './spec.js';

/** `resize_config` fields (UpSampling1D: height = new_height = 1). */
export interface ResizeFirmwareConfig {
  height: number;
  width: number;
  n_chan: number;
  new_height: number;
  new_width: number;
  algorithm: 'nearest';
  /**
   * hls4ml's ONNX front end reads a channels-last (H, W, C) tensor as height = W, width = H: the
   * kernel then resizes the data as if it were (W, H, C) (the config holds those sizes; shapeIn /
   * shapeOut are the model's).
   */
  swap_hw?: boolean;
  /** Keras channels_first data resized by the channels-last kernel as if it were (H, W, C) (shapes (C, H, W)). */
  data_format?: 'channels_first';
}

/** A firmware resize layer. */
export interface ResizeLayer extends FirmwareLayerBase<'Resize', ResizeFirmwareConfig, never, never> {}

/** [H, W, C] of a channels-last (or, with `cf`, channels-first) 1-D/2-D shape. */
function hwcOf(s: readonly number[], cf: boolean): [number, number, number] {
  if (s.length === 2) return cf ? [1, s[1]!, s[0]!] : [1, s[0]!, s[1]!];
  return cf ? [s[1]!, s[2]!, s[0]!] : [s[0]!, s[1]!, s[2]!];
}

// ---------------------------------------------------------------------------------------------
// Float semantics
// ---------------------------------------------------------------------------------------------

/** ONNX Resize 'nearest': the input index of output index i (coordinate transformation + nearest mode). */
function onnxNearest(i: number, inSize: number, outSize: number, scale: number, coord: string, mode: string): number {
  let x: number;
  switch (coord) {
    case 'asymmetric':
      x = i / scale;
      break;
    case 'align_corners':
      x = outSize === 1 ? 0 : (i * (inSize - 1)) / (outSize - 1);
      break;
    case 'pytorch_half_pixel':
      x = outSize > 1 ? (i + 0.5) / scale - 0.5 : 0;
      break;
    case 'tf_half_pixel_for_nn':
      x = (i + 0.5) / scale;
      break;
    default: // half_pixel
      x = (i + 0.5) / scale - 0.5;
  }
  let r: number;
  switch (mode) {
    case 'floor':
      r = Math.floor(x);
      break;
    case 'ceil':
      r = Math.ceil(x);
      break;
    case 'round_prefer_ceil':
      r = Math.floor(x) + (x - Math.floor(x) >= 0.5 ? 1 : 0);
      break;
    default: // round_prefer_floor
      r = Math.floor(x) + (x - Math.floor(x) > 0.5 ? 1 : 0);
  }
  return Math.min(Math.max(r, 0), inSize - 1);
}

/** Nearest resize in float64: `rows[i]`, `cols[j]` pick the source pixel; `cf` for (C, H, W) data. */
function floatResize(x: Float64Array, n: number, inS: readonly number[], outS: readonly number[], rows: number[], cols: number[], cf: boolean): Float64Array {
  const [H, W, C] = hwcOf(inS, cf);
  const [OH, OW] = hwcOf(outS, cf);
  const per = H * W * C;
  const y = new Float64Array(n * OH * OW * C);
  let p = 0;
  for (let s = 0; s < n; s++) {
    const base = s * per;
    if (cf) {
      for (let c = 0; c < C; c++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) y[p++] = x[base + (c * H + rows[i]!) * W + cols[j]!]!;
    } else {
      for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) for (let c = 0; c < C; c++) y[p++] = x[base + (rows[i]! * W + cols[j]!) * C + c]!;
    }
  }
  return y;
}

// ---------------------------------------------------------------------------------------------
// Model classes
// ---------------------------------------------------------------------------------------------

const upsampling1D: ModelClassSpec = {
  keras: {
    arity: 'one',
    attrs: (r) => ({ size: r.tuple('size', 1, [2])[0]! }),
    outputShape([x = []], a, r) {
      requireRank(r, x, 2, 'UpSampling1D');
      return [x[0]! * (a.size as number), x[1]!];
    },
  },
  hlsClass: () => 'Resize',
  typeKey: () => 'UpSampling1D',
  build: (l) => ({ cls: 'Resize', attrs: { algorithm: 'nearest' } }),
  float(l, [x], ctx) {
    const s = l.attrs.size as number;
    const [, W] = hwcOf(l.inputShapes[0]!, false);
    return floatResize(x!, ctx.n, l.inputShapes[0]!, l.outputShape, [0], Array.from({ length: W * s }, (_, j) => Math.floor(j / s)), false);
  },
};

const upsampling2D: ModelClassSpec = {
  keras: {
    arity: 'one',
    attrs(r) {
      const df = r.str('data_format', 'channels_last');
      if (df !== 'channels_last' && df !== 'channels_first') throw new FormatError(r.field('data_format'), `unknown data_format ${JSON.stringify(df)}`);
      return { size: r.tuple('size', 2, [2, 2]), interpolation: r.str('interpolation', 'nearest'), dataFormat: df };
    },
    outputShape([x = []], a, r) {
      requireRank(r, x, 3, 'UpSampling2D');
      const [sh, sw] = a.size as number[];
      return a.dataFormat === 'channels_first' ? [x[0]!, x[1]! * sh!, x[2]! * sw!] : [x[0]! * sh!, x[1]! * sw!, x[2]!];
    },
  },
  hlsClass: () => 'Resize',
  typeKey: () => 'UpSampling2D',
  build(l, ctx) {
    const algo = String(l.attrs.interpolation ?? 'nearest');
    if (algo !== 'nearest' && algo !== 'bilinear') throw new UnsupportedError(`${ctx.where}.config.interpolation`, `Unexpected value of attribute "algorithm" of layer "${l.name}": '${algo}' (hls4ml's Resize: nearest, bilinear)`);
    const cf = l.attrs.dataFormat === 'channels_first';
    if (cf) ctx.warn(`${l.name}: hls4ml's resize kernel is channels-last; it resizes this channels_first (C, H, W) tensor as if it were (H, W, C), unlike Keras (emulated as hls4ml does)`);
    return { cls: 'Resize', attrs: { algorithm: algo, channelsFirst: cf } };
  },
  float(l, [x], ctx) {
    if (l.attrs.interpolation !== undefined && l.attrs.interpolation !== 'nearest') throw new UnsupportedError(`${ctx.where}.interpolation`, `the float reference computes nearest up-sampling only (got ${String(l.attrs.interpolation)})`);
    const cf = l.attrs.dataFormat === 'channels_first';
    const [sh, sw] = l.attrs.size as number[];
    const [H, W] = hwcOf(l.inputShapes[0]!, cf);
    const rows = Array.from({ length: H * sh! }, (_, i) => Math.floor(i / sh!));
    const cols = Array.from({ length: W * sw! }, (_, j) => Math.floor(j / sw!));
    return floatResize(x!, ctx.n, l.inputShapes[0]!, l.outputShape, rows, cols, cf);
  },
};

/**
 * ONNX `Resize` (no Keras rule; made by the ONNX importer): attrs `scales` ([s] for 1-D, [sh, sw]
 * for 2-D, along the model's spatial axes), `mode`, `coordinateTransformationMode`, `nearestMode`.
 */
const onnxResize: ModelClassSpec = {
  hlsClass: () => 'Resize',
  typeKey: () => 'Resize',
  build(l, ctx) {
    const mode = String(l.attrs.mode ?? 'nearest');
    if (mode !== 'nearest') throw new UnsupportedError(`${ctx.where}.mode`, `Unexpected value of attribute "algorithm" of layer "${l.name}": '${mode}' (hls4ml's Resize: nearest, bilinear; only nearest has a Vivado kernel)`);
    const inS = l.inputShapes[0]!;
    if (inS.length !== 3) throw new UnsupportedError(ctx.where, `hls4ml's ONNX Resize handler reads a rank-4 (N, H, W, C) tensor; a rank-${inS.length + 1} input fails there`);
    const [H, W] = inS as [number, number];
    const [sh, sw] = l.attrs.scales as [number, number];
    // hls4ml: in_height = shape[2] (W), in_width = shape[1] (H); out_width = in_width·s_h, out_height = in_height·s_w
    const swapped = { height: W, width: H, new_height: Math.trunc(W * sw), new_width: Math.trunc(H * sh) };
    if (swapped.new_height * swapped.new_width !== l.outputShape[0]! * l.outputShape[1]!) {
      throw new UnsupportedError(ctx.where, `hls4ml's swapped Resize geometry ${swapped.height}x${swapped.width} → ${swapped.new_height}x${swapped.new_width} does not have the ${l.outputShape[0]}x${l.outputShape[1]} pixels of the model's output`);
    }
    if (H !== W || sh !== sw) {
      ctx.warn(`${l.name}: hls4ml's ONNX Resize swaps height and width (it resizes the ${H}x${W} input as ${W}x${H} by ${sw}x${sh}); with a non-square input or unequal scales its output differs from ONNX (emulated as hls4ml does)`);
    }
    const coord = String(l.attrs.coordinateTransformationMode ?? 'half_pixel');
    const integer = Number.isInteger(sh) && Number.isInteger(sw);
    if (!integer) ctx.warn(`${l.name}: non-integer scales: hls4ml's nearest kernel picks rows with a 16-bit fixed-point ratio, not by ONNX's ${coord} / ${String(l.attrs.nearestMode ?? 'round_prefer_floor')} rule`);
    return { cls: 'Resize', attrs: { algorithm: 'nearest', swap: swapped } };
  },
  float(l, [x], ctx) {
    const inS = l.inputShapes[0]!;
    const outS = l.outputShape;
    const scales = l.attrs.scales as number[];
    const coord = String(l.attrs.coordinateTransformationMode ?? 'half_pixel');
    const mode = String(l.attrs.nearestMode ?? 'round_prefer_floor');
    const [H, W] = hwcOf(inS, false);
    const [OH, OW] = hwcOf(outS, false);
    const sh = inS.length === 3 ? scales[0]! : 1;
    const sw = scales[scales.length - 1]!;
    const rows = Array.from({ length: OH }, (_, i) => onnxNearest(i, H, OH, sh, coord, mode));
    const cols = Array.from({ length: OW }, (_, j) => onnxNearest(j, W, OW, sw, coord, mode));
    return floatResize(x!, ctx.n, inS, outS, rows, cols, false);
  },
};

// ---------------------------------------------------------------------------------------------
// hls4ml class
// ---------------------------------------------------------------------------------------------

const hls: HlsClassSpec = {
  types: [{ name: 'result' }],
  settings: [{ name: 'algorithm', default: 'nearest' }],
  resultFromInput: true,
  infer(n, [x]) {
    if (n.types.result === 'auto') n.types.result = x!;
  },
  lower(n, ctx): ResizeLayer {
    const algo = String(n.settings.algorithm ?? n.attrs.algorithm ?? 'nearest').toLowerCase();
    if (algo !== 'nearest') throw new UnsupportedError(`${n.name}.algorithm`, `hls4ml's Vivado backend has no resize_${algo} kernel (nnet_image.h: resize_nearest only)`);
    const cf = n.attrs.channelsFirst === true;
    const [H, W, C] = hwcOf(n.shapeIn[0]!, cf);
    const [OH, OW] = hwcOf(n.shapeOut, cf);
    const sw = n.attrs.swap as { height: number; width: number; new_height: number; new_width: number } | undefined;
    const config: ResizeFirmwareConfig = sw ? { ...sw, n_chan: C, algorithm: 'nearest', swap_hw: true } : { height: H, width: W, n_chan: C, new_height: OH, new_width: OW, algorithm: 'nearest' };
    if (cf) config.data_format = 'channels_first';
    if (cf && ctx.io === 'io_stream') throw new UnsupportedError(`${n.name}.data_format`, "hls4ml's io_stream resize reads pixels of n_chan values; a channels_first tensor streams words of its last axis");
    if (ctx.io === 'io_stream' && (config.new_height % config.height !== 0 || config.new_width % config.width !== 0)) {
      throw new UnsupportedError(`${n.name}.scales`, `hls4ml's io_stream resize needs integer ratios, got ${config.height}x${config.width} → ${config.new_height}x${config.new_width}`);
    }
    const input = ctx.inputTypes[0]!;
    return { ...lowered(n, ctx, 'Resize', config), types: { input, result: input }, weights: {} };
  },
};

// ---------------------------------------------------------------------------------------------
// Firmware class
// ---------------------------------------------------------------------------------------------

function kernelCfg(L: ResizeLayer): ResizeConfig {
  const c = L.config;
  return { name: L.name, height: c.height, width: c.width, n_chan: c.n_chan, new_height: c.new_height, new_width: c.new_width, io_type: c.io_type, types: { input: L.types.input, result: L.types.result } };
}

const firmware: FirmwareClassSpec<ResizeLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, ['height', 'width', 'n_chan', 'new_height', 'new_width', 'algorithm', 'swap_hw', 'in_height', 'in_width', 'out_height', 'out_width'], { channelsFirst: true });
    const cf = c.channelsFirst;
    const rank = L.shapeIn.length;
    if (rank !== 2 && rank !== 3) throw new ShapeError(`${path}.shapeIn`, `a Resize layer needs a rank-2 or rank-3 input, got ${JSON.stringify(L.shapeIn)}`);
    if (L.shapeOut.length !== rank) throw new ShapeError(`${path}.shapeOut`, `expected rank ${rank}, got ${JSON.stringify(L.shapeOut)}`);
    const swap = c.bool('swap_hw', false);
    if (swap && (cf || rank !== 3)) throw new FormatError(`${path}.config.swap_hw`, 'only for a channels-last 2-D resize');
    const [H, W, C] = hwcOf(L.shapeIn, cf);
    const [OH, OW, OC] = hwcOf(L.shapeOut, cf);
    if (OC !== C) throw new ShapeError(`${path}.shapeOut`, `channels change from ${C} to ${OC}`);
    c.choice('algorithm', ['nearest'] as const, 'nearest');
    const config: ResizeFirmwareConfig = {
      height: c.equal('height', swap ? W : H),
      width: c.equal('width', swap ? H : W),
      n_chan: c.equal('n_chan', C),
      new_height: c.int('new_height', 1, swap ? undefined : OH),
      new_width: c.int('new_width', 1, swap ? undefined : OW),
      algorithm: 'nearest',
    };
    if (swap) {
      config.swap_hw = true;
      if (config.new_height * config.new_width !== OH * OW) throw new ShapeError(`${path}.config.new_height`, `${config.new_height}x${config.new_width} pixels, the output has ${OH}x${OW}`);
    } else {
      c.equal('new_height', OH);
      c.equal('new_width', OW);
    }
    if (cf) config.data_format = 'channels_first';
    const input = c.type('input');
    const result = c.optType('result') ?? input;
    if (!sameType(input, result)) throw new FormatError(`${path}.types.result`, 'nnet::resize_nearest copies data_T values: the result type must equal the input type');
    kernelCfg({ ...L, config: { ...config, io_type: c.io }, types: { input, result } } as ResizeLayer);
    return { ...L, cls: 'Resize', config: { ...config, io_type: c.io }, types: { input, result }, weights: {} };
  },
  reference(L) {
    const cfg = kernelCfg(L);
    return (xs, s) => resizeNearest(cfg, xs[0]!, s ? { stats: s } : {});
  },
  emit(L, { ctx, cname: c, ins }) {
    const inT = ins[0]!;
    warnInputType(ctx, L, 'input', inT);
    const g = L.config;
    if (ctx.io === 'io_stream' && inT.wordSize !== g.n_chan) throw new UnsupportedError(`${L.name}.config`, `the stream words (${inT.wordSize} values) are not pixels of ${g.n_chan} channels`);
    const s = new Struct(`config_${c}`, `${L.name}: nearest resize ${g.height}x${g.width}x${g.n_chan} -> ${g.new_height}x${g.new_width}x${g.n_chan}${g.swap_hw ? ' (height and width swapped as hls4ml reads ONNX)' : ''}`)
      .u('height', g.height).u('width', g.width).u('n_chan', g.n_chan).u('new_height', g.new_height).u('new_width', g.new_width);
    return {
      layer: L,
      cname: c,
      typedefs: [],
      structs: [s.text()],
      arrays: [],
      headers: [RESHAPE_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::resize_nearest<${tArg(ctx.io, is[0]!)}, config_${c}>(${iv[0]}, ${ov});`],
      summary: `Resize (nearest) ${g.height}x${g.width} -> ${g.new_height}x${g.new_width}`,
    };
  },
};

/** The resize kind. */
export const resizeModule = {
  kind: 'Resize',
  model: { UpSampling1D: upsampling1D, UpSampling2D: upsampling2D, Resize: onnxResize },
  hls: { Resize: hls },
  firmware: { Resize: firmware },
} satisfies LayerModule;
