/**
 * ModelGraph: the float model as imported (Keras-level layers, float weights, shapes without the
 * batch axis, channels-last). Every importer (tfjs, Keras JSON + H5, ONNX, QONNX) produces one; the
 * hls4ml conversion (config → passes → FirmwareGraph) consumes it. Nothing here knows tfjs.
 */
import type { FixedType } from '../fixed/types.js';
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
 * Fixed types a quantization-aware source (QONNX Quant nodes) imposes on a layer; they take
 * precedence over the config's Precision for the named variables.
 */
export interface LayerQuantizers {
  weight?: FixedType;
  bias?: FixedType;
  result?: FixedType;
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
