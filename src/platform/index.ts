/**
 * The host the library runs on: its file system, path rules, worker threads, HDF5 reader and
 * warnings. The core (import, convert, emulate, scan, emit) reaches the host only through this
 * module, so the same code runs in Node (src/node/platform.ts, registered by the package entry, the
 * CLI and the emulator worker) and in a browser (an in-memory file system, src/platform/memory.ts,
 * registered by src/browser.ts). No Node built-in is imported here or anywhere in the core: the
 * `node:*` imports below are types only and vanish from every build.
 */
import type * as NodeFs from 'node:fs';
import type * as NodePath from 'node:path';
import { UnsupportedError } from '../errors.js';

/** The file-system calls the core makes (Node's synchronous API, or an in-memory equivalent). */
export type HostFs = Pick<
  typeof NodeFs,
  | 'existsSync'
  | 'readFileSync'
  | 'statSync'
  | 'lstatSync'
  | 'readdirSync'
  | 'openSync'
  | 'readSync'
  | 'closeSync'
  | 'writeFileSync'
  | 'mkdirSync'
  | 'mkdtempSync'
  | 'rmSync'
  | 'rmdirSync'
  | 'renameSync'
  | 'accessSync'
  | 'realpathSync'
  | 'constants'
>;

/** Path rules (Node's `path`, or POSIX rules over the in-memory file system). */
export type HostPath = Pick<NodePath.PlatformPath, 'join' | 'dirname' | 'basename' | 'extname' | 'resolve' | 'relative' | 'isAbsolute' | 'sep'>;

/** The part of a worker the parallel emulator uses (Node's worker_threads Worker). */
export interface HostWorker {
  postMessage(msg: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', fn: (msg: never) => void): unknown;
  off(event: 'message', fn: (msg: never) => void): unknown;
  once(event: 'error', fn: (err: Error) => void): unknown;
  unref(): void;
  terminate(): Promise<unknown>;
}

/** h5wasm's module (Node and browser builds share this API). */
export type H5Module = typeof import('h5wasm').default;

/** Everything the core asks of its host. */
export interface Platform {
  /** Short name for messages ('node', 'memory'). */
  name: string;
  fs: HostFs;
  path: HostPath;
  /** An environment variable (undefined where there is no environment). */
  env(name: string): string | undefined;
  /** Threads worth using for parallel emulation (1 = run in the calling thread). */
  cpuCount(): number;
  /** A worker running the emulator's worker loop; absent when the host has none (then emulation stays in this thread). */
  spawnWorker?(): HostWorker;
  /** A directory for short-lived files. */
  tmpdir(): string;
  /** h5wasm, initialised. */
  h5wasm(): Promise<H5Module>;
  /** The name to open `path` (a file of this host's file system) under with h5wasm's `File`. */
  h5Open(mod: H5Module, path: string): string;
  /** Releases what {@link h5Open} staged under `name` (nothing on Node). */
  h5Close?(name: string): void;
  /** The directory of the library's code (to find the package's bundled data from), or undefined. */
  moduleDir(): string | undefined;
  /** Report a non-fatal problem (Node: process.emitWarning). */
  warn(message: string): void;
}

let active: Platform | undefined;

/** Make `p` the host of every later call; returns the previous one. @example setPlatform(memoryPlatform()) */
export function setPlatform(p: Platform): Platform | undefined {
  const prev = active;
  active = p;
  return prev;
}

/**
 * The registered host.
 *
 * @throws {UnsupportedError} when none is registered (import the package entry, or `hlsemu/browser`).
 */
export function platform(): Platform {
  if (!active) {
    throw new UnsupportedError('platform', 'no host registered: in Node import the package entry (or src/node/register.ts); in a browser import src/browser.ts');
  }
  return active;
}

/** The registered host, or undefined. */
export function maybePlatform(): Platform | undefined {
  return active;
}
