/**
 * What a layer kind is, in one place: the contracts a layer module fills in. A module (one file
 * under src/layers/) owns one layer kind across every stage of the pipeline —
 *
 * - **model classes** (Keras vocabulary, `ModelLayer.className`): the Keras import rule, the float
 *   evaluator, the hls4ml class it becomes, how it is built into the working graph, its role in the
 *   PTQ tools;
 * - **hls4ml classes** (`HlsNode.cls`, the names hls4ml's `layer_map` uses): the attributes hls4ml
 *   declares for the class (precision variables with their defaults, configurable settings — read by
 *   both `configFromModel` and type assignment), 'auto' precision inference, the roles the graph
 *   passes look for, and the lowering to a firmware layer;
 * - **firmware classes** (`FirmwareLayer.cls`): the typed layer (config struct fields, types, named
 *   weight arrays), its validation when read from a file, the reference and fast kernel factories,
 *   and the C++ emitter;
 * - the **conformance checkers** of its kernel reference-vector kinds.
 *
 * The registry (registry.ts) lists the modules; every class list and union type is derived from it.
 * The arithmetic itself stays in src/kernels (reference), src/kernels/fast (fast) and src/emit/cpp
 * (C++), split by target as tfjs splits kernels by backend.
 */
import type { KernelChecker } from '../conformance/kernel-case.js';
import type { LayerCode, LayerContext, TensorInfo } from '../emit/layers.js';
import type { FixedType } from '../fixed/types.js';
import type { Hls4mlConfig } from '../graph/config.js';
import type { FirmwareLayerBase, IOType } from '../graph/firmware.js';
import type { HlsGraph, HlsNode, HlsWeight, MaybeType, NodeQuantizers } from '../graph/hls-graph.js';
import type { LayerAttrs, LayerQuantizers, ModelLayer, PrecisionKind } from '../graph/model.js';
import type { LayerConfigReader, WeightSpec } from '../import/keras-config.js';
import type { FastOptions, FastPrepared, RunKernel } from '../kernels/fast/common.js';
import type { KernelStats, LutUse, RawOutput } from '../kernels/common.js';

// ---------------------------------------------------------------------------------------------
// Model classes (Keras vocabulary)
// ---------------------------------------------------------------------------------------------

/** How a Keras class is read from a topology (`class_name` + snake_case `config`). */
export interface KerasRule {
  /** How many inputs: none (InputLayer), exactly one, or two or more (merges). */
  arity: 'none' | 'one' | 'many';
  /** Other Keras / tfjs spellings of the class (`MaxPool2D`, `Convolution2D`, …). */
  aliases?: readonly string[];
  /** Config → normalised attrs (validates; throws Unsupported/FormatError naming the field). */
  attrs(r: LayerConfigReader): LayerAttrs;
  /** Output shape (no batch axis) from the input shapes. */
  outputShape(inputShapes: number[][], attrs: LayerAttrs, r: LayerConfigReader): number[];
  /**
   * Quantizers the layer config declares (QKeras `kernel_quantizer`, …) and what the importer
   * already knows hls4ml does differently from the source framework (warnings naming the layer).
   */
  quantizers?(r: LayerConfigReader, attrs: LayerAttrs): { quantizers?: LayerQuantizers; warnings?: string[] };
  /** The float weights the layer carries, in Keras storage order (none when absent). */
  weights?(attrs: LayerAttrs, inputShapes: number[][]): WeightSpec[];
}

/** Context of {@link ModelClassSpec.float}. */
export interface FloatContext {
  /** Samples in the chunk. */
  n: number;
  /** `<layer> (<class>)`, for error paths. */
  where: string;
  /** Keras 3 semantics (e.g. hard_sigmoid). */
  keras3: boolean;
}

/** A float weight tensor as hls4ml stores it (BatchNormalization as scale/bias), for profiles. */
export interface ProfiledWeight {
  /** hls4ml variable name: `weight`, `bias`, `scale`. */
  tensor: string;
  values: Float64Array;
}

/**
 * What {@link ModelClassSpec.build} gives the working graph: one hls4ml node (inputs and shapes are
 * filled in), or a chain of them (hls4ml splits some layers, e.g. SeparableConv → depthwise +
 * pointwise): each reads the previous one; the last one stands for the model layer.
 */
