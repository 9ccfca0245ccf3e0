/**
 * The project's one seeded pseudo-random generator (mulberry32): the same seed gives the same
 * sequence on every machine (testbench inputs, data splits, shuffles).
 */

/**
 * A generator of 32-bit unsigned integers.
 *
 * @example const next = mulberry32(1); next(); // an integer in [0, 2^32)
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * A generator of numbers in [0, 1) from {@link mulberry32}.
 *
 * @example const r = uniform(1); r(); // 0 <= r() < 1
 */
export function uniform(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}
