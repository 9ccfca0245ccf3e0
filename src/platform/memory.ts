/**
 * A host with no operating system: an in-memory POSIX-style file system (what a browser page or a
 * Web Worker gives the library), single-threaded emulation, h5wasm's browser build (HDF5 files are
 * copied into its own in-memory file system to be opened). Files are added with {@link MemoryFs.write}
 * (or `writeFileSync`) and read back by the same import / emit code the Node host runs.
 */
import type { H5Module, HostFs, HostPath, Platform } from './index.js';

function normalizeParts(p: string): string[] {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out;
}

/** POSIX path rules with '/' as the working directory. */
export const posixPath: HostPath = {
  sep: '/',
  isAbsolute: (p: string) => p.startsWith('/'),
  resolve: (...ps: string[]) => {
    let acc = '';
    for (const p of ps) if (p) acc = p.startsWith('/') ? p : `${acc}/${p}`;
    return '/' + normalizeParts(acc).join('/');
  },
  join: (...ps: string[]) => {
    const raw = ps.filter((p) => p !== '').join('/');
    if (raw === '') return '.';
    const parts = [];
    for (const s of raw.split('/')) {
      if (s === '' || s === '.') continue;
      if (s === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (s === '..' && raw.startsWith('/')) continue;
      else parts.push(s);
    }
    let j = (raw.startsWith('/') ? '/' : '') + parts.join('/');
    if (raw.endsWith('/') && parts.length) j += '/';
    return j === '' ? '.' : j;
  },
  dirname: (p: string) => {
    const t = p.replace(/\/+$/, '');
    if (t === '' && p.startsWith('/')) return '/';
    const i = t.lastIndexOf('/');
    if (i < 0) return '.';
    if (i === 0) return '/';
    return t.slice(0, i);
  },
  basename: (p: string, ext?: string) => {
    const t = p.replace(/\/+$/, '');
    let b = t.slice(t.lastIndexOf('/') + 1);
    if (ext && b.endsWith(ext) && b !== ext) b = b.slice(0, -ext.length);
    return b;
  },
  extname: (p: string) => {
    const b = posixPath.basename(p);
    const i = b.lastIndexOf('.');
    return i <= 0 ? '' : b.slice(i);
  },
  relative: (from: string, to: string) => {
    const a = normalizeParts(posixPath.resolve(from));
    const b = normalizeParts(posixPath.resolve(to));
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return [...Array(a.length - i).fill('..'), ...b.slice(i)].join('/');
  },
} as HostPath;

class FsError extends Error {
  constructor(
    readonly code: string,
    op: string,
    path: string,
  ) {
    super(`${code}: ${op} '${path}'`);
  }
}

interface Entry {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

function stat(kind: 'file' | 'dir', size: number, mtimeMs: number): Entry & { size: number; mtimeMs: number; mode: number } {
  return { size, mtimeMs, mode: kind === 'dir' ? 0o40755 : 0o100644, isFile: () => kind === 'file', isDirectory: () => kind === 'dir', isSymbolicLink: () => false };
}

/** An in-memory file system with Node's synchronous API (the calls the library makes). */
export class MemoryFs {
  private readonly files = new Map<string, { data: Uint8Array; mtimeMs: number }>();
  private readonly dirs = new Set<string>(['/']);
  private readonly fds = new Map<number, string>();
  private nextFd = 3;
  private tmpCount = 0;

  private abs(p: string | URL): string {
    return posixPath.resolve(String(p));
  }

  /** Add (or replace) a file, creating its directories. @example fs.write('/m/model.json', bytes) */
  write(path: string, data: Uint8Array | string): void {
    const a = this.abs(path);
    this.mkdirp(posixPath.dirname(a));
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.files.set(a, { data: bytes, mtimeMs: Date.now() });
  }

  /** The bytes of a file. */
  read(path: string): Uint8Array {
    const f = this.files.get(this.abs(path));
    if (!f) throw new FsError(this.dirs.has(this.abs(path)) ? 'EISDIR' : 'ENOENT', 'open', path);
    return f.data;
  }

  /** Every file under `dir` (absolute paths, sorted). */
  list(dir = '/'): string[] {
    const d = this.abs(dir);
    const pre = d === '/' ? '/' : d + '/';
    return [...this.files.keys()].filter((k) => k.startsWith(pre)).sort();
  }

  private mkdirp(d: string): void {
    for (let cur = d; !this.dirs.has(cur); cur = posixPath.dirname(cur)) {
      if (this.files.has(cur)) throw new FsError('ENOTDIR', 'mkdir', cur);
      this.dirs.add(cur);
    }
  }

  private statOf(p: string): ReturnType<typeof stat> | undefined {
    const a = this.abs(p);
    const f = this.files.get(a);
    if (f) return stat('file', f.data.length, f.mtimeMs);
    if (this.dirs.has(a)) return stat('dir', 0, 0);
    return undefined;
  }

  /** The Node-compatible function table. */
  readonly api: HostFs = {
    existsSync: (p: string) => this.statOf(p) !== undefined,
    readFileSync: (p: string, opts?: unknown) => {
      const data = this.read(p);
      const enc = typeof opts === 'string' ? opts : (opts as { encoding?: string } | undefined)?.encoding;
      return enc ? new TextDecoder().decode(data) : data;
    },
    statSync: (p: string, opts?: { throwIfNoEntry?: boolean }) => {
      const s = this.statOf(p);
      if (!s) {
        if (opts?.throwIfNoEntry === false) return undefined;
        throw new FsError('ENOENT', 'stat', p);
      }
      return s;
    },
    lstatSync: (p: string, opts?: { throwIfNoEntry?: boolean }) => (this.api.statSync as (p: string, o?: unknown) => unknown)(p, opts),
    readdirSync: (p: string, opts?: { withFileTypes?: boolean }) => {
      const a = this.abs(p);
      if (!this.dirs.has(a)) throw new FsError(this.files.has(a) ? 'ENOTDIR' : 'ENOENT', 'scandir', p);
      const pre = a === '/' ? '/' : a + '/';
      const names = new Set<string>();
      for (const k of [...this.files.keys(), ...this.dirs]) if (k.startsWith(pre) && k !== a) names.add(k.slice(pre.length).split('/')[0]!);
      const sorted = [...names].sort();
      if (!opts?.withFileTypes) return sorted;
      return sorted.map((name) => ({ name, parentPath: a, path: a, ...this.statOf(pre + name)! }));
    },
    openSync: (p: string) => {
      this.read(p);
      const fd = this.nextFd++;
      this.fds.set(fd, this.abs(p));
      return fd;
    },
    readSync: (fd: number, buf: Uint8Array, off = 0, len = buf.length - off, pos: number | null = 0) => {
      const p = this.fds.get(fd);
      if (p === undefined) throw new FsError('EBADF', 'read', String(fd));
      const data = this.read(p);
      const start = Math.min(pos ?? 0, data.length);
      const n = Math.max(0, Math.min(len, data.length - start));
      buf.set(data.subarray(start, start + n), off);
      return n;
    },
    closeSync: (fd: number) => {
      this.fds.delete(fd);
    },
    writeFileSync: (p: string, data: string | Uint8Array) => {
      const a = this.abs(p);
      if (!this.dirs.has(posixPath.dirname(a))) throw new FsError('ENOENT', 'open', p);
      if (this.dirs.has(a)) throw new FsError('EISDIR', 'open', p);
      this.write(a, typeof data === 'string' ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice());
    },
    mkdirSync: (p: string, opts?: { recursive?: boolean }) => {
      const a = this.abs(p);
      if (opts?.recursive) {
        if (this.files.has(a)) throw new FsError('EEXIST', 'mkdir', p);
        const first = this.dirs.has(a) ? undefined : a;
        this.mkdirp(a);
        return first;
      }
      if (this.dirs.has(a) || this.files.has(a)) throw new FsError('EEXIST', 'mkdir', p);
      if (!this.dirs.has(posixPath.dirname(a))) throw new FsError('ENOENT', 'mkdir', p);
      this.dirs.add(a);
      return undefined;
    },
    mkdtempSync: (prefix: string) => {
      let d: string;
      do d = this.abs(`${prefix}${(++this.tmpCount).toString(36).padStart(6, '0')}`);
      while (this.dirs.has(d) || this.files.has(d));
      if (!this.dirs.has(posixPath.dirname(d))) throw new FsError('ENOENT', 'mkdtemp', prefix);
      this.dirs.add(d);
      return d;
    },
    rmSync: (p: string, opts?: { recursive?: boolean; force?: boolean }) => {
      const a = this.abs(p);
      if (this.files.delete(a)) return;
      if (!this.dirs.has(a)) {
        if (opts?.force) return;
        throw new FsError('ENOENT', 'rm', p);
      }
      const pre = a === '/' ? '/' : a + '/';
      const inside = [...this.files.keys(), ...this.dirs].filter((k) => k.startsWith(pre));
      if (inside.length && !opts?.recursive) throw new FsError('ENOTEMPTY', 'rm', p);
      for (const k of inside) {
        this.files.delete(k);
        this.dirs.delete(k);
      }
      if (a !== '/') this.dirs.delete(a);
    },
    rmdirSync: (p: string) => {
      const a = this.abs(p);
      if (!this.dirs.has(a)) throw new FsError('ENOENT', 'rmdir', p);
      const pre = a + '/';
      if ([...this.files.keys(), ...this.dirs].some((k) => k.startsWith(pre))) throw new FsError('ENOTEMPTY', 'rmdir', p);
      this.dirs.delete(a);
    },
    renameSync: (from: string, to: string) => {
      const a = this.abs(from);
      const b = this.abs(to);
      const f = this.files.get(a);
      if (f) {
        this.files.delete(a);
        this.files.set(b, f);
        return;
      }
      if (!this.dirs.has(a)) throw new FsError('ENOENT', 'rename', from);
      if (this.dirs.has(b) && [...this.files.keys(), ...this.dirs].some((k) => k.startsWith(b + '/'))) throw new FsError('ENOTEMPTY', 'rename', to);
      const pre = a + '/';
      for (const [k, v] of [...this.files]) if (k.startsWith(pre)) (this.files.delete(k), this.files.set(b + k.slice(a.length), v));
      for (const k of [...this.dirs]) if (k === a || k.startsWith(pre)) (this.dirs.delete(k), this.dirs.add(b + k.slice(a.length)));
    },
    accessSync: (p: string) => {
      if (!this.statOf(p)) throw new FsError('ENOENT', 'access', p);
    },
    realpathSync: (p: string) => {
      if (!this.statOf(p)) throw new FsError('ENOENT', 'realpath', p);
      return this.abs(p);
    },
    constants: { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1 },
  } as unknown as HostFs;
}

let h5Module: Promise<H5Module> | undefined;
/** h5wasm's Emscripten file system (set once h5wasm is ready). */
let h5Fs: { writeFile(n: string, d: Uint8Array): void; unlink(n: string): void } | undefined;

/**
 * A host over `fs` (a new empty {@link MemoryFs} by default): no environment, one thread,
 * h5wasm's browser build.
 *
 * @example
 * const mem = new MemoryFs();
 * setPlatform(memoryPlatform(mem));
 * mem.write('/model/model.json', json);
 */
export function memoryPlatform(fs = new MemoryFs(), opts: { moduleDir?: string; warn?: (m: string) => void } = {}): Platform & { memory: MemoryFs } {
  let staged = 0;
  return {
    name: 'memory',
    memory: fs,
    fs: fs.api,
    path: posixPath,
    env: () => undefined,
    cpuCount: () => 1,
    tmpdir: () => {
      fs.api.mkdirSync('/tmp', { recursive: true });
      return '/tmp';
    },
    h5wasm: () =>
      (h5Module ??= (async () => {
        const mod = (await import('h5wasm')).default;
        const wasm = (await mod.ready) as { activate_throwing_error_handler?: () => number; FS?: typeof h5Fs };
        wasm.activate_throwing_error_handler?.();
        h5Fs = wasm.FS;
        return mod;
      })().catch((e: unknown) => {
        h5Module = undefined; // a failed load (offline, say) is retried next time
        throw e;
      })),
    h5Open: (_mod, path) => {
      if (!h5Fs) throw new Error('h5wasm is not initialised');
      const name = `/hlsemu-h5-${++staged}.h5`;
      h5Fs.writeFile(name, fs.read(path));
      return name;
    },
    h5Close: (name) => {
      try {
        h5Fs?.unlink(name);
      } catch {
        /* already gone */
      }
    },
    moduleDir: () => opts.moduleDir,
    warn: opts.warn ?? ((m) => console.warn(m)),
  };
}
