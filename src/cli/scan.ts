/**
 * `hlsemu scan`: post-training quantization scan — accuracy vs bit width of the bit-exact firmware
 * on real data (homogeneous `fixed<W,I>`, per layer, or per tensor kind), printed as a table and
 * written as CSV, JSON and an SVG plot.
 */
import { ConfigError } from '../errors.js';
import { MAX_WIDTH } from '../fixed/types.js';
import { intArg, parseCommandArgs } from './args.js';
import { COMMON_HELP, COMMON_OPTIONS, intFlag, progressFor, resolveInputs, seconds } from '../ptq/cli-support.js';
import { configurableLayers, DEFAULT_WIDTHS, parseWidths, TENSOR_KINDS, type TensorKind } from '../ptq/configs.js';
import { checkScanOutputs, formatScanTable, writeScanOutputs } from '../ptq/output.js';
import { homogeneousSeries, kindSeries, layerSeries, runScan, unquantizedSeries, type SeriesSpec } from '../ptq/scan.js';
import { isQatModel } from '../ptq/qat.js';
import { baselineConfig } from '../ptq/configs.js';
import { convertModel } from '../graph/convert.js';
import type { Command } from './commands.js';

export const scanCommand: Command = {
  summary: 'PTQ scan: accuracy of the bit-exact firmware vs bit width on real data (table, CSV, JSON, SVG)',
  help: [
    'usage: hlsemu scan --example fashion-mnist [--data bundled|full|DIR] [options]',
    '       hlsemu scan --model <model> --data <DIR|x.npy> [--labels y.npy] [options]',
    '',
    'For each bit width W, converts the model with hls4ml\'s rules and a config of fixed<W,I> types,',
    'emulates the firmware bit-exactly on the whole dataset and reports the accuracy, the argmax',
    'agreement with the float model, the values that overflowed per layer, and the time taken.',
    '',
    'scan options:',
    '  --widths 16..2            bit widths: a range (16..2, 2..16:2) or a list (16,12,8); default 16..2',
    '  --integer-bits I          fixed<W,I> (default 6), or',
    '  --fractional-bits F       fixed<W,W-F>',
    '  --modes RND[,SAT]         quantization/overflow modes of the scanned types (default TRN,WRAP)',
    '  --kind K[,K…]             series to run: homogeneous (everything fixed<W,I>, the default),',
    '                            weights (weights+biases+BN scales only), results, accum, or all;',
    '                            unquantized (quantization-aware-trained models, their default): the',
    '                            tensors training did not quantize (accumulators, BN, softmax, split',
    '                            activations) at fixed<W,I>, every trained type kept',
    '',
    'A QKeras (or QONNX) model is first evaluated at its trained types (what hls4ml\'s',
    "config_from_keras_model(granularity='name') gives, or --config); that line heads the table.",
    '  --per-layer L[,L…]|all    one series per layer: that layer at fixed<W,I>, the rest at the',
    '                            baseline (--config, default fixed<16,6>)',
    '  --out DIR                 output directory (default ./hlsemu-scan): scan.csv, scan.json, scan.svg',
    '',
    COMMON_HELP,
  ].join('\n'),
  async run(args) {
    const { values } = parseCommandArgs('scan', args, {
      ...COMMON_OPTIONS,
      widths: { type: 'string' },
      'integer-bits': { type: 'string' },
      'fractional-bits': { type: 'string' },
      modes: { type: 'string' },
      kind: { type: 'string' },
      'per-layer': { type: 'string' },
      out: { type: 'string' },
    });
    // Flags and the output directory are checked before the (slow) model and data loading.
    const widths = values.widths ? parseWidths(values.widths) : [...DEFAULT_WIDTHS];
    if (values['integer-bits'] !== undefined && values['fractional-bits'] !== undefined) throw new ConfigError('--integer-bits', 'give --integer-bits or --fractional-bits, not both');
    const integerBits = intArg(values['integer-bits'], '--integer-bits', { min: -MAX_WIDTH, max: MAX_WIDTH });
    const fractionalBits = intFlag(values['fractional-bits'], '--fractional-bits', 0, MAX_WIDTH);
    const outDir = values.out ?? 'hlsemu-scan';
    checkScanOutputs(outDir, { png: !!values.png });
    const inp = await resolveInputs(values);
    const { model, data } = inp;
    const base = { ...(inp.baseConfig ? { baseConfig: inp.baseConfig } : {}), ...(inp.ioType ? { ioType: inp.ioType } : {}) };
    const series: SeriesSpec[] = [];
    const kinds = values.kind ? values.kind.split(',').map((k) => k.trim()).filter(Boolean) : [];
    const qat = isQatModel(model);
    for (const k of kinds.flatMap((k) => (k === 'all' ? [...(qat ? ['unquantized'] : []), 'homogeneous', ...Object.keys(TENSOR_KINDS)] : [k]))) {
      if (k === 'homogeneous') series.push(homogeneousSeries(base));
      else if (k === 'unquantized') series.push(unquantizedSeries(model, base));
      else if (k in TENSOR_KINDS) series.push(kindSeries(k as TensorKind, { ...base, model }));
      else throw new ConfigError('--kind', `unknown kind '${k}' (homogeneous, weights, results, accum, unquantized, all)`);
    }
    if (values['per-layer']) {
      const names = values['per-layer'].trim() === 'all' ? allLayers(inp) : values['per-layer'].split(',').map((s) => s.trim()).filter(Boolean);
      for (const n of names) series.push(layerSeries(model, n, base));
    }
    // a quantization-aware-trained model keeps its trained types unless re-quantizing is asked for
    if (series.length === 0) series.push(qat ? unquantizedSeries(model, base) : homogeneousSeries(base));
    const bar = progressFor(values, 'scan');
    bar.log(`hlsemu scan: ${model.name} on ${data.n} images (${data.source}); ${qat ? 'quantization-aware-trained model: its trained types first, then ' : ''}${series.length} series × ${widths.length} widths`);
    const r = await runScan({
      model,
      data,
      ...(data.labels ? { labels: data.labels } : {}),
      widths,
      ...(integerBits !== undefined ? { integerBits } : {}),
      ...(fractionalBits !== undefined ? { fractionalBits } : {}),
      ...(values.modes ? { modes: values.modes } : {}),
      ...base,
      ...(inp.batchSize ? { batchSize: inp.batchSize } : {}),
      ...(inp.workers !== undefined ? { workers: inp.workers } : {}),
      series,
      onProgress: (p) => bar.update(p.done, p.total, p.phase === 'float' ? 'float reference' : `${p.series} ${p.width}b (${p.point + 1}/${p.points})`),
      onPoint: (s, p) => {
        const acc = p.error ? `error: ${p.error}` : `${p.accuracy !== undefined ? `accuracy ${(p.accuracy * 100).toFixed(2)}%, ` : ''}agreement ${((p.agreement ?? NaN) * 100).toFixed(1)}%, ${p.overflowTotal} overflows`;
        bar.log(`  ${s.name} ${p.type}: ${acc}${p.warnings?.length ? `, ${p.warnings.length} warning${p.warnings.length > 1 ? 's' : ''}` : ''} (${seconds(p.seconds)})`);
      },
    });
    bar.done();
    console.log(formatScanTable(r));
    // precision warnings (weights quantized to 0, collapsed lookup tables), as overflows are: per point
    for (const sr of r.series) {
      for (const p of sr.points) {
        const ws = p.warnings ?? [];
        for (const w of ws.slice(0, 3)) console.log(`warning: ${sr.name} ${p.type}: ${w}`);
        if (ws.length > 3) console.log(`warning: ${sr.name} ${p.type}: ${ws.length - 3} more in scan.json`);
      }
    }
    const files = await writeScanOutputs(r, outDir, { png: !!values.png });
    console.log(`wrote ${files.csv}\nwrote ${files.json}\nwrote ${files.svg}${files.png ? `\nwrote ${files.png}` : ''}`);
    if (values.png && !files.png) console.log('no PNG: install @resvg/resvg-js to render PNGs (npm i @resvg/resvg-js)');
    return 0;
  },
};

/** Every layer of the baseline firmware (plus the input), for --per-layer all. */
function allLayers(inp: { model: Parameters<typeof convertModel>[0]; baseConfig?: Parameters<typeof baselineConfig>[0]; ioType?: Parameters<typeof baselineConfig>[1] }): string[] {
  const fw = convertModel(inp.model, baselineConfig(inp.baseConfig, inp.ioType, inp.model));
  const known = new Set(configurableLayers(inp.model));
  return [fw.input.name, ...fw.layers.map((l) => l.name)].filter((n) => known.has(n));
}
