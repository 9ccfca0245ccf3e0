/**
 * Size limits for everything hlsemu reads from files or the command line. Every size a file claims
 * (shapes, counts, header dimensions, decompressed sizes) is checked against the bytes actually
 * present and against these limits before anything is allocated, so a hostile or corrupt file
 * ends in a typed error instead of an out-of-memory crash or a hang.
 *
 * Defaults suit real datasets (the full 60,000-image Fashion-MNIST training set is 47 MB of pixels).
 * Override one per process with an environment variable (a plain or scientific-notation integer,
 * e.g. `HLSEMU_MAX_ELEMENTS=1e9`), or per call with the `limits` option of the readers.
 *
 * | limit | default | variable |
 * |---|---|---|
 * | `maxFileBytes` — bytes of one input file read into memory | 2 GiB − 1 (Node's own read limit) | `HLSEMU_MAX_FILE_BYTES` |
 * | `maxTextBytes` — bytes of one JSON / YAML file | 512 MiB − 1 (V8's longest string) | `HLSEMU_MAX_TEXT_BYTES` |
 * | `maxElements` — values in one array (a .npy, an IDX file, JSON inputs) | 2^28 (2 GiB as float64) | `HLSEMU_MAX_ELEMENTS` |
 * | `maxInflatedBytes` — bytes one gzip stream may inflate to | 1 GiB | `HLSEMU_MAX_INFLATED_BYTES` |
 * | `maxJsonDepth` — nesting depth of a JSON / YAML document | 256 | `HLSEMU_MAX_JSON_DEPTH` |
 * | `maxSamples` — generated samples (`emit --samples`) | 100,000 | `HLSEMU_MAX_SAMPLES` |
 * | `maxModelBytes` — memory a model's emulator may prepare (tensors, window tables, weights), estimated before building | 4 GiB | `HLSEMU_MAX_MODEL_BYTES` |
 */
import { maybePlatform } from '../platform/index.js';
import { ConfigError } from '../errors.js';

/** The limits (see the module documentation for defaults and environment variables). */
export interface Limits {
  /** Largest input file read whole into memory, in bytes. */
  maxFileBytes: number;
  /** Largest JSON / YAML text file, in bytes. */
  maxTextBytes: number;
  /** Most values in one array read from a file. */
  maxElements: number;
  /** Most bytes one gzip stream may inflate to. */
  maxInflatedBytes: number;
  /** Deepest nesting of a JSON / YAML document. */
  maxJsonDepth: number;
  /** Most samples a command generates (e.g. random testbench inputs). */
  maxSamples: number;
  /** Most bytes the emulator of one model may prepare (estimated from the graph before building). */
  maxModelBytes: number;
}

/** The built-in defaults. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFileBytes: 2 ** 31 - 1,
  maxTextBytes: 2 ** 29 - 1,
  maxElements: 2 ** 28,
  maxInflatedBytes: 2 ** 30,
  maxJsonDepth: 256,
  maxSamples: 100_000,
  maxModelBytes: 2 ** 32,
});

/** The environment variable of each limit. */
export const LIMIT_ENV: Readonly<Record<keyof Limits, string>> = Object.freeze({
  maxFileBytes: 'HLSEMU_MAX_FILE_BYTES',
  maxTextBytes: 'HLSEMU_MAX_TEXT_BYTES',
  maxElements: 'HLSEMU_MAX_ELEMENTS',
  maxInflatedBytes: 'HLSEMU_MAX_INFLATED_BYTES',
  maxJsonDepth: 'HLSEMU_MAX_JSON_DEPTH',
  maxSamples: 'HLSEMU_MAX_SAMPLES',
  maxModelBytes: 'HLSEMU_MAX_MODEL_BYTES',
});

/**
 * The limits in force: defaults, then environment variables, then `overrides`.
 *
 * @throws {ConfigError} when an environment variable is not a positive integer.
 * @example limits().maxElements // 268435456
 * @example limits({ maxElements: 1000 }).maxElements // 1000
 */
export function limits(overrides: Partial<Limits> = {}): Limits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_ENV) as (keyof Limits)[]) {
    const name = LIMIT_ENV[key];
    const text = maybePlatform()?.env(name);
    if (text !== undefined && text.trim() !== '') {
      const n = Number(text.trim());
      if (!Number.isSafeInteger(n) || n < 1) throw new ConfigError(name, `must be a positive integer, got '${text}'`);
      out[key] = n;
    }
    const o = overrides[key];
    if (o !== undefined) {
      if (!Number.isSafeInteger(o) || o < 1) throw new ConfigError(`limits.${key}`, `must be a positive integer, got ${String(o)}`);
      out[key] = o;
    }
  }
  return out;
}

/** `1.5 GiB`, `12 MiB`, `300 bytes`. @example formatBytes(2 ** 30) // '1 GiB' */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

/** The hint appended to limit errors. @example limitHint('maxElements') // 'raise it with HLSEMU_MAX_ELEMENTS' */
export function limitHint(key: keyof Limits): string {
  return `raise the limit with ${LIMIT_ENV[key]}=<n>`;
}

/**
 * The product of `dims`, or `Infinity` when it exceeds `Number.MAX_SAFE_INTEGER` (never loses the
 * overflow to floating-point rounding).
 *
 * @example checkedProduct([10000, 28, 28]) // 7840000
 */
export function checkedProduct(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (d === 0) return 0;
  }
  for (const d of dims) {
    n *= d;
    if (!Number.isSafeInteger(n)) return Infinity;
  }
  return n;
}
