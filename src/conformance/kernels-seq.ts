/**
 * Checkers of the depthwise / separable convolution, recurrent (LSTM, GRU), LayerNormalization and
 * EinsumDense reference cases (test/golden/hls4ml: sepconv, recurrent, layernorm, einsum_dense).
 * Besides the outputs, every table and every derived array a case carries is recomputed and
 * compared: Encoded instruction tables, the dense class names hls4ml's templates pick, n_zeros,
 * activation / 1/sqrt tables, Resource weight transposes, the einsum recipe and its C arrays.
 */
import { FormatError } from '../errors.js';
import type { FixedType } from '../fixed/index.js';
import {
  computeConv1dInstructions,
  computeConv2dInstructions,
  depthwiseDenseFunction,
  einsumBiasFromKeras,
  einsumRecipe,
  einsumWeightsFromKeras,
  layernormTable,
  prepareEinsumDense,
  prepareLayerNorm,
  prepareDepthwiseConv1d,
  prepareDepthwiseConv2d,
  prepareSeparableConv1d,
  prepareSeparableConv2d,
  prepareGru,
  prepareLstm,
  recurrentDenseFunctions,
  transposeDenseWeights,
  type RecurrentConfig,
  type ArithPath,
  type RawInput,
} from '../kernels/index.js';
import { checkTable, diff, ioPairs, need, num, obj, rawList, runAll, sameList, types, x1, type Case, type KernelChecker } from './kernel-case.js';

function optObj(v: unknown, field: string): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new FormatError(field, `expected an object, got ${JSON.stringify(v)?.slice(0, 60)}`);
  return v as Record<string, unknown>;
}

