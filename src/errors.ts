/**
 * Typed errors. Every error hlsemu throws on bad input is an {@link HlsemuError}
 * carrying a `path` (which layer / field / line) and a short `code`, so callers
 * can react programmatically and users see what was wrong and where.
 */

/** Base class of every error hlsemu throws for bad input or unsupported requests. */
export class HlsemuError extends Error {
  /**
   * The class's name, written out in each class: a minifier renames classes (a bundled page would
   * show `z: …`), so `new.target.name` is not what users see.
   */
  override name = 'HlsemuError';
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
    this.code = code;
    this.path = path;
  }

  /**
   * A copy of this error (same class, code and fields) whose path starts with `context`, e.g. the
   * file the offending value was read from.
   *
   * @example err.inContext('x.npy').message // 'x.npy: inputs.shape: …'
   */
  inContext(context: string): this {
    const text = this.path && this.message.startsWith(`${this.path}: `) ? this.message.slice(this.path.length + 2) : this.message;
    const path = this.path ? `${context}: ${this.path}` : context;
    return this.copyWith(path, `${path}: ${text}`);
  }

  /**
   * A copy of this error whose path and message name the files under `dir` relative to it: files
   * mounted in a scratch directory (a browser drop) are named as the user gave them.
   *
   * @example err.relativeTo('/mnt/3').message // 'weights.bin: weight shard … not found' (was '/mnt/3/weights.bin: …')
   */
  relativeTo(dir: string): this {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const strip = (s: string) => s.split(prefix).join('');
    return this.copyWith(strip(this.path), strip(this.message));
  }

  /** A copy (same class, code and fields) with another path and message. */
  private copyWith(path: string, message: string): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.assign(copy, this);
    Object.defineProperty(copy, 'path', { value: path, enumerable: true, writable: false, configurable: true });
    Object.defineProperty(copy, 'message', { value: message, enumerable: false, writable: true, configurable: true });
    Object.defineProperty(copy, 'stack', { value: this.stack, enumerable: false, writable: true, configurable: true });
    return copy;
  }
}

/** A fixed-point type (or a value for it) is malformed: bad W/I/N, unknown mode, NaN input. */
export class FixedTypeError extends HlsemuError {
  override name = 'FixedTypeError';
  /** @example new FixedTypeError('W', 'must be an integer >= 1, got 0') */
  constructor(path: string, message: string) {
    super('fixed-type', path, message);
  }
}

/** A value cannot be represented as requested (non-integer raw, NaN/Inf under the 'error' policy). */
export class ValueError extends HlsemuError {
  override name = 'ValueError';
  /** @example new ValueError('x[3]', 'NaN is not allowed (nonFinite: "error")') */
  constructor(path: string, message: string) {
    super('value', path, message);
  }
}

/** Tensor shapes or weight counts do not agree. */
export class ShapeError extends HlsemuError {
  override name = 'ShapeError';
  /** @example new ShapeError('conv1.weights', 'expected 432 values, got 400') */
  constructor(path: string, message: string) {
    super('shape', path, message);
  }
}

/** A layer, op, option or combination hlsemu does not support. */
export class UnsupportedError extends HlsemuError {
  override name = 'UnsupportedError';
  /** @example new UnsupportedError('layers[3] (LSTM)', 'layer class LSTM is not supported') */
  constructor(path: string, message: string) {
    super('unsupported', path, message);
  }
}

/** A configuration (hls4ml config, kernel config) is invalid. */
export class ConfigError extends HlsemuError {
  override name = 'ConfigError';
  /** @example new ConfigError('LayerName.dense9', 'no layer named dense9 in the model') */
  constructor(path: string, message: string) {
    super('config', path, message);
  }
}

/** A file could not be read or parsed. */
export class FormatError extends HlsemuError {
  override name = 'FormatError';
  /** @example new FormatError('cases.jsonl:17', 'invalid JSON') */
  constructor(path: string, message: string) {
    super('format', path, message);
  }
}

/**
 * A file or directory could not be written or read by the operating system: the path names the
 * file, `errno` the system code (`'EISDIR'`, `'ENOTDIR'`, `'EACCES'`, `'EEXIST'`, `'ENOSPC'`, …).
 */
export class FileSystemError extends HlsemuError {
  override name = 'FileSystemError';
  /** The system error code, e.g. `'EISDIR'`. */
  readonly errno: string;

  /** @example new FileSystemError('out/scan.json', 'EISDIR', 'is a directory') */
  constructor(path: string, errno: string, message: string) {
    super('filesystem', path, `${message} (${errno})`);
    this.errno = errno;
  }
}

/** A command line is wrong: an unknown flag, a missing or malformed argument. */
export class UsageError extends HlsemuError {
  override name = 'UsageError';
  /** @example new UsageError('--trce', "unknown option (did you mean --trace?)") */
  constructor(path: string, message: string) {
    super('usage', path, message);
  }
}

