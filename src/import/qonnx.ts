/**
 * QONNX quantizers: the float semantics of `Quant` (a.k.a. `IntQuant`) and `BipolarQuant` nodes, and
 * their mapping onto ap_fixed types the way hls4ml's QONNX flow does it
 * (`hls4ml/model/optimizer/passes/quant_opt.py`, `_calculate_precision_quantizer`):
 *
 * - only a zero zero-point and a single positive power-of-two scale 2^k have a fixed-point
 *   equivalent: `bit_width` b ⇒ `ap_fixed<b, b+k>` (signed) / `ap_ufixed<b, b+k>` (unsigned);
 * - `rounding_mode` ROUND (half to even) ⇒ AP_RND_CONV, FLOOR ⇒ AP_TRN (hls4ml supports no other);
 * - overflow: AP_SAT, or AP_SAT_SYM when `narrow` (narrow is supported for signed quantizers only).
 *
 * Non-power-of-two or unequal per-channel scales and non-zero zero-points take hls4ml's ApplyAlpha
 * route ({@link quantRoute}, {@link quantIntegerType}): the quantizer works on integer codes
 * `fixed<b, b>` between a scale and a rescale layer (`quant_opt.py`, QuantToAlphaActivationAlpha and
 * ConstQuantToConstAlpha). Other rounding modes and narrow unsigned ranges are UnsupportedErrors that
 * say why, as in hls4ml. See docs/import-onnx.md for the table.
 */
import { UnsupportedError } from '../errors.js';
import { fixedType, type FixedType } from '../fixed/types.js';
import type { WeightQuantizer } from '../graph/model.js';

/** The constant parameters of one QONNX `Quant` node (scale / zero-point may be per-channel tensors). */
export interface QuantParams {
  scale: ArrayLike<number>;
  zeroPoint: ArrayLike<number>;
  bitWidth: number;
  signed: boolean;
  narrow: boolean;
  /** As written in the node ('ROUND', 'FLOOR', …); compared case-insensitively. */
  roundingMode: string;
}

/** Smallest integer a Quant produces (before re-scaling), per the QONNX reference implementation. @example quantMinInt(true, true, 8) // -127 */
export function quantMinInt(signed: boolean, narrow: boolean, bitWidth: number): number {
  if (signed && narrow) return -(2 ** (bitWidth - 1)) + 1;
  if (signed) return -(2 ** (bitWidth - 1));
  return 0;
}

/** Largest integer a Quant produces (before re-scaling), per the QONNX reference implementation. @example quantMaxInt(false, false, 4) // 15 */
export function quantMaxInt(signed: boolean, narrow: boolean, bitWidth: number): number {
  if (!signed && !narrow) return 2 ** bitWidth - 1;
  if (!signed && narrow) return 2 ** bitWidth - 2;
  return 2 ** (bitWidth - 1) - 1;
}

/** Round half to even (numpy `np.round`). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The rounding function of a QONNX rounding mode (ROUND = half to even, CEIL, FLOOR, UP = away from
 * zero, DOWN = toward zero, HALF_UP = half away from zero, HALF_DOWN = half toward zero).
 *
 * @example qonnxRounding('ROUND')(2.5); // 2
 */
export function qonnxRounding(mode: string): (v: number) => number {
  switch (mode.toUpperCase()) {
    case 'ROUND':
    case 'HALF_EVEN':
      return roundHalfEven;
    case 'CEIL':
      return Math.ceil;
    case 'FLOOR':
      return Math.floor;
    case 'UP':
      return (v) => (v < 0 ? -Math.ceil(-v) : Math.ceil(v));
    case 'DOWN':
      return Math.trunc;
    case 'HALF_UP':
      return (v) => (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5));
    case 'HALF_DOWN':
      return (v) => (v < 0 ? -Math.ceil(-v - 0.5) : Math.ceil(v - 0.5));
    default:
      throw new UnsupportedError('rounding_mode', `unknown QONNX rounding mode '${mode}'`);
  }
}

/**
 * The integer codes hls4ml stores for ApplyAlpha-route weights (zero-point 0: the callers refuse
 * others): ConstQuantToConstAlpha (`quant_opt.py`) divides the constant's own float32 values by the
 * float32 scale in float32; QuantNodeQuantizer (`quantizers.py`) then clamps to the code range
 * (`[−2^(b−1) (+1 if narrow), 2^(b−1) − 1]`, unsigned `[0, 2^b − 1]`) and rounds half to even
 * (ROUND) or down (FLOOR). Near a rounding boundary the float32 quotient can round differently
 * from QONNX's float64 `x/scale`, so these are hls4ml's codes, not QONNX's.
 *
 * @example hls4mlAlphaCodes([0.35], [0.1], { scale: [0.1], zeroPoint: [0], bitWidth: 8, signed: true, narrow: false, roundingMode: 'ROUND' }); // [4]
 */
