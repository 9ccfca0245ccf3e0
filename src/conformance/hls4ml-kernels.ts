/**
 * Checks one hls4ml kernel reference case (the JSON Lines format of test/golden/hls4ml/*.jsonl:
 * `kernel, impl, config, types, weights/bias/scale, tables, inputs[k], outputs[k]`) against
 * hlsemu's kernels. Returns null when every output (and every table / instruction array the case
 * carries) matches, or a description of the first mismatch.
 */
import { FormatError, HlsemuError } from '../errors.js';
import { parseFixedType, toFixedType, type FixedType } from '../fixed/index.js';
import {
  batchnorm,
  computeConv1dInstructions,
  computeConv2dInstructions,
  concatenate,
  globalPooling1d,
  globalPooling2d,
  leakyRelu,
  leakyReluAlphaRaw,
  linear,
  merge,
  poolingTables,
  preparePooling1d,
  preparePooling2d,
  prepareConv1d,
  prepareConv2d,
  relu,
  sigmoid,
  sigmoidTable,
  softmax,
  softmaxTables,
  tanh,
  tanhTable,
  zeropad1d,
  zeropad2d,
  DenseKernel,
  type RawInput,
  type RawOutput,
  type SoftmaxConfig,
} from '../kernels/index.js';

type Case = Record<string, unknown>;

/**
 * The `kernel` values this checker knows.
 *
 * @example HLS4ML_KERNEL_KINDS.includes('conv2d'); // true
 */
export const HLS4ML_KERNEL_KINDS = [
  'dense',
  'conv1d',
  'conv2d',
  'pooling1d',
  'pooling2d',
  'global_pooling1d',
  'global_pooling2d',
  'batchnorm',
  'linear',
  'relu',
  'leaky_relu',
  'sigmoid',
  'tanh',
  'softmax',
  'zeropad1d',
  'zeropad2d',
  'add',
  'subtract',
  'multiply',
  'average',
  'maximum',
  'minimum',
  'concatenate',
] as const;

function obj(c: Case, key: string): Record<string, unknown> {
  const v = c[key];
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new FormatError(key, `expected an object, got ${JSON.stringify(v)?.slice(0, 60)}`);
  return v as Record<string, unknown>;
}

function rawList(v: unknown, field: string): (number | bigint)[] {
  if (!Array.isArray(v)) throw new FormatError(field, `expected an array of raw integers, got ${typeof v}`);
  return v.map((e, k) => {
    if (typeof e === 'number' && Number.isInteger(e)) return e;
    if (typeof e === 'string' && /^-?\d+$/.test(e)) {
      const b = BigInt(e);
      return b >= -(2n ** 53n) && b <= 2n ** 53n ? Number(b) : b;
    }
    throw new FormatError(`${field}[${k}]`, `expected an integer, got ${JSON.stringify(e)}`);
  });
}

function types(c: Case): Record<string, FixedType> {
  const t = obj(c, 'types');
  const out: Record<string, FixedType> = {};
  for (const [k, v] of Object.entries(t)) {
    try {
      if (k === 'inp_norm_cpp') out.inp_norm = parseFixedType(String(v));
      else if (v && typeof v === 'object') out[k] = toFixedType(v, `types.${k}`);
      else if (typeof v === 'string') out[k] = parseFixedType(v);
    } catch (e) {
      if (e instanceof HlsemuError) throw new FormatError(`types.${k}`, e.message);
      throw e;
    }
  }
  return out;
}

function need(t: Record<string, FixedType>, ...keys: string[]): void {
  for (const k of keys) if (!t[k]) throw new FormatError(`types.${k}`, 'missing');
}

function ioPairs(c: Case): { inputs: unknown[]; outputs: unknown[] } {
  const inputs = c.inputs;
  const outputs = c.outputs;
  if (!Array.isArray(inputs) || !Array.isArray(outputs)) throw new FormatError('inputs', 'inputs and outputs must be arrays');
  if (inputs.length !== outputs.length) throw new FormatError('outputs', `${inputs.length} inputs but ${outputs.length} outputs`);
  return { inputs, outputs };
}

function sameRaw(a: number | bigint, b: number | bigint): boolean {
  return typeof a === typeof b ? a === b : BigInt(a) === BigInt(b);
}

/** Compare a produced raw array with the expected list; returns the first difference or null. */
function diff(got: ArrayLike<number | bigint>, want: (number | bigint)[], what: string): string | null {
  if (got.length !== want.length) return `${what}: expected ${want.length} values, got ${got.length}`;
  let first = -1;
  let n = 0;
  for (let k = 0; k < want.length; k++) {
    if (!sameRaw(got[k]!, want[k]!)) {
      if (first < 0) first = k;
      n++;
    }
  }
  if (first < 0) return null;
  return `${what}: ${n} of ${want.length} values differ, first at index ${first}: expected ${String(want[first])}, got ${String(got[first])}`;
}

