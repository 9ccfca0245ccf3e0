// Model benchmark: bit-exact emulation vs tfjs float inference on the SVHN paper CNN (JSON out).
// Run: npm run bench -- --suite model --json    (or: npx tsx bench/model.bench.ts)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModelArtifacts } from '../src/data/tfjs-fs-handler.js';
import { Emulator } from '../src/emulate/predict.js';
import { convertModel } from '../src/graph/convert.js';
import { loadModel } from '../src/import/index.js';
import { buildSvhnModel, randomImages, SVHN_MACS } from './svhn-model.js';

const IMAGES = Number(process.env.HLSEMU_BENCH_IMAGES ?? 1000);

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
  const t0 = performance.now();
  const y = model.predict(xs, { batchSize: n }) as import('@tensorflow/tfjs').Tensor;
  await y.data();
  const dt = (performance.now() - t0) / 1000;
  y.dispose();
  xs.dispose();
  return n / dt;
}

/** Run the model benchmark and return the JSON-able result. */
export async function benchModel(): Promise<Record<string, unknown>> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'hlsemu-bench-'));
  await buildSvhnModel(tf).save(tf.io.withSaveHandler(async (a) => writeModelArtifacts(dir, a)));
  const model = await loadModel(join(dir, 'model.json'));
  const x = randomImages(IMAGES);
  const homogeneous = convertModel(model, { Model: { Precision: 'ap_fixed<16,6>' }, IOType: 'io_stream' });
  const hetero = convertModel(model, {
    Model: { Precision: { default: 'ap_fixed<12,5,AP_RND_CONV,AP_SAT>', weight: 'ap_fixed<8,2,AP_RND,AP_SAT>', accum: 'ap_fixed<20,8>' } },
    LayerType: { Activation: { Precision: { result: 'ap_ufixed<8,3,AP_RND,AP_SAT>' } } },
    IOType: 'io_stream',
  });
  const emuRate = (fw: typeof homogeneous) => {
    const emu = new Emulator(fw);
    emu.predict({ data: x.subarray(0, 3072 * 20), shape: [20, 32, 32, 3] }); // warm-up
    const t0 = performance.now();
    emu.predict({ data: x, shape: [IMAGES, 32, 32, 3] });
    return IMAGES / ((performance.now() - t0) / 1000);
  };
  const emulator = emuRate(homogeneous);
  const emulatorHetero = emuRate(hetero);
  const wasm = await timeTfjs('wasm', x, IMAGES);
  const cpu = await timeTfjs('cpu', x, IMAGES);
  return {
    model: 'svhn_paper_cnn (32x32x3, conv 16/16/24, dense 42/64/10)',
    macs_per_image: SVHN_MACS,
    images: IMAGES,
    emulator_img_s: Math.round(emulator),
    emulator_hetero_img_s: Math.round(emulatorHetero),
    tfjs_wasm_img_s: Math.round(wasm),
    tfjs_cpu_img_s: Math.round(cpu),
    ratio_vs_wasm: Number((emulator / wasm).toFixed(3)),
    emulator_mmac_s: Math.round((emulator * SVHN_MACS) / 1e6),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    node: process.version,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchModel().then((r) => console.log(JSON.stringify(r, null, 2)));
}
