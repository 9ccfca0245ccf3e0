/**
 * IDX file reader/writer (the MNIST / Fashion-MNIST container format), gzipped or not.
 *
 * Layout: 2 zero bytes, a type byte (0x08 = unsigned byte — the only type supported here),
 * a rank byte `r`, then `r` big-endian uint32 dimensions, then the row-major data.
 * Gzip input is recognised by its magic (0x1f 0x8b) and inflated with node:zlib.
 * Malformed input raises {@link FormatError} naming the file.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { FormatError } from '../errors.js';

/** A decoded IDX array: its dimensions (outermost first) and its row-major unsigned-byte data. */
export interface IdxArray {
  /** Dimensions, outermost first, e.g. `[10000, 28, 28]` for images, `[10000]` for labels. */
  dims: number[];
  /** Row-major data, `dims` product bytes long. */
  data: Uint8Array;
}

/** Options for {@link parseIdx} / {@link readIdx}. */
export interface IdxReadOptions {
  /** Keep only the first `limit` items along the outermost dimension (default: all). */
  limit?: number;
}

/** IDX type byte for unsigned 8-bit data. */
export const IDX_TYPE_UBYTE = 0x08;

const IDX_TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** True when `bytes` starts with the gzip magic number. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decodes an IDX buffer (gzipped or raw) into dimensions and bytes.
 *
 * @param bytes  File contents (gzip-compressed or not).
 * @param source Name used in error messages (usually the file path).
 * @param options `limit` keeps only the first items along the outermost dimension.
 * @throws {FormatError} on bad gzip data, bad magic, unsupported type byte, or truncated / oversized data.
 * @example
 * const { dims, data } = parseIdx(readFileSync('t10k-labels-idx1-ubyte.gz'), 't10k-labels');
 * // dims = [10000], data[0] = 9
 */
export function parseIdx(bytes: Uint8Array, source = '<buffer>', options: IdxReadOptions = {}): IdxArray {
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      throw new FormatError(source, `invalid gzip data: ${(e as Error).message}`);
    }
  }
  if (raw.length < 4) {
    throw new FormatError(source, `truncated IDX header: ${raw.length} bytes, need at least 4`);
  }
  if (raw[0] !== 0 || raw[1] !== 0) {
    const hex = Array.from(raw.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new FormatError(source, `bad IDX magic (first bytes ${hex}; expected 00 00 <type> <rank>)`);
  }
  const type = raw[2]!;
  if (type !== IDX_TYPE_UBYTE) {
    const name = IDX_TYPE_NAMES[type];
    throw new FormatError(
      source,
      name
        ? `IDX element type ${name} (0x${type.toString(16)}) is not supported; only unsigned byte (0x08)`
        : `bad IDX magic: unknown element type byte 0x${type.toString(16).padStart(2, '0')}`,
    );
  }
  const rank = raw[3]!;
  if (rank === 0) throw new FormatError(source, 'bad IDX magic: rank 0');
  const headerLen = 4 + 4 * rank;
  if (raw.length < headerLen) {
    throw new FormatError(source, `truncated IDX header: ${raw.length} bytes, need ${headerLen} for rank ${rank}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const itemSize = dims.slice(1).reduce((a, b) => a * b, 1);
  const total = dims[0]! * itemSize;
  const available = raw.length - headerLen;
  if (available < total) {
    throw new FormatError(
      source,
      `truncated IDX data: dims [${dims.join(', ')}] need ${total} bytes, file has ${available}`,
    );
  }
  if (available > total) {
    throw new FormatError(
      source,
      `IDX data has ${available - total} trailing bytes beyond dims [${dims.join(', ')}]`,
    );
  }
  let n = dims[0]!;
  if (options.limit !== undefined) {
    if (!Number.isInteger(options.limit) || options.limit < 0) {
      throw new RangeError(`limit must be a non-negative integer, got ${options.limit}`);
    }
    n = Math.min(n, options.limit);
  }
  // Copy so the result does not pin the (possibly much larger) inflated buffer.
  const data = raw.slice(headerLen, headerLen + n * itemSize);
  return { dims: [n, ...dims.slice(1)], data };
}

/**
 * Reads an IDX file (optionally `.gz`) from disk.
 *
 * @throws {FormatError} when the file cannot be read or is malformed.
 * @example
 * const images = await readIdx('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz', { limit: 100 });
 * // images.dims = [100, 28, 28], images.data.length = 78400
 */
export async function readIdx(path: string, options: IdxReadOptions = {}): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new FormatError(path, `cannot read IDX file: ${(e as Error).message}`);
  }
  return parseIdx(bytes, path, options);
}

/**
 * Encodes unsigned-byte data as an IDX buffer, optionally gzip-compressed.
 *
 * @throws {RangeError} when `data.length` does not equal the product of `dims`.
 * @example
 * const buf = encodeIdx([2, 2], Uint8Array.of(1, 2, 3, 4), { gzip: true });
 * parseIdx(buf).dims; // [2, 2]
 */
export function encodeIdx(dims: readonly number[], data: Uint8Array, options: { gzip?: boolean } = {}): Uint8Array {
  if (dims.length === 0 || dims.length > 255) throw new RangeError(`IDX rank must be 1..255, got ${dims.length}`);
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) throw new RangeError(`bad IDX dimension ${d}`);
  }
  const total = dims.reduce((a, b) => a * b, 1);
  if (data.length !== total) {
    throw new RangeError(`data has ${data.length} bytes but dims [${dims.join(', ')}] need ${total}`);
  }
  const headerLen = 4 + 4 * dims.length;
  const out = new Uint8Array(headerLen + total);
  const view = new DataView(out.buffer);
  out[2] = IDX_TYPE_UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, headerLen);
  return options.gzip ? new Uint8Array(gzipSync(out, { level: 9 })) : out;
}
