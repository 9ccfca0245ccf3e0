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
