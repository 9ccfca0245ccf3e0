/**
 * Shared by the CLI commands that start from files: import a model, read an hls4ml config
 * (JSON or YAML) and convert with hls4ml's rules.
 */
import { readFileSync } from 'node:fs';
import { FormatError } from '../errors.js';
import { parseHls4mlConfig } from '../graph/config.js';
import { convertModel } from '../graph/convert.js';
import type { FirmwareGraph } from '../graph/firmware.js';
import { loadModel } from '../import/index.js';

/**
 * The FirmwareGraph for a model file and an optional config file (hls4ml defaults without one).
 *
 * @example const fw = await firmwareFromFiles('model.json', 'hls4ml_config.yml');
 */
export async function firmwareFromFiles(modelPath: string, configPath?: string): Promise<FirmwareGraph> {
  const model = await loadModel(modelPath);
  if (!configPath) return convertModel(model);
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (e) {
    throw new FormatError(configPath, `cannot read: ${(e as Error).message}`);
  }
  return convertModel(model, parseHls4mlConfig(text, configPath));
}
