/**
 * Checkers of the kernel families added after the first reference sets: the other activations
 * (elu, selu, softplus, softsign, hard_sigmoid, hard_tanh, prelu, thresholded_relu, relu6/relu1,
 * binary_tanh, ternary_tanh, unary_lut), dot1d, resize_nearest, cropping1d/2d, transpose and
 * embedding. Each checker validates the fields it reads (FormatError naming the field; sizes
 * against the data before any kernel allocates from them), checks every table the case carries,
 * then every output. The table is spread into KERNEL_CHECKERS.
 */
import { FormatError, HlsemuError } from '../errors.js';
import { sameType, toFixedType, type FixedType } from '../fixed/index.js';
import {
  binaryTanh,
  cropping1d,
  cropping2d,
  dot1d,
  elu,
  eluAlpha,
  eluTable,
  embedding,
  hardActivationParams,
  hardSigmoid,
  hardTanh,
  prelu,
  quantizeDoubleRaw,
  relu1,
  relu6,
  resizeNearest,
  selu,
  seluLambda,
  seluTable,
  softplus,
  softplusTable,
  softsign,
  softsignTable,
  ternaryTanh,
  thresholdedRelu,
  transpose,
  transposeGeometry,
  unaryLut,
  type RawInput,
  type RawOutput,
} from '../kernels/index.js';
import {
  checkInputLengths,
  checkLayout,
  checkPairLengths,
  checkTable,
  checkTableSize,
  cppType,
  int,
  intList,
  ioType,
  need,
  obj,
  pair,
  rawList,
  rawScalar,
  runAll,
  sameRaw,
  types,
  x1,
  type Case,
  type KernelChecker,
} from './kernel-case.js';

/** Largest lookup table a case may ask for when it does not carry the table itself. */
const MAX_TABLE = 1 << 20;

interface Act {
  cfg: Record<string, unknown>;
  t: Record<string, FixedType>;
  n: number;
  kcfg: Record<string, unknown>;
}

/** Common part of the element-wise activation cases: config, types, layout, input sizes. */
function actCase(c: Case, kind: string, ...typeKeys: string[]): Act {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'result', ...typeKeys);
  const n = int(cfg, 'n_in');
  checkLayout(c, cfg, n);
  checkInputLengths(c, n, 'config.n_in');
  return { cfg, t, n, kcfg: { ...cfg, name: kind, types: t } };
}

/** Table size of a LUT case, validated against the carried table (or bounded when none). */
function tableSize(c: Case, cfg: Record<string, unknown>): number {
  const size = int(cfg, 'table_size');
  checkTableSize(c, 'table', size, 'config.table_size');
  const tables = c.tables as Record<string, unknown> | undefined;
  if ((!tables || tables.table === undefined) && size > MAX_TABLE) throw new FormatError('config.table_size', `${size} entries is more than ${MAX_TABLE} (and the case carries no table)`);
  return size;
}

/** The raw of `<name>_raw` must be what the literal `config.<name>_literal` converts to in type t. */
function literalMismatch(c: Case, cfg: Record<string, unknown>, name: string, t: FixedType): string | null {
  const raw = rawScalar(c, `${name}_raw`);
  const lit = cfg[`${name}_literal`];
  if (lit === undefined) return null;
  if (typeof lit !== 'number' || !Number.isFinite(lit)) throw new FormatError(`config.${name}_literal`, `expected a finite number, got ${JSON.stringify(lit)}`);
  const fromLit = quantizeDoubleRaw(lit, t);
  if (raw !== undefined && !sameRaw(fromLit, raw)) return `${name}_raw: expected ${String(raw)}, the literal ${lit} converts to ${String(fromLit)}`;
  return null;
}

/** Param value for the kernel: the raw when given, else the literal. */
function paramFields(c: Case, cfg: Record<string, unknown>, name: string): Record<string, unknown> {
  const raw = rawScalar(c, `${name}_raw`);
  if (raw !== undefined) return { [`${name}_raw`]: raw };
  if (cfg[`${name}_literal`] !== undefined) return { [name]: cfg[`${name}_literal`] };
  return {};
}

