/**
 * QKeras quantizers as hls4ml 1.3 converts them (docs: the QKeras spec, sections 2–4).
 *
 * - {@link parseQKerasQuantizer}: a quantizer as QKeras 0.9 serialises it — a dict
 *   `{class_name, config}` or a constructor string such as `"quantized_bits(6,0,alpha=1)"` —
 *   validated field by field against the constructor of that QKeras class.
 * - {@link hls4mlWeightQuantizer}: what hls4ml's `get_quantizer_from_config` makes of a kernel / bias /
 *   depthwise / pointwise / recurrent / state quantizer (or a QBatchNormalization one): the wrapper
 *   class, its precision type and its `alpha` attribute.
 * - {@link quantizeWeights}: the values hls4ml stores (and then prints) for a weight array: the QKeras
 *   quantizer evaluated in float32 exactly as TensorFlow evaluates it, followed by hls4ml's own
 *   re-encoding (binary → 0/1 or ±1, power-of-two → `{sign, exponent}`).
 * - {@link factorizeAlpha}: the numbers of hls4ml's `QKerasFactorizeAlpha` pass (grid weights, the
 *   ApplyAlpha scale and its power-of-two type).
 * - {@link qactivationLayer} / {@link activationResultPrecision}: what a `QActivation` becomes and which
 *   result type `config_from_keras_model` writes for it.
 *
 * Precision types are {@link Hls4mlPrecision}: hls4ml distinguishes fixed, integer, Xnor (1-bit ±1)
 * and exponent (power-of-two) types, and that distinction selects kernels (`weight_binary`,
 * `weight_ternary`, `weight_exponential` products) and disables 'auto' inference, so it is kept
 * here rather than collapsed into a {@link FixedType}.
 */
import { FormatError, UnsupportedError, ValueError } from '../../errors.js';
import { fixedType, type FixedType, type OverflowMode, type QuantMode } from '../../fixed/types.js';
import type { PrecisionKind, WeightQuantizer } from '../../graph/model.js';

// ---------------------------------------------------------------------------------------------
// Context and precision types
// ---------------------------------------------------------------------------------------------

/** Where a quantizer sits, for error messages: `layer.field` (e.g. `fc1.kernel_quantizer`). */
export interface QuantizerContext {
  layer: string;
  field: string;
}

function where(ctx: QuantizerContext): string {
  return `${ctx.layer}.${ctx.field}`;
}

/**
 * An hls4ml precision type (`hls4ml/model/types.py`).
 * - `fixed`: FixedPrecisionType; `type` carries W, I, signedness and the Q/O/N modes.
 * - `integer`: IntegerPrecisionType; `type` is `ap_(u)int<W>` (I = W, AP_TRN, AP_WRAP).
 * - `xnor`: XnorPrecisionType, stored as `ap_uint<1>`; in products 1 stands for +1 and 0 for −1.
 * - `exponent`: ExponentPrecisionType; a weight is the struct `{ap_uint<1> sign; ap_(u)int<width> weight}`
 *   meaning `(sign == 1 ? +1 : −1) · 2^weight`.
 */
export type Hls4mlPrecision =
  | { readonly kind: 'fixed'; readonly type: FixedType }
  | { readonly kind: 'integer'; readonly type: FixedType }
  | { readonly kind: 'xnor' }
  | { readonly kind: 'exponent'; readonly width: number; readonly signed: boolean };

/** FixedPrecisionType(width, integer, signed, rounding, saturation). */
export function fixedPrecision(W: number, I: number, signed: boolean, Q: QuantMode = 'AP_TRN', O: OverflowMode = 'AP_WRAP'): Hls4mlPrecision {
  return { kind: 'fixed', type: fixedType(signed, W, I, Q, O, 0) };
}

/** IntegerPrecisionType(width, signed). */
export function integerPrecision(W: number, signed = true): Hls4mlPrecision {
  return { kind: 'integer', type: fixedType(signed, W, W) };
}

/** XnorPrecisionType(). */
export const XNOR_PRECISION: Hls4mlPrecision = Object.freeze({ kind: 'xnor' });

/** ExponentPrecisionType(width, signed). */
export function exponentPrecision(width: number, signed = true): Hls4mlPrecision {
  if (!Number.isInteger(width) || width < 1) throw new ValueError('exponent width', `must be an integer >= 1, got ${width}`);
  return { kind: 'exponent', width, signed };
}

/**
 * hls4ml's `str(precision)`: `fixed<6,1,TRN,WRAP,0>`, `ufixed<4,2,RND_CONV,SAT,0>`, `int<2>`,
 * `uint<1>` (Xnor), `int<6>` (exponent) — the strings `config_from_keras_model` writes.
 *
 * @example hls4mlPrecisionString(fixedPrecision(6, 1, true)); // 'fixed<6,1,TRN,WRAP,0>'
 */
export function hls4mlPrecisionString(p: Hls4mlPrecision): string {
  switch (p.kind) {
    case 'fixed': {
      const t = p.type;
      return `${t.signed ? '' : 'u'}fixed<${t.W},${t.I},${t.Q.replace(/^AP_/, '')},${t.O.replace(/^AP_/, '')},${t.N}>`;
    }
    case 'integer':
      return `${p.type.signed ? '' : 'u'}int<${p.type.W}>`;
    case 'xnor':
      return 'uint<1>';
    case 'exponent':
      return `${p.signed ? '' : 'u'}int<${p.width}>`;
  }
}

/**
 * The storage type of a precision as a {@link FixedType} (Xnor → `ap_uint<1>`). Exponent types
 * have no single fixed type (they are a sign/exponent struct) and are rejected.
 */
export function precisionStorageType(p: Hls4mlPrecision, path = 'precision'): FixedType {
  switch (p.kind) {
    case 'fixed':
    case 'integer':
      return p.type;
    case 'xnor':
      return fixedType(false, 1, 1);
    case 'exponent':
      throw new UnsupportedError(path, 'an exponent (power-of-two) type is a {sign, exponent} struct, not a fixed-point type');
  }
}

// ---------------------------------------------------------------------------------------------
// Parsed quantizers
// ---------------------------------------------------------------------------------------------

/** `alpha` of quantized_bits / binary / ternary: absent (None), a number, or an automatic scale. */
export type QAlpha = null | number | 'auto' | 'auto_po2';

interface QBase {
  /** The constructor arguments exactly as given (after string parsing), for messages and round trips. */
  readonly given: Readonly<Record<string, unknown>>;
}

/** `quantized_bits`. Note QKeras forces `symmetric = true` when alpha is a string. */
export interface QuantizedBits extends QBase {
  readonly cls: 'quantized_bits';
  readonly bits: number;
  readonly integer: number;
  readonly symmetric: boolean;
  readonly keepNegative: boolean;
  readonly alpha: QAlpha;
  readonly useStochasticRounding: boolean;
  readonly scaleAxis: number | null;
  readonly qnoiseFactor: number;
  readonly useSte: boolean;
}

/** `quantized_relu`. */
export interface QuantizedRelu extends QBase {
  readonly cls: 'quantized_relu';
  readonly bits: number;
  readonly integer: number;
  readonly useSigmoid: boolean;
  readonly negativeSlope: number;
  readonly useStochasticRounding: boolean;
  readonly reluUpperBound: number | null;
  readonly isQuantizedClip: boolean;
  readonly qnoiseFactor: number;
  readonly useSte: boolean;
}

/** `quantized_po2` / `quantized_relu_po2`. */
export interface QuantizedPo2 extends QBase {
  readonly cls: 'quantized_po2' | 'quantized_relu_po2';
  readonly bits: number;
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly useStochasticRounding: boolean;
  readonly quadraticApproximation: boolean;
  readonly log2Rounding: 'rnd' | 'floor';
  readonly qnoiseFactor: number;
  readonly useSte: boolean;
}

/** `quantized_tanh` / `quantized_sigmoid` (QKeras 0.9: hard sigmoid/tanh unless the real one is asked for). */
export interface QuantizedTanhSigmoid extends QBase {
  readonly cls: 'quantized_tanh' | 'quantized_sigmoid';
  readonly bits: number;
  readonly symmetric: boolean;
  readonly useStochasticRounding: boolean;
  /** `use_real_tanh` / `use_real_sigmoid`. */
  readonly useReal: boolean;
}

/** `binary` / `stochastic_binary` (the latter is `binary(alpha)` outside training). */
export interface BinaryQ extends QBase {
  readonly cls: 'binary' | 'stochastic_binary';
  readonly use01: boolean;
  readonly alpha: QAlpha;
  readonly useStochasticRounding: boolean;
}

/** `ternary` / `stochastic_ternary` (the latter is `ternary(alpha, threshold)` outside training). */
export interface TernaryQ extends QBase {
  readonly cls: 'ternary' | 'stochastic_ternary';
  readonly alpha: QAlpha;
  readonly threshold: number | null;
  readonly useStochasticRounding: boolean;
  readonly numberOfUnrolls: number;
}

/** Recognised QKeras classes hls4ml never supports (`quantized_ulaw`, `quantized_hswish`, `bernoulli`). */
export interface OtherQ extends QBase {
  readonly cls: 'quantized_ulaw' | 'quantized_hswish' | 'bernoulli';
}

/** A QKeras module-level function given by name (`binary_tanh`, `hard_sigmoid`, …): no config. */
export interface QFunction extends QBase {
  readonly cls: 'function';
  readonly name: string;
}

