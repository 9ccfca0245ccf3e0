// The layer registry: class lists derived from it, and regressions of facts that used to be stated
// in several places and drifted apart.
import { describe, expect, it } from 'vitest';
import { configFromModel } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { firmwareLayer } from '../../src/graph/firmware.js';
import { parseFixedType } from '../../src/fixed/types.js';
import { FIRMWARE_CLASSES, HLS_CLASSES, KERAS_CLASSES, LAYER_MODULES, MODEL_CLASSES } from '../../src/layers/registry.js';
import { KERAS_LAYER_TABLE } from '../../src/import/layer-map.js';
import { denseBnModel, rnd, sequential } from './helpers.js';

describe('layer registry', () => {
  it('derives every class table from the modules, each class declared once', () => {
    const model = LAYER_MODULES.flatMap((m) => Object.keys((m as { model?: object }).model ?? {}));
    expect(Object.keys(MODEL_CLASSES).sort()).toEqual([...model].sort());
    expect(new Set(model).size).toBe(model.length);
    for (const [cls, spec] of Object.entries(MODEL_CLASSES)) {
      if (spec.removed) continue;
      // every model class that becomes a layer names a registered hls4ml class
      const probe = { name: 'x', className: cls, inputs: [], inputShapes: [[4]], outputShape: [4], attrs: {}, weights: {} };
      expect(HLS_CLASSES[spec.hlsClass!(probe as never)], cls).toBeDefined();
    }
    // the Keras table is the registry's (aliases included)
    expect(KERAS_CLASSES['MaxPool2D']!.cls).toBe('MaxPooling2D');
    expect(Object.keys(KERAS_LAYER_TABLE).every((k) => MODEL_CLASSES[k]?.keras)).toBe(true);
    expect(Object.keys(FIRMWARE_CLASSES)).toContain('AveragePooling1D');
  });

  it('Keras 3: a linear Dense is not split, and configFromModel does not name a split layer (regression)', () => {
    const m = denseBnModel();
    m.source = 'keras3';
    const cfg = configFromModel(m, { granularity: 'name' });
    expect(Object.keys(cfg.LayerName!)).not.toContain('dense1_linear');
    expect(() => convertModel(m, cfg)).not.toThrow();
    // Keras 2 does split it (and hls4ml removes it later)
    const k2 = configFromModel(denseBnModel(), { granularity: 'name' });
    expect(Object.keys(k2.LayerName!)).toContain('dense1_linear');
  });

  it('configFromModel writes accum for global pooling when given a backend (regression)', () => {
    const m = sequential('g', [4, 4, 3], [{ name: 'gap', className: 'GlobalAveragePooling2D', outputShape: [3], attrs: {}, weights: {} }]);
    expect(configFromModel(m, { granularity: 'name', backend: 'Vivado' }).LayerName!.gap!.Precision).toEqual({ result: 'auto', accum: 'auto' });
    expect(configFromModel(m, { granularity: 'name' }).LayerName!.gap!.Precision).toEqual({ result: 'auto' });
  });

  it('BatchNormalization is not fused into a Dense whose weights carry a quantizer (regression)', () => {
    const m = denseBnModel(8, 4);
    m.layers[1]!.quantizers = { weight: parseFixedType('ap_fixed<2,1>') };
    const fw = convertModel(m, configFromModel(m, { granularity: 'name' }));
    expect(fw.layers.map((l) => l.name)).toContain('bn1');
    expect(fw.changes.some((c) => c.includes('fused'))).toBe(false);
    // the quantized weights keep their 2-bit type
    expect(firmwareLayer(fw, 'dense1', 'Dense').types.weight).toEqual(parseFixedType('ap_fixed<2,1>'));
    // without the quantizer hls4ml fuses it
    const plain = convertModel(denseBnModel(8, 4), configFromModel(denseBnModel(8, 4), { granularity: 'name' }));
    expect(plain.layers.map((l) => l.name)).not.toContain('bn1');
  });

  it('a converted graph passes its own layer checks (lowering and checking agree)', async () => {
    const { checkFirmwareGraph } = await import('../../src/graph/check.js');
    const m = sequential('c', [8, 8, 2], [
      { name: 'conv1', className: 'Conv2D', outputShape: [8, 8, 3], attrs: { filters: 3, kernelSize: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', useBias: true }, weights: { kernel: rnd([3, 3, 2, 3]), bias: rnd([3]) } },
      { name: 'pool', className: 'MaxPooling2D', outputShape: [4, 4, 3], attrs: { poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, weights: {} },
      { name: 'flat', className: 'Flatten', outputShape: [48], attrs: {}, weights: {} },
      { name: 'd', className: 'Dense', outputShape: [5], attrs: { units: 5, useBias: true, activation: 'softmax' }, weights: { kernel: rnd([48, 5]), bias: rnd([5]) } },
    ]);
    for (const io of ['io_parallel', 'io_stream'] as const) {
      for (const Strategy of ['Latency', 'Resource']) {
        const fw = convertModel(m, { Model: { Precision: 'fixed<16,6>', Strategy, ReuseFactor: 4, ConvImplementation: 'Encoded' }, IOType: io });
        expect(() => checkFirmwareGraph(fw)).not.toThrow();
      }
    }
  });
});
