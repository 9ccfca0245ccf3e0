/**
 * Reuse-factor validation as hls4ml's FPGA backend does it for the Resource strategies
 * (`_validate_reuse_factor`, `get_valid_reuse_factors`, `get_closest_reuse_factor`): an invalid
 * requested RF is silently replaced by the closest valid one, ties going to the smaller.
 */
import { ConfigError } from '../errors.js';

function checkPos(field: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ConfigError(field, `must be an integer ≥ 1, got ${String(v)}`);
}

/**
 * True when `rf` is a valid reuse factor for an `n_in × n_out` multiplication:
 * `ceil(n_in·n_out / min(n_in, rf)) % n_out == 0 or rf ≥ n_in`, `rf % n_in == 0 or rf < n_in`,
 * and `n_in·n_out % rf == 0`.
 *
 * @example isValidReuseFactor(16, 8, 4);  // true
 * @example isValidReuseFactor(42, 64, 4); // false
 */
export function isValidReuseFactor(nIn: number, nOut: number, rf: number): boolean {
  checkPos('n_in', nIn);
  checkPos('n_out', nOut);
  checkPos('reuse_factor', rf);
  const multfactor = Math.min(nIn, rf);
  const multiplierLimit = Math.ceil((nIn * nOut) / multfactor);
  let ok = multiplierLimit % nOut === 0 || rf >= nIn;
  ok = ok && (rf % nIn === 0 || rf < nIn);
  ok = ok && (nIn * nOut) % rf === 0;
  return ok;
}

/**
 * All valid reuse factors in 1 … n_in·n_out, ascending.
 *
 * @example validReuseFactors(4, 2); // [1, 2, 4, 8]
 */
export function validReuseFactors(nIn: number, nOut: number): number[] {
  checkPos('n_in', nIn);
  checkPos('n_out', nOut);
  const out: number[] = [];
  for (let rf = 1; rf <= nIn * nOut; rf++) if (isValidReuseFactor(nIn, nOut, rf)) out.push(rf);
  return out;
}

/**
 * The reuse factor hls4ml actually uses: `rf` itself when valid, else the closest valid one
 * (ties → the smaller). `includeMaxRf = false` drops the largest valid RF first (hls4ml does so for
 * the `resource_unrolled` strategy).
 *
 * @example validReuseFactor(42, 64, 4); // 3
 * @example validReuseFactor(16, 8, 4);  // 4
 */
export function validReuseFactor(nIn: number, nOut: number, rf: number, includeMaxRf = true): number {
  if (typeof rf !== 'number' || !(rf > 0) || !Number.isFinite(rf)) throw new ConfigError('reuse_factor', `must be a positive number, got ${String(rf)}`);
  const valid = validReuseFactors(nIn, nOut);
  if (!includeMaxRf) valid.pop();
  if (valid.length === 0) throw new ConfigError('reuse_factor', `no valid reuse factor for n_in=${nIn}, n_out=${nOut}`);
  if (valid.includes(rf)) return rf;
  // bisect_left
  let pos = 0;
  while (pos < valid.length && valid[pos]! < rf) pos++;
  if (pos === 0) return valid[0]!;
  if (pos === valid.length) return valid[valid.length - 1]!;
  const before = valid[pos - 1]!;
  const after = valid[pos]!;
  return after - rf < rf - before ? after : before;
}
