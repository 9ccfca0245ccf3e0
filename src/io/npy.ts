/**
 * A strict reader for NumPy `.npy` files, so users can feed the same arrays they use in Python.
 *
 * Accepted: format versions 1.0, 2.0 and 3.0; a header that is exactly numpy's dictionary
 * `{'descr': …, 'fortran_order': False, 'shape': (…)}`; dtypes bool, int8…int64, uint8…uint64,
 * float32, float64 in either byte order; C order. Everything else — a short or oversized header, a
 * negative, fractional or non-numeric dimension, a shape whose data is not exactly the bytes
 * present, more values than {@link Limits.maxElements} — is a {@link FormatError} naming the file,
 * raised before the data array is allocated.
 */
import { FormatError, ShapeError } from '../errors.js';
import { checkedProduct, limitHint, limits, type Limits } from './limits.js';
import { readInputBytes } from './files.js';

/** A decoded array: flat data (as float64) with its shape. */
export interface NpyArray {
  shape: number[];
  data: Float64Array;
  /** The dtype as written in the header, e.g. `'<f4'`. */
  dtype: string;
}

type Getter = (v: DataView, o: number, le: boolean) => number;

const KINDS: Record<string, Record<number, Getter>> = {
  f: { 4: (v, o, le) => v.getFloat32(o, le), 8: (v, o, le) => v.getFloat64(o, le) },
  i: {
    1: (v, o) => v.getInt8(o),
    2: (v, o, le) => v.getInt16(o, le),
    4: (v, o, le) => v.getInt32(o, le),
    8: (v, o, le) => Number(v.getBigInt64(o, le)),
  },
  u: {
    1: (v, o) => v.getUint8(o),
    2: (v, o, le) => v.getUint16(o, le),
    4: (v, o, le) => v.getUint32(o, le),
    8: (v, o, le) => Number(v.getBigUint64(o, le)),
  },
  b: { 1: (v, o) => (v.getUint8(o) ? 1 : 0) },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** numpy refuses headers longer than this unless told otherwise; so do we. */
const MAX_HEADER_BYTES = 1 << 16;

/** The dtypes {@link parseNpy} accepts, as numpy spells them (little-endian forms). */
export const NPY_DTYPES = ['|b1', '|i1', '|u1', '<i2', '<u2', '<i4', '<u4', '<i8', '<u8', '<f4', '<f8'] as const;

function dtypeReader(descr: string, file: string): { size: number; get: Getter; le: boolean } {
  const m = /^([<>|=])([biuf])(\d+)$/.exec(descr);
  const get = m ? KINDS[m[2]!]?.[Number(m[3])] : undefined;
  if (!m || !get) {
    throw new FormatError(file, `unsupported dtype '${descr}' (bool, int8-64, uint8-64, float32, float64; big- or little-endian; save with arr.astype('float32'))`);
  }
  const size = Number(m[3]);
  if (m[1] === '|' && size !== 1) throw new FormatError(file, `dtype '${descr}' needs a byte order ('<' or '>')`);
  return { size, get, le: m[1] !== '>' };
}

/** A tiny tokenizer for the Python literal numpy writes as the header. */
class HeaderParser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly file: string,
  ) {}

  fail(msg: string): never {
    throw new FormatError(this.file, `malformed .npy header (${msg}): ${JSON.stringify(this.s.slice(0, 120))}`);
  }

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  peek(): string {
    this.ws();
    return this.s[this.i] ?? '';
  }

  eat(ch: string): void {
    if (this.peek() !== ch) this.fail(`expected '${ch}' at offset ${this.i}`);
    this.i++;
  }

  str(): string {
    const q = this.peek();
    if (q !== "'" && q !== '"') this.fail(`expected a quoted string at offset ${this.i}`);
    const end = this.s.indexOf(q, this.i + 1);
    if (end < 0) this.fail('unterminated string');
    const v = this.s.slice(this.i + 1, end);
    this.i = end + 1;
    return v;
  }

  bool(): boolean {
    this.ws();
    for (const [w, v] of [['True', true], ['False', false]] as const) {
      if (this.s.startsWith(w, this.i)) {
        this.i += w.length;
        return v;
      }
    }
    return this.fail(`expected True or False at offset ${this.i}`);
  }

  shape(): number[] {
    this.eat('(');
    const dims: number[] = [];
    for (;;) {
      if (this.peek() === ')') break;
      this.ws();
      const m = /^(\d+)L?/.exec(this.s.slice(this.i, this.i + 40));
      if (!m) this.fail(`dimension ${dims.length} is not a non-negative integer`);
      const d = Number(m[1]);
      if (!Number.isSafeInteger(d)) this.fail(`dimension ${dims.length} is too large`);
      dims.push(d);
      this.i += m[0].length;
      if (this.peek() === ',') this.i++;
      else if (this.peek() !== ')') this.fail(`dimension ${dims.length - 1} is not a non-negative integer`);
    }
    this.eat(')');
    if (dims.length > 32) this.fail(`${dims.length} dimensions (numpy allows 32)`);
    return dims;
  }

  dict(): { descr: string; fortran: boolean; shape: number[] } {
    this.eat('{');
    const got: { descr?: string; fortran?: boolean; shape?: number[] } = {};
    while (this.peek() !== '}') {
      const key = this.str();
      this.eat(':');
      if (key === 'descr') {
        if (this.peek() === '[') this.fail('structured dtypes are not supported');
        got.descr = this.str();
      } else if (key === 'fortran_order') got.fortran = this.bool();
      else if (key === 'shape') got.shape = this.shape();
      else this.fail(`unexpected key '${key}'`);
      if (this.peek() === ',') this.i++;
      else if (this.peek() !== '}') this.fail(`expected ',' or '}' at offset ${this.i}`);
    }
    this.eat('}');
    this.ws();
    if (this.i !== this.s.length) this.fail('trailing characters after the dictionary');
    if (got.descr === undefined || got.fortran === undefined || got.shape === undefined) {
      this.fail(`missing ${['descr', 'fortran_order', 'shape'].filter((k) => !(k === 'fortran_order' ? got.fortran !== undefined : got[k as 'descr' | 'shape'] !== undefined)).join(', ')}`);
    }
    return { descr: got.descr, fortran: got.fortran, shape: got.shape };
  }
}

