/**
 * "Did you mean …?" for misspelt keys and flags: the closest candidate by edit distance
 * (case-insensitive), when it is close enough to be a plausible typo.
 */

/** Levenshtein distance. @example editDistance('ReuseFator', 'ReuseFactor') // 1 */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[n]!;
}

/**
 * The candidate closest to `word`, or undefined when none is within a third of its length (at
 * least 2 edits).
 *
 * @example closest('Precison', ['Precision', 'ReuseFactor']) // 'Precision'
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** ` (did you mean 'X'?)` or ''. @example didYouMean('--trce', ['--trace']) // " (did you mean '--trace'?)" */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean '${c}'?)`;
}