/** A name QKeras resolves through `keras.activations.get` (`relu`, `linear`, …). */
export interface KerasActivationQ extends QBase {
  readonly cls: 'keras_activation';
  readonly name: string;
}

/** A parsed, validated QKeras quantizer. */
export type QKerasQuantizer =
  | QuantizedBits
  | QuantizedRelu
  | QuantizedPo2
  | QuantizedTanhSigmoid
  | BinaryQ
  | TernaryQ
  | OtherQ
  | QFunction
  | KerasActivationQ;

type ArgKind = 'int' | 'bool01' | 'bool' | 'number' | 'number?' | 'alpha' | 'axis?' | 'name?' | 'log2' | 'any';
interface ArgSpec {
  readonly name: string;
  readonly def: unknown;
  readonly kind: ArgKind;
}

function arg(name: string, def: unknown, kind: ArgKind): ArgSpec {
  return Object.freeze({ name, def, kind });
}

// Arguments several QKeras 0.9 constructors take with the same default, written once.
const BITS = arg('bits', 8, 'int');
const INTEGER = arg('integer', 0, 'int');
const SYMMETRIC_0 = arg('symmetric', 0, 'bool01');
const SYMMETRIC_FALSE = arg('symmetric', false, 'bool01');
const ALPHA = arg('alpha', null, 'alpha');
const STOCHASTIC_ROUNDING = arg('use_stochastic_rounding', false, 'bool01');
const SCALE_AXIS = arg('scale_axis', null, 'axis?');
const MAX_VALUE = arg('max_value', null, 'number?');
const THRESHOLD = arg('threshold', null, 'number?');
const NUMBER_OF_UNROLLS = arg('number_of_unrolls', 5, 'int');
const USE_REAL_SIGMOID_TRUE = arg('use_real_sigmoid', true, 'bool01');
/** The trailing qnoise / straight-through-estimator arguments of quantized_bits, quantized_relu, the po2 quantizers and quantized_hswish. */
const QNOISE_ARGS = [arg('qnoise_factor', 1.0, 'number'), arg('var_name', null, 'name?'), arg('use_ste', true, 'bool01'), arg('use_variables', false, 'bool01')];
/** What quantized_po2 and quantized_relu_po2 take after max_value (and negative_slope). */
const PO2_TAIL = [STOCHASTIC_ROUNDING, arg('quadratic_approximation', false, 'bool01'), arg('log2_rounding', 'rnd', 'log2'), ...QNOISE_ARGS];
/** stochastic_binary and bernoulli. */
const STOCHASTIC_BINARY_ARGS = [ALPHA, arg('temperature', 6.0, 'number'), USE_REAL_SIGMOID_TRUE];

/** Constructor arguments (in positional order) of the QKeras 0.9 classes hls4ml can meet. */
const CLASS_ARGS: Record<string, readonly ArgSpec[]> = {
  quantized_bits: [BITS, INTEGER, SYMMETRIC_0, arg('keep_negative', true, 'bool01'), ALPHA, STOCHASTIC_ROUNDING, SCALE_AXIS, ...QNOISE_ARGS],
  quantized_relu: [
    BITS,
    INTEGER,
    arg('use_sigmoid', 0, 'bool01'),
    arg('negative_slope', 0.0, 'number'),
    STOCHASTIC_ROUNDING,
    arg('relu_upper_bound', null, 'number?'),
    arg('is_quantized_clip', true, 'bool01'),
    ...QNOISE_ARGS,
  ],
  quantized_po2: [BITS, MAX_VALUE, ...PO2_TAIL],
  quantized_relu_po2: [BITS, MAX_VALUE, arg('negative_slope', 0, 'number'), ...PO2_TAIL],
  quantized_tanh: [BITS, STOCHASTIC_ROUNDING, SYMMETRIC_FALSE, arg('use_real_tanh', false, 'bool01')],
  quantized_sigmoid: [BITS, SYMMETRIC_FALSE, arg('use_real_sigmoid', false, 'bool01'), STOCHASTIC_ROUNDING],
  binary: [arg('use_01', false, 'bool01'), ALPHA, STOCHASTIC_ROUNDING],
  stochastic_binary: STOCHASTIC_BINARY_ARGS,
  ternary: [ALPHA, THRESHOLD, STOCHASTIC_ROUNDING, NUMBER_OF_UNROLLS],
  stochastic_ternary: [ALPHA, THRESHOLD, arg('temperature', 8.0, 'number'), USE_REAL_SIGMOID_TRUE, NUMBER_OF_UNROLLS],
  quantized_ulaw: [BITS, INTEGER, SYMMETRIC_0, arg('u', 255.0, 'number')],
  quantized_hswish: [
    BITS,
    INTEGER,
    SYMMETRIC_0,
    ALPHA,
    STOCHASTIC_ROUNDING,
    SCALE_AXIS,
    ...QNOISE_ARGS,
    arg('relu_shift', 3, 'number'),
    arg('relu_upper_bound', 6, 'number'),
  ],
  bernoulli: STOCHASTIC_BINARY_ARGS,
};

/** QKeras 0.9 module-level functions a string quantizer can name. */
const QKERAS_FUNCTIONS = new Set([
  'smooth_sigmoid',
  'hard_sigmoid',
  'binary_sigmoid',
  'binary_tanh',
  'hard_tanh',
  'smooth_tanh',
]);

/** Names `keras.activations.get` resolves (Keras 2.x), reached when a string names nothing in QKeras. */
const KERAS_ACTIVATIONS = new Set([
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'softmax',
  'softplus',
  'softsign',
  'sigmoid',
  'hard_sigmoid',
  'tanh',
  'exponential',
  'swish',
  'gelu',
]);

/** The QKeras class names this module parses. */
export const QKERAS_QUANTIZER_CLASSES: readonly string[] = Object.freeze(Object.keys(CLASS_ARGS));

const TOP_LEVEL_KEYS = new Set(['class_name', 'config', '__passive_serialization__', 'module', 'registered_name']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkArg(spec: ArgSpec, v: unknown, path: string): unknown {
  const bad = (what: string): never => {
    throw new FormatError(`${path}.${spec.name}`, `expected ${what}, got ${JSON.stringify(v)}`);
  };
  switch (spec.kind) {
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) bad('an integer');
      return v;
    case 'bool01':
      if (typeof v === 'boolean') return v;
      if (v === 0 || v === 1) return v === 1;
      return bad('a boolean (or 0/1)');
    case 'bool':
      if (typeof v !== 'boolean') bad('a boolean');
      return v;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) bad('a finite number');
      return v;
    case 'number?':
      if (v === null) return null;
      if (typeof v !== 'number' || Number.isNaN(v)) bad('a number or null');
      return v;
    case 'alpha':
      if (v === null) return null;
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      if (v === 'auto' || v === 'auto_po2') return v;
      return bad(`null, a finite number, 'auto' or 'auto_po2' (QKeras raises "Invalid alpha" on anything else)`);
    case 'axis?':
      if (v === null) return null;
      if (typeof v !== 'number' || !Number.isInteger(v)) bad('an integer axis or null');
      return v;
    case 'name?':
      if (v !== null && typeof v !== 'string') bad('a string or null');
      return v;
    case 'log2':
      if (v !== 'rnd' && v !== 'floor') bad(`'rnd' or 'floor'`);
      return v;
    case 'any':
      return v;
  }
}

/**
 * Build a quantizer from its class name and arguments (positional, then keyword) exactly as
 * `cls(*args, **kwargs)` would bind them, validating every value.
 */
