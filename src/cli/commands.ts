/**
 * The table of CLI commands: each parses its own arguments and calls the library.
 */
import { conformanceCommand } from './conformance.js';
import { csimCommand } from './csim.js';
import { emitCommand } from './emit.js';
import { predictCommand } from './predict.js';
import { profileCommand } from './profile.js';
import { scanCommand } from './scan.js';
import { suggestCommand } from './suggest.js';

/** One CLI command. */
export interface Command {
  summary: string;
  help: string;
  run(args: string[]): Promise<number>;
}

/** Every command, by name. */
export const commands: Record<string, Command> = {
  conformance: conformanceCommand,
  predict: predictCommand,
  scan: scanCommand,
  profile: profileCommand,
  suggest: suggestCommand,
  emit: emitCommand,
  csim: csimCommand,
};
