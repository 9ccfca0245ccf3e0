/**
 * LSTM and GRU (`nnet::lstm_stack`, `nnet::gru_stack` of nnet_recurrent.h, io_parallel and
 * io_stream, static and non-static cells — which compute the same numbers).
 *
 * Gate order is Keras': LSTM `i, f, c, o`, GRU `z, r, h`. Per time step t, with n = n_state:
 *   a = dense(x_t, W, b), r = dense(h, Wr, br)    (nnet::dense of the strategy, results in accum_t)
 *   LSTM: ifo   = act_r((accum)(a + r) over the i, f, o blocks)        → accum_t
 *         g     = act((accum)(a + r) over the c block)                   → accum_t
 *         s     = (result)(g·i + s·f)                                    (exact products and sum)
 *         h     = (result)(o · act(s))     act reads the result_t state and returns accum_t
 *   GRU:  z, r  = act_r((accum)(a + r) over the z, r blocks)             → accum_t
 *         hc    = act((accum)(a_h + (accum)(r · r_h)))   r_h = h block of the recurrent dense
 *         h     = (result)(hc·(1 − z) + h·z)                             (exact)
 * h (and s) start at 0 for every sequence. `act` / `act_r` are nnet::activation::{tanh, sigmoid,
 * relu}: tables of `table_t`/`table_size` indexed from the argument (accum_t, or result_t for the
 * LSTM state), the entry converted to accum_t; relu is `x > 0 ? (accum)x : 0`.
 * Output: h after every step (return_sequences, `n_sequence_out = n_sequence`) or the last h.
 */
import { ConfigError, UnsupportedError } from '../errors.js';
import { frac, type FixedType } from '../fixed/index.js';
import { activationTableIndex } from './activations.js';
import {
  allocOut,
  BIG,
  choosePath,
  intField,
  ioTypeField,
  layerName,
  notePreResult,
  NUM,
  readRaw,
  storeOut,
  typedCaster,
  typeField,
  type Arith,
  type Cast,
  type KernelOptions,
  type KernelStats,
  type RawInput,
  type RawOutput,
} from './common.js';
import { DenseKernel, checkPrepared, denseBits, type DenseTypes } from './dense.js';
import { sigmoidTable, tanhTable } from './tables.js';

/** The `nnet::activation` classes a recurrent layer can use. */
export type RecurrentActivation = 'tanh' | 'sigmoid' | 'relu';

/** Types of a recurrent layer (hls4ml's config-struct typedef names without `_t`). */
export interface RecurrentTypes {
  input: FixedType;
  result: FixedType;
  accum: FixedType;
  weight: FixedType;
  recurrent_weight: FixedType;
  bias: FixedType;
  recurrent_bias: FixedType;
  /** Table type of both activations (`table_t` of the two activ configs). */
  table?: FixedType;
  /** Table type of the recurrent activation when it differs from `table`. */
  recurrent_table?: FixedType;
}

/** Config of `nnet::lstm_stack` / `nnet::gru_stack` (hls4ml `lstm_config` / `gru_config` names). */
export interface RecurrentConfig {
  name?: string;
  n_in: number;
  n_state: number;
  /** Equal to n_state when given. */
  n_out?: number;
  n_sequence: number;
  /** n_sequence (return_sequences) or 1. */
  n_sequence_out: number;
  /** Checked against n_sequence_out when given. */
  return_sequences?: boolean;
  /** Static (state kept in the cell) or not: the same numbers. Default true. */
  use_static?: boolean;
  activation: RecurrentActivation | string;
  recurrent_activation: RecurrentActivation | string;
  /** Entries of both activation tables (default 1024). */
  table_size?: number;
  /** Entries of the recurrent-activation table when it differs from table_size. */
  recurrent_table_size?: number;
  io_type?: 'io_parallel' | 'io_stream' | string;
  /** `'latency'` (default) or `'resource'` (weights then transposed, `j*n_in + i`). */
  strategy?: 'latency' | 'resource' | string;
  /** RF of the input dense (mult_config1); also picks mult_config2's kernel class. */
  reuse_factor?: number;
  /** RF of the recurrent dense (mult_config2); default reuse_factor. */
  recurrent_reuse_factor?: number;
  /** Only false (Keras gate order) is supported. */
  pytorch_order?: boolean;
  types: RecurrentTypes;
}

