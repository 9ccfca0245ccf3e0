/**
 * FirmwareGraph: the contract between conversion, emulation, emission and conformance. It holds
 * exactly what the generated firmware holds: per layer the kernel kind, the hls4ml config-struct
 * fields that change arithmetic, every tensor's fixed type, and weights as raw mantissas in the
 * order of the C arrays the kernels receive. Nothing downstream re-reads the float model or the
 * hls4ml config.
 *
 * Each firmware class has its own typed layer (config struct, types, named weight arrays) declared
 * by its layer module (src/layers); {@link FirmwareLayer} is their union, derived from the registry.
 */
import type { FixedType } from '../fixed/types.js';
import type { FirmwareLayerOf, FirmwareLayerClassOf } from '../layers/registry.js';

/** hls4ml's two I/O styles. */
export type IOType = 'io_parallel' | 'io_stream';

/**
 * What every firmware layer has. `C` is the class, `Cfg` its config-struct fields, `T` its type
 * variables besides `input` and `result`, `W` its weight arrays.
 */
export interface FirmwareLayerBase<C extends string = string, Cfg extends object = object, T extends string = string, W extends string = string> {
  name: string;
  cls: C;
  /** Producers: layer names, or the graph input's name. */
  inputs: string[];
  /** Shape of the (first) input and of the output, without batch, channels-last. */
  shapeIn: number[];
  shapeOut: number[];
  /**
   * hls4ml config-struct fields (names as in hls4ml's C++ structs and the reference model files):
   * n_in, n_out, reuse_factor, strategy, n_filt, pool sizes, strides, pads, implementation, pixels,
   * table_size, exp_table_size, n_zeros, … plus `io_type`.
   */
  config: Cfg & { io_type: IOType };
  /** Tensor types by hls4ml variable name: `input` (first input), `result`, and the class's own. */
  types: Record<T | 'input' | 'result', FixedType>;
  /** Raw mantissas of each weight array, in the order of the C array the kernel receives. */
  weights: Record<W, Float64Array>;
  /** The decimal tokens hls4ml prints for each weight array (for emission), when known. */
  text?: Partial<Record<W, string[]>>;
}

/** One firmware layer: the union of every registered class's typed layer. */
export type FirmwareLayer = FirmwareLayerOf;

/** Firmware layer classes (derived from the layer registry). */
export type FirmwareLayerClass = FirmwareLayerClassOf;

/**
 * One input port of the network (hls4ml's InputLayer variable: the top function's argument named
 * after the layer, its type from `LayerName.<input>.Precision.result`).
 */
export interface FirmwareInput {
  name: string;
  shape: number[];
  type: FixedType;
}

/** A whole network as firmware. */
export interface FirmwareGraph {
  name: string;
  ioType: IOType;
  /** Input ports in the model's input order (hls4ml's top-function argument order). */
  inputs: FirmwareInput[];
  /** The first input port (`inputs[0]`), for single-input callers. */
  input: FirmwareInput;
  /** Topologically ordered. */
  layers: FirmwareLayer[];
  /** Names of the layers whose results are the network outputs, in the model's output order. */
  outputs: string[];
  /** The first output (`outputs[0]`), for single-output callers. */
  output: string;
  /** What hls4ml's conversion changed (e.g. 'bn1 fused into dense1', 'dropout removed'). */
  changes: string[];
  /** Conversion warnings: settings hls4ml reads differently than written, constraints of its C++ (may be absent). */
  warnings?: string[];
  /** Project settings of the hls4ml config that do not change the numbers, carried into emitted projects. */
  project?: ProjectSettings;
}

/** The hls4ml project keys an emitted project uses (and the others, kept for the record). */
export interface ProjectSettings {
  ProjectName?: string;
  Part?: string;
  /** ns. */
  ClockPeriod?: number;
  /** ns or a percentage string, as Vitis HLS takes it. */
  ClockUncertainty?: number | string;
  Backend?: string;
  /** Every other accepted key that does not change the numbers (BramFactor, Trace, PipelineStyle, …), by where it was set. */
  other?: Record<string, unknown>;
}

/** Product of a shape. @example shapeSize([2, 3, 4]) // 24 */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A firmware graph written by hand or read from elsewhere, before checking: layers with plain
 * config objects (defaults may be left out) and named weight arrays. Every entry point that takes a
 * {@link FirmwareGraph} also takes this and checks it (`checkFirmwareGraph`).
 */
export interface FirmwareGraphSpec {
  name: string;
  ioType: IOType;
  /** Input ports in order; a single-input graph may give `input` instead (both: they must agree). */
  inputs?: FirmwareInput[];
  input?: FirmwareInput;
  layers: Array<{
    name: string;
    cls: string;
    inputs: string[];
    shapeIn: number[];
    shapeOut: number[];
    config: Record<string, unknown>;
    types: Record<string, FixedType>;
    weights?: Record<string, Float64Array>;
  }>;
  /** Output layers in order; a single-output graph may give `output` instead (both: they must agree). */
  outputs?: string[];
  output?: string;
  changes?: string[];
  warnings?: string[];
  project?: ProjectSettings;
}

/** The typed layer of a given class. */
export type FirmwareLayerOfClass<C extends FirmwareLayerClass> = Extract<FirmwareLayer, { cls: C }>;

/**
 * The layer named `name`, typed by its class (throws when it is missing or of another class).
 *
 * @example firmwareLayer(fw, 'dense1', 'Dense').config.reuse_factor
 */
export function firmwareLayer<C extends FirmwareLayerClass>(fw: FirmwareGraph, name: string, cls: C): FirmwareLayerOfClass<C> {
  const L = fw.layers.find((l) => l.name === name);
  if (!L) throw new Error(`no layer named '${name}' (layers: ${fw.layers.map((l) => l.name).join(', ')})`);
  if (L.cls !== cls) throw new Error(`layer '${name}' is a ${L.cls}, not a ${cls}`);
  return L as FirmwareLayerOfClass<C>;
}
