/**
 * Fast `nnet::softmax` (latency, stable, legacy, argmax): the reference algorithm (softmax.ts)
 * with the lookup tables built once at prepare time instead of on every call, and the slice loops
 * specialised for numbers. Same values, same overflow report.
 */
import { frac, sameType, type FixedType } from '../../fixed/types.js';
import { makeCaster, newCastStats, type CastStats } from '../../fixed/quantize.js';
import { BIG, EXACT_BITS, allocOut, ceillog2, reduceTree, type KernelOptions, type KernelStats, type RawInput, type RawOutput } from '../common.js';
import { truncScaledIndex } from '../activations.js';
import { softmax, type SoftmaxConfig } from '../softmax.js';
import { quantizeDoubleRaw, softmaxInpNormType, softmaxTables } from '../tables.js';
import { rawRange } from './analysis.js';
import { OutputBuffer, validRaw, wantsBig, type FastOptions, type FastPrepared, type RunKernel } from './common.js';

type Cast = (raw: number) => number;

function typed(from: FixedType, to: FixedType, st?: KernelStats['accum']): Cast {
  return sameType(from, to) ? (r) => r : makeCaster(frac(from), to, st);
}

/**
 * Fast softmax with the same config as the reference `softmax`.
 *
 * @example const k = prepareFastSoftmax(cfg).kernel ?? { run: (x, o) => softmax(cfg, x, o) };
 */
