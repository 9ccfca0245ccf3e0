/**
 * Quantization-aware-trained models in the PTQ tools: a QKeras model's trained types are the
 * baseline (config_from_keras_model at 'name' granularity); `scan` first reports the model's
 * accuracy at those types, and its default series varies only the tensors training did not
 * quantize; `profile` draws the trained types; `suggest` keeps them unless asked to re-quantize.
 * On a small QKeras model built here (labels = its own float predictions) and on qkeras_example.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { scanCommand } from '../../src/cli/scan.js';
import { argmaxRows, evaluateFloat } from '../../src/emulate/float.js';
import { convertModel } from '../../src/graph/convert.js';
import type { ModelGraph } from '../../src/graph/model.js';
import { loadModel } from '../../src/import/index.js';
import {
  baselineConfig,
  homogeneousConfig,
  isQatModel,
  loadExample,
  profileModel,
  qatConfig,
  scanQat,
  searchConfig,
  suggestedConfig,
  trainedPrecisions,
  unquantizedConfig,
} from '../../src/ptq/index.js';
import { qact, qbits, qdense, qkerasGraph, qrelu, qrnn, rng, writeQKeras, plain } from '../import/qkeras-builder.js';
import { tempDir } from './helpers.js';

const N = 60;
const dir = tempDir('hlsemu-qat-');

function layers() {
  const r = rng(31);
  return [qdense('fc1', 16, 12, qbits(6, 0), qbits(6, 1), r), qact('relu1', qrelu(6, 1)), qdense('fc2', 12, 4, qbits(6, 0), qbits(6, 1), r), plain('Activation', 'softmax', { activation: 'softmax' })];
}

/** A little .npy writer (v1.0, little-endian). */
function npy(path: string, data: Float32Array | Int32Array, shape: number[]): void {
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

let model: ModelGraph;
let json: string;
let x: Float32Array;
let labels: Int32Array;
beforeAll(async () => {
  json = await writeQKeras(dir, 'qmlp', [16], layers());
  model = await loadModel(json);
  const r = rng(32);
  x = Float32Array.from({ length: N * 16 }, () => Math.round((2 * r() - 1) * 64) / 32);
  const f = evaluateFloat(model, { data: Float64Array.from(x), shape: [N, 16] });
  labels = Int32Array.from(argmaxRows(f.values, 4));
  npy(join(dir, 'x.npy'), x, [N, 16]);
  npy(join(dir, 'y.npy'), labels, [N]);
});

describe('the QAT baseline', () => {
  it('a QKeras model is QAT; its baseline is config_from_keras_model at name granularity (trained types)', async () => {
    expect(isQatModel(model)).toBe(true);
    expect(isQatModel((await loadExample('fashion-mnist', { limit: 1 })).model)).toBe(false);
    const base = baselineConfig(undefined, undefined, model);
    expect(base).toEqual(qatConfig(model));
    expect(base.LayerName!.relu1!.Precision).toEqual({ result: 'ufixed<6,1,RND_CONV,SAT,0>' });
    expect([...trainedPrecisions(model)].sort()).toEqual(['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight', 'relu1.result']);
  });

  it('the untrained-tensor series keeps every trained type and moves the rest (Model default: accum, softmax …)', () => {
    const cfg = unquantizedConfig(qatConfig(model), 'fixed<10,4>', trainedPrecisions(model));
    expect(cfg.Model.Precision).toEqual({ default: 'fixed<10,4>' });
    expect(cfg.LayerName!.fc1!.Precision).toEqual({ result: 'auto', weight: 'fixed<6,1,TRN,WRAP,0>', bias: 'fixed<6,2,TRN,WRAP,0>' });
    const fw = convertModel(model, cfg);
    const relu = fw.layers.find((l) => l.name === 'relu1')!;
    expect(relu.types.result).toMatchObject({ W: 6, I: 1, signed: false });
    const fc1 = fw.layers.find((l) => l.name === 'fc1')!;
    expect((fc1.types as Record<string, unknown>).accum).toMatchObject({ W: 10, I: 4 });
    // asked for: the homogeneous series re-quantizes the trained activations too
    const h = convertModel(model, homogeneousConfig('fixed<10,4>', qatConfig(model)));
    expect(h.layers.find((l) => l.name === 'relu1')!.types.result).toMatchObject({ W: 10, I: 4, signed: true });
  });
});

describe('scan', () => {
  it('`hlsemu scan --model <QKeras model>` reports the accuracy at the trained types, then the untrained-tensor series', async () => {
    const out = join(dir, 'scan');
    const logs: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    try {
      expect(await scanCommand.run(['--model', json, '--data', join(dir, 'x.npy'), '--labels', join(dir, 'y.npy'), '--widths', '18,12,6', '--out', out, '--quiet'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const text = logs.join('\n');
    expect(text).toMatch(/QAT model at its trained types \(config_from_keras_model, granularity 'name'\): accuracy \d+\.\d+%/);
    expect(text).toMatch(/untrained tensors +18 +fixed<18,6>/);
    const saved = JSON.parse(readFileSync(join(out, 'scan.json'), 'utf8'));
    expect(saved.qat.accuracy).toBeGreaterThan(0.8);
    expect(saved.series.map((s: { kind: string }) => s.kind)).toEqual(['unquantized']);
  }, 120_000);

  it('scanQat: at wide untrained types the firmware agrees with the QAT float model; narrow accumulators cost accuracy', async () => {
    const r = await scanQat({ model, data: { data: Float64Array.from(x), shape: [N, 16] }, labels, widths: [24, 4], integerBits: 8, workers: 1 });
    expect(r.qat!.error).toBeUndefined();
    expect(r.qat!.accuracy!).toBeGreaterThan(0.8);
    const [wide, narrow] = r.series[0]!.points;
    expect(wide!.accuracy!).toBeGreaterThanOrEqual(r.qat!.accuracy! - 0.05);
    expect(narrow!.accuracy!).toBeLessThan(wide!.accuracy!);
  }, 120_000);

  it('qkeras_example: the trained types reproduce the reference case\'s firmware (its config) and scan', async () => {
    const d = join(__dirname, '..', 'golden', 'import', 'qkeras_example');
    const m = await loadModel(join(d, 'qkeras_example.json'));
    const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
    // the reference case's config is exactly config_from_keras_model(granularity='name') (plus the Backend argument)
    expect(qatConfig(m).LayerName).toEqual(cfg.LayerName);
    const inputs = JSON.parse(readFileSync(join(d, 'inputs.json'), 'utf8')) as number[][];
    const r = await scanQat({ model: m, data: { data: Float64Array.from(inputs.flat()), shape: [inputs.length, 12] }, widths: [16, 8], workers: 1 });
    expect(r.qat!.error).toBeUndefined();
    expect(r.qat!.agreement).toBeGreaterThan(0.5);
    expect(r.series[0]!.points.map((p) => p.type)).toEqual(['fixed<16,6>', 'fixed<8,6>']);
  }, 120_000);
});

describe('profile and suggest', () => {
  it('profile draws the trained types (the quantizers\' weight types, the QActivation result types)', () => {
    const p = profileModel({ model, data: { data: Float64Array.from(x), shape: [N, 16] } });
    expect(p.configLabel).toBe('trained (QAT) types');
    expect(p.weights.find((w) => w.layer === 'fc1' && w.tensor === 'weight')!.type).toBe('fixed<6,1>');
    expect(p.activations.find((a) => a.layer === 'relu1')!.type).toBe('ufixed<6,1,RND_CONV,SAT>');
    // the float weights profiled are QKeras' quantized values (multiples of 2^-5)
    expect(p.weights.find((w) => w.layer === 'fc1' && w.tensor === 'weight')!.stats.maxAbs * 32 % 1).toBe(0);
  });

  it('suggest keeps the trained types unless asked to re-quantize', () => {
    const p = profileModel({ model, data: { data: Float64Array.from(x), shape: [N, 16] } });
    const keep = suggestedConfig(model, p, 8).config;
    expect((keep.LayerName!.fc1!.Precision as Record<string, string>).weight).toBe('fixed<6,1,TRN,WRAP,0>');
    expect((keep.LayerName!.relu1!.Precision as Record<string, string>).result).toBe('ufixed<6,1,RND_CONV,SAT,0>');
    expect((keep.LayerName!.fc1!.Precision as Record<string, string>).accum).toMatch(/^fixed<\d+,\d+>$/);
    const re = suggestedConfig(model, p, 8, { requantize: true }).config;
    expect((re.LayerName!.relu1!.Precision as Record<string, string>).result).toMatch(/^fixed<\d+,\d+>$/);
  });
});

describe('a QKeras model built in memory is QAT too', () => {
  it('isQatModel', () => {
    expect(isQatModel(qkerasGraph('m', [16], layers()))).toBe(true);
  });
  it('isQatModel: a QLSTM whose only quantizers are its weight and state quantizers (they name types, no activation quantizer)', () => {
    const r = rng(5);
    expect(isQatModel(qkerasGraph('l', [4, 3], [qrnn('QLSTM', 'ql', 3, 2, { kernel: qbits(8, 0), state: qbits(12, 3) }, r)]))).toBe(true);
    expect(isQatModel(qkerasGraph('l0', [4, 3], [qrnn('QLSTM', 'ql', 3, 2, {}, r)]))).toBe(false);
  });
});

describe('per-tensor search on a QAT model', () => {
  it('searches only the tensors without trained types and keeps the trained ones as written', async () => {
    const r = await searchConfig({ model, data: { data: x, shape: [N, 16] }, labels, objective: 'bops', targetDrop: 25, guard: 0, headroom: 0, maxFractionalBits: 8, minFractionalBits: 6, maxMoves: 4 });
    const trained = trainedPrecisions(model);
    const moves = r.steps.filter((s) => s.kind === 'move');
    expect(moves.length).toBeGreaterThan(0);
    for (const s of moves) expect(trained.has(s.tensor!)).toBe(false);
    const base = qatConfig(model);
    for (const key of trained) {
      const [ln, v] = key.split('.') as [string, string];
      expect((r.suggested.config.LayerName![ln]!.Precision as Record<string, string>)[v]).toBe((base.LayerName![ln]!.Precision as Record<string, string>)[v]);
    }
  }, 120_000);
});
