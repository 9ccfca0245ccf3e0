/**
 * Checks one hls4ml kernel reference case (the JSON Lines format of test/golden/hls4ml/*.jsonl:
 * `kernel, impl, config, types, weights/bias/scale, tables, inputs[k], outputs[k]`) against
 * hlsemu's kernels. Returns null when every output (and every table / instruction array the case
 * carries) matches, or a description of the first mismatch. Each `kernel` kind has one checker in
 * {@link KERNEL_CHECKERS}; the case-reading helpers are in ./kernel-case.ts.
 */
import { FormatError } from '../errors.js';
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
  type SoftmaxConfig,
} from '../kernels/index.js';
import {
  checkInputLengths,
  checkLayout,
  checkPairLengths,
  checkTable,
  int,
  intList,
  need,
  num,
  obj,
  pair,
  rawList,
  runAll,
  sameList,
  sameRaw,
  types,
  x1,
  type Case,
  type KernelChecker,
} from './kernel-case.js';
import { KERNEL_CHECKERS_EXT } from './kernels-ext.js';


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
  checkLayout(c, cfg, int(cfg, 'n_in'));
  checkInputLengths(c, int(cfg, 'n_in'), 'config.n_in');
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
  const pack = checkLayout(c, cfg, int(cfg, 'n_in'));
  checkInputLengths(c, int(cfg, 'n_in'), 'config.n_in');
  const kcfg = { ...cfg, implementation: impl, name: 'softmax', types: t } as unknown as SoftmaxConfig;
  if (cfg.io_type === 'io_stream') {
    // The stream kernel normalises each stream word (the last axis), whatever n_slice/n_outer say.
    Object.assign(kcfg, { n_slice: pack, n_outer: undefined, n_inner: undefined });
  }
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
  const inShape = intList(cfg, 'in_shape');
  if (inShape) checkInputLengths(c, inShape.reduce((a, b) => a * b, 1), 'config.in_shape');
  const kcfg = { ...cfg, name: String(c.kernel), types: t } as never;
  return runAll(c, String(c.kernel), (x, i) => (dims === 2 ? zeropad2d(kcfg, x1(x, i)) : zeropad1d(kcfg, x1(x, i))));
}

function checkMerge(c: Case, kind: string): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input1', 'input2', 'result');
  if (kind === 'concatenate') {
    const size = (k: string): number | undefined => intList(cfg, k)?.reduce((a, b) => a * b, 1);
    const [n1, n2, nOut] = [size('shape1'), size('shape2'), size('out_shape')];
    if (n1 !== undefined && n2 !== undefined) checkPairLengths(c, n1, n2, 'config.shape1', 'config.shape2');
    if (n1 !== undefined && n2 !== undefined && nOut !== undefined && nOut !== n1 + n2) throw new FormatError('config.out_shape', `holds ${nOut} values, not ${n1} + ${n2}`);
    const kcfg = { ...cfg, name: kind, types: t } as never;
    return runAll(c, kind, (x, i) => {
      const [a, b] = pair(x, i);
      return concatenate(kcfg, a, b);
    });
  }
  if (cfg.n_elem1 !== undefined && cfg.n_elem2 !== undefined) checkPairLengths(c, int(cfg, 'n_elem1'), int(cfg, 'n_elem2'), 'config.n_elem1', 'config.n_elem2');
  if (cfg.shape !== undefined) checkLayout(c, cfg, int(cfg, 'n_elem'));
  const kcfg = { ...cfg, op: kind, name: kind, types: t } as never;
  return runAll(c, kind, (x, i) => {
    const [a, b] = pair(x, i);
    return merge(kcfg, a, b);
  });
}

/**
 * One checker per `kernel` kind of the reference files.
 *
 * @example Object.keys(KERNEL_CHECKERS).includes('conv2d'); // true
 */
export const KERNEL_CHECKERS: Readonly<Record<string, KernelChecker>> = {
  dense: checkDense,
  conv1d: (c) => checkConv(c, 1),
  conv2d: (c) => checkConv(c, 2),
  pooling1d: (c) => checkPooling(c, 1),
  pooling2d: (c) => checkPooling(c, 2),
  global_pooling1d: (c) => checkGlobalPooling(c, 1),
  global_pooling2d: (c) => checkGlobalPooling(c, 2),
  batchnorm: checkBatchnorm,
  linear: (c) => checkActivation(c, 'linear'),
  relu: (c) => checkActivation(c, 'relu'),
  leaky_relu: (c) => checkActivation(c, 'leaky_relu'),
  sigmoid: (c) => checkActivation(c, 'sigmoid'),
  tanh: (c) => checkActivation(c, 'tanh'),
  softmax: checkSoftmax,
  zeropad1d: (c) => checkZeropad(c, 1),
  zeropad2d: (c) => checkZeropad(c, 2),
  add: (c) => checkMerge(c, 'add'),
  subtract: (c) => checkMerge(c, 'subtract'),
  multiply: (c) => checkMerge(c, 'multiply'),
  average: (c) => checkMerge(c, 'average'),
  maximum: (c) => checkMerge(c, 'maximum'),
  minimum: (c) => checkMerge(c, 'minimum'),
  concatenate: (c) => checkMerge(c, 'concatenate'),
  ...KERNEL_CHECKERS_EXT,
};

/**
 * The `kernel` values this checker knows.
 *
 * @example HLS4ML_KERNEL_KINDS.includes('conv2d'); // true
 */
export const HLS4ML_KERNEL_KINDS: readonly string[] = Object.keys(KERNEL_CHECKERS);

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
  const check = Object.prototype.hasOwnProperty.call(KERNEL_CHECKERS, kind) ? KERNEL_CHECKERS[kind] : undefined;
  if (!check) throw new FormatError('kernel', `unknown kernel kind '${kind}' (known: ${HLS4ML_KERNEL_KINDS.join(', ')})`);
  return check(c);
}
