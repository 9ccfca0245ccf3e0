/**
 * Kernel-level C simulation of hlsemu's own HLS kernels (src/emit/cpp) against the hls4ml reference
 * vectors of the Extension-3 families: every case of activations_ext, merge_ext, image, cropping,
 * zeropad1d, transpose and embed is instantiated with its config, types, tables and weights,
 * compiled with g++ (-O1, C++14) against AP_TYPES_INCLUDE, run on the case's raw inputs, and every
 * raw output compared with the case's outputs. Cases are batched into a few translation units per
 * file. Skipped when AP_TYPES_INCLUDE is unset.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HEADERS, translationUnit, type KCase } from './kernel-cases-cpp.js';
import { apTypes, goldenDir, pool } from './helpers.js';

const AP = apTypes();
if (!AP) {
  console.warn('test/emit/kernels-csim.test.ts: AP_TYPES_INCLUDE is not set (a directory with ap_fixed.h and hls_stream.h); the kernel C-simulation tests are skipped');
}

const FILES = ['activations_ext', 'merge_ext', 'image', 'cropping', 'zeropad1d', 'transpose', 'embed'];
const CHUNK = 24;
const tmp = mkdtempSync(join(tmpdir(), 'hlsemu-kcsim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function readCases(file: string): KCase[] {
  return readFileSync(join(goldenDir(`${file}.jsonl`), `${file}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as KCase);
}

interface UnitResult {
  lines: Map<string, string[]>;
  error?: string;
}

async function compileAndRun(name: string, src: string): Promise<UnitResult> {
  const cppFile = join(tmp, `${name}.cpp`);
  const exe = join(tmp, name);
  writeFileSync(cppFile, src);
  const { spawn } = await import('node:child_process');
  const cxx = process.env.CXX ?? 'g++';
  const build = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const p = spawn(cxx, ['-std=c++14', '-O1', '-Wno-unknown-pragmas', '-Wno-deprecated-declarations', `-I${AP!}`, `-I${tmp}`, '-o', exe, cppFile]);
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => resolve({ code, err }));
  });
  if (build.code !== 0) return { lines: new Map(), error: `g++ failed for ${name}:\n${build.err.slice(0, 4000)}` };
  const run = spawnSync(exe, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) return { lines: new Map(), error: `${name} exited with ${String(run.status)}: ${run.stderr.slice(0, 2000)}` };
  const lines = new Map<string, string[]>();
  for (const l of run.stdout.split('\n')) {
    if (!l.trim()) continue;
    const [c, s, ...vals] = l.trim().split(/\s+/);
    lines.set(`${c} ${s}`, vals);
  }
  return { lines };
}

describe.skipIf(!AP)('hlsemu HLS kernels vs the hls4ml reference vectors (g++ C simulation)', () => {
  for (const hdr of Object.keys(HEADERS)) writeFileSync(join(tmp, hdr), HEADERS[hdr]!);
  for (const file of FILES) {
    it(`${file}.jsonl: every case reproduces bit for bit`, async () => {
      const cases = readCases(file);
      const chunks: { first: number; cases: KCase[] }[] = [];
      for (let i = 0; i < cases.length; i += CHUNK) chunks.push({ first: i, cases: cases.slice(i, i + CHUNK) });
      const results = await pool(chunks, (ch, k) => compileAndRun(`${file}_${k}`, translationUnit(ch.cases, ch.first)), 2);
      const errors = results.filter((r) => r.error).map((r) => r.error!);
      expect(errors).toEqual([]);
      const lines = new Map<string, string[]>();
      for (const r of results) for (const [k, v] of r.lines) lines.set(k, v);
      const failures: string[] = [];
      let passed = 0;
      cases.forEach((c, i) => {
        const outs = c.outputs as (number | string)[][];
        const bad = outs.findIndex((want, s) => {
          const got = lines.get(`${i} ${s}`);
          return !got || got.length !== want.length || got.some((v, j) => v !== String(want[j]));
        });
        if (bad < 0) passed++;
        else {
          const got = lines.get(`${i} ${bad}`);
          failures.push(`${file}:${i + 1} (${String(c.kernel)} ${String(c.impl)}) input #${bad}: expected ${JSON.stringify(outs[bad]).slice(0, 120)}, got ${got ? got.join(' ').slice(0, 120) : 'nothing'}`);
        }
      });
      expect(failures, failures.join('\n')).toEqual([]);
      expect(passed).toBe(cases.length);
    }, 900_000);
  }
});

/** A case in the reference format whose outputs come from the TypeScript kernels. */
function synthetic(kernel: string, impl: string, config: Record<string, unknown>, types: Record<string, string>, inputs: unknown[], outputs: unknown[], extra: Record<string, unknown> = {}): KCase {
  const ty = Object.fromEntries(Object.entries(types).map(([k, v]) => [k, { cpp: v }]));
  return { kernel, impl, config, types: ty, inputs, outputs, ...extra };
}

