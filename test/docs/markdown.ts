/**
 * Fenced code blocks of the project's Markdown files, with the `<!-- snippet … -->` directives
 * that precede them. The rules they follow are in docs/testing.md ("Every snippet runs").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Languages whose blocks the docs test runs (unless marked `no-run: <reason>`). */
export const TS_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'mts']);
export const SH_LANGS = new Set(['sh', 'bash', 'shell', 'console', 'zsh']);

/** What a `<!-- snippet … -->` comment says about the block after it. */
export interface Directives {
  /** Hidden TypeScript run before a TS block (`setup: …` lines, in order). */
  setup: string[];
  /** Text substitutions applied before running (`replace: A => B`), e.g. a smaller sample count. */
  replace: Array<[string, string]>;
  /** Commands of a shell block that are not run: command prefix → reason (`skip <prefix>: <reason>`). */
  skip: Array<{ prefix: string; reason: string }>;
  /** Environment variables the block needs; without them it (or its `csim` commands) is skipped. */
  needs: string[];
  /** Text the block's output must contain (`expect: …`, repeatable). */
  expect: string[];
  /** The named set of input files the block's working directory gets (`fixture: …`). */
  fixture?: string;
  /** The exit code every command of the block must end with (`exit: N`; default 0). */
  exit?: number;
}

/** One fenced code block. */
export interface Block {
  /** Path relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The first word of the info string, lower case ('' when there is none). */
  lang: string;
  /** The rest of the info string. */
  info: string;
  /** The reason given by `no-run: <reason>` in the info string, when present. */
  noRun?: string;
  code: string;
  directives: Directives;
}

/** README.md and every docs/*.md, found afresh on every run (new docs are picked up). */
export function markdownFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => join(root, 'docs', f));
  return [join(root, 'README.md'), ...docs];
}

function emptyDirectives(): Directives {
  return { setup: [], replace: [], skip: [], needs: [], expect: [] };
}

/** Parse the body of a `<!-- snippet … -->` comment. Unknown keys are errors. */
export function parseDirectives(body: string, where: string): Directives {
  const d = emptyDirectives();
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^setup:\s?(.*)$/.exec(line))) d.setup.push(m[1]!);
    else if ((m = /^replace:\s*(.+?)\s+=>\s+(.*)$/.exec(line))) d.replace.push([m[1]!, m[2]!]);
    else if ((m = /^skip\s+(.+?):\s+(\S.{5,})$/.exec(line))) d.skip.push({ prefix: m[1]!.trim(), reason: m[2]! });
    else if ((m = /^needs:\s*(.+)$/.exec(line))) d.needs.push(...m[1]!.split(/[\s,]+/).filter(Boolean));
    else if ((m = /^expect:\s*(.+)$/.exec(line))) d.expect.push(m[1]!);
    else if ((m = /^fixture:\s*(\S+)$/.exec(line))) d.fixture = m[1]!;
    else if ((m = /^exit:\s*(\d+)$/.exec(line))) d.exit = Number(m[1]);
    else throw new Error(`${where}: unknown snippet directive '${line}' (setup, replace, skip <command>: <reason>, needs, expect, fixture, exit)`);
  }
  return d;
}

/** Every fenced block of one Markdown file. */
export function extractBlocks(path: string, root: string): Block[] {
  const file = relative(root, path);
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: Block[] = [];
  let pending: Directives | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const comment = /^\s*<!--\s*snippet\b(.*)$/.exec(text);
    if (comment) {
      const body: string[] = [];
      let rest = comment[1]!;
      let j = i;
      while (!rest.includes('-->')) {
        body.push(rest);
        j++;
        if (j >= lines.length) throw new Error(`${file}:${i + 1}: unterminated snippet comment`);
        rest = lines[j]!;
      }
      body.push(rest.slice(0, rest.indexOf('-->')));
      pending = parseDirectives(body.join('\n'), `${file}:${i + 1}`);
      i = j;
      continue;
    }
    const fence = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(text);
    if (!fence) {
      if (text.trim() !== '') pending = undefined;
      continue;
    }
    const indent = fence[1]!.length;
    const marker = fence[2]!;
    const info = fence[3]!.trim();
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      const close = /^(\s*)(`{3,}|~{3,})\s*$/.exec(l);
      if (close && close[2]![0] === marker[0] && close[2]!.length >= marker.length) break;
      body.push(l.slice(Math.min(indent, l.length - l.trimStart().length)));
    }
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    const [lang = '', ...restInfo] = info.split(/\s+/);
    const infoRest = restInfo.join(' ');
    const noRun = /(?:^|\s)no-run(?::\s*(.*))?$/.exec(infoRest);
    blocks.push({
      file,
      line: i + 1,
      lang: lang.toLowerCase(),
      info: infoRest,
      ...(noRun ? { noRun: (noRun[1] ?? '').trim() } : {}),
      code: body.join('\n'),
      directives: pending ?? emptyDirectives(),
    });
    pending = undefined;
    i = j;
  }
  return blocks;
}

/** Shell words of one command (single and double quotes, backslash escapes). */
export function shellWords(cmd: string): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let q: '"' | "'" | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i]!;
    if (q) {
      if (c === q) q = undefined;
      else if (c === '\\' && q === '"' && i + 1 < cmd.length) cur += cmd[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      q = c;
      has = true;
    } else if (c === '\\' && i + 1 < cmd.length) {
      cur += cmd[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
    }
  }
  if (q) throw new Error(`unterminated quote in: ${cmd}`);
  if (has || cur) words.push(cur);
  return words;
}

/** Index of a `#` comment start (outside quotes, at the start or after whitespace), or -1. */
function commentStart(line: string): number {
  let q: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === q) q = undefined;
    } else if (c === '"' || c === "'") q = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return i;
  }
  return -1;
}

/**
 * The commands of a shell block: comments removed, `\` continuations joined, `&&` chains split,
 * a leading `$ ` prompt removed (lines without one in a `console` block are output, not commands).
 */
export function shellCommands(code: string, lang: string): Array<{ line: number; text: string; output?: string[] }> {
  const out: Array<{ line: number; text: string; output?: string[] }> = [];
  const lines = code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let l = lines[i]!;
    if (lang === 'console') {
      if (!l.startsWith('$ ')) {
        // a transcript's output: belongs to the command above
        const last = out[out.length - 1];
        if (last && l.trim() !== '') (last.output ??= []).push(l);
        continue;
      }
      l = l.slice(2);
    }
    while (l.endsWith('\\') && i + 1 < lines.length) l = l.slice(0, -1) + ' ' + lines[++i]!;
    const c = commentStart(l);
    if (c >= 0) l = l.slice(0, c);
    for (const part of l.split(/\s&&\s/)) if (part.trim() !== '') out.push({ line: start, text: part.trim() });
  }
  return out;
}
