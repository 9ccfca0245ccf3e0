/**
 * Test helpers of the emitter: locating the golden files and the ap_types headers, turning
 * single-kernel golden cases into one-layer FirmwareGraphs, small hand-built graphs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFixedType, toFixedType, type FixedType } from '../../src/fixed/index.js';
import type { FirmwareGraphSpec } from '../../src/graph/firmware.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Directory of the hls4ml goldens: test/golden/hls4ml, or the shared copy while the models are not copied yet. */
export function goldenDir(file = 'model_svhn_paper_cnn_a.json'): string {
  const local = join(HERE, '..', 'golden', 'hls4ml');
  if (existsSync(join(local, file))) return local;
  return '/work/shared/golden/hls4ml';
}

/** The reference model files (`model_*.json`). */
export function modelFiles(): string[] {
  const seen = new Map<string, string>();
  for (const dir of [join(HERE, '..', 'golden', 'hls4ml'), '/work/shared/golden/hls4ml']) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (/^model_.*\.json$/.test(f) && !seen.has(f)) seen.set(f, join(dir, f));
  }
  return [...seen.values()].sort();
}

/** AP_TYPES_INCLUDE when it points to usable headers, else undefined. */
export function apTypes(): string | undefined {
  const d = process.env.AP_TYPES_INCLUDE;
  return d && existsSync(join(d, 'ap_fixed.h')) && existsSync(join(d, 'hls_stream.h')) ? d : undefined;
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: readonly T[], fn: (t: T, i: number) => Promise<R>, limit = Math.max(1, cpus().length)): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const t16 = parseFixedType('ap_fixed<16,6>');

/** A tiny hand-built io_parallel graph: Dense(4→3) + ReLU + Dense(3→2) + Softmax (stable). */
export function tinyParallelGraph(): FirmwareGraphSpec {
  const types = { input: t16, weight: parseFixedType('ap_fixed<8,2>'), bias: parseFixedType('ap_fixed<8,2>'), accum: parseFixedType('ap_fixed<20,8>'), result: t16 };
  return {
    name: 'tiny',
    ioType: 'io_parallel',
    input: { name: 'x', shape: [4], type: t16 },
    layers: [
      {
        name: 'fc1',
        cls: 'Dense',
        inputs: ['x'],
        shapeIn: [4],
        shapeOut: [3],
        config: { n_in: 4, n_out: 3, strategy: 'latency', reuse_factor: 1 },
        types,
        weights: { weight: Float64Array.from([10, -20, 30, 40, -50, 60, -7, 8, 9, 1, 2, -3]), bias: Float64Array.from([1, -2, 3]) },
      },
      { name: 'act-1', cls: 'Activation', inputs: ['fc1'], shapeIn: [3], shapeOut: [3], config: { activation: 'relu', n_in: 3 }, types: { input: t16, result: parseFixedType('ap_ufixed<8,3,AP_RND,AP_SAT>') } },
      {
        name: 'fc2',
        cls: 'Dense',
        inputs: ['act-1'],
        shapeIn: [3],
        shapeOut: [2],
        config: { n_in: 3, n_out: 2, strategy: 'resource', reuse_factor: 3 },
        types: { ...types, input: parseFixedType('ap_ufixed<8,3,AP_RND,AP_SAT>') },
        // Resource strategy: the C array is the transposed kernel, w[j * n_in + i] (Keras [[5, -6], [7, 8], [-9, 10]]).
        weights: { weight: Float64Array.from([5, 7, -9, -6, 8, 10]), bias: Float64Array.from([0, 1]) },
      },
      {
        name: 'softmax',
        cls: 'Softmax',
        inputs: ['fc2'],
        shapeIn: [2],
        shapeOut: [2],
        config: { n_in: 2, implementation: 'stable', exp_table_size: 256, inv_table_size: 256 },
        types: {
          input: t16,
          result: parseFixedType('ap_ufixed<16,1>'),
          exp_table: parseFixedType('ap_fixed<18,8,AP_RND,AP_SAT>'),
          inv_table: parseFixedType('ap_fixed<18,8,AP_RND,AP_SAT>'),
          accum: parseFixedType('ap_fixed<18,8>'),
        },
      },
    ],
    output: 'softmax',
    changes: [],
  };
}

