// Error formatting never throws (BigInt values, 20,000-deep nesting, cycles), messages are one
// line, and the type-string parser rejects whitespace inside a parameter.
import { describe, expect, it } from 'vitest';
import { condenseDiagnostics, ConfigError, describeValue, FixedTypeError, formatErrorLine, FormatError, HlsemuError, ShapeError } from '../../src/errors.js';
import { parseFixedType, toFixedType } from '../../src/fixed/types.js';
import { checkJsonDepth, jsonDepth, parseJsonText } from '../../src/io/files.js';
import { checkedProduct, DEFAULT_LIMITS, limits } from '../../src/io/limits.js';

/** `[[[…[1]…]]]` nested `depth` levels, built without recursion. */
function deepArray(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('describeValue / formatErrorLine never throw', () => {
  it('BigInt values (JSON.stringify throws on them)', () => {
    expect(() => JSON.stringify({ a: 1n })).toThrow(TypeError);
    expect(describeValue({ a: 1n, b: [2n, 'x'] })).toBe('{"a":1n,"b":[2n,"x"]}');
    expect(formatErrorLine(123n)).toBe('internal error: thrown value 123n');
  });

  it('20,000-deep nesting (JSON.stringify overflows the stack)', () => {
    const deep = deepArray(20000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(describeValue(deep, 40)).toBe(`${'['.repeat(8)}[…]${']'.repeat(8)}`);
    expect(jsonDepth(deep)).toBe(20000);
    expect(() => checkJsonDepth(deep, 'deep.json')).toThrow(/deep\.json: nested more than 256 levels deep/);
  });

  it('cycles, huge arrays, long strings', () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    expect(describeValue(o)).toBe('{"a":1,"self":[Circular]}');
    const s = describeValue(new Float64Array(1e7), 30);
    expect(s.length).toBeLessThanOrEqual(31);
    expect(describeValue('x'.repeat(1e6), 20).length).toBeLessThanOrEqual(21);
  });

  it('messages are one line, HDF5 dumps condensed', () => {
    expect(formatErrorLine(new FormatError('f', 'a\n  b\n c'))).toBe('f: a b c');
    expect(formatErrorLine(new RangeError('x'))).toBe('internal error: RangeError: x');
    const dump = 'cannot open: HDF5-DIAG: Error detected in HDF5 (2.0.0):\n  #000: H5F.c line 821 in H5Fopen(): unable to open file\n    major: File\n  #001: H5Fsuper.c line 3 in H5F__super_read(): file signature not found\n';
    expect(condenseDiagnostics(dump)).toBe('cannot open: HDF5: H5F__super_read(): file signature not found');
    expect(formatErrorLine(new FormatError('m.h5', dump))).toBe('m.h5: cannot open: HDF5: H5F__super_read(): file signature not found');
  });

  it('inContext keeps the class and names the file first', () => {
    const e = new ShapeError('inputs.shape', 'bad').inContext('x.npy');
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.code).toBe('shape');
    expect(e.path).toBe('x.npy: inputs.shape');
    expect(e.message).toBe('x.npy: inputs.shape: bad');
  });

  it('toFixedType with a BigInt or a deep object is a FixedTypeError (was: TypeError / RangeError)', () => {
    expect(() => toFixedType(5n)).toThrow(FixedTypeError);
    expect(() => toFixedType(deepArray(20000))).toThrow(FixedTypeError);
  });

  it('JSON text: syntax errors and depth name the source', () => {
    expect(() => parseJsonText('{"a":', 'c.json')).toThrow(/^c\.json: invalid JSON/);
    expect(() => parseJsonText('['.repeat(300) + ']'.repeat(300), 'c.json')).toThrow(/nested more than 256/);
    expect(parseJsonText('['.repeat(300) + ']'.repeat(300), 'c.json', { maxJsonDepth: 1000 })).toBeDefined();
  });
});

describe('type strings', () => {
  it("'fixed<1 6,6>' is an error, not W=16", () => {
    expect(() => parseFixedType('fixed<1 6,6>')).toThrow(FixedTypeError);
    expect(() => parseFixedType('fixed<1 6,6>')).toThrow(/whitespace inside the parameter '1 6'/);
    expect(() => parseFixedType('ap_fixed<16,6,AP_ RND>')).toThrow(FixedTypeError);
    expect(() => parseFixedType('ap_ fixed<16,6>')).toThrow(FixedTypeError);
    expect(() => parseFixedType('fixed<16,-6 0>')).toThrow(FixedTypeError);
  });

  it('whitespace around the name and the parameters is fine', () => {
    const want = { signed: true, W: 16, I: 6, Q: 'AP_RND', O: 'AP_SAT', N: 0 };
    for (const s of ['fixed<16,6,RND,SAT>', ' fixed< 16 , 6 ,RND , SAT > ', 'fixed <16,\t6,RND,SAT>', 'ap_fixed<16,6,AP_RND,AP_SAT>']) expect(parseFixedType(s)).toEqual(want);
  });

  it('empty parameters, stray characters and huge strings are errors', () => {
    for (const s of ['fixed<16,,6>', 'fixed<16,6>>', 'fixed<>', 'fixed<16,6', 'fixed<0x10,6>', 'fixed<1e1,6>', `fixed<${'1'.repeat(500)},6>`]) {
      expect(() => parseFixedType(s), s).toThrow(HlsemuError);
    }
  });
});

describe('limits', () => {
  it('defaults, environment overrides and per-call overrides', () => {
    expect(limits().maxElements).toBe(DEFAULT_LIMITS.maxElements);
    process.env.HLSEMU_MAX_ELEMENTS = '1e3';
    try {
      expect(limits().maxElements).toBe(1000);
      expect(limits({ maxElements: 5 }).maxElements).toBe(5);
    } finally {
      delete process.env.HLSEMU_MAX_ELEMENTS;
    }
    process.env.HLSEMU_MAX_SAMPLES = '-3';
    try {
      expect(() => limits()).toThrow(ConfigError);
      expect(() => limits()).toThrow(/HLSEMU_MAX_SAMPLES: must be a positive integer, got '-3'/);
    } finally {
      delete process.env.HLSEMU_MAX_SAMPLES;
    }
  });

  it('checkedProduct never loses an overflow', () => {
    expect(checkedProduct([10000, 28, 28])).toBe(7840000);
    expect(checkedProduct([2 ** 32, 2 ** 32])).toBe(Infinity);
    expect(checkedProduct([2 ** 40, 0])).toBe(0);
    expect(checkedProduct([])).toBe(1);
  });
});
