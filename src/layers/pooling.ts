/**
 * Max / Average pooling, 1D and 2D, local and global (Keras `MaxPooling2D`, `GlobalAveragePooling1D`,
 * …; hls4ml `Pooling1D/2D`, `GlobalPooling1D/2D`; `nnet::pooling{1,2}d_cl`, `global_pooling{1,2}d_cl`).
 *
 * hls4ml sources: converters/keras/pooling.py, model/layers.py (Pooling1D/2D, GlobalPooling1D/2D),
 * backends/fpga/fpga_backend.py (accum for all four), model/optimizer/passes/infer_precision.py
 * (_infer_pooling_precision), backends/vivado/passes/pooling_templates.py,
 * templates/vivado/nnet_utils/nnet_pooling*.h.
 */
import { ShapeError, UnsupportedError, describeValue } from '../errors.js';
import { fixedType, type FixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { LayerAttrs, ModelLayer } from '../graph/model.js';
import { last, positiveOut, requireRank, type LayerConfigReader } from '../import/keras-config.js';
import { poolTable } from '../kernels/conv-instructions.js';
import { prepareFastPooling } from '../kernels/fast/pooling.js';
import { encodedPoolFifoDepth, kerasOutputLength, samePads, windowGeometry } from '../kernels/geometry.js';
import {
  globalPooling1d,
  globalPooling2d,
  poolingTables,
  preparePooling1d,
  preparePooling2d,
  type GlobalPooling2DConfig,
  type PoolOp,
  type Pooling1DConfig,
  type Pooling2DConfig,
  type PoolingKernel,
} from '../kernels/pooling.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { POOLING_HEADER } from '../emit/cpp/pooling.js';
import { checkTable, need, num, obj, runAll, types as caseTypes, x1, type Case } from '../conformance/kernel-case.js';
import { LayerCheck, lowered, reuseFactorOf, typed } from './common.js';
import { windowTableBytes } from './conv.js';
import { hwc, kerasPadsBefore } from './conv-window.js';
import type { EmitArgs, FirmwareClassSpec, HlsClassSpec, LayerModule, ModelClassSpec } from './spec.js';

type PoolCls = 'MaxPooling1D' | 'MaxPooling2D' | 'AveragePooling1D' | 'AveragePooling2D';
type GlobalCls = 'GlobalMaxPooling1D' | 'GlobalMaxPooling2D' | 'GlobalAveragePooling1D' | 'GlobalAveragePooling2D';

/** `pooling{1,2}d_config` fields (1D: `n_in` = input width, `n_out` = output width). */
export interface PoolFirmwareConfig {
  in_height?: number;
  in_width?: number;
  n_in?: number;
  n_out?: number;
  n_filt: number;
  pool_op: PoolOp;
  pool_height?: number;
  pool_width: number;
  stride_height?: number;
  stride_width: number;
  out_height?: number;
  out_width?: number;
  pad_top?: number;
  pad_bottom?: number;
  pad_left: number;
  pad_right: number;
  count_pad: boolean;
  reuse_factor: number;
  /** io_stream only. */
  implementation?: 'LineBuffer' | 'Encoded';
  pool_table_height?: number[];
  pool_table_width?: number[];
}

/** `global_pooling{1,2}d_config` fields. */
export interface GlobalPoolFirmwareConfig {
  in_height?: number;
  in_width?: number;
  n_in?: number;
  n_filt: number;
  pool_op: PoolOp;
  reuse_factor: number;
}

/** A firmware local pooling layer. */
export interface PoolingLayer<C extends PoolCls = PoolCls> extends FirmwareLayerBase<C, PoolFirmwareConfig, 'accum', never> {}
/** A firmware global pooling layer. */
export interface GlobalPoolingLayer<C extends GlobalCls = GlobalCls> extends FirmwareLayerBase<C, GlobalPoolFirmwareConfig, 'accum', never> {}

const opOf = (cls: string): PoolOp => (cls.includes('Max') ? 'Max' : 'Average');
const is1D = (cls: string): boolean => cls.endsWith('1D');

// ---------------------------------------------------------------------------------------------
// Model classes
// ---------------------------------------------------------------------------------------------

/** Float pooling over n samples (1D as H = 1); average divides by the in-bounds count (TF 'same'). */
function floatPool(l: ModelLayer, x: Float64Array, n: number): Float64Array {
  const twoD = !is1D(l.className);
  const max = opOf(l.className) === 'Max';
  const [H, W, C] = hwc(l.inputShapes[0]!);
  const [OH, OW] = hwc(l.outputShape);
  const ps = l.attrs.poolSize ?? (twoD ? [2, 2] : [2]);
  const st = l.attrs.strides ?? ps;
  const [ph, pw] = twoD ? [ps[0]!, ps[1]!] : [1, ps[0]!];
  const [sh, sw] = twoD ? [st[0]!, st[1]!] : [1, st[0]!];
  const [pt, pl] = kerasPadsBefore(l, ps, st, twoD);
  const y = new Float64Array(n * OH * OW * C);
  const inPer = H * W * C;
  const acc = new Float64Array(C);
  for (let s = 0; s < n; s++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        acc.fill(max ? -Infinity : 0);
        let count = 0;
        for (let dh = 0; dh < ph; dh++) {
          const ih = oh * sh - pt + dh;
          if (ih < 0 || ih >= H) continue;
          for (let dw = 0; dw < pw; dw++) {
            const iw = ow * sw - pl + dw;
            if (iw < 0 || iw >= W) continue;
            count++;
            const xb = s * inPer + (ih * W + iw) * C;
            if (max) for (let c = 0; c < C; c++) acc[c] = Math.max(acc[c]!, x[xb + c]!);
            else for (let c = 0; c < C; c++) acc[c]! += x[xb + c]!;
          }
        }
        const yo = ((s * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) y[yo + c] = max ? acc[c]! : acc[c]! / count;
      }
    }
  }
  return y;
}

