/**
 * Embedding, `nnet::embedding` (`nnet_embed.h`, `nnet_embed_stream.h`):
 * `y[j·n_out + i] = (result_t) embeddings[int(x[j]·n_out + i)]` — the index is computed exactly
 * from the input value and truncated toward zero (the conversion of an ap_fixed to an integer).
 * io_stream reads one word of n_in indices and writes n_in words of n_out values (same order).
 */
import { ConfigError, ValueError } from '../errors.js';
import { frac, type FixedType } from '../fixed/index.js';
import { BIG, NUM, allocOut, choosePath, intField, layerName, notePreResult, readRaw, storeOut, typeField, typedCaster, type Arith, type KernelOptions, type RawInput, type RawOutput } from './common.js';

/** Config of `nnet::embedding` (hls4ml `embed_config` names). */
export interface EmbeddingConfig {
  name?: string;
  n_in: number;
  n_out: number;
  vocab_size: number;
  io_type?: string;
  types: { input: FixedType; embeddings: FixedType; result: FixedType };
}

/**
 * `int(x·n_out + i)` for a raw x with F fractional bits: exact, truncated toward zero.
 *
 * @example embeddingIndex(3 * 1024, 10, 4, 1); // 13
 */
export function embeddingIndex(xRaw: number | bigint, F: number, nOut: number, i: number): number {
  if (typeof xRaw === 'number' && F >= 0 && F <= 52) {
    const v = xRaw * nOut + i * 2 ** F;
    if (Math.abs(v) < 2 ** 53) return Math.trunc(v / 2 ** F) + 0;
  }
  const x = BigInt(xRaw) * BigInt(nOut);
  if (F <= 0) return Number((x << BigInt(-F)) + BigInt(i));
  const v = x + (BigInt(i) << BigInt(F));
  return Number(v / (1n << BigInt(F)));
}

/**
 * `nnet::embedding`; `embeddings` = the Keras (vocab_size, n_out) matrix row-major, raws of `types.embeddings`.
 *
 * @example embedding({ n_in: 1, n_out: 2, vocab_size: 2, types: { input: parseFixedType('ap_uint<4>'), embeddings: t, result: t } }, [1], [10, 11, 12, 13]); // [12, 13]
 */
export function embedding(cfg: EmbeddingConfig, x: RawInput, embeddings: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'embedding');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  if (cfg.io_type !== undefined && cfg.io_type !== 'io_parallel' && cfg.io_type !== 'io_stream') {
    throw new ConfigError(`${layer}.io_type`, `must be 'io_parallel' or 'io_stream', got ${JSON.stringify(cfg.io_type)}`);
  }
  const nIn = intField(layer, 'n_in', cfg.n_in);
  const nOut = intField(layer, 'n_out', cfg.n_out);
  const vocab = intField(layer, 'vocab_size', cfg.vocab_size);
  const tt = cfg.types as unknown as Record<string, FixedType>;
  const tin = typeField(layer, tt, 'input');
  const te = typeField(layer, tt, 'embeddings');
  const tres = typeField(layer, tt, 'result');
  const F = frac(tin);
  const go = <T extends number | bigint>(A: Arith<T>): RawOutput => {
    const xs = readRaw(A, layer, 'input', x, tin, nIn);
    const emb = readRaw(A, layer, 'embeddings', embeddings, te, vocab * nOut);
    const out = allocOut(layer, nIn * nOut, tres, opts.out);
    const cast = typedCaster(A, te, tres, opts.stats?.result);
    const size = vocab * nOut;
    for (let j = 0; j < nIn; j++) {
      const xj = xs[j]!;
      for (let i = 0; i < nOut; i++) {
        const q = embeddingIndex(xj, F, nOut, i);
        if (q < 0 || q >= size) {
          throw new ValueError(`${layer}.input[${j}]`, `embedding index ${q} is outside [0, ${size}) (input value outside the vocabulary): the kernel would read out of bounds`);
        }
        const e = emb[q]!;
        if (opts.stats) notePreResult(opts.stats, e, frac(te));
        storeOut(out, j * nOut + i, cast(e));
      }
    }
    return out;
  };
  return choosePath(layer, Math.max(te.W + 1, tres.W, tin.W + 1), opts.path) ? go(BIG) : go(NUM);
}
