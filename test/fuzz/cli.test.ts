// Fuzz: whole command lines — commands, flags (known, misspelled, unknown), hostile values and a
// pool of good, bad and missing files and output paths. Every run ends in exit 0, 1 (a check
// failed) or 2 with exactly one line on stderr; never an internal error (70) or a stack. A few
// hostile inputs also run in child processes with a V8 heap cap and a timeout.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../../src/data/idx.js';
import { cli, cliProcess, FMNIST_MODEL, hasStack, lines, TINY_MODEL, writeNpy } from '../cli/helpers.js';
import { gzipBomb } from '../io/helpers.js';
import { LONG, params, TEST_TIMEOUT } from './settings.js';

let dir: string;
let files: string[];
let outs: string[];
const cwd = process.cwd();
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hlsemu-fuzz-cli-'));
  // Values such as '8' or '' can land on --out: relative outputs go to the temporary directory.
  process.chdir(dir);
  const p = (f: string) => join(dir, f);
  writeNpy(p('x4.npy'), [0.1, 0.2, 0.3, 0.4, 1, 2, 3, 4], [2, 4]);
  writeNpy(p('y.npy'), [0, 2], [2], '<i8');
  writeNpy(p('yfloat.npy'), [0.5, 9], [2], '<f8');
  writeNpy(p('x0.npy'), [], [0, 4]);
  writeNpy(p('x3.npy'), [1, 2, 3], [1, 3]);
  writeFileSync(p('bad.npy'), 'nope');
  writeFileSync(p('x.json'), '[[0.5, 0.5, 0.5, 0.5]]');
  writeFileSync(p('raw.json'), '{"inputs": [[1, 2, 3, 4]]}');
  writeFileSync(p('bad.json'), '{');
  writeFileSync(p('deep.json'), '['.repeat(5000) + ']'.repeat(5000));
  writeFileSync(p('cfg.yml'), 'Model:\n  Precision: fixed<12,4>\n  ReuseFactor: 1\n');
  writeFileSync(p('badcfg.yml'), 'Model: [1, 2\n');
  writeFileSync(p('case.jsonl'), readFileSync(join(__dirname, '..', 'golden', 'hls4ml', 'dense.jsonl'), 'utf8').split('\n')[0] + '\n');
  writeFileSync(p('empty.jsonl'), '');
  mkdirSync(p('emptydir'));
  mkdirSync(p('idx'));
  writeFileSync(p('idx/t10k-images-idx3-ubyte.gz'), gzipSync(encodeIdx([2, 2, 2], new Uint8Array(8))));
  writeFileSync(p('afile'), 'x');
  mkdirSync(p('outdir/scan.json'), { recursive: true });
  files = [TINY_MODEL, 'x4.npy', 'y.npy', 'yfloat.npy', 'x0.npy', 'x3.npy', 'bad.npy', 'x.json', 'raw.json', 'bad.json', 'deep.json', 'cfg.yml', 'badcfg.yml', 'case.jsonl', 'empty.jsonl', 'emptydir', 'idx', 'missing.json', 'afile'].map((f) => (f.startsWith('/') ? f : p(f)));
  outs = ['out1', 'out2', 'afile', 'afile/sub', 'outdir', 'outdir/scan.json', 'emptydir'].map(p);
});
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

const COMMANDS = ['predict', 'scan', 'profile', 'suggest', 'emit', 'conformance', 'csim', 'help', 'bogus', '--version'];
const FLAGS = ['--model', '--config', '--input', '--inputs', '--data', '--labels', '--limit', '--out', '--widths', '--integer-bits', '--fractional-bits', '--modes', '--kind', '--per-layer', '--batch-size', '--workers', '--io-type', '--samples', '--seed', '--name', '--target-drop', '--margin', '--max-fractional-bits', '--min-fractional-bits', '--report-dir', '--reference-model', '--trace', '--report', '--json', '--float', '--force', '--quiet', '--png', '--trce', '--limt', '--bogus', '-x', '--help'];
const VALUES = ['8', '16..14', '2', '0', '-1', '1.5', 'NaN', '', '1e3', 'auto', 'io_stream', 'io_bogus', 'homogeneous', 'weights,accum', 'dense1', 'all', 'RND,SAT', 'bogus', '100000000', '4294967296', 'x'];