function intOf(cfg: Record<string, unknown>, key: string, where = 'config'): number {
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new FormatError(`${where}.${key}`, `expected a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

function optInt(cfg: Record<string, unknown>, key: string, dflt: number, where = 'config'): number {
  return cfg[key] === undefined ? dflt : intOf(cfg, key, where);
}

function strOf(cfg: Record<string, unknown>, key: string, where = 'config'): string {
  const v = cfg[key];
  if (typeof v !== 'string') throw new FormatError(`${where}.${key}`, `expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function zeros(xs: readonly (number | bigint)[]): number {
  let n = 0;
  for (const v of xs) if (v === 0 || v === 0n) n++;
  return n;
}

/** A raw list of exactly n values (checked before anything is allocated from it). */
function rawN(v: unknown, field: string, n: number): (number | bigint)[] {
  if (!Array.isArray(v)) throw new FormatError(field, `expected an array of ${n} raw integers, got ${typeof v}`);
  if (v.length !== n) throw new FormatError(field, `expected ${n} values, got ${v.length}`);
  return rawList(v, field);
}

/**
 * Every input / output list of the case has the sizes the config implies — checked before any
 * kernel (and its window tables) is built from the config.
 */
function checkIoSizes(c: Case, nIn: number, nOut: number): void {
  const { inputs, outputs } = ioPairs(c);
  inputs.forEach((x, k) => {
    if (!Array.isArray(x) || x.length !== nIn) throw new FormatError(`inputs[${k}]`, `expected ${nIn} raw values (from the config), got ${Array.isArray(x) ? x.length : typeof x}`);
  });
  outputs.forEach((y, k) => {
    if (!Array.isArray(y) || y.length !== nOut) throw new FormatError(`outputs[${k}]`, `expected ${nOut} raw values (from the config), got ${Array.isArray(y) ? y.length : typeof y}`);
  });
}

function mismatch(what: string, want: unknown, got: unknown): string {
  return `${what}: expected ${JSON.stringify(want)}, computed ${JSON.stringify(got)}`;
}

// ---------------------------------------------------------------------------------------------
// Depthwise / separable
// ---------------------------------------------------------------------------------------------

/** The case's conv-level config (unpadded geometry, pads, io, implementation) for the kernel. */
function depthwiseKernelConfig(c: Case, dims: 1 | 2, types: Record<string, FixedType>): { kcfg: Record<string, unknown>; layer: Record<string, unknown> } {
  const cfg = obj(c, 'config');
  const layer = optObj(cfg.depthwise_layer, 'config.depthwise_layer');
  if (!layer) throw new FormatError('config.depthwise_layer', 'missing');
  const io = strOf(cfg, 'io_type');
  if (io !== 'io_parallel' && io !== 'io_stream') throw new FormatError('config.io_type', `expected io_parallel or io_stream, got ${io}`);
  const kcfg: Record<string, unknown> = {
    name: String(c.kernel),
    n_chan: intOf(cfg, 'n_chan'),
    in_width: intOf(cfg, 'in_width'),
    filt_width: intOf(cfg, 'filt_width'),
    stride_width: optInt(cfg, 'stride_width', 1),
    pad_left: optInt(cfg, 'pad_left', 0),
    pad_right: optInt(cfg, 'pad_right', 0),
    out_width: intOf(cfg, 'out_width'),
    io_type: io,
    strategy: cfg.strategy,
    reuse_factor: optInt(cfg, 'reuse_factor', 1),
    depth_multiplier: cfg.depth_multiplier,
    dense_function: layer.dense_function,
    types,
  };
  if (dims === 2) {
    Object.assign(kcfg, {
      in_height: intOf(cfg, 'in_height'),
      filt_height: intOf(cfg, 'filt_height'),
      stride_height: optInt(cfg, 'stride_height', 1),
      pad_top: optInt(cfg, 'pad_top', 0),
      pad_bottom: optInt(cfg, 'pad_bottom', 0),
      out_height: intOf(cfg, 'out_height'),
    });
  }
  if (io === 'io_stream') {
    const impl = String(cfg.implementation ?? c.impl ?? '').toLowerCase();
    kcfg.implementation = impl.includes('encoded') ? 'Encoded' : 'LineBuffer';
    if (kcfg.implementation === 'Encoded') {
      kcfg.pixels = rawList(layer.pixels, 'config.depthwise_layer.pixels').map(Number);
      if (dims === 2) kcfg.min_height = intOf(layer, 'min_height', 'config.depthwise_layer');
      kcfg.min_width = intOf(layer, 'min_width', 'config.depthwise_layer');
    }
  }
  return { kcfg, layer };
}

function imageSize(kcfg: Record<string, unknown>, dims: 1 | 2, C: number): number {
  return (dims === 2 ? (kcfg.in_height as number) : 1) * (kcfg.in_width as number) * C;
}

function outPixels(kcfg: Record<string, unknown>, dims: 1 | 2): number {
  return (dims === 2 ? (kcfg.out_height as number) : 1) * (kcfg.out_width as number);
}

/** Checks the derived fields of the depthwise layer config against what hls4ml would write. */
function checkDepthwiseLayer(c: Case, dims: 1 | 2, kcfg: Record<string, unknown>, layer: Record<string, unknown>, dwWeights: (number | bigint)[]): string | null {
  const cfg = obj(c, 'config');
  const io = kcfg.io_type;
  const n = (k: string) => kcfg[k] as number;
  // io_stream 'same': a zero-padding layer first, the conv then runs 'valid' on the padded image.
  const padH = dims === 2 ? n('pad_top') + n('pad_bottom') : 0;
  const padW = n('pad_left') + n('pad_right');
  const convH = dims === 2 ? n('in_height') + (io === 'io_stream' ? padH : 0) : 1;
  const convW = n('in_width') + (io === 'io_stream' ? padW : 0);
  if (dims === 2 && intOf(layer, 'in_height', 'config.depthwise_layer') !== convH) return mismatch('depthwise_layer.in_height', layer.in_height, convH);
  if (intOf(layer, 'in_width', 'config.depthwise_layer') !== convW) return mismatch('depthwise_layer.in_width', layer.in_width, convW);
  const zp = optObj(cfg.zeropad_layer, 'config.zeropad_layer');
  if (io === 'io_stream' && padH + padW > 0) {
    if (!zp) return 'config.zeropad_layer: missing for an io_stream layer with padding';
    for (const k of dims === 2 ? ['pad_top', 'pad_bottom', 'pad_left', 'pad_right'] : ['pad_left', 'pad_right']) {
      if (zp[k] !== kcfg[k]) return mismatch(`zeropad_layer.${k}`, zp[k], kcfg[k]);
    }
  } else if (zp) return 'config.zeropad_layer: present for a layer without io_stream padding';
  if (intOf(layer, 'n_zeros', 'config.depthwise_layer') !== zeros(dwWeights)) return mismatch('depthwise_layer.n_zeros', layer.n_zeros, zeros(dwWeights));
  const fn = depthwiseDenseFunction(kcfg.strategy as string, kcfg.reuse_factor as number, kcfg.n_chan as number);
  if (String(layer.dense_function).replace(/^nnet::/, '') !== fn) return mismatch('depthwise_layer.dense_function', layer.dense_function, `nnet::${fn}`);
  if (io === 'io_parallel') {
    const nOut = (dims === 2 ? n('out_height') : 1) * n('out_width');
    const pf = optInt(cfg, 'parallelization_factor', 1);
    if (layer.n_partitions !== undefined && nOut / pf !== layer.n_partitions) return mismatch('depthwise_layer.n_partitions', layer.n_partitions, nOut / pf);
  }
  if (kcfg.implementation === 'Encoded') {
    if (dims === 2) {
      const ins = computeConv2dInstructions(convH, convW, n('n_chan'), n('filt_height'), n('stride_height'));
      if (!sameList(ins.pixels, layer.pixels)) return mismatch('depthwise_layer.pixels', layer.pixels, ins.pixels);
      if (layer.min_height !== ins.min_height) return mismatch('depthwise_layer.min_height', layer.min_height, ins.min_height);
      if (layer.min_width !== ins.min_width) return mismatch('depthwise_layer.min_width', layer.min_width, ins.min_width);
      if (layer.scale_index_height !== undefined && layer.scale_index_height !== ins.scale_index_height) return mismatch('depthwise_layer.scale_index_height', layer.scale_index_height, ins.scale_index_height);
      if (layer.scale_index_width !== undefined && layer.scale_index_width !== ins.scale_index_width) return mismatch('depthwise_layer.scale_index_width', layer.scale_index_width, ins.scale_index_width);
    } else {
      const ins = computeConv1dInstructions(convW, n('n_chan'), n('filt_width'), n('stride_width'));
      if (!sameList(ins.pixels, layer.pixels)) return mismatch('depthwise_layer.pixels', layer.pixels, ins.pixels);
      if (layer.min_width !== ins.min_width) return mismatch('depthwise_layer.min_width', layer.min_width, ins.min_width);
      if (layer.scale_index !== undefined && layer.scale_index !== ins.scale_index) return mismatch('depthwise_layer.scale_index', layer.scale_index, ins.scale_index);
    }
  }
  return null;
}

function checkDepthwise(c: Case, dims: 1 | 2, path?: ArithPath): string | null {
  const t = types(c);
  need(t, 'input', 'weight', 'bias', 'accum', 'result');
  const { kcfg, layer } = depthwiseKernelConfig(c, dims, t);
  const kSize = (dims === 2 ? (kcfg.filt_height as number) : 1) * (kcfg.filt_width as number);
  const C = kcfg.n_chan as number;
  const w = rawN(c.weights, 'weights', kSize * C);
  const b = rawN(c.bias, 'bias', C);
  checkIoSizes(c, imageSize(kcfg, dims, C), outPixels(kcfg, dims) * C);
  const d = checkDepthwiseLayer(c, dims, kcfg, layer, w);
  if (d) return d;
  const k = dims === 2 ? prepareDepthwiseConv2d(kcfg as never, w as RawInput, b as RawInput, path) : prepareDepthwiseConv1d(kcfg as never, w as RawInput, b as RawInput, path);
  return runAll(c, String(c.kernel), (x, i) => k.run(x1(x, i)));
}

function checkSeparable(c: Case, dims: 1 | 2, path?: ArithPath): string | null {
  const t = types(c);
  need(t, 'input', 'depthwise', 'depthwise_bias', 'depthwise_accum', 'depthwise_result', 'pointwise', 'bias', 'pointwise_accum', 'result');
  const dwTypes = { input: t.input!, weight: t.depthwise!, bias: t.depthwise_bias!, accum: t.depthwise_accum!, result: t.depthwise_result! };
  const { kcfg, layer } = depthwiseKernelConfig(c, dims, dwTypes);
  const cfg = obj(c, 'config');
  const pl = optObj(cfg.pointwise_layer, 'config.pointwise_layer');
  if (!pl) throw new FormatError('config.pointwise_layer', 'missing');
  const kSize = (dims === 2 ? (kcfg.filt_height as number) : 1) * (kcfg.filt_width as number);
  const C = kcfg.n_chan as number;
  const F = intOf(cfg, 'n_filt');
  const dw = rawN(c.depthwise_weights, 'depthwise_weights', kSize * C);
  const db = rawN(c.depthwise_bias, 'depthwise_bias', C);
  const pw = rawN(c.pointwise_weights, 'pointwise_weights', C * F);
  const pb = rawN(c.bias, 'bias', F);
  checkIoSizes(c, imageSize(kcfg, dims, C), outPixels(kcfg, dims) * F);
  let d = checkDepthwiseLayer(c, dims, kcfg, layer, dw);
  if (d) return d;
  // SeparableToDepthwiseAndConv: zero depthwise biases typed ap_uint<1>.
  if (zeros(db) !== C) return 'depthwise_bias: hls4ml gives the depthwise half zero biases';
  const tb = t.depthwise_bias!;
  if (tb.signed || tb.W !== 1 || tb.I !== 1) return mismatch('types.depthwise_bias', 'ap_uint<1>', tb);
  if (intOf(pl, 'n_chan', 'config.pointwise_layer') !== C) return mismatch('pointwise_layer.n_chan', pl.n_chan, C);
  if (intOf(pl, 'n_filt', 'config.pointwise_layer') !== F) return mismatch('pointwise_layer.n_filt', pl.n_filt, F);
  if (intOf(pl, 'n_zeros', 'config.pointwise_layer') !== zeros(pw)) return mismatch('pointwise_layer.n_zeros', pl.n_zeros, zeros(pw));
  const pstrategy = String(pl.strategy ?? 'latency').toLowerCase();
  const prf = optInt(pl, 'reuse_factor', 1, 'config.pointwise_layer');
  const wantFn = pstrategy === 'latency' ? 'DenseLatency' : prf <= C ? 'DenseResource_rf_leq_nin' : prf % C === 0 ? 'DenseResource_rf_gt_nin_rem0' : 'DenseResource_rf_gt_nin';
  if (String(pl.dense_function).replace(/^nnet::/, '') !== wantFn) return mismatch('pointwise_layer.dense_function', pl.dense_function, `nnet::${wantFn}`);
  if (kcfg.io_type === 'io_parallel' && dims === 1 && pl.conv_kernel !== undefined) {
    // Conv1D io_parallel: BatchedDenseForConv1D for a latency pointwise conv in one partition.
    const want = pstrategy === 'latency' && pl.n_partitions === 1 ? 'BatchedDenseForConv1D' : pstrategy === 'latency' ? 'Conv1DLatency' : 'Conv1DResource';
    if (String(pl.conv_kernel).replace(/^nnet::/, '') !== want) return mismatch('pointwise_layer.conv_kernel', pl.conv_kernel, `nnet::${want}`);
  }
  const sep = {
    name: String(c.kernel),
    depthwise_config: kcfg,
    pointwise_config: {
      n_chan: C,
      n_filt: F,
      strategy: pstrategy,
      reuse_factor: prf,
      types: { weight: t.pointwise!, bias: t.bias!, accum: t.pointwise_accum!, result: t.result! },
    },
  };
  // pointwise_weights are documented as the Keras pointwise_kernel (c·n_filt + f); a Resource
  // pointwise dense receives hls4ml's transpose of it (f·n_chan + c).
  const kerasOrder = !/f\s*\*\s*n_chan/.test(String(c.weight_layout ?? ''));
  const pwC = pstrategy === 'resource' && kerasOrder ? transposeDenseWeights(pw, C, F) : pw;
  const k = dims === 2 ? prepareSeparableConv2d(sep as never, dw as RawInput, db as RawInput, pwC as RawInput, pb as RawInput, path) : prepareSeparableConv1d(sep as never, dw as RawInput, db as RawInput, pwC as RawInput, pb as RawInput, path);
  d = runAll(c, String(c.kernel), (x, i) => k.run(x1(x, i)));
  return d;
}


// ---------------------------------------------------------------------------------------------
// Recurrent
// ---------------------------------------------------------------------------------------------

function checkRecurrent(c: Case, kind: 'lstm' | 'gru', path?: ArithPath): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'result', 'accum', 'weight', 'recurrent_weight', 'bias', 'recurrent_bias');
  const m = kind === 'lstm' ? 4 : 3;
  const nIn = intOf(cfg, 'n_in');
  const n = intOf(cfg, 'n_state');
  const strategy = String(cfg.strategy ?? 'latency').toLowerCase();
  const rcfg: RecurrentConfig = {
    name: kind,
    n_in: nIn,
    n_state: n,
    n_out: cfg.n_out as number | undefined,
    n_sequence: intOf(cfg, 'n_sequence'),
    n_sequence_out: intOf(cfg, 'n_sequence_out'),
    return_sequences: cfg.return_sequences as boolean | undefined,
    use_static: cfg.use_static as boolean | undefined,
    activation: strOf(cfg, 'activation'),
    recurrent_activation: strOf(cfg, 'recurrent_activation'),
    table_size: cfg.table_size as number | undefined,
    io_type: cfg.io_type as string | undefined,
    strategy,
    reuse_factor: optInt(cfg, 'reuse_factor', 1),
    recurrent_reuse_factor: cfg.recurrent_reuse_factor as number | undefined,
    pytorch_order: cfg.pytorch_order as boolean | undefined,
    types: t as never,
  };
  const w = rawN(c.weights, 'weights', nIn * m * n);
  const wr = rawN(c.recurrent_weights, 'recurrent_weights', n * m * n);
  const b = rawN(c.bias, 'bias', m * n);
  const br = rawN(c.recurrent_bias, 'recurrent_bias', m * n);
  // The C arrays against the Keras kernels: latency = as is, Resource = transposed.
  for (const [arr, keras, rows, field] of [
    [w, c.weights_keras, nIn, 'weights'],
    [wr, c.recurrent_weights_keras, n, 'recurrent_weights'],
  ] as const) {
    if (keras === undefined) continue;
    const k = rawN(keras, `${field}_keras`, rows * m * n);
    const want = strategy === 'resource' ? transposeDenseWeights(k, rows, m * n) : k;
    const d = diff(arr, want, `${field} (C array from ${field}_keras, ${strategy})`);
    if (d) return d;
  }
  if (kind === 'lstm' && zeros(br) !== m * n) return 'recurrent_bias: hls4ml gives an LSTM zero recurrent biases';
  const fns = recurrentDenseFunctions(kind, rcfg);
  for (const key of ['mult_config1', 'mult_config2'] as const) {
    const mc = optObj(cfg[key], `config.${key}`);
    if (!mc) continue;
    if (mc.dense_function !== undefined && String(mc.dense_function).replace(/^nnet::/, '') !== fns[key]) return mismatch(`${key}.dense_function`, mc.dense_function, `nnet::${fns[key]}`);
    const wantIn = key === 'mult_config1' ? nIn : n;
    if (mc.n_in !== undefined && mc.n_in !== wantIn) return mismatch(`${key}.n_in`, mc.n_in, wantIn);
    if (mc.n_out !== undefined && mc.n_out !== m * n) return mismatch(`${key}.n_out`, mc.n_out, m * n);
  }
  if (cfg.recr_act_n_in !== undefined && cfg.recr_act_n_in !== (m - 1) * n) return mismatch('recr_act_n_in', cfg.recr_act_n_in, (m - 1) * n);
  if (cfg.act_n_in !== undefined && cfg.act_n_in !== n) return mismatch('act_n_in', cfg.act_n_in, n);
  checkIoSizes(c, rcfg.n_sequence * nIn, rcfg.n_sequence_out * n);
  const k = kind === 'lstm' ? prepareLstm(rcfg, w as RawInput, wr as RawInput, b as RawInput, br as RawInput, path) : prepareGru(rcfg, w as RawInput, wr as RawInput, b as RawInput, br as RawInput, path);
  const tabs = k.tables;
  const tables = optObj(c.tables, 'tables') ?? {};
  for (const key of Object.keys(tables)) {
    if (key !== 'activation_table' && key !== 'recurrent_activation_table') return `tables.${key}: unknown table`;
    const got = tabs[key];
    if (!got) return `tables.${key}: the case has a table but ${key === 'activation_table' ? rcfg.activation : rcfg.recurrent_activation} has none`;
    const d = checkTable(c, key, got);
    if (d) return d;
  }
  return runAll(c, kind, (x, i) => k.run(x1(x, i)));
}


