// Every hls4ml kernel reference vector (C simulation of hls4ml's own nnet_utils) must reproduce
// bit for bit: outputs, lookup tables, Encoded instruction arrays and pooling tables.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHls4mlKernelCase } from '../../src/conformance/hls4ml-kernels.js';
import { FormatError } from '../../src/errors.js';

const dir = join(__dirname, '..', 'golden', 'hls4ml');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();

function runFile(file: string): { passed: number; failures: string[] } {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const failures: string[] = [];
  let passed = 0;
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const c = JSON.parse(line) as Record<string, unknown>;
    let msg: string | null;
    try {
      msg = checkHls4mlKernelCase(c);
    } catch (e) {
      msg = `threw ${(e as Error).message}`;
    }
    if (msg === null) passed++;
    else failures.push(`${file}:${i + 1} (${String(c.kernel)} ${String(c.impl)}): ${msg}`);
  });
  return { passed, failures };
}

describe('hls4ml kernel reference vectors', () => {
  it('are all present', () => {
    expect(files).toEqual([
      'activations.jsonl',
      'activations_ext.jsonl',
      'batchnorm.jsonl',
      'conv1d.jsonl',
      'conv2d.jsonl',
      'cropping.jsonl',
      'dense.jsonl',
      'einsum_dense.jsonl',
      'embed.jsonl',
      'image.jsonl',
      'layernorm.jsonl',
      'merge.jsonl',
      'merge_ext.jsonl',
      'pooling1d.jsonl',
      'pooling2d.jsonl',
      'recurrent.jsonl',
      'sepconv.jsonl',
      'transpose.jsonl',
      'zeropad1d.jsonl',
      'zeropad2d.jsonl',
    ]);
  });
  for (const f of files) {
    it(`${f}: every case matches`, () => {
      const { passed, failures } = runFile(f);
      expect(failures, failures.join('\n')).toEqual([]);
      expect(passed).toBeGreaterThan(0);
    });
  }
});

describe('checkHls4mlKernelCase', () => {
  it('reports the first differing index', () => {
    const line = readFileSync(join(dir, 'dense.jsonl'), 'utf8').split('\n')[0]!;
    const c = JSON.parse(line) as { outputs: number[][] };
    c.outputs[2]![5]! += 1;
    const msg = checkHls4mlKernelCase(c as unknown as Record<string, unknown>);
    expect(msg).toMatch(/input #2 output: 1 of 8 values differ, first at index 5/);
  });
  it('checks Encoded instruction arrays', () => {
    const line = readFileSync(join(dir, 'conv2d.jsonl'), 'utf8').split('\n')[1]!;
    const c = JSON.parse(line) as { config: { pixels: number[] } };
    c.config.pixels[3] = 5;
    expect(checkHls4mlKernelCase(c as unknown as Record<string, unknown>)).toMatch(/^pixels: expected/);
  });
  it('checks lookup tables', () => {
    const lines = readFileSync(join(dir, 'activations.jsonl'), 'utf8').split('\n');
    const c = JSON.parse(lines.find((l) => l.includes('"kernel":"sigmoid"'))!) as { tables: { table: number[] } };
    c.tables.table[100]! += 1;
    expect(checkHls4mlKernelCase(c as unknown as Record<string, unknown>)).toMatch(/^table table: 1 of \d+ values differ, first at index 100/);
  });
  it('throws FormatError for an unknown kernel kind, naming it', () => {
    expect(() => checkHls4mlKernelCase({ kernel: 'no_such_kernel', inputs: [], outputs: [] })).toThrow(FormatError);
    expect(() => checkHls4mlKernelCase({ kernel: 'no_such_kernel', inputs: [], outputs: [] })).toThrow(/unknown kernel kind 'no_such_kernel'/);
  });
  it('throws FormatError for malformed cases', () => {
    expect(() => checkHls4mlKernelCase({ impl: 'x' })).toThrow(FormatError);
    const line = readFileSync(join(dir, 'dense.jsonl'), 'utf8').split('\n')[0]!;
    const c = JSON.parse(line) as Record<string, unknown>;
    delete c.outputs;
    expect(() => checkHls4mlKernelCase(c)).toThrow(FormatError);
    const d = JSON.parse(line) as Record<string, unknown>;
    (d.types as Record<string, unknown>).accum = undefined;
    expect(() => checkHls4mlKernelCase(d)).toThrow(/types\.accum/);
    const e = JSON.parse(line) as { inputs: unknown[][] };
    e.inputs[0]![0] = 1.5;
    expect(() => checkHls4mlKernelCase(e as unknown as Record<string, unknown>)).toThrow(FormatError);
  });
});
