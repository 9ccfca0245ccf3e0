/**
 * Merges of two tensors (Keras `Add`, `Concatenate`; hls4ml `Merge` (op add) and `Concatenate`;
 * `nnet::add`, `nnet::concatenate{1,2,3}d`). The firmware `Add` class also carries the other
 * element-wise ops of `nnet_merge.h` (subtract, multiply, average, maximum, minimum) in `config.op`.
 *
 * hls4ml sources: converters/keras/merge.py, model/layers.py (Merge, Concatenate),
 * model/optimizer/passes/infer_precision.py (_infer_merge_precision, _infer_cat_precision),
 * backends/vivado/passes/merge_templates.py, nnet_utils/nnet_merge*.h.
 */
import { FormatError, ShapeError, UnsupportedError, describeValue } from '../errors.js';
import { fixedType, frac, sameType, type FixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import { normaliseAxis } from '../import/keras-config.js';
import { add, concatDim, concatenate, merge, type MergeOp } from '../kernels/merge.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { MERGE_HEADER } from '../emit/cpp/structural.js';
import { checkLayout, checkPairLengths, int, intList, need, obj, pair, runAll, types as caseTypes, type Case } from '../conformance/kernel-case.js';
import { LayerCheck, lowered, reuseFactorOf, typed } from './common.js';
import type { FirmwareClassSpec, HlsClassSpec, InferContext, LayerModule, ModelClassSpec } from './spec.js';

/** The element-wise merge ops. */
export const MERGE_OPS = ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum'] as const;

/** `merge_config` fields. */
export interface MergeFirmwareConfig {
  op: MergeOp;
  n_elem: number;
  n_elem1: number;
  n_elem2: number;
  reuse_factor: number;
}

/** `concat_config` fields (shapes without batch; `axis` as Keras counts it, −1 = last). */
export interface ConcatFirmwareConfig {
  shape1: number[];
  shape2: number[];
  axis: number;
  n_elem1_0?: number;
  n_elem1_1?: number;
  n_elem1_2?: number;
  n_elem2_0?: number;
  n_elem2_1?: number;
  n_elem2_2?: number;
}

/** A firmware element-wise merge. */
export interface MergeLayer extends FirmwareLayerBase<'Add', MergeFirmwareConfig, 'input1' | 'input2', never> {}
/** A firmware concatenation. */
export interface ConcatenateLayer extends FirmwareLayerBase<'Concatenate', ConcatFirmwareConfig, 'input1' | 'input2', never> {}

const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

// ---------------------------------------------------------------------------------------------
// Model classes
// ---------------------------------------------------------------------------------------------

const addModel: ModelClassSpec = {
  keras: {
    arity: 'many',
    attrs: () => ({}),
    outputShape(xs, _a, r) {
      const s0 = xs[0]!;
      for (const s of xs) {
        if (s.length !== s0.length || s.some((d, i) => d !== s0[i])) {
          throw new ShapeError(r.where, `Add inputs must have equal shapes, got ${xs.map((q) => `[${q.join(', ')}]`).join(' and ')}`);
        }
      }
      return [...s0];
    },
  },
  hlsClass: () => 'Merge',
  typeKey: () => 'Add',
  build(l, ctx) {
    if (ctx.inputs.length !== 2) throw new UnsupportedError(ctx.where, `Add with ${ctx.inputs.length} inputs is not supported (2 only)`);
    return { cls: 'Merge', attrs: { op: 'add' } };
  },
  float(_l, xs) {
    const y = Float64Array.from(xs[0]!);
    for (const other of xs.slice(1)) for (let i = 0; i < y.length; i++) y[i]! += other[i]!;
    return y;
  },
};

const concatModel: ModelClassSpec = {
  keras: {
    arity: 'many',
    attrs: () => ({ axis: -1 }),
    outputShape(xs, a, r) {
      const s0 = xs[0]!;
      const raw = r.config['axis'] ?? -1;
      if (typeof raw !== 'number') throw new FormatError(r.field('axis'), `expected an integer, got ${describeValue(raw)}`);
      const axis = normaliseAxis(raw, s0.length, r.field('axis'));
      a.axis = axis;
      const ax = s0.length + axis;
      const out = [...s0];
      out[ax] = 0;
      for (const s of xs) {
        if (s.length !== s0.length || s.some((d, i) => i !== ax && d !== s0[i])) {
          throw new ShapeError(r.where, `Concatenate inputs must agree except on axis ${raw}, got ${xs.map((q) => `[${q.join(', ')}]`).join(' and ')}`);
        }
        out[ax]! += s[ax]!;
      }
      return out;
    },
  },
  hlsClass: () => 'Concatenate',
  typeKey: () => 'Concatenate',
  build(l, ctx) {
    if (ctx.inputs.length !== 2) throw new UnsupportedError(ctx.where, `Concatenate with ${ctx.inputs.length} inputs is not supported (2 only)`);
    return { cls: 'Concatenate', attrs: { axis: l.attrs.axis ?? -1 } };
  },
  float(l, xs, ctx) {
    const outS = l.outputShape;
    const rank = outS.length;
    const ax = l.attrs.axis ?? -1;
    const axis = ax < 0 ? rank + ax : ax - 1; // Keras axes count the batch axis
    if (axis < 0 || axis >= rank) throw new UnsupportedError(`${ctx.where}.axis`, `axis ${ax} is out of range`);
    const outer = ctx.n * size(outS.slice(0, axis));
    const inner = l.inputShapes.map((s) => size(s.slice(axis)));
    const total = inner.reduce((p, d) => p + d, 0);
    const y = new Float64Array(outer * total);
    for (let o = 0; o < outer; o++) {
      let off = o * total;
      xs.forEach((xi, j) => {
        y.set(xi.subarray(o * inner[j]!, (o + 1) * inner[j]!), off);
        off += inner[j]!;
      });
    }
    return y;
  },
};

// ---------------------------------------------------------------------------------------------
// hls4ml classes
// ---------------------------------------------------------------------------------------------

function clip(W: number, I: number, s: boolean, ctx: InferContext): FixedType {
  const m = ctx.maxPrecision;
  return fixedType(s, m ? Math.min(W, m.W) : W, m ? Math.min(I, m.I) : I);
}

const mergeHls: HlsClassSpec = {
  types: [{ name: 'result' }],
  settings: [{ name: 'reuse_factor', default: 1, backend: true }],
  infer(n, [a, b], ctx) {
    if (n.types.result !== 'auto') return;
    const I = Math.max(a!.I + (b!.signed && !a!.signed ? 1 : 0), b!.I + (a!.signed && !b!.signed ? 1 : 0)) + 1;
    n.types.result = clip(I + Math.max(frac(a!), frac(b!)), I, a!.signed || b!.signed, ctx);
  },
  lower(n, ctx): MergeLayer {
    const [t1, t2] = ctx.inputTypes as [FixedType, FixedType];
    const s1 = n.shapeIn[0]!;
    const s2 = n.shapeIn[1]!;
    return {
      ...lowered(n, ctx, 'Add', { op: (n.attrs.op as MergeOp) ?? 'add', n_elem: size(n.shapeOut), n_elem1: size(s1), n_elem2: size(s2), reuse_factor: reuseFactorOf(n) }),
      types: { input: t1, input1: t1, input2: t2, result: typed(n, 'result') },
      weights: {},
    };
  },
};

const concatHls: HlsClassSpec = {
  types: [{ name: 'result' }],
  settings: [{ name: 'reuse_factor', default: 1, backend: true }],
  infer(n, [a, b], ctx) {
    if (n.types.result !== 'auto') return;
    if (sameType(a!, b!)) {
      n.types.result = a!;
      return;
    }
    const s = a!.signed || b!.signed;
    const I = Math.max(a!.I + (s && !a!.signed ? 1 : 0), b!.I + (s && !b!.signed ? 1 : 0));
    const q = a!.Q !== 'AP_TRN' ? a!.Q : b!.Q;
    const o = a!.O !== 'AP_WRAP' ? a!.O : b!.O;
    const nb = a!.N !== 0 ? a!.N : b!.N;
    const m = ctx.maxPrecision;
    const W = Math.min(Math.max(frac(a!), frac(b!)) + I, m ? m.W : Infinity);
    const II = Math.min(I, m ? m.I : Infinity);
    n.types.result = fixedType(s, W, II, q, o, Math.min(nb, W));
  },
  lower(n, ctx): ConcatenateLayer {
    const [t1, t2] = ctx.inputTypes as [FixedType, FixedType];
    const s1 = n.shapeIn[0]!;
    const s2 = n.shapeIn[1]!;
    const axis = Number(n.attrs.axis ?? -1);
    if (axis !== -1 && axis !== s1.length) throw new UnsupportedError(`${n.name}.axis`, `Concatenate is supported on the last axis only (got axis ${axis})`);
    const pad3 = (s: number[]) => [s[0] ?? 0, s[1] ?? 0, s[2] ?? 0];
    const [a0, a1, a2] = pad3(s1);
    const [b0, b1, b2] = pad3(s2);
    return {
      ...lowered(n, ctx, 'Concatenate', { n_elem1_0: a0, n_elem1_1: a1, n_elem1_2: a2, n_elem2_0: b0, n_elem2_1: b1, n_elem2_2: b2, axis: -1, shape1: [...s1], shape2: [...s2] }),
      types: { input: t1, input1: t1, input2: t2, result: typed(n, 'result') },
      weights: {},
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Firmware classes
// ---------------------------------------------------------------------------------------------

const MERGE_CPP: Record<MergeOp, string> = {
  add: 'hlsemu::merge_add',
  subtract: 'hlsemu::merge_subtract',
  multiply: 'hlsemu::merge_multiply',
  average: 'hlsemu::merge_average',
  maximum: 'hlsemu::merge_maximum',
  minimum: 'hlsemu::merge_minimum',
};

function mergeTypes(c: LayerCheck): MergeLayer['types'] {
  const input1 = c.optType('input1') ?? c.type('input');
  return { input: c.optType('input') ?? input1, input1, input2: c.type('input2'), result: c.type('result') };
}

const mergeFirmware: FirmwareClassSpec<MergeLayer> = {
  check(L, path, inputShapes) {
    const c = new LayerCheck(L, path, ['op', 'n_elem', 'n_elem1', 'n_elem2']);
    if (L.inputs.length !== 2) throw new ShapeError(`${path}.inputs`, `a merge needs 2 inputs, got ${L.inputs.length}`);
    const n = c.size(L.shapeOut);
    const config: MergeFirmwareConfig = {
      op: c.choice('op', MERGE_OPS, 'add'),
      n_elem: c.equal('n_elem', n),
      n_elem1: c.equal('n_elem1', c.size(L.shapeIn)),
      n_elem2: c.int('n_elem2', 1, inputShapes?.[1] ? c.size(inputShapes[1]) : n),
      reuse_factor: c.int('reuse_factor', 1, 1),
    };
    if (n !== Math.max(config.n_elem1, config.n_elem2)) throw new ShapeError(`${path}.shapeOut`, `expected ${Math.max(config.n_elem1, config.n_elem2)} elements, got ${n}`);
    return { ...L, cls: 'Add', config: { ...config, io_type: c.io }, types: mergeTypes(c), weights: {} };
  },
  reference(L) {
    const cfg = { ...L.config, name: L.name, types: L.types };
    return (xs, s) => (L.config.op === 'add' ? add(cfg, xs[0]!, xs[1]!, s ? { stats: s } : {}) : merge(cfg, xs[0]!, xs[1]!, s ? { stats: s } : {}));
  },
  emit(L, { ctx, cname: c, ins }) {
    const [a, b] = ins as [(typeof ins)[number], (typeof ins)[number]];
    const op = L.config.op;
    warnInputType(ctx, L, 'input1', a);
    warnInputType(ctx, L, 'input2', b);
    if (ctx.io === 'io_stream' && (a.size !== b.size || a.wordSize !== b.wordSize)) throw new UnsupportedError(`${L.name}.inputs`, 'io_stream merges need two inputs of the same shape');
    const s = new Struct(`config_${c}`, `${L.name}: ${op} of ${a.size} and ${b.size} values`).u('n_elem', L.config.n_elem).u('n_elem1', a.size).u('n_elem2', b.size).u('op', MERGE_CPP[op]);
    return {
      layer: L,
      cname: c,
      typedefs: [],
      structs: [s.text()],
      arrays: [],
      headers: [MERGE_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::merge<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, is[1]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${iv[1]}, ${ov});`],
      summary: `Merge (${op})`,
    };
  },
};

const concatFirmware: FirmwareClassSpec<ConcatenateLayer> = {
  check(L, path, inputShapes) {
    const c = new LayerCheck(L, path, ['shape1', 'shape2', 'axis', 'n_elem1_0', 'n_elem1_1', 'n_elem1_2', 'n_elem2_0', 'n_elem2_1', 'n_elem2_2']);
    if (L.inputs.length !== 2) throw new ShapeError(`${path}.inputs`, `a concatenation needs 2 inputs, got ${L.inputs.length}`);
    const shape1 = c.ints('shape1') ?? [...L.shapeIn];
    const shape2 = c.ints('shape2') ?? inputShapes?.[1];
    if (!shape2) throw new FormatError(`${path}.config.shape2`, 'missing required field');
    const axis = c.int('axis', Number.MIN_SAFE_INTEGER, -1);
    const dim = concatDim(shape1.length, axis);
    if (shape1.length !== shape2.length) throw new ShapeError(`${path}.config.shape2`, `ranks differ: ${describeValue(shape1)} and ${describeValue(shape2)}`);
    for (let k = 0; k < shape1.length; k++) if (k !== dim && shape1[k] !== shape2[k]) throw new ShapeError(`${path}.config.shape2`, `dimension ${k} differs (${shape1[k]} vs ${shape2[k]})`);
    const out = shape1.map((d, k) => (k === dim ? d + shape2[k]! : d));
    c.out(out);
    return { ...L, cls: 'Concatenate', config: { shape1, shape2, axis, io_type: c.io }, types: mergeTypes(c), weights: {} };
  },
  reference(L) {
    const cfg = { ...L.config, name: L.name, types: L.types };
    return (xs, s) => concatenate(cfg, xs[0]!, xs[1]!, s ? { stats: s } : {});
  },
  emit(L, { ctx, cname: c, ins }) {
    const [a, b] = ins as [(typeof ins)[number], (typeof ins)[number]];
    warnInputType(ctx, L, 'input1', a);
    warnInputType(ctx, L, 'input2', b);
    const s1 = L.config.shape1;
    const s2 = L.config.shape2;
    const dim = concatDim(s1.length, L.config.axis);
    if (ctx.io === 'io_stream' && dim !== s1.length - 1) throw new UnsupportedError(`${L.name}.config.axis`, 'io_stream concatenation is supported along the last axis only');
    const outer = size(s1.slice(0, dim));
    const s = new Struct(`config_${c}`, `${L.name}: concatenate (axis dimension ${dim})`).u('n_outer', outer).u('n_inner1', size(s1.slice(dim))).u('n_inner2', size(s2.slice(dim)));
    return {
      layer: L,
      cname: c,
      typedefs: [],
      structs: [s.text()],
      arrays: [],
      headers: [MERGE_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::concatenate<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, is[1]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${iv[1]}, ${ov});`],
      summary: `Concatenate (dimension ${dim})`,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Kernel reference vectors
// ---------------------------------------------------------------------------------------------

function checkMergeCase(c: Case, kind: string): string | null {
  const cfg = obj(c, 'config');
  const t = caseTypes(c);
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

/** The two-input merge kinds. */
export const mergeModule = {
  kind: 'Merge',
  model: { Add: addModel, Concatenate: concatModel },
  hls: { Merge: mergeHls, Concatenate: concatHls },
  firmware: { Add: mergeFirmware, Concatenate: concatFirmware },
  kernels: Object.fromEntries([...MERGE_OPS, 'concatenate'].map((k) => [k, (c: Case) => checkMergeCase(c, k)])),
} satisfies LayerModule;
