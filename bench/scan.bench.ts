// Streamed-scan benchmark: one PTQ scan point (`evaluateConfig`: convert, emulate in batches of
// 1,000 with the overflow report, worker threads) over the 60,000 Fashion-MNIST training images on
// the bundled CNN (models/fmnist), reporting throughput and the process's peak RSS. Falls back to
// 60,000 random images when the dataset is not installed. JSON on stdout.
// Run: npm run bench -- --suite scan    (or: npx tsx bench/scan.bench.ts)
// Env: HLSEMU_SCAN_IMAGES (default 60000), HLSEMU_SCAN_WIDTHS (default "16,8"; homogeneous fixed<W,6>/<W,3>).
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import '../src/node/register.js';
import { loadFashionMnist } from '../src/data/fashion-mnist.js';
import { loadModel } from '../src/import/index.js';
import { evaluateConfig } from '../src/ptq/scan.js';

const N = Number(process.env.HLSEMU_SCAN_IMAGES ?? 60000);
const WIDTHS = (process.env.HLSEMU_SCAN_WIDTHS ?? '16,8').split(',').map(Number);

/** Random images in [0, 1) (Float32, like the dataset loader). */
function randomImages(n: number): Float32Array {
  let s = 11 >>> 0;
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 4294967296;
  }
  return x;
}

/** Run the scan benchmark and return the JSON-able result. */
export async function benchScan(): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const model = await loadModel(join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'models', 'fmnist', 'model.json'));
  let data: { images: Float32Array; labels?: Uint8Array };
  let source: string;
  try {
    const d = await loadFashionMnist({ split: 'train', limit: N });
    data = d;
    source = `Fashion-MNIST train (${d.labels.length} images)`;
  } catch {
    data = { images: randomImages(N) };
    source = `random images (${N}; Fashion-MNIST not installed)`;
  }
  const n = data.images.length / 784;
  const samples = { x: data.images, n, sampleShape: [28, 28, 1] };
  const points: Record<string, unknown>[] = [];
  for (const W of WIDTHS) {
    const I = W >= 12 ? 6 : 3;
    const type = `fixed<${W},${I}>`;
    const m = await evaluateConfig(model, { Model: { Precision: type }, IOType: 'io_stream' } as never, samples, { labels: data.labels });
    points.push({
      type,
      images: n,
      seconds: Number(m.seconds.toFixed(2)),
      img_s: Math.round(n / m.seconds),
      accuracy: m.accuracy === undefined ? null : Number(m.accuracy.toFixed(4)),
      overflows: m.overflowTotal,
    });
  }
  return {
    suite: 'scan',
    model: 'models/fmnist (28x28x1 CNN)',
    data: source,
    batch: 1000,
    report: true,
    workers: Math.min(8, availableParallelism()),
    points,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    load_average_1min: Number(loadavg()[0]!.toFixed(2)),
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    node: process.version,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchScan().then((r) => console.log(JSON.stringify(r, null, 2)));
}