describe.skipIf(!AP)('hlsemu HLS kernels vs the TypeScript kernels where the vectors do not reach', () => {
  it('dot1d weight_ternary / weight_binary, argmax and latency softmax over a middle axis', async () => {
    const { dot1d, softmax, softmaxTables } = await import('../../src/kernels/index.js');
    const { parseFixedType: T } = await import('../../src/fixed/index.js');
    let seed = 12345;
    const rnd = (lo: number, hi: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; // fixed-seed LCG: the same inputs every run
      return lo + (seed % (hi - lo + 1));
    };
    const cases: KCase[] = [];
    for (const [product, w2] of [['weight_ternary', 'ap_int<2>'], ['weight_binary', 'ap_uint<1>']] as const) {
      const types = { input1: 'ap_fixed<10,4>', input2: w2, accum: 'ap_fixed<9,4,AP_RND,AP_WRAP>', result: 'ap_fixed<8,3,AP_TRN,AP_SAT>' };
      const n = 12;
      const ins = Array.from({ length: 8 }, () => [Array.from({ length: n }, () => rnd(-512, 511)), Array.from({ length: n }, () => (w2 === 'ap_int<2>' ? rnd(-2, 1) : rnd(0, 1)))]);
      const cfg = { n_in: n, n_out: 1, product, io_type: 'io_parallel' };
      const tt = Object.fromEntries(Object.entries(types).map(([k, v]) => [k, T(v)]));
      const outs = ins.map(([a, b]) => Array.from(dot1d({ ...cfg, types: tt } as never, a!, b!) as ArrayLike<number>));
      cases.push(synthetic('dot1d', 'io_parallel', cfg, types, ins, outs));
    }
    for (const impl of ['argmax', 'latency'] as const) {
      const types = { input: 'ap_fixed<10,3>', result: 'ap_fixed<12,2>', exp_table: 'ap_fixed<18,8,AP_RND,AP_SAT>', inv_table: 'ap_fixed<18,8,AP_RND,AP_SAT>', accum: 'ap_fixed<18,8,AP_RND,AP_SAT>', inv_inp: 'ap_fixed<18,8,AP_RND,AP_SAT>' };
      const cfg = { n_in: 24, shape: [2, 4, 3], n_outer: 2, n_slice: 4, n_inner: 3, implementation: impl, exp_table_size: 1024, inv_table_size: 1024, io_type: 'io_parallel' };
      const tt = Object.fromEntries(Object.entries(types).map(([k, v]) => [k, T(v)]));
      const ins = Array.from({ length: 8 }, () => Array.from({ length: 24 }, () => rnd(-512, 511)));
      const outs = ins.map((x) => Array.from(softmax({ ...cfg, types: tt } as never, x) as ArrayLike<number>));
      const tabs = impl === 'latency' ? softmaxTables({ ...cfg, types: tt } as never) : undefined;
      cases.push(synthetic('softmax', `${impl}/multidim`, cfg, types, ins, outs, tabs ? { tables: { exp_table: Array.from(tabs.exp_table as ArrayLike<number>), inv_table: Array.from(tabs.inv_table as ArrayLike<number>) } } : {}));
    }
    const r = await compileAndRun('synthetic', translationUnit(cases, 0));
    expect(r.error).toBeUndefined();
    cases.forEach((c, i) => (c.outputs as number[][]).forEach((want, s) => expect(r.lines.get(`${i} ${s}`), `${String(c.kernel)} ${String(c.impl)} #${s}`).toEqual(want.map(String))));
  }, 600_000);
});
