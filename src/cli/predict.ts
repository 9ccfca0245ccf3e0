/**
 * `hlsemu predict`: import a model, apply an hls4ml config, and print the firmware's outputs
 * (optionally every layer's output and the overflow report), as text or one JSON object.
 */
import { HlsemuError, ShapeError, UsageError } from '../errors.js';
import { Emulator, type PortResult } from '../emulate/predict.js';
import { checkOutputFile, OutputSet } from '../io/atomic.js';
import { encodeNpy } from '../io/npy.js';
import { formatReport } from '../emulate/report.js';
import { formatFixedType, type FixedType } from '../fixed/types.js';
import { firmwareFromFiles } from './firmware.js';
import { parseCommandArgs, required } from './args.js';
import { blameFile, readModelInputs } from './inputs.js';
import type { Command } from './commands.js';

/** A type as the reference vectors spell it. */
export function typeJson(t: FixedType): Record<string, unknown> {
  return { s: t.signed, w: t.W, i: t.I, q: t.Q, o: t.O, n: t.N, cpp: formatFixedType(t) };
}

function rawJson(v: number | bigint): number | string {
  return typeof v === 'bigint' ? v.toString() : Math.abs(v) <= Number.MAX_SAFE_INTEGER ? v : BigInt(v).toString();
}

function rows<T>(flat: ArrayLike<T>, n: number): T[][] {
  const per = flat.length / Math.max(n, 1);
  const out: T[][] = [];
  for (let s = 0; s < n; s++) out.push(Array.from({ length: per }, (_, i) => flat[s * per + i]!));
  return out;
}

/** One output port as JSON: its values and raw mantissas per sample. */
function portJson(o: PortResult, n: number): Record<string, unknown> {
  return { name: o.name, shape: o.shape, type: typeJson(o.type), values: rows(o.values, n), raw: rows(Array.from(o.raw, rawJson), n) };
}

/** The bytes of an --output file: .npy (float64 values, [n, ...shape]) or .json ({@link portJson}). */
function outputFile(o: PortResult, n: number, path: string): string | Uint8Array {
  if (/\.npy$/i.test(path)) return encodeNpy(o.values, [n, ...o.shape], '<f8');
  return `${JSON.stringify(portJson(o, n))}\n`;
}

