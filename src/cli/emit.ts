/**
 * `hlsemu emit`: write a Vivado / Vitis HLS project for a model (Keras / tfjs file + optional
 * hls4ml config, converted like hls4ml does) or directly for a reference model file.
 */
import { readFileSync } from 'node:fs';
import { firmwareFromFiles } from './firmware.js';
import { parseArgs } from 'node:util';
import { ConfigError, FormatError } from '../errors.js';
import { emitProject } from '../emit/project.js';
import type { FirmwareGraph } from '../graph/firmware.js';
import type { Command } from './commands.js';

function readJson(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FormatError(path, `cannot read: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new FormatError(path, `invalid JSON: ${(e as Error).message}`);
  }
}

/**
 * Raw input samples from a JSON file: a reference model file, `{ inputs: [...] }` or a plain array
 * (with `outputs` / `trace` when the file has them).
 *
 * @example const { inputs, outputs } = readInputsFile('test/golden/hls4ml/model_svhn_paper_cnn_a.json');
 */
export function readInputsFile(path: string): { inputs: number[][]; outputs?: number[][]; trace?: Record<string, number[][]> } {
  const j = readJson(path) as unknown;
  const rows = Array.isArray(j) ? j : (j as { inputs?: unknown }).inputs;
  if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r))) throw new FormatError(path, 'expected an array of samples or an object with "inputs"');
  const o = Array.isArray(j) ? {} : (j as { outputs?: unknown; trace?: unknown });
  const outputs = Array.isArray(o.outputs) ? (o.outputs as number[][]) : undefined;
  const trace = o.trace && typeof o.trace === 'object' ? (o.trace as Record<string, number[][]>) : undefined;
  return { inputs: rows as number[][], outputs, trace };
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
    '',
    '  --model <path>            Keras .h5 / topology .json, or tfjs model.json',
    '  --config <path>           hls4ml config (JSON or YAML); default: hls4ml defaults for the model',
    '  --reference-model <path>  a reference model file (model_*.json): its graph, inputs and outputs',
    '  --out <dir>               output directory (must be empty or absent unless --force)',
    '  --name <id>               project / top function name (default myproject)',
    '  --force                   overwrite an existing project directory',
    '  --inputs <json>           testbench samples: an array of samples or {"inputs": [...]} (raw mantissas)',
    '  --float                   --inputs holds real values, quantized into the input type',
    '  --samples N, --seed S     random testbench inputs when none are given (default 100 samples, seed 1)',
  ].join('\n'),
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
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
      },
      allowPositionals: false,
    });
    if (!values.out) {
      console.error('hlsemu emit: --out <dir> is required');
      return 2;
    }
    if (!values.model === !values['reference-model']) {
      console.error('hlsemu emit: give exactly one of --model and --reference-model');
      return 2;
    }
    let graph: FirmwareGraph;
    let inputs: number[][] | undefined;
    let expected: number[][] | undefined;
    if (values['reference-model']) {
      const { readReferenceModel } = await import('../graph/reference-model.js');
      const ref = readReferenceModel(readJson(values['reference-model']), values['reference-model']);
      graph = ref.graph;
      inputs = ref.inputs;
      expected = ref.outputs;
    } else {
      graph = await firmwareFromFiles(values.model!, values.config);
    }
    if (values.inputs) {
      const f = readInputsFile(values.inputs);
      inputs = f.inputs;
      expected = values.float ? undefined : f.outputs;
    }
    const num = (k: 'samples' | 'seed'): number | undefined => {
      const v = values[k];
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n)) throw new ConfigError(`--${k}`, `expected an integer, got '${v}'`);
      return n;
    };
    const r = emitProject(graph, values.out, {
      name: values.name,
      force: !!values.force,
      inputs,
      inputKind: values.float ? 'float' : 'raw',
      expectedOutputs: expected,
      samples: num('samples'),
      seed: num('seed'),
    });
    for (const w of r.warnings) console.error(`warning: ${w}`);
    console.log(`wrote ${r.files.length} files to ${r.dir} (top function ${r.name}, ${graph.ioType}, ${graph.layers.length} layers, ${r.manifest.samples} testbench samples)`);
    console.log(`C simulation: hlsemu csim ${values.out}   (needs AP_TYPES_INCLUDE)`);
    return 0;
  },
};
