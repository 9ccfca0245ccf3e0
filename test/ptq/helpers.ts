/**
 * Test helpers for the PTQ tests: tfjs on the CPU backend (imported once, dynamically), a seeded
 * RNG, and a fresh temporary directory.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { uniform } from '../../src/util/random.js';

export type Tf = typeof TF;

let tfPromise: Promise<Tf> | undefined;

/** @tensorflow/tfjs on the CPU backend (float32). */
export async function loadTf(): Promise<Tf> {
  tfPromise ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  })();
  return tfPromise;
}

/** Deterministic pseudo-random numbers in [-1, 1) (mulberry32). */
export function rng(seed: number): () => number {
  const r = uniform(seed);
  return () => r() * 2 - 1;
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'hlsemu-ptq-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