function runAll(c: Case, kind: string, fn: (x: unknown, k: number) => RawOutput): string | null {
  const { inputs, outputs } = ioPairs(c);
  for (let k = 0; k < inputs.length; k++) {
    const got = fn(inputs[k], k);
    const d = diff(got, rawList(outputs[k], `outputs[${k}]`), `${kind} ${String(c.impl ?? '')} input #${k} output`);
    if (d) return d;
  }
  return null;
}

function x1(v: unknown, k: number): RawInput {
  return rawList(v, `inputs[${k}]`) as RawInput;
}

function checkTable(c: Case, key: string, got: RawOutput): string | null {
  const tables = c.tables as Record<string, unknown> | undefined;
  if (!tables || tables[key] === undefined) return null;
  return diff(got, rawList(tables[key], `tables.${key}`), `table ${key}`);
}

function num(cfg: Record<string, unknown>, key: string): number {
  const v = cfg[key];
  if (typeof v !== 'number') throw new FormatError(`config.${key}`, `expected a number, got ${JSON.stringify(v)}`);
  return v;
}

function sameList(a: readonly number[], b: unknown): boolean {
  return Array.isArray(b) && a.length === b.length && a.every((v, k) => v === Number(b[k]));
}

function checkDense(c: Case): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'weight', 'bias', 'accum', 'result');
  const k = new DenseKernel(
    { name: 'dense', n_in: num(cfg, 'n_in'), n_out: num(cfg, 'n_out'), strategy: cfg.strategy as string, reuse_factor: cfg.reuse_factor as number, product: cfg.product as string, types: t as never },
    rawList(c.weights, 'weights') as RawInput,
    rawList(c.bias, 'bias') as RawInput,
  );
  return runAll(c, 'dense', (x, i) => k.run(x1(x, i)));
}

function convStreamCfg(cfg: Record<string, unknown>): Record<string, unknown> {
  const io = cfg.io_type === 'io_stream' ? 'io_stream' : 'io_parallel';
  return { ...cfg, io_type: io };
}

function checkConv(c: Case, dims: 1 | 2): string | null {
  const cfg = convStreamCfg(obj(c, 'config'));
  const t = types(c);
  need(t, 'input', 'weight', 'bias', 'accum', 'result');
  const impl = String(c.impl ?? '').toLowerCase();
  if (impl.includes('encoded')) cfg.implementation = 'Encoded';
  else if (impl.includes('linebuffer')) cfg.implementation = 'LineBuffer';
  const enc = String(cfg.implementation ?? '').toLowerCase() === 'encoded' && cfg.io_type === 'io_stream';
  if (enc) {
    // The instruction table must be exactly what hls4ml generates for the (padded) conv input.
    if (dims === 2) {
      const ph = (cfg.conv_in_height as number) ?? num(cfg, 'in_height') + ((cfg.pad_top as number) ?? 0) + ((cfg.pad_bottom as number) ?? 0);
      const pw = (cfg.conv_in_width as number) ?? num(cfg, 'in_width') + ((cfg.pad_left as number) ?? 0) + ((cfg.pad_right as number) ?? 0);
      const ins = computeConv2dInstructions(ph, pw, num(cfg, 'n_chan'), num(cfg, 'filt_height'), num(cfg, 'stride_height'));
      if (cfg.pixels !== undefined && !sameList(ins.pixels, cfg.pixels)) return `pixels: expected ${JSON.stringify(cfg.pixels)}, computed ${JSON.stringify(ins.pixels)}`;
      if (cfg.min_height !== undefined && cfg.min_height !== ins.min_height) return `min_height: expected ${String(cfg.min_height)}, computed ${ins.min_height}`;
      if (cfg.min_width !== undefined && cfg.min_width !== ins.min_width) return `min_width: expected ${String(cfg.min_width)}, computed ${ins.min_width}`;
      if (cfg.scale_index_height !== undefined && cfg.scale_index_height !== ins.scale_index_height) return `scale_index_height: expected ${String(cfg.scale_index_height)}, computed ${ins.scale_index_height}`;
      if (cfg.scale_index_width !== undefined && cfg.scale_index_width !== ins.scale_index_width) return `scale_index_width: expected ${String(cfg.scale_index_width)}, computed ${ins.scale_index_width}`;
    } else {
      const pw = (cfg.conv_in_width as number) ?? num(cfg, 'in_width') + ((cfg.pad_left as number) ?? 0) + ((cfg.pad_right as number) ?? 0);
      const ins = computeConv1dInstructions(pw, num(cfg, 'n_chan'), num(cfg, 'filt_width'), (cfg.stride_width as number) ?? 1);
      if (cfg.pixels !== undefined && !sameList(ins.pixels, cfg.pixels)) return `pixels: expected ${JSON.stringify(cfg.pixels)}, computed ${JSON.stringify(ins.pixels)}`;
      if (cfg.min_width !== undefined && cfg.min_width !== ins.min_width) return `min_width: expected ${String(cfg.min_width)}, computed ${ins.min_width}`;
      if (cfg.scale_index !== undefined && cfg.scale_index !== ins.scale_index) return `scale_index: expected ${String(cfg.scale_index)}, computed ${ins.scale_index}`;
    }
  }
  const kcfg = { ...cfg, name: String(c.kernel), types: t } as never;
  const w = rawList(c.weights, 'weights') as RawInput;
  const b = rawList(c.bias, 'bias') as RawInput;
  const k = dims === 2 ? prepareConv2d(kcfg, w, b) : prepareConv1d(kcfg, w, b);
  return runAll(c, String(c.kernel), (x, i) => k.run(x1(x, i)));
}