export const predictCommand: Command = {
  summary: 'bit-exact firmware outputs of a model for some inputs (with --trace / --report)',
  help: [
    'usage: hlsemu predict --model <model.json|keras.json|model.h5> [--config cfg.json|cfg.yml] --input <x.json|x.npy>',
    '                      [--input <x2> ...] [--output <y.npy|y.json> ...] [--trace] [--report] [--json]',
    '',
    'Imports the model, applies the hls4ml config (hls4ml defaults when omitted: fixed<16,6>,',
    'io_parallel) with hls4ml\'s conversion rules, casts the inputs like the firmware and prints the',
    'outputs. --trace adds every layer\'s output, --report the per-layer overflow report.',
    'Inputs: a .npy array, or JSON with nested arrays of numbers or {"data": [...], "shape": [...]};',
    'the first axis is the batch (a single sample may omit it). An empty batch is an error.',
    'A model with several inputs takes one --input per input, in the model\'s input order (the same',
    'number of samples in each). --output writes the outputs to files, one --output per model output',
    'in the model\'s output order: .npy (float64 values, shape [n, ...]) or .json',
    '({ "name", "shape", "type", "values", "raw" }).',
    'With --json it prints one object: { "outputs": { "values": [[...]], "raw": [[...]] } (the first',
    'output), "type": TYPE, "ports": [{ "name", "shape", "type", "values", "raw" }] (every output),',
    '"trace"?: { layer: { "type", "shape", "raw" } }, "report"?: {...} }.',
  ].join('\n'),
  async run(args) {
    const { values } = parseCommandArgs('predict', args, {
      model: { type: 'string' },
      config: { type: 'string' },
      input: { type: 'string', multiple: true },
      output: { type: 'string', multiple: true },
      trace: { type: 'boolean' },
      report: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const modelPath = required(values.model, '--model', 'predict');
    const inputPaths = required(values.input, '--input', 'predict');
    const outputPaths = values.output ?? [];
    for (const f of outputPaths) checkOutputFile(f);
    for (const f of outputPaths) if (!/\.(npy|json)$/i.test(f)) throw new UsageError('--output', `'${f}': give a .npy or .json file`);
    const xs = inputPaths.map((f) => readModelInputs(f));
    const fw = await firmwareFromFiles(modelPath, values.config);
    if (xs.length !== fw.inputs.length) {
      throw new UsageError('--input', `the model has ${fw.inputs.length} input${fw.inputs.length > 1 ? 's' : ''} (${fw.inputs.map((i) => i.name).join(', ')}): give one --input per input, in that order (got ${xs.length})`);
    }
    if (outputPaths.length > 0 && outputPaths.length !== fw.outputs.length) {
      throw new UsageError('--output', `the model has ${fw.outputs.length} output${fw.outputs.length > 1 ? 's' : ''} (${fw.outputs.join(', ')}): give one --output per output, in that order (got ${outputPaths.length})`);
    }
    const emu = new Emulator(fw);
    let r;
    try {
      r = emu.predict(xs.length === 1 ? xs[0]! : xs, { trace: !!values.trace, report: !!values.report });
    } catch (e) {
      // an error about input port j names its file
      const j = xs.length > 1 && e instanceof HlsemuError ? /^inputs\[(\d+)\]/.exec(e.path)?.[1] : undefined;
      throw j !== undefined && inputPaths[Number(j)] ? blameFile(e, inputPaths[Number(j)]!) : blameFile(e, inputPaths[0]!);
    }
    if (r.n === 0) throw new ShapeError(inputPaths[0]!, 'no samples: an empty batch');
    if (outputPaths.length) {
      const set = new OutputSet();
      try {
        r.outputs.forEach((o, k) => set.file(outputPaths[k]!, outputFile(o, r.n, outputPaths[k]!)));
        set.commit();
      } catch (e) {
        set.abort();
        throw e;
      }
    }
    if (values.json) {
      const out: Record<string, unknown> = {
        outputs: { values: rows(r.values, r.n), raw: rows(Array.from(r.raw, rawJson), r.n) },
        type: typeJson(r.type),
        ports: r.outputs.map((o) => portJson(o, r.n)),
      };
      if (r.trace) {
        out.trace = Object.fromEntries(
          Object.entries(r.trace).map(([k, t]) => [k, { type: typeJson(t.type), shape: t.shape, raw: rows(Array.from(t.raw as ArrayLike<number | bigint>, rawJson), r.n) }]),
        );
      }
      if (r.report) out.report = r.report;
      if (fw.warnings?.length) out.warnings = fw.warnings;
      console.log(JSON.stringify(out, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
      return 0;
    }
    const multi = r.outputs.length > 1;
    console.log(`${fw.name}: ${fw.layers.length} firmware layers, ${fw.ioType}, ${multi ? `outputs ${r.outputs.map((o) => `${o.name} ${formatFixedType(o.type)}`).join(', ')}` : `output ${formatFixedType(r.type)}`}`);
    for (const c of fw.changes) console.log(`  hls4ml: ${c}`);
    for (const w of fw.warnings ?? []) console.error(`warning: ${w}`);
    for (const o of r.outputs) {
      if (multi) console.log(`output ${o.name} [${o.shape.join('x')}]`);
      rows(o.values, r.n).forEach((row, s) => {
        let best = 0;
        row.forEach((v, i) => {
          if (v > row[best]!) best = i;
        });
        console.log(`[${s}] argmax ${best}  ${row.map((v) => v.toPrecision(6)).join(' ')}`);
      });
    }
    for (const [k, f] of outputPaths.entries()) console.log(`wrote ${r.outputs[k]!.name} to ${f}`);
    if (r.trace) {
      for (const [k, t] of Object.entries(r.trace)) console.log(`trace ${k} ${formatFixedType(t.type)} [${t.shape.join('x')}] first: ${Array.from((t.raw as ArrayLike<number | bigint>)).slice(0, 8).join(' ')}`);
    }
    if (r.report) console.log(formatReport(r.report));
    return 0;
  },
};
