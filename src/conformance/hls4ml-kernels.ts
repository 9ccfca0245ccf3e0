/**
 * Checks one hls4ml kernel reference case (the JSON Lines format of test/golden/hls4ml/*.jsonl:
 * `kernel, impl, config, types, weights/bias/scale, tables, inputs[k], outputs[k]`) against
 * hlsemu's kernels. Returns null when every output (and every table / instruction array the case
 * carries) matches, or a description of the first mismatch. Each `kernel` kind has one checker,
 * declared by its layer module (src/layers) and collected by the layer registry; the case-reading
 * helpers are in ./kernel-case.ts.
 */
import { FormatError } from '../errors.js';
import { LAYER_KERNEL_CHECKERS } from '../layers/registry.js';
import type { Case, KernelChecker } from './kernel-case.js';
import { KERNEL_CHECKERS_EXT } from './kernels-ext.js';

/**
 * One checker per `kernel` kind of the reference files.
 *
 * @example Object.keys(KERNEL_CHECKERS).includes('conv2d'); // true
 */
export const KERNEL_CHECKERS: Readonly<Record<string, KernelChecker>> = { ...LAYER_KERNEL_CHECKERS, ...KERNEL_CHECKERS_EXT };

/**
 * The `kernel` values this checker knows.
 *
 * @example HLS4ML_KERNEL_KINDS.includes('conv2d'); // true
 */
export const HLS4ML_KERNEL_KINDS: readonly string[] = Object.keys(KERNEL_CHECKERS);

/**
 * Check one kernel case; null on success, else a message naming the first differing index.
 * Throws FormatError for malformed cases and unknown `kernel` kinds.
 *
 * @example
 * checkHls4mlKernelCase(JSON.parse(line)); // null
 */
export function checkHls4mlKernelCase(c: Case): string | null {
  if (!c || typeof c !== 'object') throw new FormatError('', 'a case must be an object');
  const kind = c.kernel;
  if (typeof kind !== 'string') throw new FormatError('kernel', `missing kernel kind (got ${JSON.stringify(kind)})`);
  const check = Object.prototype.hasOwnProperty.call(KERNEL_CHECKERS, kind) ? KERNEL_CHECKERS[kind] : undefined;
  if (!check) throw new FormatError('kernel', `unknown kernel kind '${kind}' (known: ${HLS4ML_KERNEL_KINDS.join(', ')})`);
  return check(c);
}