function construct(cls: string, args: unknown[], kwargs: Record<string, unknown>, path: string): QKerasQuantizer {
  const specs = CLASS_ARGS[cls];
  if (!specs) throw new UnsupportedError(path, `unknown QKeras quantizer class '${cls}'`);
  if (args.length > specs.length) {
    throw new FormatError(path, `${cls}() takes at most ${specs.length} arguments, got ${args.length}`);
  }
  const values: Record<string, unknown> = {};
  args.forEach((a, i) => {
    values[specs[i]!.name] = a;
  });
  for (const [k, v] of Object.entries(kwargs)) {
    const spec = specs.find((s) => s.name === k);
    if (!spec) {
      throw new FormatError(`${path}.${k}`, `${cls} has no argument '${k}' (QKeras raises TypeError); known: ${specs.map((s) => s.name).join(', ')}`);
    }
    if (k in values) throw new FormatError(`${path}.${k}`, `${cls} got multiple values for argument '${k}'`);
    values[k] = v;
  }
  const given = Object.freeze({ ...values });
  const val = (name: string): unknown => {
    const spec = specs.find((s) => s.name === name)!;
    return checkArg(spec, name in values ? values[name] : spec.def, path);
  };
  for (const s of specs) val(s.name); // validate everything, including arguments unused below
  const bitsAtLeast1 = (): number => {
    const bits = val('bits') as number;
    if (bits < 1) throw new FormatError(`${path}.bits`, `must be >= 1, got ${bits}`);
    return bits;
  };
  const qnoise = (): { qnoiseFactor: number; useSte: boolean } => ({ qnoiseFactor: val('qnoise_factor') as number, useSte: val('use_ste') as boolean });

  switch (cls) {
    case 'quantized_bits': {
      const bits = bitsAtLeast1();
      const alpha = val('alpha') as QAlpha;
      return Object.freeze({
        cls,
        given,
        bits,
        integer: val('integer') as number,
        // QKeras: a string alpha forces symmetric quantization.
        symmetric: typeof alpha === 'string' ? true : (val('symmetric') as boolean),
        keepNegative: val('keep_negative') as boolean,
        alpha,
        useStochasticRounding: val('use_stochastic_rounding') as boolean,
        scaleAxis: val('scale_axis') as number | null,
        ...qnoise(),
      });
    }
    case 'quantized_relu': {
      const bits = bitsAtLeast1();
      const ns = val('negative_slope') as number;
      if (ns < 0) throw new FormatError(`${path}.negative_slope`, `must be >= 0 (QKeras asserts), got ${ns}`);
      if (ns !== 0 && !Number.isInteger(Math.log2(ns))) {
        throw new FormatError(`${path}.negative_slope`, `must be a power of two (QKeras asserts), got ${ns}`);
      }
      return Object.freeze({
        cls,
        given,
        bits,
        integer: val('integer') as number,
        useSigmoid: val('use_sigmoid') as boolean,
        negativeSlope: ns,
        useStochasticRounding: val('use_stochastic_rounding') as boolean,
        reluUpperBound: val('relu_upper_bound') as number | null,
        isQuantizedClip: val('is_quantized_clip') as boolean,
        ...qnoise(),
      });
    }
    case 'quantized_po2':
    case 'quantized_relu_po2': {
      const bits = bitsAtLeast1();
      const maxValue = val('max_value') as number | null;
      if (maxValue !== null && maxValue < 0) throw new FormatError(`${path}.max_value`, 'po2 max_value should be non-negative (QKeras raises ValueError)');
      const ns = cls === 'quantized_relu_po2' ? (val('negative_slope') as number) : 0;
      if (ns < 0 || (ns !== 0 && !Number.isInteger(Math.log2(ns)))) {
        throw new FormatError(`${path}.negative_slope`, `must be 0 or a positive power of two (QKeras asserts), got ${ns}`);
      }
      return Object.freeze({
        cls,
        given,
        bits,
        maxValue,
        negativeSlope: ns,
        useStochasticRounding: val('use_stochastic_rounding') as boolean,
        quadraticApproximation: val('quadratic_approximation') as boolean,
        log2Rounding: val('log2_rounding') as 'rnd' | 'floor',
        ...qnoise(),
      });
    }
    case 'quantized_tanh':
    case 'quantized_sigmoid': {
      const bits = bitsAtLeast1();
      return Object.freeze({
        cls,
        given,
        bits,
        symmetric: val('symmetric') as boolean,
        useStochasticRounding: val('use_stochastic_rounding') as boolean,
        useReal: val(cls === 'quantized_tanh' ? 'use_real_tanh' : 'use_real_sigmoid') as boolean,
      });
    }
    case 'binary':
      return Object.freeze({
        cls,
        given,
        use01: val('use_01') as boolean,
        alpha: val('alpha') as QAlpha,
        useStochasticRounding: val('use_stochastic_rounding') as boolean,
      });
    case 'stochastic_binary':
      return Object.freeze({ cls, given, use01: false, alpha: val('alpha') as QAlpha, useStochasticRounding: false });
    case 'ternary':
    case 'stochastic_ternary': {
      const threshold = val('threshold') as number | null;
      if (cls === 'stochastic_ternary' && threshold === 1.0) throw new FormatError(`${path}.threshold`, 'stochastic_ternary asserts threshold != 1.0');
      const n = val('number_of_unrolls') as number;
      if (n < 0) throw new FormatError(`${path}.number_of_unrolls`, `must be >= 0, got ${n}`);
      return Object.freeze({
        cls,
        given,
        alpha: val('alpha') as QAlpha,
        threshold,
        useStochasticRounding: cls === 'ternary' ? (val('use_stochastic_rounding') as boolean) : false,
        numberOfUnrolls: n,
      });
    }
    default:
      return Object.freeze({ cls: cls as OtherQ['cls'], given });
  }
}

// --- QKeras' safe_eval string form ---------------------------------------------------------

const PY_INT = /^[+-]?\d+$/;
const PY_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;

/** QKeras' `GetArg`: True/False, numbers, None, space-separated number lists, else a string minus its first and last character. */
function pyArg(tok: string, path: string): unknown {
  const s = tok.trim();
  if (s === 'True') return true;
  if (s === 'False') return false;
  if (PY_INT.test(s)) return Number(s);
  if (PY_FLOAT.test(s)) return Number(s.toLowerCase().replace(/^([+-]?)inf(inity)?$/, '$1Infinity'));
  if (s === 'None') return null;
  if (s.includes('[') || s.includes(' ')) {
    throw new UnsupportedError(path, `list-valued argument '${s}' is not supported`);
  }
  if ((s.startsWith("'") && s.endsWith("'")) || (s.startsWith('"') && s.endsWith('"'))) return s.slice(1, -1);
  // QKeras strips the first and last character of an unquoted word ('auto_po2' → 'uto_po'),
  // which no quantizer accepts afterwards.
  throw new FormatError(path, `unquoted word '${s}': QKeras would read it as '${s.slice(1, -1)}'; quote string arguments`);
}

/**
 * Parse a QKeras constructor string as QKeras' `safe_eval` does: `name`, `name(args…)` with
 * positional arguments before keyword ones. Returns the class/function name, args and kwargs.
 */
function parseCallString(text: string, path: string): { name: string; args: unknown[]; kwargs: Record<string, unknown>; call: boolean } {
  const parts = text.split('(');
  const name = parts[0]!.trim();
  if (parts.length === 1) return { name, args: [], kwargs: {}, call: false };
  if (parts.length > 2) throw new FormatError(path, `cannot parse quantizer string '${text}' (nested parentheses)`);
  let inner = parts[1]!;
  const close = inner.indexOf(')');
  if (close < 0) throw new FormatError(path, `missing ')' in quantizer string '${text}'`);
  if (inner.slice(close + 1).trim() !== '') throw new FormatError(path, `trailing text after ')' in '${text}'`);
  inner = inner.slice(0, close);
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = {};
  if (inner.trim() === '') return { name, args, kwargs, call: true };
  for (const raw of inner.split(',')) {
    const item = raw.trim();
    if (item === '') throw new FormatError(path, `empty argument in '${text}'`);
    const eq = item.indexOf('=');
    if (eq < 0) {
      if (Object.keys(kwargs).length > 0) throw new FormatError(path, `positional argument '${item}' after keyword arguments in '${text}' (QKeras raises SyntaxError)`);
      args.push(pyArg(item, path));
    } else {
      const k = item.slice(0, eq).trim();
      if (!/^[A-Za-z_]\w*$/.test(k)) throw new FormatError(path, `bad keyword '${k}' in '${text}'`);
      kwargs[k] = pyArg(item.slice(eq + 1), `${path}.${k}`);
    }
  }
  return { name, args, kwargs, call: true };
}

/**
 * Parse and validate a QKeras quantizer as QKeras 0.9 serialises it: a dict
 * `{class_name, config}` (as in `kernel_quantizer`, or a QActivation's `activation`) or a string
 * (`"quantized_relu(6)"`, `"quantized_bits(4,0,alpha='auto_po2')"`, `"binary"`, `"binary_tanh"`).
 * Unknown keys, bad types and values QKeras itself would reject raise a {@link FormatError} naming
 * `layer.field.key`; unknown classes raise {@link UnsupportedError}.
 *
 * @example
 * parseQKerasQuantizer('quantized_bits(6,0,alpha=1)', { layer: 'fc1', field: 'kernel_quantizer' });
 */
export function parseQKerasQuantizer(value: unknown, ctx: QuantizerContext): QKerasQuantizer {
  const path = where(ctx);
  if (typeof value === 'string') {
    const { name, args, kwargs, call } = parseCallString(value, path);
    if (name in CLASS_ARGS) return construct(name, args, kwargs, path);
    if (QKERAS_FUNCTIONS.has(name)) {
      if (call) throw new UnsupportedError(path, `calling the QKeras function ${name}(…) in a quantizer string is not supported`);
      return Object.freeze({ cls: 'function', name, given: Object.freeze({}) });
    }
    if (KERAS_ACTIVATIONS.has(name)) {
      if (call) throw new UnsupportedError(path, `calling the Keras activation ${name}(…) in a quantizer string is not supported`);
      return Object.freeze({ cls: 'keras_activation', name, given: Object.freeze({}) });
    }
    throw new UnsupportedError(path, `unknown QKeras quantizer or activation '${name}'`);
  }
  if (!isRecord(value)) throw new FormatError(path, `expected a quantizer dict {class_name, config} or a string, got ${JSON.stringify(value)}`);
  for (const k of Object.keys(value)) {
    if (!TOP_LEVEL_KEYS.has(k)) throw new FormatError(`${path}.${k}`, `unexpected key in a serialised quantizer (expected class_name, config)`);
  }
  const cls = value['class_name'];
  if (typeof cls !== 'string') throw new FormatError(`${path}.class_name`, `expected a string, got ${JSON.stringify(cls)}`);
  const config = value['config'] ?? {};
  if (!isRecord(config)) throw new FormatError(`${path}.config`, `expected an object, got ${JSON.stringify(config)}`);
  if (!(cls in CLASS_ARGS)) {
    throw new UnsupportedError(`${path}.class_name`, `unknown QKeras quantizer class '${cls}' (known: ${QKERAS_QUANTIZER_CLASSES.join(', ')})`);
  }
  return construct(cls, [], config, path);
}

