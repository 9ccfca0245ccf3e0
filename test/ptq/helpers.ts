/**
 * Test helpers for the PTQ tests: tfjs on the CPU backend (imported once, dynamically), a seeded
 * RNG, and a fresh temporary directory.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';

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
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'hlsemu-ptq-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
