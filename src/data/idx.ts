/**
 * IDX file reader/writer (the MNIST / Fashion-MNIST container format), gzipped or not.
 *
 * Layout: 2 zero bytes, a type byte (0x08 = unsigned byte — the only type supported here),
 * a rank byte `r`, then `r` big-endian uint32 dimensions, then the row-major data.
 * Gzip input is recognised by its magic (0x1f 0x8b) and inflated as a stream (fflate), only as far
 * as the requested items need. The header's dimensions are checked against the bytes present and
 * against the size limits ({@link Limits}) before the data buffer is allocated. Malformed input
 * raises {@link FormatError} naming the file.
 */
import { gzipSync } from 'fflate';
import { closeSync, openSync, readSync } from '../platform/fs.js';
import { Gunzip } from 'fflate';
import { ConfigError, FormatError, HlsemuError } from '../errors.js';
import { checkInputFile, fsReason } from '../io/files.js';
import { checkedProduct, formatBytes, limitHint, limits, type Limits } from '../io/limits.js';

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
  /** Size limits overriding the defaults / environment ({@link Limits}). */
  limits?: Partial<Limits>;
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

/** The most bytes a gzip stream of `n` bytes can inflate to (deflate's ratio is below 1032:1). */
function gzipBound(n: number): number {
  return n * 1032 + 1024;
}

/** Compressed bytes fed to the inflater at a time: bounds the overshoot past what is needed (deflate expands at most ~1032x). */
const INFLATE_CHUNK = 4096;

/**
 * Collects IDX bytes as they arrive (from a file or an inflater), checks the header as soon as it
 * is complete, and keeps only the bytes the caller needs. Every size the header claims is checked
 * against the limits before the data buffer is allocated.
 */
class IdxCollector {
  private head = new Uint8Array(0);
  private headerLen = 0;
  private dims: number[] | undefined;
  private itemSize = 0;
  private keep = 0;
  private out: Uint8Array | undefined;
  /** Data bytes received after the header (may exceed what is kept). */
  private received = 0;
  /** All data bytes the header claims. */
  private total = 0;

  /**
   * @param maxData most data bytes the input can possibly hold: the bytes after the header for a
   *   raw file, the deflate bound (1032 × compressed size) for a gzipped one.
   */
  constructor(
    private readonly source: string,
    private readonly limit: number | undefined,
    private readonly lim: Limits,
    private readonly gzip: boolean,
    private readonly maxBytes: number,
  ) {}

  /** True when the header says reading stops before the end (so the gzip trailer is never checked). */
  get stopsEarly(): boolean {
    return this.dims !== undefined && this.limit !== undefined && this.keep < this.dims[0]!;
  }

  /** True once every byte the caller needs has arrived (more input is only needed to check for trailing bytes). */
  get satisfied(): boolean {
    return this.dims !== undefined && this.received >= this.keep * this.itemSize && this.limit !== undefined && this.keep < this.dims[0]!;
  }

  push(chunk: Uint8Array): void {
    let c = chunk;
    if (this.dims === undefined) {
      const joined = new Uint8Array(this.head.length + c.length);
      joined.set(this.head);
      joined.set(c, this.head.length);
      this.head = joined;
      if (!this.parseHeader(false)) return;
      c = this.head.subarray(this.headerLen);
      this.head = new Uint8Array(0);
    }
    const want = this.keep * this.itemSize;
    if (this.received < want) {
      const n = Math.min(c.length, want - this.received);
      if (this.received + n > this.out!.length) {
        // Grow with the data actually received, never straight to the size the header claims.
        const grown = new Uint8Array(Math.min(want, Math.max(this.received + n, 2 * this.out!.length)));
        grown.set(this.out!.subarray(0, this.received));
        this.out = grown;
      }
      this.out!.set(c.subarray(0, n), this.received);
    }
    this.received += c.length;
    if (this.limit === undefined || this.keep >= this.dims![0]!) {
      if (this.received > this.total) this.trailing();
    }
  }

  private trailing(): never {
    throw new FormatError(this.source, `IDX data has ${this.received - this.total}${this.gzip ? ' or more' : ''} trailing bytes beyond dims [${this.dims!.join(', ')}]`);
  }

