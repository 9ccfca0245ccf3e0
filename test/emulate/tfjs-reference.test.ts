// Float-reference properties: random small tfjs models saved to disk, imported, converted and
// emulated. At ap_fixed<32,16> every output equals tfjs's float32 output within an error bound
// derived from the LSBs; at the default fixed<16,6> the argmax agrees wherever the float margin
// exceeds that bound.
// Tolerances and their derivation: docs/testing.md, "Property-test tolerances".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Emulator } from '../../src/emulate/predict.js';
import { convertModel } from '../../src/graph/convert.js';
import { loadModel } from '../../src/import/index.js';
import { loadTf, randomizeWeights, rng, saveTfjsModel, tempDir, type Tf } from '../import/helpers.js';
import type * as TF from '@tensorflow/tfjs';

type Arch = { kind: 'mlp'; nIn: number; hidden: number; nOut: number; bn: boolean } | { kind: 'cnn'; size: number; ch: number; filters: number; k: number; pool: 'max' | 'avg'; nOut: number };

function build(tf: Tf, a: Arch): TF.LayersModel {
  if (a.kind === 'mlp') {
    const layers: TF.layers.Layer[] = [tf.layers.dense({ inputShape: [a.nIn], units: a.hidden, activation: 'relu', name: 'd1' })];
    if (a.bn) layers.push(tf.layers.batchNormalization({ name: 'bn' }));
    layers.push(tf.layers.dense({ units: a.nOut, name: 'd2' }));
    return tf.sequential({ layers });
  }
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [a.size, a.size, a.ch], filters: a.filters, kernelSize: a.k, activation: 'relu', name: 'c1' }),
      a.pool === 'max' ? tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' }) : tf.layers.averagePooling2d({ poolSize: 2, name: 'p1' }),
      tf.layers.flatten({ name: 'f' }),
      tf.layers.dense({ units: a.nOut, name: 'd' }),
    ],
  });
}

const arbArch: fc.Arbitrary<Arch> = fc.oneof(
  fc.record({ kind: fc.constant('mlp' as const), nIn: fc.integer({ min: 1, max: 12 }), hidden: fc.integer({ min: 1, max: 10 }), nOut: fc.integer({ min: 2, max: 6 }), bn: fc.boolean() }),
  fc.record({ kind: fc.constant('cnn' as const), size: fc.integer({ min: 5, max: 8 }), ch: fc.integer({ min: 1, max: 3 }), filters: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 3 }), pool: fc.constantFrom('max' as const, 'avg' as const), nOut: fc.integer({ min: 2, max: 5 }) }),
);

/** Sum of |w| over the largest fan-in column of a kernel (an ∞-norm bound of the layer's gain). */
function gain(w: Float32Array | Float64Array, nOut: number): number {
  const col = new Float64Array(nOut);
  for (let i = 0; i < w.length; i++) col[i % nOut]! += Math.abs(w[i]!);
  return Math.max(...col);
}

/**
 * Error bound at <W,I> with F = W−I fractional bits, AP_TRN (floor) everywhere:
 * inputs and weights are off by < 2^-F each (weights also by half a printed decimal, 0.5·10^-F);
 * a layer with fan-in n adds n product casts and one result cast, each < 2^-F; the error coming in
 * is amplified by the layer's gain Σ|w| (≤ 1 for pooling/ReLU, |scale| for BN); tfjs's float32
 * adds a relative 2^-20 per layer, which we cover with 1e-5·(1+|y|).
 */
function bound(model: Awaited<ReturnType<typeof loadModel>>, F: number, xMax: number): number {
  const lsb = 2 ** -F;
  let err = lsb;
  let mag = xMax;
  for (const l of model.layers) {
    const k = l.weights.kernel;
    if (k) {
      const nOut = k.shape[k.shape.length - 1]!;
      const n = k.data.length / nOut;
      const g = gain(k.data, nOut);
      err = g * err + n * (lsb + 0.5 * 10 ** -F) * (mag + err) + (n + 2) * lsb;
      mag = g * mag + 1;
    } else if (l.className === 'BatchNormalization') {
      const s = Math.max(...Array.from(l.weights.gamma!.data, (gv, i) => Math.abs(gv) / Math.sqrt(l.weights.moving_variance!.data[i]! + 1e-3)));
      err = s * err + (mag + err) * lsb + 3 * lsb;
      mag = s * mag + 2;
    } else if (l.className.includes('Pooling')) err += lsb;
  }
  return err;
}

describe('emulator vs tfjs float', () => {
  it('at ap_fixed<32,16> matches tfjs within the derived LSB bound (random models, round trip through disk)', async () => {
    const tf = await loadTf();
    let seed = 1;
    await fc.assert(
      fc.asyncProperty(arbArch, async (a) => {
        const m = build(tf, a);
        randomizeWeights(tf, m, seed++);
        const dir = tempDir('hlsemu-ref-');
        await saveTfjsModel(m, dir);
        const model = await loadModel(`${dir}/model.json`);
        const fw = convertModel(model, { Model: { Precision: 'fixed<32,16>' } });
        const shape = model.layers[0]!.outputShape;
        const per = shape.reduce((p, d) => p * d, 1);
        const r = rng(seed++);
        const x = Float32Array.from({ length: 4 * per }, () => r() * 2);
        const want = (m.predict(tf.tensor(x, [4, ...shape])) as TF.Tensor).dataSync();
        const got = new Emulator(fw).predict({ data: x, shape: [4, ...shape] });
        const b = bound(model, 16, 2);
        for (let i = 0; i < want.length; i++) expect(Math.abs(got.values[i]! - want[i]!)).toBeLessThanOrEqual(b + 1e-5 * (1 + Math.abs(want[i]!)));
      }),
      { numRuns: 12 },
    );
  });

  it('at the default fixed<16,6>: bounded error, argmax agrees where the float margin is larger than the bound', async () => {
    const tf = await loadTf();
    const m = build(tf, { kind: 'mlp', nIn: 8, hidden: 6, nOut: 5, bn: false });
    randomizeWeights(tf, m, 99);
    const dir = tempDir('hlsemu-ref-');
    await saveTfjsModel(m, dir);
    const model = await loadModel(`${dir}/model.json`);
    const fw = convertModel(model);
    const r = rng(5);
    const n = 200;
    const x = Float32Array.from({ length: n * 8 }, () => r());
    const want = (m.predict(tf.tensor(x, [n, 8])) as TF.Tensor).dataSync();
    const got = new Emulator(fw).predict({ data: x, shape: [n, 8] });
    const b = bound(model, 10, 1);
    expect(b).toBeLessThan(0.6);
    let compared = 0;
    for (let s = 0; s < n; s++) {
      const f = Array.from(want.subarray(s * 5, s * 5 + 5));
      const e = Array.from(got.values.subarray(s * 5, s * 5 + 5));
      f.forEach((v, i) => expect(Math.abs(e[i]! - v)).toBeLessThanOrEqual(b));
      const sorted = [...f].sort((p, q) => q - p);
      if (sorted[0]! - sorted[1]! > 2 * b) {
        compared++;
        expect(e.indexOf(Math.max(...e))).toBe(f.indexOf(sorted[0]!));
      }
    }
    expect(compared).toBeGreaterThan(n / 3);
  });
});
