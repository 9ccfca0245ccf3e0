/**
 * The overflow report: per layer, how many values wrapped or saturated in the accumulator casts and
 * in the result cast, and the largest |value| that reached the result cast compared with the range
 * of the result type — what hls4ml's C simulation cannot tell.
 */
import type { KernelStats } from '../kernels/common.js';
import { formatFixedType, maxValue, minValue, type FixedType } from '../fixed/types.js';
import { newCastStats, type CastStats } from '../fixed/quantize.js';
import type { FirmwareGraph } from '../graph/firmware.js';

/** One layer's line of the report. */
export interface LayerReport {
  layer: string;
  cls: string;
  resultType: string;
  /** Casts into accum_t (products, running sums). */
  accum: CastStats;
  /** Casts into result_t. */
  result: CastStats;
  /** Other typed casts (table indices, inv_inp_t, …). */
  internal: CastStats;
  /** Values cast to result_t. */
  resultCount: number;
  /** Largest |value| seen before the result cast, and the result type's range. */
  maxAbs: number;
  range: [number, number];
  /** True when anything in this layer wrapped or saturated. */
  overflowed: boolean;
}

/** The whole report. */
export interface OverflowReport {
  samples: number;
  /** The input cast (float → input_t). */
  input: CastStats & { type: string };
  layers: LayerReport[];
}

/** Build a layer report line from accumulated kernel stats. @example layerReport('dense1','Dense',t,stats) */
export function layerReport(layer: string, cls: string, t: FixedType, s: KernelStats): LayerReport {
  const any = (c: CastStats) => c.wrapped + c.saturated > 0;
  return {
    layer,
    cls,
    resultType: formatFixedType(t),
    accum: { ...s.accum },
    result: { ...s.result },
    internal: { ...s.internal },
    resultCount: s.resultCount,
    maxAbs: s.maxAbsPreResult,
    range: [minValue(t), maxValue(t)],
    overflowed: any(s.accum) || any(s.result) || any(s.internal),
  };
}

/**
 * The report of a run over `samples` inputs from per-layer kernel stats (input cast counted separately).
 *
 * @example const report = buildReport(fw, stats, 16);
 */
export function buildReport(graph: FirmwareGraph, stats: KernelStats[], samples: number): OverflowReport {
  return {
    samples,
    input: { ...newCastStats(), type: formatFixedType(graph.input.type) },
    layers: graph.layers.map((L, i) => layerReport(L.name, L.cls, L.types.result, stats[i]!)),
  };
}

/**
 * Render a report as an aligned text table.
 *
 * @example console.log(formatReport(result.report!));
 */
export function formatReport(r: OverflowReport): string {
  const rows = [['layer', 'result type', 'accum wrap/sat', 'result wrap/sat', 'max |x|', 'range']];
  for (const l of r.layers) {
    rows.push([
      `${l.overflowed ? '! ' : '  '}${l.layer}`,
      l.resultType,
      `${l.accum.wrapped}/${l.accum.saturated}`,
      `${l.result.wrapped}/${l.result.saturated}`,
      l.resultCount ? l.maxAbs.toPrecision(4) : '-',
      `[${l.range[0]}, ${l.range[1]}]`,
    ]);
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r2) => r2[i]!.length)));
  const lines = rows.map((r2) => r2.map((c, i) => c.padEnd(w[i]!)).join('  '));
  lines.splice(1, 0, w.map((n) => '-'.repeat(n)).join('  '));
  return [`${r.samples} samples; input ${r.input.type}: ${r.input.wrapped} wrapped, ${r.input.saturated} saturated`, ...lines].join('\n');
}
