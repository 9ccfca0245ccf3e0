/**
 * The host's file system under Node's function names (see ./index.ts): core modules import these
 * instead of `node:fs`, so they run unchanged on an in-memory file system in a browser.
 */
import type * as NodeFs from 'node:fs';
import { platform, type HostFs } from './index.js';

export type Stats = NodeFs.Stats;

const fwd = <K extends keyof HostFs>(k: K): HostFs[K] =>
  ((...a: unknown[]) => (platform().fs[k] as unknown as (...x: unknown[]) => unknown)(...a)) as unknown as HostFs[K];

export const existsSync = fwd('existsSync');
export const readFileSync = fwd('readFileSync');
export const statSync = fwd('statSync');
export const lstatSync = fwd('lstatSync');
export const readdirSync = fwd('readdirSync');
export const openSync = fwd('openSync');
export const readSync = fwd('readSync');
export const closeSync = fwd('closeSync');
export const writeFileSync = fwd('writeFileSync');
export const mkdirSync = fwd('mkdirSync');
export const mkdtempSync = fwd('mkdtempSync');
export const rmSync = fwd('rmSync');
export const rmdirSync = fwd('rmdirSync');
export const renameSync = fwd('renameSync');
export const accessSync = fwd('accessSync');
export const realpathSync = fwd('realpathSync');

/** Access-mode constants (the same numbers on every host). */
export const constants = { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1 } as const;

/** The host's temporary directory. */
export function tmpdir(): string {
  return platform().tmpdir();
}
