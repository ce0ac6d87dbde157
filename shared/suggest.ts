/**
 * "Did you mean …?" for names typed by people: command-line flags, spec fields, commands. One
 * mechanism, so every refusal of an unknown name suggests the same way.
 */

/**
 * Edit distance between two strings: insertions, deletions, substitutions and transpositions of
 * neighbours each cost 1 (optimal string alignment). `trainig` → `training` is 1.
 */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  // Three rows suffice: the transposition looks two rows back.
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (prev2[j - 2] ?? 0) + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n] ?? 0;
}

/**
 * The candidate `name` was most likely meant to be, or undefined when none is close: within an
 * edit distance of a third of the name's length (at least 1, at most 3), compared without case, or
 * a candidate the name is a prefix of (at least 3 characters: `--dry` → `--dry-run`).
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(lower.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const cl = c.toLowerCase();
    const d = cl.startsWith(lower) && lower.length >= 3 ? 0.5 : editDistance(lower, cl);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** ` (did you mean "x"?)` when a candidate is close to `name`, else the empty string. */
export function didYouMean(
  name: string,
  candidates: Iterable<string>,
  show: (candidate: string) => string = (c) => `"${c}"`,
): string {
  const c = closest(name, candidates);
  return c === undefined ? '' : ` (did you mean ${show(c)}?)`;
}