/** The nnet::Dense* classes hls4ml's recurrent template writes into mult_config1 / mult_config2. */
export type RecurrentDenseFunction = 'DenseLatency' | 'DenseResource_rf_leq_nin' | 'DenseResource_rf_gt_nin_rem0';

/**
 * The kernel classes of the two dense configs as hls4ml's recurrent template picks them: latency →
 * DenseLatency; resource → `_rf_leq_nin` if RF ≤ n_in else `_rf_gt_nin_rem0` — for the recurrent
 * dense the class is chosen from the layer `reuse_factor`, not from `recurrent_reuse_factor`.
 *
 * @example recurrentDenseFunctions('lstm', { n_in: 4, n_state: 2, strategy: 'resource', reuse_factor: 2 }); // both 'DenseResource_rf_leq_nin'
 */
export function recurrentDenseFunctions(
  _kind: 'lstm' | 'gru',
  cfg: Pick<RecurrentConfig, 'n_in' | 'n_state' | 'strategy' | 'reuse_factor'>,
): { mult_config1: RecurrentDenseFunction; mult_config2: RecurrentDenseFunction } {
  const s = normStrategy('recurrent', cfg.strategy);
  if (s === 'latency') return { mult_config1: 'DenseLatency', mult_config2: 'DenseLatency' };
  const rf = cfg.reuse_factor ?? 1;
  return {
    mult_config1: rf <= cfg.n_in ? 'DenseResource_rf_leq_nin' : 'DenseResource_rf_gt_nin_rem0',
    mult_config2: rf <= cfg.n_state ? 'DenseResource_rf_leq_nin' : 'DenseResource_rf_gt_nin_rem0',
  };
}

function normStrategy(layer: string, s: unknown): 'latency' | 'resource' {
  if (s === undefined) return 'latency';
  const v = String(s).toLowerCase();
  if (v === 'latency' || v === 'resource') return v;
  throw new UnsupportedError(`${layer}.strategy`, `strategy '${String(s)}' is not supported for recurrent layers (latency, resource)`);
}

function normAct(layer: string, field: string, v: unknown): RecurrentActivation {
  if (v === 'tanh' || v === 'sigmoid' || v === 'relu') return v;
  throw new UnsupportedError(`${layer}.${field}`, `${JSON.stringify(v)} has no nnet::activation class (tanh, sigmoid, relu; Keras hard_sigmoid does not compile in hls4ml)`);
}

/** Checks that the class hls4ml picks can run with the configured RF (else the C++ asserts). */
function checkDenseClass(layer: string, field: string, fn: RecurrentDenseFunction, rf: number, nIn: number, nOut: number): void {
  if (fn === 'DenseLatency') return;
  if (fn === 'DenseResource_rf_leq_nin' && rf > nIn) {
    throw new ConfigError(`${layer}.${field}`, `nnet::${fn} (picked from the layer reuse_factor) asserts RF ≤ n_in, got RF ${rf} > n_in ${nIn}`);
  }
  if (fn === 'DenseResource_rf_gt_nin_rem0') {
    if (rf > nIn * nOut) throw new UnsupportedError(`${layer}.${field}`, `RF ${rf} > n_in·n_out = ${nIn * nOut}`);
    if (!(rf > nIn && rf % nIn === 0)) throw new ConfigError(`${layer}.${field}`, `nnet::${fn} asserts RF > n_in and RF % n_in == 0, got RF ${rf}, n_in ${nIn}`);
  }
}

/**
 * The two activation tables of a recurrent layer (raw in table_t), as nnet::sigmoid / nnet::tanh
 * build them; relu has no table (undefined).
 *
 * @example recurrentTables(cfg).activation_table; // tanh table for activation 'tanh'
 */
