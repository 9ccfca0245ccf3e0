/**
 * What Cropping1D/2D (cropping.ts) and ZeroPadding1D/2D (zeropad.ts) share: an amount per side of
 * each spatial axis (`<p>_top`, `<p>_bottom`, `<p>_left`, `<p>_right` in the firmware config; 1D
 * layers have the width sides only), channels-last or channels-first shapes, and Keras'
 * `data_format`.
 */
import { FormatError } from '../errors.js';
import type { HlsNode } from '../graph/hls-graph.js';
import type { ModelLayer } from '../graph/model.js';
import type { LayerConfigReader } from '../import/keras-config.js';
import type { LayerCheck } from './common.js';

/** The firmware config of a per-side layer whose config names start with `P` (`crop`, `pad`). */
export type SidesFirmwareConfig<P extends string> = {
  in_height?: number;
  in_width: number;
  n_chan: number;
  out_height?: number;
  out_width: number;
} & { [K in `${P}_top` | `${P}_bottom`]?: number } & { [K in `${P}_left` | `${P}_right`]: number } & { data_format?: 'channels_first' };

/** Keras' `data_format`, 'channels_last' when absent. */
export function kerasDataFormat(r: LayerConfigReader): 'channels_last' | 'channels_first' {
  const df = r.str('data_format', 'channels_last');
  if (df !== 'channels_last' && df !== 'channels_first') throw new FormatError(r.field('data_format'), `unknown data_format ${JSON.stringify(df)}`);
  return df;
}

/** [H, W, C] of a 1-D / 2-D shape, channels-last or channels-first. */
export function hwcOf(s: readonly number[], cf: boolean): [number, number, number] {
  if (s.length === 2) return cf ? [1, s[1]!, s[0]!] : [1, s[0]!, s[1]!];
  return cf ? [s[1]!, s[2]!, s[0]!] : [s[0]!, s[1]!, s[2]!];
}

/** The shape of (H, W, C) sizes, channels-last or channels-first (the inverse of {@link hwcOf}). */
export function shapeOf(H: number, W: number, C: number, oneD: boolean, cf: boolean): number[] {
  return cf ? (oneD ? [C, W] : [C, H, W]) : oneD ? [W, C] : [H, W, C];
}

/** [top, bottom, left, right] of a per-side attribute: 1D [left, right], 2D [[top, bottom], [left, right]]. */
export function sidesOf(v: unknown, oneD: boolean): [number, number, number, number] {
  if (oneD) {
    const [l, r] = v as [number, number];
    return [0, 0, l, r];
  }
  const [[t, b], [l, r]] = v as [[number, number], [number, number]];
  return [t, b, l, r];
}

/** The float view of Keras layer `l` with per-side attribute `sides`: channels-first, the top and left sides, input and output sizes. */
export function floatSides(l: ModelLayer, sides: unknown, oneD: boolean): { cf: boolean; top: number; left: number; H: number; W: number; C: number; OH: number; OW: number } {
  const cf = l.attrs.dataFormat === 'channels_first';
  const [top, , left] = sidesOf(sides, oneD);
  const [H, W, C] = hwcOf(l.inputShapes[0]!, cf);
  const [OH, OW] = hwcOf(l.outputShape, cf);
  return { cf, top, left, H, W, C, OH, OW };
}

/** The firmware config of node `n` with sides `s` named `<p>_…` (the node's shapes are channels-first when `cf`). */
export function sidesConfig<P extends string>(p: P, n: HlsNode, s: [number, number, number, number], oneD: boolean, cf: boolean): SidesFirmwareConfig<P> {
  const [H, W, C] = hwcOf(n.shapeIn[0]!, cf);
  const [OH, OW] = hwcOf(n.shapeOut, cf);
  const [t, b, l, r] = s;
  const c: Record<string, number | string> = oneD
    ? { in_width: W, n_chan: C, out_width: OW, [`${p}_left`]: l, [`${p}_right`]: r }
    : { in_height: H, in_width: W, n_chan: C, out_height: OH, out_width: OW, [`${p}_top`]: t, [`${p}_bottom`]: b, [`${p}_left`]: l, [`${p}_right`]: r };
  if (cf) c.data_format = 'channels_first';
  return c as SidesFirmwareConfig<P>;
}

/**
 * The sizes and sides of a checked per-side config named `<p>_…`: the input sizes must match the
 * layer's input shape and each output size is the input size `sign` × (its two sides); the caller
 * checks the output shape. Returns the config (without data_format) and the channel count.
 */
export function checkSides<P extends string>(c: LayerCheck, p: P, sign: 1 | -1, oneD: boolean, cf: boolean): { cfg: SidesFirmwareConfig<P>; C: number } {
  const [H, W, C] = hwcOf(c.rank(oneD ? 2 : 3), cf);
  const cfg: Record<string, number> = { in_width: c.equal('in_width', W), n_chan: c.equal('n_chan', C), [`${p}_left`]: c.int(`${p}_left`, 0, 0), [`${p}_right`]: c.int(`${p}_right`, 0, 0), out_width: 0 };
  cfg.out_width = c.equal('out_width', W + sign * (cfg[`${p}_left`]! + cfg[`${p}_right`]!));
  if (!oneD) {
    Object.assign(cfg, { in_height: c.equal('in_height', H), [`${p}_top`]: c.int(`${p}_top`, 0, 0), [`${p}_bottom`]: c.int(`${p}_bottom`, 0, 0) });
    cfg.out_height = c.equal('out_height', H + sign * (cfg[`${p}_top`]! + cfg[`${p}_bottom`]!));
  }
  return { cfg: cfg as SidesFirmwareConfig<P>, C };
}
