/**
 * Softmax (Keras `Softmax` and `activation='softmax'`; hls4ml `Softmax`; `nnet::softmax` with the
 * latency, stable, legacy and argmax implementations; `nnet::softmax_multidim` for a Keras 3 Softmax
 * over an axis of a multi-dimensional input in io_parallel). Keras 2, Keras 3 `activation='softmax'`
 * and ONNX softmaxes have n_outer = n_inner = 1: io_parallel normalises the whole tensor, io_stream
 * each stream word (the last axis).
 *
 * hls4ml sources: converters/keras/core.py (Activation softmax → class Softmax), model/layers.py
 * (Softmax), backends/fpga/fpga_backend.py (implementation, skip, exp_table_t, inv_table_t, inv_inp_t,
 * accum_t), backends/fpga/passes/fix_softmax_table_size.py (table size capped at
 * 2^min(input width, inv_table width)), backends/fpga/passes/remove_softmax.py (Skip),
 * backends/vivado/passes/core_templates.py (softmax_config: stable caps exp_table_size at 2^(W−1) of
 * a signed input; inp_norm_t; softmax_multidim only in io_parallel with n_outer or n_inner > 1),
 * converters/keras_v3/core.py (SoftmaxHandler: n_outer, n_inner, axis kept as given),
 * converters/keras/core.py (axis = config.axis), nnet_utils/nnet_activation*.h (io_stream asserts axis == -1).
 */
