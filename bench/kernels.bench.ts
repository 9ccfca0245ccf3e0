// Kernel throughput on the number path at ap_fixed<16,6> (the hls4ml default), printed as JSON.
// Run with: npx tsx bench/kernels.bench.ts
import { parseFixedType } from '../src/fixed/index.js';
import { DenseKernel, prepareConv2d, prepareConv1d, preparePooling2d } from '../src/kernels/index.js';

const t = parseFixedType('ap_fixed<16,6>');
const types = { input: t, weight: t, bias: t, accum: t, result: t };

let seed = 12345;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
/** Raw ap_fixed<16,6> mantissas of values in (−scale, scale). */
function raws(n: number, scale: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor((rnd() * 2 - 1) * scale * 1024);
  return a;
}

function time(fn: () => void, minMs = 500): { perCallMs: number; calls: number } {
  const w0 = performance.now();
  while (performance.now() - w0 < 300) fn(); // warm-up (let the JIT optimise)
  let calls = 0;
  const t0 = performance.now();
  let t1 = t0;
  while (t1 - t0 < minMs) {
    fn();
    calls++;
    t1 = performance.now();
  }
  return { perCallMs: (t1 - t0) / calls, calls };
}

const results: Record<string, unknown>[] = [];

{
  const nIn = 256;
  const nOut = 128;
  const k = new DenseKernel({ n_in: nIn, n_out: nOut, types }, raws(nIn * nOut, 0.5), raws(nOut, 1));
  const x = raws(nIn, 2);
  const out = new Float64Array(nOut);
  const r = time(() => k.run(x, { out }));
  results.push({ kernel: 'dense latency 256→128', type: 'ap_fixed<16,6>', macs: nIn * nOut, ms: +r.perCallMs.toFixed(4), macPerSec: Math.round((nIn * nOut) / (r.perCallMs / 1000)) });
}
{
  const nIn = 256;
  const nOut = 128;
  const k = new DenseKernel({ n_in: nIn, n_out: nOut, strategy: 'resource', reuse_factor: 16, types }, raws(nIn * nOut, 0.5), raws(nOut, 1));
  const x = raws(nIn, 2);
  const out = new Float64Array(nOut);
  const r = time(() => k.run(x, { out }));
  results.push({ kernel: 'dense resource rf16 256→128', type: 'ap_fixed<16,6>', macs: nIn * nOut, ms: +r.perCallMs.toFixed(4), macPerSec: Math.round((nIn * nOut) / (r.perCallMs / 1000)) });
}
for (const [impl, io] of [
  ['im2col', 'io_parallel'],
  ['LineBuffer', 'io_stream'],
  ['Encoded', 'io_stream'],
] as const) {
  const cfg = { in_height: 32, in_width: 32, n_chan: 16, filt_height: 3, filt_width: 3, n_filt: 16, io_type: io, implementation: io === 'io_stream' ? impl : undefined, types };
  const k = prepareConv2d(cfg, raws(3 * 3 * 16 * 16, 0.25), raws(16, 0.5));
  const x = raws(32 * 32 * 16, 2);
  const out = new Float64Array(30 * 30 * 16);
  const macs = 30 * 30 * 3 * 3 * 16 * 16;
  const r = time(() => k.run(x, { out }));
  results.push({ kernel: `conv2d ${impl} 32x32x16 → 3x3x16`, type: 'ap_fixed<16,6>', macs, ms: +r.perCallMs.toFixed(3), macPerSec: Math.round(macs / (r.perCallMs / 1000)) });
}
{
  const k = prepareConv1d({ in_width: 128, n_chan: 8, filt_width: 5, n_filt: 16, types }, raws(5 * 8 * 16, 0.25), raws(16, 0.5));
  const x = raws(128 * 8, 2);
  const macs = 124 * 5 * 8 * 16;
  const r = time(() => k.run(x));
  results.push({ kernel: 'conv1d im2col 128x8 → 5x16', type: 'ap_fixed<16,6>', macs, ms: +r.perCallMs.toFixed(3), macPerSec: Math.round(macs / (r.perCallMs / 1000)) });
}
{
  const k = preparePooling2d({ in_height: 30, in_width: 30, n_filt: 16, pool_height: 2, pool_width: 2, pool_op: 'Max', types: { input: t, accum: t, result: t } });
  const x = raws(30 * 30 * 16, 2);
  const r = time(() => k.run(x));
  results.push({ kernel: 'maxpool2d 30x30x16 /2', type: 'ap_fixed<16,6>', elements: 30 * 30 * 16, ms: +r.perCallMs.toFixed(3), elemPerSec: Math.round((30 * 30 * 16) / (r.perCallMs / 1000)) });
}

console.log(JSON.stringify({ node: process.version, results }, null, 2));
