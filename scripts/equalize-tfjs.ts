/**
 * Apply hlsemu's range equalization (src/ptq/equalize.ts) to a tfjs LayersModel in place: each
 * Dense/Conv → (pooling) → BatchNormalization chain is scaled by a power of two so the pre-BN
 * activations use the fixed<16,6> range; the float32 function is bit-identical.
 *
 * As a script: `npx tsx scripts/equalize-tfjs.ts [models/fmnist]` equalizes a saved model with
 * 2,000 Fashion-MNIST training images as calibration data and saves it back.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import '../src/node/register.js';
import { loadBundledFashionMnist, loadFashionMnist } from '../src/data/fashion-mnist.js';
import { fileSystemLoadHandler, writeModelArtifacts } from '../src/data/tfjs-fs-handler.js';
import { loadModel } from '../src/import/index.js';
import { equalizeRanges, type EqualizedPair } from '../src/ptq/equalize.js';

/**
 * Equalize `model` (in place) with `calibration` images; returns the rescaled pairs.
 *
 * @example const pairs = await equalizeTfjsModel(tf, model, { data: x, shape: [2000, 28, 28, 1] });
 */
export async function equalizeTfjsModel(tf: typeof TF, model: TF.LayersModel, calibration: { data: Float32Array; shape: number[] }): Promise<EqualizedPair[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hlsemu-eq-'));
  await model.save(tf.io.withSaveHandler(async (a) => writeModelArtifacts(dir, a)));
  const { pairs } = equalizeRanges(await loadModel(join(dir, 'model.json')), calibration, { target: 0.75 });
  for (const p of pairs) {
    const prod = model.getLayer(p.producer);
    prod.setWeights(prod.getWeights().map((w) => tf.mul(w, p.scale)));
    const bn = model.getLayer(p.batchnorm);
    const names = bn.weights.map((w) => w.originalName);
    bn.setWeights(
      bn.getWeights().map((w, i) => (names[i]!.endsWith('moving_mean') ? tf.mul(w, p.scale) : names[i]!.endsWith('moving_variance') ? tf.mul(w, p.scale * p.scale) : w)),
    );
    const b = bn as unknown as { epsilon: number };
    b.epsilon = b.epsilon * p.scale * p.scale;
  }
  return pairs;
}

async function main(): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const dir = process.argv[2] ?? 'models/fmnist';
  const model = await tf.loadLayersModel(fileSystemLoadHandler(join(dir, 'model.json')));
  const probe = await loadBundledFashionMnist();
  const x = tf.tensor(probe.images, probe.shape);
  const before = (model.predict(x) as TF.Tensor).dataSync().slice();
  const cal = await loadFashionMnist({ split: 'train', limit: 2000 });
  const pairs = await equalizeTfjsModel(tf, model, { data: cal.images, shape: cal.shape });
  const after = (model.predict(x) as TF.Tensor).dataSync();
  let maxDiff = 0;
  for (let i = 0; i < before.length; i++) maxDiff = Math.max(maxDiff, Math.abs(before[i]! - after[i]!));
  await model.save(tf.io.withSaveHandler(async (a) => writeModelArtifacts(dir, a)));
  const metricsPath = join(dir, 'metrics.json');
  const metrics = JSON.parse(readFileSync(metricsPath, 'utf8')) as Record<string, unknown>;
  metrics.equalization = { calibration: 'first 2,000 Fashion-MNIST training images', target: '0.75 of fixed<16,6> range', pairs, maxOutputChange: maxDiff };
  writeFileSync(metricsPath, `${JSON.stringify(metrics, null, 2)}\n`);
  console.log(JSON.stringify({ pairs, maxOutputChange: maxDiff }, null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
