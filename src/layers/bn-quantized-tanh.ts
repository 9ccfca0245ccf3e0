/**
 * Binary and ternary tanh after a BatchNormalization: hls4ml's Vivado 'quantization' flow
 * (`merge_batch_norm_quantized_tanh`) replaces a BatchNormalization (or ApplyAlpha) followed by an
 * Activation binary/ternary tanh — or a TernaryTanh — with one BatchNormalizationQuantizedTanh
 * `bnbt_<bn>` that compares its input with thresholds: binary `x ≥ t` into an Xnor `ap_uint<1>`,
 * ternary `x > hi → 1`, `x ≤ lo → −1`, else 0, into `int<2>`. With the BN's scale s and bias b and
 * F = fractional bits of the input type: t = floor(−b/s·2^F)/2^F; hi/lo = floor((±θ/s − b/s)·2^F)/2^F
 * (θ the ternary threshold, 0.5 after ExtractTernaryThreshold), in numpy's dtype of s and b, printed
 * in the input type. The thresholds assume s > 0 (a negative scale flips the comparison in Keras but
 * not here).
 *
 * TernaryTanh (QKeras `ternary` activations) is an hls4ml class without a C++ template: unless it
 * merges into a BatchNormalizationQuantizedTanh, hls4ml's writer silently omits its call, so
 * hlsemu rejects it.
 *
 * hls4ml sources: backends/vivado/passes/bn_quant.py (MergeBatchNormAndQuantizedTanh),
 * backends/fpga/fpga_layers.py (BatchNormalizationQuantizedTanh.set_thresholds),
 * model/layers.py (TernaryTanh), writer/vivado_writer.py (layers without a template are skipped),
 * templates/vivado/nnet_utils/nnet_batchnorm.h, nnet_batchnorm_stream.h.
 */
