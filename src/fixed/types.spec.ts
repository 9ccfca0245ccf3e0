import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FixedTypeError } from '../errors.js';
import { fixedType, formatFixedType, formatHls4mlType, OVERFLOW_MODES, parseFixedType, QUANT_MODES, type FixedType } from './types.js';

/** Arbitrary valid fixed type (width up to maxW). */
export function arbFixedType(maxW = 64): fc.Arbitrary<FixedType> {
  return fc
    .record({
      signed: fc.boolean(),
      W: fc.integer({ min: 1, max: maxW }),
      dI: fc.integer({ min: -10, max: 10 }),
      Q: fc.constantFrom(...QUANT_MODES),
      O: fc.constantFrom(...OVERFLOW_MODES),
      n: fc.nat(),
    })
    .map(({ signed, W, dI, Q, O, n }) => {
      const o = !signed && O === 'AP_WRAP_SM' ? 'AP_WRAP' : O;
      return fixedType(signed, W, Math.round(W / 2) + dI, Q, o, n % (W + 1));
    });
}

describe('FixedType parse/print', () => {
  it('parses the spellings users write', () => {
    expect(parseFixedType('ap_fixed<16,6>')).toEqual(fixedType(true, 16, 6));
    expect(parseFixedType('ap_ufixed<8,0,AP_RND,AP_SAT>')).toEqual(fixedType(false, 8, 0, 'AP_RND', 'AP_SAT'));
    expect(parseFixedType('ap_fixed<8,3,AP_RND_CONV,AP_WRAP_SM,1>')).toEqual(fixedType(true, 8, 3, 'AP_RND_CONV', 'AP_WRAP_SM', 1));
    expect(parseFixedType('ap_int<8>')).toEqual(fixedType(true, 8, 8));
    expect(parseFixedType('ap_uint<4>')).toEqual(fixedType(false, 4, 4));
    expect(parseFixedType('fixed<16,6,RND,SAT>')).toEqual(fixedType(true, 16, 6, 'AP_RND', 'AP_SAT'));
    expect(parseFixedType('ufixed<10, 4, RND_CONV, SAT_SYM>')).toEqual(fixedType(false, 10, 4, 'AP_RND_CONV', 'AP_SAT_SYM'));
    expect(parseFixedType('ap_fixed<4,-3>')).toEqual(fixedType(true, 4, -3));
    expect(parseFixedType('ap_fixed<4,9>')).toEqual(fixedType(true, 4, 9));
    expect(parseFixedType('ap_fixed_base<34,23,true,AP_TRN,AP_WRAP,0>')).toEqual(fixedType(true, 34, 23));
  });

  it('rejects bad input with a typed error naming the field', () => {
    const bad: [string, string][] = [
      ['ap_fixed<0,0>', 'W'],
      ['ap_fixed<16,6,AP_FOO>', 'Q'],
      ['ap_fixed<16,6,AP_RND,AP_BAR>', 'O'],
      ['ap_fixed<8,3,AP_RND,AP_WRAP,9>', 'N'],
      ['ap_fixed<8.5,3>', 'W'],
      ['float', 'type'],
      ['ap_ufixed<8,3,AP_RND,AP_WRAP_SM>', 'O'],
      ['ap_int<8,3>', 'type'],
    ];
    for (const [s, field] of bad) {
      let err: unknown;
      try {
        parseFixedType(s);
      } catch (e) {
        err = e;
      }
      expect(err, s).toBeInstanceOf(FixedTypeError);
      expect((err as FixedTypeError).path, s).toBe(field);
    }
    expect(() => fixedType(true, 8, 3, 'AP_TRN', 'AP_WRAP', -1)).toThrow(FixedTypeError);
  });

  it('round-trips printing and parsing (C++ and hls4ml forms)', () => {
    fc.assert(
      fc.property(arbFixedType(300), (t) => {
        expect(parseFixedType(formatFixedType(t))).toEqual(t);
        expect(parseFixedType(formatFixedType(t, true))).toEqual(t);
        expect(parseFixedType(formatHls4mlType(t))).toEqual(t);
      }),
    );
  });
});