export function hls4mlAlphaCodes(raw: ArrayLike<number>, scales: ArrayLike<number>, p: QuantParams): Float64Array {
  const f32 = Math.fround;
  const hi = quantMaxInt(p.signed, p.narrow, p.bitWidth);
  const lo = quantMinInt(p.signed, p.narrow, p.bitWidth);
  const round = p.roundingMode.toUpperCase() === 'FLOOR' ? Math.floor : roundHalfEven;
  return Float64Array.from({ length: raw.length }, (_, i) => {
    let v = f32(f32(raw[i]!) / f32(scales[i]!));
    if (v > hi) v = hi;
    if (v < lo) v = lo;
    return round(v);
  });
}

/**
 * The QONNX `Quant` float function for one element: `y = (round(clamp(x/scale + zp)) − zp) · scale`.
 *
 * @example qonnxQuant(0.3, 0.25, 0, 4, true, false, 'ROUND'); // 0.25
 */
export function qonnxQuant(
  x: number,
  scale: number,
  zeroPoint: number,
  bitWidth: number,
  signed: boolean,
  narrow: boolean,
  roundingMode: string,
): number {
  const lo = quantMinInt(signed, narrow, bitWidth);
  const hi = quantMaxInt(signed, narrow, bitWidth);
  let v = x / scale + zeroPoint;
  if (v > hi) v = hi;
  if (v < lo) v = lo;
  v = qonnxRounding(roundingMode)(v);
  return (v - zeroPoint) * scale;
}

/** The QONNX `BipolarQuant` float function: `x >= 0 ? scale : −scale`. @example qonnxBipolar(0, 1) // 1 */
export function qonnxBipolar(x: number, scale: number): number {
  return x >= 0 ? scale : -scale;
}

/** log2 of a positive power of two (including 2^-k), or undefined (hls4ml's `np.frexp` mantissa-0.5 test). @example powerOfTwoExponent(0.125) // -3 */
export function powerOfTwoExponent(s: number): number | undefined {
  if (!(s > 0) || !Number.isFinite(s)) return undefined;
  const e = Math.round(Math.log2(s));
  return 2 ** e === s ? e : undefined;
}

export function allEqual(a: ArrayLike<number>): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return false;
  return true;
}

/**
 * Which of hls4ml's two Quant routes a node takes (`quant_opt.py`): 'fixed' when the zero-point is
 * all 0 and the scale is all 1 or one positive power of two repeated (QuantToActivation /
 * FuseQuantWithConstant: the Quant is a fixed-point type), else 'alpha' (QuantToAlphaActivationAlpha
 * / ConstQuantToConstAlpha: integer codes between ApplyAlpha scale and rescale layers).
 *
 * @example quantRoute({ scale: [0.3], zeroPoint: [0], bitWidth: 4, signed: true, narrow: false, roundingMode: 'ROUND' }); // 'alpha'
 */
export function quantRoute(p: QuantParams): 'fixed' | 'alpha' {
  for (let i = 0; i < p.zeroPoint.length; i++) if (p.zeroPoint[i] !== 0) return 'alpha';
  if (p.scale.length === 0 || !allEqual(p.scale)) return 'alpha';
  return powerOfTwoExponent(p.scale[0]!) === undefined ? 'alpha' : 'fixed';
}

/** hls4ml's quantization / overflow modes of a Quant node (shared by both routes), or why there are none. */
function quantModes(p: QuantParams, where: string): { Q: 'AP_RND_CONV' | 'AP_TRN'; O: 'AP_SAT' | 'AP_SAT_SYM' } {
  const b = p.bitWidth;
  if (!Number.isInteger(b) || b < 1) {
    throw new UnsupportedError(where, `bit_width ${b} is not a positive integer`);
  }
  if (b > 64) throw new UnsupportedError(where, `bit_width ${b} is too wide (hlsemu supports up to 64 bits for Quant types)`);
  const mode = p.roundingMode.toUpperCase();
  let Q: 'AP_RND_CONV' | 'AP_TRN';
  if (mode === 'ROUND') Q = 'AP_RND_CONV';
  else if (mode === 'FLOOR') Q = 'AP_TRN';
  else throw new UnsupportedError(where, `rounding_mode '${p.roundingMode}' is not supported (hls4ml supports ROUND and FLOOR only)`);
  if (p.narrow && !p.signed) {
    throw new UnsupportedError(where, 'narrow range is only supported for signed Quant nodes (as in hls4ml): unsigned narrow has no ap_fixed saturation mode');
  }
  if (p.narrow && b < 2) throw new UnsupportedError(where, 'a narrow signed Quant needs bit_width >= 2');
  return { Q, O: p.narrow ? 'AP_SAT_SYM' : 'AP_SAT' };
}

/**
 * The integer-code type of a Quant on hls4ml's ApplyAlpha route: `fixed<b, b, Q, O, signed>` (its
 * values are the codes `clip(round(x/scale + zero_point))`), or an UnsupportedError naming `where`.
 *
 * @example quantIntegerType({ scale: [0.3], zeroPoint: [0], bitWidth: 2, signed: true, narrow: true, roundingMode: 'ROUND' }, 'q'); // ap_fixed<2,2,AP_RND_CONV,AP_SAT_SYM>
 */
