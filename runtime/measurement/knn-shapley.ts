// Exact KNN-Shapley (Jia et al. 2019, "Efficient task-specific data valuation for nearest neighbor
// algorithms", Theorem 1), in integer arithmetic so that every honest attestor gets the same bits.
//
// The model is a K-nearest-neighbour classifier over the training points (every point of every
// contribution, near duplicates collapsed first: duplicates.ts). For one query (x, y) the kept
// points are ordered by squared Euclidean distance to x, ties by canonical index: α_1 … α_N. With
// c_i = 1 when α_i's label is y, else 0, the utility of a subset is its K nearest points' share of
// correct labels, U(S) = (1/K) Σ_{k ≤ min(K,|S|)} c_{α_k(S)}, and the exact Shapley values are
//
//   s(α_N) = c_N · min(K, N) / (K · N)
//   s(α_i) = s(α_{i+1}) + (c_i − c_{i+1}) · min(K, i) / (K · i)        for i = N−1 … 1
//
// (the paper writes s(α_N) = c_N / N, which holds only when N ≥ K: with fewer points than K the
// farthest point enters every coalition's neighbourhood, and its value is c_N / K). In fixed point
// with scale S = 2^40, each fraction is floored once, exactly, and the recursion adds them:
//
//   B   = ⌊S · min(K, N) / (K · N)⌋,  T_i = ⌊S · min(K, i) / (K · i)⌋
//   s(α_N) = c_N · B,                 s(α_i) = s(α_{i+1}) + (c_i − c_{i+1}) · T_i
//
// A point's value is the sum of its s over the window's queries, a contribution's the sum over its
// kept points. Every number here is an integer below 2^53, so JavaScript doubles hold them
// exactly; per-point sums move to bigint every 4096 queries, before they could reach 2^53.
import { decodeMessage, encodeMessage, messageType } from "../../primitives/codec.ts";
import { collapseNearDuplicates } from "./duplicates.ts";
import { MeasurementError } from "./errors.ts";
import type { LabelledVectors } from "./vectors.ts";

export const KNN_SCALE = 2 ** 40;
const FLUSH_EVERY = 4096;
export const MAX_K = 1024;
/** Above any distance two vectors of the format can be apart (4096 · 65535² < 2^46). */
export const MAX_DUPLICATE_DISTANCE = 2 ** 23;

export interface KnnShapleyParams {
  /** Neighbours the classifier votes with, 1 ..= 1024. */
  k: number;
  /** Points within this Euclidean distance of an earlier kept point collapse into it (0: exact copies only). */
  duplicateDistance: number;
  /** The feature files are the contributions' registered content (raw pixels), hashes checked. */
  rawFeatures: boolean;
}

const paramsType = messageType("runtime.proto", "lineage.runtime.v1.KnnShapleyParams");

export function encodeKnnParams(p: KnnShapleyParams): Uint8Array {
  checkKnnParams(p);
  return encodeMessage(paramsType, p);
}

export function decodeKnnParams(bytes: Uint8Array): KnnShapleyParams {
  let p: KnnShapleyParams;
  try {
    p = decodeMessage<KnnShapleyParams>(paramsType, bytes, 64);
  } catch (cause) {
    throw new MeasurementError(
      "MEASUREMENT_PARAMS",
      `knn-shapley parameters: ${(cause as Error).message}`,
    );
  }
  checkKnnParams(p);
  return p;
}

function checkKnnParams(p: KnnShapleyParams): void {
  if (!Number.isSafeInteger(p.k) || p.k < 1 || p.k > MAX_K)
    throw new MeasurementError("MEASUREMENT_PARAMS", `k = ${p.k} outside 1..${MAX_K}`);
  if (
    !Number.isSafeInteger(p.duplicateDistance) ||
    p.duplicateDistance < 0 ||
    p.duplicateDistance > MAX_DUPLICATE_DISTANCE
  )
    throw new MeasurementError(
      "MEASUREMENT_PARAMS",
      `duplicateDistance = ${p.duplicateDistance} outside 0..2^23`,
    );
}

/** The training set: every point of every contribution, in canonical order. */
export interface TrainingSet {
  dimension: number;
  values: Int32Array;
  labels: Uint16Array;
  /** Index (into the contributions' list) of each point's contribution. */
  owner: Int32Array;
  /** Each point's position in its contribution's file. */
  position: Int32Array;
}

/** Concatenates the contributions' vectors (already in ascending contribution id order). */
export function trainingSet(files: LabelledVectors[]): TrainingSet {
  if (files.length === 0)
    throw new MeasurementError("MEASUREMENT_INPUT", "no contributions to value");
  const dimension = files[0]!.dimension;
  let n = 0;
  for (const [i, f] of files.entries()) {
    if (f.dimension !== dimension)
      throw new MeasurementError(
        "MEASUREMENT_INPUT",
        `contribution file ${i} has dimension ${f.dimension}, the first has ${dimension}`,
      );
    n += f.labels.length;
  }
  const values = new Int32Array(n * dimension);
  const labels = new Uint16Array(n);
  const owner = new Int32Array(n);
  const position = new Int32Array(n);
  let at = 0;
  for (const [i, f] of files.entries()) {
    values.set(f.values, at * dimension);
    labels.set(f.labels, at);
    for (let r = 0; r < f.labels.length; r++) {
      owner[at + r] = i;
      position[at + r] = r;
    }
    at += f.labels.length;
  }
  return { dimension, values, labels, owner, position };
}

