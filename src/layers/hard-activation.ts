/**
 * HardActivation (hls4ml `HardActivation`, an Activation subclass; `nnet::hard_sigmoid`,
 * `nnet::hard_tanh`): `s = clip(slope·x + shift, 0, 1)` at full precision, hard_tanh `2s − 1`, then
 * the result type. QKeras' `quantized_sigmoid` / `quantized_tanh` (without the real function)
 * become one with slope = shift = 0.5, both typed `ap_ufixed<2,0>`; hls4ml's defaults are slope 0.2
 * in `ap_ufixed<16,0>` and shift 0.5 in `ap_ufixed<2,0>`. The slope and shift are C++ double literals
 * converted to their types (TRN, WRAP).
 *
 * hls4ml sources: model/layers.py (HardActivation), converters/keras/qkeras.py
 * (get_activation_quantizer), backends/vivado/passes/core_templates.py (hard_activ_config_template),
 * templates/vivado/nnet_utils/nnet_activation.h (hard_sigmoid, hard_tanh).
 */
import { UnsupportedError } from '../errors.js';
import { fixedType, type FixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import { hardSigmoid, hardTanh, type HardActivationConfig } from '../kernels/activations-ext.js';
import { quantizeDoubleRaw } from '../kernels/tables.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { ACTIVATION_EXT_HEADER } from '../emit/cpp/activation-ext.js';
import { LayerCheck, lowered, reuseFactorOf, typed } from './common.js';
import type { FirmwareClassSpec, HlsClassSpec, HlsDraft, LayerModule } from './spec.js';

/** `hard_activ_config` fields. */
export interface HardActivationFirmwareConfig {
  activation: 'hard_sigmoid' | 'hard_tanh';
  n_in: number;
  reuse_factor: number;
  /** The double literals hls4ml writes for slope and shift. */
  slope_literal: number;
  shift_literal: number;
}

/** A firmware HardActivation layer. */
export interface HardActivationLayer extends FirmwareLayerBase<'HardActivation', HardActivationFirmwareConfig, 'slope' | 'shift', never> {}

/** hls4ml's default slope/shift types. */
export const HARD_SLOPE_DEFAULT: FixedType = fixedType(false, 16, 0);
export const HARD_SHIFT_DEFAULT: FixedType = fixedType(false, 2, 0);

/**
 * The working-graph node of a hard sigmoid / tanh.
 *
 * @example hardActivationDraft('hard_tanh', 0.5, 0.5, fixedType(false, 2, 0), fixedType(false, 2, 0));
 */
export function hardActivationDraft(activation: 'hard_sigmoid' | 'hard_tanh', slope: number, shift: number, slopeType: FixedType, shiftType: FixedType): HlsDraft {
  return { cls: 'HardActivation', attrs: { activation, slope, shift }, types: { slope: slopeType, shift: shiftType } };
}

const hls: HlsClassSpec = {
  types: [{ name: 'result' }, { name: 'slope' }, { name: 'shift' }, { name: 'table', default: 'fixed<18,8>', backend: true }],
  settings: [
    { name: 'reuse_factor', default: 1, backend: true },
    { name: 'table_size', default: 1024, backend: true },
  ],
  linearMergeParent: true,
  activationLike: true,
  lower(n, ctx): HardActivationLayer {
    const act = String(n.attrs.activation);
    if (act !== 'hard_sigmoid' && act !== 'hard_tanh') throw new UnsupportedError(`${n.name}.activation`, `HardActivation computes hard_sigmoid or hard_tanh, got '${act}'`);
    return {
      ...lowered(n, ctx, 'HardActivation', { activation: act, n_in: n.shapeIn[0]!.reduce((p, d) => p * d, 1), reuse_factor: reuseFactorOf(n), slope_literal: Number(n.attrs.slope ?? 0.2), shift_literal: Number(n.attrs.shift ?? 0.5) }),
      types: { input: ctx.inputTypes[0]!, result: typed(n, 'result'), slope: typed(n, 'slope'), shift: typed(n, 'shift') },
      weights: {},
    };
  },
};

function kernelCfg(L: HardActivationLayer): HardActivationConfig & { slope_raw: number | bigint; shift_raw: number | bigint } {
  const { slope, shift } = L.types;
  return {
    name: L.name,
    n_in: L.config.n_in,
    io_type: L.config.io_type,
    types: L.types,
    slope_raw: quantizeDoubleRaw(L.config.slope_literal, slope),
    shift_raw: quantizeDoubleRaw(L.config.shift_literal, shift),
  };
}

const firmware: FirmwareClassSpec<HardActivationLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, ['activation', 'n_in', 'slope_literal', 'shift_literal', 'table_size']);
    c.out(L.shapeIn);
    const config: HardActivationFirmwareConfig = {
      activation: c.choice('activation', ['hard_sigmoid', 'hard_tanh'] as const),
      n_in: c.equal('n_in', c.size(L.shapeIn)),
      reuse_factor: c.int('reuse_factor', 1, 1),
      slope_literal: c.num('slope_literal', 0.2),
      shift_literal: c.num('shift_literal', 0.5),
    };
    const types = { input: c.type('input'), result: c.type('result'), slope: c.optType('slope') ?? HARD_SLOPE_DEFAULT, shift: c.optType('shift') ?? HARD_SHIFT_DEFAULT };
    return { ...L, cls: 'HardActivation', config: { ...config, io_type: c.io }, types, weights: {} };
  },
  reference(L) {
    const cfg = kernelCfg(L);
    const fn = L.config.activation === 'hard_tanh' ? hardTanh : hardSigmoid;
    return (xs, s) => fn(cfg, xs[0]!, s ? { stats: s } : {});
  },
  emit(L, { ctx, cname: c, ins }) {
    const inT = ins[0]!;
    warnInputType(ctx, L, 'input', inT);
    const k = kernelCfg(L);
    const { slope: ts, shift: tsh } = L.types;
    const s = new Struct(`config_${c}`, `${L.name}: ${L.config.activation} over ${inT.size} values (slope ${L.config.slope_literal}, shift ${L.config.shift_literal})`)
      .u('n_in', inT.size)
      .u('reuse_factor', L.config.reuse_factor)
      .t('slope_t', `${c}_slope_t`)
      .t('shift_t', `${c}_shift_t`);
    return {
      layer: L,
      cname: c,
      typedefs: [
        [`${c}_slope_t`, ts],
        [`${c}_shift_t`, tsh],
      ],
      structs: [s.text()],
      arrays: [
        { name: `${c}_slope`, elemType: `${c}_slope_t`, type: ts, values: [Number(k.slope_raw)], scalar: true, description: `${L.name} slope (slope_t)` },
        { name: `${c}_shift`, elemType: `${c}_shift_t`, type: tsh, values: [Number(k.shift_raw)], scalar: true, description: `${L.name} shift (shift_t)` },
      ],
      headers: [ACTIVATION_EXT_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::${L.config.activation}<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}, ${c}_slope, ${c}_shift);`],
      summary: `HardActivation ${L.config.activation}`,
    };
  },
};

/** The HardActivation layer kind. */
export const hardActivationModule = {
  kind: 'HardActivation',
  hls: { HardActivation: hls },
  firmware: { HardActivation: firmware },
} satisfies LayerModule;
