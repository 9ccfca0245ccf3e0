/**
 * Argument handling shared by `hlsemu scan`, `profile` and `suggest`: which model and data to use
 * (`--example fashion-mnist` with the bundled / full test set, or `--model` + `--data`), the base
 * config, and a progress reporter on stderr.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { parseHls4mlConfig, type Hls4mlConfig } from '../graph/config.js';
import type { IOType } from '../graph/firmware.js';
import type { ModelGraph } from '../graph/model.js';
import { loadModel } from '../import/index.js';
import { limitData, loadDataset, loadExample, modelInputShape, type LabelledData } from './data.js';
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

/** Parse a positive integer flag. @example intFlag('200', '--limit') // 200 */
export function intFlag(v: string | undefined, name: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(name, `must be an integer >= ${min}, got '${v}'`);
  return n;
}

/** Parse a number flag. @example numFlag('0.5', '--target-drop') // 0.5 */
export function numFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ConfigError(name, `must be a number, got '${v}'`);
  return n;
}

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
    model = await loadModel(v.model);
    modelPath = v.model;
    const shape = modelInputShape(model);
    const dir = v.data === 'bundled' ? bundledFashionMnistDir() : v.data === 'full' ? FASHION_MNIST_DEFAULT_DIR : v.data;
    data = await loadDataset(dir, shape, { ...(v.labels ? { labelsPath: v.labels } : {}), ...(limit ? { limit } : {}) });
  }
  data = limitData(data, limit);
  const out: ResolvedInputs = { model, modelPath, data };
  if (v.config) out.baseConfig = parseHls4mlConfig(readFileSync(v.config, 'utf8'), v.config);
  if (io) out.ioType = io;
  const bs = intFlag(v['batch-size'], '--batch-size');
  if (bs) out.batchSize = bs;
  if (v.workers !== undefined) out.workers = v.workers === 'auto' ? 'auto' : intFlag(v.workers, '--workers')!;
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
