// Strict conformance: a case passes only if every required field is present and consistent.
// Copies of the reference vectors are mutated in a temporary directory (test/golden is never
// touched); every mutation must fail with a reason, and the CLI must exit 1.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceExitCode, runConformance, type FileReport } from '../../src/conformance/index.js';
import { cli } from './helpers.js';

const GOLDEN = join(__dirname, '..', 'golden');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hlsemu-conf-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, unknown>;
let k = 0;

/** Write a mutated copy of one JSON Lines case and check it. */
async function checkCaseCopy(file: string, line: number, mutate: (c: Json) => void): Promise<FileReport> {
  const src = readFileSync(join(GOLDEN, file), 'utf8').split('\n').filter((l) => l.trim())[line]!;
  const c = JSON.parse(src) as Json;
  mutate(c);
  const p = join(dir, `case${k++}.jsonl`);
  writeFileSync(p, `${JSON.stringify(c)}\n`);
  const [rep] = await runConformance([p]);
  return rep!;
}

function expectFailure(rep: FileReport, reason: RegExp): void {
  expect(rep.failed, JSON.stringify(rep)).toBeGreaterThan(0);
  expect(rep.passed).toBe(0);
  expect(rep.failures.length).toBeGreaterThan(0);
  expect(rep.failures.join(' | ')).toMatch(reason);
  expect(rep.failures.join(' | ')).not.toMatch(/internal error/);
  expect(conformanceExitCode([rep])).toBe(1);
}