export function prepareFastSoftmax(cfg: SoftmaxConfig, options: FastOptions = {}): FastPrepared<RunKernel> {
  const nIn = cfg.n_in;
  softmax(cfg, new Float64Array(nIn)); // validates exactly like the reference
  const ref = (x: RawInput, o?: KernelOptions) => softmax(cfg, x, o);
  const impl = String(cfg.implementation).toLowerCase();
  const stream = cfg.io_type === 'io_stream';
  const nSlice = cfg.n_slice ?? nIn;
  const nOuter = cfg.n_outer ?? 1;
  const nInner = cfg.n_inner ?? 1;
  const nGroups = stream ? nIn / nSlice : nOuter;
  const tt = cfg.types as unknown as Record<string, FixedType | undefined>;
  const tin = tt.input!;
  const tres = tt.result!;
  const [lo, hi] = rawRange(tin);
  const outBuf = new OutputBuffer(cfg.name ?? 'softmax', nIn, tres, options.reuseOutput === true);
  // idx[g·nSlice + j] = flat index of element j of slice g.
  const idx = new Int32Array(nGroups * nInner * nSlice);
  let p = 0;
  for (let g = 0; g < nGroups; g++) for (let k = 0; k < nInner; k++) for (let j = 0; j < nSlice; j++) idx[p++] = g * nSlice * nInner + k + j * nInner;
  const nSl = nGroups * nInner;
  /** run validates (bad inputs go to the reference), runTrusted does not. */
  const kernel = (core: (xs: ArrayLike<number>, opts: KernelOptions) => RawOutput): FastPrepared<RunKernel> => ({
    kernel: {
      run(x: RawInput, opts: KernelOptions = {}): RawOutput {
        const xs = wantsBig(opts) ? null : validRaw(x, nIn, lo, hi);
        return xs ? core(xs, opts) : ref(x, opts);
      },
      runTrusted(x: Float64Array, opts: KernelOptions = {}): RawOutput {
        return wantsBig(opts) || x.length !== nIn ? ref(x, opts) : core(x, opts);
      },
    },
  });

  /** For wide values: inputs of any width (numbers, bigints, a BigInt64Array), validated like readRaw. */
  const kernelWide = (core: (xs: ArrayLike<bigint>, opts: KernelOptions) => RawOutput): FastPrepared<RunKernel> => {
    const blo = tin.signed ? -(1n << BigInt(tin.W - 1)) : 0n;
    const bhi = tin.signed ? (1n << BigInt(tin.W - 1)) - 1n : (1n << BigInt(tin.W)) - 1n;
    const buf = new Array<bigint>(nIn);
    const read = (x: RawInput): ArrayLike<bigint> | null => {
      if (!x || x.length !== nIn) return null;
      for (let i = 0; i < nIn; i++) {
        const v = x[i]!;
        const b = typeof v === 'bigint' ? v : Number.isInteger(v) ? BigInt(v) : null;
        if (b === null || b < blo || b > bhi) return null;
        buf[i] = b;
      }
      return buf;
    };
    const run = (x: RawInput, opts: KernelOptions = {}): RawOutput => {
      const xs = wantsBig(opts) ? null : read(x);
      return xs ? core(xs, opts) : ref(x, opts);
    };
    return { kernel: { run, runTrusted: run } };
  };

  if (impl === 'argmax') {
    if (Math.max(tin.W + 1, tres.W) > EXACT_BITS) return { kernel: null, reason: 'BigInt path' };
    const ev = newCastStats();
    const one = quantizeDoubleRaw(1, tres, ev) as number;
    return kernel((xs, opts) => {
          const out = outBuf.get(opts);
          for (let s = 0; s < nSl; s++) {
            const b = s * nSlice;
            let m = xs[idx[b]!]!;
            let at = 0;
            for (let i = 1; i < nSlice; i++) {
              const v = xs[idx[b + i]!]!;
              if (v > m) {
                m = v;
                at = i;
              }
            }
            for (let i = 0; i < nSlice; i++) out[idx[b + i]!] = i === at ? one + 0 : 0;
          }
          const st = opts.stats;
          if (st) {
            st.result.wrapped += ev.wrapped;
            st.result.saturated += ev.saturated;
            st.resultCount += nSl * nSlice;
          }
          return out;
    });
  }

  if (impl === 'legacy') {
    const tab = tt.table!;
    if (Math.max(tin.W + 2, tab.W + 2, tres.W) > EXACT_BITS) return { kernel: null, reason: 'BigInt path' };
    const expN = stream ? (cfg.table_size ?? 1024) : (cfg.exp_table_size ?? 1024);
    const invN = stream ? (cfg.table_size ?? 1024) : (cfg.inv_table_size ?? 1024);
    const tables = softmaxTables({ name: 'softmax', implementation: 'legacy', exp_table_size: expN, inv_table_size: invN, types: { input: tin, table: tab } });
    const expTab = tables.exp_table as Float64Array;
    const invTab = tables.inv_table as Float64Array;
    const ft = frac(tab);
    const fx = frac(tin);
    const halfE = Math.floor((8 * expN) / 16);
    const oneEv = newCastStats();
    const one = quantizeDoubleRaw(1, tab, oneEv) as number;
    const eres = new Float64Array(nSlice);
    const ftScale = 2 ** -ft;
    // Converters built once, counting into scratch counters that a report then takes over.
    const cAcc = newCastStats();
    const cRes = newCastStats();
    const castT = makeCaster(ft, tab, cAcc);
    const castR = typed(tab, tres, cRes);
    return kernel((xs, opts) => {
          const st = opts.stats;
          if (st) {
            st.internal.wrapped += oneEv.wrapped;
            st.internal.saturated += oneEv.saturated;
          }
          const out = outBuf.get(opts);
          let m = 0;
          for (let s = 0; s < nSl; s++) {
            const b = s * nSlice;
            for (let i = 0; i < nSlice; i++) {
              let e = 0;
              const xi = xs[idx[b + i]!]!;
              for (let j = 0; j < nSlice; j++) {
                let d: number;
                if (i === j) d = one;
                else {
                  let k = (truncScaledIndex(xs[idx[b + j]!]! - xi, fx, expN, 16) + halfE) | 0;
                  if (k < 0) k = 0;
                  if (k > expN - 1) k = expN - 1;
                  d = expTab[k]!;
                }
                e = castT(e + d);
              }
              eres[i] = e;
            }
            for (let i = 0; i < nSlice; i++) {
              let k = truncScaledIndex(eres[i]!, ft, invN, 64);
              if (k < 0) k = 0;
              if (k > invN - 1) k = invN - 1;
              const v = invTab[k]!;
              const a = v < 0 ? -v : v;
              if (a > m) m = a;
              out[idx[b + i]!] = castR(v) + 0;
            }
          }
          takeCounts(st, cAcc, cRes, null);
          if (st) {
            st.resultCount += nSl * nSlice;
            if (m * ftScale > st.maxAbsPreResult) st.maxAbsPreResult = m * ftScale;
          }
          return out;
    });
  }

  // latency / stable
  const expT = tt.exp_table!;
  const invT = tt.inv_table!;
  const acc = tt.accum!;
  const invInp = tt.inv_inp ?? expT;
  const stable = impl === 'stable';
  const norm = stable ? (tt.inp_norm ?? softmaxInpNormType(tin)) : tin;
  const bits = Math.max(tin.W + 2, acc.W + 2, acc.W + invT.W, expT.W + 1, invInp.W + 1, norm.W + 1, tres.W);
  const wideValues = bits > EXACT_BITS || tin.W > 52 || norm.W > 52 || invInp.W > 52;
  if (wideValues && (expT.W > 53 || invT.W > 53 || Math.max(tin.W, norm.W, invInp.W, acc.W) > 64)) return { kernel: null, reason: 'BigInt path' };
  const expN = cfg.exp_table_size ?? 1024;
  const invN = cfg.inv_table_size ?? 1024;
  const tables = softmaxTables({
    name: 'softmax',
    implementation: impl,
    exp_table_size: expN,
    inv_table_size: invN,
    exp_scale: cfg.exp_scale,
    types: { input: tin, exp_table: expT, inv_table: invT, inv_inp: invInp, inp_norm: norm },
  });
  const expTab = tables.exp_table as Float64Array;
  const invTab = tables.inv_table as Float64Array;
  const fa = frac(acc);
  const fInv = frac(invT);
  const pScale = 2 ** -(fa + fInv);
  if (wideValues) return kernelWide(stableSoftmaxBig({ nSl, nSlice, idx, stable, tin, norm, expT, acc, invInp, invT, tres, name: cfg.name ?? 'softmax', expTab, invTab, expN, invN, outBuf }));
  const eres = new Float64Array(nSlice);
  const vals = new Float64Array(nSlice);
  // Converters built once, counting into scratch counters that a report then takes over.
  const cAcc = newCastStats();
  const cInt = newCastStats();
  const cRes = newCastStats();
  const castE = typed(expT, acc, cAcc);
  const castA = makeCaster(fa, acc, cAcc);
  const castS = typed(acc, invInp, cInt);
  const castN = makeCaster(frac(tin), norm, cInt);
  const castR = makeCaster(fa + fInv, tres, cRes);
  const add = (a: number, b: number) => castA(a + b);
  const expIdx = topBitsOf(norm, expN);
  const expIdxIn = topBitsOf(tin, expN);
  const invIdx = topBitsOf(invInp, invN);
  return kernel((xs, opts) => {
        const st = opts.stats;
        const out = outBuf.get(opts);
        let m = 0;
        for (let s = 0; s < nSl; s++) {
          const b = s * nSlice;
          if (stable) {
            for (let i = 0; i < nSlice; i++) vals[i] = xs[idx[b + i]!]!;
            let xmax = vals[0]!;
            for (let i = 1; i < nSlice; i++) if (vals[i]! > xmax) xmax = vals[i]!;
            for (let i = 0; i < nSlice; i++) eres[i] = castE(expTab[expIdx(castN(xmax - vals[i]!))]!);
          } else {
            for (let i = 0; i < nSlice; i++) eres[i] = castE(expTab[expIdxIn(xs[idx[b + i]!]!)]!);
          }
          const sum = reduceTree(eres, 0, nSlice, add);
          const inv = invTab[invIdx(castS(sum))]!;
          for (let i = 0; i < nSlice; i++) {
            const pv = eres[i]! * inv;
            const a = pv < 0 ? -pv : pv;
            if (a > m) m = a;
            out[idx[b + i]!] = castR(pv) + 0;
          }
        }
        takeCounts(st, cAcc, cRes, cInt);
        if (st) {
          st.resultCount += nSl * nSlice;
          if (m * pScale > st.maxAbsPreResult) st.maxAbsPreResult = m * pScale;
        }
        return out;
  });
}

