// The command line never prints a stack trace for a user mistake: one line naming the flag, file
// or field, exit code 2. Every reproducer from the issues is a case here.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { encodeIdx } from '../../src/data/idx.js';
import { cli, cliProcess, FMNIST_MODEL, hasStack, lines, ROOT, tempDir, TINY_MODEL, writeNpy } from './helpers.js';

let dir: string;
let x4: string; // 2 samples for the tiny model (4 inputs, 3 classes)
beforeAll(() => {
  dir = tempDir();
  x4 = writeNpy(join(dir, 'x4.npy'), [0.1, 0.2, 0.3, 0.4, -0.5, 0.25, 1, 2], [2, 4]);
});

/** A user mistake: exit 2, exactly one line on stderr that mentions `what`, no stack. */
async function expectUserError(argv: string[], what: RegExp | string, env: Record<string, string> = {}): Promise<string> {
  const r = await cli(argv, env);
  expect(r.code, `${argv.join(' ')} → ${r.stderr}`).toBe(2);
  const err = lines(r.stderr);
  expect(err, r.stderr).toHaveLength(1);
  expect(err[0]).toMatch(/^hlsemu: /);
  expect(err[0]).not.toMatch(/internal error/);
  expect(hasStack(r.stderr)).toBe(false);
  if (typeof what === 'string') expect(err[0]).toContain(what);
  else expect(err[0]).toMatch(what);
  return err[0]!;
}

describe('unknown flags', () => {
  it('--trce names the flag and suggests --trace (exit 2)', async () => {
    const line = await expectUserError(['predict', '--trce'], '--trce');
    expect(line).toContain('did you mean --trace?');
  });

  it('suggests for every command, and reports flags missing their value or given one they do not take', async () => {
    expect(await expectUserError(['scan', '--widht', '8'], '--widht')).toContain('did you mean --widths?');
    expect(await expectUserError(['emit', '--smaples', '4'], '--smaples')).toContain('did you mean --samples?');
    await expectUserError(['conformance', '--jsn', 'x'], /--jsn.*did you mean --json\?/);
    await expectUserError(['predict', '--model'], /--model.*needs a value/);
    await expectUserError(['predict', '--trace=yes'], /--trace.*takes no value/);
    await expectUserError(['emit', 'stray'], /stray.*unexpected argument/);
  });

  it('an unknown command gets a suggestion', async () => {
    await expectUserError(['prdict'], /prdict.*did you mean 'predict'/);
    await expectUserError(['--trace'], /--trace.*options go after the command/);
  });
});

