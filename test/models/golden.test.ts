// Whole networks: every reference model file and import case reproduces bit for bit (all traced layers).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImportCase, checkReferenceModelFile } from '../../src/conformance/index.js';

const hls = join(__dirname, '..', 'golden', 'hls4ml');
const imp = join(__dirname, '..', 'golden', 'import');

describe('reference models', () => {
  const files = readdirSync(hls).filter((f) => f.startsWith('model_') && f.endsWith('.json'));
  it('are present', () => expect(files.length).toBeGreaterThanOrEqual(4));
  for (const f of files) {
    it(`${f}: every traced layer and output matches`, () => {
      const rep = checkReferenceModelFile(join(hls, f));
      expect(rep.failures).toEqual([]);
      expect(rep.passed).toBeGreaterThan(16);
    });
  }
});

describe('import cases', () => {
  const dirs = readdirSync(imp, { withFileTypes: true }).filter((d) => d.isDirectory());
  it('are present', () => expect(dirs.length).toBeGreaterThanOrEqual(1));
  for (const d of dirs) {
    it(`${d.name}: outputs and traced layers match`, async () => {
      const rep = await checkImportCase(join(imp, d.name));
      expect(rep.failures).toEqual([]);
      expect(rep.passed).toBeGreaterThan(0);
    });
  }
});
