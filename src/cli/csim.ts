/**
 * `hlsemu csim DIR`: build an emitted HLS project with g++, run its C simulation and compare the
 * outputs with a reference (a samples file with outputs, the emulator, or the project's
 * tb/expected.txt). Prints `N passed, M failed`; exits 1 on any mismatch.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatErrorLine, FormatError, UsageError } from '../errors.js';
import { fsReason, readJsonObject } from '../io/files.js';
import { parseCommandArgs } from './args.js';
import { csimProject, formatCsimResult, type CsimReference } from '../emit/csim.js';
import { emulatorReference, referenceFromExpected } from '../emit/reference.js';
import type { FirmwareGraph } from '../graph/firmware.js';
import { firmwareGraphFromJson } from '../graph/check.js';
import type { Command } from './commands.js';
import { readInputsFile } from './emit.js';

/** Builds a reference (e.g. the emulator's raw predict) for the graph stored in a project's hlsemu.json. */
export type CsimReferenceFactory = (graph: FirmwareGraph) => CsimReference | Promise<CsimReference>;

function reviveGraph(g: unknown): FirmwareGraph {
  return firmwareGraphFromJson(g, 'hlsemu.json');
}

/**
 * The `csim` command with a pluggable reference: `factory(graph)` is asked for a reference function
 * (the graph is rebuilt from the project's hlsemu.json). Without a factory, outputs given with
 * `--inputs` or tb/expected.txt are the reference.
 *
 * @example commands.csim = createCsimCommand((g) => (x) => predictRaw(g, x));
 */
export function createCsimCommand(factory?: CsimReferenceFactory): Command {
  return {
    summary: 'build and run the C simulation of an emitted HLS project (g++), compare with a reference',
    help: [
      'usage: hlsemu csim <dir> [--inputs <samples.json>] [--float] [--trace] [--rebuild] [--json]',
      '',
      'Compiles <dir> (written by hlsemu emit) with g++ and the Xilinx ap_types headers from',
      'AP_TYPES_INCLUDE (a directory with ap_fixed.h and hls_stream.h), runs the testbench and compares',
      `every output with the outputs of --inputs when it has them, else ${factory ? 'the emulator (hlsemu.json holds the graph)' : 'tb/expected.txt'}.`,
      "Prints 'N passed, M failed' and, for mismatching samples, the first layer whose output differs.",
      '',
      '  --inputs <json>   samples to simulate instead of tb/inputs.txt: an array of samples, {"inputs": [...]},',
      '                    or a reference model file (its "outputs" and "trace" are then the reference)',
      '  --float           the samples are real values (quantized into the input type)',
      '  --trace           trace every layer of every sample and compare all traced layers',
      '  --rebuild         recompile even if the binary is up to date',
      '  --json            print the full result as JSON',
    ].join('\n'),
    async run(args) {
      const { values, positionals } = parseCommandArgs(
        'csim',
        args,
        { inputs: { type: 'string' }, float: { type: 'boolean' }, trace: { type: 'boolean' }, rebuild: { type: 'boolean' }, json: { type: 'boolean' } },
        { positionals: true },
      );
      if (positionals.length !== 1) throw new UsageError(positionals.length ? positionals.slice(1).join(' ') : 'csim', `give exactly one project directory; see 'hlsemu csim --help'`);
      const dir = positionals[0]!;
      let st;
      try {
        st = statSync(dir);
      } catch (e) {
        throw new FormatError(dir, `cannot read the project directory: ${fsReason(e)}`);
      }
      if (!st.isDirectory()) throw new FormatError(dir, 'not a directory (give the directory written by hlsemu emit)');
      if (!existsSync(join(dir, 'hlsemu.json'))) throw new FormatError(dir, 'not an hlsemu HLS project (no hlsemu.json; write one with hlsemu emit)');
      let inputs: number[][] | undefined;
      let reference: CsimReference | undefined;
      if (values.inputs) {
        const f = readInputsFile(values.inputs, { float: !!values.float });
        inputs = f.inputs;
        if (f.outputs && !values.float) reference = referenceFromExpected(f.inputs, f.outputs, f.trace);
      }
      if (!reference && factory) {
        // A missing or malformed manifest is an error (csim needs it anyway); only a graph the
        // emulator cannot run falls back to tb/expected.txt.
        const manifest = readJsonObject(join(dir, 'hlsemu.json'), 'project manifest') as { graph: unknown };
        const graph = reviveGraph(manifest.graph);
        try {
          reference = await factory(graph);
        } catch (e) {
          console.error(`warning: no emulator reference (${formatErrorLine(e)}); comparing with tb/expected.txt if present`);
        }
      }
      const r = await csimProject(dir, {
        inputs,
        inputKind: values.float ? 'float' : 'raw',
        reference,
        trace: values.trace ? 'always' : 'on-mismatch',
        rebuild: !!values.rebuild,
      });
      console.log(values.json ? JSON.stringify({ ...r, outputs: undefined }, null, 2) : formatCsimResult(r));
      return r.failed > 0 ? 1 : 0;
    },
  };
}

/**
 * The `csim` command. Reference: the outputs of --inputs when it has them, else the emulator
 * (rebuilt from the project's hlsemu.json), else tb/expected.txt.
 */
export const csimCommand: Command = createCsimCommand(emulatorReference);