describe('kernel cases', () => {
  it('the unmutated copies pass', async () => {
    for (const [f, l] of [['hls4ml/dense.jsonl', 0], ['hls4ml/merge.jsonl', 0], ['hls4ml/conv2d.jsonl', 1]] as const) {
      const rep = await checkCaseCopy(f, l, () => {});
      expect(rep.failures).toEqual([]);
      expect(rep.passed).toBe(1);
    }
  });

  it('reuse_factor 1.5 and n_zeros 1e9 fail', async () => {
    expectFailure(await checkCaseCopy('hls4ml/dense.jsonl', 0, (c) => ((c.config as Json).reuse_factor = 1.5)), /config\.reuse_factor: expected an integer, got 1\.5/);
    expectFailure(await checkCaseCopy('hls4ml/dense.jsonl', 0, (c) => ((c.config as Json).n_zeros = 1e9)), /config\.n_zeros: 1000000000 is larger than any data array/);
  });

  it('softmax exp_scale is a float (hls4ml prints it as `static constexpr float`): non-integer values are accepted and used', async () => {
    // Two cases produced by hls4ml's nnet_activation.h (latency exp_scale 0.25, stable exp_scale 0.5), outputs and tables.
    const fixture = join(__dirname, '..', 'fixtures', 'conformance', 'softmax_exp_scale.jsonl');
    const [rep] = await runConformance([fixture]);
    expect(rep!.failures).toEqual([]);
    expect(rep!.passed).toBe(2);
    const lines = readFileSync(fixture, 'utf8').split('\n').filter((l) => l.trim());
    const c = JSON.parse(lines[0]!) as Json;
    (c.config as Json).exp_scale = 1;
    const p = join(dir, `case${k++}.jsonl`);
    writeFileSync(p, `${JSON.stringify(c)}\n`);
    const [rep1] = await runConformance([p]);
    expect(rep1!.failures.join(' | ')).toMatch(/table exp_table: \d+ of 128 values differ/);
  });

  it('a hostile n_elem: 1e9 is rejected before allocating', async () => {
    const t0 = Date.now();
    expectFailure(await checkCaseCopy('hls4ml/merge.jsonl', 0, (c) => ((c.config as Json).n_elem = 1e9)), /config\.n_elem: 1000000000 is larger than any data array of the case \(longest: 16 values\)/);
    expectFailure(await checkCaseCopy('hls4ml/merge.jsonl', 3, (c) => ((c.config as Json).shape1 = [1e5, 1e5])), /config\.shape1: shape \[100000,100000\] holds 10000000000 values/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('unknown impl and io_type values fail', async () => {
    expectFailure(await checkCaseCopy('hls4ml/dense.jsonl', 0, (c) => (c.impl = 'io_bogus')), /impl: unknown impl 'io_bogus'/);
    expectFailure(await checkCaseCopy('hls4ml/conv2d.jsonl', 1, (c) => (c.impl = 'io_stream/bogus')), /unknown impl/);
    expectFailure(await checkCaseCopy('hls4ml/merge.jsonl', 0, (c) => ((c.config as Json).io_type = 'io_bogus')), /config\.io_type: must be 'io_parallel' or 'io_stream', got "io_bogus"/);
    expectFailure(await checkCaseCopy('hls4ml/merge.jsonl', 0, (c) => (c.impl = 'io_stream')), /config\.io_type: 'io_parallel' disagrees with impl 'io_stream'/);
    expectFailure(await checkCaseCopy('hls4ml/dense.jsonl', 0, (c) => delete c.impl), /impl: missing/);
  });

  it('dropped rows, empty arrays and wrong sizes fail', async () => {
    expectFailure(await checkCaseCopy('hls4ml/dense.jsonl', 0, (c) => ((c.inputs = []), (c.outputs = []))), /inputs: no input samples/);
    expectFailure(await checkCaseCopy('hls4ml/dense.jsonl', 0, (c) => (c.outputs as unknown[]).pop()), /outputs: 8 inputs but 7 outputs/);
    expectFailure(await checkCaseCopy('hls4ml/dense.jsonl', 0, (c) => ((c.outputs as unknown[][])[0] = [])), /expected 0 values, got 8/);
    expectFailure(await checkCaseCopy('hls4ml/dense.jsonl', 0, (c) => (c.outputs as unknown[][])[2]!.pop()), /input #2 output: expected 7 values, got 8/);
    expectFailure(await checkCaseCopy('hls4ml/dense.jsonl', 0, (c) => ((c.inputs as unknown[][])[0] = [])), /inputs\[0\]: expected a non-empty array/);
    expectFailure(await checkCaseCopy('hls4ml/dense.jsonl', 0, (c) => (c.weights = [])), /weights|expected \d+ values/);
    expectFailure(await checkCaseCopy('hls4ml/dense.jsonl', 0, (c) => (c.types = {})), /types: no types given/);
    expectFailure(await checkCaseCopy('hls4ml/dense.jsonl', 0, (c) => ((c.config as Json).n_in = -1)), /config\.n_in: expected a non-negative integer/);
    expectFailure(await checkCaseCopy('hls4ml/activations.jsonl', 6, (c) => ((c.config as Json).table_size = 1e9)), /table size must be in \[1, 1048576\]/);
  });

  it('ap_fixed cases need their fields', async () => {
    expectFailure(await checkCaseCopy('ap_fixed/binop.jsonl', 0, (c) => ((c.op = 'cmp'), delete c.raw)), /cmp case needs at least one of lt, eq, ge/);
    expectFailure(await checkCaseCopy('ap_fixed/cast_double.jsonl', 0, (c) => (c.xbits = 'zz')), /xbits: expected an integer string/);
    expectFailure(await checkCaseCopy('ap_fixed/cast_fixed.jsonl', 0, (c) => delete c.raw), /raw: missing/);
    expectFailure(await checkCaseCopy('ap_fixed/unary.jsonl', 0, (c) => ((c.op = '<<'), (c.k = 1e9))), /shift amount must be an integer in/);
    expectFailure(await checkCaseCopy('ap_fixed/unary.jsonl', 0, (c) => (c.op = 'bogus')), /unknown case kind op="bogus"/);
  });

  it('a 20,000-deep case is a failure with a reason, not a stack overflow', async () => {
    const p = join(dir, 'deep.jsonl');
    writeFileSync(p, `{"kernel":"dense","config":${'['.repeat(20000)}${']'.repeat(20000)}}\n`);
    const [rep] = await runConformance([p]);
    expectFailure(rep!, /line 1: nested more than 256 levels deep/);
  });
});

describe('reference models', () => {
  const MODEL = 'model_fmnist_parallel_a.json';
  async function checkModelCopy(mutate: (m: Json) => void): Promise<FileReport> {
    const m = JSON.parse(readFileSync(join(GOLDEN, 'hls4ml', MODEL), 'utf8')) as Json;
    mutate(m);
    const d = join(dir, `m${k++}`);
    mkdirSync(d);
    const p = join(d, MODEL);
    writeFileSync(p, JSON.stringify(m));
    const [rep] = await runConformance([p]);
    return rep!;
  }

  it('outputs: [] and trace: {} fail', async () => {
    expectFailure(await checkModelCopy((m) => (m.outputs = [])), /outputs: no samples/);
    expectFailure(await checkModelCopy((m) => (m.trace = {})), /trace: no traced layers/);
  });

  it('io_type "io_bogus" (or none) fails', async () => {
    expectFailure(await checkModelCopy((m) => (m.io_type = 'io_bogus')), /io_type: must be 'io_parallel' or 'io_stream', got "io_bogus"/);
    expectFailure(await checkModelCopy((m) => delete m.io_type), /io_type: must be/);
  });

  it('fewer output rows than inputs, dropped inputs, emptied rows and wrong sizes fail', async () => {
    expectFailure(await checkModelCopy((m) => (m.outputs as unknown[]).pop()), /outputs: 15 rows for 16 input samples/);
    expectFailure(await checkModelCopy((m) => (m.inputs as unknown[]).pop()), /outputs: 16 rows for 15 input samples/);
    expectFailure(await checkModelCopy((m) => ((m.outputs as unknown[][])[3] = [])), /outputs\[3\]: expected 10 values, got 0/);
    expectFailure(await checkModelCopy((m) => ((m.inputs = []), (m.outputs = []))), /inputs: no samples/);
    expectFailure(await checkModelCopy((m) => (m.inputs as unknown[][])[0]!.pop()), /inputs\[0\]: expected 784 values, got 783/);
    const first = (m: Json) => Object.keys(m.trace as Json)[0]!;
    expectFailure(await checkModelCopy((m) => ((m.trace as Json)[first(m)] as unknown[]).pop()), /15 rows for 16 input samples/);
    expectFailure(await checkModelCopy((m) => ((m.trace as Json).nolayer = (m.trace as Json)[first(m)])), /trace\.nolayer: no layer named 'nolayer'/);
    expectFailure(await checkModelCopy((m) => (((m.layers as Json[])[0]!.shape_in as number[])[0] = -1)), /shape_in: expected a shape/);
    expectFailure(await checkModelCopy((m) => ((m.layers as Json[])[0]!.shape_out = [1e6, 1e6, 1e6])), /more than the limit/);
    expectFailure(await checkModelCopy((m) => ((m.layers as Json[])[1]!.name = (m.layers as Json[])[0]!.name)), /duplicate layer name/);
    const changed = await checkModelCopy((m) => ((m.outputs as number[][])[0]![0]! += 1));
    expect(changed.failed).toBe(1);
    expect(changed.failures.join()).toMatch(/outputs\[0\]\[0\]: expected raw/);
    expect(conformanceExitCode([changed])).toBe(1);
  });
});

describe('import cases', () => {
  async function checkImportCopy(mutate: (files: { config: Json; expected: Json; inputs: unknown[] }) => void): Promise<FileReport> {
    const d = join(dir, `imp${k++}`, 'print_rounding');
    mkdirSync(join(d, '..'));
    cpSync(join(GOLDEN, 'import', 'print_rounding'), d, { recursive: true });
    const read = (f: string) => JSON.parse(readFileSync(join(d, f), 'utf8')) as never;
    const files = { config: read('config.json') as Json, expected: read('expected.json') as Json, inputs: read('inputs.json') as unknown[] };
    mutate(files);
    writeFileSync(join(d, 'config.json'), JSON.stringify(files.config));
    writeFileSync(join(d, 'expected.json'), JSON.stringify(files.expected));
    writeFileSync(join(d, 'inputs.json'), JSON.stringify(files.inputs));
    const [rep] = await runConformance([d]);
    return rep!;
  }

  it('the unmutated copy passes', async () => {
    const rep = await checkImportCopy(() => {});
    expect(rep.failures).toEqual([]);
    expect(rep.passed).toBeGreaterThan(0);
  });

  it('outputs_raw: [] and other mutations fail', async () => {
    expectFailure(await checkImportCopy((f) => (f.expected.outputs_raw = [])), /outputs_raw: no samples/);
    expectFailure(await checkImportCopy((f) => (f.expected.outputs_raw as unknown[]).pop()), /outputs_raw: 31 rows for 32 input samples/);
    expectFailure(await checkImportCopy((f) => (f.inputs = [])), /inputs\.json: expected a non-empty list/);
    expectFailure(await checkImportCopy((f) => (f.expected.io_type = 'io_bogus')), /io_type: must be 'io_parallel' or 'io_stream'/);
    expectFailure(await checkImportCopy((f) => ((f.expected.outputs_raw as unknown[][])[0] = [])), /outputs_raw|expected \d+ values/);
    expectFailure(await checkImportCopy((f) => delete f.expected.outputs_raw), /outputs_raw: expected a list of samples/);
  });
});

describe('empty inputs and exit codes', () => {
  it('an empty .jsonl and an empty directory both fail with a reason and exit code 1', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n\n');
    const emptyDir = join(dir, 'empty-dir');
    mkdirSync(emptyDir);
    const [a] = await runConformance([empty]);
    const [b] = await runConformance([emptyDir]);
    expectFailure(a!, /no cases in this file/);
    expectFailure(b!, /no reference files here/);
    const ra = await cli(['conformance', empty]);
    const rb = await cli(['conformance', emptyDir]);
    expect(ra.code).toBe(1);
    expect(rb.code).toBe(1);
    expect(ra.stdout).toMatch(/FAIL .*empty\.jsonl: 0 passed, 1 failed\n\s+no cases in this file/);
    expect(rb.stdout).toMatch(/no reference files here/);
    const missing = await cli(['conformance', join(dir, 'missing.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/no such file/);
    expect((await cli(['conformance'])).code).toBe(2);
    expect((await cli(['conformance', '--bogus', empty])).code).toBe(2);
  });

  it('a passing copy exits 0', async () => {
    const d = join(dir, 'ok');
    mkdirSync(d);
    cpSync(join(GOLDEN, 'hls4ml', 'dense.jsonl'), join(d, 'dense.jsonl'));
    const r = await cli(['conformance', d]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/9 passed, 0 failed$/);
  });
});