/** Move the scratch counters of one call into the report (or drop them without one). */
function takeCounts(st: KernelStats | undefined, acc: CastStats, res: CastStats, internal: CastStats | null): void {
  if (st) {
    st.accum.wrapped += acc.wrapped;
    st.accum.saturated += acc.saturated;
    st.result.wrapped += res.wrapped;
    st.result.saturated += res.saturated;
    if (internal) {
      st.internal.wrapped += internal.wrapped;
      st.internal.saturated += internal.saturated;
    }
  }
  acc.wrapped = acc.saturated = res.wrapped = res.saturated = 0;
  if (internal) internal.wrapped = internal.saturated = 0;
}

/** The table index from a raw value: its top `ceillog2(size)` bits (`softmax_idx_from_real_val`, W ≤ 52). */
function topBitsOf(t: FixedType, size: number): (raw: number) => number {
  const p = 2 ** (t.W - ceillog2(size));
  const mod = 2 ** t.W;
  return (raw) => Math.floor((raw < 0 ? raw + mod : raw) / p);
}

/** What {@link stableSoftmaxBig} needs (see the number version in prepareFastSoftmax). */
interface BigSoftmaxSpec {
  nSl: number;
  nSlice: number;
  idx: Int32Array;
  stable: boolean;
  tin: FixedType;
  norm: FixedType;
  expT: FixedType;
  acc: FixedType;
  invInp: FixedType;
  invT: FixedType;
  tres: FixedType;
  name: string;
  expTab: Float64Array;
  invTab: Float64Array;
  expN: number;
  invN: number;
  outBuf: OutputBuffer;
}

