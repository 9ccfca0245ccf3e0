/**
 * hls4ml 1.3's parse_qonnx flow, where its pass order and data matter (hls4ml/model/optimizer/__init__.py
 * flow order, optimizer.py's restart from the first pass after every transform, move_scales.py
 * ScaleDownConv / ScaleDownAdd, quant_opt.py ConstQuantToConstAlpha / FuseQuantWithConstant): the
 * layers, names, scales and biases hlsemu's import builds are the ones hls4ml's flow builds.
 */
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/errors.js';
import { importOnnx } from '../../src/import/onnx.js';
import { GraphBuilder } from './builder.js';
import { compareFloat } from './compare.js';
import { checkZooModel, expectCodesNearBoundary } from './zoo-harness.js';

const QDOMAIN = { 'qonnx.custom_op.general': 1 };
const f32 = Math.fround;

function quant(g: GraphBuilder, x: string, name: string, s: number, bits: number, opts: { z?: number; mode?: string; signed?: boolean } = {}): string {
  return g.node(
    'Quant',
    [x, g.scalar(`${name}_s`, s), g.scalar(`${name}_z`, opts.z ?? 0), g.scalar(`${name}_b`, bits)],
    { signed: opts.signed === false ? 0 : 1, narrow: 0, rounding_mode: opts.mode ?? 'ROUND' },
    { name, domain: 'qonnx.custom_op.general' },
  );
}
const names = (bytes: Uint8Array) => importOnnx(bytes).model.layers.map((l) => `${l.className}:${l.name}`);
const layer = (bytes: Uint8Array, name: string) => importOnnx(bytes).model.layers.find((l) => l.name === name)!;

