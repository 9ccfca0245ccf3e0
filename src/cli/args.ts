/**
 * Command-line argument parsing for every `hlsemu` command: node:util's parseArgs with its errors
 * turned into one-line {@link UsageError}s (an unknown flag gets a "did you mean" suggestion), and
 * strict parsers for numeric flag values (no `1e3` where an integer is needed, no empty strings,
 * no NaN, ranges checked and named).
 */
import { parseArgs } from 'node:util';
import { ConfigError, UsageError } from '../errors.js';

/** One flag of a command. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two short strings. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known word closest to `word` (a typo of at most 2 edits, or a third of its length; or a unique prefix), or undefined.
 *
 * @example closest('trce', ['trace', 'report']) // 'trace'
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(w, k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  if (best !== undefined && bestD <= (word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3)))) return best;
  const prefixed = known.filter((k) => k.startsWith(w) || w.startsWith(k));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

const NUMBER_LIKE = /^-(?:\d|\.\d|inf|nan)/i;

/**
 * Parse a command's arguments. Unknown flags, a flag missing its value, a value given to a boolean
 * flag and unexpected positional arguments are {@link UsageError}s naming the flag. A value that
 * starts with '-' and looks like a number (`--limit -5`) is taken as the value, so that the range
 * check can name it.
 *
 * @example const { values } = parseCommandArgs('predict', ['--model', 'm.json'], { model: { type: 'string' } });
 */
export function parseCommandArgs<T extends Record<string, FlagSpec>>(
  command: string,
  args: string[],
  options: T,
  opts: { positionals?: boolean } = {},
): { values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : T[K]['multiple'] extends true ? string[] : string }; positionals: string[] } {
  const fixed: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    const next = args[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NUMBER_LIKE.test(next)) {
      fixed.push(`${a}=${next}`);
      i++;
    } else fixed.push(a);
  }
  const help = `see 'hlsemu ${command} --help'`;
  try {
    const r = parseArgs({ args: fixed, options: options as never, allowPositionals: !!opts.positionals, strict: true });
    return r as never;
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    const msg = (e as Error).message ?? '';
    const flag = /'(-[^'\s]*)/.exec(msg)?.[1] ?? /'([^']*)'/.exec(msg)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const bare = flag.replace(/^-+/, '').replace(/=.*$/, '');
      const longs = Object.keys(options);
      const guess = flag.startsWith('--') || bare.length > 1 ? closest(bare, longs) : undefined;
      throw new UsageError(flag, `unknown option for 'hlsemu ${command}'${guess ? ` (did you mean --${guess}?)` : ''}; ${help}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/does not take an argument/.test(msg)) throw new UsageError(flag, `takes no value; ${help}`);
      if (/ambiguous/.test(msg)) throw new UsageError(flag, `needs a value; to give one that starts with '-', write ${flag}=<value>`);
      throw new UsageError(flag.replace(/\s.*$/, ''), `needs a value; ${help}`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(flag, `unexpected argument (options start with --); ${help}`);
    }
    throw new UsageError(command, `${msg.split('\n')[0]}; ${help}`);
  }
}

/** Bounds of {@link intArg}. */
export interface IntBounds {
  min?: number;
  max?: number;
  /** Appended to the range message, e.g. the environment variable that raises `max`. */
  hint?: string;
}

/**
 * Parse an integer flag value strictly (decimal digits only; `1.5`, `1e3`, `NaN`, `''` are errors).
 *
 * @throws {ConfigError} naming the flag.
 * @example intArg('200', '--limit', { min: 1 }) // 200
 */
export function intArg(v: string | undefined, flag: string, b: IntBounds = {}): number | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  const n = /^[+-]?\d+$/.test(t) ? Number(t) : NaN;
  const range = rangeText(b);
  if (!Number.isSafeInteger(n)) throw new ConfigError(flag, `must be an integer${range ? ` ${range}` : ''}, got '${v}'`);
  if ((b.min !== undefined && n < b.min) || (b.max !== undefined && n > b.max)) throw new ConfigError(flag, `must be an integer ${range}, got ${n}${b.hint ? ` (${b.hint})` : ''}`);
  return n;
}

/**
 * Parse a finite number flag value strictly (no `NaN`, `Infinity`, hex, or empty string).
 *
 * @throws {ConfigError} naming the flag.
 * @example numArg('0.5', '--target-drop', { min: 0 }) // 0.5
 */
export function numArg(v: string | undefined, flag: string, b: IntBounds = {}): number | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  const n = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
  const range = rangeText(b);
  if (!Number.isFinite(n)) throw new ConfigError(flag, `must be a number${range ? ` ${range}` : ''}, got '${v}'`);
  if ((b.min !== undefined && n < b.min) || (b.max !== undefined && n > b.max)) throw new ConfigError(flag, `must be a number ${range}, got ${n}${b.hint ? ` (${b.hint})` : ''}`);
  return n;
}

function rangeText(b: IntBounds): string {
  if (b.min !== undefined && b.max !== undefined) return `in [${b.min}, ${b.max}]`;
  if (b.min !== undefined) return `>= ${b.min}`;
  if (b.max !== undefined) return `<= ${b.max}`;
  return '';
}

/**
 * A required flag.
 *
 * @throws {UsageError} naming the flag when it is missing.
 * @example const model = required(values.model, '--model', 'predict');
 */
export function required<T>(v: T | undefined, flag: string, command: string): T {
  if (v === undefined || v === '') throw new UsageError(flag, `is required; see 'hlsemu ${command} --help'`);
  return v;
}