export interface HlsDraft {
  cls: string;
  /** Node name (default: the model layer's name). Required for all but the last node of a chain. */
  name?: string;
  /** Output shape (default: the model layer's). */
  shapeOut?: number[];
  attrs: Record<string, unknown>;
  weights?: Record<string, HlsWeight>;
  /** Types fixed by the model itself (e.g. a missing bias is `ap_uint<1>` zeros); they win over the config and the quantizers. */
  types?: Record<string, FixedType>;
  /** Quantizers of the node's weight variables (default: the model layer's `weight`/`bias` quantizers). */
  quantizers?: NodeQuantizers;
  /**
   * hls4ml copies the config of the layer it splits to the nodes it makes (SeparableToDepthwiseAndConv):
   * when the config has a `LayerType[cls]` or `LayerName[<model layer>]` entry (merged, name on top),
   * it becomes this node's `LayerName` entry, its `Precision` keys renamed by `precision`
   * (`{ depthwise: 'weight' }`; null drops the key). Without such an entry the node's own
   * `LayerName` / `LayerType` entries apply.
   */
  configFrom?: { cls: string; precision: Record<string, string | null> };
}

/**
 * The layer hls4ml's parser makes of a layer's `activation` (`<layer>_<activation>`): the node, the
 * hls4ml class and `LayerType` key `config_from_keras_model` uses for it, and the quantizers whose
 * types that function writes.
 */
export interface ActivationSplit {
  name: string;
  draft: HlsDraft;
  hlsClass: string;
  typeKey: string;
  quantizers?: LayerQuantizers;
  warnings?: string[];
  /** The float (source framework) semantics of the split activation, when not a plain Keras activation. */
  float?(x: Float64Array, channels: number): Float64Array;
}

/** Context of {@link ModelClassSpec.build}. */
export interface BuildContext {
  /** `layers[3] (Dense 'fc1')`, for error paths. */
  where: string;
  /** The layer's inputs after removed layers were bypassed. */
  inputs: string[];
  /**
   * Where the model came from (`ModelGraph.source`: 'keras2', 'keras3', 'tfjs', 'onnx', 'qonnx', …):
   * hls4ml's front ends differ (e.g. a Keras 2 ReLU layer ignores max_value, Keras 3's becomes a
   * ThresholdedReLU).
   */
  source: string;
  /** The io type of the conversion (some layers are built differently in io_stream). */
  io: IOType;
  /** Record a conversion warning (hls4ml behaviour that differs from the model's semantics). */
  warn(text: string): void;
  /**
   * hls4ml's `get_precision` for a layer hls4ml itself creates (e.g. the `broadcast_<input>` layer
   * of an io_stream merge): LayerName → LayerType → Model; 'auto' when the config says so.
   */
  precision(layerName: string, hlsCls: string, v: string): MaybeType;
  /** The Model default precision. */
  modelDefault: FixedType;
}

/** One Keras-level class. */
export interface ModelClassSpec {
  /** Reading it from a Keras / tfjs topology (absent: produced by other importers only). */
  keras?: KerasRule;
  /**
   * The hls4ml class it becomes (`layer_map` in hls4ml/model/layers.py), as used for precision
   * lookups in `LayerType`. Absent for layers hls4ml's parser removes (Dropout) or that have no
   * hls4ml layer of their own.
   */
  hlsClass?: (l: ModelLayer, source?: string) => string;
  /**
   * The class hls4ml's `config_from_keras_model` writes as the `LayerType` key (the parser's
   * `class_name`, usually the Keras class; hls4ml then looks types up by its own class name).
   */
  typeKey?: (l: ModelLayer, source?: string) => string;
  /** The layer carries a Keras `activation` that hls4ml's parser splits into its own layer. */
  splitsActivation?: boolean;
  /**
   * The split activation layer when it is not the plain rule of `splitActivation` (QKeras layers:
   * a quantizer used as activation becomes a QActivation `<layer>_<quantizer class>`).
   */
  activationSplit?(l: ModelLayer, source: string): ActivationSplit | undefined;
  /** hls4ml's parser drops the layer (its consumers read its input). */
  removed?: boolean;
  /** The working-graph node, or a chain of nodes (null: removed). */
  build(l: ModelLayer, ctx: BuildContext): HlsDraft | HlsDraft[] | null;
  /**
   * Float64 evaluation of a chunk of `ctx.n` samples (Keras inference semantics), before any split
   * activation (the registry applies that). `xs` holds one array per input.
   */
  float(l: ModelLayer, xs: Float64Array[], ctx: FloatContext): Float64Array;
  /** Float weights as hls4ml stores them, for `hlsemu profile` (none when absent). */
  profileWeights?(l: ModelLayer): ProfiledWeight[];
  /**
   * What the layer's `accum` holds, for type suggestions: sums of `products` (range of the
   * pre-activation output, twice the fraction bits), or sums of `inputs` over a window (the input's
   * range plus `extraBits` integer and fraction bits).
   */
  accumRange?(l: ModelLayer): { of: 'products' } | { of: 'inputs'; extraBits: number };
  /**
   * Role in power-of-two range equalization (src/ptq/equalize.ts): a per-output-channel linear
   * `producer` (its kernel and bias scale by channel), a `passThrough` that commutes with a positive
   * per-channel scale, or an `absorber` that undoes it.
   */
  equalize?: 'producer' | 'passThrough' | 'absorber';
}