/** Latency / stable softmax on bigints (wide values), tables and converters built once. */
function stableSoftmaxBig(p: BigSoftmaxSpec): (xs: ArrayLike<bigint>, opts: KernelOptions) => RawOutput {
  const { nSl, nSlice, idx, stable, tin, norm, expT, acc, invInp, tres, expTab, invTab, expN, invN, outBuf } = p;
  const cAcc = newCastStats();
  const cInt = newCastStats();
  const cRes = newCastStats();
  const bigCast = (fromFrac: number, to: FixedType, st: CastStats) => BIG.caster(fromFrac, to, st);
  const castE = sameType(expT, acc) ? (v: bigint) => v : bigCast(frac(expT), acc, cAcc);
  const castA = bigCast(frac(acc), acc, cAcc);
  const castS = sameType(acc, invInp) ? (v: bigint) => v : bigCast(frac(acc), invInp, cInt);
  const castN = bigCast(frac(tin), norm, cInt);
  const fa = frac(acc);
  const fInvT = frac(p.invT);
  const castRes = bigCast(fa + fInvT, tres, cRes);
  const add = (a: bigint, b: bigint) => castA(a + b);
  const top = (t: FixedType, size: number) => {
    const sh = BigInt(t.W - ceillog2(size));
    const W = t.W;
    return (raw: bigint) => Number(BigInt.asUintN(W, raw) >> sh);
  };
  const expIdx = stable ? top(norm, expN) : top(tin, expN);
  const invIdx = top(invInp, invN);
  const eres = new Array<bigint>(nSlice);
  const vals = new Array<bigint>(nSlice);
  const expB = Array.from(expTab, (v) => BigInt(v));
  const invB = Array.from(invTab, (v) => BigInt(v));
  const pScale = 2 ** -(fa + fInvT);
  const wideOut = tres.W > EXACT_BITS;
  return (xs, opts) => {
    const st = opts.stats;
    const out = (opts.out ? allocOut(p.name, nSl * nSlice, tres, opts.out) : wideOut ? new Array<bigint>(nSl * nSlice) : outBuf.get(opts)) as unknown as { [k: number]: number | bigint };
    let m = 0n;
    for (let s = 0; s < nSl; s++) {
      const b = s * nSlice;
      if (stable) {
        for (let i = 0; i < nSlice; i++) vals[i] = xs[idx[b + i]!]!;
        let xmax = vals[0]!;
        for (let i = 1; i < nSlice; i++) if (vals[i]! > xmax) xmax = vals[i]!;
        for (let i = 0; i < nSlice; i++) eres[i] = castE(expB[expIdx(castN(xmax - vals[i]!))]!);
      } else {
        for (let i = 0; i < nSlice; i++) eres[i] = castE(expB[expIdx(xs[idx[b + i]!]!)]!);
      }
      const sum = reduceTree(eres, 0, nSlice, add);
      const inv = invB[invIdx(castS(sum))]!;
      for (let i = 0; i < nSlice; i++) {
        const pv = eres[i]! * inv;
        const a = pv < 0n ? -pv : pv;
        if (a > m) m = a;
        const r = castRes(pv);
        out[idx[b + i]!] = wideOut ? r : Number(r) + 0;
      }
    }
    takeCounts(st, cAcc, cRes, cInt);
    if (st) {
      st.resultCount += nSl * nSlice;
      const mm = Number(m) * pScale;
      if (mm > st.maxAbsPreResult) st.maxAbsPreResult = mm;
    }
    return out as unknown as RawOutput;
  };
}