export function quantIntegerType(p: QuantParams, where: string): FixedType {
  if (p.zeroPoint.length === 0 || p.scale.length === 0) throw new UnsupportedError(where, 'empty scale / zero_point tensor');
  for (let i = 0; i < p.scale.length; i++) {
    if (!(p.scale[i]! > 0) || !Number.isFinite(p.scale[i]!)) throw new UnsupportedError(where, `scale ${p.scale[i]} is not a positive finite number`);
  }
  const { Q, O } = quantModes(p, where);
  return fixedType(p.signed, p.bitWidth, p.bitWidth, Q, O);
}

/**
 * The ap_fixed type equivalent to a QONNX `Quant` node (hls4ml's mapping), or an UnsupportedError
 * (path `where`) saying why there is none.
 *
 * @example
 * quantFixedType({ scale: [0.25], zeroPoint: [0], bitWidth: 6, signed: true, narrow: false, roundingMode: 'ROUND' }, 'Quant_3');
 * // ap_fixed<6,4,AP_RND_CONV,AP_SAT>
 */
export function quantFixedType(p: QuantParams, where: string): FixedType {
  const b = p.bitWidth;
  if (!Number.isInteger(b) || b < 1) {
    throw new UnsupportedError(where, `bit_width ${b} is not a positive integer`);
  }
  if (b > 64) throw new UnsupportedError(where, `bit_width ${b} is too wide (hlsemu supports up to 64 bits for Quant types)`);
  if (p.zeroPoint.length === 0 || p.scale.length === 0) throw new UnsupportedError(where, 'empty scale / zero_point tensor');
  for (let i = 0; i < p.zeroPoint.length; i++) {
    if (p.zeroPoint[i] !== 0) {
      throw new UnsupportedError(
        where,
        `zero_point ${p.zeroPoint[i]} is not 0: no ap_fixed type is equivalent (hls4ml wraps such a Quant in ApplyAlpha scale/shift layers; hlsemu follows that route for activations, MatMul/Gemm and Conv weights, and Conv biases, only)`,
      );
    }
  }
  if (!allEqual(p.scale)) {
    throw new UnsupportedError(
      where,
      `per-channel scales (${p.scale.length} different values) have no single ap_fixed equivalent (hls4ml uses ApplyAlpha layers; hlsemu follows that route for activations, MatMul/Gemm and Conv weights, and Conv biases, only)`,
    );
  }
  const s = p.scale[0]!;
  const k = powerOfTwoExponent(s);
  if (k === undefined) {
    throw new UnsupportedError(
      where,
      `scale ${s} is not a power of two: no ap_fixed type is equivalent (hls4ml wraps such a Quant in ApplyAlpha scale/unscale layers; hlsemu follows that route for activations, MatMul/Gemm and Conv weights, and Conv biases, only)`,
    );
  }
  const mode = p.roundingMode.toUpperCase();
  let Q: 'AP_RND_CONV' | 'AP_TRN';
  if (mode === 'ROUND') Q = 'AP_RND_CONV';
  else if (mode === 'FLOOR') Q = 'AP_TRN';
  else throw new UnsupportedError(where, `rounding_mode '${p.roundingMode}' is not supported (hls4ml supports ROUND and FLOOR only)`);
  if (p.narrow && !p.signed) {
    throw new UnsupportedError(where, 'narrow range is only supported for signed Quant nodes (as in hls4ml): unsigned narrow has no ap_fixed saturation mode');
  }
  if (p.narrow && b < 2) throw new UnsupportedError(where, 'a narrow signed Quant needs bit_width >= 2');
  return fixedType(p.signed, b, b + k, Q, p.narrow ? 'AP_SAT_SYM' : 'AP_SAT');
}

/**
 * hls4ml's quantizer of BipolarQuant weights with scale 1 (FuseBipolarQuantWithConstant,
 * `bipolar_quant_opt.py`): `BinaryQuantizer(bits=1)`, an Xnor (`ap_uint<1>`) weight storing
 * `w ≥ 0 ? 1 : 0` (1 stands for +1 in the products).
 *
 * @example bipolarXnorQuantizer().apply!([-1, 1], [2], 'w'); // [0, 1]
 */
export function bipolarXnorQuantizer(): WeightQuantizer {
  return {
    ...fixedType(false, 1, 1),
    kind: 'xnor',
    text: 'uint<1>',
    hls4ml: 'BinaryQuantizer',
    apply: (data) => Float64Array.from(data, (w) => (w >= 0 ? 1 : 0)),
  };
}

/** Throws unless every element of a BipolarQuant scale is 1 (hls4ml's condition for a plain binary activation / weight). @example checkBipolarScale([1], 'bq') */
export function checkBipolarScale(scale: ArrayLike<number>, where: string): void {
  for (let i = 0; i < scale.length; i++) {
    if (scale[i] !== 1) {
      throw new UnsupportedError(where, `BipolarQuant scale ${scale[i]} is not 1 (hls4ml inserts an ApplyAlpha scaling layer, which hlsemu does not model)`);
    }
  }
}
