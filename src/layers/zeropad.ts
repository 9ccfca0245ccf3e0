/**
 * ZeroPadding1D / ZeroPadding2D (Keras `ZeroPadding1D/2D`; hls4ml `ZeroPadding1D/2D`;
 * `nnet::zeropad1d_cl` / `zeropad2d_cl`): padded positions are 0, the others `(result_t)x`.
 * hls4ml also inserts one in front of a 'same' convolution in io_stream (see conv.ts).
 *
 * hls4ml sources: converters/keras/reshaping.py (parse_zeropadding*), model/layers.py
 * (ZeroPadding1D/2D), backends/vivado/passes/reshaping_templates.py,
 * backends/fpga/passes/… (io_stream 'same' padding insertion), nnet_utils/nnet_padding*.h.
 */
import { FormatError, describeValue } from '../errors.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import { requireRank, type LayerConfigReader } from '../import/keras-config.js';
import { prepareFastZeropad } from '../kernels/fast/elementwise.js';
import { zeropad1d, zeropad2d, type ZeroPad1DConfig, type ZeroPad2DConfig } from '../kernels/zeropad.js';
import { Struct, tArg } from '../emit/layers.js';
import { PADDING_HEADER } from '../emit/cpp/structural.js';
import { checkInputLengths, intList, need, obj, runAll, types as caseTypes, x1, type Case } from '../conformance/kernel-case.js';
import { LayerCheck, lowered, typed } from './common.js';
import { hwc } from './conv.js';
import type { FirmwareClassSpec, HlsClassSpec, LayerModule, ModelClassSpec } from './spec.js';

/** `padding{1,2}d_config` fields (1D: width fields only). */
export interface ZeroPadFirmwareConfig {
  in_height?: number;
  in_width: number;
  n_chan: number;
  out_height?: number;
  out_width: number;
  pad_top?: number;
  pad_bottom?: number;
  pad_left: number;
  pad_right: number;
}

/** A firmware zero-padding layer. */
export interface ZeroPaddingLayer<C extends 'ZeroPadding1D' | 'ZeroPadding2D' = 'ZeroPadding1D' | 'ZeroPadding2D'> extends FirmwareLayerBase<C, ZeroPadFirmwareConfig, never, never> {}

function zeroPadding1D(r: LayerConfigReader): number[] {
  return r.tuple('padding', 2, [1, 1], 0);
}

function zeroPadding2D(r: LayerConfigReader): number[][] {
  const v = r.config['padding'];
  if (v === undefined || v === null) return [[1, 1], [1, 1]];
  if (typeof v === 'number') {
    const [p] = r.tuple('padding', 1, undefined, 0);
    return [[p!, p!], [p!, p!]];
  }
  if (Array.isArray(v) && v.length === 2 && v.every((e) => typeof e === 'number')) {
    const [a, b] = r.tuple('padding', 2, undefined, 0);
    return [[a!, a!], [b!, b!]];
  }
  if (Array.isArray(v) && v.length === 2 && v.every((e) => Array.isArray(e) && e.length === 2 && e.every((q) => typeof q === 'number' && Number.isInteger(q) && q >= 0))) {
    return (v as number[][]).map((e) => [...e]);
  }
  throw new FormatError(r.field('padding'), `expected an int, [rows, cols] or [[top, bottom], [left, right]], got ${describeValue(v)}`);
}

/** [top, bottom, left, right] of a padding attribute (1D: top = bottom = 0). */
function padsOf(padding: unknown, oneD: boolean): [number, number, number, number] {
  if (oneD) {
    const [l, r] = padding as [number, number];
    return [0, 0, l, r];
  }
  const [[t, b], [l, r]] = padding as [[number, number], [number, number]];
  return [t, b, l, r];
}

function model(cls: 'ZeroPadding1D' | 'ZeroPadding2D'): ModelClassSpec {
  const oneD = cls === 'ZeroPadding1D';
  return {
    keras: oneD
      ? {
          arity: 'one',
          attrs: (r) => ({ padding: zeroPadding1D(r) }),
          outputShape([x = []], a, r) {
            requireRank(r, x, 2, cls);
            const [lo, hi] = a.padding as number[];
            return [x[0]! + lo! + hi!, x[1]!];
          },
        }
      : {
          arity: 'one',
          attrs(r) {
            r.channelsLast();
            return { padding: zeroPadding2D(r) };
          },
          outputShape([x = []], a, r) {
            requireRank(r, x, 3, cls);
            const [t, b, l, rr] = padsOf(a.padding, false);
            return [x[0]! + t + b, x[1]! + l + rr, x[2]!];
          },
        },
    hlsClass: () => cls,
    typeKey: () => cls,
    build: (l) => ({ cls, attrs: { ...l.attrs } }),
    float(l, [x], ctx) {
      const [top, , left] = padsOf(l.attrs.padding, oneD);
      const [H, W, C] = hwc(l.inputShapes[0]!);
      const [OH, OW] = hwc(l.outputShape);
      const y = new Float64Array(ctx.n * OH * OW * C);
      for (let s = 0; s < ctx.n; s++) {
        for (let h = 0; h < H; h++) {
          const src = (s * H + h) * W * C;
          y.set(x!.subarray(src, src + W * C), ((s * OH + h + top) * OW + left) * C);
        }
      }
      return y;
    },
  };
}