  /** Parse the header once enough bytes are there; with `final`, a short header is an error. */
  private parseHeader(final: boolean): boolean {
    const raw = this.head;
    if (raw.length >= 2 && (raw[0] !== 0 || raw[1] !== 0)) {
      const hex = Array.from(raw.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new FormatError(this.source, `bad IDX magic (first bytes ${hex}; expected 00 00 <type> <rank>)`);
    }
    if (raw.length < 4) {
      if (final) throw new FormatError(this.source, `truncated IDX header: ${raw.length} bytes, need at least 4`);
      return false;
    }
    const type = raw[2]!;
    if (type !== IDX_TYPE_UBYTE) {
      const name = IDX_TYPE_NAMES[type];
      throw new FormatError(
        this.source,
        name
          ? `IDX element type ${name} (0x${type.toString(16)}) is not supported; only unsigned byte (0x08)`
          : `bad IDX magic: unknown element type byte 0x${type.toString(16).padStart(2, '0')}`,
      );
    }
    const rank = raw[3]!;
    if (rank === 0) throw new FormatError(this.source, 'bad IDX magic: rank 0');
    const headerLen = 4 + 4 * rank;
    if (raw.length < headerLen) {
      if (final) throw new FormatError(this.source, `truncated IDX header: ${raw.length} bytes, need ${headerLen} for rank ${rank}`);
      return false;
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const dims: number[] = [];
    for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
    const itemSize = checkedProduct(dims.slice(1));
    const total = checkedProduct(dims);
    const keep = this.limit === undefined ? dims[0]! : Math.min(dims[0]!, this.limit);
    const keepBytes = keep * itemSize;
    const present = this.maxBytes - headerLen;
    const need = this.limit === undefined || keep >= dims[0]! ? total : keepBytes;
    if (need > present) {
      const has = this.gzip ? `more than the ${formatBytes(this.maxBytes)} a gzip file of this size can hold` : `file has ${present}`;
      throw new FormatError(this.source, `truncated IDX data: dims [${dims.join(', ')}] need ${Number.isFinite(need) ? need : 'more than 2^53'} bytes${need === total ? '' : ` for the first ${keep} items`}, ${has}`);
    }
    if (this.gzip && (!Number.isFinite(total) || headerLen + total > this.lim.maxInflatedBytes)) {
      // Only what is kept has to fit when a limit stops reading early.
      if (this.limit === undefined || keep >= dims[0]! || !Number.isFinite(keepBytes) || headerLen + keepBytes > this.lim.maxInflatedBytes) {
        throw new FormatError(this.source, `IDX dims [${dims.join(', ')}] claim ${Number.isFinite(total) ? total : 'more than 2^53'} bytes of data, more than the ${formatBytes(this.lim.maxInflatedBytes)} limit (${limitHint('maxInflatedBytes')})`);
      }
    }
    if (!Number.isFinite(keepBytes) || keepBytes > this.lim.maxElements) {
      throw new FormatError(this.source, `IDX dims [${dims.join(', ')}] hold ${Number.isFinite(keepBytes) ? keepBytes : 'more than 2^53'} values, more than the limit of ${this.lim.maxElements} (${limitHint('maxElements')}; --limit reads fewer)`);
    }
    this.headerLen = headerLen;
    this.dims = dims;
    this.itemSize = itemSize;
    this.total = total;
    this.keep = keep;
    this.out = new Uint8Array(Math.min(keepBytes, 1 << 20));
    return true;
  }

  /** Validate at the end of the input (`ended`: no more bytes exist) and return the array. */
  finish(ended: boolean): IdxArray {
    if (this.dims === undefined) this.parseHeader(true);
    const dims = this.dims!;
    const want = this.keep * this.itemSize;
    if (ended && (this.limit === undefined || this.keep >= dims[0]!) && this.received < this.total) {
      throw new FormatError(this.source, `truncated IDX data: dims [${dims.join(', ')}] need ${this.total} bytes, file has ${this.received}`);
    }
    if (this.received < want) {
      throw new FormatError(this.source, `truncated IDX data: dims [${dims.join(', ')}] need ${want} bytes for the first ${this.keep} items, file has ${this.received}`);
    }
    const data = this.out!.length === want ? this.out! : this.out!.slice(0, want);
    return { dims: [this.keep, ...dims.slice(1)], data };
  }
}

function checkLimit(limit: number | undefined, source: string): void {
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new ConfigError('limit', `must be a non-negative integer, got ${String(limit)}`);
  }
}

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as gzip uses) of `bytes`, continuing from `crc`. */
function crc32(bytes: Uint8Array, crc = 0): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * Feed compressed bytes to a streaming gunzip, stopping as soon as the collector has what it
 * needs. When the whole stream is read, its trailer (CRC-32 and length of a single-member gzip
 * file, as IDX files are written) is checked.
 */
class GzipFeeder {
  private readonly gz: Gunzip;
  private inflated = 0;
  private crc = 0;
  private tail = new Uint8Array(0);

  constructor(
    private readonly col: IdxCollector,
    private readonly source: string,
    private readonly lim: Limits,
  ) {
    this.gz = new Gunzip((chunk) => {
      this.inflated += chunk.length;
      if (this.inflated > this.lim.maxInflatedBytes) {
        throw new FormatError(this.source, `gzip data inflates to more than the ${formatBytes(this.lim.maxInflatedBytes)} limit (${limitHint('maxInflatedBytes')})`);
      }
      this.col.push(chunk);
      if (!this.col.stopsEarly) this.crc = crc32(chunk, this.crc);
    });
  }

  /** Check the gzip trailer against what was inflated (call after the final push). */
  private checkTrailer(): void {
    const t = this.tail;
    if (t.length < 8) throw new FormatError(this.source, 'invalid gzip data: missing trailer');
    const v = new DataView(t.buffer, t.byteOffset + t.length - 8, 8);
    const crc = v.getUint32(0, true);
    const size = v.getUint32(4, true);
    if (size !== this.inflated % 2 ** 32) throw new FormatError(this.source, `invalid gzip data: the trailer says ${size} bytes, ${this.inflated} were inflated`);
    if (crc !== this.crc) throw new FormatError(this.source, 'invalid gzip data: CRC-32 mismatch');
  }

