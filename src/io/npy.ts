/**
 * A reader for NumPy `.npy` files (format versions 1–3; little-endian float/int/uint dtypes, C order),
 * so users can feed the same arrays they use in Python.
 */
import { FormatError } from '../errors.js';

/** A decoded array: flat data (as float64) with its shape. */
export interface NpyArray {
  shape: number[];
  data: Float64Array;
  dtype: string;
}

const READERS: Record<string, [number, (v: DataView, o: number) => number]> = {
  '<f4': [4, (v, o) => v.getFloat32(o, true)],
  '<f8': [8, (v, o) => v.getFloat64(o, true)],
  '<i1': [1, (v, o) => v.getInt8(o)],
  '|i1': [1, (v, o) => v.getInt8(o)],
  '|u1': [1, (v, o) => v.getUint8(o)],
  '<u1': [1, (v, o) => v.getUint8(o)],
  '<i2': [2, (v, o) => v.getInt16(o, true)],
  '<u2': [2, (v, o) => v.getUint16(o, true)],
  '<i4': [4, (v, o) => v.getInt32(o, true)],
  '<u4': [4, (v, o) => v.getUint32(o, true)],
  '<i8': [8, (v, o) => Number(v.getBigInt64(o, true))],
  '<u8': [8, (v, o) => Number(v.getBigUint64(o, true))],
};

/**
 * Parse the bytes of a `.npy` file.
 *
 * @example const { shape, data } = parseNpy(readFileSync('x.npy'));
 */
export function parseNpy(bytes: Uint8Array, file = 'npy'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || !magic.every((b, i) => bytes[i] === b)) throw new FormatError(file, 'not a .npy file (bad magic)');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const hlen = major === 1 ? v.getUint16(8, true) : v.getUint32(8, true);
  const hstart = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(hstart, hstart + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new FormatError(file, `cannot parse header ${JSON.stringify(header)}`);
  if (fortran === 'True') throw new FormatError(file, 'Fortran-ordered arrays are not supported (save with np.ascontiguousarray)');
  const reader = READERS[descr];
  if (!reader) throw new FormatError(file, `unsupported dtype '${descr}' (little-endian float/int/uint only)`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const start = hstart + hlen;
  const [size, get] = reader;
  if (bytes.length < start + n * size) throw new FormatError(file, `truncated: expected ${n * size} data bytes, got ${bytes.length - start}`);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = get(v, start + i * size);
  return { shape, data, dtype: descr };
}
