// Every hls4ml kernel reference vector through the fast kernels: the fast path must exist for
// every case of the kinds it covers, reproduce the C-simulation outputs, and give exactly the
// reference kernels' raw outputs and KernelStats (validated and trusted entry points, with and
// without a report, WebAssembly SIMD and JavaScript MAC engines).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FastMacKernel, type MacMode } from '../../src/kernels/fast/mac.js';
import { wasmSimdAvailable } from '../../src/kernels/fast/wasm.js';
import { buildPair, expectSameRun, raws, type Case } from './helpers.js';

const dir = join(__dirname, '..', 'golden', 'hls4ml');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();

function cases(file: string): Case[] {
  return readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Case);
}

/** Kernel kinds without a fast kernel (the reference runs them). */
const REFERENCE_ONLY = new Set([
  'global_pooling1d', 'global_pooling2d', 'leaky_relu', 'add', 'subtract', 'multiply', 'average', 'maximum', 'minimum', 'concatenate',
  'elu', 'selu', 'softplus', 'softsign', 'hard_sigmoid', 'hard_tanh', 'prelu', 'thresholded_relu', 'relu6', 'relu1', 'binary_tanh', 'ternary_tanh',
  'unary_lut', 'dot1d', 'resize_nearest', 'cropping1d', 'cropping2d', 'transpose', 'embedding',
  'lstm', 'gru', 'layernorm', 'einsum_dense', 'depthwise_conv1d', 'depthwise_conv2d', 'separable_conv1d', 'separable_conv2d',
]);

describe('fast kernels on the hls4ml reference vectors', () => {
  it('WebAssembly SIMD is available', () => {
    expect(wasmSimdAvailable()).toBe(true);
  });

  const modes = new Map<MacMode, number>();
  for (const f of files) {
    for (const backend of ['wasm', 'js'] as const) {
      it(`${f} (${backend}): fast == reference == C simulation`, () => {
        let covered = 0;
        cases(f).forEach((c, ci) => {
          const kind = String(c.kernel);
          const pair = buildPair(c, backend);
          if (!pair) {
            expect(REFERENCE_ONLY.has(kind), `${kind} has no fast kernel`).toBe(true);
            return;
          }
          const fast = pair.fast.kernel;
          expect(fast, `${f}#${ci} ${kind} ${String(c.impl)}: ${pair.fast.reason}`).not.toBeNull();
          covered++;
          (c.inputs as unknown[]).forEach((x, k) => {
            const label = `${f}#${ci} ${kind} ${String(c.impl)} input ${k}`;
            const y = expectSameRun(pair.ref, fast!, raws(x), label);
            expect(Array.from(y as Float64Array), `${label} vs C simulation`).toEqual(raws((c.outputs as unknown[])[k]));
          });
          if (fast instanceof FastMacKernel) for (const [m, n] of Object.entries(fast.modeCounts)) modes.set(m as MacMode, (modes.get(m as MacMode) ?? 0) + n);
        });
        if (!['merge.jsonl', 'merge_ext.jsonl', 'image.jsonl', 'cropping.jsonl', 'transpose.jsonl', 'embed.jsonl', 'recurrent.jsonl', 'layernorm.jsonl', 'einsum_dense.jsonl', 'sepconv.jsonl'].includes(f)) expect(covered).toBeGreaterThan(0);
      });
    }
  }

  it('the MAC cases exercised the modular, proven and sequential modes', () => {
    for (const m of ['modular', 'proven', 'sequential'] as const) expect(modes.get(m) ?? 0, m).toBeGreaterThan(0);
  });
});
