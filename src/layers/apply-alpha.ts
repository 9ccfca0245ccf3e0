/**
 * ApplyAlpha (hls4ml `ApplyAlpha`, a BatchNormalization subclass computed by `nnet::normalize`):
 * y = x·scale + bias per element or per channel. hls4ml inserts it after a QKeras Dense/Conv whose
 * quantizer has an `alpha` scale (QKerasFactorizeAlpha: power-of-two scales with the
 * `weight_exponential` product for 'auto_po2', a fixed-point scale otherwise) and before a ternary
 * tanh whose threshold is not 0.5 (ExtractTernaryThreshold). The scale may be any float in a fixed
 * type (`mult` product) or a power of two in an exponent type; a model layer of class ApplyAlpha
 * (weights `scale`, `bias`; per channel when `attrs.n_filt` > 0, else per element) is what other
 * importers produce for a scale they factor out of a layer.
 *
 * hls4ml sources: model/layers.py (ApplyAlpha, BatchNormalization), model/optimizer/passes/qkeras.py
 * (QKerasFactorizeAlpha, ExtractTernaryThreshold), infer_precision.py (_infer_bn_precision),
 * backends/vivado/passes/core_templates.py (batchnorm_config, product_type),
 * templates/vivado/nnet_utils/nnet_batchnorm.h, nnet_mult.h (weight_exponential).
 */
import { ShapeError } from '../errors.js';
import type { FixedType } from '../fixed/types.js';
import { bnFamilyFirmware, bnFamilyHls, type BnFamilyLayer } from './batchnorm.js';
import type { LayerModule, ModelClassSpec } from './spec.js';

/** A firmware ApplyAlpha layer (the BatchNormalization layout; power-of-two scales with `scale_sign`). */
export type ApplyAlphaLayer = BnFamilyLayer<'ApplyAlpha'>;

const model: ModelClassSpec = {
  hlsClass: () => 'ApplyAlpha',
  typeKey: () => 'ApplyAlpha',
  build(l, ctx) {
    const s = l.weights.scale;
    const b = l.weights.bias;
    if (!s || !b) throw new ShapeError(`${ctx.where}.weights`, 'an ApplyAlpha needs scale and bias weights');
    // an importer may fix the scale / bias types hls4ml gives the layer it makes (QONNX MergeToApplyAlpha: `uint<1>` unit scales)
    const types: Record<string, FixedType> = {};
    if (l.attrs.scalePrecision) types.scale = l.attrs.scalePrecision as FixedType;
    if (l.attrs.biasPrecision) types.bias = l.attrs.biasPrecision as FixedType;
    return {
      cls: 'ApplyAlpha',
      attrs: { n_filt: l.attrs.n_filt ?? -1 },
      weights: { scale: { data: s.data, shape: s.shape }, bias: { data: b.data, shape: b.shape } },
      ...(Object.keys(types).length ? { types } : {}),
    };
  },
  float(l, [x]) {
    const s = l.weights.scale!.data;
    const b = l.weights.bias!.data;
    const y = new Float64Array(x!.length);
    for (let i = 0; i < y.length; i++) y[i] = x![i]! * s[i % s.length]! + b[i % b.length]!;
    return y;
  },
  profileWeights: (l) => [
    { tensor: 'scale', values: Float64Array.from(l.weights.scale?.data ?? []) },
    { tensor: 'bias', values: Float64Array.from(l.weights.bias?.data ?? []) },
  ],
};

/** The ApplyAlpha layer kind. */
export const applyAlphaModule = {
  kind: 'ApplyAlpha',
  model: { ApplyAlpha: model },
  hls: { ApplyAlpha: bnFamilyHls('ApplyAlpha') },
  firmware: { ApplyAlpha: bnFamilyFirmware('ApplyAlpha') },
} satisfies LayerModule;
