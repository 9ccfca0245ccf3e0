// The fast input cast (src/kernels/fast/input-cast.ts) against the reference `quantizeArray`:
// identical raws (including the sign of zero), identical overflow counts, and a refusal (so the
// caller uses the reference) for every value the fast path does not handle exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedType, newCastStats, OVERFLOW_MODES, QUANT_MODES, quantizeArray, type FixedType } from '../../src/fixed/index.js';
import { FastInputCast } from '../../src/kernels/fast/input-cast.js';
import { rng } from './helpers.js';

const RUNS = Number(process.env.HLSEMU_PROPERTY_RUNS ?? 150);

function check(t: FixedType, x: Float32Array | Float64Array): 'fast' | 'refused' | 'unsupported' {
  const c = FastInputCast.create(t);
  if (!c) return 'unsupported';
  const sRef = newCastStats();
  let want: Float64Array | null = null;
  let err: unknown;
  try {
    want = quantizeArray(x, t, undefined, sRef);
  } catch (e) {
    err = e;
  }
  const out = new Float64Array(x.length);
  const s = newCastStats();
  const ok = c.cast(x, out, s);
  if (!ok) {
    expect(s).toEqual(newCastStats());
    return 'refused';
  }
  expect(err, 'the fast cast accepted what the reference rejects').toBeUndefined();
  expect(Array.from(out).map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(Array.from(want!).map((v) => (Object.is(v, -0) ? '-0' : v)));
  expect(s).toEqual(sRef);
  return 'fast';
}

const typeArb = fc
  .record({
    signed: fc.boolean(),
    W: fc.integer({ min: 1, max: 53 }),
    I: fc.integer({ min: -12, max: 40 }),
    Q: fc.constantFrom(...QUANT_MODES),
    O: fc.constantFrom(...OVERFLOW_MODES),
  })
  .map(({ signed, W, I, Q, O }) => fixedType(signed, Math.max(W, signed ? 1 : 1), I, Q, !signed && O === 'AP_WRAP_SM' ? 'AP_WRAP' : O, 0));

function values(n: number, r: () => number, spread: number): number[] {
  return Array.from({ length: n }, () => {
    const u = r();
    if (u < 0.05) return 0;
    if (u < 0.08) return -0;
    if (u < 0.1) return (r() < 0.5 ? -1 : 1) * 2 ** Math.floor(r() * 8 - 4); // exact powers of two
    if (u < 0.12) return (Math.floor(r() * 64) + 0.5) / 2 ** Math.floor(r() * 12); // halves (rounding ties)
    return (r() * 2 - 1) * 2 ** (r() * spread - spread / 2);
  });
}

describe('fast input cast ≡ quantizeArray', () => {
  it('random types, float32 and float64 inputs', () => {
    const seen = { fast: 0, refused: 0, unsupported: 0 };
    fc.assert(
      fc.property(typeArb, fc.integer({ min: 1, max: 300 }), fc.integer(), (t, n, seed) => {
        const r = rng(seed);
        const v = values(n, r, 40);
        seen[check(t, Float32Array.from(v))]++;
        seen[check(t, Float64Array.from(v))]++;
      }),
      { numRuns: RUNS * 2 },
    );
    expect(seen.fast).toBeGreaterThan(RUNS);
  });

  it('images in [0, 1] at the default type, longer than one chunk, with an odd length', () => {
    const t = fixedType(true, 16, 6, 'AP_TRN', 'AP_WRAP', 0);
    const r = rng(3);
    const x = Float32Array.from({ length: 20001 }, () => r());
    expect(check(t, x)).toBe('fast');
    expect(check(fixedType(true, 8, 1, 'AP_RND_CONV', 'AP_SAT', 0), Float32Array.from(x, (v) => v * 4 - 2))).toBe('fast');
  });

  it('refuses NaN, ±Inf, huge and subnormal values (the reference then decides)', () => {
    const t = fixedType(true, 16, 6, 'AP_TRN', 'AP_WRAP', 0);
    for (const bad of [NaN, Infinity, -Infinity, 2 ** 60, 1e-310]) {
      const x = Float64Array.from([0.5, bad, 0.25]);
      expect(check(t, x)).toBe('refused');
    }
    expect(check(t, Float32Array.from([0.5, NaN]))).toBe('refused');
  });

  it('keeps −0 exactly where the reference does', () => {
    for (const t of [fixedType(true, 16, 6, 'AP_TRN', 'AP_WRAP', 0), fixedType(true, 16, 6, 'AP_TRN', 'AP_SAT', 0), fixedType(true, 16, 6, 'AP_RND', 'AP_WRAP', 0)]) {
      expect(check(t, Float32Array.from([-0, 0, -1e-9, 1e-9]))).toBe('fast');
    }
  });
});
