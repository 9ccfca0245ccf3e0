/**
 * Test helper: converts an imported QONNX model as hls4ml would (configFromModel at 'name'
 * granularity) and compares every quantized activation of the emulated firmware — the output of
 * each run-time Quant / BipolarQuant node — with the float64 QONNX execution of the ONNX graph on
 * the same inputs. Quant outputs are compared as integer codes (value / scale, plus the zero point).
 */
import { expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import type { FirmwareGraph } from '../../src/graph/firmware.js';
import { Emulator } from '../../src/emulate/predict.js';
import { NodeAttrs, runOnnxModel, tensorOf, type Tensor } from '../../src/import/onnx-eval.js';
import { decodeOnnxModel, type OnnxModel } from '../../src/import/onnx-proto.js';
import { importOnnx, modelToOnnxOrder, onnxToModelOrder, type OnnxImport } from '../../src/import/onnx.js';
import { rng } from './compare.js';

/** The QONNX model-zoo folder (read in place, never copied), or undefined when absent. */
export const ZOO_DIR = ['../shared/models/qonnx_zoo', '../../shared/models/qonnx_zoo', '/work/shared/models/qonnx_zoo'].find((d) => existsSync(d));

export interface QuantCheck {
  /** ONNX name of the Quant node's output. */
  tensor: string;
  /** Firmware layer whose output holds it. */
  layer: string;
  /** Codes compared and codes equal. */
  total: number;
  equal: number;
  /** The differing codes, with QONNX's unrounded x/scale + zero_point and the rounding mode. */
  mismatches: { want: number; got: number; pre: number; mode: string }[];
}

export interface ZooResult {
  imp: OnnxImport;
  fw: FirmwareGraph;
  checks: QuantCheck[];
  /** Samples whose output argmax (or sign, for one output) agrees with QONNX. */
  agree: number;
  n: number;
  warnings: string[];
}

/** Firmware layer holding the output of model layer `name` (layers merged into their producer, up the chain; a BN + binary tanh merged into `bnbt_`). */
function firmwareLayerOf(imp: OnnxImport, fw: FirmwareGraph, name: string): string | undefined {
  const names = new Set(fw.layers.map((l) => l.name));
  if (names.has(name)) return name;
  const ml = imp.model.layers.find((l) => l.name === name);
  const p = ml?.inputs[0];
  if (!p) return undefined;
  if (names.has(`bnbt_${p}`)) return `bnbt_${p}`;
  // merged into its producer (a linear activation, a BatchNormalization / ApplyAlpha fused upwards)
  return firmwareLayerOf(imp, fw, p);
}

function quantNodes(m: OnnxModel): { out: string; op: string; inputs: string[]; mode: string }[] {
  const inits = new Set(m.graph.initializers.keys());
  return m.graph.nodes
    .filter((n) => ['Quant', 'IntQuant', 'BipolarQuant'].includes(n.opType) && !inits.has(n.inputs[0]!))
    .map((n) => ({ out: n.outputs[0]!, op: n.opType, inputs: n.inputs, mode: new NodeAttrs(n).str('rounding_mode', 'ROUND').toUpperCase() }));
}

/**
 * Runs `n` random inputs (uniform in [lo, hi], optionally rounded to multiples of 2^−grid) through the emulated firmware and the float64 QONNX
 * evaluation, and counts equal quantization codes per Quant node.
 */
export function checkZooModel(path: string | Uint8Array, precision: string, n: number, lo: number, hi: number, seed = 7, grid?: number): ZooResult {
  const imp = importOnnx(path);
  const m = decodeOnnxModel(typeof path === 'string' ? readFileSync(path) : path, typeof path === 'string' ? path : 'model.onnx');
  const cfg = configFromModel(imp.model, { granularity: 'name', defaultPrecision: precision });
  // the output layer's inferred type can exceed the emulator's 53-bit output limit at wide
  // precisions: pin it to the Model precision (a user setting hls4ml honours)
  const outName = imp.model.outputs[0]!;
  const ln = (cfg.LayerName ?? {}) as Record<string, { Precision?: Record<string, string> }>;
  if (ln[outName]?.Precision) ln[outName]!.Precision!.result = precision;
  const fw = convertModel(imp.model, cfg);
  const inp = imp.inputs[0]!;
  const size = inp.onnxShape.reduce((p, d) => p * d, 1);
  const rand = rng(seed);
  const onnxIn: Float64Array[] = [];
  const modelIn = new Float64Array(n * size);
  for (let s = 0; s < n; s++) {
    // optionally on a 2^-grid lattice (exactly representable in the input type)
    const x = Float64Array.from({ length: size }, () => {
      const v = lo + (hi - lo) * rand();
      return grid === undefined ? v : Math.round(v * 2 ** grid) / 2 ** grid;
    });
    onnxIn.push(x);
    modelIn.set(onnxToModelOrder(x, inp), s * size);
  }
  const emu = new Emulator(fw);
  const r = emu.predict({ data: modelIn, shape: [n, ...fw.input.shape] }, { trace: true });
  const inits = m.graph.initializers;
  const scalarOf = (name: string | undefined): Tensor | undefined => (name && inits.has(name) ? tensorOf(inits.get(name)!) : undefined);
  const checks: QuantCheck[] = [];
  const qs = quantNodes(m);
  const refs = onnxIn.map((x) => runOnnxModel(m, { [inp.onnxName]: { shape: [1, ...inp.onnxShape], data: x } }));
  for (const q of qs) {
    const codes = imp.alphaQuants.find((t) => t.onnxName === q.out);
    const map = codes ?? imp.tensors.find((t) => t.onnxName === q.out);
    if (!map) continue;
    const layer = firmwareLayerOf(imp, fw, map.layer);
    if (!layer) throw new Error(`no firmware layer holds ${q.out} (model layer ${map.layer})`);
    const tr = r.trace![layer]!;
    const per = tr.raw.length / n;
    if (per !== map.onnxIndex.length) throw new Error(`${layer}: ${per} values per sample, ${q.out} has ${map.onnxIndex.length}`);
    const F = tr.type.W - tr.type.I;
    const scale = scalarOf(q.inputs[1])!;
    const zp = q.op === 'BipolarQuant' ? undefined : scalarOf(q.inputs[2]);
    let equal = 0;
    const mismatches: QuantCheck['mismatches'] = [];
    for (let s = 0; s < n; s++) {
      const want = refs[s]!.get(q.out)!.data;
      const pre = refs[s]!.get(q.inputs[0]!)!.data;
      const got = new Float64Array(per);
      for (let i = 0; i < per; i++) got[i] = Number(tr.raw[s * per + i]!) * 2 ** -F;
      const gotOnnx = modelToOnnxOrder(got, map);
      for (let i = 0; i < per; i++) {
        const sc = scale.data[scale.data.length === 1 ? 0 : i % scale.data.length]!;
        let wantCode: number;
        let gotCode: number;
        if (q.op === 'BipolarQuant') {
          wantCode = want[i]! / sc;
          // a binary layer's output is the Xnor bit (1 ↔ +1, 0 ↔ −1) unless an ApplyAlpha rescaled it
          gotCode = tr.type.W === 1 && !tr.type.signed ? (gotOnnx[i] === 1 ? 1 : -1) : gotOnnx[i]! / sc;
        } else {
          const z = zp ? zp.data[zp.data.length === 1 ? 0 : i % zp.data.length]! : 0;
          wantCode = want[i]! / sc + z;
          // on the ApplyAlpha route the traced layer holds the codes themselves
          gotCode = codes ? gotOnnx[i]! : gotOnnx[i]! / sc + z;
        }
        if (Math.abs(wantCode - gotCode) < 1e-6) equal++;
        else if (q.op !== 'BipolarQuant') {
          const z = zp ? zp.data[zp.data.length === 1 ? 0 : i % zp.data.length]! : 0;
          mismatches.push({ want: wantCode, got: gotCode, pre: pre[i]! / sc + z, mode: q.mode });
        }
      }
    }
    checks.push({ tensor: q.out, layer, total: n * per, equal, mismatches });
  }
  const out = imp.outputs[0]!;
  const perOut = out.onnxIndex.length;
  let agree = 0;
  for (let s = 0; s < n; s++) {
    const want = refs[s]!.get(out.onnxName)!.data;
    const got = modelToOnnxOrder(r.values.subarray(s * perOut, (s + 1) * perOut), out);
    // an Xnor output (BatchNormalizationQuantizedTanh) holds 1 for +1 and 0 for −1
    if (r.type.W === 1 && !r.type.signed) for (let i = 0; i < perOut; i++) got[i] = got[i] === 1 ? 1 : -1;
    if (perOut === 1) {
      if (want[0]! >= 0 === got[0]! >= 0) agree++;
    } else if (argmax(want) === argmax(got)) agree++;
  }
  return { imp, fw, checks, agree, n, warnings: fw.warnings ?? [] };
}

function argmax(a: ArrayLike<number>): number {
  let k = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[k]!) k = i;
  return k;
}

/**
 * Every code that differs from QONNX's is off by one, where QONNX's x/s + z lies within the bound
 * of a rounding boundary; returns the codes compared and the equal ones.
 */
export function expectCodesNearBoundary(checks: { total: number; equal: number; mismatches: { got: number; want: number; mode: string; pre: number }[] }[]): { total: number; equal: number } {
  let total = 0;
  let equal = 0;
  for (const c of checks) {
    total += c.total;
    equal += c.equal;
    for (const d of c.mismatches) {
      expect(Math.abs(d.got - d.want)).toBe(1);
      const boundary = d.mode === 'FLOOR' ? Math.round(d.pre) : Math.floor(d.pre) + 0.5;
      expect(Math.abs(d.pre - boundary)).toBeLessThan(1e-3);
    }
  }
  return { total, equal };
}
