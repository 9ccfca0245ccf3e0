/**
 * Every snippet and command in README.md and docs/*.md runs (docs/testing.md, "Every snippet runs").
 *
 * - ts/js blocks are run in this process, with `from 'hlsemu'` pointed at src/index.ts, in a fresh
 *   working directory holding the input files the docs name (model.json, x.npy, cfg.json, …; see
 *   `makeWorkspace`). They may import only 'hlsemu' and node built-ins: what a user of the package can.
 * - sh/bash blocks: each `npx hlsemu …` command runs (in-process `runCli`) in such a
 *   directory and must exit 0; `cd` and `export` are followed; any other command (npm, make, …) must
 *   be named by a `skip <command>: <reason>` directive.
 * - Blocks that are not run say so: a non-runnable language (text, cpp, json, yaml, …) or
 *   `no-run: <reason>` in the info string. A block without a language is an error.
 * - Commands that read the full Fashion-MNIST test set skip (with a message) when it is not installed;
 *   `csim` commands and blocks that declare `needs: AP_TYPES_INCLUDE` skip when that is unset.
 * - Scans, profiles and suggestions on a dataset run on the first HLSEMU_DOCS_LIMIT (100) samples
 *   (`--limit` added when the command has none), and TS blocks may carry `replace:` directives for
 *   the same purpose; HLSEMU_DOCS_FULL=1 runs shell commands as written.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/run.js';
import { FASHION_MNIST_DEFAULT_DIR, loadBundledFashionMnist } from '../../src/data/fashion-mnist.js';
import { encodeNpy } from '../../src/io/npy.js';
import { type Block, SH_LANGS, TS_LANGS, extractBlocks, markdownFiles, shellCommands, shellWords } from './markdown.js';

const ROOT = resolve(__dirname, '..', '..');
const INDEX = join(ROOT, 'src', 'index.ts');
const FULL_DATASET = existsSync(join(FASHION_MNIST_DEFAULT_DIR, 't10k-images-idx3-ubyte.gz'));
const LIMIT = Number(process.env.HLSEMU_DOCS_LIMIT ?? 100);
const FULL = process.env.HLSEMU_DOCS_FULL === '1';
const TEMP = mkdtempSync(join(tmpdir(), 'hlsemu-docs-'));
afterAll(() => rmSync(TEMP, { recursive: true, force: true }));

const blocks: Block[] = markdownFiles(ROOT).flatMap((f) => extractBlocks(f, ROOT));
const where = (b: Block) => `${b.file}:${b.line}`;

// ---- working directories with the files the docs name ----

const FMNIST_CONFIG_YAML = `Model:
  Precision: fixed<16,6>
  ReuseFactor: 1
  Strategy: Latency
LayerName:
  softmax:
    Implementation: stable
`;
const FMNIST_CONFIG_JSON = JSON.stringify({ Model: { Precision: 'fixed<16,6>', ReuseFactor: 1, Strategy: 'Latency' }, IOType: 'io_stream' }, null, 1);

let fmnistSamples: { x: Float32Array; n: number } | undefined;
async function fmnist(n: number): Promise<{ x: Float32Array; n: number }> {
  if (!fmnistSamples) {
    const d = await loadBundledFashionMnist(4);
    fmnistSamples = { x: Float32Array.from(d.images), n: d.shape[0] };
  }
  return { x: fmnistSamples.x.subarray(0, n * 784), n };
}

/**
 * A fresh directory for one block. 'fmnist' (the default): the bundled CNN as model.json, configs
 * (hls4ml_config.yml, hls4ml.yml, cfg.json), inputs (x.npy, x.json: 2 images), an IDX directory
 * (idx-dir), samples.json (2 inputs of the SVHN reference model), my-vectors/; 'qkeras': hls4ml's
 * QKeras example model under the names the QKeras docs use, with x.npy / y.npy for it. Both link
 * models/, data/ and test/golden/ from the repository.
 */