export function recurrentTables(cfg: RecurrentConfig): { activation_table?: RawOutput; recurrent_activation_table?: RawOutput } {
  const layer = layerName(cfg ?? {}, 'recurrent');
  const act = normAct(layer, 'activation', cfg.activation);
  const ract = normAct(layer, 'recurrent_activation', cfg.recurrent_activation);
  const size = cfg.table_size === undefined ? 1024 : intField(layer, 'table_size', cfg.table_size);
  const rsize = cfg.recurrent_table_size === undefined ? size : intField(layer, 'recurrent_table_size', cfg.recurrent_table_size);
  const t = cfg.types as unknown as Record<string, FixedType>;
  const build = (a: RecurrentActivation, n: number, key: string): RawOutput | undefined => {
    if (a === 'relu') return undefined;
    const tt = key === 'recurrent_table' && t?.recurrent_table ? t.recurrent_table : typeField(layer, t, 'table');
    return (a === 'sigmoid' ? sigmoidTable : tanhTable)({ name: layer, table_size: n, types: { table: tt } });
  };
  return { activation_table: build(act, size, 'table'), recurrent_activation_table: build(ract, rsize, 'recurrent_table') };
}

interface Act<T> {
  kind: RecurrentActivation;
  table?: ArrayLike<T>;
  /** table entry (table_t) → accum_t. */
  cast?: Cast<T>;
  N: number;
}

/**
 * A prepared LSTM / GRU (weights decoded, tables built); `run` processes one sequence.
 *
 * @example const k = prepareLstm(cfg, w, wr, b, br); const y = k.run(x);
 */
export class RecurrentKernel {
  readonly name: string;
  readonly kind: 'lstm' | 'gru';
  readonly nIn: number;
  readonly nState: number;
  readonly nSequence: number;
  readonly nSequenceOut: number;
  readonly types: RecurrentTypes;
  readonly big: boolean;
  readonly inputDense: DenseKernel;
  readonly recurrentDense: DenseKernel;
  readonly activation: RecurrentActivation;
  readonly recurrentActivation: RecurrentActivation;
  readonly tables: { activation_table?: RawOutput; recurrent_activation_table?: RawOutput };

