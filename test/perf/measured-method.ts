// The attestor's side of measured attribution: knn-shapley v1 (runtime/measurement) over 1k, 10k
// and 100k contributions of one point each, on one thread and with the queries split over two
// worker threads (knn-shapley-workers.ts). The data are synthetic 64-dimensional u8 embeddings
// drawn around ten class centroids, 10% of the labels wrong and 1% of the contributions near
// copies of an earlier one (every coordinate moved by at most one: within Euclidean distance 8 of
// it, and duplicateDistance = 16, so the collapse has copies to find); queries are fresh points with their true labels. Real digits
// (test/fixtures/mnist.ts) hold only about 10,000 images, too few for the larger sizes.
//
// Each size is timed in stages on the main thread, with the method's own functions in its order:
// decoding the labelled-vector files into the training set, the near-duplicate collapse, the
// valuation of the kept points (knn-shapley-workers.ts explains why valuing them apart is the
// same); then the allocation of a pot and the report root, what an attestor reveals. The
// valuation runs again on the workers, after parallelCeiling has measured what two threads of
// plain arithmetic gain on the machine at that moment (it is shared). Checked, never timed: the
// two valuations give the same values and the same root, and up to REFERENCE_MAX contributions
// both equal findMethod("knn-shapley", 1).measure() (kept points and root).
import { bytesEqual } from "../../primitives/bytes.ts";
import {
  allocate,
  collapseNearDuplicates,
  decodeVectors,
  encodeVectors,
  findMethod,
  type KnnShapleyParams,
  knnShapleyParams,
  type LabelledVectors,
  reportRoot,
  trainingSet,
  VectorElement,
} from "../../runtime/measurement/index.ts";
import { Random } from "../../sim/random.ts";
import {
  contributionValues,
  KnnShapleyWorkers,
  keptPoints,
  valuePoints,
} from "./knn-shapley-workers.ts";
import { parallelCeiling } from "./parallel-ceiling.ts";

export interface MethodOptions {
  /** Contribution counts, one point each, one measurement each. */
  sizes: number[];
  /** Worker threads the parallel valuation uses. */
  workers: number;
}

export interface MethodSizeFigures {
  contributions: number;
  /** Queries valued against: METHOD_WORK / contributions, at least MIN_QUERIES. */
  queries: number;
  /** Points left after the near-duplicate collapse. */
  kept: number;
  /** decodeVectors of every feature and query file, and trainingSet. */
  decodeSeconds: number;
  collapseSeconds: number;
  /** knnShapley over the kept points on this thread, and the sums per contribution. */
  valuationSeconds: number;
  /** decode + collapse + valuation. */
  methodSeconds: number;
  /** contributions × queries per second of the whole method, and of the valuation alone. */
  contributionQueriesPerSecond: number;
  valuationContributionQueriesPerSecond: number;
  /** The same valuation with the queries split over `count` worker threads. */
  workers: {
    count: number;
    valuationSeconds: number;
    /** decode + collapse (one thread either way) + the workers' valuation. */
    methodSeconds: number;
    contributionQueriesPerSecond: number;
    valuationSpeedup: number;
    methodSpeedup: number;
    /**
     * parallelCeiling (parallel-ceiling.ts) just before: what `count` threads of plain
     * arithmetic gained over one at that moment, the bound for valuationSpeedup on a shared
     * machine.
     */
    ceiling: number;
  };
  /** The report an attestor reveals: the pot's allocation, and the Merkle root of its leaves. */
  allocateSeconds: number;
  rootSeconds: number;
  /** Whether findMethod("knn-shapley", 1).measure() was also run and gave the same root. */
  referenceChecked: boolean;
}

export interface MethodThroughput {
  dimension: number;
  classes: number;
  params: KnnShapleyParams;
  bySize: MethodSizeFigures[];
}

const DIMENSION = 64;
const CLASSES = 10;
/** Each coordinate is its class centroid's ± up to this much. */
const SPREAD = 48;
const LABEL_NOISE = 0.1;
const NEAR_COPIES = 0.01;
const PARAMS: KnnShapleyParams = { k: 5, duplicateDistance: 16, rawFeatures: false };
/** Contributions × queries per size: about 2 s of single-threaded valuation here. */
const METHOD_WORK = 4_000_000;
/**
 * Each valuation also has a fixed cost (knnShapley's exact-copy pass over the kept points and its
 * tables, about 0.4 s at 100k points): with fewer queries than this the bench would time that.
 */