// ---------------------------------------------------------------------------------------------
// LayerNormalization
// ---------------------------------------------------------------------------------------------

function checkLayerNorm(c: Case, path?: ArithPath): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'result', 'accum', 'scale', 'bias', 'table');
  const nIn = intOf(cfg, 'n_in');
  const seq = intOf(cfg, 'seq_len');
  if (seq < 1 || nIn % seq !== 0) throw new FormatError('config.seq_len', `n_in ${nIn} is not a positive multiple of seq_len ${seq}`);
  const dim = nIn / seq;
  const lcfg = {
    name: 'layernorm',
    n_in: nIn,
    seq_len: seq,
    dim: cfg.dim as number | undefined,
    axis: cfg.axis as number | undefined,
    epsilon_power_of_10: intOf(cfg, 'epsilon_power_of_10'),
    table_range_power2: intOf(cfg, 'table_range_power2'),
    table_size: intOf(cfg, 'table_size'),
    io_type: cfg.io_type as string | undefined,
    product: cfg.product as string | undefined,
    types: t as never,
  };
  checkIoSizes(c, nIn, nIn);
  const k = prepareLayerNorm(lcfg, rawN(c.scale, 'scale', dim) as RawInput, rawN(c.bias, 'bias', dim) as RawInput, path);
  const tables = optObj(c.tables, 'tables') ?? {};
  for (const key of Object.keys(tables)) if (key !== 'invert_sqr_table') return `tables.${key}: unknown table`;
  const d = checkTable(c, 'invert_sqr_table', layernormTable(lcfg));
  if (d) return d;
  return runAll(c, 'layernorm', (x, i) => k.run(x1(x, i)));
}

