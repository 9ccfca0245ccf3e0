// The whole PTQ study of the hls4ml CNN paper on the bundled Fashion-MNIST CNN (models/fmnist):
// the 10,000-image test set, widths 16..4, the homogeneous series plus weights / results / accum
// only (`hlsemu scan --kind all`) and one series per layer (`--per-layer all`), every point with
// the overflow report — what `hlsemu scan --example fashion-mnist --data full --kind all
// --per-layer all --widths 16..4` computes. Reports the wall time from loading the data to the
// last point, and the process's peak RSS (main thread + worker threads). JSON on stdout.
// Run: npm run bench -- --suite study --json    (or: npx tsx bench/study.bench.ts)
// Env: HLSEMU_STUDY_IMAGES (default 10000), HLSEMU_STUDY_WIDTHS (default "16..4"),
//      HLSEMU_STUDY_WORKERS (default: auto = all cores).
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import '../src/node/register.js';
import { FASHION_MNIST_DEFAULT_DIR, loadFashionMnist } from '../src/data/fashion-mnist.js';
import { convertModel } from '../src/graph/convert.js';
import { loadModel } from '../src/import/index.js';
import { baselineConfig, configurableLayers, parseWidths, TENSOR_KINDS, type TensorKind } from '../src/ptq/configs.js';
import { homogeneousSeries, kindSeries, layerSeries, resolveWorkers, runScan } from '../src/ptq/scan.js';

const N = Number(process.env.HLSEMU_STUDY_IMAGES ?? 10000);
const WIDTHS = parseWidths(process.env.HLSEMU_STUDY_WIDTHS ?? '16..4');
const WORKERS = process.env.HLSEMU_STUDY_WORKERS ? Number(process.env.HLSEMU_STUDY_WORKERS) : 'auto';

/** Run the study benchmark and return the JSON-able result. */
export async function benchStudy(): Promise<Record<string, unknown>> {
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const model = await loadModel(join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'models', 'fmnist', 'model.json'));
  const d = await loadFashionMnist({ split: 'test', limit: N });
  const n = d.labels.length;
  const data = { x: d.images, n, sampleShape: [28, 28, 1], labels: d.labels };
  // --kind all, then --per-layer all (every configurable layer of the baseline firmware, input first).
  const series = [homogeneousSeries(), ...Object.keys(TENSOR_KINDS).map((k) => kindSeries(k as TensorKind))];
  const fw = convertModel(model, baselineConfig());
  const known = new Set(configurableLayers(model));
  for (const l of [fw.input.name, ...fw.layers.map((x) => x.name)].filter((x) => known.has(x))) series.push(layerSeries(model, l));
  let floatSeconds = 0;
  const r = await runScan({ model, data, labels: d.labels, widths: WIDTHS, series, workers: WORKERS });
  floatSeconds = r.float.seconds;
  const seconds = (performance.now() - t0) / 1000;
  const points = r.series.reduce((t, s) => t + s.points.length, 0);
  const errors = r.series.flatMap((s) => s.points.filter((p) => p.error).map((p) => `${s.name} ${p.type}: ${p.error}`));
  const homo = r.series[0]!.points;
  return {
    suite: 'study',
    model: 'models/fmnist (28x28x1 CNN, conv 16/16/24, dense 42/64/10)',
    data: `Fashion-MNIST test (${FASHION_MNIST_DEFAULT_DIR}), ${n} images`,
    seconds: Number(seconds.toFixed(1)),
    points,
    images: n,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    series: r.series.length,
    widths: WIDTHS.join(','),
    workers: resolveWorkers(WORKERS, n),
    cores: availableParallelism(),
    float_seconds: Number(floatSeconds.toFixed(1)),
    point_images_per_s: Math.round((points * n) / seconds),
    float_accuracy: r.float.accuracy,
    homogeneous_accuracy: Object.fromEntries(homo.map((p) => [p.type, p.accuracy])),
    errors,
    load_average_1min: Number(load.toFixed(2)),
    node: process.version,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchStudy().then((r) => console.log(JSON.stringify(r, null, 2)));
}
