import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors.js';
import { decodeDouble } from './double.js';
import { requantizeBig } from './quantize-big.js';
import { makeCaster, quantizeArray, quantizeDouble, requantize } from './quantize.js';
import { arbFixedType } from './types.spec.js';
import { fixedType, frac, maxRaw, minRaw, OVERFLOW_MODES, QUANT_MODES, type FixedType } from './types.js';

const bigQuantize = (x: number, t: FixedType): bigint => {
  if (x === 0) return 0n;
  const d = decodeDouble(x);
  return requantizeBig(d.mant, -d.exp, t);
};

const arbDouble = fc.oneof(
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.double({ min: -64, max: 64, noNaN: true }),
  fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((k) => k / 64),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

describe('quantization properties', () => {
  it('number path == BigInt path (doubles, raw mantissas, casters)', () => {
    fc.assert(
      fc.property(arbFixedType(53), arbDouble, (t, x) => {
        const want = bigQuantize(x, t);
        expect(BigInt(quantizeDouble(x, t))).toBe(want);
        expect(BigInt(quantizeArray([x], t)[0]!)).toBe(want);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(arbFixedType(53), fc.integer({ min: -40, max: 60 }), fc.maxSafeInteger(), (t, fromFrac, r) => {
        const want = requantizeBig(BigInt(r), fromFrac, t);
        expect(BigInt(requantize(r, fromFrac, t))).toBe(want);
        expect(BigInt(makeCaster(fromFrac, t)(r))).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });

  it('is idempotent: a representable value converts to itself', () => {
    fc.assert(
      fc.property(arbFixedType(53), arbDouble, (t, x) => {
        const r = quantizeDouble(x, t);
        expect(requantize(r, frac(t), t)).toBe(r);
        expect(quantizeDouble(r * 2 ** -frac(t), t)).toBe(r);
      }),
      { numRuns: 2000 },
    );
  });

  it('AP_SAT / AP_SAT_SYM / AP_SAT_ZERO stay in range, SAT clamps to the bounds', () => {
    fc.assert(
      fc.property(arbFixedType(53), arbDouble, (t0, x) => {
        const t = fixedType(t0.signed, t0.W, t0.I, t0.Q, 'AP_SAT');
        const r = quantizeDouble(x, t);
        expect(r).toBeGreaterThanOrEqual(minRaw(t));
        expect(r).toBeLessThanOrEqual(maxRaw(t));
        const scaled = x * 2 ** frac(t);
        if (scaled >= maxRaw(t) + 1) expect(r).toBe(maxRaw(t));
        if (scaled < minRaw(t) - 1) expect(r).toBe(minRaw(t));
        if (t.signed && t.W > 1) {
          const s = quantizeDouble(x, fixedType(true, t.W, t.I, t.Q, 'AP_SAT_SYM'));
          expect(Math.abs(s)).toBeLessThanOrEqual(maxRaw(t));
        }
        const z = quantizeDouble(x, fixedType(t.signed, t.W, t.I, t.Q, 'AP_SAT_ZERO'));
        expect(z === 0 || (z >= minRaw(t) && z <= maxRaw(t))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('AP_WRAP (N=0) with AP_TRN is floor(x·2^F) modulo 2^W', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 1, max: 40 }), fc.integer({ min: -8, max: 40 }), fc.double({ min: -1e9, max: 1e9, noNaN: true }), (s, W, I, x) => {
        const t = fixedType(s, W, I);
        const r = quantizeDouble(x, t);
        const d = decodeDouble(x);
        const sh = d.exp + frac(t);
        const floor = x === 0 ? 0n : sh >= 0 ? d.mant << BigInt(sh) : d.mant >> BigInt(-sh);
        const m = 1n << BigInt(W);
        expect(((BigInt(r) - floor) % m + m) % m).toBe(0n);
        expect(r).toBeGreaterThanOrEqual(minRaw(t));
        expect(r).toBeLessThanOrEqual(maxRaw(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('every rounding mode is monotonic (with saturation)', () => {
    for (const Q of QUANT_MODES) {
      fc.assert(
        fc.property(fc.boolean(), fc.integer({ min: 2, max: 40 }), fc.integer({ min: -4, max: 30 }), arbDouble, arbDouble, (s, W, I, a, b) => {
          const t = fixedType(s, W, I, Q, 'AP_SAT');
          const [x, y] = a <= b ? [a, b] : [b, a];
          expect(quantizeDouble(x, t)).toBeLessThanOrEqual(quantizeDouble(y, t));
        }),
        { numRuns: 500 },
      );
    }
  });

  it('every overflow mode keeps results inside the type', () => {
    for (const O of OVERFLOW_MODES) {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: -4, max: 30 }), fc.nat(), arbDouble, (W, I, n, x) => {
          const t = fixedType(true, W, I, 'AP_RND', O, n % (W + 1));
          const r = quantizeDouble(x, t);
          expect(r).toBeGreaterThanOrEqual(minRaw(t));
          expect(r).toBeLessThanOrEqual(maxRaw(t));
        }),
        { numRuns: 300 },
      );
    }
  });

  it('rejects non-finite doubles and non-integer raws by default, naming the element', () => {
    const t = fixedType(true, 16, 6);
    expect(() => quantizeDouble(NaN, t)).toThrow(ValueError);
    expect(() => quantizeArray([0, 1, Infinity], t)).toThrow(/x\[2\]/);
    expect(() => requantize(1.5, 0, t)).toThrow(ValueError);
    // 'hls' policy mimics the headers: +Inf saturates / wraps like 2^1024.
    expect(quantizeDouble(Infinity, fixedType(true, 8, 3, 'AP_TRN', 'AP_SAT'), undefined, 'hls')).toBe(127);
    expect(quantizeDouble(-Infinity, fixedType(true, 8, 3), undefined, 'hls')).toBe(0);
  });

  it('counts wraps and saturations', () => {
    const stats = { wrapped: 0, saturated: 0 };
    quantizeArray([100, 1, -100], fixedType(true, 8, 3), undefined, stats);
    expect(stats.wrapped).toBe(2);
    quantizeArray([100, 1, -100], fixedType(true, 8, 3, 'AP_RND', 'AP_SAT'), undefined, stats);
    expect(stats.saturated).toBe(2);
  });
});
