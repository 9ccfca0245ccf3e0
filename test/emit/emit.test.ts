/**
 * The HLS emitter without a compiler: deterministic output (snapshots), instruction tables in
 * parameters.h, exact raw weights, default inputs, and bad input (existing directory, names that
 * are not C identifiers, unsupported layers).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/errors.js';
import { parseFixedType } from '../../src/fixed/index.js';
import { readReferenceModel } from '../../src/graph/reference-model.js';
import { cIdentifier, emitProject, ProjectExistsError, ToolchainError, csimProject, randomRawInputs } from '../../src/emit/index.js';
import { formatRawInitializer, fixedLiteral, rawStorageType } from '../../src/emit/literals.js';
import { goldenDir, tinyParallelGraph, tinyStreamGraph } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'hlsemu-emit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function listFiles(dir: string, base = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

function read(dir: string, rel: string): string {
  return readFileSync(join(dir, rel), 'utf8');
}

/** Parse `const T config_x::name[N] = { ... };` out of parameters.h. */
function structArray(params: string, struct: string, name: string): number[] {
  const re = new RegExp(`${struct}::${name}\\[\\d+\\] = \\{([^}]*)\\}`);
  const m = re.exec(params);
  if (!m) throw new Error(`${struct}::${name} not found`);
  return m[1]!.split(',').map((s) => Number(s.trim()));
}

/** Parse the raw initializer of a weights/<name>.h file. */
function weightValues(text: string): number[] {
  const body = /\{([^}]*)\}/.exec(text)![1]!;
  return body.split(',').map((s) => Number(s.trim()));
}

