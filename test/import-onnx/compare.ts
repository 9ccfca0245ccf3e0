/**
 * Test helper: checks that an imported ModelGraph computes the ONNX graph's float function —
 * random inputs are run through the ONNX reference evaluator (NCHW) and, permuted into the model's
 * channels-last order, through the ModelGraph evaluator; outputs are compared in ONNX order.
 */
import { runOnnxModel, type Tensor } from '../../src/import/onnx-eval.js';
import { decodeOnnxModel } from '../../src/import/onnx-proto.js';
import { importOnnx, modelToOnnxOrder, onnxToModelOrder, type OnnxImport, type OnnxImportOptions } from '../../src/import/onnx.js';
import { evalModel } from './model-eval.js';
import { uniform } from '../../src/util/random.js';

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  return uniform(seed);
}

export interface CompareResult {
  imp: OnnxImport;
  /** Largest |onnx − model| over all outputs and trials, relative to max(1, |onnx|). */
  maxErr: number;
  /** Number of compared output elements. */
  count: number;
}

/** Imports `bytes` and compares the float functions on `trials` random inputs in [-scale, scale]. */
export function compareFloat(bytes: Uint8Array, opts: OnnxImportOptions = {}, trials = 3, seed = 1, scale = 2): CompareResult {
  const imp = importOnnx(bytes, opts);
  const m = decodeOnnxModel(bytes);
  const rand = rng(seed);
  let maxErr = 0;
  let count = 0;
  for (let t = 0; t < trials; t++) {
    const feeds: Record<string, Tensor> = {};
    const modelIn: Record<string, Float64Array> = {};
    for (const inp of imp.inputs) {
      const n = inp.onnxShape.reduce((p, d) => p * d, 1);
      const data = Float64Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
      feeds[inp.onnxName] = { shape: [1, ...inp.onnxShape], data };
      modelIn[inp.layer] = onnxToModelOrder(data, inp);
    }
    const ref = runOnnxModel(m, feeds);
    const got = evalModel(imp.model, modelIn);
    for (const o of imp.outputs) {
      const want = ref.get(o.onnxName)!.data;
      const have = modelToOnnxOrder(got.get(o.layer)!.data, o);
      if (have.length !== want.length) throw new Error(`output ${o.onnxName}: ${have.length} vs ${want.length} values`);
      for (let i = 0; i < want.length; i++) {
        const e = Math.abs(have[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!));
        if (!(e <= maxErr)) maxErr = Number.isNaN(e) ? Infinity : Math.max(maxErr, e);
        count++;
      }
    }
  }
  return { imp, maxErr, count };
}
