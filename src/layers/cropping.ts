/**
 * Cropping1D / Cropping2D (Keras; hls4ml `Cropping1D` / `Cropping2D`; `nnet::cropping1d_cl`,
 * `cropping2d_cl`, `cropping2d_cf`): the window from (crop_top, crop_left), each element
 * `(result_t) x`.
 *
 * hls4ml sources: converters/keras/reshaping.py (parse_cropping1d/2d_layer; Cropping1D is always
 * channels-last), model/layers.py (Cropping1D/2D: the output variable holds the input's precision
 * object), model/optimizer/passes/infer_precision.py (no Cropping rule: an output still 'auto' gets
 * the Model default), backends/vivado/passes/reshaping_templates.py (cropping1d/2d_config,
 * `nnet::cropping{1,2}d_{cl|cf}`), nnet_utils/nnet_cropping*.h (no cropping1d_cf, no io_stream _cf).
 */
import { FormatError, ShapeError, UnsupportedError } from '../errors.js';
import { formatFixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import { perSide2D, requireRank, type LayerConfigReader } from '../import/keras-config.js';
import { cropping1d, cropping2d, type Cropping2DConfig } from '../kernels/index.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { RESHAPE_HEADER } from '../emit/cpp/reshape-ext.js';
import { LayerCheck, lowered, typed } from './common.js';
import type { FirmwareClassSpec, HlsClassSpec, LayerModule, ModelClassSpec } from './spec.js';

/** `cropping{1,2}d_config` fields (1D: width fields only). */
export interface CroppingFirmwareConfig {
  in_height?: number;
  in_width: number;
  n_chan: number;
  out_height?: number;
  out_width: number;
  crop_top?: number;
  crop_bottom?: number;
  crop_left: number;
  crop_right: number;
  data_format?: 'channels_first';
}

/** A firmware cropping layer. */
export interface CroppingLayer<C extends 'Cropping1D' | 'Cropping2D' = 'Cropping1D' | 'Cropping2D'> extends FirmwareLayerBase<C, CroppingFirmwareConfig, never, never> {}

type Cls = 'Cropping1D' | 'Cropping2D';

/** [H, W, C] of a 1-D / 2-D shape, channels-last or (2-D) channels-first. */
function hwc(s: readonly number[], cf: boolean): [number, number, number] {
  if (s.length === 2) return [1, s[0]!, s[1]!];
  return cf ? [s[1]!, s[2]!, s[0]!] : [s[0]!, s[1]!, s[2]!];
}

function cropping2D(r: LayerConfigReader): number[][] {
  return perSide2D(r, 'cropping', 0);
}

/** [top, bottom, left, right] of a cropping attribute. */
function cropsOf(cropping: unknown, oneD: boolean): [number, number, number, number] {
  if (oneD) {
    const [l, r] = cropping as [number, number];
    return [0, 0, l, r];
  }
  const [[t, b], [l, r]] = cropping as [[number, number], [number, number]];
  return [t, b, l, r];
}

function model(cls: Cls): ModelClassSpec {
  const oneD = cls === 'Cropping1D';
  return {
    keras: {
      arity: 'one',
      attrs(r) {
        if (oneD) return { cropping: r.tuple('cropping', 2, [1, 1], 0) };
        const df = r.str('data_format', 'channels_last');
        if (df !== 'channels_last' && df !== 'channels_first') throw new FormatError(r.field('data_format'), `unknown data_format ${JSON.stringify(df)}`);
        return { cropping: cropping2D(r), dataFormat: df };
      },
      outputShape([x = []], a, r) {
        requireRank(r, x, oneD ? 2 : 3, cls);
        const cf = a.dataFormat === 'channels_first';
        const [t, b, l, rr] = cropsOf(a.cropping, oneD);
        const [H, W, C] = hwc(x, cf);
        const OH = H - t - b;
        const OW = W - l - rr;
        if (OH < 1 || OW < 1) throw new ShapeError(r.where, `cropping ${JSON.stringify(a.cropping)} leaves nothing of the input [${x.join(', ')}]`);
        return oneD ? [OW, C] : cf ? [C, OH, OW] : [OH, OW, C];
      },
    },
    hlsClass: () => cls,
    typeKey: () => cls,
    build: (l) => ({ cls, attrs: { cropping: l.attrs.cropping, channelsFirst: l.attrs.dataFormat === 'channels_first' } }),
    float(l, [x], ctx) {
      const cf = l.attrs.dataFormat === 'channels_first';
      const [t, , le] = cropsOf(l.attrs.cropping, oneD);
      const [H, W, C] = hwc(l.inputShapes[0]!, cf);
      const [OH, OW] = hwc(l.outputShape, cf);
      const y = new Float64Array(ctx.n * OH * OW * C);
      let p = 0;
      for (let s = 0; s < ctx.n; s++) {
        const base = s * H * W * C;
        if (cf) for (let c = 0; c < C; c++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) y[p++] = x![base + (c * H + i + t) * W + j + le]!;
        else for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) for (let c = 0; c < C; c++) y[p++] = x![base + ((i + t) * W + j + le) * C + c]!;
      }
      return y;
    },
  };
}