describe('command lines', () => {
  it('exit 0, 1 or 2 with one line; never an internal error', async () => {
    const seen = new Map<number, number>();
    const arg = fc.oneof(
      fc.constantFrom(...FLAGS),
      fc.constantFrom(...VALUES),
      fc.nat().map((i) => files[i % files.length]!),
      fc.nat().map((i) => outs[i % outs.length]!),
      fc.string({ maxLength: 6 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...COMMANDS), fc.array(arg, { maxLength: 9 }), async (command, args) => {
        // Keep runs short: a PTQ command scans at most two widths on at most two samples.
        const ptq = ['scan', 'profile', 'suggest'].includes(command);
        const argv = [command, ...args, ...(ptq ? ['--quiet', '--widths', '8,6', '--limit', '2', '--max-fractional-bits', '4'] : [])];
        if (command === 'csim' && args.some((a) => a.startsWith(dir) && !a.includes('.'))) return; // never compile
        const r = await cli(argv);
        seen.set(r.code, (seen.get(r.code) ?? 0) + 1);
        expect([0, 1, 2], `${argv.join(' ')}\n${r.stderr}`).toContain(r.code);
        expect(hasStack(r.stdout + r.stderr), r.stderr).toBe(false);
        if (r.code === 2) {
          expect(lines(r.stderr), `${argv.join(' ')}\n${r.stderr}`).toHaveLength(1);
          expect(r.stderr).toMatch(/^hlsemu: /);
        }
      }),
      params(250, { scale: 40, seconds: 25 }),
    );
    if (LONG) console.log('exit codes seen:', Object.fromEntries(seen));
    expect(seen.get(2) ?? 0).toBeGreaterThan(0);
  }, TEST_TIMEOUT);

  it('near-valid command lines: one hostile change to a working command', async () => {
    const p = (f: string) => join(dir, f);
    const base: string[][] = [
      ['predict', '--model', TINY_MODEL, '--input', p('x4.npy')],
      ['predict', '--model', TINY_MODEL, '--input', p('x.json'), '--config', p('cfg.yml'), '--trace', '--report', '--json'],
      ['scan', '--model', TINY_MODEL, '--data', p('x4.npy'), '--labels', p('y.npy'), '--widths', '8,6', '--quiet', '--out', p('o-scan')],
      ['profile', '--model', TINY_MODEL, '--data', p('x4.npy'), '--quiet', '--out', p('o-prof')],
      ['suggest', '--model', TINY_MODEL, '--data', p('x4.npy'), '--labels', p('y.npy'), '--max-fractional-bits', '4', '--min-fractional-bits', '3', '--quiet', '--out', p('o-sug/cfg.json')],
      ['emit', '--model', TINY_MODEL, '--out', p('o-emit'), '--samples', '2', '--force'],
      ['emit', '--model', TINY_MODEL, '--out', p('o-emit2'), '--inputs', p('raw.json'), '--force'],
      ['conformance', p('case.jsonl')],
    ];
    const ok = new Set<number>();
    for (const [i, b] of base.entries()) {
      const r = await cli(b);
      expect(r.code, `${b.join(' ')}\n${r.stderr}`).toBe(0);
      ok.add(i);
    }
    expect(ok.size).toBe(base.length);
    const change = fc.oneof(
      fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...VALUES), fc.nat().map((i) => files[i % files.length]!), fc.nat().map((i) => outs[i % outs.length]!)) }),
      fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('add' as const), flag: fc.constantFrom(...FLAGS), value: fc.constantFrom(...VALUES) }),
    );
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat(), change, async (bi, c) => {
        const argv = [...base[bi % base.length]!];
        if (c.kind === 'replace') argv[1 + (c.at % (argv.length - 1))] = c.value;
        else if (c.kind === 'drop') argv.splice(1 + (c.at % (argv.length - 1)), 1);
        else argv.push(c.flag, c.value);
        if (argv[0] === 'scan' || argv[0] === 'profile' || argv[0] === 'suggest') argv.push('--limit', '2');
        const r = await cli(argv);
        codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        expect([0, 1, 2], `${argv.join(' ')}\n${r.stderr}`).toContain(r.code);
        expect(hasStack(r.stdout + r.stderr), r.stderr).toBe(false);
        if (r.code === 2) expect(lines(r.stderr), `${argv.join(' ')}\n${r.stderr}`).toHaveLength(1);
      }),
      params(150, { scale: 40, seconds: 25 }),
    );
    if (LONG) console.log('exit codes seen:', Object.fromEntries(codes));
    expect(codes.get(0) ?? 0).toBeGreaterThan(0);
    expect(codes.get(2) ?? 0).toBeGreaterThan(0);
  }, TEST_TIMEOUT);
});

