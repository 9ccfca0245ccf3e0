/**
 * Quantization-aware-trained (QAT) models in the PTQ tools. A QKeras model (or a QONNX one) already
 * carries its types: the weight quantizers fix the weight and bias types, the activation quantizers
 * (QActivation) the result types — hls4ml reads the latter only from a config made by
 * `config_from_keras_model(model, granularity='name')`. So for a QAT model:
 *
 * - the **baseline** is that config (the trained types; every other type 'auto', inferred by
 *   hls4ml, or the Model default `fixed<16,6>` — accumulators, BatchNormalization, softmax);
 * - the useful scan varies only the tensors training did not quantize — the Model default, which
 *   is what accumulators, BatchNormalization scale/bias/result, softmax and the activations split
 *   off Dense/Conv layers get — keeping every trained type: {@link unquantizedConfig};
 * - re-quantizing the trained tensors (the homogeneous scan) is available when asked for.
 */
import { configFromModel, type Hls4mlConfig, type LayerSettings } from '../graph/config.js';
import type { IOType } from '../graph/firmware.js';
import type { LayerQuantizers, ModelGraph } from '../graph/model.js';
import { splitLayer } from '../layers/activation.js';
import { MODEL_CLASSES } from '../layers/registry.js';

/**
 * True when the model carries trained quantizers (weight/bias quantizers, activation quantizers, or
 * other quantizers that name a type, like a QLSTM's recurrent and state quantizers).
 *
 * @example isQatModel(await loadModel('qkeras_3layer.json')) // true
 */
export function isQatModel(model: ModelGraph): boolean {
  return model.layers.some((l) => {
    const q = l.quantizers;
    // `precisions`: types a quantizer names without a weight/bias slot (QLSTM/QGRU recurrent weights, state)
    return !!(q && (q.weight || q.bias || q.activation || q.result || Object.keys(q.precisions ?? {}).length)) || l.attrs.activationQuantizer !== undefined;
  });
}

/**
 * The QAT baseline: hls4ml's `config_from_keras_model(model, granularity='name')` — the trained
 * quantizers' types for weights, biases and activation results, 'auto' elsewhere.
 *
 * @example qatConfig(model).LayerName!.fc1!.Precision // { result: 'auto', weight: 'fixed<6,1,TRN,WRAP,0>', bias: … }
 */
export function qatConfig(model: ModelGraph, ioType?: IOType): Hls4mlConfig {
  return configFromModel(model, { granularity: 'name', ...(ioType ? { ioType } : {}) });
}

/**
 * `base` (a QAT baseline) with the tensors training did not quantize at `type`: the Model default
 * becomes `type` (accumulators, BatchNormalization scale and bias, softmax, split activations and
 * whatever else has no trained type resolve to it), `LayerName` precisions that are neither
 * 'auto' nor a trained quantizer's type are set to it too. Trained types stay.
 *
 * @example unquantizedConfig(qatConfig(model), 'fixed<12,5>').Model.Precision // { default: 'fixed<12,5>' }
 */
export function unquantizedConfig(base: Hls4mlConfig, type: string, trained: ReadonlySet<string> = new Set()): Hls4mlConfig {
  const cfg = structuredClone(base);
  const p = cfg.Model.Precision;
  cfg.Model.Precision = typeof p === 'object' && p ? { ...p, default: type } : { default: type };
  for (const [name, s] of Object.entries(cfg.LayerName ?? {})) {
    const prec = (s as LayerSettings).Precision;
    if (!prec || typeof prec === 'string') continue;
    for (const [v, t] of Object.entries(prec)) {
      if (t === 'auto' || trained.has(`${name}.${v}`)) continue;
      // table types and other explicit entries of the baseline that no quantizer set
      if (v.endsWith('table') || v === 'inv_inp') continue;
      prec[v] = type;
    }
  }
  return cfg;
}

/**
 * The `<layer>.<var>` precisions of a QAT config that come from trained quantizers (what
 * `config_from_keras_model` wrote from a quantizer), so the scans keep them.
 *
 * @example trainedPrecisions(model) // Set { 'fc1.weight', 'fc1.bias', 'relu1.result', … }
 */
export function trainedPrecisions(model: ModelGraph): Set<string> {
  const out = new Set<string>();
  const add = (name: string, q: LayerQuantizers | undefined) => {
    if (!q) return;
    for (const v of ['weight', 'bias'] as const) if (q[v]?.text) out.add(`${name}.${v}`);
    for (const v of Object.keys(q.precisions ?? {})) out.add(`${name}.${v}`);
    if (q.activation) out.add(`${name}.result`);
  };
  for (const l of model.layers) {
    const spec = MODEL_CLASSES[l.className];
    if (!spec || spec.removed) continue;
    add(l.name, l.quantizers);
    add(splitLayer(l, model.source, spec)?.name ?? '', splitLayer(l, model.source, spec)?.quantizers);
  }
  return out;
}
