/**
 * Helpers for the command-line tests: run `hlsemu` in-process (console captured) or as a child
 * process (real stderr, a memory cap and a timeout), temporary directories, small input files.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { encodeNpy } from '../../src/io/npy.js';

export const ROOT = join(__dirname, '..', '..');
/** A tiny tfjs model (Dense 4 → 3) from the reference set, used read-only. */
export const TINY_MODEL = join(ROOT, 'test', 'golden', 'import', 'print_rounding', 'model.json');
/** The bundled Fashion-MNIST CNN. */
export const FMNIST_MODEL = join(ROOT, 'models', 'fmnist', 'model.json');

/** What a command printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `hlsemu argv` in this process with console output captured and `env` set for the call. */
export async function cli(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.map(String).join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.map(String).join(' ')));
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await runCli(argv);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * Run `hlsemu argv` as a child process (TypeScript sources through tsx) with a V8 heap cap and a
 * timeout: what users see on a real terminal, and proof that nothing hangs or runs out of memory.
 */
export function cliProcess(argv: string[], opts: { env?: Record<string, string>; heapMb?: number; timeoutMs?: number; cwd?: string } = {}): CliRun & { signal: NodeJS.Signals | null } {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${opts.heapMb ?? 256}`, '--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...argv], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'hlsemu-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write a float32 .npy file and return its path. */
export function writeNpy(path: string, data: ArrayLike<number>, shape: number[], dtype: Parameters<typeof encodeNpy>[2] = '<f4'): string {
  writeFileSync(path, encodeNpy(data, shape, dtype));
  return path;
}

/** Lines of a stream's text, without empty ones. */
export function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.trim() !== '');
}

/** Assert-friendly: the text holds no JavaScript stack frame. */
export function hasStack(s: string): boolean {
  return /\n\s+at .+\(.+:\d+:\d+\)|^\s+at /m.test(s);
}