// ---------------------------------------------------------------------------------------------
// hls4ml's wrappers (hls4ml/model/quantizers.py, converters/keras/qkeras.py)
// ---------------------------------------------------------------------------------------------

/** Which `<var>_quantizer` key of the layer config the quantizer came from (`get_quantizer_from_config`). */
export type QuantizerVar = 'kernel' | 'bias' | 'depthwise' | 'pointwise' | 'recurrent' | 'state' | 'mean' | 'variance' | 'beta' | 'gamma';

/** hls4ml's view of one weight quantizer. */
export interface Hls4mlWeightQuantizer {
  readonly quantizer: QKerasQuantizer;
  /** The hls4ml wrapper class `get_quantizer_from_config` picks. */
  readonly wrapper: 'QKerasQuantizer' | 'QKerasBinaryQuantizer' | 'QKerasPO2Quantizer';
  /** Binary wrapper only: true for kernels (Xnor 0/1 encoding), false otherwise (±1 in int<2>). */
  readonly xnor: boolean;
  /** The wrapper's `bits`. */
  readonly bits: number;
  /** The wrapper's `hls_type`: the weight's precision (it overrides any configured weight/bias type). */
  readonly precision: Hls4mlPrecision;
  /**
   * The wrapper's `alpha` attribute, which `QKerasFactorizeAlpha` tests: `undefined` when the
   * wrapper has no such attribute (QKerasPO2Quantizer).
   */
  readonly alpha: QAlpha | undefined;
  /** hls4ml prints "Unsupported quantizer: …" and falls back to fixed<16,6> for this class. */
  readonly unsupportedFallback: boolean;
  /** Where hls4ml's handling silently departs from QKeras' values (emulated; callers should warn). */
  readonly warnings: readonly string[];
}

/**
 * One hls4ml wrapper object (hls4ml/model/quantizers.py): its class, `bits`, `hls_type` and
 * `alpha` attributes (`xnor` only for QKerasBinaryQuantizer).
 */
function wrapperOf(
  quantizer: QKerasQuantizer,
  wrapper: Hls4mlWeightQuantizer['wrapper'],
  bits: number,
  precision: Hls4mlPrecision,
  alpha: QAlpha | undefined,
  warnings: readonly string[],
  opts: { xnor?: boolean; unsupportedFallback?: boolean } = {},
): Hls4mlWeightQuantizer {
  return { quantizer, wrapper, xnor: opts.xnor ?? false, bits, precision, alpha, unsupportedFallback: opts.unsupportedFallback ?? false, warnings };
}

function quantizedBitsType(q: QuantizedBits): Hls4mlPrecision {
  // QKerasQuantizer._get_type: keep_negative is not consulted; the type is always signed.
  if (q.bits === q.integer) return q.bits === 1 ? XNOR_PRECISION : integerPrecision(q.bits, true);
  return fixedPrecision(q.bits, q.integer + 1, true);
}

function qkerasQuantizerWrapper(q: QKerasQuantizer, path: string, warnings: string[]): Hls4mlWeightQuantizer {
  // QKerasQuantizer.alpha = config['config'].get('alpha', None): what was given, not QKeras' default.
  const alpha = (q.given['alpha'] ?? null) as QAlpha;
  if (q.cls === 'quantized_bits') {
    const precision = quantizedBitsType(q);
    if (!q.keepNegative) {
      warnings.push(`${path}: keep_negative=False is ignored by hls4ml: the type ${hls4mlPrecisionString(precision)} is signed with one integer bit more, so QKeras' step 2^${q.integer - q.bits} becomes 2^${precision.kind === 'fixed' ? q.integer + 1 - q.bits : 0} and odd codes are truncated when printed`);
    }
    if (q.bits === q.integer && q.bits > 1) {
      warnings.push(`${path}: bits == integer gives int<${q.bits}>, half the range of QKeras' values (step 2): large codes wrap`);
    }
    if (q.bits - (q.keepNegative ? 1 : 0) <= 0) {
      warnings.push(`${path}: ${q.bits}-bit quantized_bits yields ±1 in QKeras but ${hls4mlPrecisionString(precision)} in hls4ml (+1 cannot be represented and wraps)`);
    }
    return wrapperOf(q, 'QKerasQuantizer', q.bits, precision, alpha, warnings);
  }
  if (q.cls === 'ternary' || q.cls === 'stochastic_ternary') {
    return wrapperOf(q, 'QKerasQuantizer', 2, integerPrecision(2, true), alpha, warnings);
  }
  if (q.cls === 'binary' || q.cls === 'stochastic_binary') {
    warnings.push(`${path}: a binary quantizer reached through QKerasQuantizer keeps QKeras' ±alpha values in uint<1>`);
    return wrapperOf(q, 'QKerasQuantizer', 1, XNOR_PRECISION, alpha, warnings);
  }
  warnings.push(`${path}: hls4ml prints "Unsupported quantizer: ${q.cls}" and types these weights fixed<16,6> (the QKeras values are still used)`);
  return wrapperOf(q, 'QKerasQuantizer', 16, fixedPrecision(16, 6, true), alpha, warnings, { unsupportedFallback: true });
}

/**
 * hls4ml's `get_quantizer_from_config(keras_layer, var)` for a parsed quantizer: the wrapper and the
 * precision it gives the weight. `layerClass` matters only for `QBatchNormalization`, whose
 * quantizers are always wrapped in `QKerasQuantizer` (and then ignored by the BatchNormalization
 * layer). Quantizers that are not dicts in the layer config make hls4ml fail (`quantizer_config['class_name']`
 * on a string): pass `given` = the raw config value to have that checked.
 */
export function hls4mlWeightQuantizer(q: QKerasQuantizer, v: QuantizerVar, ctx: QuantizerContext & { layerClass?: string; given?: unknown }): Hls4mlWeightQuantizer {
  const path = where(ctx);
  if (ctx.given !== undefined && typeof ctx.given === 'string') {
    throw new UnsupportedError(path, `hls4ml needs a serialised {class_name, config} dict here (it indexes quantizer_config['class_name']); got the string '${ctx.given}'`);
  }
  if (q.cls === 'function' || q.cls === 'keras_activation') {
    throw new UnsupportedError(path, `'${q.name}' is not a weight quantizer class`);
  }
  const warnings: string[] = [];
  if (ctx.layerClass === 'QBatchNormalization') {
    const w = qkerasQuantizerWrapper(q, path, warnings);
    warnings.push(`${path}: QBatchNormalization quantizers are ignored by hls4ml: the BatchNormalization uses the float gamma/beta/mean/variance`);
    return { ...w, warnings };
  }
  if (q.cls.includes('binary')) {
    const xnor = v === 'kernel';
    if (!('alpha' in q.given)) {
      throw new FormatError(`${path}.alpha`, `hls4ml reads config['alpha'] of a binary quantizer and fails when it is absent`);
    }
    if (q.cls === 'binary' && q.use01) {
      warnings.push(`${path}: binary(use_01=True) gives {0, alpha} in QKeras; hls4ml maps every value >= 0 to ${xnor ? '1 (= +1)' : '+1'}`);
    }
    if ((q as BinaryQ).useStochasticRounding) {
      warnings.push(`${path}: binary(use_stochastic_rounding=True) cannot be evaluated by QKeras 0.9 outside training for most shapes`);
    }
    return wrapperOf(q, 'QKerasBinaryQuantizer', xnor ? 1 : 2, xnor ? XNOR_PRECISION : integerPrecision(2, true), (q as BinaryQ).alpha, warnings, { xnor });
  }
  if (q.cls === 'quantized_po2') {
    if (q.qnoiseFactor !== 1) warnings.push(`${path}: qnoise_factor=${q.qnoiseFactor} makes the values non powers of two; hls4ml truncates log2 toward zero`);
    return wrapperOf(q, 'QKerasPO2Quantizer', q.bits, exponentPrecision(q.bits, true), undefined, warnings);
  }
  return qkerasQuantizerWrapper(q, path, warnings);
}

// ---------------------------------------------------------------------------------------------
// QKeras 0.9 numerics in float32
// ---------------------------------------------------------------------------------------------

const f32 = Math.fround;
/** K.epsilon() = 1e-7, as the float32 constant TensorFlow uses against float32 tensors. */
const EPS = f32(1e-7);
/** np.log(2.0) converted to float32 when a float32 tensor is divided by it. */
const LN2_F32 = f32(Math.LN2);

/** tf.round: round half to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * A quantizer's output in float32 (q = qnoise_factor): with the straight-through estimator
 * (use_ste) x + q·(xq − x), else (1 − q)·x + q·xq.
 */
function qnoiseOut(x: number, xq: number, qnoise: number, useSte: boolean): number {
  return useSte ? f32(x + f32(qnoise * f32(xq - x))) : f32(f32(f32(1 - qnoise) * x) + f32(qnoise * xq));
}

/** tf.sign. */
function tfSign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** tf.sign with QKeras' `s += 1 − |s|` (0 → +1). */
function signNonZero(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 1;
}

/** float32 natural log as TensorFlow's float32 `log` (correctly rounded here; see margins). */
function logF32(x: number): number {
  return f32(Math.log(x));
}