export interface KnnValuation {
  /** Per contribution (the input order): the sum of its kept points' values, in units of 1/2^40. */
  values: bigint[];
  /** Per point: the kept point it was collapsed into (itself when kept). */
  representative: Int32Array;
  /** Per kept point (canonical order of the kept points): its value. */
  pointValues: bigint[];
  /** The kept points' canonical indices, ascending. */
  kept: Int32Array;
  queries: number;
}

/** Values every contribution of `train` by exact KNN-Shapley over the queries. */
export function knnShapley(
  params: KnnShapleyParams,
  train: TrainingSet,
  queries: LabelledVectors[],
  contributions: number,
): KnnValuation {
  const { dimension } = train;
  for (const [i, q] of queries.entries())
    if (q.dimension !== dimension)
      throw new MeasurementError(
        "MEASUREMENT_INPUT",
        `query file ${i} has dimension ${q.dimension}, the contributions have ${dimension}`,
      );
  const representative = collapseNearDuplicates(train.values, dimension, params.duplicateDistance);
  const keptList: number[] = [];
  for (let j = 0; j < representative.length; j++) if (representative[j] === j) keptList.push(j);
  const kept = Int32Array.from(keptList);
  const n = kept.length;
  const points = new Int32Array(n * dimension);
  const labels = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    points.set(
      train.values.subarray(kept[i]! * dimension, (kept[i]! + 1) * dimension),
      i * dimension,
    );
    labels[i] = train.labels[kept[i]!]!;
  }
  if (n === 0)
    return {
      values: Array.from({ length: contributions }, () => 0n),
      representative,
      pointValues: [],
      kept,
      queries: queries.reduce((sum, q) => sum + q.labels.length, 0),
    };
  const { base, steps } = fractions(params.k, n);
  const sums = Array.from({ length: n }, () => 0n);
  const acc = new Float64Array(n);
  const distance = new Float64Array(n);
  const order = new Int32Array(n);
  let sinceFlush = 0;
  let queryCount = 0;
  for (const file of queries) {
    for (let q = 0; q < file.labels.length; q++) {
      sortByDistance(points, dimension, file.values, q * dimension, distance, order);
      const y = file.labels[q]!;
      // Walk from the farthest point in: s(α_N) = c_N·B, then s(α_i) = s(α_{i+1}) + (c_i − c_{i+1})·T_i.
      let next = labels[order[n - 1]!] === y ? 1 : 0;
      let s = next * base;
      acc[order[n - 1]!]! += s;
      for (let i = n - 1; i >= 1; i--) {
        const point = order[i - 1]!;
        const c = labels[point] === y ? 1 : 0;
        s += (c - next) * steps[i]!;
        acc[point]! += s;
        next = c;
      }
      queryCount++;
      if (++sinceFlush === FLUSH_EVERY) {
        flush(acc, sums);
        sinceFlush = 0;
      }
    }
  }
  flush(acc, sums);
  const values = Array.from({ length: contributions }, () => 0n);
  for (let i = 0; i < n; i++) {
    const c = train.owner[kept[i]!]!;
    values[c] = values[c]! + sums[i]!;
  }
  return { values, representative, pointValues: sums, kept, queries: queryCount };
}

/** B and T_1 … T_{N−1} (index i), exact floors computed in bigint. */
function fractions(k: number, n: number): { base: number; steps: Float64Array } {
  const scale = BigInt(KNN_SCALE);
  const K = BigInt(k);
  const floorOf = (i: number) => {
    const I = BigInt(i);
    return Number((scale * (I < K ? I : K)) / (K * I));
  };
  const steps = new Float64Array(n);
  for (let i = 1; i < n; i++) steps[i] = floorOf(i);
  return { base: n > 0 ? floorOf(n) : 0, steps };
}

function flush(acc: Float64Array, sums: bigint[]): void {
  for (let i = 0; i < acc.length; i++) {
    if (acc[i] !== 0) {
      sums[i] = sums[i]! + BigInt(acc[i]!);
      acc[i] = 0;
    }
  }
}

/**
 * Fills `order` with the kept points sorted by squared Euclidean distance to the query, ties by
 * index. When distance · n stays below 2^53 the pair is packed into one double and sorted natively;
 * otherwise a comparator does the same ordering.
 */
function sortByDistance(
  points: Int32Array,
  dimension: number,
  query: Int32Array,
  offset: number,
  distance: Float64Array,
  order: Int32Array,
): void {
  const n = distance.length;
  let max = 0;
  for (let i = 0; i < n; i++) {
    let d = 0;
    const row = i * dimension;
    for (let t = 0; t < dimension; t++) {
      const diff = points[row + t]! - query[offset + t]!;
      d += diff * diff;
    }
    distance[i] = d;
    if (d > max) max = d;
  }
  if ((max + 1) * n < Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = distance[i]! * n + i;
    keys.sort();
    for (let i = 0; i < n; i++) order[i] = keys[i]! % n;
    return;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => distance[a]! - distance[b]! || a - b);
}