describe('emitProject output', () => {
  it('writes the whole project layout', () => {
    const r = emitProject(tinyParallelGraph(), join(tmp, 'layout'));
    expect(r.name).toBe('myproject');
    expect(r.files).toEqual(listFiles(r.dir));
    for (const f of [
      'firmware/myproject.cpp',
      'firmware/myproject.h',
      'firmware/defines.h',
      'firmware/parameters.h',
      'firmware/weights/fc1_w.h',
      'firmware/weights/fc2_w.h',
      'firmware/weights/softmax_exp_table.h',
      'firmware/hlsemu/hlsemu_common.h',
      'firmware/hlsemu/hlsemu_dense.h',
      'firmware/hlsemu/hlsemu_activation.h',
      'firmware/hlsemu/hlsemu_softmax.h',
      'tb/myproject_test.cpp',
      'tb/inputs.txt',
      'Makefile',
      'build_prj.tcl',
      'hlsemu.json',
    ]) {
      expect(r.files).toContain(f);
    }
    // only the kernel headers the layers use are shipped
    expect(r.files).not.toContain('firmware/hlsemu/hlsemu_conv.h');
  });

  it('is deterministic and matches the snapshots (io_parallel)', () => {
    const a = emitProject(tinyParallelGraph(), join(tmp, 'det-a'));
    const b = emitProject(tinyParallelGraph(), join(tmp, 'det-b'));
    expect(a.files).toEqual(b.files);
    for (const f of a.files) expect(read(a.dir, f), f).toBe(read(b.dir, f));
    for (const f of a.files.filter((f) => !f.startsWith('firmware/hlsemu/'))) {
      expect(read(a.dir, f)).toMatchSnapshot(f);
    }
  });

  it('is deterministic and matches the snapshots (io_stream)', () => {
    const a = emitProject(tinyStreamGraph(), join(tmp, 'st-a'), { name: 'tiny_stream', samples: 3 });
    const b = emitProject(tinyStreamGraph(), join(tmp, 'st-b'), { name: 'tiny_stream', samples: 3 });
    for (const f of a.files) expect(read(a.dir, f), f).toBe(read(b.dir, f));
    for (const f of a.files.filter((f) => !f.startsWith('firmware/hlsemu/'))) {
      expect(read(a.dir, f)).toMatchSnapshot(f);
    }
  });

  it('writes the Encoded instruction tables of the graph into parameters.h', () => {
    const ref = readReferenceModel(JSON.parse(readFileSync(join(goldenDir('model_svhn_encoded_a.json'), 'model_svhn_encoded_a.json'), 'utf8')));
    const r = emitProject(ref.graph, join(tmp, 'encoded'), { inputs: ref.inputs.slice(0, 2) });
    const params = read(r.dir, 'firmware/parameters.h');
    let convs = 0;
    let pools = 0;
    for (const L of ref.graph.layers) {
      if (L.cls === 'Conv2D') {
        expect(structArray(params, `config_${L.name}`, 'pixels')).toEqual(L.config.pixels);
        expect(params).toContain(`static const unsigned min_height = ${String(L.config.min_height)};`);
        convs++;
      }
      if (L.cls === 'MaxPooling2D') {
        expect(structArray(params, `config_${L.name}`, 'pool_table_height')).toEqual(L.config.pool_table_height);
        expect(structArray(params, `config_${L.name}`, 'pool_table_width')).toEqual(L.config.pool_table_width);
        pools++;
      }
    }
    expect(convs).toBe(3);
    expect(pools).toBe(3);
  });

  it('writes weights as the exact raw mantissas (Resource layers transposed)', () => {
    const ref = readReferenceModel(JSON.parse(readFileSync(join(goldenDir('model_svhn_encoded_a.json'), 'model_svhn_encoded_a.json'), 'utf8')));
    const r = emitProject(ref.graph, join(tmp, 'weights'), { inputs: ref.inputs.slice(0, 1) });
    const conv1 = ref.graph.layers.find((L) => L.name === 'conv1')!;
    expect(weightValues(read(r.dir, 'firmware/weights/conv1_w.h'))).toEqual(Array.from((conv1.weights as Record<string, Float64Array>).weight!));
    // Resource: the file holds the transpose of the Keras kernel (weights_keras of the reference file).
    const raw = JSON.parse(readFileSync(join(goldenDir('model_svhn_encoded_a.json'), 'model_svhn_encoded_a.json'), 'utf8')) as { layers: Array<{ name: string; weights_keras?: number[] }> };
    const keras = raw.layers.find((L) => L.name === 'dense1')!.weights_keras!;
    const nIn = 96;
    const nOut = 42;
    const transposed: number[] = [];
    for (let j = 0; j < nOut; j++) for (let i = 0; i < nIn; i++) transposed.push(keras[i * nOut + j]!);
    expect(weightValues(read(r.dir, 'firmware/weights/dense1_w.h'))).toEqual(transposed);
    expect(read(r.dir, 'firmware/weights/dense1_w.h')).toContain('static const signed char dense1_w[4032]');
  });

  it('formats literals exactly', () => {
    expect(fixedLiteral(-3, parseFixedType('ap_fixed<8,6>'))).toBe('-0.75');
    expect(fixedLiteral(1, parseFixedType('ap_fixed<16,-20>'))).toBe('0.000000000014551915228366851806640625');
    expect(fixedLiteral(5, parseFixedType('ap_fixed<4,8>'))).toBe('80.0');
    expect(rawStorageType(parseFixedType('ap_ufixed<8,3>'))).toBe('unsigned char');
    expect(rawStorageType(parseFixedType('ap_fixed<40,3>'))).toBe('long long');
    expect(formatRawInitializer([1, -2], parseFixedType('ap_fixed<8,4>'), 'b')).toBe('    1, -2');
    expect(() => formatRawInitializer([200], parseFixedType('ap_fixed<8,4>'), 'b')).toThrow(/outside/);
  });

  it('writes ≥ 100 deterministic random samples over the input range by default', () => {
    const r = emitProject(tinyParallelGraph(), join(tmp, 'inputs'));
    const rows = read(r.dir, 'tb/inputs.txt').trim().split('\n');
    expect(rows.length).toBe(100);
    const vals = rows.flatMap((l) => l.split(' ').map(Number));
    expect(vals.length).toBe(400);
    expect(Math.min(...vals)).toBeGreaterThanOrEqual(-32768);
    expect(Math.max(...vals)).toBeLessThanOrEqual(32767);
    expect(Math.max(...vals) - Math.min(...vals)).toBeGreaterThan(50000);
    expect(randomRawInputs(2, 3, parseFixedType('ap_fixed<16,6>'), 7)).toEqual(randomRawInputs(2, 3, parseFixedType('ap_fixed<16,6>'), 7));
  });

  it('quantizes float inputs into the input type', () => {
    const r = emitProject(tinyParallelGraph(), join(tmp, 'float'), { inputs: [[0.5, -1, 0.0009765625, 31.99]], inputKind: 'float' });
    expect(read(r.dir, 'tb/inputs.txt')).toBe('512 -1024 1 32757\n');
  });
});