async function makeWorkspace(fixture = 'fmnist'): Promise<string> {
  const dir = mkdtempSync(join(TEMP, 'ws-'));
  symlinkSync(join(ROOT, 'models'), join(dir, 'models'));
  symlinkSync(join(ROOT, 'data'), join(dir, 'data'));
  mkdirSync(join(dir, 'test'));
  symlinkSync(join(ROOT, 'test', 'golden'), join(dir, 'test', 'golden'));
  if (fixture === 'fmnist') {
    copyFileSync(join(ROOT, 'models', 'fmnist', 'model.json'), join(dir, 'model.json'));
    copyFileSync(join(ROOT, 'models', 'fmnist', 'weights.bin'), join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'hls4ml_config.yml'), FMNIST_CONFIG_YAML);
    writeFileSync(join(dir, 'hls4ml.yml'), FMNIST_CONFIG_YAML);
    writeFileSync(join(dir, 'cfg.json'), FMNIST_CONFIG_JSON);
    const { x, n } = await fmnist(2);
    writeFileSync(join(dir, 'x.npy'), encodeNpy(x, [n, 28, 28, 1], '<f4'));
    const rows = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * 784, (i + 1) * 784)));
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ data: rows.flat(), shape: [n, 28, 28, 1] }));
    symlinkSync(join(ROOT, 'data', 'fashion-mnist'), join(dir, 'idx-dir'));
    const svhn = JSON.parse(readFileSync(join(ROOT, 'test', 'golden', 'hls4ml', 'model_svhn_paper_cnn_a.json'), 'utf8')) as { inputs: number[][] };
    writeFileSync(join(dir, 'samples.json'), JSON.stringify({ inputs: svhn.inputs.slice(0, 2) }));
    copyFileSync(join(ROOT, 'test', 'fixtures', 'onnx', 'qonnx', 'mnist-conv_model.onnx'), join(dir, 'model.onnx'));
    mkdirSync(join(dir, 'my-vectors'));
    copyFileSync(join(ROOT, 'test', 'golden', 'hls4ml', 'dense.jsonl'), join(dir, 'my-vectors', 'dense.jsonl'));
  } else if (fixture === 'qkeras') {
    const src = join(ROOT, 'test', 'golden', 'import', 'qkeras_example');
    for (const name of ['qkeras_3layer', 'qkeras_model']) {
      copyFileSync(join(src, 'qkeras_example.json'), join(dir, `${name}.json`));
      copyFileSync(join(src, 'qkeras_example_weights.h5'), join(dir, `${name}_weights.h5`));
    }
    const inputs = JSON.parse(readFileSync(join(src, 'inputs.json'), 'utf8')) as number[][];
    writeFileSync(join(dir, 'x.npy'), encodeNpy(inputs.flat(), [inputs.length, inputs[0]!.length], '<f4'));
    const outputs = (JSON.parse(readFileSync(join(src, 'expected.json'), 'utf8')) as { outputs_raw: unknown[][] }).outputs_raw;
    const classes = outputs[0]!.length;
    writeFileSync(join(dir, 'y.npy'), encodeNpy(inputs.map((_, i) => i % classes), [inputs.length], '<i4'));
  } else if (fixture === 'cli-errors') {
    // docs/cli.md's mistakes: a small model, a .npy whose header promises more than the file holds,
    // and an output directory where a scan file should go.
    const src = join(ROOT, 'test', 'golden', 'import', 'print_rounding');
    copyFileSync(join(src, 'model.json'), join(dir, 'm.json'));
    copyFileSync(join(src, 'weights.bin'), join(dir, 'weights.bin'));
    const npy = encodeNpy(new Float32Array(400), [100, 4], '<f4');
    writeFileSync(join(dir, 'x.npy'), npy.subarray(0, npy.length - 1600 + 12));
    mkdirSync(join(dir, 'out', 'scan.json'), { recursive: true });
  } else {
    throw new Error(`unknown fixture '${fixture}' (fmnist, qkeras, cli-errors)`);
  }
  return dir;
}

// ---- running ----

interface Captured {
  out: string[];
}

