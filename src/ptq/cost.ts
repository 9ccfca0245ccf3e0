/**
 * A hardware cost model of a converted (firmware) graph, per layer — what a per-layer type search
 * minimises. See docs/ptq.md ("Cost model") for the rules, their sources and their limits.
 *
 * - **BOPs** (bit operations, the metric of the quantization-aware-training literature): per layer
 *   MACs × weight bits × input bits, with MACs = the layer kind's multiply-accumulates per sample
 *   (`FirmwareClassSpec.macs` in the layer registry), weight bits = the width of the layer's
 *   `weight` type (`scale` for BatchNormalization), input bits = the width of its `input` type.
 *   Layers whose kind declares no MACs (pooling, activations, reshapes, softmax) count 0.
 * - **DSP / LUT split**: a multiplier whose two operands are both at most `lutMaxBits` (default
 *   10) bits wide is assumed to be built from LUTs (≈ wa·wb LUT6, plus an accumulator adder of the
 *   accumulator width), anything wider takes DSP48E2 slices (27×18 signed multipliers:
 *   ⌈max/27⌉·⌈min/18⌉ each; the adder is in the DSP). Physical multipliers = MACs ÷ reuse factor
 *   in io_parallel; in io_stream a layer computes one pixel at a time, so MACs ÷ pixels ÷ reuse factor.
 * - **Memory**: weight bits (every weight array × the width of its type) and, in io_stream, the
 *   FIFO bits of every stream (hls4ml's default depth = pixels, each entry one pixel of channels:
 *   values × result width).
 */
import type { FixedType } from '../fixed/types.js';
import type { FirmwareGraph, FirmwareLayer } from '../graph/firmware.js';
import { shapeSize } from '../graph/firmware.js';
import type { FirmwareClassSpec } from '../layers/spec.js';
import { FIRMWARE_CLASSES } from '../layers/registry.js';
import { ConfigError } from '../errors.js';

/** What a type search can minimise. */
export type CostObjective = 'bops' | 'dsp' | 'lut';
/** The objectives, for flag parsing. */
export const COST_OBJECTIVES: readonly CostObjective[] = ['bops', 'dsp', 'lut'];

/** Options of the cost model. */
export interface CostOptions {
  /** Multipliers with both operands at most this wide go to LUTs (default 10). */
  lutMaxBits?: number;
}

/** One layer's cost. */
export interface LayerCost {
  layer: string;
  cls: string;
  /** Multiply-accumulates per sample (0 when the kind declares none). */
  macs: number;
  /** Operand widths of the multiplies (weight/scale type, input type); absent without MACs. */
  weightBits?: number;
  inputBits?: number;
  /** MACs × weightBits × inputBits. */
  bops: number;
  /** Multipliers instantiated (MACs ÷ reuse factor, per pixel in io_stream). */
  multipliers: number;
  /** Where they go under the LUT/DSP rule. */
  target?: 'dsp' | 'lut';
  dsp: number;
  lut: number;
  /** Σ weight array values × width of their type. */
  weightMemoryBits: number;
  /** io_stream: the output stream FIFO (values × result width); 0 in io_parallel. */
  fifoBits: number;
}

/** A whole graph's cost (sums of the layers', plus the input stream's FIFO). */
export interface ModelCost {
  ioType: FirmwareGraph['ioType'];
  lutMaxBits: number;
  layers: LayerCost[];
  macs: number;
  bops: number;
  dsp: number;
  lut: number;
  /** Weight memory, bits. */
  weightBits: number;
  /** Stream FIFOs, bits (io_stream only). */
  fifoBits: number;
}

/**
 * DSP48E2 slices and LUT6s of one multiplier of a `wa`-bit by a `wb`-bit operand (plus its
 * accumulator adder of `accBits` when it is built in LUTs).
 *
 * @example multiplierCost(16, 16) // { target: 'dsp', dsp: 1, lut: 0 }
 * multiplierCost(8, 6, { accBits: 20 }) // { target: 'lut', dsp: 0, lut: 68 }
 * multiplierCost(32, 16) // { target: 'dsp', dsp: 2, lut: 0 }
 */
export function multiplierCost(wa: number, wb: number, opts: CostOptions & { accBits?: number } = {}): { target: 'dsp' | 'lut'; dsp: number; lut: number } {
  const lim = opts.lutMaxBits ?? 10;
  if (wa <= lim && wb <= lim) return { target: 'lut', dsp: 0, lut: wa * wb + (opts.accBits ?? 0) };
  const hi = Math.max(wa, wb);
  const lo = Math.min(wa, wb);
  return { target: 'dsp', dsp: Math.ceil(hi / 27) * Math.ceil(lo / 18), lut: 0 };
}