function checkElu(c: Case): string | null {
  const a = actCase(c, 'elu', 'table', 'param');
  tableSize(c, a.cfg);
  const d = literalMismatch(c, a.cfg, 'alpha', a.t.param!);
  if (d) return d;
  const kcfg = { ...a.kcfg, ...paramFields(c, a.cfg, 'alpha') };
  eluAlpha(kcfg as never); // validates the raw against param_t
  return checkTable(c, 'table', eluTable({ table_size: a.cfg.table_size as number, types: { table: a.t.table! } })) ?? runAll(c, 'elu', (x, i) => elu(kcfg as never, x1(x, i)));
}

function checkSelu(c: Case): string | null {
  const a = actCase(c, 'selu', 'table');
  tableSize(c, a.cfg);
  const lam = seluLambda(a.cfg.io_type as string, a.t.input!);
  if (c.lambda_type !== undefined) {
    let lt: FixedType;
    try {
      lt = toFixedType(c.lambda_type, 'lambda_type');
    } catch (e) {
      if (e instanceof HlsemuError) throw new FormatError('lambda_type', e.message);
      throw e;
    }
    if (!sameType(lt, lam.type)) return `lambda_type: the ${String(a.cfg.io_type)} kernel converts λ to ${JSON.stringify(lam.type)}, the case says ${JSON.stringify(lt)}`;
  }
  const raw = rawScalar(c, 'lambda_raw');
  if (raw !== undefined && !sameRaw(raw, lam.raw)) return `lambda_raw: expected ${String(raw)}, computed ${String(lam.raw)}`;
  return checkTable(c, 'table', seluTable({ table_size: a.cfg.table_size as number, types: { table: a.t.table! } })) ?? runAll(c, 'selu', (x, i) => selu(a.kcfg as never, x1(x, i)));
}

function checkRange8(c: Case, kind: 'softplus' | 'softsign'): string | null {
  const a = actCase(c, kind, 'table');
  tableSize(c, a.cfg);
  const build = kind === 'softplus' ? softplusTable : softsignTable;
  const fn = kind === 'softplus' ? softplus : softsign;
  return checkTable(c, 'table', build({ table_size: a.cfg.table_size as number, types: { table: a.t.table! } })) ?? runAll(c, kind, (x, i) => fn(a.kcfg as never, x1(x, i)));
}

function checkHard(c: Case, kind: 'hard_sigmoid' | 'hard_tanh'): string | null {
  const a = actCase(c, kind, 'slope', 'shift');
  const d = literalMismatch(c, a.cfg, 'slope', a.t.slope!) ?? literalMismatch(c, a.cfg, 'shift', a.t.shift!);
  if (d) return d;
  const kcfg = { ...a.kcfg, ...paramFields(c, a.cfg, 'slope'), ...paramFields(c, a.cfg, 'shift') };
  hardActivationParams(kcfg as never);
  const fn = kind === 'hard_sigmoid' ? hardSigmoid : hardTanh;
  return runAll(c, kind, (x, i) => fn(kcfg as never, x1(x, i)));
}

function checkPrelu(c: Case): string | null {
  const a = actCase(c, 'prelu', 'param');
  if (!Array.isArray(c.alpha)) throw new FormatError('alpha', 'expected the list of raw alphas (one per input element)');
  if (c.alpha.length !== a.n) throw new FormatError('alpha', `expected ${a.n} raws (one per element), got ${c.alpha.length}`);
  const alpha = rawList(c.alpha, 'alpha') as RawInput;
  return runAll(c, 'prelu', (x, i) => prelu(a.kcfg as never, x1(x, i), alpha));
}