/** Notes how far a log2 quotient that is rounded half to even was from a .5 tie. */
function noteLog2(diag: QuantizeDiagnostics, l: number): void {
  diag.minLog2Margin = Math.min(diag.minLog2Margin ?? Infinity, Math.abs(Math.abs(l - Math.floor(l)) - 0.5));
}

/** An 'auto_po2' scale: 2^round(log(v + eps) / log(2)) in float32. */
function po2Round(v: number, diag: QuantizeDiagnostics): number {
  const l = f32(logF32(f32(v + EPS)) / LN2_F32);
  noteLog2(diag, l);
  return f32(2 ** roundHalfEven(l));
}

/** A float tensor: C-order data with its shape. */
export interface Tensor32 {
  data: Float32Array;
  shape: number[];
}

/** Where a data-dependent decision of a QKeras quantizer was closest to flipping. */
export interface QuantizeDiagnostics {
  /** Smallest distance of a tf.round argument from a .5 tie (value-level rounding), if any rounding happened. */
  minRoundMargin?: number;
  /** Smallest distance of a log2 (scale or exponent) quotient from a .5 tie. */
  minLog2Margin?: number;
  /** Number of exact .5 ties resolved to even. */
  ties: number;
  /**
   * quantized_bits 'auto_po2' only: whether the last least-squares update left the scale unchanged.
   * QKeras 0.9 takes the codes from the scale before that update; later QKeras recomputes them, so
   * the two versions agree exactly when this is true.
   */
  autoPo2Converged?: boolean;
}

/** The output of a QKeras quantizer call: the float32 values and the `scale` it set. */
export interface QKerasOutput {
  values: Float32Array;
  /** `quantizer.scale` after the call: a number, or a tensor broadcastable against the input. */
  scale: number | Tensor32;
  diagnostics: QuantizeDiagnostics;
}

function toF32(data: ArrayLike<number>, path: string): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) throw new ValueError(`${path}[${i}]`, `weight value ${v} is not finite`);
    out[i] = v;
  }
  return out;
}

function checkShape(data: ArrayLike<number>, shape: number[], path: string): void {
  const n = shape.reduce((p, d) => p * d, 1);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0) || n !== data.length) {
    throw new ValueError(path, `shape [${shape.join(',')}] does not match ${data.length} values`);
  }
}

/** QKeras 0.9 computes 2**integer in int32 tensors (quantized_bits, quantized_relu). */
function checkIntegerExponent(integer: number, path: string): void {
  if (integer < 0 || integer > 30) {
    throw new UnsupportedError(`${path}.integer`, `QKeras 0.9 computes 2**integer in int32 tensors: integer=${integer} fails (< 0) or overflows (> 30)`);
  }
}

/** Weight data as the float32 tensor hls4ml hands to the quantizer, its shape checked. */
function weightTensor(data: ArrayLike<number>, shape: number[], path: string): Tensor32 {
  checkShape(data, shape, path);
  return { data: toF32(data, path), shape };
}

/**
 * Per-channel reduction layout for QKeras' channels-last scale axis: rank > 1 reduces over every
 * axis but the last (`scale_axis` None) or every axis but `scale_axis`; returns, for each element,
 * its group index and the number of groups.
 */
function groupsOf(shape: number[], scaleAxis: number | null): { group: (i: number) => number; count: number; outShape: number[] } {
  const rank = shape.length;
  const axis = scaleAxis === null ? rank - 1 : scaleAxis;
  const outShape = shape.map((d, k) => (k === axis ? d : 1));
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const size = shape[axis]!;
  return { group: (i) => Math.floor(i / inner) % size, count: size, outShape };
}

/**
 * `_get_scale(alpha, x, q)` of QKeras 0.9 (least squares, then po2 rounding for 'auto_po2'):
 * rank 1 → one scale per element; rank > 1 → one per output channel (mean over the other axes).
 * The means are summed in float64 and rounded to float32 once (TensorFlow's reduction order is not
 * reproduced; the log2 margin tells how much that could matter).
 */
function leastSquaresScale(alpha: 'auto' | 'auto_po2', x: Float32Array, q: Float32Array, shape: number[], scaleAxis: number | null, diag: QuantizeDiagnostics): Tensor32 {
  let raw: Float32Array;
  let outShape: number[];
  if (shape.length <= 1) {
    raw = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const qx = f32(x[i]! * q[i]!);
      const qq = f32(q[i]! * q[i]!);
      raw[i] = f32(qx / f32(qq + EPS));
    }
    outShape = [x.length];
  } else {
    const g = groupsOf(shape, scaleAxis);
    const sx = new Float64Array(g.count);
    const sq = new Float64Array(g.count);
    const per = x.length / g.count;
    for (let i = 0; i < x.length; i++) {
      const k = g.group(i);
      sx[k]! += f32(x[i]! * q[i]!);
      sq[k]! += f32(q[i]! * q[i]!);
    }
    raw = new Float32Array(g.count);
    for (let k = 0; k < g.count; k++) raw[k] = f32(f32(sx[k]! / per) / f32(f32(sq[k]! / per) + EPS));
    outShape = g.outShape;
  }
  if (alpha === 'auto_po2') {
    for (let k = 0; k < raw.length; k++) raw[k] = po2Round(raw[k]!, diag);
  }
  return { data: raw, shape: outShape };
}

/** Index into a per-channel (or per-element) scale for element i. */
function scaleAt(scale: Tensor32, shape: number[], scaleAxis: number | null): (i: number) => number {
  if (scale.data.length === 1) return () => scale.data[0]!;
  if (shape.length <= 1) return (i) => scale.data[i]!;
  const g = groupsOf(shape, scaleAxis);
  return (i) => scale.data[g.group(i)]!;
}

/**
 * max|x| per channel (rank > 1: over every axis but the channel axis) or over everything
 * (rank ≤ 1), each mapped by `f`: the initial scale of the automatic alphas.
 */
function maxAbsScale(xs: Float32Array, shape: number[], scaleAxis: number | null, f: (m: number) => number): Tensor32 {
  if (shape.length <= 1) {
    let mx = 0;
    for (let i = 0; i < xs.length; i++) mx = Math.max(mx, Math.abs(xs[i]!));
    return { data: new Float32Array([f(mx)]), shape: [1] };
  }
  const g = groupsOf(shape, scaleAxis);
  const mx = new Float32Array(g.count);
  for (let i = 0; i < xs.length; i++) mx[g.group(i)] = Math.max(mx[g.group(i)]!, Math.abs(xs[i]!));
  return { data: mx.map((v) => f(v)), shape: g.outShape };
}

/**
 * binary / ternary output x + (scale·k − x) in float32 for codes k. With alpha None QKeras
 * replaces x by tanh(x) and the scale is 1, so the sum is exactly k.
 */
function scaledCodes(x: Tensor32, k: Float32Array, alpha: QAlpha, scale: number | Tensor32): Float32Array {
  const xs = x.data;
  const out = new Float32Array(xs.length);
  const at = typeof scale === 'number' ? () => f32(scale) : scaleAt(scale, x.shape, null);
  for (let i = 0; i < xs.length; i++) out[i] = alpha === null ? k[i]! : f32(xs[i]! + f32(f32(at(i) * k[i]!) - xs[i]!));
  return out;
}

function noteRound(diag: QuantizeDiagnostics, p: number): void {
  const fr = Math.abs(p - Math.floor(p));
  const margin = Math.abs(fr - 0.5);
  if (margin === 0) diag.ties++;
  diag.minRoundMargin = Math.min(diag.minRoundMargin ?? Infinity, margin);
}

/**
 * QKeras 0.9 `quantized_bits.__call__` on a float32 tensor, evaluated in float32 (every `+ − × ÷`
 * rounded to float32 as TensorFlow does; `tf.round` half to even). Covers alpha None / number /
 * 'auto' / 'auto_po2'. For 'auto_po2' the five least-squares iterations of 0.9 are run and — as in
 * 0.9 — the codes are those computed with the scale *before* the last update.
 */