describe('hostile inputs in child processes (heap cap 256 MB, timeout)', () => {
  const cases: { name: string; quick: boolean; setup: (d: string) => string[]; code: number; match: RegExp }[] = [
    {
      name: 'a 5 MB gzip bomb as the IDX images with --limit 2',
      quick: true,
      setup: (d) => {
        mkdirSync(join(d, 'bomb'));
        writeFileSync(join(d, 'bomb', 't10k-images-idx3-ubyte.gz'), gzipBomb(5, 6_000_000));
        return ['scan', '--model', FMNIST_MODEL, '--data', join(d, 'bomb'), '--limit', '2', '--widths', '8', '--quiet', '--out', join(d, 'o')];
      },
      code: 0,
      match: /fmnist_cnn: 2 images/,
    },
    {
      name: 'a conformance line claiming n_elem: 1e9',
      quick: true,
      setup: (d) => {
        const c = JSON.parse(readFileSync(join(__dirname, '..', 'golden', 'hls4ml', 'merge.jsonl'), 'utf8').split('\n')[0]!) as { config: Record<string, unknown> };
        c.config.n_elem = 1e9;
        writeFileSync(join(d, 'h.jsonl'), JSON.stringify(c));
        return ['conformance', join(d, 'h.jsonl')];
      },
      code: 1,
      match: /n_elem: 1000000000 is larger than any data array/,
    },
    {
      name: 'a .npy claiming 10^18 values',
      quick: false,
      setup: (d) => {
        const h = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000000000), }\n";
        const b = Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length, 0]), Buffer.from(h)]);
        writeFileSync(join(d, 'huge.npy'), b);
        return ['predict', '--model', TINY_MODEL, '--input', join(d, 'huge.npy')];
      },
      code: 2,
      match: /more than the limit/,
    },
    {
      name: 'a 200,000-deep JSON input',
      quick: false,
      setup: (d) => {
        writeFileSync(join(d, 'deep.json'), '['.repeat(200_000) + ']'.repeat(200_000));
        return ['predict', '--model', TINY_MODEL, '--input', join(d, 'deep.json')];
      },
      code: 2,
      match: /nested more than 256 levels/,
    },
  ];
  for (const c of cases) {
    it.skipIf(!c.quick && !LONG)(c.name, () => {
      const d = mkdtempSync(join(tmpdir(), 'hlsemu-fuzz-proc-'));
      try {
        const r = cliProcess(c.setup(d), { heapMb: 256, timeoutMs: 60_000 });
        expect(r.signal, 'killed (timeout or memory)').toBeNull();
        expect(r.code, r.stderr).toBe(c.code);
        expect(hasStack(r.stderr)).toBe(false);
        expect(r.stdout + r.stderr).toMatch(c.match);
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    }, 90_000);
  }
});