/** Run `fn` with console output captured, `cwd` as the working directory and `env` set. */
async function inDir<T>(cwd: string, env: Record<string, string>, cap: Captured, fn: () => Promise<T>): Promise<T> {
  const push = (...a: unknown[]) => void cap.out.push(a.map((v) => (typeof v === 'string' ? v : String(v))).join(' '));
  const spies: Array<{ mockRestore(): void }> = (['log', 'error', 'warn', 'info'] as const).map((k) => vi.spyOn(console, k).mockImplementation(push));
  // Progress lines go straight to stderr.
  spies.push(vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (push(String(chunk).replace(/\n$/, '')), true)));
  const savedCwd = process.cwd();
  const savedEnv: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
  process.chdir(cwd);
  try {
    return await fn();
  } finally {
    process.chdir(savedCwd);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    for (const s of spies) s.mockRestore();
  }
}

/** The block's `expect:` texts occur in its output (runs of blanks compared as one space). */
function checkExpect(b: Block, cap: Captured): void {
  const squash = (t: string) => t.replace(/[ \t]+/g, ' ');
  const out = squash(cap.out.join('\n'));
  for (const e of b.directives.expect) expect(out, `${where(b)}: the docs say the output holds '${e}'`).toContain(squash(e));
}

const DATA_COMMANDS = new Set(['scan', 'profile', 'suggest']);

/** Why a command cannot run here, or undefined. */
function unavailable(args: string[]): string | undefined {
  const dataAt = args.indexOf('--data');
  if (dataAt >= 0 && args[dataAt + 1] === 'full' && !FULL_DATASET) return `the full Fashion-MNIST test set is not installed at ${FASHION_MNIST_DEFAULT_DIR}`;
  if (args[0] === 'csim' && !process.env.AP_TYPES_INCLUDE) return 'AP_TYPES_INCLUDE is not set (C simulation)';
  return undefined;
}

async function runShellBlock(b: Block): Promise<string[]> {
  const cwd0 = await makeWorkspace(b.directives.fixture);
  let cwd = cwd0;
  const env: Record<string, string> = {};
  const cap: Captured = { out: [] };
  const skipped: string[] = [];
  let missing = 0;
  for (const { line, text, output } of shellCommands(b.code, b.lang)) {
    const at = `${b.file}:${b.line + 1 + line}`;
    const skip = b.directives.skip.find((s) => text === s.prefix || text.startsWith(`${s.prefix} `));
    if (skip) {
      skipped.push(`${at}: not run: ${text} (${skip.reason})`);
      continue;
    }
    let words = shellWords(text);
    const assigns: Record<string, string> = {};
    while (words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) {
      const [k, ...v] = words.shift()!.split('=');
      assigns[k!] = v.join('=');
    }
    const [cmd, ...rest] = words;
    if (cmd === 'cd') {
      cwd = isAbsolute(rest[0]!) ? rest[0]! : join(cwd, rest[0]!);
      continue;
    }
    if (cmd === 'export') {
      for (const a of rest) {
        const [k, ...v] = a.split('=');
        if (!b.directives.needs.includes(k!)) env[k!] = v.join('=');
      }
      continue;
    }
    if (cmd === 'hlsemu') throw new Error(`${at}: write 'npx hlsemu …': a project's own install puts no 'hlsemu' on the PATH`);
    if (cmd !== 'npx' || rest[0] !== 'hlsemu') throw new Error(`${at}: '${text}' is not an hlsemu command: add '<!-- snippet skip ${cmd}: <reason> -->' before the block, or mark the block no-run`);
    let args = rest.slice(1);
    const why = unavailable(args);
    if (why) {
      skipped.push(`${at}: skipped: ${text} (${why})`);
      missing++;
      continue;
    }
    if (!FULL && DATA_COMMANDS.has(args[0]!) && (args.includes('--example') || args.includes('--data')) && !args.some((a) => a === '--limit' || a.startsWith('--limit='))) {
      args = [...args, '--limit', String(LIMIT)];
    }
    cap.out.push(`$ hlsemu ${args.join(' ')}`);
    const from = cap.out.length;
    const code = await inDir(cwd, { ...env, ...assigns }, cap, () => runCli(args));
    const want = b.directives.exit ?? 0;
    if (code !== want) throw new Error(`${at}: '${text}' exited with ${code}, not ${want}:\n${cap.out.slice(-20).join('\n')}`);
    if (output) {
      // A transcript's output, with the working directory written as /home/me.
      const got = cap.out.slice(from).join('\n').split(cwd0).join('/home/me');
      expect(got.replace(/[ \t]+/g, ' ').trim(), `${at}: the output the docs show`).toBe(output.join('\n').replace(/[ \t]+/g, ' ').trim());
    }
  }
  // What the docs say a command prints is checked when every command of the block could run.
  if (missing === 0) checkExpect(b, cap);
  return skipped;
}