function checkThresholdedRelu(c: Case): string | null {
  const a = actCase(c, 'thresholded_relu', 'param');
  const d = literalMismatch(c, a.cfg, 'theta', a.t.param!);
  if (d) return d;
  const kcfg = { ...a.kcfg, ...paramFields(c, a.cfg, 'theta') };
  return runAll(c, 'thresholded_relu', (x, i) => thresholdedRelu(kcfg as never, x1(x, i)));
}

function checkReluMax(c: Case, kind: 'relu6' | 'relu1'): string | null {
  const a = actCase(c, kind);
  const fn = kind === 'relu6' ? relu6 : relu1;
  return runAll(c, kind, (x, i) => fn(a.kcfg as never, x1(x, i)));
}

function checkBinaryTanh(c: Case): string | null {
  const a = actCase(c, 'binary_tanh');
  const cpp = cppType(c, 'result');
  const kcfg = { ...a.kcfg, xnor_result: cpp === undefined ? undefined : cpp === 'ap_uint<1>' };
  return runAll(c, 'binary_tanh', (x, i) => binaryTanh(kcfg as never, x1(x, i)));
}

function checkTernaryTanh(c: Case): string | null {
  const a = actCase(c, 'ternary_tanh');
  return runAll(c, 'ternary_tanh', (x, i) => ternaryTanh(a.kcfg as never, x1(x, i)));
}

function checkUnaryLut(c: Case): string | null {
  const a = actCase(c, 'unary_lut', 'table');
  const size = int(a.cfg, 'table_size');
  if (!Array.isArray(c.table)) throw new FormatError('table', 'expected the list of raw table entries');
  if (c.table.length !== size) throw new FormatError('config.table_size', `is ${size} but table has ${c.table.length} entries`);
  const table = rawList(c.table, 'table') as RawInput;
  return runAll(c, 'unary_lut', (x, i) => unaryLut(a.kcfg as never, x1(x, i), table));
}

function checkDot1d(c: Case): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input1', 'input2', 'accum', 'result');
  ioType(c, cfg);
  const n = int(cfg, 'n_in');
  if (cfg.n_out !== undefined) int(cfg, 'n_out');
  checkPairLengths(c, n, n, 'config.n_in', 'config.n_in');
  const kcfg = { ...cfg, name: 'dot1d', types: t } as never;
  return runAll(c, 'dot1d', (x, i) => {
    const [a, b] = pair(x, i);
    return dot1d(kcfg, a, b);
  });
}

