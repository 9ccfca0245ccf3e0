// hls4ml configs as hls4ml's own tests and tutorials write them: honoured the way hls4ml reads
// them (with a warning where hls4ml reads them differently than written), or refused with a typed
// error naming the key. Nothing is silently dropped.
import { describe, expect, it } from 'vitest';
import { ConfigError, UnsupportedError } from '../../src/errors.js';
import { configFromModel, parseHls4mlConfig } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import { firmwareLayer } from '../../src/graph/firmware.js';
import { formatFixedType } from '../../src/fixed/types.js';
import { denseBnModel, rnd, sequential } from './helpers.js';

const softmaxModel = () =>
  sequential('s', [8], [
    { name: 'fc', className: 'Dense', outputShape: [8], attrs: { units: 8, activation: 'linear', useBias: true }, weights: { kernel: rnd([8, 8]), bias: rnd([8]) } },
    { name: 'softmax', className: 'Activation', outputShape: [8], attrs: { activation: 'softmax' }, weights: {} },
  ]);

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('hls4ml config compatibility', () => {
  it("test_softmax.py: Strategy on a softmax is accepted (with a warning), *_t keys set the table and accum types", () => {
    const m = softmaxModel();
    const cfg = configFromModel(m, { granularity: 'name', backend: 'Vivado' });
    Object.assign(cfg.LayerName!.softmax!, { Strategy: 'stable', inv_table_t: 'fixed<18,8,RND,SAT>', exp_table_t: 'fixed<18,8,RND,SAT>', accum_t: 'fixed<19,9>', inv_inp_t: 'fixed<18,8>' });
    const fw = convertModel(m, cfg);
    const sm = firmwareLayer(fw, 'softmax', 'Softmax');
    expect(formatFixedType(sm.types.accum)).toBe('ap_fixed<19,9>');
    expect(formatFixedType(sm.types.inv_inp)).toBe('ap_fixed<18,8>');
    expect(fw.warnings?.some((w) => w.includes('softmax.Strategy does not select the softmax implementation'))).toBe(true);
  });

  it("test_cnn_mnist_qkeras.py: LayerName.softmax.Strategy = 'Stable' is accepted", () => {
    const m = softmaxModel();
    const cfg = configFromModel(m, { granularity: 'name', backend: 'Vivado' });
    cfg.LayerName!.softmax!.Strategy = 'Stable';
    cfg.LayerName!.softmax!.Implementation = 'latency';
    expect(firmwareLayer(convertModel(m, cfg), 'softmax', 'Softmax').config.implementation).toBe('latency');
  });

  it('Precision.table / exp_table written by config_from_keras_model are reported as not read by hls4ml', () => {
    const m = softmaxModel();
    const cfg = configFromModel(m, { granularity: 'name', backend: 'Vivado' });
    (cfg.LayerName!.softmax!.Precision as Record<string, string>).exp_table = 'fixed<10,4>';
    const fw = convertModel(m, cfg);
    // the firmware keeps hls4ml's default: Precision.exp_table is not read, exp_table_t is
    expect(formatFixedType(firmwareLayer(fw, 'softmax', 'Softmax').types.exp_table)).toBe('ap_fixed<18,8,AP_RND,AP_SAT>');
    expect(fw.warnings?.some((w) => /softmax\.Precision\.exp_table is not read by hls4ml/.test(w))).toBe(true);
  });

  it('TableSize (PascalCase) and table_size (snake) both set the table size', () => {
    const m = sequential('t', [4], [{ name: 'act', className: 'Activation', outputShape: [4], attrs: { activation: 'sigmoid' }, weights: {} }]);
    for (const key of ['TableSize', 'table_size']) {
      const fw = convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerName: { act: { [key]: 512 } } });
      expect(firmwareLayer(fw, 'act', 'Activation').config.table_size).toBe(512);
    }
  });

  it('misspelt keys are errors naming the key, with a suggestion', () => {
    const cases: [object, RegExp][] = [
      [{ Model: { ReuseFator: 1 } }, /config\.Model\.ReuseFator.*did you mean 'ReuseFactor'/],
      [{ Model: { Precison: 'fixed<8,4>' } }, /config\.Model\.Precison.*did you mean 'Precision'/],
      [{ Model: {}, LayerName: { d: { ReuseFator: 2 } } }, /LayerName\.d\.ReuseFator.*did you mean 'ReuseFactor'/],
      [{ Model: { Precision: { wieght: 'fixed<8,4>' } } }, /Precision\.wieght.*did you mean 'weight'/],
      [{ Model: {}, IOTyp: 'io_stream' }, /config\.IOTyp.*did you mean 'IOType'/],
      [{ Model: { Strategy: ['Latency'] } }, /config\.Model\.Strategy.*must be a string/],
      [{ Model: {}, LayerName: [] }, /config\.LayerName.*must be an object/],
      [{ Model: { Strategy: 'Latncy' } }, /did you mean 'Latency'/],
    ];
    for (const [c, re] of cases) {
      const e = errorOf(() => parseHls4mlConfig(c));
      expect(e, JSON.stringify(c)).toBeInstanceOf(ConfigError);
      expect(String((e as Error).message) + ' ' + (e as ConfigError).path, JSON.stringify(c)).toMatch(re);
    }
  });

  it('strategies hls4ml has but hlsemu does not emulate are refused naming the layer', () => {
    for (const s of ['ResourceUnrolled', 'distributed_arithmetic', 'da']) {
      const e = errorOf(() => convertModel(denseBnModel(), { Model: { Strategy: s, ReuseFactor: 2 } }));
      expect(e, s).toBeInstanceOf(UnsupportedError);
      expect((e as UnsupportedError).path).toBe('dense1.Strategy');
    }
    // Resource_Unrolled with reuse factor 1 runs hls4ml's Resource kernel
    expect(firmwareLayer(convertModel(denseBnModel(), { Model: { Strategy: 'Resource_Unrolled', ReuseFactor: 1 } }), 'dense1', 'Dense').config.strategy).toBe('resource');
    expect(errorOf(() => parseHls4mlConfig({ Model: { Compression: true } }))).toBeInstanceOf(UnsupportedError);
  });

  it('project keys (Part, ClockPeriod, ProjectName, …) and keys that do not change numbers are accepted', () => {
    const cfg = parseHls4mlConfig({
      OutputDir: 'prj', ProjectName: 'jet', Part: 'xcvu13p-flga2577-2-e', ClockPeriod: 5, ClockUncertainty: '12.5%', Backend: 'Vitis', IOType: 'io_parallel',
      HLSConfig: { Model: { Precision: 'fixed<16,6>', ReuseFactor: 1, Strategy: 'Latency', BramFactor: 1e9, TraceOutput: false, PipelineStyle: 'pipeline', PipelineInterval: 1 }, LayerName: { dense1: { Trace: true, ParallelizationFactor: 1 } } },
    });
    expect(cfg.Part).toBe('xcvu13p-flga2577-2-e');
    expect(cfg.ClockPeriod).toBe(5);
    expect(() => convertModel(denseBnModel(), cfg)).not.toThrow();
  });

  it('a LayerType entry keyed by a parser class hls4ml never looks up is reported', () => {
    const m = sequential('l', [4], [{ name: 'lr', className: 'LeakyReLU', outputShape: [4], attrs: { alpha: 0.3 }, weights: {} }]);
    const fw = convertModel(m, { Model: { Precision: 'fixed<16,6>' }, LayerType: { LeakyReLU: { Precision: { result: 'fixed<8,3>' } } } });
    expect(fw.warnings?.some((w) => w.startsWith('LayerType.LeakyReLU matches no layer'))).toBe(true);
    // hls4ml looks the class up as ParametrizedActivation, so the result keeps the Model default
    expect(formatFixedType(fw.layers[0]!.types.result)).toBe('ap_fixed<16,6>');
  });
});