/** Module specifiers a snippet may import: the package and Node's built-ins. */
function checkImports(b: Block, code: string): void {
  for (const m of code.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2]!;
    if (spec !== 'hlsemu' && !spec.startsWith('node:')) {
      throw new Error(`${where(b)}: imports '${spec}': snippets import from 'hlsemu' (the public API) or node: built-ins only`);
    }
  }
}

/** The module a TS block becomes: its setup, then its code, with 'hlsemu' resolved to `pkg` (or left as is). */
function tsModule(b: Block, pkg = 'hlsemu'): string {
  let code = b.code;
  for (const [from, to] of b.directives.replace) {
    if (!code.includes(from)) throw new Error(`${where(b)}: replace: '${from}' does not occur in the block`);
    code = code.split(from).join(to);
  }
  checkImports(b, code);
  const spec = JSON.stringify(pkg);
  return [
    `import * as hlsemu from ${spec};`,
    ...b.directives.setup,
    `// ---- ${where(b)} ----`,
    code.replace(/(\bfrom\s+|\bimport\s*\(\s*)['"]hlsemu['"]/g, `$1${spec}`),
    'export {};',
  ].join('\n');
}

async function runTsBlock(b: Block): Promise<string[]> {
  for (const v of b.directives.needs) if (!process.env[v]) return [`${where(b)}: skipped (${v} is not set)`];
  const src = tsModule(b, pathToFileURL(INDEX).href);
  const dir = await makeWorkspace(b.directives.fixture);
  const file = join(dir, `snippet-${b.file.replace(/[^a-z0-9]+/gi, '_')}-${b.line}.ts`);
  writeFileSync(file, src);
  const cap: Captured = { out: [] };
  await inDir(dir, {}, cap, () => import(/* @vite-ignore */ pathToFileURL(file).href));
  checkExpect(b, cap);
  return [];
}

// ---- the tests ----

describe('docs: every code block is run or says why not', () => {
  it('finds the docs', () => {
    expect(blocks.length).toBeGreaterThan(20);
    expect(new Set(blocks.map((b) => b.file))).toContain('README.md');
  });

  it('every block has a language; every ts/js/sh block is run or has a no-run reason', () => {
    const problems: string[] = [];
    for (const b of blocks) {
      if (b.lang === '') problems.push(`${where(b)}: code block without a language (use text, cpp, json, yaml, ts, sh, …)`);
      if (b.noRun !== undefined && b.noRun.length < 10) problems.push(`${where(b)}: 'no-run' needs a reason: \`\`\`${b.lang} no-run: <why this block is not run>`);
      if (b.noRun === undefined && /\bno-?run\b/i.test(b.info)) problems.push(`${where(b)}: write the marker as 'no-run: <reason>'`);
    }
    expect(problems).toEqual([]);
  });
});

const runnable = blocks.filter((b) => b.noRun === undefined && (TS_LANGS.has(b.lang) || SH_LANGS.has(b.lang)));

/** `--flags` the docs mention that are not hlsemu's, with the reason they appear. */
const OTHER_FLAGS: Record<string, string> = {
  '--suite': "npm run bench's option (bench/run.ts)",
  '--trce': "docs/cli.md's example of a mistyped flag",
};

describe('docs: the names they use exist', () => {
  const texts = markdownFiles(ROOT).map((f) => ({ file: relative(ROOT, f), text: readFileSync(f, 'utf8') }));

  it('repository paths and relative links resolve', () => {
    const missing: string[] = [];
    for (const { file, text } of texts) {
      for (const m of text.matchAll(/(?<![\w/.<-])((?:src|test|docs|examples|models|data|scripts|bench)\/[\w./<>{}*-]*)/g)) {
        const path = m[1]!.replace(/[.]+$/, '');
        if (/[<>{}*]/.test(path)) continue; // a pattern (<name>.ts, *.jsonl, {a,b}), not a path
        if (!existsSync(join(ROOT, path))) missing.push(`${file}: ${path}`);
      }
      for (const m of text.matchAll(/\]\(([^)#\s]+)/g)) {
        if (/^[a-z]+:/i.test(m[1]!)) continue;
        if (!existsSync(resolve(ROOT, dirname(file), m[1]!))) missing.push(`${file}: link ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("every --flag is an option of some hlsemu command (from the commands' help)", () => {
    const known = new Set(['--help', '--version']);
    for (const c of Object.values(commands)) for (const m of c.help.matchAll(/--[a-z][a-z0-9-]*/g)) known.add(m[0]);
    const unknown: string[] = [];
    for (const { file, text } of texts) {
      for (const m of text.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)) if (!known.has(m[0]) && !(m[0] in OTHER_FLAGS)) unknown.push(`${file}: ${m[0]}`);
    }
    expect([...new Set(unknown)]).toEqual([]);
  });
});

describe('docs/testing.md: property-test tolerances', () => {
  it('every test file its tolerance table names exists and points back to it', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'testing.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Property-test tolerances'));
    const named = [...new Set([...section.matchAll(/`(test\/[\w/.-]+\.test\.ts)`/g)].map((m) => m[1]!))];
    expect(named.length).toBeGreaterThan(5);
    const missing = named.filter((f) => !existsSync(join(ROOT, f)) || !readFileSync(join(ROOT, f), 'utf8').includes('docs/testing.md'));
    expect(missing).toEqual([]);
  });
});

describe.each([...new Set(runnable.map((b) => b.file))])('%s', (file) => {
  for (const b of runnable.filter((x) => x.file === file)) {
    const firstLine = b.code.split('\n').find((l) => l.trim() && !l.trim().startsWith('#') && !l.trim().startsWith('//'))?.trim() ?? '';
    it(`line ${b.line} (${b.lang}): ${firstLine.slice(0, 70)}`, async () => {
      const notes = TS_LANGS.has(b.lang) ? await runTsBlock(b) : await runShellBlock(b);
      for (const n of notes) console.log(n);
    });
  }
});

// ---- type-checking (tsc runs in a child process while the blocks above run) ----

interface TypeCheck {
  files: Record<string, Block>;
  done: Promise<{ code: number | null; output: string }>;
}

/** Write every runnable TS block as a module and start tsc on them with the project's settings. */
function startTypeCheck(): TypeCheck {
  const dir = mkdtempSync(join(TEMP, 'tsc-'));
  const files: Record<string, Block> = {};
  for (const b of runnable.filter((x) => TS_LANGS.has(x.lang))) {
    let src: string;
    try {
      src = tsModule(b);
    } catch {
      continue; // the run of the block reports it
    }
    const name = `${b.file.replace(/[^a-z0-9]+/gi, '_')}_${b.line}.ts`;
    writeFileSync(join(dir, name), src);
    files[name] = b;
  }
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { noEmit: true, rootDir: '/', typeRoots: [join(ROOT, 'node_modules', '@types')], paths: { hlsemu: [INDEX] } },
      include: [join(dir, '*.ts')],
    }),
  );
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<{ code: number | null; output: string }>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => res({ code, output }));
  });
  return { files, done };
}

let typeCheck: TypeCheck | undefined;
beforeAll(() => {
  typeCheck = startTypeCheck();
});

describe('docs: TypeScript blocks', () => {
  it('type-check against the package API (strict, as a user of the package compiles them)', async () => {
    const { files, done } = typeCheck!;
    const r = await done;
    // Name the doc and line of each error instead of the temporary file.
    const report = r.output.replace(/\S*?([\w]+_\d+\.ts)\((\d+),\d+\)/g, (all, name: string, line: string) => {
      const b = files[name];
      if (!b) return all;
      return `${b.file}:${b.line + Number(line) - 2 - b.directives.setup.length}`;
    });
    expect(report.trim(), 'type errors in TypeScript blocks').toBe('');
    expect(r.code).toBe(0);
  });
});