function checkPooling(c: Case, dims: 1 | 2): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'accum', 'result');
  const impl = String(c.impl ?? '').toLowerCase();
  const kcfg: Record<string, unknown> = { ...cfg, name: String(c.kernel), types: t };
  if (impl.includes('encoded')) kcfg.implementation = 'Encoded';
  else if (impl.includes('linebuffer') && cfg.io_type === 'io_stream') kcfg.implementation = 'LineBuffer';
  const k = dims === 2 ? preparePooling2d(kcfg as never) : preparePooling1d(kcfg as never);
  if (c.tables && typeof c.tables === 'object') {
    const want = poolingTables(dims === 2 ? { in_height: num(cfg, 'in_height'), in_width: num(cfg, 'in_width'), pool_height: num(cfg, 'pool_height'), pool_width: num(cfg, 'pool_width') } : { n_in: num(cfg, 'n_in'), pool_width: num(cfg, 'pool_width') });
    for (const key of ['pool_table_height', 'pool_table_width'] as const) {
      const w = want[key];
      if (w) {
        const d = checkTable(c, key, Float64Array.from(w));
        if (d) return d;
      }
    }
  }
  return runAll(c, String(c.kernel), (x, i) => k.run(x1(x, i)));
}

function checkGlobalPooling(c: Case, dims: 1 | 2): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'accum', 'result');
  const kcfg = { ...cfg, name: String(c.kernel), types: t } as never;
  return runAll(c, String(c.kernel), (x, i) => (dims === 2 ? globalPooling2d(kcfg, x1(x, i)) : globalPooling1d(kcfg, x1(x, i))));
}

function checkBatchnorm(c: Case): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'scale', 'bias', 'result');
  const s = rawList(c.scale, 'scale') as RawInput;
  const b = rawList(c.bias, 'bias') as RawInput;
  const kcfg = { ...cfg, name: 'batchnorm', types: t } as never;
  return runAll(c, 'batchnorm', (x, i) => batchnorm(kcfg, x1(x, i), s, b));
}

function checkActivation(c: Case, kind: string): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'result');
  const kcfg: Record<string, unknown> = { ...cfg, name: kind, types: t };
  switch (kind) {
    case 'linear':
      return runAll(c, kind, (x, i) => linear(kcfg as never, x1(x, i)));
    case 'relu':
      return runAll(c, kind, (x, i) => relu(kcfg as never, x1(x, i)));
    case 'leaky_relu': {
      need(t, 'param');
      if (c.alpha_raw !== undefined) kcfg.alpha_raw = rawList([c.alpha_raw], 'alpha_raw')[0];
      if (typeof cfg.alpha_literal === 'number') {
        kcfg.alpha = cfg.alpha_literal;
        const fromLiteral = leakyReluAlphaRaw({ alpha: cfg.alpha_literal, types: { param: t.param } });
        if (kcfg.alpha_raw !== undefined && !sameRaw(fromLiteral, kcfg.alpha_raw as number)) {
          return `alpha_raw: expected ${String(kcfg.alpha_raw)}, the literal ${cfg.alpha_literal} converts to ${String(fromLiteral)}`;
        }
      }
      return runAll(c, kind, (x, i) => leakyRelu(kcfg as never, x1(x, i)));
    }
    case 'sigmoid':
    case 'tanh': {
      need(t, 'table');
      const tab = (kind === 'sigmoid' ? sigmoidTable : tanhTable)({ table_size: cfg.table_size as number, types: { table: t.table! } });
      const d = checkTable(c, 'table', tab);
      if (d) return d;
      return runAll(c, kind, (x, i) => (kind === 'sigmoid' ? sigmoid : tanh)(kcfg as never, x1(x, i)));
    }
  }
  return null;
}