// ---------------------------------------------------------------------------------------------
// hls4ml classes (conversion)
// ---------------------------------------------------------------------------------------------

/**
 * A precision variable of an hls4ml class (a `TypeAttribute`). hls4ml reads variables without a
 * default — and `accum` always (`Layer._set_accum_t`) — with `get_precision` (LayerName → LayerType
 * → Model, `Precision.<var>` before `Precision.default`; 'auto' allowed); variables with a default
 * come from the layer's `<var>_t` key (LayerType, then LayerName) or the default.
 */
export interface TypeVar {
  /** Variable name without `_t`: result, accum, weight, bias, scale, table, exp_table, … */
  name: string;
  /** hls4ml's default (a type string) for attribute-read variables. */
  default?: string;
  /** Declared by the FPGA/Vivado backend (`config_from_keras_model` writes it only when given a backend). */
  backend?: boolean;
}

/** A configurable, non-type attribute of an hls4ml class (`ConfigurableAttribute` / `ChoiceAttribute`). */
export interface SettingVar {
  /** The attribute name (snake_case): reuse_factor, table_size, implementation, conv_implementation, … */
  name: string;
  /** hls4ml's default, written by `config_from_keras_model`. */
  default: unknown;
  /** Declared by the backend. */
  backend?: boolean;
}

/** Context of {@link HlsClassSpec.infer}. */
export interface InferContext {
  /** The Model default precision. */
  modelDefault: FixedType;
  /** `Model.Precision.maximum`, when set: inferred widths are clipped to it. */
  maxPrecision?: FixedType;
  /** hls4ml precision class of each input's result type (absent: all fixed). */
  inputKinds?: PrecisionKind[];
}

/** Context of {@link HlsClassSpec.lower}. */
export interface LowerContext {
  graph: HlsGraph;
  io: IOType;
  /** The result types of the node's inputs, in order. */
  inputTypes: FixedType[];
  /** hls4ml precision class of each input's result type (absent: all fixed). */
  inputKinds?: PrecisionKind[];
  /** Record a change hls4ml's conversion made (appears in `FirmwareGraph.changes`). */
  change(text: string): void;
  /** Record a conversion warning (a setting hls4ml ignores, a constraint of its C++ …). */
  warn(text: string): void;
}

/** One hls4ml layer class. */
export interface HlsClassSpec {
  /** Precision variables, `result` first (hls4ml's declaration order). */
  types: readonly TypeVar[];
  /** Configurable settings besides types (for `config_from_keras_model` and config validation). */
  settings?: readonly SettingVar[];
  /**
   * 'auto' inference (hls4ml's infer_precision.py) given the concrete result types of the inputs.
   * Variables it leaves 'auto' get the Model default. Absent: everything 'auto' → Model default.
   */
  infer?(n: HlsNode, inputs: FixedType[], ctx: InferContext): void;
  /** A Dense/Conv-like parent BatchNormalization may be fused into (hls4ml's bn_fuse.py). */
  bnFusionParent?: boolean;
  /** A parent a following linear activation merges into (hls4ml's linear.py). */
  linearMergeParent?: boolean;
  /**
   * hls4ml's BatchNormalization or a subclass (ApplyAlpha): weights `scale` and `bias`, fused into a
   * `bnFusionParent`, merged with a consecutive one, removed when it is a no-op, merged with a
   * following binary/ternary tanh into BatchNormalizationQuantizedTanh.
   */
  batchNormLike?: boolean;
  /**
   * An Activation subclass whose `activation` attribute hls4ml's passes test (binary_tanh,
   * ternary_tanh: merged into a preceding BatchNormalization by the quantization flow).
   */
  activationLike?: boolean;
  /** In io_stream, a 'same' layer of this class runs 'valid' after an inserted zero-padding layer. */
  streamSamePadding?: boolean;
  /**
   * hls4ml's output variable holds the input's precision object (`add_output_variable(shape,
   * precision=inp.type.precision)`): the config's `result` precision is ignored, the result is the
   * producer's type — still 'auto' while the producer's is (then the class's `infer` decides, or the
   * Model default applies).
   */
  resultFromInput?: boolean;
  /** Lower a typed node into its firmware layer (weights as raw mantissas in the C array order). */
  lower(n: HlsNode, ctx: LowerContext): FirmwareLayerBase;
}