/** A tiny io_stream graph: Conv2D 6x6x2 (Encoded, 3x3, 2 filters) + MaxPooling2D (LineBuffer) + Flatten + Dense. */
export function tinyStreamGraph(): FirmwareGraphSpec {
  const w = Float64Array.from({ length: 3 * 3 * 2 * 2 }, (_, i) => ((i * 37) % 41) - 20);
  return {
    name: 'tiny_stream',
    ioType: 'io_stream',
    input: { name: 'image', shape: [6, 6, 2], type: t16 },
    layers: [
      {
        name: 'conv',
        cls: 'Conv2D',
        inputs: ['image'],
        shapeIn: [6, 6, 2],
        shapeOut: [4, 4, 2],
        config: {
          in_height: 6, in_width: 6, n_chan: 2, filt_height: 3, filt_width: 3, n_filt: 2, stride_height: 1, stride_width: 1,
          implementation: 'Encoded', strategy: 'latency', reuse_factor: 1, min_height: 5, min_width: 5,
          pixels: [1, 3, 7, 6, 4, 9, 27, 63, 54, 36, 73, 219, 511, 438, 292, 72, 216, 504, 432, 288, 64, 192, 448, 384, 256],
        },
        types: { input: t16, weight: parseFixedType('ap_fixed<8,2>'), bias: parseFixedType('ap_fixed<8,2>'), accum: parseFixedType('ap_fixed<20,8>'), result: t16 },
        weights: { weight: w, bias: Float64Array.from([3, -3]) },
      },
      {
        name: 'pool',
        cls: 'MaxPooling2D',
        inputs: ['conv'],
        shapeIn: [4, 4, 2],
        shapeOut: [2, 2, 2],
        config: { in_height: 4, in_width: 4, n_filt: 2, pool_height: 2, pool_width: 2, pool_op: 'Max', implementation: 'LineBuffer' },
        types: { input: t16, accum: t16, result: t16 },
      },
      { name: 'flat', cls: 'Reshape', inputs: ['pool'], shapeIn: [2, 2, 2], shapeOut: [8], config: {}, types: { input: t16, result: t16 } },
      {
        name: 'out',
        cls: 'Dense',
        inputs: ['flat'],
        shapeIn: [8],
        shapeOut: [3],
        config: { n_in: 8, n_out: 3, strategy: 'latency', reuse_factor: 1 },
        types: { input: t16, weight: parseFixedType('ap_fixed<8,2>'), bias: parseFixedType('ap_fixed<8,2>'), accum: parseFixedType('ap_fixed<20,8>'), result: t16 },
        weights: { weight: Float64Array.from({ length: 24 }, (_, i) => ((i * 13) % 17) - 8), bias: Float64Array.from([1, 2, 3]) },
      },
    ],
    output: 'out',
    changes: [],
  };
}

/** A golden single-kernel case (one line of a *.jsonl file). */
export interface KernelCase {
  kernel: string;
  impl: string;
  config: Record<string, unknown>;
  types: Record<string, unknown>;
  weights?: number[];
  weights_keras?: number[];
  bias?: number[];
  scale?: number[];
  alpha_raw?: number;
  inputs: unknown[];
  outputs: number[][];
}

/** Read a *.jsonl golden file. */
export function readCases(file: string): KernelCase[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as KernelCase);
}

function ty(c: KernelCase): Record<string, FixedType> {
  const out: Record<string, FixedType> = {};
  for (const [k, v] of Object.entries(c.types)) if (v && typeof v === 'object' && 'w' in (v as object)) out[k] = toFixedType(v, k);
  return out;
}

/**
 * A one-layer FirmwareGraph for a golden kernel case, or undefined when the case needs two inputs
 * (merges). Input and output shapes are derived from the config as the kernel sees them.
 */
