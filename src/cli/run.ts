/**
 * The `hlsemu` command line as a function: dispatch to a command, print help and version, and turn
 * every failure into one line on stderr and an exit code. `main.ts` only calls {@link runCli}.
 *
 * Exit codes (see docs/cli.md):
 * - 0 success;
 * - 1 a check found mismatches (`conformance`, `csim`);
 * - 2 a usage or input error: unknown flag, bad value, missing / unreadable / malformed file,
 *   unsupported model, unwritable output (one line naming the flag, file or field);
 * - 70 an internal error (a bug in hlsemu): one line; set `HLSEMU_DEBUG=1` for the stack.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatErrorLine, HlsemuError, UsageError } from '../errors.js';
import { hlsemuPackageRoot } from '../data/fashion-mnist.js';
import { closest } from './args.js';
import { commands } from './commands.js';

/** Exit codes of the command line. */
export const EXIT = Object.freeze({ OK: 0, CHECK_FAILED: 1, USAGE: 2, INTERNAL: 70 });

/** The installed hlsemu version (from its package.json). @example cliVersion() // '0.1.0' */
export function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(hlsemuPackageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The top-level usage text. */
export function usage(): string {
  const lines = ['usage: hlsemu <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(12)} ${c.summary}`);
  lines.push('', "run 'hlsemu help <command>' or 'hlsemu <command> --help' for a command's options;", "'hlsemu --version' prints the version");
  return lines.join('\n');
}

function isDebug(): boolean {
  const v = process.env.HLSEMU_DEBUG;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * Print one error line (plus the stack with HLSEMU_DEBUG=1) and return its exit code: 2 for
 * hlsemu's typed errors, 70 for anything else.
 *
 * @example process.exitCode = reportError(e);
 */
export function reportError(e: unknown, write: (s: string) => void = (s) => console.error(s)): number {
  const typed = e instanceof HlsemuError;
  write(`hlsemu: ${formatErrorLine(e)}${typed || isDebug() ? '' : ' (set HLSEMU_DEBUG=1 for details)'}`);
  if (isDebug() && e instanceof Error && e.stack) {
    write(e.stack);
    const cause = (e as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.stack) write(`caused by: ${cause.stack}`);
  }
  return typed ? EXIT.USAGE : EXIT.INTERNAL;
}

function unknownCommand(name: string): UsageError {
  const guess = closest(name, Object.keys(commands));
  return new UsageError(name, `unknown command${guess ? ` (did you mean '${guess}'?)` : ''}; run 'hlsemu help' for the list`);
}

/**
 * Run the command line `argv` (without `node` and the script) and return the exit code. Never
 * throws: failures are printed as one line on stderr.
 *
 * @example process.exitCode = await runCli(['predict', '--model', 'm.json', '--input', 'x.npy']);
 */
export async function runCli(argv: string[]): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      console.error(usage());
      return EXIT.USAGE;
    }
    if (name === '--version' || name === '-V' || name === 'version') {
      console.log(`hlsemu ${cliVersion()}`);
      return EXIT.OK;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      const topic = rest[0];
      if (topic === undefined) {
        console.log(usage());
        return EXIT.OK;
      }
      const c = commands[topic];
      if (!c || !Object.prototype.hasOwnProperty.call(commands, topic)) throw unknownCommand(topic);
      console.log(c.help);
      return EXIT.OK;
    }
    if (name.startsWith('-')) throw new UsageError(name, "options go after the command, e.g. 'hlsemu predict --help'; run 'hlsemu help' for the commands");
    const cmd = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
    if (!cmd) throw unknownCommand(name);
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(cmd.help);
      return EXIT.OK;
    }
    return await cmd.run(rest);
  } catch (e) {
    return reportError(e);
  }
}
