/**
 * What the WebAssembly MAC engines share — simd.ts (int32 lanes), simd-f64.ts (float64 lanes) and
 * wide-mac.ts (64-bit values): the local indices the int32 and float64 kernels have in common, the
 * split of the output channels into blocks of lanes with their packed weights, the taps of each
 * output pixel as runs of adjacent input pixels, and the loops that walk pixels and runs.
 */
import { I32, SIMD, V128, type Code, type LaneOps, type ValType } from './wasm.js';
import type { OverflowKind } from './analysis.js';

// Local indices common to the int32 and float64 MAC kernels: nine i32 locals, then v128 ones
// (each engine numbers its own v128 locals from L_CLO + 1 on).
export const L_O = 0;
export const L_TP = 1;
export const L_TK = 2;
export const L_K = 3;
export const L_T = 4;
export const L_XP = 5;
export const L_CC = 6;
export const L_WP = 7;
export const L_OP = 8;
export const L_XV = 9;
export const L_HALF = 10;
export const L_CNT = 11;
export const L_Q = 12;
export const L_OV = 13;
export const L_LO = 14;
export const L_HI = 15;
export const L_CLO = 16;

/** The locals of a MAC kernel: the nine i32 ones above, then `nV128` v128 ones. @example macLocals(13) */
export function macLocals(nV128: number): ValType[] {
  return [I32, I32, I32, I32, I32, I32, I32, I32, I32, ...Array<ValType>(nV128).fill(V128)];
}

/** The memory regions (byte addresses) the int32 and float64 MAC engines have in common. */
export interface MacLayout {
  /** Max and min vectors of the stats finish pass. */
  stats: number;
  bias: number;
  /** Packed weights (see {@link packBlocks}). */
  w: number;
  /** The pixels' taps or tap runs. */
  taps: number;
  x: number;
  /** Accumulators, `nPix × Fp`. */
  out: number;
  /** Results of the finish pass (doubles, `nPix × F`). */
  f64: number;
  end: number;
}

/** A block of output lanes and where its packed weights start. */
export interface Block {
  lane0: number;
  lanes: number;
  /** Byte offset of the block's packed weights from the weights base. */
  wOff: number;
}

/**
 * The `Fp` output lanes in blocks of `width` (the last one may be narrower), each with `kc` rows
 * of `bytes`-byte weights.
 *
 * @example blocksOf(20, 3, 16, 4); // [{ lane0: 0, lanes: 16, wOff: 0 }, { lane0: 16, lanes: 4, wOff: 192 }]
 */
export function blocksOf(Fp: number, kc: number, width: number, bytes: number): Block[] {
  const out: Block[] = [];
  let off = 0;
  for (let l = 0; l < Fp; l += width) {
    const lanes = Math.min(width, Fp - l);
    out.push({ lane0: l, lanes, wOff: off });
    off += kc * lanes * bytes;
  }
  return out;
}

/**
 * Write weights `w` (`[kc][nOut]`, Keras layout) block by block into `dst` (the weights area):
 * each block `[kc][lanes]`, lanes ≥ nOut zero.
 *
 * @example packBlocks(new Int32Array(mem, lay.w, kc * Fp), blocksOf(Fp, kc, 16, 4), kc, a.nOut, a.w);
 */
export function packBlocks(dst: Int32Array | Float64Array, blocks: Block[], kc: number, nOut: number, w: ArrayLike<number>): void {
  for (const b of blocks) {
    const base = b.wOff / dst.BYTES_PER_ELEMENT;
    for (let r = 0; r < kc; r++) {
      for (let l = 0; l < b.lanes; l++) {
        const f = b.lane0 + l;
        dst[base + r * b.lanes + l] = f < nOut ? w[r * nOut + f]! : 0;
      }
    }
  }
}

/**
 * The taps of each output pixel as runs of adjacent input pixels: `[x byte address, first weight
 * row, number of values]` triples, `runsPerPixel` per pixel (unused entries have length 0). Taps
 * < 0 (zero padding) are left out — their products are zero.
 *
 * @example tapRuns(Int32Array.of(5, 6, 7, 12, 13, 14), 1, 3, 2, 0); // ~[{x: 40, row: 0, n: 6}, {x: 96, row: 6, n: 6}]
 */