export function qkerasQuantizedBits(q: QuantizedBits, x: Tensor32, path = 'quantized_bits'): QKerasOutput {
  checkShape(x.data, x.shape, path);
  // Outside training, use_stochastic_rounding=True still rounds with tf.round.
  checkIntegerExponent(q.integer, path);
  const diag: QuantizeDiagnostics = { ties: 0 };
  const xs = x.data;
  const n = xs.length;
  const out = new Float32Array(n);
  const unsigned = q.bits - (q.keepNegative ? 1 : 0);
  const m = f32(2 ** unsigned);
  const mi = f32(2 ** q.integer);
  const qn = f32(q.qnoiseFactor);

  if (typeof q.alpha === 'string') {
    if (q.alpha === 'auto_po2' && q.scaleAxis !== null && x.shape.length > 1 && (q.scaleAxis < 0 || q.scaleAxis >= x.shape.length)) {
      throw new ValueError(`${path}.scale_axis`, `axis ${q.scaleAxis} out of range for rank ${x.shape.length}`);
    }
    const levels = (2 ** (q.bits - 1) - 1) * 2; // symmetric is forced
    const half = levels / 2;
    const x1 = new Float32Array(n);
    for (let i = 0; i < n; i++) x1[i] = f32(xs[i]! / mi);
    let scale = maxAbsScale(x1, x.shape, q.scaleAxis, (v) => f32(f32(v * 2) / levels));
    const codes = (s: Tensor32): Float32Array => {
      const at = scaleAt(s, x.shape, q.scaleAxis);
      const z = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const v = Math.floor(f32(f32(Math.abs(x1[i]!) / at(i)) + 0.5));
        z[i] = tfSign(x1[i]!) * (v < half ? v : half);
      }
      return z;
    };
    let z: Float32Array;
    if (q.alpha === 'auto_po2') {
      scale = { data: scale.data.map((v) => po2Round(v, diag)), shape: scale.shape };
      z = new Float32Array(n);
      let before = scale;
      for (let it = 0; it < 5; it++) {
        z = codes(scale);
        before = scale;
        scale = leastSquaresScale('auto_po2', x1, z, x.shape, q.scaleAxis, diag);
      }
      diag.autoPo2Converged = before.data.every((v, k) => v === scale.data[k]);
    } else {
      z = codes(scale);
    }
    const finalScale: Tensor32 = { data: scale.data.map((v) => f32(v * m)), shape: scale.shape };
    const at = scaleAt(finalScale, x.shape, q.scaleAxis);
    for (let i = 0; i < n; i++) {
      const xi = f32(mi * x1[i]!);
      const xq = f32(at(i) * f32(f32(mi * z[i]!) / m));
      out[i] = qnoiseOut(xi, xq, qn, q.useSte);
    }
    return { values: out, scale: finalScale, diagnostics: diag };
  }

  const scale = q.alpha === null ? 1.0 : q.alpha;
  const s32 = f32(scale);
  const lo = q.keepNegative ? -m + (q.symmetric ? 1 : 0) : 0;
  const hi = m - 1;
  for (let i = 0; i < n; i++) {
    const xi = xs[i]!;
    let xq: number;
    if (unsigned > 0) {
      const p = f32(f32(xi * m) / mi);
      noteRound(diag, p);
      const r = roundHalfEven(p);
      const c = Math.min(Math.max(r, lo), hi);
      xq = f32(f32(mi * c) / m);
    } else {
      xq = signNonZero(xi);
      if (!q.keepNegative) xq = (xq + 1) / 2;
    }
    xq = f32(s32 * xq);
    out[i] = qnoiseOut(xi, xq, qn, q.useSte);
  }
  return { values: out, scale, diagnostics: diag };
}

/**
 * QKeras 0.9 `quantized_po2.__call__` (and the positive branch of its clipping): ±2^e with e
 * clipped to [min_exp, max_exp]; |x| < 1e-7 gives 2^min_exp.
 */
export function qkerasPo2(q: QuantizedPo2, x: Tensor32, path = 'quantized_po2'): QKerasOutput & { exponents: Int32Array } {
  checkShape(x.data, x.shape, path);
  if (q.cls !== 'quantized_po2') throw new UnsupportedError(path, `${q.cls} is not evaluated as a weight quantizer`);
  const diag: QuantizeDiagnostics = { ties: 0 };
  const needSign = q.maxValue === null || q.maxValue > 1 ? 1 : 0;
  const eff = q.bits - 1 - needSign;
  const minExp = -(2 ** eff);
  let maxExp = 2 ** eff - 1;
  if (q.quadraticApproximation) maxExp = 2 * Math.floor(maxExp / 2);
  const qf = q.quadraticApproximation ? 2 : 1;
  const maxV = q.maxValue === null ? null : f32(q.maxValue);
  const qn = f32(q.qnoiseFactor);
  const n = x.data.length;
  const out = new Float32Array(n);
  const exps = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = x.data[i]!;
    const a = Math.abs(xi);
    let e: number;
    if (a < EPS) {
      e = minExp; // tf.where(x_abs < eps, min_exp, …): not multiplied by the quadratic factor
    } else {
      let xf = a;
      if (maxV !== null && xf >= maxV) xf = maxV;
      const xin = q.quadraticApproximation ? f32(Math.sqrt(xf)) : xf;
      const l = f32(logF32(xin) / LN2_F32);
      let le: number;
      if (q.log2Rounding === 'floor') le = Math.floor(l);
      else {
        le = roundHalfEven(l);
        noteLog2(diag, l);
      }
      e = qf * Math.min(Math.max(le, minExp), maxExp);
    }
    exps[i] = e;
    const xq = f32(signNonZero(xi) * f32(2 ** e));
    out[i] = qnoiseOut(xi, xq, qn, q.useSte);
  }
  return { values: out, scale: 1, diagnostics: diag, exponents: exps };
}

/** QKeras 0.9 `binary.__call__` (also `stochastic_binary` outside training). */
export function qkerasBinary(q: BinaryQ, x: Tensor32, path = 'binary'): QKerasOutput {
  checkShape(x.data, x.shape, path);
  if (q.useStochasticRounding) {
    throw new UnsupportedError(`${path}.use_stochastic_rounding`, 'QKeras 0.9 binary(use_stochastic_rounding=True) broadcasts ones of the shape vector and fails outside training for most shapes');
  }
  const diag: QuantizeDiagnostics = { ties: 0 };
  const n = x.data.length;
  const k = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = signNonZero(x.data[i]!);
    if (q.use01) s = (s + 1) / 2;
    k[i] = s;
  }
  let scale: number | Tensor32;
  if (q.alpha === null) scale = 1.0;
  else if (typeof q.alpha === 'number') scale = q.alpha;
  else scale = leastSquaresScale(q.alpha, x.data, k, x.shape, null, diag);
  return { values: scaledCodes(x, k, q.alpha, scale), scale, diagnostics: diag };
}

/** QKeras 0.9 `ternary.__call__` (also `stochastic_ternary` outside training). */
export function qkerasTernary(q: TernaryQ, x: Tensor32, path = 'ternary'): QKerasOutput {
  checkShape(x.data, x.shape, path);
  const diag: QuantizeDiagnostics = { ties: 0 };
  const xs = x.data;
  const n = xs.length;
  const qv = new Float32Array(n);
  let scale: number | Tensor32;
  if (typeof q.alpha === 'string') {
    if (q.threshold !== null) throw new FormatError(`${path}.threshold`, 'ternary with alpha auto/auto_po2 asserts threshold is None');
    let s = maxAbsScale(xs, x.shape, null, (v) => f32(f32(2 * v) / 3));
    if (q.alpha === 'auto_po2') {
      s = { data: s.data.map((v) => po2Round(v, diag)), shape: s.shape };
    }
    for (let it = 0; it < q.numberOfUnrolls; it++) {
      const at = scaleAt(s, x.shape, null);
      for (let i = 0; i < n; i++) {
        const sc = at(i);
        const thres = f32(sc / 2);
        const p = f32(xs[i]! / sc);
        noteRound(diag, p);
        const v = f32(sc * roundHalfEven(p));
        qv[i] = Math.abs(v) >= thres ? tfSign(xs[i]!) : 0;
      }
      s = leastSquaresScale(q.alpha, xs, qv, x.shape, null, diag);
    }
    if (q.numberOfUnrolls === 0) {
      throw new UnsupportedError(`${path}.number_of_unrolls`, 'number_of_unrolls=0 with alpha auto leaves q undefined in QKeras');
    }
    scale = s;
  } else {
    if (q.useStochasticRounding) throw new FormatError(`${path}.use_stochastic_rounding`, 'ternary with a numeric/None alpha asserts use_stochastic_rounding is False');
    const thres = f32(q.threshold ?? 0.33);
    for (let i = 0; i < n; i++) qv[i] = Math.abs(xs[i]!) >= thres ? tfSign(xs[i]!) : 0;
    scale = q.alpha === null ? 1.0 : q.alpha;
  }
  return { values: scaledCodes(x, qv, q.alpha, scale), scale, diagnostics: diag };
}

/** QKeras 0.9 `quantized_relu.__call__` for use_sigmoid = 0 (hls4ml meets it only as an unsupported weight quantizer). */
export function qkerasQuantizedRelu(q: QuantizedRelu, x: Tensor32, path = 'quantized_relu'): QKerasOutput {
  checkShape(x.data, x.shape, path);
  if (q.useSigmoid) throw new UnsupportedError(`${path}.use_sigmoid`, 'quantized_relu(use_sigmoid=1) is not evaluated');
  checkIntegerExponent(q.integer, path);
  const diag: QuantizeDiagnostics = { ties: 0 };
  const nsb = q.bits - (q.negativeSlope !== 0 ? 1 : 0);
  const m = f32(2 ** nsb);
  const mi = f32(2 ** q.integer);
  const mf = f32(2 ** (q.integer - nsb));
  const top = f32(mi - mf);
  const upper = f32(1 - f32(1 / m));
  const ns = f32(q.negativeSlope);
  const negFactor = q.negativeSlope > 0 ? f32(1 / f32(ns * m)) : 0;
  const qn = f32(q.qnoiseFactor);
  const relu = (v: number): number => (v >= 0 ? v : q.negativeSlope !== 0 ? f32(ns * v) : 0);
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const xi = x.data[i]!;
    let xu: number;
    if (q.isQuantizedClip) xu = xi <= top ? relu(xi) : top;
    else if (q.reluUpperBound !== null) xu = xi <= q.reluUpperBound ? relu(xi) : f32(q.reluUpperBound);
    else xu = relu(xi);
    const p = f32(f32(xi * m) / mi);
    noteRound(diag, p);
    let xq = f32(mi * Math.min(Math.max(f32(roundHalfEven(p) / m), 0), upper));
    if (q.negativeSlope > 0) {
      const pn = f32(p * ns);
      xq = f32(xq + f32(f32(mi * ns) * Math.min(Math.max(f32(roundHalfEven(pn) * negFactor), -1), 0)));
    }
    if (q.reluUpperBound !== null && q.reluUpperBound !== 0 && !q.isQuantizedClip) xq = xq <= q.reluUpperBound ? xq : f32(q.reluUpperBound);
    out[i] = qnoiseOut(xu, xq, qn, q.useSte);
  }
  return { values: out, scale: 1, diagnostics: diag };
}

