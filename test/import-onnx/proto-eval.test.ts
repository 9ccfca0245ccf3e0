/**
 * ONNX protobuf decoding (round trips through protobufjs) and the float64 reference evaluator on
 * hand-computed cases (the evaluator is the reference every import test compares against).
 */
import { describe, expect, it } from 'vitest';
import { decodeOnnxModel, encodeOnnxModel, ONNX_ATTR, ONNX_DTYPE, onnxDtypeName } from '../../src/import/onnx-proto.js';
import { evalOnnxNode, resolvePads, NodeAttrs, runOnnxModel, transpose, type Tensor } from '../../src/import/onnx-eval.js';
import type { OnnxNode } from '../../src/import/onnx-proto.js';

const t = (shape: number[], data: number[]): Tensor => ({ shape, data: Float64Array.from(data) });

function node(opType: string, attrs: Record<string, { i?: number; f?: number; ints?: number[]; s?: string; floats?: number[] }> = {}, domain = ''): OnnxNode {
  const m = new Map(Object.entries(attrs).map(([name, v]) => [name, { name, type: 0, ...v }]));
  return { index: 0, name: 'n', opType, domain, inputs: [], outputs: ['y'], attributes: m };
}

describe('protobuf decoding', () => {
  it('round-trips tensors of every supported storage (typed fields and raw_data)', () => {
    const inits = [
      { name: 'f32', dims: [2, 2], data: [1.5, -2, 0.25, 3], dataType: ONNX_DTYPE.FLOAT },
      { name: 'f32raw', dims: [3], data: [0.1, -7, 1e-3], dataType: ONNX_DTYPE.FLOAT, raw: true },
      { name: 'f64', dims: [2], data: [0.1, -1e300], dataType: ONNX_DTYPE.DOUBLE },
      { name: 'f64raw', dims: [1], data: [Math.PI], dataType: ONNX_DTYPE.DOUBLE, raw: true },
      { name: 'i64', dims: [3], data: [1, -1, 2 ** 40], dataType: ONNX_DTYPE.INT64 },
      { name: 'i64raw', dims: [2], data: [-5, 9], dataType: ONNX_DTYPE.INT64, raw: true },
      { name: 'i32', dims: [2], data: [-3, 4], dataType: ONNX_DTYPE.INT32 },
      { name: 'i8raw', dims: [2], data: [-3, 4], dataType: ONNX_DTYPE.INT8, raw: true },
      { name: 'scalar', dims: [], data: [42], dataType: ONNX_DTYPE.FLOAT },
    ];
    const bytes = encodeOnnxModel({
      name: 'g',
      nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'], name: 'r', attrs: { alpha: { float: 0.5 }, k: 3, ks: [1, 2], fs: [0.5, 1.5], s: 'SAME_UPPER', ss: ['a', 'b'] } }],
      inputs: [{ name: 'x', shape: ['N', 3, null, 7] }],
      outputs: [{ name: 'y' }],
      initializers: inits,
      opset: 11,
      extraOpsets: { 'qonnx.custom_op.general': 1 },
    });
    const m = decodeOnnxModel(bytes);
    expect(m.opsets.get('')).toBe(11);
    expect(m.opsets.get('qonnx.custom_op.general')).toBe(1);
    expect(m.graph.name).toBe('g');
    for (const spec of inits) {
      const d = m.graph.initializers.get(spec.name)!;
      expect(d.dims).toEqual(spec.dims);
      expect(d.dataType).toBe(spec.dataType);
      const want = spec.dataType === ONNX_DTYPE.FLOAT ? spec.data.map(Math.fround) : spec.data;
      expect(Array.from(d.data)).toEqual(want);
    }
    const n = m.graph.nodes[0]!;
    expect(n.opType).toBe('Relu');
    expect(n.attributes.get('alpha')).toMatchObject({ type: ONNX_ATTR.FLOAT, f: 0.5 });
    expect(n.attributes.get('k')).toMatchObject({ type: ONNX_ATTR.INT, i: 3 });
    expect(n.attributes.get('ks')!.ints).toEqual([1, 2]);
    expect(n.attributes.get('fs')!.floats).toEqual([0.5, 1.5]);
    expect(n.attributes.get('s')!.s).toBe('SAME_UPPER');
    expect(n.attributes.get('ss')!.strings).toEqual(['a', 'b']);
    expect(m.graph.inputs[0]!.shape).toEqual(['N', 3, null, 7]);
    expect(onnxDtypeName(7)).toBe('INT64');
  });
});