function checkSoftmax(c: Case): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'result');
  const impl = String(cfg.implementation ?? c.impl ?? '').toLowerCase();
  if (impl !== 'stable') delete t.inp_norm; // the placeholder `ap_fixed<1,0>` of the other implementations
  const kcfg = { ...cfg, implementation: impl, name: 'softmax', types: t } as unknown as SoftmaxConfig;
  if (impl !== 'argmax' && c.tables && typeof c.tables === 'object') {
    const legacyStream = impl === 'legacy' && cfg.io_type === 'io_stream';
    const size = (k: string) => (legacyStream ? ((cfg.table_size as number) ?? 1024) : (cfg[k] as number));
    const tabs = softmaxTables({ ...kcfg, exp_table_size: size('exp_table_size'), inv_table_size: size('inv_table_size') });
    const d = checkTable(c, 'exp_table', tabs.exp_table) ?? checkTable(c, 'inv_table', tabs.inv_table);
    if (d) return d;
  }
  return runAll(c, 'softmax', (x, i) => softmax(kcfg, x1(x, i)));
}

function checkZeropad(c: Case, dims: 1 | 2): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'result');
  const kcfg = { ...cfg, name: String(c.kernel), types: t } as never;
  return runAll(c, String(c.kernel), (x, i) => (dims === 2 ? zeropad2d(kcfg, x1(x, i)) : zeropad1d(kcfg, x1(x, i))));
}

function pair(v: unknown, k: number): [RawInput, RawInput] {
  if (!Array.isArray(v) || v.length !== 2) throw new FormatError(`inputs[${k}]`, 'a merge input must be [x1, x2]');
  return [rawList(v[0], `inputs[${k}][0]`) as RawInput, rawList(v[1], `inputs[${k}][1]`) as RawInput];
}

function checkMerge(c: Case, kind: string): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input1', 'input2', 'result');
  if (kind === 'concatenate') {
    const kcfg = { ...cfg, name: kind, types: t } as never;
    return runAll(c, kind, (x, i) => {
      const [a, b] = pair(x, i);
      return concatenate(kcfg, a, b);
    });
  }
  const kcfg = { ...cfg, op: kind, name: kind, types: t } as never;
  return runAll(c, kind, (x, i) => {
    const [a, b] = pair(x, i);
    return merge(kcfg, a, b);
  });
}

/**
 * Check one kernel case; null on success, else a message naming the first differing index.
 * Throws FormatError for malformed cases and unknown `kernel` kinds.
 *
 * @example
 * checkHls4mlKernelCase(JSON.parse(line)); // null
 */
export function checkHls4mlKernelCase(c: Case): string | null {
  if (!c || typeof c !== 'object') throw new FormatError('', 'a case must be an object');
  const kind = c.kernel;
  if (typeof kind !== 'string') throw new FormatError('kernel', `missing kernel kind (got ${JSON.stringify(kind)})`);
  switch (kind) {
    case 'dense':
      return checkDense(c);
    case 'conv1d':
      return checkConv(c, 1);
    case 'conv2d':
      return checkConv(c, 2);
    case 'pooling1d':
      return checkPooling(c, 1);
    case 'pooling2d':
      return checkPooling(c, 2);
    case 'global_pooling1d':
      return checkGlobalPooling(c, 1);
    case 'global_pooling2d':
      return checkGlobalPooling(c, 2);
    case 'batchnorm':
      return checkBatchnorm(c);
    case 'linear':
    case 'relu':
    case 'leaky_relu':
    case 'sigmoid':
    case 'tanh':
      return checkActivation(c, kind);
    case 'softmax':
      return checkSoftmax(c);
    case 'zeropad1d':
      return checkZeropad(c, 1);
    case 'zeropad2d':
      return checkZeropad(c, 2);
    case 'add':
    case 'subtract':
    case 'multiply':
    case 'average':
    case 'maximum':
    case 'minimum':
    case 'concatenate':
      return checkMerge(c, kind);
    default:
      throw new FormatError('kernel', `unknown kernel kind '${kind}' (known: ${HLS4ML_KERNEL_KINDS.join(', ')})`);
  }
}