describe('version and help', () => {
  it('hlsemu --version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const v of ['--version', '-V', 'version']) {
      const r = await cli([v]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(`hlsemu ${pkg.version}`);
    }
  });

  it('hlsemu help <command> and <command> --help print the command help', async () => {
    for (const name of Object.keys(commands)) {
      const a = await cli(['help', name]);
      const b = await cli([name, '--help']);
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      expect(a.stdout).toBe(commands[name]!.help);
      expect(b.stdout).toBe(a.stdout);
    }
    const top = await cli(['help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/commands:/);
    await expectUserError(['help', 'bogus'], /bogus: unknown command/);
    expect((await cli([])).code).toBe(2);
  });
});

describe('internal errors', () => {
  it('print one line (exit 70); the stack only with HLSEMU_DEBUG=1', async () => {
    commands.__boom = { summary: '', help: '', run: () => Promise.reject(new TypeError('cannot read x of undefined')) };
    try {
      const r = await cli(['__boom'], { HLSEMU_DEBUG: undefined });
      expect(r.code).toBe(70);
      expect(lines(r.stderr)).toEqual(['hlsemu: internal error: TypeError: cannot read x of undefined (set HLSEMU_DEBUG=1 for details)']);
      const d = await cli(['__boom'], { HLSEMU_DEBUG: '1' });
      expect(d.code).toBe(70);
      expect(hasStack(d.stderr)).toBe(true);
    } finally {
      delete commands.__boom;
    }
  });
});

describe('missing, unreadable and malformed files', () => {
  it('a missing model or input file is named (exit 2)', async () => {
    await expectUserError(['predict', '--model', join(dir, 'nope.json'), '--input', x4], /nope\.json.*no such file/);
    await expectUserError(['predict', '--model', TINY_MODEL, '--input', join(dir, 'nope.npy')], /nope\.npy.*no such file/);
    await expectUserError(['predict', '--model', TINY_MODEL, '--input', dir], /is a directory/);
    await expectUserError(['predict', '--model', TINY_MODEL, '--config', join(dir, 'none.yml'), '--input', x4], /none\.yml.*no such file/);
  });

  it('inputs in the wrong format are named (JSON, .npy, wrong shape, non-numbers)', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{bad');
    await expectUserError(['predict', '--model', TINY_MODEL, '--input', bad], /bad\.json: invalid JSON/);
    const garbage = join(dir, 'garbage.npy');
    writeFileSync(garbage, 'this is not numpy');
    await expectUserError(['predict', '--model', TINY_MODEL, '--input', garbage], /garbage\.npy: not a \.npy file/);
    const strs = join(dir, 'strs.json');
    writeFileSync(strs, '[["a", "b", "c", "d"]]');
    await expectUserError(['predict', '--model', TINY_MODEL, '--input', strs], /strs\.json\[0\]\[0\]: expected a finite number/);
    const ragged = join(dir, 'ragged.json');
    writeFileSync(ragged, '[[1, 2, 3, 4], [1, 2]]');
    await expectUserError(['predict', '--model', TINY_MODEL, '--input', ragged], /ragged\.json\[1\]: ragged/);
    const wrong = writeNpy(join(dir, 'wrong.npy'), [1, 2, 3, 4, 5, 6], [2, 3]);
    await expectUserError(['predict', '--model', TINY_MODEL, '--input', wrong], /wrong\.npy: inputs\.shape/);
    const obj = join(dir, 'obj.json');
    writeFileSync(obj, '{"data": [1, 2, 3, 4], "shape": 4}');
    await expectUserError(['predict', '--model', TINY_MODEL, '--input', obj], /obj\.json: shape/);
  });

  it('malformed configs and models (JSON, YAML, H5, ONNX, tfjs) are named', async () => {
    const yml = join(dir, 'cfg.yml');
    writeFileSync(yml, 'Model: [unclosed\n  - : :');
    await expectUserError(['predict', '--model', TINY_MODEL, '--config', yml, '--input', x4], /cfg\.yml/);
    const js = join(dir, 'cfg.json');
    writeFileSync(js, '{"Model": ');
    await expectUserError(['predict', '--model', TINY_MODEL, '--config', js, '--input', x4], /cfg\.json/);
    const h5 = join(dir, 'corrupt.h5');
    writeFileSync(h5, Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]));
    await expectUserError(['predict', '--model', h5, '--input', x4], /corrupt\.h5/);
    const onnx = join(dir, 'junk.onnx');
    writeFileSync(onnx, Buffer.from('definitely not protobuf \u0000\u0001\u0002'));
    await expectUserError(['predict', '--model', onnx, '--input', x4], /junk\.onnx/);
    const tfjs = join(dir, 'tfjs');
    mkdirSync(tfjs);
    writeFileSync(join(tfjs, 'model.json'), JSON.stringify({ modelTopology: { class_name: 'Sequential' }, weightsManifest: 'nope' }));
    await expectUserError(['predict', '--model', join(tfjs, 'model.json'), '--input', x4], /model\.json/);
  });

  it('HDF5 errors are exceptions, not C diagnostics printed on stderr', async () => {
    const h5 = join(dir, 'corrupt2.h5');
    writeFileSync(h5, Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(256, 3)]));
    const line = await expectUserError(['predict', '--model', h5, '--input', x4], /corrupt2\.h5: cannot open HDF5 file: HDF5: H5\w+\(\): /);
    expect(line).not.toMatch(/HDF5-DIAG|#00\d/);
    // HDF5's default handler prints ~50 lines on stderr (which no in-process spy can see); the
    // throwing handler makes a failed open throw with the diagnostics as the message instead.
    const h5wasm = (await import('h5wasm/node')).default;
    let message = '';
    try {
      new h5wasm.File(h5, 'r');
    } catch (e) {
      message = String((e as Error).message ?? e);
    }
    expect(message).toMatch(/HDF5-DIAG/);
  });

  it.skipIf(!process.env.HLSEMU_SLOW_TESTS)('a corrupt H5 prints exactly one line on the real stderr (child process; slow under tsx)', () => {
    const h5 = join(dir, 'corrupt3.h5');
    writeFileSync(h5, Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(256, 3)]));
    const r = cliProcess(['predict', '--model', h5, '--input', x4], { heapMb: 2048, timeoutMs: 120_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/HDF5-DIAG/);
    expect(lines(r.stderr)).toHaveLength(1);
  });

  it('a 20,000-deep JSON input is rejected with a typed error', async () => {
    const deep = join(dir, 'deep.json');
    writeFileSync(deep, '['.repeat(20000) + '1' + ']'.repeat(20000));
    await expectUserError(['predict', '--model', TINY_MODEL, '--input', deep], /deep\.json: nested more than 256 levels deep/);
  });

  it('a malformed IDX directory is named', async () => {
    const idx = join(dir, 'idx');
    mkdirSync(idx);
    writeFileSync(join(idx, 't10k-images-idx3-ubyte.gz'), gzipSync(Buffer.from('not idx at all')));
    await expectUserError(['scan', '--model', FMNIST_MODEL, '--data', idx, '--quiet', '--out', join(dir, 'o-idx')], /t10k-images-idx3-ubyte\.gz: bad IDX magic/);
    writeFileSync(join(idx, 't10k-images-idx3-ubyte.gz'), encodeIdx([1000, 28, 28], new Uint8Array(1000 * 784)).subarray(0, 5000));
    await expectUserError(['scan', '--model', FMNIST_MODEL, '--data', idx, '--quiet', '--out', join(dir, 'o-idx')], /t10k-images-idx3-ubyte\.gz: truncated IDX data/);
  });
});

