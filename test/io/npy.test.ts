// The .npy reader is strict: every claimed size is checked against the bytes present and the
// limits before anything is allocated; every problem is a FormatError naming the file.
import { describe, expect, it } from 'vitest';
import { FormatError, HlsemuError } from '../../src/errors.js';
import { encodeNpy, parseNpy } from '../../src/io/npy.js';

/** A .npy file with an arbitrary header text and data bytes. */
export function npyBytes(header: string, opts: { major?: number; minor?: number; data?: Uint8Array; hlen?: number; magic?: number[] } = {}): Uint8Array {
  const major = opts.major ?? 1;
  const h = new TextEncoder().encode(header);
  const pre = major === 1 ? 10 : 12;
  const data = opts.data ?? new Uint8Array(0);
  const b = new Uint8Array(pre + h.length + data.length);
  b.set(opts.magic ?? [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
  b[6] = major;
  b[7] = opts.minor ?? 0;
  const v = new DataView(b.buffer);
  if (major === 1) v.setUint16(8, opts.hlen ?? h.length, true);
  else v.setUint32(8, opts.hlen ?? h.length, true);
  b.set(h, pre);
  b.set(data, pre + h.length);
  return b;
}

const hdr = (shape: string, descr = '<f4', fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

function expectFormat(f: () => unknown, msg: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a FormatError').toBeInstanceOf(FormatError);
  expect((err as Error).message).toMatch(/^x\.npy: /);
  expect((err as Error).message).toMatch(msg);
}

describe('parseNpy: well-formed files', () => {
  it('reads versions 1, 2 and 3, every supported dtype, either byte order', () => {
    const f32 = new Uint8Array(new Float32Array([1.5, -2]).buffer);
    for (const major of [1, 2, 3]) {
      const a = parseNpy(npyBytes(hdr('(2,)'), { major, data: f32 }), 'x.npy');
      expect(a.shape).toEqual([2]);
      expect(Array.from(a.data)).toEqual([1.5, -2]);
    }
    const be = new Uint8Array(8);
    new DataView(be.buffer).setInt32(0, -7, false);
    new DataView(be.buffer).setInt32(4, 9, false);
    expect(Array.from(parseNpy(npyBytes(hdr('(2,)', '>i4'), { data: be }), 'x.npy').data)).toEqual([-7, 9]);
    expect(Array.from(parseNpy(npyBytes(hdr('(3,)', '|b1'), { data: Uint8Array.of(0, 1, 2) }), 'x.npy').data)).toEqual([0, 1, 1]);
    expect(Array.from(parseNpy(npyBytes(hdr('()'), { data: f32.subarray(0, 4) }), 'x.npy').data)).toEqual([1.5]);
    expect(parseNpy(npyBytes(hdr('(0, 4)')), 'x.npy').shape).toEqual([0, 4]);
    // Python 2 wrote long integers with an L suffix.
    expect(parseNpy(npyBytes(hdr('(2L,)'), { data: f32 }), 'x.npy').shape).toEqual([2]);
  });

  it('round-trips encodeNpy', () => {
    for (const dtype of ['<f4', '<f8', '<i4', '<i8', '|u1'] as const) {
      const a = parseNpy(encodeNpy([1, 2, 3, 4, 5, 6], [2, 3], dtype), 'x.npy');
      expect(a.shape).toEqual([2, 3]);
      expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(a.dtype).toBe(dtype);
    }
  });
});

describe('parseNpy: hostile files are FormatErrors, never RangeErrors', () => {
  it('shape (-1, 4) is a FormatError (was: RangeError: Invalid typed array length)', () => {
    expectFormat(() => parseNpy(npyBytes(hdr('(-1, 4)')), 'x.npy'), /dimension 0 is not a non-negative integer/);
  });

  it('a short version-2 header is a FormatError (was: RangeError: Offset is outside the bounds of the DataView)', () => {
    expectFormat(() => parseNpy(npyBytes("{'descr'", { major: 2 }).subarray(0, 11), 'x.npy'), /truncated \.npy header: 11 bytes/);
  });

  it('NaN, fractional, huge and non-numeric dims are rejected', () => {
    expectFormat(() => parseNpy(npyBytes(hdr('(nan, 4)')), 'x.npy'), /dimension 0/);
    expectFormat(() => parseNpy(npyBytes(hdr('(1.5, 4)')), 'x.npy'), /dimension 0/);
    expectFormat(() => parseNpy(npyBytes(hdr('(4, 1e3)')), 'x.npy'), /dimension 1/);
    expectFormat(() => parseNpy(npyBytes(hdr('(99999999999999999999,)')), 'x.npy'), /too large/);
    expectFormat(() => parseNpy(npyBytes(hdr('(4 4)')), 'x.npy'), /dimension 0/);
  });

  it('claims beyond the bytes present or the limits fail before allocating', () => {
    expectFormat(() => parseNpy(npyBytes(hdr('(1000000000, 1000000000)')), 'x.npy'), /more than the limit of \d+ .*HLSEMU_MAX_ELEMENTS/);
    expectFormat(() => parseNpy(npyBytes(hdr('(100000,)')), 'x.npy'), /truncated: shape \(100000\) of <f4 needs 400000 data bytes, the file has 0/);
    expectFormat(() => parseNpy(npyBytes(hdr('(1000,)')), 'x.npy', { limits: { maxElements: 10 } }), /holds 1000 values, more than the limit of 10/);
    expectFormat(() => parseNpy(npyBytes(hdr('(1,)'), { data: new Uint8Array(8) }), 'x.npy'), /4 bytes after the data/);
    expectFormat(() => parseNpy(npyBytes(hdr('(1,)'), { major: 2, hlen: 0xffffffff }), 'x.npy'), /header length 4294967295/);
    expectFormat(() => parseNpy(npyBytes(hdr('(1,)'), { hlen: 2000 }), 'x.npy'), /truncated \.npy header: it claims 2000 bytes/);
  });

  it('bad magic, versions, dtypes, orders and dictionaries', () => {
    expectFormat(() => parseNpy(new Uint8Array(3), 'x.npy'), /bad magic/);
    expectFormat(() => parseNpy(npyBytes(hdr('(1,)'), { major: 4 }), 'x.npy'), /format version 4\.0/);
    expectFormat(() => parseNpy(npyBytes(hdr('(1,)'), { minor: 1 }), 'x.npy'), /format version 1\.1/);
    expectFormat(() => parseNpy(npyBytes(hdr('(1,)', '<c16')), 'x.npy'), /unsupported dtype '<c16'/);
    expectFormat(() => parseNpy(npyBytes(hdr('(1,)', '|f4')), 'x.npy'), /byte order/);
    expectFormat(() => parseNpy(npyBytes(hdr('(1,)', '<f4', 'True')), 'x.npy'), /Fortran/);
    expectFormat(() => parseNpy(npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"), 'x.npy'), /structured dtypes/);
    expectFormat(() => parseNpy(npyBytes("{'descr': '<f4', 'shape': (1,), }"), 'x.npy'), /missing fortran_order/);
    expectFormat(() => parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}"), 'x.npy'), /unexpected key 'extra'/);
    expectFormat(() => parseNpy(npyBytes(`${hdr('(1,)')} trailing`), 'x.npy'), /trailing characters/);
    expectFormat(() => parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}"), 'x.npy'), /True or False/);
    expectFormat(() => parseNpy(npyBytes("{'descr': '<f4"), 'x.npy'), /unterminated string/);
  });

  it('every truncation of a valid file is a typed error', () => {
    const good = encodeNpy([1, 2, 3, 4, 5, 6], [3, 2], '<f8');
    for (let n = 0; n < good.length; n++) {
      let err: unknown;
      try {
        parseNpy(good.subarray(0, n), 'x.npy');
      } catch (e) {
        err = e;
      }
      expect(err, `truncated to ${n} bytes`).toBeInstanceOf(HlsemuError);
    }
  });
});