describe('ScaleDownConv: hls4ml 1.3 pass order and data', () => {
  it('a Mul by a constant before a Conv with a non-power-of-two weight scale: ScaleDownConv runs before MergeToApplyAlpha, so the weight rescale moves first and bn_mul is moved separately, right after the Conv', () => {
    // parse_qonnx: scale_down_conv precedes merge_to_apply_alpha and the optimizer restarts after each
    // transform, so ScaleDownConv first sees the Mul as a Merge (weights-only branch: Qw_rescale,
    // bias b(1 - s_w)), then, once bn_mul exists, moves it (data-only branch: bias b(1 - s_mul), its
    // uint<1> bias precision); insert_node puts bn_mul between the Conv and Qw_rescale.
    const g = new GraphBuilder(5);
    const x = quant(g, g.input('x', ['N', 2, 5, 5]), 'Qin', 0.125, 8);
    const m = g.node('Mul', [x, g.scalar('k', 0.3)], {}, { name: 'mul' });
    const y = g.node('Conv', [m, quant(g, g.init('W', [3, 2, 3, 3]), 'Qw', 0.45, 4), g.init('B', [3], [0.5, -0.25, 1])], { kernel_shape: [3, 3] }, { name: 'conv' });
    const bytes = g.bytes([y], 13, QDOMAIN);
    expect(names(bytes).slice(-3)).toEqual(['Conv2D:conv', 'ApplyAlpha:bn_mul', 'ApplyAlpha:Qw_rescale']);
    expect(layer(bytes, 'bn_mul').weights.bias!.data[0]).toBe(f32(f32(0.5) * f32(1 - f32(0.3))));
    const rq = layer(bytes, 'Qw_rescale');
    expect(rq.weights.bias!.data[0]).toBe(f32(f32(0.5) * f32(1 - f32(0.45))));
    expect(rq.attrs.biasPrecision).toBeUndefined();
  });

  it("a power-of-two Quant on the Conv bias: b·(1 − s) uses the Constant's raw value (FuseQuantWithConstant only attaches a quantizer)", () => {
    const g = new GraphBuilder(5);
    const x = quant(g, g.input('x', ['N', 2, 5, 5]), 'Qin', 0.125, 8);
    const B = quant(g, g.init('B', [3], [0.3, -0.2, 0.01]), 'Qb', 0.125, 8);
    const y = g.node('Conv', [x, quant(g, g.init('W', [3, 2, 3, 3]), 'Qw', 0.3, 4), B], { kernel_shape: [3, 3] }, { name: 'conv' });
    const bytes = g.bytes([y], 13, QDOMAIN);
    // the Conv keeps the quantized bias (conv_to_convxd quantizes it) ...
    expect(Array.from(layer(bytes, 'conv').weights.bias!.data)).toEqual([0.25, -0.25, 0]);
    // ... but the moved ApplyAlpha's bias is computed from the raw one
    const one = f32(1 - f32(0.3));
    expect(Array.from(layer(bytes, 'Qw_rescale').weights.bias!.data.slice(0, 3))).toEqual([0.3, -0.2, 0.01].map((b) => f32(f32(b) * one)));
  });

  it('integer weight codes are rounded from the float32 quotient value/scale (numpy float32 arithmetic), as hls4ml does', () => {
    for (const [w, s, mode, code] of [
      [0.35, 0.1, 'ROUND', 4], // float32 0.35/0.1 = 3.5 → np.round → 4 (float64: 3.4999999)
      [0.7, 0.1, 'FLOOR', 7], // float32 0.7/0.1 = 7 → np.floor → 7 (float64: 6.9999998)
    ] as const) {
      const g = new GraphBuilder(5);
      const x = quant(g, g.input('x', ['N', 1, 2, 2]), 'Qin', 0.125, 8);
      const y = g.node('Conv', [x, quant(g, g.init('W', [1, 1, 1, 1], [w]), 'Qw', s, 8, { mode })], { kernel_shape: [1, 1] }, { name: 'conv' });
      expect([w, s, mode, layer(g.bytes([y], 13, QDOMAIN), 'conv').weights.kernel!.data[0]]).toEqual([w, s, mode, code]);
    }
  });

  it("weights-only branch: hls4ml copies the data producer's attributes (a MaxPool's n_filt = its channels) onto the moved ApplyAlpha; hlsemu reproduces that or refuses", () => {
    const g = new GraphBuilder(5);
    const x = quant(g, g.input('x', ['N', 2, 6, 6]), 'Qin', 0.125, 8);
    const p = g.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, { name: 'pool' });
    const y = g.node('Conv', [p, quant(g, g.init('W', [3, 2, 1, 1]), 'Qw', 0.3, 4), g.init('B', [3], [0.5, -0.25, 1])], { kernel_shape: [1, 1] }, { name: 'conv' });
    const r = g.node('Relu', [y], {}, { name: 'relu' });
    const bytes = g.bytes([r], 13, QDOMAIN);
    let nFilt: unknown = 'refused';
    try {
      nFilt = layer(bytes, 'Qw_rescale').attrs.n_filt;
    } catch (e) {
      expect(e).toBeInstanceOf(UnsupportedError);
    }
    expect(['refused', 2]).toContain(nFilt);
  });

  it('a zero-point data rescale with a weight rescale: hls4ml takes the both-inputs branch, cannot move a non-zero bias and fails; hlsemu refuses', () => {
    const g = new GraphBuilder(5);
    const x = quant(g, g.input('x', ['N', 2, 5, 5]), 'Qin', 0.125, 8, { z: 3, signed: false });
    const y = g.node('Conv', [x, quant(g, g.init('W', [3, 2, 3, 3]), 'Qw', 0.3, 4)], { kernel_shape: [3, 3] }, { name: 'conv' });
    expect(() => importOnnx(g.bytes([y], 13, QDOMAIN))).toThrow(UnsupportedError);
  });
  it('the moved rescale and a skip rescale with the same scale into an Add: ScaleDownAdd (earlier in parse_qonnx) merges them into one ApplyAlpha below the Add', () => {
    // ScaleDownConv inserts Qw_rescale at the Add's input 0 (insert_node rewires the consumer whose
    // inputs[0] is the Conv output); ScaleDownAdd then sees two ApplyAlphas with equal float32 scales
    const g = new GraphBuilder(5);
    const xin = g.input('x', ['N', 2, 4, 4]);
    const x = quant(g, xin, 'Qin', 0.125, 8);
    const y = g.node('Conv', [x, quant(g, g.init('W', [2, 2, 1, 1]), 'Qw', 0.3, 4)], { kernel_shape: [1, 1] }, { name: 'conv' });
    const skip = quant(g, xin, 'Qs', 0.3, 8);
    const s = g.node('Add', [y, skip], {}, { name: 'add' });
    // one ApplyAlpha named after the Add's first input, bias0 + bias1
    expect(names(g.bytes([s], 13, QDOMAIN)).slice(-2)).toEqual(['Add:add', 'ApplyAlpha:Qw_rescale']);
  });

  it('ScaleDownAdd: a residual Add of two activation rescales with the same scale gives one rescale below the Add, which then moves below the next Conv; codes equal QONNX', () => {
    const g = new GraphBuilder(9);
    const xin = g.input('x', ['N', 2, 4, 4]);
    const a = quant(g, xin, 'Qa', 0.3, 6);
    const b = quant(g, g.node('Relu', [xin], {}, { name: 'relu' }), 'Qb', 0.3, 6);
    const s = g.node('Add', [a, b], {}, { name: 'add' });
    const y = g.node('Conv', [s, quant(g, g.init('W', [3, 2, 1, 1]), 'Qw', 0.25, 4)], { kernel_shape: [1, 1] }, { name: 'conv' });
    const out = quant(g, y, 'Qo', 0.2, 8);
    const bytes = g.bytes([out], 13, QDOMAIN);
    const n = names(bytes);
    expect(n).not.toContain('ApplyAlpha:Qb_rescale');
    // Qa_rescale: merged below the Add (ScaleDownAdd), then moved below the Conv (ScaleDownConv)
    expect(n.slice(n.indexOf('Add:add'), n.indexOf('Add:add') + 3)).toEqual(['Add:add', 'Conv2D:conv', 'ApplyAlpha:Qa_rescale']);
    expect(compareFloat(bytes, {}, 3, 2, 2).maxErr).toBeLessThan(1e-5);
    const r = checkZooModel(bytes, 'fixed<40,20>', 16, -3, 3, 9, 10);
    // codes × 1.5 (= 0.3/0.2) land on exact half-integers, where the float32 scale decides QONNX's
    // rounding and the Model precision the firmware's: every difference is one code at such a tie
    expect(expectCodesNearBoundary(r.checks).total).toBeGreaterThan(1000);
  });
});

