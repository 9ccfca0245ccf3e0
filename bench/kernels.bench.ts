// Kernel throughput at ap_fixed<16,6> (the hls4ml default) and a narrow saturating config, for the
// reference kernels (src/kernels) and the fast kernels (src/kernels/fast: WebAssembly SIMD and the
// JavaScript fallback engine), with and without an overflow report. JSON on stdout.
// Run: npm run bench -- --suite kernels    (or: npx tsx bench/kernels.bench.ts)
import '../src/node/register.js';
import { parseFixedType, type FixedType } from '../src/fixed/index.js';
import { DenseKernel, newKernelStats, prepareConv1d, prepareConv2d, preparePooling2d, type KernelOptions, type RawInput, type RawOutput } from '../src/kernels/index.js';
import { prepareFastConv1d, prepareFastConv2d } from '../src/kernels/fast/conv.js';
import { prepareFastDense } from '../src/kernels/fast/dense.js';
import { prepareFastPooling } from '../src/kernels/fast/pooling.js';

let seed = 12345;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
/** Raw mantissas of values in (−scale, scale) for type t, clipped to its range. */
function raws(n: number, scale: number, t: FixedType): Float64Array {
  const a = new Float64Array(n);
  const f = 2 ** (t.W - t.I);
  const lo = -(2 ** (t.W - 1));
  const hi = 2 ** (t.W - 1) - 1;
  for (let i = 0; i < n; i++) a[i] = Math.min(hi, Math.max(lo, Math.floor((rnd() * 2 - 1) * scale * f)));
  return a;
}

function time(fn: () => void, minMs = 300): number {
  const w0 = performance.now();
  while (performance.now() - w0 < 150) fn(); // warm-up (JIT, wasm tier-up)
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t1 = t0;
    while (t1 - t0 < minMs / 3) {
      fn();
      calls++;
      t1 = performance.now();
    }
    best = Math.min(best, (t1 - t0) / calls);
  }
  return best; // ms per call
}

interface Kern {
  run(x: RawInput, o?: KernelOptions): RawOutput;
}

/** Time reference vs fast kernels on one input; `work` = MACs (or elements) per call. */
function row(name: string, type: string, work: number, unit: 'mac' | 'elem', x: Float64Array, ref: Kern, fast: { wasm: Kern | null; js?: Kern | null }): Record<string, unknown> {
  const rate = (k: Kern | null | undefined, report: boolean) => {
    if (!k) return null;
    const stats = newKernelStats();
    return Math.round(work / (time(() => k.run(x, report ? { stats } : {})) / 1000));
  };
  const r: Record<string, unknown> = { kernel: name, type, [`${unit}s_per_call`]: work };
  r[`reference_${unit}_s`] = rate(ref, false);
  r[`fast_wasm_${unit}_s`] = rate(fast.wasm, false);
  if (fast.js !== undefined) r[`fast_js_${unit}_s`] = rate(fast.js, false);
  r[`reference_report_${unit}_s`] = rate(ref, true);
  r[`fast_wasm_report_${unit}_s`] = rate(fast.wasm, true);
  const speedup = (r[`fast_wasm_${unit}_s`] as number) / (r[`reference_${unit}_s`] as number);
  r.speedup = Number(speedup.toFixed(1));
  return r;
}

/** Run the kernel benchmarks and return the JSON-able result. */
export function benchKernels(): Record<string, unknown> {
  const results: Record<string, unknown>[] = [];
  const configs: [string, Record<'input' | 'weight' | 'bias' | 'accum' | 'result', FixedType>][] = [
    ['ap_fixed<16,6>', { input: parseFixedType('ap_fixed<16,6>'), weight: parseFixedType('ap_fixed<16,6>'), bias: parseFixedType('ap_fixed<16,6>'), accum: parseFixedType('ap_fixed<16,6>'), result: parseFixedType('ap_fixed<16,6>') }],
    [
      'narrow: x,w ap_fixed<8,3>, accum ap_fixed<12,6,AP_RND,AP_SAT>, result ap_fixed<8,3,AP_RND_CONV,AP_SAT>',
      { input: parseFixedType('ap_fixed<8,3>'), weight: parseFixedType('ap_fixed<8,1>'), bias: parseFixedType('ap_fixed<8,3>'), accum: parseFixedType('ap_fixed<12,6,AP_RND,AP_SAT>'), result: parseFixedType('ap_fixed<8,3,AP_RND_CONV,AP_SAT>') },
    ],
  ];
  for (const [tname, types] of configs) {
    {
      const nIn = 256;
      const nOut = 128;
      for (const [label, extra] of [
        ['dense latency 256→128', {}],
        ['dense resource rf16 256→128', { strategy: 'resource', reuse_factor: 16 }],
      ] as const) {
        const cfg = { n_in: nIn, n_out: nOut, types, ...extra };
        const w = raws(nIn * nOut, 0.3, types.weight);
        const b = raws(nOut, 0.5, types.bias);
        const x = raws(nIn, 2, types.input);
        results.push(row(label, tname, nIn * nOut, 'mac', x, new DenseKernel(cfg, w, b), { wasm: prepareFastDense(cfg, w, b).kernel, js: prepareFastDense(cfg, w, b, { backend: 'js' }).kernel }));
      }
    }
    for (const [impl, io] of [
      ['im2col', 'io_parallel'],
      ['LineBuffer', 'io_stream'],
      ['Encoded', 'io_stream'],
    ] as const) {
      const cfg = { in_height: 32, in_width: 32, n_chan: 16, filt_height: 3, filt_width: 3, n_filt: 16, io_type: io, implementation: io === 'io_stream' ? impl : undefined, types };
      const w = raws(3 * 3 * 16 * 16, 0.25, types.weight);
      const b = raws(16, 0.5, types.bias);
      const x = raws(32 * 32 * 16, 2, types.input);
      const fast = { wasm: prepareFastConv2d(cfg, w, b).kernel, js: impl === 'im2col' ? prepareFastConv2d(cfg, w, b, { backend: 'js' }).kernel : undefined };
      results.push(row(`conv2d ${impl} 32x32x16 → 3x3x16`, tname, 30 * 30 * 3 * 3 * 16 * 16, 'mac', x, prepareConv2d(cfg, w, b), fast));
    }
    {
      const cfg = { in_width: 128, n_chan: 8, filt_width: 5, n_filt: 16, types };
      const w = raws(5 * 8 * 16, 0.25, types.weight);
      const b = raws(16, 0.5, types.bias);
      results.push(row('conv1d im2col 128x8 → 5x16', tname, 124 * 5 * 8 * 16, 'mac', raws(128 * 8, 2, types.input), prepareConv1d(cfg, w, b), { wasm: prepareFastConv1d(cfg, w, b).kernel }));
    }
    {
      const cfg = { in_height: 30, in_width: 30, n_filt: 16, pool_height: 2, pool_width: 2, pool_op: 'Max', io_type: 'io_stream', types: { input: types.input, accum: types.input, result: types.input } };
      results.push(row('maxpool2d 30x30x16 /2 (io_stream)', tname, 30 * 30 * 16, 'elem', raws(30 * 30 * 16, 2, types.input), preparePooling2d(cfg), { wasm: prepareFastPooling(cfg, false).kernel }));
    }
  }
  return { suite: 'kernels', node: process.version, results };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(benchKernels(), null, 2));
}