/**
 * Parse the bytes of a `.npy` file.
 *
 * @throws {FormatError} naming `file` for anything but a well-formed, supported array.
 * @example const { shape, data } = parseNpy(readFileSync('x.npy'), 'x.npy');
 */
export function parseNpy(bytes: Uint8Array, file = 'npy', opts: { limits?: Partial<Limits> } = {}): NpyArray {
  const lim = limits(opts.limits);
  if (bytes.length < 8 || !MAGIC.every((b, i) => bytes[i] === b)) throw new FormatError(file, 'not a .npy file (bad magic)');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) throw new FormatError(file, `unsupported .npy format version ${major}.${minor} (1.0, 2.0 and 3.0 are known)`);
  const hstart = major === 1 ? 10 : 12;
  if (bytes.length < hstart) throw new FormatError(file, `truncated .npy header: ${bytes.length} bytes, a version ${major} header needs at least ${hstart}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? v.getUint16(8, true) : v.getUint32(8, true);
  if (hlen > MAX_HEADER_BYTES) throw new FormatError(file, `.npy header length ${hlen} is larger than ${MAX_HEADER_BYTES} bytes`);
  if (bytes.length < hstart + hlen) throw new FormatError(file, `truncated .npy header: it claims ${hlen} bytes, the file has ${bytes.length - hstart} after the preamble`);
  let header: string;
  try {
    header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(bytes.subarray(hstart, hstart + hlen));
  } catch {
    throw new FormatError(file, 'malformed .npy header (not valid UTF-8)');
  }
  const h = new HeaderParser(header, file).dict();
  if (h.fortran) throw new FormatError(file, 'Fortran-ordered arrays are not supported (save with np.ascontiguousarray)');
  const { size, get, le } = dtypeReader(h.descr, file);
  const n = checkedProduct(h.shape);
  if (n > lim.maxElements) {
    throw new FormatError(file, `shape (${h.shape.join(', ')}) holds ${Number.isFinite(n) ? n : 'more than 2^53'} values, more than the limit of ${lim.maxElements} (${limitHint('maxElements')})`);
  }
  const start = hstart + hlen;
  const available = bytes.length - start;
  if (available !== n * size) {
    throw new FormatError(
      file,
      available < n * size
        ? `truncated: shape (${h.shape.join(', ')}) of ${h.descr} needs ${n * size} data bytes, the file has ${available}`
        : `${available - n * size} bytes after the data of shape (${h.shape.join(', ')}) of ${h.descr}`,
    );
  }
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = get(v, start + i * size, le);
  return { shape: h.shape, data, dtype: h.descr };
}

/**
 * Read and parse a `.npy` file (see {@link parseNpy}); missing or unreadable files are
 * FormatErrors naming the file.
 *
 * @example const { shape, data } = readNpy('x.npy');
 */
export function readNpy(path: string, opts: { limits?: Partial<Limits>; what?: string } = {}): NpyArray {
  return parseNpy(readInputBytes(path, opts.what ?? '.npy file', opts.limits), path, opts);
}

/**
 * Encode an array as `.npy` bytes (format 1.0, C order) — the inverse of {@link parseNpy}, for
 * tests and for handing arrays back to Python.
 *
 * @throws {ShapeError} when `data` does not hold the shape's number of values.
 * @example writeFileSync('x.npy', encodeNpy(Float32Array.of(1, 2, 3, 4), [2, 2]));
 */
export function encodeNpy(data: ArrayLike<number>, shape: readonly number[], dtype: '<f4' | '<f8' | '<i4' | '<i8' | '|u1' = '<f4'): Uint8Array {
  const n = checkedProduct(shape);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || n !== data.length) {
    throw new ShapeError('shape', `[${shape.join(', ')}] does not hold ${data.length} values`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const size = Number(dtype.slice(2));
  const out = new Uint8Array(10 + header.length + n * size);
  out.set(MAGIC);
  out[6] = 1;
  const v = new DataView(out.buffer);
  v.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const start = 10 + header.length;
  for (let i = 0; i < n; i++) {
    const x = Number(data[i]);
    const o = start + i * size;
    if (dtype === '<f4') v.setFloat32(o, x, true);
    else if (dtype === '<f8') v.setFloat64(o, x, true);
    else if (dtype === '<i4') v.setInt32(o, x, true);
    else if (dtype === '<i8') v.setBigInt64(o, BigInt(Math.trunc(x)), true);
    else v.setUint8(o, x);
  }
  return out;
}
