/**
 * Settings shared by the fuzz suite. `npm test` runs every property with a fixed seed and a quick
 * budget; `npm run fuzz` (HLSEMU_FUZZ=long) runs many more cases with a seed of the day, printed
 * so that a failure can be replayed with HLSEMU_FUZZ_SEED=<seed>.
 *
 * The invariant everywhere: hostile input ends in a typed error (an HlsemuError subclass) or, on
 * the command line, exit code 2 with one line — never a RangeError / TypeError / stack, never a
 * hang (every property has a time limit; the command line also runs in child processes with a
 * heap cap).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { HlsemuError } from '../../src/errors.js';

/** True for `npm run fuzz`. */
export const LONG = process.env.HLSEMU_FUZZ === 'long';

/** The seed: fixed for `npm test`, the day for `npm run fuzz`, or HLSEMU_FUZZ_SEED. */
export const SEED = process.env.HLSEMU_FUZZ_SEED !== undefined ? Number(process.env.HLSEMU_FUZZ_SEED) : LONG ? Math.floor(Date.now() / 86_400_000) : 20260101;

if (LONG) console.log(`fuzz seed ${SEED} (replay with HLSEMU_FUZZ_SEED=${SEED})`);

/**
 * fast-check parameters: `quick` runs for `npm test`, ×`scale` for the long run; each property
 * stops early at `seconds` (quick) and fails if one run exceeds the per-run timeout.
 */
export function params(quick: number, opts: { scale?: number; seconds?: number } = {}): fc.Parameters<unknown> {
  const runs = LONG ? quick * (opts.scale ?? 50) : quick;
  const seconds = LONG ? (opts.seconds ?? 5) * 60 : (opts.seconds ?? 5);
  return { seed: SEED, numRuns: runs, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false, endOnFailure: true };
}

/** Test timeout (ms) for a fuzz `it`: generous in the long run. */
export const TEST_TIMEOUT = LONG ? 3_600_000 : 60_000;

/**
 * Run `f`; a success or a typed error (HlsemuError) passes, anything else fails the property with
 * the error's name and message.
 */
export function typedOrOk<T>(f: () => T): T | HlsemuError {
  try {
    return f();
  } catch (e) {
    if (e instanceof HlsemuError) return e;
    throw new Error(`untyped error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

/** The async form of {@link typedOrOk}. */
export async function typedOrOkAsync<T>(f: () => Promise<T>): Promise<T | HlsemuError> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof HlsemuError) return e;
    throw new Error(`untyped error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

/** A typed error's message is one line and names something (a path). */
export function expectGoodMessage(e: HlsemuError): void {
  expect(e.message.length).toBeGreaterThan(0);
  expect(e.path.length + e.message.length).toBeGreaterThan(0);
}

/** Arbitrary JSON-ish values, including the hostile ones (huge / negative / fractional numbers, NaN-like strings). */
export const hostileScalar = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 1.5, 1e9, -1e9, 2 ** 53, 2 ** 31, 1e300, -0, 0.5),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', 'NaN', 'Infinity', '-1', '1e9', '0x10', 'fixed<16,6>', 'io_bogus', 'Latency', 'auto'),
  fc.boolean(),
  fc.constant(null),
);

/** Arbitrary JSON values of bounded size, built from {@link hostileScalar}. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostileScalar, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 4 })),
})).v;
