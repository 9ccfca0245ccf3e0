/** The host's path rules under Node's names (see ./index.ts); core modules import these instead of `node:path`. */
import { platform, type HostPath } from './index.js';

const fwd = <K extends Exclude<keyof HostPath, 'sep'>>(k: K): HostPath[K] =>
  ((...a: unknown[]) => (platform().path[k] as unknown as (...x: unknown[]) => unknown)(...a)) as unknown as HostPath[K];

export const join = fwd('join');
export const dirname = fwd('dirname');
export const basename = fwd('basename');
export const extname = fwd('extname');
export const resolve = fwd('resolve');
export const relative = fwd('relative');
export const isAbsolute = fwd('isAbsolute');

/** The host's path separator ('/' on POSIX and in memory). */
export function pathSep(): string {
  return platform().path.sep;
}
