// Benchmark of the arithmetic core: quantized values per second (JSON on stdout).
// Run: npm run bench -- --suite fixed   (or: npx tsx bench/fixed.bench.ts)
import '../src/node/register.js';
import { decodeDouble, parseFixedType, quantizeArray, requantizeBig } from '../src/fixed/index.js';

function timeIt(fn: () => void, minMs = 400): number {
  fn(); // warm-up
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    fn();
    n++;
    t = performance.now();
  }
  return (t - t0) / n / 1000; // seconds per call
}

/** Run the fixed-point benchmarks and return the JSON-able result. */
export function benchFixed(): Record<string, unknown> {
  const N = 1_000_000;
  const xs = new Float64Array(N);
  let seed = 12345;
  for (let i = 0; i < N; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    xs[i] = (seed / 2147483648 - 0.5) * 80; // spans beyond ±32 to exercise overflow
  }
  const out = new Float64Array(N);
  const cases: Record<string, string> = {
    'fixed16_TRN_WRAP': 'ap_fixed<16,6,AP_TRN,AP_WRAP>',
    'fixed16_RND_CONV_SAT': 'ap_fixed<16,6,AP_RND_CONV,AP_SAT>',
    'fixed40_TRN_WRAP': 'ap_fixed<40,12,AP_TRN,AP_WRAP>',
    'fixed40_RND_CONV_SAT': 'ap_fixed<40,12,AP_RND_CONV,AP_SAT>',
  };
  const results: Record<string, number> = {};
  for (const [k, t] of Object.entries(cases)) {
    const type = parseFixedType(t);
    const s = timeIt(() => quantizeArray(xs, type, out));
    results[`quantizeArray_${k}_values_per_s`] = Math.round(N / s);
  }
  const M = 50_000;
  const wide = parseFixedType('ap_fixed<96,40,AP_RND_CONV,AP_SAT>');
  const dec = Array.from(xs.subarray(0, M), (x) => decodeDouble(x));
  const sBig = timeIt(() => {
    for (const d of dec) requantizeBig(d.mant, -d.exp, wide);
  });
  results['bigint_fixed96_RND_CONV_SAT_values_per_s'] = Math.round(M / sBig);
  return { suite: 'fixed', node: process.version, ...results };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(benchFixed(), null, 2));
}
