/**
 * LSTM and GRU (Keras 2 and 3 `LSTM` / `GRU`; hls4ml `LSTM` / `GRU`, `nnet::lstm_stack` /
 * `nnet::gru_stack`), io_parallel and io_stream, Latency and Resource, static and non-static cells
 * (the same numbers), `return_sequences` both ways. SimpleRNN is read (and evaluated in float) but
 * refused by the conversion: hls4ml 1.3 has no Vivado SimpleRNN template. The QKeras layers
 * (QLSTM, QGRU, QSimpleRNN) are these with quantizer types and QKeras' float cell (src/layers/qkeras.ts).
 *
 * hls4ml sources: converters/keras/recurrent.py (parse_rnn_layer), converters/keras_v3/recurrent.py
 * (RecurentHandler), model/layers.py (LSTM, GRU, SimpleRNN), backends/fpga/fpga_backend.py
 * (accum, recurrent_reuse_factor, static, table_size, table_t; get_layer_mult_size),
 * backends/vivado/vivado_backend.py (init_lstm / init_gru: the recurrent reuse factor is the layer's,
 * Resource reuse factors validated per dense), backends/vivado/passes/resource_strategy.py (weight
 * transposes), model/optimizer/passes/infer_precision.py (_infer_rnn_precision),
 * backends/vivado/passes/recurrent_templates.py, nnet_utils/nnet_recurrent.h,
 * nnet_utils/nnet_recr_activations.h (relu, sigmoid, tanh only).
 */
