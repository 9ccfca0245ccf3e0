/**
 * The hls4ml conversion, end to end: float ModelGraph + hls4ml config → FirmwareGraph
 * (parse/split → passes → backend passes and lowering).
 */
import { buildHlsGraph } from './build.js';
import { lutResolutionWarnings, zeroedWeightWarnings } from './diagnostics.js';
import { configFromModel, parseHls4mlConfig, projectSettings, type Hls4mlConfig } from './config.js';
import type { FirmwareGraph } from './firmware.js';
import { lowerToFirmware } from './lower.js';
import type { ModelGraph } from './model.js';
import { runPasses } from './passes.js';

/**
 * Convert a float model into the firmware hls4ml would generate for it with `config`
 * (hls4ml's defaults — `config_from_keras_model(model)` at 'model' granularity — when omitted).
 *
 * @example
 * const fw = convertModel(model, { Model: { Precision: 'fixed<16,6>', ReuseFactor: 1 }, IOType: 'io_stream' });
 */
export function convertModel(model: ModelGraph, config?: Hls4mlConfig | string | object): FirmwareGraph {
  // A copy: hls4ml's layer splits add LayerName entries to the config (as its set_name_config does).
  const cfg = structuredClone(config === undefined ? configFromModel(model) : parseHls4mlConfig(config as string | object));
  const g = buildHlsGraph(model, cfg);
  runPasses(g, cfg);
  const fw = lowerToFirmware(g);
  const precision = [...zeroedWeightWarnings(g), ...lutResolutionWarnings(fw)];
  if (precision.length) fw.warnings = [...(fw.warnings ?? []), ...precision];
  const project = projectSettings(cfg);
  if (project) fw.project = project;
  return fw;
}
