/**
 * Comparisons between `ap_fixed` values exactly as the HLS headers evaluate them — including the
 * headers' mixed-signedness quirk, where a negative signed operand may be read as a large unsigned
 * number (e.g. `ap_ufixed 5.0 < ap_fixed −3.0` can be true).
 */
import { frac, type FixedType } from './types.js';

/** The outcome of comparing a with b as the headers do. */
export interface CompareResult {
  lt: boolean;
  eq: boolean;
  gt: boolean;
}

/**
 * Compare `ra` (type a) with `rb` (type b) with the headers' alignment and signedness rules.
 *
 * @example
 * const r = compareRaw(5n, parseFixedType('ap_fixed<8,8>'), 3n, parseFixedType('ap_fixed<4,4>'));
 * r.gt; // true
 */
export function compareRaw(ra: bigint, a: FixedType, rb: bigint, b: FixedType): CompareResult {
  const Fa = frac(a);
  const Fb = frac(b);
  let W1 = a.W;
  let W2 = b.W;
  let va = ra;
  let vb = rb;
  if (Fa > Fb) {
    vb = rb << BigInt(Fa - Fb);
    W2 = b.W + Fa - Fb;
  } else if (Fa < Fb) {
    va = ra << BigInt(Fb - Fa);
    W1 = a.W + Fb - Fa + 1;
  }
  const S1 = a.signed;
  const S2 = b.signed;
  const M = Math.max(W1, W2) + (S1 || S2 ? 1 : 0);
  const pa = BigInt.asUintN(M, va);
  const pb = BigInt.asUintN(M, vb);
  let signedCmp: boolean;
  if (S1 === S2) signedCmp = S1;
  else if (W1 < 32 && W2 < 32) signedCmp = true;
  else if (W1 === W2) signedCmp = false;
  else signedCmp = W1 > W2 ? S1 : S2;
  const xa = signedCmp ? BigInt.asIntN(M, pa) : pa;
  const xb = signedCmp ? BigInt.asIntN(M, pb) : pb;
  return { lt: xa < xb, eq: pa === pb, gt: xa > xb };
}
