// Range equalization keeps the float function bit-identical and moves pre-BN ranges into the type.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundledFashionMnist } from '../../src/data/fashion-mnist.js';
import { evaluateFloat } from '../../src/emulate/float.js';
import { loadModel } from '../../src/import/index.js';
import { equalizeRanges } from '../../src/ptq/equalize.js';

describe('equalizeRanges', () => {
  it('rescales conv/dense → (pool) → BN chains by powers of two without changing the float outputs', async () => {
    const model = await loadModel(join(__dirname, '..', '..', 'models', 'fmnist', 'model.json'));
    const d = await loadBundledFashionMnist(300);
    // Undo part of the committed equalization to have something to equalize: scale conv1 down by 8.
    const shrunk = { ...model, layers: model.layers.map((l) => ({ ...l, attrs: { ...l.attrs }, weights: { ...l.weights } })) };
    const c1 = shrunk.layers.find((l) => l.name === 'conv1')!;
    const b1 = shrunk.layers.find((l) => l.name === 'bn1')!;
    c1.weights.kernel = { shape: c1.weights.kernel!.shape, data: c1.weights.kernel!.data.map((v) => v / 8) };
    b1.weights.moving_mean = { shape: b1.weights.moving_mean!.shape, data: b1.weights.moving_mean!.data.map((v) => v / 8) };
    b1.weights.moving_variance = { shape: b1.weights.moving_variance!.shape, data: b1.weights.moving_variance!.data.map((v) => v / 64) };
    b1.attrs.epsilon = (b1.attrs.epsilon ?? 1e-3) / 64;
    const x = { data: d.images, shape: d.shape };
    const { model: eq, pairs } = equalizeRanges(shrunk, x, { target: 0.75 });
    const conv1 = pairs.find((p) => p.producer === 'conv1');
    expect(conv1?.batchnorm).toBe('bn1');
    expect(conv1!.scale).toBeGreaterThanOrEqual(8);
    for (const p of pairs) {
      expect(Math.log2(p.scale) % 1).toBe(0);
      expect(p.maxAfter).toBeLessThanOrEqual(0.75 * 32);
    }
    const a = evaluateFloat(shrunk, x).values;
    const b = evaluateFloat(eq, x).values;
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThan(1e-12);
  });
});
