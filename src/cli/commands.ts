/**
 * The table of CLI commands: each parses its own arguments and calls the library.
 */
import { conformanceCommand } from './conformance.js';
import { predictCommand } from './predict.js';

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
};
