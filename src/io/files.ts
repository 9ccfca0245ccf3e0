/**
 * Reading input files defensively: every failure (missing file, a directory where a file was
 * expected, permission denied, a file larger than the limits, malformed or too deeply nested
 * JSON / YAML) is a {@link FormatError} naming the file, never a raw Node error.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from '../platform/fs.js';
import { FormatError } from '../errors.js';
import { formatBytes, limitHint, limits, type Limits } from './limits.js';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, expected a file',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
};

/** A one-line reason for a node:fs error, with its code. @example fsReason({ code: 'ENOENT' }) // 'no such file or directory (ENOENT)' */
export function fsReason(e: unknown): string {
  const code = e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  if (typeof code === 'string') return `${REASONS[code] ?? (e as Error).message?.split('\n')[0] ?? code} (${code})`;
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

/**
 * Check that `path` is a readable regular file no larger than `maxBytes`; returns its size.
 *
 * @throws {FormatError} naming the file.
 * @example const size = checkInputFile('x.npy', 'input array');
 */
export function checkInputFile(path: string, what = 'file', maxBytes = limits().maxFileBytes, key: keyof Limits = 'maxFileBytes'): number {
  if (typeof path !== 'string' || path === '') throw new FormatError(String(path), `no ${what} path given`);
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new FormatError(path, `cannot read ${what}: ${fsReason(e)}`);
  }
  if (st.isDirectory()) throw new FormatError(path, `cannot read ${what}: is a directory, expected a file (EISDIR)`);
  if (!st.isFile()) throw new FormatError(path, `cannot read ${what}: not a regular file`);
  if (st.size > maxBytes) throw new FormatError(path, `${what} is ${formatBytes(st.size)}, more than the ${formatBytes(maxBytes)} limit (${limitHint(key)})`);
  return st.size;
}

/**
 * Read a whole file as bytes after {@link checkInputFile}.
 *
 * @example const bytes = readInputBytes('x.npy', 'input array');
 */
export function readInputBytes(path: string, what = 'file', lim: Partial<Limits> = {}): Uint8Array {
  checkInputFile(path, what, limits(lim).maxFileBytes);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new FormatError(path, `cannot read ${what}: ${fsReason(e)}`);
  }
}

/**
 * Read the first `n` bytes of a file (fewer when the file is shorter).
 *
 * @example const head = readHead('model.h5', 8);
 */
export function readHead(path: string, n: number): Uint8Array {
  const buf = new Uint8Array(n);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } catch (e) {
    throw new FormatError(path, `cannot read: ${fsReason(e)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Read a UTF-8 text file (JSON, YAML) after checking it against `maxTextBytes`.
 *
 * @example const text = readInputText('cfg.yml', 'hls4ml config');
 */
export function readInputText(path: string, what = 'file', lim: Partial<Limits> = {}): string {
  checkInputFile(path, what, limits(lim).maxTextBytes, 'maxTextBytes');
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new FormatError(path, `cannot read ${what}: ${fsReason(e)}`);
  }
}

/**
 * The nesting depth of a parsed JSON value (an empty array or object counts 1, a scalar 0),
 * computed without recursion and without visiting more than `stopAt` levels.
 *
 * @example jsonDepth([[1], [2, [3]]]) // 3
 */
export function jsonDepth(v: unknown, stopAt = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (d > max) max = d;
    if (max > stopAt) return max;
    const vals = Array.isArray(x) ? x : Object.values(x as Record<string, unknown>);
    for (const c of vals) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
  return max;
}

/**
 * Check a parsed document's nesting depth against `maxJsonDepth`.
 *
 * @throws {FormatError} naming `source`.
 * @example checkJsonDepth(JSON.parse(text), 'inputs.json');
 */
export function checkJsonDepth(v: unknown, source: string, lim: Partial<Limits> = {}): void {
  const max = limits(lim).maxJsonDepth;
  const d = jsonDepth(v, max);
  if (d > max) throw new FormatError(source, `nested more than ${max} levels deep (${limitHint('maxJsonDepth')})`);
}

/**
 * Parse JSON text, naming `source` in errors and checking the nesting depth.
 *
 * @example parseJsonText('{"a": 1}', 'cfg.json') // { a: 1 }
 */
export function parseJsonText(text: string, source: string, lim: Partial<Limits> = {}): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new FormatError(source, `invalid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  checkJsonDepth(v, source, lim);
  return v;
}

/**
 * Read and parse a JSON file (see {@link readInputText}, {@link parseJsonText}).
 *
 * @example const cfg = readJsonFile('cfg.json', 'hls4ml config');
 */
export function readJsonFile(path: string, what = 'JSON file', lim: Partial<Limits> = {}): unknown {
  return parseJsonText(readInputText(path, what, lim), path, lim);
}

/**
 * Read a JSON file that must hold an object.
 *
 * @example const m = readJsonObject('model_a.json', 'reference model');
 */
export function readJsonObject(path: string, what = 'JSON file', lim: Partial<Limits> = {}): Record<string, unknown> {
  const v = readJsonFile(path, what, lim);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new FormatError(path, `expected a JSON object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`);
  return v as Record<string, unknown>;
}