function typeOf(L: FirmwareLayer, v: string): FixedType | undefined {
  return (L.types as Record<string, FixedType | undefined>)[v];
}

/**
 * The cost of one firmware layer (see the module header).
 *
 * @example layerCost(fw.layers[0]!).bops
 */
export function layerCost(L: FirmwareLayer, ioType: FirmwareGraph['ioType'], opts: CostOptions = {}): LayerCost {
  const spec = FIRMWARE_CLASSES[L.cls] as FirmwareClassSpec<FirmwareLayer> | undefined;
  const macs = spec?.macs?.(L) ?? 0;
  const out: LayerCost = { layer: L.name, cls: L.cls, macs, bops: 0, multipliers: 0, dsp: 0, lut: 0, weightMemoryBits: 0, fifoBits: 0 };
  const input = typeOf(L, 'input');
  const result = typeOf(L, 'result');
  if (macs > 0 && input) {
    // the multiplying operand: the layer's weights (BN: its scale); kinds without either multiply inputs
    const w = typeOf(L, 'weight') ?? typeOf(L, 'scale') ?? input;
    out.weightBits = w.W;
    out.inputBits = input.W;
    out.bops = macs * w.W * input.W;
    const rf = Math.max(1, Number((L.config as { reuse_factor?: number }).reuse_factor ?? 1) || 1);
    const last = L.shapeOut.length ? L.shapeOut[L.shapeOut.length - 1]! : 1;
    const pixels = ioType === 'io_stream' && L.shapeOut.length > 1 ? Math.max(1, shapeSize(L.shapeOut) / Math.max(1, last)) : 1;
    out.multipliers = Math.ceil(macs / pixels / rf);
    const acc = typeOf(L, 'accum') ?? result;
    const m = multiplierCost(w.W, input.W, { ...opts, accBits: acc?.W ?? 0 });
    out.target = m.target;
    out.dsp = out.multipliers * m.dsp;
    out.lut = out.multipliers * m.lut;
  }
  for (const [k, arr] of Object.entries(L.weights as Record<string, Float64Array>)) {
    const t = typeOf(L, k) ?? (k === 'scale_sign' ? undefined : typeOf(L, 'weight'));
    if (t) out.weightMemoryBits += arr.length * t.W;
  }
  if (ioType === 'io_stream' && result) out.fifoBits = shapeSize(L.shapeOut) * result.W;
  return out;
}

/**
 * The cost of a whole firmware graph.
 *
 * @example const c = firmwareCost(convertModel(model, config)); c.bops; c.dsp; c.lut; c.weightBits
 */
export function firmwareCost(fw: FirmwareGraph, opts: CostOptions = {}): ModelCost {
  const lim = opts.lutMaxBits ?? 10;
  if (!(Number.isInteger(lim) && lim >= 0)) throw new ConfigError('lutMaxBits', `must be a non-negative integer, got ${lim}`);
  const layers = fw.layers.map((L) => layerCost(L, fw.ioType, opts));
  const sum = (f: (l: LayerCost) => number) => layers.reduce((t, l) => t + f(l), 0);
  const inputFifo = fw.ioType === 'io_stream' ? shapeSize(fw.input.shape) * fw.input.type.W : 0;
  return {
    ioType: fw.ioType,
    lutMaxBits: lim,
    layers,
    macs: sum((l) => l.macs),
    bops: sum((l) => l.bops),
    dsp: sum((l) => l.dsp),
    lut: sum((l) => l.lut),
    weightBits: sum((l) => l.weightMemoryBits),
    fifoBits: sum((l) => l.fifoBits) + inputFifo,
  };
}

/**
 * The value an objective minimises, with ties broken by BOPs (a DSP or LUT count is flat over
 * many bit widths): `[primary, bops]`.
 *
 * @example objectiveOf(cost, 'dsp') // [12, 2.1e7]
 */
export function objectiveOf(c: ModelCost, objective: CostObjective): [number, number] {
  switch (objective) {
    case 'bops':
      return [c.bops, c.weightBits];
    case 'dsp':
      return [c.dsp, c.bops];
    case 'lut':
      return [c.lut, c.bops];
    default:
      throw new ConfigError('--objective', `unknown objective '${String(objective)}' (bops, dsp or lut)`);
  }
}

/** Lexicographic comparison of two objective values (negative when `a` is cheaper). */
export function compareObjective(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

/** `1.23e7` → `12.3 M`. @example formatCount(21_300_000) // '21.3 M' */
export function formatCount(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)} k`;
  return String(Math.round(x));
}
