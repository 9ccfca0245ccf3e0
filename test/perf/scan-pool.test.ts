// runScan evaluates all points of a scan together (GraphPool: layers shared with the baseline run
// once per image, points equal to the baseline are not re-run, worker threads or this thread).
// Every point must be exactly what evaluating its config on its own (`evaluateConfig`, i.e.
// Emulator.predict with a report) gives: accuracy, agreement, per-layer overflow counts, input
// overflows.
import { describe, expect, it } from 'vitest';
import { convertModel } from '../../src/graph/convert.js';
import { sharedLayers } from '../../src/emulate/parallel.js';
import { baselineConfig, configurableLayers, layerConfig } from '../../src/ptq/configs.js';
import { loadExample } from '../../src/ptq/data.js';
import { evaluateConfig, floatBaseline, homogeneousSeries, kindSeries, layerSeries, runScan, type ScanResult } from '../../src/ptq/scan.js';

const N = 120;

async function setup() {
  const { model, data } = await loadExample('fashion-mnist', { limit: N });
  // Push some inputs out of range so the input cast overflows at narrow widths.
  const x = Float32Array.from(data.x, (v, i) => (i % 97 === 0 ? v * 200 - 100 : v));
  return { model, data: { ...data, x } };
}

async function expectPointsExact(r: ScanResult, model: Awaited<ReturnType<typeof setup>>['model'], data: Awaited<ReturnType<typeof setup>>['data'], configs: Map<string, (t: string) => Parameters<typeof evaluateConfig>[1]>): Promise<number> {
  const float = floatBaseline(model, data, data.labels);
  let checked = 0;
  for (const s of r.series) {
    for (const p of s.points) {
      const m = await evaluateConfig(model, configs.get(s.name)!(p.type), data, { labels: data.labels!, reference: float.predictions, workers: 1 });
      const label = `${s.name} ${p.type}`;
      expect(p.error, label).toBeUndefined();
      expect(p.accuracy, label).toBe(m.accuracy);
      expect(p.agreement, label).toBe(m.agreement);
      expect(p.overflows, label).toEqual(m.overflows);
      expect(p.overflowDetail, label).toEqual(m.overflowDetail);
      expect(p.inputOverflows, label).toBe(m.inputOverflows);
      checked++;
    }
  }
  return checked;
}

describe('runScan on the graph pool ≡ one evaluateConfig per point', () => {
  for (const workers of [1, 2]) {
    it(`homogeneous, per kind and per layer series (${workers} thread${workers > 1 ? 's' : ''})`, async () => {
      const { model, data } = await setup();
      const layers = configurableLayers(model);
      const pick = [layers[0]!, 'conv1', 'relu1', 'conv2', layers[layers.length - 1]!];
      const series = [homogeneousSeries(), kindSeries('weights'), kindSeries('results'), kindSeries('accum'), ...pick.map((l) => layerSeries(model, l))];
      const r = await runScan({ model, data, labels: data.labels!, widths: [16, 9, 5], workers, batchSize: 50, series });
      expect(r.float.accuracy).toBe(floatBaseline(model, data, data.labels).accuracy);
      const configs = new Map(series.map((s) => [s.name, (t: string) => s.config(t)]));
      const checked = await expectPointsExact(r, model, data, configs);
      expect(checked).toBe(series.length * 3);
      // The narrow points did overflow (the comparison is not vacuous).
      expect(r.series[0]!.points[2]!.overflowTotal).toBeGreaterThan(0);
      expect(r.series[0]!.points.some((p) => p.inputOverflows > 0)).toBe(true);
    }, 300_000);
  }

  it('finds the layers a per-layer config shares with the baseline', async () => {
    const { model } = await setup();
    const base = convertModel(model, baselineConfig());
    expect(sharedLayers(base, base)).toBe(base.layers.length);
    const g = convertModel(model, layerConfig(baselineConfig(), 'conv2', 'fixed<8,3>'));
    const k = base.layers.findIndex((l) => l.name === 'conv2');
    expect(sharedLayers(base, g)).toBe(k);
    const gi = convertModel(model, layerConfig(baselineConfig(), configurableLayers(model)[0]!, 'fixed<8,3>'));
    expect(sharedLayers(base, gi)).toBe(0);
  });
});
