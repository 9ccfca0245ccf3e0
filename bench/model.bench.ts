// Model benchmark: bit-exact emulation vs tfjs float inference on the SVHN paper CNN (JSON out).
// Run: npm run bench -- --suite model --json    (or: npx tsx bench/model.bench.ts)
// Env: HLSEMU_BENCH_IMAGES (default 1000), HLSEMU_BENCH_REPS (default 3; best run reported),
//      HLSEMU_BENCH_WORKERS (default: available parallelism).
//
// Every timing is the best of REPS runs over the same IMAGES images (the machine may be shared).
// The emulator numbers time `predict` from float images (cast to the input type included), like
// tfjs's `predict`. Before timing, the fast kernels are checked against the reference kernels on a
// few images (outputs and overflow report must be identical).
import { mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModelArtifacts } from '../src/data/tfjs-fs-handler.js';
import { ParallelEmulator } from '../src/emulate/parallel.js';
import { Emulator } from '../src/emulate/predict.js';
import { convertModel } from '../src/graph/convert.js';
import type { FirmwareGraph } from '../src/graph/firmware.js';
import { loadModel } from '../src/import/index.js';
import { buildSvhnModel, randomImages, SVHN_MACS } from './svhn-model.js';

const IMAGES = Number(process.env.HLSEMU_BENCH_IMAGES ?? 1000);
const REPS = Math.max(1, Number(process.env.HLSEMU_BENCH_REPS ?? 3));
const WORKERS = Number(process.env.HLSEMU_BENCH_WORKERS ?? availableParallelism());

/** The two configurations of the issue: hls4ml's default type everywhere, and a narrow heterogeneous one. */
export function svhnConfigs(): Record<'homogeneous' | 'hetero', Record<string, unknown>> {
  return {
    homogeneous: { Model: { Precision: 'ap_fixed<16,6>' }, IOType: 'io_stream' },
    hetero: {
      Model: { Precision: { default: 'ap_fixed<12,5,AP_RND_CONV,AP_SAT>', weight: 'ap_fixed<8,2,AP_RND,AP_SAT>', accum: 'ap_fixed<20,8>' } },
      LayerType: { Activation: { Precision: { result: 'ap_ufixed<8,3,AP_RND,AP_SAT>' } } },
      IOType: 'io_stream',
    },
  };
}

/** Best images/second of `reps` runs of `run(n)`. */
export async function bestRate(n: number, reps: number, run: () => unknown): Promise<number> {
  let best = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await run();
    const rate = n / ((performance.now() - t0) / 1000);
    if (rate > best) best = rate;
  }
  return best;
}

async function timeTfjs(backend: 'wasm' | 'cpu', x: Float32Array, n: number): Promise<number> {
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(backend);
  await tf.ready();
  const model = buildSvhnModel(tf);
  const xs = tf.tensor(x, [n, 32, 32, 3]);
  const warm = model.predict(xs.slice(0, Math.min(n, 50))) as import('@tensorflow/tfjs').Tensor;
  await warm.data();
  warm.dispose();
  const rate = await bestRate(n, REPS, async () => {
    const y = model.predict(xs, { batchSize: n }) as import('@tensorflow/tfjs').Tensor;
    await y.data();
    y.dispose();
  });
  xs.dispose();
  return rate;
}

/** Fast kernels vs reference kernels (HLSEMU_FAST=0) on a few images: outputs and report identical. */
function exactCheck(fw: FirmwareGraph, x: Float32Array, n: number): boolean {
  const prev = process.env.HLSEMU_FAST;
  process.env.HLSEMU_FAST = '0';
  const ref = new Emulator(fw);
  if (prev === undefined) delete process.env.HLSEMU_FAST;
  else process.env.HLSEMU_FAST = prev;
  const fast = new Emulator(fw);
  const inputs = { data: x.subarray(0, n * 3072), shape: [n, 32, 32, 3] };
  const a = fast.predict(inputs, { report: true });
  const b = ref.predict(inputs, { report: true });
  const c = fast.predict(inputs);
  return a.raw.every((v, i) => v === b.raw[i] && v === c.raw[i]) && JSON.stringify(a.report) === JSON.stringify(b.report);
}

/** Run the model benchmark and return the JSON-able result. */
export async function benchModel(): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const load = loadavg()[0]!;
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'hlsemu-bench-'));
  await buildSvhnModel(tf).save(tf.io.withSaveHandler(async (a) => writeModelArtifacts(dir, a)));
  const model = await loadModel(join(dir, 'model.json'));
  const x = randomImages(IMAGES);
  const cfgs = svhnConfigs();
  const homogeneous = convertModel(model, cfgs.homogeneous as never);
  const hetero = convertModel(model, cfgs.hetero as never);
  const exact = exactCheck(homogeneous, x, 16) && exactCheck(hetero, x, 16);
  const inputs = { data: x, shape: [IMAGES, 32, 32, 3] };

  const single = async (fw: FirmwareGraph, report: boolean) => {
    const emu = new Emulator(fw);
    emu.predict({ data: x.subarray(0, 3072 * 50), shape: [50, 32, 32, 3] }, { report }); // warm-up (JIT, wasm tier-up)
    return bestRate(IMAGES, REPS, () => emu.predict(inputs, { report }));
  };
  const parallel = async (fw: FirmwareGraph, report: boolean) => {
    if (WORKERS < 2) return 0;
    const pe = new ParallelEmulator(fw, { workers: WORKERS });
    try {
      await pe.predict({ data: x.subarray(0, 3072 * 200), shape: [200, 32, 32, 3] }, { report }); // start + warm the workers
      return await bestRate(IMAGES, REPS, () => pe.predict(inputs, { report }));
    } finally {
      await pe.close();
    }
  };
  const s16 = await single(homogeneous, false);
  const sHet = await single(hetero, false);
  const s16Report = await single(homogeneous, true);
  const p16 = await parallel(homogeneous, false);
  const pHet = await parallel(hetero, false);
  const p16Report = await parallel(homogeneous, true);
  const wasm = await timeTfjs('wasm', x, IMAGES);
  const cpu = await timeTfjs('cpu', x, IMAGES);
  const emulator = Math.max(s16, p16);
  const emulatorHetero = Math.max(sHet, pHet);
  return {
    model: 'svhn_paper_cnn (32x32x3, conv 16/16/24, dense 42/64/10)',
    macs_per_image: SVHN_MACS,
    images: IMAGES,
    emulator_img_s: Math.round(emulator),
    emulator_hetero_img_s: Math.round(emulatorHetero),
    tfjs_wasm_img_s: Math.round(wasm),
    tfjs_cpu_img_s: Math.round(cpu),
    ratio_vs_wasm: Number((emulator / wasm).toFixed(3)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    emulator_single_thread_img_s: Math.round(s16),
    emulator_hetero_single_thread_img_s: Math.round(sHet),
    emulator_parallel_img_s: Math.round(p16),
    emulator_hetero_parallel_img_s: Math.round(pHet),
    emulator_report_single_thread_img_s: Math.round(s16Report),
    emulator_report_parallel_img_s: Math.round(p16Report),
    ratio_vs_wasm_single_thread: Number((s16 / wasm).toFixed(3)),
    emulator_mmac_s: Math.round((emulator * SVHN_MACS) / 1e6),
    fast_equals_reference: exact,
    workers: WORKERS,
    reps: REPS,
    load_average_1min: Number(load.toFixed(2)),
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    node: process.version,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchModel().then((r) => console.log(JSON.stringify(r, null, 2)));
}
