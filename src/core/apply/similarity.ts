// How alike two texts are: longest common subsequences of lines (which lines a reply kept) and a
// banded edit distance (whether a quoted snippet is the document's code with small slips).

/** Past this many table cells the quadratic table is not built; only common ends are paired. */
const MAX_CELLS = 4_000_000;

/**
 * Index pairs (i, j) of a longest common subsequence of `a` and `b` (compared with ===), in order.
 * Common prefix and suffix are paired first, so typical inputs (mostly equal) stay cheap.
 */
export function lcsPairs(a: readonly string[], b: readonly string[]): Array<[number, number]> {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < pre; i++) pairs.push([i, i]);
  const n = a.length - pre - suf;
  const m = b.length - pre - suf;
  if (n > 0 && m > 0 && n * m <= MAX_CELLS) {
    const w = m + 1;
    const t = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        t[i * w + j] = a[pre + i] === b[pre + j] ? t[(i + 1) * w + j + 1] + 1 : Math.max(t[(i + 1) * w + j], t[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (a[pre + i] === b[pre + j]) {
        pairs.push([pre + i, pre + j]);
        i++;
        j++;
      } else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) i++;
      else j++;
    }
  }
  for (let k = 0; k < suf; k++) pairs.push([a.length - suf + k, b.length - suf + k]);
  return pairs;
}

/** Length of a longest common subsequence, in linear memory. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  if (a.length * b.length > MAX_CELLS) return lcsPairs(a, b).length;
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/**
 * 1 - (edit distance / length of the longer text), or 0 as soon as it is certain to be below `min`.
 * Only a diagonal band as wide as the allowed distance is computed, so the cost is O(n * band).
 */
export function similarity(a: string, b: string, min: number): number {
  if (a === b) return 1;
  const n = a.length;
  const m = b.length;
  const longer = Math.max(n, m);
  const k = Math.floor((1 - min) * longer);
  if (Math.abs(n - m) > k) return 0;
  const inf = k + 1;
  let prev = new Int32Array(m + 2).fill(inf);
  let cur = new Int32Array(m + 2).fill(inf);
  for (let j = 0; j <= Math.min(m, k); j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - k);
    const hi = Math.min(m, i + k);
    cur.fill(inf, Math.max(0, lo - 1), Math.min(m + 2, hi + 2));
    cur[0] = i <= k ? i : inf;
    let rowMin = lo === 1 ? cur[0] : inf;
    const ca = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const diag = prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      const v = Math.min(diag, prev[j] + 1, cur[j - 1] + 1, inf);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > k) return 0;
    [prev, cur] = [cur, prev];
  }
  const d = prev[m];
  return d > k ? 0 : 1 - d / longer;
}
