// The hls4ml CNN-paper architecture (conv + maxpool + BN + ReLU blocks, dense + BN + ReLU, dense +
// softmax) at several sizes, built in tfjs with seeded random weights — for the scaling benchmark.
import type * as TF from '@tensorflow/tfjs';
import { randomizeBenchWeights } from './svhn-model.js';

/** Architecture of one network. */
export interface CnnSpec {
  name: string;
  input: [number, number, number];
  filters: number[];
  dense: number[];
  classes: number;
}

/** The three sizes of docs/performance.md. */
export const CNN_SPECS: CnnSpec[] = [
  { name: 'fmnist CNN (28x28x1, conv 16/16/24, dense 42/64)', input: [28, 28, 1], filters: [16, 16, 24], dense: [42, 64], classes: 10 },
  { name: 'SVHN CNN (32x32x3, conv 16/16/24, dense 42/64)', input: [32, 32, 3], filters: [16, 16, 24], dense: [42, 64], classes: 10 },
  { name: 'wide CNN (32x32x3, conv 32/48/64, dense 128/64)', input: [32, 32, 3], filters: [32, 48, 64], dense: [128, 64], classes: 10 },
];

/** Multiply-accumulates per image (3x3 'valid' convs, 2x2 pools). */
export function cnnMacs(s: CnnSpec): number {
  let [h, w, c] = s.input;
  let macs = 0;
  for (const f of s.filters) {
    h -= 2;
    w -= 2;
    macs += h * w * 9 * c * f;
    c = f;
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
  }
  let n = h * w * c;
  for (const u of [...s.dense, s.classes]) {
    macs += n * u;
    n = u;
  }
  return macs;
}

/** Build the network with deterministic random weights (BN statistics near identity). */
export function buildCnn(tf: typeof TF, s: CnnSpec, seed = 1): TF.LayersModel {
  const layers: TF.layers.Layer[] = [];
  s.filters.forEach((f, i) => {
    layers.push(tf.layers.conv2d({ ...(i === 0 ? { inputShape: s.input } : {}), filters: f, kernelSize: 3, useBias: false, name: `conv${i + 1}` }));
    layers.push(tf.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }));
    layers.push(tf.layers.batchNormalization({ name: `bn${i + 1}` }));
    layers.push(tf.layers.activation({ activation: 'relu', name: `relu${i + 1}` }));
  });
  layers.push(tf.layers.flatten({ name: 'flatten' }));
  s.dense.forEach((u, i) => {
    const k = s.filters.length + i + 1;
    layers.push(tf.layers.dense({ units: u, useBias: false, name: `dense${i + 1}` }));
    layers.push(tf.layers.batchNormalization({ name: `bn${k}` }));
    layers.push(tf.layers.activation({ activation: 'relu', name: `relu${k}` }));
  });
  layers.push(tf.layers.dense({ units: s.classes, name: `dense${s.dense.length + 1}` }));
  layers.push(tf.layers.activation({ activation: 'softmax', name: 'softmax' }));
  const model = tf.sequential({ layers });
  randomizeBenchWeights(tf, model, seed);
  return model;
}

/** Deterministic random images in [0, 1). */
export function randomInputs(n: number, per: number, seed = 7): Float32Array {
  let s = seed >>> 0;
  const x = new Float32Array(n * per);
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 4294967296;
  }
  return x;
}
