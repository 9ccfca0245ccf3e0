// The hls4ml CNN paper's SVHN network (32x32x3; conv 16/16/24 3x3 + maxpool + BN + ReLU; dense
// 42/64 + BN + ReLU; dense 10 + softmax), built in tfjs with seeded random weights, for benchmarks.
import type * as TF from '@tensorflow/tfjs';

/** Overwrite every weight with seeded random values (He-like kernels, plausible BN statistics). */
export function randomizeBenchWeights(tf: typeof TF, model: TF.LayersModel, seed = 1): void {
  let a = seed >>> 0;
  const r = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (const l of model.layers) {
    const ws = l.weights;
    if (!ws.length) continue;
    l.setWeights(
      ws.map((w) => {
        const shape = w.shape as number[];
        const n = shape.reduce((p, d) => p * d, 1);
        const fanIn = shape.length > 1 ? n / shape[shape.length - 1]! : 1;
        const name = w.originalName;
        const vals = Float32Array.from({ length: n }, () => {
          if (name.endsWith('moving_variance')) return 0.5 + r();
          if (name.endsWith('gamma')) return 0.8 + 0.4 * r();
          if (name.endsWith('beta') || name.endsWith('moving_mean')) return 0.2 * (r() - 0.5);
          return (r() * 2 - 1) * Math.sqrt(3 / fanIn);
        });
        return tf.tensor(vals, shape);
      }),
    );
  }
}

/** Build the SVHN paper CNN with deterministic random weights. */
export function buildSvhnModel(tf: typeof TF, seed = 1): TF.LayersModel {
  const layers: TF.layers.Layer[] = [];
  const conv = (name: string, filters: number, first: boolean) =>
    tf.layers.conv2d({ ...(first ? { inputShape: [32, 32, 3] } : {}), filters, kernelSize: 3, useBias: false, name });
  for (const [i, f] of [16, 16, 24].entries()) {
    layers.push(conv(`conv${i + 1}`, f, i === 0));
    layers.push(tf.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }));
    layers.push(tf.layers.batchNormalization({ name: `bn${i + 1}` }));
    layers.push(tf.layers.activation({ activation: 'relu', name: `relu${i + 1}` }));
  }
  layers.push(tf.layers.flatten({ name: 'flatten' }));
  for (const [i, u] of [42, 64].entries()) {
    layers.push(tf.layers.dense({ units: u, useBias: false, name: `dense${i + 1}` }));
    layers.push(tf.layers.batchNormalization({ name: `bn${i + 4}` }));
    layers.push(tf.layers.activation({ activation: 'relu', name: `relu${i + 4}` }));
  }
  layers.push(tf.layers.dense({ units: 10, name: 'dense3' }));
  layers.push(tf.layers.activation({ activation: 'softmax', name: 'softmax' }));
  const model = tf.sequential({ layers });
  randomizeBenchWeights(tf, model, seed);
  return model;
}

/** Deterministic random images in [0, 1). */
export function randomImages(n: number, seed = 7): Float32Array {
  let s = seed >>> 0;
  const x = new Float32Array(n * 32 * 32 * 3);
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 4294967296;
  }
  return x;
}

/** MACs per image of the SVHN paper CNN. */
export const SVHN_MACS = 30 * 30 * 27 * 16 + 13 * 13 * 144 * 16 + 4 * 4 * 144 * 24 + 96 * 42 + 42 * 64 + 64 * 10;
