/**
 * `hlsemu conformance <file-or-dir>...`: check reference vectors, print one line per file and a
 * final `N passed, M failed`; exit 1 on any failure.
 */
import { parseArgs } from 'node:util';
import { formatReports, runConformance } from '../conformance/index.js';
import type { Command } from './commands.js';

export const conformanceCommand: Command = {
  summary: 'check reference vectors (ap_fixed, hls4ml kernels, models, import cases)',
  help: [
    'usage: hlsemu conformance <file-or-dir>... [--json]',
    '',
    'Checks every case in the given JSON Lines files, model files and import case directories',
    '(directories are searched recursively). Prints one line per file and a last line',
    "'N passed, M failed'. Exits 1 if anything failed or a case kind is unknown.",
  ].join('\n'),
  async run(args) {
    const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
    if (positionals.length === 0) {
      console.error('hlsemu conformance: give at least one file or directory');
      return 2;
    }
    const reports = await runConformance(positionals);
    if (values.json) console.log(JSON.stringify(reports, null, 2));
    else console.log(formatReports(reports));
    return reports.some((r) => r.failed > 0) || reports.length === 0 ? 1 : 0;
  },
};