/** The concrete type of a node's variable, or a typed error. */
export type TypeOf = (n: HlsNode, v: string) => FixedType;

// ---------------------------------------------------------------------------------------------
// Firmware classes
// ---------------------------------------------------------------------------------------------

/** A compiled kernel: raw inputs (one array per producer) → raw output. */
export type RunFn = (inputs: RawOutput[], stats?: KernelStats) => RawOutput;

/** Context of {@link FirmwareClassSpec.emit}. */
export interface EmitArgs {
  ctx: LayerContext;
  /** C identifier stem of the layer. */
  cname: string;
  /** The tensors feeding the layer, in order. */
  ins: TensorInfo[];
}

/** One firmware layer class. */
export interface FirmwareClassSpec<L extends FirmwareLayerBase = FirmwareLayerBase> {
  /**
   * Validate a layer (from a reference file, a saved project or user code) into its typed form:
   * every config field known and valid, every type and weight array present with the right size.
   * Errors name `<path>.<field>`.
   */
  check(layer: FirmwareLayerBase, path: string, inputShapes?: number[][]): L;
  /** The reference kernel (src/kernels), prepared once. */
  reference(L: L): RunFn;
  /** A fast kernel (src/kernels/fast), when one applies. */
  fast?(L: L, options: FastOptions): FastPrepared<RunKernel>;
  /** The C++ of the layer (src/emit/cpp kernels). */
  emit(L: L, a: EmitArgs): LayerCode;
  /** Multiply-accumulate operations per sample (for cost models and benchmarks). */
  macs?(L: L): number;
  /**
   * Bytes the emulator prepares for the layer besides its input and output tensors (window tables,
   * decoded weights), estimated from the shapes and config of the unchecked layer — checked against
   * the model budget before anything is built. Default: the weight arrays.
   */
  memoryBytes?(L: FirmwareLayerBase): number;
  /** The lookup tables the layer reads, for the precision diagnostics of the report. */
  luts?(L: L): LutProbe[];
}

/** One lookup table of a layer, as the precision diagnostics see it. */
export interface LutProbe {
  /** The table's type variable (`table`, `exp_table`, …). */
  table: string;
  size: number;
  /** Real value one index step covers, when uniform (e.g. 16/N for sigmoid). */
  step?: number;
  /**
   * The largest step at which the table still resolves its function (e.g. 1 for an exp table:
   * adjacent entries then differ by a factor e). A larger `step` — the index bits come from a type
   * too wide for the table — is a conversion warning.
   */
  maxStep?: number;
  /** Mark the entries one sample's inputs reach, and note the index inputs. */
  observe(inputs: RawOutput[], use: LutUse): void;
}

// ---------------------------------------------------------------------------------------------
// Modules
// ---------------------------------------------------------------------------------------------

/** A layer module: everything one layer kind means. */
export interface LayerModule {
  /** Human name (docs, errors). */
  readonly kind: string;
  readonly model?: Readonly<Record<string, ModelClassSpec>>;
  readonly hls?: Readonly<Record<string, HlsClassSpec>>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each class has its own layer type
  readonly firmware?: Readonly<Record<string, FirmwareClassSpec<any>>>;
  /** Checkers of the kernel reference-vector kinds (`kernel` field of test/golden/hls4ml/*.jsonl). */
  readonly kernels?: Readonly<Record<string, KernelChecker>>;
  /**
   * Keras classes of this kind that are recognised but not converted, with the reason (`{cls}` is
   * replaced by the class name): the importer's error names it instead of "not supported".
   */
  readonly rejects?: Readonly<Record<string, string>>;
}

/** Re-exported for modules: the 'auto' marker of unresolved types. */
export type { MaybeType, Hls4mlConfig };
