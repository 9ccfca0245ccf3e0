/**
 * Profiling and type suggestion on the bundled Fashion-MNIST CNN (small limits): streaming
 * statistics against exact quantiles, one box per layer in the activation plot (and per weight
 * tensor in the weight plot) with the configured type's band, the integer-bit rule, and a
 * suggested config that parses as an hls4ml config and whose verification accuracy is reported;
 * the `profile` and `suggest` commands write their files.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { profileCommand } from '../../src/cli/profile.js';
import { suggestCommand } from '../../src/cli/suggest.js';
import { parseHls4mlConfig } from '../../src/graph/config.js';
import { convertModel } from '../../src/graph/convert.js';
import type { ModelGraph } from '../../src/graph/model.js';
import {
  formatProfileTable,
  formatSuggestTable,
  integerBitsFor,
  loadExample,
  profileModel,
  profileSvgs,
  suggestConfig,
  TensorStats,
  type LabelledData,
  type Profile,
} from '../../src/ptq/index.js';
import { rng, tempDir } from './helpers.js';
import { checkXml } from './xml.js';

let model: ModelGraph;
let data: LabelledData;
let profile: Profile;
let dir: string;

beforeAll(async () => {
  ({ model, data } = await loadExample('fashion-mnist', { limit: 120 }));
  profile = profileModel({ model, data });
  dir = tempDir();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function quiet<T>(f: () => Promise<T>): Promise<{ value: T; out: string }> {
  const logs: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
  return f().then(
    (value) => {
      spy.mockRestore();
      return { value, out: logs.join('\n') };
    },
    (e: unknown) => {
      spy.mockRestore();
      throw e;
    },
  );
}

describe('TensorStats', () => {
  it('matches exact quantiles of log2|x| within one histogram bin and counts zeros', () => {
    const r = rng(5);
    const xs = Float64Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? 0 : r() * 2 ** (8 * r())));
    const st = new TensorStats().add(xs.subarray(0, 2000)).add(xs.subarray(2000));
    const nz = Array.from(xs)
      .filter((v) => v !== 0)
      .map((v) => Math.log2(Math.abs(v)))
      .sort((a, b) => a - b);
    const q = (p: number) => nz[Math.min(nz.length - 1, Math.floor(p * nz.length))]!;
    const s = st.summary();
    expect(s.zeros).toBe(Array.from(xs).filter((v) => v === 0).length);
    expect(s.log2!.min).toBe(nz[0]);
    expect(s.log2!.max).toBe(nz[nz.length - 1]);
    for (const [p, v] of [[0.25, s.log2!.q1], [0.5, s.log2!.median], [0.75, s.log2!.q3]] as const) expect(Math.abs(v - q(p))).toBeLessThan(1 / 16);
    const below = nz.filter((v) => v < -3).length / nz.length;
    expect(Math.abs(st.fractionBelow(-3) - below)).toBeLessThan(0.01);
    const above = nz.filter((v) => v >= 4).length / nz.length;
    expect(Math.abs(st.fractionAbove(4) - above)).toBeLessThan(0.01);
    expect(new TensorStats().add([0, 0]).summary().log2).toBeNull();
  });
});

describe('profileModel', () => {
  it('profiles every layer output (one box each) and every weight tensor, with type bands', () => {
    const fw = convertModel(model, { Model: { Precision: 'fixed<16,6>', ReuseFactor: 1 } });
    const expected = [fw.input.name, ...model.layers.filter((l) => l.className !== 'InputLayer').map((l) => l.name)];
    expect(profile.activations.map((a) => a.layer)).toEqual(expected);
    expect(profile.n).toBe(120);
    for (const a of profile.activations) {
      expect(a.type).toBe('fixed<16,6>');
      expect(a.band).toEqual([-10, 5]);
    }
    const relu1 = profile.activations.find((a) => a.layer === 'relu1')!;
    expect(relu1.stats.min).toBe(0);
    expect(relu1.stats.zeros).toBeGreaterThan(0);
    // conv kernels and BN scale/bias; the layers without bias have no bias box
    expect(profile.weights.map((w) => `${w.layer}/${w.tensor}`)).toEqual([
      'conv1/weight', 'bn1/scale', 'bn1/bias', 'conv2/weight', 'bn2/scale', 'bn2/bias', 'conv3/weight', 'bn3/scale', 'bn3/bias',
      'dense1/weight', 'bn4/scale', 'bn4/bias', 'dense2/weight', 'bn5/scale', 'bn5/bias', 'dense3/weight', 'dense3/bias',
    ]);
    expect(formatProfileTable(profile)).toMatch(/relu1 \/ result +fixed<16,6>/);
  });

  it('draws one box per layer (activations) and per tensor (weights), each with its band, as well-formed SVG', () => {
    const { weights, activations } = profileSvgs(profile);
    checkXml(weights);
    checkXml(activations);
    const boxes = [...activations.matchAll(/<g class="box" data-row="([^"]+)"/g)].map((m) => m[1]);
    expect(boxes).toEqual(profile.activations.filter((a) => a.stats.log2).map((a) => a.layer));
    expect(boxes).toHaveLength(22);
    expect([...activations.matchAll(/<rect class="band"/g)]).toHaveLength(22);
    expect([...weights.matchAll(/<g class="box"/g)]).toHaveLength(17);
    expect(activations).toMatch(/class="x-label"[^>]*>\|x\| \(log2 scale/);
    expect(activations).toMatch(/class="legend-entry"/);
  });
});

describe('suggestConfig', () => {
  it('sizes integer bits from the max |value| plus a margin', () => {
    expect(integerBitsFor(1, 0)).toBe(2);
    expect(integerBitsFor(0.99, 0)).toBe(1);
    expect(integerBitsFor(4.8, 1)).toBe(5);
    expect(integerBitsFor(0.09, 0)).toBe(-2);
    expect(integerBitsFor(0, 1)).toBe(2);
  });

  it('writes an hls4ml config that parses, meets the target on the scan data and reports its verification', async () => {
    const few = { ...data, n: 80, x: data.x.subarray(0, 80 * 784) };
    const labels = data.labels!.slice(0, 80);
    const r = await suggestConfig({ model, data: few, labels, maxFractionalBits: 10, minFractionalBits: 7, modes: 'RND' });
    const cfg = parseHls4mlConfig(JSON.stringify(r.config));
    expect(cfg.IOType).toBe('io_parallel');
    // inputs in [0, 1]: max 1 needs I = 2, plus the 1-bit margin
    expect(cfg.LayerName!.input1!.Precision).toEqual({ result: `fixed<${3 + r.fractionalBits},3,RND>` });
    expect(r.steps[0]!.fractionalBits).toBe(10);
    expect(r.met).toBe(true);
    const chosen = r.steps.find((s) => s.fractionalBits === r.fractionalBits)!;
    expect(chosen.pass).toBe(true);
    // same data, same config: verification reproduces the scan point
    expect(r.verification.sameDataAsScan).toBe(true);
    expect(r.verification.accuracy).toBe(chosen.accuracy);
    expect(r.verification.accuracy!).toBeGreaterThanOrEqual(r.target.threshold - 1e-12);
    const dense3 = r.layers.find((l) => l.layer === 'dense3')!;
    expect(Object.keys(dense3.types).sort()).toEqual(['accum', 'bias', 'result', 'weight']);
    expect(dense3.types.accum).toMatch(new RegExp(`^fixed<\\d+,\\d+,RND>$`));
    expect(formatSuggestTable(r)).toMatch(/verification \(same data, 80 images, config read back from JSON\): accuracy \d+\.\d+%/);
  });
});

describe('hlsemu profile / suggest (commands)', () => {
  it('profile writes the JSON and both SVGs', async () => {
    const out = join(dir, 'profile');
    const { value, out: text } = await quiet(() => profileCommand.run(['--example', 'fashion-mnist', '--limit', '30', '--out', out, '--quiet']));
    expect(value).toBe(0);
    for (const f of ['profile.json', 'profile-weights.svg', 'profile-activations.svg']) expect(existsSync(join(out, f))).toBe(true);
    expect(text).toMatch(/profiled 30 images/);
  });

  it('suggest writes a config hls4ml-parsable to --out', async () => {
    const cfgPath = join(dir, 'suggest', 'cfg.json');
    const { value, out: text } = await quiet(() =>
      suggestCommand.run(['--example', 'fashion-mnist', '--limit', '30', '--max-fractional-bits', '9', '--min-fractional-bits', '8', '--target-drop', '5', '--out', cfgPath, '--quiet']),
    );
    expect(value).toBe(0);
    expect(() => parseHls4mlConfig(readFileSync(cfgPath, 'utf8'))).not.toThrow();
    expect(text).toMatch(/verification \(same data, 30 images/);
    expect(text).toContain(cfgPath);
  });
});
