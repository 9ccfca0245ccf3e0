// Fuzz: mutated copies of reference cases (kernel and ap_fixed JSON Lines, a whole model file, an
// import case). The runner never throws; every failure has a reason that is a typed error, not an
// internal one (RangeError, TypeError…); a mutation that changes a compared value never passes.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../src/conformance/index.js';
import { mutate, mutation, pickPath } from './mutate.js';
import { hostileJson, params, TEST_TIMEOUT } from './settings.js';

const GOLDEN = join(__dirname, '..', 'golden');
const dir = mkdtempSync(join(tmpdir(), 'hlsemu-fuzz-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, unknown>;

function casesOf(file: string, every = 1): Json[] {
  return readFileSync(join(GOLDEN, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .filter((_, i) => i % every === 0)
    .map((l) => JSON.parse(l) as Json);
}

const KERNEL_CASES = [
  ...casesOf('hls4ml/dense.jsonl'),
  ...casesOf('hls4ml/merge.jsonl'),
  ...casesOf('hls4ml/conv2d.jsonl', 3),
  ...casesOf('hls4ml/conv1d.jsonl', 4),
  ...casesOf('hls4ml/pooling2d.jsonl', 5),
  ...casesOf('hls4ml/activations.jsonl'),
  ...casesOf('hls4ml/batchnorm.jsonl'),
  ...casesOf('hls4ml/zeropad2d.jsonl'),
].filter((c) => JSON.stringify(c).length < 60_000);
const AP_CASES = [...casesOf('ap_fixed/binop.jsonl', 500), ...casesOf('ap_fixed/cast_double.jsonl', 500), ...casesOf('ap_fixed/cast_fixed.jsonl', 400), ...casesOf('ap_fixed/unary.jsonl', 400)];

let n = 0;
async function checkLines(cases: Json[]): Promise<{ passed: number; failed: number; failures: string[] }> {
  const p = join(dir, `f${n++}.jsonl`);
  writeFileSync(p, cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const [rep] = await runConformance([p]);
  rmSync(p);
  return rep!;
}

function expectTyped(failures: string[]): void {
  for (const f of failures) expect(f, f).not.toMatch(/internal error/);
}

describe('mutated reference cases', () => {
  it('kernel cases: never an internal error; a changed output never passes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), mutation, async (ci, picks, m) => {
        const c = KERNEL_CASES[ci % KERNEL_CASES.length]!;
        const path = pickPath(c, picks);
        const rep = await checkLines([mutate(c, path, m)]);
        expect(rep.passed + rep.failed).toBe(1);
        expectTyped(rep.failures);
        if (path[0] === 'outputs' && path.length === 3 && m.op === 'bump') expect(rep.failed).toBe(1);
      }),
      params(400, { scale: 25 }),
    );
  }, TEST_TIMEOUT);

  it('ap_fixed cases: never an internal error; a changed raw never passes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), mutation, async (ci, picks, m) => {
        const c = AP_CASES[ci % AP_CASES.length]!;
        const path = pickPath(c, picks);
        const rep = await checkLines([mutate(c, path, m)]);
        expectTyped(rep.failures);
        if (path.length === 1 && path[0] === 'raw' && m.op === 'bump') expect(rep.failed).toBe(1);
      }),
      params(800, { scale: 25 }),
    );
  }, TEST_TIMEOUT);

  it('whole lines of arbitrary JSON: a failure with a reason, never an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(hostileJson, fc.record({ kernel: fc.constantFrom('dense', 'add', 'softmax', 'conv2d', 'bogus'), impl: hostileJson, config: hostileJson, types: hostileJson, inputs: hostileJson, outputs: hostileJson })), { minLength: 1, maxLength: 4 }), async (lines) => {
        const rep = await checkLines(lines as Json[]);
        expectTyped(rep.failures);
        expect(rep.passed).toBe(0);
      }),
      params(300, { scale: 25 }),
    );
  }, TEST_TIMEOUT);

  it('a reference model file: never an internal error', async () => {
    const model = JSON.parse(readFileSync(join(GOLDEN, 'hls4ml', 'model_fmnist_parallel_a.json'), 'utf8')) as Json;
    // Keep the emulation cheap: 2 samples.
    const small = { ...model, inputs: (model.inputs as unknown[]).slice(0, 2), outputs: (model.outputs as unknown[]).slice(0, 2), trace: Object.fromEntries(Object.entries(model.trace as Json).map(([k, v]) => [k, (v as unknown[]).slice(0, 2)])) };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), mutation, async (picks, m) => {
        const d = join(dir, `m${n++}`);
        mkdirSync(d);
        const p = join(d, 'model_fuzz.json');
        writeFileSync(p, JSON.stringify(mutate(small, pickPath(small, picks), m)));
        const [rep] = await runConformance([p]);
        rmSync(d, { recursive: true, force: true });
        expectTyped(rep!.failures);
      }),
      params(40, { scale: 25, seconds: 20 }),
    );
  }, TEST_TIMEOUT);

  it('an import case: never an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('config.json', 'expected.json', 'inputs.json'), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), mutation, async (file, picks, m) => {
        const d = join(dir, `imp${n++}`, 'case');
        mkdirSync(join(d, '..'));
        cpSync(join(GOLDEN, 'import', 'print_rounding'), d, { recursive: true });
        const v = JSON.parse(readFileSync(join(d, file), 'utf8')) as Json;
        writeFileSync(join(d, file), JSON.stringify(mutate(v, pickPath(v, picks), m)));
        const [rep] = await runConformance([d]);
        rmSync(join(d, '..'), { recursive: true, force: true });
        expectTyped(rep!.failures);
      }),
      params(60, { scale: 25, seconds: 20 }),
    );
  }, TEST_TIMEOUT);
});
