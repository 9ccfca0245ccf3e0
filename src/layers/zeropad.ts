/**
 * ZeroPadding1D / ZeroPadding2D (Keras `ZeroPadding1D/2D`; hls4ml `ZeroPadding1D/2D`;
 * `nnet::zeropad1d_cl` / `zeropad2d_cl`): padded positions are 0, the others `(result_t)x`.
 * hls4ml also inserts one in front of a 'same' convolution in io_stream (see conv.ts).
 *
 * hls4ml sources: converters/keras/reshaping.py (parse_zeropadding*), model/layers.py
 * (ZeroPadding1D/2D), backends/vivado/passes/reshaping_templates.py,
 * backends/fpga/passes/… (io_stream 'same' padding insertion), nnet_utils/nnet_padding*.h.
 */
import { FormatError, UnsupportedError } from '../errors.js';
import { sameType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import { perSide2D, requireRank, type LayerConfigReader } from '../import/keras-config.js';
import { prepareFastZeropad } from '../kernels/fast/elementwise.js';
import { zeropad1d, zeropad2d, type ZeroPad1DConfig, type ZeroPad2DConfig } from '../kernels/zeropad.js';
import { Struct, tArg } from '../emit/layers.js';
import { PADDING_HEADER } from '../emit/cpp/structural.js';
import { RESHAPE_HEADER } from '../emit/cpp/reshape-ext.js';
import { checkInputLengths, intList, need, obj, runAll, types as caseTypes, x1, type Case } from '../conformance/kernel-case.js';
import { LayerCheck, lowered, typed } from './common.js';
import { checkSides, floatSides, kerasDataFormat, shapeOf, sidesConfig, sidesOf, type SidesFirmwareConfig } from './sides.js';
import type { FirmwareClassSpec, HlsClassSpec, LayerModule, ModelClassSpec } from './spec.js';

/**
 * `padding{1,2}d_config` fields (1D: width fields only). `data_format: 'channels_first'`:
 * `zeropad{1,2}d_cf` ((C, W) / (C, H, W), io_parallel; the result type is the input type).
 */
export type ZeroPadFirmwareConfig = SidesFirmwareConfig<'pad'>;

/** A firmware zero-padding layer. */
export interface ZeroPaddingLayer<C extends 'ZeroPadding1D' | 'ZeroPadding2D' = 'ZeroPadding1D' | 'ZeroPadding2D'> extends FirmwareLayerBase<C, ZeroPadFirmwareConfig, never, never> {}

function zeroPadding1D(r: LayerConfigReader): number[] {
  return r.tuple('padding', 2, [1, 1], 0);
}

function zeroPadding2D(r: LayerConfigReader): number[][] {
  return perSide2D(r, 'padding', 1);
}

/** `{ dataFormat: 'channels_first' }` for a channels-first layer, else nothing (ZeroPadding1D has a data_format in Keras 3). */
function dataFormat(r: LayerConfigReader): { dataFormat?: 'channels_first' } {
  const df = kerasDataFormat(r);
  return df === 'channels_first' ? { dataFormat: df } : {};
}

function model(cls: 'ZeroPadding1D' | 'ZeroPadding2D'): ModelClassSpec {
  const oneD = cls === 'ZeroPadding1D';
  return {
    keras: oneD
      ? {
          arity: 'one',
          attrs: (r) => ({ padding: zeroPadding1D(r), ...dataFormat(r) }),
          outputShape([x = []], a, r) {
            requireRank(r, x, 2, cls);
            const [lo, hi] = a.padding as number[];
            return a.dataFormat === 'channels_first' ? [x[0]!, x[1]! + lo! + hi!] : [x[0]! + lo! + hi!, x[1]!];
          },
        }
      : {
          arity: 'one',
          attrs: (r) => ({ padding: zeroPadding2D(r), ...dataFormat(r) }),
          outputShape([x = []], a, r) {
            requireRank(r, x, 3, cls);
            const [t, b, l, rr] = sidesOf(a.padding, false);
            return a.dataFormat === 'channels_first' ? [x[0]!, x[1]! + t + b, x[2]! + l + rr] : [x[0]! + t + b, x[1]! + l + rr, x[2]!];
          },
        },
    hlsClass: () => cls,
    typeKey: () => cls,
    build: (l) => ({ cls, attrs: { padding: l.attrs.padding, channelsFirst: l.attrs.dataFormat === 'channels_first' } }),
    float(l, [x], ctx) {
      const { cf, top, left, H, W, C, OH, OW } = floatSides(l, l.attrs.padding, oneD);
      const y = new Float64Array(ctx.n * OH * OW * C);
      for (let s = 0; s < ctx.n; s++) {
        if (cf) {
          for (let c = 0; c < C; c++) {
            for (let h = 0; h < H; h++) {
              const src = ((s * C + c) * H + h) * W;
              y.set(x!.subarray(src, src + W), ((s * C + c) * OH + h + top) * OW + left);
            }
          }
          continue;
        }
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
    resultFromInput: true,
    infer(n, [x]) {
      if (n.types.result === 'auto') n.types.result = x!;
    },
    lower(n, ctx) {
      const cf = n.attrs.channelsFirst === true;
      if (cf && ctx.io === 'io_stream') throw new UnsupportedError(`${n.name}.data_format`, `hls4ml has no io_stream channels-first zero padding (its template calls zeropad${oneD ? 1 : 2}d_cf, which exists for arrays only)`);
      const c = sidesConfig('pad', n, sidesOf(n.attrs.padding, oneD), oneD, cf);
      return { ...lowered(n, ctx, cls, c), types: { input: ctx.inputTypes[0]!, result: typed(n, 'result') }, weights: {} } as ZeroPaddingLayer;
    },
  };
}

function firmware<C extends 'ZeroPadding1D' | 'ZeroPadding2D'>(cls: C): FirmwareClassSpec<ZeroPaddingLayer<C>> {
  const oneD = cls === 'ZeroPadding1D';
  const kcfg = (L: ZeroPaddingLayer<C>) => ({ ...L.config, name: L.name, types: L.types }) as ZeroPad2DConfig & ZeroPad1DConfig;
  return {
    check(L, path) {
      const c = new LayerCheck(L, path, ['in_height', 'in_width', 'n_chan', 'out_height', 'out_width', 'pad_top', 'pad_bottom', 'pad_left', 'pad_right'], { channelsFirst: true });
      const cf = c.channelsFirst;
      if (cf && c.io === 'io_stream') throw new UnsupportedError(`${path}.config.data_format`, 'hls4ml has no io_stream channels-first zero padding');
      const { cfg, C } = checkSides(c, 'pad', 1, oneD, cf);
      c.out(shapeOf(cfg.out_height ?? 1, cfg.out_width, C, oneD, cf));
      if (cf) cfg.data_format = 'channels_first';
      const types = { input: c.type('input'), result: c.type('result') };
      if (cf && !sameType(types.input, types.result)) throw new FormatError(`${path}.types.result`, 'the channels-first kernel writes a data_T array: the result type must equal the input type');
      return { ...L, cls, config: { ...cfg, io_type: c.io }, types, weights: {} } as ZeroPaddingLayer<C>;
    },
    reference(L) {
      const cfg = kcfg(L);
      return (xs, s) => (oneD ? zeropad1d(cfg, xs[0]!, s ? { stats: s } : {}) : zeropad2d(cfg, xs[0]!, s ? { stats: s } : {}));
    },
    fast: (L, fo) => (L.config.data_format === 'channels_first' ? { kernel: null, reason: 'channels-first' } : prepareFastZeropad(kcfg(L), oneD, fo)),
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
        headers: [g.data_format === 'channels_first' ? RESHAPE_HEADER : PADDING_HEADER],
        call: (is, iv, out, ov) =>
          g.data_format === 'channels_first'
            ? [`hlsemu::zeropad_cf<${is[0]!.elemType}, config_${c}>(${iv[0]}, ${ov});`]
            : [`hlsemu::zeropad<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov});`],
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
