/**
 * What the sliding-window convolutions (Conv1D/2D in conv.ts, DepthwiseConv1D/2D in depthwise.ts)
 * derive and print the same way: the window geometry of a Keras layer and of an hls4ml node, the
 * io_stream implementation fields of a firmware config, and the C++ config pieces of the emitter
 * (type names, the Encoded instruction table, the zero padding in front of a 'same' stream layer).
 */
import type { FixedType } from '../fixed/types.js';
import type { ProductKind } from '../kernels/dense.js';
import type { HlsNode } from '../graph/hls-graph.js';
import type { LayerAttrs, ModelLayer } from '../graph/model.js';
import { encodedFifoDepth, kerasOutputLength, samePads, type EncodedTable, type WindowGeometry } from '../kernels/geometry.js';
import { Struct, type TensorInfo } from '../emit/layers.js';
import type { LayerCheck } from './common.js';

/** The `conv{1,2}d_config` fields the convolutions share (1D layers use the width fields only). */
export interface WindowFirmwareConfig {
  in_height?: number;
  in_width: number;
  n_chan: number;
  filt_height?: number;
  filt_width: number;
  stride_height?: number;
  stride_width: number;
  out_height?: number;
  out_width: number;
  pad_top?: number;
  pad_bottom?: number;
  pad_left: number;
  pad_right: number;
  strategy: 'latency' | 'resource';
  reuse_factor: number;
  reuse_factor_requested?: number;
  /** Zeros of the weight array hls4ml writes. */
  n_zeros: number;
  product: ProductKind;
  /** Keras padding of the source layer ('same' layers in io_stream run 'valid' after a zero-padding layer). */
  keras_padding?: 'valid' | 'same';
  /** io_stream only. */
  implementation?: 'LineBuffer' | 'Encoded';
  /** Encoded only: hls4ml's instruction table. */
  min_height?: number;
  min_width?: number;
  pixels?: number[];
  /** io_parallel only. */
  n_partitions?: number;
}

/** The (H, W, C) view of a rank-2 (1D) or rank-3 (2D) channels-last shape. */
export function hwc(shape: readonly number[]): [number, number, number] {
  return shape.length === 2 ? [1, shape[0]!, shape[1]!] : [shape[0]!, shape[1]!, shape[2]!];
}

/** Keras 'same' padding before the first element of each spatial axis (0 for 'valid'). */
export function kerasPadsBefore(l: ModelLayer, k: readonly number[], s: readonly number[], twoD: boolean): [number, number] {
  if (l.attrs.padding !== 'same') return [0, 0];
  const [H, W] = hwc(l.inputShapes[0]!);
  return [twoD ? samePads(H, k[0]!, s[0]!)[0] : 0, samePads(W, k[twoD ? 1 : 0]!, s[twoD ? 1 : 0]!)[0]];
}

/** The Keras output lengths of the `rank` spatial axes of input shape `x`. */
export function kerasSpatialOut(x: readonly number[], a: LayerAttrs, rank: number): number[] {
  const k = a.kernelSize!;
  const s = a.strides!;
  return x.slice(0, rank).map((n, i) => kerasOutputLength(n, k[i]!, s[i]!, a.padding as 'valid' | 'same'));
}

/** (height, width) of a 1D (height 1) or 2D kernel-size or strides attribute. */
function pair(v: readonly number[], twoD: boolean): [number, number] {
  return twoD ? [v[0]!, v[1]!] : [1, v[0]!];
}

/** The window of a Keras layer for its float computation (1D as H = 1): sizes, kernel, strides and the 'same' pads before. */
export function floatWindow(l: ModelLayer, twoD: boolean): { H: number; W: number; C: number; OH: number; OW: number; kh: number; kw: number; sh: number; sw: number; pt: number; pl: number } {
  const [H, W, C] = hwc(l.inputShapes[0]!);
  const [OH, OW] = hwc(l.outputShape);
  const ks = l.attrs.kernelSize ?? [];
  const st = l.attrs.strides ?? ks.map(() => 1);
  const [kh, kw] = pair(ks, twoD);
  const [sh, sw] = pair(st, twoD);
  const [pt, pl] = kerasPadsBefore(l, ks, st, twoD);
  return { H, W, C, OH, OW, kh, kw, sh, sw, pt, pl };
}

/** The window of an hls4ml node as its firmware config holds it: sizes, kernel, strides, 'same' pads and the Keras padding. */
export interface NodeWindow {
  H: number;
  W: number;
  C: number;
  OH: number;
  OW: number;
  /** Output channels. */
  F: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  pt: number;
  pb: number;
  pl: number;
  pr: number;
  /** The node's own padding is 'same'. */
  same: boolean;
  /** 'same' also when an io_stream padding layer was inserted in front of it. */
  kerasPadding: 'valid' | 'same';
}

