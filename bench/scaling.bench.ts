// How emulation cost grows with model size and bit width: the paper CNN at three sizes
// (bench/cnn-models.ts) × homogeneous fixed<W,I> io_stream for several W, single thread, with and
// without the overflow report; tfjs-wasm float inference of the same networks for scale. JSON out.
// Run: npm run bench -- --suite scaling    (or: npx tsx bench/scaling.bench.ts)
// Env: HLSEMU_SCALING_WIDTHS (default "4,8,12,16,20,24"), HLSEMU_SCALING_SECONDS (per point, default 1).
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import '../src/node/register.js';
import { writeModelArtifacts } from '../src/data/tfjs-fs-handler.js';
import { compileGraph } from '../src/emulate/compile.js';
import { Emulator } from '../src/emulate/predict.js';
import { convertModel } from '../src/graph/convert.js';
import { loadModel } from '../src/import/index.js';
import { buildCnn, cnnMacs, CNN_SPECS, randomInputs } from './cnn-models.js';

const WIDTHS = (process.env.HLSEMU_SCALING_WIDTHS ?? '4,8,12,16,20,24').split(',').map(Number);
const SECONDS = Number(process.env.HLSEMU_SCALING_SECONDS ?? 1);

/** Images/s of `run(batch)` over about SECONDS (best of the batches run). */
function rate(per: number, x: Float32Array, run: (data: Float32Array, n: number) => void): number {
  const nMax = x.length / per;
  run(x.subarray(0, per * 10), 10); // warm-up
  let batch = 10;
  let best = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    const n = Math.min(batch, nMax);
    const t = performance.now();
    run(x.subarray(0, per * n), n);
    const dt = (performance.now() - t) / 1000;
    best = Math.max(best, n / dt);
    if (dt < 0.2) batch = Math.min(nMax, batch * 2);
  }
  return best;
}

/** Run the scaling benchmark and return the JSON-able result. */
export async function benchScaling(): Promise<Record<string, unknown>> {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  const rows: Record<string, unknown>[] = [];
  const models: Record<string, unknown>[] = [];
  for (const spec of CNN_SPECS) {
    await tf.setBackend('cpu');
    const tfm = buildCnn(tf, spec);
    const dir = mkdtempSync(join(tmpdir(), 'hlsemu-scaling-'));
    await tfm.save(tf.io.withSaveHandler(async (a) => writeModelArtifacts(dir, a)));
    const model = await loadModel(join(dir, 'model.json'));
    const per = spec.input[0] * spec.input[1] * spec.input[2];
    const shape = [...spec.input];
    const x = randomInputs(2000, per);
    const macs = cnnMacs(spec);
    // tfjs wasm (float32) on the same network, for scale.
    await tf.setBackend('wasm');
    await tf.ready();
    const wasmModel = buildCnn(tf, spec);
    const wasm = rate(per, x, (data, n) => {
      const t = tf.tensor(data, [n, ...shape]);
      const y = wasmModel.predict(t, { batchSize: n }) as import('@tensorflow/tfjs').Tensor;
      y.dataSync();
      y.dispose();
      t.dispose();
    });
    models.push({ model: spec.name, macs_per_image: macs, tfjs_wasm_img_s: Math.round(wasm) });
    for (const W of WIDTHS) {
      const I = Math.min(6, Math.max(2, W - 2));
      const type = `fixed<${W},${I}>`;
      const fw = convertModel(model, { Model: { Precision: type }, IOType: 'io_stream' } as never);
      const layers = compileGraph(fw);
      const emu = new Emulator(fw);
      const run = (report: boolean) => rate(per, x, (data, n) => void emu.predict({ data, shape: [n, ...shape] }, { report }));
      const plain = run(false);
      const report = run(true);
      rows.push({
        model: spec.name,
        type,
        macs_per_image: macs,
        fast_layers: `${layers.filter((l) => l.impl === 'fast').length}/${layers.length}`,
        img_s: Math.round(plain),
        mmac_s: Math.round((plain * macs) / 1e6),
        report_img_s: Math.round(report),
        ratio_vs_tfjs_wasm: Number((plain / wasm).toFixed(2)),
      });
    }
  }
  return { suite: 'scaling', threads: 1, models, points: rows, load_average_1min: Number(loadavg()[0]!.toFixed(2)), node: process.version };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchScaling().then((r) => console.log(JSON.stringify(r, null, 2)));
}
