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
import { COST_OBJECTIVES, type CostObjective } from '../ptq/cost.js';
import { modelClassCount } from '../ptq/data.js';
import { formatSearchTable, searchToSvg } from '../ptq/output.js';
import { searchConfig } from '../ptq/search.js';
import { binomialInterval } from '../ptq/stats.js';
import { stringify as toYaml } from 'yaml';
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
    '',
    'per-tensor search (with --objective; needs labels):',
    '  --objective bops|dsp|lut  minimise this cost (docs/ptq.md, cost model) by greedy bit stripping',
    '                            of every weight, bias, scale, result and accum type, each candidate',
    '                            emulated bit-exactly on a calibration split; the result and the best',
    '                            uniform-F config are verified on the held-out split',
    '  --calibration-fraction X  share of the data used for calibration (default 0.5)',
    '  --seed N                  seed of the calibration / held-out split (default 1)',
    '  --guard Z                 moves keep calibration accuracy >= target + Z binomial σ (default 1)',
    '  --headroom B              start the search B fractional bits above the uniform F (default 2)',
    '  --max-step B              largest number of bits one move strips (default 2)',
    '  --rank flips|accuracy     rank moves by objective saved per prediction changed (default) or per',
    '                            calibration accuracy lost',
    '  --lut-max-bits B          multipliers with both operands <= B bits count as LUTs (default 10)',
    '  --no-msb                  strip fractional bits only (default: also the integer-bit margin)',
    '  --max-moves N             stop after N accepted moves (default: until no move passes)',
    '  writes config.json and config.yml (--out), and in the report directory suggest.json and',
    '  suggest-pareto.svg (accuracy vs cost, error bars, float / target / chance lines)',
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
      objective: { type: 'string' },
      'calibration-fraction': { type: 'string' },
      seed: { type: 'string' },
      guard: { type: 'string' },
      rank: { type: 'string' },
      headroom: { type: 'string' },
      'max-step': { type: 'string' },
      'lut-max-bits': { type: 'string' },
      'no-msb': { type: 'boolean' },
      'max-moves': { type: 'string' },
    });
    if (values.objective !== undefined) return runSearch(values);
    for (const k of ['calibration-fraction', 'seed', 'guard', 'rank', 'headroom', 'max-step', 'lut-max-bits', 'no-msb', 'max-moves'] as const) {
      if (values[k] !== undefined) throw new ConfigError(`--${k}`, 'is an option of the per-tensor search: give --objective bops|dsp|lut');
    }
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
    let chanceClasses: number | undefined;
    try {
      chanceClasses = modelClassCount(model);
    } catch {
      chanceClasses = undefined;
    }
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
          series: [
            {
              name: 'suggested types',
              points: r.steps.map((s) => {
                const v = r.target.metric === 'accuracy' ? s.accuracy! : s.agreement;
                const [lo, hi] = binomialInterval(v, r.n);
                return { x: s.fractionalBits, y: 100 * v, err: [100 * lo, 100 * hi] as [number, number], overflows: s.overflowTotal };
              }),
            },
          ],
          baseline: { y: 100 * r.target.threshold, label: `target (${(100 * r.target.threshold).toFixed(2)}%)` },
          legendNote: `error bars: binomial 68 % interval on ${r.n} images`,
          ...(chanceClasses ? { chance: { y: 100 / chanceClasses, label: `chance (${(100 / chanceClasses).toFixed(0)}%)` } } : {}),
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

type Values = Record<string, string | boolean | undefined>;