function hls(cls: Cls): HlsClassSpec {
  const oneD = cls === 'Cropping1D';
  return {
    types: [{ name: 'result' }],
    resultFromInput: true,
    // No Cropping rule in hls4ml's infer_precision: an output still 'auto' (its producer's type was
    // 'auto' when the layer was parsed) gets the Model default, not the producer's inferred type.
    infer(n) {
      if (n.types.result === 'auto') n.attrs.autoInput = true;
    },
    lower(n, ctx) {
      const cf = n.attrs.channelsFirst === true;
      if (cf && ctx.io === 'io_stream') throw new UnsupportedError(`${n.name}.data_format`, 'hls4ml has no io_stream channels-first cropping kernel');
      const [H, W, C] = hwc(n.shapeIn[0]!, cf);
      const [OH, OW] = hwc(n.shapeOut, cf);
      const [t, b, l, r] = cropsOf(n.attrs.cropping, oneD);
      const result = typed(n, 'result');
      if (n.attrs.autoInput === true && ctx.inputTypes[0] !== undefined) {
        ctx.warn(`${n.name}: its input's precision was 'auto' when hls4ml parsed it, so hls4ml's ${cls} output gets the Model default ${formatFixedType(result)} instead of the input's ${formatFixedType(ctx.inputTypes[0])} (no Cropping rule in infer_precision; emulated as hls4ml does)`);
      }
      const c: CroppingFirmwareConfig = oneD
        ? { in_width: W, n_chan: C, out_width: OW, crop_left: l, crop_right: r }
        : { in_height: H, in_width: W, n_chan: C, out_height: OH, out_width: OW, crop_top: t, crop_bottom: b, crop_left: l, crop_right: r };
      if (cf) c.data_format = 'channels_first';
      return { ...lowered(n, ctx, cls, c), types: { input: ctx.inputTypes[0]!, result }, weights: {} } as CroppingLayer;
    },
  };
}

function firmware<C extends Cls>(cls: C): FirmwareClassSpec<CroppingLayer<C>> {
  const oneD = cls === 'Cropping1D';
  const kcfg = (L: CroppingLayer<C>) => ({ ...L.config, name: L.name, types: L.types }) as Cropping2DConfig;
  return {
    check(L, path) {
      const c = new LayerCheck(L, path, ['in_height', 'in_width', 'n_chan', 'out_height', 'out_width', 'crop_top', 'crop_bottom', 'crop_left', 'crop_right'], { channelsFirst: !oneD });
      const cf = c.channelsFirst;
      if (cf && c.io === 'io_stream') throw new UnsupportedError(`${path}.config.data_format`, 'hls4ml has no io_stream channels-first cropping kernel');
      const [H, W, C] = hwc(c.rank(oneD ? 2 : 3), cf);
      const cfg: CroppingFirmwareConfig = { in_width: c.equal('in_width', W), n_chan: c.equal('n_chan', C), crop_left: c.int('crop_left', 0, 0), crop_right: c.int('crop_right', 0, 0), out_width: 0 };
      cfg.out_width = c.equal('out_width', W - cfg.crop_left - cfg.crop_right);
      if (!oneD) {
        Object.assign(cfg, { in_height: c.equal('in_height', H), crop_top: c.int('crop_top', 0, 0), crop_bottom: c.int('crop_bottom', 0, 0) });
        cfg.out_height = c.equal('out_height', H - cfg.crop_top! - cfg.crop_bottom!);
      }
      if (cfg.out_width < 1 || (cfg.out_height ?? 1) < 1) throw new ShapeError(`${path}.config`, 'the crops leave an empty output');
      if (cf) cfg.data_format = 'channels_first';
      c.out(oneD ? [cfg.out_width, C] : cf ? [C, cfg.out_height!, cfg.out_width] : [cfg.out_height!, cfg.out_width, C]);
      return { ...L, cls, config: { ...cfg, io_type: c.io }, types: { input: c.type('input'), result: c.type('result') }, weights: {} } as CroppingLayer<C>;
    },
    reference(L) {
      const cfg = kcfg(L);
      return (xs, s) => (oneD ? cropping1d(cfg, xs[0]!, s ? { stats: s } : {}) : cropping2d(cfg, xs[0]!, s ? { stats: s } : {}));
    },
    emit(L, { ctx, cname: c, ins }) {
      warnInputType(ctx, L, 'input', ins[0]!);
      const g = L.config;
      const s = new Struct(`config_${c}`, `${L.name}: ${cls} (${g.crop_top ?? 0}, ${g.crop_bottom ?? 0}, ${g.crop_left}, ${g.crop_right})`)
        .u('in_height', g.in_height ?? 1).u('in_width', g.in_width).u('n_chan', g.n_chan).u('out_height', g.out_height ?? 1).u('out_width', g.out_width)
        .u('crop_top', g.crop_top ?? 0).u('crop_left', g.crop_left).b('channels_first', g.data_format === 'channels_first');
      return {
        layer: L,
        cname: c,
        typedefs: [],
        structs: [s.text()],
        arrays: [],
        headers: [RESHAPE_HEADER],
        call: (is, iv, out, ov) => [`hlsemu::crop<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov});`],
        summary: `${cls} -> ${JSON.stringify(L.shapeOut)}`,
      };
    },
  };
}

/** The cropping kinds. */
export const croppingModule = {
  kind: 'Cropping',
  model: { Cropping1D: model('Cropping1D'), Cropping2D: model('Cropping2D') },
  hls: { Cropping1D: hls('Cropping1D'), Cropping2D: hls('Cropping2D') },
  firmware: { Cropping1D: firmware('Cropping1D'), Cropping2D: firmware('Cropping2D') },
} satisfies LayerModule;