/** Evaluate a QKeras quantizer on a tensor (the `quantizer_fn(data)` hls4ml calls). */
export function evalQKeras(q: QKerasQuantizer, x: Tensor32, path: string): QKerasOutput {
  switch (q.cls) {
    case 'quantized_bits':
      return qkerasQuantizedBits(q, x, path);
    case 'quantized_po2':
      return qkerasPo2(q, x, path);
    case 'binary':
    case 'stochastic_binary':
      return qkerasBinary(q, x, path);
    case 'ternary':
    case 'stochastic_ternary':
      return qkerasTernary(q, x, path);
    case 'quantized_relu':
      return qkerasQuantizedRelu(q, x, path);
    default:
      throw new UnsupportedError(path, `evaluating ${q.cls === 'function' || q.cls === 'keras_activation' ? q.name : q.cls} on weights is not supported (its values depend on TensorFlow's float32 transcendental functions or randomness)`);
  }
}

// ---------------------------------------------------------------------------------------------
// hls4ml's weight values
// ---------------------------------------------------------------------------------------------

/** The power-of-two encoding hls4ml prints for exponent weights (`ExponentWeightVariable._format`). */
export interface Po2Encoding {
  /** 1 for values >= 0, 0 for negative ones. */
  sign: Uint8Array;
  /** trunc(log2|v|). */
  exponent: Int32Array;
}

/**
 * hls4ml's `{sign, exponent}` pairs for power-of-two data: sign = v < 0 ? 0 : 1,
 * exponent = int(log2|v|) (truncated toward zero). Zero has no exponent (numpy gives an undefined
 * integer) and is rejected.
 *
 * @example po2Encode([0.0625, -2]) // { sign: [1, 0], exponent: [-4, 1] }
 */
export function po2Encode(values: ArrayLike<number>, path = 'po2'): Po2Encoding {
  const sign = new Uint8Array(values.length);
  const exponent = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === 0 || !Number.isFinite(v)) throw new ValueError(`${path}[${i}]`, `cannot encode ${v} as a power of two (log2 is not finite)`);
    sign[i] = v < 0 ? 0 : 1;
    exponent[i] = Math.trunc(f32(Math.log2(Math.abs(v))));
  }
  return { sign, exponent };
}

/** What hls4ml stores for one quantized weight array (`WeightVariable.data` after the quantizer). */
export interface QuantizedWeights {
  /** The values as hls4ml holds them (float32), ready to be printed with the precision's decimals. */
  values: Float32Array;
  /** For exponent precisions: the printed `{sign, exponent}` pairs. */
  po2?: Po2Encoding;
  /** The QKeras quantizer's `scale` after the call (used by QKerasFactorizeAlpha). */
  scale: number | Tensor32;
  diagnostics: QuantizeDiagnostics;
}

/**
 * The values hls4ml stores for a weight array quantized by `info` (hls4ml's wrapper `__call__`):
 * the data is cast to float32, the QKeras quantizer is evaluated, then binary wrappers re-encode
 * (`>= 0` → 1, else 0 for Xnor kernels or −1 otherwise) and po2 wrappers get their `{sign, exponent}`.
 */
export function quantizeWeights(info: Hls4mlWeightQuantizer, data: ArrayLike<number>, shape: number[], path = 'weights'): QuantizedWeights {
  const x = weightTensor(data, shape, path);
  const r = evalQKeras(info.quantizer, x, path);
  if (info.wrapper === 'QKerasBinaryQuantizer') {
    const v = new Float32Array(r.values.length);
    for (let i = 0; i < v.length; i++) v[i] = r.values[i]! >= 0 ? 1 : info.xnor ? 0 : -1;
    return { values: v, scale: r.scale, diagnostics: r.diagnostics };
  }
  if (info.wrapper === 'QKerasPO2Quantizer') {
    return { values: r.values, po2: po2Encode(r.values, path), scale: r.scale, diagnostics: r.diagnostics };
  }
  return { values: r.values, scale: r.scale, diagnostics: r.diagnostics };
}

/** The result of hls4ml's `QKerasFactorizeAlpha` on one Dense/Conv layer. */
export interface FactorizedAlpha {
  /** The layer's new weights: QKeras' quantized weights divided by the scale, re-quantized with alpha = 1. */
  weights: QuantizedWeights;
  /** The weight quantizer after the pass (alpha = 1; its precision is unchanged). */
  weightQuantizer: Hls4mlWeightQuantizer;
  /** ApplyAlpha scale values (`scale_data`), one per output channel, in the quantizer's scale shape. */
  scale: Tensor32 | { data: Float64Array; shape: number[] };
  /** For alpha 'auto_po2': the exponent width of the scale type (`quantized_po2(bits)`), else null. */
  scaleBits: number | null;
  /** For alpha 'auto_po2': the scale as printed `{sign, exponent}` pairs. */
  scalePo2?: Po2Encoding;
  /** For alpha 'auto_po2': the ApplyAlpha's scale quantizer, `QKerasPO2Quantizer({'bits': scaleBits})`. */
  scaleQuantizer?: Hls4mlWeightQuantizer;
  /** The ApplyAlpha scale precision when fixed by a quantizer (exponent), else null ('auto' → Model default). */
  scalePrecision: Hls4mlPrecision | null;
  /** Diagnostics of the scaled quantizer call whose scale is factored out. */
  alphaDiagnostics: QuantizeDiagnostics;
}

/**
 * hls4ml's `QKerasFactorizeAlpha` numbers for a Dense/Conv whose kernel quantizer has alpha ∉ {1, None}.
 * The layer's bias moves to the ApplyAlpha unchanged (already quantized; the layer keeps zeros of
 * the bias type) — that part is the caller's. `nOut` is the size of the last weight axis.
 */
export function factorizeAlpha(info: Hls4mlWeightQuantizer, data: ArrayLike<number>, shape: number[], nOut: number, path = 'weights'): FactorizedAlpha {
  const q = info.quantizer;
  if (info.wrapper === 'QKerasPO2Quantizer' || !('alpha' in q)) {
    throw new UnsupportedError(path, `hls4ml's QKerasFactorizeAlpha reads quantizer.scale, which ${q.cls} does not have (hls4ml fails)`);
  }
  const x = weightTensor(data, shape, path);
  const r = evalQKeras(q, x, path);
  let scale: Tensor32 | { data: Float64Array; shape: number[] };
  if (typeof r.scale === 'number') scale = { data: new Float64Array(nOut).fill(r.scale), shape: [nOut] };
  else scale = r.scale;
  // new_weights = (1/scale) * qweights: 1/scale in float64 (numpy), converted to float32 by TensorFlow.
  const sAt = 'data' in scale && scale.data.length === 1 ? () => scale.data[0]! : scaleAt({ data: Float32Array.from(scale.data), shape: scale.shape }, shape, null);
  const unscaled = new Float32Array(r.values.length);
  for (let i = 0; i < unscaled.length; i++) unscaled[i] = f32(f32(1 / sAt(i)) * r.values[i]!);
  const alphaOne = { ...q, alpha: 1, given: { ...q.given, alpha: 1 } } as QKerasQuantizer;
  const newInfo: Hls4mlWeightQuantizer = { ...info, quantizer: alphaOne, alpha: 1 };
  const weights = quantizeWeights(newInfo, unscaled, shape, path);
  let scaleBits: number | null = null;
  let scalePo2: Po2Encoding | undefined;
  let scalePrecision: Hls4mlPrecision | null = null;
  let scaleQuantizer: Hls4mlWeightQuantizer | undefined;
  if (q.alpha === 'auto_po2') {
    let mx = 0;
    for (const s of scale.data) mx = Math.max(mx, Math.abs(Math.log2(s)));
    scaleBits = Math.max(Math.trunc(mx) + 1, 2);
    const po2q = construct('quantized_po2', [], { bits: scaleBits }, `${path}.alpha_scale`) as QuantizedPo2;
    const sq = qkerasPo2(po2q, { data: Float32Array.from(scale.data), shape: scale.shape }, `${path}.alpha_scale`);
    scalePo2 = po2Encode(sq.values, `${path}.alpha_scale`);
    scale = { data: sq.values, shape: scale.shape };
    scalePrecision = exponentPrecision(scaleBits, true);
    scaleQuantizer = wrapperOf(po2q, 'QKerasPO2Quantizer', scaleBits, scalePrecision, undefined, []);
  }
  return { weights, weightQuantizer: newInfo, scale, scaleBits, scalePo2, scaleQuantizer, scalePrecision, alphaDiagnostics: r.diagnostics };
}

/** The hls4ml classes `QKerasFactorizeAlpha` matches (model/optimizer/passes/qkeras.py: `node.class_name in [...]`). */
export const FACTORIZE_ALPHA_CLASSES: readonly string[] = ['Dense', 'Conv1D', 'Conv2D', 'Conv2DBatchnorm'];

