// Quickstart: from a float tfjs model to the bit-exact outputs of its hls4ml firmware.
// Run: npx tsx examples/quickstart.ts        (the test suite runs it too: test/examples.test.ts)
import { join } from 'node:path';
import {
  Emulator,
  configFromModel,
  convertModel,
  formatFixedType,
  formatReport,
  hlsemuPackageRoot,
  loadBundledFashionMnist,
  loadModel,
} from '../src/index.js';

export async function main(log: (s: string) => void = console.log): Promise<{ accuracy: number; fixedAccuracy: number; overflowLayers: string[] }> {
  // 1. Load a float model (tfjs model.json + weights; Keras JSON + H5 works the same way).
  const root = hlsemuPackageRoot();
  const model = await loadModel(join(root, 'models/fmnist/model.json'));
  log(`model ${model.name}: ${model.layers.length} layers`);

  // 2. Make an hls4ml config, exactly like hls4ml's config_from_keras_model(model) (fixed<16,6>
  //    everywhere), then edit it: io_stream firmware, a narrow first convolution, a latency softmax.
  const cfg = configFromModel(model);
  cfg.IOType = 'io_stream';
  cfg.LayerName = {
    conv1: { Precision: { weight: 'fixed<10,5>', bias: 'fixed<10,5>', result: 'fixed<12,6>' } },
    softmax: { Implementation: 'latency' },
  };

  // 3. Convert with hls4ml's rules (activation split, BN fusion, 'auto' types, padding, …).
  const fw = convertModel(model, cfg);
  for (const change of fw.changes) log(`hls4ml: ${change}`);
  for (const l of fw.layers.slice(0, 4)) log(`${l.name.padEnd(12)} ${l.cls.padEnd(18)} result ${formatFixedType(l.types.result)}`);

  // 4. Predict on real images: outputs as doubles and raw mantissas, every layer's output, overflows.
  const data = await loadBundledFashionMnist(100);
  const emu = new Emulator(fw);
  const r = emu.predict({ data: data.images, shape: data.shape }, { trace: true, report: true });
  const accuracy = argmaxAccuracy(r.values, data.labels, r.n);
  log(`firmware accuracy on ${r.n} images: ${(100 * accuracy).toFixed(1)}%`);
  log(`first image, output raw mantissas (${formatFixedType(r.type)}): ${Array.from(r.raw.subarray(0, 10)).join(' ')}`);
  const conv1 = r.trace!.conv1!;
  log(`trace conv1: shape ${conv1.shape.join('x')}, first values ${Array.from(conv1.raw as Float64Array).slice(0, 4).join(' ')}`);

  // 5. The overflow report: where values wrapped or saturated, and the largest |x| per layer.
  //    Here it flags the softmax: the latency softmax sums exp(x) in accum_t, which is the Model
  //    default fixed<16,6> at this granularity, and exp(13) does not fit — the firmware wraps.
  log(formatReport(r.report!));
  const overflowLayers = r.report!.layers.filter((l) => l.overflowed).map((l) => l.layer);

  // 6. Fix it where the report points — the 'stable' softmax (hls4ml's default) subtracts the max
  //    first, so its exp() values and their sum stay small — and check again.
  cfg.LayerName.softmax = { Implementation: 'stable' };
  const fixed = new Emulator(convertModel(model, cfg)).predict({ data: data.images, shape: data.shape }, { report: true });
  const fixedAccuracy = argmaxAccuracy(fixed.values, data.labels, fixed.n);
  log(`with the stable softmax: ${(100 * fixedAccuracy).toFixed(1)}%, overflowing layers: ${fixed.report!.layers.filter((l) => l.overflowed).map((l) => l.layer).join(', ') || 'none'}`);
  return { accuracy, fixedAccuracy, overflowLayers };
}

function argmaxAccuracy(values: Float64Array, labels: Uint8Array, n: number): number {
  let correct = 0;
  for (let s = 0; s < n; s++) {
    const row = values.subarray(s * 10, s * 10 + 10);
    if (row.indexOf(Math.max(...row)) === labels[s]) correct++;
  }
  return correct / n;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