export function tapRuns(taps: Int32Array, nPix: number, kSize: number, C: number, xBase: number): { runs: Int32Array; perPixel: number } {
  const lists: number[][] = [];
  let perPixel = 1;
  for (let o = 0; o < nPix; o++) {
    const list: number[] = [];
    let prevT = -2;
    let prevK = -2;
    for (let k = 0; k < kSize; k++) {
      const t = taps[o * kSize + k]!;
      if (t < 0) continue;
      if (list.length && t === prevT + 1 && k === prevK + 1) list[list.length - 1]! += C;
      else list.push(xBase + t * C * 4, k * C, C);
      prevT = t;
      prevK = k;
    }
    lists.push(list);
    perPixel = Math.max(perPixel, list.length / 3);
  }
  const runs = new Int32Array(nPix * perPixel * 3);
  lists.forEach((l, o) => runs.set(l, o * perPixel * 3));
  return { runs, perPixel };
}

/** The i32 locals of {@link emitRunLoop}: the pixel's first run entry, the current one, the run count and the values left. */
export interface RunLocals {
  TP: number;
  TK: number;
  K: number;
  CC: number;
}

/**
 * The loop over the `perPixel` run entries of a pixel (see {@link tapRuns}; the first at TP), and
 * in each non-empty run over its values: `start()` reads the entry at TK (x address at offset 0,
 * weight row at 4) into the value pointers, `value()` does one value and advances them.
 */
export function emitRunLoop(c: Code, l: RunLocals, perPixel: number, start: () => void, value: () => void): void {
  c.get(l.TP).set(l.TK);
  c.i32Const(0).set(l.K);
  c.loop(); // runs
  c.get(l.TK).i32Load(8).tee(l.CC);
  c.if();
  start();
  c.loop(); // values of the run
  value();
  c.countDown(l.CC);
  c.end(); // values
  c.end(); // if
  c.addTo(l.TK, 12);
  c.nextUntil(l.K, perPixel);
  c.end(); // runs
}

/**
 * The loop over `nPix` output pixels with two pointers — TP to what a pixel reads (its run-table
 * entries, or its accumulators), OP to what it writes — each starting at a byte address and
 * advanced by a stride per pixel; O counts the pixels.
 */
export function emitPixelLoop(c: Code, l: { O: number; TP: number; OP: number }, tp: { at: number; step: number }, op: { at: number; step: number }, nPix: number, pixel: () => void): void {
  c.i32Const(tp.at).set(l.TP);
  c.i32Const(op.at).set(l.OP);
  c.loop(); // pixels
  pixel();
  c.addTo(l.TP, tp.step);
  c.addTo(l.OP, op.step);
  c.nextUntil(l.O, nPix);
  c.end(); // pixels
}

/** The max and min vectors (locals) of a statistics pass into their 32-byte slot. */
export function emitStoreMaxMin(c: Code, slot: number, mx: number, mn: number): void {
  c.i32Const(0).get(mx).v128Store(slot);
  c.i32Const(0).get(mn).v128Store(slot + 16);
}

/**
 * The sequential kernels' step after a product or an addition: OV = the lanes of `local` outside
 * accum_t's range [LO, HI], CNT −= OV (−1 per event), then `local` converted by accum_t's overflow
 * mode (`wrap`, the lane type's; saturate to [CLO, HI]; or zero).
 */
export function emitCountCast(c: Code, kind: OverflowKind | null, local: number, lanes: LaneOps, wrap: (local: number) => void): void {
  c.get(local).get(L_HI).simd(lanes.gt).get(local).get(L_LO).simd(lanes.lt).simd(SIMD.or).set(L_OV);
  c.get(L_CNT).get(L_OV).simd(lanes.maskSub).set(L_CNT);
  switch (kind) {
    case 'wrap':
      wrap(local);
      break;
    case 'sat':
    case 'satsym':
      c.get(local).get(L_HI).simd(lanes.min).get(L_CLO).simd(lanes.max).set(local);
      break;
    case 'satzero':
      c.get(local).get(L_OV).simd(SIMD.andnot).set(local);
      break;
    default:
      throw new Error('unsupported accumulator overflow mode');
  }
}
