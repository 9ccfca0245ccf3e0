/**
 * A functional Keras model with two inputs and two outputs (tfjs): two Dense branches merged by
 * Add, the sum concatenated with one branch, a Dense head. The outputs are [head, sum] — not in
 * topological order, and `sum` is also read by another layer.
 */
import type * as TF from '@tensorflow/tfjs';
import { loadTf, randomizeWeights, type Tf } from '../import/helpers.js';

export const IN_A = 6;
export const IN_B = 4;

/** The two-input, two-output model with deterministic random weights. */
export async function twoPortModel(seed = 3): Promise<{ tf: Tf; model: TF.LayersModel }> {
  const tf = await loadTf();
  const a = tf.input({ shape: [IN_A], name: 'in_a' });
  const b = tf.input({ shape: [IN_B], name: 'in_b' });
  const da = tf.layers.dense({ units: 5, activation: 'relu', name: 'da' }).apply(a) as TF.SymbolicTensor;
  const db = tf.layers.dense({ units: 5, name: 'db' }).apply(b) as TF.SymbolicTensor;
  const sum = tf.layers.add({ name: 'sum' }).apply([da, db]) as TF.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([sum, db]) as TF.SymbolicTensor;
  const head = tf.layers.dense({ units: 3, name: 'head' }).apply(cat) as TF.SymbolicTensor;
  const model = tf.model({ inputs: [a, b], outputs: [head, sum], name: 'twoport' });
  randomizeWeights(tf, model, seed);
  return { tf, model };
}

/** Deterministic inputs in [-2, 2): n samples of `size`. */
export function samples(n: number, size: number, seed: number): number[][] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2;
  };
  return Array.from({ length: n }, () => Array.from({ length: size }, next));
}
