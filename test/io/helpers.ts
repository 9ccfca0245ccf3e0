/** Helpers for the input/output tests. */
import { constants, deflateRawSync } from 'node:zlib';

/**
 * A gzip stream of about `mb` megabytes whose IDX header claims `[n, 28, 28]` images: after the
 * header, the same fully-flushed deflate chunk of 1 MiB of zeros is repeated (each ~1 KB), so the
 * file inflates to ~1000× its size. The trailer is bogus: nothing may read that far.
 */
export function gzipBomb(mb: number, n: number): Uint8Array {
  const head = new Uint8Array(16);
  const v = new DataView(head.buffer);
  head[2] = 0x08;
  head[3] = 3;
  v.setUint32(4, n, false);
  v.setUint32(8, 28, false);
  v.setUint32(12, 28, false);
  const opts = { finishFlush: constants.Z_FULL_FLUSH };
  const h = deflateRawSync(head, opts);
  const zeros = deflateRawSync(new Uint8Array(1 << 20), opts);
  const reps = Math.floor((mb * 1e6) / zeros.length);
  const gzHeader = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3);
  const tail = Uint8Array.of(3, 0, 1, 2, 3, 4, 5, 6, 7, 8); // final empty block + a wrong trailer
  const out = new Uint8Array(gzHeader.length + h.length + reps * zeros.length + tail.length);
  let o = 0;
  for (const part of [gzHeader, h]) {
    out.set(part, o);
    o += part.length;
  }
  for (let i = 0; i < reps; i++, o += zeros.length) out.set(zeros, o);
  out.set(tail, o);
  return out;
}

