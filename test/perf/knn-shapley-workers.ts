// knn-shapley v1 with its valuation split over worker threads by queries. The near-duplicate
// collapse stays on one thread: whether a point is kept depends on the points kept before it.
// Every worker then values the kept points against its share of the window's queries with
// knnShapley itself, and the per-point sums, exact integers, add up to what one thread computes:
// the same values, the same allocation, the same report root. Here for the bench for now; an
// attestor with more than one core could value a window the same way.
//
// The kept points are valued as a training set of their own with duplicateDistance = 0. That changes
// nothing: kept points are pairwise more than duplicateDistance ≥ 0 apart, so no two are equal and the
// exact-copy collapse keeps them all (valuePoints checks it).
import { Worker } from "node:worker_threads";
import {
  type KnnShapleyParams,
  knnShapley,
  type LabelledVectors,
  type TrainingSet,
} from "../../runtime/measurement/index.ts";

/** What a worker is sent: the kept points and its share of the queries. */
export interface ValuationTask {
  id: number;
  k: number;
  dimension: number;
  values: Int32Array;
  labels: Uint16Array;
  queries: LabelledVectors[];
}

export type ValuationReply =
  | { id: number; sums: BigInt64Array<ArrayBuffer> }
  | { id: number; error: string };

const INT64_LIMIT = 1n << 63n;

/** The kept points of `train` (representative[j] === j) as a training set of their own. */
export function keptPoints(
  train: TrainingSet,
  representative: Int32Array,
): { kept: Int32Array; points: TrainingSet } {
  const { dimension } = train;
  const list: number[] = [];
  for (let j = 0; j < representative.length; j++) if (representative[j] === j) list.push(j);
  const kept = Int32Array.from(list);
  const values = new Int32Array(kept.length * dimension);
  const labels = new Uint16Array(kept.length);
  for (const [i, j] of kept.entries()) {
    values.set(train.values.subarray(j * dimension, (j + 1) * dimension), i * dimension);
    labels[i] = train.labels[j]!;
  }
  return { kept, points: pointSet(dimension, values, labels) };
}

/** Each point its own contribution, in the given order. */
function pointSet(dimension: number, values: Int32Array, labels: Uint16Array): TrainingSet {
  const owner = Int32Array.from({ length: labels.length }, (_, i) => i);
  return { dimension, values, labels, owner, position: new Int32Array(labels.length) };
}

/** Each point's knn-shapley value over `queries` (points pairwise distinct), on this thread. */
export function valuePoints(
  k: number,
  points: Pick<TrainingSet, "dimension" | "values" | "labels">,
  queries: LabelledVectors[],
): BigInt64Array<ArrayBuffer> {
  const set = pointSet(points.dimension, points.values, points.labels);
  const params: KnnShapleyParams = { k, duplicateDistance: 0, rawFeatures: false };
  const valuation = knnShapley(params, set, queries, set.labels.length);
  if (valuation.kept.length !== set.labels.length)
    throw new Error("valuePoints was given two equal points: collapse them first");
  const sums = new BigInt64Array(valuation.pointValues.length);
  for (const [i, v] of valuation.pointValues.entries()) {
    if (v >= INT64_LIMIT || v < -INT64_LIMIT) throw new Error(`point ${i}'s sum ${v} overflows`);
    sums[i] = v;
  }
  return sums;
}

/** `queries` cut into `parts` consecutive shares whose record counts differ by at most one. */
export function splitQueries(queries: LabelledVectors[], parts: number): LabelledVectors[][] {
  const total = queries.reduce((sum, q) => sum + q.labels.length, 0);
  const shares: LabelledVectors[][] = Array.from({ length: parts }, () => []);
  let file = 0;
  let record = 0;
  for (let p = 0; p < parts; p++) {
    let want = Math.floor(total / parts) + (p < total % parts ? 1 : 0);
    while (want > 0) {
      const q = queries[file]!;
      const take = Math.min(want, q.labels.length - record);
      const d = q.dimension;
      shares[p]!.push({
        element: q.element,
        dimension: d,
        labels: q.labels.slice(record, record + take),
        values: q.values.slice(record * d, (record + take) * d),
      });
      want -= take;
      record += take;
      if (record === q.labels.length) {
        file++;
        record = 0;
      }
    }
  }
  return shares;
}

/** Per contribution (train.owner's indices): the sum of its kept points' values. */
export function contributionValues(
  train: TrainingSet,
  kept: Int32Array,
  sums: BigInt64Array,
  contributions: number,
): bigint[] {
  const values = Array.from({ length: contributions }, () => 0n);
  for (const [i, j] of kept.entries()) {
    const c = train.owner[j]!;
    values[c] = values[c]! + sums[i]!;
  }
  return values;
}

/** A fixed set of worker threads that value points, each against its share of the queries. */
export class KnnShapleyWorkers {
  readonly #threads: Worker[];
  #nextId = 0;

  private constructor(threads: Worker[]) {
    this.#threads = threads;
  }

  static async start(count: number): Promise<KnnShapleyWorkers> {
    const url = new URL("./knn-shapley-worker.ts", import.meta.url);
    const threads = Array.from({ length: count }, () => new Worker(url));
    await Promise.all(
      threads.map(
        (thread) =>
          new Promise<void>((resolve, reject) => {
            thread.once("message", () => resolve());
            thread.once("error", reject);
          }),
      ),
    );
    return new KnnShapleyWorkers(threads);
  }

  get size(): number {
    return this.#threads.length;
  }

  /** valuePoints with the queries split over the workers; the same sums, added up. */
  async valuePoints(
    k: number,
    points: Pick<TrainingSet, "dimension" | "values" | "labels">,
    queries: LabelledVectors[],
  ): Promise<BigInt64Array> {
    const shares = splitQueries(queries, this.#threads.length);
    const replies = await Promise.all(
      this.#threads.map((thread, w) => {
        const task: ValuationTask = {
          id: this.#nextId++,
          k,
          dimension: points.dimension,
          values: points.values,
          labels: points.labels,
          queries: shares[w]!,
        };
        return new Promise<BigInt64Array>((resolve, reject) => {
          const onMessage = (reply: ValuationReply) => {
            if (reply.id !== task.id) return;
            thread.off("message", onMessage);
            thread.off("error", reject);
            if ("error" in reply) reject(new Error(`valuation worker ${w}: ${reply.error}`));
            else resolve(reply.sums);
          };
          thread.on("message", onMessage);
          thread.once("error", reject);
          thread.postMessage(task);
        });
      }),
    );
    const sums = new BigInt64Array(points.labels.length);
    for (const part of replies) {
      for (let i = 0; i < sums.length; i++) {
        const v = sums[i]! + part[i]!;
        if (v >= INT64_LIMIT || v < -INT64_LIMIT) throw new Error(`point ${i}'s sum overflows`);
        sums[i] = v;
      }
    }
    return sums;
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.terminate()));
  }
}
