/**
 * Unsupported ONNX ops / options and malformed files → typed errors naming the node and the reason.
 */
import { describe, expect, it } from 'vitest';
import { FormatError, HlsemuError, UnsupportedError } from '../../src/errors.js';
import { importOnnx, loadOnnxModel } from '../../src/import/onnx.js';
import { decodeOnnxModel, encodeOnnxModel, onnxModelProtoType } from '../../src/import/onnx-proto.js';
import { GraphBuilder } from './builder.js';

function expectError(bytes: Uint8Array, cls: typeof HlsemuError, path: RegExp, message: RegExp): void {
  let err: unknown;
  try {
    importOnnx(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  expect((err as HlsemuError).path).toMatch(path);
  expect((err as HlsemuError).message).toMatch(message);
}

describe('unsupported graphs → UnsupportedError naming the node', () => {
  it('unknown op: op type, node name and index', () => {
    const g = new GraphBuilder();
    const r = g.node('Relu', [g.input('x', ['N', 3, 4, 4])]);
    const y = g.node('LpNormalization', [r], {}, { name: 'up1' });
    expectError(g.bytes([y]), UnsupportedError, /^model\.onnx node\[1\] \(LpNormalization 'up1'\)$/, /ONNX op LpNormalization is not supported \(supported: Gemm, /);
  });

  it('QONNX ops other than Quant / BipolarQuant', () => {
    const g = new GraphBuilder();
    const y = g.node('Trunc', [g.input('x', ['N', 3])], {}, { name: 't', domain: 'qonnx.custom_op.general' });
    expectError(g.bytes([y]), UnsupportedError, /Trunc 't'/, /qonnx\.custom_op\.general\.Trunc is not supported \(QONNX Quant\/IntQuant and BipolarQuant/);
  });

  const one = (build: (g: GraphBuilder, x: string) => string, inputShape: (number | string)[], path: RegExp, msg: RegExp) => () => {
    const g = new GraphBuilder();
    const y = build(g, g.input('x', inputShape));
    expectError(g.bytes([y]), UnsupportedError, path, msg);
  };

  it('grouped convolution', one((g, x) => g.node('Conv', [x, g.init('W', [4, 2, 3, 3])], { group: 2 }, { name: 'gc' }), ['N', 4, 6, 6], /Conv 'gc'/, /group = 2/));
  it('depthwise convolution with a depth multiplier', one((g, x) => g.node('Conv', [x, g.init('W', [8, 1, 3, 3])], { group: 4 }, { name: 'dw' }), ['N', 4, 6, 6], /Conv 'dw'/, /depth multiplier 2/));
  it('dilated convolution', one((g, x) => g.node('Conv', [x, g.init('W', [2, 1, 3, 3])], { dilations: [2, 2] }, { name: 'c' }), ['N', 1, 9, 9], /Conv 'c'/, /dilated/));
  it('Conv on a 3-D (volumetric) input', one((g, x) => g.node('Conv', [x, g.init('W', [2, 1, 2, 2, 2])], {}, { name: 'c3' }), ['N', 1, 4, 4, 4], /Conv 'c3'/, /rank-5 input is not supported/));
  it('Conv with run-time weights', one((g, x) => g.node('Conv', [x, g.node('Relu', [x])], {}, { name: 'c' }), ['N', 1, 4, 4], /Conv 'c'/, /W \(weights\) \(input 1 'relu_0_out'\) must be a constant/));
  it('Gemm with run-time B', one((g, x) => g.node('Gemm', [x, g.node('Relu', [x])], {}, { name: 'mm' }), ['N', 4], /Gemm 'mm'/, /B \(input 1 .*\) must be a constant/));
  it('Gemm transA', one((g, x) => g.node('Gemm', [x, g.init('W', [1, 3])], { transA: 1 }, { name: 'mm' }), ['N', 1], /Gemm 'mm'/, /transA/));
  it('Transpose moving the batch axis', one((g, x) => g.node('Transpose', [x], {}, { name: 'tr' }), ['N', 4], /Transpose 'tr'/, /moves the batch axis/));
  it('Transpose without perm: says why hls4ml 1.3 cannot parse it either', one((g, x) => g.node('Transpose', [x], {}, { name: 'tr' }), ['N', 4],
    /Transpose 'tr'/, /: Transpose without a perm attribute reverses the axes \(perm \[1, 0\]\) and moves the batch axis .*parse_transpose_layer \(hls4ml\/converters\/onnx\/reshape\.py\) .*IndexError[^]*leave the node in place$/));
  it('Transpose with an explicit batch-moving perm: no claim about the missing attribute', () => {
    const g = new GraphBuilder();
    const y = g.node('Transpose', [g.input('x', ['N', 4])], { perm: [1, 0] }, { name: 'tr' });
    expectError(g.bytes([y]), UnsupportedError, /Transpose 'tr'/, /: Transpose perm \[1, 0\] moves the batch axis \(unsupported: the batch must stay axis 0\)$/);
  });
  it('Transpose without perm around a BatchNormalization of [batch, features] (old Keras converters): names the BatchNormalization that does not match its 1 channel', () => {
    const g = new GraphBuilder();
    const t = g.node('Transpose', [g.input('x', ['N', 4])], {}, { name: 'tr' });
    const bn = g.node('BatchNormalization', [t, g.init('s', [4]), g.init('b', [4]), g.init('m', [4]), g.init('v', [4], [1, 1, 1, 1])], {}, { name: 'bn' });
    const y = g.node('Transpose', [bn], {}, { name: 'tr2' });
    expectError(g.bytes([y]), UnsupportedError, /Transpose 'tr'/, /IndexError.*\. The node\[1\] \(BatchNormalization 'bn'\) it feeds normalises \[4, 1\] \(1 channel on axis 1\) with 4 parameters: not valid ONNX/);
  });
  it('MaxPool with pads that are not Keras "same"', one((g, x) => g.node('MaxPool', [x], { kernel_shape: [2, 2], pads: [1, 1, 1, 1] }, { name: 'mp' }), ['N', 1, 6, 6], /MaxPool 'mp'/, /cannot be expressed with a ZeroPadding layer/));
  it('AveragePool count_include_pad=0 with asymmetric pads', one((g, x) => g.node('AveragePool', [x], { kernel_shape: [3, 3], pads: [0, 0, 2, 2] }, { name: 'ap' }), ['N', 1, 6, 6], /AveragePool 'ap'/, /count_include_pad = 0/));
  it('Softmax over the channel axis of NCHW data (opset 13, axis 1)', one((g, x) => g.node('Softmax', [x], { axis: 1 }, { name: 'sm' }), ['N', 3, 4, 4], /Softmax 'sm'/, /not the model's last axis/));
  it('Div of two run-time tensors', one((g, x) => g.node('Div', [x, g.node('Relu', [x])], {}, { name: 'm' }), ['N', 4], /Div 'm'/, /Div of two run-time tensors/));
  it('Add needing broadcasting', one((g, x) => g.node('Add', [g.node('Relu', [x]), g.node('GlobalAveragePool', [x])], {}, { name: 'a' }), ['N', 2, 3, 3], /Add 'a'/, /broadcasting/));
  it('Add of a constant varying over positions', one((g, x) => g.node('Add', [x, g.init('c', [1, 2, 3, 3])], {}, { name: 'a' }), ['N', 2, 3, 3], /Add 'a'/, /varies over positions/));
  it('Reshape of channels-first data needing a transpose', one((g, x) => g.node('Reshape', [g.node('Conv', [x, g.init('W', [2, 2, 1, 1])]), g.ints('s', [1, 3, 6])], {}, { name: 'rs' }), ['N', 2, 3, 3], /Reshape 'rs'/, /would need a transpose layer/));
  it('Reshape changing the batch axis', one((g, x) => g.node('Reshape', [x, g.ints('s', [2, 3])], {}, { name: 'rs' }), ['N', 6], /Reshape 'rs'/, /changes the batch axis/));
  it('Pad in reflect mode', one((g, x) => g.node('Pad', [x, g.ints('p', [0, 0, 1, 1, 0, 0, 1, 1])], { mode: 'reflect' }, { name: 'pd' }), ['N', 1, 4, 4], /Pad 'pd'/, /mode 'reflect'/));
  it('Pad of the channel axis', one((g, x) => g.node('Pad', [x, g.ints('p', [0, 1, 0, 0, 0, 0, 0, 0])], {}, { name: 'pd' }), ['N', 1, 4, 4], /Pad 'pd'/, /channel axis/));
  it('Flatten keeping several axes', one((g, x) => g.node('Flatten', [x], { axis: 2 }, { name: 'fl' }), ['N', 2, 3, 3], /Flatten 'fl'/, /axis 2/));
  it('Conv fed by a flat vector in an order that needs a transpose', one(
    (g, x) => g.node('Conv', [g.node('Reshape', [g.node('Flatten', [g.node('Relu', [x])]), g.ints('s', [1, 3, 2, 2])]), g.init('W', [1, 3, 1, 1])], {}, { name: 'cv' }),
    ['N', 2, 2, 3],
    /Conv 'cv'/,
    /cannot be fed to this op without reordering the flat vector/,
  ));

  it('variable-size input dimensions', () => {
    const g = new GraphBuilder();
    const y = g.node('Relu', [g.input('x', ['N', 'L', 4])]);
    expectError(g.bytes([y]), UnsupportedError, /input 'x'/, /variable-size dimension/);
  });

  it('a constant graph output', () => {
    const g = new GraphBuilder();
    g.input('x', ['N', 2]);
    const y = g.node('Relu', [g.init('c', [2])]);
    const r = g.node('Relu', ['x']);
    expectError(g.bytes([y, r]), UnsupportedError, /output 'relu_0_out'/, /is a constant/);
  });
});

describe('malformed files → FormatError', () => {
  const valid = (() => {
    const g = new GraphBuilder();
    return g.bytes([g.node('Gemm', [g.input('x', ['N', 16]), g.init('W', [16, 16]), g.init('b', [16])])]);
  })();

  it('garbage, truncated, empty and text files', () => {
    const garbage = [
      Uint8Array.of(0xff, 0xff, 0xff, 0xff),
      valid.subarray(0, Math.floor(valid.length / 2)),
      new Uint8Array(0),
      new TextEncoder().encode('this is not an onnx file\n'),
      new TextEncoder().encode('{"modelTopology": {}}'),
    ];
    for (const b of garbage) expect(() => importOnnx(b)).toThrow(FormatError);
    expect(() => importOnnx(valid)).not.toThrow();
  });

  it('a protobuf that is not a ModelProto (no graph)', () => {
    const T = onnxModelProtoType();
    const noGraph = T.encode(T.fromObject({ ir_version: 8, producer_name: 'x' })).finish();
    expect(() => decodeOnnxModel(noGraph)).toThrow(/no graph/);
    expect(() => importOnnx(noGraph)).toThrow(FormatError);
  });

  it('tensor payload not matching its dims', () => {
    const bytes = encodeOnnxModel({
      nodes: [{ opType: 'Add', inputs: ['x', 'c'], outputs: ['y'] }],
      inputs: [{ name: 'x', shape: ['N', 3] }],
      outputs: [{ name: 'y' }],
      initializers: [{ name: 'c', dims: [3], data: [1, 2] }],
    });
    expect(() => importOnnx(bytes)).toThrow(FormatError);
    expect(() => importOnnx(bytes)).toThrow(/initializer\[0\] 'c': tensor holds 2 values, dims \[3\] need 3/);
  });

  it('a node reading an undefined value', () => {
    const bytes = encodeOnnxModel({
      nodes: [{ opType: 'Relu', inputs: ['nowhere'], outputs: ['y'], name: 'r' }],
      inputs: [{ name: 'x', shape: ['N', 3] }],
      outputs: [{ name: 'y' }],
    });
    expect(() => importOnnx(bytes)).toThrow(FormatError);
    expect(() => importOnnx(bytes)).toThrow(/node\[0\] \(Relu 'r'\): input 'nowhere' is not produced/);
  });

  it('a missing file', () => {
    expect(() => loadOnnxModel('/nonexistent/model.onnx')).toThrow(FormatError);
  });
});
