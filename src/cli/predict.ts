/**
 * `hlsemu predict`: import a model, apply an hls4ml config, and print the firmware's outputs
 * (optionally every layer's output and the overflow report), as text or one JSON object.
 */
import { ShapeError } from '../errors.js';
import { Emulator } from '../emulate/predict.js';
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

export const predictCommand: Command = {
  summary: 'bit-exact firmware outputs of a model for some inputs (with --trace / --report)',
  help: [
    'usage: hlsemu predict --model <model.json|keras.json|model.h5> [--config cfg.json|cfg.yml] --input <x.json|x.npy>',
    '                      [--trace] [--report] [--json]',
    '',
    'Imports the model, applies the hls4ml config (hls4ml defaults when omitted: fixed<16,6>,',
    'io_parallel) with hls4ml\'s conversion rules, casts the inputs like the firmware and prints the',
    'outputs. --trace adds every layer\'s output, --report the per-layer overflow report.',
    'Inputs: a .npy array, or JSON with nested arrays of numbers or {"data": [...], "shape": [...]};',
    'the first axis is the batch (a single sample may omit it). An empty batch is an error.',
    'With --json it prints one object: { "outputs": { "values": [[...]], "raw": [[...]] }, "type": TYPE,',
    '"trace"?: { layer: { "type", "shape", "raw" } }, "report"?: {...} }.',
  ].join('\n'),
  async run(args) {
    const { values } = parseCommandArgs('predict', args, {
      model: { type: 'string' },
      config: { type: 'string' },
      input: { type: 'string' },
      trace: { type: 'boolean' },
      report: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const modelPath = required(values.model, '--model', 'predict');
    const inputPath = required(values.input, '--input', 'predict');
    const x = readModelInputs(inputPath);
    const fw = await firmwareFromFiles(modelPath, values.config);
    const emu = new Emulator(fw);
    let r;
    try {
      r = emu.predict(x, { trace: !!values.trace, report: !!values.report });
    } catch (e) {
      throw blameFile(e, inputPath);
    }
    if (r.n === 0) throw new ShapeError(inputPath, 'no samples: an empty batch');
    if (values.json) {
      const out: Record<string, unknown> = {
        outputs: { values: rows(r.values, r.n), raw: rows(Array.from(r.raw, rawJson), r.n) },
        type: typeJson(r.type),
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
    console.log(`${fw.name}: ${fw.layers.length} firmware layers, ${fw.ioType}, output ${formatFixedType(r.type)}`);
    for (const c of fw.changes) console.log(`  hls4ml: ${c}`);
    for (const w of fw.warnings ?? []) console.error(`warning: ${w}`);
    rows(r.values, r.n).forEach((row, s) => {
      let best = 0;
      row.forEach((v, i) => {
        if (v > row[best]!) best = i;
      });
      console.log(`[${s}] argmax ${best}  ${row.map((v) => v.toPrecision(6)).join(' ')}`);
    });
    if (r.trace) {
      for (const [k, t] of Object.entries(r.trace)) console.log(`trace ${k} ${formatFixedType(t.type)} [${t.shape.join('x')}] first: ${Array.from((t.raw as ArrayLike<number | bigint>)).slice(0, 8).join(' ')}`);
    }
    if (r.report) console.log(formatReport(r.report));
    return 0;
  },
};