describe("hls4ml's graph rewiring around moved scales (graph.py remove_node / insert_node): silent errors there are refused", () => {
  it('a data rescale that also feeds a skip connection', () => {
    const g = new GraphBuilder(5);
    const x = quant(g, g.input('x', ['N', 2, 4, 4]), 'Qin', 0.3, 8);
    const y = g.node('Conv', [x, quant(g, g.init('W', [2, 2, 1, 1]), 'Qw', 0.25, 4)], { kernel_shape: [1, 1] }, { name: 'conv' });
    const s = g.node('Add', [y, x], {}, { name: 'add' });
    expect(() => importOnnx(g.bytes([s], 13, QDOMAIN))).toThrow(/Conv 'conv'.*the rescale 'Qin_rescale' has other readers.*remove_node connects every reader to the unscaled input/);
  });
  it('a moved rescale whose Conv output is read as the second input of an Add', () => {
    const g = new GraphBuilder(5);
    const xin = g.input('x', ['N', 2, 4, 4]);
    const x = quant(g, xin, 'Qin', 0.125, 8);
    const y = g.node('Conv', [x, quant(g, g.init('W', [2, 2, 1, 1]), 'Qw', 0.3, 4)], { kernel_shape: [1, 1] }, { name: 'conv' });
    const s = g.node('Add', [quant(g, xin, 'Qs', 0.125, 8), y], {}, { name: 'add' });
    expect(() => importOnnx(g.bytes([s], 13, QDOMAIN))).toThrow(/Conv 'conv'.*'Qw_rescale'.*insert_node.*its reader 'add' takes it as input 1.*silent error in hls4ml/);
  });
  it('a moved rescale whose MatMul output has two readers', () => {
    const g = new GraphBuilder(5);
    const x = quant(g, g.input('x', ['N', 4]), 'Qin', 0.125, 8);
    const y = g.node('MatMul', [x, quant(g, g.init('W', [4, 3]), 'Qw', 0.3, 4)], {}, { name: 'mm' });
    const a = g.node('Relu', [y], {}, { name: 'relu' });
    const b = g.node('Sigmoid', [y], {}, { name: 'sig' });
    expect(() => importOnnx(g.bytes([a, b], 13, QDOMAIN))).toThrow(/MatMul 'mm'.*'Qw_rescale'.*the output has 2 readers/);
  });
});