  /** @internal use {@link prepareLstm} / {@link prepareGru}. */
  constructor(kind: 'lstm' | 'gru', cfg: RecurrentConfig, weights: RawInput, recurrentWeights: RawInput, bias: RawInput, recurrentBias: RawInput, path?: KernelOptions['path']) {
    const layer = layerName(cfg ?? {}, kind);
    if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
    this.name = layer;
    this.kind = kind;
    const m = kind === 'lstm' ? 4 : 3;
    this.nIn = intField(layer, 'n_in', cfg.n_in);
    this.nState = intField(layer, 'n_state', cfg.n_state);
    if (cfg.n_out !== undefined && cfg.n_out !== this.nState) throw new ConfigError(`${layer}.n_out`, `must equal n_state ${this.nState}, got ${String(cfg.n_out)}`);
    this.nSequence = intField(layer, 'n_sequence', cfg.n_sequence);
    this.nSequenceOut = intField(layer, 'n_sequence_out', cfg.n_sequence_out);
    if (this.nSequenceOut !== 1 && this.nSequenceOut !== this.nSequence) {
      throw new ConfigError(`${layer}.n_sequence_out`, `must be 1 or n_sequence (${this.nSequence}), got ${this.nSequenceOut}`);
    }
    if (cfg.return_sequences !== undefined && this.nSequence > 1 && cfg.return_sequences !== (this.nSequenceOut > 1)) {
      throw new ConfigError(`${layer}.return_sequences`, `return_sequences=${String(cfg.return_sequences)} contradicts n_sequence_out=${this.nSequenceOut}`);
    }
    if (cfg.pytorch_order) throw new UnsupportedError(`${layer}.pytorch_order`, 'only the Keras gate order is supported');
    ioTypeField(layer, cfg.io_type);
    if (cfg.use_static !== undefined && typeof cfg.use_static !== 'boolean') throw new ConfigError(`${layer}.use_static`, 'must be a boolean');
    const tt = cfg.types as unknown as Record<string, FixedType>;
    if (!tt || typeof tt !== 'object') throw new ConfigError(`${layer}.types`, 'missing types');
    const types: RecurrentTypes = {
      input: typeField(layer, tt, 'input'),
      result: typeField(layer, tt, 'result'),
      accum: typeField(layer, tt, 'accum'),
      weight: typeField(layer, tt, 'weight'),
      recurrent_weight: typeField(layer, tt, 'recurrent_weight'),
      bias: typeField(layer, tt, 'bias'),
      recurrent_bias: typeField(layer, tt, 'recurrent_bias'),
      table: tt.table,
      recurrent_table: tt.recurrent_table,
    };
    this.types = types;
    this.activation = normAct(layer, 'activation', cfg.activation);
    this.recurrentActivation = normAct(layer, 'recurrent_activation', cfg.recurrent_activation);
    this.tables = recurrentTables({ ...cfg, name: layer });
    const strategy = normStrategy(layer, cfg.strategy);
    const rf = intField(layer, 'reuse_factor', cfg.reuse_factor ?? 1);
    const rrf = intField(layer, 'recurrent_reuse_factor', cfg.recurrent_reuse_factor ?? rf);
    const fns = recurrentDenseFunctions(kind, { n_in: this.nIn, n_state: this.nState, strategy, reuse_factor: rf });
    checkDenseClass(layer, 'reuse_factor', fns.mult_config1, rf, this.nIn, m * this.nState);
    checkDenseClass(layer, 'recurrent_reuse_factor', fns.mult_config2, rrf, this.nState, m * this.nState);
    const d1: DenseTypes = { input: types.input, weight: types.weight, bias: types.bias, accum: types.accum, result: types.accum };
    const d2: DenseTypes = { input: types.result, weight: types.recurrent_weight, bias: types.recurrent_bias, accum: types.accum, result: types.accum };
    const fa = frac(types.accum);
    const fr = frac(types.result);
    const ia = types.accum.I;
    const ir = types.result.I;
    const tw = Math.max(types.table?.W ?? 0, types.recurrent_table?.W ?? 0);
    const stepBits = Math.max(2 * Math.max(ia, ir, 1) + 3 + Math.max(2 * fa, fr + fa, fa, fr, 0) + 1, tw + 1, types.accum.W + 2, types.result.W + 2);
    this.big = choosePath(layer, Math.max(stepBits, denseBits(d1), denseBits(d2)), path);
    const p = this.big ? 'bigint' : 'number';
    this.inputDense = new DenseKernel({ name: `${layer}.mult_config1`, n_in: this.nIn, n_out: m * this.nState, strategy, reuse_factor: rf, types: d1 }, weights, bias, p);
    this.recurrentDense = new DenseKernel({ name: `${layer}.mult_config2`, n_in: this.nState, n_out: m * this.nState, strategy, reuse_factor: rrf, types: d2 }, recurrentWeights, recurrentBias, p);
  }

  /** Output length: n_sequence_out · n_state. */
  get nOut(): number {
    return this.nSequenceOut * this.nState;
  }

  /**
   * Run one sequence (`n_sequence·n_in` raws, time-major) → `n_sequence_out·n_state` raws.
   *
   * @example const y = prepareGru(cfg, w, wr, b, br).run(x);
   */
  run(x: RawInput, opts: KernelOptions = {}): RawOutput {
    checkPrepared(this.name, this.big, opts.path);
    return this.big ? this.runWith(BIG, x, opts) : this.runWith(NUM, x, opts);
  }

  private act<T extends number | bigint>(A: Arith<T>, kind: RecurrentActivation, table: RawOutput | undefined, tt: FixedType | undefined, st?: KernelStats): Act<T> {
    if (kind === 'relu' || !table || !tt) return { kind, N: 0 };
    const tab: T[] = Array.from(table as ArrayLike<number | bigint>, (v) => A.of(v));
    return { kind, table: tab, cast: typedCaster(A, tt, this.types.accum, st?.accum), N: tab.length };
  }

