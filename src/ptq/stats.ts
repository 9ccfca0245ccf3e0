/**
 * Streaming statistics of a tensor's values, for profiling: exact count / zeros / min / max and a
 * fine histogram of log2|x| (1/32-bit bins) from which box-plot quantiles and "fraction below the
 * LSB / above the range of a type" are read without keeping the values.
 */

/** Histogram resolution: bins per power of two. */
export const BINS_PER_OCTAVE = 32;
const LO = -64; // log2 of the smallest binned |x|
const HI = 64;
const NBINS = (HI - LO) * BINS_PER_OCTAVE;

/** Box-plot numbers of log2|x| over the non-zero values. */
export interface Log2Summary {
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

/** A JSON-friendly summary of {@link TensorStats}. */
export interface TensorSummary {
  /** Number of values seen. */
  count: number;
  /** How many were exactly zero. */
  zeros: number;
  min: number;
  max: number;
  /** Largest |x|. */
  maxAbs: number;
  /** Smallest non-zero |x| (0 when all are zero). */
  minAbsNonZero: number;
  /** Quartiles of log2|x| over the non-zero values (null when all are zero). */
  log2: Log2Summary | null;
}

/**
 * Accumulates values batch by batch.
 *
 * @example
 * const st = new TensorStats();
 * st.add(batch1).add(batch2);
 * st.summary().log2; // { min, q1, median, q3, max } of log2|x| over the non-zero values
 */
export class TensorStats {
  count = 0;
  zeros = 0;
  min = Infinity;
  max = -Infinity;
  minAbsNonZero = Infinity;
  private readonly hist = new Float64Array(NBINS);
  private under = 0; // |x| < 2^LO
  private over = 0; // |x| >= 2^HI

  /** Add values. @example const s = new TensorStats(); s.add([0, 0.5, -2]); s.summary().maxAbs // 2 */
  add(values: ArrayLike<number>): this {
    const h = this.hist;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      if (v === 0) {
        this.zeros++;
        continue;
      }
      const a = v < 0 ? -v : v;
      if (a < this.minAbsNonZero) this.minAbsNonZero = a;
      const b = Math.floor((Math.log2(a) - LO) * BINS_PER_OCTAVE);
      if (b < 0) this.under++;
      else if (b >= NBINS) this.over++;
      else h[b]!++;
    }
    this.count += values.length;
    return this;
  }

  /** Largest |x| seen (0 when nothing / only zeros). */
  get maxAbs(): number {
    return this.count === this.zeros ? 0 : Math.max(Math.abs(this.min), Math.abs(this.max));
  }

  /**
   * Quantile q ∈ [0, 1] of log2|x| over the non-zero values, interpolated within a bin
   * (error ≤ 1/32 bit; q = 0 and q = 1 are exact).
   *
   * @example s.log2Quantile(0.5) // median of log2|x|
   */
  log2Quantile(q: number): number {
    const nz = this.count - this.zeros;
    if (nz === 0) return NaN;
    if (q <= 0) return Math.log2(this.minAbsNonZero);
    if (q >= 1) return Math.log2(this.maxAbs);
    const target = q * nz;
    let acc = this.under;
    if (target <= acc) return Math.log2(this.minAbsNonZero);
    for (let b = 0; b < NBINS; b++) {
      const c = this.hist[b]!;
      if (c > 0 && acc + c >= target) {
        const x = LO + (b + (target - acc) / c) / BINS_PER_OCTAVE;
        return Math.min(Math.max(x, Math.log2(this.minAbsNonZero)), Math.log2(this.maxAbs));
      }
      acc += c;
    }
    return Math.log2(this.maxAbs);
  }

  /**
   * Fraction of the non-zero values with |x| < 2^lo — below the LSB of a type whose LSB is 2^lo.
   *
   * @example s.fractionBelow(-10) // share of values a fixed<16,6> truncates to 0 or 1 LSB
   */
  fractionBelow(lo: number): number {
    const nz = this.count - this.zeros;
    if (nz === 0) return 0;
    const edge = (lo - LO) * BINS_PER_OCTAVE;
    let n = this.under;
    const full = Math.floor(edge);
    for (let b = 0; b < Math.min(full, NBINS); b++) n += this.hist[b]!;
    if (full >= 0 && full < NBINS) n += this.hist[full]! * (edge - full);
    return n / nz;
  }

  /**
   * Fraction of the non-zero values with |x| ≥ 2^hi — outside a type whose range is ±2^hi.
   *
   * @example s.fractionAbove(5) // share of values a fixed<16,6> cannot hold
   */
  fractionAbove(hi: number): number {
    const nz = this.count - this.zeros;
    if (nz === 0) return 0;
    const edge = (hi - LO) * BINS_PER_OCTAVE;
    let n = this.over;
    const full = Math.ceil(edge);
    for (let b = Math.max(full, 0); b < NBINS; b++) n += this.hist[b]!;
    if (full - 1 >= 0 && full - 1 < NBINS) n += this.hist[full - 1]! * (full - edge);
    return n / nz;
  }

  /** JSON-friendly numbers. @example JSON.stringify(s.summary()) */
  summary(): TensorSummary {
    const nz = this.count - this.zeros;
    return {
      count: this.count,
      zeros: this.zeros,
      min: this.count ? this.min : 0,
      max: this.count ? this.max : 0,
      maxAbs: this.maxAbs,
      minAbsNonZero: nz ? this.minAbsNonZero : 0,
      log2: nz
        ? { min: this.log2Quantile(0), q1: this.log2Quantile(0.25), median: this.log2Quantile(0.5), q3: this.log2Quantile(0.75), max: this.log2Quantile(1) }
        : null,
    };
  }
}

/**
 * Binomial standard error of an accuracy p measured on n samples: √(p(1−p)/n) (0 for n = 0).
 *
 * @example binomialError(0.875, 1000) // 0.0105 (±1.05 percentage points)
 */
export function binomialError(p: number, n: number): number {
  if (!(n > 0) || !Number.isFinite(p)) return 0;
  return Math.sqrt(Math.max(0, p * (1 - p)) / n);
}

/**
 * The 68 % (one sigma, z = 1) Wilson score interval of a binomial proportion p measured on n
 * samples — unlike p ± σ it stays inside [0, 1] and is not empty at p = 0 or 1.
 *
 * @example binomialInterval(0.875, 1000) // [0.8643, 0.8852]
 */
export function binomialInterval(p: number, n: number, z = 1): [number, number] {
  if (!(n > 0) || !Number.isFinite(p)) return [p, p];
  const z2 = z * z;
  const d = 1 + z2 / n;
  const c = (p + z2 / (2 * n)) / d;
  const h = (z * Math.sqrt(Math.max(0, (p * (1 - p)) / n + z2 / (4 * n * n)))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}