describe('numbers', () => {
  it('negative, fractional, NaN and empty values where an integer is needed name the flag', async () => {
    const base = ['scan', '--example', 'fashion-mnist', '--quiet', '--out', join(dir, 'o-num')];
    await expectUserError([...base, '--limit', '-5'], /--limit: must be an integer >= 1, got -5/);
    await expectUserError([...base, '--limit', '1.5'], /--limit: must be an integer >= 1, got '1\.5'/);
    await expectUserError([...base, '--limit', 'NaN'], /--limit: .*got 'NaN'/);
    await expectUserError([...base, '--limit', ''], /--limit: .*got ''/);
    await expectUserError([...base, '--limit', '1e3'], /--limit: .*got '1e3'/);
    await expectUserError([...base, '--batch-size', '0'], /--batch-size/);
    await expectUserError([...base, '--workers', '-1'], /--workers/);
    await expectUserError([...base, '--integer-bits', '2.5'], /--integer-bits/);
    await expectUserError(['suggest', '--example', 'fashion-mnist', '--target-drop', 'NaN'], /--target-drop/);
    await expectUserError(['suggest', '--example', 'fashion-mnist', '--margin', '-1'], /--margin/);
    await expectUserError(['suggest', '--example', 'fashion-mnist', '--max-fractional-bits', '3', '--min-fractional-bits', '5'], /--min-fractional-bits/);
  });

  it('emit --samples has a documented limit (HLSEMU_MAX_SAMPLES), --seed a range', async () => {
    const out = join(dir, 'prj-n');
    const line = await expectUserError(['emit', '--model', TINY_MODEL, '--out', out, '--samples', '100000000'], /--samples: must be an integer in \[1, 100000\]/);
    expect(line).toContain('HLSEMU_MAX_SAMPLES');
    await expectUserError(['emit', '--model', TINY_MODEL, '--out', out, '--samples', '0'], /--samples/);
    await expectUserError(['emit', '--model', TINY_MODEL, '--out', out, '--seed', '-1'], /--seed/);
    await expectUserError(['emit', '--model', TINY_MODEL, '--out', out, '--samples', '200'], /--samples: must be an integer in \[1, 100\]/, { HLSEMU_MAX_SAMPLES: '100' });
    await expectUserError(['emit', '--model', TINY_MODEL, '--out', out, '--samples', '4'], /HLSEMU_MAX_SAMPLES: must be a positive integer/, { HLSEMU_MAX_SAMPLES: 'lots' });
    const ok = await cli(['emit', '--model', TINY_MODEL, '--out', out, '--samples', '3', '--seed', '4294967295']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(out, 'tb', 'inputs.txt'), 'utf8').trim().split('\n')).toHaveLength(3);
  });
});

