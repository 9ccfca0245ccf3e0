// Fuzz: output-directory faults. Random existing trees (files where directories go, directories
// where files go) and random output sets: writeOutputs either writes every file with its content
// and keeps everything else, or fails with a FileSystemError and leaves the tree exactly as it was
// (no partial outputs, no temporary directories).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError, HlsemuError } from '../../src/errors.js';
import { writeOutputs } from '../../src/io/atomic.js';
import { params, TEST_TIMEOUT } from './settings.js';

const root = mkdtempSync(join(tmpdir(), 'hlsemu-fuzz-out-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const segment = fc.constantFrom('a', 'b', 'c');
const relPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));
const entry = fc.record({ path: relPath, dir: fc.boolean() });
const output = fc.record({ path: relPath, text: fc.string({ maxLength: 8 }) });

/** Snapshot of a tree: path → 'dir' or file content. */
function snapshot(d: string, rel = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(join(d, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    const st = statSync(join(d, r));
    if (st.isDirectory()) {
      out.set(r, 'dir');
      for (const [k, v] of snapshot(d, r)) out.set(k, v);
    } else out.set(r, `file:${readFileSync(join(d, r), 'utf8')}`);
  }
  return out;
}

function build(d: string, entries: { path: string; dir: boolean }[]): void {
  for (const e of entries) {
    try {
      const p = join(d, e.path);
      mkdirSync(dirname(p), { recursive: true });
      if (e.dir) mkdirSync(p, { recursive: true });
      else writeFileSync(p, `old-${e.path}`);
    } catch {
      // Conflicting entries (a file where a directory was asked): keep whatever exists.
    }
  }
}

let n = 0;
describe('output-directory faults', () => {
  it('all outputs or none, typed errors only', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { maxLength: 6 }),
        fc.array(output, { minLength: 1, maxLength: 5 }),
        fc.option(fc.record({ target: fc.constantFrom('', 'a', 'b/c', 'new'), files: fc.array(fc.record({ name: segment, text: fc.string({ maxLength: 4 }) }), { maxLength: 3 }) })),
        fc.boolean(),
        async (entries, outputs, staged, failInside) => {
          const d = join(root, `t${n++}`);
          mkdirSync(d);
          build(d, entries);
          const before = snapshot(d);
          let err: unknown;
          try {
            await writeOutputs((o) => {
              for (const f of outputs) o.file(join(d, f.path), f.text);
              if (staged) {
                const s = o.dir(join(d, staged.target));
                for (const f of staged.files) writeFileSync(join(s, f.name), f.text);
              }
              if (failInside) throw new FormatError('fuzz', 'the writer failed');
            });
          } catch (e) {
            err = e;
          }
          const after = snapshot(d);
          if (err !== undefined) {
            expect(err, String(err)).toBeInstanceOf(HlsemuError);
            expect(after).toEqual(before);
          } else {
            // Files queued with file() are written at commit, over a staged file of the same path;
            // the last queued write of a path wins. Every output is there, other entries unchanged.
            const want = new Map<string, string>();
            if (staged) for (const f of staged.files) want.set(staged.target ? `${staged.target}/${f.name}` : f.name, `file:${f.text}`);
            for (const f of outputs) want.set(f.path, `file:${f.text}`);
            for (const [p, v] of want) expect(after.get(p), p).toBe(v);
            for (const [p, v] of before) if (!want.has(p) && v !== 'dir') expect(after.get(p), p).toBe(v);
            expect([...after.keys()].filter((k) => k.includes('hlsemu-tmp'))).toEqual([]);
          }
          if (failInside) expect(err).toBeInstanceOf(HlsemuError);
          rmSync(d, { recursive: true, force: true });
        },
      ),
      params(400, { scale: 25 }),
    );
  }, TEST_TIMEOUT);
});
