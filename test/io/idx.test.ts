// IDX: header dims are checked against the bytes present and the limits before allocating, and a
// gzipped file is inflated only as far as --limit needs: a 5 MB gzip bomb claiming gigabytes stops
// after the first items.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx, readIdx } from '../../src/data/idx.js';
import { ConfigError, FormatError } from '../../src/errors.js';
import { loadDataset } from '../../src/ptq/data.js';
import { gzipBomb } from './helpers.js';

let dir: string;
let bomb: Uint8Array;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hlsemu-idx-'));
  bomb = gzipBomb(5, 6_000_000); // ~5 MB, claims 6,000,000 × 784 bytes = 4.7 GB
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gzip bomb', () => {
  it('is about 5 MB and inflates (by its header) to gigabytes', () => {
    expect(bomb.length).toBeGreaterThan(4.5e6);
    expect(bomb.length).toBeLessThan(5.5e6);
  });

  it('with --limit only the first items are inflated (a 32 MiB inflate cap is never reached)', async () => {
    const t0 = Date.now();
    const a = parseIdx(bomb, 'bomb.gz', { limit: 10, limits: { maxInflatedBytes: 32 * 2 ** 20 } });
    expect(a.dims).toEqual([10, 28, 28]);
    expect(a.data.length).toBe(7840);
    const path = join(dir, 'train-images-idx3-ubyte.gz');
    writeFileSync(path, bomb);
    const b = await readIdx(path, { limit: 100, limits: { maxInflatedBytes: 32 * 2 ** 20 } });
    expect(b.dims).toEqual([100, 28, 28]);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('without a limit it fails on the inflate limit, not on memory', () => {
    expect(() => parseIdx(bomb, 'bomb.gz')).toThrow(/bomb\.gz: IDX dims \[6000000, 28, 28\] claim 4704000000 bytes of data, more than the 1 GiB limit .*HLSEMU_MAX_INFLATED_BYTES/);
    // A header within the cap but a stream that inflates past it stops at the cap.
    const smaller = gzipBomb(0.2, 6000); // claims 4.7 MB, holds ~200 MB
    expect(() => parseIdx(smaller, 'b.gz', { limits: { maxInflatedBytes: 2 ** 20 } })).toThrow(/more than the 1 MiB limit/);
    expect(() => parseIdx(smaller, 'b.gz', { limits: { maxInflatedBytes: 2 ** 30 } })).toThrow(/trailing bytes|invalid gzip|trailer/);
  });
});

describe('header claims', () => {
  it('dims beyond the bytes present fail before allocating', () => {
    const head = encodeIdx([1], Uint8Array.of(0)).slice(0, 8);
    new DataView(head.buffer).setUint32(4, 0xffffffff, false);
    expect(() => parseIdx(head, 'h.idx')).toThrow(/h\.idx: truncated IDX data: dims \[4294967295\] need 4294967295 bytes, file has 0/);
    const rank3 = new Uint8Array(16);
    rank3[2] = 8;
    rank3[3] = 3;
    new DataView(rank3.buffer).setUint32(4, 0xffffffff, false);
    new DataView(rank3.buffer).setUint32(8, 0xffffffff, false);
    new DataView(rank3.buffer).setUint32(12, 0xffffffff, false);
    expect(() => parseIdx(rank3, 'h.idx')).toThrow(/need more than 2\^53 bytes/);
    expect(() => parseIdx(gzipSync(rank3), 'h.gz')).toThrow(FormatError);
    // Gzipped: a claim larger than any gzip of this size can hold.
    const tiny = gzipSync(encodeIdx([4, 2], new Uint8Array(8)));
    const patched = gzipSync(Uint8Array.from([0, 0, 8, 1, 0x10, 0, 0, 0]));
    expect(() => parseIdx(patched, 'p.gz')).toThrow(/p\.gz: truncated IDX data: dims \[268435456\] need 268435456 bytes, more than the .* a gzip file of this size can hold/);
    expect(parseIdx(tiny, 't.gz').dims).toEqual([4, 2]);
  });

  it('the element limit applies to what is kept', () => {
    const big = encodeIdx([100, 10], new Uint8Array(1000));
    expect(() => parseIdx(big, 'b.idx', { limits: { maxElements: 500 } })).toThrow(/hold 1000 values, more than the limit of 500.*--limit reads fewer/);
    expect(parseIdx(big, 'b.idx', { limit: 40, limits: { maxElements: 500 } }).dims).toEqual([40, 10]);
  });

  it('a bad limit is a ConfigError (was: RangeError)', () => {
    const s = encodeIdx([2], Uint8Array.of(1, 2));
    expect(() => parseIdx(s, 's', { limit: -1 })).toThrow(ConfigError);
    expect(() => parseIdx(s, 's', { limit: 1.5 })).toThrow(ConfigError);
  });

  it('a corrupt gzip trailer is detected when the whole file is read', () => {
    const gz = gzipSync(encodeIdx([3], Uint8Array.of(1, 2, 3)));
    const bad = gz.slice();
    bad[bad.length - 8]! ^= 0xff;
    expect(() => parseIdx(bad, 'c.gz')).toThrow(/c\.gz: invalid gzip data: CRC-32 mismatch/);
    const len = gz.slice();
    len[len.length - 1]! ^= 0x01;
    expect(() => parseIdx(len, 'c.gz')).toThrow(/trailer says/);
  });

  it('every truncation of a valid file, raw or gzipped, is a typed error', () => {
    const raw = encodeIdx([3, 4], Uint8Array.from({ length: 12 }, (_, i) => i));
    const gz = gzipSync(raw);
    for (const [b, name] of [[raw, 'raw'], [gz, 'gz']] as const) {
      for (let n = 0; n < b.length; n++) expect(() => parseIdx(b.subarray(0, n), name), `${name} cut at ${n}`).toThrow(FormatError);
    }
  });
});

describe('datasets from IDX directories', () => {
  it('labels outside the class range and empty batches are named', async () => {
    const d = join(dir, 'ds');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(d);
    writeFileSync(join(d, 't10k-images-idx3-ubyte'), encodeIdx([2, 2, 2], new Uint8Array(8)));
    writeFileSync(join(d, 't10k-labels-idx1-ubyte'), encodeIdx([2], Uint8Array.of(1, 7)));
    await expect(loadDataset(d, [2, 2, 1], { numClasses: 3 })).rejects.toThrow(/t10k-labels-idx1-ubyte: label 1 is 7; labels must be integers in 0\.\.2/);
    expect((await loadDataset(d, [2, 2, 1], { numClasses: 8 })).n).toBe(2);
    writeFileSync(join(d, 't10k-images-idx3-ubyte'), encodeIdx([0, 2, 2], new Uint8Array(0)));
    await expect(loadDataset(d, [2, 2, 1])).rejects.toThrow(/no images: an empty batch/);
  });
});