function poolModel(cls: PoolCls): ModelClassSpec {
  const rank = is1D(cls) ? 1 : 2;
  const alias = cls.replace('Pooling', 'Pool');
  return {
    keras: {
      arity: 'one',
      aliases: cls.startsWith('Average') ? [alias, alias.replace('Average', 'Avg')] : [alias],
      attrs(r: LayerConfigReader): LayerAttrs {
        r.channelsLast();
        const poolSize = r.tuple('pool_size', rank, new Array<number>(rank).fill(2));
        return { poolSize, strides: r.tuple('strides', rank, poolSize), padding: r.padding() };
      },
      outputShape([x = []], a, r) {
        requireRank(r, x, rank + 1, cls);
        const spatial = x.slice(0, rank).map((n, i) => kerasOutputLength(n, a.poolSize![i]!, a.strides![i]!, a.padding as 'valid' | 'same'));
        return positiveOut(r, [...spatial, last(x)], x);
      },
    },
    hlsClass: () => (rank === 1 ? 'Pooling1D' : 'Pooling2D'),
    typeKey: () => cls,
    equalize: 'passThrough',
    accumRange: (l) => ({ of: 'inputs', extraBits: opOf(cls) === 'Max' ? 0 : Math.ceil(Math.log2((l.attrs.poolSize ?? [2]).reduce((p, d) => p * d, 1))) }),
    build: (l) => ({ cls: rank === 1 ? 'Pooling1D' : 'Pooling2D', attrs: { ...l.attrs, pool_op: opOf(cls) } }),
    float: (l, [x], ctx) => floatPool(l, x!, ctx.n),
  };
}

