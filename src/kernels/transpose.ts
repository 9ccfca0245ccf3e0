/**
 * Permute / transpose, `nnet::transpose` (`nnet_transpose.h`, `nnet_transpose_stream.h`; Keras
 * Permute(dims) → perm = dims − 1, ONNX Transpose): `out[i] = (result_t) in[Σ_d u_d·perm_strides[d]]`
 * with u = unravel(i, to_shape). io_stream buffers the whole tensor and computes the same.
 */
import { ConfigError, ShapeError } from '../errors.js';
import { frac, type FixedType } from '../fixed/index.js';
import { allocOut, BIG, choosePath, intField, ioTypeField, layerName, notePreResult, NUM, readRaw, storeOut, typedCaster, typeField, type Arith, type KernelOptions, type RawInput, type RawOutput } from './common.js';

/** The arrays of hls4ml's transpose config struct (`transpose_config_gen`). */
export interface TransposeGeometry {
  dims: number;
  N: number;
  from_shape: number[];
  to_shape: number[];
  perm: number[];
  perm_strides: number[];
}

/** Config of `nnet::transpose`: `from_shape` and `perm`; the derived fields are checked when given. */
export interface TransposeConfig {
  name?: string;
  from_shape: readonly number[];
  perm: readonly number[];
  dims?: number;
  N?: number;
  to_shape?: readonly number[];
  perm_strides?: readonly number[];
  io_type?: string;
  types: { input: FixedType; result: FixedType };
}

/**
 * hls4ml's `transpose_config_gen`: `to_shape[d] = shape[perm[d]]`, `perm_strides[d]` = the row-major
 * stride of input axis `perm[d]`.
 *
 * @example transposeGeometry([2, 3], [1, 0]).perm_strides; // [1, 3]
 */
export function transposeGeometry(shape: readonly number[], perm: readonly number[], layer = 'transpose'): TransposeGeometry {
  if (!Array.isArray(shape) || shape.length === 0) throw new ShapeError(`${layer}.from_shape`, `must be a non-empty array, got ${JSON.stringify(shape)}`);
  const from = shape.map((d, k) => intField(layer, `from_shape[${k}]`, d));
  if (!Array.isArray(perm) || perm.length !== from.length) throw new ConfigError(`${layer}.perm`, `must list the ${from.length} axes once each, got ${JSON.stringify(perm)}`);
  const seen = new Set<number>();
  perm.forEach((p, k) => {
    intField(layer, `perm[${k}]`, p, 0);
    if (p >= from.length || seen.has(p)) throw new ConfigError(`${layer}.perm`, `is not a permutation of 0..${from.length - 1}: ${JSON.stringify(perm)}`);
    seen.add(p);
  });
  const strides = from.map((_, d) => from.slice(d + 1).reduce((a, b) => a * b, 1));
  return {
    dims: from.length,
    N: from.reduce((a, b) => a * b, 1),
    from_shape: from,
    to_shape: perm.map((p) => from[p]!),
    perm: [...perm],
    perm_strides: perm.map((p) => strides[p]!),
  };
}

function sameArr(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, k) => v === b[k]);
}

/**
 * `nnet::transpose`.
 *
 * @example transpose({ from_shape: [2, 3], perm: [1, 0], types: { input: t, result: t } }, [1, 2, 3, 4, 5, 6]); // [1, 4, 2, 5, 3, 6]
 */
export function transpose(cfg: TransposeConfig, x: RawInput, opts: KernelOptions = {}): RawOutput {
  const layer = layerName(cfg ?? {}, 'transpose');
  if (!cfg || typeof cfg !== 'object') throw new ConfigError(layer, 'missing config');
  ioTypeField(layer, cfg.io_type);
  const g = transposeGeometry(cfg.from_shape, cfg.perm, layer);
  if (cfg.dims !== undefined && cfg.dims !== g.dims) throw new ConfigError(`${layer}.dims`, `expected ${g.dims}, got ${JSON.stringify(cfg.dims)}`);
  if (cfg.N !== undefined && cfg.N !== g.N) throw new ShapeError(`${layer}.N`, `expected ${g.N}, got ${JSON.stringify(cfg.N)}`);
  if (cfg.to_shape !== undefined && !sameArr(cfg.to_shape, g.to_shape)) throw new ShapeError(`${layer}.to_shape`, `expected ${JSON.stringify(g.to_shape)}, got ${JSON.stringify(cfg.to_shape)}`);
  if (cfg.perm_strides !== undefined && !sameArr(cfg.perm_strides, g.perm_strides)) {
    throw new ConfigError(`${layer}.perm_strides`, `expected ${JSON.stringify(g.perm_strides)} for this shape and perm, got ${JSON.stringify(cfg.perm_strides)}`);
  }
  const tt = cfg.types as unknown as Record<string, FixedType>;
  const tin = typeField(layer, tt, 'input');
  const tres = typeField(layer, tt, 'result');
  const go = <T extends number | bigint>(A: Arith<T>): RawOutput => {
    const xs = readRaw(A, layer, 'input', x, tin, g.N);
    const out = allocOut(layer, g.N, tres, opts.out);
    const cast = typedCaster(A, tin, tres, opts.stats?.result);
    const D = g.dims;
    for (let i = 0; i < g.N; i++) {
      let rest = i;
      let idx = 0;
      for (let d = D - 1; d >= 0; d--) {
        idx += (rest % g.to_shape[d]!) * g.perm_strides[d]!;
        rest = Math.floor(rest / g.to_shape[d]!);
      }
      const v = xs[idx]!;
      if (opts.stats) notePreResult(opts.stats, v, frac(tin));
      storeOut(out, i, cast(v));
    }
    return out;
  };
  return choosePath(layer, Math.max(tin.W + 1, tres.W), opts.path) ? go(BIG) : go(NUM);
}
