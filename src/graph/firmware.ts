/**
 * FirmwareGraph: the contract between conversion, emulation, emission and conformance. It holds
 * exactly what the generated firmware holds: per layer the kernel kind, the hls4ml config-struct
 * fields that change arithmetic, every tensor's fixed type, and weights as raw mantissas.
 * Nothing downstream re-reads the float model or the hls4ml config.
 */
import type { FixedType } from '../fixed/types.js';

/** Firmware layer kinds (hls4ml layer classes after conversion). */
export const FIRMWARE_LAYER_CLASSES = [
  'Dense',
  'Conv1D',
  'Conv2D',
  'MaxPooling1D',
  'MaxPooling2D',
  'AveragePooling1D',
  'AveragePooling2D',
  'GlobalMaxPooling1D',
  'GlobalMaxPooling2D',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
  'BatchNormalization',
  'Activation',
  'Softmax',
  'Reshape',
  'ZeroPadding1D',
  'ZeroPadding2D',
  'Add',
  'Concatenate',
] as const;
/** One of {@link FIRMWARE_LAYER_CLASSES}. */
export type FirmwareLayerClass = (typeof FIRMWARE_LAYER_CLASSES)[number];

/** hls4ml's two I/O styles. */
export type IOType = 'io_parallel' | 'io_stream';

/**
 * The tensor types of a layer, by hls4ml variable name: `input` (first input), `input2` (merge),
 * `result`, `accum`, `weight`, `bias`, `scale`, `table`, `exp_table`, `inv_table`, `inv_inp`,
 * `param` (LeakyReLU alpha), `inp_norm` (stable softmax).
 */
export type LayerTypes = Partial<Record<string, FixedType>> & { result: FixedType };

/** One firmware layer. */
export interface FirmwareLayer {
  name: string;
  cls: FirmwareLayerClass;
  /** For `Activation`: 'linear' | 'relu' | 'leaky_relu' | 'sigmoid' | 'tanh' | … */
  activation?: string;
  /** Producers: layer names, or the graph input's name. */
  inputs: string[];
  /** Shape of the (first) input and of the output, without batch, channels-last. */
  shapeIn: number[];
  shapeOut: number[];
  /**
   * hls4ml config-struct fields that change arithmetic (names as in hls4ml's C++ structs and the
   * reference model files): n_in, n_out, reuse_factor, strategy, n_filt, pool sizes, strides, pads,
   * implementation, pixels, min_height, table_size, exp_table_size, n_zeros, …
   */
  config: Record<string, unknown>;
  types: LayerTypes;
  /** Raw mantissas in `types.weight`, Keras layout (Dense i*n_out+j; Conv (kh,kw,cin,cout)). */
  weights?: Float64Array;
  /** Raw mantissas in `types.bias`. */
  bias?: Float64Array;
  /** BatchNormalization scale, raw in `types.scale`. */
  scale?: Float64Array;
  /** The decimal tokens hls4ml prints for each weight array (for emission), when known. */
  text?: Partial<Record<'weights' | 'bias' | 'scale', string[]>>;
}

/** A whole network as firmware. */
export interface FirmwareGraph {
  name: string;
  ioType: IOType;
  input: { name: string; shape: number[]; type: FixedType };
  /** Topologically ordered. */
  layers: FirmwareLayer[];
  /** Name of the layer whose result is the network output. */
  output: string;
  /** What hls4ml's conversion changed (e.g. 'bn1 fused into dense1', 'dropout removed'). */
  changes: string[];
}

/** Product of a shape. @example shapeSize([2, 3, 4]) // 24 */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
