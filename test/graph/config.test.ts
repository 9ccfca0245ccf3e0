// hls4ml config format: parsing, validation, precision lookup order, config_from_keras_model.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { configFromModel, getPrecision, parseHls4mlConfig } from '../../src/graph/config.js';
import { parseFixedType } from '../../src/fixed/types.js';
import { denseBnModel } from './helpers.js';

describe('hls4ml config', () => {
  it('parses JSON and YAML, with Precision as a string or a dict', () => {
    const j = parseHls4mlConfig('{"Model": {"Precision": "fixed<16,6>", "ReuseFactor": 1}, "IOType": "io_stream"}');
    expect(j.IOType).toBe('io_stream');
    const y = parseHls4mlConfig(['Model:', '  Precision:', '    default: fixed<12,4>', '    accum: fixed<20,8>', 'LayerName:', '  dense1:', '    Precision:', '      weight: fixed<8,3,RND,SAT>', 'IOType: io_parallel'].join('\n'));
    expect(getPrecision(y, 'dense1', 'Dense', 'weight')).toEqual(parseFixedType('fixed<8,3,RND,SAT>'));
    expect(getPrecision(y, 'dense1', 'Dense', 'accum')).toEqual(parseFixedType('fixed<20,8>'));
    expect(getPrecision(y, 'dense1', 'Dense', 'result')).toEqual(parseFixedType('fixed<12,4>'));
  });

  it('follows LayerName → LayerType → Model, var before default', () => {
    const c = parseHls4mlConfig({
      Model: { Precision: { default: 'fixed<16,6>', result: 'fixed<18,8>' } },
      LayerType: { Dense: { Precision: { default: 'fixed<10,4>', bias: 'fixed<12,4>' } } },
      LayerName: { d2: { Precision: 'fixed<6,2>' } },
    });
    expect(getPrecision(c, 'd1', 'Dense', 'bias')).toEqual(parseFixedType('fixed<12,4>'));
    expect(getPrecision(c, 'd1', 'Dense', 'weight')).toEqual(parseFixedType('fixed<10,4>'));
    expect(getPrecision(c, 'd2', 'Dense', 'weight')).toEqual(parseFixedType('fixed<6,2>'));
    expect(getPrecision(c, 'act', 'Activation', 'result')).toEqual(parseFixedType('fixed<18,8>'));
    expect(getPrecision(c, 'act', 'Activation', 'table')).toEqual(parseFixedType('fixed<16,6>'));
  });

  it('rejects bad configs with the offending field', () => {
    const cases: [object, string][] = [
      [{}, 'config.Model'],
      [{ Model: { Precision: 'fixed<0,6>' } }, 'config.Model.Precision'],
      [{ Model: { Precision: { weight: 'float32' } } }, 'config.Model.Precision.weight'],
      [{ Model: {}, IOType: 'io_serial' }, 'config.IOType'],
      [{ Model: { ReuseFactor: 0 } }, 'config.Model.ReuseFactor'],
      [{ Model: {}, LayerName: { softmax: { Implementation: 'fast' } } }, 'config.LayerName.softmax.Implementation'],
      [{ Model: {}, Bogus: 1 }, 'config.Bogus'],
    ];
    for (const [c, path] of cases) {
      let err: unknown;
      try {
        parseHls4mlConfig(c);
      } catch (e) {
        err = e;
      }
      expect(err, path).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).path).toBe(path);
    }
  });

  it('config_from_keras_model: model granularity has the hls4ml defaults', () => {
    const c = configFromModel(denseBnModel());
    expect(c.Model).toEqual({ Precision: { default: 'fixed<16,6>' }, ReuseFactor: 1, Strategy: 'Latency', BramFactor: 1_000_000_000, TraceOutput: false });
    expect(c.IOType).toBe('io_parallel');
  });

  it("config_from_keras_model: name granularity writes 'auto' (accum only with a backend) and split activations", () => {
    const c = configFromModel(denseBnModel(), { granularity: 'name' });
    expect(Object.keys(c.LayerName!)).toEqual(['input_1', 'dense1', 'dense1_linear', 'bn1', 'relu1']);
    expect(c.LayerName!.dense1!.Precision).toEqual({ result: 'auto', weight: 'auto', bias: 'auto' });
    // Without a backend hls4ml's bare Activation class declares only `result` (test/golden/import/qkeras_example/config.json: relu1).
    expect(c.LayerName!.relu1).toEqual({ Trace: false, Precision: { result: 'auto' } });
    const b = configFromModel(denseBnModel(), { granularity: 'name', backend: 'Vivado' });
    expect(b.LayerName!.dense1!.Precision).toMatchObject({ accum: 'auto' });
    expect(b.LayerName!.relu1).toEqual({ Trace: false, Precision: { result: 'auto', table: 'fixed<18,8,TRN,WRAP,0>' }, ReuseFactor: 1, TableSize: 1024 });
  });
});
