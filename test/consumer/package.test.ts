// The package as a consumer gets it: `npm pack`, installed into a scratch project, used from an ESM
// script, a CommonJS require, a TypeScript file type-checked with skipLibCheck: false, and the bin.
// Needs the built dist/ (`npm ci` builds it) and the npm registry or cache for the dependencies.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const built = existsSync(join(ROOT, 'dist', 'index.js')) && existsSync(join(ROOT, 'dist', 'index.cjs')) && existsSync(join(ROOT, 'dist', 'cli.js'));
if (!built) console.warn('test/consumer: dist/ is not built (npm ci or npm run build builds it); the consumer tests are skipped');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir = '';

function run(cmd: string, args: string[], cwd = dir): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' } });
}

describe.skipIf(!built)('the packed package in a consumer project', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hlsemu-consumer-'));
    run(npm, ['pack', '--ignore-scripts', '--pack-destination', dir], ROOT);
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    run(npm, ['install', '--prefer-offline', '--no-save', '--ignore-scripts', join(dir, tgz)]);
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('works from an ESM script with the bundled example', () => {
    writeFileSync(
      join(dir, 'esm.mjs'),
      [
        "import { loadExample, convertModel, configFromModel, Emulator } from 'hlsemu';",
        "const { model, data } = await loadExample('fashion-mnist', { limit: 8 });",
        'const fw = convertModel(model, configFromModel(model));',
        'const r = new Emulator(fw).predict({ data: data.x, shape: [data.n, ...data.sampleShape] });',
        'console.log(fw.layers.length, r.values.length);',
      ].join('\n'),
    );
    const out = run(process.execPath, ['esm.mjs']).trim().split(' ');
    expect(Number(out[0])).toBeGreaterThan(5);
    expect(Number(out[1])).toBe(80);
  });

  it('works from CommonJS require', () => {
    writeFileSync(join(dir, 'cjs.cjs'), "const h = require('hlsemu');\nconsole.log(typeof h.convertModel, typeof h.kernels.dense, h.parseFixedType('ap_fixed<8,3>').W);\n");
    expect(run(process.execPath, ['cjs.cjs']).trim()).toBe('function function 8');
  });

  it('type-checks with skipLibCheck: false', () => {
    writeFileSync(
      join(dir, 'use.ts'),
      [
        "import { convertModel, parseFixedType, type FirmwareGraph, type Hls4mlConfig, type FixedType } from 'hlsemu';",
        "const t: FixedType = parseFixedType('ap_fixed<16,6>');",
        "const cfg: Hls4mlConfig = { Model: { Precision: 'fixed<16,6>', ReuseFactor: 1 } };",
        'export function layers(fw: FirmwareGraph): string[] { return fw.layers.map((l) => `${l.name}:${l.cls}`); }',
        'export const used = [t.W, cfg.Model.ReuseFactor, typeof convertModel];',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: [] }, files: ['use.ts'] }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => run(process.execPath, [tsc, '-p', 'tsconfig.json'])).not.toThrow();
  }, 120_000);

  it('runs the bin: --version and a bundled-example scan', () => {
    const pkg = JSON.parse(run(process.execPath, ['-e', "process.stdout.write(require('fs').readFileSync('node_modules/hlsemu/package.json','utf8'))"])) as { version: string };
    const bin = join(dir, 'node_modules', '.bin', 'hlsemu');
    expect(run(bin, ['--version']).trim()).toContain(pkg.version);
    const out = run(bin, ['scan', '--example', 'fashion-mnist', '--widths', '16', '--limit', '50', '--out', join(dir, 'scan')]);
    expect(out).toMatch(/16/);
    expect(existsSync(join(dir, 'scan', 'scan.csv'))).toBe(true);
  }, 120_000);
});
