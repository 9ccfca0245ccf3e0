/**
 * Precision diagnostics the conversion can give before anything runs: weights that quantize to
 * zero, and lookup tables whose index bits cannot resolve the input type. A weight type too narrow
 * for a layer's small weights silently prunes them (hls4ml prints `0.0000` and the firmware
 * multiplies by 0); a softmax whose exp-table index is the top bits of a very wide input type
 * cannot tell its logits apart. Neither shows as an overflow.
 */
import { quantizeDouble } from '../fixed/quantize.js';
import { formatFixedType, frac, type FixedType } from '../fixed/types.js';
import { FIRMWARE_CLASSES } from '../layers/registry.js';
import type { FirmwareClassSpec } from '../layers/spec.js';
import type { FirmwareGraph, FirmwareLayer } from './firmware.js';
import { kindOf, type HlsGraph } from './hls-graph.js';
import { weightToken } from './weights.js';

/** Share of a variable's non-zero weights that must quantize to zero before it is reported. */
export const ZEROED_WEIGHTS_THRESHOLD = 0.01;

/** One weight variable whose non-zero values partly quantize to zero. */
export interface ZeroedWeights {
  layer: string;
  variable: string;
  type: FixedType;
  /** Non-zero float values. */
  nonzero: number;
  /** Of those, how many the firmware holds as 0. */
  zeroed: number;
}

/**
 * The weight variables of a converted graph (after hls4ml's passes: fused BatchNormalization
 * weights included) where at least {@link ZEROED_WEIGHTS_THRESHOLD} of the non-zero values become
 * 0 in their fixed-point type. Variables of other precision classes (binary, exponent …) and
 * variables without a resolved type of their own are not checked.
 *
 * @example zeroedWeights(g).map((z) => `${z.layer}.${z.variable}: ${z.zeroed}/${z.nonzero}`)
 */
export function zeroedWeights(g: HlsGraph): ZeroedWeights[] {
  const out: ZeroedWeights[] = [];
  for (const n of g.nodes) {
    for (const [v, w] of Object.entries(n.weights)) {
      const t = n.types[v];
      if (t === undefined || t === 'auto' || kindOf(n, v) !== 'fixed' || t.W > 53) continue;
      // only values within two LSBs of 0 can become 0: those go through hls4ml's print / read back
      const near = 2 ** (1 - frac(t));
      let nonzero = 0;
      let zeroed = 0;
      for (let i = 0; i < w.data.length; i++) {
        const x = w.data[i]!;
        if (x === 0) continue;
        nonzero++;
        if (Math.abs(x) < near && quantizeDouble(Number(weightToken(x, t)), t) === 0) zeroed++;
      }
      if (nonzero === 0) continue;
      if (zeroed >= ZEROED_WEIGHTS_THRESHOLD * nonzero) out.push({ layer: n.name, variable: v, type: t, nonzero, zeroed });
    }
  }
  return out;
}

/**
 * The conversion warnings of {@link zeroedWeights}.
 *
 * @example zeroedWeightWarnings(g); // ['dense1.weight: 412 of 3136 non-zero weights (13.1 %) quantize to 0 in ap_fixed<6,1> …']
 */
export function zeroedWeightWarnings(g: HlsGraph): string[] {
  return zeroedWeights(g).map(
    (z) =>
      `${z.layer}.${z.variable}: ${z.zeroed} of ${z.nonzero} non-zero weights (${((100 * z.zeroed) / z.nonzero).toFixed(1)} %) quantize to 0 in ${formatFixedType(z.type)} (the firmware drops them; more fractional bits keep them)`,
  );
}

/**
 * One warning per lookup table whose index step (the real value one entry covers, fixed by the
 * input type's integer bits and the table size) is larger than the table can resolve its function
 * at (`LutProbe.maxStep`).
 *
 * @example lutResolutionWarnings(fw); // ['softmax: exp_table index … one entry spans 16 …']
 */
export function lutResolutionWarnings(fw: FirmwareGraph): string[] {
  const out: string[] = [];
  for (const L of fw.layers) {
    const spec = FIRMWARE_CLASSES[L.cls] as FirmwareClassSpec<FirmwareLayer> | undefined;
    for (const p of spec?.luts?.(L) ?? []) {
      if (p.step === undefined || p.maxStep === undefined || p.step <= p.maxStep) continue;
      out.push(
        `${L.name}: ${p.table} index cannot resolve its input: one of its ${p.size} entries spans ${p.step} in value (at most ${p.maxStep} resolves the function); fewer integer bits in the input type or a larger table fix it`,
      );
    }
  }
  return out;
}
