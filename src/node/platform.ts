/**
 * The Node host (see src/platform/index.ts): node:fs and node:path, worker_threads for the parallel
 * emulator, h5wasm's Node build reading files in place, process.emitWarning.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { H5Module, HostFs, HostWorker, Platform } from '../platform/index.js';

let h5Promise: Promise<H5Module> | undefined;

/** Spawn an emulator worker: the built `emulate-worker.js` beside the bundle, or the TS source via tsx in development. */
function spawnWorker(): HostWorker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./emulate-worker.js', here)) as unknown as HostWorker;
  const src = new URL('./emulate-worker.ts', here).href;
  // Resolve tsx from this module (not from the process's working directory).
  const tsxRoot = path.dirname(createRequire(here).resolve('tsx/package.json'));
  const tsx = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(src)}); })`;
  return new Worker(boot, { eval: true }) as unknown as HostWorker;
}

/** The Node host. */
export const nodePlatform: Platform = {
  name: 'node',
  fs: fs as unknown as HostFs,
  path,
  env: (name) => process.env[name],
  cpuCount: () => availableParallelism(),
  spawnWorker,
  tmpdir,
  h5wasm: () =>
    (h5Promise ??= (async () => {
      const mod = (await import('h5wasm/node')).default;
      const wasm = (await mod.ready) as { activate_throwing_error_handler?: () => number };
      // HDF5 reports errors as exceptions (wrapped by the importers as FormatErrors) instead of printing its C diagnostics on stderr.
      wasm.activate_throwing_error_handler?.();
      return mod as unknown as H5Module;
    })()),
  h5Open: (_mod, p) => path.resolve(p),
  moduleDir: () => path.dirname(fileURLToPath(import.meta.url)),
  warn: (message) => process.emitWarning(message),
};
