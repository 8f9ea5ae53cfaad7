// Near-duplicate collapse, the first step of a vector method. Points are taken in canonical order
// (contribution id, then position in its file). A point is *kept* unless an earlier kept point
// lies within L1 distance `maxL1` of it; then it is *collapsed* into the earliest such kept point,
// which alone is valued, so a copy earns nothing and the original keeps its value as if the copy
// had never been submitted. L1 is a metric on integer vectors, so the search below can prune with
// the triangle inequality through a few pivots without ever changing the result: which pivots and
// which order the candidates are tried in only decide how fast the answer comes, not the answer.

/** `representative[j]` is `j` for a kept point, else the earliest kept point within `maxL1`. */
export function collapseNearDuplicates(
  values: Int32Array,
  dimension: number,
  maxL1: number,
): Int32Array {
  const n = values.length / dimension;
  const representative = new Int32Array(n);
  if (n === 0) return representative;
  // Pivot 0 is the zero vector (the L1 norm); two points of the set spread the others.
  const pivots = [-1, Math.floor(n / 3), Math.floor((2 * n) / 3)];
  const toPivot = pivots.map((p) => {
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++)
      out[j] = p < 0 ? norm(values, j, dimension) : l1(values, j, p, dimension, Infinity);
    return out;
  });
  const byNorm = Int32Array.from({ length: n }, (_, j) => j);
  const norms = toPivot[0]!;
  byNorm.sort((a, b) => norms[a]! - norms[b]! || a - b);
  const rank = new Int32Array(n);
  for (let r = 0; r < n; r++) rank[byNorm[r]!] = r;
  for (let j = 0; j < n; j++) {
    let best = j;
    const low = norms[j]! - maxL1;
    const high = norms[j]! + maxL1;
    // Walk outwards from j's place in norm order until the norm alone rules candidates out.
    for (let r = rank[j]! - 1; r >= 0 && norms[byNorm[r]!]! >= low; r--)
      best = closer(byNorm[r]!, j, best);
    for (let r = rank[j]! + 1; r < n && norms[byNorm[r]!]! <= high; r++)
      best = closer(byNorm[r]!, j, best);
    representative[j] = best;
  }
  return representative;

  /** `i` when it is an earlier kept point than `best` within maxL1 of `j`, else `best`. */
  function closer(i: number, j: number, best: number): number {
    if (i >= best || representative[i] !== i) return best;
    for (let k = 1; k < toPivot.length; k++)
      if (Math.abs(toPivot[k]![i]! - toPivot[k]![j]!) > maxL1) return best;
    return l1(values, i, j, dimension, maxL1) <= maxL1 ? i : best;
  }
}

function norm(values: Int32Array, j: number, dimension: number): number {
  let sum = 0;
  for (let t = j * dimension, end = t + dimension; t < end; t++) sum += Math.abs(values[t]!);
  return sum;
}

/** The L1 distance of points a and b, or any value above `limit` once it exceeds it. */
function l1(values: Int32Array, a: number, b: number, dimension: number, limit: number): number {
  let sum = 0;
  const ra = a * dimension;
  const rb = b * dimension;
  for (let t = 0; t < dimension; t++) {
    sum += Math.abs(values[ra + t]! - values[rb + t]!);
    if (sum > limit) return sum;
  }
  return sum;
}
