/**
 * Softmax (Keras `Softmax` and `activation='softmax'`; hls4ml `Softmax`; `nnet::softmax` with the
 * latency, stable, legacy and argmax implementations) over the last axis.
 *
 * hls4ml sources: converters/keras/core.py (Activation softmax → class Softmax), model/layers.py
 * (Softmax), backends/fpga/fpga_backend.py (implementation, skip, exp_table_t, inv_table_t, inv_inp_t,
 * accum_t), backends/fpga/passes/fix_softmax_table_size.py (table size capped at
 * 2^min(input width, inv_table width)), backends/fpga/passes/remove_softmax.py (Skip),
 * backends/vivado/passes/core_templates.py (softmax_config: stable caps exp_table_size at 2^(W−1) of
 * a signed input; inp_norm_t), nnet_utils/nnet_activation*.h.
 */
import { UnsupportedError, describeValue } from '../errors.js';
import { parseFixedType, type FixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import { normaliseAxis } from '../import/keras-config.js';
import { prepareFastSoftmax } from '../kernels/fast/softmax.js';
import { softmax, softmaxExpIndices, type SoftmaxConfig } from '../kernels/softmax.js';
import { noteLutInput } from '../kernels/common.js';
import { softmaxInpNormType, softmaxTables } from '../kernels/tables.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { SOFTMAX_HEADER } from '../emit/cpp/softmax.js';
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
  n_slice: number;
  implementation: SoftmaxImpl;
  exp_table_size: number;
  inv_table_size: number;
  /** The size hls4ml's `table_size` attribute has (the io_stream legacy kernel reads it). */
  table_size: number;
  exp_scale: number;
  axis: -1;
  reuse_factor: number;
}

/** A firmware softmax layer. */
export interface SoftmaxLayer extends FirmwareLayerBase<'Softmax', SoftmaxFirmwareConfig, 'accum' | 'exp_table' | 'inv_table' | 'inv_inp' | 'table' | 'inp_norm', never> {}

const TABLE = 'fixed<18,8>';
const TABLE_RS = 'fixed<18,8,RND,SAT>';

const model: ModelClassSpec = {
  keras: {
    arity: 'one',
    attrs: () => ({ axis: -1 }),
    outputShape([x = []], _a, r) {
      let axis = r.config['axis'];
      if (Array.isArray(axis) && axis.length === 1) axis = axis[0];
      if (axis !== undefined && axis !== null) {
        if (typeof axis !== 'number') throw new UnsupportedError(r.field('axis'), `axis ${describeValue(axis)} is not supported`);
        if (normaliseAxis(axis, x.length, r.field('axis')) !== -1) {
          throw new UnsupportedError(r.field('axis'), `Softmax over axis ${axis} is not supported (last axis only)`);
        }
      }
      return [...x];
    },
  },
  hlsClass: () => 'Softmax',
  typeKey: () => 'Softmax',
  build: (l) => ({ cls: 'Softmax', attrs: { activation: 'softmax', axis: l.attrs.axis ?? -1 } }),
  float(l, [x], ctx) {
    const inS = l.inputShapes[0]!;
    const ax = l.attrs.axis ?? -1;
    if (ax !== -1 && ax !== inS.length) throw new UnsupportedError(`${ctx.where}.axis`, `softmax over axis ${ax} is not supported (last axis only)`);
    return floatSoftmax(x!, inS[inS.length - 1]!);
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
    const nIn = n.shapeIn[0]!.reduce((p, d) => p * d, 1);
    const implementation = String(n.settings.implementation ?? 'stable').toLowerCase() as SoftmaxImpl;
    // The stable softmax indexes its exp table with the unsigned max-difference (W−1 bits of a signed input).
    const expTableSize = implementation === 'stable' && input.signed ? Math.min(tableSize, 2 ** (input.W - 1)) : tableSize;
    return {
      ...lowered(n, ctx, 'Softmax', {
        n_in: nIn, n_slice: nIn, implementation, exp_table_size: expTableSize, inv_table_size: tableSize, table_size: tableSize, exp_scale: 1.0, axis: -1 as const, reuse_factor: reuseFactorOf(n),
      }),
      types,
      weights: {},
    };
  },
};

function kernelCfg(L: SoftmaxLayer): SoftmaxConfig {
  const t: SoftmaxConfig['types'] = { ...L.types };
  if (L.config.implementation !== 'stable') delete t.inp_norm;
  return { ...L.config, name: L.name, types: t };
}

const firmware: FirmwareClassSpec<SoftmaxLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, ['n_in', 'n_slice', 'n_outer', 'n_inner', 'implementation', 'exp_table_size', 'inv_table_size', 'table_size', 'exp_scale', 'axis', 'activation', 'parallelization_factor', 'skip']);
    c.out(L.shapeIn);
    const n = c.size(L.shapeIn);
    const last = L.shapeIn[L.shapeIn.length - 1]!;
    const axis = c.int('axis', -1, -1);
    if (axis !== -1 && axis !== L.shapeIn.length) throw new UnsupportedError(`${path}.config.axis`, `softmax over axis ${axis} is not supported (last axis only)`);
    const impl = c.choice('implementation', SOFTMAX_IMPLEMENTATIONS, 'stable');
    const tableSize = c.int('table_size', 1, 1024);
    const config: SoftmaxFirmwareConfig = {
      n_in: c.equal('n_in', n),
      n_slice: c.equal('n_slice', last),
      implementation: impl,
      exp_table_size: c.int('exp_table_size', 1, tableSize),
      inv_table_size: c.int('inv_table_size', 1, tableSize),
      table_size: tableSize,
      exp_scale: c.num('exp_scale', 1),
      axis: -1,
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
    const nSlice = L.config.n_slice;
    const rf = L.config.reuse_factor;
    const s = new Struct(`config_${c}`, `${L.name}: softmax (${impl}) over slices of ${nSlice}, ${n} values`).u('n_in', n).u('n_slice', nSlice).u('reuse_factor', rf);
    if (impl === 'argmax') {
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
    if (impl === 'legacy') {
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
      headers: [SOFTMAX_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::softmax<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}, ${c}_exp_table, ${c}_inv_table);`],
      summary: `Softmax (${impl})`,
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
