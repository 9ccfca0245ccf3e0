/**
 * Shared by the CLI commands that start from files: import a model, read an hls4ml config
 * (JSON or YAML) and convert with hls4ml's rules. Files are checked (present, readable, within the
 * size and nesting limits) before they are parsed, and errors name the file.
 */
import { FormatError, HlsemuError } from '../errors.js';
import { parseHls4mlConfig, type Hls4mlConfig } from '../graph/config.js';
import { convertModel } from '../graph/convert.js';
import type { FirmwareGraph } from '../graph/firmware.js';
import type { ModelGraph } from '../graph/model.js';
import { loadModel } from '../import/index.js';
import { checkInputFile, checkJsonDepth, readInputText } from '../io/files.js';
import { existsSync, statSync } from 'node:fs';

/**
 * Read an hls4ml config file (JSON or YAML).
 *
 * @throws {FormatError} for a missing / unreadable / too large / too deeply nested file,
 *   {@link ConfigError} for an invalid config; both name the file.
 * @example const cfg = readConfigFile('hls4ml_config.yml');
 */
export function readConfigFile(path: string): Hls4mlConfig {
  const text = readInputText(path, 'hls4ml config');
  const cfg = parseHls4mlConfig(text, path);
  checkJsonDepth(cfg, path);
  return cfg;
}

/**
 * Import a model file (a tfjs model directory is accepted too), after checking the path exists.
 *
 * @example const model = await readModelFile('models/fmnist/model.json');
 */
export async function readModelFile(path: string): Promise<ModelGraph> {
  if (!(existsSync(path) && statSync(path).isDirectory())) checkInputFile(path, 'model file');
  try {
    return await loadModel(path);
  } catch (e) {
    if (e instanceof HlsemuError) throw e;
    // An importer tripping over unexpected content: still the file's fault for the user (exit 2,
    // one line naming it); HLSEMU_DEBUG=1 prints the original stack.
    const err = new FormatError(path, `cannot import this model file: unexpected content (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)})`);
    (err as { cause?: unknown }).cause = e;
    throw err;
  }
}

/**
 * The FirmwareGraph for a model file and an optional config file (hls4ml defaults without one).
 *
 * @example const fw = await firmwareFromFiles('model.json', 'hls4ml_config.yml');
 */
export async function firmwareFromFiles(modelPath: string, configPath?: string): Promise<FirmwareGraph> {
  const cfg = configPath === undefined ? undefined : readConfigFile(configPath);
  const model = await readModelFile(modelPath);
  return cfg ? convertModel(model, cfg) : convertModel(model);
}