// ---------------------------------------------------------------------------------------------
// EinsumDense
// ---------------------------------------------------------------------------------------------

function intListOf(cfg: Record<string, unknown>, key: string): number[] {
  const v = cfg[key];
  if (!Array.isArray(v) || v.some((e) => typeof e !== 'number' || !Number.isInteger(e) || e < 0)) throw new FormatError(`config.${key}`, `expected a list of non-negative integers, got ${JSON.stringify(v)}`);
  return v as number[];
}

/**
 * The bias shapes Keras' EinsumDense can build for an output shape: from the first bias axis to the
 * last output axis, each later axis either kept or 1, holding `n` values.
 */
function kerasBiasShapes(outShape: readonly number[], n: number): number[][] {
  const out: number[][] = [];
  for (let k = 0; k < outShape.length; k++) {
    const rest = outShape.length - k - 1;
    for (let mask = 0; mask < 2 ** rest; mask++) {
      const sh = outShape.slice(k).map((v, j) => (j > 0 && (mask >> (j - 1)) & 1 ? 1 : v));
      if (sh.reduce((p, q) => p * q, 1) === n) out.push(sh);
    }
  }
  return out;
}

function checkEinsumDense(c: Case, path?: ArithPath): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'weight', 'bias', 'accum', 'result');
  const inpShape = intListOf(cfg, 'inp_shape');
  const kernelShape = intListOf(cfg, 'kernel_shape');
  const outShape = intListOf(cfg, 'out_shape');
  // hls4ml resolves '...' into letters first (`equation_resolved`); the recipe is derived from that.
  const r = einsumRecipe(strOf(cfg, cfg.equation_resolved !== undefined ? 'equation_resolved' : 'equation'), inpShape, kernelShape);
  for (const key of ['inp_tpose_idxs', 'ker_tpose_idxs', 'out_tpose_idxs', 'out_interpert_shape', 'out_shape'] as const) {
    if (cfg[key] !== undefined && !sameList(r[key], cfg[key])) return mismatch(key, cfg[key], r[key]);
  }
  for (const key of ['n_free_data', 'n_free_kernel', 'n_contract', 'n_inplace'] as const) {
    if (cfg[key] !== undefined && cfg[key] !== r[key]) return mismatch(key, cfg[key], r[key]);
  }
  const nW = r.n_inplace * r.n_contract * r.n_free_kernel;
  const nB = r.n_free_data * r.n_free_kernel * r.n_inplace;
  const w = rawN(c.weights, 'weights', nW);
  const b = rawN(c.bias, 'bias', nB);
  if (c.weights_keras !== undefined) {
    const wk = rawN(c.weights_keras, 'weights_keras', nW);
    const d = diff(einsumWeightsFromKeras(wk, kernelShape, r), w, 'weights (C array from weights_keras)');
    if (d) return d;
  }
  if (c.bias_keras !== undefined) {
    let d: string | null;
    if (c.bias_keras === null) d = diff(einsumBiasFromKeras<number | bigint>(null, undefined, r, 0), b, 'bias (zeros without a Keras bias)');
    else {
      if (!Array.isArray(c.bias_keras)) throw new FormatError('bias_keras', 'expected an array or null');
      const bk = rawList(c.bias_keras, 'bias_keras');
      const axes = String(cfg.bias_axes ?? '');
      const shapes = Array.isArray(cfg.bias_shape) ? [intListOf(cfg, 'bias_shape')] : /all/.test(axes) ? [outShape] : /last/.test(axes) ? [outShape.slice(-1)] : kerasBiasShapes(outShape, bk.length);
      if (shapes.length === 0) throw new FormatError('bias_keras', `${bk.length} values fit no Keras bias shape of the output ${JSON.stringify(outShape)}`);
      // The C array must be the broadcast of the Keras bias for one of the shapes Keras can give it.
      const diffs = shapes.map((sh) => diff(einsumBiasFromKeras<number | bigint>(bk, sh, r, 0), b, `bias (C array from bias_keras, shape ${JSON.stringify(sh)})`));
      d = diffs.includes(null) ? null : diffs[0]!;
    }
    if (d) return d;
  }
  checkIoSizes(c, inpShape.reduce((p, q) => p * q, 1), outShape.reduce((p, q) => p * q, 1));
  const k = prepareEinsumDense(
    {
      name: 'einsum_dense',
      inp_shape: inpShape,
      out_shape: outShape,
      n_free_data: r.n_free_data,
      n_free_kernel: r.n_free_kernel,
      n_contract: r.n_contract,
      n_inplace: r.n_inplace,
      inp_tpose_idxs: r.inp_tpose_idxs,
      out_tpose_idxs: r.out_tpose_idxs,
      out_interpert_shape: r.out_interpert_shape,
      io_type: cfg.io_type as string | undefined,
      strategy: cfg.strategy as string | undefined,
      types: t as never,
    },
    w as RawInput,
    b as RawInput,
    path,
  );
  return runAll(c, 'einsum_dense', (x, i) => k.run(x1(x, i)));
}

