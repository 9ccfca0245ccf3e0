/**
 * `hlsemu emit`: write a Vivado / Vitis HLS project for a model (Keras / tfjs file + optional
 * hls4ml config, converted like hls4ml does) or directly for a reference model file.
 *
 * The project is generated into a temporary directory next to `--out` and moved into place only
 * when complete (see src/io/atomic.ts): a failure leaves `--out` as it was.
 */
import { ConfigError } from '../errors.js';
import { emitProject, type EmitResult } from '../emit/project.js';
import type { FirmwareGraph } from '../graph/firmware.js';
import { checkOutputDir } from '../io/atomic.js';
import { validateReferenceModel } from '../conformance/models.js';
import { readJsonObject } from '../io/files.js';
import { limitHint, limits } from '../io/limits.js';
import { intArg, parseCommandArgs, required } from './args.js';
import type { Command } from './commands.js';
import { firmwareFromFiles } from './firmware.js';
import { blameFile, readSamplesFile, type SamplesFile } from './inputs.js';

/**
 * Raw input samples from a JSON file: a reference model file, `{ inputs: [...] }` or a plain array
 * (with `outputs` / `trace` when the file has them). An empty batch is an error.
 *
 * @example const { inputs, outputs } = readInputsFile('test/golden/hls4ml/model_svhn_paper_cnn_a.json');
 */
export function readInputsFile(path: string, opts: { float?: boolean } = {}): SamplesFile {
  return readSamplesFile(path, opts);
}

/** The `emit` command. */
export const emitCommand: Command = {
  summary: 'write a Vivado/Vitis HLS project (C++, testbench, Makefile, build_prj.tcl) for a model',
  help: [
    'usage: hlsemu emit (--model <model> [--config <hls4ml config>] | --reference-model <model.json>) --out <dir>',
    '                   [--name myproject] [--force] [--inputs <samples.json>] [--float] [--samples N] [--seed S]',
    '',
    'Converts the model like hls4ml (or reads a reference model file) and writes an HLS project whose',
    'C simulation reproduces the emulator bit for bit: firmware/ (top function, defines.h, parameters.h,',
    'weights/ as raw mantissas, hlsemu/ kernel headers), tb/ (testbench, inputs.txt), Makefile (g++),',
    'build_prj.tcl (Vitis HLS) and hlsemu.json. Run it with: hlsemu csim <dir>.',
    'The project is written into a temporary directory and moved into place when complete.',
    '',
    '  --model <path>            Keras .h5 / topology .json, or tfjs model.json',
    '  --config <path>           hls4ml config (JSON or YAML); default: hls4ml defaults for the model',
    '  --reference-model <path>  a reference model file (model_*.json): its graph, inputs and outputs',
    '  --out <dir>               output directory (must be empty or absent unless --force)',
    '  --name <id>               project / top function name (default myproject)',
    '  --force                   overwrite an existing project directory (only what a previous emit wrote)',
    '  --inputs <json>           testbench samples: an array of samples or {"inputs": [...]} (raw mantissas)',
    '  --float                   --inputs holds real values, quantized into the input type',
    `  --samples N               random testbench inputs when none are given: 1..${limits().maxSamples} (default 100;`,
    '                            HLSEMU_MAX_SAMPLES raises the limit)',
    '  --seed S                  seed of the random inputs, 0..4294967295 (default 1)',
  ].join('\n'),
  async run(args) {
    const { values } = parseCommandArgs('emit', args, {
      model: { type: 'string' },
      config: { type: 'string' },
      'reference-model': { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      force: { type: 'boolean' },
      inputs: { type: 'string' },
      float: { type: 'boolean' },
      samples: { type: 'string' },
      seed: { type: 'string' },
    });
    const out = required(values.out, '--out', 'emit');
    if (!values.model === !values['reference-model']) throw new ConfigError('--model', 'give exactly one of --model and --reference-model');
    const maxSamples = limits().maxSamples;
    const samples = intArg(values.samples, '--samples', { min: 1, max: maxSamples, hint: limitHint('maxSamples') });
    const seed = intArg(values.seed, '--seed', { min: 0, max: 2 ** 32 - 1 });
    if (values.samples !== undefined && (values.inputs !== undefined || values['reference-model'] !== undefined)) {
      throw new ConfigError('--samples', `random inputs are not used with ${values.inputs !== undefined ? '--inputs' : '--reference-model (its inputs are the testbench samples)'}`);
    }
    // Fail on an unusable --out before any work.
    checkOutputDir(out);
    let graph: FirmwareGraph;
    let inputs: number[][] | undefined;
    let expected: number[][] | undefined;
    let inputsFile: string | undefined;
    if (values['reference-model']) {
      const file = values['reference-model'];
      const { readReferenceModel } = await import('../graph/reference-model.js');
      const m = readJsonObject(file, 'reference model');
      validateReferenceModel(m, file, { requireTrace: false });
      const ref = readReferenceModel(m, file);
      graph = ref.graph;
      inputs = ref.inputs;
      expected = ref.outputs;
      inputsFile = file;
      if (inputs.length === 0) throw new ConfigError(`${file}: inputs`, 'no samples: an empty batch');
    } else {
      graph = await firmwareFromFiles(values.model!, values.config);
    }
    if (values.inputs) {
      const f = readInputsFile(values.inputs, { float: !!values.float });
      inputs = f.inputs;
      expected = values.float ? undefined : f.outputs;
      inputsFile = values.inputs;
    }
    let r: EmitResult;
    try {
      r = emitProject(graph, out, {
        ...(values.name !== undefined ? { name: values.name } : {}),
        force: !!values.force,
        ...(inputs ? { inputs } : {}),
        inputKind: values.float ? 'float' : 'raw',
        ...(expected ? { expectedOutputs: expected } : {}),
        ...(samples !== undefined ? { samples } : {}),
        ...(seed !== undefined ? { seed } : {}),
      });
    } catch (e) {
      throw inputsFile ? blameFile(e, inputsFile) : e;
    }
    for (const w of r.warnings) console.error(`warning: ${w}`);
    console.log(`wrote ${r.files.length} files to ${r.dir} (top function ${r.name}, ${graph.ioType}, ${graph.layers.length} layers, ${r.manifest.samples} testbench samples)`);
    console.log(`C simulation: hlsemu csim ${out}   (needs AP_TYPES_INCLUDE)`);
    return 0;
  },
};