describe('emitProject bad input', () => {
  it('refuses a non-empty output directory unless force', () => {
    const dir = join(tmp, 'exists');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    expect(() => emitProject(tinyParallelGraph(), dir)).toThrow(ProjectExistsError);
    const r = emitProject(tinyParallelGraph(), dir, { force: true });
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    expect(r.files).toContain('hlsemu.json');
    // A previous project is replaced (stale weight headers removed).
    writeFileSync(join(dir, 'firmware', 'weights', 'stale_w.h'), '');
    emitProject(tinyParallelGraph(), dir, { force: true });
    expect(existsSync(join(dir, 'firmware', 'weights', 'stale_w.h'))).toBe(false);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
  });

  it('sanitises names that are not C identifiers and reports them', () => {
    const r = emitProject(tinyParallelGraph(), join(tmp, 'names'), { name: '2nd model!' });
    expect(r.name).toBe('l2nd_model_');
    expect(r.warnings).toContain("project name '2nd model!' is emitted as 'l2nd_model_' (not a valid C++ identifier)");
    expect(r.warnings).toContain("layer 'act-1' is emitted as 'act_1' (not a valid C++ identifier)");
    expect(r.files).toContain('firmware/l2nd_model_.cpp');
    expect(read(r.dir, 'firmware/l2nd_model_.cpp')).toContain('HLSEMU_TRACE_ARRAY("act_1", act_1_out, N_act_1);');
    expect(cIdentifier('int')).toBe('int_');
    expect(cIdentifier('a__b')).toBe('a_b');
  });

  it('keeps clashing names unique', () => {
    const g = tinyParallelGraph();
    g.layers[1]!.name = 'fc1-';
    g.layers[2]!.inputs = ['fc1-'];
    const r = emitProject(g, join(tmp, 'clash'));
    expect(r.warnings.some((w) => w.includes("'fc1-' is emitted as 'fc1_'"))).toBe(true);
    const layers = r.manifest.layers.map((L) => L.cname);
    expect(new Set(layers).size).toBe(layers.length);
  });

  it('throws UnsupportedError for an unknown layer class or activation', () => {
    const g = tinyParallelGraph();
    (g.layers[1] as { cls: string }).cls = 'ConvLSTM2D';
    expect(() => emitProject(g, join(tmp, 'bad-cls'))).toThrow(UnsupportedError);
    const h = tinyParallelGraph();
    (h.layers[1]!.config as { activation: string }).activation = 'selu';
    expect(() => emitProject(h, join(tmp, 'bad-act'))).toThrow(/activation 'selu' is not supported/);
    expect(existsSync(join(tmp, 'bad-cls'))).toBe(false);
  });

  it('throws a typed error when csim has no ap_types headers', async () => {
    const r = emitProject(tinyParallelGraph(), join(tmp, 'no-ap'));
    const saved = process.env.AP_TYPES_INCLUDE;
    delete process.env.AP_TYPES_INCLUDE;
    try {
      await expect(csimProject(r.dir)).rejects.toThrow(ToolchainError);
      await expect(csimProject(r.dir, { apTypesInclude: tmp })).rejects.toThrow(/has no ap_fixed\.h/);
    } finally {
      if (saved !== undefined) process.env.AP_TYPES_INCLUDE = saved;
    }
  });
});