describe("ScaleDownConv with a bias rescale (Brevitas' Int32Bias: bias scale = data scale × weight scale)", () => {
  const model = (sIn: number, sW: number, sB: number) => {
    const g = new GraphBuilder(13);
    const x = quant(g, g.input('x', ['N', 2, 5, 5]), 'Qin', sIn, 8);
    const B = quant(g, g.init('B', [3], [0.4, -0.7, 0.05]), 'Qb', sB, 32);
    const y = g.node('Conv', [x, quant(g, g.init('W', [3, 2, 3, 3]), 'Qw', sW, 4), B], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'conv' });
    return g.bytes([quant(g, g.node('Relu', [y], {}, { name: 'relu' }), 'Qout', 0.2, 8, { signed: false })], 13, QDOMAIN);
  };
  it('data, weight and bias rescales: the Conv adds the bias codes, one ApplyAlpha named after the data rescale scales the sum; codes equal QONNX within the 1/s bound', () => {
    const sB = f32(f32(0.037) * f32(0.3));
    const bytes = model(0.037, 0.3, sB);
    const n = names(bytes);
    expect(n.slice(n.indexOf('Conv2D:conv'), n.indexOf('Conv2D:conv') + 2)).toEqual(['Conv2D:conv', 'ApplyAlpha:Qin_rescale']);
    expect(n).not.toContain('ApplyAlpha:Qw_rescale');
    const conv = layer(bytes, 'conv');
    expect(conv.quantizers!.bias).toMatchObject({ W: 32, I: 32, signed: true });
    expect(Array.from(conv.weights.bias!.data)).toEqual([0.4, -0.7, 0.05].map((b) => Math.round(f32(f32(b) / sB))));
    expect(new Set(layer(bytes, 'Qin_rescale').weights.scale!.data)).toEqual(new Set([sB]));
    expect(compareFloat(bytes, {}, 3, 2, 2).maxErr).toBeLessThan(1e-5);
    const r = checkZooModel(bytes, 'fixed<40,20>', 8, -3, 3, 13, 10);
    const t = expectCodesNearBoundary(r.checks);
    expect(t.equal / t.total).toBeGreaterThan(0.99);
  });
  it('weight and bias rescales (a power-of-two input, which is no ApplyAlpha): the bias scale must equal the weight scale; the ApplyAlpha is named after the weight rescale', () => {
    const bytes = model(0.125, 0.3, 0.3);
    const n = names(bytes);
    expect(n.slice(n.indexOf('Conv2D:conv'), n.indexOf('Conv2D:conv') + 2)).toEqual(['Conv2D:conv', 'ApplyAlpha:Qw_rescale']);
    expect(compareFloat(bytes, {}, 3, 2, 2).maxErr).toBeLessThan(1e-5);
    // Int32Bias at s_in·s_w with a power-of-two s_in: hls4ml's aa1-and-aa2 branch wants s_b = s_w and fails
    expect(() => importOnnx(model(0.125, 0.3, f32(0.125 * f32(0.3))))).toThrow(/the bias scale is not the product of the data and weight scales \(0\.30000001192092896\)/);
  });
  it('a bias scale that is not the product is refused, naming the scales', () => {
    expect(() => importOnnx(model(0.037, 0.3, 0.01))).toThrow(/Conv 'conv'.*the bias scale is not the product of the data and weight scales.*bias rescale 'Qb_rescale'/);
  });
});