import { ConfigError, ShapeError, UnsupportedError } from '../errors.js';
import { sameType, type FixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { HlsNode } from '../graph/hls-graph.js';
import type { LayerAttrs, ModelLayer } from '../graph/model.js';
import { requireRank, type LayerConfigReader, type WeightSpec } from '../import/keras-config.js';
import type { RawOutput } from '../kernels/common.js';
import { prepareGru, prepareLstm, recurrentDenseFunctions, type RecurrentConfig, type RecurrentKernel } from '../kernels/recurrent.js';
import { validReuseFactor } from '../kernels/reuse-factor.js';
import { Struct, denseStruct, tArg, warnInputType, type LayerCode } from '../emit/layers.js';
import { RECURRENT_HEADER } from '../emit/cpp/recurrent.js';
import { SEQ_KERNEL_CHECKERS } from '../conformance/kernels-seq.js';
import { floatActivation } from './activation.js';
import { LayerCheck, countZeros, lowered, permuted, rawWeights, reuseFactorOf, strategyOf, transposeOrder, typed } from './common.js';
import { floatWeights, productKind } from './dense.js';
import { kindOf } from '../graph/hls-graph.js';
import type { EmitArgs, FirmwareClassSpec, HlsClassSpec, HlsDraft, LayerModule, ModelClassSpec } from './spec.js';

/** `lstm_config` / `gru_config` fields of a firmware recurrent layer. */
export interface RecurrentFirmwareConfig {
  n_in: number;
  n_state: number;
  n_sequence: number;
  /** n_sequence (return_sequences) or 1. */
  n_sequence_out: number;
  return_sequences: boolean;
  /** The static cell (state kept in the cell) or not: the same numbers. */
  use_static: boolean;
  activation: 'tanh' | 'sigmoid' | 'relu';
  recurrent_activation: 'tanh' | 'sigmoid' | 'relu';
  table_size: number;
  strategy: 'latency' | 'resource';
  reuse_factor: number;
  recurrent_reuse_factor: number;
  reuse_factor_requested?: number;
}

type RecTypes = 'accum' | 'weight' | 'recurrent_weight' | 'bias' | 'recurrent_bias' | 'table';
type RecWeights = 'weight' | 'recurrent_weight' | 'bias' | 'recurrent_bias';
/**
 * A firmware LSTM. Weights: the C arrays — `weight` (n_in, 4·n) and `recurrent_weight` (n, 4·n) in
 * the Keras order (gates i, f, c, o) for Latency, transposed (`j·rows + i`) for Resource; `bias` the
 * Keras bias, `recurrent_bias` zeros (hls4ml adds them).
 */
export interface LstmLayer extends FirmwareLayerBase<'LSTM', RecurrentFirmwareConfig, RecTypes, RecWeights> {}
/** A firmware GRU (gates z, r, h; `bias` / `recurrent_bias` = Keras bias rows 0 / 1, reset_after). */
export interface GruLayer extends FirmwareLayerBase<'GRU', RecurrentFirmwareConfig, RecTypes, RecWeights> {}
type RecurrentLayer = LstmLayer | GruLayer;

export type RnnCls = 'LSTM' | 'GRU' | 'SimpleRNN';
const GATES: Record<RnnCls, number> = { LSTM: 4, GRU: 3, SimpleRNN: 1 };
const RECURRENT_ACTIVATIONS = ['tanh', 'sigmoid', 'relu'] as const;

// ---------------------------------------------------------------------------------------------
// Model classes
// ---------------------------------------------------------------------------------------------

function kerasRnn(cls: RnnCls): NonNullable<ModelClassSpec['keras']> {
  const m = GATES[cls];
  return {
    arity: 'one',
    attrs(r: LayerConfigReader): LayerAttrs {
      if (r.bool('return_state', false)) throw new UnsupportedError(r.field('return_state'), `return_state=True is not supported (hls4ml: '"return_state" of {} layer is not yet supported.')`);
      if (r.bool('time_major', false)) throw new UnsupportedError(r.field('time_major'), 'time-major input is not supported (hls4ml: "Time-major format is not supported by hls4ml")');
      const a: LayerAttrs = {
        units: r.int('units'),
        activation: r.has('activation') ? r.activation() : 'tanh',
        useBias: r.bool('use_bias', true),
        returnSequences: r.bool('return_sequences', false),
        goBackwards: r.bool('go_backwards', false),
        stateful: r.bool('stateful', false),
      };
      if (cls !== 'SimpleRNN') a.recurrentActivation = r.has('recurrent_activation') ? r.activation('recurrent_activation') : 'sigmoid';
      if (cls === 'GRU') a.resetAfter = r.bool('reset_after', true);
      return a;
    },
    outputShape([x = []], a, r) {
      requireRank(r, x, 2, cls);
      return a.returnSequences ? [x[0]!, a.units!] : [a.units!];
    },
    weights(a, [x = []]) {
      const u = a.units!;
      const w: WeightSpec[] = [
        { name: 'kernel', shape: [x[1]!, m * u] },
        { name: 'recurrent_kernel', shape: [u, m * u] },
      ];
      if (a.useBias) w.push({ name: 'bias', shape: cls === 'GRU' && a.resetAfter ? [2, m * u] : [m * u] });
      return w;
    },
  };
}

/** Elementwise functions of a cell (v, count) → values. */
type CellFn = (v: Float64Array, n: number) => Float64Array;

/**
 * What a quantization-aware cell (QKeras QSimpleRNN/QLSTM/QGRU) computes differently: its own
 * activation functions (the quantizers) and a quantizer applied to the previous states h and c at
 * the start of every step (QKeras `QLSTMCell.call`: `h_tm1 = state_quantizer(h_tm1)`); the weights
 * are passed in already quantized.
 */
export interface CellOverrides {
  activation?: CellFn;
  recurrentActivation?: CellFn;
  state?: CellFn;
}

/**
 * Keras' recurrent cells in float64 over n sequences x [n, T, n_in] → [n, T, u] or [n, u].
 *
 * @example floatRnn('LSTM', layer, x, 1, false)
 */
export function floatRnn(cls: RnnCls, l: ModelLayer, x: Float64Array, n: number, keras3: boolean, cell: CellOverrides = {}): Float64Array {
  const [T, nIn] = [l.inputShapes[0]![0]!, l.inputShapes[0]![1]!];
  const u = l.attrs.units!;
  const m = GATES[cls];
  const M = m * u;
  const W = floatWeights(l, 'kernel', nIn * M);
  const U = floatWeights(l, 'recurrent_kernel', u * M);
  if (!W || !U) throw new ShapeError(`${l.name}.kernel`, 'missing kernel weights');
  const resetAfter = cls === 'GRU' && l.attrs.resetAfter !== false;
  const braw = l.attrs.useBias === false ? undefined : floatWeights(l, 'bias', resetAfter ? 2 * M : M);
  const b0 = braw ? braw.subarray(0, M) : new Float64Array(M);
  const b1 = braw && resetAfter ? braw.subarray(M, 2 * M) : new Float64Array(M);
  const act = cell.activation ?? floatActivation(l.attrs.activation ?? 'tanh', l.name, keras3);
  const ract = cell.recurrentActivation ?? floatActivation((l.attrs.recurrentActivation as string | undefined) ?? 'sigmoid', l.name, keras3);
  const seq = l.attrs.returnSequences === true;
  const back = l.attrs.goBackwards === true;
  const y = new Float64Array(n * (seq ? T : 1) * u);
  const one = (v: Float64Array): Float64Array => v;
  for (let s = 0; s < n; s++) {
    const h = new Float64Array(u);
    const c = new Float64Array(u);
    for (let step = 0; step < T; step++) {
      const t = back ? T - 1 - step : step;
      if (cell.state) {
        h.set(cell.state(h, u));
        c.set(cell.state(c, u));
      }
      const xa = new Float64Array(M);
      const ha = new Float64Array(M);
      for (let j = 0; j < M; j++) {
        xa[j] = b0[j]!;
        ha[j] = b1[j]!;
      }
      const xo = (s * T + t) * nIn;
      for (let i = 0; i < nIn; i++) {
        const v = x[xo + i]!;
        for (let j = 0; j < M; j++) xa[j]! += v * W[i * M + j]!;
      }
      for (let i = 0; i < u; i++) {
        const v = h[i]!;
        for (let j = 0; j < M; j++) ha[j]! += v * U[i * M + j]!;
      }
      if (cls === 'SimpleRNN') {
        const z = new Float64Array(u);
        for (let k = 0; k < u; k++) z[k] = xa[k]! + ha[k]!;
        h.set(act(z, u));
      } else if (cls === 'LSTM') {
        const z = new Float64Array(M);
        for (let j = 0; j < M; j++) z[j] = xa[j]! + ha[j]!;
        const ig = ract(z.slice(0, u), u);
        const fg = ract(z.slice(u, 2 * u), u);
        const cg = act(z.slice(2 * u, 3 * u), u);
        const og = ract(z.slice(3 * u), u);
        for (let k = 0; k < u; k++) c[k] = fg[k]! * c[k]! + ig[k]! * cg[k]!;
        const ac = act(one(Float64Array.from(c)), u);
        for (let k = 0; k < u; k++) h[k] = og[k]! * ac[k]!;
      } else {
        const zr = new Float64Array(2 * u);
        for (let j = 0; j < 2 * u; j++) zr[j] = xa[j]! + ha[j]!;
        const z = ract(zr.slice(0, u), u);
        const r = ract(zr.slice(u), u);
        const cand = new Float64Array(u);
        if (resetAfter) {
          for (let k = 0; k < u; k++) cand[k] = xa[2 * u + k]! + r[k]! * ha[2 * u + k]!;
        } else {
          // reset_after=False: the reset gate multiplies h before the recurrent kernel.
          for (let k = 0; k < u; k++) {
            let v = xa[2 * u + k]!;
            for (let i = 0; i < u; i++) v += r[i]! * h[i]! * U[i * M + 2 * u + k]!;
            cand[k] = v;
          }
        }
        const hh = act(cand, u);
        for (let k = 0; k < u; k++) h[k] = z[k]! * h[k]! + (1 - z[k]!) * hh[k]!;
      }
      if (seq) y.set(h, (s * T + step) * u);
    }
    if (!seq) y.set(h, s * u);
  }
  return y;
}

function rnnModel(cls: RnnCls): ModelClassSpec {
  return {
    keras: kerasRnn(cls),
    hlsClass: () => cls,
    typeKey: () => cls,
    build(l, ctx): HlsDraft {
      if (cls === 'SimpleRNN') {
        throw new UnsupportedError(ctx.where, "SimpleRNN is not supported: hls4ml 1.3 has no Vivado SimpleRNN template, so its writer silently leaves the layer's call out of the firmware (the next layer reads an unwritten array)");
      }
      const [T, nIn] = [l.inputShapes[0]![0]!, l.inputShapes[0]![1]!];
      const u = l.attrs.units!;
      const M = GATES[cls] * u;
      for (const [key, act] of [
        ['activation', l.attrs.activation ?? 'tanh'],
        ['recurrent_activation', (l.attrs.recurrentActivation as string | undefined) ?? 'sigmoid'],
      ] as const) {
        if (!(RECURRENT_ACTIVATIONS as readonly string[]).includes(act)) {
          throw new UnsupportedError(`${ctx.where}.${key}`, `'${act}' has no nnet::activation class in hls4ml's recurrent kernels (nnet_recr_activations.h has relu, sigmoid, tanh), so the generated C++ does not compile`);
        }
      }
      if (cls === 'GRU' && l.attrs.resetAfter === false) {
        throw new UnsupportedError(`${ctx.where}.reset_after`, "reset_after=False is not supported: hls4ml's GRU kernel computes the reset-after cell only, and its parser splits the one-row Keras bias into two scalars (the C arrays would be too short)");
      }
      const k = l.weights.kernel;
      const rk = l.weights.recurrent_kernel;
      if (!k || !rk) throw new ShapeError(`${ctx.where}.kernel`, 'missing kernel weights');
      let bias: Float64Array | Float32Array;
      let rbias: Float64Array | Float32Array = new Float64Array(M);
      const b = l.weights.bias;
      if (b && l.attrs.useBias !== false) {
        bias = cls === 'GRU' ? b.data.subarray(0, M) : b.data;
        if (cls === 'GRU') rbias = b.data.subarray(M, 2 * M);
      } else if (ctx.source === 'keras3') bias = new Float64Array(M);
      else {
        throw new UnsupportedError(`${ctx.where}.use_bias`, "use_bias=False is not supported: hls4ml's Keras 2 recurrent parser reads the bias unconditionally and fails without one (its Keras 3 converter uses zeros)");
      }
      const warnings: string[] = [];
      if (l.attrs.goBackwards) warnings.push(`${l.name}: go_backwards=True is ignored by hls4ml's parsers; the firmware runs the sequence forwards, unlike Keras (reproduced)`);
      if (l.attrs.stateful) warnings.push(`${l.name}: stateful=True is ignored by hls4ml; every inference starts from a zero state`);
      return {
        cls,
        attrs: {
          units: u,
          nIn,
          nSequence: T,
          activation: l.attrs.activation ?? 'tanh',
          recurrentActivation: l.attrs.recurrentActivation ?? 'sigmoid',
          returnSequences: l.attrs.returnSequences === true,
          conversionWarnings: warnings,
        },
        weights: {
          weight: { data: k.data, shape: [nIn, M] },
          recurrent_weight: { data: rk.data, shape: [u, M] },
          bias: { data: bias, shape: [M] },
          recurrent_bias: { data: rbias, shape: [M] },
        },
      };
    },
    float: (l, [x], ctx) => floatRnn(cls, l, x!, ctx.n, ctx.keras3),
    profileWeights(l) {
      const out = [
        { tensor: 'weight', values: Float64Array.from(l.weights.kernel?.data ?? []) },
        { tensor: 'recurrent_weight', values: Float64Array.from(l.weights.recurrent_kernel?.data ?? []) },
      ];
      if (l.weights.bias && l.attrs.useBias !== false) out.push({ tensor: 'bias', values: Float64Array.from(l.weights.bias.data) });
      return out;
    },
    accumRange: () => ({ of: 'products' }),
  };
}

// ---------------------------------------------------------------------------------------------
// hls4ml classes
// ---------------------------------------------------------------------------------------------

const RNN_TYPES = [
  { name: 'result' },
  { name: 'weight' },
  { name: 'bias' },
  { name: 'recurrent_weight' },
  { name: 'recurrent_bias' },
  { name: 'accum', backend: true },
  { name: 'table', default: 'ap_fixed<18,8>', backend: true },
] as const;

const RNN_SETTINGS = [
  { name: 'reuse_factor', default: 1, backend: true },
  { name: 'recurrent_reuse_factor', default: 1, backend: true },
  { name: 'static', default: true, backend: true },
  { name: 'table_size', default: 1024, backend: true },
] as const;

function conversionWarnings(n: HlsNode): string[] {
  const w = n.attrs.conversionWarnings;
  return Array.isArray(w) ? (w as string[]) : [];
}

function rnnHls(cls: 'LSTM' | 'GRU'): HlsClassSpec {
  const m = GATES[cls];
  return {
    types: RNN_TYPES,
    settings: RNN_SETTINGS,
    // _infer_rnn_precision gives the weight and bias types the Model default; result and accum then
    // get it as every type the rule leaves 'auto' (the default behaviour).
    lower(n, ctx): RecurrentLayer {
      for (const w of conversionWarnings(n)) ctx.warn(w);
      const input = ctx.inputTypes[0]!;
      const types = {
        input,
        result: typed(n, 'result'),
        accum: typed(n, 'accum'),
        weight: typed(n, 'weight'),
        recurrent_weight: typed(n, 'recurrent_weight'),
        bias: typed(n, 'bias'),
        recurrent_bias: typed(n, 'recurrent_bias'),
        table: typed(n, 'table'),
      };
      for (const v of ['weight', 'recurrent_weight'] as const) {
        // recurrent_templates.py picks each recurrent dense's product with product_type(input, weight)
        // (backends/fpga/fpga_backend.py); hlsemu's recurrent kernels compute the plain product only.
        const p = productKind(`${n.name}.${v}`, ctx.inputKinds?.[0] ?? 'fixed', kindOf(n, v), types[v]);
        if (p !== 'mult') {
          throw new UnsupportedError(`${n.name}.${v}_t`, `the input and ${v} precision classes select hls4ml's ${p} product for this recurrent dense, which hlsemu's recurrent kernels do not compute (plain product only); use another type`);
        }
      }
      const nIn = n.attrs.nIn as number;
      const u = n.attrs.units as number;
      const T = n.attrs.nSequence as number;
      const M = m * u;
      const strategy = strategyOf(n);
      const rfRequested = reuseFactorOf(n);
      if (String(n.settings.strategy ?? '').toLowerCase() === 'resource_unrolled') {
        // init_lstm / init_gru: with reuse factor 1 hls4ml falls back to Resource; otherwise it generates
        // unrolled dense code (DenseResourceUnrolled) that hlsemu does not model.
        if (rfRequested !== 1) throw new UnsupportedError(`${n.name}.Strategy`, `Resource_Unrolled with ReuseFactor ${rfRequested} is not supported (hls4ml generates unrolled dense code for it); use Resource`);
        ctx.change(`${n.name}: Unrolled resource strategy cannot be combined with reuse factor 1; using the Resource strategy`);
      }
      // init_lstm / init_gru: the recurrent reuse factor is the layer's (a configured one is overwritten).
      const rrfConfigured = n.settings.recurrent_reuse_factor;
      if (rrfConfigured !== undefined && Number(rrfConfigured) !== rfRequested) {
        ctx.warn(`${n.name}: RecurrentReuseFactor ${String(rrfConfigured)} is ignored: hls4ml sets the recurrent reuse factor to the layer's ReuseFactor (${rfRequested})`);
      }
      let rf = rfRequested;
      let rrf = rfRequested;
      let w = rawWeights(n, 'weight', types.weight);
      let wr = rawWeights(n, 'recurrent_weight', types.recurrent_weight);
      if (strategy === 'resource') {
        rf = validReuseFactor(nIn, M, rfRequested);
        rrf = validReuseFactor(u, M, rfRequested);
        if (rf !== rfRequested) ctx.change(`${n.name}: ReuseFactor ${rfRequested} is not valid for ${nIn}x${M}; using ${rf}`);
        if (rrf !== rfRequested) ctx.change(`${n.name}: recurrent ReuseFactor ${rfRequested} is not valid for ${u}x${M}; using ${rrf}`);
        w = permuted(w, transposeOrder(nIn, M));
        wr = permuted(wr, transposeOrder(u, M));
      }
      const b = rawWeights(n, 'bias', types.bias);
      const br = rawWeights(n, 'recurrent_bias', types.recurrent_bias);
      const useStatic = n.settings.static === undefined ? true : n.settings.static !== false && String(n.settings.static).toLowerCase() !== 'false';
      if (cls === 'LSTM' && (!sameType(types.input, types.result) || !sameType(types.result, types.accum))) {
        ctx.warn(
          `${n.name}: hls4ml's nnet::lstm_stack compiles only when the input, result and accum types are one type (its non-static cell, instantiated in every case, passes accum_t[] and res_T[] where res_T[] and data_T[] are expected); hlsemu computes the cell with the types as given`,
        );
      }
      const returnSequences = n.attrs.returnSequences === true;
      const config: RecurrentFirmwareConfig = {
        n_in: nIn,
        n_state: u,
        n_sequence: T,
        n_sequence_out: returnSequences ? T : 1,
        return_sequences: returnSequences,
        use_static: useStatic,
        activation: n.attrs.activation as RecurrentFirmwareConfig['activation'],
        recurrent_activation: n.attrs.recurrentActivation as RecurrentFirmwareConfig['activation'],
        table_size: Number(n.settings.table_size ?? 1024),
        strategy,
        reuse_factor: rf,
        recurrent_reuse_factor: rrf,
      };
      if (rf !== rfRequested) config.reuse_factor_requested = rfRequested;
      const L = {
        ...lowered(n, ctx, cls, config),
        types,
        weights: { weight: w.raw, recurrent_weight: wr.raw, bias: b.raw, recurrent_bias: br.raw },
        text: { weight: w.text, recurrent_weight: wr.text, bias: b.text, recurrent_bias: br.text },
      } as RecurrentLayer;
      try {
        prepare(L);
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigError(`${n.name}.ReuseFactor`, `${e.message} (hls4ml picks the recurrent dense class from the layer ReuseFactor ${rf}, validated for ${nIn}x${M}, and runs it with the recurrent ReuseFactor ${rrf}, validated for ${u}x${M})`);
        throw e;
      }
      return L;
    },
  };
}

/** SimpleRNN's attributes, for config_from_keras_model; the conversion refuses the layer when it is built. */
const simpleRnnHls: HlsClassSpec = {
  types: [{ name: 'result' }, { name: 'weight' }, { name: 'bias' }, { name: 'recurrent_weight' }, { name: 'accum', backend: true }, { name: 'table', default: 'ap_fixed<18,8>', backend: true }],
  settings: [{ name: 'direction', default: 'forward' }, ...RNN_SETTINGS],
  lower(n) {
    throw new UnsupportedError(n.name, 'SimpleRNN has no hls4ml Vivado kernel');
  },
};

// ---------------------------------------------------------------------------------------------
// Firmware classes
// ---------------------------------------------------------------------------------------------

function kernelConfig(L: RecurrentLayer): RecurrentConfig {
  const c = L.config;
  return {
    name: L.name,
    n_in: c.n_in,
    n_state: c.n_state,
    n_sequence: c.n_sequence,
    n_sequence_out: c.n_sequence_out,
    return_sequences: c.return_sequences,
    use_static: c.use_static,
    activation: c.activation,
    recurrent_activation: c.recurrent_activation,
    table_size: c.table_size,
    io_type: c.io_type,
    strategy: c.strategy,
    reuse_factor: c.reuse_factor,
    recurrent_reuse_factor: c.recurrent_reuse_factor,
    types: L.types,
  };
}

function prepare(L: RecurrentLayer): RecurrentKernel {
  const k = L.cls === 'LSTM' ? prepareLstm : prepareGru;
  return k(kernelConfig(L), L.weights.weight, L.weights.recurrent_weight, L.weights.bias, L.weights.recurrent_bias);
}

const CONFIG_KEYS = [
  'n_in', 'n_state', 'n_out', 'n_sequence', 'n_sequence_out', 'return_sequences', 'use_static', 'activation', 'recurrent_activation',
  'table_size', 'strategy', 'recurrent_reuse_factor', 'reuse_factor_requested', 'pytorch_order', 'mult_config1', 'mult_config2', 'recr_act_n_in', 'act_n_in',
];

function checkRecurrent<L extends RecurrentLayer>(cls: L['cls']): FirmwareClassSpec<L>['check'] {
  const m = GATES[cls];
  return (L, path) => {
    const c = new LayerCheck(L, path, CONFIG_KEYS);
    const [T, nIn] = c.rank(2) as [number, number];
    const n = c.int('n_state', 1);
    c.equal('n_out', n);
    const seqOut = c.int('n_sequence_out', 1, L.shapeOut.length === 2 ? T : 1);
    const rs = c.bool('return_sequences', seqOut > 1);
    if (seqOut !== (rs ? T : 1)) throw new ShapeError(`${path}.config.n_sequence_out`, `is ${seqOut} but return_sequences is ${String(rs)} over ${T} steps`);
    c.out(rs ? [T, n] : [n]);
    if (c.cfg.pytorch_order === true) throw new UnsupportedError(`${path}.config.pytorch_order`, 'only the Keras gate order is supported');
    const rf = c.int('reuse_factor', 1, 1);
    const config: RecurrentFirmwareConfig = {
      n_in: c.equal('n_in', nIn),
      n_state: n,
      n_sequence: c.equal('n_sequence', T),
      n_sequence_out: seqOut,
      return_sequences: rs,
      use_static: c.bool('use_static', true),
      activation: c.choice('activation', RECURRENT_ACTIVATIONS),
      recurrent_activation: c.choice('recurrent_activation', RECURRENT_ACTIVATIONS),
      table_size: c.int('table_size', 1, 1024),
      strategy: c.choice('strategy', ['latency', 'resource'] as const, 'latency'),
      reuse_factor: rf,
      recurrent_reuse_factor: c.int('recurrent_reuse_factor', 1, rf),
    };
    const rq = c.int('reuse_factor_requested', 1, rf);
    if (rq !== rf) config.reuse_factor_requested = rq;
    const layer = {
      ...L,
      cls,
      config: { ...config, io_type: c.io },
      types: {
        input: c.type('input'),
        result: c.type('result'),
        accum: c.type('accum'),
        weight: c.type('weight'),
        recurrent_weight: c.type('recurrent_weight'),
        bias: c.type('bias'),
        recurrent_bias: c.type('recurrent_bias'),
        table: c.optType('table') ?? c.type('table'),
      },
      weights: { weight: c.weight('weight', nIn * m * n), recurrent_weight: c.weight('recurrent_weight', n * m * n), bias: c.weight('bias', m * n), recurrent_bias: c.weight('recurrent_bias', m * n) },
    } as unknown as L;
    prepare(layer); // dense classes and reuse factors, activations, types, as the kernel sees them
    return layer;
  };
}

const ACT_KIND: Record<string, string> = { relu: 'hlsemu::recr_act_relu', sigmoid: 'hlsemu::recr_act_sigmoid', tanh: 'hlsemu::recr_act_tanh' };

function emitRecurrent(L: RecurrentLayer, { ctx, cname: c, ins }: EmitArgs): LayerCode {
  const inT = ins[0]!;
  warnInputType(ctx, L, 'input', inT);
  const k = prepare(L);
  const cfg = L.config;
  const m = GATES[L.cls];
  const n = cfg.n_state;
  const t = L.types;
  const fns = recurrentDenseFunctions(L.cls === 'LSTM' ? 'lstm' : 'gru', cfg);
  const m1 = denseStruct(`config_${c}_mult1`, `${L.name}: input dense (${cfg.n_in} -> ${m * n}), ${cfg.strategy}, ${fns.mult_config1}`, c, cfg.n_in, m * n, cfg.strategy, cfg.reuse_factor, countZeros(L.weights.weight));
  const m2 = new Struct(`config_${c}_mult2`, `${L.name}: recurrent dense (${n} -> ${m * n}), ${cfg.strategy}, ${fns.mult_config2}`)
    .u('n_in', n)
    .u('n_out', m * n)
    .u('strategy', cfg.strategy === 'resource' ? 'hlsemu::strategy_resource' : 'hlsemu::strategy_latency')
    .u('reuse_factor', cfg.recurrent_reuse_factor)
    .u('n_zeros', countZeros(L.weights.recurrent_weight))
    .t('accum_t', `${c}_accum_t`)
    .t('weight_t', `${c}_recurrent_weight_t`)
    .t('bias_t', `${c}_recurrent_bias_t`);
  const s = new Struct(`config_${c}`, `${L.name}: ${L.cls} ${cfg.n_sequence}x${cfg.n_in} -> ${cfg.n_sequence_out}x${n}, ${cfg.activation}/${cfg.recurrent_activation}`)
    .u('n_in', cfg.n_in)
    .u('n_state', n)
    .u('n_sequence', cfg.n_sequence)
    .u('n_sequence_out', cfg.n_sequence_out)
    .u('activation', ACT_KIND[cfg.activation]!)
    .u('recurrent_activation', ACT_KIND[cfg.recurrent_activation]!)
    .u('table_size', cfg.table_size)
    .u('recr_table_size', cfg.table_size)
    .t('accum_t', `${c}_accum_t`)
    .t('table_t', `${c}_table_t`)
    .t('recr_table_t', `${c}_table_t`)
    .t('mult_config1', `config_${c}_mult1`)
    .t('mult_config2', `config_${c}_mult2`);
  // relu has no table: a one-entry placeholder keeps the call's signature.
  const table = (v: RawOutput | undefined): Float64Array => (v ? Float64Array.from(v as ArrayLike<number | bigint>, Number) : new Float64Array(1));
  const typedefs: Array<[string, FixedType]> = [
    [`${c}_accum_t`, t.accum],
    [`${c}_weight_t`, t.weight],
    [`${c}_recurrent_weight_t`, t.recurrent_weight],
    [`${c}_bias_t`, t.bias],
    [`${c}_recurrent_bias_t`, t.recurrent_bias],
    [`${c}_table_t`, t.table],
  ];
  const resource = cfg.strategy === 'resource';
  return {
    layer: L,
    cname: c,
    typedefs,
    structs: [m1.text(), m2.text(), s.text()],
    arrays: [
      { name: `${c}_w`, elemType: `${c}_weight_t`, type: t.weight, values: L.weights.weight, description: resource ? `${L.name} kernel, transposed: w[j * ${cfg.n_in} + i]` : `${L.name} kernel (Keras order), w[i * ${m * n} + j]` },
      { name: `${c}_wr`, elemType: `${c}_recurrent_weight_t`, type: t.recurrent_weight, values: L.weights.recurrent_weight, description: resource ? `${L.name} recurrent kernel, transposed: w[j * ${n} + i]` : `${L.name} recurrent kernel (Keras order), w[i * ${m * n} + j]` },
      { name: `${c}_b`, elemType: `${c}_bias_t`, type: t.bias, values: L.weights.bias, description: `${L.name} bias` },
      { name: `${c}_br`, elemType: `${c}_recurrent_bias_t`, type: t.recurrent_bias, values: L.weights.recurrent_bias, description: `${L.name} recurrent bias` },
      { name: `${c}_act_table`, elemType: `${c}_table_t`, type: t.table, values: table(k.tables.activation_table), description: `${L.name} ${cfg.activation} table` },
      { name: `${c}_recr_table`, elemType: `${c}_table_t`, type: t.table, values: table(k.tables.recurrent_activation_table), description: `${L.name} ${cfg.recurrent_activation} table (recurrent activation)` },
    ],
    headers: [RECURRENT_HEADER],
    call: (is, iv, out, ov) => [
      `hlsemu::${L.cls === 'LSTM' ? 'lstm' : 'gru'}<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}, ${c}_w, ${c}_wr, ${c}_b, ${c}_br, ${c}_act_table, ${c}_recr_table);`,
    ],
    summary: `${L.cls} ${cfg.n_sequence}x${cfg.n_in} -> ${cfg.n_sequence_out}x${n} (${cfg.strategy}, RF ${cfg.reuse_factor})`,
  };
}

function recurrentFirmware<L extends RecurrentLayer>(cls: L['cls']): FirmwareClassSpec<L> {
  return {
    check: checkRecurrent<L>(cls),
    reference(L) {
      const k = prepare(L);
      return (xs, s) => k.run(xs[0]!, s ? { stats: s } : {});
    },
    emit: (L, a) => emitRecurrent(L, a),
    macs: (L) => L.config.n_sequence * (L.weights.weight.length + L.weights.recurrent_weight.length),
  };
}

/** The LSTM / GRU kind (SimpleRNN read and refused). */
export const recurrentModule = {
  kind: 'LSTM / GRU',
  model: { LSTM: rnnModel('LSTM'), GRU: rnnModel('GRU'), SimpleRNN: rnnModel('SimpleRNN') },
  hls: { LSTM: rnnHls('LSTM'), GRU: rnnHls('GRU'), SimpleRNN: simpleRnnHls },
  firmware: { LSTM: recurrentFirmware<LstmLayer>('LSTM'), GRU: recurrentFirmware<GruLayer>('GRU') },
  kernels: { lstm: SEQ_KERNEL_CHECKERS.lstm!, gru: SEQ_KERNEL_CHECKERS.gru! },
} satisfies LayerModule;