describe('reference evaluator', () => {
  it('Conv with explicit pads, strides and bias (hand-computed)', () => {
    // x = 1..5 (1 channel, width 5), w = [1, 10], pads [1, 0], stride 2, bias 0.5
    const [y] = evalOnnxNode(node('Conv', { pads: { ints: [1, 0] }, strides: { ints: [2] } }), [t([1, 1, 5], [1, 2, 3, 4, 5]), t([1, 1, 2], [1, 10]), t([1], [0.5])]);
    // windows: [0,1] → 10.5, [2,3] → 2 + 30 + .5, [4,5] → 4 + 50 + .5
    expect(Array.from(y!.data)).toEqual([10.5, 32.5, 54.5]);
  });

  it('SAME_UPPER puts the odd pad at the end, SAME_LOWER at the beginning', () => {
    const up = resolvePads(new NodeAttrs(node('Conv', { auto_pad: { s: 'SAME_UPPER' } })), [6], [2], [1], [1]);
    const lo = resolvePads(new NodeAttrs(node('Conv', { auto_pad: { s: 'SAME_LOWER' } })), [6], [2], [1], [1]);
    expect(up).toEqual({ begin: [0], end: [1] });
    expect(lo).toEqual({ begin: [1], end: [0] });
  });

  it('AveragePool counts padding only with count_include_pad', () => {
    const x = t([1, 1, 3], [3, 6, 9]);
    const [a] = evalOnnxNode(node('AveragePool', { kernel_shape: { ints: [2] }, pads: { ints: [1, 0] } }), [x]);
    const [b] = evalOnnxNode(node('AveragePool', { kernel_shape: { ints: [2] }, pads: { ints: [1, 0] }, count_include_pad: { i: 1 } }), [x]);
    expect(Array.from(a!.data)).toEqual([3, 4.5, 7.5]);
    expect(Array.from(b!.data)).toEqual([1.5, 4.5, 7.5]);
  });

  it('Softmax: opset < 13 normalises over all axes from `axis`, opset 13 over one axis', () => {
    const x = t([1, 2, 2], [0, 0, 0, Math.log(3)]);
    const [old] = evalOnnxNode(node('Softmax', { axis: { i: 1 } }), [x], 11);
    const [neu] = evalOnnxNode(node('Softmax', { axis: { i: 1 } }), [x], 13);
    const close = (a: Float64Array, b: number[]) => b.forEach((v, i) => expect(a[i]).toBeCloseTo(v, 12));
    close(old!.data, [1 / 6, 1 / 6, 1 / 6, 0.5]);
    close(neu!.data, [0.5, 0.25, 0.5, 0.75]);
  });

  it('Gemm transA/transB/alpha/beta', () => {
    const [y] = evalOnnxNode(node('Gemm', { transA: { i: 1 }, transB: { i: 1 }, alpha: { f: 2 }, beta: { f: 0.5 } }), [t([2, 1], [1, 2]), t([1, 2], [3, 4]), t([1], [4])]);
    expect(Array.from(y!.data)).toEqual([2 * (3 + 8) + 2]);
  });

  it('Quant (ROUND = half to even, narrow, unsigned) and BipolarQuant', () => {
    const x = t([6], [0.375, 0.625, -1.9, 5, -5, 0.1]);
    const q = (attrs: Record<string, { i?: number; s?: string }>) =>
      Array.from(evalOnnxNode(node('Quant', attrs), [x, t([], [0.25]), t([], [0]), t([], [3])])[0]!.data);
    expect(q({ signed: { i: 1 } })).toEqual([0.5, 0.5, -1, 0.75, -1, 0]);
    expect(q({ signed: { i: 1 }, narrow: { i: 1 } })).toEqual([0.5, 0.5, -0.75, 0.75, -0.75, 0]);
    expect(q({ signed: { i: 0 }, rounding_mode: { s: 'FLOOR' } })).toEqual([0.25, 0.5, 0, 1.75, 0, 0]);
    const [b] = evalOnnxNode(node('BipolarQuant'), [t([3], [-0.1, 0, 2]), t([], [1])]);
    expect(Array.from(b!.data)).toEqual([-1, 1, 1]);
  });

  it('channels_last-domain Conv equals the NCHW Conv on transposed data', () => {
    const x = t([1, 2, 3, 3], Array.from({ length: 18 }, (_, i) => Math.sin(i)));
    const w = t([2, 2, 2, 2], Array.from({ length: 16 }, (_, i) => Math.cos(i)));
    const [std] = evalOnnxNode(node('Conv'), [x, w]);
    const [cl] = evalOnnxNode(node('Conv', {}, 'qonnx.custom_op.channels_last'), [transpose(x, [0, 2, 3, 1]), transpose(w, [0, 2, 3, 1])]);
    expect(Array.from(transpose(cl!, [0, 3, 1, 2]).data)).toEqual(Array.from(std!.data));
  });

  it('runOnnxModel evaluates a whole graph from bytes', () => {
    const bytes = encodeOnnxModel({
      nodes: [
        { opType: 'MatMul', inputs: ['x', 'W'], outputs: ['m'] },
        { opType: 'Add', inputs: ['m', 'b'], outputs: ['a'] },
        { opType: 'Relu', inputs: ['a'], outputs: ['y'] },
      ],
      inputs: [{ name: 'x', shape: ['N', 2] }],
      outputs: [{ name: 'y' }],
      initializers: [
        { name: 'W', dims: [2, 2], data: [1, -1, 2, 1] },
        { name: 'b', dims: [2], data: [0, -10] },
      ],
    });
    const out = runOnnxModel(bytes, { x: t([2, 2], [1, 1, 3, -1]) });
    expect(Array.from(out.get('y')!.data)).toEqual([3, 0, 1, 0]);
  });
});
