/**
 * Argument handling shared by `hlsemu scan`, `profile` and `suggest`: which model and data to use
 * (`--example fashion-mnist` with the bundled / full test set, or `--model` + `--data`), the base
 * config, and a progress reporter on stderr.
 */
import { intArg, numArg } from '../cli/args.js';
import { readConfigFile, readModelFile } from '../cli/firmware.js';
import { ConfigError, ShapeError } from '../errors.js';
import type { Hls4mlConfig } from '../graph/config.js';
import type { IOType } from '../graph/firmware.js';
import type { ModelGraph } from '../graph/model.js';
import { limitData, loadDataset, loadExample, modelClassCount, modelInputShape, type LabelledData } from './data.js';
import { createProgressBar, type ProgressBar } from './progress.js';
import { bundledFashionMnistDir, FASHION_MNIST_DEFAULT_DIR } from '../data/fashion-mnist.js';

/** parseArgs option specs of the model/data/config flags every PTQ command takes. */
export const COMMON_OPTIONS = {
  example: { type: 'string' },
  model: { type: 'string' },
  data: { type: 'string' },
  labels: { type: 'string' },
  limit: { type: 'string' },
  config: { type: 'string' },
  'io-type': { type: 'string' },
  'batch-size': { type: 'string' },
  workers: { type: 'string' },
  quiet: { type: 'boolean' },
  png: { type: 'boolean' },
} as const;

/** Help text of {@link COMMON_OPTIONS}. */
export const COMMON_HELP = [
  'model and data (one of):',
  '  --example fashion-mnist   the bundled CNN (models/fmnist) with the 1,000 bundled test images;',
  '                            --data full uses the 10,000-image test set from',
  `                            ${FASHION_MNIST_DEFAULT_DIR} (apt-get install dataset-fashion-mnist)`,
  '  --model <model.json|.h5>  a tfjs / Keras model, with --data <dir of IDX files | x.npy>',
  '                            (IDX bytes are scaled by 1/255) and, for .npy, --labels y.npy',
  'common options:',
  '  --limit N                 use the first N samples',
  '  --config base.json|.yml   hls4ml config kept for everything not varied (ReuseFactor, Strategy,',
  '                            softmax settings…); default: hls4ml defaults, fixed<16,6>',
  '  --io-type io_parallel|io_stream   (default io_parallel, or the config\'s IOType)',
  '  --batch-size N            images per emulator call (default 1000)',
  '  --workers N|auto          worker threads per emulation (default auto: all cores from 1,000 images)',
  '  --png                     also write PNGs (only when @resvg/resvg-js is installed)',
  '  --quiet                   no progress output on stderr',
].join('\n');

/** Parsed values of {@link COMMON_OPTIONS}. */
export interface CommonValues {
  example?: string;
  model?: string;
  data?: string;
  labels?: string;
  limit?: string;
  config?: string;
  'io-type'?: string;
  'batch-size'?: string;
  workers?: string;
  quiet?: boolean;
  png?: boolean;
}

/**
 * Parse an integer flag in [min, max] strictly (no `1.5`, `1e3`, `NaN`, empty string).
 *
 * @throws {ConfigError} naming the flag.
 * @example intFlag('200', '--limit') // 200
 */
export function intFlag(v: string | undefined, name: string, min = 1, max?: number): number | undefined {
  return intArg(v, name, { min, ...(max !== undefined ? { max } : {}) });
}

/**
 * Parse a finite number flag, optionally in [min, max].
 *
 * @throws {ConfigError} naming the flag.
 * @example numFlag('0.5', '--target-drop') // 0.5
 */
export function numFlag(v: string | undefined, name: string, min?: number, max?: number): number | undefined {
  return numArg(v, name, { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
}

/** Largest `--batch-size`. */
export const MAX_BATCH_SIZE = 1_000_000;
/** Largest `--workers`. */
export const MAX_WORKERS = 256;

/** What {@link resolveInputs} returns. */
export interface ResolvedInputs {
  model: ModelGraph;
  modelPath: string;
  data: LabelledData;
  baseConfig?: Hls4mlConfig;
  ioType?: IOType;
  batchSize?: number;
  workers?: number | 'auto';
}

/**
 * Resolve `--example` / `--model` + `--data` / `--labels` / `--limit` / `--config` / `--io-type`.
 *
 * @example const { model, data } = await resolveInputs({ example: 'fashion-mnist', limit: '200' });
 */
export async function resolveInputs(v: CommonValues): Promise<ResolvedInputs> {
  const limit = intFlag(v.limit, '--limit');
  const io = v['io-type'];
  if (io !== undefined && io !== 'io_parallel' && io !== 'io_stream') throw new ConfigError('--io-type', `must be io_parallel or io_stream, got '${io}'`);
  // Cheap flag checks first: a typo should not wait for a model import.
  const bs = intFlag(v['batch-size'], '--batch-size', 1, MAX_BATCH_SIZE);
  const workers = v.workers === undefined || v.workers === 'auto' ? v.workers : intFlag(v.workers, '--workers', 1, MAX_WORKERS);
  if (v.example === undefined && v.labels !== undefined && v.data !== undefined && !v.data.endsWith('.npy')) {
    throw new ConfigError('--labels', 'is only used with --data x.npy (a directory of IDX files has its own labels file)');
  }
  if (v.example !== undefined && v.labels !== undefined) throw new ConfigError('--labels', 'is not used with --example (the example has its labels)');
  const baseConfig = v.config !== undefined ? readConfigFile(v.config) : undefined;
  let model: ModelGraph;
  let modelPath: string;
  let data: LabelledData;
  if (v.example !== undefined) {
    if (v.model) throw new ConfigError('--model', 'give --example or --model, not both');
    const ex = await loadExample(v.example, { ...(v.data ? { data: v.data } : {}), ...(limit ? { limit } : {}) });
    ({ model, modelPath, data } = ex);
  } else {
    if (!v.model) throw new ConfigError('--model', 'give --example fashion-mnist, or --model with --data');
    if (!v.data) throw new ConfigError('--data', 'is required with --model (a directory of IDX files or a .npy file)');
    model = await readModelFile(v.model);
    modelPath = v.model;
    const shape = modelInputShape(model);
    const dir = v.data === 'bundled' ? bundledFashionMnistDir() : v.data === 'full' ? FASHION_MNIST_DEFAULT_DIR : v.data;
    data = await loadDataset(dir, shape, { ...(v.labels ? { labelsPath: v.labels } : {}), ...(limit ? { limit } : {}), numClasses: modelClassCount(model) });
  }
  data = limitData(data, limit);
  if (data.n === 0) throw new ShapeError(data.source, 'no samples: an empty batch');
  const out: ResolvedInputs = { model, modelPath, data };
  if (baseConfig) out.baseConfig = baseConfig;
  if (io) out.ioType = io;
  if (bs) out.batchSize = bs;
  if (workers !== undefined) out.workers = workers as number | 'auto';
  return out;
}

/** A progress bar on stderr, or a silent one with `--quiet`. @example const bar = progressFor(values, 'scan') */
export function progressFor(v: CommonValues, label: string): ProgressBar {
  if (v.quiet) return { update() {}, log() {}, done() {} };
  return createProgressBar({ label, unit: 'img' });
}

/** `12.3 s` / `2m05s`. @example seconds(125) // '2m05s' */
export function seconds(s: number): string {
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
