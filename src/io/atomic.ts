/**
 * Atomic outputs. A command's output files are first written into a temporary directory next to
 * their destination and moved into place only when all of them are complete; on any failure the
 * temporary files are removed and the destination is left as it was. Before anything is written,
 * every destination is checked (a directory where a file goes, a file where a directory goes, an
 * unwritable parent), so a bad `--out` fails at once with one {@link FileSystemError} naming the
 * path — not after minutes of work, and not half-way through writing.
 *
 * - An output directory that does not exist yet appears in one `rename` (readers never see it
 *   half-written).
 * - Into an existing directory each file is renamed into place (each file is replaced
 *   atomically; the set is checked beforehand, so a late failure is unlikely but not impossible,
 *   e.g. a full disk while staging leaves the destination untouched).
 *
 * @example
 * await writeOutputs(async (out) => {
 *   out.file('hlsemu-scan/scan.csv', csv);
 *   out.file('hlsemu-scan/scan.json', json);
 *   await writeSomeFiles(out.dir('hlsemu-scan/plots'));   // a writer that takes a directory
 * });
 */
import { accessSync, constants, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync, type Stats } from '../platform/fs.js';
import { basename, dirname, join, pathSep, relative, resolve } from '../platform/path.js';
import { FileSystemError, fileSystemError, HlsemuError } from '../errors.js';

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw new FileSystemError(firstNonDirectory(p) ?? p, 'ENOTDIR', 'exists and is not a directory');
    throw fileSystemError(e, p, 'cannot access');
  }
}

/** The first ancestor of `p` (or `p`'s parent chain) that exists and is not a directory. */
function firstNonDirectory(p: string): string | undefined {
  const parts = resolve(p).split(pathSep());
  let cur = parts[0] === '' ? pathSep() : parts[0]!;
  for (let i = 1; i < parts.length; i++) {
    cur = join(cur, parts[i]!);
    let st: Stats;
    try {
      st = statSync(cur);
    } catch {
      return undefined;
    }
    if (!st.isDirectory()) return cur;
  }
  return undefined;
}

/** The nearest existing ancestor directory of `p` (p itself included). */
function nearestExisting(p: string): string {
  let cur = resolve(p);
  for (;;) {
    const st = statOrUndefined(cur);
    if (st) {
      if (!st.isDirectory()) throw new FileSystemError(cur, 'ENOTDIR', 'exists and is not a directory');
      return cur;
    }
    const up = dirname(cur);
    if (up === cur) return cur;
    cur = up;
  }
}

function checkWritableDir(dir: string): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw fileSystemError(e, dir, 'cannot write into this directory');
  }
}

/**
 * Check that `dir` can be used as an output directory: it is a directory, or it does not exist and
 * can be created (no component of the path is a file, the nearest existing ancestor is writable).
 *
 * @throws {FileSystemError} naming the offending path (ENOTDIR, EACCES, …).
 * @example checkOutputDir('hlsemu-scan');
 */
export function checkOutputDir(dir: string): void {
  const st = statOrUndefined(resolve(dir));
  if (st && !st.isDirectory()) throw new FileSystemError(resolve(dir), 'ENOTDIR', 'exists and is not a directory');
  checkWritableDir(nearestExisting(dir));
}

/**
 * Check that a file can be written at `file`: it is not a directory, and its directory exists (or
 * can be created) and is writable.
 *
 * @throws {FileSystemError} naming the offending path (EISDIR, ENOTDIR, EACCES, …).
 * @example checkOutputFile('hlsemu-suggest/config.json');
 */
export function checkOutputFile(file: string): void {
  const abs = resolve(file);
  const st = statOrUndefined(abs);
  if (st?.isDirectory()) throw new FileSystemError(abs, 'EISDIR', 'is a directory, cannot write a file there');
  checkOutputDir(dirname(abs));
}

/** What the staging area of one destination directory holds. */
interface DirStage {
  target: string;
  staging: string;
  /** The destination existed when staging began (merge file by file) or not (rename the whole directory). */
  existed: boolean;
  /** Entries of the destination to remove when committing (moved aside, deleted after success). */
  replace: string[];
}

/** Options of {@link OutputSet.dir}. */
export interface StageDirOptions {
  /**
   * Entries (names relative to the destination) that are removed from an existing destination
   * when the new files are moved in, e.g. the files of a previous run. They are moved aside first
   * and restored if the commit fails.
   */
  replace?: string[];
}

/**
 * A set of output files, staged in temporary directories and committed together. Use it through
 * {@link writeOutputs}, which commits on success and cleans up on failure.
 */
export class OutputSet {
  private readonly stages = new Map<string, DirStage>();
  private readonly files = new Map<string, string | Uint8Array>();
  private readonly created: string[] = [];
  private done = false;