import { ShapeError, UnsupportedError } from '../errors.js';
import type { FixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import { weightsToRaw } from '../graph/weights.js';
import { normalizeQuantizedTanh, type BatchNormQuantizedTanhConfig } from '../kernels/batchnorm.js';
import { isApUint1 } from '../kernels/activations.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { BATCHNORM_HEADER } from '../emit/cpp/elementwise.js';
import { LayerCheck, lowered, reuseFactorOf, typed } from './common.js';
import type { FirmwareClassSpec, HlsClassSpec, LayerModule } from './spec.js';

/** Config of a firmware BatchNormalizationQuantizedTanh. */
export interface BnQuantizedTanhFirmwareConfig {
  n_in: number;
  n_filt: number;
  n_scale_bias: number;
  reuse_factor: number;
  /** 2 = binary, 3 = ternary (hls4ml's `quantize` attribute). */
  quantize: 2 | 3;
}

/** A firmware BatchNormalizationQuantizedTanh: `threshold` (binary; the upper one when ternary) and `threshold_lo` (ternary), raw in the input type. */
export type BnQuantizedTanhLayer = FirmwareLayerBase<'BatchNormalizationQuantizedTanh', BnQuantizedTanhFirmwareConfig, never, 'threshold'> & {
  weights: { threshold_lo?: Float64Array };
};

const f32 = Math.fround;
type Arr = Float32Array | Float64Array;

/** hls4ml's `set_thresholds` in numpy's arithmetic (float32 only when scale and bias are float32). */
export function quantizedTanhThresholds(scale: Arr, bias: Arr, F: number, quantize: 2 | 3, theta: number): Arr[] {
  const single = scale instanceof Float32Array && bias instanceof Float32Array;
  const r = (v: number) => (single ? f32(v) : v);
  const n = scale.length;
  const mk = () => (single ? new Float32Array(n) : new Float64Array(n));
  const grid = (v: number) => r(Math.floor(r(v * 2 ** F)) / 2 ** F);
  const t = mk();
  for (let i = 0; i < n; i++) t[i] = r(-bias[i]! / scale[i]!);
  if (quantize === 2) return [Float64Array.from(t, grid)];
  const hi = mk();
  const lo = mk();
  for (let i = 0; i < n; i++) {
    hi[i] = grid(r(r(theta / scale[i]!) + t[i]!));
    lo[i] = grid(r(r(-theta / scale[i]!) + t[i]!));
  }
  return [hi, lo];
}

const bnqtHls: HlsClassSpec = {
  types: [{ name: 'result' }],
  settings: [{ name: 'reuse_factor', default: 1, backend: true }],
  lower(n, ctx): BnQuantizedTanhLayer {
    const tin = ctx.inputTypes[0]!;
    if ((ctx.inputKinds?.[0] ?? 'fixed') !== 'fixed' && ctx.inputKinds?.[0] !== 'integer') {
      throw new UnsupportedError(`${n.name}.input`, `thresholds in a ${ctx.inputKinds?.[0]} input type are not supported`);
    }
    const quantize = n.attrs.quantize as 2 | 3;
    const shape = n.shapeIn[0]!;
    const nIn = shape.reduce((p, d) => p * d, 1);
    const nFilt = Number(n.attrs.n_filt ?? -1);
    const nsb = nFilt === -1 ? nIn : nFilt;
    const scale = n.attrs.bnScale as Arr;
    const bias = n.attrs.bnBias as Arr;
    if (scale.length !== nsb || bias.length !== nsb) throw new ShapeError(`${n.name}.thresholds`, `the BatchNormalization has ${scale.length} scales for ${nsb} thresholds`);
    const th = quantizedTanhThresholds(scale, bias, tin.W - tin.I, quantize, Number(n.attrs.threshold ?? 0.5));
    const raws = th.map((t, k) => weightsToRaw(t, tin, `${n.name}.${quantize === 2 ? 'threshold' : k === 0 ? 'threshold_hi' : 'threshold_lo'}`).raw);
    const weights: BnQuantizedTanhLayer['weights'] = quantize === 2 ? { threshold: raws[0]! } : { threshold: raws[0]!, threshold_lo: raws[1]! };
    return {
      ...lowered(n, ctx, 'BatchNormalizationQuantizedTanh', { n_in: nIn, n_filt: nFilt, n_scale_bias: nsb, reuse_factor: reuseFactorOf(n), quantize }),
      types: { input: tin, result: typed(n, 'result') },
      weights,
    };
  },
};

function kernelCfg(L: BnQuantizedTanhLayer): BatchNormQuantizedTanhConfig {
  return { name: L.name, n_in: L.config.n_in, n_filt: L.config.n_filt, io_type: L.config.io_type, quantize: L.config.quantize, types: L.types };
}

function thresholdsOf(L: BnQuantizedTanhLayer): Float64Array[] {
  return L.config.quantize === 2 ? [L.weights.threshold] : [L.weights.threshold, L.weights.threshold_lo!];
}

const bnqtFirmware: FirmwareClassSpec<BnQuantizedTanhLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, ['n_in', 'n_filt', 'n_scale_bias', 'quantize']);
    const n = c.size(L.shapeIn);
    c.out(L.shapeIn);
    const nFilt = c.int('n_filt', -1, -1);
    const nsb = nFilt === -1 ? n : nFilt;
    const quantize = c.int('quantize', 2) as 2 | 3;
    if (quantize !== 2 && quantize !== 3) throw new ShapeError(`${path}.config.quantize`, `must be 2 (binary) or 3 (ternary), got ${quantize}`);
    const weights: BnQuantizedTanhLayer['weights'] = quantize === 2 ? { threshold: c.weight('threshold', nsb) } : { threshold: c.weight('threshold', nsb), threshold_lo: c.weight('threshold_lo', nsb) };
    return {
      ...L,
      cls: 'BatchNormalizationQuantizedTanh',
      config: { n_in: c.equal('n_in', n), n_filt: nFilt, n_scale_bias: c.int('n_scale_bias', 1, nsb), reuse_factor: c.int('reuse_factor', 1, 1), quantize, io_type: c.io },
      types: { input: c.type('input'), result: c.type('result') },
      weights,
    };
  },
  reference(L) {
    const cfg = kernelCfg(L);
    const th = thresholdsOf(L);
    return (xs, s) => normalizeQuantizedTanh(cfg, xs[0]!, th, s ? { stats: s } : {});
  },
  emit(L, { ctx, cname: c, ins }) {
    const inT = ins[0]!;
    warnInputType(ctx, L, 'input', inT);
    const { n_in: n, n_filt: nFilt, quantize } = L.config;
    if (ctx.io === 'io_stream' && nFilt !== -1 && inT.wordSize % nFilt !== 0) {
      throw new UnsupportedError(`${L.name}.config.n_filt`, `io_stream words of ${inT.wordSize} values are not a multiple of n_filt=${nFilt}`);
    }
    if (quantize === 2 && !isApUint1(L.types.result)) ctx.warnings.push(`${L.name}: a binary BatchNormalizationQuantizedTanh writes ap_uint<1>; the result type here is not`);
    const tin: FixedType = inT.type;
    const s = new Struct(`config_${c}`, `${L.name}: BatchNormalization + ${quantize === 2 ? 'binary' : 'ternary'} tanh over ${n} values`)
      .u('n_in', n)
      .i('n_filt', nFilt)
      .u('n_scale_bias', L.config.n_scale_bias)
      .u('reuse_factor', L.config.reuse_factor);
    const names = quantize === 2 ? [`${c}_t`] : [`${c}_th`, `${c}_tl`];
    const th = thresholdsOf(L);
    return {
      layer: L,
      cname: c,
      typedefs: [],
      structs: [s.text()],
      arrays: th.map((values, k) => ({ name: names[k]!, elemType: inT.elemType, type: tin, values, description: `${L.name} ${quantize === 2 ? 'threshold' : k === 0 ? 'upper threshold' : 'lower threshold'} (input type)` })),
      headers: [BATCHNORM_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::normalize_${quantize === 2 ? 'binary' : 'ternary'}_tanh<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}, ${names.join(', ')});`],
      summary: `BatchNormalizationQuantizedTanh (${quantize === 2 ? 'binary' : 'ternary'})`,
    };
  },
};

const ternaryTanhHls: HlsClassSpec = {
  types: [{ name: 'result' }, { name: 'table', default: 'fixed<18,8>', backend: true }],
  settings: [
    { name: 'reuse_factor', default: 1, backend: true },
    { name: 'table_size', default: 1024, backend: true },
  ],
  activationLike: true,
  lower(n) {
    throw new UnsupportedError(
      n.name,
      "a TernaryTanh that does not follow a BatchNormalization has no function template in hls4ml 1.3: its writer silently leaves the call out, so the firmware would pass garbage on (hls4ml merges it only into a preceding BatchNormalization / ApplyAlpha, see merge_batch_norm_quantized_tanh)",
    );
  },
};

/** The BatchNormalizationQuantizedTanh layer kind (and the TernaryTanh class it absorbs). */
export const bnQuantizedTanhModule = {
  kind: 'BatchNormalizationQuantizedTanh',
  hls: { BatchNormalizationQuantizedTanh: bnqtHls, TernaryTanh: ternaryTanhHls },
  firmware: { BatchNormalizationQuantizedTanh: bnqtFirmware },
} satisfies LayerModule;
