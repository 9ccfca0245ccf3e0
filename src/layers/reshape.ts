/**
 * Reshape and Flatten (Keras `Reshape`, `Flatten`; hls4ml `Reshape`): a change of shape with the
 * element order unchanged (channels-last). io_parallel reshapes are in place (the result keeps the
 * input type); io_stream repacks the stream, in place too when a flatten feeds another layer.
 *
 * hls4ml sources: converters/keras/reshape.py, model/layers.py (Reshape), backends/fpga/passes/
 * inplace_parallel_reshape.py and inplace_stream_flatten.py, reshaping_templates.py, nnet_stream.h
 * (repack_stream).
 */
import { FormatError, ShapeError, describeValue } from '../errors.js';
import { frac, sameType } from '../fixed/types.js';
import { makeCaster } from '../fixed/quantize.js';
import { requantizeBigEvent } from '../fixed/quantize-big.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { HlsGraph, HlsNode } from '../graph/hls-graph.js';
import type { RawOutput } from '../kernels/common.js';
import { LayerCheck, lowered, typed } from './common.js';
import type { FirmwareClassSpec, HlsClassSpec, LayerModule, ModelClassSpec, RunFn } from './spec.js';
import { STREAM_HEADER } from '../emit/cpp/structural.js';

/** A firmware reshape: `target_shape` = the output shape. */
export interface ReshapeLayer extends FirmwareLayerBase<'Reshape', { target_shape: number[] }, never, never> {}

const flatten: ModelClassSpec = {
  keras: {
    arity: 'one',
    attrs(r) {
      r.channelsLast();
      return {};
    },
    outputShape: ([x = []]) => [x.reduce((p, d) => p * d, 1)],
  },
  hlsClass: () => 'Reshape',
  typeKey: () => 'Flatten',
  build: (l) => ({ cls: 'Reshape', attrs: { ...l.attrs, flatten: true } }),
  float: (_l, [x]) => x!,
};

const reshape: ModelClassSpec = {
  keras: {
    arity: 'one',
    attrs(r) {
      const v = r.config['target_shape'];
      if (!Array.isArray(v) || v.length === 0) throw new FormatError(r.field('target_shape'), `expected a list of dimensions, got ${describeValue(v)}`);
      const t = v.map((d) => (d === null ? -1 : d));
      if (t.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d === 0 || d < -1) || t.filter((d) => d === -1).length > 1) {
        throw new FormatError(r.field('target_shape'), `invalid target_shape ${describeValue(v)}`);
      }
      return { targetShape: t as number[] };
    },
    outputShape([x = []], a, r) {
      const total = x.reduce((p, d) => p * d, 1);
      const t = a.targetShape!;
      const known = t.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      const out = t.map((d) => (d === -1 ? total / known : d));
      if (out.some((d) => !Number.isInteger(d) || d < 1) || out.reduce((p, d) => p * d, 1) !== total) {
        throw new ShapeError(r.field('target_shape'), `cannot reshape [${x.join(', ')}] (${total} values) to ${describeValue(t)}`);
      }
      a.targetShape = out;
      return [...out];
    },
  },
  hlsClass: () => 'Reshape',
  typeKey: () => 'Reshape',
  build: (l) => ({ cls: 'Reshape', attrs: { ...l.attrs, flatten: false } }),
  float: (_l, [x]) => x!,
};

/**
 * hls4ml's in-place reshapes: io_parallel always, io_stream for a flatten that is not a graph
 * output — the result is the input itself, so it keeps the input's type.
 */
export function reshapeInPlace(g: HlsGraph, n: HlsNode): boolean {
  return g.ioType === 'io_parallel' || (n.shapeOut.length === 1 && !g.outputs.includes(n.name));
}

const hls: HlsClassSpec = {
  types: [{ name: 'result' }],
  infer(n, [x]) {
    if (n.types.result === 'auto') n.types.result = x!;
  },
  lower: (n, ctx): ReshapeLayer => ({
    ...lowered(n, ctx, 'Reshape', { target_shape: [...n.shapeOut] }),
    types: { input: ctx.inputTypes[0]!, result: reshapeInPlace(ctx.graph, n) ? ctx.inputTypes[0]! : typed(n, 'result') },
    weights: {},
  }),
};

function castRun(L: ReshapeLayer): RunFn {
  const tin = L.types.input;
  const tout = L.types.result;
  if (sameType(tin, tout)) return (xs) => xs[0]!;
  if (tin.W <= 53 && tout.W <= 53) {
    return (xs, s) => {
      const cast = makeCaster(frac(tin), tout, s?.result);
      const x = xs[0]! as Float64Array;
      const out = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) out[i] = cast(x[i]!);
      if (s) s.resultCount += x.length;
      return out;
    };
  }
  return (xs, s): RawOutput => {
    const big = Array.from(xs[0]! as ArrayLike<number | bigint>, (v) => requantizeBigEvent(BigInt(v), frac(tin), tout));
    if (s) {
      s.resultCount += big.length;
      for (const [, ev] of big) {
        if (ev === 1) s.result.wrapped++;
        else if (ev === 2) s.result.saturated++;
      }
    }
    return tout.W <= 53 ? Float64Array.from(big, ([v]) => Number(v)) : big.map(([v]) => v);
  };
}

const firmware: FirmwareClassSpec<ReshapeLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, ['target_shape']);
    if (c.size(L.shapeOut) !== c.size(L.shapeIn)) throw new ShapeError(`${path}.shapeOut`, `${describeValue(L.shapeOut)} has ${c.size(L.shapeOut)} elements, the input ${c.size(L.shapeIn)}`);
    const ts = c.ints('target_shape') ?? [...L.shapeOut];
    if (ts.length !== L.shapeOut.length || ts.some((d, k) => d !== L.shapeOut[k])) throw new ShapeError(`${path}.config.target_shape`, `is ${describeValue(ts)} but shapeOut is ${describeValue(L.shapeOut)}`);
    return { ...L, cls: 'Reshape', config: { target_shape: ts, io_type: c.io }, types: { input: c.type('input'), result: c.type('result') }, weights: {} };
  },
  reference: castRun,
  emit(L, { ctx, cname: c, ins }) {
    const inT = ins[0]!;
    const n = inT.size;
    return {
      layer: L,
      cname: c,
      typedefs: [],
      structs: [],
      arrays: [],
      headers: [STREAM_HEADER],
      call: (is, iv, out, ov) =>
        ctx.io === 'io_stream' ? [`hlsemu::repack<${is[0]!.wordType}, ${out.wordType}, ${n}>(${iv[0]}, ${ov});`] : [`hlsemu::copy<${is[0]!.elemType}, ${out.elemType}, ${n}>(${iv[0]}, ${ov});`],
      summary: `Reshape ${describeValue(inT.shape)} -> ${describeValue(L.shapeOut)}`,
    };
  },
};

/** The Reshape / Flatten kind. */
export const reshapeModule = {
  kind: 'Reshape',
  model: { Flatten: flatten, Reshape: reshape },
  hls: { Reshape: hls },
  firmware: { Reshape: firmware },
} satisfies LayerModule;
