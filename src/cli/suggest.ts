/**
 * `hlsemu suggest`: per-layer fixed-point types from a profile of the float model on real data —
 * integer bits from each tensor's max |value| plus a margin, fractional bits from a scan — written
 * as an hls4ml config and verified by a final bit-exact emulation.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { MAX_WIDTH } from '../fixed/types.js';
import { checkOutputDir, checkOutputFile, writeOutputs } from '../io/atomic.js';
import { parseCommandArgs } from './args.js';
import { COMMON_HELP, COMMON_OPTIONS, intFlag, numFlag, progressFor, resolveInputs, seconds } from '../ptq/cli-support.js';
import { profileModel, writeProfileOutputs } from '../ptq/profile.js';
import { formatSuggestTable, suggestConfig } from '../ptq/suggest.js';
import { lineChartSvg } from '../ptq/svg.js';
import type { Command } from './commands.js';

export const suggestCommand: Command = {
  summary: 'suggest per-layer types (hls4ml config) from a profile and a scan, verified by emulation',
  help: [
    'usage: hlsemu suggest --example fashion-mnist [--data bundled|full|DIR] [options]',
    '       hlsemu suggest --model <model> --data <DIR|x.npy> [options]',
    '',
    'Profiles the float model on the data, gives every tensor (input, results, weights, biases,',
    'BN scales, accumulators) the integer bits its max |value| needs (+ a margin), then scans one',
    'number of fractional bits F common to all tensors from --max-fractional-bits down and keeps the',
    'smallest F whose accuracy stays within --target-drop percentage points of float. The config is',
    'written as hls4ml JSON (LayerName precisions) and verified by emulating it again.',
    '',
    'suggest options:',
    '  --target-drop PP          allowed accuracy drop below float, percentage points (default 0.5)',
    '  --margin B                extra integer bits for activations and accumulators (default 1)',
    '  --weight-margin B         extra integer bits for weights / biases / BN scales (default 0)',
    '  --max-fractional-bits F   start of the F scan (default 12)',
    '  --min-fractional-bits F   end of the F scan (default 0)',
    '  --modes RND[,SAT]         quantization/overflow modes of all suggested types (default TRN,WRAP)',
    '  --requantize              quantization-aware-trained (QKeras/QONNX) models: also size the tensors',
    '                            with trained types (default: keep them, size only the others)',
    '  --config base.json        settings to keep (ReuseFactor, Strategy, softmax…; Model default type)',
    '  --out cfg.json            where to write the config (default ./hlsemu-suggest/config.json)',
    '  --report-dir DIR          also write suggest.json, the F-scan plot and profile plots with the',
    '                            suggested types (default: the --out directory when --out is not given)',
    '',
    COMMON_HELP,
  ].join('\n'),
  async run(args) {
    const { values } = parseCommandArgs('suggest', args, {
      ...COMMON_OPTIONS,
      'target-drop': { type: 'string' },
      margin: { type: 'string' },
      'weight-margin': { type: 'string' },
      'max-fractional-bits': { type: 'string' },
      'min-fractional-bits': { type: 'string' },
      modes: { type: 'string' },
      requantize: { type: 'boolean' },
      out: { type: 'string' },
      'report-dir': { type: 'string' },
    });
    // Flags and outputs are checked before the (slow) model and data loading.
    const targetDrop = numFlag(values['target-drop'], '--target-drop', 0, 100);
    const margin = intFlag(values.margin, '--margin', 0, MAX_WIDTH);
    const weightMargin = intFlag(values['weight-margin'], '--weight-margin', 0, MAX_WIDTH);
    const maxF = intFlag(values['max-fractional-bits'], '--max-fractional-bits', 0, MAX_WIDTH);
    const minF = intFlag(values['min-fractional-bits'], '--min-fractional-bits', 0, MAX_WIDTH);
    if (maxF !== undefined && minF !== undefined && minF > maxF) throw new ConfigError('--min-fractional-bits', `${minF} is above --max-fractional-bits ${maxF}`);
    const out = resolve(values.out ?? join('hlsemu-suggest', 'config.json'));
    const reportDir = values['report-dir'] ?? (values.out ? undefined : dirname(out));
    checkOutputFile(out);
    if (reportDir) {
      checkOutputDir(reportDir);
      for (const f of ['suggest.json', 'suggest-scan.svg', 'suggest-profile.json', 'suggest-profile-weights.svg', 'suggest-profile-activations.svg']) checkOutputFile(join(reportDir, f));
    }
    const inp = await resolveInputs(values);
    const { model, data } = inp;
    const bar = progressFor(values, 'suggest');
    bar.log(`hlsemu suggest: ${model.name} on ${data.n} images (${data.source})`);
    const r = await suggestConfig({
      model,
      data,
      ...(data.labels ? { labels: data.labels } : {}),
      ...(targetDrop !== undefined ? { targetDrop } : {}),
      ...(margin !== undefined ? { margin } : {}),
      ...(weightMargin !== undefined ? { weightMargin } : {}),
      ...(maxF !== undefined ? { maxFractionalBits: maxF } : {}),
      ...(minF !== undefined ? { minFractionalBits: minF } : {}),
      ...(values.modes ? { modes: values.modes } : {}),
      ...(values.requantize ? { requantize: true } : {}),
      ...(inp.baseConfig ? { baseConfig: inp.baseConfig } : {}),
      ...(inp.ioType ? { ioType: inp.ioType } : {}),
      ...(inp.batchSize ? { batchSize: inp.batchSize } : {}),
      ...(inp.workers !== undefined ? { workers: inp.workers } : {}),
      onProgress: (phase, d, t) => bar.update(d, t, phase),
      onStep: (s) => bar.log(`  F=${s.fractionalBits}: ${s.accuracy !== undefined ? `accuracy ${(s.accuracy * 100).toFixed(2)}%, ` : ''}agreement ${(s.agreement * 100).toFixed(1)}% ${s.pass ? '(ok)' : '(below target)'} ${seconds(s.seconds)}`),
    });
    bar.done();
    console.log(formatSuggestTable(r));
    // Everything is computed first, then written as one atomic set (src/io/atomic.ts).
    const p = reportDir ? profileModel({ model, data, config: r.config, configLabel: 'suggested config' }) : undefined;
    const { result: pf } = await writeOutputs(async (o) => {
      o.file(out, JSON.stringify(r.config, null, 2) + '\n');
      if (!reportDir || !p) return undefined;
      const staging = o.dir(reportDir);
      o.file(join(resolve(reportDir), 'suggest.json'), JSON.stringify(r, null, 2) + '\n');
      o.file(
        join(resolve(reportDir), 'suggest-scan.svg'),
        lineChartSvg({
          title: `${r.model}: accuracy vs fractional bits (suggested integer bits)`,
          subtitle: `${r.n} images · chosen F = ${r.fractionalBits}${r.met ? '' : ' (target not met)'}`,
          xLabel: 'fractional bits F (all tensors; accumulators 2F)',
          yLabel: r.target.metric === 'accuracy' ? 'accuracy (%)' : 'agreement with float (%)',
          clamp: [0, 100],
          series: [{ name: 'suggested types', points: r.steps.map((s) => ({ x: s.fractionalBits, y: 100 * (r.target.metric === 'accuracy' ? s.accuracy! : s.agreement) })) }],
          baseline: { y: 100 * r.target.threshold, label: `target (${(100 * r.target.threshold).toFixed(2)}%)` },
        }),
      );
      const f = await writeProfileOutputs(p, staging, { name: 'suggest-profile', png: !!values.png });
      return { weightsSvg: join(resolve(reportDir), basename(f.weightsSvg)), activationsSvg: join(resolve(reportDir), basename(f.activationsSvg)) };
    });
    console.log(`wrote ${out}`);
    if (reportDir && pf) console.log(`wrote ${join(resolve(reportDir), 'suggest.json')}\nwrote ${join(resolve(reportDir), 'suggest-scan.svg')}\nwrote ${pf.weightsSvg}\nwrote ${pf.activationsSvg}`);
    if (!r.met) console.log(`warning: no F in the scanned range keeps the ${r.target.metric} within ${r.target.drop} pp of float`);
    return 0;
  },
};
