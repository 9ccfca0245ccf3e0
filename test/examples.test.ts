// The quickstart example must keep running and keep telling the story its docs tell.
import { describe, expect, it } from 'vitest';
import { main } from '../examples/quickstart.js';

describe('examples/quickstart.ts', () => {
  it('runs, flags the softmax overflow, and recovers after the fix', async () => {
    const lines: string[] = [];
    const r = await main((s) => lines.push(s));
    expect(r.overflowLayers).toEqual(['softmax']);
    expect(r.accuracy).toBeLessThan(0.5);
    expect(r.fixedAccuracy).toBeGreaterThan(0.75);
    expect(lines.join('\n')).toContain('softmax');
  });
});

describe('README example', () => {
  it('runs as written (with the package import pointed at the sources)', async () => {
    const { readFileSync, writeFileSync, mkdtempSync } = await import('node:fs');
    const { join, resolve } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { execFileSync } = await import('node:child_process');
    const root = resolve(__dirname, '..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(code.split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(12);
    const src = code.replace("from 'hlsemu'", `from ${JSON.stringify(join(root, 'src', 'index.ts'))}`);
    const file = join(mkdtempSync(join(tmpdir(), 'hlsemu-readme-')), 'example.mts');
    writeFileSync(file, src);
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const out = execFileSync(process.execPath, [tsx, file], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('conv1');
    expect(out).toContain('ap_fixed<12,6>');
  });
});