  /** Push compressed bytes; returns true when no more input is needed. */
  push(bytes: Uint8Array, final: boolean): boolean {
    // Keep the last 8 bytes seen: the trailer once the stream ends.
    if (bytes.length >= 8) this.tail = bytes.slice(bytes.length - 8);
    else {
      const t = new Uint8Array(Math.min(8, this.tail.length + bytes.length));
      const joined = new Uint8Array(this.tail.length + bytes.length);
      joined.set(this.tail);
      joined.set(bytes, this.tail.length);
      t.set(joined.subarray(joined.length - t.length));
      this.tail = t;
    }
    for (let off = 0; off < bytes.length || (final && off === 0); off += INFLATE_CHUNK) {
      const end = Math.min(bytes.length, off + INFLATE_CHUNK);
      this.safePush(bytes.subarray(off, end), final && end === bytes.length);
      if (this.col.satisfied) return true;
      if (bytes.length === 0) break;
    }
    if (final) this.checkTrailer();
    return false;
  }

  private safePush(chunk: Uint8Array, final: boolean): void {
    try {
      this.gz.push(chunk, final);
    } catch (e) {
      if (e instanceof HlsemuError) throw e;
      throw new FormatError(this.source, `invalid gzip data: ${(e as Error).message}`);
    }
  }
}

/**
 * Decodes an IDX buffer (gzipped or raw) into dimensions and bytes. With `limit`, a gzipped buffer
 * is inflated only as far as the first `limit` items need.
 *
 * @param bytes  File contents (gzip-compressed or not).
 * @param source Name used in error messages (usually the file path).
 * @param options `limit` keeps only the first items along the outermost dimension; `limits`
 *   overrides the size limits ({@link Limits}).
 * @throws {FormatError} on bad gzip data, bad magic, unsupported type byte, truncated / oversized
 *   data, or sizes beyond the limits.
 * @example
 * const { dims, data } = parseIdx(readFileSync('t10k-labels-idx1-ubyte.gz'), 't10k-labels');
 * // dims = [10000], data[0] = 9
 */
export function parseIdx(bytes: Uint8Array, source = '<buffer>', options: IdxReadOptions = {}): IdxArray {
  checkLimit(options.limit, source);
  const lim = limits(options.limits);
  const gzip = isGzip(bytes);
  const col = new IdxCollector(source, options.limit, lim, gzip, gzip ? gzipBound(bytes.length) : bytes.length);
  if (gzip) {
    const done = new GzipFeeder(col, source, lim).push(bytes, true);
    return col.finish(!done);
  }
  col.push(bytes);
  return col.finish(true);
}

/**
 * Reads an IDX file (optionally `.gz`) from disk. A gzipped file is read and inflated in chunks,
 * only as far as `limit` items need.
 *
 * @throws {FormatError} when the file cannot be read, is malformed or exceeds the limits.
 * @example
 * const images = await readIdx('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz', { limit: 100 });
 * // images.dims = [100, 28, 28], images.data.length = 78400
 */
export async function readIdx(path: string, options: IdxReadOptions = {}): Promise<IdxArray> {
  checkLimit(options.limit, path);
  const lim = limits(options.limits);
  const size = checkInputFile(path, 'IDX file', lim.maxFileBytes);
  let fh: number | undefined;
  try {
    try {
      fh = openSync(path, 'r');
    } catch (e) {
      throw new FormatError(path, `cannot read IDX file: ${fsReason(e)}`);
    }
    const read = async (buf: Uint8Array, pos: number): Promise<number> => {
      try {
        return readSync(fh!, buf, 0, buf.length, pos);
      } catch (e) {
        throw new FormatError(path, `cannot read IDX file: ${fsReason(e)}`);
      }
    };
    const magic = new Uint8Array(2);
    const got = await read(magic, 0);
    if (!isGzip(magic.subarray(0, got))) {
      // Uncompressed: the whole file is bounded by maxFileBytes; parse it as a buffer.
      const all = new Uint8Array(size);
      let off = 0;
      while (off < size) {
        const n = await read(all.subarray(off), off);
        if (n === 0) break;
        off += n;
      }
      return parseIdx(all.subarray(0, off), path, options);
    }
    const col = new IdxCollector(path, options.limit, lim, true, gzipBound(size));
    const feeder = new GzipFeeder(col, path, lim);
    const buf = new Uint8Array(1 << 16);
    let pos = 0;
    for (;;) {
      const n = await read(buf, pos);
      pos += n;
      const final = n === 0 || pos >= size;
      if (feeder.push(buf.subarray(0, n), final)) return col.finish(false);
      if (final) return col.finish(true);
    }
  } finally {
    try {
      if (fh !== undefined) closeSync(fh);
    } catch {
      /* already closed */
    }
  }
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
  return options.gzip ? gzipSync(out, { level: 9 }) : out;
}
