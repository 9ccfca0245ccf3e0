// Fuzz: type strings, .npy bytes, IDX bytes (raw and gzipped) and JSON input files. Every input
// either parses into something consistent or fails with a typed error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readModelInputs, readSamplesFile } from '../../src/cli/inputs.js';
import { parseIdx } from '../../src/data/idx.js';
import { HlsemuError } from '../../src/errors.js';
import { formatFixedType, MAX_WIDTH, parseFixedType } from '../../src/fixed/types.js';
import { encodeNpy, parseNpy } from '../../src/io/npy.js';
import { hostileJson, params, TEST_TIMEOUT, typedOrOk } from './settings.js';

const dir = mkdtempSync(join(tmpdir(), 'hlsemu-fuzz-parsers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// Type strings

const typeName = fc.constantFrom('ap_fixed', 'fixed', 'ap_ufixed', 'ufixed', 'ap_int', 'int', 'ap_uint', 'uint', 'ap_fixed_base', 'FIXED', 'fix', 'ap_fixedd', '');
const typeParam = fc.oneof(
  fc.integer({ min: -5000, max: 5000 }).map(String),
  fc.constantFrom('16', '6', '0', '-3', '4096', '4097', '99999999999999999999', '1e3', '0x10', '1.5', '', ' ', 'NaN'),
  fc.constantFrom('RND', 'AP_RND', 'TRN', 'RND_CONV', 'SAT', 'AP_SAT_SYM', 'WRAP', 'WRAP_SM', 'rnd', 'AP_', 'true', 'false', '1'),
  fc.string({ maxLength: 5 }),
);
const spaces = fc.constantFrom('', '', '', ' ', '\t', '  ', '\n');
const typeString = fc
  .tuple(spaces, typeName, spaces, fc.constantFrom('<', '<', '<', '(', ''), fc.array(fc.tuple(spaces, typeParam, spaces), { maxLength: 7 }), fc.constantFrom('>', '>', '>', '>>', ''), spaces)
  .map(([a, n, b, open, ps, close, c]) => `${a}${n}${b}${open}${ps.map(([x, p, y]) => `${x}${p}${y}`).join(',')}${close}${c}`);

const validType = fc
  .tuple(
    fc.constantFrom('ap_fixed', 'fixed', 'ap_ufixed', 'ufixed', 'ap_int', 'uint'),
    fc.integer({ min: 1, max: 64 }),
    fc.integer({ min: -10, max: 70 }),
    fc.option(fc.constantFrom('RND', 'AP_TRN', 'RND_CONV', 'RND_ZERO')),
    fc.option(fc.constantFrom('SAT', 'AP_WRAP', 'SAT_SYM')),
    spaces,
  )
  .map(([n, w, i, q, o, sp]) => (n.includes('int') ? `${n}<${w}>` : `${n}<${sp}${w},${i}${q ? `,${q}` : ''}${q && o ? `,${o}` : ''}>`));

describe('type strings', () => {
  it('parse to a valid type that round-trips, or fail with a typed error', () => {
    let ok = 0;
    fc.assert(
      fc.property(fc.oneof(validType, typeString, fc.string({ maxLength: 40 })), (s) => {
        const r = typedOrOk(() => parseFixedType(s));
        if (r instanceof HlsemuError) return;
        ok++;
        expect(r.W).toBeGreaterThanOrEqual(1);
        expect(r.W).toBeLessThanOrEqual(MAX_WIDTH);
        expect(parseFixedType(formatFixedType(r))).toEqual(r);
      }),
      params(3000),
    );
    expect(ok, 'the generator should also produce valid types').toBeGreaterThan(10);
  }, TEST_TIMEOUT);

  it('whitespace inside a parameter never parses (no silent W=16 from "1 6")', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 999 }), fc.integer({ min: -20, max: 20 }), fc.constantFrom(' ', '\t', '  '), (w, i, sp) => {
        const digits = String(w);
        const cut = 1 + (w % (digits.length - 1));
        const s = `fixed<${digits.slice(0, cut)}${sp}${digits.slice(cut)},${i}>`;
        expect(() => parseFixedType(s)).toThrow(HlsemuError);
      }),
      params(500),
    );
  }, TEST_TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// .npy bytes