  /**
   * Queue a file (written to the staging area at commit, over a file of the same path that a
   * writer put into a staging directory).
   *
   * @returns the absolute destination path.
   */
  file(path: string, data: string | Uint8Array): string {
    const abs = resolve(path);
    checkOutputFile(abs);
    this.files.set(abs, data);
    return abs;
  }

  /**
   * A fresh, empty staging directory whose contents will end up in `target`. Give it to writers
   * that take an output directory; every file they write there is moved into `target` on commit.
   */
  dir(target: string, opts: StageDirOptions = {}): string {
    const abs = resolve(target);
    const prev = this.stages.get(abs);
    if (prev) {
      if (opts.replace) prev.replace.push(...opts.replace);
      return prev.staging;
    }
    // Inside a directory that is already staged: stage there too.
    for (const s of this.stages.values()) {
      const rel = relative(s.target, abs);
      if (rel && !rel.startsWith('..') && !rel.startsWith(pathSep())) {
        if (opts.replace?.length) s.replace.push(...opts.replace.map((r) => join(rel, r)));
        const inner = join(s.staging, rel);
        try {
          mkdirSync(inner, { recursive: true });
        } catch (e) {
          throw fileSystemError(e, abs, 'cannot create directory');
        }
        return inner;
      }
    }
    checkOutputDir(abs);
    const existed = statOrUndefined(abs) !== undefined;
    const parent = existed ? abs : dirname(abs);
    if (!existed) this.mkdirs(parent);
    let staging: string;
    try {
      staging = mkdtempSync(join(parent, existed ? '.hlsemu-tmp-' : `.${basename(abs)}.hlsemu-tmp-`));
    } catch (e) {
      throw fileSystemError(e, parent, 'cannot create a temporary directory');
    }
    this.stages.set(abs, { target: abs, staging, existed, replace: [...(opts.replace ?? [])] });
    return staging;
  }

  /** The destination of a path inside a staging directory (or the path itself). */
  finalPath(p: string): string {
    const abs = resolve(p);
    for (const s of this.stages.values()) {
      const rel = relative(s.staging, abs);
      if (rel === '' || (!rel.startsWith('..') && !rel.startsWith(pathSep()))) return join(s.target, rel);
    }
    return abs;
  }

  private mkdirs(dir: string): void {
    const missing: string[] = [];
    for (let cur = resolve(dir); !statOrUndefined(cur); cur = dirname(cur)) {
      missing.push(cur);
      if (dirname(cur) === cur) break;
    }
    for (const d of missing.reverse()) {
      try {
        mkdirSync(d);
        this.created.push(d);
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST') throw fileSystemError(e, d, 'cannot create directory');
      }
    }
  }

