// Fuzz: mutated copies of reference cases (kernel and ap_fixed JSON Lines, a whole model file, an
// import case). The runner never throws; every failure has a reason that is a typed error, not an
// internal one (RangeError, TypeError…); a mutation that changes a compared value never passes.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../src/conformance/index.js';
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

/** A path into a JSON value (object keys and array indices), chosen by `picks`. */
function pickPath(v: unknown, picks: number[]): (string | number)[] {
  const path: (string | number)[] = [];
  let cur = v;
  for (const p of picks) {
    if (Array.isArray(cur) && cur.length) {
      const i = p % cur.length;
      path.push(i);
      cur = cur[i];
    } else if (cur && typeof cur === 'object' && Object.keys(cur).length) {
      const keys = Object.keys(cur);
      const k = keys[p % keys.length]!;
      path.push(k);
      cur = (cur as Json)[k];
    } else break;
  }
  return path;
}

type Mutation = { op: 'set'; value: unknown } | { op: 'delete' } | { op: 'truncate'; keep: number } | { op: 'scale'; by: number } | { op: 'bump' } | { op: 'empty' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  hostileJson.map((value) => ({ op: 'set' as const, value })),
  fc.constant({ op: 'delete' as const }),
  fc.nat({ max: 10 }).map((keep) => ({ op: 'truncate' as const, keep })),
  fc.constantFrom(0, -1, 2, 1e9, 0.5, 1.5).map((by) => ({ op: 'scale' as const, by })),
  fc.constant({ op: 'bump' as const }),
  fc.constant({ op: 'empty' as const }),
);

/** Apply `m` at `path` of a deep copy of `v`; returns the copy and whether a compared value changed for sure. */
function mutate(v: Json, path: (string | number)[], m: Mutation): Json {
  const copy = structuredClone(v);
  if (path.length === 0) return copy;
  let parent: unknown = copy;
  for (const p of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[p];
  const last = path[path.length - 1]!;
  const obj = parent as Record<string | number, unknown>;
  const cur = obj[last];
  switch (m.op) {
    case 'set':
      obj[last] = m.value;
      break;
    case 'delete':
      if (Array.isArray(obj)) obj.splice(last as number, 1);
      else delete obj[last];
      break;
    case 'truncate':
      if (Array.isArray(cur)) obj[last] = cur.slice(0, Math.min(m.keep, cur.length - 1));
      else if (typeof cur === 'string') obj[last] = cur.slice(0, m.keep);
      break;
    case 'scale':
      if (typeof cur === 'number') obj[last] = cur * m.by;
      break;
    case 'bump':
      if (typeof cur === 'number') obj[last] = cur + 1;
      else if (typeof cur === 'string' && /^-?\d+$/.test(cur)) obj[last] = String(BigInt(cur) + 1n);
      break;
    case 'empty':
      obj[last] = Array.isArray(cur) ? [] : cur && typeof cur === 'object' ? {} : '';
      break;
  }
  return copy;
}

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
