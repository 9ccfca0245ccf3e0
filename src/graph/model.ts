/**
 * ModelGraph: the float model as imported (Keras-level layers, float weights, shapes without the
 * batch axis, channels-last). Every importer (tfjs, Keras JSON + H5, ONNX, QONNX) produces one; the
 * hls4ml conversion (config → passes → FirmwareGraph) consumes it. Nothing here knows tfjs.
 */
import { fixedType, type FixedType } from '../fixed/types.js';
import type { Hls4mlWeightQuantizer } from '../import/qkeras/quantizers.js';
import type { ModelLayerClassOf } from '../layers/registry.js';

/** A float tensor: row-major (C order) data with its shape. */
export interface FloatTensor {
  shape: number[];
  data: Float32Array | Float64Array;
}

/** The layer classes hlsemu understands (Keras names; ONNX/QONNX nodes are mapped onto these), from the layer registry. */
export { MODEL_LAYER_CLASSES } from '../layers/registry.js';
/** One of {@link MODEL_LAYER_CLASSES}. */
export type ModelLayerClass = ModelLayerClassOf;

/**
 * Normalised layer attributes (camelCase; only what changes the firmware):
 * - Dense: `units`, `activation`, `useBias`
 * - Conv1D/Conv2D: `filters`, `kernelSize` ([k] / [kh,kw]), `strides`, `padding` ('valid'|'same'), `activation`, `useBias`
 * - *Pooling1D/2D: `poolSize`, `strides`, `padding`
 * - BatchNormalization: `epsilon` (default 1e-3), `center`, `scale`
 * - Activation: `activation` ('linear'|'relu'|'sigmoid'|'tanh'|'softmax'|…)
 * - ReLU: `maxValue`, `negativeSlope`, `threshold` (plain ReLU when absent/0)
 * - LeakyReLU: `alpha` (Keras 2 default 0.3)
 * - Softmax: `axis` (-1)
 * - Reshape: `targetShape`
 * - ZeroPadding1D: `padding` [left, right]; ZeroPadding2D: `padding` [[top, bottom], [left, right]]
 * - Concatenate: `axis` (-1)
 */
export interface LayerAttrs {
  units?: number;
  activation?: string;
  useBias?: boolean;
  filters?: number;
  kernelSize?: number[];
  strides?: number[];
  padding?: 'valid' | 'same' | number[] | number[][];
  poolSize?: number[];
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  maxValue?: number | null;
  negativeSlope?: number;
  threshold?: number;
  alpha?: number;
  axis?: number;
  targetShape?: number[];
  [key: string]: unknown;
}

/**
 * hls4ml's precision classes (hls4ml/model/types.py) where they change the conversion: `fixed`
 * (FixedPrecisionType), `integer` (IntegerPrecisionType, `int<W>`), `xnor` (XnorPrecisionType: a
 * 1-bit ±1 stored as `ap_uint<1>`, 1 = +1, 0 = −1) and `exponent` (ExponentPrecisionType: a
 * power-of-two weight `{sign, exponent}` worth (sign == 1 ? +1 : −1)·2^exponent). The class selects
 * the product of Dense/Conv/BatchNormalization kernels and disables 'auto' inference for Xnor and
 * exponent types.
 */
export type PrecisionKind = 'fixed' | 'integer' | 'xnor' | 'exponent';

/**
 * A quantizer hls4ml attaches to a weight variable (`weight_quantizer`, `bias_quantizer`,
 * `scale_quantizer`): the type it forces on the variable — it replaces whatever the configuration
 * says — and the function hls4ml applies to the float data before printing it. The object is the
 * storage type itself (a plain {@link FixedType}, as QONNX Quant nodes give it, is a quantizer of
 * class `fixed` whose data is already on the grid), plus:
 */
export interface WeightQuantizer extends FixedType {
  /** hls4ml precision class (absent: fixed). The storage type of `xnor` is `ap_uint<1>`, of `exponent` the exponent field `ap_int<W>`. */
  readonly kind?: PrecisionKind;
  /** hls4ml's `str()` of the type (what `config_from_keras_model` writes). */
  readonly text?: string;
  /** The values hls4ml stores for float data (C order); absent: the data is stored as it is. */
  apply?(data: ArrayLike<number>, shape: number[], path: string): Float32Array | Float64Array;
  /** The QKeras quantizer behind it (read by QKerasFactorizeAlpha), for QKeras models. */
  readonly qkeras?: Hls4mlWeightQuantizer;
  /** hls4ml's own quantizer class behind it (QONNX BipolarQuant weights: `BinaryQuantizer(bits=1)`), which vivado:quantize_dense_output matches. */
  readonly hls4ml?: 'BinaryQuantizer';
}

/** A weight quantizer (or just the fixed type a quantization-aware source imposes). */
export type Quantizer = WeightQuantizer;

/** The storage type and precision class a {@link Quantizer} gives its variable. */
export function quantizerType(q: Quantizer): { type: FixedType; kind: PrecisionKind } {
  return { type: fixedType(q.signed, q.W, q.I, q.Q, q.O, q.N), kind: q.kind ?? 'fixed' };
}

/**
 * Types and quantizers a quantization-aware source imposes on a layer. `weight`/`bias` take
 * precedence over the config's Precision (hls4ml: a weight created with a quantizer gets the
 * quantizer's type and the quantized data); `result` (QONNX Quant on an activation) likewise.
 * `activation` and `precisions` are what hls4ml's `config_from_keras_model` writes for QKeras
 * layers (the activation quantizer's result type; the types of quantizers hls4ml ignores
 * numerically, such as QBatchNormalization's and the QKeras recurrent layers'): they reach the firmware only through a config made
 * at 'name' or 'type' granularity.
 */
export interface LayerQuantizers {
  weight?: Quantizer;
  bias?: Quantizer;
  /** Separable / depthwise convolutions: the depthwise and pointwise kernels' quantizers (QKeras). */
  depthwise?: Quantizer;
  pointwise?: Quantizer;
  result?: FixedType;
  activation?: { kind: PrecisionKind; type: FixedType; text: string };
  precisions?: Record<string, string>;
}

/** One layer of the float model. */
export interface ModelLayer {
  name: string;
  className: ModelLayerClass;
  /** Names of the layers feeding this one (InputLayer names for model inputs), in argument order. */
  inputs: string[];
  /** Shape of each input, without the batch axis. */
  inputShapes: number[][];
  /** Output shape without the batch axis. */
  outputShape: number[];
  attrs: LayerAttrs;
  /**
   * Float weights by Keras name: Dense `kernel` [n_in, units] & `bias`; Conv `kernel` [kh, kw, cin, f]
   * (Conv1D [k, cin, f]) & `bias`; BatchNormalization `gamma`, `beta`, `moving_mean`, `moving_variance`.
   */
  weights: Record<string, FloatTensor>;
  quantizers?: LayerQuantizers;
  /** What the importer knows hls4ml will do differently from the source framework for this layer. */
  warnings?: string[];
}

/** The imported float model. */
export interface ModelGraph {
  name: string;
  /** Where it came from (informational): 'tfjs', 'keras2', 'keras3', 'onnx', 'qonnx'. */
  source: string;
  /** Layers in topological order, InputLayer(s) first. */
  layers: ModelLayer[];
  /** Names of the output layers. */
  outputs: string[];
}