  /** Every staged file, relative to its staging directory. */
  private static listFiles(root: string, rel = ''): string[] {
    const out: string[] = [];
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const r = rel ? join(rel, e.name) : e.name;
      if (e.isDirectory()) out.push(...OutputSet.listFiles(root, r));
      else out.push(r);
    }
    return out;
  }

  /** Check that every staged file can go to its destination (after `replace` entries are gone). */
  private preflight(): void {
    // The outputs must not collide with each other: one output file cannot be a directory of another.
    const dests = new Set<string>();
    for (const s of this.stages.values()) for (const rel of OutputSet.listFiles(s.staging)) dests.add(join(s.target, rel));
    for (const d of dests) {
      for (let up = dirname(d); up !== dirname(up); up = dirname(up)) {
        if (dests.has(up)) throw new FileSystemError(up, 'ENOTDIR', 'is both an output file and the directory of another output');
      }
    }
    for (const s of this.stages.values()) {
      if (!s.existed) {
        if (statOrUndefined(s.target)) throw new FileSystemError(s.target, 'EEXIST', 'appeared while the outputs were being written');
        continue;
      }
      for (const rel of OutputSet.listFiles(s.staging)) {
        const parts = rel.split(pathSep());
        if (s.replace.some((r) => rel === r || rel.startsWith(r + pathSep()))) continue;
        let cur = s.target;
        for (let i = 0; i < parts.length; i++) {
          cur = join(cur, parts[i]!);
          let st: Stats | undefined;
          try {
            st = lstatSync(cur);
          } catch {
            break;
          }
          const last = i === parts.length - 1;
          if (st.isSymbolicLink()) st = statOrUndefined(cur) ?? st;
          if (!last && !st.isDirectory()) throw new FileSystemError(cur, 'ENOTDIR', 'exists and is not a directory, cannot write files under it');
          if (last && st.isDirectory()) throw new FileSystemError(cur, 'EISDIR', 'is a directory, cannot write a file there');
        }
      }
    }
  }

  /** Write queued files, check every destination, then move everything into place. */
  commit(): string[] {
    if (this.done) throw new HlsemuError('internal', 'outputs', 'already committed or aborted');
    // Queued files go to the staging directory of their parent (shallow directories first, so a
    // directory staged as a whole takes in its subdirectories).
    const queued = [...this.files].sort((a, b) => a[0].split(pathSep()).length - b[0].split(pathSep()).length);
    for (const [abs, data] of queued) {
      const staging = this.dir(dirname(abs));
      const p = join(staging, basename(abs));
      try {
        writeFileSync(p, data);
      } catch (e) {
        throw fileSystemError(e, abs, 'cannot write');
      }
    }
    this.preflight();
    // Every step is recorded so that a failure half-way puts the destinations back as they were:
    // replaced files and `replace` entries are moved aside (not deleted) until the end.
    const undo: (() => void)[] = [];
    const written: string[] = [];
    const asides: string[] = [];
    const stages = [...this.stages.values()];
    let current = stages[0]?.target ?? '';
    try {
      for (const s of stages) {
        current = s.target;
        if (!s.existed) {
          renameSync(s.staging, s.target);
          undo.push(() => renameSync(s.target, s.staging));
          written.push(...OutputSet.listFiles(s.target).map((r) => join(s.target, r)));
          continue;
        }
        const files = OutputSet.listFiles(s.staging);
        const aside = mkdtempSync(join(s.target, '.hlsemu-old-'));
        asides.push(aside);
        const moveAside = (rel: string) => {
          const from = join(s.target, rel);
          const to = join(aside, rel);
          mkdirSync(dirname(to), { recursive: true });
          renameSync(from, to);
          undo.push(() => renameSync(to, from));
        };
        for (const name of s.replace) if (lstatOrUndefined(join(s.target, name))) moveAside(name);
        for (const rel of files) {
          const dest = join(s.target, rel);
          current = dest;
          for (const d of missingDirs(dirname(dest))) {
            mkdirSync(d);
            undo.push(() => rmdirSync(d));
          }
          if (lstatOrUndefined(dest)) moveAside(rel);
          renameSync(join(s.staging, rel), dest);
          undo.push(() => renameSync(dest, join(s.staging, rel)));
          written.push(dest);
        }
      }
    } catch (e) {
      for (const u of undo.reverse()) {
        try {
          u();
        } catch {
          /* best effort: the error below names the path */
        }
      }
      for (const a of asides) rmSync(a, { recursive: true, force: true });
      throw fileSystemError(e, current, 'cannot move the new files into place');
    }
    for (const a of asides) {
      try {
        rmSync(a, { recursive: true, force: true });
      } catch {
        /* named .hlsemu-old-*: harmless */
      }
    }
    this.cleanup(false);
    this.done = true;
    return written;
  }

  /** Remove every staging directory (and directories created for them). */
  abort(): void {
    if (this.done) return;
    this.cleanup(true);
    this.done = true;
  }

  private cleanup(removeCreated: boolean): void {
    for (const s of this.stages.values()) {
      try {
        rmSync(s.staging, { recursive: true, force: true });
      } catch {
        /* leave it: it is named .hlsemu-tmp-* */
      }
    }
    if (removeCreated) {
      for (const d of [...this.created].reverse()) {
        try {
          rmdirSync(d);
        } catch {
          /* not empty or gone */
        }
      }
    }
  }
}

/** The directories of `dir`'s chain that do not exist yet, outermost first. */
function missingDirs(dir: string): string[] {
  const out: string[] = [];
  for (let cur = dir; !lstatOrUndefined(cur); cur = dirname(cur)) {
    out.unshift(cur);
    if (dirname(cur) === cur) break;
  }
  return out;
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/**
 * Run `fn` with an {@link OutputSet}, then commit it; if `fn` or the commit fails, every staged
 * file is removed and the error is rethrown (node:fs errors as {@link FileSystemError}s naming the
 * path).
 *
 * @example
 * const paths = await writeOutputs((out) => { out.file('cfg.json', text); });
 */
export async function writeOutputs<T>(fn: (out: OutputSet) => T | Promise<T>): Promise<{ result: T; files: string[] }> {
  const set = new OutputSet();
  try {
    const result = await fn(set);
    const files = set.commit();
    return { result, files };
  } catch (e) {
    set.abort();
    throw e;
  }
}

/**
 * Write one file atomically (a temporary sibling renamed into place).
 *
 * @throws {FileSystemError} naming the path.
 * @example writeFileAtomic('hlsemu-suggest/config.json', JSON.stringify(cfg));
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): string {
  const set = new OutputSet();
  try {
    const abs = set.file(path, data);
    set.commit();
    return abs;
  } catch (e) {
    set.abort();
    throw e;
  }
}
