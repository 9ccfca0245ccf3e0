// Atomic outputs: staged next to the destination, checked, moved into place when complete; on
// failure nothing is left behind and the error is one FileSystemError naming the path.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSystemError, fileSystemError, FormatError } from '../../src/errors.js';
import { checkOutputDir, checkOutputFile, OutputSet, writeFileAtomic, writeOutputs } from '../../src/io/atomic.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hlsemu-atomic-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const fresh = () => {
  const d = join(root, `case${n++}`);
  mkdirSync(d);
  return d;
};
/** Every entry under `d`, recursively, as relative paths. */
function tree(d: string): string[] {
  return (readdirSync(d, { recursive: true }) as string[]).map(String).sort();
}

async function expectFsError(p: Promise<unknown> | (() => unknown), errno: string, path: string): Promise<void> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a FileSystemError').toBeInstanceOf(FileSystemError);
  expect((err as FileSystemError).errno).toBe(errno);
  expect((err as FileSystemError).path).toBe(path);
  expect((err as Error).message).toContain(`(${errno})`);
}

describe('writeOutputs', () => {
  it('creates a new directory with all files in one rename', async () => {
    const d = fresh();
    const out = join(d, 'a', 'b');
    const { files } = await writeOutputs((o) => {
      o.file(join(out, 'x.txt'), 'x');
      o.file(join(out, 'sub', 'y.bin'), Uint8Array.of(1, 2));
    });
    expect(files.sort()).toEqual([join(out, 'sub', 'y.bin'), join(out, 'x.txt')]);
    expect(readFileSync(join(out, 'x.txt'), 'utf8')).toBe('x');
    expect(tree(d)).toEqual(['a', 'a/b', 'a/b/sub', 'a/b/sub/y.bin', 'a/b/x.txt']);
  });

  it('merges into an existing directory, replacing files and keeping others', async () => {
    const d = fresh();
    writeFileSync(join(d, 'keep.txt'), 'mine');
    writeFileSync(join(d, 'x.txt'), 'old');
    await writeOutputs((o) => void o.file(join(d, 'x.txt'), 'new'));
    expect(readFileSync(join(d, 'x.txt'), 'utf8')).toBe('new');
    expect(tree(d)).toEqual(['keep.txt', 'x.txt']);
  });

  it('a directory where a file goes is EISDIR, found before anything is written', async () => {
    const d = fresh();
    mkdirSync(join(d, 'scan.json'));
    await expectFsError(
      writeOutputs((o) => {
        o.file(join(d, 'scan.csv'), 'a');
        o.file(join(d, 'scan.json'), 'b');
      }),
      'EISDIR',
      join(d, 'scan.json'),
    );
    expect(tree(d)).toEqual(['scan.json']);
  });

  it('a file where a directory goes is ENOTDIR', async () => {
    const d = fresh();
    writeFileSync(join(d, 'tb'), 'file');
    await expectFsError(
      writeOutputs((o) => {
        const s = o.dir(d);
        mkdirSync(join(s, 'tb'));
        writeFileSync(join(s, 'tb', 'x.cpp'), '');
        writeFileSync(join(s, 'Makefile'), '');
      }),
      'ENOTDIR',
      join(d, 'tb'),
    );
    expect(tree(d)).toEqual(['tb']);
    await expectFsError(() => checkOutputDir(join(d, 'tb', 'deeper')), 'ENOTDIR', join(d, 'tb'));
    await expectFsError(() => checkOutputFile(join(d, 'tb', 'x.json')), 'ENOTDIR', join(d, 'tb'));
  });

  it('a failure inside the writer removes the staging area and the directories it created', async () => {
    const d = fresh();
    await expect(
      writeOutputs((o) => {
        const s = o.dir(join(d, 'new', 'out'));
        writeFileSync(join(s, 'half.txt'), 'half');
        throw new FormatError('x', 'boom');
      }),
    ).rejects.toThrow(FormatError);
    expect(tree(d)).toEqual([]);
  });

  it('a destination that turns into a directory while staging is caught at commit (EISDIR)', async () => {
    const d = fresh();
    const set = new OutputSet();
    set.file(join(d, 'a.txt'), 'a');
    set.file(join(d, 'b.txt'), 'b');
    mkdirSync(join(d, 'b.txt'));
    expect(() => set.commit()).toThrow(FileSystemError);
    set.abort();
    expect(tree(d)).toEqual(['b.txt']);
  });

  it('a new directory that appears while staging is EEXIST, nothing merged', async () => {
    const d = fresh();
    const target = join(d, 'out');
    const set = new OutputSet();
    writeFileSync(join(set.dir(target), 'f.txt'), 'x');
    mkdirSync(target);
    writeFileSync(join(target, 'theirs.txt'), 'y');
    await expectFsError(() => set.commit(), 'EEXIST', target);
    set.abort();
    expect(tree(d)).toEqual(['out', 'out/theirs.txt']);
  });

  it('replace: entries of a previous run are removed only when the new files are in', async () => {
    const d = fresh();
    mkdirSync(join(d, 'tb'));
    writeFileSync(join(d, 'tb', 'stale.txt'), 'old');
    writeFileSync(join(d, 'mine.txt'), 'keep');
    await writeOutputs((o) => {
      const s = o.dir(d, { replace: ['tb', 'gone'] });
      mkdirSync(join(s, 'tb'));
      writeFileSync(join(s, 'tb', 'new.txt'), 'new');
    });
    expect(tree(d)).toEqual(['mine.txt', 'tb', 'tb/new.txt']);
  });

  it('nested destinations share one staging area', async () => {
    const d = fresh();
    await writeOutputs((o) => {
      o.dir(join(d, 'r'));
      o.file(join(d, 'r', 'cfg.json'), '{}');
      writeFileSync(join(o.dir(join(d, 'r', 'rep')), 'p.svg'), '<svg/>');
    });
    expect(tree(d)).toEqual(['r', 'r/cfg.json', 'r/rep', 'r/rep/p.svg']);
  });

  it('writeFileAtomic writes one file and leaves no temporary behind', () => {
    const d = fresh();
    writeFileAtomic(join(d, 'c.json'), '{"a":1}');
    expect(tree(d)).toEqual(['c.json']);
  });
});

describe('filesystem errors are typed and name the path', () => {
  it('maps node:fs codes to one-line messages', () => {
    for (const [code, text] of [
      ['EACCES', 'permission denied'],
      ['EEXIST', 'already exists'],
      ['ENOSPC', 'no space left on device'],
      ['EROFS', 'read-only file system'],
    ] as const) {
      const e = fileSystemError(Object.assign(new Error(`${code}: raw node message\n  with a second line`), { code }), '/x/y', 'cannot write');
      expect(e).toBeInstanceOf(FileSystemError);
      expect(e.message).toBe(`/x/y: cannot write: ${text} (${code})`);
    }
    expect(fileSystemError(new Error('weird'), '/p').message).toBe('/p: weird (EIO)');
  });

  it.skipIf(process.getuid?.() === 0)('an unwritable directory is EACCES before anything is written', async () => {
    const d = fresh();
    const ro = join(d, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    try {
      await expectFsError(() => checkOutputDir(join(ro, 'out')), 'EACCES', ro);
      await expectFsError(writeOutputs((o) => void o.file(join(ro, 'x.txt'), 'x')), 'EACCES', ro);
      expect(existsSync(join(ro, 'x.txt'))).toBe(false);
    } finally {
      chmodSync(ro, 0o755);
    }
  });
});
