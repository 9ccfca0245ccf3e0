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
import { ShapeError, UnsupportedError } from '../errors.js';
import { formatFixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import { perSide2D, requireRank, type LayerConfigReader } from '../import/keras-config.js';
import { cropping1d, cropping2d, type Cropping2DConfig } from '../kernels/index.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { RESHAPE_HEADER } from '../emit/cpp/reshape-ext.js';
import { LayerCheck, lowered, typed } from './common.js';
import { checkSides, floatSides, hwcOf, kerasDataFormat, shapeOf, sidesConfig, sidesOf, type SidesFirmwareConfig } from './sides.js';
import type { FirmwareClassSpec, HlsClassSpec, LayerModule, ModelClassSpec } from './spec.js';

/** `cropping{1,2}d_config` fields (1D: width fields only). */
export type CroppingFirmwareConfig = SidesFirmwareConfig<'crop'>;

/** A firmware cropping layer. */
export interface CroppingLayer<C extends 'Cropping1D' | 'Cropping2D' = 'Cropping1D' | 'Cropping2D'> extends FirmwareLayerBase<C, CroppingFirmwareConfig, never, never> {}

type Cls = 'Cropping1D' | 'Cropping2D';

function cropping2D(r: LayerConfigReader): number[][] {
  return perSide2D(r, 'cropping', 0);
}

function model(cls: Cls): ModelClassSpec {
  const oneD = cls === 'Cropping1D';
  return {
    keras: {
      arity: 'one',
      attrs(r) {
        if (oneD) return { cropping: r.tuple('cropping', 2, [1, 1], 0) };
        const df = kerasDataFormat(r);
        return { cropping: cropping2D(r), dataFormat: df };
      },
      outputShape([x = []], a, r) {
        requireRank(r, x, oneD ? 2 : 3, cls);
        const cf = a.dataFormat === 'channels_first';
        const [t, b, l, rr] = sidesOf(a.cropping, oneD);
        const [H, W, C] = hwcOf(x, cf);
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
      const { cf, top: t, left: le, H, W, C, OH, OW } = floatSides(l, l.attrs.cropping, oneD);
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
      const result = typed(n, 'result');
      if (n.attrs.autoInput === true && ctx.inputTypes[0] !== undefined) {
        ctx.warn(`${n.name}: its input's precision was 'auto' when hls4ml parsed it, so hls4ml's ${cls} output gets the Model default ${formatFixedType(result)} instead of the input's ${formatFixedType(ctx.inputTypes[0])} (no Cropping rule in infer_precision; emulated as hls4ml does)`);
      }
      const c = sidesConfig('crop', n, sidesOf(n.attrs.cropping, oneD), oneD, cf);
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
      const { cfg, C } = checkSides(c, 'crop', -1, oneD, cf);
      if (cfg.out_width < 1 || (cfg.out_height ?? 1) < 1) throw new ShapeError(`${path}.config`, 'the crops leave an empty output');
      if (cf) cfg.data_format = 'channels_first';
      c.out(shapeOf(cfg.out_height ?? 1, cfg.out_width, C, oneD, cf));
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