/** `hlsemu suggest --objective …`: the per-tensor search (src/ptq/search.ts). */
async function runSearch(values: Values): Promise<number> {
  const str = (k: string) => values[k] as string | undefined;
  const objective = str('objective')!;
  if (!(COST_OBJECTIVES as readonly string[]).includes(objective)) throw new ConfigError('--objective', `must be one of ${COST_OBJECTIVES.join(', ')}, got '${objective}'`);
  const targetDrop = numFlag(str('target-drop'), '--target-drop', 0, 100);
  const margin = intFlag(str('margin'), '--margin', 0, MAX_WIDTH);
  const weightMargin = intFlag(str('weight-margin'), '--weight-margin', 0, MAX_WIDTH);
  const maxF = intFlag(str('max-fractional-bits'), '--max-fractional-bits', 0, MAX_WIDTH);
  const minF = intFlag(str('min-fractional-bits'), '--min-fractional-bits', 0, MAX_WIDTH);
  if (maxF !== undefined && minF !== undefined && minF > maxF) throw new ConfigError('--min-fractional-bits', `${minF} is above --max-fractional-bits ${maxF}`);
  const fraction = numFlag(str('calibration-fraction'), '--calibration-fraction', 0, 1);
  const seed = intFlag(str('seed'), '--seed', 0, 2 ** 31);
  const guard = numFlag(str('guard'), '--guard', 0, 10);
  const headroom = intFlag(str('headroom'), '--headroom', 0, MAX_WIDTH);
  const rank = str('rank');
  if (rank !== undefined && rank !== 'flips' && rank !== 'accuracy') throw new ConfigError('--rank', `must be flips or accuracy, got '${rank}'`);
  const maxStep = intFlag(str('max-step'), '--max-step', 1, MAX_WIDTH);
  const lutMaxBits = intFlag(str('lut-max-bits'), '--lut-max-bits', 0, MAX_WIDTH);
  const maxMoves = intFlag(str('max-moves'), '--max-moves', 0);
  const out = resolve(str('out') ?? join('hlsemu-suggest', 'config.json'));
  const yml = out.replace(/\.json$/i, '') + '.yml';
  const reportDir = str('report-dir') ?? (str('out') ? undefined : dirname(out));
  checkOutputFile(out);
  checkOutputFile(yml);
  if (reportDir) {
    checkOutputDir(reportDir);
    for (const f of ['suggest.json', 'suggest-pareto.svg']) checkOutputFile(join(reportDir, f));
  }
  const inp = await resolveInputs(values as never);
  const { model, data } = inp;
  if (!data.labels) throw new ConfigError('--data', 'the per-tensor search needs labels (its target is on accuracy)');
  const bar = progressFor(values as never, 'suggest');
  bar.log(`hlsemu suggest --objective ${objective}: ${model.name} on ${data.n} images (${data.source})`);
  const r = await searchConfig({
    model,
    data,
    labels: data.labels,
    objective: objective as CostObjective,
    ...(targetDrop !== undefined ? { targetDrop } : {}),
    ...(margin !== undefined ? { margin } : {}),
    ...(weightMargin !== undefined ? { weightMargin } : {}),
    ...(maxF !== undefined ? { maxFractionalBits: maxF } : {}),
    ...(minF !== undefined ? { minFractionalBits: minF } : {}),
    ...(fraction !== undefined ? { calibrationFraction: fraction } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(guard !== undefined ? { guard } : {}),
    ...(headroom !== undefined ? { headroom } : {}),
    ...(rank !== undefined ? { rank } : {}),
    ...(maxStep !== undefined ? { maxStep } : {}),
    ...(lutMaxBits !== undefined ? { lutMaxBits } : {}),
    ...(maxMoves !== undefined ? { maxMoves } : {}),
    ...(values['no-msb'] ? { stripIntegerBits: false } : {}),
    ...(str('modes') ? { modes: str('modes') } : {}),
    ...(values.requantize ? { requantize: true } : {}),
    ...(inp.baseConfig ? { baseConfig: inp.baseConfig } : {}),
    ...(inp.ioType ? { ioType: inp.ioType } : {}),
    onProgress: (phase, d, t) => bar.update(d, t, phase),
    onStep: (s) => bar.log(`  ${s.label}: accuracy ${(s.accuracy * 100).toFixed(2)}%, ${objective} ${s.objective.toLocaleString('en-US')}${s.pass ? '' : ' (below target)'}`),
  });
  bar.done();
  console.log(formatSearchTable(r));
  let classes: number | undefined;
  try {
    classes = modelClassCount(model);
  } catch {
    classes = undefined;
  }
  await writeOutputs((o) => {
    o.file(out, JSON.stringify(r.suggested.config, null, 2) + '\n');
    o.file(yml, toYaml(r.suggested.config));
    if (reportDir) {
      o.file(join(resolve(reportDir), 'suggest.json'), JSON.stringify(r, null, 2) + '\n');
      o.file(join(resolve(reportDir), 'suggest-pareto.svg'), searchToSvg(r, classes));
    }
  });
  console.log(`wrote ${out}\nwrote ${yml}`);
  if (reportDir) console.log(`wrote ${join(resolve(reportDir), 'suggest.json')}\nwrote ${join(resolve(reportDir), 'suggest-pareto.svg')}`);
  if (!r.uniform.met) console.log(`warning: no F in the scanned range keeps the accuracy within ${r.target_drop} pp of float`);
  if (!r.suggested.heldout_meets_target) console.log('warning: the suggested config misses the target on the held-out split (calibrate on more data, or raise --guard)');
  return 0;
}