  private runWith<T extends number | bigint>(A: Arith<T>, x: RawInput, opts: KernelOptions): RawOutput {
    const t = this.types;
    const st = opts.stats;
    const n = this.nState;
    const m = this.kind === 'lstm' ? 4 : 3;
    const xs = readRaw(A, this.name, 'input', x, t.input, this.nSequence * this.nIn);
    const out = allocOut(this.name, this.nOut, t.result, opts.out);
    const fa = frac(t.accum);
    const fr = frac(t.result);
    const tableT = t.table;
    const rTableT = t.recurrent_table ?? t.table;
    const act = this.act(A, this.activation, this.tables.activation_table, tableT, st);
    const actR = this.act(A, this.recurrentActivation, this.tables.recurrent_activation_table, rTableT, st);
    const accFromAcc = A.caster(fa, t.accum, st?.accum);
    const reluRes = typedCaster(A, t.result, t.accum, st?.accum);
    const reluAcc = typedCaster(A, t.accum, t.accum, st?.accum);
    const apply = (a: Act<T>, v: T, fx: number, fromRes: boolean): T => {
      if (a.kind === 'relu') return v > A.zero ? (fromRes ? reluRes : reluAcc)(v) : A.zero;
      const idx = activationTableIndex(v, fx, a.N, a.kind === 'sigmoid' ? 16 : 8);
      return a.cast!(a.table![idx]!);
    };
    const align = (v: T, from: number, to: number): T => (to === from ? v : A.shl(v, to - from));
    const dAcc1 = this.big ? this.inputDense.casters(BIG, st) : this.inputDense.casters(NUM, st);
    const dAcc2 = this.big ? this.recurrentDense.casters(BIG, st) : this.recurrentDense.casters(NUM, st);
    const a: RawOutput = this.big ? (new Array<bigint>(m * n).fill(0n) as bigint[]) : new Float64Array(m * n);
    const r: RawOutput = this.big ? (new Array<bigint>(m * n).fill(0n) as bigint[]) : new Float64Array(m * n);
    const h: T[] = new Array<T>(n).fill(A.zero);
    const s: T[] = new Array<T>(n).fill(A.zero);
    const xt: T[] = new Array<T>(this.nIn).fill(A.zero);
    // The dense results are accum_t values, not layer results: their casts count as accum casts
    // (through the casters), and they are not recorded as pre-result values.
    const denseRun = (k: DenseKernel, input: ArrayLike<T>, o: RawOutput, c: unknown) => {
      if (this.big) k.rowBig(input as ArrayLike<bigint>, 0, o, 0, c as never, undefined);
      else k.rowNum(input as ArrayLike<number>, 0, o, 0, c as never, undefined);
    };
    // Sum of two products, both exact, aligned to the finer of their fractional widths.
    const sum2 = (p1: T, f1: number, p2: T, f2: number): [T, number] => {
      const f = Math.max(f1, f2);
      return [A.add(align(p1, f1, f), align(p2, f2, f)), f];
    };
    const castRes = (v: T, f: number): T => {
      if (st) notePreResult(st, v, f);
      return A.caster(f, t.result, st?.result)(v);
    };
    const one = A.shl(A.of(1), Math.max(fa, 0));
    const castProdAcc = A.caster(2 * fa, t.accum, st?.accum);
    let outPos = 0;
    for (let step = 0; step < this.nSequence; step++) {
      for (let i = 0; i < this.nIn; i++) xt[i] = xs[step * this.nIn + i]!;
      denseRun(this.inputDense, xt, a, dAcc1);
      denseRun(this.recurrentDense, h, r, dAcc2);
      const av = a as ArrayLike<number | bigint> as ArrayLike<T>;
      const rv = r as ArrayLike<number | bigint> as ArrayLike<T>;
      const gate = (k: number): T => accFromAcc(A.add(av[k]!, rv[k]!));
      if (this.kind === 'lstm') {
        for (let u = 0; u < n; u++) {
          const gi = apply(actR, gate(u), fa, false);
          const gf = apply(actR, gate(n + u), fa, false);
          const go = apply(actR, gate(3 * n + u), fa, false);
          const gc = apply(act, gate(2 * n + u), fa, false);
          const [sv, sf] = sum2(A.mul(gc, gi), 2 * fa, A.mul(s[u]!, gf), fr + fa);
          s[u] = castRes(sv, sf);
          // h = o · act(s), act reading the result_t state.
          const sa = apply(act, s[u]!, fr, true);
          h[u] = castRes(A.mul(go, sa), 2 * fa);
        }
      } else {
        const z: T[] = new Array<T>(n);
        const hn: T[] = new Array<T>(n);
        for (let u = 0; u < n; u++) z[u] = apply(actR, gate(u), fa, false);
        for (let u = 0; u < n; u++) {
          const rg = apply(actR, gate(n + u), fa, false);
          const rh = castProdAcc(A.mul(rg, rv[2 * n + u]!));
          const hc = apply(act, accFromAcc(A.add(av[2 * n + u]!, rh)), fa, false);
          // 1 − z at z's fractional width (1 is an int: exact).
          const fz = Math.max(fa, 0);
          const omz = A.sub(one, align(z[u]!, fa, fz));
          const [hv, hf] = sum2(A.mul(hc, omz), fa + fz, A.mul(h[u]!, z[u]!), fr + fa);
          hn[u] = castRes(hv, hf);
        }
        for (let u = 0; u < n; u++) h[u] = hn[u]!;
      }
      if (this.nSequenceOut > 1) for (let u = 0; u < n; u++) storeOut(out, outPos++, h[u]!);
    }
    if (this.nSequenceOut === 1) for (let u = 0; u < n; u++) storeOut(out, outPos++, h[u]!);
    return out;
  }
}