/**
 * Whether hls4ml's `QKerasFactorizeAlpha` fires for a layer of hls4ml class `className`
 * (Dense, Conv1D, Conv2D, Conv2DBatchnorm — not depthwise or separable) with these quantizers.
 */
export function factorizeAlphaApplies(className: string, weight: Hls4mlWeightQuantizer | null, bias: Hls4mlWeightQuantizer | null): boolean {
  if (!FACTORIZE_ALPHA_CLASSES.includes(className)) return false;
  const has = (w: Hls4mlWeightQuantizer | null): boolean => w !== null && w.alpha !== undefined && w.alpha !== null && w.alpha !== 1;
  return has(weight) || has(bias);
}

// ---------------------------------------------------------------------------------------------
// QActivation
// ---------------------------------------------------------------------------------------------

/** What hls4ml's `get_activation_quantizer` makes of a QActivation (or a quantizer activation of a Q layer). */
export interface QActivationLayer {
  /** hls4ml class: 'Activation', 'HardActivation', 'LeakyReLU' or 'TernaryTanh'. */
  className: 'Activation' | 'HardActivation' | 'LeakyReLU' | 'TernaryTanh';
  /** The `activation` attribute: 'linear', 'relu', 'hard_sigmoid', 'hard_tanh', 'tanh', 'sigmoid', 'leaky_relu', 'binary_tanh', 'ternary_tanh'. */
  activation: string;
  /** The quantizer class name after hls4ml's renaming (quantized_bits → 'linear', binary → 'binary_tanh', …). */
  quantizerClass: string;
  /** TernaryTanh threshold (default 0.33). */
  threshold?: number;
  /** HardActivation: slope 0.5, shift 0.5, both typed ufixed<2,0>. */
  slope?: number;
  shift?: number;
  /** LeakyReLU slope. */
  activParam?: number;
  warnings: string[];
}

const SUPPORTED_ACT = ['quantized_relu', 'quantized_tanh', 'binary_tanh', 'ternary_tanh', 'quantized_sigmoid', 'quantized_bits', 'binary', 'ternary'];

/**
 * The quantizer class name hls4ml sees for an activation quantizer object (classes keep theirs,
 * `binary`/`ternary` get `_tanh` appended; functions named `*binary*` / `*ternary*` become
 * `binary_tanh` / `ternary_tanh`, anything else 'unknown').
 */
function activationClassName(q: QKerasQuantizer): string {
  if (q.cls === 'function' || q.cls === 'keras_activation') {
    if (q.name.includes('binary')) return 'binary_tanh';
    if (q.name.includes('ternary')) return 'ternary_tanh';
    return 'unknown';
  }
  if (q.cls === 'binary' || q.cls === 'ternary') return `${q.cls}_tanh`;
  return q.cls;
}

/**
 * hls4ml's `get_activation_quantizer` for a QActivation's `activation` (or a Q layer's quantizer
 * activation): which layer it becomes. Throws {@link UnsupportedError} with hls4ml's message for
 * the quantizers hls4ml rejects.
 */
export function qactivationLayer(q: QKerasQuantizer, ctx: QuantizerContext): QActivationLayer {
  const path = where(ctx);
  const name = activationClassName(q);
  const warnings: string[] = [];
  if (!SUPPORTED_ACT.includes(name)) {
    throw new UnsupportedError(path, `hls4ml rejects it: "Unsupported QKeras activation: ${name}"`);
  }
  if (q.cls === 'function' && q.name === 'binary_sigmoid') {
    warnings.push(`${path}: binary_sigmoid gives {0, 1} in QKeras; hls4ml treats every function named *binary* as binary_tanh (±1)`);
  }
  if (name === 'quantized_bits') {
    const qb = q as QuantizedBits;
    if (!qb.keepNegative) warnings.push(`${path}: keep_negative=False is ignored: the cast is to a signed type`);
    if (qb.alpha !== null && qb.alpha !== 1) warnings.push(`${path}: alpha=${String(qb.alpha)} of an activation quantizer is ignored by hls4ml`);
    return { className: 'Activation', activation: 'linear', quantizerClass: 'linear', warnings };
  }
  if (name === 'ternary_tanh') {
    const t = q.cls === 'ternary' || q.cls === 'stochastic_ternary' ? q.threshold : null;
    if (q.cls === 'ternary' && q.alpha !== null && q.alpha !== 1) warnings.push(`${path}: ternary alpha is ignored for activations`);
    return { className: 'TernaryTanh', activation: 'ternary_tanh', quantizerClass: name, threshold: t ?? 0.33, warnings };
  }
  if (name === 'binary_tanh') {
    if (q.cls === 'binary' && q.use01) warnings.push(`${path}: binary(use_01=True) gives {0, 1} in QKeras; hls4ml computes binary_tanh (±1)`);
    return { className: 'Activation', activation: 'binary_tanh', quantizerClass: name, warnings };
  }
  if ((name === 'quantized_sigmoid' || name === 'quantized_tanh') && !(q as QuantizedTanhSigmoid).useReal) {
    return {
      className: 'HardActivation',
      activation: name.replace('quantized_', 'hard_'),
      quantizerClass: name,
      slope: 0.5,
      shift: 0.5,
      warnings,
    };
  }
  if (name === 'quantized_relu' && (q as QuantizedRelu).negativeSlope !== 0) {
    return { className: 'LeakyReLU', activation: 'leaky_relu', quantizerClass: name, activParam: (q as QuantizedRelu).negativeSlope, warnings };
  }
  if (name === 'quantized_relu') {
    if ((q as QuantizedRelu).useSigmoid) warnings.push(`${path}: use_sigmoid=1 is ignored by hls4ml (a plain relu is used)`);
  }
  return { className: 'Activation', activation: name.replace('quantized_', ''), quantizerClass: name, warnings };
}

/**
 * The result precision `config_from_keras_model` writes for an activation quantizer
 * (`_get_precision_from_quantizer`); `quantizerClass` is the name after hls4ml's renaming
 * (see {@link QActivationLayer.quantizerClass}). Only at 'name'/'type' granularity does this reach the
 * firmware: at 'model' granularity the activation's result is the Model default.
 */
export function activationResultPrecision(q: QKerasQuantizer, ctx: QuantizerContext): Hls4mlPrecision {
  const path = where(ctx);
  const name = activationClassName(q) === 'quantized_bits' ? 'linear' : activationClassName(q);
  let bits: number;
  let integer: number;
  let signed = true;
  let Q: QuantMode = 'AP_TRN';
  let O: OverflowMode = 'AP_WRAP';
  if (['quantized_bits', 'linear', 'quantized_relu', 'quantized_tanh', 'quantized_sigmoid', 'quantized_po2', 'quantized_relu_po2'].includes(name)) {
    const b = q as QuantizedBits | QuantizedRelu | QuantizedTanhSigmoid | QuantizedPo2;
    bits = b.bits;
    integer = ('integer' in b ? b.integer : bits - 1) + 1;
    Q = 'AP_RND_CONV';
    O = 'AP_SAT';
    if (name === 'quantized_relu' || name === 'quantized_relu_po2') {
      const ns = (b as QuantizedRelu | QuantizedPo2).negativeSlope;
      if (ns === 0) {
        signed = false;
        integer -= 1;
      }
    } else if (name === 'quantized_tanh') {
      O = (b as QuantizedTanhSigmoid).symmetric ? 'AP_SAT_SYM' : 'AP_SAT';
      integer = 1;
    } else if (name === 'quantized_sigmoid') {
      integer = 0;
      signed = false;
    }
  } else if (['binary', 'stochastic_binary', 'binary_tanh', 'ternary', 'stochastic_ternary', 'ternary_tanh'].includes(name)) {
    bits = 2;
    integer = 2;
  } else {
    throw new UnsupportedError(path, `hls4ml rejects it: "ERROR: Unsupported quantizer: ${name}"`);
  }
  if (bits - integer > 0) return fixedPrecision(bits, integer, signed, Q, O);
  // decimal <= 0: an integer type of `integer` bits, with plain TRN/WRAP.
  return integerPrecision(integer, signed);
}

// ---------------------------------------------------------------------------------------------
// The quantizer as the working graph carries it
// ---------------------------------------------------------------------------------------------

/** The precision class and storage type of an hls4ml precision (exponent: the exponent field `ap_int<W>`). */
export function precisionStorage(p: Hls4mlPrecision): { kind: PrecisionKind; type: FixedType } {
  if (p.kind === 'exponent') return { kind: 'exponent', type: fixedType(p.signed, p.width, p.width) };
  return { kind: p.kind, type: precisionStorageType(p) };
}

/**
 * The working graph's quantizer for an hls4ml weight-quantizer wrapper: its type (which replaces
 * the configured precision), `str(type)` for `config_from_keras_model`, and the function hls4ml
 * applies to the float data ({@link quantizeWeights}).
 *
 * @example weightQuantizerOf(hls4mlWeightQuantizer(q, 'kernel', ctx)).text // 'fixed<6,1,TRN,WRAP,0>'
 */
export function weightQuantizerOf(info: Hls4mlWeightQuantizer): WeightQuantizer {
  const { kind, type } = precisionStorage(info.precision);
  return Object.freeze({
    ...type,
    kind,
    text: hls4mlPrecisionString(info.precision),
    qkeras: info,
    apply: (data: ArrayLike<number>, shape: number[], path: string) => quantizeWeights(info, data, shape, path).values,
  });
}