function globalModel(cls: GlobalCls): ModelClassSpec {
  const rank = is1D(cls) ? 1 : 2;
  const alias = cls.replace('Pooling', 'Pool');
  return {
    keras: {
      arity: 'one',
      aliases: cls.includes('Average') ? [alias, alias.replace('Average', 'Avg')] : [alias],
      attrs(r: LayerConfigReader): LayerAttrs {
        r.channelsLast();
        const keepdims = r.bool('keepdims', false);
        return keepdims ? { keepdims } : {};
      },
      outputShape([x = []], a, r) {
        requireRank(r, x, rank + 1, cls);
        return a['keepdims'] ? [...new Array<number>(rank).fill(1), last(x)] : [last(x)];
      },
    },
    hlsClass: () => (rank === 1 ? 'GlobalPooling1D' : 'GlobalPooling2D'),
    accumRange: (l) => ({ of: 'inputs', extraBits: opOf(cls) === 'Max' ? 0 : Math.ceil(Math.log2(l.inputShapes[0]!.slice(0, -1).reduce((p, d) => p * d, 1))) }),
    typeKey: () => cls,
    build: (l) => ({ cls: rank === 1 ? 'GlobalPooling1D' : 'GlobalPooling2D', attrs: { ...l.attrs, pool_op: opOf(cls) } }),
    float(l, [x], ctx) {
      const inS = l.inputShapes[0]!;
      const C = last(inS);
      const pix = inS.reduce((p, d) => p * d, 1) / C;
      const max = opOf(cls) === 'Max';
      const y = new Float64Array(ctx.n * C);
      for (let s = 0; s < ctx.n; s++) {
        for (let c = 0; c < C; c++) {
          let acc = max ? -Infinity : 0;
          for (let p = 0; p < pix; p++) {
            const v = x![(s * pix + p) * C + c]!;
            acc = max ? Math.max(acc, v) : acc + v;
          }
          y[s * C + c] = max ? acc : acc / pix;
        }
      }
      return y;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// hls4ml classes
// ---------------------------------------------------------------------------------------------

/** hls4ml's `_infer_pooling_precision`: Max keeps the input type; Average widens by log2(pool area). */
function inferPool(poolArea: (attrs: Record<string, unknown>, shapeIn: number[]) => number): HlsClassSpec['infer'] {
  return (n, [x]) => {
    if (n.types.accum === 'auto') {
      if (n.attrs.pool_op === 'Max') n.types.accum = x!;
      else {
        const e = Math.ceil(Math.log2(poolArea(n.attrs, n.shapeIn[0]!)));
        n.types.accum = fixedType(x!.signed, x!.W + 2 * e, x!.I + e);
      }
    }
    if (n.types.result === 'auto') n.types.result = x!;
  };
}

const POOL_TYPES = [{ name: 'result' }, { name: 'accum', backend: true }] as const;

function poolHls(rank: 1 | 2): HlsClassSpec {
  return {
    types: POOL_TYPES,
    settings: [
      { name: 'reuse_factor', default: 1, backend: true },
      { name: 'conv_implementation', default: 'LineBuffer', backend: true },
    ],
    infer: inferPool((a) => (a.poolSize as number[]).reduce((p, d) => p * d, 1)),
    lower(n, ctx) {
      const ps = n.attrs.poolSize as number[];
      const st = (n.attrs.strides as number[] | undefined) ?? ps;
      const same = n.attrs.padding === 'same';
      const [H, W, C] = hwc(n.shapeIn[0]!);
      const [OH, OW] = hwc(n.shapeOut);
      const op = n.attrs.pool_op as PoolOp;
      const cls = `${op === 'Max' ? 'Max' : 'Average'}Pooling${rank}D` as PoolCls;
      const impl = String(n.settings.conv_implementation ?? 'LineBuffer').toLowerCase() === 'encoded' ? 'Encoded' : 'LineBuffer';
      const rf = reuseFactorOf(n);
      let c: PoolFirmwareConfig;
      if (rank === 1) {
        const [pl, pr] = same ? samePads(W, ps[0]!, st[0]!) : [0, 0];
        c = { n_in: W, n_filt: C, pool_op: op, n_out: OW, reuse_factor: rf, pool_width: ps[0]!, stride_width: st[0]!, pad_left: pl, pad_right: pr, count_pad: false };
      } else {
        const [pt, pb] = same ? samePads(H, ps[0]!, st[0]!) : [0, 0];
        const [pl, pr] = same ? samePads(W, ps[1]!, st[1]!) : [0, 0];
        c = {
          in_height: H, in_width: W, n_filt: C, pool_op: op, out_height: OH, out_width: OW, reuse_factor: rf,
          pool_height: ps[0]!, pool_width: ps[1]!, stride_height: st[0]!, stride_width: st[1]!, pad_top: pt, pad_bottom: pb, pad_left: pl, pad_right: pr, count_pad: false,
        };
      }
      if (ctx.io === 'io_stream') {
        if (c.pad_left || c.pad_right || c.pad_top || c.pad_bottom) throw new UnsupportedError(`${n.name}.padding`, "'same' pooling with non-zero padding is not supported in io_stream");
        c.implementation = impl;
        if (impl === 'Encoded') {
          if (rank === 2) c.pool_table_height = poolTable(H, ps[0]!);
          c.pool_table_width = poolTable(W, ps[rank - 1]!);
        }
      }
      return { ...lowered(n, ctx, cls, c), types: { input: ctx.inputTypes[0]!, result: typed(n, 'result'), accum: typed(n, 'accum') }, weights: {} } as PoolingLayer;
    },
  };
}

function globalHls(rank: 1 | 2): HlsClassSpec {
  return {
    types: POOL_TYPES,
    settings: [{ name: 'reuse_factor', default: 1, backend: true }],
    infer: inferPool((_a, s) => s.reduce((p, d) => p * d, 1) / last(s)),
    lower(n, ctx) {
      const [H, W, C] = hwc(n.shapeIn[0]!);
      const op = n.attrs.pool_op as PoolOp;
      const cls = `Global${op === 'Max' ? 'Max' : 'Average'}Pooling${rank}D` as GlobalCls;
      const rf = reuseFactorOf(n);
      const c: GlobalPoolFirmwareConfig = rank === 1 ? { n_in: W, n_filt: C, pool_op: op, reuse_factor: rf } : { in_height: H, in_width: W, n_filt: C, pool_op: op, reuse_factor: rf };
      return { ...lowered(n, ctx, cls, c), types: { input: ctx.inputTypes[0]!, result: typed(n, 'result'), accum: typed(n, 'accum') }, weights: {} } as GlobalPoolingLayer;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Firmware classes
// ---------------------------------------------------------------------------------------------

function kernelCfg(L: PoolingLayer): Pooling2DConfig & Pooling1DConfig {
  return { ...L.config, name: L.name, types: L.types } as Pooling2DConfig & Pooling1DConfig;
}

function preparePool(L: PoolingLayer): PoolingKernel {
  return is1D(L.cls) ? preparePooling1d(kernelCfg(L)) : preparePooling2d(kernelCfg(L));
}

const POOL_KEYS = ['in_height', 'in_width', 'n_in', 'n_out', 'n_filt', 'pool_op', 'pool_height', 'pool_width', 'stride_height', 'stride_width', 'out_height', 'out_width', 'pad_top', 'pad_bottom', 'pad_left', 'pad_right', 'count_pad', 'implementation', 'pool_table_height', 'pool_table_width'];

function emitPool(L: PoolingLayer, { ctx, cname: c, ins }: EmitArgs) {
  const inT = ins[0]!;
  const oneD = is1D(L.cls);
  warnInputType(ctx, L, 'input', inT);
  const k = preparePool(L);
  const cfg = L.config;
  const g = windowGeometry(L.name, { in_height: cfg.in_height, in_width: oneD ? cfg.n_in! : cfg.in_width!, n_chan: cfg.n_filt, filt_height: cfg.pool_height, filt_width: cfg.pool_width, stride_height: cfg.stride_height, stride_width: cfg.stride_width, pad_top: cfg.pad_top, pad_bottom: cfg.pad_bottom, pad_left: cfg.pad_left, pad_right: cfg.pad_right }, oneD, 'window');
  const op = cfg.pool_op;
  const stream = ctx.io === 'io_stream';
  const impl = stream ? (cfg.implementation ?? 'LineBuffer').toLowerCase() : 'linebuffer';
  const s = new Struct(`config_${c}`, `${L.name}: ${L.cls} ${oneD ? `${g.W}x${g.C}` : `${g.H}x${g.W}x${g.C}`} -> ${oneD ? `${g.outW}x${g.C}` : `${g.outH}x${g.outW}x${g.C}`}, pool ${oneD ? g.kw : `${g.kh}x${g.kw}`}${stream ? ` (io_stream ${impl === 'encoded' ? 'Encoded' : 'LineBuffer'})` : ''}`)
    .u('in_height', g.H).u('in_width', g.W).u('n_filt', g.C).u('pool_height', g.kh).u('pool_width', g.kw).u('stride_height', g.sh).u('stride_width', g.sw)
    .u('pad_top', g.pt).u('pad_bottom', g.pb).u('pad_left', g.pl).u('pad_right', g.pr).u('out_height', g.outH).u('out_width', g.outW)
    .b('count_pad', cfg.count_pad).b('one_d', oneD).u('pool_op', op === 'Max' ? 'hlsemu::pool_max' : 'hlsemu::pool_average').u('reuse_factor', cfg.reuse_factor)
    .t('accum_t', `${c}_accum_t`);
  let fn = 'pool';
  if (stream) {
    if (impl === 'encoded') {
      const th = oneD ? [0] : k.tables!.pool_table_height!;
      const tw = k.tables!.pool_table_width;
      const depth = encodedPoolFifoDepth(g);
      s.u('fifo_depth', depth).arr('unsigned', 'pool_table_height', th.length, th).arr('unsigned', 'pool_table_width', tw.length, tw);
      fn = 'pool_encoded';
    } else fn = 'pool_linebuffer';
  }
  return {
    layer: L,
    cname: c,
    typedefs: [[`${c}_accum_t`, L.types.accum]] as Array<[string, FixedType]>,
    structs: [s.text()],
    arrays: [],
    headers: [POOLING_HEADER],
    call: (is: typeof ins, iv: string[], out: (typeof ins)[number], ov: string) => [`hlsemu::${fn}<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov});`],
    summary: `${L.cls} pool ${oneD ? g.kw : `${g.kh}x${g.kw}`} stride ${oneD ? g.sw : `${g.sh}x${g.sw}`}${stream ? ` (${impl === 'encoded' ? 'Encoded' : 'LineBuffer'})` : ''}`,
  };
}

function poolFirmware<C extends PoolCls>(cls: C): FirmwareClassSpec<PoolingLayer<C>> {
  const oneD = is1D(cls);
  return {
    check(L, path) {
      const c = new LayerCheck(L, path, POOL_KEYS);
      const [H, W, C] = hwc(c.rank(oneD ? 2 : 3));
      const cfg: PoolFirmwareConfig = {
        n_filt: c.equal('n_filt', C),
        pool_op: c.choice('pool_op', ['Max', 'Average'] as const, opOf(cls)),
        pool_width: c.int('pool_width', 1),
        stride_width: 0,
        pad_left: c.int('pad_left', 0, 0),
        pad_right: c.int('pad_right', 0, 0),
        count_pad: c.bool('count_pad', false),
        reuse_factor: c.int('reuse_factor', 1, 1),
      };
      if (cfg.pool_op !== opOf(cls)) throw new ShapeError(`${path}.config.pool_op`, `is ${cfg.pool_op} but the class is ${cls}`);
      cfg.stride_width = c.int('stride_width', 1, cfg.pool_width);
      if (oneD) cfg.n_in = c.equal('n_in', W);
      else {
        Object.assign(cfg, { in_height: c.equal('in_height', H), in_width: c.equal('in_width', W), pool_height: c.int('pool_height', 1), pad_top: c.int('pad_top', 0, 0), pad_bottom: c.int('pad_bottom', 0, 0) });
        cfg.stride_height = c.int('stride_height', 1, cfg.pool_height);
      }
      if (c.io === 'io_stream') cfg.implementation = c.choice('implementation', ['LineBuffer', 'Encoded'] as const, 'LineBuffer');
      const layer = { ...L, cls, config: { ...cfg, io_type: c.io }, types: { input: c.type('input'), result: c.type('result'), accum: c.type('accum') }, weights: {} } as PoolingLayer<C>;
      const k = preparePool(layer);
      c.out(oneD ? [k.outWidth, C] : [k.outHeight, k.outWidth, C]);
      if (oneD) layer.config.n_out = c.equal('n_out', k.outWidth);
      else {
        layer.config.out_height = c.equal('out_height', k.outHeight);
        layer.config.out_width = c.equal('out_width', k.outWidth);
      }
      // The emulator always uses i % pool; a graph carrying other tables cannot be reproduced.
      for (const key of ['pool_table_height', 'pool_table_width'] as const) {
        const given = c.ints(key);
        const want = k.tables?.[key];
        if (given && (!want || given.length !== want.length || given.some((v, i) => v !== want[i]))) throw new ShapeError(`${path}.config.${key}`, 'differs from the table hls4ml generates (i % pool)');
        if (given) layer.config[key] = given;
      }
      return layer;
    },
    reference(L) {
      const k = preparePool(L);
      return (xs, s) => k.run(xs[0]!, s ? { stats: s } : {});
    },
    fast: (L, fo) => prepareFastPooling(kernelCfg(L), oneD, fo),
    emit: (L, a) => emitPool(L, a),
    memoryBytes: windowTableBytes,
  };
}

function globalFirmware<C extends GlobalCls>(cls: C): FirmwareClassSpec<GlobalPoolingLayer<C>> {
  const oneD = is1D(cls);
  return {
    check(L, path) {
      const c = new LayerCheck(L, path, ['in_height', 'in_width', 'n_in', 'n_filt', 'pool_op', 'n_out', 'out_height', 'out_width']);
      const [H, W, C] = hwc(c.rank(oneD ? 2 : 3));
      const op = c.choice('pool_op', ['Max', 'Average'] as const, opOf(cls));
      if (op !== opOf(cls)) throw new ShapeError(`${path}.config.pool_op`, `is ${op} but the class is ${cls}`);
      if (c.L.shapeOut.reduce((p, d) => p * d, 1) !== C) throw new ShapeError(`${path}.shapeOut`, `expected ${C} outputs (one per channel), got ${describeValue(c.L.shapeOut)}`);
      const cfg: GlobalPoolFirmwareConfig = oneD ? { n_in: c.equal('n_in', W), n_filt: c.equal('n_filt', C), pool_op: op, reuse_factor: c.int('reuse_factor', 1, 1) } : { in_height: c.equal('in_height', H), in_width: c.equal('in_width', W), n_filt: c.equal('n_filt', C), pool_op: op, reuse_factor: c.int('reuse_factor', 1, 1) };
      return { ...L, cls, config: { ...cfg, io_type: c.io }, types: { input: c.type('input'), result: c.type('result'), accum: c.type('accum') }, weights: {} } as GlobalPoolingLayer<C>;
    },
    reference(L) {
      const cfg = { ...L.config, name: L.name, types: L.types } as GlobalPooling2DConfig & { n_in: number };
      return (xs, s) => (oneD ? globalPooling1d(cfg, xs[0]!, s ? { stats: s } : {}) : globalPooling2d(cfg, xs[0]!, s ? { stats: s } : {}));
    },
    emit(L, { ctx, cname: c, ins }) {
      const inT = ins[0]!;
      warnInputType(ctx, L, 'input', inT);
      const C = L.config.n_filt;
      const P = inT.size / C;
      const s = new Struct(`config_${c}`, `${L.name}: ${L.cls} over ${P} pixels x ${C} channels`)
        .u('n_pixels', P)
        .u('n_filt', C)
        .u('pool_op', L.config.pool_op === 'Max' ? 'hlsemu::pool_max' : 'hlsemu::pool_average')
        .u('reuse_factor', L.config.reuse_factor)
        .t('accum_t', `${c}_accum_t`);
      return {
        layer: L,
        cname: c,
        typedefs: [[`${c}_accum_t`, L.types.accum]],
        structs: [s.text()],
        arrays: [],
        headers: [POOLING_HEADER],
        call: (is, iv, out, ov) => [`hlsemu::global_pool<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov});`],
        summary: `${L.cls} (${P} pixels)`,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Kernel reference vectors
// ---------------------------------------------------------------------------------------------

function checkPoolingCase(c: Case, dims: 1 | 2): string | null {
  const cfg = obj(c, 'config');
  const t = caseTypes(c);
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

function checkGlobalCase(c: Case, dims: 1 | 2): string | null {
  const cfg = obj(c, 'config');
  const t = caseTypes(c);
  need(t, 'input', 'accum', 'result');
  const kcfg = { ...cfg, name: String(c.kernel), types: t } as never;
  return runAll(c, String(c.kernel), (x, i) => (dims === 2 ? globalPooling2d(kcfg, x1(x, i)) : globalPooling1d(kcfg, x1(x, i))));
}

/** The pooling layer kinds (local and global, max and average, 1D and 2D). */
export const poolingModule = {
  kind: 'Pooling',
  model: {
    MaxPooling1D: poolModel('MaxPooling1D'),
    MaxPooling2D: poolModel('MaxPooling2D'),
    AveragePooling1D: poolModel('AveragePooling1D'),
    AveragePooling2D: poolModel('AveragePooling2D'),
    GlobalMaxPooling1D: globalModel('GlobalMaxPooling1D'),
    GlobalMaxPooling2D: globalModel('GlobalMaxPooling2D'),
    GlobalAveragePooling1D: globalModel('GlobalAveragePooling1D'),
    GlobalAveragePooling2D: globalModel('GlobalAveragePooling2D'),
  },
  hls: { Pooling1D: poolHls(1), Pooling2D: poolHls(2), GlobalPooling1D: globalHls(1), GlobalPooling2D: globalHls(2) },
  firmware: {
    MaxPooling1D: poolFirmware('MaxPooling1D'),
    MaxPooling2D: poolFirmware('MaxPooling2D'),
    AveragePooling1D: poolFirmware('AveragePooling1D'),
    AveragePooling2D: poolFirmware('AveragePooling2D'),
    GlobalMaxPooling1D: globalFirmware('GlobalMaxPooling1D'),
    GlobalMaxPooling2D: globalFirmware('GlobalMaxPooling2D'),
    GlobalAveragePooling1D: globalFirmware('GlobalAveragePooling1D'),
    GlobalAveragePooling2D: globalFirmware('GlobalAveragePooling2D'),
  },
  kernels: {
    pooling1d: (c: Case) => checkPoolingCase(c, 1),
    pooling2d: (c: Case) => checkPoolingCase(c, 2),
    global_pooling1d: (c: Case) => checkGlobalCase(c, 1),
    global_pooling2d: (c: Case) => checkGlobalCase(c, 2),
  },
} satisfies LayerModule;