describe('project settings', () => {
  it('Part, ClockPeriod, ClockUncertainty and ProjectName reach the emitted project; non-numeric keys are recorded', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { emitProject } = await import('../../src/emit/project.js');
    const cfg = parseHls4mlConfig({ ProjectName: 'jet_tagger', Part: 'xc7z020clg400-1', ClockPeriod: 10, ClockUncertainty: '27%', Model: { Precision: 'fixed<16,6>', BramFactor: 1e9, PipelineStyle: 'dataflow' }, LayerName: { dense1: { Trace: true } } });
    const fw = convertModel(denseBnModel(), cfg);
    expect(fw.project).toMatchObject({ ProjectName: 'jet_tagger', Part: 'xc7z020clg400-1', ClockPeriod: 10, ClockUncertainty: '27%' });
    expect(fw.project!.other).toEqual({ 'Model.BramFactor': 1e9, 'Model.PipelineStyle': 'dataflow', 'LayerName.dense1.Trace': true });
    const dir = mkdtempSync(join(tmpdir(), 'hlsemu-prj-'));
    try {
      const r = emitProject(fw, join(dir, 'p'));
      expect(r.name).toBe('jet_tagger');
      const tcl = readFileSync(join(dir, 'p', 'build_prj.tcl'), 'utf8');
      expect(tcl).toContain('part xc7z020clg400-1 clock 10 uncertainty 27%');
      expect(JSON.parse(readFileSync(join(dir, 'p', 'hlsemu.json'), 'utf8')).graph.project.other['Model.PipelineStyle']).toBe('dataflow');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
