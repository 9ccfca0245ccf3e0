import { defineConfig } from 'tsup';

// ESM (with code splitting) and CommonJS builds of the library; the CLI and the emulator worker are
// ESM entry points. `shims` gives the CommonJS build its import.meta.url (package root, worker path).
export default defineConfig([
  {
    entry: { index: 'src/index.ts', cli: 'src/cli/main.ts', 'emulate-worker': 'src/node/emulate-worker.ts' },
    format: ['esm'],
    target: 'node20',
    dts: { entry: { index: 'src/index.ts' } },
    sourcemap: true,
    splitting: true,
  },
  {
    entry: { index: 'src/index.ts' },
    format: ['cjs'],
    target: 'node20',
    dts: { entry: { index: 'src/index.ts' } },
    sourcemap: true,
    shims: true,
  },
]);
