// The hls4ml conversion: activation split, linear removal, BN fusion conditions, 'auto' inference,
// stream padding insertion, softmax table fix, reuse-factor validation, weight printing.
import { describe, expect, it } from 'vitest';
import { ConfigError, UnsupportedError } from '../../src/errors.js';
import { formatFixedType } from '../../src/fixed/types.js';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { firmwareLayer } from '../../src/graph/firmware.js';
import { denseBnModel, rnd, sequential } from './helpers.js';

const names = (fw: { layers: { name: string }[] }) => fw.layers.map((l) => l.name);

describe('hls4ml conversion passes', () => {
  it("'model' granularity: linear activation removed, BN not fused, everything fixed<16,6>", () => {
    const fw = convertModel(denseBnModel());
    expect(names(fw)).toEqual(['dense1', 'bn1', 'relu1']);
    expect(fw.changes).toContain('dense1_linear (linear activation) removed: same precision in and out');
    for (const l of fw.layers) expect(formatFixedType(l.types.result)).toBe('ap_fixed<16,6>');
    // missing bias: zeros typed ap_uint<1>
    expect(formatFixedType(firmwareLayer(fw, 'dense1', 'Dense').types.bias)).toBe('ap_ufixed<1,1>');
  });

  it("'name' granularity: BN fused into the Dense (result 'auto'), types inferred", () => {
    const model = denseBnModel(16, 8);
    const cfg = configFromModel(model, { granularity: 'name' });
    const fw = convertModel(model, cfg);
    expect(names(fw)).toEqual(['dense1', 'relu1']);
    expect(fw.changes.some((c) => c.startsWith('bn1 (BatchNormalization) fused into dense1'))).toBe(true);
    const d = firmwareLayer(fw, 'dense1', 'Dense');
    // input <16,6> × weight <16,6> over 16 inputs: W = 16+16+4, I = 6+6+4, then + bias <16,6>: I+1
    expect(formatFixedType(d.types.result)).toBe('ap_fixed<37,17>');
    expect(formatFixedType(d.types.accum)).toBe('ap_fixed<16,6>'); // accum not 'auto' without a backend
    expect(formatFixedType(d.types.bias)).toBe('ap_fixed<16,6>'); // re-read from config after fusion
    // relu 'auto' result → Model default
    expect(formatFixedType(fw.layers[1]!.types.result)).toBe('ap_fixed<16,6>');
  });

  it('a BN after a Dense with an explicit result type is not fused', () => {
    const model = denseBnModel();
    const cfg = configFromModel(model, { granularity: 'name' });
    cfg.LayerName!.dense1!.Precision = { result: 'fixed<12,4>', weight: 'fixed<8,2>', bias: 'fixed<8,2>' };
    const fw = convertModel(model, cfg);
    // linear stays? dense1_linear result 'auto' → parent not auto → not merged; types differ → kept as cast
    expect(names(fw)).toEqual(['dense1', 'dense1_linear', 'bn1', 'relu1']);
  });

  it("io_stream 'same' conv gets a zp2d_ layer with the conv input type", () => {
    const model = sequential('c', [8, 8, 2], [
      { name: 'conv1', className: 'Conv2D', outputShape: [8, 8, 3], attrs: { filters: 3, kernelSize: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', useBias: true }, weights: { kernel: rnd([3, 3, 2, 3]), bias: rnd([3]) } },
    ]);
    const fw = convertModel(model, { Model: { Precision: 'fixed<12,4>' }, IOType: 'io_stream' });
    expect(names(fw)).toEqual(['zp2d_conv1', 'conv1', 'conv1_relu']);
    expect(fw.layers[0]!.config).toMatchObject({ pad_top: 1, pad_bottom: 1, pad_left: 1, pad_right: 1, out_height: 10 });
    expect(fw.layers[1]!.config).toMatchObject({ in_height: 10, pad_top: 0, keras_padding: 'same', implementation: 'LineBuffer' });
    const par = convertModel(model, { Model: { Precision: 'fixed<12,4>' }, IOType: 'io_parallel' });
    expect(names(par)).toEqual(['conv1', 'conv1_relu']);
    expect(par.layers[0]!.config).toMatchObject({ pad_top: 1, pad_left: 1, in_height: 8 });
  });

  it('Encoded conv gets the binary-mask instructions; Resource Dense gets a valid reuse factor', () => {
    const model = sequential('e', [8, 8, 1], [
      { name: 'conv1', className: 'Conv2D', outputShape: [6, 6, 2], attrs: { filters: 2, kernelSize: [3, 3], strides: [1, 1], padding: 'valid', useBias: true }, weights: { kernel: rnd([3, 3, 1, 2]), bias: rnd([2]) } },
      { name: 'flat', className: 'Flatten', outputShape: [72], attrs: {}, weights: {} },
      { name: 'd', className: 'Dense', outputShape: [64], attrs: { units: 64, useBias: true }, weights: { kernel: rnd([72, 64]), bias: rnd([64]) } },
    ]);
    const fw = convertModel(model, { Model: { Precision: 'fixed<16,6>', ConvImplementation: 'Encoded', Strategy: 'Resource', ReuseFactor: 5 }, IOType: 'io_stream' });
    expect(firmwareLayer(fw, 'conv1', 'Conv2D').config.pixels).toEqual([1, 3, 7, 6, 4, 9, 27, 63, 54, 36, 73, 219, 511, 438, 292, 72, 216, 504, 432, 288, 64, 192, 448, 384, 256]);
    const d = firmwareLayer(fw, 'd', 'Dense');
    expect(d.config.reuse_factor_requested).toBe(5);
    expect(d.config.reuse_factor).not.toBe(5);
  });

  it('softmax table size is cut to the input width', () => {
    const model = sequential('s', [10], [{ name: 'sm', className: 'Softmax', outputShape: [10], attrs: { axis: -1 }, weights: {} }]);
    const fw = convertModel(model, { Model: { Precision: 'fixed<8,3>' } });
    expect(firmwareLayer(fw, 'sm', 'Softmax').config.table_size).toBe(256);
    expect(firmwareLayer(fw, 'sm', 'Softmax').config.implementation).toBe('stable');
  });

  it('weights are quantized from the printed decimal', () => {
    const model = sequential('p', [1], [
      { name: 'd', className: 'Dense', outputShape: [2], attrs: { units: 2, useBias: true }, weights: { kernel: { shape: [1, 2], data: new Float32Array([0.0624997, -0.00004]) }, bias: { shape: [2], data: new Float32Array([0, 0]) } } },
    ]);
    const fw = convertModel(model, { Model: { Precision: { default: 'fixed<16,6>', weight: 'fixed<8,4>' } } });
    const d = firmwareLayer(fw, 'd', 'Dense');
    expect(Array.from(d.weights.weight)).toEqual([1, 0]); // direct floor would give [0, -1]
    expect(d.text!.weight).toEqual(['0.0625', '-0.0000']);
  });

  it('rejects config keys naming unknown layers', () => {
    let err: unknown;
    try {
      convertModel(denseBnModel(), { Model: { Precision: 'fixed<16,6>' }, LayerName: { dense9: { Precision: 'fixed<8,3>' } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('LayerName.dense9');
    // split activations and hls4ml-created layers are valid keys
    expect(() => convertModel(denseBnModel(), { Model: { Precision: 'fixed<16,6>' }, LayerName: { dense1_linear: { Precision: 'fixed<8,3>' } } })).not.toThrow();
  });

  it('rejects unsupported activations with the layer named', () => {
    const model = sequential('u', [4], [{ name: 'act', className: 'Activation', outputShape: [4], attrs: { activation: 'gelu' }, weights: {} }]);
    expect(() => convertModel(model)).toThrow(UnsupportedError);
    expect(() => convertModel(model)).toThrow(/act\.activation/);
  });
});
