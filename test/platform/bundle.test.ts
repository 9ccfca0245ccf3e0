// The browser entry (src/browser.ts) bundles for a browser with no Node built-in and no Node
// polyfill: esbuild, platform 'browser', fails on any `node:*` import it meets. And no core module
// imports a Node built-in (types aside) outside the Node adapters (src/node) and the CLI. Minified,
// the typed errors keep their names.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const NODE_BUILTINS = /^(node:|fs$|fs\/|path$|os$|url$|worker_threads$|child_process$|module$|zlib$|crypto$)/;

describe('browser bundle', () => {
  it('bundles src/browser.ts for the browser without a Node built-in', async () => {
    const r = await build({
      entryPoints: [join(ROOT, 'src/browser.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      outdir: '/virtual',
    });
    expect(r.errors).toEqual([]);
    const inputs = Object.keys(r.metafile.inputs);
    const imports = Object.values(r.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(imports.filter((p) => NODE_BUILTINS.test(p))).toEqual([]);
    expect(inputs.filter((f) => /src\/(node|cli)\//.test(f))).toEqual([]);
    // h5wasm's browser build, not its Node build; the WebAssembly kernels are in.
    expect(inputs.some((f) => f.includes('h5wasm/dist/esm/'))).toBe(true);
    expect(inputs.some((f) => f.includes('h5wasm/dist/node/'))).toBe(false);
    expect(inputs.some((f) => f.endsWith('src/kernels/fast/wasm.ts'))).toBe(true);
    const js = r.outputFiles.map((f) => f.text).join('\n');
    expect(js).not.toMatch(/(from|import|require)\s*\(?\s*["']node:/);
  }, 120_000);

  it('minified (as the playground is built), every typed error keeps its class name as its name', async () => {
    // A minifier renames classes: a name taken from the class (new.target.name) showed as `z: …` in the page.
    const r = await build({
      stdin: {
        contents: `import * as a from './src/errors.ts'; import * as b from './src/emit/errors.ts';
          export const names = Object.entries({ ...a, ...b }).filter(([, v]) => typeof v === 'function' && v.prototype instanceof Error).map(([k, v]) => [k, new v('p', 'q', 'r').name]);`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      minify: true,
      platform: 'neutral',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0]!.text).toString('base64')}`)) as { names: [string, string][] };
    expect(mod.names.length).toBeGreaterThanOrEqual(12);
    expect(mod.names.filter(([cls, name]) => cls !== name)).toEqual([]);
  }, 60_000);

  it('keeps Node built-ins out of the core (src/node and src/cli are the Node side)', () => {
    const offenders: string[] = [];
    for (const f of tsFiles(join(ROOT, 'src'))) {
      const rel = relative(ROOT, f);
      if (rel.startsWith('src/node/') || rel.startsWith('src/cli/')) continue;
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) {
        if (!m[1] && NODE_BUILTINS.test(m[2]!)) offenders.push(`${rel}: ${m[2]}`);
      }
      for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) if (NODE_BUILTINS.test(m[1]!) || m[1] === 'h5wasm/node') offenders.push(`${rel}: import(${m[1]})`);
      if (/\bprocess\.(env|emitWarning|argv|exit|cwd)\b/.test(text.replace(/^\s*(\/\*\*|\*|\/\/).*$/gm, ''))) offenders.push(`${rel}: process`);
      if (/\bBuffer\.(alloc|from|byteLength|concat)\b/.test(text.replace(/^\s*(\/\*\*|\*|\/\/).*$/gm, ''))) offenders.push(`${rel}: Buffer`);
    }
    expect(offenders).toEqual([]);
  });
});