const descr = fc.constantFrom('<f4', '<f8', '>f4', '<i2', '<i8', '|u1', '|b1', '<u8', '<c8', '|f4', 'f4', "<f4'", '');
const dim = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(-1, 1e9, 2 ** 40, 4294967295)).map(String);
const shapeText = fc.oneof(
  fc.array(dim, { maxLength: 4 }).map((d) => (d.length === 1 ? `(${d[0]},)` : `(${d.join(', ')})`)),
  fc.constantFrom('(nan, 4)', '(1.5,)', '(3L, 2L)', '()', '(,)', '(', '[2, 2]', '(2 2)', "('2',)"),
);
const header = fc
  .tuple(descr, fc.constantFrom('False', 'False', 'True', 'false', '0'), shapeText, fc.constantFrom('', ", 'extra': 1", ' junk'), fc.boolean())
  .map(([d, f, s, extra, reorder]) => (reorder ? `{'shape': ${s}, 'descr': '${d}', 'fortran_order': ${f}${extra}}` : `{'descr': '${d}', 'fortran_order': ${f}, 'shape': ${s}${extra}, }`));
const npyFile = fc
  .tuple(header, fc.constantFrom(1, 1, 2, 3, 0, 4), fc.integer({ min: 0, max: 1 }), fc.uint8Array({ maxLength: 96 }), fc.option(fc.nat({ max: 2 ** 32 - 1 })), fc.option(fc.nat({ max: 400 })))
  .map(([h, major, minor, data, hlen, cut]) => {
    const hb = new TextEncoder().encode(h + ' '.repeat(7) + '\n');
    const pre = major === 1 ? 10 : 12;
    const b = new Uint8Array(pre + hb.length + data.length);
    b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, minor]);
    const v = new DataView(b.buffer);
    const len = hlen ?? hb.length;
    if (major === 1) v.setUint16(8, len & 0xffff, true);
    else v.setUint32(8, len, true);
    b.set(hb, pre);
    b.set(data, pre + hb.length);
    return cut === null ? b : b.subarray(0, cut);
  });

/** A valid file, then maybe one mutation: a truncation, a flipped byte, appended bytes. */
const mutatedNpy = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    fc.constantFrom('<f4', '<f8', '<i4', '<i8', '|u1') as fc.Arbitrary<'<f4' | '<f8' | '<i4' | '<i8' | '|u1'>,
    fc.oneof(fc.constant({ kind: 'none' as const }), fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }), fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), v: fc.nat({ max: 255 }) }), fc.record({ kind: fc.constant('append' as const), n: fc.integer({ min: 1, max: 9 }) })),
  )
  .map(([shape, dtype, m]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const b = encodeNpy(Array.from({ length: n }, (_, i) => i % 7), shape, dtype);
    if (m.kind === 'cut') return b.subarray(0, m.at % (b.length + 1));
    if (m.kind === 'flip') {
      const c = b.slice();
      c[m.at % c.length] = m.v;
      return c;
    }
    if (m.kind === 'append') return Uint8Array.from([...b, ...new Array<number>(m.n).fill(1)]);
    return b;
  });