function hls(cls: 'ZeroPadding1D' | 'ZeroPadding2D'): HlsClassSpec {
  const oneD = cls === 'ZeroPadding1D';
  return {
    types: [{ name: 'result' }],
    infer(n, [x]) {
      if (n.types.result === 'auto') n.types.result = x!;
    },
    lower(n, ctx) {
      const [H, W, C] = hwc(n.shapeIn[0]!);
      const [OH, OW] = hwc(n.shapeOut);
      const [t, b, l, r] = padsOf(n.attrs.padding, oneD);
      const c: ZeroPadFirmwareConfig = oneD
        ? { in_width: W, n_chan: C, out_width: OW, pad_left: l, pad_right: r }
        : { in_height: H, in_width: W, n_chan: C, out_height: OH, out_width: OW, pad_top: t, pad_bottom: b, pad_left: l, pad_right: r };
      return { ...lowered(n, ctx, cls, c), types: { input: ctx.inputTypes[0]!, result: typed(n, 'result') }, weights: {} } as ZeroPaddingLayer;
    },
  };
}

function firmware<C extends 'ZeroPadding1D' | 'ZeroPadding2D'>(cls: C): FirmwareClassSpec<ZeroPaddingLayer<C>> {
  const oneD = cls === 'ZeroPadding1D';
  const kcfg = (L: ZeroPaddingLayer<C>) => ({ ...L.config, name: L.name, types: L.types }) as ZeroPad2DConfig & ZeroPad1DConfig;
  return {
    check(L, path) {
      const c = new LayerCheck(L, path, ['in_height', 'in_width', 'n_chan', 'out_height', 'out_width', 'pad_top', 'pad_bottom', 'pad_left', 'pad_right']);
      const [H, W, C] = hwc(c.rank(oneD ? 2 : 3));
      const cfg: ZeroPadFirmwareConfig = { in_width: c.equal('in_width', W), n_chan: c.equal('n_chan', C), pad_left: c.int('pad_left', 0, 0), pad_right: c.int('pad_right', 0, 0), out_width: 0 };
      cfg.out_width = c.equal('out_width', W + cfg.pad_left + cfg.pad_right);
      if (!oneD) {
        Object.assign(cfg, { in_height: c.equal('in_height', H), pad_top: c.int('pad_top', 0, 0), pad_bottom: c.int('pad_bottom', 0, 0) });
        cfg.out_height = c.equal('out_height', H + cfg.pad_top! + cfg.pad_bottom!);
      }
      c.out(oneD ? [cfg.out_width, C] : [cfg.out_height!, cfg.out_width, C]);
      return { ...L, cls, config: { ...cfg, io_type: c.io }, types: { input: c.type('input'), result: c.type('result') }, weights: {} } as ZeroPaddingLayer<C>;
    },
    reference(L) {
      const cfg = kcfg(L);
      return (xs, s) => (oneD ? zeropad1d(cfg, xs[0]!, s ? { stats: s } : {}) : zeropad2d(cfg, xs[0]!, s ? { stats: s } : {}));
    },
    fast: (L, fo) => prepareFastZeropad(kcfg(L), oneD, fo),
    emit(L, { ctx, cname: c }) {
      const g = L.config;
      const H = g.in_height ?? 1;
      const [pt, pb] = [g.pad_top ?? 0, g.pad_bottom ?? 0];
      const OH = g.out_height ?? 1;
      const s = new Struct(`config_${c}`, `${L.name}: ${L.cls} ${oneD ? `${g.in_width}x${g.n_chan}` : `${H}x${g.in_width}x${g.n_chan}`} -> ${oneD ? `${g.out_width}x${g.n_chan}` : `${OH}x${g.out_width}x${g.n_chan}`}`)
        .u('in_height', H).u('in_width', g.in_width).u('n_chan', g.n_chan).u('out_height', OH).u('out_width', g.out_width)
        .u('pad_top', pt).u('pad_bottom', pb).u('pad_left', g.pad_left).u('pad_right', g.pad_right);
      return {
        layer: L,
        cname: c,
        typedefs: [],
        structs: [s.text()],
        arrays: [],
        headers: [PADDING_HEADER],
        call: (is, iv, out, ov) => [`hlsemu::zeropad<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov});`],
        summary: `${L.cls} pads ${oneD ? `${g.pad_left},${g.pad_right}` : `${pt},${pb},${g.pad_left},${g.pad_right}`}`,
      };
    },
  };
}

function checkZeropadCase(c: Case, dims: 1 | 2): string | null {
  const cfg = obj(c, 'config');
  const t = caseTypes(c);
  need(t, 'input', 'result');
  const inShape = intList(cfg, 'in_shape');
  if (inShape) checkInputLengths(c, inShape.reduce((a, b) => a * b, 1), 'config.in_shape');
  const kcfg = { ...cfg, name: String(c.kernel), types: t } as never;
  return runAll(c, String(c.kernel), (x, i) => (dims === 2 ? zeropad2d(kcfg, x1(x, i)) : zeropad1d(kcfg, x1(x, i))));
}

/** The zero-padding kinds. */
export const zeropadModule = {
  kind: 'ZeroPadding',
  model: { ZeroPadding1D: model('ZeroPadding1D'), ZeroPadding2D: model('ZeroPadding2D') },
  hls: { ZeroPadding1D: hls('ZeroPadding1D'), ZeroPadding2D: hls('ZeroPadding2D') },
  firmware: { ZeroPadding1D: firmware('ZeroPadding1D'), ZeroPadding2D: firmware('ZeroPadding2D') },
  kernels: { zeropad1d: (c: Case) => checkZeropadCase(c, 1), zeropad2d: (c: Case) => checkZeropadCase(c, 2) },
} satisfies LayerModule;
