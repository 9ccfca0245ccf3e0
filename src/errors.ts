/**
 * Typed errors. Every error hlsemu throws on bad input is an {@link HlsemuError}
 * carrying a `path` (which layer / field / line) and a short `code`, so callers
 * can react programmatically and users see what was wrong and where.
 */

/** Base class of every error hlsemu throws for bad input or unsupported requests. */
export class HlsemuError extends Error {
  /** Machine-readable category, e.g. `'fixed-type'`, `'shape'`, `'unsupported'`. */
  readonly code: string;
  /** Where the problem is: a field name, `layer.field`, `file:line` … */
  readonly path: string;

  /**
   * @example
   * throw new HlsemuError('shape', 'dense1.weights', 'expected 12 values, got 10');
   */
  constructor(code: string, path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = new.target.name;
    this.code = code;
    this.path = path;
  }
}

/** A fixed-point type (or a value for it) is malformed: bad W/I/N, unknown mode, NaN input. */
export class FixedTypeError extends HlsemuError {
  /** @example new FixedTypeError('W', 'must be an integer >= 1, got 0') */
  constructor(path: string, message: string) {
    super('fixed-type', path, message);
  }
}

/** A value cannot be represented as requested (non-integer raw, NaN/Inf under the 'error' policy). */
export class ValueError extends HlsemuError {
  /** @example new ValueError('x[3]', 'NaN is not allowed (nonFinite: "error")') */
  constructor(path: string, message: string) {
    super('value', path, message);
  }
}

/** Tensor shapes or weight counts do not agree. */
export class ShapeError extends HlsemuError {
  /** @example new ShapeError('conv1.weights', 'expected 432 values, got 400') */
  constructor(path: string, message: string) {
    super('shape', path, message);
  }
}

/** A layer, op, option or combination hlsemu does not support. */
export class UnsupportedError extends HlsemuError {
  /** @example new UnsupportedError('layers[3] (LSTM)', 'layer class LSTM is not supported') */
  constructor(path: string, message: string) {
    super('unsupported', path, message);
  }
}

/** A configuration (hls4ml config, kernel config) is invalid. */
export class ConfigError extends HlsemuError {
  /** @example new ConfigError('LayerName.dense9', 'no layer named dense9 in the model') */
  constructor(path: string, message: string) {
    super('config', path, message);
  }
}

/** A file could not be read or parsed. */
export class FormatError extends HlsemuError {
  /** @example new FormatError('cases.jsonl:17', 'invalid JSON') */
  constructor(path: string, message: string) {
    super('format', path, message);
  }
}