const MIN_QUERIES = 100;
const QUERIES_PER_FILE = 1_000;
/** Above this many contributions the reference run (a second collapse) is left out. */
const REFERENCE_MAX = 10_000;
const POT = 1_000_000n * 10n ** 12n;
const SEED = 0x6b6e6e;

/** Labelled u8 points around one centroid per class. */
class Embeddings {
  readonly #rng: Random;
  readonly #centroids = new Int32Array(CLASSES * DIMENSION);

  constructor(rng: Random) {
    this.#rng = rng;
    for (let i = 0; i < this.#centroids.length; i++)
      this.#centroids[i] = SPREAD + rng.int(256 - 2 * SPREAD);
  }

  /** `count` points, each label wrong with probability `noise`. */
  points(count: number, noise: number): LabelledVectors {
    const labels = new Uint16Array(count);
    const values = new Int32Array(count * DIMENSION);
    for (let r = 0; r < count; r++) {
      const c = this.#rng.int(CLASSES);
      labels[r] = this.#rng.chance(noise) ? (c + 1 + this.#rng.int(CLASSES - 1)) % CLASSES : c;
      for (let t = 0; t < DIMENSION; t++)
        values[r * DIMENSION + t] =
          this.#centroids[c * DIMENSION + t]! + this.#rng.int(2 * SPREAD + 1) - SPREAD;
    }
    return { element: VectorElement.u8, dimension: DIMENSION, labels, values };
  }

  /** `original` with every coordinate moved by −1, 0 or +1 (L1 ≤ DIMENSION), its label kept. */
  nearCopy(original: LabelledVectors): LabelledVectors {
    const values = Int32Array.from(original.values, (x) =>
      Math.max(0, Math.min(255, x + this.#rng.int(3) - 1)),
    );
    return { ...original, labels: original.labels.slice(), values };
  }
}

/** n one-point contributions and q queries, as the labelled-vector files an attestor fetches. */
function dataset(n: number, q: number): { features: Uint8Array[]; queries: Uint8Array[] } {
  const rng = new Random(SEED ^ n);
  const data = new Embeddings(rng);
  const points: LabelledVectors[] = [];
  for (let i = 0; i < n; i++) {
    const copy = i > 0 && rng.chance(NEAR_COPIES);
    points.push(copy ? data.nearCopy(points[rng.int(i)]!) : data.points(1, LABEL_NOISE));
  }
  const queries: Uint8Array[] = [];
  for (let at = 0; at < q; at += QUERIES_PER_FILE)
    queries.push(encodeVectors(data.points(Math.min(QUERIES_PER_FILE, q - at), 0)));
  return { features: points.map(encodeVectors), queries };
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

const amountsOf = (values: bigint[]) =>
  allocate(
    POT,
    values.map((value, contributionId) => ({ contributionId, value })),
  );
const rootOf = (amounts: bigint[]) =>
  reportRoot(amounts.map((amount, contributionId) => ({ contributionId, amount })));

async function measureSize(n: number, pool: KnnShapleyWorkers): Promise<MethodSizeFigures> {
  const q = Math.max(MIN_QUERIES, Math.round(METHOD_WORK / n));
  const files = dataset(n, q);

  let start = performance.now();
  const train = trainingSet(files.features.map((f) => decodeVectors(f)));
  const queries = files.queries.map((f) => decodeVectors(f));
  const decodeSeconds = seconds(start);

  start = performance.now();
  const representative = collapseNearDuplicates(train.values, DIMENSION, PARAMS.duplicateDistance);
  const collapseSeconds = seconds(start);

  start = performance.now();
  const { kept, points } = keptPoints(train, representative);
  const sums = valuePoints(PARAMS.k, points, queries);
  const values = contributionValues(train, kept, sums, n);
  const valuationSeconds = seconds(start);

  start = performance.now();
  const amounts = amountsOf(values);
  const allocateSeconds = seconds(start);
  start = performance.now();
  const root = rootOf(amounts);
  const rootSeconds = seconds(start);

  const ceiling = await parallelCeiling(pool.size);
  start = performance.now();
  const parallelSums = await pool.valuePoints(PARAMS.k, points, queries);
  const parallelValues = contributionValues(train, kept, parallelSums, n);
  const parallelSeconds = seconds(start);
  if (!parallelValues.every((v, i) => v === values[i]))
    throw new Error(`${n} contributions: the workers' values differ from one thread's`);
  if (!bytesEqual(rootOf(amountsOf(parallelValues)), root))
    throw new Error(`${n} contributions: the workers' report root differs from one thread's`);

  const referenceChecked = n <= REFERENCE_MAX;
  if (referenceChecked) {
    const outcome = findMethod("knn-shapley", 1)!.measure({
      params: knnShapleyParams(PARAMS),
      contributions: files.features.map((features, id) => ({ id, features })),
      queries: files.queries,
    });
    const keptByMethod = outcome.points.reduce((sum, p) => sum + p.kept, 0);
    if (keptByMethod !== kept.length || !bytesEqual(rootOf(amountsOf(outcome.values)), root))
      throw new Error(`${n} contributions: the staged run differs from measure()`);
  }

  const methodSeconds = decodeSeconds + collapseSeconds + valuationSeconds;
  const parallelMethodSeconds = decodeSeconds + collapseSeconds + parallelSeconds;
  const work = n * q;
  return {
    contributions: n,
    queries: q,
    kept: kept.length,
    decodeSeconds,
    collapseSeconds,
    valuationSeconds,
    methodSeconds,
    contributionQueriesPerSecond: work / methodSeconds,
    valuationContributionQueriesPerSecond: work / valuationSeconds,
    workers: {
      count: pool.size,
      valuationSeconds: parallelSeconds,
      methodSeconds: parallelMethodSeconds,
      contributionQueriesPerSecond: work / parallelMethodSeconds,
      valuationSpeedup: valuationSeconds / parallelSeconds,
      methodSpeedup: methodSeconds / parallelMethodSeconds,
      ceiling,
    },
    allocateSeconds,
    rootSeconds,
    referenceChecked,
  };
}

/** Runs a small valuation on this thread and on the workers, so that neither times the JIT. */
async function warmUp(pool: KnnShapleyWorkers): Promise<void> {
  const files = dataset(500, 200);
  const train = trainingSet(files.features.map((f) => decodeVectors(f)));
  const queries = files.queries.map((f) => decodeVectors(f));
  const representative = collapseNearDuplicates(train.values, DIMENSION, PARAMS.duplicateDistance);
  const { points } = keptPoints(train, representative);
  valuePoints(PARAMS.k, points, queries);
  await pool.valuePoints(PARAMS.k, points, queries);
}

export async function measureMethod(
  options: MethodOptions,
  log: (line: string) => void,
): Promise<MethodThroughput> {
  const pool = await KnnShapleyWorkers.start(options.workers);
  try {
    await warmUp(pool);
    const bySize: MethodSizeFigures[] = [];
    for (const n of options.sizes) {
      const f = await measureSize(n, pool);
      bySize.push(f);
      const rate = (x: number) => `${(x / 1e6).toFixed(2)}M`;
      log(
        `measured: knn-shapley v1, ${n.toLocaleString("en-US")} contributions (${f.kept.toLocaleString("en-US")} kept) × ` +
          `${f.queries.toLocaleString("en-US")} queries: ${f.methodSeconds.toFixed(2)} s on 1 thread ` +
          `(decode ${f.decodeSeconds.toFixed(2)}, collapse ${f.collapseSeconds.toFixed(2)}, valuation ${f.valuationSeconds.toFixed(2)}), ` +
          `${rate(f.contributionQueriesPerSecond)} contribution-queries/s (valuation ${rate(f.valuationContributionQueriesPerSecond)}/s); ` +
          `${f.workers.count} workers: valuation ${f.workers.valuationSeconds.toFixed(2)} s (×${f.workers.valuationSpeedup.toFixed(2)}; ` +
          `plain arithmetic gained ×${f.workers.ceiling.toFixed(2)} just before), ` +
          `method ×${f.workers.methodSpeedup.toFixed(2)}, ${rate(f.workers.contributionQueriesPerSecond)}/s; ` +
          `report: allocate ${f.allocateSeconds.toFixed(2)} s, root ${f.rootSeconds.toFixed(2)} s` +
          (f.referenceChecked ? "; same root as measure()" : ""),
      );
    }
    return { dimension: DIMENSION, classes: CLASSES, params: PARAMS, bySize };
  } finally {
    await pool.close();
  }
}