function sameShape(field: string, got: number[] | undefined, want: number[]): void {
  if (got !== undefined && (got.length !== want.length || got.some((v, k) => v !== want[k]))) {
    throw new FormatError(field, `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
}

function checkResize(c: Case): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input');
  ioType(c, cfg);
  const [H, W, C, OH, OW] = ['height', 'width', 'n_chan', 'new_height', 'new_width'].map((k) => int(cfg, k)) as [number, number, number, number, number];
  const inShape = intList(cfg, 'in_shape');
  const outShape = intList(cfg, 'out_shape');
  sameShape('config.in_shape', inShape, inShape?.length === 2 && H === 1 ? [W, C] : [H, W, C]);
  sameShape('config.out_shape', outShape, outShape?.length === 2 && OH === 1 ? [OW, C] : [OH, OW, C]);
  checkInputLengths(c, H * W * C, 'config.height·width·n_chan');
  const kcfg = { ...cfg, name: 'resize_nearest', types: t } as never;
  return runAll(c, 'resize_nearest', (x, i) => resizeNearest(kcfg, x1(x, i)));
}

function checkCropping(c: Case, dims: 1 | 2): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'result');
  ioType(c, cfg);
  const C = int(cfg, 'n_chan');
  const W = int(cfg, 'in_width');
  const OW = int(cfg, 'out_width', 0);
  const H = dims === 2 ? int(cfg, 'in_height') : 1;
  const OH = dims === 2 ? int(cfg, 'out_height', 0) : 1;
  const cf = cfg.data_format === 'channels_first';
  const shape = (h: number, w: number): number[] => (dims === 1 ? [w, C] : cf ? [C, h, w] : [h, w, C]);
  sameShape('config.in_shape', intList(cfg, 'in_shape'), shape(H, W));
  sameShape('config.out_shape', intList(cfg, 'out_shape', 0), shape(OH, OW));
  checkInputLengths(c, H * W * C, 'config.in_shape');
  const kcfg = { ...cfg, name: String(c.kernel), types: t } as never;
  return runAll(c, String(c.kernel), (x, i) => (dims === 2 ? cropping2d(kcfg, x1(x, i)) : cropping1d(kcfg, x1(x, i))));
}

function checkTranspose(c: Case): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'result');
  ioType(c, cfg);
  const from = intList(cfg, 'in_shape') ?? intList(cfg, 'from_shape');
  if (!from) throw new FormatError('config.in_shape', 'missing');
  const perm = intList(cfg, 'perm', 0);
  if (!perm) throw new FormatError('config.perm', 'missing');
  let g: ReturnType<typeof transposeGeometry>;
  try {
    g = transposeGeometry(from, perm, 'config');
  } catch (e) {
    if (e instanceof HlsemuError) throw new FormatError(e.path, e.message.slice(e.path.length + 2));
    throw e;
  }
  sameShape('config.out_shape', intList(cfg, 'out_shape'), g.to_shape);
  checkInputLengths(c, g.N, 'config.in_shape');
  const kcfg = { ...cfg, from_shape: from, to_shape: intList(cfg, 'out_shape') ?? intList(cfg, 'to_shape'), name: 'transpose', types: t } as never;
  return runAll(c, 'transpose', (x, i) => transpose(kcfg, x1(x, i)));
}

function checkEmbedding(c: Case): string | null {
  const cfg = obj(c, 'config');
  const t = types(c);
  need(t, 'input', 'embeddings', 'result');
  ioType(c, cfg);
  const n = int(cfg, 'n_in');
  const nOut = int(cfg, 'n_out');
  const vocab = int(cfg, 'vocab_size');
  if (!Array.isArray(c.embeddings)) throw new FormatError('embeddings', 'expected the list of raw embeddings');
  if (c.embeddings.length !== vocab * nOut) throw new FormatError('embeddings', `expected vocab_size·n_out = ${vocab * nOut} raws, got ${c.embeddings.length}`);
  checkInputLengths(c, n, 'config.n_in');
  const emb = rawList(c.embeddings, 'embeddings') as RawInput;
  const kcfg = { ...cfg, name: 'embedding', types: t } as never;
  return runAll(c, 'embedding', (x, i): RawOutput => embedding(kcfg, x1(x, i), emb));
}

/**
 * Checkers of the added kernel kinds (spread into KERNEL_CHECKERS).
 *
 * @example Object.keys(KERNEL_CHECKERS_EXT).includes('selu'); // true
 */
export const KERNEL_CHECKERS_EXT: Readonly<Record<string, KernelChecker>> = {
  elu: checkElu,
  selu: checkSelu,
  softplus: (c) => checkRange8(c, 'softplus'),
  softsign: (c) => checkRange8(c, 'softsign'),
  hard_sigmoid: (c) => checkHard(c, 'hard_sigmoid'),
  hard_tanh: (c) => checkHard(c, 'hard_tanh'),
  prelu: checkPrelu,
  thresholded_relu: checkThresholdedRelu,
  relu6: (c) => checkReluMax(c, 'relu6'),
  relu1: (c) => checkReluMax(c, 'relu1'),
  binary_tanh: checkBinaryTanh,
  ternary_tanh: checkTernaryTanh,
  unary_lut: checkUnaryLut,
  dot1d: checkDot1d,
  resize_nearest: checkResize,
  cropping1d: (c) => checkCropping(c, 1),
  cropping2d: (c) => checkCropping(c, 2),
  transpose: checkTranspose,
  embedding: checkEmbedding,
};
