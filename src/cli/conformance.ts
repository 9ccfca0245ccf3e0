/**
 * `hlsemu conformance <file-or-dir>...`: check reference vectors, print one line per file and a
 * final `N passed, M failed`; exit 1 on any failure.
 */
import { conformanceExitCode, formatReports, runConformance } from '../conformance/index.js';
import { UsageError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './commands.js';

export const conformanceCommand: Command = {
  summary: 'check reference vectors (ap_fixed, hls4ml kernels, models, import cases)',
  help: [
    'usage: hlsemu conformance <file-or-dir>... [--json]',
    '',
    'Checks every case in the given JSON Lines files, model files and import case directories',
    '(directories are searched recursively). Prints one line per file and a last line',
    "'N passed, M failed'. A case passes only when every required field is present and consistent",
    'and hlsemu reproduces every value; a malformed case, an unknown kind or impl, an empty file and a',
    'directory without reference files all fail with a reason.',
    '',
    'Exit codes: 0 every case passed; 1 a case failed (or nothing was checked); 2 usage error',
    '(no path given, unknown option); 70 internal error. See docs/conformance.md.',
  ].join('\n'),
  async run(args) {
    const { values, positionals } = parseCommandArgs('conformance', args, { json: { type: 'boolean' } }, { positionals: true });
    if (positionals.length === 0) throw new UsageError('conformance', "give at least one file or directory; see 'hlsemu conformance --help'");
    const reports = await runConformance(positionals);
    if (values.json) console.log(JSON.stringify(reports, null, 2));
    else console.log(formatReports(reports));
    return conformanceExitCode(reports);
  },
};
