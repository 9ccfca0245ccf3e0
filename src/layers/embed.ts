/**
 * Embedding (Keras `Embedding`; hls4ml `Embedding`; `nnet::embedding`): each input value is an index
 * into the (vocab_size × n_out) embedding matrix.
 *
 * hls4ml sources: converters/keras/core.py (parse_embedding_layer: n_in = input_shapes[0][1] — only
 * the first axis of the input, vocab_size = input_dim, n_out = output_dim, weight `embeddings`;
 * mask_zero not read), converters/keras/core.py parse_input_layer + model/layers.py Input (an
 * integer input dtype names the type `integer_input_t` but the precision is the configured one),
 * model/layers.py (Embedding: weight `e{index}`, types embeddings, result),
 * model/optimizer/passes/infer_precision.py (_infer_embedding_precision: both → Model default),
 * backends/fpga/passes/embedding.py (embed_config), backends/vivado/vivado_backend.py (init_embed:
 * 'Input length of Embedding layer must be specified.'), nnet_utils/nnet_embed*.h.
 */
import { ConfigError, ShapeError, UnsupportedError, ValueError } from '../errors.js';
import { formatFixedType, frac, maxRaw, type FixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import { requireRank } from '../import/keras-config.js';
import { embedding } from '../kernels/index.js';
import { Struct, tArg, warnInputType } from '../emit/layers.js';
import { EMBED_HEADER } from '../emit/cpp/reshape-ext.js';
import { LayerCheck, lowered, rawWeights, reuseFactorOf, typed } from './common.js';
import type { FirmwareClassSpec, HlsClassSpec, LayerModule, ModelClassSpec } from './spec.js';

/** `embed_config` fields. */
export interface EmbeddingFirmwareConfig {
  n_in: number;
  n_out: number;
  vocab_size: number;
  reuse_factor: number;
}

/** A firmware embedding layer (`weights.embeddings`: vocab_size × n_out, row-major, raws of embeddings_t). */
export interface EmbeddingLayer extends FirmwareLayerBase<'Embedding', EmbeddingFirmwareConfig, 'embeddings', 'embeddings'> {}

const model: ModelClassSpec = {
  keras: {
    arity: 'one',
    attrs: (r) => ({ inputDim: r.int('input_dim'), outputDim: r.int('output_dim'), maskZero: r.bool('mask_zero', false) }),
    outputShape([x = []], a, r) {
      requireRank(r, x, 1, 'Embedding (hls4ml reads only the first input axis)');
      return [x[0]!, a.outputDim as number];
    },
    weights: (a) => [{ name: 'embeddings', shape: [a.inputDim as number, a.outputDim as number] }],
  },
  hlsClass: () => 'Embedding',
  typeKey: () => 'Embedding',
  build(l, ctx) {
    const e = l.weights.embeddings;
    if (!e) throw new ConfigError(`${ctx.where}.embeddings`, 'missing embedding matrix');
    if (l.attrs.maskZero === true) ctx.warn(`${l.name}: hls4ml ignores mask_zero (the embedding of index 0 is computed, no mask is propagated)`);
    return { cls: 'Embedding', attrs: { vocab_size: l.attrs.inputDim, n_out: l.attrs.outputDim }, weights: { embeddings: { data: e.data, shape: e.shape } } };
  },
  float(l, [x], ctx) {
    const nIn = l.inputShapes[0]![0]!;
    const nOut = l.attrs.outputDim as number;
    const vocab = l.attrs.inputDim as number;
    const e = l.weights.embeddings!.data;
    const y = new Float64Array(ctx.n * nIn * nOut);
    for (let j = 0; j < ctx.n * nIn; j++) {
      const k = Math.trunc(x![j]!); // Keras casts the indices to int32
      if (!(k >= 0 && k < vocab)) throw new ValueError(`${ctx.where}.input[${j}]`, `index ${x![j]} is outside the vocabulary [0, ${vocab})`);
      for (let i = 0; i < nOut; i++) y[j * nOut + i] = e[k * nOut + i]!;
    }
    return y;
  },
};

/** Whether every index 0 … vocab−1 is exactly representable in the input type. */
function holdsIndices(t: FixedType, vocab: number): boolean {
  const F = frac(t);
  return vocab <= 1 || (F >= 0 && (vocab - 1) * 2 ** F <= maxRaw(t));
}

const hls: HlsClassSpec = {
  types: [{ name: 'result' }, { name: 'embeddings' }],
  settings: [{ name: 'reuse_factor', default: 1, backend: true }],
  lower(n, ctx): EmbeddingLayer {
    const t = typed(n, 'embeddings');
    const vocab = Number(n.attrs.vocab_size);
    const nOut = Number(n.attrs.n_out);
    const w = rawWeights(n, 'embeddings', t);
    if (w.raw.length !== vocab * nOut) throw new ShapeError(`${n.name}.embeddings`, `expected ${vocab}·${nOut} values, got ${w.raw.length}`);
    const input = ctx.inputTypes[0]!;
    if (!holdsIndices(input, vocab)) {
      ctx.warn(`${n.name}: hls4ml reads the embedding indices in the input precision ${formatFixedType(input)}, which cannot hold every index up to ${vocab - 1} (set the input layer's precision to an integer type)`);
    }
    return {
      ...lowered(n, ctx, 'Embedding', { n_in: n.shapeIn[0]![0]!, n_out: nOut, vocab_size: vocab, reuse_factor: reuseFactorOf(n) }),
      types: { input, result: typed(n, 'result'), embeddings: t },
      weights: { embeddings: w.raw },
      text: { embeddings: w.text },
    };
  },
};

const firmware: FirmwareClassSpec<EmbeddingLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, ['n_in', 'n_out', 'vocab_size']);
    const [nIn] = c.rank(1);
    const nOut = c.int('n_out', 1);
    c.out([nIn!, nOut]);
    const vocab = c.int('vocab_size', 1);
    const config: EmbeddingFirmwareConfig = { n_in: c.equal('n_in', nIn!), n_out: nOut, vocab_size: vocab, reuse_factor: c.int('reuse_factor', 1, 1) };
    return { ...L, cls: 'Embedding', config: { ...config, io_type: c.io }, types: { input: c.type('input'), result: c.type('result'), embeddings: c.type('embeddings') }, weights: { embeddings: c.weight('embeddings', vocab * nOut) } };
  },
  reference(L) {
    const cfg = { ...L.config, name: L.name, types: L.types };
    return (xs, s) => embedding(cfg, xs[0]!, L.weights.embeddings, s ? { stats: s } : {});
  },
  emit(L, { ctx, cname: c, ins }) {
    warnInputType(ctx, L, 'input', ins[0]!);
    const g = L.config;
    if (ctx.io === 'io_stream' && ins[0]!.wordSize !== g.n_in) throw new UnsupportedError(`${L.name}.inputs`, 'the io_stream embedding reads all indices in one word');
    const s = new Struct(`config_${c}`, `${L.name}: embedding of ${g.n_in} indices into ${g.vocab_size}x${g.n_out}`)
      .u('n_in', g.n_in).u('n_out', g.n_out).u('vocab_size', g.vocab_size).u('reuse_factor', g.reuse_factor).t('embeddings_t', `${c}_weight_t`);
    return {
      layer: L,
      cname: c,
      typedefs: [[`${c}_weight_t`, L.types.embeddings]],
      structs: [s.text()],
      arrays: [{ name: `${c}_w`, elemType: `${c}_weight_t`, type: L.types.embeddings, values: L.weights.embeddings, description: `${L.name} embeddings (${g.vocab_size} x ${g.n_out}, row-major)` }],
      headers: [EMBED_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::embedding<${tArg(ctx.io, is[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}, ${c}_w);`],
      summary: `Embedding ${g.vocab_size}x${g.n_out}`,
    };
  },
};

/** The embedding kind. */
export const embeddingModule = {
  kind: 'Embedding',
  model: { Embedding: model },
  hls: { Embedding: hls },
  firmware: { Embedding: firmware },
} satisfies LayerModule;
