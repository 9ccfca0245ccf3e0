/**
 * `hlsemu profile`: per-layer distributions of the float weights and of the float activations on
 * real data, as box plots on a log2 axis with the range of each configured type shaded behind
 * (SVG), plus a text table and a JSON file.
 */
import { basename, join, resolve } from 'node:path';
import { checkOutputDir, checkOutputFile, writeOutputs } from '../io/atomic.js';
import { parseCommandArgs } from './args.js';
import { COMMON_HELP, COMMON_OPTIONS, progressFor, resolveInputs, seconds } from '../ptq/cli-support.js';
import { formatProfileTable, profileModel, writeProfileOutputs } from '../ptq/profile.js';
import type { Command } from './commands.js';

export const profileCommand: Command = {
  summary: 'weight and activation distributions per layer vs the configured types (box plots, SVG)',
  help: [
    'usage: hlsemu profile --example fashion-mnist [--data bundled|full|DIR] [options]',
    '       hlsemu profile --model <model> --data <DIR|x.npy> [options]',
    '',
    'Evaluates the float model on the data and plots, per layer, the distribution of |x| of the',
    'weights (kernels, biases, BatchNormalization scale/bias) and of each layer\'s output as box',
    'plots on a log2 axis (min / quartiles / max of the non-zero values, as hls4ml\'s profiling),',
    'with the range of the type the config gives that tensor (2^-F .. 2^(I-1)) shaded behind.',
    '',
    'profile options:',
    '  --config cfg.json         the types to show (default hls4ml\'s fixed<16,6> everywhere)',
    '  --out DIR                 output directory (default ./hlsemu-profile): profile.json,',
    '                            profile-weights.svg, profile-activations.svg',
    '',
    COMMON_HELP,
  ].join('\n'),
  async run(args) {
    const { values } = parseCommandArgs('profile', args, { ...COMMON_OPTIONS, out: { type: 'string' } });
    const outDir = values.out ?? 'hlsemu-profile';
    checkOutputDir(outDir);
    for (const f of ['profile.json', 'profile-weights.svg', 'profile-activations.svg']) checkOutputFile(join(outDir, f));
    const inp = await resolveInputs(values);
    const bar = progressFor(values, 'profile');
    const p = profileModel({
      model: inp.model,
      data: inp.data,
      ...(inp.baseConfig ? { config: inp.baseConfig, configLabel: basename(values.config!) } : {}),
      ...(inp.ioType ? { ioType: inp.ioType } : {}),
      onProgress: (d, t) => bar.update(d, t, 'float evaluation'),
    });
    bar.done();
    console.log(formatProfileTable(p));
    // Written into a staging directory, moved into place when complete (src/io/atomic.ts).
    const { result: staged } = await writeOutputs((out) => writeProfileOutputs(p, out.dir(outDir), { png: !!values.png }));
    const files = Object.fromEntries(Object.entries(staged).map(([k, v]) => [k, resolve(outDir, basename(v as string))])) as unknown as typeof staged;
    console.log(`profiled ${p.n} images in ${seconds(p.seconds)}`);
    console.log(`wrote ${files.json}\nwrote ${files.weightsSvg}\nwrote ${files.activationsSvg}`);
    if (files.weightsPng) console.log(`wrote ${files.weightsPng}\nwrote ${files.activationsPng}`);
    else if (values.png) console.log('no PNG: install @resvg/resvg-js to render PNGs (npm i @resvg/resvg-js)');
    return 0;
  },
};