describe('.npy bytes', () => {
  it('parse consistently or fail with a typed error (never RangeError)', () => {
    let ok = 0;
    fc.assert(
      fc.property(fc.oneof(mutatedNpy, npyFile, fc.uint8Array({ maxLength: 64 })), (bytes) => {
        const r = typedOrOk(() => parseNpy(bytes, 'x.npy', { limits: { maxElements: 1 << 20 } }));
        if (r instanceof HlsemuError) {
          expect(r.message).toMatch(/^x\.npy: /);
          return;
        }
        ok++;
        expect(r.data.length).toBe(r.shape.reduce((a, b) => a * b, 1));
        expect(r.shape.every((d) => Number.isSafeInteger(d) && d >= 0)).toBe(true);
      }),
      params(3000),
    );
    expect(ok, 'the generator should also produce valid files').toBeGreaterThan(5);
  }, TEST_TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// IDX bytes

const idxFile = fc
  .tuple(
    fc.constantFrom(0x08, 0x08, 0x08, 0x09, 0x0d, 0x42),
    fc.array(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(0, 1e6, 4294967295)), { minLength: 0, maxLength: 4 }),
    fc.uint8Array({ maxLength: 128 }),
    fc.boolean(),
    fc.option(fc.nat({ max: 200 })),
    fc.constantFrom(0, 0, 1),
  )
  .map(([type, dims, data, gz, cut, magic]) => {
    const head = new Uint8Array(4 + 4 * dims.length);
    head[0] = magic;
    head[2] = type;
    head[3] = dims.length;
    dims.forEach((d, i) => new DataView(head.buffer).setUint32(4 + 4 * i, d, false));
    const raw = new Uint8Array(head.length + data.length);
    raw.set(head);
    raw.set(data, head.length);
    const b = gz ? new Uint8Array(gzipSync(raw)) : raw;
    return cut === null ? b : b.subarray(0, cut);
  });

describe('IDX bytes', () => {
  it('parse consistently or fail with a typed error', () => {
    let ok = 0;
    fc.assert(
      fc.property(fc.oneof(idxFile, fc.uint8Array({ maxLength: 64 })), fc.option(fc.integer({ min: -2, max: 10 })), (bytes, limit) => {
        const r = typedOrOk(() => parseIdx(bytes, 'x.idx', { ...(limit !== null ? { limit } : {}), limits: { maxElements: 1 << 20, maxInflatedBytes: 1 << 22 } }));
        if (r instanceof HlsemuError) return;
        ok++;
        expect(r.data.length).toBe(r.dims.reduce((a, b) => a * b, 1));
        if (limit !== null && limit >= 0) expect(r.dims[0]).toBeLessThanOrEqual(limit);
      }),
      params(3000),
    );
    expect(ok, 'the generator should also produce valid files').toBeGreaterThan(5);
  }, TEST_TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// JSON input files (predict inputs, emit / csim samples)

describe('JSON input files', () => {
  let n = 0;
  it('readModelInputs and readSamplesFile accept consistent data or fail with a typed error naming the file', () => {
    const numbers = fc.array(fc.oneof(fc.integer({ min: -9, max: 9 }), fc.double({ noNaN: true, noDefaultInfinity: true })), { maxLength: 6 });
    const inputsLike = fc.oneof(
      hostileJson,
      fc.array(numbers, { maxLength: 4 }),
      fc.record({ data: fc.oneof(numbers, hostileJson), shape: fc.oneof(fc.array(fc.integer({ min: -1, max: 6 }), { maxLength: 3 }), hostileJson) }),
      fc.record({ inputs: fc.oneof(fc.array(numbers, { maxLength: 4 }), hostileJson), outputs: fc.oneof(fc.array(numbers, { maxLength: 4 }), hostileJson) }, { requiredKeys: ['inputs'] }),
    );
    fc.assert(
      fc.property(inputsLike, fc.boolean(), (v, float) => {
        const p = join(dir, `in${n++}.json`);
        writeFileSync(p, JSON.stringify(v) ?? 'null');
        const a = typedOrOk(() => readModelInputs(p));
        if (a instanceof HlsemuError) expect(a.message).toContain(p);
        else {
          expect(a.data.length).toBeGreaterThan(0);
          expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
        }
        const b = typedOrOk(() => readSamplesFile(p, { float }));
        rmSync(p);
        if (b instanceof HlsemuError) expect(b.message).toContain(p);
        else {
          expect(b.inputs.length).toBeGreaterThan(0);
          if (b.outputs) expect(b.outputs.length).toBe(b.inputs.length);
        }
      }),
      params(1500),
    );
  }, TEST_TIMEOUT);
});