export function caseGraph(c: KernelCase, name: string): FirmwareGraphSpec | undefined {
  const cfg: Record<string, unknown> = { ...c.config };
  const types = ty(c);
  const io = cfg.io_type === 'io_stream' ? 'io_stream' : 'io_parallel';
  const n = (k: string): number => Number(cfg[k]);
  let cls: string;
  let shapeIn: number[];
  let shapeOut: number[];
  const weights: Record<string, Float64Array> = {};
  switch (c.kernel) {
    case 'dense':
      cls = 'Dense';
      shapeIn = [n('n_in')];
      shapeOut = [n('n_out')];
      weights.weight = Float64Array.from(c.weights!);
      weights.bias = Float64Array.from(c.bias!);
      break;
    case 'conv2d':
      cls = 'Conv2D';
      shapeIn = [n('in_height'), n('in_width'), n('n_chan')];
      shapeOut = [n('out_height'), n('out_width'), n('n_filt')];
      weights.weight = Float64Array.from(c.weights!);
      weights.bias = Float64Array.from(c.bias!);
      break;
    case 'conv1d':
      cls = 'Conv1D';
      shapeIn = [n('in_width'), n('n_chan')];
      shapeOut = [n('out_width'), n('n_filt')];
      weights.weight = Float64Array.from(c.weights!);
      weights.bias = Float64Array.from(c.bias!);
      break;
    case 'pooling2d':
    case 'global_pooling2d': {
      const max = cfg.pool_op === 'Max';
      cls = (c.kernel === 'pooling2d' ? (max ? 'MaxPooling2D' : 'AveragePooling2D') : max ? 'GlobalMaxPooling2D' : 'GlobalAveragePooling2D');
      shapeIn = [n('in_height'), n('in_width'), n('n_filt')];
      shapeOut = c.kernel === 'pooling2d' ? [n('out_height'), n('out_width'), n('n_filt')] : [n('n_filt')];
      break;
    }
    case 'pooling1d':
    case 'global_pooling1d': {
      const max = cfg.pool_op === 'Max';
      cls = (c.kernel === 'pooling1d' ? (max ? 'MaxPooling1D' : 'AveragePooling1D') : max ? 'GlobalMaxPooling1D' : 'GlobalAveragePooling1D');
      shapeIn = [n('n_in'), n('n_filt')];
      shapeOut = c.kernel === 'pooling1d' ? [n('n_out'), n('n_filt')] : [n('n_filt')];
      break;
    }
    case 'batchnorm': {
      cls = 'BatchNormalization';
      const nf = n('n_filt');
      shapeIn = nf === -1 ? [n('n_in')] : [n('n_in') / nf, nf];
      shapeOut = shapeIn;
      weights.scale = Float64Array.from(c.scale!);
      weights.bias = Float64Array.from(c.bias!);
      break;
    }
    case 'linear':
    case 'relu':
    case 'leaky_relu':
    case 'sigmoid':
    case 'tanh':
      cls = 'Activation';
      cfg.activation = c.kernel;
      shapeIn = [n('n_in')];
      shapeOut = shapeIn;
      if (c.alpha_raw !== undefined) cfg.alpha_raw = c.alpha_raw;
      break;
    case 'softmax':
      cls = 'Softmax';
      shapeIn = [n('n_in')];
      shapeOut = shapeIn;
      break;
    case 'zeropad2d':
      cls = 'ZeroPadding2D';
      shapeIn = [n('in_height'), n('in_width'), n('n_chan')];
      shapeOut = [n('out_height'), n('out_width'), n('n_chan')];
      break;
    default:
      return undefined;
  }
  const inputType = types.input ?? types.input1;
  if (!inputType) return undefined;
  return {
    name,
    ioType: io,
    input: { name: 'x', shape: shapeIn, type: inputType },
    layers: [{ name: 'layer', cls, inputs: ['x'], shapeIn, shapeOut, config: { ...cfg, io_type: io }, types, weights }],
    output: 'layer',
    changes: [],
  };
}

/** The emulator as a C-simulation reference (see src/emit/reference.ts). */
export { emulatorReference } from '../../src/emit/index.js';
