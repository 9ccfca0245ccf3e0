/**
 * hlsemu — bit-exact emulation of hls4ml / Vivado-Vitis HLS fixed-point neural-network firmware.
 *
 * Data flow: import (tfjs, Keras, ONNX) → ModelGraph → hls4ml config + passes → FirmwareGraph →
 * emulate (predict, trace, overflow report) / emit (HLS C++ project) / conformance.
 * This file is the whole public API; everything else is internal. The raw-mantissa layer kernels
 * are available as the `kernels` namespace.
 */

// The Node host (file system, worker threads); the browser entry is src/browser.ts.
import './node/register.js';

// ---- errors ----
export { ConfigError, FixedTypeError, FormatError, HlsemuError, ShapeError, UnsupportedError, ValueError } from './errors.js';

// ---- fixed-point types and arithmetic ----
export {
  MAX_WIDTH,
  OVERFLOW_MODES,
  QUANT_MODES,
  fixedType,
  formatFixedType,
  formatHls4mlType,
  frac,
  lsb,
  maxValue,
  minValue,
  parseFixedType,
  sameType,
  toFixedType,
  type FixedType,
  type OverflowMode,
  type QuantMode,
} from './fixed/types.js';
export { Fixed } from './fixed/fixed.js';
export { quantizeArray, quantizeDouble, requantize, requantizeArray, type CastStats } from './fixed/quantize.js';
export { requantizeBig } from './fixed/quantize-big.js';
export { addRaw, addType, divRaw, divType, mulRaw, mulType, negRaw, negType, shlRaw, shrRaw, subRaw, subType } from './fixed/ops.js';
export { compareRaw, type CompareResult } from './fixed/compare.js';
export { quantizeDecimal, rawToDecimal } from './fixed/decimal.js';

// ---- model import ----
export { loadModel, loadKerasModel, loadKerasH5, loadKerasArchiveModel, loadTfjsModel, fromTfjsLayersModel, importOnnx, loadOnnxModel } from './import/index.js';
export { onnxToModelOrder, modelToOnnxOrder, type OnnxImport, type OnnxImportOptions, type OnnxTensorMapping } from './import/onnx.js';
export type { ModelGraph, ModelLayer, ModelLayerClass, LayerAttrs, FloatTensor, LayerQuantizers, PrecisionKind, WeightQuantizer } from './graph/model.js';
export { MODEL_LAYER_CLASSES } from './graph/model.js';

// ---- hls4ml config and conversion ----
export {
  DEFAULT_PRECISION,
  configFromModel,
  getPrecision,
  layerSettings,
  parseHls4mlConfig,
  type ConfigFromModelOptions,
  type Hls4mlConfig,
  type LayerSettings,
} from './graph/config.js';
export { convertModel } from './graph/convert.js';
export {
  firmwareLayer,
  shapeSize,
  type FirmwareGraph,
  type FirmwareGraphSpec,
  type FirmwareInput,
  type FirmwareLayer,
  type FirmwareLayerBase,
  type FirmwareLayerClass,
  type FirmwareLayerOfClass,
  type IOType,
} from './graph/firmware.js';
export { checkFirmwareGraph, firmwareGraphFromJson, firmwareGraphToJson } from './graph/check.js';
export { readReferenceModel, type ReferenceModel } from './graph/reference-model.js';
export { FIRMWARE_LAYER_CLASSES, LAYER_MODULES } from './layers/registry.js';

// ---- emulation and reports ----
export { Emulator, portBatches, predict, type PortResult, type PredictInputs, type PredictOptions, type PredictResult, type TraceTensor } from './emulate/predict.js';
export { ParallelEmulator, type ParallelOptions } from './emulate/parallel.js';
export { buildReport, formatReport, type LayerReport, type OverflowReport } from './emulate/report.js';
export { evaluateFloat, argmaxRows, type FloatEvalOptions, type FloatResult, type FloatTensorBatch } from './emulate/float.js';
export type { InputLike } from './emulate/inputs.js';

// ---- post-training quantization ----
export {
  runScan,
  scanHomogeneous,
  scanPerKind,
  scanPerLayer,
  scanQat,
  unquantizedSeries,
  evaluateConfig,
  floatBaseline,
  homogeneousSeries,
  kindSeries,
  layerSeries,
  type ScanOptions,
  type ScanPoint,
  type ScanProgress,
  type QatBaseline,
  type ScanResult,
  type ScanSeries,
  type SeriesSpec,
} from './ptq/scan.js';
export { formatScanTable, scanToCsv, scanToSvg, writeScanOutputs } from './ptq/output.js';
export { loadExample, loadDataset, EXAMPLES, type Example, type LabelledData, type DataLike } from './ptq/data.js';
export { TENSOR_KINDS, parseWidths, fixedTypeText, type TensorKind } from './ptq/configs.js';
export { profileModel, formatProfileTable, writeProfileOutputs, type Profile, type ProfileOptions } from './ptq/profile.js';
export { suggestConfig, formatSuggestTable, type SuggestOptions, type SuggestResult } from './ptq/suggest.js';
export { equalizeRanges, type EqualizeOptions } from './ptq/equalize.js';
export { baselineConfig, homogeneousConfig, layerConfig, kindConfig } from './ptq/configs.js';
export { isQatModel, qatConfig, unquantizedConfig, trainedPrecisions } from './ptq/qat.js';

// ---- HLS C++ projects ----
export { emitProject, renderProject, type EmitOptions, type EmitResult, type ManifestPort, type ProjectManifest, type RenderedProject, manifestInputs, manifestOutputs } from './emit/project.js';
export { csimProject, formatCsimResult, resolveApTypes, type CsimOptions, type CsimReference, type CsimResult } from './emit/csim.js';
export { emulatorReference, referenceFromExpected } from './emit/reference.js';
export { CsimError, ProjectExistsError, ToolchainError } from './emit/errors.js';

// ---- conformance ----
export { runConformance, formatReports, checkJsonlFile, type FileReport } from './conformance/runner.js';
export { checkHls4mlKernelCase, HLS4ML_KERNEL_KINDS } from './conformance/hls4ml-kernels.js';
export { checkApFixedCase } from './conformance/ap-fixed.js';
export { checkImportCase, checkReferenceModelFile } from './conformance/models.js';

// ---- data ----
export { loadBundledFashionMnist, loadFashionMnist, hlsemuPackageRoot, FASHION_MNIST_CLASSES, type FashionMnistData } from './data/fashion-mnist.js';
export { parseIdx, readIdx, type IdxArray } from './data/idx.js';
export { parseNpy, type NpyArray } from './io/npy.js';

// ---- raw-mantissa layer kernels ----
export * as kernels from './kernels/public.js';