/**
 * Prepare an LSTM.
 *
 * @param weights C array of the input kernel: latency = Keras (n_in, 4·n_state) row-major; resource = transposed `j*n_in + i`
 * @param recurrentWeights C array of the recurrent kernel (n_state, 4·n_state), same convention
 * @param bias Keras bias (4·n_state); recurrentBias: zeros for Keras (hls4ml adds them)
 * @example const y = prepareLstm(cfg, w, wr, b, br).run(x);
 */
export function prepareLstm(cfg: RecurrentConfig, weights: RawInput, recurrentWeights: RawInput, bias: RawInput, recurrentBias: RawInput, path?: KernelOptions['path']): RecurrentKernel {
  return new RecurrentKernel('lstm', cfg, weights, recurrentWeights, bias, recurrentBias, path);
}

/**
 * Prepare a GRU (Keras `reset_after=True`: bias row 0 → `bias`, row 1 → `recurrentBias`).
 *
 * @example const y = prepareGru(cfg, w, wr, b, br).run(x);
 */
export function prepareGru(cfg: RecurrentConfig, weights: RawInput, recurrentWeights: RawInput, bias: RawInput, recurrentBias: RawInput, path?: KernelOptions['path']): RecurrentKernel {
  return new RecurrentKernel('gru', cfg, weights, recurrentWeights, bias, recurrentBias, path);
}

/**
 * `nnet::lstm_stack`: one sequence → n_sequence_out·n_state raws.
 *
 * @example lstm(cfg, x, w, wr, b, br);
 */
export function lstm(cfg: RecurrentConfig, x: RawInput, weights: RawInput, recurrentWeights: RawInput, bias: RawInput, recurrentBias: RawInput, opts: KernelOptions = {}): RawOutput {
  return prepareLstm(cfg, weights, recurrentWeights, bias, recurrentBias, opts.path).run(x, opts);
}

/**
 * `nnet::gru_stack`: one sequence → n_sequence_out·n_state raws.
 *
 * @example gru(cfg, x, w, wr, b, br);
 */
export function gru(cfg: RecurrentConfig, x: RawInput, weights: RawInput, recurrentWeights: RawInput, bias: RawInput, recurrentBias: RawInput, opts: KernelOptions = {}): RawOutput {
  return prepareGru(cfg, weights, recurrentWeights, bias, recurrentBias, opts.path).run(x, opts);
}
