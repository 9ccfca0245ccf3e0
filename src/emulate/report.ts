/**
 * The overflow report: per layer, how many values wrapped or saturated in the accumulator casts and
 * in the result cast, and the largest |value| that reached the result cast compared with the range
 * of the result type — what hls4ml's C simulation cannot tell.
 */
import { LUT_DISTINCT_CAP, type KernelStats } from '../kernels/common.js';
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
  /** Lookup tables the layer read: how many entries the inputs reached. */
  luts?: LutReport[];
}

/** How one lookup table was used. */
export interface LutReport {
  table: string;
  size: number;
  /** Entries some input reached. */
  used: number;
  /** Distinct values the index was computed from (at least; counting stops at a small cap). */
  distinctInputs: number;
  /** True when different inputs could not be told apart: they all landed on one or two entries. */
  collapsed: boolean;
}

/** The whole report. */
export interface OverflowReport {
  samples: number;
  /** The input cast (float → input_t) of the first input port. */
  input: CastStats & { type: string };
  /** The input cast of every input port, in the model's input order (`inputs[0]` is `input`; set by `Emulator.predict`). */
  inputs?: Array<CastStats & { name: string; type: string }>;
  layers: LayerReport[];
  /** Precision problems beyond overflows (lookup tables that cannot resolve their inputs), one line each. */
  warnings: string[];
}

/** Build a layer report line from accumulated kernel stats. @example layerReport('dense1','Dense',t,stats) */
export function layerReport(layer: string, cls: string, t: FixedType, s: KernelStats): LayerReport {
  const any = (c: CastStats) => c.wrapped + c.saturated > 0;
  const luts = Object.entries(s.luts ?? {}).map(([table, u]): LutReport => {
    let used = 0;
    for (let i = 0; i < u.hits.length; i++) used += u.hits[i]!;
    return { table, size: u.hits.length, used, distinctInputs: u.distinct, collapsed: used <= 2 && u.distinct > used };
  });
  return {
    ...(luts.length ? { luts } : {}),
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
  const layers = graph.layers.map((L, i) => layerReport(L.name, L.cls, L.types.result, stats[i]!));
  return { samples, input: { ...newCastStats(), type: formatFixedType(graph.input.type) }, layers, warnings: precisionWarnings(layers) };
}

/**
 * One line per lookup table whose inputs collapsed onto one or two entries: the firmware cannot
 * tell those inputs apart (e.g. a stable softmax after a very wide 'auto' Dense result, whose
 * top index bits are all zero).
 *
 * @example precisionWarnings(report.layers); // ['softmax: exp_table lookup: …']
 */
export function precisionWarnings(layers: LayerReport[]): string[] {
  const out: string[] = [];
  for (const l of layers) {
    for (const t of l.luts ?? []) {
      if (!t.collapsed) continue;
      out.push(`${l.layer}: ${t.table} lookup collapsed: ${t.distinctInputs >= LUT_DISTINCT_CAP ? `${LUT_DISTINCT_CAP}+` : t.distinctInputs} distinct inputs reached only ${t.used} of ${t.size} entries, so the layer cannot tell them apart (widen the index: fewer integer bits in the input type, or a larger table_size)`);
    }
  }
  return out;
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
  const head =
    r.inputs && r.inputs.length > 1
      ? `${r.samples} samples; ${r.inputs.map((i) => `input ${i.name} ${i.type}: ${i.wrapped} wrapped, ${i.saturated} saturated`).join('; ')}`
      : `${r.samples} samples; input ${r.input.type}: ${r.input.wrapped} wrapped, ${r.input.saturated} saturated`;
  return [head, ...lines, ...(r.warnings ?? []).map((w) => `warning: ${w}`)].join('\n');
}