const SYSTEM_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOTEMPTY: 'directory not empty',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EXDEV: 'cross-device link',
  EBUSY: 'resource busy',
  EINVAL: 'invalid argument',
  EFBIG: 'file too large',
  ERR_FS_FILE_TOO_LARGE: 'file too large to read into memory',
};

/**
 * Turn an error thrown by node:fs into a {@link FileSystemError} naming `path` (HlsemuErrors pass
 * through unchanged). `what` says what was being done ('cannot write', 'cannot read', …).
 *
 * @example
 * try { writeFileSync(p, s); } catch (e) { throw fileSystemError(e, p, 'cannot write'); }
 */
export function fileSystemError(e: unknown, path: string, what?: string): HlsemuError {
  if (e instanceof HlsemuError) return e;
  const code = e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'EIO';
  const text = SYSTEM_MESSAGES[code] ?? oneLine(e instanceof Error ? e.message : String(e), 120);
  return new FileSystemError(path, code, what ? `${what}: ${text}` : text);
}

/** Collapse whitespace (newlines included) and cut to `max` characters. */
function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * A short, single-line preview of any value for an error message. Unlike `JSON.stringify` it
 * never throws: BigInts print as `123n`, cycles as `[Circular]`, deep nesting as `[…]`, long
 * arrays and strings are cut. Work is bounded by `max` whatever the size of the value.
 *
 * @example describeValue({ a: [1, 2n, 'x'] }) // '{"a":[1,2n,"x"]}'
 * @example describeValue(Array(1e6).fill(0), 20) // '[0,0,0,0,0,0,0,0,0,…'
 */
export function describeValue(v: unknown, max = 80): string {
  let out = '';
  const seen = new Set<object>();
  const full = () => out.length >= max;
  const put = (s: string) => {
    if (!full()) out += s;
  };
  const walk = (x: unknown, depth: number): void => {
    if (full()) return;
    switch (typeof x) {
      case 'bigint':
        return put(`${x}n`);
      case 'number':
        return put(Number.isFinite(x) ? String(x) : String(x));
      case 'string':
        return put(JSON.stringify(x.length > max ? x.slice(0, max) : x));
      case 'boolean':
        return put(String(x));
      case 'undefined':
        return put('undefined');
      case 'symbol':
        return put(x.toString());
      case 'function':
        return put('[function]');
    }
    if (x === null) return put('null');
    const o = x as object;
    if (seen.has(o)) return put('[Circular]');
    if (depth >= 8) return put(Array.isArray(o) || ArrayBuffer.isView(o) ? '[…]' : '{…}');
    seen.add(o);
    if (Array.isArray(o) || (ArrayBuffer.isView(o) && !(o instanceof DataView))) {
      const a = o as ArrayLike<unknown>;
      put('[');
      for (let i = 0; i < a.length && !full(); i++) {
        if (i) put(',');
        walk(a[i], depth + 1);
      }
      put(']');
    } else {
      put('{');
      let i = 0;
      for (const k in o) {
        if (full()) break;
        if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
        if (i++) put(',');
        put(`${JSON.stringify(k.length > max ? k.slice(0, max) : k)}:`);
        walk((o as Record<string, unknown>)[k], depth + 1);
      }
      put('}');
    }
    seen.delete(o);
  };
  walk(v, 0);
  return out.length >= max ? `${out.slice(0, max)}…` : out;
}

/**
 * Condense an HDF5 diagnostic dump (`HDF5-DIAG: Error detected in HDF5 …` followed by a stack of
 * `#000: … in H5Fopen(): unable to open file` records) to its innermost record, e.g.
 * `HDF5: H5FD_open(): file signature not found`. Other text is returned unchanged.
 *
 * @example condenseDiagnostics('HDF5-DIAG: Error detected …\n  #001: x.c line 2 in H5Y(): bad\n') // 'HDF5: H5Y(): bad'
 */
export function condenseDiagnostics(text: string): string {
  const at = text.indexOf('HDF5-DIAG');
  if (at < 0) return text;
  const records = [...text.slice(at).matchAll(/#\d+:[^\n]*? in ([A-Za-z0-9_]+\(\)): ([^\n]*)/g)];
  const last = records[records.length - 1];
  return `${text.slice(0, at)}HDF5: ${last ? `${last[1]}: ${last[2]!.trim()}` : 'error'}`;
}

/**
 * One line describing any thrown value, for the command line: a {@link HlsemuError}'s message, or
 * `internal error: <name>: <message>` for anything else. Newlines are collapsed and the text is
 * cut to `max` characters; never throws (BigInts, cycles, deep nesting, throwing getters).
 *
 * @example formatErrorLine(new FormatError('x.npy', 'bad magic')) // 'x.npy: bad magic'
 */
export function formatErrorLine(e: unknown, max = 400): string {
  try {
    if (e instanceof HlsemuError) return oneLine(condenseDiagnostics(e.message), max);
    if (e instanceof Error) return oneLine(`internal error: ${e.name}: ${condenseDiagnostics(e.message)}`, max);
    return oneLine(`internal error: thrown value ${describeValue(e, 80)}`, max);
  } catch {
    return 'internal error: (an error that cannot be described)';
  }
}
