// Every ap_fixed reference vector (from the real HLS headers) must reproduce, on every path.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkJsonlFile } from '../../src/conformance/index.js';

const dir = join(__dirname, '..', 'golden', 'ap_fixed');
const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));

describe('ap_fixed reference vectors', () => {
  it('are all present', () => {
    expect(files.sort()).toEqual(['binop.jsonl', 'cast_double.jsonl', 'cast_fixed.jsonl', 'unary.jsonl']);
  });
  for (const f of files) {
    it(`${f}: 0 mismatches`, () => {
      const rep = checkJsonlFile(join(dir, f));
      expect(rep.failures).toEqual([]);
      expect(rep.failed).toBe(0);
      expect(rep.passed).toBeGreaterThan(1000);
    });
  }
});