const CHECKS: Record<string, (c: Case, path?: ArithPath) => string | null> = {
  depthwise_conv1d: (c, p) => checkDepthwise(c, 1, p),
  depthwise_conv2d: (c, p) => checkDepthwise(c, 2, p),
  separable_conv1d: (c, p) => checkSeparable(c, 1, p),
  separable_conv2d: (c, p) => checkSeparable(c, 2, p),
  lstm: (c, p) => checkRecurrent(c, 'lstm', p),
  gru: (c, p) => checkRecurrent(c, 'gru', p),
  layernorm: checkLayerNorm,
  einsum_dense: checkEinsumDense,
};

/**
 * Check one depthwise / separable / recurrent / layernorm / einsum_dense case with a forced
 * arithmetic back end (`'number'` throws where it would not be exact).
 *
 * @example checkSeqKernelCase(JSON.parse(line), 'bigint'); // null
 */
export function checkSeqKernelCase(c: Case, path: ArithPath = 'auto'): string | null {
  const kind = String(c.kernel);
  const check = Object.prototype.hasOwnProperty.call(CHECKS, kind) ? CHECKS[kind] : undefined;
  if (!check) throw new FormatError('kernel', `not a depthwise / separable / recurrent / layernorm / einsum_dense case: '${kind}'`);
  return check(c, path);
}

/**
 * Checkers of the depthwise, separable, recurrent, LayerNormalization and EinsumDense cases.
 *
 * @example Object.keys(SEQ_KERNEL_CHECKERS); // ['depthwise_conv1d', …, 'einsum_dense']
 */
export const SEQ_KERNEL_CHECKERS: Readonly<Record<string, KernelChecker>> = Object.fromEntries(
  Object.entries(CHECKS).map(([k, f]) => [k, (c: Case) => f(c)]),
);