describe('labels and batches', () => {
  it('labels must be integers in the class range (2.5, -1, 99 are errors)', async () => {
    const x = writeNpy(join(dir, 'x3.npy'), new Float32Array(3 * 4).fill(0.5), [3, 4]);
    for (const [name, labels, msg] of [
      ['frac', [0, 2.5, 1], /label 1 is 2\.5/],
      ['neg', [0, -1, 1], /label 1 is -1/],
      ['big', [0, 1, 99], /label 2 is 99.*0\.\.2/],
      ['count', [0, 1], /2 labels for 3 samples/],
      ['onehot', [1, 0, 0, 0, 1, 0, 0, 0, 1], /one-hot/],
    ] as const) {
      const y = writeNpy(join(dir, `y-${name}.npy`), labels, name === 'onehot' ? [3, 3] : [labels.length], '<f8');
      await expectUserError(['scan', '--model', TINY_MODEL, '--data', x, '--labels', y, '--widths', '8', '--quiet', '--out', join(dir, 'o-lab')], msg);
    }
    const good = writeNpy(join(dir, 'y-good.npy'), [0, 2, 1], [3], '<i8');
    const r = await cli(['scan', '--model', TINY_MODEL, '--data', x, '--labels', good, '--widths', '8', '--quiet', '--out', join(dir, 'o-lab')]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('an empty batch is an error, not a silent success', async () => {
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '[]');
    await expectUserError(['predict', '--model', TINY_MODEL, '--input', empty], /empty\.json: no samples/);
    const e0 = writeNpy(join(dir, 'e0.npy'), [], [0, 4]);
    await expectUserError(['predict', '--model', TINY_MODEL, '--input', e0], /e0\.npy: no samples/);
    await expectUserError(['scan', '--model', TINY_MODEL, '--data', e0, '--quiet', '--out', join(dir, 'o-e0')], /e0\.npy: no samples/);
    const rows = join(dir, 'rows.json');
    writeFileSync(rows, '{"inputs": []}');
    await expectUserError(['emit', '--model', TINY_MODEL, '--out', join(dir, 'prj-e'), '--inputs', rows], /rows\.json: inputs: no samples/);
  });

  it('emit --reference-model: a complete file emits, a truncated one is named', async () => {
    const ref = join(ROOT, 'test', 'golden', 'hls4ml', 'model_fmnist_parallel_a.json');
    const ok = await cli(['emit', '--reference-model', ref, '--out', join(dir, 'prj-ref')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/16 testbench samples/);
    const m = JSON.parse(readFileSync(ref, 'utf8')) as { outputs: unknown[] };
    m.outputs.pop();
    const bad = join(dir, 'model_bad.json');
    writeFileSync(bad, JSON.stringify(m));
    await expectUserError(['emit', '--reference-model', bad, '--out', join(dir, 'prj-ref2')], /model_bad\.json\.outputs: 15 rows for 16 input samples/);
    await expectUserError(['emit', '--reference-model', ref, '--out', join(dir, 'prj-ref3'), '--samples', '3'], /--samples: random inputs are not used with --reference-model/);
  });

  it('samples files: rows are checked and named, size mismatches name the file', async () => {
    const rows = join(dir, 'rows2.json');
    writeFileSync(rows, '{"inputs": [[1, 2, 3]]}');
    await expectUserError(['emit', '--model', TINY_MODEL, '--out', join(dir, 'prj-r'), '--inputs', rows], /rows2\.json: inputs\[0\]: expected 4 values, got 3/);
    writeFileSync(rows, '{"inputs": [[1, 2, 3, 0.5]]}');
    await expectUserError(['emit', '--model', TINY_MODEL, '--out', join(dir, 'prj-r'), '--inputs', rows], /rows2\.json: inputs\[0\]\[3\]: expected an integer raw mantissa/);
  });
});

describe('outputs are atomic', () => {
  it('scan --out out where out/scan.json is a directory: one line, nothing written', async () => {
    const out = join(dir, 'scan-out');
    mkdirSync(join(out, 'scan.json'), { recursive: true });
    const line = await expectUserError(['scan', '--example', 'fashion-mnist', '--limit', '5', '--widths', '8', '--quiet', '--out', out], /scan\.json: is a directory/);
    expect(line).toContain('EISDIR');
    expect(readdir(out)).toEqual(['scan.json']);
  });

  it('scan --out a file: ENOTDIR before any work', async () => {
    const f = join(dir, 'a-file');
    writeFileSync(f, 'x');
    await expectUserError(['scan', '--example', 'fashion-mnist', '--limit', '5', '--quiet', '--out', join(f, 'sub')], /a-file: exists and is not a directory \(ENOTDIR\)/);
  });

  it('emit --force into a project whose tb is a file: one line naming tb, nothing written', async () => {
    const prj = join(dir, 'prj-tb');
    mkdirSync(prj);
    writeFileSync(join(prj, 'tb'), 'a file');
    const line = await expectUserError(['emit', '--model', TINY_MODEL, '--out', prj, '--force', '--samples', '2'], /prj-tb\/tb: exists and is not a directory/);
    expect(line).toContain('ENOTDIR');
    expect(readdir(prj)).toEqual(['tb']);
  });

  it('emit --force replaces a previous emission atomically and keeps unrelated files', async () => {
    const prj = join(dir, 'prj-again');
    expect((await cli(['emit', '--model', TINY_MODEL, '--out', prj, '--samples', '2'])).code).toBe(0);
    writeFileSync(join(prj, 'notes.txt'), 'mine');
    writeFileSync(join(prj, 'tb', 'stale.txt'), 'old');
    await expectUserError(['emit', '--model', TINY_MODEL, '--out', prj, '--samples', '2'], /not empty/);
    const r = await cli(['emit', '--model', TINY_MODEL, '--out', prj, '--samples', '3', '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(prj, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdir(join(prj, 'tb'))).not.toContain('stale.txt');
    expect(readFileSync(join(prj, 'tb', 'inputs.txt'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readdir(dir).filter((f) => f.includes('hlsemu-tmp'))).toEqual([]);
    expect(readdir(prj).filter((f) => f.includes('hlsemu-tmp'))).toEqual([]);
  });

  it('suggest with --report-dir a file: fails before computing, cfg.json not written', async () => {
    const d = join(dir, 'sug');
    mkdirSync(d);
    writeFileSync(join(d, 'rep'), 'a file');
    await expectUserError(['suggest', '--example', 'fashion-mnist', '--limit', '5', '--quiet', '--out', join(d, 'cfg.json'), '--report-dir', join(d, 'rep')], /rep: exists and is not a directory/);
    expect(readdir(d)).toEqual(['rep']);
    mkdirSync(join(d, 'cfg2.json'));
    await expectUserError(['suggest', '--example', 'fashion-mnist', '--limit', '5', '--quiet', '--out', join(d, 'cfg2.json')], /cfg2\.json: is a directory/);
  });

  it('profile --out with a directory in place of an output file', async () => {
    const d = join(dir, 'prof');
    mkdirSync(join(d, 'profile-weights.svg'), { recursive: true });
    await expectUserError(['profile', '--example', 'fashion-mnist', '--limit', '5', '--quiet', '--out', d], /profile-weights\.svg: is a directory/);
    expect(readdir(d)).toEqual(['profile-weights.svg']);
  });
});

function readdir(p: string): string[] {
  return readdirSync(p).sort();
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('precision warnings', () => {
  it('predict prints the conversion warnings on stderr (one line each) and puts them in --json', async () => {
    const cfg = join(dir, 'narrow.json');
    writeFileSync(cfg, JSON.stringify({ Model: { Precision: 'fixed<8,8>', ReuseFactor: 1 } }));
    const r = await cli(['predict', '--model', TINY_MODEL, '--config', cfg, '--input', x4]);
    expect(r.code).toBe(0);
    expect(lines(r.stderr).some((l) => /^warning: \w+\.weight: \d+ of \d+ non-zero weights .* quantize to 0 in ap_fixed<8,8>/.test(l))).toBe(true);
    const j = await cli(['predict', '--model', TINY_MODEL, '--config', cfg, '--input', x4, '--json']);
    expect((JSON.parse(j.stdout) as { warnings?: string[] }).warnings!.some((w) => w.includes('quantize to 0'))).toBe(true);
    const wideCfg = join(dir, 'wide.json');
    writeFileSync(wideCfg, JSON.stringify({ Model: { Precision: 'fixed<32,8>', ReuseFactor: 1 } }));
    const wide = await cli(['predict', '--model', TINY_MODEL, '--config', wideCfg, '--input', x4]);
    expect(wide.code).toBe(0);
    expect(wide.stderr).not.toMatch(/quantize to 0/);
  });
});