import { FormatError, UnsupportedError, describeValue } from '../errors.js';
import { parseFixedType, type FixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import { normaliseAxis } from '../import/keras-config.js';
import { prepareFastSoftmax } from '../kernels/fast/softmax.js';
import { softmax, softmaxExpIndices, type SoftmaxConfig } from '../kernels/softmax.js';
import { noteLutInput } from '../kernels/common.js';
import { softmaxInpNormType, softmaxTables } from '../kernels/tables.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { SOFTMAX_HEADER } from '../emit/cpp/softmax.js';
import { ACTIVATION_EXT_HEADER } from '../emit/cpp/activation-ext.js';
import { checkInputLengths, checkLayout, checkTable, int, need, obj, runAll, types as caseTypes, x1, type Case } from '../conformance/kernel-case.js';
import { LayerCheck, lowered, reuseFactorOf, typed } from './common.js';
import { floatSoftmax } from './activation.js';
import type { FirmwareClassSpec, HlsClassSpec, LayerModule, ModelClassSpec } from './spec.js';

/** hls4ml's softmax implementations. */
export const SOFTMAX_IMPLEMENTATIONS = ['latency', 'stable', 'legacy', 'argmax'] as const;
/** One of {@link SOFTMAX_IMPLEMENTATIONS}. */
export type SoftmaxImpl = (typeof SOFTMAX_IMPLEMENTATIONS)[number];

/** `softmax_config` fields. */
export interface SoftmaxFirmwareConfig {
  n_in: number;
  /** Elements per softmax: n_in / n_outer / n_inner (io_stream: the kernel uses the stream word instead). */
  n_slice: number;
  /** io_parallel `softmax_multidim` (Keras 3 Softmax over an axis of a multi-dimensional input): n_in = n_outer·n_slice·n_inner (absent = 1). */
  n_outer?: number;
  n_inner?: number;
  implementation: SoftmaxImpl;
  exp_table_size: number;
  inv_table_size: number;
  /** The size hls4ml's `table_size` attribute has (the io_stream legacy kernel reads it). */
  table_size: number;
  exp_scale: number;
  /** The axis as hls4ml stores it (io_stream asserts −1). */
  axis: number;
  reuse_factor: number;
}

/** A firmware softmax layer. */
export interface SoftmaxLayer extends FirmwareLayerBase<'Softmax', SoftmaxFirmwareConfig, 'accum' | 'exp_table' | 'inv_table' | 'inv_inp' | 'table' | 'inp_norm', never> {}

const TABLE = 'fixed<18,8>';
const TABLE_RS = 'fixed<18,8,RND,SAT>';

/** The Keras axis (batch = 0, or negative) of a Softmax config: an int or a one-element list; −1 when absent. */
function kerasAxis(v: unknown, path: string): number {
  let axis = v;
  if (Array.isArray(axis) && axis.length === 1) axis = axis[0];
  if (axis === undefined || axis === null) return -1;
  if (typeof axis !== 'number' || !Number.isInteger(axis)) throw new UnsupportedError(path, `axis ${JSON.stringify(v)} is not supported (one integer axis)`);
  return axis;
}

const model: ModelClassSpec = {
  keras: {
    arity: 'one',
    attrs: (r) => ({ axis: kerasAxis(r.config['axis'], r.field('axis')) }),
    outputShape([x = []], a, r) {
      // axis: a negative index (in range, not the batch); kerasAxis: as written, when spelled otherwise
      // (hls4ml stores the written axis, and its io_stream softmax asserts it is −1)
      const raw = a.axis ?? -1;
      a.axis = normaliseAxis(raw, x.length, r.field('axis'));
      if (raw !== a.axis) a.kerasAxis = raw;
      return [...x];
    },
  },
  hlsClass: () => 'Softmax',
  typeKey: () => 'Softmax',
  build(l, ctx) {
    const inS = l.inputShapes[0]!;
    const axis = (l.attrs.kerasAxis as number | undefined) ?? l.attrs.axis ?? -1;
    if (ctx.source !== 'keras3') return { cls: 'Softmax', attrs: { activation: 'softmax', axis } };
    // Keras 3 SoftmaxHandler: n_outer / n_inner around the (normalised) axis; the axis itself is stored as given.
    const ax = inS.length + normaliseAxis(axis, inS.length, `${ctx.where}.config.axis`); // 0-based without batch
    const prod = (a: number[]) => a.reduce((p, d) => p * d, 1);
    return { cls: 'Softmax', attrs: { activation: 'softmax', axis, n_outer: prod(inS.slice(0, ax)), n_inner: prod(inS.slice(ax + 1)) } };
  },
  float(l, [x], ctx) {
    const inS = l.inputShapes[0]!;
    const ax = inS.length + normaliseAxis(l.attrs.axis ?? -1, inS.length, `${ctx.where}.axis`);
    return floatSoftmax(x!, inS[ax]!, inS.slice(ax + 1).reduce((p, d) => p * d, 1));
  },
};

const hls: HlsClassSpec = {
  types: [
    { name: 'result' },
    { name: 'table', default: TABLE, backend: true },
    { name: 'exp_table', default: TABLE_RS, backend: true },
    { name: 'inv_table', default: TABLE_RS, backend: true },
    { name: 'inv_inp', default: TABLE_RS, backend: true },
    { name: 'accum', default: TABLE_RS, backend: true },
  ],
  settings: [
    { name: 'reuse_factor', default: 1, backend: true },
    { name: 'table_size', default: 1024, backend: true },
    { name: 'implementation', default: 'stable', backend: true },
    { name: 'skip', default: false, backend: true },
  ],
  linearMergeParent: true,
  lower(n, ctx): SoftmaxLayer {
    const input = ctx.inputTypes[0]!;
    const types = { input, result: typed(n, 'result'), accum: typed(n, 'accum'), exp_table: typed(n, 'exp_table'), inv_table: typed(n, 'inv_table'), inv_inp: typed(n, 'inv_inp'), table: typed(n, 'table') } as SoftmaxLayer['types'];
    let tableSize = Number(n.settings.table_size ?? 1024);
    const limit = 2 ** Math.min(input.W, types.inv_table.W);
    if (limit < tableSize) {
      ctx.change(`${n.name}: table_size ${tableSize} reduced to ${limit} (input/inv_table width)`);
      tableSize = limit;
    }
    const shape = n.shapeIn[0]!;
    const nIn = shape.reduce((p, d) => p * d, 1);
    const nOuter = Number(n.attrs.n_outer ?? 1);
    const nInner = Number(n.attrs.n_inner ?? 1);
    const axis = Number(n.attrs.axis ?? -1);
    const last = shape[shape.length - 1]!;
    if (ctx.io === 'io_stream') {
      // nnet_activation_stream.h: assert(CONFIG_T::axis == -1), then one softmax per stream word (the last axis).
      if (axis !== -1) throw new UnsupportedError(`${n.name}.axis`, `hls4ml's io_stream softmax asserts axis == -1, and this layer stores axis ${axis}`);
      if (nOuter * nInner === 1 && nIn !== last) ctx.warn(`${n.name}: io_stream softmax normalises each stream word (the last axis, ${last} values), io_parallel the whole tensor`);
    } else if (nOuter * nInner === 1 && nIn !== last) {
      ctx.warn(`${n.name}: hls4ml's io_parallel softmax (n_outer = n_inner = 1) normalises over all ${nIn} values of the ${JSON.stringify(shape)} input, not per axis as Keras (emulated as hls4ml does)`);
    }
    const implementation = String(n.settings.implementation ?? 'stable').toLowerCase() as SoftmaxImpl;
    // The stable softmax indexes its exp table with the unsigned max-difference (W−1 bits of a signed input).
    const expTableSize = implementation === 'stable' && input.signed ? Math.min(tableSize, 2 ** (input.W - 1)) : tableSize;
    return {
      ...lowered(n, ctx, 'Softmax', {
        n_in: nIn, n_slice: nIn / nOuter / nInner, ...(nOuter * nInner > 1 ? { n_outer: nOuter, n_inner: nInner } : {}), implementation, exp_table_size: expTableSize, inv_table_size: tableSize, table_size: tableSize, exp_scale: 1.0, axis, reuse_factor: reuseFactorOf(n),
      }),
      types,
      weights: {},
    };
  },
};

/** The kernel config: io_stream normalises each stream word (the last axis of a rank ≥ 2 tensor), whatever n_slice says. */
function kernelCfg(L: SoftmaxLayer): SoftmaxConfig {
  const t: SoftmaxConfig['types'] = { ...L.types };
  if (L.config.implementation !== 'stable') delete t.inp_norm;
  if (L.config.io_type === 'io_stream') {
    const word = L.shapeIn.length >= 2 ? L.shapeIn[L.shapeIn.length - 1]! : L.config.n_in;
    return { ...L.config, n_slice: word, n_outer: undefined, n_inner: undefined, name: L.name, types: t } as SoftmaxConfig;
  }
  return { ...L.config, name: L.name, types: t };
}

const firmware: FirmwareClassSpec<SoftmaxLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, ['n_in', 'n_slice', 'n_outer', 'n_inner', 'implementation', 'exp_table_size', 'inv_table_size', 'table_size', 'exp_scale', 'axis', 'activation', 'parallelization_factor', 'skip']);
    c.out(L.shapeIn);
    const n = c.size(L.shapeIn);
    const axis = c.int('axis', Number.MIN_SAFE_INTEGER, -1);
    if (c.io === 'io_stream' && axis !== -1) throw new UnsupportedError(`${path}.config.axis`, `hls4ml's io_stream softmax asserts axis == -1, got ${axis}`);
    const nOuter = c.int('n_outer', 1, 1);
    const nInner = c.int('n_inner', 1, 1);
    if (c.io === 'io_stream' && nInner !== 1) throw new UnsupportedError(`${path}.config.n_inner`, 'io_stream softmax works on the last axis (hls4ml has no stream softmax_multidim)');
    if (n % (nOuter * nInner) !== 0) throw new FormatError(`${path}.config.n_outer`, `n_outer·n_inner = ${nOuter * nInner} does not divide n_in = ${n}`);
    const impl = c.choice('implementation', SOFTMAX_IMPLEMENTATIONS, 'stable');
    const tableSize = c.int('table_size', 1, 1024);
    const config: SoftmaxFirmwareConfig = {
      n_in: c.equal('n_in', n),
      n_slice: c.equal('n_slice', n / nOuter / nInner),
      ...(nOuter * nInner > 1 ? { n_outer: nOuter, n_inner: nInner } : {}),
      implementation: impl,
      exp_table_size: c.int('exp_table_size', 1, tableSize),
      inv_table_size: c.int('inv_table_size', 1, tableSize),
      table_size: tableSize,
      exp_scale: c.num('exp_scale', 1),
      axis,
      reuse_factor: c.int('reuse_factor', 1, 1),
    };
    const input = c.type('input');
    const rs = parseFixedType(TABLE_RS);
    const expT = c.optType('exp_table') ?? rs;
    const types = {
      input,
      result: c.type('result'),
      table: c.optType('table') ?? parseFixedType(TABLE),
      exp_table: expT,
      inv_table: c.optType('inv_table') ?? rs,
      inv_inp: c.optType('inv_inp') ?? expT,
      accum: c.optType('accum') ?? rs,
      inp_norm: c.optType('inp_norm') ?? softmaxInpNormType(input),
    };
    if (impl === 'latency' || impl === 'stable') for (const v of ['exp_table', 'inv_table', 'accum'] as const) c.type(v);
    return { ...L, cls: 'Softmax', config: { ...config, io_type: c.io }, types, weights: {} };
  },
  reference(L) {
    const cfg = kernelCfg(L);
    return (xs, s) => softmax(cfg, xs[0]!, s ? { stats: s } : {});
  },
  fast: (L, fo) => prepareFastSoftmax(kernelCfg(L), fo),
  luts(L) {
    const impl = L.config.implementation;
    if (impl !== 'latency' && impl !== 'stable') return [];
    const cfg = kernelCfg(L);
    const idx = L.types.inp_norm && impl === 'stable' ? L.types.inp_norm : L.types.input;
    return [
      {
        table: 'exp_table',
        size: L.config.exp_table_size,
        step: 2 ** (idx.I - Math.ceil(Math.log2(L.config.exp_table_size))),
        maxStep: 1,
        observe([x], use) {
          const r = softmaxExpIndices(cfg, x!);
          for (let i = 0; i < r.indices.length; i++) {
            use.hits[r.indices[i]!] = 1;
            noteLutInput(use, r.values[i]!);
          }
        },
      },
    ];
  },
  emit(L, { ctx, cname: c, ins }) {
    const inT = ins[0]!;
    const impl = L.config.implementation;
    warnInputType(ctx, L, 'input', inT);
    const n = inT.size;
    const nOuter = L.config.n_outer ?? 1;
    const nInner = L.config.n_inner ?? 1;
    const multidim = ctx.io === 'io_parallel' && nOuter * nInner > 1;
    const nSlice = ctx.io === 'io_stream' ? inT.wordSize : L.config.n_slice;
    const rf = L.config.reuse_factor;
    const s = new Struct(`config_${c}`, `${L.name}: softmax (${impl}) over slices of ${nSlice}, ${n} values`).u('n_in', n).u('n_slice', nSlice).u('reuse_factor', rf);
    if (multidim) s.u('n_outer', nOuter).u('n_inner', nInner);
    if (impl === 'argmax' && !multidim) {
      return {
        layer: L,
        cname: c,
        typedefs: [],
        structs: [s.text()],
        arrays: [],
        headers: [SOFTMAX_HEADER],
        call: (is, iv, out, ov) => [`hlsemu::argmax<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov});`],
        summary: 'Softmax (argmax)',
      };
    }
    const typedefs: Array<[string, FixedType]> = [];
    let expSize: number;
    let invSize: number;
    let tables: ReturnType<typeof softmaxTables>;
    let expT: FixedType;
    let invT: FixedType;
    if (impl === 'argmax') {
      // softmax_multidim with argmax slices: no tables (one-entry placeholders keep the signature)
      expSize = 1;
      invSize = 1;
      expT = L.types.exp_table;
      invT = L.types.inv_table;
      tables = { exp_table: [0], inv_table: [0] } as unknown as ReturnType<typeof softmaxTables>;
      typedefs.push([`${c}_exp_table_t`, expT], [`${c}_inv_table_t`, invT]);
      s.u('implementation', 'hlsemu::softmax_argmax').u('exp_table_size', 1).u('inv_table_size', 1)
        .t('exp_table_t', `${c}_exp_table_t`).t('inv_table_t', `${c}_inv_table_t`).t('accum_t', `${c}_exp_table_t`).t('inv_inp_t', `${c}_exp_table_t`).t('inp_norm_t', `${c}_exp_table_t`);
    } else if (impl === 'legacy') {
      const tt = L.types.table;
      if (ctx.io === 'io_stream') {
        expSize = L.config.table_size;
        invSize = expSize;
      } else {
        expSize = L.config.exp_table_size;
        invSize = L.config.inv_table_size;
      }
      tables = softmaxTables({ name: L.name, implementation: 'legacy', exp_table_size: expSize, inv_table_size: invSize, types: { input: inT.type, table: tt } });
      expT = tt;
      invT = tt;
      typedefs.push([`${c}_table_t`, tt]);
      s.u('implementation', 'hlsemu::softmax_legacy').u('exp_table_size', expSize).u('inv_table_size', invSize)
        .t('exp_table_t', `${c}_table_t`).t('inv_table_t', `${c}_table_t`).t('accum_t', `${c}_table_t`).t('inv_inp_t', `${c}_table_t`).t('inp_norm_t', `${c}_table_t`);
    } else {
      expT = L.types.exp_table;
      invT = L.types.inv_table;
      const acc = L.types.accum;
      const invInp = L.types.inv_inp;
      const norm = L.types.inp_norm;
      expSize = L.config.exp_table_size;
      invSize = L.config.inv_table_size;
      tables = softmaxTables({
        name: L.name,
        implementation: impl,
        exp_table_size: expSize,
        inv_table_size: invSize,
        exp_scale: L.config.exp_scale,
        types: { input: inT.type, exp_table: expT, inv_table: invT, inv_inp: invInp, inp_norm: norm },
      });
      typedefs.push([`${c}_exp_table_t`, expT], [`${c}_inv_table_t`, invT], [`${c}_accum_t`, acc], [`${c}_inv_inp_t`, invInp], [`${c}_inp_norm_t`, norm]);
      s.u('implementation', impl === 'stable' ? 'hlsemu::softmax_stable' : 'hlsemu::softmax_latency').u('exp_table_size', expSize).u('inv_table_size', invSize)
        .t('exp_table_t', `${c}_exp_table_t`).t('inv_table_t', `${c}_inv_table_t`).t('accum_t', `${c}_accum_t`).t('inv_inp_t', `${c}_inv_inp_t`).t('inp_norm_t', `${c}_inp_norm_t`);
    }
    const expName = impl === 'legacy' ? `${c}_table_t` : `${c}_exp_table_t`;
    const invName = impl === 'legacy' ? `${c}_table_t` : `${c}_inv_table_t`;
    return {
      layer: L,
      cname: c,
      typedefs,
      structs: [s.text()],
      arrays: [
        { name: `${c}_exp_table`, elemType: expName, type: expT, values: tables.exp_table, description: `${L.name} exponential table (${impl})` },
        { name: `${c}_inv_table`, elemType: invName, type: invT, values: tables.inv_table, description: `${L.name} inverse table (${impl})` },
      ],
      headers: [multidim ? ACTIVATION_EXT_HEADER : SOFTMAX_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::${multidim ? 'softmax_multidim' : 'softmax'}<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}, ${c}_exp_table, ${c}_inv_table);`],
      summary: `Softmax (${impl}${multidim ? `, ${nOuter}×${L.config.n_slice}×${nInner}` : ''})`,
    };
  },
};

function checkSoftmaxCase(c: Case): string | null {
  const cfg = obj(c, 'config');
  const t = caseTypes(c);
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

/** The softmax layer kind. */
export const softmaxModule = {
  kind: 'Softmax',
  model: { Softmax: model },
  hls: { Softmax: hls },
  firmware: { Softmax: firmware },
  kernels: { softmax: checkSoftmaxCase },
} satisfies LayerModule;