/** The {@link NodeWindow} of a Conv / DepthwiseConv node. */
export function nodeWindow(n: HlsNode, twoD: boolean): NodeWindow {
  const same = n.attrs.padding === 'same';
  const [H, W, C] = hwc(n.shapeIn[0]!);
  const [OH, OW, F] = hwc(n.shapeOut);
  const [kh, kw] = pair(n.attrs.kernelSize as number[], twoD);
  const [sh, sw] = pair(n.attrs.strides as number[], twoD);
  const [pt, pb] = same && twoD ? samePads(H, kh, sh) : [0, 0];
  const [pl, pr] = same ? samePads(W, kw, sw) : [0, 0];
  return { H, W, C, OH, OW, F, kh, kw, sh, sw, pt, pb, pl, pr, same, kerasPadding: n.attrs.samePadded || same ? 'same' : 'valid' };
}

/** io_stream fields of a checked config: the implementation, and the Encoded instruction table when the config has one. */
export function checkStreamFields(c: LayerCheck, cfg: WindowFirmwareConfig, twoD: boolean): void {
  if (c.io !== 'io_stream') return;
  cfg.implementation = c.choice('implementation', ['LineBuffer', 'Encoded'] as const, 'LineBuffer');
  const px = c.ints('pixels');
  if (px) {
    cfg.pixels = px;
    if (twoD) cfg.min_height = c.int('min_height', 1);
    cfg.min_width = c.int('min_width', 1);
  }
}

/** The `<c>_weight_t`, `<c>_bias_t`, `<c>_accum_t` typedefs of the emitted layer. */
export function macTypedefs(c: string, t: { weight: FixedType; bias: FixedType; accum: FixedType }): Array<[string, FixedType]> {
  return [
    [`${c}_weight_t`, t.weight],
    [`${c}_bias_t`, t.bias],
    [`${c}_accum_t`, t.accum],
  ];
}

/** `HxWxC -> OHxOWxN, kernel KHxKW, stride SHxSW` (1D without the height) for comments and summaries. */
export function windowText(g: WindowGeometry, oneD: boolean, outChannels: number): string {
  return `${oneD ? `${g.W}x${g.C}` : `${g.H}x${g.W}x${g.C}`} -> ${oneD ? `${g.outW}x${outChannels}` : `${g.outH}x${g.outW}x${outChannels}`}, kernel ${oneD ? g.kw : `${g.kh}x${g.kw}`}, stride ${oneD ? g.sw : `${g.sh}x${g.sw}`}`;
}

/** The Encoded instruction table members of an io_stream config struct (hlsemu_common.h scale_index, the kernel's FIFOs). */
export function encodedTableMembers(s: Struct, g: WindowGeometry, t: EncodedTable, oneD: boolean): void {
  s.u('min_height', t.minH)
    .u('min_width', t.minW)
    .u('scale_index_height', oneD || t.kindH === 'scale_index_unscaled' ? 'hlsemu::scale_unscaled' : 'hlsemu::scale_regular')
    .u('scale_index_width', t.kindW === 'scale_index_unscaled' ? 'hlsemu::scale_unscaled' : 'hlsemu::scale_regular')
    .u('fifo_depth', encodedFifoDepth(g, t))
    .arr(`ap_uint<${g.kh * g.kw}>`, 'pixels', t.pixels.length, [...t.pixels]);
}

/**
 * An io_stream window layer with pads runs 'valid' on a zero-padded stream (hls4ml inserts a
 * ZeroPadding layer): the padded size, the `config_<c>_pad` struct and the calls of the pair.
 */
export class StreamPadding {
  /** Padded input height and width. */
  readonly PH: number;
  readonly PW: number;
  readonly padded: boolean;

  constructor(
    private readonly c: string,
    private readonly g: WindowGeometry,
  ) {
    this.PH = g.H + g.pt + g.pb;
    this.PW = g.W + g.pl + g.pr;
    this.padded = g.pt + g.pb + g.pl + g.pr > 0;
  }

  /** `config_<c>_pad`, described as the zero padding in front of `what`. */
  struct(layerName: string, what: string): string {
    const { c, g } = this;
    return new Struct(`config_${c}_pad`, `${layerName}: zero padding in front of ${what} ('same')`)
      .u('in_height', g.H).u('in_width', g.W).u('n_chan', g.C).u('out_height', this.PH).u('out_width', this.PW)
      .u('pad_top', g.pt).u('pad_bottom', g.pb).u('pad_left', g.pl).u('pad_right', g.pr)
      .text();
  }

  /** The padded stream, the zeropad call filling it and the call of `hlsemu::<fn>` reading it. */
  call(fn: string, input: TensorInfo, inVar: string, out: TensorInfo, outVar: string): string[] {
    const { c } = this;
    const pw = `hlsemu::array<${input.elemType}, ${this.g.C}>`;
    return [
      `hls::stream<${pw} > ${c}_padded("${c}_padded");`,
      `#pragma HLS STREAM variable = ${c}_padded depth = ${this.PH * this.PW}`,
      `hlsemu::zeropad<${input.wordType}, ${pw}, config_${c}_pad>(${inVar}, ${c}_padded);`,
      `hlsemu::${fn}<${pw}, ${out.wordType}, config_${c}>(${c}_padded, ${outVar}, ${c}_w, ${c}_b);`,
    ];
  }
}
